"""The OSRM engine: built into the cache, queried in-process, consistent with the built-in one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from carezones import network as cn
from carezones.network import osrm as _osrm

from .conftest import random_points

pytestmark = pytest.mark.skipif(not _osrm.available(), reason="osrm-bindings not installed")


def test_to_array_handles_unreachable_pairs():
    rows = [[0.0, 60.0], [None, 0.0]]
    out = _osrm._to_array(rows, 2, 2)
    assert out[0, 1] == 60.0 and np.isinf(out[1, 0])
    np.testing.assert_array_equal(_osrm._to_array([[1.0, 2.0]], 1, 2), [[1.0, 2.0]])


def test_auto_picks_osrm_for_osm_files_and_agrees(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="auto")
    assert net.engine == "osrm"
    assert (
        next((cache / "networks").iterdir()) / f"osrm-{_osrm.profile_key('drive', net.speeds)}"
    ).is_dir()
    pts = random_points(net, 30, seed=11)
    osrm_m = net.travel_times(pts)
    builtin_m = net.travel_times(pts, engine="builtin")
    off = ~np.eye(len(pts), dtype=bool)
    assert np.isfinite(osrm_m).all()
    assert spearmanr(osrm_m[off], builtin_m[off]).statistic > 0.8
    # a second load reuses the OSRM build
    again = cn.load_network(grid_file, "drive", engine="osrm")
    np.testing.assert_allclose(again.travel_times(pts), osrm_m)


def test_osrm_far_points_are_inf(grid_file, cache):
    net = cn.load_network(grid_file, "drive", engine="osrm", max_snap_m=500)
    m = net.travel_times(np.array([[-0.729, 52.671], [-0.60, 52.70]]))
    assert np.isfinite(m[0, 0]) and np.isinf(m[1]).all() and np.isinf(m[:, 1]).all()


def test_osrm_walk_uses_our_walking_speed(grid_file, cache):
    from carezones.network.speeds import SpeedModel

    slow = cn.load_network(grid_file, "walk", engine="osrm", speeds=SpeedModel(walk_kph=2.0))
    fast = cn.load_network(grid_file, "walk", engine="osrm", speeds=SpeedModel(walk_kph=4.0))
    a, b = [[-0.7299, 52.6701]], [[-0.7205, 52.6762]]
    ratio = slow.travel_times(a, b)[0, 0] / fast.travel_times(a, b)[0, 0]
    assert ratio == pytest.approx(2.0, rel=0.1)


def test_osrm_engine_rejects_graphml(grid_file, tmp_path, cache):
    import osmnx as ox

    from carezones.errors import NetworkError

    gml = tmp_path / "g.graphml"
    ox.save_graphml(cn.load_network(grid_file, "drive", engine="builtin").graph, gml)
    with pytest.raises(NetworkError, match="needs an OSM file"):
        cn.load_network(gml, "drive", engine="osrm")


@pytest.mark.slow
def test_rutland_osrm_agreement(rutland_pbf, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREZONES_CACHE", str(tmp_path))
    net = cn.load_network(rutland_pbf, "drive", engine="osrm")
    pts = random_points(net, 150, seed=5)
    a, b = net.travel_times(pts, engine="builtin"), net.travel_times(pts, engine="osrm")
    ok = np.isfinite(a) & np.isfinite(b) & (a > 1) & (b > 1)
    assert spearmanr(a[ok], b[ok]).statistic >= 0.95
    assert 0.8 <= np.median(a[ok] / b[ok]) <= 1.25
