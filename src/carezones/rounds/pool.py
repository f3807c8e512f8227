"""Several searches of one day side by side: a portfolio of seeds over the machine's cores.

A week (:func:`~carezones.rounds.plan_week`) plans its days one after the other, each day
following the faces of the days before, so the days cannot run side by side. The same day's
search can: :class:`Searches` runs it with one seed per worker at once, this process taking
the first seed and worker processes the others, and returns every result for the caller to
keep the best. With one worker nothing is started and the search runs here, as before.

Workers are started with ``spawn`` (safe whatever threads this process runs, and the same on
every platform); each receives the road network once, when it starts. With an iteration
limit every search is deterministic, so the results do not depend on timing.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from carezones.errors import check_integer

if TYPE_CHECKING:
    from types import TracebackType

    from carezones.rounds.plan import Search, Solved

__all__ = ["Searches", "default_workers", "seeds"]

SEED_STEP = 7919  # between the seeds of a portfolio (each search uses a few seeds after its own)

_network: Any = None  # a worker's road network, set once when it starts


def default_workers() -> int:
    """Return one worker per core available to this process.

    Returns
    -------
    int
        The cores this process may run on (at least 1).

    Examples
    --------
    >>> default_workers() >= 1
    True
    """
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def seeds(seed: int, workers: int) -> list[int]:
    """Return the seeds of a portfolio: ``seed`` first (one worker searches as before).

    Parameters
    ----------
    seed : int
        The search's seed.
    workers : int
        How many searches.

    Returns
    -------
    list of int
        One seed per search.

    Examples
    --------
    >>> seeds(0, 2)
    [0, 7919]
    """
    return [seed + SEED_STEP * i for i in range(workers)]


def _start(network: Any) -> None:
    """Keep the road network in this worker for every search it makes."""
    global _network
    _network = network


def _ready() -> bool:
    """Return True once the worker has started (the pool starts its workers early)."""
    return True


def _solve(job: dict[str, Any], opts: Search, network: Any) -> Solved:
    """Run one search of a day (:func:`~carezones.rounds.plan.solve_day`)."""
    from carezones.rounds.plan import solve_day

    job = dict(job)
    visits, carers, T = job.pop("visits"), job.pop("carers"), job.pop("T")
    return solve_day(visits, carers, network, T, opts, **job)


def _solve_there(job: dict[str, Any], opts: Search) -> Solved:
    """Run one search in a worker, on the network it received when it started."""
    return _solve(job, opts, _network)


class Searches:
    """Run each day's search with several seeds at once, here and in worker processes.

    Use it as a context manager: the workers start on entry (while this process goes on)
    and stop on exit.

    Parameters
    ----------
    workers : int
        How many searches of a day run at once (1: only here, no process started).
    network : RoadNetwork or None
        The road network the searches use (sent to each worker once).

    Examples
    --------
    >>> with Searches(1, None) as searches:
    ...     searches.workers
    1
    """

    def __init__(self, workers: int, network: Any) -> None:
        self.workers = check_integer("workers", workers, minimum=1)
        self.network = network
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Searches:
        if self.workers > 1:
            import multiprocessing

            self._pool = ProcessPoolExecutor(
                self.workers - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start,
                initargs=(self.network,),
            )
            for _ in range(self.workers - 1):
                self._pool.submit(_ready)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, job: dict[str, Any], opts: Search) -> list[Solved]:
        """Search one day with each seed of the portfolio; return every result, in seed order.

        Parameters
        ----------
        job : dict
            ``visits``, ``carers``, ``T`` and the keywords of
            :func:`~carezones.rounds.plan.solve_day` (``penalties``, ``initial``,
            ``halves``).
        opts : Search
            The search's options; its seed is the first of the portfolio.

        Returns
        -------
        list of Solved
            One per seed (:func:`seeds`), the first searched here.

        Examples
        --------
        >>> from carezones.rounds.plan import search_options
        >>> job = {"visits": rounds.visits, "carers": rounds.carers, "T": rounds.minutes}
        >>> with Searches(1, None) as searches:
        ...     found = searches.run(job, search_options(iterations=50))
        >>> len(found), len(found[0].routes) == len(rounds.carers)
        (1, True)
        """
        runs = [replace(opts, seed=s) for s in seeds(opts.seed, self.workers)]
        there: list[Future[Solved]] = []
        if self._pool is not None:
            there = [self._pool.submit(_solve_there, job, o) for o in runs[1:]]
        here = _solve(job, runs[0], self.network)
        return [here, *(f.result() for f in there)]
