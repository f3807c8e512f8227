"""Zones for one group of places (the whole area, or one locality): steps 2 to 5 in rounds.

:func:`solve_group` finds the centres (:mod:`~carezones.zones.centres`), builds the zoning
graph of the group (:mod:`~carezones.zones.graph`), and runs the rounds: a contiguous start
from the LP's priced Voronoi diagram, then balancing, polishing and moving the centres to
their zones' medoids (:mod:`~carezones.zones.partition`). A second round restarts from the LP
with the final centres, and the best round is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

from carezones.errors import ZoneError
from carezones.privacy import CENTRE_CLEARANCE_M
from carezones.zones.centres import (
    Demand,
    balanced_assignment,
    band_prices,
    initial_centres,
    medoids,
    nearest_distinct,
)
from carezones.zones.graph import PathGraph, Places, path_graph
from carezones.zones.partition import (
    Problem,
    make_contiguous,
    polish,
    priced_voronoi,
    rebalance,
)

if TYPE_CHECKING:
    from carezones.network import RoadNetwork
    from carezones.zones.options import ZoneOptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

JUNCTION_PULL = 0.02  # cost weight of a junction, as a share of the mean place hours
ROUNDS = 2  # fresh contiguous starts, each from the centres the last one ended with
INNER_ROUNDS = 3  # rounds of balancing, polishing and moving centres to the medoids
MARGIN_SHARE = 0.9  # the zones are kept inside this share of the band when they can be
MEETING_ROADS = 3  # a centre is a junction where at least this many road segments meet


@dataclass(frozen=True)
class Group:
    """One group of places zoned on its own: the whole area, or one locality."""

    places: IntArray  # the group's place ids (sorted)
    mask: npt.NDArray[np.bool_]  # its road nodes then places, as zoning-graph ids
    members: IntArray  # its clients
    k: int  # its number of zones
    fixed: IntArray | None  # its fixed centres, as place ids: they do not move


@dataclass(frozen=True)
class GroupResult:
    """The zones of one group, as :func:`solve_group` returns them."""

    zone: IntArray  # zone (0..k-1) of every zoning-graph node, -1 outside the group
    centres: IntArray  # zoning-graph node of each centre
    graph: PathGraph  # the group's zoning graph
    local_zone: IntArray  # zone of each node of ``graph``


def _times_from(network: RoadNetwork, places: Places, centre_ll: FloatArray) -> FloatArray:
    """Minutes from centres to every road node and every place (k × (n_road + places))."""
    to_nodes = network.times_to_nodes(centre_ll)
    to_places = (
        network.travel_times(centre_ll, places.route_lonlat(), engine="builtin")
        + places.extra[None, :]
    )
    return np.hstack([to_nodes, to_places])


def solve_group(
    network: RoadNetwork,
    graph: sp.csr_matrix,
    places: Places,
    group: Group,
    options: ZoneOptions,
    prev_zone: IntArray | None,
) -> GroupResult:
    """Zone one group of places: centres, a contiguous start, then balancing and polishing.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    graph : scipy.sparse.csr_matrix
        The augmented graph (:func:`~carezones.zones.graph.augmented_graph`).
    places : Places
        All the places.
    group : Group
        The group's places, road nodes, clients, number of zones and fixed centres.
    options : ZoneOptions
        The tolerance, the seed of the starting centres, the cost of moving a place from its
        previous zone (``stability_minutes``) and the rounds of the LP assignment and medoids
        before the contiguous start (``max_iter``).
    prev_zone : numpy.ndarray of int64 or None
        Each client's zone (0 to ``k - 1``) in the previous plan, -1 when unknown.

    Returns
    -------
    GroupResult
        The zone of every zoning-graph node, the centres and the group's zoning graph.
    """
    mask, members, k, fixed = group.mask, group.members, group.k, group.fixed
    tolerance, stability_minutes = options.tolerance, options.stability_minutes
    n_road = network.n_nodes
    ids = group.places
    w = places.hours[ids]
    ux, uy = places.x[ids], places.y[ids]
    nodes = n_road + ids
    prev_unit = None
    if prev_zone is not None:
        prev_unit = np.full(len(ids), -1, dtype=np.int64)
        pos = np.searchsorted(ids, places.of_client[members])
        for u, z in zip(pos.tolist(), prev_zone[members].tolist(), strict=True):
            if z >= 0 and prev_unit[u] < 0:
                prev_unit[u] = z
    cand = centre_candidates(network, mask[:n_road], k, places.homes)
    if fixed is not None:
        centres = n_road + fixed
    else:
        start = initial_centres(ux, uy, w, k, options.seed, prev_unit, tolerance)
        centres = cand[nearest_distinct(network.x[cand], network.y[cand], start[:, 0], start[:, 1])]
    pts, extra = places.route_lonlat(ids), places.extra[ids]
    demand = Demand(pts, extra, ux, uy, w)
    times = network.travel_times(places.lonlat(centres, network), pts, engine="builtin") + extra
    for _ in range(options.max_iter if fixed is None else 0):
        assign = balanced_assignment(times, w, tolerance, prev_unit, stability_minutes)
        new = medoids(network, cand, demand, assign, centres)
        if np.array_equal(new, centres):
            break
        centres = new
        times = network.travel_times(places.lonlat(centres, network), pts, engine="builtin")
        times = times + extra
    unreachable = ~np.isfinite(times.min(axis=0))
    pg = path_graph(network, places.seg, places.frac, mask)
    p_loc = pg.local(nodes)
    weight = np.zeros(len(pg.nodes))
    weight[p_loc] = np.where(unreachable, 0.0, w)
    mean = weight.sum() / k
    pull = np.maximum(weight, JUNCTION_PULL * (w.mean() if len(w) else 1.0))
    # with a previous plan, a place pays stability_minutes per hour to change zone
    stay = np.zeros((k, len(pg.nodes)))
    if prev_unit is not None:
        had = prev_unit >= 0
        stay[:, p_loc[had]] = stability_minutes * (np.arange(k)[:, None] != prev_unit[had][None, :])
    best: tuple[tuple[bool, float], IntArray, IntArray] | None = None
    seen: set[bytes] = set()
    for _ in range(ROUNDS):
        # a contiguous start from the centres (the LP's priced Voronoi), then rounds of
        # balancing, polishing and moving the centres to their zones' medoids
        if centres.tobytes() in seen:
            break
        seen.add(centres.tobytes())
        c_loc = pg.local(centres)
        times_all = _times_from(network, places, places.lonlat(centres, network))
        t = _finite(_local_times(pg, times_all)) + stay
        prices = band_prices(times_all[:, nodes], w, tolerance, prev_unit, stability_minutes)
        zone = priced_voronoi(pg.adj, t + prices[:, None], weight)
        zone[c_loc] = np.arange(k)
        zone[t.min(axis=0) >= 1e6] = -1  # islands of the road network no centre reaches
        zone = make_contiguous(pg.adj, zone, c_loc, k)
        for _ in range(INNER_ROUNDS):
            problem = Problem(pg.adj, weight, pull, t, c_loc)
            for share in (MARGIN_SHARE, 1.0):
                zone = rebalance(
                    problem, zone, mean * (1 - tolerance * share), mean * (1 + tolerance * share)
                )
            # polish inside the margin when the zones are in it, so that tiling's small
            # changes (a client whose map cell joins another zone) keep zones in the band
            share = MARGIN_SHARE if _worst(zone, weight, k) <= tolerance * MARGIN_SHARE else 1.0
            zone = polish(
                problem, zone, mean * (1 - tolerance * share), mean * (1 + tolerance * share)
            )
            score = (_worst(zone, weight, k) > tolerance + 1e-9, _cost(zone, weight, t))
            if best is None or score < best[0]:
                best = (score, zone, centres)
            if fixed is not None:
                break
            loc = pg.local(cand)
            cand_zone = np.where(loc >= 0, zone[np.maximum(loc, 0)], -1)
            new = medoids(network, cand, demand, zone[p_loc], centres, cand_zone)
            if np.array_equal(new, centres):
                break
            centres = new
            c_loc = pg.local(centres)
            times_all = _times_from(network, places, places.lonlat(centres, network))
            t = _finite(_local_times(pg, times_all)) + stay
        if fixed is not None:
            break
    assert best is not None
    _, zone, centres = best
    out = np.full(len(mask), -1, dtype=np.int64)
    out[:n_road] = pg.road_zones(zone, n_road)
    is_place = (pg.nodes >= n_road) & (pg.nodes < len(mask))
    out[pg.nodes[is_place]] = zone[is_place]
    # road nodes of the group left unlabelled (roads leaving it) take the nearest zone
    todo = mask[:n_road] & (out[:n_road] < 0)
    if todo.any():
        done = np.flatnonzero(out >= 0)
        out = _label_nodes(graph, mask, done, out[done], centres, k)
    out[nodes[unreachable]] = -1
    return GroupResult(out, centres, pg, zone)


def centre_candidates(
    network: RoadNetwork, node_mask: npt.NDArray[np.bool_], k: int, homes: FloatArray
) -> IntArray:
    """Return the road nodes that may be zone centres: the group's junctions of 3 or more roads.

    A centre is published, so it is never a client's location: it is a junction where roads
    meet, at least :data:`~carezones.privacy.CENTRE_CLEARANCE_M` from every client's home and
    from the road point every client's home snaps to (a client may live on a junction, or
    snap to one). Dead ends are left out (the end of a cul-de-sac or a drive can be one home's
    door), unless the group has fewer than ``k`` other junctions clear of the clients.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    node_mask : numpy.ndarray of bool
        The group's road nodes.
    k : int
        The group's number of zones.
    homes : numpy.ndarray
        Metric points to keep clear of, shape (m, 2)
        (:func:`~carezones.zones.graph.home_points`).

    Returns
    -------
    numpy.ndarray of int64
        The candidate road nodes (sorted).

    Raises
    ------
    ZoneError
        When fewer than ``k`` of the group's junctions are clear of the clients.
    """
    from scipy.spatial import cKDTree

    junctions = network.junction_nodes
    junctions = np.sort(junctions[node_mask[junctions]])
    if len(homes) and len(junctions):
        near, _ = cKDTree(homes).query(np.column_stack([network.x, network.y])[junctions])
        junctions = junctions[near >= CENTRE_CLEARANCE_M]
    degree = np.bincount(network.arrays.seg_ab.ravel(), minlength=network.n_nodes)
    meeting = junctions[degree[junctions] >= MEETING_ROADS]
    if len(junctions) < k:
        raise ZoneError(
            f"the area has only {len(junctions)} road junction(s) at least "
            f"{CENTRE_CLEARANCE_M:g} m from every client's home for {k} zones: a zone's centre "
            "is such a junction (never at a client's door), so ask for fewer zones"
        )
    return meeting if len(meeting) >= k else junctions


def _worst(zone: IntArray, weight: FloatArray, k: int) -> float:
    """Largest deviation of a zone's hours from the mean, as a share of the mean."""
    ok = zone >= 0
    h = np.bincount(zone[ok], weights=weight[ok], minlength=k)
    return float(np.abs(h / h.mean() - 1).max()) if h.mean() > 0 else 0.0


def _cost(zone: IntArray, cw: FloatArray, t: FloatArray) -> float:
    ok = zone >= 0
    return float((cw[ok] * t[zone[ok], np.flatnonzero(ok)]).sum())


def _local_times(pg: PathGraph, times_all: FloatArray) -> FloatArray:
    """Minutes from each centre to each node of ``pg``; a crossing takes its nearest neighbour's."""
    n_ids = times_all.shape[1]
    real = pg.nodes < n_ids
    t = np.full((times_all.shape[0], len(pg.nodes)), np.inf)
    t[:, real] = times_all[:, pg.nodes[real]]
    for v in np.flatnonzero(~real).tolist():
        row = pg.adj[v]
        t[:, v] = (t[:, row.indices] + row.data[None, :]).min(axis=1) if row.nnz else np.inf
    return t


def _finite(t: FloatArray) -> FloatArray:
    return np.where(np.isfinite(t), t, 1e6)


def _label_nodes(
    graph: sp.csr_matrix,
    node_mask: npt.NDArray[np.bool_],
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


def _masked(graph: sp.csr_matrix, node_mask: npt.NDArray[np.bool_]) -> sp.csr_matrix:
    if node_mask.all():
        return graph
    coo = graph.tocoo()
    keep = node_mask[coo.row] & node_mask[coo.col]
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=graph.shape)
