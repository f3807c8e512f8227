"""Making room for left-out visits (rounds.rescue): in a day, in plan_rounds and in a week."""

from __future__ import annotations

import numpy as np

from carezones import RoundsOptions, WeekOptions
from carezones.rounds import plan_rounds, plan_week, read_carers, read_visits
from carezones.rounds.rescue import rescue
from carezones.rounds.schedule import Day, schedule

from .test_rounds import day, matrix
from .test_week import week_tables


def nine_oclock_day(carers: int) -> Day:
    """Two visits to start at 09:00 (give or take five minutes) for half an hour.

    Visit 0 is single-handed, visit 1 double-handed; every carer works 08:00-12:00 without a
    break and lives five minutes from both.
    """
    n = carers + 2
    T = np.full((n, n), 5.0)
    np.fill_diagonal(T, 0.0)
    nan = np.full(carers, np.nan)
    return Day(
        T,
        carers,
        ws=np.array([540.0, 540.0]),
        we=np.array([545.0, 545.0]),
        dur=np.array([30.0, 30.0]),
        req=np.array([1, 2]),
        ss=np.full(carers, 480.0),
        se=np.full(carers, 720.0),
        bm=nan,
        bws=nan,
        bwe=nan,
        mx=np.full(carers, np.inf),
    )


def test_a_double_handed_visit_gets_two_carers_when_one_hands_its_visit_to_a_third():
    d = nine_oclock_day(3)
    ids = np.array(["K1", "K2", "K3"])
    ok = np.array([[True, True], [True, True], [True, False]])  # K3 may not make visit 1
    routes, _ = rescue(d, ok, ids, [[(0, 0)], [], []], {}, [1])
    # K1 gives the single-handed visit to K3 and makes the double-handed one with K2
    assert routes[2] == [(0, 0)]
    assert sorted(routes[0] + routes[1]) == [(1, 0), (1, 1)]
    assert schedule(d, routes)[2] == []
    # without a third carer to take it, nothing changes and nothing is lost
    two = nine_oclock_day(2)
    kept, _ = rescue(two, ok[:2], ids[:2], [[(0, 0)], []], {}, [1])
    assert kept == [[(0, 0)], []]


def test_a_visit_is_not_rescued_by_the_same_carer_twice():
    d = nine_oclock_day(2)
    ids = np.array(["K1", "K1"])  # two shifts of one carer: a double-handed visit needs two
    routes, _ = rescue(d, np.ones((2, 2), dtype=bool), ids, [[], []], {}, [1])
    assert routes == [[], []]


def tight_day():
    """A day with too few carers: many visits are left out after the search."""
    v, c = day(40, 3, seed=3)
    visits, carers = read_visits(v), read_carers(c)
    return visits, carers, matrix(visits, carers)


def test_plan_rounds_rescues_left_out_visits_and_every_rule_holds(monkeypatch):
    import carezones.rounds.search as plan

    visits, carers, minutes = tight_day()
    calls = []

    def spy(d, ok, ids, routes, breaks, left, penalties=None):
        got = rescue(d, ok, ids, routes, breaks, left, penalties)
        before = {j for r in routes for j, _ in r}
        after = {j for r in got[0] for j, _ in r}
        calls.append((before, after, set(left)))
        return got

    monkeypatch.setattr(plan, "rescue", spy)
    rounds = plan_rounds(
        visits, carers, minutes=minutes, options=RoundsOptions(iterations=300, seed=0)
    )
    assert len(calls) == 1
    before, after, left = calls[0]
    assert before <= after and after - before and after - before <= left  # some are rescued
    assert rounds.kpis["visits_served"] == len(after)
    assert rounds.check() == []
    assert set(rounds.unserved.visit_id) == set(visits.visit_id.iloc[sorted(left - after)])
    # fill=False skips filling and rescuing alike (county plans size teams this way)
    plan_rounds(
        visits, carers, minutes=minutes, options=RoundsOptions(iterations=300, seed=0, fill=False)
    )
    assert len(calls) == 1


def test_the_week_rescues_in_each_search_with_its_charges_and_again_at_the_end(monkeypatch):
    import carezones.rounds.search as plan
    import carezones.rounds.week as week

    v, c = week_tables(days=3, clients=30, carers=4)
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    in_searches, at_end = [], []

    def spy(calls):
        def run(d, ok, ids, routes, breaks, left, penalties=None):
            calls.append(penalties)
            return rescue(d, ok, ids, routes, breaks, left, penalties)

        return run

    monkeypatch.setattr(plan, "rescue", spy(in_searches))
    monkeypatch.setattr(week, "rescue", spy(at_end))
    got = plan_week(
        visits, carers, minutes=minutes, options=WeekOptions(iterations=300, seed=0, workers=1)
    )
    # the searches weigh the faces a client knows (nothing is charged on the first day)
    assert in_searches and any(p is not None and p.any() for p in in_searches)
    assert 0 < len(at_end) <= got.kpis["days"]  # once more per day with visits left out
    assert all(p is not None for p in at_end)
    assert got.check() == []
    assert got.kpis["visits_served"] + len(got.unserved) == len(visits)


def test_rescue_tries_the_carer_the_client_knows_first():
    d = nine_oclock_day(3)
    ids = np.array(["K1", "K2", "K3"])
    ok = np.ones((3, 2), dtype=bool)
    empty = [[], [], []]
    assert rescue(d, ok, ids, empty, {}, [0])[0] == [[(0, 0)], [], []]  # a tie: the first row
    # the client knows K3 only: K1 and K2 would cost a stranger's five minutes
    charge = np.array([[5.0, 5.0], [5.0, 5.0], [0.0, 0.0]])
    assert rescue(d, ok, ids, empty, {}, [0], charge)[0] == [[], [], [(0, 0)]]
