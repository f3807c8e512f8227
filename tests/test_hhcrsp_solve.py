"""HHCRSP instances solved by the rounds engine: optima worked out by hand, and the validator."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from carezones.io import read_hhcrsp
from carezones.report.hhcrsp import write_hhcrsp_solution
from carezones.rounds.hhcrsp import hhcrsp_cost, hhcrsp_options, solve_hhcrsp

from .test_hhcrsp_io import HHCRSP, validate

OPTS = hhcrsp_options(iterations=300, seed=0)


def _instance(tmp_path: Path, name: str, patients, caregivers, distances) -> Path:
    path = tmp_path / f"{name}.json"
    services = sorted({r["service"] for p in patients for r in p["required_caregivers"]})
    path.write_text(
        json.dumps(
            {
                "patients": patients,
                "services": [{"id": s, "default_duration": 30} for s in services],
                "caregivers": caregivers,
                "central_offices": [{"id": "d"}],
                "distances": distances,
            }
        ),
        encoding="utf-8",
    )
    return path


def _late_is_cheaper(tmp_path: Path) -> Path:
    """One caregiver, two patients 10 minutes from the office and from each other.

    p1 (30 min) and p2 (10 min) both open 0-10. p1 first: p1 at 10-40, p2 at 50 (40 late):
    (30 + 40 + 40) / 3. p2 first: p2 at 10-20, p1 at 30 (20 late): (30 + 20 + 20) / 3 = 23.33,
    the optimum: a late visit is cheaper than a second caregiver, who does not exist.
    """
    patients = [
        {"id": p, "time_window": [0, 10], "required_caregivers": [{"service": "s1", "duration": d}]}
        for p, d in (("p1", 30), ("p2", 10))
    ]
    carers = [{"id": "c1", "abilities": ["s1"]}]
    d = [[0, 10, 10], [10, 0, 10], [10, 10, 0]]
    return _instance(tmp_path, "late", patients, carers, d)


def _pair_in_its_gap(tmp_path: Path) -> Path:
    """Two caregivers each holding one of a patient's two services, given 30-60 min apart.

    c1 gives s1 at 10 (10 from the office), c2 gives s2 at the earliest the gap allows, 40:
    no lateness, travel 4 × 10, cost 40 / 3.
    """
    patients = [
        {
            "id": "p1",
            "time_window": [0, 100],
            "required_caregivers": [
                {"service": "s1", "duration": 20},
                {"service": "s2", "duration": 20},
            ],
            "synchronization": {"type": "sequential", "distance": [30, 60]},
        }
    ]
    carers = [{"id": "c1", "abilities": ["s1"]}, {"id": "c2", "abilities": ["s2"]}]
    return _instance(tmp_path, "pair", patients, carers, [[0, 10], [10, 0]])


@pytest.mark.parametrize(
    ("make", "optimum"),
    [(_late_is_cheaper, 70 / 3), (_pair_in_its_gap, 40 / 3)],
    ids=["late", "pair"],
)
def test_tiny_instances_are_solved_to_their_optimum_by_hand(make, optimum, tmp_path):
    inst = read_hhcrsp(make(tmp_path))
    result = solve_hhcrsp(inst, OPTS)
    assert result.cost.served == result.cost.visits
    assert result.cost.total_cost == pytest.approx(optimum)
    assert result.rounds.check() == []
    assert hhcrsp_cost(inst, result.routes) == result.cost
    starts = {inst.visits["visit_id"][i]: s for r in result.routes.values() for i, s, _ in r}
    if "p1/s2" in starts:  # the pair: the second starts 30 minutes after the first
        assert starts["p1/s2"] - starts["p1/s1"] == pytest.approx(30)
    if HHCRSP is not None:
        sol = write_hhcrsp_solution(tmp_path / "sol.json", inst, result.routes)
        done = validate(tmp_path / f"{inst.name}.json", sol)
        assert done.returncode == 0, done.stderr[-2000:]
        assert json.loads(done.stdout)["total_cost"] == pytest.approx(optimum)


@pytest.mark.skipif(HHCRSP is None, reason="hhcrsp/ not found in the shared data")
def test_the_toy_and_a_small_instance_pass_the_validator(tmp_path):
    for path in (HHCRSP / "toy.json", HHCRSP / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json"):
        inst = read_hhcrsp(path)
        result = solve_hhcrsp(inst, OPTS)
        assert result.cost.served == result.cost.visits, path.name
        sol = write_hhcrsp_solution(tmp_path / f"sol-{inst.name}.json", inst, result.routes)
        done = validate(path, sol)
        assert done.returncode == 0, (path.name, done.stderr[-2000:])
        got = json.loads(done.stdout)["total_cost"]
        assert math.isclose(got, result.cost.total_cost, rel_tol=1e-6), path.name
