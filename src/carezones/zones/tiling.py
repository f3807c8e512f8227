"""Tiling: the zones' polygons, with no gaps or overlaps, one piece each.

The study area is cut into Voronoi cells of generators that carry a zone: the road nodes,
points along long road segments and (when given) every building, each point with the zone of
the road it snaps to at the place it snaps to (the nearer zoned element on that road). No
generator is a client's location or drawn from one, so no boundary traces where a client
lives. Cells are clipped to the area and dissolved by zone.

The polygons are the zones: each client takes the zone of the cell it lies in, so that the
assignments and the map always agree (and a new referral at a client's address gets the same
zone). Where that takes a zone's hours out of the band, whole cells are handed between
neighbouring zones by the same balancing as on the roads, over the cells' adjacency; a piece of
a zone cut off from its centre's cell joins the neighbouring zone it touches most. A note says
how many cells changed zone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import shapely

if TYPE_CHECKING:
    from carezones.network import RoadNetwork
    from carezones.zones.options import Points

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DENSIFY_M = 100.0  # extra Voronoi generators along road segments longer than this
CELL_PULL = 0.02  # cost weight of a cell with no client, as a share of the mean client hours


def densify(network: RoadNetwork) -> tuple[IntArray, FloatArray]:
    """Return points along road segments longer than ``DENSIFY_M``, evenly spaced.

    Parameters
    ----------
    network : RoadNetwork
        The road network.

    Returns
    -------
    seg : numpy.ndarray of int64
        The segment of each point.
    frac : numpy.ndarray
        Its fraction along the segment from the segment's first node.
    """
    ab = network.arrays.seg_ab
    length = np.hypot(
        network.x[ab[:, 1]] - network.x[ab[:, 0]], network.y[ab[:, 1]] - network.y[ab[:, 0]]
    )
    n_extra = np.floor(length / DENSIFY_M).astype(np.int64)
    seg = np.repeat(np.arange(len(ab)), n_extra)
    if not len(seg):
        return seg, np.zeros(0)
    frac = np.concatenate([np.arange(1, m + 1) / (m + 1) for m in n_extra[n_extra > 0]])
    return seg, frac


def road_points(
    network: RoadNetwork, buildings: Points | None, area: shapely.Geometry
) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
    """Return the generators other than road nodes: points along the roads, then buildings.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    buildings : points or None
        Buildings (all of them, not only clients' homes): a GeoDataFrame or GeoSeries with a
        CRS (polygons stand for their representative point), shapely points or an (n, 2)
        lon/lat array. Only those inside ``area`` are used.
    area : shapely.Geometry
        The area to tile (metric).

    Returns
    -------
    seg, frac : numpy.ndarray
        Where each point meets the roads: the segment and the fraction along it (a building
        at the road point nearest to it).
    x, y : numpy.ndarray
        The points' metric coordinates.

    Raises
    ------
    ArgumentError
        When ``buildings`` are not points this can read.
    """
    from carezones.errors import ArgumentError
    from carezones.network import as_lonlat

    seg, frac = densify(network)
    x, y = dense_xy(network, seg, frac)
    if buildings is None:
        return seg, frac, x, y
    try:
        ll = as_lonlat(buildings)
    except ValueError as exc:
        raise ArgumentError(f"buildings: {exc}") from None
    bx, by = network.to_metric(ll[:, 0], ll[:, 1])
    inside = shapely.contains_xy(area, bx, by)
    with quiet():  # buildings far from roads are expected: no warning that they are far
        snapped = network.snap(ll[inside]) if inside.any() else None
    if snapped is None:
        return seg, frac, x, y
    return (
        np.concatenate([seg, snapped.segment]),
        np.concatenate([frac, snapped.fraction]),
        np.concatenate([x, bx[inside]]),
        np.concatenate([y, by[inside]]),
    )


@contextmanager
def quiet() -> Iterator[None]:
    """Silence carezones' warnings for a moment (snapping points that may be far from roads)."""
    logger = logging.getLogger("carezones")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass
class Generators:
    """The Voronoi generators, each with its zone and its place on the roads.

    The road nodes come first (generator ``i < n_nodes`` is node ``i``), then points along
    the roads and buildings, each at a place on a road segment.
    """

    x: FloatArray
    y: FloatArray
    zone: IntArray  # -1: none
    seg: IntArray  # the road segment of each point (-1 for road nodes)
    frac: FloatArray  # the fraction along it


@dataclass
class TileClients:
    """The clients the tiling places in cells, and what their cells' balance needs."""

    x: FloatArray
    y: FloatArray
    hours: FloatArray
    zone: IntArray  # the zone the roads gave each client (-1: not zoned)
    route_ll: FloatArray  # where routes to each client end (lon/lat)
    extra: FloatArray  # minutes from there to the client


@dataclass(frozen=True)
class TileJob:
    """What every tiling of a plan shares: the generators, the clients and the zones' rules.

    Parameters
    ----------
    network : RoadNetwork
        The road network (travel times, when cells must be handed over).
    gen : Generators
        The generators (:func:`generators`).
    clients : TileClients
        The clients.
    centre_ll : numpy.ndarray
        Each zone's centre (lon/lat), for all zones.
    tolerance : float
        The tolerance of the zones' hours, as a share of the mean.
    min_count : int
        The fewest clients a zone should hold: a zone of fewer takes cells (with clients)
        from its neighbours (:func:`~carezones.zones.partition.grow_small`), and no cell
        handed over for balance leaves a zone with fewer.
    """

    network: RoadNetwork
    gen: Generators
    clients: TileClients
    centre_ll: FloatArray
    tolerance: float
    min_count: int


def generators(
    network: RoadNetwork,
    node_zone: IntArray,
    pt_seg: IntArray,
    pt_frac: FloatArray,
    pt_x: FloatArray,
    pt_y: FloatArray,
    pt_zone: IntArray,
) -> Generators:
    """Return the Voronoi generators with their zones: the road nodes, then the other points.

    The generators are public places only: road nodes, points along the roads and (when
    given) buildings, never a client's location or anything drawn from it, so that no
    boundary can trace where a client lives. Their zones come from the roads.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    node_zone : numpy.ndarray of int64
        The zone of each road node (-1: none).
    pt_seg, pt_frac : numpy.ndarray
        Where the other points meet the roads (:func:`road_points`).
    pt_x, pt_y : numpy.ndarray
        Their metric coordinates.
    pt_zone : numpy.ndarray of int64
        Their zones: that of the road each snaps to, at the place it snaps to (-1: none).

    Returns
    -------
    Generators
        The generators.
    """
    n = network.n_nodes
    return Generators(
        np.concatenate([network.x, pt_x]),
        np.concatenate([network.y, pt_y]),
        np.concatenate([node_zone, pt_zone]),
        np.concatenate([np.full(n, -1, dtype=np.int64), pt_seg]),
        np.concatenate([np.zeros(n), pt_frac]),
    )


def dense_xy(
    network: RoadNetwork, seg: IntArray, frac: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Metric coordinates of points ``frac`` of the way along road segments ``seg``."""
    ab = network.arrays.seg_ab
    x0, y0 = network.x[ab[seg, 0]], network.y[ab[seg, 0]]
    x1, y1 = network.x[ab[seg, 1]], network.y[ab[seg, 1]]
    return x0 + (x1 - x0) * frac, y0 + (y1 - y0) * frac


def cell_adjacency(cells: npt.NDArray[np.object_], x: FloatArray, y: FloatArray) -> sp.csr_matrix:
    """Return which polygons share a border (a line, not a corner), weighted by distance.

    Parameters
    ----------
    cells : numpy.ndarray of shapely.Geometry
        Polygons that do not overlap (Voronoi cells, or areal units).
    x, y : numpy.ndarray
        A point of each (its generator), in the same metric CRS.

    Returns
    -------
    scipy.sparse.csr_matrix
        Symmetric; the straight-line metres between the points of neighbouring polygons.
    """
    n = len(cells)
    tree = shapely.STRtree(cells)
    a, b = tree.query(cells, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    line = shapely.relate_pattern(cells[a], cells[b], "****1****")
    a, b = a[line], b[line]
    d = np.maximum(np.hypot(x[a] - x[b], y[a] - y[b]), 1e-3)
    adj = sp.csr_matrix(
        (np.concatenate([d, d]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )
    adj.sum_duplicates()
    return adj


def tile(
    area: shapely.Geometry, zones: IntArray, job: TileJob
) -> tuple[list[shapely.Geometry], IntArray, list[str]]:
    """Return zone polygons from Voronoi cells of the generators, and each client's zone.

    The cells are clipped to the area. A client lies in the cell of its nearest generator, and
    takes that cell's zone: the polygons are the zones, so that a new referral at a client's
    address would get the same zone. Where that takes a zone's hours out of the band, whole
    cells are handed between neighbouring zones (:func:`~carezones.zones.partition.rebalance`
    on the cells' adjacency); a piece of a zone cut off from its centre's cell joins the
    neighbouring zone it touches most (a note says so).

    Parameters
    ----------
    area : shapely.Geometry
        The area to tile (metric).
    zones : numpy.ndarray of int64
        The zones tiled here (all of them, or one locality's), in order.
    job : TileJob
        The generators (those of no zone in ``zones``, or outside the area, are left out),
        the clients (those whose zone is in ``zones`` are placed in cells), the centres, the
        tolerance and the fewest clients a zone should hold.

    Returns
    -------
    polys : list of shapely.Geometry
        The polygon of each zone in ``zones`` (empty for a zone with no generator).
    client_zone : numpy.ndarray of int64
        The zone of each client placed here (-1 for the others).
    notes : list of str
        The plan's notes from this tiling (how many cells joined another zone).
    """
    from scipy.spatial import cKDTree

    from carezones.zones.partition import Problem, grow_small, make_contiguous, rebalance

    gen, clients, network, centre_ll = job.gen, job.clients, job.network, job.centre_ll
    tol, min_count = job.tolerance, job.min_count
    notes: list[str] = []

    k = len(zones)
    top = max(int(zones.max()), int(gen.zone.max()), int(clients.zone.max()), 0)
    local = np.full(top + 2, -1, dtype=np.int64)
    local[zones] = np.arange(k)
    gz = np.where(gen.zone >= 0, local[np.maximum(gen.zone, 0)], -1)
    out = np.full(len(clients.zone), -1, dtype=np.int64)
    keep = (gz >= 0) & shapely.contains_xy(area, gen.x, gen.y)
    if not keep.any():
        return [shapely.Polygon() for _ in range(k)], out, notes
    # one generator per spot (the first wins: road nodes before other points)
    order = np.flatnonzero(keep)[::-1]
    key = np.round(gen.x[order], 1) * 1e7 + np.round(gen.y[order], 1)
    _, first = np.unique(key, return_index=True)
    sel = np.sort(order[first])
    sx, sy = gen.x[sel], gen.y[sel]
    cells = shapely.voronoi_polygons(
        shapely.multipoints(shapely.points(sx, sy)), extend_to=area, ordered=True
    )
    cells = np.asarray(shapely.get_parts(cells))
    shapely.prepare(area)
    edge = ~shapely.contains(area, cells)  # only cells crossing the border need clipping
    cells[edge] = shapely.intersection(cells[edge], area)
    zone = gz[sel].copy()
    cz = np.where(clients.zone >= 0, local[np.maximum(clients.zone, 0)], -1)
    who = np.flatnonzero(cz >= 0)
    tree = cKDTree(np.column_stack([sx, sy]))
    _, cell_of = tree.query(np.column_stack([clients.x[who], clients.y[who]]))
    cxy = np.column_stack(network.to_metric(centre_ll[zones, 0], centre_ll[zones, 1]))
    _, centre_cell = tree.query(cxy)
    if len(np.unique(centre_cell)) == k:
        zone[centre_cell] = np.arange(k)
    adj = cell_adjacency(cells, sx, sy)
    before = zone.copy()
    zone = make_contiguous(adj, zone, centre_cell, k)
    w = np.bincount(cell_of, weights=clients.hours[who], minlength=len(sel))
    count = np.bincount(cell_of, minlength=len(sel)).astype(np.float64)
    pull = np.maximum(w, CELL_PULL * float(clients.hours[who].mean() if len(who) else 1.0))
    t = None
    if k > 1 and (np.bincount(zone, weights=count, minlength=k) < min_count).any():
        t = _cell_times(network, gen, sel, centre_ll[zones], clients, who, cell_of)
        problem = Problem(adj, w, pull, t, centre_cell, count, min_count)
        zone = grow_small(problem, zone)
    h = np.bincount(zone, weights=w, minlength=k)
    mean = float(h.mean())
    lo, hi = mean * (1 - tol), mean * (1 + tol)
    if k > 1 and ((h < lo - 1e-9) | (h > hi + 1e-9)).any():
        if t is None:
            t = _cell_times(network, gen, sel, centre_ll[zones], clients, who, cell_of)
        zone = rebalance(Problem(adj, w, pull, t, centre_cell, count, min_count), zone, lo, hi)
    changed = int((zone != before).sum())
    if changed:
        notes.append(
            f"{changed} small area{'s' if changed != 1 else ''} of the map moved to a "
            "neighbouring zone, to keep each zone in one piece, with enough clients to be "
            "published and its hours within the band"
        )
    polys = []
    for zz in range(k):
        parts = cells[zone == zz]
        polys.append(shapely.coverage_union_all(parts) if len(parts) else shapely.Polygon())
    out[who] = zones[zone[cell_of]]
    return polys, out, notes


def _cell_times(
    network: RoadNetwork,
    gen: Generators,
    sel: IntArray,
    centre_ll: FloatArray,
    clients: TileClients,
    who: IntArray,
    cell_of: IntArray,
) -> FloatArray:
    """Minutes from each centre to each cell: hours-weighted over its clients, else its point."""
    n = network.n_nodes
    t_nodes = network.times_to_nodes(centre_ll)
    node = sel < n
    t = np.empty((len(centre_ll), len(sel)))
    t[:, node] = t_nodes[:, sel[node]]
    pts = sel[~node]
    seg, frac = gen.seg[pts], gen.frac[pts]
    ab = network.arrays.seg_ab[seg]
    seg_min = network.arrays.minutes[network.arrays.segment_edge[seg]]
    t[:, ~node] = np.minimum(
        t_nodes[:, ab[:, 0]] + frac * seg_min, t_nodes[:, ab[:, 1]] + (1 - frac) * seg_min
    )
    if len(who):
        tc = network.travel_times(centre_ll, clients.route_ll[who], engine="builtin")
        tc = tc + clients.extra[who][None, :]
        hw = clients.hours[who] + 1e-9
        num = np.zeros_like(t)
        for z in range(len(centre_ll)):
            num[z] = np.bincount(
                cell_of, weights=np.where(np.isfinite(tc[z]), tc[z], 1e6) * hw, minlength=len(sel)
            )
        den = np.bincount(cell_of, weights=hw, minlength=len(sel))
        has = den > 0
        t[:, has] = num[:, has] / den[has]
    return np.where(np.isfinite(t), t, 1e6)


def polygon_of(
    polys: npt.NDArray[np.object_] | list[shapely.Geometry], cx: npt.ArrayLike, cy: npt.ArrayLike
) -> IntArray:
    """Return the index of the polygon holding each point (-1: none; on a border, the lowest).

    Parameters
    ----------
    polys : sequence of shapely.Geometry
        The polygons (zones, or units).
    cx, cy : array_like
        The points' coordinates, in the polygons' CRS.

    Returns
    -------
    numpy.ndarray of int64
        The polygon of each point.
    """
    out = np.full(len(np.asarray(cx)), -1, dtype=np.int64)
    if not len(out):
        return out
    tree = shapely.STRtree(polys)
    hit = tree.query(shapely.points(cx, cy), predicate="intersects")
    for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
        out[p] = g
    return out


def tile_localities(
    parts: list[shapely.Geometry], ks: list[int], job: TileJob
) -> tuple[list[shapely.Geometry], IntArray, list[str]]:
    """Tile each locality on its own with :func:`tile`, so that no zone crosses its border.

    Parameters
    ----------
    parts : list of shapely.Geometry
        Each locality's part of the study area (metric).
    ks : list of int
        The number of zones of each locality; its zones are the next ``ks[i]`` zone indices.
    job : TileJob
        The generators, clients, centres and rules (see :func:`tile`).

    Returns
    -------
    polys : list of shapely.Geometry
        Each zone's polygon.
    client_zone : numpy.ndarray of int64
        The zone of each client (-1: not placed).
    notes : list of str
        The plan's notes from the tilings, locality by locality.
    """
    polys: list[shapely.Geometry] = [shapely.Polygon() for _ in range(sum(ks))]
    out = np.full(len(job.clients.zone), -1, dtype=np.int64)
    notes: list[str] = []
    start = 0
    for part, kp in zip(parts, ks, strict=True):
        if kp:
            zones = np.arange(start, start + kp)
            part_polys, part_zone, part_notes = tile(part, zones, job)
            polys[start : start + kp] = part_polys
            out = np.where(part_zone >= 0, part_zone, out)
            notes += part_notes
        start += kp
    return polys, out, notes
