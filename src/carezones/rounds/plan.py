"""The day's plan: :func:`plan_rounds` checks its inputs and runs the search engine.

Travel (from the network or a matrix), then the model and its search, the exact schedule,
repair and filling (:mod:`~carezones.rounds.search`), then the itineraries and KPIs
(:mod:`~carezones.rounds.tables`); :meth:`Rounds.check` runs the independent checker
(:mod:`~carezones.rounds.checker`). Re-planning on the day is
:func:`~carezones.rounds.replan_rounds`.
"""

from __future__ import annotations

import time as _time
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError
from carezones.rounds.late import late_limits, with_late_limits
from carezones.rounds.options import RoundsOptions
from carezones.rounds.result import Rounds
from carezones.rounds.search import (
    DayData,
    offer_lateness,
    one_day,
    plan_day,
    report_day,
    solve_day,
    travel_minutes,
)

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]

__all__ = ["plan_rounds"]


def plan_rounds(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    minutes: FloatArray | None = None,
    options: RoundsOptions | None = None,
) -> Rounds:
    """Plan the day's rounds: serve every visit that can be served, then least travel.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`read_visits` and :func:`read_carers`. With a ``day`` column the visits
        must all be on one day (:func:`~carezones.rounds.plan_week` plans several), and only
        the carers' rows of that day work.
    network : RoadNetwork, optional
        The drive network: travel minutes (and kilometres) between homes and visits.
    minutes : array, optional
        Instead of a network: minutes between the carers' homes (one per carer row, first)
        and the visits, shape ``(len(carers) + len(visits),) * 2``.
    options : RoundsOptions, optional
        How long to search, the seed, and what the plan weighs against travel (continuity,
        balance, an emission factor); default :class:`RoundsOptions()`.

    Returns
    -------
    Rounds
        Every visit is in ``itineraries`` or in ``unserved`` with its reason; all served
        visits start inside their windows, so ``kpis["mean_minutes_after_window_opens"]``
        measures punctuality.

    Raises
    ------
    ArgumentError
        When there are no carers' shifts or the visits are on more than one day.

    Examples
    --------
    A day for eight clients of the tiny synthetic county and three carers living among them:

    >>> from carezones import RoundsOptions, plan_rounds, read_carers, read_visits
    >>> from carezones.synthetic import example_day
    >>> points = clients.get_coordinates().to_numpy()
    >>> visits, carers = example_day(points[:8], points[8:11])
    >>> visits, carers = read_visits(visits, area=net), read_carers(carers, area=net)
    >>> rounds = plan_rounds(visits, carers, net, options=RoundsOptions(iterations=200))
    >>> rounds.kpis["visits_served"], rounds.kpis["visits"]
    (19, 20)
    """
    t0 = _time.perf_counter()
    opts = RoundsOptions() if options is None else options
    if not isinstance(opts, RoundsOptions):
        raise ArgumentError(f"options must be a RoundsOptions, not {type(opts).__name__}")
    visits, carers = one_day(visits, carers)
    if len(carers) == 0:
        raise ArgumentError("there are no carers' shifts: give at least one (read_carers)")
    T = travel_minutes(visits, carers, network, minutes)
    rounds = plan_day(DayData(visits, carers, network, T), opts, t0=t0)
    if (
        rounds.kpis["visits_unserved"]
        and (late_limits(with_late_limits(visits, opts.max_late_minutes)) > 0).any()
    ):
        rounds = _best_of_hard(rounds, DayData(visits, carers, network, T), opts)
    return rounds


def _best_of_hard(soft: Rounds, data: DayData, opts: RoundsOptions) -> Rounds:
    """Return the best of the soft-window plan, the hard-window plan, and the hard plan made later.

    A hard-window plan is also a plan of the soft-window day (every visit 0 minutes late), so
    a soft plan that leaves visits out is set against it: the search with late copies of visits
    has more to explore and, on a tight day, may end serving fewer. The hard plan's rounds are
    then kept and only the visits they leave out are offered their lateness
    (:func:`~carezones.rounds.search.offer_lateness`: filled in and made room for on the
    exact schedule, breaks and partners fitted). Of the three, the plan serving most visits is
    kept, then the lowest cost (travel and lateness as the options weigh them; the soft plan
    first on a tie, then the hard one); each is returned with the day's own visits (their
    limits).
    """
    t0 = _time.perf_counter()
    hard_visits = data.visits.assign(max_late_minutes=0.0)
    hard_data = DayData(hard_visits, data.carers, data.network, data.T)
    # nothing is late with hard windows: planned as a provider's day with default weights
    hard_opts = replace(opts, max_late_minutes=0.0, late_cost=0.0, worst_late_cost=0.0)
    solved = solve_day(hard_data, hard_opts)
    hard = report_day(hard_data, solved, hard_opts, t0)
    later = offer_lateness(data, solved, opts)
    best = soft
    for other in (hard, None if later is None else report_day(data, later, opts, t0)):
        if other is not None and _key(other, opts) > _key(best, opts):
            best = other
    if best is soft:
        return soft
    seconds = soft.kpis["seconds"] + _time.perf_counter() - t0
    return replace(best, visits=soft.visits, kpis={**best.kpis, "seconds": seconds})


def _key(rounds: Rounds, opts: RoundsOptions) -> tuple[int, float]:
    """Return a plan's (visits served, minus its cost), the larger the better."""
    return rounds.kpis["visits_served"], -_cost(rounds, opts)


def _cost(rounds: Rounds, opts: RoundsOptions) -> float:
    """Return a plan's travel and lateness, weighed as the options weigh them."""
    k = rounds.kpis
    return float(
        k["travel_minutes"]
        + opts.late_cost * k.get("late_minutes_total", 0.0)
        + opts.worst_late_cost * k.get("late_minutes_worst", 0.0)
    )
