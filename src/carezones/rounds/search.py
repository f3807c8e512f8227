"""The day's search engine: the model and its search, the exact schedule, repair and filling.

:func:`plan_day` runs steps 1-5 of :mod:`carezones.rounds` on a travel matrix already made and
returns :class:`~carezones.rounds.Rounds`; :func:`solve_day` runs steps 2-5 and returns the
routes before they are reported (a week and a re-plan build on it); :func:`build_rounds` turns
routes into the result. :func:`~carezones.rounds.plan_rounds`,
:func:`~carezones.rounds.replan_rounds` and :func:`~carezones.rounds.plan_week` sit above this
module and nothing here imports them.
"""

from __future__ import annotations

import math
import time as _time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError
from carezones.rounds.fewer import let_go
from carezones.rounds.improve import Budget, extra_costs, improve, worth_improving
from carezones.rounds.late import with_late_limits
from carezones.rounds.model import (
    Pin,
    Stop,
    Weights,
    eligible,
    fair_shares,
    impossible,
    solve,
)
from carezones.rounds.options import RoundsOptions
from carezones.rounds.pairs import unpaired_reasons
from carezones.rounds.reasons import CAPACITY, Cause, Reason
from carezones.rounds.rescue import rescue
from carezones.rounds.result import Rounds
from carezones.rounds.schedule import (
    Day,
    Routes,
    day_cost,
    lateness,
    repair,
    schedule,
    simulate,
)
from carezones.rounds.schedule import fill as fill_in
from carezones.rounds.tables import (
    continuity,
    itineraries,
    kpis,
    off_road_reason,
    stop_points,
    unserved_table,
    unused_shifts,
    utilisation,
)

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "DayData",
    "Solved",
    "build_rounds",
    "offer_lateness",
    "one_day",
    "plan_day",
    "report_day",
    "solve_day",
    "travel_minutes",
]


def one_day(visits: pd.DataFrame, carers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check that the visits are on one day and keep the carers' rows of that day.

    Raises
    ------
    ArgumentError
        When the visits span several days, or the carers' rows do and the visits say no day.
    """
    from carezones.io.days import days_in, same_day

    vdays = days_in(visits["day"]) if "day" in visits else []
    cdays = days_in(carers["day"]) if "day" in carers else []
    if len(vdays) > 1:
        raise ArgumentError(
            f"the visits are on {len(vdays)} days ({', '.join(vdays[:7])}"
            f"{'...' if len(vdays) > 7 else ''}): plan them with plan_week, or pick one day's "
            "rows"
        )
    if cdays and not vdays and len(cdays) > 1:
        raise ArgumentError(
            f"the carers' rows are on {len(cdays)} days but the visits have no day column: "
            "give the visits a day, or pick one day's carers"
        )
    if cdays and vdays:
        keep = [same_day(str(d), vdays[0]) for d in carers["day"]]
        carers = carers[keep].reset_index(drop=True)
    return visits, carers


def travel_minutes(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None,
    minutes: FloatArray | None,
) -> FloatArray:
    """Return the day's travel matrix (homes first), from the network or checked as given."""
    n = len(carers) + len(visits)
    if minutes is None:
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        minutes = network.travel_times(stop_points(visits, carers))
    T = np.asarray(minutes, dtype=float)
    if T.shape != (n, n):
        raise ValueError(f"minutes must be {(n, n)} (homes first, then visits)")
    return T


@dataclass(frozen=True)
class DayData:
    """A day to plan: its visits, the carers' shifts, the network and the travel matrix.

    Parameters
    ----------
    visits, carers : DataFrame
        The day's visits and the carers' shifts (one row each).
    network : RoadNetwork or None
        The drive network (legs along the roads, kilometres); ``None`` with a matrix alone.
    T : ndarray
        Travel minutes, the carers' homes (one per carer row) first, then the visits.

    Examples
    --------
    >>> day = DayData(rounds.visits, rounds.carers, None, rounds.minutes)
    >>> day.T.shape == (len(day.carers) + len(day.visits),) * 2
    True
    """

    visits: pd.DataFrame
    carers: pd.DataFrame
    network: RoadNetwork | None
    T: FloatArray


@dataclass(frozen=True)
class Solved:
    """A day solved but not yet reported: routes, breaks and why the others are unserved."""

    d: Day
    routes: Routes
    breaks: dict[int, int]
    reasons: dict[int, Reason]
    off_road: npt.NDArray[np.bool_]


def solve_day(
    day: DayData,
    opts: RoundsOptions,
    *,
    penalties: FloatArray | None = None,
    reasons: dict[int, Reason] | None = None,
    off_road: npt.NDArray[np.bool_] | None = None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
) -> Solved:
    """Run steps 2-5 of the plan: the model and its search, the exact schedule, repair and fill.

    Parameters
    ----------
    day : DayData
        The visits, carers' shifts, network and travel matrix.
    opts : RoundsOptions
        The search and its weights.
    penalties : ndarray, optional
        Carer row x visit: minutes the search is charged for that pair (continuity across a
        week, stability when re-planning).
    reasons : dict, optional
        Visits already known to be unservable, with their :class:`Reason`.
    off_road : ndarray, optional
        Which homes (first) and visits no route reaches (default: from the network).
    initial : list, optional
        Rounds to start the search from (each synchronising round then starts from the one
        before).
    halves : dict, optional
        The team's halves for double-handed visits
        (:func:`~carezones.rounds.model.team_halves`, default: this day's carers).

    Returns
    -------
    Solved
        The routes, breaks and the reason of every visit left out.

    Examples
    --------
    >>> got = solve_day(DayData(rounds.visits, rounds.carers, None, rounds.minutes),
    ...                 RoundsOptions(iterations=100))
    >>> len(got.routes) == len(rounds.carers), sorted(got.reasons) == [18]
    (True, True)
    """
    day = replace(day, visits=with_late_limits(day.visits, opts.max_late_minutes))
    visits, carers, network, T = day.visits, day.carers, day.network, day.T
    n_c = len(carers)
    reasons = {**impossible(visits, carers, T), **(reasons or {})}
    if off_road is None:
        off_road = _off_road(network, visits, carers, T)
    for far in np.flatnonzero(off_road[n_c:]).tolist():
        reasons[far] = off_road_reason(network, "the visit")
    d = Day.from_tables(visits, carers, T, same_carer_pairs=opts.same_carer_pairs)
    # half a pair is never served: a visit whose pair's other visit cannot be is left out too
    reasons.update(unpaired_reasons(d.pairs, visits["visit_id"].to_numpy(), reasons))
    todo = [j for j in range(len(visits)) if j not in reasons]
    targets = fair_shares(visits, carers, T, todo) if opts.balance > 0 else None
    # lateness costed or pairs: part of the time goes to improving on the exact objective
    improving = bool(todo) and opts.improve_share > 0
    improving = improving and worth_improving(d, opts.late_cost, opts.worst_late_cost, opts.balance)
    searching = opts
    if improving and opts.iterations is None:
        searching = replace(opts, time_limit=opts.time_limit * (1 - opts.improve_share))
    routes = _search(day, d, todo, searching, penalties, targets, initial, halves)
    routes, breaks, dropped = repair(visits, carers, d, routes)
    served = {j for r in routes for (j, _) in r}
    if opts.fill:
        ok, ids = eligible(visits, carers), carers["carer_id"].to_numpy()
        routes, breaks = fill_in(d, ok, ids, routes, breaks, [j for j in todo if j not in served])
        served = {j for r in routes for (j, _) in r}
        left = [j for j in todo if j not in served]
        routes, breaks = rescue(d, ok, ids, routes, breaks, left, penalties)
        served = {j for r in routes for (j, _) in r}
    if improving:
        budget = Budget(
            opts.time_limit * opts.improve_share,
            opts.iterations,
            opts.seed,
            opts.late_cost,
            opts.worst_late_cost,
        )
        better = improve(
            d,
            eligible(visits, carers),
            carers["carer_id"].to_numpy(),
            routes,
            [j for j in todo if j not in served] if opts.fill else [],
            extra_costs(visits, carers, opts.continuity_minutes, penalties),
            budget,
        )
        if better is not None:
            routes, breaks = better
            served = {j for r in routes for (j, _) in r}
    reasons.update({j: why for j, why in dropped.items() if j not in served})
    for j in todo:
        if j not in served and j not in reasons:
            reasons[j] = NO_ROOM
    # without filling, a visit left out for want of carers' time might use a carer's time
    short = any(reasons[j].cause in CAPACITY for j in todo if j not in served)
    if opts.let_go and (opts.fill or not short):
        ok, ids = eligible(visits, carers), carers["carer_id"].to_numpy()
        routes, breaks, _ = let_go(d, ok, ids, routes, breaks, opts.let_go)
    return Solved(d, routes, breaks, reasons, off_road)


NO_ROOM = Reason(Cause.NO_ROOM, "no room in any carer's round (windows, shifts and travel)")


def offer_lateness(day: DayData, hard: Solved, opts: RoundsOptions) -> Solved | None:
    """Give the visits a hard-window plan left out their lateness, on the exact schedule.

    The hard plan's rounds are kept (making room may move a visit to another carer, never
    leave one out); only the visits it left out are offered
    their ``max_late_minutes`` (the option's default where a visit gives none): they are put
    in by :func:`~carezones.rounds.schedule.fill`, then room is made for the rest by
    :func:`~carezones.rounds.rescue.rescue`, both on the soft-window day, so that every
    visit keeps its own limit, and breaks, shifts, double-handed partners and sequential
    pairs are fitted as the exact schedule fits them. With ``opts.iterations`` the result is
    deterministic; with a time limit instead, making room stops once ``opts.time_limit`` more
    seconds have passed.

    Parameters
    ----------
    day : DayData
        The day as planned with soft windows (the visits' own limits).
    hard : Solved
        The same day solved with every window hard (:func:`solve_day`).
    opts : RoundsOptions
        The soft-window options (``max_late_minutes`` the default limit).

    Returns
    -------
    Solved or None
        The rounds serving more visits than ``hard``, with the reason of every visit still
        left out; None when no left-out visit could be put in (or ``opts.fill`` is off).

    Examples
    --------
    >>> hard = solve_day(DayData(rounds.visits, rounds.carers, None, rounds.minutes),
    ...                  RoundsOptions(iterations=100))
    >>> soft = RoundsOptions(iterations=100, max_late_minutes=30.0)
    >>> got = offer_lateness(DayData(rounds.visits, rounds.carers, None, rounds.minutes),
    ...                      hard, soft)
    >>> got is None or sum(map(len, got.routes)) > sum(map(len, hard.routes))
    True
    """
    if not opts.fill:
        return None
    visits = with_late_limits(day.visits, opts.max_late_minutes)
    carers, T = day.carers, day.T
    n_c = len(carers)
    ids = visits["visit_id"].to_numpy()
    reasons = impossible(visits, carers, T)
    for far in np.flatnonzero(hard.off_road[n_c:]).tolist():
        reasons[far] = off_road_reason(day.network, "the visit")
    d = Day.from_tables(visits, carers, T, same_carer_pairs=opts.same_carer_pairs)
    reasons.update(unpaired_reasons(d.pairs, ids, reasons))
    served = {j for r in hard.routes for (j, _) in r}
    left = [j for j in range(len(visits)) if j not in served and j not in reasons]
    if not left:
        return None
    ok, carer_ids = eligible(visits, carers), carers["carer_id"].to_numpy()
    routes, breaks = fill_in(d, ok, carer_ids, hard.routes, hard.breaks, left)
    now = {j for r in routes for (j, _) in r}
    # making room is the costly part: with a time limit, it stops once that has passed again
    deadline = math.inf if opts.iterations is not None else _time.perf_counter() + opts.time_limit
    for v in left:
        if v not in now and _time.perf_counter() < deadline:
            routes, breaks = rescue(d, ok, carer_ids, routes, breaks, [v])
            now = {j for r in routes for (j, _) in r}
    breaks, _, broken = schedule(d, routes)
    if broken or len(now) <= len(served):
        return None
    # a visit no shift could reach in its hard window may now be reachable: no room instead
    hard_visits = visits.assign(max_late_minutes=0.0)
    was_impossible = impossible(hard_visits, carers, T)
    was_impossible.update(unpaired_reasons(d.pairs, ids, was_impossible))
    for j in range(len(visits)):
        if j not in now and j not in reasons:
            why = hard.reasons.get(j, NO_ROOM)
            reasons[j] = NO_ROOM if j in was_impossible else why
    return Solved(d, routes, breaks, reasons, hard.off_road)


def plan_day(
    day: DayData,
    opts: RoundsOptions,
    *,
    penalties: FloatArray | None = None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
    t0: float | None = None,
) -> Rounds:
    """Plan one day on a travel matrix already made (:func:`plan_rounds` without its checks).

    Parameters
    ----------
    day : DayData
        The visits, carers' shifts, network and travel matrix.
    opts : RoundsOptions
        The search and its weights.
    penalties, initial, halves : optional
        As for :func:`solve_day`.
    t0 : float, optional
        When planning began (``time.perf_counter()``), for the KPIs' seconds.

    Returns
    -------
    Rounds
        The day's rounds.

    Examples
    --------
    >>> day = DayData(rounds.visits, rounds.carers, None, rounds.minutes)
    >>> plan_day(day, RoundsOptions(iterations=100)).kpis["visits"]
    20
    """
    t0 = _time.perf_counter() if t0 is None else t0
    got = solve_day(day, opts, penalties=penalties, initial=initial, halves=halves)
    return report_day(day, got, opts, t0)


def report_day(day: DayData, got: Solved, opts: RoundsOptions, t0: float) -> Rounds:
    """Return the :class:`Rounds` of a day solved: its itineraries, reasons and KPIs.

    ``t0`` is when planning began (``time.perf_counter()``), for the KPIs' seconds.
    """
    itin = itineraries(day.visits, day.carers, got.d, got.routes, got.breaks, day.network)
    return build_rounds(
        day, itin, got.reasons, got.off_road, opts, seconds=_time.perf_counter() - t0
    )


def build_rounds(
    day: DayData,
    itin: pd.DataFrame,
    reasons: dict[int, Reason],
    off_road: npt.NDArray[np.bool_],
    opts: RoundsOptions,
    *,
    seconds: float,
    label: str = "",
) -> Rounds:
    """Return the :class:`Rounds` of a day's itineraries: unserved visits and the KPIs.

    ``label`` is the day's name in a week or a re-plan (``Mon``, ``2026-12-07``).
    """
    visits = with_late_limits(day.visits, opts.max_late_minutes)
    carers, network = day.carers, day.network
    unserved = unserved_table(visits, reasons)
    numbers = kpis(visits, itin, unserved, seconds)
    numbers["unused_shifts"] = unused_shifts(carers, itin, off_road[: len(carers)], network)
    numbers.update(utilisation(carers, itin))
    numbers.update(continuity(visits, itin))
    if opts.co2_kg_per_km is not None and numbers["travel_km"] is not None:
        numbers["co2_kg_per_km"] = opts.co2_kg_per_km
        numbers["co2_kg"] = numbers["travel_km"] * opts.co2_kg_per_km
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(
        itin,
        unserved,
        numbers,
        visits,
        carers,
        day.T,
        attribution=attribution,
        synthetic=synthetic,
        network=network,
        day=label,
        same_carer_pairs=opts.same_carer_pairs,
    )


def _off_road(
    network: RoadNetwork | None, visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray
) -> npt.NDArray[np.bool_]:
    """Which homes (first) and visits cannot be reached by road at all."""
    if network is not None:
        return np.asarray(network.snap(stop_points(visits, carers)).far, dtype=bool)
    cut = ~np.isfinite(T)
    np.fill_diagonal(cut, True)
    return cut.all(axis=0) & cut.all(axis=1)  # no way in and no way out


def _search(
    day: DayData,
    d: Day,
    todo: list[int],
    opts: RoundsOptions,
    penalties: FloatArray | None,
    targets: FloatArray | None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
) -> Routes:
    """Solve, then re-solve with the two carers of double-handed visits pinned together.

    The first search has most of the time; each re-solve an even share of the rest. When the
    double-handed visits start together before the rest is spent, the search goes on from
    its rounds for the time left, kept when it serves more or as many for no more travel
    (the charges of ``penalties`` and ``targets`` are not weighed in this comparison).
    """
    visits, carers = day.visits, day.carers
    t0 = _time.perf_counter()
    forced: dict[tuple[int, int], Pin] = {}
    routes: Routes = [[] for _ in range(len(carers))]
    sync_rounds = opts.sync_rounds
    rounds = 1 + max(sync_rounds, 0)
    has_doubles = bool((visits["carers_required"].iloc[todo] == 2).any()) if todo else False
    has_pairs = any(j in d.pairs.paired() for j in todo)
    first = 0.6 if (has_doubles or has_pairs) and sync_rounds > 0 else 1.0
    aims = _aims(d, initial) if has_doubles and initial is not None else None

    def run(rnd: int, seconds: float, start: Routes | None) -> Routes:
        iterations = None if opts.iterations is None else max(opts.iterations // rounds, 50)
        weights = Weights(
            continuity=opts.continuity_minutes,
            targets=targets,
            balance=opts.balance,
            penalties=penalties,
            initial=start,
            halves=halves,
            aims=aims,
            pairs=d.pairs if has_pairs else None,
            late_cost=opts.late_cost,
            worst_late_cost=opts.worst_late_cost,
        )
        return solve(
            visits, carers, d.T, todo, forced, Stop(seconds, opts.seed + rnd, iterations), weights
        )

    best: tuple[tuple[int, float], Routes] | None = None  # with pairs: the best round's
    if has_pairs:
        _narrow_pairs(d, todo, forced)
    for rnd in range(rounds):
        share = first if rnd == 0 else (1 - first) / max(sync_rounds, 1)
        routes = run(
            rnd, opts.time_limit * share, initial if rnd == 0 or initial is None else routes
        )
        unsynced = _pin_doubles(visits, d, todo, routes, forced)
        if has_pairs:
            kept = _kept(d, routes, opts)
            if best is None or kept < best[0]:
                best = (kept, routes)
            if _pin_pairs(d, todo, routes, forced):
                unsynced = True
        if not unsynced:
            break
    if best is not None:
        routes = best[1]
    left = opts.time_limit - (_time.perf_counter() - t0)
    if opts.iterations is None and todo and left >= 1.0:
        more = run(rounds, left, routes)
        if (
            not _pin_doubles(visits, d, todo, more, dict(forced))
            and not (has_pairs and _pin_pairs(d, todo, more, dict(forced)))
            and _score(d, more, opts) <= _score(d, routes, opts)
        ):
            routes = more
    return routes


def _aims(d: Day, initial: Routes) -> dict[int, float]:
    """Return visit row -> when the rounds searched from start each double-handed visit.

    Both carers aim at that time rather than the middle of the window, so that the rounds
    start from what worked (an earlier plan of the day, or the day before's) and the
    double-handed visits of a busy hour keep apart.
    """
    served = {q for r in initial for q in r}
    starts = simulate(d, initial, {})[0]
    # only a double-handed visit has a copy 1; both copies served, at a time that exists
    return {
        j: starts[(j, 0)]
        for (j, k) in served
        if k == 1 and (j, 0) in served and np.isfinite(starts.get((j, 0), np.inf))
    }


def _pin_doubles(
    visits: pd.DataFrame, d: Day, todo: list[int], routes: Routes, forced: dict[Any, Pin]
) -> bool:
    """Pin (in ``forced``) the start of each double-handed visit whose carers arrive apart.

    Return whether any did.
    """
    starts = simulate(d, routes, {})[0]
    unsynced = False
    for j in todo:
        if visits["carers_required"].iat[j] == 2 and (j, 0) in starts and (j, 1) in starts:
            a, b = starts[(j, 0)], starts[(j, 1)]
            if abs(a - b) > 1e-6:
                unsynced = True
                t = max(a, b)
                if t <= visits["window_end"].iat[j] + d.late[j]:
                    forced[(j, 0)] = forced[(j, 1)] = t
    return unsynced


def _pin_pairs(d: Day, todo: list[int], routes: Routes, forced: dict[Any, Pin]) -> bool:
    """Pin (in ``forced``) the sequential pairs the search timed out of their gaps, if it costs.

    The search times each visit on its own; the exact schedule keeps each pair's gap by
    pushing a visit later. Where that breaks a rule (a visit later than it may start, a pair
    that cannot be kept) or, with soft windows, makes visits later than the search timed
    them, each pair the search timed out of its gap gets its first visit pinned within
    :data:`PAIR_SLACK` minutes of the time the search gave it, and its second's window
    narrowed to the gap after that, so that the next search plans the rounds around both.
    Return whether it did.
    """
    kept, _, broken = simulate(d, routes, {})
    own = simulate(d.without_pairs(), routes, {})[0]
    if not broken:
        if not d.late.any():
            return False
        pushed = sum(lateness(d, kept).values()) - sum(lateness(d, own).values())
        if pushed <= 1e-6:
            return False
    ws, we = d.ws.tolist(), (d.we + d.late).tolist()  # the latest starts
    todo_set = set(todo)
    s = PAIR_SLACK
    for link in d.pairs.links:
        a, b = (link.first, 0), (link.second, 0)
        if link.first not in todo_set or a not in own or b not in own:
            continue
        if link.keeps(own[a], own[b]):
            continue
        t = own[a]
        lo, hi = max(t - s + link.lo, ws[link.second]), min(t + s + link.hi, we[link.second])
        if lo <= hi:
            forced[a] = (t - s, t + s) if s else t
            forced[b] = (lo, hi)
    return True


PAIR_SLACK = 2.0  # minutes either side of its time a pinned pair's first visit may start


def _narrow_pairs(d: Day, todo: list[int], forced: dict[Any, Pin]) -> None:
    """Narrow the windows of each sequential pair's visits to the times its gap leaves.

    The first starts no later than the second's window closes less the least gap, nor
    earlier than it opens less the greatest; the second likewise after the first. No plan
    that keeps the gap is lost, and the search no longer times a visit where its pair's
    other visit could not follow (or precede) it. A pair whose gap cannot be kept at all
    keeps its windows (the exact schedule leaves it out), and so does a pair of visits that
    may start late (the search weighs their lateness in steps).
    """
    ws, we, late = d.ws.tolist(), d.we.tolist(), d.late.tolist()
    todo_set = set(todo)
    for link in d.pairs.links:
        a, b = link.first, link.second
        if a not in todo_set or b not in todo_set or late[a] > 0 or late[b] > 0:
            continue
        lo_a, hi_a = max(ws[a], ws[b] - link.hi), min(we[a], we[b] - link.lo)
        lo_b, hi_b = max(ws[b], ws[a] + link.lo), min(we[b], we[a] + link.hi)
        if lo_a <= hi_a and lo_b <= hi_b:
            if (lo_a, hi_a) != (ws[a], we[a]):
                forced[(a, 0)] = (lo_a, hi_a)
            if (lo_b, hi_b) != (ws[b], we[b]):
                forced[(b, 0)] = (lo_b, hi_b)


def _kept(d: Day, routes: Routes, opts: RoundsOptions) -> tuple[int, float]:
    """Return rounds' (visits left out or breaking a rule, cost), the smaller the better.

    A visit of a pair breaking a rule counts with its pair's other visit; the cost is as in
    :func:`_score`.
    """
    _, _, broken = simulate(d, routes, {})
    bad = {j for _, _, j in broken if j >= 0}
    bad |= {p for j in bad if (p := d.pairs.partner(j)) is not None}
    served = sum(len(r) for r in routes) - sum(q[0] in bad for r in routes for q in r)
    return -served, day_cost(d, routes, opts.late_cost, opts.worst_late_cost)


def _score(d: Day, routes: Routes, opts: RoundsOptions) -> tuple[int, float]:
    """Return rounds' (visits left out, travel minutes), the smaller the better.

    Lateness, when weighed (``late_cost``, ``worst_late_cost``), counts as travel minutes
    (:func:`~carezones.rounds.schedule.day_cost`).
    """
    return -sum(len(r) for r in routes), day_cost(d, routes, opts.late_cost, opts.worst_late_cost)
