"""The home-care research benchmark (HHCRSP) solved by the rounds engine, and its objective.

:func:`solve_hhcrsp` plans an instance read by :func:`~carezones.io.read_hhcrsp` with
:func:`~carezones.rounds.plan_rounds` itself, under the benchmark's rules (:func:`hhcrsp_options`):
every visit's window opening hard and its closing soft without limit, a late minute costing as
much as a minute of travel and the day's worst lateness costing again, both visits of a
two-caregiver patient kept in their synchronisation (the same caregiver may give both of a
sequential pair when the gap allows, as the benchmark does), shifts as long as the horizon.
:func:`hhcrsp_cost` works out the benchmark's objective of any routes::

    cost = (total travel + total tardiness + maximum tardiness) / 3

The engine's search minimises travel plus those two lateness terms; the ``/ 3`` is a constant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from carezones.rounds.options import RoundsOptions
from carezones.rounds.plan import plan_rounds

if TYPE_CHECKING:
    import pandas as pd

    from carezones.io import HhcrspInstance
    from carezones.io.hhcrsp import HhcrspRoutes
    from carezones.rounds.result import Rounds

__all__ = ["HhcrspCost", "HhcrspResult", "hhcrsp_cost", "hhcrsp_options", "solve_hhcrsp"]


@dataclass(frozen=True)
class HhcrspCost:
    """The benchmark's objective of a solution and its parts.

    Parameters
    ----------
    distance : float
        Total travel, from the office and back, by the instance's matrix.
    total_tardiness, max_tardiness : float
        Minutes started after the window closed, summed and at worst.
    total_cost : float
        ``(distance + total_tardiness + max_tardiness) / 3``.
    served, visits : int
        Visits in the routes, and in the instance (a solution serves all).
    """

    distance: float
    total_tardiness: float
    max_tardiness: float
    total_cost: float
    served: int
    visits: int


@dataclass(frozen=True)
class HhcrspResult:
    """An instance solved: the routes, their cost and the engine's rounds.

    Parameters
    ----------
    routes : dict
        Caregiver id -> its visits in order, ``(visit row, start, end)``, as
        :func:`~carezones.report.hhcrsp.write_hhcrsp_solution` takes them.
    cost : HhcrspCost
        The benchmark's objective, worked out by :func:`hhcrsp_cost`.
    rounds : Rounds
        The rounds :func:`~carezones.rounds.plan_rounds` returned (checker, KPIs, tables).
    """

    routes: dict[str, list[tuple[int, float, float]]]
    cost: HhcrspCost
    rounds: Rounds


def hhcrsp_options(
    *, seconds: float = 10.0, seed: int = 0, iterations: int | None = None
) -> RoundsOptions:
    """Return the rounds options that plan under the benchmark's rules and objective.

    Parameters
    ----------
    seconds : float, default 10.0
        Time limit of the search.
    seed : int, default 0
        The search's seed.
    iterations : int, optional
        Iterations instead of (within) the time limit.

    Returns
    -------
    RoundsOptions
        Unlimited lateness, a late minute and the worst lateness each costing as a minute of
        travel, one caregiver allowed for both visits of a sequential pair, nothing else
        weighed (no continuity, no balance).

    Examples
    --------
    >>> opts = hhcrsp_options(seconds=5)
    >>> opts.max_late_minutes, opts.late_cost, opts.worst_late_cost, opts.same_carer_pairs
    (inf, 1.0, 1.0, True)
    """
    return RoundsOptions(
        time_limit=seconds,
        iterations=iterations,
        seed=seed,
        max_late_minutes=math.inf,
        late_cost=1.0,
        worst_late_cost=1.0,
        same_carer_pairs=True,
    )


def rounds_routes(
    itineraries: pd.DataFrame, instance: HhcrspInstance
) -> dict[str, list[tuple[int, float, float]]]:
    """Return each caregiver's visits in order, ``(visit row, start, end)``, from itineraries.

    Parameters
    ----------
    itineraries : pandas.DataFrame
        :attr:`Rounds.itineraries <carezones.rounds.Rounds.itineraries>`.
    instance : HhcrspInstance
        The instance planned.

    Returns
    -------
    dict
        Every caregiver of the instance, idle ones with no visits.
    """
    row_of = {str(v): i for i, v in enumerate(instance.visits["visit_id"])}
    routes: dict[str, list[tuple[int, float, float]]] = {
        str(c): [] for c in instance.carers["carer_id"]
    }
    stops = itineraries[itineraries["kind"] == "visit"]
    for carer, visit, start, end in zip(
        stops["carer_id"], stops["visit_id"], stops["start"], stops["end"], strict=True
    ):
        routes[str(carer)].append((row_of[str(visit)], float(start), float(end)))
    return routes


def hhcrsp_cost(instance: HhcrspInstance, routes: HhcrspRoutes) -> HhcrspCost:
    """Work out the benchmark's objective of routes, as the authors' validator does.

    Parameters
    ----------
    instance : HhcrspInstance
        The instance.
    routes : Mapping
        Caregiver id -> ``(visit row, start, end)`` in order (a visit may also be its id).

    Returns
    -------
    HhcrspCost
        Travel from the office through the visits and back, tardiness (start after the
        window's close) summed and at worst, and the cost.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from carezones.io import read_hhcrsp
    >>> path = Path(tempfile.mkdtemp()) / "one.json"
    >>> _ = path.write_text(json.dumps({
    ...     "patients": [{"id": "p1", "time_window": [0, 5],
    ...                   "required_caregivers": [{"service": "s1", "duration": 30}]}],
    ...     "services": [{"id": "s1"}], "caregivers": [{"id": "c1", "abilities": ["s1"]}],
    ...     "central_offices": [{"id": "d"}], "distances": [[0, 10], [10, 0]]}))
    >>> hhcrsp_cost(read_hhcrsp(path), {"c1": [(0, 10.0, 40.0)]}).total_cost  # (20 + 5 + 5) / 3
    10.0
    """
    travel, loc = instance.travel, instance.visit_location
    ends = instance.visits["window_end"].to_numpy(dtype=float)
    row_of = {str(v): i for i, v in enumerate(instance.visits["visit_id"])}
    distance, late, served = 0.0, [0.0], 0
    for stops in routes.values():
        prev = 0
        for visit, start, _end in stops:
            row = row_of[visit] if isinstance(visit, str) else int(visit)
            distance += float(travel[prev, loc[row]])
            prev = int(loc[row])
            late.append(max(float(start) - float(ends[row]), 0.0))
            served += 1
        if stops:
            distance += float(travel[prev, 0])
    total, worst = float(np.sum(late)), float(np.max(late))
    return HhcrspCost(
        distance=distance,
        total_tardiness=total,
        max_tardiness=worst,
        total_cost=(distance + total + worst) / 3,
        served=served,
        visits=len(instance.visits),
    )


def solve_hhcrsp(instance: HhcrspInstance, options: RoundsOptions | None = None) -> HhcrspResult:
    """Plan an HHCRSP instance with the rounds engine under the benchmark's objective.

    Parameters
    ----------
    instance : HhcrspInstance
        From :func:`~carezones.io.read_hhcrsp`.
    options : RoundsOptions, optional
        Default :func:`hhcrsp_options()`.

    Returns
    -------
    HhcrspResult
        The routes (every caregiver listed), their cost and the rounds.
    """
    opts = options or hhcrsp_options()
    rounds = plan_rounds(
        instance.visits, instance.carers, minutes=instance.planning_minutes(), options=opts
    )
    routes = rounds_routes(rounds.itineraries, instance)
    return HhcrspResult(
        routes=routes,
        cost=hhcrsp_cost(instance, routes),
        rounds=rounds,
    )
