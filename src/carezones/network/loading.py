"""Loading road networks: read the source, keep the connected part, cache the result on disk.

:func:`load_network` reads an OSM extract or an osmnx GraphML file (through
:mod:`carezones.io.osm`), or fetches a place through osmnx when online; keeps the largest
strongly connected part; builds the router's chains; and caches the prepared arrays (and the
OSRM build) in the cache folder, keyed by the file's content, the mode and the speed model.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal

import numpy as np

from carezones._data import cache_dir, file_sha256
from carezones.errors import NetworkError, OfflineError, check_number
from carezones.io.osm import is_osm_file, read_building_centroids
from carezones.network import osm as _osm
from carezones.network import osrm as _osrm
from carezones.network.data import (
    ATTRIBUTION,
    EDGE_FIELDS,
    SYNTHETIC_ATTRIBUTION,
    Buildings,
    NetworkArrays,
    Provenance,
)
from carezones.network.road import RoadNetwork
from carezones.network.routing import build_chains
from carezones.network.speeds import Mode, SpeedModel

log = logging.getLogger("carezones")

Engine = Literal["auto", "builtin", "osrm"]

CACHE_VERSION = 3  # 3: the source file's buildings are kept too


def load_network(
    source: str | os.PathLike[str],
    mode: Mode = "drive",
    engine: Engine = "auto",
    *,
    speeds: SpeedModel | None = None,
    max_snap_m: float = 1000.0,
    cache: bool = True,
    timeout_s: float = 5.0,
    progress: bool | None = None,
) -> RoadNetwork:
    """Load a drive or walk road network.

    The largest strongly connected part is kept (every kept node can reach every other), and
    the prepared network is cached on disk, so a second load of the same file is quick. The
    buildings of an OSM file are read with the roads and kept with the network
    (:attr:`RoadNetwork.buildings`): zones are drawn around them, carers live in the homes.

    Parameters
    ----------
    source : str or path
        An OSM extract (``.osm.pbf``, ``.osm``, ``.osm.bz2``), an osmnx ``.graphml`` file, or a
        place name to fetch through osmnx (needs the internet; offline this fails at once
        with :class:`~carezones.OfflineError`).
    mode : {"drive", "walk"}, default "drive"
        Which ways to keep and how fast they are travelled (see :mod:`carezones.network.speeds`).
    engine : {"auto", "builtin", "osrm"}, default "auto"
        Default engine for :meth:`RoadNetwork.travel_times`. ``"auto"`` picks OSRM when the
        source is an OSM file and ``osrm-bindings`` is installed, else the built-in engine.
    speeds : SpeedModel, optional
        Speed overrides (default :class:`~carezones.network.speeds.SpeedModel()`).
    max_snap_m : float, default 1000.0
        Points farther than this from any road are flagged and not routed.
    cache : bool, default True
        Keep the prepared network (and OSRM files) in the cache folder (``$CAREZONES_CACHE``
        or ``~/.cache/carezones``), keyed by the file's content, the mode and the speed model.
    timeout_s : float, default 5.0
        How long to wait for the internet when ``source`` is a place name.
    progress : bool, optional
        Show the stages (reading, preparing, the OSRM build) as a progress bar: by default when
        run interactively (Jupyter or a terminal); ``False`` never.

    Returns
    -------
    RoadNetwork
        The network, ready for queries; ``provenance`` says where it came from.

    Raises
    ------
    FileNotFoundError
        When ``source`` looks like a path (it has a suffix or a folder) that does not exist.
    NetworkError
        When the file is not a network format carezones reads, or ``engine="osrm"`` cannot be
        used (a GraphML source, or no ``osrm-bindings``).
    OfflineError
        When ``source`` is a place name and there is no internet connection.
    ValueError
        When ``mode`` or ``engine`` is not one of the values above, or ``max_snap_m`` or
        ``timeout_s`` is not a positive number (:class:`~carezones.errors.ArgumentError`).

    See Also
    --------
    RoadNetwork : The queries a network answers.
    clear_cache : Delete the prepared networks kept on disk.

    Examples
    --------
    The tiny synthetic county (SYNTHETIC DATA, made offline in a second):

    >>> import tempfile
    >>> from carezones import make_synthetic_county
    >>> county = make_synthetic_county(tempfile.mkdtemp(), size="tiny")
    >>> net = load_network(county.osm_path, engine="builtin")
    >>> net.n_nodes, net.mode
    (507, 'drive')
    >>> load_network(county.osm_path, engine="builtin").provenance.from_cache
    True

    A real extract (not shipped with carezones):

    >>> net = load_network("rutland-2022-07-20.osm.pbf", mode="drive")  # doctest: +SKIP
    >>> net.provenance.attribution  # doctest: +SKIP
    '© OpenStreetMap contributors'
    """
    speeds = speeds or SpeedModel()
    max_snap_m = check_number("max_snap_m", max_snap_m, minimum=0, above=True)
    timeout_s = check_number("timeout_s", timeout_s, minimum=0, above=True)
    if mode not in ("drive", "walk"):
        raise ValueError(f"mode must be 'drive' or 'walk', got {mode!r}")
    if engine not in ("auto", "builtin", "osrm"):
        raise ValueError(f"engine must be 'auto', 'builtin' or 'osrm', got {engine!r}")
    path = Path(source)
    if not path.exists():
        if path.suffix or os.sep in str(source):
            raise FileNotFoundError(
                f"network file not found: {source}. Give the path of an .osm.pbf/.osm/.graphml "
                "file (e.g. a county extract from Geofabrik)."
            )
        return _from_place(str(source), mode, speeds, max_snap_m, timeout_s)
    is_osm = is_osm_file(path)
    if not is_osm and path.suffix.lower() != ".graphml":
        raise NetworkError(
            f"{path.name}: unknown network format; use .osm.pbf, .osm, .osm.bz2 or .graphml"
        )
    from carezones._progress import progress_bar

    bar = progress_bar(3, f"loading {path.name}", progress)
    try:
        digest = file_sha256(path)
        key = f"{digest[:16]}-{mode}-{speeds.key()}-v{CACHE_VERSION}"
        folder = _cache_root() / "networks" / key
        arrays, prov, buildings = _load_cached(folder) if cache else (None, None, None)
        if arrays is None or prov is None or buildings is None:
            raw = (
                _osm.read_osm(path, mode, speeds)
                if is_osm
                else _osm.read_graphml(path, mode, speeds)
            )
            buildings = (
                Buildings(*read_building_centroids(path)[:3]) if is_osm else Buildings.empty()
            )
            bar.update(1)
            arrays, prov = _prepare(raw, str(path), digest, mode)
            if cache:
                _save_cached(folder, arrays, prov, buildings)
            bar.update(1)
        else:
            prov = Provenance(**{**asdict(prov), "source": str(path), "from_cache": True})
            bar.update(2)
        osrm_base = _osrm_base(path, mode, speeds, engine, is_osm, folder, cache, key)
        bar.update(1)
    finally:
        bar.close()
    net = RoadNetwork(
        arrays,
        mode=mode,
        speeds=speeds,
        provenance=prov,
        engine="osrm" if osrm_base is not None else "builtin",
        osrm_base=osrm_base,
        max_snap_m=max_snap_m,
        buildings=buildings,
    )
    log.info("loaded %s", prov.describe())
    return net


def _osrm_base(
    path: Path,
    mode: Mode,
    speeds: SpeedModel,
    engine: str,
    is_osm: bool,
    folder: Path,
    cache: bool,
    key: str,
) -> Path | None:
    """Build (or find) the OSRM files when the OSRM engine is asked for or chosen."""
    use_osrm = engine == "osrm" or (engine == "auto" and is_osm and _osrm.available())
    if not use_osrm:
        return None
    if not is_osm:
        raise NetworkError("engine='osrm' needs an OSM file (.osm.pbf/.osm), not GraphML")
    if not _osrm.available():
        raise NetworkError(
            "engine='osrm' needs the osrm-bindings package: pip install osrm-bindings"
        )
    base_dir = (folder if cache else _cache_root() / "tmp" / key) / (
        f"osrm-{_osrm.profile_key(mode, speeds)}"
    )
    return _osrm.build(path, mode, speeds, base_dir)


def _from_place(
    place: str, mode: Mode, speeds: SpeedModel, max_snap_m: float, timeout_s: float
) -> RoadNetwork:
    if not _internet_available(timeout_s):
        raise OfflineError(
            f"'{place}' is not a file, so it would be fetched from OpenStreetMap, but there is "
            "no internet connection. Download an extract (.osm.pbf) of the area, e.g. from "
            "Geofabrik, and pass its path instead."
        )
    import osmnx as ox

    ox.settings.requests_timeout = int(max(timeout_s, 30))
    graph = ox.graph_from_place(place, network_type=mode, simplify=False, retain_all=True)
    tmp = _cache_root() / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    gml = tmp / (hashlib.sha256(place.encode()).hexdigest()[:16] + ".graphml")
    ox.save_graphml(graph, gml)
    return load_network(gml, mode, "builtin", speeds=speeds, max_snap_m=max_snap_m)


def _internet_available(timeout_s: float, host: str = "overpass-api.de") -> bool:
    try:
        with socket.create_connection((host, 443), timeout=timeout_s):
            return True
    except OSError:
        return False


def _prepare(
    raw: _osm.EdgeArrays, source: str, digest: str, mode: Mode
) -> tuple[NetworkArrays, Provenance]:
    """Keep the largest strongly connected part and build the routing chains."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(raw.lon)
    adj = csr_matrix((np.ones(len(raw.u)), (raw.u, raw.v)), shape=(n, n))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    biggest = int(np.argmax(np.bincount(labels)))
    keep_node = labels == biggest
    keep_edge = keep_node[raw.u] & keep_node[raw.v]
    new_index = np.cumsum(keep_node) - 1
    edge_new = np.cumsum(keep_edge) - 1
    arrays: dict[str, Any] = {
        "node_osmid": raw.node_osmid[keep_node],
        "lon": raw.lon[keep_node],
        "lat": raw.lat[keep_node],
    }
    for f in EDGE_FIELDS:
        arrays[f] = getattr(raw, f)[keep_edge]
    arrays["u"] = new_index[arrays["u"]]
    arrays["v"] = new_index[arrays["v"]]
    fwd, bwd = raw.seg_fwd, raw.seg_bwd
    fwd_ok = (fwd >= 0) & keep_edge[np.maximum(fwd, 0)]
    bwd_ok = (bwd >= 0) & keep_edge[np.maximum(bwd, 0)]
    keep_seg = fwd_ok | bwd_ok
    arrays["seg_ab"] = new_index[raw.seg_ab[keep_seg]]
    arrays["seg_fwd"] = np.where(fwd_ok, edge_new[np.maximum(fwd, 0)], -1)[keep_seg]
    arrays["seg_bwd"] = np.where(bwd_ok, edge_new[np.maximum(bwd, 0)], -1)[keep_seg]
    chains = build_chains(len(arrays["lon"]), arrays["u"], arrays["v"], arrays["minutes"])
    prov = Provenance(
        source=source,
        sha256=digest,
        osm_timestamp=raw.osm_timestamp,
        mode=mode,
        nodes=int(keep_node.sum()),
        edges=int(keep_edge.sum()),
        dropped_nodes=int(n - keep_node.sum()),
        dropped_edges=int(len(raw.u) - keep_edge.sum()),
        dropped_components=int(n_comp - 1),
        synthetic=raw.synthetic,
        attribution=SYNTHETIC_ATTRIBUTION if raw.synthetic else ATTRIBUTION,
        licence="none: invented data" if raw.synthetic else "Open Database Licence (ODbL) 1.0",
    )
    return NetworkArrays(**arrays, chains=chains), prov


def _load_cached(
    folder: Path,
) -> tuple[NetworkArrays | None, Provenance | None, Buildings | None]:
    npz, meta = folder / "arrays.npz", folder / "provenance.json"
    bld = folder / "buildings.npz"
    if not (npz.exists() and meta.exists() and bld.exists()):
        return None, None, None
    try:
        with np.load(npz, allow_pickle=False) as data:
            arrays = NetworkArrays.from_dict({k: data[k] for k in data.files})
        with np.load(bld, allow_pickle=False) as data:
            buildings = Buildings(data["lon"], data["lat"], data["home"])
        prov = Provenance(**json.loads(meta.read_text()))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.warning("ignoring a damaged network cache in %s (%s)", folder, exc)
        return None, None, None
    return arrays, prov, buildings


def _save_cached(
    folder: Path, arrays: NetworkArrays, prov: Provenance, buildings: Buildings
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{os.getpid()}-{time.time_ns()}"
    tmp = folder / f".buildings-{stamp}.npz"
    np.savez(tmp, lon=buildings.lon, lat=buildings.lat, home=buildings.home)
    os.replace(tmp, folder / "buildings.npz")
    tmp = folder / f".arrays-{stamp}.npz"
    np.savez(tmp, **arrays.to_dict())
    os.replace(tmp, folder / "arrays.npz")
    (folder / "provenance.json").write_text(json.dumps(asdict(prov), indent=1))


_fallback_cache: list[Path] = []  # a temporary cache, when the cache folder cannot be written


def _cache_root() -> Path:
    """Return the cache folder, or a temporary one (with a warning) when it cannot be written."""
    try:
        root = cache_dir()
        probe = root / f".write-test-{os.getpid()}-{time.time_ns()}"
        probe.touch()
        probe.unlink()
        return root
    except OSError as exc:
        if not _fallback_cache:
            _fallback_cache.append(Path(tempfile.mkdtemp(prefix="carezones-cache-")))
            log.warning(
                "the cache folder cannot be written (%s): networks are prepared in a temporary "
                "folder for this session only. Set CAREZONES_CACHE to a folder you can write to.",
                exc.strerror or type(exc).__name__,
            )
        return _fallback_cache[0]


def clear_cache() -> None:
    """Delete every cached network (and OSRM build).

    The cache folder is ``$CAREZONES_CACHE``, or ``carezones`` in ``$XDG_CACHE_HOME`` or
    ``~/.cache``. Networks already loaded are not affected; the next load prepares its network
    again.

    Examples
    --------
    >>> clear_cache()
    >>> load_network(county.osm_path, engine="builtin").provenance.from_cache
    False
    """
    shutil.rmtree(cache_dir() / "networks", ignore_errors=True)
