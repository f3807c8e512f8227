"""Where the synthetic county is, and the geometry it is drawn with.

Everything is drawn in metres east and north of the county's centre (:data:`CENTRE_LAT`,
:data:`CENTRE_LON`) and turned into latitude and longitude only when the file is written.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["CENTRE_LAT", "CENTRE_LON"]

FloatArray = npt.NDArray[np.float64]


CENTRE_LAT = 54.4
"""Latitude of the synthetic county's centre (in the North Sea)."""
CENTRE_LON = 1.6
"""Longitude of the synthetic county's centre (in the North Sea)."""


_EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = math.pi * _EARTH_RADIUS_M / 180.0


def _to_latlon(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Local metres (east, north of the centre) to latitude and longitude (sinusoidal)."""
    lat = CENTRE_LAT + y / _M_PER_DEG
    lon = CENTRE_LON + x / (_M_PER_DEG * np.cos(np.radians(lat)))
    return lat, lon


def _unit(angle: float) -> FloatArray:
    return np.array([math.cos(angle), math.sin(angle)])


def _rect(c: FloatArray, w: float, d: float, angle: float) -> FloatArray:
    """Corners of a ``w`` (along ``angle``) by ``d`` rectangle centred on ``c``, anticlockwise."""
    u, v = _unit(angle) * (w / 2), _unit(angle + math.pi / 2) * (d / 2)
    return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


def _rects(boxes: FloatArray) -> FloatArray:
    """Corners of many rectangles given as rows (cx, cy, w, d, angle), shape (n, 4, 2)."""
    cx, cy, w, d, ang = boxes.T
    u = np.column_stack([np.cos(ang), np.sin(ang)]) * (w / 2)[:, None]
    v = np.column_stack([-np.sin(ang), np.cos(ang)]) * (d / 2)[:, None]
    c = np.column_stack([cx, cy])
    return np.stack([c - u - v, c + u - v, c + u + v, c - u + v], axis=1)


def _meander(
    rng: np.random.Generator,
    p0: FloatArray,
    p1: FloatArray,
    spacing: float,
    stretch: float,
    turn_deg: float,
) -> FloatArray:
    """Return a road from ``p0`` to ``p1`` made of straight stretches and rounded bends.

    Stretches are about ``stretch`` metres long, each turned by a random angle (standard
    deviation ``turn_deg`` degrees) from the direct line. Nodes are at most ``spacing`` metres
    apart; the ends are exactly ``p0`` and ``p1``.
    """
    d = p1 - p0
    length = float(np.hypot(d[0], d[1]))
    m = max(2, round(length / stretch))
    heading = rng.normal(0.0, math.radians(turn_deg), m)
    heading = np.clip(heading, -1.2, 1.2)
    legs = rng.uniform(0.5, 1.5, m)
    if length < 1.0:
        return np.array([p0, p1])
    local = np.vstack(
        [
            [0.0, 0.0],
            np.cumsum(legs[:, None] * np.column_stack([np.cos(heading), np.sin(heading)]), axis=0),
        ]
    )
    end = local[-1]
    scale = length / float(np.hypot(end[0], end[1]))
    rot = -math.atan2(end[1], end[0])
    local = local @ np.array([[math.cos(rot), math.sin(rot)], [-math.sin(rot), math.cos(rot)]])
    local *= scale
    peak = float(np.abs(local[:, 1]).max())
    cap = min(0.15 * length, 800.0)
    if peak > cap:
        local[:, 1] *= cap / peak
    for _ in range(2):  # round the bends (Chaikin's corner cutting, ends kept)
        a, b = local[:-1], local[1:]
        cut = np.empty((2 * len(a), 2))
        cut[0::2], cut[1::2] = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        local = np.vstack([local[:1], cut[1:-1], local[-1:]])
    u = d / length
    pts = p0 + local[:, :1] * u + local[:, 1:] * np.array([-u[1], u[0]])
    pts[0], pts[-1] = p0, p1
    return _densify(pts, spacing)


def _densify(pts: FloatArray, spacing: float) -> FloatArray:
    """Add nodes so that no piece of the polyline is longer than ``spacing``."""
    seg = np.hypot(*np.diff(pts, axis=0).T)
    n = np.maximum(1, np.ceil(seg / spacing).astype(int))
    piece = np.repeat(np.arange(len(n)), n)  # the piece each new node lies on
    step = np.arange(len(piece)) - np.repeat(np.cumsum(n) - n, n) + 1  # 1..k along each piece
    t = (step / n[piece])[:, None]
    return np.vstack([pts[:1], pts[piece] + t * (pts[piece + 1] - pts[piece])])


class _Boxes:
    """Shapes added one by one, with their bounding boxes, to find those that may touch another.

    A quick bounding-box filter in front of exact shapely tests: the shapes whose boxes miss a
    query's box cannot intersect it, so filtering first never changes an answer.
    """

    def __init__(self) -> None:
        self.shapes: list[Any] = []
        self._bounds = np.empty((64, 4))

    def add(self, shape: Any) -> None:
        if len(self.shapes) == len(self._bounds):
            self._bounds = np.vstack([self._bounds, np.empty_like(self._bounds)])
        self._bounds[len(self.shapes)] = shape.bounds
        self.shapes.append(shape)

    def near(self, shape: Any) -> list[Any]:
        """Return the shapes added so far whose bounding box meets that of ``shape``, in order."""
        x0, y0, x1, y1 = shape.bounds
        b = self._bounds[: len(self.shapes)]
        hit = (b[:, 0] <= x1) & (b[:, 2] >= x0) & (b[:, 1] <= y1) & (b[:, 3] >= y0)
        return [self.shapes[i] for i in np.flatnonzero(hit)]


def _cumlen(pts: FloatArray) -> FloatArray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])


def _cut(pts: FloatArray, cum: FloatArray, a: float, b: float) -> FloatArray:
    """Return the part of a polyline between distances ``a`` and ``b`` along it."""
    inner = pts[(cum > a) & (cum < b)]
    pa = np.array([np.interp(a, cum, pts[:, 0]), np.interp(a, cum, pts[:, 1])])
    pb = np.array([np.interp(b, cum, pts[:, 0]), np.interp(b, cum, pts[:, 1])])
    return np.vstack([pa, inner, pb])
