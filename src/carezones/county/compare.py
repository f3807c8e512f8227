"""Several designs side by side on identical demand: :func:`compare_designs`.

The designs are today's allocation (zone polygons, or each client's provider) and carezones
zones for a sweep of numbers of zones. Every design gets the same visits and the same team
rule, all their zones' days run as one batch of tasks (so two workers stay busy), and the result
(:class:`Comparison`) holds one row per design and the curve of travel per care hour and carers
needed against the number of zones.
"""

from __future__ import annotations

import html
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.county.costs import TravelRates, zone_costs
from carezones.county.plan import CountyPlan, plan_designs
from carezones.errors import ArgumentError, check_integer

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.network import RoadNetwork

__all__ = ["DESIGN_COLUMNS", "Comparison", "compare_designs"]

DESIGN_COLUMNS = [
    "design",
    "kind",
    "zones",
    "clients",
    "visits",
    "visits_served",
    "visits_unserved",
    "care_hours",
    "travel_minutes",
    "travel_minutes_per_care_hour",
    "travel_km",
    "carers",
    "care_hours_per_carer",
    "rule_violations",
]


@dataclass
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

    Examples
    --------
    The examples of the methods below use ``comparison``: twelve clients of the tiny
    synthetic county, served by town teams today, against two carezones zones:

    >>> from carezones import compare_designs
    >>> comparison = compare_designs(clients.head(12), net, designs={"today": "town"},
    ...                              zone_counts=[2], iterations=50, workers=1)
    >>> comparison.table[["design", "zones", "carers", "visits_unserved"]]
        design  zones  carers  visits_unserved
    0    today      4      10                0
    1  zones-2      2       8                0
    """

    plans: dict[str, CountyPlan]
    table: pd.DataFrame
    zone_plans: dict[str, Any] = field(default_factory=dict)
    rates: TravelRates | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def _repr_html_(self) -> str:
        from carezones.report.html import html_card

        rows = [("designs", len(self.table)), ("seconds", round(sum(self.seconds.values()), 1))]
        cols = [c for c in DESIGN_COLUMNS if c in self.table.columns and c != "kind"]
        return html_card(
            "Zone designs compared",
            rows,
            table=self.table[cols],
            thumbnail=self.chart_svg(360, 200),
        )

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
        0  zones-2      2       8
        """
        rows = self.table[self.table["design"].isin(self.zone_plans.keys())]
        return rows.sort_values("zones").reset_index(drop=True)

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
        today:   4 teams,   10 carers,   1.7 travel min per care hour, 0 of 22 visits unserved
        zones-2:   2 teams,    8 carers,   3.8 travel min per care hour, 0 of 22 visits unserved
        """
        lines = []
        for r in self.table.itertuples():
            lines.append(
                f"{r.design:>12}: {r.zones:3d} teams, {r.carers:4d} carers, "
                f"{r.travel_minutes_per_care_hour:5.1f} travel min per care hour, "
                f"{r.visits_unserved} of {r.visits:,} visits unserved"
            )
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
        return sweep_chart(self.sweep(), self.table, width, height)

    def to_files(
        self, out_dir: Any, *, offline: bool = True, rounds_maps: bool = False
    ) -> list[Any]:
        """Write the report: ``index.html``, ``designs.csv``, per-design files, summaries.

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
    designs: Mapping[str, Any] | None = None,
    zone_counts: Sequence[int] = (),
    tolerance: float = 0.05,
    homes: Any = None,
    rates: TravelRates | None = None,
    seed: int = 0,
    **plan: Any,
) -> Comparison:
    """Compare designs on identical demand: today's, and carezones zones for each count.

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    network : RoadNetwork
        The drive network.
    designs : mapping, optional
        Name -> design (a :class:`~carezones.ZonePlan`, zone polygons with ``zone_id``, or the
        name of a column giving each client's provider), e.g. ``{"today": "provider"}``.
    zone_counts : sequence of int, optional
        Numbers of zones to design with :func:`carezones.build_zones` (``zones-<k>``), drawn
        around every building of the network's OSM file, as ``carezones zones`` draws them
        (never around the carers' homes).
    tolerance : float, default 0.05
        The zones' balance tolerance.
    homes : array-like, optional
        Where carers may live, ``(n, 2)`` lon/lat: residential buildings (e.g.
        ``network.buildings.homes``) or the carers' own homes. Default: road junctions (see
        :func:`carezones.county.plan_designs`).
    rates : TravelRates, optional
        Stated rates: each design's travel cost per hour of care (none without rates).
    seed : int, default 0
        Seed of the zones and of the days.
    **plan
        Passed to :func:`carezones.county.plan_designs` (``visits``, ``pattern``, ``rule``,
        ``iterations``, ``workers``, ``client``, ``co2_kg_per_km``, ``progress``).

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
    >>> from carezones import compare_designs
    >>> comparison = compare_designs(clients.head(12), net, designs={"today": "town"},
    ...                              zone_counts=[2], iterations=50, workers=1)
    >>> comparison.table.design.tolist(), list(comparison.zone_plans)
    (['today', 'zones-2'], ['zones-2'])
    >>> compare_designs(clients, net)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: nothing to compare: give designs or zone_counts
    """
    seed = check_integer("seed", seed, minimum=0)
    chosen: dict[str, Any] = dict(designs or {})
    zone_plans: dict[str, Any] = {}
    shown = plan.get("progress")  # a caller's own callback: no bars of ours besides it
    bars = shown if shown is None or isinstance(shown, bool) else False
    own = _early_cluster(plan, bool(zone_counts))
    try:
        return _compare(
            chosen,
            zone_plans,
            zone_counts,
            clients,
            network,
            tolerance,
            seed,
            homes,
            bars,
            rates,
            {**plan, "client": own} if own else plan,
        )
    finally:
        if own is not None:
            own.close()
            own.cluster.close()


def _early_cluster(plan: dict[str, Any], designing: bool) -> Any:
    """Start the local cluster before the zones are designed, so that it is ready after them.

    Only when this call would start one anyway (no ``client``, more than one worker) and there
    are zones to design meanwhile.
    """
    from carezones.parallel import default_workers, local_client

    workers = plan.get("workers")
    if plan.get("client") is not None or workers == 1 or not designing:
        return None
    if workers is None and default_workers() < 2:
        return None
    return local_client(workers)


def _compare(
    chosen: dict[str, Any],
    zone_plans: dict[str, Any],
    zone_counts: Any,
    clients: Any,
    network: Any,
    tolerance: float,
    seed: int,
    homes: Any,
    bars: Any,
    rates: Any,
    plan: dict[str, Any],
) -> Comparison:
    """Design the zones, plan every design's day and tabulate them (see compare_designs)."""
    from carezones.zones import ZoneOptions, build_zones

    t0 = time.perf_counter()
    for k in zone_counts:
        k = check_integer("zone count", k, minimum=1)
        name = f"zones-{k}"
        if name in chosen:
            raise ArgumentError(f"two designs are called {name!r}")
        options = ZoneOptions(tolerance=tolerance, seed=seed)
        zone_plans[name] = build_zones(clients, network, k, options=options, progress=bars)
        chosen[name] = zone_plans[name]
    if not chosen:
        raise ArgumentError("nothing to compare: give designs or zone_counts")
    zones_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    plans = plan_designs(chosen, clients, network, homes=homes, seed=seed, **plan)
    rounds_s = time.perf_counter() - t0
    table = design_table(plans, rates)
    return Comparison(plans, table, zone_plans, rates, {"zones_s": zones_s, "rounds_s": rounds_s})


def design_table(plans: Mapping[str, CountyPlan], rates: TravelRates | None) -> pd.DataFrame:
    """Return one row per design: the KPIs of :data:`DESIGN_COLUMNS` (and costs, CO2).

    Parameters
    ----------
    plans : mapping of str to CountyPlan
        The designs' plans.
    rates : TravelRates or None
        Stated rates: adds ``travel_cost`` and ``travel_cost_per_care_hour``.

    Returns
    -------
    pandas.DataFrame
        One row per design, in the order of ``plans``.

    Examples
    --------
    >>> from carezones import TravelRates
    >>> table = design_table(comparison.plans, TravelRates(per_hour=12.0, per_mile=0.45))
    >>> table[["design", "carers", "travel_cost_per_care_hour"]].round(2)
        design  carers  travel_cost_per_care_hour
    0    today      10                       0.61
    1  zones-2       8                       1.66
    """
    rows: list[dict[str, Any]] = []
    for name, p in plans.items():
        k = p.kpis
        row = {c: k.get(c) for c in DESIGN_COLUMNS}
        row["design"] = name
        row["care_hours_per_carer"] = float(k["care_hours"]) / k["carers"] if k["carers"] else 0.0
        if "co2_kg" in k:
            row["co2_kg"] = k["co2_kg"]
        if rates is not None:
            costs = zone_costs(p.zones, rates)
            care = float(costs["care_hours"].sum())
            cost = float(costs["travel_cost"].sum())
            row["travel_cost"] = cost
            row["travel_cost_per_care_hour"] = cost / care if care else 0.0
        rows.append(row)
    return pd.DataFrame(rows)


def sweep_chart(sweep: pd.DataFrame, table: pd.DataFrame, width: int, height: int) -> str:
    """Return an SVG line chart of travel per care hour and carers needed against zones.

    Today's design, when there is one, is a dashed horizontal line of each measure.

    Parameters
    ----------
    sweep : pandas.DataFrame
        The carezones designs' rows (:meth:`Comparison.sweep`).
    table : pandas.DataFrame
        Every design's row (the others are drawn dashed).
    width, height : int
        The chart's size in pixels.

    Returns
    -------
    str
        SVG markup (empty when the sweep is).

    Examples
    --------
    >>> svg = sweep_chart(comparison.sweep(), comparison.table, 560, 260)
    >>> svg.count("<polyline"), svg.count('stroke-dasharray="5,4"')  # two curves, today dashed
    (2, 2)
    """
    if sweep.empty:
        return ""
    pad, w, h = 46, width - 92, height - 70
    xs = sweep["zones"].to_numpy(dtype=float)
    x0, x1 = float(xs.min()), float(max(xs.max(), xs.min() + 1))
    others = table[~table["design"].isin(sweep["design"])]

    def px(x: float) -> float:
        return pad + (x - x0) / (x1 - x0) * w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'role="img" aria-label="travel per care hour and carers against zones" '
        'style="font:12px sans-serif">'
    ]
    series = (
        ("travel_minutes_per_care_hour", "#c0392b", "travel min per care hour", False),
        ("carers", "#2471a3", "carers needed", True),
    )
    for col, colour, label, right in series:
        ys = sweep[col].to_numpy(dtype=float)
        ref = others[col].to_numpy(dtype=float) if len(others) else ys[:0]
        lo = 0.0
        hi = float(max([*ys, *ref, 1.0])) * 1.1

        def py(y: float, lo: float = lo, hi: float = hi) -> float:
            return 20 + h - (y - lo) / (hi - lo) * h

        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{pts}"/>')
        for x, y in zip(xs, ys, strict=True):
            tip = f"<title>{label}: {y:.1f} with {x:.0f} zones</title>"
            parts.append(
                f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}">{tip}</circle>'
            )
        for name, y in zip(others["design"], ref, strict=True):
            tip = f"<title>{html.escape(str(name))}: {label} {y:.1f}</title>"
            parts.append(
                f'<line x1="{pad}" x2="{pad + w}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
                f'stroke="{colour}" stroke-dasharray="5,4" opacity="0.7">'
                f"{tip}</line>"
            )
        axis_x = pad + w if right else pad
        anchor = "start" if right else "end"
        shift = 6 if right else -6
        for frac in (0.0, 0.5, 1.0):
            y = lo + frac * (hi - lo) / 1.1
            parts.append(
                f'<text x="{axis_x + shift}" y="{py(y) + 4:.1f}" text-anchor="{anchor}" '
                f'fill="{colour}">{y:.0f}</text>'
            )
        parts.append(
            f'<text x="{pad + (w if right else 0)}" y="12" fill="{colour}" '
            f'text-anchor="{"end" if right else "start"}">{label}</text>'
        )
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{height - 30}" text-anchor="middle">{x:.0f}</text>')
    parts.append(
        f'<text x="{pad + w / 2:.1f}" y="{height - 10}" text-anchor="middle">number of '
        "zones (dashed: today)</text></svg>"
    )
    return "".join(parts)
