"""The one Markdown escaper, and the tables and text blocks every ``summary.md`` is made of.

A site name, an id or a provider's name comes from a user's file; in a Markdown file it must
show as written, never run as Markdown (``**``, ``[link](...)``, a ``|`` that breaks a table)
or as HTML (``<script>``, ``<img onerror=...>``), which Markdown viewers pass through.
:func:`escape_markdown` makes any value plain text on one line; :func:`markdown_table` builds a
table of escaped cells and :func:`markdown_block` puts preformatted text (a result's summary)
in a code block no line of it can close. Every Markdown writer of carezones uses these.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd

__all__ = ["escape_markdown", "markdown_block", "markdown_table"]

_INLINE = re.compile(r"([\\`*_\[\]|~#{}!])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}
_LINE_START = re.compile(r"^(\d+)([.)])|^([+\-=])")


def escape_markdown(value: object) -> str:
    r"""Return a value as Markdown text that shows it as written, on one line.

    Markdown's punctuation is backslash-escaped, ``&``, ``<``, ``>`` and ``"`` become HTML
    entities (so no HTML tag can start), line breaks become spaces, and a start that would
    make a list or heading is escaped.

    Parameters
    ----------
    value : object
        Any value; ``None`` and NaN give the empty text.

    Returns
    -------
    str
        The escaped text.

    Examples
    --------
    >>> escape_markdown("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> escape_markdown("**Care & Co** | [x](javascript:y)")
    '\\*\\*Care &amp; Co\\*\\* \\| \\[x\\](javascript:y)'
    >>> escape_markdown("1. first" + chr(10) + "# not a heading")
    '1\\. first \\# not a heading'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(str(value).split())
    text = _INLINE.sub(r"\\\1", text)
    text = "".join(_HTML.get(ch, ch) for ch in text)
    return _LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def _cell(value: object) -> str:
    """Return a table cell: a number as written, anything else escaped."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:,.2f}"
    if isinstance(value, int):
        return str(value)
    return escape_markdown(value)


def markdown_table(frame: pd.DataFrame, cell: Callable[[object], str] = _cell) -> str:
    r"""Return a Markdown table of a frame: its headers and every cell escaped.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (the index is left out).
    cell : callable, optional
        How a value is written; it must escape text (default: numbers as written, text by
        :func:`escape_markdown`).

    Returns
    -------
    str
        The table, one line per row.

    Examples
    --------
    >>> import pandas as pd
    >>> print(markdown_table(pd.DataFrame({"site_id": ["a|b"], "serves": [12.5]})))
    | site\_id | serves |
    |---|---|
    | a\|b | 12.50 |
    """
    head = "| " + " | ".join(escape_markdown(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def markdown_block(text: str) -> str:
    """Return preformatted text as a code block that none of its lines can close.

    Inside a code block nothing is read as Markdown or HTML; its fence is longer than any run
    of backticks in the text.

    Parameters
    ----------
    text : str
        The text (a result's summary).

    Returns
    -------
    str
        The fenced block.

    Examples
    --------
    >>> print(markdown_block("site ```<b>```"))
    ````
    site ```<b>```
    ````
    """
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"
