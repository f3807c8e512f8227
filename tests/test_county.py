"""County plans: visits from hours, teams, designs judged by their rounds, in parallel."""

from __future__ import annotations

import json
import os
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones import CountyInputs, CountyOptions
from carezones.cli import main
from carezones.county import CarePattern, TeamRule, plan_designs, visits_from_hours
from carezones.county.teams import size_team, team_shifts

from .conftest import cache_at


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder, size="tiny", seed=0)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
        clients = cz.read_clients(county.clients_path, area=net)
        rng = np.random.default_rng(0)
        clients["provider"] = [f"P{i}" for i in rng.integers(0, 6, len(clients))]
        yield county, net, clients


def test_visits_keep_the_weekly_hours_and_the_stated_rules(tiny):
    _, _, clients = tiny
    day = visits_from_hours(clients, seed=0)
    care = (day.duration_minutes * day.carers_required).groupby(day.client_id).sum()
    daily = clients.set_index("client_id").hours_per_week * 60 / 7
    regular = daily[daily >= 30]
    np.testing.assert_allclose(care[regular.index], regular, atol=3)  # rounding to minutes
    assert (day.duration_minutes >= 15).all() and day.groupby("client_id").size().max() <= 4
    heavy = clients.client_id[clients.hours_per_week >= 21]
    doubles = day[day.carers_required == 2]
    assert set(doubles.client_id) <= set(heavy)
    assert day.equals(visits_from_hours(clients, seed=0))  # deterministic
    assert len(cz.read_visits(day)) == len(day)  # valid input for the rounds


def test_a_pattern_with_two_calls_at_most(tiny):
    _, _, clients = tiny
    day = visits_from_hours(clients, pattern=CarePattern(max_calls=2))
    assert day.groupby("client_id").size().max() <= 2
    with pytest.raises(ValueError, match="order"):
        CarePattern(max_calls=5)


def test_real_visits_must_name_known_clients(tiny):
    _, _, clients = tiny
    real = visits_from_hours(clients).head(3).assign(client_id=["nobody", "x", "y"])
    with pytest.raises(ValueError, match="not among the clients"):
        visits_from_hours(clients, visits=real)


def test_team_sizing_covers_each_slot_and_shifts_read_back():
    day = pd.DataFrame(
        {
            "window_start": [420.0, 430.0, 720.0, 1140.0],
            "window_end": [540.0, 550.0, 810.0, 1260.0],
            "duration_minutes": [45.0, 45.0, 30.0, 30.0],
            "carers_required": [1, 2, 1, 1],
        }
    )
    counts = size_team(day, [10.0, 10.0, 10.0, 10.0])
    assert counts["early"] >= 1 and counts["early"] + counts["split"] >= 2  # a double at 07:10
    homes = np.array([[-0.7, 52.6], [-0.71, 52.61], [-0.72, 52.62]])
    shifts = team_shifts(counts, homes, prefix="Z-")
    carers = cz.read_carers(shifts.drop(columns="shift_kind"))
    assert carers.carer_id.nunique() == counts["carers"]
    with pytest.raises(ValueError, match="utilisation"):
        TeamRule(utilisation=1.5)


@pytest.fixture(scope="module")
def compared(tiny):
    _, net, clients = tiny
    designs = {"today": "provider", "zones-2": cz.build_zones(clients, net, 2)}
    return plan_designs(designs, clients, net, options=CountyOptions(iterations=300, workers=1))


def test_zoned_teams_travel_less_than_scattered_providers(compared):
    today, zoned = compared["today"], compared["zones-2"]
    assert today.kpis["visits"] == zoned.kpis["visits"]  # the same day for both designs
    assert zoned.kpis["travel_minutes_per_care_hour"] < today.kpis["travel_minutes_per_care_hour"]


def test_every_round_passes_the_checker_and_every_visit_is_accounted_for(compared, tiny):
    _, _, clients = tiny
    for plan in compared.values():
        assert plan.kpis["rule_violations"] == 0
        served = (plan.itineraries.kind == "visit").sum()
        copies = plan.visits.carers_required.sum()
        unserved_copies = (
            plan.visits.set_index("visit_id").carers_required[plan.unserved.visit_id].sum()
        )
        assert served + unserved_copies == copies
        assert plan.unserved.reason.str.len().gt(0).all()
        assert plan.zones.clients.sum() + len(plan.unplanned) == len(clients)


@pytest.mark.slow
def test_one_and_two_dask_workers_give_identical_results(tiny, compared, dask_client):
    _, net, clients = tiny
    designs = {"today": "provider", "zones-2": cz.build_zones(clients, net, 2)}
    on_two = CountyOptions(iterations=300, client=dask_client)  # the session's two workers
    two = plan_designs(designs, clients, net, options=on_two)
    for name, plan in compared.items():
        a = plan.itineraries
        b = two[name].itineraries
        pd.testing.assert_frame_equal(a, b)
        assert plan.kpis["travel_minutes"] == two[name].kpis["travel_minutes"]


def test_bad_designs_get_clear_errors_naming_rows(tiny):
    _, net, clients = tiny
    cut = clients.copy()
    cut.loc[cut.index[[2, 5]], "provider"] = [None, " "]
    with pytest.raises(cz.ValidationError, match=r"row \d+.*no provider given"):
        cz.plan_county("provider", cut, net, options=cz.CountyOptions(iterations=50, workers=1))
    lo, la, hi, ha = net.bounds
    half = gpd.GeoDataFrame(
        {"zone_id": ["west"]},
        geometry=[shapely.box(lo - 1, la - 1, (lo + hi) / 2, ha + 1)],
        crs=4326,
    )
    with pytest.raises(cz.ValidationError, match="the client lies in no zone"):
        cz.plan_county(half, clients, net, options=cz.CountyOptions(iterations=50, workers=1))


def test_the_county_command_writes_a_private_report(tiny, tmp_path, capsys):
    county, _, clients = tiny
    path = tmp_path / "clients.csv"
    pd.DataFrame(
        {
            "client_id": clients.client_id,
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "hours_per_week": clients.hours_per_week,
            "provider": clients.provider,
        }
    ).to_csv(path, index=False)
    out = tmp_path / "out"
    args = [
        "county",
        "--osm",
        str(county.osm_path),
        "--clients",
        str(path),
        "--engine",
        "builtin",
        "--provider-column",
        "provider",
        "--zones",
        "2",
        "3",
        "--iterations",
        "200",
        "--workers",
        "1",
        "--rate-per-hour",
        "12.21",
        "--rate-per-mile",
        "0.45",
        "--co2-kg-per-km",
        "0.17",
        "--out",
        str(out),
        "-q",
    ]
    assert main(args) == 0
    designs = pd.read_csv(out / "designs.csv")
    assert list(designs.design) == ["today", "zones-2", "zones-3"]
    assert {"travel_minutes_per_care_hour", "carers", "travel_cost_per_care_hour", "co2_kg"} <= set(
        designs.columns
    )
    index = (out / "index.html").read_text()
    assert "<svg" in index and "designs/zones-2/map.html" in index
    summary = json.loads((out / "summary.json").read_text())
    assert summary["demand"]["visits"] > 0
    shared = [out / "index.html", out / "summary.md", out / "summary.json", out / "designs.csv"]
    shared += sorted(out.glob("designs/*/map.html")) + sorted(out.glob("designs/*/zones.csv"))
    homes = np.column_stack([clients.geometry.x, clients.geometry.y])
    for f in shared:
        assert not _client_coordinates_in(f.read_text(errors="ignore"), homes), f


def _client_coordinates_in(text: str, homes: np.ndarray) -> bool:
    """Whether two numbers in a row of the text are a client's coordinates (within ~1 m)."""
    nums = np.array([float(x) for x in re.findall(r"-?\d+\.\d+", text)])
    if len(nums) < 2:
        return False
    pairs = np.vstack(
        [np.column_stack([nums[:-1], nums[1:]]), np.column_stack([nums[1:], nums[:-1]])]
    )
    from scipy.spatial import cKDTree

    dist, _ = cKDTree(homes).query(pairs)
    return bool((dist < 1e-5).any())


def test_carers_homes_never_shape_the_zones(tiny):
    """One rule for growing zones: a county's zones are build_zones' zones, whatever the homes."""
    _, net, clients = tiny
    junctions = np.column_stack([net.lon[net.junction_nodes], net.lat[net.junction_nodes]])
    ours = cz.build_zones(clients, net, 2)
    for homes in (None, net.buildings.homes, junctions[:20]):
        got = cz.compare_designs(
            clients,
            net,
            zone_counts=[2],
            inputs=CountyInputs(homes=homes),
            options=CountyOptions(iterations=50, workers=1),
        ).zone_plans["zones-2"]
        pd.testing.assert_frame_equal(got.assignments, ours.assignments)
        assert got.zones.geometry.geom_equals_exact(ours.zones.geometry, 0.0).all()


def test_county_arguments_are_checked(tiny, tmp_path):
    _, net, clients = tiny
    with pytest.raises(ValueError, match="iterations"):
        cz.plan_county("provider", clients, net, options=cz.CountyOptions(iterations=0))
    with pytest.raises(ValueError, match="nothing to compare"):
        cz.compare_designs(clients, net)
    with pytest.raises(SystemExit):
        main(["county", "--osm", "x", "--clients", "y", "--zones", "0", "--out", "o"])


@pytest.mark.slow
def test_compare_designs_on_a_cluster_started_early_gives_the_same_results(tiny, compared):
    """compare_designs starts its cluster before designing zones; the results do not change."""
    _, net, clients = tiny
    two = cz.compare_designs(
        clients,
        net,
        designs={"today": "provider"},
        zone_counts=[2],
        progress=False,
        options=cz.CountyOptions(iterations=300, workers=2),
    )
    for name, plan in compared.items():
        a = plan.itineraries
        pd.testing.assert_frame_equal(a, two.plans[name].itineraries)


def _trim_threshold() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


@pytest.mark.slow
def test_local_workers_keep_the_default_allocator(dask_client):
    """Dask's MALLOC_TRIM_THRESHOLD_ slows a zone's day by a fifth; our workers go without it.

    The session's cluster was started by ``local_client`` like any other.
    """
    if "MALLOC_TRIM_THRESHOLD_" in os.environ:
        pytest.skip("MALLOC_TRIM_THRESHOLD_ is set in this shell: the workers inherit it")
    assert set(dask_client.run(_trim_threshold).values()) == {None}
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ  # this process is not changed either
