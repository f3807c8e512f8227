"""A week of home care on Rutland's roads: one week plan against planning each day alone.

    python benchmarks/week.py [--clients 120] [--carers 30] [--week-seconds 150]
                              [--day-seconds 30] [--replan-seconds 15] [--iterations N] [--seed 0]

The week (``carezones.synthetic.example_week``): clients on residential buildings with the same
calls every day they are visited (three in five every day, the others three days a week;
about 1,500 visits), a tenth double-handed, medication skills; carers on early, late or split
shifts, each working five days in seven with two days off in a row. Travel from the built-in
engine on the drive network.

- carezones week: ``plan_week`` (continuity weight ``continuity_minutes``, its default).
- day by day: today's ``plan_rounds`` on each day alone (``--day-seconds`` each).

Then a re-plan on the busiest day: that day planned with ``plan_rounds``, the carer with the
most visits calls in sick at 06:30 (and, to show visits already under way, another at 10:30);
``replan_rounds(day, ..., unavailable=[carer], now=...)`` against planning the day from
scratch without that carer. A visit has *moved* when another carer makes it or it starts more
than 15 minutes earlier or later than in the day's plan.

Prints travel, distinct carers per client (mean and 90th percentile), visits unserved (how
many double-handed, and when), seconds and ratios side by side, and the checker's verdict on
every plan. ``--iterations`` replaces every time limit with an iteration limit (the same
numbers on every machine).
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    import carezones as cz
    from _common import parse_or_skip, rutland_parser
    from carezones import RoundsOptions, WeekOptions, replan_rounds
    from carezones.rounds import compare_rounds, plan_rounds, plan_week
    from carezones.rounds.tables import continuity_kpis
    from carezones.synthetic import example_week

    ap = rutland_parser(__doc__)
    ap.add_argument("--clients", type=int, default=120)
    ap.add_argument("--carers", type=int, default=30)
    ap.add_argument("--week-seconds", type=float, default=150.0)
    ap.add_argument("--day-seconds", type=float, default=30.0)
    ap.add_argument("--replan-seconds", type=float, default=15.0)
    ap.add_argument("--iterations", type=int, help="per day (and per re-plan) instead of time")
    ap.add_argument(
        "--continuity",
        type=float,
        nargs="*",
        default=[],
        help="also plan the week with these continuity weights",
    )
    ap.add_argument("--seed", type=int, default=0)
    args = parse_or_skip(ap)
    if args.pbf is None:
        return 0
    it = args.iterations
    net = cz.load_network(args.pbf, "drive", engine="builtin")
    pts = cz.clients_on_buildings(args.pbf, args.clients + args.carers, seed=args.seed)
    ll = pts[["lon", "lat"]].to_numpy()
    v, c = example_week(ll[: args.clients], ll[args.clients :], seed=args.seed)
    visits, carers = cz.read_visits(v, area=net), cz.read_carers(c, area=net)
    days = sorted(set(visits.day))
    n2 = int((visits.carers_required == 2).sum())
    print(
        f"week: {len(days)} days, {len(visits)} visits ({n2} double-handed) for "
        f"{visits.client_id.nunique()} clients; {carers.carer_id.nunique()} carers on "
        f"{len(carers)} shifts ({carers.groupby('day').carer_id.nunique().mean():.1f} carers "
        "at work a day)"
    )

    t0 = time.perf_counter()
    week = plan_week(
        visits,
        carers,
        net,
        options=WeekOptions(time_limit=args.week_seconds, iterations=it, seed=args.seed),
    )
    t_week = time.perf_counter() - t0
    bad_week = week.check()

    t0 = time.perf_counter()
    alone = {}
    for d in days:
        vd = visits[visits.day == d].reset_index(drop=True)
        alone[d] = plan_rounds(
            vd,
            carers,
            net,
            options=RoundsOptions(time_limit=args.day_seconds, iterations=it, seed=args.seed),
        )
    t_alone = time.perf_counter() - t0
    bad_alone = [(d, b) for d, r in alone.items() for b in r.check()]
    import pandas as pd

    stacked = pd.concat([r.itineraries.assign(day=d) for d, r in alone.items()])
    ka = {
        "travel_minutes": sum(r.kpis["travel_minutes"] for r in alone.values()),
        "travel_km": sum(r.kpis["travel_km"] or 0 for r in alone.values()),
        "visits_unserved": sum(r.kpis["visits_unserved"] for r in alone.values()),
        **continuity_kpis(stacked),
    }
    kw = week.kpis

    def row(name, k, sec, bad):
        verdict = "ok" if not bad else f"{len(bad)} violations"
        print(
            f"{name:<14}{k['travel_minutes']:>10.0f}{k['travel_km'] or 0:>9.0f}"
            f"{k['carers_per_client_mean']:>8.2f}{k['carers_per_client_p90']:>6.1f}"
            f"{k['visits_unserved']:>9}{sec:>8.1f}  {verdict}"
        )

    print(
        f"{'plan':<14}{'travel min':>10}{'km':>9}{'carers':>8}{'p90':>6}{'unserved':>9}"
        f"{'sec':>8}  checker (every day)"
    )
    row("carezones week", kw, t_week, bad_week)
    row("day by day", ka, t_alone, bad_alone)
    print(
        f"week / day by day: travel {kw['travel_minutes'] / ka['travel_minutes']:.3f}, distinct "
        f"carers per client {kw['carers_per_client_mean'] / ka['carers_per_client_mean']:.3f} "
        f"(p90 {kw['carers_per_client_p90'] / ka['carers_per_client_p90']:.3f}), unserved "
        f"{kw['visits_unserved']} vs {ka['visits_unserved']}, seconds {t_week / t_alone:.2f}"
    )
    print(
        f"distribution (clients seeing n carers): week {kw['carers_per_client']}; "
        f"day by day {ka['carers_per_client']}"
    )

    def left_out(unserved):
        v = visits.set_index("visit_id").loc[unserved["visit_id"]]
        hours = (v["window_start"] // 60).astype(int).value_counts().sort_index()
        when = ", ".join(f"{h:02d}h {n}" for h, n in hours.items()) or "none"
        return f"{len(v)} ({int((v['carers_required'] == 2).sum())} double-handed; {when})"

    print(
        f"left out (by the hour the window opens): week {left_out(week.unserved)}; day by "
        f"day {left_out(pd.concat([r.unserved for r in alone.values()]))}"
    )
    for w in args.continuity:
        t0 = time.perf_counter()
        other = plan_week(
            visits,
            carers,
            net,
            options=WeekOptions(
                time_limit=args.week_seconds, iterations=it, seed=args.seed, continuity_minutes=w
            ),
        )
        row(f"weight {w:g}", other.kpis, time.perf_counter() - t0, other.check())

    # ---- a carer calls in sick
    busiest = max(days, key=lambda d: int((visits.day == d).sum()))
    vd = visits[visits.day == busiest].reset_index(drop=True)
    day = plan_rounds(
        vd,
        carers,
        net,
        options=RoundsOptions(time_limit=args.day_seconds, iterations=it, seed=args.seed),
    )
    dv = day.itineraries[day.itineraries.kind == "visit"]
    order = dv.carer_id.value_counts()
    print(
        f"\nre-plan on {busiest}: {len(vd)} visits, {day.kpis['visits_served']} served by "
        f"{day.kpis['carers_used']} carers (travel {day.kpis['travel_minutes']:.0f} min)"
    )
    print(
        f"{'case':<28}{'moved':>6}{'travel min':>11}{'unserved':>9}{'sec':>7}  checker, "
        "started visits"
    )
    for now, absent in (("06:30", order.index[0]), ("10:30", order.index[1])):
        t = int(now[:2]) * 60 + int(now[3:])
        t0 = time.perf_counter()
        again = replan_rounds(
            day,
            vd,
            carers,
            net,
            unavailable=[absent],
            now=now,
            options=RoundsOptions(time_limit=args.replan_seconds, iterations=it, seed=args.seed),
        )
        t_re = time.perf_counter() - t0
        keep = [i for i, k in enumerate(carers.carer_id) if k != absent]
        others = carers.iloc[keep].reset_index(drop=True)
        t0 = time.perf_counter()
        scratch = plan_rounds(
            vd,
            others,
            net,
            options=RoundsOptions(time_limit=args.day_seconds, iterations=it, seed=args.seed),
        )
        t_sc = time.perf_counter() - t0
        moved_sc = int(compare_rounds(day, scratch, vd).moved.sum())
        started = dv[dv.start < t][["carer_id", "visit_id", "start", "end"]]
        kept = again.itineraries.merge(started, how="inner")
        same = "all kept" if len(kept) == len(started) else f"{len(started) - len(kept)} changed"
        moved_re = again.kpis["replan"]["visits_moved"]
        for name, r, moved, sec in (
            (f"re-plan, {absent} off at {now}", again, moved_re, t_re),
            (f"from scratch without {absent}", scratch, moved_sc, t_sc),
        ):
            verdict = "ok" if not r.check() else "VIOLATIONS"
            extra = f", {len(started)} started: {same}" if r is again else ""
            print(
                f"{name:<28}{moved:>6}{r.kpis['travel_minutes']:>11.0f}"
                f"{r.kpis['visits_unserved']:>9}{sec:>7.1f}  {verdict}{extra}"
            )
        print(
            f"  re-plan / scratch: moved {moved_re / max(moved_sc, 1):.2f}, travel "
            f"{again.kpis['travel_minutes'] / scratch.kpis['travel_minutes']:.3f}; "
            f"{again.kpis['replan']['visits_moved_carer']} changed carer"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
