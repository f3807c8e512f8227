"""The ``carezones`` command line: parse arguments, call the library, write files.

Exit codes: 0 success, 2 bad input (the whole validation report is printed), 1 internal error,
130 interrupted (Ctrl-C), 143 stopped (SIGTERM): no output folder is left half-written, and no
temporary folder is left behind.

``commands`` holds the parser and one function per command; ``_options`` what they share. This
module imports nothing heavy itself: everything else (pandas, the engines) is imported inside
:func:`main`, so that Ctrl-C at any moment, even while Python is still loading them, ends with
one line instead of a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

__all__ = ["Stopped", "main", "parser"]


class Stopped(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM): unwound like Ctrl-C, every folder cleaned up.

    Parameters
    ----------
    signum : int
        The signal received.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def parser() -> argparse.ArgumentParser:
    """Return the ``carezones`` argument parser (every command and option)."""
    from carezones.cli.commands import parser as make

    return make()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    ``--quiet`` prints nothing but errors: carezones' warnings are silenced for the run.
    """
    try:
        with _stopped_by_signals():
            return _run(argv)
    except Stopped as exc:
        print(f"carezones: stopped (signal {exc.signum}); no output was written", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print("carezones: interrupted; no output was written", file=sys.stderr)
        return 130
    except Exception as exc:
        return _failed(exc)


NOISY = ("distributed", "tornado", "bokeh", "asyncio", "pyogrio", "fiona", "urllib3")
"""Libraries whose log lines (a Dask cluster's start and close, ...) show only with --verbose."""


def _run(argv: Sequence[str] | None) -> int:
    from carezones.cli._options import check_inputs_outside_out
    from carezones.cli.commands import command

    args = parser().parse_args(argv)
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    if not getattr(args, "verbose", False):  # their INFO lines are not for our users
        # Dask sets its loggers' levels from its configuration when it is imported, and its
        # worker processes inherit the environment: errors only, unless asked
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "error")
        for noisy in NOISY:
            logging.getLogger(noisy).setLevel(logging.ERROR)
    check_inputs_outside_out(args)
    logger = logging.getLogger("carezones")
    level = logger.level
    if args.quiet:
        logger.setLevel(logging.ERROR)
    from carezones.report.maps import map_tiles

    try:
        with map_tiles(getattr(args, "tiles", "offline")):
            return command(args.command)(args)
    finally:
        logger.setLevel(level)


def _failed(exc: Exception) -> int:
    """Print an error the command line's way; return its exit code."""
    from carezones.cli._options import for_the_command_line
    from carezones.errors import CarezonesError, ValidationError

    if isinstance(exc, ValidationError):
        print(f"carezones: bad input\n{for_the_command_line(exc)}", file=sys.stderr)
        return 2
    if isinstance(exc, CarezonesError | FileNotFoundError | ValueError):
        print(f"carezones: {for_the_command_line(exc)}", file=sys.stderr)
        return 2
    print(f"carezones: internal error: {exc!r}", file=sys.stderr)  # reported, not hidden
    return 1


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Turn Ctrl-C and SIGTERM into one clean stop while a command runs (main thread only).

    SIGINT raises :class:`KeyboardInterrupt` and SIGTERM :class:`Stopped`: the command unwinds,
    its temporary output folder removed and a local Dask cluster closed, and Dask's complaints
    about the connections it loses meanwhile are not shown. A second SIGTERM during that
    clean-up is ignored; a second Ctrl-C stops it (at once, as Python does by default).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    dask = logging.getLogger("distributed")
    level = dask.level

    def stop(signum: int, frame: FrameType | None) -> None:
        dask.setLevel(logging.CRITICAL + 1)
        if signum == signal.SIGINT:
            signal.signal(signum, signal.default_int_handler)
            raise KeyboardInterrupt
        signal.signal(signum, signal.SIG_IGN)  # one clean-up, not interrupted by a second
        raise Stopped(signum)

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
        dask.setLevel(level)
