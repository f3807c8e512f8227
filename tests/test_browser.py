"""Every generated map opened in a real browser (headless Chromium), offline.

Each page gets a probe: it records JavaScript errors from the first script on, then opens every
tooltip and popup of every Leaflet map and writes what it found (layers, tooltips, popups, the
layer control, the legend, the attribution, and whether any injected code ran) into the page,
which Chromium dumps. A screenshot of each page is saved (to ``$CAREZONES_SCREENSHOTS`` when
set). Chromium comes from Debian (``make test`` installs it when missing and it can); without
it these tests skip, except in CI, where they fail.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import carezones as cz
from carezones import RoundsOptions
from carezones import network as cn
from carezones.rounds import plan_rounds, read_carers, read_visits

from .conftest import cache_at, random_points

CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>{{ 7*7 }}'

HEAD_PROBE = """<script>window.__czErrors=[];window.addEventListener('error',function(e){
window.__czErrors.push(String(e.message||e));});</script>"""
TAIL_PROBE = """<script>
setTimeout(function(){
  var out={errors:window.__czErrors,maps:0,layers:0,tooltips:0,popups:0,tips:[],pops:[]};
  document.querySelectorAll('.leaflet-control-layers-overlays input').forEach(function(i){
    if (!i.checked) i.click(); });  // every layer on, hidden ones too
  for (var k in window) {
    var m; try { m = window[k]; } catch (e) { continue; }
    if (!(window.L && m instanceof L.Map)) continue;
    out.maps++;
    m.eachLayer(function(l){
      out.layers++;
      if (l.getTooltip && l.getTooltip()) { out.tooltips++;
        try { l.openTooltip(); var t=l.getTooltip().getContent();
              out.tips.push(typeof t==='string'?t:(t&&t.outerHTML)||''); } catch (e) {} }
      if (l.getPopup && l.getPopup()) { out.popups++;
        try { l.openPopup(); var c=document.querySelector('.leaflet-popup-content');
              if (c) out.pops.push(c.innerHTML); } catch (e) {} }
    });
  }
  setTimeout(function(){
    out.layerControl=!!document.querySelector('.leaflet-control-layers');
    out.overlays=Array.from(document.querySelectorAll('.leaflet-control-layers-overlays span'))
      .map(function(e){return e.textContent.trim();});
    out.legend=!!document.querySelector('.cz-legend');
    var a=document.querySelector('.leaflet-control-attribution');
    out.attribution=a?a.textContent:'';
    out.xss=window.__xss||0;
    out.extra=window.__czExtra||null;
    var pre=document.createElement('pre'); pre.id='cz-probe';
    pre.textContent=JSON.stringify(out); document.body.appendChild(pre);
  }, 800);
}, 300);
</script>"""


def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "chromium is not installed: `make test` installs it (apt-get install chromium)"
            )
        pytest.skip("chromium not installed (apt-get install chromium)")
    return CHROMIUM


def headless(profile: Path, budget_ms: int) -> list[str]:
    """Return the command that runs Chromium headless, quiet and offline-minded, with its own
    profile folder and ``budget_ms`` of virtual time for the page's scripts."""
    return [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        f"--virtual-time-budget={budget_ms}",
    ]


def browse(page: Path, tmp: Path, extra: str = "", size: tuple[int, int] = (1200, 900)) -> dict:
    """Open a page with the probe in headless Chromium (no network); return the probe's report.

    ``extra`` is a script run before the probe, which may leave its findings in
    ``window.__czExtra`` (reported as ``extra``); ``size`` is the window's, in pixels.
    """
    text = page.read_text(encoding="utf-8")
    text = (
        text.replace("<head>", "<head>" + HEAD_PROBE, 1) if "<head>" in text else HEAD_PROBE + text
    )
    probed = tmp / f"probed-{page.parent.name}-{page.name}"
    tail = (f"<script>{extra}</script>" if extra else "") + TAIL_PROBE
    probed.write_text(text.replace("</body>", tail + "</body>"), encoding="utf-8")
    flags = headless(tmp / "profile", 8000)
    shots = Path(os.environ.get("CAREZONES_SCREENSHOTS", tmp / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"{page.parent.name}-{page.stem}.png"
    window = f"--window-size={size[0]},{size[1]}"
    out = subprocess.run(  # one run: the page's DOM after the probe, and its screenshot
        [*flags, window, f"--screenshot={shot}", "--dump-dom", probed.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="cz-probe">(.*?)</pre>', out.stdout, re.S)
    assert found, f"the probe did not report for {page.name}: {out.stderr[-2000:]}"
    assert shot.exists() and shot.stat().st_size > 10_000, f"no screenshot of {page.name}"
    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def demo(tiny_demo):
    return tiny_demo[0]


@pytest.mark.parametrize(
    ("page", "overlays", "popups"),
    [
        ("network.html", ["Roads"], False),
        ("zones/zones.html", ["Zones"], False),
        ("rounds/rounds.html", [], False),
        (
            "sites/sites.html",
            [
                "Candidate sites",
                "Walking isochrones",
                "Suitability surface (mean score per hexagon)",
            ],
            True,
        ),
    ],
)
def test_demo_maps_draw_offline_without_errors(demo, tmp_path, page, overlays, popups):
    got = browse(demo / page, tmp_path)
    assert got["errors"] == [], got["errors"]
    assert got["maps"] == 1 and got["layers"] >= 3 and got["tooltips"] > 0, got
    assert got["layerControl"] and got["legend"]
    assert "Synthetic data generated by carezones" in got["attribution"]
    for name in overlays:
        assert name in got["overlays"]
    if popups:
        assert got["popups"] > 0 and any("min walk" in p or "not scored" in p for p in got["pops"])


def test_demo_index_links_every_map(demo, tmp_path):
    got = browse(demo / "index.html", tmp_path)
    assert got["errors"] == [] and got["maps"] == 0
    page = (demo / "index.html").read_text()
    for link in re.findall(r'href="([^"]+)"', page):
        assert (demo / link).exists(), link


@pytest.fixture
def walk_grid(grid_file, cache):
    return cn.load_network(grid_file, "walk", engine="builtin")


def test_payloads_in_every_user_field_execute_nothing(walk_grid, grid_file, tmp_path):
    """A real-looking network (OSM basemap that cannot load here) and hostile text everywhere."""
    net = walk_grid
    xy = random_points(net, 6, seed=1)
    sites = gpd.GeoDataFrame(
        {"site_id": [f"{PAYLOAD}{i}" for i in range(6)], "owner": PAYLOAD},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=4326,
    )
    am_xy = random_points(net, 4, seed=2)
    amen = gpd.GeoDataFrame(
        {"category": ["food_shop", "gp", "pharmacy", "transport"], "name": [PAYLOAD] * 4},
        geometry=gpd.points_from_xy(*am_xy.T),
        crs=4326,
    )
    res = cz.score_sites(
        sites,
        cz.SiteInputs(walk=net, amenities=amen),
        config={"rural": {"points": 0}},
        options=cz.ScoreOptions(surface=True),
    )
    pages = [tmp_path / "sites.html"]
    res.to_map().save(str(pages[0]))

    drive = cn.load_network(grid_file, "drive", engine="builtin")
    v_xy, c_xy = random_points(drive, 6, seed=3), random_points(drive, 2, seed=4)
    visits = pd.DataFrame(
        {
            "visit_id": [f"{PAYLOAD}v{i}" for i in range(6)],
            "client_id": PAYLOAD,
            "lon": v_xy[:, 0],
            "lat": v_xy[:, 1],
            "window_start": "08:00",
            "window_end": "12:00",
            "duration_minutes": 20,
            "carers_required": 1,
            "skills": "",
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": [f"{PAYLOAD}k{i}" for i in range(2)],
            "lon": c_xy[:, 0],
            "lat": c_xy[:, 1],
            "shift_start": "07:00",
            "shift_end": "14:00",
            "skills": "",
        }
    )
    rounds = plan_rounds(
        read_visits(visits), read_carers(carers), drive, options=RoundsOptions(iterations=200)
    )
    assert rounds.kpis["visits_served"] > 0
    pages.append(tmp_path / "rounds.html")
    rounds.to_map().save(str(pages[1]))

    clients = gpd.GeoDataFrame(
        {"client_id": [f"{PAYLOAD}c{i}" for i in range(len(v_xy))], "hours_per_week": 10.0},
        geometry=gpd.points_from_xy(*v_xy.T),
        crs=4326,
    )
    from carezones.report.network import network_map

    pages.append(tmp_path / "network.html")
    network_map(drive, clients, show_client_points=True).save(str(pages[2]))

    for page in pages:
        got = browse(page, tmp_path)
        assert got["errors"] == [], (page.name, got["errors"])
        assert got["xss"] == 0, f"injected code ran in {page.name}"
        assert got["tooltips"] > 0 and "OpenStreetMap contributors" in got["attribution"]
        shown = " ".join(got["tips"] + got["pops"])
        assert "&lt;img src=x" in shown or "&lt;script&gt;" in shown, page.name  # shown as text
        assert "49" not in re.sub(r"\d+\.\d+|\d{3,}", "", shown.replace("7*7", ""))
    assert np.isfinite(res.scores.score).all()


def test_index_escapes_site_names(demo, tmp_path):
    from carezones.demo import index_page

    summary = json.loads((demo / "summary.json").read_text())
    summary["sites"]["best"] = [{"site_id": PAYLOAD, "score": 50.0}]
    page = tmp_path / "index.html"
    page.write_text(index_page(summary), encoding="utf-8")
    got = browse(page, tmp_path)
    assert got["errors"] == [] and got["xss"] == 0
    assert "&lt;img src=x" in page.read_text()


def test_county_report_opens_cleanly_with_hostile_names(demo, tmp_path):
    """The demo's comparison, then one with a hostile design name: no errors, nothing runs."""
    for page in (
        demo / "county" / "index.html",
        demo / "county" / "designs" / "today" / "map.html",
        demo / "county" / "designs" / "zones-2" / "map.html",
    ):
        got = browse(page, tmp_path)
        assert got["errors"] == [] and got["xss"] == 0, page
    _, net, clients = _tiny_county(tmp_path)
    rng = np.random.default_rng(1)
    clients["provider"] = [PAYLOAD + str(i) for i in rng.integers(0, 3, len(clients))]
    comparison = cz.compare_designs(
        clients,
        net,
        designs={PAYLOAD: "provider"},
        zone_counts=[2],
        options=cz.CountyOptions(iterations=100, workers=1, rounds_maps=True),
    )
    comparison.to_files(tmp_path / "hostile", rounds_maps=True)
    pages = [tmp_path / "hostile" / "index.html", *sorted((tmp_path / "hostile").rglob("*.html"))]
    for page in pages[:6]:
        got = browse(page, tmp_path)
        assert got["errors"] == [] and got["xss"] == 0, page
    assert "&lt;img src=x" in pages[0].read_text()


def _tiny_county(tmp_path):
    with cache_at(tmp_path / "cache"):
        county = cz.make_synthetic_county(tmp_path / "tiny", size="tiny", seed=2)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
        clients = cz.read_clients(county.clients_path, area=net)
    return county, net, clients


LAYER_PROBE = """setTimeout(function(){
  var maps=[]; for (var k in window) { var m; try { m = window[k]; } catch (e) { continue; }
    if (window.L && m instanceof L.Map) maps.push(m); }
  function count(){ var n=0; maps[0].eachLayer(function(){ n++; }); return n; }
  var boxes=document.querySelectorAll('.leaflet-control-layers-overlays input');
  var before=count(), names=[];
  document.querySelectorAll('.leaflet-control-layers-overlays label').forEach(function(e){
    names.push(e.textContent.trim()); });
  var last=boxes[boxes.length-1]; last.click(); var hidden=count(); last.click();
  var box=document.querySelector('.leaflet-control-layers');
  window.__czExtra={before:before, hidden:hidden, after:count(), names:names,
    visible: box ? box.getBoundingClientRect().height > 40 : false,
    expanded: box ? box.classList.contains('leaflet-control-layers-expanded') : false};
}, 200);"""


def test_rounds_map_layer_control_has_a_working_toggle_per_carer(demo, tmp_path):
    got = browse(demo / "rounds" / "rounds.html", tmp_path, LAYER_PROBE)
    assert got["errors"] == [], got["errors"]
    carers = sorted(set(pd.read_csv(demo / "rounds" / "itineraries.csv").carer_id))
    x = got["extra"]
    shown = [n for n in x["names"] if n not in ("Roads", "Base map")]
    assert [n.split(" (")[0] for n in shown] == carers  # one toggle per carer, named
    assert x["expanded"] and x["visible"]  # open, not an empty box
    assert x["hidden"] < x["before"] == x["after"]  # unticking hides that carer's round


HOVER_PROBE = """setTimeout(function(){
  var bar=document.querySelector('.bar.visit');
  bar.dispatchEvent(new MouseEvent('mouseover', {bubbles:true, clientX:100, clientY:100}));
  var tip=document.getElementById('tip');
  var doubles=document.querySelectorAll('.bar.double').length;
  var d=document.querySelector('.bar.double'); var lit=0;
  if (d) { d.dispatchEvent(new MouseEvent('mouseover', {bubbles:true}));
           lit=document.querySelectorAll('.bar.hi').length; }
  window.__czExtra={tip: tip.textContent, shown: tip.style.display, imgs:
    document.querySelectorAll('img').length, rows: document.querySelectorAll('.row').length,
    doubles: doubles, lit: lit, links: document.querySelectorAll('.link').length};
}, 200);"""


def test_timeline_and_run_sheets_open_offline_with_hostile_text_shown_as_text(
    grid_file, cache, tmp_path
):
    drive = cn.load_network(grid_file, "drive", engine="builtin")
    v_xy, c_xy = random_points(drive, 8, seed=3), random_points(drive, 3, seed=4)
    visits = pd.DataFrame(
        {
            "visit_id": [f"{PAYLOAD}v{i}" for i in range(8)],
            "client_id": PAYLOAD,
            "lon": v_xy[:, 0],
            "lat": v_xy[:, 1],
            "window_start": "08:00",
            "window_end": "12:00",
            "duration_minutes": 20,
            "carers_required": [2, 1, 1, 1, 2, 1, 1, 1],
            "skills": "",
            "notes": PAYLOAD,
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": [f"{PAYLOAD}k{i}" for i in range(3)],
            "lon": c_xy[:, 0],
            "lat": c_xy[:, 1],
            "shift_start": "07:00",
            "shift_end": "14:00",
            "skills": "",
        }
    )
    rounds = plan_rounds(
        read_visits(visits), read_carers(carers), drive, options=RoundsOptions(iterations=300)
    )
    assert rounds.kpis["visits_served"] > 0 and rounds.check() == []
    page = tmp_path / "timeline.html"
    rounds.to_timeline().save(page)
    got = browse(page, tmp_path, HOVER_PROBE)
    assert got["errors"] == [] and got["xss"] == 0
    x = got["extra"]
    assert x["shown"] == "block" and "<img src=x" in x["tip"]  # the payload, as plain text
    assert x["imgs"] == 0 and x["rows"] >= 1
    assert x["doubles"] >= 2 and x["lit"] == 2 and x["links"] >= 1  # partners linked
    sheets = rounds.to_run_sheets(tmp_path / "sheets")
    for p in [p for p in sheets if p.suffix == ".html"]:
        got = browse(p, tmp_path)
        assert got["errors"] == [] and got["xss"] == 0, p.name
        assert "&lt;img src=x" in p.read_text()


def test_a_notebook_card_opens_cleanly_with_hostile_carer_ids(grid_file, cache, tmp_path):
    """A day's rounds as Jupyter shows them (``_repr_html_``): no errors, nothing runs."""
    drive = cn.load_network(grid_file, "drive", engine="builtin", progress=False)
    v_xy, c_xy = random_points(drive, 6, seed=3), random_points(drive, 2, seed=4)
    visits = pd.DataFrame(
        {
            "visit_id": [f"{PAYLOAD}v{i}" for i in range(6)],
            "client_id": PAYLOAD,
            "lon": v_xy[:, 0],
            "lat": v_xy[:, 1],
            "window_start": "08:00",
            "window_end": "12:00",
            "duration_minutes": 20,
            "carers_required": 1,
            "skills": "",
        }
    )
    carers = pd.DataFrame(
        {
            "carer_id": [f"{PAYLOAD}k{i}" for i in range(2)],
            "lon": c_xy[:, 0],
            "lat": c_xy[:, 1],
            "shift_start": "07:00",
            "shift_end": "14:00",
            "skills": "",
        }
    )
    rounds = plan_rounds(
        read_visits(visits), read_carers(carers), drive, options=RoundsOptions(iterations=200)
    )
    from IPython.core.formatters import HTMLFormatter

    card = HTMLFormatter()(rounds)  # what a notebook shows
    page = tmp_path / "card.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{card}</body></html>",
        encoding="utf-8",
    )
    got = browse(page, tmp_path)
    assert got["errors"] == [] and got["xss"] == 0
    assert "&lt;img src=x" in page.read_text()
