"""The offline base map of a network: its OSM file's roads, water and place names, made small.

Maps drawn without internet have no tiles to show where they are; carezones draws its own base
from the same OSM extract the network was loaded from (:func:`load_basemap`): main and minor
roads merged into one line per class, water areas and rivers, and the names of towns, villages
and hamlets. Geometry is merged and simplified to about 5 m, so that the base adds tens of
kilobytes to a map, not megabytes. The prepared base is kept in the cache folder beside the
prepared networks, keyed by the file's content, so a second map (or a second run) reads it at
once.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carezones.errors import CarezonesError

if TYPE_CHECKING:
    from carezones.network.data import Provenance

__all__ = ["Basemap", "Place", "load_basemap"]

log = logging.getLogger("carezones")

BASEMAP_VERSION = 1
"""Bumped when what a prepared base holds changes (older cached ones are then rebuilt)."""

SIMPLIFY_DEG = 5e-5
"""How far (degrees, about 5 m) simplified main roads and water may stray from the real ones."""

SIMPLIFY_MINOR_DEG = 1e-4
"""The same for minor roads and rivers (about 10 m): they are most of a base's size."""

MINOR_ROADS = frozenset({"unclassified", "residential", "living_street"})

MIN_WATER_DEG2 = 5e-7
"""Water areas smaller than this (degrees², about 0.4 ha in Great Britain) are left out."""

_memo: dict[str, Basemap] = {}


@dataclass(frozen=True)
class Place:
    """A named place of a base map: a town, a village...

    Parameters
    ----------
    name : str
        Its name, as the OSM file spells it (not escaped).
    kind : str
        Its ``place=*`` kind: ``"city"``, ``"town"``, ``"village"``, ``"hamlet"`` or
        ``"suburb"``.
    lon, lat : float
        Where its name goes (the place node).

    Examples
    --------
    >>> town = load_basemap(county.osm_path).places[0]
    >>> town.name, town.kind
    ('Caldwell', 'town')
    """

    name: str
    kind: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Basemap:
    """What an offline map draws under its data: roads, water and place names (lon/lat).

    Parameters
    ----------
    roads : dict of str to dict
        One GeoJSON geometry per road class (``"primary"``, ``"residential"``...): its roads
        merged and simplified.
    water : dict or None
        Water areas as one GeoJSON geometry (``None``: none in the file).
    rivers : dict or None
        Rivers and canals as one GeoJSON geometry.
    places : tuple of Place
        The named places, towns first.

    Examples
    --------
    >>> base = load_basemap(county.osm_path)
    >>> [p.name for p in base.places][:2], "primary" in base.roads
    (['Caldwell', 'Lythwick'], True)
    """

    roads: dict[str, dict[str, Any]]
    water: dict[str, Any] | None
    rivers: dict[str, Any] | None
    places: tuple[Place, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the base as plain JSON-ready data (the cache's content).

        Returns
        -------
        dict
            ``roads``, ``water``, ``rivers`` and ``places`` (lists ``[name, kind, lon, lat]``).

        Examples
        --------
        >>> sorted(load_basemap(county.osm_path).to_dict())
        ['places', 'rivers', 'roads', 'water']
        """
        return {
            "roads": self.roads,
            "water": self.water,
            "rivers": self.rivers,
            "places": [[p.name, p.kind, p.lon, p.lat] for p in self.places],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Basemap:
        """Return the base that :meth:`to_dict` gave.

        Parameters
        ----------
        data : dict
            What :meth:`to_dict` returned.

        Returns
        -------
        Basemap
            The same base.

        Examples
        --------
        >>> base = load_basemap(county.osm_path)
        >>> Basemap.from_dict(base.to_dict()) == base
        True
        """
        places = tuple(Place(str(n), str(k), float(x), float(y)) for n, k, x, y in data["places"])
        return cls(dict(data["roads"]), data["water"], data["rivers"], places)


_RANK = {"city": 0, "town": 1, "suburb": 2, "village": 3, "hamlet": 4}


def load_basemap(source: Provenance | str | os.PathLike[str]) -> Basemap | None:
    """Return the offline base map of an OSM file (or of the file a network came from).

    Read once per file content: the prepared base is kept in memory and in the cache folder
    (``$CAREZONES_CACHE``, beside the prepared networks).

    Parameters
    ----------
    source : Provenance, str or path
        A network's :attr:`~carezones.RoadNetwork.provenance` (its ``source`` file and
        ``sha256``), or an OSM file's path.

    Returns
    -------
    Basemap or None
        The base; ``None`` when the source is not an OSM file (a GraphML file, a place name),
        or is no longer where it was and was never prepared, or cannot be read (a warning says
        why).

    Examples
    --------
    >>> base = load_basemap(net.provenance)
    >>> len(base.places), sorted(base.roads)[:2]
    (6, ['primary', 'residential'])
    """
    from carezones._data import cache_dir, file_sha256
    from carezones.io.osm import is_osm_file

    if isinstance(source, str | os.PathLike):
        path, digest = Path(source), ""
    else:
        path, digest = Path(source.source), source.sha256
    if not is_osm_file(path):
        return None
    if not digest:
        if not path.exists():
            return None
        digest = file_sha256(path)  # the same key as the network's cache
    key = f"{digest[:16]}-v{BASEMAP_VERSION}"
    if key in _memo:
        return _memo[key]
    cached = cache_dir() / "basemaps" / f"{key}.json"
    base = _read_cached(cached)
    if base is None:
        if not path.exists():
            return None
        try:
            base = _prepare(path)
        except CarezonesError as exc:
            log.warning("no offline base map for %s: %s", path.name, exc)
            return None
        _save(cached, base)
    _memo[key] = base
    return base


def _prepare(path: Path) -> Basemap:
    """Read the file's roads, water and places; merge and simplify them."""
    import shapely

    from carezones.io.osm import read_map_base

    roads, water, places = read_map_base(path)
    by_class: dict[str, dict[str, Any]] = {}
    for hw, group in roads.groupby("highway", sort=True):
        tolerance = SIMPLIFY_MINOR_DEG if hw in MINOR_ROADS else SIMPLIFY_DEG
        merged = shapely.line_merge(shapely.union_all(group.geometry.values))
        by_class[str(hw)] = _small(merged, tolerance)
    areas = water[water["kind"] == "area"].geometry.to_numpy()
    areas = shapely.make_valid(areas)
    areas = areas[shapely.area(areas) >= MIN_WATER_DEG2]
    lines = water[water["kind"] == "river"].geometry.to_numpy()
    order = sorted(
        range(len(places)),
        key=lambda i: (_RANK.get(str(places["place"].iat[i]), 9), str(places["name"].iat[i])),
    )
    return Basemap(
        roads=by_class,
        water=_small(shapely.union_all(areas), SIMPLIFY_DEG) if len(areas) else None,
        rivers=(
            _small(shapely.line_merge(shapely.union_all(lines)), SIMPLIFY_MINOR_DEG)
            if len(lines)
            else None
        ),
        places=tuple(
            Place(
                str(places["name"].iat[i]),
                str(places["place"].iat[i]),
                round(float(places.geometry.iat[i].x), 5),
                round(float(places.geometry.iat[i].y), 5),
            )
            for i in order
        ),
    )


def _small(geom: Any, tolerance: float) -> dict[str, Any]:
    """Return a geometry simplified (``tolerance`` degrees), to 5 decimals (1 m), as GeoJSON."""
    import shapely

    geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    geom = shapely.set_precision(geom, 1e-5)
    return dict(json.loads(shapely.to_geojson(geom)))


def _read_cached(path: Path) -> Basemap | None:
    if not path.exists():
        return None
    try:
        return Basemap.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("ignoring a damaged base map cache %s (%s)", path, exc)
        return None


def _save(path: Path, base: Basemap) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}-{os.getpid()}-{time.time_ns()}.json")
        tmp.write_text(json.dumps(base.to_dict(), separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a base map is a nicety: a cache that cannot be written is no error
        log.warning("could not keep the base map in the cache (%s)", exc)
