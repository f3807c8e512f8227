"""The routing model: a day's rounds (or a VRPTW instance) as PyVRP's problem, solved.

This is the one place that talks to PyVRP (Wouda, Lan and Kool, 2024). A
:class:`RoutingProblem` is a routing problem in PyVRP's integer units: depots, clients
(time windows, service, optional loads and prizes), vehicle types (shifts, capacities,
routing profiles, overtime) and one travel matrix per profile; :func:`solve_routing` turns it
into PyVRP's ``ProblemData`` (:func:`pyvrp_data`) and runs the iterated local search.

:func:`solve` models a day's rounds on it: each carer row's shift is a vehicle leaving and
returning home, each visit (each carer of it: a *copy*) an optional client with a prize, the
visits a carer may not make out of reach in that carer's profile. A new rule for rounds goes
here (what the search may do), in :mod:`~carezones.rounds.schedule` (the exact day) and in
:mod:`~carezones.rounds.checker` (the independent check).
:func:`carezones.rounds.vrptw.solve_vrptw` builds Solomon's instances on the same core.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from carezones.rounds.late import late_limits, tiers
from carezones.rounds.reasons import Cause, Reason

if TYPE_CHECKING:
    import pandas as pd

    from carezones.rounds.pairs import Pairs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

PRIZE = 10_000_000  # seconds of travel a served visit is worth: serve all that can be served
SYNC_SLACK = 10  # minutes of its window both carers of a double-handed visit aim at
FORBIDDEN = 100_000_000  # travel seconds into a visit a carer may not make
BALANCE_UNIT = 10  # cost units per travel second when workload balance is weighted
UNBOUNDED = int(np.iinfo(np.int64).max)  # PyVRP's "no limit" for windows and shifts
Pin = float | tuple[float, float]
"""When a copy must start: at a minute, or within ``(earliest, latest)`` minutes."""


# ---------------------------------------------------------------------- the routing core
@dataclass(frozen=True)
class RoutingClient:
    """A client of a :class:`RoutingProblem` (times in the matrices' unit).

    ``demand`` is its load (``None``: the problem has no loads); an optional client
    (``required=False``) is worth ``prize`` when served; ``group`` is its place in
    :attr:`RoutingProblem.groups` (at most one client of a group is served). The other fields
    are keywords of PyVRP's ``Client``.
    """

    service_duration: int
    tw_early: int
    tw_late: int
    demand: int | None = None
    prize: int = 0
    required: bool = True
    group: int | None = None


@dataclass(frozen=True)
class RoutingVehicle:
    """A vehicle type of a :class:`RoutingProblem`: ``num_available`` identical vehicles.

    Each leaves depot ``depot`` no earlier than ``tw_early`` and is back by ``tw_late``, works
    at most ``shift_duration`` (plus up to ``max_overtime`` at ``unit_overtime_cost`` a unit),
    carries at most ``capacity`` (``None``: no loads), travels on routing profile ``profile``
    and pays ``unit_distance_cost`` per unit of its cost matrix. The fields but ``depot`` (where
    it starts and ends) and ``capacity`` are keywords of PyVRP's ``VehicleType``.
    """

    depot: int
    tw_early: int = 0
    tw_late: int = UNBOUNDED
    num_available: int = 1
    capacity: int | None = None
    shift_duration: int = UNBOUNDED
    unit_distance_cost: int = 1
    profile: int = 0
    max_overtime: int = 0
    unit_overtime_cost: int = 0
    name: str = ""


@dataclass
class RoutingProblem:
    """A routing problem in integer units, ready for PyVRP.

    Locations are the depots first (one each, ``depots`` holding their opening windows), then
    the clients in order. ``durations`` holds one square travel-time matrix over all locations
    per routing profile; ``costs`` the matching matrices the search minimises (``None``: the
    travel times themselves). ``initial`` (optional) is a solution to start the search from:
    routes as (vehicle type, client indices in order), each vehicle type used at most once.
    ``groups`` (optional) lists client indices of which at most one may be served (each
    client names its group in :attr:`RoutingClient.group`).
    """

    depots: list[tuple[int, int]]
    clients: list[RoutingClient]
    vehicles: list[RoutingVehicle]
    durations: list[IntArray]
    costs: list[IntArray] | None = None
    initial: list[tuple[int, list[int]]] | None = None
    groups: list[list[int]] | None = None


@dataclass
class RoutingResult:
    """The best solution found: each route as (vehicle type, client indices in order)."""

    routes: list[tuple[int, list[int]]]
    distance: int
    feasible: bool
    iterations: int


def pyvrp_data(problem: RoutingProblem) -> Any:
    """Turn a routing problem into PyVRP's ``ProblemData``.

    Parameters
    ----------
    problem : RoutingProblem
        Depots, clients, vehicle types and matrices.

    Returns
    -------
    pyvrp.ProblemData
        Location ``i`` at ``(i, 0)``; clients after the depots.
    """
    from pyvrp import Client, ClientGroup, Depot, Location, ProblemData, VehicleType

    n_d = len(problem.depots)
    n_loc = n_d + len(problem.clients)
    locations = [Location(x=float(i), y=0.0) for i in range(n_loc)]
    depots = [Depot(location=i, tw_early=a, tw_late=b) for i, (a, b) in enumerate(problem.depots)]
    clients = []
    for q, c in enumerate(problem.clients):
        kw = asdict(c)
        demand = kw.pop("demand")
        clients.append(Client(location=n_d + q, delivery=[] if demand is None else [demand], **kw))
    vehicle_types = []
    for v in problem.vehicles:
        kw = asdict(v)
        depot, capacity = kw.pop("depot"), kw.pop("capacity")
        cap = [] if capacity is None else [capacity]
        vehicle_types.append(VehicleType(capacity=cap, start_depot=depot, end_depot=depot, **kw))
    durations: list[Any] = problem.durations  # PyVRP's stubs type matrices loosely
    costs: list[Any] = problem.costs if problem.costs is not None else durations
    return ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=costs,
        duration_matrices=durations,
        groups=[ClientGroup(g, required=False) for g in problem.groups or []],
    )


def solve_routing(
    problem: RoutingProblem,
    seconds: float,
    seed: int,
    iterations: int | None = None,
    *,
    quiet: bool = False,
) -> RoutingResult:
    """Solve a routing problem with PyVRP's iterated local search.

    Parameters
    ----------
    problem : RoutingProblem
        The problem (see :func:`pyvrp_data`).
    seconds : float
        Time limit of the search, unless ``iterations`` is given.
    seed : int
        The search's seed.
    iterations : int, optional
        An iteration limit instead of the time limit: the same answer on every machine.
    quiet : bool
        Silence PyVRP's warning that its penalties hit their bound (tight days).

    Returns
    -------
    RoutingResult
        The best solution's routes, cost, feasibility and the iterations run.
    """
    from pyvrp import Route, Solution
    from pyvrp import solve as pyvrp_solve
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxIterations, MaxRuntime

    data = pyvrp_data(problem)
    stop = MaxIterations(iterations) if iterations is not None else MaxRuntime(seconds)
    start = None
    if problem.initial is not None:
        start = Solution(
            data, [Route(data, clients, vt) for vt, clients in problem.initial if clients]
        )
    with warnings.catch_warnings() if quiet else contextlib.nullcontext():
        if quiet:
            warnings.simplefilter("ignore", PenaltyBoundWarning)
        res = pyvrp_solve(
            data,
            stop,
            seed=seed,
            display=False,
            initial_solution=start,
            **_group_params(problem),
        )
    best = res.best
    return RoutingResult(
        routes=[
            (int(r.vehicle_type()), [int(a.idx) for a in r.schedule() if a.is_client()])
            for r in best.routes()
        ],
        distance=int(best.distance()),
        feasible=bool(best.is_feasible()),
        iterations=int(res.num_iterations),
    )


def _group_params(problem: RoutingProblem) -> dict[str, Any]:
    """Return the search's parameters when clients come in groups (none: PyVRP's defaults).

    The clients of a group share a place, and PyVRP keeps them out of each other's granular
    neighbours but not out of other clients': each client is given as many neighbours as
    PyVRP's default (50) counts places, so that groups do not crowd out the places nearby.
    """
    if not problem.groups:
        return {}
    from pyvrp import SolveParams
    from pyvrp.search import NeighbourhoodParams

    n = len(problem.clients)
    places = n - sum(len(g) - 1 for g in problem.groups)
    wide = min(round(NEIGHBOURS * n / max(places, 1)), n - 1)
    return {"params": SolveParams(neighbourhood=NeighbourhoodParams(num_neighbours=max(wide, 1)))}


NEIGHBOURS = 50  # PyVRP's default granular neighbours per client


# ---------------------------------------------------------------------- rounds on the core
def eligible(visits: pd.DataFrame, carers: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Carer row x visit: the carer has every skill the visit needs.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`~carezones.io.read_visits` and :func:`~carezones.io.read_carers`.

    Returns
    -------
    ndarray of bool
        Shape ``(len(carers), len(visits))``.
    """
    return np.array([[v <= c for v in visits["skills"]] for c in carers["skills"]], dtype=bool)


def impossible(visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray) -> dict[int, Reason]:
    """Visits no plan can serve, with the reason.

    Parameters
    ----------
    visits, carers : DataFrame
        The day.
    T : ndarray
        Travel minutes, carers' homes (one per carer row) first, then the visits.

    Returns
    -------
    dict
        Visit row -> why no carer can make it (skills, windows and shifts, a partner).
    """
    n_c = len(carers)
    ok = eligible(visits, carers)
    out: dict[int, Reason] = {}
    ss, se = carers["shift_start"].to_numpy(), carers["shift_end"].to_numpy()
    ids = carers["carer_id"].to_numpy()
    limits = late_limits(visits)
    for j, v in enumerate(visits.itertuples()):
        need = sorted(v.skills)
        if not ok[:, j].any():
            out[j] = Reason(Cause.NO_SKILL, f"no carer has the skill(s) {', '.join(need)}")
            continue
        go, back = T[:n_c, n_c + j], T[n_c + j, :n_c]
        start = np.maximum(ss + go, v.window_start)
        latest = v.window_end + limits[j]
        fits = ok[:, j] & (ss + go <= latest) & (start + v.duration_minutes + back <= se)
        if not fits.any():
            out[j] = Reason(
                Cause.NO_SHIFT_FITS,
                "no shift can reach it within its window (and get home before the shift ends)",
            )
        elif v.carers_required == 2 and len(set(ids[fits])) < 2:
            out[j] = Reason(
                Cause.NO_PARTNER,
                "double-handed, but only one carer has the skills and a shift that fits",
            )
    return out


def fair_shares(
    visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray, todo: list[int]
) -> FloatArray:
    """Each shift's fair share of the day's work (minutes): its length times the day's load.

    The load is the care (once per carer required), the breaks and an estimate of travel (the
    minutes from each visit's nearest other stop) over all shift time, at most 1.

    Parameters
    ----------
    visits, carers : DataFrame
        The day.
    T : ndarray
        Travel minutes, homes first.
    todo : list of int
        The visit rows to plan.

    Returns
    -------
    ndarray
        Minutes per carer row.
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
    return np.asarray(length * load, dtype=np.float64)


def team_halves(carer_ids: Any, skills: Any = None) -> dict[str, int]:
    """Each carer's half of the team (0 or 1), alternating in order of first appearance.

    The two carers of a double-handed visit come from different halves. A week keeps the
    halves of the whole team, so that partners stay partners from day to day; with
    ``skills`` (each carer row's set), carers alternate within each set of skills, so that
    both halves hold carers of every kind.
    """
    if skills is None:
        return {str(c): i % 2 for i, c in enumerate(dict.fromkeys(carer_ids))}
    kinds: dict[Any, int] = {}
    out: dict[str, int] = {}
    for c, s in zip(map(str, carer_ids), skills, strict=True):
        if c not in out:
            k = frozenset(s)
            out[c] = kinds.get(k, 0) % 2
            kinds[k] = kinds.get(k, 0) + 1
    return out


def _allowed(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    copies: list[tuple[int, int]],
    split: bool,
    halves: dict[str, int] | None = None,
    pairs: Pairs | None = None,
) -> npt.NDArray[np.bool_]:
    """Carer row x copy: may the carer make it (skills; the two halves of the team)."""
    ok = eligible(visits, carers)
    ids = carers["carer_id"].astype(str).to_numpy()
    team = team_halves(ids) if halves is None else halves
    half = np.array([team.get(c, 0) for c in ids])
    # a double-handed visit is split between the two halves of the team when both halves
    # have carers who can make it; otherwise both copies may go to anyone eligible
    allowed = np.zeros((len(carers), len(copies)), dtype=bool)
    for q, (j, k) in enumerate(copies):
        allowed[:, q] = ok[:, j]
        if split and visits["carers_required"].iat[j] == 2:
            part = ok[:, j] & (half == k)
            if (ok[:, j] & (half == 1 - k)).any() and part.any():
                allowed[:, q] = part
    if split and pairs is not None and pairs.links:
        _split_pairs(visits, copies, pairs, ok, half, allowed)
    return allowed


def _split_pairs(
    visits: pd.DataFrame,
    copies: list[tuple[int, int]],
    pairs: Pairs,
    ok: npt.NDArray[np.bool_],
    half: npt.NDArray[np.int64],
    allowed: npt.NDArray[np.bool_],
) -> None:
    """Send the two visits of each sequential pair to different halves of the team.

    Pairs alternate which half makes the first visit, and a pair is split only when both
    halves have carers who can make their visit. Where one carer may make both (the
    benchmark's rule) and the gap leaves room for the first visit, the pair is not split.
    """
    where = {j: q for q, (j, _) in enumerate(copies)}
    dur = visits["duration_minutes"].to_numpy(dtype=float)
    for i, link in enumerate(pairs.links):
        if link.first not in where or link.second not in where:
            continue
        if pairs.same_carer and link.hi >= dur[link.first]:
            continue
        for h in (i % 2, 1 - i % 2):
            one, two = ok[:, link.first] & (half == h), ok[:, link.second] & (half == 1 - h)
            if one.any() and two.any():
                allowed[:, where[link.first]] = one
                allowed[:, where[link.second]] = two
                break


CLIENT_COLUMNS = ("window_start", "window_end", "carers_required", "duration_minutes")


def _client(
    visits: dict[str, npt.NDArray[Any]],
    j: int,
    k: int,
    forced: dict[tuple[int, int], Pin],
    unit: int,
    aims: dict[int, float] | None = None,
) -> RoutingClient:
    """Copy ``k`` of visit ``j`` as an optional client (seconds): its window and prize.

    ``visits`` are the columns :data:`CLIENT_COLUMNS` as arrays (read once, not per copy);
    ``aims`` the minute each double-handed visit's stretch is centred on (default: the
    middle of its window). A copy in ``forced`` starts at its minute, or within its
    ``(earliest, latest)`` minutes and its window (the second visit of a sequential pair).
    """
    lo = round(float(visits["window_start"][j]) * 60)
    hi = round(float(visits["window_end"][j]) * 60)
    pin = forced.get((j, k))
    if isinstance(pin, tuple):
        lo, hi = max(lo, round(pin[0] * 60)), min(hi, round(pin[1] * 60))
        hi = max(hi, lo)
    elif pin is not None:
        lo = hi = round(pin * 60)
    elif visits["carers_required"][j] == 2 and hi - lo > SYNC_SLACK * 60:
        # both carers aim at the same short stretch of the window, so that one rarely
        # waits long for the other: where the rounds searched from served the visit, or
        # the middle of the window
        mid = round(aims[j] * 60) if aims and j in aims else (lo + hi) // 2
        mid = min(max(mid, lo + SYNC_SLACK * 30), hi - SYNC_SLACK * 30)
        lo, hi = mid - SYNC_SLACK * 30, mid + SYNC_SLACK * 30
    return RoutingClient(
        service_duration=round(float(visits["duration_minutes"][j]) * 60),
        tw_early=lo,
        tw_late=hi,
        prize=PRIZE * unit,
        required=False,
    )


def _late_clients(
    visits: dict[str, npt.NDArray[Any]],
    j: int,
    base: RoutingClient,
    steps: list[tuple[float, float]],
    unit: int,
    close: float | None = None,
) -> list[RoutingClient]:
    """Copy ``base`` of visit ``j`` once per step of lateness (:func:`~.late.tiers`).

    Each step may start up to its minutes after the window closes (or after ``close``) and is
    worth its cost less (travel seconds times ``unit``); the first is ``base`` itself (on time).
    """
    close = float(visits["window_end"][j]) if close is None else close
    out = [base]
    for after, cost in steps[1:]:
        late = UNBOUNDED if not np.isfinite(after) else round((close + after) * 60)
        out.append(
            replace(
                base, tw_late=max(base.tw_late, late), prize=base.prize - round(cost * 60 * unit)
            )
        )
    return out


def _profiles(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    T: FloatArray,
    copies: list[tuple[int, int]],
    allowed: npt.NDArray[np.bool_],
    continuity: float,
    penalties: FloatArray | None = None,
) -> tuple[list[IntArray], list[IntArray], list[int]]:
    """Travel seconds and costs per routing profile, and each carer row's profile.

    Carers who may make the same copies at the same continuity costs share a profile.
    ``penalties`` (carer row x visit, minutes) adds to the cost of each visit by each carer.
    """
    n_c = len(carers)
    point = np.r_[np.arange(n_c), [n_c + j for j, _ in copies]].astype(np.int64)
    sec = np.round(np.where(np.isfinite(T), T, FORBIDDEN / 60) * 60).astype(np.int64)
    base = sec[np.ix_(point, point)]
    np.fill_diagonal(base, 0)
    matrices: list[IntArray] = []
    costs: list[IntArray] = []
    profile_of: dict[bytes, int] = {}
    profiles: list[int] = []
    prefs = visits["preferred_carers"] if "preferred_carers" in visits else None
    for c in range(n_c):
        # serving a visit whose client prefers other carers costs `continuity` seconds more
        penalty = np.zeros(len(copies), dtype=np.int64)
        if prefs is not None and continuity > 0:
            cid = str(carers["carer_id"].iat[c])
            for q, (j, _) in enumerate(copies):
                if prefs.iat[j] and cid not in prefs.iat[j]:
                    penalty[q] = round(continuity * 60)
        if penalties is not None:
            extra = penalties[c, [j for j, _ in copies]] if copies else np.zeros(0)
            penalty += np.round(np.asarray(extra, dtype=float) * 60).astype(np.int64)
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
        profiles.append(profile_of[key])
    return matrices, costs, profiles


def _vehicle(
    carers: pd.DataFrame,
    c: int,
    profile: int,
    unit: int,
    targets: FloatArray | None,
    balance: float,
) -> RoutingVehicle:
    """Carer row ``c``'s shift as a vehicle from and to home (seconds).

    With workload balance, the shift's fair share is its nominal length and the rest of the
    shift is overtime at ``balance`` a minute.
    """
    mx = float(carers["max_minutes"].iat[c])
    s0, s1 = float(carers["shift_start"].iat[c]), float(carers["shift_end"].iat[c])
    cap = round(mx * 60) if np.isfinite(mx) else 2**62
    overtime, overtime_cost = 0, 0
    if unit > 1 and targets is not None:
        nominal = min(round(float(targets[c]) * 60), cap, round((s1 - s0) * 60))
        overtime = max(min(cap, round((s1 - s0) * 60)) - nominal, 0)
        overtime_cost = round(balance * unit)
        cap = nominal
    return RoutingVehicle(
        depot=c,
        tw_early=round(s0 * 60),
        tw_late=round(s1 * 60),
        shift_duration=cap,
        unit_distance_cost=unit,
        profile=profile,
        max_overtime=overtime,
        unit_overtime_cost=overtime_cost,
        name=str(carers["carer_id"].iat[c]),
    )


@dataclass(frozen=True)
class Stop:
    """How long one solve runs: its time limit (or iterations) and seed.

    Parameters
    ----------
    seconds : float
        Time limit (at least 0.1 s), unless ``iterations`` is given.
    seed : int
        The search's seed.
    iterations : int, optional
        An iteration limit instead of the time limit.

    Examples
    --------
    >>> Stop(1.0, seed=3, iterations=200).iterations
    200
    """

    seconds: float
    seed: int = 0
    iterations: int | None = None


@dataclass(frozen=True)
class Weights:
    """What one solve weighs besides travel, and where its search starts.

    Parameters
    ----------
    continuity : float
        Extra travel minutes for a carer the client does not prefer.
    targets : ndarray, optional
        Each carer row's fair share of work (:func:`fair_shares`), with ``balance``.
    balance : float
        Cost of a minute worked beyond the fair share, in travel minutes.
    penalties : ndarray, optional
        Carer row x visit: extra travel minutes the search is charged when that carer makes
        that visit (continuity across a week, stability when re-planning).
    initial : list of list of tuple, optional
        Rounds to start the search from (per carer row, ``(visit row, copy)`` pairs in order;
        pairs not planned are skipped): an earlier plan of the day, or the day before's.
    halves : dict, optional
        Carer id -> half of the team (:func:`team_halves`); default: this day's carers.
    aims : dict, optional
        Visit row -> the minute both carers of a double-handed visit aim at (the centre of
        a stretch of :data:`SYNC_SLACK` minutes within its window); default: the middle of
        the window.
    split_doubles : bool
        Keep the two carers of a double-handed visit apart (one of each half of the team),
        and the two visits of a sequential pair; ``False`` gives the relaxed reference of
        the benchmark.
    pairs : Pairs, optional
        The day's sequential pairs (:class:`~carezones.rounds.pairs.Pairs`): their two
        visits go to different halves of the team.
        Keep the two carers of a double-handed visit apart (one of each half of the team);
        ``False`` gives the relaxed reference of the benchmark.
    late_cost, worst_late_cost : float
        For visits that may start late (``max_late_minutes``): travel minutes per minute
        late, and per minute of the day's worst lateness (steps of :func:`~.late.tiers`).

    Examples
    --------
    >>> Weights().split_doubles, Weights(continuity=10).continuity
    (True, 10)
    """

    continuity: float = 0.0
    targets: FloatArray | None = None
    balance: float = 0.0
    penalties: FloatArray | None = None
    initial: list[list[tuple[int, int]]] | None = None
    halves: dict[str, int] | None = None
    aims: dict[int, float] | None = None
    split_doubles: bool = True
    pairs: Pairs | None = None
    late_cost: float = 0.0
    worst_late_cost: float = 0.0


def solve(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    T: FloatArray,
    todo: list[int],
    forced: dict[tuple[int, int], Pin],
    stop: Stop,
    weights: Weights | None = None,
) -> list[list[tuple[int, int]]]:
    """Solve the day once with PyVRP: the visit copies on each carer row's route, in order.

    Parameters
    ----------
    visits, carers : DataFrame
        The day (:func:`~carezones.io.read_visits`, :func:`~carezones.io.read_carers`).
    T : ndarray
        Travel minutes, the carers' homes (one per carer row) first, then the visits.
    todo : list of int
        The visit rows to plan (each optional, with a prize far above any travel saving).
    forced : dict
        ``(visit row, copy)`` -> the minute that copy must start, or the ``(earliest,
        latest)`` minutes it may start (synchronising).
    stop : Stop
        The time limit (or iterations) and seed.
    weights : Weights, optional
        What the search weighs besides travel and where it starts (default: travel alone).

    Returns
    -------
    list of list of tuple
        Per carer row, the ``(visit row, copy)`` pairs it serves, in order (copy 0 or 1 of a
        double-handed visit).

    Examples
    --------
    >>> todo = list(range(len(rounds.visits)))
    >>> routes = solve(rounds.visits, rounds.carers, rounds.minutes, todo, {}, Stop(1.0, 0, 100))
    >>> len(routes) == len(rounds.carers)
    True
    """
    w = Weights() if weights is None else weights
    continuity, targets, balance, penalties = w.continuity, w.targets, w.balance, w.penalties
    initial, halves = w.initial, w.halves
    n_c = len(carers)
    copies = [(j, k) for j in todo for k in range(int(visits["carers_required"].iat[j]))]
    allowed = _allowed(visits, carers, copies, w.split_doubles, halves, w.pairs)
    # costs are in tenths of a travel second when balancing, so that fractional weights count
    unit = BALANCE_UNIT if targets is not None and balance > 0 else 1
    columns = {name: visits[name].to_numpy() for name in CLIENT_COLUMNS}
    clients, owner, groups = copy_clients(columns, copies, forced, unit, (w, late_limits(visits)))
    # one matrix row per client (a copy's steps of lateness share its place)
    matrices, costs, profiles = _profiles(
        visits, carers, T, [copies[q] for q in owner], allowed[:, owner], continuity, penalties
    )
    start: list[tuple[int, list[int]]] | None = None
    if initial is not None:
        # a copy starts the search as its last client (the widest window: any start kept)
        where = {copies[q]: i for i, q in enumerate(owner)}
        start = []
        used: set[tuple[int, int]] = set()
        for c, r in enumerate(initial):
            mine = [where[q] for q in r if q in where and q not in used]
            used.update(copies[owner[i]] for i in mine)
            start.append((c, mine))
    problem = RoutingProblem(
        depots=[(0, UNBOUNDED)] * n_c,
        clients=clients,
        vehicles=[_vehicle(carers, c, profiles[c], unit, targets, balance) for c in range(n_c)],
        durations=matrices,
        costs=costs,
        initial=start,
        groups=groups or None,
    )
    # PyVRP warns when its penalties hit their bound on tight days; the schedule, repair
    # and checker that follow deal with whatever it returns
    res = solve_routing(problem, max(stop.seconds, 0.1), stop.seed, stop.iterations, quiet=True)
    routes: list[list[tuple[int, int]]] = [[] for _ in range(n_c)]
    for c, served in res.routes:
        routes[c] = [copies[owner[i]] for i in served]
    return routes


def copy_clients(
    columns: dict[str, npt.NDArray[Any]],
    copies: list[tuple[int, int]],
    forced: dict[tuple[int, int], Pin],
    unit: int,
    weights: tuple[Weights, FloatArray],
) -> tuple[list[RoutingClient], list[int], list[list[int]]]:
    """Return the clients of the copies, each client's copy, and the groups of late steps.

    A copy that may start late (and is not pinned) is one client per step of lateness
    (:func:`~carezones.rounds.late.tiers`), in a group of which at most one is served; any
    other copy is one client, as it always was.

    Parameters
    ----------
    columns : dict
        The visits' :data:`CLIENT_COLUMNS` as arrays.
    copies : list of tuple
        The ``(visit row, copy)`` pairs to plan.
    forced : dict
        Copies pinned to a start, or to a stretch of minutes (one client each).
    unit : int
        Cost units per travel second.
    weights : tuple
        The solve's :class:`Weights` (its late costs and aims) and each visit's lateness
        limit (:func:`~carezones.rounds.late.late_limits`).

    Returns
    -------
    clients : list of RoutingClient
        In order, a copy's steps together.
    owner : list of int
        Each client's index in ``copies``.
    groups : list of list of int
        The clients of each copy with steps.
    """
    w, limits = weights
    clients: list[RoutingClient] = []
    owner: list[int] = []
    groups: list[list[int]] = []
    for q, (j, k) in enumerate(copies):
        made = [_client(columns, j, k, forced, unit, w.aims)]
        pin = forced.get((j, k))
        if limits[j] > 0 and pin is None:
            steps = tiers(float(limits[j]), w.late_cost, w.worst_late_cost)
            made = _late_clients(columns, j, made[0], steps, unit)
        elif limits[j] > 0 and isinstance(pin, tuple):
            # a visit of a sequential pair kept near a time may still start later, at a cost
            close = max(float(columns["window_end"][j]), pin[1])
            steps = tiers(
                float(limits[j]) - (close - float(columns["window_end"][j])),
                w.late_cost,
                w.worst_late_cost,
            )
            made = _late_clients(columns, j, made[0], steps, unit, close)
        if len(made) > 1:
            made = [replace(c, group=len(groups)) for c in made]
            groups.append(list(range(len(clients), len(clients) + len(made))))
        clients += made
        owner += [q] * len(made)
    return clients, owner, groups
