"""Villages and hamlets: streets towards their neighbours, closes, a church, shop and pub."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry import LineString

from carezones.synthetic.builder import Tags, _Builder
from carezones.synthetic.geometry import FloatArray, _cumlen, _meander, _unit
from carezones.synthetic.houses import _House
from carezones.synthetic.layout import _Place
from carezones.synthetic.names import _CAFES, _CHURCHES, _CONVENIENCE, _PUBS, _VILLAGE_CLOSES, _pick
from carezones.synthetic.road_plan import _CLASS_RANK, _MAIN_ROADS, _Edge


def _cluster_directions(
    incident: list[tuple[int, _Edge, float]], max_gap: float = math.radians(40)
) -> list[list[tuple[int, _Edge, float]]]:
    """Group the roads leaving a village by direction (so close ones share a street)."""
    if not incident:
        return []
    items = sorted(incident, key=lambda t: (t[2], t[0]))
    groups = [[items[0]]]
    for it in items[1:]:
        if it[2] - groups[-1][-1][2] <= max_gap:
            groups[-1].append(it)
        else:
            groups.append([it])
    if len(groups) > 1 and items[0][2] + 2 * math.pi - items[-1][2] <= max_gap:
        groups[0] = groups.pop() + groups[0]
    return groups


def _village(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    incident: list[tuple[int, _Edge, float]],
    places: list[_Place],
) -> tuple[dict[int, int], list[_House]]:
    """Build a village (or hamlet): streets towards its neighbours, and a few closes.

    Returns the node where each incident road (by edge index) leaves it, and candidate houses.
    """
    hamlet = place.kind == "hamlet"
    centre = b.node(place.xy)
    streets: list[tuple[float, float, Tags, list[int]]] = []  # (angle, length, tags, edges)
    used_names: list[str] = []
    for group in _cluster_directions(incident):
        vec = sum((_unit(a) for _, _, a in group), np.zeros(2))
        angle = math.atan2(vec[1], vec[0])
        best = min(group, key=lambda t: (_CLASS_RANK.get(t[1].cls, 9), t[0]))[1]
        if best.cls in _MAIN_ROADS:
            hw = "secondary" if best.cls == "secondary" else "primary"
            name = "Main Street" if "Main Street" not in used_names else "High Street"
            tags = {"highway": hw, "ref": best.ref, "name": name, "maxspeed": "30 mph"}
        else:
            other = places[best.v if places[best.u] is place else best.u]
            name = f"{other.name} Road" if other.name else _pick(rng, _VILLAGE_CLOSES)
            tags = {"highway": "residential", "name": name, "maxspeed": "30 mph"}
        if tags["name"] in used_names:
            tags["name"] = _pick(rng, _VILLAGE_CLOSES)
        used_names.append(tags["name"])
        length = float(rng.uniform(90, 150) if hamlet else rng.uniform(250, 420))
        streets.append((angle, length, tags, [k for k, _, _ in group]))
    n_closes = 0 if hamlet else int(rng.integers(0, 2)) + (1 if len(streets) < 3 else 0)
    for _ in range(n_closes):
        angles = sorted(a % (2 * math.pi) for a, *_ in streets) or [0.0]
        gaps = [
            ((angles[(i + 1) % len(angles)] - a) % (2 * math.pi) or 2 * math.pi, a)
            for i, a in enumerate(angles)
        ]
        gap, start = max(gaps)
        name = _pick(rng, _VILLAGE_CLOSES)
        if gap < math.radians(80) or name in used_names:
            break
        used_names.append(name)
        tags = {"highway": "residential", "name": name, "maxspeed": "30 mph"}
        streets.append((start + gap / 2, float(rng.uniform(140, 240)), tags, []))

    gates: dict[int, int] = {}
    houses: list[_House] = []
    street_ids: list[list[int]] = []
    lines = [
        _meander(rng, place.xy, place.xy + _unit(angle) * length, 40.0, 110.0, 8.0)
        for angle, length, _, _ in streets
    ]
    drawn = shapely.union_all([LineString(p) for p in lines])
    for (_, length, tags, edge_ids), pts in zip(streets, lines, strict=True):
        ids = [centre, *b.nodes(pts[1:])]
        b.way(ids, tags)
        street_ids.append(ids)
        for k in edge_ids:
            gates[k] = ids[-1]
        houses += _street_houses(rng, pts, 40.0, place.name, 0.5 if hamlet else 0.8)
        if hamlet or length < 280 or rng.random() < 0.4:
            continue
        # a close branching off part way along
        j = int(np.searchsorted(_cumlen(pts), rng.uniform(130, length - 80)))
        j = min(max(j, 1), len(pts) - 2)
        d = pts[j + 1] - pts[j - 1]
        side = 1.0 if rng.random() < 0.5 else -1.0
        branch = math.atan2(d[1], d[0]) + side * math.pi / 2
        name = _pick(rng, _VILLAGE_CLOSES)
        if name in used_names:
            continue
        used_names.append(name)
        close_len = float(rng.uniform(90, 170))
        cpts = _meander(rng, pts[j], pts[j] + _unit(branch) * close_len, 40.0, 80.0, 8.0)
        if LineString(cpts[1:]).buffer(20.0).intersects(drawn):
            continue
        drawn = drawn.union(LineString(cpts))
        b.way(
            [ids[j], *b.nodes(cpts[1:])],
            {"highway": "residential", "name": name, "maxspeed": "30 mph"},
        )
        houses += _street_houses(rng, cpts, 25.0, place.name, 0.85)
    _village_amenities(b, rng, place, streets, street_ids)
    return gates, houses


def _street_houses(
    rng: np.random.Generator, pts: FloatArray, start: float, label: str, share: float
) -> list[_House]:
    """Candidate houses both sides of a village street, from ``start`` metres along it."""
    cum = _cumlen(pts)
    out = []
    along = start
    while along < cum[-1] - 12.0:
        i = min(max(int(np.searchsorted(cum, along)), 1), len(pts) - 1)
        d = pts[i] - pts[i - 1]
        normal = np.array([-d[1], d[0]]) / max(float(np.hypot(d[0], d[1])), 1e-9)
        ang = math.atan2(d[1], d[0])
        base = np.array([np.interp(along, cum, pts[:, 0]), np.interp(along, cum, pts[:, 1])])
        for side in (1.0, -1.0):
            if rng.random() < share:
                hx, hy = base + normal * side * 15.0
                out.append(_House(hx, hy, ang, 8.0, 10.0, "village", label))
        along += float(rng.uniform(18, 26))
    return out


def _village_amenities(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    streets: list[tuple[float, float, Tags, list[int]]],
    street_ids: list[list[int]],
) -> None:
    """Place node, and by the village's level: nothing, a church and bus stop, or more."""
    kind = "hamlet" if place.kind == "hamlet" else "village"
    b.node(place.xy + 12.0, {"place": kind, "name": place.name})
    if place.level == "none" or not streets:
        return
    main = min(range(len(streets)), key=lambda k: (_CLASS_RANK.get(streets[k][2]["highway"], 9), k))
    p0, p1 = b.xy(street_ids[main][0]), b.xy(street_ids[main][1])
    d = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-9)
    normal = np.array([-d[1], d[0]])

    def at(along: float, off: float) -> FloatArray:
        return p0 + d * along + normal * off

    stop = {"highway": "bus_stop", "public_transport": "platform", "bus": "yes"}
    b.node(at(25.0, 6.0), {**stop, "name": "The Green"})
    if streets[main][2]["highway"] != "residential":
        b.node(at(25.0, -6.0), {**stop, "name": "The Green"})
    denomination = "methodist" if rng.random() < 0.25 else "anglican"
    church = "Methodist Chapel" if denomination == "methodist" else _pick(rng, _CHURCHES)
    b.node(
        at(20.0, -14.0),
        {
            "amenity": "place_of_worship",
            "religion": "christian",
            "denomination": denomination,
            "name": church,
        },
    )
    if place.level != "large":
        return
    b.node(at(12.0, 14.0), {"shop": "convenience", "name": _pick(rng, _CONVENIENCE[::-1])})
    b.node(
        at(32.0, 14.0),
        {"amenity": "community_centre", "community_centre": "village_hall", "name": "Village Hall"},
    )
    b.node(at(8.0, -14.0), {"amenity": "pub", "name": _pick(rng, _PUBS)})
    if rng.random() < 0.5:
        b.node(at(16.0, 22.0), {"amenity": "post_office", "name": f"{place.name} Post Office"})
    if rng.random() < 0.3:
        b.node(at(30.0, -22.0), {"amenity": "cafe", "name": _pick(rng, _CAFES)})
    if rng.random() < 0.25:
        b.node(
            at(36.0, -22.0),
            {"amenity": "doctors", "healthcare": "doctor", "name": f"{place.name} Surgery"},
        )
