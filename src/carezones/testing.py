"""Shared examples for tests and notebooks: the tiny synthetic county and a result of each kind.

Like ``geopandas.testing``, this is a public helper for anyone testing code built on carezones.
Each function makes its object once per process (the tiny county takes about a second; the
results a second or two each) and returns the same object on every later call, so a test
session builds the county, its network and each result once, whatever the number of tests that
use them. Results are immutable, so sharing them is safe; tables inside them are not copied, so
a test that wants to change one takes a copy first.

``county``
    :func:`carezones.make_synthetic_county` (``size="tiny"``, ``seed=0``) in a temporary folder.
``net``
    Its drive network, ``carezones.load_network(county.osm_path, engine="builtin")``.
``clients``
    Its clients, ``carezones.read_clients(county.clients_path, area=net)``.
``plan``
    A county plan of twelve of them by town.
``comparison``
    Twelve clients by town compared with two carezones zones.
``zone_plan``
    Two zones of its clients.
``rounds``
    A day's rounds: :func:`carezones.synthetic.example_day` for eight clients and three carers
    living among them, planned with an iteration limit.
``week``
    Two days of the same kind (six clients, three carers).
``scores``
    Five of the clients' homes scored as sites.
``portfolio``
    The best two of them for the clients.
``projected``
    The homes of housing with care projected for 2030 and 2038 over its small areas, from its
    SYNTHETIC projection and ILLUSTRATIVE rates
    (:func:`carezones.synthetic.write_projection_example`).
``calibration``
    A travel profile calibrated on a synthetic visit log of the county (30 dates; true urban
    legs 1.4 × model + 4 min, rural 1.2 × model + 2.5 min; urban: 10 junctions per km²).
``offices``
    Its four providers' offices, ``carezones.read_providers(county.providers_path, area=net)``.
``allocation``
    Its clients brokered to them by the gravity model (20 minutes' decay, seed 0).

SYNTHETIC DATA: an invented county, not a real place. The network cache goes where
``CAREZONES_CACHE`` points (tests point it at a temporary folder).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt

from carezones import (
    Calibration,
    CalibrationOptions,
    Comparison,
    CountyOptions,
    CountyPlan,
    ProjectedDemand,
    RoadNetwork,
    Rounds,
    RoundsOptions,
    SitePortfolio,
    SiteScores,
    SyntheticCounty,
    Week,
    WeekOptions,
    ZonePlan,
    build_zones,
    calibrate,
    choose_sites,
    compare_designs,
    load_network,
    make_synthetic_county,
    plan_county,
    plan_rounds,
    plan_week,
    project_demand,
    read_carers,
    read_clients,
    read_visit_log,
    read_visits,
    score_sites,
)
from carezones.county import Allocation, allocate_providers
from carezones.io import read_providers
from carezones.network import ClassTimes, DensityRule, TravelProfile
from carezones.synthetic import (
    LogOptions,
    example_day,
    example_week,
    visit_log,
    write_projection_example,
)

__all__ = [
    "EXAMPLES",
    "TRUTH",
    "allocation",
    "calibration",
    "clients",
    "comparison",
    "county",
    "net",
    "offices",
    "plan",
    "points",
    "portfolio",
    "projected",
    "rounds",
    "scores",
    "week",
    "zone_plan",
]


@functools.cache
def county() -> SyntheticCounty:
    """Return the tiny synthetic county (made once, in a temporary folder).

    Returns
    -------
    SyntheticCounty
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.county().osm_path.name
    'synthetic-county-tiny-seed0.osm'
    """
    return make_synthetic_county(tempfile.mkdtemp(prefix="carezones-tiny-"), size="tiny")


@functools.cache
def net() -> RoadNetwork:
    """Return the tiny county's drive network (the built-in engine).

    Returns
    -------
    RoadNetwork
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.net().engine
    'builtin'
    """
    return load_network(county().osm_path, engine="builtin")


@functools.cache
def clients() -> gpd.GeoDataFrame:
    """Return the tiny county's clients, read and checked against its network.

    Returns
    -------
    geopandas.GeoDataFrame
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> len(testing.clients())
    60
    """
    return read_clients(county().clients_path, area=net())


def points() -> npt.NDArray[np.float64]:
    """Return the clients' homes as an ``(n, 2)`` lon/lat array.

    Returns
    -------
    numpy.ndarray
        ``(n, 2)`` longitudes and latitudes.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.points().shape
    (60, 2)
    """
    return np.asarray(clients().get_coordinates().to_numpy(), dtype=float)


@functools.cache
def plan() -> CountyPlan:
    """Return a county plan of twelve clients by town.

    Returns
    -------
    CountyPlan
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.plan().kpis["visits_served"]
    22
    """
    return plan_county(
        "town", clients().head(12), net(), options=CountyOptions(iterations=50, workers=1)
    )


@functools.cache
def comparison() -> Comparison:
    """Return twelve clients by town compared with two carezones zones.

    Returns
    -------
    Comparison
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.comparison().table.design.tolist()
    ['today', 'zones-2']
    """
    return compare_designs(
        clients().head(12),
        net(),
        designs={"today": "town"},
        zone_counts=[2],
        options=CountyOptions(iterations=50, workers=1),
    )


@functools.cache
def zone_plan() -> ZonePlan:
    """Return two zones of the clients.

    Returns
    -------
    ZonePlan
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.zone_plan().kpis["n_zones"]
    2
    """
    return build_zones(clients(), net(), 2)


@functools.cache
def rounds() -> Rounds:
    """Return a day's rounds: eight clients' visits, three carers living among them.

    Returns
    -------
    Rounds
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.rounds().kpis["visits"]
    20
    """
    visits, carers = example_day(points()[:8], points()[8:11])
    visits, carers = read_visits(visits, area=net()), read_carers(carers, area=net())
    return plan_rounds(visits, carers, net(), options=RoundsOptions(iterations=200))


@functools.cache
def week() -> Week:
    """Return two days of the same kind for six clients and three carers.

    Returns
    -------
    Week
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> list(testing.week().days)
    ['2026-12-07', '2026-12-08']
    """
    visits, carers = example_week(points()[:6], points()[6:9], days=2)
    visits, carers = read_visits(visits, area=net()), read_carers(carers, area=net())
    return plan_week(visits, carers, net(), options=WeekOptions(iterations=100, workers=1))


@functools.cache
def scores() -> SiteScores:
    """Return five of the clients' homes scored as sites.

    Returns
    -------
    SiteScores
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> len(testing.scores().scores)
    5
    """
    return score_sites(clients().head(5)[["geometry"]], county().osm_path)


@functools.cache
def portfolio() -> SitePortfolio:
    """Return the best two of the scored sites for the clients.

    Returns
    -------
    SitePortfolio
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> len(testing.portfolio().chosen)
    2
    """
    return choose_sites(scores(), clients(), net(), 2)


@functools.cache
def projected() -> ProjectedDemand:
    """Return the homes of housing with care projected for 2030 and 2038 on the tiny county.

    From the county's SYNTHETIC projection, ILLUSTRATIVE rates and small areas
    (:func:`carezones.synthetic.write_projection_example`), spread by today's older
    population.

    Returns
    -------
    ProjectedDemand
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.projected().years
    (2030, 2038)
    """
    example = write_projection_example(county())
    return project_demand(
        example.areas_path, example.projections_path, example.prevalence_path, [2030, 2038]
    )


# The true travel profile of calibration()'s synthetic log (the tiny county's towns are drawn
# sparsely: urban is 10 junctions per km² within 1 km).
TRUTH = TravelProfile(
    ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=DensityRule(1000, 10), name="truth"
)


@functools.cache
def calibration() -> Calibration:
    """Return a travel profile calibrated on a synthetic visit log of the tiny county.

    The log (:func:`carezones.synthetic.visit_log`, 30 dates, seed 1) follows ``TRUTH``: urban
    legs 1.4 × model + 4 min, rural 1.2 × model + 2.5 min (urban: 10 junctions per km² within
    1 km), with 1 minute of noise and a wait on a third of the gaps.

    Returns
    -------
    Calibration
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.calibration().profile.name
    'synthetic-log'
    """
    log = visit_log(county(), net(), TRUTH, LogOptions(days=30, seed=1))
    checked = read_visit_log(log.drop(columns="waited_minutes"), area=net())
    options = CalibrationOptions(
        rule=TRUTH.rule, name="synthetic-log", fitted_at="2025-02-05T00:00:00Z"
    )
    return calibrate(checked, net(), options=options)


@functools.cache
def offices() -> gpd.GeoDataFrame:
    """Return the tiny county's four providers' offices (with their weekly capacity).

    Returns
    -------
    geopandas.GeoDataFrame
        The same object on every call.

    Examples
    --------
    >>> from carezones import testing
    >>> testing.offices().provider_id.tolist()
    ['P1', 'P2', 'P3', 'P4']
    """
    return read_providers(county().providers_path, area=net())


@functools.cache
def allocation() -> Allocation:
    """Return the tiny county's clients brokered to its offices by the gravity model.

    Returns
    -------
    Allocation
        The same object on every call (20 minutes' decay, seed 0; offices from
        ``offices.csv``, as the examples name them).

    Examples
    --------
    >>> from carezones import testing
    >>> testing.allocation().kpis["clients_allocated"]
    60
    """
    return allocate_providers(clients(), offices(), net(), source="offices.csv")


EXAMPLES: dict[str, Callable[[], Any]] = {
    "county": county,
    "net": net,
    "clients": clients,
    "plan": plan,
    "comparison": comparison,
    "zone_plan": zone_plan,
    "rounds": rounds,
    "week": week,
    "scores": scores,
    "portfolio": portfolio,
    "projected": projected,
    "calibration": calibration,
    "offices": offices,
    "allocation": allocation,
}
"""Each example's name (as the docstrings' examples use it) and the function that makes it."""
