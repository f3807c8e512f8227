"""The road network: :class:`RoadNetwork` snaps points and answers travel-time questions.

Build one with :func:`carezones.load_network` (see :mod:`carezones.network.loading`). Queries
(``snap``, ``travel_times``, ``nearest``, ``within``, ``route``, ``isochrones``) are the public
API. A short *internal interface* (``arrays``, ``router``, ``attach``, ``to_metric``,
``segment_lines``, ...) gives carezones' planning modules what they need of the network's
arrays and router without touching its private attributes.
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import Transformer

from carezones.errors import NetworkError, check_number
from carezones.network import osrm as _osrm
from carezones.network.coords import Points, _one, as_lonlat, metric_crs
from carezones.network.data import (
    EDGE_FIELDS,
    Buildings,
    NetworkArrays,
    Provenance,
    Route,
    Snapped,
)
from carezones.network.profile import AreaRule, DensityRule, TravelProfile, UrbanRule, same_places
from carezones.network.routing import Attachment, ChainGraph, ProfiledGraph, attach
from carezones.network.shapes import (
    access_lonlat,
    crossings,
    isochrone_areas,
    networkx_graph,
    road_lines,
    route_lines,
    segment_index,
    snap_lonlat,
)
from carezones.network.speeds import Mode, SpeedModel

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

    from carezones.io._cells import PathLike
    from carezones.protocol import MapLike

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class RoadNetwork:
    """A drive or walk road network, ready for travel-time queries.

    Build one with :func:`load_network` rather than directly. The network is held as flat
    arrays (nodes, directed edges, road segments) plus a contracted routing graph;
    :attr:`graph` gives an osmnx-compatible ``networkx.MultiDiGraph`` (built on first use).

    Parameters
    ----------
    arrays : NetworkArrays
        The prepared arrays (the largest strongly connected part, with its chains).
    mode : {"drive", "walk"}
        What the network is for.
    speeds : SpeedModel
        The speed model the edge times were computed with (it also gives access-leg speeds).
    provenance : Provenance
        Source, OSM timestamp, attribution and what was dropped.
    engine : {"builtin", "osrm"}, default "builtin"
        Default engine for :meth:`travel_times`.
    osrm_base : pathlib.Path, optional
        The ``.osrm`` files of an OSRM build of the same source (needed for ``"osrm"``).
    max_snap_m : float, default 1000.0
        Points farther than this from any road are flagged and not routed.
    buildings : Buildings, optional
        The buildings of the source file (default: none).

    Attributes
    ----------
    mode, speeds, provenance, engine, max_snap_m, buildings
        As given.
    travel_profile : TravelProfile or None
        The travel profile its drive times follow (:meth:`with_profile`); ``None``: the
        model's times.
    crs : pyproj.CRS
        The metric CRS used for snapping and geometry (EPSG:27700 in Great Britain, else UTM).
    node_osmid, lon, lat : numpy.ndarray
        Per node: its OSM id, longitude and latitude.
    x, y : numpy.ndarray
        Per node: its coordinates in metres in :attr:`crs`.

    Raises
    ------
    ValueError
        When ``engine`` is neither ``"builtin"`` nor ``"osrm"``.

    See Also
    --------
    load_network : Load a network from an OSM extract or a GraphML file.

    Examples
    --------
    The examples of the methods below use ``net``, the drive network of the tiny synthetic
    county (SYNTHETIC DATA), made like this:

    >>> import tempfile
    >>> from carezones import load_network, make_synthetic_county
    >>> county = make_synthetic_county(tempfile.mkdtemp(), size="tiny")
    >>> net = load_network(county.osm_path, engine="builtin")
    >>> net.n_nodes, net.n_edges, net.crs.to_string()
    (507, 1042, 'EPSG:27700')
    >>> net.travel_times([(1.5941, 54.3893), (1.5572, 54.3881)]).round(1)
    array([[0.1, 3.7],
           [3.7, 0.2]])
    """

    def __init__(
        self,
        arrays: NetworkArrays,
        *,
        mode: Mode,
        speeds: SpeedModel,
        provenance: Provenance,
        engine: str = "builtin",
        osrm_base: Path | None = None,
        max_snap_m: float = 1000.0,
        buildings: Buildings | None = None,
    ) -> None:
        self.mode = mode
        self.speeds = speeds
        self.provenance = provenance
        self.max_snap_m = float(max_snap_m)
        self.buildings = Buildings.empty() if buildings is None else buildings
        self._arrays = arrays
        self.node_osmid: IntArray = arrays.node_osmid
        self.lon: FloatArray = arrays.lon
        self.lat: FloatArray = arrays.lat
        self.crs = metric_crs(self.lon, self.lat)
        self._to_metric = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._to_wgs = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        self.x, self.y = self.to_metric(self.lon, self.lat)
        self._router = ChainGraph(arrays.chains, arrays.v, arrays.minutes)
        self._osrm_base = osrm_base
        self._osrm_engine: _osrm.OsrmEngine | None = None
        if engine not in ("builtin", "osrm"):
            raise ValueError(f"engine must be 'builtin' or 'osrm', got {engine!r}")
        self.engine = engine
        self.travel_profile: TravelProfile | None = None
        self._built = True

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the arrays, not what is rebuilt on demand (indexes, the graph, OSRM's handle).

        A network is sent whole to Dask workers; the OSRM engine reopens from its files where
        they exist, and the spatial indexes are rebuilt at first use.
        """
        state = dict(self.__dict__)
        state["_osrm_engine"] = None
        cached_names = ("segment_lines", "segment_crossings", "_node_tree", "_junction_tree")
        for cached in (*cached_names, "graph", "area_wgs84"):
            state.pop(cached, None)
        return state

    # ------------------------------------------------------------------ basic facts
    def __repr__(self) -> str:
        profile = "" if self.travel_profile is None else f" profile={self.travel_profile.name}"
        return f"<RoadNetwork {self.provenance.describe()} engine={self.engine}{profile}>"

    def __setattr__(self, name: str, value: Any) -> None:
        """Refuse to change a public attribute once built (private caches may fill later)."""
        if not name.startswith("_") and getattr(self, "_built", False):
            raise AttributeError(f"a RoadNetwork does not change once loaded ({name!r})")
        object.__setattr__(self, name, value)

    def summary(self) -> str:
        """Return the network in a few words: its source, size and engine.

        Returns
        -------
        str
            One line (the numbers are in :attr:`kpis`).

        Examples
        --------
        >>> print(net.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        drive network of synthetic-county-tiny-seed0.osm (OSM data of ...): 507 nodes,
        71 junctions, 31.9 km of road; builtin engine
        """
        k = self.kpis
        profile = "" if self.travel_profile is None else f"; travel profile {k['travel_profile']}"
        return (
            f"{k['mode']} network of {k['source']} (OSM data of {k['osm_timestamp']}): "
            f"{k['nodes']:,} nodes, {k['junctions']:,} junctions, {k['km_of_road']:,} km of road; "
            f"{k['engine']} engine{profile}"
        )

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Return a folium map of the roads, coloured by class.

        Parameters
        ----------
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(net.to_map()).__name__
        'Map'
        """
        from carezones.report.network import network_map

        return network_map(self, offline=offline)

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
        """Write ``network.json`` (:attr:`kpis`) and ``network.html`` (:meth:`to_map`).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing; replaced whole or not at all).
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> [p.name for p in net.to_files(tempfile.mkdtemp())]
        ['network.json', 'network.html']
        """
        from carezones.report.network import write_network

        return write_network(self, out_dir, offline=offline)

    def _repr_html_(self) -> str:
        from carezones.report.network import network_card

        return network_card(self)

    @property
    def n_nodes(self) -> int:
        """Number of nodes.

        Examples
        --------
        >>> net.n_nodes
        507
        """
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (a two-way road segment is two edges).

        Examples
        --------
        >>> net.n_edges
        1042
        """
        return len(self._arrays.u)

    @property
    def edges(self) -> pd.DataFrame:
        """Directed edges as a table: node indices, length, minutes, speed and OSM tags.

        Examples
        --------
        >>> net.edges.columns[:6].tolist()
        ['u', 'v', 'length_m', 'minutes', 'speed_kph', 'way_id']
        """
        return pd.DataFrame({k: getattr(self._arrays, k) for k in EDGE_FIELDS})

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the network's nodes.

        Examples
        --------
        >>> [round(b, 3) for b in net.bounds]
        [1.552, 54.379, 1.642, 54.442]
        """
        lon, lat = self.lon, self.lat
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    @cached_property
    def area_wgs84(self) -> shapely.Geometry:
        """The network's area: the convex hull of its nodes, in WGS84 (lon/lat).

        Examples
        --------
        >>> net.area_wgs84.geom_type
        'Polygon'
        """
        return shapely.convex_hull(shapely.multipoints(np.column_stack([self.lon, self.lat])))

    # ------------------------------------------------------------------ internal interface
    # What carezones' planning modules (zones, sites) need of a network beyond the queries
    # below. Stable within carezones; not part of the public API promise.
    @property
    def arrays(self) -> NetworkArrays:
        """The network's flat arrays: nodes, directed edges, segments and chains.

        Examples
        --------
        >>> net.arrays.seg_ab.shape
        (540, 2)
        """
        return self._arrays

    @property
    def router(self) -> ChainGraph:
        """The built-in engine's contracted graph, whose searches take :meth:`attach` results.

        Examples
        --------
        >>> net.router.n  # junctions
        71
        """
        return self._router

    @property
    def junction_nodes(self) -> IntArray:
        """Node index of every junction (node where roads meet or end), in router order.

        Examples
        --------
        >>> len(net.junction_nodes)
        71
        """
        return self._router.chains.junction_nodes

    def to_metric(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Project WGS84 longitudes/latitudes to ``x``/``y`` metres in :attr:`crs`.

        Parameters
        ----------
        lon, lat : float or array-like
            Longitudes and latitudes in degrees (WGS84).

        Returns
        -------
        x : numpy.ndarray
            Metres east in :attr:`crs`.
        y : numpy.ndarray
            Metres north in :attr:`crs`.

        Examples
        --------
        >>> x, y = net.to_metric([1.5941], [54.3893])
        >>> x.round(), y.round()
        (array([633444.]), array([505265.]))
        """
        x, y = self._to_metric.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_wgs84(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Return ``x``/``y`` metres in :attr:`crs` as WGS84 longitudes/latitudes.

        Parameters
        ----------
        x, y : float or array-like
            Metres in :attr:`crs`.

        Returns
        -------
        lon : numpy.ndarray
            Longitudes in degrees.
        lat : numpy.ndarray
            Latitudes in degrees.

        Examples
        --------
        >>> lon, lat = net.to_wgs84(*net.to_metric([1.5941], [54.3893]))
        >>> lon.round(4), lat.round(4)
        (array([1.5941]), array([54.3893]))
        """
        lon, lat = self._to_wgs.transform(x, y)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def access_points(self, geoms: npt.ArrayLike | gpd.GeoSeries) -> FloatArray:
        """Return the lon/lat of each geometry's access point: where it is reached from the road.

        A point is its own access point; a polygon's (or line's) is its boundary point
        closest to the nearest road segment (on the road where a road crosses it).

        Parameters
        ----------
        geoms : array-like of shapely geometries
            In WGS84.

        Returns
        -------
        numpy.ndarray
            ``(n, 2)`` longitudes and latitudes.

        Examples
        --------
        >>> import shapely
        >>> house = shapely.box(1.594, 54.389, 1.5942, 54.3895)
        >>> net.access_points([shapely.Point(1.5941, 54.3893), house]).round(4)
        array([[ 1.5941, 54.3893],
               [ 1.5942, 54.3894]])
        """
        return access_lonlat(self, geoms)

    def to_metric_geometry(
        self, geoms: shapely.Geometry | npt.ArrayLike
    ) -> shapely.Geometry | npt.NDArray[np.object_]:
        """Project shapely geometries (one or an array) from WGS84 to :attr:`crs`.

        Parameters
        ----------
        geoms : shapely.Geometry or array-like of shapely.Geometry
            Geometries in WGS84 (lon/lat).

        Returns
        -------
        shapely.Geometry or numpy.ndarray
            The same geometries in metres in :attr:`crs`.

        Examples
        --------
        >>> import shapely
        >>> point = net.to_metric_geometry(shapely.Point(1.5941, 54.3893))
        >>> round(point.x), round(point.y)
        (633444, 505265)
        """
        return shapely.transform(
            geoms, lambda xy: np.column_stack(self.to_metric(xy[:, 0], xy[:, 1]))
        )

    @cached_property
    def segment_crossings(self) -> tuple[IntArray, FloatArray]:
        """Pairs of segments that cross without a shared node: bridges and tunnels.

        Internal interface. Returns an (n, 2) array of segment indices and an (n, 2) array
        of the fractions along each where they cross.

        Examples
        --------
        >>> pairs, fractions = net.segment_crossings
        >>> pairs.shape  # no bridge crosses another road in the tiny county
        (0, 2)
        """
        return crossings(*self.segment_lines)

    @cached_property
    def segment_lines(self) -> tuple[shapely.STRtree, npt.NDArray[np.object_]]:
        """The road segments as lines in :attr:`crs` and an R-tree over them (internal interface).

        Line ``i`` is segment ``i`` of :attr:`arrays` (from node ``seg_ab[i, 0]`` to
        ``seg_ab[i, 1]``).

        Examples
        --------
        >>> tree, lines = net.segment_lines
        >>> len(lines) == len(net.arrays.seg_ab)
        True
        """
        return segment_index(self.arrays.seg_ab, self.x, self.y)

    @cached_property
    def _node_tree(self) -> Any:
        from scipy.spatial import cKDTree

        return cKDTree(np.column_stack([self.x, self.y]))

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The network as an osmnx-compatible ``networkx.MultiDiGraph``.

        Nodes are OSM node ids with ``x``/``y`` (lon/lat) and ``street_count``; edges carry
        ``osmid`` (the way id), ``highway``, ``name``, ``maxspeed``, ``oneway``, ``reversed``,
        ``length`` (metres), ``speed_kph`` and ``travel_time`` (seconds), as osmnx names them,
        plus ``minutes``. The graph's ``crs`` is EPSG:4326.

        Examples
        --------
        >>> net.graph.number_of_nodes(), net.graph.number_of_edges()
        (507, 1042)
        """
        return networkx_graph(self)

    # ------------------------------------------------------------------ snapping
    def snap(self, points: Points) -> Snapped:
        """Snap points to the nearest road segment (not only the nearest node).

        Parameters
        ----------
        points : GeoSeries, GeoDataFrame or array-like
            Points in any CRS (GeoSeries/GeoDataFrame with a CRS), or an (n, 2) array of
            longitude/latitude. Polygons are reached from their boundary point nearest the road.

        Returns
        -------
        Snapped
            Segment, fraction, distance, snapped location, far flag and access-leg minutes.

        Raises
        ------
        ValueError
            When the points are not valid (see :func:`as_lonlat`).

        Examples
        --------
        >>> snapped = net.snap([(1.5941, 54.3893), (1.5572, 54.3881)])
        >>> snapped.distance_m.round(1), snapped.far
        (array([10.4, 18.2]), array([False, False]))
        """
        return snap_lonlat(self, as_lonlat(points), lambda: self._node_tree)

    def attach(self, snapped: Snapped) -> Attachment:
        """Place snapped points on the router's chains (internal interface).

        The result is what :attr:`router`'s searches take: compute it once for a set of
        points and reuse it across searches.

        Parameters
        ----------
        snapped : Snapped
            From :meth:`snap`.

        Returns
        -------
        carezones.network.routing.Attachment
            One row per point and direction it can be left in.

        Examples
        --------
        >>> att = net.attach(net.snap([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> att.point  # both points lie on two-way roads
        array([0, 1, 0, 1])
        """
        a = self._arrays
        att = attach(
            self._router.chains,
            a.minutes,
            a.seg_fwd,
            a.seg_bwd,
            snapped.segment,
            snapped.fraction,
            snapped.access_minutes,
        )
        if self.travel_profile is None:
            return att
        att.urban = self._urban_at(snapped.lon, snapped.lat, self.travel_profile.rule)
        att.place = _place_keys(snapped)
        return att

    # ------------------------------------------------------------------ queries
    def travel_times(
        self,
        origins: Points,
        destinations: Points | None = None,
        *,
        engine: str | None = None,
        progress: bool = False,
    ) -> FloatArray:
        """Return the matrix of road travel times in minutes.

        Parameters
        ----------
        origins, destinations : points
            As accepted by :meth:`snap`. Without ``destinations``, origins to origins.
        engine : {"builtin", "osrm"}, optional
            Overrides the network's default engine for this call.
        progress : bool, default False
            Show a progress bar (built-in engine).

        Returns
        -------
        numpy.ndarray
            ``(len(origins), len(destinations))`` minutes, access legs included; ``inf`` where
            no route exists or a point is farther than ``max_snap_m`` from the road.

        Raises
        ------
        ValueError
            When ``engine`` is not ``"builtin"`` or ``"osrm"``, or the points are not valid.
        NetworkError
            When ``engine="osrm"`` and the network has no OSRM build.

        Examples
        --------
        >>> net.travel_times(clients).shape
        (60, 60)
        >>> net.travel_times([(1.5941, 54.3893)], [(1.5572, 54.3881), (1.5611, 54.3930)]).round(1)
        array([[3.7, 2.6]])
        """
        eng = engine or self.engine
        if eng not in ("builtin", "osrm"):
            raise ValueError(f"engine must be 'builtin' or 'osrm', got {eng!r}")
        o = as_lonlat(origins)
        d = None if destinations is None else as_lonlat(destinations)
        if eng == "osrm":  # OSRM's own snapping, plus the access legs at our speed
            kph = self.speeds.access_kph(self.mode)
            model = _osrm.table_with_access(self.osrm_engine(), o, d, kph, self.max_snap_m)
            return self._profiled(model, o, d)
        so = self.snap(o)
        sd = so if d is None else self.snap(d)
        return self._router.table(self.attach(so), self.attach(sd), progress=progress)

    def _profiled(self, model: FloatArray, o: FloatArray, d: FloatArray | None) -> FloatArray:
        """Apply the travel profile to a matrix of model times (OSRM's, origins × destinations)."""
        profile = self.travel_profile
        if profile is None:
            return model
        so = self.snap(o)
        sd = so if d is None else self.snap(d)
        uo = self._urban_at(so.lon, so.lat, profile.rule)
        ud = uo if d is None else self._urban_at(sd.lon, sd.lat, profile.rule)
        same = np.zeros(model.shape, dtype=bool)
        same[same_places(_place_keys(so), _place_keys(sd))] = True
        return profile.leg_minutes(model, uo, ud, same)

    def osrm_engine(self) -> _osrm.OsrmEngine:
        """Return the OSRM engine of this network, opened on first use (internal interface).

        Returns
        -------
        carezones.network.osrm.OsrmEngine
            The engine, kept open for the network's next queries.

        Raises
        ------
        NetworkError
            When the network has no OSRM build (a GraphML source, or no osrm-bindings).

        Examples
        --------
        >>> net.osrm_engine()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        carezones.errors.NetworkError: the OSRM engine is not available for this network ...
        """
        if self._osrm_engine is None:
            if self._osrm_base is None:
                raise NetworkError(
                    "the OSRM engine is not available for this network (it needs an OSM file "
                    "source and the osrm-bindings package); use engine='builtin'"
                )
            self._osrm_engine = _osrm.OsrmEngine(self._osrm_base)
        return self._osrm_engine

    def nearest(self, origins: Points, targets: Points) -> tuple[FloatArray, IntArray]:
        """Return the minutes to, and the index of, the nearest target from every origin.

        One multi-source Dijkstra from all targets at once (built-in engine), whatever the
        number of origins.

        Parameters
        ----------
        origins, targets : points
            As accepted by :meth:`snap`.

        Returns
        -------
        minutes : numpy.ndarray
            ``inf`` where no target can be reached.
        index : numpy.ndarray
            Index into ``targets`` of the nearest one; ``-1`` where none can be reached.

        Examples
        --------
        >>> import numpy as np
        >>> minutes, index = net.nearest(clients, [(1.5572, 54.3881), (1.6083, 54.4026)])
        >>> np.bincount(index).tolist(), float(minutes.max().round(1))
        ([51, 9], 3.8)
        """
        so, st = self.snap(origins), self.snap(targets)
        return self._router.nearest(self.attach(so), self.attach(st))

    def within(self, origins: Points, targets: Points, minutes: float) -> pd.DataFrame:
        """Return every origin-target pair no more than ``minutes`` apart (built-in engine).

        Bounded searches run from the targets, so the cost does not grow with the number of
        origins. Use it to count what is within reach, or for catchments.

        Parameters
        ----------
        origins, targets : points
            As accepted by :meth:`snap`.
        minutes : float
            The most minutes apart a pair may be.

        Returns
        -------
        pandas.DataFrame
            Columns ``origin`` and ``target`` (positions in the inputs) and ``minutes``, sorted
            by origin then target; pairs farther apart are absent.

        Raises
        ------
        ValueError
            When ``minutes`` is not a number of at least 0.

        Examples
        --------
        >>> homes = [(1.5941, 54.3893), (1.5572, 54.3881), (1.5611, 54.3930)]
        >>> net.within(homes, homes[1:], 2.0).round(2)
           origin  target  minutes
        0       1       0     0.22
        1       1       1     1.53
        2       2       0     1.51
        3       2       1     0.21
        """
        if not (isinstance(minutes, int | float) and minutes >= 0):
            raise ValueError(f"minutes must be a number >= 0, not {minutes!r}")
        so, st = self.snap(origins), self.snap(targets)
        o, t, m = self._router.within(self.attach(so), self.attach(st), float(minutes))
        return pd.DataFrame({"origin": o, "target": t, "minutes": m})

    def times_to_nodes(self, points: Points) -> FloatArray:
        """Return minutes from each point to every network node (rows: points).

        Parameters
        ----------
        points : points
            As accepted by :meth:`snap`.

        Returns
        -------
        numpy.ndarray
            ``(len(points), n_nodes)`` minutes, the access leg included.

        Examples
        --------
        >>> net.times_to_nodes([(1.5941, 54.3893)]).shape
        (1, 507)
        """
        return self._router.to_nodes(self.attach(self.snap(points)), self.n_nodes)

    def route(self, origin: Points, destination: Points) -> Route:
        """Return the fastest route between two points: geometry, minutes and metres.

        Parameters
        ----------
        origin, destination : point
            A (lon, lat) pair, a shapely Point in lon/lat, or a one-point GeoSeries.

        Returns
        -------
        Route
            The route's line, minutes and metres (access legs included); ``inf`` minutes and
            no line when there is no route.

        Raises
        ------
        ValueError
            When ``origin`` or ``destination`` is not one valid point.

        Examples
        --------
        >>> route = net.route((1.5941, 54.3893), (1.5572, 54.3881))
        >>> round(route.minutes, 1), round(route.metres)
        (3.7, 2947)
        """
        pts = np.vstack([_one(origin), _one(destination)])
        return self.routes(pts, np.array([[0, 1]]))[0]

    def routes(self, points: Points, legs: npt.ArrayLike) -> list[Route]:
        """Return the fastest route of every leg between points, found together.

        One search per distinct origin over one graph, so the legs of a day's rounds cost about
        as much as their travel-time matrix rather than a search each.

        Parameters
        ----------
        points : points
            As accepted by :meth:`snap`.
        legs : array-like of int
            ``(k, 2)``: the positions in ``points`` of each leg's start and end.

        Returns
        -------
        list of Route
            One per leg, as :meth:`route` returns them.

        Examples
        --------
        >>> stops = [(1.5941, 54.3893), (1.5572, 54.3881), (1.5611, 54.3930)]
        >>> [round(r.minutes, 1) for r in net.routes(stops, [[0, 1], [1, 2]])]
        [3.7, 1.5]
        """
        lonlat = as_lonlat(points)
        legs = np.asarray(legs, dtype=np.int64).reshape(-1, 2)
        return route_lines(self, lonlat, legs)

    def isochrones(
        self,
        points: Points,
        minutes: tuple[float, ...] | list[float] = (5, 10, 15),
        *,
        buffer_m: float | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the areas reachable from each point within each time budget.

        An isochrone is the reachable part of the network (whole edges, and the reachable part
        of edges reached only partly) buffered by ``buffer_m`` (default 40 m walking, 80 m
        driving). It never includes roads that cannot be reached in time, so holes where the
        road network cannot reach stay holes.

        Parameters
        ----------
        points : points
            As accepted by :meth:`snap`.
        minutes : float or sequence of float, default (5, 10, 15)
            The time budgets, in minutes.
        buffer_m : float, optional
            Metres around the reachable roads (default 40 walking, 80 driving).

        Returns
        -------
        geopandas.GeoDataFrame
            One row per point and budget: ``point`` (index), ``minutes``, geometry (WGS84).

        Raises
        ------
        ValueError
            When a budget is not a positive number or ``buffer_m`` is negative.

        Examples
        --------
        >>> areas = net.isochrones([(1.5941, 54.3893)], [2, 4])
        >>> areas.minutes.tolist(), areas.crs.to_string()
        ([2.0, 4.0], 'EPSG:4326')
        >>> bool(areas.to_crs(net.crs).area[1] > areas.to_crs(net.crs).area[0])
        True
        """
        buf = buffer_m if buffer_m is not None else (40.0 if self.mode == "walk" else 80.0)
        buf = check_number("buffer_m", buf, minimum=0)
        if isinstance(minutes, int | float) and not isinstance(minutes, bool):
            minutes = (minutes,)
        minutes = [check_number("minutes", m, minimum=0, above=True) for m in minutes]
        return isochrone_areas(self, points, minutes, buf)

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Return the road segments as a GeoDataFrame in WGS84 (for maps and files).

        Returns
        -------
        geopandas.GeoDataFrame
            One line per segment (whichever directions it allows): ``highway``, ``name``,
            ``maxspeed``, ``speed_kph``, ``oneway`` and the geometry.

        Examples
        --------
        >>> roads = net.edges_gdf()
        >>> len(roads), roads.crs.to_string()
        (540, 'EPSG:4326')
        """
        return road_lines(self)

    # ------------------------------------------------------------------ travel profiles
    def with_profile(self, profile: TravelProfile | None) -> RoadNetwork:
        """Return this network with its drive times following a travel profile.

        The new network shares this one's arrays, graph and caches (nothing is copied or
        recomputed) and this one is left as it was. Every travel time it gives between two
        different places is ``multiplier × model + overhead`` of the leg's class (urban when
        both ends are urban by the profile's rule), and a place to itself takes 0 minutes:
        :meth:`travel_times` (either engine), :meth:`nearest`, :meth:`within`,
        :meth:`times_to_nodes` (every road node a different place), :meth:`route` and
        :meth:`routes` minutes, and the router planning code uses. Zones, rounds, county plans
        and sites planned on it therefore travel by the profile. Isochrones reach roads by the
        profiled times to their nodes (along a road reached only in part, by the model's).

        A profile is for driving: walking times (a walk network, such as the one sites are
        scored on for amenities) never follow one. Profiles are fitted on the built-in engine's
        minutes (:func:`carezones.calibration.calibrate`); with ``engine="osrm"`` the profile is
        applied to OSRM's own minutes, whose car profile is slower on lanes, so use the built-in
        engine with a profile (the command line does unless ``--engine osrm`` is given).

        Parameters
        ----------
        profile : TravelProfile or None
            The profile (``None``: the model's own times again).

        Returns
        -------
        RoadNetwork
            The network with the profile.

        Raises
        ------
        ArgumentError
            When this is a walk network, or ``profile`` is not a :class:`TravelProfile`.

        Examples
        --------
        >>> from carezones.network import ClassTimes, DensityRule, TravelProfile
        >>> profile = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5),
        ...                         rule=DensityRule(urban_junctions_per_km2=10), name="q1")
        >>> calibrated = net.with_profile(profile)
        >>> homes = [(1.5941, 54.3893), (1.5572, 54.3881)]
        >>> net.travel_times(homes).round(2)
        array([[0.12, 3.67],
               [3.68, 0.22]])
        >>> calibrated.travel_times(homes).round(2)  # the first home is in a village: rural
        array([[0.  , 6.9 ],
               [6.91, 0.  ]])
        >>> calibrated.kpis["travel_profile"], net.kpis["travel_profile"]
        ('q1', 'none')
        """
        from carezones.errors import ArgumentError

        if profile is not None and not isinstance(profile, TravelProfile):
            raise ArgumentError(
                f"profile must be a TravelProfile (TravelProfile.load), not {profile!r}",
                argument="profile",
                value=profile,
                allowed="a TravelProfile or None",
            )
        if profile is not None and self.mode != "drive":
            raise ArgumentError(
                f"a travel profile is for drive networks; this is a {self.mode} network "
                "(walking times are the model's)",
                argument="profile",
                value=profile.name,
                allowed="a drive network",
            )
        base = self._router.base if isinstance(self._router, ProfiledGraph) else self._router
        router: ChainGraph = base
        if profile is not None:
            router = ProfiledGraph(base, profile, self._urban_at(self.lon, self.lat, profile.rule))
        new = object.__new__(RoadNetwork)
        new.__dict__.update(self.__dict__)
        object.__setattr__(new, "_router", router)
        object.__setattr__(new, "travel_profile", profile)
        return new

    def urban_places(self, points: Points, rule: UrbanRule | None = None) -> npt.NDArray[np.bool_]:
        """Return whether each point is urban by a rule, judged at its road point.

        By a :class:`~carezones.network.DensityRule`: dense road junctions around the road
        point; by an :class:`~carezones.network.AreaRule`: the road point lies in an urban unit.

        Parameters
        ----------
        points : points
            As accepted by :meth:`snap`.
        rule : DensityRule or AreaRule, optional
            The rule (default: the travel profile's, else :class:`DensityRule()`).

        Returns
        -------
        numpy.ndarray of bool
            One per point; a leg is urban when both its ends are.

        Examples
        --------
        >>> from carezones.network import DensityRule
        >>> net.urban_places([(1.5941, 54.3893), (1.5572, 54.3881)], DensityRule(1000, 10))
        array([False,  True])
        """
        if rule is None:
            rule = DensityRule() if self.travel_profile is None else self.travel_profile.rule
        snapped = self.snap(points)
        return self._urban_at(snapped.lon, snapped.lat, rule)

    def _urban_at(self, lon: FloatArray, lat: FloatArray, rule: UrbanRule) -> npt.NDArray[np.bool_]:
        """Return whether each lon/lat is urban by the rule (area, or junctions nearby)."""
        if isinstance(rule, AreaRule):
            return rule.urban_at(lon, lat)
        if not len(lon):
            return np.zeros(0, dtype=bool)
        x, y = self.to_metric(lon, lat)
        counts = self._junction_tree.query_ball_point(
            np.column_stack([x, y]), r=rule.radius_m, return_length=True
        )
        return np.asarray(counts, dtype=np.int64) >= rule.min_junctions

    @cached_property
    def _junction_tree(self) -> Any:
        from scipy.spatial import cKDTree

        j = self.junction_nodes
        return cKDTree(np.column_stack([self.x[j], self.y[j]]))

    @property
    def kpis(self) -> dict[str, Any]:
        """The network's key facts.

        Returns
        -------
        dict
            ``source`` (file name), ``mode``, ``osm_timestamp``, ``nodes``, ``edges``,
            ``junctions``, ``km_of_road``, ``dropped_nodes``, ``dropped_components``,
            ``engine``, ``walk_kph``, ``travel_profile`` (its name, or ``"none"``: the model's
            times) and ``attribution``.

        Examples
        --------
        >>> facts = net.kpis
        >>> facts["nodes"], facts["junctions"], facts["km_of_road"]
        (507, 71, 31.9)
        """
        p, a = self.provenance, self._arrays
        road_km = float(a.length_m[a.segment_edge].sum()) / 1000.0  # each segment once
        return {
            "source": Path(p.source).name,
            "mode": self.mode,
            "osm_timestamp": p.osm_timestamp,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "junctions": len(self._router.chains.junction_nodes),
            "km_of_road": round(road_km, 1),
            "dropped_nodes": p.dropped_nodes,
            "dropped_components": p.dropped_components,
            "engine": self.engine,
            "walk_kph": self.speeds.walk_kph,
            "travel_profile": "none" if self.travel_profile is None else self.travel_profile.name,
            "attribution": p.attribution,
        }


def _place_keys(snapped: Snapped) -> FloatArray:
    """Per point, the key naming its place: the segment, fraction and distance of its snap."""
    return np.column_stack(
        [snapped.segment.astype(float), snapped.fraction, snapped.distance_m]
    ).astype(float)
