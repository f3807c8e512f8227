"""Providers' offices: home-care agencies working from the market towns.

Agencies rent offices in towns, more of them in bigger towns. The synthetic county places
``n`` offices in its towns in proportion to their homes (largest remainder, so a town's share
is exact whatever ``n``), each on a building of the town that no client lives in, and gives
every provider a weekly capacity: shares of 1.3 times the county's hours of care, spread as
agencies' sizes are (a lognormal, most between half and twice the mean), rounded to 5 hours.

The offices come from their own random stream (the county's seed and this module's own
number), so adding them changed nothing else the county holds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from carezones.synthetic.geometry import _to_latlon

_PROVIDERS = {"tiny": 4, "small": 8, "medium": 16, "large": 40, "county": 70}
"""Offices of each size by default (the ``county`` size: 70 providers, as Dorset's market)."""

_STREAM = 28  # the offices' own random stream: seed sequence (seed, _STREAM)
_HEADROOM = 1.3  # the providers' capacity together, over the clients' weekly hours
_SIZE_SD = 0.5  # log-sd of the providers' sizes

_Office = tuple[str, float, float, float, str]  # provider id, lat, lon, capacity h/week, town


def _offices(
    seed: int,
    n: int,
    towns: tuple[str, ...],
    homes: list[tuple[float, float, str, str]],
    clients: list[tuple[str, float, float, float, str]],
) -> list[_Office]:
    """Place ``n`` providers' offices in the towns, by their homes; give each a capacity."""
    if n == 0 or not towns:
        return []
    rng = np.random.default_rng([seed, _STREAM])
    taken = {(round(c[1], 7), round(c[2], 7)) for c in clients}
    by_town: dict[str, list[tuple[float, float]]] = {t: [] for t in towns}
    for x, y, place, _ in homes:
        if place in by_town:
            by_town[place].append((x, y))
    size = np.array([len(by_town[t]) for t in towns], dtype=float)
    weight = size / size.sum() if size.sum() else np.full(len(towns), 1 / len(towns))
    quota = np.floor(weight * n).astype(int)
    rest = np.argsort(-(weight * n - quota), kind="stable")[: n - int(quota.sum())]
    quota[rest] += 1
    sites: list[tuple[float, float, str]] = []
    for town, k in zip(towns, quota, strict=True):
        spots = np.array(by_town[town], dtype=float).reshape(-1, 2)
        lat, lon = _to_latlon(spots[:, 0], spots[:, 1])
        free = [i for i in range(len(spots)) if (round(lat[i], 7), round(lon[i], 7)) not in taken]
        if len(free) < k:  # a town of few homes: offices where clients live, then shared
            free = list(range(len(spots)))
        pick = rng.choice(len(free), size=k, replace=len(free) < k)
        sites += [(float(lat[free[i]]), float(lon[free[i]]), town) for i in pick]
    hours = sum(c[3] for c in clients)
    share = rng.lognormal(0.0, _SIZE_SD, len(sites))
    capacity = np.round(_HEADROOM * hours * share / share.sum() / 5.0) * 5.0
    width = len(str(len(sites)))
    return [
        (f"P{k + 1:0{width}d}", la, lo, float(max(capacity[k], 5.0)), town)
        for k, (la, lo, town) in enumerate(sites)
    ]


def _write_offices(path: Path, offices: list[_Office]) -> None:
    lines = ["provider_id,lat,lon,capacity_hours,town\n"]
    lines += [f"{p},{la:.7f},{lo:.7f},{c:.0f},{t}\n" for p, la, lo, c, t in offices]
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("".join(lines))
