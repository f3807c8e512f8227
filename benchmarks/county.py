"""County plans on a Dorset-scale county, side by side in one run.

The synthetic ``county`` size (about 3,000 km², 4,350 km of road, 12 market towns, half the
homes rural, 1,210 clients needing 13,800 hours a week: Dorset's figures). One weekday (about
2,650 visits). Designs: today's allocation, assumed to be 70 providers whose clients are spread
across the county at random (as before zoning: an assumption, stated), and carezones zones with
6, 8, 10 and 12 zones. Every design gets the same visits and the same team rule.

Prints, per design: travel minutes per care hour, km, carers needed, visits unserved, seconds;
the whole comparison's time with 2 workers (network load, designs, every day, the report); then
the rounds stage again with 1 worker: the speed-up and whether the results are identical; and,
around the runs, the machine's own speed-up with 2 processes on pure Python work (a shared VM
does not always give two full cores).

    python benchmarks/county.py [--providers 70] [--zones 6 8 10 12] [--iterations 1500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _spin(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i % 7
    return s


def machine_scaling(n: int = 20_000_000) -> float:
    """Return how much more pure-Python work 2 processes do than 1 on this machine, now.

    A shared machine (a VM whose host is busy) may not give two full cores; this says what
    the machine itself allowed around the measurement, so the speed-up can be read against it.
    """
    from multiprocessing import get_context

    ctx = get_context("spawn")
    times = []
    for k in (1, 2):
        with ctx.Pool(k) as pool:
            pool.map(_spin, [1000] * k)  # start the processes first
            t = time.perf_counter()
            pool.map(_spin, [n] * k)
            times.append(time.perf_counter() - t)
    return 2 * times[0] / times[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--providers", type=int, default=70)
    ap.add_argument("--zones", type=int, nargs="*", default=[6, 8, 10, 12])
    ap.add_argument("--iterations", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-one-worker", action="store_true")
    ap.add_argument(
        "--rounds-maps",
        action="store_true",
        help="the report also maps each zone's rounds (providers' own use)",
    )
    args = ap.parse_args()

    import os

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import carezones as cz
    from carezones import CountyInputs, CountyOptions
    from carezones.county import plan_designs

    work = Path(tempfile.mkdtemp(prefix="cz-county-"))
    t0 = time.perf_counter()
    county = cz.make_synthetic_county(work, size="county", seed=args.seed)
    t_gen = time.perf_counter() - t0
    print(f"county: {county.describe() if hasattr(county, 'describe') else county.osm_path.name}")
    print(f"generated in {t_gen:.1f} s (not part of the comparison)")

    scaling = [machine_scaling()]
    t_all = time.perf_counter()
    net = cz.load_network(county.osm_path, "drive", engine="builtin")
    t_load = time.perf_counter() - t_all
    clients = cz.read_clients(county.clients_path, area=net)
    homes = net.buildings.homes  # read with the roads; zones are drawn around every building
    rng = np.random.default_rng(args.seed)
    clients["provider"] = [f"P{i:02d}" for i in rng.integers(0, args.providers, len(clients))]
    print(
        f"network {net.kpis['km_of_road']:,.0f} km of road, loaded in {t_load:.1f} s; "
        f"{len(clients):,} clients, {clients.hours_per_week.sum():,.0f} h a week; "
        f"{len(homes):,} homes for carers"
    )

    comparison = cz.compare_designs(
        clients,
        net,
        designs={"today": "provider"},
        zone_counts=args.zones,
        inputs=cz.CountyInputs(homes=homes),
        options=cz.CountyOptions(
            iterations=args.iterations, seed=args.seed, workers=2, rounds_maps=args.rounds_maps
        ),
    )
    t = time.perf_counter()
    comparison.to_files(work / "report", rounds_maps=args.rounds_maps)
    t_report = time.perf_counter() - t
    t_total = time.perf_counter() - t_all
    first = next(iter(comparison.plans.values()))
    print(
        f"one weekday: {len(first.visits):,} visits, "
        f"{(first.visits.duration_minutes * first.visits.carers_required).sum() / 60:,.0f} "
        "h of care\n"
    )
    cols = [
        "design",
        "zones",
        "carers",
        "travel_minutes_per_care_hour",
        "travel_km",
        "visits_unserved",
        "rule_violations",
    ]
    print(comparison.table[cols].to_string(index=False, float_format=lambda v: f"{v:,.1f}"))
    s = comparison.seconds
    print(
        f"\nzones designed in {s['zones_s']:.1f} s; every day planned in {s['rounds_s']:.1f} s "
        f"(2 workers); report {t_report:.1f} s"
    )
    print(f"whole comparison (load, designs, every day, report): {t_total:.1f} s (target <= 300 s)")
    today = comparison.table.set_index("design").loc["today"]
    for row in comparison.sweep().itertuples():
        print(
            f"  {row.design}: travel per care hour {row.travel_minutes_per_care_hour:.1f} "
            f"= {row.travel_minutes_per_care_hour / today.travel_minutes_per_care_hour:.2f}x "
            f"today's; carers {row.carers} vs {today.carers}"
        )
    if args.skip_one_worker:
        return 0
    designs = {"today": "provider", **comparison.zone_plans}
    scaling.append(machine_scaling())
    t = time.perf_counter()
    one = plan_designs(
        designs,
        clients,
        net,
        inputs=CountyInputs(homes=homes),
        options=CountyOptions(iterations=args.iterations, seed=args.seed, workers=1),
    )
    t_one = time.perf_counter() - t
    same = all(
        one[n].itineraries.equals(p.itineraries)
        and one[n].kpis["travel_minutes"] == p.kpis["travel_minutes"]
        for n, p in comparison.plans.items()
    )
    print(
        f"\nrounds stage: 1 worker {t_one:.1f} s, 2 workers {s['rounds_s']:.1f} s: "
        f"speed-up {t_one / s['rounds_s']:.2f}x (target >= 1.6x)"
    )
    print(f"identical results with 1 and 2 workers: {same}")
    scaling.append(machine_scaling())
    print(
        f"this machine's own 2-process speed-up on pure Python work: "
        f"{scaling[0]:.2f}x before the 2-worker run, {scaling[1]:.2f}x between, "
        f"{scaling[2]:.2f}x after the 1-worker run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
