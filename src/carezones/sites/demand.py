"""The demand a set of sites is chosen for: today's, grown by scenario, preferred areas weighted.

Demand is read by :func:`carezones.io.read_demand` (clients with weekly hours, or counts by
area). :func:`scenario_weights` turns it into one weight per demand row and scenario:

- ``now``: the demand as given;
- one scenario per growth column: each area's demand times its factor (the ``*`` row's
  factor for areas not listed; areas with neither are held at today's demand, and said so);
- preferred areas (a mapping of area codes, a list of codes, or polygons) multiply the demand
  inside them in every scenario: the planning priority of, say, Weymouth and East Dorset.

Growth factors or preferences for area codes the demand does not have are refused, naming the
rows: they are typos, or the wrong file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, Problems, check_number
from carezones.sites.options import GrowthLike, PreferredLike

if TYPE_CHECKING:
    import geopandas as gpd

FloatArray = npt.NDArray[np.float64]

NOW = "now"
"""The name of the scenario of today's demand."""


@dataclass(frozen=True)
class Scenarios:
    """Weights of every demand row in every scenario.

    Attributes
    ----------
    names : list of str
        ``"now"`` then the growth scenarios, in the growth table's order.
    weights : numpy.ndarray
        ``(demand rows, scenarios)``, preferences applied.
    preference : numpy.ndarray
        Each row's preference multiplier (1 outside preferred areas).
    notes : list of str
        What was assumed, in words (areas without a factor, preferred areas).
    """

    names: list[str]
    weights: FloatArray
    preference: FloatArray
    notes: list[str] = field(default_factory=list)


def scenario_weights(
    demand: pd.DataFrame,
    growth: GrowthLike | None = None,
    preferred: PreferredLike | None = None,
    preferred_weight: float = 1.5,
) -> Scenarios:
    """Return the weight of each demand row in each scenario (see the module docstring).

    Parameters
    ----------
    demand : DataFrame
        As :func:`carezones.io.read_demand` returns it (``weight``, ``area``).
    growth : DataFrame, path or mapping, optional
        A table from :func:`carezones.io.read_growth` (or a file or table it reads), or a
        mapping ``{scenario: factor}`` (every area) or ``{scenario: {area: factor}}``
        (``"*"``: every area not listed). A factor is a multiplier (1.21 = +21%).
    preferred : mapping, sequence or GeoDataFrame, optional
        Areas whose demand counts more: ``{area code: multiplier}``, a list of area codes
        (``preferred_weight`` each), or polygons (a ``weight`` column, else
        ``preferred_weight``; a ``name`` column names them in the notes).
    preferred_weight : float
        The multiplier of preferred areas without their own (1.5: half as much again).
    """
    pw = check_number("preferred_weight", preferred_weight, minimum=0, above=True)
    base = demand["weight"].to_numpy(dtype=float)
    areas = demand["area"].astype(str).to_numpy() if "area" in demand else np.full(len(base), "")
    notes: list[str] = []
    prefer = _preference(demand, areas, preferred, pw, notes)
    names, columns = [NOW], [base]
    if growth is not None:
        table = _growth_table(growth)
        _check_growth_areas(table, areas)
        notes.extend(str(n) for n in table.attrs.get("carezones_growth", {}).get("notes", ()))
        factors = table.set_index("area")
        for name in [c for c in table.columns if c not in ("area", "source_row")]:
            column = factors[name]
            default = float(column.get("*", np.nan))
            mult = pd.Series(areas).map(column.drop("*", errors="ignore")).to_numpy(float).copy()
            missing = np.isnan(mult)
            if np.isnan(default):
                held = len(set(areas[missing]) - {""})
                if held or (missing.any() and not areas.any()):
                    notes.append(
                        f"{max(held, 1)} area(s) without a growth factor in {name!r} "
                        "(and no '*' row) are held at today's demand"
                    )
                mult[missing] = 1.0
            else:
                mult[missing] = default
            if name == NOW or name in names:
                raise ArgumentError(f"a growth scenario cannot be called {name!r}: rename it")
            names.append(str(name))
            columns.append(base * mult)
    weights = np.column_stack(columns) * prefer[:, None]
    return Scenarios(names, weights, prefer, notes)


def _growth_table(growth: GrowthLike) -> pd.DataFrame:
    """Return the growth as a table of ``area``, one column per scenario, ``source_row``."""
    from carezones.io.demand import read_growth

    if isinstance(growth, pd.DataFrame) and "carezones_growth" in growth.attrs:
        return growth
    if isinstance(growth, str | Path | pd.DataFrame):
        return read_growth(growth)
    if not isinstance(growth, Mapping) or not growth:
        raise ArgumentError(
            "growth must be a table or file of factors by area, or a mapping such as "
            "{'2029': 1.21} or {'2029': {'*': 1.21, 'E00123456': 1.3}}"
        )
    from carezones.io.demand import RESERVED_SCENARIOS

    rows: dict[str, dict[str, float]] = {}
    for name, spec in growth.items():
        if str(name).strip().lower() in RESERVED_SCENARIOS:
            raise ArgumentError(
                f"a growth scenario cannot be called {name!r}: that name already means "
                f"{RESERVED_SCENARIOS[str(name).strip().lower()]}; give it another name"
            )
        if str(name) in {str(n) for n in growth if n is not name}:
            raise ArgumentError(f"the growth scenario {str(name)!r} is given twice: give it once")
        per_area = spec if isinstance(spec, Mapping) else {"*": spec}
        for code, factor in per_area.items():
            value = check_number(f"growth factor of {code!r} in {name!r}", factor, minimum=0)
            key = "*" if str(code).strip().lower() in ("*", "all") else str(code).strip()
            rows.setdefault(key, {})[str(name)] = value
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("area").reset_index()
    table["source_row"] = np.arange(1, len(table) + 1)
    table.attrs["carezones_growth"] = {"source": "growth", "scenarios": [str(n) for n in growth]}
    return table


def _check_growth_areas(table: pd.DataFrame, areas: npt.NDArray[Any]) -> None:
    """Refuse growth factors for areas the demand does not have, naming their rows."""
    known = set(areas.tolist()) - {""}
    source = table.attrs.get("carezones_growth", {}).get("source", "growth")
    probs = Problems(str(source), rows=table["source_row"].to_numpy())
    fix = (
        "check the code against the demand file's area codes, or add the area to the demand"
        if known
        else "the demand has no area codes: give it an area column (e.g. "
        "area_code), or give the growth one '*' row for every area"
    )
    for pos, code in enumerate(table["area"].astype(str).tolist()):
        if code != "*" and code not in known:
            probs.add(pos, "area", code, "no demand in this area (unknown area code)", fix)
    probs.raise_if_any()


def _preference(
    demand: pd.DataFrame,
    areas: npt.NDArray[Any],
    preferred: PreferredLike | None,
    weight: float,
    notes: list[str],
) -> FloatArray:
    """Return each demand row's preference multiplier."""
    import geopandas as gpd

    out = np.ones(len(areas))
    if preferred is None:
        return out
    if isinstance(preferred, gpd.GeoDataFrame):
        return _preferred_polygons(demand, preferred, weight, notes)
    if isinstance(preferred, str):
        preferred = [preferred]
    if isinstance(preferred, Mapping):
        spec = {
            str(k): check_number(f"preferred weight of {k!r}", v, minimum=0)
            for k, v in preferred.items()
        }
    elif isinstance(preferred, Sequence):
        spec = {str(k): weight for k in preferred}
    else:
        raise ArgumentError(
            "preferred must be area codes (a list, or a mapping to their weights) or polygons "
            "(a GeoDataFrame)"
        )
    unknown = sorted(set(spec) - set(areas.tolist()))
    if unknown:
        raise ArgumentError(
            f"preferred areas {unknown[:10]} have no demand (unknown area codes): check them "
            "against the demand file's area codes"
        )
    for code, mult in spec.items():
        out[areas == code] = mult
    notes.append(
        "demand in "
        + ", ".join(spec)
        + " counts "
        + ", ".join(sorted({f"{m:g}" for m in spec.values()}))
        + " times"
    )
    return out


def _preferred_polygons(
    demand: pd.DataFrame, polygons: gpd.GeoDataFrame, weight: float, notes: list[str]
) -> FloatArray:
    """Multiply the demand inside preferred polygons (the largest multiplier where several)."""
    import geopandas as gpd
    import shapely

    from carezones.io import check_areas

    if polygons.crs is None:
        raise ArgumentError("the preferred areas have no CRS: set one, e.g. .set_crs(27700)")
    check_areas(polygons, "preferred areas")
    poly = polygons.to_crs("EPSG:4326")
    if "weight" in poly.columns:
        mult = pd.to_numeric(poly["weight"], errors="coerce").to_numpy(float)
        bad = ~np.isfinite(mult) | (mult < 0)
        if bad.any():
            raise ArgumentError(
                f"preferred areas {(np.flatnonzero(bad) + 1)[:10].tolist()} have a weight that "
                "is not a number >= 0: give a multiplier such as 1.5"
            )
    else:
        mult = np.full(len(poly), weight)
    pts = gpd.GeoSeries(demand.geometry, crs=demand.crs).to_crs("EPSG:4326").to_numpy()
    tree = shapely.STRtree(poly.geometry.to_numpy())
    d_i, p_i = tree.query(pts, predicate="intersects")
    out = np.ones(len(pts))
    if len(d_i):
        best = np.zeros(len(pts))
        np.maximum.at(best, d_i, mult[p_i])
        hit = np.zeros(len(pts), dtype=bool)
        hit[d_i] = True
        out[hit] = best[hit]
    names = poly["name"].astype(str).tolist() if "name" in poly.columns else []
    where = ", ".join(names[:6]) if names else f"{len(poly)} preferred area(s)"
    notes.append(
        f"demand in {where} counts " + ", ".join(sorted({f"{m:g}" for m in mult})) + " times "
        f"({int((out != 1).sum())} demand rows)"
    )
    return out
