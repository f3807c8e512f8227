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
    """Return True for an empty cell (None, NaN, NA or whitespace-only text).

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    bool
        Whether the cell is empty.

    Examples
    --------
    >>> is_blank("  "), is_blank(float("nan")), is_blank(0), is_blank("n/a")
    (True, True, False, False)
    """
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_float(value: object) -> float | None:
    """Return a finite number from a cell, or ``None`` when the cell is not a number.

    Text is read as a plain decimal number (a typographic minus is accepted); ``True``,
    ``inf``, ``nan`` and ``"1,000"`` are not numbers.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    float or None
        The number.

    Examples
    --------
    >>> as_float(" 52.67 "), as_float("\u22120.7"), as_float("1,000"), as_float(True)
    (52.67, -0.7, None, None)
    """
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
    """Parse a column of cells into (numbers, blank, not_a_number); numbers are NaN if not.

    Parameters
    ----------
    values : pandas.Series
        The cells.

    Returns
    -------
    numbers : numpy.ndarray
        Each cell's number (NaN when blank or not a number).
    blank : numpy.ndarray
        Which cells are blank (:func:`is_blank`).
    not_a_number : numpy.ndarray
        Which cells are filled in but not a number (:func:`as_float`).

    Examples
    --------
    >>> import pandas as pd
    >>> numbers(pd.Series(["1.5", "", "x"]))
    (array([1.5, nan, nan]), array([False,  True, False]), array([False, False,  True]))
    """
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
    """Return a cell value as short text for the problems table, ``None`` when blank.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str or None
        The text, cut to 80 characters.

    Examples
    --------
    >>> shown(52.6), shown(None), len(shown("x" * 100))
    ('52.6', None, 80)
    """
    if value is None or (not isinstance(value, str) and is_blank(value)):
        return None
    text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------------------------
# Column names


def norm(name: object) -> str:
    """Normalise a column name for matching: lower case, letters and digits only.

    Parameters
    ----------
    name : object
        The column name.

    Returns
    -------
    str
        The name to match.

    Examples
    --------
    >>> norm("Lat WGS84"), norm("lat_wgs84")
    ('latwgs84', 'latwgs84')
    """
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def find_column(columns: Iterable[str], aliases: Iterable[str]) -> str | None:
    """Return the first column matching one of ``aliases`` (earlier aliases win).

    Parameters
    ----------
    columns : iterable of str
        The table's columns.
    aliases : iterable of str
        The names to look for, in order of preference (matched by :func:`norm`).

    Returns
    -------
    str or None
        The column's name as the table spells it.

    Examples
    --------
    >>> find_column(["Client Ref", "Postcode"], CLIENT_ID_ALIASES)
    'Client Ref'
    >>> find_column(["name"], HOURS_ALIASES) is None
    True
    """
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(norm(col), col)
    for alias in aliases:
        if norm(alias) in by_norm:
            return by_norm[norm(alias)]
    return None


def find_named(columns: Sequence[str], name: str) -> str | None:
    """Return the column called ``name`` (exactly, else ignoring case and punctuation).

    Parameters
    ----------
    columns : sequence of str
        The table's columns.
    name : str
        The name asked for.

    Returns
    -------
    str or None
        The column's name as the table spells it.

    Examples
    --------
    >>> find_named(["Visit ID", "start"], "visit_id")
    'Visit ID'
    """
    return name if name in columns else find_column(columns, (name,))
