"""The result of choosing a set of sites: :class:`SitePortfolio`, with its numbers and text.

Built once by :func:`~carezones.sites.choose_sites` and never changed afterwards; its map, files
and card are drawn by :mod:`carezones.report.portfolio`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.io.demand import DemandKind
from carezones.sites.options import Objective
from carezones.sites.status import DemandStatus, SiteRole

if TYPE_CHECKING:
    import geopandas as gpd
    import shapely

    from carezones.io import PathLike
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike

FloatArray = npt.NDArray[np.float64]

__all__ = ["SitePortfolio"]


@dataclass(frozen=True)
class SitePortfolio:
    """The sites chosen together, what each serves and adds, and how sure the choice is.

    :func:`~carezones.choose_sites` makes one.

    Parameters
    ----------
    chosen : geopandas.GeoDataFrame
        One row per chosen site, the one that adds most first: ``site_id``, ``score`` (when
        scored), ``serves`` (demand whose nearest open site it is; within the minutes for
        coverage), ``within_reach`` (demand within the minutes of it alone), ``adds`` (what the
        set loses without it: for coverage, the demand no other open site covers; for the
        p-median, the minutes the mean trip would grow by) and ``mean_minutes`` (of what it
        serves).
    existing : geopandas.GeoDataFrame or None
        The schemes already open, with the same columns.
    candidates : geopandas.GeoDataFrame
        Every candidate with its ``status`` (a :class:`~carezones.sites.CandidateStatus`:
        chosen, eligible, below the minimum score, not scored, off the road network) and
        ``within_reach``.
    demand : geopandas.GeoDataFrame
        Every demand row: ``demand_id``, ``area``, ``weight`` (in the scenario planned for),
        ``status`` (a :class:`~carezones.sites.DemandStatus`: covered, not covered, left
        out), ``site_id`` (the nearest open site),
        ``minutes`` and ``reason``. Its geometry is the user's own data and is never written:
        files and maps aggregate it.
    left_out : pandas.DataFrame
        The demand rows left out (too far from any road, or no road route from any site), with
        ``source_row`` and ``reason``.
    scenarios : pandas.DataFrame
        One row per scenario: its own best set and its coverage, and how the planned set does
        in it (``plan_covered_share``, ``plan_mean_minutes``).
    stability : pandas.DataFrame
        Each site chosen in any scenario, a column per scenario, and ``chosen_in``.
    kpis : dict
        The objective, coverage, mean minutes, the objective's value, the proven ``bound``,
        ``gap`` and whether ``optimal``, the ``method``, the baselines (the k best single
        sites), timings and notes.
    network : RoadNetwork
        The network the times come from.
    access : dict
        Each site's ``site_id`` -> the (lon, lat) where it meets the roads.

    Examples
    --------
    >>> portfolio.site_ids
    ['S001', 'S002']
    """

    chosen: gpd.GeoDataFrame
    existing: gpd.GeoDataFrame | None
    candidates: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    left_out: pd.DataFrame
    scenarios: pd.DataFrame
    stability: pd.DataFrame
    kpis: dict[str, Any]
    network: RoadNetwork
    access: dict[str, tuple[float, float]] = field(repr=False)

    @property
    def site_ids(self) -> list[str]:
        """The chosen sites' ids, the one that adds most first.

        Examples
        --------
        >>> portfolio.site_ids
        ['S001', 'S002']
        """
        return [str(i) for i in self.chosen["site_id"]]

    def summary(self) -> str:
        """Return a short report: the set, its coverage and proof, baselines, scenarios.

        Returns
        -------
        str
            The report, a line per fact and a table of the chosen sites.

        Examples
        --------
        >>> print(portfolio.summary().splitlines()[0])
        chose 2 site(s) for 'now' by coverage within 15 min drive: S001, S002
        """
        m = self.kpis
        unit = m["unit"]
        how = (
            "coverage within"
            if m["objective"] == Objective.COVERAGE
            else "p-median (least demand-weighted minutes), coverage within"
        )
        travel = "walk" if m["mode"] == "walk" else "drive"
        lines = [
            f"chose {m['k']} site(s) for {m['plan_for']!r} by {how} {m['minutes']:g} min "
            f"{travel}: {', '.join(self.site_ids)}"
        ]
        if m["existing"]:
            lines.append(
                f"with {len(m['existing'])} existing scheme(s) counted as open: "
                f"{', '.join(m['existing'][:10])}"
            )
        lines.append(
            f"covers {m['covered']:,.0f} of {m['demand_total']:,.0f} {unit} "
            f"({_pct(m['covered_share'])}); mean {m['mean_minutes']:.1f} min to the "
            "nearest open site"
        )
        if m["optimal"]:
            lines.append(f"optimal: {m['method']}")
        else:
            lines.append(
                f"not proven optimal: within {100 * m['gap']:.2f}% of the best possible "
                f"(proven bound {m['bound']:,.1f}); {m['method']}"
            )
        for b in m["baselines"]:
            gain = m["covered"] - b["covered"]
            lines.append(
                f"{b['baseline'].replace('the k', f'the {m["k"]}')} "
                f"({', '.join(b['sites'])}) cover {b['covered']:,.0f} "
                f"({_pct(b['covered_share'])}): this set covers {gain:+,.0f} "
                f"({_points(m['covered_share'] - b['covered_share'])})"
            )
        lines.append(f"{'site':<12} {'serves':>10} {'adds':>10} {'score':>6} {'mean min':>8}")
        for r in self.chosen.itertuples():
            score = "" if pd.isna(getattr(r, "score", np.nan)) else f"{r.score:.0f}"
            mean = "" if pd.isna(r.mean_minutes) else f"{r.mean_minutes:.1f}"
            lines.append(
                f"{r.site_id!s:<12} {r.serves:>10,.1f} {r.adds:>10,.1f} {score:>6} {mean:>8}"
            )
        if len(self.scenarios) > 1:
            for r in self.scenarios.itertuples():
                lines.append(
                    f"scenario {r.scenario}: demand {r.demand:,.0f}, its best set "
                    f"{r.chosen.replace(';', ' ')} covers {_pct(r.covered_share)}; the "
                    f"plan covers {_pct(r.plan_covered_share)}"
                )
            every = self.stability[self.stability.chosen_in == self.stability.shape[1] - 2]
            lines.append("chosen in every scenario: " + (", ".join(every.site_id) or "none"))
        if len(self.left_out):
            lines.append(
                f"left out: {len(self.left_out)} demand row(s), "
                f"{m['left_out_demand']:,.1f} {unit} (see left_out)"
            )
        lines += [f"note: {n}" for n in m["notes"]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Return a card of the set's numbers, its sites and where they are (no demand is drawn)."""
        from carezones.report.portfolio import portfolio_card

        return portfolio_card(self)

    def demand_cells(
        self, hex_m: float = 750.0, min_rows: int | None = None
    ) -> tuple[gpd.GeoDataFrame, int]:
        """Return the demand aggregated in hexagons: no client location is ever shown.

        Each hexagon of ``hex_m`` metres (centre to corner) has ``rows`` (demand rows),
        ``demand``, ``covered`` and ``not_covered`` (left-out rows count as not covered).
        Hexagons with fewer than ``min_rows`` rows are left out (default: 5 for clients, the
        carezones rule for maps; 1 for counts by area, already aggregates).

        Parameters
        ----------
        hex_m : float
            The hexagons' size, centre to corner, in metres.
        min_rows : int, optional
            The fewest demand rows a hexagon shown may hold.

        Returns
        -------
        cells : geopandas.GeoDataFrame
            ``rows``, ``demand``, ``covered``, ``not_covered`` and the hexagon (WGS84).
        hidden : int
            The number of demand rows in the hexagons left out.

        Examples
        --------
        >>> cells, hidden = portfolio.demand_cells()
        >>> len(cells), hidden
        (4, 8)
        """
        from carezones.privacy import MIN_GROUP, hexbin_sums

        if min_rows is None:
            min_rows = MIN_GROUP if self.kpis["demand_kind"] == DemandKind.CLIENTS else 1
        d = self.demand
        covered = (d["status"] == DemandStatus.COVERED).to_numpy()
        table = d[["geometry"]].assign(
            demand=d["weight"].to_numpy(float),
            covered=np.where(covered, d["weight"], 0.0),
            not_covered=np.where(~covered, d["weight"], 0.0),
        )
        cells, hidden = hexbin_sums(
            table,
            self.network.crs,
            ["demand", "covered", "not_covered"],
            hex_m=hex_m,
            min_count=min_rows,
        )
        return cells.rename(columns={"count": "rows"}), hidden

    def catchments(self, cell_m: float = 150.0) -> gpd.GeoDataFrame:
        """Return the area within the minutes of each open site (chosen and existing).

        For maps and layers: the squares of ``cell_m`` metres that the roads reachable within
        the minutes pass through (coverage itself is measured from exact travel times, not
        from these shapes). Computed afresh on each call (the files compute them once for the
        layer and the map).

        Parameters
        ----------
        cell_m : float
            The squares' side, in metres.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per site with ``site_id``, ``status`` (a :class:`~carezones.sites.SiteRole`:
            chosen or existing), ``minutes`` and the polygon (WGS84).

        Examples
        --------
        >>> portfolio.catchments()[["site_id", "status", "minutes"]]
          site_id  status  minutes
        0    S001  chosen     15.0
        1    S002  chosen     15.0
        """
        import geopandas as gpd

        existing = [] if self.existing is None else [str(i) for i in self.existing["site_id"]]
        ids = self.site_ids + existing
        status = [str(SiteRole.CHOSEN)] * len(self.chosen) + [str(SiteRole.EXISTING)] * len(
            existing
        )
        minutes = float(self.kpis["minutes"])
        geoms = []
        if ids:
            net = self.network
            times = net.times_to_nodes(np.array([self.access[i] for i in ids]))
            edges = net.edges
            for row in times:
                geoms.append(_reach_area(net, row, edges, minutes, cell_m))
        return gpd.GeoDataFrame(
            {"site_id": ids, "status": status, "minutes": [minutes] * len(ids)},
            geometry=geoms,
            crs="EPSG:4326",
        )

    def to_map(
        self,
        *,
        offline: bool = True,
        hex_m: float = 750.0,
        catchments: bool = True,
        candidates: bool = True,
        title: str = "Sites chosen together",
    ) -> MapLike:
        """Return a folium map of the sites chosen, their catchments and the demand's cells.

        Parameters
        ----------
        offline : bool, default True
            Embed Leaflet in the map; ``False`` links it from a CDN instead.
        hex_m : float, default 750
            Hexagon size (centre to corner) of the demand layer, in metres.
        catchments : bool, default True
            Draw the area within the minutes of each open site.
        candidates : bool, default True
            Draw the candidates not chosen.
        title : str
            The map's banner.

        Returns
        -------
        folium.Map
            The map (:func:`carezones.report.portfolio.portfolio_map`); ``.save(path)``
            writes it, notebooks show it.

        Examples
        --------
        >>> type(portfolio.to_map()).__name__
        'Map'
        """
        from carezones.report.portfolio import portfolio_map

        return portfolio_map(
            self,
            hex_m=hex_m,
            catchments=catchments,
            candidates=candidates,
            offline=offline,
            title=title,
        )

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
        """Write the tables, layers, map and summary; return the paths written.

        ``chosen.csv``, ``candidates.csv``, ``scenarios.csv``, ``demand.csv`` (no coordinates),
        ``left_out.csv``, ``portfolio.gpkg``, ``portfolio.html``, ``summary.json`` and
        ``summary.md`` (see :func:`carezones.report.portfolio.write_site_portfolio`).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> files = portfolio.to_files(tempfile.mkdtemp())
        >>> print(*sorted(path.name for path in files))  # doctest: +NORMALIZE_WHITESPACE
        candidates.csv chosen.csv demand.csv left_out.csv portfolio.gpkg portfolio.html
        scenarios.csv stability.csv summary.json summary.md
        """
        from carezones.report.portfolio import write_site_portfolio

        return write_site_portfolio(self, out_dir, offline=offline)


def _reach_area(
    net: RoadNetwork, to_nodes: FloatArray, edges: pd.DataFrame, minutes: float, cell: float
) -> shapely.Geometry:
    """Return the ``cell`` m squares that the roads reachable within ``minutes`` cross."""
    import shapely

    u, v, mins = edges.u.to_numpy(), edges.v.to_numpy(), edges.minutes.to_numpy(float)
    tu = to_nodes[u]
    ok = tu <= minutes
    if not ok.any():
        return shapely.Polygon()
    part = np.clip((minutes - tu[ok]) / np.where(mins[ok] > 0, mins[ok], 1.0), 0.0, 1.0)
    x0, y0 = net.x[u[ok]], net.y[u[ok]]
    dx, dy = (net.x[v[ok]] - x0) * part, (net.y[v[ok]] - y0) * part
    steps = np.maximum(1, np.ceil(np.hypot(dx, dy) / (cell / 2))).astype(np.int64)
    edge = np.repeat(np.arange(len(x0)), steps + 1)
    start = np.repeat(np.cumsum(steps + 1) - (steps + 1), steps + 1)
    frac = (np.arange(len(edge)) - start) / steps[edge]
    xs, ys = x0[edge] + dx[edge] * frac, y0[edge] + dy[edge] * frac
    sq = np.unique(np.column_stack([np.floor(xs / cell), np.floor(ys / cell)]), axis=0)
    boxes = shapely.box(
        sq[:, 0] * cell, sq[:, 1] * cell, (sq[:, 0] + 1) * cell, (sq[:, 1] + 1) * cell
    )
    area = shapely.simplify(shapely.coverage_union_all(boxes), cell / 3)
    return shapely.transform(area, lambda xy: np.column_stack(net.to_wgs84(xy[:, 0], xy[:, 1])))


def _pct(share: float) -> str:
    return "n/a" if share != share else f"{100 * share:.1f}%"


def _points(diff: float) -> str:
    return "n/a" if diff != diff else f"{100 * diff:+.1f} percentage points"
