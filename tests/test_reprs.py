"""How results show in Jupyter: their cards, progress bars, and notebooks' public imports.

Every card carries the result's headline numbers, escapes every text it shows and never
holds a client's location (nor a carer's home): no coordinate of one, at 4 to 6 decimals.
"""

from __future__ import annotations

import ast
import json
import re
from html import escape as html_escape
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

import carezones as cz
from carezones import testing
from carezones.synthetic import example_day, example_week

from .conftest import cache_at

HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny synthetic county, its drive network and clients."""
    folder = tmp_path_factory.mktemp("tiny")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder, size="tiny", seed=0)
        net = cz.load_network(county.osm_path, "drive", engine="builtin", progress=False)
        clients = cz.read_clients(county.clients_path, area=net)
        yield county, net, clients


def lonlat(frame) -> np.ndarray:
    if "geometry" in frame.columns:
        return np.column_stack([frame.geometry.x, frame.geometry.y])
    return frame[["lon", "lat"]].to_numpy(float)


def shown(result) -> str:
    """The HTML Jupyter shows for a result (IPython's own formatter, as a notebook calls it)."""
    from IPython.core.formatters import HTMLFormatter

    html = HTMLFormatter()(result)
    assert isinstance(html, str), f"{type(result).__name__} has no HTML display"
    return html


def assert_no_coordinate(html: str, *points: np.ndarray) -> None:
    """No point's longitude or latitude appears at 4, 5 or 6 decimals."""
    found = [
        f"{v:.{d}f}"
        for pts in points
        for v in np.asarray(pts).ravel()
        for d in (4, 5, 6)
        if f"{v:.{d}f}" in html
    ]
    assert not found, f"coordinates in the card: {found[:5]}"


def assert_escaped(html: str) -> None:
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x" in html


def cells(html: str) -> list[str]:
    """The text of every table cell of a card."""
    return [c.strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]


# ---------------------------------------------------------------------- zones
def test_zone_plan_card_shows_balance_travel_and_the_zones_never_a_client(tiny):
    _, net, clients = tiny
    first = cz.build_zones(clients, net, 3, progress=False)
    previous = first.zones.assign(zone_id=[f"{HOSTILE}{i}" for i in range(3)])
    plan = cz.build_zones(clients, net, 3, previous=previous, progress=False)
    assert plan.zones.zone_id.astype(str).str.startswith("<img").all()  # kept, hostile
    html = shown(plan)
    m = plan.kpis
    got = cells(html)
    assert "Zone plan" in html and "3" in got and f"{m['clients']}" in got
    assert f"{m['worst_deviation']:+.1%}" in got and f"{m['mean_minutes_to_centre']:.2f}" in got
    assert html.count("<polygon") >= 3  # the zones' outlines
    assert_escaped(html)
    assert_no_coordinate(html, lonlat(clients))


# ---------------------------------------------------------------------- rounds and a week
@pytest.fixture(scope="module")
def people(tiny):
    _, net, clients = tiny
    return net, lonlat(clients)


def hostile_carers(carers):
    return carers.assign(carer_id=[f"{HOSTILE}{c}" for c in carers.carer_id])


def test_rounds_card_shows_the_day_and_each_carer_never_a_home(people):
    net, ll = people
    v, c = example_day(ll[:20], ll[20:24], seed=0)
    c = hostile_carers(c)
    rounds = cz.plan_rounds(
        cz.read_visits(v, area=net),
        cz.read_carers(c, area=net),
        net,
        options=cz.RoundsOptions(iterations=200, seed=0),
    )
    k = rounds.kpis
    html = shown(rounds)
    got = cells(html)
    assert f"{k['visits_served']} of {k['visits']}" in got
    assert str(k["visits_unserved"]) in got and str(k["carers_used"]) in got
    assert f"{k['travel_minutes']:.2f}" in got and f"{k['travel_km']:.2f}" in got
    assert f"{k['travel_minutes_per_care_hour']:.2f}" in got
    assert f"{k['care_minutes'] / 60:.2f}" in got
    assert "<svg" not in html  # visits are at clients' homes: no thumbnail
    assert_escaped(html)
    assert_no_coordinate(html, ll[:24], lonlat(v), lonlat(c))


def test_week_card_shows_days_and_carers_per_client(people):
    net, ll = people
    v, c = example_week(ll[:15], ll[20:24], days=2, seed=0)
    week = cz.plan_week(
        cz.read_visits(v, area=net),
        cz.read_carers(hostile_carers(c), area=net),
        net,
        options=cz.WeekOptions(iterations=150, seed=0, workers=1),
    )
    k = week.kpis
    html = shown(week)
    got = cells(html)
    assert "2" in got and f"{k['visits_served']} of {k['visits']}" in got
    assert f"{k['carers_per_client_mean']:.2f}" in got
    assert f"{k['carers_per_client_p90']:.2f}" in got
    assert all(d in got for d in week.days)  # a row per day
    assert "<svg" not in html
    assert_no_coordinate(html, ll[:24], lonlat(v), lonlat(c))


# ---------------------------------------------------------------------- sites
@pytest.fixture(scope="module")
def scored(tiny):
    county, net, clients = tiny
    pts = lonlat(clients)[30:36] + 0.0007
    ids = [f"{HOSTILE}S{i}" for i in range(6)]
    sites = gpd.GeoDataFrame(
        {"site_id": ids}, geometry=gpd.points_from_xy(pts[:, 0], pts[:, 1]), crs=4326
    )
    with cache_at(county.osm_path.parent / "cache"):
        res = cz.score_sites(
            sites, cz.SiteInputs(osm=county.osm_path, drive=net), clients=clients, progress=False
        )
    return res, clients


def test_site_scores_card_shows_the_spread_and_the_best_sites(scored):
    res, clients = scored
    html = shown(res)
    got = cells(html)
    sc = res.scores.score.dropna()
    assert "6" in got and f"{sc.max():.0f} / {sc.median():.0f} / {sc.min():.0f}" in got
    best = res.ranked().site_id.iloc[0]
    assert html_escape(best, quote=False) in html  # the best site by id, as text
    assert html.count("<circle") == 6  # the sites (not clients) on the network's outline
    assert_escaped(html)
    assert_no_coordinate(html, lonlat(clients))


def test_site_portfolio_card_shows_coverage_and_proof(scored):
    res, clients = scored
    net = res.drive
    plan = cz.choose_sites(res, clients, net, 2, options=cz.PortfolioOptions(minutes=5))
    m = plan.kpis
    html = shown(plan)
    got = cells(html)
    assert "2" in got and f"{100 * m['covered_share']:.1f}%" in got
    assert ("optimal" in got) == m["optimal"] and f"{100 * m['gap']:.2f}%" in got
    assert html.count("<circle") == 2  # the chosen sites
    assert_escaped(html)
    assert_no_coordinate(html, lonlat(clients))


# ---------------------------------------------------------------------- progress
def test_progress_false_prints_nothing_and_true_shows_a_bar(tiny, scored, capsys):
    _, net, clients = tiny
    res, _ = scored
    capsys.readouterr()
    cz.build_zones(clients, net, 2, progress=False)
    cz.score_sites(
        res.scores[["site_id", "geometry"]],
        cz.SiteInputs(drive=net),
        clients=clients,
        progress=False,
        options=cz.ScoreOptions(surface=True),
    )
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    cz.build_zones(clients, net, 2, progress=True)
    assert "building zones" in capsys.readouterr().err
    cz.score_sites(
        res.scores[["site_id", "geometry"]],
        cz.SiteInputs(drive=net),
        clients=clients,
        progress=True,
        options=cz.ScoreOptions(surface=True),
    )
    assert "junctions" in capsys.readouterr().err


def test_cli_quiet_shows_no_bar_even_when_watched(tiny, tmp_path, monkeypatch, capsys):
    import carezones._progress as display
    from carezones.cli import main

    county, _, _ = tiny
    monkeypatch.setattr(display, "interactive", lambda: True)  # as if in a terminal
    monkeypatch.setenv("CAREZONES_CACHE", str(tmp_path / "cache"))
    args = [
        "zones",
        "--osm",
        str(county.osm_path),
        "--clients",
        str(county.clients_path),
        "--zones",
        "2",
        "--engine",
        "builtin",
        "--out",
        str(tmp_path / "z"),
    ]
    assert main([*args, "-q"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    assert main([*args[:-1], str(tmp_path / "z2")]) == 0
    assert "building zones" in capsys.readouterr().err  # without --quiet the bar shows


# ---------------------------------------------------------------------- notebooks
def _code(cell_source: str) -> ast.Module:
    """A code cell's Python, without IPython's magics and shell lines."""
    lines = [ln for ln in cell_source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    return ast.parse("\n".join(lines))


def private_uses(tree: ast.Module) -> list[str]:
    """Imports of carezones' private modules or names, and private attributes used."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [
                a.name
                for a in node.names
                if a.name.startswith("carezones")
                and any(p.startswith("_") for p in a.name.split("."))
            ]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("carezones"):
            names = [node.module or "", *(a.name for a in node.names)]
            parts = [p for n in names for p in n.split(".")]
            if any(p.startswith("_") and not p.startswith("__") for p in parts):
                found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            if not (node.attr.startswith("__") and node.attr.endswith("__")):
                found.append(f".{node.attr}")
    return found


def test_the_scan_finds_private_imports_and_attributes():
    src = "from carezones._data import x\nimport carezones._data\ncz._data.y\nplan._tree\n"
    assert sorted(private_uses(_code(src))) == [
        "._data",
        "._tree",
        "carezones._data",
        "from carezones._data import ...",
    ]
    assert private_uses(_code("%time import carezones as cz\nobj.__class__\n")) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebooks_use_only_public_names(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            found += [f"cell {i}: {u}" for u in private_uses(_code(source))]
    assert not found, f"{path.name} uses private names: {found}"


def test_printing_a_comparison_names_designs_never_a_client():
    comparison = testing.comparison()
    text = (
        repr(comparison) + repr(comparison.plans["today"]) + repr(comparison.plans["today"].design)
    )
    assert text.startswith("Comparison(designs=['today', 'zones-2'], days=1)")
    assert "C0000" not in text and "\n" not in text
