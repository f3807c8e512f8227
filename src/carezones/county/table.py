"""A comparison's table: one row per design, the numbers that judge it, with their range.

:func:`design_table` turns each design's :class:`~carezones.county.CountyPlan` into one row of
:data:`DESIGN_COLUMNS` (with costs and CO2 when rates or a factor are stated): each number is
the mean over the days planned, with ``<kpi>_low`` and ``<kpi>_high`` (the lowest and highest
day) beside it. :func:`differences` compares each design with today's, day by day.
:func:`~carezones.compare_designs` and the report both read them.

**Is a difference larger than the spread?** Every design is planned on the same days (the
same visits each day), so a design and today's are compared day by day: the paired
difference of a number on each day. The difference is called *clear* when it has the same
sign on every day (each day, the design does better, or each day worse); otherwise it is
within the day-to-day spread. The spread is stated as the lowest and highest day's
difference. With one day there is no spread to judge against, and nothing is called clear.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.county.costs import MILE_KM, TravelRates

if TYPE_CHECKING:
    from carezones.county.plan import CountyPlan

__all__ = [
    "COMPARED",
    "DESIGN_COLUMNS",
    "DESIGN_FACTS",
    "WORKFORCE_KPIS",
    "daily_table",
    "design_table",
    "differences",
    "mean_low_high",
    "spread_sentence",
]


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
    "carers_estimate",
    "care_hours_per_carer",
    "utilisation",
    "travel_minutes_per_carer",
    "rule_violations",
]
# a design's workforce on a day: carers from the rounds, the rule's estimate, time, shifts worked
WORKFORCE_KPIS = [
    "carers",
    "carers_estimate",
    "carers_planned",
    "paid_hours",
    "utilisation",
    "travel_minutes_per_carer",
    "early",
    "split",
    "split_morning",
    "split_evening",
    "late",
    "given",
]
DESIGN_FACTS = ("design", "kind", "zones", "clients", "note")  # the same every day: no range
COMPARED = ("travel_minutes_per_care_hour", "carers", "travel_cost_per_care_hour")


def daily_table(plan: CountyPlan, rates: TravelRates | None = None) -> pd.DataFrame:
    """Return a design's numbers day by day, with care per carer and costs when rated.

    Parameters
    ----------
    plan : CountyPlan
        The design's plan (:attr:`~carezones.county.CountyPlan.daily`).
    rates : TravelRates, optional
        Stated rates: adds ``travel_cost`` and ``travel_cost_per_care_hour``.

    Returns
    -------
    pandas.DataFrame
        One row per day.

    Examples
    --------
    >>> daily_table(comparison.plans["today"])[["day", "carers", "care_hours_per_carer"]].round(2)
       day  carers  care_hours_per_carer
    0    1       8                   2.0
    """
    daily = plan.daily.copy() if len(plan.daily) else pd.DataFrame([plan.kpis])
    carers = pd.to_numeric(daily["carers"], errors="coerce")
    daily["care_hours_per_carer"] = (daily["care_hours"] / carers.where(carers > 0)).fillna(0.0)
    if rates is not None:
        miles = pd.to_numeric(daily["travel_km"], errors="coerce").fillna(0.0) / MILE_KM
        cost = daily["travel_minutes"] / 60.0 * rates.per_hour + miles * rates.per_mile
        daily["travel_cost"] = cost
        care = daily["care_hours"].where(daily["care_hours"] > 0)
        daily["travel_cost_per_care_hour"] = (cost / care).fillna(0.0)
    return daily


def design_table(plans: Mapping[str, CountyPlan], rates: TravelRates | None) -> pd.DataFrame:
    """Return one row per design: the KPIs of :data:`DESIGN_COLUMNS` (and costs, CO2).

    Each KPI but the design's facts (:data:`DESIGN_FACTS`) is the mean over the days
    planned, followed by ``<kpi>_low`` and ``<kpi>_high``: the lowest and the highest day
    (with one day, all three are that day's).

    Parameters
    ----------
    plans : mapping of str to CountyPlan
        The designs' plans.
    rates : TravelRates or None
        Stated rates: adds ``travel_cost`` and ``travel_cost_per_care_hour``.

    Returns
    -------
    pandas.DataFrame
        One row per design, in the order of ``plans``; a ``note`` column says how a design
        was made when one was (the ``note`` of its :class:`~carezones.county.plan.Design`).

    Examples
    --------
    >>> from carezones import TravelRates
    >>> table = design_table(comparison.plans, TravelRates(per_hour=12.0, per_mile=0.45))
    >>> table[["design", "carers", "carers_low", "travel_cost_per_care_hour"]].round(2)
        design  carers  carers_low  travel_cost_per_care_hour
    0    today       8           8                       0.61
    1  zones-2       6           6                       1.66
    """
    rows: list[dict[str, Any]] = []
    for name, p in plans.items():
        k = p.kpis
        daily = daily_table(p, rates)
        columns = [c for c in DESIGN_COLUMNS if c in DESIGN_FACTS or c in daily]
        columns += [c for c in ("co2_kg", "travel_cost", "travel_cost_per_care_hour") if c in daily]
        row: dict[str, Any] = {}
        for c in columns:
            if c in DESIGN_FACTS:
                row[c] = k.get(c)
            elif c in daily:
                row[c], row[f"{c}_low"], row[f"{c}_high"] = mean_low_high(daily[c])
        row["design"] = name
        if p.design.note:  # how the design was made (e.g. today by a brokerage model)
            row["note"] = p.design.note
        rows.append(row)
    return pd.DataFrame(rows)


def differences(
    plans: Mapping[str, CountyPlan],
    references: Sequence[str],
    rates: TravelRates | None = None,
) -> pd.DataFrame:
    """Return each design's difference from each reference design, day by day, and whether clear.

    Parameters
    ----------
    plans : mapping of str to CountyPlan
        The designs' plans, all on the same days.
    references : sequence of str
        The designs to compare with (today's).
    rates : TravelRates, optional
        Stated rates: the travel cost per care hour is compared too.

    Returns
    -------
    pandas.DataFrame
        One row per design, reference and KPI of :data:`COMPARED`: ``design``, ``reference``,
        ``kpi``, ``difference`` (the mean of the daily differences, design less reference),
        ``low`` and ``high`` (the lowest and highest day's difference), ``days`` and ``clear``
        (the same sign on every day, with more than one day: see the module docstring).

    Examples
    --------
    >>> diff = differences(comparison.plans, ["today"])
    >>> diff[["design", "reference", "kpi", "difference", "days", "clear"]].round(1)
        design reference                           kpi  difference  days  clear
    0  zones-2     today  travel_minutes_per_care_hour         2.1     1  False
    1  zones-2     today                        carers        -2.0     1  False
    """
    columns = ["design", "reference", "kpi", "difference", "low", "high", "days", "clear"]
    rows: list[dict[str, Any]] = []
    for ref in references:
        base = daily_table(plans[ref], rates)
        for name, plan in plans.items():
            if name in references:
                continue
            daily = daily_table(plan, rates)
            for kpi in COMPARED:
                if kpi not in daily or kpi not in base or len(daily) != len(base):
                    continue
                a = pd.to_numeric(daily[kpi], errors="coerce").to_numpy(dtype=float)
                b = pd.to_numeric(base[kpi], errors="coerce").to_numpy(dtype=float)
                diff = a - b
                if not np.isfinite(diff).all():
                    continue
                same_sign = bool((diff > 0).all() or (diff < 0).all())
                rows.append(
                    {
                        "design": name,
                        "reference": ref,
                        "kpi": kpi,
                        "difference": float(diff.mean()),
                        "low": float(diff.min()),
                        "high": float(diff.max()),
                        "days": len(diff),
                        "clear": len(diff) > 1 and same_sign,
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def mean_low_high(values: pd.Series) -> tuple[Any, Any, Any]:
    """Return a day-by-day number's mean, lowest and highest day (one day: itself, thrice).

    Parameters
    ----------
    values : pandas.Series
        The number on each day.

    Returns
    -------
    tuple
        Mean, lowest, highest (the day's own value, an int for counts, when all days agree).

    Examples
    --------
    >>> import pandas as pd
    >>> mean_low_high(pd.Series([5.5, 5.75, 5.25])), mean_low_high(pd.Series([7]))
    ((5.5, 5.25, 5.75), (7, 7, 7))
    """
    v = values.tolist()
    if all(x == v[0] for x in v):
        return v[0], v[0], v[0]
    return float(np.mean(v)), min(v), max(v)


KPI_WORDS = {
    "travel_minutes_per_care_hour": "travel min per care hour",
    "carers": "carers",
    "travel_cost_per_care_hour": "travel cost per care hour",
}


def spread_sentence(row: Mapping[str, Any]) -> str:
    """Return one difference of :func:`differences` in words: larger than the spread or not.

    Parameters
    ----------
    row : mapping
        A row of :func:`differences`.

    Returns
    -------
    str
        The design, the reference, the mean difference and whether it is clear.

    Examples
    --------
    >>> print(spread_sentence({"design": "zones-8", "reference": "today", "kpi": "carers",
    ...                        "difference": -12.3, "low": -15.0, "high": -9.0, "days": 3,
    ...                        "clear": True}))  # doctest: +NORMALIZE_WHITESPACE
    zones-8 vs today: -12.3 carers, larger than the day-to-day spread (the same sign on each
    of the 3 days: from -15.0 to -9.0)
    """
    what = KPI_WORDS.get(str(row["kpi"]), str(row["kpi"]).replace("_", " "))
    head = f"{row['design']} vs {row['reference']}: {float(row['difference']):+.1f} {what}"
    days = int(row["days"])
    if days < 2:
        return f"{head} (one day: no spread to judge it by)"
    span = f"from {float(row['low']):+.1f} to {float(row['high']):+.1f}"
    if row["clear"]:
        return (
            f"{head}, larger than the day-to-day spread (the same sign on each of the "
            f"{days} days: {span})"
        )
    return f"{head}, within the day-to-day spread (the {days} days' differences go {span})"
