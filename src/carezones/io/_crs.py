"""Coordinate columns and their CRS, the network's area, and swapped latitude/longitude.

Coordinates given as columns are found by name (or ``x=``/``y=``) and their coordinate
reference system is forced by ``crs=`` or worked out from the names and values: degrees are
WGS84 (EPSG:4326), metres within the British National Grid's range are EPSG:27700.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from carezones.errors import Argument, Ask, Fix, Problems, Reason
from carezones.io._cells import (
    EASTING_ALIASES,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    find_column,
    find_named,
    norm,
)

logger = logging.getLogger("carezones")

# Great Britain as (lon_min, lat_min, lon_max, lat_max) in degrees.
GB_BOUNDS: tuple[float, float, float, float] = (-8.7, 49.8, 1.9, 60.9)
# British National Grid as (easting_min, northing_min, easting_max, northing_max) in metres.
BNG_BOUNDS: tuple[float, float, float, float] = (0.0, 0.0, 700_000.0, 1_300_000.0)
WGS84 = CRS.from_epsg(4326)
BNG = CRS.from_epsg(27700)


def crs_label(crs: CRS) -> str:
    """Return a short label for a CRS such as ``'EPSG:27700'``.

    Parameters
    ----------
    crs : pyproj.CRS
        The CRS.

    Returns
    -------
    str
        ``AUTHORITY:CODE``, or the CRS's name when it has no authority code.

    Examples
    --------
    >>> crs_label(BNG), crs_label(WGS84)
    ('EPSG:27700', 'EPSG:4326')
    """
    authority = crs.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else str(crs.name)


def _in_box(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], box: tuple[float, float, float, float]
) -> npt.NDArray[np.bool_]:
    """Return which (x, y) lie inside ``box`` = (xmin, ymin, xmax, ymax)."""
    return (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])


# --------------------------------------------------------------------------------------------
# Coordinate columns and CRS


@dataclass(frozen=True)
class CoordColumns:
    """The x (longitude/easting) and y (latitude/northing) columns and what names they had.

    Parameters
    ----------
    x, y : str
        The columns, as the table spells them.
    named : {"degrees", "metres", "xy", "explicit"}
        How they were found: latitude/longitude names, easting/northing names, ``x``/``y``,
        or given by ``x=``/``y=``.

    Examples
    --------
    >>> CoordColumns("Easting", "Northing", "metres").describe()
    "columns 'Easting'/'Northing'"
    """

    x: str
    y: str
    named: Literal["degrees", "metres", "xy", "explicit"]

    def describe(self) -> str:
        """Return how the columns are named in messages.

        Returns
        -------
        str
            Latitude first for columns named in degrees, as people write them.

        Examples
        --------
        >>> CoordColumns("lon", "lat", "degrees").describe()
        "columns 'lat'/'lon'"
        """
        if self.named == "explicit":
            return f"columns x='{self.x}'/y='{self.y}'"
        if self.named == "degrees":
            return f"columns '{self.y}'/'{self.x}'"
        return f"columns '{self.x}'/'{self.y}'"


class Forced(NamedTuple):
    """The CRS forced by ``crs=``, and how it was written.

    Parameters
    ----------
    crs : pyproj.CRS
        The CRS.
    text : str
        How the user wrote it, for messages.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> parse_crs("EPSG:27700", Problems()).text
    "'EPSG:27700'"
    """

    crs: CRS
    text: str


def parse_crs(crs: object, probs: Problems) -> Forced | None:
    """Parse ``crs=`` with pyproj; an unknown CRS is a file-level problem.

    Parameters
    ----------
    crs : object
        What was passed as ``crs=`` (anything pyproj accepts), or ``None``.
    probs : Problems
        Where problems are recorded.

    Returns
    -------
    Forced or None
        The CRS, or ``None`` when none was forced.

    Raises
    ------
    ValidationError
        When pyproj does not know the CRS.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> parse_crs(27700, Problems()).crs.to_epsg()
    27700
    >>> parse_crs("EPSG:99999", Problems("clients.csv"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: clients.csv: 1 problem(s):
      - file: unknown coordinate reference system crs='EPSG:99999'. Fix: pass an EPSG code ...
    ...
    """
    if crs is None:
        return None
    try:
        return Forced(CRS.from_user_input(crs), repr(crs) if isinstance(crs, str) else str(crs))
    except CRSError:
        probs.stop(
            Reason("unknown coordinate reference system ", Argument.CRS, crs),
            Fix(
                argument=Argument.CRS,
                ask=Ask.EXAMPLES,
                choices=("EPSG:27700", "EPSG:4326"),
                notes=("British National Grid easting/northing", "WGS84 latitude/longitude"),
                about="an EPSG code",
            ),
        )


def detect_coordinates(
    columns: Sequence[str], x: str | None, y: str | None, probs: Problems
) -> CoordColumns | None:
    """Find the coordinate columns from ``x=``/``y=`` or the alias tables.

    Latitude/longitude names are looked for first, then easting/northing.

    Parameters
    ----------
    columns : sequence of str
        The table's columns.
    x, y : str or None
        The columns given by ``x=``/``y=`` (both or neither).
    probs : Problems
        Where problems are recorded.

    Returns
    -------
    CoordColumns or None
        The columns, or ``None`` when the table has none.

    Raises
    ------
    ValidationError
        When only one of ``x`` and ``y`` is given, or a given column is missing.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> detect_coordinates(["ID", "Latitude", "Longitude"], None, None, Problems())
    CoordColumns(x='Longitude', y='Latitude', named='degrees')
    >>> detect_coordinates(["E", "N"], "E", "N", Problems())
    CoordColumns(x='E', y='N', named='explicit')
    """
    if x is not None or y is not None:
        if x is None or y is None:
            probs.stop(
                Reason("only one of ", Argument.XY, after=" was given"),
                Fix(argument=Argument.XY, ask=Ask.BOTH, about="column names"),
            )
        found_x, found_y = find_named(columns, x), find_named(columns, y)
        for given, found, param in ((x, found_x, Argument.X), (y, found_y, Argument.Y)):
            if found is None:
                probs.add_file(
                    Reason(f"column '{given}' given by ", param, after=" is not in the file"),
                    Fix(argument=param, ask=Ask.COLUMN, choices=tuple(columns)),
                    column=given,
                )
        if found_x is None or found_y is None:
            probs.raise_all()
        return CoordColumns(found_x, found_y, "explicit")
    lat, lon = find_column(columns, LATITUDE_ALIASES), find_column(columns, LONGITUDE_ALIASES)
    if lat is not None and lon is not None:
        xy = (norm(lon), norm(lat)) == ("x", "y")
        return CoordColumns(lon, lat, "xy" if xy else "degrees")
    east, north = find_column(columns, EASTING_ALIASES), find_column(columns, NORTHING_ALIASES)
    if east is not None and north is not None:
        return CoordColumns(east, north, "metres")
    return None


def unit_from_values(
    xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64]
) -> Literal["degrees", "bng", "unknown", "none"]:
    """Say whether most coordinates are degrees or British National Grid metres.

    Parameters
    ----------
    xs, ys : numpy.ndarray
        The coordinates (NaN where missing).

    Returns
    -------
    {"degrees", "bng", "unknown", "none"}
        What most are; ``"unknown"`` when none is either, ``"none"`` when none is given.

    Examples
    --------
    >>> import numpy as np
    >>> unit_from_values(np.array([-0.7, 486000.0]), np.array([52.6, 308000.0]))
    'degrees'
    >>> unit_from_values(np.array([486000.0]), np.array([308000.0]))
    'bng'
    """
    ok = np.isfinite(xs) & np.isfinite(ys)
    if not ok.any():
        return "none"
    deg = ok & (np.abs(xs) <= 180) & (np.abs(ys) <= 90)
    bng = ok & ~deg & _in_box(xs, ys, BNG_BOUNDS)
    n_deg, n_bng = int(deg.sum()), int(bng.sum())
    if n_deg == 0 and n_bng == 0:
        return "unknown"
    return "degrees" if n_deg >= n_bng else "bng"


def coordinate_crs(
    cols: CoordColumns,
    xs: npt.NDArray[np.float64],
    ys: npt.NDArray[np.float64],
    forced: Forced | None,
    probs: Problems,
) -> tuple[CRS, str]:
    """Work out the CRS of coordinate columns from ``crs=``, their names and their values.

    Values win over names: columns named latitude/longitude that hold metres in the British
    National Grid's range are read as easting/northing (with a warning), and the other way
    round.

    Parameters
    ----------
    cols : CoordColumns
        The coordinate columns.
    xs, ys : numpy.ndarray
        Their values.
    forced : Forced or None
        The CRS given by ``crs=``.
    probs : Problems
        Where problems are recorded.

    Returns
    -------
    crs : pyproj.CRS
        The CRS.
    reason : str
        Why, for the reading report.

    Raises
    ------
    ValidationError
        When the values are neither degrees nor British National Grid metres.

    Examples
    --------
    >>> from carezones.errors import Problems
    >>> import numpy as np
    >>> cols = CoordColumns("lon", "lat", "degrees")
    >>> crs, reason = coordinate_crs(cols, np.array([-0.7]), np.array([52.6]), None, Problems())
    >>> crs_label(crs)
    'EPSG:4326'
    >>> reason
    "detected from columns 'lat'/'lon' with values in degrees (WGS84 latitude/longitude)"
    """
    if forced is not None:
        return forced.crs, f"forced by crs={forced.text}"
    names = cols.describe()
    unit = unit_from_values(xs, ys)
    if unit == "none":
        crs = BNG if cols.named == "metres" else WGS84
        return crs, f"assumed from the names of {names} (no row has usable coordinates)"
    if unit == "unknown":
        probs.stop(
            f"the values in {names} are neither latitude/longitude in degrees nor British "
            "National Grid easting/northing in metres",
            Fix(
                argument=Argument.CRS,
                example="EPSG:3857",
                about="the coordinate reference system of these columns",
            ),
        )
    if unit == "degrees":
        if cols.named == "metres":
            reason = (
                f"{names} are named as easting/northing but hold values in degrees, so they "
                f"were read as WGS84 longitude ('{cols.x}') and latitude ('{cols.y}')"
            )
            logger.warning("%s", reason)
            return WGS84, reason
        return WGS84, f"detected from {names} with values in degrees (WGS84 latitude/longitude)"
    if cols.named == "degrees":
        reason = (
            f"{names} are named as latitude/longitude but hold values in metres in the British "
            f"National Grid range, so they were read as easting ('{cols.x}') and northing "
            f"('{cols.y}')"
        )
        logger.warning("%s", reason)
        return BNG, reason
    return BNG, f"detected from {names} with values in the British National Grid range"


@dataclass(frozen=True)
class Axis:
    """How one coordinate axis is named, exemplified and bounded for messages.

    Parameters
    ----------
    name : str
        ``longitude``, ``latitude``, ``easting``, ``northing``, ``x`` or ``y``.
    example : str
        A value to show in a fix.
    low, high : float, optional
        The range a value must lie in.
    fix : str, optional
        How to put an out-of-range value right.

    Examples
    --------
    >>> Axis("x", "a number").low is None
    True
    """

    name: str
    example: str
    low: float | None = None
    high: float | None = None
    fix: str = ""


def axes(crs: CRS) -> tuple[Axis, Axis]:
    """Return the (x, y) axis descriptions for coordinates in ``crs``.

    Parameters
    ----------
    crs : pyproj.CRS
        The coordinates' CRS.

    Returns
    -------
    tuple of Axis
        The x axis and the y axis.

    Examples
    --------
    >>> [(a.name, a.low, a.high) for a in axes(BNG)]
    [('easting', 0.0, 700000.0), ('northing', 0.0, 1300000.0)]
    """
    if crs.is_geographic:
        mix = "a value in metres is an easting/northing and cannot be mixed with degrees"
        return (
            Axis("longitude", "-0.73", -180, 180, f"give the longitude in decimal degrees; {mix}"),
            Axis("latitude", "52.67", -90, 90, f"give the latitude in decimal degrees; {mix}"),
        )
    if crs.equals(BNG):
        mix = "a value in degrees is a longitude/latitude and cannot be mixed with metres"
        return (
            Axis("easting", "486000", BNG_BOUNDS[0], BNG_BOUNDS[2], f"give metres; {mix}"),
            Axis("northing", "308000", BNG_BOUNDS[1], BNG_BOUNDS[3], f"give metres; {mix}"),
        )
    return Axis("x", "a number"), Axis("y", "a number")


# --------------------------------------------------------------------------------------------
# Area and swapped coordinates


class Area:
    """The network's area, projected to metres for distance checks.

    Parameters
    ----------
    geom : shapely.Geometry
        The area, in EPSG:4326.
    limit_km : float
        How far outside it a point may lie.

    Attributes
    ----------
    limit_km : float
        As given.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> area = Area(shapely.box(-0.8, 52.5, -0.5, 52.8), limit_km=2.0)
    >>> area.near(np.array([-0.7, -0.4]), np.array([52.6, 52.6]))
    array([ True, False])
    """

    def __init__(self, geom: shapely.Geometry, limit_km: float) -> None:
        centre = geom.centroid
        lon, lat = float(centre.x), float(centre.y)
        if _in_box(np.array([lon]), np.array([lat]), GB_BOUNDS)[0]:
            epsg = 27700
        else:
            epsg = (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) % 60 + 1
        self._to_metres = Transformer.from_crs(WGS84, CRS.from_epsg(epsg), always_xy=True)
        self._geom = self._project(geom)
        self.limit_km = limit_km

    def _project(self, geoms: object) -> npt.NDArray[np.object_]:
        def move(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
            x, y = self._to_metres.transform(xy[:, 0], xy[:, 1])
            return np.column_stack([x, y])

        moved: npt.NDArray[np.object_] = shapely.transform(geoms, move)
        return moved

    def km(self, geoms: npt.NDArray[np.object_]) -> npt.NDArray[np.float64]:
        """Return each geometry's distance outside the area in km (0 inside).

        Parameters
        ----------
        geoms : numpy.ndarray
            Shapely geometries in EPSG:4326.

        Returns
        -------
        numpy.ndarray
            Kilometres.

        Examples
        --------
        >>> import shapely
        >>> area = Area(shapely.box(-0.8, 52.5, -0.5, 52.8), limit_km=2.0)
        >>> area.km(shapely.points([(-0.7, 52.6), (-0.4, 52.6)])).round(1)
        array([0. , 6.8])
        """
        if len(geoms) == 0:
            return np.zeros(0)
        return np.asarray(shapely.distance(self._geom, self._project(geoms)), float) / 1000.0

    def near(self, lon: npt.NDArray[np.float64], lat: npt.NDArray[np.float64]) -> np.ndarray:
        """Return which points lie within the allowed distance of the area.

        Parameters
        ----------
        lon, lat : numpy.ndarray
            The points' longitudes and latitudes.

        Returns
        -------
        numpy.ndarray
            True where a point is no more than ``limit_km`` outside the area.

        Examples
        --------
        >>> import numpy as np, shapely
        >>> area = Area(shapely.box(-0.8, 52.5, -0.5, 52.8), limit_km=7.0)
        >>> area.near(np.array([-0.4]), np.array([52.6]))
        array([ True])
        """
        return self.km(shapely.points(lon, lat)) <= self.limit_km


def area_geometry(area: object) -> shapely.Geometry | None:
    """Return the area as a shapely geometry in EPSG:4326 (or ``None``).

    Parameters
    ----------
    area : object
        ``None``, a shapely geometry in EPSG:4326, a GeoSeries/GeoDataFrame (its union), or
        an object with an ``area_wgs84`` geometry such as a RoadNetwork.

    Returns
    -------
    shapely.Geometry or None
        The area.

    Raises
    ------
    TypeError
        When ``area`` is none of those.
    ValueError
        When the geometry is empty.

    Examples
    --------
    >>> area_geometry(net).geom_type
    'Polygon'
    >>> area_geometry(None) is None
    True
    """
    if area is None:
        return None
    area = getattr(area, "area_wgs84", area)
    if isinstance(area, gpd.GeoDataFrame | gpd.GeoSeries):
        area = (area.to_crs(WGS84) if area.crs is not None else area).union_all()
    if not isinstance(area, shapely.Geometry):
        raise TypeError(
            "area= must be a shapely geometry in EPSG:4326, a GeoSeries/GeoDataFrame, or an "
            f"object with an 'area_wgs84' geometry such as a RoadNetwork; got {type(area)!r}"
        )
    if area.is_empty:
        raise ValueError("area= is an empty geometry; pass the area covered by the network")
    return area


def looks_swapped(
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    live: npt.NDArray[np.bool_],
    area: Area | None,
) -> npt.NDArray[np.bool_]:
    """Return rows whose latitude/longitude only make sense the other way round.

    A row looks swapped when it lies outside the area (Great Britain without one) and inside
    it the other way round.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        The rows' longitudes and latitudes as read.
    live : numpy.ndarray
        Which rows to consider.
    area : Area or None
        The network's area.

    Returns
    -------
    numpy.ndarray
        True where a row looks swapped.

    Examples
    --------
    >>> import numpy as np
    >>> looks_swapped(np.array([52.6, -0.7]), np.array([-0.7, 52.6]), np.array([True, True]),
    ...               None)
    array([ True, False])
    """
    cand = live & (np.abs(lon) <= 90)
    if not cand.any():
        return cand
    if area is None:
        inside, inside_swapped = _in_box(lon, lat, GB_BOUNDS), _in_box(lat, lon, GB_BOUNDS)
    else:
        inside = np.zeros(len(lon), dtype=bool)
        inside_swapped = np.zeros(len(lon), dtype=bool)
        inside[cand] = area.near(lon[cand], lat[cand])
        inside_swapped[cand] = area.near(lat[cand], lon[cand])
    return cand & ~inside & inside_swapped
