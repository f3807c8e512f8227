"""Places and the zoning graph: the nodes and edges zones are made of.

Clients at the same location form one *place* (:class:`Places`). The zoning graph
(:class:`PathGraph`) has one node per road junction and one per place, joined along each road
in the order they lie on it: a road between two junctions with two places on it becomes the
path ``junction - place - place - junction``. A zone that is connected in this graph is
connected on the roads (pass-through road nodes take the zone of the nearer element on their
road), so its map polygon is one piece. Where two roads cross without meeting (a bridge), both
pass through one extra node: a map cannot draw both roads in different zones there.

The *augmented graph* (:func:`augmented_graph`) is the plain road graph with the places joined
to both ends of their road segment; it labels the road nodes the zoning graph leaves out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from carezones.errors import ZoneError

if TYPE_CHECKING:
    from carezones.network import RoadNetwork, Snapped

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class Places:
    """Distinct client locations (and fixed centres), each a node of the zoning graph.

    Place ``i`` is node ``n_road + i``; it joins both ends of the road segment it snaps to.
    """

    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray
    hours: FloatArray
    seg: IntArray
    frac: FloatArray
    access: FloatArray
    of_client: IntArray  # place of each client (-1 when not zoned)
    fixed: IntArray  # places of the fixed centres
    route_lon: FloatArray  # where routes to the place end: the place, or for a place far
    route_lat: FloatArray  # from every road the nearest road point (then ``extra`` minutes)
    extra: FloatArray  # minutes from the route's end to the place (0 unless far)
    # metric points no centre may be near: every client's home and where it meets the road
    homes: FloatArray = field(default_factory=lambda: np.empty((0, 2)))

    def route_lonlat(self, ids: IntArray | slice = slice(None)) -> FloatArray:
        """Lon/lat where routes to places ``ids`` end (add :attr:`extra` minutes)."""
        return np.column_stack([self.route_lon[ids], self.route_lat[ids]])

    def lonlat(self, ids: IntArray, network: RoadNetwork) -> FloatArray:
        """Lon/lat of zoning-graph nodes (road nodes or places)."""
        n = network.n_nodes
        lon = np.where(
            ids < n, network.lon[np.minimum(ids, n - 1)], self.lon[np.maximum(ids - n, 0)]
        )
        lat = np.where(
            ids < n, network.lat[np.minimum(ids, n - 1)], self.lat[np.maximum(ids - n, 0)]
        )
        return np.column_stack([lon, lat])


def find_places(
    network: RoadNetwork,
    lonlat: FloatArray,
    hours: FloatArray,
    snapped: Snapped,
    ok: npt.NDArray[np.bool_],
    fixed: FloatArray | None,
) -> Places:
    """Return the distinct locations of the zoned clients, then the fixed centres.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    lonlat : numpy.ndarray
        Every client's lon/lat, shape (n, 2).
    hours : numpy.ndarray
        Every client's weekly hours.
    snapped : Snapped
        Every client's snap to the roads (``network.snap``). A client farther than
        ``max_snap_m`` from every road is reached by a straight line from the nearest road
        point, at the access speed.
    ok : numpy.ndarray of bool
        The clients to zone.
    fixed : numpy.ndarray or None
        Fixed centres' lon/lat, shape (k, 2): places of their own, with no hours.

    Returns
    -------
    Places
        The places (clients at the same location, to 7 decimals, share one).

    Raises
    ------
    ZoneError
        When a fixed centre is too far from any road.
    """
    idx = np.flatnonzero(ok)
    key = np.round(lonlat[idx], 7)
    uniq, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    src = idx[first]
    of_client = np.full(len(lonlat), -1, dtype=np.int64)
    of_client[idx] = inverse.ravel()
    w = np.bincount(inverse.ravel(), weights=hours[idx], minlength=len(uniq))
    lon, lat = lonlat[src, 0], lonlat[src, 1]
    seg, frac, access = snapped.segment[src], snapped.fraction[src], snapped.access_minutes[src]
    # a client farther than max_snap_m from every road: a straight line to the nearest road
    # at the access speed, then the roads (routes to it end at that road point)
    far = snapped.far[src]
    per_min = network.speeds.access_kph(network.mode) * 1000.0 / 60.0
    access = np.where(far, snapped.distance_m[src] / per_min, access)
    route_lon = np.where(far, snapped.lon[src], lon)
    route_lat = np.where(far, snapped.lat[src], lat)
    extra = np.where(far, access, 0.0)
    fixed_ids = np.zeros(0, dtype=np.int64)
    if fixed is not None:
        fs = network.snap(fixed)
        if fs.far.any():
            raise ZoneError("a fixed centre is more than max_snap_m from any road: move it")
        fixed_ids = len(lon) + np.arange(len(fixed))
        lon, lat = np.concatenate([lon, fixed[:, 0]]), np.concatenate([lat, fixed[:, 1]])
        w = np.concatenate([w, np.zeros(len(fixed))])
        seg = np.concatenate([seg, fs.segment])
        frac = np.concatenate([frac, fs.fraction])
        access = np.concatenate([access, fs.access_minutes])
        route_lon = np.concatenate([route_lon, fixed[:, 0]])
        route_lat = np.concatenate([route_lat, fixed[:, 1]])
        extra = np.concatenate([extra, np.zeros(len(fixed))])
    x, y = network.to_metric(lon, lat)
    return Places(
        lon,
        lat,
        np.asarray(x),
        np.asarray(y),
        w,
        seg,
        frac,
        access,
        of_client,
        fixed_ids,
        route_lon,
        route_lat,
        extra,
        home_points(network, lonlat, snapped),
    )


def home_points(network: RoadNetwork, lonlat: FloatArray, snapped: Snapped) -> FloatArray:
    """Return where clients are, in metres: each one's home and the road point it snaps to.

    A zone's centre keeps :data:`~carezones.privacy.CENTRE_CLEARANCE_M` from all of them
    (:func:`~carezones.zones.solve.centre_candidates`): a junction at a client's door would
    mark the home on every map of the zones.

    Parameters
    ----------
    network : RoadNetwork
        The road network (its metric CRS).
    lonlat : numpy.ndarray
        Every client's lon/lat, shape (n, 2), zoned or not.
    snapped : Snapped
        Their snaps to the roads.

    Returns
    -------
    numpy.ndarray
        Shape (2n, 2): the homes, then the road points.
    """
    lon = np.concatenate([lonlat[:, 0], snapped.lon])
    lat = np.concatenate([lonlat[:, 1], snapped.lat])
    ok = np.isfinite(lon) & np.isfinite(lat)
    x, y = network.to_metric(lon[ok], lat[ok])
    return np.column_stack([np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)])


def augmented_graph(network: RoadNetwork, places: Places) -> sp.csr_matrix:
    """Return the undirected road-node graph plus one node per place joined to its segment's ends.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    places : Places
        The places; place ``i`` is node ``network.n_nodes + i``.

    Returns
    -------
    scipy.sparse.csr_matrix
        Minutes between adjacent nodes (a place's include its access leg).
    """
    from carezones.network.routing import csr_min

    a = network.arrays
    n, m = network.n_nodes, len(places.hours)
    seg_edge = a.segment_edge
    seg_min = a.minutes[seg_edge[places.seg]]
    ends = a.seg_ab[places.seg]
    pid = n + np.arange(m)
    to_a = places.frac * seg_min + places.access
    to_b = (1 - places.frac) * seg_min + places.access
    rows = np.concatenate([a.u, a.v, pid, ends[:, 0], pid, ends[:, 1]])
    cols = np.concatenate([a.v, a.u, ends[:, 0], pid, ends[:, 1], pid])
    w = np.concatenate([a.minutes, a.minutes, to_a, to_a, to_b, to_b])
    return csr_min(rows, cols, np.maximum(w, 1e-9), n + m)


@dataclass
class PathGraph:
    """Junctions and places joined along each road, in road order.

    ``nodes[i]`` is the zoning-graph id of local node ``i`` (a road node index for junctions,
    ``n_road + place`` for places); ``adj`` is the undirected local graph (minutes along the
    road). ``pt_node`` are the pass-through road nodes to label, each between local nodes
    ``pt_prev`` and ``pt_next`` on its road (-1 where there is none), nearer to ``pt_prev``
    where ``pt_near_prev``.
    """

    nodes: IntArray
    adj: sp.csr_matrix
    pt_node: IntArray
    pt_prev: IntArray
    pt_next: IntArray
    pt_near_prev: npt.NDArray[np.bool_]
    seg_chain: IntArray  # the chain describing each road segment
    seg_edge: IntArray  # the directed edge of each segment on that chain
    seg_fwd: npt.NDArray[np.bool_]  # that edge runs from the segment's first node
    el_key: FloatArray  # sorted (chain, position) keys of the elements
    el_loc: IntArray  # local node of each element

    def local(self, ids: IntArray) -> IntArray:
        """Local index of zoning-graph ids (-1 for ids not in the graph)."""
        pos = np.searchsorted(self.nodes, ids)
        pos = np.minimum(pos, len(self.nodes) - 1)
        return np.where(self.nodes[pos] == ids, pos, -1)

    def zone_at(
        self, network: RoadNetwork, seg: IntArray, frac: FloatArray, zone: IntArray
    ) -> IntArray:
        """Zone of points on the roads: that of the nearer element on their road (-1: none)."""
        ch = network.router.chains
        e = self.seg_edge[seg]
        f = np.where(self.seg_fwd[seg], frac, 1 - frac)
        chain = self.seg_chain[seg]
        pos = ch.before[e] + f * network.arrays.minutes[e]
        key = chain.astype(np.float64) * 1e7 + pos
        after = np.searchsorted(self.el_key, key, side="right")
        n = len(self.el_key)
        pi, ni = np.maximum(after - 1, 0), np.minimum(after, n - 1)
        ok_p = (after > 0) & (np.floor(self.el_key[pi] / 1e7) == chain)
        ok_n = (after < n) & (np.floor(self.el_key[ni] / 1e7) == chain)
        d_p = np.where(ok_p, key - self.el_key[pi], np.inf)
        d_n = np.where(ok_n, self.el_key[ni] - key, np.inf)
        loc = np.where(d_p <= d_n, self.el_loc[pi], self.el_loc[ni])
        return np.where(ok_p | ok_n, zone[loc], -1)

    def road_zones(self, zone: IntArray, n_road: int) -> IntArray:
        """Zone of every road node: junctions their own, pass-through nodes the nearer element."""
        out = np.full(n_road, -1, dtype=np.int64)
        j = self.nodes < n_road
        out[self.nodes[j]] = zone[j]
        prev_z = np.where(self.pt_prev >= 0, zone[np.maximum(self.pt_prev, 0)], -1)
        next_z = np.where(self.pt_next >= 0, zone[np.maximum(self.pt_next, 0)], -1)
        first = np.where(self.pt_near_prev, prev_z, next_z)
        second = np.where(self.pt_near_prev, next_z, prev_z)
        out[self.pt_node] = np.where(first >= 0, first, second)
        return out


def path_graph(
    network: RoadNetwork, seg: IntArray, frac: FloatArray, mask: npt.NDArray[np.bool_]
) -> PathGraph:
    """Build the zoning graph of the junctions and places in ``mask``.

    Where two roads cross without meeting (a bridge), both pass through one extra node (id
    ``len(mask) + i``): a map cannot draw both roads in different zones there, so the graph
    does not allow it.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    seg, frac : numpy.ndarray
        Each place's snap: its road segment and the fraction along it from the segment's
        first node.
    mask : numpy.ndarray of bool
        The road nodes then the places to include, as zoning-graph ids.

    Returns
    -------
    PathGraph
        The zoning graph.
    """
    a = network.arrays
    ch = network.router.chains
    n = network.n_nodes
    fwd, bwd = a.seg_fwd, a.seg_bwd
    # each road is described by one of its (up to two) directed chains: the lower-numbered
    c_f = np.where(fwd >= 0, ch.chain[np.maximum(fwd, 0)], np.iinfo(np.int64).max)
    c_b = np.where(bwd >= 0, ch.chain[np.maximum(bwd, 0)], np.iinfo(np.int64).max)
    use_fwd = c_f <= c_b
    seg_chain = np.minimum(c_f, c_b)
    seg_edge = np.where(use_fwd, fwd, bwd)
    canonical = np.zeros(len(ch.total), dtype=bool)
    canonical[seg_chain] = True

    # elements on each canonical chain: its two junctions and the places snapped to it
    js, je = ch.junction_nodes[ch.start], ch.junction_nodes[ch.end]
    cids = np.flatnonzero(canonical)
    place_ids = np.flatnonzero(mask[n:])
    p_seg = seg[place_ids]
    p_chain = seg_chain[p_seg]
    e = seg_edge[p_seg]
    f = np.where(use_fwd[p_seg], frac[place_ids], 1 - frac[place_ids])
    p_pos = ch.before[e] + f * a.minutes[e]
    # crossings: one node on both roads, kept where both roads touch the group
    x_seg, x_frac = network.segment_crossings
    ab = a.seg_ab
    x_in = mask[:n][ab[x_seg[:, 0]]].any(axis=1) & mask[:n][ab[x_seg[:, 1]]].any(axis=1)
    x_ids = len(mask) + np.arange(len(x_seg))
    xs, xf = x_seg.ravel(), x_frac.ravel()
    xe = seg_edge[xs]
    x_pos = ch.before[xe] + np.where(use_fwd[xs], xf, 1 - xf) * a.minutes[xe]
    mask = np.concatenate([mask, x_in])
    el_chain = np.concatenate([cids, p_chain, seg_chain[xs], cids])
    el_pos = np.concatenate([np.zeros(len(cids)), p_pos, x_pos, ch.total[cids]])
    el_id = np.concatenate([js[cids], n + place_ids, np.repeat(x_ids, 2), je[cids]])
    el_rank = np.concatenate(
        [np.zeros(len(cids)), np.ones(len(place_ids) + len(xs)), np.full(len(cids), 2)]
    )
    keep = mask[el_id]
    el_chain, el_pos, el_id, el_rank = el_chain[keep], el_pos[keep], el_id[keep], el_rank[keep]
    order = np.lexsort((el_id, el_rank, el_pos, el_chain))
    el_chain, el_pos, el_id = el_chain[order], el_pos[order], el_id[order]

    junction = np.zeros(len(mask), dtype=bool)
    junction[ch.junction_nodes] = True
    junction[n:] = True  # places and crossings
    nodes = np.unique(np.concatenate([np.flatnonzero(mask & junction), el_id]))
    loc = np.full(len(mask), -1, dtype=np.int64)
    loc[nodes] = np.arange(len(nodes))
    same = el_chain[1:] == el_chain[:-1]
    r, c = loc[el_id[:-1][same]], loc[el_id[1:][same]]
    wgt = np.maximum(el_pos[1:][same] - el_pos[:-1][same], 1e-6)
    diff = r != c
    r, c, wgt = r[diff], c[diff], wgt[diff]
    adj = sp.csr_matrix(
        (np.concatenate([wgt, wgt]), (np.concatenate([r, c]), np.concatenate([c, r]))),
        shape=(len(nodes), len(nodes)),
    )
    adj.sum_duplicates()
    adj.data[:] = np.maximum(adj.data, 1e-6)  # parallel roads: any positive weight will do

    # pass-through road nodes: the inner nodes of each canonical chain
    edges = ch.order[np.isin(ch.chain[ch.order], cids)]
    inner = edges[ch.junction_of_node[a.v[edges]] < 0]
    pt_node = a.v[inner]
    pt_chain = ch.chain[inner]
    pt_pos = ch.before[inner] + a.minutes[inner]
    in_mask = mask[pt_node]
    pt_node, pt_chain, pt_pos = pt_node[in_mask], pt_chain[in_mask], pt_pos[in_mask]
    key_el = el_chain.astype(np.float64) * 1e7 + el_pos
    key_pt = pt_chain.astype(np.float64) * 1e7 + pt_pos
    after = np.searchsorted(key_el, key_pt, side="right")
    prev_i = after - 1
    ok_prev = (prev_i >= 0) & (el_chain[np.maximum(prev_i, 0)] == pt_chain)
    ok_next = (after < len(el_chain)) & (el_chain[np.minimum(after, len(el_chain) - 1)] == pt_chain)
    pt_prev = np.where(ok_prev, loc[el_id[np.maximum(prev_i, 0)]], -1)
    pt_next = np.where(ok_next, loc[el_id[np.minimum(after, len(el_chain) - 1)]], -1)
    d_prev = np.where(ok_prev, pt_pos - el_pos[np.maximum(prev_i, 0)], np.inf)
    d_next = np.where(ok_next, el_pos[np.minimum(after, len(el_chain) - 1)] - pt_pos, np.inf)
    return PathGraph(
        nodes,
        adj,
        pt_node,
        pt_prev,
        pt_next,
        d_prev <= d_next,
        seg_chain,
        seg_edge,
        use_fwd,
        key_el,
        loc[el_id],
    )
