"""Read configuration files (TOML), such as a site-scoring configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from carezones.io._cells import PathLike
from carezones.io._limits import MAX_CONFIG_BYTES, megabytes

__all__ = ["read_toml"]


def read_toml(path: PathLike) -> dict[str, Any]:
    """Read a TOML file (UTF-8); a file that is not valid TOML raises ``ValueError``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    dict
        The file's tables and values.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When the file is not valid UTF-8 TOML, or larger than a configuration can be (1 MB).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "sites.toml"
    >>> _ = path.write_text('[weights]' + chr(10) + 'shops = 0.4' + chr(10))
    >>> read_toml(path)
    {'weights': {'shops': 0.4}}
    >>> _ = path.write_text("weights = ")
    >>> read_toml(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: not valid TOML (...)
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"configuration file not found: {p}")
    if p.is_dir():
        raise ValueError(f"{p.name} is a folder, not a TOML file")
    if p.stat().st_size > MAX_CONFIG_BYTES:
        raise ValueError(
            f"{p.name} is {megabytes(p.stat().st_size)}, more than a configuration file can be "
            f"({megabytes(MAX_CONFIG_BYTES)}): give the TOML file of the configuration"
        )
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid TOML ({exc})") from exc
