"""One zone's (or one provider's) day: size its team, plan its rounds, check them.

:func:`plan_zone_day` is the unit of work that runs as one Dask task: it takes the road
network (sent to each worker once) and a :class:`ZoneTask`, and returns a :class:`ZoneDay`. It
is deterministic for its inputs: the seed of each zone comes from the run's seed and the zone's
name, never from the order the tasks run in.

A zone (or provider) none of whose clients has a visit on the day (a client of a few hours a
week is not visited every day) has an empty day: no team, no rounds, nothing to plan.

When the sized team leaves visits unserved for want of room (no room in any round, two carers
who cannot meet, a shift that ends too soon), the team grows by the carers those visits need
in their slots of the day and the day is planned again, up to ``resize`` times: the carers
needed are then those the rounds show are needed, not only what the sizing rule expects.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.county.costs import marginal_travel
from carezones.county.teams import SLOTS, TeamRule, size_team, team_shifts
from carezones.io import carers_table
from carezones.rounds import Rounds, RoundsOptions, plan_rounds
from carezones.rounds.reasons import CAPACITY
from carezones.rounds.tables import COLUMNS, kpis, stop_points, unserved_table

if TYPE_CHECKING:
    from carezones.network import RoadNetwork
    from carezones.rounds.checker import Violation

__all__ = ["ZoneDay", "ZoneTask", "plan_zone_day"]


@dataclass(frozen=True)
class ZoneTask:
    """What one zone's day needs: its visits, where its carers may live, the rules.

    Parameters
    ----------
    key : str
        The zone's or provider's name (carer ids start with it; its seed comes from it).
    visits : pandas.DataFrame
        The zone's visits (from :func:`carezones.read_visits`).
    homes : numpy.ndarray
        Candidate homes of its carers, ``(n, 2)`` lon/lat.
    carers : pandas.DataFrame, optional
        Real shifts (from :func:`carezones.read_carers`) instead of a sized team.
    rule : TeamRule, optional
        How the team is sized.
    iterations : int, default 2000
        Search iterations of each solve (an iteration limit keeps results identical on every
        machine and with any number of workers).
    seed : int, default 0
        The run's seed.
    resize : int, default 1
        How many times the team may grow and the day be planned again.
    whole : bool, default False
        Send the day's rounds back whole (for the providers' maps of the rounds); otherwise
        only what the report needs (numbers, itineraries without their lines, marginal travel).

    Examples
    --------
    >>> import numpy as np
    >>> from carezones.county.plan import day_of_visits
    >>> homes = np.column_stack([net.lon[net.junction_nodes], net.lat[net.junction_nodes]])
    >>> task = ZoneTask("Caldwell", day_of_visits(clients.head(4)), homes, iterations=50)
    >>> len(task.visits), task.rule.utilisation
    (8, 0.8)
    """

    key: str
    visits: pd.DataFrame
    homes: npt.NDArray[np.float64]
    carers: pd.DataFrame | None = None
    rule: TeamRule = field(default_factory=TeamRule)
    iterations: int = 2000
    seed: int = 0
    resize: int = 1
    whole: bool = False


@dataclass(frozen=True)
class ZoneDay:
    """A zone's planned day, as a task sends it back: its numbers, stops, team and check.

    Parameters
    ----------
    key : str
        The zone's or provider's name.
    kpis : dict
        The day's numbers (as :attr:`carezones.Rounds.kpis`).
    itineraries : pandas.DataFrame
        Every carer's stops (as :attr:`carezones.Rounds.itineraries`, without the ``leg``
        lines unless the task asked for the rounds whole).
    unserved : pandas.DataFrame
        ``visit_id, reason, cause, client_id`` of every visit not served.
    marginal : pandas.DataFrame
        Each served visit's marginal travel (:func:`carezones.county.marginal_travel`).
    team : dict
        Shifts by kind (``early``, ``split``, ``late``) and ``carers``, or only ``carers``
        for real shifts.
    resized : int
        How many times the team grew.
    problems : list
        The checker's findings (empty: every rule kept).
    rounds : Rounds, optional
        The whole rounds (without the network), when the task asked for them.

    Examples
    --------
    >>> day = plan.days["Caldwell"]
    >>> day.team, day.resized, day.problems
    ({'early': 1, 'split': 1, 'late': 3, 'carers': 5}, 1, [])
    """

    key: str
    kpis: dict[str, Any]
    itineraries: pd.DataFrame
    unserved: pd.DataFrame
    marginal: pd.DataFrame
    team: dict[str, int]
    resized: int
    problems: list[Violation]
    rounds: Rounds | None = None

    @classmethod
    def of(cls, key: str, rounds: Rounds, team: dict[str, int], resized: int) -> ZoneDay:
        """Return a zone's day from its rounds, checked, as a task sends it back (light).

        Parameters
        ----------
        key : str
            The zone's or provider's name.
        rounds : Rounds
            The day's rounds.
        team : dict
            Shifts by kind and ``carers``.
        resized : int
            How many times the team grew.

        Returns
        -------
        ZoneDay
            Its numbers, stops (without their lines), unserved visits with their clients,
            marginal travel and the checker's findings; the rounds themselves are left out.

        Examples
        --------
        >>> day = ZoneDay.of("Caldwell", rounds, {"carers": 3}, 0)
        >>> day.kpis["visits"], day.rounds is None, "leg" in day.itineraries
        (20, True, False)
        """
        cid = rounds.visits.set_index("visit_id")["client_id"]
        unserved = rounds.unserved.assign(client_id=rounds.unserved["visit_id"].map(cid))
        return cls(
            key,
            rounds.kpis,
            rounds.itineraries.drop(columns="leg"),
            unserved,
            marginal_travel(rounds),
            team,
            resized,
            rounds.check(),
        )


def zone_seed(seed: int, key: str) -> int:
    """Return a zone's own seed, from the run's seed and its name (order does not matter).

    Parameters
    ----------
    seed : int
        The run's seed.
    key : str
        The zone's or provider's name.

    Returns
    -------
    int
        A seed from 0 to 2**31 - 2.

    Examples
    --------
    >>> zone_seed(0, "Caldwell"), zone_seed(1, "Caldwell")
    (1238227885, 1239227888)
    """
    return (seed * 1_000_003 + zlib.crc32(key.encode("utf-8"))) % (2**31 - 1)


def plan_zone_day(network: RoadNetwork, task: ZoneTask) -> ZoneDay:
    """Size the team (unless given), plan the day's rounds and check them.

    Parameters
    ----------
    network : RoadNetwork
        The drive network (travel times by the built-in engine, so that every worker gives the
        same answer).
    task : ZoneTask
        The zone's visits, candidate homes and rules.

    Returns
    -------
    ZoneDay
        The day's numbers, stops, marginal travel, team and the checker's findings (an
        empty list: every rule kept); the rounds whole only when the task asks.

    Examples
    --------
    >>> import numpy as np
    >>> from carezones.county.plan import day_of_visits
    >>> homes = np.column_stack([net.lon[net.junction_nodes], net.lat[net.junction_nodes]])
    >>> task = ZoneTask("Caldwell", day_of_visits(clients.head(4)), homes, iterations=50)
    >>> day = plan_zone_day(net, task)
    >>> day.team, day.problems, day.kpis["visits_served"]
    ({'early': 1, 'split': 1, 'late': 1, 'carers': 3}, [], 8)
    """
    seed = zone_seed(task.seed, task.key)
    visits = task.visits
    if len(visits) == 0 and (task.carers is None or len(task.carers) == 0):
        team = {"carers": 0} if task.carers is not None else dict(NO_TEAM)
        return _day(task, _no_visits(network, task, seed), team, 0)
    if task.carers is not None:
        carers, team = task.carers, {"carers": int(task.carers["carer_id"].nunique())}
        rounds = _plan(network, visits, carers, task, seed, fill=True)
        return _day(task, rounds, team, 0)
    team = size_team(visits, _nearest_minutes(network, visits), task.rule)
    resized = 0
    while True:
        carers = _team(team, task, seed)
        last = resized >= task.resize
        # a first look without the (slow) fill step says whether the team is big enough: if
        # no visit is left for want of room, there is nothing for the fill step to put back
        rounds = _plan(network, visits, carers, task, seed, fill=last)
        extra = _extra_shifts(rounds, visits, task.rule)
        if last or not sum(extra.values()):
            break
        team = {k: team.get(k, 0) + extra.get(k, 0) for k in ("early", "split", "late")}
        team["carers"] = team["early"] + team["split"] + team["late"]
        resized += 1
    return _day(task, rounds, team, resized)


def _day(task: ZoneTask, rounds: Rounds, team: dict[str, int], resized: int) -> ZoneDay:
    """Return the day to send back: whole rounds (without the network) only when asked."""
    day = ZoneDay.of(task.key, rounds, team, resized)
    return replace(day, rounds=replace(rounds, network=None)) if task.whole else day


NO_TEAM = {"early": 0, "split": 0, "late": 0, "carers": 0}


def _no_visits(network: RoadNetwork, task: ZoneTask, seed: int) -> Rounds:
    """Return the day of a zone with no visit: no carer, no stop, nothing unserved."""
    somewhere = np.array([[0.0, 51.5]])  # the shifts' layout, without a row
    carers = _team({"early": 1}, replace(task, homes=somewhere), seed).iloc[:0]
    stops = pd.DataFrame(columns=COLUMNS)
    unserved = unserved_table(task.visits, {})
    return Rounds(
        stops,
        unserved,
        kpis(task.visits, stops, unserved, 0.0),
        task.visits,
        carers,
        np.zeros((0, 0)),
        attribution=network.provenance.attribution,
        synthetic=bool(network.provenance.synthetic),
        network=network,
    )


def _team(team: dict[str, int], task: ZoneTask, seed: int) -> pd.DataFrame:
    raw = team_shifts(team, task.homes, prefix=f"{task.key}-K", rule=task.rule, seed=seed)
    carers = carers_table(raw.drop(columns="shift_kind"))  # made here: no row checks again
    carers["shift_kind"] = raw["shift_kind"].to_numpy()
    return carers


def _plan(
    network: RoadNetwork,
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    task: ZoneTask,
    seed: int,
    fill: bool,
) -> Rounds:
    minutes = network.travel_times(stop_points(visits, carers), engine="builtin")
    opts = RoundsOptions(iterations=task.iterations, seed=seed, time_limit=3600.0, fill=fill)
    return plan_rounds(visits, carers, network, minutes=minutes, options=opts)


def _nearest_minutes(network: RoadNetwork, visits: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Per visit, road minutes from its place to the nearest other place of the visits."""
    if len(visits) == 0:
        return np.zeros(0)
    pts = np.column_stack([visits.geometry.x.to_numpy(), visits.geometry.y.to_numpy()])
    uniq, inv = np.unique(pts, axis=0, return_inverse=True)
    if len(uniq) < 2:
        return np.zeros(len(visits))
    t = network.travel_times(uniq, engine="builtin")
    np.fill_diagonal(t, np.inf)
    near = t.min(axis=1)
    return np.asarray(near[np.asarray(inv).ravel()], dtype=float)


def _extra_shifts(rounds: Rounds, visits: pd.DataFrame, rule: TeamRule) -> dict[str, int]:
    """Return the shifts to add for visits left out for want of room, by their slot."""
    short = rounds.unserved[rounds.unserved["cause"].isin({str(c) for c in CAPACITY})]
    if short.empty:
        return {}
    v = visits[visits["visit_id"].isin(set(short["visit_id"]))]
    extra = {"early": 0, "split": 0, "late": 0}
    for slot, (lo, hi) in SLOTS.items():
        s = v[(v["window_start"] >= lo) & (v["window_start"] < hi)]
        if s.empty:
            continue
        work = float((s["duration_minutes"] * s["carers_required"]).sum())
        span = float((s["window_end"] + s["duration_minutes"]).max() - s["window_start"].min())
        n = max(
            math.ceil(work / max(span * rule.utilisation, 1.0)),
            2 if (s["carers_required"] >= 2).any() else 1,
        )
        kind = {"morning": "split", "lunch": "early", "tea": "late", "bed": "late"}[slot]
        extra[kind] += n
    return extra
