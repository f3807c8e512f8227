"""Travel speeds on Great Britain's roads and paths.

The speed model turns OSM tags into a speed for every road segment. It is deliberately simple,
documented and overridable, because every travel time carezones reports rests on it.

Driving
-------
For a way with a usable ``maxspeed`` tag (``"30 mph"``, ``"60"`` (km/h, the OSM default unit),
``"national"``, ``"GB:nsl_single"``, ``"GB:nsl_dual"``, ``"GB:motorway"``, ``"GB:urban"`` ...)::

    speed = min(limit × limit_factor[class], cap[class])

and without one, ``default[class]``. ``limit_factor`` (0.7-0.9) turns a legal limit into a
typical free-flow average speed, allowing for bends, junctions and traffic; ``cap`` stops a
national-limit (60 mph) rural lane from being treated as a 60 mph road: the Department for
Transport's free-flow statistics (SPE0111) show car speeds on national-limit single carriageways
averaging about 48 mph on A roads and far less on minor roads, and narrow lanes with passing
places are driven at 20-35 mph. The ``national`` limit is 60 mph on single carriageways and
70 mph on dual carriageways (a one-way trunk or primary carriageway) and motorways.

Walking
-------
The default walking speed is 0.8 m/s (2.9 km/h): the mean speed measured for people aged 65
and over (Asher et al., 2012, *Most older pedestrians are unable to cross the road in time*,
Age and Ageing 41(5)), well below the 1.2 m/s assumed for pedestrian crossings. Steps are
walked at half speed. Change ``walk_kph`` for other groups (about 4.8 km/h for a fit adult).

Access legs
-----------
The stretch from a point (a house, a site) to where it joins the road is travelled at
``access_kph``: walking speed on the walk network; on the drive network 10 km/h by default
(a slow drive along a private drive, or parking and walking to the door).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Literal

MPH = 1.609344

Mode = Literal["drive", "walk"]

DRIVE_DEFAULT_KPH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 85.0,
    "trunk_link": 45.0,
    "primary": 70.0,
    "primary_link": 40.0,
    "secondary": 60.0,
    "secondary_link": 35.0,
    "tertiary": 50.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "road": 35.0,
    "residential": 28.0,
    "living_street": 12.0,
    "service": 15.0,
    "busway": 30.0,
}
"""Speed (km/h) by ``highway`` class when a way has no usable ``maxspeed`` tag."""

DRIVE_LIMIT_FACTOR: dict[str, float] = {
    "motorway": 0.9,
    "motorway_link": 0.7,
    "trunk": 0.85,
    "trunk_link": 0.7,
    "primary": 0.8,
    "primary_link": 0.7,
    "secondary": 0.8,
    "secondary_link": 0.7,
    "tertiary": 0.75,
    "tertiary_link": 0.7,
    "unclassified": 0.7,
    "road": 0.7,
    "residential": 0.75,
    "living_street": 0.6,
    "service": 0.5,
    "busway": 0.7,
}
"""Share of the legal limit driven on average, by ``highway`` class."""

DRIVE_CAP_KPH: dict[str, float] = {
    "motorway": 113.0,
    "motorway_link": 70.0,
    "trunk": 100.0,
    "trunk_link": 60.0,
    "primary": 85.0,
    "primary_link": 50.0,
    "secondary": 75.0,
    "secondary_link": 45.0,
    "tertiary": 65.0,
    "tertiary_link": 40.0,
    "unclassified": 50.0,
    "road": 50.0,
    "residential": 40.0,
    "living_street": 15.0,
    "service": 20.0,
    "busway": 50.0,
}
"""Highest average speed (km/h) by ``highway`` class, whatever the limit."""

NAMED_LIMITS_KPH: dict[str, float] = {
    "gb:nsl_single": 60 * MPH,
    "uk:nsl_single": 60 * MPH,
    "gb:nsl_dual": 70 * MPH,
    "uk:nsl_dual": 70 * MPH,
    "gb:motorway": 70 * MPH,
    "uk:motorway": 70 * MPH,
    "gb:urban": 30 * MPH,
    "uk:urban": 30 * MPH,
    "gb:nsl_restricted": 30 * MPH,
    "uk:nsl_restricted": 30 * MPH,
    "walk": 6.0,
}

DUAL_CLASSES = frozenset({"motorway", "trunk", "primary"})

DRIVE_HIGHWAYS = frozenset(DRIVE_DEFAULT_KPH)
"""``highway`` values a car may use (given access tags allow it)."""

WALK_HIGHWAYS = frozenset(
    {
        "footway",
        "path",
        "pedestrian",
        "steps",
        "track",
        "bridleway",
        "cycleway",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "road",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "trunk",
        "trunk_link",
        "corridor",
        "crossing",
    }
)
"""``highway`` values a pedestrian may use (motorways are excluded; access tags also apply)."""


def parse_maxspeed(value: str | None, highway: str = "", oneway: bool = False) -> float | None:
    """Return a legal speed limit in km/h from an OSM ``maxspeed`` value, or ``None``.

    Parameters
    ----------
    value : str or None
        The tag value, e.g. ``"30 mph"``, ``"50"``, ``"national"``, ``"GB:nsl_single"``.
        Several values separated by ``;`` give the lowest.
    highway : str
        The way's ``highway`` class (decides single or dual carriageway for ``national``).
    oneway : bool
        Whether the way is one-way (a one-way trunk or primary way is a dual carriageway).

    Returns
    -------
    float or None
        The limit in km/h, or ``None`` when the value is missing or unusable (``"signals"``,
        ``"variable"``, ``"none"``).

    Examples
    --------
    >>> round(parse_maxspeed("30 mph"), 1)
    48.3
    >>> parse_maxspeed("50")
    50.0
    >>> round(parse_maxspeed("national", "primary"), 1)
    96.6
    """
    if not value:
        return None
    speeds = [_parse_one(v.strip().lower(), highway, oneway) for v in value.split(";")]
    found = [s for s in speeds if s is not None]
    return min(found) if found else None


def _parse_one(v: str, highway: str, oneway: bool) -> float | None:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?", v)
    if m:
        n = float(m.group(1))
        if n <= 0:
            return None
        return n * MPH if m.group(2) == "mph" else n
    if v in NAMED_LIMITS_KPH:
        return NAMED_LIMITS_KPH[v]
    if v in ("national", "gb:national", "uk:national", "nsl"):
        dual = highway == "motorway" or (oneway and highway in DUAL_CLASSES)
        return (70 if dual else 60) * MPH
    return None


@dataclass(frozen=True)
class SpeedModel:
    """How fast each kind of way is travelled.

    Every field can be overridden, e.g. ``SpeedModel(walk_kph=4.8)`` or
    ``SpeedModel(drive_default_kph={"unclassified": 35.0})`` (dicts are merged over the
    defaults, so only the classes you name change).

    Parameters
    ----------
    walk_kph : float, default 2.88
        Walking speed in km/h (0.8 m/s, older people; see the module docs).
    steps_factor : float, default 0.5
        Walking speed on ``highway=steps`` as a share of ``walk_kph``.
    drive_access_kph : float, default 10.0
        Speed of the access leg from a point to the drive network.
    drive_default_kph, drive_limit_factor, drive_cap_kph : dict, optional
        Overrides of :data:`DRIVE_DEFAULT_KPH`, :data:`DRIVE_LIMIT_FACTOR` and
        :data:`DRIVE_CAP_KPH` by ``highway`` class.

    Raises
    ------
    ValueError
        When a speed, factor or override is not positive.

    See Also
    --------
    carezones.load_network : Takes a speed model (``speeds=``).

    Examples
    --------
    >>> fit = SpeedModel(walk_kph=4.8)
    >>> fit.access_kph("walk"), fit.access_kph("drive")
    (4.8, 10.0)
    >>> SpeedModel(drive_default_kph={"unclassified": 35.0}).drive_kph("unclassified", None)
    35.0
    >>> SpeedModel(walk_kph=0)
    Traceback (most recent call last):
    ...
    ValueError: SpeedModel.walk_kph must be positive, got 0
    """

    walk_kph: float = 2.88
    steps_factor: float = 0.5
    drive_access_kph: float = 10.0
    drive_default_kph: dict[str, float] = field(default_factory=dict)
    drive_limit_factor: dict[str, float] = field(default_factory=dict)
    drive_cap_kph: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("walk_kph", "steps_factor", "drive_access_kph"):
            if not getattr(self, name) > 0:
                raise ValueError(f"SpeedModel.{name} must be positive, got {getattr(self, name)}")
        for name in ("drive_default_kph", "drive_limit_factor", "drive_cap_kph"):
            for k, v in getattr(self, name).items():
                if not v > 0:
                    raise ValueError(f"SpeedModel.{name}[{k!r}] must be positive, got {v}")

    def access_kph(self, mode: Mode) -> float:
        """Return the speed of the access leg between a point and the network.

        Parameters
        ----------
        mode : {"drive", "walk"}
            The network's mode.

        Returns
        -------
        float
            ``walk_kph`` on the walk network, ``drive_access_kph`` on the drive network.

        Examples
        --------
        >>> SpeedModel().access_kph("walk"), SpeedModel().access_kph("drive")
        (2.88, 10.0)
        """
        return self.walk_kph if mode == "walk" else self.drive_access_kph

    def drive_kph(self, highway: str, maxspeed: str | None, oneway: bool = False) -> float:
        """Return the modelled driving speed (km/h) of a way.

        ``min(limit × limit_factor, cap)`` for the way's class when its ``maxspeed`` is usable,
        else the class's default speed (see the module docs).

        Parameters
        ----------
        highway : str
            The way's ``highway`` class (unknown classes are treated as ``road``).
        maxspeed : str or None
            The way's ``maxspeed`` tag (see :func:`parse_maxspeed`).
        oneway : bool, default False
            Whether the way is one-way (a one-way trunk or primary way is a dual carriageway).

        Returns
        -------
        float
            The speed in km/h.

        Examples
        --------
        >>> m = SpeedModel()
        >>> round(m.drive_kph("unclassified", "national"), 1)  # a rural lane: capped
        50.0
        >>> round(m.drive_kph("residential", "30 mph"), 1)
        36.2
        """
        default = {**DRIVE_DEFAULT_KPH, **self.drive_default_kph}
        factor = {**DRIVE_LIMIT_FACTOR, **self.drive_limit_factor}
        cap = {**DRIVE_CAP_KPH, **self.drive_cap_kph}
        limit = parse_maxspeed(maxspeed, highway, oneway)
        if limit is None:
            return default.get(highway, default["road"])
        return min(limit * factor.get(highway, 0.7), cap.get(highway, cap["road"]))

    def walk_speed_kph(self, highway: str) -> float:
        """Return the walking speed (km/h) on a way of the given ``highway`` class.

        Parameters
        ----------
        highway : str
            The way's ``highway`` class: steps are walked at ``steps_factor`` of the speed.

        Returns
        -------
        float
            The speed in km/h.

        Examples
        --------
        >>> SpeedModel().walk_speed_kph("footway"), SpeedModel().walk_speed_kph("steps")
        (2.88, 1.44)
        """
        return self.walk_kph * (self.steps_factor if highway == "steps" else 1.0)

    def key(self) -> str:
        """Return a short stable hash of the model, used to key the network cache.

        Returns
        -------
        str
            Sixteen hex digits; equal models give equal keys.

        Examples
        --------
        >>> SpeedModel().key() == SpeedModel(walk_kph=2.88).key()
        True
        >>> SpeedModel().key() == SpeedModel(walk_kph=4.8).key()
        False
        """
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]
