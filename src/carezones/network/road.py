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
from pyproj import CRS, Transformer

from carezones.errors import NetworkError, check_number
from carezones.io.osm import haversine_m
from carezones.network import osrm as _osrm
from carezones.network.data import (
    EDGE_FIELDS,
    NetworkArrays,
    Provenance,
    Route,
    Snapped,
)
from carezones.network.routing import Attachment, ChainGraph, attach
from carezones.speeds import Mode, SpeedModel

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NEAR_NODE_M = 2000.0  # points farther than this from every node snap by the R-tree search


class RoadNetwork:
    """A drive or walk road network, ready for travel-time queries.

    Build one with :func:`load_network`. The network is held as flat arrays (nodes, directed
    edges, road segments) plus a contracted routing graph; :attr:`graph` gives an
    osmnx-compatible ``networkx.MultiDiGraph`` (built on first use).

    Attributes
    ----------
    mode : str
        ``"drive"`` or ``"walk"``.
    speeds : SpeedModel
        The speed model used for edge and access-leg times.
    provenance : Provenance
        Source, OSM timestamp, attribution and what was dropped.
    engine : str
        Default engine for :meth:`travel_times` (``"builtin"`` or ``"osrm"``).
    max_snap_m : float
        Points farther than this from any road are flagged and not routed.
    crs : pyproj.CRS
        The metric CRS used for snapping and geometry (EPSG:27700 in Great Britain, else UTM).
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
    ) -> None:
        self.mode = mode
        self.speeds = speeds
        self.provenance = provenance
        self.max_snap_m = float(max_snap_m)
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

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the arrays, not what is rebuilt on demand (indexes, the graph, OSRM's handle).

        A network is sent whole to Dask workers; the OSRM engine reopens from its files where
        they exist, and the spatial indexes are rebuilt at first use.
        """
        state = dict(self.__dict__)
        state["_osrm_engine"] = None
        for cached in ("segment_lines", "segment_crossings", "_node_tree", "graph", "area_wgs84"):
            state.pop(cached, None)
        return state

    # ------------------------------------------------------------------ basic facts
    def __repr__(self) -> str:
        return f"<RoadNetwork {self.provenance.describe()} engine={self.engine}>"

    def _repr_html_(self) -> str:
        from carezones.display import html_card, svg_thumbnail

        s = self.summary()
        rows = [("source", s["source"]), ("mode", s["mode"]), ("OSM data of", s["osm_timestamp"]),
                ("nodes", s["nodes"]), ("junctions", s["junctions"]),
                ("km of road", s["km_of_road"]), ("engine", s["engine"])]  # fmt: skip
        thumb = svg_thumbnail([self.area_wgs84], ["#d9d9d9"], size=140)
        return html_card("Road network", rows, note=s["attribution"], thumbnail=thumb)

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self._arrays.u)

    @property
    def edges(self) -> pd.DataFrame:
        """Directed edges as a table: node indices, length, minutes, speed and OSM tags."""
        return pd.DataFrame({k: getattr(self._arrays, k) for k in EDGE_FIELDS})

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min lon, min lat, max lon, max lat) of the network's nodes."""
        return (
            float(self.lon.min()),
            float(self.lat.min()),
            float(self.lon.max()),
            float(self.lat.max()),
        )

    @cached_property
    def area_wgs84(self) -> shapely.Geometry:
        """The network's area: the convex hull of its nodes, in WGS84 (lon/lat)."""
        return shapely.convex_hull(shapely.multipoints(np.column_stack([self.lon, self.lat])))

    # ------------------------------------------------------------------ internal interface
    # What carezones' planning modules (zones, sites) need of a network beyond the queries
    # below. Stable within carezones; not part of the public API promise.
    @property
    def arrays(self) -> NetworkArrays:
        """The network's flat arrays: nodes, directed edges, segments and chains."""
        return self._arrays

    @property
    def router(self) -> ChainGraph:
        """The built-in engine's contracted graph, whose searches take :meth:`attach` results."""
        return self._router

    @property
    def junction_nodes(self) -> IntArray:
        """Node index of every junction (node where roads meet or end), in router order."""
        return self._router.chains.junction_nodes

    def to_metric(self, lon: Any, lat: Any) -> tuple[FloatArray, FloatArray]:
        """Project WGS84 longitudes/latitudes to ``x``/``y`` metres in :attr:`crs`."""
        x, y = self._to_metric.transform(lon, lat)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def to_wgs84(self, x: Any, y: Any) -> tuple[FloatArray, FloatArray]:
        """Return ``x``/``y`` metres in :attr:`crs` as WGS84 longitudes/latitudes."""
        lon, lat = self._to_wgs.transform(x, y)
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)

    def access_points(self, geoms: Any) -> FloatArray:
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
        """
        g = np.asarray(geoms, dtype=object)
        out = np.empty((len(g), 2))
        pt = shapely.get_type_id(g) == 0
        if pt.any():
            out[pt] = np.column_stack([shapely.get_x(g[pt]), shapely.get_y(g[pt])])
        other = np.flatnonzero(~pt)
        if len(other):
            metric = self.to_metric_geometry(g[other])
            tree, lines = self.segment_lines
            idx = tree.query_nearest(metric, all_matches=False, return_distance=False)
            seg = np.empty(len(other), dtype=np.int64)
            seg[idx[0]] = idx[1]
            near = shapely.get_point(shapely.shortest_line(metric, lines[seg]), 0)
            out[other] = np.column_stack(self.to_wgs84(shapely.get_x(near), shapely.get_y(near)))
        return out

    def to_metric_geometry(self, geoms: Any) -> Any:
        """Project shapely geometries (one or an array) from WGS84 to :attr:`crs`."""
        return shapely.transform(
            geoms, lambda xy: np.column_stack(self.to_metric(xy[:, 0], xy[:, 1]))
        )

    @cached_property
    def segment_crossings(self) -> tuple[IntArray, FloatArray]:
        """Pairs of segments that cross without a shared node: bridges and tunnels.

        Internal interface. Returns an (n, 2) array of segment indices and an (n, 2) array
        of the fractions along each where they cross.
        """
        tree, lines = self.segment_lines
        a, b = tree.query(lines, predicate="crosses")
        keep = a < b
        a, b = a[keep], b[keep]
        pts = shapely.intersection(lines[a], lines[b])
        pts = shapely.centroid(pts)  # a crossing is a point; be safe with odd geometry
        fa = shapely.line_locate_point(lines[a], pts, normalized=True)
        fb = shapely.line_locate_point(lines[b], pts, normalized=True)
        return (
            np.column_stack([a, b]).astype(np.int64),
            np.column_stack([fa, fb]).astype(np.float64),
        )

    @cached_property
    def segment_lines(self) -> tuple[shapely.STRtree, npt.NDArray[np.object_]]:
        """The road segments as lines in :attr:`crs` and an R-tree over them (internal interface).

        Line ``i`` is segment ``i`` of :attr:`arrays` (from node ``seg_ab[i, 0]`` to
        ``seg_ab[i, 1]``).
        """
        ab = self._arrays.seg_ab
        coords = np.stack(
            [np.column_stack([self.x[ab[:, 0]], self.y[ab[:, 0]]]),
             np.column_stack([self.x[ab[:, 1]], self.y[ab[:, 1]]])],
            axis=1,
        )  # fmt: skip
        lines = shapely.linestrings(coords)
        return shapely.STRtree(lines), lines

    @cached_property
    def _node_tree(self) -> Any:
        from scipy.spatial import cKDTree

        return cKDTree(np.column_stack([self.x, self.y]))

    def _nearest_segments(self, pts: npt.NDArray[np.object_]) -> IntArray:
        """Index of the road segment nearest each point (metric CRS); ties: the lowest index.

        The nearest node bounds the search: the nearest segment is no farther than it, so
        only segments within that distance are measured. Points far from every node (more
        than ``NEAR_NODE_M``) fall back to the R-tree's nearest-neighbour search.
        """
        tree, lines = self.segment_lines
        seg = np.full(len(pts), -1, dtype=np.int64)
        if len(pts) == 0:
            return seg
        node_m, _ = self._node_tree.query(np.column_stack([shapely.get_x(pts),
                                                           shapely.get_y(pts)]))  # fmt: skip
        near = np.flatnonzero(node_m <= NEAR_NODE_M)
        if len(near):
            p_i, s_i = tree.query(pts[near], predicate="dwithin", distance=node_m[near] + 1e-6)
            dist = shapely.distance(pts[near][p_i], lines[s_i])
            order = np.lexsort((s_i, dist, p_i))
            first = np.ones(len(order), dtype=bool)
            first[1:] = p_i[order][1:] != p_i[order][:-1]
            seg[near[p_i[order][first]]] = s_i[order][first]
        rest = np.flatnonzero(seg < 0)
        if len(rest):
            idx = tree.query_nearest(pts[rest], all_matches=False, return_distance=False)
            seg[rest[idx[0]]] = idx[1]
        return seg

    @cached_property
    def graph(self) -> nx.MultiDiGraph:
        """The network as an osmnx-compatible ``networkx.MultiDiGraph``.

        Nodes are OSM node ids with ``x``/``y`` (lon/lat) and ``street_count``; edges carry
        ``osmid`` (the way id), ``highway``, ``name``, ``maxspeed``, ``oneway``, ``reversed``,
        ``length`` (metres), ``speed_kph`` and ``travel_time`` (seconds), as osmnx names them,
        plus ``minutes``. The graph's ``crs`` is EPSG:4326.
        """
        import networkx as nx

        g = nx.MultiDiGraph(crs="epsg:4326", simplified=False, source=self.provenance.source)
        ids = self.node_osmid.tolist()
        deg = np.bincount(self._arrays.seg_ab.ravel(), minlength=self.n_nodes).tolist()
        g.add_nodes_from(
            (i, {"x": x, "y": y, "street_count": d})
            for i, x, y, d in zip(ids, self.lon.tolist(), self.lat.tolist(), deg, strict=True)
        )
        e = self.edges
        cols = [e[c].tolist() for c in EDGE_FIELDS]
        for u, v, length, mins, kph, way, hw, name, ms, ow, rev in zip(*cols, strict=True):
            data = {
                "osmid": way,
                "highway": hw,
                "oneway": ow,
                "reversed": rev,
                "length": length,
                "speed_kph": kph,
                "travel_time": mins * 60.0,
                "minutes": mins,
            }
            if name:
                data["name"] = name
            if ms:
                data["maxspeed"] = ms
            g.add_edge(ids[u], ids[v], **data)
        return g

    # ------------------------------------------------------------------ snapping
    def snap(self, points: Any) -> Snapped:
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
        """
        lonlat = as_lonlat(points)
        n = len(lonlat)
        px, py = self.to_metric(lonlat[:, 0], lonlat[:, 1])
        _, lines = self.segment_lines
        pts = shapely.points(px, py)
        if n == 0:
            e = np.zeros(0)
            return Snapped(e.astype(np.int64), e, e, e, e, e.astype(bool), e)
        seg = self._nearest_segments(pts)
        on = lines[seg]
        frac = shapely.line_locate_point(on, pts, normalized=True)
        frac = np.nan_to_num(frac, nan=0.0)
        snapped = shapely.line_interpolate_point(on, frac, normalized=True)
        dist = shapely.distance(pts, snapped)
        sx, sy = shapely.get_x(snapped), shapely.get_y(snapped)
        slon, slat = self.to_wgs84(sx, sy)
        far = dist > self.max_snap_m
        access = dist / (self.speeds.access_kph(self.mode) * 1000.0 / 60.0)
        access = np.where(far, np.inf, access)
        if far.any():
            log.warning(
                "%d of %d points are more than %.0f m from any %s road and will not be routed",
                int(far.sum()),
                n,
                self.max_snap_m,
                self.mode,
            )
        return Snapped(seg, frac, dist, np.asarray(slon), np.asarray(slat), far, access)

    def attach(self, snapped: Snapped) -> Attachment:
        """Place snapped points on the router's chains (internal interface).

        The result is what :attr:`router`'s searches take: compute it once for a set of
        points and reuse it across searches.
        """
        a = self._arrays
        return attach(
            self._router.chains,
            a.minutes,
            a.seg_fwd,
            a.seg_bwd,
            snapped.segment,
            snapped.fraction,
            snapped.access_minutes,
        )

    # ------------------------------------------------------------------ queries
    def travel_times(
        self,
        origins: Any,
        destinations: Any | None = None,
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
        progress : bool
            Show a progress bar (built-in engine).

        Returns
        -------
        numpy.ndarray
            ``(len(origins), len(destinations))`` minutes, access legs included; ``inf`` where
            no route exists or a point is farther than ``max_snap_m`` from the road.

        Examples
        --------
        >>> net = load_network("county.osm")  # doctest: +SKIP
        >>> net.travel_times(clients).shape  # doctest: +SKIP
        (600, 600)
        """
        eng = engine or self.engine
        if eng not in ("builtin", "osrm"):
            raise ValueError(f"engine must be 'builtin' or 'osrm', got {eng!r}")
        o = as_lonlat(origins)
        d = None if destinations is None else as_lonlat(destinations)
        if eng == "osrm":
            return self._osrm_table(o, d)
        so = self.snap(o)
        sd = so if d is None else self.snap(d)
        return self._router.table(self.attach(so), self.attach(sd), progress=progress)

    def osrm_engine(self) -> _osrm.OsrmEngine:
        """Return the OSRM engine of this network, opened on first use (internal interface).

        Raises
        ------
        NetworkError
            When the network has no OSRM build (a GraphML source, or no osrm-bindings).
        """
        if self._osrm_engine is None:
            if self._osrm_base is None:
                raise NetworkError(
                    "the OSRM engine is not available for this network (it needs an OSM file "
                    "source and the osrm-bindings package); use engine='builtin'"
                )
            self._osrm_engine = _osrm.OsrmEngine(self._osrm_base)
        return self._osrm_engine

    def _osrm_table(self, o: FloatArray, d: FloatArray | None) -> FloatArray:
        """OSRM table plus access legs; points OSRM snaps farther than max_snap_m get inf."""
        minutes, snap_o, snap_d = self.osrm_engine().table(o, d)
        per_m = 1.0 / (self.speeds.access_kph(self.mode) * 1000.0 / 60.0)
        minutes += (snap_o * per_m)[:, None] + (snap_d * per_m)[None, :]
        minutes[snap_o > self.max_snap_m, :] = np.inf
        minutes[:, snap_d > self.max_snap_m] = np.inf
        return minutes

    def nearest(self, origins: Any, targets: Any) -> tuple[FloatArray, IntArray]:
        """Return the minutes to, and the index of, the nearest target from every origin.

        One multi-source Dijkstra from all targets at once (built-in engine), whatever the
        number of origins.

        Returns
        -------
        minutes : numpy.ndarray
            ``inf`` where no target can be reached.
        index : numpy.ndarray
            Index into ``targets`` of the nearest one; ``-1`` where none can be reached.
        """
        so, st = self.snap(origins), self.snap(targets)
        return self._router.nearest(self.attach(so), self.attach(st))

    def within(self, origins: Any, targets: Any, minutes: float) -> pd.DataFrame:
        """Return every origin-target pair no more than ``minutes`` apart (built-in engine).

        Bounded searches run from the targets, so the cost does not grow with the number of
        origins. Use it to count what is within reach, or for catchments.

        Returns
        -------
        pandas.DataFrame
            Columns ``origin`` and ``target`` (positions in the inputs) and ``minutes``, sorted
            by origin then target; pairs farther apart are absent.
        """
        if not (isinstance(minutes, int | float) and minutes >= 0):
            raise ValueError(f"minutes must be a number >= 0, not {minutes!r}")
        so, st = self.snap(origins), self.snap(targets)
        o, t, m = self._router.within(self.attach(so), self.attach(st), float(minutes))
        return pd.DataFrame({"origin": o, "target": t, "minutes": m})

    def times_to_nodes(self, points: Any) -> FloatArray:
        """Return minutes from each point to every network node (rows: points)."""
        return self._router.to_nodes(self.attach(self.snap(points)), self.n_nodes)

    def route(self, origin: Any, destination: Any) -> Route:
        """Return the fastest route between two points: geometry, minutes and metres.

        Parameters
        ----------
        origin, destination : point
            A (lon, lat) pair, a shapely Point in lon/lat, or a one-point GeoSeries.
        """
        pts = np.vstack([_one(origin), _one(destination)])
        return self.routes(pts, np.array([[0, 1]]))[0]

    def routes(self, points: Any, legs: Any) -> list[Route]:
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
        """
        lonlat = as_lonlat(points)
        legs = np.asarray(legs, dtype=np.int64).reshape(-1, 2)
        snapped = self.snap(lonlat)
        att = self.attach(snapped)
        out = []
        for (a, b), (minutes, nodes) in zip(
            legs.tolist(), self._router.paths(att, att, legs), strict=True
        ):
            if not np.isfinite(minutes):
                out.append(Route(None, float("inf"), float("inf"), []))
                continue
            line = [tuple(lonlat[a]), (snapped.lon[a], snapped.lat[a])]
            line += list(zip(self.lon[nodes].tolist(), self.lat[nodes].tolist(), strict=True))
            line += [(snapped.lon[b], snapped.lat[b]), tuple(lonlat[b])]
            lon_l, lat_l = np.array(line).T
            road = float(haversine_m(lon_l[1:-2], lat_l[1:-2], lon_l[2:-1], lat_l[2:-1]).sum())
            metres = road + float(snapped.distance_m[a] + snapped.distance_m[b])
            nodes_osm = [int(x) for x in self.node_osmid[nodes]]
            out.append(Route(shapely.LineString(line), float(minutes), metres, nodes_osm))
        return out

    def isochrones(
        self,
        points: Any,
        minutes: tuple[float, ...] | list[float] = (5, 10, 15),
        *,
        buffer_m: float | None = None,
    ) -> gpd.GeoDataFrame:
        """Return the areas reachable from each point within each time budget.

        An isochrone is the reachable part of the network (whole edges, and the reachable part
        of edges reached only partly) buffered by ``buffer_m`` (default 40 m walking, 80 m
        driving). It never includes roads that cannot be reached in time, so holes where the
        road network cannot reach stay holes.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per point and budget: ``point`` (index), ``minutes``, geometry (WGS84).
        """
        import geopandas as gpd

        buf = buffer_m if buffer_m is not None else (40.0 if self.mode == "walk" else 80.0)
        buf = check_number("buffer_m", buf, minimum=0)
        if isinstance(minutes, int | float) and not isinstance(minutes, bool):
            minutes = (minutes,)
        minutes = [check_number("minutes", m, minimum=0, above=True) for m in minutes]
        t_nodes = self.times_to_nodes(points)
        snapped = self.snap(points)
        sx, sy = self.to_metric(snapped.lon, snapped.lat)
        u, v, mins = self._arrays.u, self._arrays.v, self._arrays.minutes
        rows = []
        for p in range(t_nodes.shape[0]):
            tu = t_nodes[p, u]
            for m in sorted(minutes):
                ok = tu <= m
                reach = np.clip((m - tu[ok]) / np.where(mins[ok] > 0, mins[ok], 1.0), 0.0, 1.0)
                x0, y0 = self.x[u[ok]], self.y[u[ok]]
                x1 = x0 + (self.x[v[ok]] - x0) * reach
                y1 = y0 + (self.y[v[ok]] - y0) * reach
                ends = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
                lines = shapely.linestrings(ends)
                geoms = list(lines)
                if snapped.access_minutes[p] <= m:
                    geoms.append(shapely.Point(sx[p], sy[p]))
                area = shapely.union_all(shapely.buffer(np.array(geoms, dtype=object), buf))
                rows.append({"point": p, "minutes": float(m), "geometry": area})
        gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=self.crs)
        return gdf.to_crs("EPSG:4326")

    def edges_gdf(self) -> gpd.GeoDataFrame:
        """Return the road segments as a GeoDataFrame in WGS84 (for maps and files)."""
        import geopandas as gpd

        ab = self._arrays.seg_ab
        fwd, bwd = self._arrays.seg_fwd, self._arrays.seg_bwd
        e = np.where(fwd >= 0, fwd, bwd)
        coords = np.stack(
            [np.column_stack([self.lon[ab[:, 0]], self.lat[ab[:, 0]]]),
             np.column_stack([self.lon[ab[:, 1]], self.lat[ab[:, 1]]])],
            axis=1,
        )  # fmt: skip
        return gpd.GeoDataFrame(
            {
                "highway": self._arrays.highway[e],
                "name": self._arrays.name[e],
                "maxspeed": self._arrays.maxspeed[e],
                "speed_kph": self._arrays.speed_kph[e],
                "oneway": (fwd < 0) | (bwd < 0),
            },
            geometry=shapely.linestrings(coords),
            crs="EPSG:4326",
        )

    def _road_km(self) -> float:
        """Kilometres of road: each segment once, whichever directions it allows."""
        a = self._arrays
        return float(a.length_m[a.segment_edge].sum()) / 1000.0

    def summary(self) -> dict[str, Any]:
        """Return the network's key facts as a plain dict."""
        p = self.provenance
        return {
            "source": Path(p.source).name,
            "mode": self.mode,
            "osm_timestamp": p.osm_timestamp,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "junctions": len(self._router.chains.junction_nodes),
            "km_of_road": round(self._road_km(), 1),
            "dropped_nodes": p.dropped_nodes,
            "dropped_components": p.dropped_components,
            "engine": self.engine,
            "walk_kph": self.speeds.walk_kph,
            "attribution": p.attribution,
        }


# ---------------------------------------------------------------------- helpers
def metric_crs(lon: FloatArray, lat: FloatArray) -> CRS:
    """EPSG:27700 for networks in Great Britain, else the local UTM zone."""
    clon, clat = float(np.median(lon)), float(np.median(lat))
    if -9.0 <= clon <= 2.5 and 49.0 <= clat <= 61.5:
        return CRS.from_epsg(27700)
    zone = int((clon + 180) // 6) + 1
    return CRS.from_epsg((32600 if clat >= 0 else 32700) + zone)


def as_lonlat(points: Any) -> FloatArray:
    """Return points as an (n, 2) float array of longitude/latitude.

    Accepts a GeoSeries/GeoDataFrame in any CRS (polygons and lines become their
    representative point), a shapely geometry array, or an (n, 2) lon/lat array.
    """
    import geopandas as gpd

    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        geo = points.geometry
        if geo.crs is None:
            raise ValueError(
                "points have no CRS: set one, e.g. gdf.set_crs('EPSG:4326') for lon/lat or "
                "gdf.set_crs('EPSG:27700') for British National Grid"
            )
        geo = geo.to_crs("EPSG:4326")
        if geo.is_empty.any() or geo.isna().any():
            bad = np.flatnonzero((geo.is_empty | geo.isna()).to_numpy())[:5].tolist()
            raise ValueError(f"points at positions {bad} have no geometry")
        non_point = geo.geom_type != "Point"
        if non_point.any():
            geo = geo.copy()
            geo[non_point] = geo[non_point].representative_point()
        arr = np.column_stack([geo.x.to_numpy(), geo.y.to_numpy()])
    else:
        arr = np.asarray(points, dtype=float)
        if arr.ndim == 1 and arr.shape[0] == 2:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"points must be an (n, 2) array of lon/lat or a GeoSeries, got shape {arr.shape}"
            )
    bad = ~np.isfinite(arr).all(axis=1) | (np.abs(arr[:, 0]) > 180) | (np.abs(arr[:, 1]) > 90)
    if bad.any():
        raise ValueError(
            f"points at positions {np.flatnonzero(bad)[:5].tolist()} are not valid lon/lat "
            "(arrays are read as longitude, latitude in that order; use read_points to "
            "validate a file)"
        )
    return arr


def _one(point: Any) -> FloatArray:
    if isinstance(point, shapely.Point):
        return np.array([[point.x, point.y]])
    arr = as_lonlat(point)
    if len(arr) != 1:
        raise ValueError(f"expected one point, got {len(arr)}")
    return arr
