"""Writing outputs safely: whole folders or nothing, and no formula in a spreadsheet cell.

Every writer of carezones goes through these:

- :func:`output_folder` writes a run into a temporary folder beside the target and moves it
  into place only when everything is written, so an output folder always holds one whole run
  (an interrupted run leaves the previous one as it was). Each run's folder holds a manifest,
  :data:`MARKER`, listing every file written; a folder is replaced only when everything in it
  is listed there, so a file the user put in it (or a folder carezones never wrote) is refused
  with its name, never deleted. Nor is the current folder, or one that holds it, replaced.
- :func:`file_names` gives names (of zones, providers, designs) file names that are unique,
  even ignoring case, and short, whatever the names.
- :func:`write_csv` neutralises text cells (and headers) that a spreadsheet would run as a
  formula: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
  leading ``'`` (the OWASP rule for CSV injection). Numbers stay numbers, and so does text that
  is a plain number such as ``-0.5``.
- :func:`check_output_folder` and :func:`check_output_file` let a command find out, before any
  computation, that its output cannot be written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from carezones.errors import OutputError
from carezones.io._cells import PathLike

__all__ = [
    "MARKER",
    "check_output_file",
    "check_output_folder",
    "file_names",
    "foreign_files",
    "neutralise",
    "output_file",
    "output_folder",
    "safe_table",
    "write_csv",
]

MARKER = ".carezones-output"
"""The manifest in every folder carezones writes: JSON naming every file of the run (``files``,
paths relative to the folder) and the version that wrote it. The folder may be replaced only
when it holds nothing else."""
SHOWN = 5  # foreign files named in a refusal (then how many more)
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


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{d}{i}" for d in ("COM", "LPT") for i in range(10))}


def file_names(names: Iterable[str], *, default: str = "item", limit: int = 60) -> dict[str, str]:
    """Give each name a file name (without its extension): unique even ignoring case, and short.

    A name keeps its letters, digits, ``_``, ``.`` and ``-`` (anything else becomes ``-``). When
    that makes two names alike (ignoring case, as Windows and macOS do), is longer than
    ``limit`` or is a name Windows reserves, the file name ends with 8 hex digits of the
    name's SHA-256 instead, so that it depends on the name only; any clash left is numbered.

    Parameters
    ----------
    names : iterable of str
        The names (of zones, providers, designs...); repeats count once.
    default : str, default "item"
        The file name of a name with no letter or digit.
    limit : int, default 60
        The longest file name.

    Returns
    -------
    dict
        Name -> file name, in the order of ``names``.

    Examples
    --------
    >>> names = file_names(["Caldwell", "Care & Co", "Care-Co", "care co"])
    >>> names  # doctest: +NORMALIZE_WHITESPACE
    {'Caldwell': 'Caldwell', 'Care & Co': 'Care-Co-6e761638', 'Care-Co': 'Care-Co-bcee1600',
     'care co': 'care-co-ef87f008'}
    >>> len(file_names(["x" * 300])["x" * 300])
    60
    """
    unique = list(dict.fromkeys(str(n) for n in names))
    slugs = {n: _UNSAFE.sub("-", n).strip("-.") or default for n in unique}
    alike: dict[str, int] = {}
    for slug in slugs.values():
        alike[slug.casefold()] = alike.get(slug.casefold(), 0) + 1
    out: dict[str, str] = {}
    for name, slug in slugs.items():
        plain = len(slug) <= limit and alike[slug.casefold()] == 1
        if not plain or slug.split(".")[0].upper() in _RESERVED:
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
            slug = f"{slug[: limit - 9].rstrip('-.')}-{digest}"
        out[name] = slug
    taken: set[str] = set()
    for name in sorted(out, key=lambda n: (out[n].casefold(), n)):  # clashes left: numbered
        stem, k = out[name], 1
        while out[name].casefold() in taken:
            k += 1
            out[name] = f"{stem[: limit - 1 - len(str(k))]}-{k}"
        taken.add(out[name].casefold())
    return {n: out[n] for n in unique}


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
        When ``out_dir`` is a file, is the current folder or holds it, holds files that
        carezones did not write (they would be replaced: the message names them), or cannot be
        written.

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
    carezones.errors.OutputError: ... holds a file that carezones did not write: mine.txt. ...
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder: give the name of a folder to write to")
    _not_the_current_folder(out)
    _refuse_foreign(out)
    _check_parent(out, "the folder")
    return out


def _not_the_current_folder(out: Path) -> None:
    """Refuse the current folder, or a folder holding it: the run would replace it whole."""
    here = Path.cwd().resolve()
    target = out.resolve()
    if target == here or target in here.parents:
        which = "the current folder" if target == here else "a folder holding the current folder"
        raise OutputError(
            f"cannot write the run to {out}: it is {which}, and carezones replaces its output "
            "folder whole. Give the name of a new folder, e.g. carezones-output."
        )


def foreign_files(out_dir: PathLike) -> list[str]:
    """Return what ``out_dir`` holds that its manifest (:data:`MARKER`) does not list.

    Paths are relative to ``out_dir`` (``/``-separated, a folder with a trailing ``/`` when
    nothing listed is in it), sorted. Without a readable manifest everything in the folder is
    foreign; a folder that does not exist or is empty holds nothing foreign.

    Parameters
    ----------
    out_dir : str or os.PathLike
        An output folder.

    Returns
    -------
    list of str
        The files (and folders) carezones did not write.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> with output_folder(out) as tmp:
    ...     _ = (tmp / "zones.csv").write_text("zone_id" + chr(10))
    >>> foreign_files(out)
    []
    >>> _ = (out / "my-notes.txt").write_text("mine")
    >>> foreign_files(out)
    ['my-notes.txt']
    """
    out = Path(out_dir)
    if not out.is_dir():
        return []
    listed = _listed(out)
    allowed = {MARKER} | listed
    folders = {str(Path(f).parent.as_posix()) for f in listed}
    parents = {p for f in folders for p in [f, *(q.as_posix() for q in Path(f).parents)]}
    found: list[str] = []
    for root, dirs, files in os.walk(out):
        base = Path(root).relative_to(out)
        for name in sorted(dirs):
            rel = (base / name).as_posix()
            if (Path(root) / name).is_symlink():
                found.append(rel)  # a link is not something carezones writes
            elif rel not in parents:
                found.append(rel + "/")  # nothing of ours inside: left whole
        dirs[:] = [d for d in dirs if (base / d).as_posix() in parents]
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]
        found += [(base / f).as_posix() for f in files if (base / f).as_posix() not in allowed]
    return sorted(found)


def _listed(out: Path) -> set[str]:
    """Return the files the manifest of ``out`` lists (none when missing or unreadable)."""
    try:
        manifest = json.loads((out / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or manifest.get("written_by") != "carezones":
        return set()
    return {Path(f).as_posix() for f in files if isinstance(f, str) and f}


def _refuse_foreign(out: Path) -> None:
    """Raise :class:`OutputError` naming what ``out`` holds that carezones did not write."""
    found = foreign_files(out)
    if not found:
        return
    shown = ", ".join(found[:SHOWN])
    more = f" and {len(found) - SHOWN} more ({len(found)} in all)" if len(found) > SHOWN else ""
    what, them = ("a file", "it") if len(found) == 1 else (f"{len(found)} files", "them")
    raise OutputError(
        f"{out} holds {what} that carezones did not write: {shown}{more}. carezones replaces "
        f"its output folder whole and would delete {them}: choose another output folder, or "
        f"move {them} out of {out} first."
    )


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
    where = Path(os.path.abspath(out))  # "run/.." has a name and a parent once made absolute
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{where.name}.", suffix=".partial", dir=where.parent))
    except OSError as exc:
        raise OutputError(f"cannot write the folder {out}: {exc.strerror or exc}") from exc
    try:
        yield tmp
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        manifest = {"written_by": "carezones", "version": _version(), "files": files}
        (tmp / MARKER).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
        _refuse_foreign(out)  # again: a file may have been put there while the run was made
        _swap(tmp, where)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _version() -> str:
    """Return the version of carezones writing the files (as installed), or ``unknown``."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("carezones")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` where ``out`` is, replacing an earlier run whole."""
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
    try:
        os.replace(out, old / "run")
    except BaseException:
        old.rmdir()  # still empty: the earlier run was not moved
        raise
    try:
        os.replace(new, out)
    except BaseException:  # pragma: no cover - put the earlier run back
        os.replace(old / "run", out)
        old.rmdir()
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
