"""carezones: plan adult social care on real road networks.

The public API is small: read data with :func:`read_clients` / :func:`read_points`, load a
road network with :func:`load_network`, and query it (``snap``, ``travel_times``, ``nearest``,
``route``, ``isochrones``); split clients into home-care zones with :func:`build_zones`; plan
carers' rounds with :func:`plan_rounds` (a week with :func:`plan_week`); score candidate
care-home sites with :func:`score_sites`. :func:`make_synthetic_county` builds an offline
sample county.
"""

from carezones.errors import (
    CarezonesError,
    ConfigError,
    NetworkError,
    OfflineError,
    ValidationError,
    ZoneError,
)
from carezones.io import Collected, read_clients, read_points
from carezones.network import Provenance, RoadNetwork, Route, Snapped, load_network
from carezones.rounds import Rounds, Week, plan_rounds, plan_week, read_carers, read_visits
from carezones.sites import SiteConfig, SiteScores, score_sites
from carezones.speeds import SpeedModel
from carezones.synthetic import SyntheticCounty, clients_on_buildings, make_synthetic_county
from carezones.zones import ZonePlan, build_zones

__version__ = "0.1.0"

__all__ = [
    "CarezonesError",
    "Collected",
    "ConfigError",
    "NetworkError",
    "OfflineError",
    "Provenance",
    "RoadNetwork",
    "Rounds",
    "Route",
    "SiteConfig",
    "SiteScores",
    "Snapped",
    "SpeedModel",
    "SyntheticCounty",
    "ValidationError",
    "Week",
    "ZoneError",
    "ZonePlan",
    "__version__",
    "build_zones",
    "clients_on_buildings",
    "load_network",
    "make_synthetic_county",
    "plan_rounds",
    "plan_week",
    "read_carers",
    "read_clients",
    "read_points",
    "read_visits",
    "score_sites",
]
