"""The county report as a commissioner reads it: at 1300 px, printed, its chart and its table.

One small comparison for the module (the tiny synthetic county, one day, few iterations): two
designs of today (the clients' provider column and the nearest brokerage model) and one zone
count, with stated rates. Chromium opens the report with a probe in each design's map that
measures, in the page as laid out at 1300 px wide, the share of the map each control, legend
and title covers (the screenshot is kept with the other browser tests').
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

import carezones as cz
from carezones.report.county_chart import MEASURES
from carezones.report.county_headline import HEADERS

from .conftest import cache_at
from .test_browser import browse, chromium


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("county-report")
    with cache_at(folder / "cache"):
        county = cz.make_synthetic_county(folder / "tiny", size="tiny", seed=0)
        net = cz.load_network(county.osm_path, "drive", engine="builtin")
        clients = cz.read_clients(county.clients_path, area=net)
        clients["provider"] = [f"P{i % 4}" for i in range(len(clients))]
        offices = cz.read_providers(county.providers_path, area=net)
        nearest = cz.allocate_providers(
            clients, offices, net, options=cz.BrokerageOptions(model="nearest")
        )
        comparison = cz.compare_designs(
            clients,
            net,
            designs={"today": "provider", "today-nearest": nearest},
            zone_counts=[2],
            options=cz.CountyOptions(
                iterations=100, workers=1, rates=cz.TravelRates(per_hour=12.21, per_mile=0.45)
            ),
        )
        out = folder / "report"
        comparison.to_files(out)
    return comparison, out


# in each design's map: every control's, legend's and title's box, posted to the report
MAP_PROBE = """<script>window.addEventListener('load', function(){
  function post(){
    var map=document.querySelector('.leaflet-container'), m=map.getBoundingClientRect();
    var items=[];
    document.querySelectorAll('.leaflet-control, .cz-legend, .cz-banner').forEach(function(e){
      var r=e.getBoundingClientRect();
      if (!r.width || !r.height) return;
      var w=Math.max(0, Math.min(r.right, m.right) - Math.max(r.left, m.left));
      var h=Math.max(0, Math.min(r.bottom, m.bottom) - Math.max(r.top, m.top));
      items.push({kind: e.className, share: w * h / (m.width * m.height),
                  box: [r.left, r.top, r.right, r.bottom],
                  cut: e.scrollWidth > e.clientWidth + 1});
    });
    parent.postMessage(JSON.stringify({czMap: location.pathname, width: m.width,
                                       height: m.height, items: items}), '*');
  }
  setTimeout(post, 50); setTimeout(post, 250);
});</script>"""
REPORT_PROBE = """window.__czMaps={};
window.addEventListener('message', function(e){
  try { var d=JSON.parse(e.data); if (d.czMap) window.__czMaps[d.czMap]=d; } catch (x) {} });
setTimeout(function(){
  var frames=Array.from(document.querySelectorAll('section.design iframe')).map(function(f){
    var r=f.getBoundingClientRect(); return {src: f.getAttribute('src'), width: r.width,
                                             height: r.height}; });
  window.__czExtra={maps: Object.values(window.__czMaps), frames: frames,
                    page: document.documentElement.scrollWidth};
}, 600);"""


def _overlap(a: list[float], b: list[float]) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def test_at_1300_px_each_design_map_is_large_and_no_control_covers_a_quarter_of_it(
    report, tmp_path
):
    comparison, out = report
    page = tmp_path / "report"
    shutil.copytree(out, page)
    for m in page.glob("designs/*/map.html"):
        text = m.read_text(encoding="utf-8")
        m.write_text(text.replace("</body>", MAP_PROBE + "</body>"), encoding="utf-8")
    got = browse(page / "index.html", page, REPORT_PROBE, size=(1300, 4000))
    assert got["errors"] == [] and got["xss"] == 0, got["errors"]
    x = got["extra"]
    assert x["page"] <= 1300  # nothing wider than the window
    assert len(x["frames"]) == len(comparison.plans)
    for frame in x["frames"]:
        assert frame["width"] >= 500 and frame["height"] >= 400, frame
    assert len(x["maps"]) == len(comparison.plans), x["maps"]
    for m in x["maps"]:
        assert m["width"] >= 500 and m["height"] >= 400, m
        kinds = " ".join(i["kind"] for i in m["items"])
        assert "cz-legend" in kinds and "leaflet-control-layers" in kinds, kinds
        for item in m["items"]:
            assert item["share"] <= 0.25, (m["czMap"], item)
        assert sum(i["share"] for i in m["items"]) <= 0.25, m  # all of them together, too
        titles = [i for i in m["items"] if "cz-banner" in i["kind"]]
        controls = [i for i in m["items"] if "leaflet-control" in i["kind"]]
        for t in titles:  # the title whole: inside the map, not under a control
            assert not t["cut"] and t["box"][2] <= m["width"], t
            assert not any(_overlap(t["box"], c["box"]) for c in controls), (t, controls)


def test_printed_as_a_briefing_each_design_map_starts_a_page(report, tmp_path):
    comparison, out = report
    index = (out / "index.html").read_text()
    assert "@page{size:A4" in index and ".design,.wide{break-before:page}" in index
    for m in out.glob("designs/*/map.html"):  # no buttons on paper
        assert "@media print{.leaflet-control-zoom,.leaflet-control-layers{display:none}}" in (
            m.read_text()
        )
    pdf = tmp_path / "report.pdf"
    run = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=8000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            (out / "index.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert pdf.exists(), run.stderr[-2000:]
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert pages >= 1 + len(comparison.plans)  # the text, then a page per design's map


def test_with_one_zone_count_the_chart_has_a_labelled_mark_per_design_and_measure(report):
    comparison, _ = report
    svg = ET.fromstring(comparison.chart_svg(1000, 330))
    assert not svg.findall(".//{http://www.w3.org/2000/svg}polyline")  # no curve of one point
    table = comparison.table.set_index("design")
    for col, _, _ in MEASURES:
        for name in table.index:
            marks = [
                g
                for g in svg.iter("{http://www.w3.org/2000/svg}g")
                if g.get("data-design") == name and g.get("data-measure") == col
            ]
            assert len(marks) == 1, (name, col)
            label = "".join(t.text or "" for t in marks[0].iter("{http://www.w3.org/2000/svg}text"))
            value = float(table.loc[name, col])
            assert f"{value:,.1f}" in label or f"{value:,.0f}" in label, (name, col, label)
    legend = " ".join(t.text or "" for t in svg.iter("{http://www.w3.org/2000/svg}text"))
    assert "today (today-nearest)" in legend and "today " in legend  # a line per today, named
    assert "Travel minutes per hour of care" in legend and "Carers needed" in legend


def test_with_several_zone_counts_the_points_are_joined_and_days_give_bars():
    table = pd.DataFrame(
        {
            "design": ["today", "zones-4", "zones-6", "zones-8"],
            "zones": [9, 4, 6, 8],
            "travel_minutes_per_care_hour": [14.0, 9.0, 7.5, 7.0],
            "travel_minutes_per_care_hour_low": [13.0, 8.5, 7.0, 6.5],
            "travel_minutes_per_care_hour_high": [15.0, 9.5, 8.0, 7.5],
            "carers": [160, 150, 148, 149],
            "carers_low": [158, 149, 147, 147],
            "carers_high": [162, 151, 150, 151],
        }
    )
    from carezones.report.county import sweep_chart

    svg = sweep_chart(table.iloc[1:].reset_index(drop=True), table, 1000, 330)
    assert svg.count("<polyline") == 2  # one line per panel, through the zone designs
    assert svg.count('class="mark design"') == 6 and svg.count('class="mark today"') == 2
    assert svg.count('class="range"') == 8  # a bar per point, a band per today, per measure
    assert "the lowest to the highest day" in svg
    ET.fromstring(svg)  # well-formed


def test_every_number_in_the_table_has_its_unit_and_the_headline_reads_alone(report):
    comparison, out = report
    index = (out / "index.html").read_text()
    row = re.search(r'<table class="designs"><tr>(.*?)</tr>', index).group(1)
    heads = [html.unescape(h) for h in re.findall(r"<th>(.*?)</th>", row)]
    assert heads[0] == "design"
    units = ("(a day)", "a day)", "min per care hour", "£", "zones or providers")
    for head in heads[1:]:
        assert any(u in head for u in units), head
    for want in ("carers (a day)", "care (hours a day)", "travel (min per care hour)"):
        assert want in heads
    assert HEADERS["travel_cost_per_care_hour"] in heads
    cost = heads.index(HEADERS["travel_cost_per_care_hour"])
    body = re.search(r'<table class="designs">.*?</table>', index, re.S).group(0)
    for cells in re.findall(r"<tr>((?:<td>.*?</td>)+)</tr>", body):
        assert html.unescape(re.findall(r"<td>(.*?)</td>", cells)[cost]).startswith("£")
    md = (out / "summary.md").read_text()
    assert "| design | teams (zones or providers) | carers (a day) |" in md
    head = html.unescape(re.search(r'<p class="headline">(.*?)</p>', index, re.S).group(1))
    best = comparison.sweep().design[0]
    assert head.startswith(f"{best} (2 zones) needs ") and "carers a day against" in head
    assert "today" in head and "Against today (today-nearest)" in head
    assert "no day-to-day spread" in head  # one day: nothing to judge the difference by
    reading = html.unescape(re.search(r'<p class="reading">(.*?)</p>', index, re.S).group(1))
    assert re.search(r"needs [\d.]+ carers on the day, to give [\d,]+ hours of care", reading)
    assert "read-county-report" in reading
    summary = json.loads((out / "summary.json").read_text())
    assert summary["days"] == 1
