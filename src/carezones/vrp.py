"""The routing core behind carers' rounds: vehicle routing with time windows on PyVRP.

The core works on an explicit integer travel-time matrix, so it can be checked against the
standard benchmark instances as well as fed from a road network. :func:`read_lkh_vrptw` reads
the LKH-3 CVRPTW text format (Solomon's instances); :func:`solve_vrptw` solves an instance with
PyVRP's iterated local search (Wouda, Lan and Kool, 2024, INFORMS Journal on Computing 36(4));
:mod:`carezones.checker` verifies any answer independently. The instance and solution
(:class:`VrptwInstance`, :class:`VrptwSolution`), the file reader and :func:`write_solution`
live in :mod:`carezones.io.vrplib` with the file formats, and are re-exported here.
"""

from __future__ import annotations

from carezones.io.vrplib import VrptwInstance, VrptwSolution, read_lkh_vrptw, write_solution

__all__ = ["VrptwInstance", "VrptwSolution", "read_lkh_vrptw", "solve_vrptw", "write_solution"]


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
    """
    import time

    from pyvrp import Model
    from pyvrp.stop import MaxIterations, MaxRuntime

    t0 = time.perf_counter()
    m = Model()
    n = len(inst.demand)
    locs = [m.add_location(x=float(i), y=0.0) for i in range(n)]
    depot = m.add_depot(locs[0], tw_early=int(inst.window[0, 0]), tw_late=int(inst.window[0, 1]))
    for i in range(1, n):
        m.add_client(
            locs[i],
            delivery=[int(inst.demand[i])],
            service_duration=int(inst.service[i]),
            tw_early=int(inst.window[i, 0]),
            tw_late=int(inst.window[i, 1]),
        )
    m.add_vehicle_type(
        num_available=vehicles or max(n - 1, 1),
        capacity=[int(inst.capacity)],
        start_depot=depot,
        end_depot=depot,
        tw_early=int(inst.window[0, 0]),
        tw_late=int(inst.window[0, 1]),
    )
    travel = inst.travel
    for i in range(n):
        row = travel[i].tolist()
        for j in range(n):
            if i != j:
                m.add_edge(locs[i], locs[j], distance=row[j], duration=row[j])
    stop = MaxIterations(iterations) if iterations is not None else MaxRuntime(seconds)
    res = m.solve(stop, seed=seed, display=False)
    routes = [
        [int(a.idx) + 1 for a in r.schedule() if a.is_client()]  # clients are nodes 1..n-1
        for r in res.best.routes()
    ]
    return VrptwSolution(
        routes=[r for r in routes if r],
        distance=int(res.best.distance()),
        feasible=bool(res.best.is_feasible()),
        seconds=time.perf_counter() - t0,
        iterations=int(res.num_iterations),
    )
