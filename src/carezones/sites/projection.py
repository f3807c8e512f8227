"""Demand projected from population forecasts: the homes of housing with care needed, by year.

Councils size the need for housing with care (extra care) from two public sources: the people of
each age in each year, from ONS's sub-national population projections (SNPP), and a prevalence
rate, the homes needed per 1,000 people of an age (their own choice of rates; Housing LIN's
SHOP@ tool is the usual source). :func:`project_demand` does that for every year asked::

    homes(authority, year) = sum over the rates' bands of
                             people(authority, year, ages of the band) * per_1000 / 1000

and spreads each authority's homes over its small areas (LSOAs, wards) in proportion to a
weight saying where the need is today, the older population or the clients counted in each
area (``ProjectionOptions(spread_by=)``)::

    homes(area, year) = homes(authority, year) * weight(area) / weight(the authority's areas)

The result, :class:`ProjectedDemand`, is what :func:`~carezones.choose_sites` takes: ``demand``
(a point per area weighing its homes in the base year: the projection's first year unless
``base_year`` says otherwise) and ``growth`` (one scenario per year asked: each area's homes
that year over its homes in the base year)::

    choose_sites(sites, projected.demand, net, k, growth=projected.growth)

solves the base year (the scenario ``now``) and each year asked on its own, reports them all
and chooses for the last year (``PortfolioOptions(plan_for=)`` names another, or ``"all"``).

The spread keeps each area's share of its authority: only the authorities' totals change with
the years. Where the projections hold several authorities (the districts of a county), each
grows at its own rate and the years' best sets can differ; with one authority every year has
the same best set, serving more homes.

The rates have no default: they are given by the user, and examples in carezones that use rates
say they are illustrative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

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
    check_integer,
    listing,
)
from carezones.io.projection import (
    SPREAD_BY,
    check_projection_years,
    read_prevalence,
    read_projection_areas,
    read_projections,
)

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io import PathLike

__all__ = ["HOMES_UNIT", "ProjectedDemand", "ProjectionOptions", "project_demand"]

HOMES_UNIT = "homes of housing with care"
"""The unit of projected demand, as summaries and maps name it."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class ProjectionOptions:
    """How :func:`project_demand` reads the areas and which year is the base.

    Parameters
    ----------
    spread_by : {"population", "clients"}, default "population"
        Spread each authority's homes over its areas in proportion to today's older
        population (a column such as ``aged_75_plus`` or ``population``) or to the clients
        counted in each area (``clients``, ``client_count``...).
    base_year : int, optional
        The year of the scenario ``now`` (default: the projections' first year, the year they
        start from).
    authority : str, optional
        The projections' area code every small area is in (needed when the projections hold
        several areas and the areas file has no authority column; when given, such a column
        is not used).
    weight_column : str, optional
        The areas' weight column, when its name is not one carezones looks for.
    authority_column : str, optional
        The areas' column of authority codes, when its name is not one carezones looks for.

    Raises
    ------
    ArgumentError
        A ``spread_by`` that is neither, a base year that is not a year, a name that is not
        text.

    Examples
    --------
    >>> ProjectionOptions(spread_by="clients", base_year=2024).spread_by
    'clients'
    >>> ProjectionOptions(spread_by="homes")
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: spread_by must be 'population' or 'clients', not 'homes'
    """

    spread_by: str = "population"
    base_year: int | None = None
    authority: str | None = None
    weight_column: str | None = None
    authority_column: str | None = None

    def __post_init__(self) -> None:
        if self.spread_by not in SPREAD_BY:
            raise ArgumentError(
                f"spread_by must be 'population' or 'clients', not {self.spread_by!r}",
                argument="spread_by",
                value=self.spread_by,
                allowed="population or clients",
            )
        if self.base_year is not None:
            check_integer("base_year", self.base_year, minimum=1900)
        for name in ("authority", "weight_column", "authority_column"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ArgumentError(f"{name} must be a code or a column's name, not {value!r}")


@dataclass(frozen=True)
class ProjectedDemand:
    """The homes of housing with care needed, by year and small area: demand for choosing sites.

    :func:`project_demand` makes one.

    Parameters
    ----------
    demand : geopandas.GeoDataFrame
        One point per small area (EPSG:4326), as :func:`~carezones.io.read_demand` returns
        area counts: ``demand_id`` and ``area`` (its code), ``authority``, ``spread_weight``
        (its weight: older people or clients), ``share`` (of its authority's homes),
        ``weight`` (homes in the base year), one ``homes_<year>`` column per year asked, and
        the areas file's own columns. ``choose_sites`` takes it as the demand.
    growth : pandas.DataFrame
        ``area``, one column per year asked (named by the year) of multipliers of the base
        year's homes, and ``source_row``: ``choose_sites``'s ``growth``.
    homes : pandas.DataFrame
        The calculation, one row per authority, year and age band: ``authority``, ``year``,
        ``age_band``, ``persons``, ``per_1000``, ``homes``.
    base_year : int
        The year of the scenario ``now``.
    years : tuple of int
        The years asked, earliest first.
    spread_by : str
        ``"population"`` or ``"clients"``.
    notes : tuple of str
        What was assumed, in words (also carried by ``growth`` into the portfolio's notes).

    Examples
    --------
    The tiny synthetic county's (:func:`carezones.testing.projected`: SYNTHETIC projections,
    ILLUSTRATIVE rates):

    >>> projected.years, projected.base_year
    ((2030, 2038), 2022)
    >>> projected.homes.head(3)
      authority  year age_band  persons  per_1000   homes
    0   SYNLA01  2022    75-79    723.0      10.0   7.230
    1   SYNLA01  2022    80-84    417.0      25.0  10.425
    2   SYNLA01  2022      85+    378.0      60.0  22.680
    """

    demand: gpd.GeoDataFrame
    growth: pd.DataFrame
    homes: pd.DataFrame
    base_year: int
    years: tuple[int, ...]
    spread_by: str
    notes: tuple[str, ...]

    @property
    def totals(self) -> pd.Series:
        """The homes needed in the base year and each year asked, all authorities together.

        Returns
        -------
        pandas.Series
            Homes by year.

        Examples
        --------
        >>> projected.totals.round(1).to_dict()
        {2022: 62.2, 2030: 80.0, 2038: 103.8}
        """
        out = self.homes.groupby("year", sort=True)["homes"].sum()
        out.name = "homes"
        return out

    def summary(self) -> str:
        """Return the homes needed by year, and how they were spread.

        Returns
        -------
        str
            A few lines.

        Examples
        --------
        >>> print(projected.summary())
        homes of housing with care needed: 2022 (base, 'now') 62.2; 2030 80.0; 2038 103.8
        2 authorities, 9 areas, spread by today's older population (column aged_75_plus)
        """
        totals = self.totals
        parts = [
            f"{year}{" (base, 'now')" if year == self.base_year else ''} {totals[year]:,.1f}"
            for year in totals.index
        ]
        n_auth = self.homes["authority"].nunique()
        column = self.demand.attrs.get("carezones_projection", {}).get("weight_column")
        lines = [
            f"{HOMES_UNIT} needed: " + "; ".join(parts),
            f"{n_auth} {'authority' if n_auth == 1 else 'authorities'}, {len(self.demand)} "
            f"areas, spread by {SPREAD_BY[self.spread_by]}"
            + (f" (column {column})" if column else ""),
        ]
        return "\n".join(lines)


def project_demand(
    areas: gpd.GeoDataFrame | pd.DataFrame | PathLike,
    projections: pd.DataFrame | PathLike,
    rates: pd.DataFrame | PathLike,
    years: Sequence[int] | int,
    *,
    options: ProjectionOptions | None = None,
) -> ProjectedDemand:
    """Project the homes of housing with care needed, by year, over small areas.

    See the module's docstring for the calculation and :mod:`carezones.io.projection` for the
    forms of the three inputs.

    Parameters
    ----------
    areas : GeoDataFrame, DataFrame or path
        The small areas, points or polygons with a code and a weight (or what
        :func:`~carezones.io.projection.read_projection_areas` returned).
    projections : DataFrame or path
        People by area, single year of age and year: ONS's SNPP table or the long form (or
        what :func:`~carezones.io.projection.read_projections` returned).
    rates : DataFrame or path
        ``age_band`` and ``per_1000``: the homes needed per 1,000 people of each band (or
        what :func:`~carezones.io.projection.read_prevalence` returned). There is no default:
        give your council's rates, and say where they come from.
    years : int or sequence of int
        The years to project (one scenario each), e.g. ``[2030, 2038]``.
    options : ProjectionOptions, optional
        What the areas are weighted by, the base year, the authority (its defaults when not
        given).

    Returns
    -------
    ProjectedDemand
        The demand points and growth scenarios for :func:`~carezones.choose_sites`, and the
        calculation.

    Raises
    ------
    ValidationError
        Every problem of a file at once: those of each reader (an age band where single years
        are needed, a negative count, overlapping rate bands...), a year asked that the
        projections lack (naming those they have), an area whose authority the projections
        do not hold, a band the projections' ages cannot give (``90-94`` when they stop at
        ``90 and over``), an authority whose areas weigh nothing.
    ArgumentError
        No year, a year given twice, an authority not in the projections, no homes needed in
        the base year where later years need some.

    Examples
    --------
    Two areas of one authority, and illustrative rates (not a published source):

    >>> import pandas as pd
    >>> from carezones import project_demand
    >>> people = pd.DataFrame({"area_code": ["E06000001"] * 4, "age": ["75", "76"] * 2,
    ...                        "year": [2022, 2022, 2030, 2030], "persons": [300, 200, 400, 350]})
    >>> rates = pd.DataFrame({"age_band": ["75+"], "per_1000": [20]})
    >>> areas = pd.DataFrame({"area_code": ["A1", "A2"], "lat": [54.39, 54.40],
    ...                       "lon": [1.59, 1.60], "aged_75_plus": [300, 100]})
    >>> projected = project_demand(areas, people, rates, [2030])
    >>> projected.demand[["area", "share", "weight", "homes_2030"]]
      area  share  weight  homes_2030
    0   A1   0.75     7.5       11.25
    1   A2   0.25     2.5        3.75
    >>> projected.growth
      area  2030  source_row
    0   A1   1.5           1
    1   A2   1.5           2
    """
    opts = ProjectionOptions() if options is None else options
    if not isinstance(opts, ProjectionOptions):
        raise ArgumentError(f"options must be a ProjectionOptions, not {type(opts).__name__}")
    asked = _years(years)
    needed = [*asked, *([opts.base_year] if opts.base_year is not None else [])]
    proj = _projections(projections, needed)
    have = [int(y) for y in proj.attrs["carezones_projection"]["years"]]
    base = opts.base_year if opts.base_year is not None else min(have)
    prev = (
        rates
        if isinstance(rates, pd.DataFrame) and "carezones_prevalence" in rates.attrs
        else read_prevalence(rates)
    )
    area_table = _areas(areas, opts)
    authority = _authorities(area_table, proj, opts)
    used = sorted(set(authority.tolist()))
    _check_bands(prev, proj, used)
    _check_weights(area_table, authority)
    year_list = list(dict.fromkeys([base, *asked]))
    homes = _homes(proj, prev, used, year_list)
    by_auth = homes.groupby(["authority", "year"])["homes"].sum()
    weight = area_table["weight"].to_numpy(dtype=float)
    totals = pd.Series(weight).groupby(authority).transform("sum").to_numpy(dtype=float)
    share = weight / totals
    at = {
        y: by_auth.xs(y, level="year").reindex(authority).to_numpy(dtype=float) for y in year_list
    }
    demand = area_table.copy()
    demand["authority"] = authority
    demand["spread_weight"] = weight
    demand["share"] = share
    demand["weight"] = at[base] * share
    for year in asked:
        demand[f"homes_{year}"] = at[year] * share
    meta = area_table.attrs["carezones_areas"]
    demand.attrs = dict(area_table.attrs)
    demand.attrs["carezones_demand"] = {
        **area_table.attrs.get("carezones_demand", {}),
        "kind": "areas",
        "unit": HOMES_UNIT,
        "count_column": "weight",
    }
    demand.attrs["carezones_projection"] = {
        "base_year": base,
        "years": asked,
        "spread_by": meta["spread_by"],
        "weight_column": meta["weight_column"],
    }
    source = str(proj.attrs["carezones_projection"]["source"])
    notes = _notes(homes, (base, asked, source), prev, meta, len(demand))
    growth = _growth(demand, authority, at, base, asked)
    growth.attrs["carezones_growth"] = {
        "source": source,
        "scenarios": [str(y) for y in asked],
        "notes": list(notes),
    }
    return ProjectedDemand(
        demand=demand,
        growth=growth,
        homes=homes,
        base_year=base,
        years=tuple(asked),
        spread_by=str(meta["spread_by"]),
        notes=notes,
    )


# ---------------------------------------------------------------------- inputs
def _years(years: Sequence[int] | int) -> list[int]:
    """Return the years asked, earliest first; refuse none, a repeat or a non-year."""
    given = [years] if isinstance(years, int | np.integer) else years
    if isinstance(given, str) or not isinstance(given, Sequence) or not given:
        raise ArgumentError(
            f"years must be one year or a list of them, e.g. [2030, 2038], not {years!r}",
            argument="years",
            value=years,
            allowed="years such as 2030",
        )
    out = [check_integer("year", y, minimum=1900) for y in given]
    repeated = sorted({y for y in out if out.count(y) > 1})
    if repeated:
        raise ArgumentError(f"years {repeated} are asked twice: ask each year once")
    return sorted(out)


def _projections(projections: pd.DataFrame | PathLike, years: list[int]) -> pd.DataFrame:
    """Return the projections read (or as read), every year needed in them."""
    if isinstance(projections, pd.DataFrame) and "carezones_projection" in projections.attrs:
        check_projection_years(projections, years)
        return projections
    return read_projections(projections, years=years)


def _areas(
    areas: gpd.GeoDataFrame | pd.DataFrame | PathLike, opts: ProjectionOptions
) -> gpd.GeoDataFrame:
    """Return the areas read (or as read), with ``authority`` and ``weight``."""
    import geopandas as gpd

    if isinstance(areas, gpd.GeoDataFrame) and "carezones_areas" in areas.attrs:
        return areas
    if isinstance(areas, gpd.GeoDataFrame) and "source_row" in areas.columns:
        areas = areas.drop(columns="source_row")  # read once already: numbered afresh
    return read_projection_areas(
        areas,
        spread_by=opts.spread_by,
        weight_column=opts.weight_column,
        authority_column=opts.authority_column,
    )


def _authorities(
    areas: gpd.GeoDataFrame, proj: pd.DataFrame, opts: ProjectionOptions
) -> npt.NDArray[np.str_]:
    """Return each area's authority code, every one of them in the projections."""
    codes = sorted(set(proj["area"].astype(str)))
    source = str(proj.attrs["carezones_projection"]["source"])
    meta = areas.attrs["carezones_areas"]
    if opts.authority is not None:
        if opts.authority not in codes:
            raise ArgumentError.worded(
                Reason("", Argument.AUTHORITY, opts.authority, f" is not in {source}: "),
                Fix(argument=Argument.AUTHORITY, ask=Ask.ONE_OF, choices=tuple(codes)),
            )
        return np.full(len(areas), opts.authority, dtype=object).astype(str)
    column = meta.get("authority_column")
    column = None if column is None else str(column)
    probs = Problems(str(meta["source"]), rows=areas["source_row"].to_numpy())
    if column is None:
        if len(codes) == 1:
            return np.full(len(areas), codes[0], dtype=object).astype(str)
        probs.add_file(
            f"the projections ({source}) hold {len(codes)} areas ({listing(codes, 6)}) and the "
            "areas file does not say which each small area is in",
            Fix(
                "add a column of each area's authority code (e.g. lad22cd), as the projections "
                "name it",
                Argument.AUTHORITY,
                Ask.ONE_OF,
                choices=tuple(codes),
            ),
        )
        probs.raise_if_any()
    values: npt.NDArray[np.str_] = areas["authority"].to_numpy(dtype=str)
    known = set(codes)
    for pos in np.flatnonzero(~np.isin(values, list(known))):
        probs.add(
            pos,
            column,
            str(values[pos]),
            f"this authority is not in the projections ({source}), which hold {listing(codes, 6)}",
            "check the code against the projections' AREA_CODE, or give projections that "
            "include it",
        )
    probs.raise_if_any()
    return values


def _check_bands(prev: pd.DataFrame, proj: pd.DataFrame, used: list[str]) -> None:
    """Refuse rate bands the projections' ages cannot give, naming the rates' rows."""
    source = str(prev.attrs.get("carezones_prevalence", {}).get("source", "rates"))
    probs = Problems(source, rows=prev["source_row"].to_numpy())
    rows = proj[proj["area"].isin(used)]
    for code, group in rows.groupby("area", sort=True):
        single = group.loc[~group["open_ended"], "age"]
        opens = group.loc[group["open_ended"], "age"]
        low = int(single.min()) if len(single) else int(opens.min())
        top = int(opens.iloc[0]) if len(opens) else None
        high = int(single.max()) if len(single) else None
        for pos, band in enumerate(prev.itertuples(index=False)):
            if probs.bad[pos]:
                continue
            start = int(band.age_from)
            end = None if pd.isna(band.age_to) else int(band.age_to)
            reason = None
            if start < low:
                reason = f"the projections for {code} start at age {low}"
            elif top is not None and start > top:
                reason = (
                    f"the projections for {code} give the ages {top} and over as one group: "
                    f"a band cannot start above {top}"
                )
            elif top is not None and end is not None and end >= top:
                reason = (
                    f"the band reaches {end}, but the projections for {code} give the ages "
                    f"{top} and over as one group, which a band must hold whole"
                )
            elif top is None and high is not None and end is not None and end > high:
                reason = f"the projections for {code} stop at age {high}"
            if reason:
                probs.add(
                    pos,
                    "age_band",
                    band.age_band,
                    reason,
                    "make the bands fit the projections' ages: start at or after their youngest "
                    "age, and end with an open band (85+) that holds their oldest group whole",
                )
    probs.raise_if_any()


def _check_weights(areas: gpd.GeoDataFrame, authority: npt.NDArray[np.str_]) -> None:
    """Refuse an authority whose areas weigh nothing together: its homes have nowhere to go."""
    meta = areas.attrs["carezones_areas"]
    probs = Problems(str(meta["source"]), rows=areas["source_row"].to_numpy())
    weight = pd.Series(areas["weight"].to_numpy(dtype=float)).groupby(authority).sum()
    for code, total in weight.items():
        if total <= 0:
            probs.add_file(
                f"the areas of {code} weigh nothing together (column {meta['weight_column']}): "
                "its homes cannot be spread over them",
                f"give the areas' {SPREAD_BY[meta['spread_by']]}, or spread by the other",
                column=meta["weight_column"],
            )
    probs.raise_if_any()


# ---------------------------------------------------------------------- the calculation
def _homes(
    proj: pd.DataFrame, prev: pd.DataFrame, used: list[str], years: list[int]
) -> pd.DataFrame:
    """Return persons and homes per authority, year and band (the calculation, row by row)."""
    rows = proj[proj["area"].isin(used)]
    ages = rows["age"].to_numpy(dtype=np.int64)
    opened = rows["open_ended"].to_numpy(dtype=bool)
    areas = rows["area"].astype(str).to_numpy()
    columns = [str(y) for y in years]
    values = rows[columns].to_numpy(dtype=float)
    out: list[dict[str, object]] = []
    for band in prev.itertuples(index=False):
        start = int(band.age_from)
        end = None if pd.isna(band.age_to) else int(band.age_to)
        if end is None:  # every older age, the open-ended group ("90 and over") with them
            inside = ages >= start
        else:
            inside = (ages >= start) & (ages <= end) & ~opened
        for code in used:
            mask = inside & (areas == code)
            persons = values[mask].sum(axis=0)
            for year, count in zip(years, persons, strict=True):
                out.append(
                    {
                        "authority": code,
                        "year": year,
                        "age_band": str(band.age_band),
                        "persons": float(count),
                        "per_1000": float(band.per_1000),
                        "homes": float(count) * float(band.per_1000) / 1000.0,
                    }
                )
    table = pd.DataFrame(
        out, columns=["authority", "year", "age_band", "persons", "per_1000", "homes"]
    )
    return table.sort_values(["authority", "year"], kind="stable").reset_index(drop=True)


def _growth(
    demand: gpd.GeoDataFrame,
    authority: npt.NDArray[np.str_],
    at: dict[int, FloatArray],
    base: int,
    years: list[int],
) -> pd.DataFrame:
    """Return each area's homes in each year over its homes in the base year."""
    out = pd.DataFrame({"area": demand["area"].astype(str).to_numpy()})
    for year in years:
        now, then = at[base], at[year]
        stuck = (now <= 0) & (then > 0)
        if stuck.any():
            code = authority[int(np.flatnonzero(stuck)[0])]
            raise ArgumentError.worded(
                f"no homes are needed in {code} in the base year {base} but {then[stuck][0]:,.1f} "
                f"in {year}: growth from nothing cannot be a multiplier; ",
                Fix(argument=Argument.BASE_YEAR, ask=Ask.VALUE, about="a later base year"),
            )
        out[str(year)] = np.divide(then, now, out=np.ones_like(then), where=now > 0)
    out["source_row"] = demand["source_row"].to_numpy()
    return out


def _notes(
    homes: pd.DataFrame,
    when: tuple[int, list[int], str],
    prev: pd.DataFrame,
    meta: dict[str, object],
    n_areas: int,
) -> tuple[str, ...]:
    """Say in words what the scenarios are and where the numbers come from.

    ``when`` is the base year, the years asked and the projections' source.
    """
    base, years, source = when
    totals = homes.groupby("year")["homes"].sum()
    rates = prev.attrs.get("carezones_prevalence", {}).get("source", "the rates given")
    each = ", ".join(f"{y} {totals[y]:,.1f}" for y in years)
    return (
        f"demand is the {HOMES_UNIT} needed, projected: 'now' is {base} ({totals[base]:,.1f}), "
        f"then {each} (people by age from {source} times the rates per 1,000 of {rates})",
        f"each authority's homes are spread over its {n_areas} areas in proportion to "
        f"{SPREAD_BY[str(meta['spread_by'])]} (column {meta['weight_column']})",
    )
