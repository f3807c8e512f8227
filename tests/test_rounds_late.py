"""Soft windows: a visit may start after its window closes, up to a limit, at a cost."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from carezones import RoundsOptions, ValidationError
from carezones.errors import ArgumentError
from carezones.rounds import plan_rounds, read_carers, read_visits
from carezones.rounds.checker import check_rounds
from carezones.rounds.late import LATE_TIERS, late_limits, tiers, with_late_limits
from carezones.rounds.model import Weights, copy_clients
from carezones.rounds.schedule import Day, day_cost

from .test_rounds import LAT0, LON0, day, matrix

OPTS = RoundsOptions(iterations=300, seed=0)


def visits_table(rows: list[tuple[str, str, str, int]], late=None) -> pd.DataFrame:
    """Visits ``(id, window_start, window_end, minutes)``; coordinates do not matter."""
    v = pd.DataFrame(
        {
            "visit_id": [r[0] for r in rows],
            "lat": LAT0,
            "lon": LON0,
            "window_start": [r[1] for r in rows],
            "window_end": [r[2] for r in rows],
            "duration_minutes": [r[3] for r in rows],
        }
    )
    if late is not None:
        v["max_late_minutes"] = late
    return v


def carers_table(ids: list[str]) -> pd.DataFrame:
    """Shifts of 08:00-12:00 without a break."""
    return pd.DataFrame(
        {"carer_id": ids, "lat": LAT0, "lon": LON0, "shift_start": "08:00", "shift_end": "12:00"}
    )


# One carer, home at 08:00. A opens 08:00-08:10 for an hour, B 08:30-08:40 for half an hour;
# each 10 minutes from home and from each other. A then B: A starts 08:10, ends 09:10, B
# starts 09:20, 40 minutes after it closes. B then A: B 08:30-09:00, A at 09:10, 60 late.
TWO = [("A", "08:00", "08:10", 60), ("B", "08:30", "08:40", 30)]
TWO_MINUTES = np.array([[0, 10, 10], [10, 0, 10], [10, 10, 0]], dtype=float)


def plan_two(options: RoundsOptions, late=None):
    visits = read_visits(visits_table(TWO, late))
    carers = read_carers(carers_table(["K1"]))
    return plan_rounds(visits, carers, minutes=TWO_MINUTES, options=options)


def visit_rows(rounds) -> pd.DataFrame:
    it = rounds.itineraries
    return it[it.kind == "visit"].set_index("visit_id")


def test_a_visit_out_of_reach_in_its_window_is_served_late_when_allowed():
    hard = plan_two(OPTS)
    assert hard.kpis["visits_served"] == 1 and len(hard.unserved) == 1
    assert hard.kpis["visits_late"] == 0 and hard.kpis["late_minutes_total"] == 0.0
    assert hard.kpis["late_minutes_worst"] == 0.0
    assert (hard.itineraries["late_minutes"] == 0).all() and hard.check() == []

    soft = plan_two(replace(OPTS, max_late_minutes=math.inf, late_cost=1.0))
    assert soft.unserved.empty and soft.check() == []
    got = visit_rows(soft)
    assert list(got.index) == ["A", "B"]
    assert got.at["A", "start"] == 490.0 and got.at["A", "late_minutes"] == 0.0
    assert got.at["B", "start"] == 560.0 and got.at["B", "late_minutes"] == 40.0
    k = soft.kpis
    assert (k["visits_late"], k["late_minutes_total"], k["late_minutes_worst"]) == (1, 40.0, 40.0)
    assert "1 started late" in soft.summary()
    # the visit's own limit wins over the option's default (A keeps its hard window)
    own = plan_two(OPTS, late=["", "45"])
    assert own.unserved.empty and visit_rows(own).at["B", "late_minutes"] == 40.0
    assert own.check() == []


def test_a_limit_below_the_lateness_needed_keeps_the_visit_unserved():
    # B may be 30 minutes late (its own limit), A too (the default): neither order fits
    short = plan_two(replace(OPTS, max_late_minutes=30.0, late_cost=1.0), late=["", "30"])
    assert short.kpis["visits_served"] == 1 and len(short.unserved) == 1
    assert short.kpis["visits_late"] == 0 and short.check() == []
    enough = plan_two(replace(OPTS, max_late_minutes=40.0))
    assert enough.unserved.empty and enough.check() == []
    assert enough.kpis["late_minutes_worst"] == pytest.approx(40.0)


def test_late_cost_prefers_an_on_time_carer_for_some_more_travel():
    # K1 lives 5 minutes from W (08:00-08:10, an hour) and V (08:00-08:20, half an hour),
    # 5 apart; K2 lives 20 from V. K1 making both drives 15 minutes but starts one of them at
    # least 30 minutes late; K2 making V keeps both on time for 50 minutes of travel.
    v = read_visits(visits_table([("W", "08:00", "08:10", 60), ("V", "08:00", "08:20", 30)]))
    c = read_carers(carers_table(["K1", "K2"]))
    T = np.array(
        [[0, 30, 5, 5], [30, 0, 25, 20], [5, 25, 0, 5], [5, 20, 5, 0]],
        dtype=float,
    )
    free = plan_rounds(v, c, minutes=T, options=replace(OPTS, max_late_minutes=math.inf))
    assert free.unserved.empty and free.check() == []
    assert free.kpis["travel_minutes"] == 15.0 and free.kpis["late_minutes_total"] >= 30.0
    # 2 minutes of travel per minute late: 15 + 2 x 30 = 75 > 50, so on time
    costly = replace(OPTS, max_late_minutes=math.inf, late_cost=2.0)
    on_time = plan_rounds(v, c, minutes=T, options=costly)
    assert on_time.unserved.empty and on_time.check() == []
    assert on_time.kpis["visits_late"] == 0 and on_time.kpis["travel_minutes"] == 50.0
    assert visit_rows(on_time).at["V", "carer_id"] == "K2"
    # 1 minute of travel per minute late: 15 + 30 = 45 < 50, so late (V first, W 30 late)
    cheap = plan_rounds(v, c, minutes=T, options=replace(costly, late_cost=1.0))
    assert cheap.kpis["travel_minutes"] == 15.0 and cheap.kpis["late_minutes_total"] == 30.0


def test_the_checker_allows_lateness_up_to_the_limit_and_no_more():
    r = plan_two(replace(OPTS, max_late_minutes=math.inf, late_cost=1.0))
    assert r.visits["max_late_minutes"].tolist() == [math.inf, math.inf]  # the default, kept

    def rules(limits, itin=None):
        visits = r.visits.assign(max_late_minutes=limits)
        it = r.itineraries if itin is None else itin
        return {v.rule for v in check_rounds(visits, r.carers, r.minutes, it, r.unserved)}

    assert rules([0.0, 40.0]) == set()
    assert rules([0.0, 39.0]) == {"window"}
    assert rules([0.0, np.nan]) == {"window"}  # blank: a hard window
    assert {
        v.rule
        for v in check_rounds(
            r.visits.drop(columns="max_late_minutes"),
            r.carers,
            r.minutes,
            r.itineraries,
            r.unserved,
        )
    } == {"window"}
    message = str(
        check_rounds(
            r.visits.assign(max_late_minutes=[0.0, 30.0]),
            r.carers,
            r.minutes,
            r.itineraries,
            r.unserved,
        )[0]
    )
    assert "40.0 min late, 30 allowed" in message
    wrong = r.itineraries.copy()
    wrong.loc[wrong.visit_id == "B", "late_minutes"] = 10.0
    assert rules([0.0, 40.0], wrong) == {"lateness"}
    early = r.itineraries.copy()
    early.loc[early.visit_id == "A", ["start", "end"]] -= 20.0  # before the window opens
    assert "window" in rules([60.0, 60.0], early)


def test_the_run_sheet_and_files_show_the_lateness(tmp_path):
    r = plan_two(replace(OPTS, max_late_minutes=math.inf, late_cost=1.0))
    r.to_files(tmp_path / "day")
    it = pd.read_csv(tmp_path / "day" / "itineraries.csv")
    assert it.set_index("visit_id").at["B", "late_minutes"] == 40.0
    sheets = "".join(p.read_text() for p in (tmp_path / "day").rglob("*.html"))
    assert "40 min late" in sheets and "started 40 min after its window closed" in sheets


def test_default_options_plan_exactly_as_before():
    # the rounds main planned for this day before soft windows (the same seed and iterations)
    v, c = day(22, 2, seed=1)
    visits, carers = read_visits(v), read_carers(c)
    r = plan_rounds(
        visits,
        carers,
        minutes=matrix(visits, carers),
        options=RoundsOptions(iterations=400, seed=2),
    )
    it = r.itineraries[r.itineraries.kind == "visit"]
    got = {k: list(g.visit_id) for k, g in it.groupby("carer_id")}
    assert got == {
        "K0": ["V18", "V19", "V9", "V14", "V17", "V16", "V20", "V7", "V2"],
        "K1": ["V4", "V12", "V0", "V17", "V1", "V6", "V13"],
    }
    assert sorted(r.unserved.visit_id) == ["V10", "V11", "V15", "V21", "V3", "V5", "V8"]
    assert r.kpis["travel_minutes"] == pytest.approx(113.6731, abs=1e-4)
    assert "max_late_minutes" not in r.visits and r.kpis["visits_late"] == 0
    # and the search is given the same problem: one client per visit copy, no groups
    columns = {
        n: visits[n].to_numpy()
        for n in ("window_start", "window_end", "carers_required", "duration_minutes")
    }
    copies = [(j, 0) for j in range(len(visits))]
    for limits in (late_limits(visits), np.full(len(visits), 0.0)):
        clients, owner, groups = copy_clients(
            columns, copies, {}, 1, (Weights(late_cost=5.0), limits)
        )
        assert len(clients) == len(copies) and owner == list(range(len(copies)))
        assert groups == [] and all(c.group is None for c in clients)


def test_late_copies_are_steps_of_one_group_worth_less_the_later():
    steps = tiers(math.inf, 1.0, 1.0)
    assert [a for a, _ in steps] == [0.0, *LATE_TIERS, math.inf]
    costs = [c for _, c in steps]
    assert costs == sorted(costs) and costs[0] == 0.0
    diffs = np.diff(costs) / np.diff([0.0, *LATE_TIERS, 2 * LATE_TIERS[-1]])
    assert (np.diff(diffs) > 0).all()  # convex: each minute late costs more than the last
    assert tiers(10.0, 1.0, 0.0) == [(0.0, 0.0), (5.0, 5.0), (10.0, 10.0)]
    assert tiers(0.0, 1.0, 1.0) == [(0.0, 0.0)]
    v = read_visits(visits_table(TWO, ["", "20"]))
    columns = {
        n: v[n].to_numpy()
        for n in ("window_start", "window_end", "carers_required", "duration_minutes")
    }
    clients, owner, groups = copy_clients(
        columns, [(0, 0), (1, 0)], {}, 1, (Weights(late_cost=1.0), late_limits(v))
    )
    assert owner == [0, 1, 1, 1, 1, 1] and groups == [[1, 2, 3, 4, 5]]
    assert [c.tw_late for c in clients[1:]] == [t * 60 for t in (520, 525, 530, 535, 540)]
    assert [c.prize for c in clients[1:]] == [clients[0].prize - s * 60 for s in (0, 5, 10, 15, 20)]
    assert {c.tw_early for c in clients[1:]} == {510 * 60} and clients[0].group is None
    # pinned copies (a double-handed visit's start) stay one client
    clients, owner, groups = copy_clients(
        columns, [(0, 0), (1, 0)], {(1, 0): 530.0}, 1, (Weights(late_cost=1.0), late_limits(v))
    )
    assert len(clients) == 2 and groups == []


def test_the_day_cost_weighs_total_and_worst_lateness():
    v = read_visits(visits_table(TWO, [math.inf, math.inf]))
    c = read_carers(carers_table(["K1"]))
    d = Day.from_tables(v, c, TWO_MINUTES)
    routes = [[(0, 0), (1, 0)]]  # B 40 minutes late
    assert day_cost(d, routes, 0.0, 0.0) == 30.0
    assert day_cost(d, routes, 1.0, 0.0) == 70.0
    assert day_cost(d, routes, 1.0, 2.0) == 150.0
    assert day_cost(d, [[(1, 0), (0, 0)]], 1.0, 2.0) == 30.0 + 60.0 + 120.0


def test_read_visits_reads_and_refuses_max_late_minutes():
    rows = [(f"V{i}", "08:00", "09:00", 30) for i in range(6)]
    cells = ["", "15", "inf", " Unlimited ", "-5", "soon"]
    got = read_visits(visits_table(rows, cells), errors="collect")
    assert got.valid["max_late_minutes"].tolist()[1:] == [15.0, math.inf, math.inf]
    assert np.isnan(got.valid["max_late_minutes"].iat[0])
    assert len(got.rejected) == 2
    text = got.rejected.to_string()
    assert "max_late_minutes" in text and "inf for no limit" in text
    assert "less than 0" in text and "not a number" in text
    with pytest.raises(ValidationError, match="max_late_minutes"):
        read_visits(visits_table(rows, cells))
    # without the column nothing is added; numbers straight from a table are read as well
    assert "max_late_minutes" not in read_visits(visits_table(rows))
    floats = read_visits(visits_table(rows[:2], [np.inf, 3.0]))
    assert floats["max_late_minutes"].tolist() == [math.inf, 3.0]


def test_the_limits_default_to_the_option_and_the_options_are_checked():
    v = pd.DataFrame({"max_late_minutes": [np.nan, 5.0]})
    assert with_late_limits(v, 12.0)["max_late_minutes"].tolist() == [12.0, 5.0]
    assert late_limits(pd.DataFrame({"x": [1, 2]})).tolist() == [0.0, 0.0]
    assert RoundsOptions(max_late_minutes=math.inf).max_late_minutes == math.inf
    assert RoundsOptions(late_cost=2).late_cost == 2.0
    for bad in ({"max_late_minutes": -1}, {"late_cost": math.nan}, {"worst_late_cost": -0.5}):
        with pytest.raises(ArgumentError, match=next(iter(bad))):
            RoundsOptions(**bad)


def test_the_command_line_takes_the_lateness_options():
    from carezones.cli import parser

    base = ["rounds", "--osm", "x.osm", "--visits", __file__, "--carers", __file__, "--out", "o"]
    args = parser().parse_args(
        [*base, "--max-late-minutes", "inf", "--late-cost", "1", "--worst-late-cost", "0.5"]
    )
    assert (args.max_late_minutes, args.late_cost, args.worst_late_cost) == (math.inf, 1.0, 0.5)
    plain = parser().parse_args(base)
    assert (plain.max_late_minutes, plain.late_cost, plain.worst_late_cost) == (0.0, 0.0, 0.0)
    with pytest.raises(SystemExit):
        parser().parse_args(["rounds", "--max-late-minutes", "-3"])


def test_a_replan_serves_late_a_visit_whose_window_closed_before_it_within_the_limit():
    from carezones.rounds import replan_rounds

    earlier = plan_two(OPTS)  # hard windows: B served 08:30-09:00, A left out
    assert list(visit_rows(earlier).index) == ["B"]
    v, c = read_visits(visits_table(TWO)), read_carers(carers_table(["K1"]))

    def replan(limit: float):
        return replan_rounds(
            earlier,
            v,
            c,
            minutes=TWO_MINUTES,
            now="08:45",
            options=replace(OPTS, max_late_minutes=limit),
        )

    late = replan(60.0)  # A closed at 08:10; after B the carer reaches it at 09:10
    assert late.unserved.empty and late.check() == []
    assert visit_rows(late).at["A", "late_minutes"] == 60.0 and late.kpis["visits_late"] == 1
    short = replan(30.0)
    assert list(short.unserved.visit_id) == ["A"] and short.check() == []


def test_soft_windows_never_serve_fewer_than_the_hard_plan_of_the_same_day():
    from .test_rounds import day

    v, c = day(n_visits=40, n_carers=3, seed=2)
    visits, carers = read_visits(v), read_carers(c)
    T = matrix(visits, carers)
    hard = plan_rounds(visits, carers, minutes=T, options=OPTS)
    assert hard.kpis["visits_unserved"] > 0  # a tight day: the case this guards
    soft = plan_rounds(
        visits, carers, minutes=T, options=replace(OPTS, max_late_minutes=20, late_cost=1.0)
    )
    assert soft.kpis["visits_served"] >= hard.kpis["visits_served"]
    assert soft.check() == []


def tight_day():
    """A generated day too tight for its two carers (breaks, double-handed visits, skills).

    Hard windows leave 3 of its 15 visits out; the soft-window search alone (up to 30
    minutes late) serves no more, and offering the hard plan's left-out visits their
    lateness serves one of them.
    """
    from .test_rounds import day

    v, c = day(n_visits=15, n_carers=2, seed=2)
    visits, carers = read_visits(v), read_carers(c)
    return visits, carers, matrix(visits, carers)


def test_soft_windows_serve_visits_the_hard_plan_leaves_out():
    visits, carers, T = tight_day()
    hard = plan_rounds(visits, carers, minutes=T, options=OPTS)
    assert hard.kpis["visits_unserved"] > 0 and hard.check() == []
    soft_opts = replace(OPTS, max_late_minutes=30, late_cost=1.0, worst_late_cost=1.0)
    soft = plan_rounds(visits, carers, minutes=T, options=soft_opts)
    assert soft.check() == []
    assert soft.kpis["visits_served"] > hard.kpis["visits_served"]
    assert soft.kpis["visits_late"] > 0 and 0 < soft.kpis["late_minutes_worst"] <= 30.0
    served_late = set(visit_rows(soft).index) - set(visit_rows(hard).index)
    assert served_late & set(hard.unserved.visit_id)
    # the same plan again: deterministic
    again = plan_rounds(visits, carers, minutes=T, options=soft_opts)
    pd.testing.assert_frame_equal(again.itineraries, soft.itineraries)


def test_left_out_visits_are_offered_their_lateness_on_the_exact_schedule():
    from carezones.rounds.schedule import lateness, schedule, simulate
    from carezones.rounds.search import DayData, offer_lateness, solve_day

    visits, carers, T = tight_day()
    data = DayData(visits, carers, None, T)
    hard = solve_day(data, OPTS)
    before = {j for r in hard.routes for j, _ in r}
    assert offer_lateness(data, hard, OPTS) is None  # hard windows: nothing more to offer
    got = offer_lateness(data, hard, replace(OPTS, max_late_minutes=30.0))
    assert got is not None
    after = {j for r in got.routes for j, _ in r}
    assert before < after  # the hard plan's visits all kept, and more
    assert schedule(got.d, got.routes)[2] == []  # breaks, partners and shifts all kept
    late = lateness(got.d, simulate(got.d, got.routes, got.breaks)[0])
    assert 0 < max(late.values()) <= 30.0
    assert set(got.reasons) == set(range(len(visits))) - after  # a reason for each left out
    # a visit's own limit wins over the default: none may be late, nothing changes
    soft = replace(OPTS, max_late_minutes=30.0)
    own = replace(data, visits=data.visits.assign(max_late_minutes=0.0))
    assert offer_lateness(own, hard, soft) is None
    assert offer_lateness(data, hard, replace(soft, fill=False)) is None


def test_the_improvement_phase_counts_visits_not_carers_copies():
    """Costing lateness on a hard-window day runs the improvement phase; it must never trade
    visits for double-handed ones (two carers' copies of one visit). It did: 12 -> 10 here."""
    visits, carers, T = tight_day()
    plain = plan_rounds(visits, carers, minutes=T, options=OPTS)
    weighed = replace(OPTS, max_late_minutes=0.0, late_cost=1.0, worst_late_cost=1.0)
    improved = plan_rounds(visits, carers, minutes=T, options=weighed)
    assert improved.check() == []
    assert improved.kpis["visits_served"] >= plain.kpis["visits_served"]
