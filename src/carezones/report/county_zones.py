"""A design's zones drawn and published: colours by travel per care hour, zones withheld.

Shared by the county's maps (:mod:`carezones.report.county`) and the map of zones and chosen
sites (:mod:`carezones.report.county_sites`). A zone of fewer than five clients, and the
smallest other zones with it (:func:`withheld_zones`), shows no numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.privacy import MIN_GROUP, suppress
from carezones.report.html import escape

if TYPE_CHECKING:
    import folium

    from carezones.county import CountyPlan

__all__ = ["COST_CLASSES", "MARGINAL_CLASSES", "withheld_zones"]


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


def _zones_layer(
    plan: CountyPlan, name: str, min_cell_clients: int, *, show: bool
) -> folium.FeatureGroup:
    """Return a layer of the design's zones, coloured by travel per care hour."""
    import folium

    layer = folium.FeatureGroup(name=name, show=show)
    polys = plan.design.polygons
    if polys is None:
        return layer
    stats = plan.zones.assign(withheld=withheld_zones(plan.zones, min_cell_clients))
    stats = stats.set_index("zone")
    for zone, geom in zip(polys["zone_id"], polys.geometry, strict=True):
        if geom is None or geom.is_empty or zone not in stats.index:
            continue
        s = stats.loc[zone]
        shown = not bool(s["withheld"])
        tpch = float(s["travel_minutes_per_care_hour"])
        if shown:
            tip = (
                f"Zone {escape(zone, template=True)}: {int(s['clients'])} clients, "
                f"{float(s['care_hours']):.0f} h of care today, {tpch:.1f} travel min "
                f"per care hour, {int(s['carers'])} carers"
            )
        else:
            label = escape(zone, template=True)
            tip = f"Zone {label}: numbers not shown ({_why(min_cell_clients)})"
        fill = _cost_colour(tpch if shown else 0.0)
        style = {"color": "#34495e", "weight": 1.5, "fillColor": fill, "fillOpacity": 0.55}
        folium.GeoJson(
            shapely.geometry.mapping(geom),
            style_function=lambda _f, st=style: st,
            tooltip=tip,
        ).add_to(layer)
    return layer


def withheld_zones(zones: pd.DataFrame, min_group: int = MIN_GROUP) -> npt.NDArray[np.bool_]:
    """Return the zones of a design whose numbers are not shown.

    A zone of fewer than ``min_group`` clients, and the smallest other zones with it, so that
    the design's totals (``designs.csv``, its summary) less the zones shown do not give it away
    (:func:`carezones.privacy.suppress`; ties go by the zone's name, as in the zone plan's own
    files).

    Parameters
    ----------
    zones : pandas.DataFrame
        A design's zones (:attr:`CountyPlan.zones <carezones.CountyPlan.zones>`).
    min_group : int, default MIN_GROUP
        The fewest clients a zone's numbers may stand for.

    Returns
    -------
    numpy.ndarray of bool
        One per zone, ``True`` when its numbers are withheld.

    Examples
    --------
    >>> plan.zones["clients"].tolist(), withheld_zones(plan.zones).tolist()
    ([6, 4, 1, 1], [False, True, True, True])
    """
    clients = pd.to_numeric(zones["clients"], errors="coerce").fillna(0).to_numpy(dtype=float)
    key = zones["zone"].astype(str).tolist()
    out = suppress(clients, key=key, min_group=min_group) | (clients < min_group)
    return np.asarray(out, dtype=bool)


def _why(min_group: int = MIN_GROUP) -> str:
    return (
        f"fewer than {min_group} clients, or withheld with such a zone so that neither can be "
        "worked out from the design's totals"
    )
