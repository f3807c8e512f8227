"""carezones: plan adult social care on real road networks.

The public API is small: read data with :func:`read_clients` / :func:`read_points`, load a
road network with :func:`load_network`, and query it (``snap``, ``travel_times``, ``nearest``,
``route``, ``isochrones``); split clients into home-care zones with :func:`build_zones`; plan
carers' rounds with :func:`plan_rounds` (a week with :func:`plan_week`); score candidate
care-home sites with :func:`score_sites` and choose the set that together serves the demand best
with :func:`choose_sites`; judge zone designs by the rounds they produce with
:func:`plan_county` and :func:`compare_designs` (today's allocation, when not known, made by a
brokerage model over providers' offices with :func:`allocate_providers`, read by
:func:`read_providers`); calibrate drive times on a council's own visit
logs with :func:`calibrate` (read by :func:`read_visit_log`) into a :class:`TravelProfile`, which
``RoadNetwork.with_profile`` applies. :func:`make_synthetic_county` builds an offline sample
county.
"""

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
    ScoreOptions,
    SiteConfig,
    SiteInputs,
    SitePortfolio,
    SiteScores,
    choose_sites,
    score_sites,
)
from carezones.synthetic import SyntheticCounty, clients_on_buildings, make_synthetic_county
from carezones.zones import ZoneAreas, ZoneOptions, ZonePlan, build_zones

__version__ = "0.2.0"

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
