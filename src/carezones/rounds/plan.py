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
from carezones.rounds.search import DayData, one_day, plan_day, travel_minutes

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
    """Return the soft-window plan, or the hard-window plan of the same day when it serves more.

    A hard-window plan is also a plan of the soft-window day (every visit 0 minutes late), so
    a soft plan that leaves visits out is set against it: the search with late copies of visits
    has more to explore and, on a tight day, may end serving fewer. The hard plan is kept when
    it serves more visits, or as many at a lower cost (travel and lateness as the options weigh
    them); it is returned with the day's own visits (their limits).
    """
    hard_visits = data.visits.assign(max_late_minutes=0.0)
    hard = plan_day(
        DayData(hard_visits, data.carers, data.network, data.T),
        replace(opts, max_late_minutes=0.0),
    )
    if (hard.kpis["visits_served"], -_cost(hard, opts)) <= (
        soft.kpis["visits_served"],
        -_cost(soft, opts),
    ):
        return soft
    seconds = soft.kpis["seconds"] + hard.kpis["seconds"]
    return replace(hard, visits=soft.visits, kpis={**hard.kpis, "seconds": seconds})


def _cost(rounds: Rounds, opts: RoundsOptions) -> float:
    """Return a plan's travel and lateness, weighed as the options weigh them."""
    k = rounds.kpis
    return float(
        k["travel_minutes"]
        + opts.late_cost * k.get("late_minutes_total", 0.0)
        + opts.worst_late_cost * k.get("late_minutes_worst", 0.0)
    )
