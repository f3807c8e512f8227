"""The privacy rules every shareable output follows: one threshold, and hexagons of clients.

Client locations are personal data. No figure built from fewer than :data:`MIN_GROUP` clients
is published (a zone's, a unit's, a design's), nor one that can be worked out from the
published figures and totals (:func:`suppress`: secondary suppression, as statistical offices
do), and clients are drawn or written only as hexagons of at least that many (:func:`hexbin`,
:func:`hexbin_sums`): the engines withhold by this rule and the presentation layer
(:mod:`carezones.report`) draws by it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
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
    "suppress",
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


def suppress(
    counts: npt.ArrayLike,
    relations: npt.ArrayLike | None = None,
    *,
    key: Sequence[Any] | None = None,
    min_group: int = MIN_GROUP,
) -> npt.NDArray[np.bool_]:
    """Return the cells of a table whose figures are withheld, so that no small group shows.

    *Primary suppression*: a cell of 1 to ``min_group - 1`` clients is withheld. *Secondary
    (complementary) suppression*, the rule statistical offices apply (e.g. the ONS): a total
    that is published with exactly one of its cells withheld gives that cell away by
    subtraction (60 clients in all, 57 in the zones shown: the other zone holds 3), so the
    smallest other non-empty cell of that total is withheld too. This is repeated until no
    published total holds exactly one withheld cell, and then checked as a linear system: no
    withheld cell follows from any sums and differences of the published figures and totals
    (a cell that still does takes another complement). The same cells are withheld in every
    figure of the table (clients, hours, travel...): the counts decide.

    Parameters
    ----------
    counts : array_like
        The clients in each cell, shape (n,).
    relations : array_like, optional
        How the cells add up to published figures, shape (r, n): each row's coefficients
        times the cells make a figure that is published (a total: ones; a zone and its units:
        ``+1`` for the zone, ``-1`` for each of its units, adding up to 0). Default: one
        published total of all the cells.
    key : sequence, optional
        Breaks ties between complements of equal counts (the smallest key is withheld first);
        give the cells' ids, so that two tables of the same groups withhold the same ones.
        Default: the cells' order.
    min_group : int, default MIN_GROUP
        The fewest clients a published figure may stand for.

    Returns
    -------
    numpy.ndarray of bool
        ``True`` for each cell whose figures are withheld. When a total's only non-empty cell
        is small, the total is itself a small group: nothing in the table can hide it.

    Examples
    --------
    >>> suppress([5, 5, 7, 3]).tolist()  # 3 is small; one of the 5s goes with it
    [True, False, False, True]
    >>> suppress([5, 5, 7, 3], key=["b", "a", "c", "d"]).tolist()
    [False, True, False, True]
    >>> suppress([9, 2, 4]).tolist()  # two small cells protect each other
    [False, True, True]
    """
    c = np.asarray(counts, dtype=np.float64).ravel()
    n = len(c)
    rel = np.ones((1, n)) if relations is None else np.asarray(relations, dtype=np.float64)
    rel = rel.reshape(-1, n)
    member = rel != 0
    ranks = np.arange(n) if key is None else np.argsort(np.argsort(np.asarray(key, dtype=str)))
    order = np.lexsort((ranks, c))  # smallest count first, then the smallest key
    filled = c > 0
    withheld = filled & (c < min_group)

    def complement(cells: npt.NDArray[np.bool_]) -> bool:
        """Withhold the first published non-empty cell of ``cells``; False when there is none."""
        pick = cells[order] & filled[order] & ~withheld[order]
        if not pick.any():
            return False
        withheld[order[int(np.argmax(pick))]] = True
        return True

    while True:
        # no published total with exactly one withheld cell (the subtraction)
        changed = False
        for row in member:
            if (row & withheld & filled).sum() == 1:
                changed = complement(row) or changed
        if changed:
            continue
        # nor any withheld cell that follows from sums and differences of the totals
        exposed = _derivable(rel, withheld & filled)
        if not any(complement(member[member[:, j]].any(axis=0)) for j in exposed):
            return withheld


def _derivable(rel: npt.NDArray[np.float64], hidden: npt.NDArray[np.bool_]) -> list[int]:
    """Return the hidden cells that the published relations determine (as a linear system).

    With the published cells moved to the right-hand side, the relations on the hidden cells
    are ``M x = b``; cell ``j`` is determined exactly when the unit vector ``e_j`` lies in the
    row space of ``M``, i.e. its projection on that space has length 1.
    """
    cols = np.flatnonzero(hidden)
    m = rel[:, cols]
    m = m[(m != 0).any(axis=1)]
    if not len(cols) or not len(m):
        return []
    _, s, vt = np.linalg.svd(m, full_matrices=False)
    rank = int((s > s.max() * max(m.shape) * 1e-12).sum())
    reach = (vt[:rank] ** 2).sum(axis=0)
    return [int(j) for j in cols[reach > 1 - 1e-9]]


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

    Parameters
    ----------
    points : geopandas.GeoDataFrame
        The points, with each of ``columns``.
    crs : pyproj.CRS or str
        A metric CRS to draw the hexagons in (e.g. the network's).
    columns : list of str
        The numeric columns to sum per hexagon.
    hex_m : float, default 750
        Hexagon size (centre to corner) in metres.
    min_count : int, default MIN_GROUP
        Hexagons with fewer points than this are left out.

    Returns
    -------
    hexagons : GeoDataFrame
        ``count`` (points) and the sum of each of ``columns`` per hexagon with at least
        ``min_count`` points, in WGS84.
    hidden : int
        Number of points in the hexagons left out.

    Examples
    --------
    >>> hexes, hidden = hexbin_sums(clients, net.crs, ["hours_per_week"], hex_m=2000)
    >>> int(hexes["count"].sum()) + hidden == len(clients), list(hexes.columns)
    (True, ['count', 'hours_per_week', 'geometry'])
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
    """Return the axial coordinates of the flat-topped hexagon (``size`` m) holding each point.

    Parameters
    ----------
    x, y : numpy.ndarray
        The points' coordinates in a metric CRS.
    size : float
        Hexagon size (centre to corner) in metres.

    Returns
    -------
    q : numpy.ndarray
        Each point's hexagon's first axial coordinate (integers).
    r : numpy.ndarray
        Its second axial coordinate.

    Examples
    --------
    >>> q, r = hex_axial(np.array([0.0, 1000.0]), np.array([0.0, 0.0]), 750.0)
    >>> q.tolist(), r.tolist()
    ([0, 1], [0, 0])
    """
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
    """Return the flat-topped hexagon of axial coordinates ``(q, r)`` and ``size`` metres.

    Parameters
    ----------
    q, r : int
        The hexagon's axial coordinates (as :func:`hex_axial` returns them).
    size : float
        Hexagon size (centre to corner) in metres.

    Returns
    -------
    shapely.Polygon
        The hexagon, in the metric CRS the coordinates were taken in.

    Examples
    --------
    >>> round(hexagon(0, 0, 750.0).area)
    1461418
    """
    cx = size * 1.5 * q
    cy = size * math.sqrt(3) * (r + q / 2.0)
    ang = np.radians(np.arange(0, 360, 60))
    return shapely.Polygon(np.column_stack([cx + size * np.cos(ang), cy + size * np.sin(ang)]))
