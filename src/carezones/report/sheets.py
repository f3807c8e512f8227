"""Run sheets: what each carer takes on their round, one printed page per carer and day.

:func:`run_sheets` builds, for every carer with a round, an HTML page (a printed page per
day worked, with print CSS: A4, one day per page) and a table for a CSV file: when to leave,
each visit's time, client and visit references, length and window, the travel and waiting
before it, the partner of a double-handed visit, the skills and any ``notes`` (and
``address`` or ``postcode``) from the visits file, the break, and when they are home. The
pages are self-contained and escaped like the timeline (:mod:`~carezones.report.timeline`),
and say that they are for the provider's own use.
:func:`~carezones.report.rounds.write_run_sheets` writes them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.io.days import is_weekday
from carezones.io.visits import hhmm
from carezones.report.html import escape
from carezones.report.timeline import PRIVATE
from carezones.rounds.tables import shift_numbers

if TYPE_CHECKING:
    from carezones.rounds import Rounds

__all__ = ["RunSheet", "RunSheets", "all_page", "day_title", "index_page", "run_sheets"]

_FULL = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}
_EXTRA = ("address", "postcode", "notes")  # columns of the visits file shown when present

_CSS = """
body{font:13px/1.35 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px;color:#111}
h1{font-size:1.25em;margin:0 0 2px}.meta{margin:0 0 8px;color:#333}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:3px 5px;
text-align:left;vertical-align:top}th{background:#eee}td.n{text-align:right}
tr.break td{background:#eaf7ee}tr.home td{background:#f4f4f4}
.private{font-size:11px;color:#444;margin-top:8px;border-top:1px solid #ccc;padding-top:4px}
.sheet{margin-bottom:28px}nav{margin-bottom:12px}
@media print{@page{size:A4;margin:12mm}nav{display:none}body{margin:0}
.sheet{break-after:page;page-break-after:always;margin:0}th{background:#ddd!important}}
"""


@dataclass
class RunSheet:
    """One carer's run sheets: the page and its rows.

    Parameters
    ----------
    carer_id : str
        The carer.
    name : str
        A safe file name for the sheet, without its suffix.
    html : str
        The printable page.
    table : pandas.DataFrame
        Its rows (the CSV).

    Examples
    --------
    >>> sheet = rounds.run_sheets().sheets[0]
    >>> sheet.carer_id, sheet.name, list(sheet.table.columns[:4])
    ('K001', 'K001', ['day', 'shift', 'seq', 'kind'])
    """

    carer_id: str
    name: str
    html: str
    table: pd.DataFrame


@dataclass
class RunSheets:
    """Every carer's run sheet, a page linking them and one to print them all.

    Parameters
    ----------
    sheets : list of RunSheet
        A sheet per carer with at least one visit, in order of carer id.
    index : str
        The page linking them.
    everything : str
        The page holding them all, to print.

    Examples
    --------
    >>> sheets = rounds.run_sheets()
    >>> len(sheets.sheets), 'href="K001.html"' in sheets.index
    (3, True)
    """

    sheets: list[RunSheet]
    index: str
    everything: str


def day_title(label: str) -> str:
    """Return a day's label as people write it: ``Monday 7 December 2026`` or ``Monday``."""
    if not label:
        return ""
    if is_weekday(label):
        return _FULL[label]
    d = dt.date.fromisoformat(label)
    return (
        f"{_FULL[('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[d.weekday()]]} {d.day} "
        f"{d.strftime('%B')} {d.year}"
    )


def _slug(text: str, used: set[str]) -> str:
    """Return a file name made of letters, digits, ``-`` and ``_`` only, unique among ``used``."""
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:40] or "carer"
    name, k = base, 1
    while name.lower() in used:
        k += 1
        name = f"{base}-{k}"
    used.add(name.lower())
    return name


def run_sheets(days: list[Rounds]) -> RunSheets:
    """Every working carer's run sheets over the given days (a day, or a week in order).

    Parameters
    ----------
    days : list of Rounds
        The plans.

    Returns
    -------
    RunSheets
        One :class:`RunSheet` per carer with at least one visit (in order of carer id), the
        index page and the page holding them all.

    Examples
    --------
    >>> [sheet.carer_id for sheet in run_sheets(list(week.days.values())).sheets]
    ['K002', 'K003']
    """
    per: dict[str, list[tuple[Rounds, pd.DataFrame]]] = {}
    for r in days:
        it = r.itineraries
        for cid in it.loc[it["kind"] == "visit", "carer_id"].astype(str).unique():
            per.setdefault(cid, []).append((r, it[it["carer_id"].astype(str) == cid]))
    used: set[str] = {"index", "all"}
    out = []
    for cid in sorted(per):
        sections, tables = [], []
        for r, mine in per[cid]:
            html_rows, table = _day_rows(r, cid, mine)
            sections.append(_section(r, cid, mine, html_rows))
            tables.append(table)
        name = _slug(cid, used)
        page = _page(f"Run sheet: carer {cid}", "".join(sections))
        out.append(RunSheet(cid, name, page, pd.concat(tables, ignore_index=True)))
    return RunSheets(out, index_page(out), all_page(out))


def index_page(sheets: list[RunSheet], title: str = "Run sheets") -> str:
    """Return a page linking every carer's run sheet (and ``all.html``, to print them all)."""
    items = "".join(
        f'<li><a href="{escape(s.name)}.html">{escape(s.carer_id)}</a> '
        f"({int((s.table['kind'] == 'visit').sum())} visits)</li>"
        for s in sheets
    )
    body = (
        f'<h1>{escape(title)}</h1><p><a href="all.html">Every run sheet in one document'
        f"</a> (to print them all)</p><ul>{items}</ul>"
        f'<p class="private">{escape(PRIVATE)}</p>'
    )
    return _page(title, body)


def all_page(sheets: list[RunSheet]) -> str:
    """Every carer's pages in one document (each day of each carer on its own printed page)."""
    bodies = [re.search(r"<body>(.*)</body>", s.html, re.S) for s in sheets]
    return _page("Run sheets: every carer", "".join(b.group(1) for b in bodies if b))


def _page(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f"</title><style>{_CSS}</style></head><body>{body}</body></html>"
    )


def _day_rows(r: Rounds, cid: str, mine: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """Return the rows of a carer's day: HTML table rows and the CSV's records."""
    v = r.visits.set_index(r.visits["visit_id"].astype(str))
    extra = [c for c in _EXTRA if c in v.columns]
    it = r.itineraries
    visits_of = it[it["kind"] == "visit"]
    who = visits_of.groupby(visits_of["visit_id"].astype(str))["carer_id"].agg(
        lambda s: [str(x) for x in s]
    )
    html_rows, records = [], []
    for rec in mine.sort_values(["shift", "seq"]).itertuples():
        vid = str(rec.visit_id)
        info = v.loc[vid] if rec.kind == "visit" and vid in v.index else None
        partner = ", ".join(p for p in who.get(vid, []) if p != cid) if info is not None else ""
        row = {
            "day": r.day,
            "shift": int(rec.shift),
            "seq": int(rec.seq),
            "kind": rec.kind,
            "arrival": hhmm(rec.arrival),
            "start": hhmm(rec.start),
            "end": hhmm(rec.end),
            "visit_id": vid if info is not None else "",
            "client_id": str(rec.client_id) if info is not None else "",
            "duration_minutes": round(float(rec.end - rec.start), 1)
            if rec.kind != "start" and rec.kind != "end"
            else 0.0,
            "window": (
                f"{hhmm(info['window_start'])}-{hhmm(info['window_end'])}"
                + _late(getattr(rec, "late_minutes", 0.0))
                if info is not None
                else ""
            ),
            "travel_minutes": round(float(rec.travel_minutes), 1),
            "travel_km": round(float(rec.travel_km), 2) if rec.travel_km == rec.travel_km else None,
            "waiting_minutes": round(float(rec.waiting_minutes), 1),
            "with": partner,
            "skills": ", ".join(sorted(info["skills"])) if info is not None else "",
        }
        for c in extra:
            row[c] = "" if info is None or pd.isna(info[c]) else str(info[c])
        records.append(row)
        html_rows.append(_html_row(rec.kind, row, extra))
    return html_rows, pd.DataFrame(records)


def _late(minutes: float) -> str:
    """Return how late a visit starts, for its window's cell (nothing when on time)."""
    return f" ({minutes:.0f} min late)" if minutes >= 0.5 else ""


def _html_row(kind: str, row: dict[str, Any], extra: list[str]) -> str:
    """One line of the printed sheet."""
    travel = ""
    if row["travel_minutes"]:
        km = f", {row['travel_km']:.1f} km" if row["travel_km"] else ""
        minutes = row["travel_minutes"]
        travel = (f"{minutes:.0f} min" if minutes >= 0.5 else "under 1 min") + km
    wait = f"{row['waiting_minutes']:.0f} min" if row["waiting_minutes"] >= 1 else ""
    notes = " · ".join(row[c] for c in extra if row.get(c))
    if kind == "start":
        what, when, cls = "leave home", row["start"], ""
    elif kind == "end":
        what, when, cls = "home", row["arrival"], "home"
    elif kind == "break":
        what, when, cls = "break", f"{row['start']}-{row['end']}", "break"
    else:
        what, when, cls = "visit", f"{row['start']}-{row['end']}", ""
    cells = [
        when,
        what,
        row["client_id"],
        row["visit_id"],
        f"{row['duration_minutes']:.0f} min" if kind in ("visit", "break") else "",
        row["window"],
        travel,
        wait,
        row["with"],
        row["skills"],
        notes,
    ]
    tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
    return f'<tr class="{cls}">{tds}</tr>'


def _section(r: Rounds, cid: str, mine: pd.DataFrame, rows: list[str]) -> str:
    """One printed page: a carer's day."""
    carers = r.carers.reset_index(drop=True)
    numbers = shift_numbers(carers)
    shifts = []
    for i, (c, n) in enumerate(zip(carers["carer_id"].astype(str), numbers, strict=True)):
        if c == cid and (mine["shift"] == n).any():
            text = f"{hhmm(carers['shift_start'].iat[i])}-{hhmm(carers['shift_end'].iat[i])}"
            bm = carers["break_minutes"].iat[i]
            if bm == bm:
                text += (
                    f" (break {bm:.0f} min between {hhmm(carers['break_window_start'].iat[i])}"
                    f" and {hhmm(carers['break_window_end'].iat[i])})"
                )
            shifts.append(text)
    v = mine[mine["kind"] == "visit"]
    care = float((v["end"] - v["start"]).sum())
    travel = float(mine["travel_minutes"].sum())
    km = mine["travel_km"].sum(min_count=1)
    km_text = f", {km:.1f} km" if km == km else ""
    when = day_title(r.day)
    head = f"Carer {cid}" + (f": {when}" if when else "")
    replan = (r.kpis.get("replan") or {}).get("now")
    note = f" Re-planned at {replan}." if replan else ""
    header = (
        "<tr><th>time</th><th>what</th><th>client</th><th>visit</th><th>length</th>"
        "<th>window</th><th>travel before</th><th>wait</th><th>with</th><th>skills</th>"
        "<th>notes</th></tr>"
    )
    synthetic = " SYNTHETIC DATA: invented clients and carers." if r.synthetic else ""
    return (
        f'<section class="sheet"><h1>{escape(head)}</h1><p class="meta">Shift '
        f"{escape('; '.join(shifts))}. {len(v)} visits, {care:.0f} min of care, {travel:.0f} min "
        f"of travel{escape(km_text)}.{escape(note)}</p><table>{header}{''.join(rows)}</table>"
        f'<p class="private">{escape(PRIVATE + synthetic)}</p></section>'
    )
