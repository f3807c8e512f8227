"""The portfolio's problem: travel times from sites to demand, who may be chosen, the solves.

:func:`~carezones.sites.choose_sites` (:mod:`carezones.sites.portfolio`) reads its inputs into a
:class:`_Context` and solves each scenario here (:func:`_solve`, with the models of
:mod:`carezones.sites.solver`); :mod:`carezones.sites.portfolio_tables` measures the sets chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from carezones.errors import Argument, ArgumentError, Ask, Fix, Reason
from carezones.sites.demand import Scenarios
from carezones.sites.options import Objective
from carezones.sites.solver import Solution, max_coverage, p_median
from carezones.sites.status import CandidateStatus

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALL_SCENARIOS = "all"
NO_ROUTE_FACTOR = 10.0  # p-median: a pair with no route counts as this times the longest route


def _weights(scen: Scenarios, name: str) -> FloatArray:
    """Return the demand rows' weights in a scenario (``all``: the mean over every one)."""
    if name == ALL_SCENARIOS:
        return np.asarray(scen.weights.mean(axis=1), dtype=np.float64)
    return np.asarray(scen.weights[:, scen.names.index(name)], dtype=np.float64)


# ---------------------------------------------------------------------- travel times
@dataclass(frozen=True)
class _Times:
    """Minutes from every site (candidates, then existing) to every distinct demand location.

    ``inverse`` maps each demand row to its location; ``far`` marks locations too far from any
    road to route; ``site_far`` sites too far from any road.
    """

    minutes: FloatArray
    inverse: IntArray
    far: npt.NDArray[np.bool_]
    site_far: npt.NDArray[np.bool_]
    n_candidates: int
    site_points: FloatArray

    @classmethod
    def measure(
        cls,
        net: RoadNetwork,
        sites: gpd.GeoDataFrame,
        old: gpd.GeoDataFrame | None,
        dem: gpd.GeoDataFrame,
    ) -> _Times:
        from carezones.network import as_lonlat

        geoms = list(sites.geometry) + ([] if old is None else list(old.geometry))
        site_pts = net.access_points(np.asarray(geoms, dtype=object))
        pts = as_lonlat(dem)
        uniq, inverse = np.unique(np.round(pts, 7), axis=0, return_inverse=True)
        s_snap, d_snap = net.snap(site_pts), net.snap(uniq)
        minutes = net.router.table(net.attach(s_snap), net.attach(d_snap))
        return cls(
            minutes, inverse.ravel().astype(np.int64), d_snap.far, s_snap.far, len(sites), site_pts
        )

    @property
    def existing(self) -> IntArray:
        return np.arange(self.n_candidates, self.minutes.shape[0], dtype=np.int64)

    def unique_weights(self, w: FloatArray) -> FloatArray:
        """Return the demand rows' weights summed by location (0 where too far to route)."""
        out = np.bincount(self.inverse, weights=w, minlength=self.minutes.shape[1])
        out[self.far] = 0.0
        return out


def _eligibility(
    sites: gpd.GeoDataFrame, times: _Times, min_score: float | None, k: int
) -> tuple[IntArray, list[CandidateStatus]]:
    """Return the candidates that may be chosen and each one's status; refuse impossible k."""
    score = sites["score"].to_numpy(dtype=float)
    status = []
    for i in range(len(sites)):
        if times.site_far[i]:
            status.append(CandidateStatus.OFF_NETWORK)
        elif min_score is not None and not np.isfinite(score[i]):
            status.append(CandidateStatus.NOT_SCORED)
        elif min_score is not None and score[i] < min_score:
            status.append(CandidateStatus.BELOW_MIN_SCORE)
        else:
            status.append(CandidateStatus.ELIGIBLE)
    ok = np.flatnonzero([s is CandidateStatus.ELIGIBLE for s in status]).astype(np.int64)
    if len(ok) >= k:
        return ok, status
    counts = pd.Series([str(s) for s in status]).value_counts()
    why = ", ".join(f"{n} {s}" for s, n in counts.items() if s != CandidateStatus.ELIGIBLE)
    if min_score is not None and len(ok) == 0 and counts.get(CandidateStatus.BELOW_MIN_SCORE, 0):
        best = int(np.nanargmax(np.where(np.isfinite(score), score, -np.inf)))
        raise ArgumentError.worded(
            f"no candidate meets the minimum score of {min_score:g} (the best, "
            f"{sites.site_id.iloc[best]}, scores {score[best]:.1f}; {why}): ",
            Fix("add candidates", Argument.MIN_SCORE, Ask.SMALLER, first=True),
        )
    lower_score = Fix(argument=Argument.MIN_SCORE, ask=Ask.SMALLER)
    raise ArgumentError.worded(
        Reason("", Argument.K, k, f" but only {len(ok)} of {len(sites)} candidates can be "),
        f"chosen{f' ({why})' if why else ''}: ",
        Fix(argument=Argument.K, ask=Ask.SMALLER),
        *((" or ", lower_score) if min_score is not None else ()),
        ", or add candidates",
    )


# ---------------------------------------------------------------------- solving
@dataclass(frozen=True)
class _Run:
    """One scenario's solution: the chosen candidates (positions) and the proof."""

    chosen: IntArray
    solution: Solution
    weights: FloatArray  # by demand location


def _solve(
    times: _Times,
    w: FloatArray,
    eligible: IntArray,
    k: int,
    objective: Objective,
    minutes: float,
    time_limit: float,
) -> _Run:
    t = times.minutes
    exist = times.existing
    if objective is Objective.COVERAGE:
        reach = t <= minutes
        done = reach[exist].any(axis=0) if len(exist) else np.zeros(t.shape[1], dtype=bool)
        rows = np.flatnonzero(~done & (w > 0))
        cover = sp.csr_matrix(reach[eligible][:, rows].T)
        sol = max_coverage(cover, w[rows], k, time_limit=time_limit)
        base = float(w[done].sum())
        sol = Solution(
            sol.chosen, sol.value + base, sol.bound + base, sol.optimal, sol.method, sol.seconds
        )
    else:
        d, live = _median_minutes(t, eligible, exist, w)
        sol = p_median(d, w[live], k, time_limit=time_limit)
    return _Run(eligible[sol.chosen], sol, w)


def _median_minutes(
    t: FloatArray, eligible: IntArray, exist: IntArray, w: FloatArray
) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Return the p-median's minutes: no-route pairs priced, existing schemes folded in."""
    reachable = np.isfinite(t[np.concatenate([eligible, exist])]).any(axis=0)
    live = reachable & (w > 0)
    d = t[eligible][:, live]
    finite = t[np.isfinite(t)]
    penalty = NO_ROUTE_FACTOR * float(finite.max()) if len(finite) else 1.0
    d = np.where(np.isfinite(d), d, penalty)
    if len(exist):
        cap = t[exist][:, live].min(axis=0)
        d = np.minimum(d, np.where(np.isfinite(cap), cap, penalty))
    return d, live


# ---------------------------------------------------------------------- the result
@dataclass(frozen=True)
class _Context:
    """What a choice was made from: the inputs read, the times, who could be chosen."""

    net: RoadNetwork
    sites: gpd.GeoDataFrame
    old: gpd.GeoDataFrame | None
    dem: gpd.GeoDataFrame
    scen: Scenarios
    times: _Times
    eligible: IntArray
    status: list[CandidateStatus]
    objective: Objective
    k: int
    minutes: float
    min_score: float | None
    plan: str
    t_times: float
    t_total: float
