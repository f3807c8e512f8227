"""Maps of county plans: zones coloured by travel per hour of care, and where travel costs.

Drawn with the helpers of :mod:`carezones.maps`; every value from a user's file is escaped, and
demand is shown only as hexagons of five or more clients.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd
import shapely

from carezones.maps import add_context_roads, add_legend, base_map, escape, hexbin

if TYPE_CHECKING:
    import folium

__all__ = ["COST_CLASSES", "MARGINAL_CLASSES", "county_map"]


# ---------------------------------------------------------------------- county plans
COST_CLASSES = [  # (lower bound of travel minutes per care hour, colour): light to dark
    (0.0, "#fee5d9"),
    (5.0, "#fcae91"),
    (10.0, "#fb6a4a"),
    (20.0, "#de2d26"),
    (40.0, "#a50f15"),
]
MARGINAL_CLASSES = [  # (lower bound of marginal travel minutes per visit, colour)
    (0.0, "#f2f0f7"),
    (2.0, "#cbc9e2"),
    (5.0, "#9e9ac8"),
    (10.0, "#756bb1"),
    (20.0, "#54278f"),
]


def _cost_colour(value: float, classes: list[tuple[float, str]] = COST_CLASSES) -> str:
    colour = classes[0][1]
    for lo, c in classes:
        if value >= lo:
            colour = c
    return colour


def county_map(
    plan: Any,
    *,
    marginal: pd.DataFrame | None = None,
    offline: bool = True,
    hex_m: float = 1500.0,
    min_cell_clients: int = 5,
) -> folium.Map:
    """Draw a design's day: zones coloured by travel per care hour, and where travel costs.

    Zones (when the design has polygons) carry their numbers in tooltips; zones of fewer than
    five clients show no numbers. ``marginal`` (:func:`carezones.county.costs.marginal_travel`)
    adds hexagons of five or more clients coloured by their visits' mean marginal travel:
    never a client's location.
    """
    import folium

    net = plan.network
    title = f"{plan.name}: travel per hour of care"
    m = base_map(net, title=title, offline=offline)
    if net.provenance.synthetic:
        add_context_roads(m, net)
    polys = plan.design.polygons
    if polys is not None:
        layer = folium.FeatureGroup(name="Zones", show=True)
        stats = plan.zones.set_index("zone")
        for zone, geom in zip(polys["zone_id"], polys.geometry, strict=True):
            if geom is None or geom.is_empty or zone not in stats.index:
                continue
            s = stats.loc[zone]
            shown = int(s["clients"]) >= min_cell_clients
            tpch = float(s["travel_minutes_per_care_hour"])
            if shown:
                tip = (
                    f"Zone {escape(zone)}: {int(s['clients'])} clients, "
                    f"{float(s['care_hours']):.0f} h of care today, {tpch:.1f} travel min "
                    f"per care hour, {int(s['carers'])} carers"
                )
            else:
                tip = f"Zone {escape(zone)}: fewer than {min_cell_clients} clients, not shown"
            fill = _cost_colour(tpch if shown else 0.0)
            style = {"color": "#34495e", "weight": 1.5, "fillColor": fill, "fillOpacity": 0.55}
            folium.GeoJson(
                shapely.geometry.mapping(geom),
                style_function=lambda _f, st=style: st,
                tooltip=tip,
            ).add_to(layer)
        layer.add_to(m)
    if marginal is not None and len(marginal):
        per_client = marginal.groupby("client_id").agg(
            lon=("lon", "first"),
            lat=("lat", "first"),
            minutes=("marginal_minutes", "sum"),
            visits=("marginal_minutes", "size"),
        )
        import geopandas as gpd

        pts = gpd.GeoDataFrame(
            {"hours_per_week": per_client["minutes"].to_numpy()},  # summed per hexagon
            geometry=gpd.points_from_xy(per_client["lon"], per_client["lat"]),
            crs=4326,
        )
        hexes, hidden = hexbin(pts, net.crs, hex_m=hex_m, min_count=min_cell_clients)
        visits = pts.assign(hours_per_week=per_client["visits"].to_numpy())
        counts, _ = hexbin(visits, net.crs, hex_m=hex_m, min_count=min_cell_clients)
        costs = folium.FeatureGroup(name="Marginal travel (5+ clients a cell)", show=True)
        for row, n_visits in zip(
            hexes.itertuples(index=False), counts["hours_per_week"], strict=True
        ):
            per_visit = float(row.hours_per_week) / max(float(n_visits), 1.0)
            folium.Polygon(
                locations=[(y, x) for x, y in row.geometry.exterior.coords],
                color="#2c3e50",
                weight=1,
                fill=True,
                fill_color=_cost_colour(per_visit, MARGINAL_CLASSES),
                fill_opacity=0.7,
                tooltip=f"{int(row.clients)} clients: {per_visit:.1f} min of travel each visit "
                "adds to its round (mean)",
            ).add_to(costs)
        costs.add_to(m)
        note = (
            f"Hexagons of {hex_m / 1000:.1f} km with {min_cell_clients} or more clients; "
            f"{hidden} client(s) in smaller cells are not shown."
        )
        add_legend(
            m,
            "Travel each visit adds",
            [(c, f">= {lo:g} min a visit (mean)") for lo, c in MARGINAL_CLASSES],
            note,
        )
    if polys is not None:
        add_legend(
            m,
            "Zones: travel per care hour",
            [(c, f">= {lo:g} min") for lo, c in COST_CLASSES],
            side="right",
        )
    folium.LayerControl(collapsed=False).add_to(m)
    return m
