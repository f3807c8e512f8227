"""Zone centres: k-means++ starts, the balanced transportation LP and its prices, medoids.

The starting centres come from k-means++ seeds and Lloyd's iterations with the hours balanced
(straight lines). :func:`balanced_assignment` is the transportation LP (HiGHS) that assigns
places to zones by hours x minutes with every zone's hours inside the band; its dual prices on
the band constraints (:func:`band_prices`) are the minutes each zone's price adds to its travel
times, which turn the LP into a priced Voronoi diagram on the roads
(:func:`~carezones.zones.partition.priced_voronoi`).
:func:`medoids` moves each centre to the road junction with the fewest hours-weighted road
minutes to its zone's clients: a centre is never a client's home.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BAND_SHARE = 0.9  # the first assignment aims inside this share of the tolerance band


@dataclass(frozen=True)
class Demand:
    """Where a group's hours are: points with weekly hours, and how routes reach them.

    Parameters
    ----------
    route_ll : numpy.ndarray
        Where routes to each point end, lon/lat, shape (n, 2).
    extra : numpy.ndarray
        Minutes from there to the point (0 but for points far from every road).
    x, y : numpy.ndarray
        The points' metric coordinates.
    hours : numpy.ndarray
        Their weekly hours.
    """

    route_ll: FloatArray
    extra: FloatArray
    x: FloatArray
    y: FloatArray
    hours: FloatArray


def _kmeans_pp(xy: FloatArray, w: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    """k-means++ seeding (Arthur and Vassilvitskii, 2007), weighted by hours."""
    p = w + 1e-9
    first = int(rng.choice(len(xy), p=p / p.sum()))
    centres = [xy[first]]
    d2 = ((xy - xy[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        q = p * d2
        nxt = int(rng.choice(len(xy), p=q / q.sum())) if q.sum() > 0 else int(np.argmax(p))
        centres.append(xy[nxt])
        d2 = np.minimum(d2, ((xy - xy[nxt]) ** 2).sum(axis=1))
    return np.array(centres)


def initial_centres(
    ux: FloatArray,
    uy: FloatArray,
    w: FloatArray,
    k: int,
    seed: int,
    prev_unit: IntArray | None,
    tol: float,
) -> FloatArray:
    """Return the starting positions of the centres (metric), to be moved to junctions.

    k-means++ seeds, then Lloyd's iterations in which each step assigns places to centres by
    the hours-balanced transportation LP on straight-line distances. With a previous plan of
    ``k`` zones, its zones' hours-weighted centroids instead.

    Parameters
    ----------
    ux, uy : numpy.ndarray
        The places' metric coordinates.
    w : numpy.ndarray
        The places' weekly hours.
    k : int
        The number of zones.
    seed : int
        Seed of the k-means++ draws.
    prev_unit : numpy.ndarray of int64 or None
        Each place's zone (0 to ``k - 1``) in the previous plan, -1 when unknown.
    tol : float
        The tolerance of the zones' hours, as a share of the mean.

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` metric positions; :func:`nearest_distinct` takes them to junctions.
    """
    if prev_unit is not None and (prev_unit >= 0).any():
        labels = np.unique(prev_unit[prev_unit >= 0])
        if len(labels) == k:
            return np.array(
                [
                    [
                        np.average(ux[prev_unit == z], weights=w[prev_unit == z] + 1e-9),
                        np.average(uy[prev_unit == z], weights=w[prev_unit == z] + 1e-9),
                    ]
                    for z in labels
                ]
            )
    xy = np.column_stack([ux, uy])
    c = _kmeans_pp(xy, w, k, np.random.default_rng(seed))
    # Lloyd's iterations with the hours balanced: a start already close to balanced zones
    for _ in range(15):
        d2 = ((xy[None, :, :] - c[:, None, :]) ** 2).sum(axis=2) / 1e6
        lab = balanced_assignment(d2, w, tol, None, 0.0)
        new = c.copy()
        for z in range(k):
            if (lab == z).any():
                new[z] = np.average(xy[lab == z], axis=0, weights=w[lab == z] + 1e-9)
        if np.allclose(new, c, atol=1.0):
            break
        c = new
    return np.asarray(c, dtype=np.float64)


def nearest_distinct(
    x: FloatArray, y: FloatArray, cx: npt.ArrayLike, cy: npt.ArrayLike
) -> IntArray:
    """For each position ``(cx, cy)``, the nearest of the points ``(x, y)`` not yet taken.

    Parameters
    ----------
    x, y : numpy.ndarray
        The candidates' metric coordinates (at least as many as positions).
    cx, cy : array_like
        The positions, in order: each takes the nearest candidate the earlier ones left.

    Returns
    -------
    numpy.ndarray of int64
        Distinct indices into the candidates, one per position.
    """
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([x, y]))
    chosen: list[int] = []
    for px, py in zip(np.asarray(cx).tolist(), np.asarray(cy).tolist(), strict=True):
        kk = min(len(chosen) + 1, len(x))
        _, idx = tree.query([px, py], k=kk)
        for i in np.atleast_1d(idx).tolist():
            if i not in chosen:
                chosen.append(int(i))
                break
    return np.asarray(chosen, dtype=np.int64)


def balanced_assignment(
    times: FloatArray,
    w: FloatArray,
    tol: float,
    prev_unit: IntArray | None,
    stab: float,
    band_share: float = BAND_SHARE,
) -> IntArray:
    """Assign units to zones by a transportation LP: fewest hours x minutes, hours in the band.

    The band constraints are soft (a large cost per hour outside), so the LP is always
    feasible; units it splits between zones go, heaviest first, to the emptiest of them.

    Parameters
    ----------
    times : numpy.ndarray
        Minutes from each zone's centre to each unit, shape (k, n); ``inf`` where unreachable.
    w : numpy.ndarray
        Each unit's weekly hours.
    tol : float
        The tolerance, as a share of the mean; the LP aims inside ``band_share`` of it.
    prev_unit : numpy.ndarray of int64 or None
        Each unit's zone in the previous plan (-1 when unknown).
    stab : float
        With ``prev_unit``: the cost, in minutes per hour, of moving a unit to another zone.
    band_share : float
        The share of the tolerance the LP aims inside (less than 1 leaves room for later
        changes, such as the tiling's).

    Returns
    -------
    numpy.ndarray of int64
        The zone (0 to ``k - 1``) of each unit.
    """
    x, _ = _transport_lp(times, w, tol, prev_unit, stab, band_share)
    if x is None:  # pragma: no cover - the soft LP is always feasible
        return np.argmin(np.where(np.isfinite(times), times, 1e6), axis=0).astype(np.int64)
    k, n = times.shape
    assign = np.argmax(x, axis=0).astype(np.int64)
    # units the LP split between zones go, heaviest first, to the emptiest of their zones
    split = np.flatnonzero(x.max(axis=0) < 1 - 1e-6)
    whole = np.setdiff1d(np.arange(n), split)
    load = np.bincount(assign[whole], weights=w[whole], minlength=k)
    for u in split[np.argsort(-w[split], kind="stable")]:
        options = np.flatnonzero(x[:, u] > 1e-6)
        z = int(options[np.argmin(load[options])])
        assign[u] = z
        load[z] += w[u]
    return assign


def band_prices(
    times: FloatArray, w: FloatArray, tol: float, prev_unit: IntArray | None, stab: float
) -> FloatArray:
    """Return each zone's price: the minutes its band constraints add to its travel times.

    The prices are the duals of the band constraints of :func:`balanced_assignment`'s LP, so
    that its assignment is, ties aside, each unit to the zone of least minutes plus price
    (:func:`~carezones.zones.partition.priced_voronoi`).

    Parameters
    ----------
    times, w, tol, prev_unit, stab
        As for :func:`balanced_assignment` (the LP aims inside ``BAND_SHARE`` of the band).

    Returns
    -------
    numpy.ndarray
        One price per zone, in minutes.
    """
    _, prices = _transport_lp(times, w, tol, prev_unit, stab, BAND_SHARE)
    return prices


def _transport_lp(
    times: FloatArray,
    w: FloatArray,
    tol: float,
    prev_unit: IntArray | None,
    stab: float,
    band_share: float,
) -> tuple[FloatArray | None, FloatArray]:
    """Solve the balanced transportation LP: the share of each unit in each zone, the prices.

    Returns ``(None, zeros)`` when HiGHS finds no solution (never: the band is soft).
    """
    k, n = times.shape
    t = np.where(np.isfinite(times), times, 1e6)
    cost = (t * w[None, :]).ravel()
    if prev_unit is not None:
        moved = np.arange(k)[:, None] != prev_unit[None, :]
        cost = (
            cost
            + (moved & (prev_unit[None, :] >= 0)).ravel()
            * stab
            * np.repeat(w[None, :], k, 0).ravel()
        )
    mean = w.sum() / k
    # aim at half the band, leaving room for rounding split units and for contiguity repairs
    hi, lo = mean * (1 + tol * band_share), mean * (1 - tol * band_share)
    # variables: x[z, u] (k*n), then slack over (k) and slack under (k)
    big = float(cost.max() if cost.size else 1.0) * 10 + 1e3
    c = np.concatenate([cost, np.full(2 * k, big)])
    rows = np.repeat(np.arange(n), k)
    cols = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    a_eq = sp.csr_matrix((np.ones(n * k), (rows, cols)), shape=(n, n * k + 2 * k))
    zr = np.repeat(np.arange(k), n)
    zc = np.arange(k * n)
    wv = np.tile(w, k)
    upper = sp.csr_matrix((wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    lower = sp.csr_matrix((-wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    blocks = [upper, lower]
    b_ub = [np.full(k, hi), np.full(k, -lo)]
    a_ub = sp.vstack(blocks).tocsr()
    ub = np.concatenate(b_ub)
    res = linprog(
        c, A_ub=a_ub, b_ub=ub, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, None), method="highs"
    )
    if res.x is None:  # pragma: no cover - the soft LP is always feasible
        return None, np.zeros(k)
    x = np.asarray(res.x[: n * k], dtype=np.float64).reshape(k, n)
    marg = res.ineqlin.marginals  # minutes added to each zone's times by its band constraints
    return x, np.asarray(-marg[:k] + marg[k : 2 * k], dtype=np.float64)


def medoids(
    network: RoadNetwork,
    cand: IntArray,
    demand: Demand,
    assign: IntArray,
    centres: IntArray,
    cand_zone: IntArray | None = None,
    n_candidates: int = 50,
) -> IntArray:
    """Move each centre to the junction with the fewest hours-weighted road minutes to its zone.

    Centres are road junctions, never a client's location: a zone's centre is published (on
    the map, in the files), and a client's home must not be.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    cand : numpy.ndarray of int64
        The road nodes that may be centres (junctions of the group).
    demand : Demand
        The group's places (or clients): where routes to them end, their metric
        coordinates and their weekly hours.
    assign : numpy.ndarray of int64
        The zone of each of the group's places.
    centres : numpy.ndarray of int64
        Each zone's centre, as a road node.
    cand_zone : numpy.ndarray of int64, optional
        The zone of each candidate: a zone's centre is then one of its own junctions (and
        stays in the zone). Without it, any candidate no other zone has taken.
    n_candidates : int
        Candidates tried per zone: those nearest its hours-weighted centroid (and the current
        centre).

    Returns
    -------
    numpy.ndarray of int64
        Each zone's new centre, as a road node; a centre moves only when that lowers the
        hours-weighted minutes.
    """
    from scipy.spatial import cKDTree

    pts, extra, ux, uy, w = demand.route_ll, demand.extra, demand.x, demand.y, demand.hours
    k = len(centres)
    new = centres.copy()
    cx, cy = network.x[cand], network.y[cand]
    tree = cKDTree(np.column_stack([cx, cy]))
    taken: set[int] = set()
    for z in range(k):
        members = np.flatnonzero(assign == z)
        if len(members) == 0:
            taken.add(int(centres[z]))
            continue
        wz = w[members] + 1e-9
        gx, gy = np.average(ux[members], weights=wz), np.average(uy[members], weights=wz)
        if cand_zone is not None:
            own = np.flatnonzero(cand_zone == z)
            order = own[np.argsort((cx[own] - gx) ** 2 + (cy[own] - gy) ** 2, kind="stable")]
        else:
            n_near = min(len(cand), n_candidates + len(taken) + 1)
            _, idx = tree.query([gx, gy], k=n_near)
            order = np.atleast_1d(idx)
        nodes = [int(n) for n in cand[order].tolist() if int(n) not in taken][:n_candidates]
        current = int(centres[z])
        if current not in taken and current not in nodes:
            if cand_zone is None or current in set(cand[cand_zone == z].tolist()):
                nodes.append(current)
        if not nodes:
            taken.add(current)
            continue
        ll = np.column_stack([network.lon[nodes], network.lat[nodes]])
        t = network.travel_times(ll, pts[members], engine="builtin") + extra[members]
        score = (np.where(np.isfinite(t), t, 1e6) * w[members][None, :]).sum(axis=1)
        best = int(np.argmin(score))
        now = nodes.index(current) if current in nodes else None
        if now is None or score[now] - score[best] > 1e-9:
            new[z] = nodes[best]
        taken.add(int(new[z]))
    return new
