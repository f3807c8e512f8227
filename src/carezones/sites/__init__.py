"""Score candidate extra-care and supported-living sites by what residents and staff can reach.

A site's score (0-100) is a weighted mean of sub-scores, each between 0 and 1, minus an optional
rurality penalty:

- **Residents' walking access**, one sub-score per amenity category (food shop, GP surgery,
  pharmacy, bus stop or station, community and leisure, post office by default), from the walking
  minutes to the nearest amenity of that category over the walking network, at the walking speed
  of :class:`carezones.SpeedModel` (0.8 m/s by default, suited to older people).
- **Staff access** (when carers' homes are given): the mean, over carers, of a decay of the driving
  minutes from each carer's home to the site.
- **Demand** (when clients are given): weekly hours of care (or clients) within a driving time of
  the site, relative to the best place anywhere on the drive network.
- **Rurality** (when towns are known): points taken off for sites far from a town by road.

With a timetable (``SiteInputs(gtfs=)``, a GTFS feed) the bus-stop category is scored by how
often services leave the stops within its walk instead: Transport for London's PTAL access
index at each site (:mod:`carezones.sites.transport`), in proportion up to an index of 5.

Every time is an exact shortest path over the network, access legs from the site and from the
amenity to the road included; the nearest amenity of a category is found with one multi-source
search per category whatever the number of sites, and counts within reach with bounded searches
from the amenities.

The distance decay
------------------
Each criterion turns minutes ``t`` into a sub-score with the same piecewise-linear decay::

    s(t) = 1                              t <= full
    s(t) = (zero - t) / (zero - full)     full < t < zero
    s(t) = 0                              t >= zero

This is the shape Walk Score uses (full points within a short walk, falling to zero at a limit;
its exact curve is unpublished) and pandana's "linear" decay. The default walking thresholds
come from the UK's Chartered Institution of Highways & Transportation, *Guidelines for
Providing for Journeys on Foot* (2000), Table 3.2, whose suggested walking distances outside
town centres are 400 m "desirable", 800 m "acceptable" and 1,200 m "preferred maximum". At
0.8 m/s these are 8.3, 16.7 and 25 minutes: amenities score in full within 8 minutes' walk and
nothing from 25 minutes (a bus stop from 17 minutes, CIHT's acceptable distance, because a
stop is only useful if it is close). Drive thresholds for staff (10 and 30 minutes), the demand
radius (10 minutes) and the rural penalty (nothing within 10 minutes of a town, 10 points from
30 minutes) are planning assumptions, not standards: change them in the configuration.

Default weights (out of 100, rescaled over the criteria in use): food shop 15, GP surgery 15,
pharmacy 10, bus stop or station 15, community and leisure 10, post office 5, staff access 15,
demand 15. Food, health and transport come first because they are the daily and weekly needs
of people who no longer drive, and the council asks for sites near "shops, health, transport
and leisure amenities"; staff access and demand together weigh 30 because a scheme needs carers
who can reach it and residents who need it.

Modules
-------
``config``
    :class:`Category`, :class:`SiteConfig`: the categories, weights and thresholds, and their
    checks.
``criteria``
    How each criterion is computed over the networks, and the score that combines them.
``options``
    :class:`SiteInputs` (the networks, amenities and towns sites are scored against),
    :class:`ScoreOptions` and :class:`PortfolioOptions` (how sites are scored and chosen).
``result``
    :class:`SiteScores`: the ranked scores with their numbers and isochrones.
``score``
    :func:`score_sites`, the entry point; :func:`read_amenities` and :func:`read_towns`.
``transport``
    Transport access by timetable: :func:`~carezones.sites.transport.transport_access` (PTAL's
    access index and each site's best stop) and
    :func:`~carezones.sites.transport.stop_frequencies` (departures per hour at every stop).

Choosing a set of sites
-----------------------
:func:`choose_sites` chooses the ``k`` candidates that together serve the most demand within a
drive (maximal covering) or bring it closest (p-median), each meeting a minimum score, with
existing schemes counted as open, for today's demand and growth scenarios, or for the homes of
housing with care projected year by year (:func:`project_demand`).

``demand``
    Demand weights by scenario: growth factors by area and preferred areas.
``solver``
    The two models over plain arrays, exact with a proven bound otherwise.
``portfolio_model``
    The problem: travel times from sites to demand, who may be chosen, one solve per scenario.
``portfolio``
    :func:`choose_sites`: reads the inputs, solves each scenario.
``portfolio_tables``, ``portfolio_result``
    :class:`SitePortfolio`: the chosen sites, what each serves and adds, scenarios compared.
``projection``
    :func:`project_demand`: the homes of housing with care needed by year, from population
    projections and prevalence rates, spread over small areas (:class:`ProjectedDemand`, the
    demand and one growth scenario per year for :func:`choose_sites`).
``status``
    :class:`CandidateStatus`, :class:`DemandStatus`, :class:`SiteRole`: the ``status`` of each
    candidate, demand row and open site, for code to act on.

Maps, files and Jupyter cards of both results are drawn by :mod:`carezones.report.sites` and
:mod:`carezones.report.portfolio`.
"""

from carezones.errors import ConfigError
from carezones.sites.config import DEFAULT_CATEGORIES, Category, SiteConfig
from carezones.sites.criteria import decay
from carezones.sites.options import Objective, PortfolioOptions, ScoreOptions, SiteInputs
from carezones.sites.portfolio import choose_sites
from carezones.sites.portfolio_result import SitePortfolio
from carezones.sites.projection import ProjectedDemand, ProjectionOptions, project_demand
from carezones.sites.result import SiteScores
from carezones.sites.score import read_amenities, read_towns, score_sites
from carezones.sites.status import CandidateStatus, DemandStatus, SiteRole

__all__ = [
    "DEFAULT_CATEGORIES",
    "CandidateStatus",
    "Category",
    "ConfigError",
    "DemandStatus",
    "Objective",
    "PortfolioOptions",
    "ProjectedDemand",
    "ProjectionOptions",
    "ScoreOptions",
    "SiteConfig",
    "SiteInputs",
    "SitePortfolio",
    "SiteRole",
    "SiteScores",
    "choose_sites",
    "decay",
    "project_demand",
    "read_amenities",
    "read_towns",
    "score_sites",
]
