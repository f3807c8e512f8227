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
>>> area = datasets.example_area(clients=50, size="tiny")
>>> area.osm_path.name in ("rutland-2022-07-20.osm.pbf", "synthetic-county-tiny-seed0.osm")
True
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

    SYNTHETIC DATA: an invented county in the North Sea (see :mod:`carezones.synthetic`).

    Parameters
    ----------
    size : {"tiny", "small", "medium", "large", "county"}, default "small"
        How big (``county`` is Dorset-scale).
    seed : int, default 0
        The county's seed: the same size and seed give byte-identical files.
    folder : str or os.PathLike, optional
        Where to write (default: ``datasets`` in the carezones cache folder).

    Returns
    -------
    SyntheticCounty
        ``osm_path``, ``clients_path`` and what the county holds.

    Raises
    ------
    ValueError
        When ``size`` or ``seed`` is not valid.

    See Also
    --------
    carezones.make_synthetic_county : The same, written to a folder you choose.

    Examples
    --------
    >>> from carezones import datasets
    >>> county = datasets.synthetic_county("tiny")
    >>> county.osm_path.name, county.n_clients
    ('synthetic-county-tiny-seed0.osm', 60)
    """
    return make_synthetic_county(
        Path(folder) if folder else cache_dir() / "datasets", size=size, seed=seed
    )


def rutland() -> Path | None:
    """Return the Rutland OpenStreetMap extract when the shared data holds it, else ``None``.

    The folder is ``$CAREZONES_DATA``, or ``../shared/data`` beside the checkout or the
    current directory. carezones does not ship the extract.

    Returns
    -------
    pathlib.Path or None
        ``rutland-2022-07-20.osm.pbf`` (© OpenStreetMap contributors, ODbL).

    Examples
    --------
    >>> from carezones import datasets
    >>> path = datasets.rutland()
    >>> path is None or path.name == "rutland-2022-07-20.osm.pbf"
    True
    """
    return shared_file(RUTLAND_PBF)


@dataclass(frozen=True)
class ExampleArea:
    """An area to try things on: its OSM file, a client file, and whether it is invented.

    Parameters
    ----------
    osm_path : pathlib.Path
        The OSM file (for :func:`carezones.load_network`).
    clients_path : pathlib.Path
        A client file (for :func:`carezones.read_clients`); the clients are invented.
    synthetic : bool
        Whether the place is the synthetic county (else it is Rutland, a real place).
    gtfs_path : pathlib.Path, optional
        A bus timetable (GTFS) for the area: the synthetic county's own; ``None`` for Rutland
        (no feed is shipped for it).

    Examples
    --------
    >>> from carezones import datasets
    >>> area = datasets.example_area(clients=50, size="tiny")
    >>> area.clients_path.suffix
    '.csv'
    """

    osm_path: Path
    clients_path: Path
    synthetic: bool
    gtfs_path: Path | None = None


def example_area(
    clients: int = 600,
    size: str = "small",
    seed: int = 0,
    folder: str | os.PathLike[str] | None = None,
) -> ExampleArea:
    """Return Rutland with invented clients when present, else the synthetic county.

    ``$CAREZONES_AREA=synthetic`` always gives the synthetic county (the tests run every
    notebook both ways).

    Parameters
    ----------
    clients : int, default 600
        Clients to place on Rutland's residential buildings (invented, like their hours).
    size : str, default "small"
        The synthetic county's size (see :func:`synthetic_county`).
    seed : int, default 0
        The seed of the synthetic county, or of the clients placed on Rutland.
    folder : str or os.PathLike, optional
        Where to write the files (default: ``datasets`` in the cache folder).

    Returns
    -------
    ExampleArea
        The OSM file, the client file, and whether the place is invented.

    Examples
    --------
    >>> import carezones
    >>> from carezones import datasets
    >>> area = datasets.example_area(clients=50, size="tiny")
    >>> net = carezones.load_network(area.osm_path, engine="builtin")
    >>> clients = carezones.read_clients(area.clients_path, area=net)
    >>> len(clients) in (50, 60)  # Rutland's 50, or the tiny county's 60
    True
    """
    base = Path(folder) if folder else cache_dir() / "datasets"
    real = None if os.environ.get("CAREZONES_AREA", "").lower() == "synthetic" else rutland()
    if real is None:
        county = synthetic_county(size, seed, base)
        return ExampleArea(county.osm_path, county.clients_path, True, county.gtfs_path)
    base.mkdir(parents=True, exist_ok=True)
    path = base / f"rutland-clients-{clients}-seed{seed}.csv"
    if not path.exists():
        from carezones.report import output_file, write_csv

        with output_file(path) as tmp:
            write_csv(clients_on_buildings(real, clients, seed=seed), tmp, index=False)
    return ExampleArea(real, path, False)
