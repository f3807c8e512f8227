"""A network's shapes: road segments as lines, and answers as graphs, routes and isochrones.

:class:`~carezones.network.RoadNetwork`'s ``segment_lines``, ``segment_crossings``,
``access_points``, ``graph``, ``edges_gdf``, ``routes`` and ``isochrones`` are documented
there; the work is done here, from the network's public attributes and queries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely

from carezones.network.coords import haversine_m
from carezones.network.data import EDGE_FIELDS, Route, Snapped

if TYPE_CHECKING:
    import geopandas as gpd
    import networkx as nx

    from carezones.network.road import RoadNetwork

__all__ = [
    "NEAR_NODE_M",
    "access_lonlat",
    "crossings",
    "isochrone_areas",
    "nearest_segments",
    "networkx_graph",
    "road_lines",
    "route_lines",
    "segment_index",
    "snap_lonlat",
]

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
ObjectArray = npt.NDArray[np.object_]

NEAR_NODE_M = 2000.0  # points farther than this from every node snap by the R-tree search


def segment_index(seg_ab: IntArray, x: FloatArray, y: FloatArray) -> tuple[Any, ObjectArray]:
    """Return the road segments as lines and an R-tree over them.

    Parameters
    ----------
    seg_ab : numpy.ndarray
        ``(n_segments, 2)``: each segment's two nodes.
    x, y : numpy.ndarray
        Per node, its coordinates in metres.

    Returns
    -------
    tree : shapely.STRtree
        An R-tree over the lines.
    lines : numpy.ndarray
        Line ``i`` runs from node ``seg_ab[i, 0]`` to node ``seg_ab[i, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> tree, lines = segment_index(np.array([[0, 1]]), np.array([0.0, 3.0]), np.zeros(2))
    >>> print(lines[0])
    LINESTRING (0 0, 3 0)
    """
    coords = np.stack(
        [
            np.column_stack([x[seg_ab[:, 0]], y[seg_ab[:, 0]]]),
            np.column_stack([x[seg_ab[:, 1]], y[seg_ab[:, 1]]]),
        ],
        axis=1,
    )
    lines = shapely.linestrings(coords)
    return shapely.STRtree(lines), lines


def crossings(tree: Any, lines: ObjectArray) -> tuple[IntArray, FloatArray]:
    """Return the pairs of segments that cross without a shared node: bridges and tunnels.

    Parameters
    ----------
    tree : shapely.STRtree
        An R-tree over ``lines``.
    lines : numpy.ndarray
        The segments' lines (from :func:`segment_index`).

    Returns
    -------
    pairs : numpy.ndarray
        ``(n, 2)`` segment indices, the lower first.
    fractions : numpy.ndarray
        ``(n, 2)`` fractions along each segment where they cross.

    Examples
    --------
    >>> import numpy as np
    >>> tree, lines = segment_index(np.array([[0, 1], [2, 3]]), np.array([0.0, 4, 1, 1]),
    ...                             np.array([0.0, 0, -1, 1]))
    >>> crossings(tree, lines)
    (array([[0, 1]]), array([[0.25, 0.5 ]]))
    """
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


def nearest_segments(tree: Any, lines: ObjectArray, node_tree: Any, pts: ObjectArray) -> IntArray:
    """Return the index of the road segment nearest each point; ties: the lowest index.

    The nearest node bounds the search: the nearest segment is no farther than it, so only
    segments within that distance are measured. Points far from every node (more than
    :data:`NEAR_NODE_M`) fall back to the R-tree's nearest-neighbour search.

    Parameters
    ----------
    tree : shapely.STRtree
        An R-tree over ``lines``.
    lines : numpy.ndarray
        The segments' lines, in metres.
    node_tree : scipy.spatial.cKDTree
        A k-d tree over the nodes' coordinates, in metres.
    pts : numpy.ndarray
        Shapely points, in metres.

    Returns
    -------
    numpy.ndarray
        Per point, the index of its nearest segment.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from scipy.spatial import cKDTree
    >>> x, y = np.array([0.0, 4, 1, 1]), np.array([0.0, 0, 1, 5])
    >>> tree, lines = segment_index(np.array([[0, 1], [2, 3]]), x, y)
    >>> nearest_segments(tree, lines, cKDTree(np.column_stack([x, y])),
    ...                  shapely.points([(3, 0.5), (1.5, 4)]))
    array([0, 1])
    """
    seg = np.full(len(pts), -1, dtype=np.int64)
    if len(pts) == 0:
        return seg
    node_m, _ = node_tree.query(np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]))
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


def snap_lonlat(net: RoadNetwork, lonlat: FloatArray, node_tree: Callable[[], Any]) -> Snapped:
    """Snap points to the nearest road segment (not only the nearest node).

    Points farther than the network's ``max_snap_m`` from every road are flagged ``far`` (and
    a warning is logged on the ``carezones`` logger).

    Parameters
    ----------
    net : RoadNetwork
        The network.
    lonlat : numpy.ndarray
        ``(n, 2)`` longitudes and latitudes.
    node_tree : callable
        Returns a k-d tree over the nodes' metric coordinates (called only when there are
        points).

    Returns
    -------
    Snapped
        As :meth:`RoadNetwork.snap <carezones.RoadNetwork.snap>` describes it.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial import cKDTree
    >>> tree = cKDTree(np.column_stack([net.x, net.y]))
    >>> snap_lonlat(net, np.array([(1.5941, 54.3893)]), lambda: tree).distance_m.round(1)
    array([10.4])
    """
    n = len(lonlat)
    px, py = net.to_metric(lonlat[:, 0], lonlat[:, 1])
    tree, lines = net.segment_lines
    pts = shapely.points(px, py)
    if n == 0:
        e = np.zeros(0)
        return Snapped(e.astype(np.int64), e, e, e, e, e.astype(bool), e)
    seg = nearest_segments(tree, lines, node_tree(), pts)
    on = lines[seg]
    frac = shapely.line_locate_point(on, pts, normalized=True)
    frac = np.nan_to_num(frac, nan=0.0)
    snapped = shapely.line_interpolate_point(on, frac, normalized=True)
    dist = shapely.distance(pts, snapped)
    sx, sy = shapely.get_x(snapped), shapely.get_y(snapped)
    slon, slat = net.to_wgs84(sx, sy)
    far = dist > net.max_snap_m
    access = dist / (net.speeds.access_kph(net.mode) * 1000.0 / 60.0)
    access = np.where(far, np.inf, access)
    if far.any():
        log.warning(
            "%d of %d points are more than %.0f m from any %s road and will not be routed",
            int(far.sum()),
            n,
            net.max_snap_m,
            net.mode,
        )
    return Snapped(seg, frac, dist, np.asarray(slon), np.asarray(slat), far, access)


def access_lonlat(net: RoadNetwork, geoms: Any) -> FloatArray:
    """Return the lon/lat of each geometry's access point: where it is reached from the road.

    Parameters
    ----------
    net : RoadNetwork
        The network.
    geoms : array-like of shapely geometries
        In WGS84.

    Returns
    -------
    numpy.ndarray
        As :meth:`RoadNetwork.access_points <carezones.RoadNetwork.access_points>`
        describes them.

    Examples
    --------
    >>> import shapely
    >>> access_lonlat(net, [shapely.Point(1.5941, 54.3893)])
    array([[ 1.5941, 54.3893]])
    """
    g = np.asarray(geoms, dtype=object)
    out = np.empty((len(g), 2))
    pt = shapely.get_type_id(g) == 0
    if pt.any():
        out[pt] = np.column_stack([shapely.get_x(g[pt]), shapely.get_y(g[pt])])
    other = np.flatnonzero(~pt)
    if len(other):
        metric = net.to_metric_geometry(g[other])
        tree, lines = net.segment_lines
        idx = tree.query_nearest(metric, all_matches=False, return_distance=False)
        seg = np.empty(len(other), dtype=np.int64)
        seg[idx[0]] = idx[1]
        near = shapely.get_point(shapely.shortest_line(metric, lines[seg]), 0)
        out[other] = np.column_stack(net.to_wgs84(shapely.get_x(near), shapely.get_y(near)))
    return out


def networkx_graph(net: RoadNetwork) -> nx.MultiDiGraph:
    """Return the network as an osmnx-compatible ``networkx.MultiDiGraph``.

    Parameters
    ----------
    net : RoadNetwork
        The network.

    Returns
    -------
    networkx.MultiDiGraph
        As :attr:`RoadNetwork.graph <carezones.RoadNetwork.graph>` describes it.

    Examples
    --------
    >>> networkx_graph(net).number_of_edges() == net.n_edges
    True
    """
    import networkx as nx

    g = nx.MultiDiGraph(crs="epsg:4326", simplified=False, source=net.provenance.source)
    ids = net.node_osmid.tolist()
    deg = np.bincount(net.arrays.seg_ab.ravel(), minlength=net.n_nodes).tolist()
    g.add_nodes_from(
        (i, {"x": x, "y": y, "street_count": d})
        for i, x, y, d in zip(ids, net.lon.tolist(), net.lat.tolist(), deg, strict=True)
    )
    e = net.edges
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


def route_lines(net: RoadNetwork, lonlat: Any, legs: Any) -> list[Route]:
    """Return the fastest route of every leg between points, found together.

    Parameters
    ----------
    net : RoadNetwork
        The network.
    lonlat : numpy.ndarray
        ``(n, 2)`` longitudes and latitudes of the points.
    legs : numpy.ndarray
        ``(k, 2)``: the positions in ``lonlat`` of each leg's start and end.

    Returns
    -------
    list of Route
        One per leg, as :meth:`RoadNetwork.routes <carezones.RoadNetwork.routes>` describes.

    Examples
    --------
    >>> import numpy as np
    >>> stops = np.array([(1.5941, 54.3893), (1.5572, 54.3881)])
    >>> [round(r.minutes, 1) for r in route_lines(net, stops, np.array([[0, 1]]))]
    [3.7]
    """
    snapped = net.snap(lonlat)
    att = net.attach(snapped)
    out = []
    for (a, b), (minutes, nodes) in zip(
        legs.tolist(), net.router.paths(att, att, legs), strict=True
    ):
        if not np.isfinite(minutes):
            out.append(Route(None, float("inf"), float("inf"), []))
            continue
        line = [tuple(lonlat[a]), (snapped.lon[a], snapped.lat[a])]
        line += list(zip(net.lon[nodes].tolist(), net.lat[nodes].tolist(), strict=True))
        line += [(snapped.lon[b], snapped.lat[b]), tuple(lonlat[b])]
        lon_l, lat_l = np.array(line).T
        road = float(haversine_m(lon_l[1:-2], lat_l[1:-2], lon_l[2:-1], lat_l[2:-1]).sum())
        metres = road + float(snapped.distance_m[a] + snapped.distance_m[b])
        nodes_osm = [int(x) for x in net.node_osmid[nodes]]
        out.append(Route(shapely.LineString(line), float(minutes), metres, nodes_osm))
    return out


def isochrone_areas(
    net: RoadNetwork, points: Any, minutes: list[float], buffer_m: float
) -> gpd.GeoDataFrame:
    """Return the areas reachable from each point within each time budget.

    Parameters
    ----------
    net : RoadNetwork
        The network.
    points : points
        As :meth:`RoadNetwork.snap <carezones.RoadNetwork.snap>` accepts them.
    minutes : list of float
        The time budgets (checked by the caller).
    buffer_m : float
        Metres around the reachable roads.

    Returns
    -------
    geopandas.GeoDataFrame
        As :meth:`RoadNetwork.isochrones <carezones.RoadNetwork.isochrones>` describes it.

    Examples
    --------
    >>> isochrone_areas(net, [(1.5941, 54.3893)], [3.0], 80.0).minutes.tolist()
    [3.0]
    """
    import geopandas as gpd

    t_nodes = net.times_to_nodes(points)
    snapped = net.snap(points)
    sx, sy = net.to_metric(snapped.lon, snapped.lat)
    u, v, mins = net.arrays.u, net.arrays.v, net.arrays.minutes
    rows = []
    for p in range(t_nodes.shape[0]):
        tu = t_nodes[p, u]
        for m in sorted(minutes):
            ok = tu <= m
            reach = np.clip((m - tu[ok]) / np.where(mins[ok] > 0, mins[ok], 1.0), 0.0, 1.0)
            x0, y0 = net.x[u[ok]], net.y[u[ok]]
            x1 = x0 + (net.x[v[ok]] - x0) * reach
            y1 = y0 + (net.y[v[ok]] - y0) * reach
            ends = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
            # a road reached whole is there twice (both directions): keep it once and join the
            # roads into chains, so that a few hundred shapes are merged, not thousands (the
            # same area, four times faster)
            keep = reach < 1.0
            whole = np.flatnonzero(~keep)
            pair = np.minimum(u[ok], v[ok]).astype(np.int64) * net.n_nodes + np.maximum(
                u[ok], v[ok]
            )
            keep[whole[np.unique(pair[whole], return_index=True)[1]]] = True
            lines = shapely.linestrings(ends[keep])
            geoms = list(shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines))))
            if snapped.access_minutes[p] <= m:
                geoms.append(shapely.Point(sx[p], sy[p]))
            area = shapely.union_all(shapely.buffer(np.array(geoms, dtype=object), buffer_m))
            rows.append({"point": p, "minutes": float(m), "geometry": area})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=net.crs)
    return gdf.to_crs("EPSG:4326")


def road_lines(net: RoadNetwork) -> gpd.GeoDataFrame:
    """Return the road segments as a GeoDataFrame in WGS84.

    Parameters
    ----------
    net : RoadNetwork
        The network.

    Returns
    -------
    geopandas.GeoDataFrame
        As :meth:`RoadNetwork.edges_gdf <carezones.RoadNetwork.edges_gdf>` describes it.

    Examples
    --------
    >>> len(road_lines(net)) == len(net.arrays.seg_ab)
    True
    """
    import geopandas as gpd

    a = net.arrays
    ab = a.seg_ab
    fwd, bwd = a.seg_fwd, a.seg_bwd
    e = np.where(fwd >= 0, fwd, bwd)
    coords = np.stack(
        [
            np.column_stack([net.lon[ab[:, 0]], net.lat[ab[:, 0]]]),
            np.column_stack([net.lon[ab[:, 1]], net.lat[ab[:, 1]]]),
        ],
        axis=1,
    )
    return gpd.GeoDataFrame(
        {
            "highway": a.highway[e],
            "name": a.name[e],
            "maxspeed": a.maxspeed[e],
            "speed_kph": a.speed_kph[e],
            "oneway": (fwd < 0) | (bwd < 0),
        },
        geometry=shapely.linestrings(coords),
        crs="EPSG:4326",
    )
