"""The VRPTW front end of the routing core (kept for its import path).

:func:`solve_vrptw` lives in :mod:`carezones.rounds.vrptw` and runs on the rounds' routing
core (:mod:`carezones.rounds.model`); the instance and solution (:class:`VrptwInstance`,
:class:`VrptwSolution`), :func:`read_lkh_vrptw` and :func:`write_solution` live in
:mod:`carezones.io.vrplib` with the file formats. All are re-exported here.
"""

from carezones.io.vrplib import VrptwInstance, VrptwSolution, read_lkh_vrptw, write_solution
from carezones.rounds.vrptw import solve_vrptw

__all__ = ["VrptwInstance", "VrptwSolution", "read_lkh_vrptw", "solve_vrptw", "write_solution"]
