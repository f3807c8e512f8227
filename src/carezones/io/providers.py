"""Read care providers' offices: where each provider works from, and how much it can take on.

A providers file has one row per provider: ``provider_id``, the office's place (``lat``/``lon``,
easting/northing or a postcode, located as :func:`~carezones.io.read_points` locates rows) and,
optionally, ``capacity_hours``: the weekly hours of care the provider can take on (a blank
cell, or no such column: no limit stated). :func:`read_providers` checks every row in one
pass and raises every problem together, each with its row, column, reason and fix: a missing
or repeated provider id, a latitude or longitude out of range (or an office far outside the
road network), a capacity that is not a number or is negative.

The offices are where :func:`carezones.county.allocate_providers` measures each provider's
road time to a client from (a brokerage model of today's allocation, when the real one is not
known).
"""

from __future__ import annotations

from typing import Literal, overload

import geopandas as gpd
import numpy as np

from carezones.errors import Argument
from carezones.io._table import Source
from carezones.io.options import AreaLike, ReadOptions
from carezones.io.points import Collected, Errors, _check_errors, _Field, _read

__all__ = ["CAPACITY_ALIASES", "PROVIDER_COLUMNS", "PROVIDER_ID_ALIASES", "read_providers"]

PROVIDER_COLUMNS = ["provider_id", "lat", "lon", "capacity_hours"]
"""The columns of a providers file (``capacity_hours`` may be left out)."""

PROVIDER_ID_ALIASES = ("provider_id", "provider", "provider_name", "agency", "id")
"""Names accepted for the provider id column (case, spaces and underscores ignored)."""

CAPACITY_ALIASES = ("capacity_hours", "capacity", "capacity_hours_per_week", "max_hours")
"""Names accepted for the weekly capacity column (hours of care a week)."""


@overload
def read_providers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["raise"] = ...,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame: ...
@overload
def read_providers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Literal["collect"],
    options: ReadOptions | None = ...,
) -> Collected: ...
@overload
def read_providers(
    source: Source,
    *,
    area: AreaLike | None = ...,
    sheet: str | int | None = ...,
    errors: Errors,
    options: ReadOptions | None = ...,
) -> gpd.GeoDataFrame | Collected: ...
def read_providers(
    source: Source,
    *,
    area: AreaLike | None = None,
    sheet: str | int | None = None,
    errors: Errors = "raise",
    options: ReadOptions | None = None,
) -> gpd.GeoDataFrame | Collected:
    """Read and check care providers' offices (see the module's notes).

    Parameters
    ----------
    source : str, os.PathLike or pandas.DataFrame
        The providers: CSV, Excel, GeoPackage, GeoJSON or a DataFrame, with ``provider_id``
        (also accepted: :data:`PROVIDER_ID_ALIASES`), the office's place and optionally
        ``capacity_hours`` (:data:`CAPACITY_ALIASES`).
    area : shapely geometry or object with ``area_wgs84``, optional
        The road network's area (a RoadNetwork can be passed): offices more than the
        options' ``max_outside_km`` outside it are rejected.
    sheet : str or int, optional
        The Excel sheet (or GeoPackage layer) to read.
    errors : {"raise", "collect"}
        ``"raise"`` (default): raise every problem together. ``"collect"``: return the valid
        rows and the problems table (:class:`~carezones.io.Collected`).
    options : ReadOptions, optional
        How rows are located (``crs``, ``x``/``y``, ``postcode_lookup``, ``max_outside_km``);
        its ``id_column`` names the provider id column instead of the aliases.

    Returns
    -------
    geopandas.GeoDataFrame or Collected
        One row per provider, in the file's order: ``provider_id`` (text), ``capacity_hours``
        (weekly hours, ``NaN`` where no limit is stated), every other original column,
        ``source_row`` and the office as a point in EPSG:4326.

    Raises
    ------
    ValidationError
        When any row or the file has a problem (every problem at once, each naming its row).
    ArgumentError
        When ``errors`` is neither ``"raise"`` nor ``"collect"``.
    FileNotFoundError
        When ``source`` is a path that does not exist.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones.io import read_providers
    >>> offices = pd.DataFrame({"provider_id": ["A", "B", "A"], "lat": [54.39, 54.38, 54.40],
    ...                         "lon": [1.59, 1.56, 1.58], "capacity_hours": [400, -5, ""]})
    >>> read_providers(offices)  # doctest: +NORMALIZE_WHITESPACE +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: DataFrame: 2 problem(s) in 2 row(s):
      - row 2, column 'capacity_hours' (value '-5'): capacity_hours is below 0. Fix: write
        'capacity_hours' as a number of at least 0
      - row 3, column 'provider_id' (value 'A'): duplicate id (first used in row 1). Fix: give
        each row its own id, or delete the repeated row
    Correct these rows, ...
    >>> offices.loc[1:, "provider_id"] = ["B", "C"]
    >>> offices.loc[1, "capacity_hours"] = 250
    >>> read_providers(offices)[["provider_id", "capacity_hours", "source_row"]]
      provider_id  capacity_hours  source_row
    0           A           400.0           1
    1           B           250.0           2
    2           C             NaN           3
    """
    _check_errors(errors)
    opts = options or ReadOptions()
    fields = [
        _Field(
            "provider_id",
            PROVIDER_ID_ALIASES,
            "id",
            given=opts.id_column,
            parameter=Argument.ID_COLUMN,
        ),
        _Field(
            "capacity_hours", CAPACITY_ALIASES, "number", not_blank=False, optional=True, minimum=0
        ),
    ]
    valid, probs = _read(source, opts, fields, sheet=sheet, area=area, errors=errors)
    if "capacity_hours" not in valid.columns:
        valid.insert(1, "capacity_hours", np.full(len(valid), np.nan))
    valid["capacity_hours"] = valid["capacity_hours"].astype(float)
    valid["provider_id"] = valid["provider_id"].astype(str)
    return Collected(valid, probs.table(every_row=True)) if errors == "collect" else valid
