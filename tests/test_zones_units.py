"""Zones made of whole areal units (``build_zones(..., units=gdf)``): each zone a union of
units, balanced, compact, contiguous over units sharing a border, and listed unit by unit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones.errors import ArgumentError
from carezones.zones import ZoneAreas, ZoneError, ZoneOptions, build_zones
from carezones.zones.inputs import study_area

from .conftest import cache_at
from .zone_tools import grid_units


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("units")
    with cache_at(d / "cache"):
        c = cz.make_synthetic_county(d, size="small", seed=0)
        net = cz.load_network(c.osm_path, engine="builtin")
    clients = cz.read_clients(c.clients_path, area=net)
    return net, clients


@pytest.fixture(scope="module")
def units(county):
    net, _ = county
    return grid_units(study_area(net, None), net.crs, 1000.0)


@pytest.fixture(scope="module")
def plan(county, units):
    net, clients = county
    return build_zones(clients, net, 4, areas=ZoneAreas(units=units))


def _unit_of(units, clients):
    geo = units.to_crs(4326)
    hit = shapely.STRtree(geo.geometry.to_numpy()).query(
        shapely.points(np.column_stack([clients.geometry.x, clients.geometry.y])),
        predicate="intersects",
    )
    out = np.full(len(clients), -1)
    for p, u in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
        out[p] = u
    return out


def test_every_unit_is_in_exactly_one_zone(plan, units):
    t = plan.units
    assert list(t.columns) == ["unit_id", "zone_id", "clients", "hours_per_week"]
    assert sorted(t.unit_id) == sorted(units.code) and t.unit_id.is_unique
    assert set(t.zone_id) == set(plan.zones.zone_id)
    assert (t.clients.fillna(1) == 0).sum() > 100  # units with no clients are zoned too
    assert plan.kpis["units"] == {"count": len(units), "id_column": "code"}


def test_zones_are_unions_of_their_units_and_one_piece_each(plan, units):
    zone_of_unit = plan.units.set_index("unit_id").zone_id
    metric = units.set_index("code").geometry
    for z, geom in zip(plan.zones.zone_id, plan.zones.to_crs(units.crs).geometry, strict=True):
        mine = metric[zone_of_unit[zone_of_unit == z].index]
        union = shapely.union_all(mine.to_numpy())  # (the zone went to lon/lat and back)
        assert geom.symmetric_difference(union).area < 1e-6 * union.area
    assert plan.kpis["contiguous"] and (plan.zones.geom_type == "Polygon").all()
    assert plan.kpis["gap_km2"] < 1e-6 and plan.kpis["overlap_km2"] < 1e-6


def test_unit_zones_are_balanced_and_compact(plan):
    m = plan.kpis
    assert m["balanced"], m["notes"]
    assert m["mean_minutes_to_centre"] < 6.0  # 4.2 by roads for the same 4 zones


def test_clients_take_the_zone_of_their_unit(plan, county, units):
    _, clients = county
    unit = _unit_of(units, clients)
    zone_of_unit = plan.units.zone_id.to_numpy()
    ids = plan.units.unit_id.to_numpy()
    order = {u: i for i, u in enumerate(ids)}
    want = [zone_of_unit[order[units.code.iloc[u]]] for u in unit]
    got = plan.assignments.set_index("client_id").loc[clients.client_id, "zone_id"]
    np.testing.assert_array_equal(got.to_numpy(), want)
    t = plan.units.dropna(subset=["clients"])
    assert int(t.clients.sum()) <= len(clients)


def test_units_of_few_clients_publish_no_figures(plan, tmp_path):
    t = plan.units
    few = t[t.clients.isna()]
    assert len(few) and few.hours_per_week.isna().all()
    assert (t.clients.dropna() == 0).any() and (t.clients.dropna() >= 5).any()
    assert not ((t.clients > 0) & (t.clients < 5)).fillna(False).any()
    plan.to_files(tmp_path / "u")
    csv = pd.read_csv(tmp_path / "u" / "units.csv")
    assert len(csv) == len(t) and list(csv.columns) == list(t.columns)
    assert "units.csv" in (tmp_path / "u" / "summary.md").read_text()


def test_centres_are_junctions_inside_their_zones(plan, county):
    net, _ = county
    for rec, geom in zip(plan.zones.itertuples(), plan.zones.geometry, strict=True):
        assert ((net.lon == rec.centre_lon) & (net.lat == rec.centre_lat)).any()
        assert geom.buffer(1e-9).contains(shapely.Point(rec.centre_lon, rec.centre_lat))


def test_clients_in_no_unit_are_listed_with_the_reason(county, units):
    net, clients = county
    west = units[units.geometry.centroid.x < units.total_bounds[[0, 2]].mean()]
    plan = build_zones(clients, net, 3, areas=ZoneAreas(units=west))
    assert len(plan.unassigned) > 0
    assert (plan.unassigned.reason == "outside every unit").all()
    assert len(plan.assignments) + len(plan.unassigned) == len(clients)
    assert sorted(plan.units.unit_id) == sorted(west.code)


def test_coarse_units_say_how_close_the_balance_got(county):
    net, clients = county
    coarse = grid_units(study_area(net, None), net.crs, 2000.0)
    plan = build_zones(clients, net, 6, areas=ZoneAreas(units=coarse))
    assert not plan.kpis["balanced"]
    assert any("could not all be brought within ±5%" in n for n in plan.kpis["notes"])
    # no zone is above the heaviest single unit it must hold, whole
    top = plan.units.hours_per_week.max()
    assert plan.zones.hours_per_week.max() <= top + plan.kpis["mean_zone_hours"] * 0.05 + 1


def test_same_inputs_same_plan_and_units_in_any_crs(plan, county, units):
    net, clients = county
    again = build_zones(clients, net, 4, areas=ZoneAreas(units=units))
    pd.testing.assert_frame_equal(again.units, plan.units)
    pd.testing.assert_frame_equal(again.assignments, plan.assignments)
    wgs = build_zones(clients, net, 4, areas=ZoneAreas(units=units.to_crs(4326)))
    assert sorted(wgs.units.unit_id) == sorted(units.code) and wgs.kpis["balanced"]
    assert wgs.kpis["contiguous"]


def test_unit_id_is_found_or_asked_for(county, units):
    net, clients = county
    ons = units.rename(columns={"code": "LSOA21CD"}).assign(name="x")
    assert build_zones(clients, net, 2, areas=ZoneAreas(units=ons)).kpis["units"]["id_column"] == (
        "LSOA21CD"
    )
    two = units.rename(columns={"code": "ref"}).assign(label="x")
    with pytest.raises(ArgumentError, match=r"unit_id=.*columns found: 'ref', 'label'"):
        build_zones(clients, net, 2, areas=ZoneAreas(units=two))
    plan = build_zones(clients, net, 2, areas=ZoneAreas(units=two, unit_id="ref"))
    assert plan.units.unit_id.str.startswith("U").all()
    with pytest.raises(ArgumentError, match="'nope' is not a column"):
        build_zones(clients, net, 2, areas=ZoneAreas(units=units, unit_id="nope"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda u: u.set_crs(None, allow_override=True), "no CRS"),
        (
            lambda u: u.assign(code=["A", *u.code[1:]]).assign(
                code=lambda d: d.code.where(d.index != 1, "A")
            ),
            "unique",
        ),
        (lambda u: u.assign(code=[" ", *u.code[1:]]), "no code"),
        (lambda u: pd.concat([u, u.iloc[[5]].assign(code="EXTRA")]), "overlap"),
        (lambda u: u.assign(geometry=u.geometry.centroid), "must be polygons"),
        (lambda u: u.iloc[0:0], "empty"),
    ],
)
def test_units_are_checked_with_clear_errors(county, units, change, message):
    net, clients = county
    with pytest.raises(ZoneError, match=message):
        build_zones(clients, net, 2, areas=ZoneAreas(units=change(units)))


def test_units_away_from_every_client_say_so(county, units):
    net, clients = county
    away = units.copy()
    away.geometry = away.geometry.translate(300_000, 0)
    with pytest.raises(ZoneError, match="none of the 600 clients lies in any unit"):
        build_zones(clients, net, 2, areas=ZoneAreas(units=away))


def test_units_and_localities_are_refused_together(county, units):
    net, clients = county
    with pytest.raises(ArgumentError, match="units or localities"):
        build_zones(clients, net, 2, areas=ZoneAreas(units=units, localities=units.iloc[:2]))


def test_previous_plan_and_fixed_centres_with_units(plan, county, units):
    net, clients = county
    again = build_zones(
        clients,
        net,
        4,
        previous=plan.zones,
        areas=ZoneAreas(units=units),
        options=ZoneOptions(seed=5),
    )
    assert again.kpis["moved_hours_share"] < 0.25
    assert sorted(again.zones.zone_id) == sorted(plan.zones.zone_id)
    centres = plan.zones[["centre_lon", "centre_lat"]].to_numpy()
    fixed = build_zones(clients, net, 4, areas=ZoneAreas(units=units, centres=centres))
    got = np.sort(fixed.zones[["centre_lon", "centre_lat"]].to_numpy(), axis=0)
    np.testing.assert_allclose(got, np.sort(centres, axis=0))


def test_too_many_zones_for_the_units_or_clients(county, units):
    net, clients = county
    with pytest.raises(ZoneError, match="at most 120 zone"):
        build_zones(clients, net, 121, areas=ZoneAreas(units=units))


def test_rutland_zones_from_hexagons(rutland_pbf, rutland_drive):
    net = rutland_drive
    clients = cz.read_clients(cz.clients_on_buildings(rutland_pbf, 600, seed=1), area=net)
    hexes = grid_units(study_area(net, None), net.crs, 2000.0, hexagons=True)
    plan = build_zones(clients, net, 4, areas=ZoneAreas(units=hexes))
    assert sorted(plan.units.unit_id) == sorted(hexes.code)
    assert len(plan.assignments) + len(plan.unassigned) == len(clients)
    assert plan.kpis["contiguous"], plan.kpis["zones_not_one_piece"]
    m = plan.kpis
    assert m["balanced"] or any("could not all be brought" in n for n in m["notes"])
    assert abs(m["worst_deviation"]) < 0.15
