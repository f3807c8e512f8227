"""Run independent tasks in this process or as Dask tasks, with the same results.

The one parallel back end of carezones: each zone's day of a county plan
(:mod:`carezones.county`) and the searches of each day of a week (:func:`carezones.plan_week`)
run through :class:`Tasks`. With one worker (and no ``client``) tasks run here, one after the
other; otherwise on a ``dask.distributed.LocalCluster`` of single-threaded worker processes
started for the run and closed after it, or on an existing ``client`` (a
``dask.distributed.Client``, or a scheduler address such as ``"tcp://10.0.0.5:8786"``) to run
on a cluster.

``shared`` data (the road network) is sent to each worker once, not once per task. Every task
is deterministic for its inputs, so the results are identical whatever the number of workers.
Progress (tasks done of total) is reported to ``progress``; Ctrl-C cancels the tasks and closes
the cluster before the interruption goes on.

A local cluster's worker processes re-run the main script on start (Python's "spawn"): a plain
``.py`` script that calls carezones at its top level, without ``if __name__ == "__main__":``,
would start the run again in every worker and fail. :func:`unguarded_script` sees such a call
before any worker starts; the run then goes on in this process, with the same results, after a
one-line warning that says how to use every core.

A local cluster has at most :func:`max_workers` workers: one per core, and about 1 GB of memory
each (:data:`WORKER_MEMORY`); more is refused, since a thousand processes would only slow the
machine down. A scheduler address is tried at once (:func:`connect`): one that does not answer
is refused within seconds.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from carezones.errors import ArgumentError, check_integer

__all__ = [
    "CONNECT_SECONDS",
    "WORKER_MEMORY",
    "Tasks",
    "check_workers",
    "connect",
    "default_workers",
    "local_client",
    "max_workers",
    "run_tasks",
    "unguarded_script",
]

WORKER_MEMORY = 2**30
"""The memory a local worker is counted to need (1 GB): its copy of the road network and a zone's
day. :func:`max_workers` allows no more workers than the machine's memory holds."""

CONNECT_SECONDS = 10.0
"""How long :func:`connect` waits for a Dask scheduler to answer."""


def _cores() -> int:
    """Return the cores this process may run on (at least 1)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)


def _memory() -> int | None:
    """Return the machine's memory in bytes, when it can be found."""
    try:
        import psutil

        return int(psutil.virtual_memory().total)
    except ImportError:  # pragma: no cover - psutil comes with dask.distributed
        pass
    try:  # pragma: no cover
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def max_workers() -> int:
    """Return the most local workers this machine allows: one per core, 1 GB of memory each.

    Returns
    -------
    int
        The cores this process may run on, fewer when the memory holds fewer workers of
        :data:`WORKER_MEMORY` (at least 1).

    Examples
    --------
    >>> 1 <= max_workers() <= (os.cpu_count() or 1)
    True
    """
    memory = _memory()
    by_memory = max(memory // WORKER_MEMORY, 1) if memory else None
    return max(min(_cores(), by_memory or _cores()), 1)


def default_workers() -> int:
    """Return the local workers of a run that does not say: :func:`max_workers`.

    Returns
    -------
    int
        One per core available to this process, fewer when memory is short (at least 1).

    Examples
    --------
    >>> default_workers() == max_workers()
    True
    """
    return max_workers()


def unguarded_script() -> str | None:
    """Return why worker processes cannot start here, or ``None`` when they can.

    They cannot when this call comes from the top level of the main script (a ``.py`` file run
    by ``python script.py``), outside ``if __name__ == "__main__":``: every worker process
    would run the script again. Jupyter, ``python -c`` and the ``carezones`` command are fine.

    Returns
    -------
    str or None
        One line naming the script and its line, and the fix.

    Examples
    --------
    >>> unguarded_script() is None  # a doctest is not a script's top level
    True
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or not path:
        return None
    spec = getattr(main, "__spec__", None)
    if spec is not None and (spec.name == "__main__" or spec.name.endswith(".__main__")):
        return None  # python -m package: its __main__ is never re-run (as multiprocessing does)
    frame = sys._getframe(1)
    while frame is not None and not (
        frame.f_globals is vars(main) and frame.f_code.co_name == "<module>"
    ):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return None
    line = frame.f_lineno
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_main_test(node.test):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                return None
    name = Path(path).name
    return (
        f"{name}, line {line}: running on one process (the same results), because worker "
        f'processes would re-run {name}; put the call under if __name__ == "__main__": to use '
        "every core"
    )


def _is_main_test(test: ast.expr) -> bool:
    """Whether an ``if`` tests ``__name__ == "__main__"`` (either way round)."""
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    sides = {ast.dump(test.left), ast.dump(test.comparators[0])}
    return sides == {ast.dump(ast.Name("__name__", ast.Load())), ast.dump(ast.Constant("__main__"))}


def check_workers(workers: object) -> int:
    """Return ``workers`` as an int, or refuse a number this machine cannot run.

    Parameters
    ----------
    workers : int
        Local worker processes asked for.

    Returns
    -------
    int
        ``workers``.

    Raises
    ------
    ArgumentError
        When ``workers`` is not a whole number from 1 to :func:`max_workers`.

    Examples
    --------
    >>> check_workers(1)
    1
    >>> check_workers(10_000)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: workers must be at most ... on this machine (...), not 10000...
    """
    n = check_integer("workers", workers, minimum=1)
    most = max_workers()
    if n > most:
        memory = _memory()
        gb = f", {memory / 2**30:.0f} GB of memory" if memory else ""
        raise ArgumentError(
            f"workers must be at most {most} on this machine ({_cores()} cores{gb}: a worker "
            f"needs a core and about {WORKER_MEMORY / 2**30:.0f} GB), not {n}. Give fewer, or "
            "a Dask scheduler to run on a cluster.",
            argument="workers",
            value=n,
            allowed=f"a whole number from 1 to {most}",
        )
    return n


def connect(address: str, timeout: float = CONNECT_SECONDS) -> Any:
    """Return a client of the Dask scheduler at ``address``; refuse at once if none answers.

    Parameters
    ----------
    address : str
        The scheduler's address, e.g. ``"tcp://10.0.0.5:8786"``.
    timeout : float, default CONNECT_SECONDS
        Seconds to wait for it.

    Returns
    -------
    distributed.Client
        Connected (the caller closes it).

    Raises
    ------
    ArgumentError
        When the address is not one, or no scheduler answers there in time.

    Examples
    --------
    >>> connect("tcp://127.0.0.1:1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: no Dask scheduler answers at tcp://127.0.0.1:1 (...): ...
    """
    import socket

    from distributed import Client
    from distributed.comm import parse_address, parse_host_port

    fix = (
        "check the address (e.g. tcp://10.0.0.5:8786) and that the scheduler is running, or "
        "run on this machine instead"
    )
    try:
        scheme, where = parse_address(str(address))
        if scheme == "tcp":  # a closed port is refused at once, not after every retry
            socket.create_connection(parse_host_port(where), timeout=timeout).close()
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or "no answer"
        raise ArgumentError(
            f"no Dask scheduler answers at {address} ({why}): {fix}",
            argument="client",
            value=address,
        ) from None


class Tasks[S]:
    """Tasks that share data sent once: here, on a local Dask cluster, or on a ``client``.

    Use it as a context manager: a local cluster starts on entry (its workers importing
    carezones while this process goes on) and closes on exit; a client given is left open.

    Parameters
    ----------
    shared : object, optional
        Sent to every worker once (e.g. the road network) and passed to every task.
    workers : int, optional
        Worker processes of a local cluster (default: one per core; at most :func:`max_workers`);
        1 runs in this process.
    client : dask.distributed.Client or str, optional
        An existing client or a scheduler address to run on instead of a local cluster.

    Examples
    --------
    >>> with Tasks(2, workers=1) as tasks:
    ...     tasks.map(pow, [1, 2, 3])
    [2, 4, 8]
    """

    def __init__(self, shared: S, *, workers: int | None = None, client: Any = None) -> None:
        self.shared = shared
        if workers is None:
            self.workers = default_workers()
        elif client is None:  # a local cluster: no more than this machine runs
            self.workers = check_workers(workers)
        else:
            self.workers = check_integer("workers", workers, minimum=1)
        if client is None and self.workers > 1:
            why = unguarded_script()
            if why is not None:
                here = (str(Path(__file__).resolve().parent),)  # the user's line, not ours
                warnings.warn(why, RuntimeWarning, skip_file_prefixes=here)
                self.workers = 1
        self.client = client
        self._own: list[Any] = []
        self._data: Any = None

    @property
    def here(self) -> bool:
        """Whether the tasks run in this process (one worker and no client).

        Examples
        --------
        >>> Tasks(None, workers=1).here
        True
        """
        return self.client is None and self.workers == 1

    def __enter__(self) -> Tasks[S]:
        if self.here:
            return self
        if self.client is None:
            self.client = local_client(self.workers)
            self._own = [self.client, self.client.cluster]
        elif isinstance(self.client, str):
            self.client = connect(self.client)
            self._own = [self.client]
        if self.shared is not None:
            self._data = self.client.scatter(self.shared, broadcast=True)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for thing in self._own:
            thing.close()
        self._own = []

    def map[T, R](
        self,
        fn: Callable[[S, T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        """Run ``fn(shared, item)`` for every item; return the results in the items' order.

        Parameters
        ----------
        fn : callable
            A module-level function (it is pickled to the workers).
        items : sequence
            One task each.
        progress : callable, optional
            Called with (tasks done, tasks in all) as tasks finish.

        Returns
        -------
        list
            ``fn``'s results, in the order of ``items``.

        Examples
        --------
        >>> with Tasks(10, workers=1) as tasks:
        ...     tasks.map(max, [3, 30])
        [10, 30]
        """
        report = progress or (lambda done, total: None)
        n = len(items)
        if self.here or n == 0:
            out = []
            for k, item in enumerate(items):
                out.append(fn(self.shared, item))
                report(k + 1, n)
            return out
        from distributed import as_completed

        futures = [self.client.submit(fn, self._data, item, pure=False) for item in items]
        try:
            index = {f.key: k for k, f in enumerate(futures)}
            results: list[Any] = [None] * n
            done = 0
            for future in as_completed(futures):
                results[index[future.key]] = future.result()
                done += 1
                report(done, n)
            return results
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def run_tasks[S, T, R](
    fn: Callable[[S, T], R],
    items: Sequence[T],
    shared: S,
    *,
    workers: int | None = None,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """Run ``fn(shared, item)`` for every item; return the results in the items' order.

    One batch of :class:`Tasks`: with a single item and no client it runs here.

    Parameters
    ----------
    fn : callable
        A module-level function (it is pickled to the workers).
    items : sequence
        One task each.
    shared : object
        Sent to every worker once (e.g. the road network) and passed to every call.
    workers : int, optional
        Worker processes of a local cluster (default: one per core; at most :func:`max_workers`);
        1 runs in this process.
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
        When ``workers`` is not a whole number from 1 to :func:`max_workers` (without a
        client).

    Examples
    --------
    >>> done = []
    >>> run_tasks(pow, [1, 2, 3], 2, workers=1, progress=lambda k, n: done.append(k))
    [2, 4, 8]
    >>> done
    [1, 2, 3]
    """
    if workers is not None:
        workers = (
            check_workers(workers)
            if client is None
            else check_integer("workers", workers, minimum=1)
        )
    if client is None and len(items) <= 1:
        workers = 1
    with Tasks(shared, workers=workers, client=client) as tasks:
        return tasks.map(fn, items, progress)


WARM = ("carezones.county.day", "carezones.rounds.search")
"""The modules each worker imports as it starts (the code of a zone's day and of a search)."""


def local_client(workers: int | None = None) -> Any:
    """Start a local Dask cluster now and return its client, its workers warming up meanwhile.

    A caller with other work to do first (designing zones) starts the cluster before it, so
    that starting the worker processes and importing carezones in them (several seconds)
    overlaps that work instead of delaying the first task. Pass the client to
    :class:`Tasks` or :func:`run_tasks` and close it (``client.close();
    client.cluster.close()``) when done.

    Parameters
    ----------
    workers : int, optional
        Worker processes (default: one per core, at most :func:`max_workers`).

    Returns
    -------
    distributed.Client
        The client of a new ``LocalCluster`` of single-threaded worker processes.

    Raises
    ------
    ArgumentError
        When ``workers`` is not a whole number from 1 to :func:`max_workers`.

    Examples
    --------
    >>> client = local_client(1)
    >>> run_tasks(pow, [1, 2, 3], 2, client=client)
    [2, 4, 8]
    >>> client.close(); client.cluster.close()
    """
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - a dependency of carezones
        raise ArgumentError("parallel runs need dask.distributed: pip install distributed") from exc

    n = default_workers() if workers is None else check_workers(workers)
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
    # import the planning code in every worker while this process goes on: in the worker's
    # event loop, where tasks are unpacked too, never in a thread beside it (two threads
    # importing carezones' packages at once may each find the other's half imported)
    client.run(_warm, WARM, wait=False)
    return client


async def _warm(modules: Sequence[str]) -> None:
    """Import what the tasks need (run in each worker's event loop as it starts).

    The worker then leaves Ctrl-C to the process that started it, which closes the cluster:
    a Ctrl-C in a terminal reaches every process of the run, and a worker would print its own
    traceback.
    """
    import importlib
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    for name in modules:
        importlib.import_module(name)
