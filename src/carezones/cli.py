"""The ``carezones`` command line: parse arguments, call the library, write files.

Exit codes: 0 success, 2 bad input (the validation report is printed), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carezones.errors import CarezonesError, ValidationError

EPILOG_DEMO = """examples:
  carezones demo --out demo-output
  carezones demo --osm ../shared/data/rutland-2022-07-20.osm.pbf --clients 600 --out rutland-demo
"""
EPILOG_NETWORK = """examples:
  carezones network --osm ../shared/data/rutland-2022-07-20.osm.pbf --mode walk
"""
EPILOG_ZONES = """examples:
  carezones zones --osm county.osm.pbf --clients clients.csv --zones 8 --out zones-out
  carezones zones --osm county.osm.pbf --clients clients.csv --hours-per-zone 900 \\
      --tolerance 0.05 --boundary council.gpkg --previous zones-2025.gpkg --out zones-out
"""
EPILOG_ROUNDS = """examples:
  carezones rounds --osm county.osm.pbf --visits visits.csv --carers carers.csv --out day-out
  carezones rounds --osm county.osm.pbf --visits visits.csv --carers carers.csv \\
      --time-limit 60 --seed 1 --out day-out

visits.csv: visit_id, client_id, lat, lon, window_start, window_end (HH:MM, bounding the start),
  duration_minutes, carers_required (1 or 2), skills (;-separated), optional preferred_carers
carers.csv: carer_id, lat, lon, shift_start, shift_end, skills, break_minutes,
  break_window_start, break_window_end (a split shift is two rows with the same carer_id)
"""
EPILOG_SITES = """examples:
  carezones sites --osm county.osm.pbf --sites sites.csv --out sites-out
  carezones sites --osm county.osm.pbf --sites sites.gpkg --clients clients.csv \\
      --carers carers.csv --config weights.toml --surface --out sites-out

sites: points (CSV lat/lon, x/y or postcode) or polygons (GeoPackage/GeoJSON); a site_id
  column names them; every other column is kept.
clients: optional, with hours_per_week (demand); carers: optional homes (staff access).
config: TOML with [categories.NAME] weight/full_minutes/zero_minutes/tags, [staff], [demand],
  [rural]; see carezones.sites.SiteConfig.load.
"""
EPILOG_TIMES = """examples:
  carezones travel-times --osm county.osm.pbf --points clients.csv --out minutes.csv
  carezones travel-times --osm county.osm.pbf --points clients.csv --to offices.csv --out m.csv
"""


def _parser() -> argparse.ArgumentParser:
    from carezones import __version__

    p = argparse.ArgumentParser(
        prog="carezones",
        description="Plan adult social care on real road networks.",
    )
    p.add_argument("--version", action="version", version=f"carezones {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def maps(sp: argparse.ArgumentParser) -> None:
        sp.add_argument(
            "--cdn",
            action="store_true",
            help="link Leaflet from a CDN instead of embedding it in each map (smaller files; "
            "the maps then need internet to open)",
        )

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
        sp.add_argument(
            "--engine",
            choices=["auto", "builtin", "osrm"],
            default="auto",
            help="travel-time engine (default: OSRM when available for the file)",
        )

    def add(name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    d = add(
        "demo", "run the offline demo (synthetic county, or a real extract with --osm)", EPILOG_DEMO
    )
    d.add_argument("--out", type=Path, required=True, help="output folder")
    d.add_argument("--osm", type=Path, help="a real OSM extract (.osm.pbf/.osm)")
    d.add_argument("--clients", type=int, default=600, help="clients to place with --osm")
    d.add_argument("--size", default="small", choices=["tiny", "small", "medium", "large"])
    d.add_argument("--seed", type=int, default=0)
    common(d)
    maps(d)

    n = add("network", "load a road network and print what it holds", EPILOG_NETWORK)
    n.add_argument("--osm", type=Path, required=True, help=".osm.pbf, .osm or .graphml file")
    n.add_argument("--mode", choices=["drive", "walk"], default="drive")
    common(n)

    z = add("zones", "balanced, road-compact home-care zones tiling the area", EPILOG_ZONES)
    z.add_argument("--osm", type=Path, required=True, help="the drive network (.osm.pbf/.osm)")
    z.add_argument("--clients", type=Path, required=True, help="clients with hours_per_week")
    count = z.add_mutually_exclusive_group(required=True)
    count.add_argument("--zones", type=int, help="number of zones")
    count.add_argument("--hours-per-zone", type=float, help="target weekly hours per zone")
    z.add_argument("--tolerance", type=float, default=0.05, help="allowed deviation (0.05 = 5%%)")
    z.add_argument("--seed", type=int, default=0)
    z.add_argument("--boundary", type=Path, help="study area polygon (GeoPackage/GeoJSON)")
    z.add_argument("--localities", type=Path, help="polygons zones must not cross")
    z.add_argument("--previous", type=Path, help="previous zones (polygons with zone_id)")
    z.add_argument("--postcodes", type=Path, help="postcode lookup (ONSPD or Code-Point Open)")
    z.add_argument("--show-clients", action="store_true", help="draw individual client points")
    z.add_argument("--out", type=Path, required=True, help="output folder")
    common(z)
    maps(z)

    r = add("rounds", "carers' rounds for a day: who visits whom, when, by road", EPILOG_ROUNDS)
    r.add_argument("--osm", type=Path, required=True, help="the drive network (.osm.pbf/.osm)")
    r.add_argument("--visits", type=Path, required=True, help="the day's visits (CSV/XLSX)")
    r.add_argument("--carers", type=Path, required=True, help="the carers' shifts (CSV/XLSX)")
    r.add_argument("--time-limit", type=float, default=30.0, help="seconds of search (30)")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument(
        "--co2-kg-per-km", type=float, help="emission factor of the carers' cars (kg CO2e/km)"
    )
    r.add_argument(
        "--balance",
        type=float,
        default=0.0,
        help="workload balance weight: travel minutes per minute a carer works beyond a fair "
        "share (0: none; 1-3 spreads the work)",
    )
    r.add_argument("--out", type=Path, required=True, help="output folder")
    common(r)
    maps(r)

    s = add("sites", "score candidate extra-care / supported-living sites", EPILOG_SITES)
    s.add_argument("--osm", type=Path, required=True, help="the OSM extract (.osm.pbf/.osm)")
    s.add_argument("--sites", type=Path, required=True, help="candidate sites (CSV/XLSX/GPKG)")
    s.add_argument("--config", type=Path, help="TOML file: categories, weights, thresholds")
    s.add_argument("--clients", type=Path, help="clients with hours_per_week (demand)")
    s.add_argument("--carers", type=Path, help="carers' homes (staff access)")
    s.add_argument("--surface", action="store_true", help="also score the whole area")
    s.add_argument("--postcodes", type=Path, help="postcode lookup (ONSPD or Code-Point Open)")
    s.add_argument("--out", type=Path, required=True, help="output folder")
    s.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    maps(s)

    t = add(
        "travel-times",
        "travel-time matrix (minutes) between the points of one or two files",
        EPILOG_TIMES,
    )
    t.add_argument("--osm", type=Path, required=True)
    t.add_argument("--points", type=Path, required=True, help="origins (CSV/XLSX/GPKG/GeoJSON)")
    t.add_argument("--to", type=Path, help="destinations (default: the origins)")
    t.add_argument("--mode", choices=["drive", "walk"], default="drive")
    t.add_argument("--postcodes", type=Path, help="postcode lookup (ONSPD or Code-Point Open)")
    t.add_argument("--out", type=Path, required=True, help="CSV matrix to write")
    common(t)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
        for noisy in ("pyogrio", "fiona", "urllib3"):  # their INFO lines are not for our users
            logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        return _COMMANDS[args.command](args)
    except ValidationError as exc:
        print(f"carezones: bad input\n{exc}", file=sys.stderr)
        return 2
    except (CarezonesError, FileNotFoundError, ValueError) as exc:
        print(f"carezones: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # pragma: no cover - reported, not hidden
        print(f"carezones: internal error: {exc!r}", file=sys.stderr)
        return 1


class _Steps:
    """The steps every command shares: numbered progress lines, the network, the report."""

    def __init__(self, args: argparse.Namespace, total: int) -> None:
        self.args = args
        self.quiet = bool(args.quiet)
        self.total = total
        self.done = 0
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        """Announce the next step on stderr (nothing with ``--quiet``)."""
        self.done += 1
        if not self.quiet:
            print(f"[{self.done}/{self.total}] {msg} ...", file=sys.stderr, flush=True)

    def network(self, mode: str = "drive") -> Any:
        """Load the ``--osm`` network as a numbered step."""
        from carezones.network import load_network

        self(f"loading the {mode} network from {self.args.osm.name}")
        return load_network(self.args.osm, mode, engine=self.args.engine)  # type: ignore[arg-type]

    def report(self, summary: str, paths: Sequence[Path]) -> None:
        """Print the result's summary and every file written (what ``to_files`` returned)."""
        if not self.quiet:
            print(summary)
            print("wrote " + ", ".join(str(p) for p in paths))


def _demo(args: argparse.Namespace) -> int:
    from carezones.demo import run_demo

    step = _Steps(args, 8)
    summary = run_demo(
        args.out,
        osm=args.osm,
        n_clients=args.clients,
        size=args.size,
        seed=args.seed,
        engine=args.engine,
        step=step,
        offline=not args.cdn,
    )
    if not args.quiet:
        tm = summary["travel_minutes"]
        print(
            f"done in {time.perf_counter() - step.t0:.1f} s: {summary['clients']} clients, "
            f"median travel {tm['median']} min between clients. Open {args.out / 'index.html'}"
            f" (summary in {args.out / 'summary.md'})"
        )
    return 0


def _network(args: argparse.Namespace) -> int:
    net = _Steps(args, 1).network(args.mode)
    if not args.quiet:
        print(json.dumps(net.summary(), indent=2, ensure_ascii=False))
    return 0


def _travel_times(args: argparse.Namespace) -> int:
    from carezones.io import read_points, write_travel_times

    step = _Steps(args, 3)
    net = step.network(args.mode)
    step("reading and validating the points")
    orig = read_points(args.points, postcode_lookup=args.postcodes, area=net)
    dest = (
        orig if args.to is None else read_points(args.to, postcode_lookup=args.postcodes, area=net)
    )
    step(f"computing {len(orig)} x {len(dest)} travel times")
    minutes = net.travel_times(orig, dest, progress=not args.quiet)
    path = write_travel_times(minutes, _ids(orig), _ids(dest), args.out)
    step.report(f"{minutes.shape[0]} x {minutes.shape[1]} minutes", [path])
    return 0


def _zones(args: argparse.Namespace) -> int:
    import geopandas as gpd

    from carezones.io import read_clients
    from carezones.zones import build_zones

    step = _Steps(args, 4)
    net = step.network()
    step("reading and validating clients")
    clients = read_clients(args.clients, postcode_lookup=args.postcodes, area=net)
    step("designing zones")
    plan = build_zones(
        clients,
        net,
        args.zones,
        hours_per_zone=args.hours_per_zone,
        tolerance=args.tolerance,
        seed=args.seed,
        boundary=None if args.boundary is None else gpd.read_file(args.boundary),
        localities=None if args.localities is None else gpd.read_file(args.localities),
        previous=None if args.previous is None else gpd.read_file(args.previous),
    )
    step("writing files and the map")
    shown = clients if args.show_clients else None
    step.report(plan.summary(), plan.to_files(args.out, clients=shown, offline=not args.cdn))
    return 0


def _rounds(args: argparse.Namespace) -> int:
    from carezones.rounds import plan_rounds, read_carers, read_visits

    step = _Steps(args, 4)
    net = step.network()
    step("reading and validating visits and carers")
    visits = read_visits(args.visits, area=net)
    carers = read_carers(args.carers, area=net)
    step(f"planning the day (up to {args.time_limit:g} s of search)")
    rounds = plan_rounds(
        visits, carers, net, time_limit=args.time_limit, seed=args.seed,
        co2_kg_per_km=args.co2_kg_per_km, balance=args.balance,
    )  # fmt: skip
    problems = rounds.check()
    if problems:  # pragma: no cover - the planner only returns checked rounds
        raise RuntimeError(f"the rounds break a rule: {problems[0]}")
    step("writing files and the map")
    step.report(rounds.summary(), rounds.to_files(args.out, offline=not args.cdn))
    return 0


def _sites(args: argparse.Namespace) -> int:
    from carezones.io import read_clients, read_points
    from carezones.sites import score_sites

    step = _Steps(args, 3)
    step("reading and validating the inputs")
    sites = read_points(args.sites, postcode_lookup=args.postcodes, allow_polygons=True)
    clients = (
        None if args.clients is None else read_clients(args.clients, postcode_lookup=args.postcodes)
    )
    carers = (
        None if args.carers is None else read_points(args.carers, postcode_lookup=args.postcodes)
    )
    step(f"scoring {len(sites)} sites on {args.osm.name} (walking and drive networks)")
    res = score_sites(sites, osm=args.osm, clients=clients, carers=carers, config=args.config,
                      surface=args.surface)  # fmt: skip
    step("writing files and the map")
    step.report(res.summary(), res.to_files(args.out, offline=not args.cdn))
    return 0


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "network": _network,
    "travel-times": _travel_times,
    "zones": _zones,
    "rounds": _rounds,
    "sites": _sites,
}


def _ids(points: object) -> list[str]:
    import pandas as pd

    assert isinstance(points, pd.DataFrame)
    for col in ("client_id", "id", "site_id", "visit_id", "carer_id"):
        if col in points:
            return points[col].astype(str).tolist()
    return points["source_row"].astype(str).tolist() if "source_row" in points else []


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
