"""Sequential pairs: a second visit by another carer within a gap after the first.

Small instances made by hand with their travel matrix (the carers' homes first, then the
visits), so that each plan can be checked by hand; the visits file's pair columns; the
checker's rule; and one instance of the HHCRSP benchmark.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from carezones import RoundsOptions, ValidationError, WeekOptions, plan_week
from carezones._data import shared_file
from carezones.errors import ArgumentError
from carezones.io import read_hhcrsp
from carezones.rounds import plan_rounds, read_carers, read_visits, replan_rounds
from carezones.rounds.checker import check_rounds
from carezones.rounds.faces import DayPlan, fewer_faces
from carezones.rounds.model import eligible
from carezones.rounds.pairs import Link, Pairs, pairs_from_tables
from carezones.rounds.rescue import rescue
from carezones.rounds.schedule import Day, fill, repair, simulate

HHCRSP = shared_file("hhcrsp")
LAT0, LON0 = 52.66, -0.73
FAST = RoundsOptions(iterations=300)


def visits_of(rows: list[dict]) -> pd.DataFrame:
    """Visits in the file's layout (times HH:MM), all at one place."""
    base = {"lat": LAT0, "lon": LON0, "carers_required": 1, "skills": ""}
    return pd.DataFrame([{**base, "client_id": r["visit_id"], **r} for r in rows])


def carers_of(n: int, start: str = "08:00", end: str = "12:00") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "carer_id": [f"K{i + 1}" for i in range(n)],
            "lat": LAT0,
            "lon": LON0,
            "shift_start": start,
            "shift_end": end,
            "skills": "",
        }
    )


def matrix(homes: list[float], n_visits: int, among: float = 0.0) -> np.ndarray:
    """Minutes: each home ``homes[i]`` from every visit, the visits ``among`` apart."""
    n_c = len(homes)
    T = np.full((n_c + n_visits, n_c + n_visits), among)
    for i, h in enumerate(homes):
        T[i, n_c:] = T[n_c:, i] = h
    T[:n_c, :n_c] = 60.0
    np.fill_diagonal(T, 0.0)
    return T


def starts_of(r) -> dict[str, tuple[str, float, float]]:
    """Visit -> (carer, start, end) of a plan whose visits need one carer each."""
    it = r.itineraries[r.itineraries["kind"] == "visit"]
    return {
        str(v): (str(c), float(s), float(e))
        for v, c, s, e in zip(it.visit_id, it.carer_id, it.start, it.end, strict=True)
    }


# ---------------------------------------------------------------------- planned by hand
def sequential_day():
    """A at 09:00-09:20, B 30-60 min after A; K1 lives 10 min away, K2 20 min away."""
    visits = visits_of(
        [
            {"visit_id": "A", "window_start": "09:00", "window_end": "09:20"},
            {
                "visit_id": "B",
                "window_start": "09:00",
                "window_end": "11:00",
                "after_visit": "A",
                "gap_min_minutes": 30,
                "gap_max_minutes": 60,
            },
        ]
    ).assign(duration_minutes=30)
    return read_visits(visits), read_carers(carers_of(2)), matrix([10.0, 20.0], 2)


def test_a_pair_is_served_by_two_carers_within_its_gap():
    visits, carers, T = sequential_day()
    r = plan_rounds(visits, carers, minutes=T, options=FAST)
    assert r.check() == [] and r.kpis["visits_served"] == 2
    got = starts_of(r)
    (ka, sa, _), (kb, sb, _) = got["A"], got["B"]
    assert ka != kb
    # A starts when its window opens; B, whose carer could be there at 09:00, waits for the
    # least gap: 09:30
    assert (sa, sb) == (540.0, 570.0) and 30 <= sb - sa <= 60


def test_one_carer_makes_both_when_allowed():
    visits, carers, T = sequential_day()
    r = plan_rounds(
        visits, carers, minutes=T, options=RoundsOptions(iterations=300, same_carer_pairs=True)
    )
    got = starts_of(r)
    assert got["A"][0] == got["B"][0] == "K1"  # the nearer carer, there and back once
    assert (got["A"][1], got["B"][1]) == (540.0, 570.0)
    assert r.kpis["travel_minutes"] == 20.0
    assert r.check() == []
    # the same plan breaks the providers' rule
    rules = check_rounds(visits, carers, T, r.itineraries, r.unserved)
    assert [v.rule for v in rules] == ["sequence"] and "the same carer K1" in rules[0].detail


def test_a_gap_of_nothing_starts_two_visits_of_different_lengths_together():
    gap = {"after_visit": "A", "gap_min_minutes": 0, "gap_max_minutes": 0}
    visits = visits_of(
        [
            {"visit_id": "A", "duration_minutes": 30},
            {"visit_id": "B", "duration_minutes": 60, **gap},
        ]
    ).assign(window_start="08:00", window_end="10:00")
    visits, carers = read_visits(visits), read_carers(carers_of(2))
    r = plan_rounds(visits, carers, minutes=matrix([10.0, 25.0], 2), options=FAST)
    assert r.check() == []
    got = starts_of(r)
    # K1 is there at 08:10, K2 at 08:25: both start at 08:25 and end apart
    assert got["A"][1] == got["B"][1] == 505.0 and got["A"][0] != got["B"][0]
    assert (got["A"][2], got["B"][2]) == (535.0, 565.0)


GAP_0_60 = {"after_visit": "A", "gap_min_minutes": 0, "gap_max_minutes": 60}


def test_an_impossible_pair_is_left_out_whole_with_its_cause():
    visits = visits_of(
        [
            {"visit_id": "A", "window_start": "09:00", "window_end": "09:10"},
            {"visit_id": "B", "window_start": "11:00", "window_end": "11:30", **GAP_0_60},
            {"visit_id": "C", "window_start": "09:00", "window_end": "11:00"},
        ]
    ).assign(duration_minutes=30)
    visits, carers = read_visits(visits), read_carers(carers_of(2))
    r = plan_rounds(visits, carers, minutes=matrix([10.0, 20.0], 3, among=5.0), options=FAST)
    assert r.check() == []
    assert set(starts_of(r)) == {"C"}  # never half a pair
    why = r.unserved.set_index("visit_id")
    assert set(why.index) == {"A", "B"} and set(why["cause"]) == {"not_in_sequence"}
    assert "B could not start 0-60 min after A" in why.at["A", "reason"]


def test_a_pair_whose_first_visit_cannot_be_served_is_left_out_whole():
    visits = visits_of(
        [
            {"visit_id": "A", "skills": "nursing"},  # nobody has it
            {"visit_id": "B", "after_visit": "A"},
        ]
    ).assign(window_start="09:00", window_end="10:00", duration_minutes=30)
    visits, carers = read_visits(visits), read_carers(carers_of(2))
    r = plan_rounds(visits, carers, minutes=matrix([10.0, 20.0], 2), options=FAST)
    why = r.unserved.set_index("visit_id")
    assert list(why["cause"]) == ["no_skill", "not_in_sequence"]
    assert why.at["B", "reason"].startswith("paired with A, which is left out: no carer")
    assert r.check() == []


# ---------------------------------------------------------------------- the exact day
def tables(n_visits: int, links: list[tuple[int, int, float, float]]):
    """Visits 0..n-1 (30 min, windows 08:00-17:00), two carers, the given pairs."""
    after = [""] * n_visits
    lo, hi = [np.nan] * n_visits, [np.nan] * n_visits
    for a, b, g0, g1 in links:
        after[b], lo[b], hi[b] = f"V{a}", g0, g1
    visits = pd.DataFrame(
        {
            "visit_id": [f"V{j}" for j in range(n_visits)],
            "window_start": 480.0,
            "window_end": 1020.0,
            "duration_minutes": 30.0,
            "carers_required": 1,
            "after_visit": after,
            "gap_min_minutes": lo,
            "gap_max_minutes": hi,
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": ["K1", "K2"],
            "shift_start": 480.0,
            "shift_end": 1080.0,
            "break_minutes": np.nan,
            "break_window_start": np.nan,
            "break_window_end": np.nan,
            "max_minutes": np.inf,
            "skills": [frozenset()] * 2,
        }
    )
    T = np.full((2 + n_visits, 2 + n_visits), 5.0)
    np.fill_diagonal(T, 0.0)
    return visits, carers, Day.from_tables(visits, carers, T)


def test_the_schedule_pushes_the_second_visit_into_its_gap_and_the_first_later():
    _, _, d = tables(3, [(0, 1, 20.0, 40.0)])
    # K1 makes V2 (08:05, every leg 5 min) then V0 (08:40); K2 could start V1 at 08:05: it
    # waits for the least gap, until 09:00
    starts, _, broken = simulate(d, [[(2, 0), (0, 0)], [(1, 0)]], {})
    assert broken == [] and starts[(0, 0)] == 520.0 and starts[(1, 0)] == 540.0
    # K2 makes V1 after V2, at 08:40: V0, 20 min before it at most, waits until 08:20
    _, _, d = tables(3, [(0, 1, 0.0, 20.0)])
    starts, _, broken = simulate(d, [[(0, 0)], [(2, 0), (1, 0)]], {})
    assert broken == [] and starts[(0, 0)] == 500.0 and starts[(1, 0)] == 520.0
    # the same carer twice breaks the rule; half a pair too
    _, _, d = tables(3, [(0, 1, 0.0, 60.0)])
    _, _, broken = simulate(d, [[(0, 0), (1, 0)], [(2, 0)]], {})
    assert ("sequence", 0, 1) in broken
    _, _, broken = simulate(d, [[(0, 0)], [(2, 0)]], {})
    assert broken == [("sequence", 0, 0)]


def test_repair_breaks_a_cycle_of_pairs_by_leaving_one_pair_out():
    # V0-V1 and V2-V3 together (gap 0-0): K1 makes V0 then V3, K2 makes V2 then V1, so
    # each pair waits for the other: no times keep both
    visits, carers, d = tables(4, [(0, 1, 0.0, 0.0), (2, 3, 0.0, 0.0)])
    routes, _, dropped = repair(visits, carers, d, [[(0, 0), (3, 0)], [(2, 0), (1, 0)]])
    assert len(dropped) == 2 and set(dropped) in ({0, 1}, {2, 3})
    assert {why.cause.value for why in dropped.values()} == {"not_in_sequence"}
    assert sum(len(r) for r in routes) == 2 and simulate(d, routes, {})[2] == []


def test_fill_inserts_both_visits_of_a_pair():
    visits, carers, d = tables(3, [(0, 2, 45.0, 60.0)])
    ok = eligible(visits.assign(skills=[frozenset()] * 3), carers)
    routes, _ = fill(d, ok, carers["carer_id"].to_numpy(), [[(1, 0)], []], {}, [0, 2])
    where = {q[0]: c for c, r in enumerate(routes) for q in r}
    assert {0, 2} <= set(where) and where[0] != where[2]
    starts, _, broken = simulate(d, routes, {})
    assert broken == [] and 45 <= starts[(2, 0)] - starts[(0, 0)] <= 60


def test_making_room_serves_a_pair_left_out():
    # three visits at 09:00 (give or take five minutes): S, then the pair A-B together. Only
    # K1 may make A and only K2 B; K1 makes S, which K3 may make too
    T = np.full((6, 6), 5.0)
    np.fill_diagonal(T, 0.0)
    three, nan = np.ones(3), np.full(3, np.nan)
    d = Day(
        T,
        3,
        ws=540.0 * three,
        we=545.0 * three,
        dur=30.0 * three,
        req=np.ones(3, dtype=int),
        ss=480.0 * three,
        se=720.0 * three,
        bm=nan,
        bws=nan,
        bwe=nan,
        mx=np.inf * three,
        pairs=Pairs((Link(1, 2, 0.0, 0.0),), ("K1", "K2", "K3")),
    )
    ok = np.array([[True, True, False], [False, False, True], [True, False, False]])
    ids = np.array(["K1", "K2", "K3"])
    routes, breaks = fill(d, ok, ids, [[(0, 0)], [], []], {}, [1, 2])
    assert routes == [[(0, 0)], [], []]  # no round has room for A
    routes, _ = rescue(d, ok, ids, routes, breaks, [1, 2])
    assert routes == [[(1, 0)], [(2, 0)], [(0, 0)]]  # S goes to K3, A and B together
    assert simulate(d, routes, {})[2] == []


def test_fewer_faces_leaves_a_pair_where_it_is():
    # K1 makes the pair's first visit, K2 its second and the client's other visit: handing
    # the first to K2 would save a face, but a pair's visits stay with their carers
    visits, carers, d = tables(3, [(0, 1, 0.0, 300.0)])
    visits["client_id"] = "C"
    routes = [[(0, 0)], [(1, 0), (2, 0)]]
    day = DayPlan(visits, carers, d, routes, {}, np.ones((2, 3), dtype=bool))
    assert fewer_faces({"Mon": day}, weight=100.0) == set() and day.routes == routes


def test_pairs_made_by_hand_are_checked():
    visits, carers, _ = tables(2, [(0, 1, 0.0, 10.0)])
    assert pairs_from_tables(visits, carers).links == (Link(0, 1, 0.0, 10.0),)
    assert Pairs((Link(0, 1, 0.0, 10.0),), ("K1", "K1")).apart(0, 1) is False
    with pytest.raises(ArgumentError, match="not a visit of the day"):
        pairs_from_tables(visits.assign(after_visit=["", "V9"]), carers)
    with pytest.raises(ArgumentError, match="gap of 20-10"):
        pairs_from_tables(visits.assign(gap_min_minutes=[np.nan, 20.0]), carers)


# ---------------------------------------------------------------------- the checker
def test_the_checker_finds_a_gap_broken_and_half_a_pair():
    visits, carers, T = sequential_day()
    r = plan_rounds(visits, carers, minutes=T, options=FAST)
    assert r.check() == []
    it = r.itineraries.copy()
    late = it.index[it["visit_id"] == "B"]
    it.loc[late, ["arrival", "start", "end"]] += 40  # 70 min after A
    rules = check_rounds(visits, carers, T, it, r.unserved)
    assert any(v.rule == "sequence" and "outside its gap of 30-60" in v.detail for v in rules)
    # B's carer's round taken out and B listed unserved: A is half a pair
    kb = starts_of(r)["B"][0]
    half = r.itineraries[r.itineraries["carer_id"] != kb]
    unserved = pd.DataFrame({"visit_id": ["B"], "reason": ["x"], "cause": ["no_room"]})
    rules = check_rounds(visits, carers, T, half, unserved)
    assert [v.rule for v in rules] == ["sequence"] and "B, its pair, is not" in rules[0].detail


# ---------------------------------------------------------------------- the visits file
def test_read_visits_refuses_bad_pairs_naming_each_row():
    v = visits_of(
        [
            {"visit_id": "V1"},
            {"visit_id": "V2", "after_visit": "V9"},  # no such visit
            {"visit_id": "V3", "after_visit": "V3"},  # itself
            {"visit_id": "V4", "after_visit": "V1", "gap_min_minutes": 60, "gap_max_minutes": 30},
            {"visit_id": "V5", "after_visit": "V1"},  # V1 is followed by V4 already
            {"visit_id": "V6", "carers_required": 2},
            {"visit_id": "V7", "after_visit": "V6"},  # a double-handed visit
            {"visit_id": "V8", "gap_max_minutes": 30},  # a gap, no after_visit
            {"visit_id": "V9x", "after_visit": "V8", "gap_min_minutes": -5},
        ]
    ).assign(window_start="09:00", window_end="10:00", duration_minutes=30)
    with pytest.raises(ValidationError) as err:
        read_visits(v)
    got = {(int(p.row), p.column) for p in err.value.problems.itertuples()}
    assert {
        (2, "after_visit"),
        (3, "after_visit"),
        (4, "gap_max_minutes"),
        (5, "after_visit"),
        (7, "after_visit"),
        (8, "gap_max_minutes"),
        (9, "gap_min_minutes"),
    } <= got
    reasons = " | ".join(err.value.problems["reason"])
    assert "no visit V9 in the file" in reasons and "a visit cannot follow itself" in reasons
    assert "already followed by V4" in reasons and "needs 2 carers" in reasons
    assert "a gap, but after_visit is blank" in reasons


def test_read_visits_keeps_a_pair_whole_and_on_one_day():
    v = visits_of(
        [
            {"visit_id": "V1", "duration_minutes": 0, "day": "Mon"},  # rejected
            {"visit_id": "V2", "after_visit": "V1", "day": "Mon"},
            {"visit_id": "V3", "day": "Mon"},
            {"visit_id": "V4", "after_visit": "V3", "day": "Tue"},
        ]
    ).assign(window_start="09:00", window_end="10:00")
    v["duration_minutes"] = v["duration_minutes"].fillna(30)
    got = read_visits(v, errors="collect")
    assert len(got.valid) == 1 and got.valid["visit_id"].tolist() == ["V3"]
    reasons = " | ".join(got.rejected["reason"])
    assert "its pair's other visit, V1, is rejected" in reasons
    assert "visit V3 is on another day (Mon)" in reasons


def test_read_visits_reads_the_gaps():
    v = visits_of(
        [{"visit_id": "V1"}, {"visit_id": "V2", "after_visit": "V1"}, {"visit_id": "V3"}]
    ).assign(window_start="09:00", window_end="10:00", duration_minutes=30)
    got = read_visits(v)
    assert got["after_visit"].tolist() == ["", "V1", ""]
    assert got["gap_min_minutes"][1] == 0 and math.isinf(got["gap_max_minutes"][1])
    assert got["gap_min_minutes"][[0, 2]].isna().all()
    assert "after_visit" not in read_visits(v.drop(columns=["after_visit"]))


# ---------------------------------------------------------------------- the rest of the engine
GAP_30_60 = {"after_visit": "A", "gap_min_minutes": 30, "gap_max_minutes": 60}


def test_letting_a_carer_go_moves_a_pair_whole():
    v = visits_of(
        [
            {"visit_id": "A", "window_start": "09:00", "window_end": "09:30"},
            {"visit_id": "B", "window_start": "09:00", "window_end": "11:00", **GAP_30_60},
            {"visit_id": "C", "window_start": "10:30", "window_end": "11:30"},
        ]
    ).assign(duration_minutes=30)
    visits, carers = read_visits(v), read_carers(carers_of(3))
    opts = RoundsOptions(iterations=300, let_go=3)
    r = plan_rounds(visits, carers, minutes=matrix([10.0, 15.0, 20.0], 3, 5.0), options=opts)
    assert r.check() == [] and r.kpis["visits_served"] == 3
    assert r.kpis["carers_used"] == 2  # a pair needs two carers


def test_a_week_keeps_every_pair_in_sequence():
    v = visits_of(
        [
            {"visit_id": f"A{day}", "window_start": "09:00", "window_end": "09:20"}
            for day in ("Mon", "Tue")
        ]
        + [
            {"visit_id": f"B{day}", "window_start": "09:00", "window_end": "11:00", **GAP_30_60}
            | {"after_visit": f"A{day}"}
            for day in ("Mon", "Tue")
        ]
    ).assign(duration_minutes=30, day=["Mon", "Tue", "Mon", "Tue"], client_id="C1")
    visits, carers = read_visits(v), read_carers(carers_of(2))
    opts = WeekOptions(iterations=200, workers=1)
    week = plan_week(visits, carers, minutes=matrix([10.0, 20.0], 4), options=opts)
    assert week.check() == [] and week.kpis["visits_served"] == 4
    for r in week.days.values():
        got = starts_of(r)
        (ka, sa, _), (kb, sb, _) = sorted(got.values(), key=lambda x: x[1])  # A, then B
        assert ka != kb and 30 <= sb - sa <= 60


def test_a_replan_keeps_the_second_visit_in_sequence_with_a_first_that_started():
    visits, carers, _ = sequential_day()
    carers = read_carers(carers_of(3))
    T = matrix([10.0, 20.0, 30.0], 2)
    r = plan_rounds(visits, carers, minutes=T, options=FAST)
    kb = starts_of(r)["B"][0]
    later = replan_rounds(r, visits, carers, minutes=T, now="09:10", unavailable=[kb], options=FAST)
    assert later.check() == []
    got = starts_of(later)
    assert got["A"][:2] == starts_of(r)["A"][:2]  # started: kept as it was
    assert got["B"][0] not in (kb, got["A"][0]) and 30 <= got["B"][1] - got["A"][1] <= 60
    # with two carers, no one is left to follow A: B is listed, A stays (it has started)
    carers = carers.iloc[:2]
    T = matrix([10.0, 20.0], 2)
    r = plan_rounds(visits, carers, minutes=T, options=FAST)
    kb = starts_of(r)["B"][0]
    later = replan_rounds(r, visits, carers, minutes=T, now="09:10", unavailable=[kb], options=FAST)
    assert later.check() == [] and set(starts_of(later)) == {"A"}
    assert later.unserved["cause"].tolist() == ["not_in_sequence"]
    assert "no other carer works" in later.unserved["reason"][0]


def test_the_timeline_links_the_two_visits_of_a_pair():
    visits, carers, T = sequential_day()
    page = plan_rounds(visits, carers, minutes=T, options=FAST).to_timeline().html
    assert page.count('data-link="pair A"') == 2 and 'class="link along"' in page
    assert "sequential pair: after A (30-60 min)" in page


def test_without_pairs_the_day_is_planned_as_before():
    """A day with double-handed visits planned exactly as before pairs existed."""
    from tests.test_rounds import day
    from tests.test_rounds import matrix as road_minutes

    v, c = day(16, 4, 3)
    visits, carers = read_visits(v), read_carers(c)
    opts = RoundsOptions(iterations=300, let_go=1)
    r = plan_rounds(visits, carers, minutes=road_minutes(visits, carers), options=opts)
    it = r.itineraries[r.itineraries["kind"] != "start"]
    got = [(a, b, round(s, 2)) for a, b, s in zip(it.carer_id, it.visit_id, it.start, strict=True)]
    assert got == MAIN_BEFORE_PAIRS and r.unserved.empty


# the itineraries main gave for that day (carer, visit, start; "" a break or the end)
MAIN_BEFORE_PAIRS = [
    ("K0", "V2", 432.41),
    ("K0", "V9", 497.27),
    ("K0", "V13", 533.1),
    ("K0", "V11", 573.79),
    ("K0", "", 690.0),
    ("K0", "V7", 751.0),
    ("K0", "", 815.77),
    ("K1", "V4", 447.0),
    ("K1", "V15", 515.79),
    ("K1", "V14", 566.62),
    ("K1", "", 690.0),
    ("K1", "", 733.73),
    ("K2", "V3", 432.28),
    ("K2", "V1", 477.93),
    ("K2", "V10", 554.45),
    ("K2", "", 690.0),
    ("K2", "V12", 734.49),
    ("K2", "V6", 1073.0),
    ("K2", "", 1103.94),
    ("K3", "V3", 432.28),
    ("K3", "V8", 479.89),
    ("K3", "V10", 554.45),
    ("K3", "", 690.0),
    ("K3", "V5", 1043.0),
    ("K3", "V0", 1079.97),
    ("K3", "", 1125.8),
]


# ---------------------------------------------------------------------- the benchmark
@pytest.mark.skipif(HHCRSP is None, reason="hhcrsp/ not found in ../shared/data or $CAREZONES_DATA")
@pytest.mark.parametrize("same_carer", [True, False])
def test_every_pair_of_a_benchmark_instance_is_kept_in_sequence(same_carer):
    inst = read_hhcrsp(HHCRSP / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json")
    visits = inst.visits  # the windows close softly: max_late_minutes is inf
    opts = RoundsOptions(
        iterations=500, same_carer_pairs=same_carer, late_cost=1.0, worst_late_cost=1.0
    )
    r = plan_rounds(visits, inst.carers, minutes=inst.planning_minutes(), options=opts)
    assert r.check() == [] and r.kpis["visits_served"] == len(visits)
    got = starts_of(r)
    pairs = visits[visits["after_visit"] != ""]
    assert len(pairs) == 3
    for second, first, lo, hi in zip(
        pairs.visit_id, pairs.after_visit, pairs.gap_min_minutes, pairs.gap_max_minutes, strict=True
    ):
        (ka, sa, _), (kb, sb, _) = got[first], got[second]
        assert lo - 1e-6 <= sb - sa <= hi + 1e-6
        assert same_carer or ka != kb
