"""Sample data for trying carezones: an invented county, and a real extract when it is present.

- :func:`synthetic_county` writes the synthetic county (SYNTHETIC DATA: an invented place, in
  the North Sea, offline, any size from ``tiny`` to the Dorset-scale ``county``) and its client
  file, and returns where they are.
- :func:`rutland` returns the OpenStreetMap extract of Rutland (England's smallest county) when
  the shared data folder holds it (``$CAREZONES_DATA`` or ``../shared/data``), else ``None``.
- :func:`example_area` picks for examples and notebooks: Rutland when present (unless
  ``$CAREZONES_AREA`` is ``synthetic``), else the synthetic county; with a client file either way.
- :func:`example_files` writes invented inputs on that area for every kind of run: clients with
  today's provider, a day's visits and carers, a week, candidate sites and a visit log (the
  README's and the guides' examples run on them).

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

__all__ = [
    "ExampleArea",
    "ExampleFiles",
    "example_area",
    "example_files",
    "rutland",
    "synthetic_county",
]


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


@dataclass(frozen=True)
class ExampleFiles:
    """Invented inputs on an example area, each a CSV in the layout its reader takes.

    SYNTHETIC DATA: the places are the area's buildings, the people, hours, visits and times
    are invented. :func:`example_files` writes them.

    Parameters
    ----------
    clients : pathlib.Path
        The area's clients (:func:`carezones.read_clients`) with an invented ``provider``
        column: today's allocation among four providers, ``{"today": "provider"}`` for
        :func:`carezones.compare_designs`.
    visits, carers : pathlib.Path
        A day's visits and the carers' shifts (:func:`carezones.read_visits`,
        :func:`carezones.read_carers`; :func:`carezones.synthetic.example_day`): 24 clients,
        six carers ``K001`` to ``K006``.
    week_visits, week_carers : pathlib.Path
        Three days of visits and shifts with a ``day`` column (for
        :func:`carezones.plan_week`; :func:`carezones.synthetic.example_week`).
    sites : pathlib.Path
        Eight candidate sites, ``site_id`` (``S01`` to ``S08``), ``lat``, ``lon``, ``name``:
        buildings of the area (for :func:`carezones.score_sites`).
    visit_log : pathlib.Path
        A visit log of ten dates, ``carer_id, date, client_id, lat, lon, arrived, left``
        (:func:`carezones.read_visit_log`; :func:`carezones.synthetic.visit_log`), whose
        journeys take 1.4 × the model's minutes + 4 in towns and 1.2 × + 2.5 elsewhere (towns:
        the default road density rule).

    Examples
    --------
    >>> from carezones import datasets
    >>> files = datasets.example_files(datasets.example_area(clients=50, size="tiny"))
    >>> files.visits.name
    'visits.csv'
    """

    clients: Path
    visits: Path
    carers: Path
    week_visits: Path
    week_carers: Path
    sites: Path
    visit_log: Path


def example_files(area: ExampleArea, *, seed: int = 0) -> ExampleFiles:
    """Write (or reuse) invented inputs for every kind of run on an example area.

    The files go in a folder beside the area's client file, named after it and the seed; the
    same area and seed give the same files. They take a second or two the first time (the
    visit log's journeys are timed on the drive network).

    Parameters
    ----------
    area : ExampleArea
        From :func:`example_area`.
    seed : int, default 0
        The seed of the invented providers, visits, shifts, sites and log.

    Returns
    -------
    ExampleFiles
        The files' paths.

    Examples
    --------
    >>> import carezones
    >>> from carezones import datasets
    >>> area = datasets.example_area(clients=50, size="tiny")
    >>> files = datasets.example_files(area)
    >>> net = carezones.load_network(area.osm_path, engine="builtin")
    >>> carezones.read_carers(files.carers, area=net).carer_id.unique().tolist()
    ['K001', 'K002', 'K003', 'K004', 'K005', 'K006']
    >>> "provider" in carezones.read_clients(files.clients, area=net).columns
    True
    """
    folder = area.clients_path.parent / f"{area.clients_path.stem}-inputs-seed{seed}"
    names = ("clients", "visits", "carers", "week_visits", "week_carers", "sites", "visit_log")
    files = ExampleFiles(*(folder / f"{name.replace('_', '-')}.csv" for name in names))
    if not all(path.exists() for path in vars(files).values()):
        _write_example_files(area, files, seed)
    return files


def _write_example_files(area: ExampleArea, files: ExampleFiles, seed: int) -> None:
    """Write every file of :func:`example_files` (each whole or not at all)."""
    import numpy as np
    import pandas as pd

    from carezones.network import ClassTimes, DensityRule, TravelProfile, load_network
    from carezones.report import output_file, write_csv
    from carezones.synthetic import LogOptions, example_day, example_week, visit_log

    rng = np.random.default_rng(seed)
    clients = pd.read_csv(area.clients_path, dtype={"client_id": str})
    clients["provider"] = [f"Provider {'ABCD'[i]}" for i in rng.integers(0, 4, len(clients))]
    homes = clients[["lon", "lat"]].to_numpy(dtype=float)
    carers = homes[::-1][:6]  # the carers live at the last six clients' addresses
    day = example_day(homes[:24], carers, seed=seed)
    week = example_week(homes[:16], carers, days=3, seed=seed)
    sites = clients_on_buildings(area.osm_path, 8, seed=seed + 1)[["lat", "lon"]]
    sites.insert(0, "site_id", [f"S{i + 1:02d}" for i in range(len(sites))])
    sites["name"] = [f"Site {i + 1}" for i in range(len(sites))]
    truth = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=DensityRule())
    net = load_network(area.osm_path, engine="builtin")
    log = visit_log(area, net, truth, LogOptions(days=10, seed=seed))
    tables = (clients, *day, *week, sites, log.drop(columns="waited_minutes"))
    files.clients.parent.mkdir(parents=True, exist_ok=True)
    for table, path in zip(tables, vars(files).values(), strict=True):
        with output_file(path) as tmp:
            write_csv(table, tmp, index=False)
