"""Read road networks from OSM files (``.osm.pbf``, ``.osm``, ``.osm.bz2``) and GraphML.

One reader (pyosmium) handles every OSM format, so a ``.pbf`` and an ``.osm`` XML file of the same
data give identical networks. The result is a set of flat arrays (:class:`EdgeArrays`): one row per
directed edge between consecutive OSM nodes of a way, plus one row per undirected *segment* (the
geometry that points snap to) pointing at its forward and backward edges.
:func:`read_features` reads the amenities and named places that sites are scored against;
:func:`read_building_centroids` the buildings (and which are homes) that invented clients and
carers are placed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from carezones.errors import CarezonesError, NetworkError
from carezones.speeds import DRIVE_HIGHWAYS, WALK_HIGHWAYS, Mode, SpeedModel

__all__ = [
    "EARTH_RADIUS_M",
    "OSM_SUFFIXES",
    "RESIDENTIAL_BUILDINGS",
    "EdgeArrays",
    "haversine_m",
    "is_osm_file",
    "is_synthetic",
    "read_building_centroids",
    "read_features",
    "read_graphml",
    "read_osm",
]

EARTH_RADIUS_M = 6_371_009.0  # as osmnx's great-circle distance

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")

_DRIVE_ACCESS_NO = frozenset(
    {
        "no",
        "private",
        "agricultural",
        "forestry",
        "emergency",
        "psv",
        "bus",
        "military",
        "use_sidepath",
    }
)
_FOOT_NO = frozenset({"no", "private", "use_sidepath", "military"})
_FOOT_YES = frozenset({"yes", "designated", "permissive", "official"})
_SERVICE_EXCLUDED = frozenset({"parking_aisle", "emergency_access", "drive-through", "drive-thru"})

Way = tuple[int, dict[str, str], list[int], list[float], list[float]]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass
class EdgeArrays:
    """A road network as flat arrays (unfiltered: before keeping the largest component).

    Node arrays have one entry per node; edge arrays one per directed edge; segment arrays
    one per undirected straight segment (the geometry points snap to; every edge is straight).
    ``seg_ab`` holds a segment's two end nodes; ``seg_fwd`` / ``seg_bwd`` the edge travelling it
    from its first to its second end (or back), ``-1`` where that direction is not allowed.

    Parameters
    ----------
    node_osmid, lon, lat : numpy.ndarray
        Per node: OSM id (negative for points added inside a curved edge), longitude, latitude.
    u, v : numpy.ndarray
        Per directed edge: the node it leaves and the node it reaches.
    length_m, minutes, speed_kph : numpy.ndarray
        Per directed edge: length, travel time and speed.
    way_id, highway, name, maxspeed, oneway, reversed : numpy.ndarray
        Per directed edge: the OSM way and its tags, as osmnx names them.
    seg_ab : numpy.ndarray
        ``(n_segments, 2)``: each segment's two end nodes.
    seg_fwd, seg_bwd : numpy.ndarray
        Per segment, the edge each way (``-1`` where that direction is not allowed).
    osm_timestamp : str, optional
        The data's timestamp.
    synthetic : bool, default False
        Whether the file is carezones' synthetic county.

    Examples
    --------
    >>> from carezones.speeds import SpeedModel
    >>> edges = read_osm(county.osm_path, "drive", SpeedModel())
    >>> len(edges.lon), len(edges.u), len(edges.seg_ab)  # every piece, connected or not
    (510, 1046, 542)
    """

    node_osmid: IntArray
    lon: FloatArray
    lat: FloatArray
    u: IntArray
    v: IntArray
    length_m: FloatArray
    minutes: FloatArray
    speed_kph: FloatArray
    way_id: IntArray
    highway: npt.NDArray[np.str_]
    name: npt.NDArray[np.str_]
    maxspeed: npt.NDArray[np.str_]
    oneway: npt.NDArray[np.bool_]
    reversed: npt.NDArray[np.bool_]
    seg_ab: IntArray
    seg_fwd: IntArray
    seg_bwd: IntArray
    osm_timestamp: str | None = None
    synthetic: bool = False


def is_osm_file(path: Path) -> bool:
    """Return whether the path names an OSM data file by its suffix.

    Parameters
    ----------
    path : pathlib.Path
        The file's path (it need not exist).

    Returns
    -------
    bool
        True for the suffixes in :data:`OSM_SUFFIXES`, such as ``.osm.pbf`` or ``.osm``.

    Examples
    --------
    >>> from pathlib import Path
    >>> is_osm_file(Path("rutland.osm.pbf")), is_osm_file(Path("rutland.graphml"))
    (True, False)
    """
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Return the great-circle distance in metres (vectorised).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array-like
        The two ends' longitudes and latitudes in degrees (arrays broadcast together).

    Returns
    -------
    float or numpy.ndarray
        The distance on a sphere of radius :data:`EARTH_RADIUS_M`, as osmnx computes it.

    Examples
    --------
    >>> round(float(haversine_m(-0.73, 52.67, -0.72, 52.67)))  # a hundredth of a degree east
    674
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _drive_allowed(tags: dict[str, str]) -> bool:
    hw = tags.get("highway", "")
    if hw not in DRIVE_HIGHWAYS or tags.get("area") == "yes":
        return False
    if tags.get("service") in _SERVICE_EXCLUDED or tags.get("oneway") == "reversible":
        return False
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        val = tags.get(key)
        if val is not None:
            return val not in _DRIVE_ACCESS_NO
    return True


def _walk_allowed(tags: dict[str, str]) -> bool:
    hw = tags.get("highway", "")
    if hw not in WALK_HIGHWAYS or tags.get("area") == "yes":
        return False
    foot = tags.get("foot")
    if foot is not None:
        return foot not in _FOOT_NO
    if hw in ("trunk", "trunk_link") and tags.get("sidewalk", "no") in ("no", "none"):
        return tags.get("foot") in _FOOT_YES
    return tags.get("access") not in _FOOT_NO


def _directions(tags: dict[str, str], mode: Mode) -> tuple[bool, bool]:
    """Return (forward allowed, backward allowed) for a way."""
    if mode == "walk":
        return True, True
    ow = tags.get("oneway", "")
    if ow in ("yes", "true", "1"):
        return True, False
    if ow in ("-1", "reverse"):
        return False, True
    if ow == "no":
        return True, True
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return True, False
    return True, True


def read_osm(path: Path, mode: Mode, speeds: SpeedModel) -> EdgeArrays:
    """Read the drivable or walkable ways of an OSM file into :class:`EdgeArrays`.

    Parameters
    ----------
    path : pathlib.Path
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.
    mode : {"drive", "walk"}
        Which ways to keep, and which directions they may be travelled in.
    speeds : SpeedModel
        The speeds that give each edge its travel time.

    Returns
    -------
    EdgeArrays
        The network, with the file's timestamp and whether it is the synthetic county.

    Raises
    ------
    NetworkError
        When the file cannot be read or holds no roads for ``mode``.

    Examples
    --------
    >>> from carezones.speeds import SpeedModel
    >>> edges = read_osm(county.osm_path, "walk", SpeedModel())
    >>> edges.osm_timestamp, edges.synthetic
    ('2026-01-01T00:00:00Z', True)
    """
    import osmium

    allowed = _drive_allowed if mode == "drive" else _walk_allowed
    ways: list[Way] = []
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
            .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        )
        for obj in fp:
            w = cast("osmium.osm.Way", obj)
            tags = {t.k: t.v for t in w.tags}
            if not allowed(tags):
                continue
            refs, lons, lats = [], [], []
            for nd in w.nodes:
                if not nd.location.valid():
                    continue
                refs.append(nd.ref)
                lons.append(nd.lon)
                lats.append(nd.lat)
            if len(refs) >= 2:
                ways.append((w.id, tags, refs, lons, lats))
        timestamp = _osm_timestamp(path)
        synthetic = is_synthetic(path)
    except RuntimeError as exc:
        raise NetworkError(
            f"could not read OSM file {path.name}: {exc}. Check that it is a complete .osm.pbf, "
            ".osm or .osm.bz2 file (re-download it if it was cut short)."
        ) from exc
    if not ways:
        raise NetworkError(
            f"{path.name} holds no {mode} roads: is it an OSM extract of the right area? "
            "(Ways need a highway=* tag; a file of buildings or amenities only has none.)"
        )
    arrays = _arrays_from_ways(ways, mode, speeds, timestamp)
    arrays.synthetic = synthetic
    return arrays


def is_synthetic(path: Path) -> bool:
    """Return whether an OSM file is carezones' synthetic county (its header's generator says so).

    Parameters
    ----------
    path : pathlib.Path
        An OSM file.

    Returns
    -------
    bool
        True when the header's ``generator`` names carezones' synthetic county.

    Examples
    --------
    >>> is_synthetic(county.osm_path)
    True
    """
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        return "SYNTHETIC" in str(reader.header().get("generator") or "")
    finally:
        reader.close()


def _osm_timestamp(path: Path) -> str | None:
    import osmium

    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        header = reader.header()
        for key in ("osmosis_replication_timestamp", "timestamp"):
            value = header.get(key)
            if value:
                return str(value)
    finally:
        reader.close()
    latest: str | None = None
    for obj in osmium.FileProcessor(str(path), osmium.osm.WAY):
        ts = cast("osmium.osm.Way", obj).timestamp
        if ts is not None and ts.year > 1970:
            iso = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
            latest = iso if latest is None or iso > latest else latest
    return latest


def _arrays_from_ways(
    ways: list[Way],
    mode: Mode,
    speeds: SpeedModel,
    timestamp: str | None,
) -> EdgeArrays:
    node_index: dict[int, int] = {}
    lon_l: list[float] = []
    lat_l: list[float] = []
    # per segment
    sa: list[int] = []
    sb: list[int] = []
    s_way: list[int] = []
    s_fwd: list[bool] = []
    s_bwd: list[bool] = []
    way_attrs: list[tuple[str, str, str, bool, float]] = []
    way_ids: list[int] = []
    for wi, (wid, tags, refs, lons, lats) in enumerate(ways):
        fwd, bwd = _directions(tags, mode)
        hw = tags.get("highway", "road")
        ms = tags.get("maxspeed", "")
        if mode == "drive":
            kph = speeds.drive_kph(hw, ms or None, oneway=not (fwd and bwd))
        else:
            kph = speeds.walk_speed_kph(hw)
        way_attrs.append((hw, tags.get("name", tags.get("ref", "")), ms, not (fwd and bwd), kph))
        way_ids.append(wid)
        prev = -1
        for ref, x, y in zip(refs, lons, lats, strict=True):
            idx = node_index.get(ref)
            if idx is None:
                idx = node_index[ref] = len(lon_l)
                lon_l.append(x)
                lat_l.append(y)
            if prev >= 0 and idx != prev:
                sa.append(prev)
                sb.append(idx)
                s_way.append(wi)
                s_fwd.append(fwd)
                s_bwd.append(bwd)
            prev = idx
    lon = np.asarray(lon_l)
    lat = np.asarray(lat_l)
    a = np.asarray(sa, dtype=np.int64)
    b = np.asarray(sb, dtype=np.int64)
    seg_way = np.asarray(s_way, dtype=np.int64)
    fwd_ok = np.asarray(s_fwd, dtype=bool)
    bwd_ok = np.asarray(s_bwd, dtype=bool)
    seg_len = haversine_m(lon[a], lat[a], lon[b], lat[b])
    n_seg = len(a)
    # directed edges: forward ones first, then backward ones
    f_idx = np.flatnonzero(fwd_ok)
    b_idx = np.flatnonzero(bwd_ok)
    seg_of_edge = np.concatenate([f_idx, b_idx])
    is_rev = np.concatenate([np.zeros(len(f_idx), bool), np.ones(len(b_idx), bool)])
    u = np.where(is_rev, b[seg_of_edge], a[seg_of_edge])
    v = np.where(is_rev, a[seg_of_edge], b[seg_of_edge])
    seg_fwd = np.full(n_seg, -1, dtype=np.int64)
    seg_bwd = np.full(n_seg, -1, dtype=np.int64)
    seg_fwd[f_idx] = np.arange(len(f_idx))
    seg_bwd[b_idx] = len(f_idx) + np.arange(len(b_idx))
    w_of_edge = seg_way[seg_of_edge]
    hw_arr = np.array([w[0] for w in way_attrs], dtype=str)
    name_arr = np.array([w[1] for w in way_attrs], dtype=str)
    ms_arr = np.array([w[2] for w in way_attrs], dtype=str)
    ow_arr = np.array([w[3] for w in way_attrs], dtype=bool)
    kph_arr = np.array([w[4] for w in way_attrs], dtype=float)
    length = seg_len[seg_of_edge]
    kph = kph_arr[w_of_edge]
    return EdgeArrays(
        node_osmid=np.fromiter(node_index.keys(), dtype=np.int64, count=len(node_index)),
        lon=lon,
        lat=lat,
        u=u.astype(np.int64),
        v=v.astype(np.int64),
        length_m=length,
        minutes=length / (kph * 1000.0 / 60.0),
        speed_kph=kph,
        way_id=np.asarray(way_ids, dtype=np.int64)[w_of_edge],
        highway=hw_arr[w_of_edge],
        name=name_arr[w_of_edge],
        maxspeed=ms_arr[w_of_edge],
        oneway=ow_arr[w_of_edge],
        reversed=is_rev,
        seg_ab=np.stack([a, b], axis=1),
        seg_fwd=seg_fwd,
        seg_bwd=seg_bwd,
        osm_timestamp=timestamp,
    )


def read_graphml(path: Path, mode: Mode, speeds: SpeedModel) -> EdgeArrays:
    """Read an osmnx GraphML file into :class:`EdgeArrays`.

    Edges with curved ``geometry`` are split at their vertices (the split points get negative
    node ids) so that points snap to the true shape of the road. A two-way street, stored by
    osmnx as a pair of opposite edges, becomes one two-way way. Speeds come from the
    ``highway``/``maxspeed`` tags through the speed model, like OSM files.

    Parameters
    ----------
    path : pathlib.Path
        A GraphML file saved by osmnx.
    mode : {"drive", "walk"}
        The network's mode.
    speeds : SpeedModel
        The speeds that give each edge its travel time.

    Returns
    -------
    EdgeArrays
        The network (no timestamp: GraphML files do not keep one).

    Raises
    ------
    NetworkError
        When the file cannot be read or holds no edges.

    Examples
    --------
    A network saved by osmnx (here the synthetic county's, through ``RoadNetwork.graph``):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import osmnx as ox
    >>> from carezones.speeds import SpeedModel
    >>> path = Path(tempfile.mkdtemp()) / "county.graphml"
    >>> ox.save_graphml(net.graph, path)
    >>> edges = read_graphml(path, "drive", SpeedModel())
    >>> len(edges.lon), len(edges.u), edges.osm_timestamp
    (507, 1042, None)
    """
    import osmnx as ox

    try:
        graph = ox.load_graphml(path)
    except Exception as exc:
        raise NetworkError(f"could not read GraphML file {path.name}: {exc}") from exc
    ways: list[Way] = []
    seen: dict[tuple[int, int, str, float], int] = {}
    fake = -1
    for u, v, data in graph.edges(data=True):
        osmid = data.get("osmid", 0)
        osmid = int(osmid[0] if isinstance(osmid, list) else osmid)
        hw = data.get("highway", "road")
        hw = str(hw[0] if isinstance(hw, list) else hw)
        ms = data.get("maxspeed")
        ms = ";".join(map(str, ms)) if isinstance(ms, list) else (str(ms) if ms else "")
        length = round(float(data.get("length", 0.0)), 1)
        key = (min(u, v), max(u, v), f"{osmid}", length)
        if key in seen:  # the opposite edge of a two-way street
            ways[seen[key]][1]["oneway"] = "no"
            continue
        geom = data.get("geometry")
        if geom is not None:
            xs, ys = (list(c) for c in geom.xy)
        else:
            xs = [graph.nodes[u]["x"], graph.nodes[v]["x"]]
            ys = [graph.nodes[u]["y"], graph.nodes[v]["y"]]
        inner = list(range(fake, fake - (len(xs) - 2), -1))
        fake -= len(inner)
        tags = {"highway": hw, "maxspeed": ms, "oneway": "yes"}
        name = data.get("name")
        if name:
            tags["name"] = str(name[0] if isinstance(name, list) else name)
        seen[key] = len(ways)
        ways.append((osmid, tags, [int(u), *inner, int(v)], xs, ys))
    if not ways:
        raise NetworkError(f"{path.name} holds no edges")
    return _arrays_from_ways(ways, mode, speeds, None)


def read_features(
    path: Path, categories: list[tuple[str, dict[str, tuple[str, ...]]]], places: Any
) -> tuple[Any, Any]:
    """Return the tagged features of an OSM file: amenities by category, and named places.

    ``categories`` are ``(name, {key: values})`` (``"*"``: any value). Nodes keep their point;
    mapped areas (a building, a park) their polygon. Returns two GeoDataFrames: amenities
    (``category, name, tag, osm_id, geometry``; an object in two categories is listed in each)
    and place nodes of the ``places`` kinds with a name (``name, place, osm_id, geometry``).

    Parameters
    ----------
    path : pathlib.Path
        An OSM file.
    categories : list of (str, dict)
        The amenity categories: a name and the tag values that make an amenity of it.
    places : collection of str
        The ``place=*`` kinds to keep, such as ``("city", "town")``.

    Returns
    -------
    amenities : geopandas.GeoDataFrame
        ``category, name, tag, osm_id`` and geometry, in EPSG:4326.
    places : geopandas.GeoDataFrame
        ``name, place, osm_id`` and geometry, in EPSG:4326.

    Raises
    ------
    FileNotFoundError
        When there is no such file.

    Examples
    --------
    >>> shops = [("shops", {"shop": ("supermarket", "convenience")})]
    >>> amenities, places = read_features(county.osm_path, shops, ("town", "village"))
    >>> amenities.name.tolist()[:2], places.name.tolist()
    (['Tesco Express', 'One Stop'], ['Lythwick', 'Yarholme', 'Caldwell', 'Swinham'])
    """
    import osmium
    import shapely

    if not Path(path).exists():
        raise FileNotFoundError(f"OSM file not found: {path}")
    keys = sorted({k for _, tags in categories for k in tags} | {"place"})
    filt = osmium.filter.KeyFilter(*keys)
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(filt).with_filter(filt)
    amen: list[dict[str, Any]] = []
    towns: list[dict[str, Any]] = []
    obj: Any
    for obj in fp:
        if obj.is_node():
            geom: Any = shapely.Point(obj.location.lon, obj.location.lat)
            osm_id = f"node/{obj.id}"
        elif obj.is_area():
            polys = []
            for outer in obj.outer_rings():
                ring = [(n.lon, n.lat) for n in outer]
                if len(ring) >= 4:
                    polys.append(shapely.Polygon(ring))
            if not polys:
                continue
            geom = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
            osm_id = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
        else:
            continue
        tags = obj.tags
        name = tags.get("name") or tags.get("brand") or ""
        place = tags.get("place")
        if place in places and obj.is_node() and name:
            towns.append({"name": name, "place": place, "osm_id": osm_id, "geometry": geom})
        for cat, wanted in categories:
            for key, values in wanted.items():
                v = tags.get(key)
                if v is not None and ("*" in values or v in values):
                    amen.append(
                        {
                            "category": cat,
                            "name": name,
                            "tag": f"{key}={v}",
                            "osm_id": osm_id,
                            "geometry": geom,
                        }
                    )
                    break
    return (
        _features(amen, ["category", "name", "tag", "osm_id"]),
        _features(towns, ["name", "place", "osm_id"]),
    )


def _features(rows: list[dict[str, Any]], columns: list[str]) -> Any:
    """Return rows with a geometry as a GeoDataFrame in WGS84 (empty: keeping the columns)."""
    import geopandas as gpd

    if not rows:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# ---------------------------------------------------------------------- buildings
RESIDENTIAL_BUILDINGS = frozenset(
    {
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "bungalow",
        "residential",
        "apartments",
        "farmhouse",
        "farm",
        "cottage",
    }
)
"""``building=*`` values that are homes (``yes`` counts only inside ``landuse=residential``)."""


def read_building_centroids(
    path: Path,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Return the centroids (lon, lat) of an OSM file's buildings, which are homes, which ``yes``.

    Homes are buildings tagged with a value in :data:`RESIDENTIAL_BUILDINGS`, and
    ``building=yes`` inside a ``landuse=residential`` area; other ``yes`` buildings are flagged
    separately (they may be homes or not); other kinds of building are left out. Buildings are
    in OSM id order.

    Parameters
    ----------
    path : pathlib.Path
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.

    Returns
    -------
    lon : numpy.ndarray
        The longitude of the area centroid of each building's largest outer ring.
    lat : numpy.ndarray
        Its latitude.
    home : numpy.ndarray of bool
        Whether each building is a home.
    yes : numpy.ndarray of bool
        Whether it is another ``building=yes``.

    Examples
    --------
    >>> lon, lat, home, yes = read_building_centroids(county.osm_path)
    >>> len(lon), int(home.sum()), int(yes.sum())
    (724, 724, 0)
    """
    import osmium
    import shapely

    keys = osmium.filter.KeyFilter("building", "landuse")
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(keys).with_filter(keys)
    found: list[tuple[int, int, int]] = []  # (area id, first ring point, 1 home / 0 yes)
    coords: list[tuple[float, float]] = []
    landuse: list[tuple[int, shapely.Polygon]] = []
    obj: Any
    try:
        for obj in fp:
            if not obj.is_area():
                continue
            building = obj.tags.get("building")
            if building is not None:
                kind = 1 if building in RESIDENTIAL_BUILDINGS else 0 if building == "yes" else -1
                if kind < 0:
                    continue
                rings = [_ring_lonlat(r) for r in obj.outer_rings()]
                ring = max(rings, key=len, default=[])
                if len(ring) >= 3:
                    found.append((obj.id, len(coords), kind))
                    coords += ring
            elif obj.tags.get("landuse") == "residential":
                for outer in obj.outer_rings():
                    shell = _ring_lonlat(outer)
                    holes = [h for h in map(_ring_lonlat, obj.inner_rings(outer)) if len(h) >= 3]
                    if len(shell) >= 3:
                        landuse.append((obj.id, shapely.Polygon(shell, holes)))
    except RuntimeError as exc:
        raise CarezonesError(
            f"could not read OSM file {path.name}: {exc}. Check that it is a complete .osm.pbf, "
            ".osm or .osm.bz2 file."
        ) from exc
    if not found:
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, bool), np.zeros(0, bool)
    starts = np.array([f[1] for f in found], dtype=np.intp)
    lon_a, lat_a = _ring_centroids(np.array(coords, dtype=np.float64), starts)
    home = np.array([f[2] == 1 for f in found])
    order = np.argsort([f[0] for f in found], kind="stable")
    lon_a, lat_a, home = lon_a[order], lat_a[order], home[order]
    yes = ~home
    if landuse and yes.any():
        landuse.sort(key=lambda t: t[0])
        polys = np.array([p for _, p in landuse], dtype=object)
        bad = ~shapely.is_valid(polys)
        polys[bad] = shapely.make_valid(polys[bad])
        tree = shapely.STRtree(polys)
        idx = np.flatnonzero(yes)
        hits = tree.query(shapely.points(lon_a[idx], lat_a[idx]), predicate="within")
        inside = np.zeros(len(idx), bool)
        inside[hits[0]] = True
        home[idx[inside]] = True
        yes[idx[inside]] = False
    return lon_a, lat_a, home, yes


def _ring_lonlat(ring: Any) -> list[tuple[float, float]]:
    return [(nd.lon, nd.lat) for nd in ring if nd.location.valid()]


def _ring_centroids(xy: FloatArray, starts: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
    """Area centroids (lon, lat) of many small lon/lat rings stored one after another."""
    sizes = np.diff(np.append(starts, len(xy)))
    origin = np.repeat(xy[starts], sizes, axis=0)
    k = np.cos(np.radians(origin[:, 1]))
    x, y = (xy[:, 0] - origin[:, 0]) * k, xy[:, 1] - origin[:, 1]
    nxt = np.arange(1, len(xy) + 1)
    nxt[starts + sizes - 1] = starts
    cross = x * y[nxt] - x[nxt] * y
    area = np.add.reduceat(cross, starts) / 2.0
    cx = np.add.reduceat((x + x[nxt]) * cross, starts)
    cy = np.add.reduceat((y + y[nxt]) * cross, starts)
    flat = np.abs(area) < 1e-14
    safe = np.where(flat, 1.0, 6.0 * area)
    cx, cy = cx / safe, cy / safe
    cx[flat] = (np.add.reduceat(x, starts) / sizes)[flat]
    cy[flat] = (np.add.reduceat(y, starts) / sizes)[flat]
    lon0, lat0 = xy[starts, 0], xy[starts, 1]
    return lon0 + cx / np.cos(np.radians(lat0)), lat0 + cy
