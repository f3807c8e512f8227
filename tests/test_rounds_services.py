"""Services: a visit gives one service, which only carers holding it may give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from carezones import RoundsOptions, ValidationError
from carezones.rounds import plan_rounds, read_carers, read_visits

from .test_rounds import LAT0, LON0


def _visits(services: list[object]) -> pd.DataFrame:
    n = len(services)
    return pd.DataFrame(
        {
            "visit_id": [f"V{i}" for i in range(n)],
            "lat": LAT0,
            "lon": LON0,
            "window_start": "08:00",
            "window_end": "10:00",
            "duration_minutes": [20 + 10 * i for i in range(n)],
            "service": services,
        }
    )


def test_a_service_is_a_skill_its_carers_must_hold():
    visits = read_visits(_visits(["Nursing", "personal care", None]))
    assert visits["service"].tolist() == ["nursing", "personal care", ""]
    assert [sorted(s) for s in visits["skills"]] == [["nursing"], ["personal care"], []]
    carers = read_carers(
        pd.DataFrame(
            {
                "carer_id": ["K1", "K2"],
                "lat": LAT0,
                "lon": LON0,
                "shift_start": "08:00",
                "shift_end": "12:00",
                "skills": ["nursing", "personal care"],
            }
        )
    )
    minutes = np.full((5, 5), 5.0)
    np.fill_diagonal(minutes, 0.0)
    rounds = plan_rounds(
        visits, carers, minutes=minutes, options=RoundsOptions(iterations=100, seed=0)
    )
    given = rounds.itineraries.query("kind == 'visit'").set_index("visit_id")["carer_id"]
    assert given["V0"] == "K1" and given["V1"] == "K2"  # each by the carer holding its service
    assert rounds.check() == []


def test_a_visit_naming_two_services_is_refused_with_the_fix():
    with pytest.raises(ValidationError) as err:
        read_visits(_visits(["nursing;medication", "nursing"]))
    text = str(err.value)
    assert "row 1, column 'service'" in text and "a visit gives one service" in text
    assert "after_visit" in text
