"""From a visit log to legs: consecutive visits of one carer on one date, with model minutes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork, UrbanRule

__all__ = ["LEG_COLUMNS", "LegCounts", "log_legs"]

LEG_COLUMNS = [
    "carer_id",
    "date",
    "seq",
    "from_row",
    "to_row",
    "leg_class",
    "modelled_minutes",
    "observed_minutes",
]
"""The columns of the legs table :func:`log_legs` returns."""

CHUNK = 256  # origins per travel-time call


@dataclass(frozen=True)
class LegCounts:
    """What a log held, and which consecutive visits did not make a leg to fit on.

    Parameters
    ----------
    visits : int
        Rows of the log.
    carer_days : int
        Distinct (carer, date) pairs.
    consecutive : int
        Pairs of consecutive visits of one carer on one date.
    same_place : int
        Of which from a place to the same place (no journey).
    unroutable : int
        Of which between places the network cannot join (a place too far from any road).
    breaks : int
        Of which with a gap longer than the longest a journey is taken to be (a break between
        shifts, not a journey).
    legs : int
        The legs kept.

    Examples
    --------
    >>> from carezones.calibration import LegCounts
    >>> LegCounts(10, 2, 8, 1, 0, 1, 6).legs
    6
    """

    visits: int
    carer_days: int
    consecutive: int
    same_place: int
    unroutable: int
    breaks: int
    legs: int


def log_legs(
    log: gpd.GeoDataFrame, network: RoadNetwork, rule: UrbanRule, max_gap_minutes: float
) -> tuple[pd.DataFrame, LegCounts]:
    """Return the legs of a visit log and what was left out.

    A leg joins two consecutive visits of one carer on one date (in order of arrival): its
    observed minutes are the gap from leaving the first to arriving at the second, its model
    minutes the network's drive time between the two places by the built-in engine (the speed
    model zones, county plans and sites use; OSRM's own car profile is slower on lanes), without
    any travel profile. All
    the legs are computed together, one search per distinct starting place. Legs from a place
    to the same place, legs the network cannot route, and gaps over ``max_gap_minutes`` are
    left out and counted.

    Parameters
    ----------
    log : geopandas.GeoDataFrame
        The log, as :func:`~carezones.io.read_visit_log` returns it.
    network : RoadNetwork
        The drive network (its travel profile, if any, is not used).
    rule : DensityRule or AreaRule
        Which places are urban; a leg is urban when both ends are.
    max_gap_minutes : float
        The longest gap taken as a journey.

    Returns
    -------
    legs : pandas.DataFrame
        One row per leg (:data:`LEG_COLUMNS`): ``seq`` numbers the legs of a carer's date from
        1, ``from_row``/``to_row`` are the log's rows.
    counts : LegCounts
        What the log held and what was left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.io import read_visit_log
    >>> from carezones.network import DensityRule
    >>> log = read_visit_log(pd.DataFrame({
    ...     "carer_id": ["K1"] * 3, "date": ["2025-01-06"] * 3,
    ...     "lat": [54.3893, 54.3881, 54.3881], "lon": [1.5941, 1.5572, 1.5572],
    ...     "arrived": ["07:00", "07:50", "08:30"], "left": ["07:40", "08:20", "09:00"]}))
    >>> legs, counts = log_legs(log, net, DensityRule(1000, 10), 120)
    >>> legs[["seq", "leg_class", "observed_minutes"]]
       seq leg_class  observed_minutes
    0    1     rural              10.0
    >>> counts.same_place
    1
    """
    base = network.with_profile(None)
    n = len(log)
    carer = log["carer_id"].astype(str).to_numpy()
    date = log["date"].astype(str).to_numpy()
    arrived = _minutes(log["arrived"])
    left = _minutes(log["left"])
    rows = log["source_row"].to_numpy(dtype=np.int64)
    order = np.lexsort((rows, left, arrived, date, carer))
    carer, date, arrived, left, rows = (x[order] for x in (carer, date, arrived, left, rows))
    lonlat = np.column_stack([log.geometry.x.to_numpy(), log.geometry.y.to_numpy()])[order]
    places, place = np.unique(lonlat, axis=0, return_inverse=True)
    place = place.reshape(-1)
    carer_days = len(set(zip(carer.tolist(), date.tolist(), strict=True)))
    nxt = np.arange(1, n)
    prv = nxt - 1
    pair = (carer[prv] == carer[nxt]) & (date[prv] == date[nxt])
    prv, nxt = prv[pair], nxt[pair]
    same = place[prv] == place[nxt]
    a, b = place[prv[~same]], place[nxt[~same]]
    model = _pair_minutes(base, places, a, b)
    gap = arrived[nxt[~same]] - left[prv[~same]]
    routable = np.isfinite(model)
    journey = gap <= max_gap_minutes
    keep = routable & journey
    urban = base.urban_places(places, rule) if len(places) else np.zeros(0, dtype=bool)
    i, j = prv[~same][keep], nxt[~same][keep]
    leg_urban = urban[a[keep]] & urban[b[keep]]
    legs = pd.DataFrame(
        {
            "carer_id": carer[i],
            "date": date[i],
            "seq": _sequence(carer[i], date[i]),
            "from_row": rows[i],
            "to_row": rows[j],
            "leg_class": np.where(leg_urban, "urban", "rural"),
            "modelled_minutes": model[keep],
            "observed_minutes": gap[keep],
        }
    )
    counts = LegCounts(
        visits=n,
        carer_days=carer_days,
        consecutive=len(prv),
        same_place=int(same.sum()),
        unroutable=int((~routable).sum()),
        breaks=int((routable & ~journey).sum()),
        legs=len(legs),
    )
    return legs, counts


def _minutes(times: pd.Series) -> npt.NDArray[np.float64]:
    """Return date-times as minutes since 1970 (floats, to the second)."""
    values = np.asarray(pd.to_datetime(times).to_numpy(dtype="datetime64[s]"), dtype=np.int64)
    return np.asarray(values, dtype=np.float64) / 60.0


def _sequence(carer: npt.NDArray[np.str_], date: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    """Return the number of each leg within its (carer, date), in order, from 1."""
    n = len(carer)
    if not n:
        return np.zeros(0, dtype=np.int64)
    new = np.ones(n, dtype=bool)
    new[1:] = (carer[1:] != carer[:-1]) | (date[1:] != date[:-1])
    start = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    return (np.arange(n) - start + 1).astype(np.int64)


def _pair_minutes(
    network: RoadNetwork,
    places: npt.NDArray[np.float64],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """Return the model minutes from place ``a[k]`` to place ``b[k]`` for every pair.

    The distinct starting places are searched a chunk at a time, each chunk against the
    places its pairs reach only.
    """
    out = np.full(len(a), np.inf)
    if not len(a):
        return out
    origins = np.unique(a)
    for lo in range(0, len(origins), CHUNK):
        chunk = origins[lo : lo + CHUNK]
        mine = np.flatnonzero(np.isin(a, chunk))
        dests = np.unique(b[mine])
        table = network.travel_times(places[chunk], places[dests], engine="builtin")
        out[mine] = table[np.searchsorted(chunk, a[mine]), np.searchsorted(dests, b[mine])]
    return out
