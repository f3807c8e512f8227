"""Site scoring on Rutland's walking network, side by side in one run.

10,000 candidate points near the walking network (seeded), the default amenity categories from
the OSM extract, walking at 0.8 m/s:

- carezones: ``score_sites`` (nearest amenity of each category with its name, counts within each
  limit, sub-scores, score, explanations), and the nearest-amenity searches alone;
- pandana 0.8 (contraction hierarchies): ``Network`` on the same edges and minutes,
  ``precompute``, ``set_pois`` and ``nearest_pois`` per category from every node, then each site
  read at its nearest node (pandana snaps sites and amenities to nodes, with no access leg);
- networkx: one Dijkstra per site on the osmnx-compatible graph (on a subset, scaled).

Agreement: carezones vs pandana as each tool places the points (snap to the road vs to the
nearest node), and on identical inputs (sites and amenities placed on pandana's nodes), where
the two must agree to rounding. Then the whole-area surface (every junction of the walking
network) with the default walking criteria.

Then the whole ``carezones sites`` command on the same sites, as a CSV file, in a new process:
once with a cold cache (the walking and drive networks built from the OSM file), ``--runs``
times warm, and ``--ref-runs`` times with the sites layer of the map drawn the old way (a folium
marker, tooltip and popup per site, each a Jinja2 template compiled: the reference); the
``scores.csv`` of every run must be identical. Then the map alone (``to_map()``, with the best
three's isochrones, and ``save``, from the same scores), ours against the old way.

    python benchmarks/sites.py [--n 10000] [--nx-sites 30] [--seed 0]
        [--parts scoring command] [--runs 3] [--ref-runs 1]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> int:
    from _common import parse_or_skip, rutland_parser

    ap = rutland_parser(__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--nx-sites", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--parts",
        nargs="+",
        choices=["scoring", "command"],
        default=["scoring", "command"],
        help="scoring: against pandana and networkx; command: `carezones sites` and its map",
    )
    ap.add_argument("--runs", type=int, default=3, help="runs of the command and of the map")
    ap.add_argument("--ref-runs", type=int, default=1, help="runs of the old map (slow)")
    args = parse_or_skip(ap)
    if args is None:
        return 0
    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import geopandas as gpd

    import carezones as cz
    from carezones.sites import DEFAULT_CATEGORIES, read_amenities

    t0 = time.perf_counter()
    walk = cz.load_network(args.pbf, "walk", engine="builtin")
    am = read_amenities(args.pbf)
    t_load = time.perf_counter() - t0
    rng = np.random.default_rng(args.seed)
    idx = rng.choice(walk.n_nodes, args.n)
    xy = np.column_stack([walk.lon[idx], walk.lat[idx]]) + rng.normal(0, 0.0005, (args.n, 2))
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=4326)
    cats = [c.name for c in DEFAULT_CATEGORIES]
    counts = am.category.value_counts().reindex(cats, fill_value=0)
    print(
        f"walking network: {walk.n_nodes:,} nodes, {walk.n_edges:,} edges; "
        f"{len(am)} amenities ({', '.join(f'{k} {v}' for k, v in counts.items())}); "
        f"load {t_load:.1f} s; {args.n:,} sites"
    )
    if "scoring" in args.parts:
        scoring(args, walk, am, sites, xy)
    if "command" in args.parts:
        command(args, walk, xy)
    return 0


def scoring(args, walk, am, sites, xy) -> None:
    """carezones' scoring against pandana's and networkx's nearest-amenity queries."""
    import geopandas as gpd
    import networkx as nx
    import pandas as pd

    import carezones as cz
    from carezones.sites import DEFAULT_CATEGORIES, read_towns

    cats = [c.name for c in DEFAULT_CATEGORIES]
    cfg = {"rural": {"points": 0}}
    score_sites = cz.score_sites
    score_sites(sites.head(10), cz.SiteInputs(walk=walk, amenities=am), config=cfg)  # warm caches
    t0 = time.perf_counter()
    res = score_sites(sites, cz.SiteInputs(walk=walk, amenities=am), config=cfg)
    t_ours = time.perf_counter() - t0
    sc = res.scores

    # the same query as pandana's: snap the sites and amenities once, then one multi-source
    # search per category
    apts = walk.access_points(am.geometry.to_numpy())
    t0 = time.perf_counter()
    s_att = walk.attach(walk.snap(xy))
    a_snap = walk.snap(apts)
    ours_nearest = {}
    for c in cats:
        a_att = walk.attach(a_snap.subset(np.flatnonzero(am.category.to_numpy() == c)))
        ours_nearest[c] = walk.router.nearest(s_att, a_att)[0]
    t_near = time.perf_counter() - t0

    import pandana

    e = walk.edges
    t0 = time.perf_counter()
    pnet = pandana.Network(
        pd.Series(walk.lon),
        pd.Series(walk.lat),
        e.u,
        e.v,
        pd.DataFrame({"minutes": e.minutes}),
        twoway=False,
    )
    limit = 60.0
    pnet.precompute(limit)
    t_pre = time.perf_counter() - t0
    t0 = time.perf_counter()
    pan: dict[str, np.ndarray] = {}
    node_of_site = pnet.get_node_ids(pd.Series(xy[:, 0]), pd.Series(xy[:, 1])).to_numpy()
    for c in cats:
        pick = apts[am.category.to_numpy() == c]
        pnet.set_pois(c, limit, 1, pd.Series(pick[:, 0]), pd.Series(pick[:, 1]))
        near = pnet.nearest_pois(limit, c, num_pois=1)
        pan[c] = near[1].reindex(node_of_site).to_numpy(dtype=float)
    t_pan = time.perf_counter() - t0

    # networkx: one Dijkstra per site from its nearest node (node-snapped, like pandana)
    g = walk.graph
    osm_ids = walk.node_osmid
    amen_nodes = {
        c: set(
            osm_ids[
                pnet.get_node_ids(
                    pd.Series(apts[am.category == c][:, 0]), pd.Series(apts[am.category == c][:, 1])
                )
            ]
        )
        for c in cats
    }
    k = min(args.nx_sites, args.n)
    t0 = time.perf_counter()
    nx_min = np.full((k, len(cats)), np.inf)
    for i in range(k):
        dist = nx.single_source_dijkstra_path_length(
            g, int(osm_ids[node_of_site[i]]), weight="minutes"
        )
        for j, c in enumerate(cats):
            vals = [dist[n] for n in amen_nodes[c] if n in dist]
            nx_min[i, j] = min(vals) if vals else np.inf
    t_nx = (time.perf_counter() - t0) / k * args.n

    # identical inputs: sites and amenities on pandana's nodes
    site_nodes = np.column_stack([walk.lon[node_of_site], walk.lat[node_of_site]])
    worst_same, worst_nx, worst_pan_nx = 0.0, 0.0, 0.0
    agree = []
    for j, c in enumerate(cats):
        pick = apts[am.category.to_numpy() == c]
        nodes = pnet.get_node_ids(pd.Series(pick[:, 0]), pd.Series(pick[:, 1])).to_numpy()
        ours_on_nodes = walk.nearest(
            site_nodes, np.column_stack([walk.lon[nodes], walk.lat[nodes]])
        )[0]
        both = (ours_on_nodes < limit) & (pan[c] < limit)
        worst_same = max(worst_same, float(np.abs(ours_on_nodes[both] - pan[c][both]).max()))
        worst_nx = max(worst_nx, float(np.abs(ours_on_nodes[:k] - nx_min[:, j]).max()))
        near = nx_min[:, j] < limit
        if near.any():
            gap = np.abs(pan[c][:k][near] - nx_min[near, j]).max()
            worst_pan_nx = max(worst_pan_nx, float(gap))
        ok = (ours_nearest[c] < limit) & (pan[c] < limit)
        agree.append(np.abs(ours_nearest[c][ok] - pan[c][ok]))
    diff = np.concatenate(agree)

    print(f"\n{'method':<44}{'seconds':>9}{'vs carezones':>14}")
    rows = [
        ("carezones score_sites (everything)", t_ours),
        ("carezones nearest-amenity query (snap+search)", t_near),
        ("pandana precompute (once per network)", t_pre),
        ("pandana set_pois + nearest_pois + node ids", t_pan),
        ("pandana total", t_pre + t_pan),
        (f"networkx Dijkstra per site (scaled from {k})", t_nx),
    ]
    for name, t in rows:
        print(f"{name:<44}{t:>9.2f}{t / t_near:>13.1f}x")
    print(
        f"pandana query / carezones query: {t_pan / t_near:.2f}; "
        f"pandana total / carezones score_sites: {(t_pre + t_pan) / t_ours:.2f}"
    )
    print(
        f"agreement, each tool placing the points its own way (both < {limit:g} min): "
        f"median |diff| {np.median(diff):.2f} min, 95th percentile "
        f"{np.percentile(diff, 95):.2f} min, {np.mean(diff <= 1.0):.1%} within 1 min"
    )
    print(
        f"identical inputs (points on pandana's nodes): max |carezones - pandana| "
        f"{worst_same:.2e} min; max |carezones - networkx| {worst_nx:.2e} min, "
        f"max |pandana - networkx| {worst_pan_nx:.2e} min ({k} sites)"
    )
    scored = sc.score.notna()
    print(
        f"scores: {int(scored.sum()):,} scored, {int((~scored).sum())} off the network; "
        f"median {sc.score.median():.1f}, best {sc.score.max():.1f}"
    )
    t0 = time.perf_counter()
    surf = score_sites(
        sites.head(1),
        cz.SiteInputs(walk=walk, amenities=am),
        config=cfg,
        options=cz.ScoreOptions(surface=True),
    )
    t_surf = time.perf_counter() - t0
    assert surf.surface is not None
    print(f"surface: {len(surf.surface):,} junctions scored in {t_surf:.2f} s (walking criteria)")
    drive = cz.load_network(args.pbf, "drive", engine="builtin")
    people = cz.clients_on_buildings(args.pbf, 660, seed=args.seed)
    clients = gpd.GeoDataFrame(
        people.iloc[:600], geometry=gpd.points_from_xy(people.lon[:600], people.lat[:600]), crs=4326
    )
    homes = np.column_stack([people.lon[600:], people.lat[600:]])
    t0 = time.perf_counter()
    full = score_sites(
        sites.head(1),
        cz.SiteInputs(walk=walk, drive=drive, amenities=am, towns=read_towns(args.pbf)),
        clients=clients,
        carers=homes,
        options=cz.ScoreOptions(surface=True),
    )
    t_full = time.perf_counter() - t0
    assert full.surface is not None
    print(
        f"surface with every criterion (600 clients, 60 carers, towns): "
        f"{len(full.surface):,} junctions in {t_full:.2f} s"
    )


# ---------------------------------------------------------------- the command and its map
def old_site_layer(m, result, wgs) -> None:
    """The sites layer as drawn before issue 27: a folium marker, tooltip and popup per site.

    The reference of the map's timing (each folium object compiles a Jinja2 template).
    """
    import folium
    import pandas as pd
    import shapely
    from branca.element import MacroElement
    from jinja2 import Template

    from carezones.report.html import escape
    from carezones.report.sites import score_colour

    layer = folium.FeatureGroup(name="Candidate sites")
    for rec, geom, why in zip(wgs.itertuples(), wgs.geometry, result.explanations, strict=True):
        colour = score_colour(rec.score)
        score = "not scored" if pd.isna(rec.score) else f"{rec.score:.1f} / 100"
        rank = "" if pd.isna(rec.rank) else f" (rank {int(rec.rank)})"
        parts = "".join(f"<li>{escape(p, template=True)}</li>" for p in why)
        popup = f"<b>{escape(str(rec.site_id), template=True)}</b>: {score}{rank}<ul>{parts}</ul>"
        tip = escape(f"{rec.site_id}: {score}", template=True)
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            style = {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.5}
            shape = folium.GeoJson(
                shapely.to_geojson(geom), style_function=lambda _f, s=style: s, tooltip=tip
            )
        else:
            shape = folium.CircleMarker(
                (float(geom.y), float(geom.x)),
                radius=8,
                color="#222",
                weight=1,
                fill=True,
                fill_color=colour,
                fill_opacity=0.95,
                tooltip=tip,
            )
        el = MacroElement()
        el._name = "Popup"
        el.content = json.dumps(popup).replace("</", "<\\/")
        el._template = Template(
            "{% macro script(this, kwargs) %}{{ this._parent.get_name() }}.bindPopup("
            "{{ this.content }}, {maxWidth: 360});{% endmacro %}"
        )
        shape.add_child(el)
        shape.add_to(layer)
    layer.add_to(m)


def use_old_site_layer() -> None:
    """Make carezones draw the sites layer the old way (in this process)."""
    import carezones.report.sites as report_sites

    report_sites._site_layer = old_site_layer


OLD_COMMAND = (
    "import importlib.util, sys; "
    "spec = importlib.util.spec_from_file_location('bench_sites', {path!r}); "
    "bench = importlib.util.module_from_spec(spec); spec.loader.exec_module(bench); "
    "bench.use_old_site_layer(); "
    "from carezones.cli import main; sys.exit(main(sys.argv[1:]))"
)


def run_command(cmd: list[str], cache: str) -> tuple[float, float]:
    """Run a command to the end; return its wall and CPU seconds (its own and its children's)."""
    import resource

    env = dict(os.environ, CAREZONES_CACHE=cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed: {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def spread(values: list[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def command(args, walk, xy) -> None:
    """``carezones sites`` on the sites end to end, and its map alone, against the old map."""
    import shutil

    work = Path(tempfile.mkdtemp(prefix="cz-sites-command-"))
    cache = tempfile.mkdtemp(prefix="cz-bench-cold-")
    try:
        _command(args, walk, xy, work, cache)
    finally:  # about 170 MB of runs and caches
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def _command(args, walk, xy, work: Path, cache: str) -> None:
    import filecmp

    import pandas as pd

    import carezones as cz

    csv = work / "sites.csv"
    ids = [f"S{i:05d}" for i in range(len(xy))]
    pd.DataFrame({"site_id": ids, "lat": xy[:, 1], "lon": xy[:, 0]}).to_csv(csv, index=False)
    base = ["sites", "--osm", str(args.pbf), "--sites", str(csv), "-q", "--out"]
    ours = [sys.executable, "-m", "carezones", *base]
    old = [sys.executable, "-c", OLD_COMMAND.format(path=str(Path(__file__).resolve())), *base]
    print(f"\n== `carezones sites` on {len(xy):,} sites on Rutland, end to end (a new process)")
    cold = run_command([*ours, str(work / "cold")], cache)
    warm = [run_command([*ours, str(work / f"warm{i}")], cache) for i in range(args.runs)]
    ref = [run_command([*old, str(work / f"old{i}")], cache) for i in range(args.ref_runs)]
    same = all(
        filecmp.cmp(work / "warm0" / "scores.csv", work / d / "scores.csv", shallow=False)
        for d in ["cold", *(f"warm{i}" for i in range(args.runs)), "old0"]
    )
    print(f"{'':<46}{'wall s':>22}{'CPU s':>22}")
    rows = [
        ("carezones, warm cache", warm),
        ("carezones, cold cache (networks built)", [cold]),
        ("the old map (a marker + popup per site), warm", ref),
    ]
    for name, runs in rows:
        print(f"{name:<46}{spread([w for w, _ in runs]):>22}{spread([c for _, c in runs]):>22}")
    best = min(w for w, _ in warm)
    print(
        f"old / new, whole command: {min(w for w, _ in ref) / best:.1f}x wall; "
        f"scores.csv identical in every run: {same}; "
        f"sites.html {(work / 'warm0' / 'sites.html').stat().st_size / 1e6:.1f} MB "
        f"(old {(work / 'old0' / 'sites.html').stat().st_size / 1e6:.1f} MB)"
    )

    # the map alone: from the same scores, drawn (the isochrones computed) and saved
    os.environ["CAREZONES_CACHE"] = cache
    sites = cz.read_points(csv, area=walk)
    res = cz.score_sites(sites, cz.SiteInputs(osm=args.pbf, walk=walk))

    def draw(path: Path) -> float:
        t0 = time.perf_counter()
        res.to_map().save(str(path))
        return time.perf_counter() - t0

    new_map = [draw(work / f"map{i}.html") for i in range(args.runs)]
    use_old_site_layer()
    old_map = [draw(work / f"old-map{i}.html") for i in range(args.ref_runs)]
    print(f"\n== the map alone: to_map() and save ({len(xy):,} sites, the best 3's isochrones)")
    print(f"one GeoJSON layer, shared popup template: {spread(new_map)} s")
    print(f"a folium marker, tooltip and popup per site: {spread(old_map)} s")
    print(f"old / new: {min(old_map) / min(new_map):.0f}x")


if __name__ == "__main__":
    sys.exit(main())
