"""Read the ONS rural-urban classification of areal units: which units are urban.

The Office for National Statistics classes every output area (OA) and LSOA of England and
Wales as urban or rural (the Rural Urban Classification, 2011 and 2021). Councils hold it as a
polygon layer of their units carrying the class, or as the ONS lookup table (``LSOA21CD``,
``RUC21CD``, ``RUC21NM``, ``Urban_rural_flag``) beside a boundary layer of the units.
:func:`read_rural_urban` reads either, and says of each unit whether it is urban. A travel
profile fitted with it (:class:`carezones.network.AreaRule`) classes legs by it.

The classes, by column (the first found, in this order, unless one is named):

- ``Urban_rural_flag`` (2021): ``Urban`` or ``Rural``.
- ``RUC21CD`` (2021): codes starting ``U`` (``UN1``, ``UF1``: urban, nearer to or further
  from a major town or city) are urban; codes starting ``R`` (``RLN1``, ``RLF1``, ``RSN1``,
  ``RSF1``: larger and smaller rural) are rural.
- ``RUC11CD`` (2011): ``A1``, ``B1``, ``C1``, ``C2`` (conurbations, cities and towns) are
  urban; ``D1`` to ``F2`` (towns and fringe, villages, hamlets) are rural.
- ``RUC21NM``, ``RUC11NM`` or ``RUC11`` (the names): a name starting "Urban" is urban, one
  with "rural" in it (or, for 2011, starting "Rural") is rural.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.errors import Problems
from carezones.io._cells import PathLike, is_blank, norm
from carezones.io._table import read_table
from carezones.io.areas import read_areas

__all__ = ["RUC_COLUMNS", "read_rural_urban", "ruc_is_urban"]

RUC_COLUMNS = ("Urban_rural_flag", "RUC21CD", "RUC11CD", "RUC21NM", "RUC11NM", "RUC11")
"""The classification's columns looked for, in order of preference."""

_URBAN_2011 = {"A1", "B1", "C1", "C2"}
_RURAL_2011 = {"D1", "D2", "E1", "E2", "F1", "F2"}
_FIX = (
    "give the ONS rural-urban classification: a 2021 code (UN1, UF1, RLN1, RLF1, RSN1, RSF1), "
    "a 2011 code (A1 to F2), its name, or Urban/Rural"
)


def ruc_is_urban(value: object) -> bool | None:
    """Return whether a rural-urban class is urban (``None`` when it is not one).

    Parameters
    ----------
    value : object
        A code (2021 or 2011), a class name or an urban/rural flag.

    Returns
    -------
    bool or None
        ``True`` for urban, ``False`` for rural, ``None`` for anything else.

    Examples
    --------
    >>> [ruc_is_urban(v) for v in ("UN1", "RSF1", "C2", "E1", "Urban: Further from a major "
    ...  "town or city", "Rural village", "Larger rural: Nearer to a major town or city", "X")]
    [True, False, True, False, True, False, False, None]
    """
    if is_blank(value):
        return None
    text = str(value).strip()
    code = text.upper()
    if code in _URBAN_2011:
        return True
    if code in _RURAL_2011:
        return False
    if code in ("UN1", "UF1", "URBAN"):
        return True
    if code in ("RLN1", "RLF1", "RSN1", "RSF1", "RURAL"):
        return False
    low = text.lower()
    if low.startswith("urban"):
        return True
    if "rural" in low:
        return False
    return None


def read_rural_urban(
    units: PathLike | gpd.GeoDataFrame,
    *,
    lookup: PathLike | pd.DataFrame | None = None,
    column: str | None = None,
    layer: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read areal units and their rural-urban class; return them with an ``urban`` column.

    Parameters
    ----------
    units : str, os.PathLike or geopandas.GeoDataFrame
        The units' polygons (GeoPackage, GeoJSON or shapefile): output areas or LSOAs.
    lookup : str, os.PathLike or pandas.DataFrame, optional
        The ONS lookup table (CSV/XLSX) when the polygons do not carry the class: joined on the
        unit code both have (e.g. ``LSOA21CD``).
    column : str, optional
        The classification's column (default: the first of :data:`RUC_COLUMNS` found).
    layer : str or int, optional
        The layer of ``units`` to read, in a file with several.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per unit (EPSG:4326): ``source_row``, ``ruc`` (the class as given),
        ``urban`` (bool) and the geometry. ``attrs["column"]`` names the column used and
        ``attrs["source"]`` the units file's name.

    Raises
    ------
    ValidationError
        Every problem at once: no classification column, a unit with no class or one that is
        not a rural-urban class, a unit the lookup does not have (each with its row), and the
        problems of the polygons (:func:`read_areas`).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> squares = [shapely.box(-0.8, 52.6, -0.7, 52.7), shapely.box(-0.7, 52.6, -0.6, 52.7)]
    >>> units = gpd.GeoDataFrame({"LSOA21CD": ["E01", "E02"]}, geometry=squares, crs=4326)
    >>> ruc = pd.DataFrame({"LSOA21CD": ["E01", "E02"], "RUC21CD": ["UN1", "RSF1"]})
    >>> read_rural_urban(units, lookup=ruc)[["ruc", "urban"]].to_dict("list")
    {'ruc': ['UN1', 'RSF1'], 'urban': [True, False]}
    >>> read_rural_urban(units)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: units (GeoDataFrame): ...no rural-urban class column...
    """
    areas = read_areas(units, what="units", layer=layer)
    label = "GeoDataFrame" if isinstance(units, gpd.GeoDataFrame) else Path(os.fspath(units)).name
    probs = Problems(f"units ({label})")
    probs.start(areas["source_row"].to_numpy())
    table: pd.DataFrame = pd.DataFrame(areas.drop(columns="geometry"))
    rows = areas["source_row"].to_numpy()
    if lookup is not None:
        table = _joined(table, lookup, column, probs)
    col = _class_column(table, column, probs)
    values = table[col].to_numpy(dtype=object)
    urban = np.zeros(len(values), dtype=bool)
    for pos, value in enumerate(values):
        if probs.bad[pos]:  # not in the lookup: said already
            continue
        verdict = ruc_is_urban(value)
        if verdict is None:
            reason = "no rural-urban class" if is_blank(value) else "not a rural-urban class"
            probs.add(pos, col, value, reason, _FIX)
        else:
            urban[pos] = verdict
    probs.raise_if_any()
    out = gpd.GeoDataFrame(
        {"source_row": rows, "ruc": [str(v).strip() for v in values], "urban": urban},
        geometry=areas.geometry.to_numpy(),
        crs=areas.crs,
    )
    out.attrs.update(column=col, source=label)
    return out


def _class_column(table: pd.DataFrame, column: str | None, probs: Problems) -> str:
    """Return the classification's column, or stop saying which columns there are."""
    by_norm = {norm(c): c for c in table.columns}
    if column is not None:
        if norm(column) in by_norm:
            return str(by_norm[norm(column)])
        probs.stop(
            f"no column {column!r} (the columns: {', '.join(map(str, table.columns))})",
            "name the column that holds the rural-urban class",
        )
    for name in RUC_COLUMNS:
        if norm(name) in by_norm:
            return str(by_norm[norm(name)])
    probs.stop(
        f"no rural-urban class column ({', '.join(RUC_COLUMNS)}) among "
        f"{', '.join(map(str, table.columns))}",
        "join the ONS rural-urban classification to the units (give its lookup table), or "
        "name the column that holds it",
    )


def _joined(
    table: pd.DataFrame, lookup: PathLike | pd.DataFrame, column: str | None, probs: Problems
) -> pd.DataFrame:
    """Join the lookup's classes to the units on the unit code both carry."""
    lp = Problems(_name(lookup))
    look = read_table(lookup, None, lp).frame
    lp.raise_if_any()
    wanted = {norm(c) for c in (*RUC_COLUMNS, column or "")}
    shared = [
        c
        for c in table.columns
        if norm(c) in {norm(x) for x in look.columns}
        and norm(c) not in wanted
        and norm(c).endswith("cd")
    ]
    if not shared:
        probs.stop(
            "the units and the lookup share no unit code column (such as LSOA21CD or OA21CD)",
            "give the units' polygons of the same geography and year as the lookup",
        )
    key = shared[0]
    look_key = next(c for c in look.columns if norm(c) == norm(key))
    keep = [c for c in look.columns if norm(c) in wanted]
    classes = look[[look_key, *keep]].drop_duplicates(subset=look_key)
    classes.index = classes[look_key].astype(str).str.strip()
    codes = table[key].astype(str).str.strip()
    missing = ~codes.isin(classes.index).to_numpy()
    for pos in np.flatnonzero(missing):
        probs.add(pos, key, codes.iloc[pos], "not in the lookup", "give the lookup of every unit")
    out = table.drop(columns=[c for c in table.columns if norm(c) in wanted])
    for c in keep:
        out[c] = codes.map(classes[c]).to_numpy()
    return out


def _name(source: PathLike | pd.DataFrame) -> str:
    """Return a source's name for messages."""
    return "lookup (DataFrame)" if isinstance(source, pd.DataFrame) else Path(source).name
