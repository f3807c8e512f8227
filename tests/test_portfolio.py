"""Choosing a set of sites: the solvers against brute force, choose_sites, bad input, files, CLI."""

from __future__ import annotations

import json
from itertools import combinations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import carezones as cz
from carezones.io import DemandColumns, read_demand, read_growth
from carezones.sites.solver import max_coverage, p_median

from .conftest import cache_at, random_points

TOL = 1e-9


# ---------------------------------------------------------------------- brute force
def brute_coverage(reach: np.ndarray, w: np.ndarray, k: int, fixed=()) -> float:
    """The most demand any k sites (plus the fixed ones) cover: reach is (sites, demand)."""
    fixed = list(fixed)
    base = reach[fixed].any(axis=0) if fixed else np.zeros(reach.shape[1], dtype=bool)
    free = [j for j in range(reach.shape[0]) if j not in fixed]
    return max(float(w[base | reach[list(s)].any(axis=0)].sum()) for s in combinations(free, k))


def brute_median(d: np.ndarray, w: np.ndarray, k: int) -> float:
    return min(float(w @ d[list(s)].min(axis=0)) for s in combinations(range(d.shape[0]), k))


def instance(seed: int, n_sites: int = 25, n_demand: int = 120, ties: bool = False):
    rng = np.random.default_rng(seed)
    sites, pts = rng.random((n_sites, 2)), rng.random((n_demand, 2))
    d = np.hypot(*(sites[:, None, :] - pts[None, :, :]).transpose(2, 0, 1)) * 40.0
    if ties:
        d = np.round(d)
    w = rng.integers(0, 12, n_demand).astype(float)  # some demand points weigh nothing
    frac = rng.random(n_demand) < 0.3
    w[frac] = rng.random(int(frac.sum())) * 10.0
    return d, w


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_max_coverage_equals_brute_force(seed, k):
    d, w = instance(seed, ties=seed % 2 == 0)
    radius = 6.0 + seed
    reach = d <= radius
    sol = max_coverage(sp.csr_matrix(reach.T), w, k)
    best = brute_coverage(reach, w, k)
    assert sol.optimal and len(sol.chosen) == k and len(set(sol.chosen.tolist())) == k
    assert sol.value == pytest.approx(best, rel=TOL, abs=1e-9)
    assert float(w[reach[sol.chosen].any(axis=0)].sum()) == pytest.approx(sol.value, abs=1e-9)
    assert sol.bound == sol.value and sol.gap == 0.0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_p_median_equals_brute_force(seed, k):
    d, w = instance(100 + seed, ties=seed % 2 == 1)
    sol = p_median(d, w, k)
    best = brute_median(d, w, k)
    assert sol.optimal and len(sol.chosen) == k and len(set(sol.chosen.tolist())) == k
    assert sol.value == pytest.approx(best, rel=TOL)
    assert float(w @ d[sol.chosen].min(axis=0)) == pytest.approx(sol.value, rel=1e-12)


def test_solvers_are_deterministic_and_bounded_under_a_time_limit():
    d, w = instance(7, n_sites=80, n_demand=900)
    reach = d <= 5.0
    a = max_coverage(sp.csr_matrix(reach.T), w, 6)
    b = max_coverage(sp.csr_matrix(reach.T), w, 6)
    assert a.chosen.tolist() == b.chosen.tolist() and a.value == b.value
    m1, m2 = p_median(d, w, 6), p_median(d, w, 6)
    assert m1.chosen.tolist() == m2.chosen.tolist() and m1.value == m2.value
    quick = p_median(d, w, 6, time_limit=1e-6)  # stops at once: the heuristic with a bound
    assert len(quick.chosen) == 6 and quick.bound <= quick.value + 1e-9
    assert quick.value >= m1.value - 1e-9
    if not quick.optimal:
        assert quick.gap > 0 and "time limit" in quick.method
    fast = max_coverage(sp.csr_matrix(reach.T), w, 6, time_limit=1e-6)
    assert len(fast.chosen) == 6 and fast.bound >= fast.value - 1e-9


def test_solvers_refuse_impossible_k_and_unpriced_pairs():
    d, w = instance(1, n_sites=5, n_demand=10)
    with pytest.raises(ValueError, match="k must be between 1 and 5"):
        p_median(d, w, 6)
    with pytest.raises(ValueError, match="k must be between 1 and 5"):
        max_coverage(d.T <= 5, w, 0)
    d[0, 0] = np.inf
    with pytest.raises(ValueError, match="finite"):
        p_median(d, w, 2)


def test_coverage_reductions_keep_the_optimum_when_few_sites_matter():
    reach = np.zeros((6, 8), dtype=bool)
    reach[0, :4] = True  # site 0 reaches what sites 1 and 2 reach, and more
    reach[1, :2] = True
    reach[2, 2:4] = True
    reach[3, 6] = True
    w = np.arange(1.0, 9.0)
    sol = max_coverage(sp.csr_matrix(reach.T), w, 3)
    assert sol.optimal and sol.value == pytest.approx(brute_coverage(reach, w, 3))
    assert {0, 3} <= set(sol.chosen.tolist()) and len(sol.chosen) == 3


# ---------------------------------------------------------------------- choose_sites
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny synthetic county, its drive network, clients and 25 candidate sites."""
    folder = tmp_path_factory.mktemp("tiny")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder, size="tiny", seed=0)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
    clients = cz.read_clients(county.clients_path, area=net)
    pts = random_points(net, 25, seed=5)
    rng = np.random.default_rng(5)
    sites = gpd.GeoDataFrame(
        {"site_id": [f"C{i:02d}" for i in range(25)], "score": rng.uniform(20, 95, 25).round(1)},
        geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]),
        crs=4326,
    )
    return county, net, clients, sites


def site_matrix(net, sites, clients) -> np.ndarray:
    """Minutes from each site to each client, as the network's public API gives them."""
    pts = net.access_points(sites.geometry.to_numpy())
    return net.travel_times(pts, clients, engine="builtin")


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_choose_sites_equals_brute_force_on_the_network(tiny, k):
    _, net, clients, sites = tiny
    t = site_matrix(net, sites, clients)
    w = clients.hours_per_week.to_numpy(float)
    res = cz.choose_sites(sites, clients, net, k, options=cz.PortfolioOptions(minutes=4.0))
    assert res.kpis["optimal"] and len(res.chosen) == k
    assert res.kpis["covered"] == pytest.approx(brute_coverage(t <= 4.0, w, k), rel=TOL)
    med = cz.choose_sites(
        sites, clients, net, k, options=cz.PortfolioOptions(objective="p-median", minutes=4.0)
    )
    routed = np.isfinite(t).any(axis=0)
    d = np.where(np.isfinite(t[:, routed]), t[:, routed], np.inf)
    assert np.isfinite(d).all()
    best = brute_median(d, w[routed], k)
    assert med.kpis["objective_value"] == pytest.approx(best, rel=TOL)
    assert med.kpis["mean_minutes"] == pytest.approx(best / w[routed].sum(), rel=1e-9)


def test_choose_sites_counts_existing_schemes_as_open(tiny):
    _, net, clients, sites = tiny
    existing = sites.iloc[:3].assign(site_id=["Old A", "Old B", "Old C"])
    cands = sites.iloc[3:]
    res = cz.choose_sites(
        cands, clients, net, 2, existing=existing, options=cz.PortfolioOptions(minutes=3.0)
    )
    t = site_matrix(net, pd.concat([cands, existing]), clients)
    w = clients.hours_per_week.to_numpy(float)
    n = len(cands)
    best = brute_coverage(t <= 3.0, w, 2, fixed=range(n, n + 3))
    assert res.kpis["covered"] == pytest.approx(best, rel=TOL)
    assert not set(res.site_ids) & {"Old A", "Old B", "Old C"}
    assert res.existing is not None and res.existing.site_id.tolist() == ["Old A", "Old B", "Old C"]
    unnamed = cz.choose_sites(
        cands,
        clients,
        net,
        2,
        existing=existing.drop(columns=["site_id", "score"]),
        options=cz.PortfolioOptions(minutes=3.0),
    )
    assert unnamed.existing.site_id.tolist() == ["E001", "E002", "E003"]
    assert unnamed.kpis["covered"] == pytest.approx(best, rel=TOL)
    # the demand each open site serves adds up to the demand covered
    served = res.chosen.serves.sum() + res.existing.serves.sum()
    assert served == pytest.approx(res.kpis["covered"], rel=1e-9)
    # what a site adds is what the set loses without it
    for row in res.chosen.itertuples():
        others = [c for c in range(n) if cands.site_id.iloc[c] in set(res.site_ids) - {row.site_id}]
        without = float(w[(t[[*others, n, n + 1, n + 2]] <= 3.0).any(axis=0)].sum())
        assert row.adds == pytest.approx(res.kpis["covered"] - without, abs=1e-9)


def test_choose_sites_beats_the_k_best_single_sites_and_says_by_how_much(tiny):
    _, net, clients, sites = tiny
    res = cz.choose_sites(sites, clients, net, 3, options=cz.PortfolioOptions(minutes=3.0))
    base = res.kpis["baselines"]
    assert {b["baseline"] for b in base} == {
        "the k sites that each reach the most demand alone",
        "the k best-scoring sites",
    }
    assert all(res.kpis["covered"] >= b["covered"] - 1e-9 for b in base)
    assert "this set covers +" in res.summary()


def test_minimum_score_and_its_errors(tiny):
    _, net, clients, sites = tiny
    res = cz.choose_sites(sites, clients, net, 3, options=cz.PortfolioOptions(min_score=60))
    ok = set(sites.site_id[sites.score >= 60])
    assert set(res.site_ids) <= ok
    status = res.candidates.set_index("site_id").status
    assert (status[list(set(sites.site_id) - ok)] == "below the minimum score").all()
    with pytest.raises(
        cz.CarezonesError,
        match=r"k=20 but only \d+ of 25 candidates can be "
        r"chosen \(\d+ below the minimum score\)",
    ):
        cz.choose_sites(sites, clients, net, 20, options=cz.PortfolioOptions(min_score=60))
    with pytest.raises(
        cz.CarezonesError,
        match=r"no candidate meets the minimum score of 99 "
        r"\(the best, C\d\d, scores 9\d\.\d",
    ):
        cz.choose_sites(sites, clients, net, 2, options=cz.PortfolioOptions(min_score=99))
    with pytest.raises(cz.CarezonesError, match="k=26 but only 25 of 25"):
        cz.choose_sites(sites, clients, net, 26)
    with pytest.raises(cz.CarezonesError, match="objective must be"):
        cz.choose_sites(sites, clients, net, 2, options=cz.PortfolioOptions(objective="fastest"))
    with pytest.raises(cz.CarezonesError, match="k must be a whole number"):
        cz.choose_sites(sites, clients, net, 2.5)


def test_unscored_candidates_are_scored_for_a_minimum_score(tiny, tmp_path, cache):
    import shutil

    county, net, clients, sites = tiny
    res = cz.choose_sites(
        sites.drop(columns="score"),
        clients,
        net,
        2,
        options=cz.PortfolioOptions(min_score=1, score_config={"rural": {"points": 0}}),
    )
    cands = res.candidates
    assert cands.score.notna().sum() >= 20 and len(res.chosen) == 2
    assert (cands.status[cands.score.isna()] == "not scored").all()  # off the walking network
    gone = tmp_path / "gone.osm"
    shutil.copy(county.osm_path, gone)
    other = cz.load_network(gone, "drive", engine="builtin")
    gone.unlink()  # the network's file is gone: nothing to score the sites on
    with pytest.raises(cz.CarezonesError, match="min_score needs scored candidates"):
        cz.choose_sites(
            sites.drop(columns="score"), clients, other, 2, options=cz.PortfolioOptions(min_score=1)
        )


def test_demand_outside_the_network_is_listed_not_dropped(tiny):
    _, net, clients, sites = tiny
    far = clients.copy()
    far.loc[far.index[[3, 7]], "geometry"] = gpd.points_from_xy([1.5, 1.6], [55.0, 55.1])
    with pytest.raises(cz.ValidationError) as err:
        cz.choose_sites(sites, far, net, 2)
    rows = err.value.problems["row"].tolist()
    assert rows == [4, 8] and "outside the area of the road network" in str(err.value)


def test_left_out_demand_is_listed_with_its_reason(tiny):
    _, net, clients, sites = tiny
    lon0, lat0 = net.bounds[0], net.bounds[1]
    off = clients.iloc[:2].copy()
    off["client_id"] = ["far1", "far2"]
    off["geometry"] = gpd.points_from_xy([lon0 - 0.03, lon0 - 0.031], [lat0 - 0.015, lat0])
    res = cz.choose_sites(
        sites,
        pd.concat([clients, off], ignore_index=True),
        net,
        2,
        options=cz.PortfolioOptions(max_outside_km=5),
    )
    assert len(res.demand) == len(clients) + 2  # every row counted or left out
    left = res.left_out
    assert set(left.demand_id) >= {"far1"} and left.reason.str.contains("from any drive road").all()
    assert (res.demand.status.isin(["covered", "not covered", "left out"])).all()


def test_growth_scenarios_and_which_sites_stay_chosen(tiny):
    _, net, clients, sites = tiny
    towns = sorted(set(clients.town))
    demand = read_demand(clients, columns=DemandColumns(area="town"))
    growth = pd.DataFrame({"town": ["*", towns[0]], "2029": ["+21%", "+60%"], "2038": [1.4, 3]})
    res = cz.choose_sites(
        sites, demand, net, 2, growth=growth, options=cz.PortfolioOptions(minutes=3.0)
    )
    assert res.scenarios.scenario.tolist() == ["now", "2029", "2038"]
    assert res.kpis["plan_for"] == "2038"
    hours = clients.hours_per_week.to_numpy(float)
    in_first = (clients.town == towns[0]).to_numpy()
    expect = hours.sum() * 1.4 + hours[in_first].sum() * 1.6
    assert res.scenarios.demand.iloc[2] == pytest.approx(expect)
    assert list(res.stability.columns) == ["site_id", "now", "2029", "2038", "chosen_in"]
    assert res.stability.chosen_in.between(1, 3).all()
    every = cz.choose_sites(
        sites,
        demand,
        net,
        2,
        growth=growth,
        options=cz.PortfolioOptions(minutes=3.0, plan_for="all"),
    )
    assert "all" in every.scenarios.scenario.tolist()
    bad = pd.DataFrame({"town": ["*", "Atlantis", "Lyonesse"], "2029": [1.2, 1.3, 1.1]})
    with pytest.raises(cz.ValidationError) as err:
        cz.choose_sites(sites, demand, net, 2, growth=bad)
    assert err.value.problems["row"].tolist() == [2, 3]
    assert "unknown area code" in str(err.value)
    with pytest.raises(cz.ValidationError, match="no area codes"):
        cz.choose_sites(sites, clients.drop(columns="town"), net, 2, growth={"2029": {"X": 1}})
    with pytest.raises(cz.CarezonesError, match="plan_for='2050' is not a scenario"):
        cz.choose_sites(
            sites, demand, net, 2, growth=growth, options=cz.PortfolioOptions(plan_for="2050")
        )


def test_preferred_areas_weigh_their_demand_up(tiny):
    _, net, clients, sites = tiny
    demand = read_demand(clients, columns=DemandColumns(area="town"))
    town = sorted(set(clients.town))[0]
    res = cz.choose_sites(
        sites, demand, net, 2, preferred=[town], options=cz.PortfolioOptions(preferred_weight=2.0)
    )
    inside = (clients.town == town).to_numpy()
    hours = clients.hours_per_week.to_numpy(float)
    assert res.kpis["demand_total"] == pytest.approx(hours.sum() + hours[inside].sum())
    with pytest.raises(cz.CarezonesError, match="have no demand"):
        cz.choose_sites(sites, demand, net, 2, preferred=["Nowhere"])


def test_area_counts_and_bad_growth_files(tmp_path, tiny):
    _, net, clients, sites = tiny
    areas = pd.DataFrame(
        {
            "oa21cd": [f"E{i:03d}" for i in range(len(clients))],
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "aged_65_plus": np.arange(len(clients)) % 7 + 1,
        }
    )
    demand = read_demand(areas, area=net)
    assert demand.attrs["carezones_demand"]["kind"] == "areas"
    assert demand.demand_id.tolist() == areas.oa21cd.tolist()
    res = cz.choose_sites(sites, demand, net, 2, growth={"2029": {"E000": 2.0, "*": 1.1}})
    assert res.kpis["unit"] == "people aged 65 plus"
    bad = areas.copy().astype(object)
    bad.loc[1, "aged_65_plus"] = -2
    bad.loc[2, "oa21cd"] = "E000"
    bad.loc[3, "aged_65_plus"] = "many"
    with pytest.raises(cz.ValidationError) as err:
        read_demand(bad)
    assert err.value.problems["row"].tolist() == [2, 3, 4]
    csv = tmp_path / "growth.csv"
    csv.write_text("area_code,2029,2038\n*,+21%,1.4\nE001,21,\nE001,1.1,-150%\n")
    with pytest.raises(cz.ValidationError) as err:
        read_growth(csv)
    text = str(err.value)
    assert "21 is not a multiplier" in text and "missing growth factor" in text
    assert "area repeated (first in row 3)" in text and "cannot make demand negative" in text
    ok = read_growth(pd.DataFrame({"area": ["*"], "2029": ["+21%"]}))
    assert ok["2029"].iloc[0] == pytest.approx(1.21)


def test_the_same_inputs_give_the_same_answer(tiny):
    _, net, clients, sites = tiny
    a = cz.choose_sites(sites, clients, net, 3, options=cz.PortfolioOptions(objective="p-median"))
    b = cz.choose_sites(
        sites.sample(frac=1.0, random_state=1),
        clients,
        net,
        3,
        options=cz.PortfolioOptions(objective="p-median"),
    )
    assert (
        a.site_ids
        == cz.choose_sites(
            sites, clients, net, 3, options=cz.PortfolioOptions(objective="p-median")
        ).site_ids
    )
    assert a.kpis["objective_value"] == pytest.approx(b.kpis["objective_value"], rel=TOL)


# ---------------------------------------------------------------------- files, map, CLI
def no_client_coordinates(folder, clients, sites) -> None:
    """No file of the folder holds a client's coordinates (both, to 4 decimals: about 10 m)."""
    import re

    sites_at = set(zip(sites.geometry.x.round(4), sites.geometry.y.round(4), strict=True))
    homes = list(zip(clients.geometry.x.round(4), clients.geometry.y.round(4), strict=True))
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8") if path.suffix != ".gpkg" else ""
        if path.suffix in (".csv", ".json", ".md"):  # few numbers: any two of them
            numbers = {round(float(x), 4) for x in re.findall(r"-?\d+\.\d{4,}", text)}
            found = [h for h in homes if h[0] in numbers and h[1] in numbers]
            assert not found, f"{path.name} holds client coordinates {found[:3]}"
        elif path.suffix == ".html":  # every point drawn is a site, never a client
            at = re.findall(r"L\.circleMarker\(\s*\[(-?\d+\.\d+), (-?\d+\.\d+)\]", text)
            drawn = {(round(float(lon), 4), round(float(lat), 4)) for lat, lon in at}
            at = re.findall(r'"Point","coordinates":\[(-?\d+\.\d+),(-?\d+\.\d+)\]', text)
            drawn |= {(round(float(lon), 4), round(float(lat), 4)) for lon, lat in at}
            assert drawn and drawn <= sites_at, f"{path.name} draws points that are no site"
    layers = gpd.list_layers(folder / "portfolio.gpkg").name.tolist()
    assert "demand_hexagons" in layers
    for layer in layers:
        gdf = gpd.read_file(folder / "portfolio.gpkg", layer=layer)
        pts = gdf.geometry[gdf.geometry.geom_type == "Point"]
        near = {(round(x, 5), round(y, 5)) for x, y in zip(pts.x, pts.y, strict=True)}
        homes = {
            (round(x, 5), round(y, 5))
            for x, y in zip(clients.geometry.x, clients.geometry.y, strict=True)
        }
        assert not near & homes, f"layer {layer} holds client points"


def test_files_and_map_hold_no_client_location(tiny, tmp_path):
    _, net, clients, sites = tiny
    many = pd.concat([clients] * 3, ignore_index=True)
    many["client_id"] = [f"P{i}" for i in range(len(many))]  # hexagons of 5+ clients exist
    existing = sites.iloc[:1].assign(site_id="Old")
    res = cz.choose_sites(sites.iloc[1:], many, net, 3, existing=existing, growth={"2029": 1.2})
    paths = res.to_files(tmp_path / "out")
    names = [p.name for p in paths]
    assert names == [
        "chosen.csv",
        "candidates.csv",
        "scenarios.csv",
        "stability.csv",
        "demand.csv",
        "left_out.csv",
        "portfolio.gpkg",
        "portfolio.html",
        "summary.json",
        "summary.md",
    ]
    chosen = pd.read_csv(tmp_path / "out" / "chosen.csv")
    assert chosen.site_id.tolist() == res.site_ids and len(chosen) == 3
    demand = pd.read_csv(tmp_path / "out" / "demand.csv")
    assert not {"lat", "lon", "geometry", "x", "y"} & set(demand.columns)
    assert len(demand) == len(many)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["metrics"]["chosen"] == res.site_ids
    no_client_coordinates(tmp_path / "out", many, sites)
    page = (tmp_path / "out" / "portfolio.html").read_text()
    assert "Chosen sites" in page and "Demand (aggregated)" in page
    assert "Synthetic data generated by carezones" in page  # the attribution of the network
    cells, _hidden = res.demand_cells()
    assert (cells.rows >= 5).all() and cells.demand.sum() + 0 <= res.kpis["demand_total"] + 1e-6


def test_user_text_is_escaped_on_the_map(tiny):
    _, net, clients, sites = tiny
    odd = sites.assign(site_id=[f"<b>{{{{7*7}}}}</b>{i}" for i in range(len(sites))])
    page = cz.choose_sites(odd, clients, net, 2).to_map().get_root().render()
    assert "<b>{{" not in page and "49</b>" not in page


def test_choose_sites_command(tiny, tmp_path, capsys):
    from carezones.cli import main

    county, _, _clients, sites = tiny
    csv = tmp_path / "sites.csv"
    pd.DataFrame(
        {
            "site_id": sites.site_id,
            "score": sites.score,
            "lon": sites.geometry.x,
            "lat": sites.geometry.y,
        }
    ).to_csv(csv, index=False)
    growth = tmp_path / "growth.csv"
    growth.write_text("area,2029\n*,+21%\n")
    out = tmp_path / "out"
    base = [
        "choose-sites",
        "--osm",
        str(county.osm_path),
        "--sites",
        str(csv),
        "--demand",
        str(county.clients_path),
    ]
    code = main(
        [
            *base,
            "--k",
            "3",
            "--min-score",
            "40",
            "--minutes",
            "4",
            "--growth",
            str(growth),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "chose 3 site(s) for '2029'" in printed and "optimal" in printed
    chosen = pd.read_csv(out / "chosen.csv")
    assert len(chosen) == 3 and chosen.site_id.is_unique and (chosen.score >= 40).all()
    code = main([*base, "--k", "30", "--out", str(tmp_path / "o2"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "--k 30 but only 25" in err and "k=" not in err  # the option's words
    growth.write_text("area,2029\nAtlantis,1.2\n")
    code = main(
        [
            *base,
            "--k",
            "2",
            "--growth",
            str(growth),
            "--objective",
            "p-median",
            "--out",
            str(tmp_path / "o3"),
            "-q",
        ]
    )
    assert code == 2 and "unknown area code" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:  # refused by the option's type, before any work
        main([*base, "--k", "0", "--out", str(tmp_path / "o4"), "-q"])
    assert stop.value.code == 2 and "--k: must be at least 1" in capsys.readouterr().err


def test_example_area_and_growth_files(tmp_path, cache):
    from pathlib import Path

    from carezones.cli import main

    data = Path(__file__).parents[1] / "data"
    county = cz.make_synthetic_county(tmp_path, size="tiny", seed=0)
    out = tmp_path / "out"
    code = main(
        [
            "choose-sites",
            "--osm",
            str(county.osm_path),
            "--sites",
            str(data / "example-sites.csv"),
            "--demand",
            str(data / "example-areas.csv"),
            "--growth",
            str(data / "example-growth.csv"),
            "--k",
            "2",
            "--minutes",
            "5",
            "--out",
            str(out),
            "-q",
        ]
    )
    assert code == 0
    scen = pd.read_csv(out / "scenarios.csv")
    assert scen.scenario.tolist() == ["now", "2029", "2038"]
    areas = pd.read_csv(data / "example-areas.csv")
    assert scen.demand.iloc[0] == pytest.approx(areas.aged_65_plus.sum())
    assert len(pd.read_csv(out / "chosen.csv")) == 2


def test_walking_network_from_a_file(grid_file, cache):
    net = cz.load_network(grid_file, "walk", engine="builtin")
    pts = random_points(net, 30, seed=3)[:30]
    at = gpd.points_from_xy(pts[:, 0], pts[:, 1])
    clients = gpd.GeoDataFrame(
        {"client_id": [f"P{i}" for i in range(24)], "hours_per_week": np.arange(1.0, 25.0)},
        geometry=at[:24],
        crs=4326,
    )
    sites = gpd.GeoDataFrame({"site_id": [f"W{i}" for i in range(6)]}, geometry=at[24:], crs=4326)
    res = cz.choose_sites(
        sites, clients, grid_file, 2, options=cz.PortfolioOptions(mode="walk", minutes=3.0)
    )
    assert res.kpis["mode"] == "walk" and "min walk" in res.summary()
    t = site_matrix(res.network, sites, clients)
    w = clients.hours_per_week.to_numpy(float)
    assert res.kpis["covered"] == pytest.approx(brute_coverage(t <= 3.0, w, 2), rel=TOL)
    with pytest.raises(cz.CarezonesError, match="mode='drive' but the network given is a walk"):
        cz.choose_sites(sites, clients, net, 2, options=cz.PortfolioOptions(mode="drive"))


def test_options_are_checked_once_and_statuses_are_enums(tiny):
    from carezones.sites import CandidateStatus, DemandStatus, Objective, SiteRole

    assert cz.PortfolioOptions(objective="MCLP").objective is Objective.COVERAGE
    for bad, match in (
        ({"objective": "fastest"}, "objective must be"),
        ({"minutes": 0}, "minutes must be"),
        ({"min_score": 101}, "min_score must be"),
        ({"mode": "cycle"}, "mode must be"),
        ({"preferred_weight": 0}, "preferred_weight must be"),
        ({"time_limit": float("nan")}, "time_limit must be"),
        ({"max_outside_km": -1}, "max_outside_km must be"),
    ):
        with pytest.raises(cz.CarezonesError, match=match):
            cz.PortfolioOptions(**bad)
    _, net, clients, sites = tiny
    res = cz.choose_sites(sites, clients, net, 2, options=cz.PortfolioOptions(min_score=60))
    status = res.candidates.status.map(CandidateStatus)
    assert (status == CandidateStatus.CHOSEN).sum() == 2
    assert set(status) <= set(CandidateStatus)
    assert set(res.demand.status.map(DemandStatus)) <= set(DemandStatus)
    assert set(res.catchments().status.map(SiteRole)) == {SiteRole.CHOSEN}
    assert res.kpis["objective"] == Objective.COVERAGE
    with pytest.raises(cz.CarezonesError, match="options must be a PortfolioOptions"):
        cz.choose_sites(sites, clients, net, 2, options={"minutes": 5})
