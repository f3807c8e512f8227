"""Read client, visit, carer and site locations from council files, checked in one pass.

Councils export their data as CSV or Excel, GeoPackage or GeoJSON, with coordinates as WGS84
latitude/longitude, as British National Grid easting/northing (EPSG:27700), or only as
postcodes. :func:`read_points` reads any of these, finds the coordinate (or postcode) columns,
works out the coordinate reference system, converts to EPSG:4326 and checks every row. Every
problem found is reported together, each with its row number and a fix; nothing stops at the
first bad row. :func:`read_clients` adds the client id and weekly hours columns.

Row numbers: CSV and Excel rows are numbered as a spreadsheet shows them. The header is row 1,
so the first data row is row 2 (blank lines count, as they do in Excel). GeoPackage and GeoJSON
features and the records of a DataFrame are numbered from 1. The ``source_row`` column of the
result and the ``row`` column of the problems table both use this number.
"""

from __future__ import annotations

import codecs
import csv
import logging
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, NoReturn, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import openpyxl
import pandas as pd
import pyogrio
import shapely
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from carezones.errors import PROBLEM_COLUMNS, ValidationError

if TYPE_CHECKING:
    from carezones.vrp import VrptwInstance, VrptwSolution

__all__ = [
    "CLIENT_ID_ALIASES",
    "EASTING_ALIASES",
    "HOURS_ALIASES",
    "LATITUDE_ALIASES",
    "LONGITUDE_ALIASES",
    "NORTHING_ALIASES",
    "POSTCODE_ALIASES",
    "Collected",
    "read_clients",
    "read_points",
]

logger = logging.getLogger("carezones")

type PathLike = str | os.PathLike[str]
type Source = PathLike | pd.DataFrame
type ColumnSpec = str | tuple[str, ...]
type Errors = Literal["raise", "collect"]

# Column names are matched ignoring case, spaces, underscores and other punctuation, so
# "Lat WGS84", "lat_wgs84" and "LATWGS84" are the same. Earlier aliases win.
LATITUDE_ALIASES: tuple[str, ...] = ("latitude", "lat", "lat_wgs84", "y")
LONGITUDE_ALIASES: tuple[str, ...] = ("longitude", "lon", "lng", "long", "lon_wgs84", "x")
EASTING_ALIASES: tuple[str, ...] = ("easting", "eastings", "east", "x_bng", "oseast1m", "east1m")
NORTHING_ALIASES: tuple[str, ...] = (
    "northing",
    "northings",
    "north",
    "y_bng",
    "osnrth1m",
    "north1m",
)
POSTCODE_ALIASES: tuple[str, ...] = (
    "postcode",
    "post_code",
    "postal_code",
    "pcds",
    "pcd",
    "pcd2",
    "pcd7",
    "pcd8",
    "zip",
)
CLIENT_ID_ALIASES: tuple[str, ...] = (
    "client_id",
    "clientid",
    "id",
    "client",
    "client_ref",
    "person_id",
    "service_user_id",
    "su_id",
    "ref",
    "reference",
)
HOURS_ALIASES: tuple[str, ...] = (
    "hours_per_week",
    "hours",
    "weekly_hours",
    "hours_week",
    "care_hours",
    "hrs",
    "hrs_per_week",
)

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
VECTOR_SUFFIXES = frozenset({".gpkg", ".geojson", ".json"})
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
# Great Britain as (lon_min, lat_min, lon_max, lat_max) in degrees.
GB_BOUNDS: tuple[float, float, float, float] = (-8.7, 49.8, 1.9, 60.9)
# British National Grid as (easting_min, northing_min, easting_max, northing_max) in metres.
BNG_BOUNDS: tuple[float, float, float, float] = (0.0, 0.0, 700_000.0, 1_300_000.0)
HOURS_IN_WEEK = 168.0
# ONSPD writes this latitude for postcodes without a grid reference.
ONSPD_NO_LOCATION_LAT = 99.999999
# A UK postcode with the spaces taken out (outward code, then inward code "9AA").
UK_POSTCODE_RE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_HOURS_RE = re.compile(
    r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*(?:h|hr|hrs|hour|hours)?\.?$", flags=re.IGNORECASE
)
_WGS84 = CRS.from_epsg(4326)
_BNG = CRS.from_epsg(27700)
_LOOKUP_FIX = (
    "pass postcode_lookup= the path of an ONS Postcode Directory CSV (ONSPD), an Ordnance "
    "Survey Code-Point Open CSV, or a CSV with columns postcode,lat,lon or "
    "postcode,easting,northing"
)
_SAVE_AS_CSV = "open it in Excel and save it as 'CSV UTF-8 (Comma delimited)'"


class Collected(NamedTuple):
    """Result of reading with ``errors="collect"``.

    Attributes
    ----------
    valid : geopandas.GeoDataFrame
        The rows that passed every check, exactly as :func:`read_points` returns them.
    rejected : pandas.DataFrame
        The problems table (columns ``row, column, value, reason, fix``), one row per problem:
        a row with two problems appears twice. Every input row is either in ``valid`` or
        named here.
    """

    valid: gpd.GeoDataFrame
    rejected: pd.DataFrame


# --------------------------------------------------------------------------------------------
# Problems


class _Stop(Exception):
    """Raised internally when reading cannot go on; the problems are already recorded."""


class _Problems:
    """Problems found so far, and which rows (by position) they reject."""

    def __init__(self) -> None:
        self.items: list[tuple[int | None, str | None, str | None, str, str]] = []
        self.rows: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.bad: npt.NDArray[np.bool_] = np.zeros(0, dtype=bool)
        self.fatal = False

    def start(self, rows: npt.NDArray[np.int64]) -> None:
        self.rows = rows
        self.bad = np.zeros(len(rows), dtype=bool)

    def add(
        self, pos: int | np.integer, column: str | None, value: object, reason: str, fix: str
    ) -> None:
        self.items.append((int(self.rows[pos]), column, _shown(value), reason, fix))
        self.bad[pos] = True

    def add_file(self, reason: str, fix: str, column: str | None = None) -> None:
        self.items.append((None, column, None, reason, fix))
        self.fatal = True

    def stop(self, reason: str, fix: str, column: str | None = None) -> NoReturn:
        self.add_file(reason, fix, column)
        raise _Stop

    def table(self) -> pd.DataFrame:
        df = pd.DataFrame(self.items, columns=PROBLEM_COLUMNS, dtype=object)
        df["row"] = df["row"].astype("Int64")
        df = df.sort_values("row", kind="stable", na_position="first")
        return df.reset_index(drop=True)


def _shown(value: object) -> str | None:
    """Return a cell value as short text for the problems table, ``None`` when blank."""
    if value is None or (not isinstance(value, str) and _is_blank(value)):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------------------------
# Small helpers


def _is_blank(value: object) -> bool:
    """Return True for an empty cell (None, NaN, NA or whitespace-only text)."""
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _as_float(value: object) -> float | None:
    """Return a finite number from a cell, or ``None`` when the cell is not a number."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u2212", "-")  # a typographic minus pasted from Word
        if not _NUMBER_RE.match(text):
            return None
        number = float(text)
    else:
        return None
    return number if math.isfinite(number) else None


def _numbers(
    values: pd.Series,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Parse a column of cells into (numbers, blank, not_a_number); numbers are NaN if not."""
    cells = values.tolist()
    out = np.full(len(cells), np.nan)
    blank = np.zeros(len(cells), dtype=bool)
    bad = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        if _is_blank(cell):
            blank[i] = True
            continue
        number = _as_float(cell)
        if number is None:
            bad[i] = True
        else:
            out[i] = number
    return out, blank, bad


def _norm(name: object) -> str:
    """Normalise a column name for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _find_column(columns: Iterable[str], aliases: Iterable[str]) -> str | None:
    """Return the first column matching one of ``aliases`` (earlier aliases win)."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    for alias in aliases:
        if _norm(alias) in by_norm:
            return by_norm[_norm(alias)]
    return None


def _find_named(columns: Sequence[str], name: str) -> str | None:
    """Return the column called ``name`` (exactly, else ignoring case and punctuation)."""
    return name if name in columns else _find_column(columns, (name,))


def _listing(names: Iterable[str], limit: int = 12) -> str:
    """Return names quoted and comma-separated, shortened after ``limit`` names."""
    names = list(names)
    text = ", ".join(f"'{n}'" for n in names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _crs_label(crs: CRS) -> str:
    """Return a short label for a CRS such as ``'EPSG:27700'``."""
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else str(crs.name)


def _in_box(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], box: tuple[float, float, float, float]
) -> npt.NDArray[np.bool_]:
    """Return which (x, y) lie inside ``box`` = (xmin, ymin, xmax, ymax)."""
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


def _compact_postcode(value: object) -> str:
    """Return a postcode upper-cased with every space removed (``'le15 6aa'`` -> ``'LE156AA'``)."""
    return re.sub(r"\s+", "", str(value)).upper()


def _display_postcode(compact: str) -> str:
    """Return a compact postcode with its single space put back (``'LE15 6AA'``)."""
    return f"{compact[:-3]} {compact[-3:]}"


# --------------------------------------------------------------------------------------------
# Reading tables


@dataclass
class _Table:
    """The cells of a source, with their row numbers and (for vector data) geometries."""

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    kind: Literal["text", "excel", "vector", "frame"]
    delimiter: str | None = None
    encoding: str | None = None
    geometry: gpd.GeoSeries | None = None
    geometry_column: str = "geometry"
    too_long: list[tuple[int, int, int]] = field(default_factory=list)


def _source_label(source: Source) -> str:
    """Return the file name of a source (never its path or contents)."""
    if isinstance(source, gpd.GeoDataFrame):
        return "GeoDataFrame"
    if isinstance(source, pd.DataFrame):
        return "DataFrame"
    return Path(os.fspath(source)).name


def _read_table(source: Source, sheet: str | int | None, probs: _Problems) -> _Table:
    """Read any supported source into a :class:`_Table`."""
    if isinstance(source, pd.DataFrame):
        return _table_from_frame(source, probs)
    path = Path(os.fspath(source))
    if not path.is_file():
        raise FileNotFoundError(f"no such file: '{path}'")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return _read_text(path, probs)
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, sheet, probs)
    if suffix == ".xls":
        probs.stop(
            "old-style Excel workbooks (.xls) cannot be read", f"{_SAVE_AS_CSV}, or as .xlsx"
        )
    if suffix in VECTOR_SUFFIXES:
        return _read_vector(path, sheet, probs)
    probs.stop(
        f"unsupported file type '{suffix}'",
        "save the data as CSV (.csv), Excel (.xlsx), GeoPackage (.gpkg) or GeoJSON (.geojson)",
    )


def _decode(data: bytes, probs: _Problems) -> tuple[str, str]:
    """Decode file bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if not data:
        probs.stop("the file is empty (0 bytes)", "export the data again; the file has no content")
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        probs.stop("the file starts with a byte-order mark but is not valid text", _SAVE_AS_CSV)
    head = data[:65536]
    if head.startswith(b"PK\x03\x04"):
        probs.stop(
            "the file is not text but a zip archive, probably an Excel workbook (.xlsx) saved "
            "under a text file name",
            f"rename it to .xlsx, or {_SAVE_AS_CSV}",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        probs.stop("the file is not text but an old Excel workbook (.xls)", _SAVE_AS_CSV)
    if b"\x00" in head:
        probs.stop(
            "the file is not plain text (it contains NUL bytes): it may be a binary file, or "
            "text saved as UTF-16 without a byte-order mark",
            f"{_SAVE_AS_CSV}, or pass the original .xlsx workbook",
        )
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def _detect_delimiter(text: str) -> str:
    """Pick the delimiter giving the most consistent rows of two or more columns."""
    sample = text[:65536]
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        try:
            reader = csv.reader(StringIO(sample, newline=""), delimiter=delimiter)
            records = [r for _, r in zip(range(60), reader, strict=False) if _nonblank(r)]
        except csv.Error:
            continue
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        data = records[1:]
        consistent = sum(len(r) == width for r in data) / len(data) if data else 1.0
        if (consistent, width) > best_score:
            best, best_score = delimiter, (consistent, width)
    return best


def _nonblank(cells: Sequence[object]) -> bool:
    """Return True when a record has at least one non-blank cell."""
    return any(not _is_blank(c) for c in cells)


def _read_text(path: Path, probs: _Problems) -> _Table:
    """Read a delimited text file with automatic encoding and delimiter detection."""
    text, encoding = _decode(path.read_bytes(), probs)
    if not text.strip():
        probs.stop("the file is empty (only blank lines)", "export the data again with its rows")
    delimiter = _detect_delimiter(text)
    try:
        lines = list(csv.reader(StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        probs.stop(f"the file could not be read as delimited text ({exc})", _SAVE_AS_CSV)
    records: list[list[object]] = [[None if c == "" else c for c in r] for r in lines]
    table = _table_from_records(records, "text", probs, extend_header=False)
    table.delimiter, table.encoding = delimiter, encoding
    return table


def _read_excel(path: Path, sheet: str | int | None, probs: _Problems) -> _Table:
    """Read one sheet of an .xlsx workbook (the first unless ``sheet`` is given)."""
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        probs.stop(f"the file is not a valid Excel workbook ({type(exc).__name__})", _SAVE_AS_CSV)
    try:
        names = list(book.sheetnames)
        if sheet is None:
            ws = book.worksheets[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            ws = book.worksheets[sheet]
        elif isinstance(sheet, str) and sheet in names:
            ws = book[sheet]
        else:
            probs.stop(
                f"the workbook has no sheet {sheet!r}",
                f"pass sheet= one of {_listing(names)} (or its 0-based position)",
            )
        records = [list(r) for r in ws.iter_rows(min_row=1, values_only=True)]
    finally:
        book.close()
    return _table_from_records(records, "excel", probs, extend_header=True)


def _header_names(cells: Sequence[object], width: int) -> list[str]:
    """Return unique column names; blank headers become ``column_<letter>``."""
    names: list[str] = []
    for i in range(width):
        cell = _cell(cells, i)
        base = f"column_{get_column_letter(i + 1)}" if _is_blank(cell) else str(cell).strip()
        name, k = base, 0
        while name in names:
            k += 1
            name = f"{base}.{k}"
        names.append(name)
    return names


def _table_from_records(
    records: list[list[object]],
    kind: Literal["text", "excel"],
    probs: _Problems,
    *,
    extend_header: bool,
) -> _Table:
    """Build a table from raw records; record ``k`` (0-based) is spreadsheet row ``k + 1``."""
    filled = [k for k, r in enumerate(records) if _nonblank(r)]
    if not filled:
        probs.stop("the file is empty (no header and no rows)", "export the data again")
    head = filled[0]
    width = len(records[head])
    while width > 1 and _is_blank(records[head][width - 1]):
        width -= 1
    if extend_header:
        width = max(max(_last_filled(records[k]) for k in filled), width)
    names = _header_names(records[head], width)
    data: list[list[object]] = []
    rows: list[int] = []
    too_long: list[tuple[int, int, int]] = []
    for k in filled[1:]:
        cells = records[k]
        if len(cells) > width and _nonblank(cells[width:]):
            too_long.append((len(data), _last_filled(cells), width))
        cells = cells[:width] + [None] * (width - len(cells))
        data.append(cells)
        rows.append(k + 1)
    if not data:
        probs.stop(
            "the file has a header row but no data rows",
            "add the data rows below the header, or check that the right file or sheet was "
            "exported",
        )
    frame = pd.DataFrame(data, columns=names)
    unnamed = [i for i in range(width) if _is_blank(_cell(records[head], i))]
    empty = [names[i] for i in unnamed if frame[names[i]].map(_is_blank).all()]
    frame = frame.drop(columns=empty)  # e.g. an unused column A left of the table
    return _Table(frame, np.asarray(rows, dtype=np.int64), kind, too_long=too_long)


def _cell(cells: Sequence[object], i: int) -> object:
    """Return cell ``i`` of a record, ``None`` past its end."""
    return cells[i] if i < len(cells) else None


def _last_filled(cells: Sequence[object]) -> int:
    """Return the number of cells up to and including the last non-blank one."""
    return max((i + 1 for i, c in enumerate(cells) if not _is_blank(c)), default=0)


def _read_vector(path: Path, layer: str | int | None, probs: _Problems) -> _Table:
    """Read a GeoPackage or GeoJSON layer with its geometries and CRS."""
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:
        probs.stop(
            f"the file could not be read as {path.suffix.lstrip('.')} ({type(exc).__name__})",
            "check that the file is a valid GeoPackage or GeoJSON (open it in QGIS)",
        )
    if isinstance(layer, int) and 0 <= layer < len(layers):
        layer = layers[layer]
    if layer is None and len(layers) > 1:
        probs.stop(
            f"the file has {len(layers)} layers: {_listing(layers)}",
            "pass sheet= the name of the layer to read",
        )
    if layer is not None and layer not in layers:
        probs.stop(f"the file has no layer {layer!r}", f"pass sheet= one of {_listing(layers)}")
    data = gpd.read_file(path, layer=layer)
    return _table_from_frame(data, probs, kind="vector")


def _table_from_frame(
    data: pd.DataFrame, probs: _Problems, kind: Literal["vector", "frame"] = "frame"
) -> _Table:
    """Wrap an in-memory (Geo)DataFrame; record ``i`` (0-based) is row ``i + 1``."""
    geometry: gpd.GeoSeries | None = None
    geometry_column = "geometry"
    if isinstance(data, gpd.GeoDataFrame) and data._geometry_column_name in data.columns:
        geometry_column = str(data.geometry.name)
        geometry = gpd.GeoSeries(data.geometry).reset_index(drop=True)
        data = pd.DataFrame(data.drop(columns=geometry_column))
    if len(data) == 0:
        probs.stop("the data has no rows", "check that the right file, layer or table was passed")
    frame = data.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return _Table(frame, rows, kind, geometry=geometry, geometry_column=geometry_column)


# --------------------------------------------------------------------------------------------
# Coordinate columns and CRS


@dataclass(frozen=True)
class _CoordColumns:
    """The x (longitude/easting) and y (latitude/northing) columns and what names they had."""

    x: str
    y: str
    named: Literal["degrees", "metres", "xy", "explicit"]

    def describe(self) -> str:
        if self.named == "explicit":
            return f"columns x='{self.x}'/y='{self.y}'"
        if self.named == "degrees":
            return f"columns '{self.y}'/'{self.x}'"
        return f"columns '{self.x}'/'{self.y}'"


class _Forced(NamedTuple):
    crs: CRS
    text: str


def _parse_crs(crs: object, probs: _Problems) -> _Forced | None:
    """Parse ``crs=`` with pyproj; an unknown CRS is a file-level problem."""
    if crs is None:
        return None
    try:
        return _Forced(CRS.from_user_input(crs), repr(crs) if isinstance(crs, str) else str(crs))
    except CRSError:
        probs.stop(
            f"unknown coordinate reference system crs={crs!r}",
            "pass an EPSG code such as crs='EPSG:27700' (British National Grid easting/northing)"
            " or crs='EPSG:4326' (WGS84 latitude/longitude)",
        )


def _detect_coordinates(
    columns: Sequence[str], x: str | None, y: str | None, probs: _Problems
) -> _CoordColumns | None:
    """Find the coordinate columns from ``x=``/``y=`` or the alias tables."""
    if x is not None or y is not None:
        if x is None or y is None:
            probs.stop("only one of x= and y= was given", "pass both x= and y= column names")
        found_x, found_y = _find_named(columns, x), _find_named(columns, y)
        for given, found, param in ((x, found_x, "x"), (y, found_y, "y")):
            if found is None:
                probs.add_file(
                    f"column '{given}' given by {param}= is not in the file",
                    f"pass {param}= one of the columns found: {_listing(columns)}",
                    column=given,
                )
        if found_x is None or found_y is None:
            raise _Stop
        return _CoordColumns(found_x, found_y, "explicit")
    lat, lon = _find_column(columns, LATITUDE_ALIASES), _find_column(columns, LONGITUDE_ALIASES)
    if lat is not None and lon is not None:
        xy = (_norm(lon), _norm(lat)) == ("x", "y")
        return _CoordColumns(lon, lat, "xy" if xy else "degrees")
    east, north = _find_column(columns, EASTING_ALIASES), _find_column(columns, NORTHING_ALIASES)
    if east is not None and north is not None:
        return _CoordColumns(east, north, "metres")
    return None


def _unit_from_values(
    xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]
) -> Literal["degrees", "bng", "unknown", "none"]:
    """Say whether most coordinates are degrees or British National Grid metres."""
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return "none"
    deg = ok & (np.abs(xs) <= 180) & (np.abs(ys) <= 90)
    bng = ok & ~deg & _in_box(xs, ys, BNG_BOUNDS)
    n_deg, n_bng = int(deg.sum()), int(bng.sum())
    if n_deg == 0 and n_bng == 0:
        return "unknown"
    return "degrees" if n_deg >= n_bng else "bng"


def _coordinate_crs(
    cols: _CoordColumns,
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    forced: _Forced | None,
    probs: _Problems,
) -> tuple[CRS, str]:
    """Work out the CRS of coordinate columns from ``crs=``, their names and their values."""
    if forced is not None:
        return forced.crs, f"forced by crs={forced.text}"
    names = cols.describe()
    unit = _unit_from_values(xs, ys)
    if unit == "none":
        crs = _BNG if cols.named == "metres" else _WGS84
        return crs, f"assumed from the names of {names} (no row has usable coordinates)"
    if unit == "unknown":
        probs.stop(
            f"the values in {names} are neither latitude/longitude in degrees nor British "
            "National Grid easting/northing in metres",
            "pass crs= the coordinate reference system of these columns, e.g. crs='EPSG:3857'",
        )
    if unit == "degrees":
        if cols.named == "metres":
            reason = (
                f"{names} are named as easting/northing but hold values in degrees, so they "
                f"were read as WGS84 longitude ('{cols.x}') and latitude ('{cols.y}')"
            )
            logger.warning("%s", reason)
            return _WGS84, reason
        return _WGS84, f"detected from {names} with values in degrees (WGS84 latitude/longitude)"
    if cols.named == "degrees":
        reason = (
            f"{names} are named as latitude/longitude but hold values in metres in the British "
            f"National Grid range, so they were read as easting ('{cols.x}') and northing "
            f"('{cols.y}')"
        )
        logger.warning("%s", reason)
        return _BNG, reason
    return _BNG, f"detected from {names} with values in the British National Grid range"


@dataclass(frozen=True)
class _Axis:
    """How one coordinate axis is named, exemplified and bounded for messages."""

    name: str
    example: str
    low: float | None = None
    high: float | None = None
    fix: str = ""


def _axes(crs: CRS) -> tuple[_Axis, _Axis]:
    """Return the (x, y) axis descriptions for coordinates in ``crs``."""
    if crs.is_geographic:
        mix = "a value in metres is an easting/northing and cannot be mixed with degrees"
        return (
            _Axis("longitude", "-0.73", -180, 180, f"give the longitude in decimal degrees; {mix}"),
            _Axis("latitude", "52.67", -90, 90, f"give the latitude in decimal degrees; {mix}"),
        )
    if crs.equals(_BNG):
        mix = "a value in degrees is a longitude/latitude and cannot be mixed with metres"
        return (
            _Axis("easting", "486000", BNG_BOUNDS[0], BNG_BOUNDS[2], f"give metres; {mix}"),
            _Axis("northing", "308000", BNG_BOUNDS[1], BNG_BOUNDS[3], f"give metres; {mix}"),
        )
    return _Axis("x", "a number"), _Axis("y", "a number")


# --------------------------------------------------------------------------------------------
# Area and swapped coordinates


class _Area:
    """The network's area, projected to metres for distance checks."""

    def __init__(self, geom: shapely.Geometry, limit_km: float) -> None:
        centre = geom.centroid
        lon, lat = float(centre.x), float(centre.y)
        if _in_box(np.array([lon]), np.array([lat]), GB_BOUNDS)[0]:
            epsg = 27700
        else:
            epsg = (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) % 60 + 1
        self._to_metres = Transformer.from_crs(_WGS84, CRS.from_epsg(epsg), always_xy=True)
        self._geom = self._project(geom)
        self.limit_km = limit_km

    def _project(self, geoms: object) -> npt.NDArray[np.object_]:
        def move(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            x, y = self._to_metres.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geoms, move)

    def km(self, geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        """Return each geometry's distance outside the area in km (0 inside)."""
        if len(geoms) == 0:
            return np.zeros(0)
        return np.asarray(shapely.distance(self._geom, self._project(geoms)), float) / 1000.0

    def near(self, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> np.ndarray:
        """Return which points lie within the allowed distance of the area."""
        return self.km(shapely.points(lon, lat)) <= self.limit_km


def _area_geometry(area: object) -> shapely.Geometry | None:
    """Return the area as a shapely geometry in EPSG:4326 (or ``None``)."""
    if area is None:
        return None
    area = getattr(area, "area_wgs84", area)
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        area = (area.to_crs(_WGS84) if area.crs is not None else area).union_all()
    if not isinstance(area, shapely.Geometry):
        raise TypeError(
            "area= must be a shapely geometry in EPSG:4326, a GeoSeries/GeoDataFrame, or an "
            f"object with an 'area_wgs84' geometry such as a RoadNetwork; got {type(area)!r}"
        )
    if area.is_empty:
        raise ValueError("area= is an empty geometry; pass the area covered by the network")
    return area


def _swapped(
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    live: npt.NDArray[np.bool_],
    area: _Area | None,
) -> npt.NDArray[np.bool_]:
    """Return rows whose latitude/longitude only make sense the other way round."""
    cand = live & (np.abs(lon) <= 90)
    if not cand.any():
        return cand
    if area is None:
        inside, inside_swapped = _in_box(lon, lat, GB_BOUNDS), _in_box(lat, lon, GB_BOUNDS)
    else:
        inside = np.zeros(len(lon), dtype=bool)
        inside_swapped = np.zeros(len(lon), dtype=bool)
        inside[cand] = area.near(lon[cand], lat[cand])
        inside_swapped[cand] = area.near(lat[cand], lon[cand])
    return cand & ~inside & inside_swapped


# --------------------------------------------------------------------------------------------
# Locating rows


@dataclass
class _Located:
    """Where each row is (EPSG:4326), and how that was found."""

    geoms: npt.NDArray[np.object_]
    crs: str
    reason: str
    where: npt.NDArray[np.object_]
    shown: npt.NDArray[np.object_]
    geocoded: npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Options:
    """The reading options shared by every reader."""

    crs: object
    x: str | None
    y: str | None
    postcode_lookup: PathLike | None
    sheet: str | int | None
    allow_polygons: bool


def _locate(
    table: _Table, opts: _Options, forced: _Forced | None, area: _Area | None, probs: _Problems
) -> _Located:
    """Locate every row from its geometry, coordinate columns or postcode."""
    geometry = table.geometry
    if geometry is not None and opts.x is None and (geometry.notna() & ~geometry.is_empty).any():
        return _locate_geometry(table, geometry, forced, opts.allow_polygons, area, probs)
    columns = list(table.frame.columns)
    cols = _detect_coordinates(columns, opts.x, opts.y, probs)
    postcode = _find_column(columns, POSTCODE_ALIASES)
    if cols is not None:
        return _locate_columns(table, cols, postcode, forced, opts, area, probs)
    if postcode is not None:
        return _locate_postcodes(table, postcode, opts.postcode_lookup, probs)
    _no_location_columns(table, columns, probs)


def _no_location_columns(table: _Table, columns: list[str], probs: _Problems) -> NoReturn:
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
        f"no coordinate or postcode columns found{empty_layer}; columns found: {_listing(columns)}",
        "name the columns latitude/longitude (also accepted: "
        f"{', '.join(LATITUDE_ALIASES[1:] + LONGITUDE_ALIASES[1:])}), easting/northing (also "
        f"{', '.join(EASTING_ALIASES[1:] + NORTHING_ALIASES[1:])}) or postcode (also "
        f"{', '.join(POSTCODE_ALIASES[1:])}), or pass x= and y=",
    )


def _new_located(n: int, crs: str, reason: str) -> _Located:
    return _Located(
        geoms=np.full(n, None, dtype=object),
        crs=crs,
        reason=reason,
        where=np.full(n, None, dtype=object),
        shown=np.full(n, None, dtype=object),
        geocoded=np.zeros(n, dtype=bool),
    )


def _locate_columns(
    table: _Table,
    cols: _CoordColumns,
    postcode: str | None,
    forced: _Forced | None,
    opts: _Options,
    area: _Area | None,
    probs: _Problems,
) -> _Located:
    """Locate rows from coordinate columns; rows without them may fall back to postcodes."""
    frame = table.frame
    xs, x_blank, x_bad = _numbers(frame[cols.x])
    ys, y_blank, y_bad = _numbers(frame[cols.y])
    crs, reason = _coordinate_crs(cols, xs, ys, forced, probs)
    located = _new_located(len(frame), _crs_label(crs), reason)
    fallback = postcode is not None and opts.postcode_lookup is not None
    by_postcode = (x_blank | y_blank) & ~x_bad & ~y_bad
    if fallback:
        by_postcode &= ~frame[postcode].map(_is_blank).to_numpy(dtype=bool)
    else:
        by_postcode[:] = False
    hint = ""
    if postcode is not None and not fallback:
        hint = f", or pass postcode_lookup= to locate it from its '{postcode}' column"
    x_axis, y_axis = _axes(crs)
    ok = ~(x_blank | y_blank | x_bad | y_bad)
    for col, axis, values, blank, bad in (
        (cols.y, y_axis, ys, y_blank, y_bad),
        (cols.x, x_axis, xs, x_blank, x_bad),
    ):
        _check_cells(frame[col], blank & ~by_postcode, bad, axis, col, hint, probs)
        ok &= _check_range(frame[col], values, ok, axis, col, probs)
    lon, lat = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
    if ok.any():
        to_wgs84 = Transformer.from_crs(crs, _WGS84, always_xy=True)
        lon[ok], lat[ok] = to_wgs84.transform(xs[ok], ys[ok])
    failed = ok & ~(np.isfinite(lon) & np.isfinite(lat))
    label = f"{cols.y}, {cols.x}" if cols.named == "degrees" else f"{cols.x}, {cols.y}"
    for pos in np.flatnonzero(failed):
        probs.add(
            pos,
            label,
            f"{xs[pos]:g}, {ys[pos]:g}",
            f"the coordinates could not be converted from {located.crs} to latitude/longitude",
            "check the coordinates, or pass the right crs=",
        )
    ok &= ~failed
    if crs.is_geographic:
        ok &= ~_report_swapped(lon, lat, ok & ~probs.bad, cols, area, probs)
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
    axis: _Axis,
    column: str,
    hint: str,
    probs: _Problems,
) -> None:
    """Report blank and non-numeric coordinate cells."""
    for pos in np.flatnonzero(blank):
        probs.add(
            pos,
            column,
            None,
            f"missing {axis.name}",
            f"fill in the {axis.name} (e.g. {axis.example}) or delete the row{hint}",
        )
    for pos in np.flatnonzero(bad):
        cell = cells.iloc[pos]
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
    axis: _Axis,
    column: str,
    probs: _Problems,
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
    cols: _CoordColumns | None,
    area: _Area | None,
    probs: _Problems,
) -> npt.NDArray[np.bool_]:
    """Report rows whose latitude and longitude look swapped; return them."""
    swapped = _swapped(lon, lat, live, area)
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


def _locate_postcodes(
    table: _Table, postcode: str, lookup: PathLike | None, probs: _Problems
) -> _Located:
    """Locate every row from its postcode."""
    if lookup is None:
        probs.stop(
            f"the file has postcodes (column '{postcode}') but no coordinate columns, and no "
            "postcode lookup was given",
            _LOOKUP_FIX,
            column=postcode,
        )
    name = Path(os.fspath(lookup)).name
    located = _new_located(len(table.frame), "EPSG:4326", f"geocoded from postcodes using '{name}'")
    everything = np.ones(len(table.frame), dtype=bool)
    _fill_from_postcodes(table, postcode, everything, lookup, located, probs)
    return located


def _fill_from_postcodes(
    table: _Table,
    column: str,
    mask: npt.NDArray[np.bool_],
    lookup: PathLike | None,
    located: _Located,
    probs: _Problems,
) -> None:
    """Geocode the rows in ``mask`` from their postcode, reporting bad or unknown ones."""
    assert lookup is not None
    keys: dict[int, str] = {}
    for pos in map(int, np.flatnonzero(mask)):
        cell = table.frame[column].iloc[pos]
        if _is_blank(cell):
            probs.add(
                pos,
                column,
                None,
                "missing postcode",
                "fill in the postcode, or give the coordinates of this row",
            )
            continue
        key = _compact_postcode(cell)
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
    found = _geocode_postcodes(set(keys.values()), lookup, probs) if keys else {}
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
        located.shown[pos] = _display_postcode(key)
        located.geocoded[pos] = True


# --------------------------------------------------------------------------------------------
# Postcode lookups


@dataclass(frozen=True)
class _LookupLayout:
    """Which columns of a postcode lookup CSV to read, and their units."""

    header: int | None
    postcode: str | int
    x: str | int
    y: str | int
    unit: Literal["degrees", "bng", "auto"]


def _lookup_encoding(head: bytes) -> str:
    """Guess the encoding of a lookup file from its first bytes."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:
            return "cp1252"
    return "utf-8"


def _lookup_layout(first: list[str], name: str, probs: _Problems) -> _LookupLayout:
    """Recognise ONSPD, Code-Point Open (no header) or a simple postcode,lat,lon CSV."""
    cells = [c.strip() for c in first]
    if cells and UK_POSTCODE_RE.match(_compact_postcode(cells[0])):
        if len(cells) >= 4:  # Code-Point Open: postcode, quality, eastings, northings, ...
            return _LookupLayout(None, 0, 2, 3, "bng")
        if len(cells) == 3:  # postcode,lat,lon or postcode,easting,northing without header
            return _LookupLayout(None, 0, 1, 2, "auto")
    postcode = _find_column(first, POSTCODE_ALIASES)
    lat, lon = _find_column(first, LATITUDE_ALIASES), _find_column(first, LONGITUDE_ALIASES)
    east, north = _find_column(first, EASTING_ALIASES), _find_column(first, NORTHING_ALIASES)
    if postcode is not None and lat is not None and lon is not None:
        xy = (_norm(lon), _norm(lat)) == ("x", "y")
        return _LookupLayout(0, postcode, lon, lat, "auto" if xy else "degrees")
    if postcode is not None and east is not None and north is not None:
        return _LookupLayout(0, postcode, east, north, "bng")
    probs.stop(
        f"the postcode lookup '{name}' has no recognisable postcode and coordinate columns "
        f"(columns found: {_listing(first)})",
        _LOOKUP_FIX,
    )


def _geocode_postcodes(
    needed: set[str], lookup: PathLike, probs: _Problems
) -> dict[str, tuple[float, float]]:
    """Return ``{compact postcode: (lon, lat)}`` for the needed postcodes found in the lookup.

    ``lookup`` is a CSV file, or a folder of them (such as Code-Point Open's ``Data/CSV``
    folder, one file per postcode area). Only the postcode and coordinate columns are read,
    in chunks, and only needed postcodes are kept, so a full ONS Postcode Directory (2.7
    million rows) fits in little memory. ONSPD rows without a location (latitude 99.999999)
    and Code-Point Open rows at 0,0 are skipped; terminated postcodes are kept.
    """
    path = Path(os.fspath(lookup))
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".txt"))
        if not files:
            probs.stop(f"the postcode lookup folder '{path.name}' has no .csv files", _LOOKUP_FIX)
    elif path.is_file():
        files = [path]
    else:
        probs.stop(f"postcode lookup file '{path.name}' not found", _LOOKUP_FIX)
    found: dict[str, tuple[float, float]] = {}
    for file in files:
        found |= _read_lookup_file(file, needed - found.keys(), probs)
        if len(found) == len(needed):
            break
    return found


def _read_lookup_file(
    path: Path, needed: set[str], probs: _Problems
) -> dict[str, tuple[float, float]]:
    """Read the needed postcodes of one lookup CSV (see :func:`_geocode_postcodes`)."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    encoding = _lookup_encoding(head)
    lines = head.decode(encoding, errors="replace").splitlines()
    if not lines:
        probs.stop(f"postcode lookup file '{path.name}' is empty", _LOOKUP_FIX)
    layout = _lookup_layout(next(csv.reader(lines[:1])), path.name, probs)
    xs: list[float] = []
    ys: list[float] = []
    keys: list[str] = []
    try:
        with pd.read_csv(
            path,
            header=layout.header,
            usecols=[layout.postcode, layout.x, layout.y],
            dtype=str,
            encoding=encoding,
            keep_default_na=False,
            chunksize=250_000,
        ) as reader:
            for chunk in reader:
                key = chunk[layout.postcode].str.replace(" ", "", regex=False).str.upper()
                hit = key.isin(needed).to_numpy(dtype=bool)
                if hit.any():
                    keys += key[hit].tolist()
                    xs += pd.to_numeric(chunk[layout.x][hit], errors="coerce").tolist()
                    ys += pd.to_numeric(chunk[layout.y][hit], errors="coerce").tolist()
    except (pd.errors.ParserError, ValueError) as exc:
        probs.stop(
            f"the postcode lookup '{path.name}' could not be read ({type(exc).__name__})",
            _LOOKUP_FIX,
        )
    return _lookup_points(keys, np.asarray(xs, float), np.asarray(ys, float), layout.unit)


def _lookup_points(
    keys: list[str],
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    unit: Literal["degrees", "bng", "auto"],
) -> dict[str, tuple[float, float]]:
    """Convert lookup coordinates to (lon, lat), dropping placeholder rows."""
    if unit == "auto":
        ok = np.isfinite(xs) & np.isfinite(ys)
        unit = "degrees" if (np.abs(xs[ok]) <= 90).all() and (ys[ok] < 1000).all() else "bng"
        if unit == "degrees":  # headerless or x/y files list latitude first
            xs, ys = ys, xs
    if unit == "degrees":
        good = np.isfinite(xs) & np.isfinite(ys) & (np.abs(ys) < ONSPD_NO_LOCATION_LAT - 9)
        lon, lat = xs, ys
    else:
        good = np.isfinite(xs) & np.isfinite(ys) & ~((xs == 0) & (ys == 0))
        lon, lat = np.full(len(xs), np.nan), np.full(len(xs), np.nan)
        if good.any():
            to_wgs84 = Transformer.from_crs(_BNG, _WGS84, always_xy=True)
            lon[good], lat[good] = to_wgs84.transform(xs[good], ys[good])
    found: dict[str, tuple[float, float]] = {}
    for key, ok_row, a, b in zip(keys, good, lon, lat, strict=True):
        if ok_row and key not in found:
            found[key] = (float(a), float(b))
    return found


# --------------------------------------------------------------------------------------------
# Geometry sources (GeoPackage, GeoJSON, GeoDataFrame)


def _locate_geometry(
    table: _Table,
    geometry: gpd.GeoSeries,
    forced: _Forced | None,
    allow_polygons: bool,
    area: _Area | None,
    probs: _Problems,
) -> _Located:
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
        "convert these features to points or polygons"
        if allow_polygons
        else "pass allow_polygons=True, or convert the features to points "
        "(e.g. gdf.representative_point())"
    )
    for pos in np.flatnonzero(wrong):
        probs.add(pos, col, types[pos], f"geometry is a {types[pos]}, not a point", fix)
    ok = ~missing & ~wrong
    source_crs, reason = _geometry_crs(table, geometry, ok, forced, probs)
    located = _new_located(len(geometry), _crs_label(source_crs), reason)
    if not ok.any():
        return located
    moved = gpd.GeoSeries(geometry[ok].to_numpy(), crs=source_crs).to_crs(_WGS84)
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
            "check the coordinates of this feature, or pass the right crs=",
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
    table: _Table,
    geometry: gpd.GeoSeries,
    ok: npt.NDArray[np.bool_],
    forced: _Forced | None,
    probs: _Problems,
) -> tuple[CRS, str]:
    """Return the CRS of a geometry column: forced, from the layer, or from its values."""
    where = {"vector": "the file's layer", "frame": "the GeoDataFrame"}.get(table.kind, "")
    if forced is not None:
        was = f" (the data said {_crs_label(geometry.crs)})" if geometry.crs is not None else ""
        return forced.crs, f"forced by crs={forced.text}{was}"
    if geometry.crs is not None:
        return CRS.from_user_input(geometry.crs), f"from {where}"
    bounds = geometry[ok].bounds.to_numpy(dtype=float)
    unit = _unit_from_values(bounds[:, 0], bounds[:, 1])
    if unit == "bng":
        return _BNG, f"{where} has no CRS; detected British National Grid from the values"
    if unit in ("degrees", "none"):
        return _WGS84, f"{where} has no CRS; detected WGS84 degrees from the values"
    probs.stop(
        f"{where} has no CRS and its coordinates are neither degrees nor British National "
        "Grid metres",
        "pass crs= the coordinate reference system of the data, e.g. crs='EPSG:3857'",
    )


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
    parameter: str | None = None
    rename: bool = True


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
    columns: Sequence[str], fields: list[_Field], probs: _Problems
) -> list[tuple[_Field, str]]:
    """Find each field's column; a missing one is a file-level problem (checking goes on)."""
    resolved = []
    for f in fields:
        col = _find_named(columns, f.given) if f.given else _find_column(columns, f.aliases)
        if col is not None:
            resolved.append((f, col))
        elif f.given:
            probs.add_file(
                f"column '{f.given}' given by {f.parameter}= is not in the file",
                f"pass {f.parameter}= one of the columns found: {_listing(columns)}",
                column=f.given,
            )
        else:
            also = f" (also accepted: {', '.join(f.aliases[1:])})" if len(f.aliases) > 1 else ""
            how = f", or pass {f.parameter}= the name of your column" if f.parameter else ""
            probs.add_file(
                f"no '{f.name}' column; columns found: {_listing(columns)}",
                f"add a column named '{f.name}'{also}{how}",
                column=f.name,
            )
    return resolved


def _check_field(cells: pd.Series, f: _Field, col: str, probs: _Problems) -> pd.Series | None:
    """Check one column; return its converted values (or ``None`` to keep it as is)."""
    if f.kind == "id":
        return _check_ids(cells, col, probs)
    if f.kind == "hours":
        return _check_hours(cells, col, probs)
    if f.kind == "text":
        _check_filled(cells.map(_is_blank).to_numpy(dtype=bool), f, col, probs)
        return None
    values, blank, bad = _numbers(cells)
    _check_filled(blank, f, col, probs)
    for pos in np.flatnonzero(bad):
        probs.add(
            pos,
            col,
            cells.iloc[pos],
            f"{f.name} is not a number",
            f"write '{col}' as a number such as 12.5 (digits and a dot for decimals only)",
        )
    return pd.Series(values, index=cells.index, dtype=float)


def _check_filled(blank: npt.NDArray[np.bool_], f: _Field, col: str, probs: _Problems) -> None:
    """Report blank cells of a column that must be filled in."""
    if f.not_blank:
        for pos in np.flatnonzero(blank):
            probs.add(pos, col, None, f"missing {f.name}", f"fill in '{col}' or delete the row")


def _id_text(cell: object) -> str:
    """Return an id as text; Excel's 1001.0 becomes '1001'."""
    if isinstance(cell, float | np.floating) and float(cell).is_integer():
        return str(int(cell))
    return str(cell).strip()


def _check_ids(cells: pd.Series, col: str, probs: _Problems) -> pd.Series:
    """Report missing ids and repeated ids (each repeat names the row of the first use)."""
    first: dict[str, int] = {}
    ids: list[str | None] = []
    for pos, cell in enumerate(cells.tolist()):
        if _is_blank(cell):
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
    return _as_float(cell)


def _check_hours(cells: pd.Series, col: str, probs: _Problems) -> pd.Series:
    """Report missing, non-numeric, negative or more-than-a-week hours."""
    hours = np.full(len(cells), np.nan)
    for pos, cell in enumerate(cells.tolist()):
        if _is_blank(cell):
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


def _check_too_long(table: _Table, probs: _Problems) -> None:
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


def _check_area(located: _Located, area: _Area | None, probs: _Problems) -> None:
    """Report rows more than ``max_outside_km`` outside the network's area."""
    if area is None:
        return
    live = np.flatnonzero(~probs.bad & (located.geoms != None))  # noqa: E711
    km = area.km(located.geoms[live])
    for pos, dist in zip(live, km, strict=True):
        if dist > area.limit_km:
            probs.add(
                pos,
                located.where[pos],
                located.shown[pos],
                f"{dist:.1f} km outside the area of the road network (more than "
                f"max_outside_km={area.limit_km:g})",
                "check the location of this row for a typo; if it is right, use a road network "
                "that covers it or raise max_outside_km",
            )


def _output(
    table: _Table,
    located: _Located,
    converted: list[tuple[_Field, str, pd.Series | None]],
    probs: _Problems,
) -> gpd.GeoDataFrame:
    """Build the valid rows: original columns, renamed fields, ``source_row``, geometry."""
    keep = ~probs.bad
    frame = table.frame.loc[keep].copy()
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
    geoms = gpd.GeoSeries(list(located.geoms[keep]), crs=_WGS84)
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geoms)


def _read(
    source: Source,
    opts: _Options,
    fields: list[_Field],
    area_spec: object,
    max_outside_km: float,
    errors: str,
) -> gpd.GeoDataFrame | Collected:
    """Read, locate and check every row in one pass; raise or collect the problems."""
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors= must be 'raise' or 'collect', not {errors!r}")
    if not max_outside_km >= 0:
        raise ValueError(f"max_outside_km= must be 0 or more, not {max_outside_km!r}")
    geom = _area_geometry(area_spec)
    area = _Area(geom, max_outside_km) if geom is not None else None
    label = _source_label(source)
    probs = _Problems()
    try:
        forced = _parse_crs(opts.crs, probs)
        table = _read_table(source, opts.sheet, probs)
        probs.start(table.rows)
        _check_too_long(table, probs)
        resolved = _resolve_fields(list(table.frame.columns), fields, probs)
        located = _locate(table, opts, forced, area, probs)
        _check_area(located, area, probs)
        converted = [(f, c, _check_field(table.frame[c], f, c, probs)) for f, c in resolved]
    except _Stop:
        raise ValidationError(probs.table(), label) from None
    problems = probs.table()
    report = _report(label, table, located, probs)
    logger.info(
        "read %(source)s: %(rows_read)d rows, %(rows_valid)d valid, %(rows_rejected)d "
        "rejected; CRS %(crs)s (%(crs_reason)s); delimiter %(delimiter)r, encoding "
        "%(encoding)s; %(geocoded_from_postcode)d located from postcodes",
        report,
    )
    if probs.fatal or (errors == "raise" and len(problems)):
        raise ValidationError(problems, label)
    valid = _output(table, located, converted, probs)
    valid.attrs["carezones_read"] = report
    return Collected(valid, problems) if errors == "collect" else valid


def _report(label: str, table: _Table, located: _Located, probs: _Problems) -> dict[str, object]:
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
    crs: object = ...,
    id_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Literal["raise"] = ...,
    sheet: str | int | None = ...,
    allow_polygons: bool = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_points(
    source: Source,
    *,
    crs: object = ...,
    id_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Literal["collect"],
    sheet: str | int | None = ...,
    allow_polygons: bool = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> Collected: ...
@overload
def read_points(
    source: Source,
    *,
    crs: object = ...,
    id_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Errors,
    sheet: str | int | None = ...,
    allow_polygons: bool = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_points(
    source: Source,
    *,
    crs: object = None,
    id_column: str | None = None,
    x: str | None = None,
    y: str | None = None,
    postcode_lookup: PathLike | None = None,
    area: object = None,
    max_outside_km: float = 2.0,
    errors: Errors = "raise",
    sheet: str | int | None = None,
    allow_polygons: bool = False,
    required: Iterable[ColumnSpec] = (),
    numeric: Iterable[ColumnSpec] = (),
) -> gpd.GeoDataFrame | Collected:
    """Read located rows (clients, visits, carers, sites) and check every row in one pass.

    The coordinates are found in this order: the geometry of a GeoPackage, GeoJSON or
    GeoDataFrame; the ``x=``/``y=`` columns; columns named like latitude/longitude
    (:data:`LATITUDE_ALIASES`, :data:`LONGITUDE_ALIASES`) or easting/northing
    (:data:`EASTING_ALIASES`, :data:`NORTHING_ALIASES`); finally a postcode column
    (:data:`POSTCODE_ALIASES`) geocoded with ``postcode_lookup``. Rows with coordinate columns
    but blank coordinates are located from their postcode too when a lookup is given. Column
    names match ignoring case, spaces and underscores.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A ``.csv``/``.txt``/``.tsv`` file (delimiter ``,`` ``;`` tab or ``|`` and encoding
        UTF-8, UTF-8 with BOM, UTF-16 with BOM or cp1252 detected), an ``.xlsx`` workbook, a
        ``.gpkg`` or ``.geojson``/``.json`` file, or a (Geo)DataFrame already in memory.
    crs : object, optional
        Force the CRS of the coordinates (anything pyproj accepts, e.g. ``"EPSG:27700"``).
        By default it is taken from the layer, or detected from the column names and values:
        degrees are WGS84 (EPSG:4326), metres within 0-700000 / 0-1300000 are British National
        Grid (EPSG:27700).
    id_column : str, optional
        A column that must be filled in on every row and unique; it is returned as text.
        Every repeat of an id is rejected, naming the row of its first use.
    x, y : str, optional
        The longitude/easting and latitude/northing columns, overriding the aliases.
    postcode_lookup : str or os.PathLike, optional
        A postcode lookup CSV: the ONS Postcode Directory (ONSPD), Ordnance Survey Code-Point
        Open (no header row; a folder of its per-area CSV files also works), or a simple
        ``postcode,lat,lon`` / ``postcode,easting,northing`` file. Required when rows are
        located by postcode. Postcodes match ignoring spaces and case.
    area : shapely geometry or object with ``area_wgs84``, optional
        The area covered by the road network, in EPSG:4326 (a RoadNetwork can be passed).
        Rows more than ``max_outside_km`` outside it are rejected, and lat/lon are reported
        as swapped when only the swapped values fall within it.
    max_outside_km : float, default 2.0
        How far outside ``area`` a row may lie.
    errors : {"raise", "collect"}, default "raise"
        ``"raise"`` raises one :class:`~carezones.ValidationError` listing every problem.
        ``"collect"`` returns :class:`Collected` ``(valid, rejected)`` instead. Problems with
        the whole file (empty or unreadable file, no coordinate columns, a missing required
        column, a bad ``crs=``) are raised in both modes, because no row can be checked.
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read: a name or 0-based position. By default
        the first sheet; a GeoPackage with several layers needs it.
    allow_polygons : bool, default False
        Accept Polygon/MultiPolygon geometries as well as points (for sites).
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
    FileNotFoundError
        When ``source`` is a path that does not exist.

    Examples
    --------
    >>> from carezones.io import read_points
    >>> sites = read_points("sites.gpkg", allow_polygons=True)  # doctest: +SKIP
    >>> visits = read_points("visits.csv", crs="EPSG:27700")  # doctest: +SKIP
    >>> valid, rejected = read_points("carers.xlsx", errors="collect")  # doctest: +SKIP
    >>> valid.attrs["carezones_read"]["crs"]  # doctest: +SKIP
    'EPSG:4326'
    """
    opts = _Options(crs, x, y, postcode_lookup, sheet, allow_polygons)
    fields = _spec_fields(required, numeric)
    if id_column is not None:
        ident = _Field(id_column, (id_column,), "id", given=id_column, parameter="id_column")
        fields.insert(0, ident)
    return _read(source, opts, fields, area, max_outside_km, errors)


@overload
def read_clients(
    source: Source,
    *,
    crs: object = ...,
    id_column: str | None = ...,
    hours_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Literal["raise"] = ...,
    sheet: str | int | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_clients(
    source: Source,
    *,
    crs: object = ...,
    id_column: str | None = ...,
    hours_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Literal["collect"],
    sheet: str | int | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> Collected: ...
@overload
def read_clients(
    source: Source,
    *,
    crs: object = ...,
    id_column: str | None = ...,
    hours_column: str | None = ...,
    x: str | None = ...,
    y: str | None = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    errors: Errors,
    sheet: str | int | None = ...,
    required: Iterable[ColumnSpec] = ...,
    numeric: Iterable[ColumnSpec] = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_clients(
    source: Source,
    *,
    crs: object = None,
    id_column: str | None = None,
    hours_column: str | None = None,
    x: str | None = None,
    y: str | None = None,
    postcode_lookup: PathLike | None = None,
    area: object = None,
    max_outside_km: float = 2.0,
    errors: Errors = "raise",
    sheet: str | int | None = None,
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
    crs : object, optional
        Force the CRS of the coordinates (see :func:`read_points`).
    id_column : str, optional
        The client id column, overriding the aliases.
    hours_column : str, optional
        The weekly hours column, overriding the aliases.
    x, y : str, optional
        The longitude/easting and latitude/northing columns, overriding the aliases.
    postcode_lookup : str or os.PathLike, optional
        Postcode lookup CSV (ONSPD, Code-Point Open or postcode,lat,lon); needed for rows
        located by postcode.
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area in EPSG:4326; rows far outside it are rejected.
    max_outside_km : float, default 2.0
        How far outside ``area`` a client may live.
    errors : {"raise", "collect"}, default "raise"
        Raise one :class:`~carezones.ValidationError` with every problem, or return
        :class:`Collected` ``(valid, rejected)``.
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read.
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

    Examples
    --------
    >>> from carezones.io import read_clients
    >>> clients = read_clients("clients.csv")  # doctest: +SKIP
    >>> clients[["client_id", "hours_per_week", "source_row"]].head()  # doctest: +SKIP
    >>> valid, rejected = read_clients(  # doctest: +SKIP
    ...     "clients.xlsx", postcode_lookup="ONSPD_FEB_2025_UK.csv", errors="collect"
    ... )
    >>> rejected[["row", "reason", "fix"]]  # doctest: +SKIP
    """
    opts = _Options(crs, x, y, postcode_lookup, sheet, False)
    fields = [
        _Field("client_id", CLIENT_ID_ALIASES, "id", given=id_column, parameter="id_column"),
        _Field(
            "hours_per_week", HOURS_ALIASES, "hours", given=hours_column, parameter="hours_column"
        ),
        *_spec_fields(required, numeric),
    ]
    return _read(source, opts, fields, area, max_outside_km, errors)


def write_zone_plan(
    plan: object, out_dir: PathLike, *, clients: object = None, offline: bool = True
) -> list[Path]:
    """Write a zone plan's files; return their paths.

    ``assignments.csv`` (client_id, zone_id, hours_per_week, minutes_to_centre),
    ``unassigned.csv`` (client_id, source_row, reason), ``zones.gpkg`` (layer ``zones``),
    ``zones.html`` (the map; clients aggregated), ``summary.json`` and ``summary.md``.
    """
    import json
    from typing import Any, cast

    p = cast(Any, plan)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / n for n in ("assignments.csv", "unassigned.csv", "zones.gpkg", "zones.html",
                                "summary.json", "summary.md")]  # fmt: skip
    p.assignments.to_csv(paths[0], index=False)
    p.unassigned.to_csv(paths[1], index=False)
    p.zones.to_file(paths[2], layer="zones", driver="GPKG")
    p.to_map(clients=clients, offline=offline).save(str(paths[3]))
    metrics = {k: v for k, v in p.metrics.items()}
    metrics["zones"] = p.zones.drop(columns="geometry").to_dict(orient="records")
    paths[4].write_text(json.dumps(metrics, indent=2, default=float))
    table = p.zones.drop(columns="geometry")
    lines = ["# Home-care zones", "", p.summary(), "", "| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]  # fmt: skip
    lines += [
        "| " + " | ".join(f"{v}" for v in row) + " |" for row in table.itertuples(index=False)
    ]
    paths[5].write_text("\n".join(lines) + "\n")
    return paths


# ---------------------------------------------------------------------- rounds
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")

VISIT_COLUMNS = [
    "visit_id",
    "client_id",
    "lat",
    "lon",
    "window_start",
    "window_end",
    "duration_minutes",
    "carers_required",
    "skills",
]
CARER_COLUMNS = [
    "carer_id",
    "lat",
    "lon",
    "shift_start",
    "shift_end",
    "skills",
    "break_minutes",
    "break_window_start",
    "break_window_end",
]


def parse_hhmm(value: Any) -> int | None:
    """Minutes after midnight of ``HH:MM`` (``None`` when it is not a valid time)."""
    if isinstance(value, float) and np.isnan(value):
        return None
    m = _TIME.match(str(value))
    if not m:
        return None
    h, mm = int(m.group(1)), int(m.group(2))
    if h > 24 or mm > 59 or (h == 24 and mm):
        return None
    return h * 60 + mm


def hhmm(minutes: float) -> str:
    """``HH:MM`` of minutes after midnight (rounded to the minute)."""
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _skill_set(value: Any) -> frozenset[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return frozenset()
    return frozenset(s.strip().lower() for s in str(value).split(";") if s.strip())


class _RowProblems:
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, row: Any, column: str, value: Any, reason: str, fix: str) -> None:
        self.rows.append(
            {"row": row, "column": column, "value": value, "reason": reason, "fix": fix}
        )

    def raise_if_any(self, rejected: pd.DataFrame | None, source: str) -> None:
        frames = [pd.DataFrame(self.rows, columns=PROBLEM_COLUMNS)]
        if rejected is not None and len(rejected):
            frames.insert(0, rejected[PROBLEM_COLUMNS])
        table = pd.concat(frames, ignore_index=True)
        if len(table):
            raise ValidationError(table.sort_values("row", kind="stable"), source)


def _time_columns(
    df: pd.DataFrame, cols: list[str], probs: _RowProblems, optional: bool = False
) -> None:
    for col in cols:
        out = []
        for row, v in zip(df["source_row"], df[col], strict=True):
            blank = v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == ""
            t = None if blank else parse_hhmm(v)
            if t is None and not (blank and optional):
                probs.add(
                    row,
                    col,
                    v,
                    "not a time of day" if not blank else "missing",
                    "write times as HH:MM on the 24-hour clock, e.g. 07:30",
                )
            out.append(np.nan if t is None else float(t))
        df[col] = out


def _number_columns(df: pd.DataFrame, cols: list[str], probs: _RowProblems) -> None:
    """Convert optional numeric columns: blank is allowed, anything else must be a number."""
    for col in cols:
        if col not in df:
            df[col] = np.nan
            continue
        num = pd.to_numeric(df[col], errors="coerce")
        blank = df[col].isna() | (df[col].astype(str).str.strip() == "")
        for row, v in zip(
            df["source_row"][num.isna() & ~blank], df[col][num.isna() & ~blank], strict=True
        ):
            probs.add(row, col, v, "not a number", f"write '{col}' as a number, or leave it blank")
        df[col] = num.astype(float)


def read_visits(source: Any, *, area: Any = None) -> pd.DataFrame:
    """Read and check the day's visits (columns in :data:`VISIT_COLUMNS`).

    ``window_start``/``window_end`` (``HH:MM``) bound the visit's *start*;
    ``duration_minutes`` is its length; ``carers_required`` is 1 (blank) or 2; ``skills`` are
    ``;``-separated. Every problem in the file is reported together in one
    :class:`~carezones.ValidationError` (row, column, value, reason, fix).
    """
    from carezones.io import read_points

    got = read_points(
        source,
        id_column="visit_id",
        area=area,
        errors="collect",
        required=["window_start", "window_end", "duration_minutes"],
        numeric=["duration_minutes"],
    )
    df = got.valid.copy()
    probs = _RowProblems()
    _number_columns(df, ["carers_required"], probs)
    _time_columns(df, ["window_start", "window_end"], probs)
    if "client_id" not in df:
        df["client_id"] = df["visit_id"]
    df["carers_required"] = df["carers_required"].fillna(1.0)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]
    pref = df.get("preferred_carers", pd.Series([None] * len(df), index=df.index))
    df["preferred_carers"] = [
        frozenset(s.strip() for s in str(v).split(";") if s.strip())
        if v is not None and not (isinstance(v, float) and np.isnan(v))
        else frozenset()
        for v in pref
    ]
    for rec in df.itertuples():
        if rec.duration_minutes <= 0:
            probs.add(
                rec.source_row,
                "duration_minutes",
                rec.duration_minutes,
                "a visit must last more than 0 minutes",
                "give its length in minutes",
            )
        if rec.carers_required not in (1, 2):
            probs.add(
                rec.source_row,
                "carers_required",
                rec.carers_required,
                "only 1 or 2 carers are supported",
                "write 1, or 2 for a double-handed visit",
            )
        if np.isfinite(rec.window_start) and np.isfinite(rec.window_end):
            if rec.window_end < rec.window_start:
                probs.add(
                    rec.source_row,
                    "window_end",
                    hhmm(rec.window_end),
                    "the window ends before it starts",
                    "window_end is the latest start; make it no earlier than window_start",
                )
    probs.raise_if_any(got.rejected, "visits")
    df["carers_required"] = df["carers_required"].astype(int)
    return df.reset_index(drop=True)


def read_carers(source: Any, *, area: Any = None) -> pd.DataFrame:
    """Read and check the carers' shifts (columns in :data:`CARER_COLUMNS`).

    One row per shift: a carer working a split shift has two rows with the same ``carer_id``
    (they must not overlap). A break, when given (``break_minutes`` with its window), must be
    taken whole inside ``break_window_start``-``break_window_end``. ``max_minutes`` (optional)
    caps the shift's working time.
    """
    from carezones.io import read_points

    got = read_points(
        source,
        area=area,
        errors="collect",
        required=["carer_id", "shift_start", "shift_end"],
    )
    df = got.valid.copy()
    df["carer_id"] = df["carer_id"].astype(str)
    probs = _RowProblems()
    _number_columns(df, ["break_minutes", "max_minutes"], probs)
    _time_columns(df, ["shift_start", "shift_end"], probs)
    for col in ("break_window_start", "break_window_end"):
        if col not in df:
            df[col] = np.nan
    _time_columns(df, ["break_window_start", "break_window_end"], probs, optional=True)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]
    for rec in df.itertuples():
        if (
            np.isfinite(rec.shift_start)
            and np.isfinite(rec.shift_end)
            and (rec.shift_end <= rec.shift_start)
        ):
            probs.add(
                rec.source_row,
                "shift_end",
                hhmm(rec.shift_end),
                "the shift ends before it starts",
                "check shift_start and shift_end",
            )
        has = [
            np.isfinite(rec.break_minutes),
            np.isfinite(rec.break_window_start),
            np.isfinite(rec.break_window_end),
        ]
        if any(has) and not all(has):
            probs.add(
                rec.source_row,
                "break_minutes",
                rec.break_minutes,
                "a break needs its minutes and both ends of its window",
                "fill in break_minutes, break_window_start and break_window_end, or none",
            )
        elif all(has) and (
            rec.break_minutes <= 0
            or rec.break_window_end - rec.break_window_start < rec.break_minutes
        ):
            probs.add(
                rec.source_row,
                "break_minutes",
                rec.break_minutes,
                "the break does not fit in its window",
                "widen the break window or shorten the break",
            )
    for cid, g in df.groupby("carer_id", sort=False):
        g = g.sort_values("shift_start")
        s, e, r = g["shift_start"].to_numpy(), g["shift_end"].to_numpy(), g["source_row"].to_numpy()
        for i in range(1, len(g)):
            if s[i] < e[i - 1]:
                probs.add(
                    r[i],
                    "shift_start",
                    hhmm(s[i]),
                    f"carer {cid}'s shifts overlap (row {r[i - 1]} ends {hhmm(e[i - 1])})",
                    "a carer's shifts must not overlap: correct the times",
                )
    probs.raise_if_any(got.rejected, "carers")
    return df.reset_index(drop=True)


def write_rounds(rounds: Any, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a day's rounds to ``out_dir`` and return the paths.

    itineraries.csv (times ``HH:MM``), unserved.csv, kpis.json, rounds.gpkg (layers ``stops``
    and ``legs``) and rounds.html.
    """
    import json

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    it = rounds.itineraries.drop(columns=["lon", "lat", "leg"]).copy()
    for col in ("arrival", "start", "end"):
        it[col] = it[col].map(hhmm)
    for col in ("waiting_minutes", "travel_minutes", "travel_km"):
        it[col] = it[col].round(2)
    paths = [out / "itineraries.csv", out / "unserved.csv", out / "kpis.json"]
    it.to_csv(paths[0], index=False)
    rounds.unserved.to_csv(paths[1], index=False)
    paths[2].write_text(json.dumps(rounds.kpis, indent=2, default=float) + "\n")
    stops = gpd.GeoDataFrame(
        it, geometry=gpd.points_from_xy(rounds.itineraries.lon, rounds.itineraries.lat),
        crs="EPSG:4326",
    )  # fmt: skip
    stops.to_file(out / "rounds.gpkg", layer="stops", driver="GPKG")
    legs = rounds.itineraries[rounds.itineraries.leg.notna()]
    gpd.GeoDataFrame(
        legs[["carer_id", "shift", "seq", "travel_minutes", "travel_km"]],
        geometry=list(legs.leg), crs="EPSG:4326",
    ).to_file(out / "rounds.gpkg", layer="legs", driver="GPKG")  # fmt: skip
    paths.append(out / "rounds.gpkg")
    rounds.to_map(offline=offline).save(str(out / "rounds.html"))
    paths.append(out / "rounds.html")
    return paths


def read_toml(path: PathLike) -> dict[str, Any]:
    """Read a TOML file (UTF-8); a file that is not valid TOML raises ``ValueError``."""
    import tomllib

    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"configuration file not found: {p}")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid TOML ({exc})") from exc


def write_site_scores(
    result: Any, out_dir: PathLike, *, isochrones: bool = True, offline: bool = True
) -> list[Path]:
    """Write scored sites to ``out_dir``; return the paths.

    ``scores.csv`` (by rank, with ``lon``/``lat`` of each site), ``sites.gpkg`` (layers
    ``sites``, ``amenities`` and, for the top three, ``isochrones``), ``sites.html`` (the map)
    and, when the result has one, ``surface.gpkg``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ranked = result.ranked()
    csv = out / "scores.csv"
    pts = ranked.geometry.to_crs("EPSG:4326").representative_point()
    ranked.drop(columns="geometry").assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy()).to_csv(
        csv, index=False
    )
    gpkg = out / "sites.gpkg"
    gpkg.unlink(missing_ok=True)
    ranked.to_file(gpkg, layer="sites", driver="GPKG")
    if result.amenities is not None and len(result.amenities):
        result.amenities.to_file(gpkg, layer="amenities", driver="GPKG")
    if isochrones and result.walk is not None and result.scores.score.notna().any():
        result.isochrones().to_file(gpkg, layer="isochrones", driver="GPKG")
    page = out / "sites.html"
    result.to_map(offline=offline).save(str(page))
    paths = [csv, gpkg, page]
    if result.surface is not None:
        surf = out / "surface.gpkg"
        surf.unlink(missing_ok=True)
        result.surface.to_file(surf, layer="surface", driver="GPKG")
        paths.append(surf)
    return paths


def read_lkh_vrptw(path: PathLike) -> VrptwInstance:
    """Read an LKH-3 CVRPTW file (TSPLIB-style header, coordinates, demands, time windows).

    Distances follow the file's ``EDGE_WEIGHT_TYPE`` and ``SCALE``: with ``FLOOR_2D`` and
    ``SCALE : 10`` the travel time is ``floor(10 x Euclidean)`` (tenths), and time windows
    and service times are multiplied by the scale, so every number is an integer.
    """
    from carezones.vrp import VrptwInstance

    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif current is None and ":" in line:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
        elif current is not None:
            sections[current].append(line.split())
    scale = int(float(header.get("SCALE", "1")))
    coords = np.array([[float(r[1]), float(r[2])] for r in sections["NODE_COORD_SECTION"]])
    ids = np.array([int(r[0]) for r in sections["NODE_COORD_SECTION"]], dtype=np.int64)
    depot_ids = [int(r[0]) for r in sections.get("DEPOT_SECTION", [["1"]]) if int(r[0]) > 0]
    order = np.argsort(ids != depot_ids[0], kind="stable")  # the depot first
    coords, ids = coords[order], ids[order]
    pos = {int(i): k for k, i in enumerate(ids)}
    n = len(ids)
    demand = np.zeros(n, dtype=np.int64)
    for r in sections.get("DEMAND_SECTION", []):
        demand[pos[int(r[0])]] = int(r[1])
    window = np.zeros((n, 2), dtype=np.int64)
    for r in sections["TIME_WINDOW_SECTION"]:
        window[pos[int(r[0])]] = [round(float(r[1]) * scale), round(float(r[2]) * scale)]
    service = np.full(n, round(float(header.get("SERVICE_TIME", "0")) * scale), dtype=np.int64)
    service[0] = 0
    kind = header.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    diff = coords[:, None, :] - coords[None, :, :]
    euclid = np.sqrt((diff**2).sum(axis=2)) * scale
    if kind == "FLOOR_2D":
        travel = np.floor(euclid + 1e-9)
    elif kind == "EUC_2D":
        travel = np.floor(euclid + 0.5)
    elif kind == "CEIL_2D":
        travel = np.ceil(euclid - 1e-9)
    else:
        raise ValueError(f"{path}: EDGE_WEIGHT_TYPE {kind} is not supported (use FLOOR_2D)")
    return VrptwInstance(
        name=header.get("NAME", Path(path).stem),
        travel=travel.astype(np.int64),
        window=window,
        service=service,
        demand=demand,
        capacity=int(header.get("CAPACITY", str(np.iinfo(np.int32).max))),
        vehicles=int(header.get("VEHICLES", str(n - 1))),
        scale=scale,
        node_ids=ids,
    )


def write_solution(inst: VrptwInstance, sol: VrptwSolution, path: PathLike) -> None:
    """Write routes as ``Route #k: c1 c2 ...`` with the instance's own node numbers."""
    ids: Any = inst.node_ids if len(inst.node_ids) else np.arange(len(inst.demand))
    lines = [
        f"Route #{k}: " + " ".join(str(int(ids[c])) for c in route)
        for k, route in enumerate(sol.routes, start=1)
    ]
    lines.append(f"Cost {sol.distance / inst.scale:.1f}")
    Path(path).write_text("\n".join(lines) + "\n")


def write_travel_times(
    minutes: npt.NDArray[np.float64],
    origin_ids: Sequence[str],
    destination_ids: Sequence[str],
    path: PathLike,
) -> Path:
    """Write a travel-time matrix as CSV: one row per origin, one column per destination.

    Minutes with three decimals; ``inf`` where no route exists. Returns the path written.
    """
    out = Path(path)
    pd.DataFrame(minutes, index=list(origin_ids), columns=list(destination_ids)).to_csv(
        out, float_format="%.3f"
    )
    return out
