"""Every exception a carezones user can catch, and the one collector of input problems.

Every error says what went wrong and how to fix it. All are :class:`CarezonesError`; those
about bad input are also ``ValueError``. Input problems are collected in one pass (by a
:class:`Problems` collector) and raised together as a :class:`ValidationError`, whose
``problems`` table has one row per problem (row number, column, value, reason, fix).

========================  ==================================================================
:class:`CarezonesError`   base class of them all
:class:`ValidationError`  an input file or table failed validation (``ValueError`` too)
:class:`ConfigError`      a site-scoring configuration is not valid (``ValueError`` too)
:class:`ZoneError`        zones cannot be built as asked (``ValueError`` too)
:class:`OutputError`      an output cannot be written where asked (``ValueError`` too)
:class:`ArgumentError`    an argument or option is not a value it can take (``ValueError`` too)
:class:`NetworkError`     a road network could not be loaded or queried
:class:`OfflineError`     a download was needed but there is no internet connection
========================  ==================================================================

A problem is data, not only words: each :class:`Problem` has its row, column, value, reason
and :class:`Fix`, and a fix that an argument of the readers gives names that argument
(:class:`Argument`) with what to give it (:class:`Ask`, the choices, an example). The words
for Python users (:data:`PYTHON`) are made from those fields; the command line makes its own
from the same fields, naming its options (``--crs``, ``FILE#NAME``) instead of the arguments.

:func:`check_number` and :func:`check_integer` check the numeric arguments of the public
functions (and the command line's options) with one wording.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Final, NoReturn, Protocol, Self

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "Argument",
    "ArgumentError",
    "Ask",
    "CarezonesError",
    "ConfigError",
    "Fix",
    "NetworkError",
    "OfflineError",
    "OutputError",
    "Problem",
    "Problems",
    "Reason",
    "ValidationError",
    "Wording",
    "ZoneError",
    "check_integer",
    "check_number",
    "source_label",
]

PROBLEM_COLUMNS = ["row", "column", "value", "reason", "fix"]
LISTED_PER_COLUMN = 1000  # problems listed per column; more are counted (bounded time and memory)
UNLISTED = "more problems in this column are not listed"


class Argument(StrEnum):
    """An argument of the readers (or an option of the planners) that a message names.

    A :class:`Fix` or a :class:`Reason` names it, in a :class:`ValidationError` or in the
    words of any :class:`CarezonesError` made with :meth:`CarezonesError.worded`. Its value
    is the argument's Python name; ``XY`` stands for ``x=`` and ``y=`` together. The command
    line has its own option for several (``--crs``, ``--postcodes``, ``FILE#NAME`` for a
    sheet, ``--show-clients``) and its own words for the others; :mod:`carezones.cli` holds
    that table.

    Examples
    --------
    >>> Argument.POSTCODE_LOOKUP.value
    'postcode_lookup'
    """

    SHEET = "sheet"
    LAYER = "layer"
    CRS = "crs"
    X = "x"
    Y = "y"
    XY = "x and y"
    POSTCODE_LOOKUP = "postcode_lookup"
    ID_COLUMN = "id_column"
    HOURS_COLUMN = "hours_column"
    AREA_COLUMN = "area_column"
    COUNT_COLUMN = "count_column"
    MAX_OUTSIDE_KM = "max_outside_km"
    ALLOW_POLYGONS = "allow_polygons"
    SHOW_CLIENTS = "show_clients"
    UNIT_ID = "unit_id"
    K = "k"
    MIN_SCORE = "min_score"
    PLAN_FOR = "plan_for"
    YEARS = "years"
    BASE_YEAR = "base_year"
    AUTHORITY = "authority"
    AUTHORITY_COLUMN = "authority_column"
    WEIGHT_COLUMN = "weight_column"
    SPREAD_BY = "spread_by"


DEMAND_COLUMNS = {Argument.AREA_COLUMN: "area", Argument.COUNT_COLUMN: "count"}
"""The arguments :func:`~carezones.io.read_demand` takes as fields of ``DemandColumns``."""


class Ask(Enum):
    """What a :class:`Fix` asks of its argument, and so how it is put into words.

    ======================  ==================================================================
    ``VALUE``               give it ``about`` (what the value is), e.g. ``example``
    ``FOR``                 give it, ``about`` saying what that does
    ``NAME``                give it the name of the ``about`` to read (a sheet, a layer),
                            e.g. ``example``
    ``ONE_OF``              give it one of ``choices``
    ``ONE_OF_OR_POSITION``  give it one of ``choices`` or its 0-based position
    ``COLUMN``              give it one of the columns found, ``choices``
    ``EXAMPLES``            give it ``about`` such as one of ``choices`` (each with its note)
    ``RIGHT``               give it the right value (the one given is wrong)
    ``TRUE``                set it to ``True``
    ``LARGER``              give it a larger value
    ``SMALLER``             give it a smaller value
    ``BOTH``                give both (``x=`` and ``y=``), ``about`` saying what they are
    ======================  ==================================================================

    Examples
    --------
    >>> str(Fix(argument=Argument.ALLOW_POLYGONS, ask=Ask.TRUE))
    'pass allow_polygons=True'
    """

    VALUE = "value"
    FOR = "for"
    NAME = "name"
    ONE_OF = "one of"
    ONE_OF_OR_POSITION = "one of or position"
    COLUMN = "column"
    EXAMPLES = "examples"
    RIGHT = "right"
    TRUE = "true"
    LARGER = "larger"
    SMALLER = "smaller"
    BOTH = "both"


@dataclass(frozen=True)
class Fix:
    """How to put a problem right: plain advice, and the argument that does it, if one does.

    Parameters
    ----------
    text : str, default ""
        The advice in words that hold for everyone (no argument in them).
    argument : Argument, optional
        The reader's argument that puts the problem right.
    ask : Ask, default Ask.VALUE
        What to give ``argument``.
    choices : tuple of str, default ()
        The values it can take (sheets, layers, columns found, example codes).
    notes : tuple of str, default ()
        What each of ``choices`` is, when that is said (``Ask.EXAMPLES``).
    example : str, optional
        A value to show.
    about : str, default ""
        What the value is or does (see :class:`Ask`).
    first : bool, default False
        Name the argument before ``text`` rather than after it.
    joiner : str, default ", or "
        The words between ``text`` and the argument.

    Examples
    --------
    >>> fix = Fix(argument=Argument.SHEET, ask=Ask.ONE_OF, choices=("North", "South"))
    >>> str(fix)
    "pass sheet= one of 'North', 'South'"
    >>> str(Fix("convert the features to points", Argument.ALLOW_POLYGONS, Ask.TRUE, first=True))
    'pass allow_polygons=True, or convert the features to points'
    >>> str(Fix("fill in the hours"))  # no argument puts it right
    'fill in the hours'
    """

    text: str = ""
    argument: Argument | None = None
    ask: Ask = Ask.VALUE
    choices: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    example: str | None = None
    about: str = ""
    first: bool = False
    joiner: str = ", or "

    def __str__(self) -> str:
        return PYTHON.fix(self)


@dataclass(frozen=True)
class Reason:
    """What is wrong, in words that name an argument as it was given (``crs='EPSG:9999'``).

    Parameters
    ----------
    before : str
        The words before the argument.
    argument : Argument
        The argument named.
    value : object, optional
        Its value, when the words show it (``None``: the argument alone, ``id_column=``).
    after : str, default ""
        The words after it.

    Examples
    --------
    >>> str(Reason("more than ", Argument.MAX_OUTSIDE_KM, 2.0, " outside"))
    'more than max_outside_km=2 outside'
    >>> str(Reason("column 'ref' given by ", Argument.ID_COLUMN, after=" is not in the file"))
    "column 'ref' given by id_column= is not in the file"
    """

    before: str
    argument: Argument
    value: object = None
    after: str = ""

    def __str__(self) -> str:
        return reason_text(PYTHON, self)


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is, what is wrong and how to put it right.

    Parameters
    ----------
    row : int or None
        The row number the user sees (see :class:`ValidationError`), ``None`` for the whole
        file.
    column : str or None
        The column at fault, if any.
    value : object
        The value at fault as shown (``None`` when blank or not shown).
    reason : str or Reason
        What is wrong.
    fix : Fix
        How to put it right.
    unlisted : int, default 0
        More than zero for the line that stands for that many problems of ``column`` which
        are counted but not listed (see :data:`LISTED_PER_COLUMN`).

    Examples
    --------
    >>> problem = Problem(3, "hours", "lots", "hours is not a number", Fix("write 7.5"))
    >>> problem.row, str(problem.fix)
    (3, 'write 7.5')
    """

    row: int | None
    column: str | None
    value: object
    reason: str | Reason
    fix: Fix
    unlisted: int = 0


class Wording(Protocol):
    """How problems are put into words for one audience (Python users, the command line).

    ``correct_rows`` closes a message whose problems are all in rows; :meth:`fix` and
    :meth:`given` word a fix and an argument as given. :data:`PYTHON` is the wording for
    Python users; the command line has its own (``carezones.cli``).

    Examples
    --------
    >>> isinstance(PYTHON.given(Argument.CRS, None), str)
    True
    """

    correct_rows: str

    def fix(self, fix: Fix) -> str:
        """Return the words of a fix.

        Parameters
        ----------
        fix : Fix
            What would correct a problem.

        Returns
        -------
        str
            The fix in this audience's words.

        Examples
        --------
        >>> PYTHON.fix(Fix(argument=Argument.ALLOW_POLYGONS, ask=Ask.TRUE))
        'pass allow_polygons=True'
        """
        ...

    def given(self, argument: Argument, value: object) -> str:
        """Return an argument as given (``value`` ``None``: the argument alone).

        Parameters
        ----------
        argument : Argument
            The argument.
        value : object
            Its value, or ``None``.

        Returns
        -------
        str
            The argument in this audience's words.

        Examples
        --------
        >>> PYTHON.given(Argument.MAX_OUTSIDE_KM, 2)
        'max_outside_km=2'
        """
        ...


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Return names quoted and comma-separated, shortened after ``limit`` names.

    Parameters
    ----------
    names : iterable of str
        The names.
    limit : int, default 12
        How many are written out.

    Returns
    -------
    str
        The listing.

    Examples
    --------
    >>> listing(["lat", "lon", "postcode"], limit=2)
    "'lat', 'lon' and 1 more"
    """
    names = list(names)
    text = ", ".join(f"'{n}'" for n in names[:limit])
    return text + (f" and {len(names) - limit} more" if len(names) > limit else "")


def shown_number(value: object) -> str:
    """Return a value as a message shows it: a float as ``2`` or ``0.5``, anything else quoted.

    Examples
    --------
    >>> shown_number(2.0), shown_number("EPSG:99999"), shown_number(27700)
    ('2', "'EPSG:99999'", '27700')
    """
    return format(value, "g") if isinstance(value, float) else repr(value)


def join_fix(fix: Fix, phrase: str | None) -> str:
    """Join a fix's plain words with the words naming its argument (``None``: none).

    Parameters
    ----------
    fix : Fix
        The fix.
    phrase : str or None
        Its argument in an audience's words; ``None`` when that audience has no such argument.

    Returns
    -------
    str
        The whole fix.

    Examples
    --------
    >>> join_fix(Fix("check the coordinates", Argument.CRS, Ask.RIGHT), "give the right --crs")
    'check the coordinates, or give the right --crs'
    """
    if not phrase:
        return fix.text
    if not fix.text:
        return phrase
    return f"{phrase}{fix.joiner}{fix.text}" if fix.first else f"{fix.text}{fix.joiner}{phrase}"


class PythonWording:
    """The words for Python users: arguments as they are passed (``crs=``, ``sheet=``).

    Examples
    --------
    >>> PYTHON.given(Argument.CRS, "EPSG:99999"), PYTHON.given(Argument.XY, None)
    ("crs='EPSG:99999'", 'x= and y=')
    """

    correct_rows = (
        "Correct these rows, or pass errors='collect' to keep the valid rows and get the rejected "
        "ones back as a table."
    )

    def given(self, argument: Argument, value: object) -> str:
        """Return ``name=`` (with the value when given), or ``x= and y=``."""
        if argument is Argument.XY:
            return "x= and y="
        shown = "" if value is None else shown_number(value)
        if argument in DEMAND_COLUMNS:  # read_demand names its columns with DemandColumns
            return f"DemandColumns({DEMAND_COLUMNS[argument]}={shown})"
        return f"{argument.value}={shown}"

    def fix(self, fix: Fix) -> str:
        """Return a fix in words: its text and ``pass <argument>=`` what it asks."""
        return join_fix(fix, self.phrase(fix) if fix.argument is not None else None)

    def phrase(self, fix: Fix) -> str:
        """Return the words naming the fix's argument and what to give it."""
        assert fix.argument is not None
        a = self.given(fix.argument, None)
        eg = f", e.g. {a}{fix.example!r}" if fix.example is not None else ""
        about = f" {fix.about}" if fix.about else ""
        match fix.ask:
            case Ask.VALUE | Ask.FOR:
                return f"pass {a}{about}{eg}"
            case Ask.NAME:
                return f"pass {a} the name of the {fix.about} to read{eg}"
            case Ask.ONE_OF:
                return f"pass {a} one of {listing(fix.choices)}"
            case Ask.ONE_OF_OR_POSITION:
                return f"pass {a} one of {listing(fix.choices)} (or its 0-based position)"
            case Ask.COLUMN:
                return f"pass {a} one of the columns found: {listing(fix.choices)}"
            case Ask.EXAMPLES:
                each = [f"{a}{c!r} ({n})" for c, n in zip(fix.choices, fix.notes, strict=True)]
                return f"pass {fix.about} such as {' or '.join(each)}"
            case Ask.RIGHT:
                return f"pass the right {a}"
            case Ask.TRUE:
                return f"pass {a}True"
            case Ask.LARGER:
                return f"raise {fix.argument.value}"
            case Ask.SMALLER:
                return f"lower {fix.argument.value}"
            case Ask.BOTH:
                return f"pass both {a}{about}"


PYTHON: Final = PythonWording()
"""The words of every message for Python users."""


def reason_text(wording: Wording, reason: str | Reason) -> str:
    """Return a reason in an audience's words.

    Parameters
    ----------
    wording : Wording
        The audience's words (:data:`PYTHON`, or the command line's).
    reason : str or Reason
        The reason.

    Returns
    -------
    str
        The reason, with any argument it names as that audience gives it.

    Examples
    --------
    >>> reason_text(PYTHON, Reason("unknown coordinate reference system ", Argument.CRS, 27700))
    'unknown coordinate reference system crs=27700'
    """
    if isinstance(reason, str):
        return reason
    return reason.before + wording.given(reason.argument, reason.value) + reason.after


type Words = tuple[str | Reason | Fix, ...]
"""A message as data: plain words, and the reasons and fixes that name an argument."""


def worded(wording: Wording, words: Words) -> str:
    """Return a message made of words, reasons and fixes in an audience's words.

    Parameters
    ----------
    wording : Wording
        The audience's words (:data:`PYTHON`, or the command line's).
    words : tuple of str, Reason or Fix
        The message's parts, in order.

    Returns
    -------
    str
        The message.

    Examples
    --------
    >>> worded(PYTHON, ("20 zones: too many; or ", Fix(argument=Argument.SHOW_CLIENTS,
    ...                 ask=Ask.TRUE)))
    '20 zones: too many; or pass show_clients=True'
    """
    return "".join(wording.fix(w) if isinstance(w, Fix) else reason_text(wording, w) for w in words)


class CarezonesError(Exception):
    """Base class of every carezones error.

    Catch it to handle anything carezones raises on purpose; the subclasses say what went
    wrong (see the table above). An error made with :meth:`worded` keeps its message as data
    (:attr:`words`), so that the command line words the arguments it names with its own
    options (:meth:`message`).

    Attributes
    ----------
    words : tuple of str, Reason or Fix
        The message as data (empty: the message is its text only).

    Examples
    --------
    >>> from carezones import CarezonesError, load_network
    >>> try:
    ...     load_network("no-such-file.xyz")
    ... except (CarezonesError, FileNotFoundError) as exc:
    ...     print(type(exc).__name__)
    FileNotFoundError
    >>> issubclass(ValidationError, CarezonesError)
    True
    """

    words: Words = ()

    @classmethod
    def worded(cls, *words: str | Reason | Fix) -> Self:
        """Return an error whose message names arguments (in Python's words by default).

        Parameters
        ----------
        *words : str, Reason or Fix
            The message's parts, in order.

        Returns
        -------
        CarezonesError
            The error (of this class), its message in the words for Python users.

        Examples
        --------
        >>> err = ZoneError.worded("too many zones; or ", Fix(argument=Argument.SHOW_CLIENTS,
        ...                        ask=Ask.TRUE))
        >>> str(err)
        'too many zones; or pass show_clients=True'
        """
        error = cls(worded(PYTHON, words))
        error.words = words
        return error

    def message(self, wording: Wording = PYTHON) -> str:
        """Return the message in an audience's words (by default, Python users').

        Parameters
        ----------
        wording : Wording, default PYTHON
            How arguments are put into words (the command line passes its own).

        Returns
        -------
        str
            The message.

        Examples
        --------
        >>> ZoneError("no client to zone").message()
        'no client to zone'
        """
        return worded(wording, self.words) if self.words else str(self)


class ValidationError(CarezonesError, ValueError):
    """Input data failed validation.

    Parameters
    ----------
    problems : sequence of Problem, or pandas.DataFrame
        Every problem (as a :class:`Problems` collector lists them), or a problems table with
        columns ``row``, ``column``, ``value``, ``reason`` and ``fix``. ``row`` is the row
        number the user sees: for CSV and Excel the spreadsheet row number, where the header is
        row 1 so the first data row is row 2; for GeoPackage, GeoJSON and DataFrames the
        1-based feature/record number. It is missing (``<NA>``) for problems with the whole
        file, shown as "file" in the message.
    source : str, default "input"
        What was being read: a file name (never its path or contents), "DataFrame" or
        "GeoDataFrame".

    Attributes
    ----------
    problems : pandas.DataFrame
        The problems table, renumbered from 0, in the words for Python users.
    items : tuple of Problem
        The same problems as data (row, column, value, reason, :class:`Fix`), in that order.
    source : str
        As given.

    See Also
    --------
    Problems : Collects the problems of one pass and raises this error.

    Examples
    --------
    >>> import pandas as pd
    >>> from carezones import ValidationError, read_points
    >>> table = pd.DataFrame({"lat": [52.6, 95.0, None], "lon": [-0.7, -0.7, -0.71]})
    >>> try:
    ...     read_points(table)
    ... except ValidationError as exc:
    ...     for problem in exc.problems.itertuples():
    ...         print(problem.row, problem.column, problem.reason)
    2 lat latitude out of range (must be between -90 and 90)
    3 lat missing latitude
    """

    def __init__(self, problems: Sequence[Problem] | pd.DataFrame, source: str = "input") -> None:
        if isinstance(problems, pd.DataFrame):
            self.problems = problems.reset_index(drop=True)
            self.items: tuple[Problem, ...] = tuple(_from_table(self.problems))
        else:
            self.items = tuple(problems)
            self.problems = problem_table(self.items)
        self.source = source
        super().__init__(self.message())

    def __reduce__(self) -> tuple[type[ValidationError], tuple[tuple[Problem, ...], str]]:
        return type(self), (self.items, self.source)

    def message(self, wording: Wording = PYTHON, limit: int = 50) -> str:
        """Return the message in an audience's words (by default, Python users').

        Parameters
        ----------
        wording : Wording, default PYTHON
            How fixes and arguments are put into words (the command line passes its own).
        limit : int, default 50
            How many problems are written out; the others are counted.

        Returns
        -------
        str
            The message: the source, each problem with its row and fix, and what to do.

        Examples
        --------
        >>> problems = Problems("visits.csv", rows=[2, 3])
        >>> problems.add(0, "start", "25:00", "not a time", "write HH:MM")
        >>> problems.add(1, "start", "26:00", "not a time", "write HH:MM")
        >>> print(ValidationError(problems.listed(), "visits.csv").message(limit=1))
        visits.csv: 2 problem(s) in 2 row(s):
          - row 2, column 'start' (value '25:00'): not a time. Fix: write HH:MM
          ... and 1 more (see the .problems table of this error)
        Correct these rows, or pass errors='collect' to keep the valid rows and get the rejected ones back as a table.
        """  # noqa: E501
        listed = [p for p in self.items if not p.unlisted]
        summaries = [p for p in self.items if p.unlisted]
        n = len(listed)
        rows = len({p.row for p in listed if p.row is not None})
        head = f"{source_label(self.source)}: {n} problem(s)"
        if rows:
            head += f" in {rows} row(s)"
        lines = [head + ":"]
        for p in listed[:limit]:
            where = f"row {p.row}" if p.row is not None else "file"
            col = f", column '{p.column}'" if _given(p.column) else ""
            val = f" (value {p.value!r})" if _given(p.value) else ""
            why, fix = reason_text(wording, p.reason), wording.fix(p.fix)
            lines.append(f"  - {where}{col}{val}: {why}. Fix: {fix}")
        if n > limit:
            lines.append(f"  ... and {n - limit} more (see the .problems table of this error)")
        for p in summaries:
            why, fix = reason_text(wording, p.reason), wording.fix(p.fix)
            lines.append(f"  - column '{p.column}': {why}. Fix: {fix}")
        if any(p.row is None for p in listed):
            lines.append("Problems marked 'file' concern the whole file: no row can be used.")
        else:
            lines.append(wording.correct_rows)
        return "\n".join(lines)


def _from_table(table: pd.DataFrame) -> list[Problem]:
    """Return the problems of a table (their fixes are words only: no argument is known)."""
    out = []
    for row, column, value, reason, fix in table[PROBLEM_COLUMNS].itertuples(index=False):
        at = None if pd.isna(row) else int(row)
        out.append(Problem(at, column, value, str(reason), Fix(str(fix))))
    return out


def problem_table(problems: Iterable[Problem]) -> pd.DataFrame:
    """Return problems as a table: columns :data:`PROBLEM_COLUMNS`, in the words for Python users.

    Parameters
    ----------
    problems : iterable of Problem
        The problems, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        One row per problem; ``row`` is ``<NA>`` for problems with the whole file.

    Examples
    --------
    >>> problem_table([Problem(None, None, None, "no rows", Fix("export it again"))])
        row column value   reason              fix
    0  <NA>   None  None  no rows  export it again
    """
    rows = [(p.row, p.column, p.value, str(p.reason), str(p.fix)) for p in problems]
    df = pd.DataFrame(rows, columns=PROBLEM_COLUMNS, dtype=object)
    df["row"] = df["row"].astype("Int64")
    return df


class Problems:
    """The problems a reader finds in one pass, raised together as one :class:`ValidationError`.

    A problem concerns a row (by its position in the table being checked; the table shows the
    row number the user sees) or the whole file. A row with a problem is rejected: ``bad`` says
    which positions are. Problems are recorded in the order found and listed by row number,
    problems with the whole file first.

    Parameters
    ----------
    source : str, default "input"
        What is being read (a file name, "DataFrame", "visits"...), the error's ``source``.
    rows : array-like of int, optional
        The row number the user sees of each position of the table being checked (see
        :class:`ValidationError`); :meth:`start` sets them once the table is read.
    show : callable, optional
        How a value is written in the table; by default values are kept as given.

    Attributes
    ----------
    rows : numpy.ndarray
        The row number of each position.
    bad : numpy.ndarray
        Which positions have a problem (and are rejected).
    fatal : bool
        Whether a problem concerns the whole file, so that no row can be used.
    source, show
        As given.
    items : list of Problem
        The problems recorded, in the order found.

    Examples
    --------
    A reader checks the rows of ``visits.csv`` (spreadsheet rows 2 to 4) and finds one bad
    duration:

    >>> problems = Problems("visits.csv", rows=[2, 3, 4])
    >>> problems.add(1, "duration", "-5", "a duration must be positive", "give the minutes")
    >>> problems.bad
    array([False,  True, False])
    >>> problems.raise_if_any()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: visits.csv: 1 problem(s) in 1 row(s):
      - row 3, column 'duration' (value '-5'): a duration must be positive. Fix: give the minutes
    Correct these rows, or pass errors='collect' to keep the valid rows and get the rejected ...
    """

    def __init__(
        self,
        source: str = "input",
        rows: npt.ArrayLike = (),
        show: Callable[[object], object] | None = None,
    ) -> None:
        self.source = source
        self.show = show
        self.items: list[Problem] = []
        self.fatal = False
        self.listed_in: dict[str | None, int] = {}  # problems listed per column
        self.unlisted: dict[str | None, int] = {}  # and not listed, past LISTED_PER_COLUMN
        self.start(rows)

    def start(self, rows: npt.ArrayLike) -> None:
        """Check a table whose positions are the rows numbered ``rows``.

        Parameters
        ----------
        rows : array-like of int
            The row number the user sees of each position.

        Examples
        --------
        >>> problems = Problems("clients.csv")
        >>> problems.start([2, 3, 5])  # row 4 was blank
        >>> problems.rows, problems.bad
        (array([2, 3, 5]), array([False, False, False]))
        """
        self.rows: npt.NDArray[np.int64] = np.asarray(rows, dtype=np.int64)
        self.bad: npt.NDArray[np.bool_] = np.zeros(len(self.rows), dtype=bool)
        self.first_unlisted: list[tuple[str | None, str | Reason, Fix] | None]
        self.first_unlisted = [None] * len(self.rows)

    def full(self, column: str | None) -> bool:
        """Return whether ``column`` already has :data:`LISTED_PER_COLUMN` problems listed.

        Callers checking many cells can then skip building each problem's text.

        Parameters
        ----------
        column : str or None
            The column (``None``: problems with whole rows).

        Returns
        -------
        bool
            ``True`` when more problems in it are only counted.

        Examples
        --------
        >>> Problems("clients.csv", rows=[2, 3]).full("hours")
        False
        """
        return self.listed_in.get(column, 0) >= LISTED_PER_COLUMN

    def add(
        self,
        pos: int | np.integer,
        column: str | None,
        value: object,
        reason: str | Reason,
        fix: str | Fix,
    ) -> None:
        """Record a problem with the row at position ``pos``, which is then rejected.

        Parameters
        ----------
        pos : int
            The row's position in the table being checked.
        column : str or None
            The column at fault (``None`` for the whole row).
        value : object
            The value at fault (``None`` when blank).
        reason : str or Reason
            What is wrong.
        fix : str or Fix
            How to put it right (a text is a fix in words only).

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3])
        >>> problems.add(0, "hours", "lots", "hours must be a number", "give hours a week")
        >>> [(p.row, p.column, p.value, p.reason, str(p.fix)) for p in problems.items]
        [(2, 'hours', 'lots', 'hours must be a number', 'give hours a week')]
        """
        fix = Fix(fix) if isinstance(fix, str) else fix
        self.bad[pos] = True
        if self.full(column):
            self.unlisted[column] = self.unlisted.get(column, 0) + 1
            if self.first_unlisted[int(pos)] is None:
                self.first_unlisted[int(pos)] = (column, reason, fix)
            return
        self.listed_in[column] = self.listed_in.get(column, 0) + 1
        shown = self.show(value) if self.show is not None else value
        self.items.append(Problem(int(self.rows[pos]), column, shown, reason, fix))

    def add_file(self, reason: str | Reason, fix: str | Fix, column: str | None = None) -> None:
        """Record a problem with the whole file: no row can be used, but checking goes on.

        Parameters
        ----------
        reason : str or Reason
            What is wrong.
        fix : str or Fix
            How to put it right.
        column : str, optional
            The column concerned, if any.

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3])
        >>> problems.add_file("no hours column", "add a column hours_per_week")
        >>> problems.fatal, problems.bad
        (True, array([False, False]))
        """
        fix = Fix(fix) if isinstance(fix, str) else fix
        self.items.append(Problem(None, column, None, reason, fix))
        self.fatal = True

    def stop(self, reason: str | Reason, fix: str | Fix, column: str | None = None) -> NoReturn:
        """Record a problem with the whole file and raise: reading cannot go on.

        Parameters
        ----------
        reason : str or Reason
            What is wrong.
        fix : str or Fix
            How to put it right.
        column : str, optional
            The column concerned, if any.

        Raises
        ------
        ValidationError
            With every problem recorded so far.

        Examples
        --------
        >>> Problems("clients.csv").stop("the file is empty", "export the clients again")
        Traceback (most recent call last):
        ...
        carezones.errors.ValidationError: clients.csv: 1 problem(s):
          - file: the file is empty. Fix: export the clients again
        Problems marked 'file' concern the whole file: no row can be used.
        """
        self.add_file(reason, fix, column)
        self.raise_all()

    def extend(self, earlier: Problems) -> None:
        """Add the problems another collector found, such as the rows a first reader rejected.

        Every row the earlier collector rejected is named (as with ``every_row``); its
        problems with the whole file make this collector's file unusable too.

        Parameters
        ----------
        earlier : Problems
            The collector of an earlier pass over the same rows.

        Examples
        --------
        >>> first = Problems("visits.csv", rows=[2, 3])
        >>> first.add(1, "start", "25:00", "not a time", "write HH:MM")
        >>> later = Problems("visits.csv")
        >>> later.extend(first)
        >>> [(p.row, p.column, p.reason) for p in later.items]
        [(3, 'start', 'not a time')]
        """
        for problem in earlier.listed(every_row=True):
            self.items.append(problem)
            self.fatal |= problem.row is None

    def listed(self, every_row: bool = False) -> list[Problem]:
        """Return the problems in the order they are shown: by row, the whole file's first.

        At most :data:`LISTED_PER_COLUMN` problems are listed per column; one more line per
        such column (last) says how many were not. With ``every_row``, each rejected row that
        has no listed problem is listed once more with its first problem, so that every
        rejected row is named.

        Parameters
        ----------
        every_row : bool
            Name every rejected row (for ``errors="collect"``).

        Returns
        -------
        list of Problem
            The problems.

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3, 4])
        >>> problems.add(2, "hours", "-1", "hours must be at least 0", "give hours a week")
        >>> problems.add_file("no postcode lookup", "give the lookup")
        >>> [p.row for p in problems.listed()]
        [None, 4]
        """
        items = list(self.items)
        for column, more in self.unlisted.items():
            items.append(
                Problem(
                    None,
                    column,
                    None,
                    f"{more:,} {UNLISTED} (the first {LISTED_PER_COLUMN:,} are)",
                    Fix(
                        "correct the rows listed first: a file with this many problems is "
                        "often the wrong file, or a different layout"
                    ),
                    unlisted=more,
                )
            )
        if every_row and self.unlisted:
            named = {p.row for p in self.items if p.row is not None}
            for pos in np.flatnonzero(self.bad):
                first = self.first_unlisted[pos]
                if first is not None and int(self.rows[pos]) not in named:
                    items.append(Problem(int(self.rows[pos]), first[0], None, first[1], first[2]))
        items.sort(key=lambda p: (p.row is not None, p.row or 0))  # stable: as found within a row
        return [p for p in items if not p.unlisted] + [p for p in items if p.unlisted]

    def table(self, every_row: bool = False) -> pd.DataFrame:
        """Return the problems table: columns :data:`PROBLEM_COLUMNS`, one row per problem.

        The problems of :meth:`listed`, in the words for Python users.

        Parameters
        ----------
        every_row : bool
            Name every rejected row (for ``errors="collect"``).

        Returns
        -------
        pandas.DataFrame
            The problems by row number (problems with the whole file, row ``<NA>``, first).

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3, 4])
        >>> problems.add(2, "hours", "-1", "hours must be at least 0", "give hours a week")
        >>> problems.add_file("no postcode lookup", "pass postcode_lookup=")
        >>> problems.table()[["row", "column", "reason"]]
            row column                    reason
        0  <NA>   None        no postcode lookup
        1     4  hours  hours must be at least 0
        """
        return problem_table(self.listed(every_row))

    def raise_all(self) -> NoReturn:
        """Raise every problem recorded so far: reading cannot go on.

        Raises
        ------
        ValidationError
            Always, with the problems.

        Examples
        --------
        >>> problems = Problems("visits.csv", rows=[2])
        >>> problems.add(0, None, None, "the visit ends before it starts", "check the times")
        >>> problems.raise_all()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        carezones.errors.ValidationError: visits.csv: 1 problem(s) in 1 row(s):
          - row 2: the visit ends before it starts. Fix: check the times
        Correct these rows, or pass errors='collect' to keep the valid rows and get ...
        """
        raise ValidationError(self.listed(), self.source) from None

    def raise_if_any(self) -> None:
        """Raise every problem recorded so far, if there is any.

        Raises
        ------
        ValidationError
            When a problem was recorded.

        Examples
        --------
        >>> Problems("visits.csv", rows=[2, 3]).raise_if_any()  # no problem: nothing raised
        """
        if self.items:
            self.raise_all()


class ConfigError(CarezonesError, ValueError):
    """A site-scoring configuration is not valid; ``problems`` lists every problem found.

    Parameters
    ----------
    problems : list of str
        Every problem found, each a sentence saying what to change.
    source : str, default "configuration"
        The configuration's name (a file name).

    Attributes
    ----------
    problems : list of str
        As given.

    Examples
    --------
    >>> err = ConfigError(["weights must add up to 1", "decay must be a name"], "sites.toml")
    >>> print(err)
    sites.toml: 2 problem(s):
      - weights must add up to 1
      - decay must be a name
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, problems: list[str], source: str = "configuration") -> None:
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s):"] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


class ZoneError(CarezonesError, ValueError):
    """Zones cannot be built as asked (the message says why and what to change).

    Examples
    --------
    >>> issubclass(ZoneError, ValueError), issubclass(ZoneError, CarezonesError)
    (True, True)
    """


class OutputError(CarezonesError, ValueError):
    """An output cannot be written where asked (the message says why and what to do).

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import check_output_folder
    >>> check_output_folder(tempfile.mkstemp()[1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.OutputError: ... is a file, not a folder: give the name of a folder to write to
    """


class NetworkError(CarezonesError):
    """A road network could not be loaded or queried.

    Examples
    --------
    >>> import tempfile
    >>> from carezones import load_network
    >>> load_network(tempfile.mkstemp(suffix=".shp")[1])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.NetworkError: tmp....shp: unknown network format; use .osm.pbf, .osm, ...
    """


class OfflineError(NetworkError):
    """A download was needed but there is no internet connection.

    Examples
    --------
    Offline, a place name cannot be fetched (this needs the internet to be absent):

    >>> from carezones import load_network
    >>> load_network("Rutland, England", timeout_s=1)  # doctest: +SKIP
    Traceback (most recent call last):
    ...
    carezones.errors.OfflineError: 'Rutland, England' is not a file, so it would be fetched ...
    >>> issubclass(OfflineError, NetworkError)
    True
    """


def _given(value: object) -> bool:
    """Return True when a problem field holds something to show (not None, NaN or "")."""
    if value is None or (isinstance(value, str) and value == ""):
        return False
    return not (isinstance(value, float) and value != value) and value is not pd.NA


def source_label(source: object) -> str:
    """Return a short label for a data source (a file name, never file contents).

    Parameters
    ----------
    source : object
        What was read: a file name, "DataFrame", ...

    Returns
    -------
    str
        The label error messages start with.

    Examples
    --------
    >>> source_label("clients.csv")
    'clients.csv'
    """
    return str(source)


class ArgumentError(CarezonesError, ValueError):
    """A function argument or command-line option is not a value it can take.

    Parameters
    ----------
    message : str
        What is wrong and what to give instead.
    argument : str, optional
        The argument's name, when one argument is at fault.
    value : object, optional
        The value it was given.
    allowed : str, optional
        What it may be, in words ("a number >= 0"): with ``argument`` and ``value``, enough
        for the command line to word the error with its own option.

    Attributes
    ----------
    argument, value, allowed
        As given.

    Examples
    --------
    >>> check_integer("n_zones", 0, minimum=1)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: n_zones must be a whole number of at least 1, not 0
    >>> try:
    ...     check_number("max_outside_km", -1, minimum=0)
    ... except ArgumentError as exc:
    ...     print(exc.argument, exc.value, exc.allowed)
    max_outside_km -1 a number >= 0
    """

    def __init__(
        self,
        message: str,
        *,
        argument: str | None = None,
        value: object = None,
        allowed: str | None = None,
    ) -> None:
        super().__init__(message)
        self.argument = argument
        self.value = value
        self.allowed = allowed

    def __reduce__(self) -> tuple[object, ...]:
        return _argument_error, (type(self), str(self), dict(self.__dict__))


def _argument_error(
    cls: type[ArgumentError], message: str, fields: dict[str, object]
) -> ArgumentError:
    """Rebuild an :class:`ArgumentError` (its fields are keywords, which pickle does not pass)."""
    error = cls(message)
    error.__dict__.update(fields)
    return error


def _refuse(name: str, value: object, allowed: str) -> NoReturn:
    raise ArgumentError(
        f"{name} must be {allowed}, not {value!r}", argument=name, value=value, allowed=allowed
    )


def check_number(
    name: str,
    value: object,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: bool = False,
    below: bool = False,
) -> float:
    """Return ``value`` as a finite float, or raise :class:`ArgumentError` saying what is allowed.

    ``minimum``/``maximum`` bound it (inclusive; exclusive with ``above``/``below``). ``True``,
    text, ``nan`` and ``inf`` are refused.

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given.
    minimum, maximum : float, optional
        The bounds.
    above, below : bool, default False
        Make ``minimum`` (``maximum``) an exclusive bound.

    Returns
    -------
    float
        ``value`` as a float.

    Raises
    ------
    ArgumentError
        When ``value`` is not a finite number within the bounds.

    Examples
    --------
    >>> check_number("tolerance", 0.05, minimum=0, maximum=1, above=True, below=True)
    0.05
    >>> check_number("time_limit", float("nan"), minimum=0, above=True)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: time_limit must be a number > 0, not nan
    """
    words = []
    if minimum is not None:
        words.append(f"{'>' if above else '>='} {minimum:g}")
    if maximum is not None:
        words.append(f"{'<' if below else '<='} {maximum:g}")
    want = "a number" + (" " + " and ".join(words) if words else "")
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        _refuse(name, value, want)
    number = float(value)
    low_bad = minimum is not None and (number <= minimum if above else number < minimum)
    high_bad = maximum is not None and (number >= maximum if below else number > maximum)
    if number in (float("inf"), float("-inf")) or low_bad or high_bad:
        _refuse(name, value, want)
    return number


def check_integer(name: str, value: object, *, minimum: int | None = None) -> int:
    """Return ``value`` as an int, or raise :class:`ArgumentError` (``True``, ``2.5``, ``"3"``).

    Parameters
    ----------
    name : str
        The argument's name, for the message.
    value : object
        The value given: an int (NumPy integers too), not a bool.
    minimum : int, optional
        The smallest value allowed.

    Returns
    -------
    int
        ``value`` as an int.

    Raises
    ------
    ArgumentError
        When ``value`` is not a whole number of at least ``minimum``.

    Examples
    --------
    >>> check_integer("seed", 0, minimum=0)
    0
    >>> check_integer("n_zones", 2.5, minimum=1)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: n_zones must be a whole number of at least 1, not 2.5
    """
    want = "a whole number" + (f" of at least {minimum}" if minimum is not None else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        _refuse(name, value, want)
    number = int(value)
    if minimum is not None and number < minimum:
        _refuse(name, value, want)
    return number
