"""Zones: balance, contiguity, tiling, determinism, unassigned clients, options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones.zones import ZoneAreas, ZoneError, ZoneOptions, build_zones

from .conftest import cache_at


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("zones")
    with cache_at(d / "cache"):
        c = cz.make_synthetic_county(d, size="small", seed=0)
        net = cz.load_network(c.osm_path, engine="builtin")
    clients = cz.read_clients(c.clients_path, area=net)
    return net, clients


@pytest.fixture(scope="module")
def plan(county):
    net, clients = county
    return build_zones(clients, net, 8)


def test_zones_tile_the_area_without_gaps_or_overlaps(plan):
    z = plan.zones.to_crs(27700)
    assert len(z) == 8
    assert plan.kpis["gap_km2"] < 1e-6 and plan.kpis["overlap_km2"] < 1e-6
    geoms = z.geometry.to_numpy()
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert shapely.intersection(geoms[i], geoms[j]).area < 1.0  # m², shared borders only


def test_every_zone_is_one_piece_and_holds_its_clients(plan, county):
    _, clients = county
    assert plan.kpis["contiguous"]
    assert (plan.zones.geom_type == "Polygon").all()
    zone_of = plan.assign(clients)
    got = pd.Series(zone_of.to_numpy(), index=clients["client_id"].to_numpy())
    a = plan.assignments.set_index("client_id")["zone_id"]
    assert (got.loc[a.index].to_numpy() == a.to_numpy()).all()


def test_every_client_is_zoned_or_listed(plan, county):
    _, clients = county
    assert len(plan.assignments) + len(plan.unassigned) == len(clients)
    assert plan.zones["clients"].sum() == len(plan.assignments)
    assert plan.zones["hours_per_week"].sum() == pytest.approx(
        plan.assignments.hours_per_week.sum()
    )


def test_same_inputs_and_seed_same_zones(plan, county):
    net, clients = county
    again = build_zones(clients, net, 8)
    pd.testing.assert_frame_equal(again.assignments, plan.assignments)


def test_hours_within_tolerance(plan):
    assert plan.kpis["balanced"]
    assert abs(plan.kpis["worst_deviation"]) <= 0.05
    assert (plan.zones.deviation.abs() <= 0.05).all()


@pytest.mark.parametrize("k", [4, 12])
def test_hours_within_tolerance_other_counts(county, k):
    net, clients = county
    plan = build_zones(clients, net, k)
    assert plan.kpis["balanced"], plan.kpis["notes"]
    assert plan.kpis["contiguous"] and (plan.zones.geom_type == "Polygon").all()
    assert plan.kpis["gap_km2"] < 1e-6 and plan.kpis["overlap_km2"] < 1e-6


def test_impossible_balance_is_reported_not_hidden(county):
    net, clients = county
    heavy = clients.copy()
    heavy.loc[heavy.index[0], "hours_per_week"] = heavy.hours_per_week.sum()  # half of all
    plan = build_zones(heavy, net, 4)
    assert not plan.kpis["balanced"]
    assert any("could not all be brought within" in n for n in plan.kpis["notes"])
    assert plan.kpis["worst_deviation"] > 0.5  # how close it got is reported
    assert len(plan.assignments) + len(plan.unassigned) == len(heavy)


def test_fixed_centres_are_kept(county):
    net, clients = county
    centres = clients.iloc[[0, 200, 400]].geometry
    plan = build_zones(clients, net, 3, areas=ZoneAreas(centres=centres))
    got = np.sort(plan.zones[["centre_lon", "centre_lat"]].to_numpy(), axis=0)
    want = np.sort(np.column_stack([centres.x, centres.y]), axis=0)
    np.testing.assert_allclose(got, want, atol=1e-9)
    with pytest.raises(ZoneError, match="one per zone"):
        build_zones(clients, net, 4, areas=ZoneAreas(centres=centres))


def _far_point(net):
    """A point inside the study area but more than 1 km from any road (a reservoir)."""
    from carezones.zones.inputs import study_area as _study_area

    lo, la, hi, ha = net.bounds
    gx, gy = np.meshgrid(np.linspace(lo, hi, 60), np.linspace(la, ha, 60))
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    mx, my = net.to_metric(grid[:, 0], grid[:, 1])
    inside = shapely.contains_xy(_study_area(net, None), mx, my)
    return grid[inside & net.snap(grid).far][0]


def test_far_clients_are_zoned_flagged_and_their_travel_estimated(county):
    """A client over 1 km from any road but inside the area is zoned by its polygon."""
    net, clients = county
    extra = clients.iloc[:2].copy()
    extra["client_id"] = ["FAR", "OUT"]
    lon0, lat0 = float(clients.geometry.x.mean()), float(clients.geometry.y.mean())
    far = _far_point(net)
    extra.geometry = shapely.points([far, [lon0 + 3.0, lat0]])
    both = pd.concat([clients, extra], ignore_index=True)
    plan = build_zones(both, net, 4)
    reasons = plan.unassigned.set_index("client_id")["reason"]
    assert list(reasons.index) == ["OUT"] and reasons["OUT"] == "outside the study area"
    a = plan.assignments.set_index("client_id")
    assert a.loc["FAR", "far_from_road"] and not a.drop("FAR").far_from_road.any()
    assert plan.kpis["far_from_road"] == 1
    # zoned by the polygon it lies in
    assert plan.assign(both.iloc[[-2]]).iloc[0] == a.loc["FAR", "zone_id"]
    # minutes: a straight line to the nearest road at the access speed, then the roads
    snap = net.snap(np.array([far]))
    leg = snap.distance_m[0] / (net.speeds.access_kph("drive") * 1000 / 60)
    centre = plan.zones.set_index("zone_id").loc[a.loc["FAR", "zone_id"]]
    road = net.travel_times(
        [[centre.centre_lon, centre.centre_lat]], np.column_stack([snap.lon, snap.lat])
    )[0, 0]
    assert a.loc["FAR", "minutes_to_centre"] == pytest.approx(road + leg, rel=1e-6)
    assert np.isfinite(plan.assignments.minutes_to_centre).all()
    assert "far_from_road" in plan.summary() or "from any road" in plan.summary()


def test_duplicate_locations_share_a_zone(county):
    net, clients = county
    dup = clients.iloc[:40].copy()
    twin = dup.iloc[:10].copy()
    twin["client_id"] = [f"TWIN{i}" for i in range(10)]
    both = pd.concat([dup, twin], ignore_index=True)
    plan = build_zones(both, net, 3, options=ZoneOptions(seed=1))
    a = plan.assignments.set_index("client_id")["zone_id"]
    for orig, tw in zip(dup.client_id.iloc[:10], twin.client_id, strict=True):
        assert a[orig] == a[tw]


def test_more_zones_than_places_is_a_clear_error(county):
    net, clients = county
    with pytest.raises(ZoneError, match="ask for at most 3 zones"):
        build_zones(clients.iloc[:3], net, 10, options=ZoneOptions(show_clients=True))
    with pytest.raises(ZoneError, match="either n_zones or hours_per_zone"):
        build_zones(clients, net)


def test_hours_per_zone_sets_the_count(county):
    net, clients = county
    total = clients.hours_per_week.sum()
    plan = build_zones(clients, net, hours_per_zone=total / 5)
    assert plan.kpis["n_zones"] == 5


def test_boundary_clips_the_study_area(county):
    net, clients = county
    lo, la, hi, ha = net.bounds
    box = shapely.box(lo, la, (lo + hi) / 2, ha)
    plan = build_zones(clients, net, 3, areas=ZoneAreas(boundary=box))
    area = plan.zones.to_crs(27700).union_all().area
    import geopandas as gpd

    assert area == pytest.approx(gpd.GeoSeries([box], crs=4326).to_crs(27700).area[0], rel=1e-6)
    assert (plan.unassigned.reason == "outside the study area").all()
    assert len(plan.unassigned) > 0


def test_previous_plan_reported_as_stable(plan, county):
    net, clients = county
    again = build_zones(clients, net, 8, previous=plan.zones, options=ZoneOptions(seed=3))
    assert again.kpis["moved_hours_share"] is not None
    assert again.kpis["moved_hours_share"] < 0.25
    np.testing.assert_array_equal(np.sort(again.zones.zone_id), np.sort(plan.zones.zone_id))


def test_zone_files_and_map(plan, county, tmp_path):
    import json

    import geopandas as gpd

    _, clients = county
    paths = plan.to_files(tmp_path / "out")
    assert {p.name for p in paths} >= {
        "assignments.csv",
        "zones.gpkg",
        "zones.html",
        "summary.json",
    }
    a = pd.read_csv(tmp_path / "out" / "assignments.csv")
    assert list(a.columns[:2]) == ["client_id", "zone_id"] and len(a) == len(plan.assignments)
    z = gpd.read_file(tmp_path / "out" / "zones.gpkg", layer="zones")
    assert len(z) == 8 and "hours_per_week" in z
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["n_zones"] == 8 and len(summary["zones"]) == 8
    html = (tmp_path / "out" / "zones.html").read_text()
    assert "SYNTHETIC DATA" in html and "Hours a week" in html
    assert not any(cid in html for cid in clients.client_id)  # no client named on the map


def test_zones_command(county, tmp_path, capsys):
    from carezones.cli import main

    net, clients = county
    src = tmp_path / "clients.csv"
    pd.DataFrame(
        {
            "client_id": clients.client_id,
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "hours_per_week": clients.hours_per_week,
        }
    ).to_csv(src, index=False)
    out = tmp_path / "z"
    args = ["zones", "--osm", net.provenance.source, "--clients", str(src), "--zones", "4"]
    assert main([*args, "--out", str(out), "--engine", "builtin"]) == 0
    assert (out / "zones.html").exists() and (out / "summary.md").exists()
    assert "4 zones" in capsys.readouterr().out


def test_localities_are_never_crossed(county):
    import geopandas as gpd

    net, clients = county
    lo, la, hi, ha = net.bounds
    mid = float(np.median(clients.geometry.x))
    halves = gpd.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[
            shapely.box(lo - 0.1, la - 0.1, mid, ha + 0.1),
            shapely.box(mid, la - 0.1, hi + 0.1, ha + 0.1),
        ],
        crs=4326,
    )
    plan = build_zones(clients, net, 4, areas=ZoneAreas(localities=halves))
    assert plan.kpis["n_zones"] == 4
    west = halves.to_crs(27700).geometry.iloc[0]
    for geom in plan.zones.to_crs(27700).geometry:
        inside_west = geom.intersection(west).area / geom.area
        assert inside_west < 1e-6 or inside_west > 1 - 1e-6  # each zone on one side only
    assert len(plan.assignments) + len(plan.unassigned) == len(clients)
