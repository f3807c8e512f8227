"""Read a GTFS timetable: its stops and every departure of one service day, checked once.

A GTFS feed (General Transit Feed Specification: the format England's Bus Open Data Service
publishes bus timetables in) is a zip archive or a folder of text tables. :func:`read_gtfs`
reads one with `gtfs-kit <https://github.com/mrcagney/gtfs_kit>`_ (a maintained, MIT-licensed
library for GTFS feeds), checks it in one pass and returns a :class:`TransitDay`: the stops
people board at and every departure of the chosen day, for the transport access of
:mod:`carezones.sites.transport`.

What is checked, every problem collected into one :class:`~carezones.errors.ValidationError`
naming the file (``stops.txt``...), the row (numbered as in a spreadsheet: the header is row 1)
and the field, with a fix:

- the tables a timetable needs: ``stops.txt``, ``stop_times.txt``, ``trips.txt``,
  ``routes.txt``, and ``calendar.txt`` or ``calendar_dates.txt`` (``agency.txt``, required by
  the specification, is not needed here and not asked for), each with its required columns;
- every row: ids present and unique, coordinates and numbers that are numbers, times written
  ``H:MM:SS`` (times past ``24:00:00`` are accepted, as GTFS allows for trips that run past
  midnight; a time 48 hours or more after midnight is refused), dates ``YYYYMMDD``, references
  to stops, trips, routes and services that exist;
- with ``area``: every stop no more than ``max_outside_km`` outside it (each named by its
  ``stop_id``);
- with ``date``: that some trip runs on it (the message names the date and the feed's dates).

Frequency-based trips (``frequencies.txt``) are not expanded into departures: a feed that has
them is refused, with the file named.

Which day
---------
Given no ``date``, :func:`read_gtfs` takes a representative weekday: of Monday to Friday of the
feed's first full Monday-to-Sunday week (gtfs-kit's ``get_first_week``), the day on which the
most trips run, the earliest on a tie (school holidays and bank holidays run fewer trips, so
they are passed over). A feed shorter than a week gives the busiest of its weekdays (of its
days, when it has no weekday). The trips of a day are those gtfs-kit's
``compute_trip_activity`` marks as running on it (``calendar.txt`` with the exceptions of
``calendar_dates.txt``).

A departure is a row of ``stop_times.txt`` with a ``departure_time`` on a trip of that day where
passengers may board: every row gtfs-kit counts in its stop statistics but those whose
``pickup_type`` is 1 ("no pickup", such as a route's last stop, where buses only arrive).
Rows without a departure time, allowed between timed stops, are not counted (nor by
gtfs-kit). Its time is in minutes after the day's midnight: ``25:10:00`` is 1,510 minutes.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.errors import Argument, ArgumentError, Problems, Reason, check_number
from carezones.io._crs import Area, area_geometry

if TYPE_CHECKING:
    from carezones.io._cells import PathLike
    from carezones.io.options import AreaLike

__all__ = [
    "GTFS_CALENDAR_FILES",
    "GTFS_REQUIRED_FILES",
    "TransitDay",
    "TransitMode",
    "read_gtfs",
    "route_mode",
]

GTFS_REQUIRED_FILES = ("stops.txt", "stop_times.txt", "trips.txt", "routes.txt")
"""The tables a feed must have (besides one of :data:`GTFS_CALENDAR_FILES`)."""
GTFS_CALENDAR_FILES = ("calendar.txt", "calendar_dates.txt")
"""The service calendar: at least one of these."""

MAX_GTFS_UNPACKED_BYTES = 4 * 1024**3
"""The most a feed's zip archive may unpack to (the sizes it declares): 4 GB."""

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id", "stop_lat", "stop_lon"),
    "stop_times": ("trip_id", "stop_id", "departure_time", "stop_sequence"),
    "trips": ("route_id", "service_id", "trip_id"),
    "routes": ("route_id", "route_type"),
    "calendar": ("service_id", *_DAYS, "start_date", "end_date"),
    "calendar_dates": ("service_id", "date", "exception_type"),
}
_NA = ["", " ", "nan", "NaN", "null"]  # the blanks gtfs-kit reads as missing
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2}):(\d{2})\s*$")
_DATE = r"^\d{8}$"
_SPEC = "see the GTFS reference, https://gtfs.org/documentation/schedule/reference/"


class TransitMode(StrEnum):
    """A kind of public transport, from a route's ``route_type``.

    PTAL counts each mode apart (the best route of each in full, the others by half) and gives
    rail-based modes a smaller reliability margin (see :mod:`carezones.sites.transport`).

    Examples
    --------
    >>> TransitMode.BUS.word, TransitMode.RAIL.word
    ('bus', 'train')
    """

    BUS = "bus"
    """Buses, trolleybuses and coaches (``route_type`` 3, 11, 200-299, 700-899)."""
    TRAM = "tram"
    """Trams and cable trams (0, 5, 900-999)."""
    METRO = "metro"
    """Underground, metro and monorail (1, 12, 400-499)."""
    RAIL = "rail"
    """Trains (2, 100-199)."""
    FERRY = "ferry"
    """Ferries and water transport (4, 1000-1299)."""
    OTHER = "other"
    """Anything else: aerial lifts, funiculars, taxis, unknown types."""

    @property
    def word(self) -> str:
        """Return the mode as an explanation says it: ``"bus"``, ``"train"``...

        Returns
        -------
        str
            The word for one vehicle of the mode.

        Examples
        --------
        >>> TransitMode.OTHER.word
        'service'
        """
        return _WORDS[self]


_WORDS = {
    TransitMode.BUS: "bus",
    TransitMode.TRAM: "tram",
    TransitMode.METRO: "metro train",
    TransitMode.RAIL: "train",
    TransitMode.FERRY: "ferry",
    TransitMode.OTHER: "service",
}
_BASIC = {
    0: TransitMode.TRAM,
    1: TransitMode.METRO,
    2: TransitMode.RAIL,
    3: TransitMode.BUS,
    4: TransitMode.FERRY,
    5: TransitMode.TRAM,
    11: TransitMode.BUS,
    12: TransitMode.METRO,
}
_EXTENDED = (  # the hundreds of the extended route types (Google Transit's)
    (100, 200, TransitMode.RAIL),
    (200, 300, TransitMode.BUS),
    (400, 500, TransitMode.METRO),
    (700, 900, TransitMode.BUS),
    (900, 1000, TransitMode.TRAM),
    (1000, 1300, TransitMode.FERRY),
)


def route_mode(route_type: int) -> TransitMode:
    """Return the mode of a GTFS ``route_type`` (basic or extended).

    Parameters
    ----------
    route_type : int
        The route's type: ``3`` a bus, ``2`` a train, ``700`` a bus service (extended)...

    Returns
    -------
    TransitMode
        Its mode (:attr:`TransitMode.OTHER` for types without one).

    Examples
    --------
    >>> [route_mode(t).value for t in (3, 2, 704, 1400)]
    ['bus', 'rail', 'bus', 'other']
    """
    if route_type in _BASIC:
        return _BASIC[route_type]
    for low, high, mode in _EXTENDED:
        if low <= route_type < high:
            return mode
    return TransitMode.OTHER


@dataclass(frozen=True)
class TransitDay:
    """One service day of a GTFS feed: the stops and every departure, as :func:`read_gtfs` reads.

    Parameters
    ----------
    date : datetime.date
        The service day.
    stops : pandas.DataFrame
        The stops people board at (``location_type`` 0 or blank), in the feed's order:
        ``stop_id``, ``name`` (``stop_name``, else the id), ``lon``, ``lat`` (EPSG:4326).
    departures : pandas.DataFrame
        Every departure of the day, by stop and time: ``stop_id``, ``route_id``,
        ``route_name`` (short name, else long name, else id), ``direction`` (``direction_id``,
        -1 when the feed gives none), ``mode`` (a :class:`TransitMode` value), ``trip_id`` and
        ``minutes`` (after the day's midnight; past 1,440 for trips after midnight).
    source : str
        The feed's file or folder name.
    first_date, last_date : datetime.date
        The first and last day of the feed's calendar.
    chosen : str
        How the day was chosen (``"given"``, or the representative weekday's rule).

    Examples
    --------
    >>> from carezones.io import read_gtfs
    >>> day = read_gtfs(county.gtfs_path)
    >>> day.date, day.chosen
    (datetime.date(2025, 1, 6), 'the weekday with the most trips in the first full week')
    >>> day.departures.columns.tolist()
    ['stop_id', 'route_id', 'route_name', 'direction', 'mode', 'trip_id', 'minutes']
    """

    date: dt.date
    stops: pd.DataFrame
    departures: pd.DataFrame
    source: str
    first_date: dt.date
    last_date: dt.date
    chosen: str = "given"

    def summary(self) -> str:
        """Return one line: the feed, its stops and the day's departures.

        Returns
        -------
        str
            What was read.

        Examples
        --------
        >>> print(read_gtfs(county.gtfs_path).summary())  # doctest: +ELLIPSIS
        synthetic-county-tiny-seed0-gtfs.zip: 6 stops, 182 departures on Mon 06 Jan 2025 (...
        """
        served = self.departures["stop_id"].nunique()
        return (
            f"{self.source}: {len(self.stops):,} stops, {len(self.departures):,} departures on "
            f"{self.date:%a %d %b %Y} ({self.chosen}) at {served:,} of them; the feed runs "
            f"from {self.first_date:%d %b %Y} to {self.last_date:%d %b %Y}"
        )


def read_gtfs(
    path: PathLike,
    *,
    date: dt.date | str | None = None,
    area: AreaLike | None = None,
    max_outside_km: float = 2.0,
) -> TransitDay:
    """Read a GTFS feed (a zip or a folder) and return one day of it, checked once.

    The feed is read by gtfs-kit, a maintained library for GTFS; every problem of every
    table is collected and raised together (see the module's notes for what is checked and
    how the day is chosen).

    Parameters
    ----------
    path : str or os.PathLike
        The feed: a ``.zip`` archive or a folder of ``.txt`` tables.
    date : datetime.date or str, optional
        The service day (``"2025-01-07"`` or ``"20250107"``); default: a representative
        weekday.
    area : shapely geometry or object with ``area_wgs84``, optional
        The area the stops must lie in (a RoadNetwork can be passed): a stop more than
        ``max_outside_km`` outside it is a problem.
    max_outside_km : float, default 2
        How far outside ``area`` a stop may lie.

    Returns
    -------
    TransitDay
        The stops and the day's departures.

    Raises
    ------
    ValidationError
        Every problem of the feed at once, each naming its file, row and field.
    FileNotFoundError
        When there is nothing at ``path``.
    ArgumentError
        When ``date`` is not a date.

    Examples
    --------
    >>> from carezones.io import read_gtfs
    >>> day = read_gtfs(county.gtfs_path, date="2025-01-11")  # a Saturday
    >>> day.date.strftime("%A"), len(day.departures) > 0
    ('Saturday', True)
    >>> read_gtfs(county.gtfs_path, date="2025-12-25")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: synthetic-county-tiny-seed0-gtfs.zip: 1 problem(s):
      - file, column 'calendar.txt': no trip runs on Thu 25 Dec 2025 (2025-12-25); the feed ...
    ...
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no GTFS feed at {path}: give the feed's .zip or its folder")
    wanted = _parse_date(date)
    limit = check_number("max_outside_km", max_outside_km, minimum=0)
    geom = area_geometry(area)
    probs = Problems(path.name)
    names = _members(path, probs)
    for name in GTFS_REQUIRED_FILES:
        if name not in names:
            probs.add_file(
                f"the feed has no {name} (or it is empty)",
                f"export the feed again with every required table; {_SPEC}",
                column=name,
            )
    if not any(name in names for name in GTFS_CALENDAR_FILES):
        probs.add_file(
            "the feed has no calendar.txt nor calendar_dates.txt (or they are empty)",
            f"export the feed again with its service calendar; {_SPEC}",
            column="calendar.txt",
        )
    if "frequencies.txt" in names:
        probs.add_file(
            "frequency-based trips (frequencies.txt) are not read by carezones",
            "export the feed with every trip timed in stop_times.txt",
            column="frequencies.txt",
        )
    feed, tables = _read(path, names, probs)
    checked = _check(tables, probs, Area(geom, limit) if geom is not None else None)
    if isinstance(feed, Exception) and not probs.items:  # unreadable, for no reason found
        probs.add_file(
            f"gtfs-kit could not read the feed ({feed})",
            f"check the feed against the GTFS reference; {_SPEC}",
        )
    probs.raise_if_any()
    first, last = _range(tables)
    day, chosen = _day(feed, wanted, first, last, probs)
    probs.raise_if_any()
    return TransitDay(
        date=day,
        stops=checked.stops,
        departures=_departures(feed, tables, checked, day),
        source=path.name,
        first_date=first,
        last_date=last,
        chosen=chosen,
    )


def _parse_date(value: dt.date | str | None) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for fmt in ("%Y-%m-%d", "%Y%m%d"):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
    raise ArgumentError(f"date must be a date such as 2025-01-07, not {value!r}")


def _members(path: Path, probs: Problems) -> set[str]:
    """Return the names of the feed's non-empty tables (``stops.txt``...)."""
    if path.is_dir():
        return {p.name for p in path.iterdir() if p.is_file() and p.stat().st_size > 0}
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        probs.stop(
            "not a GTFS feed: neither a zip archive nor a folder",
            "give the feed's .zip file (as published) or the folder it unpacks to",
        )
    unpacked = sum(info.file_size for info in infos)
    if unpacked > MAX_GTFS_UNPACKED_BYTES:
        probs.stop(
            f"the archive unpacks to {unpacked / 1024**3:,.1f} GB, more than the "
            f"{MAX_GTFS_UNPACKED_BYTES / 1024**3:.0f} GB carezones reads",
            "keep only your area's routes (gtfs-kit's restrict_to_area, for example)",
        )
    return {Path(i.filename).name for i in infos if not i.is_dir() and i.file_size > 0}


def _read(
    path: Path, names: set[str], probs: Problems
) -> tuple[Any, dict[str, pd.DataFrame | None]]:  # the feed is gtfs-kit's (untyped)
    """Return gtfs-kit's feed and its tables (when it cannot read them: why, and them as text).

    gtfs-kit reads the typed columns (coordinates, ``route_type``...) as numbers and stops at
    the first value that is not one; the tables are then read as text, so that every such
    value is named by the checks.
    """
    import gtfs_kit

    try:
        feed = gtfs_kit.read_feed(path, dist_units="km")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        return exc, _text_tables(path, names, probs)
    return feed, {t: getattr(feed, t) for t in _COLUMNS}


def _text_tables(path: Path, names: set[str], probs: Problems) -> dict[str, pd.DataFrame | None]:
    """Return the feed's tables with every value as text (``None``: a table not there)."""
    out: dict[str, pd.DataFrame | None] = dict.fromkeys(_COLUMNS)

    def parse(name: str, handle: Any) -> None:
        try:
            df = pd.read_csv(
                handle,
                dtype=str,
                na_values=_NA,
                keep_default_na=True,
                encoding="utf-8-sig",
                encoding_errors="replace",
            )
        except (ValueError, pd.errors.ParserError) as exc:
            probs.add_file(
                f"{name} is not a table of comma-separated values ({exc})",
                "export the feed again",
                column=name,
            )
            return
        df.columns = [str(c).strip() for c in df.columns]
        out[Path(name).stem] = df

    wanted = {f"{t}.txt" for t in _COLUMNS} & names
    if path.is_dir():
        for name in sorted(wanted):
            parse(name, path / name)
        return out
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = Path(info.filename).name
            if name in wanted and not info.is_dir() and info.file_size > 0:
                with archive.open(info) as handle:
                    parse(name, handle)
    return out


@dataclass
class _Checked:
    stops: pd.DataFrame  # the boarding stops: stop_id, name, lon, lat
    seconds: npt.NDArray[np.float64]  # each stop_times row's departure in seconds (NaN: none,
    # or no boarding there)


def _check(tables: dict[str, pd.DataFrame | None], probs: Problems, area: Area | None) -> _Checked:
    """Check every table's columns and rows, recording each problem."""
    ok = {t: _has_columns(t, df, probs) for t, df in tables.items()}
    stops, boarding = _check_stops(tables["stops"], probs, area) if ok["stops"] else (None, None)
    services = _check_calendars(tables, ok, probs)
    routes = _check_routes(tables["routes"], probs) if ok["routes"] else None
    trips = _check_trips(tables["trips"], probs, routes, services) if ok["trips"] else None
    seconds = np.zeros(0)
    if ok["stop_times"]:
        seconds = _check_stop_times(tables["stop_times"], probs, boarding, trips)
    empty = pd.DataFrame({"stop_id": [], "name": [], "lon": [], "lat": []})
    return _Checked(stops if stops is not None else empty, seconds)


def _has_columns(table: str, df: pd.DataFrame | None, probs: Problems) -> bool:
    if df is None:
        return False
    missing = [c for c in _COLUMNS[table] if c not in df.columns]
    for column in missing:
        probs.add_file(
            f"{table}.txt has no column '{column}'",
            f"add the column (the GTFS reference lists what it holds); {_SPEC}",
            column=f"{table}.txt:{column}",
        )
    return not missing


def _file_problems(table: str, df: pd.DataFrame) -> Problems:
    """Return a collector for a table's rows (row 2 is its first data row, as in a spreadsheet)."""
    return Problems(f"{table}.txt", rows=np.arange(len(df)) + 2)


def _text(series: pd.Series) -> pd.Series:
    """Return a column as text (missing values stay missing)."""
    return series.astype("string")


def _blank(series: pd.Series) -> npt.NDArray[np.bool_]:
    text = _text(series)
    return np.asarray(text.isna() | (text.str.strip() == ""), dtype=bool)


def _ids(table: str, df: pd.DataFrame, column: str, fp: Problems, unique: bool = True) -> pd.Series:
    """Check an id column: no blank, and (with ``unique``) no repeat; return it as text."""
    ids = _text(df[column])
    blank = _blank(df[column])
    for pos in np.flatnonzero(blank):
        fp.add(
            pos, f"{table}.txt:{column}", None, f"{column} is blank", f"give every row a {column}"
        )
    if unique:
        repeated = ids.duplicated(keep="first").to_numpy(dtype=bool) & ~blank
        first = {v: i for i, v in reversed(list(enumerate(ids.tolist())))}
        for pos in np.flatnonzero(repeated):
            fp.add(
                pos,
                f"{table}.txt:{column}",
                ids.iloc[pos],
                f"{column} repeated (first used in row {first[ids.iloc[pos]] + 2})",
                f"give each row its own {column}",
            )
    return ids


def _numbers(series: pd.Series) -> npt.NDArray[np.float64]:
    return np.asarray(pd.to_numeric(series, errors="coerce"), dtype=float)


def _integers(
    table: str,
    df: pd.DataFrame,
    column: str,
    fp: Problems,
    allowed: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.bool_]],
    what: str,
    required: bool = True,
) -> npt.NDArray[np.float64]:
    """Check a column of whole numbers (blank: allowed unless ``required``); return them."""
    if column not in df.columns:
        return np.full(len(df), np.nan)
    values = _numbers(df[column])
    blank = _blank(df[column])
    whole = np.isfinite(values) & (values == np.round(values))
    good = whole & allowed(np.where(whole, values, 0))
    bad = ~good & (~blank | required)
    text = _text(df[column])
    for pos in np.flatnonzero(bad):
        shown = None if blank[pos] else text.iloc[pos]
        reason = f"{column} is blank" if blank[pos] else f"{column} is not {what}"
        fp.add(pos, f"{table}.txt:{column}", shown, reason, f"write {column} as {what}")
    return np.where(good, values, np.nan)


def _check_stops(
    df: pd.DataFrame, probs: Problems, area: Area | None
) -> tuple[pd.DataFrame, dict[str, bool]]:
    """Check the stops; return those people board at, and whether each id is one of them."""
    fp = _file_problems("stops", df)
    ids = _ids("stops", df, "stop_id", fp)
    kind = _integers(
        "stops", df, "location_type", fp, lambda v: (v >= 0) & (v <= 4), "0 to 4", False
    )
    boarding = np.isnan(kind) | (kind == 0)
    located = boarding | (kind == 1) | (kind == 2)  # GTFS requires their coordinates
    lat, lon = _numbers(df["stop_lat"]), _numbers(df["stop_lon"])
    good = np.ones(len(df), dtype=bool)
    for column, values, bound in (("stop_lat", lat, 90.0), ("stop_lon", lon, 180.0)):
        blank = _blank(df[column])
        bad = located & ~(np.isfinite(values) & (np.abs(values) <= bound))
        good &= ~bad
        text = _text(df[column])
        for pos in np.flatnonzero(bad):
            if blank[pos]:
                reason, shown = f"{column} is blank", None
            elif np.isfinite(values[pos]):
                reason, shown = (
                    f"{column} is out of range (-{bound:g} to {bound:g})",
                    text.iloc[pos],
                )
            else:
                reason, shown = f"{column} is not a number", text.iloc[pos]
            fp.add(pos, f"stops.txt:{column}", shown, reason, "write the stop's WGS84 coordinate")
    if area is not None:
        check = np.flatnonzero(located & good)
        km = area.km(shapely.points(lon[check], lat[check]))
        for at, far in zip(check.tolist(), km.tolist(), strict=True):
            if far > area.limit_km:
                fp.add(
                    at,
                    "stops.txt:stop_id",
                    ids.iloc[at],
                    Reason(
                        f"stop {ids.iloc[at]} is {far:,.1f} km outside the area (more than ",
                        Argument.MAX_OUTSIDE_KM,
                        area.limit_km,
                        ")",
                    ),
                    "check the stop's coordinates, or give the feed of this area (a regional "
                    "feed can be cut to it with gtfs-kit's restrict_to_area)",
                )
    probs.extend(fp)
    names = _text(df["stop_name"]) if "stop_name" in df.columns else ids
    names = names.fillna(ids).where(names.fillna("").str.strip() != "", ids)
    keep = boarding & good & ~_blank(df["stop_id"])
    table = pd.DataFrame(
        {
            "stop_id": ids[keep].astype(str).to_numpy(dtype=object),
            "name": names[keep].astype(str).to_numpy(dtype=object),
            "lon": lon[keep],
            "lat": lat[keep],
        }
    )
    known = ~_blank(df["stop_id"])
    kinds = dict(zip(ids[known].astype(str), boarding[known].tolist(), strict=True))
    return table, kinds


def _check_calendars(
    tables: dict[str, pd.DataFrame | None], ok: dict[str, bool], probs: Problems
) -> set[str] | None:
    """Check both calendars; return every service id they name (``None``: not known)."""
    services: set[str] = set()
    known = False
    cal = tables["calendar"]
    if cal is not None and ok["calendar"]:
        known = True
        fp = _file_problems("calendar", cal)
        ids = _ids("calendar", cal, "service_id", fp)
        services |= set(ids.dropna().astype(str))
        for day in _DAYS:
            _integers("calendar", cal, day, fp, lambda v: (v == 0) | (v == 1), "0 or 1")
        start = _dates("calendar", cal, "start_date", fp)
        end = _dates("calendar", cal, "end_date", fp)
        for pos in np.flatnonzero((end < start).to_numpy(dtype=bool, na_value=False)):
            fp.add(
                pos,
                "calendar.txt:end_date",
                _text(cal["end_date"]).iloc[pos],
                "end_date is before start_date",
                "check the service's dates",
            )
        probs.extend(fp)
    dates = tables["calendar_dates"]
    if dates is not None and ok["calendar_dates"]:
        known = True
        fp = _file_problems("calendar_dates", dates)
        ids = _ids("calendar_dates", dates, "service_id", fp, unique=False)
        services |= set(ids.dropna().astype(str))
        _dates("calendar_dates", dates, "date", fp)
        _integers(
            "calendar_dates",
            dates,
            "exception_type",
            fp,
            lambda v: (v == 1) | (v == 2),
            "1 (service added) or 2 (removed)",
        )
        probs.extend(fp)
    return services if known else None


def _dates(table: str, df: pd.DataFrame, column: str, fp: Problems) -> pd.Series:
    """Check a column of ``YYYYMMDD`` dates; return them (``NaT`` where not one)."""
    text = _text(df[column])
    shape = text.str.fullmatch(_DATE).fillna(False).to_numpy(dtype=bool)
    parsed = pd.to_datetime(text.where(shape), format="%Y%m%d", errors="coerce")
    blank = _blank(df[column])
    for pos in np.flatnonzero(parsed.isna().to_numpy()):
        shown = None if blank[pos] else text.iloc[pos]
        fp.add(
            pos,
            f"{table}.txt:{column}",
            shown,
            f"{column} is blank" if blank[pos] else f"{column} is not a date written YYYYMMDD",
            f"write {column} as YYYYMMDD, e.g. 20250107",
        )
    return parsed


def _check_routes(df: pd.DataFrame, probs: Problems) -> set[str]:
    fp = _file_problems("routes", df)
    ids = _ids("routes", df, "route_id", fp)
    _integers(
        "routes",
        df,
        "route_type",
        fp,
        lambda v: v >= 0,
        "a GTFS route type (3 a bus, 2 a train...)",
    )
    probs.extend(fp)
    return set(ids.dropna().astype(str))


def _check_trips(
    df: pd.DataFrame, probs: Problems, routes: set[str] | None, services: set[str] | None
) -> set[str]:
    fp = _file_problems("trips", df)
    ids = _ids("trips", df, "trip_id", fp)
    for column, known, where in (
        ("route_id", routes, "routes.txt"),
        ("service_id", services, "calendar.txt or calendar_dates.txt"),
    ):
        _references("trips", df, column, known, where, fp)
    _integers(
        "trips", df, "direction_id", fp, lambda v: (v == 0) | (v == 1), "0 or 1", required=False
    )
    probs.extend(fp)
    return set(ids.dropna().astype(str))


def _references(
    name: str, df: pd.DataFrame, column: str, known: set[str] | None, where: str, fp: Problems
) -> None:
    """Check a column's ids, and that each names a row of the file ``where`` (when read)."""
    text = _ids(name, df, column, fp, unique=False)
    if known is None:
        return
    unknown = ~text.isin(known).to_numpy(dtype=bool, na_value=False) & ~_blank(df[column])
    for pos in np.flatnonzero(unknown):
        fp.add(
            pos,
            f"{name}.txt:{column}",
            text.iloc[pos],
            f"{column} {text.iloc[pos]} is not in {where}",
            f"give a {column} of {where}",
        )


def _check_stop_times(
    df: pd.DataFrame, probs: Problems, stops: dict[str, bool] | None, trips: set[str] | None
) -> npt.NDArray[np.float64]:
    """Check every stop time; return each row's departure in seconds after midnight (or NaN).

    ``stops``: every stop id, and whether people board there (a station, an entrance or a
    node is no place for a stop time).
    """
    fp = _file_problems("stop_times", df)
    if stops is not None:
        text = _text(df["stop_id"])
        stations = {stop for stop, boards in stops.items() if not boards}
        station = text.isin(stations).to_numpy(dtype=bool, na_value=False)
        for pos in np.flatnonzero(station):
            fp.add(
                pos,
                "stop_times.txt:stop_id",
                text.iloc[pos],
                f"stop_id {text.iloc[pos]} is a station, entrance or node (location_type 1 to "
                "4), not a stop to board at",
                "give the stop (or platform) the vehicle calls at",
            )
    for column, known, where in (
        ("trip_id", trips, "trips.txt"),
        ("stop_id", None if stops is None else set(stops), "stops.txt"),
    ):
        _references("stop_times", df, column, known, where, fp)
    _integers(
        "stop_times",
        df,
        "stop_sequence",
        fp,
        lambda v: v >= 0,
        "a whole number of at least 0",
    )
    pickup = _integers(
        "stop_times", df, "pickup_type", fp, lambda v: (v >= 0) & (v <= 3), "0 to 3", False
    )
    seconds = _times("departure_time", df, fp)
    seconds[pickup == 1] = np.nan  # nobody boards: not a departure
    if "arrival_time" in df.columns:
        _times("arrival_time", df, fp)
    probs.extend(fp)
    return seconds


def _times(column: str, df: pd.DataFrame, fp: Problems) -> npt.NDArray[np.float64]:
    """Check a column of GTFS times; return them in seconds after midnight (NaN: blank or bad).

    Times past 24:00:00 are GTFS's way of writing a trip that runs past midnight: accepted.
    """
    text = _text(df[column])
    parts = text.str.extract(_TIME)
    h, m, s = (np.asarray(pd.to_numeric(parts[k], errors="coerce"), dtype=float) for k in range(3))
    good = np.isfinite(h) & (m < 60) & (s < 60) & (h < 48)
    blank = _blank(df[column])
    where = f"stop_times.txt:{column}"
    for pos in np.flatnonzero(~good & ~blank):
        late = np.isfinite(h[pos]) and h[pos] >= 48 and m[pos] < 60 and s[pos] < 60
        fp.add(
            pos,
            where,
            text.iloc[pos],
            f"{column} is 48 hours or more after midnight"
            if late
            else f"{column} is not a time written H:MM:SS",
            f"write {column} as H:MM:SS after the service day's midnight, e.g. 07:05:00 or "
            "25:10:00 past midnight",
        )
    return np.where(good, h * 3600 + m * 60 + s, np.nan)


def _range(tables: dict[str, pd.DataFrame | None]) -> tuple[dt.date, dt.date]:
    """Return the first and last day of the feed's calendars."""
    days: list[str] = []
    cal = tables["calendar"]
    if cal is not None and len(cal):
        days += [str(_text(cal["start_date"]).min()), str(_text(cal["end_date"]).max())]
    extra = tables["calendar_dates"]
    if extra is not None and len(extra):
        text = _text(extra["date"])
        days += [str(text.min()), str(text.max())]
    parsed = [dt.datetime.strptime(d, "%Y%m%d").date() for d in days]
    return min(parsed), max(parsed)


_REPRESENTATIVE = "the weekday with the most trips in the first full week"


def _day(
    feed: Any, wanted: dt.date | None, first: dt.date, last: dt.date, probs: Problems
) -> tuple[dt.date, str]:
    """Return the service day (given, or representative) and how it was chosen."""
    if wanted is not None:
        trips = _trips_on(feed, [wanted])
        if trips[wanted] == 0:
            busiest = _representative(feed, first, last)
            hint = f", e.g. {busiest[0].isoformat()}" if busiest[1] > 0 else ""
            probs.add_file(
                f"no trip runs on {wanted:%a %d %b %Y} ({wanted.isoformat()}); the feed runs "
                f"from {first.isoformat()} to {last.isoformat()}",
                f"choose a day with service{hint}",
                column="calendar.txt",
            )
        return wanted, "given"
    day, count = _representative(feed, first, last)
    if count == 0:
        probs.add_file(
            f"no trip runs on any day from {first.isoformat()} to {last.isoformat()}",
            "check the feed's calendar.txt and calendar_dates.txt",
            column="calendar.txt",
        )
    return day, _REPRESENTATIVE


def _representative(feed: Any, first: dt.date, last: dt.date) -> tuple[dt.date, int]:
    """Return the busiest weekday of the feed's first full week (see the module's notes)."""
    week = [dt.datetime.strptime(d, "%Y%m%d").date() for d in feed.get_first_week()]
    if len(week) == 7:
        days = week[:5]
    else:
        every = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        days = [d for d in every if d.weekday() < 5] or every
    trips = _trips_on(feed, days)
    best = max(days, key=lambda d: (trips[d], -d.toordinal()))
    return best, trips[best]


def _trips_on(feed: Any, days: list[dt.date]) -> dict[dt.date, int]:
    """Return how many trips run on each day (gtfs-kit's ``compute_trip_activity``)."""
    keys = [d.strftime("%Y%m%d") for d in days]
    activity = feed.compute_trip_activity(keys)
    return {
        d: int(activity[k].sum()) if k in activity.columns else 0
        for d, k in zip(days, keys, strict=True)
    }


def _departures(
    feed: Any, tables: dict[str, pd.DataFrame | None], checked: _Checked, day: dt.date
) -> pd.DataFrame:
    """Return every departure of the day at a boarding stop, by stop and time."""
    key = day.strftime("%Y%m%d")
    activity = feed.compute_trip_activity([key])
    running = set(activity.loc[activity[key] > 0, "trip_id"].astype(str))
    trips, routes, times = tables["trips"], tables["routes"], tables["stop_times"]
    assert trips is not None and routes is not None and times is not None
    r = pd.DataFrame(
        {
            "route_id": _text(routes["route_id"]).astype(str),
            "route_name": _route_names(routes),
            "mode": [
                route_mode(int(t)).value
                for t in pd.to_numeric(routes["route_type"], errors="coerce")
            ],
        }
    )
    direction = (
        pd.to_numeric(trips["direction_id"], errors="coerce").fillna(-1).astype(int)
        if "direction_id" in trips.columns
        else pd.Series(-1, index=trips.index)
    )
    t = pd.DataFrame(
        {
            "trip_id": _text(trips["trip_id"]).astype(str),
            "route_id": _text(trips["route_id"]).astype(str),
            "direction": direction.to_numpy(dtype=np.int64),
        }
    )
    t = t[t["trip_id"].isin(running)].merge(r, on="route_id", how="left")
    s = pd.DataFrame(
        {
            "trip_id": _text(times["trip_id"]).astype(str).to_numpy(dtype=object),
            "stop_id": _text(times["stop_id"]).astype(str).to_numpy(dtype=object),
            "seconds": checked.seconds,
        }
    )
    s = s[np.isfinite(s["seconds"].to_numpy()) & s["stop_id"].isin(checked.stops["stop_id"])]
    out = s.merge(t, on="trip_id", how="inner")
    out["minutes"] = out.pop("seconds") / 60.0
    out = out.sort_values(["stop_id", "minutes", "trip_id"], kind="stable").reset_index(drop=True)
    columns = ["stop_id", "route_id", "route_name", "direction", "mode", "trip_id", "minutes"]
    out = out[columns]
    for column in ("stop_id", "route_id", "route_name", "mode", "trip_id"):
        out[column] = out[column].astype(object)
    return out


def _route_names(routes: pd.DataFrame) -> npt.NDArray[np.object_]:
    """Return each route's name for people: short name, else long name, else its id."""
    names = _text(routes["route_id"]).astype(str)
    for column in ("route_long_name", "route_short_name"):
        if column in routes.columns:
            text = _text(routes[column])
            names = text.where(text.notna() & (text.str.strip() != ""), names).astype(str)
    return np.asarray(names.to_numpy(dtype=object), dtype=object)
