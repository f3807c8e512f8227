"""Calibration on synthetic visit logs with known truth: recovered against true, and seconds.

On the synthetic county (``small`` by default: two market towns and ten villages, 600 clients;
SYNTHETIC DATA), a visit log is simulated with a stated true travel profile (urban legs
1.35 × model + 4.0 min, rural 1.15 × model + 2.5 min), normal noise (1 min) and waits
(exponential, 12 min on average) on a third of the gaps. The log is written to CSV, read back
and checked (:func:`carezones.read_visit_log`), and calibrated
(:func:`carezones.calibration.calibrate`). It prints the recovered multipliers and overheads
against the truth, the hold-out median absolute error before and after, and the seconds of
each step. Then the same again with about 50,000 visits (``--large``), where calibrating must
take at most 30 s.

    python benchmarks/calibrate.py [--size small] [--visits 5000] [--large 50000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

TRUTH = {"urban": (1.35, 4.0), "rural": (1.15, 2.5)}


def run(county, net, visits: int, seed: int, folder: Path) -> dict[str, float]:
    """Simulate, write, read and calibrate one log; print and return its numbers."""
    from carezones.calibration import CalibrationOptions, calibrate
    from carezones.io import read_visit_log
    from carezones.network import ClassTimes, DensityRule, TravelProfile
    from carezones.synthetic import LogOptions, visit_log

    rule = DensityRule(1000, 10)  # the synthetic county's towns are drawn sparsely
    truth = TravelProfile(ClassTimes(*TRUTH["urban"]), ClassTimes(*TRUTH["rural"]), rule=rule)
    carers = max(2, county.n_clients // 8)
    days = max(2, round(visits / (carers * 7)))  # 7 visits a carer's date on average
    t = time.perf_counter()
    log = visit_log(county, net, truth, LogOptions(days=days, seed=seed))
    t_sim = time.perf_counter() - t
    waited = (log["waited_minutes"] > 0).sum() / max(
        1, len(log) - log.groupby(["carer_id", "date"]).ngroups
    )
    path = folder / f"visits-log-{len(log)}.csv"
    log.drop(columns="waited_minutes").to_csv(path, index=False)
    t = time.perf_counter()
    checked = read_visit_log(path, area=net)
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    result = calibrate(checked, net, options=CalibrationOptions(rule=rule, seed=seed))
    t_fit = time.perf_counter() - t
    k = result.kpis
    print(
        f"\n{len(log):,} visits ({carers} carers x {days} dates), {k['legs']:,} legs fitted, "
        f"{k['held_out_legs']:,} held out; waits on {waited:.0%} of the gaps"
    )
    print(f"{'class':<7}{'legs':>7}{'multiplier':>18}{'overhead (min)':>20}{'error':>16}")
    worst_m, worst_c = 0.0, 0.0
    for c in ("urban", "rural"):
        m, o = k[f"{c}_multiplier"], k[f"{c}_overhead_minutes"]
        tm, to = TRUTH[c]
        worst_m, worst_c = max(worst_m, abs(m / tm - 1)), max(worst_c, abs(o - to))
        print(
            f"{c:<7}{k[f'{c}_legs']:>7,}{m:>9.3f} (true {tm:.2f}){o:>11.2f} (true {to:.1f})"
            f"{abs(m / tm - 1):>9.1%} {o - to:+.2f}"
        )
    print("hold-out median absolute error of leg times (minutes, waits included):")
    for row in result.holdout.itertuples():
        ratio = row.mae_after_minutes / row.mae_before_minutes
        print(
            f"  {row.leg_class:<6} {row.legs:>6,} legs: model alone {row.mae_before_minutes:5.2f}, "
            f"calibrated {row.mae_after_minutes:5.2f} ({ratio:.2f} of before)"
        )
    print(
        f"seconds: simulate {t_sim:.1f}, read and check {t_read:.1f}, calibrate {t_fit:.1f} "
        f"(read + calibrate {t_read + t_fit:.1f})"
    )
    ok = (
        worst_m <= 0.05
        and worst_c <= 1.0
        and k["mae_after_minutes"] <= 0.5 * k["mae_before_minutes"]
    )
    print(
        f"targets (multipliers within 5%, overheads within 1 min, error at least halved): "
        f"{'met' if ok else 'NOT met'} (worst {worst_m:.1%}, {worst_c:.2f} min)"
    )
    return {"visits": len(log), "calibrate_s": t_fit, "read_s": t_read, "ok": float(ok)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--size", default="county")
    ap.add_argument("--visits", type=int, default=5000)
    ap.add_argument("--large", type=int, default=50000, help="0: skip the large run")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    import os

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    from carezones import load_network, make_synthetic_county

    folder = Path(tempfile.mkdtemp(prefix="cz-calibrate-"))
    t = time.perf_counter()
    county = make_synthetic_county(folder, size=args.size, seed=args.seed)
    net = load_network(county.osm_path, engine="builtin")
    print(
        f"synthetic county '{args.size}' (SYNTHETIC DATA): {county.n_clients} clients, "
        f"{net.n_nodes:,} road nodes; made and loaded in {time.perf_counter() - t:.1f} s"
    )
    print(
        f"truth: urban {TRUTH['urban'][0]} x model + {TRUTH['urban'][1]} min, rural "
        f"{TRUTH['rural'][0]} x model + {TRUTH['rural'][1]} min; noise 1 min; waits 12 min "
        "on average"
    )
    out = [run(county, net, args.visits, args.seed, folder)]
    if args.large:
        big = run(county, net, args.large, args.seed + 1, folder)
        out.append(big)
        print(
            f"\n{big['visits']:,} visits calibrated in {big['calibrate_s']:.1f} s "
            f"(target <= 30 s: {'met' if big['calibrate_s'] <= 30 else 'NOT met'})"
        )
    return 0 if all(r["ok"] for r in out) else 1


if __name__ == "__main__":
    sys.exit(main())
