"""What a day's or a week's rounds show in a notebook: their numbers as rows and tables.

:meth:`Rounds._repr_html_ <carezones.rounds.Rounds>` and the week's card build on these and on
:func:`carezones.display.html_card`. They hold counts and minutes only: no visit's place (a
visit is at a client's home), so the cards draw no map.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["carer_totals", "day_totals", "rounds_rows", "week_rows"]


def _km(value: Any) -> Any:
    return "n/a (travel from a matrix)" if value is None else value


def rounds_rows(k: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a day's headline numbers (from :attr:`Rounds.kpis`) as (label, value) rows.

    Examples
    --------
    >>> k = {"visits": 3, "visits_served": 2, "visits_unserved": 1, "carers_used": 1,
    ...      "care_minutes": 90.0, "travel_minutes": 30.0, "travel_km": None,
    ...      "travel_minutes_per_care_hour": 20.0, "travel_share_of_working_time": 0.2,
    ...      "waiting_minutes": 0.0}
    >>> dict(rounds_rows(k))["visits served"]
    '2 of 3'
    """
    return [
        ("visits served", f"{k['visits_served']:,} of {k['visits']:,}"),
        ("visits unserved", k["visits_unserved"]),
        ("carers", k["carers_used"]),
        ("hours of care", k["care_minutes"] / 60),
        ("travel minutes", k["travel_minutes"]),
        ("travel km", _km(k.get("travel_km"))),
        ("travel min per care hour", k["travel_minutes_per_care_hour"]),
        ("travel share of working time", f"{k['travel_share_of_working_time']:.0%}"),
        ("waiting minutes", k["waiting_minutes"]),
    ]


def carer_totals(itin: pd.DataFrame) -> pd.DataFrame:
    """Return each carer's visits, care and travel minutes (the itineraries summed).

    Examples
    --------
    >>> itin = pd.DataFrame({"carer_id": ["A", "A", "A"], "kind": ["start", "visit", "end"],
    ...                      "start": [480.0, 490.0, 520.0], "end": [480.0, 520.0, 520.0],
    ...                      "travel_minutes": [0.0, 10.0, 5.0]})
    >>> carer_totals(itin).to_dict("records")
    [{'carer_id': 'A', 'visits': 1, 'care_minutes': 30.0, 'travel_minutes': 15.0}]
    """
    visits = itin[itin["kind"] == "visit"]
    care = (visits["end"] - visits["start"]).groupby(visits["carer_id"]).sum()
    out = pd.DataFrame(
        {
            "visits": visits.groupby("carer_id").size(),
            "care_minutes": care,
            "travel_minutes": itin.groupby("carer_id")["travel_minutes"].sum(),
        }
    ).fillna(0.0)
    out["visits"] = out["visits"].astype(int)
    out = out[out["visits"] > 0].sort_values(["visits", "care_minutes"], ascending=False)
    return out.rename_axis("carer_id").reset_index()


def week_rows(k: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a week's headline numbers (from :attr:`Week.kpis`) as (label, value) rows.

    Examples
    --------
    >>> k = {"days": 2, "visits": 4, "visits_served": 4, "visits_unserved": 0,
    ...      "care_minutes": 120.0, "travel_minutes": 40.0, "travel_km": 21.5,
    ...      "carers_per_client_mean": 1.5, "carers_per_client_p90": 2.0,
    ...      "carers_per_client_max": 2}
    >>> dict(week_rows(k))["carers per client (mean)"]
    1.5
    """
    return [
        ("days", k["days"]),
        ("visits served", f"{k['visits_served']:,} of {k['visits']:,}"),
        ("visits unserved", k["visits_unserved"]),
        ("hours of care", k["care_minutes"] / 60),
        ("travel minutes", k["travel_minutes"]),
        ("travel km", _km(k.get("travel_km"))),
        ("carers per client (mean)", k["carers_per_client_mean"]),
        ("carers per client (p90)", k["carers_per_client_p90"]),
        ("carers per client (most)", k["carers_per_client_max"]),
    ]


def day_totals(by_day: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Return one row per day of a week: visits, served, carers, travel and care.

    Examples
    --------
    >>> day_totals({"Mon": {"visits": 3, "visits_served": 3, "carers_used": 2,
    ...                     "travel_minutes": 25.0, "travel_km": None, "care_minutes": 60.0}})
       day  visits  served  carers  travel_minutes  care_hours
    0  Mon       3       3       2            25.0         1.0
    """
    rows = [
        {
            "day": d,
            "visits": k["visits"],
            "served": k["visits_served"],
            "carers": k["carers_used"],
            "travel_minutes": k["travel_minutes"],
            "care_hours": k["care_minutes"] / 60,
        }
        for d, k in by_day.items()
    ]
    return pd.DataFrame(
        rows, columns=["day", "visits", "served", "carers", "travel_minutes", "care_hours"]
    )
