"""Solomon's VRPTW instances through carezones' routing core, each answer checked independently.

    python benchmarks/vrptw.py --instances ../shared/data/vrptw/solomon100 \\
        --bks ../shared/data/vrptw/solomon100/bks.csv --seconds 10 [--solutions DIR]

For each instance (LKH-3 CVRPTW format; distances floored to tenths, as in the DIMACS
convention of the best-known table): total distance, routes, gap to the best known, seconds
and the checker's verdict; then ``mean gap: X.XX%``. The reference is the best known (optimal)
distance itself, so the gap is the ratio to the state of the art.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path


def main() -> int:
    from carezones._data import shared_file
    from carezones.io.vrplib import read_lkh_vrptw
    from carezones.report.vrptw import write_solution
    from carezones.rounds.checker import check_vrptw
    from carezones.rounds.vrptw import solve_vrptw

    default = shared_file("vrptw/solomon100")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--instances", type=Path, default=default)
    ap.add_argument("--bks", type=Path, default=None, help="CSV: instance,vehicles,distance")
    ap.add_argument("--seconds", type=float, default=10.0, help="time limit per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solutions", type=Path, default=None, help="write NAME.sol files here")
    ap.add_argument("--only", nargs="*", default=None, help="instance names to run")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    if args.instances is None or not Path(args.instances).exists():
        print("skipped: no instances (give --instances, or set CAREZONES_DATA)")
        return 0
    bks_path = args.bks or Path(args.instances) / "bks.csv"
    bks = {}
    if bks_path.exists():
        with open(bks_path) as f:
            bks = {r["instance"]: float(r["distance"]) for r in csv.DictReader(f)}
    files = sorted(Path(args.instances).glob("*.vrptw"))
    if args.only:
        files = [f for f in files if f.name.split(".")[0] in args.only]
    if args.solutions:
        args.solutions.mkdir(parents=True, exist_ok=True)
    print(
        f"{'instance':<8}{'distance':>10}{'best known':>11}{'gap':>8}{'routes':>7}{'sec':>6}  check"
    )
    gaps, worst, failures = [], 0.0, 0
    for path in files:
        inst = read_lkh_vrptw(path)
        sol = solve_vrptw(inst, seconds=args.seconds, seed=args.seed)
        problems = check_vrptw(inst, sol.routes, sol.distance)
        dist = sol.distance / inst.scale
        ref = bks.get(inst.name)
        gap = 100 * (dist / ref - 1) if ref else float("nan")
        if ref:
            gaps.append(gap)
            worst = max(worst, gap)
        failures += bool(problems)
        verdict = "ok" if not problems else f"{len(problems)} violations: {problems[0]}"
        print(
            f"{inst.name:<8}{dist:>10.1f}{ref or float('nan'):>11.1f}{gap:>7.2f}%"
            f"{len(sol.routes):>7}{sol.seconds:>6.1f}  {verdict}"
        )
        if args.solutions:
            write_solution(inst, sol, args.solutions / f"{inst.name}.sol")
    if gaps:
        print(f"instances: {len(gaps)}, worst gap: {worst:.2f}%, failing the checker: {failures}")
        print(f"mean gap: {sum(gaps) / len(gaps):.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
