"""Cells and column names: what every reader of this package shares.

The one blank-cell test (:func:`is_blank`), the one number parser (:func:`as_float`, and
:func:`numbers` for a column), how a cell is shown in a problems table (:func:`shown`), and the
column aliases with the name matching that finds them (:func:`find_column`).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

type PathLike = str | os.PathLike[str]


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

_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


# --------------------------------------------------------------------------------------------
# Cells


def is_blank(value: object) -> bool:
    """Return True for an empty cell (None, NaN, NA or whitespace-only text)."""
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float | None:
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


def numbers(
    values: pd.Series,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Parse a column of cells into (numbers, blank, not_a_number); numbers are NaN if not."""
    cells = values.tolist()
    out = np.full(len(cells), np.nan)
    blank = np.zeros(len(cells), dtype=bool)
    bad = np.zeros(len(cells), dtype=bool)
    for i, cell in enumerate(cells):
        if is_blank(cell):
            blank[i] = True
            continue
        number = as_float(cell)
        if number is None:
            bad[i] = True
        else:
            out[i] = number
    return out, blank, bad


def shown(value: object) -> str | None:
    """Return a cell value as short text for the problems table, ``None`` when blank."""
    if value is None or (not isinstance(value, str) and is_blank(value)):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------------------------
# Column names


def norm(name: object) -> str:
    """Normalise a column name for matching: lower case, letters and digits only."""
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def find_column(columns: Iterable[str], aliases: Iterable[str]) -> str | None:
    """Return the first column matching one of ``aliases`` (earlier aliases win)."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(norm(col), col)
    for alias in aliases:
        if norm(alias) in by_norm:
            return by_norm[norm(alias)]
    return None


def find_named(columns: Sequence[str], name: str) -> str | None:
    """Return the column called ``name`` (exactly, else ignoring case and punctuation)."""
    return name if name in columns else find_column(columns, (name,))


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Return names quoted and comma-separated, shortened after ``limit`` names."""
    names = list(names)
    text = ", ".join(f"'{n}'" for n in names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")
