"""County plans on a Dorset-scale county, side by side in one run, over several days.

The synthetic ``county`` size (about 3,000 km², 4,350 km of road, 12 market towns, half the
homes rural, 1,210 clients needing 13,800 hours a week: Dorset's figures). ``--days`` weekdays
(default 3), each a new draw of every client's calls from the weekly hours (about 2,650 visits
a day). Designs: "today" made by each of the three brokerage models (nearest, gravity, random)
over the synthetic county's 70 provider offices in its towns (``carezones.county.
allocate_providers``: a stated model, not a real allocation), and carezones zones with 6, 8,
10 and 12 zones. Every design gets the same days' visits and the same team rule; every zone's
day of every design on every day is one task of the same batch.

Prints, per design: every KPI as the mean over the days with its range (lowest to highest
day); carers counted from the rounds against the sizing rule's estimate, utilisation and
travel per carer; whether each design's difference from today is larger than the day-to-day
spread; the whole comparison's time with 2 workers (network load, designs, every day, the
report). Then, on fewer designs (today and the most zones) and one day, the days again with 2
and with 1 worker: the speed-up and whether the results are identical to the first day of the
main run (the first day of a run is the same whatever the number of days); and, around the
runs, the machine's own speed-up with 2 processes on pure Python work (a shared VM does not
always give two full cores).

    python benchmarks/county.py [--days 3] [--zones 6 8 10 12]
                                [--iterations 1500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


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


def ranged(row: Any, col: str, fmt: str = ",.1f") -> str:
    """Return a KPI as ``mean (low-high)``, or the value alone when every day agrees."""
    mid, lo, hi = row[col], row.get(f"{col}_low", row[col]), row.get(f"{col}_high", row[col])
    if lo == hi:
        return format(mid, fmt)
    return f"{format(mid, fmt)} ({format(lo, fmt)}-{format(hi, fmt)})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=3)
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
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    import os

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import pandas as pd

    import carezones as cz
    from carezones import CountyInputs, CountyOptions
    from carezones.county import BrokerageOptions, allocate_providers, office_minutes, plan_designs
    from carezones.county.brokerage import MODELS
    from carezones.county.table import spread_sentence

    work = Path(tempfile.mkdtemp(prefix="cz-county-"))
    t0 = time.perf_counter()
    county = cz.make_synthetic_county(work, size="county", seed=args.seed, n_providers=70)
    t_gen = time.perf_counter() - t0
    print(f"county: {county.describe() if hasattr(county, 'describe') else county.osm_path.name}")
    print(f"generated in {t_gen:.1f} s (not part of the comparison)")

    scaling = [machine_scaling()]
    t_all = time.perf_counter()
    net = cz.load_network(county.osm_path, "drive", engine="builtin")
    t_load = time.perf_counter() - t_all
    clients = cz.read_clients(county.clients_path, area=net)
    homes = net.buildings.homes  # read with the roads; zones are drawn around every building
    offices = cz.read_providers(county.providers_path, area=net)
    print(
        f"network {net.kpis['km_of_road']:,.0f} km of road, loaded in {t_load:.1f} s; "
        f"{len(clients):,} clients, {clients.hours_per_week.sum():,.0f} h a week; "
        f"{len(homes):,} homes for carers"
    )

    # today's designs: each brokerage model over the offices (a stated model, not the real
    # allocation); one matrix of office-to-client minutes serves the three
    t = time.perf_counter()
    minutes = office_minutes(clients, offices, net)
    today: dict[str, Any] = {}
    for model in MODELS:
        options = BrokerageOptions(model=model, seed=args.seed)
        allocation = allocate_providers(clients, offices, net, options=options, minutes=minutes)
        today[f"today-{model}"] = allocation
        print(f"  today-{model}: {allocation.describe()}")
    print(f"  ({len(offices)} offices; the three allocations in {time.perf_counter() - t:.1f} s)")
    opts = CountyOptions(
        iterations=args.iterations,
        seed=args.seed,
        workers=2,
        days=args.days,
        rounds_maps=args.rounds_maps,
    )
    comparison = cz.compare_designs(
        clients,
        net,
        designs=today,
        zone_counts=args.zones,
        inputs=CountyInputs(homes=homes),
        options=opts,
    )
    t = time.perf_counter()
    comparison.to_files(work / "report", rounds_maps=args.rounds_maps)
    t_report = time.perf_counter() - t
    t_total = time.perf_counter() - t_all
    first = next(iter(comparison.plans.values()))
    visits = first.daily["visits"]
    print(
        f"{args.days} weekday(s): {visits.min():,}-{visits.max():,} visits a day; the first "
        f"{(first.visits.duration_minutes * first.visits.carers_required).sum() / 60:,.0f} h "
        f"of care; {args.iterations} iterations a solve\n"
    )
    rows = []
    for r in comparison.table.to_dict(orient="records"):
        rows.append(
            {
                "design": r["design"],
                "zones": r["zones"],
                "travel min per care hour": ranged(r, "travel_minutes_per_care_hour"),
                "travel km": ranged(r, "travel_km", ",.0f"),
                "carers (rounds)": ranged(r, "carers", ",.0f"),
                "rule's estimate": ranged(r, "carers_estimate", ",.0f"),
                "utilisation": ranged(r, "utilisation", ".0%"),
                "travel min per carer": ranged(r, "travel_minutes_per_carer"),
                "visits unserved": ranged(r, "visits_unserved", ",.0f"),
                "rule violations (worst day)": f"{r['rule_violations_high']:.0f}",
            }
        )
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(pd.DataFrame(rows).to_string(index=False))
    print("\nshifts worked (mean of the days):")
    for name, plan in comparison.plans.items():
        k = plan.kpis
        print(
            f"  {name}: {k['early']:,.0f} early, {k['split']:,.0f} split, "
            f"{k['split_morning']:,.0f} split mornings only, {k['split_evening']:,.0f} split "
            f"evenings only, {k['late']:,.0f} late; team planned {k['carers_planned']:,.0f}"
        )
    print(f"  ({first.kpis['shift_patterns']})")
    print("\nday by day, against today:")
    for row in comparison.differences().to_dict(orient="records"):
        print(f"  {spread_sentence(row)}")
    s = comparison.seconds
    target = 600 if args.days > 1 else 300
    print(
        f"\nzones designed in {s['zones_s']:.1f} s; every day planned in {s['rounds_s']:.1f} s "
        f"(2 workers, {sum(len(p.days) for p in comparison.plans.values()) * args.days} "
        f"zones' days); report {t_report:.1f} s"
    )
    print(
        f"whole comparison (load, designs, every day, report): {t_total:.1f} s "
        f"(target <= {target} s with --days {args.days})"
    )
    if args.skip_one_worker:
        return 0
    most = f"zones-{max(args.zones)}" if args.zones else None
    first_today = {name: a.design(name) for name, a in list(today.items())[:1]}
    fewer = {**first_today, **({most: comparison.zone_plans[most]} if most else {})}
    scaling.append(machine_scaling())
    timing = {}
    again = {}
    for workers in (2, 1):
        t = time.perf_counter()
        again[workers] = plan_designs(
            fewer,
            clients,
            net,
            inputs=CountyInputs(homes=homes),
            options=CountyOptions(iterations=args.iterations, seed=args.seed, workers=workers),
        )
        timing[workers] = time.perf_counter() - t
    same = all(
        again[w][n].itineraries.equals(comparison.plans[n].itineraries)
        and again[w][n].kpis["travel_minutes"]
        == comparison.plans[n].daily["travel_minutes"].iloc[0]
        and again[w][n].kpis["carers"] == comparison.plans[n].daily["carers"].iloc[0]
        for w in again
        for n in fewer
    )
    print(
        f"\n{', '.join(fewer)}, one day: 1 worker {timing[1]:.1f} s, 2 workers {timing[2]:.1f} s: "
        f"speed-up {timing[1] / timing[2]:.2f}x (target >= 1.6x)"
    )
    print(f"identical results with 1 and 2 workers (and to the main run's first day): {same}")
    scaling.append(machine_scaling())
    print(
        f"this machine's own 2-process speed-up on pure Python work: "
        f"{scaling[0]:.2f}x before the comparison, {scaling[1]:.2f}x between, "
        f"{scaling[2]:.2f}x after the 1-worker run"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
