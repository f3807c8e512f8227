"""Ruin and recreate on the exact objective, after the search, when lateness or pairs count.

The search (:mod:`~carezones.rounds.model`) sees lateness only as steps and never sees the two
visits of a sequential pair together; the exact schedule (:mod:`~carezones.rounds.schedule`)
then times them. :func:`improve` takes the rounds it leaves and improves them on the exact
objective, travel plus ``late_cost`` per minute late plus ``worst_late_cost`` per minute of the
day's worst lateness (plus the charges of unfamiliar carers and ``penalties``), serving no
fewer visits: a large neighbourhood search that removes a few visits at a time (at random,
the latest, those near one another in place and time, a stretch of one round) and puts each
back at its cheapest place, with simulated annealing deciding which rounds to go on from.

The two visits of a pair (and the two copies of a double-handed visit) are removed and put
back together. Every insertion is timed exactly: the starts are the least that keep every
round's order, the windows' openings and each pair's gap (as :func:`~carezones.rounds.schedule.
simulate` finds them), pushed on from the inserted visit along its round and across to the
partners it pushes. An insertion is allowed only where the carer has the skills, each visit
starts within its lateness limit and each round ends within its shift (and its most minutes).
Breaks are placed afterwards: the best rounds found are kept only if :func:`~carezones.rounds.
schedule.schedule` finds them keeping every rule and they cost less than the rounds given.

With ``iterations`` the search makes that many removals and reinsertions, so the rounds are the
same on every machine for a seed; otherwise it runs for the seconds it is given.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import time as _time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from carezones.rounds.schedule import Day, Routes, day_cost, schedule

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Budget", "extra_costs", "improve", "worth_improving"]

FloatArray = npt.NDArray[np.float64]
Copy = tuple[int, int]
EPS = 1e-9
PLACES = 20  # insertions timed per visit, the most promising first


@dataclass(frozen=True)
class Budget:
    """How long :func:`improve` runs, its seed and what it weighs.

    Parameters
    ----------
    seconds : float
        Time limit, unless ``iterations`` is given.
    iterations : int, optional
        Removals and reinsertions instead of the time limit (the same rounds on any machine).
    seed : int
        The random choices' seed.
    late_cost, worst_late_cost : float
        Travel minutes per minute late and per minute of the day's worst lateness.

    Examples
    --------
    >>> Budget(2.0, iterations=100).iterations
    100
    """

    seconds: float
    iterations: int | None = None
    seed: int = 0
    late_cost: float = 0.0
    worst_late_cost: float = 0.0


def worth_improving(d: Day, late_cost: float, worst_late_cost: float, balance: float) -> bool:
    """Return whether :func:`improve` has something the search cannot see.

    Lateness costed, or sequential pairs in the day; never with workload balance (its cost is
    not weighed here). With hard windows, no pairs and default options it does not run, so a
    provider's plan is the search's.

    Examples
    --------
    >>> from carezones.testing import rounds
    >>> from carezones.rounds.schedule import Day
    >>> r = rounds()
    >>> worth_improving(Day.from_tables(r.visits, r.carers, r.minutes), 0.0, 0.0, 0.0)
    False
    """
    if balance > 0:
        return False
    return bool(late_cost > 0 or worst_late_cost > 0 or d.pairs.links)


def extra_costs(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    continuity: float,
    penalties: FloatArray | None,
) -> FloatArray:
    """Return carer row x visit: the travel minutes a visit's carer costs besides travel.

    ``continuity`` where the client prefers other carers, plus ``penalties``, as the search
    charges them (:mod:`~carezones.rounds.model`).
    """
    extra = np.zeros((len(carers), len(visits)))
    prefs = visits["preferred_carers"] if "preferred_carers" in visits else None
    if prefs is not None and continuity > 0:
        for c, cid in enumerate(carers["carer_id"].astype(str)):
            for j, pref in enumerate(prefs):
                if pref and cid not in pref:
                    extra[c, j] = continuity
    if penalties is not None:
        extra += np.nan_to_num(np.asarray(penalties, dtype=float), nan=0.0)
    return extra


class _Search:
    """The rounds being improved, their exact starts and costs, and the moves on them."""

    def __init__(
        self,
        d: Day,
        ok: npt.NDArray[np.bool_],
        carer_ids: npt.NDArray[Any],
        extra: FloatArray,
        budget: Budget,
    ) -> None:
        L = d.lists()
        self.d = d
        self.n_c = d.n_c
        self.T: list[list[float]] = L.T
        self.ws: list[float] = L.ws
        self.we: list[float] = L.we
        self.dur: list[float] = L.dur
        self.ss: list[float] = L.ss
        self.se: list[float] = L.se
        self.mx: list[float] = L.mx
        horizon = max(self.se) if self.se else math.inf
        self.lim = [min(w + x, horizon) for w, x in zip(L.we, L.late, strict=True)]
        self.ok = ok.tolist()
        self.ids = [str(c) for c in carer_ids]
        self.extra: list[list[float]] = extra.tolist()
        self.lc, self.wc = budget.late_cost, budget.worst_late_cost
        self.req = d.req.tolist()
        # coupling: a copy -> [(other copy, w)]: the other starts no earlier than it plus w
        self.links: dict[Copy, list[tuple[Copy, float]]] = {}
        self.into: dict[Copy, list[tuple[Copy, float]]] = {}  # the same edges, reversed
        self.unit_of: dict[int, tuple[Copy, ...]] = {}
        for j, r in enumerate(self.req):
            if r == 2:
                a, b = (j, 0), (j, 1)
                self.links[a] = [(b, 0.0)]
                self.links[b] = [(a, 0.0)]
                self.unit_of[j] = (a, b)
        for link in d.pairs.links:
            a, b = (link.first, 0), (link.second, 0)
            self.links.setdefault(a, []).append((b, link.lo))
            if math.isfinite(link.hi):
                self.links.setdefault(b, []).append((a, -link.hi))
            self.unit_of[link.first] = self.unit_of[link.second] = (a, b)
        for q, edges in self.links.items():
            for o, w in edges:
                self.into.setdefault(o, []).append((q, w))
        self.routes: Routes = []
        self.where: dict[Copy, tuple[int, int]] = {}
        self.start: dict[Copy, float] = {}

    # ------------------------------------------------------------------ timing
    def unit(self, j: int) -> tuple[Copy, ...]:
        """Return the copies that go together with visit ``j``."""
        return self.unit_of.get(j, ((j, 0),))

    def late_of(self, q: Copy, t: float) -> float:
        """Return the minutes late copy ``q`` starting at ``t`` counts (copy 1: none)."""
        if q[1] == 1:
            return 0.0
        return max(t - self.we[q[0]], 0.0)

    def load(self, routes: Routes) -> bool:
        """Take ``routes`` as the current rounds and time them.

        Return whether they keep the rules this search checks.
        """
        self.routes = [list(r) for r in routes]
        self.where = {q: (c, i) for c, r in enumerate(self.routes) for i, q in enumerate(r)}
        start: dict[Copy, float] = {}
        T, n_c, ws, dur = self.T, self.n_c, self.ws, self.dur
        for c, r in enumerate(self.routes):
            t, loc = self.ss[c], c
            for q in r:
                j = q[0]
                st = max(t + T[loc][n_c + j], ws[j])
                start[q] = st
                t, loc = st + dur[j], n_c + j
        self.start = start
        seeds = [q for q in start if q in self.links]
        if not self._push(start, seeds) or not self._ends(start, range(len(self.routes))):
            return False
        for q, t in start.items():
            if t > self.lim[q[0]] + EPS:
                return False
        return True

    def _get(self, over: dict[Copy, float], q: Copy) -> float:
        got = over.get(q)
        return self.start[q] if got is None else got

    def _push(self, over: dict[Copy, float], seeds: list[Copy], origin: Copy | None = None) -> bool:
        """Push starts later from ``seeds`` (changes in ``over``) until every order and gap holds.

        Return False where a visit would start past its limit or the pushes cycle. From one
        inserted copy (``origin``), a push that comes back to it is a cycle of pushes that
        would never end (its gaps and rounds cannot all hold): it fails at once.
        """
        T, n_c, dur, lim = self.T, self.n_c, self.dur, self.lim
        routes, where, links = self.routes, self.where, self.links
        # earliest first: a start is pushed on once its own pushes are known, mostly
        heap = [(self._get(over, q), q) for q in seeds]
        heapq.heapify(heap)
        cap = 40 * (len(where) + 10)
        pops = 0
        while heap:
            s, q = heapq.heappop(heap)
            if s != self._get(over, q):
                continue  # pushed again since
            pops += 1
            if pops > cap:
                return False
            c, i = where[q]
            r = routes[c]
            if i + 1 < len(r):
                n = r[i + 1]
                t = s + dur[q[0]] + T[n_c + q[0]][n_c + n[0]]
                if t > self._get(over, n) + EPS:
                    if t > lim[n[0]] + EPS or n == origin:
                        return False
                    over[n] = t
                    heapq.heappush(heap, (t, n))
            for o, w in links.get(q, ()):
                if o in where:
                    t = s + w
                    if t > self._get(over, o) + EPS:
                        if t > lim[o[0]] + EPS or o == origin:
                            return False
                        over[o] = t
                        heapq.heappush(heap, (t, o))
        return True

    def _ends(self, over: dict[Copy, float], carers: Any) -> bool:
        """Return whether the rounds of ``carers`` end within their shifts (and most minutes)."""
        T, n_c = self.T, self.n_c
        for c in carers:
            r = self.routes[c]
            if not r:
                continue
            last = r[-1]
            end = self._get(over, last) + self.dur[last[0]] + T[n_c + last[0]][c]
            if end > self.se[c] + EPS:
                return False
            if math.isfinite(self.mx[c]):
                first = r[0]
                dep = max(self.ss[c], self._get(over, first) - T[c][n_c + first[0]])
                if end - dep > self.mx[c] + EPS:
                    return False
        return True

    def cost(self) -> tuple[float, float, float, float]:
        """Return (travel, total lateness, worst lateness, extra charges) of the rounds."""
        T, n_c = self.T, self.n_c
        trav = extra = 0.0
        for c, r in enumerate(self.routes):
            if not r:
                continue
            locs = [c, *(n_c + q[0] for q in r), c]
            trav += sum(T[a][b] for a, b in itertools.pairwise(locs) if a != b)
            extra += sum(self.extra[c][q[0]] for q in r)
        lates = [self.late_of(q, t) for q, t in self.start.items()]
        return trav, sum(lates), max(lates, default=0.0), extra

    def total(self, parts: tuple[float, float, float, float]) -> float:
        """Return the objective of ``cost()``'s parts."""
        return parts[0] + self.lc * parts[1] + self.wc * parts[2] + parts[3]

    # ------------------------------------------------------------------ moves
    def _insert(self, q: Copy, c: int, p: int) -> None:
        r = self.routes[c]
        r.insert(p, q)
        for i in range(p, len(r)):
            self.where[r[i]] = (c, i)

    def _remove_at(self, c: int, p: int) -> None:
        r = self.routes[c]
        q = r.pop(p)
        del self.where[q]
        for i in range(p, len(r)):
            self.where[r[i]] = (c, i)

    def try_insert(self, q: Copy, c: int, p: int) -> dict[Copy, float] | None:
        """Insert ``q`` at ``p`` in ``c``'s round and return the starts that change.

        None (and ``q`` taken out again) where a rule would break.
        """
        j = q[0]
        r = self.routes[c]
        T, n_c = self.T, self.n_c
        if p == 0:
            t = self.ss[c] + T[c][n_c + j]
        else:
            prev = r[p - 1]
            t = self.start[prev] + self.dur[prev[0]] + T[n_c + prev[0]][n_c + j]
        t = max(t, self.ws[j])
        for o, w in self.into.get(q, ()):  # the partners already in the rounds
            if o in self.where:
                t = max(t, self.start[o] + w)
        self._insert(q, c, p)
        over = {q: t}
        ok = t <= self.lim[j] + EPS and self._push(over, [q], q)
        if ok:
            ok = self._ends(over, {self.where[x][0] for x in over})
        if not ok:
            self._remove_at(c, p)
            return None
        return over

    def delta(self, q: Copy, c: int, p: int, over: dict[Copy, float], base: float) -> float:
        """Return the objective's change of an insertion made by :meth:`try_insert`.

        ``base`` is the worst lateness before it (the pushes only make visits later).
        """
        T, n_c, j = self.T, self.n_c, q[0]
        r = self.routes[c]  # with q at p
        prev = c if p == 0 else n_c + r[p - 1][0]
        nxt = c if p == len(r) - 1 else n_c + r[p + 1][0]
        dt = T[prev][n_c + j] + T[n_c + j][nxt] - (T[prev][nxt] if len(r) > 1 else 0.0)
        dlate, worst = 0.0, base
        for x, t in over.items():
            new = self.late_of(x, t)
            old = self.late_of(x, self.start[x]) if x in self.start else 0.0
            dlate += new - old
            worst = max(worst, new)
        return dt + self.extra[c][j] + self.lc * dlate + self.wc * (worst - base)

    def places(self, q: Copy) -> list[tuple[int, int]]:
        """Return the (carer row, position) most worth timing for ``q``.

        Every place whose carer has the skills and where ``q`` could start within its limit,
        ranked by the travel it adds plus its own lateness there (before pushing anything
        later): the first :data:`PLACES`.
        """
        j = q[0]
        T, n_c, x = self.T, self.n_c, self.n_c + j
        dur, start, where = self.dur, self.start, self.where
        floor = self.ws[j]
        for o, w in self.into.get(q, ()):  # partners already in the rounds
            if o in where:
                floor = max(floor, start[o] + w)
        lim, we, lc = self.lim[j], self.we[j], self.lc + self.wc
        ranked: list[tuple[float, int, int]] = []
        for c in range(n_c):
            if not self.ok[c][j]:
                continue
            r = self.routes[c]
            prev, t = c, self.ss[c]
            for p in range(len(r) + 1):
                if p:
                    y = r[p - 1]
                    prev, t = n_c + y[0], start[y] + dur[y[0]]
                own = max(t + T[prev][x], floor)
                if own > lim + EPS:
                    continue
                nxt = c if p == len(r) else n_c + r[p][0]
                add = T[prev][x] + T[x][nxt] - (T[prev][nxt] if r else 0.0)
                ranked.append((add + lc * max(own - we, 0.0), c, p))
        ranked.sort()
        return [(c, p) for _, c, p in ranked[:PLACES]]

    def _commit(self, over: dict[Copy, float]) -> dict[Copy, float | None]:
        """Apply the changed starts; return the old ones (None: new) for :meth:`_undo`."""
        old = {x: self.start.get(x) for x in over}
        self.start.update(over)
        return old

    def _undo(self, q: Copy, old: dict[Copy, float | None]) -> None:
        c, p = self.where[q]
        self._remove_at(c, p)
        for x, t in old.items():
            if t is None:
                self.start.pop(x, None)
            else:
                self.start[x] = t

    def worst(self) -> float:
        """Return the worst lateness of the current starts."""
        return max((self.late_of(q, t) for q, t in self.start.items()), default=0.0)

    def best_single(
        self, q: Copy, base: float, noise: random.Random | None
    ) -> tuple[float, int, int] | None:
        """Return the cheapest (cost, carer row, position) for ``q`` alone, or None."""
        best: tuple[float, int, int] | None = None
        for c, p in self.places(q):
            over = self.try_insert(q, c, p)
            if over is None:
                continue
            cost = self.delta(q, c, p, over, base)
            self._remove_at(c, p)
            if noise is not None:
                cost *= 1.0 + 0.1 * (noise.random() - 0.5)
            if best is None or cost < best[0]:
                best = (cost, c, p)
        return best

    def place_unit(self, unit: tuple[Copy, ...], rng: random.Random, noisy: bool) -> bool:
        """Put a unit back at its cheapest place; return whether it went in."""
        noise = rng if noisy else None
        base = self.worst()
        if len(unit) == 1:
            got = self.best_single(unit[0], base, noise)
            if got is None:
                return False
            _, c, p = got
            over = self.try_insert(unit[0], c, p)
            assert over is not None
            self._commit(over)
            return True
        a, b = unit
        firsts = []
        for c, p in self.places(a):
            over = self.try_insert(a, c, p)
            if over is None:
                continue
            firsts.append((self.delta(a, c, p, over, base), c, p))
            self._remove_at(c, p)
        firsts.sort()
        best: tuple[float, int, int, int, int] | None = None
        for cost_a, ca, pa in firsts[:4]:
            over = self.try_insert(a, ca, pa)
            if over is None:  # pragma: no cover - the same insertion fitted above
                continue
            old = self._commit(over)
            worst_a = max(base, *(self.late_of(x, t) for x, t in over.items()))
            for cb, pb in self.places(b):
                if not self._apart(a, ca, cb):
                    continue
                if cb == ca and pb <= self.where[a][1] and b[1] == 0 and a[1] == 0:
                    continue  # one carer: the first before the second
                over_b = self.try_insert(b, cb, pb)
                if over_b is None:
                    continue
                cost = cost_a + self.delta(b, cb, pb, over_b, worst_a)
                self._remove_at(cb, pb)
                if noise is not None:
                    cost *= 1.0 + 0.1 * (noise.random() - 0.5)
                if best is None or cost < best[0]:
                    best = (cost, ca, pa, cb, pb)
            self._undo(a, old)
        if best is None:
            return False
        _, ca, pa, cb, pb = best
        over = self.try_insert(a, ca, pa)
        if over is None:  # pragma: no cover - the same insertion fitted above
            return False
        old = self._commit(over)
        over_b = self.try_insert(b, cb, pb)
        if over_b is None:  # pragma: no cover
            self._undo(a, old)
            return False
        self._commit(over_b)
        return True

    def _apart(self, a: Copy, ca: int, cb: int) -> bool:
        if self.req[a[0]] == 2:
            return self.ids[ca] != self.ids[cb]
        return self.d.pairs.apart(ca, cb)

    def remove_units(self, units: list[tuple[Copy, ...]]) -> None:
        """Take the units out of the rounds and time what is left."""
        gone = {q for u in units for q in u}
        routes = [[q for q in r if q not in gone] for r in self.routes]
        self.load(routes)  # fewer visits: every start stays or comes earlier


def _visits_served(routes: Routes) -> int:
    """Return the visits the rounds serve: a double-handed visit (two carers' copies) is one.

    Counting carers' copies instead would take a plan serving fewer visits, some of them
    double-handed, for one serving more.
    """
    return len({q[0] for r in routes for q in r})


def _units_served(s: _Search) -> list[tuple[Copy, ...]]:
    seen: set[tuple[Copy, ...]] = set()
    out = []
    for r in s.routes:
        for q in r:
            u = s.unit(q[0])
            if u not in seen:
                seen.add(u)
                out.append(u)
    return out


def _destroy(s: _Search, rng: random.Random, q: int) -> list[tuple[Copy, ...]]:
    """Choose ``q`` units to take out, by one of four ways chosen at random."""
    units = _units_served(s)
    if not units:
        return []
    q = min(q, len(units))
    way = rng.randrange(4)
    T, n_c = s.T, s.n_c
    if way == 0:  # at random
        return rng.sample(units, q)
    if way == 1:  # the latest (and the costliest to reach), with some chance

        def score(u: tuple[Copy, ...]) -> float:
            late = max(s.late_of(x, s.start[x]) for x in u)
            c, i = s.where[u[0]]
            r = s.routes[c]
            prev = c if i == 0 else n_c + r[i - 1][0]
            nxt = c if i == len(r) - 1 else n_c + r[i + 1][0]
            x = n_c + u[0][0]
            return late + T[prev][x] + T[x][nxt] - T[prev][nxt]

        ranked = sorted(units, key=score, reverse=True)
        out: list[tuple[Copy, ...]] = []
        while len(out) < q:
            k = int(len(ranked) * rng.random() ** 4)
            out.append(ranked.pop(k))
        return out
    if way == 2:  # near one another in place and time
        seed = rng.choice(units)
        a, ta = n_c + seed[0][0], s.start[seed[0]]

        def rel(u: tuple[Copy, ...]) -> float:
            b = n_c + u[0][0]
            return T[a][b] + T[b][a] + 0.5 * abs(s.start[u[0]] - ta)

        ranked = sorted(units, key=rel)
        out = []
        while len(out) < q:
            k = int(len(ranked) * rng.random() ** 3)
            out.append(ranked.pop(k))
        return out
    # a stretch of one round, and of the round nearest it
    busy = [c for c, r in enumerate(s.routes) if r]
    c = rng.choice(busy)
    r = s.routes[c]
    n = min(q, len(r))
    i = rng.randrange(len(r) - n + 1)
    out = []
    for x in r[i : i + n]:
        u = s.unit(x[0])
        if u not in out:
            out.append(u)
    return out


def improve(
    d: Day,
    ok: npt.NDArray[np.bool_],
    carer_ids: npt.NDArray[Any],
    routes: Routes,
    left: list[int],
    extra: FloatArray,
    budget: Budget,
) -> tuple[Routes, dict[int, int]] | None:
    """Improve rounds on the exact objective by ruin and recreate; None when it found nothing.

    Parameters
    ----------
    d : Day
        The day.
    ok : ndarray of bool
        Carer row x visit: may the carer make it (:func:`~carezones.rounds.model.eligible`).
    carer_ids : ndarray
        Each carer row's carer (the two carers of a double-handed visit differ).
    routes : Routes
        The rounds (repaired and filled: every rule kept).
    left : list of int
        Visit rows left out that may be put in (both visits of a pair, or neither).
    extra : ndarray
        Carer row x visit: travel minutes charged besides travel (:func:`extra_costs`).
    budget : Budget
        Time or iterations, seed and the weights of lateness.

    Returns
    -------
    tuple or None
        The better rounds and their breaks (:func:`~carezones.rounds.schedule.schedule`),
        serving at least the same number of visits for a lower cost; None when no better
        rounds keep every rule.
    """
    t0 = _time.perf_counter()
    s = _Search(d, ok, carer_ids, extra, budget)
    if not s.load(routes):
        return None  # rounds this search cannot time as the schedule does: leave them
    rng = random.Random(budget.seed)
    cur_routes = [list(r) for r in s.routes]
    cur = (-_visits_served(cur_routes), s.total(s.cost()))
    best, best_routes = cur, cur_routes
    start_cost = max(cur[1], 1.0)
    pool: list[tuple[Copy, ...]] = []
    for j in left:
        u = s.unit(j)
        if u not in pool and all(x[0] in left for x in u):
            pool.append(u)
    n_units = len(_units_served(s)) + len(pool)
    if n_units == 0:
        return None
    hi_q = max(2, min(12, n_units // 3))
    total_iters = budget.iterations
    it = 0
    while True:
        if total_iters is not None:
            if it >= total_iters:
                break
            progress = it / total_iters
        else:
            elapsed = _time.perf_counter() - t0
            if elapsed >= budget.seconds:
                break
            progress = elapsed / budget.seconds
        it += 1
        temp = start_cost * 0.004 * (0.01**progress)
        s.load(cur_routes)
        out = _destroy(s, rng, rng.randint(1, hi_q))
        s.remove_units(out)
        todo = out + [u for u in pool if u[0] not in s.where and u not in out]
        order = rng.randrange(3)
        if order == 0:
            rng.shuffle(todo)
        elif order == 1:
            todo.sort(key=lambda u: s.ws[u[0][0]])
        else:
            todo.sort(key=lambda u: -s.ws[u[0][0]] - s.dur[u[0][0]])
        noisy = rng.random() < 0.3
        for u in todo:
            s.place_unit(u, rng, noisy)
        new = (-_visits_served(s.routes), s.total(s.cost()))
        accept = new[0] < cur[0] or (
            new[0] == cur[0]
            and (new[1] < cur[1] - EPS or rng.random() < math.exp(-(new[1] - cur[1]) / temp))
        )
        if accept:
            cur, cur_routes = new, [list(r) for r in s.routes]
            if new < best:
                best, best_routes = new, cur_routes
    given = (-_visits_served(routes), s.total(_given(s, routes)))
    if not best < (given[0], given[1] - 1e-6):
        return None
    breaks, _, broken = schedule(d, best_routes)
    if broken:
        return None
    exact = day_cost(d, best_routes, budget.late_cost, budget.worst_late_cost)
    exact_given = day_cost(d, routes, budget.late_cost, budget.worst_late_cost)
    extra_best = sum(extra[c, q[0]] for c, r in enumerate(best_routes) for q in r)
    extra_given = sum(extra[c, q[0]] for c, r in enumerate(routes) for q in r)
    if best[0] == given[0] and exact + extra_best >= exact_given + extra_given - 1e-6:
        return None
    return best_routes, breaks


def _given(s: _Search, routes: Routes) -> tuple[float, float, float, float]:
    s.load(routes)
    return s.cost()
