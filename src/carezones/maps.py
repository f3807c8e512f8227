"""Folium maps. Every map carries the OSM attribution; client locations are aggregated by default.

Private by default: clients are drawn as hexagons with counts and weekly hours, and cells with
fewer than ``min_cell_clients`` (default 5) clients are left out (the legend says how many
clients that hides). Individual client points appear only with ``show_clients=True``. Every
value taken from a user's file is HTML-escaped before it reaches a tooltip or popup.
"""

from __future__ import annotations

import html
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.network import RoadNetwork

ATTRIBUTION = "© OpenStreetMap contributors"


def escape(value: object) -> str:
    """Return text safe to show in a map: HTML-escaped, with template braces neutralised.

    folium renders tooltip and element text through Jinja2, so a value like ``{{ 7*7 }}``
    from a user's file would be evaluated (and could run code); braces become HTML entities,
    which browsers show as braces.
    """
    text = html.escape(str(value))
    return text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")


ROAD_STYLE: dict[str, tuple[str, float]] = {
    "motorway": ("#c0392b", 4.0),
    "trunk": ("#d35400", 3.5),
    "primary": ("#e67e22", 3.0),
    "secondary": ("#f1c40f", 2.5),
    "tertiary": ("#7f8c8d", 2.0),
    "unclassified": ("#95a5a6", 1.5),
    "residential": ("#bdc3c7", 1.0),
}
OTHER_ROAD = ("#cfd8dc", 0.8)


def base_map(
    net: RoadNetwork, *, synthetic: bool | None = None, title: str = "", offline: bool = True
) -> folium.Map:
    """Return an empty map framed on the network, with the OSM attribution.

    Real networks get the OpenStreetMap basemap (if its tiles cannot load, offline, the data
    layers still draw). A synthetic network gets no basemap, so that invented roads are never
    drawn over real places, and a "SYNTHETIC DATA" banner. With ``offline`` (the default)
    Leaflet's JavaScript and CSS are written into the HTML file itself, so the map works with
    no internet; ``offline=False`` links them from a CDN instead (smaller files).
    """
    if synthetic is None:
        synthetic = net.provenance.synthetic
    return _frame(net.bounds, net.provenance.attribution, synthetic, title, offline)


def _frame(
    bounds: tuple[float, float, float, float],
    attribution: str,
    synthetic: bool,
    title: str,
    offline: bool,
) -> folium.Map:
    """Return an empty map over ``bounds`` (lon/lat) with attribution, banner and basemap."""
    import folium

    lo, la, hi, ha = bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    if offline:
        inline_assets(m)
    if not synthetic:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap basemap", control=True).add_to(m)
    m.fit_bounds([[la, lo], [ha, hi]])
    _add_attribution(m, attribution)
    label = "SYNTHETIC DATA - not a real place. " if synthetic else ""
    if title or synthetic:
        _add_banner(m, f"{label}{title}")
    return m


def network_map(
    net: RoadNetwork,
    clients: gpd.GeoDataFrame | None = None,
    *,
    show_clients: bool = False,
    synthetic: bool | None = None,
    title: str = "Road network",
    hex_m: float = 750.0,
    min_cell_clients: int = 5,
    offline: bool = True,
) -> folium.Map:
    """Draw the road network and (aggregated) clients.

    Parameters
    ----------
    net : RoadNetwork
        The network to draw (roads coloured by class).
    clients : GeoDataFrame, optional
        Clients with ``hours_per_week``; drawn as hexagons unless ``show_clients``.
    show_clients : bool
        Draw individual client points (personal data: only for maps not shared).
    synthetic : bool, optional
        The data is synthetic: no basemap, and a banner says so (default: from the network's
        provenance).
    hex_m : float
        Hexagon size (centre to corner) in metres.
    min_cell_clients : int
        Hexagons with fewer clients than this are not drawn.
    offline : bool
        Embed Leaflet in the HTML so the map works without internet (see :func:`base_map`).
    """
    import folium

    m = base_map(net, synthetic=synthetic, title=title, offline=offline)
    roads = folium.FeatureGroup(name="Roads", show=True)
    for feature in _road_features(net):
        folium.GeoJson(
            feature,
            style_function=_road_style,
            tooltip=folium.GeoJsonTooltip(fields=["highway"], aliases=["Road class"]),
        ).add_to(roads)
    roads.add_to(m)
    road_items = [(c, hw.replace("_", " ")) for hw, (c, _) in ROAD_STYLE.items()]
    _add_legend(m, "Roads", road_items, side="right")
    if clients is not None and len(clients):
        add_clients(
            m,
            net.crs,
            clients,
            show_clients=show_clients,
            hex_m=hex_m,
            min_cell_clients=min_cell_clients,
        )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def add_clients(
    m: folium.Map,
    crs: Any,
    clients: gpd.GeoDataFrame,
    *,
    show_clients: bool = False,
    hex_m: float = 750.0,
    min_cell_clients: int = 5,
    zones_drawn: bool = False,
) -> None:
    """Add clients to a map: hexagons with counts and hours, or points when asked.

    ``crs`` is the metric CRS the hexagons are laid out in (e.g. ``network.crs``).
    """
    import folium

    hexes, hidden = hexbin(clients, crs, hex_m=hex_m, min_count=min_cell_clients)
    layer = folium.FeatureGroup(name="Clients (aggregated)", show=True)
    top = float(hexes["hours_per_week"].max()) if len(hexes) else 1.0
    for row in hexes.itertuples(index=False):
        shade = 0.2 + 0.6 * float(row.hours_per_week) / top
        folium.Polygon(
            locations=[(y, x) for x, y in row.geometry.exterior.coords],
            color="#2c3e50",
            weight=1,
            fill=True,
            fill_color="#8e44ad",
            fill_opacity=shade,
            tooltip=f"{int(row.clients)} clients, {float(row.hours_per_week):.0f} h/week",
        ).add_to(layer)
    layer.add_to(m)
    note = (
        f"Clients aggregated in {hex_m:.0f} m hexagons; {hidden} client(s) in cells with fewer "
        f"than {min_cell_clients} are not shown."
    )
    items = [("#8e44ad", "more hours per week = darker")]
    _add_legend(m, "Clients", items, note, side="right" if zones_drawn else "left")
    if show_clients:
        pts = folium.FeatureGroup(name="Clients (individual points)", show=False)
        ids = clients["client_id"] if "client_id" in clients else pd.Series(range(len(clients)))
        geo = clients.geometry.to_crs("EPSG:4326")
        for cid, g, hours in zip(ids, geo, clients.get("hours_per_week", ids * 0), strict=True):
            folium.CircleMarker(
                (g.y, g.x),
                radius=3,
                color="#8e44ad",
                tooltip=f"{escape(str(cid))}: {float(hours):.1f} h/week",
            ).add_to(pts)
        pts.add_to(m)


def hexbin(
    points: gpd.GeoDataFrame, crs: Any, *, hex_m: float = 750.0, min_count: int = 5
) -> tuple[gpd.GeoDataFrame, int]:
    """Aggregate points into flat-topped hexagons in a metric CRS.

    Returns
    -------
    hexagons : GeoDataFrame
        ``clients`` (count) and ``hours_per_week`` (sum) per hexagon with at least
        ``min_count`` points, in WGS84.
    hidden : int
        Number of points in the hexagons left out.
    """
    import geopandas as gpd

    geo = points.geometry.to_crs(crs)
    x, y = geo.x.to_numpy(), geo.y.to_numpy()
    q, r = _hex_round(x, y, hex_m)
    hours = (
        points["hours_per_week"].to_numpy(dtype=float)
        if "hours_per_week" in points
        else np.zeros(len(points))
    )
    df = pd.DataFrame({"q": q, "r": r, "hours_per_week": hours})
    cells = df.groupby(["q", "r"], sort=True).agg(
        clients=("hours_per_week", "size"), hours_per_week=("hours_per_week", "sum")
    )
    shown = cells[cells["clients"] >= min_count].reset_index()
    hidden = int(cells.loc[cells["clients"] < min_count, "clients"].sum())
    polys = [_hexagon(int(a), int(b), hex_m) for a, b in zip(shown["q"], shown["r"], strict=True)]
    gdf = gpd.GeoDataFrame(shown[["clients", "hours_per_week"]], geometry=polys, crs=crs).to_crs(
        "EPSG:4326"
    )
    return gdf, hidden


def hexbin_sums(
    points: gpd.GeoDataFrame,
    crs: Any,
    columns: list[str],
    *,
    hex_m: float = 750.0,
    min_count: int = 5,
) -> tuple[gpd.GeoDataFrame, int]:
    """Aggregate points into hexagons as :func:`hexbin` does, summing any numeric columns.

    Returns the hexagons with ``count`` (points) and the sum of each of ``columns``, those
    with fewer than ``min_count`` points left out, and the number of points they held.
    """
    import geopandas as gpd

    geo = points.geometry.to_crs(crs)
    q, r = _hex_round(geo.x.to_numpy(), geo.y.to_numpy(), hex_m)
    df = pd.DataFrame({"q": q, "r": r, "count": 1})
    for col in columns:
        df[col] = points[col].to_numpy(dtype=float)
    cells = df.groupby(["q", "r"], sort=True).sum().reset_index()
    shown = cells[cells["count"] >= min_count]
    hidden = int(cells.loc[cells["count"] < min_count, "count"].sum())
    polys = [_hexagon(int(a), int(b), hex_m) for a, b in zip(shown["q"], shown["r"], strict=True)]
    out = gpd.GeoDataFrame(
        shown[["count", *columns]].reset_index(drop=True), geometry=polys, crs=crs
    ).to_crs("EPSG:4326")
    return out, hidden


def _hex_round(x: np.ndarray, y: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """Axial coordinates of the flat-topped hexagon containing each point."""
    qf = (2.0 / 3.0 * x) / size
    rf = (-1.0 / 3.0 * x + math.sqrt(3) / 3.0 * y) / size
    sf = -qf - rf
    q, r, s = np.round(qf), np.round(rf), np.round(sf)
    dq, dr, ds = np.abs(q - qf), np.abs(r - rf), np.abs(s - sf)
    fix_q = (dq > dr) & (dq > ds)
    fix_r = ~fix_q & (dr > ds)
    q = np.where(fix_q, -r - s, q)
    r = np.where(fix_r, -q - s, r)
    return q.astype(np.int64), r.astype(np.int64)


def _hexagon(q: int, r: int, size: float) -> shapely.Polygon:
    cx = size * 1.5 * q
    cy = size * math.sqrt(3) * (r + q / 2.0)
    ang = np.radians(np.arange(0, 360, 60))
    return shapely.Polygon(np.column_stack([cx + size * np.cos(ang), cy + size * np.sin(ang)]))


def _road_features(net: RoadNetwork) -> list[dict[str, Any]]:
    """Roads merged into one GeoJSON feature per class (small HTML, fast to draw)."""
    edges = net.edges_gdf()
    cls = edges["highway"].str.replace("_link", "", regex=False)
    features = []
    for hw, group in edges.groupby(cls, sort=True):
        merged = shapely.line_merge(shapely.union_all(group.geometry.to_numpy()))
        merged = shapely.set_precision(merged, 1e-5)
        features.append(
            {
                "type": "Feature",
                "properties": {"highway": str(hw)},
                "geometry": shapely.geometry.mapping(merged),
            }
        )
    return features


def _road_style(feature: dict[str, Any]) -> dict[str, Any]:
    color, weight = ROAD_STYLE.get(feature["properties"]["highway"], OTHER_ROAD)
    return {"color": color, "weight": weight, "opacity": 0.9}


def _add_context_roads(m: folium.Map, net: RoadNetwork) -> None:
    """Draw a network's roads as a grey background layer (for maps without a basemap)."""
    import folium

    roads = folium.FeatureGroup(name="Roads", show=True)
    for feature in _road_features(net):
        folium.GeoJson(feature, style_function=_context_style).add_to(roads)
    roads.add_to(m)


def _context_style(feature: dict[str, Any]) -> dict[str, Any]:
    """Roads as a quiet grey background (so that they are not mistaken for data)."""
    _, weight = ROAD_STYLE.get(feature["properties"]["highway"], OTHER_ROAD)
    return {"color": "#9aa5ad", "weight": max(weight * 0.7, 0.8), "opacity": 0.8}


def inline_assets(m: folium.Map) -> folium.Map:
    """Embed Leaflet's JS and CSS in the map's HTML and drop folium's CDN links.

    The assets come from the ``django-js-lib-leaflet`` package (Leaflet 1.9.4 as plain files;
    Django is not needed). jQuery, Bootstrap and the awesome-markers plugin that folium links
    by default are dropped: carezones maps do not use them.
    """
    import folium

    js, css = _leaflet_assets()
    m.default_js = []
    m.default_css = []
    root: Any = m.get_root()
    root.header.add_child(folium.Element(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(folium.Element(f"<script>{js}</script>"), name="leaflet_js")
    return m


def _leaflet_assets() -> tuple[str, str]:
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("js_lib_leaflet")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "offline maps need the django-js-lib-leaflet package (pip install "
            "django-js-lib-leaflet), or pass offline=False to load Leaflet from a CDN"
        )
    static = Path(spec.origin).parent / "static" / "js_lib_leaflet"
    return (static / "leaflet.js").read_text(), (static / "leaflet.css").read_text()


def _add_attribution(m: folium.Map, text: str) -> None:
    """Put the attribution in Leaflet's attribution control (shown with or without tiles)."""
    import json

    from branca.element import MacroElement
    from jinja2 import Template

    el = MacroElement()
    el._name = "Attribution"
    el._template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.attributionControl.addAttribution("
        + json.dumps(escape(text))
        + ");{% endmacro %}"
    )
    m.add_child(el)


def bind_popup(target: Any, content: str, max_width: int = 360) -> None:
    """Bind an HTML popup to a map element without jQuery (which offline maps do not load).

    ``content`` is trusted HTML built by carezones: every value from a user's file in it must
    already be escaped. It reaches the page as a JSON string, never as template source.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    el = MacroElement()
    el._name = "Popup"
    vars(el).update(content=json.dumps(content).replace("</", "<\\/"), max_width=int(max_width))
    el._template = Template(
        "{% macro script(this, kwargs) %}"
        "{{ this._parent.get_name() }}.bindPopup({{ this.content }}, "
        "{maxWidth: {{ this.max_width }}});"
        "{% endmacro %}"
    )
    target.add_child(el)


def _add_banner(m: folium.Map, text: str) -> None:
    import folium

    root: Any = m.get_root()
    root.html.add_child(
        folium.Element(
            '<div class="cz-banner" style="position:fixed;top:10px;left:60px;z-index:1000;'
            "background:rgba(255,255,255,.9);padding:4px 10px;border-radius:4px;"
            f'font:14px sans-serif;font-weight:bold">{escape(text)}</div>'
        )
    )


def _add_legend(
    m: folium.Map, title: str, items: list[tuple[str, str]], note: str = "", side: str = "left"
) -> None:
    import folium

    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
        f'margin-right:6px"></span>{escape(label)}</div>'
        for c, label in items
    )
    note_html = f'<div style="max-width:220px;margin-top:4px">{escape(note)}</div>' if note else ""
    root: Any = m.get_root()
    root.html.add_child(
        folium.Element(
            f'<div class="cz-legend" style="position:fixed;bottom:60px;{side}:10px;z-index:1000;'
            "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;font:12px "
            f'sans-serif"><b>{escape(title)}</b>{rows}{note_html}</div>'
        )
    )


ZONE_COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
]


def zones_map(
    plan: Any,
    *,
    clients: gpd.GeoDataFrame | None = None,
    show_clients: bool = False,
    offline: bool = True,
    title: str = "Home-care zones",
) -> folium.Map:
    """Draw a zone plan: zones coloured, their statistics in tooltips, a legend, centres.

    Centres are road junctions (never a client's home); a zone whose figures are withheld
    (fewer than 5 clients) shows no figures and no centre. Clients appear only when
    ``clients`` is given, aggregated in hexagons unless ``show_clients=True``.
    """
    import folium
    import geopandas as gpd

    zones = plan.zones
    lo, la, hi, ha = (float(v) for v in zones.total_bounds)
    m = _frame((lo, la, hi, ha), plan.attribution, plan.synthetic, title, offline)
    layer = folium.FeatureGroup(name="Zones", show=True)
    fields = {
        "zone_id": "Zone",
        "clients": "Clients",
        "hours_per_week": "Hours a week",
        "deviation_pct": "From the mean (%)",
        "mean_minutes_to_centre": "Mean minutes from centre",
        "p90_minutes_to_centre": "90% within (minutes)",
        "mean_within_minutes": "Client to client (minutes)",
        "area_km2": "Area (km²)",
    }
    withheld = (
        zones["withheld"].to_numpy(bool) if "withheld" in zones else np.zeros(len(zones), bool)
    )
    data = zones.assign(deviation_pct=(zones["deviation"] * 100).round(1))
    text = data[list(fields)].astype(object)
    for col in fields:  # every value as escaped text; withheld figures say so
        text[col] = [
            "withheld (fewer than 5 clients)" if _blank(v) else escape(v) for v in data[col]
        ]
    for i, row in enumerate(data.itertuples(index=False)):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        one = text.iloc[[i]].assign(geometry=data.geometry.iloc[[i]].to_numpy())
        folium.GeoJson(
            gpd.GeoDataFrame(one, geometry="geometry", crs=zones.crs).to_json(),
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 2,
                "fillColor": c,
                "fillOpacity": 0.35,
            },
            tooltip=folium.GeoJsonTooltip(fields=list(fields), aliases=list(fields.values())),
            name=escape(f"Zone {row.zone_id}"),
        ).add_to(layer)
        if withheld[i] or _blank(row.centre_lat) or _blank(row.centre_lon):
            continue
        folium.CircleMarker(
            (float(row.centre_lat), float(row.centre_lon)),
            radius=5,
            color="#000",
            fill=True,
            fill_color=colour,
            fill_opacity=1,
            tooltip=escape(f"Centre of zone {row.zone_id} (a road junction)"),
        ).add_to(layer)
    layer.add_to(m)
    if clients is not None and len(clients):
        add_clients(m, plan.crs, clients, show_clients=show_clients, zones_drawn=True)
    items = [
        (
            ZONE_COLOURS[i % len(ZONE_COLOURS)],
            f"zone {r.zone_id}: "
            + ("withheld" if _blank(r.hours_per_week) else f"{float(r.hours_per_week):,.0f} h"),
        )
        for i, r in enumerate(zones.itertuples(index=False))
    ]
    met = plan.metrics
    note = (
        f"Worst zone {met['worst_deviation']:+.1%} from the mean "
        f"(tolerance ±{met['tolerance']:.0%}); mean {met['mean_minutes_to_centre']:.1f} min "
        "from the zone centre (a road junction)."
    )
    if withheld.any():
        note += f" {int(withheld.sum())} zone(s) of fewer than 5 clients: figures withheld."
    _add_legend(m, "Zones", items, note)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _blank(value: Any) -> bool:
    """Return True for a missing value (None, NaN, ``pd.NA``)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def rounds_map(rounds: Any, *, offline: bool = True, title: str = "Carers' rounds") -> folium.Map:
    """Draw a day's rounds: a layer per carer (one toggle each), legs along the roads.

    Each carer's legs are drawn in the carer's colour along the roads driven; where a stop lies
    off the road network, the gap between it and its road is a dashed line whose tooltip says
    it is an access leg, and a leg with no road route (travel from a matrix) is dashed and
    labelled as a straight line. Stops are numbered with their times. The layer control (top
    right, open) shows or hides each carer's round.
    """
    import folium

    from carezones.io import hhmm

    it = rounds.itineraries
    lo, la, hi, ha = (
        float(it.lon.min()),
        float(it.lat.min()),
        float(it.lon.max()),
        float(it.lat.max()),
    )
    m = _frame((lo, la, hi, ha), rounds.attribution, rounds.synthetic, title, offline)
    if rounds.synthetic and rounds.network is not None:  # no basemap: draw the roads
        _add_context_roads(m, rounds.network)
    parts = rounds.legs()
    dashed = 0
    for i, (cid, g) in enumerate(it.groupby("carer_id", sort=True)):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        shifts = sorted(g["shift"].unique())
        swatch = (
            f'<span style="display:inline-block;width:10px;height:10px;margin:0 4px;'
            f'background:{colour}"></span>'
        )
        more = f" ({len(shifts)} shifts)" if len(shifts) > 1 else ""
        layer = folium.FeatureGroup(name=swatch + escape(f"{cid}{more}"), show=True)
        mine = parts[parts["carer_id"] == cid]
        for rec in mine.itertuples():
            coords = [(y, x) for x, y in rec.geometry.coords]
            head = f"{cid}, shift {rec.shift}, leg to stop {rec.seq}: {rec.minutes:.0f} min"
            if rec.kind == "road":
                tip = head + (f", {rec.metres / 1000:.1f} km" if rec.metres else "")
                folium.PolyLine(
                    coords, color=colour, weight=3, opacity=0.85, tooltip=escape(tip)
                ).add_to(layer)
            else:
                dashed += 1
                folium.PolyLine(
                    coords,
                    color=colour,
                    weight=2.5,
                    opacity=0.9,
                    dash_array="4 6",
                    tooltip=escape(f"{head}. {rec.label}"),
                ).add_to(layer)
        for shift, gs in g.groupby("shift", sort=True):
            n = 0
            for rec in gs.sort_values("seq").itertuples():
                if rec.kind == "visit":
                    n += 1
                t, e = hhmm(rec.start), hhmm(rec.end)
                what = {"start": "leaves home", "end": "back home", "break": "break"}.get(
                    rec.kind, f"visit {n}: {rec.visit_id}"
                )
                folium.CircleMarker(
                    (float(rec.lat), float(rec.lon)),
                    radius=6 if rec.kind == "visit" else 4,
                    color=colour,
                    fill=True,
                    fill_opacity=0.9,
                    tooltip=escape(f"{cid} (shift {shift}): {what}, {t}-{e}"),
                ).add_to(layer)
        layer.add_to(m)
    k = rounds.kpis
    note = (
        f"{k['visits_served']} of {k['visits']} visits; travel {k['travel_minutes']:.0f} min, "
        f"{k['travel_share_of_working_time']:.0%} of working time. Solid lines follow the roads; "
        "dashed lines are straight (an access leg to a stop off the road network, or no road "
        "route known). Show or hide each carer's round with the layer control. Shows visit "
        "locations: for the provider's own use."
    )
    _add_legend(
        m,
        "Carers' rounds",
        [("#555", f"{it.carer_id.nunique()} carers"), ("#bbb", f"{dashed} dashed legs")],
        note,
    )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


SCORE_CLASSES = [  # (lower bound, colour, label): a colour-blind-safe red-yellow-green ramp
    (80.0, "#1a9850", "80-100"),
    (60.0, "#91cf60", "60-80"),
    (40.0, "#fee08b", "40-60"),
    (20.0, "#fc8d59", "20-40"),
    (0.0, "#d73027", "0-20"),
]
NOT_SCORED = "#9e9e9e"


def score_colour(score: float) -> str:
    """Return the map colour of a 0-100 score (grey when not scored)."""
    if score is None or not np.isfinite(score):
        return NOT_SCORED
    return next(c for lo, c, _ in SCORE_CLASSES if score >= lo)


def _surface_style(feature: dict[str, Any]) -> dict[str, Any]:
    colour = score_colour(feature["properties"]["score"])
    return {"color": colour, "weight": 0, "fillColor": colour, "fillOpacity": 0.45}


def sites_map(
    result: Any,
    *,
    isochrones: int | list[Any] = 3,
    minutes: tuple[float, ...] = (5, 10, 15),
    amenities: bool = True,
    surface: bool = True,
    surface_hex_m: float = 250.0,
    offline: bool = True,
    title: str = "Candidate sites",
) -> folium.Map:
    """Draw scored sites coloured by score, the explanation in each popup.

    Parameters
    ----------
    result : SiteScores
    isochrones : int or list
        Walking isochrones for the top N sites, or for the listed ``site_id`` values (0: none).
    amenities : bool
        One layer of amenities per category.
    surface : bool
        When the result has a surface: its mean score per hexagon of ``surface_hex_m`` metres
        (a heat layer that needs no plugin, so it draws offline).
    """
    import folium

    sc = result.scores
    net = result.walk if result.walk is not None else result.drive
    wgs = sc.to_crs("EPSG:4326")
    lo, la, hi, ha = (float(v) for v in wgs.total_bounds)
    pad = 0.01
    m = _frame(
        (lo - pad, la - pad, hi + pad, ha + pad),
        net.provenance.attribution,
        net.provenance.synthetic,
        title,
        offline,
    )
    if net.provenance.synthetic:  # no basemap under invented roads: draw the roads themselves
        _add_context_roads(m, result.drive if result.drive is not None else net)
    if surface and result.surface is not None and len(result.surface):
        surf = result.surface[result.surface.score.notna()]
        geo = surf.geometry.to_crs(net.crs)
        q, r = _hex_round(geo.x.to_numpy(), geo.y.to_numpy(), surface_hex_m)
        cells = (
            pd.DataFrame({"q": q, "r": r, "score": surf.score.to_numpy()})
            .groupby(["q", "r"], sort=True)
            .score.mean()
            .reset_index()
        )
        import geopandas as gpd

        polys = [
            _hexagon(int(a), int(b), surface_hex_m) for a, b in zip(cells.q, cells.r, strict=True)
        ]
        hexes = gpd.GeoDataFrame(
            {"score": cells.score.round(1)}, geometry=polys, crs=net.crs
        ).to_crs("EPSG:4326")
        layer = folium.FeatureGroup(name="Suitability surface (mean score per hexagon)")
        folium.GeoJson(
            hexes.to_json(),
            style_function=_surface_style,
            tooltip=folium.GeoJsonTooltip(fields=["score"], aliases=["Mean score"]),
        ).add_to(layer)
        layer.add_to(m)
    if isochrones and result.walk is not None:
        iso = result.isochrones(isochrones, minutes)
        if len(iso):
            layer = folium.FeatureGroup(name="Walking isochrones")
            shades = {
                b: s
                for b, s in zip(
                    sorted(minutes), ["#08519c", "#3182bd", "#6baed6", "#bdd7e7"], strict=False
                )
            }
            for rec in iso.sort_values("minutes", ascending=False).itertuples():
                colour = shades.get(rec.minutes, "#6baed6")
                folium.GeoJson(
                    shapely.to_geojson(rec.geometry),
                    style_function=lambda _f, c=colour: {
                        "color": c,
                        "weight": 1,
                        "fillColor": c,
                        "fillOpacity": 0.15,
                    },
                    tooltip=escape(f"{rec.site_id}: {rec.minutes:g} min walk"),
                ).add_to(layer)
            layer.add_to(m)
    if amenities and result.amenities is not None and len(result.amenities):
        labels = {c.name: c.label for c in result.config.categories}
        am = result.amenities
        pts = am.geometry.representative_point()
        for cat, idx in am.groupby("category", sort=True).groups.items():
            layer = folium.FeatureGroup(
                name=escape(f"Amenities: {labels.get(cat, cat)}"), show=False
            )
            for i in idx:
                name = am.at[i, "name"] or labels.get(cat, cat)
                folium.CircleMarker(
                    (float(pts.at[i].y), float(pts.at[i].x)),
                    radius=3,
                    color="#333",
                    weight=1,
                    fill=True,
                    fill_color="#fff",
                    fill_opacity=0.9,
                    tooltip=escape(f"{name} ({labels.get(cat, cat)})"),
                ).add_to(layer)
            layer.add_to(m)
    layer = folium.FeatureGroup(name="Candidate sites")
    for rec, geom in zip(wgs.itertuples(), wgs.geometry, strict=True):
        colour = score_colour(rec.score)
        score = "not scored" if pd.isna(rec.score) else f"{rec.score:.1f} / 100"
        rank = "" if pd.isna(rec.rank) else f" (rank {int(rec.rank)})"
        parts = "".join(f"<li>{escape(p)}</li>" for p in str(rec.explanation).split("; "))
        popup = f"<b>{escape(str(rec.site_id))}</b>: {score}{rank}<ul>{parts}</ul>"
        tip = escape(f"{rec.site_id}: {score}")
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            shape = folium.GeoJson(
                shapely.to_geojson(geom),
                style_function=lambda _f, c=colour: {
                    "color": c,
                    "weight": 2,
                    "fillColor": c,
                    "fillOpacity": 0.5,
                },
                tooltip=tip,
            )
            bind_popup(shape, popup)
            shape.add_to(layer)
        else:
            marker = folium.CircleMarker(
                (float(geom.y), float(geom.x)),
                radius=8,
                color="#222",
                weight=1,
                fill=True,
                fill_color=colour,
                fill_opacity=0.95,
                tooltip=tip,
            )
            bind_popup(marker, popup)
            marker.add_to(layer)
    layer.add_to(m)
    items = [(c, label) for _, c, label in SCORE_CLASSES] + [(NOT_SCORED, "not scored")]
    names = {c.name: c.label for c in result.config.categories}
    names |= {"staff": "staff access", "demand": "demand"}
    w = ", ".join(f"{names.get(k, k)} {v:g}" for k, v in result.weights.items())
    _add_legend(m, "Site score", items, f"Weights: {w}. Click a site for its explanation.")
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def add_legend(
    m: folium.Map, title: str, items: list[tuple[str, str]], note: str = "", side: str = "left"
) -> None:
    """Add a legend to a map: a title, colour swatches with labels and a note (all escaped)."""
    _add_legend(m, title, items, note, side)


def add_context_roads(m: folium.Map, net: RoadNetwork) -> None:
    """Draw a network's roads as a quiet grey background (for maps without a basemap)."""
    _add_context_roads(m, net)
