"""Vehicle routing with time windows on the rounds' routing core: the benchmark front end.

The core works on an explicit integer travel-time matrix, so it can be checked against the
standard benchmark instances (Solomon's, in the LKH-3 CVRPTW format read by
:func:`carezones.io.vrplib.read_lkh_vrptw`) as well as fed from a road network.
:func:`solve_vrptw` states an instance as a :class:`~carezones.rounds.model.RoutingProblem`
(one shared depot, identical vehicles with a capacity, every customer required) and solves it
with :func:`~carezones.rounds.model.solve_routing`, as :func:`~carezones.rounds.plan_rounds`
does its days; :func:`~carezones.rounds.checker.check_vrptw` verifies any answer independently.
"""

from __future__ import annotations

import time

import numpy as np

from carezones.io.vrplib import VrptwInstance, VrptwSolution
from carezones.rounds.model import RoutingClient, RoutingProblem, RoutingVehicle, solve_routing


def vrptw_problem(inst: VrptwInstance, vehicles: int | None = None) -> RoutingProblem:
    """State a VRPTW instance as a routing problem.

    Parameters
    ----------
    inst : VrptwInstance
        Node 0 is the depot; the travel matrix is both distance and time.
    vehicles : int, optional
        The fleet (default: one per customer, i.e. unlimited).

    Returns
    -------
    RoutingProblem
        The depot first, then customers 1..n-1 as required clients with their demand.
    """
    n = len(inst.demand)
    early, late = int(inst.window[0, 0]), int(inst.window[0, 1])
    travel = np.array(inst.travel, dtype=np.int64)
    np.fill_diagonal(travel, 0)
    return RoutingProblem(
        depots=[(early, late)],
        clients=[
            RoutingClient(
                service_duration=int(inst.service[i]),
                tw_early=int(inst.window[i, 0]),
                tw_late=int(inst.window[i, 1]),
                demand=int(inst.demand[i]),
            )
            for i in range(1, n)
        ],
        vehicles=[
            RoutingVehicle(
                depot=0,
                tw_early=early,
                tw_late=late,
                num_available=vehicles or max(n - 1, 1),
                capacity=int(inst.capacity),
            )
        ],
        durations=[travel],
    )


def solve_vrptw(
    inst: VrptwInstance,
    seconds: float = 10.0,
    seed: int = 0,
    vehicles: int | None = None,
    iterations: int | None = None,
) -> VrptwSolution:
    """Minimise total travel over routes that respect windows, durations and capacity.

    The fleet is ``vehicles`` (default: one per customer, i.e. unlimited), each leaving the
    depot no earlier than its window opens and back no later than it closes. The search stops
    after ``seconds``, or after ``iterations`` when given: only an iteration limit gives the
    same answer on every machine for the same seed.

    Parameters
    ----------
    inst : VrptwInstance
        The instance (:func:`~carezones.io.vrplib.read_lkh_vrptw`).
    seconds : float
        Time limit of the search.
    seed : int
        The search's seed.
    vehicles : int, optional
        How many vehicles may be used.
    iterations : int, optional
        An iteration limit instead of the time limit.

    Returns
    -------
    VrptwSolution
        The routes (customer nodes 1..n-1, empty routes left out), their total distance,
        PyVRP's feasibility verdict, the seconds taken and the iterations run.

    Examples
    --------
    A depot and two customers (travel 5 and 9 from the depot, 4 between them):

    >>> import numpy as np
    >>> from carezones.io.vrplib import VrptwInstance
    >>> from carezones.rounds.vrptw import solve_vrptw
    >>> inst = VrptwInstance("two", travel=np.array([[0, 5, 9], [5, 0, 4], [9, 4, 0]]),
    ...                      window=np.array([[0, 100], [0, 50], [10, 60]]),
    ...                      service=np.array([0, 5, 5]), demand=np.array([0, 1, 2]),
    ...                      capacity=10, vehicles=2)
    >>> solution = solve_vrptw(inst, iterations=100)
    >>> solution.routes, solution.distance, solution.feasible
    ([[1, 2]], 18, True)
    """
    t0 = time.perf_counter()
    res = solve_routing(vrptw_problem(inst, vehicles), seconds, seed, iterations)
    routes = [[q + 1 for q in clients] for _, clients in res.routes]  # customers are 1..n-1
    return VrptwSolution(
        routes=[r for r in routes if r],
        distance=res.distance,
        feasible=res.feasible,
        seconds=time.perf_counter() - t0,
        iterations=res.iterations,
    )
