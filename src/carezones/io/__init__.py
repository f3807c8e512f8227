"""Every input carezones reads, one module per input family: read and validated once.

Input problems are never fixed silently: each reader checks every row in one pass and raises
one :class:`~carezones.ValidationError` listing every problem with its row number and a fix
(collected by :class:`carezones.errors.Problems`).

===============================  ===========================================================
:mod:`carezones.io.points`       client, visit, carer and site locations from CSV, Excel,
                                 GeoPackage, GeoJSON or a DataFrame: :func:`read_points`,
                                 :func:`read_clients`, :class:`Collected`, the column aliases;
                                 candidate sites' scores: :func:`check_scores`
:mod:`carezones.io.options`      how located rows are read: :class:`ReadOptions` (CRS,
                                 coordinate columns, postcode lookup, id column, distance
                                 outside the network, polygons)
:mod:`carezones.io.visits`       the day's visits and carers' shifts: :func:`read_visits`,
                                 :func:`read_carers`, :func:`read_itineraries`, :func:`parse_hhmm`,
                                 :func:`hhmm`; :func:`visits_table` and :func:`carers_table` for
                                 the ones carezones makes itself (validated once, where made)
:mod:`carezones.io.providers`    care providers' offices and weekly capacity:
                                 :func:`read_providers`
:mod:`carezones.io.visit_log`    a visit log (electronic call monitoring): when each carer
                                 arrived at and left each visit: :func:`read_visit_log`
:mod:`carezones.io.rural_urban`  the ONS rural-urban classification of areal units:
                                 :func:`read_rural_urban`
:mod:`carezones.io.days`         the ``day`` of a week file's rows: :func:`parse_day`
:mod:`carezones.io.areas`        polygons: a boundary, localities, previous zones, areal units:
                                 :func:`read_areas`; the one check of every polygon input,
                                 :func:`check_polygons` (:func:`check_areas` in memory)
:mod:`carezones.io.demand`       the demand sites serve and its growth: :func:`read_demand`
                                 (clients or counts by area; :class:`DemandColumns`,
                                 :class:`DemandKind`), :func:`read_growth`
:mod:`carezones.io.projection`  what projects demand for housing with care: population
                                 projections (ONS SNPP or long), prevalence rates and small
                                 areas: :func:`read_projections`, :func:`read_prevalence`,
                                 :func:`read_projection_areas`
:mod:`carezones.io.gtfs`         public transport timetables (GTFS feeds, read with
                                 gtfs-kit): :func:`read_gtfs`, :class:`TransitDay`,
                                 :class:`TransitMode`
:mod:`carezones.io.config`       configuration files: :func:`read_toml`
:mod:`carezones.io.vrplib`       vehicle routing benchmarks: :func:`read_lkh_vrptw`,
                                 ``VrptwInstance``, ``VrptwSolution``
:mod:`carezones.io.hhcrsp`       the home healthcare routing and scheduling benchmark (JSON):
                                 :func:`read_hhcrsp`, :class:`HhcrspInstance`, and
                                 :func:`hhcrsp_solution` (the solution the validator reads)
:mod:`carezones.io.osm`          road networks and amenities from OSM files and GraphML
                                 (used by :mod:`carezones.network` and :mod:`carezones.sites`)
===============================  ===========================================================

The location readers share private modules: ``_table`` (reading and decoding a file into
cells), ``_crs`` (coordinate columns, CRS detection, the network's area, swapped
coordinates), ``_postcodes`` (postcode lookup files), ``_locate`` (locating each row) and
``_cells`` (the column aliases, the blank-cell test and the number parser every reader uses).
Nothing here writes: every map, page and file a result produces is written by
:mod:`carezones.report`.
"""

from carezones.io._cells import PathLike
from carezones.io._crs import BNG_BOUNDS, GB_BOUNDS
from carezones.io._postcodes import ONSPD_NO_LOCATION_LAT, UK_POSTCODE_RE
from carezones.io._table import DELIMITERS, EXCEL_SUFFIXES, TEXT_SUFFIXES, VECTOR_SUFFIXES, Source
from carezones.io.areas import INVALID_POLYGON_FIX, check_areas, check_polygons, read_areas
from carezones.io.config import read_toml
from carezones.io.days import WEEKDAYS, parse_day
from carezones.io.demand import DemandColumns, DemandKind, read_demand, read_growth
from carezones.io.gtfs import (
    GTFS_CALENDAR_FILES,
    GTFS_REQUIRED_FILES,
    TransitDay,
    TransitMode,
    read_gtfs,
    route_mode,
)
from carezones.io.hhcrsp import HhcrspInstance, hhcrsp_solution, read_hhcrsp
from carezones.io.options import AreaLike, CrsLike, ReadOptions
from carezones.io.points import (
    CLIENT_ID_ALIASES,
    EASTING_ALIASES,
    HOURS_ALIASES,
    HOURS_IN_WEEK,
    LATITUDE_ALIASES,
    LONGITUDE_ALIASES,
    NORTHING_ALIASES,
    POSTCODE_ALIASES,
    SCORE_RANGE,
    Collected,
    ColumnSpec,
    Errors,
    check_scores,
    read_clients,
    read_points,
)
from carezones.io.projection import (
    check_projection_years,
    read_prevalence,
    read_projection_areas,
    read_projections,
)
from carezones.io.providers import (
    CAPACITY_ALIASES,
    PROVIDER_COLUMNS,
    PROVIDER_ID_ALIASES,
    read_providers,
)
from carezones.io.rural_urban import RUC_COLUMNS, read_rural_urban, ruc_is_urban
from carezones.io.visit_log import LOG_COLUMNS, read_visit_log
from carezones.io.visits import (
    CARER_COLUMNS,
    VISIT_COLUMNS,
    carers_table,
    hhmm,
    parse_hhmm,
    read_carers,
    read_itineraries,
    read_visits,
    visits_table,
)
from carezones.io.vrplib import read_lkh_vrptw

__all__ = [
    "BNG_BOUNDS",
    "CAPACITY_ALIASES",
    "CARER_COLUMNS",
    "CLIENT_ID_ALIASES",
    "DELIMITERS",
    "EASTING_ALIASES",
    "EXCEL_SUFFIXES",
    "GB_BOUNDS",
    "GTFS_CALENDAR_FILES",
    "GTFS_REQUIRED_FILES",
    "HOURS_ALIASES",
    "HOURS_IN_WEEK",
    "INVALID_POLYGON_FIX",
    "LATITUDE_ALIASES",
    "LOG_COLUMNS",
    "LONGITUDE_ALIASES",
    "NORTHING_ALIASES",
    "ONSPD_NO_LOCATION_LAT",
    "POSTCODE_ALIASES",
    "PROVIDER_COLUMNS",
    "PROVIDER_ID_ALIASES",
    "RUC_COLUMNS",
    "SCORE_RANGE",
    "TEXT_SUFFIXES",
    "UK_POSTCODE_RE",
    "VECTOR_SUFFIXES",
    "VISIT_COLUMNS",
    "WEEKDAYS",
    "AreaLike",
    "Collected",
    "ColumnSpec",
    "CrsLike",
    "DemandColumns",
    "DemandKind",
    "Errors",
    "HhcrspInstance",
    "PathLike",
    "ReadOptions",
    "Source",
    "TransitDay",
    "TransitMode",
    "carers_table",
    "check_areas",
    "check_polygons",
    "check_projection_years",
    "check_scores",
    "hhcrsp_solution",
    "hhmm",
    "parse_day",
    "parse_hhmm",
    "read_areas",
    "read_carers",
    "read_clients",
    "read_demand",
    "read_growth",
    "read_gtfs",
    "read_hhcrsp",
    "read_itineraries",
    "read_lkh_vrptw",
    "read_points",
    "read_prevalence",
    "read_projection_areas",
    "read_projections",
    "read_providers",
    "read_rural_urban",
    "read_toml",
    "read_visit_log",
    "read_visits",
    "route_mode",
    "ruc_is_urban",
    "visits_table",
]
