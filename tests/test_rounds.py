"""Rounds: reading the inputs, planning a day, and the independent checker."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from carezones import RoundsOptions, ValidationError
from carezones.rounds import hhmm, parse_hhmm, plan_rounds, read_carers, read_visits
from carezones.rounds.checker import check_rounds
from carezones.rounds.model import Stop

LAT0, LON0 = 52.66, -0.73


def day(n_visits: int = 30, n_carers: int = 5, seed: int = 0):
    rng = np.random.default_rng(seed)
    starts = rng.choice([7 * 60, 8 * 60, 12 * 60, 17 * 60], n_visits) + rng.integers(
        0, 60, n_visits
    )
    visits = pd.DataFrame(
        {
            "visit_id": [f"V{i}" for i in range(n_visits)],
            "client_id": [f"C{i // 2}" for i in range(n_visits)],
            "lat": LAT0 + rng.normal(0, 0.03, n_visits),
            "lon": LON0 + rng.normal(0, 0.05, n_visits),
            "window_start": [hhmm(s) for s in starts],
            "window_end": [hhmm(s + 60) for s in starts],
            "duration_minutes": rng.choice([30, 45, 60], n_visits),
            "carers_required": np.where(np.arange(n_visits) % 7 == 3, 2, 1),
            "skills": np.where(np.arange(n_visits) % 9 == 4, "medication", ""),
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": [f"K{i}" for i in range(n_carers)],
            "lat": LAT0 + rng.normal(0, 0.03, n_carers),
            "lon": LON0 + rng.normal(0, 0.05, n_carers),
            "shift_start": "07:00",
            "shift_end": "20:00",
            "skills": ["medication", "medication"] + [""] * (n_carers - 2),
            "break_minutes": 30,
            "break_window_start": "11:30",
            "break_window_end": "14:00",
        }
    )
    return visits, carers


def matrix(visits, carers):
    """Minutes between homes and visits at 40 km/h over 1.3 x the straight line."""
    xy = np.vstack(
        [
            np.column_stack([carers.geometry.x, carers.geometry.y]),
            np.column_stack([visits.geometry.x, visits.geometry.y]),
        ]
    )
    d = np.hypot((xy[:, None, 0] - xy[None, :, 0]) * 68, (xy[:, None, 1] - xy[None, :, 1]) * 111)
    return d * 1.3 / 40 * 60


@pytest.fixture(scope="module")
def planned():
    v, c = day()
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    return plan_rounds(
        visits, carers, minutes=minutes, options=RoundsOptions(iterations=1500, seed=0)
    )


def test_times_parse_and_print():
    assert parse_hhmm("07:30") == 450 and parse_hhmm("7:05") == 425 and parse_hhmm("24:00") == 1440
    assert parse_hhmm("7.30") is None and parse_hhmm("25:00") is None and parse_hhmm("") is None
    assert hhmm(450) == "07:30"


def test_every_visit_served_or_listed_and_the_checker_agrees(planned):
    r = planned
    assert r.check() == []
    served = set(r.itineraries.loc[r.itineraries.kind == "visit", "visit_id"])
    assert served | set(r.unserved.visit_id) == set(r.visits.visit_id)
    assert not served & set(r.unserved.visit_id)
    assert r.kpis["visits_served"] >= 0.8 * len(r.visits)
    doubles = r.visits.loc[r.visits.carers_required == 2, "visit_id"]
    it = r.itineraries[r.itineraries.visit_id.isin(doubles)]
    for _, g in it.groupby("visit_id"):
        assert len(g) == 2 and g.carer_id.nunique() == 2 and g.start.nunique() == 1
    breaks = r.itineraries[r.itineraries.kind == "break"]
    assert (breaks.start >= 11.5 * 60).all() and (breaks.end <= 14 * 60).all()


def test_same_seed_and_iterations_same_rounds(planned):
    again = plan_rounds(
        planned.visits,
        planned.carers,
        minutes=planned.minutes,
        options=RoundsOptions(iterations=1500),
    )
    pd.testing.assert_frame_equal(again.itineraries, planned.itineraries)


def test_impossible_visits_are_listed_with_the_reason():
    v, c = day(12, 3)
    v.loc[0, "skills"] = "hoist"  # nobody has it
    v.loc[1, ["window_start", "window_end"]] = ["05:00", "05:30"]  # before every shift
    visits, carers = read_visits(v), read_carers(c)
    r = plan_rounds(
        visits, carers, minutes=matrix(visits, carers), options=RoundsOptions(iterations=500)
    )
    why = r.unserved.set_index("visit_id")["reason"]
    assert "no carer has the skill(s) hoist" in why["V0"]
    assert "no shift can reach it" in why["V1"]
    assert r.check() == []


def test_bad_inputs_are_reported_together():
    v, c = day(6, 3)
    v.loc[0, "window_start"] = "7.30"
    v.loc[1, ["window_start", "window_end"]] = ["10:00", "09:00"]
    v.loc[2, "carers_required"] = 3
    with pytest.raises(ValidationError) as err:
        read_visits(v)
    rows = set(err.value.problems["row"])
    assert {1, 2, 3} <= rows  # a DataFrame's rows count from 1 (a file's from 2, after the header)
    c2 = pd.concat([c, c.iloc[[0]]], ignore_index=True)
    c2.loc[3, ["shift_start", "shift_end"]] = ["19:00", "22:00"]  # overlaps K0's first shift
    c2.loc[1, "break_window_end"] = None  # a break without the end of its window
    with pytest.raises(ValidationError) as err:
        read_carers(c2)
    reasons = " ".join(err.value.problems["reason"])
    assert "shifts overlap" in reasons and "a break needs" in reasons


def corrupt(r, fn):
    it = fn(r.itineraries.copy())
    return {v.rule for v in check_rounds(r.visits, r.carers, r.minutes, it, r.unserved)}


def test_checker_catches_each_kind_of_violation(planned):
    r = planned
    visit = r.itineraries.index[r.itineraries.kind == "visit"][0]
    brk = r.itineraries.index[r.itineraries.kind == "break"][0]
    doubles = r.visits.loc[r.visits.carers_required == 2, "visit_id"]
    dbl = r.itineraries.index[r.itineraries.visit_id.isin(doubles)][0]

    def late(it):
        it.loc[visit, ["start", "end"]] += 600
        return it

    def short(it):
        it.loc[visit, "end"] -= 5
        return it

    def no_break(it):
        return it.drop(index=brk)

    def apart(it):
        it.loc[dbl, ["start", "end"]] += 1
        return it

    def travel(it):
        it.loc[visit, "travel_minutes"] += 3
        return it

    def teleport(it):
        it.loc[visit, "arrival"] -= 30
        return it

    def dropped(it):
        return it.drop(index=visit)

    assert "window" in corrupt(r, late)
    assert "duration" in corrupt(r, short)
    assert "break" in corrupt(r, no_break)
    assert "double-handed" in corrupt(r, apart)
    assert "travel" in corrupt(r, travel)
    assert "two places at once" in corrupt(r, teleport)
    assert "not served" in corrupt(r, dropped)
    skilled = r.visits.copy()
    vid = r.itineraries.at[visit, "visit_id"]
    skilled.loc[skilled.visit_id == vid, "skills"] = [frozenset({"hoist"})]
    assert "skills" in {
        v.rule for v in check_rounds(skilled, r.carers, r.minutes, r.itineraries, r.unserved)
    }


def test_files_map_and_command(tmp_path):
    import json

    import geopandas as gpd

    import carezones as cz
    from carezones.cli import main
    from carezones.synthetic import example_day

    county = cz.make_synthetic_county(tmp_path / "county", size="tiny", seed=0)
    net = cz.load_network(county.osm_path, engine="builtin")
    pts = cz.read_clients(county.clients_path, area=net)
    ll = np.column_stack([pts.geometry.x, pts.geometry.y])
    v, c = example_day(ll[:12], ll[12:16], seed=0)
    v.loc[0, "client_id"] = "<script>alert(1)</script>"
    v.loc[0, "visit_id"] = "<b>V1</b>"
    v.to_csv(tmp_path / "visits.csv", index=False)
    c.to_csv(tmp_path / "carers.csv", index=False)
    out = tmp_path / "day"
    args = ["rounds", "--osm", str(county.osm_path), "--visits", str(tmp_path / "visits.csv")]
    args += ["--carers", str(tmp_path / "carers.csv"), "--time-limit", "2", "--out", str(out)]
    args += ["--co2-kg-per-km", "0.17"]
    assert main([*args, "--engine", "builtin", "--quiet"]) == 0
    it = pd.read_csv(out / "itineraries.csv")
    assert list(it.columns[:10]) == [
        "carer_id",
        "shift",
        "seq",
        "kind",
        "visit_id",
        "client_id",
        "arrival",
        "start",
        "end",
        "waiting_minutes",
    ]
    assert it.start.str.match(r"^\d\d:\d\d$").all()
    assert set(pd.read_csv(out / "unserved.csv").columns) == {"visit_id", "reason", "cause"}
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["visits"] == len(v)
    assert kpis["co2_kg"] == pytest.approx(kpis["travel_km"] * 0.17) and kpis["travel_km"] > 0
    assert len(gpd.read_file(out / "rounds.gpkg", layer="legs")) > 0
    html = (out / "rounds.html").read_text()
    assert "<script>alert(1)</script>" not in html and "<b>V1</b>" not in html
    assert "SYNTHETIC DATA" in html


def test_preferred_carers_are_sent_when_it_costs_little():
    v, c = day(10, 4, seed=3)
    v["preferred_carers"] = ""
    v.loc[[0, 1, 2], "preferred_carers"] = "K3"
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    opts = RoundsOptions(iterations=1500)
    with_pref = plan_rounds(
        visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=60)
    )
    without = plan_rounds(
        visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=0)
    )
    share = with_pref.kpis["visits_by_a_preferred_carer"]
    assert share >= 2 / 3 and share > without.kpis["visits_by_a_preferred_carer"]
    assert with_pref.check() == []


def test_example_visit_and_carer_files_in_data_read_cleanly():
    from pathlib import Path

    data = Path(__file__).parents[1] / "data"
    visits = read_visits(data / "example-visits.csv")
    carers = read_carers(data / "example-carers.csv")
    assert len(visits) > 20 and (visits.carers_required >= 1).all()
    assert carers.carer_id.duplicated().any()  # a split shift: two rows, one carer


def test_balance_spreads_the_work_for_some_travel():
    v, c = day(12, 4, seed=7)  # a light morning: three carers could do it all
    rng = np.random.default_rng(7)
    starts = 8 * 60 + rng.integers(0, 180, len(v))
    v["window_start"] = [hhmm(x) for x in starts]
    v["window_end"] = [hhmm(x + 60) for x in starts]
    v["carers_required"], v["skills"], v["duration_minutes"] = 1, "", 30
    c["shift_end"] = "12:30"
    c["break_minutes"] = None
    c["break_window_start"] = c["break_window_end"] = None
    visits, carers = read_visits(v), read_carers(c)
    minutes, opts = matrix(visits, carers), RoundsOptions(iterations=1500, seed=0)
    plain = plan_rounds(visits, carers, minutes=minutes, options=opts)
    fair = plan_rounds(visits, carers, minutes=minutes, options=replace(opts, balance=1))
    p, f = plain.kpis, fair.kpis
    assert fair.check() == [] and f["visits_served"] == p["visits_served"] == 12
    assert p["shift_utilisation_min"] == 0 and f["shift_utilisation_min"] > 0.3  # all four work
    assert f["shift_utilisation_sd"] < p["shift_utilisation_sd"] / 2
    assert f["shift_utilisation_max"] < p["shift_utilisation_max"]
    assert f["travel_minutes"] > p["travel_minutes"]  # balance is paid for in travel
    with pytest.raises(ValueError, match="balance must be a number >= 0"):
        RoundsOptions(balance=-1)


def test_a_search_goes_on_for_the_time_left_and_keeps_only_what_is_no_worse(monkeypatch):
    import carezones.rounds.search as plan
    from carezones.rounds.schedule import Day, travel

    v, c = day(14, 3)
    visits, carers = read_visits(v), read_carers(c)
    d = Day.from_tables(visits, carers, matrix(visits, carers))
    todo = list(range(len(visits)))
    real, calls, mode = plan.solve, [], {"worse": True}

    def quick(*args):  # each solve by iterations; going on may drop visits
        stop, weights = args[5], args[6]
        routes = real(*args[:5], Stop(1.0, stop.seed, 300), weights)
        if mode["worse"] and calls:
            routes = [r[:-1] for r in routes]
        calls.append({"seconds": stop.seconds, "initial": weights.initial, "routes": routes})
        return routes

    monkeypatch.setattr(plan, "solve", quick)
    for worse in (True, False):
        calls.clear()
        mode["worse"] = worse
        opts = RoundsOptions(time_limit=60.0, seed=0, sync_rounds=0)
        got = plan._search(plan.DayData(visits, carers, None, d.T), d, todo, opts, None, None)
        # one solve with the whole time, then on from its rounds for the time left
        assert len(calls) == 2 and calls[0]["seconds"] == 60.0
        assert 0 < calls[1]["seconds"] < 60.0 and calls[1]["initial"] == calls[0]["routes"]
        first, more = calls[0]["routes"], calls[1]["routes"]

        def score(routes):  # visits left out, then travel
            return -sum(map(len, routes)), travel(d.T, d.n_c, routes)

        keep = score(more) <= score(first)
        assert keep is not worse and got == (more if keep else first)
    calls.clear()  # with an iteration limit the search does not go on
    opts = RoundsOptions(iterations=300, sync_rounds=0)
    plan._search(plan.DayData(visits, carers, None, d.T), d, todo, opts, None, None)
    assert len(calls) == 1


def test_double_handed_visits_aim_where_the_rounds_searched_from_served_them(monkeypatch):
    import carezones.rounds.model as model
    import carezones.rounds.search as plan
    from carezones.rounds.model import SYNC_SLACK
    from carezones.rounds.schedule import Day, simulate

    v, c = day(14, 3)
    visits, carers = read_visits(v), read_carers(c)
    d = Day.from_tables(visits, carers, matrix(visits, carers))
    todo = list(range(len(visits)))
    earlier = plan.solve(visits, carers, d.T, todo, {}, Stop(1.0, 0, 300))
    starts = simulate(d, earlier, {})[0]
    doubles = [j for j in todo if visits["carers_required"].iat[j] == 2 and (j, 1) in starts]
    assert doubles
    real, aims = plan.solve, []

    def spy(*args):
        aims.append(args[6].aims)
        return real(*args)

    monkeypatch.setattr(plan, "solve", spy)
    opts = RoundsOptions(iterations=300, sync_rounds=0)
    data = plan.DayData(visits, carers, None, d.T)
    plan._search(data, d, todo, opts, None, None, initial=earlier)
    assert aims == [{j: starts[(j, 0)] for j in doubles}]
    plan._search(data, d, todo, opts, None, None)  # nothing to start from
    assert aims[-1] is None
    # a round that cannot be driven any more (a road gone) gives its visits no aim
    c = next(c for c, r in enumerate(earlier) if any(q[0] in doubles for q in r))
    cut = Day.from_tables(visits, carers, matrix(visits, carers))
    cut.T[c, :] = np.inf
    gone = plan._aims(cut, earlier)
    assert set(gone) < set(doubles) and all(np.isfinite(list(gone.values())))

    # the stretch is centred on the aim, within the window; the middle without one
    cols = {
        "window_start": np.array([600.0, 600.0]),
        "window_end": np.array([720.0, 720.0]),
        "carers_required": np.array([2, 1]),
        "duration_minutes": np.array([30, 30]),
    }
    half = SYNC_SLACK * 30

    def stretch(j, aims=None):
        got = model._client(cols, j, 0, {}, 1, aims)
        return got.tw_early, got.tw_late

    assert stretch(0) == (660 * 60 - half, 660 * 60 + half)
    assert stretch(0, {0: 700.0}) == (700 * 60 - half, 700 * 60 + half)
    assert stretch(0, {0: 590.0}) == (600 * 60, 600 * 60 + 2 * half)  # kept in the window
    assert stretch(0, {0: 800.0}) == (720 * 60 - 2 * half, 720 * 60)
    assert stretch(1, {1: 700.0}) == (600 * 60, 720 * 60)  # single-handed: the whole window
    assert model._client(cols, 0, 1, {(0, 1): 630.0}, 1, {0: 700.0}).tw_early == 630 * 60  # pinned
