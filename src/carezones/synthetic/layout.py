"""Where things sit: the reservoir, the towns, villages, hamlets and exits, and the river.

Also draws the water (reservoir, dam and river) once the roads are built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Point, Polygon

from carezones.synthetic.builder import _Builder
from carezones.synthetic.geometry import FloatArray, _unit
from carezones.synthetic.sizes import _Spec


@dataclass
class _Place:
    name: str
    kind: str  # "town", "village", "hamlet" or "exit"
    x: float
    y: float
    radius: float
    level: str = "none"  # amenities of a village: "large", "small" or "none"
    grid: int = 0
    spacing: float = 0.0
    angle: float = 0.0

    @property
    def xy(self) -> FloatArray:
        return np.array([self.x, self.y])


@dataclass
class _Reservoir:
    name: str
    centre: FloatArray
    axis: FloatArray  # unit vector along the long side
    half_length: float
    half_width: float
    ring: FloatArray
    poly: Polygon


def _reservoir(rng: np.random.Generator, spec: _Spec, name: str) -> _Reservoir:
    """Shape an elongated, slightly irregular reservoir near the middle of the county."""
    centre = np.array([rng.uniform(-0.2, 0.2) * spec.half_w, rng.uniform(-0.2, 0.2) * spec.half_h])
    theta = rng.uniform(0.0, math.pi)
    a, b = spec.res_half_length, spec.res_half_width
    t = np.linspace(0.0, 2 * math.pi, 72, endpoint=False)
    k = np.arange(2, 7)
    noise = np.cos(np.outer(t, k) + rng.uniform(0, 2 * math.pi, k.size)) @ (
        rng.normal(0.0, 0.03, k.size)
    )
    local = np.column_stack([a * np.cos(t), b * np.sin(t)]) * (1.0 + noise)[:, None]
    axis = _unit(theta)
    rot = np.array([[axis[0], -axis[1]], [axis[1], axis[0]]])
    ring = centre + local @ rot.T
    return _Reservoir(f"{name} Reservoir", centre, axis, a, b, ring, Polygon(ring))


def _layout(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, names: list[str]
) -> list[_Place]:
    """Place the reservoir villages, the hamlets beyond the reservoir, towns, villages, exits.

    Other hamlets (``spec.n_hamlets``, none in the smaller sizes) come after the villages.
    """
    perp = np.array([-res.axis[1], res.axis[0]])
    places: list[_Place] = []
    for side in (1.0, -1.0):
        xy = res.centre + perp * side * (res.half_width + 550) + res.axis * rng.uniform(-200, 200)
        places.append(_Place(names.pop(), "village", xy[0], xy[1], 450.0))
    for side in (1.0, -1.0):  # hamlets at the road junctions beyond each end of the reservoir
        xy = res.centre + res.axis * side * (res.half_length + 1_000)
        places.append(_Place(names.pop(), "hamlet", xy[0], xy[1], 200.0))
    for t in range(spec.n_towns):
        if spec.town_grids:  # a county's towns: one large, a few middling, more small ones
            grid = spec.town_grids[t % len(spec.town_grids)]
        else:
            grid = int(rng.choice(np.arange(spec.town_grid[0], spec.town_grid[1] + 1, 2)))
        spacing = float(rng.uniform(100, 125))
        radius = (grid - 1) / 2 * spacing * math.sqrt(2) + 120
        xy = _free_spot(rng, spec, res, places, radius, spec.town_sep, 1_000.0)
        places.append(
            _Place(
                names.pop(),
                "town",
                xy[0],
                xy[1],
                radius,
                "town",
                grid,
                spacing,
                float(rng.uniform(0, math.pi / 2)),
            )
        )
    for _ in range(spec.n_villages - 2):
        xy = _free_spot(rng, spec, res, places, 450.0, 0.0, 900.0)
        places.append(_Place(names.pop(), "village", xy[0], xy[1], 450.0))
    villages = [p for p in places if p.kind == "village"]
    levels = rng.choice(["large", "small", "none"], size=len(villages), p=[0.35, 0.4, 0.25])
    for p, level in zip(villages, levels, strict=True):
        p.level = str(level)
    villages[0].level, villages[1].level, villages[-1].level = "small", "large", "none"
    for _ in range(spec.n_hamlets):  # after the villages: they fill the gaps between them
        xy = _free_spot(rng, spec, res, places, 200.0, 0.0, 600.0)
        places.append(_Place(names.pop(), "hamlet", xy[0], xy[1], 200.0))
    for _ in range(spec.n_exits):
        xy = _exit_spot(rng, spec, res, places)
        places.append(_Place("", "exit", xy[0], xy[1], 100.0))
    return places


def _free_spot(
    rng: np.random.Generator,
    spec: _Spec,
    res: _Reservoir,
    places: list[_Place],
    radius: float,
    town_sep: float,
    water_gap: float,
) -> FloatArray:
    """Pick a random spot clear of the reservoir and of other places (relaxing if need be)."""
    gap = spec.village_gap
    margin = radius + 300
    px = np.array([p.x for p in places])
    py = np.array([p.y for p in places])
    while True:
        need = [
            max(gap + max(radius, p.radius) - 450, town_sep)
            if p.kind == "town" and radius > 450
            else gap + max(radius, p.radius) - 450
            for p in places
        ]
        # numpy finds the places that may be too close; math.hypot has the last word on them
        rough = np.array(need) + 1e-3
        for _ in range(400):
            xy = rng.uniform(
                [-spec.half_w + margin, -spec.half_h + margin],
                [spec.half_w - margin, spec.half_h - margin],
            )
            if res.poly.distance(Point(xy)) < radius + water_gap:
                continue
            close = np.flatnonzero(np.hypot(xy[0] - px, xy[1] - py) < rough)
            if not any(math.hypot(xy[0] - px[i], xy[1] - py[i]) < need[i] for i in close):
                return np.asarray(xy, dtype=np.float64)
        gap *= 0.9
        town_sep *= 0.9


def _exit_spot(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, places: list[_Place]
) -> FloatArray:
    """Pick a spot on the edge of the county, away from places, where an A road leaves it."""
    best: tuple[float, FloatArray] = (-1.0, np.zeros(2))
    for _ in range(60):
        side = int(rng.integers(4))
        f = rng.uniform(-0.8, 0.8)
        w, h = spec.half_w + 1_500, spec.half_h + 1_500
        xy = np.array([(w, f * h), (-w, f * h), (f * w, h), (f * w, -h)][side])
        clear = min(
            [math.hypot(xy[0] - p.x, xy[1] - p.y) - p.radius for p in places]
            + [res.poly.distance(Point(xy))]
        )
        if clear > best[0]:
            best = (clear, xy)
        if clear > 4_000:
            break
    return best[1]


def _river(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, places: list[_Place]
) -> FloatArray:
    """Draw a meandering river from the reservoir's dam to the edge of the county."""
    start = res.centre + res.axis * (res.half_length - 20)
    base = math.atan2(res.axis[1], res.axis[0])
    limit = max(spec.half_w, spec.half_h) * 3
    settled = [p for p in places if p.kind in ("town", "village")]

    def clearance(angle: float) -> float:
        ray = LineString([start, start + _unit(angle) * limit])
        return min((ray.distance(Point(p.x, p.y)) - p.radius for p in settled), default=1e9)

    deltas = [math.radians(d) for d in (-75, -60, -45, -30, 30, 45, 60, 75)]
    heading0 = base + max(deltas, key=lambda d: clearance(base + d))
    pts = [start]
    heading = heading0
    w, h = spec.half_w + 2_000, spec.half_h + 2_000
    for _ in range(2_000):
        heading += 0.25 * (heading0 - heading) + rng.normal(0.0, 0.2)
        nxt = pts[-1] + _unit(heading) * 60.0
        if any(math.hypot(nxt[0] - p.x, nxt[1] - p.y) < p.radius + 150 for p in settled):
            break
        pts.append(nxt)
        if abs(nxt[0]) > w or abs(nxt[1]) > h:
            break
    return np.array(pts)


def _water(b: _Builder, res: _Reservoir, river_pts: FloatArray) -> None:
    """Add the reservoir, its dam and the river."""
    b.polygon(res.ring, {"natural": "water", "water": "reservoir", "name": res.name})
    perp = np.array([-res.axis[1], res.axis[0]])
    dam_mid = res.centre + res.axis * res.half_length * 0.96
    half = res.half_width * math.sqrt(1 - 0.96**2) + 25
    b.way(
        b.nodes([dam_mid - perp * half, dam_mid + perp * half]),
        {"waterway": "dam", "name": res.name.replace("Reservoir", "Dam")},
    )
    if len(river_pts) >= 2:
        b.way(b.nodes(river_pts), {"waterway": "river", "name": f"River {res.name.split()[0]}"})
