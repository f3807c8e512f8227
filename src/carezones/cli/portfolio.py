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

projected demand (instead of --demand and --growth): the homes of housing with care needed
  each year = people in each age band (--projections) x your rates per 1,000 (--prevalence),
  spread over small areas (--areas) by today's older population or clients (--spread-by):
  carezones choose-sites --osm county.osm.pbf --sites sites.csv --k 4 \\
      --projections "2018 SNPP Population persons.csv" --prevalence rates.csv \\
      --areas lsoa.gpkg --years 2030 2038 --spread-by population --out chosen
projections: ONS's SNPP 'persons' table (AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP,
  2018, 2019...; ages '0'..'89' and '90 and over') or area_code,age,year,persons; single
  years of age only (bands such as '75-79' are refused).
prevalence: age_band,per_1000 (75-79, 80-84, 85+): no default, give your council's rates
  (Housing LIN's SHOP@ is the usual source).
areas: points or polygons with a code (area_code, lsoa21cd...), a weight (aged_75_plus,
  population... or clients, client_count...; --count-column names another) and, when the
  projections hold several authorities, each area's (lad22cd, authority_code... or
  --authority-column; --authority CODE for them all).
Each year is a scenario solved on its own ('now' is the projections' first year, or
  --base-year); the choice is for the last year (--plan-for YEAR or 'all').
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
        help="clients with hours_per_week, or counts by area (or --projections)",
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
    p.add_argument(
        "--count-column", help="the column of counts in an area file (--demand or --areas)"
    )
    _projection_options(p)
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


def _projection_options(p: Any) -> None:
    """Add the options of projected demand (the homes of housing with care needed each year)."""
    g = p.add_argument_group(
        "projected demand",
        "instead of --demand and --growth: the homes of housing with care needed each year",
    )
    g.add_argument(
        "--projections",
        type=input_file,
        help="population by area, single year of age and year (ONS SNPP 'persons' table, or "
        "area_code,age,year,persons)",
    )
    g.add_argument(
        "--prevalence",
        type=input_file,
        help="age_band,per_1000: homes needed per 1,000 people of each band (your rates)",
    )
    g.add_argument(
        "--areas",
        type=input_file,
        help="small areas (points or polygons) with a code and a weight to spread the homes by",
    )
    g.add_argument(
        "--years",
        type=whole(1900),
        nargs="+",
        metavar="YEAR",
        help="years to project, one scenario each (e.g. 2030 2038)",
    )
    g.add_argument(
        "--spread-by",
        choices=["population", "clients"],
        default="population",
        help="spread each authority's homes by its areas' older population (default) or "
        "their clients",
    )
    g.add_argument(
        "--base-year",
        type=whole(1900),
        help="the year of the scenario 'now' (default: the projections' first year)",
    )
    g.add_argument(
        "--authority", help="the projections' AREA_CODE of every area (no authority column)"
    )
    g.add_argument("--authority-column", help="the areas' column of authority codes")


def _check_demand_options(args: argparse.Namespace) -> None:
    """Refuse a mix of --demand and --projections, or projections without what they need."""
    from carezones.errors import ArgumentError

    if args.projections is None:
        extra = [
            flag
            for flag, value in (
                ("--prevalence", args.prevalence),
                ("--areas", args.areas),
                ("--years", args.years),
                ("--base-year", args.base_year),
                ("--authority", args.authority),
                ("--authority-column", args.authority_column),
            )
            if value is not None
        ]
        if args.demand is None:
            raise ArgumentError(
                "give the demand: --demand (clients or counts by area), or --projections "
                "with --prevalence, --areas and --years"
            )
        if extra:
            raise ArgumentError(f"{', '.join(extra)} go with --projections: give it too")
        return
    if args.demand is not None or args.growth is not None:
        given = "--demand" if args.demand is not None else "--growth"
        raise ArgumentError(
            f"give --projections or {given}, not both: the projections make the demand and "
            "one growth scenario per year"
        )
    lacking = [
        flag
        for flag, value in (
            ("--prevalence", args.prevalence),
            ("--areas", args.areas),
            ("--years", args.years),
        )
        if value is None
    ]
    if lacking:
        raise ArgumentError(
            f"--projections needs {', '.join(lacking)} too: the rates per 1,000 people "
            "(no default: your council's), the small areas and the years to project"
        )


def run(args: argparse.Namespace) -> int:
    """Check the output, read every input together, choose, write, report."""
    from carezones.report import check_output_folder
    from carezones.sites import PortfolioOptions, choose_sites

    _check_demand_options(args)
    check_output_folder(args.out)
    projecting = args.projections is not None
    step = Steps(args, 5 if projecting else 4)
    net = step.network(args.mode, engine="builtin")
    step("reading and validating the inputs")
    got = read_together(_readers(args, net))
    if projecting:
        years = " ".join(map(str, sorted(set(args.years))))
        step(f"projecting the homes of housing with care needed in {years}")
        got["demand"], got["growth"] = _projected(args, got)
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


def _projected(args: argparse.Namespace, got: dict[str, Any]) -> tuple[Any, Any]:
    """Project the demand from the inputs read: the demand points and a scenario per year."""
    from carezones.sites import ProjectionOptions, project_demand

    projected = project_demand(
        got["areas"],
        got["projections"],
        got["prevalence"],
        args.years,
        options=ProjectionOptions(
            spread_by=args.spread_by,
            base_year=args.base_year,
            authority=args.authority,
            weight_column=args.count_column,
            authority_column=args.authority_column,
        ),
    )
    return projected.demand, projected.growth


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

    readers: dict[str, Callable[[], Any]] = {
        "sites": points(args.sites, True, scored=True),
        "demand": optional(
            args.demand,
            lambda f: read_demand(
                f.path, columns=DemandColumns(count=args.count_column), sheet=f.sheet, **opts
            ),
        ),
        "existing": points(args.existing, True),
        "growth": optional(args.growth, lambda f: read_growth(f.path, sheet=f.sheet)),
        "preferred": optional(
            args.preferred, lambda f: read_areas(f.path, what="preferred areas", layer=f.sheet)
        ),
        "config": (lambda: None) if args.config is None else (lambda: SiteConfig.load(args.config)),
    }
    if args.projections is not None:
        readers |= _projection_readers(args, net)
    return readers


def _projection_readers(args: argparse.Namespace, net: Any) -> dict[str, Callable[[], Any]]:
    """Return the readers of the projections, the rates and the areas (on the network's area)."""
    from carezones.io import (
        read_prevalence,
        read_projection_areas,
        read_projections,
    )

    asked = [*args.years, *([args.base_year] if args.base_year is not None else [])]
    areas, rates, proj = args.areas, args.prevalence, args.projections
    return {
        "projections": lambda: read_projections(proj.path, years=asked, sheet=proj.sheet),
        "prevalence": lambda: read_prevalence(rates.path, sheet=rates.sheet),
        "areas": lambda: read_projection_areas(
            areas.path,
            spread_by=args.spread_by,
            weight_column=args.count_column,
            authority_column=args.authority_column,
            area=net,
            sheet=areas.sheet,
            options=read_options(args, ids=False, polygons=True),
        ),
    }
