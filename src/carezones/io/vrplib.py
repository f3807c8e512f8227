"""Vehicle routing files: LKH-3 CVRPTW instances (Solomon's benchmarks) and their solutions.

:class:`VrptwInstance` and :class:`VrptwSolution` are the data these files hold, in integer
units; :func:`carezones.rounds.vrptw.solve_vrptw` solves an instance,
:mod:`carezones.rounds.checker` verifies a solution and
:func:`carezones.report.vrptw.write_solution` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from carezones.io._cells import PathLike

__all__ = ["VrptwInstance", "VrptwSolution", "read_lkh_vrptw"]

IntArray = npt.NDArray[np.int64]


@dataclass
class VrptwInstance:
    """A vehicle routing problem with time windows, in integer units.

    Node 0 is the depot; ``travel[i, j]`` is both the distance and the travel time from node
    ``i`` to node ``j``; ``window[i]`` bounds the start of service at node ``i`` (for the depot:
    leaving and coming back); ``service[i]`` is its duration and ``demand[i]`` its load.
    ``node_ids`` are the node numbers of the source (e.g. 1 for the depot in LKH files).

    Parameters
    ----------
    name : str
        The instance's name.
    travel : numpy.ndarray
        ``(n, n)`` distances, which are also travel times.
    window : numpy.ndarray
        ``(n, 2)`` earliest and latest start of service.
    service : numpy.ndarray
        Per node, the service's duration (0 at the depot).
    demand : numpy.ndarray
        Per node, its load (0 at the depot).
    capacity : int
        Each vehicle's capacity.
    vehicles : int
        The vehicles available.
    scale : int, default 1
        What the file's numbers were multiplied by to make them integers.
    node_ids : numpy.ndarray, optional
        The file's node numbers, depot first.

    Examples
    --------
    >>> import numpy as np
    >>> inst = VrptwInstance("two", travel=np.array([[0, 5, 9], [5, 0, 4], [9, 4, 0]]),
    ...                      window=np.array([[0, 100], [0, 50], [10, 60]]),
    ...                      service=np.array([0, 5, 5]), demand=np.array([0, 1, 2]),
    ...                      capacity=10, vehicles=2)
    >>> inst.n_customers
    2
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
        """Number of customers (nodes other than the depot).

        Examples
        --------
        >>> import numpy as np
        >>> VrptwInstance("one", np.zeros((2, 2), int), np.zeros((2, 2), int), np.zeros(2, int),
        ...               np.array([0, 3]), capacity=5, vehicles=1).n_customers
        1
        """
        return len(self.demand) - 1


@dataclass
class VrptwSolution:
    """Routes as lists of node indices (customers only, depot implied at both ends).

    Parameters
    ----------
    routes : list of list of int
        Each vehicle's customers in order, as indices into the instance's nodes.
    distance : int
        Total travel, in the instance's integer units.
    feasible : bool
        Whether every window, capacity and the fleet size are kept.
    seconds : float
        Time spent solving.
    iterations : int
        Search iterations run.

    Examples
    --------
    >>> VrptwSolution(routes=[[1, 2]], distance=20, feasible=True, seconds=0.1,
    ...               iterations=100).routes
    [[1, 2]]
    """

    routes: list[list[int]]
    distance: int
    feasible: bool
    seconds: float
    iterations: int


def read_lkh_vrptw(path: PathLike) -> VrptwInstance:
    """Read an LKH-3 CVRPTW file (TSPLIB-style header, coordinates, demands, time windows).

    Distances follow the file's ``EDGE_WEIGHT_TYPE`` and ``SCALE``: with ``FLOOR_2D`` and
    ``SCALE : 10`` the travel time is ``floor(10 x Euclidean)`` (tenths), and time windows
    and service times are multiplied by the scale, so every number is an integer.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.vrptw`` file (LKH-3's ``CVRPTW`` type, as its Solomon instances).

    Returns
    -------
    VrptwInstance
        The instance, depot first; ``node_ids`` keeps the file's node numbers.

    Raises
    ------
    ValueError
        When the ``EDGE_WEIGHT_TYPE`` is not ``FLOOR_2D``, ``EUC_2D`` or ``CEIL_2D``.

    Examples
    --------
    A depot and two customers, five apart in a straight line:

    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "tiny.vrptw"
    >>> _ = path.write_text('''NAME : tiny
    ... TYPE : CVRPTW
    ... VEHICLES : 2
    ... CAPACITY : 10
    ... SERVICE_TIME : 5
    ... EDGE_WEIGHT_TYPE : EUC_2D
    ... NODE_COORD_SECTION
    ... 1 0 0
    ... 2 3 4
    ... 3 6 8
    ... DEMAND_SECTION
    ... 1 0
    ... 2 1
    ... 3 2
    ... TIME_WINDOW_SECTION
    ... 1 0 100
    ... 2 0 50
    ... 3 10 60
    ... DEPOT_SECTION
    ... 1
    ... -1
    ... EOF
    ... ''')
    >>> inst = read_lkh_vrptw(path)
    >>> inst.travel
    array([[ 0,  5, 10],
           [ 5,  0,  5],
           [10,  5,  0]])
    >>> inst.service, inst.demand, inst.node_ids
    (array([0, 5, 5]), array([0, 1, 2]), array([1, 2, 3]))
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
