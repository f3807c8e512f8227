"""The privacy rules every shareable output follows: one threshold, and hexagons of clients.

Client locations are personal data. No figure built from fewer than :data:`MIN_GROUP` clients
is published (a zone's, a unit's, a design's), and clients are drawn or written only as
hexagons of at least that many (:func:`hexbin`, :func:`hexbin_sums`): the engines withhold by
this rule and the presentation layer (:mod:`carezones.report`) draws by it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CENTRE_CLEARANCE_M",
    "MIN_GROUP",
    "hex_axial",
    "hexagon",
    "hexbin",
    "hexbin_sums",
]

MIN_GROUP = 5
"""The fewest clients a published figure or a drawn hexagon may stand for.

Examples
--------
>>> MIN_GROUP
5
"""

CENTRE_CLEARANCE_M = 10.0
"""The least distance, in metres, from a published zone centre to any client.

A zone's centre is a road junction; a junction this close to a client's home, or to the point
where a client's home meets the road, is never chosen (it would mark the home on the map).

Examples
--------
>>> CENTRE_CLEARANCE_M
10.0
"""


def hexbin(
    points: gpd.GeoDataFrame, crs: Any, *, hex_m: float = 750.0, min_count: int = MIN_GROUP
) -> tuple[gpd.GeoDataFrame, int]:
    """Aggregate points into flat-topped hexagons in a metric CRS.

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        The points, with ``hours_per_week`` when there are hours to sum.
    crs : pyproj.CRS or str
        A metric CRS to draw the hexagons in (e.g. the network's).
    hex_m : float, default 750
        Hexagon size (centre to corner) in metres.
    min_count : int, default MIN_GROUP
        Hexagons with fewer points than this are left out.

    Returns
    -------
    hexagons : GeoDataFrame
        ``clients`` (count) and ``hours_per_week`` (sum) per hexagon with at least
        ``min_count`` points, in WGS84.
    hidden : int
        Number of points in the hexagons left out.

    Examples
    --------
    >>> hexes, hidden = hexbin(clients, net.crs, hex_m=2000)
    >>> int(hexes.clients.sum()) + hidden == len(clients), bool((hexes.clients >= 5).all())
    (True, True)
    """
    import geopandas as gpd

    geo = points.geometry.to_crs(crs)
    x, y = geo.x.to_numpy(), geo.y.to_numpy()
    q, r = hex_axial(x, y, hex_m)
    hours = (
        points["hours_per_week"].to_numpy(dtype=float)
        if "hours_per_week" in points
        else np.zeros(len(points))
    )
    df = pd.DataFrame({"q": q, "r": r, "hours_per_week": hours})
    cells = df.groupby(["q", "r"], sort=True).agg(
        clients=("hours_per_week", "size"), hours_per_week=("hours_per_week", "sum")
    )
    shown = cells[cells["clients"] >= min_count].reset_index()
    hidden = int(cells.loc[cells["clients"] < min_count, "clients"].sum())
    polys = [hexagon(int(a), int(b), hex_m) for a, b in zip(shown["q"], shown["r"], strict=True)]
    gdf = gpd.GeoDataFrame(shown[["clients", "hours_per_week"]], geometry=polys, crs=crs).to_crs(
        "EPSG:4326"
    )
    return gdf, hidden


def hexbin_sums(
    points: gpd.GeoDataFrame,
    crs: Any,
    columns: list[str],
    *,
    hex_m: float = 750.0,
    min_count: int = MIN_GROUP,
) -> tuple[gpd.GeoDataFrame, int]:
    """Aggregate points into hexagons as :func:`hexbin` does, summing any numeric columns.

    Returns the hexagons with ``count`` (points) and the sum of each of ``columns``, those
    with fewer than ``min_count`` points left out, and the number of points they held.
    """
    import geopandas as gpd

    geo = points.geometry.to_crs(crs)
    q, r = hex_axial(geo.x.to_numpy(), geo.y.to_numpy(), hex_m)
    df = pd.DataFrame({"q": q, "r": r, "count": 1})
    for col in columns:
        df[col] = points[col].to_numpy(dtype=float)
    cells = df.groupby(["q", "r"], sort=True).sum().reset_index()
    shown = cells[cells["count"] >= min_count]
    hidden = int(cells.loc[cells["count"] < min_count, "count"].sum())
    polys = [hexagon(int(a), int(b), hex_m) for a, b in zip(shown["q"], shown["r"], strict=True)]
    out = gpd.GeoDataFrame(
        shown[["count", *columns]].reset_index(drop=True), geometry=polys, crs=crs
    ).to_crs("EPSG:4326")
    return out, hidden


def hex_axial(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Return the axial coordinates of the flat-topped hexagon (``size`` m) holding each point."""
    qf = (2.0 / 3.0 * x) / size
    rf = (-1.0 / 3.0 * x + math.sqrt(3) / 3.0 * y) / size
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def hexagon(q: int, r: int, size: float) -> shapely.Polygon:
    """Return the flat-topped hexagon of axial coordinates ``(q, r)`` and ``size`` metres."""
    cx = size * 1.5 * q
    cy = size * math.sqrt(3) * (r + q / 2.0)
    ang = np.radians(np.arange(0, 360, 60))
    return shapely.Polygon(np.column_stack([cx + size * np.cos(ang), cy + size * np.sin(ang)]))
