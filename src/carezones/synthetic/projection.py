"""SYNTHETIC inputs for projecting demand on the synthetic county: projections, rates, areas.

:func:`write_projection_example` writes, beside a county's files, what
:func:`carezones.project_demand` and ``carezones choose-sites --projections`` read, so that a
demo, a test or a notebook can project demand offline. Everything is invented:

- ``<stem>-snpp.csv``: a population projection in the layout of ONS's sub-national population
  projections (``AREA_CODE``, ``AREA_NAME``, ``COMPONENT``, ``SEX``, ``AGE_GROUP`` and a column
  per year from 2022 to 2047, ages ``"0"`` to ``"89"``, ``"90 and over"`` and the ``"All
  ages"`` total) for two invented districts, the west and the east of the county (codes
  ``SYNLA01`` and ``SYNLA02``, names ending "(SYNTHETIC)"). Their people aged 75 and over in
  2022 are the areas' ``aged_75_plus`` added up; the oldest grow by 3% a year in the west and
  1.5% in the east (85 and over half as fast again), the younger hardly at all.
- ``<stem>-prevalence.csv``: ILLUSTRATIVE rates of housing with care per 1,000 people (75-79:
  10, 80-84: 25, 85+: 60), not a published source; a ``note`` column says so.
- ``<stem>-areas.csv``: the county cut into a grid of small areas (``SYN0001``...), each with
  a client: ``area_code``, ``lad_code`` (its district), ``lat``/``lon`` (the home of the
  client nearest the middle of the area's clients, standing for a population-weighted
  centroid), ``clients`` (counted in the area) and ``aged_75_plus`` (between 30 and 50 people
  per client, drawn with the county's seed).

The same county always gives the same files, and nothing else the county wrote changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from carezones.synthetic.county import SyntheticCounty

__all__ = ["BASE_YEAR", "LAST_YEAR", "RATES", "ProjectionExample", "write_projection_example"]

BASE_YEAR = 2022
"""The first year of the synthetic projection (as ONS's 2022-based projections)."""

LAST_YEAR = 2047
"""Its last year."""

RATES: tuple[tuple[str, float], ...] = (("75-79", 10.0), ("80-84", 25.0), ("85+", 60.0))
"""The ILLUSTRATIVE rates written: homes of housing with care per 1,000 people of the band."""

_NOTE = (
    "ILLUSTRATIVE rate for the SYNTHETIC county, not a published figure: use your council's "
    "own (Housing LIN's SHOP@ tool is the usual source)"
)
_DISTRICTS = (
    ("SYNLA01", "West Synthetica (SYNTHETIC)", 0.030),
    ("SYNLA02", "East Synthetica (SYNTHETIC)", 0.015),
)
_TOP = 90  # "90 and over", as ONS's tables end


@dataclass(frozen=True)
class ProjectionExample:
    """The files :func:`write_projection_example` wrote (SYNTHETIC DATA).

    Parameters
    ----------
    projections_path : pathlib.Path
        The ONS-style projection (CSV).
    prevalence_path : pathlib.Path
        The illustrative rates (CSV).
    areas_path : pathlib.Path
        The small areas (CSV of points).
    authorities : tuple of str
        The districts' codes.
    n_areas : int
        Rows of the areas file.
    base_year, last_year : int
        The projection's first and last years.

    Examples
    --------
    >>> import tempfile
    >>> example = write_projection_example(county, tempfile.mkdtemp())
    >>> example.authorities, example.base_year, example.last_year
    (('SYNLA01', 'SYNLA02'), 2022, 2047)
    """

    projections_path: Path
    prevalence_path: Path
    areas_path: Path
    authorities: tuple[str, ...]
    n_areas: int
    base_year: int
    last_year: int


def write_projection_example(
    county: SyntheticCounty, out_dir: str | Path | None = None
) -> ProjectionExample:
    """Write SYNTHETIC projections, illustrative rates and small areas for a synthetic county.

    Parameters
    ----------
    county : SyntheticCounty
        The county (:func:`make_synthetic_county`); its clients place the areas.
    out_dir : str or pathlib.Path, optional
        The folder (default: the county's own).

    Returns
    -------
    ProjectionExample
        The three files and what they hold.

    Examples
    --------
    >>> import tempfile
    >>> example = write_projection_example(county, tempfile.mkdtemp())
    >>> example.projections_path.name, example.n_areas
    ('synthetic-county-tiny-seed0-snpp.csv', 9)
    """
    folder = Path(out_dir) if out_dir is not None else county.osm_path.parent
    folder.mkdir(parents=True, exist_ok=True)
    stem = county.osm_path.stem
    areas = _areas(county)
    paths = (
        folder / f"{stem}-snpp.csv",
        folder / f"{stem}-prevalence.csv",
        folder / f"{stem}-areas.csv",
    )
    _projection(areas).to_csv(paths[0], index=False, lineterminator="\n")
    rates = pd.DataFrame(
        {"age_band": [b for b, _ in RATES], "per_1000": [r for _, r in RATES], "note": _NOTE}
    )
    rates.to_csv(paths[1], index=False, lineterminator="\n")
    areas.to_csv(paths[2], index=False, lineterminator="\n")
    return ProjectionExample(
        projections_path=paths[0],
        prevalence_path=paths[1],
        areas_path=paths[2],
        authorities=tuple(sorted(set(areas["lad_code"]))),
        n_areas=len(areas),
        base_year=BASE_YEAR,
        last_year=LAST_YEAR,
    )


def _areas(county: SyntheticCounty) -> pd.DataFrame:
    """Cut the county into a grid of areas and count its clients in each."""
    clients = pd.read_csv(county.clients_path)
    lon, lat = clients["lon"].to_numpy(float), clients["lat"].to_numpy(float)
    side = max(2, round(math.sqrt(len(clients) / 2)))
    col = np.minimum(((lon - lon.min()) / (np.ptp(lon) or 1.0) * side).astype(int), side - 1)
    row = np.minimum(((lat - lat.min()) / (np.ptp(lat) or 1.0) * side).astype(int), side - 1)
    cell = row * side + col
    rng = np.random.default_rng(county.seed + 75)
    out = []
    for k in np.unique(cell):
        members = np.flatnonzero(cell == k)
        mx, my = lon[members].mean(), lat[members].mean()
        near = members[np.argmin((lon[members] - mx) ** 2 + (lat[members] - my) ** 2)]
        per_client = float(rng.uniform(30, 50))
        out.append(
            {
                "lat": round(float(lat[near]), 6),
                "lon": round(float(lon[near]), 6),
                "clients": len(members),
                "aged_75_plus": round(len(members) * per_client),
            }
        )
    areas = pd.DataFrame(out)
    west = areas["lon"] < areas["lon"].median() if len(areas) > 1 else np.ones(1, dtype=bool)
    areas.insert(0, "area_code", [f"SYN{i + 1:04d}" for i in range(len(areas))])
    areas.insert(1, "lad_code", np.where(west, _DISTRICTS[0][0], _DISTRICTS[1][0]))
    return areas[["area_code", "lad_code", "lat", "lon", "clients", "aged_75_plus"]]


def _projection(areas: pd.DataFrame) -> pd.DataFrame:
    """Write each district's people by single year of age, 2022 to 2047, as ONS lays them out."""
    ages = np.arange(_TOP + 1)  # 90 stands for "90 and over"
    shape = np.where(ages < 65, 1.0, np.where(ages < 75, 1.0 - 0.02 * (ages - 64), 0.0))
    old = 0.8 * np.exp(-0.11 * (ages - 74))
    shape = np.where(ages >= 75, old, shape)
    shape[_TOP] = old[_TOP] * 4.0  # the open group holds every age from 90
    years = np.arange(BASE_YEAR, LAST_YEAR + 1)
    labels = [str(a) for a in ages[:-1]] + [f"{_TOP} and over"]
    rows = []
    for code, name, growth in _DISTRICTS:
        target = float(areas.loc[areas["lad_code"] == code, "aged_75_plus"].sum())
        if target <= 0:
            continue
        base = shape * target / shape[75:].sum()
        rate = np.where(ages < 65, 0.002, np.where(ages < 75, 0.008, growth))
        rate = np.where(ages >= 85, growth * 1.5, rate)
        counts = np.rint(base[:, None] * (1 + rate[:, None]) ** (years - BASE_YEAR)[None, :])
        for label, values in [*zip(labels, counts, strict=True), ("All ages", counts.sum(0))]:
            rows.append([code, name, "Population", "persons", label, *(int(v) for v in values)])
    columns = ["AREA_CODE", "AREA_NAME", "COMPONENT", "SEX", "AGE_GROUP", *map(str, years)]
    return pd.DataFrame(rows, columns=columns)
