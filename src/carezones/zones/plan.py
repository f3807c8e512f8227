"""The zone plan (:class:`ZonePlan`) and :func:`build_zones`, which runs the stages in order.

The method is described in :mod:`carezones.zones`; each stage has a module of its own there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from carezones.errors import ZoneError
from carezones.zones.graph import augmented_graph, find_places
from carezones.zones.inputs import (
    check_inputs,
    locality_groups,
    previous_zones,
    share_zones,
    study_area,
    zone_count,
    zone_labels,
)
from carezones.zones.metrics import plan_tables
from carezones.zones.solve import solve_group
from carezones.zones.tiling import densify, generators, tile, tile_localities

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork


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

    check_inputs(clients, network, tolerance)
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lonlat = as_lonlat(clients)
    cx, cy = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    area = study_area(network, boundary)
    reasons = np.full(len(ids), "", dtype=object)
    inside = shapely.contains_xy(area, cx, cy) | shapely.intersects_xy(area, cx, cy)
    reasons[~inside] = "outside the study area"
    snapped = network.snap(lonlat)
    far = snapped.far & inside
    reasons[far] = f"more than {network.max_snap_m:.0f} m from any road"
    ok = reasons == ""

    fixed = None if centres is None else as_lonlat(centres)
    prev_zone = previous_zones(previous, ids, lonlat) if previous is not None else None
    if localities is None:
        groups = [(np.flatnonzero(ok), np.ones(network.n_nodes, dtype=bool), area)]
    else:
        groups = locality_groups(localities, network, cx, cy, ok, area, reasons)
        ok = reasons == ""
    places = find_places(network, lonlat, hours, snapped, ok, fixed)
    graph = augmented_graph(network, places)
    total = float(hours[ok].sum())
    k_total = zone_count(n_zones, hours_per_zone, total, int((places.hours > 0).sum()))
    if fixed is not None and len(fixed) != k_total:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k_total} zones: give one per zone")
    ks = share_zones(k_total, [float(hours[g[0]].sum()) for g in groups])
    notes: list[str] = []

    labels, prev_zone = zone_labels(prev_zone, k_total, localities is None, notes)
    n_road = network.n_nodes
    zone_of_client = np.full(len(ids), -1, dtype=np.int64)
    node_zone = np.full(n_road, -1, dtype=np.int64)
    centre_ll = np.zeros((k_total, 2))
    dense_seg, dense_frac = densify(network)
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
        res = solve_group(
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

    gx, gy, gz = generators(
        network, node_zone, dense_seg, dense_frac, dense_zone, zone_of_client, cx, cy, snapped
    )
    if localities is None:
        polys, zone_of_client = tile(area, gx, gy, gz, zone_of_client, cx, cy, k_total, notes)
    else:  # each locality is tiled on its own, so no zone crosses its border
        parts = [g[2] for g in groups]
        polys, zone_of_client = tile_localities(
            parts, ks, k_total, gx, gy, gz, zone_of_client, cx, cy, notes
        )
        area = shapely.union_all(parts)
    assignments, zones, unassigned, metrics = plan_tables(
        network, clients, ids, hours, lonlat, zone_of_client, reasons, polys, centre_ll,
        area, tolerance, prev_zone, labels, notes, time.perf_counter() - t0,
    )  # fmt: skip
    return ZonePlan(
        assignments,
        zones,
        unassigned,
        metrics,
        crs=network.crs,
        attribution=network.provenance.attribution,
        synthetic=network.provenance.synthetic,
    )
