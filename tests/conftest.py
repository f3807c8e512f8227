"""Shared fixtures: tiny generated OSM files and the real Rutland extract when present."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
import pytest

from carezones._data import RUTLAND_PBF, shared_file


def write_osm(path: Path, nodes: dict[int, tuple[float, float]], ways: list[dict]) -> Path:
    """Write a minimal OSM XML file: nodes {id: (lon, lat)}, ways [{"nodes": [...], tags}]."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="test">']
    for nid, (lon, lat) in sorted(nodes.items()):
        out.append(
            f'<node id="{nid}" version="1" timestamp="2024-05-01T00:00:00Z" '
            f'lat="{lat:.7f}" lon="{lon:.7f}"/>'
        )
    for i, w in enumerate(ways, start=1):
        out.append(f'<way id="{w.get("id", i)}" version="1" timestamp="2024-05-02T00:00:00Z">')
        out += [f'<nd ref="{n}"/>' for n in w["nodes"]]
        out += [
            f"<tag k={quoteattr(k)} v={quoteattr(str(v))}/>"
            for k, v in w.items()
            if k not in ("nodes", "id")
        ]
        out.append("</way>")
    out.append("</osm>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


def grid_osm(path: Path, n: int = 6, spacing_deg: float = 0.002) -> Path:
    """A small town grid near Oakham's latitude with a one-way street, a lane and an island."""
    lon0, lat0 = -0.73, 52.67
    nodes: dict[int, tuple[float, float]] = {}
    for i in range(n):
        for j in range(n):
            nodes[1 + i * n + j] = (lon0 + j * spacing_deg, lat0 + i * spacing_deg * 0.62)
    ways: list[dict] = []
    for i in range(n):  # east-west streets
        row = [1 + i * n + j for j in range(n)]
        tags = {"highway": "residential", "maxspeed": "30 mph", "name": f"Row {i}"}
        if i == 2:
            tags["oneway"] = "yes"
        ways.append({"nodes": row, **tags})
    for j in range(n):  # north-south streets, one a B road with a bend node
        col = [1 + i * n + j for i in range(n)]
        hw = "secondary" if j == 0 else "residential"
        ways.append({"nodes": col, "highway": hw, "maxspeed": "national" if j == 0 else "30 mph"})
    # a winding lane from the grid's corner to a hamlet
    lane = [1 + n * n - 1]
    for k in range(1, 8):
        nid = 1000 + k
        nodes[nid] = (
            lon0 + (n - 1) * spacing_deg + k * 0.003,
            lat0 + (n - 1) * spacing_deg * 0.62 + (k % 2) * 0.002,
        )
        lane.append(nid)
    ways.append(
        {"nodes": lane, "highway": "unclassified", "maxspeed": "national", "name": "Long Lane"}
    )
    # a footpath (walk only) and a private drive (neither drive)
    nodes[2001] = (lon0 - 0.003, lat0)
    ways.append({"nodes": [1, 2001], "highway": "footway"})
    ways.append({"nodes": [2, 2001], "highway": "service", "access": "private"})
    # a disconnected island
    nodes[3001], nodes[3002], nodes[3003] = (
        (lon0 + 0.05, lat0 + 0.05),
        (lon0 + 0.051, lat0 + 0.05),
        (lon0 + 0.052, lat0 + 0.05),
    )
    ways.append({"nodes": [3001, 3002, 3003], "highway": "residential"})
    return write_osm(path, nodes, ways)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """Point the carezones cache at a fresh folder."""
    d = tmp_path / "cache"
    monkeypatch.setenv("CAREZONES_CACHE", str(d))
    return d


@pytest.fixture
def grid_file(tmp_path) -> Path:
    return grid_osm(tmp_path / "grid.osm")


@pytest.fixture(scope="session")
def rutland_pbf() -> Path:
    p = shared_file(RUTLAND_PBF)
    if p is None:
        pytest.skip(f"{RUTLAND_PBF} not found in ../shared/data or $CAREZONES_DATA")
    return p


@contextmanager
def cache_at(folder: Path) -> Iterator[None]:
    """Point the carezones cache at ``folder`` for a module- or session-wide fixture."""
    old = os.environ.get("CAREZONES_CACHE")
    os.environ["CAREZONES_CACHE"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("CAREZONES_CACHE")
        else:
            os.environ["CAREZONES_CACHE"] = old


@pytest.fixture(scope="session")
def rutland_drive(rutland_pbf, tmp_path_factory):
    from carezones.network import load_network

    with cache_at(tmp_path_factory.mktemp("rutland-cache")):
        return load_network(rutland_pbf, "drive", engine="builtin")


def random_points(net, n: int, seed: int = 0) -> np.ndarray:
    """Points scattered near the network's nodes (within ~300 m)."""
    rng = np.random.default_rng(seed)
    idx = rng.choice(net.n_nodes, n)
    jitter = rng.normal(0, 0.002, (n, 2))
    return np.column_stack([net.lon[idx], net.lat[idx]]) + jitter


@pytest.fixture(scope="session")
def dask_client():
    """One local Dask cluster of two workers for the whole session (parallel runs' tests)."""
    from carezones.parallel import local_client

    client = local_client(2)
    try:
        yield client
    finally:
        client.close()
        client.cluster.close()


@pytest.fixture(scope="session")
def tiny_demo(tmp_path_factory) -> tuple[Path, str]:
    """``carezones demo --size tiny`` run once for the session: its folder and what it printed.

    The command-line, privacy and browser tests all read this one run; the tests that change
    what the demo writes make their own.
    """
    import contextlib
    import io

    from carezones.cli import main

    out = tmp_path_factory.mktemp("tiny-demo") / "demo"
    printed = io.StringIO()
    with cache_at(out.parent / "cache"), contextlib.redirect_stdout(printed):
        assert main(["demo", "--out", str(out), "--size", "tiny", "--engine", "builtin"]) == 0
    return out, printed.getvalue()
