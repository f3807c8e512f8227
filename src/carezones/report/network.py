"""What a road network shows: its map (roads and clients as hexagons) and travel-time files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy.typing as npt

from carezones.io._cells import PathLike
from carezones.privacy import MIN_GROUP
from carezones.report._write import output_file, output_folder, plain, write_csv
from carezones.report.html import html_card, svg_thumbnail
from carezones.report.maps import (
    OWN_USE,
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
    show_client_points: bool = False,
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
        Clients with ``hours_per_week``; drawn as hexagons of ``min_cell_clients`` or more.
    show_client_points : bool
        Also draw each client's location (personal data: the page is then marked as for your
        own use, never to be shared).
    synthetic : bool, optional
        The data is synthetic: never online tiles, and a banner says so (default: from the
        network's provenance).
    title : str
        The map's title, shown at its top.
    hex_m : float
        Hexagon size (centre to corner) in metres.
    min_cell_clients : int
        Hexagons with fewer clients than this are not drawn.
    offline : bool
        Embed Leaflet in the HTML so the map works without internet (see :func:`base_map`).

    Returns
    -------
    folium.Map
        The roads coloured by class over the offline base, clients in hexagons, a legend and
        a layer control.

    Examples
    --------
    >>> m = network_map(net, clients)
    >>> m.save("network.html")  # doctest: +SKIP
    >>> "Clients (aggregated)" in m.get_root().render()
    True
    """
    import folium

    if show_client_points and clients is not None and len(clients):
        title = f"{title} — {OWN_USE}" if title else OWN_USE
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
            show_client_points=show_client_points,
            hex_m=hex_m,
            min_cell_clients=min_cell_clients,
        )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def write_travel_times(
    minutes: npt.ArrayLike,
    origin_ids: Sequence[str],
    destination_ids: Sequence[str],
    path: PathLike,
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


def network_card(net: RoadNetwork) -> str:
    """Return a network's card for Jupyter: its facts and a thumbnail of its area."""
    k = net.kpis
    rows = [
        ("source", k["source"]),
        ("mode", k["mode"]),
        ("OSM data of", k["osm_timestamp"]),
        ("nodes", k["nodes"]),
        ("junctions", k["junctions"]),
        ("km of road", k["km_of_road"]),
        ("engine", k["engine"]),
    ]
    thumb = svg_thumbnail([net.area_wgs84], ["#d9d9d9"], size=140)
    return html_card("Road network", rows, note=k["attribution"], thumbnail=thumb)


def write_network(net: RoadNetwork, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a network's ``network.json`` (its facts) and ``network.html`` (its roads).

    Parameters
    ----------
    net : RoadNetwork
        The network.
    out_dir : str or os.PathLike
        The folder (replaced whole or not at all).
    offline : bool
        Embed Leaflet in the map (default).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_network(net, tempfile.mkdtemp())]
    ['network.json', 'network.html']
    """
    out = Path(out_dir)
    with output_folder(out) as tmp:
        (tmp / "network.json").write_text(
            json.dumps(plain(net.kpis), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        net.to_map(offline=offline).save(str(tmp / "network.html"))
    return [out / "network.json", out / "network.html"]
