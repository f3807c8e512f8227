"""What every command shares: option types, numbered steps, inputs read together, hints.

- Option types (:func:`whole`, :func:`number`, :func:`input_file`) refuse a bad value at once
  with argparse's exit code 2 and a one-line reason (``--time-limit nan``, ``--zones 2.5``).
- :class:`Steps` prints numbered progress lines on stderr (nothing with ``--quiet``), loads the
  ``--osm`` network and reports the files a result's ``to_files`` wrote.
- :func:`read_together` reads every input file of a command and raises the problems of all of
  them together (:class:`InputProblems`), so that one run shows everything to correct.
- :func:`for_the_command_line` rewords the library's hints that name Python arguments
  (``sheet=``, ``crs=``, ``errors='collect'``) into the command's own options.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carezones.errors import ArgumentError, CarezonesError, ValidationError, check_number
from carezones.network.speeds import Mode


# ---------------------------------------------------------------------- option types
def whole(minimum: int) -> Callable[[str], int]:
    """Return an argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be a whole number of at least {minimum}, not {text!r}"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {value}")
        return value

    return parse


def number(**bounds: Any) -> Callable[[str], float]:
    """Return an argparse type: a finite number within ``bounds`` (see ``check_number``)."""

    def parse(text: str) -> float:
        value: object = text  # refused with the same wording below when not a number
        try:
            value = float(text)
        except ValueError:
            pass
        try:
            return check_number("the value", value, **bounds)
        except ArgumentError as exc:
            raise argparse.ArgumentTypeError(str(exc).replace("the value ", "")) from None

    return parse


def time_option(text: str) -> str:
    """Parse a time of day ``HH:MM`` (e.g. ``--now 06:30``)."""
    from carezones.io.visits import parse_hhmm

    if parse_hhmm(text) is None:
        raise argparse.ArgumentTypeError(f"must be a time of day HH:MM such as 06:30, not {text!r}")
    return text.strip()


def day_option(text: str) -> str:
    """Parse a day: a date (``2026-12-07``) or a weekday (``Mon``); return its label."""
    from carezones.io.days import DAY_FIX, parse_day

    label = parse_day(text)
    if label is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day: {DAY_FIX}")
    return label


class InputFile:
    """An input file option: ``PATH``, or ``PATH#SHEET`` for a sheet or layer of it."""

    def __init__(self, path: Path, sheet: str | None = None) -> None:
        self.path = path
        self.sheet = sheet

    @property
    def name(self) -> str:
        """The file's name (with its sheet, when given)."""
        return self.path.name + (f"#{self.sheet}" if self.sheet else "")

    def __repr__(self) -> str:
        return f"InputFile({self.name!r})"


def input_file(text: str) -> InputFile:
    """Parse ``PATH`` or ``PATH#SHEET`` (the sheet of a workbook or layer of a GeoPackage)."""
    path, sep, sheet = text.rpartition("#")
    if sep and path and not Path(text).exists():
        return InputFile(Path(path), sheet or None)
    return InputFile(Path(text))


# ---------------------------------------------------------------------- option groups
SEED: dict[str, Any] = {"type": whole(0), "default": 0, "help": "random seed, >= 0 (0)"}


def add_command(sub: Any, name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
    """Add a command to the parser's subcommands, its epilog printed as written."""
    return sub.add_parser(
        name, help=help_text, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def map_options(sp: argparse.ArgumentParser) -> None:
    """Add ``--cdn`` (maps link Leaflet instead of embedding it)."""
    sp.add_argument(
        "--cdn",
        action="store_true",
        help="link Leaflet from a CDN instead of embedding it in each map (smaller files; "
        "the maps then need internet to open)",
    )


def common_options(sp: argparse.ArgumentParser, engine: bool = True) -> None:
    """Add ``--quiet`` and (optionally) ``--engine``."""
    sp.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    if engine:
        sp.add_argument(
            "--engine",
            choices=["auto", "builtin", "osrm"],
            default="auto",
            help="travel-time engine (default: OSRM when available for the file)",
        )


def point_options(sp: argparse.ArgumentParser, ids: bool = True) -> None:
    """Add the options every points file of a command shares (postcodes, CRS, id, area)."""
    sp.add_argument("--postcodes", type=Path, help="postcode lookup (ONSPD or Code-Point Open)")
    sp.add_argument(
        "--crs", help="CRS of the coordinates when it cannot be detected, e.g. EPSG:27700"
    )
    if ids:
        sp.add_argument(
            "--id-column", help="the column that names each row (default: client_id, id, ...)"
        )
    sp.add_argument(
        "--max-outside-km",
        type=number(minimum=0),
        default=2.0,
        help="how far outside the network's area a point may lie (2 km)",
    )


# ---------------------------------------------------------------------- steps
class Steps:
    """The steps every command shares: numbered progress lines, the network, the report."""

    def __init__(self, args: argparse.Namespace, total: int) -> None:
        self.args = args
        self.quiet = bool(args.quiet)
        self.total = total
        self.done = 0
        self.t0 = time.perf_counter()

    def __call__(self, msg: str) -> None:
        """Announce the next step on stderr (nothing with ``--quiet``)."""
        self.done += 1
        if not self.quiet:
            print(f"[{self.done}/{self.total}] {msg} ...", file=sys.stderr, flush=True)

    @property
    def progress(self) -> bool | None:
        """Progress bars: never with ``--quiet``, else when someone watches (never to logs)."""
        return False if self.quiet else None

    def network(self, mode: Mode = "drive", engine: str | None = None) -> Any:
        """Load the ``--osm`` network as a numbered step."""
        from carezones.network import load_network

        self(f"loading the {mode} network from {self.args.osm.name}")
        use = engine or getattr(self.args, "engine", "auto")
        return load_network(
            self.args.osm,
            mode,
            engine=use,  # type: ignore[arg-type]
            progress=self.progress,
        )

    def report(self, summary: str, paths: Sequence[Path]) -> None:
        """Print the result's summary and every file written (what ``to_files`` returned)."""
        if not self.quiet:
            print(summary)
            print("wrote " + ", ".join(str(p) for p in paths))


# ---------------------------------------------------------------------- inputs
class InputProblems(CarezonesError, ValueError):
    """The problems of several input files, reported together."""

    def __init__(self, errors: list[Exception]) -> None:
        self.errors = errors
        super().__init__("\n\n".join(str(e) for e in errors))


def read_together(readers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every reader; raise the problems of all the files together, or return the results."""
    out: dict[str, Any] = {}
    failed: list[Exception] = []
    for name, read in readers.items():
        try:
            out[name] = read()
        except (ValidationError, FileNotFoundError, CarezonesError) as exc:
            failed.append(exc)
    if len(failed) == 1:
        raise failed[0]
    if failed:
        raise InputProblems(failed)
    return out


# ---------------------------------------------------------------------- hints
_HINTS: list[tuple[str, str]] = [
    (
        r"pass sheet= one of (\[.*?\])(?: \(or its 0-based position\))?",
        r"name the sheet or layer after the file name, FILE#NAME, with NAME one of \1",
    ),
    (
        r"pass sheet= the name of the sheet to read, e.g\. sheet='([^']*)'",
        r"name the sheet after the file name, e.g. FILE#\1",
    ),
    (
        r"pass sheet= the name of the layer to read",
        "name the layer after the file name, e.g. FILE#LAYER",
    ),
    (r"pass layer= one of (\[.*?\])", r"name the layer after the file name (FILE#NAME), one of \1"),
    (
        r"pass layer= the name of the layer to read, e\.g\. layer='([^']*)'",
        r"name the layer after the file name, e.g. FILE#\1",
    ),
    (
        r"pass crs= the coordinate reference system of ([^,]*), e\.g\. crs='([^']*)'",
        r"give --crs, the coordinate reference system of \1, e.g. --crs \2",
    ),
    (r"pass x= and y=", "rename the coordinate columns lat/lon or easting/northing"),
    (r"pass postcode_lookup= to locate", "give --postcodes FILE to locate"),
    (r"pass postcode_lookup= ", "give --postcodes "),
    (r"pass allow_polygons=True, or convert", "convert"),
    (r"or pass id_column= the name of your column", "or give --id-column COLUMN"),
    (r"raise max_outside_km", "raise --max-outside-km"),
    (r"max_outside_km=", "--max-outside-km "),
    (
        r"Correct these rows, or pass errors='collect' to keep the valid rows and get the rejected "
        r"ones back as a table\.",
        "Correct these rows and run the command again.",
    ),
]


def for_the_command_line(text: str) -> str:
    """Reword hints that name Python arguments into the command line's own options."""
    for pattern, repl in _HINTS:
        text = re.sub(pattern, repl, text)
    return text
