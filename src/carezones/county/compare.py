"""Several designs side by side on identical demand: :func:`compare_designs`.

The designs are today's allocation (zone polygons, or each client's provider) and carezones
zones for a sweep of numbers of zones. Every design gets the same visits and the same team
rule, all their zones' days run as one batch of tasks (so two workers stay busy), and the result
(:class:`Comparison`) holds one row per design and the curve of travel per care hour and carers
needed against the number of zones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.county.brokerage import Allocation
from carezones.county.costs import TravelRates
from carezones.county.options import CountyInputs, CountyOptions
from carezones.county.plan import CountyPlan, Design, plan_designs
from carezones.county.table import DESIGN_COLUMNS, design_table, differences, spread_sentence
from carezones.errors import ArgumentError, check_integer

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.county.sites import CountySites
    from carezones.io._cells import PathLike
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike
    from carezones.zones import ZonePlan

__all__ = ["Comparison", "compare_designs"]


@dataclass(frozen=True)
class Comparison:
    """Designs compared on identical demand: what :func:`compare_designs` returns.

    Parameters
    ----------
    plans : dict
        Design name -> :class:`~carezones.county.CountyPlan`.
    table : pandas.DataFrame
        One row per design (first column ``design``): the KPIs in :data:`DESIGN_COLUMNS`, and
        ``co2_kg`` and ``travel_cost_per_care_hour`` when a factor or rates are stated.
    zone_plans : dict, optional
        Design name -> the :class:`~carezones.ZonePlan` of each carezones design.
    rates : TravelRates, optional
        The rates the costs were computed with (``None``: no costs).
    seconds : dict, optional
        Where the time went: ``zones_s`` (designing zones), ``rounds_s`` (every zone's day).
    allocations : dict, optional
        Design name -> the :class:`~carezones.county.Allocation` (brokerage model) that made
        it, for the designs given as one; written with the report under ``brokerage/``.
    sites : CountySites, optional
        The sites chosen beside the designs (:func:`~carezones.county.add_sites`): the report
        then has a section "Sites chosen" and a map of a design's zones with the sites.

    Examples
    --------
    The examples of the methods below use ``comparison``: twelve clients of the tiny
    synthetic county, served by town teams today, against two carezones zones:

    >>> from carezones import CountyOptions, compare_designs
    >>> comparison = compare_designs(clients.head(12), net, designs={"today": "town"},
    ...                              zone_counts=[2],
    ...                              options=CountyOptions(iterations=50, workers=1))
    >>> comparison.table[["design", "zones", "carers", "visits_unserved"]]
        design  zones  carers  visits_unserved
    0    today      4       8                0
    1  zones-2      2       6                0
    """

    plans: dict[str, CountyPlan]
    table: pd.DataFrame
    zone_plans: dict[str, ZonePlan] = field(default_factory=dict)
    rates: TravelRates | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    allocations: dict[str, Allocation] = field(default_factory=dict)
    sites: CountySites | None = None

    def __repr__(self) -> str:
        """One line: the designs compared and the days, never a client (``summary()`` for more)."""
        days = max((len(p.daily) for p in self.plans.values()), default=1) or 1
        return f"Comparison(designs={list(self.plans)}, days={days})"

    @property
    def kpis(self) -> dict[str, Any]:
        """The comparison's numbers: each design's headline figures, and where time went.

        Examples
        --------
        >>> comparison.kpis["designs"], comparison.kpis["by_design"]["today"]["carers"]
        (2, 8)
        """
        cols = [c for c in DESIGN_COLUMNS if c in self.table.columns and c != "design"]
        by_design = {
            str(row["design"]): {c: row[c] for c in cols}
            for row in self.table.to_dict(orient="records")
        }
        out = {"designs": len(self.table), "by_design": by_design, **self.seconds}
        if self.sites is not None:
            m = self.sites.portfolio.kpis
            out["sites"] = {
                key: m[key]
                for key in ("k", "chosen", "plan_for", "covered", "covered_share", "mean_minutes")
            }
        return out

    def _repr_html_(self) -> str:
        from carezones.report.county import comparison_card

        return comparison_card(self)

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Return one map of every design: each design's zones (or where its travel costs).

        One layer per design, the first shown; zones are coloured by travel per care hour
        and zones of fewer than five clients show no numbers.

        Parameters
        ----------
        offline : bool, default True
            Embed Leaflet in the page, so that it works without the internet.

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(comparison.to_map()).__name__
        'Map'
        """
        from carezones.report.county import comparison_map

        return comparison_map(self, offline=offline)

    def sweep(self) -> pd.DataFrame:
        """Return the carezones designs' rows by number of zones (the curve).

        Returns
        -------
        pandas.DataFrame
            The rows of :attr:`table` that are carezones designs, by number of zones.

        Examples
        --------
        >>> comparison.sweep()[["design", "zones", "carers"]]
            design  zones  carers
        0  zones-2      2       6
        """
        rows = self.table[self.table["design"].isin(self.zone_plans.keys())]
        return rows.sort_values("zones").reset_index(drop=True)

    @property
    def references(self) -> list[str]:
        """The designs the others are compared with: today's (every design not carezones').

        Examples
        --------
        >>> comparison.references
        ['today']
        """
        return [name for name in self.plans if name not in self.zone_plans]

    def differences(self) -> pd.DataFrame:
        """Return each design's difference from today's, day by day, and whether it is clear.

        Every design is planned on the same days, so each day's difference is paired; a
        difference is clear when it has the same sign on every day
        (:mod:`carezones.county.table`).

        Returns
        -------
        pandas.DataFrame
            As :func:`carezones.county.table.differences` returns it.

        Examples
        --------
        >>> comparison.differences()[["design", "kpi", "difference", "clear"]].round(1)
            design                           kpi  difference  clear
        0  zones-2  travel_minutes_per_care_hour         2.1  False
        1  zones-2                        carers        -2.0  False
        """
        return differences(self.plans, self.references, self.rates)

    def summary(self) -> str:
        """Return the comparison as a few readable lines.

        Returns
        -------
        str
            One line per design: teams, carers, travel per care hour, visits unserved.

        Examples
        --------
        >>> for line in comparison.summary().splitlines():
        ...     print(line.strip())
        today:   4 teams,    8 carers,   1.7 travel min per care hour, 0 of 22 visits unserved
        zones-2:   2 teams,    6 carers,   3.8 travel min per care hour, 0 of 22 visits unserved
        zones-2 vs today: +2.1 travel min per care hour (one day: no spread to judge it by)
        """
        lines = []
        days = int(next(iter(self.plans.values())).kpis.get("days", 1)) if self.plans else 1
        if days > 1:
            lines.append(f"means of {days} days (the lowest and highest day in the table)")
        for r in self.table.itertuples():
            lines.append(
                f"{r.design:>12}: {r.zones:3d} teams, {r.carers:4,.0f} carers, "
                f"{r.travel_minutes_per_care_hour:5.1f} travel min per care hour, "
                f"{r.visits_unserved:,.0f} of {r.visits:,.0f} visits unserved"
            )
        diff = self.differences()
        for row in diff[diff["kpi"] == "travel_minutes_per_care_hour"].to_dict("records"):
            lines.append(spread_sentence(row))
        if self.sites is not None:
            told = self.sites.portfolio.summary().splitlines()
            lines += [f"sites: {x}" for x in told if x is told[0] or x.startswith("covers ")]
        return "\n".join(lines)

    def chart_svg(self, width: int = 560, height: int = 260) -> str:
        """Return an SVG chart: travel per care hour and carers needed against zones.

        Parameters
        ----------
        width, height : int, default 560, 260
            The chart's size in pixels.

        Returns
        -------
        str
            SVG markup (see :func:`sweep_chart`).

        Examples
        --------
        >>> comparison.chart_svg(360, 200)[:60]
        '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="'
        """
        from carezones.report.county import sweep_chart

        return sweep_chart(self.sweep(), self.table, width, height)

    def to_files(
        self, out_dir: PathLike, *, offline: bool = True, rounds_maps: bool = False
    ) -> list[Path]:
        """Write the report: ``index.html``, ``designs.csv``, per-design files, summaries.

        With sites chosen beside the designs (:func:`~carezones.county.add_sites`), the index
        has a section "Sites chosen", and ``zones-and-sites.html`` and ``sites/`` are written
        too (:mod:`carezones.report.county_sites`).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The report's folder (replaced whole; see :func:`carezones.report.output_folder`).
        offline : bool, default True
            Embed Leaflet in the maps, so that they work without the internet.
        rounds_maps : bool, default False
            Also draw each zone's rounds on a map: for the providers' own use (the maps show
            where visits are, so the report is not shareable with them), and slow for a county
            (some minutes for a hundred zones and providers).

        Returns
        -------
        list of pathlib.Path
            What was written, under ``out_dir``.

        Raises
        ------
        OutputError
            When ``out_dir`` cannot be written
            (see :func:`carezones.report.county.write_comparison`).

        Examples
        --------
        >>> import tempfile
        >>> files = comparison.to_files(tempfile.mkdtemp(), rounds_maps=False)
        >>> [f.name for f in files]
        ['index.html', 'designs.csv', 'summary.md', 'summary.json', 'today', 'zones-2']
        """
        from carezones.report.county import write_comparison

        return write_comparison(self, out_dir, offline=offline, rounds_maps=rounds_maps)


def compare_designs(
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    designs: Mapping[str, ZonePlan | gpd.GeoDataFrame | str | Design | Allocation] | None = None,
    zone_counts: Sequence[int] = (),
    inputs: CountyInputs | None = None,
    options: CountyOptions | None = None,
    progress: bool | Callable[[int, int], None] | None = None,
) -> Comparison:
    """Compare designs on identical demand: today's, and carezones zones for each count.

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    network : RoadNetwork
        The drive network.
    designs : mapping, optional
        Name -> design (a :class:`~carezones.ZonePlan`, zone polygons with ``zone_id``, the
        name of a column giving each client's provider, e.g. ``{"today": "provider"}``, or an
        :class:`~carezones.county.Allocation` made by a brokerage model, kept with the result).
    zone_counts : sequence of int, optional
        Numbers of zones to design with :func:`carezones.build_zones` (``zones-<k>``), drawn
        around every building of the network's OSM file, as ``carezones zones`` draws them
        (never around the carers' homes).
    inputs : CountyInputs, optional
        Real data instead of the model: a real day's visits, real shifts, and where carers may
        live (see :class:`~carezones.county.CountyInputs`).
    options : CountyOptions, optional
        The zones' balance tolerance, the seed (of the zones and of the days), iterations,
        care pattern, team rule, stated rates (each design's travel cost per hour of care),
        emission factor, workers or a Dask client.
    progress : bool or callable, optional
        As for :func:`carezones.county.plan_designs`.

    Returns
    -------
    Comparison
        The designs' plans, one row per design, and the sweep's zone plans.

    Raises
    ------
    ArgumentError
        When there is nothing to compare, two designs share a name, or an argument is not
        valid.
    ValidationError
        When a design leaves a client without a team.

    Examples
    --------
    >>> from carezones import CountyOptions, compare_designs
    >>> opts = CountyOptions(iterations=50, workers=1)
    >>> comparison = compare_designs(clients.head(12), net, designs={"today": "town"},
    ...                              zone_counts=[2], options=opts)
    >>> comparison.table.design.tolist(), list(comparison.zone_plans)
    (['today', 'zones-2'], ['zones-2'])
    >>> compare_designs(clients, net)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: nothing to compare: give designs or zone_counts
    """
    opts = CountyOptions() if options is None else options
    if not isinstance(opts, CountyOptions):
        raise ArgumentError(f"options must be a CountyOptions, not {type(opts).__name__}")
    chosen: dict[str, ZonePlan | gpd.GeoDataFrame | str | Design | Allocation] = dict(designs or {})
    bars = progress if progress is None or isinstance(progress, bool) else False
    own = _early_cluster(opts, bool(zone_counts))
    try:
        run = replace(opts, client=own) if own is not None else opts
        return _compare(chosen, zone_counts, clients, network, inputs, run, bars, progress)
    finally:
        if own is not None:
            own.close()
            own.cluster.close()


def _early_cluster(opts: CountyOptions, designing: bool) -> Any:
    """Start the local cluster before the zones are designed, so that it is ready after them.

    Only when this call would start one anyway (no ``client``, more than one worker) and there
    are zones to design meanwhile.
    """
    from carezones.parallel import default_workers, local_client, unguarded_script

    if opts.client is not None or opts.workers == 1 or not designing:
        return None
    if unguarded_script() is not None:  # the tasks run here, and say why
        return None
    if opts.workers is None and default_workers() < 2:
        return None
    return local_client(opts.workers)


def _compare(
    chosen: dict[str, ZonePlan | gpd.GeoDataFrame | str | Design | Allocation],
    zone_counts: Sequence[int],
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    inputs: CountyInputs | None,
    opts: CountyOptions,
    bars: bool | None,
    progress: bool | Callable[[int, int], None] | None,
) -> Comparison:
    """Design the zones, plan every design's day and tabulate them (see compare_designs)."""
    from carezones.zones import ZoneOptions, build_zones

    t0 = time.perf_counter()
    zone_plans: dict[str, ZonePlan] = {}
    for k in zone_counts:
        k = check_integer("zone count", k, minimum=1)
        name = f"zones-{k}"
        if name in chosen:
            raise ArgumentError(f"two designs are called {name!r}")
        zone_opts = ZoneOptions(tolerance=opts.tolerance, seed=opts.seed)
        zone_plans[name] = build_zones(clients, network, k, options=zone_opts, progress=bars)
        chosen[name] = zone_plans[name]
    if not chosen:
        raise ArgumentError("nothing to compare: give designs or zone_counts")
    allocations = {n: d for n, d in chosen.items() if isinstance(d, Allocation)}
    chosen.update({n: a.design(n) for n, a in allocations.items()})
    zones_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    plans = plan_designs(chosen, clients, network, inputs=inputs, options=opts, progress=progress)
    rounds_s = time.perf_counter() - t0
    table = design_table(plans, opts.rates)
    seconds = {"zones_s": zones_s, "rounds_s": rounds_s}
    return Comparison(plans, table, zone_plans, opts.rates, seconds, allocations)
