"""The one escaper, and how results show themselves in Jupyter: cards of numbers, thumbnails.

Every result object's ``_repr_html_`` builds on :func:`html_card`. The cards carry numbers and,
where cheap, an SVG thumbnail of areas (zones, a network's outline); never a client's location.
Every value is escaped.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd
    import shapely

__all__ = ["escape", "html_card", "svg_sites", "svg_thumbnail"]

_STYLE = (
    "font:13px sans-serif;border:1px solid #ccc;border-radius:6px;padding:6px 10px;"
    "display:inline-block;max-width:720px"
)


def _value(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def html_card(
    title: str,
    rows: Sequence[tuple[str, object]],
    *,
    note: str = "",
    thumbnail: str = "",
    table: pd.DataFrame | None = None,
    max_rows: int = 12,
) -> str:
    """Return an HTML card: a title, label/value rows, an optional table and thumbnail.

    Parameters
    ----------
    title : str
        What the object is.
    rows : sequence of (label, value)
        The headline numbers.
    note : str, optional
        A line under the numbers (e.g. the attribution).
    thumbnail : str, optional
        Trusted SVG markup (from :func:`svg_thumbnail`), shown beside the numbers.
    table : pandas.DataFrame, optional
        A table shown below (its first ``max_rows`` rows).
    max_rows : int, default 12
        Rows of ``table`` shown.

    Returns
    -------
    str
        The HTML.

    Examples
    --------
    >>> card = html_card("Zones", [("zones", 8), ("worst deviation", 0.044)])
    >>> card[:40]
    '<div class="cz-card" style="font:13px sa'
    >>> "<td style='text-align:right'>0.04</td>" in card  # numbers are rounded for reading
    True
    >>> "&lt;b&gt;" in html_card("<b>", [])  # every value is escaped
    True
    """
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:12px'>{escape(str(k))}</th>"
        f"<td style='text-align:right'>{escape(_value(v))}</td></tr>"
        for k, v in rows
    )
    extra = ""
    if table is not None and len(table):
        shown = table.head(max_rows)
        extra = shown.to_html(
            index=False, float_format=lambda x: f"{x:,.2f}", border=0, escape=True
        )
        if len(table) > max_rows:
            extra += f"<div>... and {len(table) - max_rows:,} more rows</div>"
    thumb = f"<div style='margin-left:12px'>{thumbnail}</div>" if thumbnail else ""
    note_html = f"<div style='color:#555;margin-top:4px'>{escape(note)}</div>" if note else ""
    return (
        f'<div class="cz-card" style="{_STYLE}"><b>{escape(title)}</b>'
        f"<div style='display:flex;align-items:flex-start'><table>{body}</table>{thumb}</div>"
        f"{extra}{note_html}</div>"
    )


def svg_thumbnail(
    geoms: Sequence[shapely.Geometry], colours: Sequence[str] | None = None, size: int = 180
) -> str:
    """Return a small SVG of polygons (WGS84), each filled with its colour.

    Parameters
    ----------
    geoms : sequence of shapely geometries
        Areas to draw (zones, an outline); lon/lat.
    colours : sequence of str, optional
        One fill colour per geometry.
    size : int, default 180
        Width and height in pixels.

    Returns
    -------
    str
        SVG markup (empty when there is nothing to draw).

    Examples
    --------
    >>> import shapely
    >>> svg = svg_thumbnail([shapely.box(1.55, 54.38, 1.60, 54.42)], ["#fdae6b"], size=60)
    >>> svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="60"'), svg.count("<polygon")
    (True, 1)
    >>> svg_thumbnail([])
    ''
    """
    import math

    import shapely

    shapes = [g for g in geoms if g is not None and not g.is_empty]
    if not shapes:
        return ""
    lo, la, hi, ha = shapely.total_bounds(shapes)
    k = math.cos(math.radians((la + ha) / 2))  # lon degrees are shorter away from the equator
    w, h = max((hi - lo) * k, 1e-9), max(ha - la, 1e-9)
    scale = (size - 8) / max(w, h)
    paths = []
    fills = list(colours) if colours is not None else ["#9ecae1"] * len(shapes)
    for g, fill in zip(shapes, fills, strict=False):
        polys = getattr(g, "geoms", [g])
        for p in polys:
            if p.geom_type != "Polygon":
                continue
            pts = " ".join(
                f"{4 + (x - lo) * k * scale:.1f},{4 + (ha - y) * scale:.1f}"
                for x, y in p.exterior.coords
            )
            paths.append(
                f'<polygon points="{pts}" fill="{escape(fill)}" stroke="#333" '
                'stroke-width="0.6" fill-opacity="0.7"/>'
            )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        + "".join(paths)
        + "</svg>"
    )


def svg_sites(
    area: shapely.Geometry | None,
    sites: Sequence[tuple[float, float]],
    colours: Sequence[str] | None = None,
    size: int = 160,
) -> str:
    """Return a small SVG of an area's outline with sites drawn as dots (WGS84).

    For places that are not anyone's home (candidate sites, chosen schemes): never pass
    clients' locations.

    Parameters
    ----------
    area : shapely geometry or None
        The outline (e.g. a network's area), drawn grey; the frame fits it and the sites.
    sites : sequence of (lon, lat)
        The sites, drawn in order (the last on top).
    colours : sequence of str, optional
        One colour per site (default: orange).
    size : int, default 160
        Width and height in pixels.

    Returns
    -------
    str
        SVG markup (empty when there is nothing to draw).

    Examples
    --------
    >>> import shapely
    >>> svg = svg_sites(shapely.box(1.55, 54.38, 1.60, 54.42), [(1.57, 54.40)], size=60)
    >>> svg.count("<circle"), svg.count("<polygon")
    (1, 1)
    >>> svg_sites(None, [])
    ''
    """
    import math

    import numpy as np
    import shapely

    pts = np.asarray(sites, dtype=float).reshape(-1, 2)
    ok = np.isfinite(pts).all(axis=1)
    fills = [c for c, keep in zip(colours or ["#e6550d"] * len(pts), ok, strict=False) if keep]
    pts = pts[ok]
    outline = area if area is not None and not area.is_empty else None
    parts = [shapely.multipoints(pts)] if len(pts) else []
    parts += [outline] if outline is not None else []
    if not parts:
        return ""
    lo, la, hi, ha = shapely.total_bounds(parts)
    k = math.cos(math.radians((la + ha) / 2))
    scale = (size - 12) / max((hi - lo) * k, ha - la, 1e-9)

    def xy(x: float, y: float) -> str:
        return f"{6 + (x - lo) * k * scale:.1f},{6 + (ha - y) * scale:.1f}"

    out = []
    for p in getattr(outline, "geoms", [outline] if outline is not None else []):
        if p.geom_type == "Polygon":
            ring = " ".join(xy(x, y) for x, y in p.exterior.coords)
            out.append(
                f'<polygon points="{ring}" fill="#eeeeee" stroke="#999" stroke-width="0.6"/>'
            )
    for (x, y), fill in zip(pts, fills, strict=False):
        cx, cy = xy(x, y).split(",")
        out.append(
            f'<circle cx="{cx}" cy="{cy}" r="3.5" fill="{escape(fill)}" '
            'stroke="#333" stroke-width="0.6"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        + "".join(out)
        + "</svg>"
    )


def escape(value: object, *, template: bool = False) -> str:
    """Return ``value`` as HTML-escaped text (quotes too), safe in an element or an attribute.

    The one escaper of every page, card, map and run sheet carezones writes.

    Parameters
    ----------
    value : object
        Any value; ``None`` and NaN give the empty text.
    template : bool
        Also neutralise template syntax (``{``, ``}``, ``%`` become HTML entities, which
        browsers show as the same characters). folium renders tooltips and element text
        through Jinja2, so a value like ``{{ 7*7 }}`` from a user's file would otherwise be
        evaluated (and could run code): every value a map shows passes ``template=True``.

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> escape('<b title="x">')
    '&lt;b title=&quot;x&quot;&gt;'
    >>> escape("{{ 7*7 }} 5%", template=True)
    '&#123;&#123; 7*7 &#125;&#125; 5&#37;'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = html.escape(str(value), quote=True)
    if template:
        text = text.replace("{", "&#123;").replace("}", "&#125;").replace("%", "&#37;")
    return text
