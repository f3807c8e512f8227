"""From weekly hours to a day's visits: the calls a typical day holds for each client.

Councils hold weekly hours per client; rounds need visits with times of day and durations.
:func:`visits_from_hours` turns hours into a typical weekday's calls by a documented pattern
(:class:`CarePattern`); every default is either sourced or called an assumption below. When a
real visits file is given, it is used instead (joined to the clients by ``client_id``).

The pattern, for a client receiving ``h`` hours a week:

1. **Minutes a day**: ``h * 60 / 7`` (care is spread over the seven days of the week; an
   assumption, which suits personal care for older people).
2. **Calls a day**: as many calls of at least ``min_call_minutes`` as the minutes allow, from 1
   to ``max_calls`` (4: morning, lunch, tea and bed, the usual home-care day in England). The
   30-minute floor follows NICE guideline NG21, *Home care: delivering personal care and
   practical support to older people living in their own homes* (2015), recommendation 1.4.7:
   visits shorter than half an hour only in stated circumstances.
3. **Clients with less than a call a day** (fewer than ``min_call_minutes * 7 / 60`` hours,
   i.e. 3.5 hours a week) get one call of ``min_call_minutes`` on some days: whether today is
   one of them is drawn with the probability that keeps their weekly hours (seeded).
4. **Times of day**: the calls take the day's slots in the order of :attr:`CarePattern.slots`
   for their number (1: morning; 2: morning and bed; 3: morning, lunch and bed; 4: all). Each
   slot's window bounds the call's start (assumption: 2 hours for morning and bed, 1.5 for lunch
   and tea, a spread of start times within each slot, deterministic for the seed).
5. **Two carers**: clients with at least ``double_handed_hours`` a week (assumption: 21 hours,
   3 hours a day, a package that usually means help to move) need two carers at their morning
   and bed calls. Each carer's time counts as care (as councils commission it): a
   double-handed 30-minute call is one hour of care, so the calls are shorter and the client's
   weekly hours are kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carezones.errors import ArgumentError, check_integer, check_number
from carezones.io import hhmm

__all__ = ["CarePattern", "visits_from_hours"]


@dataclass(frozen=True)
class CarePattern:
    """How weekly hours become a typical day's calls (see the module docstring for sources).

    Parameters
    ----------
    min_call_minutes : float, default 30.0
        The shortest call (NICE NG21: at least half an hour).
    max_calls : int, default 4
        The most calls in a day (morning, lunch, tea, bed).
    slots : tuple of (name, earliest start, latest start, window minutes), optional
        The day's slots in the order calls take them, times as ``HH:MM``; a call's window
        opens at a start drawn between earliest and latest (on the quarter hour) and lasts
        ``window minutes``.
    order : tuple of tuple of str, optional
        Which slots a client with 1, 2, 3 or 4 calls gets (the first tuple for one call).
    double_handed_hours : float, default 21.0
        Weekly hours from which the morning and bed calls need two carers (an assumption).
    days_per_week : int, default 7
        The days the weekly hours are spread over.

    Raises
    ------
    ArgumentError
        When a number is out of range, or ``order`` does not name the slots for 1 to
        ``max_calls`` calls.

    Examples
    --------
    >>> CarePattern(max_calls=2).order[:2]
    (('morning',), ('morning', 'bed'))
    >>> CarePattern(max_calls=5)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: order must give the slots for 1 to 5 calls
    """

    min_call_minutes: float = 30.0
    max_calls: int = 4
    slots: tuple[tuple[str, str, str, float], ...] = (
        ("morning", "07:00", "08:30", 120.0),
        ("lunch", "11:45", "12:45", 90.0),
        ("tea", "16:15", "17:15", 90.0),
        ("bed", "19:00", "20:30", 120.0),
    )
    order: tuple[tuple[str, ...], ...] = (
        ("morning",),
        ("morning", "bed"),
        ("morning", "lunch", "bed"),
        ("morning", "lunch", "tea", "bed"),
    )
    double_handed_hours: float = 21.0
    days_per_week: int = 7

    def __post_init__(self) -> None:
        check_number("min_call_minutes", self.min_call_minutes, minimum=5)
        check_integer("max_calls", self.max_calls, minimum=1)
        check_number("double_handed_hours", self.double_handed_hours, minimum=0)
        check_integer("days_per_week", self.days_per_week, minimum=1)
        if len(self.order) < self.max_calls:
            raise ArgumentError(f"order must give the slots for 1 to {self.max_calls} calls")
        names = {s[0] for s in self.slots}
        for k, chosen in enumerate(self.order[: self.max_calls], start=1):
            if len(chosen) != k or not set(chosen) <= names:
                raise ArgumentError(f"order[{k - 1}] must name {k} of the slots {sorted(names)}")


def visits_from_hours(
    clients: pd.DataFrame,
    *,
    pattern: CarePattern | None = None,
    seed: int = 0,
    visits: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return a typical weekday's visits for clients with weekly hours (or their real visits).

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`: ``client_id``, ``hours_per_week``, geometry.
    pattern : CarePattern, optional
        How hours become calls (the defaults are sourced or stated as assumptions in
        :mod:`carezones.county.demand`).
    seed : int, default 0
        Seed for the start times and for which low-hours clients have a call today.
    visits : pandas.DataFrame, optional
        Real visits (from :func:`carezones.read_visits`) to use instead; every visit's
        ``client_id`` must be one of the clients', and its location is the client's.

    Returns
    -------
    pandas.DataFrame
        Visits in the layout :func:`carezones.read_visits` reads (``visit_id, client_id, lat,
        lon, window_start, window_end`` as ``HH:MM``, ``duration_minutes, carers_required,
        skills``), ordered by client then time of day.

    Raises
    ------
    ArgumentError
        When ``seed`` is not a whole number of at least 0, or a real visit names a client
        that is not among the clients.

    Examples
    --------
    >>> import geopandas as gpd
    >>> clients = gpd.GeoDataFrame({"client_id": ["a", "b"], "hours_per_week": [3.5, 28.0]},
    ...     geometry=gpd.points_from_xy([-0.7, -0.71], [52.6, 52.61]), crs=4326)
    >>> day = visits_from_hours(clients)
    >>> care = day.duration_minutes * day.carers_required  # carer minutes
    >>> care.groupby(day.client_id).sum().to_dict()  # 3.5 h and 28 h a week, a day of each
    {'a': 30, 'b': 240}
    >>> day[day.client_id == "b"].carers_required.tolist()
    [2, 1, 1, 2]
    """
    pattern = pattern or CarePattern()
    seed = check_integer("seed", seed, minimum=0)
    if visits is not None:
        return _real_visits(clients, visits)
    rng = np.random.default_rng(seed)
    slots = {name: (_minutes(a), _minutes(b), w) for name, a, b, w in pattern.slots}
    rows: list[dict[str, Any]] = []
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lon, lat = clients.geometry.x.to_numpy(), clients.geometry.y.to_numpy()
    draws = rng.random(len(ids))  # one per client, so that each client's day is stable
    for i in range(len(ids)):
        daily = hours[i] * 60.0 / pattern.days_per_week
        if daily <= 0:
            continue
        if daily < pattern.min_call_minutes:
            if draws[i] >= daily / pattern.min_call_minutes:
                continue  # no call today: the week's calls fall on other days
            n, length = 1, float(pattern.min_call_minutes)
        else:
            n = min(max(math.floor(daily / pattern.min_call_minutes), 1), pattern.max_calls)
            length = 0.0  # set below, once the double-handed calls are known
        double = hours[i] >= pattern.double_handed_hours
        chosen = pattern.order[n - 1]
        two = {s for s in chosen if double and s in ("morning", "bed")}
        if length == 0.0:
            length = daily / (n + len(two))  # each carer's time is care: hours are kept
        for slot in chosen:
            lo, hi, width = slots[slot]
            start = lo + 15 * int(rng.integers(0, int((hi - lo) // 15) + 1))
            rows.append(
                {
                    "visit_id": f"{ids[i]}-{slot}",
                    "client_id": ids[i],
                    "lat": lat[i],
                    "lon": lon[i],
                    "window_start": hhmm(start),
                    "window_end": hhmm(start + width),
                    "duration_minutes": max(round(length), 1),
                    "carers_required": 2 if slot in two else 1,
                    "skills": "",
                }
            )
    columns = [
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
    return pd.DataFrame(rows, columns=columns)


def _minutes(text: str) -> float:
    h, m = text.split(":")
    return int(h) * 60.0 + int(m)


def _real_visits(clients: pd.DataFrame, visits: pd.DataFrame) -> pd.DataFrame:
    """Use a real visits table: every visit's client must be known; it is placed at its home."""
    known = set(clients["client_id"].astype(str))
    cid = visits["client_id"].astype(str)
    unknown = visits.loc[~cid.isin(known)]
    if len(unknown):
        rows = unknown["source_row"].tolist()[:10] if "source_row" in unknown else []
        raise ArgumentError(
            f"{len(unknown)} visit(s) name a client_id that is not among the clients "
            f"(rows {rows}, ids {cid[~cid.isin(known)].unique()[:5].tolist()}): check the "
            "visits file against the clients file"
        )
    out = visits.copy()
    home = clients.set_index(clients["client_id"].astype(str)).geometry
    out["lon"] = cid.map(home.x).to_numpy()
    out["lat"] = cid.map(home.y).to_numpy()
    for col in ("window_start", "window_end"):
        if pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].map(hhmm)
    if "skills" in out:
        out["skills"] = out["skills"].map(
            lambda s: ";".join(sorted(s)) if isinstance(s, frozenset | set) else s
        )
    keep = [
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
    return out[[c for c in keep if c in out.columns]].reset_index(drop=True)
