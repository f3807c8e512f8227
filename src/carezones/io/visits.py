"""Read the day's visits and the carers' shifts for planning rounds, checked in one pass.

Both readers locate their rows with :func:`~carezones.io.points.read_points` (same files,
coordinates, postcodes and row numbers), then check times of day (``HH:MM``), numbers, skills,
visit windows, breaks and overlapping shifts. Every problem, whether found while locating the
rows or after, is raised together in one :class:`~carezones.ValidationError`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import pandas as pd

from carezones.errors import Problems
from carezones.io._cells import is_blank, numbers
from carezones.io.days import day_column
from carezones.io.points import Collected, read_points

__all__ = [
    "CARER_COLUMNS",
    "ITINERARY_COLUMNS",
    "VISIT_COLUMNS",
    "hhmm",
    "parse_hhmm",
    "read_carers",
    "read_itineraries",
    "read_visits",
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


def parse_hhmm(value: Any) -> int | None:
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


def _listed(value: Any) -> frozenset[str]:
    """Return the ``;``-separated names in a cell (none when it is blank)."""
    if is_blank(value):
        return frozenset()
    return frozenset(s.strip() for s in str(value).split(";") if s.strip())


def _skill_set(value: Any) -> frozenset[str]:
    """Return the skills in a cell, in lower case."""
    return frozenset(s.lower() for s in _listed(value))


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


def _errors(errors: str) -> Literal["collect"]:
    """Check ``errors=``; the location step always collects, so all problems come together."""
    if errors not in ("raise", "collect"):
        raise ValueError(f"errors= must be 'raise' or 'collect', not {errors!r}")
    return "collect"


def _result(df: pd.DataFrame, probs: Problems, errors: str) -> Any:
    """Raise every problem, or return the valid rows with the problems (``errors="collect"``)."""
    if errors == "raise" or probs.fatal:
        probs.raise_if_any()
    valid = df[~probs.bad].reset_index(drop=True)
    if errors == "collect":
        return Collected(valid, probs.table(every_row=True))
    return valid


def _located(got: Collected, source: str) -> tuple[pd.DataFrame, Problems]:
    """Return the rows located by :func:`read_points`, and a collector holding its problems."""
    df = got.valid.copy()
    probs = Problems(source, rows=df["source_row"])
    probs.extend(got.rejected)
    return df, probs


def read_visits(
    source: Any, *, area: Any = None, sheet: str | int | None = None, errors: str = "raise"
) -> Any:
    """Read and check the day's visits (columns in :data:`VISIT_COLUMNS`).

    ``window_start``/``window_end`` (``HH:MM``) bound the visit's *start*;
    ``duration_minutes`` is its length; ``carers_required`` is 1 (blank) or 2; ``skills`` are
    ``;``-separated. An optional ``day`` column (a date such as ``2026-12-07`` or a weekday
    such as ``Mon``; see :mod:`carezones.io.days`) makes the file a week for
    :func:`~carezones.rounds.plan_week`. Every problem in the file is reported together in one
    :class:`~carezones.ValidationError` (row, column, value, reason, fix).

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

    Returns
    -------
    pandas.DataFrame or Collected
        The visits with times in minutes after midnight, ``carers_required`` as an integer,
        ``skills`` and ``preferred_carers`` as frozensets, ``day`` as its label (when the file
        has one: ``2026-12-07`` or ``Mon``), and ``source_row``.

    Raises
    ------
    ValidationError
        When any row or the file has a problem.

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
    got = read_points(
        source,
        id_column="visit_id",
        area=area,
        sheet=sheet,
        errors=_errors(errors),
        required=["window_start", "window_end", "duration_minutes"],
        numeric=["duration_minutes"],
    )
    df, probs = _located(got, "visits")
    day_column(df, probs, "visit")
    _number_columns(df, ["carers_required"], probs)
    _time_columns(df, ["window_start", "window_end"], probs)
    if "client_id" not in df:
        df["client_id"] = df["visit_id"]
    df["carers_required"] = df["carers_required"].fillna(1.0)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]
    pref = df.get("preferred_carers", pd.Series([None] * len(df), index=df.index))
    df["preferred_carers"] = [_listed(v) for v in pref]
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
    df["carers_required"] = df["carers_required"].where(~probs.bad, 1)
    df["carers_required"] = df["carers_required"].astype(int)
    return _result(df, probs, errors)


def read_carers(
    source: Any, *, area: Any = None, sheet: str | int | None = None, errors: str = "raise"
) -> Any:
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

    Returns
    -------
    pandas.DataFrame or Collected
        The shifts with ``carer_id`` as text, times in minutes after midnight (NaN for a
        blank break window), ``skills`` as frozensets, and ``source_row``.

    Raises
    ------
    ValidationError
        When any row or the file has a problem.

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
    got = read_points(
        source,
        area=area,
        sheet=sheet,
        errors=_errors(errors),
        required=["carer_id", "shift_start", "shift_end"],
    )
    df, probs = _located(got, "carers")
    df["carer_id"] = df["carer_id"].astype(str)
    day_column(df, probs, "shift")
    _number_columns(df, ["break_minutes", "max_minutes"], probs)
    _time_columns(df, ["shift_start", "shift_end"], probs)
    for col in ("break_window_start", "break_window_end"):
        if col not in df:
            df[col] = np.nan
    _time_columns(df, ["break_window_start", "break_window_end"], probs, optional=True)
    df["skills"] = [_skill_set(v) for v in df.get("skills", pd.Series([None] * len(df)))]
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
            _check_break_in_shift(pos, rec, probs)
    _check_overlaps(df, probs)
    return _result(df, probs, errors)


def _check_break_in_shift(pos: int, rec: Any, probs: Problems) -> None:
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


def read_itineraries(source: Any, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a plan's itineraries (``itineraries.csv`` as carezones writes it), checked.

    The earlier plan of a re-plan (``plan_rounds(..., fixed=...)``): one row per stop with
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
