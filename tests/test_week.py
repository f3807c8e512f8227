"""A week of rounds, the day column, re-planning on the day, and the views people read."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from carezones import RoundsOptions, ValidationError, WeekOptions, replan_rounds
from carezones.errors import ArgumentError
from carezones.io import parse_day, read_itineraries
from carezones.io.days import weekday_of
from carezones.rounds import compare_rounds, plan_rounds, plan_week, read_carers, read_visits
from carezones.synthetic import example_week

from .test_rounds import LAT0, LON0, day, matrix

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>{{ 7*7 }}'


def week_tables(days: int = 5, clients: int = 24, carers: int = 6, seed: int = 1):
    rng = np.random.default_rng(0)
    n = clients + carers
    pts = np.column_stack([LON0 + rng.normal(0, 0.05, n), LAT0 + rng.normal(0, 0.03, n)])
    return example_week(pts[:clients], pts[clients:], days=days, seed=seed)


@pytest.fixture(scope="module")
def week():
    v, c = week_tables()
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    opts = WeekOptions(iterations=800, seed=0, workers=1)
    return (
        plan_week(visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=10)),
        plan_week(visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=0)),
    )


@pytest.fixture(scope="module")
def planned_day():
    v, c = day(40, 6, seed=1)
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    return plan_rounds(
        visits, carers, minutes=minutes, options=RoundsOptions(iterations=1500, seed=0)
    )


# ---------------------------------------------------------------------- the day column
def test_days_are_dates_or_weekdays():
    assert parse_day("2026-12-07") == "2026-12-07" and parse_day("07/12/2026") == "2026-12-07"
    assert parse_day("monday") == parse_day("Mon") == parse_day(" MON ") == "Mon"
    assert parse_day("Tues") == "Tue" and parse_day("Thurs") == "Thu"
    assert parse_day(dt.date(2026, 12, 8)) == parse_day(pd.Timestamp("2026-12-08")) == "2026-12-08"
    assert parse_day("2026-02-30") is None and parse_day("someday") is None
    assert parse_day(None) is None and parse_day(pd.Timestamp("2026-12-08 09:30")) is None


def test_every_bad_day_is_reported_with_its_row_and_fix():
    v, _ = day(8, 3)
    v["day"] = ["Mon", "Mon", "Tue", "2026-12-07", "someday", None, "Wed", "Thu"]
    with pytest.raises(ValidationError) as err:
        read_visits(v)
    p = err.value.problems.set_index("row")
    assert set(p.index) == {4, 5, 6}  # a DataFrame's rows count from 1
    assert "mixes dates and weekdays" in p.at[4, "reason"]
    assert p.at[5, "reason"] == "not a day" and "2026-12-07" in p.at[5, "fix"]
    assert "missing day" in p.at[6, "reason"]


def test_a_carer_may_work_the_same_hours_on_several_days_but_not_overlap_in_one():
    _, c = day(4, 3)
    week = pd.concat([c.assign(day="Mon"), c.assign(day="Tue")], ignore_index=True)
    assert len(read_carers(week)) == 6
    clash = pd.concat(
        [week, c.iloc[[0]].assign(day="Tue", shift_start="19:00", shift_end="22:00")],
        ignore_index=True,
    )
    with pytest.raises(ValidationError, match="shifts overlap"):
        read_carers(clash)


def test_plan_rounds_takes_one_day_of_a_week():
    v, c = week_tables(days=2)
    visits, carers = read_visits(v), read_carers(c)
    with pytest.raises(ArgumentError, match="plan_week"):
        plan_rounds(visits, carers, minutes=matrix(visits, carers))
    one = visits[visits.day == "2026-12-08"].reset_index(drop=True)
    works = carers[carers.day == "2026-12-08"].reset_index(drop=True)
    r = plan_rounds(one, carers, minutes=matrix(one, works), options=RoundsOptions(iterations=300))
    assert set(r.carers.carer_id) == set(works.carer_id) and r.check() == []


# ---------------------------------------------------------------------- the week
def test_the_week_keeps_faces_for_a_little_travel_and_every_day_passes_the_checker(week):
    same, plain = week
    assert same.check() == [] and plain.check() == []
    k, k0 = same.kpis, plain.kpis
    assert k["days"] == 5 and list(same.days) == sorted(same.days)
    assert k["visits_served"] + k["visits_unserved"] == k["visits"] == len(same.visits)
    assert k["visits_unserved"] <= k0["visits_unserved"] + 1  # a tight week: search noise
    assert k["carers_per_client_mean"] < 0.92 * k0["carers_per_client_mean"]
    assert k["travel_minutes"] < 1.1 * k0["travel_minutes"]
    dist = k["carers_per_client"]
    assert sum(dist.values()) == same.continuity()["client_id"].nunique()
    assert k["carers_per_client_p90"] <= k["carers_per_client_max"]
    cont = same.continuity()
    assert (cont.carers == cont.carer_ids.str.split(";").map(len)).all()


def test_the_week_is_the_same_on_every_run_with_an_iteration_limit(week):
    v, c = week_tables()
    visits, carers = read_visits(v), read_carers(c)
    again = plan_week(
        visits,
        carers,
        minutes=matrix(visits, carers),
        options=WeekOptions(iterations=800, continuity_minutes=10, workers=1),
    )
    pd.testing.assert_frame_equal(
        again.itineraries.drop(columns="leg"), week[0].itineraries.drop(columns="leg")
    )


def test_a_weeks_searches_run_as_dask_tasks_and_any_worker_count_gives_the_same_week(
    dask_client,
):
    from carezones.rounds.week import seeds

    assert seeds(3, 2) == [3, 3 + 7919]
    v, c = week_tables(days=2, clients=16, carers=4)
    visits, carers = read_visits(v), read_carers(c)
    minutes = matrix(visits, carers)
    opts = WeekOptions(iterations=200, seed=3, searches=2, workers=1)
    here = plan_week(visits, carers, minutes=minutes, options=replace(opts, workers=1))
    there = plan_week(visits, carers, minutes=minutes, options=opts, client=dask_client)
    pd.testing.assert_frame_equal(
        here.itineraries.drop(columns="leg"), there.itineraries.drop(columns="leg")
    )
    one = plan_week(visits, carers, minutes=minutes, options=replace(opts, searches=1, workers=1))
    assert here.kpis["visits_served"] >= one.kpis["visits_served"]  # the best of two seeds
    with pytest.raises(ArgumentError, match="searches"):
        WeekOptions(searches=0)


def test_week_tables_put_the_day_first(week):
    same, _ = week
    assert list(same.itineraries.columns[:2]) == ["day", "carer_id"]
    assert list(same.unserved.columns[:2]) == ["day", "visit_id"]
    for d, r in same.days.items():
        assert r.day == d and r.summary().startswith(f"{d}: ")


def test_preferred_carers_keep_working_in_a_week():
    v, c = week_tables(days=3)
    few = v.client_id.isin(["C0001", "C0002", "C0003", "C0004"])
    v["preferred_carers"] = np.where(few, "K001;K004", "")  # an early and a split shift
    visits, carers = read_visits(v), read_carers(c)
    minutes, opts = matrix(visits, carers), WeekOptions(iterations=800, workers=1)

    def share(wk):
        it = wk.itineraries
        mine = it[(it.kind == "visit") & it.client_id.isin(["C0001", "C0002", "C0003", "C0004"])]
        return mine.carer_id.isin(["K001", "K004"]).mean()

    stated = plan_week(
        visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=30)
    )
    ignored = plan_week(
        visits, carers, minutes=minutes, options=replace(opts, continuity_minutes=0)
    )
    assert stated.check() == [] and share(stated) > share(ignored) + 0.1


def test_carers_on_a_weekday_rota_work_every_date_of_that_weekday():
    v, c = week_tables(days=2)
    rota = c.copy()
    rota["day"] = [weekday_of(d) for d in rota["day"]]
    assert set(rota["day"]) == {"Mon", "Tue"}
    visits, carers = read_visits(v), read_carers(rota)
    wk = plan_week(
        visits,
        carers,
        minutes=matrix(visits, carers),
        options=WeekOptions(iterations=300, workers=1),
    )
    assert wk.check() == [] and wk.kpis["visits_served"] > 0.7 * len(visits)


def test_a_day_nobody_works_lists_every_visit_with_the_reason():
    v, c = week_tables(days=2)
    c = c[c.day == "2026-12-07"]
    visits, carers = read_visits(v), read_carers(c)
    wk = plan_week(
        visits,
        carers,
        minutes=matrix(visits, carers),
        options=WeekOptions(iterations=300, workers=1),
    )
    un = wk.unserved
    assert set(un.loc[un.day == "2026-12-08", "reason"]) == {"no carer works on this day"}
    assert wk.check() == []


def test_week_files(week, tmp_path):
    same, _ = week
    paths = same.to_files(tmp_path / "week")
    names = {p.relative_to(tmp_path / "week").as_posix() for p in paths}
    assert {
        "itineraries.csv",
        "unserved.csv",
        "kpis.json",
        "continuity.csv",
        "rounds.gpkg",
        "timeline.html",
        "run-sheets/index.html",
        "run-sheets/all.html",
    } <= names
    it = pd.read_csv(tmp_path / "week" / "itineraries.csv")
    assert it.columns[0] == "day" and it.day.nunique() == 5
    kpis = json.loads((tmp_path / "week" / "kpis.json").read_text())
    assert kpis["carers_per_client_mean"] == pytest.approx(same.kpis["carers_per_client_mean"])
    back = read_itineraries(tmp_path / "week" / "itineraries.csv")
    assert back.start.dtype == float and set(back.day) == set(same.days)


# ---------------------------------------------------------------------- re-planning
@pytest.mark.parametrize("now", ["06:30", "10:00", "13:00"])
def test_replan_keeps_what_started_and_moves_little(planned_day, now):
    r0 = planned_day
    t = int(now[:2]) * 60 + int(now[3:])
    r1 = replan_rounds(
        r0,
        r0.visits,
        r0.carers,
        unavailable=["K2"],
        now=now,
        minutes=r0.minutes,
        options=RoundsOptions(iterations=1500),
    )
    assert r1.check() == []
    it0, it1 = r0.itineraries, r1.itineraries
    started = it0[(it0.kind == "visit") & (it0.start < t)]
    kept = it1.merge(started[["carer_id", "visit_id", "start", "end"]], how="inner")
    assert len(kept) == len(started)  # the same carer, start and end
    k2 = it1[(it1.carer_id == "K2") & (it1.kind == "visit")]
    assert (k2.start < t).all()  # nothing new for the absent carer
    assert not (
        (it1.kind == "visit") & (it1.start < t - 1e-6) & ~it1.visit_id.isin(started.visit_id)
    ).any()
    rp = r1.kpis["replan"]
    assert rp["now"] == now and rp["unavailable"] == ["K2"]
    assert rp["visits_moved"] == int(r1.changes.moved.sum())
    keep = [i for i in range(len(r0.minutes)) if i != 2]  # K2 is carer row 2
    scratch = plan_rounds(
        r0.visits,
        r0.carers[r0.carers.carer_id != "K2"],
        minutes=r0.minutes[np.ix_(keep, keep)],
        options=RoundsOptions(iterations=1500),
    )
    assert rp["visits_moved"] <= compare_rounds(r0, scratch, r0.visits).moved.sum() / 2
    un = r1.unserved.set_index("visit_id").reason
    was_k2 = set(it0.loc[(it0.carer_id == "K2") & (it0.kind == "visit"), "visit_id"])
    for vid in set(un.index) & was_k2:
        assert un[vid].startswith("carer K2 is unavailable;")


def test_replan_from_the_written_itineraries(planned_day, tmp_path):
    r0 = planned_day
    r0.to_files(tmp_path / "day")
    earlier = read_itineraries(tmp_path / "day" / "itineraries.csv")  # times rounded to minutes
    r1 = replan_rounds(
        earlier,
        r0.visits,
        r0.carers,
        unavailable="K3",
        now="11:00",
        minutes=r0.minutes,
        options=RoundsOptions(iterations=800),
    )
    assert r1.check() == [] and r1.kpis["replan"]["visits_fixed"] > 0
    assert "re-planned at 11:00 without K3" in r1.summary()
    paths = r1.to_files(tmp_path / "replanned")
    assert tmp_path / "replanned" / "changes.csv" in paths
    ch = pd.read_csv(tmp_path / "replanned" / "changes.csv")
    assert list(ch.columns[:4]) == ["visit_id", "client_id", "carers_before", "carers_after"]


def test_replan_with_nothing_changed_moves_nothing(planned_day):
    r0 = planned_day
    r1 = replan_rounds(
        r0,
        r0.visits,
        r0.carers,
        now="09:00",
        minutes=r0.minutes,
        options=RoundsOptions(iterations=800),
    )
    assert r1.check() == [] and r1.kpis["visits_served"] >= r0.kpis["visits_served"]
    assert r1.kpis["replan"]["visits_moved"] <= 2


def test_a_carer_off_sick_mid_round_keeps_what_they_did_and_goes_home(planned_day):
    r0 = planned_day
    it0 = r0.itineraries
    cid = it0.loc[(it0.kind == "visit") & (it0.start < 600), "carer_id"].iloc[0]
    r1 = replan_rounds(
        r0,
        r0.visits,
        r0.carers,
        unavailable=cid,
        now="10:00",
        minutes=r0.minutes,
        options=RoundsOptions(iterations=800),
    )
    assert r1.check() == []
    mine = r1.itineraries[r1.itineraries.carer_id == cid]
    assert mine.kind.iloc[-1] == "end" and (mine[mine.kind == "visit"].start < 600).all()


def test_replan_arguments_are_checked(planned_day):
    r0 = planned_day
    kw = {"minutes": r0.minutes, "options": RoundsOptions(iterations=100)}
    with pytest.raises(ArgumentError, match="K99"):
        replan_rounds(r0, r0.visits, r0.carers, unavailable=["K99"], **kw)
    with pytest.raises(ArgumentError, match="time of day"):
        replan_rounds(r0, r0.visits, r0.carers, now="half past six", **kw)
    with pytest.raises(ArgumentError, match="itineraries"):
        replan_rounds(pd.DataFrame({"x": [1]}), r0.visits, r0.carers, minutes=r0.minutes)
    bad = r0.itineraries.assign(start="7.30").drop(columns=["leg"])
    with pytest.raises(ValidationError, match="not a time of day"):
        read_itineraries(bad)


def test_compare_rounds_counts_carer_and_time_moves(planned_day):
    r0 = planned_day
    it = r0.itineraries.copy()
    v = it.index[it.kind == "visit"]
    it.loc[v[0], "carer_id"] = "K9"
    it.loc[v[1], ["start", "end"]] += 20
    it.loc[v[2], ["start", "end"]] += 10
    ch = compare_rounds(r0, it, r0.visits).set_index("visit_id")
    assert ch.loc[it.at[v[0], "visit_id"], "moved"] and ch.loc[it.at[v[1], "visit_id"], "moved"]
    assert not ch.loc[it.at[v[2], "visit_id"], "moved"]


# ---------------------------------------------------------------------- views
def test_timeline_and_run_sheets_escape_hostile_text(tmp_path):
    v, c = day(16, 3, seed=2)
    v["client_id"] = HOSTILE
    v["notes"] = [HOSTILE, '=HYPERLINK("http://x")'] * 8
    c["carer_id"] = [f"{HOSTILE}{i}" for i in range(3)]
    c.loc[2, "carer_id"] = "../../etc/passwd"
    visits, carers = read_visits(v), read_carers(c)
    r = plan_rounds(
        visits, carers, minutes=matrix(visits, carers), options=RoundsOptions(iterations=300)
    )
    page = r.to_timeline().html
    assert "<script>window" not in page and "<img src=x" not in page
    assert "&lt;img src=x" in page
    paths = r.to_run_sheets(tmp_path / "sheets")
    assert all(p.parent == tmp_path / "sheets" for p in paths)  # no file escapes the folder
    assert (tmp_path / "sheets" / "etc-passwd.html").exists()
    for p in paths:
        if p.suffix == ".html":
            text = p.read_text()
            assert "<script>" not in text and "<img src=x" not in text, p.name
            assert "For the provider&#x27;s own use" in text
        elif p.suffix == ".csv":
            cells = pd.read_csv(p, dtype=str, keep_default_na=False).to_numpy().ravel()
            assert not any(cell.startswith("=") for cell in cells), p.name


def test_legs_are_straight_without_a_network_and_labelled(planned_day):
    legs = planned_day.legs()
    assert set(legs.kind) == {"straight"} and legs.label.str.contains("not the road").all()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    import carezones as cz

    from .conftest import cache_at

    folder = tmp_path_factory.mktemp("tiny")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder / "county", size="tiny", seed=0)
        net = cz.load_network(county.osm_path, engine="builtin")
        pts = cz.read_clients(county.clients_path, area=net)
    return net, np.column_stack([pts.geometry.x, pts.geometry.y])


def test_map_legs_follow_the_roads_and_straight_gaps_are_marked(tiny):
    from carezones.synthetic import example_day

    net, ll = tiny
    v, c = example_day(ll[:12], ll[12:16], seed=0)
    v.loc[v.client_id == "C0001", "lat"] += 0.004  # about 450 m off its road
    r = plan_rounds(
        read_visits(v, area=net),
        read_carers(c, area=net),
        net,
        options=RoundsOptions(iterations=300),
    )
    legs = r.legs()
    road = legs[legs.kind == "road"]
    segs = net.edges_gdf().geometry
    known = {tuple(np.round(np.asarray(g.coords), 7).ravel()) for g in segs}
    known |= {tuple(np.round(np.asarray(g.coords)[::-1], 7).ravel()) for g in segs}
    for line in road.geometry:
        xy = np.round(np.asarray(line.coords), 7)
        for a, b in itertools.pairwise(xy[1:-1]):  # between the snapped ends
            if not np.array_equal(a, b):
                assert (*a, *b) in known  # every piece of a solid line is a road segment
    off = r.itineraries[r.itineraries.client_id == "C0001"]
    assert len(off) and (legs.kind == "access").any()
    access = legs[legs.kind == "access"]
    assert access.metres.min() > 25 and access.label.str.startswith("access leg").all()
    html = r.to_map().get_root().render()
    assert "access leg" in html and "dashArray" in html


def test_command_plans_a_week_file_and_replans_one_day(tiny, tmp_path, capsys):
    from carezones.cli import main

    from .conftest import cache_at

    net, ll = tiny
    v, c = example_week(ll[:12], ll[12:17], days=3, seed=0)
    v.to_csv(tmp_path / "visits.csv", index=False)
    c.to_csv(tmp_path / "carers.csv", index=False)
    osm = net.provenance.source
    base = [
        "rounds",
        "--osm",
        str(osm),
        "--visits",
        str(tmp_path / "visits.csv"),
        "--carers",
        str(tmp_path / "carers.csv"),
        "--engine",
        "builtin",
        "--iterations",
        "300",
        "--workers",
        "1",
        "-q",
    ]
    with cache_at(tmp_path / "cache"):
        assert main([*base, "--out", str(tmp_path / "week")]) == 0
        it = pd.read_csv(tmp_path / "week" / "itineraries.csv")
        assert it.columns[0] == "day" and it.day.nunique() == 3  # one file, the day in it
        kpis = json.loads((tmp_path / "week" / "kpis.json").read_text())
        assert kpis["days"] == 3 and "carers_per_client_mean" in kpis
        assert (tmp_path / "week" / "maps" / "2026-12-08.html").exists()
        day = [*base, "--day", "Tue"]  # a weekday names the week's Tuesday
        assert main([*day, "--out", str(tmp_path / "tue")]) == 0
        assert (
            main(
                [
                    *day,
                    "--replan",
                    str(tmp_path / "tue"),
                    "--unavailable",
                    "K002",
                    "--now",
                    "10:00",
                    "--out",
                    str(tmp_path / "tue-again"),
                ]
            )
            == 0
        )
        assert (tmp_path / "tue-again" / "changes.csv").exists()
        k = json.loads((tmp_path / "tue-again" / "kpis.json").read_text())["replan"]
        assert k["unavailable"] == ["K002"] and k["now"] == "10:00"
        capsys.readouterr()
        assert main([*base, "--replan", str(tmp_path / "tue"), "--out", str(tmp_path / "x")]) == 2
        assert "give --day" in capsys.readouterr().err
        with pytest.raises(SystemExit) as stop:
            main([*day, "--now", "25:00", "--out", str(tmp_path / "y")])
        assert stop.value.code == 2


def _two_days_of_one_client():
    """Carer A serves client C on day 1; on day 2 B does, though A works near C that day."""
    from carezones.rounds.faces import DayPlan
    from carezones.rounds.schedule import Day, schedule

    # places: A's home, B's home, then the calls of clients C, D (near A) and E (near B)
    T = np.array(
        [
            [0, 30, 5, 5, 30],
            [30, 0, 5, 30, 5],
            [5, 5, 0, 3, 1],
            [5, 30, 3, 0, 30],
            [30, 5, 1, 30, 0],
        ],
        dtype=float,
    )
    visits = pd.DataFrame({"client_id": ["C", "D", "E"]})

    def plan(rows, routes):
        n, m = len(rows), 3
        t = T[np.ix_([*rows, 2, 3, 4], [*rows, 2, 3, 4])]
        d = Day(
            t,
            n,
            np.full(m, 480.0),
            np.full(m, 720.0),
            np.full(m, 30.0),
            np.ones(m, dtype=np.int64),
            np.full(n, 420.0),
            np.full(n, 900.0),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, np.inf),
        )
        carers = pd.DataFrame({"carer_id": ["AB"[r] for r in rows]})
        return DayPlan(visits, carers, d, routes, schedule(d, routes)[0], np.ones((n, m), bool))

    # day 1: only A works, and serves C; day 2: A serves D, B serves E then C
    return {"d1": plan([0], [[(0, 0)]]), "d2": plan([0, 1], [[(1, 0)], [(2, 0), (0, 0)]])}


def test_a_face_met_on_one_day_only_hands_its_visits_on_when_worth_the_travel():
    from carezones.rounds.faces import fewer_faces

    # handing C's call on day 2 from B to A adds 2 minutes: 3 at A's, less 1 at B's
    days = _two_days_of_one_client()
    assert fewer_faces(days, weight=8.0) == {"d2"}
    assert days["d2"].routes in ([[(0, 0), (1, 0)], [(2, 0)]], [[(1, 0), (0, 0)], [(2, 0)]])
    assert days["d1"].routes == [[(0, 0)]]
    # worth less than 2 minutes, one face fewer is not taken
    days = _two_days_of_one_client()
    assert fewer_faces(days, weight=1.5) == set()
    assert days["d2"].routes == [[(1, 0)], [(2, 0), (0, 0)]]
