"""Why a visit is left unserved: a kind for code to act on, and a sentence for people.

Every unserved visit has a :class:`Reason`: its :class:`Cause` (what team sizing, the CLI and
any other consumer test) and its text (what the ``unserved`` table and the reports show, with
the carer, the time or the distance that explains it). Rewording a text changes nothing a
program decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CAPACITY", "Cause", "Reason"]


class Cause(StrEnum):
    """What kept a visit out of the rounds (the ``cause`` column of ``unserved``)."""

    NO_SKILL = "no_skill"
    """No carer has the skills the visit needs."""
    NO_SHIFT_FITS = "no_shift_fits"
    """No shift can reach it within its window and get home before the shift ends."""
    NO_PARTNER = "no_partner"
    """Double-handed, but only one carer has the skills and a shift that fits."""
    OFF_ROAD = "off_road"
    """No route reaches its place (far from every road, or cut off in the travel matrix)."""
    NOT_TOGETHER = "not_together"
    """Double-handed, and its two carers could not start together inside its window."""
    OUT_OF_WINDOW = "out_of_window"
    """It could not be kept inside its window once breaks and partners were fitted."""
    BREAK = "break"
    """Keeping it left no room for a carer's break."""
    SHIFT_ENDS = "shift_ends"
    """The carer's shift ends before the round would."""
    NO_ROOM = "no_room"
    """No room in any carer's round (windows, shifts and travel)."""
    WINDOW_CLOSED = "window_closed"
    """A re-plan: its window closed before the time of the re-plan."""
    NO_CARER_LEFT = "no_carer_left"
    """A re-plan: no carer is working for the rest of the day."""
    NOBODY_WORKS = "nobody_works"
    """A week: no carer works on the visit's day."""
    NOT_IN_SEQUENCE = "not_in_sequence"
    """A sequential pair that could not be kept: its second visit could not start within its
    gap after the first by another carer (or the pair's other visit cannot be served)."""


CAPACITY = frozenset(
    {Cause.NO_ROOM, Cause.NOT_TOGETHER, Cause.SHIFT_ENDS, Cause.BREAK, Cause.NOT_IN_SEQUENCE}
)
"""The causes a bigger team would cure: visits left out for want of carers' time."""


@dataclass(frozen=True)
class Reason:
    """Why one visit is unserved: its cause and the sentence that explains it.

    Parameters
    ----------
    cause : Cause
        The kind of reason.
    text : str
        For people: the cause with what explains it (a carer, a time, a distance).

    Examples
    --------
    >>> why = Reason(Cause.NO_ROOM, "no room in any carer's round (windows, shifts and travel)")
    >>> why.cause in CAPACITY, str(why.cause)
    (True, 'no_room')
    """

    cause: Cause
    text: str

    def after(self, prefix: str) -> Reason:
        """Return the same reason, its text after ``prefix`` (e.g. who was unavailable).

        Parameters
        ----------
        prefix : str
            Words that come before the reason's text.

        Returns
        -------
        Reason
            The same cause, with the longer text.

        Examples
        --------
        >>> Reason(Cause.NO_ROOM, "no room").after("carer K1 is unavailable; ").text
        'carer K1 is unavailable; no room'
        """
        return Reason(self.cause, prefix + self.text)
