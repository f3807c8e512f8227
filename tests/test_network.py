"""Road network loading, snapping and the built-in engine's exactness."""

from __future__ import annotations

import itertools
import time

import networkx as nx
import numpy as np
import pytest
import shapely

from carezones import network as cn
from carezones.errors import NetworkError, OfflineError
from carezones.network.coords import haversine_m
from carezones.network.speeds import SpeedModel

from .conftest import grid_osm, random_points


def nx_reference(net: cn.RoadNetwork, orig: np.ndarray, dest: np.ndarray) -> np.ndarray:
    """Travel times by networkx Dijkstra on the full graph with the points spliced into edges."""
    e = net.edges
    g = nx.MultiDiGraph()
    for k, (u, v, w) in enumerate(zip(e.u, e.v, e.minutes, strict=True)):
        g.add_edge(int(u), int(v), key=k, w=float(w))
    seg_fwd, seg_bwd = net.arrays.seg_fwd, net.arrays.seg_bwd
    ab = net.arrays.seg_ab
    so, sd = net.snap(orig), net.snap(dest)
    # every point on a segment, sorted along it
    on_seg: dict[int, list[tuple[float, tuple]]] = {}
    for tag, s in (("o", so), ("d", sd)):
        for i in range(len(s.segment)):
            on_seg.setdefault(int(s.segment[i]), []).append((float(s.fraction[i]), (tag, i)))
    for seg, pts in on_seg.items():
        pts.sort()
        a, b = int(ab[seg, 0]), int(ab[seg, 1])
        chain = [(0.0, a)] + [(f, ("p", *p)) for f, p in pts] + [(1.0, b)]
        for edge, forward in ((int(seg_fwd[seg]), True), (int(seg_bwd[seg]), False)):
            if edge < 0:
                continue
            w = float(e.minutes[edge])
            g.remove_edge(int(e.u[edge]), int(e.v[edge]), key=edge)
            seq = chain if forward else [(1.0 - f, n) for f, n in reversed(chain)]
            for (f0, n0), (f1, n1) in itertools.pairwise(seq):
                g.add_edge(n0, n1, w=(f1 - f0) * w)
                if f0 == f1:  # points at the same place are joined both ways
                    g.add_edge(n1, n0, w=0.0)
    for i in range(len(orig)):
        g.add_edge(("src", i), ("p", "o", i), w=float(so.access_minutes[i]))
    for j in range(len(dest)):
        g.add_edge(("p", "d", j), ("dst", j), w=float(sd.access_minutes[j]))
    out = np.full((len(orig), len(dest)), np.inf)
    for i in range(len(orig)):
        dist = nx.single_source_dijkstra_path_length(g, ("src", i), weight="w")
        for j in range(len(dest)):
            out[i, j] = dist.get(("dst", j), np.inf)
    return out


def test_grid_loads_drive_and_walk(grid_file, cache):
    drive = cn.load_network(grid_file, "drive", engine="builtin")
    walk = cn.load_network(grid_file, "walk", engine="builtin")
    assert drive.provenance.dropped_components == 1  # the island
    assert drive.provenance.dropped_nodes == 3
    assert drive.provenance.osm_timestamp == "2024-05-02T00:00:00Z"
    assert drive.provenance.attribution == "© OpenStreetMap contributors"
    hw = set(drive.edges.highway)
    assert "footway" not in hw and "service" not in hw  # footpath and private drive left out
    assert "footway" in set(walk.edges.highway)
    # one-way street: Row 2 only eastwards on drive, both ways on walk
    row2 = drive.edges[drive.edges.name == "Row 2"]
    assert not row2.reversed.any() and row2.oneway.all()
    assert walk.edges[walk.edges.name == "Row 2"].reversed.any()


def test_speed_model_applied(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="builtin")
    e = net.edges
    m = SpeedModel()
    assert np.allclose(
        e.speed_kph[e.highway == "residential"], m.drive_kph("residential", "30 mph")
    )
    assert np.allclose(e.speed_kph[e.name == "Long Lane"], 50.0)  # national limit, capped
    assert np.allclose(e.minutes, e.length_m / (e.speed_kph * 1000 / 60))
    slow = cn.load_network(grid_file, "walk", engine="builtin", speeds=SpeedModel(walk_kph=2.0))
    assert np.allclose(slow.edges.speed_kph, 2.0)


def test_graph_is_osmnx_compatible(grid_file, cache):
    import osmnx as ox

    net = cn.load_network(grid_file, "drive", engine="builtin")
    g = net.graph
    assert g.graph["crs"] == "epsg:4326"
    assert g.number_of_nodes() == net.n_nodes and g.number_of_edges() == net.n_edges
    nodes, edges = ox.graph_to_gdfs(g)
    assert len(nodes) == net.n_nodes
    assert {"osmid", "highway", "length", "travel_time"} <= set(edges.columns)
    a, b = next(iter(g.nodes)), list(g.nodes)[-1]
    path = ox.routing.shortest_path(g, a, b, weight="travel_time")
    assert path[0] == a and path[-1] == b
    stats = ox.stats.basic_stats(g)
    assert stats["n"] == net.n_nodes


def test_builtin_equals_networkx_on_grid(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="builtin")
    pts = random_points(net, 25, seed=3)
    # two points on the same segment, in both orders, and a point exactly on a node
    pts = np.vstack([pts, [[-0.7290, 52.67], [-0.7285, 52.67], [net.lon[0], net.lat[0]]]])
    got = net.travel_times(pts)
    ref = nx_reference(net, pts, pts)
    assert np.isfinite(ref).all()
    np.testing.assert_allclose(got, ref, atol=1e-6, rtol=0)
    assert np.allclose(np.diag(got), 2 * net.snap(pts).access_minutes)


def test_builtin_equals_networkx_on_rutland(rutland_drive):
    net = rutland_drive
    o, d = random_points(net, 12, seed=1), random_points(net, 40, seed=2)
    np.testing.assert_allclose(net.travel_times(o, d), nx_reference(net, o, d), atol=1e-6, rtol=0)


def test_nearest_matches_matrix(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="builtin")
    o, t = random_points(net, 30, seed=4), random_points(net, 5, seed=5)
    minutes, index = net.nearest(o, t)
    full = net.travel_times(o, t)
    np.testing.assert_allclose(minutes, full.min(axis=1), atol=1e-9)
    np.testing.assert_allclose(full[np.arange(len(o)), index], minutes, atol=1e-9)


def test_far_points_flagged_and_inf(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="builtin", max_snap_m=500)
    pts = np.array([[-0.729, 52.671], [-0.60, 52.70]])  # second is ~8 km away
    s = net.snap(pts)
    assert list(s.far) == [False, True]
    assert s.distance_m[1] > 5000
    m = net.travel_times(pts)
    assert np.isinf(m[1]).all() and np.isinf(m[:, 1]).all() and np.isfinite(m[0, 0])
    mins, idx = net.nearest(pts[1:], pts[:1])
    assert np.isinf(mins[0]) and idx[0] == -1


def test_unreachable_is_inf_never_zero(tmp_path, cache):
    from .conftest import write_osm

    nodes = {1: (-0.7, 52.6), 2: (-0.699, 52.602), 3: (-0.698, 52.6)}
    ways = [
        {"nodes": [1, 2, 3], "highway": "residential", "oneway": "yes"},
        {"nodes": [3, 1], "highway": "residential", "oneway": "yes"},
    ]
    net = cn.load_network(write_osm(tmp_path / "ring.osm", nodes, ways), "drive", engine="builtin")
    m = net.travel_times([[-0.6996, 52.6011], [-0.6985, 52.6011]])
    assert (m[~np.eye(2, dtype=bool)] > 0).all() and np.isfinite(m).all()
    # going "back" along a one-way ring means going all the way round
    assert m[1, 0] > m[0, 1]


def test_route_geometry_and_minutes(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="builtin")
    a, b = (-0.7299, 52.6701), (-0.7205, 52.6762)
    r = net.route(a, b)
    assert r.minutes == pytest.approx(net.travel_times([a], [b])[0, 0], abs=1e-9)
    assert r.geometry is not None and r.geometry.coords[0] == a and r.geometry.coords[-1] == b
    straight = haversine_m(a[0], a[1], b[0], b[1])
    assert r.metres >= straight
    assert len(r.nodes) >= 2


def test_isochrones_grow_and_exclude_unreached(grid_file, cache):
    net = cn.load_network(grid_file, "walk", engine="builtin")
    iso = net.isochrones([[-0.7275, 52.6715]], minutes=[2, 5, 10])
    assert list(iso.minutes) == [2.0, 5.0, 10.0]
    areas = iso.to_crs(27700).area.to_numpy()
    assert (np.diff(areas) > 0).all()
    # the hamlet at the end of the lane (~2 km) is not within a 10-minute walk
    hamlet = shapely.Point(net.lon[-1], net.lat[-1])
    assert not iso.geometry.iloc[-1].contains(hamlet)


def test_cache_second_load_is_the_same_network_and_keyed(grid_file, cache):
    # how much faster a warm load is, is measured by benchmarks/travel_times.py, not here
    a = cn.load_network(grid_file, "drive", engine="builtin")
    b = cn.load_network(grid_file, "drive", engine="builtin")
    assert not a.provenance.from_cache and b.provenance.from_cache
    for name, value in a.arrays.to_dict().items():
        np.testing.assert_array_equal(value, b.arrays.to_dict()[name], err_msg=name)
    c = cn.load_network(grid_file, "drive", engine="builtin", speeds=SpeedModel(drive_access_kph=5))
    assert not c.provenance.from_cache  # different speed model, different key
    assert len(list((cache / "networks").iterdir())) == 2
    # changed content -> new key
    grid_osm(grid_file, n=5)
    d = cn.load_network(grid_file, "drive", engine="builtin")
    assert not d.provenance.from_cache and d.n_nodes != a.n_nodes


def test_graphml_round_trip(grid_file, tmp_path, cache):
    import osmnx as ox

    net = cn.load_network(grid_file, "drive", engine="builtin")
    gml = tmp_path / "grid.graphml"
    ox.save_graphml(net.graph, gml)
    again = cn.load_network(gml, "drive", engine="auto")
    assert again.engine == "builtin"
    pts = random_points(net, 10, seed=7)
    np.testing.assert_allclose(again.travel_times(pts), net.travel_times(pts), atol=1e-6)


def test_xml_and_pbf_give_the_same_network(grid_file, tmp_path, cache):
    import osmium

    pbf = tmp_path / "grid.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as w:
        for o in osmium.FileProcessor(str(grid_file)):
            w.add(o)
    a = cn.load_network(grid_file, "drive", engine="builtin")
    b = cn.load_network(pbf, "drive", engine="builtin")
    np.testing.assert_array_equal(a.node_osmid, b.node_osmid)
    np.testing.assert_allclose(a.edges.minutes, b.edges.minutes)


def test_bad_sources_fail_clearly(tmp_path, cache, monkeypatch):
    with pytest.raises(FileNotFoundError, match="not found"):
        cn.load_network(tmp_path / "missing.osm.pbf")
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"this is not a pbf")
    with pytest.raises(NetworkError, match="could not read OSM file"):
        cn.load_network(junk, engine="builtin")
    txt = tmp_path / "roads.txt"
    txt.write_text("x")
    with pytest.raises(NetworkError, match="unknown network format"):
        cn.load_network(txt)
    empty = tmp_path / "empty.osm"
    empty.write_text('<?xml version="1.0"?><osm version="0.6"></osm>')
    with pytest.raises(NetworkError, match="no drive roads"):
        cn.load_network(empty, engine="builtin")
    with pytest.raises(ValueError, match="mode"):
        cn.load_network(empty, mode="fly")  # type: ignore[arg-type]


def test_place_name_offline_fails_fast(monkeypatch, cache):
    monkeypatch.setattr("carezones.network.loading._internet_available", lambda timeout_s: False)
    t0 = time.perf_counter()
    with pytest.raises(OfflineError, match=r"no internet connection.*\.osm\.pbf"):
        cn.load_network("Rutland, England")
    assert time.perf_counter() - t0 < 5


def test_points_need_crs_and_valid_values(grid_file, cache):
    import geopandas as gpd
    import shapely

    net = cn.load_network(grid_file, "drive", engine="builtin")
    with pytest.raises(ValueError, match="no CRS"):
        net.snap(gpd.GeoSeries([shapely.Point(-0.73, 52.67)]))
    with pytest.raises(ValueError, match="not valid lon/lat"):
        net.snap(np.array([[52.67, -0.73], [np.nan, 1.0]]))
    bng = gpd.GeoSeries([shapely.Point(-0.729, 52.671)], crs=4326).to_crs(27700)
    assert net.snap(bng).distance_m[0] == pytest.approx(
        net.snap([[-0.729, 52.671]]).distance_m[0], abs=0.01
    )


def test_synthetic_county_is_labelled(tmp_path, cache):
    from carezones.synthetic import make_synthetic_county

    county = make_synthetic_county(tmp_path, size="tiny", seed=1)
    net = cn.load_network(county.osm_path, "drive", engine="builtin")
    assert net.provenance.synthetic
    assert (
        "Synthetic" in net.provenance.attribution
        and "OpenStreetMap" not in net.provenance.attribution
    )
    assert net.provenance.dropped_components == 1  # the generator's deliberate island


def test_snap_finds_the_nearest_segment(grid_file, cache):
    import shapely

    net = cn.load_network(grid_file, "walk", engine="builtin")
    pts = np.vstack([random_points(net, 300, seed=9), [[-0.60, 52.70], [-0.75, 52.60]]])
    s = net.snap(pts)
    px, py = net.to_metric(pts[:, 0], pts[:, 1])
    tree, _ = net.segment_lines
    geoms = shapely.points(px, py)
    _, best = tree.query_nearest(geoms, all_matches=False, return_distance=True)
    np.testing.assert_allclose(s.distance_m, best, atol=1e-6)  # the same distance, far points too
    assert s.far[-2:].all() and not s.far[:-2].any()
