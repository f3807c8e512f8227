"""carezones: plan adult social care on real road networks.

The public API is small: read data with :func:`read_clients` / :func:`read_points`, load a road
network with :func:`load_network`, and query it (``snap``, ``travel_times``, ``nearest``,
``route``, ``isochrones``); split clients into home-care zones with :func:`build_zones`; plan
carers' rounds with :func:`plan_rounds` (a week with :func:`plan_week`); score candidate
care-home sites with :func:`score_sites` and choose the set that together serves the demand best
with :func:`choose_sites` (the homes of housing with care needed year by year projected from
population forecasts with :func:`project_demand`); judge zone designs by the rounds they produce
with :func:`plan_county` and :func:`compare_designs` (today's allocation, when not known, made
by a brokerage model over providers' offices with :func:`allocate_providers`, read by
:func:`read_providers`); calibrate drive times on a council's own visit logs with
:func:`calibrate` (read by :func:`read_visit_log`) into a :class:`TravelProfile`, which
``RoadNetwork.with_profile`` applies. :func:`make_synthetic_county` builds an offline sample
county.

The names are loaded when first used (``carezones.build_zones`` imports the zones' code then),
so that ``import carezones`` is quick and the command line can answer Ctrl-C at any moment.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from carezones.calibration import Calibration, CalibrationOptions, calibrate
    from carezones.county import (
        Allocation,
        BrokerageOptions,
        Comparison,
        CountyInputs,
        CountyOptions,
        CountyPlan,
        TravelRates,
        allocate_providers,
        compare_designs,
        plan_county,
        visits_from_hours,
    )
    from carezones.errors import (
        CarezonesError,
        ConfigError,
        NetworkError,
        OfflineError,
        ValidationError,
        ZoneError,
    )
    from carezones.io import (
        Collected,
        ReadOptions,
        read_clients,
        read_points,
        read_providers,
        read_visit_log,
    )
    from carezones.network import (
        Buildings,
        Provenance,
        RoadNetwork,
        Route,
        Snapped,
        TravelProfile,
        load_network,
    )
    from carezones.network.speeds import SpeedModel
    from carezones.rounds import (
        Rounds,
        RoundsOptions,
        Week,
        WeekOptions,
        plan_rounds,
        plan_week,
        read_carers,
        read_visits,
        replan_rounds,
    )
    from carezones.sites import (
        PortfolioOptions,
        ProjectedDemand,
        ProjectionOptions,
        ScoreOptions,
        SiteConfig,
        SiteInputs,
        SitePortfolio,
        SiteScores,
        choose_sites,
        project_demand,
        score_sites,
    )
    from carezones.synthetic import SyntheticCounty, clients_on_buildings, make_synthetic_county
    from carezones.zones import ZoneAreas, ZoneOptions, ZonePlan, build_zones

__version__ = "0.2.0.dev0"  # 0.2.0 once tagged (CHANGELOG.md: "0.2.0 (unreleased)")

__all__ = [
    "Allocation",
    "BrokerageOptions",
    "Buildings",
    "Calibration",
    "CalibrationOptions",
    "CarezonesError",
    "Collected",
    "Comparison",
    "ConfigError",
    "CountyInputs",
    "CountyOptions",
    "CountyPlan",
    "NetworkError",
    "OfflineError",
    "PortfolioOptions",
    "ProjectedDemand",
    "ProjectionOptions",
    "Provenance",
    "ReadOptions",
    "RoadNetwork",
    "Rounds",
    "RoundsOptions",
    "Route",
    "ScoreOptions",
    "SiteConfig",
    "SiteInputs",
    "SitePortfolio",
    "SiteScores",
    "Snapped",
    "SpeedModel",
    "SyntheticCounty",
    "TravelProfile",
    "TravelRates",
    "ValidationError",
    "Week",
    "WeekOptions",
    "ZoneAreas",
    "ZoneError",
    "ZoneOptions",
    "ZonePlan",
    "__version__",
    "allocate_providers",
    "build_zones",
    "calibrate",
    "choose_sites",
    "clients_on_buildings",
    "compare_designs",
    "load_network",
    "make_synthetic_county",
    "plan_county",
    "plan_rounds",
    "plan_week",
    "project_demand",
    "read_carers",
    "read_clients",
    "read_points",
    "read_providers",
    "read_visit_log",
    "read_visits",
    "replan_rounds",
    "score_sites",
    "visits_from_hours",
]

_HOMES: dict[str, str] = {
    "Calibration": "carezones.calibration",
    "CalibrationOptions": "carezones.calibration",
    "calibrate": "carezones.calibration",
    "Allocation": "carezones.county",
    "BrokerageOptions": "carezones.county",
    "allocate_providers": "carezones.county",
    "Comparison": "carezones.county",
    "CountyInputs": "carezones.county",
    "CountyOptions": "carezones.county",
    "CountyPlan": "carezones.county",
    "TravelRates": "carezones.county",
    "compare_designs": "carezones.county",
    "plan_county": "carezones.county",
    "visits_from_hours": "carezones.county",
    "CarezonesError": "carezones.errors",
    "ConfigError": "carezones.errors",
    "NetworkError": "carezones.errors",
    "OfflineError": "carezones.errors",
    "ValidationError": "carezones.errors",
    "ZoneError": "carezones.errors",
    "Collected": "carezones.io",
    "ReadOptions": "carezones.io",
    "read_clients": "carezones.io",
    "read_points": "carezones.io",
    "read_providers": "carezones.io",
    "read_visit_log": "carezones.io",
    "Buildings": "carezones.network",
    "Provenance": "carezones.network",
    "RoadNetwork": "carezones.network",
    "Route": "carezones.network",
    "Snapped": "carezones.network",
    "TravelProfile": "carezones.network",
    "load_network": "carezones.network",
    "SpeedModel": "carezones.network.speeds",
    "Rounds": "carezones.rounds",
    "RoundsOptions": "carezones.rounds",
    "Week": "carezones.rounds",
    "WeekOptions": "carezones.rounds",
    "plan_rounds": "carezones.rounds",
    "plan_week": "carezones.rounds",
    "read_carers": "carezones.rounds",
    "read_visits": "carezones.rounds",
    "replan_rounds": "carezones.rounds",
    "PortfolioOptions": "carezones.sites",
    "ProjectedDemand": "carezones.sites",
    "ProjectionOptions": "carezones.sites",
    "ScoreOptions": "carezones.sites",
    "SiteConfig": "carezones.sites",
    "SiteInputs": "carezones.sites",
    "SitePortfolio": "carezones.sites",
    "SiteScores": "carezones.sites",
    "choose_sites": "carezones.sites",
    "project_demand": "carezones.sites",
    "score_sites": "carezones.sites",
    "SyntheticCounty": "carezones.synthetic",
    "clients_on_buildings": "carezones.synthetic",
    "make_synthetic_county": "carezones.synthetic",
    "ZoneAreas": "carezones.zones",
    "ZoneOptions": "carezones.zones",
    "ZonePlan": "carezones.zones",
    "build_zones": "carezones.zones",
}
"""Each public name's module."""


def __getattr__(name: str) -> object:
    """Load a public name (or a subpackage) when first used."""
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value
        return value
    if name.startswith("__"):  # probes such as __wrapped__: not a subpackage
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{__name__}.{name}":
            raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    """Return the module's names, the public ones not loaded yet among them."""
    return sorted(set(globals()) | set(__all__))
