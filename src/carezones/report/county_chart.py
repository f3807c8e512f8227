"""The county report's chart: travel per care hour and carers needed against the number of zones.

Two panels, one per measure, each with its own axis and unit, so that no mark stands for two
measures. In each panel the carezones designs are points by number of zones, each labelled
with its value (joined by a line only when there are several numbers of zones: one zone count
is a labelled point, not a curve), and each of today's designs (a provider column, zones as
given, or a brokerage model: several todays give several lines) is a horizontal line of its
own colour and dash, labelled at its end with its name and value. A legend under the panels
says what each mark is. With several days planned (``<kpi>_low``/``<kpi>_high`` columns), each
point has a bar from the lowest to the highest day and each line of today a band.

Every mark is an SVG group ``<g class="mark design">`` (a zone design) or ``<g class="mark
today">`` (a design of today) with ``data-design`` and ``data-measure``, holding its label: the
chart is tested, and read by screen readers, mark by mark. Every name is escaped.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.report.html import escape

__all__ = ["MEASURES", "chart"]

MEASURES = (  # (column, panel title, unit of a label)
    ("travel_minutes_per_care_hour", "Travel minutes per hour of care", "min"),
    ("carers", "Carers needed on the day", "carers"),
)
"""The chart's panels: one measure each."""

_ZONES = "#2471a3"  # the carezones designs, in both panels
_TODAY = [  # (colour, dash) of each design of today, in order
    ("#c0392b", "6,4"),
    ("#6c3483", "2,3"),
    ("#117a65", "10,3,2,3"),
    ("#b9770e", "4,2"),
    ("#424949", "1,4"),
]
_HALO = 'stroke="#fff" stroke-width="3" paint-order="stroke"'  # a label readable over lines
_CHAR = 6.4  # the width of a character of 11 px sans-serif, roughly (for the layout)
_LABEL = 18  # the longest name of today written beside its line (the legend has it whole)


def chart(sweep: pd.DataFrame, table: pd.DataFrame, width: int, height: int) -> str:
    """Return the SVG chart (see the module docstring); empty when ``sweep`` is.

    Parameters
    ----------
    sweep : pandas.DataFrame
        The carezones designs' rows, by number of zones.
    table : pandas.DataFrame
        Every design's row (those not in ``sweep`` are today's).
    width, height : int
        The chart's size in pixels.

    Returns
    -------
    str
        SVG markup.
    """
    if sweep.empty:
        return ""
    others = table[~table["design"].isin(sweep["design"])]
    days = _has_days(sweep) or _has_days(others)
    legend = _legend(sweep, others, days, width)
    legend_h = 18 * len(legend)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="Travel minutes per hour of '
        "care and carers needed, against the number of zones, with today's designs as lines\" "
        'style="font:11px sans-serif">'
    ]
    gap = 24
    panel_w = (width - gap) / 2
    for i, (col, title, unit) in enumerate(MEASURES):
        box = (i * (panel_w + gap), 0.0, panel_w, height - legend_h - 4)
        parts += _panel(sweep, others, (col, title, unit), box)
    y = height - legend_h + 10
    for row in legend:
        x = 4.0
        for swatch, text in row:
            parts.append(swatch.format(x=x, y=y))
            parts.append(f'<text x="{x + 26:.1f}" y="{y + 4:.1f}">{escape(text)}</text>')
            x += 26 + _CHAR * len(text) + 18
        y += 18
    parts.append("</svg>")
    return "".join(parts)


def _panel(
    sweep: pd.DataFrame,
    others: pd.DataFrame,
    measure: tuple[str, str, str],
    box: tuple[float, float, float, float],
) -> list[str]:
    """Return one measure's panel: its title, axes, the zone designs and today's lines."""
    col, title, unit = measure
    bx, by, bw, bh = box
    xs = sweep["zones"].to_numpy(dtype=float)
    ys = sweep[col].to_numpy(dtype=float)
    ys_lo, ys_hi = _day_range(sweep, col)
    ref = others[col].to_numpy(dtype=float) if len(others) else np.zeros(0)
    ref_lo, ref_hi = _day_range(others, col)
    names = [_short(str(n)) for n in others["design"]]
    labels = [f"{n} {_value(v, unit)}" for n, v in zip(names, ref, strict=True)]
    right = min(max([_CHAR * len(t) for t in labels] + [0.0]) + 10, bw * 0.45)
    left, top, bottom = 40.0, 34.0, 36.0
    x0p, x1p = bx + left, bx + bw - right
    y0p, y1p = by + top, by + bh - bottom
    if len(xs) == 1:  # one zone count: the point in the middle
        lo_x, hi_x = float(xs[0]) - 1, float(xs[0]) + 1
    else:
        pad = float(xs.max() - xs.min()) * 0.08
        lo_x, hi_x = float(xs.min()) - pad, float(xs.max()) + pad
    top_y = _nice_top(float(max([*ys, *ys_hi, *ref, *ref_hi, 1.0])), counts=unit == "carers")

    def px(x: float) -> float:
        return x0p + (x - lo_x) / (hi_x - lo_x) * (x1p - x0p)

    def py(y: float) -> float:
        return y1p - y / top_y * (y1p - y0p)

    out = [
        f'<text x="{bx + 2:.1f}" y="{by + 14:.1f}" font-weight="bold" font-size="12">'
        f"{escape(title)}</text>"
    ]
    step = top_y / 4
    for k in range(5):  # gridlines and the axis's numbers
        v = k * step
        out.append(
            f'<line x1="{x0p:.1f}" x2="{x1p:.1f}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
            f'stroke="#ddd"/><text x="{x0p - 5:.1f}" y="{py(v) + 4:.1f}" text-anchor="end" '
            f'fill="#555">{_tick(v)}</text>'
        )
    for x in xs:
        out.append(f'<text x="{px(x):.1f}" y="{y1p + 15:.1f}" text-anchor="middle">{x:.0f}</text>')
    out.append(
        f'<text x="{(x0p + x1p) / 2:.1f}" y="{y1p + 30:.1f}" text-anchor="middle" '
        'fill="#555">number of zones</text>'
    )
    spots = _spread([py(v) for v in ref], 12.0)
    for n, (name, y, a, b) in enumerate(zip(others["design"], ref, ref_lo, ref_hi, strict=True)):
        colour, dash = _TODAY[n % len(_TODAY)]
        days = f" (days: {_value(a, unit)} to {_value(b, unit)})" if a != b else ""
        tip = f"<title>{escape(name)}: {_value(y, unit)}{days}</title>"
        band = (
            f'<rect class="range" x="{x0p:.1f}" width="{x1p - x0p:.1f}" y="{py(b):.1f}" '
            f'height="{max(py(a) - py(b), 0.5):.1f}" fill="{colour}" opacity="0.12"/>'
            if a != b
            else ""
        )
        out.append(
            f'<g class="mark today" data-design="{escape(name)}" data-measure="{col}">{tip}'
            f'{band}<line x1="{x0p:.1f}" x2="{x1p:.1f}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{x1p + 4:.1f}" y="{spots[n] + 4:.1f}" fill="{colour}" {_HALO}>'
            f"{escape(labels[n])}</text></g>"
        )
    if len(xs) > 1:
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        out.append(f'<polyline fill="none" stroke="{_ZONES}" stroke-width="2" points="{pts}"/>')
    for name, x, y, a, b in zip(sweep["design"], xs, ys, ys_lo, ys_hi, strict=True):
        days = f" (days: {_value(a, unit)} to {_value(b, unit)})" if a != b else ""
        tip = f"<title>{escape(name)}: {_value(y, unit)} with {x:.0f} zones{days}</title>"
        bar = (
            f'<path class="range" d="M{px(x) - 4:.1f},{py(a):.1f}h8M{px(x):.1f},{py(a):.1f}'
            f'V{py(b):.1f}M{px(x) - 4:.1f},{py(b):.1f}h8" stroke="{_ZONES}" '
            'stroke-width="1.5" fill="none"/>'
            if a != b
            else ""
        )
        above, below = min(py(b), py(y)) - 9, max(py(a), py(y)) + 16
        lines = [py(v) for v in ref]  # today's lines: the label goes where they are not
        label_y = max((above, below), key=lambda t: min([abs(t - 4 - v) for v in lines] + [99]))
        out.append(
            f'<g class="mark design" data-design="{escape(name)}" data-measure="{col}">{tip}{bar}'
            f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="4" fill="{_ZONES}"/>'
            f'<text x="{px(x):.1f}" y="{label_y:.1f}" text-anchor="middle" fill="{_ZONES}" '
            f'font-weight="bold" {_HALO}>{escape(_value(y, unit))}</text></g>'
        )
    return out


def _legend(
    sweep: pd.DataFrame, others: pd.DataFrame, days: bool, width: int
) -> list[list[tuple[str, str]]]:
    """Return the legend's rows of (swatch template, text), wrapped to the chart's width."""
    items = [
        (
            f'<circle cx="{{x}}" cy="{{y}}" r="4" transform="translate(11,0)" fill="{_ZONES}"/>',
            "carezones zone designs, by number of zones",
        )
    ]
    for n, name in enumerate(others["design"]):
        colour, dash = _TODAY[n % len(_TODAY)]
        items.append(
            (
                f'<path d="M{{x}},{{y}}h22" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{dash}"/>',
                "today" if name == "today" else f"today ({name})",
            )
        )
    if days:
        items.append(
            (
                f'<path d="M{{x}},{{y}}m11,-6v12m-4,-12h8m-8,12h8" stroke="{_ZONES}" fill="none"/>',
                "bars and bands: the lowest to the highest day",
            )
        )
    rows: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    for swatch, text in items:
        need = 26 + _CHAR * len(text) + 18
        if rows[-1] and used + need > width:
            rows.append([])
            used = 0.0
        rows[-1].append((swatch, text))
        used += need
    return rows


def _spread(ys: list[float], gap: float) -> list[float]:
    """Return the labels' heights moved apart, each at least ``gap`` from the next."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    out = list(ys)
    for prev, cur in itertools.pairwise(order):
        out[cur] = max(out[cur], out[prev] + gap)
    return out


def _nice_top(value: float, *, counts: bool = False) -> float:
    """Return the axis's top: a round number a little above ``value``, in four round steps.

    A count's steps are whole numbers (no axis of 2.5 carers).
    """
    raw = value * 1.1 / 4
    mag = 10.0 ** math.floor(math.log10(raw))
    steps = [s * mag for s in (1.0, 2.0, 2.5, 5.0, 10.0)]
    if counts:
        steps = [s * mag for s in (1.0, 2.0, 3.0, 4.0, 5.0, 10.0) if s * mag >= 1] or [1.0]
    step = next((s for s in steps if s >= raw), steps[-1] * 2)
    return step * 4


def _tick(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"


def _value(v: float, unit: str) -> str:
    """Return a mark's label: ``2.6 min``, or ``26 carers`` (a mean over days: ``27.5``)."""
    x = float(v)
    if unit == "carers":
        return (f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}") + " carers"
    return f"{x:,.1f} {unit}"


def _short(name: str) -> str:
    return name if len(name) <= _LABEL else name[: _LABEL - 1] + "…"


def _has_days(rows: pd.DataFrame) -> bool:
    return any(
        len(rows) and f"{c}_low" in rows and (rows[f"{c}_low"] != rows[f"{c}_high"]).any()
        for c, _, _ in MEASURES
    )


def _day_range(rows: pd.DataFrame, col: str) -> tuple[npt.NDArray[np.float64], ...]:
    """Return a column's lowest and highest day (the column itself when there are none)."""
    mid = rows[col].to_numpy(dtype=float) if len(rows) else np.zeros(0)
    lo = rows[f"{col}_low"].to_numpy(dtype=float) if f"{col}_low" in rows else mid
    hi = rows[f"{col}_high"].to_numpy(dtype=float) if f"{col}_high" in rows else mid
    return lo, hi
