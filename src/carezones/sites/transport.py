"""Transport access by timetable: PTAL's access index at each site, and departures per stop.

Given one day of a GTFS feed (:func:`carezones.io.read_gtfs`), the walking network and the
sites, :func:`transport_access` measures access to public transport as Transport for London's
PTAL does (*Assessing transport connectivity in London*, TfL 2015), with the walking times of
the site score: over the walking network, at the walking speed of
:class:`carezones.SpeedModel` (0.8 m/s by default, suited to older people), access legs
included, up to a walk limit (the bus-stop category's 17 minutes by default: CIHT's
"acceptable" 800 m at 0.8 m/s).

For each route calling at a stop within the limit, in a time band (07:00-19:00 by default,
and the morning peak 07:00-10:00 beside it):

- **departures per hour** ``f``: the route's departures from the stop in the band (each
  direction apart) over the band's hours;
- **scheduled waiting time** ``SWT = 0.5 * 60 / f`` minutes;
- **total access time** ``TAT = walk + SWT + K``, where ``K`` is PTAL's reliability margin:
  2 minutes for buses, 0.75 for rail, metro and tram (:data:`RELIABILITY_MINUTES`; ferries and
  other modes are given a bus's 2);
- **equivalent doorstep frequency** ``EDF = 30 / TAT``.

Each route counts once, at the stop and direction with the highest EDF. Per mode the best
route's EDF counts in full and every other route's by half; the **access index** is their sum
over the modes. PTAL's levels read it: 0 is no access (PTAL 0), up to 2.5 very poor (1a and 1b),
5 poor (2), 10 moderate (3), 15 good (4), 20 very good (5), 25 excellent (6a) and more (6b).

Beside the index, each site gets its **best stop**: the stop within the limit whose
departures in the band (every route and direction together, ``f_stop``) give the highest
``30 / (walk + 0.5 * 60 / f_stop + K)`` (its most frequent mode's ``K``; the shorter walk on a
tie), with its name, walking minutes, departures per hour and first and last departure of the
day.

:func:`stop_frequencies` gives the departures per hour of every stop in a band; they are the
same numbers as gtfs-kit's stop statistics (its ``compute_stop_stats`` for the departures, the
first and last departure and the mean headway; its ``compute_stop_time_series``, summed over
the band's hours, for the departures per hour), which ``tests/test_gtfs.py`` checks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, check_number
from carezones.io.gtfs import TransitDay, TransitMode

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork
    from carezones.network.routing import Attachment

__all__ = [
    "DEFAULT_BAND",
    "MORNING_PEAK",
    "RELIABILITY_MINUTES",
    "TimeBand",
    "TransportOptions",
    "stop_frequencies",
    "transport_access",
    "transport_note",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RELIABILITY_MINUTES: Mapping[TransitMode, float] = {
    TransitMode.BUS: 2.0,
    TransitMode.TRAM: 0.75,
    TransitMode.METRO: 0.75,
    TransitMode.RAIL: 0.75,
    TransitMode.FERRY: 2.0,
    TransitMode.OTHER: 2.0,
}
"""PTAL's reliability margin ``K`` in minutes: 2 for buses, 0.75 for rail-based modes."""

_MODES = tuple(TransitMode)
_MARGIN = np.array([RELIABILITY_MINUTES[m] for m in _MODES])
_BAND = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class TimeBand:
    """A time band of the service day, from ``start_minutes`` up to (not at) ``end_minutes``.

    Parameters
    ----------
    start_minutes, end_minutes : float
        Minutes after the service day's midnight (up to 48 hours: GTFS days run past
        midnight).

    Raises
    ------
    ArgumentError
        When the band is empty or outside 0-48 hours.

    Examples
    --------
    >>> band = TimeBand.parse("07:00-19:00")
    >>> band.start_minutes, band.hours, band.label
    (420.0, 12.0, '07:00-19:00')
    """

    start_minutes: float
    end_minutes: float

    def __post_init__(self) -> None:
        start = check_number("start_minutes", self.start_minutes, minimum=0, maximum=48 * 60)
        end = check_number("end_minutes", self.end_minutes, minimum=0, maximum=48 * 60)
        if end <= start:
            raise ArgumentError(f"a time band must end after it starts, not {self.label}")
        object.__setattr__(self, "start_minutes", start)
        object.__setattr__(self, "end_minutes", end)

    @classmethod
    def parse(cls, value: TimeBand | str | tuple[float, float]) -> TimeBand:
        """Return a band from ``"07:00-19:00"``, a pair of minutes or a band.

        Parameters
        ----------
        value : TimeBand, str or tuple
            The band: ``"HH:MM-HH:MM"``, ``(start_minutes, end_minutes)`` or a band.

        Returns
        -------
        TimeBand
            The band.

        Raises
        ------
        ArgumentError
            When it is none of these.

        Examples
        --------
        >>> TimeBand.parse((420, 600)).label
        '07:00-10:00'
        """
        if isinstance(value, TimeBand):
            return value
        if isinstance(value, str):
            got = _BAND.match(value)
            if got is None:
                raise ArgumentError(f"a time band is written HH:MM-HH:MM, not {value!r}")
            h1, m1, h2, m2 = (int(x) for x in got.groups())
            if m1 >= 60 or m2 >= 60:
                raise ArgumentError(f"a time band is written HH:MM-HH:MM, not {value!r}")
            return cls(h1 * 60.0 + m1, h2 * 60.0 + m2)
        if isinstance(value, tuple) and len(value) == 2:
            return cls(value[0], value[1])
        raise ArgumentError(f"a time band is written HH:MM-HH:MM, not {value!r}")

    @property
    def hours(self) -> float:
        """The band's length in hours.

        Examples
        --------
        >>> TimeBand(420, 600).hours
        3.0
        """
        return (self.end_minutes - self.start_minutes) / 60.0

    @property
    def label(self) -> str:
        """The band as ``"HH:MM-HH:MM"``.

        Examples
        --------
        >>> TimeBand(390, 1450).label
        '06:30-24:10'
        """
        return f"{_clock(self.start_minutes)}-{_clock(self.end_minutes)}"


DEFAULT_BAND = TimeBand(420.0, 1140.0)
"""07:00-19:00: the band of the access index (and of gtfs-kit's stop statistics)."""
MORNING_PEAK = TimeBand(420.0, 600.0)
"""07:00-10:00: the morning peak, the second band."""


@dataclass(frozen=True)
class TransportOptions:
    """How transport access is measured: the walk limit and the time bands.

    Parameters
    ----------
    walk_minutes : float, default 17
        The longest walk to a stop that counts (the bus-stop category's ``zero_minutes``).
    band : TimeBand or str, default "07:00-19:00"
        The band of the access index and the best stop.
    peak : TimeBand, str or None, default "07:00-10:00"
        A second band (its own index), or ``None``.

    Raises
    ------
    ArgumentError
        When a value is not one it can take.

    Examples
    --------
    >>> TransportOptions(band="08:00-18:00").band.hours
    10.0
    """

    walk_minutes: float = 17.0
    band: TimeBand | str = DEFAULT_BAND
    peak: TimeBand | str | None = MORNING_PEAK

    def __post_init__(self) -> None:
        walk = check_number("walk_minutes", self.walk_minutes, minimum=0, above=True)
        object.__setattr__(self, "walk_minutes", walk)
        object.__setattr__(self, "band", TimeBand.parse(self.band))
        if self.peak is not None:
            object.__setattr__(self, "peak", TimeBand.parse(self.peak))

    @property
    def bands(self) -> tuple[TimeBand, ...]:
        """The band, then the peak when there is one.

        Examples
        --------
        >>> [band.label for band in TransportOptions().bands]
        ['07:00-19:00', '07:00-10:00']
        """
        band = TimeBand.parse(self.band)
        return (band,) if self.peak is None else (band, TimeBand.parse(self.peak))


def _clock(minutes: float) -> str:
    m = round(minutes)
    return f"{m // 60:02d}:{m % 60:02d}"


def _seconds(day: TransitDay) -> IntArray:
    """Each departure's time in whole seconds (as the feed wrote it)."""
    minutes = day.departures["minutes"].to_numpy(dtype=float)
    return np.asarray(np.rint(minutes * 60.0), dtype=np.int64)


def _in_band(seconds: IntArray, band: TimeBand) -> npt.NDArray[np.bool_]:
    return (seconds >= round(band.start_minutes * 60)) & (seconds < round(band.end_minutes * 60))


def stop_frequencies(day: TransitDay, band: TimeBand | str = DEFAULT_BAND) -> pd.DataFrame:
    """Return every stop's departures of the day and its departures per hour in a band.

    Parameters
    ----------
    day : TransitDay
        A day of a GTFS feed (:func:`carezones.io.read_gtfs`).
    band : TimeBand or str, default "07:00-19:00"
        The band.

    Returns
    -------
    pandas.DataFrame
        One row per stop of ``day.stops``, in its order: ``stop_id``, ``name``,
        ``departures`` (the whole day), ``routes`` (calling there that day),
        ``first_departure`` and ``last_departure`` (minutes after midnight, NaN without any),
        ``departures_in_band`` (from the band's start up to, not at, its end),
        ``departures_per_hour`` (those over the band's hours) and ``mean_headway_minutes``
        (between the departures from the band's start to its end inclusive, as gtfs-kit's
        ``compute_stop_stats``; NaN with fewer than two).

    Examples
    --------
    >>> from carezones.io import read_gtfs
    >>> from carezones.sites.transport import stop_frequencies
    >>> table = stop_frequencies(read_gtfs(county.gtfs_path))
    >>> table.loc[table["name"] == "Station Road", ["departures_per_hour"]]
       departures_per_hour
    5                  6.0
    """
    band = TimeBand.parse(band)
    stops = day.stops
    dep = day.departures
    k = pd.Index(stops["stop_id"]).get_indexer(dep["stop_id"])
    sec = _seconds(day)
    n = len(stops)
    count = np.bincount(k, minlength=n)
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    if len(dep):
        np.fmin.at(first, k, sec / 60.0)
        np.fmax.at(last, k, sec / 60.0)
    routes = pd.Series(dep["route_id"].to_numpy()).groupby(k).nunique()
    n_routes = np.zeros(n, dtype=np.int64)
    n_routes[routes.index.to_numpy()] = routes.to_numpy()
    inside = _in_band(sec, band)
    in_band = np.bincount(k[inside], minlength=n)
    closed = (sec >= round(band.start_minutes * 60)) & (sec <= round(band.end_minutes * 60))
    lo = np.full(n, np.iinfo(np.int64).max)
    hi = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(lo, k[closed], sec[closed])
    np.maximum.at(hi, k[closed], sec[closed])
    m = np.bincount(k[closed], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        headway = np.where(m >= 2, (hi - lo) / np.maximum(m - 1, 1) / 60.0, np.nan)
    return pd.DataFrame(
        {
            "stop_id": stops["stop_id"].to_numpy(),
            "name": stops["name"].to_numpy(),
            "departures": count,
            "routes": n_routes,
            "first_departure": first,
            "last_departure": last,
            "departures_in_band": in_band,
            "departures_per_hour": in_band / band.hours,
            "mean_headway_minutes": headway,
        }
    )


@dataclass
class _Served:
    """The stops with a departure on the day, and their departures' codes."""

    stops: IntArray  # index into day.stops of each served stop
    stop: IntArray  # each departure's served stop
    route: IntArray  # each departure's route (a code)
    direction: IntArray  # each departure's route and direction together (a code)
    mode: IntArray  # each departure's mode (index into _MODES)
    seconds: IntArray
    n_routes: int


def _served(day: TransitDay) -> _Served:
    dep = day.departures
    k = pd.Index(day.stops["stop_id"]).get_indexer(dep["stop_id"])
    stops, stop = np.unique(k, return_inverse=True)
    route, names = pd.factorize(dep["route_id"], sort=True)
    pair = pd.MultiIndex.from_arrays([route, dep["direction"].to_numpy()])
    direction, _ = pd.factorize(pair, sort=True)
    mode = pd.Index([m.value for m in _MODES]).get_indexer(dep["mode"])
    return _Served(
        stops=stops.astype(np.int64),
        stop=stop.astype(np.int64),
        route=np.asarray(route, dtype=np.int64),
        direction=np.asarray(direction, dtype=np.int64),
        mode=np.asarray(mode, dtype=np.int64),
        seconds=_seconds(day),
        n_routes=len(names),
    )


def _index(
    srv: _Served, band: TimeBand, o: IntArray, t: IntArray, m: FloatArray, n: int
) -> FloatArray:
    """Return the access index of ``n`` sites from their (site, stop, walk) pairs in a band."""
    inside = _in_band(srv.seconds, band)
    n_dir = int(srv.direction.max()) + 1 if len(srv.direction) else 1
    key = srv.stop[inside] * n_dir + srv.direction[inside]
    keys, counts = np.unique(key, return_counts=True)
    if not len(keys) or not len(o):
        return np.zeros(n)
    k_stop, k_dir = keys // n_dir, keys % n_dir
    dir_route = np.zeros(n_dir, dtype=np.int64)
    dir_route[srv.direction] = srv.route
    dir_mode = np.zeros(n_dir, dtype=np.int64)
    dir_mode[srv.direction] = srv.mode
    per_hour = counts / band.hours
    # every (pair, route direction at its stop): the pairs expanded over their stop's rows
    start = np.searchsorted(k_stop, t, side="left")
    rows = np.searchsorted(k_stop, t, side="right") - start
    pair = np.repeat(np.arange(len(o)), rows)
    offset = np.arange(len(pair)) - np.repeat(np.cumsum(rows) - rows, rows)
    row = np.repeat(start, rows) + offset
    route = dir_route[k_dir[row]]
    mode = dir_mode[k_dir[row]]
    tat = m[pair] + 0.5 * 60.0 / per_hour[row] + _MARGIN[mode]
    edf = 30.0 / tat
    site = o[pair]
    # each route once, at its best stop and direction
    frame = pd.DataFrame({"site": site, "route": route, "mode": mode, "edf": edf})
    best = frame.groupby(["site", "route"], sort=False).agg(
        mode=("mode", "first"), edf=("edf", "max")
    )
    by_mode = best.groupby(["site", "mode"], sort=False)["edf"].agg(["max", "sum"])
    index = by_mode["max"] + 0.5 * (by_mode["sum"] - by_mode["max"])
    total = index.groupby(level="site").sum()
    out = np.zeros(n)
    out[total.index.to_numpy(dtype=np.int64)] = total.to_numpy(dtype=float)
    return out


def _access(
    day: TransitDay,
    walk: RoadNetwork,
    sites: Attachment,
    n: int,
    options: TransportOptions,
) -> pd.DataFrame:
    """Return the table of :func:`transport_access` for sites already attached to ``walk``."""
    srv = _served(day)
    stops = day.stops.iloc[srv.stops]
    names = stops["name"].to_numpy(dtype=object)
    ids = stops["stop_id"].to_numpy(dtype=object)
    limit = float(options.walk_minutes)
    if len(srv.stops):
        lonlat = stops[["lon", "lat"]].to_numpy(dtype=float)
        o, t, m = walk.router.within(sites, walk.attach(walk.snap(lonlat)), limit)
    else:
        o = t = np.zeros(0, dtype=np.int64)
        m = np.zeros(0)
    bands = options.bands
    out: dict[str, object] = {"access_index": _index(srv, bands[0], o, t, m, n)}
    if len(bands) > 1:
        out["access_index_peak"] = _index(srv, bands[1], o, t, m, n)
    out.update(_best_stop(srv, bands[0], o, t, m, n, names, ids))
    return pd.DataFrame(out)


def _best_stop(
    srv: _Served,
    band: TimeBand,
    o: IntArray,
    t: IntArray,
    m: FloatArray,
    n: int,
    names: npt.NDArray[np.object_],
    ids: npt.NDArray[np.object_],
) -> dict[str, object]:
    """Each site's best stop in the band, and its nearest stop with a departure on the day."""
    n_stops = len(srv.stops)
    inside = _in_band(srv.seconds, band)
    count = np.bincount(srv.stop[inside], minlength=n_stops)
    by_mode = np.zeros((n_stops, len(_MODES)), dtype=np.int64)
    np.add.at(by_mode, (srv.stop[inside], srv.mode[inside]), 1)
    stop_mode = by_mode.argmax(axis=1) if n_stops else np.zeros(0, dtype=np.int64)
    per_hour = count / band.hours
    first = np.full(n_stops, np.inf)
    last = np.full(n_stops, -np.inf)
    np.minimum.at(first, srv.stop, srv.seconds / 60.0)
    np.maximum.at(last, srv.stop, srv.seconds / 60.0)
    out: dict[str, object] = {
        "stop_id": np.full(n, None, dtype=object),
        "stop_name": np.full(n, "", dtype=object),
        "walk_minutes": np.full(n, np.inf),
        "departures_per_hour": np.zeros(n),
        "mode": np.full(n, "", dtype=object),
        "first_departure": np.full(n, np.nan),
        "last_departure": np.full(n, np.nan),
        "stops_within": np.bincount(o, minlength=n),
        "nearest_stop_name": np.full(n, "", dtype=object),
        "nearest_walk_minutes": np.full(n, np.inf),
    }
    if len(o):
        order = np.lexsort((t, m, o))
        first_pair = order[np.r_[True, o[order][1:] != o[order][:-1]]]
        site = o[first_pair]
        out["nearest_stop_name"][site] = names[t[first_pair]]  # type: ignore[index]
        out["nearest_walk_minutes"][site] = m[first_pair]  # type: ignore[index]
    live = per_hour[t] > 0 if len(o) else np.zeros(0, dtype=bool)
    if live.any():
        o2, t2, m2 = o[live], t[live], m[live]
        edf = 30.0 / (m2 + 0.5 * 60.0 / per_hour[t2] + _MARGIN[stop_mode[t2]])
        order = np.lexsort((t2, m2, -edf, o2))
        pick = order[np.r_[True, o2[order][1:] != o2[order][:-1]]]
        site, stop = o2[pick], t2[pick]
        values = {
            "stop_id": ids[stop],
            "stop_name": names[stop],
            "walk_minutes": m2[pick],
            "departures_per_hour": per_hour[stop],
            "mode": np.array([_MODES[j].value for j in stop_mode[stop]], dtype=object),
            "first_departure": first[stop],
            "last_departure": last[stop],
        }
        for column, value in values.items():
            out[column][site] = value  # type: ignore[index]
    return out


def transport_access(
    day: TransitDay,
    walk: RoadNetwork,
    sites: gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike,
    *,
    options: TransportOptions | None = None,
) -> pd.DataFrame:
    """Return each site's PTAL access index and best stop (see the module's notes).

    Parameters
    ----------
    day : TransitDay
        A day of a GTFS feed (:func:`carezones.io.read_gtfs`).
    walk : RoadNetwork
        The walking network (``load_network(osm, "walk")``): its walking speed is the pace.
    sites : GeoDataFrame, GeoSeries, array of shapely geometries or (n, 2) lon/lat array
        The sites (a polygon is reached from its boundary point nearest the path network).
    options : TransportOptions, optional
        The walk limit and the bands (default 17 minutes, 07:00-19:00 and 07:00-10:00).

    Returns
    -------
    pandas.DataFrame
        One row per site, in order: ``access_index`` (the band's), ``access_index_peak``
        (with a peak), the best stop's ``stop_id`` (missing when no stop within the walk has
        a departure in the band), ``stop_name``, ``walk_minutes``, ``departures_per_hour``,
        ``mode`` (its most frequent), ``first_departure`` and ``last_departure`` (minutes
        after midnight, the whole day); ``stops_within`` (stops with a departure that day
        within the walk), ``nearest_stop_name`` and ``nearest_walk_minutes`` (the nearest of
        them; ``inf`` when none).

    Raises
    ------
    ArgumentError
        When ``walk`` is not a walking network or ``options`` not a TransportOptions.

    Examples
    --------
    >>> from carezones import load_network
    >>> from carezones.io import read_gtfs
    >>> from carezones.sites.transport import transport_access
    >>> walk = load_network(county.osm_path, "walk")
    >>> access = transport_access(read_gtfs(county.gtfs_path), walk, [(1.5602, 54.3915)])
    >>> access[["access_index", "stop_name", "departures_per_hour"]].round(1)
       access_index     stop_name  departures_per_hour
    0           4.0  Market Place                  6.0
    """
    import geopandas as gpd

    from carezones.network import RoadNetwork

    opts = TransportOptions() if options is None else options
    if not isinstance(opts, TransportOptions):
        raise ArgumentError(f"options must be a TransportOptions, not {type(opts).__name__}")
    if not isinstance(walk, RoadNetwork) or walk.mode != "walk":
        raise ArgumentError("walk must be the walking network: load_network(osm, 'walk')")
    if isinstance(sites, gpd.GeoDataFrame | gpd.GeoSeries):
        geoms = sites.to_crs("EPSG:4326").geometry if sites.crs is not None else sites.geometry
        lonlat = walk.access_points(geoms.to_numpy())
    else:
        arr = np.asarray(sites)
        lonlat = (
            arr.astype(float) if arr.dtype != object and arr.ndim == 2 else walk.access_points(arr)
        )
    att = walk.attach(walk.snap(lonlat))
    return _access(day, walk, att, len(lonlat), opts)


def transport_note(row: Mapping[str, object], options: TransportOptions) -> str:
    """Return a site's transport access in words, from its row of :func:`transport_access`.

    Parameters
    ----------
    row : mapping
        The site's row (``stop_id``, ``stop_name``, ``walk_minutes``,
        ``departures_per_hour``, ``mode``, ``stops_within``).
    options : TransportOptions
        The walk limit and band it was measured with.

    Returns
    -------
    str
        E.g. ``"bus every 12 min at Market Place (4 min walk)"``, ``"2 buses 07:00-19:00 at
        The Green (3 min walk)"`` or ``"no bus or train stop within 17 min walk"``.

    Examples
    --------
    >>> row = {"stop_id": "N1", "stop_name": "Market Place", "walk_minutes": 4.2,
    ...        "departures_per_hour": 5.0, "mode": "bus", "stops_within": 2}
    >>> transport_note(row, TransportOptions())
    'bus every 12 min at Market Place (4 min walk)'
    """
    band = TimeBand.parse(options.band)
    limit = f"{float(options.walk_minutes):g} min walk"
    if pd.isna(row["stop_id"]):
        if int(row["stops_within"]) > 0:  # type: ignore[call-overload]
            return f"no bus or train {band.label} within {limit}"
        return f"no bus or train stop within {limit}"
    word = TransitMode(str(row["mode"])).word
    per_hour = float(row["departures_per_hour"])  # type: ignore[arg-type]
    walked = float(row["walk_minutes"])  # type: ignore[arg-type]
    at = f"at {row['stop_name']} ({'<1' if walked < 0.5 else f'{walked:.0f}'} min walk)"
    if per_hour >= 1.0:
        return f"{word} every {60.0 / per_hour:.0f} min {at}"
    count = round(per_hour * band.hours)
    words = word if count == 1 else _plural(word)
    return f"{count} {words} {band.label} {at}"


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word + "es"
    if word.endswith("y"):
        return word[:-1] + "ies"
    return word + "s"
