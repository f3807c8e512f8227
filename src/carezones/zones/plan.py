"""The zone plan (:class:`ZonePlan`) and :func:`build_zones`, which runs the stages in order.

The method is described in :mod:`carezones.zones`; each stage has a module of its own there.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from carezones.errors import ArgumentError, ZoneError
from carezones.privacy import CENTRE_CLEARANCE_M, MIN_GROUP
from carezones.zones.graph import augmented_graph, find_places
from carezones.zones.inputs import (
    Inputs,
    check_inputs,
    inside_area,
    locality_groups,
    previous_zones,
    share_zones,
    study_area,
    zone_count,
    zone_labels,
    zone_target,
)
from carezones.zones.options import ZoneAreas, ZoneOptions
from carezones.zones.solve import Group, solve_group
from carezones.zones.tables import Zoning, plan_tables, publish_units
from carezones.zones.tiling import (
    TileClients,
    TileJob,
    generators,
    quiet,
    road_points,
    tile,
    tile_localities,
)

if TYPE_CHECKING:
    from pathlib import Path

    import geopandas as gpd
    import numpy.typing as npt
    import pyproj

    from carezones.io._cells import PathLike
    from carezones.network import RoadNetwork
    from carezones.network.data import Provenance
    from carezones.protocol import MapLike


@dataclass(frozen=True)
class ZonePlan:
    """The result of :func:`build_zones`.

    ``zones``, ``units``, ``kpis`` and :meth:`summary` are the shareable part: they hold no
    client's location, and unless the plan was built with ``show_clients=True`` no figure of
    a zone of fewer than 5 clients, nor one that the totals less the published zones would
    give away (the smallest other zone is withheld with it). ``assignments`` and
    ``unassigned`` list clients by id: they are for the council's own use.

    Parameters
    ----------
    assignments : pandas.DataFrame
        One row per zoned client: ``client_id``, ``zone_id``, ``hours_per_week``,
        ``minutes_to_centre`` (road minutes from the zone's centre) and ``far_from_road``
        (the client is more than the network's ``max_snap_m`` from any road: it is zoned by
        the zone area it lies in, and its minutes are estimated as a straight line to the
        nearest road at the access speed plus the road minutes from there).
    zones : geopandas.GeoDataFrame
        One row per zone (WGS84): ``zone_id``, ``clients``, ``hours_per_week``, ``deviation``
        (from the mean, as a share), ``mean_minutes_to_centre`` and ``p90_minutes_to_centre``
        (hours-weighted), ``mean_within_minutes`` (client to client), ``area_km2``,
        ``centre_lon``/``centre_lat`` (a road junction, never a client's home), ``withheld``
        (figures and centre left blank: the zone has fewer than 5 clients), geometry.
    unassigned : pandas.DataFrame
        Clients not zoned: ``client_id``, ``source_row``, ``reason``.
    kpis : dict
        Plan-level numbers (balance, travel, contiguity, tiling, runtime, notes).
    crs : pyproj.CRS, optional
        The metric CRS the plan was built in.
    attribution : str
        The map data's attribution.
    synthetic : bool
        Whether the plan is of synthetic data (the outputs then say so).
    units : pandas.DataFrame or None
        With units: one row per unit, ``unit_id``, ``zone_id``, ``clients`` and
        ``hours_per_week`` (blank for a unit of fewer than 5 clients).
    show_clients : bool
        Whether the plan was built with ``show_clients=True``.
    provenance : Provenance, optional
        Where the network the plan was built on came from: its map draws its offline base
        (roads, water, place names) from the same OSM file.

    Examples
    --------
    >>> from carezones import build_zones
    >>> zone_plan = build_zones(clients, net, 2)
    >>> zone_plan.zones[["zone_id", "clients", "hours_per_week"]]
       zone_id  clients  hours_per_week
    0        1       32          354.25
    1        2       28          335.25
    """

    assignments: pd.DataFrame
    zones: gpd.GeoDataFrame
    unassigned: pd.DataFrame
    kpis: dict[str, Any]
    crs: pyproj.CRS | None = None
    attribution: str = "© OpenStreetMap contributors"
    synthetic: bool = False
    units: pd.DataFrame | None = None
    show_clients: bool = False
    provenance: Provenance | None = field(default=None, repr=False, compare=False)

    def summary(self) -> str:
        """Return a short plain-language summary of the plan.

        Returns
        -------
        str
            Balance, travel, contiguity and tiling, and any warnings and notes, in lines.

        Examples
        --------
        >>> print(zone_plan.summary().splitlines()[0])
        2 zones for 60 clients and 689.5 hours a week (mean 344.8 h per zone).
        """
        m = self.kpis
        lines = [
            f"{m['n_zones']} zones for {m['clients']:,} clients and {m['hours_per_week']:,.1f} "
            f"hours a week (mean {m['mean_zone_hours']:,.1f} h per zone).",
            f"Balance: worst zone {m['worst_deviation']:+.1%} from the mean "
            f"(tolerance ±{m['tolerance']:.0%}): {'met' if m['balanced'] else 'NOT met'}.",
            f"Travel from each zone's centre (hours-weighted): mean "
            f"{m['mean_minutes_to_centre']:.1f} min, 90th percentile "
            f"{m['p90_minutes_to_centre']:.1f} min; client to client within zones "
            f"{m['mean_within_minutes']:.1f} min. {_centres_sentence(m)}",
            f"Every zone one piece: {_one_piece(m)}; zones tile the area "
            f"(gaps {m['gap_km2']:.6f} km², overlaps {m['overlap_km2']:.6f} km²).",
        ]
        if m.get("units"):
            u = m["units"]
            lines.append(
                f"Zones are unions of whole units ({u['count']:,} units, ids from column "
                f"'{u['id_column']}'): units.csv lists each unit's zone."
            )
        if m.get("zones_without_clients"):
            ids = ", ".join(str(z) for z in m["zones_without_clients"])
            lines.append(f"WARNING: zone(s) {ids} hold no clients.")
        if m.get("withheld_zones"):
            lines.append(
                f"{m['withheld_zones']} zone(s) have their figures and centres withheld: "
                f"a zone of fewer than {MIN_GROUP} clients, and the smallest other zone with it "
                "so that it cannot be found by subtracting the published zones from the totals."
            )
        if m.get("far_from_road"):
            lines.append(
                f"{m['far_from_road']} client(s) more than {m['max_snap_m']:.0f} m from any "
                "road are zoned by the zone area they lie in (far_from_road in the "
                "assignments); their minutes to the centre are estimated: a straight line to "
                f"the nearest road at {m['access_kph']:g} km/h, then the roads."
            )
        if m.get("moved_by_tiling"):
            moved = m["moved_by_tiling"]
            many = (
                f"{moved} client(s) ({m['moved_by_tiling_hours']:,.1f} h)"
                if moved >= MIN_GROUP
                else f"Fewer than {MIN_GROUP} clients"
            )
            lines.append(
                f"{many} took "
                "the zone of the polygon holding their home rather than the one their road "
                "gave them: the map and the assignments always agree."
            )
        if m.get("moved_hours_share") is not None:
            lines.append(
                f"Hours that changed zone from the previous plan: {m['moved_hours_share']:.1%}."
            )
        if len(self.unassigned):
            lines.append(
                f"{len(self.unassigned)} client(s) not zoned: the unassigned clients "
                "(unassigned.csv) say why."
            )
        lines += [f"Note: {n}" for n in m.get("notes", [])]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Return a card of the plan's numbers and its zones' outlines (no client is drawn)."""
        from carezones.report.zones import zone_card

        return zone_card(self)

    @cached_property
    def _tree(self) -> shapely.STRtree:
        """The zones' spatial index, built on first use by :meth:`assign`."""
        return shapely.STRtree(self.zones.geometry.to_numpy())

    def assign(self, points: gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike) -> pd.Series:
        """Return the zone of each point (new referrals): the zone polygon containing it.

        Parameters
        ----------
        points : GeoDataFrame, GeoSeries or array_like
            The points, in any CRS, or (n, 2) lon/lat.

        Returns
        -------
        pandas.Series
            The zone id of each point (indexed as ``points`` when it has an index of its
            length); points outside every zone get ``<NA>``.

        Examples
        --------
        >>> zone_plan.assign(clients.head(3)).tolist()
        [2, 1, 2]
        """
        from carezones.network import as_lonlat

        lonlat = as_lonlat(points)
        pts = shapely.points(lonlat)
        hit = self._tree.query(pts, predicate="intersects")
        zone_ids = self.zones["zone_id"].to_numpy()
        text = zone_ids.dtype == object
        out = pd.Series(
            None if text else pd.NA, index=range(len(pts)), dtype=object if text else "Int64"
        )
        # a point on a shared border takes the lowest zone index, deterministically
        for p, z in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out.iloc[p] = zone_ids[z] if text else int(zone_ids[z])
        index = getattr(points, "index", None)
        if index is not None and len(index) == len(out):
            out.index = index
        return out

    def to_map(
        self,
        *,
        offline: bool = True,
        clients: gpd.GeoDataFrame | None = None,
        show_client_points: bool = False,
    ) -> MapLike:
        """Return a folium map of the zones (statistics in tooltips, a legend, centres).

        Parameters
        ----------
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.
        clients : GeoDataFrame, optional
            Clients to draw, as hexagons of 5 or more; they are drawn only when given.
        show_client_points : bool
            Also draw each client's location, id and hours: the page is then marked as for
            your own use (it carries personal data: never share it).

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(zone_plan.to_map()).__name__
        'Map'
        """
        from carezones.report.zones import zones_map

        return zones_map(
            self, clients=clients, show_client_points=show_client_points, offline=offline
        )

    def to_files(
        self,
        out_dir: PathLike,
        *,
        offline: bool = True,
        clients: gpd.GeoDataFrame | None = None,
        show_client_points: bool = False,
    ) -> list[Path]:
        """Write the plan's CSV, GeoPackage, map and summaries into ``out_dir``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.
        clients : GeoDataFrame, optional
            Clients to draw on the map, as hexagons of 5 or more.
        show_client_points : bool
            Also draw each client's location on the map (the map and summary then say that
            they are for your own use).

        Returns
        -------
        list of pathlib.Path
            The files written: see :func:`carezones.report.zones.write_zone_plan`.

        Examples
        --------
        >>> import tempfile
        >>> print(*sorted(path.name for path in zone_plan.to_files(tempfile.mkdtemp())))
        assignments.csv summary.json summary.md unassigned.csv zones.gpkg zones.html
        """
        from carezones.report.zones import write_zone_plan

        return write_zone_plan(
            self, out_dir, clients=clients, offline=offline, show_client_points=show_client_points
        )


def _centres_sentence(kpis: dict[str, Any]) -> str:
    """Return what a plan's centres are, in one sentence (``fixed_centres``: they were given)."""
    if kpis.get("fixed_centres"):
        return "Zone centres are the fixed centres given (where they are is the planner's choice)."
    return (
        "Zone centres are road junctions, never a client's home (at least "
        f"{CENTRE_CLEARANCE_M:g} m from every client and the road point of every client's home)."
    )


def _one_piece(m: dict[str, Any]) -> str:
    """Return "yes", or "NO" and which zones are not one piece (or have no area)."""
    if m["contiguous"]:
        return "yes"
    empty = m.get("zones_without_area") or []
    split = [z for z in m.get("zones_not_one_piece") or [] if z not in empty]
    why = []
    if empty:
        why.append(f"zone(s) {', '.join(str(z) for z in empty)} have no area")
    if split:
        why.append(f"zone(s) {', '.join(str(z) for z in split)} are in several pieces")
    return "NO (" + "; ".join(why) + ")"


def build_zones(
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    n_zones: int | None = None,
    *,
    hours_per_zone: float | None = None,
    previous: pd.DataFrame | None = None,
    areas: ZoneAreas | None = None,
    options: ZoneOptions | None = None,
    progress: bool | None = None,
) -> ZonePlan:
    """Cluster clients into balanced, road-compact, contiguous zones that tile the area.

    Zone polygons are drawn around every building of the OSM file the network was read
    from (:attr:`RoadNetwork.buildings <carezones.RoadNetwork.buildings>`, homes and other
    buildings alike), never around the clients' own points: the same request gives the same
    zones in every command.

    Parameters
    ----------
    clients : GeoDataFrame
        Client points with ``client_id`` and ``hours_per_week`` (see :func:`read_clients`).
    network : RoadNetwork
        The drive network.
    n_zones : int, optional
        Number of zones (a whole number, 1 or more). Give this or ``hours_per_zone``.
    hours_per_zone : float, optional
        Target weekly hours per zone; the number of zones is total hours / this, rounded.
    previous : GeoDataFrame or DataFrame, optional
        A previous plan to change as little as possible: zone polygons with ``zone_id``, or
        assignments with ``client_id`` and ``zone_id``. Its zone ids (whole numbers or
        text) are kept when the clients are in as many of its zones as asked for; moving a
        client's hours costs ``options.stability_minutes``.
    areas : ZoneAreas, optional
        Where the zones lie: the study area (``boundary``), localities they never cross,
        areal units they are made of (``units``, ``unit_id``), fixed centres (``centres``),
        the buildings their polygons are drawn around (default: the network's).
    options : ZoneOptions, optional
        The balance tolerance, the seed, ``stability_minutes``, ``max_iter`` and
        ``show_clients`` (default :class:`ZoneOptions()`).
    progress : bool, optional
        Show a progress bar over the long steps: ``None`` (default) when someone is watching
        (a notebook or a terminal), ``False`` never. Never written to logs.

    Returns
    -------
    ZonePlan
        The zones, each client's zone, the clients left out and the plan's numbers.

    Raises
    ------
    ArgumentError
        When ``n_zones`` or ``hours_per_zone`` is not a value it can take (``n_zones=2.5``,
        ``True``, ``"3"``, ``hours_per_zone=nan``...), or ``areas``/``options`` are not
        :class:`ZoneAreas`/:class:`ZoneOptions`.
    ZoneError
        When the zones cannot be built as asked: too many zones for the clients (the message
        gives the most), a boundary or previous plan that holds no client, units that are
        not valid.

    Examples
    --------
    >>> from carezones import ZoneOptions, build_zones
    >>> zone_plan = build_zones(clients, net, 2, options=ZoneOptions(seed=0))
    >>> zone_plan.kpis["balanced"], len(zone_plan.assignments), len(zone_plan.unassigned)
    (True, 60, 0)
    """
    t0 = time.perf_counter()
    from carezones.network import as_lonlat

    target = zone_target(n_zones, hours_per_zone)
    options = ZoneOptions() if options is None else options
    areas = ZoneAreas() if areas is None else areas
    if not isinstance(options, ZoneOptions):
        raise ArgumentError(f"options must be a ZoneOptions, not {type(options).__name__}")
    if not isinstance(areas, ZoneAreas):
        raise ArgumentError(f"areas must be a ZoneAreas, not {type(areas).__name__}")
    check_inputs(clients, network)
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lonlat = as_lonlat(clients)
    fixed = None if areas.centres is None else as_lonlat(areas.centres)
    prev = None if previous is None else previous_zones(previous, ids, lonlat)
    from carezones._progress import progress_bar

    bar = progress_bar(_STEPS, "building zones", progress)
    try:
        with quiet():  # clients far from every road are zoned all the same (and counted)
            snapped = network.snap(lonlat)
        bar.update(1)
        inputs = Inputs(clients, ids, hours, lonlat, snapped, target, options, areas, fixed, prev)
        return _build(network, inputs, t0, bar)
    finally:
        bar.close()


_STEPS = 5  # the steps a progress bar counts: snap, places, solve, tile, tables


def _build(network: RoadNetwork, inputs: Inputs, t0: float, bar: Any) -> ZonePlan:
    """Run the steps of :func:`build_zones` once the clients are snapped, ticking ``bar``."""
    show_clients = inputs.options.show_clients
    if inputs.areas.units is not None:
        from carezones.zones.units import zone_units

        zoning, unit_table, unit_info = zone_units(network, inputs)
        bar.update(3)
    else:
        zoning = _zone_roads(network, inputs, bar)
        unit_table, unit_info = None, None
    assignments, zones, unassigned, kpis = plan_tables(
        network,
        inputs.clients,
        inputs.ids,
        inputs.hours,
        zoning,
        inputs.options.tolerance,
        show_clients,
        time.perf_counter() - t0,
    )
    if unit_table is not None:
        unit_table, unit_notes = publish_units(unit_table, zoning, show_clients)
        kpis["notes"] = kpis["notes"] + unit_notes
    bar.update(1)
    kpis["units"] = unit_info
    kpis["max_snap_m"] = network.max_snap_m
    kpis["access_kph"] = float(network.speeds.access_kph(network.mode))
    kpis["show_clients"] = show_clients
    kpis["fixed_centres"] = inputs.fixed is not None
    return ZonePlan(
        assignments,
        zones,
        unassigned,
        kpis,
        crs=network.crs,
        attribution=network.provenance.attribution,
        synthetic=network.provenance.synthetic,
        provenance=network.provenance,
        units=unit_table,
        show_clients=show_clients,
    )


def _zone_roads(network: RoadNetwork, inputs: Inputs, bar: Any) -> Zoning:
    """Zones on the roads (steps 1 to 6 of :mod:`carezones.zones`), tiled by Voronoi cells."""
    ids, hours, lonlat, snapped = inputs.ids, inputs.hours, inputs.lonlat, inputs.snapped
    opts, areas, fixed = inputs.options, inputs.areas, inputs.fixed
    localities = areas.localities
    cx, cy = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    area = study_area(network, areas.boundary)
    inside = inside_area(network, area, cx, cy, areas.boundary)
    reasons = np.full(len(ids), "", dtype=object)
    reasons[~inside] = "outside the study area"
    ok = reasons == ""
    if localities is None:
        groups = [(np.flatnonzero(ok), np.ones(network.n_nodes, dtype=bool), area)]
    else:
        groups = locality_groups(localities, network, cx, cy, ok, area, reasons)
        ok = reasons == ""
    places = find_places(network, lonlat, hours, snapped, ok, fixed)
    graph = augmented_graph(network, places)
    bar.update(1)
    total = float(hours[ok].sum())
    n_places = int((places.hours > 0).sum())
    k_total = zone_count(inputs.target, total, int(ok.sum()), n_places, opts.show_clients)
    if fixed is not None and len(fixed) != k_total:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k_total} zones: give one per zone")
    ks = share_zones(k_total, [float(hours[g[0]].sum()) for g in groups])
    labels, prev_zone, notes = zone_labels(inputs.previous, k_total, localities is None)
    n_road = network.n_nodes
    graph_zone = np.full(len(ids), -1, dtype=np.int64)
    node_zone = np.full(n_road, -1, dtype=np.int64)
    centre_ll = np.zeros((k_total, 2))
    buildings = network.buildings.lonlat if areas.buildings is None else areas.buildings
    pt_seg, pt_frac, pt_x, pt_y = road_points(network, buildings, area)
    pt_zone = np.full(len(pt_seg), -1, dtype=np.int64)
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
        group = Group(group_places, mask, members, k, group_fixed)
        res = solve_group(network, graph, places, group, opts, prev_zone)
        in_group = res.zone >= 0
        client_zone = res.zone[n_road + places.of_client[members]]
        graph_zone[members] = np.where(client_zone >= 0, client_zone + offset, -1)
        road = in_group[:n_road]
        node_zone[road] = res.zone[:n_road][road] + offset
        centre_ll[offset : offset + k] = places.lonlat(res.centres, network)
        pz = res.graph.zone_at(network, pt_seg, pt_frac, res.local_zone)
        pt_zone = np.where((pz >= 0) & (pt_zone < 0), pz + offset, pt_zone)
        offset += k
    unreachable = ok & (graph_zone < 0)
    reasons[unreachable] = "cannot be reached by road from any zone centre"
    bar.update(1)

    gen = generators(network, node_zone, pt_seg, pt_frac, pt_x, pt_y, pt_zone)
    placed = graph_zone >= 0
    far = snapped.far & placed
    route_ll = np.where(far[:, None], np.column_stack([snapped.lon, snapped.lat]), lonlat)
    per_min = network.speeds.access_kph(network.mode) * 1000.0 / 60.0
    extra = np.where(far, snapped.distance_m / per_min, 0.0)
    who = TileClients(cx, cy, hours, graph_zone, route_ll, extra)
    least = 1 if opts.show_clients else MIN_GROUP  # the fewest clients a zone should hold
    job = TileJob(network, gen, who, centre_ll, opts.tolerance, least)
    # the polygons are the zones: every client takes the zone of the polygon holding it
    if localities is None:
        polys, zone, tile_notes = tile(area, np.arange(k_total), job)
    else:  # each locality is tiled on its own, so no zone crosses its border
        parts = [g[2] for g in groups]
        polys, zone, tile_notes = tile_localities(parts, ks, job)
        area = shapely.union_all(parts)
    zone = np.where(placed & (zone < 0), graph_zone, zone)
    moved = placed & (zone != graph_zone)
    bar.update(1)
    return Zoning(
        zone,
        reasons,
        far,
        route_ll,
        extra,
        polys,
        centre_ll,
        area,
        labels,
        prev_zone,
        notes + tile_notes,
        moved,
    )
