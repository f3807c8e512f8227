"""Tools of the zone tests: an outsider's privacy check of shared files, and areal units.

The privacy check asks whether any shared file carries a client's location.

Every number in a text file (HTML, CSV, JSON, Markdown), read in the order it appears, is
paired with the next one; a pair that is a client's (lon, lat) or (lat, lon), rounded to the
decimals it is written with (5 decimals: about a metre; 6: 10 cm; more: 1 cm), is a leak
(a number written with fewer decimals is read as exact to 5: its zeros were dropped).
Every vertex of every geometry of every GeoPackage layer (stored at full precision) is compared
with the clients' points (within ``METRES``), and the layers' attributes are read as text like
a CSV. A folder is checked whole: every file must be checked or excluded with a reason.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
from scipy.spatial import cKDTree

NUMBER = re.compile(r"-?\d+\.\d+")
FINEST = 1e-7  # degrees: numbers written with more decimals must match to about 1 cm
METRES = 0.1  # a vertex this close to a client's point is that point (full precision)
TEXT = {".html", ".csv", ".json", ".md", ".txt", ".geojson"}


def text_leaks(text: str, lonlat: np.ndarray) -> list[tuple[float, float]]:
    """Pairs of neighbouring numbers in ``text`` that are a client's lon/lat (either order).

    Numbers separated by a bracket (``54.3], [1.6``: two points of a line, in GeoJSON or
    Leaflet) are not a pair; anything else between them (a comma, a cell, a JSON key) is.
    """
    found_nums = list(NUMBER.finditer(text))
    if len(found_nums) < 2 or not len(lonlat):
        return []
    nums = np.array([float(m.group()) for m in found_nums])
    # half a unit of the last decimal written: how far a rounded copy can be from the point
    # (fewer than 5 decimals read as 5: 54.377 is 54.37700 with its zeros dropped)
    decimals = np.array([max(len(m.group().split(".")[1]), 5) for m in found_nums])
    tol = np.maximum(0.5 * 10.0**-decimals, FINEST)
    apart = np.array(
        [
            "[" in text[a.end() : b.start()] or "]" in text[a.end() : b.start()]
            for a, b in itertools.pairwise(found_nums)
        ]
    )
    pairs = np.column_stack([nums[:-1], nums[1:]])[~apart]
    ptol = np.maximum(tol[:-1], tol[1:])[~apart] + 1e-12
    tree = cKDTree(lonlat)
    found = []
    for cand in (pairs, pairs[:, ::-1]):
        d, _ = tree.query(cand, p=np.inf)  # the larger of the lon and lat differences
        found += [tuple(p) for p in pairs[d <= ptol]]
    return found


def gpkg_leaks(path: Path, lonlat: np.ndarray, crs: object) -> list[str]:
    """Vertices (and attribute pairs) of every layer of a GeoPackage at a client's point."""
    import geopandas as gpd
    import shapely
    from pyproj import Transformer

    to_m = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    cx, cy = to_m.transform(lonlat[:, 0], lonlat[:, 1])
    tree = cKDTree(np.column_stack([cx, cy]))
    found = []
    for layer in gpd.list_layers(path)["name"]:
        gdf = gpd.read_file(path, layer=layer)
        attrs = gdf.drop(columns=gdf.geometry.name).to_csv(index=False)
        found += [f"{layer} attributes {p}" for p in text_leaks(attrs, lonlat)]
        geoms = gdf.geometry.dropna().to_crs(crs).to_numpy()
        xy = shapely.get_coordinates(geoms)
        if len(xy):
            d, _ = tree.query(xy, distance_upper_bound=METRES)
            found += [f"{layer} vertex {tuple(v)}" for v in xy[np.isfinite(d)][:5]]
    return found


def folder_leaks(
    folder: Path, lonlat: np.ndarray, crs: object, exclude: dict[str, str]
) -> tuple[dict[str, list], list[str]]:
    """Check every file under ``folder``; return the leaks by file and the files checked.

    ``exclude`` maps a file or folder (relative path) to the reason it is not shared; any other
    file that is neither text nor GeoPackage fails the check (it must be excluded with a
    reason, or read).
    """
    leaks: dict[str, list] = {}
    checked = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if any(rel == e or rel.startswith(e.rstrip("/") + "/") for e in exclude):
            continue
        if path.suffix in TEXT or path.name == ".carezones-output":  # the marker is JSON
            found = text_leaks(path.read_text(encoding="utf-8", errors="replace"), lonlat)
        elif path.suffix == ".gpkg":
            found = gpkg_leaks(path, lonlat, crs)
        else:
            raise AssertionError(f"{rel}: not read by the check; exclude it with a reason")
        checked.append(rel)
        if found:
            leaks[rel] = found[:5]
    return leaks, checked


def grid_units(area, crs: object, step: float, *, hexagons: bool = False, prefix: str = "U"):
    """Square (or hexagonal) units of ``step`` metres tiling ``area`` (metric, in ``crs``).

    Units are clipped to the area; ids are ``U0001``... in a fixed order.
    """
    import geopandas as gpd
    import shapely

    x0, y0, x1, y1 = area.bounds
    cells = []
    if hexagons:
        r = step / np.sqrt(3)  # centre to corner, flat-topped: columns 1.5 r apart
        ang = np.radians(np.arange(0, 360, 60))
        for i, cx in enumerate(np.arange(x0 - r, x1 + 2 * r, 1.5 * r)):
            off = 0.0 if i % 2 == 0 else step / 2
            for cy in np.arange(y0 - step + off, y1 + step, step):
                cells.append(
                    shapely.Polygon(np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)]))
                )
    else:
        for x in np.arange(x0, x1, step):
            for y in np.arange(y0, y1, step):
                cells.append(shapely.box(x, y, x + step, y + step))
    clipped = shapely.intersection(np.array(cells, dtype=object), area)
    keep = ~shapely.is_empty(clipped) & (shapely.area(clipped) > 1.0)
    clipped = clipped[keep]
    ids = [f"{prefix}{i:04d}" for i in range(1, len(clipped) + 1)]
    return gpd.GeoDataFrame({"code": ids}, geometry=list(clipped), crs=crs)
