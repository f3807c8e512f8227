"""Vehicle routing solutions written in the benchmark's file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from carezones.io._cells import PathLike
from carezones.io.vrplib import VrptwInstance, VrptwSolution

__all__ = ["write_solution"]


def write_solution(inst: VrptwInstance, sol: VrptwSolution, path: PathLike) -> None:
    """Write routes as ``Route #k: c1 c2 ...`` with the instance's own node numbers.

    The last line is ``Cost`` and the total travel in the file's units (divided by its scale).

    Parameters
    ----------
    inst : VrptwInstance
        The instance solved.
    sol : VrptwSolution
        Its solution.
    path : str or os.PathLike
        The file to write.

    Examples
    --------
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
    >>> from carezones.io.vrplib import read_lkh_vrptw
    >>> inst = read_lkh_vrptw(path)
    >>> solution = VrptwSolution([[1, 2]], distance=20, feasible=True, seconds=0.1,
    ...                          iterations=100)
    >>> write_solution(inst, solution, path.with_suffix(".sol"))
    >>> print(path.with_suffix(".sol").read_text(), end="")
    Route #1: 2 3
    Cost 20.0
    """
    ids: Any = inst.node_ids if len(inst.node_ids) else np.arange(len(inst.demand))
    lines = [
        f"Route #{k}: " + " ".join(str(int(ids[c])) for c in route)
        for k, route in enumerate(sol.routes, start=1)
    ]
    lines.append(f"Cost {sol.distance / inst.scale:.1f}")
    Path(path).write_text("\n".join(lines) + "\n")
