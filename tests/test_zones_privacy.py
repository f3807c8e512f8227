"""No shared output carries a client's location: checked the way an outsider would.

Every file a zones run writes (the API's ``to_files``, with and without units, on the synthetic
county and on Rutland, and the whole demo) is read back: every coordinate pair in its text and
every vertex of every GeoPackage layer is compared with every client's point
(:mod:`tests.zone_tools`). Zone centres are road junctions, the tiling is drawn from roads and
buildings only, and zones and units of fewer than 5 clients publish no figures.
"""

from __future__ import annotations

import numpy as np
import pytest

import carezones as cz
from carezones.zones import ZoneAreas, ZoneOptions, build_zones
from carezones.zones.inputs import study_area

from .conftest import cache_at
from .zone_tools import folder_leaks, grid_units, text_leaks

ALL_SHARED = {}  # to_files writes nothing that is not checked


def _lonlat(clients) -> np.ndarray:
    return np.column_stack([clients.geometry.x, clients.geometry.y])


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("privacy")
    with cache_at(d / "cache"):
        c = cz.make_synthetic_county(d, size="small", seed=0)
        net = cz.load_network(c.osm_path, engine="builtin")
    clients = cz.read_clients(c.clients_path, area=net)
    return net, clients, c.osm_path


def _check(folder, clients, net, exclude=ALL_SHARED) -> list[str]:
    leaks, checked = folder_leaks(folder, _lonlat(clients), net.crs, exclude)
    assert not leaks, f"client locations in shared files: {leaks}"
    return checked


def test_the_check_finds_a_planted_location(county, tmp_path):
    """The check is not blind: a client's point in a CSV, a map or a layer is found."""
    import geopandas as gpd

    net, clients, _ = county
    lon, lat = _lonlat(clients)[7]
    assert text_leaks(f"x,{lon:.6f},{lat:.6f}\n", _lonlat(clients))
    assert text_leaks(f"L.circleMarker([{lat:.5f}, {lon:.5f}])", _lonlat(clients))
    (tmp_path / "a").mkdir()
    gpd.GeoDataFrame(geometry=gpd.points_from_xy([lon + 5e-7], [lat]), crs=4326).to_file(
        tmp_path / "a" / "x.gpkg", layer="pts"
    )
    leaks, _ = folder_leaks(tmp_path / "a", _lonlat(clients), net.crs, {})
    assert "x.gpkg" in leaks


def test_zone_files_carry_no_client_location(county, tmp_path):
    net, clients, _ = county
    plan = build_zones(clients, net, 8)  # drawn around the buildings of the network's file
    plan.to_files(tmp_path / "z", clients=clients)
    checked = _check(tmp_path / "z", clients, net)
    assert {"zones.html", "zones.gpkg", "summary.json", "summary.md", "assignments.csv"} <= set(
        checked
    )


def test_zone_files_without_buildings_carry_no_client_location(county, tmp_path):
    net, clients, _ = county
    roads_only = ZoneAreas(buildings=np.empty((0, 2)))
    plan = build_zones(clients, net, 5, areas=roads_only, options=ZoneOptions(seed=1))
    plan.to_files(tmp_path / "z")
    _check(tmp_path / "z", clients, net)


def test_unit_zone_files_carry_no_client_location(county, tmp_path):
    net, clients, _ = county
    units = grid_units(study_area(net, None), net.crs, 1500.0)
    plan = build_zones(clients, net, 4, areas=ZoneAreas(units=units))
    plan.to_files(tmp_path / "u", clients=clients)
    checked = _check(tmp_path / "u", clients, net)
    assert "units.csv" in checked


def test_rutland_zone_files_carry_no_client_location(rutland_pbf, rutland_drive, tmp_path):
    net = rutland_drive
    clients = cz.read_clients(cz.clients_on_buildings(rutland_pbf, 400, seed=3), area=net)
    assert len(net.buildings) > 1000  # Rutland's buildings, read with its roads
    plan = build_zones(clients, net, 3)
    plan.to_files(tmp_path / "r", clients=clients)
    _check(tmp_path / "r", clients, net)
    hexes = grid_units(study_area(net, None), net.crs, 2500.0, hexagons=True)
    by_units = build_zones(clients, net, 3, areas=ZoneAreas(units=hexes))
    by_units.to_files(tmp_path / "ru", clients=clients)
    _check(tmp_path / "ru", clients, net)


DEMO_NOT_SHARED = {
    "rounds": "the provider's own plan of a day: it shows visit locations (its map says so)",
    "data": "the demo's inputs: the synthetic county and its clients file",
    "travel_times.npz": "the clients' travel-time matrix (minutes and ids, no coordinates)",
}


def test_demo_outputs_carry_no_client_location(tiny_demo, tmp_path):
    demo = tiny_demo[0]
    with cache_at(tmp_path / "cache"):
        net = cz.load_network(next((demo / "data").glob("*.osm")), engine="builtin")
    clients = cz.read_clients(next((demo / "data").glob("*clients.csv")), area=net)
    not_shared = dict(DEMO_NOT_SHARED)
    for rounds in (demo / "county" / "designs").glob("*/rounds"):
        not_shared[str(rounds.relative_to(demo))] = (
            "each design's rounds are the providers' own: they show visit locations (said in "
            "the report and the folder's README)"
        )
    checked = _check(demo, clients, net, not_shared)
    # the zones and the sites scored at the zone centres are among the files checked
    assert {
        "zones/zones.html",
        "sites/scores.csv",
        "sites/sites.gpkg",
        "network.html",
        "county/index.html",
        "county/designs/today/map.html",
    } <= set(checked)
