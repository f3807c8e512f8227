"""Locate every row of a table: from its geometry, its coordinate columns or its postcode.

Every problem (a missing or non-numeric coordinate, a value out of range, swapped latitude and
longitude, an unknown postcode, a geometry that is not a point...) is recorded against its row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from carezones.errors import Argument, Ask, Fix, Problems, listing
from carezones.io._cells import (
    EASTING_ALIASES,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    POSTCODE_ALIASES,
    PathLike,
    find_column,
    is_blank,
    numbers,
)
from carezones.io._crs import (
    BNG,
    WGS84,
    Area,
    Axis,
    CoordColumns,
    Forced,
    axes,
    coordinate_crs,
    crs_label,
    detect_coordinates,
    looks_swapped,
    unit_from_values,
)
from carezones.io._postcodes import (
    LOOKUP_FIX,
    UK_POSTCODE_RE,
    compact_postcode,
    display_postcode,
    geocode_postcodes,
)
from carezones.io._table import DELIMITERS, Table
from carezones.io.areas import check_polygons
from carezones.io.options import ReadOptions


@dataclass
class Located:
    """Where each row is (EPSG:4326), and how that was found: what :func:`locate` returns.

    Parameters
    ----------
    geoms : numpy.ndarray
        Per row, its shapely geometry in EPSG:4326 (``None`` where it has a problem).
    crs : str
        The CRS the rows were given in (``EPSG:4326``, ``EPSG:27700``, ...).
    reason : str
        How that CRS was found, for the reading report.
    where : numpy.ndarray
        Per row, the columns it was located from (for messages).
    shown : numpy.ndarray
        Per row, its location as given (for messages).
    geocoded : numpy.ndarray
        Per row, whether it was located from its postcode.
    numbers : dict of str to numpy.ndarray
        The coordinate columns read as numbers (NaN where blank or not a number), so that the
        rows a reader returns carry numbers, never text, in them.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import pandas as pd
    >>> from carezones.io._table import read_table
    >>> table = read_table(pd.DataFrame({"lat": [52.6], "lon": [-0.7]}), None, Problems())
    >>> located = locate(table, ReadOptions(), None, None, Problems(rows=table.rows))
    >>> located.crs, located.shown
    ('EPSG:4326', array(['52.6, -0.7'], dtype=object))
    """

    geoms: npt.NDArray[np.object_]
    crs: str
    reason: str
    where: npt.NDArray[np.object_]
    shown: npt.NDArray[np.object_]
    geocoded: npt.NDArray[np.bool_]
    numbers: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)


def locate(
    table: Table, opts: ReadOptions, forced: Forced | None, area: Area | None, probs: Problems
) -> Located:
    """Locate every row from its geometry, coordinate columns or postcode.

    Parameters
    ----------
    table : Table
        The cells read.
    opts : ReadOptions
        The reading options (``crs`` is read into ``forced``).
    forced : Forced or None
        The CRS forced by ``crs=``.
    area : Area or None
        The network's area (rows far outside it are problems).
    probs : Problems
        Where problems are recorded, against the table's rows.

    Returns
    -------
    Located
        Every row's location (``None`` where it has a problem, recorded in ``probs``).

    Raises
    ------
    ValidationError
        When the table has no location at all (no geometry, coordinate or postcode columns),
        or its coordinates' CRS cannot be worked out.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import pandas as pd
    >>> from carezones.io._table import read_table
    >>> table = read_table(pd.DataFrame({"easting": [486000.0], "northing": [308000.0]}),
    ...                    None, Problems())
    >>> located = locate(table, ReadOptions(), None, None, Problems(rows=table.rows))
    >>> point = located.geoms[0]  # in EPSG:4326
    >>> located.crs, round(point.x, 3), round(point.y, 3)
    ('EPSG:27700', -0.73, 52.663)
    """
    geometry = table.geometry
    if geometry is not None and opts.x is None and (geometry.notna() & ~geometry.is_empty).any():
        return _locate_geometry(table, geometry, forced, opts.allow_polygons, area, probs)
    columns = list(table.frame.columns)
    cols = detect_coordinates(columns, opts.x, opts.y, probs)
    postcode = find_column(columns, POSTCODE_ALIASES)
    if cols is not None:
        return _locate_columns(table, cols, postcode, forced, opts, area, probs)
    if postcode is not None:
        return _locate_postcodes(table, postcode, opts.postcode_lookup, probs)
    _no_location_columns(table, columns, probs)


def _no_location_columns(table: Table, columns: list[str], probs: Problems) -> NoReturn:
    """Stop with a problem naming the columns found and the aliases accepted."""
    if len(columns) == 1 and any(d in columns[0] for d in DELIMITERS):
        probs.stop(
            f"the file was read as a single column '{columns[0]}': its separator was not "
            "recognised (or each whole line is wrapped in quotes)",
            "save it again with ',' ';' tab or '|' between the values and quotes only around "
            "single values",
        )
    empty_layer = " (the layer's geometries are all empty)" if table.kind == "vector" else ""
    probs.stop(
        f"no coordinate or postcode columns found{empty_layer}; columns found: {listing(columns)}",
        Fix(
            "name the columns latitude/longitude (also accepted: "
            f"{', '.join(LATITUDE_ALIASES[1:] + LONGITUDE_ALIASES[1:])}), easting/northing (also "
            f"{', '.join(EASTING_ALIASES[1:] + NORTHING_ALIASES[1:])}) or postcode (also "
            f"{', '.join(POSTCODE_ALIASES[1:])})",
            Argument.XY,
        ),
    )


def new_located(n: int, crs: str, reason: str) -> Located:
    """Return where ``n`` rows are before any is located (every geometry ``None``).

    Parameters
    ----------
    n : int
        How many rows.
    crs : str
        The CRS they were given in.
    reason : str
        How that CRS was found.

    Returns
    -------
    Located
        Nothing located yet.

    Examples
    --------
    >>> new_located(2, "EPSG:4326", "given").geoms
    array([None, None], dtype=object)
    """
    return Located(
        geoms=np.full(n, None, dtype=object),
        crs=crs,
        reason=reason,
        where=np.full(n, None, dtype=object),
        shown=np.full(n, None, dtype=object),
        geocoded=np.zeros(n, dtype=bool),
    )


# --------------------------------------------------------------------------------------------
# Coordinate columns


def _locate_columns(
    table: Table,
    cols: CoordColumns,
    postcode: str | None,
    forced: Forced | None,
    opts: ReadOptions,
    area: Area | None,
    probs: Problems,
) -> Located:
    """Locate rows from coordinate columns; rows without them may fall back to postcodes."""
    frame = table.frame
    xs, x_blank, x_bad = numbers(frame[cols.x])
    ys, y_blank, y_bad = numbers(frame[cols.y])
    crs, reason = coordinate_crs(cols, xs, ys, forced, probs)
    located = new_located(len(frame), crs_label(crs), reason)
    located.numbers.update({cols.x: np.asarray(xs, float), cols.y: np.asarray(ys, float)})
    fallback = postcode is not None and opts.postcode_lookup is not None
    by_postcode = (x_blank | y_blank) & ~x_bad & ~y_bad
    if fallback:
        by_postcode &= ~frame[postcode].map(is_blank).to_numpy(dtype=bool)
    else:
        by_postcode[:] = False
    hint = postcode if postcode is not None and not fallback else None
    x_axis, y_axis = axes(crs)
    ok = ~(x_blank | y_blank | x_bad | y_bad)
    for col, axis, values, blank, bad in (
        (cols.y, y_axis, ys, y_blank, y_bad),
        (cols.x, x_axis, xs, x_blank, x_bad),
    ):
        _check_cells(frame[col], blank & ~by_postcode, bad, axis, col, hint, probs)
        ok &= _check_range(frame[col], values, ok, axis, col, probs)
    lon, lat = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    if ok.any():
        to_wgs84 = Transformer.from_crs(crs, WGS84, always_xy=True)
        lon[ok], lat[ok] = to_wgs84.transform(xs[ok], ys[ok])
    failed = ok & ~(np.isfinite(lon) & np.isfinite(lat))
    label = f"{cols.y}, {cols.x}" if cols.named == "degrees" else f"{cols.x}, {cols.y}"
    for pos in np.flatnonzero(failed):
        probs.add(
            pos,
            label,
            f"{xs[pos]:g}, {ys[pos]:g}",
            f"the coordinates could not be converted from {located.crs} to latitude/longitude",
            Fix("check the coordinates", Argument.CRS, Ask.RIGHT),
        )
    ok &= ~failed
    if crs.is_geographic:
        ok &= ~_report_swapped(lon, lat, ok & ~probs.bad, cols, area, probs)
    elif area is not None:
        read = _Read(cols, crs, xs, ys, lon, lat)
        ok &= ~_report_swapped_xy(read, ok & ~probs.bad, area, probs)
    located.geoms[ok] = shapely.points(lon[ok], lat[ok])
    located.where[ok] = label
    located.shown[ok] = [f"{b:.6g}, {a:.6g}" for a, b in zip(lon[ok], lat[ok], strict=True)]
    if by_postcode.any() and postcode is not None:
        _fill_from_postcodes(table, postcode, by_postcode, opts.postcode_lookup, located, probs)
        n = int(located.geocoded.sum())
        located.reason += f"; {n} row(s) without coordinates located from their postcode"
    return located


def _check_cells(
    cells: pd.Series,
    blank: npt.NDArray[np.bool_],
    bad: npt.NDArray[np.bool_],
    axis: Axis,
    column: str,
    postcode: str | None,
    probs: Problems,
) -> None:
    """Report blank and non-numeric coordinate cells.

    A postcode lookup would locate a blank row from its ``postcode`` column, when there is one.
    """
    fill = f"fill in the {axis.name} (e.g. {axis.example}) or delete the row"
    missing = Fix(fill)
    if postcode is not None:
        missing = Fix(
            fill,
            Argument.POSTCODE_LOOKUP,
            Ask.FOR,
            about=f"to locate it from its '{postcode}' column",
        )
    for pos in np.flatnonzero(blank):
        probs.add(pos, column, None, f"missing {axis.name}", missing)
    values = cells.to_numpy(dtype=object)
    for pos in np.flatnonzero(bad):
        cell = values[pos]
        comma = ""
        if "," in str(cell):
            comma = "no commas: a dot for decimals, no thousands separators; "
        probs.add(
            pos,
            column,
            cell,
            f"{axis.name} is not a number",
            f"write the {axis.name} as a decimal number such as {axis.example} ({comma}"
            "digits, minus sign and a dot only; convert degrees/minutes/seconds)",
        )


def _check_range(
    cells: pd.Series,
    values: npt.NDArray[np.float64],
    ok: npt.NDArray[np.bool_],
    axis: Axis,
    column: str,
    probs: Problems,
) -> npt.NDArray[np.bool_]:
    """Report values outside the axis range; return which rows are in range."""
    if axis.low is None or axis.high is None:
        return np.ones(len(values), dtype=bool)
    outside = ok & ((values < axis.low) | (values > axis.high))
    for pos in np.flatnonzero(outside):
        probs.add(
            pos,
            column,
            cells.iloc[pos],
            f"{axis.name} out of range (must be between {axis.low:g} and {axis.high:g})",
            f"{axis.fix} (e.g. {axis.example})",
        )
    return ~outside


def _report_swapped(
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    live: npt.NDArray[np.bool_],
    cols: CoordColumns | None,
    area: Area | None,
    probs: Problems,
) -> npt.NDArray[np.bool_]:
    """Report rows whose latitude and longitude look swapped; return them."""
    swapped = looks_swapped(lon, lat, live, area)
    place = "the network's area" if area is not None else "Great Britain"
    names = f"'{cols.y}' and '{cols.x}'" if cols is not None else "latitude and longitude"
    for pos in np.flatnonzero(swapped):
        probs.add(
            pos,
            f"{cols.y}, {cols.x}" if cols is not None else "geometry",
            f"lat={lat[pos]:.6g}, lon={lon[pos]:.6g}",
            f"latitude and longitude look swapped (the other way round they fall in {place})",
            f"swap the values of {names} in this row (latitude is the north-south number, about "
            "49.8 to 60.9 in Great Britain); if every row is affected, the column headers are "
            "the wrong way round",
        )
    return swapped


@dataclass(frozen=True)
class _Read:
    """Coordinate columns as read (``xs``, ``ys`` in ``crs``) and converted (``lon``, ``lat``)."""

    cols: CoordColumns
    crs: CRS
    xs: npt.NDArray[np.float64]
    ys: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]


def _report_swapped_xy(
    read: _Read, live: npt.NDArray[np.bool_], area: Area, probs: Problems
) -> npt.NDArray[np.bool_]:
    """Report rows whose easting and northing fall in the area only the other way round."""
    cols, crs, xs, ys, lon, lat = read.cols, read.crs, read.xs, read.ys, read.lon, read.lat
    cand = np.flatnonzero(live)
    swapped = np.zeros(len(xs), dtype=bool)
    if not len(cand):
        return swapped
    far = cand[~area.near(lon[cand], lat[cand])]
    if not len(far):
        return swapped
    s_lon, s_lat = Transformer.from_crs(crs, WGS84, always_xy=True).transform(ys[far], xs[far])
    fine = np.isfinite(s_lon) & np.isfinite(s_lat)
    hit = far[fine][area.near(np.asarray(s_lon)[fine], np.asarray(s_lat)[fine])]
    swapped[hit] = True
    for pos in hit:
        probs.add(
            pos,
            f"{cols.x}, {cols.y}",
            f"{cols.x}={xs[pos]:.10g}, {cols.y}={ys[pos]:.10g}",
            "easting and northing look swapped (the other way round they fall in the "
            "network's area)",
            f"swap the values of '{cols.x}' and '{cols.y}' in this row (the easting is the "
            "west-east number); if every row is affected, the column headers are the wrong way "
            "round",
        )
    return swapped


# --------------------------------------------------------------------------------------------
# Postcodes


def _locate_postcodes(
    table: Table, postcode: str, lookup: PathLike | None, probs: Problems
) -> Located:
    """Locate every row from its postcode."""
    if lookup is None:
        probs.stop(
            f"the file has postcodes (column '{postcode}') but no coordinate columns, and no "
            "postcode lookup was given",
            LOOKUP_FIX,
            column=postcode,
        )
    name = Path(os.fspath(lookup)).name
    located = new_located(len(table.frame), "EPSG:4326", f"geocoded from postcodes using '{name}'")
    everything = np.ones(len(table.frame), dtype=bool)
    _fill_from_postcodes(table, postcode, everything, lookup, located, probs)
    return located


def _fill_from_postcodes(
    table: Table,
    column: str,
    mask: npt.NDArray[np.bool_],
    lookup: PathLike | None,
    located: Located,
    probs: Problems,
) -> None:
    """Geocode the rows in ``mask`` from their postcode, reporting bad or unknown ones."""
    assert lookup is not None
    keys: dict[int, str] = {}
    for pos in map(int, np.flatnonzero(mask)):
        cell = table.frame[column].iloc[pos]
        if is_blank(cell):
            probs.add(
                pos,
                column,
                None,
                "missing postcode",
                "fill in the postcode, or give the coordinates of this row",
            )
            continue
        key = compact_postcode(cell)
        if not UK_POSTCODE_RE.match(key):
            probs.add(
                pos,
                column,
                cell,
                "not a valid UK postcode",
                "check the postcode: a UK postcode looks like 'LE15 6AA' (area letters and "
                "district digits, a space, then a digit and two letters)",
            )
            continue
        keys[pos] = key
    found = geocode_postcodes(set(keys.values()), lookup, probs) if keys else {}
    name = Path(os.fspath(lookup)).name
    for pos, key in keys.items():
        if key not in found:
            probs.add(
                pos,
                column,
                table.frame[column].iloc[pos],
                f"unknown postcode (not in the lookup file '{name}')",
                f"check the postcode, or add it to the lookup file '{name}' (a newer ONS "
                "Postcode Directory may have it), or give the coordinates of this row",
            )
            continue
        lon, lat = found[key]
        located.geoms[pos] = shapely.Point(lon, lat)
        located.where[pos] = column
        located.shown[pos] = display_postcode(key)
        located.geocoded[pos] = True


# --------------------------------------------------------------------------------------------
# Geometry sources (GeoPackage, GeoJSON, GeoDataFrame)


def _locate_geometry(
    table: Table,
    geometry: gpd.GeoSeries,
    forced: Forced | None,
    allow_polygons: bool,
    area: Area | None,
    probs: Problems,
) -> Located:
    """Locate rows from their geometries, converted to EPSG:4326."""
    col = table.geometry_column
    allowed = {"Point", "Polygon", "MultiPolygon"} if allow_polygons else {"Point"}
    missing = (geometry.isna() | geometry.is_empty).to_numpy(dtype=bool)
    types = geometry.geom_type.to_numpy(dtype=object)
    for pos in np.flatnonzero(missing):
        probs.add(
            pos,
            col,
            None,
            "missing or empty geometry",
            "give this feature a location (draw it in QGIS) or delete it",
        )
    wrong = ~missing & ~np.isin(types, list(allowed))
    fix = (
        Fix("convert these features to points or polygons")
        if allow_polygons
        else Fix(
            "convert the features to points (e.g. gdf.representative_point())",
            Argument.ALLOW_POLYGONS,
            Ask.TRUE,
            first=True,
        )
    )
    for pos in np.flatnonzero(wrong):
        probs.add(pos, col, types[pos], f"geometry is a {types[pos]}, not a point", fix)
    ok = ~missing & ~wrong
    ok &= ~check_polygons(geometry.to_numpy(dtype=object), probs, column=col, checked=ok)
    source_crs, reason = _geometry_crs(table, geometry, ok, forced, probs)
    located = new_located(len(geometry), crs_label(source_crs), reason)
    if not ok.any():
        return located
    moved = gpd.GeoSeries(geometry[ok].to_numpy(), crs=source_crs).to_crs(WGS84)
    bounds = moved.bounds.to_numpy(dtype=float)
    fine = np.isfinite(bounds).all(axis=1)
    fine &= (np.abs(bounds[:, [0, 2]]) <= 180).all(axis=1)
    fine &= (np.abs(bounds[:, [1, 3]]) <= 90).all(axis=1)
    positions = np.flatnonzero(ok)
    for pos in positions[~fine]:
        probs.add(
            pos,
            col,
            None,
            f"coordinates outside the valid latitude/longitude range once converted from "
            f"{located.crs}",
            Fix("check the coordinates of this feature", Argument.CRS, Ask.RIGHT),
        )
    geoms = moved.to_numpy(dtype=object)
    lon, lat = np.full(len(geometry), np.nan), np.full(len(geometry), np.nan)
    points = positions[fine & (moved.geom_type == "Point").to_numpy(dtype=bool)]
    lon[points] = shapely.get_x(geoms[np.searchsorted(positions, points)])
    lat[points] = shapely.get_y(geoms[np.searchsorted(positions, points)])
    keep = positions[fine]
    if source_crs.is_geographic:
        live = np.isfinite(lon) & ~probs.bad
        swapped = _report_swapped(lon, lat, live, None, area, probs)
        keep = keep[~swapped[keep]]
    located.geoms[keep] = geoms[np.searchsorted(positions, keep)]
    located.where[keep] = col
    located.shown[keep] = [_geometry_text(g) for g in located.geoms[keep]]
    return located


def _geometry_text(geom: shapely.Geometry) -> str:
    """Return a short 'lat, lon' text of a geometry's representative point."""
    point = geom.representative_point()
    return f"{point.y:.6g}, {point.x:.6g}"


def _geometry_crs(
    table: Table,
    geometry: gpd.GeoSeries,
    ok: npt.NDArray[np.bool_],
    forced: Forced | None,
    probs: Problems,
) -> tuple[CRS, str]:
    """Return the CRS of a geometry column: forced, from the layer, or from its values."""
    where = {"vector": "the file's layer", "frame": "the GeoDataFrame"}.get(table.kind, "")
    if forced is not None:
        was = f" (the data said {crs_label(geometry.crs)})" if geometry.crs is not None else ""
        return forced.crs, f"forced by crs={forced.text}{was}"
    if geometry.crs is not None:
        return CRS.from_user_input(geometry.crs), f"from {where}"
    bounds = geometry[ok].bounds.to_numpy(dtype=float)
    unit = unit_from_values(bounds[:, 0], bounds[:, 1])
    if unit == "bng":
        return BNG, f"{where} has no CRS; detected British National Grid from the values"
    if unit in ("degrees", "none"):
        return WGS84, f"{where} has no CRS; detected WGS84 degrees from the values"
    probs.stop(
        f"{where} has no CRS and its coordinates are neither degrees nor British National "
        "Grid metres",
        Fix(
            argument=Argument.CRS,
            example="EPSG:3857",
            about="the coordinate reference system of the data",
        ),
    )
