"""A realistic "today" by a brokerage model, and how many providers each zone can carry."""

from __future__ import annotations

import json
from dataclasses import replace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import carezones as cz
from carezones import testing
from carezones.cli import main
from carezones.county import (
    BrokerageOptions,
    ViableHours,
    allocate_providers,
    judge_viability,
    office_minutes,
    zone_viability,
)
from carezones.errors import ArgumentError, ValidationError
from carezones.io import read_providers
from carezones.report.county import withheld_zones
from carezones.report.county_notes import viability_lines

from .conftest import cache_at

MODELS = ("nearest", "gravity", "random")


@pytest.fixture(scope="module", autouse=True)
def _cache(tmp_path_factory):
    with cache_at(tmp_path_factory.mktemp("cache")):
        yield


@pytest.fixture(scope="module")
def spread() -> gpd.GeoDataFrame:
    """Six offices on road junctions across the tiny county (town and villages), no capacity."""
    net = testing.net()
    j = net.junction_nodes
    pick = np.random.default_rng(0).choice(len(j), 6, replace=False)
    return gpd.GeoDataFrame(
        {"provider_id": [f"O{i}" for i in range(6)]},
        geometry=gpd.points_from_xy(net.lon[j[pick]], net.lat[j[pick]]),
        crs=4326,
    )


def _allocate(offices, model, **kw):
    opts = BrokerageOptions(model=model, **kw)
    return allocate_providers(testing.clients(), offices, testing.net(), options=opts)


# ---------------------------------------------------------------------- the brokerage
@pytest.mark.parametrize("model", MODELS)
def test_brokerage_respects_capacity_and_accounts_for_every_client(model):
    offices = testing.offices().copy()
    offices["capacity_hours"] = [150.0, 120.0, np.nan, 100.0]  # P3 unlimited
    got = _allocate(offices, model)
    table = got.providers.set_index("provider_id")
    for pid in ("P1", "P2", "P4"):
        assert table.loc[pid, "hours_per_week"] <= table.loc[pid, "capacity_hours"] + 1e-9
    assert len(got.provider) == len(testing.clients()) and got.left_out.empty
    offices["capacity_hours"] = [150.0, 120.0, 90.0, 100.0]  # 460 h for 689.5 h of care
    got = _allocate(offices, model)
    load = got.providers["hours_per_week"].to_numpy()
    assert (load <= got.providers["capacity_hours"].to_numpy() + 1e-9).all()
    assert len(got.provider) + len(got.left_out) == len(testing.clients())
    assert set(got.provider.index).isdisjoint(got.left_out.client_id)
    assert set(got.left_out.cause) == {"no_capacity"} and got.kpis["clients_left_out"] > 0
    design = got.design("today")
    assert len(design.unplanned) == len(got.left_out)
    assert design.unplanned.reason.str.contains("full").all()


@pytest.mark.parametrize("model", MODELS)
def test_the_same_seed_gives_the_same_allocation(model, spread):
    one, two = _allocate(spread, model, seed=3), _allocate(spread, model, seed=3)
    pd.testing.assert_series_equal(one.provider, two.provider)
    other = _allocate(spread, model, seed=4)
    if model == "nearest":  # no draw decides anything when capacity is ample
        pd.testing.assert_series_equal(one.provider, other.provider)
    else:
        assert not one.provider.equals(other.provider)


def test_nearest_gives_each_client_its_nearest_office_when_capacity_is_ample(spread):
    got = _allocate(spread, "nearest")
    minutes = office_minutes(testing.clients(), spread, testing.net())
    nearest = spread.provider_id.to_numpy()[minutes.argmin(axis=0)]
    assert got.provider.tolist() == nearest.tolist()
    np.testing.assert_allclose(got.minutes.to_numpy(), minutes.min(axis=0))
    assert got.kpis["clients_fallback"] == 0


def test_gravity_lies_between_nearest_and_random(spread):
    mean = {m: _allocate(spread, m).kpis["mean_minutes"] for m in MODELS}
    assert mean["nearest"] < mean["gravity"] < mean["random"], mean


def test_one_matrix_serves_every_model_and_bad_options_are_refused(spread):
    minutes = office_minutes(testing.clients(), spread, testing.net())
    given = allocate_providers(
        testing.clients(), spread, testing.net(), options=BrokerageOptions(), minutes=minutes
    )
    pd.testing.assert_series_equal(given.provider, _allocate(spread, "gravity").provider)
    with pytest.raises(ArgumentError, match="shape"):
        allocate_providers(testing.clients(), spread, testing.net(), minutes=minutes[:2])
    with pytest.raises(ArgumentError, match="decay_minutes"):
        BrokerageOptions(decay_minutes=0)
    with pytest.raises(ArgumentError, match="no providers"):
        allocate_providers(testing.clients(), spread.iloc[:0], testing.net())
    with pytest.raises(ArgumentError, match="unique"):
        allocate_providers(testing.clients(), pd.concat([spread, spread]), testing.net())


def test_an_allocation_compared_says_which_model_made_today():
    got = testing.allocation()
    comparison = cz.compare_designs(
        testing.clients().head(12),
        testing.net(),
        designs={"today": got.design()},
        options=cz.CountyOptions(iterations=30, workers=1),
    )
    row = comparison.table.iloc[0]
    assert row["design"] == "today" and row["note"].startswith("gravity brokerage (decay 20 min")


# ---------------------------------------------------------------------- providers' files
def test_a_providers_file_is_checked_in_one_pass():
    bad = pd.DataFrame(
        {
            "provider_id": ["A", "B", "A", ""],
            "lat": [54.39, 95.0, 54.38, 54.39],
            "lon": [1.59, 1.56, 1.58, 1.57],
            "capacity_hours": ["400", "-5", "lots", "200"],
        }
    )
    with pytest.raises(ValidationError) as err:
        read_providers(bad)
    problems = err.value.problems
    assert sorted(set(problems.row)) == [2, 3, 4]
    text = str(err.value)
    for words in ("latitude out of range", "below 0", "not a number", "duplicate id", "missing"):
        assert words in text
    ok = read_providers(bad.iloc[[0]].drop(columns="capacity_hours"))
    assert ok.capacity_hours.isna().all()  # no column: no limit stated


def test_the_synthetic_offices_sit_in_the_towns_by_size(tmp_path):
    county = cz.make_synthetic_county(tmp_path / "a", size="small", seed=0)
    offices = pd.read_csv(county.providers_path)
    assert len(offices) == county.n_providers == 8
    assert set(offices.town) <= set(county.towns) and offices.provider_id.is_unique
    hours = pd.read_csv(county.clients_path).hours_per_week.sum()
    assert offices.capacity_hours.sum() == pytest.approx(1.3 * hours, rel=0.02)
    again = cz.make_synthetic_county(tmp_path / "b", size="small", seed=0, n_providers=3)
    assert again.clients_path.read_bytes() == county.clients_path.read_bytes()
    assert again.osm_path.read_bytes() == county.osm_path.read_bytes()
    assert again.n_providers == 3


# ---------------------------------------------------------------------- the command line
def _clients_with_provider(tmp_path):
    clients = testing.clients()
    path = tmp_path / "clients.csv"
    pd.DataFrame(
        {
            "client_id": clients.client_id,
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "hours_per_week": clients.hours_per_week,
            "provider": np.where(np.arange(len(clients)) % 2, "North", "South"),
        }
    ).head(15).to_csv(path, index=False)
    return path


def _county(tmp_path, *extra):
    return [
        "county",
        "--osm",
        str(testing.county().osm_path),
        "--clients",
        str(_clients_with_provider(tmp_path)),
        "--engine",
        "builtin",
        "--iterations",
        "30",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "out"),
        *extra,
    ]


def test_a_real_provider_column_overrides_providers(tmp_path, capsys):
    offices = str(testing.county().providers_path)
    args = _county(tmp_path, "--provider-column", "provider", "--providers", offices)
    assert main(args) == 0
    err = capsys.readouterr().err
    assert "--provider-column gives today's real allocation, which always wins" in err
    designs = pd.read_csv(tmp_path / "out" / "designs.csv")
    assert designs.design.tolist() == ["today"] and designs.zones.tolist() == [2]
    assert "provider column 'provider' (the real allocation)" in designs.note[0]
    assert not (tmp_path / "out" / "brokerage").exists()


def test_the_county_command_compares_today_under_three_models_and_judges_zones(tmp_path):
    offices = str(testing.county().providers_path)
    extra = ["--providers", offices, "--brokerage", *MODELS, "--zones", "2"]
    args = _county(tmp_path, *extra, "--viable-hours", "20", "60", "-q")
    assert main(args) == 0
    out = tmp_path / "out"
    designs = pd.read_csv(out / "designs.csv")
    assert designs.design.tolist() == ["today-nearest", "today-gravity", "today-random", "zones-2"]
    assert designs.note[1].startswith("gravity brokerage (decay 20 min, seed 0) over 4")
    assert designs.zones_not_viable.isna().tolist() == [True, True, True, False]
    zones = pd.read_csv(out / "designs" / "zones-2" / "zones.csv")
    assert {"hours_per_week", "providers_at_most", "providers_at_least", "viability"} <= set(
        zones.columns
    )
    summary = (out / "summary.md").read_text()
    assert "## How the designs were made" in summary and "## Viability per zone" in summary
    assert "random brokerage (seed 0)" in summary
    notes = json.loads((out / "summary.json").read_text())["notes"]
    assert notes["viable_hours"] == {"min_hours": 20.0, "max_hours": 60.0}
    assert (out / "brokerage" / "today-gravity" / "providers.csv").exists()
    assert main(args) == 0  # the same folder again: every file in it was written by carezones


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--providers", "BAD"], "row 3"),
        (["--viable-hours", "900", "700", "--zones", "2"], "must be at least min_hours"),
        (["--brokerage", "nearest", "--zones", "2"], "give --providers FILE"),
    ],
)
def test_bad_providers_or_options_exit_2_naming_the_problem(tmp_path, capsys, extra, words):
    bad = tmp_path / "providers.csv"
    bad.write_text("provider_id,lat,lon,capacity_hours\nA,54.39,1.59,100\nA,54.38,1.56,-1\n")
    extra = [str(bad) if e == "BAD" else e for e in extra]
    assert main(_county(tmp_path, *extra)) == 2
    err = capsys.readouterr().err
    assert words in err
    if extra[0] == "--providers":
        assert "duplicate id" in err and "below 0" in err


# ---------------------------------------------------------------------- viability
def test_zone_viability_counts_providers_and_flags_zones_that_carry_none():
    hours = pd.Series({"a": 699.0, "b": 700.0, "c": 2000.0, "d": 2001.0, "e": 0.0})
    got = zone_viability(hours, ViableHours(700, 2000))
    assert got.providers_at_most.tolist() == [0, 1, 2, 2, 0]  # floor(hours / MIN)
    assert got.providers_at_least.tolist() == [1, 1, 1, 2, 0]  # ceil(hours / MAX)
    assert got.viable.tolist() == [False, True, True, True, False]
    assert got.loc["a", "viability"].startswith("carries no provider")
    with pytest.raises(ArgumentError):
        ViableHours(0, 10)
    with pytest.raises(ArgumentError):
        zone_viability(pd.Series({"a": -1.0}), ViableHours(1, 2))


def test_viability_never_publishes_hours_of_a_withheld_zone():
    judged = judge_viability(testing.comparison(), testing.clients().head(12), ViableHours(40, 60))
    plan = judged.plans["zones-2"]
    assert judged.table.set_index("design").loc["zones-2", "zones_not_viable"] == 0
    small = replace(plan, zones=plan.zones.assign(clients=[3, 9]))  # both withheld
    ((_, lines),) = viability_lines(replace(judged, plans={"zones-2": small}), withheld_zones)
    assert all("numbers withheld" in line and "carr" not in line for line in lines)
    for h in plan.zones.hours_per_week:
        assert not any(f"{h:,.0f} hours" in line for line in lines)
