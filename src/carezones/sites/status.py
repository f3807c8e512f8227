"""What became of each candidate, demand row and open site of a chosen set: kinds to act on.

The tables of a :class:`~carezones.sites.SitePortfolio` say it in words (``status`` columns);
the words are the values of these enums, so code compares with the enum, never with the text,
and the files read as before.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CandidateStatus", "DemandStatus", "SiteRole"]


class CandidateStatus(StrEnum):
    """A candidate's ``status`` in :attr:`SitePortfolio.candidates`."""

    CHOSEN = "chosen"
    """In the set chosen."""
    ELIGIBLE = "eligible"
    """Could be chosen, and was not."""
    BELOW_MIN_SCORE = "below the minimum score"
    """Scores less than the minimum asked for."""
    NOT_SCORED = "not scored"
    """Has no score (off the walking network) while a minimum score is asked for."""
    OFF_NETWORK = "off the road network"
    """Too far from any road to reach."""

    @property
    def can_be_chosen(self) -> bool:
        """Whether the candidate could be part of the set (chosen or eligible).

        Examples
        --------
        >>> CandidateStatus.ELIGIBLE.can_be_chosen, CandidateStatus.NOT_SCORED.can_be_chosen
        (True, False)
        """
        return self in (CandidateStatus.CHOSEN, CandidateStatus.ELIGIBLE)


class DemandStatus(StrEnum):
    """A demand row's ``status`` in :attr:`SitePortfolio.demand`."""

    COVERED = "covered"
    """Within the minutes of an open site."""
    NOT_COVERED = "not covered"
    """Routed, but farther than the minutes from every open site."""
    LEFT_OUT = "left out"
    """Too far from any road, or no road route from any site (see ``reason``)."""


class SiteRole(StrEnum):
    """An open site's ``status`` in :meth:`SitePortfolio.catchments`."""

    CHOSEN = "chosen"
    """One of the sites chosen."""
    EXISTING = "existing"
    """A scheme already open."""
