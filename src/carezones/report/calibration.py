"""What a calibration shows: the profile file, the legs, the scatter chart, the map of classes.

Written by :meth:`Calibration.to_files <carezones.calibration.Calibration.to_files>`:

- ``travel-profile.toml``: the profile, for ``--travel-profile`` and
  :meth:`TravelProfile.load <carezones.network.TravelProfile.load>`;
- ``legs.csv``: every leg, named by its carer, date and number in the day only (never a
  place), with its class, the model's, the observed and the calibrated minutes, and whether
  its date was held out;
- ``holdout.csv``: the median absolute error of the held-out legs before and after, per class;
- ``observed-vs-modelled.svg``: the legs' observed minutes against the model's, with the line
  of the model alone and each class's calibrated line;
- ``summary.md`` and ``summary.json``: the summary and the numbers;
- ``classes.html``: the roads coloured by class (which places count as urban), no visit drawn;
- ``urban-areas.geojson``, for a profile fitted with the rural-urban classification: the urban
  units joined into one area (public data: no visit in it), which ``travel-profile.toml`` names
  and must be kept beside.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import shapely

from carezones.io._cells import PathLike
from carezones.network.profile import CLASSES, AreaRule
from carezones.report._write import output_folder, plain, write_csv
from carezones.report.html import escape, html_card
from carezones.report.maps import _add_legend, base_map

if TYPE_CHECKING:
    import folium

    from carezones.calibration import Calibration

__all__ = ["calibration_card", "calibration_map", "scatter_svg", "write_calibration"]

COLOURS = {"urban": "#c0392b", "rural": "#2471a3"}
LEGS_CSV_COLUMNS = [
    "carer_id",
    "date",
    "seq",
    "leg_class",
    "modelled_minutes",
    "observed_minutes",
    "predicted_minutes",
    "held_out",
]


def scatter_svg(
    calibration: Calibration, width: int = 560, height: int = 380, max_points: int = 3000
) -> str:
    """Return an SVG chart of the legs' observed minutes against the model's.

    Each leg is a dot coloured by class (held-out legs hollow). The dashed grey line is the
    model alone (observed = model), each class's solid line its calibration. With more legs
    than ``max_points``, an even sample of them is drawn (the caption says how many).

    Parameters
    ----------
    calibration : Calibration
        The calibration.
    width, height : int
        The chart's size in pixels.
    max_points : int, default 3000
        The most legs drawn.

    Returns
    -------
    str
        SVG markup.

    Examples
    --------
    >>> svg = scatter_svg(calibration)
    >>> svg.startswith("<svg"), svg.count("<line") >= 3
    (True, True)
    """
    legs = calibration.legs
    n = len(legs)
    pick = np.arange(n)
    if n > max_points:
        pick = np.linspace(0, n - 1, max_points).round().astype(np.int64)
    shown = legs.iloc[pick]
    x = shown["modelled_minutes"].to_numpy(dtype=float)
    y = shown["observed_minutes"].to_numpy(dtype=float)
    x_hi = float(np.quantile(legs["modelled_minutes"], 0.99)) * 1.05 if n else 1.0
    y_hi = float(np.quantile(legs["observed_minutes"], 0.98)) * 1.05 if n else 1.0
    x_hi, y_hi = max(x_hi, 1.0), max(y_hi, 1.0)
    left, right, top, bottom = 50, 16, 16, 46
    w, h = width - left - right, height - top - bottom

    def px(v: float) -> float:
        return left + min(v, x_hi) / x_hi * w

    def py(v: float) -> float:
        return top + h - min(v, y_hi) / y_hi * h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="observed against modelled minutes of each leg" style="font:12px sans-serif">',
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" stroke="#999"/>',
    ]
    cls = shown["leg_class"].to_numpy()
    held = shown["held_out"].to_numpy(dtype=bool)
    for xi, yi, c, hi in zip(x, y, cls, held, strict=True):
        colour = COLOURS.get(str(c), "#555")
        fill = "none" if hi else colour
        parts.append(
            f'<circle cx="{px(xi):.1f}" cy="{py(yi):.1f}" r="1.8" fill="{fill}" '
            f'stroke="{colour}" stroke-width="0.6" opacity="0.55"/>'
        )
    top_model = min(x_hi, y_hi)
    parts.append(
        f'<line x1="{px(0):.1f}" y1="{py(0):.1f}" x2="{px(top_model):.1f}" '
        f'y2="{py(top_model):.1f}" stroke="#666" stroke-width="1.5" stroke-dasharray="5,4">'
        "<title>the model alone: observed = modelled</title></line>"
    )
    for c in CLASSES:
        t = calibration.profile.times(c)
        x_end = min(x_hi, (y_hi - t.overhead_minutes) / t.multiplier) if t.multiplier else x_hi
        x_end = max(x_end, 0.0)
        parts.append(
            f'<line x1="{px(0):.1f}" y1="{py(t.overhead_minutes):.1f}" x2="{px(x_end):.1f}" '
            f'y2="{py(t.minutes(x_end)):.1f}" stroke="{COLOURS[c]}" stroke-width="2">'
            f"<title>{c}: {t.multiplier:.2f} × model + {t.overhead_minutes:.1f} min</title></line>"
        )
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        xv, yv = frac * x_hi, frac * y_hi
        parts.append(
            f'<text x="{px(xv):.1f}" y="{top + h + 16}" text-anchor="middle">{xv:.0f}</text>'
            f'<text x="{left - 6}" y="{py(yv) + 4:.1f}" text-anchor="end">{yv:.0f}</text>'
        )
    sample = f" ({len(shown):,} of {n:,} legs shown)" if len(shown) < n else f" ({n:,} legs)"
    parts.append(
        f'<text x="{left + w / 2:.1f}" y="{height - 8}" text-anchor="middle">modelled minutes'
        f"{sample}</text>"
        f'<text x="14" y="{top + h / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {top + h / 2:.1f})">observed minutes (gap)</text>'
    )
    legend_y = top + 14
    for i, (label, colour) in enumerate(
        (("urban (hollow: held out)", COLOURS["urban"]), ("rural", COLOURS["rural"]))
    ):
        parts.append(
            f'<circle cx="{left + 12}" cy="{legend_y + 16 * i - 4}" r="4" fill="{colour}"/>'
            f'<text x="{left + 22}" y="{legend_y + 16 * i}">{escape(label)}</text>'
        )
    parts.append(
        f'<text x="{left + 12}" y="{legend_y + 32}" fill="#666">- - model alone</text></svg>'
    )
    return "".join(parts)


def calibration_card(calibration: Calibration) -> str:
    """Return a calibration's card for Jupyter: the profile, the errors and the chart.

    Parameters
    ----------
    calibration : Calibration
        The calibration.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> "Travel profile" in calibration_card(calibration)
    True
    """
    k = calibration.kpis
    rows: list[tuple[str, object]] = [("profile", calibration.profile.name)]
    for c in ("urban", "rural"):
        rows.append(
            (
                f"{c} legs",
                f"{k[f'{c}_multiplier']:.2f} × model + {k[f'{c}_overhead_minutes']:.1f} min",
            )
        )
    rows += [
        ("legs fitted", k["legs"]),
        ("held-out error before (min)", k["mae_before_minutes"]),
        ("held-out error after (min)", k["mae_after_minutes"]),
    ]
    return html_card(
        "Travel profile",
        rows,
        note="; ".join(calibration.notes),
        thumbnail=scatter_svg(calibration, 260, 190, max_points=600),
    )


def calibration_map(calibration: Calibration, *, offline: bool = True) -> folium.Map:
    """Return a map of the roads coloured by class: where legs count as urban or rural.

    A road is drawn urban when its middle is an urban place by the profile's rule (a leg is
    urban when both its ends are). No visit, client or carer is drawn.

    Parameters
    ----------
    calibration : Calibration
        The calibration.
    offline : bool
        Embed Leaflet in the page (default).

    Returns
    -------
    folium.Map
        The map.

    Examples
    --------
    >>> type(calibration_map(calibration)).__name__
    'Map'
    """
    import folium

    net = calibration.network
    title = f"Travel profile {calibration.profile.name}: urban and rural roads"
    m = base_map(net, title=title, offline=offline)
    roads = net.edges_gdf()
    middles = shapely.line_interpolate_point(roads.geometry.to_numpy(), 0.5, normalized=True)
    lonlat = np.column_stack([shapely.get_x(middles), shapely.get_y(middles)])
    urban = np.zeros(len(lonlat), dtype=bool)
    if len(lonlat):
        urban = net.urban_places(lonlat, calibration.profile.rule)
    for c in CLASSES:
        mask = urban if c == "urban" else ~urban
        group = folium.FeatureGroup(name=f"{c} roads", show=True)
        if mask.any():
            merged = shapely.set_precision(
                shapely.line_merge(shapely.union_all(roads.geometry.to_numpy()[mask])), 1e-5
            )
            feature = {
                "type": "Feature",
                "properties": {"class": c},
                "geometry": shapely.geometry.mapping(merged),
            }
            style = {"color": COLOURS[c], "weight": 2, "opacity": 0.85}
            folium.GeoJson(feature, style_function=lambda _f, s=style: s).add_to(group)
        group.add_to(m)
    profile = calibration.profile
    items = [
        (COLOURS[c], f"{c}: {t.multiplier:.2f} × model + {t.overhead_minutes:.1f} min")
        for c, t in (("urban", profile.urban), ("rural", profile.rural))
    ]
    _add_legend(m, "Leg classes", items, note=profile.rule.describe(), side="right")
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _legs_table(calibration: Calibration) -> pd.DataFrame:
    """Return the legs as ``legs.csv`` holds them: no place, rounded minutes."""
    legs = calibration.legs[LEGS_CSV_COLUMNS].copy()
    for col in ("modelled_minutes", "observed_minutes", "predicted_minutes"):
        legs[col] = legs[col].round(3)
    return legs


def _summary_md(calibration: Calibration) -> str:
    """Return ``summary.md``."""
    p = calibration.profile
    prov = p.provenance
    lines = [
        f"# Travel profile `{p.name}`",
        "",
        "A drive leg between two different places takes **multiplier × the model's minutes + "
        "overhead**; a place to itself takes 0 minutes. Use it with `--travel-profile "
        "travel-profile.toml` on any command, or `network.with_profile(TravelProfile.load(...))`.",
        "",
        "| class | multiplier | overhead (min) | legs | noise (min) | legs with a wait "
        "| mean wait (min) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in CLASSES:
        fit, t = calibration.fits[c], p.times(c)
        legs = "all legs together" if calibration.pooled[c] else f"{fit.legs:,}"
        lines.append(
            f"| {c} | {t.multiplier:.3f} | {t.overhead_minutes:.2f} | {legs} | "
            f"{fit.noise_minutes:.2f} | {fit.wait_share:.0%} | {fit.mean_wait_minutes:.1f} |"
        )
    lines += [
        "",
        f"Classes: {p.rule.describe()}.",
        "",
        "## Held-out dates",
        "",
        f"{len(calibration.held_out_dates)} date(s) held out (not fitted on): "
        f"{', '.join(calibration.held_out_dates) or 'none'}. Median absolute error of their "
        "legs' times, waits included:",
        "",
        "| legs | held-out legs | model alone (min) | calibrated (min) |",
        "|---|---:|---:|---:|",
    ]
    for row in calibration.holdout.itertuples():
        lines.append(
            f"| {row.leg_class} | {row.legs:,} | {row.mae_before_minutes:.2f} | "
            f"{row.mae_after_minutes:.2f} |"
        )
    n = calibration.counts
    lines += [
        "",
        "## The log",
        "",
        f"{n.visits:,} visits on {n.carer_days:,} carer-days; {n.consecutive:,} pairs of "
        f"consecutive visits, of which {n.same_place:,} at the same place, {n.unroutable:,} "
        f"unroutable and {n.breaks:,} breaks (left out); {n.legs:,} legs.",
    ]
    if prov is not None:
        lines += [
            "",
            f"Fitted on `{prov.source}` ({prov.first_date} to {prov.last_date})"
            + (f" at {prov.fitted_at}" if prov.fitted_at else "")
            + f"; method: {prov.method}.",
        ]
    lines += [f"- note: {n}" for n in calibration.notes]
    lines += ["", "![observed against modelled minutes](observed-vs-modelled.svg)", ""]
    return "\n".join(lines).rstrip("\n") + "\n"  # a file ends with a newline


def write_calibration(
    calibration: Calibration, out_dir: PathLike, *, offline: bool = True
) -> list[Path]:
    """Write a calibration's files (see the module's list) into a folder, whole or not at all.

    Parameters
    ----------
    calibration : Calibration
        The calibration.
    out_dir : str or os.PathLike
        The folder (replaced whole or not at all).
    offline : bool
        Embed Leaflet in the map (default).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_calibration(calibration, tempfile.mkdtemp())
    >>> paths[0].name, "lat" in paths[1].read_text().splitlines()[0]
    ('travel-profile.toml', False)
    """
    out = Path(out_dir)
    names = [
        "travel-profile.toml",
        "legs.csv",
        "holdout.csv",
        "observed-vs-modelled.svg",
        "summary.md",
        "summary.json",
        "classes.html",
    ]
    with output_folder(out) as tmp:
        (tmp / names[0]).write_text(calibration.profile.to_toml(), encoding="utf-8")
        write_csv(_legs_table(calibration), tmp / names[1], index=False)
        write_csv(calibration.holdout.round(3), tmp / names[2], index=False)
        (tmp / names[3]).write_text(scatter_svg(calibration), encoding="utf-8")
        (tmp / names[4]).write_text(_summary_md(calibration), encoding="utf-8")
        counts = calibration.counts
        summary = {
            "kpis": calibration.kpis,
            "profile": calibration.profile.describe(),
            "rule": calibration.profile.rule.describe(),
            "held_out_dates": list(calibration.held_out_dates),
            "counts": dataclasses.asdict(counts),
            "notes": list(calibration.notes),
            "attribution": calibration.network.provenance.attribution,
        }
        (tmp / names[5]).write_text(
            json.dumps(plain(summary), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        calibration_map(calibration, offline=offline).save(str(tmp / names[6]))
        rule = calibration.profile.rule
        if isinstance(rule, AreaRule):  # the urban units, which the profile names
            (tmp / rule.file).write_text(rule.geojson(), encoding="utf-8")
            names.append(rule.file)
    return [out / n for n in names]
