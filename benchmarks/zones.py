"""Home-care zones on Rutland, side by side in one run, every method scored by the same code.

Methods: carezones ``build_zones``; scikit-learn KMeans (weighted by hours); k-means-constrained
(balances head counts, straight lines); PySAL spopt ``RegionKMeansHeuristic`` over a k-nearest-
neighbour contiguity graph (skipped above ``--spopt-max`` clients: it is slow).

Scores: hours coefficient of variation, worst zone deviation from the mean hours, hours-weighted
mean and 90th-percentile road minutes from each zone's centre (the hours-weighted road medoid of
the zone among its CANDIDATES clients nearest the hours-weighted centroid, found the same way
for every method), mean within-zone client-to-client road minutes
(up to 300 sampled clients a zone), contiguity (the zone's clients' Voronoi cells form one
piece; for carezones also its own zone polygons, which tile the area), runtime and peak memory
(growth of the resident set of a forked process running the method).

For carezones a second line gives the plan's own figures: the hours-weighted mean minutes from
each zone's published centre (a road junction, never a client's home), the worst deviation,
whether every zone is one piece, and how many clients the tiling moved to the zone of the
polygon holding them. Its tiling follows the extract's buildings (``--no-buildings``: the
roads only), as the command line and the demo do.

    python benchmarks/zones.py [--sizes 600 2000 10000] [--zones 4 8 12] [--pbf FILE]
"""

from __future__ import annotations

import sys
import time

import numpy as np

CANDIDATES = 50  # possible centres tried per zone when scoring


def score(net, lonlat, hours, labels, k, area):
    """Score one method's labels (-1: the method left the client out, e.g. far from roads)."""
    import shapely

    kept = labels >= 0
    lonlat, hours, labels = lonlat[kept], hours[kept], labels[kept]
    h = np.bincount(labels, weights=hours, minlength=k)
    mean = h.mean()
    dev = (h - mean) / mean
    minutes = np.full(len(hours), np.nan)
    within = []
    x, y = net.to_metric(lonlat[:, 0], lonlat[:, 1])
    for z in range(k):
        m = np.flatnonzero(labels == z)
        if len(m) == 0:
            continue
        w = hours[m] + 1e-9
        gx, gy = np.average(x[m], weights=w), np.average(y[m], weights=w)
        cand = m[np.argsort((x[m] - gx) ** 2 + (y[m] - gy) ** 2)[:CANDIDATES]]
        t = net.travel_times(lonlat[cand], lonlat[m], engine="builtin")
        best = int(np.argmin((np.where(np.isfinite(t), t, 1e6) * hours[m]).sum(axis=1)))
        minutes[m] = t[best]
        s = m if len(m) <= 300 else np.sort(np.random.default_rng(z).choice(m, 300, replace=False))
        tt = net.travel_times(lonlat[s], engine="builtin")
        off = ~np.eye(len(s), dtype=bool)
        within.append(float(np.mean(tt[off][np.isfinite(tt[off])])) if off.any() else 0.0)
    ok = np.isfinite(minutes)
    order = np.argsort(minutes[ok])
    cum = np.cumsum(hours[ok][order]) / hours[ok].sum()
    p90 = float(minutes[ok][order][np.searchsorted(cum, 0.9)])
    # contiguity: the zone's clients' Voronoi cells (clipped to the area) are one piece
    pts = shapely.points(np.round(x, 1), np.round(y, 1))
    _, first = np.unique(
        np.column_stack([np.round(x, 1), np.round(y, 1)]), axis=0, return_index=True
    )
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(pts[first]), extend_to=area, ordered=True)
    )
    cells = shapely.intersection(cells, area)
    pieces = [
        len(shapely.get_parts(shapely.coverage_union_all(cells[labels[first] == z])))
        for z in range(k)
    ]
    return {
        "cv": float(h.std() / mean),
        "worst": float(dev[np.argmax(np.abs(dev))]),
        "mean_min": float(np.average(minutes[ok], weights=hours[ok])),
        "p90_min": p90,
        "within_min": float(np.mean(within)),
        "contiguous": all(p == 1 for p in pieces),
    }


def _child(fn, conn):
    import resource

    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    try:
        out, err = fn(), None
        labels, extra = out if isinstance(out, tuple) else (out, {})
    except Exception as exc:  # reported in the table, the run goes on
        labels, extra, err = None, {}, f"{type(exc).__name__}: {exc}"[:60]
    sec = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    conn.send((labels, extra, sec, max(peak - base, 0) / 1024, err))
    conn.close()


def run_method(fn, timeout):
    """Run one method in a forked process: its time, and its peak memory (MB, RSS growth).

    A method still running after ``timeout`` seconds is stopped and reported as timed out.
    """
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(fn, child))
    t = time.perf_counter()
    proc.start()
    if not parent.poll(timeout):
        proc.kill()
        proc.join()
        return None, {}, time.perf_counter() - t, 0.0, f"timed out after {timeout:.0f} s"
    labels, extra, sec, grew, err = parent.recv()
    proc.join()
    return labels, extra, sec, grew, err


def main() -> int:
    from _common import parse_or_skip, rutland_parser

    ap = rutland_parser(__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[600, 2000, 10000])
    ap.add_argument("--zones", type=int, nargs="+", default=[4, 8, 12])
    ap.add_argument("--spopt-max", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per method")
    ap.add_argument("--no-buildings", action="store_true", help="tile carezones by roads only")
    args = parse_or_skip(ap)
    if args is None:
        return 0

    import carezones as cz
    from carezones.zones import ZoneAreas, ZoneOptions, build_zones
    from carezones.zones.inputs import study_area

    net = cz.load_network(args.pbf, "drive", engine="builtin")
    area = study_area(net, None)
    # by default zones are drawn around every building of the file (the network keeps them)
    areas = ZoneAreas(buildings=np.empty((0, 2))) if args.no_buildings else None
    print(f"network: {net.provenance.describe()}")
    head = (
        f"{'clients':>7} {'k':>3} {'method':<22}{'sec':>7}{'MB':>7}{'hours CV':>9}{'worst':>8}"
        f"{'mean min':>9}{'p90 min':>8}{'within':>8}  contiguous"
    )
    for n in args.sizes:
        df = cz.clients_on_buildings(args.pbf, n, seed=args.seed)
        clients = cz.read_clients(df, area=net)
        lonlat = np.column_stack([clients.geometry.x, clients.geometry.y])
        hours = clients["hours_per_week"].to_numpy(float)
        x, y = net.to_metric(lonlat[:, 0], lonlat[:, 1])
        xy = np.column_stack([x, y])
        for k in args.zones:
            print(f"\n{head}")
            results = {}

            def ours(k=k, clients=clients):
                options = ZoneOptions(seed=args.seed)
                plan = build_zones(clients, net, k, areas=areas, options=options)
                lab = plan.assignments.set_index("client_id")["zone_id"]
                zid = {z: i for i, z in enumerate(sorted(lab.unique()))}
                m = plan.kpis
                keys = (
                    "contiguous",
                    "gap_km2",
                    "overlap_km2",
                    "balanced",
                    "worst_deviation",
                    "mean_minutes_to_centre",
                    "moved_by_tiling",
                )
                extra = {k: m[k] for k in keys}
                ours = clients["client_id"].map(lab).map(zid).fillna(-1).to_numpy(int)
                return ours, extra

            def kmeans(k=k, xy=xy, hours=hours):
                from sklearn.cluster import KMeans

                return KMeans(k, n_init=4, random_state=args.seed).fit_predict(
                    xy, sample_weight=hours
                )

            def kmc(k=k, xy=xy):
                from k_means_constrained import KMeansConstrained

                size = len(xy) / k
                model = KMeansConstrained(
                    n_clusters=k,
                    size_min=int(np.floor(size * 0.95)),
                    size_max=int(np.ceil(size * 1.05)),
                    random_state=args.seed,
                )
                return model.fit_predict(xy)

            def spopt_rk(k=k, xy=xy, hours=hours, clients=clients):
                import warnings

                import geopandas as gpd
                from libpysal.weights import KNN
                from spopt.region import RegionKMeansHeuristic

                gdf = gpd.GeoDataFrame({"hours": hours}, geometry=clients.geometry.to_crs(net.crs))
                with warnings.catch_warnings():  # "not fully connected": reported as scored
                    warnings.simplefilter("ignore")
                    w = KNN.from_dataframe(gdf, k=6)
                w = w.symmetrize() if hasattr(w, "symmetrize") else w
                model = RegionKMeansHeuristic(xy, k, w)
                model.solve()
                return np.asarray(model.labels_, dtype=int)

            methods = [
                ("carezones", ours),
                ("sklearn KMeans", kmeans),
                ("k-means-constrained", kmc),
            ]
            if n <= args.spopt_max:
                methods.append(("spopt RegionKMeans", spopt_rk))
            for name, fn in methods:
                labels, extra, sec, peak, err = run_method(fn, args.timeout)
                if labels is None:
                    print(f"{n:>7} {k:>3} {name:<22}{sec:>7.1f}{peak:>7.0f}  failed: {err}")
                    continue
                s = score(net, lonlat, hours, labels, k, area)
                results[name] = s
                print(
                    f"{n:>7} {k:>3} {name:<22}{sec:>7.1f}{peak:>7.0f}{s['cv']:>9.3f}"
                    f"{s['worst']:>+8.1%}{s['mean_min']:>9.2f}{s['p90_min']:>8.2f}"
                    f"{s['within_min']:>8.2f}  {s['contiguous']}"
                )
                if extra:
                    print(
                        f"{'':>34}zone polygons: each one piece {extra['contiguous']}, "
                        f"gap {extra['gap_km2']:.6f} km², overlap {extra['overlap_km2']:.6f} km²"
                    )
                    print(
                        f"{'':>34}own centres (junctions): worst {extra['worst_deviation']:+.1%}"
                        f", mean {extra['mean_minutes_to_centre']:.2f} min from the centre; "
                        f"{extra['moved_by_tiling']} client(s) moved by the tiling"
                    )
            if "carezones" in results and "k-means-constrained" in results:
                r = results["carezones"]["mean_min"] / results["k-means-constrained"]["mean_min"]
                print(f"  carezones / k-means-constrained, hours-weighted mean minutes: {r:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
