"""Every file carezones reads or writes, one module per input family.

Input problems are never fixed silently: each reader checks every row in one pass and raises
one :class:`~carezones.ValidationError` listing every problem with its row number and a fix
(collected by :class:`carezones.errors.Problems`).

===============================  ===========================================================
:mod:`carezones.io.points`       client, visit, carer and site locations from CSV, Excel,
                                 GeoPackage, GeoJSON or a DataFrame: :func:`read_points`,
                                 :func:`read_clients`, :class:`Collected`, the column aliases
:mod:`carezones.io.visits`       the day's visits and carers' shifts: :func:`read_visits`,
                                 :func:`read_carers`, :func:`read_itineraries`, :func:`parse_hhmm`,
                                 :func:`hhmm`
:mod:`carezones.io.days`         the ``day`` of a week file's rows: :func:`parse_day`
:mod:`carezones.io.areas`        polygons: a boundary, localities, previous zones, areal units:
                                 :func:`read_areas`
:mod:`carezones.io.demand`       the demand sites serve and its growth: :func:`read_demand`
                                 (clients or counts by area), :func:`read_growth`
:mod:`carezones.io.config`       configuration files: :func:`read_toml`
:mod:`carezones.io.outputs`      result files: :func:`write_zone_plan`, :func:`write_rounds`,
                                 :func:`write_week`, :func:`write_run_sheets`,
                                 :func:`write_site_scores`, :func:`write_travel_times`
:mod:`carezones.io.portfolio`    a chosen set of sites: :func:`write_site_portfolio`
:mod:`carezones.io.vrplib`       vehicle routing benchmarks: :func:`read_lkh_vrptw`,
                                 :func:`write_solution`, ``VrptwInstance``, ``VrptwSolution``
:mod:`carezones.io.osm`          road networks and amenities from OSM files and GraphML
                                 (used by :mod:`carezones.network` and :mod:`carezones.sites`)
===============================  ===========================================================

The location readers share private modules: ``_table`` (reading and decoding a file into
cells), ``_crs`` (coordinate columns, CRS detection, the network's area, swapped
coordinates), ``_postcodes`` (postcode lookup files), ``_locate`` (locating each row) and
``_cells`` (the column aliases, the blank-cell test and the number parser every reader uses).
Every writer goes through ``_write``: an output folder is replaced whole or not at all
(:func:`output_folder`), and no CSV cell starts a spreadsheet formula (:func:`write_csv`).
"""

from carezones.io._cells import PathLike
from carezones.io._crs import BNG_BOUNDS, GB_BOUNDS
from carezones.io._postcodes import ONSPD_NO_LOCATION_LAT, UK_POSTCODE_RE
from carezones.io._table import DELIMITERS, EXCEL_SUFFIXES, TEXT_SUFFIXES, VECTOR_SUFFIXES, Source
from carezones.io._write import (
    check_output_file,
    check_output_folder,
    output_file,
    output_folder,
    write_csv,
)
from carezones.io.areas import read_areas
from carezones.io.config import read_toml
from carezones.io.days import WEEKDAYS, parse_day
from carezones.io.demand import read_demand, read_growth
from carezones.io.outputs import (
    write_rounds,
    write_run_sheets,
    write_site_scores,
    write_travel_times,
    write_week,
    write_zone_plan,
)
from carezones.io.points import (
    CLIENT_ID_ALIASES,
    EASTING_ALIASES,
    HOURS_ALIASES,
    HOURS_IN_WEEK,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    POSTCODE_ALIASES,
    Collected,
    ColumnSpec,
    Errors,
    read_clients,
    read_points,
)
from carezones.io.portfolio import write_site_portfolio
from carezones.io.visits import (
    CARER_COLUMNS,
    VISIT_COLUMNS,
    hhmm,
    parse_hhmm,
    read_carers,
    read_itineraries,
    read_visits,
)
from carezones.io.vrplib import read_lkh_vrptw, write_solution

__all__ = [
    "BNG_BOUNDS",
    "CARER_COLUMNS",
    "CLIENT_ID_ALIASES",
    "DELIMITERS",
    "EASTING_ALIASES",
    "EXCEL_SUFFIXES",
    "GB_BOUNDS",
    "HOURS_ALIASES",
    "HOURS_IN_WEEK",
    "LATITUDE_ALIASES",
    "LONGITUDE_ALIASES",
    "NORTHING_ALIASES",
    "ONSPD_NO_LOCATION_LAT",
    "POSTCODE_ALIASES",
    "TEXT_SUFFIXES",
    "UK_POSTCODE_RE",
    "VECTOR_SUFFIXES",
    "VISIT_COLUMNS",
    "WEEKDAYS",
    "Collected",
    "ColumnSpec",
    "Errors",
    "PathLike",
    "Source",
    "check_output_file",
    "check_output_folder",
    "hhmm",
    "output_file",
    "output_folder",
    "parse_day",
    "parse_hhmm",
    "read_areas",
    "read_carers",
    "read_clients",
    "read_demand",
    "read_growth",
    "read_itineraries",
    "read_lkh_vrptw",
    "read_points",
    "read_toml",
    "read_visits",
    "write_csv",
    "write_rounds",
    "write_run_sheets",
    "write_site_portfolio",
    "write_site_scores",
    "write_solution",
    "write_travel_times",
    "write_week",
    "write_zone_plan",
]
