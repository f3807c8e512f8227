"""Homes: candidate houses and farms, kept clear of roads, water and each other, then drawn.

Towns and villages propose houses along their streets and farms are proposed along the
lanes; the ones that fit become buildings, and each settlement gets a ``landuse=residential``
area around its homes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from carezones.synthetic.builder import _Builder
from carezones.synthetic.geometry import FloatArray, _Boxes, _cumlen, _rect, _rects
from carezones.synthetic.layout import _Place, _Reservoir
from carezones.synthetic.names import _NAME_HEADS, _pick
from carezones.synthetic.sizes import _Spec


@dataclass
class _House:
    x: float
    y: float
    angle: float
    w: float
    d: float
    kind: str  # "town", "village" or "farm"
    label: str


def _farms(
    rng: np.random.Generator, b: _Builder, lanes: list[list[int]], spec: _Spec
) -> list[tuple[int, FloatArray, FloatArray, str]]:
    """Candidate farms along lanes: (lane node, farmhouse centre, direction from lane, name)."""
    out = []
    for ids in lanes:
        pts = np.array([b.xy(i) for i in ids])
        length = float(_cumlen(pts)[-1])
        for _ in range(int(rng.poisson(length / spec.farm_every))):
            k = int(rng.integers(max(1, len(ids) // 5), max(2, len(ids) * 4 // 5)))
            d = pts[min(k + 1, len(pts) - 1)] - pts[k - 1]
            side = 1.0 if rng.random() < 0.5 else -1.0
            normal = np.array([-d[1], d[0]]) / max(float(np.hypot(d[0], d[1])), 1e-9) * side
            home = pts[k] + normal * rng.uniform(70, 130)
            name = f"{_pick(rng, _NAME_HEADS)}{_pick(rng, ('ley', 'holme', 'croft', 'garth'))} Farm"
            out.append((ids[k], home, normal, name))
    return out


def _place_buildings(
    rng: np.random.Generator,
    b: _Builder,
    houses: list[_House],
    farms: list[tuple[int, FloatArray, FloatArray, str]],
    res: _Reservoir,
    river: Any,
) -> list[tuple[float, float, str, str]]:
    """Keep candidate buildings clear of roads, water and each other, then add them.

    Returns the homes as (x, y, settlement, building type).
    """
    tree = shapely.STRtree(shapely.linestrings(b.segments()))
    wet = res.poly.buffer(30.0)
    if river is not None:
        wet = wet.union(river.buffer(30.0))
    shapely.prepare(wet)
    cand = np.array([(h.x, h.y) for h in houses], dtype=np.float64).reshape(-1, 2)
    pts = shapely.points(cand)
    bad = shapely.intersects(wet, pts)
    bad[tree.query(pts, predicate="dwithin", distance=11.0)[0]] = True
    taken: dict[tuple[int, int], list[FloatArray]] = {}

    def free(p: FloatArray, gap: float = 13.0) -> bool:
        cx, cy = int(p[0] // gap), int(p[1] // gap)
        for i in (cx - 1, cx, cx + 1):
            for j in (cy - 1, cy, cy + 1):
                for q in taken.get((i, j), []):
                    if math.hypot(p[0] - q[0], p[1] - q[1]) < gap:
                        return False
        taken.setdefault((cx, cy), []).append(p)
        return True

    keep = [k for k in range(len(cand)) if not bad[k] and free(cand[k])]
    town_types = [
        "house",
        "semidetached_house",
        "terrace",
        "detached",
        "bungalow",
        "residential",
        "apartments",
        "yes",
    ]
    town_p = [0.40, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02, 0.15]
    village_types = ["house", "detached", "bungalow", "semidetached_house", "cottage", "yes"]
    village_p = [0.32, 0.20, 0.14, 0.10, 0.09, 0.15]
    in_town = [houses[k].kind == "town" for k in keep]
    t_types = iter(rng.choice(town_types, size=sum(in_town), p=town_p))
    v_types = iter(rng.choice(village_types, size=len(keep) - sum(in_town), p=village_p))
    homes: list[tuple[float, float, str, str]] = []
    rects = _rects(
        np.array(
            [(houses[k].x, houses[k].y, houses[k].w, houses[k].d, houses[k].angle) for k in keep]
        ).reshape(-1, 5)
    )
    for k, town, ring in zip(keep, in_town, rects, strict=True):
        h = houses[k]
        kind = str(next(t_types) if town else next(v_types))
        b.polygon(ring, {"building": kind})
        homes.append((h.x, h.y, h.label, kind))
    homes += _place_farms(b, farms, tree, wet, cand[keep])
    return homes


def _place_farms(
    b: _Builder,
    farms: list[tuple[int, FloatArray, FloatArray, str]],
    roads: shapely.STRtree,
    wet: Any,
    houses: FloatArray,
) -> list[tuple[float, float, str, str]]:
    """Add the farms (farmhouse, barn and access) that keep clear of everything else."""
    homes_tree = shapely.STRtree(shapely.points(houses))
    yards = _Boxes()  # each farm's yard and access, kept clear of later farms
    out: list[tuple[float, float, str, str]] = []
    for lane_node, home, normal, name in farms:
        front = home - normal * 8.0
        start = b.xy(lane_node) + normal * 5.0
        access = LineString(np.array([start, front]))
        yard = Point(home + normal * 15.0).buffer(45.0, quad_segs=4)
        reach = shapely.union(yard, access.buffer(8.0))
        if (
            len(roads.query(yard, predicate="intersects"))
            or len(roads.query(access, predicate="intersects"))
            or wet.intersects(reach)
            or len(homes_tree.query(reach, predicate="intersects"))
            or any(reach.intersects(y) for y in yards.near(reach))
        ):
            continue
        yards.add(reach)
        angle = math.atan2(normal[1], normal[0])
        if len(out) % 2:
            tags = {"highway": "track", "tracktype": "grade1", "surface": "gravel"}
        else:
            tags = {"highway": "service", "service": "driveway"}
        b.way([lane_node, b.node(front)], tags)
        b.polygon(_rect(home, 10.0, 12.0, angle), {"building": "farmhouse", "name": name})
        barn = home + normal * 30.0 + np.array([-normal[1], normal[0]]) * 12.0
        b.polygon(_rect(barn, 14.0, 28.0, angle), {"building": "barn"})
        out.append((float(home[0]), float(home[1]), "rural", "farmhouse"))
    return out


def _landuse(b: _Builder, homes: list[tuple[float, float, str, str]], places: list[_Place]) -> None:
    """Add a ``landuse=residential`` area around the homes of each town and village."""
    by_place: dict[str, list[tuple[float, float]]] = {}
    for x, y, label, _ in homes:
        by_place.setdefault(label, []).append((x, y))
    for p in places:
        pts = by_place.get(p.name, []) if p.name else []
        if len(pts) < 3:
            continue
        hull = shapely.convex_hull(shapely.multipoints(np.array(pts))).buffer(25.0, quad_segs=2)
        ring = np.asarray(hull.exterior.coords)[:-1]
        b.polygon(ring, {"landuse": "residential", "name": p.name})
