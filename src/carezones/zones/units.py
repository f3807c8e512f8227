"""Zones made of areal units: each zone a union of whole units (postcode sectors, wards, LSOAs).

Commissioners publish zones to providers as lists of units ("this zone is wards X, Y and Z"):
such boundaries are public and say nothing about any client. With ``units=``,
:func:`~carezones.zones.build_zones` works on the units instead of the roads:

1. **Units.** The units are checked (a CRS, polygons, unique ids that are not blank, no
   overlaps) and each client takes the unit it lies in; clients in no unit are listed as
   unassigned. Two units are neighbours when they share a border (a line, not a corner);
   units that touch no other (islands) are joined to the nearest unit, and a zone holding
   one is reported as not one piece.
2. **Centres.** Each zone's centre is a road junction inside one of its units (never a
   client's home), chosen as in :mod:`carezones.zones.centres`: balanced k-means starts, then
   the junction with the fewest hours-weighted road minutes to the zone's clients.
3. **Units to zones.** The balanced transportation LP assigns the units with hours (their
   cost: the hours-weighted road minutes from the centre to their clients); units without
   hours take the zone of the nearest centre; pieces cut off from their centre's unit join
   a neighbour (:func:`~carezones.zones.partition.make_contiguous`). Then, over the units'
   adjacency, zones of fewer than 5 clients take units from their neighbours, the hours are
   balanced by handing over whole units (:func:`~carezones.zones.partition.rebalance`) and
   boundary units move to the zone whose centre is nearer (``polish``); centres move to
   their zones' medoids and this repeats, the best round kept.

A zone can only be as balanced as its units allow: when whole units cannot bring every zone
inside the tolerance, the plan says how close it got.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely

from carezones.errors import Argument, ArgumentError, Ask, Fix, Reason, ZoneError
from carezones.privacy import MIN_GROUP
from carezones.zones.centres import Demand, balanced_assignment, initial_centres, medoids
from carezones.zones.graph import home_points
from carezones.zones.inputs import Inputs, zone_count, zone_labels
from carezones.zones.partition import (
    Problem,
    grow_regions,
    grow_small,
    make_contiguous,
    polish,
    rebalance,
)
from carezones.zones.solve import INNER_ROUNDS, ROUNDS, centre_candidates
from carezones.zones.tables import UnitCounts, Zoning
from carezones.zones.tiling import cell_adjacency, polygon_of, quiet

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork
    from carezones.zones.options import ZoneOptions

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ID_NAMES = ("unit_id", "code", "id")  # unit id columns found without being named
ONS_CODE = re.compile(r"[A-Za-z]{2,6}\d{2}CD")  # LSOA21CD, WD23CD, PAR22CD, ...
OVERLAP_SHARE = 0.01  # units overlapping by more than this share of the smaller are refused
UNIT_PULL = 0.02  # cost weight of a unit with no hours, as a share of the mean client hours


def unit_id_column(units: gpd.GeoDataFrame, unit_id: str | None) -> str:
    """Return the column of ``units`` holding their ids.

    Parameters
    ----------
    units : GeoDataFrame
        The units.
    unit_id : str or None
        The column named by the caller; ``None`` to find it: a column named ``unit_id``,
        ``code`` or ``id`` (any case), else the one column named like an ONS code
        (``LSOA21CD``, ``WD23CD``...), else the only column.

    Returns
    -------
    str
        The column.

    Raises
    ------
    ArgumentError
        When the named column is missing, or none can be found without a name.
    """
    cols = [str(c) for c in units.columns if c != units.geometry.name]
    if unit_id is not None:
        if unit_id not in units.columns:
            raise ArgumentError.worded(
                Reason("", Argument.UNIT_ID, unit_id, " is not a column of the units: "),
                Fix(argument=Argument.UNIT_ID, ask=Ask.COLUMN, choices=tuple(cols)),
            )
        return unit_id
    lower = {c.lower(): c for c in cols}
    for name in ID_NAMES:
        if name in lower:
            return lower[name]
    ons = [c for c in cols if ONS_CODE.fullmatch(c)]
    if len(ons) == 1:
        return ons[0]
    if len(cols) == 1:
        return cols[0]
    raise ArgumentError.worded(
        "say which column of the units holds their ids: ",
        Fix(argument=Argument.UNIT_ID, ask=Ask.COLUMN, choices=tuple(map(str, cols))),
    )


def read_units(
    units: object, unit_id: str | None, network: RoadNetwork, boundary: object
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], str, list[str]]:
    """Check the units and return their polygons (metric), their ids and the id column.

    Parameters
    ----------
    units : GeoDataFrame
        Polygons in any CRS, with an id column.
    unit_id : str or None
        The id column (see :func:`unit_id_column`).
    network : RoadNetwork
        The road network (its metric CRS).
    boundary : polygon or GeoDataFrame or None
        When given, units whose representative point is outside it are left out.

    Returns
    -------
    geoms : numpy.ndarray of shapely.Geometry
        The units' polygons in the network's metric CRS.
    ids : numpy.ndarray of str
        Their ids.
    column : str
        The id column.
    notes : list of str
        The plan's notes from this step (units left out).

    Raises
    ------
    ZoneError
        When the units are not a GeoDataFrame of polygons with a CRS, an id is blank or
        repeated, or two units overlap.
    """
    import geopandas as gpd

    notes: list[str] = []
    if not isinstance(units, gpd.GeoDataFrame):
        raise ZoneError(f"units must be a GeoDataFrame of polygons, not {type(units).__name__}")
    if units.crs is None:
        raise ZoneError("the units have no CRS: set one (e.g. EPSG:27700)")
    if len(units) == 0:
        raise ZoneError("the units are empty: give polygons of the area's units")
    col = unit_id_column(units, unit_id)
    raw = units[col]
    text = raw.astype(str).str.strip()
    blank = (raw.isna() | (text == "")).to_numpy()
    if blank.any():
        rows = (np.flatnonzero(blank)[:5] + 1).tolist()
        raise ZoneError(f"{int(blank.sum())} unit(s) have no {col} (rows {rows}): give each an id")
    dup = text.duplicated(keep=False).to_numpy()
    if dup.any():
        ids = sorted(set(text[dup]))[:5]
        raise ZoneError(f"unit ids must be unique: {col} repeats {ids}")
    geo = units.geometry.to_crs(network.crs)
    missing = (geo.isna() | geo.is_empty).to_numpy()
    if missing.any():
        rows = (np.flatnonzero(missing)[:5] + 1).tolist()
        raise ZoneError(f"{int(missing.sum())} unit(s) have no geometry (rows {rows})")
    geoms = np.asarray(geo.to_numpy(), dtype=object)
    kinds = shapely.get_type_id(geoms)
    not_area = ~np.isin(kinds, [3, 6, 7])  # Polygon, MultiPolygon, GeometryCollection
    if not_area.any():
        rows = (np.flatnonzero(not_area)[:5] + 1).tolist()
        raise ZoneError(
            f"units must be polygons: {int(not_area.sum())} are points or lines (rows {rows})"
        )
    from carezones.io import check_areas

    check_areas(units, "units")
    ids = text.to_numpy(dtype=object)
    if boundary is not None:
        from carezones.zones.inputs import study_area

        area = study_area(network, boundary)
        keep = shapely.contains(area, shapely.point_on_surface(geoms))
        if not keep.any():
            raise ZoneError("no unit lies inside the boundary: check the CRS of both")
        if not keep.all():
            notes.append(f"{int((~keep).sum())} unit(s) outside the boundary were left out")
        geoms, ids = geoms[keep], ids[keep]
    _check_overlaps(geoms, ids)
    return geoms, ids, col, notes


def _check_overlaps(geoms: npt.NDArray[np.object_], ids: npt.NDArray[np.object_]) -> None:
    """Refuse units that overlap by more than ``OVERLAP_SHARE`` of the smaller one."""
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    inner = shapely.relate_pattern(geoms[a], geoms[b], "2********")
    a, b = a[inner], b[inner]
    if not len(a):
        return
    shared = shapely.area(shapely.intersection(geoms[a], geoms[b]))
    smaller = np.minimum(shapely.area(geoms[a]), shapely.area(geoms[b]))
    over = shared > OVERLAP_SHARE * smaller
    if over.any():
        pairs = [f"{ids[i]} and {ids[j]}" for i, j in zip(a[over][:3], b[over][:3], strict=True)]
        raise ZoneError(
            f"{int(over.sum())} pair(s) of units overlap ({'; '.join(pairs)}): each place must "
            "be in one unit only (use a boundary set that tiles the area)"
        )


def unit_adjacency(
    geoms: npt.NDArray[np.object_], ids: npt.NDArray[np.object_]
) -> tuple[sp.csr_matrix, list[str]]:
    """Return which units share a border; islands are joined to the nearest unit.

    Parameters
    ----------
    geoms : numpy.ndarray of shapely.Geometry
        The units (metric).
    ids : numpy.ndarray of str
        Their ids (for the note).

    Returns
    -------
    adj : scipy.sparse.csr_matrix
        Symmetric, weighted by the metres between the units' inner points.
    notes : list of str
        The plan's notes from this step (islands joined to their nearest unit).
    """
    from scipy.sparse.csgraph import connected_components

    inner = shapely.point_on_surface(geoms)
    x, y = shapely.get_x(inner), shapely.get_y(inner)
    adj = cell_adjacency(geoms, x, y)
    joined: list[str] = []
    for _ in range(len(geoms)):
        n_comp, comp = connected_components(adj, directed=False)
        if n_comp <= 1:
            break
        # Borůvka: each piece joins the nearest unit of another piece
        rows, cols = [], []
        for c in range(n_comp):
            mine, others = np.flatnonzero(comp == c), np.flatnonzero(comp != c)
            (i_mine, i_other), dist = shapely.STRtree(geoms[others]).query_nearest(
                geoms[mine], return_distance=True
            )
            j = int(np.lexsort((i_other, i_mine, dist))[0])
            rows.append(int(mine[i_mine[j]]))
            cols.append(int(others[i_other[j]]))
            joined.append(f"{ids[rows[-1]]}-{ids[cols[-1]]}")
        d = np.maximum(np.hypot(x[rows] - x[cols], y[rows] - y[cols]), 1e-3)
        extra = sp.csr_matrix(
            (np.concatenate([d, d]), (np.concatenate([rows, cols]), np.concatenate([cols, rows]))),
            shape=adj.shape,
        )
        adj = adj.maximum(extra).tocsr()
    if not joined:
        return adj, []
    note = (
        f"some units share no border with the rest; they count as neighbours of the "
        f"nearest unit ({', '.join(sorted(set(joined))[:5])}), so a zone may be in pieces "
        "there"
    )
    return adj, [note]


def zone_units(network: RoadNetwork, inputs: Inputs) -> tuple[Zoning, pd.DataFrame, dict[str, Any]]:
    """Zone the clients by whole units (the method is in this module's docstring).

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    inputs : Inputs
        The checked inputs: the clients, their snaps to the roads, the units (``areas.units``
        and ``areas.unit_id``), the boundary (leaves out units outside it), the previous
        plan, fixed centres and the options.

    Returns
    -------
    zoning : Zoning
        What the stages found, for :func:`~carezones.zones.tables.plan_tables`.
    table : pandas.DataFrame
        Each unit's zone: ``unit_id``, ``zone_id``, ``clients`` and ``hours_per_week``, all of
        them (:func:`~carezones.zones.tables.publish_units` withholds the small ones' figures).
    info : dict
        ``count`` (units), ``id_column``.
    """
    ids, hours, lonlat, snapped = inputs.ids, inputs.hours, inputs.lonlat, inputs.snapped
    opts, fixed = inputs.options, inputs.fixed
    show_clients = opts.show_clients
    geoms, uids, col, notes = read_units(
        inputs.areas.units, inputs.areas.unit_id, network, inputs.areas.boundary
    )
    n_units = len(geoms)
    cx, cy = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    area = shapely.union_all(geoms)
    unit_of = polygon_of(geoms, cx, cy)
    reasons = np.full(len(ids), "", dtype=object)
    reasons[unit_of < 0] = "outside every unit"
    ok = unit_of >= 0
    if len(ids) and not ok.any():
        lon, lat = network.to_wgs84(*np.asarray(area.bounds).reshape(2, 2).T)
        raise ZoneError(
            f"none of the {len(ids)} clients lies in any unit (the units span lon "
            f"{lon[0]:.3f} to {lon[1]:.3f}, lat {lat[0]:.3f} to {lat[1]:.3f}): check that they "
            "are units of this area and that their CRS is right"
        )
    w = np.bincount(unit_of[ok], weights=hours[ok], minlength=n_units)
    count = np.bincount(unit_of[ok], minlength=n_units).astype(np.float64)
    total, n_ok, with_hours = float(w.sum()), int(ok.sum()), int((w > 0).sum())
    k = zone_count(inputs.target, total, n_ok, with_hours, show_clients, "units")
    if fixed is not None and len(fixed) != k:
        raise ZoneError(f"{len(fixed)} fixed centres given for {k} zones: give one per zone")
    labels, prev_zone, label_notes = zone_labels(inputs.previous, k, True)
    adj, adj_notes = unit_adjacency(geoms, uids)
    notes += label_notes + adj_notes
    per_min = network.speeds.access_kph(network.mode) * 1000.0 / 60.0
    far = snapped.far & ok
    route_ll = np.where(far[:, None], np.column_stack([snapped.lon, snapped.lat]), lonlat)
    extra = np.where(far, snapped.distance_m / per_min, 0.0)
    members = np.flatnonzero(ok)
    data = _UnitData(geoms, adj, w, count)
    who = _UnitClients(members, unit_of[members], hours[members], route_ll[members], extra[members])
    job = _UnitJob(network, data, who, k, fixed, home_points(network, lonlat, snapped))
    if fixed is not None:
        centres = np.arange(k, dtype=np.int64)  # fixed centres do not move: no road nodes
        centre_unit = _fixed_units(network, geoms, fixed)
    else:
        centres = job.start(cx, cy, opts, prev_zone)
        centre_unit = polygon_of(geoms, network.x[centres], network.y[centres])
    least = 1 if show_clients else MIN_GROUP
    zone, centres = job.solve(centres, centre_unit, opts, prev_zone, least)
    centre_ll = job.centre_ll(centres)
    polys = [
        shapely.union_all(geoms[zone == z]) if (zone == z).any() else shapely.Polygon()
        for z in range(k)
    ]
    client_zone = np.where(ok, zone[np.maximum(unit_of, 0)], -1)
    table = pd.DataFrame(
        {
            "unit_id": uids,
            "zone_id": labels[zone],
            "clients": pd.array(count.astype(int), dtype="Int64"),
            "hours_per_week": w.round(2),
        }
    )
    zoning = Zoning(
        client_zone,
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
        units=UnitCounts(np.asarray(uids), zone.astype(np.int64), count.astype(np.int64)),
    )
    return zoning, table, {"count": n_units, "id_column": col}


def _fixed_units(
    network: RoadNetwork, geoms: npt.NDArray[np.object_], fixed: FloatArray
) -> IntArray:
    """Return the unit holding each fixed centre (each in a unit of its own)."""
    fx, fy = network.to_metric(fixed[:, 0], fixed[:, 1])
    unit = polygon_of(geoms, fx, fy)
    if (unit < 0).any():
        raise ZoneError("a fixed centre lies in no unit: move it inside the units' area")
    if len(np.unique(unit)) < len(unit):
        raise ZoneError("two fixed centres lie in one unit: a unit belongs to one zone only")
    return unit


@dataclass(frozen=True, eq=False)
class _UnitData:
    """The units of one plan: their polygons, adjacency, weekly hours and clients."""

    geoms: npt.NDArray[np.object_]  # polygons (metric)
    adj: sp.csr_matrix  # which units share a border (islands joined to the nearest)
    hours: FloatArray  # each unit's weekly hours
    count: FloatArray  # each unit's clients


@dataclass(frozen=True, eq=False)
class _UnitClients:
    """The clients zoned by units: each one's unit, hours and where routes to it end."""

    members: IntArray  # their indices among all clients
    unit: IntArray  # the unit of each
    hours: FloatArray
    route: FloatArray  # where routes to each end (lon/lat)
    extra: FloatArray  # minutes from there to the client


class _UnitJob:
    """The units of one plan, their clients and the travel times from candidate centres."""

    def __init__(
        self,
        network: RoadNetwork,
        units: _UnitData,
        clients: _UnitClients,
        k: int,
        fixed_ll: FloatArray | None,
        homes: FloatArray,
    ) -> None:
        geoms, w = units.geoms, units.hours
        self.network, self.geoms, self.adj, self.k = network, geoms, units.adj, k
        self.members, self.unit = clients.members, clients.unit
        self.hours, self.route, self.extra = clients.hours, clients.route, clients.extra
        self.w, self.count = w, units.count
        n_units = len(geoms)
        inner = shapely.point_on_surface(geoms)
        ll = np.column_stack(network.to_wgs84(shapely.get_x(inner), shapely.get_y(inner)))
        with quiet():  # a unit's inner point may be far from roads: reached in a straight line
            snap = network.snap(ll)
        self.unit_ll = np.column_stack([snap.lon, snap.lat])
        per_min = network.speeds.access_kph(network.mode) * 1000.0 / 60.0
        self.unit_extra = snap.distance_m / per_min
        mean_h = float(self.hours.mean()) if len(self.hours) else 1.0
        self.pull = np.maximum(w, UNIT_PULL * mean_h)
        cand = centre_candidates(network, np.ones(network.n_nodes, dtype=bool), 1, homes)
        cand_unit = polygon_of(geoms, network.x[cand], network.y[cand])
        self.cand, self.cand_unit = cand[cand_unit >= 0], cand_unit[cand_unit >= 0]
        if len(np.unique(self.cand_unit)) < k:
            raise ZoneError(
                f"only {len(np.unique(self.cand_unit))} unit(s) hold a road junction, for {k} "
                "zones: a zone's centre is a junction in one of its units, so ask for fewer "
                "zones (or give larger units)"
            )
        self.n_units = n_units
        self.fixed_ll = fixed_ll

    def centre_ll(self, centres: IntArray) -> FloatArray:
        """Lon/lat of the centres: fixed ones as given, else their junctions."""
        if self.fixed_ll is not None:
            return self.fixed_ll
        return np.column_stack([self.network.lon[centres], self.network.lat[centres]])

    def start(
        self, cx: FloatArray, cy: FloatArray, opts: ZoneOptions, prev_zone: IntArray | None
    ) -> IntArray:
        """Return starting centres: junctions near balanced k-means centres, in distinct units.

        The k-means runs on the units (each at the hours-weighted centroid of its clients,
        with its hours), since whole units are what zones are made of.
        """
        nw = self.network
        x, y = cx[self.members], cy[self.members]
        hw = self.hours + 1e-9
        den = np.bincount(self.unit, weights=hw, minlength=self.n_units)
        has = (self.w > 0) & (den > 0)
        ux = np.bincount(self.unit, weights=x * hw, minlength=self.n_units)[has] / den[has]
        uy = np.bincount(self.unit, weights=y * hw, minlength=self.n_units)[has] / den[has]
        prev_all = None if prev_zone is None else self._previous(prev_zone, 0.0)[0]
        prev = None if prev_all is None else prev_all[has]
        pos = initial_centres(ux, uy, self.w[has], self.k, opts.seed, prev, opts.tolerance)
        jx, jy = nw.x[self.cand], nw.y[self.cand]
        # with a previous plan, each zone starts at a junction of its own previous units
        own = None
        if prev_all is not None and len(np.unique(prev_all[prev_all >= 0])) == self.k:
            own = prev_all[self.cand_unit]
        chosen: list[int] = []
        taken: set[int] = set()
        for z, (px, py) in enumerate(pos.tolist()):
            order = np.argsort((jx - px) ** 2 + (jy - py) ** 2, kind="stable").tolist()
            if own is not None:
                order = [i for i in order if own[i] == z] + [i for i in order if own[i] != z]
            i = next(int(i) for i in order if int(self.cand_unit[i]) not in taken)
            chosen.append(int(self.cand[i]))
            taken.add(int(self.cand_unit[i]))
        return np.asarray(chosen, dtype=np.int64)

    def times(self, centre_ll: FloatArray) -> FloatArray:
        """Return minutes from each centre to each unit, shape (k, units).

        A unit with clients: the hours-weighted mean over them; else its inner point.
        """
        nw = self.network
        t_units = nw.travel_times(centre_ll, self.unit_ll, engine="builtin") + self.unit_extra
        tc = nw.travel_times(centre_ll, self.route, engine="builtin") + self.extra[None, :]
        tc = np.where(np.isfinite(tc), tc, 1e6)
        hw = self.hours + 1e-9
        den = np.bincount(self.unit, weights=hw, minlength=self.n_units)
        t = np.where(np.isfinite(t_units), t_units, 1e6)
        for z in range(len(centre_ll)):
            num = np.bincount(self.unit, weights=tc[z] * hw, minlength=self.n_units)
            t[z] = np.where(den > 0, num / np.maximum(den, 1e-300), t[z])
        return t

    def solve(
        self,
        centres: IntArray,
        centre_unit: IntArray,
        opts: ZoneOptions,
        prev_zone: IntArray | None,
        least: int,
    ) -> tuple[IntArray, IntArray]:
        """Return each unit's zone and the centres: the best of rounds from two starts.

        The starts are the balanced LP (made contiguous) and growth from the centres
        (:func:`~carezones.zones.partition.grow_regions`); each round grows small zones,
        balances, polishes and moves the centres to their zones' medoids.
        """
        nw, k = self.network, self.k
        fixed = self.fixed_ll is not None
        prev_unit, stay = self._previous(prev_zone, opts.stability_minutes)
        best: tuple[tuple[bool, float, float], IntArray, IntArray] | None = None
        for grow in (False, True):
            c, cu = centres, centre_unit
            seen: set[bytes] = set()
            for _ in range(ROUNDS):
                if c.tobytes() in seen:
                    break
                seen.add(c.tobytes())
                t_raw = self.times(self.centre_ll(c))
                t = t_raw + stay
                if grow:
                    zone = make_contiguous(self.adj, grow_regions(self.adj, self.w, t, cu), cu, k)
                else:
                    zone = self._start_zones(t_raw, cu, opts, prev_unit)
                for _ in range(INNER_ROUNDS):
                    zone = self._refine(zone, t, cu, opts, least)
                    score = self._score(zone, t, opts.tolerance)
                    if best is None or score < best[0]:
                        best = (score, zone.copy(), c.copy())
                    if fixed:
                        break
                    new = self._medoids(zone, c)
                    if np.array_equal(new, c):
                        break
                    c = new
                    cu = polygon_of(self.geoms, nw.x[c], nw.y[c])
                    zone[cu] = np.arange(k)
                    zone = make_contiguous(self.adj, zone, cu, k)
                    t = self.times(self.centre_ll(c)) + stay
                if fixed:
                    break
        assert best is not None
        return best[1], best[2]

    def _refine(
        self, zone: IntArray, t: FloatArray, cu: IntArray, opts: ZoneOptions, least: int
    ) -> IntArray:
        """Return the zones after growing small ones, balancing and polishing."""
        w, tol = self.w, opts.tolerance
        mean = float(w.sum()) / self.k
        problem = Problem(self.adj, w, self.pull, t, cu, self.count, least)
        zone = grow_small(problem, zone)
        lo, hi = mean * (1 - tol), mean * (1 + tol)
        zone = rebalance(problem, zone, lo, hi)
        return polish(problem, zone, mean * (1 - tol), mean * (1 + tol))

    def _score(self, zone: IntArray, t: FloatArray, tol: float) -> tuple[bool, float, float]:
        """Rank plans: in the band first, then (out of it) the worst zone, then the cost."""
        h = np.bincount(zone, weights=self.w, minlength=self.k)
        mean = float(h.mean())
        worst = float(np.abs(h / mean - 1).max()) if mean > 0 else 0.0
        cost = float((self.pull * t[zone, np.arange(self.n_units)]).sum())
        out = worst > tol + 1e-9
        return (out, round(worst, 3) if out else 0.0, cost)

    def _start_zones(
        self, t: FloatArray, centre_unit: IntArray, opts: ZoneOptions, prev_unit: IntArray | None
    ) -> IntArray:
        """Return the LP's units-to-zones, client-free units to the nearest centre, contiguous."""
        k, w = self.k, self.w
        has = w > 0
        zone = np.argmin(t, axis=0).astype(np.int64)
        if has.any():
            pu = None if prev_unit is None else prev_unit[has]
            # whole units are the zones' final atoms: nothing changes after, so the LP aims at
            # the whole band (the roads' LP keeps a margin for the tiling)
            zone[has] = balanced_assignment(
                t[:, has], w[has], opts.tolerance, pu, opts.stability_minutes, band_share=1.0
            )
        zone[centre_unit] = np.arange(k)
        return make_contiguous(self.adj, zone, centre_unit, k)

    def _medoids(self, zone: IntArray, centres: IntArray) -> IntArray:
        nw = self.network
        x, y = nw.to_metric(self.route[:, 0], self.route[:, 1])
        assign = zone[self.unit]
        demand = Demand(self.route, self.extra, x, y, self.hours)
        return medoids(nw, self.cand, demand, assign, centres, zone[self.cand_unit])

    def _previous(
        self, prev_zone: IntArray | None, stability_minutes: float
    ) -> tuple[IntArray | None, FloatArray]:
        """Return each unit's previous zone and the cost of leaving it.

        The previous zone is where most of its hours were; the cost, per zone and unit, is
        the minutes per hour of care it costs to be elsewhere.
        """
        stay = np.zeros((self.k, self.n_units))
        if prev_zone is None:
            return None, stay
        pz = prev_zone[self.members]
        known = pz >= 0
        votes = np.zeros((self.n_units, self.k))
        np.add.at(votes, (self.unit[known], pz[known]), self.hours[known] + 1e-9)
        prev_unit = np.where(votes.sum(axis=1) > 0, votes.argmax(axis=1), -1).astype(np.int64)
        had = prev_unit >= 0
        stay[:, had] = stability_minutes * (np.arange(self.k)[:, None] != prev_unit[had][None, :])
        return prev_unit, stay
