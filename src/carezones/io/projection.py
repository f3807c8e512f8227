"""Read what sizes the need for housing with care: population projections, rates and areas.

:func:`carezones.project_demand` multiplies an authority's projected people in each age band by
a prevalence rate per 1,000 and spreads the homes over small areas. It reads three inputs, each
checked in one pass (every problem of a file in one :class:`~carezones.ValidationError`, with
its row, column and a fix):

**Projections** (:func:`read_projections`): people by local authority, single year of age and
year. Two forms are read:

- the tables ONS publishes with its sub-national population projections (SNPP, 2018-based and
  later: ``2018 SNPP Population persons.csv``): columns ``AREA_CODE``, ``AREA_NAME``,
  ``COMPONENT``, ``SEX``, ``AGE_GROUP`` and one column per year (``2018`` ... ``2043``); ages
  ``"0"`` to ``"89"`` and ``"90 and over"``. Rows ``"All ages"`` are totals and skipped, as are
  rows whose ``COMPONENT`` is not ``Population``. ``SEX`` ``persons`` is used; an area with only
  ``male`` and ``female`` rows (the sexes' own files pasted together) has them added up.
- a long table: ``area_code``, ``age``, ``year``, ``persons`` (and optionally ``sex``), one row
  per area, age and year (:data:`LONG_COLUMNS`; aliases such as ``population`` or ``value``).

Ages must be single years, with at most one open-ended top group (``"90 and over"``, ``"90+"``):
an age band such as ``"75-79"`` is refused, because splitting it to fit the rates' bands would
be a guess. Every area must have every single year of age from its youngest to its oldest, and
every year (the long form).

**Prevalence** (:func:`read_prevalence`): ``age_band`` (``"75-79"``, ``"85+"``, ``"85 and
over"``) and ``per_1000``, the homes of housing with care needed per 1,000 people of that age.
Bands may not overlap or leave gaps; a rate is a number from 0 to 1,000. carezones has no rates
of its own: they are the council's choice (Housing LIN's SHOP@ tool is the usual source).

**Areas** (:func:`read_projection_areas`): the small areas the homes are spread over (LSOAs,
wards...), points or polygons with a code (``area_code``, ``lsoa21cd``...) and a weight, either
today's older population (``spread_by="population"``: ``aged_75_plus``, ``population``...) or
the clients counted in each area (``spread_by="clients"``: ``clients``, ``client_count``...);
and, when the projections hold more than one authority, the authority each area is in
(``lad22cd``, ``authority_code``...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import (
    Argument,
    ArgumentError,
    Ask,
    Fix,
    Problems,
    Reason,
    ValidationError,
    listing,
)
from carezones.io._cells import find_column, find_named, is_blank, norm
from carezones.io._table import Source, read_table, source_name
from carezones.io.demand import AREA_ALIASES, COUNT_ALIASES, DemandColumns, _code, read_demand
from carezones.io.options import ReadOptions

__all__ = [
    "AUTHORITY_ALIASES",
    "CLIENT_COUNT_ALIASES",
    "LONG_COLUMNS",
    "ONS_COLUMNS",
    "POPULATION_ALIASES",
    "SPREAD_BY",
    "check_projection_years",
    "parse_age",
    "read_prevalence",
    "read_projection_areas",
    "read_projections",
]

ONS_COLUMNS: tuple[str, ...] = ("AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP")
"""The columns of ONS's SNPP tables before the year columns (``AREA_NAME``, ``COMPONENT`` and
``SEX`` may be left out)."""

LONG_COLUMNS: tuple[str, ...] = ("area_code", "age", "year", "persons")
"""The columns of a projection in the long form (``sex`` may be added)."""

AUTHORITY_ALIASES: tuple[str, ...] = (
    "authority_code",
    "authority",
    "la_code",
    "lad_code",
    "ladcd",
    "lad24cd",
    "lad23cd",
    "lad22cd",
    "lad21cd",
    "lad20cd",
    "lad19cd",
    "lad18cd",
    "utla_code",
    "utla23cd",
    "utla22cd",
    "utla21cd",
    "ctyua_code",
    "ctyua23cd",
    "ctyua22cd",
    "ctyua21cd",
    "district_code",
)
"""Column names read as the local authority an area is in (its code in the projections)."""

POPULATION_ALIASES: tuple[str, ...] = (
    "aged_75_plus",
    "age_75_plus",
    "aged_75_and_over",
    "over_75",
    "over_75s",
    "pop_75_plus",
    "population_75_plus",
    "people_75_plus",
    "older_population",
    "older_people",
    *COUNT_ALIASES,
)
"""Column names read as an area's older population (``spread_by="population"``)."""

CLIENT_COUNT_ALIASES: tuple[str, ...] = (
    "clients",
    "client_count",
    "n_clients",
    "number_of_clients",
    "clients_count",
    "service_users",
    "people_supported",
    "people_receiving_care",
)
"""Column names read as the clients counted in an area (``spread_by="clients"``)."""

SPREAD_BY: dict[str, str] = {
    "population": "today's older population",
    "clients": "the clients counted in each area",
}
"""What the homes may be spread over the areas in proportion to, in words."""

_AREA = ("area_code", *AUTHORITY_ALIASES, *AREA_ALIASES)
_AGE = ("age_group", "age", "single_year_of_age", "age_years")
_YEAR = ("year", "projection_year", "date", "period")
_PERSONS = ("persons", "population", "people", "count", "value", "obs_value")
_SEX = ("sex", "gender")
_NAME = ("area_name", "name", "geography_name", "lad_name")
_BAND = ("age_band", "age_group", "band", "ages", "age")
_RATE = (
    "per_1000",
    "per_thousand",
    "rate_per_1000",
    "per_1000_people",
    "prevalence_per_1000",
    "prevalence",
    "rate",
)
_YEAR_COLUMN = re.compile(r"^(\d{4})(?:\.0)?$")
_AGED = r"(?:aged?\s*)?"
_SINGLE = re.compile(rf"^{_AGED}(\d{{1,3}})(?:\s*years?)?$", re.IGNORECASE)
_OPEN = re.compile(
    rf"^{_AGED}(\d{{1,3}})\s*(?:years?\s*)?"
    r"(?:\+|plus|and over|and older|or over|or older|& over)$",
    re.IGNORECASE,
)
_BAND_RE = re.compile(
    rf"^{_AGED}(\d{{1,3}})\s*(?:-|\u2013|\u2014|to)\s*(\d{{1,3}})(?:\s*years?)?$", re.IGNORECASE
)
_TOTALS = frozenset({"allages", "all", "total", "allpersons", "totalallages"})
_SEXES = {
    "persons": "persons",
    "allpersons": "persons",
    "all": "persons",
    "total": "persons",
    "people": "persons",
    "both": "persons",
    "male": "male",
    "males": "male",
    "men": "male",
    "m": "male",
    "female": "female",
    "females": "female",
    "women": "female",
    "f": "female",
}
_FORMS_FIX = (
    "give ONS's sub-national population projection by single year of age (the 'persons' "
    "table: AREA_CODE, AREA_NAME, COMPONENT, SEX, AGE_GROUP, then a column per year), or a "
    "long table area_code, age, year, persons"
)
_SINGLE_YEARS_FIX = (
    "use ONS's table by single year of age (AGE_GROUP '0' to '89' and '90 and over'): bands "
    "cannot be split to fit the rates without a guess"
)
_COUNT_FIX = "give the projected number of people, a number of 0 or more"

type AgeKind = Literal["blank", "single", "open", "band", "total", "bad"]


def parse_age(cell: object) -> tuple[AgeKind, int, int | None]:
    """Read an age cell: a single year, an open-ended group, a band, a total or none of these.

    Parameters
    ----------
    cell : object
        The cell (``"75"``, ``75``, ``"90 and over"``, ``"90+"``, ``"75-79"``, ``"All ages"``).

    Returns
    -------
    kind : {"blank", "single", "open", "band", "total", "bad"}
        What the cell is.
    start : int
        The first age (0 when none).
    end : int or None
        The last age: the same as ``start`` for a single year, ``None`` for an open-ended
        group (and when there is none).

    Examples
    --------
    >>> [parse_age(c) for c in ("75", 80, "90 and over", "85+", "75-79", "All ages", "old")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('single', 75, 75), ('single', 80, 80), ('open', 90, None), ('open', 85, None),
     ('band', 75, 79), ('total', 0, None), ('bad', 0, None)]
    """
    if is_blank(cell):
        return "blank", 0, None
    if isinstance(cell, bool | np.bool_):
        return "bad", 0, None
    if isinstance(cell, int | float | np.integer | np.floating):
        value = float(cell)
        if value.is_integer() and 0 <= value < 1000:
            return "single", int(value), int(value)
        return "bad", 0, None
    text = " ".join(str(cell).split())
    if match := _SINGLE.match(text):
        return "single", int(match.group(1)), int(match.group(1))
    if match := _OPEN.match(text):
        return "open", int(match.group(1)), None
    if match := _BAND_RE.match(text):
        return "band", int(match.group(1)), int(match.group(2))
    if norm(text) in _TOTALS:
        return "total", 0, None
    return "bad", 0, None


def _span(years: Sequence[int]) -> str:
    """Return years in words: ``2018 to 2043`` when they run on, else listed."""
    years = sorted(years)
    if not years:
        return "no year"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 2:
        return f"{years[0]} to {years[-1]}"
    return ", ".join(str(y) for y in years)


def _ranges(ages: Iterable[int]) -> str:
    """Return ages as runs: ``80 to 82, 85``."""
    ages = sorted(ages)
    runs: list[str] = []
    start = prev = ages[0]
    for age in [*ages[1:], None]:
        if age is not None and age == prev + 1:
            prev = age
            continue
        runs.append(str(start) if start == prev else f"{start} to {prev}")
        if age is not None:
            start = prev = age
    return ", ".join(runs)


def _check_years(years: Sequence[int] | int | None) -> list[int]:
    """Return the years asked as a list; refuse anything but whole numbers."""
    if years is None:
        return []
    given: Sequence[object] = (
        [years] if isinstance(years, int | np.integer | bool | str) else list(years)
    )
    out = []
    for year in given:
        if isinstance(year, bool) or not isinstance(year, int | np.integer):
            raise ArgumentError(f"years must be whole years such as 2030, not {year!r}")
        out.append(int(year))
    return out


def _counts(
    values: pd.Series,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Parse a column of counts at once: (numbers, blank, not a number); NaN where not."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        nums = values.to_numpy(dtype=float, na_value=np.nan)
        blank = np.isnan(nums)
        bad = np.isinf(nums)
    else:
        text = values.astype("string").str.strip()
        blank = (values.isna() | text.eq("").fillna(True)).to_numpy(dtype=bool)
        cleaned = text.str.replace("\u2212", "-", regex=False)
        nums = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        is_bool = values.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy(dtype=bool)
        bad = (~blank & ~np.isfinite(nums)) | is_bool
    nums = np.where(bad | blank, np.nan, nums)
    return nums, blank, bad


def _count_problems(
    probs: Problems, positions: npt.NDArray[np.int64], column: str, values: pd.Series
) -> npt.NDArray[np.float64]:
    """Record blank, unreadable and negative counts; return the numbers (NaN where bad)."""
    nums, blank, bad = _counts(values)
    cells = values.to_numpy(dtype=object)
    for i in np.flatnonzero(blank):
        probs.add(positions[i], column, None, "missing count", _COUNT_FIX)
    for i in np.flatnonzero(bad):
        probs.add(positions[i], column, cells[i], "a count must be a number", _COUNT_FIX)
    for i in np.flatnonzero(nums < 0):
        probs.add(positions[i], column, cells[i], "a negative count", _COUNT_FIX)
    return nums


# ---------------------------------------------------------------------- projections
def read_projections(
    source: Source, *, years: Sequence[int] | int | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a population projection by area, single year of age and year (ONS's or long).

    See the module's docstring for the two forms read and how ages, sexes and totals are
    treated.

    Parameters
    ----------
    source : str, os.PathLike or DataFrame
        A CSV or Excel file, or a table.
    years : int or sequence of int, optional
        The years that will be asked for: each must be in the table (a problem naming the
        years it has otherwise).
    sheet : str or int, optional
        The sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        One row per area and age: ``area`` (the code), ``area_name``, ``age`` (the first age
        of an open-ended group), ``open_ended`` (``True`` for ``"90 and over"``), then one
        column per year named by the year (``"2018"``...), the number of people (persons).
        ``attrs["carezones_projection"]`` holds the ``source``, the ``form`` (``"ons"`` or
        ``"long"``) and the ``years``.

    Raises
    ------
    ValidationError
        Every problem at once: not a projection's columns, an age band or unreadable age, a
        missing, unreadable or negative count, a row repeated, ages or years missing for an
        area, a sex that is not persons, male or female, a year asked that the table lacks.
    ArgumentError
        When ``years`` are not whole numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"AREA_CODE": ["E06000001"] * 3, "AREA_NAME": ["Hartside"] * 3,
    ...     "COMPONENT": ["Population"] * 3, "SEX": ["persons"] * 3,
    ...     "AGE_GROUP": ["88", "89", "90 and over"], "2018": [510, 480, 2900],
    ...     "2030": [700, 650, 4100]})
    >>> read_projections(table, years=[2030])
            area area_name  age  open_ended    2018    2030
    0  E06000001  Hartside   88       False   510.0   700.0
    1  E06000001  Hartside   89       False   480.0   650.0
    2  E06000001  Hartside   90        True  2900.0  4100.0
    >>> read_projections(table, years=[2040])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 1 problem(s):
      - file: year 2040 is not in the projections: they have 2018, 2030. Fix: ...
    """
    asked = _check_years(years)
    label = source_name(source)
    probs = Problems(label)
    table = read_table(source, sheet, probs)
    probs.raise_if_any()
    probs.start(table.rows)
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    year_columns = {
        c: int(m.group(1))
        for c in columns
        if (m := _YEAR_COLUMN.match(c.strip())) and 1900 <= int(m.group(1)) <= 2200
    }
    area = find_column(columns, _AREA)
    age = find_column(columns, _AGE)
    wide = bool(year_columns)
    year_col = persons_col = None
    if not wide:
        year_col, persons_col = find_column(columns, _YEAR), find_column(columns, _PERSONS)
    if area is None or age is None or (not wide and (year_col is None or persons_col is None)):
        probs.stop(
            "not a population projection: it needs an area code, an age and a year column per "
            f"year (ONS: {', '.join(ONS_COLUMNS)}, 2018, 2019...) or {', '.join(LONG_COLUMNS)} "
            f"(the long form); columns found: {listing(columns)}",
            _FORMS_FIX,
        )
    sex = find_column(columns, _SEX)
    component = find_column(columns, ("component",))
    name = find_column(columns, _NAME)
    rows = _row_keys(frame, probs, area, age, sex, component)
    if wide:
        values = {
            str(year): _count_problems(
                probs, rows.index.to_numpy(), col, frame[col].iloc[rows.index]
            )
            for col, year in sorted(year_columns.items(), key=lambda kv: kv[1])
        }
        recs = rows.assign(**values)
        keys = ["area", "sex", "age", "open_ended"]
    else:
        assert year_col is not None and persons_col is not None
        pos = rows.index.to_numpy()
        recs = rows.assign(
            year=_years(probs, pos, year_col, frame[year_col].iloc[pos]),
            persons=_count_problems(probs, pos, persons_col, frame[persons_col].iloc[pos]),
        )
        keys = ["area", "sex", "age", "open_ended", "year"]
    _repeats(probs, recs, keys, age)
    probs.raise_if_any()  # the shape of each area is checked on clean rows only
    recs = recs[~probs.bad[recs.index.to_numpy()]]
    recs = _chosen_sexes(probs, recs, sex)
    if wide:
        out = recs.groupby(["area", "age", "open_ended"], sort=True)[list(values)].sum()
    else:
        _every_year(probs, recs)
        out = recs.pivot_table(
            index=["area", "age", "open_ended"], columns="year", values="persons", aggfunc="sum"
        )
        out.columns = [str(int(c)) for c in out.columns]
    out = out.reset_index()
    _every_age(probs, out, age)
    have = [int(c) for c in out.columns[3:]]
    _missing_years(probs, have, asked)
    probs.raise_if_any()
    names = _names(frame, rows, name)
    out.insert(1, "area_name", [names.get(str(code), "") for code in out["area"]])
    out["open_ended"] = out["open_ended"].astype(bool)
    out["age"] = out["age"].astype(int)
    out = out.sort_values(["area", "open_ended", "age"], kind="stable").reset_index(drop=True)
    out.attrs["carezones_projection"] = {
        "source": label,
        "form": "ons" if wide else "long",
        "years": have,
    }
    return out


def check_projection_years(projections: pd.DataFrame, years: Sequence[int] | int) -> None:
    """Raise when a year asked is not in projections already read (naming the years they have).

    Parameters
    ----------
    projections : pandas.DataFrame
        As :func:`read_projections` returns it.
    years : int or sequence of int
        The years asked for.

    Raises
    ------
    ValidationError
        Naming the years missing and the years the table has.
    ArgumentError
        When ``years`` are not whole numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> table = read_projections(pd.DataFrame({"area_code": ["E1", "E1"], "age": [90, 90],
    ...                                        "year": [2022, 2030], "persons": [5, 7]}))
    >>> check_projection_years(table, [2030])
    >>> check_projection_years(table, [2038])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 1 problem(s):
      - file: year 2038 is not in the projections: they have 2022, 2030. Fix: ...
    """
    meta = projections.attrs.get("carezones_projection", {})
    have = [int(y) for y in meta.get("years", [])]
    probs = Problems(str(meta.get("source", "projections")))
    _missing_years(probs, have, _check_years(years))
    probs.raise_if_any()


def _missing_years(probs: Problems, have: list[int], asked: list[int]) -> None:
    """Record the years asked that the projections do not have (one problem for them all)."""
    missing = [y for y in dict.fromkeys(asked) if y not in have]
    if not missing:
        return
    word = "year" if len(missing) == 1 else "years"
    verb = "is" if len(missing) == 1 else "are"
    probs.add_file(
        f"{word} {', '.join(map(str, missing))} {verb} not in the projections: they have "
        f"{_span(have)}",
        Fix(
            f"use projections that reach {max(missing)}",
            Argument.YEARS,
            Ask.VALUE,
            about=f"years the projections have ({_span(have)})",
        ),
    )


def _row_keys(
    frame: pd.DataFrame,
    probs: Problems,
    area: str,
    age: str,
    sex: str | None,
    component: str | None,
) -> pd.DataFrame:
    """Return each used row's area, sex and age (by position); record what is wrong with them.

    Rows of totals (``All ages``) and of another component than ``Population`` are left out.
    """
    codes = [_code(v) for v in frame[area].tolist()]
    ages = frame[age].tolist()
    sexes = frame[sex].tolist() if sex else ["persons"] * len(frame)
    comps = frame[component].tolist() if component else [None] * len(frame)
    parsed: dict[object, tuple[AgeKind, int, int | None]] = {}
    keep: list[int] = []
    out_sex: list[str] = []
    out_age: list[int] = []
    out_open: list[bool] = []
    for pos, (code, cell, sx, comp) in enumerate(zip(codes, ages, sexes, comps, strict=True)):
        if comp is not None and not is_blank(comp) and norm(comp) != "population":
            continue
        key = cell if isinstance(cell, str | int) else repr(cell)
        if key not in parsed:
            parsed[key] = parse_age(cell)
        kind, start, end = parsed[key]
        if kind == "total":
            continue
        good = True
        if not code:
            probs.add(pos, area, None, "missing area code", "give the area's code (AREA_CODE)")
            good = False
        if kind == "band":
            probs.add(
                pos,
                age,
                cell,
                f"an age band ({start} to {end}) where single years of age are needed",
                _SINGLE_YEARS_FIX,
            )
            good = False
        elif kind in ("blank", "bad"):
            reason = "missing age" if kind == "blank" else "not an age"
            probs.add(
                pos,
                age,
                None if kind == "blank" else cell,
                reason,
                "write a single year of age ('75'), or the open-ended top group ('90 and over')",
            )
            good = False
        which = _SEXES.get(norm(sx), "") if not is_blank(sx) else ""
        if not which:
            probs.add(
                pos,
                sex,
                None if is_blank(sx) else sx,
                "missing sex" if is_blank(sx) else "not a sex ONS's tables use",
                "write persons (or male and female rows to be added up)",
            )
            good = False
        if good:
            keep.append(pos)
            out_sex.append(which)
            out_age.append(start)
            out_open.append(kind == "open")
    return pd.DataFrame(
        {
            "area": [codes[p] for p in keep],
            "sex": out_sex,
            "age": np.asarray(out_age, dtype=np.int64),
            "open_ended": np.asarray(out_open, dtype=bool),
        },
        index=pd.Index(np.asarray(keep, dtype=np.int64)),
    )


def _years(
    probs: Problems, positions: npt.NDArray[np.int64], column: str, cells: pd.Series
) -> npt.NDArray[np.float64]:
    """Return each row's year (NaN where not a year, recorded as a problem)."""
    nums, blank, bad = _counts(cells)
    values = cells.to_numpy(dtype=object)
    wrong = blank | bad | ~np.isfinite(nums) | (np.mod(np.nan_to_num(nums), 1) != 0)
    wrong |= (nums < 1900) | (nums > 2200)
    for i in np.flatnonzero(wrong):
        probs.add(
            positions[i],
            column,
            None if blank[i] else values[i],
            "missing year" if blank[i] else "not a year",
            "write the year the count is for, e.g. 2030",
        )
    return np.where(wrong, np.nan, nums)


def _repeats(probs: Problems, recs: pd.DataFrame, keys: list[str], column: str) -> None:
    """Record rows that repeat an earlier row's area, sex, age (and year)."""
    first = recs.reset_index(names="pos").groupby(keys, sort=False, dropna=False)["pos"]
    first_pos = first.transform("min").to_numpy()
    for pos, head, rec in zip(
        recs.index.to_numpy(), first_pos, recs.itertuples(index=False), strict=True
    ):
        if pos != head:
            age = f"{rec.age} and over" if rec.open_ended else str(rec.age)
            year = f" in {int(rec.year)}" if "year" in keys and not pd.isna(rec.year) else ""
            probs.add(
                pos,
                column,
                None,
                f"area {rec.area}, age {age}{year} repeated (first in row {probs.rows[head]})",
                "give each area, sex and age one row: delete the repeat",
            )


def _chosen_sexes(probs: Problems, recs: pd.DataFrame, sex: str | None) -> pd.DataFrame:
    """Keep each area's persons rows, else its male and female rows (added up later)."""
    keep = np.zeros(len(recs), dtype=bool)
    for area, idx in recs.groupby("area", sort=True).indices.items():
        present = set(recs["sex"].to_numpy()[idx])
        if "persons" in present:
            keep[idx] = recs["sex"].to_numpy()[idx] == "persons"
        elif {"male", "female"} <= present:
            keep[idx] = True
        else:
            probs.add_file(
                f"area {area} has {' and '.join(sorted(present))} rows only: the people of "
                "both sexes are needed",
                "give the persons rows, or both the male and the female rows",
                column=sex,
            )
    probs.raise_if_any()
    return recs[keep]


def _every_year(probs: Problems, recs: pd.DataFrame) -> None:
    """Record ages of an area lacking a count for some year of the table (the long form)."""
    years = sorted(int(y) for y in recs["year"].unique())
    counts = recs.groupby(["area", "age", "open_ended"])["year"].nunique()
    for area, group in counts[counts < len(years)].groupby(level="area", sort=True):
        (_, age, open_ended) = group.index[0]
        got = set(recs.loc[(recs.area == area) & (recs.age == age), "year"].astype(int))
        lacking = [y for y in years if y not in got]
        more = f" (and {len(group) - 1} other age(s))" if len(group) > 1 else ""
        probs.add_file(
            f"area {area} has no count for age {age}{' and over' if open_ended else ''} in "
            f"{_span(lacking)}{more}; the table has {_span(years)}",
            "give every age of every area a count for every year",
        )
    probs.raise_if_any()


def _every_age(probs: Problems, table: pd.DataFrame, column: str) -> None:
    """Record areas with a single year of age missing, or an open group overlapping them."""
    for area, group in table.groupby("area", sort=True):
        single = set(group.loc[~group.open_ended, "age"].astype(int))
        opens = sorted(group.loc[group.open_ended, "age"].astype(int))
        if len(opens) > 1:
            probs.add_file(
                f"area {area} has {len(opens)} open-ended age groups "
                f"({', '.join(f'{a} and over' for a in opens)})",
                "keep one, the oldest ages' group ('90 and over')",
                column=column,
            )
            continue
        top = opens[0] if opens else (max(single) + 1 if single else 0)
        if opens and single and top <= max(single):
            probs.add_file(
                f"area {area}: the group '{top} and over' holds the ages {top} to "
                f"{max(single)} that have rows of their own",
                "keep the single years below the open-ended group only",
                column=column,
            )
            continue
        if single:
            lacking = set(range(min(single), top)) - single
            if lacking:
                word = "age" if len(lacking) == 1 else "ages"
                probs.add_file(
                    f"area {area} has no rows for {word} {_ranges(lacking)}",
                    "give every single year of age, as ONS's tables do ('0' to '89' and "
                    "'90 and over')",
                    column=column,
                )


def _names(frame: pd.DataFrame, rows: pd.DataFrame, column: str | None) -> dict[str, str]:
    """Return each area's name (its first one given)."""
    if column is None:
        return {}
    names: dict[str, str] = {}
    cells = frame[column].to_numpy(dtype=object)
    for pos, code in zip(rows.index.to_numpy(), rows["area"].tolist(), strict=True):
        if code not in names and not is_blank(cells[pos]):
            names[code] = str(cells[pos]).strip()
    return names


# ---------------------------------------------------------------------- prevalence
def read_prevalence(source: Source, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read prevalence rates: homes of housing with care needed per 1,000 people, by age band.

    Parameters
    ----------
    source : str, os.PathLike or DataFrame
        A CSV or Excel file, or a table with an age band column (``age_band``; a band is
        ``75-79``, ``75 to 79``, ``85+`` or ``85 and over``, or one year ``75``) and a rate
        column (``per_1000``). Other columns (a note on the source) are ignored.
    sheet : str or int, optional
        The sheet of a workbook.

    Returns
    -------
    pandas.DataFrame
        The bands youngest first: ``age_band`` (as written), ``age_from``, ``age_to`` (``<NA>``
        for an open-ended band), ``per_1000`` and ``source_row``.

    Raises
    ------
    ValidationError
        Every problem at once: no band or rate column, a band that is not one or runs
        backwards, bands that overlap or leave a gap between them, a rate missing, not a
        number, negative or above 1,000.

    Examples
    --------
    Illustrative rates (not a published source):

    >>> import pandas as pd
    >>> rates = pd.DataFrame({"age_band": ["75-79", "80-84", "85+"], "per_1000": [10, 25, 60]})
    >>> read_prevalence(rates)
      age_band  age_from  age_to  per_1000  source_row
    0    75-79        75      79      10.0           1
    1    80-84        80      84      25.0           2
    2      85+        85    <NA>      60.0           3
    >>> read_prevalence(rates.assign(age_band=["75-79", "80-84", "84+"]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 1 problem(s) in 1 row(s):
      - row 3, column 'age_band' (value '84+'): overlaps the band '80-84' (row 2). Fix: ...
    """
    label = source_name(source)
    probs = Problems(label)
    table = read_table(source, sheet, probs)
    probs.raise_if_any()
    probs.start(table.rows)
    frame = table.frame
    columns = [str(c) for c in frame.columns]
    band, rate = find_column(columns, _BAND), find_column(columns, _RATE)
    if band is None or rate is None:
        probs.stop(
            "a prevalence table needs an age band column (age_band) and a rate column "
            f"(per_1000, homes per 1,000 people of that age); columns found: {listing(columns)}",
            "write one row per age band, e.g. age_band,per_1000 then 75-79,... with your "
            "council's rates (Housing LIN's SHOP@ tool is the usual source)",
        )
    n = len(frame)
    cells = frame[band].tolist()
    starts = np.zeros(n, dtype=np.int64)
    ends: list[int | None] = [None] * n
    banded = np.zeros(n, dtype=bool)
    for pos, cell in enumerate(cells):
        kind, start, end = parse_age(cell)
        if kind in ("single", "band", "open"):
            if end is not None and end < start:
                probs.add(
                    pos,
                    band,
                    cell,
                    "the band runs backwards",
                    "write the youngest age first, e.g. 75-79",
                )
            else:
                banded[pos] = True
            starts[pos], ends[pos] = start, end
        else:
            probs.add(
                pos,
                band,
                None if kind == "blank" else cell,
                "missing age band" if kind == "blank" else "not an age band",
                "write a band such as 75-79, or 85+ for the oldest ages",
            )
    nums, blank, bad = _counts(frame[rate])
    raw = frame[rate].to_numpy(dtype=object)
    fix = "give the homes needed per 1,000 people of the band, a number from 0 to 1,000"
    for pos in range(n):
        if blank[pos]:
            probs.add(pos, rate, None, "missing rate", fix)
        elif bad[pos]:
            probs.add(pos, rate, raw[pos], "a rate must be a number", fix)
        elif nums[pos] < 0:
            probs.add(pos, rate, raw[pos], "a negative rate", fix)
        elif nums[pos] > 1000:
            probs.add(pos, rate, raw[pos], "more homes than people (over 1,000 per 1,000)", fix)
    _overlaps_and_gaps(probs, band, cells, (banded, starts, ends))
    probs.raise_if_any()
    out = pd.DataFrame(
        {
            "age_band": [str(c).strip() for c in cells],
            "age_from": starts,
            "age_to": pd.array(ends, dtype="Int64"),
            "per_1000": nums,
            "source_row": table.rows,
        }
    )
    out = out.sort_values("age_from", kind="stable").reset_index(drop=True)
    out.attrs["carezones_prevalence"] = {"source": label}
    return out


def _overlaps_and_gaps(
    probs: Problems,
    column: str,
    cells: list[object],
    bands: tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], list[int | None]],
) -> None:
    """Record bands that overlap the band before them, or leave ages between them.

    ``bands`` says which rows hold a band, and each band's first and last age.
    """
    banded, starts, ends = bands
    good = [int(p) for p in np.flatnonzero(banded)]
    good.sort(key=lambda p: (int(starts[p]), p))
    prev: int | None = None
    for pos in good:
        if prev is not None:
            reach = ends[prev]
            before = f"the band '{str(cells[prev]).strip()}' (row {probs.rows[prev]})"
            if reach is None or starts[pos] <= reach:
                probs.add(
                    pos,
                    column,
                    cells[pos],
                    f"overlaps {before}",
                    "make the bands meet without overlapping, e.g. 75-79 then 80-84",
                )
                continue
            if starts[pos] > reach + 1:
                probs.add(
                    pos,
                    column,
                    cells[pos],
                    f"ages {_ranges(range(reach + 1, int(starts[pos])))} fall between this "
                    f"band and {before}",
                    "add a band for them (per_1000 0 if they need no homes), or widen a band",
                )
        prev = pos


# ---------------------------------------------------------------------- areas
def read_projection_areas(
    source: Source,
    *,
    spread_by: str = "population",
    weight_column: str | None = None,
    authority_column: str | None = None,
    area: object = None,
    sheet: str | int | None = None,
    options: ReadOptions | None = None,
) -> gpd.GeoDataFrame:
    """Read the small areas projected homes are spread over, with their weights and authority.

    Parameters
    ----------
    source : str, os.PathLike, DataFrame or GeoDataFrame
        Points or polygons (anything :func:`~carezones.io.read_demand` reads as counts by
        area) with an area code (``area_code``, ``lsoa21cd``...) and a weight column.
    spread_by : {"population", "clients"}, default "population"
        What the weight is: today's older population (``aged_75_plus``, ``population``... see
        :data:`POPULATION_ALIASES`) or the clients counted in each area (``clients``,
        ``client_count``... see :data:`CLIENT_COUNT_ALIASES`).
    weight_column : str, optional
        The weight column, when its name is none of those.
    authority_column : str, optional
        The column of each area's local authority code (default: one of
        :data:`AUTHORITY_ALIASES`, when there is one).
    area : RoadNetwork or shapely geometry, optional
        The road network's area: rows far outside it are problems (as
        :func:`~carezones.io.read_demand` checks them).
    sheet : str or int, optional
        The sheet or layer to read.
    options : ReadOptions, optional
        The CRS, postcode lookup and distance outside the area (``max_outside_km``).

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`~carezones.io.read_demand` returns area counts (points in EPSG:4326,
        ``demand_id``, ``area``, ``weight``, ``source_row`` and the file's columns), plus
        ``authority`` (the code, empty when the file has no authority column).
        ``attrs["carezones_areas"]`` says ``spread_by``, the ``weight_column`` and the
        ``authority_column``.

    Raises
    ------
    ValidationError
        Every problem: no weight or area code column, a weight missing or negative, an area
        repeated or far outside the network's area, an authority code missing.
    ArgumentError
        When ``spread_by`` is neither ``"population"`` nor ``"clients"``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"lsoa21cd": ["E01000001", "E01000002"], "lat": [54.39, 54.40],
    ...                       "lon": [1.59, 1.60], "aged_75_plus": [120, 80],
    ...                       "clients": [3, 5]})
    >>> areas = read_projection_areas(table, spread_by="clients")
    >>> areas[["area", "weight"]]
            area  weight
    0  E01000001     3.0
    1  E01000002     5.0
    >>> areas["authority"].tolist()  # no authority column: the projections' one area
    ['', '']
    """
    if spread_by not in SPREAD_BY:
        raise ArgumentError(
            f"spread_by must be one of {listing(SPREAD_BY)}, not {spread_by!r}",
            argument="spread_by",
            value=spread_by,
            allowed=" or ".join(SPREAD_BY),
        )
    opts = ReadOptions() if options is None else options
    label = source_name(source)
    probs = Problems(label)
    names = _column_names(source, sheet)
    weight = _weight_column(probs, names, spread_by, weight_column)
    code = find_column(names, AREA_ALIASES) if names else None
    if names and code is None:
        probs.add_file(
            f"no area code column ({listing(AREA_ALIASES[:6])}...); columns found: "
            f"{listing(names)}",
            "give each area its code, e.g. a column lsoa21cd: the homes are spread by area",
        )
    authority = _named(probs, names, authority_column, Argument.AUTHORITY_COLUMN)
    if authority is None and authority_column is None:
        authority = find_column(names, AUTHORITY_ALIASES)
    probs.raise_if_any()
    got = read_demand(
        source,
        columns=DemandColumns(count=weight, area=code),
        crs=opts.crs,
        postcode_lookup=opts.postcode_lookup,
        area=area,
        max_outside_km=opts.max_outside_km,
        sheet=sheet,
    )
    if authority is not None:
        got["authority"] = [_code(v) for v in got[authority].tolist()]
        rows = Problems(label, rows=got["source_row"].to_numpy())
        for pos in np.flatnonzero(got["authority"].to_numpy(dtype=object) == ""):
            rows.add(
                pos,
                authority,
                None,
                "missing authority code",
                "give the code of the local authority the area is in, as the projections "
                "name it (AREA_CODE)",
            )
        rows.raise_if_any()
    else:
        got["authority"] = ""
    got.attrs["carezones_areas"] = {
        "spread_by": spread_by,
        "weight_column": weight,
        "authority_column": authority,
        "source": label,
    }
    return got


def _column_names(source: Source, sheet: str | int | None) -> list[str]:
    """Return a source's columns (empty when it cannot be read: the reader says why)."""
    if isinstance(source, pd.DataFrame):
        return [str(c) for c in source.columns if c != "geometry"]
    try:
        table = read_table(source, sheet, Problems(source_name(source)))
    except ValidationError:
        return []
    return [str(c) for c in table.frame.columns]


def _named(probs: Problems, names: list[str], given: str | None, argument: Argument) -> str | None:
    """Return the column a caller named, or record that the file lacks it."""
    if given is None or not names:
        return None
    found = find_named(names, given)
    if found is None:
        probs.add_file(
            Reason(f"column '{given}' given by ", argument, after=" is not in the file"),
            Fix(argument=argument, ask=Ask.COLUMN, choices=tuple(names)),
            given,
        )
    return found


def _weight_column(
    probs: Problems, names: list[str], spread_by: str, given: str | None
) -> str | None:
    """Return the weight column, or record that there is none for ``spread_by``."""
    if not names:
        return given
    if given is not None:
        return _named(probs, names, given, Argument.WEIGHT_COLUMN)
    aliases = POPULATION_ALIASES if spread_by == "population" else CLIENT_COUNT_ALIASES
    found = find_column(names, aliases)
    if found is None:
        other = "clients" if spread_by == "population" else "population"
        probs.add_file(
            Reason(
                f"no column of {SPREAD_BY[spread_by]} ({listing(aliases[:4])}...) to spread the "
                "homes by, as ",
                Argument.SPREAD_BY,
                spread_by,
                f" asks; columns found: {listing(names)}",
            ),
            Fix(
                f"add one, or spread by {other} if the file counts that",
                Argument.WEIGHT_COLUMN,
                Ask.COLUMN,
                choices=tuple(names),
            ),
        )
    return found
