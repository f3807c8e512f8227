"""Sample data for trying carezones: an invented county, and a real extract when it is present.

- :func:`synthetic_county` writes the synthetic county (SYNTHETIC DATA: an invented place, in
  the North Sea, offline, any size from ``tiny`` to the Dorset-scale ``county``) and its client
  file, and returns where they are.
- :func:`rutland` returns the OpenStreetMap extract of Rutland (England's smallest county) when
  the shared data folder holds it (``$CAREZONES_DATA`` or ``../shared/data``), else ``None``.
- :func:`example_area` picks for examples and notebooks: Rutland when present (unless
  ``$CAREZONES_AREA`` is ``synthetic``), else the synthetic county; with a client file either way.

Examples
--------
>>> from carezones import datasets
>>> area = datasets.example_area(size="tiny")  # doctest: +SKIP
>>> area.osm_path.name  # doctest: +SKIP
'rutland-2022-07-20.osm.pbf'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from carezones._data import RUTLAND_PBF, cache_dir, shared_file
from carezones.synthetic import SyntheticCounty, clients_on_buildings, make_synthetic_county

__all__ = ["ExampleArea", "example_area", "rutland", "synthetic_county"]


def synthetic_county(
    size: str = "small", seed: int = 0, folder: str | os.PathLike[str] | None = None
) -> SyntheticCounty:
    """Write (or reuse) the synthetic county and its clients; return where they are.

    Parameters
    ----------
    size : str
        ``tiny``, ``small``, ``medium``, ``large`` or ``county`` (Dorset-scale).
    seed : int
        The county's seed: the same size and seed give byte-identical files.
    folder : path, optional
        Where to write (default: ``datasets`` in the carezones cache folder).

    Returns
    -------
    SyntheticCounty
        ``osm_path``, ``clients_path`` and what the county holds.
    """
    return make_synthetic_county(Path(folder) if folder else cache_dir() / "datasets",
                                 size=size, seed=seed)  # fmt: skip


def rutland() -> Path | None:
    """Return the Rutland OpenStreetMap extract when the shared data holds it, else ``None``.

    Returns
    -------
    pathlib.Path or None
        ``rutland-2022-07-20.osm.pbf`` (© OpenStreetMap contributors, ODbL).
    """
    return shared_file(RUTLAND_PBF)


@dataclass(frozen=True)
class ExampleArea:
    """An area to try things on: its OSM file, a client file, and whether it is invented."""

    osm_path: Path
    clients_path: Path
    synthetic: bool


def example_area(
    clients: int = 600, size: str = "small", seed: int = 0,
    folder: str | os.PathLike[str] | None = None,
) -> ExampleArea:  # fmt: skip
    """Return Rutland with invented clients when present, else the synthetic county.

    ``$CAREZONES_AREA=synthetic`` always gives the synthetic county (the tests run every
    notebook both ways).

    Parameters
    ----------
    clients : int
        Clients to place on Rutland's residential buildings (invented, like their hours).
    size, seed : str, int
        The synthetic county's size and seed.
    folder : path, optional
        Where to write the files (default: the cache folder).

    Returns
    -------
    ExampleArea
    """
    base = Path(folder) if folder else cache_dir() / "datasets"
    real = None if os.environ.get("CAREZONES_AREA", "").lower() == "synthetic" else rutland()
    if real is None:
        county = synthetic_county(size, seed, base)
        return ExampleArea(county.osm_path, county.clients_path, True)
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"rutland-clients-{clients}-seed{seed}.csv"
    if not path.exists():
        from carezones.io import output_file, write_csv

        with output_file(path) as tmp:
            write_csv(clients_on_buildings(real, clients, seed=seed), tmp, index=False)
    return ExampleArea(real, path, False)
