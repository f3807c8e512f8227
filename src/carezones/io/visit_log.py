"""Read a visit log (electronic call monitoring): when each carer arrived at and left each visit.

A visit log has one row per visit delivered: ``carer_id``, ``date``, the place, ``arrived``
and ``left``. The place is the row's coordinates (``lat``/``lon``, easting/northing or a
postcode, located as :func:`~carezones.io.read_points` locates rows), or its ``client_id``
joined to a clients table (``clients=``, as :func:`~carezones.io.read_clients` returns it).
Times are ``HH:MM`` or ``HH:MM:SS`` on the row's date, or ISO date-times such as
``2025-01-06T09:14:27`` (a spreadsheet's own date-time and time cells are read too).

:func:`read_visit_log` checks every row in one pass and raises every problem together: a
missing or unreadable date or time, ``left`` before ``arrived``, a client not in the clients
table, a carer in two places at once (two visits of one carer that overlap, both rows named),
and a log with no journey in it at all (no carer with two visits on one date: every row named).
Consecutive visits of one carer on one date are the journeys that
:func:`carezones.calibration.calibrate` fits a travel profile on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal, overload

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import Problems
from carezones.io._cells import CLIENT_ID_ALIASES, find_column, is_blank
from carezones.io._crs import WGS84
from carezones.io._table import Source, read_table, source_name
from carezones.io.days import parse_day
from carezones.io.options import AreaLike, ReadOptions
from carezones.io.points import (
    Collected,
    Errors,
    _check_errors,
    _check_field,
    _check_too_long,
    _Field,
    _id_text,
    _read,
    _resolve_fields,
)

__all__ = ["LOG_COLUMNS", "parse_moment", "read_visit_log"]

LOG_COLUMNS = ["carer_id", "date", "client_id", "lat", "lon", "arrived", "left"]
"""The columns of a visit log (``client_id`` joins a clients table; else ``lat``/``lon``)."""

_FIELDS = [
    _Field("carer_id", ("carer_id", "carer", "staff_id", "worker_id", "employee_id"), "text"),
    _Field("date", ("date", "visit_date", "day"), "text"),
    _Field("arrived", ("arrived", "arrival", "check_in", "actual_start", "time_in"), "text"),
    _Field(
        "left", ("left", "departed", "departure", "check_out", "actual_end", "time_out"), "text"
    ),
]
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*$")
_TIME_FIX = (
    "write the time as HH:MM (or HH:MM:SS) on the 24-hour clock, e.g. 09:05, or as a date-time "
    "such as 2025-01-06T09:05:00"
)
_DATE_FIX = "write the date as YYYY-MM-DD, e.g. 2025-01-06 (DD/MM/YYYY is read too)"


def parse_moment(value: object, date: str) -> dt.datetime | None:
    """Return the moment a time cell names on a date (``None`` when it is not a time).

    Parameters
    ----------
    value : object
        ``HH:MM`` or ``HH:MM:SS`` (on ``date``; ``24:00`` is the end of the day), an ISO
        date-time (``2025-01-06T09:05:00``, a time zone is turned into UTC), or a
        spreadsheet's date-time or time cell.
    date : str
        The row's date, ``YYYY-MM-DD``.

    Returns
    -------
    datetime.datetime or None
        The moment (naive), or ``None`` for a blank cell or anything else.

    Examples
    --------
    >>> from carezones.io.visit_log import parse_moment
    >>> parse_moment("09:05", "2025-01-06"), parse_moment("2025-01-06 09:05:30", "2025-01-06")
    (datetime.datetime(2025, 1, 6, 9, 5), datetime.datetime(2025, 1, 6, 9, 5, 30))
    >>> parse_moment("9.05", "2025-01-06") is None
    True
    """
    day = dt.date.fromisoformat(date)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.time):
        return dt.datetime.combine(day, value.replace(tzinfo=None))
    if is_blank(value) or not isinstance(value, str):
        return None
    m = _CLOCK.match(value)
    if m:
        h, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        if h > 24 or mm > 59 or ss > 59 or (h == 24 and (mm or ss)):
            return None
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=h, minutes=mm, seconds=ss)
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


@overload
def read_visit_log(
    source: Source,
    *,
    clients: gpd.GeoDataFrame | None = ...,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_visit_log(
    source: Source,
    *,
    clients: gpd.GeoDataFrame | None = ...,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
) -> Collected: ...
@overload
def read_visit_log(
    source: Source,
    *,
    clients: gpd.GeoDataFrame | None = ...,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_visit_log(
    source: Source,
    *,
    clients: gpd.GeoDataFrame | None = None,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
) -> gpd.GeoDataFrame | Collected:
    """Read and check a visit log: one row per visit delivered (see the module's notes).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The log: CSV, Excel, GeoPackage, GeoJSON or a DataFrame, with ``carer_id``, ``date``,
        ``arrived``, ``left`` and the place (also accepted: ``carer``/``staff_id``,
        ``visit_date``, ``check_in``/``actual_start``, ``check_out``/``actual_end``).
    clients : geopandas.GeoDataFrame, optional
        The clients (``client_id`` and a point each, as
        :func:`~carezones.io.read_clients` returns them): each row's place is then its
        client's, joined on the log's ``client_id``; the log's own coordinates are not read.
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area (a RoadNetwork can be passed): rows located far outside it
        are rejected (without ``clients``).
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise every problem together. ``"collect"``: return the valid
        rows and the problems table (:class:`~carezones.io.Collected`); a log with no
        journey left is still raised.
    options : ReadOptions, optional
        How rows are located without ``clients`` (``crs``, ``x``/``y``, ``postcode_lookup``,
        ``max_outside_km``).

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        One row per visit, in the file's order: ``carer_id`` and ``date`` (``YYYY-MM-DD``) as
        text, ``client_id`` (when the log has one), ``arrived`` and ``left`` as date-times,
        ``source_row`` and the place as a point in EPSG:4326.

    Raises
    ------
    ValidationError
        When any row or the file has a problem (every problem at once, each naming its row).
    ArgumentError
        When ``errors`` is neither ``"raise"`` nor ``"collect"``.
    FileNotFoundError
        When ``source`` is a path that does not exist.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.io import read_visit_log
    >>> log = pd.DataFrame({
    ...     "carer_id": ["K1", "K1", "K1"], "date": ["2025-01-06"] * 3,
    ...     "lat": [54.389, 54.388, 54.393], "lon": [1.594, 1.557, 1.561],
    ...     "arrived": ["07:00", "07:50", "08:30"], "left": ["07:40", "08:20", "08:10"]})
    >>> read_visit_log(log)  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 1 problem(s) in 1 row(s):
      - row 3, column 'left' (value '08:10'): the visit is left (08:10) before it is arrived at
        (08:30). Fix: check both times: left is when the carer left the visit
    Correct these rows, or pass errors='collect' to keep the valid rows and get the rejected ...
    >>> log.loc[2, "left"] = "09:00"
    >>> read_visit_log(log)[["carer_id", "date", "arrived", "left"]].iloc[2]
    carer_id                     K1
    date                 2025-01-06
    arrived     2025-01-06 08:30:00
    left        2025-01-06 09:00:00
    Name: 2, dtype: object
    """
    _check_errors(errors)
    opts = options or ReadOptions()
    if clients is None:
        valid, probs = _read(source, opts, list(_FIELDS), sheet=sheet, area=area, errors="collect")
        frame = pd.DataFrame(valid.drop(columns="geometry"))
        points = np.column_stack([valid.geometry.x, valid.geometry.y]) if len(valid) else None
        first = probs
        probs = Problems(first.source, rows=frame["source_row"].to_numpy())
        probs.extend(first)
        client_col = find_column(list(frame.columns), CLIENT_ID_ALIASES)
        client_ids = None if client_col is None else [_cell_id(v) for v in frame[client_col]]
    else:
        frame, points, probs, client_ids = _joined(source, sheet, clients)
    n = len(frame)
    if points is None:
        points = np.zeros((n, 2))
    dates, arrived, left = _times(frame, probs)
    _overlaps(frame["carer_id"].astype(str).to_numpy(), arrived, left, probs)
    out = pd.DataFrame(
        {
            "carer_id": [str(v).strip() for v in frame["carer_id"]],
            "date": dates,
        }
    )
    if client_ids is not None:
        out["client_id"] = client_ids
    out["arrived"] = pd.to_datetime(pd.Series(arrived, dtype=object))
    out["left"] = pd.to_datetime(pd.Series(left, dtype=object))
    out["source_row"] = frame["source_row"].to_numpy()
    geoms = gpd.points_from_xy(points[:, 0], points[:, 1]) if n else []
    table = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, crs=WGS84))
    if errors == "raise" or probs.fatal:
        probs.raise_if_any()
    valid = table[~probs.bad].reset_index(drop=True)
    valid.attrs["source"] = probs.source
    _check_journeys(valid, table, probs)
    if errors == "collect":
        return Collected(valid, probs.table(every_row=True))
    return valid


def _cell_id(value: object) -> str:
    """Return an id cell as text (blank: empty)."""
    return "" if is_blank(value) else _id_text(value)


def _joined(
    source: Source, sheet: str | int | None, clients: gpd.GeoDataFrame
) -> tuple[pd.DataFrame, npt.NDArray[np.float64], Problems, list[str]]:
    """Read the log's cells and place each row at its client's location."""
    probs = Problems(source_name(source))
    table = read_table(source, sheet, probs)
    probs.start(table.rows)
    _check_too_long(table, probs)
    columns = list(table.frame.columns)
    fields = [*_FIELDS, _Field("client_id", CLIENT_ID_ALIASES, "text")]
    resolved = _resolve_fields(columns, fields, probs)
    for f, col in resolved:
        _check_field(table.frame[col], f, col, probs)
    if probs.fatal:
        probs.raise_all()
    frame = pd.DataFrame({f.name: table.frame[col].to_numpy() for f, col in resolved})
    frame["source_row"] = table.rows
    if "client_id" not in clients or not isinstance(clients, gpd.GeoDataFrame):
        raise TypeError("clients must be a GeoDataFrame with a client_id column (read_clients)")
    where = {
        str(c): (float(p.x), float(p.y))
        for c, p in zip(clients["client_id"], clients.geometry.representative_point(), strict=True)
    }
    ids = [_cell_id(v) for v in frame["client_id"]]
    points = np.zeros((len(ids), 2))
    for pos, ident in enumerate(ids):
        if not ident:
            continue  # reported as missing already
        if ident not in where:
            probs.add(
                pos,
                "client_id",
                ident,
                f"client {ident!r} is not in the clients file",
                "check the client id, or add the client to the clients file",
            )
        else:
            points[pos] = where[ident]
    return frame, points, probs, ids


def _times(
    frame: pd.DataFrame, probs: Problems
) -> tuple[list[str], list[dt.datetime | None], list[dt.datetime | None]]:
    """Parse each row's date, arrival and departure; report what cannot be read."""
    dates: list[str] = []
    arrived: list[dt.datetime | None] = []
    left: list[dt.datetime | None] = []
    for pos, (d, a, lv) in enumerate(
        zip(frame["date"].tolist(), frame["arrived"].tolist(), frame["left"].tolist(), strict=True)
    ):
        day = parse_day(d)
        if day is None or len(day) != 10:  # a weekday is not a date
            if not is_blank(d):
                probs.add(pos, "date", d, "not a date", _DATE_FIX)
            for col, cell in (("arrived", a), ("left", lv)):  # their own problems too
                if not is_blank(cell) and parse_moment(cell, "2000-01-01") is None:
                    probs.add(pos, col, cell, "not a time", _TIME_FIX)
            dates.append("")
            arrived.append(None)
            left.append(None)
            continue
        dates.append(day)
        moments = []
        for col, cell in (("arrived", a), ("left", lv)):
            moment = parse_moment(cell, day)
            if moment is None and not is_blank(cell):
                probs.add(pos, col, cell, "not a time", _TIME_FIX)
            elif moment is not None and col == "arrived" and moment.date().isoformat() != day:
                probs.add(
                    pos,
                    col,
                    cell,
                    f"arrived on {moment.date().isoformat()}, not on the row's date {day}",
                    "give the date the visit began in 'date', or the time alone (HH:MM)",
                )
                moment = None
            moments.append(moment)
        t_in, t_out = moments
        if t_in is not None and t_out is not None and t_out < t_in:
            probs.add(
                pos,
                "left",
                lv,
                f"the visit is left ({_clock(t_out)}) before it is arrived at ({_clock(t_in)})",
                "check both times: left is when the carer left the visit",
            )
        arrived.append(t_in)
        left.append(t_out)
    return dates, arrived, left


def _clock(moment: dt.datetime) -> str:
    """Return ``HH:MM`` (with seconds when they are not 0)."""
    return moment.strftime("%H:%M:%S" if moment.second else "%H:%M")


def _overlaps(
    carers: npt.NDArray[np.str_],
    arrived: list[dt.datetime | None],
    left: list[dt.datetime | None],
    probs: Problems,
) -> None:
    """Report every pair of visits of one carer that overlap: a carer in two places at once."""
    ok = [
        i
        for i in range(len(carers))
        if arrived[i] is not None and left[i] is not None and not probs.bad[i]
    ]
    ok.sort(key=lambda i: (carers[i], arrived[i], left[i], i))
    open_until: dict[str, tuple[dt.datetime, int]] = {}
    for i in ok:
        a, lv = arrived[i], left[i]
        assert a is not None and lv is not None
        before = open_until.get(carers[i])
        if before is not None and a < before[0]:
            j = before[1]
            other = int(probs.rows[j])
            this = int(probs.rows[i])
            what = f"carer {carers[i]!r} is in two places at once:"
            fix = "check the carer and the times of both visits: one carer's visits cannot overlap"
            probs.add(
                i, "arrived", _clock(a), f"{what} this visit overlaps the visit in row {other}", fix
            )
            probs.add(
                j,
                "left",
                _clock(before[0]),
                f"{what} this visit overlaps the visit in row {this}",
                fix,
            )
        if before is None or lv > before[0]:
            open_until[carers[i]] = (lv, i)


def _check_journeys(valid: gpd.GeoDataFrame, table: gpd.GeoDataFrame, probs: Problems) -> None:
    """Raise when no carer has two visits on one date: the log holds no journey."""
    if len(valid) and valid.duplicated(["carer_id", "date"]).any():
        return
    for pos in np.flatnonzero(~probs.bad):
        probs.add(
            pos,
            None,
            None,
            f"the only visit of carer {table['carer_id'].iloc[pos]!r} on "
            f"{table['date'].iloc[pos]}: the log has no journey between two visits",
            "a log needs two or more visits of one carer on one date (the journeys between "
            "them are what is calibrated); check carer_id and date",
        )
    if not len(table):
        probs.add_file("the log has no visits", "export the visits delivered, one row per visit")
    probs.raise_all()
