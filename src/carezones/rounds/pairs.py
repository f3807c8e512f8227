"""Sequential pairs: a second visit that another carer makes within a gap after the first.

Some care needs two carers one after the other: a nurse after a carer, a second medication
round. The *second* visit names the first in ``after_visit`` and starts between
``gap_min_minutes`` (blank: 0) and ``gap_max_minutes`` (blank: no limit) after the first
starts, made by a different carer (unless :attr:`RoundsOptions.same_carer_pairs
<carezones.rounds.RoundsOptions.same_carer_pairs>`). Two carers at the same time doing
different things (two services of different lengths) is the gap 0-0. Each visit of a pair
needs one carer; a visit is in one pair at most; a double-handed visit (``carers_required``
2) stays as it is, two copies of one visit.

A pair is served whole or not at all. The engine keeps it in three places, as it keeps
double-handed visits: the search sends its two visits to different halves of the team, and
re-solves with the first pinned near its time and the second's window narrowed to the gap
after it (:mod:`~carezones.rounds.search`); the exact schedule pushes the second later (or
the first later) until the gap holds, and repair leaves out a pair it cannot keep, both
visits, with :attr:`Cause.NOT_IN_SEQUENCE <carezones.rounds.Cause.NOT_IN_SEQUENCE>`
(:mod:`~carezones.rounds.schedule`), breaking a cycle of pairs that wait for each other the
same way. Filling inserts both visits together; making room
(:mod:`~carezones.rounds.rescue`) serves a pair left out with two carers who may each give
up a visit, and never gives up a visit of a pair; letting a carer go
(:mod:`~carezones.rounds.fewer`) moves a pair whole; handing faces on over a week
(:mod:`~carezones.rounds.faces`) leaves pairs where they are. A re-plan keeps a pair whose
first visit has started: the second within the gap after it, by another carer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from carezones.errors import ArgumentError
from carezones.rounds.reasons import Cause, Reason

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Link",
    "Pairs",
    "gap_text",
    "pairs_from_tables",
    "sequence_reason",
    "unpaired_reasons",
]


@dataclass(frozen=True)
class Link:
    """One sequential pair: visit rows ``first`` and ``second``, the gap ``[lo, hi]`` minutes.

    The second starts between ``lo`` and ``hi`` minutes after the first starts (``hi`` may be
    infinite).

    Examples
    --------
    >>> Link(0, 1, 30.0, 60.0).keeps(540.0, 575.0), Link(0, 1, 30.0, 60.0).keeps(540.0, 610.0)
    (True, False)
    """

    first: int
    second: int
    lo: float
    hi: float

    def keeps(self, first: float, second: float, tol: float = 1e-6) -> bool:
        """Return whether starts ``first`` and ``second`` keep the gap (within ``tol``)."""
        return self.lo - tol <= second - first <= self.hi + tol


@dataclass(frozen=True)
class Pairs:
    """The sequential pairs of a day and who may make both visits of one.

    Parameters
    ----------
    links : tuple of Link
        The pairs (each visit row in one at most).
    carer_ids : tuple of str
        Each carer row's carer (the rows of a split shift share one).
    same_carer : bool
        Whether one carer may make both visits of a pair (the HHCRSP benchmark's rule).

    Examples
    --------
    >>> p = Pairs((Link(0, 2, 0.0, 0.0),), ("K1", "K2"))
    >>> p.partner(2), p.partner(1), p.link(0).second
    (0, None, 2)
    """

    links: tuple[Link, ...] = ()
    carer_ids: tuple[str, ...] = ()
    same_carer: bool = False
    _of: dict[int, Link] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for link in self.links:
            self._of[link.first] = self._of[link.second] = link

    def link(self, j: int) -> Link | None:
        """Return the pair visit row ``j`` is in (None: none)."""
        return self._of.get(j)

    def partner(self, j: int) -> int | None:
        """Return the other visit of ``j``'s pair (None: ``j`` is in none)."""
        link = self._of.get(j)
        if link is None:
            return None
        return link.second if link.first == j else link.first

    def paired(self) -> frozenset[int]:
        """Return every visit row in a pair."""
        return frozenset(self._of)

    def apart(self, c1: int, c2: int) -> bool:
        """Return whether carer rows ``c1`` and ``c2`` may make the two visits of a pair."""
        if self.same_carer:
            return True
        if not self.carer_ids:
            return c1 != c2
        return self.carer_ids[c1] != self.carer_ids[c2]


def _cell(value: Any) -> str:
    """Return a cell as text ("" when blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(value).strip()
    return "" if text.lower() in ("nan", "none", "<na>") else text


def _gap(value: Any, blank: float) -> float:
    """Return a gap cell as minutes (``blank`` when empty)."""
    if value is None or _cell(value) == "":
        return blank
    return float(value)


def pairs_from_tables(
    visits: pd.DataFrame, carers: pd.DataFrame, same_carer: bool = False
) -> Pairs:
    """Return the day's sequential pairs from the visits' ``after_visit`` and gap columns.

    Parameters
    ----------
    visits, carers : DataFrame
        The day (:func:`~carezones.io.read_visits` checks the columns; a table made by hand
        is checked here).
    same_carer : bool
        Whether one carer may make both visits of a pair.

    Returns
    -------
    Pairs
        No pairs when the visits have no ``after_visit`` column.

    Raises
    ------
    ArgumentError
        When ``after_visit`` names no visit of the day or the visit itself, a visit is in
        two pairs or needs two carers, or a gap is not ``0 <= min <= max``.

    Examples
    --------
    >>> import pandas as pd
    >>> visits = pd.DataFrame({"visit_id": ["A", "B"], "carers_required": [1, 1],
    ...                        "after_visit": ["", "A"], "gap_min_minutes": [None, 30],
    ...                        "gap_max_minutes": [None, None]})
    >>> carers = pd.DataFrame({"carer_id": ["K1", "K2"]})
    >>> pairs_from_tables(visits, carers).links
    (Link(first=0, second=1, lo=30.0, hi=inf),)
    """
    ids = tuple(str(c) for c in carers["carer_id"]) if "carer_id" in carers else ()
    if "after_visit" not in visits:
        return Pairs((), ids, bool(same_carer))
    row = {str(v): j for j, v in enumerate(visits["visit_id"])}
    req = visits["carers_required"].to_numpy() if "carers_required" in visits else None
    n = len(visits)
    lows = visits["gap_min_minutes"].tolist() if "gap_min_minutes" in visits else [None] * n
    highs = visits["gap_max_minutes"].tolist() if "gap_max_minutes" in visits else [None] * n
    links: list[Link] = []
    seen: set[int] = set()
    for j, after in enumerate(visits["after_visit"].tolist()):
        name = _cell(after)
        if not name:
            continue
        vid = str(visits["visit_id"].iat[j])
        i = row.get(name)
        lo, hi = _gap(lows[j], 0.0), _gap(highs[j], math.inf)
        wrong = ""
        if i is None:
            wrong = f"names {name}, which is not a visit of the day"
        elif i == j:
            wrong = "names the visit itself"
        elif i in seen or j in seen:
            wrong = f"makes a visit part of two pairs ({name} and {vid})"
        elif req is not None and (int(req[i]) != 1 or int(req[j]) != 1):
            wrong = "pairs a visit that needs two carers"
        elif not 0 <= lo <= hi:
            wrong = f"has a gap of {lo:g}-{hi:g} minutes (give 0 <= min <= max)"
        if wrong:
            raise ArgumentError(
                f"visit {vid}'s after_visit {wrong}: check the visits with read_visits",
                argument="visits",
                value=name,
                allowed="the visit_id of another single-handed visit of the day",
            )
        assert i is not None  # for mypy: wrong is set when i is None
        seen.update((i, j))
        links.append(Link(i, j, lo, hi))
    return Pairs(tuple(links), ids, bool(same_carer))


def gap_text(link: Link) -> str:
    """Return the gap of a pair in words: ``together``, ``30-60 min after``, ``30+ min after``.

    Examples
    --------
    >>> gap_text(Link(0, 1, 0, 0)), gap_text(Link(0, 1, 30, 60)), gap_text(Link(0, 1, 5, np.inf))
    ('at the same time as', '30-60 min after', 'at least 5 min after')
    """
    if link.lo == link.hi == 0:
        return "at the same time as"
    if not np.isfinite(link.hi):
        return f"at least {link.lo:g} min after"
    return f"{link.lo:g}-{link.hi:g} min after"


def sequence_reason(link: Link, visit_ids: Any) -> Reason:
    """Return why a pair is left out: it could not be kept in sequence."""
    first, second = visit_ids[link.first], visit_ids[link.second]
    return Reason(
        Cause.NOT_IN_SEQUENCE,
        f"sequential pair: {second} could not start {gap_text(link)} {first} by another "
        "carer, inside both windows, shifts and breaks",
    )


def unpaired_reasons(pairs: Pairs, visit_ids: Any, reasons: dict[int, Reason]) -> dict[int, Reason]:
    """Return the reasons of the visits whose pair's other visit is left out for ``reasons``.

    Half a pair is never served: when one visit cannot be, neither is the other.

    Parameters
    ----------
    pairs : Pairs
        The day's pairs.
    visit_ids : sequence
        Each visit row's id.
    reasons : dict
        Visit row -> why it is left out.

    Returns
    -------
    dict
        The other visits (not already in ``reasons``) -> :attr:`Cause.NOT_IN_SEQUENCE`.

    Examples
    --------
    >>> pairs = Pairs((Link(0, 1, 0.0, 30.0),))
    >>> why = unpaired_reasons(pairs, ["A", "B"], {0: Reason(Cause.NO_SKILL, "no carer")})
    >>> why[1].cause.value, why[1].text
    ('not_in_sequence', 'paired with A, which is left out: no carer')
    """
    out: dict[int, Reason] = {}
    for link in pairs.links:
        for a, b in ((link.first, link.second), (link.second, link.first)):
            if a in reasons and b not in reasons and b not in out:
                out[b] = Reason(
                    Cause.NOT_IN_SEQUENCE,
                    f"paired with {visit_ids[a]}, which is left out: {reasons[a].text}",
                )
    return out
