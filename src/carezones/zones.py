"""Home-care zones: balanced in weekly hours, compact in road travel time, contiguous, tiling.

Work in progress (issue 3): zones are contiguous and tile the study area, but the hours are not
yet always brought inside the tolerance band (the synthetic county's 8 zones reach ±5.7% against
±5%); maps, files, the CLI, localities tests and the benchmark are still to come.

How :func:`build_zones` works
-----------------------------
1. **Units.** Each client is attached to the nearer end of the road segment it snaps to; clients at
   the same place share a unit. Clients that cannot be zoned (outside the study area, too far from
   any road) are listed in ``ZonePlan.unassigned`` with the reason.
2. **Centres.** Hours-weighted k-means on the units' positions gives starting centres (or the
   user's fixed centres, or the previous plan's zones).
3. **Balanced assignment.** A transportation linear programme (HiGHS) assigns units to centres,
   minimising hours × *road* minutes from the centre, with every zone's hours inside the
   tolerance band (soft, so an impossible band still gives the closest plan). Centres then move
   to the hours-weighted road medoid of their zone; repeat until they settle.
4. **Contiguity.** Every road node takes the zone of the nearest assigned unit by road, pieces of
   a zone cut off from its centre join the neighbouring zone, and boundary units move between
   neighbouring zones (never disconnecting one) until the hours are in the band.
5. **Tiling.** The study area is cut into Voronoi cells of the road nodes, points along long road
   segments and the clients themselves, and cells are dissolved by zone: polygons with no gaps or
   overlaps, each client inside its own zone, every road inside the zone it was assigned to, and
   any stray piece merged into the zone around it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components, dijkstra

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DENSIFY_M = 100.0  # extra Voronoi generators along road segments longer than this
WITHIN_SAMPLE = 400  # clients per zone used for the mean within-zone travel time


class ZoneError(ValueError):
    """Zones cannot be built as asked (the message says why and what to change)."""


@dataclass
class ZonePlan:
    """The result of :func:`build_zones`.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per zoned client: ``client_id``, ``zone_id``, ``hours_per_week``,
        ``minutes_to_centre`` (road minutes from the zone's centre).
    zones : geopandas.GeoDataFrame
        One row per zone (WGS84): ``zone_id``, ``clients``, ``hours_per_week``, ``deviation``
        (from the mean, as a share), ``mean_minutes_to_centre`` and ``p90_minutes_to_centre``
        (hours-weighted), ``mean_within_minutes`` (client to client), ``area_km2``,
        ``centre_lon``/``centre_lat``, geometry.
    unassigned : pandas.DataFrame
        Clients not zoned: ``client_id``, ``source_row``, ``reason``.
    metrics : dict
        Plan-level numbers (balance, travel, contiguity, tiling, runtime, notes).
    """

    assignments: pd.DataFrame
    zones: gpd.GeoDataFrame
    unassigned: pd.DataFrame
    metrics: dict[str, Any]
    crs: Any = None
    _tree: Any = field(default=None, repr=False)

    def summary(self) -> str:
        """Return a short plain-language summary of the plan."""
        m = self.metrics
        lines = [
            f"{m['n_zones']} zones for {m['clients']:,} clients and {m['hours_per_week']:,.1f} "
            f"hours a week (mean {m['mean_zone_hours']:,.1f} h per zone).",
            f"Balance: worst zone {m['worst_deviation']:+.1%} from the mean "
            f"(tolerance ±{m['tolerance']:.0%}): {'met' if m['balanced'] else 'NOT met'}.",
            f"Travel from each zone's centre (hours-weighted): mean "
            f"{m['mean_minutes_to_centre']:.1f} min, 90th percentile "
            f"{m['p90_minutes_to_centre']:.1f} min; client to client within zones "
            f"{m['mean_within_minutes']:.1f} min.",
            f"Every zone one piece: {'yes' if m['contiguous'] else 'no'}; zones tile the area "
            f"(gaps {m['gap_km2']:.6f} km², overlaps {m['overlap_km2']:.6f} km²).",
        ]
        if m.get("moved_hours_share") is not None:
            lines.append(
                f"Hours that changed zone from the previous plan: {m['moved_hours_share']:.1%}."
            )
        if len(self.unassigned):
            lines.append(f"{len(self.unassigned)} client(s) not zoned: see .unassigned.")
        lines += [f"Note: {n}" for n in m.get("notes", [])]
        return "\n".join(lines)

    def assign(self, points: Any) -> pd.Series:
        """Return the zone of each point (new referrals): the zone polygon containing it.

        Points outside every zone get ``<NA>``.
        """
        from carezones.network import as_lonlat

        lonlat = as_lonlat(points)
        pts = shapely.points(lonlat)
        if self._tree is None:
            self._tree = shapely.STRtree(self.zones.geometry.to_numpy())
        hit = self._tree.query(pts, predicate="intersects")
        out = pd.Series(pd.NA, index=range(len(pts)), dtype="Int64")
        zone_ids = self.zones["zone_id"].to_numpy()
        # a point on a shared border takes the lowest zone id, deterministically
        for p, z in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out.iloc[p] = int(zone_ids[z])
        if hasattr(points, "index") and len(points.index) == len(out):
            out.index = points.index
        return out


def build_zones(
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    n_zones: int | None = None,
    *,
    hours_per_zone: float | None = None,
    tolerance: float = 0.05,
    seed: int = 0,
    boundary: Any = None,
    localities: gpd.GeoDataFrame | None = None,
    previous: Any = None,
    centres: Any = None,
    stability_minutes: float = 10.0,
    max_iter: int = 8,
) -> ZonePlan:
    """Cluster clients into balanced, road-compact, contiguous zones that tile the area.

    Parameters
    ----------
    clients : GeoDataFrame
        Client points with ``client_id`` and ``hours_per_week`` (see :func:`read_clients`).
    network : RoadNetwork
        The drive network.
    n_zones : int, optional
        Number of zones. Give this or ``hours_per_zone``.
    hours_per_zone : float, optional
        Target weekly hours per zone; the number of zones is total hours / this, rounded.
    tolerance : float
        Allowed deviation of a zone's hours from the mean, as a share (0.05 = ±5%).
    seed : int
        Seed for the starting centres: same inputs and seed, same zones.
    boundary : polygon or GeoDataFrame, optional
        The study area (e.g. the council boundary); default: the network's area.
    localities : GeoDataFrame, optional
        Polygons zones must not cross; zones are shared out between them by hours.
    previous : GeoDataFrame or DataFrame, optional
        A previous plan to change as little as possible: zone polygons with ``zone_id``, or
        assignments with ``client_id`` and ``zone_id``.
    centres : points, optional
        Fixed zone centres (e.g. provider bases), one per zone; they do not move.
    stability_minutes : float
        With ``previous``: the cost, in minutes per hour of care, of moving a client's hours
        to another zone.
    max_iter : int
        Maximum centre-update rounds.

    Returns
    -------
    ZonePlan
    """
    t0 = time.perf_counter()
    from carezones.network import as_lonlat

    _check_inputs(clients, network, tolerance)
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lonlat = as_lonlat(clients)
    cx, cy = network._to_metric.transform(lonlat[:, 0], lonlat[:, 1])
    area = _study_area(network, boundary)
    reasons = np.full(len(ids), "", dtype=object)
    inside = shapely.contains_xy(area, cx, cy) | shapely.intersects_xy(area, cx, cy)
    reasons[~inside] = "outside the study area"
    snapped = network.snap(lonlat)
    far = snapped.far & inside
    reasons[far] = f"more than {network.max_snap_m:.0f} m from any road"
    ab = network._a["seg_ab"]
    unit_node = np.where(snapped.fraction < 0.5, ab[snapped.segment, 0], ab[snapped.segment, 1])
    ok = reasons == ""
    graph = _node_graph(network)

    fixed = None if centres is None else as_lonlat(centres)
    prev_zone = _previous_zones(previous, ids, lonlat) if previous is not None else None
    if localities is None:
        groups = [(np.flatnonzero(ok), np.ones(network.n_nodes, dtype=bool), area)]
    else:
        groups = _locality_groups(localities, network, cx, cy, ok, area, reasons)
        ok = reasons == ""
    total = float(hours[ok].sum())
    k_total = _zone_count(n_zones, hours_per_zone, total, len(np.unique(unit_node[ok])))
    if fixed is not None and len(fixed) != k_total:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k_total} zones: give one per zone")
    ks = _share_zones(k_total, [float(hours[g[0]].sum()) for g in groups])
    notes: list[str] = []

    labels = np.arange(1, k_total + 1)
    if prev_zone is not None:
        known = np.unique(prev_zone[prev_zone >= 0])
        if len(known) == k_total and localities is None:
            labels = known
            prev_zone = np.where(prev_zone >= 0, np.searchsorted(known, prev_zone), -1)
        else:
            notes.append(
                f"the previous plan has {len(known)} zones and {k_total} were asked for: it was "
                "not used to keep zones stable"
            )
            prev_zone = None
    zone_of_client = np.full(len(ids), -1, dtype=np.int64)
    node_zone = np.full(network.n_nodes, -1, dtype=np.int64)
    centre_node = np.zeros(k_total, dtype=np.int64)
    offset = 0
    for (members, node_mask, _), k in zip(groups, ks, strict=True):
        if k == 0:
            continue
        res = _solve_group(
            network, graph, members, node_mask, hours, unit_node, k, tolerance, seed,
            None if fixed is None else fixed[offset : offset + k],
            None if prev_zone is None else prev_zone,
            stability_minutes, max_iter, notes,
        )  # fmt: skip
        zone_of_client[members] = res.client_zone + offset
        node_zone[node_mask] = np.where(res.node_zone >= 0, res.node_zone + offset, -1)
        centre_node[offset : offset + k] = res.centre_node
        offset += k
    unreachable = ok & (zone_of_client < 0)
    reasons[unreachable] = "cannot be reached by road from any zone centre"

    polys, zone_of_client = _tile(network, area, node_zone, zone_of_client, cx, cy, k_total, notes)
    return _make_plan(
        network, clients, ids, hours, lonlat, zone_of_client, reasons, polys, centre_node,
        area, tolerance, prev_zone, labels, notes, time.perf_counter() - t0,
    )  # fmt: skip


# ---------------------------------------------------------------------- inputs
def _check_inputs(clients: Any, network: Any, tolerance: float) -> None:
    missing = [c for c in ("client_id", "hours_per_week") if c not in clients]
    if missing:
        raise ZoneError(
            f"clients need columns {missing}: read them with carezones.read_clients, which "
            "finds and checks the id and hours columns"
        )
    if not 0 < tolerance < 1:
        raise ZoneError(f"tolerance is a share of the mean zone hours, e.g. 0.05; got {tolerance}")
    if network.mode != "drive":
        log.warning("building zones on a %s network; carers' rounds usually drive", network.mode)
    h = clients["hours_per_week"].to_numpy(dtype=float)
    if not np.isfinite(h).all() or (h < 0).any():
        raise ZoneError("hours_per_week must be finite and 0 or more (read_clients checks this)")


def _zone_count(n_zones: int | None, hours_per_zone: float | None, total: float, units: int) -> int:
    if (n_zones is None) == (hours_per_zone is None):
        raise ZoneError("give either n_zones or hours_per_zone (one of them, not both)")
    if n_zones is None:
        assert hours_per_zone is not None
        if hours_per_zone <= 0:
            raise ZoneError(f"hours_per_zone must be positive, got {hours_per_zone}")
        n_zones = max(1, round(total / hours_per_zone))
    if n_zones < 1:
        raise ZoneError(f"n_zones must be at least 1, got {n_zones}")
    if n_zones > units:
        raise ZoneError(
            f"{n_zones} zones asked for, but the clients are at only {units} distinct places on "
            f"the road network: ask for at most {units} zones"
        )
    return int(n_zones)


def _study_area(network: RoadNetwork, boundary: Any) -> shapely.Geometry:
    """Return the study area in the network's metric CRS."""
    if boundary is None:
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([network.x, network.y])))
        return shapely.buffer(hull, 500.0)
    import geopandas as gpd

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            raise ZoneError("the boundary has no CRS: set one (e.g. EPSG:27700)")
        geom = shapely.union_all(boundary.to_crs(network.crs).geometry.to_numpy())
    else:  # a shapely geometry in WGS84
        geom = shapely.transform(
            boundary, lambda c: np.column_stack(network._to_metric.transform(c[:, 0], c[:, 1]))
        )
    geom = shapely.make_valid(geom)
    if geom.is_empty or geom.area <= 0:
        raise ZoneError("the boundary is empty: give a polygon of the study area")
    return geom


def _share_zones(k: int, group_hours: list[float]) -> list[int]:
    """Share k zones between groups by hours (largest remainder, one at least per group)."""
    g = np.asarray(group_hours, dtype=float)
    if len(g) == 1:
        return [k]
    active = g > 0
    if active.sum() > k:
        raise ZoneError(
            f"{int(active.sum())} localities have clients but only {k} zones were asked for: "
            "ask for at least one zone per locality"
        )
    share = np.where(active, g / g.sum() * k, 0.0)
    base = np.where(active, np.maximum(np.floor(share), 1), 0).astype(int)
    while base.sum() > k:
        i = int(np.argmax(np.where(base > 1, base - share, -np.inf)))
        base[i] -= 1
    rem = share - base
    for i in np.argsort(-rem, kind="stable")[: k - base.sum()]:
        base[i] += 1
    return base.tolist()


def _locality_groups(
    localities: Any, network: RoadNetwork, cx: Any, cy: Any, ok: Any, area: Any, reasons: Any
) -> list[tuple[IntArray, npt.NDArray[np.bool_], Any]]:
    polys = localities.to_crs(network.crs).geometry.to_numpy()
    groups = []
    taken = np.zeros(len(cx), dtype=bool)
    for poly in polys:
        part = shapely.intersection(shapely.make_valid(poly), area)
        inside = shapely.contains_xy(part, cx, cy) & ok & ~taken
        taken |= inside
        nodes = shapely.contains_xy(part, network.x, network.y)
        groups.append((np.flatnonzero(inside), nodes, part))
    reasons[ok & ~taken] = "outside every locality"
    return groups


def _previous_zones(previous: Any, ids: Any, lonlat: Any) -> IntArray:
    """Each client's zone in the previous plan (-1 when unknown)."""
    import geopandas as gpd

    if "zone_id" not in previous:
        raise ZoneError("the previous plan needs a zone_id column")
    if isinstance(previous, gpd.GeoDataFrame) and previous.geometry.notna().any():
        prev = previous.to_crs("EPSG:4326")
        tree = shapely.STRtree(prev.geometry.to_numpy())
        hit = tree.query(shapely.points(lonlat), predicate="intersects")
        out = np.full(len(ids), -1, dtype=np.int64)
        z = prev["zone_id"].to_numpy()
        for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out[p] = int(z[g])
        return out
    if "client_id" not in previous:
        raise ZoneError("previous assignments need client_id and zone_id columns")
    lookup = dict(
        zip(previous["client_id"].astype(str), previous["zone_id"].astype(int), strict=True)
    )
    return np.array([lookup.get(i, -1) for i in ids], dtype=np.int64)


# ---------------------------------------------------------------------- solving
@dataclass
class _GroupResult:
    client_zone: IntArray
    node_zone: IntArray  # for the group's nodes (full length, -1 outside the group)
    centre_node: IntArray


def _node_graph(network: RoadNetwork) -> sp.csr_matrix:
    """Undirected node graph weighted by the faster direction's minutes."""
    from carezones._routing import _csr_min

    a = network._a
    rows = np.concatenate([a["u"], a["v"]])
    cols = np.concatenate([a["v"], a["u"]])
    w = np.maximum(np.concatenate([a["minutes"], a["minutes"]]), 1e-9)
    return _csr_min(rows, cols, w, network.n_nodes)


def _solve_group(
    network: RoadNetwork,
    graph: sp.csr_matrix,
    members: IntArray,
    node_mask: npt.NDArray[np.bool_],
    hours: FloatArray,
    unit_node: IntArray,
    k: int,
    tolerance: float,
    seed: int,
    fixed: FloatArray | None,
    prev_zone: IntArray | None,
    stability_minutes: float,
    max_iter: int,
    notes: list[str],
) -> _GroupResult:
    nodes, inverse = np.unique(unit_node[members], return_inverse=True)
    unit_hours = np.bincount(inverse, weights=hours[members], minlength=len(nodes))
    ux, uy = network.x[nodes], network.y[nodes]
    prev_unit = None
    if prev_zone is not None:
        prev_unit = np.full(len(nodes), -1, dtype=np.int64)
        for u, z in zip(inverse.tolist(), prev_zone[members].tolist(), strict=True):
            if z >= 0 and prev_unit[u] < 0:
                prev_unit[u] = z
    centres = _initial_centres(network, nodes, ux, uy, unit_hours, k, seed, fixed, prev_unit)
    times_all = _times_from(network, centres)
    times = times_all[:, nodes]
    for _ in range(max_iter):
        assign = _balanced_assignment(times, unit_hours, tolerance, prev_unit, stability_minutes)
        if fixed is not None:
            break
        new = _medoids(network, nodes, ux, uy, unit_hours, assign, centres, k)
        if np.array_equal(new, centres):
            break
        centres = new
        times_all = _times_from(network, centres)
        times = times_all[:, nodes]
    times = times_all[:, nodes]
    unreachable = ~np.isfinite(times.min(axis=0))
    assign = _balanced_assignment(times, unit_hours, tolerance, prev_unit, stability_minutes)
    assign[unreachable] = -1
    node_zone = _label_nodes(graph, node_mask, nodes, assign, centres, k)
    node_zone = _make_contiguous(graph, node_mask, node_zone, centres, k)
    node_zone = _rebalance(graph, node_zone, nodes, unit_hours, times, k, tolerance, centres, notes)
    client_zone = node_zone[unit_node[members]]
    client_zone[unreachable[inverse]] = -1
    return _GroupResult(client_zone, node_zone, centres)


def _times_from(network: RoadNetwork, centre_nodes: IntArray) -> FloatArray:
    pts = np.column_stack([network.lon[centre_nodes], network.lat[centre_nodes]])
    return network.times_to_nodes(pts)


def _initial_centres(
    network: RoadNetwork, nodes: IntArray, ux: Any, uy: Any, w: FloatArray, k: int, seed: int,
    fixed: FloatArray | None, prev_unit: IntArray | None,
) -> IntArray:  # fmt: skip
    if fixed is not None:
        fx, fy = network._to_metric.transform(fixed[:, 0], fixed[:, 1])
        return _nearest_nodes(network, np.asarray(fx), np.asarray(fy))
    if prev_unit is not None and (prev_unit >= 0).any():
        labels = np.unique(prev_unit[prev_unit >= 0])
        if len(labels) == k:
            cx = np.array(
                [np.average(ux[prev_unit == z], weights=w[prev_unit == z] + 1e-9) for z in labels]
            )
            cy = np.array(
                [np.average(uy[prev_unit == z], weights=w[prev_unit == z] + 1e-9) for z in labels]
            )
            return _nearest_units(nodes, ux, uy, cx, cy)
    from sklearn.cluster import KMeans

    xy = np.column_stack([ux, uy])
    km = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(xy, sample_weight=w + 1e-9)
    c = km.cluster_centers_
    return _nearest_units(nodes, ux, uy, c[:, 0], c[:, 1])


def _nearest_units(nodes: IntArray, ux: Any, uy: Any, cx: Any, cy: Any) -> IntArray:
    """For each centre position, the nearest unit node (distinct ones)."""
    d = (ux[None, :] - np.asarray(cx)[:, None]) ** 2 + (uy[None, :] - np.asarray(cy)[:, None]) ** 2
    chosen: list[int] = []
    for row in d:
        order = np.argsort(row, kind="stable")
        for i in order:
            if int(nodes[i]) not in chosen:
                chosen.append(int(nodes[i]))
                break
    return np.asarray(chosen, dtype=np.int64)


def _nearest_nodes(network: RoadNetwork, x: FloatArray, y: FloatArray) -> IntArray:
    tree = shapely.STRtree(shapely.points(network.x, network.y))
    return np.asarray(
        tree.query_nearest(shapely.points(x, y), all_matches=False)[1], dtype=np.int64
    )


def _balanced_assignment(
    times: FloatArray, w: FloatArray, tol: float, prev_unit: IntArray | None, stab: float
) -> IntArray:
    """Transportation LP: units to zones, hours-weighted minutes, zone hours in the band."""
    k, n = times.shape
    t = np.where(np.isfinite(times), times, 1e6)
    cost = (t * w[None, :]).ravel()
    if prev_unit is not None:
        moved = np.arange(k)[:, None] != prev_unit[None, :]
        cost = (
            cost
            + (moved & (prev_unit[None, :] >= 0)).ravel()
            * stab
            * np.repeat(w[None, :], k, 0).ravel()
        )
    mean = w.sum() / k
    # aim at half the band, leaving room for rounding split units and for contiguity repairs
    hi, lo = mean * (1 + tol / 2), mean * (1 - tol / 2)
    # variables: x[z, u] (k*n), then slack over (k) and slack under (k)
    big = float(cost.max() if cost.size else 1.0) * 10 + 1e3
    c = np.concatenate([cost, np.full(2 * k, big)])
    rows = np.repeat(np.arange(n), k)
    cols = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    a_eq = sp.csr_matrix((np.ones(n * k), (rows, cols)), shape=(n, n * k + 2 * k))
    zr = np.repeat(np.arange(k), n)
    zc = np.arange(k * n)
    wv = np.tile(w, k)
    upper = sp.csr_matrix((wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    lower = sp.csr_matrix((-wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    res = linprog(
        c,
        A_ub=sp.vstack([upper, lower]).tocsr(),
        b_ub=np.concatenate([np.full(k, hi), np.full(k, -lo)]),
        A_eq=a_eq,
        b_eq=np.ones(n),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0 or res.x is None:  # pragma: no cover - the soft LP is always feasible
        return np.argmin(t, axis=0).astype(np.int64)
    x = res.x[: n * k].reshape(k, n)
    assign = np.argmax(x, axis=0).astype(np.int64)
    # units the LP split between zones go, heaviest first, to the emptiest of their zones
    split = np.flatnonzero(x.max(axis=0) < 1 - 1e-6)
    whole = np.setdiff1d(np.arange(n), split)
    load = np.bincount(assign[whole], weights=w[whole], minlength=k)
    for u in split[np.argsort(-w[split], kind="stable")]:
        options = np.flatnonzero(x[:, u] > 1e-6)
        z = int(options[np.argmin(load[options])])
        assign[u] = z
        load[z] += w[u]
    return assign


def _medoids(
    network: RoadNetwork, nodes: IntArray, ux: Any, uy: Any, w: FloatArray, assign: IntArray,
    centres: IntArray, k: int, n_candidates: int = 20,
) -> IntArray:  # fmt: skip
    """Move each centre to the unit minimising hours-weighted road minutes to its zone."""
    new = centres.copy()
    for z in range(k):
        members = np.flatnonzero(assign == z)
        if len(members) == 0:
            continue
        wz = w[members] + 1e-9
        gx, gy = np.average(ux[members], weights=wz), np.average(uy[members], weights=wz)
        near = members[np.argsort((ux[members] - gx) ** 2 + (uy[members] - gy) ** 2, kind="stable")]
        cand = np.unique(np.concatenate([nodes[near[:n_candidates]], [centres[z]]]))
        t = _times_from(network, cand)[:, nodes[members]]
        score = (np.where(np.isfinite(t), t, 1e6) * w[members][None, :]).sum(axis=1)
        best = int(cand[int(np.argmin(score))])
        if score[cand == centres[z]][0] - score.min() > 1e-9:
            new[z] = best
    return new


def _label_nodes(
    graph: sp.csr_matrix,
    node_mask: Any,
    nodes: IntArray,
    assign: IntArray,
    centres: IntArray,
    k: int,
) -> IntArray:
    """Every road node in the group takes the zone of the nearest labelled unit (by road)."""
    seeds = np.concatenate([nodes[assign >= 0], centres])
    seed_zone = np.concatenate([assign[assign >= 0], np.arange(k)])
    sub = _masked(graph, node_mask)
    _, _, src = dijkstra(
        sub, directed=False, indices=seeds, min_only=True, return_predecessors=True
    )
    zone_of_seed_node = np.full(graph.shape[0], -1, dtype=np.int64)
    zone_of_seed_node[seeds] = seed_zone
    out = np.where(src >= 0, zone_of_seed_node[np.maximum(src, 0)], -1)
    out[~node_mask] = -1
    return out.astype(np.int64)


def _masked(graph: sp.csr_matrix, node_mask: Any) -> sp.csr_matrix:
    if node_mask.all():
        return graph
    coo = graph.tocoo()
    keep = node_mask[coo.row] & node_mask[coo.col]
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=graph.shape)


def _make_contiguous(
    graph: sp.csr_matrix, node_mask: Any, zone: IntArray, centres: IntArray, k: int
) -> IntArray:
    """Pieces of a zone cut off from its centre join the neighbouring zone they touch most."""
    coo = graph.tocoo()
    for _ in range(20):
        same = (zone[coo.row] == zone[coo.col]) & (zone[coo.row] >= 0)
        intra = sp.csr_matrix(
            (np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=graph.shape
        )
        _, comp = connected_components(intra, directed=False)
        keep_comp = set(comp[centres].tolist())
        stray = (zone >= 0) & ~np.isin(comp, list(keep_comp))
        if not stray.any():
            break
        cross = (
            ~same & (zone[coo.row] >= 0) & (zone[coo.col] >= 0) & stray[coo.row] & ~stray[coo.col]
        )
        touch = pd.DataFrame({"comp": comp[coo.row[cross]], "to": zone[coo.col[cross]]})
        best = touch.groupby(["comp", "to"]).size().reset_index(name="n")
        best = best.sort_values(["comp", "n", "to"], ascending=[True, False, True]).drop_duplicates(
            "comp"
        )
        target = dict(zip(best["comp"], best["to"], strict=True))
        stray_nodes = np.flatnonzero(stray)
        new = np.array([target.get(int(c), -2) for c in comp[stray_nodes]])
        moved = new != -2
        if not moved.any():  # pieces touching no other zone: leave (an island of the network)
            break
        zone[stray_nodes[moved]] = new[moved]
    return zone


def _rebalance(
    graph: sp.csr_matrix, zone: IntArray, nodes: IntArray, w: FloatArray, times: FloatArray,
    k: int, tol: float, centres: IntArray, notes: list[str], max_moves: int = 3000,
    max_tries: int = 400,
) -> IntArray:  # fmt: skip
    """Move boundary units between neighbouring zones until every zone is in the band.

    Each move takes the unit (with any nodes hanging only on it) whose move most reduces the
    hours outside the band, the least added road minutes breaking ties; a zone is never cut
    in two and centres never move.
    """
    n_nodes = graph.shape[0]
    node_w = np.zeros(n_nodes)
    node_w[nodes] = w
    t_node = np.full((k, n_nodes), np.inf)
    t_node[:, nodes] = times
    mean = w.sum() / k
    lo, hi = mean * (1 - tol), mean * (1 + tol)
    coo = graph.tocoo()
    is_centre = np.zeros(n_nodes, dtype=bool)
    is_centre[centres] = True
    frozen = is_centre.copy()
    zone_hours = np.bincount(zone[zone >= 0], weights=node_w[zone >= 0], minlength=k)
    for _ in range(max_moves):
        if (_excess(zone_hours, lo, hi)).max() <= 1e-9:
            break
        za, zb = zone[coo.row], zone[coo.col]
        cand = (za != zb) & (za >= 0) & (zb >= 0) & ~frozen[coo.row]
        cand &= zone_hours[np.maximum(za, 0)] > zone_hours[np.maximum(zb, 0)]
        v, a, b = coo.row[cand], za[cand], zb[cand]
        if len(v) == 0:
            break
        gap = zone_hours[a] - zone_hours[b]
        worst = np.maximum(_excess(zone_hours[a], lo, hi), _excess(zone_hours[b], lo, hi))
        with np.errstate(invalid="ignore"):
            extra = t_node[b, v] - t_node[a, v]
        extra = np.where(np.isfinite(extra), extra, 1e6)
        empty = node_w[v] <= 0
        # zone pairs furthest out of the band first, then units (not bare road nodes), then the
        # nodes cheapest to hand over
        order = np.lexsort((v, extra, empty, -np.round(gap, 3), -np.round(worst, 3)))
        done = False
        for i in order[:max_tries].tolist():
            vi, ai, bi = int(v[i]), int(a[i]), int(b[i])
            tail = _move_with_tail(graph, zone, vi, ai, is_centre, frozen)
            moved_w = 0.0 if tail is None else float(node_w[tail].sum())
            if tail is None or moved_w <= 0 or moved_w >= zone_hours[ai] - zone_hours[bi]:
                continue
            zone[tail] = bi
            zone_hours[ai] -= moved_w
            zone_hours[bi] += moved_w
            done = True
            break
        if not done:
            break
    dev = np.abs(zone_hours - mean) / mean if mean > 0 else np.zeros(k)
    if dev.max() > tol + 1e-9:
        notes.append(
            f"the hours could not all be brought within ±{tol:.0%}: the worst zone is "
            f"{dev.max():.1%} from the mean (a single place with many hours, or a zone that "
            "cannot give up clients without being cut in two)"
        )
    return zone


def _excess(h: Any, lo: float, hi: float) -> Any:
    return np.maximum(h - hi, 0.0) + np.maximum(lo - h, 0.0)


def _move_with_tail(
    graph: sp.csr_matrix, zone: IntArray, v: int, a: int, is_centre: Any, frozen: Any
) -> IntArray | None:
    """Nodes to move with ``v`` so that zone ``a`` stays in one piece (``None``: cannot)."""
    indptr, indices = graph.indptr, graph.indices
    centre_nodes = np.flatnonzero(is_centre & (zone == a))
    if len(centre_nodes) == 0:
        return np.array([v])
    # nodes of a still reachable from a's centre without passing v
    start = int(centre_nodes[0])
    seen = {start, v}
    stack = [start]
    while stack:
        x = stack.pop()
        for y in indices[indptr[x] : indptr[x + 1]].tolist():
            if y not in seen and zone[y] == a:
                seen.add(y)
                stack.append(y)
    seen.discard(v)
    cut = np.flatnonzero(zone == a)
    cut = cut[~np.isin(cut, np.fromiter(seen, dtype=np.int64, count=len(seen)))]
    if frozen[cut].any():
        return None
    return cut  # v plus whatever hangs only on it


# ---------------------------------------------------------------------- tiling
def _tile(
    network: RoadNetwork, area: Any, node_zone: IntArray, client_zone: IntArray, cx: Any, cy: Any,
    k: int, notes: list[str],
) -> tuple[list[Any], IntArray]:  # fmt: skip
    """Zone polygons from Voronoi cells of nodes, road points and clients, clipped to the area."""
    a = network._a
    ab = a["seg_ab"]
    gx, gy, gz = [network.x], [network.y], [node_zone]
    # points along long segments, each half with its end's zone
    x0, y0, x1, y1 = (
        network.x[ab[:, 0]],
        network.y[ab[:, 0]],
        network.x[ab[:, 1]],
        network.y[ab[:, 1]],
    )
    length = np.hypot(x1 - x0, y1 - y0)
    n_extra = np.floor(length / DENSIFY_M).astype(int)
    seg = np.repeat(np.arange(len(ab)), n_extra)
    if len(seg):
        step = np.concatenate([np.arange(1, m + 1) / (m + 1) for m in n_extra[n_extra > 0]])
        gx.append(x0[seg] + (x1[seg] - x0[seg]) * step)
        gy.append(y0[seg] + (y1[seg] - y0[seg]) * step)
        gz.append(np.where(step < 0.5, node_zone[ab[seg, 0]], node_zone[ab[seg, 1]]))
    placed = client_zone >= 0
    gx.append(np.asarray(cx)[placed])
    gy.append(np.asarray(cy)[placed])
    gz.append(client_zone[placed])
    x, y, z = np.concatenate(gx), np.concatenate(gy), np.concatenate(gz)
    keep = (z >= 0) & shapely.contains_xy(area, x, y)
    # one generator per place (client first wins over a node at the same spot)
    order = np.flatnonzero(keep)[::-1]
    key = np.round(x[order], 1) * 1e7 + np.round(y[order], 1)
    _, first = np.unique(key, return_index=True)
    sel = np.sort(order[first])
    pts = shapely.points(x[sel], y[sel])
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area, ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    cells = shapely.intersection(cells, area)
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


# ---------------------------------------------------------------------- results
def _make_plan(
    network: RoadNetwork, clients: Any, ids: Any, hours: FloatArray, lonlat: FloatArray,
    zone: IntArray, reasons: Any, polys: list[Any], centre_node: IntArray, area: Any,
    tol: float, prev_zone: IntArray | None, labels: IntArray, notes: list[str], seconds: float,
) -> ZonePlan:  # fmt: skip
    import geopandas as gpd

    k = len(polys)
    placed = zone >= 0
    rows = (
        clients["source_row"].to_numpy() if "source_row" in clients else np.arange(1, len(ids) + 1)
    )
    unassigned = pd.DataFrame(
        {"client_id": ids[~placed], "source_row": rows[~placed], "reason": reasons[~placed]}
    )
    minutes = np.full(len(ids), np.nan)
    within = np.full(k, np.nan)
    for z in range(k):
        members = np.flatnonzero(zone == z)
        if len(members) == 0:
            continue
        c = np.column_stack(
            [network.lon[centre_node[z : z + 1]], network.lat[centre_node[z : z + 1]]]
        )
        minutes[members] = network.travel_times(c, lonlat[members], engine="builtin")[0]
        sample = members
        if len(members) > WITHIN_SAMPLE:
            sample = np.sort(np.random.default_rng(z).choice(members, WITHIN_SAMPLE, replace=False))
        m = network.travel_times(lonlat[sample], engine="builtin")
        off = ~np.eye(len(sample), dtype=bool)
        within[z] = float(np.mean(m[off])) if off.any() else 0.0
    assignments = pd.DataFrame(
        {
            "client_id": ids[placed],
            "zone_id": labels[zone[placed]],
            "hours_per_week": hours[placed],
            "minutes_to_centre": minutes[placed],
        }
    )
    zh = np.bincount(zone[placed], weights=hours[placed], minlength=k)
    zc = np.bincount(zone[placed], minlength=k)
    mean = float(zh.mean()) if k else 0.0
    dev = (zh - mean) / mean if mean > 0 else np.zeros(k)
    stats = []
    for z in range(k):
        members = zone == z
        stats.append(
            (
                _wmean(minutes[members], hours[members]),
                _wquantile(minutes[members], hours[members], 0.9),
            )
        )
    wgs = gpd.GeoSeries(polys, crs=network.crs).to_crs("EPSG:4326")
    zones = gpd.GeoDataFrame(
        {
            "zone_id": labels,
            "clients": zc,
            "hours_per_week": zh.round(2),
            "deviation": dev.round(4),
            "mean_minutes_to_centre": [round(s[0], 2) for s in stats],
            "p90_minutes_to_centre": [round(s[1], 2) for s in stats],
            "mean_within_minutes": within.round(2),
            "area_km2": (np.array([p.area for p in polys]) / 1e6).round(3),
            "centre_lon": network.lon[centre_node],
            "centre_lat": network.lat[centre_node],
        },
        geometry=wgs.to_numpy(),
        crs="EPSG:4326",
    )
    union = shapely.coverage_union_all(polys)
    total = float(sum(p.area for p in polys))
    gap = max(float(area.area - union.area), 0.0) / 1e6
    overlap = max(total - float(union.area), 0.0) / 1e6
    moved = None
    if prev_zone is not None:
        known = placed & (prev_zone >= 0)
        moved = float(hours[known & (prev_zone != zone)].sum() / max(hours[known].sum(), 1e-9))
    metrics: dict[str, Any] = {
        "n_zones": k,
        "clients": int(placed.sum()),
        "unassigned": int((~placed).sum()),
        "hours_per_week": float(hours[placed].sum()),
        "mean_zone_hours": mean,
        "tolerance": tol,
        "worst_deviation": float(dev[np.argmax(np.abs(dev))]) if k else 0.0,
        "hours_cv": float(zh.std() / mean) if mean > 0 else 0.0,
        "balanced": bool(np.all(np.abs(dev) <= tol + 1e-9)),
        "mean_minutes_to_centre": _wmean(minutes[placed], hours[placed]),
        "p90_minutes_to_centre": _wquantile(minutes[placed], hours[placed], 0.9),
        "mean_within_minutes": float(np.nanmean(within)) if k else 0.0,
        "contiguous": all(p.geom_type == "Polygon" for p in polys if not p.is_empty),
        "gap_km2": round(gap, 9),
        "overlap_km2": round(overlap, 9),
        "moved_hours_share": moved,
        "seconds": round(seconds, 2),
        "notes": notes,
    }
    return ZonePlan(assignments, zones, unassigned, metrics, crs=network.crs)


def _wmean(x: FloatArray, w: FloatArray) -> float:
    ok = np.isfinite(x)
    if not ok.any() or w[ok].sum() <= 0:
        return float(np.nanmean(x)) if ok.any() else float("nan")
    return float(np.average(x[ok], weights=w[ok]))


def _wquantile(x: FloatArray, w: FloatArray, q: float) -> float:
    ok = np.isfinite(x)
    if not ok.any():
        return float("nan")
    order = np.argsort(x[ok])
    xs, ws = x[ok][order], w[ok][order] + 1e-12
    cum = np.cumsum(ws) / ws.sum()
    return float(xs[np.searchsorted(cum, q)])
