"""The offline demo: a synthetic county (or a real extract): zones, a day's rounds, sites, maps.

``carezones demo --out DIR`` builds the embedded synthetic county, loads its drive network,
computes the clients' travel-time matrix and writes a map and a summary. With ``--osm FILE`` it
does the same on a real extract, placing clients on its residential buildings.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from carezones.county import CountyOptions
from carezones.io import read_clients
from carezones.network import load_network
from carezones.report import output_folder, write_csv
from carezones.report.markdown import escape_markdown
from carezones.report.network import network_map
from carezones.synthetic import clients_on_buildings, make_synthetic_county
from carezones.zones import ZoneOptions, build_zones

DEMO_HOURS_PER_ZONE = 850.0  # about 75 clients: a workable patch for one or two providers
DEMO_ROUND_CLIENTS = 40  # clients of the first zone in the demo day
DEMO_ROUND_ITERATIONS = 4000  # search iterations for the demo day (the same on every machine)
DEMO_COUNTY_ITERATIONS = 300  # per zone's day in the demo's comparison


def run_demo(
    out: Path,
    *,
    osm: Path | None = None,
    n_clients: int = 600,
    size: str = "small",
    seed: int = 0,
    engine: str = "auto",
    step: Callable[[str], None] | None = None,
    offline: bool = True,
) -> dict[str, Any]:
    """Run the demo and write ``network.html``, ``clients.csv``, ``summary.json``/``.md``.

    Parameters
    ----------
    out : Path
        Output folder (created).
    osm : Path, optional
        A real OSM extract; default: the synthetic county.
    n_clients : int
        Clients to place on a real extract's residential buildings.
    size, seed : str, int
        Synthetic county size and seed.
    engine : str
        Travel-time engine (``"auto"``, ``"builtin"``, ``"osrm"``).
    step : callable, optional
        Called with a short description as each step starts; with one, the long steps also
        show progress bars when someone is watching. Without (the default): silent.
    offline : bool
        Embed Leaflet in every map (the default: they open with no internet); ``False`` links
        it from a CDN (smaller files).

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    say = step or (lambda _msg: None)
    progress: bool | None = None if step is not None else False
    with output_folder(out) as tmp:
        timings: dict[str, float] = {}
        t = time.perf_counter()
        synthetic = osm is None
        gtfs: Path | None = None  # the synthetic county's bus timetable, for sites' transport
        if osm is None:
            say(f"building the synthetic county ({size}, seed {seed})")
            county = make_synthetic_county(tmp / "data", size=size, seed=seed)
            osm_path, clients_path = county.osm_path, county.clients_path
            gtfs = county.gtfs_path
        else:
            say(f"placing {n_clients} clients on residential buildings of {osm.name}")
            osm_path = osm
            clients_path = tmp / "clients.csv"
            write_csv(clients_on_buildings(osm, n_clients, seed=seed), clients_path, index=False)
        timings["data_s"] = time.perf_counter() - t

        say(f"loading the drive network from {osm_path.name}")
        t = time.perf_counter()
        net = load_network(
            osm_path,
            "drive",
            engine=engine,  # type: ignore[arg-type]
            progress=progress,
        )
        timings["network_s"] = time.perf_counter() - t

        say("reading and validating clients")
        clients = read_clients(clients_path, area=net)

        say(f"computing the {len(clients)} x {len(clients)} travel-time matrix ({net.engine})")
        t = time.perf_counter()
        minutes = net.travel_times(clients)
        timings["matrix_s"] = time.perf_counter() - t
        np.savez_compressed(
            tmp / "travel_times.npz",
            minutes=minutes,
            client_id=clients["client_id"].to_numpy(dtype=str),
        )

        say("drawing the map")
        title = f"carezones demo: {len(clients)} clients on {osm_path.name}"
        m = network_map(net, clients, synthetic=synthetic, title=title, offline=offline)
        m.save(str(tmp / "network.html"))

        say("designing home-care zones")
        t = time.perf_counter()
        plan = build_zones(  # drawn around every building of the file, as the network keeps
            clients,
            net,
            hours_per_zone=DEMO_HOURS_PER_ZONE,
            options=ZoneOptions(seed=seed),
            progress=progress,
        )
        timings["zones_s"] = time.perf_counter() - t
        plan.to_files(tmp / "zones", offline=offline)

        say("planning one day's rounds for the first zone")
        t = time.perf_counter()
        rounds = _zone_day(net, clients, plan, seed)
        timings["rounds_s"] = time.perf_counter() - t
        rounds.to_files(tmp / "rounds", offline=offline)

        say("scoring candidate extra-care sites (zone centres and named places)")
        t = time.perf_counter()
        sites = _score_demo_sites(osm_path, net, clients, plan, progress, gtfs)
        timings["sites_s"] = time.perf_counter() - t
        sites.to_files(tmp / "sites", offline=offline)

        say("comparing zones with scattered providers on a sample of clients' days")
        t = time.perf_counter()
        comparison = _compare_sample(net, clients, seed)
        timings["county_s"] = time.perf_counter() - t
        comparison.to_files(tmp / "county", offline=offline)

        summary = _summary(net, clients, minutes, timings, synthetic)
        summary["maps_offline"] = offline
        top = sites.ranked().head(3)
        summary["sites"] = {
            "candidates": len(sites.scores),
            "best": [
                {"site_id": str(r.site_id), "score": round(float(r.score), 1)}
                for r in top.itertuples()
            ],
            "surface_junctions": 0 if sites.surface is None else len(sites.surface),
        }
        k = rounds.kpis
        summary["rounds"] = {
            key: k[key]
            for key in (
                "visits",
                "visits_served",
                "carers_used",
                "care_minutes",
                "travel_minutes",
                "travel_share_of_working_time",
                "travel_minutes_per_care_hour",
            )
        }
        summary["county"] = {
            str(r.design): {
                "travel_minutes_per_care_hour": round(float(r.travel_minutes_per_care_hour), 2),
                "carers": int(r.carers),
                "visits_unserved": int(r.visits_unserved),
            }
            for r in comparison.table.itertuples()
        }
        summary["zones"] = {
            k: plan.kpis[k]
            for k in (
                "n_zones",
                "worst_deviation",
                "balanced",
                "mean_minutes_to_centre",
                "contiguous",
            )
        }
        (tmp / "summary.json").write_text(json.dumps(summary, indent=2))
        (tmp / "summary.md").write_text(_markdown(summary))
        (tmp / "index.html").write_text(index_page(summary), encoding="utf-8")
    return summary


def index_page(s: dict[str, Any]) -> str:
    """Return the page that links the demo's maps, with the headline numbers (escaped)."""
    from html import escape

    z, r, st, net = s["zones"], s["rounds"], s["sites"], s["network"]
    banner = (
        '<p class="synthetic">SYNTHETIC DATA: an invented county, not a real place.</p>'
        if s["synthetic"]
        else ""
    )
    best = "".join(
        f"<li>{escape(str(b['site_id']))}: {b['score']:.0f} / 100</li>" for b in st["best"]
    )
    cards = [
        (
            "zones/zones.html",
            "Home-care zones",
            f"{z['n_zones']} zones, the worst {z['worst_deviation']:+.1%} from the mean weekly "
            f"hours; clients {z['mean_minutes_to_centre']:.1f} min from their zone's centre on "
            "average. For commissioners.",
        ),
        (
            "rounds/rounds.html",
            "One day's rounds (first zone)",
            f"{r['visits_served']} of {r['visits']} visits by {r['carers_used']} carers; "
            f"{r['travel_minutes_per_care_hour']:.1f} travel minutes per hour of care "
            f"({r['travel_share_of_working_time']:.0%} of working time). For the provider: it "
            "shows visit locations.",
        ),
        (
            "rounds/timeline.html",
            "The same day as a timeline and run sheets",
            "A row per carer and shift: visits, travel, waiting and breaks (hover for details); "
            "a printable run sheet per carer in rounds/run-sheets/. For the provider's own use.",
        ),
        (
            "sites/sites.html",
            "Candidate sites",
            f"{st['candidates']} candidates scored for walking access, staff access, demand and "
            f"rurality; the whole area scored at {st['surface_junctions']:,} junctions. For "
            "housing teams.",
        ),
        (
            "county/index.html",
            "Zone designs compared",
            "; ".join(
                f"{name}: {v['travel_minutes_per_care_hour']:.1f} travel min per care hour, "
                f"{v['carers']} carers"
                for name, v in s.get("county", {}).items()
            )
            + ". Each design's day planned with the same visits and team rule. For "
            "commissioners.",
        ),
        (
            "network.html",
            "Road network and clients",
            f"{net['nodes']:,} nodes, {net['km_of_road']:,} km of road; {s['clients']:,} clients "
            "shown only as hexagons of 5 or more.",
        ),
    ]
    items = "".join(
        f'<div class="card"><h2><a href="{href}">{escape(title)}</a></h2><p>{escape(text)}</p>'
        + (f"<p>Best sites:</p><ul>{best}</ul>" if href.startswith("sites") else "")
        + "</div>"
        for href, title, text in cards
    )
    secs = ", ".join(f"{escape(k)} {v}" for k, v in s["seconds"].items())
    assets = (
        "Every map works offline."
        if s.get("maps_offline", True)
        else "The maps load Leaflet from a CDN: they need internet to open."
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>carezones demo</title>'
        "<style>body{font:15px/1.45 sans-serif;max-width:900px;margin:2em auto;padding:0 1em}"
        ".card{border:1px solid #ccc;border-radius:6px;padding:.4em 1em;margin:1em 0}"
        ".synthetic{background:#fff3cd;padding:.5em;font-weight:bold}h2{font-size:1.15em}"
        "</style></head><body><h1>carezones demo</h1>"
        f"{banner}<p>{s['clients']:,} clients, {s['hours_per_week']:,.0f} hours of care a "
        f"week, on {escape(str(net['source']))}. {assets}</p>{items}"
        f"<p>Files: zones/, rounds/, sites/ (GeoPackage and CSV), summary.json, summary.md. "
        f"Timings (s): {secs}.</p><p>Road data: {escape(str(s['attribution']))}.</p>"
        "</body></html>"
    )


def _compare_sample(net: Any, clients: Any, seed: int) -> Any:
    """Compare, on every fifth client's day, 4 scattered providers with 2 carezones zones.

    A small version of ``carezones county`` (the providers are invented: each client's is drawn
    at random, as before zoning).
    """
    from carezones.county import compare_designs

    sample = clients.iloc[::5].copy()
    rng = np.random.default_rng(seed)
    sample["provider"] = [f"Provider {i + 1}" for i in rng.integers(0, 4, len(sample))]
    counts = [k for k in (2, 3) if 5 * k <= len(sample)] or [1]  # zones of 5 clients or more
    return compare_designs(
        sample,
        net,
        designs={"today": "provider"},
        zone_counts=counts,
        options=CountyOptions(iterations=DEMO_COUNTY_ITERATIONS, workers=1, seed=seed),
    )


def _zone_day(net: Any, clients: Any, plan: Any, seed: int) -> Any:
    """Plan an illustrative day (:func:`carezones.synthetic.example_day`) for the first zone.

    Its carers live at the addresses of other clients (invented, like the day).
    """
    from carezones.rounds import RoundsOptions, plan_rounds, read_carers, read_visits
    from carezones.synthetic import example_day

    first = plan.zones["zone_id"].iloc[0]
    ids = set(plan.assignments.loc[plan.assignments.zone_id == first, "client_id"])
    inside = clients["client_id"].isin(ids).to_numpy()
    ll = np.column_stack([clients.geometry.x, clients.geometry.y])
    rng = np.random.default_rng(seed)
    order = np.r_[
        np.flatnonzero(inside)[rng.permutation(int(inside.sum()))],
        np.flatnonzero(~inside)[rng.permutation(int((~inside).sum()))],
    ]
    mine = ll[order[:DEMO_ROUND_CLIENTS]]
    rest = ll[order[DEMO_ROUND_CLIENTS:]] if len(order) > DEMO_ROUND_CLIENTS else ll
    homes = rest[::-1][: max(len(mine) // 5, 3)]
    v, c = example_day(mine, homes, seed=seed)
    visits, carers = read_visits(v, area=net), read_carers(c, area=net)
    opts = RoundsOptions(iterations=DEMO_ROUND_ITERATIONS, seed=seed)
    return plan_rounds(visits, carers, net, options=opts)


def _score_demo_sites(
    osm_path: Path,
    net: Any,
    clients: Any,
    plan: Any,
    progress: bool | None = None,
    gtfs: Path | None = None,
) -> Any:
    """Score each zone's centre and each named town or village as a candidate site.

    Carers are assumed to live at every tenth client's address (invented, like the clients).
    Transport is judged by the bus timetable when there is one (the synthetic county's).
    """
    import geopandas as gpd

    from carezones.sites import ScoreOptions, SiteInputs, read_towns, score_sites

    zones = plan.zones[plan.zones.centre_lon.notna()]  # a withheld zone has no centre
    places = read_towns(osm_path, places=("city", "town", "village"))
    names = [f"Zone {int(z)} centre" for z in zones.zone_id] + places["name"].tolist()
    lon = np.r_[zones.centre_lon.to_numpy(float), places.geometry.x.to_numpy()]
    lat = np.r_[zones.centre_lat.to_numpy(float), places.geometry.y.to_numpy()]
    sites = gpd.GeoDataFrame(
        {"site_id": names}, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326"
    ).drop_duplicates("site_id")
    return score_sites(
        sites,
        SiteInputs(osm=osm_path, drive=net, gtfs=gtfs),
        clients=clients,
        carers=clients.iloc[::10][["geometry"]],
        options=ScoreOptions(surface=True),
        progress=progress,
    )


def _summary(
    net: Any, clients: Any, minutes: np.ndarray, timings: dict[str, float], synthetic: bool
) -> dict[str, Any]:
    off = ~np.eye(len(minutes), dtype=bool)
    pair = minutes[off]
    finite = pair[np.isfinite(pair)]
    nn = np.where(off, minutes, np.inf).min(axis=1)
    hours = clients["hours_per_week"].to_numpy(dtype=float)
    return {
        "synthetic": synthetic,
        "network": dict(net.kpis),
        "clients": len(clients),
        "hours_per_week": round(float(hours.sum()), 2),
        "mean_hours_per_client": round(float(hours.mean()), 2) if len(hours) else 0.0,
        "travel_minutes": {
            "engine": net.engine,
            "pairs": int(pair.size),
            "unreachable_pairs": int(pair.size - finite.size),
            "median": round(float(np.median(finite)), 2) if finite.size else None,
            "p90": round(float(np.percentile(finite, 90)), 2) if finite.size else None,
            "mean_to_nearest_other_client": round(float(np.mean(nn[np.isfinite(nn)])), 2)
            if np.isfinite(nn).any()
            else None,
        },
        "seconds": {k: round(v, 3) for k, v in timings.items()},
        "attribution": net.provenance.attribution,
    }


def _markdown(s: dict[str, Any]) -> str:
    md = escape_markdown  # the source file's name, the sites' ids: text from outside
    net, tm, r = s["network"], s["travel_minutes"], s["rounds"]
    label = (
        "**SYNTHETIC DATA** (an invented county, not a real place)\n\n" if s["synthetic"] else ""
    )
    return (
        f"# carezones demo\n\n{label}"
        f"- Network: {md(net['source'])} ({net['mode']}), {net['nodes']:,} nodes, "
        f"{net['km_of_road']:,} km of road, OSM data of {net['osm_timestamp']}\n"
        f"- Clients: {s['clients']:,}, {s['hours_per_week']:,} hours of care a week "
        f"(mean {s['mean_hours_per_client']} h)\n"
        f"- Travel between clients ({tm['engine']} engine): median {tm['median']} min, "
        f"90th percentile {tm['p90']} min; nearest other client on average "
        f"{tm['mean_to_nearest_other_client']} min away; unreachable pairs "
        f"{tm['unreachable_pairs']:,}\n"
        f"- Zones: {s['zones']['n_zones']}, worst {s['zones']['worst_deviation']:+.1%} from the "
        f"mean hours, {s['zones']['mean_minutes_to_centre']:.1f} min on average from the zone "
        f"centre (zones/zones.html, zones/summary.md)\n"
        f"- Rounds for one zone (an invented day): {r['visits_served']} of {r['visits']} visits "
        f"by {r['carers_used']} carers, {r['travel_minutes']:.0f} travel minutes, "
        f"{r['travel_share_of_working_time']:.0%} of working time (rounds/rounds.html)\n"
        f"- Sites: {s['sites']['candidates']} candidates scored; best "
        f"{', '.join(f'{md(b["site_id"])} ({b["score"]:.0f}/100)' for b in s['sites']['best'])}; "
        f"whole-area surface at {s['sites']['surface_junctions']:,} junctions "
        f"(sites/sites.html, sites/scores.csv)\n"
        f"- Timings (s): {', '.join(f'{k} {v}' for k, v in s['seconds'].items())}\n\n"
        f"Maps: network.html, zones/zones.html, rounds/rounds.html, sites/sites.html. "
        f"Road data: {md(s['attribution'])}.\n"
    )
