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

from carezones.errors import ArgumentError, ZoneError
from carezones.privacy import MIN_GROUP
from carezones.zones.graph import augmented_graph, find_places
from carezones.zones.inputs import (
    Options,
    check_arguments,
    check_inputs,
    inside_area,
    locality_groups,
    previous_zones,
    share_zones,
    study_area,
    zone_count,
    zone_labels,
)
from carezones.zones.metrics import Zoning, plan_tables
from carezones.zones.solve import solve_group
from carezones.zones.tiling import (
    TileClients,
    generators,
    quiet,
    road_points,
    tile,
    tile_localities,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork


@dataclass
class ZonePlan:
    """The result of :func:`build_zones`.

    ``zones``, ``units``, ``metrics`` and :meth:`summary` are the shareable part: they hold no
    client's location, and unless the plan was built with ``show_clients=True`` no figure of
    a zone of fewer than 5 clients. ``assignments`` and ``unassigned`` list clients by id:
    they are for the council's own use.

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
    metrics : dict
        Plan-level numbers (balance, travel, contiguity, tiling, runtime, notes).
    crs : pyproj.CRS, optional
        The metric CRS the plan was built in.
    attribution : str
        The map data's attribution.
    synthetic : bool
        Whether the plan is of synthetic data (the outputs then say so).
    units : pandas.DataFrame or None
        With ``units=``: one row per unit, ``unit_id``, ``zone_id``, ``clients`` and
        ``hours_per_week`` (blank for a unit of fewer than 5 clients).
    show_clients : bool
        Whether the plan was built with ``show_clients=True``.
    _tree : shapely.STRtree, optional
        The zones' spatial index, built by :meth:`assign` on first use.

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
    metrics: dict[str, Any]
    crs: Any = None
    attribution: str = "© OpenStreetMap contributors"
    synthetic: bool = False
    units: pd.DataFrame | None = None
    show_clients: bool = False
    _tree: Any = field(default=None, repr=False)

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
        m = self.metrics
        lines = [
            f"{m['n_zones']} zones for {m['clients']:,} clients and {m['hours_per_week']:,.1f} "
            f"hours a week (mean {m['mean_zone_hours']:,.1f} h per zone).",
            f"Balance: worst zone {m['worst_deviation']:+.1%} from the mean "
            f"(tolerance ±{m['tolerance']:.0%}): {'met' if m['balanced'] else 'NOT met'}.",
            f"Travel from each zone's centre (hours-weighted): mean "
            f"{m['mean_minutes_to_centre']:.1f} min, 90th percentile "
            f"{m['p90_minutes_to_centre']:.1f} min; client to client within zones "
            f"{m['mean_within_minutes']:.1f} min. Zone centres are road junctions, never a "
            "client's home.",
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
                f"{m['withheld_zones']} zone(s) hold fewer than {MIN_GROUP} clients: their "
                "figures and centres are withheld."
            )
        if m.get("far_from_road"):
            lines.append(
                f"{m['far_from_road']} client(s) more than {m['max_snap_m']:.0f} m from any "
                "road are zoned by the zone area they lie in (far_from_road in the "
                "assignments); their minutes to the centre are estimated: a straight line to "
                f"the nearest road at {m['access_kph']:g} km/h, then the roads."
            )
        if m.get("moved_by_tiling"):
            lines.append(
                f"{m['moved_by_tiling']} client(s) ({m['moved_by_tiling_hours']:,.1f} h) took "
                "the zone of the polygon holding their home rather than the one their road "
                "gave them: the map and the assignments always agree."
            )
        if m.get("moved_hours_share") is not None:
            lines.append(
                f"Hours that changed zone from the previous plan: {m['moved_hours_share']:.1%}."
            )
        if len(self.unassigned):
            lines.append(f"{len(self.unassigned)} client(s) not zoned: see .unassigned.")
        lines += [f"Note: {n}" for n in m.get("notes", [])]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Return a card of the plan's numbers and its zones' outlines (no client is drawn)."""
        from carezones.report.html import html_card, svg_thumbnail
        from carezones.report.maps import ZONE_COLOURS

        m = self.metrics
        dev = pd.to_numeric(self.zones["deviation"], errors="coerce").abs()
        rows = [
            ("zones", m["n_zones"]),
            ("clients", m["clients"]),
            ("hours a week", m["hours_per_week"]),
            ("worst deviation", f"{m['worst_deviation']:+.1%}"),
            ("mean deviation", "n/a" if dev.isna().all() else f"{dev.mean():.1%}"),
            ("balanced (±" + f"{m['tolerance']:.0%})", "yes" if m["balanced"] else "NO"),
            ("mean min to centre", m["mean_minutes_to_centre"]),
            ("p90 min to centre", m["p90_minutes_to_centre"]),
            ("mean min client to client", m["mean_within_minutes"]),
            ("every zone one piece", "yes" if m["contiguous"] else "NO"),
            ("clients not zoned", len(self.unassigned)),
        ]
        cols = [
            "zone_id",
            "clients",
            "hours_per_week",
            "deviation",
            "mean_minutes_to_centre",
            "area_km2",
        ]
        colours = [ZONE_COLOURS[i % len(ZONE_COLOURS)] for i in range(len(self.zones))]
        thumb = svg_thumbnail(list(self.zones.geometry), colours, size=160)
        return html_card(
            "Zone plan",
            rows,
            table=pd.DataFrame(self.zones[cols]),
            note=self.attribution,
            thumbnail=thumb,
        )

    def assign(self, points: Any) -> pd.Series:
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
        if self._tree is None:  # built on first use
            self._tree = shapely.STRtree(self.zones.geometry.to_numpy())
        hit = self._tree.query(pts, predicate="intersects")
        zone_ids = self.zones["zone_id"].to_numpy()
        text = zone_ids.dtype == object
        out = pd.Series(
            None if text else pd.NA, index=range(len(pts)), dtype=object if text else "Int64"
        )
        # a point on a shared border takes the lowest zone index, deterministically
        for p, z in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out.iloc[p] = zone_ids[z] if text else int(zone_ids[z])
        if hasattr(points, "index") and len(points.index) == len(out):
            out.index = points.index
        return out

    def to_map(
        self, *, clients: Any = None, show_clients: bool = False, offline: bool = True
    ) -> Any:
        """Return a folium map of the zones (statistics in tooltips, a legend, centres).

        Parameters
        ----------
        clients : GeoDataFrame, optional
            Clients to draw; they are drawn only when given.
        show_clients : bool
            Draw each client (a plan that will not be shared) rather than aggregating them.
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.

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

        return zones_map(self, clients=clients, show_clients=show_clients, offline=offline)

    def to_files(self, out_dir: Any, *, clients: Any = None, offline: bool = True) -> list[Any]:
        """Write the plan's CSV, GeoPackage, map and summaries into ``out_dir``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        clients : GeoDataFrame, optional
            Clients to draw on the map (aggregated unless the plan shows clients).
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.

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

        return write_zone_plan(self, out_dir, clients=clients, offline=offline)


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
    tolerance: float = 0.05,
    seed: int = 0,
    boundary: Any = None,
    localities: gpd.GeoDataFrame | None = None,
    previous: Any = None,
    centres: Any = None,
    units: gpd.GeoDataFrame | None = None,
    unit_id: str | None = None,
    buildings: Any = None,
    show_clients: bool = False,
    stability_minutes: float = 10.0,
    max_iter: int = 8,
    progress: bool | None = None,
) -> ZonePlan:
    """Cluster clients into balanced, road-compact, contiguous zones that tile the area.

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
    tolerance : float
        Allowed deviation of a zone's hours from the mean, as a share (0.05 = ±5%).
    seed : int
        Seed for the starting centres (0 or more): same inputs and seed, same zones.
    boundary : polygon or GeoDataFrame, optional
        The study area (e.g. the council boundary); default: the network's area (with
        ``units``: the units' area; units whose representative point is outside the
        boundary are left out).
    localities : GeoDataFrame, optional
        Polygons zones must not cross; zones are shared out between them by hours.
    previous : GeoDataFrame or DataFrame, optional
        A previous plan to change as little as possible: zone polygons with ``zone_id``, or
        assignments with ``client_id`` and ``zone_id``. Its zone ids (whole numbers or
        text) are kept when the clients are in as many of its zones as asked for.
    centres : points, optional
        Fixed zone centres (e.g. provider bases), one per zone; they do not move.
    units : GeoDataFrame, optional
        Areal units (postcode sectors, wards, parishes, LSOAs...) in any CRS: each zone is
        then a union of whole units, contiguous over units sharing a border, and the plan's
        ``units`` table gives each unit's zone. Clients take the unit they lie in.
    unit_id : str, optional
        The column of ``units`` holding their ids (unique, not blank). Default: the column
        named ``unit_id``, ``code`` or ``id``, or the one column named like an ONS code
        (``LSOA21CD``, ``WD23CD``...), or the only column.
    buildings : points, optional
        Every building of the area (not only clients' homes: e.g.
        :func:`carezones.io.osm.read_building_centroids`), as a GeoDataFrame, GeoSeries or
        (n, 2) lon/lat array: the zone polygons are then drawn from the roads and the
        buildings, each building in the zone of the road it snaps to (not used with
        ``units``, whose polygons are the zones').
    show_clients : bool
        Allow zones, figures and maps of fewer than 5 clients (a plan that will not be
        shared). By default ``n_zones`` may be at most the number of clients divided by 5,
        and a zone that still ends with 1 to 4 clients has its figures and centre withheld.
    stability_minutes : float
        With ``previous``: the cost, in minutes per hour of care, of moving a client's hours
        to another zone.
    max_iter : int
        Maximum centre-update rounds.
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
        When a numeric argument is not a value it can take (``n_zones=2.5``, ``True``,
        ``"3"``, ``hours_per_zone=nan``, ``seed=-1``...).
    ZoneError
        When the zones cannot be built as asked: too many zones for the clients (the message
        gives the most), a boundary or previous plan that holds no client, units that are
        not valid.

    Examples
    --------
    >>> from carezones import build_zones
    >>> zone_plan = build_zones(clients, net, 2, seed=0)
    >>> zone_plan.metrics["balanced"], len(zone_plan.assignments), len(zone_plan.unassigned)
    (True, 60, 0)
    """
    t0 = time.perf_counter()
    from carezones.network import as_lonlat

    opts = check_arguments(n_zones, hours_per_zone, tolerance, seed, stability_minutes, max_iter)
    if not isinstance(show_clients, bool | np.bool_):
        raise ArgumentError(f"show_clients must be True or False, not {show_clients!r}")
    check_inputs(clients, network)
    ids = clients["client_id"].astype(str).to_numpy()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    lonlat = as_lonlat(clients)
    fixed = None if centres is None else as_lonlat(centres)
    prev_code, prev_ids = (None, None)
    if previous is not None:
        prev_code, prev_ids = previous_zones(previous, ids, lonlat)
    from carezones._progress import progress_bar

    bar = progress_bar(_STEPS, "building zones", progress)
    try:
        return _build(
            clients,
            network,
            ids,
            hours,
            lonlat,
            fixed,
            prev_code,
            prev_ids,
            opts,
            boundary,
            localities,
            units,
            unit_id,
            buildings,
            bool(show_clients),
            t0,
            bar,
        )
    finally:
        bar.close()


_STEPS = 5  # the steps a progress bar counts: snap, places, solve, tile, tables


def _build(
    clients: Any,
    network: RoadNetwork,
    ids: Any,
    hours: Any,
    lonlat: Any,
    fixed: Any,
    prev_code: Any,
    prev_ids: Any,
    opts: Options,
    boundary: Any,
    localities: Any,
    units: Any,
    unit_id: str | None,
    buildings: Any,
    show_clients: bool,
    t0: float,
    bar: Any,
) -> ZonePlan:
    """Run the steps of :func:`build_zones` once its arguments are checked, ticking ``bar``."""
    with quiet():  # clients far from every road are zoned all the same (and counted)
        snapped = network.snap(lonlat)
    bar.update(1)
    notes: list[str] = []
    if units is not None:
        from carezones.zones.units import zone_units

        if localities is not None:
            raise ArgumentError(
                "give units or localities, not both: with units, zones are unions of whole "
                "units (to keep zones inside localities, give units that nest in them and "
                "build each locality's zones on its own)"
            )
        zoning, unit_table, unit_info = zone_units(
            network,
            ids,
            hours,
            lonlat,
            snapped,
            units,
            unit_id,
            opts,
            boundary,
            prev_code,
            prev_ids,
            fixed,
            bool(show_clients),
            notes,
        )
        bar.update(3)
    else:
        zoning = _zone_roads(
            network,
            ids,
            hours,
            lonlat,
            snapped,
            opts,
            boundary,
            localities,
            prev_code,
            prev_ids,
            fixed,
            buildings,
            bool(show_clients),
            notes,
            bar,
        )
        unit_table, unit_info = None, None
    assignments, zones, unassigned, metrics = plan_tables(
        network,
        clients,
        ids,
        hours,
        zoning,
        opts.tolerance,
        bool(show_clients),
        time.perf_counter() - t0,
    )
    bar.update(1)
    metrics["units"] = unit_info
    metrics["max_snap_m"] = network.max_snap_m
    metrics["access_kph"] = float(network.speeds.access_kph(network.mode))
    metrics["show_clients"] = bool(show_clients)
    return ZonePlan(
        assignments,
        zones,
        unassigned,
        metrics,
        crs=network.crs,
        attribution=network.provenance.attribution,
        synthetic=network.provenance.synthetic,
        units=unit_table,
        show_clients=bool(show_clients),
    )


def _zone_roads(
    network: RoadNetwork,
    ids: Any,
    hours: Any,
    lonlat: Any,
    snapped: Any,
    opts: Options,
    boundary: Any,
    localities: Any,
    prev_code: Any,
    prev_ids: Any,
    fixed: Any,
    buildings: Any,
    show_clients: bool,
    notes: list[str],
    bar: Any = None,
) -> Zoning:
    """Zones on the roads (steps 1 to 6 of :mod:`carezones.zones`), tiled by Voronoi cells."""
    cx, cy = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    area = study_area(network, boundary)
    inside = inside_area(network, area, cx, cy, boundary)
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
    if bar is not None:
        bar.update(1)
    total = float(hours[ok].sum())
    k_total = zone_count(opts, total, int(ok.sum()), int((places.hours > 0).sum()), show_clients)
    if fixed is not None and len(fixed) != k_total:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k_total} zones: give one per zone")
    ks = share_zones(k_total, [float(hours[g[0]].sum()) for g in groups])
    labels, prev_zone = zone_labels(prev_code, prev_ids, k_total, localities is None, notes)
    n_road = network.n_nodes
    graph_zone = np.full(len(ids), -1, dtype=np.int64)
    node_zone = np.full(n_road, -1, dtype=np.int64)
    centre_ll = np.zeros((k_total, 2))
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
        res = solve_group(
            network,
            graph,
            places,
            group_places,
            mask,
            k,
            opts.tolerance,
            opts.seed,
            group_fixed,
            prev_zone,
            members,
            opts.stability_minutes,
            opts.max_iter,
            notes,
        )
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
    if bar is not None:
        bar.update(1)

    gen = generators(network, node_zone, pt_seg, pt_frac, pt_x, pt_y, pt_zone)
    placed = graph_zone >= 0
    far = snapped.far & placed
    route_ll = np.where(far[:, None], np.column_stack([snapped.lon, snapped.lat]), lonlat)
    per_min = network.speeds.access_kph(network.mode) * 1000.0 / 60.0
    extra = np.where(far, snapped.distance_m / per_min, 0.0)
    who = TileClients(cx, cy, hours, graph_zone, route_ll, extra)
    least = 1 if show_clients else MIN_GROUP  # the fewest clients a zone should hold
    # the polygons are the zones: every client takes the zone of the polygon holding it
    if localities is None:
        polys, zone = tile(
            area, gen, np.arange(k_total), who, network, centre_ll, opts.tolerance, least, notes
        )
    else:  # each locality is tiled on its own, so no zone crosses its border
        parts = [g[2] for g in groups]
        polys, zone = tile_localities(
            parts, ks, gen, who, network, centre_ll, opts.tolerance, least, notes
        )
        area = shapely.union_all(parts)
    zone = np.where(placed & (zone < 0), graph_zone, zone)
    moved = placed & (zone != graph_zone)
    if bar is not None:
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
        notes,
        moved,
    )
