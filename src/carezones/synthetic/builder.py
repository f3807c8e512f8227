"""The county being built: nodes and ways in local metres, and roads that bridge the river.

Node and way ids are given in creation order, so the order in which the stages add things
fixes the file byte for byte.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString

from carezones.synthetic.geometry import FloatArray, _cumlen, _cut

Tags = dict[str, str]


class _Builder:
    """Nodes and ways of the county in local metres; ids are given in creation order."""

    def __init__(self) -> None:
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.node_tags: dict[int, Tags] = {}
        self.ways: list[tuple[list[int], Tags]] = []

    def node(self, xy: Sequence[float] | FloatArray, tags: Tags | None = None) -> int:
        self.xs.append(float(xy[0]))
        self.ys.append(float(xy[1]))
        nid = len(self.xs)
        if tags:
            self.node_tags[nid] = tags
        return nid

    def nodes(self, pts: npt.ArrayLike) -> list[int]:
        arr = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        first = len(self.xs) + 1
        self.xs.extend(arr[:, 0].tolist())
        self.ys.extend(arr[:, 1].tolist())
        return list(range(first, first + len(arr)))

    def xy(self, nid: int) -> FloatArray:
        return np.array([self.xs[nid - 1], self.ys[nid - 1]])

    def way(self, nodes: list[int], tags: Tags) -> int:
        self.ways.append((nodes, tags))
        return len(self.ways)

    def polygon(self, ring: FloatArray, tags: Tags) -> int:
        ids = self.nodes(ring)
        return self.way([*ids, ids[0]], tags)

    def road(self, pts: FloatArray, first: int, last: int, tags: Tags, river: Any) -> list[int]:
        """Add a road along ``pts`` from node ``first`` to node ``last``, bridging the river."""
        pieces = _bridge_pieces(pts, river)
        ids = [first]
        for k, (part, bridge) in enumerate(pieces):
            end = last if k == len(pieces) - 1 else self.node(part[-1])
            way_ids = [ids[-1], *self.nodes(part[1:-1]), end]
            way_tags = {**tags, "bridge": "yes", "layer": "1"} if bridge else tags
            self.way(way_ids, way_tags)
            ids += way_ids[1:]
        return ids

    def n_road_nodes(self) -> int:
        return len({n for nodes, t in self.ways if "highway" in t for n in nodes})

    def segments(self) -> FloatArray:
        """Every straight piece of every ``highway=*`` way, shape (n, 2, 2)."""
        xy = np.column_stack([self.xs, self.ys])
        idx = [
            (a - 1, b - 1) for nodes, t in self.ways if "highway" in t for a, b in pairwise(nodes)
        ]
        ab = np.array(idx, dtype=np.intp).reshape(-1, 2)
        return np.stack([xy[ab[:, 0]], xy[ab[:, 1]]], axis=1)


def _bridge_pieces(pts: FloatArray, river: Any) -> list[tuple[FloatArray, bool]]:
    """Split a polyline where it crosses the river into (piece, is_bridge) parts."""
    if river is None:
        return [(pts, False)]
    line = LineString(pts)
    if not line.intersects(river):
        return [(pts, False)]
    crossings = sorted(line.project(p) for p in shapely.get_parts(line.intersection(river)))
    cum = _cumlen(pts)
    total = float(cum[-1])
    spans: list[list[float]] = []
    for s in crossings:
        a, b = s - 12.0, s + 12.0
        if a < 5.0 or b > total - 5.0:
            continue
        if spans and a <= spans[-1][1]:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    if not spans:
        return [(pts, False)]
    out: list[tuple[FloatArray, bool]] = []
    pos = 0.0
    for a, b in spans:
        out.append((_cut(pts, cum, pos, a), False))
        out.append((_cut(pts, cum, a, b), True))
        pos = b
    out.append((_cut(pts, cum, pos, total), False))
    return out
