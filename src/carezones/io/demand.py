"""Read the demand that sites serve, and how it grows: clients, area counts, growth factors.

Demand comes in two kinds, told apart by their columns:

- **clients** (any file :func:`~carezones.io.read_clients` reads): each counts its weekly hours
  of care (``hours_per_week`` or an alias);
- **area counts**: one row per area (a census output area, a ward...) with a count such as
  people aged 65 or over (``count``, ``population``, ``people``, ``aged_65_plus``... or the
  column named by :class:`DemandColumns`), an area code (``area_code``, ``oa21cd``,
  ``lsoa21cd``...) and a location: a point (lat/lon, easting/northing, a postcode, a
  GeoPackage of points such as the ONS population-weighted centroids) or a polygon, counted
  at a point inside it.

:func:`read_demand` reads either into one table: ``demand_id``, ``area`` (the code, or empty),
``weight`` (hours or count) and ``source_row``, every row checked in one pass, rows far outside
the road network's area rejected and listed (never dropped silently).

:func:`read_growth` reads growth scenarios: a table of area codes (``*`` for every other area)
and one column per scenario of multipliers (``1.21``) or percentages (``+21%``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal, cast, overload

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.errors import (
    Argument,
    ArgumentError,
    Ask,
    Fix,
    Problem,
    Problems,
    Reason,
    ValidationError,
    listing,
)
from carezones.io._cells import HOURS_ALIASES, PathLike, find_column, find_named, is_blank
from carezones.io._crs import Area, area_geometry
from carezones.io._table import Source, read_table, source_name
from carezones.io.options import CrsLike, ReadOptions
from carezones.io.points import (
    Collected,
    Errors,
    _check_errors,
    _client_fields,
    _outside,
    _read,
    _spec_fields,
)

__all__ = [
    "AREA_ALIASES",
    "COUNT_ALIASES",
    "EVERY_AREA",
    "RESERVED_SCENARIOS",
    "DemandColumns",
    "DemandKind",
    "read_demand",
    "read_growth",
]

COUNT_ALIASES: tuple[str, ...] = (
    "count",
    "population",
    "people",
    "persons",
    "residents",
    "demand",
    "aged_65_plus",
    "age_65_plus",
    "aged_65_and_over",
    "over_65",
    "over_65s",
    "pop_65_plus",
    "population_65_plus",
    "value",
)
"""Column names read as an area's count (matched ignoring case and punctuation)."""

AREA_ALIASES: tuple[str, ...] = (
    "area_code",
    "area",
    "code",
    "oa21cd",
    "oa11cd",
    "oa_code",
    "output_area",
    "lsoa21cd",
    "lsoa11cd",
    "lsoa_code",
    "msoa21cd",
    "msoa11cd",
    "ward_code",
    "wd24cd",
    "geography_code",
    "area_id",
    "locality",
)
"""Column names read as an area code."""

EVERY_AREA = ("*", "all", "every area", "all areas")
"""Area codes of a growth table that stand for every area not listed."""

RESERVED_SCENARIOS: dict[str, str] = {
    "now": "today's demand (no growth)",
    "all": "the choice best on average over every scenario",
    "area": "the area codes",
    "source_row": "the row numbers",
}
"""Names a growth scenario cannot take (matched ignoring case), and what each already means."""


class DemandKind(StrEnum):
    """What a demand table counts (``attrs["carezones_demand"]["kind"]`` of :func:`read_demand`)."""

    CLIENTS = "clients"
    """Clients, each weighing their weekly hours of care."""
    AREAS = "areas"
    """Areas, each weighing its count (e.g. people aged 65 or over)."""


@dataclass(frozen=True)
class DemandColumns:
    """Which columns of a demand file are which (each found by its aliases unless named).

    Naming ``count`` reads the file as area counts; naming ``hours`` reads it as clients.

    Parameters
    ----------
    count : str, optional
        The column of area counts (default: the first of :data:`COUNT_ALIASES`).
    hours : str, optional
        The clients' weekly hours column (default: an alias such as ``hours_per_week``).
    area : str, optional
        The area codes (default: the first of :data:`AREA_ALIASES`; optional for clients).
    id : str, optional
        The clients' id column (see :func:`read_clients`).

    Raises
    ------
    ValueError
        When both ``count`` and ``hours`` are named.

    Examples
    --------
    >>> DemandColumns(count="aged_65_plus", area="oa21cd").hours is None
    True
    """

    count: str | None = None
    hours: str | None = None
    area: str | None = None
    id: str | None = None

    def __post_init__(self) -> None:
        for name in ("count", "hours", "area", "id"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ArgumentError(f"{name} must be a column's name, not {value!r}")
        if self.count and self.hours:
            raise ArgumentError("give count= (area counts) or hours= (clients), not both")


_PERCENT = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))\s*%$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
_FACTOR_FIX = "write a multiplier such as 1.21, or a percentage such as +21% (1 or 0%: no change)"


@overload
def read_demand(
    source: Source,
    *,
    columns: DemandColumns | None = ...,
    crs: object = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_demand(
    source: Source,
    *,
    columns: DemandColumns | None = ...,
    crs: object = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
) -> Collected: ...
@overload
def read_demand(
    source: Source,
    *,
    columns: DemandColumns | None = ...,
    crs: object = ...,
    postcode_lookup: PathLike | None = ...,
    area: object = ...,
    max_outside_km: float = ...,
    sheet: str | int | None = ...,
    errors: Errors,
) -> gpd.GeoDataFrame | Collected: ...
def read_demand(
    source: Source,
    *,
    columns: DemandColumns | None = None,
    crs: object = None,
    postcode_lookup: PathLike | None = None,
    area: object = None,
    max_outside_km: float = 2.0,
    sheet: str | int | None = None,
    errors: Errors = "raise",
) -> gpd.GeoDataFrame | Collected:
    """Read demand, clients with weekly hours or counts by area, checking every row at once.

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or GeoDataFrame
        A CSV, Excel, GeoPackage or GeoJSON file, or a table (as :func:`read_points` takes).
    columns : DemandColumns, optional
        Which columns hold the counts (areas) or hours (clients), the area codes and the
        clients' ids (:class:`DemandColumns`; by default each is found by its aliases, and
        the kind by which of them the file has).
    crs : object, optional
        As :func:`read_points` takes it.
    postcode_lookup : str or os.PathLike, optional
        As :func:`read_points` takes it.
    area : RoadNetwork or shapely geometry, optional
        The road network's area: rows more than ``max_outside_km`` outside it are listed as
        problems.
    max_outside_km : float, default 2.0
        How far outside ``area`` a row may lie.
    sheet : str or int, optional
        As :func:`read_points` takes it.
    errors : {"raise", "collect"}, default "raise"
        Raise one :class:`~carezones.ValidationError` with every problem, or return
        :class:`~carezones.io.Collected` ``(valid, rejected)``: the valid rows, and the
        problems table naming every row left out and why.

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        Points in EPSG:4326 (a polygon becomes a point inside it): every original column plus
        ``demand_id`` (client id, area code, or the row number), ``area`` (code or empty),
        ``weight`` (hours or count) and ``source_row``. ``attrs["carezones_demand"]`` says the
        ``kind`` (a :class:`DemandKind`: ``"clients"`` or ``"areas"``), the ``unit`` and the
        ``source``.

    Raises
    ------
    ValidationError
        Every problem: a missing or non-numeric count or hours, a negative count, a repeated
        area code, a row far outside the network's area, ...
    ValueError
        When ``errors`` is neither ``"raise"`` nor ``"collect"``.

    Examples
    --------
    Counts of people by area, each area located by a point:

    >>> import pandas as pd
    >>> from carezones.io import read_demand
    >>> table = pd.DataFrame({"LSOA21CD": ["E01000001", "E01000002"], "lat": [54.39, 54.40],
    ...                       "lon": [1.59, 1.60], "count": [12, 7]})
    >>> demand = read_demand(table)
    >>> demand[["demand_id", "area", "weight"]]
       demand_id       area  weight
    0  E01000001  E01000001    12.0
    1  E01000002  E01000002     7.0
    >>> demand.attrs["carezones_demand"]["kind"], demand.attrs["carezones_demand"]["unit"]
    ('areas', 'people')
    """
    cols = DemandColumns() if columns is None else columns
    if not isinstance(cols, DemandColumns):
        raise ArgumentError(f"columns must be DemandColumns, not {type(cols).__name__}")
    count_column, hours_column = cols.count, cols.hours
    area_column, id_column = cols.area, cols.id
    if isinstance(source, gpd.GeoDataFrame) and "carezones_demand" in source.attrs:
        out = source.copy()
        out.attrs = dict(source.attrs)
        _check_inside(out, area, max_outside_km)
        return out
    names, label = _columns(source, sheet)
    kind, count = _kind(names, count_column, hours_column, label)
    code = find_named(names, area_column) if area_column else find_column(names, AREA_ALIASES)
    if area_column and code is None:
        raise ValidationError(
            _file_problem(_given_missing(area_column, Argument.AREA_COLUMN, names), area_column),
            label,
        )
    _check_errors(errors)
    given: CrsLike | None = cast("CrsLike | None", crs)  # checked when read, as a problem
    opts = ReadOptions(crs=given, postcode_lookup=postcode_lookup, max_outside_km=max_outside_km)
    if kind is DemandKind.CLIENTS:
        fields = _client_fields(id_column, hours_column, (), ())
        got, probs = _read(source, opts, fields, sheet=sheet, area=area, errors="collect")
        if errors == "raise" and probs.listed(every_row=True):
            raise ValidationError(probs.listed(every_row=True), label)
        rejected = probs.table(every_row=True)
        ids = got["client_id"].astype(str)
        weight = got["hours_per_week"].to_numpy(float)
        unit = "h/week of care"
    else:
        assert count is not None
        req = [count] + ([code] if code else [])
        fields = _spec_fields(req, [count])
        polygons = replace(opts, allow_polygons=True)
        got, first = _read(source, polygons, fields, sheet=sheet, area=area, errors="collect")
        got, rejected = _check_counts(got, count, code, label, first, errors)
        weight = got[count].to_numpy(float)
        ids = got[code].map(_code) if code else got["source_row"].astype(str)
        unit = _unit(count)
    out = got.copy()
    out["demand_id"] = ids.to_numpy()
    out["area"] = out[code].map(_code).to_numpy() if code else ""
    out["weight"] = weight
    poly = out.geometry.geom_type != "Point"
    if poly.any():
        out.loc[poly, "geometry"] = out.geometry[poly].representative_point()
    out.attrs["carezones_demand"] = {
        "kind": str(kind),
        "unit": unit,
        "source": label,
        "count_column": count,
        "area_column": code,
    }
    out.attrs["carezones_read"] = got.attrs.get("carezones_read", {})
    if errors == "collect":
        return Collected(out, rejected)
    return out


def _columns(source: Source, sheet: str | int | None) -> tuple[list[str], str]:
    """Return the column names of a source (read once more by the point reader)."""
    label = source_name(source)
    if isinstance(source, pd.DataFrame):
        return [str(c) for c in source.columns if c != "geometry"], label
    probs = Problems(label)
    try:
        table = read_table(source, sheet, probs)
    except ValidationError:
        return [], label  # the point reader reports what is wrong with the file
    return [str(c) for c in table.frame.columns], label


def _kind(
    columns: list[str], count_column: str | None, hours_column: str | None, label: str
) -> tuple[DemandKind, str | None]:
    """Tell clients from area counts by the columns (or by what the caller named)."""
    if hours_column:
        return DemandKind.CLIENTS, None
    if count_column:
        col = find_named(columns, count_column)
        if col is None and columns:
            missing = _given_missing(count_column, Argument.COUNT_COLUMN, columns)
            raise ValidationError(_file_problem(missing, count_column), label)
        return DemandKind.AREAS, col or count_column
    col = find_column(columns, COUNT_ALIASES)
    if col is not None:
        return DemandKind.AREAS, col
    if find_column(columns, HOURS_ALIASES) is not None or not columns:
        return DemandKind.CLIENTS, None
    raise ValidationError(
        _file_problem(
            (
                f"no weekly hours column (clients) and no count column (areas); columns found: "
                f"{listing(columns)}",
                Fix(
                    "add 'hours_per_week' for clients, or 'count' (e.g. people aged 65+) for areas",
                    Argument.COUNT_COLUMN,
                    about="the name of your count column",
                ),
            )
        ),
        label,
    )


def _given_missing(name: str, argument: Argument, columns: list[str]) -> tuple[Reason, Fix]:
    """Return the reason and fix of a column named by an argument that the file lacks."""
    return (
        Reason(f"column '{name}' given by ", argument, after=" is not in the file"),
        Fix(argument=argument, ask=Ask.COLUMN, choices=tuple(columns)),
    )


def _file_problem(problem: tuple[str | Reason, Fix], column: str | None = None) -> list[Problem]:
    probs = Problems()
    probs.add_file(*problem, column)
    return probs.listed()


def _code(value: object) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unit(column: str) -> str:
    """Return what a count column counts, in words ("people aged 65 plus")."""
    plain = column.strip().lower()
    if plain in ("count", "population", "people", "persons", "residents", "value", "demand"):
        return "people"
    words = column.replace("_", " ").strip()
    return f"people {words}" if plain.startswith(("age", "over")) else words


def _check_counts(
    got: gpd.GeoDataFrame,
    count: str,
    code: str | None,
    label: str,
    earlier: Problems,
    errors: str,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Find negative counts and repeated area codes; raise them with the reader's problems.

    With ``errors="collect"``, return the valid rows and every problem instead.
    """
    probs = Problems(label, rows=got["source_row"].to_numpy())
    probs.extend(earlier)
    values = got[count].to_numpy(float)
    for neg in np.flatnonzero(values < 0):
        probs.add(neg, count, float(values[neg]), "a negative count", "give it as 0 or more")
    if code:
        first: dict[str, int] = {}
        for pos, value in enumerate(got[code].map(_code).tolist()):
            if value in first:
                probs.add(
                    pos,
                    code,
                    value,
                    f"area code repeated (first in row {probs.rows[first[value]]})",
                    "give each area one row: add up its counts, or delete the repeat",
                )
            else:
                first[value] = pos
    if errors == "raise":
        probs.raise_if_any()
    return got[~probs.bad].reset_index(drop=True), probs.table(every_row=True)


def _check_inside(demand: gpd.GeoDataFrame, area: object, max_outside_km: float) -> None:
    """List the rows of already read demand that lie too far outside the network's area."""
    geom = area_geometry(area)
    if geom is None or len(demand) == 0:
        return
    zone = Area(geom, max_outside_km)
    km = zone.km(demand.geometry.to_crs("EPSG:4326").to_numpy())
    rows = demand["source_row"].to_numpy() if "source_row" in demand else np.arange(1, len(km) + 1)
    probs = Problems(demand.attrs["carezones_demand"].get("source", "demand"), rows=rows)
    for pos in np.flatnonzero(km > max_outside_km):
        probs.add(pos, None, None, *_outside(float(km[pos]), max_outside_km))
    probs.raise_if_any()


# ---------------------------------------------------------------------- growth
def read_growth(
    source: Source, *, area_column: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read growth scenarios: per area, a multiplier of today's demand for each scenario.

    The table has an area code column (an alias of :data:`AREA_ALIASES`, else the first
    column) and one column per scenario, named as it should be reported (``2029``,
    ``2038 high``...). A factor is a multiplier (``1.21``) or a percentage (``+21%``,
    ``-5%``); an area code ``*`` (or ``all``) gives the factor of every area not listed.

    Parameters
    ----------
    source : str, os.PathLike or DataFrame
        A CSV or Excel file, or a table.
    area_column : str, optional
        The area code column.
    sheet : str or int, optional
        The sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        ``area`` (text), one float column of multipliers per scenario, ``source_row``.

    Raises
    ------
    ValidationError
        Every problem at once: a blank, unreadable, negative or implausible factor (``21``
        is refused: ``1.21`` or ``+21%`` says what is meant), a blank or repeated area code,
        no scenario column, a scenario written twice or named as one of
        :data:`RESERVED_SCENARIOS` (``now``, ``all``...).

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.io import read_growth
    >>> read_growth(pd.DataFrame({"area": ["E01000001", "*"], "2029": ["+21%", "1.05"]}))
            area  2029  source_row
    0  E01000001  1.21           1
    1          *  1.05           2
    """
    label = source_name(source)
    probs = Problems(label)
    table = read_table(source, sheet, probs)
    probs.start(table.rows)
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    if area_column:
        code = find_named(columns, area_column)
        if code is None:
            probs.stop(*_given_missing(area_column, Argument.AREA_COLUMN, columns), area_column)
    else:
        code = find_column(columns, AREA_ALIASES) or (columns[0] if columns else None)
    scenarios = [c for c in columns if c != code and not c.startswith("Unnamed")]
    if code is None or not scenarios:
        probs.stop(
            "the growth table needs an area code column and at least one scenario "
            f"column; columns found: {listing(columns)}",
            "write one row per area code ('*' for every other area) and one column per "
            "scenario, e.g. area_code,2029,2038 then E00000001,1.21,1.45",
        )
    assert code is not None
    _check_scenario_names(scenarios, table.renamed, probs)
    out = pd.DataFrame({"area": [_code(v) for v in frame[code].tolist()]})
    first: dict[str, int] = {}
    for pos, value in enumerate(out["area"].tolist()):
        key = "*" if value.lower() in EVERY_AREA else value
        if not value:
            probs.add(
                pos,
                code,
                None,
                "missing area code",
                "give the area's code, or '*' for every area not listed",
            )
        elif key in first:
            probs.add(
                pos,
                code,
                value,
                f"area repeated (first in row {probs.rows[first[key]]})",
                "give each area one row",
            )
        else:
            first[key] = pos
        out.loc[pos, "area"] = key
    for name in scenarios:
        factors = np.full(len(out), np.nan)
        for pos, cell in enumerate(frame[name].tolist()):
            factor, reason = _factor(cell)
            if reason:
                probs.add(pos, name, None if is_blank(cell) else cell, reason, _FACTOR_FIX)
            else:
                factors[pos] = factor
        out[name] = factors
    probs.raise_if_any()
    out["source_row"] = table.rows
    out.attrs["carezones_growth"] = {"source": label, "scenarios": scenarios}
    return out


def _check_scenario_names(scenarios: list[str], renamed: dict[str, str], probs: Problems) -> None:
    """Report a scenario written twice, or named as a reserved scenario (``now``, ``all``)."""
    for name in scenarios:
        if name in renamed:
            probs.add_file(
                f"the scenario '{renamed[name]}' has two columns: which one holds its factors "
                "is not clear",
                "keep one column per scenario, or give each its own name (e.g. '2029 low', "
                "'2029 high')",
                column=renamed[name],
            )
        elif name.strip().lower() in RESERVED_SCENARIOS:
            probs.add_file(
                f"a scenario cannot be called '{name}': that name already means "
                f"{RESERVED_SCENARIOS[name.strip().lower()]}",
                f"rename the column, e.g. '{name} growth'",
                column=name,
            )


def _factor(cell: object) -> tuple[float, str]:
    """Return (multiplier, "") or (nan, reason) for a growth factor cell."""
    if is_blank(cell):
        return np.nan, "missing growth factor"
    if isinstance(cell, bool | np.bool_):
        return np.nan, "a growth factor must be a number"
    text = str(cell).strip().replace("\u2212", "-")
    match = _PERCENT.match(text)
    if match:
        factor = 1.0 + float(match.group(1)) / 100.0
    elif isinstance(cell, int | float | np.integer | np.floating) or _NUMBER.match(text):
        factor = float(text)
        if factor > 10:
            return np.nan, f"{text} is not a multiplier (that would be {factor:g} times today)"
    else:
        return np.nan, "a growth factor must be a number or a percentage"
    if not np.isfinite(factor) or factor < 0:
        return np.nan, "a growth factor cannot make demand negative"
    return factor, ""
