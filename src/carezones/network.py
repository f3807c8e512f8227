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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from carezones import _osm, _osrm
from carezones._data import cache_dir
from carezones._errors import NetworkError, OfflineError
from carezones._routing import Attachment, ChainGraph, Chains, attach, build_chains
from carezones.speeds import Mode, SpeedModel

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

log = logging.getLogger("carezones")

Engine = Literal["auto", "builtin", "osrm"]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ATTRIBUTION = "© OpenStreetMap contributors"
CACHE_VERSION = 1

_EDGE_FIELDS = (
    "u",
    "v",
    "length_m",
    "minutes",
    "speed_kph",
    "way_id",
    "highway",
    "name",
    "maxspeed",
    "oneway",
    "reversed",
)
_CHAIN_FIELDS = tuple(Chains.__dataclass_fields__)


@dataclass(frozen=True)
class Provenance:
    """Where a network came from and what was done to it.

    Attributes
    ----------
    source : str
        The file (or place name) the network was loaded from.
    sha256 : str
        Hash of the source file's content (empty for a place name).
    osm_timestamp : str or None
        The OSM data's timestamp (replication timestamp of the extract, or newest way).
    mode : str
        ``"drive"`` or ``"walk"``.
    attribution : str
        Must be shown on every map and derived dataset: "© OpenStreetMap contributors".
    licence : str
        The OSM data licence.
    nodes, edges : int
        Nodes and directed edges kept (the largest strongly connected part).
    dropped_nodes, dropped_edges, dropped_components : int
        What was left out because it cannot be reached from the rest, or cannot reach it.
    from_cache : bool
        Whether the prepared network came from the on-disk cache.
    """

    source: str
    sha256: str
    osm_timestamp: str | None
    mode: str
    nodes: int
    edges: int
    dropped_nodes: int
    dropped_edges: int
    dropped_components: int
    from_cache: bool = False
    attribution: str = ATTRIBUTION
    licence: str = "Open Database Licence (ODbL) 1.0"

    def describe(self) -> str:
        """Return one human-readable line about the network."""
        ts = f", OSM data of {self.osm_timestamp}" if self.osm_timestamp else ""
        return (
            f"{self.mode} network from {Path(self.source).name}{ts}: {self.nodes:,} nodes, "
            f"{self.edges:,} edges (dropped {self.dropped_nodes:,} nodes in "
            f"{self.dropped_components:,} unconnected pieces). {self.attribution}"
        )


@dataclass
class Snapped:
    """Where points meet the network.

    Attributes
    ----------
    segment : numpy.ndarray
        Index of the road segment each point snapped to.
    fraction : numpy.ndarray
        Position along the segment (0 at its first node, 1 at its second).
    distance_m : numpy.ndarray
        Straight-line distance from the point to the road, in metres.
    lon, lat : numpy.ndarray
        The snapped location on the road.
    far : numpy.ndarray
        True where the point is more than ``max_snap_m`` from any road: such points are not
        routed (their travel times are ``inf``).
    access_minutes : numpy.ndarray
        Minutes of the access leg (``inf`` for far points).
    """

    segment: IntArray
    fraction: FloatArray
    distance_m: FloatArray
    lon: FloatArray
    lat: FloatArray
    far: npt.NDArray[np.bool_]
    access_minutes: FloatArray

    def to_frame(self) -> pd.DataFrame:
        """Return the snap results as a DataFrame (one row per point)."""
        return pd.DataFrame(asdict(self))


@dataclass
class Route:
    """A fastest route between two points.

    Attributes
    ----------
    geometry : shapely.LineString
        The route in WGS84 (lon/lat), from the origin point along the roads to the destination.
    minutes : float
        Travel time including both access legs (``inf`` when unreachable).
    metres : float
        Length of the route including both access legs.
    nodes : list of int
        OSM ids of the network nodes passed.
    """

    geometry: shapely.LineString | None
    minutes: float
    metres: float
    nodes: list[int] = field(default_factory=list)


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
        arrays: dict[str, Any],
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
        self._a = arrays
        self.node_osmid: IntArray = arrays["node_osmid"]
        self.lon: FloatArray = arrays["lon"]
        self.lat: FloatArray = arrays["lat"]
        self.crs = _metric_crs(self.lon, self.lat)
        self._to_metric = Transformer.from_crs("EPSG:4326", self.crs, always_xy=True)
        self._to_wgs = Transformer.from_crs(self.crs, "EPSG:4326", always_xy=True)
        self.x, self.y = self._to_metric.transform(self.lon, self.lat)
        chains = Chains(**{k: arrays[f"chain_{k}"] for k in _CHAIN_FIELDS})
        self._router = ChainGraph(chains, arrays["v"], arrays["minutes"])
        self._osrm_base = osrm_base
        self._osrm_engine: _osrm.OsrmEngine | None = None
        if engine not in ("builtin", "osrm"):
            raise ValueError(f"engine must be 'builtin' or 'osrm', got {engine!r}")
        self.engine = engine

    # ------------------------------------------------------------------ basic facts
    def __repr__(self) -> str:
        return f"<RoadNetwork {self.provenance.describe()} engine={self.engine}>"

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self._a["u"])

    @property
    def edges(self) -> pd.DataFrame:
        """Directed edges as a table: node indices, length, minutes, speed and OSM tags."""
        return pd.DataFrame({k: self._a[k] for k in _EDGE_FIELDS})

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

    @cached_property
    def _segments(self) -> tuple[shapely.STRtree, npt.NDArray[np.object_]]:
        ab = self._a["seg_ab"]
        coords = np.stack(
            [np.column_stack([self.x[ab[:, 0]], self.y[ab[:, 0]]]),
             np.column_stack([self.x[ab[:, 1]], self.y[ab[:, 1]]])],
            axis=1,
        )  # fmt: skip
        lines = shapely.linestrings(coords)
        return shapely.STRtree(lines), lines

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
        deg = np.bincount(self._a["seg_ab"].ravel(), minlength=self.n_nodes).tolist()
        g.add_nodes_from(
            (i, {"x": x, "y": y, "street_count": d})
            for i, x, y, d in zip(ids, self.lon.tolist(), self.lat.tolist(), deg, strict=True)
        )
        e = self.edges
        cols = [e[c].tolist() for c in _EDGE_FIELDS]
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
        px, py = self._to_metric.transform(lonlat[:, 0], lonlat[:, 1])
        tree, lines = self._segments
        pts = shapely.points(px, py)
        if n == 0:
            e = np.zeros(0)
            return Snapped(e.astype(np.int64), e, e, e, e, e.astype(bool), e)
        idx = tree.query_nearest(pts, all_matches=False, return_distance=False)
        seg = np.full(n, -1, dtype=np.int64)
        seg[idx[0]] = idx[1]
        on = lines[seg]
        frac = shapely.line_locate_point(on, pts, normalized=True)
        frac = np.nan_to_num(frac, nan=0.0)
        snapped = shapely.line_interpolate_point(on, frac, normalized=True)
        dist = shapely.distance(pts, snapped)
        sx, sy = shapely.get_x(snapped), shapely.get_y(snapped)
        slon, slat = self._to_wgs.transform(sx, sy)
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

    def _attach(self, snapped: Snapped) -> Attachment:
        a = self._a
        return attach(
            self._router.chains,
            a["minutes"],
            a["seg_fwd"],
            a["seg_bwd"],
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
        return self._router.table(self._attach(so), self._attach(sd), progress=progress)

    def _osrm_table(self, o: FloatArray, d: FloatArray | None) -> FloatArray:
        """OSRM table plus access legs; points OSRM snaps farther than max_snap_m get inf."""
        if self._osrm_engine is None:
            if self._osrm_base is None:
                raise NetworkError(
                    "the OSRM engine is not available for this network (it needs an OSM file "
                    "source and the osrm-bindings package); use engine='builtin'"
                )
            self._osrm_engine = _osrm.OsrmEngine(self._osrm_base)
        minutes, snap_o, snap_d = self._osrm_engine.table(o, d)
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
        return self._router.nearest(self._attach(so), self._attach(st))

    def times_to_nodes(self, points: Any) -> FloatArray:
        """Return minutes from each point to every network node (rows: points)."""
        return self._router.to_nodes(self._attach(self.snap(points)), self.n_nodes)

    def route(self, origin: Any, destination: Any) -> Route:
        """Return the fastest route between two points: geometry, minutes and metres.

        Parameters
        ----------
        origin, destination : point
            A (lon, lat) pair, a shapely Point in lon/lat, or a one-point GeoSeries.
        """
        so, sd = self.snap(_one(origin)), self.snap(_one(destination))
        minutes, nodes = self._router.path(self._attach(so), self._attach(sd))
        if not np.isfinite(minutes):
            return Route(None, float("inf"), float("inf"), [])
        o, d = _one(origin)[0], _one(destination)[0]
        line = [tuple(o), (so.lon[0], so.lat[0])]
        line += list(zip(self.lon[nodes].tolist(), self.lat[nodes].tolist(), strict=True))
        line += [(sd.lon[0], sd.lat[0]), tuple(d)]
        lon_l, lat_l = np.array(line).T
        road = float(_osm.haversine_m(lon_l[1:-2], lat_l[1:-2], lon_l[2:-1], lat_l[2:-1]).sum())
        metres = road + float(so.distance_m[0] + sd.distance_m[0])
        return Route(
            shapely.LineString(line),
            float(minutes),
            metres,
            [int(x) for x in self.node_osmid[nodes]],
        )

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
        t_nodes = self.times_to_nodes(points)
        snapped = self.snap(points)
        sx, sy = self._to_metric.transform(snapped.lon, snapped.lat)
        u, v, mins = self._a["u"], self._a["v"], self._a["minutes"]
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

        ab = self._a["seg_ab"]
        fwd, bwd = self._a["seg_fwd"], self._a["seg_bwd"]
        e = np.where(fwd >= 0, fwd, bwd)
        coords = np.stack(
            [np.column_stack([self.lon[ab[:, 0]], self.lat[ab[:, 0]]]),
             np.column_stack([self.lon[ab[:, 1]], self.lat[ab[:, 1]]])],
            axis=1,
        )  # fmt: skip
        return gpd.GeoDataFrame(
            {
                "highway": self._a["highway"][e],
                "name": self._a["name"][e],
                "maxspeed": self._a["maxspeed"][e],
                "speed_kph": self._a["speed_kph"][e],
                "oneway": (fwd < 0) | (bwd < 0),
            },
            geometry=shapely.linestrings(coords),
            crs="EPSG:4326",
        )

    def _road_km(self) -> float:
        """Kilometres of road: each segment once, whichever directions it allows."""
        a = self._a
        edge = np.where(a["seg_fwd"] >= 0, a["seg_fwd"], a["seg_bwd"])
        return float(a["length_m"][edge].sum()) / 1000.0

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


# ---------------------------------------------------------------------- loading
def load_network(
    source: str | os.PathLike[str],
    mode: Mode = "drive",
    engine: Engine = "auto",
    *,
    speeds: SpeedModel | None = None,
    max_snap_m: float = 1000.0,
    cache: bool = True,
    timeout_s: float = 5.0,
) -> RoadNetwork:
    """Load a drive or walk road network.

    Parameters
    ----------
    source : str or path
        An OSM extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``), an osmnx ``.graphml`` file, or a
        place name to fetch through osmnx (needs the internet; offline this fails at once
        with :class:`~carezones.OfflineError`).
    mode : {"drive", "walk"}
        Which ways to keep and how fast they are travelled (see :mod:`carezones.speeds`).
    engine : {"auto", "builtin", "osrm"}
        Default engine for :meth:`RoadNetwork.travel_times`. ``"auto"`` picks OSRM when the
        source is an OSM file and ``osrm-bindings`` is installed, else the built-in engine.
    speeds : SpeedModel, optional
        Speed overrides (default :class:`~carezones.speeds.SpeedModel()`).
    max_snap_m : float
        Points farther than this from any road are flagged and not routed.
    cache : bool
        Keep the prepared network (and OSRM files) in the cache folder (``$CAREZONES_CACHE``
        or ``~/.cache/carezones``), keyed by the file's content, the mode and the speed model.
    timeout_s : float
        How long to wait for the internet when ``source`` is a place name.

    Returns
    -------
    RoadNetwork

    Examples
    --------
    >>> net = load_network("rutland-2022-07-20.osm.pbf", mode="drive")  # doctest: +SKIP
    >>> net.provenance.attribution  # doctest: +SKIP
    '© OpenStreetMap contributors'
    """
    speeds = speeds or SpeedModel()
    if mode not in ("drive", "walk"):
        raise ValueError(f"mode must be 'drive' or 'walk', got {mode!r}")
    if engine not in ("auto", "builtin", "osrm"):
        raise ValueError(f"engine must be 'auto', 'builtin' or 'osrm', got {engine!r}")
    path = Path(source)
    if not path.exists():
        if path.suffix or os.sep in str(source):
            raise FileNotFoundError(
                f"network file not found: {source}. Give the path of an .osm.pbf/.osm/.graphml "
                "file (e.g. a county extract from Geofabrik)."
            )
        return _from_place(str(source), mode, speeds, max_snap_m, timeout_s)
    is_osm = _osm.is_osm_file(path)
    if not is_osm and path.suffix.lower() != ".graphml":
        raise NetworkError(
            f"{path.name}: unknown network format; use .osm.pbf, .osm, .osm.bz2 or .graphml"
        )
    digest = _sha256(path)
    key = f"{digest[:16]}-{mode}-{speeds.key()}-v{CACHE_VERSION}"
    folder = cache_dir() / "networks" / key
    arrays, prov = _load_cached(folder) if cache else (None, None)
    if arrays is None or prov is None:
        raw = _osm.read_osm(path, mode, speeds) if is_osm else _osm.read_graphml(path, mode, speeds)
        arrays, prov = _prepare(raw, str(path), digest, mode)
        if cache:
            _save_cached(folder, arrays, prov)
    else:
        prov = Provenance(**{**asdict(prov), "source": str(path), "from_cache": True})
    osrm_base = None
    use_osrm = engine == "osrm" or (engine == "auto" and is_osm and _osrm.available())
    if use_osrm:
        if not is_osm:
            raise NetworkError("engine='osrm' needs an OSM file (.osm.pbf/.osm), not GraphML")
        if not _osrm.available():
            raise NetworkError(
                "engine='osrm' needs the osrm-bindings package: pip install osrm-bindings"
            )
        base_dir = (
            folder if cache else cache_dir() / "tmp" / key
        ) / f"osrm-{_osrm.profile_key(mode, speeds)}"
        osrm_base = _osrm.build(path, mode, speeds, base_dir)
    net = RoadNetwork(
        arrays,
        mode=mode,
        speeds=speeds,
        provenance=prov,
        engine="osrm" if use_osrm else "builtin",
        osrm_base=osrm_base,
        max_snap_m=max_snap_m,
    )
    log.info("loaded %s", prov.describe())
    return net


def _from_place(
    place: str, mode: Mode, speeds: SpeedModel, max_snap_m: float, timeout_s: float
) -> RoadNetwork:
    if not _internet_available(timeout_s):
        raise OfflineError(
            f"'{place}' is not a file, so it would be fetched from OpenStreetMap, but there is "
            "no internet connection. Download an extract (.osm.pbf) of the area, e.g. from "
            "Geofabrik, and pass its path instead."
        )
    import osmnx as ox

    ox.settings.requests_timeout = int(max(timeout_s, 30))
    graph = ox.graph_from_place(place, network_type=mode, simplify=False, retain_all=True)
    tmp = cache_dir() / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    gml = tmp / (hashlib.sha256(place.encode()).hexdigest()[:16] + ".graphml")
    ox.save_graphml(graph, gml)
    return load_network(gml, mode, "builtin", speeds=speeds, max_snap_m=max_snap_m)


def _internet_available(timeout_s: float, host: str = "overpass-api.de") -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _prepare(
    raw: _osm.EdgeArrays, source: str, digest: str, mode: Mode
) -> tuple[dict[str, Any], Provenance]:
    """Keep the largest strongly connected part and build the routing chains."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(raw.lon)
    adj = csr_matrix((np.ones(len(raw.u)), (raw.u, raw.v)), shape=(n, n))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    biggest = int(np.argmax(np.bincount(labels)))
    keep_node = labels == biggest
    keep_edge = keep_node[raw.u] & keep_node[raw.v]
    new_index = np.cumsum(keep_node) - 1
    edge_new = np.cumsum(keep_edge) - 1
    arrays: dict[str, Any] = {
        "node_osmid": raw.node_osmid[keep_node],
        "lon": raw.lon[keep_node],
        "lat": raw.lat[keep_node],
    }
    for f in _EDGE_FIELDS:
        arrays[f] = getattr(raw, f)[keep_edge]
    arrays["u"] = new_index[arrays["u"]]
    arrays["v"] = new_index[arrays["v"]]
    fwd, bwd = raw.seg_fwd, raw.seg_bwd
    fwd_ok = (fwd >= 0) & keep_edge[np.maximum(fwd, 0)]
    bwd_ok = (bwd >= 0) & keep_edge[np.maximum(bwd, 0)]
    keep_seg = fwd_ok | bwd_ok
    arrays["seg_ab"] = new_index[raw.seg_ab[keep_seg]]
    arrays["seg_fwd"] = np.where(fwd_ok, edge_new[np.maximum(fwd, 0)], -1)[keep_seg]
    arrays["seg_bwd"] = np.where(bwd_ok, edge_new[np.maximum(bwd, 0)], -1)[keep_seg]
    chains = build_chains(len(arrays["lon"]), arrays["u"], arrays["v"], arrays["minutes"])
    for k in _CHAIN_FIELDS:
        arrays[f"chain_{k}"] = getattr(chains, k)
    prov = Provenance(
        source=source,
        sha256=digest,
        osm_timestamp=raw.osm_timestamp,
        mode=mode,
        nodes=int(keep_node.sum()),
        edges=int(keep_edge.sum()),
        dropped_nodes=int(n - keep_node.sum()),
        dropped_edges=int(len(raw.u) - keep_edge.sum()),
        dropped_components=int(n_comp - 1),
    )
    return arrays, prov


def _load_cached(folder: Path) -> tuple[dict[str, Any] | None, Provenance | None]:
    npz, meta = folder / "arrays.npz", folder / "provenance.json"
    if not (npz.exists() and meta.exists()):
        return None, None
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        prov = Provenance(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError) as exc:
        log.warning("ignoring a damaged network cache in %s (%s)", folder, exc)
        return None, None
    return arrays, prov


def _save_cached(folder: Path, arrays: dict[str, Any], prov: Provenance) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".arrays-{os.getpid()}-{time.time_ns()}.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, folder / "arrays.npz")
    (folder / "provenance.json").write_text(json.dumps(asdict(prov), indent=1))


def clear_cache() -> None:
    """Delete every cached network (and OSRM build)."""
    shutil.rmtree(cache_dir() / "networks", ignore_errors=True)


# ---------------------------------------------------------------------- helpers
def _metric_crs(lon: FloatArray, lat: FloatArray) -> CRS:
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
    try:
        import geopandas as gpd
    except ImportError:  # pragma: no cover - geopandas is a dependency
        gpd = None
    if gpd is not None and isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
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
