"""A synthetic visit log with known truth: carers' days of visits over the synthetic county.

:func:`visit_log` simulates what electronic call monitoring records: each carer's visits on
each date, with the time they arrived and left. The journeys between visits take the time a
stated *true* travel profile gives (multiplier × the network's model minutes + overhead, per
urban and rural leg), plus normal noise, and a share of the gaps carries a wait (exponential).
Calibration (:func:`carezones.calibration.calibrate`) should recover the truth from it.
Everything is SYNTHETIC DATA, and the same inputs and seed always give the same log.

Each carer has a patch: the clients nearest (by road) to one of them, the patches' centres
spread over the county by k-means. On each date each carer visits a few clients of the patch
in a random order (rounds follow the clients' times, not the shortest way round), starting
between 07:00 and 08:00.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

if TYPE_CHECKING:
    from carezones.network import RoadNetwork, TravelProfile
    from carezones.synthetic.county import SyntheticCounty

__all__ = ["LogOptions", "visit_log"]


class _HasClients(Protocol):
    """A synthetic county, or an example area of :mod:`carezones.datasets`: its clients file."""

    @property
    def clients_path(self) -> Path: ...


@dataclass(frozen=True)
class LogOptions:
    """What a synthetic visit log holds, and the noise and waits on its journeys.

    Parameters
    ----------
    days : int, default 20
        Dates simulated, one after another from ``start_date``.
    carers : int, optional
        Carers working every date (default: one per 8 clients, at least 2).
    visits : tuple of int, default (5, 9)
        The fewest and most visits of a carer's date (drawn evenly).
    patch : int, default 60
        Clients in each carer's patch.
    noise_minutes : float, default 1.0
        Standard deviation of the normal noise on each journey.
    wait_share : float, default 1/3
        Share of the gaps that carry a wait.
    mean_wait_minutes : float, default 12.0
        Mean of a wait (exponential).
    seed : int, default 0
        The random seed.
    start_date : str, default "2025-01-06"
        The first date.

    Examples
    --------
    >>> from carezones.synthetic import LogOptions
    >>> LogOptions(days=5).wait_share
    0.3333333333333333
    """

    days: int = 20
    carers: int | None = None
    visits: tuple[int, int] = (5, 9)
    patch: int = 60
    noise_minutes: float = 1.0
    wait_share: float = 1 / 3
    mean_wait_minutes: float = 12.0
    seed: int = 0
    start_date: str = "2025-01-06"


def visit_log(
    county: SyntheticCounty | _HasClients,
    network: RoadNetwork,
    truth: TravelProfile,
    options: LogOptions | None = None,
) -> pd.DataFrame:
    """Return a synthetic visit log whose journeys follow a known travel profile.

    Parameters
    ----------
    county : SyntheticCounty or carezones.datasets.ExampleArea
        The county or area (its clients file, ``client_id, lat, lon``, gives the places
        visited).
    network : RoadNetwork
        Its drive network (the model's minutes).
    truth : TravelProfile
        The true journey times: multiplier × model + overhead per class (the profile's rule
        classes the legs).
    options : LogOptions, optional
        Dates, carers, visits per date, noise, waits and seed.

    Returns
    -------
    pandas.DataFrame
        One row per visit, in order of carer, date and arrival: ``carer_id``, ``date``
        (``YYYY-MM-DD``), ``client_id``, ``lat``, ``lon``, ``arrived`` and ``left``
        (ISO date-times to the second), and ``waited_minutes`` (the wait before the visit,
        the truth calibration does not see; 0 for a carer's first visit of a date).

    Examples
    --------
    >>> from carezones.network import ClassTimes, DensityRule, TravelProfile
    >>> from carezones.synthetic import LogOptions, visit_log
    >>> truth = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5),
    ...                       rule=DensityRule(1000, 10))
    >>> log = visit_log(county, net, truth, LogOptions(days=2, seed=1))
    >>> log.columns.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ['carer_id', 'date', 'client_id', 'lat', 'lon', 'arrived', 'left', 'waited_minutes']
    >>> log["date"].unique().tolist(), log["carer_id"].nunique()
    (['2025-01-06', '2025-01-07'], 7)
    """
    opts = options or LogOptions()
    rng = np.random.default_rng(opts.seed)
    clients = pd.read_csv(county.clients_path, dtype={"client_id": str})
    lonlat = clients[["lon", "lat"]].to_numpy(dtype=float)
    true = network.with_profile(truth).travel_times(lonlat, engine="builtin")
    n_carers = opts.carers if opts.carers is not None else max(2, len(clients) // 8)
    patches = _patches(network, lonlat, true, n_carers, min(opts.patch, len(clients)), opts.seed)
    lo, hi = opts.visits
    first = dt.date.fromisoformat(opts.start_date)
    rows: list[tuple[str, str, int, float, float, float]] = []
    for day in range(opts.days):
        date = (first + dt.timedelta(days=day)).isoformat()
        for k, patch in enumerate(patches):
            n = min(len(patch), int(rng.integers(lo, hi + 1)))
            order = [int(c) for c in rng.choice(patch, size=n, replace=False)]
            clock = 7 * 60 + float(rng.uniform(0, 60))
            waited = 0.0
            for pos, c in enumerate(order):
                if pos:
                    journey = true[order[pos - 1], c] + rng.normal(0, opts.noise_minutes)
                    waited = (
                        float(rng.exponential(opts.mean_wait_minutes))
                        if rng.random() < opts.wait_share
                        else 0.0
                    )
                    clock += max(float(journey), 0.0) + waited
                stay = max(5.0, float(rng.choice([15, 30, 30, 45, 60]) + rng.normal(0, 2)))
                rows.append((f"K{k + 1:03d}", date, int(c), clock, clock + stay, waited))
                clock += stay
    carer, date_col, client, arrive, leave, wait = zip(*rows, strict=True)
    idx = np.asarray(client, dtype=np.int64)
    return pd.DataFrame(
        {
            "carer_id": carer,
            "date": date_col,
            "client_id": clients["client_id"].to_numpy()[idx],
            "lat": clients["lat"].to_numpy()[idx],
            "lon": clients["lon"].to_numpy()[idx],
            "arrived": [_stamp(d, m) for d, m in zip(date_col, arrive, strict=True)],
            "left": [_stamp(d, m) for d, m in zip(date_col, leave, strict=True)],
            "waited_minutes": np.round(np.asarray(wait, dtype=float), 3),
        }
    )


def _patches(
    network: RoadNetwork,
    lonlat: npt.NDArray[np.float64],
    true: npt.NDArray[np.float64],
    n_carers: int,
    size: int,
    seed: int,
) -> list[npt.NDArray[np.int64]]:
    """Return each carer's patch: the ``size`` clients nearest by road to its centre client."""
    from sklearn.cluster import KMeans

    x, y = network.to_metric(lonlat[:, 0], lonlat[:, 1])
    xy = np.column_stack([x, y])
    k = min(n_carers, len(xy))
    centres = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(xy).cluster_centers_
    out = []
    for cx, cy in centres:
        base = int(np.argmin((xy[:, 0] - cx) ** 2 + (xy[:, 1] - cy) ** 2))
        near = np.argsort(true[base], kind="stable")
        near = near[np.isfinite(true[base, near])]
        out.append(near[:size].astype(np.int64))
    while len(out) < n_carers:  # more carers than clients: patches repeat
        out.append(out[len(out) % k])
    return out


def _stamp(date: str, minutes: float) -> str:
    """Return an ISO date-time of ``minutes`` after the date's midnight, to the second."""
    moment = dt.datetime.fromisoformat(date) + dt.timedelta(seconds=round(minutes * 60))
    return moment.isoformat()
