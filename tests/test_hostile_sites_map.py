"""Issue 27, item 13: the sites map with many sites.

A folium marker, tooltip and popup per site compiled a Jinja2 template for each (10,000 sites on
Rutland: 24 s of a 29 s command). The sites, and the candidates of the portfolio map, are now
one GeoJSON layer whose tooltips and popups one shared JavaScript template builds from each
feature's properties, every text escaped by the one escaper.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest

import carezones as cz
from carezones import testing
from carezones.report.html import escape

from .test_browser import browse

pytestmark = pytest.mark.hostile

PAYLOAD = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">{{ 7*7 }}'
N = 200


@pytest.fixture(scope="module")
def many_sites():
    """200 sites on the tiny county (seeded, near its roads), named with hostile text."""
    net = testing.net()
    rng = np.random.default_rng(13)
    idx = rng.choice(net.n_nodes, N)
    xy = np.column_stack([net.lon[idx], net.lat[idx]]) + rng.normal(0, 0.0005, (N, 2))
    sites = gpd.GeoDataFrame(
        {"site_id": [f"{PAYLOAD}S{i:03d}" for i in range(N)]},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=4326,
    )
    return cz.score_sites(sites, testing.county().osm_path)


def collections(page: str) -> list[dict]:
    """Every GeoJSON FeatureCollection drawn on a rendered page."""
    decoder = json.JSONDecoder()
    found = []
    for hit in re.finditer(r'czFeatures\((?=\{"type":"FeatureCollection")', page):
        found.append(decoder.raw_decode(page, hit.end())[0])
    return found


def test_the_sites_map_is_one_layer_with_a_shared_popup_not_one_per_site(many_sites):
    page = many_sites.to_map(isochrones=0, offline=False).get_root().render()  # no Leaflet
    assert page.count("bindPopup(") == 1, "a popup bound per site, not one shared template"
    assert page.count("L.circleMarker(") == 1, "a folium marker per site"
    with_popups = [
        c for c in collections(page) if any("title" in f["properties"] for f in c["features"])
    ]
    assert len(with_popups) == 1, "the sites are not one GeoJSON layer"
    features = with_popups[0]["features"]
    ids = many_sites.scores.site_id.tolist()
    assert len(features) == N
    assert [f["properties"]["title"] for f in features] == [escape(i, template=True) for i in ids]
    for f, why in zip(features, many_sites.explanations, strict=True):
        assert f["properties"]["lines"] == [escape(w, template=True) for w in why]
        assert f["properties"]["tip"].startswith(f["properties"]["title"] + ": ")
    for i in ids:  # every name shown as text, never as markup or a template
        assert escape(i, template=True) in page
    assert "<script>window.__xss" not in page and "49S0" not in page


def test_the_portfolio_map_draws_many_candidates_as_one_layer(many_sites):
    chosen = cz.choose_sites(many_sites, testing.clients(), testing.net(), 2)
    page = chosen.to_map(catchments=False, offline=False).get_root().render()
    assert page.count("L.circleMarker(") == 1, "a folium marker per candidate"
    tips = [
        f["properties"].get("tip", "")
        for c in collections(page)
        for f in c["features"]
        if f["geometry"]["type"] == "Point"
    ]
    assert len(tips) == N  # 198 candidates not chosen and the two chosen
    assert all(t.startswith(escape(PAYLOAD, template=True)) for t in tips)
    assert "<script>window.__xss" not in page


def test_a_popup_opens_in_the_browser_and_shows_the_name_as_text(many_sites, tmp_path):
    page = tmp_path / "sites.html"
    many_sites.to_map(isochrones=0, amenities=False).save(str(page))
    got = browse(page, tmp_path)
    assert got["errors"] == [] and got["xss"] == 0
    assert got["popups"] == N and got["tooltips"] >= N
    shown = got["pops"][0]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in shown and "{{ 7*7 }}" in shown
    assert "/ 100" in shown or "not scored" in shown
