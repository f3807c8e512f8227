"""Choosing a set of sites, side by side in one run: carezones, spopt, the k best single sites.

On Rutland (real roads, 5,000 synthetic clients on real homes with weekly hours) and on the
largest synthetic county (Dorset scale, 5,000 clients on its homes): 300 candidate sites (road
junctions drawn with a seed), ``k`` = 2, 4 and 8. One travel-time matrix (300 x 5,000, drive,
from the router's multi-source searches) feeds every method:

- carezones ``max_coverage`` and ``p_median`` (:mod:`carezones.sites.solver`, what
  ``choose_sites`` runs), each with its proof: optimal, or the gap to a proven bound;
- PySAL spopt 0.8 ``MCLP`` and ``PMedian`` ``from_cost_matrix`` on the same matrix, solved by
  its default solver (PuLP's CBC): seconds to build the model and to solve it, and whether CBC
  proved the optimum. Its p-median has one variable per client and site (1.5 million at
  5,000 x 300); building it alone takes minutes, so at that size it runs only with
  ``--full-pmedian`` (with CBC's ``--spopt-limit``), and the optima are compared on 1,000
  clients x 100 sites;
- the k sites that each reach the most demand alone (the best k single scores on demand).

``x``: how many times longer spopt takes to choose (building its model and solving it) than
carezones; ``x solve``: CBC's solve alone against carezones' whole choice.

Then end to end: ``carezones choose-sites`` from the OSM file (a fresh cache: the network is
built from the file) with the 5,000 clients and 300 sites as CSV files, k = 4.

    python benchmarks/portfolio.py [--ks 2 4 8] [--minutes 10 15] [--no-county]
        [--full-pmedian] [--spopt-limit 600] [--seed 0]
"""

from __future__ import annotations

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
    ap.add_argument("--n", type=int, default=5000, help="clients")
    ap.add_argument("--sites", type=int, default=300, help="candidate sites")
    ap.add_argument("--ks", type=int, nargs="+", default=[2, 4, 8])
    ap.add_argument("--minutes", type=float, nargs="+", default=[10.0, 15.0])
    ap.add_argument("--no-county", action="store_true", help="Rutland only")
    ap.add_argument(
        "--full-pmedian", action="store_true", help="also run spopt's p-median at full size (slow)"
    )
    ap.add_argument("--spopt-limit", type=float, default=600.0, help="CBC seconds a run")
    ap.add_argument("--seed", type=int, default=0)
    args = parse_or_skip(ap)
    if args is None:
        return 0
    os.environ["CAREZONES_CACHE"] = tempfile.mkdtemp(prefix="cz-bench-")
    import carezones as cz

    work = Path(tempfile.mkdtemp(prefix="cz-portfolio-"))
    areas = [("Rutland", Path(args.pbf))]
    if not args.no_county:
        t0 = time.perf_counter()
        county = cz.make_synthetic_county(work / "county", size="county", seed=args.seed)
        print(f"(synthetic county built in {time.perf_counter() - t0:.0f} s)")
        areas.append(("synthetic county (Dorset scale)", county.osm_path))
    ends = []
    for name, osm in areas:
        area = Area(name, osm, args, work)
        area.coverage()
        area.median()
        ends.append(area.end_to_end())
    print("\n== end to end: carezones choose-sites from the OSM file (fresh cache), k = 4")
    print(f"{'area':<34} {'seconds':>8}  result")
    for name, secs, line in ends:
        print(f"{name:<34} {secs:>8.1f}  {line}")
    return 0


class Area:
    """One area: its network, clients, candidate sites and travel-time matrix."""

    def __init__(self, name: str, osm: Path, args, work: Path) -> None:
        import pandas as pd

        import carezones as cz

        self.name, self.osm, self.args, self.work = name, osm, args, work
        t0 = time.perf_counter()
        self.net = cz.load_network(osm, "drive", engine="builtin")
        t_load = time.perf_counter() - t0
        clients = cz.clients_on_buildings(osm, args.n, seed=args.seed)
        rng = np.random.default_rng(args.seed + 1)
        idx = rng.choice(self.net.n_nodes, args.sites, replace=False)
        self.sites = np.column_stack([self.net.lon[idx], self.net.lat[idx]])
        self.clients = clients[["lon", "lat"]].to_numpy()
        self.w = clients["hours_per_week"].to_numpy(float)
        stem = name.split()[0].lower()
        self.clients_csv = work / f"{stem}-clients.csv"
        self.sites_csv = work / f"{stem}-sites.csv"
        clients.to_csv(self.clients_csv, index=False)
        pd.DataFrame(
            {
                "site_id": [f"S{i:03d}" for i in range(args.sites)],
                "lon": self.sites[:, 0],
                "lat": self.sites[:, 1],
            }
        ).to_csv(self.sites_csv, index=False)
        t0 = time.perf_counter()
        self.minutes = self.net.travel_times(self.sites, self.clients, engine="builtin")
        t_mat = time.perf_counter() - t0
        routed = np.isfinite(self.minutes).any(axis=0)
        print(
            f"\n== {name}: {self.net.n_nodes:,} nodes (loaded in {t_load:.1f} s); "
            f"{args.n:,} clients, {self.w.sum():,.0f} h/week ({(~routed).sum()} off the "
            f"road network); {args.sites} candidate sites"
        )
        print(
            f"travel-time matrix {args.sites} x {args.n:,}: {t_mat:.2f} s (one multi-source "
            "search per site)"
        )

    def coverage(self) -> None:
        from carezones.sites.solver import max_coverage

        for minutes in self.args.minutes:
            reach = self.minutes <= minutes
            alone = reach.astype(float) @ self.w
            print(
                f"\n-- maximal covering within {minutes:g} min: h/week covered "
                f"(of {self.w.sum():,.0f})"
            )
            print(
                f"{'k':>2} | {'carezones':>10} {'s':>6} {'proof':<9} | {'spopt MCLP':>10} "
                f"{'build s':>8} {'solve s':>8} {'CBC':<8} {'x':>5} {'x solve':>7} | "
                f"{'k best alone':>12} {'set gains':>10}"
            )
            for k in self.args.ks:
                sol = max_coverage(reach.T, self.w, k)
                ours = covered(reach, self.w, sol.chosen)
                theirs, t_build, t_solve, status = spopt_mclp(
                    self.minutes, self.w, minutes, k, self.args.spopt_limit
                )
                best = np.lexsort((np.arange(len(alone)), -alone))[:k]
                naive = covered(reach, self.w, best)
                proof = "optimal" if sol.optimal else f"gap {100 * sol.gap:.2f}%"
                same = "" if abs(theirs - ours) <= 1e-6 * ours else " (differs)"
                print(
                    f"{k:>2} | {ours:>10,.1f} {sol.seconds:>6.2f} {proof:<9} | "
                    f"{theirs:>10,.1f} {t_build:>8.1f} {t_solve:>8.1f} {status:<8} "
                    f"{(t_build + t_solve) / sol.seconds:>5.0f} {t_solve / sol.seconds:>7.1f} | "
                    f"{naive:>12,.1f} "
                    f"{100 * (ours - naive) / self.w.sum():>+9.1f}%{same}"
                )

    def median(self) -> None:
        from carezones.sites.solver import p_median

        d, w = priced(self.minutes, self.w)
        print("\n-- p-median: mean minutes to the nearest chosen site (h/week weighted)")
        print(
            f"{'k':>2} | {'carezones':>9} {'s':>6} {'proof':<9} | {'spopt PMedian':>13} "
            f"{'build s':>8} {'solve s':>8} {'CBC':<8} | {'k best alone':>12}"
        )
        alone = (self.minutes <= 15).astype(float) @ self.w
        for k in self.args.ks:
            sol = p_median(d, w, k)
            best = np.lexsort((np.arange(len(alone)), -alone))[:k]
            naive = float(w @ d[best].min(axis=0)) / w.sum()
            theirs = "not run"
            t_build = t_solve = float("nan")
            status = ""
            if self.args.full_pmedian:
                value, t_build, t_solve, status = spopt_pmedian(d, w, k, self.args.spopt_limit)
                theirs = f"{value / w.sum():.4f}"
            proof = "optimal" if sol.optimal else f"gap {100 * sol.gap:.3f}%"
            print(
                f"{k:>2} | {sol.value / w.sum():>9.4f} {sol.seconds:>6.2f} {proof:<9} | "
                f"{theirs:>13} {t_build:>8.1f} {t_solve:>8.1f} {status:<8} | "
                f"{naive:>12.4f}"
            )
        n, m = 1000, 100
        rng = np.random.default_rng(self.args.seed + 2)
        rows, cols = rng.choice(d.shape[1], n, replace=False), rng.choice(d.shape[0], m, False)
        small_d, small_w = d[np.ix_(cols, rows)], w[rows]
        print(f"\n-- p-median on {n:,} clients x {m} sites (where spopt finishes): mean minutes")
        print(
            f"{'k':>2} | {'carezones':>9} {'s':>6} {'proof':<9} | {'spopt PMedian':>13} "
            f"{'build s':>8} {'solve s':>8} {'CBC':<8} {'x':>5} {'x solve':>7}"
        )
        for k in self.args.ks:
            sol = p_median(small_d, small_w, k)
            value, t_build, t_solve, status = spopt_pmedian(
                small_d, small_w, k, self.args.spopt_limit
            )
            same = "" if abs(value - sol.value) <= 1e-6 * sol.value else " (differs)"
            proof = "optimal" if sol.optimal else f"gap {100 * sol.gap:.3f}%"
            print(
                f"{k:>2} | {sol.value / small_w.sum():>9.4f} {sol.seconds:>6.2f} {proof:<9} | "
                f"{value / small_w.sum():>13.4f} {t_build:>8.1f} {t_solve:>8.1f} {status:<8} "
                f"{(t_build + t_solve) / sol.seconds:>5.0f} {t_solve / sol.seconds:>7.1f}"
                f"{same}"
            )

    def end_to_end(self) -> tuple[str, float, str]:
        out = self.work / f"e2e-{self.name.split()[0].lower()}"
        env = dict(os.environ, CAREZONES_CACHE=tempfile.mkdtemp(prefix="cz-e2e-"))
        cmd = [
            sys.executable,
            "-m",
            "carezones",
            "choose-sites",
            "--osm",
            str(self.osm),
            "--sites",
            str(self.sites_csv),
            "--demand",
            str(self.clients_csv),
            "--k",
            "4",
            "--out",
            str(out),
            "--quiet",
        ]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if done.returncode != 0:
            return self.name, secs, f"failed: {done.stderr.strip()[-300:]}"
        import json

        m = json.loads((out / "summary.json").read_text())["metrics"]
        return (
            self.name,
            secs,
            (
                f"{', '.join(m['chosen'])}: {100 * m['covered_share']:.1f}% "
                f"within 15 min, optimal={m['optimal']}"
            ),
        )


def covered(reach: np.ndarray, w: np.ndarray, pick: np.ndarray) -> float:
    return float(w[reach[np.asarray(pick)].any(axis=0)].sum())


def priced(minutes: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clients some site reaches, pairs with no route at ten times the longest route."""
    live = np.isfinite(minutes).any(axis=0)
    d = minutes[:, live]
    return np.where(np.isfinite(d), d, 10 * d[np.isfinite(d)].max()), w[live]


def spopt_mclp(minutes, w, radius, k, limit) -> tuple[float, float, float, str]:
    import pulp
    from spopt.locate import MCLP

    cost = np.where(np.isfinite(minutes.T), minutes.T, 1e9)
    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, w, service_radius=radius, p_facilities=k)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    t_solve = time.perf_counter() - t0
    pick = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    return covered(minutes <= radius, w, pick), t_build, t_solve, _status(model)


def spopt_pmedian(d, w, k, limit) -> tuple[float, float, float, str]:
    import pulp
    from spopt.locate import PMedian

    t0 = time.perf_counter()
    model = PMedian.from_cost_matrix(d.T, w, p_facilities=k)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=limit))
    t_solve = time.perf_counter() - t0
    pick = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    value = float(w @ d[pick].min(axis=0)) if pick else float("nan")
    return value, t_build, t_solve, _status(model)


def _status(model) -> str:
    return {1: "optimal", 2: "limit"}.get(model.problem.sol_status, str(model.problem.sol_status))


if __name__ == "__main__":
    sys.exit(main())
