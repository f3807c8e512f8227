"""Soft windows: how late each visit may start, and what lateness costs the search.

A visit's ``window_end`` is its latest start unless the visit may start late: up to
``max_late_minutes`` after it (a column of the visits, blank for the option's default
:attr:`~carezones.rounds.RoundsOptions.max_late_minutes`, ``inf`` for no limit). The start
never comes before ``window_start``. :func:`with_late_limits` writes the default into the
table once, so that the engine, its tables and the checker read the same limits;
:func:`late_limits` reads them.

PyVRP has no soft window: lateness reaches it as a step cost (:func:`tiers`). A visit that may
start late becomes a few optional clients in a mutually exclusive group, each allowed a little
later than the one before and worth a little less, so that the search serves the visit on
time where it can and late rather than not at all. The exact lateness is worked out afterwards
from the exact schedule (:func:`~carezones.rounds.schedule.lateness`).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["LATE_TIERS", "late_limits", "tiers", "with_late_limits"]

FloatArray = npt.NDArray[np.float64]

COLUMN = "max_late_minutes"
LATE_TIERS = (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0, 90.0, 120.0, 180.0, 240.0)  # minutes late


def with_late_limits(visits: pd.DataFrame, default: float) -> pd.DataFrame:
    """Return the visits with each one's lateness limit filled in (blank: ``default``).

    A table without the column is returned as it is when ``default`` is 0 (hard windows:
    nothing changes), else with the column added.

    Parameters
    ----------
    visits : DataFrame
        The day's visits.
    default : float
        Minutes a visit without its own limit may start after its window closes.

    Returns
    -------
    DataFrame
        The same table (a copy when the column changes).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"visit_id": ["a", "b"], "max_late_minutes": [None, 5.0]})
    >>> with_late_limits(v, 20.0)["max_late_minutes"].tolist()
    [20.0, 5.0]
    >>> with_late_limits(v.drop(columns="max_late_minutes"), 0.0).columns.tolist()
    ['visit_id']
    """
    if COLUMN not in visits:
        return visits if default == 0 else visits.assign(**{COLUMN: float(default)})
    limits = pd.to_numeric(visits[COLUMN], errors="coerce").astype(float)
    if not limits.isna().any():
        return visits
    return visits.assign(**{COLUMN: limits.fillna(float(default))})


def late_limits(visits: pd.DataFrame) -> FloatArray:
    """Return each visit's lateness limit in minutes (0 where none is given: a hard window).

    Parameters
    ----------
    visits : DataFrame
        The day's visits (``max_late_minutes`` optional).

    Returns
    -------
    ndarray
        One limit per visit, ``inf`` for no limit.

    Examples
    --------
    >>> import pandas as pd
    >>> late_limits(pd.DataFrame({"max_late_minutes": [None, 5.0, float("inf")]}))
    array([ 0.,  5., inf])
    """
    if COLUMN not in visits:
        return np.zeros(len(visits))
    limits = pd.to_numeric(visits[COLUMN], errors="coerce").to_numpy(dtype=float)
    return np.asarray(np.where(np.isnan(limits), 0.0, limits), dtype=np.float64)


def tiers(limit: float, late_cost: float, worst_late_cost: float) -> list[tuple[float, float]]:
    """Return a visit's steps of lateness: ``(latest start after the close, cost)`` each.

    The first step is the window itself (0 minutes late, no cost); each later step allows
    the start up to :data:`LATE_TIERS` minutes after the close, the last up to ``limit``
    (``inf``: no limit), and costs what its whole lateness would: ``late_cost`` per minute
    plus a convex term standing for the day's worst lateness, ``worst_late_cost`` times the
    minutes late times their share of the largest step (a late visit costs more the later it
    is, so the search spreads lateness thinly). Steps that would cost the same are merged:
    without any cost, one step reaches the limit.

    Parameters
    ----------
    limit : float
        Minutes the visit may start after its window closes (0: none).
    late_cost, worst_late_cost : float
        Travel minutes per minute late, and per minute of the day's worst lateness.

    Returns
    -------
    list of tuple
        ``(minutes after the close, cost in travel minutes)``, the first ``(0.0, 0.0)``.

    Examples
    --------
    >>> tiers(0.0, 1.0, 1.0)
    [(0.0, 0.0)]
    >>> tiers(12.0, 1.0, 0.0)
    [(0.0, 0.0), (5.0, 5.0), (10.0, 10.0), (12.0, 12.0)]
    >>> tiers(math.inf, 0.0, 0.0)
    [(0.0, 0.0), (inf, 0.0)]
    """
    out = [(0.0, 0.0)]
    if not limit > 0:
        return out
    top = LATE_TIERS[-1]

    def cost(a: float) -> float:
        return late_cost * a + worst_late_cost * a * a / top

    if late_cost == 0 and worst_late_cost == 0:
        return [*out, (float(limit), 0.0)]
    for a in LATE_TIERS:
        if a >= limit:
            break
        out.append((a, cost(a)))
    # the last step reaches the limit; without one, it costs as if twice the largest step late
    out.append((float(limit), cost(limit if math.isfinite(limit) else 2 * top)))
    return out
