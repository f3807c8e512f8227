"""Sites: exact nearest-amenity times, counts, flags, polygons, config errors, files, map, CLI."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones import network as cn
from carezones.sites import (
    Category,
    ConfigError,
    ScoreOptions,
    SiteConfig,
    SiteInputs,
    decay,
    read_amenities,
    score_sites,
)

from .conftest import cache_at, random_points
from .test_network import nx_reference

ONE = (
    Category("shop", "food shop", {"shop": ("convenience",)}, 1.0, 3.0, 12.0),
    Category("gp", "GP surgery", {"amenity": ("doctors",)}, 1.0, 3.0, 12.0),
)


def points_gdf(xy: np.ndarray, **cols: object) -> gpd.GeoDataFrame:
    data = {k: v if isinstance(v, list) else [v] * len(xy) for k, v in cols.items()}
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)


@pytest.fixture
def grid_walk(grid_file, cache):
    return cn.load_network(grid_file, "walk", engine="builtin")


def test_nearest_minutes_equal_exact_dijkstra_with_access_legs(grid_walk):
    net = grid_walk
    sites = random_points(net, 20, seed=11)
    shops, gps = random_points(net, 4, seed=12), random_points(net, 2, seed=13)
    am = pd.concat(
        [
            points_gdf(shops, category="shop", name=[f"Shop {i}" for i in range(4)]),
            points_gdf(gps, category="gp", name=["Surgery A", "Surgery B"]),
        ],
        ignore_index=True,
    )
    cfg = SiteConfig(categories=ONE, rural_points=0)
    res = score_sites(points_gdf(sites), SiteInputs(walk=net, amenities=am), config=cfg)
    sc = res.scores
    for cat, pts, names in (
        ("shop", shops, [f"Shop {i}" for i in range(4)]),
        ("gp", gps, ["Surgery A", "Surgery B"]),
    ):
        ref = nx_reference(net, sites, pts)
        np.testing.assert_allclose(sc[f"{cat}_minutes"], ref.min(axis=1), atol=1e-6, rtol=0)
        assert sc[f"{cat}_nearest"].tolist() == [names[j] for j in ref.argmin(axis=1)]
        np.testing.assert_array_equal(sc[f"{cat}_count"], (ref <= 12.0).sum(axis=1))
        np.testing.assert_allclose(sc[f"{cat}_score"], decay(ref.min(axis=1), 3.0, 12.0))
    expect = 100 * (sc.shop_score + sc.gp_score) / 2
    np.testing.assert_allclose(sc.score, expect)
    assert (
        sc["rank"].tolist() == sc.score.rank(ascending=False, method="first").astype(int).tolist()
    )


def test_exact_on_rutland_with_osm_amenities(rutland_pbf, cache):
    walk = cn.load_network(rutland_pbf, "walk", engine="builtin")
    am = read_amenities(rutland_pbf)
    assert {"food_shop", "gp", "pharmacy", "transport", "community", "post_office"} <= set(
        am.category
    )
    sites = random_points(walk, 12, seed=5)
    res = score_sites(
        points_gdf(sites), SiteInputs(walk=walk, amenities=am), config={"rural": {"points": 0}}
    )
    for cat in ("gp", "pharmacy"):
        pick = am[am.category == cat]
        ref = nx_reference(walk, sites, walk.access_points(pick.geometry.to_numpy()))
        np.testing.assert_allclose(res.scores[f"{cat}_minutes"], ref.min(axis=1), atol=1e-6)


def test_decay_is_documented_shape():
    np.testing.assert_allclose(decay([0, 8, 16.5, 25, 40, np.inf], 8, 25), [1, 1, 0.5, 0, 0, 0])


def test_site_off_network_is_flagged_and_kept(grid_walk):
    net = grid_walk
    sites = np.vstack([random_points(net, 3, seed=1), [[-0.60, 52.70]]])  # the last ~8 km away
    am = points_gdf(random_points(net, 2, seed=2), category="shop")
    res = score_sites(
        points_gdf(sites, site_id=["a", "b", "c", "far"]),
        SiteInputs(walk=net, amenities=am),
        config=SiteConfig(categories=ONE[:1]),
    )
    far = res.scores.set_index("site_id").loc["far"]
    assert bool(far.off_network) and pd.isna(far.score) and pd.isna(far["rank"])
    assert "not scored" in far.explanation
    assert res.scores.score.notna().sum() == 3 and len(res.scores) == 4
    assert res.ranked().site_id.iloc[-1] == "far"


def test_category_with_no_amenity_scores_zero_with_reason(grid_walk):
    net = grid_walk
    am = points_gdf(random_points(net, 3, seed=2), category="shop", name="Corner Shop")
    res = score_sites(
        points_gdf(random_points(net, 5, seed=3)),
        SiteInputs(walk=net, amenities=am),
        config=SiteConfig(categories=ONE),
    )
    assert (res.scores.gp_score == 0).all() and np.isinf(res.scores.gp_minutes).all()
    assert all("no GP surgery in the data" in e for e in res.scores.explanation)
    assert res.scores.score.max() <= 50.0 + 1e-9


def test_polygon_reached_from_its_point_nearest_the_road(grid_walk):
    net = grid_walk
    # a triangle in a block of the grid, pointing at the street south of it
    poly = shapely.Polygon([(-0.7290, 52.67010), (-0.7293, 52.6709), (-0.7287, 52.6709)])
    sites = gpd.GeoDataFrame(
        {"site_id": ["poly", "centre"]}, geometry=[poly, poly.centroid], crs=4326
    )
    am = points_gdf(random_points(net, 3, seed=7), category="shop")
    res = score_sites(
        sites, SiteInputs(walk=net, amenities=am), config=SiteConfig(categories=ONE[:1])
    )
    access = net.access_points(np.array([poly], dtype=object))
    edges = shapely.union_all(net.edges_gdf().to_crs(net.crs).geometry.to_numpy())
    poly_m = gpd.GeoSeries([poly], crs=4326).to_crs(net.crs).iloc[0]
    on_poly, _ = shapely.ops.nearest_points(poly_m, edges)  # nearest in metres, not degrees
    expect = gpd.GeoSeries([on_poly], crs=net.crs).to_crs(4326).iloc[0]
    np.testing.assert_allclose(access[0], [expect.x, expect.y], atol=1e-8)
    np.testing.assert_allclose(access[0], [-0.7290, 52.67010], atol=1e-8)  # its southern tip
    ref = nx_reference(net, access, random_points(net, 3, seed=7)).min()
    got = res.scores.set_index("site_id").shop_minutes
    assert got["poly"] == pytest.approx(ref, abs=1e-6)
    # the access leg starts at the tip, 0.0001 degrees of latitude (11.1 m) from the street
    assert res.scores.walk_access_m.iloc[0] == pytest.approx(11.1, abs=0.2)
    assert res.scores.walk_access_m.iloc[1] > 30
    assert res.scores.geometry.iloc[0].equals(poly)  # the site keeps its polygon


def test_bad_config_reports_every_problem(tmp_path):
    with pytest.raises(ConfigError) as e:
        SiteConfig.load(
            {
                "categories": {
                    "gp": {"weight": -1, "full_minutes": 30, "zero_minutes": 10},
                    "dentist": {"weight": 5},
                    "pharmacy": {"colour": "red"},
                },
                "staff": {"weight": "high"},
                "weights": {},
            }
        )
    msg = str(e.value)
    assert len(e.value.problems) == 6, e.value.problems
    for part in (
        "categories.gp.weight must be 0 or more",
        "full_minutes (30) must be below",
        "dentist is a new category: give it a label and tags",
        "unknown field 'colour'",
        "staff.weight must be a number",
        "unknown section 'weights'",
    ):
        assert part in msg
    bad = tmp_path / "bad.toml"
    bad.write_text("[categories.gp\nweight = 3\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        SiteConfig.load(bad)
    good = tmp_path / "good.toml"
    good.write_text(
        'replace_categories = true\n[categories.dentist]\nlabel = "dentist"\n'
        'tags = { amenity = "dentist" }\nweight = 5\n[demand]\nminutes = 20\n'
    )
    cfg = SiteConfig.load(good)
    assert [c.name for c in cfg.categories] == ["dentist"]
    assert cfg.categories[0].tags == {"amenity": ("dentist",)} and cfg.demand_minutes == 20


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    d = tmp_path_factory.mktemp("sites")
    with cache_at(d / "cache"):
        c = cz.make_synthetic_county(d, size="small", seed=0)
        walk = cz.load_network(c.osm_path, "walk", engine="builtin")
        drive = cz.load_network(c.osm_path, "drive", engine="builtin")
    clients = cz.read_clients(c.clients_path, area=drive)
    return c, walk, drive, clients


def candidate_sites(walk, n=8, seed=0):
    xy = random_points(walk, n, seed=seed)
    return points_gdf(
        xy,
        site_id=[f"S{i}" for i in range(n)],
        owner=["council"] * (n - 1) + ["<script>alert(1)</script>"],
    )


def test_county_scoring_uses_every_criterion_and_is_deterministic(county):
    c, walk, drive, clients = county
    sites = candidate_sites(walk)
    carers = clients.iloc[::10][["geometry"]]
    inputs = SiteInputs(osm=c.osm_path, walk=walk, drive=drive)
    a = score_sites(sites, inputs, clients=clients, carers=carers)
    b = score_sites(sites, inputs, clients=clients, carers=carers)
    pd.testing.assert_frame_equal(
        a.scores.drop(columns="geometry"), b.scores.drop(columns="geometry")
    )
    sc = a.scores
    assert set(a.weights) == {
        "food_shop",
        "gp",
        "pharmacy",
        "transport",
        "community",
        "post_office",
        "staff",
        "demand",
    }
    assert sc.owner.tolist()[-1] == "<script>alert(1)</script>"  # attributes kept
    assert sc.score.between(0, 100).all() and sorted(sc["rank"]) == list(range(1, 9))
    assert sc.demand_score.between(0, 1).all() and sc.demand_within.gt(0).any()
    assert sc.staff_score.between(0, 1).all()
    assert "town" in sc and sc.town_minutes.notna().all()
    assert all("min walk to" in e or "within" in e for e in sc.explanation)
    assert all("drive" in e for e in sc.explanation)


def test_surface_files_map_and_escaping(county, tmp_path):
    c, walk, drive, clients = county
    sites = candidate_sites(walk, seed=3)
    payload = "{{ 7*7 }}<script>alert(1)</script>"
    sites.loc[7, "site_id"] = payload
    res = score_sites(
        sites,
        SiteInputs(osm=c.osm_path, walk=walk, drive=drive),
        clients=clients,
        options=ScoreOptions(surface=True),
    )
    surf = res.surface
    assert surf is not None and len(surf) == len(walk.junction_nodes)
    assert surf.score.notna().mean() > 0.95 and surf.score.max() > res.scores.score.min()
    iso = res.isochrones(["S1"], minutes=(5, 10))
    assert list(iso.minutes) == [5.0, 10.0]
    five, ten = iso.geometry.iloc[0], iso.geometry.iloc[1]
    assert ten.area > five.area and five.difference(ten).area < 0.01 * five.area
    paths = res.to_files(tmp_path / "out")
    assert {p.name for p in paths} == {"scores.csv", "sites.gpkg", "sites.html", "surface.gpkg"}
    table = pd.read_csv(tmp_path / "out" / "scores.csv")
    assert table["rank"].tolist() == sorted(table["rank"].tolist()) and len(table) == 8
    assert payload in set(table.site_id)  # the files keep the value as given
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "out" / "sites.gpkg")}
    assert layers == {"sites", "amenities", "isochrones"}
    page = (tmp_path / "out" / "sites.html").read_text()
    assert "alert(1)</script>" not in page and "alert(1)<\\/script>" not in page
    assert "&#123;&#123; 7*7 &#125;&#125;&lt;script&gt;" in page  # shown as text, not run
    assert "Candidate sites" in page and "Suitability surface" in page
    assert "OpenStreetMap contributors" in page or "Synthetic" in page


def test_sites_command(county, tmp_path, capsys):
    from carezones.cli import main

    c, walk, _, _ = county
    sites = candidate_sites(walk, 5, seed=4)
    csv = tmp_path / "sites.csv"
    pd.DataFrame(
        {"site_id": sites.site_id, "lon": sites.geometry.x, "lat": sites.geometry.y}
    ).to_csv(csv, index=False)
    cfg = tmp_path / "w.toml"
    cfg.write_text("[categories.post_office]\nweight = 0\n")
    out = tmp_path / "out"
    code = main(
        [
            "sites",
            "--osm",
            str(c.osm_path),
            "--sites",
            str(csv),
            "--clients",
            str(c.clients_path),
            "--config",
            str(cfg),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "scores.csv")
    assert len(table) == 5 and "post_office_score" not in table and "demand_score" in table
    assert "weights:" in capsys.readouterr().out
    embedded = (out / "sites.html").read_text()
    assert (
        main(
            [
                "sites",
                "--osm",
                str(c.osm_path),
                "--sites",
                str(csv),
                "--out",
                str(tmp_path / "cdn"),
                "--cdn",
                "-q",
            ]
        )
        == 0
    )
    linked = (tmp_path / "cdn" / "sites.html").read_text()
    assert '<script src="https://' not in embedded and '<script src="https://' in linked
    assert len(linked) < len(embedded) - 100_000  # Leaflet is not in the file
    cfg.write_text("[categories.gp]\nweight = -2\n")
    assert (
        main(
            [
                "sites",
                "--osm",
                str(c.osm_path),
                "--sites",
                str(csv),
                "--config",
                str(cfg),
                "--out",
                str(out),
                "-q",
            ]
        )
        == 2
    )
    assert "weight must be 0 or more" in capsys.readouterr().err


def test_map_text_is_never_evaluated_as_a_template():
    import folium

    from carezones.report.html import escape

    m = folium.Map(tiles=None)
    folium.CircleMarker(
        (52.0, 0.0), tooltip=escape("id {{ 7*7 }} {% if 1 %}x{% endif %}", template=True)
    ).add_to(m)
    page = m.get_root().render()
    assert "id 49" not in page and "&#123;&#123; 7*7 &#125;&#125;" in page


def test_capacity_aware_access_is_the_two_step_floating_catchment(grid_walk):
    net = grid_walk
    sites = random_points(net, 8, seed=21)
    gps = random_points(net, 3, seed=22)
    people = random_points(net, 40, seed=23)
    hours = np.linspace(1, 20, 40)
    am = points_gdf(gps, category="gp", name=["A", "B", "C"], capacity=[100.0, 50.0, None])
    clients = points_gdf(people, hours_per_week=list(hours))
    cfg = SiteConfig(categories=ONE[1:], staff_weight=0, demand_weight=0, rural_points=0)
    res = score_sites(
        points_gdf(sites), SiteInputs(walk=net, amenities=am), clients=clients, config=cfg
    )
    w_pop = decay(net.travel_times(people, gps, engine="builtin"), 3.0, 12.0)
    demand = (hours[:, None] * w_pop).sum(axis=0)
    ratio = np.where(demand > 0, np.nan_to_num([100.0, 50.0, np.nan]) / demand, 0.0)
    w_site = decay(net.travel_times(sites, gps, engine="builtin"), 3.0, 12.0)
    expect = (w_site * ratio[None, :]).sum(axis=1)
    np.testing.assert_allclose(res.scores.gp_capacity_per_demand, expect, rtol=1e-9, atol=1e-12)
    assert (res.scores.gp_capacity_per_demand > 0).any()
    bad = am.assign(capacity=["100", "lots", -1])
    with pytest.raises(ValueError, match=r"rows \[2, 3\] have a capacity"):
        score_sites(points_gdf(sites), SiteInputs(walk=net, amenities=bad), config=cfg)


def test_example_sites_and_config_in_data(tmp_path, cache):
    from pathlib import Path

    from carezones.cli import main

    data = Path(__file__).parents[1] / "data"
    county = cz.make_synthetic_county(tmp_path, size="tiny", seed=0)
    out = tmp_path / "out"
    code = main(
        [
            "sites",
            "--osm",
            str(county.osm_path),
            "--sites",
            str(data / "example-sites.csv"),
            "--clients",
            str(data / "example-clients.csv"),
            "--config",
            str(data / "example-sites.toml"),
            "--out",
            str(out),
            "-q",
        ]
    )
    assert code == 0
    table = pd.read_csv(out / "scores.csv")
    assert len(table) == 5 and table.score.notna().all() and "dentist_score" in table
    assert table.site_id.iloc[0] == "S01" and table.site_id.iloc[-1] == "S05"  # town beats barn
    assert table.explanation.str.contains("no dentist in the data").all()


def test_inputs_and_options_are_checked(grid_walk):
    with pytest.raises(cz.CarezonesError, match="walk must be a RoadNetwork"):
        SiteInputs(walk="walk.graphml")
    with pytest.raises(cz.CarezonesError, match="hours_column must be"):
        ScoreOptions(hours_column=3)
    sites = points_gdf(random_points(grid_walk, 2, seed=1))
    with pytest.raises(cz.CarezonesError, match="inputs must be SiteInputs"):
        score_sites(sites, grid_walk)
    with pytest.raises(cz.CarezonesError, match="score_sites needs a network"):
        score_sites(sites, SiteInputs())
