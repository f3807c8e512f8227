"""The tables of a plan: itineraries, unserved visits, carers per client and the KPIs.

:func:`itineraries` turns the exact day (:mod:`~carezones.rounds.schedule`) into one row per
stop, with the legs along the roads when there is a network; :func:`unserved_table` lists the
visits left out with their reasons; :func:`kpis`, :func:`utilisation`, :func:`continuity`,
:func:`carers_per_client` and :func:`continuity_kpis` measure the plan.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.rounds.reasons import Cause, Reason
from carezones.rounds.schedule import Day, Routes, Stop, simulate

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

COLUMNS = [
    "carer_id",
    "shift",
    "seq",
    "kind",
    "visit_id",
    "client_id",
    "arrival",
    "start",
    "end",
    "waiting_minutes",
    "late_minutes",
    "travel_minutes",
    "travel_km",
    "lon",
    "lat",
    "leg",
]


def stop_points(visits: pd.DataFrame, carers: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Return the lon/lat of the carers' homes (one per carer row) and then of the visits.

    Parameters
    ----------
    visits, carers : DataFrame
        The day.

    Returns
    -------
    ndarray
        Shape ``(len(carers) + len(visits), 2)``: the rows of the travel matrix.
    """
    return np.vstack(
        [
            np.column_stack([carers.geometry.x, carers.geometry.y]),
            np.column_stack([visits.geometry.x, visits.geometry.y]),
        ]
    )


def shift_numbers(carers: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Each carer row's shift number (1, 2, ... per carer), as itineraries number shifts.

    Parameters
    ----------
    carers : DataFrame
        One row per shift.

    Returns
    -------
    ndarray of int
        One number per carer row.
    """
    return np.asarray(carers.groupby("carer_id").cumcount().to_numpy() + 1, dtype=np.int64)


def itineraries(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    d: Day,
    routes: Routes,
    breaks: dict[int, int],
    network: RoadNetwork | None,
) -> pd.DataFrame:
    """One row per stop of every working shift, in order (the layout of ``Rounds.itineraries``).

    Parameters
    ----------
    visits, carers : DataFrame
        The tables (for ids and places).
    d : Day
        The day as arrays (for the times).
    routes, breaks
        The final rounds and their breaks (:func:`~carezones.rounds.schedule.repair`).
    network : RoadNetwork or None
        For each leg's kilometres and line along the roads (else a straight line, no km).

    Returns
    -------
    DataFrame
        ``carer_id, shift, seq, kind, visit_id, client_id, arrival, start, end,
        waiting_minutes, late_minutes, travel_minutes, travel_km, lon, lat, leg``
        (``late_minutes``: how long after its window closed a visit starts, else 0).
    """
    _, plans, _ = simulate(d, routes, breaks)
    return itinerary_rows(visits, carers, plans, network)


def itinerary_rows(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    plans: dict[int, list[Stop]],
    network: RoadNetwork | None,
) -> pd.DataFrame:
    """Return the itineraries of each carer row's stops (``Stop.loc``: homes, then visits).

    Parameters
    ----------
    visits, carers : DataFrame
        The tables (for ids and places).
    plans : dict
        Carer row -> its stops in order (a shift's start, visits, break, end).
    network : RoadNetwork or None
        For each leg's kilometres and line along the roads (else a straight line, no km).

    Returns
    -------
    DataFrame
        As :func:`itineraries`.
    """
    shift_no = shift_numbers(carers)
    pts = stop_points(visits, carers)
    moves = []
    for c in sorted(plans):
        prev = c
        for s in plans[c]:
            if s.loc != prev:
                moves.append((prev, s.loc))
            prev = s.loc
    found = {}  # every leg of the day's rounds, searched together (one search per origin)
    if network is not None and moves:
        legs = np.array(sorted(set(moves)), dtype=np.int64)
        found = dict(zip(map(tuple, legs.tolist()), network.routes(pts, legs), strict=True))
    # plain arrays: reading a (Geo)DataFrame cell by cell costs more than the rest of the loop
    carer_ids = carers["carer_id"].to_numpy()
    visit_ids = visits["visit_id"].to_numpy()
    client_ids = visits["client_id"].to_numpy()
    closes = visits["window_end"].to_numpy(dtype=float)
    rows = []
    for c in sorted(plans):
        prev = c
        for seq, s in enumerate(plans[c]):
            km, leg = 0.0, None
            if s.loc != prev:
                km = np.nan
                if network is not None:
                    r = found[(prev, s.loc)]
                    km, leg = r.metres / 1000, r.geometry
                if leg is None and np.isfinite(pts[prev]).all() and np.isfinite(pts[s.loc]).all():
                    leg = shapely.LineString([pts[prev], pts[s.loc]])  # none without places
            j = s.copy[0] if s.copy else None
            rows.append(
                {
                    "carer_id": carer_ids[c],
                    "shift": int(shift_no[c]),
                    "seq": seq,
                    "kind": s.kind,
                    "visit_id": visit_ids[j] if j is not None else "",
                    "client_id": client_ids[j] if j is not None else "",
                    "arrival": s.arrival,
                    "start": s.start,
                    "end": s.end,
                    "waiting_minutes": max(s.start - s.arrival, 0.0) if s.kind == "visit" else 0.0,
                    "late_minutes": max(s.start - closes[j], 0.0) if j is not None else 0.0,
                    "travel_minutes": s.travel,
                    "travel_km": km,
                    "lon": float(pts[s.loc, 0]),
                    "lat": float(pts[s.loc, 1]),
                    "leg": leg,
                }
            )
            prev = s.loc
    return pd.DataFrame(rows, columns=COLUMNS)


def kpis(
    visits: pd.DataFrame, itin: pd.DataFrame, unserved: pd.DataFrame, seconds: float
) -> dict[str, Any]:
    """Return the plan-level numbers: visits served, care, travel, waiting, punctuality.

    Parameters
    ----------
    visits : DataFrame
        The day's visits.
    itin : DataFrame
        The itineraries (:func:`itineraries`).
    unserved : DataFrame
        ``visit_id, reason, cause``.
    seconds : float
        How long planning took.

    Returns
    -------
    dict
        ``visits, visits_served, visits_unserved, carers_used, care_minutes, travel_minutes,
        waiting_minutes, working_minutes, travel_share_of_working_time,
        travel_minutes_per_care_hour, travel_km, mean_minutes_after_window_opens,
        visits_late, late_minutes_total, late_minutes_worst, seconds`` (a visit's lateness:
        the minutes it starts after its window closes, a double-handed visit counted once).
    """
    v = itin[itin.kind == "visit"]
    working = itin.groupby(["carer_id", "shift"]).agg(a=("start", "min"), b=("end", "max"))
    work = float((working.b - working.a).sum()) if len(working) else 0.0
    care = float((v.end - v.start).sum())
    travel = float(itin.travel_minutes.sum())
    ws = visits.set_index("visit_id")["window_start"]
    after = (v.start - v.visit_id.map(ws)).to_numpy(dtype=float)
    has = len(v) and "late_minutes" in v
    late = v.groupby("visit_id")["late_minutes"].max() if has else pd.Series(dtype=float)
    late = late[late > 1e-6]
    return {
        "visits": len(visits),
        "visits_served": len(visits) - len(unserved),
        "visits_unserved": len(unserved),
        "carers_used": int(v.carer_id.nunique()),
        "care_minutes": care,
        "travel_minutes": travel,
        "waiting_minutes": float(v.waiting_minutes.sum()),
        "working_minutes": work,
        "travel_share_of_working_time": travel / work if work else 0.0,
        "travel_minutes_per_care_hour": 60 * travel / care if care else 0.0,
        "travel_km": float(itin.travel_km.sum(min_count=1))
        if itin.travel_km.notna().any()
        else None,
        "mean_minutes_after_window_opens": float(after.mean()) if len(after) else 0.0,
        "visits_late": len(late),
        "late_minutes_total": float(late.sum()),
        "late_minutes_worst": float(late.max()) if len(late) else 0.0,
        "seconds": round(seconds, 2),
    }


def utilisation(carers: pd.DataFrame, itin: pd.DataFrame) -> dict[str, float]:
    """Working time (first departure to return) as a share of each shift's length.

    Shifts without a visit count as 0.

    Parameters
    ----------
    carers : DataFrame
        One row per shift.
    itin : DataFrame
        The itineraries (:func:`itineraries`).

    Returns
    -------
    dict
        ``shift_utilisation_max``, ``shift_utilisation_min`` and ``shift_utilisation_sd``.
    """
    rows = pd.MultiIndex.from_arrays([carers["carer_id"], shift_numbers(carers)])
    length = (carers["shift_end"] - carers["shift_start"]).to_numpy(dtype=float)
    spans = itin.groupby(["carer_id", "shift"]).agg(a=("start", "min"), b=("end", "max"))
    worked = pd.MultiIndex.from_frame(
        itin.loc[itin.kind == "visit", ["carer_id", "shift"]].drop_duplicates()
    )
    used = (spans.b - spans.a).reindex(worked).reindex(rows, fill_value=0.0).to_numpy(float)
    share = used / np.where(length > 0, length, 1.0)
    return {
        "shift_utilisation_max": float(share.max()) if len(share) else 0.0,
        "shift_utilisation_min": float(share.min()) if len(share) else 0.0,
        "shift_utilisation_sd": float(share.std()) if len(share) else 0.0,
    }


def continuity(visits: pd.DataFrame, itin: pd.DataFrame) -> dict[str, float | None]:
    """Return the share of visits with preferred carers that one of them makes.

    Parameters
    ----------
    visits : DataFrame
        The day's visits (``preferred_carers``: sets of carer ids, possibly empty).
    itin : DataFrame
        The itineraries (:func:`itineraries`).

    Returns
    -------
    dict
        ``visits_by_a_preferred_carer`` (``None`` when no such visit is served), or empty when
        no visit has preferred carers.
    """
    if not ("preferred_carers" in visits and visits["preferred_carers"].map(len).gt(0).any()):
        return {}
    pref = dict(zip(visits["visit_id"], visits["preferred_carers"], strict=True))
    v = itin[itin.kind == "visit"]
    wanted = v[v.visit_id.map(lambda x: bool(pref[x]))]
    known = [c in pref[x] for x, c in zip(wanted.visit_id, wanted.carer_id, strict=True)]
    return {"visits_by_a_preferred_carer": float(np.mean(known)) if known else None}


def off_road_reason(network: Any, what: str) -> Reason:
    """Say why a point no route reaches is left out (far from every road, or cut off)."""
    if network is not None:
        return Reason(
            Cause.OFF_ROAD,
            f"{what} is more than {network.max_snap_m:.0f} m from any road, so no route reaches "
            "it; check its location",
        )
    return Reason(
        Cause.OFF_ROAD,
        f"no route reaches {what} in the travel matrix (every time to and from it is inf)",
    )


def unused_shifts(
    carers: pd.DataFrame, itin: pd.DataFrame, off_road: npt.NDArray[np.bool_], network: Any
) -> list[dict[str, Any]]:
    """Return each shift given no visit, with the reason when it could not work at all.

    Parameters
    ----------
    carers : DataFrame
        The shifts.
    itin : DataFrame
        The itineraries.
    off_road : ndarray of bool
        Per shift: whether its home cannot be reached by road.
    network : RoadNetwork or None
        The network (for the distance in the reason).

    Returns
    -------
    list of dict
        ``carer_id``, ``shift_start`` (HH:MM), ``cause`` (``off_road`` when no route reaches
        the carer's home, else ``idle``) and ``reason`` of every idle shift.
    """
    from carezones.io.visits import hhmm

    visited = itin[itin["kind"] == "visit"]
    busy = set(zip(visited["carer_id"].astype(str), visited["shift"], strict=True))
    numbers = shift_numbers(carers)
    out = []
    for i, (cid, start) in enumerate(zip(carers["carer_id"], carers["shift_start"], strict=True)):
        if (str(cid), int(numbers[i])) in busy:
            continue
        if off_road[i]:
            why = off_road_reason(network, "the carer's home")
            cause, text = str(why.cause), why.text
        else:
            cause, text = "idle", "no visit was given to this shift (the others covered the day)"
        out.append(
            {
                "carer_id": str(cid),
                "shift_start": hhmm(float(start)),
                "cause": cause,
                "reason": text,
            }
        )
    return out


def unserved_table(visits: pd.DataFrame, reasons: dict[int, Reason]) -> pd.DataFrame:
    """Return ``visit_id, reason, cause`` of every unserved visit, in the visits' order.

    Parameters
    ----------
    visits : DataFrame
        The day's visits.
    reasons : dict
        Visit row -> its :class:`~carezones.rounds.reasons.Reason`.

    Returns
    -------
    DataFrame
        One row per unserved visit: its id, the sentence and the cause (a
        :class:`~carezones.rounds.reasons.Cause` value).
    """
    rows = sorted(reasons)
    return pd.DataFrame(
        {
            "visit_id": [visits["visit_id"].iat[j] for j in rows],
            "reason": [reasons[j].text for j in rows],
            "cause": pd.Series([str(reasons[j].cause) for j in rows], dtype=object),
        }
    )


def carers_per_client(itin: pd.DataFrame) -> pd.DataFrame:
    """Per client: the visits served, the distinct carers who made them, and their ids.

    Parameters
    ----------
    itin : DataFrame
        Itineraries (of a day or a week): ``kind``, ``client_id``, ``carer_id``.

    Returns
    -------
    DataFrame
        ``client_id, visits, carers, carer_ids`` (``;``-separated), fewest carers first.
    """
    v = itin[itin["kind"] == "visit"]
    if not len(v):
        return pd.DataFrame(columns=["client_id", "visits", "carers", "carer_ids"])
    key = "visit_id" if "day" not in v else ["day", "visit_id"]
    g = v.groupby("client_id", sort=True)
    out = pd.DataFrame(
        {
            "visits": g.apply(lambda x: len(x.drop_duplicates(key)), include_groups=False),
            "carers": g["carer_id"].nunique(),
            "carer_ids": g["carer_id"].agg(lambda s: ";".join(sorted(set(map(str, s))))),
        }
    ).reset_index()
    return out.sort_values(["carers", "client_id"], kind="stable").reset_index(drop=True)


def continuity_kpis(itin: pd.DataFrame) -> dict[str, Any]:
    """Return the distinct carers per client: mean, 90th percentile, most, and the distribution."""
    per = carers_per_client(itin)["carers"].to_numpy(dtype=float)
    if not len(per):
        return {
            "carers_per_client_mean": 0.0,
            "carers_per_client_p90": 0.0,
            "carers_per_client_max": 0,
            "carers_per_client": {},
        }
    counts = pd.Series(per.astype(int)).value_counts().sort_index()
    return {
        "carers_per_client_mean": float(per.mean()),
        "carers_per_client_p90": float(np.percentile(per, 90)),
        "carers_per_client_max": int(per.max()),
        "carers_per_client": {str(k): int(n) for k, n in counts.items()},
    }


def stack_days(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return tables of several days as one, with the day as the first column."""
    parts = [t.assign(day=d)[["day", *t.columns]] for d, t in tables.items()]
    if not parts:
        return pd.DataFrame({"day": []})
    return pd.concat(parts, ignore_index=True)
