"""Tiling: the zones' polygons, with no gaps or overlaps, one piece each.

The study area is cut into Voronoi cells of generators that carry a zone: the road nodes,
points along long road segments (each with the zone of the nearer zoned element on its road)
and points along each client's access leg; cells are clipped to the area and dissolved by
zone. A rare stray piece of a zone is merged into the zone around it, its clients follow, and
a note says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DENSIFY_M = 100.0  # extra Voronoi generators along road segments longer than this
ACCESS_STEP_M = 20.0  # spacing of Voronoi generators along each client's access leg


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


def generators(
    network: RoadNetwork, node_zone: IntArray, dense_seg: IntArray, dense_frac: FloatArray,
    dense_zone: IntArray, client_zone: IntArray, cx: Any, cy: Any, snapped: Any,
) -> tuple[FloatArray, FloatArray, IntArray]:  # fmt: skip
    """Return the Voronoi generators with their zones: road nodes, points along roads, access legs.

    Points along a road take the zone of the nearer zoned element on it (as road nodes do),
    and each client's access leg (from the client to its road) is lined with points of the
    client's zone, so that a client's cell joins its zone's cells along the road.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    node_zone : numpy.ndarray of int64
        The zone of each road node (-1: none).
    dense_seg, dense_frac : numpy.ndarray
        The points along the roads (:func:`densify`).
    dense_zone : numpy.ndarray of int64
        Their zones (-1: none).
    client_zone : numpy.ndarray of int64
        Each client's zone (-1: not zoned).
    cx, cy : array_like
        The clients' metric coordinates.
    snapped : Snapped
        The clients' snaps to the roads.

    Returns
    -------
    x, y : numpy.ndarray
        The generators' metric coordinates.
    z : numpy.ndarray of int64
        Their zones (-1: none).
    """
    ab = network.arrays.seg_ab
    x0, y0 = network.x[ab[dense_seg, 0]], network.y[ab[dense_seg, 0]]
    x1, y1 = network.x[ab[dense_seg, 1]], network.y[ab[dense_seg, 1]]
    gx = [network.x, x0 + (x1 - x0) * dense_frac]
    gy = [network.y, y0 + (y1 - y0) * dense_frac]
    gz = [node_zone, dense_zone]
    placed = np.flatnonzero(client_zone >= 0)
    rx, ry = network.to_metric(snapped.lon[placed], snapped.lat[placed])
    px, py = np.asarray(cx)[placed], np.asarray(cy)[placed]
    n_pts = np.maximum(np.ceil(np.hypot(px - rx, py - ry) / ACCESS_STEP_M), 1).astype(np.int64)
    idx = np.repeat(np.arange(len(placed)), n_pts)
    if len(idx):
        step = np.concatenate([np.arange(m) / m for m in n_pts[n_pts > 0]])
        gx.append(px[idx] + (np.asarray(rx)[idx] - px[idx]) * step)
        gy.append(py[idx] + (np.asarray(ry)[idx] - py[idx]) * step)
        gz.append(client_zone[placed][idx])
    return np.concatenate(gx), np.concatenate(gy), np.concatenate(gz)


def tile(
    area: Any, x: FloatArray, y: FloatArray, z: IntArray, client_zone: IntArray, cx: Any,
    cy: Any, k: int, notes: list[str],
) -> tuple[list[Any], IntArray]:  # fmt: skip
    """Return zone polygons from Voronoi cells of the generators, clipped to the area.

    Parameters
    ----------
    area : shapely.Geometry
        The area to tile (metric).
    x, y : numpy.ndarray
        The generators' metric coordinates (:func:`generators`).
    z : numpy.ndarray of int64
        Their zones; those with -1, or outside the area, are left out.
    client_zone : numpy.ndarray of int64
        Each client's zone (-1: not zoned).
    cx, cy : array_like
        The clients' metric coordinates.
    k : int
        The number of zones.
    notes : list of str
        The plan's notes, appended to when stray pieces are merged.

    Returns
    -------
    polys : list of shapely.Geometry
        Each zone's polygon (empty for a zone with no generator).
    client_zone : numpy.ndarray of int64
        Each client's zone: that of the polygon it lies in.
    """
    placed = client_zone >= 0
    keep = (z >= 0) & shapely.contains_xy(area, x, y)
    # one generator per place (client first wins over a node at the same spot)
    order = np.flatnonzero(keep)[::-1]
    key = np.round(x[order], 1) * 1e7 + np.round(y[order], 1)
    _, first = np.unique(key, return_index=True)
    sel = np.sort(order[first])
    pts = shapely.points(x[sel], y[sel])
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area, ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    shapely.prepare(area)
    edge = ~shapely.contains(area, cells)  # only cells crossing the border need clipping
    cells[edge] = shapely.intersection(cells[edge], area)
    cell_zone = z[sel]
    polys = []
    for zz in range(k):
        parts = cells[cell_zone == zz]
        polys.append(shapely.coverage_union_all(parts) if len(parts) else shapely.Polygon())
    polys = _merge_strays(polys, notes)
    # clients follow the polygon they lie in (differs only where a stray piece was merged)
    tree = shapely.STRtree(polys)
    hit = tree.query(
        shapely.points(np.asarray(cx)[placed], np.asarray(cy)[placed]), predicate="intersects"
    )
    new_zone = client_zone.copy()
    placed_idx = np.flatnonzero(placed)
    for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
        new_zone[placed_idx[p]] = g
    return polys, new_zone


def tile_localities(
    parts: list[Any], ks: list[int], k: int, x: FloatArray, y: FloatArray, z: IntArray,
    client_zone: IntArray, cx: Any, cy: Any, notes: list[str],
) -> tuple[list[Any], IntArray]:  # fmt: skip
    """Tile each locality on its own with :func:`tile`, so that no zone crosses its border.

    Parameters
    ----------
    parts : list of shapely.Geometry
        Each locality's part of the study area (metric).
    ks : list of int
        The number of zones of each locality; its zones are the next ``ks[i]`` zone indices.
    k : int
        The number of zones.
    x, y : numpy.ndarray
        The generators' metric coordinates (:func:`generators`).
    z : numpy.ndarray of int64
        Their zones (-1: none).
    client_zone : numpy.ndarray of int64
        Each client's zone (-1: not zoned).
    cx, cy : array_like
        The clients' metric coordinates.
    notes : list of str
        The plan's notes, appended to when stray pieces are merged.

    Returns
    -------
    polys : list of shapely.Geometry
        Each zone's polygon.
    client_zone : numpy.ndarray of int64
        Each client's zone: that of the polygon it lies in.
    """
    polys = [shapely.Polygon() for _ in range(k)]
    start = 0
    for part, kp in zip(parts, ks, strict=True):
        in_gen = (z >= start) & (z < start + kp)
        in_client = (client_zone >= start) & (client_zone < start + kp)
        if kp:
            part_polys, part_zone = tile(
                part, x, y, np.where(in_gen, z, -1),
                np.where(in_client, client_zone, -1), cx, cy, k, notes,
            )  # fmt: skip
            polys[start : start + kp] = part_polys[start : start + kp]
            client_zone = np.where(in_client, part_zone, client_zone)
        start += kp
    return polys, client_zone


def _merge_strays(polys: list[Any], notes: list[str]) -> list[Any]:
    """Merge every piece of a zone but its largest into the neighbour sharing most border."""
    merged = 0
    for _ in range(5):
        changed = False
        for z, poly in enumerate(polys):
            parts = list(shapely.get_parts(poly))
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda p: -p.area)
            polys[z] = parts[0]
            for piece in parts[1:]:
                shared = [
                    (shapely.length(shapely.intersection(piece.boundary, polys[o].boundary)), o)
                    for o in range(len(polys))
                    if o != z and not polys[o].is_empty
                ]
                length, other = max(shared) if shared else (0.0, z)
                target = other if length > 0 else z
                polys[target] = shapely.coverage_union_all([polys[target], piece])
                merged += 1
                changed = True
        if not changed:
            break
    if merged:
        notes.append(
            f"{merged} stray piece(s) of zone polygons were merged into the zone around them"
        )
    return polys
