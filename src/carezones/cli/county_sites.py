"""``carezones county --sites``: the sites chosen beside the zone designs, in the same report.

The options, their checks, the readers and the two steps (score the candidates as
``carezones sites`` does, choose the best ``--k`` as ``carezones choose-sites`` does, for the
clients' weekly hours or the homes projected for ``--year``); ``cli/county.py`` composes them
with :func:`carezones.compare_designs` and :func:`carezones.county.add_sites`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from carezones.cli._options import (
    input_file,
    number,
    read_options,
    timetable_options,
    whole,
)
from carezones.cli.portfolio import _projected, _projection_options, _projection_readers
from carezones.errors import ArgumentError

EPILOG = """
sites beside the zones (one report of both):
  carezones county --osm county.osm.pbf --clients clients.csv --zones 8 10 \\
      --sites candidates.csv --k 4 --gtfs buses.zip --out county-out
  carezones county ... --sites candidates.csv --k 4 --year 2038 \\
      --projections snpp.csv --prevalence rates.csv --areas lsoa.gpkg
The candidates are scored as 'carezones sites' scores them (walks to amenities, the carers'
drive with --carers, transport by timetable with --gtfs), and the best --k chosen together as
'carezones choose-sites' chooses them: for the clients' weekly hours, or with --projections for
the homes of housing with care needed in --year (one scenario per --years, 'now' beside them).
The report's index gains a section "Sites chosen" and zones-and-sites.html maps the zones of
the best design (least travel per care hour; --sites-design NAME for another) with the sites
and the area within --minutes of each.
"""


def add_site_options(c: argparse.ArgumentParser) -> None:
    """Add the options of the sites chosen beside the zones to ``carezones county``."""
    g = c.add_argument_group(
        "sites chosen beside the zones",
        "score candidate sites and choose the best --k for the demand, in the same report",
    )
    g.add_argument(
        "--sites",
        type=input_file,
        help="candidate sites (points or polygons, site_id), scored and chosen from",
    )
    g.add_argument("--k", type=whole(1), help="how many sites to choose (with --sites)")
    g.add_argument(
        "--year",
        type=whole(1900),
        help="choose for the demand projected for this year (with --projections)",
    )
    g.add_argument(
        "--objective",
        choices=["coverage", "p-median"],
        default="coverage",
        help="most demand within --minutes (coverage, default), or least demand-weighted "
        "minutes (p-median)",
    )
    g.add_argument(
        "--minutes",
        type=number(minimum=0, above=True),
        default=15.0,
        help="drive that counts as served by a site, and its catchment on the map (15)",
    )
    g.add_argument(
        "--min-score",
        type=number(minimum=0, maximum=100),
        help="each chosen site must score at least this (0-100)",
    )
    g.add_argument("--sites-config", type=Path, help="TOML score configuration (as sites')")
    timetable_options(g)
    g.add_argument(
        "--sites-design",
        metavar="NAME",
        help="the design whose zones the map of zones and sites shows (default: the one "
        "with least travel per care hour)",
    )
    g.add_argument("--count-column", help="the areas' column of weights (with --projections)")
    _projection_options(c)


_SITE_FLAGS = (
    ("--k", "k"),
    ("--year", "year"),
    ("--min-score", "min_score"),
    ("--sites-config", "sites_config"),
    ("--gtfs", "gtfs"),
    ("--date", "date"),
    ("--sites-design", "sites_design"),
    ("--projections", "projections"),
    ("--prevalence", "prevalence"),
    ("--areas", "areas"),
    ("--years", "years"),
    ("--base-year", "base_year"),
    ("--authority", "authority"),
    ("--authority-column", "authority_column"),
    ("--count-column", "count_column"),
)


def check_site_options(args: argparse.Namespace) -> None:
    """Refuse options of the sites without --sites, and projections without what they need.

    Sets ``args.years`` to the years projected (``--years`` and ``--year`` together) and
    ``args.plan_for`` to the scenario chosen for.
    """
    args.plan_for = None
    if args.sites is None:
        given = [flag for flag, name in _SITE_FLAGS if getattr(args, name) is not None]
        if given:
            raise ArgumentError(
                f"{', '.join(given)} go with --sites: give the candidate sites (--sites FILE "
                "--k N), or leave them out"
            )
        return
    if args.k is None:
        raise ArgumentError("--sites needs --k: how many sites to choose, e.g. --k 4")
    if args.date is not None and args.gtfs is None:
        raise ArgumentError("--date is the timetable's day: give --gtfs too")
    if args.projections is None:
        extra = [
            flag
            for flag, value in (
                ("--year", args.year),
                ("--years", args.years),
                ("--prevalence", args.prevalence),
                ("--areas", args.areas),
                ("--base-year", args.base_year),
                ("--authority", args.authority),
                ("--authority-column", args.authority_column),
            )
            if value is not None
        ]
        if extra:
            raise ArgumentError(
                f"{', '.join(extra)} go with --projections: the demand of a year is projected "
                "from population projections (give --projections, --prevalence and --areas), "
                "else the sites are chosen for the clients' weekly hours today"
            )
        return
    lacking = [
        flag
        for flag, value in (("--prevalence", args.prevalence), ("--areas", args.areas))
        if value is None
    ]
    if args.year is None and args.years is None:
        lacking.append("--year")
    if lacking:
        raise ArgumentError(
            f"--projections needs {', '.join(lacking)} too: the rates per 1,000 people "
            "(no default: your council's), the small areas and the year to choose for"
        )
    years = sorted(set(args.years or []) | ({args.year} if args.year is not None else set()))
    args.years = years
    args.plan_for = str(args.year if args.year is not None else years[-1])


def site_readers(args: argparse.Namespace, walk: Any, net: Any) -> dict[str, Callable[[], Any]]:
    """Return the readers of the candidates, timetable, score configuration and projections.

    Each input is checked on the network's area; for :func:`read_together`.
    """
    from carezones.io import read_gtfs, read_points
    from carezones.sites import SiteConfig

    sites = args.sites
    opts = read_options(args, ids=False, polygons=True)
    readers: dict[str, Callable[[], Any]] = {
        "sites": lambda: read_points(sites.path, area=net, sheet=sites.sheet, options=opts).drop(
            columns="source_row"
        ),
        "gtfs": (lambda: None)
        if args.gtfs is None
        else (
            lambda: read_gtfs(
                args.gtfs, date=args.date, area=walk, max_outside_km=args.max_outside_km
            )
        ),
        "sites_config": lambda: SiteConfig.load(args.sites_config),
    }
    if args.projections is not None:
        readers |= _projection_readers(args, net)
    return readers


def choose(args: argparse.Namespace, got: dict[str, Any], net: Any, walk: Any, step: Any) -> Any:
    """Score the candidates and choose the best ``--k``: return the set and the scores."""
    from carezones.sites import (
        PortfolioOptions,
        ScoreOptions,
        SiteInputs,
        choose_sites,
        score_sites,
    )

    sites = got["sites"]
    if got["gtfs"] is not None and not step.quiet:
        print(got["gtfs"].summary(), file=sys.stderr)
    timetable = ", the timetable" if args.gtfs is not None else ""
    step(f"scoring {len(sites)} candidate sites (walks, drives{timetable})")
    scores = score_sites(
        sites,
        SiteInputs(osm=args.osm, walk=walk, drive=net, gtfs=got["gtfs"]),
        clients=got["clients"],
        carers=got["carers"],
        config=got["sites_config"],
        options=ScoreOptions(time_band=args.time_band),
        progress=step.progress,
    )
    demand, growth = got["clients"], None
    what = "the clients' weekly hours"
    if args.projections is not None:
        demand, growth = _projected(args, got)
        what = f"the homes of housing with care projected for {args.plan_for}"
    step(f"choosing {args.k} of {len(sites)} sites for {what}")
    portfolio = choose_sites(
        scores,
        demand,
        net,
        args.k,
        growth=growth,
        options=PortfolioOptions(
            objective=args.objective,
            minutes=args.minutes,
            min_score=args.min_score,
            score_config=got["sites_config"],
            plan_for=args.plan_for,
            max_outside_km=args.max_outside_km,
        ),
    )
    return portfolio, scores
