"""How rounds are planned: the options of a day, a re-plan and a week, checked once.

:class:`RoundsOptions` holds what :func:`~carezones.rounds.plan_rounds` and
:func:`~carezones.rounds.replan_rounds` take besides their data: how long to search, the seed,
and what the plan weighs against travel. :class:`WeekOptions` adds what a week needs, with a
week's defaults. Both check every value when made (an :class:`~carezones.errors.ArgumentError`
naming the option) and never change afterwards; :func:`dataclasses.replace` makes a variant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carezones.errors import check_integer, check_number

__all__ = ["RoundsOptions", "WeekOptions"]


@dataclass(frozen=True)
class RoundsOptions:
    """How a day's rounds are searched and what the plan weighs against travel.

    Parameters
    ----------
    time_limit : float, default 30
        Seconds of search (split between the first solve and the synchronising rounds; the
        time they leave goes on searching from the rounds found). The exact schedule, filling
        and making room for left-out visits come after it (3.8 s on the 294-visit rural day of
        ``docs/performance.md``).
    iterations : int, optional
        An iteration limit instead of the time limit: the same answer on every machine.
    seed : int, default 0
        The search's seed.
    sync_rounds : int, default 4
        How many times the search is re-run to bring the two carers of double-handed visits
        together before the exact schedule settles the rest.
    continuity_minutes : float, default 10
        For visits with ``preferred_carers`` (``;``-separated ids): the travel minutes the plan
        would rather add than send a carer the client does not know (0: ignore preferences).
    balance : float, default 0
        Weight of workload balance (0: none). Each shift gets a fair share of the day's work:
        its length times the share of all shift time the day needs (care, breaks and an
        estimate of travel). Each minute a carer works beyond that share costs ``balance``
        minutes of travel, so 1-3 spreads the visits across the team for a little more
        travel. The KPIs report each shift's working time as a share of its length.
    co2_kg_per_km : float, optional
        An emission factor for the carers' cars (kg CO2e per km driven), e.g. from the UK
        Government's GHG conversion factors for the car type; with a network, the KPIs then
        include ``co2_kg``. carezones ships no default: the right factor depends on the fleet.
    fill : bool, default True
        After the exact schedule, put left-out visits back where the whole day still keeps
        every rule, then make room for those still left out by moving a visit to another
        carer (:func:`~carezones.rounds.rescue.rescue`). ``False`` skips both: faster, for a
        first look at whether a team is big enough (county plans size teams this way).
    change_minutes : float, default 30
        Re-plans only (:func:`~carezones.rounds.replan_rounds`): the travel minutes the plan
        would rather add than give a visit to another carer (a visit kept by its carer also
        keeps its time, give or take 15 minutes, where it can).
    let_go : int, default 0
        After filling, try to let go of up to this many carers, the one with least care in
        their rounds first: a carer goes when every visit of their rounds fits in the others'
        rounds keeping every rule (:func:`~carezones.rounds.fewer.let_go`), so the rounds use
        fewer carers and serve the same visits, for some more travel. Without ``fill``, only
        when no visit is left out for want of carers' time (filling might use it). 0: keep
        the whole team (county plans try a share of each team).
    max_late_minutes : float, default 0
        How many minutes after its window closes a visit may start when the visits file
        leaves its ``max_late_minutes`` blank (or has no such column): 0 keeps windows hard,
        ``inf`` sets no limit. A visit served late is better than one not served at all; the
        start never comes before the window opens.
    late_cost : float, default 0
        The travel minutes the plan would rather add than start a visit one minute late.
    worst_late_cost : float, default 0
        The travel minutes the plan would rather add than make the day's latest visit one
        minute later (the worst lateness of the day, counted once).
    same_carer_pairs : bool, default False
        For sequential pairs (visits with ``after_visit``): whether one carer may make both
        visits of a pair, one after the other, when the gap allows (the HHCRSP benchmark's
        rule). Default: two different carers, as providers mean by a pair.
    improve_share : float, default 0.5
        When lateness is costed (``late_cost`` or ``worst_late_cost`` above 0) or the day has
        sequential pairs: the share of ``time_limit`` given to improving the rounds on the
        exact objective after the search (:mod:`~carezones.rounds.improve`), the search
        having the rest; with ``iterations``, that many improving iterations instead. 0: no
        improvement phase. Otherwise (hard windows, no pairs: a provider's default day) it
        does not run and the search has all the time.

    Raises
    ------
    ArgumentError
        When an option is not a value it can take.

    Examples
    --------
    >>> RoundsOptions(iterations=200, seed=1).time_limit
    30.0
    >>> RoundsOptions(time_limit=float("nan"))
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: time_limit must be a number > 0, not nan
    """

    time_limit: float = 30.0
    iterations: int | None = None
    seed: int = 0
    sync_rounds: int = 4
    continuity_minutes: float = 10.0
    balance: float = 0.0
    co2_kg_per_km: float | None = None
    fill: bool = True
    change_minutes: float = 30.0
    let_go: int = 0
    max_late_minutes: float = 0.0
    late_cost: float = 0.0
    worst_late_cost: float = 0.0
    same_carer_pairs: bool = False
    improve_share: float = 0.5

    def __post_init__(self) -> None:
        checked = {
            "time_limit": check_number("time_limit", self.time_limit, minimum=0, above=True),
            "iterations": None
            if self.iterations is None
            else check_integer("iterations", self.iterations, minimum=1),
            "seed": check_integer("seed", self.seed, minimum=0),
            "sync_rounds": check_integer("sync_rounds", self.sync_rounds, minimum=0),
            "continuity_minutes": check_number(
                "continuity_minutes", self.continuity_minutes, minimum=0
            ),
            "balance": check_number("balance", self.balance, minimum=0),
            "co2_kg_per_km": None
            if self.co2_kg_per_km is None
            else check_number("co2_kg_per_km", self.co2_kg_per_km, minimum=0),
            "fill": bool(self.fill),
            "change_minutes": check_number("change_minutes", self.change_minutes, minimum=0),
            "let_go": check_integer("let_go", self.let_go, minimum=0),
            "max_late_minutes": math.inf
            if isinstance(self.max_late_minutes, float) and self.max_late_minutes == math.inf
            else check_number("max_late_minutes", self.max_late_minutes, minimum=0),
            "late_cost": check_number("late_cost", self.late_cost, minimum=0),
            "worst_late_cost": check_number("worst_late_cost", self.worst_late_cost, minimum=0),
            "same_carer_pairs": bool(self.same_carer_pairs),
            "improve_share": check_number(
                "improve_share", self.improve_share, minimum=0, maximum=0.95
            ),
        }
        for name, value in checked.items():  # numbers as numbers (a frozen class: set once)
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class WeekOptions(RoundsOptions):
    """How a week of rounds is searched: :class:`RoundsOptions` with a week's defaults.

    Parameters
    ----------
    time_limit : float, default 150
        Seconds of search for the whole week, shared between its days and passes (the last
        step, making room for visits still left out, comes after it).
    iterations : int, optional
        Instead of a time limit, the iterations of each day's search (in each pass): the same
        week on every machine.
    seed, sync_rounds : int
        As for :class:`RoundsOptions`.
    continuity_minutes : float, default 5
        The one weight of continuity: the travel minutes the plan would rather add than send
        a client a carer they do not know (not in the visit's ``preferred_carers`` and not
        serving them on another day of the week). 0 plans each day for travel alone.
    balance, co2_kg_per_km : float
        As for :class:`RoundsOptions`.
    fill, change_minutes, let_go : bool, float, int
        Not used by a week (a week's day is always filled with its whole team; it is not a
        re-plan).
    max_late_minutes, late_cost, worst_late_cost : float
        As for :class:`RoundsOptions` (each day's lateness weighed on its own).
    same_carer_pairs : bool
        As for :class:`RoundsOptions`.
    improve_share : float
        As for :class:`RoundsOptions` (each day's search).
    passes : int, default 2
        1: days in order, each following the faces met on earlier days; 2 or more: then each
        day again, its rounds reshuffled among faces its clients know for less travel (the
        week's time is shared evenly between the passes).
    searches : int, default 2
        How many searches of each day are made, each with its own seed, the best kept (served
        first, then the week's cost). With ``iterations`` the week is the same on every
        machine, whatever the number of workers.
    workers : int, optional
        How many of those searches run at once, as Dask tasks (one in this process when 1).
        Default: one per search, at most one per core. The week is the same for any number.

    Examples
    --------
    >>> WeekOptions().time_limit, WeekOptions().continuity_minutes
    (150.0, 5.0)
    """

    time_limit: float = 150.0
    continuity_minutes: float = 5.0
    passes: int = 2
    searches: int = 2
    workers: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "passes", check_integer("passes", self.passes, minimum=1))
        object.__setattr__(self, "searches", check_integer("searches", self.searches, minimum=1))
        if self.workers is not None:
            object.__setattr__(self, "workers", check_integer("workers", self.workers, minimum=1))
