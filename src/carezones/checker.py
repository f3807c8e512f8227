"""The independent checkers (kept for its import path).

:func:`check_rounds`, :func:`check_vrptw` and :class:`Violation` live in
:mod:`carezones.rounds.checker`, and are re-exported here.
"""

from carezones.rounds.checker import Violation, check_rounds, check_vrptw

__all__ = ["Violation", "check_rounds", "check_vrptw"]
