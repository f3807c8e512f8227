"""The county report's notes: how each design was made, and how many providers zones carry.

Two short sections of the comparison's report (``index.html`` and ``summary.md``), each shown
only when it has something to say:

- *How the designs were made*: which brokerage model made "today" (its decay, seed and the
  offices it used), or that today is the clients' own provider column or zones, so that a
  reader knows what the saving is measured against.
- *Viability per zone*, with ``--viable-hours MIN MAX``: the range used, and per zone design
  the zones that can carry no provider and how many providers the zones can carry between
  them; each zone's line, except that a zone of fewer than five clients (and those withheld
  with it) shows no hours (:func:`carezones.report.county.withheld_zones`, handed in by the
  report so that both withhold the same zones).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.report.html import escape
from carezones.report.markdown import escape_markdown

if TYPE_CHECKING:
    from carezones.county import Comparison, CountyPlan

__all__ = ["design_notes", "notes_html", "notes_json", "notes_markdown", "viability_lines"]

Withheld = Callable[[pd.DataFrame], npt.NDArray[np.bool_]]

_MADE = {
    "providers": "each client's provider as given (a column of the clients)",
    "polygons": "zones as given (zone polygons)",
    "zones": "carezones zones",
}


def design_notes(comparison: Comparison) -> dict[str, str]:
    """Return how each design was made, in words (a brokerage model, the data, or zones).

    Parameters
    ----------
    comparison : Comparison
        The designs compared.

    Returns
    -------
    dict
        Design name -> its note (the design's own, else what it was made from).

    Examples
    --------
    >>> for name, note in design_notes(comparison).items():
    ...     print(f"{name}: {note}")
    today: each client's provider as given (a column of the clients)
    zones-2: carezones zones
    """
    return {
        name: plan.design.note or _MADE.get(plan.design.kind, plan.design.kind)
        for name, plan in comparison.plans.items()
    }


def _judged(comparison: Comparison) -> list[CountyPlan]:
    return [p for p in comparison.plans.values() if "viable_min_hours" in p.kpis]


def viability_lines(comparison: Comparison, withheld: Withheld) -> list[tuple[str, list[str]]]:
    """Return each judged design's headline and its zones' lines (no hours of withheld zones).

    Parameters
    ----------
    comparison : Comparison
        The designs, judged by :func:`carezones.county.viability.judge_viability`.
    withheld : callable
        A design's zones table -> which zones' numbers are withheld
        (:func:`carezones.report.county.withheld_zones`).

    Returns
    -------
    list of (str, list of str)
        One ``(headline, zone lines)`` per judged design; empty when none was judged.

    Examples
    --------
    >>> from carezones.county.viability import ViableHours, judge_viability
    >>> from carezones.report.county import withheld_zones as withheld
    >>> judged = judge_viability(comparison, clients.head(12), ViableHours(20, 40))
    >>> for head, zones in viability_lines(judged, withheld):  # doctest: +NORMALIZE_WHITESPACE
    ...     print(head)
    ...     for zone in zones:
    ...         print(zone)
    zones-2: 0 of 2 zones can carry no provider; together they need 4 and can carry at most 4
    providers
    zone 1: 57 hours a week, carries 2 providers
    zone 2: 55 hours a week, carries 2 providers
    """
    out = []
    for plan in _judged(comparison):
        k = plan.kpis
        zones = plan.zones
        hidden = withheld(zones)
        head = (
            f"{plan.name}: {k['zones_not_viable']} of {len(zones)} zones can carry no provider; "
            f"together they need {k['providers_at_least']} and can carry at most "
            f"{k['providers_at_most']} providers"
        )
        if k.get("zones_no_fit"):
            head += f"; in {k['zones_no_fit']} no number of providers fits the range"
        lines = []
        for row, hide in zip(zones.itertuples(index=False), hidden, strict=True):
            if hide:  # nor whether it can carry a provider: that would bound its hours
                lines.append(
                    f"zone {row.zone}: numbers withheld (a zone of fewer than five clients, "
                    "or withheld with one)"
                )
            else:
                lines.append(
                    f"zone {row.zone}: {row.hours_per_week:,.0f} hours a week, {row.viability}"
                )
        out.append((head, lines))
    return out


def _range(comparison: Comparison) -> str:
    k = _judged(comparison)[0].kpis
    lo, hi = float(k["viable_min_hours"]), float(k["viable_max_hours"])
    return f"{lo:,.0f}" + "-" + f"{hi:,.0f}"


def notes_html(comparison: Comparison, withheld: Withheld) -> str:
    """Return the report's sections on how designs were made and on zones' viability (HTML)."""
    made = "".join(
        f"<li><b>{escape(name)}</b>: {escape(note)}</li>"
        for name, note in design_notes(comparison).items()
    )
    parts = [f"<h2>How the designs were made</h2><ul>{made}</ul>"]
    judged = viability_lines(comparison, withheld)
    if judged:
        items = "".join(
            f"<li>{escape(head)}<ul>{''.join(f'<li>{escape(z)}</li>' for z in zones)}</ul></li>"
            for head, zones in judged
        )
        parts.append(
            f"<h2>Viability per zone</h2><p>A provider's viable hours in one zone: "
            f"{escape(_range(comparison))} hours a week (the council's stated figure). A zone "
            "carries at most hours / MIN providers and needs at least hours / MAX.</p>"
            f"<ul>{items}</ul>"
        )
    return "".join(parts)


def notes_markdown(comparison: Comparison, withheld: Withheld) -> list[str]:
    """Return the same sections as lines of ``summary.md``."""
    lines = ["## How the designs were made", ""]
    lines += [
        f"- {escape_markdown(name)}: {escape_markdown(note)}"
        for name, note in design_notes(comparison).items()
    ]
    judged = viability_lines(comparison, withheld)
    if judged:
        lines += [
            "",
            "## Viability per zone",
            "",
            f"A provider's viable hours in one zone: {_range(comparison)} hours a week "
            "(the council's stated figure).",
            "",
        ]
        for head, zones in judged:
            lines.append(f"- {escape_markdown(head)}")
            lines += [f"  - {escape_markdown(z)}" for z in zones]
    return [*lines, ""]


def notes_json(comparison: Comparison) -> dict[str, Any]:
    """Return the notes for ``summary.json``: each design's note and the viable range."""
    judged = _judged(comparison)
    viable = None
    if judged:
        k = judged[0].kpis
        viable = {"min_hours": k["viable_min_hours"], "max_hours": k["viable_max_hours"]}
    return {"made": design_notes(comparison), "viable_hours": viable}
