"""What :func:`~carezones.zones.build_zones` takes besides its data, checked once.

:class:`ZoneOptions` holds how zones are built (the balance tolerance, the seed, the cost of
moving a client from its previous zone, the centre rounds, whether the plan may show single
clients); :class:`ZoneAreas` the places they must fit (the study area, localities they never
cross, the units they are made of, fixed centres, the buildings their polygons are drawn
around). Both check their values when made (an :class:`~carezones.errors.ArgumentError`
naming the option) and never change afterwards; :func:`dataclasses.replace` makes a variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from carezones.errors import ArgumentError, check_integer, check_number

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy.typing as npt
    import shapely

type Points = gpd.GeoDataFrame | gpd.GeoSeries | npt.ArrayLike
"""Points: a GeoDataFrame or GeoSeries with a CRS, or an ``(n, 2)`` lon/lat array."""
type Area = shapely.Geometry | gpd.GeoDataFrame | gpd.GeoSeries
"""An area: a shapely geometry in lon/lat, or geometries with a CRS."""

__all__ = ["ZoneAreas", "ZoneOptions"]


@dataclass(frozen=True)
class ZoneOptions:
    """How zones are built: the balance they keep, the seed, what a previous plan costs.

    Parameters
    ----------
    tolerance : float, default 0.05
        Allowed deviation of a zone's hours from the mean, as a share (0.05 = ±5%); above 0
        and below 1.
    seed : int, default 0
        Seed for the starting centres (0 or more): same inputs and seed, same zones.
    stability_minutes : float, default 10
        With a previous plan: the cost, in minutes per hour of care, of moving a client's
        hours to another zone (0 or more).
    max_iter : int, default 8
        Maximum centre-update rounds (0 or more).
    show_clients : bool, default False
        Allow zones, figures and maps of fewer than 5 clients (a plan that will not be
        shared). By default ``n_zones`` may be at most the number of clients divided by 5,
        and a zone that still ends with 1 to 4 clients has its figures and centre withheld
        (and so has the smallest other zone, so that the totals do not give it away).

    Raises
    ------
    ArgumentError
        When an option is not a value it can take (``True``, ``"3"``, ``2.5`` for a whole
        number, ``nan``, ``inf``, out of range); the message names the option.

    Examples
    --------
    >>> ZoneOptions(tolerance=0.1, seed=3).max_iter
    8
    >>> ZoneOptions(tolerance=1.5)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: tolerance must be a number > 0 and < 1, not 1.5
    """

    tolerance: float = 0.05
    seed: int = 0
    stability_minutes: float = 10.0
    max_iter: int = 8
    show_clients: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.show_clients, bool | np.bool_):
            raise ArgumentError(f"show_clients must be True or False, not {self.show_clients!r}")
        checked = {
            "tolerance": check_number(
                "tolerance", self.tolerance, minimum=0, maximum=1, above=True, below=True
            ),
            "seed": check_integer("seed", self.seed, minimum=0),
            "stability_minutes": check_number(
                "stability_minutes", self.stability_minutes, minimum=0
            ),
            "max_iter": check_integer("max_iter", self.max_iter, minimum=0),
            "show_clients": bool(self.show_clients),
        }
        for name, value in checked.items():  # numbers as numbers (a frozen class: set once)
            object.__setattr__(self, name, value)


@dataclass(frozen=True, eq=False)
class ZoneAreas:
    """Where zones lie: the study area, borders they keep to, their units, centres, buildings.

    Every field is optional; the default is zones on the roads of the network's whole area,
    drawn around the buildings of the network's OSM file.

    Parameters
    ----------
    boundary : polygon, GeoDataFrame or GeoSeries, optional
        The study area (e.g. the council boundary): a shapely geometry in lon/lat, or
        geometries with a CRS. Default: the network's area (with ``units``: the units' area;
        units whose representative point is outside the boundary are left out).
    localities : GeoDataFrame, optional
        Polygons zones must not cross; zones are shared out between them by hours.
    units : GeoDataFrame, optional
        Areal units (postcode sectors, wards, parishes, LSOAs...) in any CRS: each zone is
        then a union of whole units, contiguous over units sharing a border, and the plan's
        ``units`` table gives each unit's zone. Clients take the unit they lie in. Not with
        ``localities``.
    unit_id : str, optional
        The column of ``units`` holding their ids (unique, not blank). Default: the column
        named ``unit_id``, ``code`` or ``id``, or the one column named like an ONS code
        (``LSOA21CD``, ``WD23CD``...), or the only column.
    centres : points, optional
        Fixed zone centres (e.g. provider bases), one per zone; they do not move. A
        GeoDataFrame, GeoSeries or ``(n, 2)`` lon/lat array.
    buildings : points, optional
        The buildings the zone polygons are drawn around, each in the zone of the road it
        snaps to (a GeoDataFrame, GeoSeries or ``(n, 2)`` lon/lat array). Default: every
        building of the OSM file the network was read from
        (:attr:`RoadNetwork.buildings <carezones.RoadNetwork.buildings>`), homes and others
        alike, never the clients' or carers' own points; an empty ``(0, 2)`` array draws them
        from the roads alone. Not used with ``units``, whose polygons are the zones'.

    Raises
    ------
    ArgumentError
        When ``unit_id`` is not text, or both ``units`` and ``localities`` are given.

    Examples
    --------
    >>> import shapely
    >>> west = ZoneAreas(boundary=shapely.box(1.55, 54.37, 1.60, 54.45))
    >>> west.localities is None
    True
    """

    boundary: Area | None = None
    localities: gpd.GeoDataFrame | None = None
    units: gpd.GeoDataFrame | None = None
    unit_id: str | None = None
    centres: Points | None = None
    buildings: Points | None = None

    def __post_init__(self) -> None:
        if self.unit_id is not None and not isinstance(self.unit_id, str):
            raise ArgumentError(f"unit_id must be a column name, not {self.unit_id!r}")
        if self.units is not None and self.localities is not None:
            raise ArgumentError(
                "give units or localities, not both: with units, zones are unions of whole "
                "units (to keep zones inside localities, give units that nest in them and "
                "build each locality's zones on its own)"
            )
