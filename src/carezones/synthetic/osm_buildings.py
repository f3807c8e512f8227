"""Reading the buildings of a real OpenStreetMap file: where they are and which are homes.

Used by :func:`~carezones.synthetic.clients_on_buildings`. It needs nothing from carezones but
:mod:`carezones.errors`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon

from carezones.errors import CarezonesError

__all__ = ["RESIDENTIAL_BUILDINGS"]

FloatArray = npt.NDArray[np.float64]


RESIDENTIAL_BUILDINGS = frozenset(
    {
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "bungalow",
        "residential",
        "apartments",
        "farmhouse",
        "farm",
        "cottage",
    }
)
"""``building=*`` values that are homes (``yes`` counts only inside ``landuse=residential``)."""


def _read_buildings(
    path: Path,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Return centroids (lon, lat) of buildings, which are homes, and which are other ``yes``.

    ``yes`` buildings inside a ``landuse=residential`` area count as homes.
    """
    import osmium

    keys = osmium.filter.KeyFilter("building", "landuse")
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(keys).with_filter(keys)
    found: list[tuple[int, int, int]] = []  # (area id, first ring point, 1 home / 0 yes)
    coords: list[tuple[float, float]] = []
    landuse: list[tuple[int, Polygon]] = []
    obj: Any
    try:
        for obj in fp:
            if not obj.is_area():
                continue
            building = obj.tags.get("building")
            if building is not None:
                kind = 1 if building in RESIDENTIAL_BUILDINGS else 0 if building == "yes" else -1
                if kind < 0:
                    continue
                rings = [_ring_lonlat(r) for r in obj.outer_rings()]
                ring = max(rings, key=len, default=[])
                if len(ring) >= 3:
                    found.append((obj.id, len(coords), kind))
                    coords += ring
            elif obj.tags.get("landuse") == "residential":
                for outer in obj.outer_rings():
                    shell = _ring_lonlat(outer)
                    holes = [h for h in map(_ring_lonlat, obj.inner_rings(outer)) if len(h) >= 3]
                    if len(shell) >= 3:
                        landuse.append((obj.id, Polygon(shell, holes)))
    except RuntimeError as exc:
        raise CarezonesError(
            f"could not read OSM file {path.name}: {exc}. Check that it is a complete .osm.pbf, "
            ".osm or .osm.bz2 file."
        ) from exc
    if not found:
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, bool), np.zeros(0, bool)
    starts = np.array([f[1] for f in found], dtype=np.intp)
    lon_a, lat_a = _ring_centroids(np.array(coords, dtype=np.float64), starts)
    home = np.array([f[2] == 1 for f in found])
    order = np.argsort([f[0] for f in found], kind="stable")
    lon_a, lat_a, home = lon_a[order], lat_a[order], home[order]
    yes = ~home
    if landuse and yes.any():
        landuse.sort(key=lambda t: t[0])
        polys = np.array([p for _, p in landuse], dtype=object)
        bad = ~shapely.is_valid(polys)
        polys[bad] = shapely.make_valid(polys[bad])
        tree = shapely.STRtree(polys)
        idx = np.flatnonzero(yes)
        hits = tree.query(shapely.points(lon_a[idx], lat_a[idx]), predicate="within")
        inside = np.zeros(len(idx), bool)
        inside[hits[0]] = True
        home[idx[inside]] = True
        yes[idx[inside]] = False
    return lon_a, lat_a, home, yes


def _ring_lonlat(ring: Any) -> list[tuple[float, float]]:
    return [(nd.lon, nd.lat) for nd in ring if nd.location.valid()]


def _ring_centroids(xy: FloatArray, starts: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
    """Area centroids (lon, lat) of many small lon/lat rings stored one after another."""
    sizes = np.diff(np.append(starts, len(xy)))
    origin = np.repeat(xy[starts], sizes, axis=0)
    k = np.cos(np.radians(origin[:, 1]))
    x, y = (xy[:, 0] - origin[:, 0]) * k, xy[:, 1] - origin[:, 1]
    nxt = np.arange(1, len(xy) + 1)
    nxt[starts + sizes - 1] = starts
    cross = x * y[nxt] - x[nxt] * y
    area = np.add.reduceat(cross, starts) / 2.0
    cx = np.add.reduceat((x + x[nxt]) * cross, starts)
    cy = np.add.reduceat((y + y[nxt]) * cross, starts)
    flat = np.abs(area) < 1e-14
    safe = np.where(flat, 1.0, 6.0 * area)
    cx, cy = cx / safe, cy / safe
    cx[flat] = (np.add.reduceat(x, starts) / sizes)[flat]
    cy[flat] = (np.add.reduceat(y, starts) / sizes)[flat]
    lon0, lat0 = xy[starts, 0], xy[starts, 1]
    return lon0 + cx / np.cos(np.radians(lat0)), lat0 + cy
