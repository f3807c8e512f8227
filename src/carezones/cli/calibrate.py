"""``carezones calibrate``: fit a travel profile on a visit log (electronic call monitoring)."""

from __future__ import annotations

import argparse
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
    read_options,
    read_together,
)

NAMES = ["calibrate"]

EPILOG = """examples:
  carezones calibrate --osm county.osm.pbf --log visits-log.csv --out calibrated
  carezones calibrate --osm county.osm.pbf --log ecm-export.xlsx#Visits \\
      --clients clients.csv --out calibrated               (places from the clients' homes)
  carezones zones --osm county.osm.pbf --clients clients.csv --zones 8 \\
      --travel-profile calibrated/travel-profile.toml --out zones-out

The log: one row per visit delivered: carer_id, date (YYYY-MM-DD), the place (lat/lon, or
client_id with --clients), arrived and left (HH:MM, HH:MM:SS or an ISO date-time). Consecutive
visits of one carer on one date give the legs. Each class of leg (urban, rural) gets a multiplier
on the model's drive time and an overhead in minutes, fitted by a model that knows gaps include
waits. A fifth of the dates is held out to measure the error before and after. The folder holds
travel-profile.toml (for --travel-profile), legs.csv (no places), holdout.csv, the chart
observed-vs-modelled.svg, summary.md/json and classes.html (which roads count as urban).
"""


def add_parser(sub: Any) -> None:
    """Add the ``calibrate`` command to the command line's parser."""
    c = add_command(sub, "calibrate", "fit a travel profile on a visit log", EPILOG)
    c.add_argument("--osm", type=Path, required=True, help="the drive network (.osm.pbf/.osm)")
    c.add_argument(
        "--log", type=input_file, required=True, help="the visit log (CSV/XLSX), one row a visit"
    )
    c.add_argument(
        "--clients",
        type=input_file,
        help="clients (client_id and location): the log's client_id gives each visit's place",
    )
    c.add_argument(
        "--urban-junctions-per-km2",
        type=number(minimum=0, above=True),
        default=100.0,
        help="a place is urban with at least this many road junctions per km2 within "
        "--radius-m (100: market towns in OSM data for England; the synthetic county needs 10)",
    )
    c.add_argument(
        "--radius-m",
        type=number(minimum=50, maximum=20000),
        default=1000.0,
        help="radius the junctions are counted in (1000)",
    )
    c.add_argument(
        "--holdout-share",
        type=number(minimum=0, maximum=0.5, below=True),
        default=0.2,
        help="share of the dates held out to measure the error (0.2)",
    )
    c.add_argument(
        "--max-gap-minutes",
        type=number(minimum=0, above=True),
        default=120.0,
        help="a longer gap between two visits is a break, not a journey (120)",
    )
    c.add_argument("--name", help="the profile's name (default: the log's file name)")
    c.add_argument(
        "--seed",
        **SEED,
    )
    c.add_argument("--out", type=Path, required=True, help="output folder")
    point_options(c, ids=False)
    common_options(c, engine=False)
    map_options(c)


def run(args: argparse.Namespace) -> int:
    """Run ``carezones calibrate``."""
    from carezones.calibration import CalibrationOptions, calibrate
    from carezones.io import read_clients, read_visit_log
    from carezones.network import DensityRule
    from carezones.report import check_output_folder

    check_output_folder(args.out)
    step = Steps(args, 4)
    net = step.network(engine="builtin")  # the engine zones, county plans and sites use
    step.profile = None  # the log is fitted against the model's own times
    step("reading and validating the visit log")
    opts = read_options(args, ids=False)
    clients = None
    if args.clients is not None:
        clients = read_together(
            {
                "clients": lambda: read_clients(
                    args.clients.path, area=net, sheet=args.clients.sheet, options=opts
                )
            }
        )["clients"]
    log = read_visit_log(
        args.log.path, clients=clients, area=net, sheet=args.log.sheet, options=opts
    )
    step(f"calibrating on {len(log):,} visits")
    options = CalibrationOptions(
        rule=DensityRule(args.radius_m, args.urban_junctions_per_km2),
        holdout_share=args.holdout_share,
        seed=args.seed,
        max_gap_minutes=args.max_gap_minutes,
        name=args.name or args.log.path.stem,
    )
    result = calibrate(log, net, options=options)
    step("writing the profile, the legs, the chart and the map")
    step.report(result.summary(), result.to_files(args.out, offline=not args.cdn))
    return 0
