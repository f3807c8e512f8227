"""Writing outputs safely: whole folders or nothing, and no formula in a spreadsheet cell.

Every writer of carezones goes through these:

- :func:`output_folder` writes a run into a temporary folder beside the target and moves it
  into place only when everything is written, so an output folder always holds one whole run
  (an interrupted run leaves the previous one as it was). It refuses a folder that holds files
  carezones did not write, rather than replace them.
- :func:`write_csv` neutralises text cells (and headers) that a spreadsheet would run as a
  formula: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (the OWASP rule for CSV injection). Numbers stay numbers, and so does text that
  is a plain number such as ``-0.5``.
- :func:`check_output_folder` and :func:`check_output_file` let a command find out, before any
  computation, that its output cannot be written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from carezones.errors import OutputError
from carezones.io._cells import PathLike

__all__ = [
    "MARKER",
    "check_output_file",
    "check_output_folder",
    "neutralise",
    "output_file",
    "output_folder",
    "safe_table",
    "write_csv",
]

MARKER = ".carezones-output"  # in every folder carezones writes: it may replace it whole
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def neutralise(value: object) -> object:
    """Return a cell value that no spreadsheet will run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'`` unless it is a plain number; anything else is returned as it is.

    Parameters
    ----------
    value : object
        A cell (or a column name).

    Returns
    -------
    object
        The cell, with a leading ``'`` when it would run as a formula.

    Examples
    --------
    >>> neutralise("=SUM(A1:A9)")
    "'=SUM(A1:A9)"
    >>> neutralise("-12.5"), neutralise(3), neutralise("C001")
    ('-12.5', 3, 'C001')
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        if not _PLAIN_NUMBER.match(value):
            return "'" + value
    return value


def safe_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a DataFrame whose text cells, column names and index are neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (left unchanged).

    Returns
    -------
    pandas.DataFrame
        The copy; numeric and boolean columns are unchanged.

    Examples
    --------
    >>> import pandas as pd
    >>> safe_table(pd.DataFrame({"=cmd": ["@SUM(A1)", "ok"], "n": [-1, 2]}))
           '=cmd  n
    0  '@SUM(A1) -1
    1         ok  2
    """
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col]) or pd.api.types.is_bool_dtype(out[col])):
            out[col] = out[col].map(neutralise)
    out.columns = [neutralise(c) for c in out.columns]
    if not pd.api.types.is_numeric_dtype(out.index):
        out.index = [neutralise(i) for i in out.index]
    return out


def write_csv(frame: pd.DataFrame, path: PathLike, **kwargs: Any) -> Path:
    """Write a DataFrame as CSV with every text cell neutralised (:func:`neutralise`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : str or os.PathLike
        The file to write.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (e.g. ``index=False``).

    Returns
    -------
    pathlib.Path
        ``path``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> path = write_csv(pd.DataFrame({"note": ["=HYPERLINK(x)"]}),
    ...                  Path(tempfile.mkdtemp()) / "notes.csv", index=False)
    >>> path.read_text().splitlines()
    ['note', "'=HYPERLINK(x)"]
    """
    safe_table(frame).to_csv(path, **kwargs)
    return Path(path)


def _nearest_existing(path: Path) -> Path:
    for parent in [path, *path.parents]:
        if parent.exists():
            return parent
    return Path.cwd()  # pragma: no cover - a relative path's parents end at the cwd


def _check_parent(path: Path, what: str) -> None:
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise OutputError(f"cannot write {what} {path}: {base} is a file, not a folder")
    if not os.access(base, os.W_OK | os.X_OK):
        raise OutputError(
            f"cannot write {what} {path}: no permission to write in {base}. Choose a folder "
            "you can write to."
        )


def check_output_folder(out_dir: PathLike) -> Path:
    """Check, before any work, that a run's files can be written into ``out_dir``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder a run will be written to (it need not exist).

    Returns
    -------
    pathlib.Path
        ``out_dir``.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, holds files that carezones did not write (they would be
        replaced), or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_output_folder(folder / "run").name
    'run'
    >>> _ = (folder / "mine.txt").write_text("not carezones'")
    >>> check_output_folder(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.OutputError: ... already holds files that carezones did not write. ...
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder: give the name of a folder to write to")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(
            f"{out} already holds files that carezones did not write. carezones replaces its "
            "output folder whole, so choose a new or empty folder."
        )
    _check_parent(out, "the folder")
    return out


def check_output_file(path: PathLike) -> Path:
    """Check, before any work, that a file can be written at ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written (its folder need not exist).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputError
        When ``path`` is a folder or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> check_output_file(folder)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.OutputError: ... is a folder: give the name of a file to write, e.g. .../x.csv
    """
    out = Path(path)
    if out.is_dir():
        raise OutputError(f"{out} is a folder: give the name of a file to write, e.g. {out}/x.csv")
    _check_parent(out, "the file")
    return out


@contextlib.contextmanager
def output_folder(out_dir: PathLike) -> Iterator[Path]:
    """Yield a temporary folder to write a run into; move it to ``out_dir`` when all is written.

    The previous contents of ``out_dir`` (an earlier run) are replaced only once the new run is
    complete; on any error or interruption the temporary folder is removed and ``out_dir`` is
    left as it was. Files are written into the yielded folder; callers report paths under
    ``out_dir``.

    Parameters
    ----------
    out_dir : str or os.PathLike
        The folder the run goes to (checked first by :func:`check_output_folder`).

    Yields
    ------
    pathlib.Path
        A temporary folder beside ``out_dir``, to write the run into.

    Raises
    ------
    OutputError
        When ``out_dir`` cannot be written (see :func:`check_output_folder`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> with output_folder(out) as tmp:
    ...     _ = (tmp / "zones.csv").write_text("zone_id" + chr(10))
    >>> sorted(p.name for p in out.iterdir())
    ['.carezones-output', 'zones.csv']
    """
    out = check_output_folder(out_dir)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise OutputError(f"cannot write the folder {out}: {exc.strerror or exc}") from exc
    try:
        yield tmp
        files = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
        (tmp / MARKER).write_text(json.dumps({"written_by": "carezones", "files": files}) + "\n")
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is, replacing an earlier run whole."""
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    os.replace(out, old / "run")
    try:
        os.replace(new, out)
    except BaseException:  # pragma: no cover - put the earlier run back
        os.replace(old / "run", out)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def output_file(path: PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place when it has been written.

    On any error the temporary file is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (checked first by :func:`check_output_file`).

    Yields
    ------
    pathlib.Path
        A temporary file beside ``path``, to write to.

    Raises
    ------
    OutputError
        When ``path`` cannot be written (see :func:`check_output_file`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "times.csv"
    >>> with output_file(path) as tmp:
    ...     _ = tmp.write_text("minutes" + chr(10))
    >>> path.read_text().splitlines()
    ['minutes']
    """
    out = check_output_file(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent)
    except OSError as exc:
        raise OutputError(f"cannot write the file {out}: {exc.strerror or exc}") from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def plain(value: object) -> object:
    """Return ``value`` with JSON's types: numpy numbers as numbers, NaN and NA as null."""
    import math

    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
