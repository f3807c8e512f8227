"""Transport access by timetable on the Dorset-scale synthetic county, side by side in one run.

The synthetic county of size ``county`` (12 towns, 220 villages) and its GTFS feed, 10,000
candidate points near its walking network (seeded):

- reading: ``read_gtfs`` (gtfs-kit reads, carezones checks every table) against gtfs-kit's
  ``read_feed`` alone;
- departures per stop: ``stop_frequencies`` against gtfs-kit's ``compute_stop_stats`` and
  ``compute_stop_time_series`` (the reference) on the same feed and day, 07:00-19:00; they must
  agree exactly;
- the transport index: ``transport_access`` alone for the 10,000 points, and ``score_sites``
  with and without the feed (what the timetable adds to today's scoring; target at most 5 s).

    python benchmarks/gtfs.py [--n 10000] [--seed 0] [--size county]
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", default="county")
    args = ap.parse_args()

    import geopandas as gpd
    import gtfs_kit as gk

    from carezones import load_network, make_synthetic_county, score_sites
    from carezones.io import read_gtfs
    from carezones.sites import SiteInputs
    from carezones.sites.transport import stop_frequencies, transport_access

    work = tempfile.mkdtemp(prefix="carezones-gtfs-bench-")
    t = time.perf_counter()
    county = make_synthetic_county(work, size=args.size, seed=args.seed)
    print(f"synthetic county ({args.size}): {time.perf_counter() - t:.1f} s; {county.description}")
    walk = load_network(county.osm_path, "walk", engine="builtin", progress=False)
    rng = np.random.default_rng(args.seed)
    j = rng.choice(walk.junction_nodes, size=args.n, replace=True)
    lon = walk.lon[j] + rng.normal(0, 0.0005, args.n)
    lat = walk.lat[j] + rng.normal(0, 0.0003, args.n)
    sites = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")

    t = time.perf_counter()
    day = read_gtfs(county.gtfs_path, area=walk)
    ours_read = time.perf_counter() - t
    t = time.perf_counter()
    feed = gk.read_feed(county.gtfs_path, dist_units="km")
    ref_read = time.perf_counter() - t
    print(f"read: carezones read_gtfs {ours_read:.2f} s | gtfs-kit read_feed {ref_read:.2f} s")
    print(f"  {day.summary()}")

    key = day.date.strftime("%Y%m%d")
    t = time.perf_counter()
    ours = stop_frequencies(day).set_index("stop_id")
    ours_stats = time.perf_counter() - t
    t = time.perf_counter()
    feed.stop_times = feed.stop_times[feed.stop_times["pickup_type"].fillna(0) != 1]
    stats = gk.compute_stop_stats(feed, [key]).set_index("stop_id")
    with pd.option_context("future.infer_freq_returns_offset", False):
        series = gk.compute_stop_time_series(feed, [key], freq="h")
    ref_stats = time.perf_counter() - t
    hour = series["datetime"].dt.hour + 24 * (series["datetime"].dt.date > day.date)
    per_hour = series[(hour >= 7) & (hour < 19)].groupby("stop_id")["num_trips"].sum() / 12
    served = ours[ours["departures"] > 0]
    same = (
        sorted(served.index) == sorted(stats.index)
        and (served["departures_per_hour"] == per_hour.loc[served.index]).all()
        and (served["departures"] == stats.loc[served.index, "num_trips"]).all()
    )
    print(
        f"departures per stop: carezones {ours_stats * 1000:.0f} ms | gtfs-kit "
        f"{ref_stats * 1000:.0f} ms; {len(served)} stops, agree exactly: {same}"
    )

    t = time.perf_counter()
    access = transport_access(day, walk, sites)
    index = time.perf_counter() - t
    print(
        f"transport_access, {args.n:,} sites: {index:.2f} s; index median "
        f"{access['access_index'].median():.2f}, max {access['access_index'].max():.2f}; "
        f"{(access['access_index'] == 0).mean():.0%} with no service in reach"
    )
    inputs = SiteInputs(osm=county.osm_path, walk=walk)
    t = time.perf_counter()
    score_sites(sites, inputs, progress=False)
    without = time.perf_counter() - t
    t = time.perf_counter()
    score_sites(sites, SiteInputs(osm=county.osm_path, walk=walk, gtfs=day), progress=False)
    with_feed = time.perf_counter() - t
    print(
        f"score_sites, {args.n:,} sites: without a feed {without:.1f} s | with the feed "
        f"{with_feed:.1f} s (+{with_feed - without:.1f} s; target +5 s)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
