"""The partition moves behind zones: balancing and polishing never cut a zone in two."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from carezones.zones.partition import (
    Problem,
    grow_regions,
    grow_small,
    make_contiguous,
    polish,
    rebalance,
)


def grid(n: int) -> sp.csr_matrix:
    idx = np.arange(n * n).reshape(n, n)
    r = np.concatenate([idx[:, :-1].ravel(), idx[:-1, :].ravel()])
    c = np.concatenate([idx[:, 1:].ravel(), idx[1:, :].ravel()])
    a = sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(n * n, n * n))
    return (a + a.T).tocsr()


def connected(adj, zone, k) -> bool:
    for z in range(k):
        nodes = np.flatnonzero(zone == z)
        sub = adj[nodes][:, nodes]
        if connected_components(sub, directed=False)[0] != 1:
            return False
    return True


def times_from(adj, centres):
    from scipy.sparse.csgraph import dijkstra

    return dijkstra(adj, indices=centres)


def test_rebalance_reaches_the_band_and_keeps_zones_whole():
    n, k = 20, 4
    adj = grid(n)
    rng = np.random.default_rng(0)
    w = rng.gamma(2.0, 5.0, n * n) * (rng.random(n * n) < 0.6)  # some nodes hold no hours
    col = np.tile(np.arange(n), n)
    zone = np.searchsorted([3, 6, 10], col, side="right").astype(np.int64)  # strips 3,3,4,10
    centres = np.array([n * 10 + 1, n * 10 + 4, n * 10 + 8, n * 10 + 15])
    t = times_from(adj, centres)
    mean = w.sum() / k
    assert np.abs(np.bincount(zone, weights=w) / mean - 1).max() > 0.5  # far out to start
    problem = Problem(adj, w, np.maximum(w, 0.1), t, centres)
    out = rebalance(problem, zone, mean * 0.95, mean * 1.05)
    h = np.bincount(out, weights=w, minlength=k)
    assert np.all(np.abs(h / mean - 1) <= 0.05 + 1e-9)
    assert connected(adj, out, k)
    assert (out[centres] == np.arange(k)).all()


def test_polish_lowers_cost_without_breaking_band_or_contiguity():
    n, k = 16, 3
    adj = grid(n)
    rng = np.random.default_rng(1)
    w = rng.gamma(2.0, 5.0, n * n)
    centres = np.array([n * 2 + 2, n * 8 + 13, n * 13 + 3])
    t = times_from(adj, centres)
    col = np.tile(np.arange(n), n)
    zone = np.searchsorted([5, 11], col, side="right").astype(np.int64)
    zone[centres] = np.arange(k)
    zone = make_contiguous(adj, zone, centres, k)
    mean = w.sum() / k
    lo, hi = mean * 0.8, mean * 1.2
    problem = Problem(adj, w, w, t, centres)
    zone = rebalance(problem, zone, lo, hi)
    before = (w * t[zone, np.arange(n * n)]).sum()
    out = polish(problem, zone, lo, hi)
    after = (w * t[out, np.arange(n * n)]).sum()
    assert after < before
    h = np.bincount(out, weights=w, minlength=k)
    assert np.all((h >= lo - 1e-9) & (h <= hi + 1e-9))
    assert connected(adj, out, k)


def test_make_contiguous_gives_cut_off_pieces_to_a_neighbour():
    n, k = 6, 2
    adj = grid(n)
    zone = np.zeros(n * n, dtype=np.int64)
    zone[np.tile(np.arange(n), n) >= 3] = 1
    zone[0] = 1  # a lone corner cell of zone 1 inside zone 0
    out = make_contiguous(adj, zone, np.array([14, 17]), k)
    assert out[0] == 0 and connected(adj, out, k)


def test_grow_small_gives_a_zone_enough_clients_without_cutting_any():
    n, k = 12, 3
    adj = grid(n)
    rng = np.random.default_rng(3)
    count = (rng.random(n * n) < 0.3).astype(float)
    col = np.tile(np.arange(n), n)
    zone = np.searchsorted([1, 6], col, side="right").astype(np.int64)  # a 1-column strip
    centres = np.array([n * 6, n * 6 + 3, n * 6 + 9])
    count[zone == 0] = 0.0
    count[centres[0]] = 1.0  # the strip holds one client
    t = times_from(adj, centres)
    problem = Problem(adj, count, np.maximum(count, 0.1), t, centres, count=count, min_count=5)
    out = grow_small(problem, zone)
    got = np.bincount(out, weights=count, minlength=k)
    assert (got >= 5).all() and connected(adj, out, k)
    assert (out[centres] == np.arange(k)).all()


def test_rebalance_never_leaves_a_zone_short_of_clients():
    n, k = 16, 4
    adj = grid(n)
    rng = np.random.default_rng(2)
    w = rng.gamma(2.0, 5.0, n * n)
    count = np.ones(n * n)
    col = np.tile(np.arange(n), n)
    zone = np.searchsorted([2, 8, 12], col, side="right").astype(np.int64)
    centres = np.array([n * 8 + 0, n * 8 + 5, n * 8 + 10, n * 8 + 14])
    t = times_from(adj, centres)
    mean = w.sum() / k
    problem = Problem(adj, w, w, t, centres, count=count, min_count=40)
    out = rebalance(problem, zone, mean * 0.95, mean * 1.05)
    assert (np.bincount(out, weights=count, minlength=k) >= 40).all()
    assert connected(adj, out, k)


def test_grow_regions_labels_every_node_in_connected_balanced_zones():
    n, k = 20, 4
    adj = grid(n)
    w = np.ones(n * n)
    centres = np.array([0, n - 1, n * (n - 1), n * n - 1])
    t = times_from(adj, centres)
    out = grow_regions(adj, w, t, centres)
    assert (out >= 0).all() and connected(adj, out, k)
    h = np.bincount(out, weights=w, minlength=k)
    assert h.max() - h.min() <= 1
