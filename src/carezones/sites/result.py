"""The result of scoring sites: :class:`SiteScores`, with its map, files and isochrones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.errors import CarezonesError
from carezones.sites.config import SiteConfig
from carezones.sites.criteria import _gdf

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.network import RoadNetwork

PathLike = str | Path


@dataclass
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
    surface : geopandas.GeoDataFrame or None
        With ``surface=True``: the same score at every junction of the walking network.
    _isochrones : dict
        The isochrones computed so far (:meth:`isochrones`), by sites and minutes.

    Examples
    --------
    Five homes of the tiny synthetic county scored as sites:

    >>> from carezones import score_sites
    >>> scores = score_sites(clients.head(5)[["geometry"]], osm=county.osm_path)
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
    surface: gpd.GeoDataFrame | None = None
    _isochrones: dict[tuple[Any, ...], gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

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
        from carezones.report.html import html_card, svg_sites

        sc = pd.to_numeric(self.scores["score"], errors="coerce")
        ok = sc.dropna()
        spread = f"{ok.max():.0f} / {ok.median():.0f} / {ok.min():.0f}" if len(ok) else "n/a"
        rows = [
            ("sites", len(self.scores)),
            ("scored", len(ok)),
            ("not scored", len(sc) - len(ok)),
            ("score best / median / worst", spread),
            ("score 75 or more", int((ok >= 75).sum())),
            ("score 50 to 75", int(((ok >= 50) & (ok < 75)).sum())),
            ("score under 50", int((ok < 50).sum())),
            ("weights", ", ".join(f"{k} {v:g}" for k, v in self.weights.items())),
        ]
        if self.surface is not None:
            rows.append(("surface junctions", len(self.surface)))
        top = self.ranked()
        cols = ["rank", "site_id", "score"] + (["town"] if "town" in top.columns else [])
        net = self.walk if self.walk is not None else self.drive
        pts = top.geometry.representative_point()
        colours = [
            "#e6550d" if r == 1 else "#fdae6b" if s == s else "#bdbdbd"
            for r, s in zip(top["rank"].fillna(0), top["score"], strict=True)
        ]
        thumb = svg_sites(
            None if net is None else net.area_wgs84,
            list(zip(pts.x, pts.y, strict=True))[::-1],
            colours[::-1],
        )
        return html_card(
            "Site scores",
            rows,
            table=pd.DataFrame(top[cols]),
            max_rows=8,
            thumbnail=thumb,
            note="Best site dark orange; not scored grey.",
        )

    def isochrones(
        self, sites: Sequence[Any] | int = 3, minutes: Sequence[float] = (5, 10, 15)
    ) -> gpd.GeoDataFrame:
        """Return walking isochrones for sites: a list of ``site_id``, or the top N scored.

        Computed once per choice of sites and minutes (the map and the files share them).

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
        key = (tuple(ids), tuple(minutes))
        if not ids:
            return _gdf(pd.DataFrame(), ["site_id", "minutes"])
        if key not in self._isochrones:
            missing = [s for s in ids if s not in set(self.scores.site_id)]
            if missing:
                raise KeyError(f"no site with site_id {missing[:5]}")
            pick = self.scores.set_index("site_id").loc[ids]
            acc = self.walk.access_points(pick.geometry.to_numpy())
            iso = self.walk.isochrones(acc, tuple(minutes))
            iso.insert(0, "site_id", np.asarray(ids, dtype=object)[iso.point.to_numpy()])
            self._isochrones[key] = iso.drop(columns="point")
        return self._isochrones[key].copy()

    def to_map(self, **kwargs: Any) -> folium.Map:
        """Return a folium map of the sites, their scores and the amenities.

        Parameters
        ----------
        **kwargs
            The options of :func:`carezones.report.sites.sites_map`.

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(scores.to_map()).__name__
        'Map'
        """
        from carezones.report.sites import sites_map

        return sites_map(self, **kwargs)

    def to_files(
        self, out_dir: PathLike, *, isochrones: bool = True, offline: bool = True
    ) -> list[Path]:
        """Write the scores, layers and map; return the paths written.

        ``scores.csv`` (by rank), ``sites.gpkg`` (layers sites, amenities, isochrones),
        ``sites.html`` (the map) and, when computed, ``surface.gpkg``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        isochrones : bool
            Also write the walking isochrones of the best sites.
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.

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
