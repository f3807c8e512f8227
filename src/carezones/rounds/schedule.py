"""The exact day: times of every stop, breaks, repair and filling.

The search (:mod:`~carezones.rounds.model`) decides who visits whom in what order; this module
works out when. :func:`simulate` times every stop (waiting allowed, both carers of a
double-handed visit starting at the later arrival); :func:`schedule` also places each carer's
break whole in its window at the first stop where it fits; :func:`repair` drops the visits
that cannot be kept without breaking a rule, with the reason; :func:`fill` puts left-out
visits back where the whole day still keeps every rule.

Routes are, per carer row, lists of ``(visit row, copy)``: copy 0 or 1 of a double-handed
visit. Times are minutes after midnight.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from carezones.rounds.late import late_limits
from carezones.rounds.pairs import Pairs, pairs_from_tables, sequence_reason
from carezones.rounds.reasons import Cause, Reason

if TYPE_CHECKING:
    import pandas as pd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Routes = list[list[tuple[int, int]]]
Broken = tuple[str, int, int]  # (rule, carer row, visit), -1 where none applies

FILL_TRIES = 20  # whole-day checks per left-out visit when filling the rounds


@dataclass(slots=True)
class Stop:
    """One stop of a carer's day: ``kind`` is start, visit, break or end.

    ``copy`` is the ``(visit row, copy)`` served (visits only), ``loc`` the row of the travel
    matrix where it is, ``travel`` the minutes from the previous stop.
    """

    kind: str
    copy: tuple[int, int] | None
    loc: int
    arrival: float
    start: float
    end: float
    travel: float


@dataclass
class Day:
    """The day as plain arrays, for fast scheduling.

    ``T``: travel minutes (homes first); per visit ``ws, we`` (window), ``dur``, ``req``
    (carers required); per carer row ``ss, se`` (shift), ``bm, bws, bwe`` (break minutes and
    window) and ``mx`` (most working minutes); per visit ``late``, the minutes it may start
    after its window closes (default 0: hard windows; ``inf``: no limit); ``pairs``, the
    sequential pairs (:mod:`~carezones.rounds.pairs`).
    """

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
    late: FloatArray = field(default_factory=lambda: np.zeros(0))
    pairs: Pairs = field(default_factory=Pairs)
    _lists: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.late) != len(self.ws):  # none given: every window hard
            self.late = np.zeros(len(self.ws))

    def lists(self) -> Any:
        """Return the same arrays as Python lists, built once.

        The schedule reads them item by item, which lists answer several times faster.
        """
        if self._lists is None:
            names = ("ws", "we", "dur", "ss", "se", "bm", "bws", "bwe", "mx", "late")
            lists = {k: getattr(self, k).tolist() for k in names}
            self._lists = SimpleNamespace(T=self.T.tolist(), **lists)
        return self._lists

    def without_pairs(self) -> Day:
        """Return the same day with no sequential pairs (each visit timed on its own)."""
        return replace(self, pairs=Pairs((), self.pairs.carer_ids, self.pairs.same_carer))

    @classmethod
    def from_tables(
        cls,
        visits: pd.DataFrame,
        carers: pd.DataFrame,
        T: FloatArray,
        *,
        same_carer_pairs: bool = False,
    ) -> Day:
        """Build the arrays from the visits and carers tables and the travel minutes.

        Parameters
        ----------
        visits, carers : DataFrame
            The tables read by :mod:`carezones.io`.
        T : ndarray
            The travel matrix in minutes (its first rows are the carer rows' homes).
        same_carer_pairs : bool
            Whether one carer may make both visits of a sequential pair.

        Returns
        -------
        Day
            The same day as arrays.
        """

        def col(df: pd.DataFrame, name: str) -> FloatArray:
            return np.asarray(df[name].to_numpy(dtype=float), dtype=np.float64)

        return cls(
            T,
            len(carers),
            col(visits, "window_start"),
            col(visits, "window_end"),
            col(visits, "duration_minutes"),
            visits["carers_required"].to_numpy(dtype=np.int64),
            col(carers, "shift_start"),
            col(carers, "shift_end"),
            col(carers, "break_minutes"),
            col(carers, "break_window_start"),
            col(carers, "break_window_end"),
            col(carers, "max_minutes"),
            late_limits(visits),
            pairs_from_tables(visits, carers, same_carer_pairs),
        )


def _route_times(
    d: Day,
    c: int,
    route: list[tuple[int, int]],
    brk: int | None,
    forced: dict[tuple[int, int], float],
) -> tuple[list[Stop], list[Broken]]:
    """Return the times of one shift's stops (waiting allowed) and the rules they break."""
    L = d.lists()
    T, ws, we, dur = L.T, L.ws, L.we, L.dur
    t, loc = L.ss[c], c
    stops = [Stop("start", None, c, t, t, t, 0.0)]
    broken: list[Broken] = []
    n_c = d.n_c
    for p in range(len(route) + 1):
        if brk == p:
            b = max(t, L.bws[c])
            stops.append(Stop("break", None, loc, t, b, b + L.bm[c], 0.0))
            t = b + L.bm[c]
            if t > L.bwe[c] + 1e-9:
                broken.append(("break", c, -1))
        if p == len(route):
            break
        j, k = route[p]
        leg = T[loc][n_c + j]
        arr = t + leg
        st = max(arr, ws[j], forced.get((j, k), -math.inf))
        stops.append(Stop("visit", (j, k), n_c + j, arr, st, st + dur[j], leg))
        if st > we[j] + L.late[j] + 1e-9:
            broken.append(("late", c, j))
        t, loc = st + dur[j], n_c + j
    leg = 0.0 if loc == c else T[loc][c]
    stops.append(Stop("end", None, c, t + leg, t + leg, t + leg, leg))
    if len(stops) > 2 and stops[1].kind == "visit":  # leave home just in time
        dep = max(L.ss[c], stops[1].start - stops[1].travel)
        stops[0] = Stop("start", None, c, dep, dep, dep, 0.0)
        stops[1].arrival = dep + stops[1].travel
    if stops[-1].arrival > L.se[c] + 1e-9:
        broken.append(("shift", c, -1))
    if math.isfinite(L.mx[c]) and stops[-1].arrival - stops[0].start > L.mx[c] + 1e-9:
        broken.append(("shift", c, -1))
    return stops, broken


def round_times(
    d: Day,
    c: int,
    route: list[tuple[int, int]],
    brk: int | None,
    forced: dict[tuple[int, int], float],
) -> tuple[list[Stop], list[Broken]]:
    """Return the stops of one carer row's round and the rules they break.

    Parameters
    ----------
    d : Day
        The day.
    c : int
        The carer row.
    route : list of tuple
        The ``(visit row, copy)`` pairs in order.
    brk : int or None
        Where in the route the break is taken (``None``: no break).
    forced : dict
        Copies that start no earlier than a given minute (a double-handed visit's partner,
        or a visit kept at the time it started in an earlier plan).

    Returns
    -------
    stops : list of Stop
        From leaving home (just in time) to coming back.
    broken : list of tuple
        As in :func:`simulate`.
    """
    return _route_times(d, c, route, brk, forced)


def simulate(
    d: Day,
    routes: Routes,
    breaks: dict[int, int],
) -> tuple[dict[tuple[int, int], float], dict[int, list[Stop]], list[Broken]]:
    """Exact times of every stop; both carers of a double-handed visit start together.

    Parameters
    ----------
    d : Day
        The day as arrays.
    routes : Routes
        Who serves which copy of which visit, in order.
    breaks : dict
        Carer row -> the position in its route where the break is taken (none: no break).

    Returns
    -------
    starts : dict
        Each copy's start.
    plans : dict
        Each working carer row's stops.
    broken : list of tuple
        The rules broken as ``(rule, carer row, visit)`` (-1 where none applies).
    """
    forced: dict[tuple[int, int], float] = {}
    starts: dict[tuple[int, int], float] = {}
    plans: dict[int, list[Stop]] = {}
    broken: list[Broken] = []
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
        if d.pairs.links and _push_pairs(d, starts, forced):
            changed = True
        if not changed:
            break
    for j in {j for (j, _) in starts}:
        if d.req[j] == 2 and ((j, 0) in starts) != ((j, 1) in starts):
            broken.append(("partner", -1, j))
    if d.pairs.links:
        broken += _pair_rules(d, routes, starts)
    return starts, plans, broken


def _push_pairs(
    d: Day, starts: dict[tuple[int, int], float], forced: dict[tuple[int, int], float]
) -> bool:
    """Push the visits of each sequential pair later until its gap holds; return if any moved.

    A second that starts too soon after its first starts no earlier than the first plus the
    least gap; a first too long before its second starts no earlier than the second less the
    greatest gap. Pushes only go later, so repeated they reach the earliest times that keep
    every gap on these rounds, or go past the last shift's end (a pair that cannot be kept:
    it is then left as it is and reported by :func:`_pair_rules`).
    """
    end = float(np.max(d.se)) if len(d.se) else math.inf
    moved = False
    for link in d.pairs.links:
        a, b = (link.first, 0), (link.second, 0)
        if a not in starts or b not in starts:
            continue
        sa, sb = starts[a], starts[b]
        if sb < sa + link.lo - 1e-9:
            q, t = b, sa + link.lo
        elif sb > sa + link.hi + 1e-9:
            q, t = a, sb - link.hi
        else:
            continue
        if t > end:
            continue
        if forced.get(q, -math.inf) < t - 1e-9:
            forced[q] = t
            moved = True
    return moved


def _pair_rules(d: Day, routes: Routes, starts: dict[tuple[int, int], float]) -> list[Broken]:
    """Return the rules of the sequential pairs broken: ``("sequence", carer row, visit)``.

    Half a pair served, the gap broken, or both visits by one carer (unless allowed).
    """
    who = {q: c for c, r in enumerate(routes) for q in r}
    out: list[Broken] = []
    for link in d.pairs.links:
        a, b = (link.first, 0), (link.second, 0)
        if (a in starts) != (b in starts):
            q = a if a in starts else b
            out.append(("sequence", who.get(q, -1), q[0]))
        elif a in starts and b in starts:
            if not link.keeps(starts[a], starts[b]):
                out.append(("sequence", -1, link.second))
            elif a in who and b in who and not d.pairs.apart(who[a], who[b]):
                out.append(("sequence", who[b], link.second))
    return out


def _place_breaks(d: Day, routes: Routes, starts: dict[tuple[int, int], float]) -> dict[int, int]:
    """Each carer's break at the first stop where it fits without making anything late."""
    paired = d.pairs.paired()
    forced = {q: t for q, t in starts.items() if d.req[q[0]] == 2 or q[0] in paired}
    return {c: _place_break(d, c, routes[c], forced) for c in range(d.n_c) if np.isfinite(d.bm[c])}


def _place_break(
    d: Day, c: int, route: list[tuple[int, int]], forced: dict[tuple[int, int], float]
) -> int:
    """One carer's break: the first stop where it fits, else where it breaks fewest rules."""
    best: tuple[int, float, int] | None = None
    for p in range(len(route) + 1):
        stops, bad = _route_times(d, c, route, p, forced)
        key = (len(bad), stops[-1].arrival, p)
        if best is None or key < best:
            best = key
        if not bad:
            break
    return best[2] if best else 0


def fits(
    d: Day,
    c: int,
    route: list[tuple[int, int]],
    pinned: dict[tuple[int, int], float],
) -> tuple[list[Stop], int | None] | None:
    """Return one carer row's round timed with its break, or None when it breaks a rule.

    The break is placed as :func:`schedule` places it. Each copy in ``pinned`` starts at
    its minute: not earlier, and not later either (a double-handed visit's partner would
    wait). The round is checked without its break first: a break only makes it later.

    Parameters
    ----------
    d : Day
        The day.
    c : int
        The carer row.
    route : list of tuple
        The ``(visit row, copy)`` pairs in order.
    pinned : dict
        Copies that must start at a given minute.

    Returns
    -------
    tuple or None
        The stops and where the break goes (``None``: no break), or None.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.array([[0, 10], [10, 0]], dtype=float)  # a home and one visit
    >>> d = Day(T, 1, ws=np.array([540.0]), we=np.array([545.0]), dur=np.array([30.0]),
    ...         req=np.array([1]), ss=np.array([480.0]), se=np.array([600.0]),
    ...         bm=np.array([30.0]), bws=np.array([480.0]), bwe=np.array([600.0]),
    ...         mx=np.array([np.inf]))
    >>> stops, brk = fits(d, 0, [(0, 0)], {})
    >>> brk, [s.kind for s in stops]
    (0, ['start', 'break', 'visit', 'end'])
    >>> fits(d, 0, [(0, 0)], {(0, 0): 560.0}) is None  # pinned after its window closes
    True
    """
    stops, bad = _route_times(d, c, route, None, pinned)
    if bad:
        return None
    brk = None
    if math.isfinite(d.bm[c]):
        brk = _place_break(d, c, route, pinned)
        stops, bad = _route_times(d, c, route, brk, pinned)
        if bad:
            return None
    for s in stops:
        if s.copy is not None and s.copy in pinned and s.start > pinned[s.copy] + 1e-6:
            return None
    return stops, brk


def schedule(d: Day, routes: Routes) -> tuple[dict[int, int], dict[int, list[Stop]], list[Broken]]:
    """Return the exact day for the routes: breaks placed, each carer's stops, rules broken.

    Parameters
    ----------
    d : Day
        Windows, shifts and breaks.
    routes : Routes
        The rounds to time.

    Returns
    -------
    breaks : dict
        Where each carer row's break goes in its route.
    plans : dict
        Each working carer row's stops (:class:`Stop`).
    broken : list of tuple
        The rules still broken, as in :func:`simulate`.
    """
    breaks = _place_breaks(d, routes, simulate(d, routes, {})[0])
    _, plans, broken = simulate(d, routes, breaks)
    return breaks, plans, broken


def repair(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    d: Day,
    routes: Routes,
) -> tuple[Routes, dict[int, int], dict[int, Reason]]:
    """Place every break and drop what cannot be kept.

    Parameters
    ----------
    visits, carers : DataFrame
        The tables (for the reasons' wording).
    d : Day
        The same day as arrays.
    routes : Routes
        The rounds as the search left them.

    Returns
    -------
    routes : Routes
        The rounds that keep every rule.
    breaks : dict
        Carer row -> the position in its route of its break.
    dropped : dict
        Visit row -> why it was dropped.
    """
    routes = [list(r) for r in routes]
    dropped: dict[int, Reason] = {}
    for _ in range(len(visits) + 2):
        breaks, plans, broken = schedule(d, routes)
        if not broken:
            return routes, breaks, dropped
        # a sequential pair broken goes first: what else is broken may follow from it
        rule, c, j = next((b for b in broken if b[0] == "sequence"), broken[0])
        link = d.pairs.link(j)
        if link is not None and (
            rule == "sequence" or (rule == "late" and _pushed(d, routes, breaks, j))
        ):
            dropped[j] = sequence_reason(link, visits["visit_id"].to_numpy())
        elif rule in ("late", "partner"):
            dropped[j] = (
                Reason(
                    Cause.NOT_TOGETHER,
                    "double-handed: the two carers could not start together inside its window",
                )
                if d.req[j] == 2
                else Reason(
                    Cause.OUT_OF_WINDOW,
                    "could not be kept inside its window once breaks and partners were fitted",
                )
            )
        else:  # a break or the shift's end: drop the visit nearest the clash
            stops = [s for s in plans[c] if s.kind == "visit" and s.copy is not None]
            if not stops:
                break
            cid = carers["carer_id"].iat[c]
            if rule == "break":
                victim = min(stops, key=lambda s: abs(s.start - float(d.bws[c])))
                why = Reason(Cause.BREAK, f"no room for carer {cid}'s break")
            else:
                victim = stops[-1]
                why = Reason(Cause.SHIFT_ENDS, f"carer {cid}'s shift ends before the round would")
            j = victim.copy[0] if victim.copy else -1
            dropped[j] = why
        other = d.pairs.partner(j)
        if other is not None:  # half a pair is never served: the other visit goes too
            dropped[other] = dropped[j]
            if dropped[j].cause is not Cause.NOT_IN_SEQUENCE:
                vid = visits["visit_id"].iat[j]
                dropped[other] = dropped[j].after(f"paired with {vid}, which is left out: ")
                dropped[other] = Reason(Cause.NOT_IN_SEQUENCE, dropped[other].text)
        routes = [[q for q in r if q[0] != j and q[0] != other] for r in routes]
    raise RuntimeError("could not repair the rounds")  # pragma: no cover - drops always end


def _pushed(d: Day, routes: Routes, breaks: dict[int, int], j: int) -> bool:
    """Return whether visit ``j`` is late only because its pair's gap pushed it."""
    _, _, broken = simulate(d.without_pairs(), routes, breaks)
    return not any(rule == "late" and v == j for rule, _, v in broken)


def travel(T: FloatArray, n_c: int, routes: Routes) -> float:
    """Return the travel minutes of every round, each from its carer's home and back.

    Parameters
    ----------
    T : ndarray
        Travel minutes, the carer rows' homes first.
    n_c : int
        How many carer rows.
    routes : Routes
        Each carer row's ``(visit row, copy)`` pairs in order.

    Returns
    -------
    float
        The minutes driven (an empty round drives none).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.array([[0, 4, 6], [4, 0, 3], [6, 3, 0]], dtype=float)  # a home, then 2 visits
    >>> travel(T, 1, [[(0, 0), (1, 0)]])  # home, visit 0, visit 1, home: 4 + 3 + 6
    13.0
    """
    total = 0.0
    for c, route in enumerate(routes):
        stops = [c, *(n_c + j for j, _ in route), c]
        total += sum(float(T[a, b]) for a, b in itertools.pairwise(stops) if a != b)
    return total


def lateness(d: Day, starts: dict[tuple[int, int], float]) -> dict[int, float]:
    """Return the minutes each served visit starts after its window closes (0: on time).

    Parameters
    ----------
    d : Day
        The day.
    starts : dict
        Each served copy's start (:func:`simulate`); a double-handed visit counts once.

    Returns
    -------
    dict
        Visit row -> minutes late.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.array([[0, 10], [10, 0]], dtype=float)
    >>> d = Day(T, 1, ws=np.array([470.0]), we=np.array([485.0]), dur=np.array([30.0]),
    ...         req=np.array([1]), ss=np.array([480.0]), se=np.array([600.0]),
    ...         bm=np.array([np.nan]), bws=np.array([np.nan]), bwe=np.array([np.nan]),
    ...         mx=np.array([np.inf]), late=np.array([60.0]))
    >>> lateness(d, simulate(d, [[(0, 0)]], {})[0])  # from home at 08:00, 10 minutes away
    {0: 5.0}
    """
    out: dict[int, float] = {}
    we = d.lists().we
    for (j, _), t in starts.items():
        out[j] = max(out.get(j, 0.0), t - we[j], 0.0)
    return out


def day_cost(d: Day, routes: Routes, late_cost: float, worst_late_cost: float) -> float:
    """Return the day's travel plus its lateness weighed in travel minutes.

    ``late_cost`` per minute late and ``worst_late_cost`` per minute of the day's worst
    lateness, the visits timed by :func:`simulate` (without breaks). Without either weight,
    the travel alone (no timing).

    Parameters
    ----------
    d : Day
        The day.
    routes : Routes
        The rounds.
    late_cost, worst_late_cost : float
        Travel minutes per minute late, and per minute of the worst lateness.

    Returns
    -------
    float
        Travel minutes plus the lateness's cost.
    """
    cost = travel(d.T, d.n_c, routes)
    if (late_cost or worst_late_cost) and any(routes):
        late = list(lateness(d, simulate(d, routes, {})[0]).values())
        cost += late_cost * sum(late) + worst_late_cost * max(late, default=0.0)
    return cost


def detour(T: FloatArray, n_c: int, c: int, route: list[tuple[int, int]], p: int, j: int) -> float:
    """Return the travel minutes visit ``j`` adds at position ``p`` of carer row ``c``'s route.

    Parameters
    ----------
    T : ndarray
        Travel minutes, the carer rows' homes first.
    n_c : int
        How many carer rows.
    c : int
        The carer row (its home starts and ends the route).
    route : list of tuple
        The route's ``(visit row, copy)`` pairs, without ``j``.
    p : int
        Where ``j`` would go (0: first).
    j : int
        The visit row.

    Returns
    -------
    float
        The minutes added (``inf`` where no road joins them).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.array([[0, 4, 6], [4, 0, 3], [6, 3, 0]], dtype=float)  # a home, then 2 visits
    >>> detour(T, 1, 0, [(0, 0)], 1, 1)  # home, visit 0, visit 1, home: 4 + 3 + 6 - (4 + 4)
    5.0
    """
    prev = c if p == 0 else n_c + route[p - 1][0]
    nxt = c if p == len(route) else n_c + route[p][0]
    return float(T[prev, n_c + j] + T[n_c + j, nxt] - (T[prev, nxt] if route else 0.0))


def fill(
    d: Day,
    ok: npt.NDArray[np.bool_],
    carer_ids: npt.NDArray[Any],
    routes: Routes,
    breaks: dict[int, int],
    left: list[int],
    tries: int = FILL_TRIES,
) -> tuple[Routes, dict[int, int]]:
    """Insert left-out visits where the exact schedule still keeps every rule.

    For each visit (in order), the insertions that add least travel and keep the receiving
    carer's own round on time are checked against the whole day (partners, breaks, shifts);
    the first that breaks no rule is kept. At most ``tries`` whole-day checks per visit. Both
    visits of a sequential pair go in together, with two carers (one where allowed) whose
    starts come nearest its gap tried first; with soft windows, the way that keeps every rule
    with least lateness (then travel) is kept.

    Parameters
    ----------
    d : Day
        The day.
    ok : ndarray of bool
        Carer row x visit: may the carer make it (:func:`~carezones.rounds.model.eligible`).
    carer_ids : ndarray
        Each carer row's carer (the two carers of a visit must differ).
    routes : Routes
        The repaired rounds.
    breaks : dict
        Their breaks (:func:`repair`).
    left : list of int
        The visit rows to try to insert.
    tries : int
        Whole-day checks per visit at most.

    Returns
    -------
    routes : Routes
        The rounds with the visits that fit.
    breaks : dict
        The breaks placed again.
    """
    n_c = d.n_c
    T = d.T
    routes = [list(r) for r in routes]
    paired = d.pairs.paired()
    soft = bool(d.late.any())

    def options(
        j: int, k: int, starts: dict[tuple[int, int], float], limit: int
    ) -> list[tuple[float, int, int, float]]:
        """Return the ``limit`` cheapest insertions that keep the carer's own round on time.

        Insertions are tried in order of the travel they add, and only until ``limit`` fit:
        the same list as trying them all and keeping the first ``limit``, for a fraction of
        the work.
        """
        forced = {q: t for q, t in starts.items() if d.req[q[0]] == 2 or q[0] in paired}
        # a shift that cannot reach the visit in its window from home, or not get home after
        # it, cannot take it in any round (travel between places keeps the triangle rule)
        go, back = T[:n_c, n_c + j], T[n_c + j, :n_c]
        reach = d.ss + go
        room = np.maximum(reach, d.ws[j]) + d.dur[j] + back <= d.se
        cands = []
        for c in np.flatnonzero(ok[:, j] & (reach <= d.we[j] + d.late[j]) & room).tolist():
            r = routes[c]
            for p in range(len(r) + 1):
                delta = detour(T, n_c, c, r, p, j)
                if np.isfinite(delta):
                    cands.append((float(delta), c, p))
        cands.sort()
        found = []
        for delta, c, p in cands:
            r = routes[c]
            stops, bad = _route_times(d, c, [*r[:p], (j, k), *r[p:]], None, forced)
            if not bad:
                found.append((delta, c, p, stops[p + 1].start))
                if len(found) == limit:
                    break
        return found

    def whole_day(new: Routes) -> dict[int, int] | None:
        placed, _, broken = schedule(d, new)
        return None if broken else placed

    def one_carer(c: int, route: list[tuple[int, int]]) -> dict[int, int] | None:
        """Return the whole-day check's answer when only carer ``c`` changes, alone.

        Carers are tied to each other only by double-handed visits and sequential pairs; a
        carer without any keeps every other carer's times and breaks, so checking its own
        round (its break placed as :func:`schedule` would) gives what the whole day's check
        gives.
        """
        got = fits(d, c, route, {})
        if got is None:
            return None
        placed = dict(breaks)
        if got[1] is not None:
            placed[c] = got[1]
        return placed

    def spread(found: list[tuple[float, int, int, float]]) -> list[tuple[float, int, int, float]]:
        """Return the cheapest insertions, at most 3 in each carer's round and 12 in all.

        The two visits of a pair go to two carers: the cheapest places of both are often in
        one round.
        """
        per: dict[int, int] = {}
        out = []
        for o in found:
            per[o[1]] = per.get(o[1], 0) + 1
            if per[o[1]] <= 3:
                out.append(o)
        return out[:12]

    def pair(j: int, starts: dict[tuple[int, int], float]) -> tuple[Routes, dict[int, int]] | None:
        """Return the routes with both visits of ``j``'s pair inserted, or None.

        Insertions of the two whose starts come nearest the gap are tried first.
        """
        link = d.pairs.link(j)
        if link is None or any(q[0] in (link.first, link.second) for r in routes for q in r):
            return None
        a, b = (link.first, 0), (link.second, 0)
        ways = []
        # one carer making both (where allowed) starts the second after the first and the way
        # between them, so only a gap that long leaves room
        after = float(d.dur[link.first] + T[n_c + link.first, n_c + link.second])
        seconds = spread(options(link.second, 0, starts, 40))
        for da, ca, pa, ta in spread(options(link.first, 0, starts, 40)):
            for db, cb, pb, tb in seconds:
                if not d.pairs.apart(ca, cb):
                    continue
                if ca == cb and (pb < pa or link.hi < after):
                    continue
                if ca == cb:
                    tb = max(tb, ta + after)
                miss = max(link.lo - (tb - ta), (tb - ta) - link.hi, 0.0)
                ways.append((da + db + miss, ca, pa, cb, pb))
        best: tuple[float, float, Routes, dict[int, int]] | None = None
        for _, ca, pa, cb, pb in sorted(ways)[:tries]:
            new = [list(r) for r in routes]
            new[cb].insert(pb, b)
            new[ca].insert(pa, a)  # before b when one carer makes both
            placed = whole_day(new)
            if placed is None:
                continue
            if not soft:  # hard windows: the first that keeps every rule
                return new, placed
            # soft windows: the least lateness (then travel) of those that keep every rule
            late = sum(lateness(d, simulate(d, new, placed)[0]).values())
            key = (late, travel(T, n_c, new))
            if best is None or key < best[:2]:
                best = (*key, new, placed)
        return None if best is None else (best[2], best[3])

    for j in left:
        starts = simulate(d, routes, breaks)[0]
        if j in paired:  # both visits of a pair together, or neither
            got = pair(j, starts)
            if got is not None:
                routes, breaks = got
            continue
        if d.req[j] == 1:
            for _, c, p, _ in options(j, 0, starts, tries):
                new = [list(r) for r in routes]
                new[c].insert(p, (j, 0))
                alone = all(d.req[q[0]] == 1 and q[0] not in paired for q in new[c])
                placed = one_carer(c, new[c]) if alone else whole_day(new)
                if placed is not None:
                    routes, breaks = new, placed
                    break
            continue
        # both carers must start together: pairs whose own start times are close come first
        first, second = options(j, 0, starts, 10), options(j, 1, starts, 10)
        pairs = sorted(
            (a[0] + b[0] + abs(a[3] - b[3]), a[1:3], b[1:3])
            for a in first
            for b in second
            if carer_ids[a[1]] != carer_ids[b[1]]
        )
        for _, (c0, p0), (c1, p1) in pairs[:tries]:
            new = [list(r) for r in routes]
            new[c0].insert(p0, (j, 0))
            new[c1].insert(p1, (j, 1))
            placed = whole_day(new)
            if placed is not None:
                routes, breaks = new, placed
                break
    return routes, breaks
