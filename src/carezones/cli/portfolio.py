"""``carezones choose-sites``: the set of k sites that together serve the demand best."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carezones.cli._options import (
    InputFile,
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
)

NAMES = ["choose-sites"]

EPILOG = """examples:
  carezones choose-sites --osm county.osm.pbf --sites sites.csv --demand clients.csv --k 4 \\
      --out chosen-out
  carezones choose-sites --osm county.osm.pbf --sites sites-out/scores.csv --demand oa65.csv \\
      --k 4 --min-score 60 --existing schemes.csv --growth growth.csv --minutes 15 --out chosen

sites: points or polygons with site_id (or the scores.csv of 'carezones sites', whose score
  column --min-score uses; without one, --min-score scores the sites on --osm first).
demand: clients with hours_per_week, or one row per area with a count (count, population,
  aged_65_plus, ... or --count-column), an area code (area_code, oa21cd, ...) and a location
  (lat/lon, easting/northing, postcode, or a GeoPackage of points or polygons).
growth: area_code then one column per scenario, e.g. 2029,2038: multipliers (1.21) or
  percentages (+21%); area '*' for every other area.
preferred: polygons (GeoPackage/GeoJSON) whose demand counts more: a weight column, else
  --preferred-weight.
"""


def add_parser(sub: Any) -> None:
    """Add ``choose-sites`` and its options."""
    p = add_command(
        sub,
        "choose-sites",
        "choose the k sites that together serve the most demand (or bring it closest)",
        EPILOG,
    )
    p.add_argument("--osm", type=Path, required=True, help="the OSM extract (.osm.pbf/.osm)")
    p.add_argument(
        "--sites",
        type=input_file,
        required=True,
        help="candidate sites (CSV/XLSX/GPKG), or scores.csv of 'sites'",
    )
    p.add_argument(
        "--demand",
        type=input_file,
        required=True,
        help="clients with hours_per_week, or counts by area",
    )
    p.add_argument("--k", type=whole(1), required=True, help="how many new sites to choose")
    p.add_argument(
        "--objective",
        choices=["coverage", "p-median"],
        default="coverage",
        help="most demand within --minutes (coverage, default), or least "
        "demand-weighted minutes (p-median)",
    )
    p.add_argument(
        "--minutes",
        type=number(minimum=0, above=True),
        default=15.0,
        help="travel time that counts as covered (15)",
    )
    p.add_argument("--mode", choices=["drive", "walk"], default="drive")
    p.add_argument(
        "--min-score",
        type=number(minimum=0, maximum=100),
        help="each chosen site must score at least this (0-100)",
    )
    p.add_argument("--existing", type=input_file, help="schemes already open (points)")
    p.add_argument("--growth", type=input_file, help="growth factors by area and scenario")
    p.add_argument(
        "--plan-for",
        help="the scenario to choose for: now, a growth column, or "
        "'all' (best on average); default: the last growth column",
    )
    p.add_argument("--preferred", type=input_file, help="polygons whose demand counts more")
    p.add_argument(
        "--preferred-weight",
        type=number(minimum=0, above=True),
        default=1.5,
        help="multiplier of the preferred areas' demand (1.5)",
    )
    p.add_argument("--count-column", help="the column of counts in an area file")
    p.add_argument("--config", type=Path, help="TOML score configuration (with --min-score)")
    p.add_argument(
        "--time-limit",
        type=number(minimum=0, maximum=86400, above=True),
        default=60.0,
        help="seconds for each scenario's proof (60)",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    profile_option(p)
    point_options(p)
    common_options(p, engine=False)
    map_options(p)


def run(args: argparse.Namespace) -> int:
    """Check the output, read every input together, choose, write, report."""
    from carezones.report import check_output_folder
    from carezones.sites import PortfolioOptions, choose_sites

    check_output_folder(args.out)
    step = Steps(args, 4)
    net = step.network(args.mode, engine="builtin")
    step("reading and validating the inputs")
    got = read_together(_readers(args, net))
    sites = got["sites"]
    step(
        f"choosing {args.k} of {len(sites)} sites for {len(got['demand'])} demand rows "
        f"({args.objective}, {args.minutes:g} min {args.mode})"
    )
    options = PortfolioOptions(
        objective=args.objective,
        minutes=args.minutes,
        min_score=args.min_score,
        score_config=got["config"],
        plan_for=args.plan_for,
        preferred_weight=args.preferred_weight,
        time_limit=args.time_limit,
        max_outside_km=args.max_outside_km,
    )
    res = choose_sites(
        sites,
        got["demand"],
        net,
        args.k,
        existing=got["existing"],
        growth=got["growth"],
        preferred=got["preferred"],
        options=options,
    )
    step("writing files and the map")
    step.report(res.summary(), res.to_files(args.out, offline=not args.cdn))
    return 0


def _readers(args: argparse.Namespace, net: Any) -> dict[str, Callable[[], Any]]:
    """One reader per input file, for :func:`read_together`."""
    from carezones.io import (
        DemandColumns,
        check_scores,
        read_areas,
        read_demand,
        read_growth,
        read_points,
    )
    from carezones.sites import SiteConfig

    opts: dict[str, Any] = {
        "postcode_lookup": args.postcodes,
        "area": net,
        "max_outside_km": args.max_outside_km,
    }
    if args.crs:
        opts["crs"] = args.crs

    sites = read_options(args, ids=False, polygons=True)

    def points(f: InputFile | None, ids: bool, scored: bool = False) -> Callable[[], Any]:
        if f is None:
            return lambda: None

        def read() -> Any:
            got = read_points(f.path, area=net, sheet=f.sheet, options=sites)
            if scored:  # the rows of the file, before they are numbered afresh
                got = check_scores(got)
            if ids and args.id_column and args.id_column in got.columns:
                got = got.rename(columns={args.id_column: "site_id"})
            return got.drop(columns="source_row")

        return read

    def optional(f: InputFile | None, read: Callable[[InputFile], Any]) -> Callable[[], Any]:
        return (lambda: None) if f is None else (lambda: read(f))

    return {
        "sites": points(args.sites, True, scored=True),
        "demand": lambda: read_demand(
            args.demand.path,
            columns=DemandColumns(count=args.count_column),
            sheet=args.demand.sheet,
            **opts,
        ),
        "existing": points(args.existing, True),
        "growth": optional(args.growth, lambda f: read_growth(f.path, sheet=f.sheet)),
        "preferred": optional(
            args.preferred, lambda f: read_areas(f.path, what="preferred areas", layer=f.sheet)
        ),
        "config": (lambda: None) if args.config is None else (lambda: SiteConfig.load(args.config)),
    }
