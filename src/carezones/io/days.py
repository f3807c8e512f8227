"""Days of a week file: a date (2026-12-07) or a weekday (Mon, Monday), checked in one pass.

Visits and carers' shifts may carry a ``day`` column, so that one file holds a week (or any
run of days). A day is written as a date, ``YYYY-MM-DD`` (``DD/MM/YYYY`` and a spreadsheet's
own date cells are read too), or as a weekday, ``Mon`` or ``Monday`` (any case; ``Tues``,
``Thurs`` and the like too). :func:`parse_day` turns a cell into its label: the ISO date, or
the weekday's three letters. :func:`day_column` checks a whole column with the reader's
:class:`~carezones.errors.Problems` (a file mixing dates and weekdays, a blank or unreadable
day), and :func:`same_day` says whether a carer's row works on a visit's day: the same date,
the same weekday, or a weekday rota row on a date of that weekday.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pandas as pd

from carezones.errors import Problems
from carezones.io._cells import find_named, is_blank

__all__ = [
    "DAY_FIX",
    "WEEKDAYS",
    "day_column",
    "day_key",
    "days_in",
    "is_weekday",
    "parse_day",
    "same_day",
    "weekday_of",
]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAY_FIX = "write the day as a date such as 2026-12-07, or as a weekday such as Mon or Monday"
_NAMES = {
    **{d.lower(): d for d in WEEKDAYS},
    "monday": "Mon",
    "tues": "Tue",
    "tuesday": "Tue",
    "weds": "Wed",
    "wednesday": "Wed",
    "thur": "Thu",
    "thurs": "Thu",
    "thursday": "Thu",
    "friday": "Fri",
    "saturday": "Sat",
    "sunday": "Sun",
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_day(value: object) -> str | None:
    """Return the label of a day: ``"2026-12-07"`` for a date, ``"Mon"`` for a weekday.

    Parameters
    ----------
    value : object
        A date (``2026-12-07``, ``07/12/2026``, a ``datetime.date`` or a spreadsheet's date
        cell) or a weekday name (``Mon``, ``monday``, ``Tues``...).

    Returns
    -------
    str or None
        The label, or ``None`` for a blank cell or anything that is not a day.

    Examples
    --------
    >>> parse_day("2026-12-07"), parse_day("07/12/2026"), parse_day("monday")
    ('2026-12-07', '2026-12-07', 'Mon')
    >>> parse_day("someday") is None
    True
    """
    if isinstance(value, dt.datetime | pd.Timestamp):
        if (value.hour, value.minute, value.second) != (0, 0, 0):
            return None
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if is_blank(value) or not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower() in _NAMES:
        return _NAMES[text.lower()]
    for pattern, order in ((_ISO, (0, 1, 2)), (_UK, (2, 1, 0))):
        m = pattern.match(text)
        if m:
            y, mo, d = (int(m.group(i + 1)) for i in order)
            try:
                return dt.date(y, mo, d).isoformat()
            except ValueError:
                return None
    return None


def is_weekday(label: str) -> bool:
    """Whether a day label is a weekday (``Mon``) rather than a date."""
    return label in WEEKDAYS


def day_key(label: str) -> tuple[int, str]:
    """Sort key of a day label: dates in order, weekdays Monday to Sunday."""
    return (WEEKDAYS.index(label), "") if label in WEEKDAYS else (7, label)


def weekday_of(label: str) -> str:
    """Return the weekday of a day label (``"2026-12-07"`` -> ``"Mon"``)."""
    if label in WEEKDAYS:
        return label
    return WEEKDAYS[dt.date.fromisoformat(label).weekday()]


def same_day(carer_day: str, visit_day: str) -> bool:
    """Whether a carer's row for ``carer_day`` works on ``visit_day``.

    The same date or weekday, or a weekday (a standing rota) on a date of that weekday.
    """
    if carer_day == visit_day:
        return True
    return (
        is_weekday(carer_day) and not is_weekday(visit_day) and (weekday_of(visit_day) == carer_day)
    )


def day_column(df: pd.DataFrame, probs: Problems, what: str = "row") -> bool:
    """Check and normalise an optional ``day`` column in place; return whether there is one.

    The column (``day``, matched ignoring case) becomes ``day`` with each row's label
    (:func:`parse_day`). A blank or unreadable day is a problem of its row; so is a day in
    the less common form when the file mixes dates and weekdays.

    Parameters
    ----------
    df : DataFrame
        The rows being read (positions as in ``probs``).
    probs : Problems
        The reader's collector.
    what : str
        What a row is, for the wording (``"visit"``, ``"shift"``).

    Returns
    -------
    bool
        Whether the table has a day column.
    """
    col = find_named([str(c) for c in df.columns], "day")
    if col is None:
        return False
    cells = df[col].tolist()
    labels = [parse_day(v) for v in cells]
    for pos, (v, label) in enumerate(zip(cells, labels, strict=True)):
        if label is None:
            blank = is_blank(v)
            probs.add(
                pos,
                col,
                None if blank else v,
                f"missing day of the {what}" if blank else "not a day",
                DAY_FIX,
            )
    forms = [is_weekday(x) for x in labels if x is not None]
    n_week = sum(forms)
    if 0 < n_week < len(forms):  # mixed: the fewer form is the odd one out
        odd_weekday = n_week <= len(forms) - n_week
        for pos, label in enumerate(labels):
            if label is not None and is_weekday(label) == odd_weekday:
                probs.add(
                    pos,
                    col,
                    cells[pos],
                    "the file mixes dates and weekdays",
                    "write every day as a date, or every day as a weekday",
                )
    if col != "day":
        df.drop(columns=col, inplace=True)
    df["day"] = [x if x is not None else "" for x in labels]
    return True


def days_in(labels: Iterable[str]) -> list[str]:
    """Return the distinct day labels in order (:func:`day_key`)."""
    return sorted({str(x) for x in labels if str(x)}, key=day_key)
