"""The synthetic county: every stage in order, and the files it is written to."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from shapely.geometry import LineString

from carezones.io.osm import RESIDENTIAL_BUILDINGS
from carezones.synthetic.builder import _Builder
from carezones.synthetic.clients import _clients, _write_clients
from carezones.synthetic.country_roads import _country_roads
from carezones.synthetic.geometry import CENTRE_LAT, CENTRE_LON, _to_latlon
from carezones.synthetic.gtfs import _write_gtfs
from carezones.synthetic.houses import _farms, _House, _landuse, _place_buildings
from carezones.synthetic.layout import _layout, _Place, _reservoir, _river, _water
from carezones.synthetic.names import _place_names
from carezones.synthetic.osm_xml import _write_osm
from carezones.synthetic.providers import _PROVIDERS, _offices, _write_offices
from carezones.synthetic.road_plan import _Edge, _plan_roads
from carezones.synthetic.sizes import _SPECS, SIZES, _scaled_spec, _Spec
from carezones.synthetic.towns import _town
from carezones.synthetic.villages import _village

__all__ = ["SyntheticCounty", "make_synthetic_county"]


@dataclass(frozen=True)
class SyntheticCounty:
    """Files and facts of one generated synthetic county (SYNTHETIC DATA, not a real place).

    :func:`make_synthetic_county` makes one; every field is a parameter.

    Parameters
    ----------
    osm_path : pathlib.Path
        The OSM XML 0.6 file of roads, buildings, amenities and water.
    clients_path : pathlib.Path
        CSV of clients with columns ``client_id, lat, lon, hours_per_week, town``.
    size : str
        One of ``"tiny"``, ``"small"``, ``"medium"``, ``"large"``, ``"county"``.
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
    client_hours : float
        Weekly hours of care of all the clients together (13,800 exactly for ``"county"``).
    towns : tuple of str
        Names of the market towns; a client whose ``town`` is none of them lives in a village,
        a hamlet or on a farm (``"rural"``).
    n_homes : int
        Houses, cottages, farmhouses and other homes built (the buildings the clients are
        drawn from; :func:`clients_on_buildings` also counts a town's surgery, whose
        ``building=yes`` stands inside a ``landuse=residential`` area).
    rural_share : float
        Share of the homes outside the market towns (in villages, hamlets and on farms): the
        towns are the urban areas and everything else rural, as in the ONS rural-urban
        classification, where settlements of under 10,000 people are rural.
    settled_km2 : float
        Area of the rectangle the towns, villages and hamlets are spread over, in square
        kilometres (exits, the river and one stray road reach a little beyond it).
    barrier_villages : tuple of str
        Names of the two villages on opposite shores of the reservoir: close as the crow flies,
        far apart by road.
    description : str
        One line saying what was generated, and that it is synthetic.
    providers_path : pathlib.Path
        CSV of providers' offices, ``provider_id, lat, lon, capacity_hours, town``: agencies
        in the towns, more in bigger towns (for :func:`carezones.county.allocate_providers`).
    n_providers : int
        Rows of the providers CSV.
    gtfs_path : pathlib.Path
        The county's bus timetable as a GTFS zip (:mod:`carezones.synthetic.gtfs`): routes
        between its towns and villages calling at its bus stops, less often the more rural,
        every day of 2025.
    n_bus_routes : int
        Routes of the timetable.

    Examples
    --------
    >>> county.size, county.towns, county.n_clients, county.client_hours
    ('tiny', ('Caldwell',), 60, 689.5)
    >>> county.barrier_villages
    ('Lythwick', 'Yarholme')
    >>> county.providers_path.name, county.n_providers
    ('synthetic-county-tiny-seed0-providers.csv', 4)
    >>> county.gtfs_path.name, county.n_bus_routes
    ('synthetic-county-tiny-seed0-gtfs.zip', 3)
    """

    osm_path: Path
    clients_path: Path
    size: str
    seed: int
    bounds: tuple[float, float, float, float]
    n_road_nodes: int
    n_buildings: int
    n_clients: int
    client_hours: float
    towns: tuple[str, ...]
    n_homes: int
    rural_share: float
    settled_km2: float
    barrier_villages: tuple[str, str]
    description: str
    providers_path: Path
    n_providers: int
    gtfs_path: Path
    n_bus_routes: int


def make_synthetic_county(
    out_dir: str | Path,
    *,
    size: str = "small",
    seed: int = 0,
    n_villages: int | None = None,
    n_providers: int | None = None,
) -> SyntheticCounty:
    """Generate a synthetic county: an OSM XML file, its clients, providers and bus timetable.

    The data is SYNTHETIC: an invented county in the North Sea (centred near 54.4 N, 1.6 E)
    whose roads, buildings and amenities are tagged as UK OpenStreetMap mappers tag them.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        Folder for the files (created if missing). Existing files of the same name are
        overwritten.
    size : {"tiny", "small", "medium", "large", "county"}, default "small"
        ``"tiny"``: one market town and three villages (a few hundred road nodes, for unit
        tests); ``"small"``: two towns and ten villages (a few thousand road nodes);
        ``"medium"``: four towns, about ten thousand road nodes; ``"large"``: ten towns and
        110 villages, about fifty thousand road nodes. ``"county"`` is the scale of Dorset:
        58 by 52 km settled (about 3,000 square kilometres), twelve market towns of
        different sizes, 220 villages and about 330 hamlets joined by A and B roads and a close
        mesh of lanes (over 4,000 km of drivable road, about 80,000 road nodes, 70,000
        buildings), about half the homes outside the towns, and 1,210 clients whose weekly
        hours add up to exactly 13,800 (Dorset's market position statement: the council buys
        about 13,800 hours of home care a week for 1,210 older people; 46% of its people are
        rural). It takes about ten seconds to generate.
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`; the same size and seed give byte-identical
        files.
    n_villages : int, optional
        Override the number of villages of the chosen size (the county grows or shrinks to
        keep their spacing, with hamlets, clients and a fixed hours total in proportion). At
        least 2: the two reservoir villages are always made.
    n_providers : int, optional
        Home-care providers' offices to place in the towns, in proportion to their homes
        (default 4, 8, 16, 40 and 70 for the sizes from ``"tiny"`` to ``"county"``), each
        with a weekly capacity (together 1.3 times the clients' hours). They come from their
        own random stream: the number changes nothing else.

    Returns
    -------
    SyntheticCounty
        Paths of ``synthetic-county-<size>-seed<seed>.osm``,
        ``synthetic-county-<size>-seed<seed>-clients.csv``, ``...-providers.csv`` and
        ``...-gtfs.zip`` (with ``-v<n>`` after the size when ``n_villages`` is given) and
        counts of what they hold.

    Raises
    ------
    ValueError
        If ``size``, ``seed``, ``n_villages`` or ``n_providers`` is not valid.

    See Also
    --------
    carezones.datasets.synthetic_county : The same, kept in the carezones cache folder.
    clients_on_buildings : Invented clients on the homes of any OSM file.

    Examples
    --------
    >>> import tempfile
    >>> county = make_synthetic_county(tempfile.mkdtemp(), size="tiny", seed=1)
    >>> county.osm_path.name
    'synthetic-county-tiny-seed1.osm'
    >>> make_synthetic_county(tempfile.mkdtemp(), size="huge")
    Traceback (most recent call last):
    ...
    ValueError: size must be one of tiny, small, medium, large, county, not 'huge'
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
    if n_providers is None:
        n_providers = _PROVIDERS[size]
    if isinstance(n_providers, bool) or not isinstance(n_providers, (int, np.integer)):
        raise ValueError(f"n_providers must be an integer, not {n_providers!r}")
    if n_providers < 0:
        raise ValueError(f"n_providers must be 0 or more, not {n_providers}")

    county = _generate(spec, int(seed))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    osm_path = out / f"{stem}.osm"
    clients_path = out / f"{stem}-clients.csv"
    lat, lon = _to_latlon(np.asarray(county.b.xs), np.asarray(county.b.ys))
    bounds = (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    _write_osm(osm_path, county.b, lat, lon, bounds)
    _write_clients(clients_path, county.clients)
    towns = tuple(p.name for p in county.places if p.kind == "town")
    offices = _offices(int(seed), int(n_providers), towns, county.homes, county.clients)
    providers_path = out / f"{stem}-providers.csv"
    _write_offices(providers_path, offices)
    gtfs_path = out / f"{stem}-gtfs.zip"
    n_routes = _write_gtfs(gtfs_path, county.b, county.places)
    n_road = county.b.n_road_nodes()
    n_buildings = sum(1 for _, t in county.b.ways if "building" in t)
    n_clients = len(county.clients)
    pool = [h for h in county.homes if h[3] in RESIDENTIAL_BUILDINGS or h[3] == "yes"]
    rural_share = sum(h[2] not in towns for h in pool) / max(len(pool), 1)
    hamlets = f", {spec.n_hamlets + 2} hamlets" if spec.n_hamlets else ""
    description = (
        f"SYNTHETIC county ({size}, seed {seed}): {spec.n_towns} market town(s), "
        f"{spec.n_villages} villages{hamlets} invented in the North Sea near {CENTRE_LAT} N "
        f"{CENTRE_LON} E - not a real place; {n_road} road nodes, {n_buildings} buildings, "
        f"{rural_share:.0%} of {len(pool)} homes outside the towns, {n_clients} clients."
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
        client_hours=float(sum(c[3] for c in county.clients)),
        towns=towns,
        n_homes=len(pool),
        rural_share=rural_share,
        settled_km2=4 * spec.half_w * spec.half_h / 1e6,
        barrier_villages=county.barrier_villages,
        description=description,
        providers_path=providers_path,
        n_providers=len(offices),
        gtfs_path=gtfs_path,
        n_bus_routes=n_routes,
    )


@dataclass
class _County:
    b: _Builder
    clients: list[tuple[str, float, float, float, str]]
    barrier_villages: tuple[str, str]
    places: list[_Place]
    homes: list[tuple[float, float, str, str]]


def _generate(spec: _Spec, seed: int) -> _County:
    """Build the whole county in memory."""
    rng = np.random.default_rng(seed)
    b = _Builder()
    names = _place_names(rng, spec.n_towns + spec.n_villages + spec.n_hamlets + 3)
    res = _reservoir(rng, spec, names.pop())
    places = _layout(rng, spec, res, names)
    edges = _plan_roads(rng, places, res, spec.loop_share)
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
        {
            "highway": "residential",
            "name": "Beacon Lane",
            "maxspeed": "30 mph",
            "note": "disconnected",
        },
    )
    clients = _clients(rng, homes, spec.n_clients, spec.hours_total)
    return _County(b, clients, (places[0].name, places[1].name), places, homes)


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
