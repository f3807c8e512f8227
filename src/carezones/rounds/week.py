"""A week of rounds with the same faces: :func:`plan_week` and :class:`Week`.

Clients (and the CQC) care that the same few carers come through the week. The week is planned
day by day on one travel matrix, each day by the same model and checks as
:func:`~carezones.rounds.plan_rounds`, with one weight traded against travel:
``continuity_minutes``, the travel minutes the plan would rather add than send a client a
carer they do not know. A carer is *known* to a client when named in the visit's
``preferred_carers`` or when they serve that client on another day of the week.

1. **First pass**, days in order: a carer is known when they served the client on an earlier
   day (so the first day is planned for travel alone, and each later day follows the faces
   already met). Each day's search starts from the day before's rounds: a carer's visits of
   yesterday become the same clients' visits today, where there are any.
2. **Polish** (``passes=2``, the default), days in order again, each day's search starting
   from its own plan: a carer is known when they serve the client on another day of the
   week, so the rounds are reshuffled among faces the clients already know for less travel,
   and a face that appears on this day only costs the weight, as it does in the week's count,
   so it is replaced where that is worth it.
   A day's new plan is kept when it serves more visits, or as many at a lower cost: travel
   plus ``continuity_minutes`` for each distinct carer of each client over the week.
3. **Fewer faces** (:mod:`~carezones.rounds.faces`): a carer a client meets on three days
   or fewer hands those visits to carers the client sees on other days, where every rule
   still holds and it adds less travel than the weight.
4. **Room for the visits left out**: each day's searches already make room for left-out
   visits by moving a visit or two to other carers (:mod:`~carezones.rounds.rescue`, faces
   the client knows tried first); after the fewer faces, each day tries once more.

Measured on Rutland (``benchmarks/week.py``, four runs), against planning each day alone for
travel: 33-35% fewer distinct carers per client for 0.3% more to 3.7% less travel, and two to
five fewer visits left unserved (``docs/performance.md`` has the runs; the changelog, what each
part changed).

The days follow each other, so they cannot be planned side by side; each day's search can:
it runs ``searches`` times (default 2), each with its own seed, as Dask tasks on ``workers``
processes at once (:class:`carezones.parallel.Tasks`), and the best is kept by the same rule
(served first, then the week's cost). The number of workers changes how long the week takes,
never the week.

Each day's plan passes the independent checker; :meth:`Week.check` runs it on every day. The
KPIs count the distinct carers each client sees in the week (mean, 90th percentile and the
distribution) besides the travel and the visits served.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError
from carezones.io.days import day_key, days_in, same_day
from carezones.parallel import Tasks, default_workers
from carezones.rounds.faces import DayPlan, fewer_faces
from carezones.rounds.model import eligible, team_halves
from carezones.rounds.options import RoundsOptions, WeekOptions
from carezones.rounds.reasons import Cause
from carezones.rounds.rescue import rescue
from carezones.rounds.result import Rounds, Week
from carezones.rounds.schedule import Routes, day_cost
from carezones.rounds.search import DayData, Solved, build_rounds, solve_day
from carezones.rounds.tables import (
    continuity_kpis,
    itineraries,
    shift_numbers,
    stack_days,
    stop_points,
    unserved_table,
)

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]

__all__ = ["SEED_STEP", "plan_week", "seeds"]

SEED_STEP = 7919  # between the seeds of a day's searches (each uses a few seeds after its own)


def seeds(seed: int, searches: int) -> list[int]:
    """Return the seeds of a day's searches: ``seed`` first (one search searches as before).

    Parameters
    ----------
    seed : int
        The week's seed.
    searches : int
        How many searches.

    Returns
    -------
    list of int
        One seed per search.

    Examples
    --------
    >>> seeds(0, 2)
    [0, 7919]
    """
    return [seed + SEED_STEP * i for i in range(searches)]


def plan_week(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    minutes: FloatArray | None = None,
    options: WeekOptions | None = None,
    client: Any = None,
    progress: bool = False,
) -> Week:
    """Plan a week (or any run of days) of rounds, each client seeing as few carers as it can.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`~carezones.io.read_visits` and :func:`~carezones.io.read_carers` with a
        ``day`` column: a date (``2026-12-07``) or a weekday (``Mon``). A carer has rows on
        the days they work (two rows on a day for a split shift). Carers' rows by weekday (a
        standing rota) work on every date of that weekday; carers without a ``day`` column
        work every day.
    network : RoadNetwork, optional
        The drive network (travel minutes, kilometres, the legs along the roads).
    minutes : array, optional
        Instead of a network: minutes between every carer row's home (first) and every visit,
        shape ``(len(carers) + len(visits),) * 2``.
    options : WeekOptions, optional
        How long to search (the whole week's time), the seed, the weight of continuity
        (``continuity_minutes``: the travel the plan would rather add than send a client a
        carer they do not know), the passes, and how many searches of each day are made and
        how many run at once; default :class:`~carezones.rounds.WeekOptions()`.
    client : dask.distributed.Client or str, optional
        Run each day's searches on this Dask client (or scheduler address) instead of a local
        cluster of ``options.workers`` processes.
    progress : bool
        Show a progress bar over the days.

    Returns
    -------
    Week
        Each day's :class:`~carezones.rounds.Rounds` and the week's KPIs.

    Raises
    ------
    ArgumentError
        When an option is not a value it can take, the visits have no day, or no carer works
        on their days.

    Examples
    --------
    Two days for six clients of the tiny synthetic county and three carers:

    >>> from carezones import WeekOptions, plan_week, read_carers, read_visits
    >>> from carezones.synthetic import example_week
    >>> points = clients.get_coordinates().to_numpy()
    >>> visits, carers = example_week(points[:6], points[6:9], days=2)
    >>> visits, carers = read_visits(visits, area=net), read_carers(carers, area=net)
    >>> week = plan_week(visits, carers, net, options=WeekOptions(iterations=100, workers=1))
    >>> week.kpis["carers_per_client_max"]
    2
    """
    t0 = _time.perf_counter()
    week_opts = WeekOptions() if options is None else options
    if not isinstance(week_opts, WeekOptions):
        raise ArgumentError(f"options must be a WeekOptions, not {type(week_opts).__name__}")
    weight, passes = week_opts.continuity_minutes, week_opts.passes
    workers = week_opts.workers or min(week_opts.searches, default_workers())
    # each day's search weighs continuity through its charges, not the preferences' weight
    opts = RoundsOptions(
        time_limit=week_opts.time_limit,
        iterations=week_opts.iterations,
        seed=week_opts.seed,
        sync_rounds=week_opts.sync_rounds,
        continuity_minutes=0.0,
        balance=week_opts.balance,
        co2_kg_per_km=week_opts.co2_kg_per_km,
        same_carer_pairs=week_opts.same_carer_pairs,
    )
    if "day" not in visits:
        raise ArgumentError(
            "the visits have no day column: give each visit its day (a date "
            "such as 2026-12-07 or a weekday such as Mon)"
        )
    labels = days_in(visits["day"])
    if not labels:
        raise ArgumentError("no visit has a day: give each visit its day")
    if "day" in carers and all(len(_carer_rows(carers, d)) == 0 for d in labels):
        raise ArgumentError(
            "no carer works on the visits' days: the carers' day column must name the same "
            "dates, or weekdays"
        )
    matrix = _Travel(visits, carers, network, minutes)
    halves = team_halves(carers["carer_id"].astype(str), carers["skills"])
    rows = {d: np.flatnonzero((visits["day"] == d).to_numpy()) for d in labels}
    plans: dict[str, Rounds] = {}
    pairs: dict[str, _Plan] = {}  # each day's visits served, travel and (client, carer) pairs
    solved: dict[str, tuple[Solved, RoundsOptions, pd.DataFrame, pd.DataFrame]] = {}  # kept
    steps: Any = [(p, d) for p in range(passes) for d in labels]
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="days", unit="day")
    t_search = _time.perf_counter()
    with Tasks(network, workers=workers, client=client) as tasks:
        for i, (p, d) in enumerate(steps):
            # each day's search gets an even share of what is left of the week's time
            left = opts.time_limit - (_time.perf_counter() - t_search)
            day_opts = replace(opts, time_limit=max(left / (len(labels) * passes - i), 0.5))
            t_day = _time.perf_counter()
            vday = visits.iloc[rows[d]].reset_index(drop=True)
            crow = _carer_rows(carers, d)
            cday = carers.iloc[crow].reset_index(drop=True)
            T = matrix.day(crow, rows[d])
            if not len(cday):
                plans[d] = _nobody(DayData(vday, cday, network, T), d)
                pairs[d] = _Plan(0, 0.0, frozenset())
                continue
            known = _known(plans, d, labels, first_pass=p == 0)
            # start from the day before's rounds (the first pass), or polish the day's own plan
            start = _initial(
                plans, [d] if p > 0 else _nearest(plans, d, labels), vday, cday, halves
            )
            job = _Job(
                vday, cday, T, day_opts, start, halves, _penalties(vday, cday, known, weight)
            )
            found = tasks.map(
                _search_day,
                [
                    replace(job, opts=replace(day_opts, seed=s))
                    for s in seeds(day_opts.seed, week_opts.searches)
                ],
            )
            others = frozenset().union(*(x.pairs for e, x in pairs.items() if e != d))
            scored = [(_summary(vday, cday, got, day_opts), got) for got in found]
            best, got = scored[0]
            for cand, g in scored[1:]:
                if _better(cand, best, others, weight):
                    best, got = cand, g
            if d not in pairs or _better(best, pairs[d], others, weight):
                day = DayData(vday, cday, network, T)
                plans[d] = _rounds(d, day, got, day_opts, _time.perf_counter() - t_day)
                pairs[d] = best
                solved[d] = (got, day_opts, vday, cday)
    # faces a client meets on a few days only hand their visits on where that is worth it
    kept = {
        d: DayPlan(v, c, got.d, got.routes, got.breaks, eligible(v, c))
        for d, (got, _, v, c) in solved.items()
    }
    changed = fewer_faces(kept, weight)
    for d, (got, day_opts, vday, cday) in solved.items():
        # fewer_faces may have made room: rescue the visits still left out once more
        k = kept[d]
        out = [j for j in sorted(got.reasons) if not got.off_road[len(cday) + j]]
        if out:
            known = _known(plans, d, labels, first_pass=False)
            routes, breaks = rescue(
                k.d,
                k.ok,
                cday["carer_id"].to_numpy(),
                k.routes,
                k.breaks,
                out,
                _penalties(vday, cday, known, weight),
            )
            served = {j for r in routes for j, _ in r}
            if any(j in served for j in out):
                k.routes, k.breaks = routes, breaks
                got = replace(
                    got, reasons={j: w for j, w in got.reasons.items() if j not in served}
                )
                changed.add(d)
        if d not in changed:
            continue
        got = replace(got, routes=k.routes, breaks=k.breaks)
        searched = plans[d].kpis["seconds"]  # a rebuilt day's seconds include its search
        t_day = _time.perf_counter()
        day = DayData(vday, cday, network, got.d.T)
        plans[d] = _rounds(d, day, got, day_opts, searched + _time.perf_counter() - t_day)
    plans = dict(sorted(plans.items(), key=lambda kv: day_key(kv[0])))
    return Week(plans, _week_kpis(plans, visits, _time.perf_counter() - t0), visits, carers)


def _rounds(label: str, day: DayData, got: Solved, opts: RoundsOptions, seconds: float) -> Rounds:
    """Return a searched day as :class:`Rounds` (itineraries along the roads, KPIs)."""
    itin = itineraries(day.visits, day.carers, got.d, got.routes, got.breaks, day.network)
    return build_rounds(day, itin, got.reasons, got.off_road, opts, seconds=seconds, label=label)


@dataclass(frozen=True)
class _Job:
    """One search of a day: what :func:`_search_day` needs besides the network."""

    visits: pd.DataFrame
    carers: pd.DataFrame
    T: FloatArray
    opts: RoundsOptions
    initial: Routes | None
    halves: dict[str, int]
    penalties: FloatArray | None


def _search_day(network: RoadNetwork | None, job: _Job) -> Solved:
    """Search one day (a task: here, or in a Dask worker that holds the network)."""
    day = DayData(job.visits, job.carers, network, job.T)
    return solve_day(day, job.opts, penalties=job.penalties, initial=job.initial, halves=job.halves)


def _carer_rows(carers: pd.DataFrame, day: str) -> npt.NDArray[np.int64]:
    """Return the carer rows working on ``day`` (all of them when the carers have no day)."""
    if "day" not in carers:
        return np.arange(len(carers))
    return np.flatnonzero([same_day(str(c), day) for c in carers["day"]])


class _Travel:
    """Travel minutes for every day from one matrix over the week's distinct places."""

    def __init__(
        self, visits: pd.DataFrame, carers: pd.DataFrame, network: Any, minutes: Any
    ) -> None:
        self.n_c = len(carers)
        n = self.n_c + len(visits)
        if minutes is not None:
            self.U = np.asarray(minutes, dtype=float)
            if self.U.shape != (n, n):
                raise ValueError(f"minutes must be {(n, n)} (every carer row first, then visits)")
            self.pid = np.arange(n)
            return
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        pts = stop_points(visits, carers)
        uniq, self.pid = np.unique(pts, axis=0, return_inverse=True)
        self.pid = self.pid.reshape(-1)
        self.U = np.asarray(network.travel_times(uniq), dtype=float)

    def day(self, carer_rows: npt.NDArray[np.int64], visit_rows: npt.NDArray[np.int64]) -> Any:
        """Return the matrix of one day: its carer rows' homes first, then its visits."""
        idx = self.pid[np.r_[carer_rows, self.n_c + visit_rows].astype(np.int64)]
        T = self.U[np.ix_(idx, idx)].copy()
        np.fill_diagonal(T, 0.0)
        return T


def _known(
    plans: dict[str, Rounds], day: str, labels: list[str], *, first_pass: bool
) -> dict[str, set[str]]:
    """Return client -> the carers they know: who serve them on the other days planned.

    In the first pass, the earlier days; in the later ones, every other day (so that the
    day's rounds may be reshuffled among known faces for less travel, and a face seen on
    this day only costs what it adds to the week's count).
    """
    out: dict[str, set[str]] = {}
    for d, r in plans.items():
        if d == day or (first_pass and labels.index(d) > labels.index(day)):
            continue
        v = r.itineraries[r.itineraries["kind"] == "visit"]
        for client, carer in zip(
            v["client_id"].astype(str), v["carer_id"].astype(str), strict=True
        ):
            out.setdefault(client, set()).add(carer)
    return out


VISIT_KEY = ["client_id", "window_start", "window_end", "duration_minutes", "carers_required"]


def _nearest(plans: dict[str, Rounds], day: str, labels: list[str]) -> list[str]:
    """Return the days planned before ``day``, the nearest first."""
    pos = labels.index(day)
    return sorted((d for d in plans if labels.index(d) < pos), key=lambda d: -labels.index(d))


def _initial(
    plans: dict[str, Rounds],
    others: list[str],
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    halves: dict[str, int],
) -> Routes | None:
    """Return rounds to start a day's search from: each carer's round on the first of ``others``.

    ``others`` are planned days (the day itself, to polish its plan; or earlier days, nearest
    first). A visit of a carer's round there becomes the same client's visit with the same
    window and length today (if any, and not already taken); the search places the rest.
    """
    if not others:
        return None
    free: dict[tuple[Any, ...], list[int]] = {}
    for j, key in enumerate(visits[VISIT_KEY].itertuples(index=False, name=None)):
        free.setdefault(tuple(key), []).append(j)
    rounds = {d: _rounds_by_shift(plans[d]) for d in others}
    required = visits["carers_required"].to_numpy()
    taken: set[tuple[int, int]] = set()
    routes: Routes = [[] for _ in range(len(carers))]
    shift_no = shift_numbers(carers)
    for c, cid in enumerate(carers["carer_id"].astype(str)):
        # the carer's round on the first of the other days they work this shift
        mine = next((r for d in others if (r := rounds[d].get((cid, int(shift_no[c]))))), [])
        for key in mine:
            for j in free.get(key, []):
                k0 = halves.get(cid, 0) if required[j] == 2 else 0
                k = k0 if (j, k0) not in taken else 1 - k0
                if k < int(required[j]) and (j, k) not in taken:
                    taken.add((j, k))
                    routes[c].append((j, k))
                    break
    return routes


def _rounds_by_shift(r: Rounds) -> dict[tuple[str, int], list[tuple[Any, ...]]]:
    """Return (carer, shift) -> the :data:`VISIT_KEY` of each visit of its round, in order."""
    v = r.itineraries[r.itineraries["kind"] == "visit"]
    key = dict(
        zip(
            r.visits["visit_id"],
            r.visits[VISIT_KEY].itertuples(index=False, name=None),
            strict=True,
        )
    )
    out: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for cid, shift, vid in zip(
        v["carer_id"].astype(str), v["shift"].astype(int), v["visit_id"], strict=True
    ):
        out.setdefault((cid, shift), []).append(key[vid])
    return out


def _penalties(
    visits: pd.DataFrame, carers: pd.DataFrame, known: dict[str, set[str]], weight: float
) -> FloatArray | None:
    """Return carer row x visit: the minutes charged for a carer the client does not know.

    A carer the visit's ``preferred_carers`` name costs nothing; one the client meets on
    another day costs nothing too, or half the weight when the client has stated
    preferences; anyone else the whole weight (nothing is charged while the client knows no
    one).
    """
    if weight <= 0:
        return None
    ids = carers["carer_id"].astype(str).to_numpy()
    pen = np.zeros((len(carers), len(visits)))
    prefs = visits["preferred_carers"] if "preferred_carers" in visits else None
    for j, client in enumerate(visits["client_id"].astype(str)):
        met = list(known.get(client, ()))
        stated = list(prefs.iat[j]) if prefs is not None else []
        if stated:
            pen[:, j] = np.where(np.isin(ids, met), weight / 2, weight)
            pen[np.isin(ids, stated), j] = 0.0
        elif met:
            pen[:, j] = np.where(np.isin(ids, met), 0.0, weight)
    return pen


@dataclass(frozen=True)
class _Plan:
    """A day's plan as the week weighs it: visits served, travel, (client, carer) pairs."""

    served: int
    travel: float
    pairs: frozenset[tuple[str, str]]


def _summary(visits: pd.DataFrame, carers: pd.DataFrame, got: Solved, opts: RoundsOptions) -> _Plan:
    """Return what the week weighs of a day's search: served, travel minutes, faces.

    Lateness, when weighed, counts as travel (:func:`~carezones.rounds.schedule.day_cost`).
    """
    clients = visits["client_id"].astype(str).to_numpy()
    ids = carers["carer_id"].astype(str).to_numpy()
    faces = {(clients[j], ids[c]) for c, route in enumerate(got.routes) for j, _ in route}
    cost = day_cost(got.d, got.routes, opts.late_cost, opts.worst_late_cost)
    return _Plan(len(visits) - len(got.reasons), cost, frozenset(faces))


def _better(new: _Plan, old: _Plan, others: frozenset[tuple[str, str]], weight: float) -> bool:
    """Keep a day's plan that serves more, or as many at a lower cost for the week.

    The cost is the travel plus ``weight`` minutes for each distinct carer of each client
    over the week (``others``: the (client, carer) pairs of the other days).
    """
    if new.served != old.served:
        return new.served > old.served
    a = new.travel + weight * len(new.pairs | others)
    b = old.travel + weight * len(old.pairs | others)
    return a < b - 1e-9


def _nobody(day: DayData, label: str) -> Rounds:
    """Return a day on which no carer works: every visit unserved, with that reason."""
    from carezones.rounds.reasons import Reason
    from carezones.rounds.tables import COLUMNS, kpis

    itin = pd.DataFrame(columns=COLUMNS)
    why = Reason(Cause.NOBODY_WORKS, "no carer works on this day")
    unserved = unserved_table(day.visits, dict.fromkeys(range(len(day.visits)), why))
    numbers = kpis(day.visits, itin, unserved, 0.0)
    network = day.network
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(
        itin,
        unserved,
        numbers,
        day.visits,
        day.carers,
        day.T,
        attribution=attribution,
        synthetic=synthetic,
        network=network,
        day=label,
    )


def _week_kpis(plans: dict[str, Rounds], visits: pd.DataFrame, seconds: float) -> dict[str, Any]:
    """Return the week's totals, continuity and each day's numbers."""
    ks = [r.kpis for r in plans.values()]

    def total(name: str) -> float:
        return float(sum(k[name] for k in ks))

    km = [k["travel_km"] for k in ks if k.get("travel_km") is not None]
    out: dict[str, Any] = {
        "days": len(plans),
        "visits": len(visits),
        "visits_served": int(total("visits_served")),
        "visits_unserved": int(total("visits_unserved")),
        "care_minutes": total("care_minutes"),
        "travel_minutes": total("travel_minutes"),
        "waiting_minutes": total("waiting_minutes"),
        "visits_late": int(total("visits_late")),
        "late_minutes_total": total("late_minutes_total"),
        "late_minutes_worst": max((float(k["late_minutes_worst"]) for k in ks), default=0.0),
        "working_minutes": total("working_minutes"),
        "travel_km": float(sum(km)) if km else None,
    }
    if all("co2_kg" in k for k in ks) and ks:
        out["co2_kg"] = total("co2_kg")
    out.update(continuity_kpis(stack_days({d: r.itineraries for d, r in plans.items()})))
    out["seconds"] = round(seconds, 2)
    keep = (
        "visits",
        "visits_served",
        "visits_unserved",
        "carers_used",
        "travel_minutes",
        "travel_km",
        "care_minutes",
        "waiting_minutes",
    )
    out["by_day"] = {d: {k: r.kpis.get(k) for k in keep} for d, r in plans.items()}
    return out
