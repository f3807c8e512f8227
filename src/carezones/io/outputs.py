"""Write the results a planner hands on: zone plans, carers' rounds and scored sites.

Each writer puts its tables (CSV, JSON, Markdown), its layers (GeoPackage) and its map (HTML,
drawn by the result's own ``to_map``, which uses :mod:`carezones.maps`) in one folder and
returns the paths written.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import geopandas as gpd

from carezones.io._cells import PathLike
from carezones.io.visits import hhmm

__all__ = ["write_rounds", "write_site_scores", "write_travel_times", "write_zone_plan"]


def write_zone_plan(
    plan: object, out_dir: PathLike, *, clients: object = None, offline: bool = True
) -> list[Path]:
    """Write a zone plan's files; return their paths.

    ``assignments.csv`` (client_id, zone_id, hours_per_week, minutes_to_centre),
    ``unassigned.csv`` (client_id, source_row, reason), ``zones.gpkg`` (layer ``zones``),
    ``zones.html`` (the map; clients aggregated), ``summary.json`` and ``summary.md``.

    Parameters
    ----------
    plan : carezones.ZonePlan
        The zones to write.
    out_dir : str or os.PathLike
        The folder to write into (made if missing).
    clients : geopandas.GeoDataFrame, optional
        The clients, drawn on the map.
    offline : bool, default True
        Write Leaflet's JavaScript and CSS into the map, so it works with no internet
        (``False``: link them from a CDN).

    Returns
    -------
    list of pathlib.Path
        The files written, in the order above.
    """
    p = cast(Any, plan)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / n for n in ("assignments.csv", "unassigned.csv", "zones.gpkg", "zones.html",
                                "summary.json", "summary.md")]  # fmt: skip
    p.assignments.to_csv(paths[0], index=False)
    p.unassigned.to_csv(paths[1], index=False)
    p.zones.to_file(paths[2], layer="zones", driver="GPKG")
    p.to_map(clients=clients, offline=offline).save(str(paths[3]))
    metrics = {k: v for k, v in p.metrics.items()}
    metrics["zones"] = p.zones.drop(columns="geometry").to_dict(orient="records")
    paths[4].write_text(json.dumps(metrics, indent=2, default=float))
    table = p.zones.drop(columns="geometry")
    lines = ["# Home-care zones", "", p.summary(), "", "| " + " | ".join(table.columns) + " |",
             "|" + "---|" * len(table.columns)]  # fmt: skip
    lines += [
        "| " + " | ".join(f"{v}" for v in row) + " |" for row in table.itertuples(index=False)
    ]
    paths[5].write_text("\n".join(lines) + "\n")
    return paths


def write_rounds(rounds: Any, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
    """Write a day's rounds to ``out_dir`` and return the paths.

    itineraries.csv (times ``HH:MM``), unserved.csv, kpis.json, rounds.gpkg (layers ``stops``
    and ``legs``) and rounds.html.

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
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    it = rounds.itineraries.drop(columns=["lon", "lat", "leg"]).copy()
    for col in ("arrival", "start", "end"):
        it[col] = it[col].map(hhmm)
    for col in ("waiting_minutes", "travel_minutes", "travel_km"):
        it[col] = it[col].round(2)
    paths = [out / "itineraries.csv", out / "unserved.csv", out / "kpis.json"]
    it.to_csv(paths[0], index=False)
    rounds.unserved.to_csv(paths[1], index=False)
    paths[2].write_text(json.dumps(rounds.kpis, indent=2, default=float) + "\n")
    stops = gpd.GeoDataFrame(
        it, geometry=gpd.points_from_xy(rounds.itineraries.lon, rounds.itineraries.lat),
        crs="EPSG:4326",
    )  # fmt: skip
    stops.to_file(out / "rounds.gpkg", layer="stops", driver="GPKG")
    legs = rounds.itineraries[rounds.itineraries.leg.notna()]
    gpd.GeoDataFrame(
        legs[["carer_id", "shift", "seq", "travel_minutes", "travel_km"]],
        geometry=list(legs.leg), crs="EPSG:4326",
    ).to_file(out / "rounds.gpkg", layer="legs", driver="GPKG")  # fmt: skip
    paths.append(out / "rounds.gpkg")
    rounds.to_map(offline=offline).save(str(out / "rounds.html"))
    paths.append(out / "rounds.html")
    return paths


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
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ranked = result.ranked()
    csv = out / "scores.csv"
    pts = ranked.geometry.to_crs("EPSG:4326").representative_point()
    ranked.drop(columns="geometry").assign(lon=pts.x.to_numpy(), lat=pts.y.to_numpy()).to_csv(
        csv, index=False
    )
    gpkg = out / "sites.gpkg"
    gpkg.unlink(missing_ok=True)
    ranked.to_file(gpkg, layer="sites", driver="GPKG")
    if result.amenities is not None and len(result.amenities):
        result.amenities.to_file(gpkg, layer="amenities", driver="GPKG")
    if isochrones and result.walk is not None and result.scores.score.notna().any():
        result.isochrones().to_file(gpkg, layer="isochrones", driver="GPKG")
    page = out / "sites.html"
    result.to_map(offline=offline).save(str(page))
    paths = [csv, gpkg, page]
    if result.surface is not None:
        surf = out / "surface.gpkg"
        surf.unlink(missing_ok=True)
        result.surface.to_file(surf, layer="surface", driver="GPKG")
        paths.append(surf)
    return paths


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
    """
    import pandas as pd

    out = Path(path)
    frame = pd.DataFrame(minutes, index=list(origin_ids), columns=list(destination_ids))
    frame.to_csv(out, float_format="%.3f")
    return out
