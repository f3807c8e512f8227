"""The county report's words for a reader in a hurry: the headline, the table's units, a row read.

- :func:`headline`: the best zone design against today, in plain words: the carers it needs
  and the travel per hour of care, each against today's, with the range over the days planned
  and whether the difference is clear of the day-to-day spread (the same sign on every day:
  :mod:`carezones.county.table`); then the other designs of today, when a brokerage model
  made several.
- :data:`HEADERS` and :func:`table_cells`: the designs table with every column's unit (a day,
  min, km, £) and each number with its range over the days where they differ.
- :func:`reading`: what a row means, e.g. "160 carers for 549 care hours a day", in a sentence
  (as ``docs/concepts.md`` says it).

Plain text: the pages escape it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from carezones.county import Comparison

__all__ = ["HEADERS", "best_zone_design", "headline", "reading", "table_cells"]

HEADERS = {
    "design": "design",
    "zones": "teams (zones or providers)",
    "carers": "carers (a day)",
    "travel_minutes_per_care_hour": "travel (min per care hour)",
    "travel_km": "travel (km a day)",
    "care_hours": "care (hours a day)",
    "visits_unserved": "visits unserved (a day)",
    "travel_cost_per_care_hour": "travel cost (£ per care hour)",
    "co2_kg": "CO2 (kg a day)",
}
"""The designs table's columns, each with its unit (every number is one day's, or a mean)."""

_MONEY = {"travel_cost_per_care_hour"}


def best_zone_design(comparison: Comparison) -> dict[str, Any] | None:
    """Return the carezones design with the least travel per care hour (its table row).

    Parameters
    ----------
    comparison : Comparison
        The designs compared.

    Returns
    -------
    dict or None
        The design's row of :attr:`Comparison.table` (ties: fewer carers); ``None`` when no
        carezones design was planned.

    Examples
    --------
    >>> best_zone_design(comparison)["design"]
    'zones-2'
    """
    sweep = comparison.sweep()
    if sweep.empty:
        return None
    order = sweep.sort_values(["travel_minutes_per_care_hour", "carers", "zones"], kind="stable")
    return dict(order.iloc[0])


def headline(comparison: Comparison) -> str:
    """Return the report's headline: the best zone design against today, in plain words.

    Parameters
    ----------
    comparison : Comparison
        The designs compared.

    Returns
    -------
    str
        One or a few sentences (plain text).

    Examples
    --------
    >>> print(headline(comparison))  # doctest: +NORMALIZE_WHITESPACE
    zones-2 (2 zones) needs 6 carers a day against 8 today: 2 fewer. Its carers drive 3.8 minutes
    per hour of care against 1.7: 2.1 minutes more. One day was planned: there is no day-to-day
    spread to judge these differences by (plan 3 days or more: --days 3).
    """
    best = best_zone_design(comparison)
    table = comparison.table.set_index("design")
    refs = comparison.references
    days = int(next(iter(comparison.plans.values())).kpis.get("days", 1))
    if best is None:
        return (
            "No carezones zone design was planned: the table compares the designs given "
            f"({', '.join(map(str, table.index))})."
        )
    name = str(best["design"])
    zones = int(best["zones"])
    lead = f"{name} ({zones} zone{'s' if zones != 1 else ''})"
    if len(comparison.sweep()) > 1:
        lead += ", the zone design with the least travel,"
    if not refs:
        return (
            f"{lead} needs {_count(best['carers'])} carers a day and "
            f"{best['travel_minutes_per_care_hour']:,.1f} travel minutes per hour of care; no "
            "design of today was given to compare it with."
        )
    diff = comparison.differences()
    ref = refs[0]
    mine = diff[(diff["design"] == name) & (diff["reference"] == ref)].set_index("kpi")
    today = "today" if ref == "today" else f"today ({ref})"
    r = table.loc[ref]
    text = (
        f"{lead} needs {_count(best['carers'])} carers a day against {_count(r['carers'])} "
        f"{today}: {_clause(mine, 'carers', days)}. Its carers drive "
        f"{best['travel_minutes_per_care_hour']:,.1f} minutes per hour of care against "
        f"{r['travel_minutes_per_care_hour']:,.1f}: "
        f"{_clause(mine, 'travel_minutes_per_care_hour', days)}."
    )
    left = float(best.get("visits_unserved", 0) or 0)
    left_ref = float(r.get("visits_unserved", 0) or 0)
    if left or left_ref:
        visits = "visit" if _count(left) == "1" else "visits"
        text += f" It leaves {_count(left)} {visits} a day unserved ({today}: {_count(left_ref)})."
    for other in refs[1:]:
        rows = diff[(diff["design"] == name) & (diff["reference"] == other)].set_index("kpi")
        if {"carers", "travel_minutes_per_care_hour"} <= set(rows.index):
            text += (
                f" Against today ({other}): {_clause(rows, 'carers', days, short=True)}, and "
                f"{_clause(rows, 'travel_minutes_per_care_hour', days, short=True)}."
            )
    if days < 2:
        text += (
            " One day was planned: there is no day-to-day spread to judge these differences "
            "by (plan 3 days or more: --days 3)."
        )
    return text


_WORDS = {  # kpi -> (word when lower, word when higher, digits)
    "carers": ("fewer", "more", 1),
    "travel_minutes_per_care_hour": ("minutes less", "minutes more", 1),
    "travel_cost_per_care_hour": ("less", "more", 2),
}


_SHORT = {
    "carers": "{} carers",
    "travel_minutes_per_care_hour": "{} travel per hour of care",
    "travel_cost_per_care_hour": "{} travel cost per hour of care",
}


def _clause(rows: pd.DataFrame, kpi: str, days: int, *, short: bool = False) -> str:
    """Return a difference in words, e.g. ``1.5 fewer, clear of the day-to-day spread (...)``."""
    if kpi not in rows.index:
        return "not compared"
    row = rows.loc[kpi]
    less, more, digits = _WORDS[kpi]
    words = _amount(float(row["difference"]), less, more, digits, kpi)
    if short:  # with what it counts: "1.5 fewer carers", "0.4 minutes less travel ..."
        words = _SHORT[kpi].format(words)
    if days < 2:
        return words
    lo, hi = float(row["low"]), float(row["high"])
    if row["clear"]:
        if short:
            return f"{words} (clear of the day-to-day spread)"
        way = less if hi < 0 else more
        a, b = sorted((abs(lo), abs(hi)))
        return (
            f"{words}, clear of the day-to-day spread ({_num(a, digits, kpi)} to "
            f"{_num(b, digits, kpi)} {way} on each of the {days} days)"
        )
    if short:
        return f"{words} (within the day-to-day spread)"
    return (
        f"{words} on average, within the day-to-day spread (the {days} days go from "
        f"{_amount(lo, less, more, digits, kpi)} to {_amount(hi, less, more, digits, kpi)})"
    )


def _amount(d: float, less: str, more: str, digits: int, kpi: str) -> str:
    if round(d, digits) == 0:
        return "the same"
    return f"{_num(abs(d), digits, kpi)} {less if d < 0 else more}"


def _num(x: float, digits: int, kpi: str) -> str:
    if kpi == "carers":
        return _count(x)
    if kpi in _MONEY:
        return f"£{x:,.{digits}f}"
    return f"{x:,.{digits}f}"


def _count(value: Any) -> str:
    """Return a count, or a mean of counts over days: ``31`` or ``31.3``."""
    x = float(value)
    return f"{x:,.0f}" if round(x, 1).is_integer() else f"{x:,.1f}"


def reading(comparison: Comparison) -> str:
    """Return what a row of the table means, in a sentence, for the best zone design (or today).

    Parameters
    ----------
    comparison : Comparison
        The designs compared.

    Returns
    -------
    str
        E.g. "Reading a row: zones-8 needs 160 carers on the day, to give 549 hours of care:
        about 3.4 hours of care per carer. ...".

    Examples
    --------
    >>> reading(comparison)[:52]
    'Reading a row: zones-2 needs 6 carers on the day, to'

    """
    best = best_zone_design(comparison)
    row = best if best is not None else dict(comparison.table.iloc[0])
    carers, care = float(row["carers"]), float(row["care_hours"])
    per = f"about {care / carers:,.1f} hours of care per carer" if carers else "no carer"
    return (
        f"Reading a row: {row['design']} needs {_count(carers)} carers on the day, to give "
        f"{care:,.0f} hours of care: {per}. The rest of a carer's paid time is travel, waiting "
        "for a visit's window to open, and breaks (utilisation, below, is care time over paid "
        "time; the shifts each design's carers work are listed there too). Care hours count "
        "each carer's time (a double-handed half hour is one hour of care), as councils "
        "commission it."
    )


def table_cells(table: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """Return the designs table to read: headers with units, each number with its day range.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`Comparison.table` (with ``<kpi>_low`` and ``<kpi>_high``).
    cols : list of str
        The columns shown, in order (of :data:`HEADERS`).

    Returns
    -------
    pandas.DataFrame
        Text cells: ``mean (lowest to highest day)`` where the days differ; money in £.

    Examples
    --------
    >>> t = pd.DataFrame({"design": ["a"], "carers": [27.5], "carers_low": [27],
    ...                   "carers_high": [28]})
    >>> table_cells(t, ["design", "carers"]).to_dict("records")
    [{'design': 'a', 'carers (a day)': '27.5 (27 to 28)'}]
    """
    out = pd.DataFrame(index=table.index)
    for c in cols:
        cells = [_cell(v, c) for v in table[c]]
        lo, hi = f"{c}_low", f"{c}_high"
        if lo in table and hi in table:
            cells = [
                v if _cell(a, c) == _cell(b, c) else f"{v} ({_cell(a, c)} to {_cell(b, c)})"
                for v, a, b in zip(cells, table[lo], table[hi], strict=True)
            ]
        out[HEADERS.get(c, c.replace("_", " "))] = cells
    return out.reset_index(drop=True)


def _cell(v: Any, col: str) -> str:
    if isinstance(v, float) and v != v:
        return ""
    if col in _MONEY:
        return f"£{float(v):,.2f}"
    if isinstance(v, float):
        return (
            f"{v:,.0f}" if col in ("carers", "visits_unserved") and v.is_integer() else f"{v:,.1f}"
        )
    return str(v)
