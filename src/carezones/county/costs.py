"""What travel costs, and where: rates per zone and each visit's marginal travel.

Commissioners set rates (and rural uplifts) from the cost of care. With stated rates
(:class:`TravelRates`: paid travel time per hour and mileage per mile; carezones has no default
for either), :func:`zone_costs` gives each zone's travel cost per hour of care and the uplift a
fair rate for it would need over the county's cheapest zone.

:func:`marginal_travel` gives each served visit's marginal travel: the minutes its carer's round
would save without it (travel from the stop before to it, and on to the stop after, less the
direct trip from the stop before to the stop after). Summed per client and shown only as
hexagons of five or more clients (:func:`carezones.report.maps.county_cost_map`), it shows where
packages are costliest to serve, and so likely to be handed back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.errors import check_number
from carezones.rounds.tables import shift_numbers

if TYPE_CHECKING:
    from carezones.rounds import Rounds

__all__ = ["MILE_KM", "TravelRates", "marginal_travel", "zone_costs"]

MILE_KM = 1.609344


@dataclass(frozen=True)
class TravelRates:
    """Stated travel rates: no silent defaults.

    Parameters
    ----------
    per_hour : float
        Pay for an hour of carers' travel time (e.g. the National Living Wage with on-costs).
    per_mile : float
        Mileage paid per mile driven (e.g. HMRC's approved rate for cars).
    currency : str, default "£"
        Shown before amounts.

    Raises
    ------
    ArgumentError
        When a rate is not a number of at least 0.

    Examples
    --------
    >>> rates = TravelRates(per_hour=12.21, per_mile=0.45)
    >>> rates.currency
    '£'
    >>> TravelRates(per_hour=-1, per_mile=0.45)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: per_hour must be a number >= 0, not -1
    """

    per_hour: float
    per_mile: float
    currency: str = "£"

    def __post_init__(self) -> None:
        check_number("per_hour", self.per_hour, minimum=0)
        check_number("per_mile", self.per_mile, minimum=0)


def zone_costs(zones: pd.DataFrame, rates: TravelRates) -> pd.DataFrame:
    """Add each zone's travel cost, cost per hour of care, and uplift over the cheapest zone.

    Parameters
    ----------
    zones : pandas.DataFrame
        :attr:`CountyPlan.zones <carezones.county.CountyPlan.zones>` (``travel_minutes``,
        ``travel_km``, ``care_hours``).
    rates : TravelRates
        The stated rates.

    Returns
    -------
    pandas.DataFrame
        The same rows with ``travel_cost``, ``travel_cost_per_care_hour`` and
        ``uplift_per_care_hour`` (over the zone with the lowest cost per care hour).

    Examples
    --------
    >>> import pandas as pd
    >>> z = pd.DataFrame({"zone": ["town", "rural"], "travel_minutes": [300.0, 900.0],
    ...                   "travel_km": [80.0, 480.0], "care_hours": [100.0, 100.0]})
    >>> zone_costs(z, TravelRates(per_hour=12.0, per_mile=0.45))[
    ...     ["zone", "travel_cost_per_care_hour", "uplift_per_care_hour"]].round(2)
        zone  travel_cost_per_care_hour  uplift_per_care_hour
    0   town                       0.82                  0.00
    1  rural                       3.14                  2.32
    """
    out = zones.copy()
    miles = out["travel_km"].fillna(0.0) / MILE_KM
    out["travel_cost"] = out["travel_minutes"] / 60.0 * rates.per_hour + miles * rates.per_mile
    care = out["care_hours"].where(out["care_hours"] > 0)
    out["travel_cost_per_care_hour"] = out["travel_cost"] / care
    best = out["travel_cost_per_care_hour"].min()
    out["uplift_per_care_hour"] = out["travel_cost_per_care_hour"] - best
    return out


def marginal_travel(rounds: Rounds) -> pd.DataFrame:
    """Return each served visit's marginal travel minutes in its carer's round.

    The marginal travel of a visit is the minutes its carer's round would save without it
    (the legs into and out of it, less the leg that would replace them), so a visit far from
    the rest of its round costs much and one on the way costs little.

    Parameters
    ----------
    rounds : Rounds
        A day's rounds (with their travel matrix).

    Returns
    -------
    pandas.DataFrame
        ``visit_id, marginal_minutes, client_id`` (each carer of a double-handed visit
        counts), plus ``lon``, ``lat`` of the visit for aggregation: internal, never written as
        points.

    Examples
    --------
    >>> travel = marginal_travel(rounds)
    >>> round(float(travel.marginal_minutes.sum()), 1)
    49.9
    """
    T = rounds.minutes
    n_c = len(rounds.carers)
    row_of_visit = {v: j for j, v in enumerate(rounds.visits["visit_id"])}
    numbers = shift_numbers(rounds.carers)
    row_of_shift = {
        (str(c), int(s)): i
        for i, (c, s) in enumerate(zip(rounds.carers["carer_id"], numbers, strict=True))
    }
    rows: list[dict[str, Any]] = []
    for (cid, shift), g in rounds.itineraries.groupby(["carer_id", "shift"], sort=False):
        g = g.sort_values("seq")
        home = row_of_shift[(str(cid), int(shift))]
        locs: list[int] = []
        ids: list[str] = []
        for kind, vid in zip(g["kind"], g["visit_id"], strict=True):
            if kind == "visit":
                locs.append(n_c + row_of_visit[vid])
                ids.append(str(vid))
        path = [home, *locs, home]
        for i, vid in enumerate(ids, start=1):
            a, v, b = path[i - 1], path[i], path[i + 1]
            saved = T[a, v] + T[v, b] - (0.0 if a == b else T[a, b])
            rows.append({"visit_id": vid, "marginal_minutes": float(saved)})
    out = pd.DataFrame(rows, columns=["visit_id", "marginal_minutes"])
    if out.empty:
        return out.assign(client_id=[], lon=[], lat=[])
    v = rounds.visits
    info = v[["visit_id", "client_id"]].assign(lon=v.geometry.x, lat=v.geometry.y)
    info = info.drop_duplicates("visit_id").set_index("visit_id")
    for col in ("client_id", "lon", "lat"):
        out[col] = out["visit_id"].map(info[col]).to_numpy()
    out["marginal_minutes"] = np.maximum(out["marginal_minutes"], 0.0)
    return out
