"""Read the day's visits and the carers' shifts for planning rounds, checked in one pass.

Both readers locate their rows as :func:`~carezones.io.points.read_points` does (same files,
coordinates, postcodes, options and row numbers), then check times of day (``HH:MM``), numbers,
skills, visit windows, breaks and overlapping shifts. Every problem, whether found while
locating the rows or after, is raised together in one :class:`~carezones.ValidationError`.

Visits and shifts that carezones makes itself (a county plan's day of visits from weekly
hours, the teams it sizes) are valid by construction: :func:`visits_table` and
:func:`carers_table` build the same tables without checking each row again, so that generated
inputs are validated once, where they are made.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, Problems
from carezones.io._cells import find_named, is_blank, numbers
from carezones.io._table import Source
from carezones.io.days import day_column
from carezones.io.options import AreaLike, ReadOptions
from carezones.io.points import (
    Collected,
    Errors,
    _check_errors,
    _Field,
    _read,
    _spec_fields,
    _trusted,
)

__all__ = [
    "CARER_COLUMNS",
    "ITINERARY_COLUMNS",
    "PAIR_COLUMNS",
    "VISIT_COLUMNS",
    "carers_table",
    "hhmm",
    "parse_hhmm",
    "read_carers",
    "read_itineraries",
    "read_visits",
    "visits_table",
]

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


def parse_hhmm(value: object) -> int | None:
    """Return the minutes after midnight of ``HH:MM`` (``None`` when it is not a valid time).

    Parameters
    ----------
    value : object
        A time of day on the 24-hour clock such as ``"07:30"`` (``"24:00"`` is midnight at the
        end of the day).

    Returns
    -------
    int or None
        The minutes after midnight, or ``None`` for a blank cell or anything else.

    Examples
    --------
    >>> from carezones.io import parse_hhmm
    >>> parse_hhmm("07:30"), parse_hhmm("24:00"), parse_hhmm("7.30")
    (450, 1440, None)
    """
    if is_blank(value):
        return None
    m = _TIME.match(str(value))
    if not m:
        return None
    h, mm = int(m.group(1)), int(m.group(2))
    if h > 24 or mm > 59 or (h == 24 and mm):
        return None
    return h * 60 + mm


def hhmm(minutes: float) -> str:
    """Return ``HH:MM`` of minutes after midnight (rounded to the minute).

    Parameters
    ----------
    minutes : float
        Minutes after midnight.

    Returns
    -------
    str
        The time of day, e.g. ``"07:30"``.

    Examples
    --------
    >>> from carezones.io import hhmm
    >>> hhmm(450), hhmm(1019.6)
    ('07:30', '17:00')
    """
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _listed(value: object) -> frozenset[str]:
    """Return the ``;``-separated names in a cell (none when it is blank)."""
    if is_blank(value):
        return frozenset()
    return frozenset(s.strip() for s in str(value).split(";") if s.strip())


def _skill_set(value: object) -> frozenset[str]:
    """Return the skills in a cell, in lower case."""
    return frozenset(s.lower() for s in _listed(value))


# The columns each reader needs, as read_points finds and checks them.
_VISIT_FIELDS = [
    _Field("visit_id", ("visit_id",), "id", given="visit_id"),
    *_spec_fields(["window_start", "window_end", "duration_minutes"], ["duration_minutes"]),
]
_CARER_FIELDS = _spec_fields(["carer_id", "shift_start", "shift_end"], [])


def _time_columns(
    df: pd.DataFrame, cols: list[str], probs: Problems, optional: bool = False
) -> None:
    """Convert time-of-day columns to minutes after midnight (NaN when blank or bad)."""
    for col in cols:
        out = []
        for pos, v in enumerate(df[col]):
            blank = is_blank(v)
            t = None if blank else parse_hhmm(v)
            if t is None and not (blank and optional):
                probs.add(
                    pos,
                    col,
                    v,
                    "not a time of day" if not blank else "missing",
                    "write times as HH:MM on the 24-hour clock, e.g. 07:30",
                )
            out.append(np.nan if t is None else float(t))
        df[col] = out


def _number_columns(df: pd.DataFrame, cols: list[str], probs: Problems) -> None:
    """Convert optional numeric columns: blank is allowed, anything else must be a number."""
    for col in cols:
        if col not in df:
            df[col] = np.nan
            continue
        cells = df[col].tolist()
        values, _, bad = numbers(df[col])
        for pos in np.flatnonzero(bad):
            fix = f"write '{col}' as a number, or leave it blank"
            probs.add(pos, col, cells[pos], "not a number", fix)
        df[col] = values


def _options(options: ReadOptions | None) -> ReadOptions:
    """Check the reading options of visits or shifts: their ids and geometries are fixed."""
    opts = options or ReadOptions()
    if opts.id_column is not None or opts.allow_polygons:
        argument = "id_column" if opts.id_column is not None else "allow_polygons"
        raise ArgumentError(
            f"{argument} is not an option of visits or shifts: their ids are visit_id and "
            "carer_id, and they are points",
            argument=argument,
            value=getattr(opts, argument),
            allowed="not given",
        )
    return opts


def _located(
    source: Source,
    what: str,
    fields: list[_Field],
    read: tuple[ReadOptions, AreaLike | None, str | int | None],
) -> tuple[gpd.GeoDataFrame, Problems]:
    """Locate the rows as :func:`read_points` does; return them and their problems so far.

    Problems with the whole file are raised at once.
    """
    opts, area, sheet = read
    valid, first = _read(source, opts, fields, sheet=sheet, area=area, errors="collect")
    df = valid.copy()
    probs = Problems(what, rows=df["source_row"])
    probs.extend(first)
    return df, probs


def _result(df: gpd.GeoDataFrame, probs: Problems, errors: str) -> gpd.GeoDataFrame | Collected:
    """Raise every problem, or return the valid rows with the problems (``errors="collect"``)."""
    if errors == "raise" or probs.fatal:
        probs.raise_if_any()
    valid = df[~probs.bad].reset_index(drop=True)
    if errors == "collect":
        return Collected(valid, probs.table(every_row=True))
    return valid


def _visit_columns(df: gpd.GeoDataFrame, probs: Problems) -> None:
    """Turn the visits' cells into values; unreadable cells are problems.

    Times become minutes after midnight, ``carers_required`` 1 when blank, skills and
    preferred carers sets.
    """
    _number_columns(df, ["carers_required"], probs)
    _time_columns(df, ["window_start", "window_end"], probs)
    if "client_id" not in df:
        df["client_id"] = df["visit_id"]
    df["carers_required"] = df["carers_required"].fillna(1.0)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]
    pref = df.get("preferred_carers", pd.Series([None] * len(df), index=df.index))
    df["preferred_carers"] = [_listed(v) for v in pref]
    if "max_late_minutes" in df:
        _late_column(df, probs)
    if "service" in df:
        _service_column(df, probs)


def _service_column(df: pd.DataFrame, probs: Problems) -> None:
    """Read ``service``: the one service a visit gives, which its carers must hold as a skill."""
    services = []
    for pos, cell in enumerate(df["service"].tolist()):
        name = "" if is_blank(cell) else str(cell).strip().lower()
        if len(_listed(cell)) > 1:
            probs.add(
                pos,
                "service",
                cell,
                "a visit gives one service",
                "split it into one visit per service (two carers together: link them with "
                "after_visit and a gap of 0 to 0 minutes)",
            )
        services.append(name)
    df["service"] = services
    df["skills"] = [
        skills | {name} if name else skills
        for skills, name in zip(df["skills"], services, strict=True)
    ]


_UNLIMITED = ("inf", "infinity", "unlimited", "no limit")


def _late_column(df: pd.DataFrame, probs: Problems) -> None:
    """Read ``max_late_minutes``: minutes >= 0, ``inf`` for no limit, blank for the default."""
    cells = df["max_late_minutes"].tolist()
    values, _, bad = numbers(df["max_late_minutes"])
    fix = (
        "write the minutes a visit may start after its window closes (0 or more, inf for no "
        "limit), or leave it blank for the plan's default"
    )
    for pos, cell in enumerate(cells):
        text = str(cell).strip().lower()
        if (isinstance(cell, float) and cell == np.inf) or text in _UNLIMITED:
            values[pos] = np.inf
        elif bad[pos]:
            probs.add(pos, "max_late_minutes", cell, "not a number", fix)
        elif values[pos] < 0:
            probs.add(pos, "max_late_minutes", cell, "a visit cannot be late by less than 0", fix)
    df["max_late_minutes"] = values


@overload
def read_visits(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_visits(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
) -> Collected: ...
@overload
def read_visits(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_visits(
    source: Source,
    *,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
) -> gpd.GeoDataFrame | Collected:
    """Read and check the day's visits (columns in :data:`VISIT_COLUMNS`).

    ``window_start``/``window_end`` (``HH:MM``) bound the visit's *start*;
    ``duration_minutes`` is its length; ``carers_required`` is 1 (blank) or 2; ``skills`` are
    ``;``-separated. An optional ``service`` names the one service a visit gives (e.g.
    ``personal care``, ``medication``, ``nursing``): only carers holding it among their skills
    may give it, and its ``duration_minutes`` is that service's length at that client. An
    optional ``max_late_minutes`` lets the visit start up to that many
    minutes after its window closes (``inf``: no limit; blank: the plan's default,
    :attr:`~carezones.rounds.RoundsOptions.max_late_minutes`). A *sequential pair* is two
    visits of one carer each, the second by another carer between a least and a greatest gap
    after the first (a nurse after a carer; the gap 0-0 is two carers at the same time, e.g.
    two services of different lengths): the second visit names the first in ``after_visit``
    and gives ``gap_min_minutes`` (blank: 0) and ``gap_max_minutes`` (blank: no limit),
    minutes between the two starts (columns :data:`PAIR_COLUMNS`). Both visits must be in the
    file, on the same day, each in one pair at most and needing one carer; a pair is rejected
    whole. An optional ``day`` column (a
    date such as ``2026-12-07`` or a weekday such as ``Mon``; see :mod:`carezones.io.days`)
    makes the file a week for :func:`~carezones.rounds.plan_week`. Every problem in the file
    is reported together in one :class:`~carezones.ValidationError` (row, column, value,
    reason, fix).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The visits file or table, located as by :func:`~carezones.io.points.read_points`;
        ``visit_id`` must be filled in and unique.
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area in EPSG:4326; visits far outside it are rejected.
    sheet : str or int, optional
        The sheet of an Excel workbook (or layer of a GeoPackage) to read.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise every problem together. ``"collect"``: return the valid
        rows and the problems table, as :func:`~carezones.io.points.read_points` does.
    options : ReadOptions, optional
        How the visits are located (``crs``, ``x``/``y``, ``postcode_lookup``,
        ``max_outside_km``); ``id_column`` and ``allow_polygons`` are not options of visits.

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        The visits with times in minutes after midnight, ``carers_required`` as an integer,
        ``max_late_minutes`` (when given) as a number (NaN when blank),
        ``skills`` and ``preferred_carers`` as frozensets, ``day`` as its label (when the file
        has one: ``2026-12-07`` or ``Mon``), and ``source_row``. With pairs, ``after_visit``
        is text (``""`` when blank) and the gaps are numbers on a pair's second visit (0 and
        ``inf`` when blank), NaN on the others.

    Raises
    ------
    ValidationError
        When any row or the file has a problem.
    ArgumentError
        When ``errors`` or an option is not a value it can take.

    See Also
    --------
    visits_table : The same table for visits carezones made itself, without the checks.

    Examples
    --------
    >>> from carezones import read_visits
    >>> from carezones.synthetic import example_day
    >>> visits, carers = example_day([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3)
    >>> read_visits(visits)[["visit_id", "window_start", "window_end", "carers_required"]].head(3)
      visit_id  window_start  window_end  carers_required
    0    V0001         420.0       540.0                1
    1    V0002         690.0       780.0                1
    2    V0003        1170.0      1260.0                1

    A visit of no length is rejected; ``errors="collect"`` keeps the others:

    >>> got = read_visits(visits.assign(duration_minutes=[45, 0, 45, 30, 30]), errors="collect")
    >>> len(got.valid), got.rejected.loc[0, "reason"]
    (4, 'a visit must last more than 0 minutes')
    """
    _check_errors(errors)
    df, probs = _located(source, "visits", _VISIT_FIELDS, (_options(options), area, sheet))
    day_column(df, probs, "visit")
    _visit_columns(df, probs)
    for pos, rec in enumerate(df.itertuples()):
        if rec.duration_minutes <= 0:
            probs.add(
                pos,
                "duration_minutes",
                rec.duration_minutes,
                "a visit must last more than 0 minutes",
                "give its length in minutes",
            )
        if rec.carers_required not in (1, 2):
            probs.add(
                pos,
                "carers_required",
                rec.carers_required,
                "only 1 or 2 carers are supported",
                "write 1, or 2 for a double-handed visit",
            )
        if np.isfinite(rec.window_start) and np.isfinite(rec.window_end):
            if rec.window_end < rec.window_start:
                probs.add(
                    pos,
                    "window_end",
                    hhmm(rec.window_end),
                    "the window ends before it starts",
                    "window_end is the latest start; make it no earlier than window_start",
                )
    if any(c in df for c in PAIR_COLUMNS):
        _pair_columns(df, probs)
    df["carers_required"] = df["carers_required"].where(~probs.bad, 1)
    df["carers_required"] = df["carers_required"].astype(int)
    return _result(df, probs, errors)


PAIR_COLUMNS = ("after_visit", "gap_min_minutes", "gap_max_minutes")
"""The optional columns of a sequential pair, on its second visit (see :func:`read_visits`)."""


def _pair_columns(df: gpd.GeoDataFrame, probs: Problems) -> None:
    """Check the sequential pairs' columns and turn them into values, in place.

    ``after_visit`` becomes text (``""`` when blank); on a pair's second visit a blank
    ``gap_min_minutes`` becomes 0 and a blank ``gap_max_minutes`` infinity (no limit), and
    both are NaN on every other visit. When one visit of a pair is rejected, so is the other.
    """
    for col in PAIR_COLUMNS:
        if col not in df:
            df[col] = None
    after = ["" if is_blank(v) else str(v).strip() for v in df["after_visit"]]
    lows, highs = (numbers(df[c]) for c in ("gap_min_minutes", "gap_max_minutes"))
    cells = {c: df[c].tolist() for c in ("gap_min_minutes", "gap_max_minutes")}
    row = {str(v): pos for pos, v in enumerate(df["visit_id"])}
    req = df["carers_required"].to_numpy(dtype=float)
    days = df["day"].tolist() if "day" in df else None
    ids = df["visit_id"].astype(str).tolist()
    followed: dict[int, int] = {}  # first visit -> the second that names it
    pairs: list[tuple[int, int]] = []
    for pos, name in enumerate(after):
        for col, (values, blank, bad) in zip(cells, (lows, highs), strict=True):
            if bad[pos] or (not blank[pos] and values[pos] < 0):
                fix = f"write '{col}' as minutes >= 0, or leave it blank"
                probs.add(pos, col, cells[col][pos], "not a number of minutes >= 0", fix)
            elif not blank[pos] and not name:
                probs.add(
                    pos,
                    col,
                    cells[col][pos],
                    "a gap, but after_visit is blank",
                    "give the visit this one follows in after_visit, or leave the gap blank",
                )
        if not name:
            continue
        lo, hi = lows[0][pos], highs[0][pos]
        if np.isfinite(lo) and np.isfinite(hi) and lo > hi:
            probs.add(
                pos,
                "gap_max_minutes",
                cells["gap_max_minutes"][pos],
                f"the gap's maximum is below its minimum ({lo:g})",
                "give gap_min_minutes <= gap_max_minutes (0-0: both at the same time)",
            )
        first = row.get(name)
        problem = None
        if first is None:
            problem = (f"no visit {name} in the file", "give the visit_id of the visit it follows")
        elif first == pos:
            problem = ("a visit cannot follow itself", "give the visit_id of another visit")
        elif days is not None and days[first] != days[pos]:
            problem = (
                f"visit {name} is on another day ({days[first]})",
                "a pair's two visits are on the same day: correct the day or after_visit",
            )
        elif req[first] != 1:
            problem = (
                f"visit {name} needs {req[first]:g} carers",
                "a pair is two visits of one carer each: make the double-handed visit two "
                "paired visits, or leave after_visit blank",
            )
        elif first in followed:
            problem = (
                f"visit {name} is already followed by {ids[followed[first]]}",
                "a visit is followed by one visit at most: pair each visit once",
            )
        elif after[first] or first in followed.values():
            problem = (
                f"visit {name} is itself in a pair",
                "a visit is in one pair at most: no chains of pairs",
            )
        if problem is not None:
            probs.add(pos, "after_visit", name, *problem)
            continue
        if req[pos] != 1:
            probs.add(
                pos,
                "carers_required",
                req[pos],
                "a visit that follows another needs one carer",
                "write 1, or leave after_visit blank",
            )
        assert first is not None  # for mypy: a problem is recorded when it is None
        followed[first] = pos
        pairs.append((first, pos))
    for first, second in pairs:  # a pair is kept whole or rejected whole
        for a, b in ((first, second), (second, first)):
            if probs.bad[a] and not probs.bad[b]:
                probs.add(
                    b,
                    "after_visit",
                    after[second],
                    f"its pair's other visit, {ids[a]}, is rejected",
                    f"correct visit {ids[a]}'s row",
                )
    paired = np.array([bool(a) for a in after])
    df["after_visit"] = after
    df["gap_min_minutes"] = np.where(paired, np.nan_to_num(lows[0], nan=0.0), np.nan)
    df["gap_max_minutes"] = np.where(paired, np.where(highs[1], np.inf, highs[0]), np.nan)


def visits_table(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return what :func:`read_visits` returns for visits carezones made, without its checks.

    A county plan makes its day of visits itself (:func:`~carezones.county.visits_from_hours`):
    they are valid by construction, so they are turned into the planning table here without
    checking each row again (validated once, where they were made). The table is the one
    :func:`read_visits` returns for them. A table that is not clean (a cell that does not read,
    a rule a visit breaks, a ``day`` column, coordinates that are not WGS84 degrees) is read
    by :func:`read_visits` instead, which says what is wrong.

    Parameters
    ----------
    frame : pandas.DataFrame
        Visits in the layout :func:`read_visits` reads, with ``lat``/``lon`` in degrees.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`read_visits` returns it.

    Raises
    ------
    ValidationError
        When the table is not clean and :func:`read_visits` finds a problem.

    Examples
    --------
    >>> from carezones.synthetic import example_day
    >>> visits, _ = example_day([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3)
    >>> visits_table(visits).equals(read_visits(visits))
    True
    """
    df = _trusted(frame, _VISIT_FIELDS)
    if df is None or find_named([str(c) for c in df.columns], "day") is not None:
        return read_visits(frame)
    if any(c in df for c in PAIR_COLUMNS):  # pairs are checked against each other
        return read_visits(frame)
    probs = Problems("visits", rows=df["source_row"])
    _visit_columns(df, probs)
    duration, start, end = (
        df[c].to_numpy(dtype=float) for c in ("duration_minutes", "window_start", "window_end")
    )
    broken = (duration <= 0) | ~np.isin(df["carers_required"].to_numpy(), (1, 2)) | (end < start)
    if probs.items or broken.any():
        return read_visits(frame)
    df["carers_required"] = df["carers_required"].astype(int)
    return df.reset_index(drop=True)


@overload
def read_carers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_carers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
) -> Collected: ...
@overload
def read_carers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_carers(
    source: Source,
    *,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
) -> gpd.GeoDataFrame | Collected:
    """Read and check the carers' shifts (columns in :data:`CARER_COLUMNS`).

    One row per shift: a carer working a split shift has two rows with the same ``carer_id``
    (they must not overlap). With a ``day`` column (a date or a weekday, as for the visits) a
    carer has rows on several days; without one, every shift works every day of the visits.
    A break, when given (``break_minutes`` with its window), must be
    taken whole inside ``break_window_start``-``break_window_end``. ``max_minutes`` (optional)
    caps the shift's working time.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The carers' file or table, located as by :func:`~carezones.io.points.read_points`
        (where each shift starts and ends).
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area in EPSG:4326; shifts far outside it are rejected.
    sheet : str or int, optional
        The sheet of an Excel workbook (or layer of a GeoPackage) to read.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise every problem together. ``"collect"``: return the valid
        rows and the problems table, as :func:`~carezones.io.points.read_points` does.
    options : ReadOptions, optional
        How the shifts are located (``crs``, ``x``/``y``, ``postcode_lookup``,
        ``max_outside_km``); ``id_column`` and ``allow_polygons`` are not options of shifts.

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        The shifts with ``carer_id`` as text, times in minutes after midnight (NaN for a
        blank break window), ``skills`` as frozensets, and ``source_row``.

    Raises
    ------
    ValidationError
        When any row or the file has a problem.
    ArgumentError
        When ``errors`` or an option is not a value it can take.

    See Also
    --------
    carers_table : The same table for shifts carezones made itself, without the checks.

    Examples
    --------
    >>> from carezones import read_carers
    >>> from carezones.synthetic import example_day
    >>> visits, carers = example_day([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3)
    >>> read_carers(carers)[["carer_id", "shift_start", "shift_end", "break_minutes"]]
      carer_id  shift_start  shift_end  break_minutes
    0     K001        420.0      900.0           30.0
    1     K002        870.0     1350.0           20.0
    2     K003        420.0      720.0            NaN
    3     K003        990.0     1320.0            NaN
    """
    _check_errors(errors)
    df, probs = _located(source, "carers", _CARER_FIELDS, (_options(options), area, sheet))
    df["carer_id"] = df["carer_id"].astype(str)
    day_column(df, probs, "shift")
    _carer_columns(df, probs)
    for pos, rec in enumerate(df.itertuples()):
        if (
            np.isfinite(rec.shift_start)
            and np.isfinite(rec.shift_end)
            and (rec.shift_end <= rec.shift_start)
        ):
            probs.add(
                pos,
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
                pos,
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
                pos,
                "break_minutes",
                rec.break_minutes,
                "the break does not fit in its window",
                "widen the break window or shorten the break",
            )
        elif all(has) and np.isfinite(rec.shift_start) and np.isfinite(rec.shift_end):
            _check_break_in_shift(pos, _Shift(*(getattr(rec, f) for f in _Shift._fields)), probs)
    _check_overlaps(df, probs)
    return _result(df, probs, errors)


def _carer_columns(df: gpd.GeoDataFrame, probs: Problems) -> None:
    """Turn the shifts' cells into values; unreadable cells are problems.

    Numbers, times in minutes after midnight (a blank break window is NaN) and skills as sets.
    """
    _number_columns(df, ["break_minutes", "max_minutes"], probs)
    _time_columns(df, ["shift_start", "shift_end"], probs)
    for col in ("break_window_start", "break_window_end"):
        if col not in df:
            df[col] = np.nan
    _time_columns(df, ["break_window_start", "break_window_end"], probs, optional=True)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]


def carers_table(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return what :func:`read_carers` returns for shifts carezones made, without its checks.

    A county plan makes each zone's team itself (:func:`~carezones.county.team_shifts`), in
    every worker and each time a team is resized: the shifts are valid by construction, so
    they are turned into the planning table here without checking each row again. The table
    is the one :func:`read_carers` returns for them. A table that is not clean (a cell that
    does not read, a shift or break that breaks a rule, overlapping shifts, a ``day`` column,
    coordinates that are not WGS84 degrees) is read by :func:`read_carers` instead, which
    says what is wrong.

    Parameters
    ----------
    frame : pandas.DataFrame
        Shifts in the layout :func:`read_carers` reads, with ``lat``/``lon`` in degrees.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`read_carers` returns it.

    Raises
    ------
    ValidationError
        When the table is not clean and :func:`read_carers` finds a problem.

    Examples
    --------
    >>> from carezones.synthetic import example_day
    >>> _, carers = example_day([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3)
    >>> carers_table(carers).equals(read_carers(carers))
    True
    """
    df = _trusted(frame, _CARER_FIELDS)
    if df is None or find_named([str(c) for c in df.columns], "day") is not None:
        return read_carers(frame)
    df["carer_id"] = df["carer_id"].astype(str)
    probs = Problems("carers", rows=df["source_row"])
    _carer_columns(df, probs)
    if probs.items or _shifts_broken(df).any():
        return read_carers(frame)
    return df.reset_index(drop=True)


def _shifts_broken(df: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Return, per shift, whether it breaks a rule :func:`read_carers` checks (no loop).

    A shift ends before it starts, its break is partial or does not fit its window or the
    shift, or it overlaps the carer's previous shift.
    """
    start, end, minutes, w_start, w_end = (
        df[c].to_numpy(dtype=float)
        for c in (
            "shift_start",
            "shift_end",
            "break_minutes",
            "break_window_start",
            "break_window_end",
        )
    )
    has = np.isfinite(np.c_[minutes, w_start, w_end])
    full = has.all(axis=1)
    with np.errstate(invalid="ignore"):
        broken: npt.NDArray[np.bool_] = (end <= start) | (has.any(axis=1) & ~full)
        room = np.minimum(w_end, end) - np.maximum(w_start, start)
        broken |= full & ((minutes <= 0) | (w_end - w_start < minutes) | (minutes > end - start))
        broken |= full & (room < minutes)
    ids = df["carer_id"].to_numpy(dtype=str)
    order = np.lexsort((start, ids))
    same = ids[order][1:] == ids[order][:-1]
    broken[order[1:]] |= same & (start[order][1:] < end[order][:-1])
    return broken


class _Shift(NamedTuple):
    """A shift's times (minutes after midnight) and its break, as a check reads them."""

    shift_start: float
    shift_end: float
    break_minutes: float
    break_window_start: float
    break_window_end: float


def _check_break_in_shift(pos: int, rec: _Shift, probs: Problems) -> None:
    """Report a break that cannot be taken whole inside both its window and its shift."""
    shift = f"{hhmm(rec.shift_start)}-{hhmm(rec.shift_end)}"
    window = f"{hhmm(rec.break_window_start)}-{hhmm(rec.break_window_end)}"
    if rec.break_minutes > rec.shift_end - rec.shift_start:
        probs.add(
            pos,
            "break_minutes",
            rec.break_minutes,
            f"the break is longer than the shift ({shift})",
            "shorten the break, or check the shift's times",
        )
        return
    start = max(rec.break_window_start, rec.shift_start)
    end = min(rec.break_window_end, rec.shift_end)
    if end - start < rec.break_minutes:
        where = "is outside" if end <= start else "lies mostly outside"
        probs.add(
            pos,
            "break_window_start",
            hhmm(rec.break_window_start),
            f"the break window ({window}) {where} the shift ({shift}), so the "
            f"{rec.break_minutes:g}-minute break cannot be taken in it",
            "move the break window inside the shift, or leave the break out",
        )


def _check_overlaps(df: pd.DataFrame, probs: Problems) -> None:
    """Report every shift that starts before the carer's previous shift (that day) ends."""
    keys = ["carer_id", "day"] if "day" in df else ["carer_id"]
    for key, g in df.groupby(keys, sort=False):
        cid = key[0] if isinstance(key, tuple) else key
        g = g.sort_values("shift_start")
        s, e, r = g["shift_start"].to_numpy(), g["shift_end"].to_numpy(), g["source_row"].to_numpy()
        at = [df.index.get_loc(i) for i in g.index]
        for i in range(1, len(g)):
            if s[i] < e[i - 1]:
                probs.add(
                    at[i],
                    "shift_start",
                    hhmm(s[i]),
                    f"carer {cid}'s shifts overlap (row {r[i - 1]} ends {hhmm(e[i - 1])})",
                    "a carer's shifts must not overlap: correct the times",
                )


ITINERARY_COLUMNS = ["carer_id", "shift", "seq", "kind", "visit_id", "start", "end"]
_KINDS = ("start", "visit", "break", "end")


def read_itineraries(source: Source, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a plan's itineraries (``itineraries.csv`` as carezones writes it), checked.

    The earlier plan of a re-plan (:func:`carezones.replan_rounds`): one row per stop with
    ``carer_id, shift, seq, kind, visit_id, start, end`` (times ``HH:MM``) and, for a week's
    file, ``day``. Every problem is reported together in one
    :class:`~carezones.ValidationError`.

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The file (CSV or Excel) or table.
    sheet : str or int, optional
        The sheet of an Excel workbook.

    Returns
    -------
    pandas.DataFrame
        The stops with ``start``, ``end`` (and ``arrival`` when given) in minutes after
        midnight, ``shift`` and ``seq`` as integers, ``day`` as its label.

    Raises
    ------
    ValidationError
        When a column is missing or a row has a problem.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.io import read_itineraries
    >>> stops = pd.DataFrame({"carer_id": "K001", "shift": 1, "seq": [0, 1, 2],
    ...                       "kind": ["start", "visit", "end"], "visit_id": ["", "V0001", ""],
    ...                       "start": ["07:00", "07:10", "08:00"],
    ...                       "end": ["07:00", "07:55", "08:00"]})
    >>> read_itineraries(stops)
      carer_id  shift  seq   kind visit_id  start    end
    0     K001      1    0  start           420.0  420.0
    1     K001      1    1  visit    V0001  430.0  475.0
    2     K001      1    2    end           480.0  480.0
    """
    from carezones.io._table import read_table, source_name

    probs = Problems(source_name(source))
    table = read_table(source, sheet, probs)
    df = table.frame.copy()
    probs.start(table.rows)
    missing = [c for c in ITINERARY_COLUMNS if c not in df]
    if missing:
        probs.stop(
            f"not an itineraries file: no column(s) {', '.join(missing)}",
            "give the itineraries.csv that carezones wrote for the earlier plan",
        )
    day_column(df, probs, "stop")
    df["carer_id"] = [str(v).strip() if not is_blank(v) else "" for v in df["carer_id"]]
    df["visit_id"] = [str(v).strip() if not is_blank(v) else "" for v in df["visit_id"]]
    for col in ("shift", "seq"):
        values, _, bad = numbers(df[col])
        for pos in np.flatnonzero(bad | ~np.isfinite(values)):
            probs.add(
                pos,
                col,
                df[col].iat[pos],
                "not a whole number",
                f"write '{col}' as it was written: 1, 2, ...",
            )
        df[col] = np.where(np.isfinite(values), values, 0).astype(int)
    rows = zip(df["kind"], df["carer_id"], df["visit_id"], strict=True)
    for at, (kind, cid, vid) in enumerate(rows):
        if kind not in _KINDS:
            probs.add(at, "kind", kind, "not a kind of stop", "one of start, visit, break, end")
        if not cid:
            probs.add(at, "carer_id", None, "missing carer", "fill in the carer of each stop")
        if kind == "visit" and not vid:
            probs.add(at, "visit_id", None, "a visit without its id", "fill in the visit_id")
    times = ["start", "end", *(["arrival"] if "arrival" in df else [])]
    _time_columns(df, times, probs)
    probs.raise_if_any()
    return df.reset_index(drop=True)
