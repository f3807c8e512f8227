"""The plan's tables and figures: assignments, zone statistics, balance, travel, tiling.

Travel times are road minutes from each zone's centre (hours-weighted means and 90th
percentiles) and between clients of a zone (a sample of ``WITHIN_SAMPLE`` clients in large
zones); gaps and overlaps compare the zones' polygons with the study area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

WITHIN_SAMPLE = 150


def plan_tables(
    network: RoadNetwork, clients: Any, ids: Any, hours: FloatArray, lonlat: FloatArray,
    zone: IntArray, reasons: Any, polys: list[Any], centre_ll: FloatArray, area: Any,
    tol: float, prev_zone: IntArray | None, labels: IntArray, notes: list[str], seconds: float,
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, pd.DataFrame, dict[str, Any]]:  # fmt: skip
    """Return the tables and metrics of a :class:`~carezones.zones.ZonePlan`.

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
    lonlat : numpy.ndarray
        Their lon/lat, shape (n, 2).
    zone : numpy.ndarray of int64
        Each client's zone index (-1: not zoned).
    reasons : numpy.ndarray of object
        Why each client is not zoned.
    polys : list of shapely.Geometry
        Each zone's polygon (metric).
    centre_ll : numpy.ndarray
        Each zone's centre, lon/lat.
    area : shapely.Geometry
        The study area (metric).
    tol : float
        The tolerance of the zones' hours, as a share of the mean.
    prev_zone : numpy.ndarray of int64 or None
        Each client's zone index in the previous plan (-1 when unknown), or ``None``.
    labels : numpy.ndarray of int64
        The id of each zone.
    notes : list of str
        The plan's notes.
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
    metrics : dict
        Plan-level numbers.
    """
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
    return assignments, zones, unassigned, metrics


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
