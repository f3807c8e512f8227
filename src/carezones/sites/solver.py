"""Choose ``k`` sites from travel times: maximal covering and p-median, exact where possible.

Two classic location models, over plain arrays (no network, no file, no geometry):

- **maximal covering** (Church & ReVelle 1974), :func:`max_coverage`: the ``k`` sites that
  together reach the most demand within a time limit;
- **p-median** (Hakimi 1964), :func:`p_median`: the ``k`` sites that minimise the
  demand-weighted minutes to the nearest.

The textbook models hand a mixed-integer programme to a general solver (spopt builds it with
PuLP for CBC). Here each is solved the way its structure allows.

**Maximal covering.** Exact reductions first: demand points reached by the same sites become one
(their weights summed), and a site whose reach another's contains is dropped (equal reaches keep
the first); on Rutland at 15 minutes, 5,000 points and 300 sites become about 1,200 and 70. A
greedy start improved by swaps (one site out, one in, every swap evaluated together; Teitz &
Bart 1968) gives a good set at once. HiGHS (:func:`scipy.optimize.milp`, relative gap 0) then
solves ``max sum_g W_g y_g`` subject to ``y_g <= sum_{j reaches g} x_j``, ``sum_j x_j = k``,
with the demand covered at least that of the set in hand (a cutoff that spares it the worse
sets). Its linear relaxation is tight enough on such instances that it proves the optimum at
the root node.

**p-median.** The textbook model has an assignment variable per demand point and site (1.5
million at 5,000 x 300), slow for any general solver. Instead, a Lagrangian search (Beasley
1993): for multipliers ``lam`` on the assignment constraints, every set ``S`` of ``k`` sites
costs at least ``sum_i lam_i + sum_{j in S} rho_j`` with ``rho_j = sum_i min(0, w_i d_ij -
lam_i)``.

1. Greedy, then swaps, give the best set so far.
2. Subgradient steps (Polyak steps towards the best cost, halved after long stalls) raise the
   bound. Each step also proves some sites absent from every better set (the cheapest set
   holding the site is already bounded at the best cost) and drops them; and the cheapest sets
   under the relaxation, polished by swaps, improve the best set.
3. When the bound meets the best cost, the set is optimal. Otherwise every set of the sites left
   whose bound is below the best cost is enumerated (depth first in order of ``rho``, pruned by
   the bound; the last site of each set evaluated for all candidates at once), which proves the
   optimum when it ends. This is tried every 50 steps, and as soon as few sets remain it ends the
   search.

When the time limit stops the proof, the best set is returned with the best proven bound
(HiGHS's, or the Lagrangian). The search is deterministic: the same arrays give the same set,
ties going to the lower index. Optimality is to a relative tolerance of :data:`TOLERANCE` (1e-9).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TOLERANCE = 1e-9
_QUICK_SETS = 20_000  # during the search, the enumeration is tried when at most this many sets
_MAX_STEPS = 5_000  # subgradient steps at most
_PATIENCE = 100  # steps without a better bound before the step factor is halved
OFFER_WITHIN = 0.02  # the relaxation's sets are polished by swaps when this close to the best


@dataclass(frozen=True)
class Solution:
    """A chosen set and what is proven about it.

    Attributes
    ----------
    chosen : numpy.ndarray
        Positions of the chosen sites among the candidates given, sorted.
    value : float
        Its objective: demand covered (covering) or demand-weighted minutes (p-median).
    bound : float
        A proven bound on the best possible value: no set covers more (covering) or costs less
        (p-median). Equal to ``value`` when ``optimal``.
    optimal : bool
        Whether the set is proven optimal.
    method : str
        How the set was found and proven, in words.
    seconds : float
        Time taken.
    """

    chosen: IntArray
    value: float
    bound: float
    optimal: bool
    method: str
    seconds: float

    @property
    def gap(self) -> float:
        """The relative gap between ``value`` and ``bound`` (0 when proven optimal)."""
        if self.optimal:
            return 0.0
        return abs(self.bound - self.value) / max(abs(self.value), abs(self.bound), 1e-12)


# ---------------------------------------------------------------------- the models
def max_coverage(
    cover: sp.sparray | sp.spmatrix | npt.NDArray[np.bool_],
    weight: npt.ArrayLike,
    k: int,
    *,
    time_limit: float = 60.0,
) -> Solution:
    """Choose ``k`` columns of ``cover`` to maximise the weight of rows that one reaches.

    Parameters
    ----------
    cover : scipy.sparse matrix or numpy.ndarray
        ``(demand, sites)``: nonzero where the site reaches the demand point.
    weight : array-like
        The demand of each row (>= 0).
    k : int
        How many sites to choose (1 to the number of columns).
    time_limit : float
        Seconds the search may take.

    Returns
    -------
    Solution
    """
    t0 = time.perf_counter()
    a = sp.csr_matrix(cover, dtype=bool)
    n_sites = a.shape[1]
    if not 1 <= k <= n_sites:
        raise ValueError(f"k must be between 1 and {n_sites}, not {k}")
    groups, w = _group_rows(a, np.asarray(weight, dtype=float))
    total = float(w.sum())
    kept = _undominated(groups)
    facts = (
        f"{n_sites} sites, {len(kept)} once those whose reach another's contains are "
        f"dropped; {groups.shape[0]} demand points of distinct reach"
    )
    if len(kept) <= k:
        chosen = _pad(kept, groups, w, k)
        return Solution(
            chosen,
            total,
            total,
            True,
            f"all the demand within reach is covered ({facts})",
            time.perf_counter() - t0,
        )
    search = _CoverSearch(sp.csc_matrix(groups[:, kept]), w, k, t0 + time_limit)
    if search.best_value <= search.slack:  # greedy and swaps already cover it all
        search.proven, search.stage = True, "greedy and swaps (all the demand within reach)"
    else:
        search.finish_with_highs()
    value, bound = total - search.best_value, total - min(search.bound, search.best_value)
    chosen = np.sort(kept[search.best])
    how = f"{search.method()} ({facts})"
    if search.proven:
        return Solution(chosen, value, value, True, how, time.perf_counter() - t0)
    how = f"time limit of {time_limit:g} s reached: the best set found, {how}"
    return Solution(chosen, value, bound, False, how, time.perf_counter() - t0)


def p_median(
    minutes: FloatArray, weight: npt.ArrayLike, k: int, *, time_limit: float = 60.0
) -> Solution:
    """Choose ``k`` rows of ``minutes`` (sites) minimising the weighted minutes to the nearest.

    Parameters
    ----------
    minutes : numpy.ndarray
        ``(sites, demand)`` travel minutes, all finite (the caller prices pairs with no route
        and folds in the sites already open).
    weight : array-like
        The demand of each column (>= 0).
    k : int
        How many sites to choose (1 to the number of rows).
    time_limit : float
        Seconds the search may take.

    Returns
    -------
    Solution
    """
    t0 = time.perf_counter()
    d = np.asarray(minutes, dtype=np.float64)
    n_sites = d.shape[0]
    if not 1 <= k <= n_sites:
        raise ValueError(f"k must be between 1 and {n_sites}, not {k}")
    if not np.isfinite(d).all():
        raise ValueError("p_median needs finite minutes: price pairs with no route first")
    w = np.asarray(weight, dtype=float)
    live = w > 0
    d, w = np.ascontiguousarray(d[:, live]), w[live]
    if k == n_sites or d.shape[1] == 0:
        chosen = np.arange(k, dtype=np.int64)
        value = float(w @ d[chosen].min(axis=0)) if len(w) else 0.0
        return Solution(
            chosen, value, value, True, "every candidate is chosen", time.perf_counter() - t0
        )
    search = _MedianSearch(d, w, k, t0 + time_limit)
    search.run()
    value = search.best_value
    how = f"{search.method()} ({n_sites} sites)"
    if search.proven:
        return Solution(search.best, value, value, True, how, time.perf_counter() - t0)
    how = f"time limit of {time_limit:g} s reached: the best set found, {how}"
    return Solution(
        search.best, value, min(search.bound, value), False, how, time.perf_counter() - t0
    )


# ---------------------------------------------------------------------- the search
class _Search:
    """The Lagrangian search both models share (minimisation form, see the module docstring).

    A model gives its cost, greedy start, swaps, multipliers (start, bound, subgradient, box)
    and, for the enumeration, a branch's state and the cost of ending a branch with each of a
    block of sites.
    """

    max_steps = _MAX_STEPS  # subgradient steps at most
    offer_every = 5  # steps between the sets offered to the swaps

    def __init__(self, n_sites: int, k: int, deadline: float, scale: float) -> None:
        self.k, self.deadline = k, deadline
        self.alive = np.arange(n_sites, dtype=np.int64)
        self.best = np.sort(self.swap(self.greedy(), self.alive))
        self.best_value = self.cost(self.best)
        self.slack = TOLERANCE * max(scale, abs(self.best_value), 1e-300)
        self.tried: set[tuple[int, ...]] = {tuple(self.best.tolist())}
        self.bound = self.floor()
        self.lam = np.zeros(0)
        self.proven = False
        self.steps = 0
        self.stage = "greedy and swaps"

    # what a model gives ---------------------------------------------------
    def cost(self, pick: IntArray) -> float:
        raise NotImplementedError

    def greedy(self) -> IntArray:
        raise NotImplementedError

    def floor(self) -> float:
        """Return a simple lower bound on the cost of any set."""
        raise NotImplementedError

    def swap(self, pick: IntArray, among: IntArray) -> IntArray:
        raise NotImplementedError

    def start(self) -> FloatArray:
        raise NotImplementedError

    def relax(self, lam: FloatArray) -> tuple[float, FloatArray]:
        """Return ``base`` and ``rho`` of the alive sites at ``lam``."""
        raise NotImplementedError

    def grad(self, lam: FloatArray, pick: IntArray) -> FloatArray:
        raise NotImplementedError

    def clip(self, lam: FloatArray) -> FloatArray:
        raise NotImplementedError

    def branch(self, state: Any, site: int) -> Any:
        """Return the state of a branch after adding ``site`` (``state`` is None at the root)."""
        raise NotImplementedError

    def ends(self, state: Any, sites: IntArray) -> FloatArray:
        """Return the cost of the branch ended by each of ``sites``."""
        raise NotImplementedError

    # the search -----------------------------------------------------------
    def better(self, value: float) -> bool:
        return value < self.best_value - self.slack

    def bound_at(self, lam: FloatArray) -> tuple[float, FloatArray]:
        base, rho = self.relax(lam)
        k = min(self.k, len(rho))
        return base + float(np.partition(rho, k - 1)[:k].sum()), rho

    def run(self) -> None:
        """Raise the bound and improve the set; then enumerate what the bound cannot rule out."""
        self.subgradient()
        if not self.closed():
            self.try_enumeration(None)

    def subgradient(self) -> None:
        """Polyak steps towards the best cost, dropping sites and offering sets on the way."""
        k = self.k
        self.lam = self.start()
        lam, theta, stall = self.lam.copy(), 1.0, 0
        while time.perf_counter() < self.deadline and self.steps < self.max_steps:
            self.steps += 1
            bound, rho = self.bound_at(lam)
            stall = 0 if bound > self.bound + self.slack else stall + 1
            if bound > self.bound:
                self.bound, self.lam = bound, lam.copy()
            if stall >= _PATIENCE:
                theta, stall = theta / 2.0, 0
            rho = self.eliminate(bound, rho)
            if self.closed():
                return
            pick = self.alive[np.argsort(rho, kind="stable")[:k]]
            if self.steps % self.offer_every == 0:
                self.offer(pick)
            if self.steps % 50 == 0 and self.try_enumeration(_QUICK_SETS):
                return
            g = self.grad(lam, pick)
            norm = float(g @ g)
            if norm == 0.0 or theta < 1e-3:
                return
            lam = self.clip(lam + (theta * (self.best_value - bound) / norm) * g)

    def eliminate(self, bound: float, rho: FloatArray) -> FloatArray:
        """Drop the alive sites no better set can hold; return ``rho`` of those left.

        The cheapest set holding site ``j`` is bounded below by the bound with ``j`` forced in;
        when that reaches the best cost, ``j`` is in no better set.
        """
        k = self.k
        if len(self.alive) <= k:
            return rho
        order = np.argsort(rho, kind="stable")
        with_j = bound + rho - rho[order[k - 1]]
        with_j[order[:k]] = bound
        keep = with_j < self.best_value - self.slack
        if keep.sum() < k:  # fewer than k sites could be in a better set: there is none
            self.proven, self.stage = True, "Lagrangian bound"
            return rho
        self.alive = self.alive[keep]
        return np.asarray(rho[keep], dtype=np.float64)

    def closed(self) -> bool:
        """Whether the best set is proven optimal: by the bound, or as the last set left."""
        if not self.proven and len(self.alive) == self.k:
            self.consider(np.sort(self.alive))
            self.proven, self.stage = True, "Lagrangian bound"
        if not self.proven and self.bound >= self.best_value - self.slack:
            self.proven, self.stage = True, "Lagrangian bound"
        return self.proven

    def consider(self, pick: IntArray) -> None:
        value = self.cost(pick)
        if self.better(value):
            self.best, self.best_value = np.sort(pick), value

    def offer(self, pick: IntArray) -> None:
        """Polish a set by swaps among the alive sites; keep it if it beats the best."""
        key = tuple(np.sort(pick).tolist())
        if key in self.tried:
            return
        self.tried.add(key)
        pick = np.asarray(key, dtype=np.int64)
        if self.cost(pick) > self.best_value * (1 + OFFER_WITHIN):
            return  # far from the best: not worth the swaps
        polished = np.sort(self.swap(pick, self.alive))
        self.tried.add(tuple(polished.tolist()))
        self.consider(polished)

    def try_enumeration(self, max_sets: int | None) -> bool:
        """Enumerate the sets the bound cannot rule out (unless more than ``max_sets``)."""
        bound, rho = self.bound_at(self.lam)  # the best multipliers, over the sites left
        rho = self.eliminate(bound, rho)
        if self.closed():
            return True
        if self.enumerate(rho, max_sets):
            self.proven, self.stage = True, "Lagrangian bound and enumeration"
        return self.proven

    def enumerate(self, rho: FloatArray, max_sets: int | None) -> bool:
        """Evaluate every set of alive sites whose bound is below the best cost.

        Depth first over the sites in order of ``rho``; a branch ends when its bound (its
        sites plus the cheapest that may follow) reaches the best cost, and the last site of
        each set is evaluated for all candidates at once. Returns whether it finished before
        the deadline; with ``max_sets``, gives up at once when more sets than that remain.
        """
        k = self.k
        order = np.argsort(rho, kind="stable")
        r, sites = rho[order], self.alive[order]
        base, _ = self.relax(self.lam)
        pre = np.concatenate([[0.0], np.cumsum(r)])  # the cheapest sum of sites p.. is a slice
        if max_sets is not None and self.count(r, pre, base, max_sets) > max_sets:
            return False
        n = len(r)
        stack: list[tuple[int, tuple[int, ...], float, Any]] = [(0, (), 0.0, None)]
        while stack:
            if time.perf_counter() > self.deadline:
                return False
            start, path, total, state = stack.pop()
            need = k - len(path)
            limit = self.best_value - self.slack - base - total
            if need == 1:
                stop = start + int(np.searchsorted(r[start:], limit, side="left"))
                if stop > start:
                    costs = self.ends(state, sites[start:stop])
                    i = int(np.argmin(costs))
                    if self.better(float(costs[i])):
                        self.best = np.sort(sites[[*path, start + i]])
                        self.best_value = float(costs[i])
                continue
            nxt = []
            for p in range(start, n - need + 1):  # the bound grows with p: stop at the first miss
                if r[p] + (pre[p + need] - pre[p + 1]) >= limit:
                    break
                nxt.append((p + 1, (*path, p), total + r[p], self.branch(state, int(sites[p]))))
            stack.extend(reversed(nxt))  # the lowest rho is explored first
        return True

    def count(self, r: FloatArray, pre: FloatArray, base: float, most: int) -> int:
        """Count the sets the bound cannot rule out, stopping once past ``most``."""
        k, n = self.k, len(r)
        limit0 = self.best_value - self.slack - base
        found = 0
        stack: list[tuple[int, int, float]] = [(0, k, 0.0)]
        while stack and found <= most:
            start, need, total = stack.pop()
            limit = limit0 - total
            if need == 1:
                found += int(np.searchsorted(r[start:], limit, side="left"))
                continue
            for p in range(start, n - need + 1):
                if r[p] + (pre[p + need] - pre[p + 1]) >= limit:
                    break
                stack.append((p + 1, need - 1, total + r[p]))
        return found

    def method(self) -> str:
        if self.proven:
            return (
                f"proven optimal by the {self.stage} ({self.steps} subgradient steps, "
                f"{len(self.alive)} sites left after the bound's reductions)"
            )
        return (
            f"with the Lagrangian bound ({self.steps} subgradient steps, "
            f"{len(self.alive)} sites left after the bound's reductions)"
        )


class _MedianSearch(_Search):
    """p-median: ``d`` is ``(sites, demand)`` minutes, ``w`` the demand's weights."""

    def __init__(self, d: FloatArray, w: FloatArray, k: int, deadline: float) -> None:
        self.d, self.w = d, w
        self.wd = d * w[None, :]
        super().__init__(d.shape[0], k, deadline, 0.0)

    def cost(self, pick: IntArray) -> float:
        return float(self.w @ self.d[pick].min(axis=0))

    def greedy(self) -> IntArray:
        d, w = self.d, self.w
        nearest = np.full(d.shape[1], np.inf)
        pick: list[int] = []
        for _ in range(self.k):
            cost = np.minimum(d, nearest[None, :]) @ w
            cost[pick] = np.inf
            j = int(np.argmin(cost))
            pick.append(j)
            nearest = np.minimum(nearest, d[j])
        return np.asarray(pick, dtype=np.int64)

    def swap(self, pick: IntArray, among: IntArray) -> IntArray:
        """Best-improvement swaps, every (out, in) pair evaluated at once, until none helps.

        Swapping ``r`` out and ``j`` in costs, for each demand point, ``min(d_j, d1)`` if its
        nearest chosen site is not ``r`` and ``min(d_j, d2)`` if it is (``d1``, ``d2``: the
        nearest and second nearest chosen): one pass is a few matrix products.
        """
        d, w = self.d, self.w
        pool = d[among]
        pick = pick.copy()
        cols = np.arange(d.shape[1])
        current = self.cost(pick)
        while True:
            chosen = d[pick]
            if len(pick) > 1:
                two = np.argpartition(chosen, 1, axis=0)[:2]
                first = np.where(chosen[two[0], cols] <= chosen[two[1], cols], two[0], two[1])
                second = np.where(first == two[0], two[1], two[0])
                d1, d2 = chosen[first, cols], chosen[second, cols]
            else:
                first = np.zeros(d.shape[1], dtype=np.int64)
                d1, d2 = chosen[0], np.full(d.shape[1], np.inf)
            near = np.minimum(pool, d1[None, :])
            base = near @ w
            taken = np.isin(among, pick)
            target, out, into = current - TOLERANCE * current, -1, -1
            for r in range(len(pick)):
                idx = np.flatnonzero(first == r)
                total = base + (np.minimum(pool[:, idx], d2[idx][None, :]) - near[:, idx]) @ w[idx]
                total[taken] = np.inf
                c = int(np.argmin(total))
                if total[c] < target:
                    target, out, into = float(total[c]), r, int(among[c])
            if out < 0:
                return pick
            pick[out] = into
            current = self.cost(pick)

    def floor(self) -> float:
        return float(self.wd.min(axis=0).sum())  # every point at its nearest candidate

    def start(self) -> FloatArray:
        return np.asarray(np.sort(self.wd, axis=0)[min(self.k, self.wd.shape[0] - 1)], np.float64)

    def relax(self, lam: FloatArray) -> tuple[float, FloatArray]:
        rho = np.minimum(self.wd[self.alive] - lam[None, :], 0.0).sum(axis=1)
        return float(lam.sum()), rho

    def grad(self, lam: FloatArray, pick: IntArray) -> FloatArray:
        return np.asarray(1.0 - (self.wd[pick] < lam[None, :]).sum(axis=0), dtype=np.float64)

    def clip(self, lam: FloatArray) -> FloatArray:
        return np.maximum(lam, 0.0)

    def branch(self, state: Any, site: int) -> Any:
        return self.d[site] if state is None else np.minimum(state, self.d[site])

    def ends(self, state: Any, sites: IntArray) -> FloatArray:
        block = self.d[sites] if state is None else np.minimum(self.d[sites], state)
        return np.asarray(block @ self.w)


class _CoverSearch(_Search):
    """Maximal covering, as the demand left uncovered: ``a`` is ``(demand, sites)`` reach.

    Its greedy start and swaps give the best set at once; HiGHS then proves it or finds a
    better one (:meth:`finish_with_highs`).
    """

    def __init__(self, a: sp.csc_matrix, w: FloatArray, k: int, deadline: float) -> None:
        self.a = sp.csc_matrix(a, dtype=np.float64)
        self.at = sp.csr_matrix(self.a.T)
        self.w = w
        self.total = float(w.sum())
        super().__init__(a.shape[1], k, deadline, self.total)

    def cost(self, pick: IntArray) -> float:
        hit = np.asarray(self.a[:, pick].sum(axis=1)).ravel() > 0
        return float(self.w[~hit].sum())

    def greedy(self) -> IntArray:
        left = self.w.copy()
        pick: list[int] = []
        for _ in range(self.k):
            gain = self.at @ left
            gain[pick] = -1.0
            j = int(np.argmax(gain))
            pick.append(j)
            left[self.a[:, j].indices] = 0.0
        return np.asarray(pick, dtype=np.int64)

    def swap(self, pick: IntArray, among: IntArray) -> IntArray:
        """Best-improvement swaps until none covers more.

        Swapping ``r`` out and ``j`` in gains what ``j`` covers of the uncovered demand and of
        the demand only ``r`` covered, and loses the latter.
        """
        a, w = self.a, self.w
        at = self.at[among]
        pick = pick.copy()
        while True:
            count = np.asarray(a[:, pick].sum(axis=1)).ravel()
            gain = at @ (w * (count == 0))
            taken = np.isin(among, pick)
            best, out, into = TOLERANCE * self.total, -1, -1
            for r, j in enumerate(pick.tolist()):
                only = np.zeros(len(w))
                rows = a[:, j].indices
                alone = rows[count[rows] == 1]
                only[alone] = w[alone]
                change = gain + at @ only - only.sum()
                change[taken] = -np.inf
                c = int(np.argmax(change))
                if change[c] > best:
                    best, out, into = float(change[c]), r, int(among[c])
            if out < 0:
                return pick
            pick[out] = into

    def floor(self) -> float:
        return 0.0

    def method(self) -> str:
        if self.proven:
            return f"proven optimal by the {self.stage}"
        return "with HiGHS's bound"

    def finish_with_highs(self) -> None:
        """Solve the covering MIP with HiGHS until the deadline, the best set as a cutoff.

        ``max sum_g W_g y_g`` subject to ``y_g <= sum_{j reaches g} x_j``, ``sum_j x_j = k``,
        ``x`` binary, ``0 <= y <= 1`` and the demand covered at least the best set's (which
        spares HiGHS the worse sets). Proven when HiGHS proves its optimum; otherwise its bound
        is kept.
        """
        from scipy.optimize import Bounds, LinearConstraint, milp

        n_g, n_s = self.a.shape
        w = self.w
        link = sp.hstack([-sp.csr_matrix(self.a), sp.identity(n_g, format="csr")]).tocsr()
        count = sp.csr_matrix(np.concatenate([np.ones(n_s), np.zeros(n_g)])[None, :])
        covered = sp.csr_matrix(np.concatenate([np.zeros(n_s), w])[None, :])
        at_least = self.total - self.best_value - self.slack
        res = milp(
            np.concatenate([np.zeros(n_s), -w]),
            integrality=np.concatenate([np.ones(n_s), np.zeros(n_g)]),
            bounds=Bounds(0, 1),
            constraints=[
                LinearConstraint(link, -np.inf, 0),
                LinearConstraint(count, self.k, self.k),
                LinearConstraint(covered, at_least, np.inf),
            ],
            options={
                "presolve": False,
                "mip_rel_gap": 0.0,
                "time_limit": max(self.deadline - time.perf_counter(), 0.5),
            },
        )
        if res.x is not None:
            self.consider(np.sort(np.argsort(-res.x[:n_s], kind="stable")[: self.k]))
        if res.mip_dual_bound is not None:  # HiGHS's bound on the uncovered demand
            self.bound = max(self.bound, min(self.total + res.mip_dual_bound, self.best_value))
        if res.status == 0 or self.bound >= self.best_value - self.slack:
            self.proven, self.stage = True, "mixed-integer programme (HiGHS)"
            self.bound = self.best_value


# ---------------------------------------------------------------------- covering reductions
def _group_rows(a: sp.csr_matrix, w: FloatArray) -> tuple[sp.csr_matrix, FloatArray]:
    """Merge rows reached by the same sites (weights summed); drop unreached, weightless rows."""
    a = a.copy()
    a.sort_indices()
    keys: dict[bytes, int] = {}
    gid = np.empty(a.shape[0], dtype=np.int64)
    ind, ptr = a.indices, a.indptr
    for i in range(a.shape[0]):
        gid[i] = keys.setdefault(ind[ptr[i] : ptr[i + 1]].tobytes(), len(keys))
    weights = np.bincount(gid, weights=w, minlength=len(keys))
    first = np.unique(gid, return_index=True)[1]
    rows = a[first]
    live = (np.diff(rows.indptr) > 0) & (weights > 0)
    return sp.csr_matrix(rows[live], dtype=bool), weights[live]


def _undominated(groups: sp.csr_matrix) -> IntArray:
    """Return the sites whose reach no other site's contains (of equal reaches, the first)."""
    b = sp.csc_matrix(groups, dtype=np.float64)
    size = np.asarray(b.sum(axis=0)).ravel()
    inter = (b.T @ b).tocoo()
    i, j, v = inter.row, inter.col, inter.data
    inside = (i != j) & (v == size[i])  # the reach of i is inside the reach of j
    equal = inside & (size[j] == size[i])
    drop = np.zeros(b.shape[1], dtype=bool)
    drop[i[inside & ~equal]] = True
    drop[i[equal & (j < i)]] = True
    drop |= size == 0
    return np.flatnonzero(~drop).astype(np.int64)


def _pad(kept: IntArray, groups: sp.csr_matrix, w: FloatArray, k: int) -> IntArray:
    """Fill a set of fewer than ``k`` sites with the others that reach most on their own."""
    own = np.asarray(sp.csc_matrix(groups, dtype=np.float64).T @ w).ravel()
    rest = np.setdiff1d(np.arange(groups.shape[1]), kept)
    rest = rest[np.lexsort((rest, -own[rest]))]
    return np.sort(np.concatenate([kept, rest[: k - len(kept)]])).astype(np.int64)
