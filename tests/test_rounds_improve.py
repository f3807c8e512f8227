"""Improving the rounds on the exact objective (ruin and recreate) after the search.

Hand-checked days built as arrays (:class:`~carezones.rounds.schedule.Day`), the benchmark's
rules on one instance of each set (pairs kept in their gaps, the checker clean, the same
rounds for a seed with ``iterations``), and a provider's default day left as the search made it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from carezones import RoundsOptions
from carezones._data import shared_file
from carezones.errors import ArgumentError
from carezones.io import read_hhcrsp
from carezones.rounds import plan_rounds
from carezones.rounds.hhcrsp import hhcrsp_options, solve_hhcrsp
from carezones.rounds.improve import Budget, extra_costs, improve, worth_improving
from carezones.rounds.pairs import Link, Pairs
from carezones.rounds.schedule import Day, day_cost, simulate

HHCRSP = shared_file("hhcrsp")
NO_DATA = "hhcrsp/ not found in ../shared/data or $CAREZONES_DATA"


def two_carers_day(pairs: Pairs | None = None, late: float = np.inf) -> Day:
    """Homes K1, K2 (rows 0, 1), visits A and B (rows 2, 3).

    K1's home is 10 minutes from A and from B, A and B 10 apart; K2's home is 15 minutes
    from B and 50 from A. A opens 08:00-08:10 for an hour, B 08:00-08:20 for half an hour.
    Shifts 08:00-12:00, no break.
    """
    T = np.array([[0, 60, 10, 10], [60, 0, 50, 15], [10, 50, 0, 10], [10, 15, 10, 0]], dtype=float)
    nan = np.array([np.nan, np.nan])
    return Day(
        T,
        2,
        ws=np.array([480.0, 480.0]),
        we=np.array([490.0, 500.0]),
        dur=np.array([60.0, 30.0]),
        req=np.array([1, 1]),
        ss=np.array([480.0, 480.0]),
        se=np.array([720.0, 720.0]),
        bm=nan,
        bws=nan,
        bwe=nan,
        mx=np.array([np.inf, np.inf]),
        late=np.array([late, late]),
        pairs=pairs or Pairs((), ("K1", "K2")),
    )


OK = np.ones((2, 2), dtype=bool)
IDS = np.array(["K1", "K2"])
NO_EXTRA = np.zeros((2, 2))


def test_a_late_visit_goes_to_the_carer_who_reaches_it_on_time():
    d = two_carers_day()
    given = [[(0, 0), (1, 0)], []]
    # K1 makes A at 08:10-09:10 and B at 09:20, 60 minutes late: travel 30, late 60, worst 60
    assert day_cost(d, given, 1.0, 1.0) == 150.0
    got = improve(d, OK, IDS, given, [], NO_EXTRA, Budget(5.0, iterations=30, late_cost=1.0))
    assert got is not None
    routes, _ = got
    # K2 reaches B at 08:15, on time, for 30 minutes of travel: 20 + 30 = 50 in all
    assert routes == [[(0, 0)], [(1, 0)]]
    assert day_cost(d, routes, 1.0, 1.0) == 50.0
    assert simulate(d, routes, {})[2] == []


def test_lateness_cheaper_than_a_detour_is_kept():
    d = two_carers_day()
    given = [[(0, 0), (1, 0)], []]
    # a late minute costing 0.1: B's 60 minutes late cost 6 (36 in all), less than K2's 20
    # more of travel (50); cheaper still, K1 makes B at 08:10 and A at 08:50, 40 late: 34
    budget = Budget(5.0, iterations=30, late_cost=0.1)
    got = improve(d, OK, IDS, given, [], NO_EXTRA, budget)
    assert got is not None and got[0] == [[(1, 0), (0, 0)], []]
    assert day_cost(d, got[0], 0.1, 0.0) == pytest.approx(34.0)


def test_a_pair_keeps_its_gap_after_improving():
    # B follows A 30-60 minutes after A starts, by another carer
    d = two_carers_day(Pairs((Link(0, 1, 30.0, 60.0),), ("K1", "K2")))
    given = [[(1, 0)], [(0, 0)]]  # K2 drives 50 minutes to A, K1 10 to B
    starts, _, broken = simulate(d, given, {})
    assert broken == [] and starts[(1, 0)] - starts[(0, 0)] == 30.0
    got = improve(d, OK, IDS, given, [], NO_EXTRA, Budget(5.0, iterations=30, late_cost=1.0))
    assert got is not None
    routes, _ = got
    # K1 makes A at 08:10, K2 B at 08:40 (on time but kept 30 minutes after A: 20 late)
    assert routes == [[(0, 0)], [(1, 0)]]
    starts, _, broken = simulate(d, routes, {})
    assert broken == [] and Link(0, 1, 30.0, 60.0).keeps(starts[(0, 0)], starts[(1, 0)])
    assert starts == {(0, 0): 490.0, (1, 0): 520.0}


def test_a_pair_stays_with_two_carers_unless_one_may_make_both():
    # B 0-120 minutes after A starts: K1 could make A at 08:10 and B at 09:20 (70 after)
    pairs = Pairs((Link(0, 1, 0.0, 120.0),), ("K1", "K2"))
    d = two_carers_day(pairs)
    # both at K1 would be cheapest (30 of travel), but the pair needs two carers
    got = improve(d, OK, IDS, [[(0, 0)], [(1, 0)]], [], NO_EXTRA, Budget(5.0, iterations=30))
    assert got is None  # K1 A, K2 B is already the cheapest with two carers
    d = two_carers_day(replace(pairs, same_carer=True))
    got = improve(d, OK, IDS, [[(0, 0)], [(1, 0)]], [], NO_EXTRA, Budget(5.0, iterations=30))
    assert got is not None and got[0] == [[(0, 0), (1, 0)], []]


def test_the_limits_of_lateness_and_skills_are_kept():
    d = two_carers_day(late=0.0)  # hard windows: B cannot start at 09:20 with K1
    ok = np.array([[True, True], [False, True]])  # K2 cannot make A
    got = improve(d, ok, IDS, [[(0, 0)], [(1, 0)]], [], NO_EXTRA, Budget(5.0, iterations=30))
    assert got is None
    # a left-out visit is put in where it fits
    got = improve(d, ok, IDS, [[(0, 0)], []], [1], NO_EXTRA, Budget(5.0, iterations=5))
    assert got is not None and got[0] == [[(0, 0)], [(1, 0)]]


def test_worth_improving_only_with_lateness_costed_or_pairs():
    d = two_carers_day()
    assert not worth_improving(d, 0.0, 0.0, 0.0)
    assert worth_improving(d, 1.0, 0.0, 0.0) and worth_improving(d, 0.0, 1.0, 0.0)
    assert not worth_improving(d, 1.0, 1.0, 2.0)  # balance is not weighed here
    paired = two_carers_day(Pairs((Link(0, 1, 0.0, 60.0),), ("K1", "K2")))
    assert worth_improving(paired, 0.0, 0.0, 0.0)


def test_improve_share_is_checked():
    assert RoundsOptions().improve_share == 0.5
    with pytest.raises(ArgumentError, match="improve_share"):
        RoundsOptions(improve_share=1.0)


def test_a_default_plan_is_the_search_s(monkeypatch):
    from carezones import testing

    day = testing.rounds()
    opts = RoundsOptions(iterations=200, seed=0)

    def never(*args, **kwargs):
        raise AssertionError("the improvement phase ran on a default day")

    monkeypatch.setattr("carezones.rounds.search.improve", never)
    r = plan_rounds(day.visits, day.carers, minutes=day.minutes, options=opts)
    off = plan_rounds(
        day.visits, day.carers, minutes=day.minutes, options=replace(opts, improve_share=0.0)
    )
    cols = ["carer_id", "kind", "visit_id", "start", "end"]
    assert r.itineraries[cols].equals(off.itineraries[cols])
    assert r.check() == []


def test_extra_costs_charge_carers_the_client_does_not_know():
    import pandas as pd

    visits = pd.DataFrame({"preferred_carers": [frozenset({"K1"}), frozenset()]})
    carers = pd.DataFrame({"carer_id": ["K1", "K2"]})
    got = extra_costs(visits, carers, 10.0, np.ones((2, 2)))
    assert got.tolist() == [[1.0, 1.0], [11.0, 1.0]]


@pytest.mark.skipif(HHCRSP is None, reason=NO_DATA)
@pytest.mark.parametrize(
    "path", ["kummer/HHCRSP_10_3_35_1.0_R_R.json", "mankowska/InstanzCPLEX_HCSRP_10_1.json"]
)
def test_benchmark_rounds_improve_keep_every_rule_and_repeat_for_a_seed(path):
    inst = read_hhcrsp(HHCRSP / path)
    opts = hhcrsp_options(iterations=150)
    got = solve_hhcrsp(inst, opts)
    assert got.rounds.check() == [] and got.cost.served == got.cost.visits
    again = solve_hhcrsp(inst, opts)
    assert again.routes == got.routes
    plain = solve_hhcrsp(inst, replace(opts, improve_share=0.0))
    assert plain.rounds.check() == []
    assert got.cost.total_cost <= plain.cost.total_cost + 1e-9
    # each pair within its gap (the checker checks it too)
    visits = inst.visits
    start = {visits["visit_id"].iat[j]: s for r in got.routes.values() for j, s, _ in r}
    for _, row in visits[visits["after_visit"] != ""].iterrows():
        gap = start[row["visit_id"]] - start[row["after_visit"]]
        assert row["gap_min_minutes"] - 1e-6 <= gap <= row["gap_max_minutes"] + 1e-6
