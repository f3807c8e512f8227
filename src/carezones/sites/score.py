"""Score sites: :func:`score_sites`, the entry point that gathers the inputs and scores.

The entry point is thin: the road networks come from :func:`carezones.load_network`, the
amenities and towns from the OSM reader in :mod:`carezones.io.osm`, points from
:func:`carezones.read_points`; the scoring itself (:mod:`carezones.sites.criteria`) takes
networks and GeoDataFrames and reads no file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from carezones.errors import ArgumentError, CarezonesError
from carezones.io.gtfs import TransitDay, read_gtfs
from carezones.io.osm import read_features
from carezones.sites.config import DEFAULT_CATEGORIES, Category, SiteConfig
from carezones.sites.criteria import _Inputs, _score, _surface
from carezones.sites.options import ConfigLike, PointsLike, ScoreOptions, SiteInputs, SitesLike
from carezones.sites.result import SiteScores
from carezones.sites.transport import TimeBand, TransportOptions

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io import PathLike
    from carezones.network import RoadNetwork

log = logging.getLogger("carezones.sites")

_NOTHING_TO_SCORE = (
    "nothing to score: no criterion has both a weight above 0 and its input (walking access "
    "needs amenity categories with a weight, staff access carers=, demand clients=); check "
    "the configuration's weights and the inputs given"
)


def read_amenities(
    osm: PathLike, categories: Sequence[Category] | SiteConfig | None = None
) -> gpd.GeoDataFrame:
    """Return the amenities of an OSM file in the given categories (default: the defaults).

    Nodes keep their point; mapped areas (a supermarket's building, a park) keep their polygon,
    reached from its boundary point nearest the road. Columns: ``category``, ``name`` (OSM
    ``name`` or ``brand``, may be empty), ``tag`` (the matching ``key=value``), ``osm_id``
    (``node/123``, ``way/456``) and geometry (WGS84). An object in two categories is listed once
    in each.

    Parameters
    ----------
    osm : str or os.PathLike
        The OSM file.
    categories : sequence of Category or SiteConfig, optional
        The categories (a configuration's); default: :data:`DEFAULT_CATEGORIES`.

    Returns
    -------
    geopandas.GeoDataFrame
        The amenities.

    Examples
    --------
    >>> from carezones.sites import read_amenities
    >>> amenities = read_amenities(county.osm_path)
    >>> amenities.loc[amenities["category"] == "gp", ["name", "tag"]]
                           name              tag
    8          Yarholme Surgery  amenity=doctors
    22  Castle Medical Practice  amenity=doctors
    """
    cats = (
        categories.categories
        if isinstance(categories, SiteConfig)
        else tuple(categories)
        if categories is not None
        else DEFAULT_CATEGORIES
    )
    amenities, _ = read_features(Path(osm), _tags(cats), ())
    return amenities


def read_towns(osm: PathLike, places: Sequence[str] = ("city", "town")) -> gpd.GeoDataFrame:
    """Return the named ``place`` nodes of an OSM file of the given kinds (towns, cities).

    Parameters
    ----------
    osm : str or os.PathLike
        The OSM file.
    places : sequence of str
        The ``place`` values that count.

    Returns
    -------
    geopandas.GeoDataFrame
        ``name``, ``place``, ``osm_id`` and the point (WGS84).

    Examples
    --------
    >>> from carezones.sites import read_towns
    >>> read_towns(county.osm_path)["name"].tolist()
    ['Caldwell']
    """
    _, towns = read_features(Path(osm), [], tuple(places))
    return towns


def _tags(categories: Sequence[Category]) -> list[tuple[str, dict[str, tuple[str, ...]]]]:
    """Return the categories as the OSM reader takes them: a name and the tags of each."""
    return [(c.name, dict(c.tags)) for c in categories]


def _as_sites(sites: SitesLike) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from carezones.io import ReadOptions, check_areas, read_points

    if isinstance(sites, gpd.GeoDataFrame):
        gdf = sites.copy()
        if gdf.crs is None:
            raise ValueError("sites have no CRS: set one, e.g. gdf.set_crs('EPSG:4326')")
        empty = gdf.geometry.isna() | gdf.geometry.is_empty
        if empty.any():
            bad = (np.flatnonzero(empty.to_numpy()) + 1)[:10].tolist()
            raise ValueError(f"sites at rows {bad} have no geometry: give every site a location")
        check_areas(gdf, "sites")
        gdf = gdf.to_crs("EPSG:4326")
    else:
        gdf = read_points(sites, options=ReadOptions(allow_polygons=True))
    gdf = gdf.reset_index(drop=True)
    if "site_id" not in gdf.columns:
        gdf.insert(0, "site_id", [f"S{i + 1:03d}" for i in range(len(gdf))])
    ids = gdf.site_id.astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"site_id values must be unique; repeated: {dup}")
    return gdf


def score_sites(
    sites: SitesLike,
    inputs: SiteInputs | PathLike,
    *,
    clients: PointsLike | None = None,
    carers: PointsLike | None = None,
    config: ConfigLike | None = None,
    options: ScoreOptions | None = None,
    progress: bool | None = None,
) -> SiteScores:
    """Score candidate extra-care / supported-living sites; rank them and explain each score.

    Parameters
    ----------
    sites : GeoDataFrame, DataFrame or path
        Points or polygons in any CRS (a polygon is reached from its boundary point nearest
        the road), or a file/table for :func:`carezones.read_points`. Every column is kept; a
        ``site_id`` column names the sites (``S001``... otherwise).
    inputs : SiteInputs, str or os.PathLike
        What the sites are scored against: the walking and drive networks, the amenities and
        the towns (:class:`SiteInputs`), or an OSM file to read them all from.
    clients : points, optional
        Clients (any form :func:`carezones.read_points` reads), with their hours a week
        (the options' ``hours_column``; else each counts 1): enables demand.
    carers : points, optional
        Carers' homes: enables staff access.
    config : SiteConfig, dict or TOML path, optional
        Categories, weights and thresholds (:meth:`SiteConfig.load`).
    options : ScoreOptions, optional
        The clients' hours column, whether to score the whole area too and, with a timetable
        (``SiteInputs(gtfs=)``), its day and time bands (:class:`ScoreOptions`; its defaults
        when not given).
    progress : bool, optional
        Show progress bars (loading networks from the OSM file, scoring the surface): ``None``
        (default) when someone is watching (a notebook or a terminal), ``False`` never.
        Never written to logs.

    Returns
    -------
    SiteScores
        The sites ranked, with every sub-score and an explanation per site.

    Raises
    ------
    CarezonesError
        When there is no network to score on.
    ValueError
        When the sites have no CRS or a site has no geometry.
    ValidationError
        When a site's polygon is not valid (e.g. an outline that crosses itself), or the
        timetable (a GTFS feed) has a problem (every problem at once).

    Examples
    --------
    Five homes of the tiny synthetic county scored as sites from its OSM file:

    >>> from carezones import score_sites
    >>> scores = score_sites(clients.head(5)[["geometry"]], county.osm_path)
    >>> scores.ranked()[["site_id", "score"]].head(3).round(1)
      site_id  score
    2    S003   97.4
    1    S002   89.4
    3    S004   79.6
    """
    from carezones.network import as_lonlat, load_network

    if not isinstance(inputs, SiteInputs | str | os.PathLike):
        raise ArgumentError(
            f"inputs must be SiteInputs or an OSM file, not {type(inputs).__name__}"
        )
    opts = ScoreOptions() if options is None else options
    if not isinstance(opts, ScoreOptions):
        raise ArgumentError(f"options must be a ScoreOptions, not {type(opts).__name__}")
    given = SiteInputs.of(inputs)
    osm, walk, drive = given.osm, given.walk, given.drive
    amenities, towns = given.amenities, given.towns
    cfg = SiteConfig.load(config)
    gdf = _as_sites(sites)
    if osm is not None:
        if walk is None and cfg.categories:
            walk = load_network(osm, "walk", engine="builtin", progress=progress)
        need_drive = carers is not None or clients is not None or cfg.rural_points > 0
        if drive is None and need_drive:
            drive = load_network(osm, "drive", engine="builtin", progress=progress)
        if amenities is None or towns is None:
            a, t = read_features(Path(osm), _tags(cfg.categories), cfg.town_places)
            amenities = a if amenities is None else amenities
            towns = t if towns is None else towns
    if walk is None and drive is None:
        if osm is not None:
            raise CarezonesError(_NOTHING_TO_SCORE)
        raise CarezonesError(
            "score_sites needs a network: pass an OSM file, or SiteInputs(walk=, drive=)"
        )
    area = drive if drive is not None else walk
    assert area is not None
    staff = None if carers is None else as_lonlat(_points(carers, area, "carers"))
    demand, hours, unit = None, None, "h/week of care"
    if clients is not None:
        cl = _points(clients, area, "clients")
        demand = as_lonlat(cl)
        hours_column = opts.hours_column
        if hours_column and hours_column in cl.columns:
            hours = pd.to_numeric(cl[hours_column], errors="coerce").fillna(0.0).to_numpy(float)
        else:
            hours, unit = np.ones(len(demand)), "clients"
    if amenities is not None:
        amenities = _check_amenities(amenities, cfg)
    transit = _timetable(given.gtfs, walk, opts)
    bands = TransportOptions(band=opts.time_band, peak=opts.peak_band)
    inp = _Inputs(cfg, walk, drive, amenities, towns, staff, demand, hours, unit, transit, bands)
    weights = inp.weights()
    if not weights and not (towns is not None and drive is not None):
        raise CarezonesError(_NOTHING_TO_SCORE)
    frame, notes = _score(gdf.geometry.to_numpy(), inp)
    scored = pd.concat([gdf.drop(columns="geometry"), frame], axis=1)
    rank = frame.score.rank(ascending=False, method="first")
    scored.insert(scored.columns.get_loc("score"), "rank", rank.astype("Int64"))
    out = _gdf_like(scored, gdf)
    surf = _surface(inp, progress) if opts.surface else None
    log.info("scored %d sites (%d not on the network)", len(gdf), int(frame.off_network.sum()))
    return SiteScores(
        scores=out,
        weights=weights,
        config=cfg,
        amenities=amenities,
        towns=towns,
        walk=walk,
        drive=drive,
        explanations=notes,
        surface=surf,
        transit=transit,
        time_band=None if transit is None else TimeBand.parse(bands.band),
    )


def _timetable(
    gtfs: TransitDay | PathLike | None, walk: RoadNetwork | None, opts: ScoreOptions
) -> TransitDay | None:
    """Return the timetable's day (a feed read on the options' date, within the walk's area)."""
    if gtfs is None or isinstance(gtfs, TransitDay):
        return gtfs
    if walk is None:
        raise CarezonesError(
            "a timetable (gtfs=) scores the transport category, which needs the walking "
            "network: give the transport category a weight, or leave gtfs= out"
        )
    return read_gtfs(gtfs, date=opts.gtfs_date, area=walk)


def _points(x: PointsLike, area: RoadNetwork, what: str) -> gpd.GeoDataFrame:
    """Read carers or clients as points, rejecting those far outside the network's area."""
    import geopandas as gpd

    from carezones.io import read_points

    if isinstance(x, np.ndarray):
        x = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[:, 0], x[:, 1]), crs="EPSG:4326")
    if isinstance(x, gpd.GeoDataFrame) and "source_row" in x.columns:
        x = x.drop(columns="source_row")  # already read once: numbered afresh here
    got = read_points(x, area=area)
    if isinstance(x, gpd.GeoDataFrame):
        got.attrs["carezones_read"]["source"] = what
    return got


def _gdf_like(frame: pd.DataFrame, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=like.geometry.to_numpy(), crs=like.crs)


def _check_amenities(amenities: gpd.GeoDataFrame, cfg: SiteConfig) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not isinstance(amenities, gpd.GeoDataFrame) or amenities.crs is None:
        raise ValueError("amenities must be a GeoDataFrame with a CRS")
    if "category" not in amenities.columns:
        raise ValueError("amenities need a 'category' column naming a configured category")
    known = {c.name for c in cfg.categories}
    other = sorted(set(amenities.category.astype(str)) - known)
    if other:
        log.warning(
            "categories %s are not configured (known: %s); they are ignored",
            other[:5],
            sorted(known),
        )
    a = amenities[amenities.category.astype(str).isin(known)].to_crs("EPSG:4326")
    a = a[~(a.geometry.isna() | a.geometry.is_empty)].reset_index(drop=True)
    if "capacity" in a.columns:
        cap = pd.to_numeric(a["capacity"], errors="coerce")
        bad = (cap.isna() & a["capacity"].notna()) | (cap < 0)
        if bad.any():
            rows = (np.flatnonzero(bad.to_numpy()) + 1)[:10].tolist()
            raise ValueError(
                f"amenities at rows {rows} have a capacity that is not a number >= 0: give a "
                "number (e.g. patients a surgery can take) or leave it empty"
            )
        a["capacity"] = cap.astype(float)
    if "name" not in a.columns:
        a["name"] = ""
    a["name"] = a["name"].fillna("").astype(str)
    a["category"] = a["category"].astype(str)
    return a
