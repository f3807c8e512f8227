"""Clients on buildings: who receives home care where, and for how many hours a week.

:func:`clients_on_buildings` places invented clients on the homes of any OSM file; the
synthetic county samples its own clients the same way and writes them as a CSV.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import CarezonesError
from carezones.io.osm import RESIDENTIAL_BUILDINGS, read_building_centroids
from carezones.synthetic.geometry import FloatArray, _to_latlon

__all__ = ["clients_on_buildings"]

# weekly hours of home care: most people get 3.5-10 h, a minority with high needs 25-40 h
_HOURS_LOW = (7.2, 0.45)  # (median, log-sd) of the usual packages
_HOURS_HIGH = (27.0, 0.30)  # (median, log-sd) of the high-needs packages
_HOURS_P_HIGH = 0.17
_HOURS_CLIP = (1.0, 56.0)
_HOURS_MEAN = 11.4  # Dorset buys about 13,800 hours a week for 1,210 older people


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

    Examples
    --------
    >>> from carezones import clients_on_buildings
    >>> clients = clients_on_buildings(county.osm_path, 5, seed=1)
    >>> clients.columns.tolist(), clients.client_id.tolist()[:2]
    (['client_id', 'lat', 'lon', 'hours_per_week'], ['C00001', 'C00002'])
    >>> clients.hours_per_week.tolist()
    [6.0, 2.5, 9.25, 12.5, 33.25]
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
    lon, lat, home, yes = read_building_centroids(path)
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


def _hours_to_total(hours: FloatArray, total: float) -> FloatArray:
    """Make quarter-hour weekly hours add up to ``total`` (rounded to a quarter of an hour).

    Deterministic: scale every value by ``total / sum``, round to a quarter of an hour and clip
    to [1, 56]; then add or take the quarters still missing or over one at a time to or from
    the largest packages (the ones a quarter changes least), in order of size.
    """
    lo, hi = _HOURS_CLIP
    target = round(total * 4.0)
    if len(hours) == 0 or not lo * len(hours) * 4 <= target <= hi * len(hours) * 4:
        raise ValueError(f"{len(hours)} clients cannot need {total:g} hours a week between them")
    quarters = np.clip(np.round(hours * (total / float(hours.sum())) * 4.0), lo * 4, hi * 4)
    order = np.argsort(-quarters, kind="stable")
    while (diff := target - int(quarters.sum())) != 0:
        step = 1 if diff > 0 else -1
        room = order[(quarters[order] + step >= lo * 4) & (quarters[order] + step <= hi * 4)]
        quarters[room[: abs(diff)]] += step
    return np.asarray(quarters / 4.0, dtype=np.float64)


def _clients(
    rng: np.random.Generator,
    homes: list[tuple[float, float, str, str]],
    n: int,
    hours_total: float = 0.0,
) -> list[tuple[str, float, float, float, str]]:
    """Sample ``n`` clients on homes: (client id, lat, lon, weekly hours, settlement).

    With ``hours_total`` (above 0) the weekly hours are drawn with the mean
    ``hours_total / n`` and then made to add up to ``hours_total`` exactly
    (see :func:`_hours_to_total`).
    """
    pool = [h for h in homes if h[3] in RESIDENTIAL_BUILDINGS or h[3] == "yes"]
    pick = _sample_rows(rng, len(pool), n if pool else 0)
    if hours_total > 0 and len(pick):
        hours = _hours_to_total(_weekly_hours(rng, len(pick), hours_total / len(pick)), hours_total)
    else:
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


def _write_clients(path: Path, clients: list[tuple[str, float, float, float, str]]) -> None:
    lines = ["client_id,lat,lon,hours_per_week,town\n"]
    lines += [f"{c},{la:.7f},{lo:.7f},{h:.2f},{t}\n" for c, la, lo, h, t in clients]
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))
