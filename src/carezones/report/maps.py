"""Folium maps. Every map carries the OSM attribution; client locations are aggregated by default.

Private by default: clients are drawn as hexagons with counts and weekly hours, and cells with
fewer than ``min_cell_clients`` (default 5) clients are left out (the legend says how many
clients that hides). Individual client points appear only when asked for by name
(``show_client_points=True``), and the page then says at its top that it is for the user's own
use (:data:`OWN_USE`). Every value taken from a user's file is HTML-escaped before it reaches a
tooltip or popup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from carezones.privacy import MIN_GROUP, hexbin
from carezones.report.html import escape

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.network import RoadNetwork

ATTRIBUTION = "© OpenStreetMap contributors"

OWN_USE = "For your own use — contains clients' locations"
"""The banner of a page that draws each client's location (not to be shared)."""


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


def add_clients(
    m: folium.Map,
    crs: Any,
    clients: gpd.GeoDataFrame,
    *,
    show_client_points: bool = False,
    hex_m: float = 750.0,
    min_cell_clients: int = MIN_GROUP,
    zones_drawn: bool = False,
) -> None:
    """Add clients to a map: hexagons of ``min_cell_clients`` or more, and points when asked.

    ``crs`` is the metric CRS the hexagons are laid out in (e.g. ``network.crs``). Hexagons
    show their clients and weekly hours; smaller ones are not drawn (the legend says how many
    clients that hides). With ``show_client_points`` each client is also drawn where it is, with
    its id and hours: such a map is for the user's own use only (give its page the banner
    :data:`OWN_USE`).
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
    if show_client_points:
        note += " Each client's location is drawn too: for your own use, not for sharing."
    items = [("#8e44ad", "more hours per week = darker")]
    _add_legend(m, "Clients", items, note, side="right" if zones_drawn else "left")
    if show_client_points:
        pts = folium.FeatureGroup(name="Clients (each one's location)", show=True)
        ids = clients["client_id"] if "client_id" in clients else pd.Series(range(len(clients)))
        geo = clients.geometry.to_crs("EPSG:4326")
        for cid, g, hours in zip(ids, geo, clients.get("hours_per_week", ids * 0), strict=True):
            folium.CircleMarker(
                (g.y, g.x),
                radius=3,
                color="#8e44ad",
                tooltip=f"{escape(str(cid), template=True)}: {float(hours):.1f} h/week",
            ).add_to(pts)
        pts.add_to(m)


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
        + json.dumps(escape(text, template=True))
        + ");{% endmacro %}"
    )
    m.add_child(el)


@dataclass(frozen=True)
class PopupText:
    """What a feature's popup says: a bold title, text after it, a list and a closing note.

    Plain text (never HTML): :func:`map_feature` escapes every part. The popup reads
    ``<b>title</b>head<ul><li>line</li>...</ul><p>note</p>``.
    """

    title: str
    head: str = ""
    lines: tuple[str, ...] = ()
    note: str = ""


def map_feature(
    geometry: Any,
    colour: str,
    tip: str = "",
    popup: PopupText | None = None,
    opacity: float | None = None,
) -> dict[str, Any]:
    """Return one GeoJSON feature for :func:`add_features`, every text escaped.

    Parameters
    ----------
    geometry : shapely geometry
        Where it is (lon/lat); a point becomes a circle marker.
    colour : str
        Its fill colour (and outline, for a polygon or line).
    tip : str
        Its tooltip (plain text; none when empty).
    popup : PopupText, optional
        Its popup (none when omitted).
    opacity : float, optional
        Its fill opacity, instead of the layer's.

    Returns
    -------
    dict
        The feature.

    Examples
    --------
    >>> import shapely
    >>> popup = PopupText("<b>S1</b>", ": 80.0 / 100", ("5 min walk to a GP",))
    >>> f = map_feature(shapely.Point(0.5, 52.6), "#1a9850", "<b>S1</b>: 80.0 / 100", popup)
    >>> f["properties"]["title"], f["geometry"]["type"]
    ('&lt;b&gt;S1&lt;/b&gt;', 'Point')
    """
    props: dict[str, Any] = {"colour": colour}
    if tip:
        props["tip"] = escape(tip, template=True)
    if popup is not None:
        props["title"] = escape(popup.title, template=True)
        if popup.head:
            props["head"] = escape(popup.head, template=True)
        if popup.lines:
            props["lines"] = [escape(line, template=True) for line in popup.lines]
        if popup.note:
            props["note"] = escape(popup.note, template=True)
    if opacity is not None:
        props["opacity"] = round(float(opacity), 3)
    return {"type": "Feature", "properties": props, "geometry": shapely.geometry.mapping(geometry)}


_FEATURES_JS = """function czFeatures(data, point, shape, width) {
  function style(f) {
    var p = f.properties, s = Object.assign({}, f.geometry.type === 'Point' ? point : shape);
    s.fillColor = p.colour; if (s.color === null) s.color = p.colour;
    if (p.opacity !== undefined) s.fillOpacity = p.opacity;
    return s;
  }
  function popup(p) {
    var h = '<b>' + p.title + '</b>' + (p.head || '');
    if (p.lines) h += '<ul><li>' + p.lines.join('</li><li>') + '</li></ul>';
    if (p.note) h += '<p>' + p.note + '</p>';
    return h;
  }
  return L.geoJSON(data, {
    style: style,
    pointToLayer: function(f, ll) { return L.circleMarker(ll, style(f)); },
    onEachFeature: function(f, l) {
      var p = f.properties;
      if (p.tip) l.bindTooltip(p.tip, {sticky: true});
      if (p.title !== undefined) l.bindPopup(function() { return popup(p); }, {maxWidth: width});
    }
  });
}
"""


def add_features(
    parent: Any,
    features: list[dict[str, Any]],
    *,
    point: dict[str, Any] | None = None,
    shape: dict[str, Any] | None = None,
    max_width: int = 360,
) -> None:
    """Draw many features as one GeoJSON layer, with one shared tooltip and popup template.

    A folium marker, tooltip or popup per feature costs a Jinja2 template compiled per object
    (about 2 ms each: 10,000 sites took 24 s); here the features travel as one GeoJSON
    object and one JavaScript function binds each one's tooltip and popup from its
    properties, when the page opens.

    Parameters
    ----------
    parent : folium.FeatureGroup or folium.Map
        Where the layer goes.
    features : list of dict
        From :func:`map_feature` (their text already escaped there).
    point : dict, optional
        Leaflet path options of points (circle markers), e.g. ``radius``, ``color``,
        ``weight``, ``fillOpacity``; the fill colour is each feature's.
    shape : dict, optional
        The same for polygons and lines; ``"color": None`` draws the outline in the
        feature's colour.
    max_width : int
        The popups' width, in pixels.

    Examples
    --------
    >>> import folium
    >>> import shapely
    >>> m = folium.Map(tiles=None)
    >>> spots = [shapely.Point(0.5 + i / 100, 52.6) for i in range(500)]
    >>> add_features(m, [map_feature(p, "#1a9850", f"S{i}") for i, p in enumerate(spots)])
    >>> add_features(m, [map_feature(shapely.Point(0.6, 52.7), "#d73027", "T")])
    >>> page = m.get_root().render()
    >>> page.count("function czFeatures("), page.count("czFeatures({"), page.count('"tip":"S')
    (1, 2, 500)
    """
    from branca.element import Element, MacroElement

    if not features:
        return
    data = {"type": "FeatureCollection", "features": features}
    geojson = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    styles = (
        json.dumps(point or {"radius": 6, "color": "#222", "weight": 1}),
        json.dumps(shape or {"color": None, "weight": 2, "fillOpacity": 0.5}),
    )
    script = (
        f"czFeatures({geojson}, {styles[0]}, {styles[1]}, {int(max_width)})"
        f".addTo({parent.get_name()});\n"
    )
    shared, layer = Element(), Element()
    vars(shared).update(_template=_Verbatim(_FEATURES_JS))
    vars(layer).update(_template=_Verbatim(script))
    el = MacroElement()
    el._name = "Features"

    def render(**kwargs: Any) -> None:
        # folium compiles each element's script as a Jinja2 template (megabytes of data here,
        # and text from users' files): these scripts go into the page as they are instead.
        # The shared template once per page (one name), then this layer's data.
        root: Any = el.get_root()
        root.script.add_child(shared, name="cz_features")
        root.script.add_child(layer, name=el.get_name())

    vars(el).update(render=render)
    parent.add_child(el)


class _Verbatim:
    """A branca template that is not one: it renders its text as it is."""

    def __init__(self, text: str) -> None:
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


def _add_banner(m: folium.Map, text: str) -> None:
    import folium

    root: Any = m.get_root()
    root.html.add_child(
        folium.Element(
            '<div class="cz-banner" style="position:fixed;top:10px;left:60px;z-index:1000;'
            "background:rgba(255,255,255,.9);padding:4px 10px;border-radius:4px;"
            f'font:14px sans-serif;font-weight:bold">{escape(text, template=True)}</div>'
        )
    )


def _add_legend(
    m: folium.Map, title: str, items: list[tuple[str, str]], note: str = "", side: str = "left"
) -> None:
    import folium

    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;background:{c};'
        f'margin-right:6px"></span>{escape(label, template=True)}</div>'
        for c, label in items
    )
    note_html = (
        f'<div style="max-width:220px;margin-top:4px">{escape(note, template=True)}</div>'
        if note
        else ""
    )
    root: Any = m.get_root()
    root.html.add_child(
        folium.Element(
            f'<div class="cz-legend" style="position:fixed;bottom:60px;{side}:10px;z-index:1000;'
            "background:rgba(255,255,255,.92);padding:6px 10px;border-radius:4px;font:12px "
            f'sans-serif"><b>{escape(title, template=True)}</b>{rows}{note_html}</div>'
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


def _blank(value: Any) -> bool:
    """Return True for a missing value (None, NaN, ``pd.NA``)."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def add_legend(
    m: folium.Map, title: str, items: list[tuple[str, str]], note: str = "", side: str = "left"
) -> None:
    """Add a legend to a map: a title, colour swatches with labels and a note (all escaped)."""
    _add_legend(m, title, items, note, side)


def add_context_roads(m: folium.Map, net: RoadNetwork) -> None:
    """Draw a network's roads as a quiet grey background (for maps without a basemap)."""
    _add_context_roads(m, net)


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
