"""The built-in routing engine: exact shortest travel times with scipy's csgraph.

Most road nodes in OSM data only shape a road (87% on Rutland's drive network). The engine
contracts every chain of such pass-through nodes into one *chain* edge between junctions, runs
Dijkstra on the much smaller junction graph, and places points on chains by their position
(minutes from the chain's start). Times are exactly those of Dijkstra on the full graph.

Points are attached by their snap (a segment and a fraction along it, see ``RoadNetwork.snap``):
from a point you can leave along each allowed direction of its segment to the end of that chain,
and arrive at it from the start of each chain through it; two points on the same chain are
also joined directly when the second lies downstream of the first.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra

if TYPE_CHECKING:
    from carezones.network.profile import TravelProfile

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

CHUNK = 256  # sources per Dijkstra call: bounds memory to CHUNK × (junctions + points)

# The examples below use one road of three nodes, 0 - 1 - 2, open both ways: 0 to 1 takes a
# minute, 1 to 2 two minutes. Node 1 only shapes the road, so it is contracted away.


@dataclass
class Chains:
    """Chains of edges between junctions: what :func:`build_chains` returns.

    ``chain[e]`` is the chain of directed edge ``e``; ``before[e]`` the minutes from the
    chain's start node to the start of ``e``; ``start``/``end``/``total`` describe each chain
    (as indices into the junction list ``junction_nodes``); ``order``/``offsets`` list each
    chain's edges in travel order.

    Parameters
    ----------
    chain : numpy.ndarray
        Per directed edge, its chain.
    before : numpy.ndarray
        Per directed edge, minutes from its chain's start to the edge's start.
    start, end : numpy.ndarray
        Per chain, the junction it leaves and the junction it reaches.
    total : numpy.ndarray
        Per chain, its minutes end to end.
    order : numpy.ndarray
        The edges of every chain in travel order, chain after chain.
    offsets : numpy.ndarray
        Where each chain's edges start in ``order`` (one more entry than chains).
    junction_nodes : numpy.ndarray
        Full-graph node index of each junction.
    junction_of_node : numpy.ndarray
        Junction index of each full-graph node, ``-1`` for a pass-through node.

    Examples
    --------
    >>> import numpy as np
    >>> chains = build_chains(3, np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1]),
    ...                       np.array([1.0, 1.0, 2.0, 2.0]))
    >>> chains.junction_nodes, chains.total
    (array([0, 2]), array([3., 3.]))
    """

    chain: IntArray
    before: FloatArray
    start: IntArray
    end: IntArray
    total: FloatArray
    order: IntArray
    offsets: IntArray
    junction_nodes: IntArray  # full-graph node index of each junction
    junction_of_node: IntArray  # junction index of each full-graph node, -1 if pass-through


def build_chains(n_nodes: int, u: IntArray, v: IntArray, minutes: FloatArray) -> Chains:
    """Contract pass-through nodes of a directed graph into chains.

    A node is passed through when it joins exactly one road: one edge in and one out (a
    one-way road), or two each way to the same two neighbours (a two-way road). Every other
    node is a junction. A ring of pass-through nodes gets one junction.

    Parameters
    ----------
    n_nodes : int
        Nodes of the graph, numbered ``0..n_nodes-1``.
    u, v : numpy.ndarray
        Per directed edge, the node it leaves and the node it reaches.
    minutes : numpy.ndarray
        Per directed edge, its travel time.

    Returns
    -------
    Chains
        Every edge's chain and position on it, and the chains between junctions.

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
    >>> chains = build_chains(3, u, v, np.array([1.0, 1.0, 2.0, 2.0]))
    >>> chains.junction_of_node  # node 1 only shapes the road
    array([ 0, -1,  1])
    >>> chains.chain, chains.before  # edges 0 and 2 make the chain 0 -> 2
    (array([0, 1, 0, 1]), array([0., 2., 1., 0.]))
    """
    n_edges = len(u)
    out_order = np.argsort(u, kind="stable")
    out_ptr = np.searchsorted(u[out_order], np.arange(n_nodes + 1))
    indeg = np.bincount(v, minlength=n_nodes)
    outdeg = np.diff(out_ptr)
    out_edges = [out_order[out_ptr[i] : out_ptr[i + 1]] for i in range(n_nodes)]

    keep = np.ones(n_nodes, dtype=bool)
    one_way = (indeg == 1) & (outdeg == 1)
    two_way = (indeg == 2) & (outdeg == 2)
    in_nbrs: list[set[int]] = [set() for _ in range(n_nodes)]
    for a, b in zip(u[indeg[v] <= 2].tolist(), v[indeg[v] <= 2].tolist(), strict=True):
        in_nbrs[b].add(a)
    for x in np.flatnonzero(one_way | two_way).tolist():
        outs = set(v[out_edges[x]].tolist())
        ins = in_nbrs[x]
        if one_way[x] and outs != ins:
            keep[x] = False
        elif two_way[x] and outs == ins and len(outs) == 2:
            keep[x] = False

    chain = np.full(n_edges, -1, dtype=np.int64)
    before = np.zeros(n_edges)
    starts: list[int] = []
    ends: list[int] = []
    totals: list[float] = []
    order: list[int] = []
    offsets = [0]
    v_l = v.tolist()
    u_l = u.tolist()
    min_l = minutes.tolist()
    while True:
        for s in np.flatnonzero(keep).tolist():
            for e0 in out_edges[s].tolist():
                if chain[e0] >= 0:
                    continue
                cid = len(starts)
                t = 0.0
                e = e0
                while True:
                    chain[e] = cid
                    before[e] = t
                    order.append(e)
                    t += min_l[e]
                    x = v_l[e]
                    if keep[x]:
                        break
                    nxt = [f for f in out_edges[x].tolist() if v_l[f] != u_l[e]]
                    e = nxt[0] if nxt else int(out_edges[x][0])
                    if chain[e] >= 0:  # closed ring back into itself
                        keep[x] = True
                        break
                starts.append(s)
                ends.append(v_l[order[-1]])
                totals.append(t)
                offsets.append(len(order))
        missing = np.flatnonzero(chain < 0)
        if len(missing) == 0:
            break
        keep[u[missing[0]]] = True  # a ring of pass-through nodes: make one node a junction

    junction_nodes = np.flatnonzero(keep).astype(np.int64)
    junction_of_node = np.full(n_nodes, -1, dtype=np.int64)
    junction_of_node[junction_nodes] = np.arange(len(junction_nodes))
    return Chains(
        chain=chain,
        before=before,
        start=junction_of_node[np.asarray(starts, dtype=np.int64)],
        end=junction_of_node[np.asarray(ends, dtype=np.int64)],
        total=np.asarray(totals),
        order=np.asarray(order, dtype=np.int64),
        offsets=np.asarray(offsets, dtype=np.int64),
        junction_nodes=junction_nodes,
        junction_of_node=junction_of_node,
    )


@dataclass
class Attachment:
    """How a set of points joins the chain graph: what :func:`attach` returns.

    One row per (point, allowed direction of its segment): ``point``, ``chain``, ``pos``
    (minutes from the chain's start to the point). ``access`` holds each point's access-leg
    minutes (``inf`` for points too far from any road).

    Parameters
    ----------
    point : numpy.ndarray
        Per row, the point.
    chain : numpy.ndarray
        Per row, the chain the point lies on.
    pos : numpy.ndarray
        Per row, minutes from the chain's start to the point.
    access : numpy.ndarray
        Per point, the access leg's minutes.
    urban : numpy.ndarray, optional
        Per point, whether it is urban by the network's travel profile's rule (only with a
        profile: :class:`ProfiledGraph` needs it).
    place : numpy.ndarray, optional
        Per point, a key naming its place: ``(segment, fraction, distance_m)`` of its snap.
        Two points with the same key are the same place (only with a profile).

    Examples
    --------
    >>> att = net.attach(net.snap([(1.5941, 54.3893)]))
    >>> att.point, att.access.round(2)  # one point on a two-way road: two rows
    (array([0, 0]), array([0.06]))
    """

    point: IntArray
    chain: IntArray
    pos: FloatArray
    access: FloatArray
    urban: BoolArray | None = None
    place: FloatArray | None = None

    def subset(self, points: IntArray) -> Attachment:
        """Return the rows of some points only, renumbered ``0..len(points)-1`` in that order.

        Parameters
        ----------
        points : numpy.ndarray
            The points to keep (distinct).

        Returns
        -------
        Attachment
            Their rows.

        Examples
        --------
        >>> att = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> att.subset(np.array([1])).point
        array([0, 0])
        """
        points = np.asarray(points, dtype=np.int64)
        new = np.full(len(self.access), -1, dtype=np.int64)
        new[points] = np.arange(len(points))
        rows = np.flatnonzero(new[self.point] >= 0)
        return Attachment(
            point=new[self.point[rows]],
            chain=self.chain[rows],
            pos=self.pos[rows],
            access=self.access[points],
            urban=None if self.urban is None else self.urban[points],
            place=None if self.place is None else self.place[points],
        )


def attach(
    chains: Chains,
    minutes: FloatArray,
    seg_fwd: IntArray,
    seg_bwd: IntArray,
    seg: IntArray,
    frac: FloatArray,
    access: FloatArray,
) -> Attachment:
    """Place snapped points (segment ``seg``, fraction ``frac`` from its first end) on chains.

    Parameters
    ----------
    chains : Chains
        From :func:`build_chains`.
    minutes : numpy.ndarray
        Per directed edge, its travel time.
    seg_fwd, seg_bwd : numpy.ndarray
        Per road segment, its directed edge each way (``-1`` where it is one-way).
    seg : numpy.ndarray
        Per point, the segment it snapped to.
    frac : numpy.ndarray
        Per point, the fraction along its segment from the segment's first node.
    access : numpy.ndarray
        Per point, the access leg's minutes (``inf``: not routed).

    Returns
    -------
    Attachment
        One row per point and direction its segment is open in.

    Examples
    --------
    >>> import numpy as np
    >>> u, v = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
    >>> minutes = np.array([1.0, 1.0, 2.0, 2.0])
    >>> chains = build_chains(3, u, v, minutes)
    >>> att = attach(chains, minutes, np.array([0, 2]), np.array([1, 3]),
    ...              seg=np.array([0, 1]), frac=np.array([0.5, 0.5]), access=np.zeros(2))
    >>> att.chain, att.pos  # the middles of 0-1 and 1-2, on each chain
    (array([0, 0, 1, 1]), array([0.5, 2. , 2.5, 1. ]))
    """
    n = len(seg)
    pts, chs, pos = [], [], []
    for edges, f in ((seg_fwd[seg], frac), (seg_bwd[seg], 1.0 - frac)):
        ok = edges >= 0
        e = edges[ok]
        pts.append(np.flatnonzero(ok))
        chs.append(chains.chain[e])
        pos.append(chains.before[e] + f[ok] * minutes[e])
    return Attachment(
        point=np.concatenate(pts).astype(np.int64),
        chain=np.concatenate(chs).astype(np.int64),
        pos=np.concatenate(pos),
        access=np.asarray(access, dtype=float).reshape(n),
    )


class ChainGraph:
    """Shortest travel times over a contracted road graph.

    The junction graph keeps the fastest chain between each pair of junctions; each search
    adds the points of an :class:`Attachment` to it. A network's router is
    :attr:`RoadNetwork.router <carezones.RoadNetwork.router>`.

    Parameters
    ----------
    chains : Chains
        From :func:`build_chains`.
    v : numpy.ndarray
        Per directed edge, the node it reaches.
    minutes : numpy.ndarray
        Per directed edge, its travel time.

    Attributes
    ----------
    chains : Chains
        The chains searched.
    n : int
        Number of junctions.
    best_chain : numpy.ndarray
        The fastest chain between each pair of neighbouring junctions.

    Examples
    --------
    The road 0 - 1 - 2 (one minute from 0 to 1, two from 1 to 2) and two points, in the
    middle of 0-1 and of 1-2:

    >>> import numpy as np
    >>> u, v = np.array([0, 1, 1, 2]), np.array([1, 0, 2, 1])
    >>> minutes = np.array([1.0, 1.0, 2.0, 2.0])
    >>> chains = build_chains(3, u, v, minutes)
    >>> att = attach(chains, minutes, np.array([0, 2]), np.array([1, 3]),
    ...              seg=np.array([0, 1]), frac=np.array([0.5, 0.5]), access=np.zeros(2))
    >>> graph = ChainGraph(chains, v, minutes)
    >>> graph.table(att, att)
    array([[0. , 1.5],
           [1.5, 0. ]])
    """

    def __init__(self, chains: Chains, v: IntArray, minutes: FloatArray) -> None:
        self.chains = chains
        self._v = v
        self._edge_minutes = minutes
        self.n = len(chains.junction_nodes)
        # junction graph: the fastest chain between each pair of junctions
        key = chains.start * self.n + chains.end
        order = np.lexsort((chains.total, key))
        first = np.ones(len(order), dtype=bool)
        first[1:] = key[order][1:] != key[order][:-1]
        best = order[first]
        self.best_chain = best
        self._start = chains.start[best]
        self._end = chains.end[best]
        self._w = chains.total[best]

    def _augmented(self, att: Attachment, reverse: bool = False) -> sp.csr_matrix:
        """Junction graph plus one node per point, with the point's departure edges.

        With ``reverse`` the graph is transposed and points get their arrival edges
        (reversed), for searches *towards* the points.
        """
        c = self.chains
        n_pts = len(att.access)
        ids = self.n + att.point
        if not reverse:
            cost = att.access[att.point] + (c.total[att.chain] - att.pos)
            rows = np.concatenate([self._start, ids])
            cols = np.concatenate([self._end, c.end[att.chain]])
        else:
            cost = att.access[att.point] + att.pos
            rows = np.concatenate([self._end, ids])
            cols = np.concatenate([self._start, c.start[att.chain]])
        w = np.concatenate([self._w, cost])
        return csr_min(rows, cols, w, self.n + n_pts)

    def table(self, orig: Attachment, dest: Attachment, progress: bool = False) -> FloatArray:
        """Return the travel-time matrix (minutes) from ``orig`` points to ``dest`` points.

        Parameters
        ----------
        orig, dest : Attachment
            The origins and the destinations.
        progress : bool, default False
            Show a progress bar (tqdm) over the chunks of origins.

        Returns
        -------
        numpy.ndarray
            ``(origins, destinations)`` minutes, access legs included; ``inf`` where there is
            no route or a point is not routed.

        Examples
        --------
        >>> att = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> net.router.table(att, att).round(1)
        array([[0.1, 3.7],
               [3.7, 0.2]])
        """
        n_o, n_d = len(orig.access), len(dest.access)
        graph = self._augmented(orig)
        result = np.full((n_o, n_d), np.inf)
        # arrivals grouped by destination attachment column for a vectorised minimum
        cand_cols = self.chains.start[dest.chain]
        tail = dest.pos + dest.access[dest.point]
        sources = np.arange(n_o)
        chunks = range(0, n_o, CHUNK)
        if progress:
            from tqdm.auto import tqdm

            chunks = tqdm(chunks, desc="travel times", unit="chunk")
        for lo in chunks:
            src = sources[lo : lo + CHUNK]
            dist = dijkstra(graph, directed=True, indices=self.n + src)
            cand = dist[:, cand_cols] + tail
            block = np.full((len(src), n_d), np.inf)
            np.minimum.at(block.T, dest.point, cand.T)
            result[lo : lo + CHUNK] = block
        _same_chain(orig, dest, result)
        result[~np.isfinite(orig.access), :] = np.inf
        result[:, ~np.isfinite(dest.access)] = np.inf
        return result

    def nearest(self, orig: Attachment, targ: Attachment) -> tuple[FloatArray, IntArray]:
        """Return minutes to, and index of, the nearest target for every origin.

        One multi-source Dijkstra from all targets over the reversed graph.

        Parameters
        ----------
        orig, targ : Attachment
            The origins and the targets.

        Returns
        -------
        minutes : numpy.ndarray
            Per origin, minutes to its nearest target (``inf`` where none can be reached).
        index : numpy.ndarray
            Per origin, that target's index (``-1`` where none can be reached).

        Examples
        --------
        >>> homes = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> shop = net.attach(net.snap([(1.5611, 54.3930)]))
        >>> minutes, index = net.router.nearest(homes, shop)
        >>> minutes.round(1), index
        (array([2.6, 1.5]), array([0, 0]))
        """
        n_o, n_t = len(orig.access), len(targ.access)
        best = np.full(n_o, np.inf)
        which = np.full(n_o, -1, dtype=np.int64)
        if n_t == 0 or n_o == 0:
            return best, which
        graph = self._augmented(targ, reverse=True)
        live = np.flatnonzero(np.isfinite(targ.access))
        if len(live):
            dist, _, src = dijkstra(
                graph,
                directed=True,
                indices=self.n + live,
                min_only=True,
                return_predecessors=True,
            )
            c = self.chains
            ends = c.end[orig.chain]
            cand = orig.access[orig.point] + (c.total[orig.chain] - orig.pos) + dist[ends]
            cand_t = src[ends] - self.n  # the winning target's point index
            order = np.lexsort((cand_t, cand, orig.point))
            first = np.ones(len(order), dtype=bool)
            first[1:] = orig.point[order][1:] != orig.point[order][:-1]
            k = order[first & np.isfinite(cand[order])]
            best[orig.point[k]] = cand[k]
            which[orig.point[k]] = cand_t[k]
        # direct along a shared chain
        for o, t, m, _, _ in _same_chain_pairs(orig, targ):
            if m < best[o] or (m == best[o] and t < which[o]):
                best[o], which[o] = m, t
        best[~np.isfinite(orig.access)] = np.inf
        which[~np.isfinite(best)] = -1
        return best, which

    def within(
        self, orig: Attachment, targ: Attachment, limit: float
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Return every (origin, target, minutes) pair with minutes <= ``limit``.

        Searches run from the targets over the reversed graph, bounded by ``limit``, a chunk
        of targets at a time: the cost grows with the number of targets and the size of the
        area within ``limit``, not with the number of origins.

        Parameters
        ----------
        orig, targ : Attachment
            The origins and the targets.
        limit : float
            The most minutes apart a pair may be.

        Returns
        -------
        origin : numpy.ndarray
            The pairs' origin indices (sorted, then by target).
        target : numpy.ndarray
            The pairs' target indices.
        minutes : numpy.ndarray
            Their minutes apart.

        Examples
        --------
        >>> homes = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> shop = net.attach(net.snap([(1.5611, 54.3930)]))
        >>> origin, target, minutes = net.router.within(homes, shop, 2.0)
        >>> origin, target, minutes.round(1)
        (array([1]), array([0]), array([1.5]))
        """
        c = self.chains
        n_t = len(targ.access)
        outs: list[tuple[IntArray, IntArray, FloatArray]] = []
        if n_t and len(orig.point):
            graph = self._augmented(targ, reverse=True)
            ends = c.end[orig.chain]
            base = orig.access[orig.point] + (c.total[orig.chain] - orig.pos)
            live = np.flatnonzero(np.isfinite(targ.access))
            for lo in range(0, len(live), CHUNK):
                src = live[lo : lo + CHUNK]
                dist = dijkstra(graph, directed=True, indices=self.n + src, limit=limit)
                step = max(1, 4_000_000 // len(src))  # bounds the block to ~32 MB
                for r0 in range(0, len(ends), step):
                    cand = dist[:, ends[r0 : r0 + step]] + base[r0 : r0 + step]
                    ti, ri = np.nonzero(cand <= limit)
                    outs.append((orig.point[r0 + ri], src[ti], cand[ti, ri]))
        direct = [(o, t, m) for o, t, m, _, _ in _same_chain_pairs(orig, targ) if m <= limit]
        if direct:
            o_d, t_d, m_d = (np.asarray(x) for x in zip(*direct, strict=True))
            outs.append((o_d.astype(np.int64), t_d.astype(np.int64), m_d.astype(float)))
        if not outs:
            e = np.zeros(0, dtype=np.int64)
            return e, e, np.zeros(0)
        o = np.concatenate([x[0] for x in outs])
        t = np.concatenate([x[1] for x in outs])
        m = np.concatenate([x[2] for x in outs])
        order = np.lexsort((m, t, o))  # keep the fastest way for each pair
        o, t, m = o[order], t[order], m[order]
        first = np.ones(len(o), dtype=bool)
        first[1:] = (o[1:] != o[:-1]) | (t[1:] != t[:-1])
        o, t, m = o[first], t[first], m[first]
        ok = np.isfinite(orig.access[o])
        return o[ok], t[ok], m[ok]

    def to_junctions(self, orig: Attachment) -> FloatArray:
        """Return minutes from each point to every junction (rows: points).

        Parameters
        ----------
        orig : Attachment
            The points.

        Returns
        -------
        numpy.ndarray
            ``(points, junctions)`` minutes, the access leg included.

        Examples
        --------
        >>> att = net.attach(net.snap([(1.5941, 54.3893)]))
        >>> net.router.to_junctions(att).shape
        (1, 71)
        """
        graph = self._augmented(orig)
        n_o = len(orig.access)
        out = np.empty((n_o, self.n))
        for lo in range(0, n_o, CHUNK):
            src = np.arange(lo, min(lo + CHUNK, n_o))
            out[lo : lo + len(src)] = dijkstra(graph, directed=True, indices=self.n + src)[
                :, : self.n
            ]
        return out

    def to_nodes(self, orig: Attachment, n_nodes: int) -> FloatArray:
        """Return minutes from each point to every node of the full graph (rows: points).

        Parameters
        ----------
        orig : Attachment
            The points.
        n_nodes : int
            Nodes of the full graph.

        Returns
        -------
        numpy.ndarray
            ``(points, n_nodes)`` minutes, the access leg included.

        Examples
        --------
        >>> att = net.attach(net.snap([(1.5941, 54.3893)]))
        >>> net.router.to_nodes(att, net.n_nodes).shape
        (1, 507)
        """
        c = self.chains
        dj = self.to_junctions(orig)
        out = np.full((len(orig.access), n_nodes), np.inf)
        out[:, c.junction_nodes] = dj
        v, minutes = self._v, self._edge_minutes
        arrive = dj[:, c.start[c.chain]] + c.before + minutes  # at v[e] via its chain
        for i in range(out.shape[0]):
            np.minimum.at(out[i], v, arrive[i])
        # downstream of a point on its own chain
        for k in range(len(orig.point)):
            p, ch, pos = orig.point[k], orig.chain[k], orig.pos[k]
            edges = c.order[c.offsets[ch] : c.offsets[ch + 1]]
            reach = c.before[edges] + minutes[edges] - pos
            ok = reach >= 0
            t = orig.access[p] + reach[ok]
            np.minimum.at(out[p], v[edges[ok]], t)
        out[~np.isfinite(orig.access)] = np.inf
        return out

    def path(self, orig: Attachment, dest: Attachment) -> tuple[float, list[int]]:
        """Return the fastest path from the one point of ``orig`` to the one point of ``dest``.

        Parameters
        ----------
        orig, dest : Attachment
            One point each.

        Returns
        -------
        minutes : float
            Total minutes (access legs included; ``inf`` when unreachable).
        nodes : list of int
            The full-graph nodes passed, in order.

        Examples
        --------
        >>> home = net.attach(net.snap([(1.5941, 54.3893)]))
        >>> shop = net.attach(net.snap([(1.5572, 54.3881)]))
        >>> minutes, nodes = net.router.path(home, shop)
        >>> round(minutes, 1), len(nodes)
        (3.7, 59)
        """
        return self.paths(orig, dest, np.zeros((1, 2), dtype=np.int64))[0]

    def paths(
        self, orig: Attachment, dest: Attachment, pairs: IntArray
    ) -> list[tuple[float, list[int]]]:
        """Return the fastest paths for many (origin point, destination point) pairs at once.

        One Dijkstra per distinct origin (in chunks), over one graph holding every origin:
        a day's legs cost about as much as its travel-time matrix, not one search each.

        Parameters
        ----------
        orig, dest : Attachment
            The points paths leave from and arrive at.
        pairs : ndarray
            ``(k, 2)``: the origin and destination point of each path.

        Returns
        -------
        list of (minutes, nodes)
            Per pair: total minutes (access legs included; ``inf`` when unreachable) and the
            full-graph nodes passed, in order.

        Examples
        --------
        >>> stops = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> [round(m, 1) for m, _ in net.router.paths(stops, stops, [[0, 1], [1, 0]])]
        [3.7, 3.7]
        """
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        out: list[tuple[float, list[int]]] = [(float("inf"), [])] * len(pairs)
        if not len(pairs):
            return out
        graph = self._augmented(orig)
        sources = np.unique(pairs[:, 0])
        for lo in range(0, len(sources), CHUNK):
            src = sources[lo : lo + CHUNK]
            dist, pred = dijkstra(
                graph, directed=True, indices=self.n + src, return_predecessors=True
            )
            row_of = {int(o): r for r, o in enumerate(src.tolist())}
            for k in np.flatnonzero(np.isin(pairs[:, 0], src)).tolist():
                o, d = int(pairs[k, 0]), int(pairs[k, 1])
                r = row_of[o]
                out[k] = self._one_path(_only(orig, o), _only(dest, d), dist[r], pred[r])
        return out

    def _one_path(
        self, orig: Attachment, dest: Attachment, dist: FloatArray, pred: IntArray
    ) -> tuple[float, list[int]]:
        """Return the path from one origin (searched: ``dist``, ``pred``) to one destination."""
        c = self.chains
        ends_at = c.before + self._edge_minutes  # position of each edge's end on its chain
        cand = dist[c.start[dest.chain]] + dest.pos + dest.access[dest.point]
        best = float(cand.min()) if len(cand) else float("inf")
        if not np.isfinite(orig.access).all():
            return float("inf"), []
        direct = _same_chain_pairs(orig, dest)
        if direct and direct[0][2] <= best:
            _, _, m, ko, kd = direct[0]
            es = self._chain_edges(orig.chain[ko])
            inside = (ends_at[es] > orig.pos[ko]) & (ends_at[es] <= dest.pos[kd])
            return float(m), [int(x) for x in self._v[es[inside]]]
        if not np.isfinite(best):
            return best, []
        kd = int(np.argmin(cand))
        junctions: list[int] = []
        j = int(c.start[dest.chain[kd]])
        while 0 <= j < self.n:
            junctions.append(j)
            j = int(pred[j])
        junctions.reverse()
        dep = orig.access[orig.point] + c.total[orig.chain] - orig.pos
        dep[c.end[orig.chain] != junctions[0]] = np.inf
        ko = int(np.argmin(dep))
        nodes: list[int] = []
        es = self._chain_edges(orig.chain[ko])
        nodes += self._v[es[ends_at[es] > orig.pos[ko]]].tolist()
        hop = self._hop
        for a, b in itertools.pairwise(junctions):
            nodes += self._v[self._chain_edges(hop[(a, b)])].tolist()
        es = self._chain_edges(dest.chain[kd])
        nodes += self._v[es[ends_at[es] <= dest.pos[kd]]].tolist()
        return best, nodes

    @cached_property
    def _hop(self) -> dict[tuple[int, int], int]:
        """The fastest chain between each pair of neighbouring junctions (built once)."""
        pairs = zip(self._start.tolist(), self._end.tolist(), strict=True)
        return dict(zip(pairs, self.best_chain.tolist(), strict=True))

    def _chain_edges(self, ch: int) -> IntArray:
        c = self.chains
        return c.order[c.offsets[ch] : c.offsets[ch + 1]]


def _only(att: Attachment, point: int) -> Attachment:
    """Return the attachment rows of one point, renumbered as point 0."""
    return att.subset(np.array([point], dtype=np.int64))


def _same_chain_pairs(orig: Attachment, dest: Attachment) -> list[tuple[int, int, float, int, int]]:
    """(origin, destination, minutes, rows) of pairs joined directly along one chain.

    Sorted by minutes; ``rows`` are the attachment rows of the origin and the destination.
    """
    if len(orig.chain) == 0 or len(dest.chain) == 0:
        return []
    common = np.intersect1d(orig.chain, dest.chain)
    out = []
    for ch in common.tolist():
        ko = np.flatnonzero(orig.chain == ch)
        kd = np.flatnonzero(dest.chain == ch)
        for i in ko.tolist():
            for j in kd.tolist():
                gap = dest.pos[j] - orig.pos[i]
                if gap >= 0:
                    o, d = int(orig.point[i]), int(dest.point[j])
                    m = float(orig.access[o] + gap + dest.access[d])
                    out.append((o, d, m, i, j))
    out.sort(key=lambda r: (r[2], r[0], r[1]))
    return out


def csr_min(rows: IntArray, cols: IntArray, w: FloatArray, size: int) -> sp.csr_matrix:
    """Return a sparse matrix keeping the smallest weight of duplicate (row, col) entries.

    Infinite weights are left out; zero weights become the smallest positive float, because
    scipy drops explicit zeros.

    Parameters
    ----------
    rows, cols : numpy.ndarray
        The entries' rows and columns.
    w : numpy.ndarray
        The entries' weights.
    size : int
        The matrix is ``size`` by ``size``.

    Returns
    -------
    scipy.sparse.csr_matrix
        One entry per distinct (row, col).

    Examples
    --------
    >>> import numpy as np
    >>> m = csr_min(np.array([0, 0, 1]), np.array([1, 1, 0]), np.array([5.0, 3.0, 0.0]), 2)
    >>> float(m[0, 1]), bool(m[1, 0] > 0)
    (3.0, True)
    """
    ok = np.isfinite(w)
    rows, cols, w = rows[ok], cols[ok], w[ok]
    order = np.lexsort((w, cols, rows))
    rows, cols, w = rows[order], cols[order], w[order]
    first = np.ones(len(w), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    # scipy drops explicit zeros: a zero-minute edge becomes the smallest positive float
    w = np.where(w[first] == 0, np.finfo(float).tiny, w[first])
    return sp.csr_matrix((w, (rows[first], cols[first])), shape=(size, size))


def _same_chain(orig: Attachment, dest: Attachment, result: FloatArray) -> None:
    for o, d, m, _, _ in _same_chain_pairs(orig, dest):
        if m < result[o, d]:
            result[o, d] = m


class ProfiledGraph(ChainGraph):
    """A :class:`ChainGraph` whose answers follow a travel profile (drive networks).

    Every time between two different places becomes ``multiplier × model + overhead`` of the
    leg's class (:class:`~carezones.network.profile.TravelProfile`); a place to itself takes 0
    minutes. The searches are the model's: ``nearest`` searches the urban and the rural
    targets apart (an urban origin's legs to them are of different classes) and ``within``
    searches as far as the slowest class allows, then keeps what the profile puts within the
    limit. Times to road nodes are legs between different places. ``to_junctions`` stays the
    model's (an internal step of ``to_nodes``). Made by
    :meth:`RoadNetwork.with_profile <carezones.RoadNetwork.with_profile>`, whose ``attach``
    gives every point its class and place.

    Parameters
    ----------
    base : ChainGraph
        The model's graph (its arrays are shared, not copied); kept as :attr:`base`.
    profile : TravelProfile
        The profile.
    node_urban : numpy.ndarray
        Per full-graph node, whether it is urban by the profile's rule.

    Examples
    --------
    >>> from carezones.network import ClassTimes, TravelProfile
    >>> slow = net.with_profile(TravelProfile(ClassTimes(2, 1), ClassTimes(2, 1)))
    >>> att = slow.attach(slow.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
    >>> slow.router.table(att, att).round(1)  # 2 × 3.67 + 1 between them, 0 for a place itself
    array([[0. , 8.3],
           [8.4, 0. ]])
    """

    def __init__(self, base: ChainGraph, profile: TravelProfile, node_urban: BoolArray) -> None:
        self.__dict__.update(base.__dict__)
        self.base = base
        self.profile = profile
        self.node_urban = np.asarray(node_urban, dtype=bool)

    @staticmethod
    def _keys(att: Attachment) -> tuple[BoolArray, FloatArray]:
        if att.urban is None or att.place is None:
            raise ValueError(
                "these points were attached without the travel profile's classes: attach them "
                "with the profiled network's attach()"
            )
        return att.urban, att.place

    def _same(self, orig: Attachment, dest: Attachment) -> tuple[IntArray, IntArray]:
        from carezones.network.profile import same_places

        return same_places(self._keys(orig)[1], self._keys(dest)[1])

    def table(self, orig: Attachment, dest: Attachment, progress: bool = False) -> FloatArray:
        """Return the profiled travel-time matrix (see :meth:`ChainGraph.table`)."""
        model = super().table(orig, dest, progress=progress)
        same = np.zeros(model.shape, dtype=bool)
        same[self._same(orig, dest)] = True
        return self.profile.leg_minutes(model, self._keys(orig)[0], self._keys(dest)[0], same)

    def nearest(self, orig: Attachment, targ: Attachment) -> tuple[FloatArray, IntArray]:
        """Return the profiled minutes to, and index of, the nearest target (see the class)."""
        urban_o, _ = self._keys(orig)
        urban_t, _ = self._keys(targ)
        n_o = len(orig.access)
        best = np.full(n_o, np.inf)
        which = np.full(n_o, -1, dtype=np.int64)
        for part in (np.flatnonzero(urban_t), np.flatnonzero(~urban_t)):
            if not len(part):
                continue
            model, idx = super().nearest(orig, targ.subset(part))
            found = idx >= 0
            t_idx = np.where(found, part[np.maximum(idx, 0)], -1)
            minutes = self.profile.leg_minutes(model, urban_o, urban_t[np.maximum(t_idx, 0)])
            minutes[~found] = np.inf
            better = (minutes < best) | ((minutes == best) & found & (t_idx < which))
            best = np.where(better, minutes, best)
            which = np.where(better, t_idx, which)
        i, j = self._same(orig, targ)
        live = np.isfinite(orig.access[i]) & np.isfinite(targ.access[j])
        for o, t in zip(i[live].tolist(), j[live].tolist(), strict=True):
            if best[o] > 0 or which[o] < 0 or t < which[o]:
                best[o], which[o] = 0.0, t
        return best, which

    def within(
        self, orig: Attachment, targ: Attachment, limit: float
    ) -> tuple[IntArray, IntArray, FloatArray]:
        """Return every (origin, target, profiled minutes) pair within ``limit`` (see the class)."""
        urban_o, _ = self._keys(orig)
        urban_t, _ = self._keys(targ)
        reach = self.profile.model_limit(limit)
        if reach >= 0:
            o, t, model = super().within(orig, targ, reach)
        else:
            o, t, model = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
        minutes = self.profile.leg_minutes(model, urban_o[o], urban_t[t])
        i, j = self._same(orig, targ)
        live = np.isfinite(orig.access[i]) & np.isfinite(targ.access[j])
        o = np.concatenate([o, i[live]])
        t = np.concatenate([t, j[live]])
        minutes = np.concatenate([minutes, np.full(int(live.sum()), -1.0)])  # -1: same place
        order = np.lexsort((minutes, t, o))
        o, t, minutes = o[order], t[order], minutes[order]
        first = np.ones(len(o), dtype=bool)
        first[1:] = (o[1:] != o[:-1]) | (t[1:] != t[:-1])
        o, t, minutes = o[first], t[first], np.maximum(minutes[first], 0.0)
        ok = minutes <= limit
        return o[ok], t[ok], minutes[ok]

    def to_nodes(self, orig: Attachment, n_nodes: int) -> FloatArray:
        """Return profiled minutes from each point to every node (see the class)."""
        model = super().to_nodes(orig, n_nodes)
        return self.profile.leg_minutes(model, self._keys(orig)[0], self.node_urban[:n_nodes])

    def paths(
        self, orig: Attachment, dest: Attachment, pairs: IntArray
    ) -> list[tuple[float, list[int]]]:
        """Return the fastest paths with profiled minutes (see :meth:`ChainGraph.paths`)."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        found = super().paths(orig, dest, pairs)
        if not len(pairs):
            return found
        urban_o, place_o = self._keys(orig)
        urban_d, place_d = self._keys(dest)
        a, b = pairs[:, 0], pairs[:, 1]
        same = (place_o[a] == place_d[b]).all(axis=1)
        model = np.array([m for m, _ in found])
        minutes = self.profile.leg_minutes(model, urban_o[a], urban_d[b], same)
        return [(float(m), nodes) for m, (_, nodes) in zip(minutes, found, strict=True)]
