"""The day's plan: :func:`plan_rounds` runs the stages in order and returns :class:`Rounds`.

Travel (from the network or a matrix), then the model and its search
(:mod:`~carezones.rounds.model`) with the synchronising rounds, then the exact schedule,
repair and filling (:mod:`~carezones.rounds.schedule`), then the itineraries and KPIs
(:mod:`~carezones.rounds.report`); :meth:`Rounds.check` runs the independent checker
(:mod:`~carezones.rounds.checker`).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, check_integer, check_number
from carezones.rounds.model import eligible, fair_shares, impossible, solve
from carezones.rounds.report import (
    continuity,
    itineraries,
    kpis,
    off_road_reason,
    stop_points,
    unused_shifts,
    utilisation,
)
from carezones.rounds.schedule import Day, Routes, repair, simulate
from carezones.rounds.schedule import fill as fill_in

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]


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
        from carezones.rounds.checker import check_rounds

        return check_rounds(self.visits, self.carers, self.minutes, self.itineraries, self.unserved)

    def summary(self) -> str:
        """Return a few readable lines."""
        k = self.kpis
        text = (
            f"{k['visits_served']} of {k['visits']} visits served by {k['carers_used']} carers; "
            f"care {k['care_minutes']:.0f} min, travel {k['travel_minutes']:.0f} min "
            f"({k['travel_share_of_working_time']:.0%} of working time), "
            f"waiting {k['waiting_minutes']:.0f} min"
        )
        cut_off = [u for u in k.get("unused_shifts", []) if "no route" in u["reason"]]
        for u in cut_off:
            text += f"\nshift of carer {u['carer_id']} from {u['shift_start']}: {u['reason']}"
        return text


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
    fill: bool = True,
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
    fill : bool
        After the exact schedule, put left-out visits back where the whole day still keeps
        every rule (the default). ``False`` skips it: faster, for a first look at whether a
        team is big enough (county plans size teams this way).
    co2_kg_per_km : float, optional
        An emission factor for the carers' cars (kg CO2e per km driven), e.g. from the UK
        Government's GHG conversion factors for the car type; with a network, the KPIs then
        include ``co2_kg``. carezones ships no default: the right factor depends on the fleet.

    Every visit is in ``itineraries`` or in ``unserved`` with its reason; all served visits start
    inside their windows, so ``kpis["mean_minutes_after_window_opens"]`` measures punctuality.
    """
    t0 = _time.perf_counter()
    time_limit = check_number("time_limit", time_limit, minimum=0, above=True)
    seed = check_integer("seed", seed, minimum=0)
    if iterations is not None:
        iterations = check_integer("iterations", iterations, minimum=1)
    sync_rounds = check_integer("sync_rounds", sync_rounds, minimum=0)
    continuity_minutes = check_number("continuity_minutes", continuity_minutes, minimum=0)
    balance = check_number("balance", balance, minimum=0)
    if co2_kg_per_km is not None:
        co2_kg_per_km = check_number("co2_kg_per_km", co2_kg_per_km, minimum=0)
    n_c, n_v = len(carers), len(visits)
    if n_c == 0:
        raise ArgumentError("there are no carers' shifts: give at least one (read_carers)")
    if minutes is None:
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        minutes = network.travel_times(stop_points(visits, carers))
    T = np.asarray(minutes, dtype=float)
    if T.shape != (n_c + n_v, n_c + n_v):
        raise ValueError(f"minutes must be {(n_c + n_v,) * 2} (homes first, then visits)")
    reasons = impossible(visits, carers, T)
    off_road = _off_road(network, visits, carers, T)
    for far in np.flatnonzero(off_road[n_c:]).tolist():
        reasons[far] = off_road_reason(network, "the visit")
    d = Day.from_tables(visits, carers, T)
    todo = [j for j in range(n_v) if j not in reasons]
    routes = _search(
        visits,
        carers,
        d,
        todo,
        time_limit=time_limit,
        seed=seed,
        iterations=iterations,
        sync_rounds=sync_rounds,
        continuity=continuity_minutes,
        targets=fair_shares(visits, carers, T, todo) if balance > 0 else None,
        balance=balance,
    )
    routes, breaks, dropped = repair(visits, carers, d, routes)
    served = {j for r in routes for (j, _) in r}
    if fill:
        routes, breaks = fill_in(d, eligible(visits, carers), carers["carer_id"].to_numpy(),
                                 routes, breaks, [j for j in todo if j not in served])  # fmt: skip
    served = {j for r in routes for (j, _) in r}
    reasons.update({j: why for j, why in dropped.items() if j not in served})
    for j in todo:
        if j not in served and j not in reasons:
            reasons[j] = "no room in any carer's round (windows, shifts and travel)"
    itin = itineraries(visits, carers, d, routes, breaks, network)
    unserved = pd.DataFrame(
        {
            "visit_id": [visits["visit_id"].iat[j] for j in sorted(reasons)],
            "reason": [reasons[j] for j in sorted(reasons)],
        }
    )
    numbers = kpis(visits, itin, unserved, _time.perf_counter() - t0)
    numbers["unused_shifts"] = unused_shifts(carers, itin, off_road[:n_c], network)
    numbers.update(utilisation(carers, itin))
    numbers.update(continuity(visits, itin))
    if co2_kg_per_km is not None and numbers["travel_km"] is not None:
        numbers["co2_kg_per_km"] = co2_kg_per_km
        numbers["co2_kg"] = numbers["travel_km"] * co2_kg_per_km
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(itin, unserved, numbers, visits, carers, T, attribution, synthetic, network)


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
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    d: Day,
    todo: list[int],
    *,
    time_limit: float,
    seed: int,
    iterations: int | None,
    sync_rounds: int,
    continuity: float,
    targets: FloatArray | None,
    balance: float,
) -> Routes:
    """Solve, then re-solve with the two carers of double-handed visits pinned together."""
    forced: dict[tuple[int, int], float] = {}
    routes: Routes = [[] for _ in range(len(carers))]
    rounds = 1 + max(sync_rounds, 0)
    for rnd in range(rounds):
        has_doubles = bool((visits["carers_required"].iloc[todo] == 2).any()) if todo else False
        first = 0.6 if has_doubles and sync_rounds > 0 else 1.0
        share = first if rnd == 0 else (1 - first) / max(sync_rounds, 1)
        routes = solve(
            visits,
            carers,
            d.T,
            todo,
            forced,
            time_limit * share,
            seed + rnd,
            None if iterations is None else max(iterations // rounds, 50),
            continuity=continuity,
            targets=targets,
            balance=balance,
        )
        starts = simulate(d, routes, {})[0]
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
    return routes
