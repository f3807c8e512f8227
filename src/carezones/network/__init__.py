"""Road networks: load once, snap points, and compute exact road travel times fast.

:func:`load_network` reads an OSM extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``) or an osmnx
GraphML file into a :class:`RoadNetwork` for driving or walking, keeps its largest strongly
connected part, and caches the prepared arrays on disk. The network answers every travel-time
question the planning modules ask (``snap``, ``travel_times``, ``nearest``, ``route``,
``isochrones``) through one of two engines:

``"builtin"``
    Exact Dijkstra (scipy's csgraph) over the network with pass-through nodes contracted;
    equal to networkx's Dijkstra on the same graph and weights.
``"osrm"``
    OSRM contraction hierarchies (``osrm-bindings``) with OSRM's own car/foot profiles; only
    for OSM files. ``travel_times`` can use it; ``nearest``, ``route`` and ``isochrones``
    always use the built-in engine, which supports multi-source searches.

Times are in minutes and include the *access legs*: the straight line from each point to where
it meets the road, travelled at the speed model's access speed. Unreachable pairs are ``inf``
(never 0), and so is every time to or from a point farther than ``max_snap_m`` from any road.

Modules
-------
``road``
    :class:`RoadNetwork`: snapping, queries, and the small internal interface planning code uses.
``data``
    The data classes: :class:`Provenance`, :class:`Snapped`, :class:`Route`, :class:`NetworkArrays`,
    :class:`Buildings`.
``loading``
    :func:`load_network`, the on-disk cache and fetching a place through osmnx.
``routing``
    The built-in engine: chains of pass-through nodes contracted, Dijkstra with scipy.
``osrm``
    The OSRM engine through ``osrm-bindings``.
``osm``
    Reading the roads of an OSM file or an osmnx GraphML file into flat arrays.
``speeds``
    :class:`SpeedModel`: which ways a mode may use and how fast.
``profile``
    :class:`TravelProfile`: drive times calibrated on real journeys (a multiplier and an
    overhead per urban and rural leg), read from and written as ``travel-profile.toml``;
    :meth:`RoadNetwork.with_profile` applies one.
``coords``
    :func:`as_lonlat` (points as longitude/latitude), :func:`metric_crs` and great-circle
    distances.
``shapes``
    The network's answers as other libraries' shapes: a networkx graph, road lines, routes
    and isochrones.
"""

from carezones.network.coords import as_lonlat, metric_crs
from carezones.network.data import (
    ATTRIBUTION,
    SYNTHETIC_ATTRIBUTION,
    Buildings,
    NetworkArrays,
    Provenance,
    Route,
    Snapped,
)
from carezones.network.loading import CACHE_VERSION, Engine, clear_cache, load_network
from carezones.network.profile import (
    AreaRule,
    ClassTimes,
    DensityRule,
    LegClass,
    ProfileProvenance,
    TravelProfile,
    UrbanRule,
)
from carezones.network.road import RoadNetwork

__all__ = [
    "ATTRIBUTION",
    "CACHE_VERSION",
    "SYNTHETIC_ATTRIBUTION",
    "AreaRule",
    "Buildings",
    "ClassTimes",
    "DensityRule",
    "Engine",
    "LegClass",
    "NetworkArrays",
    "ProfileProvenance",
    "Provenance",
    "RoadNetwork",
    "Route",
    "Snapped",
    "TravelProfile",
    "UrbanRule",
    "as_lonlat",
    "clear_cache",
    "load_network",
    "metric_crs",
]
