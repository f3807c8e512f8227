"""Points and places: reading points as longitude/latitude, and a network's metric CRS.

:func:`as_lonlat` turns what the queries of :class:`~carezones.network.RoadNetwork` accept
(GeoSeries in any CRS, shapely geometries, arrays) into an ``(n, 2)`` lon/lat array;
:func:`metric_crs` picks the CRS a network measures in; :func:`haversine_m` measures
great-circle distances as osmnx does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS

__all__ = ["EARTH_RADIUS_M", "Points", "as_lonlat", "haversine_m", "metric_crs"]

FloatArray = npt.NDArray[np.float64]

if TYPE_CHECKING:
    import geopandas as gpd

type Points = gpd.GeoSeries | gpd.GeoDataFrame | shapely.Geometry | npt.ArrayLike
"""What a network query accepts as points: a GeoSeries or GeoDataFrame in any CRS, shapely
geometries, an ``(n, 2)`` lon/lat array or a single ``(lon, lat)`` pair."""


def metric_crs(lon: FloatArray, lat: FloatArray) -> CRS:
    """Return EPSG:27700 for networks in Great Britain, else the local UTM zone.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        The network's node longitudes and latitudes (their median decides).

    Returns
    -------
    pyproj.CRS
        British National Grid, or the WGS84 UTM zone of the median point.

    Examples
    --------
    >>> import numpy as np
    >>> metric_crs(np.array([-0.7]), np.array([52.6])).to_string()  # Rutland
    'EPSG:27700'
    >>> metric_crs(np.array([2.35]), np.array([48.85])).to_string()  # Paris
    'EPSG:32631'
    """
    clon, clat = float(np.median(lon)), float(np.median(lat))
    if -9.0 <= clon <= 2.5 and 49.0 <= clat <= 61.5:
        return CRS.from_epsg(27700)
    zone = int((clon + 180) // 6) + 1
    return CRS.from_epsg((32600 if clat >= 0 else 32700) + zone)


def as_lonlat(points: Points) -> FloatArray:
    """Return points as an (n, 2) float array of longitude/latitude.

    Accepts a GeoSeries/GeoDataFrame in any CRS (polygons and lines become their
    representative point), a shapely geometry array, or an (n, 2) lon/lat array.

    Parameters
    ----------
    points : geopandas.GeoSeries, geopandas.GeoDataFrame or array-like
        The points (a single ``(lon, lat)`` pair is one point).

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` longitudes and latitudes.

    Raises
    ------
    ValueError
        When a GeoSeries has no CRS or an empty geometry, an array is not ``(n, 2)``, or a
        point is not a valid longitude and latitude.

    Examples
    --------
    >>> import geopandas as gpd
    >>> as_lonlat(gpd.GeoSeries.from_xy([500000], [300000], crs=27700)).round(4)
    array([[-0.5253, 52.5886]])
    >>> as_lonlat((1.5, 54.3))
    array([[ 1.5, 54.3]])
    >>> as_lonlat([(1.5, 54.3), (54.3, 95.0)])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: points at positions [1] are not valid lon/lat (arrays are read as longitude, ...
    """
    import geopandas as gpd

    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        geo = points.geometry
        if geo.crs is None:
            raise ValueError(
                "points have no CRS: set one, e.g. gdf.set_crs('EPSG:4326') for lon/lat or "
                "gdf.set_crs('EPSG:27700') for British National Grid"
            )
        geo = geo.to_crs("EPSG:4326")
        if geo.is_empty.any() or geo.isna().any():
            bad = np.flatnonzero((geo.is_empty | geo.isna()).to_numpy())[:5].tolist()
            raise ValueError(f"points at positions {bad} have no geometry")
        non_point = geo.geom_type != "Point"
        if non_point.any():
            geo = geo.copy()
            geo[non_point] = geo[non_point].representative_point()
        arr = np.column_stack([geo.x.to_numpy(), geo.y.to_numpy()])
    else:
        arr = np.asarray(points, dtype=float)
        if arr.ndim == 1 and arr.shape[0] == 2:
            arr = arr[None, :]
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(
                f"points must be an (n, 2) array of lon/lat or a GeoSeries, got shape {arr.shape}"
            )
    bad = ~np.isfinite(arr).all(axis=1) | (np.abs(arr[:, 0]) > 180) | (np.abs(arr[:, 1]) > 90)
    if bad.any():
        raise ValueError(
            f"points at positions {np.flatnonzero(bad)[:5].tolist()} are not valid lon/lat "
            "(arrays are read as longitude, latitude in that order; use read_points to "
            "validate a file)"
        )
    return arr


def _one(point: Any) -> FloatArray:
    if isinstance(point, shapely.Point):
        return np.array([[point.x, point.y]])
    arr = as_lonlat(point)
    if len(arr) != 1:
        raise ValueError(f"expected one point, got {len(arr)}")
    return arr


EARTH_RADIUS_M = 6_371_009.0  # as osmnx's great-circle distance


def haversine_m(lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> Any:
    """Return the great-circle distance in metres (vectorised).

    Parameters
    ----------
    lon1, lat1, lon2, lat2 : float or array-like
        The two ends' longitudes and latitudes in degrees (arrays broadcast together).

    Returns
    -------
    float or numpy.ndarray
        The distance on a sphere of radius :data:`EARTH_RADIUS_M`, as osmnx computes it.

    Examples
    --------
    >>> round(float(haversine_m(-0.73, 52.67, -0.72, 52.67)))  # a hundredth of a degree east
    674
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
