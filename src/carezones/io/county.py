"""Write a comparison of designs: the report (``index.html``), ``designs.csv`` and each design.

::

    index.html          the comparison table, the chart, one map per design side by side
    designs.csv         one row per design (first column ``design``), the KPIs
    summary.md, .json   the same, with the assumptions behind the demand and the teams
    designs/<name>/     map.html (zones by travel per care hour, where travel costs),
                        zones.csv (one row per zone or provider), unserved.csv,
                        zones/ (a carezones design's zone plan files),
                        rounds/ (itineraries.csv and one map per zone: the provider's own use,
                        they show visit locations)

The report, the design maps and the CSVs carry no client's location: zones with fewer than five
clients have their numbers left out, and where travel costs is shown as hexagons of five or
more clients. The folder is written whole or not at all (:func:`carezones.io.output_folder`).
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from carezones.io._cells import PathLike
from carezones.io._write import output_folder, write_csv

__all__ = ["write_comparison"]

MIN_PUBLISHED = 5
ZONE_NUMBERS = [
    "clients",
    "visits",
    "visits_served",
    "care_hours",
    "travel_minutes",
    "travel_km",
    "travel_minutes_per_care_hour",
    "carers",
    "early",
    "split",
    "late",
    "shift_utilisation",
]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "design"


def write_comparison(
    comparison: Any, out_dir: PathLike, *, offline: bool = True, rounds_maps: bool = False
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
    with output_folder(out) as tmp:
        table = comparison.table
        write_csv(table, tmp / "designs.csv", index=False, float_format="%.3f")
        for name, plan in comparison.plans.items():
            slug = folders[name] = _slug(name)
            d = tmp / "designs" / slug
            d.mkdir(parents=True)
            zones = plan.costed(comparison.rates)
            write_csv(_published(zones), d / "zones.csv", index=False, float_format="%.3f")
            write_csv(plan.unserved, d / "unserved.csv", index=False)
            plan.to_map(offline=offline).save(str(d / "map.html"))
            if name in comparison.zone_plans:
                comparison.zone_plans[name].to_files(d / "zones", offline=offline)
            _rounds_files(plan, d / "rounds", offline, rounds_maps)
        summary = _summary(comparison, folders)
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        (tmp / "summary.md").write_text(_markdown(comparison, summary))
        (tmp / "index.html").write_text(_index(comparison, folders), encoding="utf-8")
    return [out / n for n in names] + [out / "designs" / s for s in folders.values()]


def _published(zones: pd.DataFrame) -> pd.DataFrame:
    """Zones with fewer than five clients keep their name but lose their numbers."""
    out = zones.copy()
    small = out["clients"] < MIN_PUBLISHED
    cols = [c for c in out.columns if c != "zone"]
    out[cols] = out[cols].astype(object)
    out.loc[small, cols] = None
    out["note"] = ["fewer than 5 clients: numbers not shown" if s else "" for s in small]
    return out


def _rounds_files(plan: Any, folder: Path, offline: bool, maps: bool) -> None:
    folder.mkdir(parents=True)
    it = plan.itineraries
    if len(it):
        write_csv(
            it.drop(columns=["lon", "lat", "leg"]),
            folder / "itineraries.csv",
            index=False,
            float_format="%.2f",
        )
    if maps:
        for zone, day in plan.days.items():
            day.rounds.to_map(offline=offline).save(str(folder / f"{_slug(zone)}.html"))
    (folder / "README.txt").write_text(
        "These files are for the provider's own use: they show where visits are.\n"
    )


def _summary(comparison: Any, folders: dict[str, str]) -> dict[str, Any]:
    first = next(iter(comparison.plans.values()))
    day = first.visits
    return {
        "designs": comparison.table.to_dict(orient="records"),
        "folders": folders,
        "seconds": comparison.seconds,
        "demand": {
            "clients": int(first.kpis["clients"] + first.kpis["clients_unplanned"]),
            "visits": len(day),
            "care_hours": float((day["duration_minutes"] * day["carers_required"]).sum() / 60),
        },
        "rates": None if comparison.rates is None else vars(comparison.rates),
        "attribution": first.network.provenance.attribution,
        "synthetic": bool(first.network.provenance.synthetic),
    }


def _markdown(comparison: Any, summary: dict[str, Any]) -> str:
    t = comparison.table
    lines = ["# Zone designs compared", ""]
    if summary["synthetic"]:
        lines += ["SYNTHETIC DATA: an invented county.", ""]
    dem = summary["demand"]
    lines += [
        f"One day: {dem['visits']:,} visits, {dem['care_hours']:,.0f} hours of care "
        "(every design the same visits and the same team rule).",
        "",
    ]
    cols = [
        c
        for c in (
            "design",
            "zones",
            "carers",
            "travel_minutes_per_care_hour",
            "travel_km",
            "visits_unserved",
            "travel_cost_per_care_hour",
            "co2_kg",
        )
        if c in t.columns
    ]
    lines += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in t[cols].itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    lines += ["", summary["attribution"], ""]
    return "\n".join(lines)


def _cell(v: Any) -> str:
    return f"{v:,.1f}" if isinstance(v, float) else str(v)


def _index(comparison: Any, folders: dict[str, str]) -> str:
    t = comparison.table
    first = next(iter(comparison.plans.values()))
    prov = first.network.provenance
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
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in t[cols].itertuples(index=False)
    )
    cards = []
    for name, slug in folders.items():
        links = [
            f'<a href="designs/{slug}/map.html">map</a>',
            f'<a href="designs/{slug}/zones.csv">zones.csv</a>',
            f'<a href="designs/{slug}/rounds/">rounds</a> (provider\'s own use)',
        ]
        if name in comparison.zone_plans:
            links.insert(1, f'<a href="designs/{slug}/zones/zones.html">zones</a>')
        cards.append(
            f'<div class="card"><h3>{escape(name)}</h3><iframe src="designs/{slug}/map.html" '
            f'title="{escape(name)}" loading="lazy"></iframe><p>{" · ".join(links)}</p></div>'
        )
    banner = (
        '<p class="synthetic">SYNTHETIC DATA: an invented county, not a real place.</p>'
        if prov.synthetic
        else ""
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zone designs compared</title>
<style>
body{{font:14px/1.4 sans-serif;margin:20px;max-width:1400px}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:3px 8px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}
.grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}}
.card iframe{{width:100%;height:340px;border:1px solid #ccc}} .synthetic{{font-weight:bold}}
</style></head><body>
<h1>Zone designs compared</h1>{banner}
<p>Every design is judged by the rounds it produces for the same day's visits, with the same rule
for sizing teams. Travel is per hour of care delivered; carers are the teams' sizes.</p>
<table><tr>{head}</tr>{body}</table>
<h2>Travel and carers against the number of zones</h2>{comparison.chart_svg()}
<h2>The designs</h2><div class="grid">{"".join(cards)}</div>
<p><a href="designs.csv">designs.csv</a> · <a href="summary.md">summary.md</a> ·
<a href="summary.json">summary.json</a></p>
<p><small>{escape(prov.attribution)}</small></p></body></html>
"""
