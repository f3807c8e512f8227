"""The routing core and the independent checker."""

from __future__ import annotations

import numpy as np
import pytest

from carezones.io.vrplib import VrptwInstance, read_lkh_vrptw
from carezones.report.vrptw import write_solution
from carezones.rounds.checker import check_vrptw
from carezones.rounds.vrptw import solve_vrptw


def small_instance(n: int = 12, seed: int = 0) -> VrptwInstance:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 100, (n + 1, 2))
    travel = np.floor(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))).astype(
        np.int64
    )
    open_ = rng.integers(0, 300, n + 1)
    window = np.column_stack([open_, open_ + 120])
    window[0] = [0, 1000]
    return VrptwInstance(
        name="small",
        travel=travel,
        window=window.astype(np.int64),
        service=np.r_[0, np.full(n, 10)].astype(np.int64),
        demand=np.r_[0, rng.integers(1, 10, n)].astype(np.int64),
        capacity=30,
        vehicles=n,
    )


def test_solutions_pass_the_checker_and_are_deterministic():
    inst = small_instance()
    a = solve_vrptw(inst, seed=1, iterations=2000)
    assert a.feasible and check_vrptw(inst, a.routes, a.distance) == []
    assert sorted(c for r in a.routes for c in r) == list(range(1, 13))
    b = solve_vrptw(inst, seed=1, iterations=2000)
    assert b.routes == a.routes and b.distance == a.distance


def rules(problems):
    return {p.rule for p in problems}


def test_checker_catches_every_kind_of_violation():
    inst = small_instance()
    sol = solve_vrptw(inst, seconds=0.3, seed=0)
    routes = [list(r) for r in sol.routes]
    assert check_vrptw(inst, routes, sol.distance) == []
    # a customer served twice, and so one less served elsewhere is fine but twice is not
    twice = [*routes, [routes[0][0]]]
    assert "served twice" in rules(check_vrptw(inst, twice))
    assert "not served" in rules(check_vrptw(inst, routes[1:]))
    assert "unknown node" in rules(check_vrptw(inst, [*routes, [99]]))
    assert "distance" in rules(check_vrptw(inst, routes, sol.distance + 1))
    # everything on one route: over capacity and late
    one = [[c for r in routes for c in r]]
    assert {"over capacity", "late"} <= rules(check_vrptw(inst, one))
    tight = VrptwInstance(**{**inst.__dict__, "window": inst.window.copy()})
    tight.window[0, 1] = 1  # the depot closes at once: every route is back late
    assert "late back" in rules(check_vrptw(tight, routes))


TINY = """NAME : tiny
TYPE : CVRPTW
DIMENSION : 3
VEHICLES : 2
CAPACITY : 10
SERVICE_TIME : 5
SCALE : 10
EDGE_WEIGHT_TYPE : FLOOR_2D
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 1.05
DEMAND_SECTION
1 0
2 4
3 4
TIME_WINDOW_SECTION
1 0 100
2 0 50
3 0 50
DEPOT_SECTION
1
-1
EOF
"""


def test_read_lkh_and_write_solution(tmp_path):
    path = tmp_path / "tiny.vrptw"
    path.write_text(TINY)
    inst = read_lkh_vrptw(path)
    assert inst.travel[0, 1] == 50 and inst.travel[0, 2] == 10  # floor(10 x Euclidean)
    assert inst.window[1].tolist() == [0, 500] and inst.service.tolist() == [0, 50, 50]
    sol = solve_vrptw(inst, seconds=0.2)
    assert check_vrptw(inst, sol.routes, sol.distance) == []
    write_solution(inst, sol, tmp_path / "tiny.sol")
    lines = (tmp_path / "tiny.sol").read_text().splitlines()
    assert lines[0].startswith("Route #1: ") and set(" ".join(lines[:-1]).split()) >= {"2", "3"}


def test_solomon_instance_when_present():
    from carezones._data import shared_file

    path = shared_file("vrptw/solomon100/C101.100.10.vrptw")
    if path is None:
        pytest.skip("../shared/data/vrptw not present")
    inst = read_lkh_vrptw(path)
    sol = solve_vrptw(inst, seconds=1.0)
    assert check_vrptw(inst, sol.routes, sol.distance) == []
    assert sol.distance / inst.scale < 827.3 * 1.05  # best known 827.3
