"""Run independent tasks (each zone's day) in-process or as Dask tasks, with the same results.

:func:`run_tasks` runs ``fn(shared, item)`` for every item and returns the results in the
items' order:

- ``workers=1`` (and no ``client``): in this process, one after the other;
- ``workers=N`` (default: one per core): on a ``dask.distributed.LocalCluster`` of ``N``
  single-threaded worker processes started for the run and closed after it;
- ``client=``: an existing ``dask.distributed.Client``, or a scheduler address such as
  ``"tcp://10.0.0.5:8786"``, to run on a cluster (a national batch across councils runs the
  same way).

``shared`` (the road network) is sent to each worker once, not once per task. Every task is
deterministic for its inputs, so the results are identical whatever the number of workers.
Progress (tasks done of total) is reported to ``progress``; Ctrl-C cancels the tasks and closes
the cluster before the interruption goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from carezones.errors import ArgumentError, check_integer
from carezones.rounds.pool import default_workers

__all__ = ["default_workers", "local_client", "run_tasks"]


def run_tasks(
    fn: Callable[[Any, Any], Any],
    items: Sequence[Any],
    shared: Any = None,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Any]:
    """Run ``fn(shared, item)`` for every item; return the results in the items' order.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    items : sequence
        One task each.
    shared : object, optional
        Sent to every worker once (e.g. the road network) and passed to every call.
    workers : int, optional
        Worker processes of a local cluster (default: one per core); 1 runs in this process.
    client : dask.distributed.Client or str, optional
        An existing client or a scheduler address to run on instead of a local cluster.
    progress : callable, optional
        Called with (tasks done, tasks in all) as tasks finish.

    Returns
    -------
    list
        ``fn``'s results, in the order of ``items``.

    Raises
    ------
    ArgumentError
        When ``workers`` is not a whole number of at least 1.

    Examples
    --------
    >>> done = []
    >>> run_tasks(pow, [1, 2, 3], 2, workers=1, progress=lambda k, n: done.append(k))
    [2, 4, 8]
    >>> done
    [1, 2, 3]
    """
    n = len(items)
    if workers is not None:
        workers = check_integer("workers", workers, minimum=1)
    report = progress or (lambda done, total: None)
    if client is None and (workers == 1 or n <= 1):
        out = []
        for k, item in enumerate(items):
            out.append(fn(shared, item))
            report(k + 1, n)
        return out
    return _on_dask(fn, items, shared, workers or default_workers(), client, report)


def local_client(workers: int | None = None) -> Any:
    """Start a local Dask cluster now and return its client, its workers warming up meanwhile.

    A caller with other work to do first (designing zones) starts the cluster before it, so
    that starting the worker processes and importing carezones in them (several seconds)
    overlaps that work instead of delaying the first task. Pass the client to
    :func:`run_tasks` and close it (``client.close(); client.cluster.close()``) when done.

    Parameters
    ----------
    workers : int, optional
        Worker processes (default: one per core).

    Returns
    -------
    distributed.Client
        The client of a new ``LocalCluster`` of single-threaded worker processes.

    Raises
    ------
    ArgumentError
        When ``workers`` is not a whole number of at least 1.

    Examples
    --------
    >>> client = local_client(1)
    >>> run_tasks(pow, [1, 2, 3], 2, client=client)
    [2, 4, 8]
    >>> client.close(); client.cluster.close()
    """
    import dask
    from distributed import Client, LocalCluster, fire_and_forget

    n = default_workers() if workers is None else check_integer("workers", workers, minimum=1)
    # Dask starts its workers with MALLOC_TRIM_THRESHOLD_=65536 (to hand memory back to the
    # system sooner); that fixes glibc's mmap threshold, and a zone's day, which allocates
    # many short-lived arrays, then runs 20-25% slower than in this process. Our workers live
    # for one run, so they keep glibc's default (a value the user exported still applies).
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never clash with another run
            silence_logs=40,  # errors only: nothing personal, and nothing for the user to read
        )
    client = Client(cluster)
    # import the planning code in every worker, in the background
    for address in client.scheduler_info()["workers"]:
        fire_and_forget(
            client.submit(_warm, pure=False, workers=[address], allow_other_workers=False)
        )
    return client


def _warm() -> None:
    """Import what a zone's day needs (run in each worker as it starts)."""
    import carezones.county.day  # noqa: F401


def _on_dask(
    fn: Callable[[Any, Any], Any],
    items: Sequence[Any],
    shared: Any,
    workers: int,
    client: Any,
    report: Callable[[int, int], None],
) -> list[Any]:
    """Run the tasks on Dask: an existing client, a scheduler address, or a local cluster."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - a dependency of carezones
        raise ArgumentError("parallel runs need dask.distributed: pip install distributed") from exc
    own: list[Any] = []
    if client is None:
        client = local_client(workers)
        own = [client, client.cluster]
    elif isinstance(client, str):
        client = Client(client)
        own = [client]
    futures: list[Any] = []
    try:
        data = client.scatter(shared, broadcast=True) if shared is not None else None
        futures = [client.submit(fn, data, item, pure=False) for item in items]
        index = {f.key: k for k, f in enumerate(futures)}
        results: list[Any] = [None] * len(items)
        done = 0
        for future in as_completed(futures):
            results[index[future.key]] = future.result()
            done += 1
            report(done, len(items))
        return results
    except BaseException:
        for f in futures:
            f.cancel()
        raise
    finally:
        for thing in own:
            thing.close()
