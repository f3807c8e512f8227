"""Read a source into a table of cells, with the row numbers the user sees.

A source is CSV (or other delimited text), Excel, GeoPackage, GeoJSON or a (Geo)DataFrame. Text
files have their encoding (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252) and
delimiter (``,`` ``;`` tab or ``|``) detected. CSV and Excel rows are numbered as a spreadsheet
shows them (the header is row 1); features and records from 1. A file that cannot be read is a
problem with the whole file, recorded in the reader's :class:`~carezones.errors.Problems`.
"""

from __future__ import annotations

import codecs
import csv
import os
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, Literal, TextIO

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import openpyxl
import pandas as pd
import pyogrio
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from carezones.errors import Argument, Ask, Fix, Problems, listing
from carezones.io import _limits as limits
from carezones.io._cells import PathLike, is_blank
from carezones.io._limits import (
    check_file_size,
    check_layer,
    check_workbook,
    too_many_cells,
    too_many_columns,
)

type Source = PathLike | pd.DataFrame
type Numbered = tuple[int, list[object]]
"""A record and the row number a spreadsheet shows it at."""

TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm"})
VECTOR_SUFFIXES = frozenset({".gpkg", ".geojson", ".json"})
DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
_SAVE_AS_CSV = "open it in Excel and save it as 'CSV UTF-8 (Comma delimited)'"


@dataclass
class Table:
    """The cells of a source, with their row numbers and (for vector data) geometries.

    Parameters
    ----------
    frame : pandas.DataFrame
        The cells (text files keep their cells as text).
    rows : numpy.ndarray
        Per row of ``frame``, the row number the user sees.
    kind : {"text", "excel", "vector", "frame"}
        What the source was.
    delimiter : str, optional
        A text file's delimiter.
    encoding : str, optional
        A text file's encoding.
    geometry : geopandas.GeoSeries, optional
        Vector data's geometries.
    geometry_column : str, default "geometry"
        The geometry column's name.
    too_long : list of (int, int, int), optional
        Rows with more cells than the header: (row, cells, header cells).
    renamed : dict of str to str, optional
        Columns whose header repeats an earlier one, renamed (``2029.1``): the new name and
        the header as written.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import pandas as pd
    >>> table = read_table(pd.DataFrame({"lat": [52.6, 52.61]}), None, Problems())
    >>> table.kind, table.rows
    ('frame', array([1, 2]))
    """

    frame: pd.DataFrame
    rows: npt.NDArray[np.int64]
    kind: Literal["text", "excel", "vector", "frame"]
    delimiter: str | None = None
    encoding: str | None = None
    geometry: gpd.GeoSeries | None = None
    geometry_column: str = "geometry"
    too_long: list[tuple[int, int, int]] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)


def source_name(source: Source) -> str:
    """Return the file name of a source (never its path or contents).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The source.

    Returns
    -------
    str
        The file's name, or ``"DataFrame"``/``"GeoDataFrame"``.

    Examples
    --------
    >>> source_name("/home/council/exports/clients.csv")
    'clients.csv'
    """
    if isinstance(source, gpd.GeoDataFrame):
        return "GeoDataFrame"
    if isinstance(source, pd.DataFrame):
        return "DataFrame"
    return Path(os.fspath(source)).name


def read_table(source: Source, sheet: str | int | None, probs: Problems) -> Table:
    """Read any supported source into a :class:`Table`.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        A CSV (or other delimited text), Excel, GeoPackage or GeoJSON file, or a
        (Geo)DataFrame.
    sheet : str or int or None
        The Excel sheet or GeoPackage layer.
    probs : Problems
        Where problems with the whole file are recorded.

    Returns
    -------
    Table
        The cells and their row numbers.

    Raises
    ------
    FileNotFoundError
        When ``source`` is a path that does not exist.
    ValidationError
        When the file cannot be read (an unsupported type, a bad encoding, an empty file...).

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "clients.csv"
    >>> import pandas as pd
    >>> pd.DataFrame({"id": ["a"], "lat": [52.6], "lon": [-0.7]}).to_csv(
    ...     path, sep=";", decimal=",", index=False)
    >>> table = read_table(path, None, Problems())
    >>> table.delimiter, table.encoding, table.rows
    (';', 'utf-8', array([2]))
    """
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


# --------------------------------------------------------------------------------------------
# Text files


def _encoding(path: Path, probs: Problems) -> str:
    """Return a text file's encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252.

    The file is read in chunks (never whole into memory) to check that it decodes.
    """
    with path.open("rb") as f:
        head = f.read(65536)
    if not head:
        probs.stop("the file is empty (0 bytes)", "export the data again; the file has no content")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
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
        if _decodes(path, encoding):
            return encoding
    return "latin-1"


def _decodes(path: Path, encoding: str) -> bool:
    """Return whether a whole file decodes as ``encoding`` (read in chunks of 1 MB)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


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
    return any(not is_blank(c) for c in cells)


def _lines(f: TextIO, probs: Problems) -> Iterator[str]:
    """Yield the lines of a text file, refusing one longer than :data:`MAX_LINE_CHARS`."""
    while line := f.readline(limits.MAX_LINE_CHARS + 1):
        if len(line) > limits.MAX_LINE_CHARS:
            _, fix = too_many_columns("the line", 0)
            probs.stop(
                f"a line of the file is longer than {limits.MAX_LINE_CHARS:,} characters, the "
                "most carezones reads",
                fix,
            )
        yield line


def _read_text(path: Path, probs: Problems) -> Table:
    """Read a delimited text file with automatic encoding and delimiter detection.

    The file is streamed: its size, each line's length, each row's cells and the table's
    cells are bounded (:mod:`carezones.io._limits`) before they are held in memory.
    """
    check_file_size(path, probs)
    encoding = _encoding(path, probs)
    numbered: list[Numbered] = []
    cells = 0
    try:
        with path.open(encoding=encoding, newline="") as f:
            delimiter = _detect_delimiter(f.read(65536))
        with path.open(encoding=encoding, newline="") as f:
            reader = csv.reader(_lines(f, probs), delimiter=delimiter)
            for k, record in enumerate(reader, start=1):
                if len(record) > limits.MAX_COLUMNS:
                    probs.stop(*too_many_columns(f"row {k}", len(record)))
                if not _nonblank(record):
                    continue
                cells += len(record)
                if cells > limits.MAX_CELLS:
                    probs.stop(*too_many_cells())
                numbered.append((k, [None if c == "" else c for c in record]))
    except UnicodeDecodeError:
        probs.stop("the file starts with a byte-order mark but is not valid text", _SAVE_AS_CSV)
    except csv.Error as exc:
        probs.stop(f"the file could not be read as delimited text ({exc})", _SAVE_AS_CSV)
    if not numbered:
        probs.stop("the file is empty (only blank lines)", "export the data again with its rows")
    table = _table_from_records(numbered, "text", probs, extend_header=False)
    table.delimiter, table.encoding = delimiter, encoding
    return table


# --------------------------------------------------------------------------------------------
# Excel workbooks and records


def _read_excel(path: Path, sheet: str | int | None, probs: Problems) -> Table:
    """Read one sheet of an .xlsx workbook (the first unless ``sheet`` is given).

    What the workbook unpacks to is checked first, and every sheet is read row by row within
    the limits of :mod:`carezones.io._limits` (its declared used range is not trusted).
    """
    check_file_size(path, probs)
    check_workbook(path, probs)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        probs.stop(f"the file is not a valid Excel workbook ({type(exc).__name__})", _SAVE_AS_CSV)
    try:
        names = list(book.sheetnames)
        if sheet is None:
            with_data = [ws.title for ws in book.worksheets if _has_data_rows(ws, probs)]
            if len(with_data) > 1:
                probs.stop(
                    f"the workbook has {len(with_data)} sheets with data "
                    f"({listing(with_data)}), so which one to read is not clear",
                    Fix(
                        "keep only that sheet in the workbook",
                        Argument.SHEET,
                        Ask.NAME,
                        example=with_data[0],
                        about="sheet",
                        first=True,
                    ),
                )
            ws = book[with_data[0]] if with_data else book.worksheets[0]
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            ws = book.worksheets[sheet]
        elif isinstance(sheet, str) and sheet in names:
            ws = book[sheet]
        else:
            probs.stop(
                f"the workbook has no sheet {sheet!r}",
                Fix(argument=Argument.SHEET, ask=Ask.ONE_OF_OR_POSITION, choices=tuple(names)),
            )
        numbered = _sheet_rows(ws, probs)
    finally:
        book.close()
    if not numbered:
        probs.stop("the file is empty (no header and no rows)", "export the data again")
    return _table_from_records(numbered, "excel", probs, extend_header=True)


def _sheet_rows(ws: Any, probs: Problems, enough: int | None = None) -> list[Numbered]:
    """Return a sheet's non-blank rows with their numbers, bounded as they are read.

    The sheet's declared dimensions are dropped, so that a row is as long as its last cell
    (not the used range) and no blank row is made up to its end; rows past Excel's last, a row
    of more than :data:`MAX_COLUMNS` cells and more than :data:`MAX_CELLS` cells in all are
    refused. ``enough``: stop after that many non-blank rows.
    """
    if hasattr(ws, "reset_dimensions"):  # a read-only sheet: the dimension tag can lie
        ws.reset_dimensions()
    numbered: list[Numbered] = []
    cells = 0
    for k, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        if k > limits.EXCEL_ROWS:
            probs.stop(
                f"the sheet has rows past row {limits.EXCEL_ROWS:,}, an Excel sheet's last row",
                "save the table again from Excel, or as CSV",
            )
        if len(row) > limits.MAX_COLUMNS:
            probs.stop(
                *too_many_columns(
                    f"row {k} of sheet '{ws.title}' reaches column "
                    f"{get_column_letter(len(row))}: it",
                    len(row),
                )
            )
        cells += len(row)
        if cells > limits.MAX_CELLS:
            probs.stop(*too_many_cells())
        if _nonblank(row):
            numbered.append((k, list(row)))
            if enough is not None and len(numbered) >= enough:
                break
    return numbered


def _has_data_rows(ws: Any, probs: Problems) -> bool:
    """Return whether a worksheet has a data row below its first filled row."""
    return len(_sheet_rows(ws, probs, enough=2)) > 1


def _header_names(cells: Sequence[object], width: int) -> tuple[list[str], dict[str, str]]:
    """Return unique column names (blank headers become ``column_<letter>``) and the renamed.

    See :func:`_unique` for a header written twice.
    """
    return _unique(
        f"column_{get_column_letter(i + 1)}" if is_blank(cell) else str(cell).strip()
        for i, cell in ((i, _cell(cells, i)) for i in range(width))
    )


def _unique(wanted: Iterable[str]) -> tuple[list[str], dict[str, str]]:
    """Return the names made unique and the renamed ones (each name to the one it repeats).

    A name used before gets ``.1``, ``.2``...: ``2029``, ``2029`` become ``2029``, ``2029.1``.
    """
    names: list[str] = []
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for base in wanted:
        name, k = base, 0
        while name in taken:
            k += 1
            name = f"{base}.{k}"
        if k:
            renamed[name] = base
        names.append(name)
        taken.add(name)
    return names, renamed


def _table_from_records(
    numbered: list[Numbered],
    kind: Literal["text", "excel"],
    probs: Problems,
    *,
    extend_header: bool,
) -> Table:
    """Build a table from the non-blank records and their spreadsheet row numbers."""
    head_row, header = numbered[0]
    width = len(header)
    while width > 1 and is_blank(header[width - 1]):
        width -= 1
    if extend_header:
        width = max(max(_last_filled(r) for _, r in numbered), width)
    names, renamed = _header_names(header, width)
    data: list[list[object]] = []
    rows: list[int] = []
    too_long: list[tuple[int, int, int]] = []
    for row, cells in numbered[1:]:
        if len(cells) > width and _nonblank(cells[width:]):
            too_long.append((len(data), _last_filled(cells), width))
        if len(cells) != width:  # padded or cut in place: one list per row, not two
            cells[:] = cells[:width] + [None] * (width - len(cells))
        data.append(cells)
        rows.append(row)
    del head_row
    if not data:
        probs.stop(
            "the file has a header row but no data rows",
            "add the data rows below the header, or check that the right file or sheet was "
            "exported",
        )
    frame = pd.DataFrame(data, columns=names)
    unnamed = [i for i in range(width) if is_blank(_cell(header, i))]
    empty = [names[i] for i in unnamed if frame[names[i]].map(is_blank).all()]
    frame = frame.drop(columns=empty)  # e.g. an unused column A left of the table
    rows_read = np.asarray(rows, dtype=np.int64)
    return Table(frame, rows_read, kind, too_long=too_long, renamed=renamed)


def _cell(cells: Sequence[object], i: int) -> object:
    """Return cell ``i`` of a record, ``None`` past its end."""
    return cells[i] if i < len(cells) else None


def _last_filled(cells: Sequence[object]) -> int:
    """Return the number of cells up to and including the last non-blank one."""
    return max((i + 1 for i, c in enumerate(cells) if not is_blank(c)), default=0)


# --------------------------------------------------------------------------------------------
# GeoPackage, GeoJSON and DataFrames


def _read_vector(path: Path, layer: str | int | None, probs: Problems) -> Table:
    """Read a GeoPackage or GeoJSON layer with its geometries and CRS (its size bounded)."""
    check_file_size(path, probs)
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
            f"the file has {len(layers)} layers: {listing(layers)}",
            Fix(argument=Argument.SHEET, ask=Ask.NAME, about="layer"),
        )
    if layer is not None and layer not in layers:
        probs.stop(
            f"the file has no layer {layer!r}",
            Fix(argument=Argument.SHEET, ask=Ask.ONE_OF, choices=tuple(layers)),
        )
    check_layer(path, layer, probs)
    data = gpd.read_file(path, layer=layer)
    return _table_from_frame(data, probs, kind="vector")


def _table_from_frame(
    data: pd.DataFrame, probs: Problems, kind: Literal["vector", "frame"] = "frame"
) -> Table:
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
    names, renamed = _unique(str(c) for c in frame.columns)
    frame.columns = names
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return Table(
        frame, rows, kind, geometry=geometry, geometry_column=geometry_column, renamed=renamed
    )
