"""The synthetic county generator and placing clients on buildings."""

from __future__ import annotations

import bz2
import hashlib
import math
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import networkx as nx
import numpy as np
import osmium
import pandas as pd
import pytest
import shapely
from scipy.spatial import cKDTree

from carezones._data import shared_file
from carezones.errors import CarezonesError
from carezones.io.osm import read_building_centroids
from carezones.network import load_network
from carezones.synthetic import (
    GENERATOR,
    SIZES,
    TIMESTAMP,
    SyntheticCounty,
    clients_on_buildings,
    make_synthetic_county,
)

NOT_DRIVABLE = {"footway", "path", "track", "bridleway", "cycleway", "steps", "pedestrian"}


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


class Osm:
    """Everything in a small OSM file, read with pyosmium."""

    def __init__(self, path: Path) -> None:
        self.nodes: dict[int, tuple[float, float]] = {}
        self.node_tags: dict[int, dict[str, str]] = {}
        self.ways: dict[int, tuple[list[int], dict[str, str]]] = {}
        self.timestamps: set[str] = set()
        for o in osmium.FileProcessor(str(path)):
            self.timestamps.add(o.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
            if o.is_node():
                self.nodes[o.id] = (o.location.lon, o.location.lat)
                if len(o.tags):
                    self.node_tags[o.id] = dict(o.tags)
            elif o.is_way():
                self.ways[o.id] = ([n.ref for n in o.nodes], dict(o.tags))
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        self.header = reader.header()
        reader.close()

    def values(self, key: str) -> Counter[str]:
        """How often each value of ``key`` occurs on nodes and ways."""
        c: Counter[str] = Counter(t[key] for t in self.node_tags.values() if key in t)
        c.update(t[key] for _, t in self.ways.values() if key in t)
        return c

    def closed_ways(self, key: str, value: str) -> list[int]:
        return [
            w
            for w, (nodes, t) in self.ways.items()
            if t.get(key) == value and len(nodes) >= 4 and nodes[0] == nodes[-1]
        ]

    def drive_graph(self) -> nx.Graph:
        g = nx.Graph()
        for nodes, t in self.ways.values():
            if "highway" in t and t["highway"] not in NOT_DRIVABLE:
                for a, b in pairwise(nodes):
                    g.add_edge(a, b, m=haversine_m(*self.nodes[a], *self.nodes[b]))
        return g


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> SyntheticCounty:
    return make_synthetic_county(tmp_path_factory.mktemp("tiny"), size="tiny", seed=0)


@pytest.fixture(scope="module")
def tiny_osm(tiny) -> Osm:
    return Osm(tiny.osm_path)


def test_same_seed_gives_byte_identical_files(tmp_path, tiny):
    again = make_synthetic_county(tmp_path / "a", size="tiny", seed=0)
    assert again.osm_path.name == "synthetic-county-tiny-seed0.osm"
    assert again.clients_path.name == "synthetic-county-tiny-seed0-clients.csv"
    assert again.osm_path.read_bytes() == tiny.osm_path.read_bytes()
    assert again.clients_path.read_bytes() == tiny.clients_path.read_bytes()
    assert again.providers_path.read_bytes() == tiny.providers_path.read_bytes()
    other = make_synthetic_county(tmp_path / "b", size="tiny", seed=1)
    assert other.osm_path.read_bytes() != tiny.osm_path.read_bytes()
    assert other.clients_path.read_bytes() != tiny.clients_path.read_bytes()
    assert other.providers_path.read_bytes() != tiny.providers_path.read_bytes()


def test_tiny_is_quick_and_small(tmp_path):
    t0 = time.perf_counter()
    county = make_synthetic_county(tmp_path, size="tiny", seed=5)
    assert time.perf_counter() - t0 < 1.0
    assert 300 <= county.n_road_nodes <= 900
    assert county.n_clients == 60
    assert county.n_buildings > 2 * county.n_clients
    assert "SYNTHETIC" in county.description


def test_header_generator_and_timestamps(tiny, tiny_osm):
    head = tiny.osm_path.read_text(encoding="utf-8")[:400]
    assert f'generator="{GENERATOR}"' in head
    assert f'timestamp="{TIMESTAMP}"' in head
    assert tiny_osm.header.get("generator") == GENERATOR
    assert tiny_osm.timestamps == {TIMESTAMP}


def test_location_is_in_the_north_sea(tiny):
    min_lon, min_lat, max_lon, max_lat = tiny.bounds
    assert 54.0 < min_lat < max_lat < 54.8
    assert 0.5 < min_lon < max_lon < 2.6  # the Yorkshire coast is west of 0 degrees


def test_every_way_node_exists(tiny_osm):
    missing = {n for nodes, _ in tiny_osm.ways.values() for n in nodes} - tiny_osm.nodes.keys()
    assert not missing


def test_tags_are_those_uk_mappers_use(tiny_osm):
    hw = tiny_osm.values("highway")
    for cls in (
        "primary",
        "secondary",
        "tertiary",
        "residential",
        "unclassified",
        "service",
        "track",
        "footway",
        "bus_stop",
    ):
        assert hw[cls] > 0, cls
    amenity = tiny_osm.values("amenity")
    for a in (
        "doctors",
        "pharmacy",
        "community_centre",
        "library",
        "post_office",
        "place_of_worship",
        "cafe",
    ):
        assert amenity[a] > 0, a
    shop = tiny_osm.values("shop")
    assert shop["supermarket"] > 0 and shop["convenience"] > 0
    assert tiny_osm.closed_ways("leisure", "park")
    assert tiny_osm.closed_ways("shop", "supermarket")  # some amenities are polygons
    assert tiny_osm.values("service").keys() >= {"parking_aisle"}
    assert tiny_osm.values("junction")["roundabout"] == 1
    assert tiny_osm.values("oneway")["yes"] >= 2
    assert tiny_osm.values("maxspeed")["30 mph"] > 0
    assert tiny_osm.values("waterway")["river"] == 1
    water = tiny_osm.closed_ways("natural", "water")
    assert len(water) == 1 and tiny_osm.ways[water[0]][1]["water"] == "reservoir"
    refs = tiny_osm.values("ref")
    assert any(r.startswith("A1") for r in refs) and any(r.startswith("B1") for r in refs)
    buildings = tiny_osm.values("building")
    assert {"house", "detached", "semidetached_house", "bungalow", "yes", "farmhouse"} <= set(
        buildings
    )
    for key, value in (("building", "house"), ("building", "farmhouse")):
        assert tiny_osm.closed_ways(key, value)
    assert tiny_osm.closed_ways("landuse", "residential")
    named = [t for _, t in tiny_osm.ways.values() if t.get("highway") == "residential"]
    assert all(t.get("name") for t in named)


def test_lanes_wind(tiny_osm):
    ratios = []
    for nodes, t in tiny_osm.ways.values():
        if t.get("highway") == "unclassified" and len(nodes) > 10:
            pts = [tiny_osm.nodes[n] for n in nodes]
            along = sum(haversine_m(*a, *b) for a, b in pairwise(pts))
            ratios.append(along / haversine_m(*pts[0], *pts[-1]))
    assert ratios and min(ratios) > 1.02


def test_villages_differ_in_amenities(tiny_osm):
    places = {
        t["name"]: tiny_osm.nodes[n]
        for n, t in tiny_osm.node_tags.items()
        if t.get("place") == "village"
    }
    assert len(places) == 3
    pois = [
        tiny_osm.nodes[n]
        for n, t in tiny_osm.node_tags.items()
        if "amenity" in t or "shop" in t or t.get("highway") == "bus_stop"
    ]
    counts = {name: sum(haversine_m(*xy, *p) < 150 for p in pois) for name, xy in places.items()}
    assert min(counts.values()) == 0  # a village with nothing at all
    assert max(counts.values()) >= 3


def test_drivable_network_is_one_piece_plus_an_island(tiny_osm):
    g = tiny_osm.drive_graph()
    parts = sorted(nx.connected_components(g), key=len, reverse=True)
    assert len(parts[0]) > 0.95 * g.number_of_nodes()
    assert len(parts) == 2
    island = [nodes for nodes, t in tiny_osm.ways.values() if t.get("note") == "disconnected"]
    assert len(island) == 1 and set(island[0]) == parts[1]


def test_drivable_network_is_strongly_connected(tiny_osm):
    g = nx.DiGraph()
    for nodes, t in tiny_osm.ways.values():
        if "highway" in t and t["highway"] not in NOT_DRIVABLE:
            one_way = t.get("oneway") == "yes" or t.get("junction") == "roundabout"
            for a, b in pairwise(nodes):
                g.add_edge(a, b)
                if not one_way:
                    g.add_edge(b, a)
    sizes = sorted(map(len, nx.strongly_connected_components(g)), reverse=True)
    assert sizes == [g.number_of_nodes() - 3, 3]


def test_reservoir_keeps_close_villages_apart_by_road(tiny, tiny_osm):
    places = {
        t["name"]: tiny_osm.nodes[n]
        for n, t in tiny_osm.node_tags.items()
        if t.get("place") == "village"
    }
    a, b = (places[name] for name in tiny.barrier_villages)
    crow = haversine_m(*a, *b)
    assert crow < 2_500
    g = tiny_osm.drive_graph()
    nodes = list(max(nx.connected_components(g), key=len))

    def nearest(p: tuple[float, float]) -> int:
        return min(nodes, key=lambda n: haversine_m(*tiny_osm.nodes[n], *p))

    road = nx.shortest_path_length(g, nearest(a), nearest(b), weight="m")
    assert road > 3 * crow


def test_clients_csv(tiny, tiny_osm):
    df = pd.read_csv(tiny.clients_path)
    assert list(df.columns) == ["client_id", "lat", "lon", "hours_per_week", "town"]
    assert len(df) == tiny.n_clients == 60
    assert df["client_id"].is_unique and df["client_id"].iloc[0] == "C00001"
    assert abs(df["hours_per_week"].mean() - 11.4) < 2
    assert df["hours_per_week"].between(1, 56).all()
    assert ((df["hours_per_week"] * 4) % 1 == 0).all()
    assert not df.duplicated(["lat", "lon"]).any()  # one client per building
    min_lon, min_lat, max_lon, max_lat = tiny.bounds
    assert df["lon"].between(min_lon, max_lon).all() and df["lat"].between(min_lat, max_lat).all()
    places = {t["name"] for t in tiny_osm.node_tags.values() if "place" in t}
    assert set(df["town"]) <= places | {"rural"}
    assert df["town"].nunique() >= 3


def test_clients_on_buildings_on_the_tiny_county(tiny):
    df = clients_on_buildings(tiny.osm_path, 40, seed=2)
    assert list(df.columns) == ["client_id", "lat", "lon", "hours_per_week"]
    assert len(df) == 40 and df["client_id"].is_unique
    assert not df.duplicated(["lat", "lon"]).any()
    min_lon, min_lat, max_lon, max_lat = tiny.bounds
    assert df["lon"].between(min_lon, max_lon).all() and df["lat"].between(min_lat, max_lat).all()
    pd.testing.assert_frame_equal(df, clients_on_buildings(tiny.osm_path, 40, seed=2))
    assert not df.equals(clients_on_buildings(tiny.osm_path, 40, seed=3))
    empty = clients_on_buildings(tiny.osm_path, 0)
    assert len(empty) == 0 and list(empty.columns) == list(df.columns)


def test_clients_on_buildings_reads_pbf_and_bz2(tmp_path, tiny):
    pbf, bz = tmp_path / "t.osm.pbf", tmp_path / "t.osm.bz2"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(tiny.osm_path)):
            writer.add(obj)
    bz.write_bytes(bz2.compress(tiny.osm_path.read_bytes()))
    expected = clients_on_buildings(tiny.osm_path, 30, seed=4)
    pd.testing.assert_frame_equal(clients_on_buildings(pbf, 30, seed=4), expected)
    pd.testing.assert_frame_equal(clients_on_buildings(bz, 30, seed=4), expected)


def test_clients_on_buildings_reuses_buildings_only_when_it_must(tiny):
    df = clients_on_buildings(tiny.osm_path, 3 * tiny.n_buildings, seed=0)
    counts = df.groupby(["lat", "lon"]).size()
    assert len(df) == 3 * tiny.n_buildings
    assert counts.max() > 1
    # every home appears before any is reused
    assert len(counts) == df.drop_duplicates(["lat", "lon"]).shape[0]


def test_hours_distribution(tiny):
    h = clients_on_buildings(tiny.osm_path, 5_000, seed=0)["hours_per_week"]
    assert abs(h.mean() - 11.4) < 0.3
    assert 5.5 < h.median() < 10
    assert 0.05 < (h >= 25).mean() < 0.3
    assert h.min() >= 1 and h.max() <= 56
    scaled = clients_on_buildings(tiny.osm_path, 2_000, seed=0, hours_mean=20.0)
    assert abs(scaled["hours_per_week"].mean() - 20.0) < 0.6


def test_yes_buildings_count_only_inside_residential_areas(tmp_path):
    from .conftest import write_osm

    lon0, lat0 = 1.6, 54.4
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[dict] = []

    def square(first: int, lon: float, lat: float, d: float, **tags: str) -> None:
        corners = [(lon, lat), (lon + d, lat), (lon + d, lat + d), (lon, lat + d)]
        for k, c in enumerate(corners):
            nodes[first + k] = c
        ways.append({"nodes": [first, first + 1, first + 2, first + 3, first], **tags})

    square(1, lon0, lat0, 0.01, landuse="residential")
    square(11, lon0 + 0.001, lat0 + 0.001, 0.0001, building="yes")  # inside: a home
    square(21, lon0 + 0.002, lat0 + 0.002, 0.0001, building="house")
    square(31, lon0 + 0.05, lat0 + 0.05, 0.0001, building="yes")  # outside: not a home
    square(41, lon0 + 0.003, lat0 + 0.003, 0.0001, building="industrial")
    path = write_osm(tmp_path / "b.osm", nodes, ways)
    df = clients_on_buildings(path, 2)
    assert (df["lon"] < lon0 + 0.01).all()
    df = clients_on_buildings(path, 3)  # too few homes: other "yes" buildings join in
    assert (df["lon"] > lon0 + 0.04).sum() == 1
    assert not df.duplicated(["lat", "lon"]).any()


def test_clients_on_buildings_needs_buildings(grid_file):
    with pytest.raises(CarezonesError, match="no residential buildings"):
        clients_on_buildings(grid_file, 5)
    assert len(clients_on_buildings(grid_file, 0)) == 0


def test_bad_arguments(tmp_path, tiny):
    with pytest.raises(ValueError, match="size"):
        make_synthetic_county(tmp_path, size="huge")
    with pytest.raises(ValueError, match="seed"):
        make_synthetic_county(tmp_path, size="tiny", seed=-1)
    with pytest.raises(ValueError, match="n_villages"):
        make_synthetic_county(tmp_path, size="tiny", n_villages=1)
    with pytest.raises(ValueError, match="n must be"):
        clients_on_buildings(tiny.osm_path, -1)
    with pytest.raises(FileNotFoundError):
        clients_on_buildings(tmp_path / "nope.osm", 5)


def test_n_villages_override(tmp_path):
    county = make_synthetic_county(tmp_path, size="tiny", seed=0, n_villages=5)
    assert county.osm_path.name == "synthetic-county-tiny-v5-seed0.osm"
    places = osmium.FileProcessor(str(county.osm_path)).with_filter(
        osmium.filter.KeyFilter("place")
    )
    assert Counter(obj.tags["place"] for obj in places)["village"] == 5


@pytest.mark.slow
def test_small_county_has_a_dual_carriageway(tmp_path):
    county = make_synthetic_county(tmp_path, size="small", seed=0)
    assert 2_000 <= county.n_road_nodes <= 6_000
    osm = Osm(county.osm_path)
    trunk = [t for _, t in osm.ways.values() if t.get("highway") == "trunk"]
    assert any(t.get("oneway") == "yes" for t in trunk)
    g = osm.drive_graph()
    assert len(max(nx.connected_components(g), key=len)) > 0.95 * g.number_of_nodes()


def test_clients_on_buildings_rutland():
    path = shared_file("rutland-2022-07-20.osm.pbf")
    if path is None:
        pytest.skip("rutland-2022-07-20.osm.pbf not found in ../shared/data or $CAREZONES_DATA")
    t0 = time.perf_counter()
    df = clients_on_buildings(path, 1_000, seed=0)
    assert time.perf_counter() - t0 < 10
    assert len(df) == 1_000 and not df.duplicated(["lat", "lon"]).any()
    assert df["lat"].between(52.5, 52.8).all() and df["lon"].between(-0.9, -0.4).all()
    assert abs(df["hours_per_week"].mean() - 11.4) < 1
    assert np.isfinite(df[["lat", "lon"]].to_numpy()).all()


# ------------------------------------------------ the county size: Dorset's scale (issue 13)
# Dorset's market position statement: the council buys about 13,800 hours of home care a week
# for 1,210 older people, and 46% of the county's people are rural.


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> tuple[SyntheticCounty, float]:
    t0 = time.perf_counter()
    made = make_synthetic_county(tmp_path_factory.mktemp("county"), size="county", seed=0)
    return made, time.perf_counter() - t0


@pytest.fixture(scope="module")
def county_places(county) -> dict[str, list[tuple[str, float, float]]]:
    """(name, lon, lat) of the place nodes, by kind."""
    out: dict[str, list[tuple[str, float, float]]] = {}
    keys = osmium.filter.KeyFilter("place")
    for o in osmium.FileProcessor(str(county[0].osm_path)).with_filter(keys):
        out.setdefault(o.tags["place"], []).append((o.tags["name"], o.lon, o.lat))
    return out


@pytest.fixture(scope="module")
def county_towns(county, county_places):
    """The market towns' built-up areas: their ``landuse=residential`` polygons."""
    names = {name for name, _, _ in county_places["town"]}
    keys = osmium.filter.KeyFilter("landuse")
    fp = osmium.FileProcessor(str(county[0].osm_path)).with_locations().with_areas(keys)
    polys = [
        shapely.Polygon([(n.lon, n.lat) for n in ring])
        for o in fp.with_filter(keys)
        if o.is_area() and o.tags.get("name") in names
        for ring in o.outer_rings()
    ]
    assert len(polys) == len(names)
    return polys


@pytest.fixture(scope="module")
def county_homes(county) -> tuple[np.ndarray, np.ndarray]:
    """(lon, lat) of the centroid of every home in the file."""
    lon, lat, home, _ = read_building_centroids(county[0].osm_path)
    return lon[home], lat[home]


def _km(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Longitude and latitude to kilometres east and north (fine at this scale)."""
    return np.column_stack([lon * 111.195 * math.cos(math.radians(54.4)), lat * 111.195])


@pytest.mark.slow
def test_county_size_is_quick_to_make_and_load(county):
    made, seconds = county
    assert "county" in SIZES
    assert seconds < 90  # about 10 s on a 2-core machine
    t0 = time.perf_counter()
    net = load_network(made.osm_path, "drive", engine="builtin", cache=False)
    assert time.perf_counter() - t0 < 60  # about 5 s cold
    summary = net.kpis
    assert summary["km_of_road"] >= 4_000
    assert summary["dropped_components"] <= 3  # the stray Beacon Lane, maybe a one-way corner
    assert 50_000 < summary["nodes"] < 120_000


@pytest.mark.slow
def test_county_size_is_dorset_scale(county, county_places):
    made = county[0]
    assert made.settled_km2 >= 2_500
    settled = np.array(
        [
            (lon, lat)
            for kind in ("town", "village", "hamlet")
            for _, lon, lat in county_places[kind]
        ]
    )
    xy = _km(settled[:, 0], settled[:, 1])
    width, height = xy.max(axis=0) - xy.min(axis=0)
    assert width * height >= 2_500
    assert len(county_places["town"]) == len(made.towns) == 12
    assert len(county_places["village"]) == 220
    assert len(county_places["hamlet"]) >= 300
    assert made.n_buildings > 40_000


@pytest.mark.slow
def test_county_towns_differ_in_size_and_roads_are_rural(county, county_towns):
    areas = sorted(p.area for p in county_towns)
    assert areas[-1] > 4 * areas[0]  # one large town, several small ones
    osm = osmium.FileProcessor(str(county[0].osm_path)).with_filter(
        osmium.filter.KeyFilter("highway")
    )
    counts = Counter(o.tags["highway"] for o in osm if o.is_way())
    for cls in ("trunk", "primary", "secondary", "unclassified", "residential", "track"):
        assert counts[cls] > 0, cls
    assert counts["unclassified"] > 1_000  # a close mesh of lanes
    assert counts["secondary"] > 50


@pytest.mark.slow
def test_county_about_half_the_homes_are_rural(county, county_towns, county_homes):
    made = county[0]
    lon, lat = county_homes
    in_town = shapely.contains_xy(shapely.union_all(county_towns), lon, lat)
    rural = 1.0 - float(in_town.mean())
    assert 0.4 <= rural <= 0.6
    assert abs(rural - made.rural_share) < 0.01
    assert abs(len(lon) - made.n_homes) < 50  # a few town surgeries count as homes too


@pytest.mark.slow
def test_county_clients_need_13800_hours_on_residential_buildings(county, county_homes):
    made = county[0]
    df = pd.read_csv(made.clients_path)
    assert len(df) == made.n_clients == 1_210
    assert df["client_id"].is_unique
    assert df["hours_per_week"].sum() == made.client_hours == 13_800.0
    assert df["hours_per_week"].between(1, 56).all()
    assert ((df["hours_per_week"] * 4) % 1 == 0).all()
    assert 5.5 < df["hours_per_week"].median() < 10
    rural = ~df["town"].isin(made.towns)
    assert 0.4 <= rural.mean() <= 0.6
    assert set(df.loc[rural, "town"]) - {"rural"}  # village and hamlet clients, not only farms
    nearest, _ = cKDTree(_km(*county_homes)).query(_km(df["lon"].to_numpy(), df["lat"].to_numpy()))
    assert nearest.max() < 0.001  # every client at the middle of a home
    assert not df.duplicated(["lat", "lon"]).any()


@pytest.fixture(scope="module")
def scaled_county(tmp_path_factory) -> SyntheticCounty:
    """The county size's generator on 8 villages: the same code path, made in a second."""
    return make_synthetic_county(
        tmp_path_factory.mktemp("scaled"), size="county", seed=1, n_villages=8
    )


def test_county_same_seed_same_bytes(tmp_path, scaled_county):
    again = make_synthetic_county(tmp_path, size="county", seed=1, n_villages=8)
    assert again.osm_path.name == scaled_county.osm_path.name

    def sha(path: Path) -> str:
        return hashlib.sha256(path.read_bytes()).hexdigest()

    assert sha(again.osm_path) == sha(scaled_county.osm_path)
    assert sha(again.clients_path) == sha(scaled_county.clients_path)


def test_county_hours_total_follows_the_clients_when_scaled(scaled_county):
    df = pd.read_csv(scaled_county.clients_path)
    assert 0 < len(df) < 1_210
    expected = round(13_800 * len(df) / 1_210 * 4) / 4
    assert df["hours_per_week"].sum() == pytest.approx(expected, abs=1e-9)
    assert "hamlets" in scaled_county.description
