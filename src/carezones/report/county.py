"""What a county plan and a comparison of designs show: maps, cards, the report and files.

:func:`county_map` colours zones by travel per hour of care and shows where travel costs as
hexagons of five or more clients. :func:`write_comparison` writes the comparison's folder::

    index.html          the comparison table, the chart, one map per design side by side
    designs.csv         one row per design (first column ``design``), the KPIs: each the
                        mean over the days planned, with ``_low`` and ``_high`` (the lowest
                        and highest day)
    summary.md, .json   the same, with the assumptions behind the demand and the teams
    designs/<name>/     map.html (zones by travel per care hour, where travel costs),
                        zones.csv (one row per zone or provider), unserved.csv,
                        zones/ (a carezones design's zone plan files),
                        rounds/ (itineraries.csv and one map per zone: the provider's own use,
                        they show visit locations)
    zones-and-sites.html, sites/
                        with sites chosen beside the designs (:func:`carezones.county.add_sites`):
                        the map of a design's zones and the sites, the set's files
                        (:mod:`carezones.report.county_sites`)

The report, the design maps and the CSVs carry no client's location: zones with fewer than five
clients have their numbers left out, and so have the smallest other zones with them, so that the
design's totals less the zones shown do not give them away (:func:`withheld_zones`). The folder
is written whole or not at all (:func:`~carezones.report.output_folder`); every value from a
user's file is escaped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.county.table import DESIGN_COLUMNS, WORKFORCE_KPIS
from carezones.io._cells import PathLike
from carezones.privacy import MIN_GROUP, hexbin
from carezones.report._write import file_names, output_folder, plain, write_csv
from carezones.report.county_chart import chart
from carezones.report.county_headline import headline, reading, table_cells
from carezones.report.county_notes import design_notes, notes_html, notes_json, notes_markdown
from carezones.report.county_zones import (
    COST_CLASSES,
    MARGINAL_CLASSES,
    _cost_colour,
    _why,
    _zones_layer,
    withheld_zones,
)
from carezones.report.html import escape, html_card
from carezones.report.maps import (
    add_context_roads,
    add_legend,
    add_zone_labels,
    base_map,
)
from carezones.report.markdown import escape_markdown, markdown_table

if TYPE_CHECKING:
    import folium

    from carezones.county import Comparison, CountyPlan, TravelRates
    from carezones.network import RoadNetwork

__all__ = [
    "COST_CLASSES",
    "MARGINAL_CLASSES",
    "comparison_card",
    "comparison_map",
    "county_map",
    "plan_card",
    "sweep_chart",
    "withheld_zones",
    "write_comparison",
    "write_county_plan",
]


# ---------------------------------------------------------------------- county plans
def county_map(
    plan: CountyPlan,
    *,
    marginal: pd.DataFrame | None = None,
    offline: bool = True,
    hex_m: float = 1500.0,
    min_cell_clients: int = MIN_GROUP,
) -> folium.Map:
    """Draw a design's day: zones coloured by travel per care hour, and where travel costs.

    Zones (when the design has polygons) carry their numbers in tooltips; zones of fewer than
    five clients, and those withheld with them (:func:`withheld_zones`), show no numbers.
    ``marginal`` (:func:`carezones.county.costs.marginal_travel`) adds hexagons of five or more
    clients coloured by their visits' mean marginal travel: never a client's location.
    """
    import folium

    net = _network(plan)
    title = f"{plan.name}: travel per hour of care"
    m = base_map(net, title=title, offline=offline)
    m.options["prefer_canvas"] = False  # SVG: a canvas prints blank in the report's frames
    if net.provenance.synthetic:
        add_context_roads(m, net)
    polys = plan.design.polygons
    if polys is not None:
        zones_layer = _zones_layer(plan, "Zones", min_cell_clients, show=True)
        zones_layer.add_to(m)
        add_zone_labels(m, zones_layer, polys)
    if marginal is not None and len(marginal):
        name = f"Marginal travel ({min_cell_clients}+ clients a cell)"
        layer, hidden = _marginal_layer(plan, marginal, name, hex_m, min_cell_clients, show=True)
        layer.add_to(m)
        note = (
            f"Hexagons of {hex_m / 1000:.1f} km with {min_cell_clients} or more clients; "
            f"{hidden} client(s) in smaller cells are not shown."
        )
        add_legend(
            m,
            "Travel each visit adds",
            [(c, f">= {lo:g} min a visit (mean)") for lo, c in MARGINAL_CLASSES],
            note,
        )
    if polys is not None:
        add_legend(
            m,
            "Zones: travel per care hour",
            [(c, f">= {lo:g} min") for lo, c in COST_CLASSES],
            side="right",
        )
    folium.LayerControl(collapsed=True).add_to(m)  # a button: the map stays visible
    _map_style(m)
    return m


def _map_style(m: folium.Map) -> None:
    """Name the layers button in words, and leave the buttons out when the map is printed.

    Leaflet's layers button is an image that an offline page does not have (an empty square);
    it reads "Layers" instead. Printed, in its page or in the report, the map has no buttons.
    """
    import folium

    root: Any = m.get_root()
    root.header.add_child(folium.Element(f"<style>{MAP_CSS}</style>"), name="cz_map_style")


MAP_CSS = (
    ".leaflet-control-layers a.leaflet-control-layers-toggle{background-image:none;width:auto;"
    "height:auto;padding:5px 9px;font:bold 12px sans-serif;color:#333;text-decoration:none}"
    '.leaflet-control-layers a.leaflet-control-layers-toggle::after{content:"Layers"}'
    "@media print{.leaflet-control-zoom,.leaflet-control-layers{display:none}}"
)


def comparison_map(comparison: Comparison, *, offline: bool = True) -> folium.Map:
    """Draw every design of a comparison on one map, a layer each (the first shown).

    A design with zone polygons shows its zones coloured by travel per care hour; one without
    (providers) shows where its travel costs, as hexagons of five or more clients.
    """
    import folium

    plans = list(comparison.plans.values())
    net = _network(plans[0])
    m = base_map(net, title="Zone designs compared: travel per hour of care", offline=offline)
    if net.provenance.synthetic:
        add_context_roads(m, net)
    for n, plan in enumerate(plans):
        if plan.design.polygons is not None:
            layer = _zones_layer(plan, f"{plan.name}: zones", MIN_GROUP, show=n == 0)
            add_zone_labels(m, layer, plan.design.polygons)
        else:
            name = f"{plan.name}: marginal travel"
            layer, _ = _marginal_layer(plan, plan.marginal, name, 1500.0, MIN_GROUP, show=n == 0)
        layer.add_to(m)
    add_legend(m, "Zones: travel per care hour", [(c, f">= {lo:g} min") for lo, c in COST_CLASSES])
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _network(plan: CountyPlan) -> RoadNetwork:
    if plan.network is None:
        raise ValueError(f"the plan of {plan.name!r} has no network to draw on")
    return plan.network


def _marginal_layer(
    plan: CountyPlan,
    marginal: pd.DataFrame,
    name: str,
    hex_m: float,
    min_cell_clients: int,
    *,
    show: bool,
) -> tuple[folium.FeatureGroup, int]:
    """Return a layer of hexagons coloured by their visits' mean marginal travel."""
    import folium
    import geopandas as gpd

    net = _network(plan)
    costs = folium.FeatureGroup(name=name, show=show)
    if not len(marginal):
        return costs, 0
    per_client = marginal.groupby("client_id").agg(
        lon=("lon", "first"),
        lat=("lat", "first"),
        minutes=("marginal_minutes", "sum"),
        visits=("marginal_minutes", "size"),
    )
    pts = gpd.GeoDataFrame(
        {"hours_per_week": per_client["minutes"].to_numpy()},  # summed per hexagon
        geometry=gpd.points_from_xy(per_client["lon"], per_client["lat"]),
        crs=4326,
    )
    hexes, hidden = hexbin(pts, net.crs, hex_m=hex_m, min_count=min_cell_clients)
    visits = pts.assign(hours_per_week=per_client["visits"].to_numpy())
    counts, _ = hexbin(visits, net.crs, hex_m=hex_m, min_count=min_cell_clients)
    for row, n_visits in zip(hexes.itertuples(index=False), counts["hours_per_week"], strict=True):
        per_visit = float(row.hours_per_week) / max(float(n_visits), 1.0)
        folium.Polygon(
            locations=[(y, x) for x, y in row.geometry.exterior.coords],
            color="#2c3e50",
            weight=1,
            fill=True,
            fill_color=_cost_colour(per_visit, MARGINAL_CLASSES),
            fill_opacity=0.7,
            tooltip=f"{int(row.clients)} clients: {per_visit:.1f} min of travel each visit "
            "adds to its round (mean)",
        ).add_to(costs)
    return costs, hidden


def plan_card(plan: CountyPlan) -> str:
    """Return a county plan's card for Jupyter: its numbers and each zone's (none of a few)."""
    k = plan.kpis
    rows = [
        ("teams", k["zones"]),
        ("carers", k["carers"]),
        ("visits", k["visits"]),
        ("visits unserved", k["visits_unserved"]),
        ("hours of care", k["care_hours"]),
        ("travel min per care hour", k["travel_minutes_per_care_hour"]),
        ("travel km", k["travel_km"]),
        ("rules broken", k["rule_violations"]),
    ]
    cols = ["zone", "clients", "visits", "care_hours", "travel_minutes_per_care_hour", "carers"]
    table = plan.zones[cols].copy()
    small = withheld_zones(plan.zones)
    table[cols[1:]] = table[cols[1:]].astype(float)
    table.loc[small, cols[1:]] = float("nan")  # too few clients, or withheld with them
    return html_card(f"County plan: {plan.name}", rows, table=table)


def comparison_card(comparison: Comparison) -> str:
    """Return a comparison's card for Jupyter: one row per design and the sweep's chart."""
    rows = [
        ("designs", len(comparison.table)),
        ("seconds", round(sum(comparison.seconds.values()), 1)),
    ]
    cols = [c for c in DESIGN_COLUMNS if c in comparison.table.columns and c != "kind"]
    return html_card(
        "Zone designs compared",
        rows,
        table=comparison.table[cols],
        thumbnail=comparison.chart_svg(560, 240),
    )


def write_comparison(
    comparison: Comparison, out_dir: PathLike, *, offline: bool = True, rounds_maps: bool = False
) -> list[Path]:
    """Write the comparison's report and every design's files; return the top-level paths.

    Parameters
    ----------
    comparison : carezones.county.Comparison
        The designs compared.
    out_dir : str or os.PathLike
        The folder (replaced whole; see :func:`carezones.io.output_folder`).
    offline : bool, default True
        Embed Leaflet in the maps (they then open with no internet).
    rounds_maps : bool, default False
        Also draw each zone's rounds on a map (the providers' own use: the maps show where
        visits are, so the report is then not shareable).

    Returns
    -------
    list of pathlib.Path
        ``index.html``, ``designs.csv``, ``summary.md``, ``summary.json`` and each design's
        folder.

    Raises
    ------
    OutputError
        When ``out_dir`` is a file, holds files carezones did not write, or cannot be written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> out = Path(tempfile.mkdtemp()) / "report"
    >>> files = write_comparison(comparison, out, rounds_maps=False)
    >>> [str(f.relative_to(out)) for f in files]  # doctest: +NORMALIZE_WHITESPACE
    ['index.html', 'designs.csv', 'summary.md', 'summary.json', 'designs/today',
     'designs/zones-2']
    """
    out = Path(out_dir)
    names = ["index.html", "designs.csv", "summary.md", "summary.json"]
    folders: dict[str, str] = {}
    brokered: dict[str, str] = {}
    with output_folder(out) as tmp:
        table = comparison.table
        write_csv(table, tmp / "designs.csv", index=False, float_format="%.3f")
        folders = file_names(comparison.plans, default="design")
        for name, plan in comparison.plans.items():
            d = tmp / "designs" / folders[name]
            _design_files(plan, d, comparison.rates, offline, rounds_maps)
            if name in comparison.zone_plans:
                comparison.zone_plans[name].to_files(d / "zones", offline=offline)
        brokered = file_names(comparison.allocations, default="today")
        for name, allocation in comparison.allocations.items():  # the model that made today
            allocation.to_files(tmp / "brokerage" / brokered[name], offline=offline)
        sites: list[Path] = []
        if comparison.sites is not None:  # the sites chosen beside the designs
            from carezones.report.county_sites import write_county_sites

            sites = [out / p.relative_to(tmp) for p in write_county_sites(comparison, tmp)]
        summary = _summary(comparison, folders)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        (tmp / "summary.md").write_text(_markdown(comparison, summary))
        (tmp / "index.html").write_text(_index(comparison, folders), encoding="utf-8")
    return (
        [out / n for n in names]
        + [out / "designs" / s for s in folders.values()]
        + [out / "brokerage" / s for s in brokered.values()]
        + sites
    )


def write_county_plan(
    plan: CountyPlan,
    out_dir: PathLike,
    *,
    offline: bool = True,
    rates: TravelRates | None = None,
) -> list[Path]:
    """Write one design's files: map, zones, unserved visits, rounds' stops and its numbers.

    Parameters
    ----------
    plan : CountyPlan
        The design's day.
    out_dir : str or os.PathLike
        The folder (replaced whole or not at all).
    offline : bool, default True
        Embed Leaflet in the map.
    rates : TravelRates, optional
        Stated rates: the zones' travel costs.

    Returns
    -------
    list of pathlib.Path
        ``map.html``, ``zones.csv``, ``unserved.csv``, ``rounds`` and ``summary.json``.

    Examples
    --------
    >>> import tempfile
    >>> [p.name for p in write_county_plan(plan, tempfile.mkdtemp())][:3]
    ['map.html', 'zones.csv', 'unserved.csv']
    """
    out = Path(out_dir)
    with output_folder(out) as tmp:
        _design_files(plan, tmp, rates, offline, rounds_maps=False, made=True)
        text = json.dumps(plain(plan.kpis), indent=2, ensure_ascii=False, allow_nan=False)
        (tmp / "summary.json").write_text(text + "\n", encoding="utf-8")
    return [out / n for n in ("map.html", "zones.csv", "unserved.csv", "rounds", "summary.json")]


def _design_files(
    plan: CountyPlan,
    folder: Path,
    rates: TravelRates | None,
    offline: bool,
    rounds_maps: bool,
    *,
    made: bool = False,
) -> None:
    """Write a design's map, zones, unserved visits and rounds into ``folder``."""
    if not made:
        folder.mkdir(parents=True)
    zones = plan.costed(rates)
    write_csv(_published(zones), folder / "zones.csv", index=False, float_format="%.3f")
    write_csv(plan.unserved, folder / "unserved.csv", index=False)
    plan.to_map(offline=offline).save(str(folder / "map.html"))
    _rounds_files(plan, folder / "rounds", offline, rounds_maps)


def _published(zones: pd.DataFrame) -> pd.DataFrame:
    """Return a design's zones as published: those of :func:`withheld_zones` lose their numbers."""
    out = zones.copy()
    small = withheld_zones(zones)
    cols = [c for c in out.columns if c != "zone"]
    out[cols] = out[cols].astype(object)
    out.loc[small, cols] = None
    out["note"] = [f"numbers not shown: {_why()}" if s else "" for s in small]
    return out


def _rounds_files(plan: CountyPlan, folder: Path, offline: bool, maps: bool) -> None:
    folder.mkdir(parents=True)
    it = plan.itineraries
    if len(it):
        write_csv(
            it.drop(columns=["lon", "lat", "leg"], errors="ignore"),
            folder / "itineraries.csv",
            index=False,
            float_format="%.2f",
        )
    readme = "These files are for the provider's own use: they show where visits are.\n"
    if maps:
        pages = file_names(plan.days, default="zone")  # unique and short, whatever the names
        for zone, day in plan.days.items():
            if day.rounds is None:
                raise ValueError(
                    "the rounds maps need the rounds whole: plan with "
                    "CountyOptions(rounds_maps=True)"
                )
            day.rounds.to_map(offline=offline).save(str(folder / f"{pages[zone]}.html"))
        readme += "\nThe map of each zone's rounds:\n" + "".join(
            f"  {pages[zone]}.html  {' '.join(str(zone).split())}\n" for zone in plan.days
        )
    (folder / "README.txt").write_text(readme, encoding="utf-8")


def _sites_json(comparison: Comparison) -> object:
    from carezones.report.county_sites import sites_json

    return plain(sites_json(comparison))  # JSON's types: the set's KPIs hold numpy numbers


def _summary(comparison: Comparison, folders: dict[str, str]) -> dict[str, Any]:
    first = next(iter(comparison.plans.values()))
    return {
        "designs": comparison.table.to_dict(orient="records"),
        "days": _days(comparison),
        "daily": {name: p.daily.to_dict(orient="records") for name, p in comparison.plans.items()},
        "differences": comparison.differences().to_dict(orient="records"),
        "workforce": {name: _workforce(p.kpis) for name, p in comparison.plans.items()},
        "folders": folders,
        "seconds": comparison.seconds,
        "demand": _summary_demand(comparison),
        "rates": None if comparison.rates is None else vars(comparison.rates),
        "attribution": _network(first).provenance.attribution,
        "synthetic": bool(_network(first).provenance.synthetic),
        "notes": notes_json(comparison),  # how each design was made; the viable hours
        "travel_profile": _network(first).kpis["travel_profile"],
        **({} if comparison.sites is None else {"sites": _sites_json(comparison)}),
    }


SPREAD_RULE = (
    "Every design is planned on the same days (the same visits each day), so each design is "
    "compared with today's day by day. A difference is larger than the day-to-day spread when "
    "it has the same sign on every day planned (the design does better each day, or worse "
    "each day); the lowest and highest day's difference are given. With one day there is no "
    "spread to judge by."
)
CARERS_RULE = (
    "The carers a design needs are counted from its rounds: the team planned (sized by the "
    "rule, and grown where visits were left over) is cut down by letting its lightest carers "
    "go one at a time while the others' rounds can take their visits, every rule kept, the "
    "same visits served; the carers whose rounds hold a visit are counted. Utilisation is "
    "care time over paid time (every shift part holding a visit, breaks included). With "
    "several days, each number is the mean over them."
)


def _days(comparison: Comparison) -> int:
    first = next(iter(comparison.plans.values()))
    return int(first.kpis.get("days", 1))


def _summary_demand(comparison: Comparison) -> dict[str, Any]:
    """Return the demand planned: the clients, the first day's visits and care, every day's."""
    first = next(iter(comparison.plans.values()))
    day = first.visits
    daily = first.daily
    return {
        "clients": int(first.kpis["clients"] + first.kpis["clients_unplanned"]),
        "visits": len(day),
        "care_hours": float((day["duration_minutes"] * day["carers_required"]).sum() / 60),
        "visits_by_day": [int(v) for v in daily["visits"]] if "visits" in daily else [len(day)],
    }


def _travel_line(comparison: Comparison) -> str:
    """Return the sentence saying whose travel times these are: the model's, or calibrated."""
    profile = _network(next(iter(comparison.plans.values()))).travel_profile
    if profile is None:
        return (
            "Travel times: the road model's own (no calibration profile: not checked against "
            "real journeys; see carezones calibrate)."
        )
    return (
        f"Travel times: calibrated by the travel profile '{profile.name}' (each drive leg "
        f"multiplier x model + overhead: urban {profile.urban.multiplier:g} x + "
        f"{profile.urban.overhead_minutes:g} min, rural {profile.rural.multiplier:g} x + "
        f"{profile.rural.overhead_minutes:g} min)."
    )


def _demand_line(demand: dict[str, Any], days: int) -> str:
    """Return the sentence saying what was planned: one day, or several and how they differ."""
    if days <= 1:
        return (
            f"One day: {demand['visits']:,} visits, {demand['care_hours']:,.0f} hours of care "
            "(every design the same visits and the same team rule)."
        )
    by_day = demand["visits_by_day"]
    return (
        f"{days} days, each a new draw of every client's calls from the weekly hours: "
        f"{min(by_day):,} to {max(by_day):,} visits a day (every design the same visits each "
        "day, and the same team rule). Each number is the mean over the days, with the lowest "
        "and highest day in brackets (designs.csv: _low and _high); each design's maps, zones "
        "and rounds are its first day's."
    )


def _spread_lines(comparison: Comparison) -> list[str]:
    from carezones.county.table import spread_sentence

    return [spread_sentence(row) for row in comparison.differences().to_dict(orient="records")]


def _workforce(kpis: dict[str, Any]) -> dict[str, Any]:
    """Return a design's carers from the rounds, the rule's estimate, time and shifts worked."""
    keys = (*WORKFORCE_KPIS, "shift_patterns")
    return {k: kpis.get(k) for k in keys}


def _workforce_lines(comparison: Comparison) -> list[str]:
    """Return one sentence per design: carers from the rounds against the rule, and shifts."""
    lines = []
    for name, plan in comparison.plans.items():
        w = _workforce(plan.kpis)
        estimate = (
            f"the rule's estimate {_count(w['carers_estimate'])}, "
            if w["carers_estimate"] is not None
            else ""
        )
        shifts = [
            f"{_count(w[k])} {label}"
            for k, label in (
                ("early", "early"),
                ("split", "split"),
                ("split_morning", "split (mornings only)"),
                ("split_evening", "split (evenings only)"),
                ("late", "late"),
                ("given", "as given"),
            )
            if w.get(k)
        ]
        lines.append(
            f"{name}: {_count(w['carers'])} carers from the rounds ({estimate}team planned "
            f"{_count(w['carers_planned'])}); utilisation {w['utilisation']:.0%}, "
            f"{w['travel_minutes_per_carer']:.0f} travel min per carer; shifts worked: "
            f"{', '.join(shifts) or 'none'} ({w['shift_patterns']})"
        )
    return lines


def _count(value: Any) -> str:
    """Return a count, or a mean of counts over days, in words: ``31`` or ``31.3``."""
    x = float(value)
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}"


def _markdown(comparison: Comparison, summary: dict[str, Any]) -> str:
    t = comparison.table
    lines = ["# Zone designs compared", ""]
    if summary["synthetic"]:
        lines += ["SYNTHETIC DATA: an invented county.", ""]
    lines += [f"**{escape_markdown(headline(comparison))}**", ""]
    dem = summary["demand"]
    lines += [_demand_line(dem, summary["days"]), "", escape_markdown(_travel_line(comparison)), ""]
    cols = [
        c
        for c in (
            "design",
            "zones",
            "carers",
            "travel_minutes_per_care_hour",
            "travel_km",
            "care_hours",
            "visits_unserved",
            "travel_cost_per_care_hour",
            "co2_kg",
        )
        if c in t.columns
    ]
    lines += [markdown_table(table_cells(t, cols)), "", escape_markdown(reading(comparison))]
    lines += ["", "## Is each difference from today larger than the day-to-day spread?", ""]
    lines += [SPREAD_RULE, ""]
    lines += [f"- {escape_markdown(x)}" for x in _spread_lines(comparison)] or ["- (none)"]
    lines += ["", "## Carers counted from the rounds", "", CARERS_RULE, ""]
    lines += [f"- {escape_markdown(x)}" for x in _workforce_lines(comparison)]
    lines += [""]
    if comparison.sites is not None:
        from carezones.report.county_sites import sites_markdown

        lines += sites_markdown(comparison)
    lines += notes_markdown(comparison, withheld_zones)
    lines += [escape_markdown(summary["attribution"]), ""]
    return "\n".join(lines).rstrip("\n") + "\n"  # a file ends with a newline


def _index(comparison: Comparison, folders: dict[str, str]) -> str:
    t = comparison.table
    first = next(iter(comparison.plans.values()))
    prov = _network(first).provenance
    cols = [
        c
        for c in (
            "design",
            "zones",
            "carers",
            "travel_minutes_per_care_hour",
            "travel_km",
            "care_hours",
            "visits_unserved",
            "travel_cost_per_care_hour",
            "co2_kg",
        )
        if c in t.columns
    ]
    cells = table_cells(t, cols)
    head = "".join(f"<th>{escape(c)}</th>" for c in cells.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(v)}</td>" for v in row) + "</tr>"
        for row in cells.itertuples(index=False)
    )
    spread = "".join(f"<li>{escape(x)}</li>" for x in _spread_lines(comparison))
    workforce = "".join(f"<li>{escape(x)}</li>" for x in _workforce_lines(comparison))
    made = design_notes(comparison)
    cards = []
    for name, slug in folders.items():
        links = [
            f'<a href="designs/{slug}/map.html">map (full page)</a>',
            f'<a href="designs/{slug}/zones.csv">zones.csv</a>',
            f'<a href="designs/{slug}/rounds/">rounds</a> (provider\'s own use)',
        ]
        if name in comparison.zone_plans:
            links.insert(1, f'<a href="designs/{slug}/zones/zones.html">zones</a>')
        cards.append(
            f'<section class="card design"><h3>{escape(name)}: travel per hour of care</h3>'
            f'<p class="made">{escape(made.get(name, ""))}</p>'
            f'<div class="frame"><iframe src="designs/{slug}/map.html" title="{escape(name)}: '
            f'map of travel per care hour"></iframe></div><p class="links">{" · ".join(links)}'
            "</p></section>"
        )
    chosen = ""
    if comparison.sites is not None:
        from carezones.report.county_sites import sites_html

        chosen = sites_html(comparison)
    banner = (
        '<p class="synthetic">SYNTHETIC DATA: an invented county, not a real place.</p>'
        if prov.synthetic
        else ""
    )
    svg = comparison.chart_svg(1000, 330)
    figure = (
        "<h2>Travel and carers against the number of zones</h2>"
        f'<figure class="chart">{svg}<figcaption>{escape(CHART_NOTE)}</figcaption></figure>'
        if svg
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zone designs compared</title>
<style>{REPORT_CSS}</style></head><body>
<h1>Zone designs compared</h1>{banner}
<p class="headline">{escape(headline(comparison))}</p>
<p>Every design is judged by the rounds it produces for the same days' visits, with the same rule
for sizing teams. Travel is per hour of care delivered; carers are those whose rounds hold a
visit. {escape(_demand_line(_summary_demand(comparison), _days(comparison)))}
{escape(_travel_line(comparison))}</p>
<table class="designs"><tr>{head}</tr>{body}</table>
<p class="reading">{escape(reading(comparison))} {escape(READ_MORE)}</p>
{notes_html(comparison, withheld_zones)}
<h2>Is each difference from today larger than the day-to-day spread?</h2>
<p>{escape(SPREAD_RULE)}</p><ul>{spread or "<li>(none)</li>"}</ul>
<h2>Carers counted from the rounds</h2><p>{escape(CARERS_RULE)}</p><ul>{workforce}</ul>
{figure}
<h2 class="designs-head">The designs</h2>
<p class="how">{escape(MAPS_NOTE)}</p>
{"".join(cards)}
{chosen}
<p class="links"><a href="designs.csv">designs.csv</a> · <a href="summary.md">summary.md</a> ·
<a href="summary.json">summary.json</a></p>
<p><small>{escape(prov.attribution)}</small></p></body></html>
"""


CHART_NOTE = (
    "Each panel is one measure with its own scale. Points: the carezones zone designs, by "
    "number of zones, each labelled with its value. Dashed lines: today's designs, one per "
    "design of today, labelled with its name and value. Lower is better in both."
)
MAPS_NOTE = (
    "Each design's map (its first day): zones coloured by travel minutes per hour of care, and "
    "hexagons of five or more clients coloured by the travel each visit adds to its round, "
    "where rural packages are likely to be handed back. Zones of fewer than five clients show "
    "no numbers. Point at a zone or a hexagon for its numbers; the layers button (top right) "
    "turns layers on and off."
)
READ_MORE = (
    "carezones' documentation explains each section, column and assumption: "
    '"How to read the county report" (docs/how/read-county-report.md) and "Concepts" '
    "(docs/concepts.md)."
)
REPORT_CSS = """
body{font:14px/1.45 sans-serif;margin:20px auto;max-width:1260px;padding:0 20px;color:#222}
.headline{font-size:16px;border-left:5px solid #2471a3;background:#f3f7fb;padding:10px 14px}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left} th{background:#f4f4f4;vertical-align:bottom}
table.designs td{white-space:nowrap}
.synthetic{font-weight:bold} .made{color:#555;margin:2px 0 6px}
figure.chart{margin:0} figure.chart svg{max-width:100%;height:auto}
figcaption{color:#555;max-width:1000px}
.card iframe{display:block;width:1200px;max-width:100%;height:760px;border:1px solid #ccc;
  box-sizing:border-box}
.design{margin:0 0 24px} table.sites td:last-child{text-align:left;max-width:520px}
@media print{
  @page{size:A4;margin:12mm}
  body{margin:0;padding:0;max-width:none;font-size:10pt}
  .headline{font-size:12pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  table,figure,.headline,.reading{break-inside:avoid}
  .design,.wide{break-before:page}
  .frame{height:441px;overflow:hidden}
  .frame iframe{width:1200px;max-width:none;transform:scale(.58);transform-origin:0 0}
  .links,.how{display:none}
  a{color:inherit;text-decoration:none}
}
"""


def sweep_chart(sweep: pd.DataFrame, table: pd.DataFrame, width: int, height: int) -> str:
    """Return an SVG chart of travel per care hour and carers needed against zones.

    Two panels, one per measure with its own axis and unit. The carezones designs are points
    by number of zones, each labelled with its value (joined by a line only when there are
    several numbers of zones); each of today's designs is a dashed line of its own colour,
    labelled with its name and value, and a legend says what each mark is
    (:mod:`carezones.report.county_chart`). With several days planned
    (``<kpi>_low``/``<kpi>_high`` columns), each point has a bar from the lowest to the
    highest day, and each line of today a band.

    Parameters
    ----------
    sweep : pandas.DataFrame
        The carezones designs' rows (:meth:`Comparison.sweep`).
    table : pandas.DataFrame
        Every design's row (the others are today's, drawn as lines).
    width, height : int
        The chart's size in pixels.

    Returns
    -------
    str
        SVG markup (empty when the sweep is).

    Examples
    --------
    >>> svg = sweep_chart(comparison.sweep(), comparison.table, 560, 260)
    >>> svg.count('class="mark design"'), svg.count('class="mark today"')  # one per measure
    (2, 2)
    >>> svg.count("<polyline")  # one number of zones: labelled points, no curve
    0
    """
    return chart(sweep, table, width, height)
