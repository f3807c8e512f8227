"""Sites chosen beside the zone designs, one report of both (issue 30); stops on sites maps."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import carezones as cz
from carezones.cli import main
from carezones.county import CountyOptions, add_sites, best_design
from carezones.synthetic import write_projection_example

from .conftest import cache_at
from .test_county import _client_coordinates_in


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny synthetic county, its projection example, and ten candidates at junctions."""
    folder = tmp_path_factory.mktemp("county-sites")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder, size="tiny", seed=0)
        example = write_projection_example(county)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
        clients = cz.read_clients(county.clients_path, area=net)
        walk = cz.load_network(county.osm_path, "walk", engine="builtin")
        nodes = walk.junction_nodes[::7][:10]  # inside both networks' areas
        sites = folder / "candidates.csv"
        pd.DataFrame(
            {
                "site_id": [f"C{i}" for i in range(len(nodes))],
                "lon": walk.lon[nodes],
                "lat": walk.lat[nodes],
            }
        ).to_csv(sites, index=False)
        yield folder, county, example, net, clients, sites


def run(tiny, out, *extra):
    folder, county, _, _, _, sites = tiny
    args = [
        "county",
        "--osm",
        str(county.osm_path),
        "--clients",
        str(county.clients_path),
        "--engine",
        "builtin",
        "--zones",
        "2",
        "--iterations",
        "50",
        "--workers",
        "1",
        "--sites",
        str(sites),
        "--k",
        "2",
        "--minutes",
        "4",
        "--out",
        str(out),
        "-q",
        *extra,
    ]
    with cache_at(folder / "cache"):
        return main(args)


def test_county_with_sites_writes_one_report_of_zones_and_sites(tiny, tmp_path, capsys):
    _, county, example, _, clients, _ = tiny
    out = tmp_path / "out"
    code = run(
        tiny,
        out,
        "--gtfs",
        str(county.gtfs_path),
        "--year",
        "2038",
        "--projections",
        str(example.projections_path),
        "--prevalence",
        str(example.prevalence_path),
        "--areas",
        str(example.areas_path),
    )
    assert code == 0, capsys.readouterr().err
    index = (out / "index.html").read_text()
    assert index.count("<h2>Sites chosen</h2>") == 1 and "designs/zones-2/map.html" in index
    chosen = pd.read_csv(out / "sites" / "chosen.csv")
    assert len(chosen) == 2 and set(chosen.site_id) <= {f"C{i}" for i in range(10)}
    for site, why in zip(chosen.site_id, chosen.explanation, strict=True):
        assert f"<td>{site}</td>" in index and "min walk" in why
    assert "for &#x27;2038&#x27;" in index and "homes of housing with care" in index
    assert 'src="zones-and-sites.html"' in index
    page = (out / "zones-and-sites.html").read_text()
    assert "zones-2: zones" in page and "Chosen sites" in page  # both layers, one map
    assert "Within 4 min of an open site" in page  # the catchments
    assert "buses per hour" in page and "Market Place" in page  # the timetable's stops
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sites"]["design"] == "zones-2"
    assert summary["sites"]["metrics"]["plan_for"] == "2038"
    assert "## Sites chosen" in (out / "summary.md").read_text()
    shared = [out / n for n in ("index.html", "summary.md", "summary.json", "zones-and-sites.html")]
    shared += [
        p for p in (out / "sites").glob("*") if p.suffix in (".csv", ".html", ".json", ".md")
    ]
    shared.append(out / "sites" / "scores" / "scores.csv")
    homes = np.column_stack([clients.geometry.x, clients.geometry.y])
    for f in shared:
        assert not _client_coordinates_in(f.read_text(errors="ignore"), homes), f
    # the candidates' map draws no client: its walking isochrones' many vertices follow the
    # paths (one may fall within the check's 1 m of a home by chance), so look for the ids
    scored = (out / "sites" / "scores" / "sites.html").read_text()
    assert not any(str(c) in scored for c in clients.client_id)


def test_sites_are_chosen_for_the_clients_hours_without_projections(tiny, tmp_path):
    out = tmp_path / "out"
    assert run(tiny, out, "--sites-design", "zones-2") == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sites"]["metrics"]["plan_for"] == "now"
    assert summary["sites"]["metrics"]["unit"] == "h/week of care"
    assert "buses per hour" not in (out / "zones-and-sites.html").read_text()  # no timetable


def test_bad_candidates_and_options_exit_2(tiny, tmp_path, capsys):
    folder = tiny[0]
    far = folder / "far.csv"
    pd.DataFrame({"site_id": ["X1", "X2"], "lat": [52.0, 52.0], "lon": [-3.0, -3.1]}).to_csv(
        far, index=False
    )
    assert run(tiny, tmp_path / "o1", "--sites", str(far)) == 2
    assert "far.csv" in capsys.readouterr().err
    blank = folder / "blank.csv"
    blank.write_text("site_id,lat,lon\nB1,,\n")
    assert run(tiny, tmp_path / "o2", "--sites", str(blank)) == 2
    assert "blank.csv" in capsys.readouterr().err
    assert run(tiny, tmp_path / "o3", "--year", "2038") == 2
    assert "go with --projections" in capsys.readouterr().err
    assert run(tiny, tmp_path / "o4", "--sites-design", "zones-9") == 2
    assert "'zones-9' is not a design of this run" in capsys.readouterr().err
    assert run(tiny, tmp_path / "o5", "--k", "11") == 2  # more than the candidates
    capsys.readouterr()
    county = tiny[1]
    args = ["county", "--osm", str(county.osm_path), "--clients", str(county.clients_path)]
    assert main([*args, "--zones", "2", "--k", "2", "--out", str(tmp_path / "o6"), "-q"]) == 2
    assert "--k go with --sites" in capsys.readouterr().err
    for out in ("o1", "o2", "o3", "o4", "o5", "o6"):
        assert not (tmp_path / out).exists()


def test_add_sites_keeps_the_comparison_and_names_the_best_design(tiny):
    _, _, _, net, clients, sites = tiny
    comparison = cz.compare_designs(
        clients,
        net,
        designs={"today": "town"},
        zone_counts=[2],
        options=CountyOptions(iterations=50, workers=1),
    )
    portfolio = cz.choose_sites(cz.read_points(sites, area=net), clients, net, 2)
    both = add_sites(comparison, portfolio)
    assert both.sites is not None and both.sites.design == best_design(comparison) == "zones-2"
    assert both.table.equals(comparison.table) and comparison.sites is None
    assert both.kpis["sites"]["chosen"] == portfolio.site_ids
    with pytest.raises(cz.CarezonesError, match="portfolio must be a SitePortfolio"):
        add_sites(comparison, comparison)  # type: ignore[arg-type]
    assert add_sites(comparison, portfolio, design="today").sites.design == "today"


def test_the_sites_map_draws_the_stops_by_buses_per_hour(tiny, tmp_path):
    folder, county, _, _, _, sites = tiny
    out = tmp_path / "scored"
    args = ["sites", "--osm", str(county.osm_path), "--sites", str(sites)]
    with cache_at(folder / "cache"):
        assert main([*args, "--gtfs", str(county.gtfs_path), "--out", str(out), "-q"]) == 0
    page = (out / "sites.html").read_text()
    day = cz.io.read_gtfs(county.gtfs_path)
    names = set(day.stops.name[day.stops.stop_id.isin(day.departures.stop_id)])
    assert names and all(name in page for name in names)
    assert "buses per hour" in page and "Public transport (buses per hour)" in page
    with cache_at(folder / "cache"):
        assert main([*args, "--out", str(tmp_path / "plain"), "-q"]) == 0
    assert "buses per hour" not in (tmp_path / "plain" / "sites.html").read_text()
