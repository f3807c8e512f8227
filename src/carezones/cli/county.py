"""``carezones county``: compare zone designs by the rounds they produce, for a whole county."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from carezones.cli._options import (
    SEED,
    Steps,
    add_command,
    common_options,
    input_file,
    map_options,
    number,
    point_options,
    profile_option,
    read_options,
    read_together,
    whole,
    workers_option,
)
from carezones.cli.county_sites import EPILOG as SITES_EPILOG
from carezones.cli.county_sites import add_site_options, check_site_options, choose, site_readers
from carezones.county import CountyInputs, CountyOptions
from carezones.county.brokerage import DECAY_MINUTES, MODELS
from carezones.errors import ArgumentError

NAMES = ["county"]

EPILOG = """examples:
  carezones county --osm county.osm.pbf --clients clients.csv --provider-column provider \\
      --zones 6 8 10 12 --out county-out
  carezones county --osm county.osm.pbf --clients clients.csv --current zones-2025.gpkg \\
      --zones 8 --rate-per-hour 12.21 --rate-per-mile 0.45 --workers 2 --out county-out
  carezones county ... --scheduler tcp://10.0.0.5:8786    (run the days on a Dask cluster)
  carezones county --osm county.osm.pbf --clients clients.csv --providers providers.csv \
      --brokerage nearest gravity random --zones 8 --viable-hours 700 2000 --out county-out
  carezones county ... --days 3    (three days drawn from the weekly hours: every number a range)

Without the real allocation, --providers (provider_id, lat, lon, optional capacity_hours a
week) makes "today" by a stated brokerage model: referrals in random order (--seed), each
offered to the providers in order of road time from their office and accepted with
probability exp(-minutes / --brokerage-decay), a full provider declining (gravity); or always
the nearest provider with capacity left (nearest); or any at random (random). Several models
give designs today-nearest, today-gravity, today-random. A real allocation (--provider-column
or --current) always wins over --providers. --viable-hours MIN MAX (a provider's viable weekly
hours in one zone: your own market's figure, there is no default) says per zone how many
providers it can carry.

Every design gets the same day's visits (from --visits, else from each client's weekly hours;
with --days N, the same N days, each number then the mean with its lowest and highest day)
and the same rule for sizing teams; carers live in residential buildings of the OSM file (or at
the homes in --carers). Zones are drawn around every building of the OSM file, as
'carezones zones' draws them. Results are identical whatever the number of workers.
"""


def _watched() -> bool:
    """Whether someone watches stderr (a terminal): then a progress bar, else a line a tenth."""
    return bool(getattr(sys.stderr, "isatty", lambda: False)())


def add_parser(sub: Any) -> None:
    """Add the ``county`` command to the command line's parser."""
    c = add_command(
        sub, "county", "compare zone designs by the rounds they produce", EPILOG + SITES_EPILOG
    )
    c.add_argument("--osm", type=Path, required=True, help="the OSM extract (.osm.pbf/.osm)")
    c.add_argument("--clients", type=input_file, required=True, help="clients with hours_per_week")
    c.add_argument("--visits", type=input_file, help="a real day's visits (client_id joins them)")
    c.add_argument("--carers", type=input_file, help="carers' homes (else OSM buildings)")
    today = c.add_mutually_exclusive_group()
    today.add_argument("--current", type=input_file, help="today's zones (polygons, zone_id)")
    today.add_argument("--provider-column", help="the clients' column naming today's provider")
    c.add_argument(
        "--providers",
        type=input_file,
        help="providers' offices (provider_id, lat/lon, optional capacity_hours a week): "
        "today made by a brokerage model when the real allocation is not known",
    )
    c.add_argument(
        "--brokerage",
        nargs="+",
        choices=list(MODELS),
        metavar="MODEL",
        help="how --providers take clients: gravity (default), nearest, random; several give "
        "one 'today' each (today-gravity, ...)",
    )
    c.add_argument(
        "--brokerage-decay",
        type=number(minimum=0, above=True),
        default=DECAY_MINUTES,
        metavar="MINUTES",
        help=f"gravity model: a provider accepts a client t minutes from its office with "
        f"probability exp(-t / MINUTES) ({DECAY_MINUTES:g})",
    )
    c.add_argument(
        "--viable-hours",
        type=number(minimum=0, above=True),
        nargs=2,
        metavar=("MIN", "MAX"),
        help="a provider's viable weekly hours in one zone (your market's figure, e.g. from "
        "a provider consultation): how many providers each zone can carry",
    )
    c.add_argument(
        "--zones",
        type=whole(1),
        nargs="*",
        default=[],
        metavar="K",
        help="numbers of zones to design and compare, e.g. 6 8 10 12",
    )
    c.add_argument(
        "--tolerance",
        type=number(minimum=0, maximum=1, above=True, below=True),
        default=0.05,
        help="zones' balance tolerance (0.05)",
    )
    c.add_argument(
        "--iterations", type=whole(1), default=1500, help="search iterations per zone's day (1500)"
    )
    c.add_argument(
        "--days",
        type=whole(1),
        default=1,
        metavar="N",
        help="days to plan, each a new draw of the calls from the weekly hours: every number "
        "then has its lowest and highest day (1; a --visits file is one day)",
    )
    c.add_argument("--seed", **SEED)
    where = c.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=workers_option,
        help="local Dask workers (default: one per core; 1 runs in this process; at most one "
        "per core and 1 GB of memory: use --scheduler for more)",
    )
    where.add_argument(
        "--scheduler",
        help="a Dask scheduler address to run the days on, e.g. tcp://10.0.0.5:8786 (tried "
        "first: one that does not answer within 10 s is refused)",
    )
    c.add_argument(
        "--rate-per-hour",
        type=number(minimum=0),
        help="pay per hour of carers' travel (with --rate-per-mile)",
    )
    c.add_argument("--rate-per-mile", type=number(minimum=0), help="mileage paid per mile")
    c.add_argument(
        "--co2-kg-per-km",
        type=number(minimum=0),
        help="emission factor of the carers' cars (kg CO2e/km)",
    )
    c.add_argument(
        "--rounds-maps",
        action="store_true",
        help="also map each zone's rounds (providers' own use: shows where visits "
        "are; slow for a county)",
    )
    c.add_argument("--out", type=Path, required=True, help="output folder")
    add_site_options(c)
    profile_option(c)
    point_options(c)
    common_options(c)
    map_options(c)


def run(args: argparse.Namespace) -> int:
    """Run ``carezones county``."""
    from carezones.county import ViableHours
    from carezones.report import check_output_folder

    if (args.rate_per_hour is None) != (args.rate_per_mile is None):
        raise ArgumentError("give both --rate-per-hour and --rate-per-mile, or neither")
    real = args.current is not None or args.provider_column is not None
    if not args.zones and not real and args.providers is None:
        raise ArgumentError(
            "nothing to compare: give --zones, --current, --provider-column or --providers"
        )
    if args.brokerage and args.providers is None:
        raise ArgumentError(
            "--brokerage says how the offices of --providers take clients: give --providers FILE"
        )
    if args.visits is not None and args.days > 1:
        raise ArgumentError(
            f"--days {args.days} with --visits: a visits file is one real day, planned once; "
            "leave out --days, or leave out --visits to draw each day's calls from the weekly "
            "hours"
        )
    check_site_options(args)
    viable = None if args.viable_hours is None else ViableHours(*args.viable_hours)
    brokered = args.providers is not None and not real
    if args.providers is not None and real and not args.quiet:
        print(
            f"note: {'--provider-column' if args.provider_column else '--current'} gives "
            f"today's real allocation, which always wins: {args.providers.name} is not used",
            file=sys.stderr,
        )
    check_output_folder(args.out)
    client = None
    if args.scheduler is not None:  # before any work: an address that does not answer says so
        from carezones.parallel import connect

        client = connect(args.scheduler)
    try:
        return _run(args, client, viable, brokered)
    finally:
        if client is not None:
            client.close()


def _run(args: argparse.Namespace, client: Any, viable: Any, brokered: bool) -> int:
    """Plan and compare the designs, the Dask ``client`` given (or a local cluster)."""
    import numpy as np

    from carezones.county import TravelRates, add_sites, compare_designs, judge_viability
    from carezones.county.plan import design_groups
    from carezones.io import read_areas, read_clients, read_points, read_providers
    from carezones.rounds import read_visits

    siting = args.sites is not None
    step = Steps(args, 4 + (3 if siting else 0))
    net = step.network()
    walk = step.network("walk", engine="builtin") if siting else None
    step("reading and validating the inputs")
    opts, others = read_options(args), read_options(args, ids=False)  # --id-column: clients'
    got = read_together(
        (site_readers(args, walk, net) if siting else {})
        | {
            "clients": lambda: read_clients(
                args.clients.path, area=net, sheet=args.clients.sheet, options=opts
            ),
            "visits": (lambda: None)
            if args.visits is None
            else (
                lambda: read_visits(
                    args.visits.path, area=net, sheet=args.visits.sheet, options=others
                )
            ),
            "carers": (lambda: None)
            if args.carers is None
            else (
                lambda: read_points(
                    args.carers.path, area=net, sheet=args.carers.sheet, options=others
                )
            ),
            "providers": (lambda: None)
            if not brokered
            else (
                lambda: read_providers(
                    args.providers.path, area=net, sheet=args.providers.sheet, options=others
                )
            ),
            "current": (lambda: None)
            if args.current is None
            else (
                lambda: read_areas(
                    args.current.path,
                    what="today's zones",
                    layer=args.current.sheet,
                    id_column="zone_id",
                )
            ),
        }
    )
    # carers live at their own homes (--carers) or in the OSM file's homes (read with the
    # roads); zones are drawn around every building of the file either way, never these
    homes: Any = None
    if got["carers"] is not None:
        homes = np.column_stack([got["carers"].geometry.x, got["carers"].geometry.y])
    elif net.buildings.home.any():
        homes = net.buildings.homes
    designs: dict[str, Any] = {}
    if got["current"] is not None:
        designs["today"] = got["current"]
    if args.provider_column:
        designs["today"] = replace(
            design_groups(args.provider_column, got["clients"], "today"),
            note=f"the clients' provider column {args.provider_column!r} (the real allocation)",
        )
    allocations = _brokered(args, got, net) if brokered else {}
    designs.update(allocations)  # written with the report, under brokerage/
    if args.sites_design is not None:  # before the long run: a name the run will not make
        names = [*designs, *(f"zones-{k}" for k in args.zones)]
        if args.sites_design not in names:
            raise ArgumentError(
                f"--sites-design {args.sites_design!r} is not a design of this run: give one "
                f"of {', '.join(names)}"
            )
    chosen = choose(args, got, net, walk, step) if siting else None
    rates = None
    if args.rate_per_hour is not None:
        rates = TravelRates(per_hour=args.rate_per_hour, per_mile=args.rate_per_mile)
    n_zones = sum(args.zones) + (0 if not designs else 1)
    step(
        f"designing {len(args.zones)} zone plan{'s' if len(args.zones) != 1 else ''} and "
        f"planning the day of each zone and provider (at least {n_zones} teams)"
    )
    started = time.perf_counter()
    shown = [-1]

    def progress(done: int, total: int) -> None:  # for logs: a line a tenth, never a bar
        tenth = 10 * done // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            print(
                f"  {done} of {total} zones' days planned ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )

    comparison = compare_designs(
        got["clients"],
        net,
        designs=designs,
        zone_counts=args.zones,
        progress=step.progress if args.quiet or _watched() else progress,  # a bar when watched
        inputs=CountyInputs(homes=homes, visits=got["visits"]),
        options=CountyOptions(
            tolerance=args.tolerance,
            rates=rates,
            seed=args.seed,
            iterations=args.iterations,
            workers=args.workers,
            client=client,
            co2_kg_per_km=args.co2_kg_per_km,
            rounds_maps=args.rounds_maps,
            days=args.days,
        ),
    )
    if viable is not None:
        comparison = judge_viability(comparison, got["clients"], viable)
    if chosen is not None:
        portfolio, scores = chosen
        comparison = add_sites(comparison, portfolio, scores=scores, design=args.sites_design)
    step("writing the report, the maps and the files")
    paths = comparison.to_files(args.out, offline=not args.cdn, rounds_maps=args.rounds_maps)
    told = [a.summary().replace("today:", f"{name}:", 1) for name, a in allocations.items()]
    step.report(
        "\n".join([*told, comparison.summary()])
        + f"\n(done in {time.perf_counter() - step.t0:.0f} s)",
        paths[:4],
    )
    return 0


def _brokered(args: argparse.Namespace, got: dict[str, Any], net: Any) -> dict[str, Any]:
    """Make today by each brokerage model asked for, on one matrix of office-to-client times."""
    from carezones.county import BrokerageOptions, allocate_providers, office_minutes

    models = list(dict.fromkeys(args.brokerage or ["gravity"]))
    clients, offices = got["clients"], got["providers"]
    minutes = office_minutes(clients, offices, net)
    out = {}
    for model in models:
        name = "today" if len(models) == 1 else f"today-{model}"
        opts = BrokerageOptions(model=model, decay_minutes=args.brokerage_decay, seed=args.seed)
        out[name] = allocate_providers(
            clients, offices, net, options=opts, minutes=minutes, source=args.providers.name
        )
    return out
