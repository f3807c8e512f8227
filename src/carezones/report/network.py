"""What a road network shows: its map (roads and clients as hexagons) and travel-time files."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd

from carezones.io._cells import PathLike
from carezones.privacy import MIN_GROUP
from carezones.report._write import output_file, write_csv
from carezones.report.maps import (
    ROAD_STYLE,
    _add_legend,
    _road_features,
    _road_style,
    add_clients,
    base_map,
)

if TYPE_CHECKING:
    import folium

    from carezones.network import RoadNetwork


def network_map(
    net: RoadNetwork,
    clients: gpd.GeoDataFrame | None = None,
    *,
    show_clients: bool = False,
    synthetic: bool | None = None,
    title: str = "Road network",
    hex_m: float = 750.0,
    min_cell_clients: int = MIN_GROUP,
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


def write_travel_times(
    minutes: Any, origin_ids: Sequence[str], destination_ids: Sequence[str], path: PathLike
) -> Path:
    """Write a travel-time matrix as CSV: one row per origin, one column per destination.

    Parameters
    ----------
    minutes : numpy.ndarray
        ``(origins, destinations)`` minutes; ``inf`` where no route exists.
    origin_ids, destination_ids : sequence of str
        The row and column labels.
    path : str or os.PathLike
        The CSV file to write.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from carezones.report import write_travel_times
    >>> path = write_travel_times([[0.0, 4.5], [4.25, 0.0]], ["a", "b"], ["a", "b"],
    ...                           Path(tempfile.mkdtemp()) / "minutes.csv")
    >>> print(path.read_text().strip())
    ,a,b
    a,0.000,4.500
    b,4.250,0.000
    """
    import pandas as pd

    frame = pd.DataFrame(minutes, index=list(origin_ids), columns=list(destination_ids))
    with output_file(path) as tmp:
        write_csv(frame, tmp, float_format="%.3f")
    return Path(path)
