"""What scored sites show: the map (coloured by score, the whole-area surface), card and files.

Each is drawn from a :class:`~carezones.sites.SiteScores`, which hands off to this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from carezones.io._cells import PathLike
from carezones.privacy import hex_axial, hexagon
from carezones.report._write import output_folder, write_csv
from carezones.report.html import escape, html_card, svg_sites
from carezones.report.maps import (
    PopupText,
    _add_context_roads,
    _add_legend,
    _frame,
    add_features,
    map_feature,
)

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.io.gtfs import TransitDay
    from carezones.sites import SiteScores
    from carezones.sites.transport import TimeBand


SCORE_CLASSES = [  # (lower bound, colour, label): a colour-blind-safe red-yellow-green ramp
    (80.0, "#1a9850", "80-100"),
    (60.0, "#91cf60", "60-80"),
    (40.0, "#fee08b", "40-60"),
    (20.0, "#fc8d59", "20-40"),
    (0.0, "#d73027", "0-20"),
]


NOT_SCORED = "#9e9e9e"


def score_colour(score: float | None) -> str:
    """Return the map colour of a 0-100 score (grey when not scored)."""
    if score is None or not np.isfinite(score):
        return NOT_SCORED
    return next(c for lo, c, _ in SCORE_CLASSES if score >= lo)


def _surface_style(feature: dict[str, Any]) -> dict[str, Any]:
    colour = score_colour(feature["properties"]["score"])
    return {"color": colour, "weight": 0, "fillColor": colour, "fillOpacity": 0.45}


def sites_map(
    result: SiteScores,
    *,
    isochrones: int | Sequence[str] = 3,
    minutes: tuple[float, ...] = (5, 10, 15),
    amenities: bool = True,
    surface: bool = True,
    surface_hex_m: float = 250.0,
    offline: bool = True,
    title: str = "Candidate sites",
) -> folium.Map:
    """Draw scored sites coloured by score, the explanation in each popup.

    Parameters
    ----------
    result : SiteScores
        The scored sites.
    isochrones : int or list of str
        Walking isochrones for the top N sites, or for the listed ``site_id`` values (0: none).
    minutes : tuple of float
        The isochrones' walking times.
    amenities : bool
        One layer of amenities per category.
    surface : bool
        When the result has a surface: its mean score per hexagon of ``surface_hex_m`` metres
        (a heat layer that needs no plugin, so it draws offline).
    surface_hex_m : float
        The hexagons' size, centre to corner, in metres.
    offline : bool
        Embed Leaflet so the map opens with no internet.
    title : str
        The map's banner.

    Returns
    -------
    folium.Map
        The map.
    """
    iso = None
    if isochrones and result.walk is not None:
        iso = result.isochrones(isochrones, minutes)
    return _draw(result, iso, minutes, amenities, surface, surface_hex_m, offline, title)


def _draw(
    result: SiteScores,
    iso: gpd.GeoDataFrame | None,
    minutes: tuple[float, ...],
    amenities: bool,
    surface: bool,
    surface_hex_m: float,
    offline: bool,
    title: str,
) -> folium.Map:
    """Draw the map of :func:`sites_map`, with the isochrones already computed (or none)."""
    import folium

    sc = result.scores
    net = result.walk if result.walk is not None else result.drive
    assert net is not None  # a result is scored on at least one network
    wgs = sc.to_crs("EPSG:4326")
    lo, la, hi, ha = (float(v) for v in wgs.total_bounds)
    pad = 0.01
    m = _frame(
        (lo - pad, la - pad, hi + pad, ha + pad),
        net.provenance.attribution,
        net.provenance.synthetic,
        title,
        offline,
        source=net.provenance,
    )
    if net.provenance.synthetic:  # no basemap under invented roads: draw the roads themselves
        _add_context_roads(m, result.drive if result.drive is not None else net)
    if surface and result.surface is not None and len(result.surface):
        surf = result.surface[result.surface.score.notna()]
        geo = surf.geometry.to_crs(net.crs)
        q, r = hex_axial(geo.x.to_numpy(), geo.y.to_numpy(), surface_hex_m)
        cells = (
            pd.DataFrame({"q": q, "r": r, "score": surf.score.to_numpy()})
            .groupby(["q", "r"], sort=True)
            .score.mean()
            .reset_index()
        )
        import geopandas as gpd

        polys = [
            hexagon(int(a), int(b), surface_hex_m) for a, b in zip(cells.q, cells.r, strict=True)
        ]
        hexes = gpd.GeoDataFrame(
            {"score": cells.score.round(1)}, geometry=polys, crs=net.crs
        ).to_crs("EPSG:4326")
        layer = folium.FeatureGroup(name="Suitability surface (mean score per hexagon)")
        folium.GeoJson(
            hexes.to_json(),
            style_function=_surface_style,
            tooltip=folium.GeoJsonTooltip(fields=["score"], aliases=["Mean score"]),
        ).add_to(layer)
        layer.add_to(m)
    if iso is not None:
        if len(iso):
            layer = folium.FeatureGroup(name="Walking isochrones")
            shades = {
                b: s
                for b, s in zip(
                    sorted(minutes), ["#08519c", "#3182bd", "#6baed6", "#bdd7e7"], strict=False
                )
            }
            for rec in iso.sort_values("minutes", ascending=False).itertuples():
                colour = shades.get(rec.minutes, "#6baed6")
                folium.GeoJson(
                    shapely.to_geojson(rec.geometry),
                    style_function=lambda _f, c=colour: {
                        "color": c,
                        "weight": 1,
                        "fillColor": c,
                        "fillOpacity": 0.15,
                    },
                    tooltip=escape(f"{rec.site_id}: {rec.minutes:g} min walk", template=True),
                ).add_to(layer)
            layer.add_to(m)
    if amenities and result.amenities is not None and len(result.amenities):
        labels = {c.name: c.label for c in result.config.categories}
        am = result.amenities
        pts = am.geometry.representative_point()
        for cat, idx in am.groupby("category", sort=True).groups.items():
            layer = folium.FeatureGroup(
                name=escape(f"Amenities: {labels.get(cat, cat)}", template=True), show=False
            )
            label = labels.get(cat, cat)
            features = [
                map_feature(pts.at[i], "#fff", f"{am.at[i, 'name'] or label} ({label})")
                for i in idx
            ]
            add_features(
                layer,
                features,
                point={"radius": 3, "color": "#333", "weight": 1, "fillOpacity": 0.9},
            )
            layer.add_to(m)
    if result.transit is not None:
        transport_layer(m, result.transit, result.time_band)
    _site_layer(m, result, wgs)
    items = [(c, label) for _, c, label in SCORE_CLASSES] + [(NOT_SCORED, "not scored")]
    names = {c.name: c.label for c in result.config.categories}
    names |= {"staff": "staff access", "demand": "demand"}
    w = ", ".join(f"{names.get(k, k)} {v:g}" for k, v in result.weights.items())
    _add_legend(m, "Site score", items, f"Weights: {w}. Click a site for its explanation.")
    folium.LayerControl(collapsed=True).add_to(m)
    return m


FREQUENCY_CLASSES = [  # (lowest departures per hour, colour, radius in pixels)
    (8.0, "#08306b", 11),
    (4.0, "#2171b5", 9),
    (2.0, "#4292c6", 7),
    (1.0, "#6baed6", 5.5),
    (0.0, "#c6dbef", 4),
]
"""The stops of a timetable drawn by how often they are served in the band: size and colour."""

_PLURALS = {"bus": "buses", "train": "trains", "tram": "trams", "ferry": "ferries"}


def _per_hour_words(modes: set[str]) -> str:
    """Return what a timetable's departures are, in words: ``"buses"``, ``"buses or trains"``."""
    from carezones.io.gtfs import TransitMode

    words = sorted({TransitMode(m).word for m in modes} or {"bus"})
    plural = [_PLURALS.get(w, w + "s") for w in words]
    return " or ".join(plural) if len(plural) <= 2 else "departures"


def _count(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def transport_layer(
    m: folium.Map, transit: TransitDay, band: TimeBand | str | None = None, *, show: bool = True
) -> None:
    """Draw a timetable's stops on a map, sized and coloured by their departures per hour.

    Every stop with a departure on the timetable's day is a circle: the more departures per
    hour in the band (:func:`carezones.sites.transport.stop_frequencies`), the larger and
    darker; its tooltip says the stop's name and e.g. "6 buses per hour (07:00-19:00)". A
    legend says the classes in words. Stops are public places: nothing here is a client's.

    Parameters
    ----------
    m : folium.Map
        The map to draw on.
    transit : TransitDay
        The timetable's day (:func:`carezones.io.read_gtfs`).
    band : TimeBand or str, optional
        The band the departures are counted in (default 07:00-19:00).
    show : bool, default True
        Whether the layer is shown when the map opens.

    Examples
    --------
    >>> import folium
    >>> from carezones.io import read_gtfs
    >>> m = folium.Map(tiles=None)
    >>> transport_layer(m, read_gtfs(county.gtfs_path))
    >>> "buses per hour" in m.get_root().render()
    True
    """
    import folium

    from carezones.sites.transport import DEFAULT_BAND, TimeBand, stop_frequencies

    band = TimeBand.parse(band if band is not None else DEFAULT_BAND)
    table = stop_frequencies(transit, band)
    dep = transit.departures
    modes = (
        dep.groupby("stop_id")["mode"].agg(lambda s: s.value_counts().index[0]).astype(str)
        if len(dep)
        else pd.Series(dtype=str)
    )
    served = table[table["departures"] > 0].reset_index(drop=True)
    what = _per_hour_words(set(modes.tolist()))
    stops = transit.stops.set_index("stop_id")
    layer = folium.FeatureGroup(name=f"Public transport: {what} per hour", show=show)
    groups: dict[int, list[dict[str, Any]]] = {i: [] for i in range(len(FREQUENCY_CLASSES))}
    order = np.argsort(-served["departures_per_hour"].to_numpy(float), kind="stable")
    for i in order[::-1]:  # the busiest stops drawn last, on top
        row = served.iloc[int(i)]
        per_hour = float(row["departures_per_hour"])
        k = next(j for j, (lo, _, _) in enumerate(FREQUENCY_CLASSES) if per_hour >= lo)
        stop = stops.loc[row["stop_id"]]
        mode = modes.get(row["stop_id"], "bus")
        word = _per_hour_words({mode})
        tip = f"{row['name']}: {_count(per_hour)} {word} per hour ({band.label})"
        if per_hour == 0:
            tip = f"{row['name']}: no {word} {band.label} ({int(row['departures'])} that day)"
        point = shapely.Point(float(stop["lon"]), float(stop["lat"]))
        groups[k].append(map_feature(point, FREQUENCY_CLASSES[k][1], tip))
    for k, features in groups.items():
        add_features(
            layer,
            features,
            point={
                "radius": FREQUENCY_CLASSES[k][2],
                "color": "#222",
                "weight": 1,
                "fillOpacity": 0.85,
            },
        )
    layer.add_to(m)
    bounds = [c[0] for c in FREQUENCY_CLASSES]
    items = [(FREQUENCY_CLASSES[0][1], f"{bounds[0]:g} or more {what} per hour")]
    items += [
        (colour, f"{lo:g} to {hi:g} {what} per hour")
        for (lo, colour, _), hi in zip(FREQUENCY_CLASSES[1:-1], bounds[:-2], strict=True)
    ]
    items.append((FREQUENCY_CLASSES[-1][1], f"fewer than {bounds[-2]:g} an hour"))
    note = (
        f"{len(served):,} stops served on {transit.date:%a %d %b %Y}; the larger and darker, "
        f"the more {what} per hour {band.label}."
    )
    _add_legend(m, f"Public transport ({what} per hour)", items, note, side="right")


def _site_layer(m: folium.Map, result: SiteScores, wgs: gpd.GeoDataFrame) -> None:
    """Draw the sites, coloured by score, as one layer: a tooltip and a popup for each.

    The popup says the site's score, rank and explanation. One GeoJSON layer with a shared
    popup template (:func:`~carezones.report.maps.add_features`), not a folium marker, tooltip
    and popup per site: 10,000 sites draw in about a second, not 24 s.
    """
    import folium

    layer = folium.FeatureGroup(name="Candidate sites")
    features = []
    rows = zip(
        wgs.site_id.tolist(),
        wgs.score.tolist(),
        wgs["rank"].tolist(),
        wgs.geometry,
        result.explanations,
        strict=True,
    )
    for site_id, value, place, geom, why in rows:
        score = "not scored" if pd.isna(value) else f"{value:.1f} / 100"
        rank = "" if pd.isna(place) else f" (rank {int(place)})"
        popup = PopupText(str(site_id), f": {score}{rank}", tuple(why))
        features.append(map_feature(geom, score_colour(value), f"{site_id}: {score}", popup))
    add_features(
        layer,
        features,
        point={"radius": 8, "color": "#222", "weight": 1, "fillOpacity": 0.95},
        shape={"color": None, "weight": 2, "fillOpacity": 0.5},
    )
    layer.add_to(m)


def write_site_scores(
    result: SiteScores, out_dir: PathLike, *, isochrones: bool = True, offline: bool = True
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
    >>> from carezones.report import write_site_scores
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
        iso = None if result.walk is None else result.isochrones()  # for the layer and the map
        if isochrones and iso is not None and result.scores.score.notna().any():
            iso.to_file(gpkg, layer="isochrones", driver="GPKG")
        page = _draw(result, iso, (5, 10, 15), True, True, 250.0, offline, "Candidate sites")
        page.save(str(tmp / names[2]))
        if result.surface is not None:
            names.append("surface.gpkg")
            result.surface.to_file(tmp / names[3], layer="surface", driver="GPKG")
    return [Path(out_dir) / n for n in names]


def sites_card(result: SiteScores) -> str:
    """Return the Jupyter card of scored sites: the spread of scores, the best, where they are.

    No client is drawn: the thumbnail shows the sites on the network's outline.

    Parameters
    ----------
    result : SiteScores
        The scored sites.

    Returns
    -------
    str
        The card's HTML.

    Examples
    --------
    >>> from carezones.report.sites import sites_card
    >>> sites_card(scores).count("<circle")
    5
    """
    k = result.kpis
    spread = (
        f"{k['best_score']:.0f} / {k['median_score']:.0f} / {k['worst_score']:.0f}"
        if k["scored"]
        else "n/a"
    )
    rows: list[tuple[str, Any]] = [
        ("sites", k["sites"]),
        ("scored", k["scored"]),
        ("not scored", k["not_scored"]),
        ("score best / median / worst", spread),
        ("score 75 or more", k["score_75_plus"]),
        ("score 50 to 75", k["score_50_to_75"]),
        ("score under 50", k["score_under_50"]),
        ("weights", ", ".join(f"{n} {w:g}" for n, w in result.weights.items())),
    ]
    if "surface_junctions" in k:
        rows.append(("surface junctions", k["surface_junctions"]))
    top = result.ranked()
    cols = ["rank", "site_id", "score"] + (["town"] if "town" in top.columns else [])
    net = result.walk if result.walk is not None else result.drive
    pts = top.geometry.representative_point()
    colours = [
        "#e6550d" if r == 1 else "#fdae6b" if s == s else "#bdbdbd"
        for r, s in zip(top["rank"].fillna(0), top["score"], strict=True)
    ]
    thumb = svg_sites(
        None if net is None else net.area_wgs84,
        list(zip(pts.x, pts.y, strict=True))[::-1],
        colours[::-1],
    )
    return html_card(
        "Site scores",
        rows,
        table=pd.DataFrame(top[cols]),
        max_rows=8,
        thumbnail=thumb,
        note="Best site dark orange; not scored grey.",
    )
