"""The routing core behind carers' rounds: vehicle routing with time windows on PyVRP.

The core works on an explicit integer travel-time matrix, so it can be checked against the
standard benchmark instances as well as fed from a road network. :func:`read_lkh_vrptw` reads
the LKH-3 CVRPTW text format (Solomon's instances); :func:`solve_vrptw` solves an instance with
PyVRP's iterated local search (Wouda, Lan and Kool, 2024, INFORMS Journal on Computing 36(4));
:mod:`carezones.checker` verifies any answer independently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]


@dataclass
class VrptwInstance:
    """A vehicle routing problem with time windows, in integer units.

    Node 0 is the depot; ``travel[i, j]`` is both the distance and the travel time from node
    ``i`` to node ``j``; ``window[i]`` bounds the start of service at node ``i`` (for the depot:
    leaving and coming back); ``service[i]`` is its duration and ``demand[i]`` its load.
    ``node_ids`` are the node numbers of the source (e.g. 1 for the depot in LKH files).
    """

    name: str
    travel: IntArray
    window: IntArray
    service: IntArray
    demand: IntArray
    capacity: int
    vehicles: int
    scale: int = 1
    node_ids: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def n_customers(self) -> int:
        """Number of customers (nodes other than the depot)."""
        return len(self.demand) - 1


def read_lkh_vrptw(path: str | Path) -> VrptwInstance:
    """Read an LKH-3 CVRPTW file (TSPLIB-style header, coordinates, demands, time windows).

    Distances follow the file's ``EDGE_WEIGHT_TYPE`` and ``SCALE``: with ``FLOOR_2D`` and
    ``SCALE : 10`` the travel time is ``floor(10 x Euclidean)`` (tenths), and time windows
    and service times are multiplied by the scale, so every number is an integer.
    """
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in Path(path).read_text().splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif current is None and ":" in line:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
        elif current is not None:
            sections[current].append(line.split())
    scale = int(float(header.get("SCALE", "1")))
    coords = np.array([[float(r[1]), float(r[2])] for r in sections["NODE_COORD_SECTION"]])
    ids = np.array([int(r[0]) for r in sections["NODE_COORD_SECTION"]], dtype=np.int64)
    depot_ids = [int(r[0]) for r in sections.get("DEPOT_SECTION", [["1"]]) if int(r[0]) > 0]
    order = np.argsort(ids != depot_ids[0], kind="stable")  # the depot first
    coords, ids = coords[order], ids[order]
    pos = {int(i): k for k, i in enumerate(ids)}
    n = len(ids)
    demand = np.zeros(n, dtype=np.int64)
    for r in sections.get("DEMAND_SECTION", []):
        demand[pos[int(r[0])]] = int(r[1])
    window = np.zeros((n, 2), dtype=np.int64)
    for r in sections["TIME_WINDOW_SECTION"]:
        window[pos[int(r[0])]] = [round(float(r[1]) * scale), round(float(r[2]) * scale)]
    service = np.full(n, round(float(header.get("SERVICE_TIME", "0")) * scale), dtype=np.int64)
    service[0] = 0
    kind = header.get("EDGE_WEIGHT_TYPE", "EUC_2D")
    diff = coords[:, None, :] - coords[None, :, :]
    euclid = np.sqrt((diff**2).sum(axis=2)) * scale
    if kind == "FLOOR_2D":
        travel = np.floor(euclid + 1e-9)
    elif kind == "EUC_2D":
        travel = np.floor(euclid + 0.5)
    elif kind == "CEIL_2D":
        travel = np.ceil(euclid - 1e-9)
    else:
        raise ValueError(f"{path}: EDGE_WEIGHT_TYPE {kind} is not supported (use FLOOR_2D)")
    return VrptwInstance(
        name=header.get("NAME", Path(path).stem),
        travel=travel.astype(np.int64),
        window=window,
        service=service,
        demand=demand,
        capacity=int(header.get("CAPACITY", str(np.iinfo(np.int32).max))),
        vehicles=int(header.get("VEHICLES", str(n - 1))),
        scale=scale,
        node_ids=ids,
    )


@dataclass
class VrptwSolution:
    """Routes as lists of node indices (customers only, depot implied at both ends)."""

    routes: list[list[int]]
    distance: int
    feasible: bool
    seconds: float
    iterations: int


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


def write_solution(inst: VrptwInstance, sol: VrptwSolution, path: str | Path) -> None:
    """Write routes as ``Route #k: c1 c2 ...`` with the instance's own node numbers."""
    ids: Any = inst.node_ids if len(inst.node_ids) else np.arange(len(inst.demand))
    lines = [
        f"Route #{k}: " + " ".join(str(int(ids[c])) for c in route)
        for k, route in enumerate(sol.routes, start=1)
    ]
    lines.append(f"Cost {sol.distance / inst.scale:.1f}")
    Path(path).write_text("\n".join(lines) + "\n")
