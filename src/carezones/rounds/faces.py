"""Fewer faces over a week: a carer a client meets on a few days hands those visits on.

After a week's searches (:func:`~carezones.rounds.plan_week`), a carer who serves a client on
three days of the week or fewer (:data:`MOST_DAYS`) is a face the client meets rarely. When those
days' visits of the client can go instead to carers who serve the client on other days (or
at other times of the day), within every rule and for less added travel than the week's
weight, they are moved: one face fewer for at most ``weight`` minutes of travel. Each move
puts each visit where it adds least travel, and is kept only when the whole day's exact
schedule still keeps every rule. The search weighs faces visit by visit; this counts them as
the week's KPI does, per client.

Double-handed visits are left where they are (their two carers start together), and so are
the visits of sequential pairs (each within its gap of the other). The order of the moves is
fixed, so the result is deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.rounds.schedule import Day, Routes, detour, round_times, schedule, simulate

__all__ = ["MOST_DAYS", "DayPlan", "fewer_faces"]

MOST_DAYS = 3  # a face seen on this many days of the week or fewer may hand its visits on


@dataclass
class DayPlan:
    """One day of a week as :func:`fewer_faces` changes it (the routes are replaced in place).

    Parameters
    ----------
    visits, carers : DataFrame
        The day's visits (``client_id``) and carer rows (``carer_id``).
    d : Day
        The same day as arrays (:class:`~carezones.rounds.schedule.Day`).
    routes : list of list of tuple
        Each carer row's ``(visit row, copy)`` pairs in order.
    breaks : dict
        Carer row -> where in its route the break is taken.
    ok : ndarray of bool
        Carer row x visit: may the carer make it.

    Examples
    --------
    >>> import dataclasses
    >>> [f.name for f in dataclasses.fields(DayPlan)]
    ['visits', 'carers', 'd', 'routes', 'breaks', 'ok']
    """

    visits: pd.DataFrame
    carers: pd.DataFrame
    d: Day
    routes: Routes
    breaks: dict[int, int]
    ok: npt.NDArray[np.bool_]


def fewer_faces(days: dict[str, DayPlan], weight: float, rounds: int = 2) -> set[str]:
    """Hand on the visits of faces a client meets on a few days, where that is worth it.

    Parameters
    ----------
    days : dict
        Each day's label -> its :class:`DayPlan`; changed in place.
    weight : float
        The travel minutes one face fewer is worth (the week's ``continuity_minutes``).
    rounds : int
        How many times to go over every client's faces.

    Returns
    -------
    set of str
        The days whose rounds changed.

    Examples
    --------
    Carer A makes client C's morning call and B their lunch call; B can make both:

    >>> import numpy as np, pandas as pd
    >>> from carezones.rounds.schedule import Day, schedule
    >>> visits = pd.DataFrame({"client_id": ["C", "C"], "window_start": [480, 720],
    ...                        "window_end": [540, 780], "duration_minutes": [30, 30],
    ...                        "carers_required": [1, 1]})
    >>> carers = pd.DataFrame({"carer_id": ["A", "B"], "shift_start": 420, "shift_end": 900,
    ...                        "break_minutes": np.nan, "break_window_start": np.nan,
    ...                        "break_window_end": np.nan, "max_minutes": np.inf})
    >>> T = np.array([[0, 10, 5, 5], [10, 0, 5, 5], [5, 5, 0, 0], [5, 5, 0, 0]], dtype=float)
    >>> d = Day.from_tables(visits, carers, T)
    >>> routes = [[(0, 0)], [(1, 0)]]
    >>> mon = DayPlan(visits, carers, d, routes, schedule(d, routes)[0], np.ones((2, 2), bool))
    >>> fewer_faces({"Mon": mon}, weight=8.0), mon.routes
    ({'Mon'}, [[], [(0, 0), (1, 0)]])
    """
    changed: set[str] = set()
    if weight <= 0:
        return changed
    names = {day: _names(x) for day, x in days.items()}
    faces: dict[str, dict[str, set[str]]] = {}  # client -> carer -> the days they serve them
    for day, x in days.items():
        clients, ids = names[day]
        for r, route in enumerate(x.routes):
            for j, _ in route:
                faces.setdefault(clients[j], {}).setdefault(ids[r], set()).add(day)
    for _ in range(rounds):
        moved = 0
        for client in sorted(faces):
            for carer in sorted(faces[client]):
                on = sorted(faces[client].get(carer, set()))
                if not on or len(on) > MOST_DAYS:
                    continue
                others = {k for k in faces[client] if k != carer}
                left, moves = weight, []
                for day in on:
                    got = _hand_on(days[day], names[day], client, carer, others, left)
                    if got is None:
                        break
                    moves.append((day, got))
                    left -= got[3]
                if len(moves) < len(on):
                    continue
                for day, (takers, routes, breaks, _) in moves:
                    days[day].routes, days[day].breaks = routes, breaks
                    for k in takers:
                        faces[client].setdefault(k, set()).add(day)
                    changed.add(day)
                del faces[client][carer]
                moved += 1
        if not moved:
            break
    return changed


def _names(x: DayPlan) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """Return each visit's client and each carer row's carer, as strings."""
    return (
        x.visits["client_id"].astype(str).to_numpy(),
        x.carers["carer_id"].astype(str).to_numpy(),
    )


def _hand_on(
    x: DayPlan,
    names: tuple[npt.NDArray[Any], npt.NDArray[Any]],
    client: str,
    carer: str,
    others: set[str],
    weight: float,
) -> tuple[set[str], Routes, dict[int, int], float] | None:
    """Move ``client``'s visits by ``carer`` on this day to carers in ``others``.

    Return the carers who take them, the day's new routes and breaks and the travel
    minutes added; or None when some visit has nowhere to go, the move would add
    ``weight`` minutes of travel or more, or the whole day would break a rule.
    """
    clients, ids = names
    d, n_c, T = x.d, x.d.n_c, x.d.T
    moving = [
        (r, q)
        for r in range(n_c)
        if ids[r] == carer
        for q in x.routes[r]
        if clients[q[0]] == client
    ]
    targets = [r for r in range(n_c) if ids[r] in others]
    if not moving or not targets or any(d.req[j] == 2 for _, (j, _) in moving):
        return None
    if any(d.pairs.link(j) is not None for _, (j, _) in moving):
        return None
    routes = [list(route) for route in x.routes]
    added = 0.0
    for r, q in moving:
        p = routes[r].index(q)
        added -= detour(T, n_c, r, routes[r][:p] + routes[r][p + 1 :], p, q[0])
        routes[r].pop(p)
    starts = simulate(d, routes, x.breaks)[0]
    paired = d.pairs.paired()
    forced = {q: t for q, t in starts.items() if d.req[q[0]] == 2 or q[0] in paired}
    takers: set[str] = set()
    for _, (j, _) in moving:
        best: tuple[float, int, int] | None = None
        for r in targets:
            if not x.ok[r, j]:
                continue
            for p in range(len(routes[r]) + 1):
                extra = detour(T, n_c, r, routes[r], p, j)
                if not np.isfinite(extra) or added + extra >= weight:
                    continue
                if best is not None and extra >= best[0]:
                    continue
                trial = [*routes[r][:p], (j, 0), *routes[r][p:]]
                if not round_times(d, r, trial, None, forced)[1]:
                    best = (extra, r, p)
        if best is None:
            return None
        added += best[0]
        routes[best[1]].insert(best[2], (j, 0))
        takers.add(str(ids[best[1]]))
    if added >= weight - 1e-9:
        return None
    breaks, _, broken = schedule(d, routes)
    if broken:
        return None
    return takers, routes, breaks, added
