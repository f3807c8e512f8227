"""Travel profiles: calibrated on visit logs, read and written, applied to every drive leg."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from carezones import testing
from carezones.calibration import CalibrationOptions, calibrate, fit_class
from carezones.cli import main
from carezones.errors import ArgumentError, ConfigError, ValidationError
from carezones.network import ClassTimes, DensityRule, ProfileProvenance, TravelProfile
from carezones.synthetic import LogOptions, visit_log

RULE = DensityRule(1000, 10)  # the tiny county's town is drawn sparsely
PROFILE = TravelProfile(ClassTimes(1.5, 4.0), ClassTimes(1.2, 2.0), rule=RULE, name="test")


@pytest.fixture(scope="module")
def tiny_log() -> pd.DataFrame:
    """A synthetic log of the tiny county following testing.TRUTH (40 dates, little noise)."""
    opts = LogOptions(days=40, seed=2, noise_minutes=0.3)
    return visit_log(testing.county(), testing.net(), testing.TRUTH, opts)


def _options(**kw) -> CalibrationOptions:
    return CalibrationOptions(rule=testing.TRUTH.rule, fitted_at="2025-01-01T00:00:00Z", **kw)


# ---------------------------------------------------------------------- the profile file
def test_profile_round_trips_toml(tmp_path):
    prov = ProfileProvenance("log.csv", "2025-01-06", "2025-02-14", 1234, 700, 534, "now", "ml")
    profile = TravelProfile(
        ClassTimes(1.3456, 3.75), ClassTimes(1.1, 0.0), rule=RULE, name='q1 "b"', provenance=prov
    )
    path = tmp_path / "travel-profile.toml"
    path.write_text(profile.to_toml(), encoding="utf-8")
    assert TravelProfile.load(path) == profile
    bare = TravelProfile(ClassTimes(2, 1), ClassTimes(1, 0))
    path.write_text(bare.to_toml(), encoding="utf-8")
    assert TravelProfile.load(path) == bare


def test_a_bad_profile_file_names_every_problem_at_once(tmp_path, cache, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(
        "[urban]\nmultiplier = 7\noverhead_minutes = -1\n[rural]\nmultiplier = 'x'\n"
        "[suburban]\nmultiplier = 1\n[rule]\nradius_m = 5\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        TravelProfile.load(path)
    problems = err.value.problems
    assert len(problems) == 6, problems
    text = "\n".join(problems)
    for words in (
        "unknown table [suburban]",
        "[urban] multiplier must be more than 0 and at most 5, not 7",
        "[urban] overhead_minutes must be between 0 and 60, not -1",
        "[rural] multiplier must be more than 0",
        "[rural] overhead_minutes is missing",
        "[rule] radius_m must be between 50 and 20000",
    ):
        assert words in text
    county = testing.county()
    args = ["travel-times", "--osm", str(county.osm_path), "--points", str(county.clients_path)]
    args += ["--travel-profile", str(path), "--out", str(tmp_path / "m.csv"), "-q"]
    assert main(args) == 2
    assert "bad.toml: 6 problem(s)" in capsys.readouterr().err


# ---------------------------------------------------------------------- applying a profile
def _expected(net, points, profile) -> np.ndarray:
    model = net.with_profile(None).travel_times(points, engine="builtin")
    urban = net.urban_places(points, profile.rule)
    both = urban[:, None] & urban[None, :]
    u, r = profile.urban, profile.rural
    out = np.where(
        both, u.multiplier * model + u.overhead_minutes, r.multiplier * model + r.overhead_minutes
    )
    np.fill_diagonal(out, 0.0)
    return out


def test_travel_times_command_returns_multiplier_times_model_plus_overhead(tmp_path, cache):
    county, net = testing.county(), testing.net()
    path = tmp_path / "travel-profile.toml"
    path.write_text(PROFILE.to_toml(), encoding="utf-8")
    base = ["travel-times", "--osm", str(county.osm_path), "--points", str(county.clients_path)]
    base += ["--engine", "builtin", "-q"]
    assert main([*base, "--out", str(tmp_path / "model.csv")]) == 0
    assert main([*base, "--travel-profile", str(path), "--out", str(tmp_path / "cal.csv")]) == 0
    model = pd.read_csv(tmp_path / "model.csv", index_col=0).to_numpy()
    calibrated = pd.read_csv(tmp_path / "cal.csv", index_col=0).to_numpy()
    points = testing.points()
    urban = net.urban_places(points, RULE)
    assert 0 < urban.sum() < len(urban)  # both classes are tested
    both = urban[:, None] & urban[None, :]
    want = np.where(both, 1.5 * model + 4.0, 1.2 * model + 2.0)
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(calibrated, want, atol=2e-3)  # the CSV keeps 3 decimals
    assert (calibrated[~np.eye(len(points), dtype=bool)] >= 2.0).all()


def test_every_query_of_a_profiled_network_follows_the_profile():
    net = testing.net()
    cal = net.with_profile(PROFILE)
    pts = testing.points()
    want = _expected(net, pts, PROFILE)
    np.testing.assert_allclose(cal.travel_times(pts), want, rtol=1e-12)
    homes, shops = pts[5:], pts[:5]
    minutes, index = cal.nearest(homes, shops)
    np.testing.assert_allclose(minutes, want[5:, :5].min(axis=1))
    assert (index == want[5:, :5].argmin(axis=1)).all()
    pairs = cal.within(homes, shops, 9.0)
    assert len(pairs) == int((want[5:, :5] <= 9.0).sum())
    np.testing.assert_allclose(pairs.minutes, want[5:, :5][pairs.origin, pairs.target])
    same = cal.within(pts, pts, 0.5)  # only each place with itself
    assert (same.origin == same.target).all() and len(same) == len(pts)
    routes = cal.routes(pts[:3], [[0, 1], [1, 2], [2, 2]])
    np.testing.assert_allclose([r.minutes for r in routes], [want[0, 1], want[1, 2], 0.0])
    to_nodes = cal.times_to_nodes(pts[:2])
    assert (to_nodes[np.isfinite(to_nodes)] >= 2.0).all()  # every node another place
    assert net.travel_profile is None and cal.with_profile(None).travel_profile is None
    assert cal.kpis["travel_profile"] == "test" and net.kpis["travel_profile"] == "none"


def test_the_osrm_engine_follows_the_profile_too(cache):
    from carezones import load_network

    net = load_network(testing.county().osm_path, engine="osrm")
    pts = testing.points()[:20]
    model = net.travel_times(pts, engine="osrm")
    urban = net.urban_places(pts, RULE)
    both = urban[:, None] & urban[None, :]
    want = np.where(both, 1.5 * model + 4.0, 1.2 * model + 2.0)
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(net.with_profile(PROFILE).travel_times(pts), want)


def test_a_walk_network_never_takes_a_drive_profile(grid_file, cache):
    from carezones import load_network

    walk = load_network(grid_file, "walk", engine="builtin")
    with pytest.raises(ArgumentError, match="for drive networks"):
        walk.with_profile(PROFILE)


def test_a_profile_changes_the_rounds_travel():
    from carezones import RoundsOptions, plan_rounds, read_carers, read_visits
    from carezones.synthetic import example_day

    net = testing.net()
    flat = TravelProfile(ClassTimes(1.0, 5.0), ClassTimes(1.0, 5.0), rule=RULE, name="flat")
    visits, carers = example_day(testing.points()[:8], testing.points()[8:11])
    visits, carers = read_visits(visits, area=net), read_carers(carers, area=net)
    opts = RoundsOptions(iterations=100)
    plain = plan_rounds(visits, carers, net, options=opts)
    slow = plan_rounds(visits, carers, net.with_profile(flat), options=opts)
    assert not slow.check()
    assert slow.kpis["travel_minutes"] > plain.kpis["travel_minutes"]
    legs = slow.itineraries["travel_minutes"].to_numpy(dtype=float)
    assert ((legs == 0) | (legs >= 5.0 - 1e-9)).all()  # 0 at the same place, else + 5 min
    assert (legs >= 5.0 - 1e-9).any()


# ---------------------------------------------------------------------- calibration
def test_calibration_recovers_the_truth_of_a_small_synthetic_log(tiny_log):
    share = (tiny_log["waited_minutes"] > 0).mean()
    assert 0.2 < share < 0.4  # waits on about a third of the legs
    result = calibrate(tiny_log.drop(columns="waited_minutes"), testing.net(), options=_options())
    truth = testing.TRUTH
    for c in ("urban", "rural"):
        got, want = result.profile.times(c), truth.times(c)
        assert got.multiplier == pytest.approx(want.multiplier, rel=0.05), c
        assert got.overhead_minutes == pytest.approx(want.overhead_minutes, abs=0.5), c
        assert result.kpis[f"{c}_legs"] > 100
    k = result.kpis
    assert k["mae_after_minutes"] <= 0.5 * k["mae_before_minutes"]
    assert set(result.held_out_dates) == set(result.legs.loc[result.legs.held_out, "date"])
    assert len(result.held_out_dates) == 8  # a fifth of 40 dates


def test_a_censored_leg_never_pulls_the_fit_upwards_alone(tiny_log):
    rng = np.random.default_rng(0)
    t = rng.uniform(0.5, 12, 500)
    gap = (
        1.3 * t + 3 + rng.normal(0, 0.7, 500) + (rng.random(500) < 1 / 3) * rng.exponential(12, 500)
    )
    before = fit_class(t, gap)
    for huge in (60.0, 600.0, 6000.0):
        after = fit_class(np.append(t, 2.0), np.append(gap, huge))
        assert after.multiplier == pytest.approx(before.multiplier, rel=0.005)
        assert after.overhead_minutes == pytest.approx(before.overhead_minutes, abs=0.05)
    # through the whole calibration: one visit arriving 100 minutes after the last one left
    log = tiny_log.drop(columns="waited_minutes")
    last = log[log["carer_id"] == "K001"].iloc[-1]
    extra = last.copy()
    left = pd.Timestamp(last["left"])
    extra["client_id"], extra["lat"], extra["lon"] = log.iloc[0][["client_id", "lat", "lon"]]
    extra["arrived"] = (left + pd.Timedelta(minutes=100)).isoformat()
    extra["left"] = (left + pd.Timedelta(minutes=130)).isoformat()
    longer = pd.concat([log, extra.to_frame().T], ignore_index=True)
    a = calibrate(log, testing.net(), options=_options(holdout_share=0.0)).profile
    b = calibrate(longer, testing.net(), options=_options(holdout_share=0.0)).profile
    for c in ("urban", "rural"):
        assert b.times(c).multiplier == pytest.approx(a.times(c).multiplier, rel=0.01)
        assert b.times(c).overhead_minutes == pytest.approx(a.times(c).overhead_minutes, abs=0.1)


def test_synthetic_logs_are_reproducible_by_seed():
    county, net = testing.county(), testing.net()
    a = visit_log(county, net, testing.TRUTH, LogOptions(days=3, seed=5))
    b = visit_log(county, net, testing.TRUTH, LogOptions(days=3, seed=5))
    c = visit_log(county, net, testing.TRUTH, LogOptions(days=3, seed=6))
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_too_few_legs_is_a_user_mistake():
    log = visit_log(testing.county(), testing.net(), testing.TRUTH, LogOptions(days=1, carers=2))
    with pytest.raises(ValidationError, match="legs to fit on"):
        calibrate(log, testing.net(), options=_options(min_legs=50))


# ---------------------------------------------------------------------- the command line
def _log_file(tmp_path, rows: list[tuple[str, str, str, str, str]]):
    path = tmp_path / "log.csv"
    frame = pd.DataFrame(rows, columns=["carer_id", "date", "client_id", "arrived", "left"])
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("rows", "named"),
    [
        (  # a carer in two places at once: both visits named
            [
                ("K1", "2025-01-06", "C00001", "07:00", "07:45"),
                ("K1", "2025-01-06", "C00002", "07:30", "08:00"),
            ],
            ["row 2", "row 3", "two places at once"],
        ),
        (  # left before arrived
            [
                ("K1", "2025-01-06", "C00001", "07:00", "07:30"),
                ("K1", "2025-01-06", "C00002", "08:30", "08:10"),
            ],
            ["row 3", "before it is arrived at"],
        ),
        (  # a date that cannot be read, a time that cannot, a client not in the file
            [
                ("K1", "06.01.2025", "C00001", "07:00", "07:30"),
                ("K1", "2025-01-06", "C00002", "7h50", "08:10"),
                ("K1", "2025-01-06", "C09999", "08:30", "09:00"),
            ],
            ["row 2", "not a date", "row 3", "not a time", "row 4", "not in the clients file"],
        ),
        (  # one visit a carer-day: no journey anywhere
            [
                ("K1", "2025-01-06", "C00001", "07:00", "07:30"),
                ("K2", "2025-01-06", "C00002", "07:00", "07:30"),
                ("K1", "2025-01-07", "C00003", "07:00", "07:30"),
            ],
            ["row 2", "row 3", "row 4", "no journey"],
        ),
    ],
)
def test_bad_logs_exit_2_naming_the_rows(tmp_path, cache, capsys, rows, named):
    county = testing.county()
    path = _log_file(tmp_path, rows)
    args = ["calibrate", "--osm", str(county.osm_path), "--log", str(path)]
    args += ["--clients", str(county.clients_path), "--out", str(tmp_path / "out"), "-q"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for words in named:
        assert words in err
    assert not (tmp_path / "out").exists()


def test_calibrate_command_writes_a_profile_other_commands_use(tmp_path, cache, capsys):
    county = testing.county()
    log = visit_log(county, testing.net(), testing.TRUTH, LogOptions(days=12, seed=3))
    path = tmp_path / "visits-log.csv"
    log.drop(columns=["waited_minutes", "lat", "lon"]).to_csv(path, index=False)
    out = tmp_path / "calibrated"
    args = ["calibrate", "--osm", str(county.osm_path), "--log", str(path)]
    args += ["--clients", str(county.clients_path), "--urban-junctions-per-km2", "10"]
    assert main([*args, "--out", str(out), "--cdn"]) == 0
    assert main([*args, "--out", str(tmp_path / "again"), "--cdn"]) == 0  # deterministic
    for name in ("travel-profile.toml", "legs.csv", "summary.md"):
        assert (out / name).read_bytes() == (tmp_path / "again" / name).read_bytes(), name
    printed = capsys.readouterr().out
    assert "Travel profile 'visits-log'" in printed and "held-out all legs" in printed
    names = {p.name for p in out.iterdir()}
    assert {"travel-profile.toml", "legs.csv", "observed-vs-modelled.svg", "summary.md"} <= names
    legs = pd.read_csv(out / "legs.csv")
    assert not {"lat", "lon", "client_id", "from_row", "to_row"} & set(legs.columns)
    assert list(legs.columns[:3]) == ["carer_id", "date", "seq"]
    profile = TravelProfile.load(out / "travel-profile.toml")
    assert profile.name == "visits-log" and profile.rule == RULE
    assert profile.provenance is not None and profile.provenance.first_date == "2025-01-06"
    network = ["network", "--osm", str(county.osm_path), "--travel-profile"]
    assert main([*network, str(out / "travel-profile.toml")]) == 0
    assert '"travel_profile": "visits-log"' in capsys.readouterr().out


def test_the_county_report_names_the_travel_profile_or_says_there_was_none(tmp_path):
    from carezones import CountyOptions, compare_designs

    plain = (testing.comparison().to_files(tmp_path / "plain")[2]).read_text()
    assert "no calibration profile" in plain
    profile = TravelProfile(
        name="ecm-2025", urban=ClassTimes(1.3, 4.0), rural=ClassTimes(1.1, 2.5), rule=RULE
    )
    opts = CountyOptions(iterations=30, workers=1)
    calibrated = compare_designs(
        testing.clients().head(12),
        testing.net().with_profile(profile),
        designs={"today": "town"},
        options=opts,
    )
    files = calibrated.to_files(tmp_path / "calibrated")
    text = files[2].read_text()
    assert "calibrated by the travel profile 'ecm-2025'" in text and "urban 1.3 x + 4 min" in text
    assert json.loads(files[3].read_text())["travel_profile"] == "ecm-2025"
