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

:func:`check_number` and :func:`check_integer` check the numeric arguments of the public
functions (and the command line's options) with one wording.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NoReturn

import numpy as np
import numpy.typing as npt
import pandas as pd

PROBLEM_COLUMNS = ["row", "column", "value", "reason", "fix"]
LISTED_PER_COLUMN = 1000  # problems listed per column; more are counted (bounded time and memory)
UNLISTED = "more problems in this column are not listed"


class CarezonesError(Exception):
    """Base class of every carezones error.

    Catch it to handle anything carezones raises on purpose; the subclasses say what went
    wrong (see the table above).

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


class ValidationError(CarezonesError, ValueError):
    """Input data failed validation.

    Parameters
    ----------
    problems : pandas.DataFrame
        One row per problem with columns ``row``, ``column``, ``value``, ``reason`` and
        ``fix``. ``row`` is the row number the user sees: for CSV and Excel the spreadsheet
        row number, where the header is row 1 so the first data row is row 2; for GeoPackage,
        GeoJSON and DataFrames the 1-based feature/record number. It is missing (``<NA>``)
        for problems with the whole file, shown as "file" in the message.
    source : str, default "input"
        What was being read: a file name (never its path or contents), "DataFrame" or
        "GeoDataFrame".

    Attributes
    ----------
    problems : pandas.DataFrame
        The problems table, renumbered from 0.
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

    def __init__(self, problems: pd.DataFrame, source: str = "input") -> None:
        self.problems = problems.reset_index(drop=True)
        self.source = source
        super().__init__(self._message())

    def _message(self, limit: int = 50) -> str:
        probs = self.problems
        unlisted = probs["reason"].astype(str).str.contains(UNLISTED, regex=False)
        listed, summaries = probs[~unlisted], probs[unlisted]
        n = len(listed)
        rows = listed["row"].dropna().nunique() if n else 0
        head = f"{source_label(self.source)}: {n} problem(s)"
        if rows:
            head += f" in {rows} row(s)"
        lines = [head + ":"]
        for rec in listed.head(limit).itertuples(index=False):
            where = f"row {rec.row}" if rec.row is not None and not pd.isna(rec.row) else "file"
            col = f", column '{rec.column}'" if _given(rec.column) else ""
            val = f" (value {rec.value!r})" if _given(rec.value) else ""
            lines.append(f"  - {where}{col}{val}: {rec.reason}. Fix: {rec.fix}")
        if n > limit:
            lines.append(f"  ... and {n - limit} more (see the .problems table of this error)")
        for rec in summaries.itertuples(index=False):
            lines.append(f"  - column '{rec.column}': {rec.reason}. Fix: {rec.fix}")
        if n and listed["row"].isna().any():
            lines.append("Problems marked 'file' concern the whole file: no row can be used.")
        else:
            lines.append(
                "Correct these rows, or pass errors='collect' to keep the valid rows and get the "
                "rejected ones back as a table."
            )
        return "\n".join(lines)


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
    items : list of tuple
        The problems recorded: ``(row, column, value, reason, fix)``.

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
        self.items: list[tuple[int | None, str | None, object, str, str]] = []
        self.fatal = False
        self.listed: dict[str | None, int] = {}  # problems listed per column
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
        self.first_unlisted: npt.NDArray[np.object_] = np.full(len(self.rows), None, object)

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
        return self.listed.get(column, 0) >= LISTED_PER_COLUMN

    def add(
        self, pos: int | np.integer, column: str | None, value: object, reason: str, fix: str
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
        reason, fix : str
            What is wrong, and how to put it right.

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3])
        >>> problems.add(0, "hours", "lots", "hours must be a number", "give hours a week")
        >>> problems.items
        [(2, 'hours', 'lots', 'hours must be a number', 'give hours a week')]
        """
        self.bad[pos] = True
        if self.full(column):
            self.unlisted[column] = self.unlisted.get(column, 0) + 1
            if self.first_unlisted[pos] is None:
                self.first_unlisted[pos] = (column, reason, fix)
            return
        self.listed[column] = self.listed.get(column, 0) + 1
        shown = self.show(value) if self.show is not None else value
        self.items.append((int(self.rows[pos]), column, shown, reason, fix))

    def add_file(self, reason: str, fix: str, column: str | None = None) -> None:
        """Record a problem with the whole file: no row can be used, but checking goes on.

        Parameters
        ----------
        reason, fix : str
            What is wrong, and how to put it right.
        column : str, optional
            The column concerned, if any.

        Examples
        --------
        >>> problems = Problems("clients.csv", rows=[2, 3])
        >>> problems.add_file("no hours column", "add a column hours_per_week")
        >>> problems.fatal, problems.bad
        (True, array([False, False]))
        """
        self.items.append((None, column, None, reason, fix))
        self.fatal = True

    def stop(self, reason: str, fix: str, column: str | None = None) -> NoReturn:
        """Record a problem with the whole file and raise: reading cannot go on.

        Parameters
        ----------
        reason, fix : str
            What is wrong, and how to put it right.
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

    def extend(self, table: pd.DataFrame) -> None:
        """Add the problems of a table already made, such as the rows a first reader rejected.

        Parameters
        ----------
        table : pandas.DataFrame
            A problems table (columns :data:`PROBLEM_COLUMNS`).

        Examples
        --------
        >>> first = Problems("visits.csv", rows=[2, 3])
        >>> first.add(1, "start", "25:00", "not a time", "write HH:MM")
        >>> later = Problems("visits.csv")
        >>> later.extend(first.table())
        >>> later.items
        [(3, 'start', '25:00', 'not a time', 'write HH:MM')]
        """
        for row, column, value, reason, fix in table[PROBLEM_COLUMNS].itertuples(index=False):
            whole_file = bool(pd.isna(row))
            self.items.append((None if whole_file else int(row), column, value, reason, fix))
            self.fatal |= whole_file

    def table(self, every_row: bool = False) -> pd.DataFrame:
        """Return the problems table: columns :data:`PROBLEM_COLUMNS`, one row per problem.

        At most :data:`LISTED_PER_COLUMN` problems are listed per column; one more line per
        such column says how many were not. With ``every_row``, each rejected row that has no
        listed problem is listed once more with its first problem, so that every rejected row
        is named.

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
        items = list(self.items)
        for column, more in self.unlisted.items():
            items.append(
                (
                    None,
                    column,
                    None,
                    f"{more:,} {UNLISTED} (the first {LISTED_PER_COLUMN:,} are)",
                    "correct the rows listed first: a file with this many problems is "
                    "often the wrong file, or a different layout",
                )
            )
        if every_row and self.unlisted:
            listed = {row for row, *_ in self.items if row is not None}
            for pos in np.flatnonzero(self.bad):
                first = self.first_unlisted[pos]
                if first is not None and int(self.rows[pos]) not in listed:
                    items.append((int(self.rows[pos]), first[0], None, first[1], first[2]))
        df = pd.DataFrame(items, columns=PROBLEM_COLUMNS, dtype=object)
        df["row"] = df["row"].astype("Int64")
        df = df.sort_values("row", kind="stable", na_position="first")
        last = df["reason"].astype(str).str.contains(UNLISTED, regex=False)
        return pd.concat([df[~last], df[last]]).reset_index(drop=True)

    def raise_all(self) -> NoReturn:
        """Raise every problem recorded so far: reading cannot go on.

        Raises
        ------
        ValidationError
            Always, with the problems table.

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
        raise ValidationError(self.table(), self.source) from None

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

    Examples
    --------
    >>> check_integer("n_zones", 0, minimum=1)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: n_zones must be a whole number of at least 1, not 0
    """


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
        raise ArgumentError(f"{name} must be {want}, not {value!r}")
    number = float(value)
    low_bad = minimum is not None and (number <= minimum if above else number < minimum)
    high_bad = maximum is not None and (number >= maximum if below else number > maximum)
    if number in (float("inf"), float("-inf")) or low_bad or high_bad:
        raise ArgumentError(f"{name} must be {want}, not {value!r}")
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
    if isinstance(value, bool) or not isinstance(value, int):
        import numbers

        if not (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
            raise ArgumentError(f"{name} must be {want}, not {value!r}")
    number = int(value)
    if minimum is not None and number < minimum:
        raise ArgumentError(f"{name} must be {want}, not {value!r}")
    return number
