"""The legs of a day's rounds as lines: along the roads where the network knows them.

:func:`leg_parts` splits each leg into what is driven along the roads and what is not (the
gap between a stop and its road, or a leg known only from a travel matrix); the map draws the
second kind dashed and says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

ACCESS_M = 25.0  # metres between a stop and its road from which the gap is drawn as access


# ---------------------------------------------------------------------- legs for the map
def leg_parts(itin: pd.DataFrame, network: Any) -> Any:
    """Each leg of the rounds split into its road part and its straight parts.

    Parameters
    ----------
    itin : DataFrame
        Itineraries with ``leg`` lines (:attr:`Rounds.itineraries`).
    network : RoadNetwork or None
        Whether the legs were routed along the roads (else every leg is straight).

    Returns
    -------
    geopandas.GeoDataFrame
        ``carer_id, shift, seq, kind, minutes, metres, label`` and the line (EPSG:4326);
        ``kind`` is ``road``, ``access`` (a stop more than :data:`ACCESS_M` from its road,
        joined to it straight) or ``straight`` (no road route is known).

    Examples
    --------
    >>> legs = leg_parts(rounds.itineraries, rounds.network)
    >>> sorted(set(legs["kind"]))
    ['road']
    """
    import geopandas as gpd
    import shapely

    from carezones.network.coords import haversine_m

    rows: list[dict[str, Any]] = []
    for rec in itin[itin["leg"].notna()].itertuples():
        xy = np.asarray(rec.leg.coords)
        base = {
            "carer_id": rec.carer_id,
            "shift": rec.shift,
            "seq": rec.seq,
            "minutes": float(rec.travel_minutes),
        }
        if network is None or len(xy) < 4:
            m = float(haversine_m(xy[0, 0], xy[0, 1], xy[-1, 0], xy[-1, 1]))
            why = (
                "no road route: travel times from a matrix"
                if network is None
                else "no road route found"
            )
            rows.append(
                {
                    **base,
                    "kind": "straight",
                    "metres": m,
                    "label": f"straight line, not the road driven ({why})",
                    "geometry": shapely.LineString(xy),
                }
            )
            continue
        ends = [(xy[0], xy[1]), (xy[-2], xy[-1])]
        for a, b in ends:
            m = float(haversine_m(a[0], a[1], b[0], b[1]))
            if m > ACCESS_M:
                rows.append(
                    {
                        **base,
                        "kind": "access",
                        "metres": m,
                        "label": f"access leg: {m:,.0f} m between the stop and the nearest "
                        "road, drawn straight",
                        "geometry": shapely.LineString([a, b]),
                    }
                )
        road = xy[1:-1]
        if len(road) >= 2:
            km = rec.travel_km if rec.travel_km == rec.travel_km else 0.0
            rows.append(
                {
                    **base,
                    "kind": "road",
                    "metres": float(km) * 1000,
                    "label": "along the roads",
                    "geometry": shapely.LineString(road),
                }
            )
    cols = ["carer_id", "shift", "seq", "kind", "minutes", "metres", "label", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=cols), geometry="geometry", crs="EPSG:4326")
