"""Let carers go: the fewest carers whose rounds still serve every visit served.

A team sized by a rule (and grown where visits were left over) is often larger than its rounds
need: a carer with two visits in a quiet hour could be spared if others took them. After the
day is planned, filled and rescued, :func:`let_go` tries the carers one at a time, the one with
the least care in their rounds first (ties by carer id): every visit of that carer's rounds
(both carers of a double-handed one) is taken out and put back into the other carers' rounds
by :func:`~carezones.rounds.schedule.fill`, which keeps every rule of the whole day (a
sequential pair with one visit in those rounds is put back whole, both visits). When all
of them fit, the carer goes (their shifts stay empty); otherwise the rounds are kept as they
were. So every visit served before is served after, and never by a carer let go.

This is a search down from the larger team, not a fixed cost per carer in the solver. A fixed
cost (PyVRP's ``fixed_cost`` per vehicle, a carer costing far more than any travel they save)
was tried first and rejected: on the Dorset-scale synthetic county, with the same iterations,
it left visits unserved that the travel-only search served (63 of 64, 51 of 52 in two
providers' days), added a third to a half to their travel, and let no carer go in a 354-visit
zone where this search lets go seven. The price of letting go is travel: the visits moved
take the cheapest places left in other rounds (about 10% more travel in that zone).

The tries are bounded (``tries``): each is a whole-day fill of a few visits, a second or so
on a 350-visit day, and the lightest carers are the likeliest to go. The count is therefore
the fewest carers found, an upper bound on the fewest that could serve the day.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from carezones.rounds.schedule import Day, Routes, fill, schedule

__all__ = ["let_go"]


def let_go(
    d: Day,
    ok: npt.NDArray[np.bool_],
    carer_ids: npt.NDArray[Any],
    routes: Routes,
    breaks: dict[int, int],
    tries: int,
) -> tuple[Routes, dict[int, int], list[str]]:
    """Let go of carers whose visits fit in the others' rounds, lightest first.

    Parameters
    ----------
    d : Day
        The day (:class:`~carezones.rounds.schedule.Day`).
    ok : ndarray of bool
        Carer row x visit: may the carer make it (:func:`~carezones.rounds.model.eligible`).
    carer_ids : ndarray
        Each carer row's carer (the rows of a split shift share one).
    routes : Routes
        The filled rounds, every rule kept.
    breaks : dict
        Their breaks.
    tries : int
        How many carers to try at most (0: none).

    Returns
    -------
    routes : Routes
        The rounds without the carers let go (their rows empty), serving the same visits.
    breaks : dict
        Their breaks.
    gone : list of str
        The carers let go, in the order they went.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.array([[0, 0, 5, 5], [0, 0, 5, 5], [5, 5, 0, 1], [5, 5, 1, 0]], dtype=float)
    >>> nan = np.full(2, np.nan)
    >>> d = Day(T, 2, ws=np.array([480.0, 540.0]), we=np.array([600.0, 660.0]),
    ...         dur=np.array([30.0, 20.0]), req=np.array([1, 1]), ss=np.array([420.0, 420.0]),
    ...         se=np.array([840.0, 840.0]), bm=nan, bws=nan, bwe=nan,
    ...         mx=np.full(2, np.inf))
    >>> ok = np.ones((2, 2), dtype=bool)
    >>> routes, breaks, gone = let_go(d, ok, np.array(["a", "b"]), [[(0, 0)], [(1, 0)]], {}, 5)
    >>> routes, gone  # b has less care: b goes, a takes both visits
    ([[(1, 0), (0, 0)], []], ['b'])
    """
    ids = np.asarray(carer_ids).astype(str)
    rows: dict[str, list[int]] = {}
    for c, cid in enumerate(ids.tolist()):
        rows.setdefault(cid, []).append(c)
    routes = [list(r) for r in routes]
    ok = np.array(ok, dtype=bool, copy=True)
    dur = d.dur.tolist()

    def care(cid: str) -> float:
        return float(sum(dur[j] for c in rows[cid] for j, _ in routes[c]))

    working = [cid for cid in rows if any(routes[c] for c in rows[cid])]
    order = sorted(working, key=lambda cid: (care(cid), cid))[: max(tries, 0)]
    gone: list[str] = []
    paired = d.pairs.paired()
    for cid in order:
        theirs = {j for c in rows[cid] for j, _ in routes[c]}
        if not theirs:
            continue
        # a sequential pair moves whole: its other visit (another carer's) is put back too
        theirs |= {p for j in theirs & paired if (p := d.pairs.partner(j)) is not None}
        new = [[q for q in r if q[0] not in theirs] for r in routes]
        without = ok.copy()
        without[rows[cid], :] = False
        if all(d.req[j] == 1 and j not in paired for j in theirs):  # no one else's times change
            placed = {c: b for c, b in breaks.items() if c not in rows[cid]}
        else:
            placed, _, broken = schedule(d, new)
            if broken:  # taking visits out breaks no rule; a guard
                continue
        # one visit at a time, the double-handed first (the hardest to place): the first
        # that fits nowhere ends the try
        for j in sorted(theirs, key=lambda j: (-int(d.req[j]), j not in paired, j)):
            new, placed = fill(d, without, ids, new, placed, [j])
            if not any(q[0] == j for r in new for q in r):
                break
        else:
            routes, breaks, ok = new, placed, without
            gone.append(cid)
    return routes, breaks, gone
