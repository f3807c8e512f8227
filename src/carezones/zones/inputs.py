"""The inputs of zoning: checks, the study area, localities, the number of zones, a previous plan.

Everything here runs before any zoning: checking the clients and options, the study area in
the network's metric CRS, the number of zones and how localities share them, and each
client's zone in a previous plan.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely

from carezones.errors import ZoneError

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

log = logging.getLogger("carezones")

IntArray = npt.NDArray[np.int64]


def check_inputs(clients: Any, network: Any, tolerance: float) -> None:
    """Check the clients' columns and hours and the tolerance; warn on a non-drive network.

    Parameters
    ----------
    clients : GeoDataFrame
        Client points with ``client_id`` and ``hours_per_week``.
    network : RoadNetwork
        The road network the zones are built on.
    tolerance : float
        Allowed deviation of a zone's hours from the mean, as a share.

    Raises
    ------
    ZoneError
        When a column is missing, the tolerance is not in (0, 1) or hours are negative or not
        finite.
    """
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


def zone_count(n_zones: int | None, hours_per_zone: float | None, total: float, units: int) -> int:
    """Return the number of zones, from ``n_zones`` or from ``hours_per_zone``.

    Parameters
    ----------
    n_zones : int or None
        The number of zones asked for.
    hours_per_zone : float or None
        The weekly hours per zone asked for (exactly one of the two is given).
    total : float
        The weekly hours of all zoned clients.
    units : int
        The number of distinct places with hours: there cannot be more zones.

    Returns
    -------
    int
        The number of zones.

    Raises
    ------
    ZoneError
        When both or neither are given, or the count is below 1 or above ``units``.
    """
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


def study_area(network: RoadNetwork, boundary: Any) -> shapely.Geometry:
    """Return the study area in the network's metric CRS.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    boundary : polygon, GeoDataFrame, GeoSeries or None
        The study area: a shapely geometry in WGS84 or geometries with a CRS; ``None`` for the
        network's convex hull grown by 500 m.

    Returns
    -------
    shapely.Geometry
        The study area (valid, not empty) in the network's metric CRS.

    Raises
    ------
    ZoneError
        When the boundary has no CRS or is empty.
    """
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


def share_zones(k: int, group_hours: list[float]) -> list[int]:
    """Share k zones between groups by hours (largest remainder, one at least per group).

    Parameters
    ----------
    k : int
        The number of zones.
    group_hours : list of float
        The weekly hours of each group (locality); a group with no hours gets no zone.

    Returns
    -------
    list of int
        The number of zones of each group, summing to ``k``.

    Raises
    ------
    ZoneError
        When more groups have hours than there are zones.
    """
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


def locality_groups(
    localities: Any, network: RoadNetwork, cx: Any, cy: Any, ok: Any, area: Any, reasons: Any
) -> list[tuple[IntArray, npt.NDArray[np.bool_], Any]]:
    """Split the clients and road nodes between localities (each client in the first it is in).

    Parameters
    ----------
    localities : GeoDataFrame
        Polygons zones must not cross.
    network : RoadNetwork
        The road network.
    cx, cy : array_like
        The clients' metric coordinates.
    ok : numpy.ndarray of bool
        The clients still to be zoned.
    area : shapely.Geometry
        The study area (metric); each locality is clipped to it.
    reasons : numpy.ndarray of object
        Each client's reason for not being zoned (``""`` if none); clients in no locality get
        one here.

    Returns
    -------
    list of tuple
        For each locality: its clients (indices), a mask of the road nodes inside it, and its
        part of the study area.
    """
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


def previous_zones(previous: Any, ids: Any, lonlat: Any) -> IntArray:
    """Return each client's zone in the previous plan (-1 when unknown).

    Parameters
    ----------
    previous : GeoDataFrame or DataFrame
        Zone polygons with ``zone_id`` (a client takes the zone it lies in), or assignments
        with ``client_id`` and ``zone_id``.
    ids : array_like of str
        The clients' ids.
    lonlat : numpy.ndarray
        The clients' lon/lat, shape (n, 2).

    Returns
    -------
    numpy.ndarray of int64
        The previous zone id of each client, -1 when it had none.

    Raises
    ------
    ZoneError
        When the needed columns are missing.
    """
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


def zone_labels(
    prev_zone: IntArray | None, k: int, can_keep: bool, notes: list[str]
) -> tuple[IntArray, IntArray | None]:
    """Return the zone ids, and the previous plan's zones as indices into them.

    The previous plan keeps zones stable only when it has as many zones as asked for and there
    are no localities; otherwise it is not used, and a note says so.

    Parameters
    ----------
    prev_zone : numpy.ndarray of int64 or None
        Each client's zone id in the previous plan (-1 when unknown), or ``None``.
    k : int
        The number of zones.
    can_keep : bool
        Whether the zones may keep the previous plan's ids (False with localities).
    notes : list of str
        The plan's notes, appended to.

    Returns
    -------
    labels : numpy.ndarray of int64
        The id of each zone: the previous plan's, or 1 to ``k``.
    prev_zone : numpy.ndarray of int64 or None
        Each client's previous zone as an index into ``labels`` (-1 when unknown), or
        ``None`` when the previous plan is not used.
    """
    labels = np.arange(1, k + 1)
    if prev_zone is not None:
        known = np.unique(prev_zone[prev_zone >= 0])
        if len(known) == k and can_keep:
            labels = known
            prev_zone = np.where(prev_zone >= 0, np.searchsorted(known, prev_zone), -1)
        else:
            notes.append(
                f"the previous plan has {len(known)} zones and {k} were asked for: it was "
                "not used to keep zones stable"
            )
            prev_zone = None
    return labels, prev_zone
