"""Contiguous, balanced partitions of the zoning graph.

The zoning graph has one node per road junction and one per client place, joined along each
road in the order they lie on it: a road between two junctions with two places on it becomes
the path ``junction - place - place - junction``. A zone that is connected in this graph is
connected on the roads (pass-through road nodes take the zone of the nearer element on their
road), so its map polygon is one piece.

:func:`rebalance` brings every zone's hours into the band by moving connected pieces between
neighbouring zones, guided by a minimum-cost flow of hours over the zones' adjacency;
:func:`polish` then moves single boundary nodes that bring clients closer to their centre.
Neither ever cuts a zone in two.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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

    ``seg``/``frac`` give each place's snap (segment and fraction from its first node);
    ``mask`` covers road nodes then places, as zoning-graph ids. Where two roads cross
    without meeting (a bridge), both pass through one extra node (id ``len(mask) + i``): a
    map cannot draw both roads in different zones there, so the graph does not allow it.
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
        nodes, adj, pt_node, pt_prev, pt_next, d_prev <= d_next, seg_chain, seg_edge, use_fwd,
        key_el, loc[el_id],
    )  # fmt: skip


# ---------------------------------------------------------------------- connectivity
def reached_from(adj: sp.csr_matrix, zone: IntArray, start: int, skip: Any = ()) -> Any:
    """Boolean mask of the nodes of ``start``'s zone reachable from it avoiding ``skip``."""
    indptr, indices = adj.indptr, adj.indices
    z = zone[start]
    seen = np.zeros(len(zone), dtype=bool)
    for s in skip:
        seen[s] = True
    if seen[start]:
        return np.zeros(len(zone), dtype=bool)
    seen[start] = True
    stack = [start]
    out = [start]
    while stack:
        x = stack.pop()
        for y in indices[indptr[x] : indptr[x + 1]].tolist():
            if not seen[y] and zone[y] == z:
                seen[y] = True
                stack.append(y)
                out.append(y)
    res = np.zeros(len(zone), dtype=bool)
    res[out] = True
    return res


def _rejoins(
    adj: sp.csr_matrix, zone: IntArray, v: int, nbrs: IntArray, limit: int = 400
) -> bool | None:
    """Whether ``v``'s same-zone neighbours stay joined without ``v`` (a search near ``v``).

    ``True``/``False`` when the search settles it within ``limit`` nodes, ``None`` otherwise.
    """
    indptr, indices = adj.indptr, adj.indices
    z = zone[v]
    want = set(nbrs.tolist())
    start = want.pop()
    seen = {v, start}
    queue = deque([start])  # breadth first: the way round is usually a short loop
    while queue:
        if len(seen) > limit:
            return None
        x = queue.popleft()
        for y in indices[indptr[x] : indptr[x + 1]].tolist():
            if y not in seen and zone[y] == z:
                want.discard(y)
                if not want:
                    return True
                seen.add(y)
                queue.append(y)
    return False


def _zone_pairs(adj: sp.csr_matrix, zone: IntArray, k: int) -> IntArray:
    coo = adj.tocoo()
    za, zb = zone[coo.row], zone[coo.col]
    cross = (za != zb) & (za >= 0) & (zb >= 0)
    pairs = np.unique(za[cross] * k + zb[cross])
    return np.column_stack([pairs // k, pairs % k]).astype(np.int64)


def _flow(h: FloatArray, pairs: IntArray, lo: float, hi: float) -> tuple[float, FloatArray]:
    """Least total hours moved between adjacent zones to bring every zone into [lo, hi].

    Returns the cost (hours moved, plus a large penalty per hour that cannot be brought in)
    and the flow on each directed pair.
    """
    k, m = len(h), len(pairs)
    if m == 0 or np.all((h >= lo - 1e-9) & (h <= hi + 1e-9)):
        miss = float(np.maximum(h - hi, 0).sum() + np.maximum(lo - h, 0).sum())
        return miss * 1e3, np.zeros(m)
    # variables: f (m), over slack (k), under slack (k); final g = h - out + in in [lo, hi]
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([np.arange(m), np.arange(m)])
    vals = np.concatenate([-np.ones(m), np.ones(m)])
    net = sp.csr_matrix((vals, (rows, cols)), shape=(k, m))  # in - out
    eye = sp.identity(k, format="csr")
    # h + net f - over <= hi ; -(h + net f) - under <= -lo
    a_ub = sp.vstack(
        [
            sp.hstack([net, -eye, sp.csr_matrix((k, k))]),
            sp.hstack([-net, sp.csr_matrix((k, k)), -eye]),
        ]
    ).tocsr()
    b_ub = np.concatenate([hi - h, h - lo])
    c = np.concatenate([np.ones(m), np.full(2 * k, 1e3)])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    if res.x is None:  # pragma: no cover - always feasible with the slacks
        return float("inf"), np.zeros(m)
    return float(res.fun), res.x[:m]


@dataclass
class _ZoneTree:
    """Shortest-path tree of one zone from its centre, with each subtree's totals."""

    sub: sp.csr_matrix  # the zone's own edges
    order: IntArray  # the zone's nodes, leaves first
    parent: IntArray
    weight: FloatArray  # hours of each node's subtree
    cost: FloatArray  # summed delta over each node's subtree
    touch: npt.NDArray[np.bool_]  # the subtree touches zone b


def _zone_tree(
    adj: sp.csr_matrix, zone: IntArray, a: int, root: int, b: int, w: FloatArray,
    delta: FloatArray,
) -> _ZoneTree:  # fmt: skip
    from scipy.sparse.csgraph import dijkstra

    coo = adj.tocoo()
    keep = (zone[coo.row] == a) & (zone[coo.col] == a)
    sub = sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=adj.shape)
    dist, pred = dijkstra(sub, directed=False, indices=root, return_predecessors=True)
    members = np.flatnonzero((zone == a) & np.isfinite(dist))
    order = members[np.argsort(-dist[members], kind="stable")]
    weight = np.zeros(len(zone))
    cost = np.zeros(len(zone))
    touch = np.zeros(len(zone), dtype=bool)
    weight[members] = w[members]
    cost[members] = delta[members]
    zb = (zone[coo.col] == b) & (zone[coo.row] == a)
    touch[coo.row[zb]] = True
    for v in order.tolist():  # leaves first: add each subtree into its parent
        p = pred[v]
        if p >= 0:
            weight[p] += weight[v]
            cost[p] += cost[v]
            touch[p] |= touch[v]
    return _ZoneTree(sub, order, pred.astype(np.int64), weight, cost, touch)


def _subtree_nodes(v: int, tree: _ZoneTree) -> IntArray:
    inside = np.zeros(len(tree.parent), dtype=bool)
    inside[v] = True
    for x in tree.order[::-1].tolist():  # root first: a node is inside when its parent is
        p = tree.parent[x]
        if p >= 0 and inside[p]:
            inside[x] = True
    return np.flatnonzero(inside)


def _bridged(
    adj: sp.csr_matrix, zone: IntArray, a: int, b: int, root: int, tree: _ZoneTree,
    target: float, n_try: int, step: float,
) -> list[IntArray]:  # fmt: skip
    """Pieces of zone ``a`` that reach ``b`` through a road with no clients on it.

    Subtrees whose hours fit ``target`` but do not touch ``b`` are joined to ``b`` by the
    shortest path through ``a``; whatever that cuts off from ``a``'s centre goes too.
    """
    from scipy.sparse.csgraph import dijkstra

    indptr, indices = adj.indptr, adj.indices
    border = np.array(
        [v for v in tree.order.tolist() if (zone[indices[indptr[v] : indptr[v + 1]]] == b).any()],
        dtype=np.int64,
    )
    if len(border) == 0:
        return []
    dist, pred, _ = dijkstra(
        tree.sub, directed=False, indices=border, min_only=True, return_predecessors=True
    )
    cand = tree.order[(tree.order != root) & (tree.weight[tree.order] > 0)]
    cand = cand[np.isfinite(dist[cand])]
    fit = np.round(np.abs(tree.weight[cand] - target) / step)
    out = []
    for u in cand[np.lexsort((cand, dist[cand], fit))][:n_try].tolist():
        piece = _subtree_nodes(u, tree)
        x, path = u, []
        while pred[x] >= 0:
            x = int(pred[x])
            path.append(x)
        if root in path or root in piece:
            continue
        rest = reached_from(adj, zone, root, np.concatenate([piece, path]).astype(np.int64))
        out.append(np.flatnonzero((zone == a) & ~rest))
    return out


def rebalance(
    adj: sp.csr_matrix, zone: IntArray, w: FloatArray, cw: FloatArray, t: FloatArray,
    centres: IntArray, lo: float, hi: float, max_steps: int = 500, n_try: int = 8,
) -> IntArray:  # fmt: skip
    """Move connected pieces between neighbouring zones until their hours are in [lo, hi].

    Each step follows a minimum-cost flow of hours over the zones' adjacency: for a transfer
    from zone ``a`` to zone ``b`` it hands ``b`` a subtree of ``a``'s shortest-path tree that
    touches ``b`` and holds about the flow's hours (fewest added weighted minutes among the
    closest fits). Handing over a whole subtree never cuts ``a``, and the subtree joins ``b``
    where it touches it. Where no such subtree fits (the clients sit far from the border), a
    fitting subtree goes with the client-free road joining it to ``b``. A step is kept only
    when it lowers the flow's cost, so the loop ends.
    """
    k = len(centres)
    zone = zone.copy()
    h = np.bincount(zone[zone >= 0], weights=w[zone >= 0], minlength=k)
    band = max(hi - lo, 1e-9)
    blocked: set[tuple[int, int]] = set()  # pairs with no useful piece since the last move
    for _ in range(max_steps):
        all_pairs = _zone_pairs(adj, zone, k)
        cost = _flow(h, all_pairs, lo, hi)[0]
        if cost <= 1e-9:
            break
        ok = np.array([(int(p), int(q)) not in blocked for p, q in all_pairs], dtype=bool)
        pairs = all_pairs[ok] if len(all_pairs) else all_pairs
        f = _flow(h, pairs, lo, hi)[1]
        flows = [i for i in np.argsort(-f, kind="stable").tolist() if f[i] > 1e-9]
        if not flows:
            break
        best: tuple[tuple[float, ...], IntArray] | None = None
        for i in flows:
            a, b = int(pairs[i, 0]), int(pairs[i, 1])
            tree = _zone_tree(adj, zone, a, int(centres[a]), b, w, cw * (t[b] - t[a]))
            cand = tree.order[
                (tree.order != centres[a]) & tree.touch[tree.order] & (tree.weight[tree.order] > 0)
            ]
            fit = np.round(np.abs(tree.weight[cand] - f[i]) / (band / 8))
            pick = np.lexsort((cand, tree.cost[cand], fit))[:n_try]
            pieces = [_subtree_nodes(int(cand[j]), tree) for j in pick.tolist()]
            pieces += _bridged(adj, zone, a, b, int(centres[a]), tree, float(f[i]), n_try, band / 8)
            for piece in pieces:
                moving = float(w[piece].sum())
                if moving <= 0:
                    continue
                new_h = h.copy()
                new_h[a] -= moving
                new_h[b] += moving
                new_cost = _flow(new_h, all_pairs, lo, hi)[0]  # adjacency barely changes
                added = float((cw[piece] * (t[b, piece] - t[a, piece])).sum())
                key = (new_cost, added)
                if new_cost < cost - 1e-6 and (best is None or key < best[0]):
                    trial = zone.copy()
                    trial[piece] = b
                    best = (key, trial)
            if best is not None:
                break
            blocked.add((a, b))
        if best is None:
            continue  # re-route the flow around the blocked pairs
        zone = best[1]
        h = np.bincount(zone[zone >= 0], weights=w[zone >= 0], minlength=k)
        blocked.clear()
    return zone


def polish(
    adj: sp.csr_matrix, zone: IntArray, cw: FloatArray, w: FloatArray, t: FloatArray,
    centres: IntArray, lo: float, hi: float, passes: int = 6,
) -> IntArray:  # fmt: skip
    """Move single boundary nodes to the neighbouring zone whose centre is nearer.

    A move must lower the weighted minutes (``cw`` times minutes to the centre), keep both
    zones' hours in [lo, hi] (or not further out), and never cut the zone it leaves.
    """
    k = len(centres)
    zone = zone.copy()
    frozen = np.zeros(len(zone), dtype=bool)
    frozen[centres] = True
    indptr, indices = adj.indptr, adj.indices
    h = np.bincount(zone[zone >= 0], weights=w[zone >= 0], minlength=k)
    coo = adj.tocoo()
    for _ in range(passes):
        za, zb = zone[coo.row], zone[coo.col]
        cand = (za != zb) & (za >= 0) & (zb >= 0) & ~frozen[coo.row]
        v, a, b = coo.row[cand], za[cand], zb[cand]
        gain = cw[v] * (t[a, v] - t[b, v])
        good = gain > 1e-9
        v, a, b, gain = v[good], a[good], b[good], gain[good]
        if len(v) == 0:
            break
        changed = 0
        for i in np.argsort(-gain, kind="stable").tolist():
            vi, ai, bi = int(v[i]), int(a[i]), int(b[i])
            if zone[vi] != ai:
                continue
            wv = float(w[vi])
            if wv > 0:
                ha, hb = h[ai] - wv, h[bi] + wv
                if (ha < lo and ha < h[ai]) or (hb > hi and hb > h[bi]):
                    continue
            nb = indices[indptr[vi] : indptr[vi + 1]]
            if not (zone[nb] == bi).any():
                continue
            same = nb[zone[nb] == ai]
            if len(same) > 1:
                local = _rejoins(adj, zone, vi, same)
                if local is None:  # undecided nearby: check the whole zone
                    rest = reached_from(adj, zone, int(centres[ai]), [vi])
                    local = bool((zone == ai).sum() - 1 == rest.sum())
                if not local:
                    continue
            zone[vi] = bi
            h[ai] -= wv
            h[bi] += wv
            changed += 1
        if not changed:
            break
    return zone


def make_contiguous(adj: sp.csr_matrix, zone: IntArray, centres: IntArray, k: int) -> IntArray:
    """Pieces of a zone cut off from its centre join the neighbouring zone they touch most."""
    from scipy.sparse.csgraph import connected_components

    zone = zone.copy()
    coo = adj.tocoo()
    for _ in range(50):
        same = (zone[coo.row] == zone[coo.col]) & (zone[coo.row] >= 0)
        intra = sp.csr_matrix(
            (np.ones(int(same.sum())), (coo.row[same], coo.col[same])), shape=adj.shape
        )
        _, comp = connected_components(intra, directed=False)
        stray = (zone >= 0) & ~np.isin(comp, comp[centres])
        if not stray.any():
            break
        cross = ~same & (zone[coo.col] >= 0) & stray[coo.row] & ~stray[coo.col]
        if not cross.any():  # pieces touching no settled zone: leave them for now
            cross = ~same & (zone[coo.col] >= 0) & stray[coo.row]
        if not cross.any():
            break
        key = comp[coo.row[cross]] * (k + 1) + zone[coo.col[cross]]
        uk, counts = np.unique(key, return_counts=True)
        comps, targets = uk // (k + 1), uk % (k + 1)
        order = np.lexsort((targets, -counts, comps))
        comps, targets = comps[order], targets[order]
        first = np.r_[True, comps[1:] != comps[:-1]]
        target = dict(zip(comps[first].tolist(), targets[first].tolist(), strict=True))
        nodes = np.flatnonzero(stray)
        new = np.array([target.get(int(c), -2) for c in comp[nodes]])
        ok = new != -2
        if not ok.any():
            break
        zone[nodes[ok]] = new[ok]
    return zone
