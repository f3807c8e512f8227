"""The sizes the synthetic county comes in, and what each size holds.

``tiny`` to ``large`` grow from a single market town to ten; ``county`` is the scale of an
English shire county such as Dorset: 58 by 52 km settled (about 3,000 square kilometres), a dozen
market towns of different sizes, 220 villages and 330 hamlets joined by a close mesh of lanes
(over 4,000 km of drivable road), about half the homes outside the towns, and 1,210 clients
needing 13,800 hours of care a week (the figures of Dorset's market position statement).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

__all__ = ["SIZES"]

SIZES = ("tiny", "small", "medium", "large", "county")
"""The accepted ``size`` values of :func:`make_synthetic_county`."""


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
    n_hamlets: int = 0  # hamlets besides the two beyond the reservoir
    loop_share: float = 0.3  # share of the links not needed to join places up that become lanes
    hours_total: float = 0.0  # weekly hours the clients' file adds up to exactly (0: as drawn)
    town_grids: tuple[int, ...] = ()  # streets each way of each town in turn (else drawn at random)


_SPECS: dict[str, _Spec] = {
    "tiny": _Spec(
        n_towns=1,
        n_villages=3,
        half_w=3_600,
        half_h=3_200,
        town_grid=(7, 7),
        town_sep=0,
        village_gap=2_000,
        n_exits=1,
        n_clients=60,
        res_half_length=2_100,
        res_half_width=350,
        lane_spacing=75,
        farm_every=1_500,
    ),
    "small": _Spec(
        n_towns=2,
        n_villages=10,
        half_w=14_000,
        half_h=12_000,
        town_grid=(9, 11),
        town_sep=11_000,
        village_gap=3_200,
        n_exits=2,
        n_clients=600,
        res_half_length=3_000,
        res_half_width=450,
        lane_spacing=40,
        farm_every=2_500,
    ),
    "medium": _Spec(
        n_towns=4,
        n_villages=32,
        half_w=23_000,
        half_h=19_000,
        town_grid=(11, 13),
        town_sep=13_000,
        village_gap=3_000,
        n_exits=3,
        n_clients=2_000,
        res_half_length=3_500,
        res_half_width=500,
        lane_spacing=50,
        farm_every=2_000,
    ),
    "large": _Spec(
        n_towns=10,
        n_villages=110,
        half_w=40_000,
        half_h=34_000,
        town_grid=(13, 17),
        town_sep=15_000,
        village_gap=2_900,
        n_exits=4,
        n_clients=10_000,
        res_half_length=4_000,
        res_half_width=500,
        lane_spacing=38,
        farm_every=1_500,
    ),
    "county": _Spec(
        n_towns=12,
        n_villages=220,
        half_w=29_000,
        half_h=26_000,
        town_grid=(9, 23),
        town_sep=11_000,
        village_gap=1_700,
        n_exits=5,
        n_clients=1_210,
        res_half_length=3_000,
        res_half_width=450,
        lane_spacing=80,
        farm_every=1_800,
        n_hamlets=330,
        loop_share=0.8,
        hours_total=13_800.0,
        town_grids=(23, 19, 17, 15, 15, 13, 13, 13, 11, 11, 11, 9),
    ),
}


def _scaled_spec(spec: _Spec, n_villages: int) -> _Spec:
    """Grow or shrink the county so that ``n_villages`` keep the usual spacing.

    Hamlets grow or shrink in proportion to the villages, clients with the area and the weekly
    hours total (if fixed) with the clients.
    """
    n_hamlets = round(spec.n_hamlets * n_villages / spec.n_villages)
    k = math.sqrt(
        (n_villages + n_hamlets + 4 * spec.n_towns + 4)
        / (spec.n_villages + spec.n_hamlets + 4 * spec.n_towns + 4)
    )
    n_clients = round(spec.n_clients * k * k)
    return replace(
        spec,
        n_villages=n_villages,
        n_hamlets=n_hamlets,
        half_w=max(spec.half_w * k, 3_000.0),
        half_h=max(spec.half_h * k, 3_000.0),
        town_sep=spec.town_sep * min(k, 1.0),
        n_clients=n_clients,
        hours_total=spec.hours_total * n_clients / spec.n_clients,
    )
