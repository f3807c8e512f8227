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
  carezones calibrate --osm county.osm.pbf --log visits-log.csv --units lsoa-2021.gpkg \\
      --units-lookup RUC21_LSOA.csv --out calibrated       (urban and rural by the ONS class)
  carezones zones --osm county.osm.pbf --clients clients.csv --zones 8 \\
      --travel-profile calibrated/travel-profile.toml --out zones-out

The log: one row per visit delivered: carer_id, date (YYYY-MM-DD), the place (lat/lon, or
client_id with --clients), arrived and left (HH:MM, HH:MM:SS or an ISO date-time). Consecutive
visits of one carer on one date give the legs. Each class of leg (urban, rural) gets a multiplier
on the model's drive time and an overhead in minutes, fitted by a model that knows gaps include
waits. Legs are urban when both ends are: in an urban unit of the ONS rural-urban
classification with --units, otherwise by road density. A fifth of the dates is held out to
measure the error before and after. The folder holds
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
        "--units",
        type=input_file,
        help="areal units (OAs/LSOAs; GeoPackage/GeoJSON/shapefile) with the ONS rural-urban "
        "classification: legs are classed urban or rural by it instead of by road density",
    )
    c.add_argument(
        "--units-lookup",
        type=input_file,
        help="the ONS rural-urban lookup table (CSV/XLSX: LSOA21CD, RUC21CD, ...) when the "
        "--units polygons do not carry the class",
    )
    c.add_argument(
        "--units-column",
        help="the column holding the class (default: the first of Urban_rural_flag, RUC21CD, "
        "RUC11CD, RUC21NM, RUC11NM, RUC11)",
    )
    c.add_argument(
        "--urban-junctions-per-km2",
        type=number(minimum=0, above=True),
        default=100.0,
        help="without --units: a place is urban with at least this many road junctions per "
        "km2 within --radius-m (100: market towns in OSM data for England; the synthetic "
        "county needs 10)",
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
    from carezones.errors import ArgumentError
    from carezones.io import read_clients, read_rural_urban, read_visit_log
    from carezones.network import AreaRule, DensityRule, UrbanRule
    from carezones.report import check_output_folder

    check_output_folder(args.out)
    step = Steps(args, 4)
    net = step.network(engine="builtin")  # the engine zones, county plans and sites use
    step.profile = None  # the log is fitted against the model's own times
    step("reading and validating the visit log")
    opts = read_options(args, ids=False)
    readers: dict[str, Any] = {}
    if args.clients is not None:
        readers["clients"] = lambda: read_clients(
            args.clients.path, area=net, sheet=args.clients.sheet, options=opts
        )
    if args.units is not None:
        lookup = None if args.units_lookup is None else args.units_lookup.path
        readers["units"] = lambda: read_rural_urban(
            args.units.path, lookup=lookup, column=args.units_column, layer=args.units.sheet
        )
    elif args.units_lookup is not None or args.units_column is not None:
        raise ArgumentError(
            "--units-lookup and --units-column go with --units (the units' polygons)"
        )
    read = read_together(readers) if readers else {}
    clients = read.get("clients")
    rule: UrbanRule = DensityRule(args.radius_m, args.urban_junctions_per_km2)
    if "units" in read:
        rule = AreaRule.from_units(read["units"])
    log = read_visit_log(
        args.log.path, clients=clients, area=net, sheet=args.log.sheet, options=opts
    )
    step(f"calibrating on {len(log):,} visits")
    options = CalibrationOptions(
        rule=rule,
        holdout_share=args.holdout_share,
        seed=args.seed,
        max_gap_minutes=args.max_gap_minutes,
        name=args.name or args.log.path.stem,
    )
    result = calibrate(log, net, options=options)
    step("writing the profile, the legs, the chart and the map")
    step.report(result.summary(), result.to_files(args.out, offline=not args.cdn))
    return 0
