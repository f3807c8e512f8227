"""Postcode lookup files: the ONS Postcode Directory, Code-Point Open, or a simple CSV.

Only the postcodes a reader needs are kept, so a full directory fits in little memory.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from pyproj import Transformer

from carezones.errors import Argument, Fix, Problems, listing
from carezones.io._cells import (
    EASTING_ALIASES,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    POSTCODE_ALIASES,
    PathLike,
    find_column,
    norm,
    numbers,
)
from carezones.io._crs import BNG, WGS84

# ONSPD writes this latitude for postcodes without a grid reference.
ONSPD_NO_LOCATION_LAT = 99.999999
# A UK postcode with the spaces taken out (outward code, then inward code "9AA").
UK_POSTCODE_RE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ](?:[0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]"
    r"|[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$"
)
LOOKUP_FIX = Fix(
    argument=Argument.POSTCODE_LOOKUP,
    about="the path of an ONS Postcode Directory CSV (ONSPD), an Ordnance Survey Code-Point "
    "Open CSV, or a CSV with columns postcode,lat,lon or postcode,easting,northing",
)


def compact_postcode(value: object) -> str:
    """Return a postcode upper-cased with every space removed (``'le15 6aa'`` -> ``'LE156AA'``).

    Parameters
    ----------
    value : object
        The postcode as written.

    Returns
    -------
    str
        The compact postcode.

    Examples
    --------
    >>> compact_postcode(" le15  6aa ")
    'LE156AA'
    """
    return re.sub(r"\s+", "", str(value)).upper()


def display_postcode(compact: str) -> str:
    """Return a compact postcode with its single space put back (``'LE15 6AA'``).

    Parameters
    ----------
    compact : str
        A postcode from :func:`compact_postcode`.

    Returns
    -------
    str
        The postcode as people write it: the inward code (three characters) after a space.

    Examples
    --------
    >>> display_postcode("LE156AA")
    'LE15 6AA'
    """
    return f"{compact[:-3]} {compact[-3:]}"


# --------------------------------------------------------------------------------------------
# Lookup files


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


def _lookup_layout(first: list[str], name: str, probs: Problems) -> _LookupLayout:
    """Recognise ONSPD, Code-Point Open (no header) or a simple postcode,lat,lon CSV."""
    cells = [c.strip() for c in first]
    if cells and UK_POSTCODE_RE.match(compact_postcode(cells[0])):
        if len(cells) >= 4:  # Code-Point Open: postcode, quality, eastings, northings, ...
            return _LookupLayout(None, 0, 2, 3, "bng")
        if len(cells) == 3:  # postcode,lat,lon or postcode,easting,northing without header
            return _LookupLayout(None, 0, 1, 2, "auto")
    postcode = find_column(first, POSTCODE_ALIASES)
    lat, lon = find_column(first, LATITUDE_ALIASES), find_column(first, LONGITUDE_ALIASES)
    east, north = find_column(first, EASTING_ALIASES), find_column(first, NORTHING_ALIASES)
    if postcode is not None and lat is not None and lon is not None:
        xy = (norm(lon), norm(lat)) == ("x", "y")
        return _LookupLayout(0, postcode, lon, lat, "auto" if xy else "degrees")
    if postcode is not None and east is not None and north is not None:
        return _LookupLayout(0, postcode, east, north, "bng")
    probs.stop(
        f"the postcode lookup '{name}' has no recognisable postcode and coordinate columns "
        f"(columns found: {listing(first)})",
        LOOKUP_FIX,
    )


def geocode_postcodes(
    needed: set[str], lookup: PathLike, probs: Problems
) -> dict[str, tuple[float, float]]:
    """Return ``{compact postcode: (lon, lat)}`` for the needed postcodes found in the lookup.

    ``lookup`` is a CSV file, or a folder of them (such as Code-Point Open's ``Data/CSV``
    folder, one file per postcode area). Only the postcode and coordinate columns are read,
    in chunks, and only needed postcodes are kept, so a full ONS Postcode Directory (2.7
    million rows) fits in little memory. ONSPD rows without a location (latitude 99.999999)
    and Code-Point Open rows at 0,0 are skipped; terminated postcodes are kept.

    Parameters
    ----------
    needed : set of str
        Compact postcodes (:func:`compact_postcode`).
    lookup : str or os.PathLike
        The lookup CSV, or a folder of them.
    probs : Problems
        Where problems with the lookup are recorded.

    Returns
    -------
    dict of str to (float, float)
        The longitude and latitude of every needed postcode the lookup holds.

    Raises
    ------
    ValidationError
        When the lookup is missing, empty, or has no postcode and coordinate columns.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import tempfile
    >>> from pathlib import Path
    >>> lookup = Path(tempfile.mkdtemp()) / "postcodes.csv"
    >>> import pandas as pd
    >>> pd.DataFrame({"postcode": ["LE15 6AA", "LE15 9BB"], "lat": [52.67, 52.6],
    ...               "lon": [-0.73, -0.7]}).to_csv(lookup, index=False)
    >>> geocode_postcodes({"LE156AA", "ZZ11ZZ"}, lookup, Problems())
    {'LE156AA': (-0.73, 52.67)}
    """
    path = Path(os.fspath(lookup))
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".txt"))
        if not files:
            probs.stop(f"the postcode lookup folder '{path.name}' has no .csv files", LOOKUP_FIX)
    elif path.is_file():
        files = [path]
    else:
        probs.stop(f"postcode lookup file '{path.name}' not found", LOOKUP_FIX)
    found: dict[str, tuple[float, float]] = {}
    for file in files:
        found |= _read_lookup_file(file, needed - found.keys(), probs)
        if len(found) == len(needed):
            break
    return found


def _read_lookup_file(
    path: Path, needed: set[str], probs: Problems
) -> dict[str, tuple[float, float]]:
    """Read the needed postcodes of one lookup CSV (see :func:`geocode_postcodes`)."""
    with path.open("rb") as fh:
        head = fh.read(65536)
    encoding = _lookup_encoding(head)
    lines = head.decode(encoding, errors="replace").splitlines()
    if not lines:
        probs.stop(f"postcode lookup file '{path.name}' is empty", LOOKUP_FIX)
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
                    xs += numbers(chunk[layout.x][hit])[0].tolist()
                    ys += numbers(chunk[layout.y][hit])[0].tolist()
    except (pd.errors.ParserError, ValueError) as exc:
        probs.stop(
            f"the postcode lookup '{path.name}' could not be read ({type(exc).__name__})",
            LOOKUP_FIX,
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
            to_wgs84 = Transformer.from_crs(BNG, WGS84, always_xy=True)
            lon[good], lat[good] = to_wgs84.transform(xs[good], ys[good])
    found: dict[str, tuple[float, float]] = {}
    for key, ok_row, a, b in zip(keys, good, lon, lat, strict=True):
        if ok_row and key not in found:
            found[key] = (float(a), float(b))
    return found
