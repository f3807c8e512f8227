"""Home-care zones: balanced in weekly hours, compact in road travel time, contiguous, tiling.

How :func:`build_zones` works
-----------------------------
1. **Places and the zoning graph.** Clients at the same location form one *place*. The zoning
   graph (:mod:`carezones._partition`) has a node per road junction and per place, joined along
   each road in the order they lie on it, plus a node where two roads cross without meeting (a
   bridge: a map cannot draw both roads in different zones there). A zone connected in this graph
   is connected on the roads and on the map. Clients outside the study area or too far from any
   road are listed in ``ZonePlan.unassigned`` with the reason.
2. **Centres.** k-means++ seeds and Lloyd's iterations with the hours balanced (straight lines),
   then centres move to the hours-weighted *road* medoid of their zones under a transportation
   LP (HiGHS) that assigns places by hours x road minutes with every zone inside the band. Fixed
   centres (provider bases) or a previous plan's zones replace this step.
3. **A contiguous start.** The LP's dual prices on the balance constraints turn it into an
   additively weighted Voronoi diagram on the roads: each node goes to the zone of least
   minutes-plus-price. Every node on the shortest path from a centre to a node of its zone then
   belongs to that zone, so zones are connected and nearly balanced; stretches of road where
   zones tie go whole to the tied zone with fewest hours.
4. **Balancing.** A minimum-cost flow of hours over the zones' adjacency says which neighbour
   should hand how many hours to which; each step hands over a whole subtree of the giving
   zone's shortest-path tree that touches the receiver (so neither is cut in two), the closest
   fit with the fewest added minutes. Zones are brought inside 90% of the band when possible, so
   that small changes at the tiling stage cannot push them out.
5. **Polishing.** Boundary nodes move to the neighbouring zone whose centre is nearer when the
   band allows and no zone is cut; centres move to their zones' medoids and this repeats; a
   second round restarts from the LP with the final centres, and the best round is kept.
6. **Tiling.** The study area is cut into Voronoi cells of road nodes, points along roads (each
   with the zone of the nearer zoned element on its road) and points along each client's access
   leg, and cells are dissolved by zone: polygons with no gaps or overlaps, one piece each, each
   client inside its own zone (a rare stray piece is merged into the zone around it and noted).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.optimize import linprog
from scipy.sparse.csgraph import dijkstra

from carezones._partition import (
    PathGraph,
    make_contiguous,
    path_graph,
    polish,
    rebalance,
)
from carezones.errors import ZoneError

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DENSIFY_M = 100.0  # extra Voronoi generators along road segments longer than this
ACCESS_STEP_M = 20.0  # spacing of Voronoi generators along each client's access leg
WITHIN_SAMPLE = 150
JUNCTION_PULL = 0.02  # cost weight of a junction, as a share of the mean place hours
ROUNDS = 2  # fresh contiguous starts, each from the centres the last one ended with
INNER_ROUNDS = 3  # rounds of balancing, polishing and moving centres to the medoids
BAND_SHARE = 0.9  # the first assignment aims inside this share of the tolerance band
MARGIN_SHARE = 0.9  # the zones are kept inside this share of it when they can be


@dataclass
class ZonePlan:
    """The result of :func:`build_zones`.

    Attributes
    ----------
    assignments : pandas.DataFrame
        One row per zoned client: ``client_id``, ``zone_id``, ``hours_per_week``,
        ``minutes_to_centre`` (road minutes from the zone's centre).
    zones : geopandas.GeoDataFrame
        One row per zone (WGS84): ``zone_id``, ``clients``, ``hours_per_week``, ``deviation``
        (from the mean, as a share), ``mean_minutes_to_centre`` and ``p90_minutes_to_centre``
        (hours-weighted), ``mean_within_minutes`` (client to client), ``area_km2``,
        ``centre_lon``/``centre_lat``, geometry.
    unassigned : pandas.DataFrame
        Clients not zoned: ``client_id``, ``source_row``, ``reason``.
    metrics : dict
        Plan-level numbers (balance, travel, contiguity, tiling, runtime, notes).
    """

    assignments: pd.DataFrame
    zones: gpd.GeoDataFrame
    unassigned: pd.DataFrame
    metrics: dict[str, Any]
    crs: Any = None
    attribution: str = "© OpenStreetMap contributors"
    synthetic: bool = False
    _tree: Any = field(default=None, repr=False)

    def summary(self) -> str:
        """Return a short plain-language summary of the plan."""
        m = self.metrics
        lines = [
            f"{m['n_zones']} zones for {m['clients']:,} clients and {m['hours_per_week']:,.1f} "
            f"hours a week (mean {m['mean_zone_hours']:,.1f} h per zone).",
            f"Balance: worst zone {m['worst_deviation']:+.1%} from the mean "
            f"(tolerance ±{m['tolerance']:.0%}): {'met' if m['balanced'] else 'NOT met'}.",
            f"Travel from each zone's centre (hours-weighted): mean "
            f"{m['mean_minutes_to_centre']:.1f} min, 90th percentile "
            f"{m['p90_minutes_to_centre']:.1f} min; client to client within zones "
            f"{m['mean_within_minutes']:.1f} min.",
            f"Every zone one piece: {'yes' if m['contiguous'] else 'no'}; zones tile the area "
            f"(gaps {m['gap_km2']:.6f} km², overlaps {m['overlap_km2']:.6f} km²).",
        ]
        if m.get("moved_hours_share") is not None:
            lines.append(
                f"Hours that changed zone from the previous plan: {m['moved_hours_share']:.1%}."
            )
        if len(self.unassigned):
            lines.append(f"{len(self.unassigned)} client(s) not zoned: see .unassigned.")
        lines += [f"Note: {n}" for n in m.get("notes", [])]
        return "\n".join(lines)

    def assign(self, points: Any) -> pd.Series:
        """Return the zone of each point (new referrals): the zone polygon containing it.

        Points outside every zone get ``<NA>``.
        """
        from carezones.network import as_lonlat

        lonlat = as_lonlat(points)
        pts = shapely.points(lonlat)
        if self._tree is None:  # built on first use
            self._tree = shapely.STRtree(self.zones.geometry.to_numpy())
        hit = self._tree.query(pts, predicate="intersects")
        out = pd.Series(pd.NA, index=range(len(pts)), dtype="Int64")
        zone_ids = self.zones["zone_id"].to_numpy()
        # a point on a shared border takes the lowest zone id, deterministically
        for p, z in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out.iloc[p] = int(zone_ids[z])
        if hasattr(points, "index") and len(points.index) == len(out):
            out.index = points.index
        return out

    def to_map(
        self, *, clients: Any = None, show_clients: bool = False, offline: bool = True
    ) -> Any:
        """Return a folium map of the zones (statistics in tooltips, a legend, centres).

        Clients are drawn only when given, and then aggregated unless ``show_clients=True``.
        ``offline=False`` links Leaflet from a CDN instead of embedding it.
        """
        from carezones.maps import zones_map

        return zones_map(self, clients=clients, show_clients=show_clients, offline=offline)

    def to_files(self, out_dir: Any, *, clients: Any = None, offline: bool = True) -> list[Any]:
        """Write the plan's CSV, GeoPackage, map and summaries into ``out_dir``.

        See :func:`carezones.io.write_zone_plan` for the files.
        """
        from carezones.io import write_zone_plan

        return write_zone_plan(self, out_dir, clients=clients, offline=offline)


def build_zones(
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    n_zones: int | None = None,
    *,
    hours_per_zone: float | None = None,
    tolerance: float = 0.05,
    seed: int = 0,
    boundary: Any = None,
    localities: gpd.GeoDataFrame | None = None,
    previous: Any = None,
    centres: Any = None,
    stability_minutes: float = 10.0,
    max_iter: int = 8,
) -> ZonePlan:
    """Cluster clients into balanced, road-compact, contiguous zones that tile the area.

    Parameters
    ----------
    clients : GeoDataFrame
        Client points with ``client_id`` and ``hours_per_week`` (see :func:`read_clients`).
    network : RoadNetwork
        The drive network.
    n_zones : int, optional
        Number of zones. Give this or ``hours_per_zone``.
    hours_per_zone : float, optional
        Target weekly hours per zone; the number of zones is total hours / this, rounded.
    tolerance : float
        Allowed deviation of a zone's hours from the mean, as a share (0.05 = ±5%).
    seed : int
        Seed for the starting centres: same inputs and seed, same zones.
    boundary : polygon or GeoDataFrame, optional
        The study area (e.g. the council boundary); default: the network's area.
    localities : GeoDataFrame, optional
        Polygons zones must not cross; zones are shared out between them by hours.
    previous : GeoDataFrame or DataFrame, optional
        A previous plan to change as little as possible: zone polygons with ``zone_id``, or
        assignments with ``client_id`` and ``zone_id``.
    centres : points, optional
        Fixed zone centres (e.g. provider bases), one per zone; they do not move.
    stability_minutes : float
        With ``previous``: the cost, in minutes per hour of care, of moving a client's hours
        to another zone.
    max_iter : int
        Maximum centre-update rounds.

    Returns
    -------
    ZonePlan
    """
    t0 = time.perf_counter()
    from carezones.network import as_lonlat

    _check_inputs(clients, network, tolerance)
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lonlat = as_lonlat(clients)
    cx, cy = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    area = _study_area(network, boundary)
    reasons = np.full(len(ids), "", dtype=object)
    inside = shapely.contains_xy(area, cx, cy) | shapely.intersects_xy(area, cx, cy)
    reasons[~inside] = "outside the study area"
    snapped = network.snap(lonlat)
    far = snapped.far & inside
    reasons[far] = f"more than {network.max_snap_m:.0f} m from any road"
    ok = reasons == ""

    fixed = None if centres is None else as_lonlat(centres)
    prev_zone = _previous_zones(previous, ids, lonlat) if previous is not None else None
    if localities is None:
        groups = [(np.flatnonzero(ok), np.ones(network.n_nodes, dtype=bool), area)]
    else:
        groups = _locality_groups(localities, network, cx, cy, ok, area, reasons)
        ok = reasons == ""
    places = _places(network, lonlat, hours, snapped, ok, fixed)
    graph = _augmented_graph(network, places)
    total = float(hours[ok].sum())
    k_total = _zone_count(n_zones, hours_per_zone, total, int((places.hours > 0).sum()))
    if fixed is not None and len(fixed) != k_total:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k_total} zones: give one per zone")
    ks = _share_zones(k_total, [float(hours[g[0]].sum()) for g in groups])
    notes: list[str] = []

    labels = np.arange(1, k_total + 1)
    if prev_zone is not None:
        known = np.unique(prev_zone[prev_zone >= 0])
        if len(known) == k_total and localities is None:
            labels = known
            prev_zone = np.where(prev_zone >= 0, np.searchsorted(known, prev_zone), -1)
        else:
            notes.append(
                f"the previous plan has {len(known)} zones and {k_total} were asked for: it was "
                "not used to keep zones stable"
            )
            prev_zone = None
    n_road = network.n_nodes
    zone_of_client = np.full(len(ids), -1, dtype=np.int64)
    node_zone = np.full(n_road, -1, dtype=np.int64)
    centre_ll = np.zeros((k_total, 2))
    dense_seg, dense_frac = _densify(network)
    dense_zone = np.full(len(dense_seg), -1, dtype=np.int64)
    offset = 0
    for (members, node_mask, _), k in zip(groups, ks, strict=True):
        if k == 0:
            continue
        group_places = np.unique(places.of_client[members])
        mask = np.concatenate([node_mask, np.zeros(len(places.hours), dtype=bool)])
        mask[n_road + group_places] = True
        group_fixed = None
        if fixed is not None:
            group_fixed = places.fixed[offset : offset + k]
            mask[n_road + group_fixed] = True
        res = _solve_group(
            network, graph, places, group_places, mask, k, tolerance, seed, group_fixed,
            prev_zone, members, stability_minutes, max_iter, notes,
        )  # fmt: skip
        in_group = res.zone >= 0
        client_zone = res.zone[n_road + places.of_client[members]]
        zone_of_client[members] = np.where(client_zone >= 0, client_zone + offset, -1)
        road = in_group[:n_road]
        node_zone[road] = res.zone[:n_road][road] + offset
        centre_ll[offset : offset + k] = places.lonlat(res.centres, network)
        dz = res.graph.zone_at(network, dense_seg, dense_frac, res.local_zone)
        dense_zone = np.where((dz >= 0) & (dense_zone < 0), dz + offset, dense_zone)
        offset += k
    unreachable = ok & (zone_of_client < 0)
    reasons[unreachable] = "cannot be reached by road from any zone centre"

    gx, gy, gz = _generators(
        network, node_zone, dense_seg, dense_frac, dense_zone, zone_of_client, cx, cy, snapped
    )
    if localities is None:
        polys, zone_of_client = _tile(area, gx, gy, gz, zone_of_client, cx, cy, k_total, notes)
    else:  # each locality is tiled on its own, so no zone crosses its border
        polys = [shapely.Polygon() for _ in range(k_total)]
        start = 0
        for (_, _, part), k in zip(groups, ks, strict=True):
            in_gen = (gz >= start) & (gz < start + k)
            in_client = (zone_of_client >= start) & (zone_of_client < start + k)
            if k:
                part_polys, part_zone = _tile(
                    part, gx, gy, np.where(in_gen, gz, -1),
                    np.where(in_client, zone_of_client, -1), cx, cy, k_total, notes,
                )  # fmt: skip
                polys[start : start + k] = part_polys[start : start + k]
                zone_of_client = np.where(in_client, part_zone, zone_of_client)
            start += k
        area = shapely.union_all([g[2] for g in groups])
    return _make_plan(
        network, clients, ids, hours, lonlat, zone_of_client, reasons, polys, centre_ll,
        area, tolerance, prev_zone, labels, notes, time.perf_counter() - t0,
    )  # fmt: skip


# ---------------------------------------------------------------------- inputs
def _check_inputs(clients: Any, network: Any, tolerance: float) -> None:
    missing = [c for c in ("client_id", "hours_per_week") if c not in clients]
    if missing:
        raise ZoneError(
            f"clients need columns {missing}: read them with carezones.read_clients, which "
            "finds and checks the id and hours columns"
        )
    if not 0 < tolerance < 1:
        raise ZoneError(f"tolerance is a share of the mean zone hours, e.g. 0.05; got {tolerance}")
    if network.mode != "drive":
        log.warning("building zones on a %s network; carers' rounds usually drive", network.mode)
    h = clients["hours_per_week"].to_numpy(dtype=float)
    if not np.isfinite(h).all() or (h < 0).any():
        raise ZoneError("hours_per_week must be finite and 0 or more (read_clients checks this)")


def _zone_count(n_zones: int | None, hours_per_zone: float | None, total: float, units: int) -> int:
    if (n_zones is None) == (hours_per_zone is None):
        raise ZoneError("give either n_zones or hours_per_zone (one of them, not both)")
    if n_zones is None:
        assert hours_per_zone is not None
        if hours_per_zone <= 0:
            raise ZoneError(f"hours_per_zone must be positive, got {hours_per_zone}")
        n_zones = max(1, round(total / hours_per_zone))
    if n_zones < 1:
        raise ZoneError(f"n_zones must be at least 1, got {n_zones}")
    if n_zones > units:
        raise ZoneError(
            f"{n_zones} zones asked for, but the clients are at only {units} distinct places on "
            f"the road network: ask for at most {units} zones"
        )
    return int(n_zones)


def _study_area(network: RoadNetwork, boundary: Any) -> shapely.Geometry:
    """Return the study area in the network's metric CRS."""
    if boundary is None:
        hull = shapely.convex_hull(shapely.multipoints(np.column_stack([network.x, network.y])))
        return shapely.buffer(hull, 500.0)
    import geopandas as gpd

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            raise ZoneError("the boundary has no CRS: set one (e.g. EPSG:27700)")
        geom = shapely.union_all(boundary.to_crs(network.crs).geometry.to_numpy())
    else:  # a shapely geometry in WGS84
        geom = network.to_metric_geometry(boundary)
    geom = shapely.make_valid(geom)
    if geom.is_empty or geom.area <= 0:
        raise ZoneError("the boundary is empty: give a polygon of the study area")
    return geom


def _share_zones(k: int, group_hours: list[float]) -> list[int]:
    """Share k zones between groups by hours (largest remainder, one at least per group)."""
    g = np.asarray(group_hours, dtype=float)
    if len(g) == 1:
        return [k]
    active = g > 0
    if active.sum() > k:
        raise ZoneError(
            f"{int(active.sum())} localities have clients but only {k} zones were asked for: "
            "ask for at least one zone per locality"
        )
    share = np.where(active, g / g.sum() * k, 0.0)
    base = np.where(active, np.maximum(np.floor(share), 1), 0).astype(int)
    while base.sum() > k:
        i = int(np.argmax(np.where(base > 1, base - share, -np.inf)))
        base[i] -= 1
    rem = share - base
    for i in np.argsort(-rem, kind="stable")[: k - base.sum()]:
        base[i] += 1
    return base.tolist()


def _locality_groups(
    localities: Any, network: RoadNetwork, cx: Any, cy: Any, ok: Any, area: Any, reasons: Any
) -> list[tuple[IntArray, npt.NDArray[np.bool_], Any]]:
    polys = localities.to_crs(network.crs).geometry.to_numpy()
    groups = []
    taken = np.zeros(len(cx), dtype=bool)
    for poly in polys:
        part = shapely.intersection(shapely.make_valid(poly), area)
        inside = shapely.contains_xy(part, cx, cy) & ok & ~taken
        taken |= inside
        nodes = shapely.contains_xy(part, network.x, network.y)
        groups.append((np.flatnonzero(inside), nodes, part))
    reasons[ok & ~taken] = "outside every locality"
    return groups


def _previous_zones(previous: Any, ids: Any, lonlat: Any) -> IntArray:
    """Each client's zone in the previous plan (-1 when unknown)."""
    import geopandas as gpd

    if "zone_id" not in previous:
        raise ZoneError("the previous plan needs a zone_id column")
    if isinstance(previous, gpd.GeoDataFrame) and previous.geometry.notna().any():
        prev = previous.to_crs("EPSG:4326")
        tree = shapely.STRtree(prev.geometry.to_numpy())
        hit = tree.query(shapely.points(lonlat), predicate="intersects")
        out = np.full(len(ids), -1, dtype=np.int64)
        z = prev["zone_id"].to_numpy()
        for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out[p] = int(z[g])
        return out
    if "client_id" not in previous:
        raise ZoneError("previous assignments need client_id and zone_id columns")
    lookup = dict(
        zip(previous["client_id"].astype(str), previous["zone_id"].astype(int), strict=True)
    )
    return np.array([lookup.get(i, -1) for i in ids], dtype=np.int64)


# ---------------------------------------------------------------------- solving
@dataclass
class _Places:
    """Distinct client locations (and fixed centres), each a node of the zoning graph.

    Place ``i`` is node ``n_road + i``; it joins both ends of the road segment it snaps to.
    """

    lon: FloatArray
    lat: FloatArray
    x: FloatArray
    y: FloatArray
    hours: FloatArray
    seg: IntArray
    frac: FloatArray
    access: FloatArray
    of_client: IntArray  # place of each client (-1 when not zoned)
    fixed: IntArray  # places of the fixed centres

    def lonlat(self, ids: IntArray, network: RoadNetwork) -> FloatArray:
        """Lon/lat of zoning-graph nodes (road nodes or places)."""
        n = network.n_nodes
        lon = np.where(
            ids < n, network.lon[np.minimum(ids, n - 1)], self.lon[np.maximum(ids - n, 0)]
        )
        lat = np.where(
            ids < n, network.lat[np.minimum(ids, n - 1)], self.lat[np.maximum(ids - n, 0)]
        )
        return np.column_stack([lon, lat])


def _places(
    network: RoadNetwork, lonlat: FloatArray, hours: FloatArray, snapped: Any, ok: Any,
    fixed: FloatArray | None,
) -> _Places:  # fmt: skip
    idx = np.flatnonzero(ok)
    key = np.round(lonlat[idx], 7)
    uniq, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    src = idx[first]
    of_client = np.full(len(lonlat), -1, dtype=np.int64)
    of_client[idx] = inverse.ravel()
    w = np.bincount(inverse.ravel(), weights=hours[idx], minlength=len(uniq))
    lon, lat = lonlat[src, 0], lonlat[src, 1]
    seg, frac, access = snapped.segment[src], snapped.fraction[src], snapped.access_minutes[src]
    fixed_ids = np.zeros(0, dtype=np.int64)
    if fixed is not None:
        fs = network.snap(fixed)
        if fs.far.any():
            raise ZoneError("a fixed centre is more than max_snap_m from any road: move it")
        fixed_ids = len(lon) + np.arange(len(fixed))
        lon, lat = np.concatenate([lon, fixed[:, 0]]), np.concatenate([lat, fixed[:, 1]])
        w = np.concatenate([w, np.zeros(len(fixed))])
        seg = np.concatenate([seg, fs.segment])
        frac = np.concatenate([frac, fs.fraction])
        access = np.concatenate([access, fs.access_minutes])
    x, y = network.to_metric(lon, lat)
    return _Places(
        lon, lat, np.asarray(x), np.asarray(y), w, seg, frac, access, of_client, fixed_ids
    )


def _augmented_graph(network: RoadNetwork, places: _Places) -> sp.csr_matrix:
    """Undirected road-node graph plus one node per place joined to its segment's ends."""
    from carezones.network.routing import csr_min

    a = network.arrays
    n, m = network.n_nodes, len(places.hours)
    seg_edge = a.segment_edge
    seg_min = a.minutes[seg_edge[places.seg]]
    ends = a.seg_ab[places.seg]
    pid = n + np.arange(m)
    to_a = places.frac * seg_min + places.access
    to_b = (1 - places.frac) * seg_min + places.access
    rows = np.concatenate([a.u, a.v, pid, ends[:, 0], pid, ends[:, 1]])
    cols = np.concatenate([a.v, a.u, ends[:, 0], pid, ends[:, 1], pid])
    w = np.concatenate([a.minutes, a.minutes, to_a, to_a, to_b, to_b])
    return csr_min(rows, cols, np.maximum(w, 1e-9), n + m)


@dataclass
class _GroupResult:
    zone: IntArray  # zone (0..k-1) of every zoning-graph node, -1 outside the group
    centres: IntArray  # zoning-graph node of each centre
    graph: PathGraph
    local_zone: IntArray  # zone of each node of ``graph``


def _times_from(network: RoadNetwork, places: _Places, centre_ll: FloatArray) -> FloatArray:
    """Minutes from centres to every road node and every place (k × (n_road + places))."""
    to_nodes = network.times_to_nodes(centre_ll)
    to_places = network.travel_times(
        centre_ll, np.column_stack([places.lon, places.lat]), engine="builtin"
    )
    return np.hstack([to_nodes, to_places])


def _solve_group(
    network: RoadNetwork,
    graph: sp.csr_matrix,
    places: _Places,
    group: IntArray,
    mask: npt.NDArray[np.bool_],
    k: int,
    tolerance: float,
    seed: int,
    fixed: IntArray | None,
    prev_zone: IntArray | None,
    members: IntArray,
    stability_minutes: float,
    max_iter: int,
    notes: list[str],
) -> _GroupResult:
    n_road = network.n_nodes
    w = places.hours[group]
    ux, uy = places.x[group], places.y[group]
    nodes = n_road + group
    prev_unit = None
    if prev_zone is not None:
        prev_unit = np.full(len(group), -1, dtype=np.int64)
        pos = np.searchsorted(group, places.of_client[members])
        for u, z in zip(pos.tolist(), prev_zone[members].tolist(), strict=True):
            if z >= 0 and prev_unit[u] < 0:
                prev_unit[u] = z
    if fixed is not None:
        centres = n_road + fixed
    else:
        centres = n_road + group[_initial_centres(ux, uy, w, k, seed, prev_unit, tolerance)]
    pts = np.column_stack([places.lon[group], places.lat[group]])
    times = network.travel_times(places.lonlat(centres, network), pts, engine="builtin")
    for _ in range(max_iter if fixed is None else 0):
        assign = _balanced_assignment(times, w, tolerance, prev_unit, stability_minutes)
        new = _medoids(network, pts, ux, uy, w, assign, centres - n_road, group, k) + n_road
        if np.array_equal(new, centres):
            break
        centres = new
        times = network.travel_times(places.lonlat(centres, network), pts, engine="builtin")
    unreachable = ~np.isfinite(times.min(axis=0))
    pg = path_graph(network, places.seg, places.frac, mask)
    p_loc = pg.local(nodes)
    weight = np.zeros(len(pg.nodes))
    weight[p_loc] = np.where(unreachable, 0.0, w)
    mean = weight.sum() / k
    pull = np.maximum(weight, JUNCTION_PULL * (w.mean() if len(w) else 1.0))
    # with a previous plan, a place pays stability_minutes per hour to change zone
    stay = np.zeros((k, len(pg.nodes)))
    if prev_unit is not None:
        had = prev_unit >= 0
        stay[:, p_loc[had]] = stability_minutes * (np.arange(k)[:, None] != prev_unit[had][None, :])
    best: tuple[tuple[bool, float], IntArray, IntArray] | None = None
    seen: set[bytes] = set()
    for _ in range(ROUNDS):
        # a contiguous start from the centres (the LP's priced Voronoi), then rounds of
        # balancing, polishing and moving the centres to their zones' medoids
        if centres.tobytes() in seen:
            break
        seen.add(centres.tobytes())
        c_loc = pg.local(centres)
        times_all = _times_from(network, places, places.lonlat(centres, network))
        t = _finite(_local_times(pg, times_all)) + stay
        lam: list[FloatArray] = []
        _balanced_assignment(
            times_all[:, nodes], w, tolerance, prev_unit, stability_minutes, prices=lam
        )
        zone = _priced_voronoi(pg, t + lam[0][:, None], weight)
        zone[c_loc] = np.arange(k)
        zone[t.min(axis=0) >= 1e6] = -1  # islands of the road network no centre reaches
        zone = make_contiguous(pg.adj, zone, c_loc, k)
        for _ in range(INNER_ROUNDS):
            for share in (MARGIN_SHARE, 1.0):
                zone = rebalance(
                    pg.adj, zone, weight, pull, t, c_loc,
                    mean * (1 - tolerance * share), mean * (1 + tolerance * share),
                )  # fmt: skip
            # polish inside the margin when the zones are in it, so that tiling's small
            # changes (a client whose map cell joins another zone) keep zones in the band
            share = MARGIN_SHARE if _worst(zone, weight, k) <= tolerance * MARGIN_SHARE else 1.0
            zone = polish(
                pg.adj, zone, pull, weight, t, c_loc,
                mean * (1 - tolerance * share), mean * (1 + tolerance * share),
            )  # fmt: skip
            score = (_worst(zone, weight, k) > tolerance + 1e-9, _cost(zone, weight, t))
            if best is None or score < best[0]:
                best = (score, zone, centres)
            if fixed is not None:
                break
            new = _medoids(network, pts, ux, uy, w, zone[p_loc], centres - n_road, group, k)
            new = new + n_road
            if np.array_equal(new, centres):
                break
            centres = new
            c_loc = pg.local(centres)
            times_all = _times_from(network, places, places.lonlat(centres, network))
            t = _finite(_local_times(pg, times_all)) + stay
        if fixed is not None:
            break
    assert best is not None
    _, zone, centres = best
    worst = _worst(zone, weight, k)
    if worst > tolerance + 1e-9:
        notes.append(
            f"the hours could not all be brought within ±{tolerance:.0%}: the worst zone is "
            f"{worst:.1%} from the mean (a single place with many hours, or a zone that "
            "cannot give up clients without being cut in two)"
        )
    out = np.full(len(mask), -1, dtype=np.int64)
    out[:n_road] = pg.road_zones(zone, n_road)
    is_place = (pg.nodes >= n_road) & (pg.nodes < len(mask))
    out[pg.nodes[is_place]] = zone[is_place]
    # road nodes of the group left unlabelled (roads leaving it) take the nearest zone
    todo = mask[:n_road] & (out[:n_road] < 0)
    if todo.any():
        done = np.flatnonzero(out >= 0)
        out = _label_nodes(graph, mask, done, out[done], centres, k)
    out[nodes[unreachable]] = -1
    return _GroupResult(out, centres, pg, zone)


def _priced_voronoi(pg: PathGraph, score: FloatArray, weight: FloatArray) -> IntArray:
    """Each node to the zone of least minutes-plus-price: connected zones, balanced hours.

    With the prices (the duals of the balance constraints of the transportation LP), every
    node on the shortest path from a centre to a node of its zone is in that zone too, so
    zones are connected. Where zones tie (a stretch of road reached by both through one
    junction), the tied stretch goes whole to the tied zone with the fewest hours so far.
    """
    from scipy.sparse.csgraph import connected_components

    k = score.shape[0]
    tied = score <= score.min(axis=0) + 1e-6
    zone = np.argmax(tied, axis=0).astype(np.int64)
    multi = tied.sum(axis=0) > 1
    if not multi.any():
        return zone
    pattern = (tied * (2 ** np.arange(k, dtype=np.float64))[:, None]).sum(axis=0)
    coo = pg.adj.tocoo()
    same = multi[coo.row] & multi[coo.col] & (pattern[coo.row] == pattern[coo.col])
    sub = sp.csr_matrix((np.ones(int(same.sum())), (coo.row[same], coo.col[same])), pg.adj.shape)
    _, comp = connected_components(sub, directed=False)
    load = np.bincount(zone[~multi], weights=weight[~multi], minlength=k)
    comps = np.unique(comp[multi])
    hours = np.bincount(comp[multi], weights=weight[multi], minlength=comp.max() + 1)[comps]
    first: dict[int, int] = {}
    for v in np.flatnonzero(multi).tolist():
        first.setdefault(int(comp[v]), v)
    for c in comps[np.lexsort((comps, -hours))].tolist():
        options = np.flatnonzero(tied[:, first[c]])
        z = int(options[np.argmin(load[options])])
        zone[comp == c] = z
        load[z] += weight[comp == c].sum()
    return zone


def _worst(zone: IntArray, weight: FloatArray, k: int) -> float:
    """Largest deviation of a zone's hours from the mean, as a share of the mean."""
    ok = zone >= 0
    h = np.bincount(zone[ok], weights=weight[ok], minlength=k)
    return float(np.abs(h / h.mean() - 1).max()) if h.mean() > 0 else 0.0


def _cost(zone: IntArray, cw: FloatArray, t: FloatArray) -> float:
    ok = zone >= 0
    return float((cw[ok] * t[zone[ok], np.flatnonzero(ok)]).sum())


def _local_times(pg: PathGraph, times_all: FloatArray) -> FloatArray:
    """Minutes from each centre to each node of ``pg``; a crossing takes its nearest neighbour's."""
    n_ids = times_all.shape[1]
    real = pg.nodes < n_ids
    t = np.full((times_all.shape[0], len(pg.nodes)), np.inf)
    t[:, real] = times_all[:, pg.nodes[real]]
    for v in np.flatnonzero(~real).tolist():
        row = pg.adj[v]
        t[:, v] = (t[:, row.indices] + row.data[None, :]).min(axis=1) if row.nnz else np.inf
    return t


def _finite(t: FloatArray) -> FloatArray:
    return np.where(np.isfinite(t), t, 1e6)


def _kmeans_pp(xy: FloatArray, w: FloatArray, k: int, rng: np.random.Generator) -> FloatArray:
    """k-means++ seeding (Arthur and Vassilvitskii, 2007), weighted by hours."""
    p = w + 1e-9
    first = int(rng.choice(len(xy), p=p / p.sum()))
    centres = [xy[first]]
    d2 = ((xy - xy[first]) ** 2).sum(axis=1)
    for _ in range(1, k):
        q = p * d2
        nxt = int(rng.choice(len(xy), p=q / q.sum())) if q.sum() > 0 else int(np.argmax(p))
        centres.append(xy[nxt])
        d2 = np.minimum(d2, ((xy - xy[nxt]) ** 2).sum(axis=1))
    return np.array(centres)


def _initial_centres(
    ux: Any, uy: Any, w: FloatArray, k: int, seed: int, prev_unit: IntArray | None, tol: float
) -> IntArray:
    """Return starting centres as indices into the group's places.

    k-means++ seeds, then Lloyd's iterations in which each step assigns places to centres by
    the hours-balanced transportation LP on straight-line distances.
    """
    if prev_unit is not None and (prev_unit >= 0).any():
        labels = np.unique(prev_unit[prev_unit >= 0])
        if len(labels) == k:
            cx = np.array(
                [np.average(ux[prev_unit == z], weights=w[prev_unit == z] + 1e-9) for z in labels]
            )
            cy = np.array(
                [np.average(uy[prev_unit == z], weights=w[prev_unit == z] + 1e-9) for z in labels]
            )
            return _nearest_units(ux, uy, cx, cy)
    xy = np.column_stack([ux, uy])
    c = _kmeans_pp(xy, w, k, np.random.default_rng(seed))
    # Lloyd's iterations with the hours balanced: a start already close to balanced zones
    for _ in range(15):
        d2 = ((xy[None, :, :] - c[:, None, :]) ** 2).sum(axis=2) / 1e6
        lab = _balanced_assignment(d2, w, tol, None, 0.0)
        new = c.copy()
        for z in range(k):
            if (lab == z).any():
                new[z] = np.average(xy[lab == z], axis=0, weights=w[lab == z] + 1e-9)
        if np.allclose(new, c, atol=1.0):
            break
        c = new
    return _nearest_units(ux, uy, c[:, 0], c[:, 1])


def _nearest_units(ux: Any, uy: Any, cx: Any, cy: Any) -> IntArray:
    """For each centre position, the nearest place (distinct ones), as indices."""
    d = (ux[None, :] - np.asarray(cx)[:, None]) ** 2 + (uy[None, :] - np.asarray(cy)[:, None]) ** 2
    chosen: list[int] = []
    for row in d:
        for i in np.argsort(row, kind="stable").tolist():
            if i not in chosen:
                chosen.append(i)
                break
    return np.asarray(chosen, dtype=np.int64)


def _balanced_assignment(
    times: FloatArray,
    w: FloatArray,
    tol: float,
    prev_unit: IntArray | None,
    stab: float,
    prices: list[FloatArray] | None = None,
) -> IntArray:
    """Transportation LP: units to zones, hours-weighted minutes, zone hours in the band.

    With ``prices``, appends each zone's price: the minutes its band constraints add to its
    travel times (from the LP's duals), so that the LP's assignment is, ties aside, each unit
    to the zone of least minutes plus price.
    """
    k, n = times.shape
    t = np.where(np.isfinite(times), times, 1e6)
    cost = (t * w[None, :]).ravel()
    if prev_unit is not None:
        moved = np.arange(k)[:, None] != prev_unit[None, :]
        cost = (
            cost
            + (moved & (prev_unit[None, :] >= 0)).ravel()
            * stab
            * np.repeat(w[None, :], k, 0).ravel()
        )
    mean = w.sum() / k
    # aim at half the band, leaving room for rounding split units and for contiguity repairs
    hi, lo = mean * (1 + tol * BAND_SHARE), mean * (1 - tol * BAND_SHARE)
    # variables: x[z, u] (k*n), then slack over (k) and slack under (k)
    big = float(cost.max() if cost.size else 1.0) * 10 + 1e3
    c = np.concatenate([cost, np.full(2 * k, big)])
    rows = np.repeat(np.arange(n), k)
    cols = (np.arange(k)[None, :] * n + np.arange(n)[:, None]).ravel()
    a_eq = sp.csr_matrix((np.ones(n * k), (rows, cols)), shape=(n, n * k + 2 * k))
    zr = np.repeat(np.arange(k), n)
    zc = np.arange(k * n)
    wv = np.tile(w, k)
    upper = sp.csr_matrix((wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    lower = sp.csr_matrix((-wv, (zr, zc)), shape=(k, n * k + 2 * k)) - sp.csr_matrix(
        (np.ones(k), (np.arange(k), n * k + k + np.arange(k))), shape=(k, n * k + 2 * k)
    )
    blocks = [upper, lower]
    b_ub = [np.full(k, hi), np.full(k, -lo)]
    a_ub = sp.vstack(blocks).tocsr()
    ub = np.concatenate(b_ub)
    res = linprog(
        c, A_ub=a_ub, b_ub=ub, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, None), method="highs"
    )
    if res.x is None:  # pragma: no cover - the soft LP is always feasible
        return np.argmin(t, axis=0).astype(np.int64)
    x = res.x[: n * k].reshape(k, n)
    if prices is not None:  # minutes added to each zone's times by its band constraints
        marg = res.ineqlin.marginals
        prices.append(-marg[:k] + marg[k : 2 * k])
    assign = np.argmax(x, axis=0).astype(np.int64)
    # units the LP split between zones go, heaviest first, to the emptiest of their zones
    split = np.flatnonzero(x.max(axis=0) < 1 - 1e-6)
    whole = np.setdiff1d(np.arange(n), split)
    load = np.bincount(assign[whole], weights=w[whole], minlength=k)
    for u in split[np.argsort(-w[split], kind="stable")]:
        options = np.flatnonzero(x[:, u] > 1e-6)
        z = int(options[np.argmin(load[options])])
        assign[u] = z
        load[z] += w[u]
    return assign


def _medoids(
    network: RoadNetwork, pts: FloatArray, ux: Any, uy: Any, w: FloatArray, assign: IntArray,
    centres: IntArray, group: IntArray, k: int, n_candidates: int = 50,
) -> IntArray:  # fmt: skip
    """Move each centre to the place minimising hours-weighted road minutes to its zone.

    ``centres`` and the result are place ids; candidates are the zone's places nearest its
    hours-weighted centroid.
    """
    new = centres.copy()
    pos_of = {int(g): i for i, g in enumerate(group.tolist())}
    for z in range(k):
        members = np.flatnonzero(assign == z)
        if len(members) == 0:
            continue
        wz = w[members] + 1e-9
        gx, gy = np.average(ux[members], weights=wz), np.average(uy[members], weights=wz)
        near = members[np.argsort((ux[members] - gx) ** 2 + (uy[members] - gy) ** 2, kind="stable")]
        current = pos_of.get(int(centres[z]))
        cand = near[:n_candidates]
        if current is not None:
            cand = np.unique(np.concatenate([cand, [current]]))
        t = network.travel_times(pts[cand], pts[members], engine="builtin")
        score = (np.where(np.isfinite(t), t, 1e6) * w[members][None, :]).sum(axis=1)
        best = int(np.argmin(score))
        if current is None or score[cand == current][0] - score[best] > 1e-9:
            new[z] = group[cand[best]]
    return new


def _label_nodes(
    graph: sp.csr_matrix,
    node_mask: Any,
    nodes: IntArray,
    assign: IntArray,
    centres: IntArray,
    k: int,
) -> IntArray:
    """Every road node in the group takes the zone of the nearest labelled unit (by road)."""
    seeds = np.concatenate([nodes[assign >= 0], centres])
    seed_zone = np.concatenate([assign[assign >= 0], np.arange(k)])
    sub = _masked(graph, node_mask)
    _, _, src = dijkstra(
        sub, directed=False, indices=seeds, min_only=True, return_predecessors=True
    )
    zone_of_seed_node = np.full(graph.shape[0], -1, dtype=np.int64)
    zone_of_seed_node[seeds] = seed_zone
    out = np.where(src >= 0, zone_of_seed_node[np.maximum(src, 0)], -1)
    out[~node_mask] = -1
    return out.astype(np.int64)


def _masked(graph: sp.csr_matrix, node_mask: Any) -> sp.csr_matrix:
    if node_mask.all():
        return graph
    coo = graph.tocoo()
    keep = node_mask[coo.row] & node_mask[coo.col]
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=graph.shape)


# ---------------------------------------------------------------------- tiling
def _densify(network: RoadNetwork) -> tuple[IntArray, FloatArray]:
    """Points along road segments longer than DENSIFY_M: segment and fraction of each."""
    ab = network.arrays.seg_ab
    length = np.hypot(
        network.x[ab[:, 1]] - network.x[ab[:, 0]], network.y[ab[:, 1]] - network.y[ab[:, 0]]
    )
    n_extra = np.floor(length / DENSIFY_M).astype(np.int64)
    seg = np.repeat(np.arange(len(ab)), n_extra)
    if not len(seg):
        return seg, np.zeros(0)
    frac = np.concatenate([np.arange(1, m + 1) / (m + 1) for m in n_extra[n_extra > 0]])
    return seg, frac


def _generators(
    network: RoadNetwork, node_zone: IntArray, dense_seg: IntArray, dense_frac: FloatArray,
    dense_zone: IntArray, client_zone: IntArray, cx: Any, cy: Any, snapped: Any,
) -> tuple[FloatArray, FloatArray, IntArray]:  # fmt: skip
    """Voronoi generators with their zones: road nodes, points along roads, access legs.

    Points along a road take the zone of the nearer zoned element on it (as road nodes do),
    and each client's access leg (from the client to its road) is lined with points of the
    client's zone, so that a client's cell joins its zone's cells along the road.
    """
    ab = network.arrays.seg_ab
    x0, y0 = network.x[ab[dense_seg, 0]], network.y[ab[dense_seg, 0]]
    x1, y1 = network.x[ab[dense_seg, 1]], network.y[ab[dense_seg, 1]]
    gx = [network.x, x0 + (x1 - x0) * dense_frac]
    gy = [network.y, y0 + (y1 - y0) * dense_frac]
    gz = [node_zone, dense_zone]
    placed = np.flatnonzero(client_zone >= 0)
    rx, ry = network.to_metric(snapped.lon[placed], snapped.lat[placed])
    px, py = np.asarray(cx)[placed], np.asarray(cy)[placed]
    n_pts = np.maximum(np.ceil(np.hypot(px - rx, py - ry) / ACCESS_STEP_M), 1).astype(np.int64)
    idx = np.repeat(np.arange(len(placed)), n_pts)
    if len(idx):
        step = np.concatenate([np.arange(m) / m for m in n_pts[n_pts > 0]])
        gx.append(px[idx] + (np.asarray(rx)[idx] - px[idx]) * step)
        gy.append(py[idx] + (np.asarray(ry)[idx] - py[idx]) * step)
        gz.append(client_zone[placed][idx])
    return np.concatenate(gx), np.concatenate(gy), np.concatenate(gz)


def _tile(
    area: Any, x: FloatArray, y: FloatArray, z: IntArray, client_zone: IntArray, cx: Any,
    cy: Any, k: int, notes: list[str],
) -> tuple[list[Any], IntArray]:  # fmt: skip
    """Zone polygons from Voronoi cells of the generators, clipped to the area."""
    placed = client_zone >= 0
    keep = (z >= 0) & shapely.contains_xy(area, x, y)
    # one generator per place (client first wins over a node at the same spot)
    order = np.flatnonzero(keep)[::-1]
    key = np.round(x[order], 1) * 1e7 + np.round(y[order], 1)
    _, first = np.unique(key, return_index=True)
    sel = np.sort(order[first])
    pts = shapely.points(x[sel], y[sel])
    cells = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=area, ordered=True)
    cells = np.asarray(shapely.get_parts(cells))
    shapely.prepare(area)
    edge = ~shapely.contains(area, cells)  # only cells crossing the border need clipping
    cells[edge] = shapely.intersection(cells[edge], area)
    cell_zone = z[sel]
    polys = []
    for zz in range(k):
        parts = cells[cell_zone == zz]
        polys.append(shapely.coverage_union_all(parts) if len(parts) else shapely.Polygon())
    polys = _merge_strays(polys, notes)
    # clients follow the polygon they lie in (differs only where a stray piece was merged)
    tree = shapely.STRtree(polys)
    hit = tree.query(
        shapely.points(np.asarray(cx)[placed], np.asarray(cy)[placed]), predicate="intersects"
    )
    new_zone = client_zone.copy()
    placed_idx = np.flatnonzero(placed)
    for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
        new_zone[placed_idx[p]] = g
    return polys, new_zone


def _merge_strays(polys: list[Any], notes: list[str]) -> list[Any]:
    """Merge every piece of a zone but its largest into the neighbour sharing most border."""
    merged = 0
    for _ in range(5):
        changed = False
        for z, poly in enumerate(polys):
            parts = list(shapely.get_parts(poly))
            if len(parts) <= 1:
                continue
            parts.sort(key=lambda p: -p.area)
            polys[z] = parts[0]
            for piece in parts[1:]:
                shared = [
                    (shapely.length(shapely.intersection(piece.boundary, polys[o].boundary)), o)
                    for o in range(len(polys))
                    if o != z and not polys[o].is_empty
                ]
                length, other = max(shared) if shared else (0.0, z)
                target = other if length > 0 else z
                polys[target] = shapely.coverage_union_all([polys[target], piece])
                merged += 1
                changed = True
        if not changed:
            break
    if merged:
        notes.append(
            f"{merged} stray piece(s) of zone polygons were merged into the zone around them"
        )
    return polys


# ---------------------------------------------------------------------- results
def _make_plan(
    network: RoadNetwork, clients: Any, ids: Any, hours: FloatArray, lonlat: FloatArray,
    zone: IntArray, reasons: Any, polys: list[Any], centre_ll: FloatArray, area: Any,
    tol: float, prev_zone: IntArray | None, labels: IntArray, notes: list[str], seconds: float,
) -> ZonePlan:  # fmt: skip
    import geopandas as gpd

    k = len(polys)
    placed = zone >= 0
    rows = (
        clients["source_row"].to_numpy() if "source_row" in clients else np.arange(1, len(ids) + 1)
    )
    unassigned = pd.DataFrame(
        {"client_id": ids[~placed], "source_row": rows[~placed], "reason": reasons[~placed]}
    )
    minutes = np.full(len(ids), np.nan)
    within = np.full(k, np.nan)
    for z in range(k):
        members = np.flatnonzero(zone == z)
        if len(members) == 0:
            continue
        c = centre_ll[z : z + 1]
        minutes[members] = network.travel_times(c, lonlat[members], engine="builtin")[0]
        sample = members
        if len(members) > WITHIN_SAMPLE:
            sample = np.sort(np.random.default_rng(z).choice(members, WITHIN_SAMPLE, replace=False))
        m = network.travel_times(lonlat[sample], engine="builtin")
        off = ~np.eye(len(sample), dtype=bool)
        within[z] = float(np.mean(m[off])) if off.any() else 0.0
    assignments = pd.DataFrame(
        {
            "client_id": ids[placed],
            "zone_id": labels[zone[placed]],
            "hours_per_week": hours[placed],
            "minutes_to_centre": minutes[placed],
        }
    )
    zh = np.bincount(zone[placed], weights=hours[placed], minlength=k)
    zc = np.bincount(zone[placed], minlength=k)
    mean = float(zh.mean()) if k else 0.0
    dev = (zh - mean) / mean if mean > 0 else np.zeros(k)
    stats = []
    for z in range(k):
        members = zone == z
        stats.append(
            (
                _wmean(minutes[members], hours[members]),
                _wquantile(minutes[members], hours[members], 0.9),
            )
        )
    wgs = gpd.GeoSeries(polys, crs=network.crs).to_crs("EPSG:4326")
    zones = gpd.GeoDataFrame(
        {
            "zone_id": labels,
            "clients": zc,
            "hours_per_week": zh.round(2),
            "deviation": dev.round(4),
            "mean_minutes_to_centre": [round(s[0], 2) for s in stats],
            "p90_minutes_to_centre": [round(s[1], 2) for s in stats],
            "mean_within_minutes": within.round(2),
            "area_km2": (np.array([p.area for p in polys]) / 1e6).round(3),
            "centre_lon": centre_ll[:, 0],
            "centre_lat": centre_ll[:, 1],
        },
        geometry=wgs.to_numpy(),
        crs="EPSG:4326",
    )
    union = shapely.union_all(polys)  # robust where localities were tiled separately
    total = float(sum(p.area for p in polys))
    gap = max(float(area.area - union.area), 0.0) / 1e6
    overlap = max(total - float(union.area), 0.0) / 1e6
    moved = None
    if prev_zone is not None:
        known = placed & (prev_zone >= 0)
        moved = float(hours[known & (prev_zone != zone)].sum() / max(hours[known].sum(), 1e-9))
    metrics: dict[str, Any] = {
        "n_zones": k,
        "clients": int(placed.sum()),
        "unassigned": int((~placed).sum()),
        "hours_per_week": float(hours[placed].sum()),
        "mean_zone_hours": mean,
        "tolerance": tol,
        "worst_deviation": float(dev[np.argmax(np.abs(dev))]) if k else 0.0,
        "hours_cv": float(zh.std() / mean) if mean > 0 else 0.0,
        "balanced": bool(np.all(np.abs(dev) <= tol + 1e-9)),
        "mean_minutes_to_centre": _wmean(minutes[placed], hours[placed]),
        "p90_minutes_to_centre": _wquantile(minutes[placed], hours[placed], 0.9),
        "mean_within_minutes": float(np.nanmean(within)) if k else 0.0,
        "contiguous": all(p.geom_type == "Polygon" for p in polys if not p.is_empty),
        "gap_km2": round(gap, 9),
        "overlap_km2": round(overlap, 9),
        "moved_hours_share": moved,
        "seconds": round(seconds, 2),
        "notes": notes,
    }
    return ZonePlan(
        assignments,
        zones,
        unassigned,
        metrics,
        crs=network.crs,
        attribution=network.provenance.attribution,
        synthetic=network.provenance.synthetic,
    )


def _wmean(x: FloatArray, w: FloatArray) -> float:
    ok = np.isfinite(x)
    if not ok.any() or w[ok].sum() <= 0:
        return float(np.nanmean(x)) if ok.any() else float("nan")
    return float(np.average(x[ok], weights=w[ok]))


def _wquantile(x: FloatArray, w: FloatArray, q: float) -> float:
    ok = np.isfinite(x)
    if not ok.any():
        return float("nan")
    order = np.argsort(x[ok])
    xs, ws = x[ok][order], w[ok][order] + 1e-12
    cum = np.cumsum(ws) / ws.sum()
    return float(xs[np.searchsorted(cum, q)])
