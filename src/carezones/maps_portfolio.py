"""The map of a chosen set of sites: the sites, their catchments and the demand, aggregated.

Demand is drawn only as hexagons (:meth:`SitePortfolio.demand_cells`: hexagons with fewer than
five clients are left out), coloured by the share covered; no client location is drawn. Every
value from a user's file is escaped before it reaches a tooltip or popup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from carezones.maps import add_context_roads, add_legend, base_map, bind_popup, escape

if TYPE_CHECKING:
    import folium

CHOSEN = "#1f4e9e"
EXISTING = "#7b3294"
CANDIDATE = "#6f6f6f"
NOT_ELIGIBLE = "#c7c7c7"
COVERED = "#1a9850"
PARTLY = "#fdae61"
NOT_COVERED = "#d73027"


def portfolio_map(
    result: Any,
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
    """
    import folium

    net = result.network
    m = base_map(net, title=title, offline=offline)
    if net.provenance.synthetic:  # no basemap under invented roads: draw the roads themselves
        add_context_roads(m, net)
    met = result.metrics
    unit = met["unit"]
    cells, hidden = result.demand_cells(hex_m)
    _demand_layer(m, cells, unit)
    if catchments:
        _catchment_layer(m, result.catchments(), met)
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


def _demand_layer(m: folium.Map, cells: Any, unit: str) -> None:
    import folium

    layer = folium.FeatureGroup(name="Demand (aggregated)", show=True)
    top = float(cells["demand"].max()) if len(cells) else 1.0
    for row in cells.itertuples(index=False):
        share = float(row.covered) / float(row.demand) if row.demand > 0 else 1.0
        colour = COVERED if share >= 0.999 else NOT_COVERED if share <= 0.001 else PARTLY
        shade = 0.25 + 0.5 * float(row.demand) / top if top > 0 else 0.4
        folium.Polygon(
            locations=[(y, x) for x, y in row.geometry.exterior.coords],
            color="#444",
            weight=0.5,
            fill=True,
            fill_color=colour,
            fill_opacity=shade,
            tooltip=escape(
                f"{int(row.rows)} demand rows, {float(row.demand):,.0f} {unit}: "
                f"{float(row.covered):,.0f} covered, {float(row.not_covered):,.0f} "
                "not covered"
            ),
        ).add_to(layer)
    layer.add_to(m)


def _catchment_layer(m: folium.Map, iso: Any, met: dict[str, Any]) -> None:
    import folium

    layer = folium.FeatureGroup(name=f"Within {met['minutes']:g} min of an open site")
    travel = "walk" if met["mode"] == "walk" else "drive"
    for rec in iso.itertuples(index=False):
        colour = CHOSEN if rec.status == "chosen" else EXISTING
        folium.GeoJson(
            shapely.to_geojson(rec.geometry),
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 1,
                "fillColor": c,
                "fillOpacity": 0.08,
            },
            tooltip=escape(f"{rec.site_id}: within {rec.minutes:g} min {travel}"),
        ).add_to(layer)
    layer.add_to(m)


def _candidate_layer(m: folium.Map, cands: Any) -> None:
    import folium

    layer = folium.FeatureGroup(name="Candidates not chosen", show=True)
    rest = cands[cands["status"] != "chosen"]
    pts = rest.geometry.to_crs("EPSG:4326").representative_point()
    for rec, pt in zip(rest.itertuples(index=False), pts, strict=True):
        colour = CANDIDATE if rec.status == "eligible" else NOT_ELIGIBLE
        score = "" if pd.isna(getattr(rec, "score", np.nan)) else f", score {rec.score:.0f}"
        what = "not chosen" if rec.status == "eligible" else str(rec.status)
        folium.CircleMarker(
            (float(pt.y), float(pt.x)),
            radius=4,
            color="#333",
            weight=1,
            fill=True,
            fill_color=colour,
            fill_opacity=0.9,
            tooltip=escape(f"{rec.site_id}: {what}{score}"),
        ).add_to(layer)
    layer.add_to(m)


def _site_layer(
    m: folium.Map, sites: Any, name: str, colour: str, unit: str, met: dict[str, Any]
) -> None:
    import folium

    layer = folium.FeatureGroup(name=name, show=True)
    wgs = sites.to_crs("EPSG:4326")
    pts = wgs.geometry.representative_point()
    adds_unit = unit if met["objective"] == "coverage" else "min on the mean trip"
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
        items = "".join(f"<li>{escape(p)}</li>" for p in parts)
        extra = f"<p>{escape(why)}</p>" if isinstance(why, str) and why else ""
        popup = f"<b>{escape(rec.site_id)}</b> ({escape(name.lower()[:-1])})<ul>{items}</ul>{extra}"
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            shape = folium.GeoJson(
                shapely.to_geojson(geom),
                style_function=lambda _f, c=colour: {
                    "color": c,
                    "weight": 2,
                    "fillColor": c,
                    "fillOpacity": 0.5,
                },
            )
            shape.add_to(layer)
        marker = folium.CircleMarker(
            (float(pt.y), float(pt.x)),
            radius=9,
            color="#111",
            weight=2,
            fill=True,
            fill_color=colour,
            fill_opacity=0.95,
            tooltip=escape(f"{rec.site_id}: {parts[0]}"),
        )
        bind_popup(marker, popup)
        marker.add_to(layer)
    layer.add_to(m)
