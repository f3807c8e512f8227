"""Write the results a planner hands on: zone plans, carers' rounds and scored sites.

Each writer puts its tables (CSV, JSON, Markdown), its layers (GeoPackage) and its map (HTML,
drawn by the result's own ``to_map``, which uses :mod:`carezones.maps`) in one folder and
returns the paths written. A folder is written whole or not at all, and no CSV cell can start a
spreadsheet formula (see :mod:`carezones.io._write`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import geopandas as gpd

from carezones.io._cells import PathLike
from carezones.io._write import output_file, output_folder, write_csv
from carezones.io.visits import hhmm

__all__ = [
    "write_rounds",
    "write_run_sheets",
    "write_site_scores",
    "write_travel_times",
    "write_week",
    "write_zone_plan",
]


def write_zone_plan(
    plan: object, out_dir: PathLike, *, clients: object = None, offline: bool = True
) -> list[Path]:
    """Write a zone plan's files; return their paths.

    ``assignments.csv`` (client_id, zone_id, hours_per_week, minutes_to_centre,
    far_from_road), ``unassigned.csv`` (client_id, source_row, reason), ``zones.gpkg`` (layer
    ``zones``), ``zones.html`` (the map; clients aggregated), ``summary.json``,
    ``summary.md`` and, for zones made of units, ``units.csv`` (unit_id, zone_id, clients,
    hours_per_week).

    The zones, units, map and summaries hold no client's location, and (unless the plan was
    built with ``show_clients=True``) no figure of a zone or unit of fewer than 5 clients:
    they can be shared. The assignments and unassigned clients list clients by id: they are
    for the council's own use.

    Parameters
    ----------
    plan : carezones.ZonePlan
        The zones to write.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    clients : geopandas.GeoDataFrame, optional
        The clients, drawn on the map (aggregated unless the plan shows clients).
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
    >>> from carezones.io import write_zone_plan
    >>> files = write_zone_plan(zone_plan, tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files))
    assignments.csv summary.json summary.md unassigned.csv zones.gpkg zones.html
    """
    p = cast(Any, plan)
    names = [
        "assignments.csv",
        "unassigned.csv",
        "zones.gpkg",
        "zones.html",
        "summary.json",
        "summary.md",
    ]
    if getattr(p, "units", None) is not None:
        names.append("units.csv")
    with output_folder(out_dir) as tmp:
        paths = [tmp / n for n in names]
        write_csv(p.assignments, paths[0], index=False)
        write_csv(p.unassigned, paths[1], index=False)
        p.zones.to_file(paths[2], layer="zones", driver="GPKG")
        show = bool(getattr(p, "show_clients", False))
        p.to_map(clients=clients, show_clients=show, offline=offline).save(str(paths[3]))
        metrics = dict(p.metrics)
        metrics["zones"] = p.zones.drop(columns="geometry").to_dict(orient="records")
        paths[4].write_text(json.dumps(_plain(metrics), indent=2) + "\n")
        paths[5].write_text(_zone_markdown(p))
        if len(names) > 6:
            write_csv(p.units, paths[6], index=False)
    return [Path(out_dir) / n for n in names]


def _plain(value: Any) -> Any:
    """Return ``value`` with JSON's types: numpy numbers as numbers, NaN and NA as null."""
    import math

    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _zone_markdown(p: Any) -> str:
    """Return ``summary.md``: the summary, then one row per zone (blank: withheld)."""
    import pandas as pd

    table = p.zones.drop(columns="geometry")
    head = "| " + " | ".join(table.columns) + " |"
    lines = ["# Home-care zones", "", p.summary(), "", head, "|" + "---|" * len(table.columns)]
    for row in table.itertuples(index=False):
        cells = [
            "withheld" if v is pd.NA or (isinstance(v, float) and v != v) else f"{v}" for v in row
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [
        "",
        "Zone centres are road junctions, never a client's home. A zone of fewer than 5 "
        "clients has its figures and centre withheld. assignments.csv and unassigned.csv list "
        "clients by id: they are for the council's own use, not for sharing.",
    ]
    return "\n".join(lines) + "\n"


def _itinerary_table(itin: Any) -> Any:
    """Return the itineraries as written: times ``HH:MM``, minutes and km rounded, no geometry."""
    it = itin.drop(columns=["lon", "lat", "leg"]).copy()
    for col in ("arrival", "start", "end"):
        it[col] = it[col].map(hhmm)
    for col in ("waiting_minutes", "travel_minutes", "travel_km"):
        it[col] = it[col].astype(float).round(2)
    return it


def _layers(itin: Any, table: Any, path: Path) -> None:
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


def _sheets_into(folder: Path, sheets: Any) -> list[str]:
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


def write_run_sheets(sheets: Any, out_dir: PathLike) -> list[Path]:
    """Write run sheets into ``out_dir``: per carer a printable page (HTML) and a CSV.

    ``index.html`` links every carer's sheet and ``all.html`` holds them all, to print at once.
    File names are the carer ids reduced to letters, digits, ``-`` and ``_``.

    Parameters
    ----------
    sheets : carezones.rounds.sheets.RunSheets
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
    >>> from carezones.io import write_run_sheets
    >>> files = write_run_sheets(rounds.run_sheets(), tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files))
    K001.csv K001.html K002.csv K002.html K003.csv K003.html all.html index.html
    """
    with output_folder(out_dir) as tmp:
        names = _sheets_into(tmp, sheets)
    return [Path(out_dir) / n for n in names]


def write_rounds(rounds: Any, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
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
    >>> from carezones.io import write_rounds
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


def write_week(week: Any, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
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
    >>> from carezones.io import write_week
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


def write_site_scores(
    result: Any, out_dir: PathLike, *, isochrones: bool = True, offline: bool = True
) -> list[Path]:
    """Write scored sites to ``out_dir``; return the paths.

    ``scores.csv`` (by rank, with ``lon``/``lat`` of each site), ``sites.gpkg`` (layers
    ``sites``, ``amenities`` and, for the top three, ``isochrones``), ``sites.html`` (the map)
    and, when the result has one, ``surface.gpkg``.

    Parameters
    ----------
    result : carezones.SiteScores
        The scored sites to write.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    isochrones : bool, default True
        Add the walking isochrones layer (when the result has a walking network).
    offline : bool, default True
        Write Leaflet's JavaScript and CSS into the map, so it works with no internet
        (``False``: link them from a CDN).

    Returns
    -------
    list of pathlib.Path
        ``scores.csv``, ``sites.gpkg``, ``sites.html`` and, when written, ``surface.gpkg``.

    Examples
    --------
    >>> import tempfile
    >>> from carezones.io import write_site_scores
    >>> files = write_site_scores(scores, tempfile.mkdtemp())
    >>> print(*sorted(path.name for path in files))
    scores.csv sites.gpkg sites.html
    """
    ranked = result.ranked()
    names = ["scores.csv", "sites.gpkg", "sites.html"]
    with output_folder(out_dir) as tmp:
        pts = ranked.geometry.to_crs("EPSG:4326").representative_point()
        table = ranked.drop(columns="geometry").assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy())
        write_csv(table, tmp / names[0], index=False)
        gpkg = tmp / names[1]
        ranked.to_file(gpkg, layer="sites", driver="GPKG")
        if result.amenities is not None and len(result.amenities):
            result.amenities.to_file(gpkg, layer="amenities", driver="GPKG")
        if isochrones and result.walk is not None and result.scores.score.notna().any():
            result.isochrones().to_file(gpkg, layer="isochrones", driver="GPKG")
        result.to_map(offline=offline).save(str(tmp / names[2]))
        if result.surface is not None:
            names.append("surface.gpkg")
            result.surface.to_file(tmp / names[3], layer="surface", driver="GPKG")
    return [Path(out_dir) / n for n in names]


def write_travel_times(
    minutes: Any, origin_ids: Sequence[str], destination_ids: Sequence[str], path: PathLike
) -> Path:
    """Write a travel-time matrix as CSV: one row per origin, one column per destination.

    Parameters
    ----------
    minutes : numpy.ndarray
        ``(origins, destinations)`` minutes; ``inf`` where no route exists.
    origin_ids, destination_ids : sequence of str
        The row and column labels.
    path : str or os.PathLike
        The CSV file to write.

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from carezones.io import write_travel_times
    >>> path = write_travel_times([[0.0, 4.5], [4.25, 0.0]], ["a", "b"], ["a", "b"],
    ...                           Path(tempfile.mkdtemp()) / "minutes.csv")
    >>> print(path.read_text().strip())
    ,a,b
    a,0.000,4.500
    b,4.250,0.000
    """
    import pandas as pd

    frame = pd.DataFrame(minutes, index=list(origin_ids), columns=list(destination_ids))
    with output_file(path) as tmp:
        write_csv(frame, tmp, float_format="%.3f")
    return Path(path)
