"""How much a reader reads: every input file is bounded before it is read into memory.

A council's files are a few MB; a file much larger, a row of 100,000 cells or a workbook whose
one stray cell at ``XFD1048576`` stretches its used range to 17 billion cells is a mistake (or
an attack), and reading it would take minutes and gigabytes. Each reader checks, before it
allocates, what it will read against these limits, and refuses with the limit and the fix:

- :data:`MAX_FILE_BYTES` on the size of every input file;
- :data:`MAX_COLUMNS` on the cells of a row (a sheet's used range, a CSV line, a layer's
  fields), :data:`MAX_LINE_CHARS` on a line of text;
- :data:`MAX_CELLS` on the cells of a table (rows times columns), checked as rows are read;
- :data:`MAX_UNPACKED_BYTES` and :data:`MAX_PART_BYTES` on what a workbook (a zip archive)
  unpacks to, from the sizes its archive declares (a "zip bomb" of a few KB is refused);
- :data:`MAX_FEATURES` on the features of a GeoPackage or GeoJSON layer;
- :data:`MAX_CONFIG_BYTES` on a configuration (TOML) file.

The vertices of a layer's polygons are bounded by its file's size only; OSM extracts (the road
network) and postcode lookups (read in chunks, only the postcodes needed) are not bounded here.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pyogrio

from carezones.errors import Problems

MAX_FILE_BYTES = 200 * 1024**2
"""The largest input file read: 200 MB."""
MAX_COLUMNS = 1_000
"""The most cells a row may have: a table's columns, a sheet's used range across."""
MAX_CELLS = 3_000_000
"""The most cells a table may hold (its rows times its columns, blank cells too)."""
MAX_LINE_CHARS = 1_000_000
"""The longest line of a text file read."""
MAX_UNPACKED_BYTES = 400 * 1024**2
"""The most a workbook may unpack to (every part of its zip archive together): 400 MB."""
MAX_PART_BYTES = 100 * 1024**2
"""The most one part of a workbook other than a sheet (shared strings, styles) may unpack to."""
MAX_FEATURES = 1_000_000
"""The most features a GeoPackage or GeoJSON layer may have."""
EXCEL_ROWS = 1_048_576
"""The last row of an Excel sheet."""
MAX_CONFIG_BYTES = 1024**2
"""The largest configuration (TOML) file read: 1 MB."""

_SMALLER = (
    "keep only the rows and columns carezones needs (e.g. only your area's rows) and save the "
    "file again, or split it into smaller files"
)


def megabytes(n: float) -> str:
    """Return a size in bytes as MB (``"4.9 MB"``).

    Parameters
    ----------
    n : float
        Bytes.

    Returns
    -------
    str
        The size in MB.

    Examples
    --------
    >>> megabytes(200 * 1024**2), megabytes(5_000_000)
    ('200 MB', '4.77 MB')
    """
    return f"{n / 1024**2:,.3g} MB"


def check_file_size(path: Path, probs: Problems) -> None:
    """Refuse a file larger than :data:`MAX_FILE_BYTES` before it is read.

    Parameters
    ----------
    path : pathlib.Path
        The file (a shapefile's ``.dbf`` beside it counts too).
    probs : Problems
        Where the problem is recorded (and raised).

    Raises
    ------
    ValidationError
        When the file is too large.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkstemp(suffix=".csv")[1])
    >>> check_file_size(path, Problems("clients.csv"))  # 0 bytes: not too large
    """
    sizes = [os.path.getsize(path)]
    if path.suffix.lower() == ".shp" and path.with_suffix(".dbf").is_file():
        sizes.append(os.path.getsize(path.with_suffix(".dbf")))
    if max(sizes) > MAX_FILE_BYTES:
        probs.stop(
            f"the file is {megabytes(max(sizes))}, more than the {megabytes(MAX_FILE_BYTES)} "
            "carezones reads from one file",
            _SMALLER,
        )


def too_many_columns(where: str, columns: int) -> tuple[str, str]:
    """Return the reason and fix of a row or layer with more than :data:`MAX_COLUMNS` columns.

    Parameters
    ----------
    where : str
        What has them ("row 1", "the layer").
    columns : int
        How many it has.

    Returns
    -------
    reason, fix : str
        The words of the problem.

    Examples
    --------
    >>> too_many_columns("row 1", 100_000)[0]
    'row 1 has 100,000 columns; carezones reads at most 1,000 columns'
    """
    return (
        f"{where} has {columns:,} columns; carezones reads at most {MAX_COLUMNS:,} columns",
        "keep only the columns carezones needs, and delete every cell right of the table "
        "(in Excel select those columns and Delete them, formatting too), or copy the table "
        "into a new file",
    )


def too_many_cells() -> tuple[str, str]:
    """Return the reason and fix of a table of more than :data:`MAX_CELLS` cells.

    Returns
    -------
    reason, fix : str
        The words of the problem.

    Examples
    --------
    >>> too_many_cells()[0][:40]
    'the table holds more than 3,000,000 cell'
    """
    return (
        f"the table holds more than {MAX_CELLS:,} cells (rows times columns, blank cells "
        "included), the most carezones reads; reading stopped there",
        f"{_SMALLER}; in Excel, delete the empty rows and columns around the table (formatting "
        "too) so that its used range ends at the table",
    )


def check_workbook(path: Path, probs: Problems) -> None:
    """Refuse a workbook whose zip archive unpacks to more than the limits, before opening it.

    The sizes are those the archive declares for each part (reading a part never yields more:
    a part that lies about its size fails its check when read).

    Parameters
    ----------
    path : pathlib.Path
        The ``.xlsx`` file.
    probs : Problems
        Where the problem is recorded (and raised).

    Raises
    ------
    ValidationError
        When a part, or the whole, unpacks to more than :data:`MAX_PART_BYTES` or
        :data:`MAX_UNPACKED_BYTES`.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = [(i.filename, i.file_size) for i in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip archive: the workbook reader says so
    total = sum(size for _, size in parts)
    big = [
        (name, size)
        for name, size in parts
        if size > MAX_PART_BYTES and not name.startswith("xl/worksheets/")
    ]
    if total > MAX_UNPACKED_BYTES or big:
        what = (
            f"its part '{big[0][0]}' unpacks to {megabytes(big[0][1])} (at most "
            f"{megabytes(MAX_PART_BYTES)} read)"
            if big
            else f"it unpacks to {megabytes(total)} (at most {megabytes(MAX_UNPACKED_BYTES)} read)"
        )
        probs.stop(
            f"the workbook is {megabytes(os.path.getsize(path))} on disk but {what}: it holds "
            "far more than a table of clients or sites",
            f"{_SMALLER}; or save the sheet as CSV",
        )


def check_layer(path: Path, layer: str | int | None, probs: Problems) -> None:
    """Refuse a spatial layer of more than :data:`MAX_FEATURES` features or too many fields.

    Parameters
    ----------
    path : pathlib.Path
        The GeoPackage, GeoJSON or shapefile.
    layer : str or int or None
        The layer (``None``: the first).
    probs : Problems
        Where the problem is recorded (and raised).

    Raises
    ------
    ValidationError
        When the layer is too large.
    """
    try:
        info = pyogrio.read_info(path, layer=layer if layer is not None else 0)
    except Exception:  # unreadable: the reader says why when it reads the layer
        return
    features = int(info.get("features", -1))
    fields = len(info.get("fields", ()))
    if fields > MAX_COLUMNS:
        probs.stop(*too_many_columns("the layer", fields))
    if features > MAX_FEATURES or features * (fields + 1) > MAX_CELLS:
        probs.stop(
            f"the layer has {features:,} features of {fields} fields; carezones reads at most "
            f"{MAX_FEATURES:,} features and {MAX_CELLS:,} values",
            _SMALLER,
        )
