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
:class:`NetworkError`     a road network could not be loaded or queried
:class:`OfflineError`     a download was needed but there is no internet connection
========================  ==================================================================
"""

from __future__ import annotations

import pandas as pd

PROBLEM_COLUMNS = ["row", "column", "value", "reason", "fix"]


class CarezonesError(Exception):
    """Base class of every carezones error."""


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
    source : str
        What was being read: a file name (never its path or contents), "DataFrame" or
        "GeoDataFrame".
    """

    def __init__(self, problems: pd.DataFrame, source: str = "input") -> None:
        self.problems = problems.reset_index(drop=True)
        self.source = source
        super().__init__(self._message())

    def _message(self, limit: int = 50) -> str:
        n = len(self.problems)
        rows = self.problems["row"].dropna().nunique() if n else 0
        head = f"{source_label(self.source)}: {n} problem(s)"
        if rows:
            head += f" in {rows} row(s)"
        lines = [head + ":"]
        for rec in self.problems.head(limit).itertuples(index=False):
            where = f"row {rec.row}" if rec.row is not None and not pd.isna(rec.row) else "file"
            col = f", column '{rec.column}'" if _given(rec.column) else ""
            val = f" (value {rec.value!r})" if _given(rec.value) else ""
            lines.append(f"  - {where}{col}{val}: {rec.reason}. Fix: {rec.fix}")
        if n > limit:
            lines.append(f"  ... and {n - limit} more (see the .problems table of this error)")
        if n and self.problems["row"].isna().any():
            lines.append("Problems marked 'file' concern the whole file: no row can be used.")
        else:
            lines.append(
                "Correct these rows, or pass errors='collect' to keep the valid rows and get the "
                "rejected ones back as a table."
            )
        return "\n".join(lines)


class ConfigError(CarezonesError, ValueError):
    """A site-scoring configuration is not valid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str], source: str = "configuration") -> None:
        self.problems = problems
        lines = [f"{source}: {len(problems)} problem(s):"] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


class ZoneError(CarezonesError, ValueError):
    """Zones cannot be built as asked (the message says why and what to change)."""


class NetworkError(CarezonesError):
    """A road network could not be loaded or queried."""


class OfflineError(NetworkError):
    """A download was needed but there is no internet connection."""


def _given(value: object) -> bool:
    """Return True when a problem field holds something to show (not None, NaN or "")."""
    if value is None or (isinstance(value, str) and value == ""):
        return False
    return not (isinstance(value, float) and value != value) and value is not pd.NA


def source_label(source: object) -> str:
    """Return a short label for a data source (a file name, never file contents)."""
    return str(source)
