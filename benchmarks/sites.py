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

    python benchmarks/sites.py [--n 10000] [--nx-sites 30] [--seed 0]
"""

from __future__ import annotations

import sys
import tempfile
import time

import numpy as np


def main() -> int:
    from _common import parse_or_skip, rutland_parser

    ap = rutland_parser(__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--nx-sites", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = parse_or_skip(ap)
    if args is None:
        return 0
    import os

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import geopandas as gpd
    import networkx as nx
    import pandas as pd

    import carezones as cz
    from carezones.sites import DEFAULT_CATEGORIES, read_amenities, read_towns

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
