"""How located rows are read: the options a points file needs besides its name, checked once.

:class:`ReadOptions` holds what :func:`~carezones.io.read_points` and
:func:`~carezones.io.read_clients` take besides the file, its sheet, the network's area and
``errors=``: the coordinates' CRS and columns, the postcode lookup, the id column, how far
outside the area a row may lie and whether polygons are accepted. Every file of a command
shares them (the command line builds one from ``--crs``, ``--postcodes``, ``--id-column`` and
``--max-outside-km``). Values are checked when the options are made (an
:class:`~carezones.errors.ArgumentError` naming the option); what depends on the file (a column
that is not there, a CRS pyproj does not know) is a problem of the file, reported with its
other problems.

:data:`AreaLike` is what ``area=`` takes: the area covered by the road network.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import geopandas as gpd
import pyproj
import shapely

from carezones.errors import ArgumentError, check_number
from carezones.io._cells import PathLike

__all__ = ["AreaLike", "CrsLike", "HasArea", "ReadOptions"]

type CrsLike = str | int | pyproj.CRS
"""A coordinate reference system as pyproj takes it: ``"EPSG:27700"``, ``27700``, a CRS."""


class HasArea(Protocol):
    """Anything with the area it covers in EPSG:4326, such as a RoadNetwork."""

    @property
    def area_wgs84(self) -> shapely.Geometry:
        """The area, in EPSG:4326."""
        ...


type AreaLike = shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame | HasArea
"""The area covered by the road network: a geometry in EPSG:4326, a GeoSeries or GeoDataFrame
(its union), or an object with an ``area_wgs84`` geometry such as a RoadNetwork."""


@dataclass(frozen=True)
class ReadOptions:
    """How the rows of a points file are located and checked, besides the file itself.

    Parameters
    ----------
    crs : str, int or pyproj.CRS, optional
        Force the CRS of the coordinates (anything pyproj accepts, e.g. ``"EPSG:27700"``). By
        default it is taken from the layer, or detected from the column names and values:
        degrees are WGS84 (EPSG:4326), metres within 0-700000 / 0-1300000 are British National
        Grid (EPSG:27700).
    x, y : str, optional
        The longitude/easting and latitude/northing columns, overriding the aliases (both or
        neither).
    postcode_lookup : str or os.PathLike, optional
        A postcode lookup CSV: the ONS Postcode Directory (ONSPD), Ordnance Survey Code-Point
        Open (no header row; a folder of its per-area CSV files also works), or a simple
        ``postcode,lat,lon`` / ``postcode,easting,northing`` file. Required when rows are
        located by postcode. Postcodes match ignoring spaces and case.
    id_column : str, optional
        The column that names each row. :func:`~carezones.io.read_points` requires it filled
        in and unique on every row and returns it as text; :func:`~carezones.io.read_clients`
        reads it as the client id instead of the aliases (``client_id``, ``id``, ...).
    max_outside_km : float, default 2.0
        How far outside the network's area (``area=``) a row may lie.
    allow_polygons : bool, default False
        Accept Polygon/MultiPolygon geometries as well as points (for sites;
        :func:`~carezones.io.read_points` only).

    Raises
    ------
    ArgumentError
        When an option is not a value it can take.

    Examples
    --------
    >>> options = ReadOptions(crs="EPSG:27700", max_outside_km=5)
    >>> options.max_outside_km, options.allow_polygons
    (5.0, False)
    >>> ReadOptions(max_outside_km=-1)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: max_outside_km must be a number >= 0, not -1
    """

    crs: CrsLike | None = None
    x: str | None = None
    y: str | None = None
    postcode_lookup: PathLike | None = None
    id_column: str | None = None
    max_outside_km: float = 2.0
    allow_polygons: bool = False

    def __post_init__(self) -> None:
        for name in ("x", "y", "id_column"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ArgumentError(
                    f"{name} must be the name of a column, not {value!r}",
                    argument=name,
                    value=value,
                    allowed="the name of a column",
                )
        if not isinstance(self.allow_polygons, bool):
            raise ArgumentError(
                f"allow_polygons must be True or False, not {self.allow_polygons!r}",
                argument="allow_polygons",
                value=self.allow_polygons,
                allowed="True or False",
            )
        km = check_number("max_outside_km", self.max_outside_km, minimum=0)
        object.__setattr__(self, "max_outside_km", km)  # a number as a number (set once)
