"""The HHCRSP benchmark's instances read and checked, and solutions the authors' validator accepts.

The shared benchmark (``hhcrsp/`` in the shared data folder, or ``$CAREZONES_DATA``) holds the
instances and the validator; the tests that need them skip cleanly when they are absent, and
those that run the validator skip when its dependencies are not importable.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from carezones._data import shared_file
from carezones.errors import ArgumentError, ValidationError
from carezones.io import HhcrspInstance, hhcrsp_solution, read_hhcrsp
from carezones.report.hhcrsp import write_hhcrsp_solution

HHCRSP = shared_file("hhcrsp")
VALIDATOR_NEEDS = ("click", "pandas", "numpy", "scipy", "pyparsing")  # graphviz is optional

needs_data = pytest.mark.skipif(
    HHCRSP is None, reason="hhcrsp/ not found in ../shared/data or $CAREZONES_DATA"
)


def instances(folder: str) -> list[Path]:
    return sorted((HHCRSP / folder).glob("*.json")) if HHCRSP is not None else []


# ---------------------------------------------------------------------- a small instance
def tiny() -> dict:
    """Two patients (one alone, one with a sequential pair) and two caregivers."""
    return {
        "patients": [
            {
                "id": "p1",
                "location": [1.0, 2.0],
                "time_window": [60, 120],
                "required_caregivers": [{"service": "s1", "duration": 30}],
            },
            {
                "id": "p2",
                "time_window": [0, 90],
                "required_caregivers": [
                    {"service": "s1", "duration": 20},
                    {"service": "s2", "duration": 15},
                ],
                "synchronization": {"type": "sequential", "distance": [10, 40]},
            },
        ],
        "services": [{"id": "s1", "default_duration": 30}, {"id": "s2", "default_duration": 30}],
        "caregivers": [{"id": "c1", "abilities": ["s1"]}, {"id": "c2", "abilities": ["s1", "s2"]}],
        "central_offices": [{"id": "d", "location": [0.0, 0.0]}],
        "distances": [[0, 10, 20], [10, 0, 15], [20, 15, 0]],
    }


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_reads_the_visits_carers_and_travel_of_a_small_instance(tmp_path):
    inst = read_hhcrsp(write(tmp_path / "tiny.json", tiny()))
    assert isinstance(inst, HhcrspInstance) and inst.name == "tiny" and inst.n_patients == 2
    v = inst.visits
    assert list(v["visit_id"]) == ["p1/s1", "p2/s1", "p2/s2"]
    assert list(v["client_id"]) == ["p1", "p2", "p2"]
    assert list(v["window_start"]) == [60, 0, 0] and list(v["window_end"]) == [120, 90, 90]
    assert list(v["duration_minutes"]) == [30, 20, 15]
    assert list(v["carers_required"]) == [1, 1, 1]
    assert list(v["skills"]) == [frozenset({"s1"}), frozenset({"s1"}), frozenset({"s2"})]
    assert np.isinf(v["max_late_minutes"]).all()  # the window's end is soft
    assert list(v["location"]) == [1, 2, 2] and list(inst.visit_location) == [1, 2, 2]
    assert list(v["sync"]) == ["", "sequential", "sequential"]
    assert list(v["partner_id"]) == ["", "p2/s2", "p2/s1"]
    assert list(v["pair_order"]) == [-1, 0, 1]
    assert list(v["after_visit"]) == ["", "", "p2/s1"]  # the pair as read_visits reads it
    assert list(v["gap_min_minutes"][1:]) == [10, 10] and list(v["gap_max_minutes"][1:]) == [40, 40]
    assert math.isnan(v["gap_min_minutes"][0])
    assert v.geometry[0].coords[0] == (1.0, 2.0) and v.geometry[1] is None
    c = inst.carers
    assert list(c["carer_id"]) == ["c1", "c2"]
    assert list(c["skills"]) == [frozenset({"s1"}), frozenset({"s1", "s2"})]
    assert (c["shift_start"] == 0).all() and (c["shift_end"] == inst.horizon_minutes).all()
    assert c["break_minutes"].isna().all() and c["max_minutes"].isna().all()
    assert inst.travel.tolist() == [[0, 10, 20], [10, 0, 15], [20, 15, 0]]
    assert not inst.travel.flags.writeable
    assert inst.office_id == "d" and dict(inst.services) == {"s1": 30.0, "s2": 30.0}
    # the matrix plan_rounds takes: both carers at the office, then the three visits
    T = inst.planning_minutes()
    assert T.shape == (5, 5)
    assert T[0].tolist() == [0, 0, 10, 20, 20] and T[3, 4] == 0  # p2's two visits: same place


def test_simultaneous_pairs_have_a_gap_of_nothing(tmp_path):
    data = tiny()
    data["patients"][1]["synchronization"] = {"type": "simultaneous"}
    v = read_hhcrsp(write(tmp_path / "sim.json", data)).visits
    assert list(v["sync"][1:]) == ["simultaneous"] * 2
    assert list(v["gap_min_minutes"][1:]) == [0, 0] and list(v["gap_max_minutes"][1:]) == [0, 0]
    assert list(v["after_visit"]) == ["", "", "p2/s1"]


@needs_data
def test_reads_the_toy_instance():
    inst = read_hhcrsp(HHCRSP / "toy.json")
    assert inst.n_patients == 6 and len(inst.visits) == 9 and len(inst.carers) == 3
    assert list(inst.visits["sync"].unique()) == ["", "simultaneous", "sequential"]


@needs_data
@pytest.mark.parametrize("folder", ["mankowska", "kummer"])
def test_reads_every_instance_of_the_benchmark(folder):
    files = instances(folder)
    assert len(files) >= 40
    for path in files:
        inst = read_hhcrsp(path)
        n = inst.n_patients
        assert inst.travel.shape == (n + 1, n + 1)
        assert inst.visits["client_id"].nunique() == n
        assert len(inst.carers) >= 3
        # each pair is linked both ways, and each visit's service is an ability of someone
        v = inst.visits
        partner = dict(zip(v["visit_id"], v["partner_id"], strict=True))
        assert all(partner[b] == a for a, b in partner.items() if b)
        second = v["pair_order"] == 1  # names its first in after_visit, the others none
        assert (v["after_visit"][second] == v["partner_id"][second]).all()
        assert (v["after_visit"][~second] == "").all()
        able = frozenset().union(*inst.carers["skills"])
        assert set(v["service"]) <= able


# ---------------------------------------------------------------------- bad files
def problems_of(path: Path) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        read_hhcrsp(path)
    return info.value


def test_every_problem_of_a_bad_file_is_reported_at_once(tmp_path):
    data = tiny()
    data["patients"] += [
        {
            "id": "p1",
            "time_window": [60, 30],
            "required_caregivers": [{"service": "s1", "duration": 5}],
        },
        {
            "id": "p4",
            "time_window": [0, 60],
            "required_caregivers": [{"service": "s9", "duration": 0}],
        },
        {
            "id": "p5",
            "time_window": [0, 60],
            "required_caregivers": [
                {"service": "s1", "duration": 5},
                {"service": "s2", "duration": 5},
            ],
            "synchronization": {"type": "sequential", "distance": [30, 10]},
        },
        {
            "id": "p6",
            "time_window": [0, 60],
            "required_caregivers": [
                {"service": "s1", "duration": 5},
                {"service": "s1", "duration": 5},
            ],
            "synchronization": {"type": "simultaneous"},
        },
        {
            "id": "p7",
            "time_window": [0, 60],
            "required_caregivers": [
                {"service": "s1", "duration": 5},
                {"service": "s2", "duration": 5},
            ],
        },
        {
            "id": "p8",
            "time_window": "morning",
            "required_caregivers": [{"service": "s3", "duration": 5}],
        },
    ]
    data["services"].append({"id": "s3"})
    data["caregivers"].append({"id": "c2", "abilities": ["s1", "s7"]})
    err = problems_of(write(tmp_path / "bad.json", data))
    text = str(err)
    found = [(p.row, p.column, str(p.reason)) for p in err.items]
    rows = {row for row, _, _ in found}
    assert {3, 4, 5, 6, 7, 8} <= rows  # each bad patient at its row (its position, from 1)
    expected = [
        "patient id p1 is repeated",
        "patient p1: the window closes before it opens",
        "patient p4: service s9 is not among the services",
        "patient p4: the duration of caregiver 1 is not a number > 0",
        "patient p5: a sequential synchronization needs a distance [min, max]",
        "patient p6: both caregivers give service s1",
        "patient p7 requires two caregivers but has no synchronization type",
        "patient p8: time_window is not two numbers",
        "patient p8: no caregiver can give service s3",
        "caregiver id 'c2' is repeated",
        "'distances' has 3 rows, for the office and 8 patients it needs 9",
    ]
    for words in expected:
        assert words in text, words
    assert all(str(p.fix) for p in err.items)  # every problem says how to put it right
    assert err.source == "bad.json"


def test_a_caregiver_with_an_unknown_ability_is_named(tmp_path):
    data = tiny()
    data["caregivers"][0]["abilities"] = ["s1", "s7"]
    data["central_offices"].append({"id": "e"})
    data["distances"][1][2] = -4
    text = str(problems_of(write(tmp_path / "ability.json", data)))
    assert "caregiver c1: ability s7 is not among the services" in text
    assert "2 central offices" in text
    assert "distances[1][2] is -4, not a number >= 0" in text


def test_a_file_that_is_not_an_instance_is_refused_with_the_fix(tmp_path):
    text = str(problems_of(write(tmp_path / "list.json", [1, 2])))
    assert "not an object" in text and "HHCRSP JSON format" in text
    (tmp_path / "broken.json").write_text("{ not json")
    assert "not valid JSON" in str(problems_of(tmp_path / "broken.json"))
    text = str(problems_of(write(tmp_path / "empty.json", {"patients": []})))
    for key in ("patients", "services", "caregivers", "central_offices", "distances"):
        assert f"'{key}'" in text
    with pytest.raises(FileNotFoundError):
        read_hhcrsp(tmp_path / "absent.json")


def test_synchronisation_must_match_the_caregivers_required(tmp_path):
    data = tiny()
    data["patients"][0]["synchronization"] = {"type": "simultaneous"}
    data["patients"][1]["synchronization"] = {"type": "simultaneous", "distance": [5, 10]}
    text = str(problems_of(write(tmp_path / "sync.json", data)))
    assert "patient p1 requires one caregiver but has a synchronization" in text
    assert "patient p2: simultaneous caregivers with a distance between their starts" in text


# ---------------------------------------------------------------------- solutions
def greedy(inst: HhcrspInstance) -> dict[str, list[tuple[int, float, float]]]:
    """A feasible solution by appending each patient's visits to the caregivers free soonest.

    Patients in order of their window's opening; a visit starts when its caregiver arrives or
    the window opens, whichever is later (the window's end is soft: lateness costs, it is not
    refused); the two visits of a pair go to the two caregivers (or one, for a sequential pair
    that leaves time) that start them soonest within their gap. Cost is ignored.
    """
    v, D = inst.visits, inst.travel
    ids = list(inst.carers["carer_id"])
    skills = dict(zip(ids, inst.carers["skills"], strict=True))
    ready = dict.fromkeys(ids, 0.0)
    at = dict.fromkeys(ids, 0)
    routes: dict[str, list[tuple[int, float, float]]] = {c: [] for c in ids}
    row = {vid: i for i, vid in enumerate(v["visit_id"])}
    loc, open_ = v["location"].to_numpy(), v["window_start"].to_numpy()
    dur = v["duration_minutes"].to_numpy()

    def earliest(c: str, i: int) -> float:
        return max(ready[c] + D[at[c], loc[i]], open_[i])

    def give(c: str, i: int, start: float) -> None:
        routes[c].append((i, start, start + dur[i]))
        ready[c], at[c] = start + dur[i], loc[i]

    done: set[int] = set()
    for i in sorted(range(len(v)), key=lambda i: (open_[i], i)):
        if i in done:
            continue
        able = [c for c in ids if v["service"][i] in skills[c]]
        if not v["partner_id"][i]:
            c = min(able, key=lambda c: (earliest(c, i), ids.index(c)))
            give(c, i, earliest(c, i))
            done.add(i)
            continue
        j = row[v["partner_id"][i]]
        a, b = (i, j) if v["pair_order"][i] == 0 else (j, i)
        lo, hi = v["gap_min_minutes"][a], v["gap_max_minutes"][a]
        options = []
        for ca in [c for c in ids if v["service"][a] in skills[c]]:
            for cb in [c for c in ids if v["service"][b] in skills[c]]:
                if ca == cb:  # one caregiver: the second service after the first
                    sa = earliest(ca, a)
                    sb = max(sa + dur[a] + D[loc[a], loc[b]], sa + lo, open_[b])
                    if sb <= sa + hi:
                        options.append((sb + dur[b], ca, cb, sa, sb))
                    continue
                sa, sb = earliest(ca, a), earliest(cb, b)
                sb = max(sb, sa + lo)
                sa = max(sa, sb - hi)
                options.append((max(sa + dur[a], sb + dur[b]), ca, cb, sa, sb))
        _, ca, cb, sa, sb = min(options)
        give(ca, a, sa)
        give(cb, b, sb)
        done |= {a, b}
    return routes


def cost(inst: HhcrspInstance, routes: dict[str, list[tuple[int, float, float]]]) -> dict:
    """The benchmark's objective, worked out here to compare with the validator's."""
    D, v = inst.travel, inst.visits
    travel, late = 0.0, []
    for stops in routes.values():
        prev = 0
        for i, start, _ in stops:
            travel += D[prev, v["location"][i]]
            prev = v["location"][i]
            late.append(max(start - v["window_end"][i], 0.0))
        travel += D[prev, 0]
    total, worst = sum(late), max(late)
    return {
        "distance": travel,
        "total": total,
        "worst": worst,
        "cost": (travel + total + worst) / 3,
    }


def validator() -> Path:
    if HHCRSP is None or not (HHCRSP / "validator" / "validator.py").exists():
        pytest.skip("the HHCRSP validator is not in the shared data")
    missing = [m for m in VALIDATOR_NEEDS if importlib.util.find_spec(m) is None]
    if missing:
        pytest.skip(f"the validator needs {', '.join(missing)}")
    return HHCRSP / "validator" / "validator.py"


def validate(instance: Path, solution: Path) -> subprocess.CompletedProcess[str]:
    script = validator()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    # its regular expressions warn on newer Pythons (invalid escapes): not our concern here
    return subprocess.run(
        [
            sys.executable,
            "-W",
            "ignore",
            str(script),
            "check-solution",
            str(instance),
            str(solution),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_the_solution_lists_every_caregiver_and_refuses_strangers(tmp_path):
    inst = read_hhcrsp(write(tmp_path / "tiny.json", tiny()))
    routes = greedy(inst)
    solution = hhcrsp_solution(inst, {c: r for c, r in routes.items() if r})
    assert [r["caregiver_id"] for r in solution["routes"]] == ["c1", "c2"]
    assert sum(len(r["locations"]) for r in solution["routes"]) == 3
    by_id = hhcrsp_solution(inst, {"c1": [("p1/s1", 60, 90)]})
    assert by_id["routes"][0]["locations"][0]["service"] == "s1"
    assert by_id["routes"][1] == {"caregiver_id": "c2", "locations": []}
    out = tmp_path / "sol.json"
    with pytest.raises(ArgumentError, match="caregiver c9 is not in instance tiny"):
        write_hhcrsp_solution(out, inst, {"c9": [(0, 60, 90)]})
    with pytest.raises(ArgumentError, match="visit 'p3/s1' is not in instance tiny"):
        write_hhcrsp_solution(out, inst, {"c1": [("p3/s1", 60, 90)]})
    with pytest.raises(ArgumentError, match="ends"):
        write_hhcrsp_solution(out, inst, {"c1": [(0, 90, 60)]})
    assert not out.exists()  # nothing written for a solution that is not the instance's
    written = write_hhcrsp_solution(out, inst, routes)
    assert json.loads(written.read_text()) == hhcrsp_solution(inst, routes)


def small_instances() -> list[Path]:
    if HHCRSP is None:
        return []
    kummer = [p for p in instances("kummer") if p.name.startswith("HHCRSP_10_")]
    return [HHCRSP / "toy.json", HHCRSP / "mankowska" / "InstanzCPLEX_HCSRP_10_1.json", kummer[0]]


@needs_data
@pytest.mark.parametrize("path", small_instances(), ids=lambda p: p.stem)
def test_a_greedy_solution_passes_the_validator_at_the_cost_worked_out(path, tmp_path):
    inst = read_hhcrsp(path)
    routes = greedy(inst)
    assert sorted(i for r in routes.values() for i, _, _ in r) == list(range(len(inst.visits)))
    sol = write_hhcrsp_solution(tmp_path / f"sol-{inst.name}.json", inst, routes)
    done = validate(path, sol)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout)
    want = cost(inst, routes)
    assert got["distance_traveled"] == pytest.approx(want["distance"])
    assert got["total_tardiness"] == pytest.approx(want["total"])
    assert got["max_tardiness"] == pytest.approx(want["worst"])
    assert got["total_cost"] == pytest.approx(want["cost"])


@needs_data
def test_the_validator_rejects_a_solution_that_breaks_the_rules(tmp_path):
    path = HHCRSP / "toy.json"
    inst = read_hhcrsp(path)
    routes = greedy(inst)
    # a visit started before its window opens
    early = copy.deepcopy(routes)
    c = next(c for c, r in early.items() if r)
    i, start, end = early[c][-1]
    opens = float(inst.visits["window_start"][i])
    early[c][-1] = (i, opens - 30, opens - 30 + (end - start))
    # the second visit of a sequential pair started long after the gap allows
    apart = copy.deepcopy(routes)
    second = int(
        np.flatnonzero((inst.visits["sync"] == "sequential") & (inst.visits["pair_order"] == 1))[0]
    )
    c = next(c for c, r in apart.items() if any(s[0] == second for s in r))
    k = next(k for k, s in enumerate(apart[c]) if s[0] == second)
    i, start, end = apart[c][k]
    apart[c][k:] = [(j, s + 500, e + 500) for j, s, e in apart[c][k:]]
    # a service given by a caregiver without the ability
    unable = copy.deepcopy(routes)
    skills = dict(zip(inst.carers["carer_id"], inst.carers["skills"], strict=True))
    c, r = next((c, r) for c, r in unable.items() if r)
    other = next(o for o in unable if inst.visits["service"][r[0][0]] not in skills[o])
    unable[other] = [r[0], *unable[other]]
    unable[c] = r[1:]
    # the validator fails on the rule each breaks (its check of a pair too far apart fails
    # while wording its message, with a KeyError, but on that check's line)
    rules = {"early": "too early", "apart": "starts too late", "unable": "not in his/her skills"}
    for label, bad in [("early", early), ("apart", apart), ("unable", unable)]:
        sol = write_hhcrsp_solution(tmp_path / f"{label}.json", inst, bad)
        done = validate(path, sol)
        assert done.returncode != 0, label
        assert "in validate_solution" in done.stderr, (label, done.stderr[-2000:])
        assert rules[label] in done.stderr, (label, done.stderr[-2000:])
