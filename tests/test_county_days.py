"""County plans over several days, and carers counted from the rounds (issue 28)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import carezones as cz
from carezones import CountyOptions
from carezones.cli import main
from carezones.county import plan_designs
from carezones.county.day import ZoneTask, plan_zone_day
from carezones.county.plan import DAY_KPIS, day_of_visits, design_groups
from carezones.county.table import DESIGN_FACTS

from .conftest import cache_at

FAST = CountyOptions(iterations=100, workers=1, days=2)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county-days")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder, size="tiny", seed=0)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
        clients = cz.read_clients(county.clients_path, area=net)
        rng = np.random.default_rng(0)
        clients["provider"] = [f"P{i}" for i in rng.integers(0, 6, len(clients))]
        yield county, net, clients


@pytest.fixture(scope="module")
def designs(tiny):
    _, net, clients = tiny
    return {"today": "provider", "zones-2": cz.build_zones(clients, net, 2)}


@pytest.fixture(scope="module")
def two_days(tiny, designs):
    _, net, clients = tiny
    return plan_designs(designs, clients, net, options=FAST)


def test_each_day_draws_new_calls_and_every_design_gets_the_same_days(tiny, two_days):
    _, _, clients = tiny
    first = day_of_visits(clients, seed=0)
    second = day_of_visits(clients, seed=int(two_days["today"].daily["seed"].iloc[1]))
    assert not first["window_start"].equals(second["window_start"])  # a new draw of the calls
    today, zoned = two_days["today"].daily, two_days["zones-2"].daily
    assert today["seed"].tolist() == zoned["seed"].tolist()
    assert today["visits"].tolist() == zoned["visits"].tolist()
    assert list(today["day"]) == [1, 2] and today["seed"].iloc[0] == 0
    for plan in two_days.values():
        assert (plan.daily["rule_violations"] == 0).all()  # every round of every day checked


def test_the_first_of_several_days_is_the_run_of_one_day(tiny, designs, two_days):
    _, net, clients = tiny
    one = plan_designs(designs, clients, net, options=replace(FAST, days=1))
    for name, plan in one.items():
        pd.testing.assert_frame_equal(plan.itineraries, two_days[name].itineraries)
        assert plan.kpis["travel_minutes"] == two_days[name].daily["travel_minutes"].iloc[0]
        assert plan.kpis["carers"] == plan.kpis["carers_low"] == plan.kpis["carers_high"]


def test_every_kpi_is_the_mean_with_the_lowest_and_highest_day(two_days):
    for plan in two_days.values():
        for kpi in DAY_KPIS:
            if kpi not in plan.daily:
                continue
            day = plan.daily[kpi]
            if day.isna().any():
                continue
            assert plan.kpis[f"{kpi}_low"] == day.min() and plan.kpis[f"{kpi}_high"] == day.max()
            assert plan.kpis[kpi] == pytest.approx(day.mean())


def test_carers_from_the_rounds_serve_the_same_visits_with_no_more_carers(tiny, designs):
    """Letting carers go keeps every visit served and every rule; the count only falls."""
    _, net, clients = tiny
    day = day_of_visits(clients, seed=0)
    homes = np.column_stack([net.lon[net.junction_nodes], net.lat[net.junction_nodes]])
    fewer = 0
    for design in designs.values():
        des = design_groups(design, clients)
        zone_of = day["client_id"].astype(str).map(des.group)
        for zone in sorted(des.group.unique()):
            v = day[zone_of == zone].reset_index(drop=True)
            task = ZoneTask(zone, v, homes, iterations=100, let_go=1.0)
            whole = plan_zone_day(net, replace(task, let_go=0.0))
            cut = plan_zone_day(net, task)
            assert cut.problems == [] and whole.problems == []
            assert cut.kpis["visits_served"] == whole.kpis["visits_served"]
            served = set(cut.itineraries.loc[cut.itineraries.kind == "visit", "visit_id"])
            assert served == set(
                whole.itineraries.loc[whole.itineraries.kind == "visit", "visit_id"]
            )
            assert cut.worked["carers"] <= whole.worked["carers"] <= cut.team["carers"]
            assert cut.worked["paid_minutes"] <= whole.worked["paid_minutes"]
            assert cut.estimate is not None and cut.estimate <= cut.team["carers"]
            fewer += whole.worked["carers"] - cut.worked["carers"]
            shifts = ("early", "split", "split_morning", "split_evening", "late")
            assert sum(cut.worked[k] for k in shifts) == cut.worked["carers"]
    assert fewer > 0  # the search down lets some carers go on the tiny county


@pytest.mark.slow  # the session's cluster of two workers (a few seconds to start)
def test_one_and_two_workers_give_the_same_days(tiny, designs, two_days, dask_client):
    _, net, clients = tiny
    on_two = plan_designs(designs, clients, net, options=replace(FAST, client=dask_client))
    for name, plan in two_days.items():
        pd.testing.assert_frame_equal(plan.daily, on_two[name].daily)
        pd.testing.assert_frame_equal(plan.itineraries, on_two[name].itineraries)
        pd.testing.assert_frame_equal(plan.zones, on_two[name].zones)


def test_a_real_day_is_one_day(tiny, tmp_path, capsys):
    county, net, clients = tiny
    real = day_of_visits(clients, seed=0)
    with pytest.raises(ValueError, match="a visits file is one real day"):
        plan_designs(
            {"today": "provider"}, clients, net, inputs=cz.CountyInputs(visits=real), options=FAST
        )
    path = tmp_path / "visits.csv"
    real.drop(columns="geometry").to_csv(path, index=False)
    args = ["county", "--osm", str(county.osm_path), "--clients", str(county.clients_path)]
    args += ["--visits", str(path), "--zones", "2", "--days", "3", "--out", str(tmp_path / "o")]
    assert main(args) == 2
    assert "--days 3 with --visits: a visits file is one real day" in capsys.readouterr().err


def test_the_report_gives_every_kpi_its_range_and_says_what_the_spread_allows(tiny, tmp_path):
    county, _, clients = tiny
    path = tmp_path / "clients.csv"
    pd.DataFrame(
        {
            "client_id": clients.client_id,
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "hours_per_week": clients.hours_per_week,
            "provider": clients.provider,
        }
    ).to_csv(path, index=False)
    out = tmp_path / "out"
    args = ["county", "--osm", str(county.osm_path), "--clients", str(path)]
    args += ["--engine", "builtin", "--provider-column", "provider", "--zones", "2"]
    args += ["--iterations", "100", "--workers", "1", "--days", "2", "-q"]
    args += ["--rate-per-hour", "12.21", "--rate-per-mile", "0.45", "--out", str(out)]
    assert main(args) == 0
    table = pd.read_csv(out / "designs.csv")
    kpis = [c for c in table.columns if c not in DESIGN_FACTS and not c.endswith(("_low", "_high"))]
    assert {"travel_minutes_per_care_hour", "carers", "carers_estimate", "utilisation"} <= set(kpis)
    assert {"travel_minutes_per_carer", "travel_cost_per_care_hour"} <= set(kpis)
    for kpi in kpis:
        cols = list(table.columns)
        assert cols[cols.index(kpi) + 1 : cols.index(kpi) + 3] == [f"{kpi}_low", f"{kpi}_high"]
        assert (table[f"{kpi}_low"] <= table[kpi] + 1e-9).all()
        assert (table[kpi] <= table[f"{kpi}_high"] + 1e-9).all()
    assert (
        table["travel_minutes_per_care_hour_low"] < table["travel_minutes_per_care_hour_high"]
    ).all()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 2 and len(summary["daily"]["today"]) == 2
    assert {d["kpi"] for d in summary["differences"]} >= {"travel_minutes_per_care_hour", "carers"}
    md = (out / "summary.md").read_text()
    index = (out / "index.html").read_text()
    for text in (md, html.unescape(index)):
        assert "zones-2 vs today: " in text
        assert "day-to-day spread (" in text  # larger than it, or within it
        assert "carers from the rounds" in text and "the rule's estimate" in text
        assert "utilisation" in text and "shifts worked" in text
    assert 'class="range"' in index  # the chart's bars and bands: the lowest to the highest day
    head = html.unescape(re.search(r'<p class="headline">(.*?)</p>', index, re.S).group(1))
    spread = r"(clear of|within) the day-to-day spread \((.* on each of the 2 days|the 2 days go)"
    assert re.search(spread, head), head  # the headline's range over the days, and its verdict
