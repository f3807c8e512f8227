"""Travel-time matrices on the Rutland drive network, side by side in one run.

Compares, on the same 1,000 × 1,000 client-like points (placed on Rutland's residential
buildings): the built-in engine, the OSRM engine end to end, the raw OSRM table call alone, and
osmnx + networkx Dijkstra per source (on a subset of sources, scaled to 1,000). Prints times,
ratios, network load times (cold and warm cache) and the agreement between built-in and OSRM.

    python benchmarks/travel_times.py [--n 1000] [--nx-sources 20] [--pbf FILE]
"""

from __future__ import annotations

import sys
import tempfile
import time

import numpy as np


def main() -> int:
    from _common import parse_or_skip, rutland_parser

    ap = rutland_parser(__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--nx-sources", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = parse_or_skip(ap)
    if args is None:
        return 0

    import os

    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import networkx as nx
    import osmnx as ox
    from scipy.stats import spearmanr

    from carezones.network import load_network
    from carezones.synthetic import clients_on_buildings

    t = time.perf_counter()
    net = load_network(args.pbf, "drive", engine="auto")
    cold = time.perf_counter() - t
    t = time.perf_counter()
    net = load_network(args.pbf, "drive", engine="auto")
    warm = time.perf_counter() - t
    t = time.perf_counter()
    load_network(args.pbf, "drive", engine="builtin", cache=False)
    cold_builtin = time.perf_counter() - t
    print(f"network: {net.provenance.describe()}")
    print(
        f"load: cold {cold:.2f} s (incl. OSRM build), cold built-in only {cold_builtin:.2f} s, "
        f"warm (cached) {warm:.2f} s"
    )

    pts_df = clients_on_buildings(args.pbf, args.n, seed=args.seed)
    pts = pts_df[["lon", "lat"]].to_numpy()
    n = len(pts)

    def timed(fn, repeat=3):
        best, out = np.inf, None
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - t0)
        return best, out

    t_builtin, m_builtin = timed(lambda: net.travel_times(pts, engine="builtin"))
    t_osrm, m_osrm = timed(lambda: net.travel_times(pts, engine="osrm"))

    osrm_engine = net.osrm_engine()
    params = osrm_engine.parameters(pts)  # the very query the OSRM engine sends
    t_raw, _ = timed(lambda: osrm_engine.query(params))

    g = net.graph
    k = min(args.nx_sources, n)
    t0 = time.perf_counter()
    src_nodes = ox.distance.nearest_nodes(g, pts[:k, 0], pts[:k, 1])
    for s in src_nodes:
        nx.single_source_dijkstra_path_length(g, s, weight="travel_time")
    t_nx = (time.perf_counter() - t0) * n / k
    # the same on osmnx's simplified graph (fewer, longer edges): the fairest networkx figure
    gs = ox.simplify_graph(g)
    t0 = time.perf_counter()
    for s in ox.distance.nearest_nodes(gs, pts[:k, 0], pts[:k, 1]):
        nx.single_source_dijkstra_path_length(gs, s, weight="travel_time")
    t_nx_simple = (time.perf_counter() - t0) * n / k

    ok = np.isfinite(m_builtin) & np.isfinite(m_osrm) & (m_osrm > 1.0) & (m_builtin > 1.0)
    ratio = float(np.median(m_builtin[ok] / m_osrm[ok]))
    rho = float(spearmanr(m_builtin[ok], m_osrm[ok]).statistic)
    unreach = int((~np.isfinite(m_builtin)).sum())

    print(f"\n{n} × {n} travel-time matrix (best of 3; networkx: {k} sources scaled to {n})")
    print(f"{'method':<36}{'seconds':>10}{'vs built-in':>14}")
    rows = [
        ("carezones built-in engine", t_builtin),
        ("carezones OSRM engine (end to end)", t_osrm),
        ("raw OSRM table call", t_raw),
        ("osmnx + networkx per source", t_nx),
        ("  same, osmnx-simplified graph", t_nx_simple),
    ]
    for name, sec in rows:
        print(f"{name:<36}{sec:>10.3f}{sec / t_builtin:>13.1f}x")
    print(
        f"\nbuilt-in speed-up over osmnx+networkx: {t_nx / t_builtin:.1f}x on the same graph, "
        f"{t_nx_simple / t_builtin:.1f}x against its simplified version (target >= 30x)"
    )
    print(f"OSRM engine end to end / raw table call: {t_osrm / t_raw:.2f} (target <= 2)")
    print(
        f"built-in vs OSRM on {int(ok.sum()):,} pairs over 1 min: median ratio {ratio:.3f} "
        f"(target 0.8-1.25), Spearman {rho:.3f} (target >= 0.95); unreachable pairs {unreach}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
