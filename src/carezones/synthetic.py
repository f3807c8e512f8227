"""A deterministic synthetic county written as a real OpenStreetMap XML file.

Everything this module makes is SYNTHETIC DATA about an invented place. The county sits in the
North Sea about 140 km east of the Yorkshire coast (centred near 54.4 N, 1.6 E), so it can never
be mistaken for a real place, yet it projects cleanly into British National Grid (EPSG:27700).

The roads, buildings and amenities are tagged as OpenStreetMap mappers in the United Kingdom tag
them: market towns with street grids, a roundabout, one-way streets and a park; villages strung
along A roads, B roads and narrow winding lanes; farm tracks and a bridleway; a reservoir that
keeps two villages far apart by road although they are close as the crow flies; a river with
bridges; and one deliberately disconnected road. Clients (people receiving home care) are placed
on residential buildings with weekly hours of care drawn from a right-skewed distribution whose
mean (11.4 hours a week) matches what English councils buy for older people.

The same ``size`` and ``seed`` always give byte-identical files.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from statistics import NormalDist
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon

from carezones.errors import CarezonesError

__all__ = [
    "CENTRE_LAT",
    "CENTRE_LON",
    "GENERATOR",
    "RESIDENTIAL_BUILDINGS",
    "SIZES",
    "TIMESTAMP",
    "SyntheticCounty",
    "clients_on_buildings",
    "make_synthetic_county",
]

FloatArray = npt.NDArray[np.float64]
Tags = dict[str, str]

CENTRE_LAT = 54.4
"""Latitude of the synthetic county's centre (in the North Sea)."""
CENTRE_LON = 1.6
"""Longitude of the synthetic county's centre (in the North Sea)."""
TIMESTAMP = "2026-01-01T00:00:00Z"
"""The fixed data timestamp written on the file and on every node and way."""
GENERATOR = "carezones synthetic county - SYNTHETIC DATA, not a real place"
"""The ``generator`` attribute of the written OSM file."""
SIZES = ("tiny", "small", "medium", "large")
"""The accepted ``size`` values of :func:`make_synthetic_county`."""

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

_EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = math.pi * _EARTH_RADIUS_M / 180.0

# weekly hours of home care: most people get 3.5-10 h, a minority with high needs 25-40 h
_HOURS_LOW = (7.2, 0.45)  # (median, log-sd) of the usual packages
_HOURS_HIGH = (27.0, 0.30)  # (median, log-sd) of the high-needs packages
_HOURS_P_HIGH = 0.17
_HOURS_CLIP = (1.0, 56.0)
_HOURS_MEAN = 11.4  # Dorset buys about 13,800 hours a week for 1,210 older people


# ----------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class SyntheticCounty:
    """Files and facts of one generated synthetic county (SYNTHETIC DATA, not a real place).

    Attributes
    ----------
    osm_path : pathlib.Path
        The OSM XML 0.6 file of roads, buildings, amenities and water.
    clients_path : pathlib.Path
        CSV of clients with columns ``client_id, lat, lon, hours_per_week, town``.
    size : str
        One of ``"tiny"``, ``"small"``, ``"medium"``, ``"large"``.
    seed : int
        The random seed; the same size and seed give byte-identical files.
    bounds : tuple of float
        ``(min lon, min lat, max lon, max lat)`` of every node in the file.
    n_road_nodes : int
        Nodes used by ``highway=*`` ways (roads, tracks and paths).
    n_buildings : int
        Closed ways tagged ``building=*`` (homes, farm barns and amenity buildings).
    n_clients : int
        Rows of the clients CSV.
    barrier_villages : tuple of str
        Names of the two villages on opposite shores of the reservoir: close as the crow flies,
        far apart by road.
    description : str
        One line saying what was generated, and that it is synthetic.
    """

    osm_path: Path
    clients_path: Path
    size: str
    seed: int
    bounds: tuple[float, float, float, float]
    n_road_nodes: int
    n_buildings: int
    n_clients: int
    barrier_villages: tuple[str, str]
    description: str


def make_synthetic_county(
    out_dir: str | Path,
    *,
    size: str = "small",
    seed: int = 0,
    n_villages: int | None = None,
) -> SyntheticCounty:
    """Generate a synthetic county and write it as an OSM XML file plus a clients CSV.

    The data is SYNTHETIC: an invented county in the North Sea (centred near 54.4 N, 1.6 E)
    whose roads, buildings and amenities are tagged as UK OpenStreetMap mappers tag them.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder for the files (created if missing). Existing files of the same name are
        overwritten.
    size : {"tiny", "small", "medium", "large"}, default "small"
        ``"tiny"``: one market town and three villages (a few hundred road nodes, for unit
        tests); ``"small"``: two towns and ten villages (a few thousand road nodes);
        ``"medium"``: about ten thousand road nodes; ``"large"``: about fifty thousand.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same size and seed give byte-identical
        files.
    n_villages : int, optional
        Override the number of villages of the chosen size (the county grows or shrinks to
        keep their spacing). At least 2: the two reservoir villages are always made.

    Returns
    -------
    SyntheticCounty
        Paths of ``synthetic-county-<size>-seed<seed>.osm`` and
        ``synthetic-county-<size>-seed<seed>-clients.csv`` (with ``-v<n>`` after the size
        when ``n_villages`` is given) and counts of what they hold.

    Raises
    ------
    ValueError
        If ``size``, ``seed`` or ``n_villages`` is not valid.

    Examples
    --------
    >>> import tempfile
    >>> county = make_synthetic_county(tempfile.mkdtemp(), size="tiny", seed=1)
    >>> county.osm_path.name
    'synthetic-county-tiny-seed1.osm'
    """
    if size not in _SPECS:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, not {size!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, not {seed!r}")
    spec = _SPECS[size]
    stem = f"synthetic-county-{size}"
    if n_villages is not None:
        if isinstance(n_villages, bool) or not isinstance(n_villages, (int, np.integer)):
            raise ValueError(f"n_villages must be an integer, not {n_villages!r}")
        if n_villages < 2:
            raise ValueError(
                f"n_villages must be at least 2 (the reservoir villages), not {n_villages}"
            )
        spec = _scaled_spec(spec, int(n_villages))
        stem += f"-v{int(n_villages)}"
    stem += f"-seed{int(seed)}"

    county = _generate(spec, int(seed))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    osm_path = out / f"{stem}.osm"
    clients_path = out / f"{stem}-clients.csv"
    lat, lon = _to_latlon(np.asarray(county.b.xs), np.asarray(county.b.ys))
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    _write_osm(osm_path, county.b, lat, lon, bounds)
    _write_clients(clients_path, county.clients)
    n_road = county.b.n_road_nodes()
    n_buildings = sum(1 for _, t in county.b.ways if "building" in t)
    n_clients = len(county.clients)
    description = (
        f"SYNTHETIC county ({size}, seed {seed}): {spec.n_towns} market town(s) and "
        f"{spec.n_villages} villages invented in the North Sea near {CENTRE_LAT} N "
        f"{CENTRE_LON} E - not a real place; {n_road} road nodes, {n_buildings} buildings, "
        f"{n_clients} clients."
    )
    return SyntheticCounty(
        osm_path=osm_path,
        clients_path=clients_path,
        size=size,
        seed=int(seed),
        bounds=bounds,
        n_road_nodes=n_road,
        n_buildings=n_buildings,
        n_clients=n_clients,
        barrier_villages=county.barrier_villages,
        description=description,
    )


def clients_on_buildings(
    osm_path: str | Path,
    n: int,
    *,
    seed: int = 0,
    hours_mean: float = _HOURS_MEAN,
) -> pd.DataFrame:
    """Place ``n`` synthetic clients on the residential buildings of an OSM file.

    Reads any ``.osm``, ``.osm.bz2`` or ``.osm.pbf`` file, takes the centroids of its homes
    (``building`` in :data:`RESIDENTIAL_BUILDINGS`, plus ``building=yes`` inside a
    ``landuse=residential`` area) and samples ``n`` of them without replacement. Other
    ``building=yes`` buildings are added only when there are fewer than ``n`` homes; buildings
    are reused only when ``n`` exceeds every candidate. The clients are SYNTHETIC: real
    buildings, invented people.

    Parameters
    ----------
    osm_path : str or pathlib.Path
        The OSM file.
    n : int
        Number of clients (0 or more).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng` for the sample and the hours.
    hours_mean : float, default 11.4
        Mean weekly hours of care (above 1, at most 44.8). Hours are right-skewed (most
        3.5-10 h, a minority 25-40 h), clipped to [1, 56] and rounded to a quarter of an hour.

    Returns
    -------
    pandas.DataFrame
        Columns ``client_id`` (``C00001``...), ``lat``, ``lon`` and ``hours_per_week``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If ``n`` or ``hours_mean`` is not valid.
    carezones.CarezonesError
        If the file holds no buildings that could be homes.
    """
    path = Path(osm_path)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"n must be a non-negative integer, not {n!r}")
    lo, hi = _HOURS_CLIP
    if not (isinstance(hours_mean, (int, float)) and lo < hours_mean <= 0.8 * hi):
        raise ValueError(
            f"hours_mean must be a number of hours a week between {lo:g} and {0.8 * hi:g}, "
            f"not {hours_mean!r}"
        )
    if not path.exists():
        raise FileNotFoundError(f"OSM file not found: {path}")
    lon, lat, home, yes = _read_buildings(path)
    pool = np.flatnonzero(home)
    if len(pool) < n:
        pool = np.flatnonzero(home | yes)
    if len(pool) == 0 and n > 0:
        raise CarezonesError(
            f"{path.name} holds no residential buildings (building=house, detached, ... or "
            "building=yes): use an extract that includes buildings, or give client locations "
            "yourself."
        )
    rng = np.random.default_rng(seed)
    pick = pool[_sample_rows(rng, len(pool), int(n))]
    hours = _weekly_hours(rng, int(n), float(hours_mean))
    return pd.DataFrame(
        {
            "client_id": _client_ids(int(n)),
            "lat": lat[pick],
            "lon": lon[pick],
            "hours_per_week": hours,
        }
    )


# ----------------------------------------------------------------------------- hours, sampling


def _weekly_hours(rng: np.random.Generator, n: int, mean: float = _HOURS_MEAN) -> FloatArray:
    """Draw ``n`` weekly hours of care: a stratified two-part lognormal mixture.

    Most packages are 3.5-10 h a week and about one in six is a high-needs package of 25-40 h.
    Stratifying the uniforms keeps the sample mean close to ``mean`` even for a few dozen
    clients. Values are clipped to [1, 56] and rounded to 0.25 h.
    """
    if n == 0:
        return np.zeros(0)
    n_high = round(_HOURS_P_HIGH * n)
    parts = []
    for (median, sd), m in ((_HOURS_LOW, n - n_high), (_HOURS_HIGH, n_high)):
        if m > 0:
            u = (rng.permutation(m) + rng.random(m)) / m
            parts.append(median * np.exp(sd * _norm_ppf(u)))
    hours = rng.permutation(np.concatenate(parts)) * _hours_scale(mean)
    hours = np.round(hours * 4.0) / 4.0
    return np.asarray(np.clip(hours, *_HOURS_CLIP), dtype=np.float64)


def _norm_ppf(u: FloatArray) -> FloatArray:
    inv = NormalDist().inv_cdf
    return np.array([inv(float(v)) for v in np.clip(u, 1e-9, 1 - 1e-9)], dtype=np.float64)


@lru_cache(maxsize=32)
def _hours_scale(mean: float) -> float:
    """Factor on the base mixture that makes the mean of the clipped hours equal ``mean``."""
    q = _norm_ppf((np.arange(2_000) + 0.5) / 2_000)
    low = _HOURS_LOW[0] * np.exp(_HOURS_LOW[1] * q)
    high = _HOURS_HIGH[0] * np.exp(_HOURS_HIGH[1] * q)

    def clipped_mean(k: float) -> float:
        lo, hi = _HOURS_CLIP
        m_low = float(np.clip(k * low, lo, hi).mean())
        return (1 - _HOURS_P_HIGH) * m_low + _HOURS_P_HIGH * float(np.clip(k * high, lo, hi).mean())

    a, b = 1e-3, 100.0
    for _ in range(60):
        k = math.sqrt(a * b)
        a, b = (k, b) if clipped_mean(k) < mean else (a, k)
    return math.sqrt(a * b)


def _sample_rows(rng: np.random.Generator, count: int, n: int) -> npt.NDArray[np.intp]:
    """Pick ``n`` of ``count`` rows: without replacement while possible, then reuse rows."""
    if n <= count:
        return np.asarray(rng.choice(count, size=n, replace=False), dtype=np.intp)
    extra = rng.choice(count, size=n - count, replace=True)
    return np.concatenate([rng.permutation(count), extra]).astype(np.intp)


def _client_ids(n: int) -> list[str]:
    width = max(5, len(str(n)))
    return [f"C{i:0{width}d}" for i in range(1, n + 1)]


# ----------------------------------------------------------------------------- reading buildings


def _read_buildings(
    path: Path,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Return centroids (lon, lat) of buildings, which are homes, and which are other ``yes``.

    ``yes`` buildings inside a ``landuse=residential`` area count as homes.
    """
    import osmium

    keys = osmium.filter.KeyFilter("building", "landuse")
    fp = osmium.FileProcessor(str(path)).with_locations().with_areas(keys).with_filter(keys)
    found: list[tuple[int, int, int]] = []  # (area id, first ring point, 1 home / 0 yes)
    coords: list[tuple[float, float]] = []
    landuse: list[tuple[int, Polygon]] = []
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
                        landuse.append((obj.id, Polygon(shell, holes)))
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


# ----------------------------------------------------------------------------- specification


@dataclass(frozen=True)
class _Spec:
    n_towns: int
    n_villages: int
    half_w: float  # half width of the settled area (m)
    half_h: float
    town_grid: tuple[int, int]  # smallest and largest number of streets each way (odd)
    town_sep: float  # least distance between towns (m)
    village_gap: float  # least distance between settlements (m)
    n_exits: int  # A roads leaving the county
    n_clients: int
    res_half_length: float
    res_half_width: float
    lane_spacing: float  # most metres between the nodes of a lane (other roads in proportion)
    farm_every: float  # one farm per this many metres of lane


_SPECS: dict[str, _Spec] = {
    "tiny": _Spec(
        n_towns=1, n_villages=3, half_w=3_600, half_h=3_200, town_grid=(7, 7), town_sep=0,
        village_gap=2_000, n_exits=1, n_clients=60, res_half_length=2_100, res_half_width=350,
        lane_spacing=75, farm_every=1_500,
    ),
    "small": _Spec(
        n_towns=2, n_villages=10, half_w=14_000, half_h=12_000, town_grid=(9, 11),
        town_sep=11_000, village_gap=3_200, n_exits=2, n_clients=600, res_half_length=3_000,
        res_half_width=450, lane_spacing=40, farm_every=2_500,
    ),
    "medium": _Spec(
        n_towns=4, n_villages=32, half_w=23_000, half_h=19_000, town_grid=(11, 13),
        town_sep=13_000, village_gap=3_000, n_exits=3, n_clients=2_000, res_half_length=3_500,
        res_half_width=500, lane_spacing=50, farm_every=2_000,
    ),
    "large": _Spec(
        n_towns=10, n_villages=110, half_w=40_000, half_h=34_000, town_grid=(13, 17),
        town_sep=15_000, village_gap=2_900, n_exits=4, n_clients=10_000, res_half_length=4_000,
        res_half_width=500, lane_spacing=38, farm_every=1_500,
    ),
}  # fmt: skip


def _scaled_spec(spec: _Spec, n_villages: int) -> _Spec:
    """Grow or shrink the county so that ``n_villages`` keep the usual spacing."""
    k = math.sqrt((n_villages + 4 * spec.n_towns + 4) / (spec.n_villages + 4 * spec.n_towns + 4))
    return replace(
        spec,
        n_villages=n_villages,
        half_w=max(spec.half_w * k, 3_000.0),
        half_h=max(spec.half_h * k, 3_000.0),
        town_sep=spec.town_sep * min(k, 1.0),
        n_clients=round(spec.n_clients * k * k),
    )


# ----------------------------------------------------------------------------- names

_NAME_HEADS = (
    "Ash", "Brack", "Cald", "Dun", "Elm", "Fen", "Gris", "Hol", "Kel", "Lang", "Marl", "Nether",
    "Oak", "Pel", "Quen", "Rav", "Sel", "Thorn", "Ulve", "Wen", "Yar", "Brin", "Cors", "Dal",
    "Frith", "Gar", "Hesk", "Lyth", "Mick", "Norb", "Ost", "Rock", "Skel", "Tol", "Wyke", "Bran",
    "Cold", "Stain", "Swin", "Whin", "Sand", "Kirk", "Cray", "Bram", "Fox", "Haw",
)  # fmt: skip
_NAME_TAILS = (
    "by", "thorpe", "ham", "ton", "ley", "wick", "dale", "field", "borough", "stead", "worth",
    "holme", "ford", "well", "hithe", "combe",
)  # fmt: skip
_STREETS = (
    "Mill Lane", "Church Street", "Chapel Street", "Queen Street", "King Street", "Westgate",
    "Northgate", "Park Road", "Victoria Road", "Albert Street", "Bridge Street", "New Road",
    "Castle Street", "Sheep Street", "North Street", "South Street", "West Street", "East Street",
    "Back Lane", "Pinfold Lane", "Brook Street", "Orchard Road", "Manor Road", "Vicarage Lane",
    "School Lane", "Cross Street", "Market Street", "Granby Street", "Dean Street", "Finkle Street",
)  # fmt: skip
_STREET_ROOTS = (
    "Beech", "Willow", "Hawthorn", "Rowan", "Cedar", "Laurel", "Meadow", "Springfield", "Rectory",
    "Glebe", "Priory", "Abbey", "Grange", "Hall", "Fairfield", "Highfield", "Stanley", "Windsor",
    "Lancaster", "Nelson", "Gladstone", "Mount", "Belle Vue", "Chestnut", "Sycamore", "Larch",
)  # fmt: skip
_STREET_KINDS = ("Road", "Avenue", "Close", "Grove", "Drive", "Way", "Crescent", "Gardens")
_VILLAGE_CLOSES = (
    "Church Lane", "The Green", "Orchard Close", "Manor Close", "Chapel Lane", "Vicarage Close",
    "Back Lane", "Glebe Road", "Pinfold Lane", "Westfield", "Hall Lane", "Town End",
)  # fmt: skip
_SUPERMARKETS = ("Tesco", "Sainsbury's", "Morrisons", "Co-op Food", "Aldi", "Lidl", "Asda")
_CONVENIENCE = ("Co-op", "Tesco Express", "Spar", "One Stop", "Londis", "Premier")
_SURGERIES = (
    "Riverside Surgery", "Market Street Surgery", "The Health Centre", "Castle Medical Practice",
    "Parkside Surgery", "Abbey Medical Centre",
)  # fmt: skip
_PHARMACIES = ("Boots", "Well Pharmacy", "Lloyds Pharmacy", "Day Lewis Pharmacy", "Rowlands")
_CHURCHES = (
    "St Mary's Church", "St Peter's Church", "All Saints' Church", "St Andrew's Church",
    "Holy Trinity Church", "St John the Baptist's Church", "St Helen's Church",
    "St Michael's Church",
)  # fmt: skip
_CAFES = ("The Copper Kettle", "Costa", "Bean There", "The Old Bakery Tearooms", "Caffe Nero")
_PUBS = (
    "The Red Lion", "The Plough", "The Royal Oak", "The White Hart", "The Black Horse",
    "The Fox and Hounds", "The Bay Horse", "The Wheatsheaf", "The George",
)  # fmt: skip


def _pick(rng: np.random.Generator, options: Sequence[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _place_names(rng: np.random.Generator, n: int) -> list[str]:
    combos = [h + t for h in _NAME_HEADS for t in _NAME_TAILS]
    order = rng.permutation(len(combos))[:n]
    return [combos[i] for i in order]


def _street_names(rng: np.random.Generator) -> list[str]:
    generated = [f"{r} {k}" for r in _STREET_ROOTS for k in _STREET_KINDS]
    first = [_STREETS[i] for i in rng.permutation(len(_STREETS))]
    return first + [generated[i] for i in rng.permutation(len(generated))]


# ----------------------------------------------------------------------------- geometry helpers


def _to_latlon(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Local metres (east, north of the centre) to latitude and longitude (sinusoidal)."""
    lat = CENTRE_LAT + y / _M_PER_DEG
    lon = CENTRE_LON + x / (_M_PER_DEG * np.cos(np.radians(lat)))
    return lat, lon


def _unit(angle: float) -> FloatArray:
    return np.array([math.cos(angle), math.sin(angle)])


def _rect(c: FloatArray, w: float, d: float, angle: float) -> FloatArray:
    """Corners of a ``w`` (along ``angle``) by ``d`` rectangle centred on ``c``, anticlockwise."""
    u, v = _unit(angle) * (w / 2), _unit(angle + math.pi / 2) * (d / 2)
    return np.array([c - u - v, c + u - v, c + u + v, c - u + v])


def _rects(boxes: FloatArray) -> FloatArray:
    """Corners of many rectangles given as rows (cx, cy, w, d, angle), shape (n, 4, 2)."""
    cx, cy, w, d, ang = boxes.T
    u = np.column_stack([np.cos(ang), np.sin(ang)]) * (w / 2)[:, None]
    v = np.column_stack([-np.sin(ang), np.cos(ang)]) * (d / 2)[:, None]
    c = np.column_stack([cx, cy])
    return np.stack([c - u - v, c + u - v, c + u + v, c - u + v], axis=1)


def _meander(
    rng: np.random.Generator,
    p0: FloatArray,
    p1: FloatArray,
    spacing: float,
    stretch: float,
    turn_deg: float,
) -> FloatArray:
    """Return a road from ``p0`` to ``p1`` made of straight stretches and rounded bends.

    Stretches are about ``stretch`` metres long, each turned by a random angle (standard
    deviation ``turn_deg`` degrees) from the direct line. Nodes are at most ``spacing`` metres
    apart; the ends are exactly ``p0`` and ``p1``.
    """
    d = p1 - p0
    length = float(np.hypot(d[0], d[1]))
    m = max(2, round(length / stretch))
    heading = rng.normal(0.0, math.radians(turn_deg), m)
    heading = np.clip(heading, -1.2, 1.2)
    legs = rng.uniform(0.5, 1.5, m)
    if length < 1.0:
        return np.array([p0, p1])
    local = np.vstack([[0.0, 0.0], np.cumsum(legs[:, None] * np.column_stack(
        [np.cos(heading), np.sin(heading)]), axis=0)])  # fmt: skip
    end = local[-1]
    scale = length / float(np.hypot(end[0], end[1]))
    rot = -math.atan2(end[1], end[0])
    local = local @ np.array([[math.cos(rot), math.sin(rot)], [-math.sin(rot), math.cos(rot)]])
    local *= scale
    peak = float(np.abs(local[:, 1]).max())
    cap = min(0.15 * length, 800.0)
    if peak > cap:
        local[:, 1] *= cap / peak
    for _ in range(2):  # round the bends (Chaikin's corner cutting, ends kept)
        a, b = local[:-1], local[1:]
        cut = np.empty((2 * len(a), 2))
        cut[0::2], cut[1::2] = 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b
        local = np.vstack([local[:1], cut[1:-1], local[-1:]])
    u = d / length
    pts = p0 + local[:, :1] * u + local[:, 1:] * np.array([-u[1], u[0]])
    pts[0], pts[-1] = p0, p1
    return _densify(pts, spacing)


def _densify(pts: FloatArray, spacing: float) -> FloatArray:
    """Add nodes so that no piece of the polyline is longer than ``spacing``."""
    seg = np.hypot(*np.diff(pts, axis=0).T)
    n = np.maximum(1, np.ceil(seg / spacing).astype(int))
    out = [pts[:1]]
    for i, k in enumerate(n):
        t = np.arange(1, k + 1)[:, None] / k
        out.append(pts[i] + t * (pts[i + 1] - pts[i]))
    return np.vstack(out)


def _cumlen(pts: FloatArray) -> FloatArray:
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(pts, axis=0).T))])


def _cut(pts: FloatArray, cum: FloatArray, a: float, b: float) -> FloatArray:
    """Return the part of a polyline between distances ``a`` and ``b`` along it."""
    inner = pts[(cum > a) & (cum < b)]
    pa = np.array([np.interp(a, cum, pts[:, 0]), np.interp(a, cum, pts[:, 1])])
    pb = np.array([np.interp(b, cum, pts[:, 0]), np.interp(b, cum, pts[:, 1])])
    return np.vstack([pa, inner, pb])


# ----------------------------------------------------------------------------- OSM builder


class _Builder:
    """Nodes and ways of the county in local metres; ids are given in creation order."""

    def __init__(self) -> None:
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.node_tags: dict[int, Tags] = {}
        self.ways: list[tuple[list[int], Tags]] = []

    def node(self, xy: Sequence[float] | FloatArray, tags: Tags | None = None) -> int:
        self.xs.append(float(xy[0]))
        self.ys.append(float(xy[1]))
        nid = len(self.xs)
        if tags:
            self.node_tags[nid] = tags
        return nid

    def nodes(self, pts: npt.ArrayLike) -> list[int]:
        arr = np.asarray(pts, dtype=np.float64).reshape(-1, 2)
        first = len(self.xs) + 1
        self.xs.extend(arr[:, 0].tolist())
        self.ys.extend(arr[:, 1].tolist())
        return list(range(first, first + len(arr)))

    def xy(self, nid: int) -> FloatArray:
        return np.array([self.xs[nid - 1], self.ys[nid - 1]])

    def way(self, nodes: list[int], tags: Tags) -> int:
        self.ways.append((nodes, tags))
        return len(self.ways)

    def polygon(self, ring: FloatArray, tags: Tags) -> int:
        ids = self.nodes(ring)
        return self.way([*ids, ids[0]], tags)

    def road(self, pts: FloatArray, first: int, last: int, tags: Tags, river: Any) -> list[int]:
        """Add a road along ``pts`` from node ``first`` to node ``last``, bridging the river."""
        pieces = _bridge_pieces(pts, river)
        ids = [first]
        for k, (part, bridge) in enumerate(pieces):
            end = last if k == len(pieces) - 1 else self.node(part[-1])
            way_ids = [ids[-1], *self.nodes(part[1:-1]), end]
            way_tags = {**tags, "bridge": "yes", "layer": "1"} if bridge else tags
            self.way(way_ids, way_tags)
            ids += way_ids[1:]
        return ids

    def n_road_nodes(self) -> int:
        return len({n for nodes, t in self.ways if "highway" in t for n in nodes})

    def segments(self) -> FloatArray:
        """Every straight piece of every ``highway=*`` way, shape (n, 2, 2)."""
        xy = np.column_stack([self.xs, self.ys])
        idx = [
            (a - 1, b - 1) for nodes, t in self.ways if "highway" in t for a, b in pairwise(nodes)
        ]
        ab = np.array(idx, dtype=np.intp).reshape(-1, 2)
        return np.stack([xy[ab[:, 0]], xy[ab[:, 1]]], axis=1)


def _bridge_pieces(pts: FloatArray, river: Any) -> list[tuple[FloatArray, bool]]:
    """Split a polyline where it crosses the river into (piece, is_bridge) parts."""
    if river is None:
        return [(pts, False)]
    line = LineString(pts)
    if not line.intersects(river):
        return [(pts, False)]
    crossings = sorted(line.project(p) for p in shapely.get_parts(line.intersection(river)))
    cum = _cumlen(pts)
    total = float(cum[-1])
    spans: list[list[float]] = []
    for s in crossings:
        a, b = s - 12.0, s + 12.0
        if a < 5.0 or b > total - 5.0:
            continue
        if spans and a <= spans[-1][1]:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    if not spans:
        return [(pts, False)]
    out: list[tuple[FloatArray, bool]] = []
    pos = 0.0
    for a, b in spans:
        out.append((_cut(pts, cum, pos, a), False))
        out.append((_cut(pts, cum, a, b), True))
        pos = b
    out.append((_cut(pts, cum, pos, total), False))
    return out


# ----------------------------------------------------------------------------- layout


@dataclass
class _Place:
    name: str
    kind: str  # "town", "village", "hamlet" or "exit"
    x: float
    y: float
    radius: float
    level: str = "none"  # amenities of a village: "large", "small" or "none"
    grid: int = 0
    spacing: float = 0.0
    angle: float = 0.0

    @property
    def xy(self) -> FloatArray:
        return np.array([self.x, self.y])


@dataclass
class _Edge:
    u: int
    v: int
    cls: str  # trunk, primary, secondary, unclassified, track, bridleway or footway
    ref: str = ""
    spare: bool = False  # not needed to join the county up: may be left out


@dataclass
class _Reservoir:
    name: str
    centre: FloatArray
    axis: FloatArray  # unit vector along the long side
    half_length: float
    half_width: float
    ring: FloatArray
    poly: Polygon


@dataclass
class _House:
    x: float
    y: float
    angle: float
    w: float
    d: float
    kind: str  # "town", "village" or "farm"
    label: str


@dataclass
class _County:
    b: _Builder
    clients: list[tuple[str, float, float, float, str]]
    barrier_villages: tuple[str, str]


def _reservoir(rng: np.random.Generator, spec: _Spec, name: str) -> _Reservoir:
    """Shape an elongated, slightly irregular reservoir near the middle of the county."""
    centre = np.array([rng.uniform(-0.2, 0.2) * spec.half_w, rng.uniform(-0.2, 0.2) * spec.half_h])
    theta = rng.uniform(0.0, math.pi)
    a, b = spec.res_half_length, spec.res_half_width
    t = np.linspace(0.0, 2 * math.pi, 72, endpoint=False)
    k = np.arange(2, 7)
    noise = np.cos(np.outer(t, k) + rng.uniform(0, 2 * math.pi, k.size)) @ (
        rng.normal(0.0, 0.03, k.size)
    )
    local = np.column_stack([a * np.cos(t), b * np.sin(t)]) * (1.0 + noise)[:, None]
    axis = _unit(theta)
    rot = np.array([[axis[0], -axis[1]], [axis[1], axis[0]]])
    ring = centre + local @ rot.T
    return _Reservoir(f"{name} Reservoir", centre, axis, a, b, ring, Polygon(ring))


def _layout(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, names: list[str]
) -> list[_Place]:
    """Place the reservoir villages, the hamlets beyond the reservoir, towns, villages, exits."""
    perp = np.array([-res.axis[1], res.axis[0]])
    places: list[_Place] = []
    for side in (1.0, -1.0):
        xy = res.centre + perp * side * (res.half_width + 550) + res.axis * rng.uniform(-200, 200)
        places.append(_Place(names.pop(), "village", xy[0], xy[1], 450.0))
    for side in (1.0, -1.0):  # hamlets at the road junctions beyond each end of the reservoir
        xy = res.centre + res.axis * side * (res.half_length + 1_000)
        places.append(_Place(names.pop(), "hamlet", xy[0], xy[1], 200.0))
    for _ in range(spec.n_towns):
        grid = int(rng.choice(np.arange(spec.town_grid[0], spec.town_grid[1] + 1, 2)))
        spacing = float(rng.uniform(100, 125))
        radius = (grid - 1) / 2 * spacing * math.sqrt(2) + 120
        xy = _free_spot(rng, spec, res, places, radius, spec.town_sep, 1_000.0)
        places.append(
            _Place(names.pop(), "town", xy[0], xy[1], radius, "town", grid, spacing,
                   float(rng.uniform(0, math.pi / 2)))
        )  # fmt: skip
    for _ in range(spec.n_villages - 2):
        xy = _free_spot(rng, spec, res, places, 450.0, 0.0, 900.0)
        places.append(_Place(names.pop(), "village", xy[0], xy[1], 450.0))
    villages = [p for p in places if p.kind == "village"]
    levels = rng.choice(["large", "small", "none"], size=len(villages), p=[0.35, 0.4, 0.25])
    for p, level in zip(villages, levels, strict=True):
        p.level = str(level)
    villages[0].level, villages[1].level, villages[-1].level = "small", "large", "none"
    for _ in range(spec.n_exits):
        xy = _exit_spot(rng, spec, res, places)
        places.append(_Place("", "exit", xy[0], xy[1], 100.0))
    return places


def _free_spot(
    rng: np.random.Generator,
    spec: _Spec,
    res: _Reservoir,
    places: list[_Place],
    radius: float,
    town_sep: float,
    water_gap: float,
) -> FloatArray:
    """Pick a random spot clear of the reservoir and of other places (relaxing if need be)."""
    gap = spec.village_gap
    margin = radius + 300
    while True:
        for _ in range(400):
            xy = rng.uniform(
                [-spec.half_w + margin, -spec.half_h + margin],
                [spec.half_w - margin, spec.half_h - margin],
            )
            if res.poly.distance(Point(xy)) < radius + water_gap:
                continue
            ok = True
            for p in places:
                need = gap + max(radius, p.radius) - 450
                if p.kind == "town" and radius > 450:
                    need = max(need, town_sep)
                if math.hypot(xy[0] - p.x, xy[1] - p.y) < need:
                    ok = False
                    break
            if ok:
                return np.asarray(xy, dtype=np.float64)
        gap *= 0.9
        town_sep *= 0.9


def _exit_spot(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, places: list[_Place]
) -> FloatArray:
    """Pick a spot on the edge of the county, away from places, where an A road leaves it."""
    best: tuple[float, FloatArray] = (-1.0, np.zeros(2))
    for _ in range(60):
        side = int(rng.integers(4))
        f = rng.uniform(-0.8, 0.8)
        w, h = spec.half_w + 1_500, spec.half_h + 1_500
        xy = np.array([(w, f * h), (-w, f * h), (f * w, h), (f * w, -h)][side])
        clear = min(
            [math.hypot(xy[0] - p.x, xy[1] - p.y) - p.radius for p in places]
            + [res.poly.distance(Point(xy))]
        )
        if clear > best[0]:
            best = (clear, xy)
        if clear > 4_000:
            break
    return best[1]


# ----------------------------------------------------------------------------- road plan


_Link = tuple[int, int]  # two place indices, smaller first


def _plan_roads(rng: np.random.Generator, places: list[_Place], res: _Reservoir) -> list[_Edge]:
    """Choose which places are joined by which class of road.

    Candidate links are the edges of a Delaunay triangulation of the places that do not cross
    the reservoir. A roads join the towns (and the county's exits) by shortest paths, B roads
    join some villages to their nearest town, lanes complete a spanning tree and add some loops,
    and a few spare links become tracks, bridleways and public footpaths.
    """
    cand, skirts = _candidate_links(places, res)
    main = _main_roads(rng, places, cand)
    edges = _minor_roads(rng, places, res, cand, skirts, main)
    _make_trunk(edges, places)
    return edges


def _candidate_links(
    places: list[_Place], res: _Reservoir
) -> tuple[dict[_Link, float], set[_Link]]:
    """Return Delaunay links clear of the reservoir, weighted by length (x3 near a third place).

    Also returns the links that pass close to another place.
    """
    xy = np.array([[p.x, p.y] for p in places])
    index = {(round(float(x), 3), round(float(y), 3)): i for i, (x, y) in enumerate(xy)}
    tri = shapely.delaunay_triangles(MultiPoint(xy), only_edges=True)
    water = res.poly.buffer(80.0)
    centres = shapely.points(xy)
    radii = np.array([p.radius for p in places])
    cand: dict[_Link, float] = {}
    skirts: set[_Link] = set()
    for line in shapely.get_parts(tri):
        (x0, y0), (x1, y1) = shapely.get_coordinates(line)
        u, v = index[(round(x0, 3), round(y0, 3))], index[(round(x1, 3), round(y1, 3))]
        u, v = min(u, v), max(u, v)
        if line.intersects(water):
            continue
        clear = shapely.distance(line, centres) - radii
        clear[[u, v]] = np.inf
        near = bool((clear < 150.0).any())
        cand[(u, v)] = float(line.length) * (3.0 if near else 1.0)
        if near:
            skirts.add((u, v))
    return cand, skirts


def _main_roads(
    rng: np.random.Generator, places: list[_Place], cand: dict[_Link, float]
) -> dict[_Link, tuple[str, str]]:
    """Route the A and B roads; return the (class, ref) of each link they use."""
    exits = {i for i, p in enumerate(places) if p.kind == "exit"}
    towns = [i for i, p in enumerate(places) if p.kind == "town"]
    adj: dict[int, list[tuple[int, float]]] = {i: [] for i in range(len(places))}
    for (u, v), w in sorted(cand.items()):
        adj[u].append((v, w))
        adj[v].append((u, w))
    cls: dict[_Link, tuple[str, str]] = {}
    a_numbers = [f"A1{n}" for n in rng.permutation(np.arange(50, 100))]
    b_numbers = [f"B1{n}" for n in rng.permutation(np.arange(200, 1000))]

    def mark(path: list[int], kind: str, ref: str) -> None:
        for u, v in pairwise(path):
            key = (min(u, v), max(u, v))
            if key not in cls or (cls[key][0] == "secondary" and kind == "primary"):
                cls[key] = (kind, ref)

    def to_nearest_town(src: int, kind: str, ref: str) -> None:
        dist, prev = _dijkstra(adj, src, exits)
        reach = [(dist[t], t) for t in towns if t in dist]
        if reach:
            mark(_path(prev, src, min(reach)[1]), kind, ref)

    # A roads: a spanning tree of the towns by road distance, and each exit to its nearest town
    dists = {t: _dijkstra(adj, t, exits) for t in towns}
    pairs = sorted(
        (dists[a][0].get(b, math.inf), a, b) for i, a in enumerate(towns) for b in towns[i + 1 :]
    )
    uf = _UnionFind(len(places))
    for d, a, b in pairs:
        if math.isfinite(d) and uf.union(a, b):
            mark(_path(dists[a][1], a, b), "primary", a_numbers.pop())
    for e in sorted(exits):
        to_nearest_town(e, "primary", a_numbers.pop())
    # B roads: about a third of the villages off the A roads, by their shortest way to a town
    on_a = {n for key in cls for n in key}
    villages = [i for i, p in enumerate(places) if p.kind == "village" and i not in on_a]
    n_b = max(1, round(len(villages) / 3)) if villages else 0
    for v in [villages[i] for i in sorted(rng.permutation(len(villages))[:n_b])]:
        to_nearest_town(v, "secondary", b_numbers.pop())
    return cls


def _minor_roads(
    rng: np.random.Generator,
    places: list[_Place],
    res: _Reservoir,
    cand: dict[_Link, float],
    skirts: set[_Link],
    main: dict[_Link, tuple[str, str]],
) -> list[_Edge]:
    """Complete a spanning tree with lanes (exits keep only their A road), then add loops.

    Returns every edge, the main roads' first.
    """
    exits = {i for i, p in enumerate(places) if p.kind == "exit"}
    uf = _UnionFind(len(places))
    for u, v in main:
        uf.union(u, v)
    edges = [_Edge(u, v, kind, ref) for (u, v), (kind, ref) in sorted(main.items())]
    spare: list[tuple[float, int, int]] = []
    for (u, v), w in sorted(cand.items(), key=lambda kv: (kv[1], kv[0])):
        if (u, v) in main or u in exits or v in exits:
            continue
        if uf.union(u, v):
            edges.append(_Edge(u, v, "unclassified"))
        elif (u, v) not in skirts:
            spare.append((w, u, v))
    xy = np.array([[p.x, p.y] for p in places])
    water = res.poly.buffer(80.0)
    for i, p in enumerate(places):  # whatever is still cut off joins its nearest neighbour
        if p.kind == "exit":
            continue
        for _, j in sorted((math.dist(xy[i], xy[j]), j) for j in range(len(places))):
            if places[j].kind == "exit" or uf.find(i) == uf.find(j):
                continue
            if not LineString([xy[i], xy[j]]).intersects(water) and uf.union(i, j):
                edges.append(_Edge(min(i, j), max(i, j), "unclassified"))
    n_loops = round(0.3 * len(spare))
    n_paths = max(1, round(len(spare) / 15))
    kinds = ["track", "bridleway", *["unclassified"] * n_loops, *["track", "footway"] * n_paths]
    kinds += ["bridleway"] * (n_paths - 1)
    for k, kind in zip(rng.permutation(len(spare)), kinds, strict=False):
        _, u, v = spare[k]
        edges.append(_Edge(u, v, kind, spare=True))
    return edges


def _make_trunk(edges: list[_Edge], places: list[_Place]) -> None:
    """Upgrade the longest A road link (best between towns or exits) to a trunk road.

    Only when there are other A road links, and only a link longer than 2.5 km.
    """
    plain = ("town", "exit")
    links = [
        (
            places[e.u].kind in plain and places[e.v].kind in plain,
            math.dist(places[e.u].xy, places[e.v].xy),
            k,
        )
        for k, e in enumerate(edges)
        if e.cls == "primary"
    ]
    best = max(links, default=None)
    if len(links) >= 2 and best is not None and best[1] > 2_500.0:
        edges[best[2]].cls = "trunk"


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[max(ra, rb)] = min(ra, rb)
        return True


def _dijkstra(
    adj: dict[int, list[tuple[int, float]]], src: int, blocked: set[int]
) -> tuple[dict[int, float], dict[int, int]]:
    """Shortest distances and predecessors from ``src``, never passing through ``blocked``."""
    dist = {src: 0.0}
    prev: dict[int, int] = {}
    heap = [(0.0, src)]
    done: set[int] = set()
    while heap:
        d, u = heapq.heappop(heap)
        if u in done:
            continue
        done.add(u)
        if u in blocked and u != src:
            continue
        for v, w in adj[u]:
            nd = d + w
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(heap, (nd, v))
    return dist, prev


def _path(prev: dict[int, int], src: int, dst: int) -> list[int]:
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return path[::-1]


# ----------------------------------------------------------------------------- river


def _river(
    rng: np.random.Generator, spec: _Spec, res: _Reservoir, places: list[_Place]
) -> FloatArray:
    """Draw a meandering river from the reservoir's dam to the edge of the county."""
    start = res.centre + res.axis * (res.half_length - 20)
    base = math.atan2(res.axis[1], res.axis[0])
    limit = max(spec.half_w, spec.half_h) * 3
    settled = [p for p in places if p.kind in ("town", "village")]

    def clearance(angle: float) -> float:
        ray = LineString([start, start + _unit(angle) * limit])
        return min((ray.distance(Point(p.x, p.y)) - p.radius for p in settled), default=1e9)

    deltas = [math.radians(d) for d in (-75, -60, -45, -30, 30, 45, 60, 75)]
    heading0 = base + max(deltas, key=lambda d: clearance(base + d))
    pts = [start]
    heading = heading0
    w, h = spec.half_w + 2_000, spec.half_h + 2_000
    for _ in range(2_000):
        heading += 0.25 * (heading0 - heading) + rng.normal(0.0, 0.2)
        nxt = pts[-1] + _unit(heading) * 60.0
        if any(math.hypot(nxt[0] - p.x, nxt[1] - p.y) < p.radius + 150 for p in settled):
            break
        pts.append(nxt)
        if abs(nxt[0]) > w or abs(nxt[1]) > h:
            break
    return np.array(pts)


# ----------------------------------------------------------------------------- settlements


_MAIN_ROADS = ("trunk", "primary", "secondary")
_CLASS_RANK = {"trunk": 0, "primary": 1, "secondary": 2, "unclassified": 3}


_Cell = tuple[int, int]
_Seg = tuple[str, int, int]  # ("h", i, j): (i, j)-(i+1, j); ("v", i, j): (i, j)-(i, j+1)


class _Grid:
    """The street grid of a market town, in its own rotated frame (u east, v north)."""

    def __init__(self, rng: np.random.Generator, place: _Place) -> None:
        self.place = place
        self.n, self.s, self.c = place.grid, place.spacing, place.grid // 2
        self.cos, self.sin = math.cos(place.angle), math.sin(place.angle)
        n, s, c = self.n, self.s, self.c
        jitter = rng.normal(0.0, 4.0, (n, n, 2))
        self.pos = {
            (i, j): self.to_xy((i - c) * s + jitter[i, j, 0], (j - c) * s + jitter[i, j, 1])
            for i in range(n)
            for j in range(n)
        }
        self.pos[(c, c)] = self.to_xy(0.0, 0.0)  # the roundabout
        self.segs: list[_Seg] = [("h", i, j) for j in range(n) for i in range(n - 1)]
        self.segs += [("v", i, j) for i in range(n) for j in range(n - 1)]
        self.park, self.shops, self.civic = (c - 1, c), (c - 1, c - 1), (c, c - 1)
        self.reserved = {self.park, self.shops, self.civic}
        self.tertiary = {
            g for g in self.segs if (g[0] == "h" and g[2] == c) or (g[0] == "v" and g[1] == c)
        }
        self.protected = self.tertiary | {g for cell in self.reserved for g in _cell_sides(cell)}
        self.present = set(self.segs)
        self._drop_blocks(rng, 0.07)

    def to_xy(self, u: float, v: float) -> FloatArray:
        p = self.place
        return np.array([p.x + u * self.cos - v * self.sin, p.y + u * self.sin + v * self.cos])

    def cell_of(self, xy: FloatArray) -> _Cell:
        dx, dy = xy[0] - self.place.x, xy[1] - self.place.y
        u = (dx * self.cos + dy * self.sin) / self.s + self.c
        v = (-dx * self.sin + dy * self.cos) / self.s + self.c
        return math.floor(u), math.floor(v)

    @staticmethod
    def ends(g: _Seg) -> tuple[_Cell, _Cell]:
        _, i, j = g
        return ((i, j), (i + 1, j)) if g[0] == "h" else ((i, j), (i, j + 1))

    def _drop_blocks(self, rng: np.random.Generator, share: float) -> None:
        """Leave out some quiet blocks of street, keeping every corner reachable."""
        droppable = [g for g in self.segs if g not in self.protected]
        n_drop = round(share * len(droppable))
        for k in rng.permutation(len(droppable)):
            if n_drop == 0:
                break
            self.present.discard(droppable[k])
            if self._connected():
                n_drop -= 1
            else:
                self.present.add(droppable[k])

    def _connected(self) -> bool:
        adj: dict[_Cell, list[_Cell]] = {ij: [] for ij in self.pos}
        for g in self.present:
            p, q = self.ends(g)
            adj[p].append(q)
            adj[q].append(p)
        seen = {(0, 0)}
        todo = [(0, 0)]
        while todo:
            for q in adj[todo.pop()]:
                if q not in seen:
                    seen.add(q)
                    todo.append(q)
        return len(seen) == len(self.pos)


def _cell_sides(cell: _Cell) -> list[_Seg]:
    i, j = cell
    return [("h", i, j), ("h", i, j + 1), ("v", i, j), ("v", i + 1, j)]


def _town(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    incident: list[tuple[int, _Edge, float]],
) -> tuple[dict[int, int], list[_House]]:
    """Build a market town: an irregular street grid with a High Street and a roundabout.

    Returns the node where each incident road (by edge index) leaves the town and the
    candidate houses along its residential streets.
    """
    grid = _Grid(rng, place)
    gid, mid = _town_streets(b, rng, grid)
    _town_amenities(b, rng, grid, gid, mid)
    return _town_gates(grid, gid, incident), _town_houses(grid)


def _town_streets(
    b: _Builder, rng: np.random.Generator, grid: _Grid
) -> tuple[dict[_Cell, int], dict[_Seg, int]]:
    """Add the town's streets; return the corner nodes and the middle node of each block."""
    n, c, pos = grid.n, grid.c, grid.pos
    gid = {ij: b.node(pos[ij]) for ij in sorted(pos) if ij != (c, c)}
    angles = [grid.place.angle - k * math.pi / 6 for k in range(12)]  # clockwise, as in the UK
    ring = [b.node(pos[(c, c)] + 16.0 * _unit(a)) for a in angles]
    ring_e, ring_s, ring_w, ring_n = ring[0], ring[3], ring[6], ring[9]  # east, south, west, north
    b.way([*ring, ring[0]], {"highway": "tertiary", "junction": "roundabout", "maxspeed": "30 mph"})
    mid: dict[_Seg, int] = {}
    for g in grid.segs:
        if g in grid.present:
            p, q = grid.ends(g)
            d = pos[q] - pos[p]
            bend = np.array([-d[1], d[0]]) / np.hypot(d[0], d[1]) * rng.normal(0.0, 1.5)
            mid[g] = b.node((pos[p] + pos[q]) / 2 + bend)

    def seg_nodes(g: _Seg) -> list[int]:
        p, q = grid.ends(g)
        first = gid[p] if p != (c, c) else (ring_e if g[0] == "h" else ring_n)
        last = gid[q] if q != (c, c) else (ring_w if g[0] == "h" else ring_s)
        return [first, mid[g], last]

    names = iter(_street_names(rng))
    row_name = {j: "High Street" if j == c else next(names) for j in range(n)}
    col_name = {i: "Station Road" if i == c else next(names) for i in range(n)}
    oneway: dict[_Seg, int] = {}  # two one-way streets of one or two blocks
    quiet = [g for g in grid.segs if g in grid.present and g not in grid.protected]
    for k in rng.permutation(len(quiet))[:2]:
        g = quiet[k]
        nxt = (g[0], g[1] + 1, g[2]) if g[0] == "h" else (g[0], g[1], g[2] + 1)
        for h in (g, nxt):
            if h in grid.present and h not in grid.protected:
                oneway[h] = int(k)

    def seg_tags(g: _Seg) -> tuple[Tags, int]:
        name = row_name[g[2]] if g[0] == "h" else col_name[g[1]]
        hw = "tertiary" if g in grid.tertiary else "residential"
        tags = {"highway": hw, "name": name, "maxspeed": "30 mph"}
        if g in oneway:
            tags["oneway"] = "yes"
        return tags, oneway.get(g, -1)

    def emit(run: list[int], key: tuple[Tags, int]) -> None:
        tags, group = key
        b.way(run[::-1] if group >= 0 and group % 2 else run, tags)  # some one-ways run back

    lines = [[("h", i, j) for i in range(n - 1)] for j in range(n)]
    lines += [[("v", i, j) for j in range(n - 1)] for i in range(n)]
    for line in lines:  # a way per run of blocks with the same tags
        run: list[int] = []
        run_key: tuple[Tags, int] = ({}, -1)
        for g in line:
            key = seg_tags(g) if g in grid.present else None
            nodes = seg_nodes(g) if key is not None else []
            if run and (key != run_key or nodes[0] != run[-1]):
                emit(run, run_key)
                run = []
            if key is not None:
                run = [*run, *nodes[1:]] if run else nodes
                run_key = key
        if run:
            emit(run, run_key)
    return gid, mid


def _town_houses(grid: _Grid) -> list[_House]:
    """Candidate houses along every block, except the shops in the middle of the town."""
    c, pos = grid.c, grid.pos
    houses: list[_House] = []
    for g in grid.segs:
        central = g in grid.tertiary and c - 2 <= (g[1] if g[0] == "h" else g[2]) <= c + 1
        if g not in grid.present or central:
            continue
        p, q = grid.ends(g)
        d = pos[q] - pos[p]
        length = float(np.hypot(d[0], d[1]))
        ang = math.atan2(d[1], d[0])
        normal = np.array([-d[1], d[0]]) / length
        for along in np.arange(30.0, length - 29.0, 16.0):
            for side in (1.0, -1.0):
                xy = pos[p] + d * (along / length) + normal * side * 16.0
                if grid.cell_of(xy) not in grid.reserved:
                    houses.append(_House(xy[0], xy[1], ang, 8.0, 10.0, "town", grid.place.name))
    return houses


def _town_gates(
    grid: _Grid, gid: dict[_Cell, int], incident: list[tuple[int, _Edge, float]]
) -> dict[int, int]:
    """Pick where each road leaves the town: main roads at the ends of the cross, lanes anywhere."""
    n, c, pos, centre = grid.n, grid.c, grid.pos, grid.place.xy
    main = [(0, c), (n - 1, c), (c, 0), (c, n - 1)]
    edge = [ij for ij in gid if ij[0] in (0, n - 1) or ij[1] in (0, n - 1)]
    gates: dict[int, int] = {}
    for k, e, angle in incident:
        d = _unit(angle)
        if e.cls in _MAIN_ROADS:
            best = max(main, key=lambda ij: d @ (pos[ij] - centre) / np.hypot(*(pos[ij] - centre)))
        else:
            best = max(edge, key=lambda ij: (float(d @ (pos[ij] - centre)), ij))
        gates[k] = gid[best]
    return gates


def _town_amenities(
    b: _Builder,
    rng: np.random.Generator,
    grid: _Grid,
    gid: dict[_Cell, int],
    mid: dict[_Seg, int],
) -> None:
    """Add shops, surgery, church, library, park, car park and bus stops around the centre."""
    place, to_xy, s, c = grid.place, grid.to_xy, grid.s, grid.c
    town = place.name
    b.node(to_xy(10.0, 30.0), {"place": "town", "name": town})
    # the supermarket and its car park (south-west of the centre)
    u0, v0 = -s, -s
    b.polygon(
        np.array([to_xy(u0 + 22, v0 + 24), to_xy(u0 + 50, v0 + 24),
                  to_xy(u0 + 50, v0 + s - 24), to_xy(u0 + 22, v0 + s - 24)]),
        {"building": "retail", "shop": "supermarket", "name": _pick(rng, _SUPERMARKETS)},
    )  # fmt: skip
    b.polygon(
        np.array([to_xy(u0 + 56, v0 + 22), to_xy(u0 + s - 22, v0 + 22),
                  to_xy(u0 + s - 22, v0 + s - 22), to_xy(u0 + 56, v0 + s - 22)]),
        {"amenity": "parking", "parking": "surface", "access": "customers"},
    )  # fmt: skip
    up = (u0 + 56 + u0 + s - 22) / 2
    aisle = b.nodes([to_xy(up, v0 + 28), to_xy(up, v0 + s - 28)])
    b.way([mid[("h", c - 1, c - 1)], *aisle], {"highway": "service", "service": "parking_aisle"})
    # church and surgery (south-east of the centre)
    u0 = 0.0
    b.polygon(
        _rect(to_xy(u0 + 34, v0 + s / 2), 12.0, 26.0, place.angle),
        {"building": "church", "amenity": "place_of_worship", "religion": "christian",
         "denomination": "anglican", "name": _pick(rng, _CHURCHES)},
    )  # fmt: skip
    b.polygon(
        _rect(to_xy(u0 + s - 36, v0 + s / 2), 18.0, 14.0, place.angle),
        {"building": "yes", "amenity": "doctors", "healthcare": "doctor",
         "name": _pick(rng, _SURGERIES)},
    )  # fmt: skip
    # the park (north-west of the centre) with two paths crossing at its middle
    u0, v0 = -s, 0.0
    b.polygon(
        np.array([to_xy(u0 + 14, v0 + 14), to_xy(u0 + s - 14, v0 + 14),
                  to_xy(u0 + s - 14, v0 + s - 14), to_xy(u0 + 14, v0 + s - 14)]),
        {"leisure": "park", "name": f"{town} Park"},
    )  # fmt: skip
    centre = b.node(to_xy(u0 + s / 2, v0 + s / 2))
    path = {"highway": "footway", "surface": "asphalt"}
    b.way([gid[(c - 1, c)], centre, gid[(c, c + 1)]], path)
    b.way([mid[("v", c - 1, c)], centre, mid[("v", c, c)]], path)
    # shops and services along the High Street, a bus stop each side
    pois: list[Tags] = [
        {"shop": "convenience", "name": _pick(rng, _CONVENIENCE)},
        {"amenity": "pharmacy", "healthcare": "pharmacy", "dispensing": "yes",
         "name": _pick(rng, _PHARMACIES)},
        {"amenity": "library", "name": f"{town} Library"},
        {"amenity": "post_office", "name": f"{town} Post Office"},
        {"amenity": "cafe", "name": _pick(rng, _CAFES)},
        {"amenity": "community_centre", "name": f"{town} Community Centre"},
        {"amenity": "pub", "name": _pick(rng, _PUBS)},
        {"amenity": "cafe", "name": _pick(rng, _CAFES[::-1])},
        {"shop": "convenience", "name": _pick(rng, _CONVENIENCE[::-1])},
    ]  # fmt: skip
    slots = [
        (f * s, side * 14.0) for f in (-1.6, -1.3, -0.6, 0.4, 0.7, 1.3, 1.6) for side in (1, -1)
    ]
    for tags, (u, v) in zip(pois, slots, strict=False):
        b.node(to_xy(u, v), tags)
    stop = {"highway": "bus_stop", "public_transport": "platform", "bus": "yes"}
    b.node(to_xy(1.0 * s, 7.0), {**stop, "name": "Market Place"})
    b.node(to_xy(1.0 * s, -7.0), {**stop, "name": "Market Place"})
    b.node(to_xy(-7.0, -1.5 * s), {**stop, "name": "Station Road"})


def _cluster_directions(
    incident: list[tuple[int, _Edge, float]], max_gap: float = math.radians(40)
) -> list[list[tuple[int, _Edge, float]]]:
    """Group the roads leaving a village by direction (so close ones share a street)."""
    if not incident:
        return []
    items = sorted(incident, key=lambda t: (t[2], t[0]))
    groups = [[items[0]]]
    for it in items[1:]:
        if it[2] - groups[-1][-1][2] <= max_gap:
            groups[-1].append(it)
        else:
            groups.append([it])
    if len(groups) > 1 and items[0][2] + 2 * math.pi - items[-1][2] <= max_gap:
        groups[0] = groups.pop() + groups[0]
    return groups


def _village(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    incident: list[tuple[int, _Edge, float]],
    places: list[_Place],
) -> tuple[dict[int, int], list[_House]]:
    """Build a village (or hamlet): streets towards its neighbours, and a few closes.

    Returns the node where each incident road (by edge index) leaves it, and candidate houses.
    """
    hamlet = place.kind == "hamlet"
    centre = b.node(place.xy)
    streets: list[tuple[float, float, Tags, list[int]]] = []  # (angle, length, tags, edges)
    used_names: list[str] = []
    for group in _cluster_directions(incident):
        vec = sum((_unit(a) for _, _, a in group), np.zeros(2))
        angle = math.atan2(vec[1], vec[0])
        best = min(group, key=lambda t: (_CLASS_RANK.get(t[1].cls, 9), t[0]))[1]
        if best.cls in _MAIN_ROADS:
            hw = "secondary" if best.cls == "secondary" else "primary"
            name = "Main Street" if "Main Street" not in used_names else "High Street"
            tags = {"highway": hw, "ref": best.ref, "name": name, "maxspeed": "30 mph"}
        else:
            other = places[best.v if places[best.u] is place else best.u]
            name = f"{other.name} Road" if other.name else _pick(rng, _VILLAGE_CLOSES)
            tags = {"highway": "residential", "name": name, "maxspeed": "30 mph"}
        if tags["name"] in used_names:
            tags["name"] = _pick(rng, _VILLAGE_CLOSES)
        used_names.append(tags["name"])
        length = float(rng.uniform(90, 150) if hamlet else rng.uniform(250, 420))
        streets.append((angle, length, tags, [k for k, _, _ in group]))
    n_closes = 0 if hamlet else int(rng.integers(0, 2)) + (1 if len(streets) < 3 else 0)
    for _ in range(n_closes):
        angles = sorted(a % (2 * math.pi) for a, *_ in streets) or [0.0]
        gaps = [((angles[(i + 1) % len(angles)] - a) % (2 * math.pi) or 2 * math.pi, a)
                for i, a in enumerate(angles)]  # fmt: skip
        gap, start = max(gaps)
        name = _pick(rng, _VILLAGE_CLOSES)
        if gap < math.radians(80) or name in used_names:
            break
        used_names.append(name)
        tags = {"highway": "residential", "name": name, "maxspeed": "30 mph"}
        streets.append((start + gap / 2, float(rng.uniform(140, 240)), tags, []))

    gates: dict[int, int] = {}
    houses: list[_House] = []
    street_ids: list[list[int]] = []
    lines = [
        _meander(rng, place.xy, place.xy + _unit(angle) * length, 40.0, 110.0, 8.0)
        for angle, length, _, _ in streets
    ]
    drawn = shapely.union_all([LineString(p) for p in lines])
    for (_, length, tags, edge_ids), pts in zip(streets, lines, strict=True):
        ids = [centre, *b.nodes(pts[1:])]
        b.way(ids, tags)
        street_ids.append(ids)
        for k in edge_ids:
            gates[k] = ids[-1]
        houses += _street_houses(rng, pts, 40.0, place.name, 0.5 if hamlet else 0.8)
        if hamlet or length < 280 or rng.random() < 0.4:
            continue
        # a close branching off part way along
        j = int(np.searchsorted(_cumlen(pts), rng.uniform(130, length - 80)))
        j = min(max(j, 1), len(pts) - 2)
        d = pts[j + 1] - pts[j - 1]
        side = 1.0 if rng.random() < 0.5 else -1.0
        branch = math.atan2(d[1], d[0]) + side * math.pi / 2
        name = _pick(rng, _VILLAGE_CLOSES)
        if name in used_names:
            continue
        used_names.append(name)
        close_len = float(rng.uniform(90, 170))
        cpts = _meander(rng, pts[j], pts[j] + _unit(branch) * close_len, 40.0, 80.0, 8.0)
        if LineString(cpts[1:]).buffer(20.0).intersects(drawn):
            continue
        drawn = drawn.union(LineString(cpts))
        b.way([ids[j], *b.nodes(cpts[1:])], {"highway": "residential", "name": name,
                                              "maxspeed": "30 mph"})  # fmt: skip
        houses += _street_houses(rng, cpts, 25.0, place.name, 0.85)
    _village_amenities(b, rng, place, streets, street_ids)
    return gates, houses


def _street_houses(
    rng: np.random.Generator, pts: FloatArray, start: float, label: str, share: float
) -> list[_House]:
    """Candidate houses both sides of a village street, from ``start`` metres along it."""
    cum = _cumlen(pts)
    out = []
    along = start
    while along < cum[-1] - 12.0:
        i = min(max(int(np.searchsorted(cum, along)), 1), len(pts) - 1)
        d = pts[i] - pts[i - 1]
        normal = np.array([-d[1], d[0]]) / max(float(np.hypot(d[0], d[1])), 1e-9)
        ang = math.atan2(d[1], d[0])
        base = np.array([np.interp(along, cum, pts[:, 0]), np.interp(along, cum, pts[:, 1])])
        for side in (1.0, -1.0):
            if rng.random() < share:
                hx, hy = base + normal * side * 15.0
                out.append(_House(hx, hy, ang, 8.0, 10.0, "village", label))
        along += float(rng.uniform(18, 26))
    return out


def _village_amenities(
    b: _Builder,
    rng: np.random.Generator,
    place: _Place,
    streets: list[tuple[float, float, Tags, list[int]]],
    street_ids: list[list[int]],
) -> None:
    """Place node, and by the village's level: nothing, a church and bus stop, or more."""
    kind = "hamlet" if place.kind == "hamlet" else "village"
    b.node(place.xy + 12.0, {"place": kind, "name": place.name})
    if place.level == "none" or not streets:
        return
    main = min(range(len(streets)), key=lambda k: (_CLASS_RANK.get(streets[k][2]["highway"], 9), k))
    p0, p1 = b.xy(street_ids[main][0]), b.xy(street_ids[main][1])
    d = (p1 - p0) / max(float(np.hypot(*(p1 - p0))), 1e-9)
    normal = np.array([-d[1], d[0]])

    def at(along: float, off: float) -> FloatArray:
        return p0 + d * along + normal * off

    stop = {"highway": "bus_stop", "public_transport": "platform", "bus": "yes"}
    b.node(at(25.0, 6.0), {**stop, "name": "The Green"})
    if streets[main][2]["highway"] != "residential":
        b.node(at(25.0, -6.0), {**stop, "name": "The Green"})
    denomination = "methodist" if rng.random() < 0.25 else "anglican"
    church = "Methodist Chapel" if denomination == "methodist" else _pick(rng, _CHURCHES)
    b.node(
        at(20.0, -14.0),
        {"amenity": "place_of_worship", "religion": "christian", "denomination": denomination,
         "name": church},
    )  # fmt: skip
    if place.level != "large":
        return
    b.node(at(12.0, 14.0), {"shop": "convenience", "name": _pick(rng, _CONVENIENCE[::-1])})
    b.node(
        at(32.0, 14.0),
        {"amenity": "community_centre", "community_centre": "village_hall", "name": "Village Hall"},
    )
    b.node(at(8.0, -14.0), {"amenity": "pub", "name": _pick(rng, _PUBS)})
    if rng.random() < 0.5:
        b.node(at(16.0, 22.0), {"amenity": "post_office", "name": f"{place.name} Post Office"})
    if rng.random() < 0.3:
        b.node(at(30.0, -22.0), {"amenity": "cafe", "name": _pick(rng, _CAFES)})
    if rng.random() < 0.25:
        b.node(
            at(36.0, -22.0),
            {"amenity": "doctors", "healthcare": "doctor", "name": f"{place.name} Surgery"},
        )


# ----------------------------------------------------------------------------- country roads


_ROAD_SHAPE = {  # most metres between nodes, metres of a straight stretch, sd of turns (deg)
    "trunk": (90.0, 900.0, 6.0),
    "primary": (80.0, 700.0, 9.0),
    "secondary": (60.0, 450.0, 15.0),
    "track": (50.0, 250.0, 20.0),
    "bridleway": (50.0, 200.0, 22.0),
    "footway": (50.0, 200.0, 22.0),
}


def _road_tags(rng: np.random.Generator, e: _Edge, places: list[_Place]) -> Tags:
    nsl = {"maxspeed": "60 mph", "maxspeed:type": "GB:nsl_single"}
    if e.cls in ("trunk", "primary"):
        return {"highway": e.cls, "ref": e.ref, **nsl}
    if e.cls == "secondary":
        return {"highway": "secondary", "ref": e.ref, "maxspeed": "national"}
    if e.cls == "unclassified":
        tags = {"highway": "unclassified", "maxspeed": "national"}
        ends = [p.name for p in (places[e.u], places[e.v]) if p.name]
        if ends and rng.random() < 0.6:
            tags["name"] = f"{ends[int(rng.integers(len(ends)))]} Lane"
        if rng.random() < 0.5:
            tags["lanes"] = "1"
        return tags
    if e.cls == "track":
        return {"highway": "track", "tracktype": "grade3", "surface": "gravel"}
    if e.cls == "bridleway":
        return {"highway": "bridleway", "designation": "public_bridleway", "surface": "grass"}
    return {"highway": "footway", "designation": "public_footpath", "surface": "grass"}


class _Crossings:
    """Roads built so far, to keep new country roads from crossing them without a junction."""

    def __init__(self, streets: FloatArray) -> None:
        self.tree = shapely.STRtree(shapely.linestrings(streets))
        self.roads: list[LineString] = []

    def crosses(self, pts: FloatArray, keep_clear: float = 25.0) -> bool:
        cum = _cumlen(pts)
        if cum[-1] <= 2 * keep_clear + 10.0:
            return False
        inner = LineString(_cut(pts, cum, keep_clear, float(cum[-1]) - keep_clear))
        if len(self.tree.query(inner, predicate="intersects")):
            return True
        return bool(self.roads) and bool(shapely.intersects(np.array(self.roads), inner).any())


def _country_road(
    b: _Builder,
    rng: np.random.Generator,
    e: _Edge,
    n0: int,
    n1: int,
    spec: _Spec,
    places: list[_Place],
    water: Any,
    river: Any,
    built: _Crossings,
) -> list[int] | None:
    """Build the road of one link between two places (a trunk road gets a dual carriageway).

    The road winds less, and at last runs straight, if it would cross the reservoir or another
    road; a spare link that still crosses one is left out (``None``).
    """
    spacing, stretch, turn = _ROAD_SHAPE.get(e.cls, (spec.lane_spacing, 260.0, 28.0))
    spacing *= spec.lane_spacing / 40.0
    p0, p1 = b.xy(n0), b.xy(n1)
    for shrink in (1.0, 1.0, 0.6, 0.6, 0.3, 0.3, 0.0):
        pts = _meander(rng, p0, p1, spacing, stretch, turn * shrink)
        clash = LineString(pts).intersects(water) or built.crosses(pts)
        if not clash:
            break
    if clash and e.spare:
        return None
    built.roads.append(LineString(pts))
    tags = _road_tags(rng, e, places)
    if e.cls != "trunk" or len(pts) < 12:
        return b.road(pts, n0, n1, tags, river)
    # a dual carriageway in the middle, at most 2 km long; traffic keeps left
    n_dual = min(len(pts) * 2 // 5, int(2_000 / spacing))
    k1 = (len(pts) - n_dual) // 2
    k2 = k1 + n_dual
    s1, s2 = b.node(pts[k1]), b.node(pts[k2])
    ids = b.road(pts[: k1 + 1], n0, s1, tags, river)
    middle = pts[k1 : k2 + 1]
    d = np.gradient(middle, axis=0)
    left = np.column_stack([-d[:, 1], d[:, 0]]) / np.hypot(d[:, 0], d[:, 1])[:, None]
    ramp = np.minimum(1.0, np.minimum(np.arange(len(middle)), np.arange(len(middle))[::-1]) / 2)
    offset = (9.0 * ramp)[:, None] * left
    dual = {**tags, "oneway": "yes", "dual_carriageway": "yes", "maxspeed": "70 mph",
            "maxspeed:type": "GB:nsl_dual"}  # fmt: skip
    ids += b.road(middle + offset, s1, s2, dual, river)[1:]
    b.road((middle - offset)[::-1], s2, s1, dual, river)
    ids += b.road(pts[k2:], s2, n1, tags, river)[1:]
    return ids


def _farms(
    rng: np.random.Generator, b: _Builder, lanes: list[list[int]], spec: _Spec
) -> list[tuple[int, FloatArray, FloatArray, str]]:
    """Candidate farms along lanes: (lane node, farmhouse centre, direction from lane, name)."""
    out = []
    for ids in lanes:
        pts = np.array([b.xy(i) for i in ids])
        length = float(_cumlen(pts)[-1])
        for _ in range(int(rng.poisson(length / spec.farm_every))):
            k = int(rng.integers(max(1, len(ids) // 5), max(2, len(ids) * 4 // 5)))
            d = pts[min(k + 1, len(pts) - 1)] - pts[k - 1]
            side = 1.0 if rng.random() < 0.5 else -1.0
            normal = np.array([-d[1], d[0]]) / max(float(np.hypot(d[0], d[1])), 1e-9) * side
            home = pts[k] + normal * rng.uniform(70, 130)
            name = f"{_pick(rng, _NAME_HEADS)}{_pick(rng, ('ley', 'holme', 'croft', 'garth'))} Farm"
            out.append((ids[k], home, normal, name))
    return out


# ----------------------------------------------------------------------------- the county


def _generate(spec: _Spec, seed: int) -> _County:
    """Build the whole county in memory."""
    rng = np.random.default_rng(seed)
    b = _Builder()
    names = _place_names(rng, spec.n_towns + spec.n_villages + 3)
    res = _reservoir(rng, spec, names.pop())
    places = _layout(rng, spec, res, names)
    edges = _plan_roads(rng, places, res)
    river_pts = _river(rng, spec, res, places)
    river = LineString(river_pts) if len(river_pts) >= 2 else None
    gates, houses = _settlements(b, rng, places, edges)
    lanes = _country_roads(b, rng, spec, places, edges, gates, res, river)
    farms = _farms(rng, b, lanes, spec)
    _water(b, res, river_pts)
    homes = _place_buildings(rng, b, houses, farms, res, river)
    _landuse(b, homes, places)
    far = max(p.x for p in places) + 2_500  # a stub of road far from everything else
    b.way(
        b.nodes([(far, 0.0), (far + 60, 15.0), (far + 120, 10.0)]),
        {"highway": "residential", "name": "Beacon Lane", "maxspeed": "30 mph",
         "note": "disconnected"},
    )  # fmt: skip
    clients = _clients(rng, homes, spec.n_clients)
    return _County(b, clients, (places[0].name, places[1].name))


def _settlements(
    b: _Builder, rng: np.random.Generator, places: list[_Place], edges: list[_Edge]
) -> tuple[dict[tuple[int, int], int], list[_House]]:
    """Build every town, village and hamlet.

    Returns the node where each road leaves each place, keyed by (place, edge), and the
    candidate houses.
    """
    incident: dict[int, list[tuple[int, _Edge, float]]] = {i: [] for i in range(len(places))}
    for k, e in enumerate(edges):
        for a, z in ((e.u, e.v), (e.v, e.u)):
            angle = math.atan2(places[z].y - places[a].y, places[z].x - places[a].x)
            incident[a].append((k, e, angle))
    gates: dict[tuple[int, int], int] = {}
    houses: list[_House] = []
    for i, p in enumerate(places):
        if p.kind == "town":
            g, h = _town(b, rng, p, incident[i])
        elif p.kind in ("village", "hamlet"):
            g, h = _village(b, rng, p, incident[i], places)
        else:  # where an A road leaves the county
            node = b.node(p.xy)
            g, h = dict.fromkeys((k for k, _, _ in incident[i]), node), []
        gates.update({(i, k): n for k, n in g.items()})
        houses += h
    return gates, houses


def _country_roads(
    b: _Builder,
    rng: np.random.Generator,
    spec: _Spec,
    places: list[_Place],
    edges: list[_Edge],
    gates: dict[tuple[int, int], int],
    res: _Reservoir,
    river: Any,
) -> list[list[int]]:
    """Build the roads between places, main roads first; return the lanes' and B roads' nodes."""
    water = res.poly.buffer(40.0)
    lanes: list[list[int]] = []
    built = _Crossings(b.segments())
    order = sorted(
        range(len(edges)), key=lambda k: (edges[k].spare, _CLASS_RANK.get(edges[k].cls, 9), k)
    )
    for k in order:
        e = edges[k]
        n0, n1 = gates[(e.u, k)], gates[(e.v, k)]
        ids = _country_road(b, rng, e, n0, n1, spec, places, water, river, built)
        if ids is not None and e.cls in ("unclassified", "secondary"):
            lanes.append(ids)
    return lanes


def _water(b: _Builder, res: _Reservoir, river_pts: FloatArray) -> None:
    """Add the reservoir, its dam and the river."""
    b.polygon(res.ring, {"natural": "water", "water": "reservoir", "name": res.name})
    perp = np.array([-res.axis[1], res.axis[0]])
    dam_mid = res.centre + res.axis * res.half_length * 0.96
    half = res.half_width * math.sqrt(1 - 0.96**2) + 25
    b.way(b.nodes([dam_mid - perp * half, dam_mid + perp * half]),
          {"waterway": "dam", "name": res.name.replace("Reservoir", "Dam")})  # fmt: skip
    if len(river_pts) >= 2:
        b.way(b.nodes(river_pts), {"waterway": "river", "name": f"River {res.name.split()[0]}"})


def _clients(
    rng: np.random.Generator, homes: list[tuple[float, float, str, str]], n: int
) -> list[tuple[str, float, float, float, str]]:
    """Sample ``n`` clients on homes: (client id, lat, lon, weekly hours, settlement)."""
    pool = [h for h in homes if h[3] in RESIDENTIAL_BUILDINGS or h[3] == "yes"]
    pick = _sample_rows(rng, len(pool), n if pool else 0)
    hours = _weekly_hours(rng, len(pick))
    lat, lon = _to_latlon(
        np.array([pool[i][0] for i in pick], dtype=np.float64),
        np.array([pool[i][1] for i in pick], dtype=np.float64),
    )
    ids = _client_ids(len(pick))
    return [
        (ids[k], float(lat[k]), float(lon[k]), float(hours[k]), pool[i][2])
        for k, i in enumerate(pick)
    ]


def _place_buildings(
    rng: np.random.Generator,
    b: _Builder,
    houses: list[_House],
    farms: list[tuple[int, FloatArray, FloatArray, str]],
    res: _Reservoir,
    river: Any,
) -> list[tuple[float, float, str, str]]:
    """Keep candidate buildings clear of roads, water and each other, then add them.

    Returns the homes as (x, y, settlement, building type).
    """
    tree = shapely.STRtree(shapely.linestrings(b.segments()))
    wet = res.poly.buffer(30.0)
    if river is not None:
        wet = wet.union(river.buffer(30.0))
    shapely.prepare(wet)
    cand = np.array([(h.x, h.y) for h in houses], dtype=np.float64).reshape(-1, 2)
    pts = shapely.points(cand)
    bad = shapely.intersects(wet, pts)
    bad[tree.query(pts, predicate="dwithin", distance=11.0)[0]] = True
    taken: dict[tuple[int, int], list[FloatArray]] = {}

    def free(p: FloatArray, gap: float = 13.0) -> bool:
        cx, cy = int(p[0] // gap), int(p[1] // gap)
        for i in (cx - 1, cx, cx + 1):
            for j in (cy - 1, cy, cy + 1):
                for q in taken.get((i, j), []):
                    if math.hypot(p[0] - q[0], p[1] - q[1]) < gap:
                        return False
        taken.setdefault((cx, cy), []).append(p)
        return True

    keep = [k for k in range(len(cand)) if not bad[k] and free(cand[k])]
    town_types = ["house", "semidetached_house", "terrace", "detached", "bungalow",
                  "residential", "apartments", "yes"]  # fmt: skip
    town_p = [0.40, 0.15, 0.10, 0.08, 0.06, 0.04, 0.02, 0.15]
    village_types = ["house", "detached", "bungalow", "semidetached_house", "cottage", "yes"]
    village_p = [0.32, 0.20, 0.14, 0.10, 0.09, 0.15]
    in_town = [houses[k].kind == "town" for k in keep]
    t_types = iter(rng.choice(town_types, size=sum(in_town), p=town_p))
    v_types = iter(rng.choice(village_types, size=len(keep) - sum(in_town), p=village_p))
    homes: list[tuple[float, float, str, str]] = []
    rects = _rects(np.array([(houses[k].x, houses[k].y, houses[k].w, houses[k].d, houses[k].angle)
                             for k in keep]).reshape(-1, 5))  # fmt: skip
    for k, town, ring in zip(keep, in_town, rects, strict=True):
        h = houses[k]
        kind = str(next(t_types) if town else next(v_types))
        b.polygon(ring, {"building": kind})
        homes.append((h.x, h.y, h.label, kind))
    homes += _place_farms(b, farms, tree, wet, cand[keep])
    return homes


def _place_farms(
    b: _Builder,
    farms: list[tuple[int, FloatArray, FloatArray, str]],
    roads: shapely.STRtree,
    wet: Any,
    houses: FloatArray,
) -> list[tuple[float, float, str, str]]:
    """Add the farms (farmhouse, barn and access) that keep clear of everything else."""
    homes_tree = shapely.STRtree(shapely.points(houses))
    yards: list[Any] = []  # each farm's yard and access, kept clear of later farms
    out: list[tuple[float, float, str, str]] = []
    for lane_node, home, normal, name in farms:
        front = home - normal * 8.0
        start = b.xy(lane_node) + normal * 5.0
        access = LineString(np.array([start, front]))
        yard = Point(home + normal * 15.0).buffer(45.0, quad_segs=4)
        reach = shapely.union(yard, access.buffer(8.0))
        if (
            len(roads.query(yard, predicate="intersects"))
            or len(roads.query(access, predicate="intersects"))
            or wet.intersects(reach)
            or len(homes_tree.query(reach, predicate="intersects"))
            or any(reach.intersects(y) for y in yards)
        ):
            continue
        yards.append(reach)
        angle = math.atan2(normal[1], normal[0])
        if len(out) % 2:
            tags = {"highway": "track", "tracktype": "grade1", "surface": "gravel"}
        else:
            tags = {"highway": "service", "service": "driveway"}
        b.way([lane_node, b.node(front)], tags)
        b.polygon(_rect(home, 10.0, 12.0, angle), {"building": "farmhouse", "name": name})
        barn = home + normal * 30.0 + np.array([-normal[1], normal[0]]) * 12.0
        b.polygon(_rect(barn, 14.0, 28.0, angle), {"building": "barn"})
        out.append((float(home[0]), float(home[1]), "rural", "farmhouse"))
    return out


def _landuse(b: _Builder, homes: list[tuple[float, float, str, str]], places: list[_Place]) -> None:
    """Add a ``landuse=residential`` area around the homes of each town and village."""
    by_place: dict[str, list[tuple[float, float]]] = {}
    for x, y, label, _ in homes:
        by_place.setdefault(label, []).append((x, y))
    for p in places:
        pts = by_place.get(p.name, []) if p.name else []
        if len(pts) < 3:
            continue
        hull = shapely.convex_hull(shapely.multipoints(np.array(pts))).buffer(25.0, quad_segs=2)
        ring = np.asarray(hull.exterior.coords)[:-1]
        b.polygon(ring, {"landuse": "residential", "name": p.name})


# ----------------------------------------------------------------------------- writing


def _tag_lines(tags: Tags) -> str:
    return "".join(
        f'    <tag k="{escape(k, _QUOTE)}" v="{escape(v, _QUOTE)}"/>\n'
        for k, v in sorted(tags.items())
    )


_QUOTE = {'"': "&quot;"}


def _write_osm(
    path: Path,
    b: _Builder,
    lat: FloatArray,
    lon: FloatArray,
    bounds: tuple[float, float, float, float],
) -> None:
    """Write OSM XML 0.6: header, bounds, nodes (by id), then ways (by id)."""
    meta = f'version="1" timestamp="{TIMESTAMP}"'
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        f'<osm version="0.6" generator="{GENERATOR}" timestamp="{TIMESTAMP}">\n',
        f'  <bounds minlat="{bounds[1]:.7f}" minlon="{bounds[0]:.7f}" '
        f'maxlat="{bounds[3]:.7f}" maxlon="{bounds[2]:.7f}"/>\n',
    ]
    lat_s = [f"{v:.7f}" for v in lat]
    lon_s = [f"{v:.7f}" for v in lon]
    for i in range(len(lat_s)):
        nid = i + 1
        head = f'  <node id="{nid}" {meta} lat="{lat_s[i]}" lon="{lon_s[i]}"'
        tags = b.node_tags.get(nid)
        parts.append(f"{head}>\n{_tag_lines(tags)}  </node>\n" if tags else f"{head}/>\n")
    for wid, (nodes, tags) in enumerate(b.ways, start=1):
        nds = "".join(f'    <nd ref="{n}"/>\n' for n in nodes)
        parts.append(f'  <way id="{wid}" {meta}>\n{nds}{_tag_lines(tags)}  </way>\n')
    parts.append("</osm>\n")
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("".join(parts))


def _write_clients(path: Path, clients: list[tuple[str, float, float, float, str]]) -> None:
    lines = ["client_id,lat,lon,hours_per_week,town\n"]
    lines += [f"{c},{la:.7f},{lo:.7f},{h:.2f},{t}\n" for c, la, lo, h, t in clients]
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))
