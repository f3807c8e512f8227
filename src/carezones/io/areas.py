"""Read areas: a study boundary, localities, last year's zones or areal units (polygons).

:func:`read_areas` reads one polygon layer of a GeoPackage, GeoJSON or shapefile and checks it in
one pass: the file can be read as a spatial layer (not a CSV, not a binary or damaged file), of
a size carezones reads, it has one layer or the layer is named, it has valid polygons and a CRS,
and, when an id column is asked for, every feature has its own id. Every problem is raised
together as one :class:`~carezones.ValidationError`, like the point readers'.

:func:`check_polygons` is the one check of polygons, for every polygon input (a boundary,
localities, previous zones, units, preferred areas, sites): a polygon that is not valid, such
as a bow-tie outline that crosses itself, is refused with its row, shapely's reason and the
fix, never repaired silently (a repaired bow-tie loses half its area, and the clients in it).
:func:`check_areas` applies it to polygons given in memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pyogrio
import shapely

from carezones.errors import Argument, Ask, Fix, Problems, listing
from carezones.io._cells import PathLike, is_blank
from carezones.io._limits import check_file_size, check_layer

__all__ = ["INVALID_POLYGON_FIX", "check_areas", "check_polygons", "read_areas"]

INVALID_POLYGON_FIX = (
    "redraw the outline so that it does not cross itself, or repair it (QGIS: Vector > "
    "Geometry Tools > Fix Geometries; Python: shapely.make_valid) and check the result"
)
"""How to put right a polygon that is not valid."""

_SPATIAL_FIX = (
    "give a GeoPackage (.gpkg), GeoJSON (.geojson) or shapefile (.shp) of polygons, e.g. "
    "exported from QGIS or ArcGIS"
)


def read_areas(
    source: PathLike | gpd.GeoDataFrame,
    *,
    what: str = "areas",
    id_column: str | None = None,
    layer: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read and check a layer of polygons; return it in WGS84 with a ``source_row`` column.

    Parameters
    ----------
    source : str, os.PathLike or geopandas.GeoDataFrame
        A GeoPackage, GeoJSON or shapefile (or a GeoDataFrame to check).
    what : str, default "areas"
        What the areas are, for messages ("boundary", "localities", "previous zones", "units").
    id_column : str, optional
        A column that must name every area once (e.g. ``zone_id`` or a unit code); its values
        are kept as text.
    layer : str or int, optional
        The layer to read from a file with several.

    Returns
    -------
    geopandas.GeoDataFrame
        The areas (valid polygons and multipolygons) in EPSG:4326, with their columns and
        ``source_row`` (the feature's number, from 1).

    Raises
    ------
    ValidationError
        Every problem found, each with the feature's number and a fix: a polygon that is not
        valid (:func:`check_polygons`) among them.
    FileNotFoundError
        When there is no such file.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> squares = [shapely.box(486000, 308000, 490000, 312000),
    ...            shapely.box(490000, 308000, 494000, 312000)]
    >>> zones = gpd.GeoDataFrame({"zone_id": [1, 2]}, geometry=squares, crs="EPSG:27700")
    >>> areas = read_areas(zones, what="previous zones", id_column="zone_id")
    >>> areas.zone_id.tolist(), areas.source_row.tolist(), areas.crs.to_string()
    (['1', '2'], [1, 2], 'EPSG:4326')
    >>> twice = zones.assign(zone_id=[1, 1])
    >>> read_areas(twice, what="zones", id_column="zone_id")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: zones (GeoDataFrame): 1 problem(s) in 1 row(s):
      - row 2, column 'zone_id' (value 1): duplicate id (first used by feature 1). Fix: ...
    ...
    """
    if isinstance(source, gpd.GeoDataFrame):
        label, gdf = "GeoDataFrame", source.copy()
        probs = Problems(f"{what} (GeoDataFrame)")
    else:
        path = Path(os.fspath(source))
        label = path.name
        probs = Problems(f"{what} ({label})")
        gdf = _read_layer(path, layer, probs)
    probs.start(np.arange(1, len(gdf) + 1))
    if len(gdf) == 0:
        probs.stop(f"the layer has no {what}", "export the layer again with its features")
    if gdf.crs is None:
        probs.add_file(
            "the layer has no coordinate reference system (CRS)",
            "set the layer's CRS (e.g. EPSG:27700 for British National Grid) and save it again",
        )
    geoms = gdf.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = np.asarray(shapely.get_type_id(geoms))
    polygon = np.isin(kinds, (3, 6))  # Polygon, MultiPolygon
    for pos in np.flatnonzero(missing):
        probs.add(pos, "geometry", None, "the feature has no geometry", "draw it or delete it")
    for pos in np.flatnonzero(~missing & ~polygon):
        probs.add(
            pos,
            "geometry",
            geoms[pos].geom_type,
            f"{what} must be polygons",
            "give polygons (areas), not points or lines",
        )
    check_polygons(geoms, probs, checked=~missing & polygon)
    if id_column is not None:
        _check_ids(gdf, id_column, what, probs)
    probs.raise_if_any()
    out = gdf.to_crs("EPSG:4326")
    out["source_row"] = np.arange(1, len(out) + 1)
    if id_column is not None:
        out[id_column] = [_id_text(v) for v in out[id_column]]
    out.attrs["carezones_read"] = {"source": label, "what": what}
    return out.reset_index(drop=True)


def check_polygons(
    geoms: npt.ArrayLike,
    probs: Problems,
    *,
    column: str = "geometry",
    checked: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Record every polygon that is not valid as a problem of its row; return which they are.

    The one check of every polygon input: a bow-tie outline that crosses itself, a ring that
    touches itself, a hole outside its polygon... each is a problem of its row, with
    shapely's reason (where it is) and :data:`INVALID_POLYGON_FIX`.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        The geometries, one per position of ``probs``' table (points are always valid).
    probs : Problems
        Where the problems are recorded.
    column : str, default "geometry"
        The column named in the problems.
    checked : numpy.ndarray of bool, optional
        Which positions to check (default: every one with a geometry).

    Returns
    -------
    numpy.ndarray of bool
        Which positions hold a polygon that is not valid.

    Examples
    --------
    >>> bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> probs = Problems("zones.gpkg", rows=[1, 2])
    >>> check_polygons([shapely.box(0, 0, 1, 1), bow], probs)
    array([False,  True])
    >>> probs.items[0].row, probs.items[0].reason
    (2, 'the polygon is not valid (Self-intersection[0.5 0.5]): e.g. its outline crosses itself')
    """
    values = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(values) | shapely.is_empty(values))
    check = present if checked is None else present & checked
    invalid = np.zeros(len(values), dtype=bool)
    invalid[check] = ~shapely.is_valid(values[check])
    for pos in np.flatnonzero(invalid):
        probs.add(
            pos,
            column,
            values[pos].geom_type,
            f"the polygon is not valid ({shapely.is_valid_reason(values[pos])}): e.g. its "
            "outline crosses itself",
            INVALID_POLYGON_FIX,
        )
    return invalid


def check_areas(areas: gpd.GeoDataFrame | gpd.GeoSeries, what: str) -> None:
    """Refuse polygons given in memory that are not valid (see :func:`check_polygons`).

    Rows are named by their ``source_row`` when the table has one (it was read from a file),
    else from 1.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame or geopandas.GeoSeries
        The polygons (other geometries are left to their reader).
    what : str
        What they are, for the message ("boundary", "localities", "sites"...).

    Raises
    ------
    ValidationError
        Naming every row whose polygon is not valid.

    Examples
    --------
    >>> bow = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    >>> check_areas(gpd.GeoSeries([bow], crs=27700), "boundary")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: boundary: 1 problem(s) in 1 row(s):
      - row 1, column 'geometry' (value 'Polygon'): the polygon is not valid (Self-intersection...
    ...
    """
    geoms = np.asarray(areas.geometry if isinstance(areas, gpd.GeoDataFrame) else areas)
    rows = np.arange(1, len(geoms) + 1)
    if isinstance(areas, gpd.GeoDataFrame) and "source_row" in areas.columns:
        rows = areas["source_row"].to_numpy()
    label = areas.attrs.get("carezones_read", {}).get("source")
    probs = Problems(f"{what} ({label})" if label else what, rows=rows)
    check_polygons(geoms, probs)
    probs.raise_if_any()


def _read_layer(path: Path, layer: str | int | None, probs: Problems) -> gpd.GeoDataFrame:
    """Read one layer of a spatial file, with the reasons it cannot be read as problems."""
    if not path.exists():
        raise FileNotFoundError(f"no such file: '{path}'")
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        probs.stop(f"'{path.name}' is a folder, not a file", _SPATIAL_FIX)
    if path.is_file():
        check_file_size(path, probs)
    if path.suffix.lower() in (".csv", ".txt", ".tsv", ".xlsx", ".xls"):
        probs.stop(f"a {path.suffix} file holds a table, not polygons", _SPATIAL_FIX)
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception:  # pyogrio raises several kinds of error for unreadable files
        probs.stop(
            "the file cannot be read as a spatial layer (it may be damaged, binary or of "
            "another kind)",
            _SPATIAL_FIX,
        )
    if layer is None and len(layers) > 1:
        probs.stop(
            f"the file has {len(layers)} layers ({listing(layers)}), so which to read is not clear",
            Fix(argument=Argument.LAYER, ask=Ask.NAME, example=layers[0], about="layer"),
        )
    if layer is not None and not (
        (isinstance(layer, int) and 0 <= layer < len(layers)) or layer in layers
    ):
        probs.stop(
            f"the file has no layer {layer!r}",
            Fix(argument=Argument.LAYER, ask=Ask.ONE_OF, choices=tuple(layers)),
        )
    check_layer(path, layer, probs)
    try:
        gdf = gpd.read_file(path, layer=layer if layer is not None else 0)
    except Exception as exc:
        probs.stop(f"the layer cannot be read ({type(exc).__name__})", _SPATIAL_FIX)
    if not isinstance(gdf, gpd.GeoDataFrame) or gdf.geometry.name not in gdf.columns:
        probs.stop("the layer has no geometry: it is a table, not areas", _SPATIAL_FIX)
    return gdf


def _check_ids(gdf: gpd.GeoDataFrame, column: str, what: str, probs: Problems) -> None:
    """Report a missing id column, and blank or repeated ids."""
    if column not in gdf.columns:
        probs.add_file(
            f"no '{column}' column; columns found: {listing([c for c in gdf.columns])}",
            f"add a column '{column}' naming each of the {what}, or name the column to use",
            column=column,
        )
        return
    first: dict[str, int] = {}
    for pos, value in enumerate(gdf[column].tolist()):
        if is_blank(value):
            probs.add(pos, column, None, "missing id", f"give every feature an id in '{column}'")
            continue
        ident = _id_text(value)
        if ident in first:
            probs.add(
                pos,
                column,
                value,
                f"duplicate id (first used by feature {first[ident] + 1})",
                "give each feature its own id, or merge the features",
            )
        else:
            first[ident] = pos


def _id_text(value: object) -> str:
    """Return an id as text; 3.0 becomes '3'."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()
