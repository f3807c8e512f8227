"""Carers' daily rounds: who visits whom, in what order, arriving when, over real roads.

:func:`read_visits` and :func:`read_carers` (in :mod:`carezones.io`) read and check the inputs
(every problem reported together); :func:`plan_rounds` plans the day and returns
:class:`Rounds`, whose every itinerary passes the independent checker
(:func:`carezones.checker.check_rounds`).

How :func:`plan_rounds` works
-----------------------------
1. **Travel.** Minutes between every carer's home and every visit come from the network's
   engine (or an explicit matrix); they are rounded to whole seconds for the solver.
2. **Model.** Each carer's shift is a vehicle of PyVRP (Wouda, Lan and Kool, 2024) leaving
   and returning home inside the shift; each visit is a client whose *start* must fall inside
   its window; a double-handed visit is two clients, one served by a carer of each half of the
   team (so never twice by the same carer). Skills and the two halves are routing profiles in
   which the visits a carer may not make are out of reach; a visit whose client prefers other
   carers costs ``continuity_minutes`` more for a stranger. Every visit is optional with a
   prize far above any travel saving, so all visits are served when that is possible at all.
   Each solve runs PyVRP's iterated local search for the time (or iterations) given.
3. **Synchronising.** The two carers of a double-handed visit must start together: both aim
   at the same 10 minutes in the middle of its window, and where they still miss each other the
   solver is re-run with both windows narrowed to the later of their starts.
4. **Schedule and breaks.** An exact schedule is computed (waiting allowed, both carers of a
   double-handed visit start at the later arrival), and each carer's break is placed whole in
   its window at the first stop where it fits (taken where the carer is). Visits that cannot
   be kept without breaking a rule are moved to ``unserved`` with the reason.
"""

from __future__ import annotations

import time as _time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.io import (
    CARER_COLUMNS,
    VISIT_COLUMNS,
    hhmm,
    parse_hhmm,
    read_carers,
    read_visits,
)
from carezones.synthetic.day import example_day

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

__all__ = [  # the readers live in carezones.io; they are part of this module's API too
    "CARER_COLUMNS",
    "VISIT_COLUMNS",
    "Rounds",
    "example_day",
    "hhmm",
    "parse_hhmm",
    "plan_rounds",
    "read_carers",
    "read_visits",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PRIZE = 10_000_000  # seconds of travel a served visit is worth: serve all that can be served
SYNC_SLACK = 10  # minutes of its window both carers of a double-handed visit aim at
FORBIDDEN = 100_000_000  # travel seconds into a visit a carer may not make
FILL_TRIES = 20  # whole-day checks per left-out visit when filling the rounds
BALANCE_UNIT = 10  # cost units per travel second when workload balance is weighted


# ---------------------------------------------------------------------- planning
@dataclass
class Rounds:
    """A day's rounds.

    ``itineraries``: one row per stop in order (``carer_id, shift, seq, kind`` (start, visit,
    break, end), ``visit_id, client_id, arrival, start, end`` in minutes after midnight,
    ``waiting_minutes, travel_minutes, travel_km`` from the previous stop). ``unserved``:
    ``visit_id, reason``. ``kpis``: plan-level numbers (see :meth:`summary`).
    """

    itineraries: pd.DataFrame
    unserved: pd.DataFrame
    kpis: dict[str, Any]
    visits: pd.DataFrame = field(repr=False)
    carers: pd.DataFrame = field(repr=False)
    minutes: FloatArray = field(repr=False)
    attribution: str = ""
    synthetic: bool = False
    network: Any = field(default=None, repr=False)  # for the map's roads when there is no basemap

    def to_map(self, *, offline: bool = True) -> Any:
        """Each carer's round along the roads in its own colour, stops numbered with times.

        The map shows where visits are: it is for the provider planning the day, not for
        sharing.
        """
        from carezones.maps import rounds_map

        return rounds_map(self, offline=offline)

    def to_files(self, out_dir: Any, *, offline: bool = True) -> list[Any]:
        """Write itineraries.csv, unserved.csv, kpis.json, rounds.gpkg and rounds.html."""
        from carezones.io import write_rounds

        return write_rounds(self, out_dir, offline=offline)

    def check(self) -> list[Any]:
        """Every rule, verified by the independent checker (an empty list: all kept)."""
        from carezones.checker import check_rounds

        return check_rounds(self.visits, self.carers, self.minutes, self.itineraries, self.unserved)

    def summary(self) -> str:
        """Return a few readable lines."""
        k = self.kpis
        return (
            f"{k['visits_served']} of {k['visits']} visits served by {k['carers_used']} carers; "
            f"care {k['care_minutes']:.0f} min, travel {k['travel_minutes']:.0f} min "
            f"({k['travel_share_of_working_time']:.0%} of working time), "
            f"waiting {k['waiting_minutes']:.0f} min"
        )


def _eligible(visits: pd.DataFrame, carers: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Carer row x visit: the carer has every skill the visit needs."""
    return np.array([[v <= c for v in visits["skills"]] for c in carers["skills"]], dtype=bool)


def _impossible(visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray) -> dict[int, str]:
    """Visits no plan can serve, with the reason."""
    n_c = len(carers)
    ok = _eligible(visits, carers)
    out: dict[int, str] = {}
    ss, se = carers["shift_start"].to_numpy(), carers["shift_end"].to_numpy()
    ids = carers["carer_id"].to_numpy()
    for j, v in enumerate(visits.itertuples()):
        need = sorted(v.skills)
        if not ok[:, j].any():
            out[j] = f"no carer has the skill(s) {', '.join(need)}"
            continue
        go, back = T[:n_c, n_c + j], T[n_c + j, :n_c]
        start = np.maximum(ss + go, v.window_start)
        fits = ok[:, j] & (ss + go <= v.window_end) & (start + v.duration_minutes + back <= se)
        if not fits.any():
            out[j] = "no shift can reach it within its window (and get home before the shift ends)"
        elif v.carers_required == 2 and len(set(ids[fits])) < 2:
            out[j] = "double-handed, but only one carer has the skills and a shift that fits"
    return out


def plan_rounds(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    minutes: FloatArray | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    iterations: int | None = None,
    sync_rounds: int = 4,
    co2_kg_per_km: float | None = None,
    continuity_minutes: float = 10.0,
    balance: float = 0.0,
) -> Rounds:
    """Plan the day's rounds: serve every visit that can be served, then least travel.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`read_visits` and :func:`read_carers`.
    network : RoadNetwork, optional
        The drive network: travel minutes (and kilometres) between homes and visits.
    minutes : array, optional
        Instead of a network: minutes between the carers' homes (one per carer row, first)
        and the visits, shape ``(len(carers) + len(visits),) * 2``.
    time_limit : float
        Seconds of search (split between the first solve and the synchronising rounds).
    seed, iterations : int
        The search's seed; an iteration limit instead of a time limit makes the answer the
        same on every machine.
    sync_rounds : int
        How many times the search is re-run to bring the two carers of double-handed visits
        together before the exact schedule settles the rest.
    continuity_minutes : float
        For visits with ``preferred_carers`` (``;``-separated ids): the travel minutes the plan
        would rather add than send a carer the client does not know (0: ignore preferences).
    balance : float
        Weight of workload balance (0: none). Each shift gets a fair share of the day's work:
        its length times the share of all shift time the day needs (care, breaks and an
        estimate of travel). Each minute a carer works beyond that share costs ``balance``
        minutes of travel, so 1-3 spreads the visits across the team for a little more
        travel. The KPIs report each shift's working time as a share of its length.
    co2_kg_per_km : float, optional
        An emission factor for the carers' cars (kg CO2e per km driven), e.g. from the UK
        Government's GHG conversion factors for the car type; with a network, the KPIs then
        include ``co2_kg``. carezones ships no default: the right factor depends on the fleet.

    Every visit is in ``itineraries`` or in ``unserved`` with its reason; all served visits start
    inside their windows, so ``kpis["mean_minutes_after_window_opens"]`` measures punctuality.
    """
    t0 = _time.perf_counter()
    n_c, n_v = len(carers), len(visits)
    if minutes is None:
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        pts = np.vstack(
            [
                np.column_stack([carers.geometry.x, carers.geometry.y]),
                np.column_stack([visits.geometry.x, visits.geometry.y]),
            ]
        )
        minutes = network.travel_times(pts)
    T = np.asarray(minutes, dtype=float)
    if T.shape != (n_c + n_v, n_c + n_v):
        raise ValueError(f"minutes must be {(n_c + n_v,) * 2} (homes first, then visits)")
    if not (isinstance(balance, int | float) and np.isfinite(balance) and balance >= 0):
        raise ValueError(f"balance must be a number >= 0, not {balance!r}")
    reasons = _impossible(visits, carers, T)
    d = _day(visits, carers, T)
    todo = [j for j in range(n_v) if j not in reasons]
    targets = _fair_shares(visits, carers, T, todo) if balance > 0 else None
    forced: dict[tuple[int, int], float] = {}
    routes: list[list[tuple[int, int]]] = [[] for _ in range(n_c)]
    rounds = 1 + max(sync_rounds, 0)
    for rnd in range(rounds):
        has_doubles = bool((visits["carers_required"].iloc[todo] == 2).any()) if todo else False
        first = 0.6 if has_doubles and sync_rounds > 0 else 1.0
        share = first if rnd == 0 else (1 - first) / max(sync_rounds, 1)
        routes = _solve(
            visits,
            carers,
            T,
            todo,
            forced,
            time_limit * share,
            seed + rnd,
            None if iterations is None else max(iterations // rounds, 50),
            continuity=continuity_minutes,
            targets=targets,
            balance=balance,
        )
        starts = _simulate(d, routes, {})[0]
        unsynced = False
        for j in todo:
            if visits["carers_required"].iat[j] == 2 and (j, 0) in starts and (j, 1) in starts:
                a, b = starts[(j, 0)], starts[(j, 1)]
                if abs(a - b) > 1e-6:
                    unsynced = True
                    t = max(a, b)
                    if t <= visits["window_end"].iat[j]:
                        forced[(j, 0)] = forced[(j, 1)] = t
        if not unsynced:
            break
    routes, breaks, dropped = _repair(visits, carers, d, routes)
    served = {j for r in routes for (j, _) in r}
    routes, breaks = _fill(d, _eligible(visits, carers), carers["carer_id"].to_numpy(), routes,
                           breaks, [j for j in todo if j not in served])  # fmt: skip
    served = {j for r in routes for (j, _) in r}
    reasons.update({j: why for j, why in dropped.items() if j not in served})
    for j in todo:
        if j not in served and j not in reasons:
            reasons[j] = "no room in any carer's round (windows, shifts and travel)"
    itin = _itineraries(visits, carers, d, routes, breaks, network)
    unserved = pd.DataFrame(
        {
            "visit_id": [visits["visit_id"].iat[j] for j in sorted(reasons)],
            "reason": [reasons[j] for j in sorted(reasons)],
        }
    )
    kpis = _kpis(visits, itin, unserved, _time.perf_counter() - t0)
    kpis.update(_utilisation(carers, itin))
    if "preferred_carers" in visits and visits["preferred_carers"].map(len).gt(0).any():
        pref = dict(zip(visits["visit_id"], visits["preferred_carers"], strict=True))
        v = itin[itin.kind == "visit"]
        wanted = v[v.visit_id.map(lambda x: bool(pref[x]))]
        known = [c in pref[x] for x, c in zip(wanted.visit_id, wanted.carer_id, strict=True)]
        kpis["visits_by_a_preferred_carer"] = float(np.mean(known)) if known else None
    if co2_kg_per_km is not None and kpis["travel_km"] is not None:
        kpis["co2_kg_per_km"] = co2_kg_per_km
        kpis["co2_kg"] = kpis["travel_km"] * co2_kg_per_km
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(itin, unserved, kpis, visits, carers, T, attribution, synthetic, network)


def _solve(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    T: FloatArray,
    todo: list[int],
    forced: dict[tuple[int, int], float],
    seconds: float,
    seed: int,
    iterations: int | None,
    split_doubles: bool = True,
    continuity: float = 0.0,
    targets: FloatArray | None = None,
    balance: float = 0.0,
) -> list[list[tuple[int, int]]]:
    """Solve once with PyVRP: the visits (copies) on each carer row's route, in order.

    With ``split_doubles=False`` the two carers of a double-handed visit are not kept apart
    (the relaxed reference of the benchmark).
    """
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType, solve
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxIterations, MaxRuntime

    n_c = len(carers)
    ok = _eligible(visits, carers)
    ids = carers["carer_id"].to_numpy()
    team = {c: i % 2 for i, c in enumerate(dict.fromkeys(ids))}
    half = np.array([team[c] for c in ids])
    copies = [(j, k) for j in todo for k in range(int(visits["carers_required"].iat[j]))]
    # a double-handed visit is split between the two halves of the team when both halves
    # have carers who can make it; otherwise both copies may go to anyone eligible
    allowed = np.zeros((n_c, len(copies)), dtype=bool)
    for q, (j, k) in enumerate(copies):
        allowed[:, q] = ok[:, j]
        if split_doubles and visits["carers_required"].iat[j] == 2:
            part = ok[:, j] & (half == k)
            if (ok[:, j] & (half == 1 - k)).any() and part.any():
                allowed[:, q] = part
    # costs are in tenths of a travel second when balancing, so that fractional weights count
    unit = BALANCE_UNIT if targets is not None and balance > 0 else 1
    n_loc = n_c + len(copies)
    locations = [Location(x=float(i), y=0.0) for i in range(n_loc)]
    depots = [Depot(location=i) for i in range(n_c)]
    clients = []
    for q, (j, k) in enumerate(copies):
        lo = round(float(visits["window_start"].iat[j]) * 60)
        hi = round(float(visits["window_end"].iat[j]) * 60)
        if (j, k) in forced:
            lo = hi = round(forced[(j, k)] * 60)
        elif visits["carers_required"].iat[j] == 2 and hi - lo > SYNC_SLACK * 60:
            # both carers aim at the same short stretch of the window, so that one rarely
            # waits long for the other (centred in the window)
            mid = (lo + hi) // 2
            lo, hi = mid - SYNC_SLACK * 30, mid + SYNC_SLACK * 30
        clients.append(
            Client(
                location=n_c + q,
                service_duration=round(float(visits["duration_minutes"].iat[j]) * 60),
                tw_early=lo, tw_late=hi, prize=PRIZE * unit, required=False,
            )
        )  # fmt: skip
    point = np.r_[np.arange(n_c), [n_c + j for j, _ in copies]].astype(np.int64)
    sec = np.round(np.where(np.isfinite(T), T, FORBIDDEN / 60) * 60).astype(np.int64)
    base = sec[np.ix_(point, point)]
    np.fill_diagonal(base, 0)
    matrices: list[Any] = []
    costs: list[Any] = []
    profile_of: dict[bytes, int] = {}
    vehicle_types = []
    prefs = visits["preferred_carers"] if "preferred_carers" in visits else None
    for c in range(n_c):
        # serving a visit whose client prefers other carers costs `continuity` seconds more
        penalty = np.zeros(len(copies), dtype=np.int64)
        if prefs is not None and continuity > 0:
            cid = str(carers["carer_id"].iat[c])
            for q, (j, _) in enumerate(copies):
                if prefs.iat[j] and cid not in prefs.iat[j]:
                    penalty[q] = round(continuity * 60)
        key = allowed[c].tobytes() + penalty.tobytes()
        if key not in profile_of:
            mat = base.copy()
            mat[:, n_c:][:, ~allowed[c]] = FORBIDDEN
            np.fill_diagonal(mat, 0)
            cost = mat.copy()
            cost[:, n_c:] += penalty[None, :]
            np.fill_diagonal(cost, 0)
            profile_of[key] = len(matrices)
            matrices.append(mat)
            costs.append(cost)
        mx = float(carers["max_minutes"].iat[c])
        s0, s1 = float(carers["shift_start"].iat[c]), float(carers["shift_end"].iat[c])
        cap = round(mx * 60) if np.isfinite(mx) else 2**62
        overtime, overtime_cost = 0, 0
        if unit > 1 and targets is not None:
            nominal = min(round(float(targets[c]) * 60), cap, round((s1 - s0) * 60))
            overtime = max(min(cap, round((s1 - s0) * 60)) - nominal, 0)
            overtime_cost = round(balance * unit)
            cap = nominal
        vehicle_types.append(
            VehicleType(
                num_available=1, start_depot=c, end_depot=c,
                tw_early=round(s0 * 60), tw_late=round(s1 * 60), shift_duration=cap,
                unit_distance_cost=unit, profile=profile_of[key], max_overtime=overtime,
                unit_overtime_cost=overtime_cost, name=str(carers["carer_id"].iat[c]),
            )
        )  # fmt: skip
    data = ProblemData(
        locations=locations, clients=clients, depots=depots, vehicle_types=vehicle_types,
        distance_matrices=costs, duration_matrices=matrices,
    )  # fmt: skip
    stop = MaxIterations(iterations) if iterations is not None else MaxRuntime(max(seconds, 0.1))
    with warnings.catch_warnings():
        # PyVRP warns when its penalties hit their bound on tight days; the schedule, repair
        # and checker that follow deal with whatever it returns
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        res = solve(data, stop, seed=seed, display=False)
    routes: list[list[tuple[int, int]]] = [[] for _ in range(n_c)]
    for route in res.best.routes():
        c = int(route.vehicle_type())
        routes[c] = [copies[int(a.idx)] for a in route.schedule() if a.is_client()]
    return routes


def _fair_shares(
    visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray, todo: list[int]
) -> FloatArray:
    """Each shift's fair share of the day's work (minutes): its length times the day's load.

    The load is the care (once per carer required), the breaks and an estimate of travel (the
    minutes from each visit's nearest other stop) over all shift time, at most 1.
    """
    n_c = len(carers)
    length = (carers["shift_end"] - carers["shift_start"]).to_numpy(dtype=float)
    if not todo:
        return np.zeros(n_c)
    req = visits["carers_required"].to_numpy(dtype=float)[todo]
    care = float((visits["duration_minutes"].to_numpy(dtype=float)[todo] * req).sum())
    pts = np.r_[np.arange(n_c), n_c + np.asarray(todo)]
    sub = T[np.ix_(pts, pts)].copy()
    np.fill_diagonal(sub, np.inf)
    near = sub[n_c:].min(axis=1)
    travel = float((np.where(np.isfinite(near), near, 0.0) * req).sum())
    breaks = float(carers["break_minutes"].fillna(0).to_numpy(dtype=float).sum())
    load = min((care + travel + breaks) / max(float(length.sum()), 1e-9), 1.0)
    return length * load


def _shift_numbers(carers: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Each carer row's shift number (1, 2, ... per carer), as itineraries number shifts."""
    return carers.groupby("carer_id").cumcount().to_numpy() + 1


def _utilisation(carers: pd.DataFrame, itin: pd.DataFrame) -> dict[str, float]:
    """Working time (first departure to return) as a share of each shift's length.

    Shifts without a visit count as 0.
    """
    rows = pd.MultiIndex.from_arrays([carers["carer_id"], _shift_numbers(carers)])
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


@dataclass
class _Stop:
    kind: str  # start, visit, break, end
    copy: tuple[int, int] | None
    loc: int  # index into the travel matrix
    arrival: float
    start: float
    end: float
    travel: float


_Broken = tuple[str, int, int]  # (rule, carer row, visit), -1 where none applies


@dataclass
class _Day:
    """The day as plain arrays, for fast scheduling."""

    T: FloatArray
    n_c: int
    ws: FloatArray
    we: FloatArray
    dur: FloatArray
    req: IntArray
    ss: FloatArray
    se: FloatArray
    bm: FloatArray
    bws: FloatArray
    bwe: FloatArray
    mx: FloatArray


def _day(visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray) -> _Day:
    def col(df: pd.DataFrame, name: str) -> FloatArray:
        return df[name].to_numpy(dtype=float)

    return _Day(
        T, len(carers), col(visits, "window_start"), col(visits, "window_end"),
        col(visits, "duration_minutes"), visits["carers_required"].to_numpy(dtype=np.int64),
        col(carers, "shift_start"), col(carers, "shift_end"), col(carers, "break_minutes"),
        col(carers, "break_window_start"), col(carers, "break_window_end"),
        col(carers, "max_minutes"),
    )  # fmt: skip


def _route_times(
    d: _Day, c: int, route: list[tuple[int, int]], brk: int | None,
    forced: dict[tuple[int, int], float],
) -> tuple[list[_Stop], list[tuple[str, int, int]]]:  # fmt: skip
    """Return the times of one shift's stops (waiting allowed) and the rules they break."""
    t, loc = float(d.ss[c]), c
    stops = [_Stop("start", None, c, t, t, t, 0.0)]
    broken: list[tuple[str, int, int]] = []
    n_c = d.n_c
    for p in range(len(route) + 1):
        if brk == p:
            b = max(t, float(d.bws[c]))
            stops.append(_Stop("break", None, loc, t, b, b + d.bm[c], 0.0))
            t = b + float(d.bm[c])
            if t > d.bwe[c] + 1e-9:
                broken.append(("break", c, -1))
        if p == len(route):
            break
        j, k = route[p]
        leg = float(d.T[loc, n_c + j])
        arr = t + leg
        st = max(arr, float(d.ws[j]), forced.get((j, k), -np.inf))
        stops.append(_Stop("visit", (j, k), n_c + j, arr, st, st + d.dur[j], leg))
        if st > d.we[j] + 1e-9:
            broken.append(("late", c, j))
        t, loc = st + float(d.dur[j]), n_c + j
    leg = 0.0 if loc == c else float(d.T[loc, c])
    stops.append(_Stop("end", None, c, t + leg, t + leg, t + leg, leg))
    if len(stops) > 2 and stops[1].kind == "visit":  # leave home just in time
        dep = max(float(d.ss[c]), stops[1].start - stops[1].travel)
        stops[0] = _Stop("start", None, c, dep, dep, dep, 0.0)
        stops[1].arrival = dep + stops[1].travel
    if stops[-1].arrival > d.se[c] + 1e-9:
        broken.append(("shift", c, -1))
    if np.isfinite(d.mx[c]) and stops[-1].arrival - stops[0].start > d.mx[c] + 1e-9:
        broken.append(("shift", c, -1))
    return stops, broken


def _simulate(
    d: _Day, routes: list[list[tuple[int, int]]], breaks: dict[int, int],
) -> tuple[dict[tuple[int, int], float], dict[int, list[_Stop]], list[_Broken]]:  # fmt: skip
    """Exact times of every stop; both carers of a double-handed visit start together.

    Returns each copy's start, each carer row's stops, and the rules broken as
    ``(rule, carer row, visit)`` (-1 where none applies).
    """
    forced: dict[tuple[int, int], float] = {}
    starts: dict[tuple[int, int], float] = {}
    plans: dict[int, list[_Stop]] = {}
    broken: list[tuple[str, int, int]] = []
    for _ in range(200):
        starts, plans, broken = {}, {}, []
        for c, route in enumerate(routes):
            if not route and c not in breaks:
                continue
            stops, bad = _route_times(d, c, route, breaks.get(c), forced)
            plans[c] = stops
            broken += bad
            for s in stops:
                if s.copy is not None:
                    starts[s.copy] = s.start
        changed = False
        for (j, k), st in starts.items():
            other = (j, 1 - k)
            if d.req[j] == 2 and other in starts:
                t = max(st, starts[other])
                if forced.get((j, k), -np.inf) < t - 1e-9:
                    forced[(j, k)] = forced[other] = t
                    changed = True
        if not changed:
            break
    for j in {j for (j, _) in starts}:
        if d.req[j] == 2 and ((j, 0) in starts) != ((j, 1) in starts):
            broken.append(("partner", -1, j))
    return starts, plans, broken


def _place_breaks(
    d: _Day, routes: list[list[tuple[int, int]]], starts: dict[tuple[int, int], float]
) -> dict[int, int]:
    """Each carer's break at the first stop where it fits without making anything late."""
    forced = {q: t for q, t in starts.items() if d.req[q[0]] == 2}
    breaks: dict[int, int] = {}
    for c in range(d.n_c):
        if not np.isfinite(d.bm[c]):
            continue
        best: tuple[int, float, int] | None = None
        for p in range(len(routes[c]) + 1):
            stops, bad = _route_times(d, c, routes[c], p, forced)
            key = (len(bad), stops[-1].arrival, p)
            if best is None or key < best:
                best = key
            if not bad:
                break
        breaks[c] = best[2] if best else 0
    return breaks


def _schedule(
    d: _Day, routes: list[list[tuple[int, int]]]
) -> tuple[dict[int, int], dict[int, list[_Stop]], list[_Broken]]:
    """Return the exact day for the routes: breaks placed, each carer's stops, rules broken."""
    breaks = _place_breaks(d, routes, _simulate(d, routes, {})[0])
    _, plans, broken = _simulate(d, routes, breaks)
    return breaks, plans, broken


def _repair(
    visits: pd.DataFrame, carers: pd.DataFrame, d: _Day, routes: list[list[tuple[int, int]]],
) -> tuple[list[list[tuple[int, int]]], dict[int, int], dict[int, str]]:  # fmt: skip
    """Place every break and drop what cannot be kept; returns routes, breaks and reasons."""
    routes = [list(r) for r in routes]
    dropped: dict[int, str] = {}
    for _ in range(len(visits) + 2):
        breaks, plans, broken = _schedule(d, routes)
        if not broken:
            return routes, breaks, dropped
        rule, c, j = broken[0]
        if rule in ("late", "partner"):
            dropped[j] = (
                "double-handed: the two carers could not start together inside its window"
                if d.req[j] == 2
                else "could not be kept inside its window once breaks and partners were fitted"
            )
        else:  # a break or the shift's end: drop the visit nearest the clash
            stops = [s for s in plans[c] if s.kind == "visit" and s.copy is not None]
            if not stops:
                break
            cid = carers["carer_id"].iat[c]
            if rule == "break":
                victim = min(stops, key=lambda s: abs(s.start - float(d.bws[c])))
                why = f"no room for carer {cid}'s break"
            else:
                victim = stops[-1]
                why = f"carer {cid}'s shift ends before the round would"
            j = victim.copy[0] if victim.copy else -1
            dropped[j] = why
        routes = [[q for q in r if q[0] != j] for r in routes]
    raise RuntimeError("could not repair the rounds")  # pragma: no cover - drops always end


def _fill(
    d: _Day,
    ok: npt.NDArray[np.bool_],
    carer_ids: npt.NDArray[Any],
    routes: list[list[tuple[int, int]]],
    breaks: dict[int, int],
    left: list[int],
    tries: int = FILL_TRIES,
) -> tuple[list[list[tuple[int, int]]], dict[int, int]]:
    """Insert left-out visits where the exact schedule still keeps every rule.

    For each visit (in order), the insertions that add least travel and keep the receiving
    carer's own round on time are checked against the whole day (partners, breaks, shifts);
    the first that breaks no rule is kept. At most ``tries`` whole-day checks per visit.
    """
    n_c = d.n_c
    T = d.T
    routes = [list(r) for r in routes]

    def options(j: int, k: int, starts: dict[tuple[int, int], float]) -> list[tuple]:
        found = []
        forced = {q: t for q, t in starts.items() if d.req[q[0]] == 2}
        for c in np.flatnonzero(ok[:, j]).tolist():
            r = routes[c]
            for p in range(len(r) + 1):
                prev = c if p == 0 else n_c + r[p - 1][0]
                nxt = c if p == len(r) else n_c + r[p][0]
                delta = T[prev, n_c + j] + T[n_c + j, nxt] - (T[prev, nxt] if r else 0.0)
                if not np.isfinite(delta):
                    continue
                trial = [*r[:p], (j, k), *r[p:]]
                stops, bad = _route_times(d, c, trial, None, forced)
                if not bad:
                    found.append((float(delta), c, p, stops[p + 1].start))
        found.sort()
        return found

    def whole_day(new: list[list[tuple[int, int]]]) -> dict[int, int] | None:
        placed, _, broken = _schedule(d, new)
        return None if broken else placed

    for j in left:
        starts = _simulate(d, routes, breaks)[0]
        if d.req[j] == 1:
            for _, c, p, _ in options(j, 0, starts)[:tries]:
                new = [list(r) for r in routes]
                new[c].insert(p, (j, 0))
                placed = whole_day(new)
                if placed is not None:
                    routes, breaks = new, placed
                    break
            continue
        # both carers must start together: pairs whose own start times are close come first
        first, second = options(j, 0, starts)[:10], options(j, 1, starts)[:10]
        pairs = sorted((a[0] + b[0] + abs(a[3] - b[3]), a[1:3], b[1:3]) for a in first
                       for b in second if carer_ids[a[1]] != carer_ids[b[1]])  # fmt: skip
        for _, (c0, p0), (c1, p1) in pairs[:tries]:
            new = [list(r) for r in routes]
            new[c0].insert(p0, (j, 0))
            new[c1].insert(p1, (j, 1))
            placed = whole_day(new)
            if placed is not None:
                routes, breaks = new, placed
                break
    return routes, breaks


def _itineraries(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    d: _Day,
    routes: list[list[tuple[int, int]]],
    breaks: dict[int, int],
    network: Any,
) -> pd.DataFrame:
    _, plans, _ = _simulate(d, routes, breaks)
    shift_no = _shift_numbers(carers)
    pts = np.vstack(
        [
            np.column_stack([carers.geometry.x, carers.geometry.y]),
            np.column_stack([visits.geometry.x, visits.geometry.y]),
        ]
    )
    rows = []
    for c in sorted(plans):
        prev = c
        for seq, s in enumerate(plans[c]):
            km, leg = 0.0, None
            if s.loc != prev:
                km = np.nan
                if network is not None:
                    r = network.route(pts[prev], pts[s.loc])
                    km, leg = r.metres / 1000, r.geometry
                if leg is None:
                    leg = shapely.LineString([pts[prev], pts[s.loc]])
            j = s.copy[0] if s.copy else None
            rows.append(
                {
                    "carer_id": carers["carer_id"].iat[c],
                    "shift": int(shift_no[c]),
                    "seq": seq,
                    "kind": s.kind,
                    "visit_id": visits["visit_id"].iat[j] if j is not None else "",
                    "client_id": visits["client_id"].iat[j] if j is not None else "",
                    "arrival": s.arrival,
                    "start": s.start,
                    "end": s.end,
                    "waiting_minutes": max(s.start - s.arrival, 0.0) if s.kind == "visit" else 0.0,
                    "travel_minutes": s.travel,
                    "travel_km": km,
                    "lon": float(pts[s.loc, 0]),
                    "lat": float(pts[s.loc, 1]),
                    "leg": leg,
                }
            )
            prev = s.loc
    cols = [
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
        "travel_minutes",
        "travel_km",
        "lon",
        "lat",
        "leg",
    ]
    return pd.DataFrame(rows, columns=cols)


def _kpis(
    visits: pd.DataFrame, itin: pd.DataFrame, unserved: pd.DataFrame, seconds: float
) -> dict[str, Any]:
    v = itin[itin.kind == "visit"]
    working = itin.groupby(["carer_id", "shift"]).agg(a=("start", "min"), b=("end", "max"))
    work = float((working.b - working.a).sum()) if len(working) else 0.0
    care = float((v.end - v.start).sum())
    travel = float(itin.travel_minutes.sum())
    ws = visits.set_index("visit_id")["window_start"]
    after = (v.start - v.visit_id.map(ws)).to_numpy(dtype=float)
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
        "seconds": round(seconds, 2),
    }
