"""Where carezones finds the shared real data and keeps its cache."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

RUTLAND_PBF = "rutland-2022-07-20.osm.pbf"


def shared_data_dir() -> Path | None:
    """Return the folder of shared real data, or ``None`` when it is absent.

    Looks at ``$CAREZONES_DATA`` first, then ``../shared/data`` beside the project checkout
    and beside the current directory.

    Returns
    -------
    pathlib.Path or None
        The first of those folders that exists.

    Examples
    --------
    >>> folder = shared_data_dir()
    >>> folder is None or folder.is_dir()
    True
    """
    env = os.environ.get("CAREZONES_DATA")
    candidates = [Path(env)] if env else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "data" for p in here.parents[2:4]]
    candidates.append(Path.cwd().parent / "shared" / "data")
    for c in candidates:
        if c.is_dir():
            return c
    return None


def shared_file(name: str) -> Path | None:
    """Return the path of a file in the shared data folder, or ``None`` when it is absent.

    Parameters
    ----------
    name : str
        The file's name, e.g. :data:`RUTLAND_PBF`.

    Returns
    -------
    pathlib.Path or None
        Its path when the shared data folder holds it.

    Examples
    --------
    >>> shared_file("no-such-file.osm.pbf") is None
    True
    """
    d = shared_data_dir()
    if d is None:
        return None
    p = d / name
    return p if p.exists() else None


def cache_dir() -> Path:
    """Return (and create) the on-disk cache folder.

    ``$CAREZONES_CACHE`` if set, else ``$XDG_CACHE_HOME/carezones`` or ``~/.cache/carezones``.

    Returns
    -------
    pathlib.Path
        The folder, which exists.

    Examples
    --------
    >>> cache_dir().is_dir()
    True
    """
    env = os.environ.get("CAREZONES_CACHE")
    if env:
        p = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        p = Path(base) / "carezones"
    p.mkdir(parents=True, exist_ok=True)
    return p


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's content (read in 1 MiB blocks): the caches' key."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
