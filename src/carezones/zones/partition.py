"""Moves on the zoning graph: a contiguous start, balancing, polishing; never a zone in two.

Zones are labels of the zoning graph's nodes (:mod:`~carezones.zones.graph`); every function
here takes its adjacency matrix and returns new labels.

:func:`priced_voronoi` is the contiguous start: each node to the zone of least
minutes-plus-price, with the prices from the balanced LP's duals
(:func:`~carezones.zones.centres.balanced_assignment`). :func:`make_contiguous` joins any piece
cut off from its zone's centre to the neighbouring zone it touches most.
:func:`rebalance` brings every zone's hours into the band by moving connected pieces between
neighbouring zones, guided by a minimum-cost flow of hours over the zones' adjacency;
:func:`polish` then moves single boundary nodes that bring clients closer to their centre.
Neither ever cuts a zone in two.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_FLOWS = 600  # flow problems one call of rebalance may solve to try pieces
OVERSHOOT = 3.0  # a piece may carry at most the flow's hours plus this many band widths


@dataclass(frozen=True, eq=False)
class Problem:
    """What moves between zones are judged by, on one adjacency (zoning graph, cells, units).

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix
        The adjacency.
    hours : numpy.ndarray
        Each node's weekly hours.
    weight : numpy.ndarray
        Each node's cost weight (its hours, or a small pull for a node with none).
    minutes : numpy.ndarray
        Minutes from each zone's centre to each node, shape (k, nodes).
    centres : numpy.ndarray of int64
        Each zone's centre node: it never moves.
    count : numpy.ndarray, optional
        Each node's clients: with ``min_count``, no move leaves a zone with fewer.
    min_count : int
        The fewest clients a zone may be left with (0: no limit).
    """

    adj: sp.csr_matrix
    hours: FloatArray
    weight: FloatArray
    minutes: FloatArray
    centres: IntArray
    count: FloatArray | None = None
    min_count: int = 0


def priced_voronoi(adj: sp.csr_matrix, score: FloatArray, weight: FloatArray) -> IntArray:
    """Give each node the zone of least minutes-plus-price: connected zones, balanced hours.

    With the prices (the duals of the balance constraints of the transportation LP), every
    node on the shortest path from a centre to a node of its zone is in that zone too, so
    zones are connected. Where zones tie (a stretch of road reached by both through one
    junction), the tied stretch goes whole to the tied zone with the fewest hours so far.

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix
        The zoning graph's adjacency.
    score : numpy.ndarray
        Minutes plus price from each zone's centre to each node, shape (k, nodes).
    weight : numpy.ndarray
        Each node's weekly hours.

    Returns
    -------
    numpy.ndarray of int64
        The zone of each node.
    """
    from scipy.sparse.csgraph import connected_components

    k = score.shape[0]
    tied = score <= score.min(axis=0) + 1e-6
    zone = np.argmax(tied, axis=0).astype(np.int64)
    multi = tied.sum(axis=0) > 1
    if not multi.any():
        return zone
    pattern = (tied * (2 ** np.arange(k, dtype=np.float64))[:, None]).sum(axis=0)
    coo = adj.tocoo()
    same = multi[coo.row] & multi[coo.col] & (pattern[coo.row] == pattern[coo.col])
    sub = sp.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])), adj.shape)
    _, comp = connected_components(sub, directed=False)
    load = np.bincount(zone[~multi], weights=weight[~multi], minlength=k)
    comps = np.unique(comp[multi])
    hours = np.bincount(comp[multi], weights=weight[multi], minlength=comp.max() + 1)[comps]
    first: dict[int, int] = {}
    for v in np.flatnonzero(multi).tolist():
        first.setdefault(int(comp[v]), v)
    for c in comps[np.lexsort((comps, -hours))].tolist():
        options = np.flatnonzero(tied[:, first[c]])
        z = int(options[np.argmin(load[options])])
        zone[comp == c] = z
        load[z] += weight[comp == c].sum()
    return zone


def grow_regions(adj: sp.csr_matrix, w: FloatArray, t: FloatArray, centres: IntArray) -> IntArray:
    """Grow zones from their centres, the zone with the fewest hours taking its nearest neighbour.

    A contiguous, nearly balanced start where units are coarse: a zone holding a heavy unit
    waits while the others grow, so that they, not it, take the heavy units next to it.

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix
        The adjacency (units).
    w : numpy.ndarray
        Each node's weekly hours.
    t : numpy.ndarray
        Minutes (or cost per hour) from each zone's centre to each node, shape (k, nodes).
    centres : numpy.ndarray of int64
        Each zone's centre node.

    Returns
    -------
    numpy.ndarray of int64
        The zone of each node (-1 for nodes no zone reaches).
    """
    import heapq

    k, n = len(centres), adj.shape[0]
    indptr, indices = adj.indptr, adj.indices
    zone = np.full(n, -1, dtype=np.int64)
    zone[centres] = np.arange(k)
    h = np.asarray(w[centres], dtype=np.float64).copy()
    fronts: list[list[tuple[float, int]]] = [[] for _ in range(k)]

    def push(z: int, v: int) -> None:
        for u in indices[indptr[v] : indptr[v + 1]].tolist():
            if zone[u] < 0:
                heapq.heappush(fronts[z], (float(t[z, u]), u))

    for z in range(k):
        push(z, int(centres[z]))
    active = set(range(k))
    while active:
        z = min(active, key=lambda q: (h[q], q))
        front = fronts[z]
        while front and zone[front[0][1]] >= 0:
            heapq.heappop(front)
        if not front:
            active.discard(z)
            continue
        _, u = heapq.heappop(front)
        zone[u] = z
        h[z] += w[u]
        push(z, u)
    return zone


def make_contiguous(adj: sp.csr_matrix, zone: IntArray, centres: IntArray, k: int) -> IntArray:
    """Join each piece of a zone cut off from its centre to the neighbouring zone it touches most.

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix
        The zoning graph's adjacency.
    zone : numpy.ndarray of int64
        The zone of each node (-1: none).
    centres : numpy.ndarray of int64
        Each zone's centre node.
    k : int
        The number of zones.

    Returns
    -------
    numpy.ndarray of int64
        The new zone of each node.
    """
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


# ---------------------------------------------------------------------- connectivity
def reached_from(
    adj: sp.csr_matrix, zone: IntArray, start: int, skip: Iterable[int] = ()
) -> npt.NDArray[np.bool_]:
    """Return the nodes of ``start``'s zone reachable from it within the zone, avoiding ``skip``.

    Parameters
    ----------
    adj : scipy.sparse.csr_matrix
        The zoning graph's adjacency.
    zone : numpy.ndarray of int64
        The zone of each node.
    start : int
        The node to start from.
    skip : iterable of int
        Nodes to avoid (when ``start`` is one, nothing is reached).

    Returns
    -------
    numpy.ndarray of bool
        A mask of the nodes reached, ``start`` included.
    """
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


def _flow(
    h: FloatArray, pairs: IntArray, lo: float | FloatArray, hi: float | FloatArray
) -> tuple[float, FloatArray]:
    """Least total hours moved between adjacent zones to bring every zone into [lo, hi].

    ``lo`` and ``hi`` are numbers or one per zone. Returns the cost (hours moved, plus a large
    penalty per hour that cannot be brought in) and the flow on each directed pair.
    """
    k, m = len(h), len(pairs)
    if m == 0 or np.all((h >= lo - 1e-9) & (h <= hi + 1e-9)):
        miss = float(np.maximum(h - hi, 0).sum() + np.maximum(lo - h, 0).sum())
        return miss * 1e3, np.zeros(m)
    # variables: f (m), over slack (k), under slack (k); final g = h - out + in in [lo, hi]
    net = np.zeros((k, m))  # in - out (small and dense: a sparse build costs more than it saves)
    net[pairs[:, 0], np.arange(m)] = -1.0
    net[pairs[:, 1], np.arange(m)] = 1.0
    eye, zero = np.eye(k), np.zeros((k, k))
    # h + net f - over <= hi ; -(h + net f) - under <= -lo
    a_ub = np.block([[net, -eye, zero], [-net, zero, -eye]])
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
    adj: sp.csr_matrix,
    zone: IntArray,
    a: int,
    root: int,
    b: int,
    w: FloatArray,
    delta: FloatArray,
) -> _ZoneTree:
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
    problem: Problem,
    zone: IntArray,
    a: int,
    b: int,
    tree: _ZoneTree,
    target: float,
    n_try: int,
    step: float,
) -> list[IntArray]:
    """Pieces of zone ``a`` that reach ``b`` through a road with no clients on it.

    Subtrees whose hours fit ``target`` but do not touch ``b`` are joined to ``b`` by the
    shortest path through ``a``; whatever that cuts off from ``a``'s centre goes too.
    """
    from scipy.sparse.csgraph import dijkstra

    adj, root = problem.adj, int(problem.centres[a])
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
    problem: Problem,
    zone: IntArray,
    lo: float,
    hi: float,
    max_steps: int = 500,
    n_try: int = 8,
) -> IntArray:
    """Move connected pieces between neighbouring zones until their hours are in [lo, hi].

    Each step follows a minimum-cost flow of hours over the zones' adjacency: for a transfer
    from zone ``a`` to zone ``b`` it hands ``b`` a subtree of ``a``'s shortest-path tree that
    touches ``b`` and holds about the flow's hours (fewest added weighted minutes among the
    closest fits). Handing over a whole subtree never cuts ``a``, and the subtree joins ``b``
    where it touches it. Where no such subtree fits (the clients sit far from the border), a
    fitting subtree goes with the client-free road joining it to ``b``. A step is kept only
    when it lowers the flow's cost, so the loop ends.

    Parameters
    ----------
    problem : Problem
        The adjacency, hours, cost weights, minutes and centres (with ``count`` and
        ``min_count``: no move leaves the giving zone with fewer than ``min_count`` clients).
    zone : numpy.ndarray of int64
        The zone of each node (-1: none).
    lo, hi : float
        The band of a zone's hours.
    max_steps : int
        Maximum pieces moved.
    n_try : int
        Candidate pieces tried per pair of zones.

    Returns
    -------
    numpy.ndarray of int64
        The new zone of each node.
    """
    adj, w, cw, t, centres = (
        problem.adj,
        problem.hours,
        problem.weight,
        problem.minutes,
        problem.centres,
    )
    count, min_count = problem.count, problem.min_count
    k = len(centres)
    zone = zone.copy()
    h = np.bincount(zone[zone >= 0], weights=w[zone >= 0], minlength=k)
    cnt = _counts(zone, count, k)
    band = max(hi - lo, 1e-9)
    # a zone whose centre alone holds more than the band cannot come down to it: aim lower
    top = np.maximum(hi, w[centres])
    blocked: set[tuple[int, int]] = set()  # pairs with no useful piece since the last move
    budget = MAX_FLOWS
    for _ in range(max_steps):
        if budget <= 0:
            break
        all_pairs = _zone_pairs(adj, zone, k)
        cost = _flow(h, all_pairs, lo, top)[0]
        if cost <= 1e-9:
            break
        ok = np.array([(int(p), int(q)) not in blocked for p, q in all_pairs], dtype=bool)
        pairs = all_pairs[ok] if len(all_pairs) else all_pairs
        f = _flow(h, pairs, lo, top)[1]
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
            pieces += _bridged(problem, zone, a, b, tree, float(f[i]), n_try, band / 8)
            for piece in pieces:
                moving = float(w[piece].sum())
                if moving <= 0 or moving > f[i] + OVERSHOOT * band:
                    continue
                if count is not None and cnt[a] - count[piece].sum() < min_count:
                    continue
                if not blocked and moving <= f[i] + 1e-9:
                    new_cost = cost - moving  # the flow less this move still does the rest
                else:
                    new_h = h.copy()
                    new_h[a] -= moving
                    new_h[b] += moving
                    new_cost = _flow(new_h, all_pairs, lo, top)[0]  # adjacency barely changes
                    budget -= 1
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
        cnt = _counts(zone, count, k)
        blocked.clear()
    return zone


def _counts(zone: IntArray, count: FloatArray | None, k: int) -> FloatArray:
    """Clients of each zone (zeros when ``count`` is not given)."""
    if count is None:
        return np.zeros(k)
    ok = zone >= 0
    return np.bincount(zone[ok], weights=count[ok], minlength=k)


def grow_small(problem: Problem, zone: IntArray) -> IntArray:
    """Give every zone of fewer than ``min_count`` clients enough of its neighbours' clients.

    A zone of one or two clients would publish their figures (and its polygon would show
    where they live). Such a zone takes, from a neighbour that keeps ``min_count`` clients, the
    subtree of the neighbour's shortest-path tree that touches it, holds enough clients and
    adds the fewest weighted minutes; neither zone is cut in two. When no neighbour can spare
    them, clients are passed along a chain of zones from the nearest zone that can (each
    passes on as many as it takes). Zones that cannot be grown are left as they are.

    Parameters
    ----------
    problem : Problem
        The adjacency (zoning graph, Voronoi cells or units), cost weights, minutes, centres,
        each node's clients (``count``, needed here) and the fewest clients a zone may hold
        (``min_count``).
    zone : numpy.ndarray of int64
        The zone of each node (-1: none).

    Returns
    -------
    numpy.ndarray of int64
        The new zone of each node.
    """
    adj, count, min_count = problem.adj, problem.count, problem.min_count
    assert count is not None, "grow_small needs each node's clients"
    k = len(problem.centres)
    zone = zone.copy()
    for _ in range(4 * k):
        cnt = _counts(zone, count, k)
        small = [z for z in np.argsort(cnt, kind="stable").tolist() if cnt[z] < min_count]
        if not small:
            break
        moved = False
        for b in small:
            need = float(min_count - cnt[b])
            for path in _chains(_zone_pairs(adj, zone, k), b, cnt, min_count + need):
                # the last zone of the path can spare: each hands on to the one before it (all
                # the moves of a chain, or none)
                trial = zone.copy()
                if all(
                    _take(problem, trial, path[i], path[i + 1], need)
                    for i in range(len(path) - 2, -1, -1)
                ):
                    zone = trial
                    moved = True
                    break
            if moved:
                break
        if not moved:
            break
    return zone


def _chains(pairs: IntArray, b: int, cnt: FloatArray, spare: float) -> list[list[int]]:
    """Return paths of neighbouring zones from ``b`` to each zone of ``spare`` clients or more.

    Nearest first (breadth first over the zones' adjacency).
    """
    nbrs: dict[int, list[int]] = {}
    for p, q in pairs.tolist():
        nbrs.setdefault(q, []).append(p)
    prev = {b: -1}
    queue = deque([b])
    out = []
    while queue:
        z = queue.popleft()
        for a in sorted(nbrs.get(z, [])):
            if a in prev:
                continue
            prev[a] = z
            queue.append(a)
            if cnt[a] >= spare:
                path, x = [], a
                while x != -1:
                    path.append(x)
                    x = prev[x]
                out.append(path[::-1])
    return out


def _take(problem: Problem, zone: IntArray, b: int, a: int, need: float) -> bool:
    """Zone ``b`` takes from neighbour ``a`` a subtree of ``need`` clients or more (in place).

    The subtree touches ``b``, leaves ``a`` at least ``min_count`` clients, and is the one with
    the fewest clients, then the fewest added weighted minutes. Returns whether one was found.
    """
    centres, count, t = problem.centres, problem.count, problem.minutes
    assert count is not None
    have = _counts(zone, count, len(centres))[a]
    tree = _zone_tree(
        problem.adj, zone, a, int(centres[a]), b, count, problem.weight * (t[b] - t[a])
    )
    sub = tree.order[(tree.order != centres[a]) & tree.touch[tree.order]]
    fits = sub[(tree.weight[sub] >= need) & (have - tree.weight[sub] >= problem.min_count)]
    if not len(fits):
        return False
    v = int(fits[np.lexsort((fits, tree.cost[fits], tree.weight[fits]))[0]])
    zone[_subtree_nodes(v, tree)] = b
    return True


def polish(problem: Problem, zone: IntArray, lo: float, hi: float, passes: int = 6) -> IntArray:
    """Move single boundary nodes to the neighbouring zone whose centre is nearer.

    A move must lower the weighted minutes (``cw`` times minutes to the centre), keep both
    zones' hours in [lo, hi] (or not further out), and never cut the zone it leaves.

    Parameters
    ----------
    problem : Problem
        The adjacency, hours, cost weights, minutes and centres (with ``count`` and
        ``min_count``: no move leaves a zone with fewer than ``min_count`` clients).
    zone : numpy.ndarray of int64
        The zone of each node (-1: none).
    lo, hi : float
        The band of a zone's hours.
    passes : int
        Maximum passes over the boundary nodes.

    Returns
    -------
    numpy.ndarray of int64
        The new zone of each node.
    """
    adj, w, cw, t, centres = (
        problem.adj,
        problem.hours,
        problem.weight,
        problem.minutes,
        problem.centres,
    )
    count, min_count = problem.count, problem.min_count
    k = len(centres)
    zone = zone.copy()
    frozen = np.zeros(len(zone), dtype=bool)
    frozen[centres] = True
    indptr, indices = adj.indptr, adj.indices
    h = np.bincount(zone[zone >= 0], weights=w[zone >= 0], minlength=k)
    cnt = _counts(zone, count, k)
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
            if count is not None and count[vi] > 0 and cnt[ai] - count[vi] < min_count:
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
            if count is not None:
                cnt[ai] -= count[vi]
                cnt[bi] += count[vi]
            changed += 1
        if not changed:
            break
    return zone
