"""Maps with a place on them: the Rutland demo's maps show roads, water and town names offline.

The browser tests open the zones, sites, portfolio and county maps of one Rutland demo run in
headless Chromium (through :func:`tests.test_browser.browse`) and look for the towns' names as
rendered text, the base's road paths and the zones' labels. The other tests need no browser.
"""

from __future__ import annotations

import contextlib
import io

import geopandas as gpd
import pytest

from carezones.cli import main
from carezones.network import load_network
from carezones.network.basemap import load_basemap
from carezones.report.maps import base_map, map_tiles

from .conftest import cache_at
from .test_browser import browse

TILE_URL = "tile.openstreetmap.org"

# what the page shows, once its maps have drawn: the base's SVG road paths, the place names
# and zone labels that are displayed (not hidden at this zoom), and the attribution
SEEN = """setTimeout(function(){
  function shown(sel) {
    return Array.from(document.querySelectorAll(sel)).filter(function(e) {
      return e.offsetParent !== null; }).map(function(e) { return e.textContent; });
  }
  window.__czExtra = {
    roads: document.querySelectorAll('.leaflet-czbase-pane path').length,
    places: shown('.cz-label:not(.cz-zone) span'),
    zones: shown('.cz-zone span'),
    text: document.body.innerText
  };
}, 500);"""


@pytest.fixture(scope="module")
def rutland_demo(rutland_pbf, tmp_path_factory):
    """``carezones demo --osm rutland`` (60 clients, the smallest that writes every map), and
    ``choose-sites`` on its scores for the portfolio map: one run for the module."""
    out = tmp_path_factory.mktemp("rutland-demo") / "demo"
    args = ["demo", "--osm", str(rutland_pbf), "--clients", "60", "--engine", "builtin"]
    choose = ["choose-sites", "--osm", str(rutland_pbf), "--sites", str(out / "sites/scores.csv")]
    choose += ["--demand", str(out / "clients.csv"), "--k", "2", "--out", str(out / "portfolio")]
    with cache_at(out.parent / "cache"), contextlib.redirect_stdout(io.StringIO()):
        assert main([*args, "--out", str(out), "-q"]) == 0
        assert main([*choose, "-q"]) == 0
    return out


MAPS = [
    "zones/zones.html",
    "sites/sites.html",
    "portfolio/portfolio.html",
    "county/designs/zones-2/map.html",
    "county/designs/zones-2/zones/zones.html",
    "county/designs/today/map.html",
]


@pytest.mark.slow
@pytest.mark.parametrize("page", MAPS)
def test_rutland_maps_show_roads_and_towns_offline(rutland_demo, tmp_path, page):
    html = (rutland_demo / page).read_text(encoding="utf-8")
    assert TILE_URL not in html  # no request for tiles from a default map
    got = browse(rutland_demo / page, tmp_path, SEEN)
    assert got["errors"] == [], got["errors"]
    seen = got["extra"]
    assert {"Oakham", "Uppingham"} <= set(seen["places"]), seen["places"]
    assert "Oakham" in seen["text"] and "Uppingham" in seen["text"]  # rendered, not hidden
    assert seen["roads"] >= 5  # a path per road class, water, rivers
    assert got["attribution"].count("OpenStreetMap contributors") == 1, got["attribution"]
    assert "Base map" in got["overlays"]  # so the layer control is never an empty box
    if page.endswith("zones.html") or page == "county/designs/zones-2/map.html":
        gpkg = page.replace("map.html", "zones/zones.html").replace(".html", ".gpkg")
        ids = gpd.read_file(rutland_demo / gpkg)["zone_id"]
        assert sorted(seen["zones"]) == sorted(f"Zone {z}" for z in ids), seen["zones"]


@pytest.mark.slow
def test_rutland_base_has_rutland_water_and_is_small(rutland_pbf, tmp_path):
    with cache_at(tmp_path / "cache"):
        base = load_basemap(rutland_pbf)
    assert base is not None
    assert [p.name for p in base.places[:2]] == ["Oakham", "Uppingham"]  # towns first
    assert {"trunk", "primary", "secondary", "tertiary", "residential"} <= set(base.roads)
    assert base.water is not None and base.water["type"] in ("MultiPolygon", "Polygon")
    import shapely

    water = shapely.from_geojson(__import__("json").dumps(base.water))
    oakham_reservoir = shapely.Point(-0.63, 52.65)  # Rutland Water's northern arm
    assert water.distance(oakham_reservoir) < 0.01


def test_default_map_requests_no_tiles_and_online_tiles_only_when_asked(grid_file, cache):
    net = load_network(grid_file, engine="builtin")
    assert not net.provenance.synthetic
    page = base_map(net).get_root().render()
    assert TILE_URL not in page and "{z}/{x}/{y}" not in page
    assert "czBase(" in page and page.count("OpenStreetMap contributors") == 1
    online = base_map(net, tiles="osm").get_root().render()
    assert TILE_URL in online and "czBase(" not in online
    # the tiles credit OpenStreetMap themselves: once, not twice
    assert "attributionControl.addAttribution(" not in online
    with map_tiles("osm"):
        assert TILE_URL in base_map(net).get_root().render()
    assert TILE_URL not in base_map(net).get_root().render()  # the default again
    with pytest.raises(ValueError, match="tiles must be one of"):
        base_map(net, tiles="google")


def test_cli_tiles_option_draws_online_tiles_only_when_asked(grid_file, tmp_path, cache):
    clients = tmp_path / "clients.csv"
    rows = [
        f"c{i},{52.6705 + (i // 4) * 0.0012:.5f},{-0.7295 + (i % 4) * 0.003:.5f},6"
        for i in range(16)
    ]
    clients.write_text("client_id,lat,lon,hours_per_week\n" + "\n".join(rows) + "\n")
    args = ["zones", "--osm", str(grid_file), "--clients", str(clients), "--zones", "2"]
    args += ["--engine", "builtin", "-q"]
    assert main([*args, "--out", str(tmp_path / "offline")]) == 0
    assert main([*args, "--out", str(tmp_path / "online"), "--tiles", "osm"]) == 0
    offline = (tmp_path / "offline" / "zones.html").read_text(encoding="utf-8")
    online = (tmp_path / "online" / "zones.html").read_text(encoding="utf-8")
    assert TILE_URL not in offline and "czBase(" in offline and "Zone 1" in offline
    assert TILE_URL in online


def test_base_is_read_once_then_from_the_cache(grid_file, cache, monkeypatch):
    import carezones.network.basemap as bm

    monkeypatch.setattr(bm, "_memo", {})  # as in a new process
    first = load_basemap(grid_file)
    assert first is not None and first.roads
    assert list((cache / "basemaps").glob("*.json"))
    monkeypatch.setattr(bm, "_memo", {})

    def fail(path):
        raise AssertionError("read the OSM file again")

    monkeypatch.setattr("carezones.io.osm.read_map_base", fail)
    assert load_basemap(grid_file) == first


def test_place_names_are_escaped(grid_file, cache):
    hostile = '<img src=x onerror="window.__xss=1">{{ 7*7 }}'
    quoted = hostile.replace("<", "&lt;").replace('"', "&quot;")
    node = '<node id="999999" lat="52.672" lon="-0.726"><tag k="place" v="town"/>'
    node += f'<tag k="name" v="{quoted}"/></node>'
    grid_file.write_text(grid_file.read_text().replace("</osm>", node + "\n</osm>"))
    net = load_network(grid_file, engine="builtin")
    base = load_basemap(net.provenance)
    assert base is not None and [p.name for p in base.places] == [hostile]
    page = base_map(net).get_root().render()
    assert "&lt;img src=x" in page and "<img src=x" not in page and "{{ 7*7 }}" not in page


@pytest.mark.parametrize(
    "page", ["zones/zones.html", "county/designs/zones-2/map.html", "sites/sites.html"]
)
def test_synthetic_demo_maps_show_places_and_zone_labels(tiny_demo, tmp_path, page):
    """The same on the synthetic county (always there, so CI checks it without the shared data):
    its invented towns named, its roads drawn, each zone labelled on the zone maps."""
    demo = tiny_demo[0]
    html = (demo / page).read_text(encoding="utf-8")
    assert TILE_URL not in html
    got = browse(demo / page, tmp_path, SEEN)
    assert got["errors"] == [], got["errors"]
    seen = got["extra"]
    assert seen["places"] and all(name in seen["text"] for name in seen["places"])
    assert seen["roads"] >= 3
    if page.startswith("zones/"):
        ids = gpd.read_file(demo / "zones/zones.gpkg")["zone_id"]
        assert sorted(seen["zones"]) == sorted(f"Zone {z}" for z in ids), seen["zones"]
    elif page.startswith("county/"):
        ids = gpd.read_file(demo / "county/designs/zones-2/zones/zones.gpkg")["zone_id"]
        assert sorted(seen["zones"]) == sorted(f"Zone {z}" for z in ids), seen["zones"]
    else:
        assert seen["zones"] == []
