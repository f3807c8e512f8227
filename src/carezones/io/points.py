"""Read client, visit, carer and site locations from council files, checked in one pass.

Councils export their data as CSV or Excel, GeoPackage or GeoJSON, with coordinates as WGS84
latitude/longitude, as British National Grid easting/northing (EPSG:27700), or only as
postcodes. :func:`read_points` reads any of these, finds the coordinate (or postcode) columns,
works out the coordinate reference system, converts to EPSG:4326 and checks every row. Every
problem found is reported together, each with its row number and a fix; nothing stops at the
first bad row. :func:`read_clients` adds the client id and weekly hours columns.

Both take the file and the few keywords most calls need (``area=``, ``sheet=``, ``errors=``);
how the rows are located (the CRS, coordinate columns, postcode lookup, id column, how far
outside the network a row may lie, polygons) is a :class:`~carezones.io.ReadOptions`, which
every file of a command shares.

Row numbers: CSV and Excel rows are numbered as a spreadsheet shows them. The header is row 1,
so the first data row is row 2 (blank lines count, as they do in Excel). GeoPackage and GeoJSON
features and the records of a DataFrame are numbered from 1. The ``source_row`` column of the
result and the ``row`` column of the problems table both use this number.

The work is shared with private modules: :mod:`~carezones.io._table` reads the file,
:mod:`~carezones.io._crs` finds the coordinate columns and their CRS,
:mod:`~carezones.io._postcodes` reads postcode lookups, :mod:`~carezones.io._locate` locates
each row and :mod:`~carezones.io._cells` holds the column aliases and the cell parsing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.errors import Argument, ArgumentError, Ask, Fix, Problems, Reason, listing
from carezones.io._cells import (
    CLIENT_ID_ALIASES,
    EASTING_ALIASES,
    HOURS_ALIASES,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    POSTCODE_ALIASES,
    as_float,
    find_column,
    find_named,
    is_blank,
    numbers,
    shown,
)
from carezones.io._crs import (
    WGS84,
    Area,
    area_geometry,
    detect_coordinates,
    looks_swapped,
    parse_crs,
    unit_from_values,
)
from carezones.io._locate import Located, locate, new_located
from carezones.io._table import Source, Table, read_table, source_name
from carezones.io.options import AreaLike, ReadOptions

# The column aliases live in _cells, beside the name matching that the other modules share;
# they are part of this module's API.
__all__ = [
    "CLIENT_ID_ALIASES",
    "EASTING_ALIASES",
    "HOURS_ALIASES",
    "HOURS_IN_WEEK",
    "LATITUDE_ALIASES",
    "LONGITUDE_ALIASES",
    "NORTHING_ALIASES",
    "POSTCODE_ALIASES",
    "SCORE_RANGE",
    "Collected",
    "ColumnSpec",
    "Errors",
    "check_scores",
    "read_clients",
    "read_points",
]

logger = logging.getLogger("carezones")

type ColumnSpec = str | tuple[str, ...]
type Errors = Literal["raise", "collect"]

HOURS_IN_WEEK = 168.0
SCORE_RANGE = (0.0, 100.0)
"""The range of a site's suitability score (:func:`check_scores`)."""
_HOURS_RE = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:h|hr|hrs|hour|hours)?\.?$", flags=re.IGNORECASE
)


class Collected(NamedTuple):
    """Result of reading with ``errors="collect"``.

    Parameters
    ----------
    valid : geopandas.GeoDataFrame
        The rows that passed every check, exactly as :func:`read_points` returns them.
    rejected : pandas.DataFrame
        The problems table (columns ``row, column, value, reason, fix``), one row per problem:
        a row with two problems appears twice. Every input row is either in ``valid`` or
        named here.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"lat": [52.6, 95.0], "lon": [-0.7, -0.7]})
    >>> valid, rejected = read_points(table, errors="collect")
    >>> len(valid), rejected.row.tolist()
    (1, [2])
    """

    valid: gpd.GeoDataFrame
    rejected: pd.DataFrame


# --------------------------------------------------------------------------------------------
# Other columns: required, numeric, ids, hours


@dataclass(frozen=True)
class _Field:
    """A column a reader needs, how to find it and how to check it."""

    name: str
    aliases: tuple[str, ...]
    kind: Literal["text", "number", "id", "hours"]
    not_blank: bool = True
    given: str | None = None
    parameter: Argument | None = None
    rename: bool = True
    optional: bool = False  # a missing column is no problem (a number column: blank rows)
    minimum: float | None = None  # a number below it is reported (numbers only)


def _spec_fields(required: Iterable[ColumnSpec], numeric: Iterable[ColumnSpec]) -> list[_Field]:
    """Turn ``required=``/``numeric=`` into fields; a tuple is (output name, *aliases)."""

    def parts(spec: ColumnSpec) -> tuple[str, tuple[str, ...]]:
        names = (spec,) if isinstance(spec, str) else tuple(spec)
        if not names:
            raise ValueError("an empty tuple was given in required= or numeric=")
        return names[0], names

    req = dict(parts(s) for s in required)
    num = dict(parts(s) for s in numeric)
    fields = [_Field(n, a, "number", not_blank=n in req) for n, a in num.items()]
    return fields + [_Field(n, a, "text") for n, a in req.items() if n not in num]


def _resolve_fields(
    columns: Sequence[str], fields: list[_Field], probs: Problems
) -> list[tuple[_Field, str]]:
    """Find each field's column; a missing one is a file-level problem (checking goes on)."""
    resolved = []
    for f in fields:
        col = find_named(columns, f.given) if f.given else find_column(columns, f.aliases)
        if col is not None:
            resolved.append((f, col))
        elif f.optional and not f.given:
            continue
        elif f.given and f.parameter is not None:
            probs.add_file(
                Reason(f"column '{f.given}' given by ", f.parameter, after=" is not in the file"),
                Fix(argument=f.parameter, ask=Ask.COLUMN, choices=tuple(columns)),
                column=f.given,
            )
        else:
            also = f" (also accepted: {', '.join(f.aliases[1:])})" if len(f.aliases) > 1 else ""
            add = f"add a column named '{f.name}'{also}"
            probs.add_file(
                f"no '{f.name}' column; columns found: {listing(columns)}",
                Fix(add, f.parameter, about="the name of your column") if f.parameter else add,
                column=f.name,
            )
    return resolved


def _client_fields(
    id_column: str | None,
    hours_column: str | None,
    required: Iterable[ColumnSpec],
    numeric: Iterable[ColumnSpec],
) -> list[_Field]:
    """Return the fields of clients: id and weekly hours, then ``required``/``numeric``.

    The id and hours columns are found by their aliases unless named.
    """
    return [
        _Field("client_id", CLIENT_ID_ALIASES, "id", given=id_column, parameter=Argument.ID_COLUMN),
        _Field(
            "hours_per_week",
            HOURS_ALIASES,
            "hours",
            given=hours_column,
            parameter=Argument.HOURS_COLUMN,
        ),
        *_spec_fields(required, numeric),
    ]


def _check_field(cells: pd.Series, f: _Field, col: str, probs: Problems) -> pd.Series | None:
    """Check one column; return its converted values (or ``None`` to keep it as is)."""
    if f.kind == "id":
        return _check_ids(cells, col, probs)
    if f.kind == "hours":
        return _check_hours(cells, col, probs)
    if f.kind == "text":
        _check_filled(cells.map(is_blank).to_numpy(dtype=bool), f, col, probs)
        return None
    values, blank, bad = numbers(cells)
    _check_filled(blank, f, col, probs)
    cell_values = cells.to_numpy(dtype=object)
    for pos in np.flatnonzero(bad):
        probs.add(
            pos,
            col,
            cell_values[pos],
            f"{f.name} is not a number",
            f"write '{col}' as a number such as 12.5 (digits and a dot for decimals only)",
        )
    if f.minimum is not None:
        for pos in np.flatnonzero(~blank & ~bad & (values < f.minimum)):
            probs.add(
                pos,
                col,
                cell_values[pos],
                f"{f.name} is below {f.minimum:g}",
                f"write '{col}' as a number of at least {f.minimum:g}",
            )
    return pd.Series(values, index=cells.index, dtype=float)


def _check_filled(blank: npt.NDArray[np.bool_], f: _Field, col: str, probs: Problems) -> None:
    """Report blank cells of a column that must be filled in."""
    if f.not_blank:
        for pos in np.flatnonzero(blank):
            probs.add(pos, col, None, f"missing {f.name}", f"fill in '{col}' or delete the row")


def _id_text(cell: object) -> str:
    """Return an id as text; Excel's 1001.0 becomes '1001'."""
    if isinstance(cell, float | np.floating) and float(cell).is_integer():
        return str(int(cell))
    return str(cell).strip()


def _check_ids(cells: pd.Series, col: str, probs: Problems) -> pd.Series:
    """Report missing ids and repeated ids (each repeat names the row of the first use)."""
    first: dict[str, int] = {}
    ids: list[str | None] = []
    for pos, cell in enumerate(cells.tolist()):
        if is_blank(cell):
            probs.add(pos, col, None, "missing id", f"give every row its own id in '{col}'")
            ids.append(None)
            continue
        ident = _id_text(cell)
        ids.append(ident)
        if ident in first:
            probs.add(
                pos,
                col,
                cell,
                f"duplicate id (first used in row {probs.rows[first[ident]]})",
                "give each row its own id, or delete the repeated row",
            )
        else:
            first[ident] = pos
    return pd.Series(ids, index=cells.index, dtype="str")


def _parse_hours(cell: object) -> float | None:
    """Return hours from a number or text like '7.5', '5h' or '5 hrs'; ``None`` if not."""
    if isinstance(cell, str):
        match = _HOURS_RE.match(cell.strip())
        return float(match.group(1)) if match else None
    return as_float(cell)


def _check_hours(cells: pd.Series, col: str, probs: Problems) -> pd.Series:
    """Report missing, non-numeric, negative or more-than-a-week hours."""
    hours = np.full(len(cells), np.nan)
    for pos, cell in enumerate(cells.tolist()):
        if is_blank(cell):
            probs.add(
                pos,
                col,
                None,
                "missing hours",
                f"fill in the weekly care hours in '{col}' (0 is allowed)",
            )
            continue
        value = _parse_hours(cell)
        if value is None:
            probs.add(
                pos,
                col,
                cell,
                "hours is not a number",
                "write the weekly hours as a number such as 7.5 (a unit such as '7.5h' or "
                "'7.5 hrs' is accepted; use a dot for decimals)",
            )
        elif value < 0:
            probs.add(pos, col, cell, "negative hours", "hours per week must be 0 or more")
        elif value > HOURS_IN_WEEK:
            probs.add(
                pos,
                col,
                cell,
                f"more than {HOURS_IN_WEEK:g} hours (the hours in a week)",
                "give hours per week, not per month or year; check for a typo",
            )
        else:
            hours[pos] = value
    return pd.Series(hours, index=cells.index, dtype=float)


# --------------------------------------------------------------------------------------------
# Putting it together


def _check_too_long(table: Table, probs: Problems) -> None:
    """Report text rows with more values than the header has columns."""
    for pos, n_values, width in table.too_long:
        probs.add(
            pos,
            None,
            None,
            f"the row has {n_values} values but the header has {width} columns",
            f"a value probably contains the delimiter {table.delimiter!r}: wrap such values in "
            "double quotes, or remove the extra values",
        )


def _check_area(located: Located, area: Area | None, probs: Problems) -> None:
    """Report rows more than ``max_outside_km`` outside the network's area."""
    if area is None:
        return
    live = np.flatnonzero(~probs.bad & (located.geoms != None))  # noqa: E711
    km = area.km(located.geoms[live])
    for pos, dist in zip(live, km, strict=True):
        if dist > area.limit_km:
            probs.add(pos, located.where[pos], located.shown[pos], *_outside(dist, area.limit_km))


def _outside(km: float, limit_km: float) -> tuple[Reason, Fix]:
    """Return the reason and fix of a row ``km`` outside the network's area (over the limit).

    Parameters
    ----------
    km : float
        How far outside the area the row is.
    limit_km : float
        How far outside it a row may lie (``max_outside_km``).

    Returns
    -------
    reason : Reason
        What is wrong, naming the limit.
    fix : Fix
        How to put it right (or raise the limit).

    Examples
    --------
    >>> reason, fix = _outside(12.34, 2.0)
    >>> str(reason)
    '12.3 km outside the area of the road network (more than max_outside_km=2)'
    """
    return (
        Reason(
            f"{km:.1f} km outside the area of the road network (more than ",
            Argument.MAX_OUTSIDE_KM,
            limit_km,
            ")",
        ),
        Fix(
            "check the location of this row for a typo; if it is right, use a road network "
            "that covers it",
            Argument.MAX_OUTSIDE_KM,
            Ask.LARGER,
            joiner=" or ",
        ),
    )


def _output(
    table: Table,
    located: Located,
    converted: list[tuple[_Field, str, pd.Series | None]],
    probs: Problems,
) -> gpd.GeoDataFrame:
    """Build the valid rows: original columns, renamed fields, ``source_row``, geometry."""
    keep = ~probs.bad
    frame = table.frame.loc[keep].copy()
    for col, coords in located.numbers.items():  # coordinates are numbers, not text
        frame[col] = coords[keep]
    renames: dict[str, str] = {}
    for f, col, values in converted:
        target = f.name if f.rename else col
        if values is not None:
            frame[col] = values[keep]
        if target != col:
            if target in frame.columns:
                renames[target] = f"{target}_input"
            renames[col] = target
    for clash in ("geometry", "source_row"):
        if clash in frame.columns and clash not in renames.values():
            renames[clash] = f"{clash}_input"
    frame = frame.rename(columns=renames)
    frame["source_row"] = table.rows[keep]
    geoms = gpd.GeoSeries(list(located.geoms[keep]), crs=WGS84)
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geoms)


def _read(
    source: Source,
    opts: ReadOptions,
    fields: list[_Field],
    *,
    sheet: str | int | None,
    area: AreaLike | None,
    errors: str,
) -> tuple[gpd.GeoDataFrame, Problems]:
    """Read, locate and check every row in one pass: the valid rows and every problem.

    Problems are raised when ``errors`` is ``"raise"``, and problems with the whole file
    always; otherwise the caller has them (and may check more before raising them together).
    """
    _check_errors(errors)
    geom = area_geometry(area)
    zone = Area(geom, opts.max_outside_km) if geom is not None else None
    label = source_name(source)
    probs = Problems(label, show=shown)
    forced = parse_crs(opts.crs, probs)
    table = read_table(source, sheet, probs)
    probs.start(table.rows)
    _check_too_long(table, probs)
    resolved = _resolve_fields(list(table.frame.columns), fields, probs)
    located = locate(table, opts, forced, zone, probs)
    _check_area(located, zone, probs)
    converted = [(f, c, _check_field(table.frame[c], f, c, probs)) for f, c in resolved]
    report = _report(label, table, located, probs)
    in_memory = isinstance(source, pd.DataFrame)  # tables built by code: not worth a line
    logger.log(
        logging.DEBUG if in_memory else logging.INFO,
        "read %(source)s: %(rows_read)d rows, %(rows_valid)d valid, %(rows_rejected)d "
        "rejected; CRS %(crs)s (%(crs_reason)s); delimiter %(delimiter)r, encoding "
        "%(encoding)s; %(geocoded_from_postcode)d located from postcodes",
        report,
    )
    if probs.fatal or errors == "raise":
        probs.raise_if_any()
    valid = _output(table, located, converted, probs)
    valid.attrs["carezones_read"] = report
    return valid, probs


def _check_errors(errors: str) -> None:
    """Check ``errors=``: ``"raise"`` or ``"collect"``.

    Parameters
    ----------
    errors : str
        As given.

    Raises
    ------
    ArgumentError
        When it is neither.

    Examples
    --------
    >>> _check_errors("ignore")
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: errors= must be 'raise' or 'collect', not 'ignore'
    """
    if errors not in ("raise", "collect"):
        raise ArgumentError(
            f"errors= must be 'raise' or 'collect', not {errors!r}",
            argument="errors",
            value=errors,
            allowed="'raise' or 'collect'",
        )


def _trusted(frame: pd.DataFrame, fields: list[_Field]) -> gpd.GeoDataFrame | None:
    """Return the rows :func:`_read` returns for a clean table carezones made, or ``None``.

    The table (a DataFrame with ``lat``/``lon`` in degrees, no area, no sheet) is turned into
    the same rows without the coordinate transformation, the area and swapped-coordinate
    checks row by row: its cells are only converted. ``None`` when anything is not clean (a
    blank or unreadable cell, a value out of range, a repeated id...): read it with
    :func:`_read`, which says what.
    """
    if isinstance(frame, gpd.GeoDataFrame) or not len(frame):
        return None
    probs = Problems(source_name(frame))
    table = read_table(frame, None, probs)
    probs.start(table.rows)
    columns = list(table.frame.columns)
    cols = detect_coordinates(columns, None, None, probs)
    if cols is None or cols.named != "degrees" or {"geometry", "source_row"} & set(columns):
        return None
    lon, lon_blank, lon_bad = numbers(table.frame[cols.x])
    lat, lat_blank, lat_bad = numbers(table.frame[cols.y])
    if (lon_blank | lon_bad | lat_blank | lat_bad).any() or unit_from_values(lon, lat) != "degrees":
        return None
    everyone = np.ones(len(lon), dtype=bool)
    if (np.abs(lon) > 180).any() or (np.abs(lat) > 90).any():
        return None
    if looks_swapped(lon, lat, everyone, None).any():
        return None
    resolved = _resolve_fields(columns, fields, probs)
    converted = [(f, c, _check_field(table.frame[c], f, c, probs)) for f, c in resolved]
    if probs.items or probs.bad.any():
        return None
    why = f"detected from {cols.describe()} with values in degrees (WGS84 latitude/longitude)"
    located = new_located(len(lon), "EPSG:4326", why)
    located.geoms[:] = shapely.points(lon, lat)
    valid = _output(table, located, converted, probs)
    valid.attrs["carezones_read"] = _report(source_name(frame), table, located, probs)
    return valid


def _report(label: str, table: Table, located: Located, probs: Problems) -> dict[str, object]:
    """Return the small reading report stored in ``attrs['carezones_read']``."""
    return {
        "source": label,
        "rows_read": len(table.rows),
        "rows_valid": int((~probs.bad).sum()),
        "rows_rejected": int(probs.bad.sum()),
        "crs": located.crs,
        "crs_reason": located.reason,
        "delimiter": table.delimiter,
        "encoding": table.encoding,
        "geocoded_from_postcode": int((located.geocoded & ~probs.bad).sum()),
    }


# --------------------------------------------------------------------------------------------
# Public readers


@overload
def read_points(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_points(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> Collected: ...
@overload
def read_points(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_points(
    source: Source,
    *,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
    required: Iterable[ColumnSpec] = (),
    numeric: Iterable[ColumnSpec] = (),
) -> gpd.GeoDataFrame | Collected:
    """Read located rows (clients, visits, carers, sites) and check every row in one pass.

    The coordinates are found in this order: the geometry of a GeoPackage, GeoJSON or
    GeoDataFrame; the columns named by the options' ``x``/``y``; columns named like
    latitude/longitude (:data:`LATITUDE_ALIASES`, :data:`LONGITUDE_ALIASES`) or
    easting/northing (:data:`EASTING_ALIASES`, :data:`NORTHING_ALIASES`); finally a postcode
    column (:data:`POSTCODE_ALIASES`) geocoded with the options' ``postcode_lookup``. Rows with
    coordinate columns but blank coordinates are located from their postcode too when a lookup
    is given. Column names match ignoring case, spaces and underscores.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv`` file (delimiter ``,`` ``;`` tab or ``|`` and encoding
        UTF-8, UTF-8 with BOM, UTF-16 with BOM or cp1252 detected), an ``.xlsx`` workbook, a
        ``.gpkg`` or ``.geojson``/``.json`` file, or a (Geo)DataFrame already in memory.
    area : shapely geometry or object with ``area_wgs84``, optional
        The area covered by the road network, in EPSG:4326 (a RoadNetwork can be passed).
        Rows more than the options' ``max_outside_km`` outside it are rejected, and lat/lon
        are reported as swapped when only the swapped values fall within it.
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read: a name or 0-based position. By default
        the first sheet; a GeoPackage with several layers needs it.
    errors : {"raise", "collect"}, default "raise"
        ``"raise"`` raises one :class:`~carezones.ValidationError` listing every problem.
        ``"collect"`` returns :class:`Collected` ``(valid, rejected)`` instead. Problems with
        the whole file (empty or unreadable file, no coordinate columns, a missing required
        column, a bad ``crs``) are raised in both modes, because no row can be checked.
    options : ReadOptions, optional
        How the rows are located and checked: the coordinates' ``crs`` and ``x``/``y``
        columns, the ``postcode_lookup``, an ``id_column`` that must be filled in and unique
        on every row (returned as text; every repeat of an id is rejected, naming the row of
        its first use), ``max_outside_km`` (default 2) and ``allow_polygons`` (accept
        Polygon/MultiPolygon geometries as well as points, for sites).
    required : iterable of str or tuple of str, optional
        Columns that must exist and be filled in on every row, found ignoring case, spaces
        and underscores, and renamed to the name given. A tuple is
        ``(output_name, alias, ...)`` and matches any of its names.
    numeric : iterable of str or tuple of str, optional
        Columns that must exist and hold numbers (blank allowed unless also in
        ``required``); they are returned as floats.

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        The valid rows in EPSG:4326 with every original column (text files keep their cells
        as text), plus ``source_row``: the spreadsheet row number for CSV/Excel (the header
        is row 1, so the first data row is row 2) or the 1-based feature/record number
        otherwise. ``attrs["carezones_read"]`` holds a report: ``source``, ``rows_read``,
        ``rows_valid``, ``rows_rejected``, ``crs``, ``crs_reason``, ``delimiter``,
        ``encoding`` and ``geocoded_from_postcode``; it is also logged at INFO level on the
        ``carezones`` logger (never with row values).

    Raises
    ------
    ValidationError
        When any row or the file has a problem (``errors="raise"``), or the file as a whole
        cannot be used. Each problem names its row and a fix; ``.problems`` is the table.
    ArgumentError
        When ``errors`` is neither ``"raise"`` nor ``"collect"``.
    FileNotFoundError
        When ``source`` is a path that does not exist.

    Examples
    --------
    Sites given as British National Grid easting/northing (detected from the values):

    >>> import pandas as pd
    >>> from carezones.io import ReadOptions, read_points
    >>> table = pd.DataFrame({"site": ["Oakham", "Uppingham"], "Easting": [486000, 487000],
    ...                       "Northing": [308000, 300000]})
    >>> sites = read_points(table, options=ReadOptions(id_column="site"))
    >>> sites.geometry.x.round(3).tolist(), sites.geometry.y.round(3).tolist()
    ([-0.73, -0.717], [52.663, 52.591])
    >>> sites.attrs["carezones_read"]["crs"]
    'EPSG:27700'

    Every problem at once, with ``errors="collect"``:

    >>> table = pd.DataFrame({"lat": [52.6, 95.0, None], "lon": [-0.7, -0.7, -0.71]})
    >>> valid, rejected = read_points(table, errors="collect")
    >>> rejected.row.tolist(), rejected.reason.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ([2, 3], ['latitude out of range (must be between -90 and 90)', 'missing latitude'])
    """
    opts = options or ReadOptions()
    fields = _spec_fields(required, numeric)
    if opts.id_column is not None:
        ident = opts.id_column
        fields.insert(0, _Field(ident, (ident,), "id", given=ident, parameter=Argument.ID_COLUMN))
    valid, probs = _read(source, opts, fields, sheet=sheet, area=area, errors=errors)
    return Collected(valid, probs.table(every_row=True)) if errors == "collect" else valid


@overload
def read_clients(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
    hours_column: str | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_clients(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
    hours_column: str | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> Collected: ...
@overload
def read_clients(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
    hours_column: str | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_clients(
    source: Source,
    *,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
    hours_column: str | None = None,
    required: Iterable[ColumnSpec] = (),
    numeric: Iterable[ColumnSpec] = (),
) -> gpd.GeoDataFrame | Collected:
    """Read clients (people receiving care) with their location and weekly care hours.

    Works like :func:`read_points` (same sources, coordinate and postcode handling, checks
    and row numbers) and also needs a client id column (:data:`CLIENT_ID_ALIASES`, e.g.
    ``client_id``, ``id``, ``service_user_id``, ``ref``) and a weekly hours column
    (:data:`HOURS_ALIASES`, e.g. ``hours_per_week``, ``hours``, ``hrs``). Ids must be filled
    in and unique: every repeat of an id is rejected, naming the row of its first use. Hours
    must be a number from 0 to 168; a unit such as ``"5h"`` or ``"5 hrs"`` is accepted.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The client file or table (see :func:`read_points`).
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area in EPSG:4326; rows more than the options' ``max_outside_km``
        (default 2) outside it are rejected.
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read.
    errors : {"raise", "collect"}, default "raise"
        Raise one :class:`~carezones.ValidationError` with every problem, or return
        :class:`Collected` ``(valid, rejected)``.
    options : ReadOptions, optional
        As for :func:`read_points`; its ``id_column`` names the client id column instead of
        the aliases. Clients are points: ``allow_polygons`` is refused.
    hours_column : str, optional
        The weekly hours column, overriding the aliases.
    required, numeric : iterable of str or tuple of str, optional
        Extra columns to require (see :func:`read_points`).

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        Valid clients in EPSG:4326 with ``client_id`` (text), ``hours_per_week`` (float),
        every other original column untouched, ``source_row`` (spreadsheet row number for
        CSV/Excel, header = row 1; 1-based record number otherwise) and the reading report in
        ``attrs["carezones_read"]``.

    Raises
    ------
    ValidationError
        When any row or the file has a problem (see :func:`read_points`).
    ArgumentError
        When ``errors`` is not a value it can take, or the options allow polygons.

    Examples
    --------
    The tiny synthetic county's clients:

    >>> from carezones.io import read_clients
    >>> clients = read_clients(county.clients_path)
    >>> clients[["client_id", "hours_per_week", "source_row"]].head(3)
      client_id  hours_per_week  source_row
    0    C00001            5.00           2
    1    C00002           22.25           3
    2    C00003            8.00           4

    A council's export located by postcode (here a two-line lookup; a real one is the ONS
    Postcode Directory), with a repeated id:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from carezones.io import ReadOptions
    >>> folder = Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"Client Ref": ["C1", "C2", "C2"], "Hours": ["5h", "12", "3"],
    ...               "Postcode": ["LE15 6AA", "LE15 9BB", "LE15 9BB"]}).to_csv(
    ...     folder / "clients.csv", index=False)
    >>> pd.DataFrame({"postcode": ["LE15 6AA", "LE15 9BB"], "lat": [52.67, 52.6],
    ...               "lon": [-0.73, -0.7]}).to_csv(folder / "lookup.csv", index=False)
    >>> lookup = ReadOptions(postcode_lookup=folder / "lookup.csv")
    >>> valid, rejected = read_clients(folder / "clients.csv", options=lookup, errors="collect")
    >>> valid[["client_id", "hours_per_week", "source_row"]]
      client_id  hours_per_week  source_row
    0        C1             5.0           2
    1        C2            12.0           3
    >>> rejected[["row", "column", "reason"]]
       row      column                              reason
    0    4  Client Ref  duplicate id (first used in row 3)
    """
    opts = options or ReadOptions()
    if opts.allow_polygons:
        raise ArgumentError(
            "allow_polygons is for read_points: clients are points",
            argument="allow_polygons",
            value=True,
            allowed="False for clients",
        )
    fields = _client_fields(opts.id_column, hours_column, required, numeric)
    valid, probs = _read(source, opts, fields, sheet=sheet, area=area, errors=errors)
    return Collected(valid, probs.table(every_row=True)) if errors == "collect" else valid


def check_scores(sites: pd.DataFrame, column: str = "score") -> pd.DataFrame:
    """Check candidate sites' suitability scores: each a number from 0 to 100, or blank.

    As strict as every other reader: each bad cell is a problem of its row (its ``source_row``
    when the sites were read from a file, else its position from 1), all raised together. A
    blank score is a site not scored.

    Parameters
    ----------
    sites : pandas.DataFrame
        The sites, e.g. as :func:`read_points` reads them or the ``scores.csv`` that
        :func:`~carezones.score_sites` writes.
    column : str, default "score"
        The scores' column (nothing is checked when there is none).

    Returns
    -------
    pandas.DataFrame
        A copy of ``sites`` with the scores as floats (NaN: not scored).

    Raises
    ------
    ValidationError
        Naming every row whose score is not a number, or is below 0 or above 100.

    Examples
    --------
    >>> import pandas as pd
    >>> check_scores(pd.DataFrame({"site_id": ["a", "b"], "score": ["71.5", None]})).score.tolist()
    [71.5, nan]
    >>> check_scores(pd.DataFrame({"score": [250, -10, "high"]}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 3 problem(s) in 3 row(s):
      - row 1, column 'score' (value '250'): a score above 100. Fix: ...
    ...
    """
    if column not in sites.columns:
        return sites.copy()
    rows = (
        sites["source_row"].to_numpy()
        if "source_row" in sites.columns
        else np.arange(1, len(sites) + 1)
    )
    label = sites.attrs.get("carezones_read", {}).get("source") or source_name(sites)
    probs = Problems(str(label), rows=rows, show=shown)
    low, high = SCORE_RANGE
    values, blank, bad = numbers(sites[column])
    cells = sites[column].to_numpy(dtype=object)
    fix = (
        f"give the site's suitability score from {low:g} to {high:g} (as in the scores.csv "
        "carezones writes when it scores sites), or leave it blank for a site not scored"
    )
    for pos in np.flatnonzero(bad):
        probs.add(pos, column, cells[pos], "a score must be a number", fix)
    for pos in np.flatnonzero(~blank & ~bad & (values > high)):
        probs.add(pos, column, cells[pos], f"a score above {high:g}", fix)
    for pos in np.flatnonzero(~blank & ~bad & (values < low)):
        probs.add(pos, column, cells[pos], f"a negative score (below {low:g})", fix)
    probs.raise_if_any()
    out = sites.copy()
    out[column] = values
    return out
