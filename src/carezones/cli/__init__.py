"""The ``carezones`` command line: parse arguments, call the library, write files.

Exit codes: 0 success, 2 bad input (the whole validation report is printed), 1 internal error,
130 interrupted (Ctrl-C; no output folder is left half-written).

``commands`` holds the parser and one function per command; ``_options`` what they share.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from carezones.cli._options import for_the_command_line
from carezones.cli.commands import command, parser
from carezones.errors import CarezonesError, ValidationError

__all__ = ["main", "parser"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    ``--quiet`` prints nothing but errors: carezones' warnings are silenced for the run.
    """
    args = parser().parse_args(argv)
    if not args.quiet:
        logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
        for noisy in ("pyogrio", "fiona", "urllib3"):  # their INFO lines are not for our users
            logging.getLogger(noisy).setLevel(logging.WARNING)
    logger = logging.getLogger("carezones")
    level = logger.level
    if args.quiet:
        logger.setLevel(logging.ERROR)
    try:
        return _run(args)
    finally:
        logger.setLevel(level)


def _run(args: argparse.Namespace) -> int:
    """Run the command; turn its errors into messages and exit codes."""
    try:
        return command(args.command)(args)
    except KeyboardInterrupt:
        print("carezones: interrupted; no output was written", file=sys.stderr)
        return 130
    except ValidationError as exc:
        print(f"carezones: bad input\n{for_the_command_line(exc)}", file=sys.stderr)
        return 2
    except (CarezonesError, FileNotFoundError, ValueError) as exc:
        print(f"carezones: {for_the_command_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # pragma: no cover - reported, not hidden
        print(f"carezones: internal error: {exc!r}", file=sys.stderr)
        return 1
