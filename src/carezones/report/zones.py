"""What a zone plan shows: its map, its card in a notebook and its files.

:func:`zone_card` is the plan's card in a notebook (numbers and the zones' outlines, no
client); :func:`write_zone_plan` writes ``zones.gpkg`` (zones, centres, assignments and, with units,
the units' layer), ``zones.csv``, ``assignments.csv``, ``summary.md``/``.json`` and
``zones.html`` (:func:`zones_map`) into one folder, whole or not at all; no file carries a
client's location unless asked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.io._cells import PathLike
from carezones.privacy import MIN_GROUP
from carezones.report._write import output_folder, plain, write_csv
from carezones.report.html import escape, html_card, svg_thumbnail
from carezones.report.maps import (
    OWN_USE,
    ZONE_COLOURS,
    _add_legend,
    _blank,
    _frame,
    add_clients,
    add_zone_labels,
)
from carezones.report.markdown import escape_markdown, markdown_block, markdown_table

if TYPE_CHECKING:
    import folium

    from carezones.zones import ZonePlan


WITHHELD = (
    f"withheld (fewer than {MIN_GROUP} clients, or withheld with such a zone so that neither "
    "can be worked out from the totals)"
)


def zone_card(plan: ZonePlan) -> str:
    """Return a zone plan's card for a notebook: its numbers, zones and outlines (no client).

    Parameters
    ----------
    plan : carezones.ZonePlan
        The plan.

    Returns
    -------
    str
        The card's HTML.

    Examples
    --------
    >>> "Zone plan" in zone_card(zone_plan)
    True
    """
    m = plan.kpis
    dev = pd.to_numeric(plan.zones["deviation"], errors="coerce").abs()
    rows = [
        ("zones", m["n_zones"]),
        ("clients", m["clients"]),
        ("hours a week", m["hours_per_week"]),
        ("worst deviation", f"{m['worst_deviation']:+.1%}"),
        ("mean deviation", "n/a" if dev.isna().all() else f"{dev.mean():.1%}"),
        ("balanced (±" + f"{m['tolerance']:.0%})", "yes" if m["balanced"] else "NO"),
        ("mean min to centre", m["mean_minutes_to_centre"]),
        ("p90 min to centre", m["p90_minutes_to_centre"]),
        ("mean min client to client", m["mean_within_minutes"]),
        ("every zone one piece", "yes" if m["contiguous"] else "NO"),
        ("clients not zoned", len(plan.unassigned)),
    ]
    cols = [
        "zone_id",
        "clients",
        "hours_per_week",
        "deviation",
        "mean_minutes_to_centre",
        "area_km2",
    ]
    colours = [ZONE_COLOURS[i % len(ZONE_COLOURS)] for i in range(len(plan.zones))]
    thumb = svg_thumbnail(list(plan.zones.geometry), colours, size=160)
    return html_card(
        "Zone plan",
        rows,
        table=_card_table(pd.DataFrame(plan.zones[cols])),
        note=plan.attribution,
        thumbnail=thumb,
    )


def _card_table(zones: pd.DataFrame) -> pd.DataFrame:
    """Return the card's zone table, each zone's deviation from the mean in percent."""
    dev = pd.to_numeric(zones["deviation"], errors="coerce")
    shown = [f"{d:+.1%}" if pd.notna(d) else "n/a" for d in dev]
    return zones.assign(deviation=shown).rename(columns={"deviation": "from the mean"})


def zones_map(
    plan: ZonePlan,
    *,
    clients: gpd.GeoDataFrame | None = None,
    show_client_points: bool = False,
    offline: bool = True,
    title: str = "Home-care zones",
) -> folium.Map:
    """Draw a zone plan: zones coloured, their statistics in tooltips, a legend, centres.

    Centres are road junctions (never a client's home); a zone whose figures are withheld
    (fewer than 5 clients, or withheld with such a zone) shows no figures and no centre.
    Clients appear only when ``clients`` is given: as hexagons of 5 or more clients (their
    counts and hours), and with ``show_client_points=True`` each client's location too, the
    page then marked at its top as for the user's own use
    (:data:`~carezones.report.maps.OWN_USE`).
    """
    import folium
    import geopandas as gpd

    zones = plan.zones
    lo, la, hi, ha = (float(v) for v in zones.total_bounds)
    points = show_client_points and clients is not None and len(clients) > 0
    if points:
        title = f"{title} — {OWN_USE}" if title else OWN_USE
    m = _frame(
        (lo, la, hi, ha),
        plan.attribution,
        plan.synthetic,
        title,
        offline,
        source=plan.provenance,
    )
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
        text[col] = [WITHHELD if _blank(v) else escape(v, template=True) for v in data[col]]
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
            name=escape(f"Zone {row.zone_id}", template=True),
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
            tooltip=escape(f"Centre of zone {row.zone_id} (a road junction)", template=True),
        ).add_to(layer)
    layer.add_to(m)
    add_zone_labels(m, layer, zones)
    if clients is not None and len(clients):
        add_clients(m, plan.crs, clients, show_client_points=show_client_points, zones_drawn=True)
    items = [
        (
            ZONE_COLOURS[i % len(ZONE_COLOURS)],
            f"zone {r.zone_id}: "
            + ("withheld" if _blank(r.hours_per_week) else f"{float(r.hours_per_week):,.0f} h"),
        )
        for i, r in enumerate(zones.itertuples(index=False))
    ]
    met = plan.kpis
    note = (
        f"Worst zone {met['worst_deviation']:+.1%} from the mean "
        f"(tolerance ±{met['tolerance']:.0%}); mean {met['mean_minutes_to_centre']:.1f} min "
        "from the zone centre (a road junction)."
    )
    if withheld.any():
        note += f" {int(withheld.sum())} zone(s) {WITHHELD}."
    _add_legend(m, "Zones", items, note)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def write_zone_plan(
    plan: ZonePlan,
    out_dir: PathLike,
    *,
    clients: gpd.GeoDataFrame | None = None,
    offline: bool = True,
    show_client_points: bool = False,
) -> list[Path]:
    """Write a zone plan's files; return their paths.

    ``assignments.csv`` (client_id, zone_id, hours_per_week, minutes_to_centre,
    far_from_road), ``unassigned.csv`` (client_id, source_row, reason), ``zones.gpkg`` (layer
    ``zones``), ``zones.html`` (the map; clients as hexagons of 5 or more), ``summary.json``,
    ``summary.md`` and, for zones made of units, ``units.csv`` (unit_id, zone_id, clients,
    hours_per_week).

    The zones, units, map and summaries hold no client's location (unless
    ``show_client_points``), and (unless the plan was built with ``show_clients=True``) no
    figure of a zone or unit of fewer than 5 clients, nor one that could be worked out from the
    published figures and totals: they can be shared. The assignments and unassigned clients
    list clients by id: they are for the council's own use.

    Parameters
    ----------
    plan : carezones.ZonePlan
        The zones to write.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    clients : geopandas.GeoDataFrame, optional
        The clients, drawn on the map as hexagons of 5 or more clients.
    offline : bool, default True
        Write Leaflet's JavaScript and CSS into the map, so it works with no internet
        (``False``: link them from a CDN).
    show_client_points : bool, default False
        Also draw each client's location, id and hours on the map: the map and the summary
        then say that they are for the council's own use (they carry personal data).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above.

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import write_zone_plan
    >>> files = write_zone_plan(zone_plan, tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files))
    assignments.csv summary.json summary.md unassigned.csv zones.gpkg zones.html
    """
    p = plan
    names = [
        "assignments.csv",
        "unassigned.csv",
        "zones.gpkg",
        "zones.html",
        "summary.json",
        "summary.md",
    ]
    if p.units is not None:
        names.append("units.csv")
    with output_folder(out_dir) as tmp:
        paths = [tmp / n for n in names]
        write_csv(p.assignments, paths[0], index=False)
        write_csv(p.unassigned, paths[1], index=False)
        p.zones.to_file(paths[2], layer="zones", driver="GPKG")
        points = show_client_points and clients is not None and len(clients) > 0
        zones_map(p, clients=clients, show_client_points=points, offline=offline).save(
            str(paths[3])
        )
        kpis = dict(p.kpis)
        kpis["map_shows_client_points"] = points
        kpis["zones"] = p.zones.drop(columns="geometry").to_dict(orient="records")
        paths[4].write_text(json.dumps(plain(kpis), indent=2) + "\n")
        paths[5].write_text(_zone_markdown(p, points))
        if p.units is not None:
            write_csv(p.units, paths[6], index=False)
    return [Path(out_dir) / n for n in names]


def _cell(v: object) -> str:
    """Return a zone table's cell for ``summary.md``: blank is withheld, text escaped."""
    if v is pd.NA or (isinstance(v, float) and v != v):
        return "withheld"
    return f"{v}" if isinstance(v, int | float) else escape_markdown(v)


def _zone_markdown(p: ZonePlan, points: bool = False) -> str:
    """Return ``summary.md``: the summary, then one row per zone (blank: withheld)."""
    table = p.zones.drop(columns="geometry")
    lines = ["# Home-care zones", ""]
    if points:
        lines += [f"**{OWN_USE}**: zones.html draws each client's location (not for sharing).", ""]
    lines += [markdown_block(p.summary()), "", markdown_table(table, _cell)]
    lines += [
        "",
        f"A zone of fewer than {MIN_GROUP} clients has its figures and centre withheld, and so "
        "has the smallest other zone, so that subtracting the published zones from the totals "
        "does not give it away (with units, units are withheld the same way). "
        "assignments.csv and unassigned.csv list clients by id: they are for the council's own "
        "use, not for sharing.",
    ]
    return "\n".join(lines) + "\n"
