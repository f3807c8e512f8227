"""The commands: one function each, that parses nothing, calls the library and reports.

Each checks that its output can be written before any work, reads all its inputs together
(every file's problems in one report), calls the library and prints the files written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carezones.cli._options import (
    SEED,
    InputFile,
    Steps,
    add_command,
    common_options,
    day_option,
    input_file,
    late_option,
    map_options,
    number,
    point_options,
    profile_option,
    read_options,
    read_together,
    time_option,
    timetable_options,
    whole,
    workers_option,
)
from carezones.io import ReadOptions
from carezones.rounds.options import RoundsOptions, WeekOptions
from carezones.synthetic import SIZES

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
  carezones zones --osm county.osm.pbf --clients clients.csv --zones 6 \\
      --units lsoa.gpkg --unit-id LSOA21CD --out zones-out     (zones of whole LSOAs: units.csv)
"""
EPILOG_ROUNDS = """examples:
  carezones rounds --osm county.osm.pbf --visits visits.csv --carers carers.csv --out day-out
  carezones rounds --osm county.osm.pbf --visits visits.csv --carers carers.csv \\
      --time-limit 60 --seed 1 --out day-out
  carezones rounds --osm county.osm.pbf --visits week-visits.csv --carers week-carers.csv \\
      --out week-out                                   (files with a day column: a week)
  carezones rounds --osm county.osm.pbf --visits visits.csv --carers carers.csv \\
      --replan day-out --unavailable K007 --now 06:30 --out day-replanned

visits.csv: visit_id, client_id, lat, lon, window_start, window_end (HH:MM, bounding the start),
  duration_minutes, carers_required (1 or 2), skills (;-separated), optional preferred_carers,
  optional max_late_minutes (how late it may start; blank: --max-late-minutes),
  optional day (a date such as 2026-12-07 or a weekday such as Mon: the file is then a week)
carers.csv: carer_id, lat, lon, shift_start, shift_end, skills, break_minutes,
  break_window_start, break_window_end (a split shift is two rows with the same carer_id),
  optional day (the days each carer works; without it every shift works every day)
"""
EPILOG_SITES = """examples:
  carezones sites --osm county.osm.pbf --sites sites.csv --out sites-out
  carezones sites --osm county.osm.pbf --sites sites.gpkg --clients clients.csv \\
      --carers carers.csv --config weights.toml --surface --out sites-out
  carezones sites --osm county.osm.pbf --sites sites.csv --gtfs buses.zip \\
      --date 2025-01-07 --out sites-out      (transport by timetable: PTAL's access index)

sites: points (CSV lat/lon, x/y or postcode) or polygons (GeoPackage/GeoJSON); a site_id
  column names them; every other column is kept.
clients: optional, with hours_per_week (demand); carers: optional homes (staff access).
config: TOML with [categories.NAME] weight/full_minutes/zero_minutes/tags, [staff], [demand],
  [rural], [timetable]; see carezones.sites.SiteConfig.load.
gtfs: a GTFS feed (zip or folder, e.g. from the Bus Open Data Service): the transport
  category is then scored by PTAL's access index (departures per hour within the bus-stop
  walk, 07:00-19:00, and the 07:00-10:00 peak) on --date, else a representative weekday.
"""
EPILOG_TIMES = """examples:
  carezones travel-times --osm county.osm.pbf --points clients.csv --out minutes.csv
  carezones travel-times --osm county.osm.pbf --points clients.csv --to offices.csv --out m.csv
  carezones travel-times --osm county.osm.pbf --points clients.csv \\
      --travel-profile calibrated/travel-profile.toml --out minutes.csv   (calibrated times)
"""


def parser() -> argparse.ArgumentParser:
    """Return the ``carezones`` argument parser (every command and option)."""
    from carezones import __version__

    p = argparse.ArgumentParser(
        prog="carezones",
        description="Plan adult social care on real road networks.",
        epilog="Input files may name a sheet (Excel) or layer (GeoPackage): FILE#NAME.",
    )
    p.add_argument("--version", action="version", version=f"carezones {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def add(name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
        return add_command(sub, name, help_text, epilog)

    maps, common, points = map_options, common_options, point_options
    seed = SEED
    d = add(
        "demo", "run the offline demo (synthetic county, or a real extract with --osm)", EPILOG_DEMO
    )
    d.add_argument("--out", type=Path, required=True, help="output folder")
    d.add_argument("--osm", type=Path, help="a real OSM extract (.osm.pbf/.osm)")
    d.add_argument("--clients", type=whole(1), default=600, help="clients to place with --osm")
    d.add_argument(
        "--size",
        default="small",
        choices=list(SIZES),
        help="the synthetic county's size: tiny (one town) to large (ten towns), or county "
        "(Dorset's scale: 1,210 clients, 13,800 hours a week); default small",
    )
    d.add_argument("--seed", **seed)
    common(d)
    maps(d)

    n = add("network", "load a road network and print what it holds", EPILOG_NETWORK)
    n.add_argument("--osm", type=Path, required=True, help=".osm.pbf, .osm or .graphml file")
    n.add_argument("--mode", choices=["drive", "walk"], default="drive")
    profile_option(n)
    common(n)

    z = add("zones", "balanced, road-compact home-care zones tiling the area", EPILOG_ZONES)
    z.add_argument("--osm", type=Path, required=True, help="the drive network (.osm.pbf/.osm)")
    z.add_argument("--clients", type=input_file, required=True, help="clients with hours_per_week")
    count = z.add_mutually_exclusive_group(required=True)
    count.add_argument("--zones", type=whole(1), help="number of zones")
    count.add_argument(
        "--hours-per-zone", type=number(minimum=0, above=True), help="target weekly hours per zone"
    )
    z.add_argument(
        "--tolerance",
        type=number(minimum=0, maximum=1, above=True, below=True),
        default=0.05,
        help="allowed deviation from the mean (0.05 = 5%%)",
    )
    z.add_argument("--seed", **seed)
    z.add_argument("--boundary", type=input_file, help="study area polygon (GeoPackage/GeoJSON)")
    z.add_argument("--localities", type=input_file, help="polygons zones must not cross")
    z.add_argument("--previous", type=input_file, help="previous zones (polygons with zone_id)")
    z.add_argument(
        "--units",
        type=input_file,
        help="areal units (postcode sectors, wards, LSOAs...): each zone is a union of whole units",
    )
    z.add_argument(
        "--unit-id",
        help="the units' column naming each unit (default: guessed, "
        "e.g. unit_id, code or LSOA21CD)",
    )
    z.add_argument(
        "--show-clients",
        action="store_true",
        help="draw where clients are on the map as hexagons of 5 or more clients, each with its "
        "clients and weekly hours (smaller hexagons are not drawn); the map can still be shared",
    )
    z.add_argument(
        "--show-client-points",
        action="store_true",
        help="also draw each client's exact location, id and hours on the map, and publish the "
        "figures of zones of fewer than 5 clients: the map and summary are then marked 'for "
        "your own use - contains clients' locations' and must not be shared",
    )
    z.add_argument("--out", type=Path, required=True, help="output folder")
    profile_option(z)
    points(z)
    common(z)
    maps(z)

    r = add("rounds", "carers' rounds for a day: who visits whom, when, by road", EPILOG_ROUNDS)
    r.add_argument("--osm", type=Path, required=True, help="the drive network (.osm.pbf/.osm)")
    r.add_argument("--visits", type=input_file, required=True, help="the day's visits (CSV/XLSX)")
    r.add_argument("--carers", type=input_file, required=True, help="the carers' shifts (CSV/XLSX)")
    r.add_argument(
        "--time-limit",
        type=number(minimum=0, maximum=86400, above=True),
        help=f"seconds of search (30 a day, {WeekOptions.time_limit:g} a week)",
    )
    r.add_argument(
        "--iterations",
        type=whole(1),
        help="search iterations instead of a time limit (of each day's search in a week): "
        "the same plan on every machine",
    )
    r.add_argument("--seed", **seed)
    r.add_argument(
        "--co2-kg-per-km",
        type=number(minimum=0),
        help="emission factor of the carers' cars (kg CO2e/km)",
    )
    r.add_argument(
        "--balance",
        type=number(minimum=0),
        default=0.0,
        help="workload balance weight: travel minutes per minute a carer works beyond a fair "
        "share (0: none; 1-3 spreads the work)",
    )
    r.add_argument(
        "--max-late-minutes",
        type=late_option,
        default=0.0,
        help="minutes a visit may start after its window closes, unless its max_late_minutes "
        "says (0: hard windows; inf: no limit)",
    )
    r.add_argument(
        "--late-cost",
        type=number(minimum=0),
        default=0.0,
        help="travel minutes the plan would rather add than start a visit 1 minute late",
    )
    r.add_argument(
        "--worst-late-cost",
        type=number(minimum=0),
        default=0.0,
        help="travel minutes per minute of the day's worst lateness",
    )
    r.add_argument(
        "--day", type=day_option, help="plan only this day of a week file (a date or a weekday)"
    )
    r.add_argument(
        "--continuity-minutes",
        type=number(minimum=0),
        default=WeekOptions.continuity_minutes,
        help="a week: travel minutes the plan would rather add than send a client a "
        f"carer they do not know ({WeekOptions.continuity_minutes:g}; 0: travel alone)",
    )
    r.add_argument(
        "--workers",
        type=workers_option,
        help="a week: how many of each day's searches (one seed each, the best kept) run at "
        "once as Dask tasks (default: one per search, at most one per core; never more than "
        "the cores, nor 1 GB of memory each); the week is the same for any number",
    )
    r.add_argument(
        "--replan",
        type=Path,
        metavar="DIR",
        help="re-plan the day written in DIR (its itineraries.csv): visits started "
        "before --now stay, the rest changes as little as possible",
    )
    r.add_argument(
        "--unavailable",
        nargs="+",
        default=[],
        metavar="CARER",
        help="carers who cannot work (off sick): their visits go to others",
    )
    r.add_argument(
        "--now", type=time_option, help="the time of the re-plan, HH:MM: nothing starts before it"
    )
    r.add_argument("--out", type=Path, required=True, help="output folder")
    profile_option(r)
    points(r, ids=False)
    common(r)
    maps(r)

    s = add("sites", "score candidate extra-care / supported-living sites", EPILOG_SITES)
    s.add_argument("--osm", type=Path, required=True, help="the OSM extract (.osm.pbf/.osm)")
    s.add_argument(
        "--sites", type=input_file, required=True, help="candidate sites (CSV/XLSX/GPKG)"
    )
    s.add_argument("--config", type=Path, help="TOML file: categories, weights, thresholds")
    s.add_argument("--clients", type=input_file, help="clients with hours_per_week (demand)")
    s.add_argument("--carers", type=input_file, help="carers' homes (staff access)")
    s.add_argument("--surface", action="store_true", help="also score the whole area")
    timetable_options(s)
    s.add_argument("--out", type=Path, required=True, help="output folder")
    profile_option(s)
    points(s)
    common(s, engine=False)
    maps(s)

    t = add(
        "travel-times",
        "travel-time matrix (minutes) between the points of one or two files",
        EPILOG_TIMES,
    )
    t.add_argument("--osm", type=Path, required=True)
    t.add_argument(
        "--points", type=input_file, required=True, help="origins (CSV/XLSX/GPKG/GeoJSON)"
    )
    t.add_argument("--to", type=input_file, help="destinations (default: the origins)")
    t.add_argument("--mode", choices=["drive", "walk"], default="drive")
    t.add_argument("--out", type=Path, required=True, help="CSV matrix to write")
    profile_option(t)
    t.set_defaults(out_is_a_file=True)  # a folder given is refused as one
    points(t)
    common(t)
    for module in _plugins():
        module.add_parser(sub)
    return p


def _plugins() -> list[Any]:
    """Return the command modules that live on their own (each ``add_parser`` and ``run``)."""
    import importlib

    return [importlib.import_module(f"carezones.cli.{name}") for name in PLUGINS]


PLUGINS: list[str] = ["county", "portfolio", "calibrate"]  # modules: add_parser, run


def _demo(args: argparse.Namespace) -> int:
    from carezones.demo import run_demo
    from carezones.report import check_output_folder

    check_output_folder(args.out)
    step = Steps(args, 9)
    summary = run_demo(
        args.out,
        osm=args.osm,
        n_clients=args.clients,
        size=args.size,
        seed=args.seed,
        engine=args.engine,
        step=None if args.quiet else step,
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
    net = Steps(args, 1).network(args.mode)  # its kpis name the travel profile
    if not args.quiet:
        print(json.dumps(net.kpis, indent=2, ensure_ascii=False))
    return 0


def _points(f: InputFile, net: Any, opts: ReadOptions) -> Callable[[], Any]:
    """Return a reader of one points file (with its sheet), for :func:`read_together`."""
    from carezones.io import read_points

    return lambda: read_points(f.path, area=net, sheet=f.sheet, options=opts)


def _travel_times(args: argparse.Namespace) -> int:
    from carezones.report import check_output_file
    from carezones.report.network import write_travel_times

    check_output_file(args.out)
    step = Steps(args, 3)
    net = step.network(args.mode)
    step("reading and validating the points")
    opts = read_options(args)
    readers = {"orig": _named_points(args.points, net, opts)}
    if args.to is not None:
        readers["dest"] = _named_points(args.to, net, opts)
    got = read_together(readers)
    orig, dest = got["orig"], got.get("dest")
    step(f"computing {len(orig)} x {len(orig if dest is None else dest)} travel times")
    minutes = net.travel_times(orig, dest, progress=not args.quiet)  # snapped once; profiled
    names = _ids(orig, opts.id_column)
    to = names if dest is None else _ids(dest, opts.id_column)
    path = write_travel_times(minutes, names, to, args.out)
    step.report(f"{minutes.shape[0]} x {minutes.shape[1]} minutes", [path])
    return 0


def _named_points(f: InputFile, net: Any, opts: ReadOptions) -> Callable[[], Any]:
    """Return a reader of points that label a matrix: each row's id must be its own.

    The id column is ``--id-column`` (checked by the reader), else the first of
    :data:`ID_COLUMNS` the file has; a repeated id is refused like any repeated id, naming the
    rows (two rows with one label make a matrix nobody can read).
    """
    from dataclasses import replace

    from carezones.io import read_points

    def read() -> Any:
        got = read_points(f.path, area=net, sheet=f.sheet, options=opts)
        column = _id_column(got, opts.id_column)
        labels = got[column].astype(str) if column is not None else None
        if labels is not None and opts.id_column is None and labels.duplicated().any():
            read_points(f.path, area=net, sheet=f.sheet, options=replace(opts, id_column=column))
        return got

    return read


def _areas(f: InputFile | None, what: str, **kwargs: Any) -> Callable[[], Any]:
    """Return a reader of an optional polygons file (``None`` when the option is not given)."""
    from carezones.io import read_areas

    if f is None:
        return lambda: None
    return lambda: read_areas(f.path, what=what, layer=f.sheet, **kwargs)


def _zones(args: argparse.Namespace) -> int:
    from carezones.io import read_clients
    from carezones.report import check_output_folder
    from carezones.report.maps import OWN_USE
    from carezones.zones import ZoneAreas, ZoneOptions, build_zones

    check_output_folder(args.out)
    step = Steps(args, 4)
    net = step.network()
    step("reading and validating clients and areas")
    opts = read_options(args)
    got = read_together(
        {
            "clients": lambda: read_clients(
                args.clients.path, area=net, sheet=args.clients.sheet, options=opts
            ),
            "boundary": _areas(args.boundary, "boundary"),
            "localities": _areas(args.localities, "localities"),
            "previous": _areas(args.previous, "previous zones", id_column="zone_id"),
            "units": _areas(args.units, "units", id_column=args.unit_id),
        }
    )
    clients = got["clients"]
    areas = ZoneAreas(
        boundary=got["boundary"],
        localities=got["localities"],
        units=got["units"],
        unit_id=args.unit_id,
    )  # drawn around every building of the OSM file (the network keeps them)
    points = args.show_client_points  # the council's own plan: small zones' figures shown too
    options = ZoneOptions(tolerance=args.tolerance, seed=args.seed, show_clients=points)
    step("designing zones")
    plan = build_zones(
        clients,
        net,
        args.zones,
        hours_per_zone=args.hours_per_zone,
        previous=got["previous"],
        areas=areas,
        options=options,
        progress=step.progress,
    )
    step("writing files and the map")
    shown = clients if args.show_clients or points else None
    files = plan.to_files(args.out, clients=shown, offline=not args.cdn, show_client_points=points)
    summary = plan.summary()
    if points:
        summary = f"{OWN_USE}: zones.html draws each client's location.\n{summary}"
    step.report(summary, files)
    return 0


def _rounds(args: argparse.Namespace) -> int:
    from carezones.errors import ArgumentError
    from carezones.io import read_itineraries
    from carezones.report import check_output_folder
    from carezones.rounds import plan_rounds, plan_week, read_carers, read_visits, replan_rounds

    check_output_folder(args.out)
    earlier = None
    if args.replan is not None:
        earlier = args.replan / "itineraries.csv" if args.replan.is_dir() else args.replan
        if not earlier.is_file():
            raise ArgumentError(
                f"--replan {args.replan}: no itineraries.csv there; give the "
                "folder an earlier 'carezones rounds' wrote"
            )
    step = Steps(args, 4)
    net = step.network()
    step("reading and validating visits and carers")
    reading = read_options(args, ids=False)
    got = read_together(
        {
            "visits": lambda: read_visits(
                args.visits.path, area=net, sheet=args.visits.sheet, options=reading
            ),
            "carers": lambda: read_carers(
                args.carers.path, area=net, sheet=args.carers.sheet, options=reading
            ),
            "earlier": (lambda: None) if earlier is None else (lambda: read_itineraries(earlier)),
        }
    )
    visits = got["visits"]
    days = sorted(set(visits["day"])) if "day" in visits else []
    if args.day is not None:
        from carezones.io.days import same_day

        match = [d for d in days if same_day(args.day, d)]  # a weekday names its date too
        if len(match) != 1:
            raise ArgumentError(
                f"--day {args.day}: the visits are on {
                    ', '.join(days) or 'no named day'
                }; give one of them"
            )
        visits = visits[visits["day"] == match[0]].reset_index(drop=True)
    elif len(days) > 1:
        if earlier is not None or args.now is not None or args.unavailable:
            raise ArgumentError("a re-plan is for one day: give --day with a week's files")
        week_opts = WeekOptions(
            time_limit=args.time_limit or WeekOptions.time_limit,
            iterations=args.iterations,
            seed=args.seed,
            continuity_minutes=args.continuity_minutes,
            co2_kg_per_km=args.co2_kg_per_km,
            balance=args.balance,
            workers=args.workers,
            max_late_minutes=args.max_late_minutes,
            late_cost=args.late_cost,
            worst_late_cost=args.worst_late_cost,
        )
        step(f"planning {len(days)} days (up to {week_opts.time_limit:g} s of search)")
        week = plan_week(visits, got["carers"], net, options=week_opts)
        if week.check():  # pragma: no cover - the planner only returns checked rounds
            raise RuntimeError(f"the rounds break a rule: {week.check()[0]}")
        step("writing files, maps, the timeline and run sheets")
        step.report(week.summary(), week.to_files(args.out, offline=not args.cdn))
        return 0
    what = "re-planning the day" if earlier is not None or args.unavailable else "planning the day"
    opts = RoundsOptions(
        time_limit=args.time_limit or RoundsOptions.time_limit,
        iterations=args.iterations,
        seed=args.seed,
        co2_kg_per_km=args.co2_kg_per_km,
        balance=args.balance,
        max_late_minutes=args.max_late_minutes,
        late_cost=args.late_cost,
        worst_late_cost=args.worst_late_cost,
    )
    step(f"{what} (up to {opts.time_limit:g} s of search)")
    if got["earlier"] is not None or args.unavailable or args.now is not None:
        rounds = replan_rounds(
            got["earlier"],
            visits,
            got["carers"],
            net,
            unavailable=args.unavailable or (),
            now=args.now,
            options=opts,
        )
    else:
        rounds = plan_rounds(visits, got["carers"], net, options=opts)
    problems = rounds.check()
    if problems:  # pragma: no cover - the planner only returns checked rounds
        raise RuntimeError(f"the rounds break a rule: {problems[0]}")
    step("writing files, the map, the timeline and run sheets")
    step.report(rounds.summary(), rounds.to_files(args.out, offline=not args.cdn))
    return 0


def _sites(args: argparse.Namespace) -> int:
    from carezones.io import read_clients, read_gtfs
    from carezones.report import check_output_folder
    from carezones.sites import ScoreOptions, SiteConfig, SiteInputs, score_sites

    check_output_folder(args.out)
    step = Steps(args, 4)
    walk = step.network("walk", engine="builtin")
    drive = None  # loaded when needed, unless a travel profile is given: walking is the model's
    if args.travel_profile is not None:
        drive = step.network("drive", engine="builtin")
    step("reading and validating the inputs")
    other = read_options(args, ids=False)
    got = read_together(
        {
            "config": lambda: SiteConfig.load(args.config),
            "sites": _points(args.sites, walk, read_options(args, polygons=True)),
            "clients": (lambda: None)
            if args.clients is None
            else (
                lambda: read_clients(
                    args.clients.path, area=walk, sheet=args.clients.sheet, options=other
                )
            ),
            "carers": (lambda: None) if args.carers is None else _points(args.carers, walk, other),
            "gtfs": (lambda: None)
            if args.gtfs is None
            else (
                lambda: read_gtfs(
                    args.gtfs, date=args.date, area=walk, max_outside_km=args.max_outside_km
                )
            ),
        }
    )
    sites = got["sites"]
    if got["gtfs"] is not None and not step.quiet:
        print(got["gtfs"].summary(), file=sys.stderr)
    step(f"scoring {len(sites)} sites on {args.osm.name} (walking and drive networks)")
    res = score_sites(
        sites,
        SiteInputs(osm=args.osm, walk=walk, drive=drive, gtfs=got["gtfs"]),
        clients=got["clients"],
        carers=got["carers"],
        config=got["config"],
        options=ScoreOptions(surface=args.surface, time_band=args.time_band),
        progress=step.progress,
    )
    step("writing files and the map")
    step.report(res.summary(), res.to_files(args.out, offline=not args.cdn))
    return 0


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """Return the function that runs a command (built in, or from its own module)."""
    if name in COMMANDS:
        return COMMANDS[name]
    for module in _plugins():
        if name in module.NAMES:
            return module.run
    raise KeyError(name)  # pragma: no cover - argparse knows the commands


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "demo": _demo,
    "network": _network,
    "travel-times": _travel_times,
    "zones": _zones,
    "rounds": _rounds,
    "sites": _sites,
}


ID_COLUMNS = ("client_id", "id", "site_id", "visit_id", "carer_id")
"""The columns that label a travel-time matrix's rows, in order (else the row numbers)."""


def _id_column(points: Any, given: str | None) -> str | None:
    """Return the column naming each point: ``--id-column``, else the first of ID_COLUMNS."""
    return next((c for c in (given, *ID_COLUMNS) if c is not None and c in points), None)


def _ids(points: object, given: str | None = None) -> list[str]:
    import pandas as pd

    assert isinstance(points, pd.DataFrame)
    column = _id_column(points, given)
    if column is not None:
        return points[column].astype(str).tolist()
    return points["source_row"].astype(str).tolist() if "source_row" in points else []
