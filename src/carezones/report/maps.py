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
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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
    from carezones.network.basemap import Basemap
    from carezones.network.data import Provenance

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


TILES = ("offline", "osm")
"""What a map is drawn on: ``"offline"`` (the default), a base drawn from the network's own OSM
file (roads, water, place names) that needs no internet; ``"osm"``, OpenStreetMap's online
tiles (each map then asks tile.openstreetmap.org for them when it is opened)."""

# what maps are drawn on unless told (see map_tiles); a context variable, so that threads and
# asyncio tasks (a notebook's) each keep their own choice
_tiles: ContextVar[str] = ContextVar("carezones_map_tiles", default="offline")


@contextmanager
def map_tiles(tiles: str) -> Iterator[None]:
    """Draw every map made inside the ``with`` block on ``tiles`` (one of :data:`TILES`).

    The command line's ``--tiles osm`` is this around the command. A synthetic county never
    gets online tiles (its invented roads would be drawn over a real place).

    Parameters
    ----------
    tiles : {"offline", "osm"}
        The base of every map drawn meanwhile.

    Yields
    ------
    None
        Nothing: the maps drawn inside the block use ``tiles``.

    Raises
    ------
    ValueError
        When ``tiles`` is not one of :data:`TILES`.

    Examples
    --------
    >>> with map_tiles("osm"):
    ...     m = base_map(net)  # the synthetic county: never online tiles
    >>> "tile.openstreetmap.org" in m.get_root().render()
    False
    >>> with map_tiles("google"):
    ...     pass
    Traceback (most recent call last):
    ValueError: tiles must be one of 'offline', 'osm', got 'google'
    """
    token = _tiles.set(_check_tiles(tiles))
    try:
        yield
    finally:
        _tiles.reset(token)


def _check_tiles(tiles: str | None) -> str:
    tiles = _tiles.get() if tiles is None else tiles
    if tiles not in TILES:
        raise ValueError(f"tiles must be one of {', '.join(map(repr, TILES))}, got {tiles!r}")
    return tiles


def base_map(
    net: RoadNetwork,
    *,
    synthetic: bool | None = None,
    title: str = "",
    offline: bool = True,
    tiles: str | None = None,
) -> folium.Map:
    """Return an empty map framed on the network, with its base and the OSM attribution.

    The base is drawn from the OSM file the network was loaded from (its main and minor roads,
    water and the names of its towns, villages and hamlets; see
    :func:`~carezones.network.basemap.load_basemap`), so the map shows where it is with no
    internet; a network read from GraphML gets its own roads in grey instead. ``tiles="osm"``
    (or :func:`map_tiles`) draws OpenStreetMap's online tiles instead, except on a synthetic
    network, whose invented roads are never drawn over a real place; a synthetic network's map
    carries a "SYNTHETIC DATA" banner. With ``offline`` (the default) Leaflet's JavaScript and
    CSS are written into the HTML file itself, so the map works with no internet;
    ``offline=False`` links them from a CDN instead (smaller files).
    """
    if synthetic is None:
        synthetic = net.provenance.synthetic
    m = _frame(
        net.bounds,
        net.provenance.attribution,
        synthetic,
        title,
        offline,
        source=net.provenance,
        tiles=tiles,
    )
    if not synthetic and not _has_base(m):  # no OSM file to draw a base from: its own roads
        _add_context_roads(m, net)
    return m


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

    if vars(m).get("cz_base_roads"):  # the base already draws them
        return
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
    css = _inline_images(css)
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


def _inline_images(css: str) -> str:
    """Return Leaflet's CSS with its images (the layer control's icon) written into it.

    Linked, they would be looked for beside the HTML file, and the collapsed layer control
    would be an empty white box.
    """
    import base64
    from importlib.util import find_spec
    from pathlib import Path

    spec = find_spec("js_lib_leaflet")
    assert spec is not None and spec.origin is not None  # _leaflet_assets found it
    images = Path(spec.origin).parent / "static" / "js_lib_leaflet" / "images"
    for name in ("layers.png", "layers-2x.png", "marker-icon.png"):
        if (images / name).exists():
            data = base64.b64encode((images / name).read_bytes()).decode("ascii")
            css = css.replace(f"url(images/{name})", f"url(data:image/png;base64,{data})")
    return css


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
    *,
    source: Provenance | None = None,
    tiles: str | None = None,
) -> folium.Map:
    """Return an empty map over ``bounds`` (lon/lat) with attribution, banner and base.

    The base is the offline one drawn from ``source`` (a network's provenance: its OSM file),
    or OpenStreetMap's tiles when ``tiles`` (by default :func:`map_tiles`' choice) is
    ``"osm"`` and the data are real.
    """
    import folium

    tiles = _check_tiles(tiles)
    lo, la, hi, ha = bounds
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=True)
    if offline:
        inline_assets(m)
    if tiles == "osm" and not synthetic:  # the tiles' own attribution credits OpenStreetMap
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles", control=True).add_to(m)
        if attribution != ATTRIBUTION:
            _add_attribution(m, attribution)
    else:
        if source is not None:
            from carezones.network.basemap import load_basemap

            base = load_basemap(source)
            if base is not None:
                add_base(m, base)
        _add_attribution(m, attribution)
    m.fit_bounds([[la, lo], [ha, hi]])
    label = "SYNTHETIC DATA - not a real place. " if synthetic else ""
    if title or synthetic:
        _add_banner(m, f"{label}{title}")
    return m


# ---------------------------------------------------------------------- the offline base
BASE_ROADS: dict[str, tuple[str, float]] = {
    "living_street": ("#d6d2cb", 0.8),
    "residential": ("#d6d2cb", 0.8),
    "unclassified": ("#ccc6bd", 1.0),
    "tertiary": ("#b9b2a7", 1.6),
    "secondary": ("#e0c489", 2.2),
    "primary": ("#e5ab84", 2.8),
    "trunk": ("#d99a8c", 3.2),
    "motorway": ("#cf8a8f", 3.6),
}
"""The offline base's roads, minor first (drawn first): quiet colours, and a width in pixels."""

WATER = "#aad3df"
"""The colour of water on the offline base (OpenStreetMap's)."""

_BASE_CSS = """<style>
.leaflet-container{background:#f2efe9}
.cz-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;
 font:11px sans-serif;color:#333;pointer-events:none;
 text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 2px #fff,0 0 1px #fff}
.cz-city span,.cz-town span{font-size:15px;font-weight:bold;color:#222}
.cz-zone span{font-size:13px;font-weight:bold;color:#111}
.cz-village,.cz-suburb,.cz-hamlet{display:none}
.cz-z11 .cz-village,.cz-z11 .cz-suburb,.cz-z13 .cz-hamlet{display:block}
</style>"""

_BASE_JS = """function czPane(map, name, z) {
  if (!map.getPane(name)) {
    var p = map.createPane(name); p.style.zIndex = z; p.style.pointerEvents = 'none';
  }
  return name;
}
function czLine(a) {
  var out = [], x = 0, y = 0;
  for (var i = 0; i < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([y / 1e5, x / 1e5]); }
  return out;
}
function czLabels(map, group, labels) {
  czPane(map, 'czlabels', 450);
  var above = {zone: 3000, city: 2000, town: 2000, suburb: 1000, village: 1000};
  labels.forEach(function(p) {
    L.marker([p[3], p[2]], {pane: 'czlabels', interactive: false, keyboard: false,
      zIndexOffset: above[p[1]] || 0,
      icon: L.divIcon({className: 'cz-label cz-' + p[1], html: '<span>' + p[0] + '</span>',
                       iconSize: null})}).addTo(group);
  });
  function zoomed() {
    var z = map.getZoom(), c = map.getContainer().classList;
    c.toggle('cz-z11', z >= 11); c.toggle('cz-z13', z >= 13);
  }
  map.on('zoomend', zoomed); map.whenReady(zoomed);
}
function czBase(map, group, d) {
  var o = {pane: czPane(map, 'czbase', 250), interactive: false};
  o.renderer = L.svg({pane: 'czbase'});
  function opts(extra) { return Object.assign({}, o, extra); }
  if (d.water) L.polygon(d.water.map(function(p) { return p.map(czLine); }),
    opts({stroke: false, fillColor: d.blue, fillOpacity: 1})).addTo(group);
  if (d.rivers) L.polyline(d.rivers.map(czLine),
    opts({color: d.blue, weight: 1.5, opacity: 1})).addTo(group);
  d.roads.forEach(function(r) {
    L.polyline(r[2].map(czLine), opts({color: r[0], weight: r[1], opacity: 1})).addTo(group);
  });
  czLabels(map, group, d.places);
}
"""


def _encode_lines(geometry: dict[str, Any]) -> list[list[int]]:
    """Return a GeoJSON line's or polygon's rings as delta-coded integers (1e-5 degrees)."""
    kind, coords = geometry["type"], geometry["coordinates"]
    if kind == "LineString" or kind == "Point":
        lines = [coords] if kind == "LineString" else []
    elif kind in ("MultiLineString", "Polygon"):
        lines = coords
    elif kind == "GeometryCollection":
        return [
            line
            for g in geometry["geometries"]
            if g["type"] in ("LineString", "MultiLineString")
            for line in _encode_lines(g)
        ]
    else:
        raise ValueError(f"not a line: {kind}")
    out = []
    for line in lines:
        flat, px, py = [], 0, 0
        for x, y, *_ in line:
            ix, iy = round(x * 1e5), round(y * 1e5)
            flat += [ix - px, iy - py]
            px, py = ix, iy
        out.append(flat)
    return out


def _encode_polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    kind = geometry["type"]
    if kind == "Polygon":
        return [_encode_lines(geometry)]
    if kind == "MultiPolygon":
        return [
            _encode_lines({"type": "Polygon", "coordinates": p}) for p in geometry["coordinates"]
        ]
    if kind == "GeometryCollection":
        return [
            p
            for g in geometry["geometries"]
            if g["type"] in ("Polygon", "MultiPolygon")
            for p in _encode_polygons(g)
        ]
    return []


def _add_script(m: folium.Map, name: str, script: str) -> None:
    """Add a script to the page as it is (not through Jinja2): the shared helpers once."""
    from branca.element import Element, MacroElement

    shared, own = Element(), Element()
    vars(shared).update(_template=_Verbatim(_BASE_JS))
    vars(own).update(_template=_Verbatim(script))
    el = MacroElement()
    el._name = name

    def render(**kwargs: Any) -> None:
        root: Any = el.get_root()
        root.header.add_child(_css_element(), name="cz_base_css")
        root.script.add_child(shared, name="cz_base_js")
        root.script.add_child(own, name=el.get_name())

    vars(el).update(render=render)
    m.add_child(el)


def _css_element() -> Any:
    from branca.element import Element

    return Element(_BASE_CSS)


def _has_base(m: folium.Map) -> bool:
    return bool(vars(m).get("cz_base_roads"))


def add_base(m: folium.Map, base: Basemap) -> None:
    """Draw an offline base under a map's data: roads, water and place names, one layer.

    The roads and water go in a pane below the data (drawn as a few SVG paths); the names of
    towns (always), villages (from zoom 11) and hamlets (from zoom 13) are text above the data,
    which lets clicks through. The layer control can hide the base ("Base map").

    Parameters
    ----------
    m : folium.Map
        The map.
    base : Basemap
        From :func:`~carezones.network.basemap.load_basemap`.

    Examples
    --------
    >>> import folium
    >>> from carezones.network.basemap import load_basemap
    >>> m = folium.Map(tiles=None)
    >>> add_base(m, load_basemap(county.osm_path))
    >>> page = m.get_root().render()
    >>> page.count("function czBase("), "Lythwick" in page
    (1, True)
    """
    import folium

    group = folium.FeatureGroup(name="Base map", show=True)
    group.add_to(m)
    roads = [
        [colour, weight, _encode_lines(base.roads[hw])]
        for hw, (colour, weight) in BASE_ROADS.items()
        if hw in base.roads
    ]
    data = {
        "blue": WATER,
        "water": _encode_polygons(base.water) if base.water else None,
        "rivers": _encode_lines(base.rivers) if base.rivers else None,
        "roads": roads,
        "places": [  # towns last: drawn over the villages' names
            [escape(p.name, template=True), p.kind, p.lon, p.lat] for p in reversed(base.places)
        ],
    }
    text = json.dumps(data, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    _add_script(m, "Base", f"czBase({m.get_name()}, {group.get_name()}, {text});\n")
    vars(m)["cz_base_roads"] = bool(roads)


def add_zone_labels(m: folium.Map, parent: Any, zones: gpd.GeoDataFrame) -> None:
    """Write each zone's name at a point inside its polygon (shapely's ``point_on_surface``).

    The point is the polygon's own (never a client's location or a centre found from
    clients); the text is above the data and lets clicks through.

    Parameters
    ----------
    m : folium.Map
        The map.
    parent : folium.FeatureGroup or folium.Map
        The layer the labels belong to (hidden with it).
    zones : geopandas.GeoDataFrame
        ``zone_id`` and a polygon per zone, in EPSG:4326.

    Examples
    --------
    >>> import folium
    >>> m = folium.Map(tiles=None)
    >>> add_zone_labels(m, m, zone_plan.zones)
    >>> m.get_root().render().count("Zone 1")
    1
    """
    points = shapely.point_on_surface(zones.to_crs("EPSG:4326").geometry.to_numpy())
    labels = [
        [escape(f"Zone {z}", template=True), "zone", round(p.x, 5), round(p.y, 5)]
        for z, p in zip(zones["zone_id"], points, strict=True)
        if p is not None and not p.is_empty
    ]
    text = json.dumps(labels, separators=(",", ":"), allow_nan=False).replace("</", "<\\/")
    _add_script(m, "ZoneLabels", f"czLabels({m.get_name()}, {parent.get_name()}, {text});\n")
