"""The OSRM engine: contraction hierarchies through the ``osrm-bindings`` package, in-process.

The bindings ship ``osrm-extract``/``osrm-contract`` and OSRM's car and foot profiles. The
``.osrm`` files are built once per source file and profile into the carezones cache. Queries use
OSRM's table service; its answer is turned into NumPy by streaming the rows into ``np.fromiter``
(reading it element by element in Python would cost several times the query itself).

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
from carezones.speeds import Mode, SpeedModel

FloatArray = npt.NDArray[np.float64]


def available() -> bool:
    """Return whether the OSRM bindings can be imported."""
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
    """Return a key identifying the OSRM build inputs (bindings version, profile, speeds)."""
    from importlib.metadata import version

    walk = f"{speeds.walk_kph!r}" if mode == "walk" else ""
    blob = f"{version('osrm-bindings')}|{mode}|{walk}".encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def build(source: Path, mode: Mode, speeds: SpeedModel, workdir: Path) -> Path:
    """Build (or reuse) the ``.osrm`` files for an OSM file; return the ``.osrm`` base path."""
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
    """Travel-time tables from an OSRM contraction-hierarchy build."""

    name = "osrm"

    def __init__(self, base: Path) -> None:
        import osrm

        self._osrm = osrm
        self._engine = osrm.OSRM(storage_config=str(base), algorithm="CH", use_shared_memory=False)

    def parameters(self, orig_lonlat: FloatArray, dest_lonlat: FloatArray | None = None) -> Any:
        """Build OSRM table parameters (all pairs of one set, or origins to destinations)."""
        pts = orig_lonlat if dest_lonlat is None else np.concatenate([orig_lonlat, dest_lonlat])
        coords = list(zip(pts[:, 0].tolist(), pts[:, 1].tolist(), strict=True))
        kw: dict[str, Any] = {"annotations": ["duration"], "generate_hints": False}
        if dest_lonlat is not None:
            n_o = len(orig_lonlat)
            kw["sources"] = list(range(n_o))
            kw["destinations"] = list(range(n_o, len(pts)))
        return self._osrm.TableParameters(coordinates=coords, **kw)

    def query(self, params: Any) -> Any:
        """Run OSRM's table service (the raw call, answer left as OSRM's object)."""
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
        """
        n_o = len(orig_lonlat)
        n_d = n_o if dest_lonlat is None else len(dest_lonlat)
        res = self.query(self.parameters(orig_lonlat, dest_lonlat))
        seconds = _to_array(res["durations"], n_o, n_d)
        snap_o = np.fromiter((w["distance"] for w in res["sources"]), float, count=n_o)
        snap_d = np.fromiter((w["distance"] for w in res["destinations"]), float, count=n_d)
        return seconds / 60.0, snap_o, snap_d


def _to_array(rows: Any, n: int, m: int) -> FloatArray:
    """Turn OSRM's nested array into an (n, m) float matrix, ``None`` (no route) as ``inf``."""
    out = np.empty((n, m))
    for i, row in enumerate(list(rows)):  # list() fetches the row handles in one C++ call
        out[i] = np.fromiter(row, dtype=float, count=m)
    out[np.isnan(out)] = np.inf  # numpy reads OSRM's null (None) as NaN
    return out
