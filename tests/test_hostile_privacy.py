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
def _zones_cli(tmp_path, *extra: str, zones: int = 3) -> tuple[int, str]:
    import contextlib
    import io

    from carezones.cli import main

    county = testing.county()
    printed = io.StringIO()
    args = ["zones", "--osm", str(county.osm_path), "--clients", str(county.clients_path)]
    with cache_at(tmp_path / "cache"), contextlib.redirect_stdout(printed):
        code = main([*args, "--zones", str(zones), "--engine", "builtin", *extra])
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


# ------------------------------------------------------------------ 4: subtraction
def _try_subtraction(total: float, cells: pd.Series) -> float | None:
    """What a reader finds by subtraction: the one withheld cell, or None when it is hidden."""
    withheld = cells.isna()
    if withheld.sum() == 1:  # total less the published cells is the withheld one
        return float(total - cells[~withheld].astype(float).sum())
    return None


def _solvable(equations: np.ndarray) -> list[int]:
    """The unknowns that sums and differences of the equations pin down (a linear system)."""
    rank = np.linalg.matrix_rank(equations)
    found = []
    for j in range(equations.shape[1]):
        unit = np.zeros((1, equations.shape[1]))
        unit[0, j] = 1.0
        if np.linalg.matrix_rank(np.vstack([equations, unit])) == rank:
            found.append(j)
    return found


def test_the_zones_of_zones_12_cannot_be_recovered_by_subtraction(tiny, tmp_path):
    """The issue's case: a zone of 3 clients withheld, 60 clients and 689.5 hours published."""
    import json
    import re

    out = tmp_path / "z12"
    code, printed = _zones_cli(tmp_path, "--out", str(out), zones=12)
    assert code == 0
    head = re.search(r"12 zones for (\d+) clients and ([\d.,]+) hours", printed)
    assert head, printed
    summary = json.loads((out / "summary.json").read_text())
    totals = {
        "clients": float(head.group(1)),
        "hours_per_week": float(head.group(2).replace(",", "")),
    }
    assert totals == {c: summary[c] for c in totals}  # the same totals in every file
    tables = {
        "summary.json": pd.DataFrame(summary["zones"]),
        "zones.gpkg": gpd.read_file(out / "zones.gpkg", layer="zones"),
    }
    for name, zones in tables.items():
        assert zones["withheld"].any()  # the zone of 3 clients is still withheld
        for column, total in totals.items():
            found = _try_subtraction(total, zones[column])
            assert found is None, f"{name}: {column} {total} less the others gives {found}"
            assert zones[column].isna().sum() != 1
    assert "60 clients and 689.5 hours" in printed and "cannot be found by subtracting" in printed


def test_units_and_zones_cannot_be_recovered_by_subtraction(tiny, tmp_path):
    import json

    net, clients = tiny
    units = grid_units(study_area(net, None), net.crs, 700.0)
    plan = build_zones(clients, net, 4, areas=ZoneAreas(units=units))
    plan.to_files(tmp_path / "u")
    summary = json.loads((tmp_path / "u" / "summary.json").read_text())
    zones = pd.DataFrame(summary["zones"]).set_index("zone_id")
    table = pd.read_csv(tmp_path / "u" / "units.csv")
    assert table["clients"].isna().any()  # small units are withheld
    for column in ("clients", "hours_per_week"):
        total = summary[column]
        assert _try_subtraction(total, zones[column]) is None
        for zone, row in zones.iterrows():
            if pd.notna(row[column]):  # a published zone is a total of its units
                of_zone = table.loc[table.zone_id == zone, column]
                found = _try_subtraction(row[column], of_zone)
                assert found is None, f"zone {zone}: {column} less its units gives {found}"
        # every sum and difference at once: the zones, their units and the plan's total
        hidden_zones = [z for z in zones.index if pd.isna(zones.loc[z, column])]
        hidden_units = list(np.flatnonzero(table[column].isna()))
        n = len(hidden_zones) + len(hidden_units)
        rows = [[1.0] * len(hidden_zones) + [0.0] * len(hidden_units)]  # the total
        for zone in zones.index:
            row = [1.0 if z == zone else 0.0 for z in hidden_zones]
            row += [-1.0 if table.zone_id.iloc[u] == zone else 0.0 for u in hidden_units]
            rows.append(row)  # the zone less its units
        found = _solvable(np.array(rows).reshape(-1, n)) if n else []
        assert not found, f"{column}: withheld figures {found} follow from the published ones"


def _county(tmp_path):
    from carezones import CountyOptions, compare_designs

    clients = testing.clients()
    few = [("Caldwell", 6), ("Lythwick", 6), ("Swinham", 3)]  # one town of 3 clients
    some = pd.concat([clients[clients.town == town].head(n) for town, n in few])
    with cache_at(tmp_path / "cache"):
        comparison = compare_designs(
            some,
            testing.net(),
            designs={"today": "town"},
            options=CountyOptions(iterations=50, workers=1),
        )
    comparison.to_files(tmp_path / "c", offline=False)
    return comparison, tmp_path / "c"


def test_a_designs_small_zone_cannot_be_recovered_by_subtraction(tiny, tmp_path):
    comparison, out = _county(tmp_path)
    designs = pd.read_csv(out / "designs.csv").set_index("design")
    zones = pd.read_csv(out / "designs" / "today" / "zones.csv")
    assert zones["clients"].isna().any()  # Swinham's 3 clients are withheld
    columns = [c for c in zones.columns if c in designs.columns and c != "zones"]
    assert {"clients", "visits", "care_hours", "travel_minutes"} <= set(columns)
    for column in columns:
        total = designs.loc["today", column]
        found = _try_subtraction(total, zones[column])
        assert found is None, f"designs.csv {column} {total} less the zones gives {found}"
    import re

    from carezones.report.county import plan_card

    card = plan_card(comparison.plans["today"])  # its notebook card: the same zones
    shown = dict(re.findall(r"<tr>\s*<td>(\w+)</td>\s*<td>([^<]*)</td>", card))
    assert set(shown) == set(zones["zone"])
    assert [shown[z] == "NaN" for z in zones["zone"]] == zones["clients"].isna().tolist()


def test_a_zone_plan_and_its_county_design_withhold_the_same_zones(tiny, tmp_path):
    """Both tables are published for the same zones: withholding different ones would undo it."""
    import json

    import shapely

    from carezones import CountyOptions, compare_designs

    net, clients = tiny
    mid = float(np.median(clients.geometry.x))
    west = clients[clients.geometry.x < mid]
    some = pd.concat([west, clients[clients.geometry.x >= mid].head(3)])
    lo, la, hi, ha = net.bounds
    halves = gpd.GeoDataFrame(
        {"name": ["west", "east"]},
        geometry=[
            shapely.box(lo - 1, la - 1, mid, ha + 1),
            shapely.box(mid, la - 1, hi + 1, ha + 1),
        ],
        crs="EPSG:4326",
    )
    plan = build_zones(some, net, 4, areas=ZoneAreas(localities=halves))
    assert (plan.zones["withheld"] & plan.zones["clients"].isna()).sum() >= 2
    with cache_at(tmp_path / "cache"):
        comparison = compare_designs(
            some, net, designs={"zones": plan}, options=CountyOptions(iterations=30, workers=1)
        )
    comparison.to_files(tmp_path / "c", offline=False)
    design = pd.read_csv(tmp_path / "c" / "designs" / "zones" / "zones.csv", dtype={"zone": str})
    plan.to_files(tmp_path / "z")  # the zone plan's own files, shared as well
    summary = json.loads((tmp_path / "z" / "summary.json").read_text())
    in_plan = {str(z["zone_id"]) for z in summary["zones"] if z["withheld"]}
    in_design = set(design.loc[design["clients"].isna(), "zone"])
    assert in_plan == in_design and len(in_plan) >= 2


@pytest.mark.parametrize("moved", [3, 7])
def test_the_summary_gives_no_count_of_fewer_than_five_clients_moved_by_tiling(moved):
    import dataclasses

    from carezones import testing

    plan = testing.zone_plan()
    kpis = {**plan.kpis, "moved_by_tiling": moved, "moved_by_tiling_hours": 12.5}
    text = dataclasses.replace(plan, kpis=kpis).summary()
    if moved < 5:
        assert "Fewer than 5 clients took the zone" in text
        assert f"{moved} client(s)" not in text and "12.5 h" not in text
    else:
        assert f"{moved} client(s) (12.5 h) took the zone" in text
