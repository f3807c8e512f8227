"""A comparison's table: one row per design, the numbers that judge it.

:func:`design_table` turns each design's :class:`~carezones.county.CountyPlan` into one row of
:data:`DESIGN_COLUMNS` (with costs and CO2 when rates or a factor are stated);
:func:`~carezones.compare_designs` and the report both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.county.costs import TravelRates, zone_costs

if TYPE_CHECKING:
    from carezones.county.plan import CountyPlan

__all__ = ["DESIGN_COLUMNS", "design_table"]


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
        One row per design, in the order of ``plans``; a ``note`` column says how a design
        was made when one was (the ``note`` of its :class:`~carezones.county.plan.Design`).

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
        if p.design.note:  # how the design was made (e.g. today by a brokerage model)
            row["note"] = p.design.note
        if rates is not None:
            costs = zone_costs(p.zones, rates)
            care = float(costs["care_hours"].sum())
            cost = float(costs["travel_cost"].sum())
            row["travel_cost"] = cost
            row["travel_cost_per_care_hour"] = cost / care if care else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
