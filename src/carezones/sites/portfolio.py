"""Choose a set of sites together: :func:`choose_sites`.

A housing team does not pick four sites by taking the four best scores: the top four may sit in
the same town and serve the same people. :func:`choose_sites` chooses the ``k`` sites that
together serve the most demand within a drive (maximal covering) or bring it closest
(p-median), each good enough on its own (a minimum suitability score), with the schemes that
already exist counted as open, for today's demand and for each growth scenario.

The flow: check the arguments; read the candidates (scoring them with
:func:`~carezones.sites.score_sites` when a minimum score is asked for and they carry none),
the existing schemes and the demand (:func:`carezones.io.read_demand`, every row inside the
network's area or listed as a problem); weigh the demand by scenario
(:mod:`carezones.sites.demand`); find the travel times from every site to every distinct demand
location with the router's multi-source searches (one search per site, whatever the number of
demand points); then, per scenario, solve the model (:mod:`carezones.sites.solver`) and measure
the chosen set. The result is a :class:`~carezones.sites.portfolio_result.SitePortfolio`.

Travel runs from the site to the demand (carers driving out, as in the score's demand
criterion); a demand point more than the network's ``max_snap_m`` from any road is left out and
listed. In the p-median, a pair with no road route counts as ten times the longest route found,
so that the set chosen reaches everyone it can; demand that no site at all can reach is left
out and listed.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from carezones.errors import Argument, ArgumentError, Ask, Fix, Reason, check_integer
from carezones.sites.config import SiteConfig
from carezones.sites.demand import Scenarios, scenario_weights
from carezones.sites.options import (
    GrowthLike,
    Objective,
    PointsLike,
    PortfolioOptions,
    PreferredLike,
    SiteInputs,
    SitesLike,
)
from carezones.sites.portfolio_model import (
    ALL_SCENARIOS,
    _Context,
    _eligibility,
    _Run,
    _solve,
    _Times,
    _weights,
)
from carezones.sites.portfolio_result import SitePortfolio
from carezones.sites.portfolio_tables import tables
from carezones.sites.result import SiteScores

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io import PathLike
    from carezones.network import RoadNetwork

log = logging.getLogger("carezones.sites")

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def choose_sites(
    candidates: SiteScores | SitesLike,
    demand: PointsLike,
    network: RoadNetwork | PathLike,
    k: int,
    *,
    existing: SitesLike | None = None,
    growth: GrowthLike | None = None,
    preferred: PreferredLike | None = None,
    options: PortfolioOptions | None = None,
) -> SitePortfolio:
    """Choose the ``k`` sites that together serve the demand best, today and as it grows.

    Parameters
    ----------
    candidates : SiteScores, GeoDataFrame or path
        The candidate sites: scored (:func:`score_sites`, or a table with a ``score``
        column such as its ``scores.csv``), or points/polygons to score (see
        :attr:`PortfolioOptions.min_score`). A ``site_id`` column names them.
    demand : GeoDataFrame, DataFrame or path
        Clients with weekly hours, or counts by area with their codes (anything
        :func:`carezones.io.read_demand` reads, or what it returned).
    network : RoadNetwork or path
        The drive (or walk) network; an OSM file is loaded in the options' ``mode``.
    k : int
        How many new sites to choose.
    existing : GeoDataFrame or path, optional
        Schemes already open: they serve demand in every scenario and are not counted in ``k``.
    growth : DataFrame, path or mapping, optional
        Growth scenarios by area (:func:`carezones.io.read_growth`, or
        ``{"2029": 1.21}``); each is solved and compared with today's (``now``).
    preferred : mapping, list or GeoDataFrame, optional
        Areas whose demand counts more (see :func:`~carezones.sites.demand.scenario_weights`;
        ``preferred_weight`` of the options when they have no weight of their own).
    options : PortfolioOptions, optional
        The objective, the minutes, the minimum score, the scenario planned for and the
        solver's time (:class:`PortfolioOptions`; its defaults when not given).

    Returns
    -------
    SitePortfolio
        The sites chosen, what each serves and adds, every candidate's and demand row's
        status, the scenarios and how sure the choice is.

    Raises
    ------
    ArgumentError
        ``k`` larger than the candidates that can be chosen, no candidate meeting the minimum
        score, an unknown scenario.
    ValidationError
        Demand outside the network's area (listed by row), growth factors for unknown areas.

    Examples
    --------
    The best two of five homes of the tiny synthetic county, scored as sites, for its
    clients' hours of care:

    >>> from carezones import choose_sites, score_sites
    >>> scores = score_sites(clients.head(5)[["geometry"]], county.osm_path)
    >>> portfolio = choose_sites(scores, clients, net, 2)
    >>> portfolio.chosen[["site_id", "serves", "adds"]]
      site_id  serves  adds
    0    S001  194.75   0.0
    1    S002  494.75   0.0
    >>> portfolio.kpis["covered_share"], portfolio.kpis["optimal"]
    (1.0, True)
    """
    opts = options if options is not None else PortfolioOptions()
    if not isinstance(opts, PortfolioOptions):
        raise ArgumentError(f"options must be a PortfolioOptions, not {type(opts).__name__}")
    objective = Objective(opts.objective)  # the options store an Objective
    minutes, time_limit, min_score = opts.minutes, opts.time_limit, opts.min_score
    t0 = time.perf_counter()
    k = check_integer("k", k, minimum=1)
    net, osm = _network(network, opts.mode)
    sites = _candidates(candidates, min_score, osm, net, opts)
    old = _existing(existing, set(sites.site_id))
    dem = _demand(demand, net, opts.max_outside_km)
    scen = scenario_weights(dem, growth, preferred, opts.preferred_weight)
    plan = _plan_for(opts.plan_for, scen)
    t1 = time.perf_counter()
    times = _Times.measure(net, sites, old, dem)
    t_times = time.perf_counter() - t1
    eligible, status = _eligibility(sites, times, min_score, k)
    runs: dict[str, _Run] = {}
    names = scen.names + ([ALL_SCENARIOS] if plan == ALL_SCENARIOS else [])
    for name in names:
        w = _weights(scen, name)
        runs[name] = _solve(
            times, times.unique_weights(w), eligible, k, objective, minutes, time_limit
        )
        log.info("%s: %s", name, runs[name].solution.method)
    context = _Context(
        net,
        sites,
        old,
        dem,
        scen,
        times,
        eligible,
        status,
        objective,
        k,
        minutes,
        min_score,
        plan,
        t_times,
        time.perf_counter() - t0,
    )
    return tables(context, runs)


# ---------------------------------------------------------------------- inputs
def _network(network: RoadNetwork | PathLike, mode: str | None) -> tuple[RoadNetwork, Path | None]:
    """Return the network and the OSM file it was loaded from (``None``: no such file)."""
    from carezones.network import RoadNetwork, load_network

    if isinstance(network, RoadNetwork):
        if mode is not None and mode != network.mode:
            raise ArgumentError(
                f"mode={mode!r} but the network given is a {network.mode} "
                "network: load the network in that mode"
            )
        source = Path(network.provenance.source)
        return network, source if source.is_file() else None
    if isinstance(network, str | Path):
        net = load_network(network, "walk" if mode == "walk" else "drive", engine="builtin")
        return net, Path(network)
    raise ArgumentError("network must be a RoadNetwork (load_network) or an OSM file")


def _candidates(
    candidates: SiteScores | SitesLike,
    min_score: float | None,
    osm: Path | None,
    net: RoadNetwork,
    opts: PortfolioOptions,
) -> gpd.GeoDataFrame:
    """Return the candidates with ``site_id`` and ``score`` (NaN when not scored)."""
    from carezones.io import check_scores
    from carezones.sites.score import _as_sites, score_sites

    if isinstance(candidates, SiteScores):
        gdf = candidates.scores.copy()
    else:
        gdf = check_scores(_as_sites(candidates))
        if "score" not in gdf.columns and min_score is not None:
            if osm is None:
                raise ArgumentError(
                    "min_score needs scored candidates: pass a SiteScores (score_sites) or a "
                    "table with a 'score' column, or a network loaded from the OSM file to "
                    "score them on"
                )
            drive = net if net.mode == "drive" else None
            walk = net if net.mode == "walk" else None
            inputs = SiteInputs(osm=osm, walk=walk, drive=drive)
            config = SiteConfig.load(opts.score_config)
            gdf = score_sites(gdf, inputs, config=config).scores
    if len(gdf) == 0:
        raise ArgumentError("there are no candidate sites: give at least k of them")
    gdf = gdf.reset_index(drop=True)
    gdf["site_id"] = gdf["site_id"].astype(str)
    if "score" not in gdf.columns:
        gdf["score"] = np.nan
    return gdf


def _existing(existing: SitesLike | None, taken: set[str]) -> gpd.GeoDataFrame | None:
    """Return the existing schemes (``site_id`` E001... unless named), or ``None``."""
    import geopandas as gpd

    from carezones.io import ReadOptions, read_points
    from carezones.sites.score import _as_sites

    if existing is None:
        return None
    read = (
        existing
        if isinstance(existing, gpd.GeoDataFrame)
        else read_points(existing, options=ReadOptions(allow_polygons=True))
    )
    named = "site_id" in read.columns
    gdf = _as_sites(read)
    if not named:
        gdf["site_id"] = [f"E{i + 1:03d}" for i in range(len(gdf))]
    gdf["site_id"] = gdf["site_id"].astype(str)
    both = sorted(set(gdf.site_id) & taken)
    if both:
        raise ArgumentError(
            f"existing schemes and candidates share site_id values {both[:5]}: "
            "give the existing schemes their own ids"
        )
    return gdf.reset_index(drop=True) if len(gdf) else None


def _demand(demand: PointsLike, net: RoadNetwork, max_outside_km: float) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from carezones.io.demand import read_demand

    if isinstance(demand, np.ndarray):
        demand = gpd.GeoDataFrame(
            {
                "client_id": [f"D{i + 1}" for i in range(len(demand))],
                "hours_per_week": np.ones(len(demand)),
            },
            geometry=gpd.points_from_xy(demand[:, 0], demand[:, 1]),
            crs="EPSG:4326",
        )
    elif isinstance(demand, gpd.GeoDataFrame) and "carezones_demand" not in demand.attrs:
        if "source_row" in demand.columns:
            demand = demand.drop(columns="source_row")  # read once already: numbered afresh
    out = read_demand(demand, area=net, max_outside_km=max_outside_km)
    if len(out) == 0:
        raise ArgumentError("there is no demand: give clients or area counts")
    return out


def _plan_for(plan_for: str | None, scen: Scenarios) -> str:
    if plan_for is None:
        return scen.names[-1]
    if plan_for == ALL_SCENARIOS or plan_for in scen.names:
        return plan_for
    raise ArgumentError.worded(
        Reason("", Argument.PLAN_FOR, plan_for, " is not a scenario: "),
        Fix(argument=Argument.PLAN_FOR, ask=Ask.ONE_OF, choices=(*scen.names, ALL_SCENARIOS)),
    )
