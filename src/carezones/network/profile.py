"""Travel profiles: drive times calibrated on real journeys, per urban and rural leg.

The network's model times come from OSM speeds. They leave out parking, finding the door and
the lanes behind tractors. A :class:`TravelProfile` turns the model's minutes of a drive leg
between two *different* places into::

    minutes = multiplier × model minutes + overhead_minutes

with one multiplier and overhead per class of leg, ``urban`` or ``rural``. A leg from a place
to the same place takes 0 minutes. :func:`carezones.calibration.calibrate` fits a profile on a
council's own visit logs. A profile applies to a drive network through
:meth:`RoadNetwork.with_profile <carezones.RoadNetwork.with_profile>`. Every travel time the
network gives out (travel times, nearest, within, times to nodes, routes, and so zones,
rounds, county plans and sites) then follows it.

How a leg is classed
--------------------
A place is **urban** when the road network around it is dense: at least
``urban_junctions_per_km2`` road junctions per square kilometre within ``radius_m`` of the
place's road point (junctions are the nodes where roads meet or end, so the count does not
depend on how finely the roads' bends are mapped). A leg is urban when both its ends are urban,
and rural otherwise: a journey from a town out to a village is mostly country driving.

When the council has the ONS rural-urban classification of its areal units (output areas or
LSOAs, 2011 or 2021; see :func:`carezones.io.read_rural_urban`), an :class:`AreaRule` uses it
instead: a place is urban when it lies in a unit the classification calls urban. Otherwise the
density rule below stands in for it.

The rule belongs to the profile (``[rule]`` in ``travel-profile.toml``). A profile is applied
with the same rule it was fitted with. The default of 100 junctions per km² within
1 km separates market towns from villages in OSM data for England: Oakham and Uppingham in the
Rutland extract have 150-200, its villages 20-65. The synthetic county is drawn more sparsely
(towns 15-40, villages and lanes under 5), so profiles for it use 10.

The file
--------
``travel-profile.toml`` (read by :meth:`TravelProfile.load`, written by
:func:`carezones.report.calibration.write_calibration` or by hand)::

    name = "visits-2025-q1"

    [urban]
    multiplier = 1.3
    overhead_minutes = 4.0

    [rural]
    multiplier = 1.15
    overhead_minutes = 2.5

    [rule]                         # optional: these are the defaults
    radius_m = 1000.0
    urban_junctions_per_km2 = 100.0

or, for a profile fitted with the rural-urban classification, the urban units beside it::

    [rule]
    areas = "urban-areas.geojson"  # next to this file (the urban units, joined)
    source = "lsoa-ruc.gpkg"       # the units file they came from
    column = "RUC21CD"             # the classification's column in it
    sha256 = "9f2c..."             # of urban-areas.geojson: the profile refuses a changed file

    [provenance]                   # optional: what the profile was fitted on
    source = "visits-log.csv"
    first_date = "2025-01-06"
    last_date = "2025-03-30"
    legs = 41234
    fitted_at = "2025-04-02T10:14:00Z"
    method = "..."
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from carezones.errors import ConfigError

if TYPE_CHECKING:
    from carezones.io._cells import PathLike

__all__ = [
    "CLASSES",
    "AreaRule",
    "ClassTimes",
    "DensityRule",
    "LegClass",
    "ProfileProvenance",
    "TravelProfile",
    "UrbanRule",
    "same_places",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

type LegClass = Literal["urban", "rural"]
CLASSES: tuple[LegClass, LegClass] = ("urban", "rural")
"""The classes of leg a profile has, in the order files and tables list them."""

MAX_MULTIPLIER = 5.0  # a leg five times the model's is a different road network, not traffic
MAX_OVERHEAD_MINUTES = 60.0


@dataclass(frozen=True)
class ClassTimes:
    """The calibration of one class of leg: ``multiplier × model + overhead_minutes``.

    Parameters
    ----------
    multiplier : float
        What the model's minutes are multiplied by (more than 0, at most 5).
    overhead_minutes : float
        Minutes added to every leg between two different places (parking, reaching the door;
        0 to 60).

    Examples
    --------
    >>> from carezones.network import ClassTimes
    >>> ClassTimes(1.3, 4.0).minutes(10.0)
    17.0
    """

    multiplier: float = 1.0
    overhead_minutes: float = 0.0

    def __post_init__(self) -> None:
        _as_floats(self, "multiplier", "overhead_minutes")

    def minutes(self, model: float) -> float:
        """Return a leg's calibrated minutes from the model's.

        Parameters
        ----------
        model : float
            The model's minutes of the leg.

        Returns
        -------
        float
            ``multiplier × model + overhead_minutes``.

        Examples
        --------
        >>> ClassTimes(1.2, 2.5).minutes(5.0)
        8.5
        """
        return self.multiplier * model + self.overhead_minutes


@dataclass(frozen=True)
class DensityRule:
    """Which places are urban: junctions per km² around them (see the module's notes).

    Parameters
    ----------
    radius_m : float, default 1000.0
        The radius around a place's road point the junctions are counted in.
    urban_junctions_per_km2 : float, default 100.0
        A place with at least this many junctions per square kilometre within ``radius_m`` is
        urban.

    Examples
    --------
    >>> from carezones.network import DensityRule
    >>> DensityRule().min_junctions  # 100 per km² over a circle of 1 km radius
    315
    """

    radius_m: float = 1000.0
    urban_junctions_per_km2: float = 100.0

    def __post_init__(self) -> None:
        _as_floats(self, "radius_m", "urban_junctions_per_km2")

    @property
    def min_junctions(self) -> int:
        """The fewest junctions within ``radius_m`` of an urban place.

        Examples
        --------
        >>> DensityRule(500, 10).min_junctions  # 10 per km² over 0.785 km²
        8
        """
        area_km2 = math.pi * (self.radius_m / 1000.0) ** 2
        return max(1, math.ceil(self.urban_junctions_per_km2 * area_km2 - 1e-9))

    def describe(self) -> str:
        """Return the rule in words.

        Returns
        -------
        str
            One line.

        Examples
        --------
        >>> DensityRule(1000, 10).describe()
        'urban: both ends with at least 10 road junctions per km² within 1,000 m'
        """
        return (
            f"urban: both ends with at least {self.urban_junctions_per_km2:g} road junctions "
            f"per km² within {self.radius_m:,.0f} m"
        )


AREAS_FILE = "urban-areas.geojson"
"""The file an :class:`AreaRule`'s urban units are written to, beside ``travel-profile.toml``."""


@dataclass(frozen=True)
class AreaRule:
    """Which places are urban: those in the urban units of a rural-urban classification.

    The units (output areas or LSOAs classed by the ONS rural-urban classification, read by
    :func:`carezones.io.read_rural_urban`) are joined into one urban area; a place in it is
    urban, any other place rural (a place outside every unit too: the units should cover the
    network). A leg is urban when both its ends are.

    Parameters
    ----------
    urban : shapely.Geometry
        The urban area (polygons, EPSG:4326 longitude/latitude). Its coordinates are kept to
        6 decimals (about 0.1 m), so that the file it is written to reads back the same.
    source : str, default ""
        The units file's name (never its path), for the record.
    column : str, default ""
        The classification's column in it (e.g. ``RUC21CD``).
    file : str, default "urban-areas.geojson"
        The file name the urban area is written to, beside the profile.

    Raises
    ------
    ConfigError
        When ``urban`` is not a non-empty polygon or multipolygon.

    Examples
    --------
    >>> import numpy as np, shapely
    >>> from carezones.network import AreaRule
    >>> rule = AreaRule(shapely.box(-0.8, 52.6, -0.7, 52.7), source="lsoa.gpkg", column="RUC21CD")
    >>> rule.urban_at(np.array([-0.75, -0.6]), np.array([52.65, 52.65]))
    array([ True, False])
    >>> rule.describe()
    'urban: both ends in an urban unit of the rural-urban classification (RUC21CD of lsoa.gpkg)'
    """

    urban: Any = field(compare=False, repr=False)
    source: str = ""
    column: str = ""
    file: str = AREAS_FILE
    sha256: str = field(init=False, default="")

    def __post_init__(self) -> None:
        geom = self.urban
        kind = shapely.get_type_id(geom) if isinstance(geom, shapely.Geometry) else -1
        if kind not in (3, 6) or shapely.is_empty(geom):
            raise ConfigError(
                [f"the urban area must be polygons, not {type(geom).__name__}"], "area rule"
            )
        name = Path(str(self.file)).name
        if name != self.file or not name.endswith(".geojson"):
            raise ConfigError(
                [f"the urban area's file must be a plain .geojson file name, not {self.file!r}"],
                "area rule",
            )
        rounded = shapely.transform(geom, lambda xy: np.round(xy, 6))
        shapely.prepare(rounded)
        object.__setattr__(self, "urban", rounded)
        object.__setattr__(self, "sha256", hashlib.sha256(self.geojson().encode()).hexdigest())

    def urban_at(self, lon: FloatArray, lat: FloatArray) -> BoolArray:
        """Return whether each place is in the urban area (its edge counts as in).

        Parameters
        ----------
        lon, lat : numpy.ndarray
            The places, in degrees.

        Returns
        -------
        numpy.ndarray of bool
            One per place.

        Examples
        --------
        >>> rule = AreaRule(shapely.box(0, 0, 1, 1))
        >>> rule.urban_at(np.array([0.5, 1.0, 2.0]), np.array([0.5, 0.5, 0.5]))
        array([ True,  True, False])
        """
        if not len(lon):
            return np.zeros(0, dtype=bool)
        return np.asarray(shapely.intersects_xy(self.urban, lon, lat), dtype=bool)

    def describe(self) -> str:
        """Return the rule in words.

        Returns
        -------
        str
            One line.

        Examples
        --------
        >>> AreaRule(shapely.box(0, 0, 1, 1), column="RUC11CD").describe()
        'urban: both ends in an urban unit of the rural-urban classification (RUC11CD)'
        """
        if self.column and self.source:
            where = f" ({self.column} of {self.source})"
        else:
            where = f" ({self.column or self.source})" if self.column or self.source else ""
        return f"urban: both ends in an urban unit of the rural-urban classification{where}"

    def geojson(self) -> str:
        """Return the urban area as the text of its GeoJSON file (one feature, 6 decimals).

        Returns
        -------
        str
            A GeoJSON FeatureCollection, the same text for the same area.

        Examples
        --------
        >>> AreaRule(shapely.box(0, 0, 1, 1)).geojson().split('"coordinates":')[1].strip()
        '[[[[1.000000,0.000000],[1.000000,1.000000],[0.000000,1.000000],[0.000000,0.000000],[1.000000,0.000000]]]]}}]}'
        """
        polygons = shapely.get_parts(self.urban)
        coords = [[_ring(p.exterior), *(_ring(r) for r in p.interiors)] for p in polygons]
        body = ",".join("[" + ",".join(rings) + "]" for rings in coords)
        props = json.dumps({"class": "urban", "source": self.source, "column": self.column})
        return (
            '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
            f'{props},"geometry":{{"type":"MultiPolygon","coordinates":[{body}]}}}}]}}\n'
        )

    @classmethod
    def from_units(cls, units: Any) -> AreaRule:
        """Return the rule of units classed by :func:`carezones.io.read_rural_urban`.

        Parameters
        ----------
        units : geopandas.GeoDataFrame
            Units with an ``urban`` column (EPSG:4326); ``attrs`` may name the ``source`` file
            and the ``column``.

        Returns
        -------
        AreaRule
            The urban units joined into one area.

        Raises
        ------
        ConfigError
            When no unit is urban (every leg would be rural: the density rule, or units of
            a wider area, would tell towns from villages).

        Examples
        --------
        >>> import geopandas as gpd, shapely
        >>> units = gpd.GeoDataFrame(
        ...     {"urban": [True, True, False]}, crs=4326,
        ...     geometry=[shapely.box(x, 0, x + 1, 1) for x in (0, 1, 2)])
        >>> AreaRule.from_units(units).urban.bounds
        (0.0, 0.0, 2.0, 1.0)
        """
        urban = units[units["urban"].to_numpy(dtype=bool)]
        if not len(urban):
            raise ConfigError(
                [
                    "no unit is urban: give units of the whole area (towns among them), or "
                    "class legs by road density instead"
                ],
                str(units.attrs.get("source", "units")),
            )
        area = shapely.union_all(urban.geometry.to_numpy())
        if isinstance(area, shapely.Polygon):
            area = shapely.MultiPolygon([area])
        return cls(
            area,
            source=str(units.attrs.get("source", "")),
            column=str(units.attrs.get("column", "")),
        )

    @classmethod
    def read(cls, path: PathLike, *, source: str = "", column: str = "") -> AreaRule:
        """Read an urban area written by :meth:`geojson` (or any GeoJSON of polygons).

        Parameters
        ----------
        path : str or os.PathLike
            The ``.geojson`` file.
        source, column : str
            The units file's name and classification column, for the record.

        Returns
        -------
        AreaRule
            The rule, its area the union of the file's polygons.

        Raises
        ------
        FileNotFoundError
            When there is no such file.
        ConfigError
            When it is not GeoJSON of polygons.

        Examples
        --------
        >>> import tempfile
        >>> rule = AreaRule(shapely.box(0, 0, 1, 1), source="units.gpkg", column="RUC21CD")
        >>> path = Path(tempfile.mkdtemp()) / rule.file
        >>> _ = path.write_text(rule.geojson(), encoding="utf-8")
        >>> AreaRule.read(path, source="units.gpkg", column="RUC21CD") == rule
        True
        """
        p = Path(os.fspath(path))
        if not p.is_file():
            raise FileNotFoundError(f"the urban area {p.name} is not there ({p})")
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
            feats = doc["features"] if doc.get("type") == "FeatureCollection" else [doc]
            geoms = [shapely.from_geojson(json.dumps(f.get("geometry", f))) for f in feats]
        except (ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException):
            raise ConfigError(
                [f"{p.name} is not GeoJSON of polygons: write it again with carezones calibrate"],
                "area rule",
            ) from None
        area = shapely.union_all([g for g in geoms if g is not None]) if geoms else None
        if isinstance(area, shapely.Polygon):
            area = shapely.MultiPolygon([area])
        return cls(area, source=source, column=column, file=p.name)


type UrbanRule = DensityRule | AreaRule
"""How a profile tells urban places from rural: by road density or by a classification."""


def _ring(ring: Any) -> str:
    """Return a ring's coordinates as GeoJSON text, 6 decimals."""
    xy = np.asarray(ring.coords)[:, :2]
    return "[" + ",".join(f"[{x:.6f},{y:.6f}]" for x, y in xy) + "]"


@dataclass(frozen=True)
class ProfileProvenance:
    """What a fitted profile was fitted on, and when.

    Parameters
    ----------
    source : str
        The visit log's file name (never its path).
    first_date, last_date : str
        The first and last date of the log (``YYYY-MM-DD``).
    legs : int
        Legs the profile was fitted on (the held-out dates' legs are not among them).
    urban_legs, rural_legs : int
        Of which urban and rural.
    fitted_at : str
        When it was fitted (ISO 8601, UTC).
    method : str
        The estimator, in a few words.

    Examples
    --------
    >>> from carezones.network import ProfileProvenance
    >>> ProfileProvenance("log.csv", "2025-01-06", "2025-01-31", 900, 600, 300).legs
    900
    """

    source: str = ""
    first_date: str = ""
    last_date: str = ""
    legs: int = 0
    urban_legs: int = 0
    rural_legs: int = 0
    fitted_at: str = ""
    method: str = ""


@dataclass(frozen=True)
class TravelProfile:
    """Drive times calibrated per class of leg (see the module's notes).

    Parameters
    ----------
    urban, rural : ClassTimes
        The multiplier and overhead of urban and of rural legs.
    rule : DensityRule or AreaRule, optional
        How a leg is classed (default :class:`DensityRule()`).
    name : str, default "profile"
        What reports call it.
    provenance : ProfileProvenance, optional
        What it was fitted on (``None`` for a profile written by hand).

    Raises
    ------
    ConfigError
        When a multiplier or overhead is out of range (every problem at once).

    See Also
    --------
    carezones.calibration.calibrate : Fit a profile on visit logs.
    carezones.RoadNetwork.with_profile : Apply one to a drive network.

    Examples
    --------
    >>> import numpy as np
    >>> from carezones.network import ClassTimes, TravelProfile
    >>> profile = TravelProfile(ClassTimes(1.3, 4.0), ClassTimes(1.1, 2.0), name="test")
    >>> model = np.array([[0.2, 10.0], [10.0, 0.2]])
    >>> urban = np.array([True, False])  # the first place is urban, the second rural
    >>> same = np.eye(2, dtype=bool)
    >>> profile.leg_minutes(model, urban, urban, same)
    array([[ 0., 13.],
           [13.,  0.]])
    """

    urban: ClassTimes = field(default_factory=ClassTimes)
    rural: ClassTimes = field(default_factory=ClassTimes)
    rule: UrbanRule = field(default_factory=DensityRule)
    name: str = "profile"
    provenance: ProfileProvenance | None = None

    def __post_init__(self) -> None:
        classes = {
            c: {"multiplier": t.multiplier, "overhead_minutes": t.overhead_minutes}
            for c, t in (("urban", self.urban), ("rural", self.rural))
        }
        problems = _check_times(classes)
        if isinstance(self.rule, DensityRule):
            problems += _check_rule(
                {
                    "radius_m": self.rule.radius_m,
                    "urban_junctions_per_km2": self.rule.urban_junctions_per_km2,
                }
            )
        elif not isinstance(self.rule, AreaRule):
            problems.append(f"rule must be a DensityRule or an AreaRule, not {self.rule!r}")
        if problems:
            raise ConfigError(problems, f"travel profile {self.name!r}")

    def times(self, leg_class: LegClass) -> ClassTimes:
        """Return the multiplier and overhead of a class of leg.

        Parameters
        ----------
        leg_class : {"urban", "rural"}
            The class.

        Returns
        -------
        ClassTimes
            Its calibration.

        Examples
        --------
        >>> TravelProfile(rural=ClassTimes(1.2, 3.0)).times("rural").overhead_minutes
        3.0
        """
        return self.urban if leg_class == "urban" else self.rural

    def leg_minutes(
        self,
        model: npt.ArrayLike,
        urban_from: npt.ArrayLike,
        urban_to: npt.ArrayLike,
        same: npt.ArrayLike | None = None,
    ) -> FloatArray:
        """Return calibrated minutes from the model's, for a matrix (or list) of legs.

        Parameters
        ----------
        model : array-like
            The model's minutes (``inf`` stays ``inf``).
        urban_from, urban_to : array-like of bool
            Whether each leg's start and end is urban, broadcast against ``model`` (for a
            matrix: ``urban_from[:, None]`` and ``urban_to[None, :]`` are taken when they are
            one-dimensional and ``model`` is not).
        same : array-like of bool, optional
            Legs from a place to the same place: 0 minutes.

        Returns
        -------
        numpy.ndarray
            Minutes, the shape of ``model``.

        Examples
        --------
        >>> profile = TravelProfile(ClassTimes(1.5, 2.0), ClassTimes(1.0, 1.0))
        >>> profile.leg_minutes([4.0, 4.0], [True, True], [True, False])
        array([8., 5.])
        """
        t = np.asarray(model, dtype=float)
        uf = np.asarray(urban_from, dtype=bool)
        ut = np.asarray(urban_to, dtype=bool)
        if t.ndim == 2 and uf.ndim == 1 and ut.ndim == 1:
            uf, ut = uf[:, None], ut[None, :]
        urban = uf & ut
        u, r = self.urban, self.rural
        out = np.where(
            urban, u.multiplier * t + u.overhead_minutes, r.multiplier * t + r.overhead_minutes
        )
        out = np.broadcast_to(out, t.shape).astype(float, copy=True)
        if same is not None:
            out[np.broadcast_to(np.asarray(same, dtype=bool), t.shape) & np.isfinite(t)] = 0.0
        return out

    def model_limit(self, limit: float) -> float:
        """Return the most model minutes a leg may take to be within ``limit`` calibrated ones.

        Parameters
        ----------
        limit : float
            Calibrated minutes.

        Returns
        -------
        float
            The largest ``(limit - overhead) / multiplier`` over the classes (may be
            negative: then only legs to the same place are within the limit).

        Examples
        --------
        >>> TravelProfile(ClassTimes(2.0, 4.0), ClassTimes(1.0, 1.0)).model_limit(10.0)
        9.0
        """
        return max((limit - t.overhead_minutes) / t.multiplier for t in (self.urban, self.rural))

    def describe(self) -> str:
        """Return the profile in one line.

        Returns
        -------
        str
            Its name and each class's calibration.

        Examples
        --------
        >>> TravelProfile(ClassTimes(1.3, 4.0), ClassTimes(1.1, 2.5), name="q1").describe()
        'q1: urban 1.30 × model + 4.0 min, rural 1.10 × model + 2.5 min'
        """
        parts = [
            f"{c} {t.multiplier:.2f} × model + {t.overhead_minutes:.1f} min"
            for c, t in (("urban", self.urban), ("rural", self.rural))
        ]
        return f"{self.name}: " + ", ".join(parts)

    # ------------------------------------------------------------------ the file
    @classmethod
    def load(cls, source: PathLike | Mapping[str, Any]) -> TravelProfile:
        """Read a profile from ``travel-profile.toml`` (or a dict in the same layout).

        Every problem of the file is reported at once.

        Parameters
        ----------
        source : str, os.PathLike or mapping
            The TOML file, or its contents as a dict.

        Returns
        -------
        TravelProfile
            The profile (named after the file when it has no ``name``).

        Raises
        ------
        FileNotFoundError
            When the file does not exist.
        ConfigError
            When the file is not valid TOML or a value is missing or out of range.

        Examples
        --------
        >>> profile = TravelProfile.load({"urban": {"multiplier": 1.3, "overhead_minutes": 4},
        ...                               "rural": {"multiplier": 1.1, "overhead_minutes": 2}})
        >>> profile.urban, profile.rule.radius_m
        (ClassTimes(multiplier=1.3, overhead_minutes=4.0), 1000.0)
        >>> TravelProfile.load({"urban": {"multiplier": 0}, "suburban": {}})
        Traceback (most recent call last):
        ...
        carezones.errors.ConfigError: travel profile: 4 problem(s):
          - unknown table [suburban]: a profile has [urban], [rural], [rule], [provenance] and name
          - [urban] multiplier must be more than 0 and at most 5, not 0
          - [urban] overhead_minutes is missing: give the minutes added to every leg (0 to 60)
          - [rural] is missing: give its multiplier and overhead_minutes
        """
        label = "travel profile"
        folder = Path.cwd()
        if isinstance(source, str | os.PathLike):
            from carezones.io import read_toml

            label = Path(source).name
            try:
                data: Mapping[str, Any] = read_toml(source)
            except ValueError as exc:
                raise ConfigError([f"{exc}; see TravelProfile.load for the layout"], label) from exc
            default_name = Path(source).stem
            folder = Path(source).parent
        elif isinstance(source, Mapping):
            data, default_name = source, "profile"
        else:
            raise TypeError(f"a travel profile is a TOML file or a dict, not {source!r}")
        return _parse(data, label, default_name, folder)

    def to_toml(self) -> str:
        """Return the profile as the text of ``travel-profile.toml``.

        Returns
        -------
        str
            TOML that :meth:`load` reads back into an equal profile.

        Examples
        --------
        >>> import tomllib
        >>> profile = TravelProfile(ClassTimes(1.3, 4.0), ClassTimes(1.1, 2.5), name="q1")
        >>> TravelProfile.load(tomllib.loads(profile.to_toml())) == profile
        True
        """
        lines = [
            "# carezones travel profile: a drive leg between two different places takes",
            "# multiplier x the road model's minutes + overhead_minutes (see carezones.network"
            ".profile)",
            f"name = {_toml_str(self.name)}",
        ]
        for c in CLASSES:
            t = self.times(c)
            lines += [
                "",
                f"[{c}]",
                f"multiplier = {_toml_float(t.multiplier)}",
                f"overhead_minutes = {_toml_float(t.overhead_minutes)}",
            ]
        lines += ["", "[rule]  # a leg is urban when both its ends are"]
        if isinstance(self.rule, AreaRule):
            lines += [
                f"areas = {_toml_str(self.rule.file)}  # next to this file",
                f"source = {_toml_str(self.rule.source)}",
                f"column = {_toml_str(self.rule.column)}",
                f"sha256 = {_toml_str(self.rule.sha256)}",
            ]
        else:
            lines += [
                f"radius_m = {_toml_float(self.rule.radius_m)}",
                f"urban_junctions_per_km2 = {_toml_float(self.rule.urban_junctions_per_km2)}",
            ]
        if self.provenance is not None:
            p = self.provenance
            lines += ["", "[provenance]"]
            for key in ("source", "first_date", "last_date"):
                lines.append(f"{key} = {_toml_str(getattr(p, key))}")
            for key in ("legs", "urban_legs", "rural_legs"):
                lines.append(f"{key} = {int(getattr(p, key))}")
            if p.fitted_at:
                lines.append(f"fitted_at = {_toml_str(p.fitted_at)}")
            lines.append(f"method = {_toml_str(p.method)}")
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------- same places
def same_places(
    a: FloatArray, b: FloatArray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return the pairs of rows of ``a`` and ``b`` that are the same place.

    Parameters
    ----------
    a, b : numpy.ndarray
        ``(n, k)`` and ``(m, k)`` place keys (rows compared whole, exactly).

    Returns
    -------
    i, j : numpy.ndarray
        Positions in ``a`` and ``b`` of every equal pair.

    Examples
    --------
    >>> a = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> same_places(a, np.array([[3.0, 4.0], [5.0, 6.0], [3.0, 4.0]]))
    (array([1, 1]), array([0, 2]))
    """
    if not len(a) or not len(b):
        e = np.zeros(0, dtype=np.int64)
        return e, e
    _, inv = np.unique(np.vstack([a, b]), axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    ka, kb = inv[: len(a)], inv[len(a) :]
    order = np.argsort(kb, kind="stable")
    lo = np.searchsorted(kb[order], ka, side="left")
    hi = np.searchsorted(kb[order], ka, side="right")
    counts = hi - lo
    i = np.repeat(np.arange(len(a), dtype=np.int64), counts)
    starts = np.repeat(lo, counts)
    offset = np.arange(len(i)) - np.repeat(np.cumsum(counts) - counts, counts)
    j = order[starts + offset].astype(np.int64)
    return i, j


def _as_floats(obj: object, *names: str) -> None:
    """Store a frozen dataclass's numbers as floats (text and the like are left to the checks)."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        ):
            object.__setattr__(obj, name, float(value))


# ---------------------------------------------------------------------- parsing and checks
_TOP = ("name", "urban", "rural", "rule", "provenance")


def _number(value: object) -> float | None:
    """Return a TOML number as a float (``None`` for anything else, booleans included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _check_times(classes: Mapping[str, Mapping[str, object]]) -> list[str]:
    """Problems with each class's multiplier and overhead."""
    probs: list[str] = []
    for c, times in classes.items():
        m = _number(times.get("multiplier"))
        o = _number(times.get("overhead_minutes"))
        if "multiplier" not in times:
            probs.append(
                f"[{c}] multiplier is missing: give what the model's minutes are multiplied by"
            )
        elif m is None or not math.isfinite(m) or not 0 < m <= MAX_MULTIPLIER:
            probs.append(
                f"[{c}] multiplier must be more than 0 and at most {MAX_MULTIPLIER:g}, not "
                f"{times['multiplier']!r}"
            )
        if "overhead_minutes" not in times:
            probs.append(
                f"[{c}] overhead_minutes is missing: give the minutes added to every leg "
                f"(0 to {MAX_OVERHEAD_MINUTES:g})"
            )
        elif o is None or not math.isfinite(o) or not 0 <= o <= MAX_OVERHEAD_MINUTES:
            probs.append(
                f"[{c}] overhead_minutes must be between 0 and {MAX_OVERHEAD_MINUTES:g}, not "
                f"{times['overhead_minutes']!r}"
            )
        for key in times:
            if key not in ("multiplier", "overhead_minutes"):
                probs.append(
                    f"[{c}] has an unknown key {key!r}: give multiplier and overhead_minutes"
                )
    return probs


def _check_rule(rule: Mapping[str, object]) -> list[str]:
    """Problems with the density rule."""
    probs: list[str] = []
    r = _number(rule.get("radius_m", 1000.0))
    d = _number(rule.get("urban_junctions_per_km2", 100.0))
    if r is None or not math.isfinite(r) or not 50 <= r <= 20_000:
        probs.append(
            f"[rule] radius_m must be between 50 and 20000 metres, not {rule.get('radius_m')!r}"
        )
    if d is None or not math.isfinite(d) or d <= 0:
        probs.append(
            "[rule] urban_junctions_per_km2 must be a number more than 0, not "
            f"{rule.get('urban_junctions_per_km2')!r}"
        )
    for key in rule:
        if key not in ("radius_m", "urban_junctions_per_km2"):
            probs.append(
                f"[rule] has an unknown key {key!r}: give radius_m and urban_junctions_per_km2"
            )
    return probs


_AREA_KEYS = ("areas", "source", "column", "sha256")


def _area_rule(rule: Mapping[str, object], folder: Path) -> tuple[AreaRule | None, list[str]]:
    """Read ``[rule]`` of a profile fitted on a rural-urban classification: its urban area."""
    probs = [
        f"[rule] has an unknown key {key!r}: give areas, source, column and sha256"
        for key in rule
        if key not in _AREA_KEYS
    ]
    texts = {k: rule.get(k, "") for k in _AREA_KEYS}
    for key, value in texts.items():
        if not isinstance(value, str):
            probs.append(f"[rule] {key} must be text, not {value!r}")
    if probs:
        return None, probs
    name = str(texts["areas"])
    path = folder / name
    if Path(name).name != name or not name.endswith(".geojson"):
        return None, [f"[rule] areas must be a .geojson file's name next to the profile: {name!r}"]
    if not path.is_file():
        return None, [
            f"[rule] areas: {name} is not next to the profile ({folder}): copy it with "
            "travel-profile.toml (carezones calibrate writes both)"
        ]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if texts["sha256"] and digest != texts["sha256"]:
        return None, [
            f"[rule] areas: {name} is not the file the profile was fitted with (its sha256 "
            "differs): put back the file written with it, or calibrate again"
        ]
    try:
        area = AreaRule.read(path, source=str(texts["source"]), column=str(texts["column"]))
    except ConfigError as exc:
        return None, [f"[rule] areas: {p}" for p in exc.problems]
    return area, []


def _parse(data: Mapping[str, Any], label: str, default_name: str, folder: Path) -> TravelProfile:
    """Build a profile from a TOML document, reporting every problem at once."""
    probs: list[str] = []
    for key in data:
        if key not in _TOP:
            probs.append(
                f"unknown table [{key}]: a profile has [urban], [rural], [rule], [provenance] "
                "and name"
            )
    classes: dict[str, Mapping[str, object]] = {}
    for c in CLASSES:
        table = data.get(c)
        if table is None:
            probs.append(f"[{c}] is missing: give its multiplier and overhead_minutes")
        elif not isinstance(table, Mapping):
            probs.append(f"[{c}] must be a table with multiplier and overhead_minutes")
        else:
            classes[c] = table
            probs += _check_times({c: table})
    rule = data.get("rule", {})
    if not isinstance(rule, Mapping):
        probs.append("[rule] must be a table with radius_m and urban_junctions_per_km2")
        rule = {}
    area: AreaRule | None = None
    if "areas" in rule:
        area, more = _area_rule(rule, folder)
        probs += more
    else:
        probs += _check_rule(rule)
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip():
        probs.append(f"name must be some text, not {name!r}")
    prov = data.get("provenance")
    provenance = None
    if prov is not None:
        provenance, more = _provenance(prov)
        probs += more
    if probs:
        raise ConfigError(probs, label)
    return TravelProfile(
        urban=_class_times(classes["urban"]),
        rural=_class_times(classes["rural"]),
        rule=area
        or DensityRule(
            float(rule.get("radius_m", 1000.0)), float(rule.get("urban_junctions_per_km2", 100.0))
        ),
        name=str(name).strip(),
        provenance=provenance,
    )


def _class_times(table: Mapping[str, object]) -> ClassTimes:
    """Return a checked class table as :class:`ClassTimes`."""
    m, o = _number(table["multiplier"]), _number(table["overhead_minutes"])
    assert m is not None and o is not None  # checked before
    return ClassTimes(m, o)


def _provenance(prov: object) -> tuple[ProfileProvenance | None, list[str]]:
    """Read ``[provenance]``: text fields and counts."""
    if not isinstance(prov, Mapping):
        return None, ["[provenance] must be a table"]
    probs: list[str] = []
    texts = ("source", "first_date", "last_date", "fitted_at", "method")
    counts = ("legs", "urban_legs", "rural_legs")
    values: dict[str, Any] = {}
    for key, value in prov.items():
        if key in texts:
            if not isinstance(value, str):
                probs.append(f"[provenance] {key} must be text, not {value!r}")
            values[key] = str(value)
        elif key in counts:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                probs.append(
                    f"[provenance] {key} must be a whole number of at least 0, not {value!r}"
                )
            else:
                values[key] = int(value)
        else:
            probs.append(f"[provenance] has an unknown key {key!r}")
    return ProfileProvenance(**values), probs


def _toml_str(text: str) -> str:
    """Return text as a TOML basic string."""
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(c if c >= " " or c == "\t" else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def _toml_float(value: float) -> str:
    """Return a float as TOML that reads back exactly."""
    text = repr(float(value))
    return text if any(ch in text for ch in ".en") else text + ".0"
