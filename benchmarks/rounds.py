"""A rural home-care day on Rutland's roads: carezones against a naive plan and a relaxed solve.

    python benchmarks/rounds.py [--clients 125] [--carers 25] [--seconds 40] [--seed 0]
        [--iterations N] [--balance W ...] [--late MINUTES ...]

The day (``carezones.synthetic.example_day``): clients on residential buildings with one to four
calls each (about 300 visits), a tenth of them double-handed, medication skills, 25 carers on
early shifts with a 30-minute break, late shifts and split shifts (two rows), homes on
residential buildings; travel from the built-in engine on the drive network.

- carezones: ``plan_rounds`` with every rule (breaks, synchronised double-handed visits).
- naive: each carer, when free, drives to the nearest visit it can still make (skills,
  window, home before the shift ends) among those it could start within the hour (else the
  one it could start soonest), the second carer of a double-handed visit joining at the first
  carer's start; then the same break placement and repair, so it too passes the checker.
- relaxed: PyVRP on the same day without breaks and with each double-handed visit as two
  independent visits (a lower bound on travel for the real rules, not a plan anyone could use).

Prints travel minutes, unserved visits, seconds and ratios; the checker's verdict on both plans.
"""

from __future__ import annotations

import sys
import time

import numpy as np


def naive(visits, carers, d):
    """Greedy nearest-feasible-visit rounds: returns routes of (visit, copy)."""
    from carezones.rounds.model import eligible

    n_c, n_v = d.n_c, len(visits)
    ok = eligible(visits, carers)
    t = d.ss.copy()
    loc = np.arange(n_c)
    routes = [[] for _ in range(n_c)]
    left = {(j, k) for j in range(n_v) for k in range(int(d.req[j]))}
    first_start: dict[int, tuple[int, float]] = {}
    active = set(range(n_c))
    while active:
        c = min(active, key=lambda x: (t[x], x))
        best = None
        soon = [q for q in left if max(t[c] + d.T[loc[c], n_c + q[0]], d.ws[q[0]]) <= t[c] + 60]
        for j, k in sorted(soon or left):
            if not ok[c, j]:
                continue
            if d.req[j] == 2 and j in first_start and first_start[j][0] == c:
                continue
            arr = t[c] + d.T[loc[c], n_c + j]
            st = max(arr, d.ws[j])
            if j in first_start:
                if arr > first_start[j][1] + 1e-9:
                    continue
                st = first_start[j][1]
            if st > d.we[j] or st + d.dur[j] + d.T[n_c + j, c] > d.se[c]:
                continue
            key = (d.T[loc[c], n_c + j] if soon else st, j, k)
            if best is None or key < best[0]:
                best = (key, j, k, st)
        if best is None:
            active.discard(c)
            continue
        _, j, k, st = best
        left.discard((j, k))
        if d.req[j] == 2:
            first_start.setdefault(j, (c, st))
        routes[c].append((j, k))
        t[c], loc[c] = st + d.dur[j], n_c + j
    return routes


def travel(d, routes):
    total = 0.0
    for c, r in enumerate(routes):
        loc = c
        for j, _ in r:
            total += d.T[loc, d.n_c + j]
            loc = d.n_c + j
        if r:
            total += d.T[loc, c]
    return total


def main() -> int:
    import carezones as cz
    from _common import parse_or_skip, rutland_parser
    from carezones.rounds import Rounds
    from carezones.rounds.model import Stop, Weights, impossible, solve
    from carezones.rounds.schedule import Day, repair
    from carezones.rounds.tables import itineraries, kpis
    from carezones.synthetic import example_day

    ap = rutland_parser(__doc__)
    ap.add_argument("--clients", type=int, default=125)
    ap.add_argument("--carers", type=int, default=25)
    ap.add_argument("--seconds", type=float, default=40.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="search iterations instead of --seconds for carezones' plans (the same plans on "
        "any machine; the relaxed solve keeps --seconds)",
    )
    ap.add_argument(
        "--balance",
        type=float,
        nargs="*",
        default=[],
        help="also plan with these workload-balance weights",
    )
    ap.add_argument(
        "--late",
        type=float,
        nargs="*",
        default=[],
        help="also plan with soft windows: visits may start up to these many minutes late "
        "(each late minute, and the day's worst, costing as a minute of travel)",
    )
    args = parse_or_skip(ap)
    if args is None:
        return 0
    search = {"time_limit": args.seconds, "iterations": args.iterations, "seed": args.seed}
    net = cz.load_network(args.pbf, "drive", engine="builtin")
    pts = cz.clients_on_buildings(args.pbf, args.clients + args.carers, seed=args.seed)
    ll = pts[["lon", "lat"]].to_numpy()
    v, c = example_day(ll[: args.clients], ll[args.clients :], seed=args.seed)
    visits, carers = cz.read_visits(v, area=net), cz.read_carers(c, area=net)
    homes = np.column_stack([carers.geometry.x, carers.geometry.y])
    stops = np.column_stack([visits.geometry.x, visits.geometry.y])
    t0 = time.perf_counter()
    minutes = net.travel_times(np.vstack([homes, stops]))
    t_matrix = time.perf_counter() - t0
    n2 = int((visits.carers_required == 2).sum())
    print(
        f"day: {len(visits)} visits ({n2} double-handed), {carers.carer_id.nunique()} carers on "
        f"{len(carers)} shifts; travel matrix {len(minutes)}x{len(minutes)} in {t_matrix:.1f} s"
    )
    t0 = time.perf_counter()
    ours = cz.plan_rounds(
        visits,
        carers,
        minutes=minutes,
        options=cz.RoundsOptions(**search),
    )
    t_ours = time.perf_counter() - t0
    bad = ours.check()

    d = Day.from_tables(visits, carers, minutes)
    t0 = time.perf_counter()
    routes = naive(visits, carers, d)
    routes, breaks, dropped = repair(visits, carers, d, routes)
    t_naive = time.perf_counter() - t0
    itin = itineraries(visits, carers, d, routes, breaks, None)
    served = {j for r in routes for j, _ in r}
    reasons = impossible(visits, carers, minutes)
    import pandas as pd

    un = pd.DataFrame(
        {
            "visit_id": [visits.visit_id.iat[j] for j in range(len(visits)) if j not in served],
            "reason": "not served",
        }
    )
    naive_plan = Rounds(itin, un, kpis(visits, itin, un, t_naive), visits, carers, minutes)
    bad_naive = naive_plan.check()
    for b in bad_naive[:3]:
        print("naive:", b)

    # the same comparison on equal work: carezones on exactly the visits naive served
    same = visits.iloc[sorted(served)].reset_index(drop=True)
    keep = np.r_[np.arange(len(carers)), len(carers) + np.array(sorted(served), dtype=int)]
    t0 = time.perf_counter()
    ours_same = cz.plan_rounds(
        same,
        carers,
        minutes=minutes[np.ix_(keep, keep)],
        options=cz.RoundsOptions(**search),
    )
    t_same = time.perf_counter() - t0
    bad_same = ours_same.check()

    todo = [j for j in range(len(visits)) if j not in reasons]
    t0 = time.perf_counter()
    relaxed = solve(
        visits,
        carers,
        minutes,
        todo,
        {},
        Stop(args.seconds / 2, args.seed),
        Weights(split_doubles=False),
    )
    t_relaxed = time.perf_counter() - t0
    r_served = sum(len(r) for r in relaxed)
    copies = int(visits.carers_required.sum())

    print(f"{'method':<12}{'travel min':>11}{'unserved':>9}{'sec':>7}  checker")
    k = ours.kpis
    print(
        f"{'carezones':<12}{k['travel_minutes']:>11.0f}{k['visits_unserved']:>9}{t_ours:>7.1f}"
        f"  {'ok' if not bad else f'{len(bad)} violations'}"
    )
    kn = naive_plan.kpis
    print(
        f"{'naive':<12}{kn['travel_minutes']:>11.0f}{kn['visits_unserved']:>9}{t_naive:>7.1f}"
        f"  {'ok' if not bad_naive else f'{len(bad_naive)} violations'}"
    )
    rt = travel(d, relaxed)
    print(
        f"{'relaxed':<12}{rt:>11.0f}{copies - r_served:>9}{t_relaxed:>7.1f}"
        "  (unserved counts carer-visits; no breaks, doubles unsynchronised)"
    )
    print(
        f"carezones / naive travel: {k['travel_minutes'] / kn['travel_minutes']:.2f}; "
        f"carezones / relaxed travel: {k['travel_minutes'] / rt:.2f}"
    )
    per = (
        k["travel_minutes"] / max(k["visits_served"], 1),
        kn["travel_minutes"] / max(kn["visits_served"], 1),
        rt / max(r_served, 1),
    )
    print(
        f"travel minutes per served visit: carezones {per[0]:.2f}, naive {per[1]:.2f} "
        f"(ratio {per[0] / per[1]:.2f}); relaxed {per[2]:.2f} per carer-visit"
    )
    ks = ours_same.kpis
    print(
        f"equal work (the {len(same)} visits naive served): carezones {ks['travel_minutes']:.0f} "
        f"travel min ({ks['visits_unserved']} unserved, {t_same:.1f} s, checker "
        f"{'ok' if not bad_same else f'{len(bad_same)} violations'}) vs naive "
        f"{kn['travel_minutes']:.0f}: ratio {ks['travel_minutes'] / kn['travel_minutes']:.2f}"
    )
    print(
        f"carezones: {k['visits_served']} of {k['visits']} visits served, travel "
        f"{k['travel_share_of_working_time']:.1%} of working time, "
        f"{k['travel_minutes_per_care_hour']:.1f} travel minutes per care hour"
    )
    if len(ours.unserved):
        print(ours.unserved.reason.value_counts().to_string())
    for w in [0.0, *args.balance] if args.balance else []:
        plan = (
            ours
            if w == 0
            else cz.plan_rounds(
                visits,
                carers,
                minutes=minutes,
                options=cz.RoundsOptions(**search, balance=w),
            )
        )
        kb = plan.kpis
        print(
            f"balance {w:g}: {kb['visits_served']} served, travel {kb['travel_minutes']:.0f} min; "
            f"shift utilisation min {kb['shift_utilisation_min']:.2f}, max "
            f"{kb['shift_utilisation_max']:.2f}, sd {kb['shift_utilisation_sd']:.3f}; checker "
            f"{'ok' if not plan.check() else 'VIOLATIONS'}"
        )
    if args.late:
        budget = f"{args.seconds:g} s" if args.iterations is None else f"{args.iterations} it."
        print(
            f"\nsoft windows, side by side ({budget} each):\n"
            f"{'windows':<22}{'served':>8}{'late':>6}{'late min':>10}{'worst':>7}"
            f"{'travel min':>12}{'sec':>7}  checker"
        )
    for late in [0.0, *args.late] if args.late else []:
        plan = (
            ours
            if late == 0
            else cz.plan_rounds(
                visits,
                carers,
                minutes=minutes,
                options=cz.RoundsOptions(
                    **search,
                    max_late_minutes=late,
                    late_cost=1.0,
                    worst_late_cost=1.0,
                ),
            )
        )
        kl = plan.kpis
        name = "hard" if late == 0 else f"up to {late:g} min late"
        print(
            f"{name:<22}{kl['visits_served']:>4}/{kl['visits']:<3}{kl['visits_late']:>6}"
            f"{kl['late_minutes_total']:>10.0f}{kl['late_minutes_worst']:>7.0f}"
            f"{kl['travel_minutes']:>12.0f}{kl['seconds']:>7.0f}"
            f"  {'ok' if not plan.check() else 'VIOLATIONS'}"
        )
    del dropped
    return 0


if __name__ == "__main__":
    sys.exit(main())
