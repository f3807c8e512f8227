"""The result of scoring sites: :class:`SiteScores`, with its numbers, text and isochrones.

Built once by :func:`~carezones.sites.score_sites` and never changed afterwards; its map, files
and card are drawn by :mod:`carezones.report.sites`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from carezones.errors import CarezonesError
from carezones.sites.config import SiteConfig
from carezones.sites.criteria import _gdf

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io import PathLike
    from carezones.io.gtfs import TransitDay
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike
    from carezones.sites.transport import TimeBand

__all__ = ["SiteScores"]


@dataclass(frozen=True)
class SiteScores:
    """Scored sites, ranked, with every sub-score and an explanation per site.

    :func:`~carezones.score_sites` makes them.

    Parameters
    ----------
    scores : geopandas.GeoDataFrame
        The sites in their input order with their own columns, then ``site_id``, ``rank``
        (1 = best; sites not scored last), ``score`` (0-100), ``off_network``,
        ``walk_access_m`` (metres from the site's access point to the path network), per
        category ``<name>_minutes`` (walk to the nearest), ``<name>_nearest`` (its name),
        ``<name>_count`` (within the category's ``zero_minutes``), ``<name>_score`` (0-1) and,
        with capacities, ``<name>_capacity_per_demand``; then ``staff_median_minutes``,
        ``staff_score``, ``demand_within``, ``demand_score``, ``town``, ``town_minutes`` when
        used, ``rural_penalty`` and ``explanation``.
    weights : dict
        The weights used (criteria without their inputs are left out and the rest rescaled).
    config : SiteConfig
        The configuration the sites were scored with.
    amenities, towns : geopandas.GeoDataFrame or None
        The amenities and towns used.
    walk, drive : RoadNetwork or None
        The walking and drive networks used.
    explanations : tuple of tuple of str
        Each site's explanation part by part, in the order of :attr:`scores` (its
        ``explanation`` column joins the parts with ``"; "``).
    surface : geopandas.GeoDataFrame or None
        With ``ScoreOptions(surface=True)``: the same score at every junction of the walking
        network.
    transit : TransitDay or None
        The timetable's day the ``transport`` category was scored on (``SiteInputs(gtfs=)``);
        the scores then also have ``transport_access_index`` (and ``..._peak``),
        ``transport_stop_id``, ``transport_stop``, ``transport_stop_walk_minutes``,
        ``transport_departures_per_hour``, ``transport_mode``, ``transport_first_departure``
        and ``transport_last_departure`` (minutes after midnight) from
        :func:`~carezones.sites.transport.transport_access`; ``transport_minutes``,
        ``transport_nearest`` and ``transport_count`` are then of the stops with a departure
        that day, within the category's ``zero_minutes``.
    time_band : TimeBand or None
        With a timetable: the band its departures per hour were counted in (the maps draw
        every stop sized by them).

    Examples
    --------
    Five homes of the tiny synthetic county scored as sites:

    >>> from carezones import score_sites
    >>> scores = score_sites(clients.head(5)[["geometry"]], county.osm_path)
    >>> scores.scores[["site_id", "rank"]]
      site_id  rank
    0    S001     4
    1    S002     2
    2    S003     1
    3    S004     3
    4    S005     5
    """

    scores: gpd.GeoDataFrame
    weights: dict[str, float]
    config: SiteConfig
    amenities: gpd.GeoDataFrame | None
    towns: gpd.GeoDataFrame | None
    walk: RoadNetwork | None
    drive: RoadNetwork | None
    explanations: tuple[tuple[str, ...], ...] = field(repr=False)
    surface: gpd.GeoDataFrame | None = None
    transit: TransitDay | None = None
    time_band: TimeBand | None = None

    @property
    def kpis(self) -> dict[str, int | float]:
        """The headline numbers: sites, how many were scored, and how the scores spread.

        ``sites``, ``scored``, ``not_scored``, ``best_score``, ``median_score``,
        ``worst_score`` (NaN when none was scored), ``score_75_plus``, ``score_50_to_75``,
        ``score_under_50`` and, with a surface, ``surface_junctions`` (the weights used are
        :attr:`weights`).

        Examples
        --------
        >>> scores.kpis["sites"], scores.kpis["scored"], round(scores.kpis["best_score"], 1)
        (5, 5, 97.4)
        """
        sc = pd.to_numeric(self.scores["score"], errors="coerce")
        ok = sc.dropna()
        nan = float("nan")
        out: dict[str, int | float] = {
            "sites": len(self.scores),
            "scored": len(ok),
            "not_scored": len(sc) - len(ok),
            "best_score": float(ok.max()) if len(ok) else nan,
            "median_score": float(ok.median()) if len(ok) else nan,
            "worst_score": float(ok.min()) if len(ok) else nan,
            "score_75_plus": int((ok >= 75).sum()),
            "score_50_to_75": int(((ok >= 50) & (ok < 75)).sum()),
            "score_under_50": int((ok < 50).sum()),
        }
        if self.surface is not None:
            out["surface_junctions"] = len(self.surface)
        return out

    def ranked(self) -> gpd.GeoDataFrame:
        """Return the scores sorted by rank.

        Returns
        -------
        geopandas.GeoDataFrame
            :attr:`scores`, best first (sites not scored last).

        Examples
        --------
        >>> scores.ranked()[["site_id", "rank"]].head(2)
          site_id  rank
        2    S003     1
        1    S002     2
        """
        return self.scores.sort_values(["rank", "site_id"], na_position="last")

    def summary(self, top: int = 20) -> str:
        """Return a short text report: the weights and the ``top`` sites by rank.

        Parameters
        ----------
        top : int
            How many sites to list.

        Returns
        -------
        str
            The weights, then a line per site: rank, id, score and explanation.

        Examples
        --------
        >>> print(scores.summary(top=1).splitlines()[0])
        weights: food_shop 15, gp 15, pharmacy 10, transport 15, community 10, post_office 5
        """
        lines = ["weights: " + ", ".join(f"{k} {v:g}" for k, v in self.weights.items())]
        ranked = self.ranked()
        for r in ranked.head(top).itertuples():
            sc = "not scored" if pd.isna(r.score) else f"{r.score:5.1f}"
            lines.append(
                f"{'' if pd.isna(r.rank) else int(r.rank):>3} {r.site_id}: {sc}  {r.explanation}"
            )
        if len(ranked) > top:
            lines.append(f"... and {len(ranked) - top} more sites (see scores.csv)")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Return a card of the scores, the best sites and where they are (no client is drawn)."""
        from carezones.report.sites import sites_card

        return sites_card(self)

    def isochrones(
        self, sites: Sequence[str] | int = 3, minutes: Sequence[float] = (5, 10, 15)
    ) -> gpd.GeoDataFrame:
        """Return walking isochrones for sites: a list of ``site_id``, or the top N scored.

        Computed afresh on each call (the files compute them once for the layer and the map).

        Parameters
        ----------
        sites : list or int
            The sites' ``site_id``, or how many of the best scored.
        minutes : sequence of float
            The walking times.

        Returns
        -------
        geopandas.GeoDataFrame
            ``site_id``, ``minutes`` and the area reached (EPSG:4326).

        Raises
        ------
        CarezonesError
            When the sites were scored without a walking network.
        KeyError
            When a ``site_id`` is not a site's.

        Examples
        --------
        >>> scores.isochrones(1, minutes=(5, 10))[["site_id", "minutes"]]
          site_id  minutes
        0    S003      5.0
        1    S003     10.0
        """
        if self.walk is None:
            raise CarezonesError("isochrones need the walking network")
        if isinstance(sites, int):
            top = self.ranked()
            ids = top.site_id[top.score.notna()].head(sites).tolist()
        else:
            ids = list(sites)
        if not ids:
            return _gdf(pd.DataFrame(), ["site_id", "minutes"])
        missing = [s for s in ids if s not in set(self.scores.site_id)]
        if missing:
            raise KeyError(f"no site with site_id {missing[:5]}")
        pick = self.scores.set_index("site_id").loc[ids]
        acc = self.walk.access_points(pick.geometry.to_numpy())
        iso = self.walk.isochrones(acc, tuple(minutes))
        iso.insert(0, "site_id", np.asarray(ids, dtype=object)[iso.point.to_numpy()])
        return iso.drop(columns="point")

    def to_map(
        self,
        *,
        offline: bool = True,
        isochrones: int | Sequence[str] = 3,
        minutes: Sequence[float] = (5, 10, 15),
        amenities: bool = True,
        surface: bool = True,
        title: str = "Candidate sites",
    ) -> MapLike:
        """Return a folium map of the sites, their scores and the amenities.

        Parameters
        ----------
        offline : bool, default True
            Embed Leaflet in the map; ``False`` links it from a CDN instead.
        isochrones : int or list of str, default 3
            Walking isochrones for the best N sites, or for the listed ``site_id`` (0: none).
        minutes : sequence of float
            The isochrones' walking times.
        amenities : bool, default True
            One layer of amenities per category.
        surface : bool, default True
            With a surface: its mean score per hexagon.
        title : str
            The map's banner.

        Returns
        -------
        folium.Map
            The map (:func:`carezones.report.sites.sites_map`); ``.save(path)`` writes it,
            notebooks show it.

        Examples
        --------
        >>> type(scores.to_map()).__name__
        'Map'
        """
        from carezones.report.sites import sites_map

        return sites_map(
            self,
            offline=offline,
            isochrones=isochrones,
            minutes=tuple(minutes),
            amenities=amenities,
            surface=surface,
            title=title,
        )

    def to_files(
        self, out_dir: PathLike, *, offline: bool = True, isochrones: bool = True
    ) -> list[Path]:
        """Write the scores, layers and map; return the paths written.

        ``scores.csv`` (by rank), ``sites.gpkg`` (layers sites, amenities, isochrones),
        ``sites.html`` (the map) and, when computed, ``surface.gpkg``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        offline : bool, default True
            Embed Leaflet in the map; ``False`` links it from a CDN instead.
        isochrones : bool, default True
            Also write the walking isochrones of the best sites.

        Returns
        -------
        list of pathlib.Path
            The files written (:func:`~carezones.report.sites.write_site_scores`).

        Examples
        --------
        >>> import tempfile
        >>> print(*sorted(path.name for path in scores.to_files(tempfile.mkdtemp())))
        scores.csv sites.gpkg sites.html
        """
        from carezones.report.sites import write_site_scores

        return write_site_scores(self, out_dir, isochrones=isochrones, offline=offline)
