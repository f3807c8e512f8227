"""The plan's tables and figures: assignments, zone statistics, balance, travel, tiling.

Travel times are road minutes from each zone's centre (hours-weighted means and 90th
percentiles) and between clients of a zone (a sample of ``WITHIN_SAMPLE`` clients in large
zones); gaps and overlaps compare the zones' polygons with the study area. A client farther
than ``max_snap_m`` from every road is reached by a straight line from the nearest road point
at the access speed (``far_from_road`` in the assignments).

Small zones: unless the plan may show clients, a zone of 1 to 4 clients
(:data:`~carezones.privacy.MIN_GROUP`) has its figures and its centre withheld (``withheld``
in the zones table), and so has the smallest other zone, so that the plan's totals less the
published zones do not give it away (secondary suppression, :func:`withheld_cells`; with units,
the units and the zones together). Plan-level figures that would single it out (the worst
deviation, the spread of the hours) are taken over the other zones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.privacy import MIN_GROUP, suppress

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WITHIN_SAMPLE = 150


@dataclass(frozen=True, eq=False)
class Zoning:
    """What the stages found, for :func:`plan_tables`.

    Attributes
    ----------
    zone : numpy.ndarray of int64
        Each client's zone index (-1: not zoned).
    reasons : numpy.ndarray of object
        Why each client is not zoned (``""`` when it is).
    far : numpy.ndarray of bool
        The clients farther than ``max_snap_m`` from every road.
    route_ll : numpy.ndarray
        Where routes to each client end: the client, or for a far client the nearest road
        point, shape (n, 2).
    extra : numpy.ndarray
        Minutes from there to the client (the straight-line leg of a far client, else 0).
    polys : list of shapely.Geometry
        Each zone's polygon (metric).
    centre_ll : numpy.ndarray
        Each zone's centre, lon/lat (a road junction, or a fixed centre).
    area : shapely.Geometry
        The area the zones tile (metric).
    labels : numpy.ndarray
        The id of each zone.
    prev_zone : numpy.ndarray of int64 or None
        Each client's zone index in the previous plan (-1 when unknown), or ``None``.
    notes : list of str
        The notes of the stages, in order.
    moved : numpy.ndarray of bool or None
        The clients whose polygon is not the zone the roads gave them (they follow the
        polygon), or ``None`` when zones are unions of units.
    units : UnitCounts or None
        With units: each unit's zone and clients (its figures are published with the zones').
    """

    zone: IntArray
    reasons: npt.NDArray[np.object_]
    far: npt.NDArray[np.bool_]
    route_ll: FloatArray
    extra: FloatArray
    polys: list[shapely.Geometry]
    centre_ll: FloatArray
    area: shapely.Geometry
    labels: npt.NDArray[Any]
    prev_zone: IntArray | None
    notes: list[str]
    moved: npt.NDArray[np.bool_] | None = None
    units: UnitCounts | None = None


@dataclass(frozen=True, eq=False)
class UnitCounts:
    """The units of a plan made of units: each one's id, zone (index) and clients."""

    ids: npt.NDArray[Any]
    zone: IntArray
    clients: IntArray


def withheld_cells(
    zone_clients: IntArray, labels: npt.NDArray[Any], units: UnitCounts | None
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_] | None]:
    """Return the zones (and units) whose figures are withheld.

    A zone or unit of 1 to 4 clients, and the complements that keep it from being worked out
    by subtraction (:func:`~carezones.privacy.suppress`): the plan's totals are published, and
    each zone is the sum of its units, so zones and units are protected together.

    Parameters
    ----------
    zone_clients : numpy.ndarray of int64
        Each zone's clients.
    labels : numpy.ndarray
        Each zone's id (ties between complements go by it, the same in every table).
    units : UnitCounts or None
        The units, when zones are made of them.

    Returns
    -------
    zones : numpy.ndarray of bool
        The zones withheld.
    units : numpy.ndarray of bool or None
        The units withheld (``None`` without units).
    """
    k = len(zone_clients)
    zone_key = [str(z) for z in labels.tolist()]
    if units is None:
        return suppress(zone_clients, key=zone_key), None
    n = len(units.ids)
    rel = np.zeros((1 + k, k + n))
    rel[0, :k] = 1.0  # the plan's total
    rel[1 + np.arange(k), np.arange(k)] = 1.0  # each zone less its units: 0
    inside = np.flatnonzero(units.zone >= 0)
    rel[1 + units.zone[inside], k + inside] = -1.0
    counts = np.concatenate([zone_clients, units.clients])
    key = zone_key + [str(u) for u in units.ids.tolist()]
    out = suppress(counts, rel, key=key)
    return out[:k], out[k:]


def publish_units(
    table: pd.DataFrame, zoning: Zoning, show_clients: bool
) -> tuple[pd.DataFrame, list[str]]:
    """Return the units table as published, and a note when figures are withheld.

    A unit of 1 to 4 clients, and the units withheld with it so that no withheld unit or zone
    can be worked out from the zones, the other units and the totals (:func:`withheld_cells`),
    has its ``clients`` and ``hours_per_week`` left blank (unless ``show_clients``).

    Parameters
    ----------
    table : pandas.DataFrame
        ``unit_id``, ``zone_id``, ``clients``, ``hours_per_week`` of every unit.
    zoning : Zoning
        What the stages found (``units``: each unit's zone and clients).
    show_clients : bool
        Publish every unit's figures (a plan for the council's own use).

    Returns
    -------
    table : pandas.DataFrame
        The units, with the withheld figures blank.
    notes : list of str
        A note for the plan when units are withheld.
    """
    if show_clients or zoning.units is None:
        return table, []
    zc = np.bincount(zoning.zone[zoning.zone >= 0], minlength=len(zoning.labels)).astype(np.int64)
    hide = withheld_cells(zc, zoning.labels, zoning.units)[1]
    assert hide is not None
    out = table.copy()
    out["clients"] = out["clients"].astype("Int64")
    out.loc[hide, "clients"] = pd.NA
    out["hours_per_week"] = out["hours_per_week"].astype(float).where(~hide)
    if not hide.any():
        return out, []
    return out, [
        f"{int(hide.sum())} unit(s) have their figures left blank in the units table: units "
        f"of fewer than {MIN_GROUP} clients, and with them other units, so that none can be "
        "worked out from the zones' figures and the totals"
    ]


def plan_tables(
    network: RoadNetwork,
    clients: pd.DataFrame,
    ids: npt.NDArray[np.object_],
    hours: FloatArray,
    zoning: Zoning,
    tol: float,
    show_clients: bool,
    seconds: float,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame, dict[str, Any]]:
    """Return the tables and KPIs of a :class:`~carezones.zones.ZonePlan`.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    clients : GeoDataFrame
        The clients, as given (their ``source_row`` when they have one).
    ids : numpy.ndarray of str
        The clients' ids.
    hours : numpy.ndarray
        Their weekly hours.
    zoning : Zoning
        What the stages found.
    tol : float
        The tolerance of the zones' hours, as a share of the mean.
    show_clients : bool
        Publish the figures of zones of fewer than ``MIN_GROUP`` clients too.
    seconds : float
        The time taken so far.

    Returns
    -------
    assignments : pandas.DataFrame
        One row per zoned client.
    zones : geopandas.GeoDataFrame
        One row per zone, WGS84.
    unassigned : pandas.DataFrame
        One row per client not zoned, with the reason.
    kpis : dict
        Plan-level numbers, with the notes of the stages and of this step.
    """
    import geopandas as gpd

    zone, polys = zoning.zone, zoning.polys
    k = len(polys)
    placed = zone >= 0
    rows = (
        clients["source_row"].to_numpy() if "source_row" in clients else np.arange(1, len(ids) + 1)
    )
    unassigned = pd.DataFrame(
        {"client_id": ids[~placed], "source_row": rows[~placed], "reason": zoning.reasons[~placed]}
    )
    minutes, within = _travel(network, zoning, k)
    assignments = pd.DataFrame(
        {
            "client_id": ids[placed],
            "zone_id": zoning.labels[zone[placed]],
            "hours_per_week": hours[placed],
            "minutes_to_centre": minutes[placed],
            "far_from_road": zoning.far[placed],
        }
    )
    zh = np.bincount(zone[placed], weights=hours[placed], minlength=k)
    zc = np.bincount(zone[placed], minlength=k)
    mean = float(zh.mean()) if k else 0.0
    dev = (zh - mean) / mean if mean > 0 else np.zeros(k)
    withheld = np.zeros(k, dtype=bool)
    if not show_clients:
        withheld = withheld_cells(zc, zoning.labels, zoning.units)[0]
    shown = ~withheld
    stats = np.array(
        [
            (
                _wmean(minutes[zone == z], hours[zone == z]),
                _wquantile(minutes[zone == z], hours[zone == z], 0.9),
            )
            for z in range(k)
        ]
    ).reshape(k, 2)
    wgs = gpd.GeoSeries(polys, crs=network.crs).to_crs("EPSG:4326")
    hide = np.where(withheld, np.nan, 1.0)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": zoning.labels,
            "clients": pd.array(np.where(withheld, 0, zc), dtype="Int64"),
            "hours_per_week": (zh * hide).round(2),
            "deviation": (dev * hide).round(4),
            "mean_minutes_to_centre": (stats[:, 0] * hide).round(2),
            "p90_minutes_to_centre": (stats[:, 1] * hide).round(2),
            "mean_within_minutes": (within * hide).round(2),
            "area_km2": (np.array([p.area for p in polys]) / 1e6).round(3),
            "centre_lon": zoning.centre_ll[:, 0] * hide,
            "centre_lat": zoning.centre_ll[:, 1] * hide,
            "withheld": withheld,
        },
        geometry=wgs.to_numpy(),
        crs="EPSG:4326",
    )
    zones.loc[withheld, "clients"] = pd.NA
    zone_stats = _ZoneStats(zh, zc, dev, shown, minutes, within)
    kpis = _plan_kpis(zoning, hours, zone_stats, tol, seconds)
    notes = list(zoning.notes)
    if not kpis["balanced"] and k:
        out = np.abs(dev) > tol + 1e-9
        worst = (
            f"the worst zone is {kpis['worst_deviation']:+.1%} from the mean"
            if (out & shown).any()
            else f"a zone of fewer than {MIN_GROUP} clients is out of the band"
        )
        notes.append(
            f"the hours could not all be brought within ±{tol:.0%}: {worst} (a single place "
            "or unit with many hours, or a zone that cannot give up clients without being "
            "cut in two)"
        )
    if withheld.any():
        notes.append(
            f"{int(withheld.sum())} zone(s) have their figures and centres withheld: a zone of "
            f"fewer than {MIN_GROUP} clients (it would describe one or two people), and with it "
            "the smallest other zone, so that the totals less the published zones do not give "
            "it away; the worst deviation and the spread of the hours are over the other zones"
        )
    kpis["notes"] = notes
    return assignments, zones, unassigned, kpis


def _travel(network: RoadNetwork, zoning: Zoning, k: int) -> tuple[FloatArray, FloatArray]:
    """Minutes from each client's zone centre, and each zone's mean client-to-client minutes."""
    zone, route, extra = zoning.zone, zoning.route_ll, zoning.extra
    minutes = np.full(len(zone), np.nan)
    within = np.full(k, np.nan)
    for z in range(k):
        members = np.flatnonzero(zone == z)
        if len(members) == 0:
            continue
        c = zoning.centre_ll[z : z + 1]
        t = network.travel_times(c, route[members], engine="builtin")[0]
        minutes[members] = t + extra[members]
        sample = members
        if len(members) > WITHIN_SAMPLE:
            sample = np.sort(np.random.default_rng(z).choice(members, WITHIN_SAMPLE, replace=False))
        m = network.travel_times(route[sample], engine="builtin")
        m = m + extra[sample][:, None] + extra[sample][None, :]
        off = ~np.eye(len(sample), dtype=bool)
        within[z] = float(np.mean(m[off])) if off.any() else 0.0
    return minutes, within


@dataclass(frozen=True)
class _ZoneStats:
    """Each zone's figures, and each client's minutes, as :func:`plan_tables` found them."""

    hours: FloatArray  # each zone's weekly hours
    clients: IntArray  # each zone's clients
    deviation: FloatArray  # each zone's hours from the mean, as a share
    shown: npt.NDArray[np.bool_]  # the zones whose figures are published
    minutes: FloatArray  # each client's minutes from its zone's centre
    within: FloatArray  # each zone's mean client-to-client minutes


def _plan_kpis(
    zoning: Zoning, hours: FloatArray, stats: _ZoneStats, tol: float, seconds: float
) -> dict[str, Any]:
    """Return the plan-level numbers (their ``notes`` are the stages' until plan_tables adds)."""
    zone, polys, area = zoning.zone, zoning.polys, zoning.area
    zh, zc, dev, shown = stats.hours, stats.clients, stats.deviation, stats.shown
    minutes, within = stats.minutes, stats.within
    k = len(polys)
    placed = zone >= 0
    mean = float(zh.mean()) if k else 0.0
    union = shapely.union_all(polys)  # robust where localities were tiled separately
    total = float(sum(p.area for p in polys))
    gap = max(float(area.area - union.area), 0.0) / 1e6
    overlap = max(total - float(union.area), 0.0) / 1e6
    moved = None
    if zoning.prev_zone is not None:
        known = placed & (zoning.prev_zone >= 0)
        moved = float(
            hours[known & (zoning.prev_zone != zone)].sum() / max(hours[known].sum(), 1e-9)
        )
    empty_area = [_plain(zoning.labels[z]) for z in range(k) if polys[z].is_empty]
    no_clients = [_plain(zoning.labels[z]) for z in range(k) if zc[z] == 0]
    one_piece = [not p.is_empty and p.geom_type == "Polygon" for p in polys]
    dev_s, zh_s = dev[shown], zh[shown]
    tiling_moved = None if zoning.moved is None else zoning.moved & placed
    return {
        "n_zones": k,
        "clients": int(placed.sum()),
        "unassigned": int((~placed).sum()),
        "far_from_road": int((zoning.far & placed).sum()),
        "hours_per_week": float(hours[placed].sum()),
        "mean_zone_hours": mean,
        "tolerance": tol,
        "worst_deviation": float(dev_s[np.argmax(np.abs(dev_s))]) if len(dev_s) else 0.0,
        "hours_cv": float(zh_s.std() / zh_s.mean()) if len(zh_s) and zh_s.mean() > 0 else 0.0,
        "balanced": bool(k and np.all(np.abs(dev) <= tol + 1e-9)),
        "mean_minutes_to_centre": _wmean(minutes[placed], hours[placed]),
        "p90_minutes_to_centre": _wquantile(minutes[placed], hours[placed], 0.9),
        "mean_within_minutes": float(np.nanmean(within[shown])) if shown.any() else 0.0,
        "contiguous": bool(all(one_piece)),
        "zones_not_one_piece": [_plain(zoning.labels[z]) for z in range(k) if not one_piece[z]],
        "zones_without_area": empty_area,
        "zones_without_clients": no_clients,
        "withheld_zones": int((~shown).sum()),
        "gap_km2": round(gap, 9),
        "overlap_km2": round(overlap, 9),
        "moved_by_tiling": None if tiling_moved is None else int(tiling_moved.sum()),
        "moved_by_tiling_hours": None if tiling_moved is None else float(hours[tiling_moved].sum()),
        "moved_hours_share": moved,
        "seconds": round(seconds, 2),
        "notes": list(zoning.notes),
    }


def _plain(value: object) -> object:
    """Return a zone id as a plain Python value (for JSON)."""
    return value.item() if isinstance(value, np.generic) else value


def _wmean(x: FloatArray, w: FloatArray) -> float:
    ok = np.isfinite(x)
    if not ok.any() or w[ok].sum() <= 0:
        return float(np.nanmean(x[ok])) if ok.any() else float("nan")
    return float(np.average(x[ok], weights=w[ok]))


def _wquantile(x: FloatArray, w: FloatArray, q: float) -> float:
    ok = np.isfinite(x)
    if not ok.any():
        return float("nan")
    order = np.argsort(x[ok])
    xs, ws = x[ok][order], w[ok][order] + 1e-12
    cum = np.cumsum(ws) / ws.sum()
    return float(xs[np.searchsorted(cum, q)])
