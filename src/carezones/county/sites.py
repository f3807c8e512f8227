"""Sites chosen beside the zone designs: one report answers both (:func:`add_sites`).

A housing team and a commissioning team plan the same county: where the new extra-care sites
go, and how home care is zoned around the clients. :func:`carezones.choose_sites` chooses the
sites (from candidates scored by :func:`carezones.score_sites`), and
:func:`~carezones.compare_designs` compares the zone designs; :func:`add_sites` puts the first
beside the second, so that the comparison's report holds both: one index page with a section
"Sites chosen", and one map with the zones of a design and the chosen sites with their
catchments.

Why a step of its own, and not an input of :func:`~carezones.compare_designs`: the sites do
not change the rounds, and choosing them takes its own data (candidates, a timetable,
projections, ``k``) and options (:class:`~carezones.sites.ScoreOptions`,
:class:`~carezones.sites.PortfolioOptions`). Kept apart, each engine stays whole and is
called once, a notebook can choose the sites once and compare designs many times, and
nothing of scoring or choosing is copied here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from carezones.errors import ArgumentError
from carezones.sites import SitePortfolio, SiteScores

if TYPE_CHECKING:
    from carezones.county.compare import Comparison

__all__ = ["CountySites", "add_sites", "best_design"]


@dataclass(frozen=True)
class CountySites:
    """The sites chosen for a county, kept with its comparison of zone designs.

    Parameters
    ----------
    portfolio : SitePortfolio
        The chosen set (:func:`carezones.choose_sites`).
    scores : SiteScores or None
        The candidates' scores it was chosen from (their map, with the transport layer when
        scored on a timetable), or ``None``.
    design : str
        The design whose zones the report's map of zones and sites shows.

    Examples
    --------
    >>> both = add_sites(comparison, portfolio)
    >>> both.sites.design, both.sites.portfolio.site_ids
    ('zones-2', ['S001', 'S002'])
    """

    portfolio: SitePortfolio
    scores: SiteScores | None
    design: str


def best_design(comparison: Comparison) -> str:
    """Return the design with zones whose rounds travel least per hour of care.

    Among the carezones designs (else every design with zone polygons, else every design),
    the least ``travel_minutes_per_care_hour``; the fewer carers, then the name, on a tie.

    Parameters
    ----------
    comparison : Comparison
        From :func:`carezones.compare_designs`.

    Returns
    -------
    str
        The design's name.

    Examples
    --------
    >>> best_design(comparison)
    'zones-2'
    """
    plans = comparison.plans
    pool = [n for n in plans if n in comparison.zone_plans]
    pool = pool or [n for n, p in plans.items() if p.design.polygons is not None] or list(plans)
    rows = comparison.table.set_index("design").loc[pool]
    ranked = sorted(
        pool,
        key=lambda n: (
            float(rows.at[n, "travel_minutes_per_care_hour"]),
            float(rows.at[n, "carers"]),
            n,
        ),
    )
    return ranked[0]


def add_sites(
    comparison: Comparison,
    portfolio: SitePortfolio,
    *,
    scores: SiteScores | None = None,
    design: str | None = None,
) -> Comparison:
    """Return the comparison with the sites chosen beside its designs, for one report.

    Parameters
    ----------
    comparison : Comparison
        From :func:`carezones.compare_designs`.
    portfolio : SitePortfolio
        From :func:`carezones.choose_sites`, on the same county.
    scores : SiteScores, optional
        The candidates' scores (:func:`carezones.score_sites`): the report then also holds
        their map (with the timetable's stops when scored on one) and table.
    design : str, optional
        The design whose zones the map of zones and sites shows (default
        :func:`best_design`).

    Returns
    -------
    Comparison
        A new comparison whose ``sites`` is a :class:`CountySites`; its ``to_files`` writes
        one report of both.

    Raises
    ------
    ArgumentError
        When ``portfolio`` or ``scores`` is not what it should be, or ``design`` is not one
        of the comparison's.

    Examples
    --------
    >>> both = add_sites(comparison, portfolio)
    >>> print(both.summary().splitlines()[-2])
    sites: chose 2 site(s) for 'now' by coverage within 15 min drive: S001, S002
    >>> add_sites(comparison, portfolio, design="tomorrow")
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: design 'tomorrow' is not a design of the comparison: \
give one of 'today', 'zones-2'
    """
    if not isinstance(portfolio, SitePortfolio):
        raise ArgumentError(
            f"portfolio must be a SitePortfolio (carezones.choose_sites), not "
            f"{type(portfolio).__name__}"
        )
    if scores is not None and not isinstance(scores, SiteScores):
        raise ArgumentError(
            f"scores must be a SiteScores (carezones.score_sites), not {type(scores).__name__}"
        )
    if design is None:
        design = best_design(comparison)
    elif design not in comparison.plans:
        names = ", ".join(repr(n) for n in comparison.plans)
        raise ArgumentError(
            f"design {design!r} is not a design of the comparison: give one of {names}"
        )
    return replace(comparison, sites=CountySites(portfolio, scores, design))
