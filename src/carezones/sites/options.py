"""What scoring and choosing sites take besides their data, checked once.

:class:`SiteInputs` is what :func:`~carezones.sites.score_sites` scores the sites against: the
walking and drive networks, the amenities and the towns, read from an OSM file unless given.
:class:`ScoreOptions` holds how the sites are scored; :class:`PortfolioOptions` how
:func:`~carezones.sites.choose_sites` chooses a set of them (:class:`Objective`: by coverage or
by the p-median). The options check every value when made (an
:class:`~carezones.errors.ArgumentError` naming the option) and never change afterwards;
:func:`dataclasses.replace` makes a variant.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, check_number
from carezones.io.gtfs import TransitDay
from carezones.sites.config import SiteConfig
from carezones.sites.transport import DEFAULT_BAND, MORNING_PEAK, TimeBand, TransportOptions

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io import PathLike
    from carezones.network import RoadNetwork

__all__ = [
    "ConfigLike",
    "GrowthLike",
    "Objective",
    "PointsLike",
    "PortfolioOptions",
    "PreferredLike",
    "ScoreOptions",
    "SiteInputs",
    "SitesLike",
]

type SitesLike = gpd.GeoDataFrame | pd.DataFrame | PathLike
"""Sites: points or polygons in a GeoDataFrame (any CRS), or a table or file of points."""

type PointsLike = gpd.GeoDataFrame | pd.DataFrame | PathLike | npt.NDArray[np.float64]
"""People's points (clients, carers, demand): a table or file, or an ``(n, 2)`` lon/lat array."""

type ConfigLike = SiteConfig | Mapping[str, object] | PathLike
"""A score configuration: a :class:`SiteConfig`, a dict or a TOML file (:meth:`SiteConfig.load`)."""

type GrowthLike = pd.DataFrame | PathLike | Mapping[str, float | Mapping[str, float]]
"""Growth factors by area and scenario (see :func:`~carezones.sites.demand.scenario_weights`)."""

type PreferredLike = Mapping[str, float] | list[str] | tuple[str, ...] | str | gpd.GeoDataFrame
"""Preferred areas: area codes (a list, or a mapping to their weights) or polygons."""


@dataclass(frozen=True, eq=False)
class SiteInputs:
    """What sites are scored against: the networks, the amenities and the towns.

    Anything not given is read from ``osm`` when it is needed (the walking network when an
    amenity category has a weight; the drive network when there are carers, clients or a rural
    penalty; amenities and towns).

    Parameters
    ----------
    osm : str or os.PathLike, optional
        An OSM file (``.osm.pbf``, ``.osm`` or ``.osm.xml``).
    walk, drive : RoadNetwork, optional
        The networks (``load_network(osm, "walk")`` / ``"drive"``).
    amenities : geopandas.GeoDataFrame, optional
        Your own amenities instead of OSM's: a ``category`` column naming a configured
        category, optional ``name``; points or polygons. A category with none scores 0 and
        says so. With a ``capacity`` column (e.g. patients a surgery can take) and clients,
        each site also gets ``<category>_capacity_per_demand``: the enhanced two-step
        floating catchment (Luo & Qi 2009) over the walking network, with the category's
        decay as weights and the clients' hours as demand. It is reported beside the score,
        not in it.
    towns : geopandas.GeoDataFrame, optional
        Town points with a ``name`` for the rural penalty (default: OSM ``place`` nodes).
    gtfs : TransitDay, str or os.PathLike, optional
        A timetable: a GTFS feed (zip or folder, read with :func:`carezones.io.read_gtfs` on
        the options' ``gtfs_date``, its stops checked against the walking network's area) or
        a day of one already read. The ``transport`` category is then scored by PTAL's access
        index at each site (:mod:`carezones.sites.transport`) instead of the walk to the
        nearest OSM stop.

    Raises
    ------
    ArgumentError
        When a network is not a :class:`~carezones.RoadNetwork` or the networks' modes are
        swapped.

    Examples
    --------
    >>> from carezones.sites import SiteInputs
    >>> SiteInputs(osm=county.osm_path).walk is None
    True
    """

    osm: PathLike | None = None
    walk: RoadNetwork | None = None
    drive: RoadNetwork | None = None
    amenities: gpd.GeoDataFrame | None = None
    towns: gpd.GeoDataFrame | None = None
    gtfs: TransitDay | PathLike | None = None

    def __post_init__(self) -> None:
        from carezones.network import RoadNetwork

        for name in ("walk", "drive"):
            net = getattr(self, name)
            if net is not None and not isinstance(net, RoadNetwork):
                raise ArgumentError(
                    f"{name} must be a RoadNetwork (load_network), not {type(net).__name__}"
                )
        if self.osm is not None and not isinstance(self.osm, str | os.PathLike):
            raise ArgumentError(f"osm must be the path of an OSM file, not {self.osm!r}")
        if self.gtfs is not None and not isinstance(self.gtfs, TransitDay | str | os.PathLike):
            raise ArgumentError(
                f"gtfs must be a GTFS feed's path or read_gtfs's result, not {self.gtfs!r}"
            )

    @classmethod
    def of(cls, inputs: SiteInputs | PathLike) -> SiteInputs:
        """Return ``inputs`` as :class:`SiteInputs` (a path: its OSM file).

        Parameters
        ----------
        inputs : SiteInputs, str or os.PathLike
            The inputs, or an OSM file.

        Returns
        -------
        SiteInputs
            The inputs.

        Examples
        --------
        >>> SiteInputs.of("county.osm.pbf").osm
        'county.osm.pbf'
        """
        return inputs if isinstance(inputs, SiteInputs) else cls(osm=inputs)


@dataclass(frozen=True)
class ScoreOptions:
    """How :func:`~carezones.sites.score_sites` scores: the clients' hours, the surface.

    Parameters
    ----------
    hours_column : str or None, default "hours_per_week"
        The clients' column of hours a week (``None``, or a column they lack: each client
        counts 1).
    surface : bool, default False
        Also score every junction of the walking network (:attr:`SiteScores.surface`).
    gtfs_date : datetime.date or str, optional
        The day of the timetable (``SiteInputs(gtfs=)`` given as a path) that is scored,
        ``"2025-01-07"``; default: a representative weekday (:func:`carezones.io.read_gtfs`).
    time_band : TimeBand or str, default "07:00-19:00"
        The band of the timetable's access index and best stop.
    peak_band : TimeBand, str or None, default "07:00-10:00"
        A second band, the morning peak (its own index, ``transport_access_index_peak``), or
        ``None``.

    Raises
    ------
    ArgumentError
        When an option is not a value it can take.

    Examples
    --------
    >>> from carezones.sites import ScoreOptions
    >>> ScoreOptions(surface=True).hours_column
    'hours_per_week'
    >>> ScoreOptions(time_band="08:00-18:00").time_band
    TimeBand(start_minutes=480.0, end_minutes=1080.0)
    """

    hours_column: str | None = "hours_per_week"
    surface: bool = False
    gtfs_date: dt.date | str | None = None
    time_band: TimeBand | str = DEFAULT_BAND
    peak_band: TimeBand | str | None = MORNING_PEAK

    def __post_init__(self) -> None:
        if self.hours_column is not None and not isinstance(self.hours_column, str):
            raise ArgumentError(
                f"hours_column must be a column name or None, not {self.hours_column!r}"
            )
        object.__setattr__(self, "surface", bool(self.surface))
        object.__setattr__(self, "time_band", TimeBand.parse(self.time_band))
        if self.peak_band is not None:
            object.__setattr__(self, "peak_band", TimeBand.parse(self.peak_band))
        if self.gtfs_date is not None and not isinstance(self.gtfs_date, dt.date | str):
            raise ArgumentError(
                f"gtfs_date must be a date such as 2025-01-07, not {self.gtfs_date!r}"
            )

    def transport(self, walk_minutes: float) -> TransportOptions:
        """Return how the timetable's access is measured: these bands and a walk limit.

        Parameters
        ----------
        walk_minutes : float
            The walk limit (the ``transport`` category's ``zero_minutes``).

        Returns
        -------
        TransportOptions
            The options of :func:`~carezones.sites.transport.transport_access`.

        Examples
        --------
        >>> ScoreOptions(peak_band=None).transport(17).bands
        (TimeBand(start_minutes=420.0, end_minutes=1140.0),)
        """
        return TransportOptions(walk_minutes, self.time_band, self.peak_band)


class Objective(StrEnum):
    """What a set of sites is chosen for (the ``objective`` of :class:`PortfolioOptions`)."""

    COVERAGE = "coverage"
    """Maximal covering: the most demand within the minutes of an open site."""
    P_MEDIAN = "p-median"
    """The p-median: the least demand-weighted minutes to the nearest open site."""


_OBJECTIVES = {
    "coverage": Objective.COVERAGE,
    "covering": Objective.COVERAGE,
    "mclp": Objective.COVERAGE,
    "p-median": Objective.P_MEDIAN,
    "p_median": Objective.P_MEDIAN,
    "pmedian": Objective.P_MEDIAN,
    "median": Objective.P_MEDIAN,
}


@dataclass(frozen=True)
class PortfolioOptions:
    """How :func:`~carezones.sites.choose_sites` chooses a set of sites.

    Parameters
    ----------
    objective : Objective or str, default "coverage"
        Maximise the demand within ``minutes`` of an open site (``"coverage"``), or minimise
        the demand-weighted minutes to the nearest open site (``"p-median"``).
    minutes : float, default 15
        The travel time within which demand counts as covered (reported for both objectives).
    mode : {"drive", "walk"}, optional
        The mode when the network is given as a file (default drive).
    min_score : float, optional
        Each chosen site must score at least this (0-100). Candidates without a ``score`` are
        scored with :func:`~carezones.sites.score_sites` on the network's OSM file and
        ``score_config``.
    score_config : SiteConfig, dict or TOML path, optional
        The score configuration for scoring candidates (:meth:`SiteConfig.load`).
    plan_for : str, optional
        The scenario the answer is chosen for: ``"now"``, a growth scenario, or ``"all"`` (the
        set best on average over every scenario). Default: the last growth scenario (the
        demand to come), else ``"now"``.
    preferred_weight : float, default 1.5
        The multiplier of preferred areas' demand when they have none of their own.
    time_limit : float, default 60
        Seconds the solver may spend on each scenario's proof of optimality; past it, the best
        set found is returned with a proven bound (and the answer may depend on the machine's
        speed).
    max_outside_km : float, default 2
        How far outside the network's area demand may lie before it is refused.

    Raises
    ------
    ArgumentError
        When an option is not a value it can take.
    ConfigError
        When ``score_config`` is not a valid configuration.

    Examples
    --------
    >>> from carezones.sites import PortfolioOptions
    >>> PortfolioOptions(objective="median").objective
    <Objective.P_MEDIAN: 'p-median'>
    >>> PortfolioOptions(min_score=120)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: min_score must be a number >= 0 and <= 100, not 120
    """

    objective: Objective | str = Objective.COVERAGE
    minutes: float = 15.0
    mode: str | None = None
    min_score: float | None = None
    score_config: ConfigLike | None = None
    plan_for: str | None = None
    preferred_weight: float = 1.5
    time_limit: float = 60.0
    max_outside_km: float = 2.0

    def __post_init__(self) -> None:
        key = str(self.objective).strip().lower()
        if key not in _OBJECTIVES:
            raise ArgumentError(
                f"objective must be 'coverage' or 'p-median', not {self.objective!r}"
            )
        if self.mode is not None and self.mode not in ("drive", "walk"):
            raise ArgumentError(f"mode must be 'drive' or 'walk', not {self.mode!r}")
        if self.plan_for is not None and not isinstance(self.plan_for, str):
            raise ArgumentError(f"plan_for must be a scenario's name, not {self.plan_for!r}")
        checked = {
            "objective": _OBJECTIVES[key],
            "minutes": check_number("minutes", self.minutes, minimum=0, above=True),
            "min_score": None
            if self.min_score is None
            else check_number("min_score", self.min_score, minimum=0, maximum=100),
            "score_config": None
            if self.score_config is None
            else SiteConfig.load(self.score_config),
            "preferred_weight": check_number(
                "preferred_weight", self.preferred_weight, minimum=0, above=True
            ),
            "time_limit": check_number("time_limit", self.time_limit, minimum=0, above=True),
            "max_outside_km": check_number("max_outside_km", self.max_outside_km, minimum=0),
        }
        for name, value in checked.items():  # numbers as numbers (a frozen class: set once)
            object.__setattr__(self, name, value)
