"""The county's bus timetable, written as a valid GTFS feed (SYNTHETIC DATA).

Buses call at the county's own ``highway=bus_stop`` nodes (each stop's ``stop_id`` is ``N``
and its OSM node id; its name the node's): the two Market Place stops (one each side of the
High Street) and Station Road of each town, The Green of the villages that have a stop.
Frequencies fall with rurality, as in English shire counties:

- a **town service** in every town (Station Road to Market Place and back): every 10, 12 or
  15 minutes from 07:00 to 19:00 on weekdays (the largest town the most often), every 30
  minutes until 23:00, a first bus at 06:30 and a last one at 00:10 (written ``24:10:00``, as
  GTFS writes a trip past midnight); every 20 minutes on Saturdays, hourly on Sundays;
- an **inter-town route** from each town to its nearest other town, calling at the villages
  with a stop within 800 m of the way: every 30 minutes from 07:00 to 19:00 on weekdays and
  hourly until 22:00, hourly on Saturdays;
- a **village route** from each other village with a stop to its nearest town: every two hours
  (07:00 to 17:00) from the larger villages, twice a day (in at 09:30 and 13:30, out at 12:30
  and 16:30) from the smaller ones; weekdays only, and three trips each way on Saturdays from
  the larger villages.

Buses only set down at a route's last stop (``pickup_type`` 1) and only pick up at its first
(``drop_off_type`` 1). Journey times are the straight-line distance, a third longer for the
winding road, at 30 km/h (at least two minutes between stops). The calendar covers 2025:
weekday, Saturday and Sunday services, with no service on New Year's Day, Christmas Day and
Boxing Day (``calendar_dates.txt``). No randomness: the same county always gives the same
feed, byte for byte, and nothing else the county writes changes.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

from carezones.synthetic.builder import _Builder
from carezones.synthetic.geometry import _to_latlon
from carezones.synthetic.layout import _Place

_AGENCY = "SC"
_START, _END = "20250101", "20251231"
_HOLIDAYS = ("20250101", "20251225", "20251226")
_STAMP = (2025, 1, 1, 0, 0, 0)  # every member's time in the archive: byte-identical files
_METRES_PER_MINUTE = 30_000 / 60 / (4 / 3)  # 30 km/h along a road a third longer
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SERVICES = {"WK": (1, 1, 1, 1, 1, 0, 0), "SA": (0, 0, 0, 0, 0, 1, 0), "SU": (0, 0, 0, 0, 0, 0, 1)}


@dataclass
class _Route:
    route_id: str
    short: str
    long: str
    calls: list[list[int]]  # stop node ids of each direction, in order
    times: dict[str, list[list[int]]] = field(default_factory=dict)  # service -> minutes by dir


@dataclass
class _Stops:
    """The county's bus stops by place: node ids in the order they were built."""

    xy: dict[int, tuple[float, float]]
    names: dict[int, str]
    of: dict[int, list[int]]  # place index -> its stops


def _every(start: int, end: int, step: int) -> list[int]:
    """Minutes from ``start`` up to (not including) ``end`` every ``step``."""
    return list(range(start, end, step))


def _stops(b: _Builder, places: list[_Place]) -> _Stops:
    xy: dict[int, tuple[float, float]] = {}
    names: dict[int, str] = {}
    of: dict[int, list[int]] = {}
    centres = np.array([[p.x, p.y] for p in places])
    settled = np.array([p.kind in ("town", "village", "hamlet") for p in places])
    for nid, tags in sorted(b.node_tags.items()):
        if tags.get("highway") != "bus_stop":
            continue
        here = b.xy(nid)
        d = np.hypot(*(centres - here).T)
        d[~settled] = np.inf
        place = int(np.argmin(d))
        xy[nid] = (float(here[0]), float(here[1]))
        names[nid] = tags.get("name", f"Stop {nid}")
        of.setdefault(place, []).append(nid)
    return _Stops(xy, names, of)


def _minutes(stops: _Stops, a: int, b: int) -> int:
    (xa, ya), (xb, yb) = stops.xy[a], stops.xy[b]
    return max(2, math.ceil(math.hypot(xb - xa, yb - ya) / _METRES_PER_MINUTE))


def _routes(stops: _Stops, places: list[_Place]) -> list[_Route]:
    towns = [i for i, p in enumerate(places) if p.kind == "town" and i in stops.of]
    villages = [i for i, p in enumerate(places) if p.kind != "town" and i in stops.of]
    routes: list[_Route] = []
    by_size = sorted(towns, key=lambda i: (-places[i].grid, i))
    for rank, t in enumerate(by_size):
        own = stops.of[t]
        market = [n for n in own if stops.names[n] == "Market Place"]
        station = [n for n in own if stops.names[n] != "Market Place"]
        if len(market) < 2 or not station:
            continue
        step = (10, 12, 15)[min(rank, 2)] if rank < 3 else (12, 15)[rank % 2]
        day = [390, *_every(420, 1140, step), *_every(1140, 1381, 30), 1450]
        route = _Route(
            f"T{t}",
            f"{len(routes) + 1}",
            f"{places[t].name} Town Service",
            [[station[0], market[0]], [market[1], station[0]]],
        )
        half = step // 2
        route.times["WK"] = [day, [m + half for m in day]]
        route.times["SA"] = [_every(480, 1080, 20), _every(490, 1090, 20)]
        route.times["SU"] = [_every(600, 1020, 60), _every(630, 1050, 60)]
        routes.append(route)
    served: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    for t in towns:
        others = [u for u in towns if u != t]
        if others:
            near = min(others, key=lambda u: (math.dist(places[t].xy, places[u].xy), u))
            pairs.add((min(t, near), max(t, near)))
    for a, z in sorted(pairs):
        between = _villages_between(places, villages, a, z)
        served.update(between)
        out = [_market(stops, a, 0), *(stops.of[v][0] for v in between), _market(stops, z, 1)]
        back = [_market(stops, z, 0), *(stops.of[v][-1] for v in between[::-1])]
        back.append(_market(stops, a, 1))
        route = _Route(
            f"X{a}-{z}",
            f"X{len(routes) + 1}",
            " - ".join(places[i].name for i in (a, *between, z)),
            [out, back],
        )
        day = [*_every(420, 1140, 30), *_every(1140, 1321, 60)]
        route.times["WK"] = [day, [m + 15 for m in day]]
        route.times["SA"] = [_every(480, 1080, 60), _every(510, 1110, 60)]
        routes.append(route)
    for v in villages:
        if v in served or not towns:
            continue
        town = min(towns, key=lambda u: (math.dist(places[v].xy, places[u].xy), u))
        route = _Route(
            f"V{v}",
            f"{len(routes) + 1}",
            f"{places[v].name} - {places[town].name}",
            [
                [stops.of[v][0], _market(stops, town, 1)],
                [_market(stops, town, 0), stops.of[v][-1]],
            ],
        )
        if places[v].level == "large":
            route.times["WK"] = [_every(420, 1081, 120), _every(480, 1141, 120)]
            route.times["SA"] = [[540, 780, 960], [600, 840, 1020]]
        else:
            route.times["WK"] = [[570, 810], [750, 990]]
        routes.append(route)
    return routes


def _market(stops: _Stops, town: int, side: int) -> int:
    """Return a town's Market Place stop on one side of the High Street (else its first stop)."""
    market = [n for n in stops.of[town] if stops.names[n] == "Market Place"]
    return market[side] if len(market) > side else stops.of[town][0]


def _villages_between(places: list[_Place], villages: list[int], a: int, z: int) -> list[int]:
    """Villages with a stop within 800 m of the straight way from town ``a`` to ``z``, in order."""
    pa, pz = places[a].xy, places[z].xy
    d = pz - pa
    length2 = float(d @ d) or 1.0
    found = []
    for v in villages:
        f = float((places[v].xy - pa) @ d) / length2
        if 0.05 < f < 0.95 and float(np.hypot(*(pa + f * d - places[v].xy))) < 800:
            found.append((f, v))
    return [v for _, v in sorted(found)]


def _hms(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _csv(rows: Sequence[Sequence[object]]) -> str:
    return "".join(",".join(_cell(x) for x in row) + "\n" for row in rows)


def _cell(value: object) -> str:
    text = str(value)
    return f'"{text}"' if "," in text or '"' in text else text


def _write_gtfs(path: Path, b: _Builder, places: list[_Place]) -> int:
    """Write the county's bus timetable as a GTFS zip; return the number of routes."""
    stops = _stops(b, places)
    routes = _routes(stops, places)
    used = sorted({n for r in routes for calls in r.calls for n in calls})
    lat, lon = _to_latlon(
        np.array([stops.xy[n][0] for n in used]), np.array([stops.xy[n][1] for n in used])
    )
    place_of = {n: places[p].name for p, ns in stops.of.items() for n in ns}
    files: dict[str, Sequence[Sequence[object]]] = {
        "agency.txt": [
            ["agency_id", "agency_name", "agency_url", "agency_timezone"],
            [
                _AGENCY,
                "Synthetic County Buses (SYNTHETIC DATA)",
                "https://example.org",
                "Europe/London",
            ],
        ],
        "stops.txt": [["stop_id", "stop_name", "stop_desc", "stop_lat", "stop_lon"]]
        + [
            [f"N{n}", stops.names[n], place_of[n], f"{la:.7f}", f"{lo:.7f}"]
            for n, la, lo in zip(used, lat.tolist(), lon.tolist(), strict=True)
        ],
        "routes.txt": [
            ["route_id", "agency_id", "route_short_name", "route_long_name", "route_type"]
        ]
        + [[r.route_id, _AGENCY, r.short, r.long, 3] for r in routes],
        "calendar.txt": [["service_id", *_DAY_NAMES, "start_date", "end_date"]]
        + [[s, *days, _START, _END] for s, days in _SERVICES.items()],
        "calendar_dates.txt": [["service_id", "date", "exception_type"]]
        + [[s, d, 2] for d in _HOLIDAYS for s in _SERVICES],
    }
    trips: list[list[object]] = [["route_id", "service_id", "trip_id", "direction_id"]]
    times: list[list[object]] = [
        [
            "trip_id",
            "arrival_time",
            "departure_time",
            "stop_id",
            "stop_sequence",
            "pickup_type",
            "drop_off_type",
        ]
    ]
    for r in routes:
        for service, by_direction in r.times.items():
            for direction, starts in enumerate(by_direction):
                calls = r.calls[direction]
                legs = [0] + [_minutes(stops, a, z) for a, z in pairwise(calls)]
                at = np.cumsum(legs).tolist()
                for start in starts:
                    trip = f"{r.route_id}-{service}-{direction}-{start:04d}"
                    trips.append([r.route_id, service, trip, direction])
                    for k, (n, m) in enumerate(zip(calls, at, strict=True)):
                        t = _hms(start + int(m))
                        board = 1 if k == len(calls) - 1 else 0  # the last stop: set down only
                        alight = 1 if k == 0 else 0  # the first: pick up only
                        times.append([trip, t, t, f"N{n}", k + 1, board, alight])
    files["trips.txt"] = trips
    files["stop_times.txt"] = times
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, rows in files.items():
            info = zipfile.ZipInfo(name, date_time=_STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, _csv(rows))
    path.write_bytes(buffer.getvalue())
    return len(routes)
