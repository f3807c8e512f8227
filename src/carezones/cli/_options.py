"""What every command shares: option types, numbered steps, inputs read together, hints.

- Option types (:func:`whole`, :func:`number`, :func:`input_file`) refuse a bad value at once
  with argparse's exit code 2 and a one-line reason (``--time-limit nan``, ``--zones 2.5``).
- :class:`Steps` prints numbered progress lines on stderr (nothing with ``--quiet``), loads the
  ``--osm`` network (with the ``--travel-profile``, for driving) and reports the files a
  result's ``to_files`` wrote, and which travel profile the drive times followed.
- :func:`read_options` builds the :class:`~carezones.io.ReadOptions` every points file of a
  command shares, from ``--crs``, ``--postcodes``, ``--id-column`` and ``--max-outside-km``.
- :func:`read_together` reads every input file of a command and raises the problems of all of
  them together (:class:`InputProblems`), so that one run shows everything to correct.
- :class:`CommandLine` words the library's problems for the command line: a fix that an
  argument gives (``Fix.argument``) names the command's own option instead (:data:`OPTIONS`:
  ``--crs``, ``--postcodes``, ``FILE#NAME``...); :func:`for_the_command_line` is the message.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from carezones.errors import (
    PYTHON,
    Argument,
    ArgumentError,
    Ask,
    CarezonesError,
    Fix,
    ValidationError,
    check_number,
    join_fix,
    listing,
    shown_number,
)
from carezones.io import ReadOptions
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


def workers_option(text: str) -> int:
    """Parse ``--workers``: a whole number from 1 to what this machine runs (``max_workers``)."""
    from carezones.parallel import WORKER_MEMORY, max_workers

    value = whole(1)(text)
    most = max_workers()
    if value > most:
        raise argparse.ArgumentTypeError(
            f"must be at most {most} on this machine (a worker needs a core and about "
            f"{WORKER_MEMORY / 2**30:.0f} GB of memory), not {value}"
        )
    return value


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
            raise argparse.ArgumentTypeError(f"must be {exc.allowed}, not {exc.value!r}") from None

    return parse


def late_option(text: str) -> float:
    """Parse minutes a visit may start late: a number >= 0, or ``inf`` for no limit."""
    if text.strip().lower() in ("inf", "infinity"):
        return float("inf")
    return number(minimum=0)(text)


def time_option(text: str) -> str:
    """Parse a time of day ``HH:MM`` (e.g. ``--now 06:30``)."""
    from carezones.io.visits import parse_hhmm

    if parse_hhmm(text) is None:
        raise argparse.ArgumentTypeError(f"must be a time of day HH:MM such as 06:30, not {text!r}")
    return text.strip()


def date_option(text: str) -> str:
    """Parse a date ``YYYY-MM-DD`` (e.g. ``--date 2025-01-07``); return it as written."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a date YYYY-MM-DD such as 2025-01-07, not {text!r}"
        ) from None


def band_option(text: str) -> str:
    """Parse a time band ``HH:MM-HH:MM`` (e.g. ``--time-band 07:00-19:00``)."""
    from carezones.sites.transport import TimeBand

    try:
        return TimeBand.parse(text).label
    except ArgumentError:
        raise argparse.ArgumentTypeError(
            f"must be a time band HH:MM-HH:MM such as 07:00-19:00, not {text!r}"
        ) from None


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


def check_inputs_outside_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that is, or holds, one of the command's input files or folders.

    A run replaces its output folder (or file) whole, so it would delete its own input; an
    input inside a folder carezones wrote (``--replan day-out --out day-out``) would be lost.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.

    Raises
    ------
    ArgumentError
        Naming the option whose input ``--out`` would replace.
    """
    out = getattr(args, "out", None)
    if not isinstance(out, Path):
        return
    target = out.resolve()
    only_itself = getattr(args, "out_is_a_file", False)  # a file holds no input
    for name, value in vars(args).items():
        for item in value if isinstance(value, list) else [value]:
            path = item.path if isinstance(item, InputFile) else item
            if name == "out" or not isinstance(path, Path):
                continue
            resolved = path.resolve()
            if resolved == target or (not only_itself and target in resolved.parents):
                flag = "--" + name.replace("_", "-")
                raise ArgumentError(
                    f"--out {out} would replace the input {flag} {path}: the run replaces its "
                    "output whole. Choose another --out (or move the input out of it)."
                )


# ---------------------------------------------------------------------- option groups
SEED: dict[str, Any] = {"type": whole(0), "default": 0, "help": "random seed, >= 0 (0)"}


def add_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    epilog: str,
) -> argparse.ArgumentParser:
    """Add a command to the parser's subcommands, its epilog printed as written."""
    return sub.add_parser(
        name, help=help_text, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def timetable_options(sp: Any) -> None:
    """Add ``--gtfs``, ``--date`` and ``--time-band`` (a parser or an argument group)."""
    sp.add_argument(
        "--gtfs", type=Path, help="GTFS timetable (zip or folder): transport by departures"
    )
    sp.add_argument(
        "--date",
        type=date_option,
        help="the timetable's day, YYYY-MM-DD (default: a representative weekday)",
    )
    sp.add_argument(
        "--time-band",
        type=band_option,
        default="07:00-19:00",
        help="the timetable's band, HH:MM-HH:MM (07:00-19:00)",
    )


def map_options(sp: argparse.ArgumentParser) -> None:
    """Add ``--cdn`` (maps link Leaflet instead of embedding it) and ``--tiles``."""
    sp.add_argument(
        "--cdn",
        action="store_true",
        help="link Leaflet from a CDN instead of embedding it in each map (smaller files; "
        "the maps then need internet to open)",
    )
    sp.add_argument(
        "--tiles",
        choices=["offline", "osm"],
        default="offline",
        help="what maps are drawn on: offline (default), roads, water and place names drawn "
        "from the network's own OSM file, with no internet; osm, OpenStreetMap's online tiles "
        "(the maps then fetch them when opened; never on synthetic data)",
    )


def common_options(sp: argparse.ArgumentParser, engine: bool = True) -> None:
    """Add ``--quiet`` and (optionally) ``--engine``."""
    sp.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    sp.add_argument(
        "--verbose",
        action="store_true",
        help="also print the log lines of Dask and the other libraries carezones uses",
    )
    if engine:
        sp.add_argument(
            "--engine",
            choices=["auto", "builtin", "osrm"],
            default="auto",
            help="travel-time engine (default: OSRM when available for the file)",
        )


def profile_option(sp: argparse.ArgumentParser) -> None:
    """Add ``--travel-profile`` (drive times calibrated on visit logs: ``carezones calibrate``)."""
    sp.add_argument(
        "--travel-profile",
        type=Path,
        metavar="FILE",
        help="travel-profile.toml ('carezones calibrate' writes one): every drive leg between "
        "two different places takes multiplier x the model's minutes + overhead, per urban and "
        "rural leg (walking times are the model's; the built-in engine unless --engine osrm)",
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
        self.profile: str | None = None  # the travel profile the drive network follows

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
        """Load the ``--osm`` network as a numbered step (a drive one with ``--travel-profile``)."""
        from carezones.network import load_network

        profile = self.travel_profile(mode)
        self(f"loading the {mode} network from {self.args.osm.name}")
        use = engine or getattr(self.args, "engine", "auto")
        if profile is not None and use == "auto":
            use = "builtin"  # the engine profiles are fitted on (OSRM's car profile differs)
        net = load_network(
            self.args.osm,
            mode,
            engine=use,  # type: ignore[arg-type]
            progress=self.progress,
        )
        if mode == "drive":
            net = net.with_profile(profile)
            self.profile = "none" if profile is None else profile.describe()
        return net

    def travel_profile(self, mode: Mode = "drive") -> Any:
        """Return the ``--travel-profile`` (``None`` without one); it is for drive networks."""
        from carezones.network import TravelProfile

        path = getattr(self.args, "travel_profile", None)
        if path is None:
            return None
        if mode != "drive":
            raise ArgumentError(
                f"--travel-profile is for drive times; --mode {mode} times are the model's "
                "(leave out --travel-profile, or use --mode drive)"
            )
        return TravelProfile.load(path)

    def report(self, summary: str, paths: Sequence[Path]) -> None:
        """Print the result's summary, the travel profile and every file written."""
        if not self.quiet:
            print(summary)
            if self.profile is not None:
                print(f"travel profile: {self.profile}")
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


# ---------------------------------------------------------------------- reading
def read_options(
    args: argparse.Namespace, *, ids: bool = True, polygons: bool = False
) -> ReadOptions:
    """Return the reading options of a command's points files, from its options.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line (``--crs``, ``--postcodes``, ``--max-outside-km``, and
        ``--id-column`` when the command has it).
    ids : bool, default True
        Name each row by ``--id-column``, when given.
    polygons : bool, default False
        Accept polygons as well as points (sites).

    Returns
    -------
    ReadOptions
        The options.
    """
    return ReadOptions(
        crs=args.crs or None,
        postcode_lookup=args.postcodes,
        id_column=(getattr(args, "id_column", None) or None) if ids else None,
        max_outside_km=args.max_outside_km,
        allow_polygons=polygons,
    )


# ---------------------------------------------------------------------- the command line's words
OPTIONS: dict[Argument, str] = {
    Argument.CRS: "--crs",
    Argument.POSTCODE_LOOKUP: "--postcodes",
    Argument.ID_COLUMN: "--id-column",
    Argument.COUNT_COLUMN: "--count-column",
    Argument.MAX_OUTSIDE_KM: "--max-outside-km",
    Argument.SHOW_CLIENTS: "--show-client-points",
    Argument.UNIT_ID: "--unit-id",
    Argument.K: "--k",
    Argument.MIN_SCORE: "--min-score",
    Argument.PLAN_FOR: "--plan-for",
    Argument.YEARS: "--years",
    Argument.BASE_YEAR: "--base-year",
    Argument.AUTHORITY: "--authority",
    Argument.AUTHORITY_COLUMN: "--authority-column",
    Argument.WEIGHT_COLUMN: "--count-column",
    Argument.SPREAD_BY: "--spread-by",
}
"""The command line's option for each argument of the readers and planners that it has one
for. A sheet or layer is named after the file (``FILE#NAME``); coordinate columns are renamed
(there is no ``x``/``y`` option); the sites' readers accept polygons already, so a fix that
allows them is left out, as are the columns the command line cannot name (``hours_column``,
``area_column``)."""

METAVARS: dict[Argument, str] = {Argument.POSTCODE_LOOKUP: "FILE", Argument.CRS: "CRS"}
"""What an option's value is, where a fix names the option for what it does."""

_RENAME_COLUMNS = "rename the coordinate columns lat/lon or easting/northing"


class CommandLine:
    """The words for the command line: the command's own options in place of arguments.

    Examples
    --------
    >>> words = CommandLine()
    >>> words.fix(Fix("check the coordinates", Argument.CRS, Ask.RIGHT))
    'check the coordinates, or give the right --crs'
    >>> words.fix(Fix(argument=Argument.SHEET, ask=Ask.NAME, example="North", about="sheet"))
    'name the sheet after the file name, e.g. FILE#North'
    >>> words.given(Argument.MAX_OUTSIDE_KM, 2.0)
    '--max-outside-km 2'
    """

    correct_rows = "Correct these rows and run the command again."

    def given(self, argument: Argument, value: object) -> str:
        """Return the option as given on the command line (``--crs EPSG:9999``)."""
        flag = OPTIONS.get(argument)
        if flag is None:  # not an option of the command line: the argument's own name
            return PYTHON.given(argument, value)
        if value is None or value is True:  # a flag is given by its name
            return flag
        return f"{flag} {shown_number(value) if isinstance(value, float) else value}"

    def fix(self, fix: Fix) -> str:
        """Return a fix in the command line's words."""
        if fix.argument is None:
            return fix.text
        phrase = self.phrase(fix)
        if phrase is None and not fix.text:  # nothing else to say: the library's words
            phrase = PYTHON.phrase(fix)
        return join_fix(fix, phrase)

    def phrase(self, fix: Fix) -> str | None:
        """Return the words naming the fix's option, or ``None`` when the command has none."""
        arg, ask = fix.argument, fix.ask
        if arg in (Argument.SHEET, Argument.LAYER):
            return _file_part(fix)
        if arg in (Argument.X, Argument.Y, Argument.XY):
            return _RENAME_COLUMNS
        flag = OPTIONS.get(arg) if arg is not None else None
        if arg is None or flag is None:
            return None
        example = f", e.g. {flag} {fix.example}" if fix.example is not None else ""
        match ask:
            case Ask.VALUE if arg is Argument.CRS:
                return f"give {flag}, {fix.about}{example}"
            case Ask.VALUE if arg in (Argument.ID_COLUMN, Argument.COUNT_COLUMN):
                return f"give {flag} COLUMN"  # "the name of your column": what COLUMN says
            case Ask.VALUE:
                return f"give {flag} {fix.about}{example}"
            case Ask.FOR:
                return f"give {flag} {METAVARS.get(arg, 'VALUE')} {fix.about}"
            case Ask.COLUMN | Ask.ONE_OF | Ask.ONE_OF_OR_POSITION:
                found = "one of the columns found: " if ask is Ask.COLUMN else "one of "
                return f"give {flag} {found}{listing(fix.choices)}"
            case Ask.EXAMPLES:
                each = [f"{flag} {c} ({n})" for c, n in zip(fix.choices, fix.notes, strict=True)]
                return f"give {fix.about} such as {' or '.join(each)}"
            case Ask.RIGHT:
                return f"give the right {flag}"
            case Ask.LARGER:
                return f"raise {flag}"
            case Ask.SMALLER:
                return f"lower {flag}"
            case _:
                return f"give {flag}"


def _file_part(fix: Fix) -> str:
    """Name a sheet or layer the command line's way: after the file name, ``FILE#NAME``."""
    if fix.ask is Ask.NAME:
        example = fix.example if fix.example is not None else fix.about.upper()
        return f"name the {fix.about} after the file name, e.g. FILE#{example}"
    if fix.argument is Argument.LAYER:
        return f"name the layer after the file name (FILE#NAME), one of {listing(fix.choices)}"
    return (
        "name the sheet or layer after the file name, FILE#NAME, with NAME one of "
        f"{listing(fix.choices)}"
    )


COMMAND_LINE = CommandLine()
"""The command line's words for every problem."""


def for_the_command_line(exc: BaseException) -> str:
    """Return an error's message in the command line's words (its options, not arguments).

    Parameters
    ----------
    exc : BaseException
        The error: a :class:`~carezones.ValidationError` is worded from its problems' fields,
        :class:`InputProblems` file by file, any other :class:`~carezones.CarezonesError`
        from its words (:meth:`~carezones.CarezonesError.message`), anything else as it is.

    Returns
    -------
    str
        The message.
    """
    if isinstance(exc, ValidationError):
        return exc.message(COMMAND_LINE)
    if isinstance(exc, InputProblems):
        return "\n\n".join(for_the_command_line(e) for e in exc.errors)
    if isinstance(exc, CarezonesError):
        return exc.message(COMMAND_LINE)
    return str(exc)
