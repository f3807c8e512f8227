"""Issue 27 ("Trust, second round"), privacy: what a hostile reader of the shared files finds.

- ``zones --show-clients`` draws hexagons of 5 or more clients, as its help says; exact points
  only with ``--show-client-points``, on a page marked for the council's own use.
- No withheld figure (a zone, a unit, a design's zone) can be found by subtracting the published
  ones from the published totals: the tests try the subtraction.
- A zone's centre is never at a client's home, nor at the road point a home snaps to, even when
  the clients live on the junctions.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from carezones import testing
from carezones.privacy import CENTRE_CLEARANCE_M
from carezones.zones import ZoneAreas, build_zones
from carezones.zones.inputs import study_area

from .conftest import cache_at
from .zone_tools import grid_units

pytestmark = pytest.mark.hostile


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny synthetic county's network and its 60 clients (built once per process)."""
    with cache_at(tmp_path_factory.mktemp("cache")):
        return testing.net(), testing.clients()


# ------------------------------------------------------------------ 9: centres are not homes
def _clients_on_junctions(net) -> gpd.GeoDataFrame:
    """A client at every junction where roads meet: on it, or 15 m off the road snapping to it."""
    degree = np.bincount(net.arrays.seg_ab.ravel(), minlength=net.n_nodes)
    nodes = net.junction_nodes[degree[net.junction_nodes] >= 3]
    angles = np.radians(np.arange(0, 360, 5))
    x = (net.x[nodes][:, None] + 15.0 * np.cos(angles)[None, :]).ravel()
    y = (net.y[nodes][:, None] + 15.0 * np.sin(angles)[None, :]).ravel()
    lon, lat = net.to_wgs84(x, y)
    snapped = net.snap(np.column_stack([lon, lat]))
    sx, sy = net.to_metric(snapped.lon, snapped.lat)
    on_node = np.hypot(sx - np.repeat(net.x[nodes], len(angles)), sy - np.repeat(net.y[nodes], 72))
    on_node = on_node.reshape(len(nodes), len(angles)) < 0.01
    points = []
    for i, n in enumerate(nodes.tolist()):
        hit = np.flatnonzero(on_node[i])
        if len(hit):  # a home off the road whose road point is the junction itself
            points.append(
                (lon.reshape(on_node.shape)[i, hit[0]], lat.reshape(on_node.shape)[i, hit[0]])
            )
        else:  # a home on the junction
            points.append((net.lon[n], net.lat[n]))
    assert any(on_node.any(axis=1)) and not all(on_node.any(axis=1))  # both kinds
    lonlat = np.array(points)
    return gpd.GeoDataFrame(
        {"client_id": [f"J{i}" for i in range(len(lonlat))], "hours_per_week": 6.0},
        geometry=gpd.points_from_xy(lonlat[:, 0], lonlat[:, 1]),
        crs="EPSG:4326",
    )


@pytest.mark.parametrize("by_units", [False, True], ids=["roads", "units"])
def test_a_centre_is_never_a_home_even_when_clients_live_on_the_junctions(tiny, by_units):
    net, clients = tiny
    homes = pd.concat(
        [clients[["client_id", "hours_per_week", "geometry"]], _clients_on_junctions(net)]
    )
    homes = gpd.GeoDataFrame(homes.reset_index(drop=True), crs="EPSG:4326")
    areas = ZoneAreas(units=grid_units(study_area(net, None), net.crs, 700.0)) if by_units else None
    plan = build_zones(homes, net, 3, areas=areas)
    centres = plan.zones[["centre_lon", "centre_lat"]].dropna().to_numpy()
    assert len(centres) == 3
    lonlat = np.column_stack([homes.geometry.x, homes.geometry.y])
    snapped = net.snap(lonlat)
    hx, hy = net.to_metric(np.r_[lonlat[:, 0], snapped.lon], np.r_[lonlat[:, 1], snapped.lat])
    cx, cy = net.to_metric(centres[:, 0], centres[:, 1])
    nearest = np.hypot(hx[None, :] - cx[:, None], hy[None, :] - cy[:, None]).min(axis=1)
    assert (nearest >= CENTRE_CLEARANCE_M).all(), f"centres {nearest.round(1)} m from a client"
    node = [int(np.argmin(np.hypot(net.lon - lo, net.lat - la))) for lo, la in centres]
    np.testing.assert_array_equal(net.lon[node], centres[:, 0])  # still a road node
    assert "never a client's home" in plan.summary()


# ------------------------------------------------------------------ 3: --show-clients
def _zones_cli(tmp_path, *extra: str) -> tuple[int, str]:
    import contextlib
    import io

    from carezones.cli import main

    county = testing.county()
    printed = io.StringIO()
    args = ["zones", "--osm", str(county.osm_path), "--clients", str(county.clients_path)]
    with cache_at(tmp_path / "cache"), contextlib.redirect_stdout(printed):
        code = main([*args, "--zones", "3", "--engine", "builtin", *extra])
    return code, printed.getvalue()


def _point_markers(html: str) -> int:
    return html.count("L.circleMarker(")


def test_show_clients_draws_hexagons_of_five_or_more_and_no_client(tiny, tmp_path):
    net, clients = tiny
    code, _ = _zones_cli(tmp_path, "--show-clients", "--out", str(tmp_path / "z"))
    assert code == 0
    html = (tmp_path / "z" / "zones.html").read_text()
    from .zone_tools import folder_leaks

    leaks, checked = folder_leaks(
        tmp_path / "z",
        np.column_stack([clients.geometry.x, clients.geometry.y]),
        net.crs,
        {"assignments.csv": "ids only, the council's own", "unassigned.csv": "ids only"},
    )
    assert "zones.html" in checked and not leaks, leaks
    assert not any(cid in html for cid in clients.client_id), "a client's id is on the map"
    assert _point_markers(html) == 3  # the three zone centres, no client
    import re

    counts = [int(n) for n in re.findall(r"(\d+) clients, \d+ h/week", html)]
    assert counts and min(counts) >= 5  # hexagons with their counts and hours
    assert "For your own use" not in html


def test_show_client_points_is_named_for_what_it_does_and_marks_the_page(tiny, tmp_path):
    _, clients = tiny
    code, printed = _zones_cli(tmp_path, "--show-client-points", "--out", str(tmp_path / "p"))
    assert code == 0
    html = (tmp_path / "p" / "zones.html").read_text()
    assert _point_markers(html) >= len(clients)  # every client where it is
    assert "For your own use — contains clients&#x27;" in html or (
        "For your own use — contains clients'" in html
    )
    md = (tmp_path / "p" / "summary.md").read_text()
    assert md.splitlines()[2].startswith("**For your own use")
    assert "For your own use" in printed
    import contextlib
    import io

    from carezones.cli import main

    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), pytest.raises(SystemExit):
        main(["zones", "--help"])
    text = " ".join(printed.getvalue().split())
    shown = text[text.index("--show-clients ") :]
    assert "hexagons of 5 or more clients" in shown.split("--show-client-points")[0]
    assert "for your own use - contains clients' locations" in shown
