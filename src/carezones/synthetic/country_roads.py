"""The roads between places, drawn after the settlements they join.

Each link of the road plan becomes a winding road, bridged where it crosses the river; the
trunk road gets a stretch of dual carriageway.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString

from carezones.synthetic.builder import Tags, _Builder
from carezones.synthetic.geometry import FloatArray, _Boxes, _cumlen, _cut, _meander
from carezones.synthetic.layout import _Place, _Reservoir
from carezones.synthetic.road_plan import _CLASS_RANK, _Edge
from carezones.synthetic.sizes import _Spec

_ROAD_SHAPE = {  # most metres between nodes, metres of a straight stretch, sd of turns (deg)
    "trunk": (90.0, 900.0, 6.0),
    "primary": (80.0, 700.0, 9.0),
    "secondary": (60.0, 450.0, 15.0),
    "track": (50.0, 250.0, 20.0),
    "bridleway": (50.0, 200.0, 22.0),
    "footway": (50.0, 200.0, 22.0),
}


def _road_tags(rng: np.random.Generator, e: _Edge, places: list[_Place]) -> Tags:
    nsl = {"maxspeed": "60 mph", "maxspeed:type": "GB:nsl_single"}
    if e.cls in ("trunk", "primary"):
        return {"highway": e.cls, "ref": e.ref, **nsl}
    if e.cls == "secondary":
        return {"highway": "secondary", "ref": e.ref, "maxspeed": "national"}
    if e.cls == "unclassified":
        tags = {"highway": "unclassified", "maxspeed": "national"}
        ends = [p.name for p in (places[e.u], places[e.v]) if p.name]
        if ends and rng.random() < 0.6:
            tags["name"] = f"{ends[int(rng.integers(len(ends)))]} Lane"
        if rng.random() < 0.5:
            tags["lanes"] = "1"
        return tags
    if e.cls == "track":
        return {"highway": "track", "tracktype": "grade3", "surface": "gravel"}
    if e.cls == "bridleway":
        return {"highway": "bridleway", "designation": "public_bridleway", "surface": "grass"}
    return {"highway": "footway", "designation": "public_footpath", "surface": "grass"}


class _Crossings:
    """Roads built so far, to keep new country roads from crossing them without a junction."""

    def __init__(self, streets: FloatArray) -> None:
        self.tree = shapely.STRtree(shapely.linestrings(streets))
        self.roads = _Boxes()

    def crosses(self, pts: FloatArray, keep_clear: float = 25.0) -> bool:
        cum = _cumlen(pts)
        if cum[-1] <= 2 * keep_clear + 10.0:
            return False
        inner = LineString(_cut(pts, cum, keep_clear, float(cum[-1]) - keep_clear))
        if len(self.tree.query(inner, predicate="intersects")):
            return True
        near = self.roads.near(inner)
        return bool(near) and bool(shapely.intersects(np.array(near), inner).any())


def _country_road(
    b: _Builder,
    rng: np.random.Generator,
    e: _Edge,
    n0: int,
    n1: int,
    spec: _Spec,
    places: list[_Place],
    water: Any,
    river: Any,
    built: _Crossings,
) -> list[int] | None:
    """Build the road of one link between two places (a trunk road gets a dual carriageway).

    The road winds less, and at last runs straight, if it would cross the reservoir or another
    road; a spare link that still crosses one is left out (``None``).
    """
    spacing, stretch, turn = _ROAD_SHAPE.get(e.cls, (spec.lane_spacing, 260.0, 28.0))
    spacing *= spec.lane_spacing / 40.0
    p0, p1 = b.xy(n0), b.xy(n1)
    for shrink in (1.0, 1.0, 0.6, 0.6, 0.3, 0.3, 0.0):
        pts = _meander(rng, p0, p1, spacing, stretch, turn * shrink)
        clash = LineString(pts).intersects(water) or built.crosses(pts)
        if not clash:
            break
    if clash and e.spare:
        return None
    built.roads.add(LineString(pts))
    tags = _road_tags(rng, e, places)
    if e.cls != "trunk" or len(pts) < 12:
        return b.road(pts, n0, n1, tags, river)
    # a dual carriageway in the middle, at most 2 km long; traffic keeps left
    n_dual = min(len(pts) * 2 // 5, int(2_000 / spacing))
    k1 = (len(pts) - n_dual) // 2
    k2 = k1 + n_dual
    s1, s2 = b.node(pts[k1]), b.node(pts[k2])
    ids = b.road(pts[: k1 + 1], n0, s1, tags, river)
    middle = pts[k1 : k2 + 1]
    d = np.gradient(middle, axis=0)
    left = np.column_stack([-d[:, 1], d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
    ramp = np.minimum(1.0, np.minimum(np.arange(len(middle)), np.arange(len(middle))[::-1]) / 2)
    offset = (9.0 * ramp)[:, None] * left
    dual = {
        **tags,
        "oneway": "yes",
        "dual_carriageway": "yes",
        "maxspeed": "70 mph",
        "maxspeed:type": "GB:nsl_dual",
    }
    ids += b.road(middle + offset, s1, s2, dual, river)[1:]
    b.road((middle - offset)[::-1], s2, s1, dual, river)
    ids += b.road(pts[k2:], s2, n1, tags, river)[1:]
    return ids


def _country_roads(
    b: _Builder,
    rng: np.random.Generator,
    spec: _Spec,
    places: list[_Place],
    edges: list[_Edge],
    gates: dict[tuple[int, int], int],
    res: _Reservoir,
    river: Any,
) -> list[list[int]]:
    """Build the roads between places, main roads first; return the lanes' and B roads' nodes."""
    water = res.poly.buffer(40.0)
    lanes: list[list[int]] = []
    built = _Crossings(b.segments())
    order = sorted(
        range(len(edges)), key=lambda k: (edges[k].spare, _CLASS_RANK.get(edges[k].cls, 9), k)
    )
    for k in order:
        e = edges[k]
        n0, n1 = gates[(e.u, k)], gates[(e.v, k)]
        ids = _country_road(b, rng, e, n0, n1, spec, places, water, river, built)
        if ids is not None and e.cls in ("unclassified", "secondary"):
            lanes.append(ids)
    return lanes
