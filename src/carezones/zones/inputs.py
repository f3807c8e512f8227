"""The inputs of zoning: checks, the study area, localities, the number of zones, a previous plan.

Everything here runs before any zoning: checking the clients and options, the study area in
the network's metric CRS, the number of zones and how localities share them, and each
client's zone in a previous plan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely

from carezones.errors import Argument, Ask, Fix, ZoneError, check_integer, check_number
from carezones.privacy import MIN_GROUP

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from carezones.network import RoadNetwork, Snapped
    from carezones.zones.options import Area, ZoneAreas, ZoneOptions

log = logging.getLogger("carezones")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Target:
    """How many zones: ``n_zones``, or as many as hold ``hours_per_zone`` each (one is set)."""

    n_zones: int | None
    hours_per_zone: float | None


def zone_target(n_zones: object, hours_per_zone: object) -> Target:
    """Check the number of zones asked for, with one wording.

    Parameters
    ----------
    n_zones : int or None
        The number of zones (a whole number, 1 or more).
    hours_per_zone : float or None
        Target weekly hours per zone (a number above 0).

    Returns
    -------
    Target
        The values as ``int``/``float``.

    Raises
    ------
    ArgumentError
        When a value is not one the argument can take (``True``, ``"3"``, ``2.5``, ``nan``,
        ``inf``, out of range); the message names the argument and what it takes.
    ZoneError
        When both or neither of ``n_zones`` and ``hours_per_zone`` are given.
    """
    if (n_zones is None) == (hours_per_zone is None):
        raise ZoneError("give either n_zones or hours_per_zone (one of them, not both)")
    return Target(
        None if n_zones is None else check_integer("n_zones", n_zones, minimum=1),
        None
        if hours_per_zone is None
        else check_number("hours_per_zone", hours_per_zone, minimum=0, above=True),
    )


@dataclass(frozen=True)
class Previous:
    """A previous plan: each client's zone in it, as an index into its zone ids."""

    codes: IntArray  # each client's previous zone (-1: none)
    labels: npt.NDArray[Any]  # the previous plan's zone ids, sorted


@dataclass(frozen=True, eq=False)
class Inputs:
    """The checked inputs of one :func:`~carezones.zones.build_zones` call."""

    clients: gpd.GeoDataFrame
    ids: npt.NDArray[np.object_]  # the clients' ids, as text
    hours: FloatArray  # their weekly hours
    lonlat: FloatArray  # their lon/lat, shape (n, 2)
    snapped: Snapped  # where they meet the roads
    target: Target
    options: ZoneOptions
    areas: ZoneAreas
    fixed: FloatArray | None  # fixed centres (lon/lat), one per zone
    previous: Previous | None


def check_inputs(clients: pd.DataFrame, network: RoadNetwork) -> None:
    """Check the clients' columns and hours; warn on a non-drive network.

    Parameters
    ----------
    clients : GeoDataFrame
        Client points with ``client_id`` and ``hours_per_week``.
    network : RoadNetwork
        The road network the zones are built on.

    Raises
    ------
    ZoneError
        When a column is missing, or hours are negative or not finite.
    """
    missing = [c for c in ("client_id", "hours_per_week") if c not in clients]
    if missing:
        raise ZoneError(
            f"clients need columns {missing}: read them with carezones.read_clients, which "
            "finds and checks the id and hours columns"
        )
    if network.mode != "drive":
        log.warning("building zones on a %s network; carers' rounds usually drive", network.mode)
    h = clients["hours_per_week"].to_numpy(dtype=float)
    if not np.isfinite(h).all() or (h < 0).any():
        raise ZoneError("hours_per_week must be finite and 0 or more (read_clients checks this)")


def zone_count(
    target: Target,
    total: float,
    n_clients: int,
    places: int,
    show_clients: bool,
    what: str = "distinct places on the road network",
) -> int:
    """Return the number of zones, from ``n_zones`` or from ``hours_per_zone``.

    Unless ``show_clients``, a zone must be able to hold :data:`MIN_GROUP` clients: a zone
    of fewer would publish figures (and a centre) of one or two people.

    Parameters
    ----------
    target : Target
        The number of zones asked for (exactly one of its fields is set).
    total : float
        The weekly hours of all zoned clients.
    n_clients : int
        The number of clients to zone.
    places : int
        The number of places (or units) with hours: there cannot be more zones.
    show_clients : bool
        Whether the plan may show single clients (it is not shared).
    what : str
        What ``places`` counts, for the message.

    Returns
    -------
    int
        The number of zones.

    Raises
    ------
    ZoneError
        When the count is above ``places`` or, unless ``show_clients``, above the number of
        clients divided by :data:`MIN_GROUP`; the message gives the most that can be made.
    """
    n_zones = target.n_zones
    asked = "zones asked for"
    if n_zones is None:
        assert target.hours_per_zone is not None
        n_zones = max(1, round(total / target.hours_per_zone))
        asked = f"zones needed for {target.hours_per_zone:g} hours per zone"
    if n_clients == 0:
        raise ZoneError("there is no client to zone (see the plan's unassigned clients)")
    most = n_clients // MIN_GROUP
    if not show_clients and n_zones > most:
        raise ZoneError.worded(
            f"{n_zones} {asked}, but there are {n_clients} clients to zone: a shared plan "
            f"never publishes a zone of fewer than {MIN_GROUP} clients (its figures and "
            f"centre would describe one or two people), so ask for at most {most} zone(s)"
            + ("" if most else ", or zone more clients")
            + "; or ",
            Fix(argument=Argument.SHOW_CLIENTS, ask=Ask.TRUE),
            " for a plan that will not be shared",
        )
    if n_zones > places:
        raise ZoneError(
            f"{n_zones} {asked}, but the clients are at only {places} {what}: ask for at "
            f"most {places} zones"
        )
    return int(n_zones)


def inside_area(
    network: RoadNetwork,
    area: shapely.Geometry,
    cx: FloatArray,
    cy: FloatArray,
    boundary: Area | None,
) -> npt.NDArray[np.bool_]:
    """Return which clients lie in the study area; refuse a boundary that holds none of them.

    Parameters
    ----------
    network : RoadNetwork
        The road network.
    area : shapely.Geometry
        The study area (metric).
    cx, cy : numpy.ndarray
        The clients' metric coordinates.
    boundary : object
        The boundary as given (``None``: the network's area), for the message.

    Returns
    -------
    numpy.ndarray of bool
        Which clients are inside (or on the border of) the area.

    Raises
    ------
    ZoneError
        When there are clients and none is inside: the boundary is of another place, or in
        the wrong CRS.
    """
    inside = shapely.contains_xy(area, cx, cy) | shapely.intersects_xy(area, cx, cy)
    if len(inside) and not inside.any():
        lon, lat = network.to_wgs84(*np.asarray(area.bounds).reshape(2, 2).T)
        where = f"the boundary (lon {lon[0]:.3f} to {lon[1]:.3f}, lat {lat[0]:.3f} to {lat[1]:.3f})"
        fix = (
            "check that it is the boundary of this area and that its CRS is right (a "
            "shapely geometry is read as lon/lat; give a GeoDataFrame with its CRS otherwise)"
        )
        if boundary is None:
            where = "the road network's area"
            fix = "check that the clients and the network are of the same place"
        raise ZoneError(f"none of the {len(inside)} clients lies inside {where}: {fix}")
    return np.asarray(inside, dtype=bool)


def study_area(network: RoadNetwork, boundary: Area | None) -> shapely.Geometry:
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

    from carezones.io import check_areas

    if isinstance(boundary, gpd.GeoDataFrame | gpd.GeoSeries):
        if boundary.crs is None:
            raise ZoneError("the boundary has no CRS: set one (e.g. EPSG:27700)")
        check_areas(boundary, "boundary")
        geom = shapely.union_all(boundary.to_crs(network.crs).geometry.to_numpy())
    else:  # a shapely geometry in WGS84
        check_areas(gpd.GeoSeries([boundary]), "boundary")
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
    return [int(v) for v in base]


def locality_groups(
    localities: object,
    network: RoadNetwork,
    cx: FloatArray,
    cy: FloatArray,
    ok: npt.NDArray[np.bool_],
    area: shapely.Geometry,
    reasons: npt.NDArray[np.object_],
) -> list[tuple[IntArray, npt.NDArray[np.bool_], shapely.Geometry]]:
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

    Raises
    ------
    ZoneError
        When the localities have no CRS, or hold none of the clients.
    """
    import geopandas as gpd

    if not isinstance(localities, gpd.GeoDataFrame | gpd.GeoSeries) or localities.crs is None:
        raise ZoneError(
            "localities must be polygons with a CRS (a GeoDataFrame, e.g. read with "
            "geopandas.read_file)"
        )
    from carezones.io import check_areas

    check_areas(localities, "localities")
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
    if ok.any() and not taken.any():
        raise ZoneError(
            f"none of the {int(ok.sum())} clients lies in any locality: check that the "
            "localities are of this area and that their CRS is right"
        )
    return groups


def zone_ids(values: Iterable[object]) -> npt.NDArray[Any]:
    """Return zone ids as given: whole numbers as ``int`` (``3.0`` too), anything else as text.

    Parameters
    ----------
    values : array_like
        The ids (none blank).

    Returns
    -------
    numpy.ndarray
        ``int64`` when every id is a whole number, else ``object`` of stripped strings.
    """
    vals = list(values)
    numbers = [
        v
        for v in vals
        if isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool)
    ]
    if len(numbers) == len(vals) and all(float(v).is_integer() for v in numbers):
        return np.asarray([int(v) for v in numbers], dtype=np.int64)  # all of them
    return np.asarray([str(v).strip() for v in vals], dtype=object)


def previous_zones(previous: object, ids: npt.NDArray[np.object_], lonlat: FloatArray) -> Previous:
    """Return each client's zone in the previous plan, as an index into its zone ids.

    Zone ids are kept as the previous plan gives them: whole numbers, or text (``"N1"``).

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
    Previous
        ``codes``, each client's previous zone as an index into ``labels`` (-1 when it had
        none), and ``labels``, the previous plan's zone ids, sorted (``int64`` or ``object``
        text).

    Raises
    ------
    ZoneError
        When the needed columns are missing, a zone id is blank, polygons have no CRS, or the
        previous plan shares no client with this one (another area, or the wrong CRS).
    """
    import geopandas as gpd
    import pandas as pd

    if not isinstance(previous, pd.DataFrame):
        raise ZoneError(
            "previous must be a GeoDataFrame of zone polygons (zone_id) or a DataFrame of "
            f"assignments (client_id, zone_id), not {type(previous).__name__}"
        )
    if "zone_id" not in previous:
        raise ZoneError("the previous plan needs a zone_id column")
    raw = previous["zone_id"]
    blank = (raw.isna() | (raw.astype(str).str.strip() == "")).to_numpy()
    if blank.any():
        rows = (np.flatnonzero(blank)[:5] + 1).tolist()
        raise ZoneError(
            f"the previous plan has {int(blank.sum())} row(s) with no zone_id (rows {rows}): "
            "give every zone an id"
        )
    given = zone_ids(raw.to_numpy())
    labels = np.unique(given)
    code_of = np.searchsorted(labels, given)
    out = np.full(len(ids), -1, dtype=np.int64)
    if isinstance(previous, gpd.GeoDataFrame) and previous.geometry.notna().any():
        if previous.crs is None:
            raise ZoneError("the previous plan's zones have no CRS: set one (e.g. EPSG:27700)")
        from carezones.io import check_areas

        check_areas(previous, "previous zones")
        prev = previous.to_crs("EPSG:4326")
        tree = shapely.STRtree(prev.geometry.to_numpy())
        hit = tree.query(shapely.points(lonlat), predicate="intersects")
        for p, g in sorted(zip(hit[0].tolist(), hit[1].tolist(), strict=True), reverse=True):
            out[p] = int(code_of[g])
        if len(ids) and (out < 0).all():
            lo, la, hi, ha = (float(v) for v in prev.total_bounds)
            raise ZoneError(
                f"no client lies in any zone of the previous plan (its zones span lon "
                f"{lo:.3f} to {hi:.3f}, lat {la:.3f} to {ha:.3f}): it is a plan of another "
                "area, or its CRS is wrong"
            )
        return Previous(out, labels)
    if "client_id" not in previous:
        raise ZoneError("previous assignments need client_id and zone_id columns")
    lookup = dict(zip(previous["client_id"].astype(str), code_of.tolist(), strict=True))
    out = np.array([lookup.get(i, -1) for i in ids], dtype=np.int64)
    if len(ids) and (out < 0).all():
        raise ZoneError(
            "none of the previous plan's client ids is a client of this plan: it is a plan "
            "of other clients (or the ids are written differently)"
        )
    return Previous(out, labels)


def zone_labels(
    previous: Previous | None, k: int, can_keep: bool
) -> tuple[npt.NDArray[Any], IntArray | None, list[str]]:
    """Return the zone ids, and the previous plan's zones as indices into them.

    The previous plan keeps zones stable only when its clients are in as many zones as asked
    for and there are no localities; otherwise it is not used, and a note says so.

    Parameters
    ----------
    previous : Previous or None
        Each client's previous zone (:func:`previous_zones`), or ``None``.
    k : int
        The number of zones.
    can_keep : bool
        Whether the zones may keep the previous plan's ids (False with localities).

    Returns
    -------
    labels : numpy.ndarray
        The id of each zone: the previous plan's (whole numbers or text), or 1 to ``k``.
    prev_zone : numpy.ndarray of int64 or None
        Each client's previous zone as an index into ``labels`` (-1 when unknown), or
        ``None`` when the previous plan is not used.
    notes : list of str
        The plan's notes from this step (why the previous plan was not used).
    """
    labels: npt.NDArray[Any] = np.arange(1, k + 1)
    if previous is None:
        return labels, None, []
    prev_code, prev_ids = previous.codes, previous.labels
    known = np.unique(prev_code[prev_code >= 0])
    if len(known) == k and can_keep:
        prev_zone = np.where(prev_code >= 0, np.searchsorted(known, prev_code), -1)
        return prev_ids[known], prev_zone.astype(np.int64), []
    why = "there are localities" if not can_keep else f"{k} were asked for"
    note = (
        f"the previous plan's clients are in {len(known)} zones and {why}: it was not used "
        "to keep zones stable"
    )
    return labels, None, [note]
