"""The OSRM engine: contraction hierarchies through the ``osrm-bindings`` package, in-process.

The bindings ship ``osrm-extract``/``osrm-contract`` and OSRM's car and foot profiles. The
``.osrm`` files are built once per source file and profile into the carezones cache. Queries use
OSRM's table service; its answer is turned into NumPy by streaming the rows into ``np.fromiter``
(about 0.7 times the query itself; reading it element by element in Python would cost about 20
times, ``docs/performance.md``).

OSRM uses its own profiles (car: OSRM's speeds by road class, 80% of ``maxspeed``, turn
penalties; foot: the walking speed of the carezones speed model, patched into OSRM's foot
profile), so its times differ somewhat from the built-in engine's; ``benchmarks/travel_times.py``
measures by how much.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from carezones.errors import NetworkError
from carezones.network.speeds import Mode, SpeedModel

FloatArray = npt.NDArray[np.float64]


def available() -> bool:
    """Return whether the OSRM bindings can be imported.

    Returns
    -------
    bool
        ``True`` when ``osrm-bindings`` is installed (it is a dependency of carezones).

    Examples
    --------
    >>> available()
    True
    """
    try:
        import osrm  # noqa: F401
    except ImportError:
        return False
    return True


def _package_dir() -> Path:
    import osrm

    return Path(osrm.__file__).parent


def _profile(mode: Mode, speeds: SpeedModel, workdir: Path) -> Path:
    """Write the OSRM profile for the mode into ``workdir`` and return its path."""
    src = _package_dir() / "share" / "profiles"
    dst = workdir / "profiles"
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src / "lib", dst / "lib")
    if mode == "drive":
        text = (src / "car.lua").read_text()
        path = dst / "car.lua"
    else:
        text = (src / "foot.lua").read_text()
        patched = text.replace(
            "local walking_speed = 5\n", f"local walking_speed = {speeds.walk_kph!r}\n"
        )
        if patched == text:
            raise NetworkError("OSRM's foot profile changed: cannot set the walking speed")
        text = patched
        path = dst / "foot.lua"
    path.write_text(text)
    return path


def profile_key(mode: Mode, speeds: SpeedModel) -> str:
    """Return a key identifying the OSRM build inputs (bindings version, profile, speeds).

    Parameters
    ----------
    mode : {"drive", "walk"}
        The profile: OSRM's car profile, or its foot profile.
    speeds : SpeedModel
        The speed model (its walking speed is patched into the foot profile).

    Returns
    -------
    str
        Twelve hex digits, the name of the build's folder in the cache.

    Examples
    --------
    >>> from carezones.network.speeds import SpeedModel
    >>> len(profile_key("drive", SpeedModel()))
    12
    >>> profile_key("walk", SpeedModel()) == profile_key("walk", SpeedModel(walk_kph=4.8))
    False
    """
    from importlib.metadata import version

    walk = f"{speeds.walk_kph!r}" if mode == "walk" else ""
    blob = f"{version('osrm-bindings')}|{mode}|{walk}".encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def build(source: Path, mode: Mode, speeds: SpeedModel, workdir: Path) -> Path:
    """Build (or reuse) the ``.osrm`` files for an OSM file; return the ``.osrm`` base path.

    Runs the bindings' ``osrm-extract`` and ``osrm-contract`` in ``workdir``, once: a finished
    build is marked and reused.

    Parameters
    ----------
    source : pathlib.Path
        The OSM file (``.osm.pbf``, ``.osm``, ``.osm.bz2``).
    mode : {"drive", "walk"}
        OSRM's car profile, or its foot profile at the speed model's walking speed.
    speeds : SpeedModel
        The speed model.
    workdir : pathlib.Path
        The build's folder (created when missing).

    Returns
    -------
    pathlib.Path
        ``workdir / "network.osrm"``, what :class:`OsrmEngine` opens.

    Raises
    ------
    NetworkError
        When ``osrm-extract`` or ``osrm-contract`` fails (the message ends with its output).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from carezones.network.speeds import SpeedModel
    >>> base = build(county.osm_path, "drive", SpeedModel(), Path(tempfile.mkdtemp()))
    >>> base.name, (base.parent / "BUILT").exists()
    ('network.osrm', True)
    """
    base = workdir / "network.osrm"
    done = workdir / "BUILT"
    if done.exists():
        return base
    workdir.mkdir(parents=True, exist_ok=True)
    profile = _profile(mode, speeds, workdir)
    suffix = "".join(source.suffixes[-2:]) if source.name.endswith(".osm.pbf") else source.suffix
    if source.name.endswith((".osm.bz2", ".osm.gz")):
        suffix = "".join(source.suffixes[-2:])
    data = workdir / f"network{suffix}"
    if data.exists() or data.is_symlink():
        data.unlink()
    data.symlink_to(source.resolve())
    bin_dir = _package_dir() / "bin"
    for cmd in (
        [str(bin_dir / "osrm-extract"), "-p", str(profile), str(data)],
        [str(bin_dir / "osrm-contract"), str(base)],
    ):
        run = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, check=False)
        if run.returncode != 0:
            tail = "\n".join(run.stderr.strip().splitlines()[-5:] or run.stdout.splitlines()[-5:])
            raise NetworkError(f"OSRM build failed ({Path(cmd[0]).name}): {tail}")
    done.write_text("ok\n")
    return base


class OsrmEngine:
    """Travel-time tables from an OSRM contraction-hierarchy build.

    Parameters
    ----------
    base : pathlib.Path
        The ``.osrm`` base path of a build (from :func:`build`).

    Attributes
    ----------
    name : str
        ``"osrm"``.

    Examples
    --------
    A network loaded with ``engine="osrm"`` opens its engine on first use:

    >>> from carezones import load_network
    >>> engine = load_network(county.osm_path, engine="osrm").osrm_engine()
    >>> engine.name
    'osrm'
    """

    name = "osrm"

    def __init__(self, base: Path) -> None:
        import osrm

        self._osrm = osrm
        self._engine = osrm.OSRM(storage_config=str(base), algorithm="CH", use_shared_memory=False)

    def parameters(self, orig_lonlat: FloatArray, dest_lonlat: FloatArray | None = None) -> Any:
        """Build OSRM table parameters (all pairs of one set, or origins to destinations).

        Parameters
        ----------
        orig_lonlat : numpy.ndarray
            ``(n, 2)`` origin longitudes and latitudes.
        dest_lonlat : numpy.ndarray, optional
            ``(m, 2)`` destinations; without them, origins to origins.

        Returns
        -------
        osrm.TableParameters
            Durations only, no hints.

        Examples
        --------
        >>> import numpy as np
        >>> from carezones import load_network
        >>> engine = load_network(county.osm_path, engine="osrm").osrm_engine()
        >>> params = engine.parameters(np.array([(1.5941, 54.3893), (1.5572, 54.3881)]))
        >>> type(params).__name__
        'TableParameters'
        """
        pts = orig_lonlat if dest_lonlat is None else np.concatenate([orig_lonlat, dest_lonlat])
        coords = list(zip(pts[:, 0].tolist(), pts[:, 1].tolist(), strict=True))
        kw: dict[str, Any] = {"annotations": ["duration"], "generate_hints": False}
        if dest_lonlat is not None:
            n_o = len(orig_lonlat)
            kw["sources"] = list(range(n_o))
            kw["destinations"] = list(range(n_o, len(pts)))
        return self._osrm.TableParameters(coordinates=coords, **kw)

    def query(self, params: Any) -> Any:
        """Run OSRM's table service (the raw call, answer left as OSRM's object).

        Parameters
        ----------
        params : osrm.TableParameters
            From :meth:`parameters`.

        Returns
        -------
        osrm.Object
            OSRM's answer: ``durations`` in seconds, ``sources`` and ``destinations``.

        Raises
        ------
        NetworkError
            When OSRM refuses the query.

        Examples
        --------
        >>> import numpy as np
        >>> from carezones import load_network
        >>> engine = load_network(county.osm_path, engine="osrm").osrm_engine()
        >>> points = np.array([(1.5941, 54.3893), (1.5572, 54.3881)])
        >>> answer = engine.query(engine.parameters(points))
        >>> answer["code"], len(answer["durations"])
        ('Ok', 2)
        """
        try:
            return self._engine.Table(params)
        except RuntimeError as exc:
            raise NetworkError(f"OSRM table query failed: {exc}") from exc

    def table(
        self, orig_lonlat: FloatArray, dest_lonlat: FloatArray | None = None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return (minutes matrix, origin snap metres, destination snap metres).

        Without ``dest_lonlat`` the table is origins to origins (OSRM then snaps each point
        once). Unreachable pairs are ``inf``. Snap metres are OSRM's own distances from each
        coordinate to the road it snapped to.

        Parameters
        ----------
        orig_lonlat : numpy.ndarray
            ``(n, 2)`` origin longitudes and latitudes.
        dest_lonlat : numpy.ndarray, optional
            ``(m, 2)`` destinations; without them, origins to origins.

        Returns
        -------
        minutes : numpy.ndarray
            ``(n, m)`` road minutes, without access legs.
        origin_snap_m : numpy.ndarray
            Metres from each origin to where OSRM put it on the road.
        destination_snap_m : numpy.ndarray
            Metres from each destination to where OSRM put it on the road.

        Raises
        ------
        NetworkError
            When OSRM refuses the query.

        Examples
        --------
        >>> import numpy as np
        >>> from carezones import load_network
        >>> engine = load_network(county.osm_path, engine="osrm").osrm_engine()
        >>> minutes, snap_o, snap_d = engine.table(np.array([(1.5941, 54.3893),
        ...                                                  (1.5572, 54.3881)]))
        >>> minutes.round(1), snap_o.round()
        (array([[0. , 4.1],
               [4.1, 0. ]]), array([10., 18.]))
        """
        n_o = len(orig_lonlat)
        n_d = n_o if dest_lonlat is None else len(dest_lonlat)
        res = self.query(self.parameters(orig_lonlat, dest_lonlat))
        seconds = _to_array(res["durations"], n_o, n_d)
        snap_o = np.fromiter((w["distance"] for w in res["sources"]), float, count=n_o)
        snap_d = np.fromiter((w["distance"] for w in res["destinations"]), float, count=n_d)
        return seconds / 60.0, snap_o, snap_d


def table_with_access(
    engine: OsrmEngine,
    orig_lonlat: FloatArray,
    dest_lonlat: FloatArray | None,
    access_kph: float,
    max_snap_m: float,
) -> FloatArray:
    """Return OSRM's minutes plus access legs; points snapped farther than ``max_snap_m`` get inf.

    Parameters
    ----------
    engine : OsrmEngine
        The engine.
    orig_lonlat : numpy.ndarray
        ``(n, 2)`` origin longitudes and latitudes.
    dest_lonlat : numpy.ndarray or None
        ``(m, 2)`` destinations; ``None``: origins to origins.
    access_kph : float
        Speed of the access legs (from each point to where OSRM put it on the road).
    max_snap_m : float
        Points OSRM put farther than this from the road are not routed.

    Returns
    -------
    numpy.ndarray
        ``(n, m)`` minutes, access legs included.

    Examples
    --------
    >>> import numpy as np
    >>> from carezones import load_network
    >>> engine = load_network(county.osm_path, engine="osrm").osrm_engine()
    >>> points = np.array([(1.5941, 54.3893), (1.5572, 54.3881)])
    >>> table_with_access(engine, points, None, 10.0, 15.0).round(1)
    array([[0.1, inf],
           [inf, inf]])
    """
    minutes, snap_o, snap_d = engine.table(orig_lonlat, dest_lonlat)
    per_m = 1.0 / (access_kph * 1000.0 / 60.0)
    minutes += (snap_o * per_m)[:, None] + (snap_d * per_m)[None, :]
    minutes[snap_o > max_snap_m, :] = np.inf
    minutes[:, snap_d > max_snap_m] = np.inf
    return minutes


def _to_array(rows: Any, n: int, m: int) -> FloatArray:
    """Turn OSRM's nested array into an (n, m) float matrix, ``None`` (no route) as ``inf``."""
    out = np.empty((n, m))
    for i, row in enumerate(list(rows)):  # list() fetches the row handles in one C++ call
        out[i] = np.fromiter(row, dtype=float, count=m)
    out[np.isnan(out)] = np.inf  # numpy reads OSRM's null (None) as NaN
    return out
