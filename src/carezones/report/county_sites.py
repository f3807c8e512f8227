"""The sites chosen beside a comparison of zone designs: their section, map and files.

A :class:`~carezones.county.Comparison` with sites (:func:`carezones.county.add_sites`) writes,
beside its designs (:func:`carezones.report.county.write_comparison`)::

    zones-and-sites.html    one map: the zones of a design (coloured by travel per hour of
                            care), the chosen sites and the area within the minutes of each,
                            the candidates not chosen and, with a timetable, the stops sized by
                            departures per hour
    sites/                  the chosen set's files (chosen.csv, portfolio.html...:
                            :func:`~carezones.report.portfolio.write_site_portfolio`)
    sites/scores/           the candidates' scores, their map and layers
                            (:func:`~carezones.report.sites.write_site_scores`)

and the index page gains a section "Sites chosen": the sentence of what the set serves, the
table of the chosen sites with their scores and explanations, and the map. Every drawing is
the one of its own result's report (zones from :mod:`~carezones.report.county`, sites and
catchments from :mod:`~carezones.report.portfolio`, stops from :mod:`~carezones.report.sites`):
nothing is drawn twice. No client's location is drawn or written: demand is aggregated in
hexagons (:meth:`~carezones.SitePortfolio.demand_cells`), the zones of few clients show no
numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.privacy import MIN_GROUP
from carezones.report.county_zones import COST_CLASSES, _zones_layer
from carezones.report.html import escape
from carezones.report.maps import add_context_roads, add_legend, base_map
from carezones.report.markdown import escape_markdown, markdown_table
from carezones.report.portfolio import (
    CANDIDATE,
    CHOSEN,
    EXISTING,
    _candidate_layer,
    _catchment_layer,
    _site_layer,
    write_site_portfolio,
)
from carezones.report.sites import transport_layer, write_site_scores
from carezones.sites.options import Objective

if TYPE_CHECKING:
    import folium

    from carezones.county import Comparison, CountySites

__all__ = [
    "MAP",
    "sites_html",
    "sites_json",
    "sites_markdown",
    "write_county_sites",
    "zones_and_sites_map",
]

MAP = "zones-and-sites.html"
"""The report's map of a design's zones and the chosen sites."""

TABLE_COLUMNS = (
    "site_id",
    "name",
    "score",
    "serves",
    "within_reach",
    "adds",
    "mean_minutes",
    "explanation",
)


def _sites(comparison: Comparison) -> CountySites:
    if comparison.sites is None:
        raise ValueError("the comparison has no sites: carezones.county.add_sites adds them")
    return comparison.sites


def zones_and_sites_map(comparison: Comparison, *, offline: bool = True) -> folium.Map:
    """Draw a design's zones and the chosen sites on one map.

    The design is the sites' ``design`` (:func:`carezones.county.add_sites`); its zones are
    coloured by travel per hour of care (zones of few clients show no numbers), the chosen
    and existing sites carry what each serves and adds and their scores' explanation, each
    with the area within the set's minutes (its catchment), the candidates not chosen are
    grey, and a timetable's stops are sized by departures per hour.

    Parameters
    ----------
    comparison : Comparison
        A comparison with sites.
    offline : bool, default True
        Embed Leaflet so the map opens with no internet.

    Returns
    -------
    folium.Map
        The map.

    Examples
    --------
    >>> from carezones.county import add_sites
    >>> from carezones.report.county_sites import zones_and_sites_map
    >>> page = zones_and_sites_map(add_sites(comparison, portfolio)).get_root().render()
    >>> "Chosen sites" in page, "zones-2: zones" in page
    (True, True)
    """
    return _draw(comparison, None, offline)


def _draw(comparison: Comparison, catchments: Any, offline: bool) -> folium.Map:
    """Draw :func:`zones_and_sites_map`, the catchments already computed (or ``None``)."""
    import folium

    sites = _sites(comparison)
    result = sites.portfolio
    plan = comparison.plans[sites.design]
    net = plan.network if plan.network is not None else result.network
    title = f"{sites.design}: zones and the sites chosen"
    m = base_map(net, title=title, offline=offline)
    m.options["prefer_canvas"] = False  # SVG: a canvas prints blank in the report's frame
    if net.provenance.synthetic:  # no basemap under invented roads: draw the roads themselves
        add_context_roads(m, net)
    if plan.design.polygons is not None:
        _zones_layer(plan, f"{sites.design}: zones", MIN_GROUP, show=True).add_to(m)
    met = result.kpis
    areas = result.catchments() if catchments is None else catchments
    _catchment_layer(m, areas, met)
    _candidate_layer(m, result.candidates)
    scores = sites.scores
    if scores is not None and scores.transit is not None:
        transport_layer(m, scores.transit, scores.time_band)
    if result.existing is not None:
        _site_layer(m, result.existing, "Existing schemes", EXISTING, met["unit"], met)
    _site_layer(m, result.chosen, "Chosen sites", CHOSEN, met["unit"], met)
    items = [(c, f"zone: {lo:g}+ travel min per care hour") for lo, c in COST_CLASSES]
    items += [(CHOSEN, "chosen site (and its catchment)"), (CANDIDATE, "candidate not chosen")]
    if result.existing is not None:
        items.append((EXISTING, "existing scheme"))
    add_legend(m, "Zones and sites", items, _sentence(comparison))
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _sentence(comparison: Comparison) -> str:
    """Return what the chosen set serves, in words."""
    sites = _sites(comparison)
    m = sites.portfolio.kpis
    travel = "walk" if m["mode"] == "walk" else "drive"
    how = "coverage" if m["objective"] == Objective.COVERAGE else "p-median"
    proof = (
        "proven optimal" if m["optimal"] else f"within {100 * m['gap']:.2f}% of the best possible"
    )
    share = m["covered_share"]
    pct = "n/a" if share != share else f"{100 * share:.1f}%"
    return (
        f"{m['k']} site(s) chosen for {m['plan_for']!r} by {how} within {m['minutes']:g} min "
        f"{travel}: together they serve {m['covered']:,.0f} of {m['demand_total']:,.0f} "
        f"{m['unit']} ({pct}), a mean {m['mean_minutes']:.1f} min from the nearest open site "
        f"({proof}). The map shows the zones of {sites.design}."
    )


def _table(comparison: Comparison) -> pd.DataFrame:
    chosen = _sites(comparison).portfolio.chosen
    cols = [c for c in TABLE_COLUMNS if c in chosen.columns]
    out = pd.DataFrame(chosen[cols]).copy()
    for c in ("score", "serves", "within_reach", "adds", "mean_minutes"):
        if c in out:
            out[c] = pd.to_numeric(out[c], errors="coerce").round(1)
    return out


def _scenario_lines(comparison: Comparison) -> list[str]:
    scen = _sites(comparison).portfolio.scenarios
    if len(scen) <= 1:
        return []
    return [
        f"{r.scenario}: demand {r.demand:,.0f}; the set chosen serves "
        f"{_pct(r.plan_covered_share)} of it (its own best set: {_pct(r.covered_share)})"
        for r in scen.itertuples()
    ]


def _pct(share: float) -> str:
    return "n/a" if share != share else f"{100 * share:.1f}%"


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{v:,.1f}" if isinstance(v, float) else str(v)


def sites_html(comparison: Comparison) -> str:
    """Return the index page's section "Sites chosen" (every value escaped).

    Parameters
    ----------
    comparison : Comparison
        A comparison with sites.

    Returns
    -------
    str
        The section's HTML: the sentence, the table of the chosen sites, the map and links.

    Examples
    --------
    >>> from carezones.county import add_sites
    >>> sites_html(add_sites(comparison, portfolio)).startswith("<h2>Sites chosen</h2>")
    True
    """
    sites = _sites(comparison)
    table = _table(comparison)
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    scen = "".join(f"<li>{escape(x)}</li>" for x in _scenario_lines(comparison))
    links = [
        f'<a href="{MAP}">map of zones and sites</a>',
        '<a href="sites/portfolio.html">the set and its demand</a>',
        '<a href="sites/chosen.csv">chosen.csv</a>',
        '<a href="sites/candidates.csv">candidates.csv</a>',
    ]
    if sites.scores is not None:
        links.append('<a href="sites/scores/sites.html">every candidate\'s score</a>')
    return (
        "<h2>Sites chosen</h2>\n"
        f"<p>{escape(_sentence(comparison))}</p>\n"
        + (f"<ul>{scen}</ul>\n" if scen else "")
        + f'<table class="sites"><tr>{head}</tr>{body}</table>\n'
        f'<div class="card wide"><div class="frame"><iframe src="{MAP}" '
        f'title="zones and sites"></iframe></div><p>{" · ".join(links)}</p></div>\n'
    )


def sites_markdown(comparison: Comparison) -> list[str]:
    """Return the lines of ``summary.md``'s section "Sites chosen".

    Parameters
    ----------
    comparison : Comparison
        A comparison with sites.

    Returns
    -------
    list of str
        The section's lines.

    Examples
    --------
    >>> from carezones.county import add_sites
    >>> sites_markdown(add_sites(comparison, portfolio))[0]
    '## Sites chosen'
    """
    lines = ["## Sites chosen", "", escape_markdown(_sentence(comparison)), ""]
    lines += [f"- {escape_markdown(x)}" for x in _scenario_lines(comparison)]
    lines += ["", markdown_table(_table(comparison)), ""]
    return lines


def sites_json(comparison: Comparison) -> dict[str, Any]:
    """Return ``summary.json``'s ``sites``: the set's numbers, its sites and the design mapped.

    Parameters
    ----------
    comparison : Comparison
        A comparison with sites.

    Returns
    -------
    dict
        ``design``, ``metrics`` (the set's KPIs) and ``chosen`` (one record per site).

    Examples
    --------
    >>> from carezones.county import add_sites
    >>> sorted(sites_json(add_sites(comparison, portfolio)))
    ['chosen', 'design', 'metrics']
    """
    sites = _sites(comparison)
    return {
        "design": sites.design,
        "metrics": sites.portfolio.kpis,
        "chosen": _table(comparison).to_dict(orient="records"),
    }


def write_county_sites(comparison: Comparison, folder: Path, *, offline: bool = True) -> list[Path]:
    """Write the sites' files into a comparison's report folder; return what was written.

    Called by :func:`carezones.report.county.write_comparison` inside the folder it is
    writing: ``zones-and-sites.html``, ``sites/`` and, with scores, ``sites/scores/``.

    Parameters
    ----------
    comparison : Comparison
        A comparison with sites.
    folder : pathlib.Path
        The report's folder (being written).
    offline : bool, default True
        Embed Leaflet in the maps.

    Returns
    -------
    list of pathlib.Path
        The map and the folders, under ``folder``.
    """
    sites = _sites(comparison)
    written = [folder / MAP, folder / "sites"]
    write_site_portfolio(sites.portfolio, folder / "sites", offline=offline)
    if sites.scores is not None:
        write_site_scores(sites.scores, folder / "sites" / "scores", offline=offline)
        written.append(folder / "sites" / "scores")
    _draw(comparison, None, offline).save(str(folder / MAP))
    return written
