"""How a county run is made: its options, and the real data it may take instead of a model.

:class:`CountyOptions` holds what :func:`~carezones.plan_county`,
:func:`~carezones.county.plan_designs` and :func:`~carezones.compare_designs` take besides their
data: the search, the seed, how hours become calls and teams are sized, stated rates and
emission factor, where the days run, and whether the providers' own rounds maps are wanted.
:class:`CountyInputs` holds the real data a run may use instead of what it models: a real day's
visits, real shifts, and where carers may live. Both check every value when made and never
change afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.county.costs import TravelRates
from carezones.county.day import LET_GO
from carezones.county.demand import CarePattern
from carezones.county.teams import TeamRule
from carezones.errors import ArgumentError, check_integer, check_number
from carezones.parallel import check_workers

__all__ = ["CountyInputs", "CountyOptions"]


@dataclass(frozen=True)
class CountyOptions:
    """How a county run plans its days and states its numbers.

    Parameters
    ----------
    iterations : int, default 1500
        Search iterations per solve (an iteration limit: the same plan on every machine and
        with any number of workers).
    seed : int, default 0
        The run's seed (of the zones designed and of every day).
    tolerance : float, default 0.05
        The balance tolerance of the zones :func:`~carezones.compare_designs` designs.
    pattern : CarePattern, optional
        How weekly hours become a day's calls (default :class:`CarePattern()`).
    rule : TeamRule, optional
        How teams are sized (default :class:`TeamRule()`).
    rates : TravelRates, optional
        Stated rates: each design's travel cost per hour of care (none without rates).
    co2_kg_per_km : float, optional
        An emission factor (kg CO2e per km): CO2 is reported only with a stated factor.
    workers : int, optional
        Local Dask workers (default one per core; 1: in this process); at most
        :func:`~carezones.parallel.max_workers` (a core and 1 GB of memory each) without a
        ``client``.
    client : dask.distributed.Client or str, optional
        Run on an existing cluster (or scheduler address) instead of a local one.
    rounds_maps : bool, default False
        Keep each zone's rounds whole (their legs along the roads) so that the report can map
        them for the providers; otherwise each day sends back only what the report needs.
    days : int, default 1
        Days planned: each a different draw of every client's calls from the weekly hours
        (the first with ``seed``, the others with seeds made from it and the day's number)
        and different search seeds. Every KPI is then the mean over the days, with the lowest
        and highest day. A real day's visits are one day: ``days`` must then be 1.
    let_go : float, default 0.25
        The share of each team tried when counting the carers from the rounds: the lightest
        carers go one at a time when the others' rounds can take their visits (0: the team
        planned works whole; see :mod:`carezones.county.day`).

    Raises
    ------
    ArgumentError
        When an option is not a value it can take.

    Examples
    --------
    >>> CountyOptions(iterations=50, workers=1).rule.utilisation
    0.8
    >>> CountyOptions(iterations=0)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: iterations must be a whole number of at least 1, not 0
    """

    iterations: int = 1500
    seed: int = 0
    tolerance: float = 0.05
    pattern: CarePattern = field(default_factory=CarePattern)
    rule: TeamRule = field(default_factory=TeamRule)
    rates: TravelRates | None = None
    co2_kg_per_km: float | None = None
    workers: int | None = None
    client: Any = None
    rounds_maps: bool = False
    days: int = 1
    let_go: float = LET_GO

    def __post_init__(self) -> None:
        checked: dict[str, Any] = {
            "iterations": check_integer("iterations", self.iterations, minimum=1),
            "seed": check_integer("seed", self.seed, minimum=0),
            "tolerance": check_number("tolerance", self.tolerance, minimum=0),
            "co2_kg_per_km": None
            if self.co2_kg_per_km is None
            else check_number("co2_kg_per_km", self.co2_kg_per_km, minimum=0),
            "workers": None
            if self.workers is None
            else check_workers(self.workers)
            if self.client is None  # a local cluster: no more than this machine runs
            else check_integer("workers", self.workers, minimum=1),
            "pattern": self.pattern or CarePattern(),
            "rule": self.rule or TeamRule(),
            "rounds_maps": bool(self.rounds_maps),
            "days": check_integer("days", self.days, minimum=1),
            "let_go": check_number("let_go", self.let_go, minimum=0, maximum=1),
        }
        if self.rates is not None and not isinstance(self.rates, TravelRates):
            raise ArgumentError(f"rates must be a TravelRates, not {type(self.rates).__name__}")
        for name, value in checked.items():
            object.__setattr__(self, name, value)


@dataclass(frozen=True)
class CountyInputs:
    """Real data a county run uses instead of what it models.

    Parameters
    ----------
    visits : pandas.DataFrame, optional
        A real day's visits (from :func:`carezones.read_visits`, joined to the clients by
        ``client_id``) instead of visits made from the weekly hours.
    carers : pandas.DataFrame, optional
        Real shifts (from :func:`carezones.read_carers`) with a ``zone`` column naming each
        shift's zone or provider, instead of teams sized by the rule.
    homes : array-like, optional
        Where carers may live, ``(n, 2)`` lon/lat: residential buildings (e.g. the network's
        homes, ``network.buildings.homes``) or the carers' own homes. Default:
        road junctions. Never used to draw zones.

    Examples
    --------
    >>> CountyInputs(homes=[[1.55, 54.39], [1.56, 54.38]]).homes.shape
    (2, 2)
    """

    visits: pd.DataFrame | None = None
    carers: pd.DataFrame | None = None
    homes: npt.NDArray[np.float64] | None = None

    def __post_init__(self) -> None:
        if self.homes is not None:
            homes = np.asarray(self.homes, dtype=float).reshape(-1, 2)
            object.__setattr__(self, "homes", homes)
        if self.carers is not None and "zone" not in self.carers.columns:
            raise ArgumentError(
                "carers for a county plan need a 'zone' column naming each shift's zone"
            )
