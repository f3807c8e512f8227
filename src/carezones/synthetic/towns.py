"""Market towns: a street grid with a High Street, a roundabout, shops, a park and bus stops."""

from __future__ import annotations

import math

import numpy as np

from carezones.synthetic.builder import Tags, _Builder
from carezones.synthetic.geometry import FloatArray, _rect, _unit
from carezones.synthetic.houses import _House
from carezones.synthetic.layout import _Place
from carezones.synthetic.names import (
    _CAFES,
    _CHURCHES,
    _CONVENIENCE,
    _PHARMACIES,
    _PUBS,
    _SUPERMARKETS,
    _SURGERIES,
    _pick,
    _street_names,
)
from carezones.synthetic.road_plan import _MAIN_ROADS, _Edge

_Cell = tuple[int, int]
_Seg = tuple[str, int, int]  # ("h", i, j): (i, j)-(i+1, j); ("v", i, j): (i, j)-(i, j+1)


class _Grid:
    """The street grid of a market town, in its own rotated frame (u east, v north)."""

    def __init__(self, rng: np.random.Generator, place: _Place) -> None:
        self.place = place
        self.n, self.s, self.c = place.grid, place.spacing, place.grid // 2
        self.cos, self.sin = math.cos(place.angle), math.sin(place.angle)
        n, s, c = self.n, self.s, self.c
        jitter = rng.normal(0.0, 4.0, (n, n, 2))
        self.pos = {
            (i, j): self.to_xy((i - c) * s + jitter[i, j, 0], (j - c) * s + jitter[i, j, 1])
            for i in range(n)
            for j in range(n)
        }
        self.pos[(c, c)] = self.to_xy(0.0, 0.0)  # the roundabout
        self.segs: list[_Seg] = [("h", i, j) for j in range(n) for i in range(n - 1)]
        self.segs += [("v", i, j) for i in range(n) for j in range(n - 1)]
        self.park, self.shops, self.civic = (c - 1, c), (c - 1, c - 1), (c, c - 1)
        self.reserved = {self.park, self.shops, self.civic}
        self.tertiary = {
            g for g in self.segs if (g[0] == "h" and g[2] == c) or (g[0] == "v" and g[1] == c)
        }
        self.protected = self.tertiary | {g for cell in self.reserved for g in _cell_sides(cell)}
        self.present = set(self.segs)
        self._drop_blocks(rng, 0.07)

    def to_xy(self, u: float, v: float) -> FloatArray:
        p = self.place
        return np.array([p.x + u * self.cos - v * self.sin, p.y + u * self.sin + v * self.cos])

    def cell_of(self, xy: FloatArray) -> _Cell:
        dx, dy = xy[0] - self.place.x, xy[1] - self.place.y
        u = (dx * self.cos + dy * self.sin) / self.s + self.c
        v = (-dx * self.sin + dy * self.cos) / self.s + self.c
        return math.floor(u), math.floor(v)

    @staticmethod
    def ends(g: _Seg) -> tuple[_Cell, _Cell]:
        _, i, j = g
        return ((i, j), (i + 1, j)) if g[0] == "h" else ((i, j), (i, j + 1))

    def _drop_blocks(self, rng: np.random.Generator, share: float) -> None:
        """Leave out some quiet blocks of street, keeping every corner reachable."""
        droppable = [g for g in self.segs if g not in self.protected]
        n_drop = round(share * len(droppable))
        for k in rng.permutation(len(droppable)):
            if n_drop == 0:
                break
            self.present.discard(droppable[k])
            if self._connected():
                n_drop -= 1
            else:
                self.present.add(droppable[k])

    def _connected(self) -> bool:
        adj: dict[_Cell, list[_Cell]] = {ij: [] for ij in self.pos}
        for g in self.present:
            p, q = self.ends(g)
            adj[p].append(q)
            adj[q].append(p)
        seen = {(0, 0)}
        todo = [(0, 0)]
        while todo:
            for q in adj[todo.pop()]:
                if q not in seen:
                    seen.add(q)
                    todo.append(q)
        return len(seen) == len(self.pos)


def _cell_sides(cell: _Cell) -> list[_Seg]:
    i, j = cell
    return [("h", i, j), ("h", i, j + 1), ("v", i, j), ("v", i + 1, j)]


def _town(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    incident: list[tuple[int, _Edge, float]],
) -> tuple[dict[int, int], list[_House]]:
    """Build a market town: an irregular street grid with a High Street and a roundabout.

    Returns the node where each incident road (by edge index) leaves the town and the
    candidate houses along its residential streets.
    """
    grid = _Grid(rng, place)
    gid, mid = _town_streets(b, rng, grid)
    _town_amenities(b, rng, grid, gid, mid)
    return _town_gates(grid, gid, incident), _town_houses(grid)


def _town_streets(
    b: _Builder, rng: np.random.Generator, grid: _Grid
) -> tuple[dict[_Cell, int], dict[_Seg, int]]:
    """Add the town's streets; return the corner nodes and the middle node of each block."""
    n, c, pos = grid.n, grid.c, grid.pos
    gid = {ij: b.node(pos[ij]) for ij in sorted(pos) if ij != (c, c)}
    angles = [grid.place.angle - k * math.pi / 6 for k in range(12)]  # clockwise, as in the UK
    ring = [b.node(pos[(c, c)] + 16.0 * _unit(a)) for a in angles]
    ring_e, ring_s, ring_w, ring_n = ring[0], ring[3], ring[6], ring[9]  # east, south, west, north
    b.way([*ring, ring[0]], {"highway": "tertiary", "junction": "roundabout", "maxspeed": "30 mph"})
    mid: dict[_Seg, int] = {}
    for g in grid.segs:
        if g in grid.present:
            p, q = grid.ends(g)
            d = pos[q] - pos[p]
            bend = np.array([-d[1], d[0]]) / np.hypot(d[0], d[1]) * rng.normal(0.0, 1.5)
            mid[g] = b.node((pos[p] + pos[q]) / 2 + bend)

    def seg_nodes(g: _Seg) -> list[int]:
        p, q = grid.ends(g)
        first = gid[p] if p != (c, c) else (ring_e if g[0] == "h" else ring_n)
        last = gid[q] if q != (c, c) else (ring_w if g[0] == "h" else ring_s)
        return [first, mid[g], last]

    names = iter(_street_names(rng))
    row_name = {j: "High Street" if j == c else next(names) for j in range(n)}
    col_name = {i: "Station Road" if i == c else next(names) for i in range(n)}
    oneway: dict[_Seg, int] = {}  # two one-way streets of one or two blocks
    quiet = [g for g in grid.segs if g in grid.present and g not in grid.protected]
    for k in rng.permutation(len(quiet))[:2]:
        g = quiet[k]
        nxt = (g[0], g[1] + 1, g[2]) if g[0] == "h" else (g[0], g[1], g[2] + 1)
        for h in (g, nxt):
            if h in grid.present and h not in grid.protected:
                oneway[h] = int(k)

    def seg_tags(g: _Seg) -> tuple[Tags, int]:
        name = row_name[g[2]] if g[0] == "h" else col_name[g[1]]
        hw = "tertiary" if g in grid.tertiary else "residential"
        tags = {"highway": hw, "name": name, "maxspeed": "30 mph"}
        if g in oneway:
            tags["oneway"] = "yes"
        return tags, oneway.get(g, -1)

    def emit(run: list[int], key: tuple[Tags, int]) -> None:
        tags, group = key
        b.way(run[::-1] if group >= 0 and group % 2 else run, tags)  # some one-ways run back

    lines = [[("h", i, j) for i in range(n - 1)] for j in range(n)]
    lines += [[("v", i, j) for j in range(n - 1)] for i in range(n)]
    for line in lines:  # a way per run of blocks with the same tags
        run: list[int] = []
        run_key: tuple[Tags, int] = ({}, -1)
        for g in line:
            key = seg_tags(g) if g in grid.present else None
            nodes = seg_nodes(g) if key is not None else []
            if run and (key != run_key or nodes[0] != run[-1]):
                emit(run, run_key)
                run = []
            if key is not None:
                run = [*run, *nodes[1:]] if run else nodes
                run_key = key
        if run:
            emit(run, run_key)
    return gid, mid


def _town_houses(grid: _Grid) -> list[_House]:
    """Candidate houses along every block, except the shops in the middle of the town."""
    c, pos = grid.c, grid.pos
    houses: list[_House] = []
    for g in grid.segs:
        central = g in grid.tertiary and c - 2 <= (g[1] if g[0] == "h" else g[2]) <= c + 1
        if g not in grid.present or central:
            continue
        p, q = grid.ends(g)
        d = pos[q] - pos[p]
        length = float(np.hypot(d[0], d[1]))
        ang = math.atan2(d[1], d[0])
        normal = np.array([-d[1], d[0]]) / length
        for along in np.arange(30.0, length - 29.0, 16.0):
            for side in (1.0, -1.0):
                xy = pos[p] + d * (along / length) + normal * side * 16.0
                if grid.cell_of(xy) not in grid.reserved:
                    houses.append(_House(xy[0], xy[1], ang, 8.0, 10.0, "town", grid.place.name))
    return houses


def _town_gates(
    grid: _Grid, gid: dict[_Cell, int], incident: list[tuple[int, _Edge, float]]
) -> dict[int, int]:
    """Pick where each road leaves the town: main roads at the ends of the cross, lanes anywhere."""
    n, c, pos, centre = grid.n, grid.c, grid.pos, grid.place.xy
    main = [(0, c), (n - 1, c), (c, 0), (c, n - 1)]
    edge = [ij for ij in gid if ij[0] in (0, n - 1) or ij[1] in (0, n - 1)]
    gates: dict[int, int] = {}
    for k, e, angle in incident:
        d = _unit(angle)
        if e.cls in _MAIN_ROADS:
            best = max(main, key=lambda ij: d @ (pos[ij] - centre) / np.hypot(*(pos[ij] - centre)))
        else:
            best = max(edge, key=lambda ij: (float(d @ (pos[ij] - centre)), ij))
        gates[k] = gid[best]
    return gates


def _town_amenities(
    b: _Builder,
    rng: np.random.Generator,
    grid: _Grid,
    gid: dict[_Cell, int],
    mid: dict[_Seg, int],
) -> None:
    """Add shops, surgery, church, library, park, car park and bus stops around the centre."""
    place, to_xy, s, c = grid.place, grid.to_xy, grid.s, grid.c
    town = place.name
    b.node(to_xy(10.0, 30.0), {"place": "town", "name": town})
    # the supermarket and its car park (south-west of the centre)
    u0, v0 = -s, -s
    b.polygon(
        np.array(
            [
                to_xy(u0 + 22, v0 + 24),
                to_xy(u0 + 50, v0 + 24),
                to_xy(u0 + 50, v0 + s - 24),
                to_xy(u0 + 22, v0 + s - 24),
            ]
        ),
        {"building": "retail", "shop": "supermarket", "name": _pick(rng, _SUPERMARKETS)},
    )
    b.polygon(
        np.array(
            [
                to_xy(u0 + 56, v0 + 22),
                to_xy(u0 + s - 22, v0 + 22),
                to_xy(u0 + s - 22, v0 + s - 22),
                to_xy(u0 + 56, v0 + s - 22),
            ]
        ),
        {"amenity": "parking", "parking": "surface", "access": "customers"},
    )
    up = (u0 + 56 + u0 + s - 22) / 2
    aisle = b.nodes([to_xy(up, v0 + 28), to_xy(up, v0 + s - 28)])
    b.way([mid[("h", c - 1, c - 1)], *aisle], {"highway": "service", "service": "parking_aisle"})
    # church and surgery (south-east of the centre)
    u0 = 0.0
    b.polygon(
        _rect(to_xy(u0 + 34, v0 + s / 2), 12.0, 26.0, place.angle),
        {
            "building": "church",
            "amenity": "place_of_worship",
            "religion": "christian",
            "denomination": "anglican",
            "name": _pick(rng, _CHURCHES),
        },
    )
    b.polygon(
        _rect(to_xy(u0 + s - 36, v0 + s / 2), 18.0, 14.0, place.angle),
        {
            "building": "yes",
            "amenity": "doctors",
            "healthcare": "doctor",
            "name": _pick(rng, _SURGERIES),
        },
    )
    # the park (north-west of the centre) with two paths crossing at its middle
    u0, v0 = -s, 0.0
    b.polygon(
        np.array(
            [
                to_xy(u0 + 14, v0 + 14),
                to_xy(u0 + s - 14, v0 + 14),
                to_xy(u0 + s - 14, v0 + s - 14),
                to_xy(u0 + 14, v0 + s - 14),
            ]
        ),
        {"leisure": "park", "name": f"{town} Park"},
    )
    centre = b.node(to_xy(u0 + s / 2, v0 + s / 2))
    path = {"highway": "footway", "surface": "asphalt"}
    b.way([gid[(c - 1, c)], centre, gid[(c, c + 1)]], path)
    b.way([mid[("v", c - 1, c)], centre, mid[("v", c, c)]], path)
    # shops and services along the High Street, a bus stop each side
    pois: list[Tags] = [
        {"shop": "convenience", "name": _pick(rng, _CONVENIENCE)},
        {
            "amenity": "pharmacy",
            "healthcare": "pharmacy",
            "dispensing": "yes",
            "name": _pick(rng, _PHARMACIES),
        },
        {"amenity": "library", "name": f"{town} Library"},
        {"amenity": "post_office", "name": f"{town} Post Office"},
        {"amenity": "cafe", "name": _pick(rng, _CAFES)},
        {"amenity": "community_centre", "name": f"{town} Community Centre"},
        {"amenity": "pub", "name": _pick(rng, _PUBS)},
        {"amenity": "cafe", "name": _pick(rng, _CAFES[::-1])},
        {"shop": "convenience", "name": _pick(rng, _CONVENIENCE[::-1])},
    ]
    slots = [
        (f * s, side * 14.0) for f in (-1.6, -1.3, -0.6, 0.4, 0.7, 1.3, 1.6) for side in (1, -1)
    ]
    for tags, (u, v) in zip(pois, slots, strict=False):
        b.node(to_xy(u, v), tags)
    stop = {"highway": "bus_stop", "public_transport": "platform", "bus": "yes"}
    b.node(to_xy(1.0 * s, 7.0), {**stop, "name": "Market Place"})
    b.node(to_xy(1.0 * s, -7.0), {**stop, "name": "Market Place"})
    b.node(to_xy(-7.0, -1.5 * s), {**stop, "name": "Station Road"})
