"""Make room for a left-out visit: move a visit of a round to another carer.

After the exact schedule and :func:`~carezones.rounds.schedule.fill`, a visit may still be left
out because no round has a gap for it at the right time, though one would if a visit near that
time went to another carer. :func:`rescue` tries exactly that, a short ejection chain: for each
left-out visit, the rounds of every carer who may make it (least added travel first), with or
without one of their single-handed visits near that time; the visit given up must fit another
round, which may in turn give up one visit that fits a third (:data:`DEPTH`). A double-handed
visit needs two carers who can both start it at the same minute; each of them may give up one
visit. A sequential pair (:mod:`~carezones.rounds.pairs`) needs two carers who can start its
visits within its gap, each of whom may give up one visit; a visit of a pair is never given up
nor moved.

Every change is checked first on the rounds it touches (breaks placed, nothing late, the
shift kept, every double-handed visit still starting with its partner) and then on the whole
day by :func:`~carezones.rounds.schedule.schedule`; a change is kept only when it serves one
visit more and breaks no rule. The work per visit is bounded (:data:`RESCUE_CARERS`,
:data:`RESCUE_PAIRS`, :data:`CHAIN_OPTIONS`), and the order is fixed, so the result is
deterministic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from carezones.rounds.schedule import Day, Routes, detour, fits, schedule, simulate, travel

__all__ = ["CHAIN_OPTIONS", "DEPTH", "RESCUE_CARERS", "RESCUE_PAIRS", "rescue"]

RESCUE_CARERS = 30  # carers tried per left-out visit (least added travel first)
RESCUE_PAIRS = 40  # pairs of carers tried per left-out double-handed visit
NEAR_MINUTES = 90.0  # a visit may give way when it starts this close to the left-out one's window
DEPTH = 3  # hand-ons per left-out visit at most (a visit given up may push one out in turn)
CHAIN_OPTIONS = 8  # rounds tried for a visit given up, when it must push another one out
CHOICES = 8  # ways of making room found per visit, the one adding least travel kept
POSITIONS = 3  # places in a round tried for the visit (least added travel first)

Copy = tuple[int, int]
Option = tuple[float, int, list[Copy], float, Copy | None]  # cost, carer, route, start, out


def rescue(
    d: Day,
    ok: npt.NDArray[np.bool_],
    carer_ids: npt.NDArray[Any],
    routes: Routes,
    breaks: dict[int, int],
    left: list[int],
    penalties: npt.NDArray[np.float64] | None = None,
) -> tuple[Routes, dict[int, int]]:
    """Serve left-out visits by moving, for each, a few visits to other carers.

    Parameters
    ----------
    d : Day
        The day (:class:`~carezones.rounds.schedule.Day`).
    ok : ndarray of bool
        Carer row x visit: may the carer make it (:func:`~carezones.rounds.model.eligible`).
    carer_ids : ndarray
        Each carer row's carer (the two carers of a visit must differ).
    routes : Routes
        Rounds that keep every rule (:func:`~carezones.rounds.schedule.fill`'s).
    breaks : dict
        Their breaks.
    left : list of int
        The visit rows left out, tried in this order.
    penalties : ndarray, optional
        Carer row x visit: minutes charged for that carer making that visit (a face the
        client does not know, a visit changing carer on a re-plan); the ways of making room
        are tried cheapest first, travel and charges together.

    Returns
    -------
    routes : Routes
        The rounds with every visit rescued; no visit served before is left out.
    breaks : dict
        The breaks placed again.

    Examples
    --------
    Two visits to start at 09:00 (give or take five minutes) for half an hour; the first
    carer makes the first, the second carer may make only the first. The second visit fits
    once the first goes to the second carer.

    >>> import numpy as np
    >>> from carezones.rounds.schedule import Day
    >>> T = np.full((4, 4), 5.0)
    >>> np.fill_diagonal(T, 0.0)
    >>> d = Day(T, 2, ws=np.array([540.0, 540.0]), we=np.array([545.0, 545.0]),
    ...         dur=np.array([30.0, 30.0]), req=np.array([1, 1]), ss=np.array([480.0, 480.0]),
    ...         se=np.array([720.0, 720.0]), bm=np.full(2, np.nan), bws=np.full(2, np.nan),
    ...         bwe=np.full(2, np.nan), mx=np.full(2, np.inf))
    >>> ok = np.array([[True, True], [True, False]])  # carer 1 may make visit 0 only
    >>> rescue(d, ok, np.array(["K1", "K2"]), [[(0, 0)], []], {}, [1])[0]
    [[(1, 0)], [(0, 0)]]
    """
    routes = [list(r) for r in routes]
    charge = None if penalties is None else np.asarray(penalties, dtype=float).tolist()
    paired = d.pairs.paired()
    for j in left:
        if j in paired and any(q[0] == j for r in routes for q in r):
            continue  # served with its pair
        starts = simulate(d, routes, breaks)[0]
        pinned = {q: t for q, t in starts.items() if d.req[q[0]] == 2 or q[0] in paired}
        room = _Room(d, ok, carer_ids, charge, starts, pinned)
        if j in paired:
            new = room.pair(routes, j)
        else:
            new = room.single(routes, j) if d.req[j] == 1 else room.double(routes, j)
        if new is not None:
            routes, breaks = new
    return routes, breaks


@dataclass
class _Room:
    """The day while room is made for one visit: who may go where, and the times to keep."""

    d: Day
    ok: npt.NDArray[np.bool_]
    ids: npt.NDArray[Any]
    charge: list[list[float]] | None
    starts: dict[Copy, float]  # every copy's start now (which visits are near in time)
    pinned: dict[Copy, float] = field(default_factory=dict)  # double-handed copies' starts

    def own(self, c: int, route: list[Copy], pinned: dict[Copy, float] | None = None) -> Any:
        """Return the stops of carer row ``c``'s round, or None when it breaks a rule.

        Its break is placed as the whole day's schedule places it; each double-handed copy
        must start at its pinned minute (later would keep its partner waiting).
        """
        got = fits(self.d, c, route, self.pinned if pinned is None else pinned)
        return None if got is None else got[0]

    def added(self, c: int, route: list[Copy], p: int, j: int) -> float:
        """Return the travel minutes (and charge) visit ``j`` adds at position ``p``."""
        extra = self.charge[c][j] if self.charge is not None else 0.0
        return detour(self.d.T, self.d.n_c, c, route, p, j) + extra

    def nearest(self, routes: Routes, j: int) -> list[int]:
        """Return the carer rows that may make ``j``, least added cost first (at most 30)."""
        costs = []
        for c in np.flatnonzero(self.ok[:, j]).tolist():
            r = routes[c]
            best = min(self.added(c, r, p, j) for p in range(len(r) + 1))
            if math.isfinite(best):
                costs.append((best, c))
        return [c for _, c in sorted(costs)[:RESCUE_CARERS]]

    def options(self, c: int, route: list[Copy], q_in: Copy) -> list[Option]:
        """Return the ways to put ``q_in`` into ``c``'s round, giving up at most one visit.

        Each is ``(added cost, c, new route, start of q_in, visit given up or None)``; only
        single-handed visits starting near ``q_in``'s window give way.
        """
        d, j = self.d, q_in[0]
        lo, hi = d.ws[j] - NEAR_MINUTES, d.we[j] + d.dur[j] + NEAR_MINUTES
        bases: list[tuple[list[Copy], Copy | None, float]] = [(route, None, 0.0)]
        for i, q in enumerate(route):
            if (
                d.req[q[0]] == 1
                and d.pairs.link(q[0]) is None
                and lo <= self.starts.get(q, -math.inf) <= hi
            ):
                rest = route[:i] + route[i + 1 :]
                bases.append((rest, q, -self.added(c, rest, i, q[0])))
        out: list[Option] = []
        for base, gone, saved in bases:
            places = sorted((self.added(c, base, p, j), p) for p in range(len(base) + 1))
            for delta, p in places[:POSITIONS]:
                if not math.isfinite(delta):
                    break
                new = [*base[:p], q_in, *base[p:]]
                stops = self.own(c, new)
                if stops is not None:
                    out.append((delta + saved, c, new, stops[p + 1].start, gone))
                    break
        return out

    def put_back(
        self,
        routes: Routes,
        q: Copy,
        skip: set[int],
        pinned: dict[Copy, float],
        depth: int = DEPTH,
    ) -> Routes | None:
        """Return the routes with the single-handed visit ``q`` in another round, or None.

        With ``depth`` > 1, that round may in turn give up one visit that goes elsewhere.
        """
        j = q[0]
        places = []
        for c in np.flatnonzero(self.ok[:, j]).tolist():
            if c not in skip:
                r = routes[c]
                places += [(self.added(c, r, p, j), c, p) for p in range(len(r) + 1)]
        for delta, c, p in sorted(places)[: 4 * RESCUE_CARERS]:
            if not math.isfinite(delta):
                break
            new = [*routes[c][:p], q, *routes[c][p:]]
            if self.own(c, new, pinned) is not None:
                out = [list(r) for r in routes]
                out[c] = new
                return out
        if depth <= 1:
            return None
        near = [c for c in self.nearest(routes, j) if c not in skip]
        options = sorted(
            (o for c in near for o in self.options(c, routes[c], q) if o[4] is not None),
            key=lambda o: (o[0], o[1]),
        )
        for _, c, new, _, gone in options[:CHAIN_OPTIONS]:
            out = [list(r) for r in routes]
            out[c] = new
            got = self.put_back(out, gone, skip | {c}, pinned, depth - 1)  # type: ignore[arg-type]
            if got is not None:
                return got
        return None

    def settle(
        self,
        routes: Routes,
        changed: dict[int, list[Copy]],
        gone: list[Copy],
        pinned: dict[Copy, float],
    ) -> tuple[Routes, dict[int, int]] | None:
        """Return the day with ``changed`` rounds and each visit ``gone`` placed elsewhere.

        None when a visit given up fits nowhere, or the whole day then breaks a rule.
        """
        new: Routes | None = [list(r) for r in routes]
        for c, r in changed.items():
            new[c] = r  # type: ignore[index]
        for q in gone:
            if new is None:
                return None
            new = self.put_back(new, q, set(changed), pinned)
        if new is None:
            return None
        placed, _, broken = schedule(self.d, new)
        return None if broken else (new, placed)

    def single(self, routes: Routes, j: int) -> tuple[Routes, dict[int, int]] | None:
        """Return the day with single-handed visit ``j`` served, or None."""
        options = sorted(
            (o for c in self.nearest(routes, j) for o in self.options(c, routes[c], (j, 0))),
            key=lambda o: (o[0], o[1]),
        )
        found = []
        for _, c, new, _, gone in options:
            got = self.settle(routes, {c: new}, [gone] if gone else [], self.pinned)
            if got is not None:
                found.append(got)
                if len(found) == CHOICES:
                    break
        return self.cheapest(found)

    def double(self, routes: Routes, j: int) -> tuple[Routes, dict[int, int]] | None:
        """Return the day with double-handed visit ``j`` served by two carers together."""
        d, ids = self.d, self.ids
        options = [o for c in self.nearest(routes, j) for o in self.options(c, routes[c], (j, 0))]
        pairs = sorted(
            (a[0] + b[0] + abs(a[3] - b[3]), ia, ib)
            for ia, a in enumerate(options)
            for ib, b in enumerate(options)
            if ia < ib and ids[a[1]] != ids[b[1]] and a[1] != b[1]
        )
        found = []
        for _, ia, ib in pairs[:RESCUE_PAIRS]:
            a, b = options[ia], options[ib]
            t = max(a[3], b[3])
            if t > d.we[j] + d.late[j] + 1e-9:
                continue
            both = {**self.pinned, (j, 0): t, (j, 1): t}
            ra = a[2]
            rb = [(j, 1) if q == (j, 0) else q for q in b[2]]
            if self.own(a[1], ra, both) is None or self.own(b[1], rb, both) is None:
                continue
            gone = [q for q in (a[4], b[4]) if q is not None]
            got = self.settle(routes, {a[1]: ra, b[1]: rb}, gone, both)
            if got is not None:
                found.append(got)
                if len(found) == CHOICES:
                    break
        return self.cheapest(found)

    def pair(self, routes: Routes, j: int) -> tuple[Routes, dict[int, int]] | None:
        """Return the day with both visits of ``j``'s sequential pair served, or None.

        Two carers (each of whom may give up a visit) start them within the gap: the second
        waits for the least gap, or the first for the greatest.
        """
        d, link = self.d, self.d.pairs.link(j)
        if link is None:
            return None
        a, b = (link.first, 0), (link.second, 0)
        firsts = [
            o for c in self.nearest(routes, link.first) for o in self.options(c, routes[c], a)
        ]
        seconds = [
            o for c in self.nearest(routes, link.second) for o in self.options(c, routes[c], b)
        ]
        ways = []
        for ia, x in enumerate(firsts):
            for ib, y in enumerate(seconds):
                if x[1] == y[1] or not d.pairs.apart(x[1], y[1]):
                    continue
                gap = y[3] - x[3]
                ways.append((x[0] + y[0] + max(link.lo - gap, gap - link.hi, 0.0), ia, ib))
        found = []
        for _, ia, ib in sorted(ways)[:RESCUE_PAIRS]:
            x, y = firsts[ia], seconds[ib]
            ta, tb = x[3], max(y[3], x[3] + link.lo)
            ta = max(ta, tb - link.hi)
            last_a, last_b = (
                d.we[link.first] + d.late[link.first],
                d.we[link.second] + d.late[link.second],
            )
            if ta > last_a + 1e-9 or tb > last_b + 1e-9:
                continue
            both = {**self.pinned, a: ta, b: tb}
            if self.own(x[1], x[2], both) is None or self.own(y[1], y[2], both) is None:
                continue
            gone = [q for q in (x[4], y[4]) if q is not None]
            got = self.settle(routes, {x[1]: x[2], y[1]: y[2]}, gone, both)
            if got is not None:
                found.append(got)
                if len(found) == CHOICES:
                    break
        return self.cheapest(found)

    def cheapest(
        self, found: list[tuple[Routes, dict[int, int]]]
    ) -> tuple[Routes, dict[int, int]] | None:
        """Return the way of making room that adds least travel and charges (None: none)."""
        if not found:
            return None

        def cost(routes: Routes) -> float:
            extra = 0.0
            if self.charge is not None:
                extra = sum(self.charge[c][j] for c, r in enumerate(routes) for j, _ in r)
            return travel(self.d.T, self.d.n_c, routes) + extra

        return min(found, key=lambda got: cost(got[0]))
