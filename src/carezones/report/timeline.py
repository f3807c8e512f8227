"""How a coordinator reads a plan: a timeline of the day (or week).

:func:`timeline` draws one row per carer and shift on a time axis: visits, travel, waiting
and breaks as bars, the two carers of a double-handed visit joined by a line (and the two
visits of a sequential pair, from the first's start to the second's), details on hover. It is
one self-contained HTML page (its CSS and a few lines of script written into it, nothing
loaded from the internet), so it opens offline like the maps; every value from the inputs is
HTML-escaped and reaches the script only as text, so hostile text in a file shows as text and
never runs. Run sheets are in :mod:`~carezones.report.sheets`; the legs of the map come from
:meth:`Rounds.legs() <carezones.rounds.Rounds.legs>`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd

from carezones.io._cells import PathLike
from carezones.io.visits import hhmm
from carezones.report.html import escape

if TYPE_CHECKING:
    from carezones.rounds import Rounds

__all__ = ["PRIVATE", "Page", "timeline"]

PRIVATE = (
    "For the provider's own use: this plan names clients' visits, carers and their times. "
    "Keep it within your organisation."
)
ROW_PX = 30  # height of a timeline row
LABEL_PX = 190  # width of the row labels


class Page:
    """A self-contained HTML page: ``save(path)`` writes it; notebooks show it inline.

    The timelines (:meth:`Rounds.to_timeline`, :meth:`Week.to_timeline`) are such pages.

    Parameters
    ----------
    text : str
        The page's HTML.
    title : str
        Its title.

    Examples
    --------
    >>> page = rounds.to_timeline()
    >>> page.title, str(page) == page.html
    ("Carers' rounds: timeline", True)
    """

    def __init__(self, text: str, title: str = "") -> None:
        self.html = text
        self.title = title

    def __str__(self) -> str:
        return self.html

    def save(self, path: PathLike) -> PathLike:
        """Write the page (UTF-8) to ``path``, whole or not at all.

        Parameters
        ----------
        path : str or os.PathLike
            The file to write.

        Returns
        -------
        str or os.PathLike
            ``path``.

        Examples
        --------
        >>> import tempfile
        >>> from pathlib import Path
        >>> path = rounds.to_timeline().save(Path(tempfile.mkdtemp()) / "timeline.html")
        >>> path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
        True
        """
        from carezones.report import output_file

        with output_file(path) as tmp:
            tmp.write_text(self.html, encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        """Show the page in a notebook, isolated in a frame (as folium shows its maps)."""
        return (
            '<iframe style="width:100%;height:480px;border:1px solid #ccc" '
            f'srcdoc="{escape(self.html)}"></iframe>'
        )


# ---------------------------------------------------------------------- the timeline
_CSS = """
body{font:14px/1.35 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:16px;color:#222}
h1{font-size:1.3em;margin:0 0 4px}h2{font-size:1.1em;margin:18px 0 6px}
.private{background:#fff3cd;padding:6px 10px;border-radius:4px;display:inline-block}
.key span{display:inline-block;margin-right:14px}.key i{display:inline-block;width:22px;
height:10px;margin-right:4px;vertical-align:middle;border-radius:2px}
.days a{margin-right:10px}
.tl{position:relative;border-top:1px solid #ddd;margin-bottom:8px}
.axis{position:relative;height:22px;margin-left:LABELpx;border-bottom:1px solid #bbb}
.axis span{position:absolute;top:2px;font-size:11px;color:#555;transform:translateX(-50%)}
.row{position:relative;height:ROWpx;border-bottom:1px solid #f0f0f0}
.row:nth-child(odd){background:#fafafa}
.label{position:absolute;left:0;width:LABELpx;top:0;height:ROWpx;line-height:ROWpx;
overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-size:12px;padding-left:4px;
box-sizing:border-box}
.track{position:absolute;left:LABELpx;right:0;top:0;height:ROWpx}
.shift{position:absolute;top:4px;height:22px;background:#eef3f8;border:1px solid #d5e0ea;
box-sizing:border-box;border-radius:3px}
.bar{position:absolute;top:7px;height:16px;box-sizing:border-box;border-radius:2px;
cursor:default;min-width:2px}
.bar.visit{background:#2b6cb0;top:5px;height:20px}
.bar.double{background:#c05621}.bar.travel{background:#a0aec0;top:12px;height:6px}
.bar.wait{background:repeating-linear-gradient(45deg,#f6e05e 0 3px,#fefcbf 3px 6px);top:10px;
height:10px}
.bar.break{background:repeating-linear-gradient(45deg,#38a169 0 4px,#c6f6d5 4px 8px)}
.bar.fixed{opacity:.55}.bar.moved{outline:2px dashed #e53e3e;outline-offset:1px}
.bar.hi{outline:3px solid #111;z-index:3}
.link{position:absolute;width:0;border-left:2px dotted #c05621;z-index:2;pointer-events:none}
.link.along{height:0;border-left:0;border-top:2px dotted #c05621}
.now{position:absolute;top:0;bottom:0;border-left:2px solid #e53e3e;z-index:4;
pointer-events:none}
#tip{position:fixed;display:none;z-index:10;background:#222;color:#fff;padding:6px 8px;
border-radius:4px;font-size:12px;max-width:360px;white-space:pre-line;pointer-events:none}
table.un{border-collapse:collapse;font-size:12px}table.un td,table.un th{border:1px solid #ddd;
padding:2px 6px;text-align:left}
""".replace("LABEL", str(LABEL_PX)).replace("ROW", str(ROW_PX))

_SCRIPT = """
(function(){
  var tip=document.getElementById('tip');
  function on(e){
    var b=e.target.closest('.bar'); if(!b) return;
    tip.textContent=b.getAttribute('data-tip'); tip.style.display='block';
    var k=b.getAttribute('data-link');
    if(k){document.querySelectorAll('.bar[data-link]').forEach(function(x){
      if(x.getAttribute('data-link')===k) x.classList.add('hi');});}
  }
  function off(e){
    var b=e.target.closest('.bar'); if(!b) return; tip.style.display='none';
    document.querySelectorAll('.bar.hi').forEach(function(x){x.classList.remove('hi');});
  }
  document.addEventListener('mouseover',on); document.addEventListener('mouseout',off);
  document.addEventListener('mousemove',function(e){
    tip.style.left=Math.min(e.clientX+12,window.innerWidth-370)+'px';
    tip.style.top=(e.clientY+14)+'px';});
})();
"""


def timeline(days: list[Rounds], *, title: str = "") -> Page:
    """Return an HTML timeline of one or several days of rounds (one section per day).

    Parameters
    ----------
    days : list of Rounds
        The plans (a day, or a week's days in order).
    title : str
        The page's heading (default: "Carers' rounds: timeline").

    Returns
    -------
    Page
        The page; ``.save(path)`` writes it.

    Examples
    --------
    >>> page = timeline(list(week.days.values()), title="Two days")
    >>> page.title, page.html.count('class="day"') >= 2
    ('Two days', True)
    """
    title = title or "Carers' rounds: timeline"
    sections = [_day_section(r, n) for n, r in enumerate(days)]
    nav = ""
    if len(days) > 1:
        nav = (
            '<p class="days">'
            + " ".join(
                f'<a href="#day-{n}">{escape(r.day or n + 1)}</a>' for n, r in enumerate(days)
            )
            + "</p>"
        )
    synthetic = any(r.synthetic for r in days)
    key = "".join(
        f'<span><i style="{style}"></i>{name}</span>'
        for name, style in (
            ("visit", "background:#2b6cb0"),
            ("double-handed visit", "background:#c05621"),
            ("travel", "background:#a0aec0"),
            ("waiting", "background:#f6e05e"),
            ("break", "background:#38a169"),
            ("shift", "background:#eef3f8;border:1px solid #d5e0ea"),
        )
    )
    banner = (
        '<p class="private"><b>SYNTHETIC DATA</b>: invented clients and carers.</p> '
        if synthetic
        else ""
    )
    page = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}'
        f'</title><meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>"
        f'{banner}<p class="private">{escape(PRIVATE)}</p><p class="key">{key}</p>{nav}'
        + "".join(sections)
        + f'<div id="tip" role="tooltip"></div><script>{_SCRIPT}</script></body></html>'
    )
    return Page(page, title)


def _day_section(r: Rounds, n: int) -> str:
    """One day: its axis, a row per carer and shift, the links and the unserved visits."""
    it = r.itineraries
    carers = r.carers.reset_index(drop=True)
    from carezones.rounds.tables import shift_numbers

    shifts = list(zip(carers["carer_id"].astype(str), shift_numbers(carers), strict=True))
    worked = set(zip(it["carer_id"].astype(str), it["shift"].astype(int), strict=True))
    rows = [i for i, key in enumerate(shifts) if key in worked]
    t0 = min([float(carers["shift_start"].iat[i]) for i in rows] or [420.0])
    t1 = max([float(carers["shift_end"].iat[i]) for i in rows] or [1320.0])
    if len(it):
        t0, t1 = min(t0, float(it["start"].min())), max(t1, float(it["end"].max()))
    t0, t1 = math.floor(t0 / 60) * 60, math.ceil(t1 / 60) * 60
    span = max(t1 - t0, 60)

    def x(t: float) -> str:
        return f"{100 * (t - t0) / span:.3f}%"

    def w(a: float, b: float) -> str:
        return f"{100 * max(b - a, 0) / span:.3f}%"

    vinfo = r.visits.set_index(r.visits["visit_id"].astype(str))
    changes = {}
    if r.changes is not None:
        changes = {str(c.visit_id): c for c in r.changes.itertuples() if c.moved}
    now = (r.kpis.get("replan") or {}).get("now")
    t_now = None if not now else int(now[:2]) * 60 + int(now[3:])
    partners: dict[str, list[str]] = {}
    for rec in it[it["kind"] == "visit"].itertuples():
        partners.setdefault(str(rec.visit_id), []).append(str(rec.carer_id))
    pairs = _pairs(r.visits)
    axis = "".join(
        f'<span style="left:{x(t)}">{hhmm(t)}</span>' for t in range(int(t0), int(t1) + 1, 60)
    )
    out_rows: list[str] = []
    ys: dict[str, list[tuple[float, int]]] = {}
    for pos, i in enumerate(rows):
        cid, shift = shifts[i]
        g = it[(it["carer_id"].astype(str) == cid) & (it["shift"] == shift)].sort_values("seq")
        s0, s1 = float(carers["shift_start"].iat[i]), float(carers["shift_end"].iat[i])
        bars = [f'<div class="shift" style="left:{x(s0)};width:{w(s0, s1)}"></div>']
        prev_end = None
        for rec in g.itertuples():
            if prev_end is not None and rec.travel_minutes > 0:
                a = prev_end
                bars.append(
                    _bar(
                        "travel",
                        x(a),
                        w(a, a + rec.travel_minutes),
                        f"{cid}: travel {rec.travel_minutes:.0f} min"
                        f"{_km(rec.travel_km)}, {hhmm(a)}-"
                        f"{hhmm(a + rec.travel_minutes)}",
                    )
                )
            if rec.kind == "visit":
                if rec.start - rec.arrival > 0.5:
                    bars.append(
                        _bar(
                            "wait",
                            x(rec.arrival),
                            w(rec.arrival, rec.start),
                            f"{cid}: waiting {rec.start - rec.arrival:.0f} min for the "
                            f"window of {rec.visit_id}",
                        )
                    )
                bars.append(
                    _visit_bar(rec, cid, vinfo, (partners, pairs), changes, t_now, x, w, ys, pos)
                )
            elif rec.kind == "break":
                bars.append(
                    _bar(
                        "break",
                        x(rec.start),
                        w(rec.start, rec.end),
                        f"{cid}: break {hhmm(rec.start)}-{hhmm(rec.end)} "
                        f"({rec.end - rec.start:.0f} min)",
                    )
                )
            prev_end = float(rec.end)
        label = f"{cid} · shift {shift} ({hhmm(s0)}-{hhmm(s1)})"
        out_rows.append(
            f'<div class="row"><div class="label" title="{escape(label)}">{escape(label)}'
            f'</div><div class="track">{"".join(bars)}</div></div>'
        )
    links = []
    for spots in ys.values():
        if len(spots) == 2:
            (xa, ya), (xb, yb) = spots
            top, height = min(ya, yb) * ROW_PX + 22 + ROW_PX // 2, abs(ya - yb) * ROW_PX
            links.append(
                f'<div class="link" style="left:calc({LABEL_PX}px + (100% - '
                f'{LABEL_PX}px) * {xa:.5f});top:{top}px;height:{height}px"></div>'
            )
            if xb != xa:  # a sequential pair: then along the second's row to its start
                links.append(
                    f'<div class="link along" style="left:calc({LABEL_PX}px + (100% - '
                    f"{LABEL_PX}px) * {min(xa, xb):.5f});width:calc((100% - {LABEL_PX}px) * "
                    f'{abs(xb - xa):.5f});top:{yb * ROW_PX + 22 + ROW_PX // 2}px"></div>'
                )
    if t_now is not None and t0 <= t_now <= t1:
        links.append(
            f'<div class="now" title="re-planned at {escape(now)}" style="left:calc('
            f'{LABEL_PX}px + (100% - {LABEL_PX}px) * {(t_now - t0) / span:.5f})"></div>'
        )
    k = r.kpis
    head = f"{escape(r.day)}: " if r.day else ""
    text = (
        f"{k['visits_served']} of {k['visits']} visits served by {k['carers_used']} carers; "
        f"travel {k['travel_minutes']:.0f} min, waiting {k['waiting_minutes']:.0f} min"
    )
    if k.get("replan"):
        rp = k["replan"]
        text += (
            f"; re-planned at {rp['now'] or 'the start of the day'} without "
            f"{', '.join(rp['unavailable']) or 'nobody'}: {rp['visits_moved']} visits moved "
            "(dashed outline)"
        )
    return (
        f'<section class="day" id="day-{n}"><h2>{head}{escape(text)}</h2><div class="tl">'
        f'<div class="axis">{axis}</div>{"".join(out_rows)}{"".join(links)}</div>'
        f"{_unserved(r)}</section>"
    )


def _km(km: float) -> str:
    return f", {km:.1f} km" if km == km and km else ""


def _bar(kind: str, left: str, width: str, tip: str, extra: str = "", link: str = "") -> str:
    """One bar; its details go in ``data-tip`` (escaped; the script shows them as text)."""
    data = f' data-link="{escape(link)}"' if link else ""
    return (
        f'<div class="bar {kind}{extra}" style="left:{left};width:{width}"{data} '
        f'data-tip="{escape(tip)}" aria-label="{escape(tip)}"></div>'
    )


def _pairs(visits: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Return visit_id -> (its pair's key, a line on the pair) for each visit in a pair."""
    if "after_visit" not in visits:
        return {}
    out: dict[str, tuple[str, str]] = {}
    for second, first, lo, hi in zip(
        visits["visit_id"].astype(str),
        visits["after_visit"],
        visits.get("gap_min_minutes", pd.Series(0.0, index=visits.index)),
        visits.get("gap_max_minutes", pd.Series(math.inf, index=visits.index)),
        strict=True,
    ):
        if isinstance(first, str) and first.strip():
            first = first.strip()
            lo = 0.0 if lo != lo else float(lo)
            hi = math.inf if hi != hi else float(hi)
            gap = f"{lo:g}-{hi:g} min" if math.isfinite(hi) else f"{lo:g}+ min"
            out[second] = (f"pair {first}", f"sequential pair: after {first} ({gap})")
            out[first] = (f"pair {first}", f"sequential pair: {second} follows ({gap})")
    return out


def _visit_bar(
    rec: Any,
    cid: str,
    vinfo: pd.DataFrame,
    links: tuple[dict[str, list[str]], dict[str, tuple[str, str]]],
    changes: dict[str, Any],
    t_now: int | None,
    x: Any,
    w: Any,
    ys: dict[str, Any],
    pos: int,
) -> str:
    """Return a visit's bar with its details: client, window, length, partner, change."""
    vid = str(rec.visit_id)
    v = vinfo.loc[vid] if vid in vinfo.index else None
    lines = [
        f"{cid}: visit {vid}, client {rec.client_id}",
        f"{hhmm(rec.start)}-{hhmm(rec.end)} ({rec.end - rec.start:.0f} min)",
    ]
    if v is not None:
        lines.append(f"window {hhmm(v['window_start'])}-{hhmm(v['window_end'])}")
        late = float(getattr(rec, "late_minutes", 0.0))
        if late >= 0.5:
            lines.append(f"started {late:.0f} min after its window closed")
        if len(v["skills"]):
            lines.append("skills: " + ", ".join(sorted(v["skills"])))
    partners, pairs = links
    others = [p for p in partners.get(vid, []) if p != cid]
    double = len(partners.get(vid, [])) == 2
    if double:
        lines.append(f"double-handed with {', '.join(others) or cid}")
        ys.setdefault(vid, []).append((float(x(rec.start).rstrip("%")) / 100, pos))
    key = vid if double else ""
    if vid in pairs:
        key, line = pairs[vid]
        lines.append(line)
        ys.setdefault(key, []).append((float(x(rec.start).rstrip("%")) / 100, pos))
    extra = " double" if double else ""
    if t_now is not None and rec.start < t_now:
        extra += " fixed"
        lines.append("started before the re-plan: kept as it was")
    ch = changes.get(vid)
    if ch is not None:
        extra += " moved"
        lines.append(f"moved: was {ch.carers_before} at {ch.start_before}")
    return _bar("visit", x(rec.start), w(rec.start, rec.end), "\n".join(lines), extra, key)


def _unserved(r: Rounds) -> str:
    """Return the day's unserved visits with their reasons (none: nothing)."""
    if not len(r.unserved):
        return ""
    info = r.visits.set_index(r.visits["visit_id"].astype(str))
    rows = []
    for rec in r.unserved.itertuples():
        vid = str(rec.visit_id)
        client = info.at[vid, "client_id"] if vid in info.index else ""
        window = (
            f"{hhmm(info.at[vid, 'window_start'])}-{hhmm(info.at[vid, 'window_end'])}"
            if vid in info.index
            else ""
        )
        rows.append(
            f"<tr><td>{escape(vid)}</td><td>{escape(client)}</td><td>{escape(window)}</td>"
            f"<td>{escape(rec.reason)}</td></tr>"
        )
    return (
        f'<details><summary>{len(rows)} visit(s) not served</summary><table class="un">'
        "<tr><th>visit</th><th>client</th><th>window</th><th>reason</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )
