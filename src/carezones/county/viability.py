"""Viability per zone: how many providers a zone's weekly hours can carry.

A zone is a market: a provider needs enough hours in it to pay for a manager, a rota and cover,
and more than one provider can run there only if the hours stretch that far. Councils ask
providers what a viable zone is before they tender; :class:`ViableHours` is that range, a
provider's viable weekly hours in one zone (``MIN`` to ``MAX``). There is no default: the
figure is the council's own market's. As an example only, providers answering one English
county's consultation on zoned home care asked for about 700 to 2,000 hours a week in a zone;
replace it with what your own providers say.

Per zone (:func:`zone_viability`): the weekly hours of its clients; the most providers it can
carry, ``floor(hours / MIN)`` (each needs at least ``MIN``); the fewest it needs,
``ceil(hours / MAX)`` (the hours beyond one provider's ``MAX`` need another); flagged when it
can carry none (hours below ``MIN``), or when no number of providers fits (more are needed
than it can carry). :func:`judge_viability` adds these to every zone design of a comparison
(not to a design of providers: a provider is not a zone) and counts per design the zones that
can carry no provider.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.errors import ArgumentError, check_number

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.county.compare import Comparison
    from carezones.county.plan import CountyPlan

__all__ = [
    "VIABILITY_COLUMNS",
    "VIABILITY_KPIS",
    "ViableHours",
    "judge_viability",
    "plan_viability",
    "zone_viability",
]

VIABILITY_COLUMNS = [
    "hours_per_week",
    "providers_at_most",
    "providers_at_least",
    "viable",
    "viability",
]
"""The columns :func:`zone_viability` returns (and a zone design's table gains)."""

VIABILITY_KPIS = ["zones_not_viable", "zones_no_fit", "providers_at_most", "providers_at_least"]
"""The numbers a zone design gains (and the comparison's table, one column each)."""


@dataclass(frozen=True)
class ViableHours:
    """A provider's viable weekly hours in one zone: at least ``min_hours``, at most ``max_hours``.

    Parameters
    ----------
    min_hours : float
        The fewest hours a week in a zone that keep a provider going there (above 0).
    max_hours : float
        The most hours a week one provider takes on in a zone (at least ``min_hours``).

    Raises
    ------
    ArgumentError
        When a value is not a finite number, ``min_hours`` is not above 0 or ``max_hours`` is
        below ``min_hours``.

    Examples
    --------
    >>> ViableHours(700, 2000).describe()
    '700-2,000 hours a week'
    >>> ViableHours(2000, 700)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: max_hours (700) must be at least min_hours (2000)
    """

    min_hours: float
    max_hours: float

    def __post_init__(self) -> None:
        lo = check_number("min_hours", self.min_hours, minimum=0, above=True)
        hi = check_number("max_hours", self.max_hours, minimum=0, above=True)
        if hi < lo:
            raise ArgumentError(f"max_hours ({hi:g}) must be at least min_hours ({lo:g})")
        object.__setattr__(self, "min_hours", lo)
        object.__setattr__(self, "max_hours", hi)

    def describe(self) -> str:
        """Return the range in words, e.g. ``700-2,000 hours a week``.

        Returns
        -------
        str
            The range.

        Examples
        --------
        >>> ViableHours(650.5, 900).describe()
        '650.5-900 hours a week'
        """
        return f"{_hours(self.min_hours)}-{_hours(self.max_hours)} hours a week"


def _hours(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def zone_viability(zone_hours: pd.Series, viable: ViableHours) -> pd.DataFrame:
    """Return how many providers each zone's weekly hours can carry.

    Parameters
    ----------
    zone_hours : pandas.Series
        Zone -> its clients' hours of care a week.
    viable : ViableHours
        A provider's viable weekly hours in one zone.

    Returns
    -------
    pandas.DataFrame
        Indexed by zone: ``hours_per_week``; ``providers_at_most`` (``floor(hours / MIN)``:
        each provider needs at least ``MIN``); ``providers_at_least`` (``ceil(hours / MAX)``:
        hours beyond one provider's ``MAX`` need another); ``viable`` (it carries at least one
        provider: hours of at least ``MIN``); ``viability`` in words.

    Raises
    ------
    ArgumentError
        When ``viable`` is not :class:`ViableHours` or an hour is negative or not a number.

    Examples
    --------
    >>> hours = pd.Series({"north": 450.0, "south": 1500.0, "east": 5000.0, "west": 2100.0})
    >>> table = zone_viability(hours, ViableHours(700, 2000))
    >>> table[["providers_at_most", "providers_at_least", "viable"]]
           providers_at_most  providers_at_least  viable
    north                  0                   1   False
    south                  2                   1    True
    east                   7                   3    True
    west                   3                   2    True
    >>> table.loc["north", "viability"]
    'carries no provider: 450 hours a week, below 700'
    >>> zone_viability(pd.Series({"x": 1000.0}), ViableHours(700, 800)).loc["x", "viability"]
    'no number of providers fits: 2 needed to stay within 800 each, room for 1 of 700'
    """
    if not isinstance(viable, ViableHours):
        raise ArgumentError(f"viable must be a ViableHours, not {type(viable).__name__}")
    hours = pd.to_numeric(zone_hours, errors="coerce").astype(float)
    if hours.isna().any() or (hours < 0).any() or not np.isfinite(hours.to_numpy()).all():
        raise ArgumentError("every zone's weekly hours must be a number of 0 or more")
    h = hours.to_numpy()
    most = np.floor(h / viable.min_hours + 1e-9).astype(int)
    least = np.ceil(h / viable.max_hours - 1e-9).astype(int)
    words = [
        _in_words(float(x), int(a), int(b), viable) for x, a, b in zip(h, most, least, strict=True)
    ]
    return pd.DataFrame(
        {
            "hours_per_week": h,
            "providers_at_most": most,
            "providers_at_least": least,
            "viable": most >= 1,
            "viability": words,
        },
        index=hours.index,
    )


def _in_words(hours: float, most: int, least: int, viable: ViableHours) -> str:
    if most < 1:
        return (
            f"carries no provider: {_hours(round(hours))} hours a week, below "
            f"{_hours(viable.min_hours)}"
        )
    if least > most:
        return (
            f"no number of providers fits: {least} needed to stay within "
            f"{_hours(viable.max_hours)} each, room for {most} of {_hours(viable.min_hours)}"
        )
    return f"carries {_providers(max(least, 1), most)}"


def _providers(low: int, high: int) -> str:
    """Return ``2 providers``, ``1 provider`` or ``2 to 5 providers``."""
    if low == high:
        return f"{low} provider" + ("" if low == 1 else "s")
    return f"{low} to {high} providers"


def plan_viability(plan: CountyPlan, hours: pd.Series, viable: ViableHours) -> CountyPlan:
    """Return a zone design's plan with each zone's viability and the design's counts.

    Parameters
    ----------
    plan : CountyPlan
        A design's day. A design of providers (``kind="providers"``) is returned as it is.
    hours : pandas.Series
        Client id (text) -> weekly hours of care (the clients' ``hours_per_week``).
    viable : ViableHours
        A provider's viable weekly hours in one zone.

    Returns
    -------
    CountyPlan
        The same plan; its ``zones`` gain :data:`VIABILITY_COLUMNS` and its ``kpis`` gain
        :data:`VIABILITY_KPIS` and the range (``viable_min_hours``, ``viable_max_hours``).

    Examples
    --------
    >>> hours = clients.set_index("client_id").hours_per_week
    >>> judged = plan_viability(comparison.plans["zones-2"], hours, ViableHours(20, 40))
    >>> judged.zones[["zone", "clients", "providers_at_most", "providers_at_least"]]
      zone  clients  providers_at_most  providers_at_least
    0    1        6                  2                   2
    1    2        6                  2                   2
    >>> judged.kpis["zones_not_viable"]
    0
    """
    if plan.design.kind == "providers":
        return plan
    by_client = pd.Series(hours.to_numpy(dtype=float), index=hours.index.astype(str))
    group = plan.design.group
    per_zone = (
        by_client.reindex(group.index.astype(str)).fillna(0.0).groupby(group.to_numpy()).sum()
    )
    zones = plan.zones
    names = zones["zone"].astype(str)
    table = zone_viability(per_zone.reindex(names).fillna(0.0), viable)
    judged = zones.drop(columns=[c for c in VIABILITY_COLUMNS if c in zones.columns])
    judged = judged.assign(**{c: table[c].to_numpy() for c in VIABILITY_COLUMNS})
    kpis: dict[str, Any] = {
        **plan.kpis,
        "viable_min_hours": viable.min_hours,
        "viable_max_hours": viable.max_hours,
        "zones_not_viable": int((~table["viable"]).sum()),
        "zones_no_fit": int(
            (table["viable"] & (table["providers_at_least"] > table["providers_at_most"])).sum()
        ),
        "providers_at_most": int(table["providers_at_most"].sum()),
        "providers_at_least": int(table["providers_at_least"].sum()),
    }
    return replace(plan, zones=judged, kpis=kpis)


def judge_viability(
    comparison: Comparison, clients: gpd.GeoDataFrame, viable: ViableHours
) -> Comparison:
    """Return a comparison whose zone designs say how many providers each zone can carry.

    Parameters
    ----------
    comparison : Comparison
        From :func:`carezones.compare_designs`.
    clients : geopandas.GeoDataFrame
        The clients compared (``client_id``, ``hours_per_week``).
    viable : ViableHours
        A provider's viable weekly hours in one zone (the council's own market's figure).

    Returns
    -------
    Comparison
        The same designs: every zone design's plan as :func:`plan_viability` returns it, and
        the table's :data:`VIABILITY_KPIS` columns (blank for designs of providers).

    Examples
    --------
    >>> judged = judge_viability(comparison, clients.head(12), ViableHours(20, 40))
    >>> judged.table[["design", "zones_not_viable", "providers_at_most"]]
        design  zones_not_viable  providers_at_most
    0    today              <NA>               <NA>
    1  zones-2                 0                  4
    """
    if not isinstance(viable, ViableHours):
        raise ArgumentError(f"viable must be a ViableHours, not {type(viable).__name__}")
    hours = pd.Series(
        clients["hours_per_week"].to_numpy(dtype=float),
        index=clients["client_id"].astype(str).to_numpy(),
    )
    plans = {name: plan_viability(p, hours, viable) for name, p in comparison.plans.items()}
    table = comparison.table.copy()
    for column in VIABILITY_KPIS:
        values = [plans[str(d)].kpis.get(column) for d in table["design"]]
        table[column] = pd.array(values, dtype="Int64")
    return replace(comparison, plans=plans, table=table)
