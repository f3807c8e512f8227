"""One zone's (or one provider's) day: size its team, plan its rounds, check them.

:func:`plan_zone_day` is the unit of work that runs as one Dask task: it takes the road
network (sent to each worker once) and a :class:`ZoneTask`, and returns a :class:`ZoneDay`. It
is deterministic for its inputs: the seed of each zone comes from the run's seed and the zone's
name, never from the order the tasks run in.

A zone (or provider) none of whose clients has a visit on the day (a client of a few hours a
week is not visited every day) has an empty day: no team, no rounds, nothing to plan.

When the sized team leaves visits unserved for want of room (no room in any round, two carers
who cannot meet, a shift that ends too soon), the team grows by the carers those visits need
in their slots of the day and the day is planned again, up to ``resize`` times.

**Carers counted from the rounds.** The team planned (the rule's, grown) is the larger team;
the carers the zone needs are the fewest whose rounds serve every visit it serves. They are
found by searching down from it, not by a fixed cost per carer in the solver (which was tried
and lost visits and travel: see :mod:`carezones.rounds.fewer`): after the day is planned,
filled and rescued, the lightest carers (least care in their rounds) are tried one at a time
(``let_go``: a share of the team, for run time), and a carer goes when every visit of their
rounds fits in the others' rounds keeping every rule. The visits served are the same by
construction, and the rounds are checked again by the independent checker. The day reports
the rule's estimate, the team planned and the carers whose rounds hold a visit
(:func:`shifts_worked`): the shifts they work, their paid time (every shift part holding a
visit, whole: breaks counted as paid, an assumption) and their care time.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
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
from carezones.rounds.tables import COLUMNS, kpis, shift_numbers, stop_points, unserved_table

if TYPE_CHECKING:
    from carezones.network import RoadNetwork
    from carezones.rounds.checker import Violation

__all__ = ["LET_GO", "ZoneDay", "ZoneTask", "plan_zone_day", "shifts_worked", "zone_seed"]

LET_GO = 0.25  # share of a zone's team tried when letting carers go (the lightest first)


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
    let_go : float, default LET_GO
        The share of the team planned (at least one carer) tried, lightest first, when
        letting carers go whose visits fit in the others' rounds (0: the team planned works
        whole).

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
    let_go: float = LET_GO


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
        The team planned: shifts by kind (``early``, ``split``, ``late``) and ``carers``, or
        only ``carers`` for real shifts.
    resized : int
        How many times the team grew.
    problems : list
        The checker's findings (empty: every rule kept).
    rounds : Rounds, optional
        The whole rounds (without the network), when the task asked for them.
    estimate : int, optional
        The carers the sizing rule estimated, before the team grew (``None``: real shifts).
    worked : dict
        The carers whose rounds hold a visit, their shifts and time
        (:func:`shifts_worked`).

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
    estimate: int | None = None
    worked: dict[str, float] = field(default_factory=dict)

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
            worked=shifts_worked(rounds),
        )


def shifts_worked(rounds: Rounds) -> dict[str, float]:
    """Return the carers whose rounds hold a visit: their number, shifts and time.

    Parameters
    ----------
    rounds : Rounds
        A day's rounds (carers with a ``shift_kind`` for teams sized by the rule).

    Returns
    -------
    dict
        ``carers`` (whose rounds hold a visit), ``paid_minutes`` (every shift part holding a
        visit, whole), ``care_minutes`` (each carer's time at visits), and the carers by the
        shifts they work: ``early``, ``late``, ``split`` (both parts),
        ``split_morning``/``split_evening`` (one part only) and ``given`` (real shifts).

    Examples
    --------
    >>> shifts_worked(rounds)["carers"], shifts_worked(rounds)["given"]
    (3, 3)
    """
    it = rounds.itineraries
    v = it[it["kind"] == "visit"]
    busy = set(zip(v["carer_id"].astype(str), v["shift"].astype(int), strict=True))
    carers = rounds.carers
    ids = carers["carer_id"].astype(str).tolist()
    kinds = carers["shift_kind"].astype(str).tolist() if "shift_kind" in carers else None
    length = (carers["shift_end"] - carers["shift_start"]).to_numpy(dtype=float)
    parts: dict[str, list[bool]] = {}
    kind_of: dict[str, str] = {}
    paid = 0.0
    for i, (cid, n) in enumerate(zip(ids, shift_numbers(carers), strict=True)):
        works = (cid, int(n)) in busy
        parts.setdefault(cid, []).append(works)
        kind_of.setdefault(cid, kinds[i] if kinds is not None else "given")
        paid += float(length[i]) if works else 0.0
    count: Counter[str] = Counter()
    for cid, worked in parts.items():
        if not any(worked):
            continue
        kind = kind_of[cid]
        if kind == "split" and not all(worked):
            kind = "split_morning" if worked[0] else "split_evening"
        count[kind] += 1
    out: dict[str, float] = {
        "carers": sum(count.values()),
        "paid_minutes": paid,
        "care_minutes": float((v["end"] - v["start"]).sum()),
    }
    for kind in ("early", "split", "split_morning", "split_evening", "late", "given"):
        out[kind] = count.get(kind, 0)
    return out


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
        estimate = None if task.carers is not None else 0
        return _day(task, _no_visits(network, task, seed), team, 0, estimate)
    if task.carers is not None:
        carers, team = task.carers, {"carers": int(task.carers["carer_id"].nunique())}
        rounds = _plan(network, visits, carers, task, seed, fill=True)
        return _day(task, rounds, team, 0, None)
    team = size_team(visits, _nearest_minutes(network, visits), task.rule)
    estimate = team["carers"]
    resized = 0
    while True:
        carers = _team(team, task, seed)
        if resized >= task.resize:
            rounds = _plan(network, visits, carers, task, seed, fill=True)
            break
        # a first look without the (slow) fill step says whether the team is big enough: if
        # no visit is left for want of room, there is nothing for the fill step to put back.
        # It leaves out the legs along the roads (the report's kilometres), which a look
        # thrown away does not need: nearly every team grows, and a day kept as it is, is
        # planned again with them (the same search, so the same rounds)
        look = _plan(network, visits, carers, task, seed, fill=False, legs=False)
        extra = _extra_shifts(look, visits, task.rule)
        if not sum(extra.values()):
            rounds = _plan(network, visits, carers, task, seed, fill=False)
            break
        team = {k: team.get(k, 0) + extra.get(k, 0) for k in ("early", "split", "late")}
        team["carers"] = team["early"] + team["split"] + team["late"]
        resized += 1
    return _day(task, rounds, team, resized, estimate)


def _day(
    task: ZoneTask, rounds: Rounds, team: dict[str, int], resized: int, estimate: int | None
) -> ZoneDay:
    """Return the day to send back: whole rounds (without the network) only when asked."""
    day = replace(ZoneDay.of(task.key, rounds, team, resized), estimate=estimate)
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
    legs: bool = True,
) -> Rounds:
    """Plan the day on the team; ``legs=False``: a first look (no legs, no carer let go)."""
    minutes = network.travel_times(stop_points(visits, carers), engine="builtin")
    # carers are let go from the day's last plan: one filled, or one that left no visit out
    # for want of carers' time (the rounds engine decides; see RoundsOptions.let_go)
    tries = math.ceil(task.let_go * carers["carer_id"].nunique()) if legs else 0
    opts = RoundsOptions(
        iterations=task.iterations, seed=seed, time_limit=3600.0, fill=fill, let_go=tries
    )
    on = network if legs else None  # without it, no legs along the roads (the minutes given)
    return plan_rounds(visits, carers, on, minutes=minutes, options=opts)


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
