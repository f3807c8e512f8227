"""Today by a brokerage model on a Dorset-scale county: the three models side by side.

The synthetic ``county`` size (12 market towns, 1,210 clients needing 13,800 hours a week) with
its providers' offices (70 by default, in the towns by size, capacities adding up to 1.3 times
the hours). One matrix of office-to-client road times, then each model's allocation: the mean,
median and longest road time from a client's provider's office, clients placed by the fallback
(nobody accepted) and left out, providers used, and seconds (the matrix once, each allocation).

    python benchmarks/brokerage.py [--providers 70] [--decay 20] [--seed 0]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--providers", type=int, default=70)
    ap.add_argument("--decay", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import carezones as cz
    from carezones.county import office_minutes

    work = Path(tempfile.mkdtemp(prefix="cz-brokerage-"))
    county = cz.make_synthetic_county(
        work, size="county", seed=args.seed, n_providers=args.providers
    )
    net = cz.load_network(county.osm_path, "drive", engine="builtin")
    clients = cz.read_clients(county.clients_path, area=net)
    offices = cz.read_providers(county.providers_path, area=net)
    print(
        f"{len(clients):,} clients, {clients.hours_per_week.sum():,.0f} h a week; "
        f"{len(offices)} offices in {offices.town.nunique()} towns, capacity "
        f"{offices.capacity_hours.sum():,.0f} h a week"
    )
    t = time.perf_counter()
    minutes = office_minutes(clients, offices, net)
    t_matrix = time.perf_counter() - t
    print(f"office-to-client matrix {minutes.shape[0]} x {minutes.shape[1]}: {t_matrix:.2f} s\n")
    print(
        f"{'model':>8} {'mean':>6} {'median':>7} {'max':>6} {'fallback':>9} {'left out':>9} "
        f"{'used':>5} {'seconds':>8}   (minutes from the office)"
    )
    for model in ("nearest", "gravity", "random"):
        opts = cz.BrokerageOptions(model=model, decay_minutes=args.decay, seed=args.seed)
        t = time.perf_counter()
        got = cz.allocate_providers(clients, offices, net, options=opts, minutes=minutes)
        seconds = time.perf_counter() - t
        k = got.kpis
        print(
            f"{model:>8} {k['mean_minutes']:6.1f} {k['median_minutes']:7.1f} "
            f"{k['max_minutes']:6.1f} {k['clients_fallback']:9d} {k['clients_left_out']:9d} "
            f"{k['providers_used']:5d} {seconds:8.3f}"
        )
    t = time.perf_counter()
    cz.allocate_providers(clients, offices, net)
    print(f"\ngravity with its own matrix (the API's default): {time.perf_counter() - t:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
