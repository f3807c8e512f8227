"""Read what an OSM file holds besides roads: amenities, named places and buildings.

The roads themselves are read by :mod:`carezones.network.osm`. :func:`read_features` reads the
amenities and named places that sites are scored against; :func:`read_building_centroids` the
buildings (and which are homes) that invented clients and carers are placed on.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from carezones.errors import CarezonesError

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "OSM_SUFFIXES",
    "RESIDENTIAL_BUILDINGS",
    "is_osm_file",
    "read_building_centroids",
    "read_features",
    "read_map_base",
]


OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".xml")


FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def is_osm_file(path: Path) -> bool:
    """Return whether the path names an OSM data file by its suffix.

    Parameters
    ----------
    path : pathlib.Path
        The file's path (it need not exist).

    Returns
    -------
    bool
        True for the suffixes in :data:`OSM_SUFFIXES`, such as ``.osm.pbf`` or ``.osm``.

    Examples
    --------
    >>> from pathlib import Path
    >>> is_osm_file(Path("rutland.osm.pbf")), is_osm_file(Path("rutland.graphml"))
    (True, False)
    """
    name = path.name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def read_features(
    path: Path, categories: list[tuple[str, dict[str, tuple[str, ...]]]], places: Collection[str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return the tagged features of an OSM file: amenities by category, and named places.

    ``categories`` are ``(name, {key: values})`` (``"*"``: any value). Nodes keep their point;
    mapped areas (a building, a park) their polygon. Returns two GeoDataFrames: amenities
    (``category, name, tag, osm_id, geometry``; an object in two categories is listed in each)
    and place nodes of the ``places`` kinds with a name (``name, place, osm_id, geometry``).

    Parameters
    ----------
    path : pathlib.Path
        An OSM file.
    categories : list of (str, dict)
        The amenity categories: a name and the tag values that make an amenity of it.
    places : collection of str
        The ``place=*`` kinds to keep, such as ``("city", "town")``.

    Returns
    -------
    amenities : geopandas.GeoDataFrame
        ``category, name, tag, osm_id`` and geometry, in EPSG:4326.
    places : geopandas.GeoDataFrame
        ``name, place, osm_id`` and geometry, in EPSG:4326.

    Raises
    ------
    FileNotFoundError
        When there is no such file.

    Examples
    --------
    >>> shops = [("shops", {"shop": ("supermarket", "convenience")})]
    >>> amenities, places = read_features(county.osm_path, shops, ("town", "village"))
    >>> amenities.name.tolist()[:2], places.name.tolist()
    (['Tesco Express', 'One Stop'], ['Lythwick', 'Yarholme', 'Caldwell', 'Swinham'])
    """
    import osmium
    import shapely

    if not Path(path).exists():
        raise FileNotFoundError(f"OSM file not found: {path}")
    keys = sorted({k for _, tags in categories for k in tags} | {"place"})
    filt = osmium.filter.KeyFilter(*keys)
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(filt).with_filter(filt)
    amen: list[dict[str, Any]] = []
    towns: list[dict[str, Any]] = []
    obj: Any
    for obj in fp:
        if obj.is_node():
            geom: Any = shapely.Point(obj.location.lon, obj.location.lat)
            osm_id = f"node/{obj.id}"
        elif obj.is_area():
            polys = []
            for outer in obj.outer_rings():
                ring = [(n.lon, n.lat) for n in outer]
                if len(ring) >= 4:
                    polys.append(shapely.Polygon(ring))
            if not polys:
                continue
            geom = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
            osm_id = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
        else:
            continue
        tags = obj.tags
        name = tags.get("name") or tags.get("brand") or ""
        place = tags.get("place")
        if place in places and obj.is_node() and name:
            towns.append({"name": name, "place": place, "osm_id": osm_id, "geometry": geom})
        for cat, wanted in categories:
            for key, values in wanted.items():
                v = tags.get(key)
                if v is not None and ("*" in values or v in values):
                    amen.append(
                        {
                            "category": cat,
                            "name": name,
                            "tag": f"{key}={v}",
                            "osm_id": osm_id,
                            "geometry": geom,
                        }
                    )
                    break
    return (
        _features(amen, ["category", "name", "tag", "osm_id"]),
        _features(towns, ["name", "place", "osm_id"]),
    )


def _features(rows: list[dict[str, Any]], columns: list[str]) -> gpd.GeoDataFrame:
    """Return rows with a geometry as a GeoDataFrame in WGS84 (empty: keeping the columns)."""
    import geopandas as gpd

    if not rows:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


# ---------------------------------------------------------------------- the map's base
MAP_ROADS = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "tertiary",
        "unclassified",
        "residential",
        "living_street",
    }
)
"""``highway=*`` classes drawn on the offline base map (``_link`` roads count as their class)."""

MAP_PLACES = frozenset({"city", "town", "village", "hamlet", "suburb"})
"""``place=*`` kinds whose names the offline base map shows."""

_WATER_AREAS = (
    ("natural", "water"),
    ("waterway", "riverbank"),
    ("landuse", "reservoir"),
    ("landuse", "basin"),
)
_RIVERS = frozenset({"river", "canal"})


def read_map_base(
    path: Path,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Return what an offline base map draws from an OSM file: roads, water and named places.

    One pass over the file (pyosmium). Roads are the ways of the :data:`MAP_ROADS` classes
    (their ``_link`` ways counted in their class), whatever may drive on them; water is every
    ``natural=water``, ``waterway=riverbank`` and ``landuse=reservoir``/``basin`` area (a
    multipolygon such as a reservoir with islands keeps its holes) and every ``waterway=river``
    or ``canal`` line; places are the named ``place=*`` nodes of the :data:`MAP_PLACES` kinds.

    Parameters
    ----------
    path : pathlib.Path
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.

    Returns
    -------
    roads : geopandas.GeoDataFrame
        ``highway`` (the class) and a line per way, in EPSG:4326.
    water : geopandas.GeoDataFrame
        ``kind`` (``"area"`` or ``"river"``) and a polygon or line, in EPSG:4326.
    places : geopandas.GeoDataFrame
        ``name, place`` and a point, in EPSG:4326.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    CarezonesError
        When the file cannot be read.

    Examples
    --------
    >>> roads, water, places = read_map_base(county.osm_path)
    >>> sorted(set(roads.highway))[:3], places.name.tolist()[:2]
    (['primary', 'residential', 'secondary'], ['Lythwick', 'Yarholme'])
    """
    import osmium
    import shapely

    if not Path(path).exists():
        raise FileNotFoundError(f"OSM file not found: {path}")
    keys = osmium.filter.KeyFilter("highway", "place", "natural", "waterway", "landuse")
    fp = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_areas(osmium.filter.TagFilter(*_WATER_AREAS))
        .with_filter(keys)
    )
    roads: list[dict[str, Any]] = []
    water: list[dict[str, Any]] = []
    places: list[dict[str, Any]] = []
    obj: Any
    try:
        for obj in fp:
            tags = obj.tags
            if obj.is_node():
                name, place = tags.get("name"), tags.get("place")
                if name and place in MAP_PLACES:
                    point = shapely.Point(obj.location.lon, obj.location.lat)
                    places.append({"name": name, "place": place, "geometry": point})
            elif obj.is_area():
                if any(tags.get(k) == v for k, v in _WATER_AREAS):
                    for outer in obj.outer_rings():
                        shell = _ring_lonlat(outer)
                        holes = [
                            h for h in map(_ring_lonlat, obj.inner_rings(outer)) if len(h) >= 3
                        ]
                        if len(shell) >= 3:
                            water.append(
                                {"kind": "area", "geometry": shapely.Polygon(shell, holes)}
                            )
            elif obj.is_way():
                hw = str(tags.get("highway", "")).removesuffix("_link")
                river = tags.get("waterway") in _RIVERS
                if hw not in MAP_ROADS and not river:
                    continue
                line = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if len(line) < 2:
                    continue
                if hw in MAP_ROADS:
                    roads.append({"highway": hw, "geometry": shapely.LineString(line)})
                else:
                    water.append({"kind": "river", "geometry": shapely.LineString(line)})
    except RuntimeError as exc:
        raise CarezonesError(
            f"could not read OSM file {path.name}: {exc}. Check that it is a complete .osm.pbf, "
            ".osm or .osm.bz2 file."
        ) from exc
    return (
        _features(roads, ["highway"]),
        _features(water, ["kind"]),
        _features(places, ["name", "place"]),
    )


# ---------------------------------------------------------------------- buildings
RESIDENTIAL_BUILDINGS = frozenset(
    {
        "house",
        "detached",
        "semidetached_house",
        "terrace",
        "bungalow",
        "residential",
        "apartments",
        "farmhouse",
        "farm",
        "cottage",
    }
)
"""``building=*`` values that are homes (``yes`` counts only inside ``landuse=residential``)."""


def read_building_centroids(
    path: Path,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Return the centroids (lon, lat) of an OSM file's buildings, which are homes, which ``yes``.

    Homes are buildings tagged with a value in :data:`RESIDENTIAL_BUILDINGS`, and
    ``building=yes`` inside a ``landuse=residential`` area; other ``yes`` buildings are flagged
    separately (they may be homes or not); other kinds of building are left out. Buildings are
    in OSM id order.

    Parameters
    ----------
    path : pathlib.Path
        An ``.osm.pbf``, ``.osm`` or ``.osm.bz2`` file.

    Returns
    -------
    lon : numpy.ndarray
        The longitude of the area centroid of each building's largest outer ring.
    lat : numpy.ndarray
        Its latitude.
    home : numpy.ndarray of bool
        Whether each building is a home.
    yes : numpy.ndarray of bool
        Whether it is another ``building=yes``.

    Examples
    --------
    >>> lon, lat, home, yes = read_building_centroids(county.osm_path)
    >>> len(lon), int(home.sum()), int(yes.sum())
    (724, 724, 0)
    """
    import osmium
    import shapely

    keys = osmium.filter.KeyFilter("building", "landuse")
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(keys).with_filter(keys)
    found: list[tuple[int, int, int]] = []  # (area id, first ring point, 1 home / 0 yes)
    coords: list[tuple[float, float]] = []
    landuse: list[tuple[int, shapely.Polygon]] = []
    obj: Any
    try:
        for obj in fp:
            if not obj.is_area():
                continue
            building = obj.tags.get("building")
            if building is not None:
                kind = 1 if building in RESIDENTIAL_BUILDINGS else 0 if building == "yes" else -1
                if kind < 0:
                    continue
                rings = [_ring_lonlat(r) for r in obj.outer_rings()]
                ring = max(rings, key=len, default=[])
                if len(ring) >= 3:
                    found.append((obj.id, len(coords), kind))
                    coords += ring
            elif obj.tags.get("landuse") == "residential":
                for outer in obj.outer_rings():
                    shell = _ring_lonlat(outer)
                    holes = [h for h in map(_ring_lonlat, obj.inner_rings(outer)) if len(h) >= 3]
                    if len(shell) >= 3:
                        landuse.append((obj.id, shapely.Polygon(shell, holes)))
    except RuntimeError as exc:
        raise CarezonesError(
            f"could not read OSM file {path.name}: {exc}. Check that it is a complete .osm.pbf, "
            ".osm or .osm.bz2 file."
        ) from exc
    if not found:
        empty = np.zeros(0)
        return empty, empty, np.zeros(0, bool), np.zeros(0, bool)
    starts = np.array([f[1] for f in found], dtype=np.intp)
    lon_a, lat_a = _ring_centroids(np.array(coords, dtype=np.float64), starts)
    home = np.array([f[2] == 1 for f in found])
    order = np.argsort([f[0] for f in found], kind="stable")
    lon_a, lat_a, home = lon_a[order], lat_a[order], home[order]
    yes = ~home
    if landuse and yes.any():
        landuse.sort(key=lambda t: t[0])
        polys = np.array([p for _, p in landuse], dtype=object)
        bad = ~shapely.is_valid(polys)
        polys[bad] = shapely.make_valid(polys[bad])
        tree = shapely.STRtree(polys)
        idx = np.flatnonzero(yes)
        hits = tree.query(shapely.points(lon_a[idx], lat_a[idx]), predicate="within")
        inside = np.zeros(len(idx), bool)
        inside[hits[0]] = True
        home[idx[inside]] = True
        yes[idx[inside]] = False
    return lon_a, lat_a, home, yes


def _ring_lonlat(ring: Any) -> list[tuple[float, float]]:
    return [(nd.lon, nd.lat) for nd in ring if nd.location.valid()]


def _ring_centroids(xy: FloatArray, starts: npt.NDArray[np.intp]) -> tuple[FloatArray, FloatArray]:
    """Area centroids (lon, lat) of many small lon/lat rings stored one after another."""
    sizes = np.diff(np.append(starts, len(xy)))
    origin = np.repeat(xy[starts], sizes, axis=0)
    k = np.cos(np.radians(origin[:, 1]))
    x, y = (xy[:, 0] - origin[:, 0]) * k, xy[:, 1] - origin[:, 1]
    nxt = np.arange(1, len(xy) + 1)
    nxt[starts + sizes - 1] = starts
    cross = x * y[nxt] - x[nxt] * y
    area = np.add.reduceat(cross, starts) / 2.0
    cx = np.add.reduceat((x + x[nxt]) * cross, starts)
    cy = np.add.reduceat((y + y[nxt]) * cross, starts)
    flat = np.abs(area) < 1e-14
    safe = np.where(flat, 1.0, 6.0 * area)
    cx, cy = cx / safe, cy / safe
    cx[flat] = (np.add.reduceat(x, starts) / sizes)[flat]
    cy[flat] = (np.add.reduceat(y, starts) / sizes)[flat]
    lon0, lat0 = xy[starts, 0], xy[starts, 1]
    return lon0 + cx / np.cos(np.radians(lat0)), lat0 + cy
