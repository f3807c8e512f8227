"""Read road networks from OSM files (``.osm.pbf``, ``.osm``, ``.osm.bz2``) and GraphML.

One reader (pyosmium) handles every OSM format, so a ``.pbf`` and an ``.osm`` XML file of the same
data give identical networks. The result is a set of flat arrays (:class:`EdgeArrays`): one row per
directed edge between consecutive OSM nodes of a way, plus one row per undirected *segment* (the
geometry that points snap to) pointing at its forward and backward edges. Which ways a mode may
use and how fast are in :mod:`carezones.network.speeds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import numpy.typing as npt

from carezones.errors import NetworkError
from carezones.network.coords import haversine_m
from carezones.network.speeds import DRIVE_HIGHWAYS, WALK_HIGHWAYS, Mode, SpeedModel

__all__ = ["EdgeArrays", "is_synthetic", "read_graphml", "read_osm"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


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
    >>> from carezones.network.speeds import SpeedModel
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
    >>> from carezones.network.speeds import SpeedModel
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
    >>> from carezones.network.speeds import SpeedModel
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
