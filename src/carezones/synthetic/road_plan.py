"""The road plan: which places are joined by which class of road.

Only the graph is decided here (A and B roads, lanes, tracks, bridleways and footpaths
between places); :mod:`carezones.synthetic.country_roads` draws the roads once the
settlements are built.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint

from carezones.synthetic.layout import _Place, _Reservoir


@dataclass
class _Edge:
    u: int
    v: int
    cls: str  # trunk, primary, secondary, unclassified, track, bridleway or footway
    ref: str = ""
    spare: bool = False  # not needed to join the county up: may be left out


_MAIN_ROADS = ("trunk", "primary", "secondary")
_CLASS_RANK = {"trunk": 0, "primary": 1, "secondary": 2, "unclassified": 3}


_Link = tuple[int, int]  # two place indices, smaller first


def _plan_roads(
    rng: np.random.Generator, places: list[_Place], res: _Reservoir, loop_share: float = 0.3
) -> list[_Edge]:
    """Choose which places are joined by which class of road.

    Candidate links are the edges of a Delaunay triangulation of the places that do not cross
    the reservoir. A roads join the towns (and the county's exits) by shortest paths, B roads
    join some villages to their nearest town, lanes complete a spanning tree and add loops on
    ``loop_share`` of the links left over, and a few spare links become tracks, bridleways and
    public footpaths.
    """
    cand, skirts = _candidate_links(places, res)
    main = _main_roads(rng, places, cand)
    edges = _minor_roads(rng, places, res, cand, skirts, main, loop_share)
    _make_trunk(edges, places)
    return edges


def _candidate_links(
    places: list[_Place], res: _Reservoir
) -> tuple[dict[_Link, float], set[_Link]]:
    """Return Delaunay links clear of the reservoir, weighted by length (x3 near a third place).

    Also returns the links that pass close to another place.
    """
    xy = np.array([[p.x, p.y] for p in places])
    index = {(round(float(x), 3), round(float(y), 3)): i for i, (x, y) in enumerate(xy)}
    tri = shapely.delaunay_triangles(MultiPoint(xy), only_edges=True)
    water = res.poly.buffer(80.0)
    centres = shapely.points(xy)
    radii = np.array([p.radius for p in places])
    cand: dict[_Link, float] = {}
    skirts: set[_Link] = set()
    for line in shapely.get_parts(tri):
        (x0, y0), (x1, y1) = shapely.get_coordinates(line)
        u, v = index[(round(x0, 3), round(y0, 3))], index[(round(x1, 3), round(y1, 3))]
        u, v = min(u, v), max(u, v)
        if line.intersects(water):
            continue
        clear = shapely.distance(line, centres) - radii
        clear[[u, v]] = np.inf
        near = bool((clear < 150.0).any())
        cand[(u, v)] = float(line.length) * (3.0 if near else 1.0)
        if near:
            skirts.add((u, v))
    return cand, skirts


def _main_roads(
    rng: np.random.Generator, places: list[_Place], cand: dict[_Link, float]
) -> dict[_Link, tuple[str, str]]:
    """Route the A and B roads; return the (class, ref) of each link they use."""
    exits = {i for i, p in enumerate(places) if p.kind == "exit"}
    towns = [i for i, p in enumerate(places) if p.kind == "town"]
    adj: dict[int, list[tuple[int, float]]] = {i: [] for i in range(len(places))}
    for (u, v), w in sorted(cand.items()):
        adj[u].append((v, w))
        adj[v].append((u, w))
    cls: dict[_Link, tuple[str, str]] = {}
    a_numbers = [f"A1{n}" for n in rng.permutation(np.arange(50, 100))]
    b_numbers = [f"B1{n}" for n in rng.permutation(np.arange(200, 1000))]

    def mark(path: list[int], kind: str, ref: str) -> None:
        for u, v in pairwise(path):
            key = (min(u, v), max(u, v))
            if key not in cls or (cls[key][0] == "secondary" and kind == "primary"):
                cls[key] = (kind, ref)

    def to_nearest_town(src: int, kind: str, ref: str) -> None:
        dist, prev = _dijkstra(adj, src, exits)
        reach = [(dist[t], t) for t in towns if t in dist]
        if reach:
            mark(_path(prev, src, min(reach)[1]), kind, ref)

    # A roads: a spanning tree of the towns by road distance, and each exit to its nearest town
    dists = {t: _dijkstra(adj, t, exits) for t in towns}
    pairs = sorted(
        (dists[a][0].get(b, math.inf), a, b) for i, a in enumerate(towns) for b in towns[i + 1 :]
    )
    uf = _UnionFind(len(places))
    for d, a, b in pairs:
        if math.isfinite(d) and uf.union(a, b):
            mark(_path(dists[a][1], a, b), "primary", a_numbers.pop())
    for e in sorted(exits):
        to_nearest_town(e, "primary", a_numbers.pop())
    # B roads: about a third of the villages off the A roads, by their shortest way to a town
    on_a = {n for key in cls for n in key}
    villages = [i for i, p in enumerate(places) if p.kind == "village" and i not in on_a]
    n_b = max(1, round(len(villages) / 3)) if villages else 0
    for v in [villages[i] for i in sorted(rng.permutation(len(villages))[:n_b])]:
        to_nearest_town(v, "secondary", b_numbers.pop())
    return cls


def _minor_roads(
    rng: np.random.Generator,
    places: list[_Place],
    res: _Reservoir,
    cand: dict[_Link, float],
    skirts: set[_Link],
    main: dict[_Link, tuple[str, str]],
    loop_share: float,
) -> list[_Edge]:
    """Complete a spanning tree with lanes (exits keep only their A road), then add loops.

    Returns every edge, the main roads' first.
    """
    exits = {i for i, p in enumerate(places) if p.kind == "exit"}
    uf = _UnionFind(len(places))
    for u, v in main:
        uf.union(u, v)
    edges = [_Edge(u, v, kind, ref) for (u, v), (kind, ref) in sorted(main.items())]
    spare: list[tuple[float, int, int]] = []
    for (u, v), w in sorted(cand.items(), key=lambda kv: (kv[1], kv[0])):
        if (u, v) in main or u in exits or v in exits:
            continue
        if uf.union(u, v):
            edges.append(_Edge(u, v, "unclassified"))
        elif (u, v) not in skirts:
            spare.append((w, u, v))
    xy = np.array([[p.x, p.y] for p in places])
    water = res.poly.buffer(80.0)
    inland = [i for i, p in enumerate(places) if p.kind != "exit"]
    n_parts = len({uf.find(i) for i in inland})
    for i in inland:  # whatever is still cut off joins its nearest neighbour
        if n_parts == 1:  # nothing is
            break
        for _, j in sorted((math.dist(xy[i], xy[j]), j) for j in range(len(places))):
            if places[j].kind == "exit" or uf.find(i) == uf.find(j):
                continue
            if not LineString([xy[i], xy[j]]).intersects(water) and uf.union(i, j):
                edges.append(_Edge(min(i, j), max(i, j), "unclassified"))
                n_parts -= 1
    n_loops = round(loop_share * len(spare))
    n_paths = max(1, round(len(spare) / 15))
    kinds = ["track", "bridleway", *["unclassified"] * n_loops, *["track", "footway"] * n_paths]
    kinds += ["bridleway"] * (n_paths - 1)
    for k, kind in zip(rng.permutation(len(spare)), kinds, strict=False):
        _, u, v = spare[k]
        edges.append(_Edge(u, v, kind, spare=True))
    return edges


def _make_trunk(edges: list[_Edge], places: list[_Place]) -> None:
    """Upgrade the longest A road link (best between towns or exits) to a trunk road.

    Only when there are other A road links, and only a link longer than 2.5 km.
    """
    plain = ("town", "exit")
    links = [
        (
            places[e.u].kind in plain and places[e.v].kind in plain,
            math.dist(places[e.u].xy, places[e.v].xy),
            k,
        )
        for k, e in enumerate(edges)
        if e.cls == "primary"
    ]
    best = max(links, default=None)
    if len(links) >= 2 and best is not None and best[1] > 2_500.0:
        edges[best[2]].cls = "trunk"


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _dijkstra(
    adj: dict[int, list[tuple[int, float]]], src: int, blocked: set[int]
) -> tuple[dict[int, float], dict[int, int]]:
    """Shortest distances and predecessors from ``src``, never passing through ``blocked``."""
    dist = {src: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, src)]
    done: set[int] = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u in blocked and u != src:
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(heap, (nd, v))
    return dist, prev


def _path(prev: dict[int, int], src: int, dst: int) -> list[int]:
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return path[::-1]
