"""What a chosen set of sites shows: the map, the card, the tables, layers and summary.

Demand is drawn only as hexagons (:meth:`SitePortfolio.demand_cells`: hexagons with fewer than
five clients are left out), coloured by the share covered; no client location is drawn or
written (``demand.csv`` has no coordinates). Every value from a user's file is escaped before it
reaches a tooltip or popup. :func:`write_site_portfolio` writes through
:func:`~carezones.report.output_folder` (the folder is replaced whole or not at all) and
:func:`~carezones.report.write_csv` (no cell starts a spreadsheet formula).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from carezones.io._cells import PathLike
from carezones.report._write import output_folder, plain, write_csv
from carezones.report.html import escape, html_card, svg_sites
from carezones.report.maps import (
    PopupText,
    add_context_roads,
    add_features,
    add_legend,
    base_map,
    map_feature,
)
from carezones.report.markdown import escape_markdown, markdown_block, markdown_table
from carezones.sites.options import Objective
from carezones.sites.status import CandidateStatus, SiteRole

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.sites import SitePortfolio

CHOSEN = "#1f4e9e"
EXISTING = "#7b3294"
CANDIDATE = "#6f6f6f"
NOT_ELIGIBLE = "#c7c7c7"
COVERED = "#1a9850"
PARTLY = "#fdae61"
NOT_COVERED = "#d73027"


def portfolio_map(
    result: SitePortfolio,
    *,
    hex_m: float = 750.0,
    catchments: bool = True,
    candidates: bool = True,
    offline: bool = True,
    title: str = "Sites chosen together",
) -> folium.Map:
    """Draw a :class:`~carezones.sites.SitePortfolio`.

    Parameters
    ----------
    result : SitePortfolio
        The chosen set.
    hex_m : float
        Hexagon size (centre to corner) of the demand layer, in metres.
    catchments : bool
        Draw the area within the minutes of each open site.
    candidates : bool
        Draw the candidates not chosen (grey; pale when they could not be chosen).
    offline : bool
        Embed Leaflet so the map opens with no internet.
    title : str
        The map's banner.

    Returns
    -------
    folium.Map
        The map.
    """
    areas = result.catchments() if catchments else None
    return _draw(result, result.demand_cells(hex_m), hex_m, areas, candidates, offline, title)


def _draw(
    result: SitePortfolio,
    demand_cells: tuple[gpd.GeoDataFrame, int],
    hex_m: float,
    catchments: gpd.GeoDataFrame | None,
    candidates: bool,
    offline: bool,
    title: str,
) -> folium.Map:
    """Draw the map of :func:`portfolio_map` from the demand's cells and the catchments."""
    import folium

    net = result.network
    m = base_map(net, title=title, offline=offline)
    if net.provenance.synthetic:  # no basemap under invented roads: draw the roads themselves
        add_context_roads(m, net)
    met = result.kpis
    unit = met["unit"]
    cells, hidden = demand_cells
    _demand_layer(m, cells, unit)
    if catchments is not None:
        _catchment_layer(m, catchments, met)
    if candidates:
        _candidate_layer(m, result.candidates)
    if result.existing is not None:
        _site_layer(m, result.existing, "Existing schemes", EXISTING, unit, met)
    _site_layer(m, result.chosen, "Chosen sites", CHOSEN, unit, met)
    share = met["covered_share"]
    travel = "walk" if met["mode"] == "walk" else "drive"
    note = (
        f"{len(result.chosen)} chosen for {met['plan_for']!r}: "
        f"{100 * share:.1f}% of the demand within {met['minutes']:g} min {travel} of an open "
        f"site, mean {met['mean_minutes']:.1f} min. Demand is aggregated in {hex_m:.0f} m "
        f"hexagons; {hidden} demand row(s) in hexagons with too few are not drawn. Click a "
        "site for what it serves and adds."
    )
    items = [
        (CHOSEN, "chosen site"),
        (EXISTING, "existing scheme"),
        (CANDIDATE, "candidate not chosen"),
        (NOT_ELIGIBLE, "could not be chosen"),
        (COVERED, "demand all covered"),
        (PARTLY, "demand partly covered"),
        (NOT_COVERED, "demand not covered"),
    ]
    add_legend(m, "Sites chosen together", items, note)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def _demand_layer(m: folium.Map, cells: gpd.GeoDataFrame, unit: str) -> None:
    import folium

    layer = folium.FeatureGroup(name="Demand (aggregated)", show=True)
    top = float(cells["demand"].max()) if len(cells) else 1.0
    features = []
    for row, geom in zip(cells.itertuples(index=False), cells.geometry, strict=True):
        share = float(row.covered) / float(row.demand) if row.demand > 0 else 1.0
        colour = COVERED if share >= 0.999 else NOT_COVERED if share <= 0.001 else PARTLY
        shade = 0.25 + 0.5 * float(row.demand) / top if top > 0 else 0.4
        tip = (
            f"{int(row.rows)} demand rows, {float(row.demand):,.0f} {unit}: "
            f"{float(row.covered):,.0f} covered, {float(row.not_covered):,.0f} not covered"
        )
        features.append(map_feature(geom, colour, tip, opacity=shade))
    add_features(layer, features, shape={"color": "#444", "weight": 0.5})
    layer.add_to(m)


def _catchment_layer(m: folium.Map, iso: gpd.GeoDataFrame, met: dict[str, Any]) -> None:
    import folium

    layer = folium.FeatureGroup(name=f"Within {met['minutes']:g} min of an open site")
    travel = "walk" if met["mode"] == "walk" else "drive"
    for rec in iso.itertuples(index=False):
        colour = CHOSEN if rec.status == SiteRole.CHOSEN else EXISTING
        folium.GeoJson(
            shapely.to_geojson(rec.geometry),
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 1,
                "fillColor": c,
                "fillOpacity": 0.08,
            },
            tooltip=escape(f"{rec.site_id}: within {rec.minutes:g} min {travel}", template=True),
        ).add_to(layer)
    layer.add_to(m)


def _candidate_layer(m: folium.Map, cands: gpd.GeoDataFrame) -> None:
    import folium

    layer = folium.FeatureGroup(name="Candidates not chosen", show=True)
    rest = cands[cands["status"] != CandidateStatus.CHOSEN]
    pts = rest.geometry.to_crs("EPSG:4326").representative_point()
    features = []
    for rec, pt in zip(rest.itertuples(index=False), pts, strict=True):
        status = CandidateStatus(rec.status)
        colour = CANDIDATE if status.can_be_chosen else NOT_ELIGIBLE
        score = "" if pd.isna(getattr(rec, "score", np.nan)) else f", score {rec.score:.0f}"
        what = "not chosen" if status is CandidateStatus.ELIGIBLE else str(status)
        features.append(map_feature(pt, colour, f"{rec.site_id}: {what}{score}"))
    add_features(
        layer, features, point={"radius": 4, "color": "#333", "weight": 1, "fillOpacity": 0.9}
    )
    layer.add_to(m)


def _site_layer(
    m: folium.Map,
    sites: gpd.GeoDataFrame,
    name: str,
    colour: str,
    unit: str,
    met: dict[str, Any],
) -> None:
    import folium

    layer = folium.FeatureGroup(name=name, show=True)
    wgs = sites.to_crs("EPSG:4326")
    pts = wgs.geometry.representative_point()
    adds_unit = unit if met["objective"] == Objective.COVERAGE else "min on the mean trip"
    shapes, markers = [], []
    for rec, geom, pt in zip(wgs.itertuples(index=False), wgs.geometry, pts, strict=True):
        score = getattr(rec, "score", np.nan)
        parts = [
            f"serves {rec.serves:,.0f} {unit}",
            f"{rec.within_reach:,.0f} {unit} within {met['minutes']:g} min",
            f"adds {rec.adds:,.1f} {adds_unit} (the loss without it)",
        ]
        if not pd.isna(rec.mean_minutes):
            parts.append(f"mean {rec.mean_minutes:.1f} min to what it serves")
        if not pd.isna(score):
            parts.append(f"suitability score {score:.0f} / 100")
        why = getattr(rec, "explanation", None)
        note = why if isinstance(why, str) and why else ""
        popup = PopupText(str(rec.site_id), f" ({name.lower()[:-1]})", tuple(parts), note)
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            shapes.append(map_feature(geom, colour))
        markers.append(map_feature(pt, colour, f"{rec.site_id}: {parts[0]}", popup))
    add_features(layer, shapes, shape={"color": None, "weight": 2, "fillOpacity": 0.5})
    add_features(
        layer, markers, point={"radius": 9, "color": "#111", "weight": 2, "fillOpacity": 0.95}
    )
    layer.add_to(m)


FILES = (
    "chosen.csv",
    "candidates.csv",
    "scenarios.csv",
    "stability.csv",
    "demand.csv",
    "left_out.csv",
    "portfolio.gpkg",
    "portfolio.html",
    "summary.json",
    "summary.md",
)


def write_site_portfolio(
    result: SitePortfolio, out_dir: PathLike, *, offline: bool = True
) -> list[Path]:
    """Write a :class:`~carezones.sites.SitePortfolio` to ``out_dir``; return the paths.

    ===================  ===================================================================
    ``chosen.csv``       one row per chosen ``site_id``: score, serves, within_reach, adds,
                         mean_minutes, lon/lat of the site
    ``candidates.csv``   every candidate with its status and the demand within its reach
    ``scenarios.csv``    per scenario: its own best set, coverage, the proof, and the plan's
                         coverage in it
    ``stability.csv``    which scenarios choose each site
    ``demand.csv``       every demand row: id, area, weight, status, serving site, minutes,
                         reason (no coordinates)
    ``left_out.csv``     the demand rows left out, and why
    ``portfolio.gpkg``   layers ``chosen``, ``existing``, ``candidates``, ``catchments`` and
                         ``demand_hexagons`` (aggregated)
    ``portfolio.html``   the map (:func:`carezones.report.portfolio.portfolio_map`)
    ``summary.json``     the KPIs (under ``metrics``), the chosen sites, scenarios and
                         stability
    ``summary.md``       the same for people
    ===================  ===================================================================

    Parameters
    ----------
    result : carezones.SitePortfolio
        The chosen set.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    offline : bool, default True
        Embed Leaflet in the map so it opens with no internet (``False``: link a CDN).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above (``existing`` layer only with existing schemes).

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import write_site_portfolio
    >>> files = write_site_portfolio(portfolio, tempfile.mkdtemp())
    >>> [path.name for path in files if path.suffix == ".md"]
    ['summary.md']
    """
    r = result
    chosen, candidates = _with_lonlat(r.chosen), _with_lonlat(r.candidates)
    demand = pd.DataFrame(r.demand.drop(columns="geometry"))  # no coordinates
    with output_folder(out_dir) as tmp:
        write_csv(chosen, tmp / "chosen.csv", index=False)
        write_csv(candidates, tmp / "candidates.csv", index=False)
        write_csv(r.scenarios.round(4), tmp / "scenarios.csv", index=False)
        write_csv(r.stability, tmp / "stability.csv", index=False)
        write_csv(demand.round(4), tmp / "demand.csv", index=False)
        write_csv(r.left_out.round(4), tmp / "left_out.csv", index=False)
        gpkg = tmp / "portfolio.gpkg"
        r.chosen.to_file(gpkg, layer="chosen", driver="GPKG")
        if r.existing is not None:
            r.existing.to_file(gpkg, layer="existing", driver="GPKG")
        r.candidates.to_file(gpkg, layer="candidates", driver="GPKG")
        areas = r.catchments()  # for the layer and the map
        areas.to_file(gpkg, layer="catchments", driver="GPKG")
        cells = r.demand_cells()
        cells[0].to_file(gpkg, layer="demand_hexagons", driver="GPKG")
        page = _draw(r, cells, 750.0, areas, True, offline, "Sites chosen together")
        page.save(str(tmp / "portfolio.html"))
        summary = {
            "metrics": r.kpis,  # the file's name for them, kept
            "chosen": chosen.to_dict(orient="records"),
            "scenarios": r.scenarios.to_dict(orient="records"),
            "stability": r.stability.to_dict(orient="records"),
        }
        text = json.dumps(plain(summary), indent=2, ensure_ascii=False, allow_nan=False)
        (tmp / "summary.json").write_text(text + "\n", encoding="utf-8")
        (tmp / "summary.md").write_text(_markdown(r), encoding="utf-8")
    return [Path(out_dir) / n for n in FILES]


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return a sites table without geometry, with each site's lon/lat (inside a plot)."""
    pts = frame.geometry.to_crs("EPSG:4326").representative_point()
    out = pd.DataFrame(frame.drop(columns="geometry")).round(4)
    return out.assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy()).round({"lon": 6, "lat": 6})


def _markdown(r: SitePortfolio) -> str:
    m = r.kpis
    lines = [
        "# Sites chosen together",
        "",
        markdown_block(r.summary()),
        "",
        "## The chosen sites",
        "",
        markdown_table(r.chosen.drop(columns="geometry")),
    ]
    if len(r.scenarios) > 1:
        lines += [
            "",
            "## Scenarios",
            "",
            markdown_table(r.scenarios),
            "",
            "## Which sites stay chosen",
            "",
            markdown_table(r.stability),
        ]
    if len(r.left_out):
        lines += [
            "",
            f"## Left out ({len(r.left_out)} demand rows)",
            "",
            markdown_table(r.left_out.head(50)),
        ]
    lines += [
        "",
        f"Travel times: {escape_markdown(m['network']['source'])} ({m['mode']}), "
        f"{escape_markdown(m['network']['attribution'])}.",
        "",
    ]
    return "\n".join(lines).rstrip("\n") + "\n"  # a file ends with a newline


def portfolio_card(result: SitePortfolio) -> str:
    """Return the Jupyter card of a chosen set: its numbers, its sites and where they are.

    No demand is drawn: the thumbnail shows the open sites on the network's outline.

    Parameters
    ----------
    result : SitePortfolio
        The chosen set.

    Returns
    -------
    str
        The card's HTML.

    Examples
    --------
    >>> from carezones.report.portfolio import portfolio_card
    >>> portfolio_card(portfolio).count("<circle")
    2
    """
    m = result.kpis
    proof = (
        "optimal" if m["optimal"] else (f"within {100 * m['gap']:.2f}% (bound {m['bound']:,.1f})")
    )
    rows: list[tuple[str, Any]] = [
        ("sites chosen (k)", m["k"]),
        ("objective", m["objective"]),
        ("within minutes", m["minutes"]),
        ("planned for", m["plan_for"]),
        ("covered", f"{m['covered']:,.0f} of {m['demand_total']:,.0f} {m['unit']}"),
        ("coverage", _pct(m["covered_share"])),
        ("mean minutes to nearest site", m["mean_minutes"]),
        ("objective value", m["objective_value"]),
        ("proof", proof),
        ("bound", m["bound"]),
        ("gap", f"{100 * m['gap']:.2f}%"),
        ("existing schemes", len(m["existing"])),
        ("demand rows left out", len(result.left_out)),
    ]
    cols = [
        c
        for c in ("site_id", "score", "serves", "within_reach", "adds", "mean_minutes")
        if c in result.chosen.columns
    ]
    open_sites = [(g, "#e6550d") for g in result.chosen.geometry]
    if result.existing is not None:
        open_sites = [(g, "#636363") for g in result.existing.geometry] + open_sites
    pts = [(p.x, p.y) for p in (g.representative_point() for g, _ in open_sites)]
    thumb = svg_sites(result.network.area_wgs84, pts, [c for _, c in open_sites])
    return html_card(
        "Site portfolio",
        rows,
        table=pd.DataFrame(result.chosen[cols]),
        thumbnail=thumb,
        note="Chosen sites orange; existing schemes grey.",
    )


def _pct(share: float) -> str:
    return "n/a" if share != share else f"{100 * share:.1f}%"
