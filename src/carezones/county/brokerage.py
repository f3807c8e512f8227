"""A realistic "today" when the real allocation is not known: clients brokered to providers.

Whether zoning saves travel depends on how scattered today's providers' clients are. When a
council cannot say which provider serves whom, :func:`allocate_providers` makes today's
allocation by a stated brokerage model, from the providers' offices (and, when known, each
one's weekly capacity):

1. Referrals arrive in a random order (drawn from the seed).
2. Each referral is offered to the providers in order of road time from their office to the
   client (network drive time, office to client, one batched matrix of
   :meth:`~carezones.RoadNetwork.travel_times`).
3. A provider accepts with a probability that falls with that time, ``exp(-t / decay)``
   (``t`` and ``decay`` in minutes): by default 20 minutes, so a provider accepts a client
   5 minutes away 78% of the time, 20 minutes away 37%, 45 minutes away 11%. A provider
   without the capacity left for the client's weekly hours declines.
4. When nobody accepts after every offer, the referral goes to the nearest provider with
   capacity left (brokerage teams place a package somewhere); when no provider has capacity
   left (or none reaches the client by road), the client is left out, with the reason.

Every client is allocated or in :attr:`Allocation.left_out`. This is the ``gravity`` model;
``nearest`` (always the nearest provider with capacity left) and ``random`` (any provider
with capacity left, at random, as if distance did not matter) bound it: travel under the real
allocation is likely between them, and comparing zones with "today" under all three gives the
saving as a range rather than one number resting on one assumption.

A real allocation (the clients' own provider column) always wins over a model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.county.plan import Design
from carezones.errors import ArgumentError, check_integer, check_number

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io._cells import PathLike
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "DECAY_MINUTES",
    "MODELS",
    "Allocation",
    "BrokerageOptions",
    "LeftOut",
    "allocate_providers",
    "office_minutes",
]

MODELS = ("nearest", "gravity", "random")
"""The brokerage models: the nearest provider, acceptance falling with time, or at random."""

DECAY_MINUTES = 20.0
"""The default decay of the gravity model, in minutes: ``p = exp(-t / 20)``.

A provider then takes a client 5 minutes from its office 78% of the time, 20 minutes away 37%
and 45 minutes away 11%: most packages go to one of the nearest few offices, some farther, as
brokerage teams describe. It is an assumption, stated in every report; give your own with
``decay_minutes`` (``--brokerage-decay``).
"""

LEFT_OUT_COLUMNS = ["client_id", "hours_per_week", "cause", "reason"]


class LeftOut(StrEnum):
    """Why a client was left out of an allocation."""

    NO_ROAD = "no_road"
    """No provider's office reaches the client by road."""
    NO_CAPACITY = "no_capacity"
    """Every provider that reaches the client is full."""


@dataclass(frozen=True)
class BrokerageOptions:
    """How :func:`allocate_providers` brokers clients to providers.

    Parameters
    ----------
    model : {"gravity", "nearest", "random"}, default "gravity"
        ``gravity``: referrals offered in order of road time, accepted with probability
        ``exp(-t / decay_minutes)``; ``nearest``: always the nearest provider with capacity
        left; ``random``: any provider with capacity left, at random.
    decay_minutes : float, default 20
        The gravity model's decay (:data:`DECAY_MINUTES`); the other models ignore it.
    seed : int, default 0
        Seed of the referrals' order and of every acceptance (and of the random model's
        choices): the same seed gives the same allocation.

    Raises
    ------
    ArgumentError
        When a value is not one it can take.

    Examples
    --------
    >>> BrokerageOptions().describe()
    'gravity brokerage (decay 20 min, seed 0)'
    >>> BrokerageOptions(model="closest")
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: model must be one of nearest, gravity, random, not 'closest'
    """

    model: str = "gravity"
    decay_minutes: float = DECAY_MINUTES
    seed: int = 0

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ArgumentError(
                f"model must be one of {', '.join(MODELS)}, not {self.model!r}",
                argument="model",
                value=self.model,
                allowed=", ".join(MODELS),
            )
        decay = check_number("decay_minutes", self.decay_minutes, minimum=0, above=True)
        object.__setattr__(self, "decay_minutes", decay)
        object.__setattr__(self, "seed", check_integer("seed", self.seed, minimum=0))

    def describe(self) -> str:
        """Return the model in words, e.g. ``gravity brokerage (decay 20 min, seed 0)``.

        Returns
        -------
        str
            The model, its decay (gravity) and its seed.

        Examples
        --------
        >>> BrokerageOptions(model="nearest", seed=3).describe()
        'nearest brokerage (seed 3)'
        """
        decay = f"decay {self.decay_minutes:g} min, " if self.model == "gravity" else ""
        return f"{self.model} brokerage ({decay}seed {self.seed})"


@dataclass(frozen=True)
class Allocation:
    """Today's allocation made by a brokerage model: what :func:`allocate_providers` returns.

    Parameters
    ----------
    provider : pandas.Series
        Client id (text) -> provider id (text), for every allocated client.
    minutes : pandas.Series
        Client id -> road minutes from its provider's office to the client.
    placed : pandas.Series
        Client id -> how it was placed: ``"accepted"`` (a provider took the offer) or
        ``"fallback"`` (nobody accepted: the nearest provider with capacity left).
    providers : pandas.DataFrame
        One row per provider: ``provider_id``, ``clients``, ``hours_per_week``,
        ``capacity_hours`` (NaN: no limit stated), ``mean_minutes`` and ``max_minutes`` (office
        to its clients), and the office's ``lon``/``lat``.
    left_out : pandas.DataFrame
        ``client_id, hours_per_week, cause, reason`` of every client no provider could take
        (:class:`LeftOut`).
    options : BrokerageOptions
        The model that made it.
    source : str, optional
        Where the offices came from (e.g. ``providers.csv``), for :meth:`describe`.
    seconds : dict, optional
        ``travel_s`` (the office-to-client matrix) and ``allocation_s``.
    network : RoadNetwork, optional
        The network the times were measured on (for :meth:`to_map`).

    Examples
    --------
    The examples below use ``allocation``: the tiny county's clients brokered to four offices
    in its town by the gravity model (:func:`allocate_providers`).

    >>> allocation.provider.value_counts().sort_index().to_dict()
    {'P1': 10, 'P2': 15, 'P3': 23, 'P4': 12}
    """

    provider: pd.Series
    minutes: pd.Series
    placed: pd.Series
    providers: pd.DataFrame
    left_out: pd.DataFrame
    options: BrokerageOptions
    source: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    network: RoadNetwork | None = field(default=None, repr=False)

    @property
    def kpis(self) -> dict[str, Any]:
        """The allocation's numbers: clients allocated and left out, office-to-client minutes.

        Examples
        --------
        >>> k = allocation.kpis
        >>> k["model"], k["clients_allocated"], k["clients_left_out"], k["providers_used"]
        ('gravity', 60, 0, 4)
        """
        m = self.minutes.to_numpy(dtype=float)
        o = self.options
        return {
            "model": o.model,
            "decay_minutes": o.decay_minutes if o.model == "gravity" else None,
            "seed": o.seed,
            "providers": len(self.providers),
            "providers_used": int((self.providers["clients"] > 0).sum()),
            "clients": len(self.provider) + len(self.left_out),
            "clients_allocated": len(self.provider),
            "clients_left_out": len(self.left_out),
            "clients_fallback": int((self.placed == "fallback").sum()),
            "hours_per_week": float(self.providers["hours_per_week"].sum()),
            "mean_minutes": float(m.mean()) if len(m) else 0.0,
            "median_minutes": float(np.median(m)) if len(m) else 0.0,
            "max_minutes": float(m.max()) if len(m) else 0.0,
            **self.seconds,
        }

    def describe(self) -> str:
        """Return how the allocation was made, in words (the report's note on "today").

        Returns
        -------
        str
            The model, its decay and seed, the number of offices and where they came from.

        Examples
        --------
        >>> allocation.describe()
        "gravity brokerage (decay 20 min, seed 0) over 4 providers' offices from offices.csv"
        """
        where = f" from {self.source}" if self.source else ""
        return f"{self.options.describe()} over {len(self.providers)} providers' offices{where}"

    def summary(self) -> str:
        """Return a few readable lines about the allocation.

        Returns
        -------
        str
            The model, clients allocated and left out, and office-to-client minutes.

        Examples
        --------
        >>> print(allocation.summary())  # doctest: +NORMALIZE_WHITESPACE
        today: gravity brokerage (decay 20 min, seed 0) over 4 providers' offices from
        offices.csv
        60 clients allocated to 4 providers (1 by the fallback: nobody accepted), 0 left out
        office to client: mean 2.1 min, median 1.0, max 8.8
        """
        k = self.kpis
        lines = [
            f"today: {self.describe()}",
            f"{k['clients_allocated']:,} clients allocated to {k['providers_used']} providers "
            f"({k['clients_fallback']} by the fallback: nobody accepted), "
            f"{k['clients_left_out']} left out",
            f"office to client: mean {k['mean_minutes']:.1f} min, median "
            f"{k['median_minutes']:.1f}, max {k['max_minutes']:.1f}",
        ]
        return "\n".join(lines)

    def design(self, name: str = "today") -> Design:
        """Return the allocation as a design to compare (a provider per client).

        Parameters
        ----------
        name : str, default "today"
            The design's name.

        Returns
        -------
        Design
            ``kind="providers"``; left-out clients are the design's unplanned clients, and its
            note is :meth:`describe` (the report and ``designs.csv`` say which model made it).

        Examples
        --------
        >>> design = allocation.design("today-gravity")
        >>> design.kind, design.group.nunique(), design.note.split(" (")[0]
        ('providers', 4, 'gravity brokerage')
        """
        unplanned = pd.DataFrame(
            {
                "client_id": self.left_out["client_id"].astype(str),
                "reason": "left out by the brokerage: " + self.left_out["reason"].astype(str),
            }
        )
        return Design(
            name, "providers", self.provider.astype(str), None, unplanned, self.describe()
        )

    def _repr_html_(self) -> str:
        from carezones.report.brokerage import allocation_card

        return allocation_card(self)

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Draw the providers' offices, each with its clients, hours and minutes (5+ clients).

        Parameters
        ----------
        offline : bool, default True
            Embed Leaflet in the page, so that it works without the internet.

        Returns
        -------
        folium.Map
            The map (no client's location: offices only).

        Examples
        --------
        >>> type(allocation.to_map()).__name__
        'Map'
        """
        from carezones.report.brokerage import allocation_map

        return allocation_map(self, offline=offline)

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
        """Write the allocation's files: providers, clients left out, its numbers, a map.

        ``providers.csv`` (providers of fewer than five clients without numbers),
        ``left-out.csv``, ``summary.json`` and ``map.html``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (replaced whole or not at all).
        offline : bool, default True
            Embed Leaflet in the map.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> [p.name for p in allocation.to_files(tempfile.mkdtemp())]
        ['providers.csv', 'left-out.csv', 'summary.json', 'map.html']
        """
        from carezones.report.brokerage import write_allocation

        return write_allocation(self, out_dir, offline=offline)


def office_minutes(
    clients: gpd.GeoDataFrame, providers: gpd.GeoDataFrame, network: RoadNetwork
) -> FloatArray:
    """Return the road minutes from every provider's office to every client (one matrix).

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    providers : geopandas.GeoDataFrame
        From :func:`carezones.io.read_providers` (the offices).
    network : RoadNetwork
        The drive network (its travel profile, if any, applies).

    Returns
    -------
    numpy.ndarray
        ``(providers, clients)`` minutes; ``inf`` where no road joins them.

    Examples
    --------
    >>> office_minutes(clients, offices, net).shape
    (4, 60)
    """
    return np.asarray(network.travel_times(providers.geometry, clients.geometry), dtype=float)


def allocate_providers(
    clients: gpd.GeoDataFrame,
    providers: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    options: BrokerageOptions | None = None,
    minutes: FloatArray | None = None,
    source: str = "",
) -> Allocation:
    """Allocate clients to providers by a brokerage model (see the module's notes).

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients` (``client_id``, ``hours_per_week``).
    providers : geopandas.GeoDataFrame
        The offices, from :func:`carezones.io.read_providers` (``provider_id``, a point each,
        optionally ``capacity_hours``: weekly hours; NaN or no column: no limit).
    network : RoadNetwork
        The drive network.
    options : BrokerageOptions, optional
        The model, its decay and seed (default: gravity, 20 minutes, seed 0).
    minutes : numpy.ndarray, optional
        The ``(providers, clients)`` matrix of :func:`office_minutes`, when already measured
        (several models on the same offices measure it once).
    source : str, optional
        Where the offices came from, for the allocation's description.

    Returns
    -------
    Allocation
        Every client's provider (or why it was left out), and each provider's load.

    Raises
    ------
    ArgumentError
        When there are no providers, a provider id repeats, a table lacks its column
        (``hours_per_week``, ``provider_id``), the options are not :class:`BrokerageOptions`,
        or ``minutes`` is not of the providers' and clients' shape.

    Examples
    --------
    >>> from carezones.county import BrokerageOptions, allocate_providers
    >>> near = allocate_providers(clients, offices, net,
    ...                           options=BrokerageOptions(model="nearest"))
    >>> near.kpis["mean_minutes"] < allocation.kpis["mean_minutes"]
    True
    """
    opts = BrokerageOptions() if options is None else options
    if not isinstance(opts, BrokerageOptions):
        raise ArgumentError(f"options must be a BrokerageOptions, not {type(opts).__name__}")
    if len(providers) == 0:
        raise ArgumentError("no providers to allocate the clients to: give at least one office")
    for frame, column, reader in (
        (clients, "hours_per_week", "read_clients"),
        (providers, "provider_id", "read_providers"),
    ):
        if column not in frame.columns:
            raise ArgumentError(f"no {column!r} column: read the table with carezones.{reader}")
    twice = providers["provider_id"].astype(str)
    if twice.duplicated().any():
        raise ArgumentError(
            f"provider ids must be unique; repeated: {sorted(set(twice[twice.duplicated()]))[:5]}"
        )
    t0 = time.perf_counter()
    times = office_minutes(clients, providers, network) if minutes is None else minutes
    times = np.asarray(times, dtype=float)
    if times.shape != (len(providers), len(clients)):
        raise ArgumentError(
            f"minutes must be a (providers, clients) matrix of shape "
            f"{(len(providers), len(clients))}, not {times.shape}"
        )
    travel_s = time.perf_counter() - t0 if minutes is None else 0.0
    t0 = time.perf_counter()
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    if "capacity_hours" in providers.columns:
        cap = providers["capacity_hours"].to_numpy(dtype=float)
    else:
        cap = np.full(len(providers), np.nan)
    capacity = np.where(np.isnan(cap), np.inf, cap)
    chosen, how = _broker(times.T, hours, capacity, opts)
    ids = clients["client_id"].astype(str).to_numpy()
    pids = providers["provider_id"].astype(str).to_numpy()
    got = chosen >= 0
    idx = pd.Index(ids[got], name="client_id")
    minutes_of = times[chosen[got], np.flatnonzero(got)]
    allocation_s = time.perf_counter() - t0
    return Allocation(
        provider=pd.Series(pids[chosen[got]], index=idx, name="provider_id"),
        minutes=pd.Series(minutes_of, index=idx, name="minutes"),
        placed=pd.Series(np.where(how[got] == 2, "fallback", "accepted"), index=idx, name="placed"),
        providers=_provider_table(pids, cap, chosen, hours, times).assign(
            lon=providers.geometry.x.to_numpy(), lat=providers.geometry.y.to_numpy()
        ),
        left_out=_left_out(ids, hours, how),
        options=opts,
        source=source,
        seconds={"travel_s": travel_s, "allocation_s": allocation_s},
        network=network,
    )


def _broker(
    times: FloatArray, hours: FloatArray, capacity: FloatArray, opts: BrokerageOptions
) -> tuple[IntArray, npt.NDArray[np.int8]]:
    """Allocate every referral; return each client's provider (-1: none) and how placed.

    ``how``: 1 accepted, 2 by the fallback (nobody accepted), -1 no road, -2 no capacity.
    """
    n, m = times.shape
    rng = np.random.default_rng(opts.seed)
    order = rng.permutation(n)
    left = capacity.astype(float).copy()
    chosen = np.full(n, -1, dtype=np.int64)
    how = np.zeros(n, dtype=np.int8)
    reach = np.isfinite(times)
    for i in order:
        row = times[i]
        fits = reach[i] & (left >= hours[i] - 1e-9)
        # the gravity model's draws come whether offers are made or not: one stream by seed
        draws = rng.random(m) if opts.model == "gravity" else None
        if not reach[i].any():
            how[i] = -1
            continue
        if not fits.any():
            how[i] = -2
            continue
        how[i] = 1
        if opts.model == "random":
            cand = np.flatnonzero(fits)
            k = int(cand[rng.integers(len(cand))])
        elif opts.model == "nearest":
            k = int(np.argmin(np.where(fits, row, np.inf)))
        else:
            assert draws is not None
            ranked = np.argsort(row, kind="stable")  # offers in order of road time
            p = np.exp(-row[ranked] / opts.decay_minutes)
            accept = fits[ranked] & (draws < p)
            if accept.any():
                k = int(ranked[int(np.argmax(accept))])
            else:
                k = int(np.argmin(np.where(fits, row, np.inf)))
                how[i] = 2
        chosen[i] = k
        left[k] -= hours[i]
    return chosen, how


def _provider_table(
    pids: npt.NDArray[Any],
    cap: FloatArray,
    chosen: IntArray,
    hours: FloatArray,
    times: FloatArray,
) -> pd.DataFrame:
    """One row per provider: its clients, hours, capacity and office-to-client minutes."""
    m = len(pids)
    got = chosen >= 0
    k = chosen[got]
    mins = times[k, np.flatnonzero(got)]
    count = np.bincount(k, minlength=m)
    total = np.bincount(k, weights=hours[got], minlength=m)
    summed = np.bincount(k, weights=mins, minlength=m)
    most = np.full(m, np.nan)
    np.fmax.at(most, k, mins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, summed / np.maximum(count, 1), np.nan)
    return pd.DataFrame(
        {
            "provider_id": pids,
            "clients": count.astype(int),
            "hours_per_week": total,
            "capacity_hours": cap,
            "mean_minutes": mean,
            "max_minutes": most,
        }
    )


def _left_out(ids: npt.NDArray[Any], hours: FloatArray, how: npt.NDArray[np.int8]) -> pd.DataFrame:
    """Return the clients no provider could take, with the cause and the reason in words."""
    rows = []
    for i in np.flatnonzero(how < 0):
        if how[i] == -1:
            cause = LeftOut.NO_ROAD
            reason = "no provider's office reaches the client by road"
        else:
            cause = LeftOut.NO_CAPACITY
            reason = (
                f"every provider that reaches the client is full (the client needs "
                f"{hours[i]:g} h a week)"
            )
        rows.append((ids[i], float(hours[i]), cause.value, reason))
    return pd.DataFrame(rows, columns=LEFT_OUT_COLUMNS)
