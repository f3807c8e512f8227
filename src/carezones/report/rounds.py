"""What a day's or a week's rounds show: the map, the notebook card and the files.

The card holds counts and minutes only: no visit's place (a visit is at a client's home), so it
draws no map. The files (:func:`write_rounds`, :func:`write_week`) and the map
(:func:`rounds_map`) show where visits are: they are for the provider's own use.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from carezones.io._cells import PathLike
from carezones.io.visits import hhmm
from carezones.report._write import output_folder, write_csv
from carezones.report.html import escape
from carezones.report.maps import (
    ZONE_COLOURS,
    _add_context_roads,
    _add_legend,
    _frame,
)

if TYPE_CHECKING:
    import folium

    from carezones.report.sheets import RunSheets
    from carezones.rounds import Rounds, Week


def rounds_map(
    rounds: Rounds, *, offline: bool = True, title: str = "Carers' rounds"
) -> folium.Map:
    """Draw a day's rounds: a layer per carer (one toggle each), legs along the roads.

    Each carer's legs are drawn in the carer's colour along the roads driven; where a stop lies
    off the road network, the gap between it and its road is a dashed line whose tooltip says
    it is an access leg, and a leg with no road route (travel from a matrix) is dashed and
    labelled as a straight line. Stops are numbered with their times. The layer control (top
    right, open) shows or hides each carer's round.
    """
    import folium

    from carezones.io import hhmm

    it = rounds.itineraries
    lo, la, hi, ha = (
        float(it.lon.min()),
        float(it.lat.min()),
        float(it.lon.max()),
        float(it.lat.max()),
    )
    m = _frame(
        (lo, la, hi, ha),
        rounds.attribution,
        rounds.synthetic,
        title,
        offline,
        source=None if rounds.network is None else rounds.network.provenance,
    )
    if rounds.synthetic and rounds.network is not None:  # no basemap: draw the roads
        _add_context_roads(m, rounds.network)
    parts = rounds.legs()
    dashed = 0
    for i, (cid, g) in enumerate(it.groupby("carer_id", sort=True)):
        colour = ZONE_COLOURS[i % len(ZONE_COLOURS)]
        shifts = sorted(g["shift"].unique())
        swatch = (
            f'<span style="display:inline-block;width:10px;height:10px;margin:0 4px;'
            f'background:{colour}"></span>'
        )
        more = f" ({len(shifts)} shifts)" if len(shifts) > 1 else ""
        layer = folium.FeatureGroup(name=swatch + escape(f"{cid}{more}", template=True), show=True)
        mine = parts[parts["carer_id"] == cid]
        for rec in mine.itertuples():
            coords = [(y, x) for x, y in rec.geometry.coords]
            head = f"{cid}, shift {rec.shift}, leg to stop {rec.seq}: {rec.minutes:.0f} min"
            if rec.kind == "road":
                tip = head + (f", {rec.metres / 1000:.1f} km" if rec.metres else "")
                folium.PolyLine(
                    coords, color=colour, weight=3, opacity=0.85, tooltip=escape(tip, template=True)
                ).add_to(layer)
            else:
                dashed += 1
                folium.PolyLine(
                    coords,
                    color=colour,
                    weight=2.5,
                    opacity=0.9,
                    dash_array="4 6",
                    tooltip=escape(f"{head}. {rec.label}", template=True),
                ).add_to(layer)
        for shift, gs in g.groupby("shift", sort=True):
            n = 0
            for rec in gs.sort_values("seq").itertuples():
                if rec.kind == "visit":
                    n += 1
                t, e = hhmm(rec.start), hhmm(rec.end)
                what = {"start": "leaves home", "end": "back home", "break": "break"}.get(
                    rec.kind, f"visit {n}: {rec.visit_id}"
                )
                folium.CircleMarker(
                    (float(rec.lat), float(rec.lon)),
                    radius=6 if rec.kind == "visit" else 4,
                    color=colour,
                    fill=True,
                    fill_opacity=0.9,
                    tooltip=escape(f"{cid} (shift {shift}): {what}, {t}-{e}", template=True),
                ).add_to(layer)
        layer.add_to(m)
    k = rounds.kpis
    note = (
        f"{k['visits_served']} of {k['visits']} visits; travel {k['travel_minutes']:.0f} min, "
        f"{k['travel_share_of_working_time']:.0%} of working time. Solid lines follow the roads; "
        "dashed lines are straight (an access leg to a stop off the road network, or no road "
        "route known). Show or hide each carer's round with the layer control. Shows visit "
        "locations: for the provider's own use."
    )
    _add_legend(
        m,
        "Carers' rounds",
        [("#555", f"{it.carer_id.nunique()} carers"), ("#bbb", f"{dashed} dashed legs")],
        note,
    )
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def _itinerary_table(itin: pd.DataFrame) -> pd.DataFrame:
    """Return the itineraries as written: times ``HH:MM``, minutes and km rounded, no geometry."""
    it = itin.drop(columns=["lon", "lat", "leg"]).copy()
    for col in ("arrival", "start", "end"):
        it[col] = it[col].map(hhmm)
    for col in ("waiting_minutes", "late_minutes", "travel_minutes", "travel_km"):
        if col in it:
            it[col] = it[col].astype(float).round(2)
    return it


def _layers(itin: pd.DataFrame, table: pd.DataFrame, path: Path) -> None:
    """Return the stops and legs of itineraries as two GeoPackage layers."""
    stops = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(itin.lon, itin.lat), crs="EPSG:4326"
    )
    stops.to_file(path, layer="stops", driver="GPKG")
    legs = itin[itin.leg.notna()]
    cols = [
        c for c in ("day", "carer_id", "shift", "seq", "travel_minutes", "travel_km") if c in legs
    ]
    gpd.GeoDataFrame(legs[cols], geometry=list(legs.leg), crs="EPSG:4326").to_file(
        path, layer="legs", driver="GPKG"
    )


def _sheets_into(folder: Path, sheets: RunSheets) -> list[str]:
    """Write run sheets (a page and a CSV per carer, index.html, all.html) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for s in sheets.sheets:
        (folder / f"{s.name}.html").write_text(s.html, encoding="utf-8")
        write_csv(s.table, folder / f"{s.name}.csv", index=False)
        names += [f"{s.name}.html", f"{s.name}.csv"]
    (folder / "index.html").write_text(sheets.index, encoding="utf-8")
    (folder / "all.html").write_text(sheets.everything, encoding="utf-8")
    return [*names, "index.html", "all.html"]


def write_run_sheets(sheets: RunSheets, out_dir: PathLike) -> list[Path]:
    """Write run sheets into ``out_dir``: per carer a printable page (HTML) and a CSV.

    ``index.html`` links every carer's sheet and ``all.html`` holds them all, to print at once.
    File names are the carer ids reduced to letters, digits, ``-`` and ``_``.

    Parameters
    ----------
    sheets : carezones.report.sheets.RunSheets
        From :meth:`Rounds.run_sheets <carezones.Rounds.run_sheets>` (or a week's).
    out_dir : str or os.PathLike
        The folder to write into (made if missing; replaced whole).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import write_run_sheets
    >>> files = write_run_sheets(rounds.run_sheets(), tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files))
    K001.csv K001.html K002.csv K002.html K003.csv K003.html all.html index.html
    """
    with output_folder(out_dir) as tmp:
        names = _sheets_into(tmp, sheets)
    return [Path(out_dir) / n for n in names]


def write_rounds(rounds: Rounds, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a day's rounds to ``out_dir`` and return the paths.

    itineraries.csv (times ``HH:MM``), unserved.csv, kpis.json, rounds.gpkg (layers ``stops``
    and ``legs``), rounds.html (the map), timeline.html, run-sheets/ (a page and a CSV per
    carer) and, for a re-plan, changes.csv (what moved).

    Parameters
    ----------
    rounds : carezones.Rounds
        The planned rounds to write.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    offline : bool, default True
        Write Leaflet's JavaScript and CSS into the map, so it works with no internet
        (``False``: link them from a CDN).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above.

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import write_rounds
    >>> files = write_rounds(rounds, tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files if path.parent.name != "run-sheets"))
    itineraries.csv kpis.json rounds.gpkg rounds.html timeline.html unserved.csv
    """
    it = _itinerary_table(rounds.itineraries)
    names = [
        "itineraries.csv",
        "unserved.csv",
        "kpis.json",
        "rounds.gpkg",
        "rounds.html",
        "timeline.html",
    ]
    with output_folder(out_dir) as tmp:
        write_csv(it, tmp / names[0], index=False)
        write_csv(rounds.unserved, tmp / names[1], index=False)
        (tmp / names[2]).write_text(json.dumps(rounds.kpis, indent=2, default=float) + "\n")
        _layers(rounds.itineraries, it, tmp / names[3])
        rounds.to_map(offline=offline).save(str(tmp / names[4]))
        (tmp / names[5]).write_text(rounds.to_timeline().html, encoding="utf-8")
        names += [f"run-sheets/{n}" for n in _sheets_into(tmp / "run-sheets", rounds.run_sheets())]
        if getattr(rounds, "changes", None) is not None:
            write_csv(rounds.changes, tmp / "changes.csv", index=False)
            names.append("changes.csv")
    return [Path(out_dir) / n for n in names]


def write_week(week: Week, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a week's rounds to ``out_dir`` and return the paths.

    itineraries.csv (every day's stops, ``day`` first, times ``HH:MM``), unserved.csv (``day,
    visit_id, reason``), kpis.json (the week's and each day's), continuity.csv (per client:
    visits, distinct carers, their ids), rounds.gpkg (layers ``stops`` and ``legs`` with the
    day), maps/DAY.html (each day's map), timeline.html (a section per day) and run-sheets/
    (per carer, a printed page per day worked, and a CSV).

    Parameters
    ----------
    week : carezones.rounds.Week
        The planned week.
    out_dir : str or os.PathLike
        The folder to write into (made if missing; replaced whole).
    offline : bool, default True
        Write Leaflet into each map, so it works with no internet.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Examples
    --------
    >>> import tempfile
    >>> from carezones.report import write_week
    >>> files = write_week(week, tempfile.mkdtemp())
    >>> [path.name for path in files if path.parent.name == "maps"]
    ['2026-12-07.html', '2026-12-08.html']
    """
    itin = week.itineraries
    it = _itinerary_table(itin)
    names = [
        "itineraries.csv",
        "unserved.csv",
        "kpis.json",
        "continuity.csv",
        "rounds.gpkg",
        "timeline.html",
    ]
    with output_folder(out_dir) as tmp:
        write_csv(it, tmp / names[0], index=False)
        write_csv(week.unserved, tmp / names[1], index=False)
        (tmp / names[2]).write_text(json.dumps(week.kpis, indent=2, default=float) + "\n")
        write_csv(week.continuity(), tmp / names[3], index=False)
        _layers(itin, it, tmp / names[4])
        (tmp / names[5]).write_text(week.to_timeline().html, encoding="utf-8")
        (tmp / "maps").mkdir()
        for n, (day, rounds) in enumerate(week.days.items()):
            if len(rounds.itineraries):
                name = f"maps/{_file_day(day, n)}.html"
                rounds.to_map(offline=offline).save(str(tmp / name))
                names.append(name)
        names += [f"run-sheets/{n}" for n in _sheets_into(tmp / "run-sheets", week.run_sheets())]
    return [Path(out_dir) / n for n in names]


def _file_day(day: str, n: int) -> str:
    """Return a day's label as a file name (a date or weekday; anything else: its number)."""
    import re

    return day if re.fullmatch(r"[0-9A-Za-z-]{1,10}", day) else f"day-{n + 1}"


def _km(value: float | None) -> float | str:
    return "n/a (travel from a matrix)" if value is None else value


def rounds_rows(k: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a day's headline numbers (from :attr:`Rounds.kpis`) as (label, value) rows.

    Examples
    --------
    >>> k = {"visits": 3, "visits_served": 2, "visits_unserved": 1, "carers_used": 1,
    ...      "care_minutes": 90.0, "travel_minutes": 30.0, "travel_km": None,
    ...      "travel_minutes_per_care_hour": 20.0, "travel_share_of_working_time": 0.2,
    ...      "waiting_minutes": 0.0}
    >>> dict(rounds_rows(k))["visits served"]
    '2 of 3'
    """
    late = (
        [("visits late", f"{k['visits_late']} (worst {k['late_minutes_worst']:.0f} min)")]
        if k.get("visits_late")
        else []
    )
    return [
        ("visits served", f"{k['visits_served']:,} of {k['visits']:,}"),
        ("visits unserved", k["visits_unserved"]),
        *late,
        ("carers", k["carers_used"]),
        ("hours of care", k["care_minutes"] / 60),
        ("travel minutes", k["travel_minutes"]),
        ("travel km", _km(k.get("travel_km"))),
        ("travel min per care hour", k["travel_minutes_per_care_hour"]),
        ("travel share of working time", f"{k['travel_share_of_working_time']:.0%}"),
        ("waiting minutes", k["waiting_minutes"]),
    ]


def carer_totals(itin: pd.DataFrame) -> pd.DataFrame:
    """Return each carer's visits, care and travel minutes (the itineraries summed).

    Examples
    --------
    >>> itin = pd.DataFrame({"carer_id": ["A", "A", "A"], "kind": ["start", "visit", "end"],
    ...                      "start": [480.0, 490.0, 520.0], "end": [480.0, 520.0, 520.0],
    ...                      "travel_minutes": [0.0, 10.0, 5.0]})
    >>> carer_totals(itin).to_dict("records")
    [{'carer_id': 'A', 'visits': 1, 'care_minutes': 30.0, 'travel_minutes': 15.0}]
    """
    visits = itin[itin["kind"] == "visit"]
    care = (visits["end"] - visits["start"]).groupby(visits["carer_id"]).sum()
    out = pd.DataFrame(
        {
            "visits": visits.groupby("carer_id").size(),
            "care_minutes": care,
            "travel_minutes": itin.groupby("carer_id")["travel_minutes"].sum(),
        }
    ).fillna(0.0)
    out["visits"] = out["visits"].astype(int)
    out = out[out["visits"] > 0].sort_values(["visits", "care_minutes"], ascending=False)
    return out.rename_axis("carer_id").reset_index()


def week_rows(k: dict[str, Any]) -> list[tuple[str, Any]]:
    """Return a week's headline numbers (from :attr:`Week.kpis`) as (label, value) rows.

    Examples
    --------
    >>> k = {"days": 2, "visits": 4, "visits_served": 4, "visits_unserved": 0,
    ...      "care_minutes": 120.0, "travel_minutes": 40.0, "travel_km": 21.5,
    ...      "carers_per_client_mean": 1.5, "carers_per_client_p90": 2.0,
    ...      "carers_per_client_max": 2}
    >>> dict(week_rows(k))["carers per client (mean)"]
    1.5
    """
    return [
        ("days", k["days"]),
        ("visits served", f"{k['visits_served']:,} of {k['visits']:,}"),
        ("visits unserved", k["visits_unserved"]),
        ("hours of care", k["care_minutes"] / 60),
        ("travel minutes", k["travel_minutes"]),
        ("travel km", _km(k.get("travel_km"))),
        ("carers per client (mean)", k["carers_per_client_mean"]),
        ("carers per client (p90)", k["carers_per_client_p90"]),
        ("carers per client (most)", k["carers_per_client_max"]),
    ]


def day_totals(by_day: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """Return one row per day of a week: visits, served, carers, travel and care.

    Examples
    --------
    >>> day_totals({"Mon": {"visits": 3, "visits_served": 3, "carers_used": 2,
    ...                     "travel_minutes": 25.0, "travel_km": None, "care_minutes": 60.0}})
       day  visits  served  carers  travel_minutes  care_hours
    0  Mon       3       3       2            25.0         1.0
    """
    rows = [
        {
            "day": d,
            "visits": k["visits"],
            "served": k["visits_served"],
            "carers": k["carers_used"],
            "travel_minutes": k["travel_minutes"],
            "care_hours": k["care_minutes"] / 60,
        }
        for d, k in by_day.items()
    ]
    return pd.DataFrame(
        rows, columns=["day", "visits", "served", "carers", "travel_minutes", "care_hours"]
    )
