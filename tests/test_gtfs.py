"""GTFS timetables in, transport access out: the reader, the PTAL index and the site score.

Feeds are written here (a few rows each) or come from the synthetic county; gtfs-kit is the
reference for the departures at each stop.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import geopandas as gpd
import gtfs_kit as gk
import numpy as np
import pandas as pd
import pytest
import shapely

from carezones import ValidationError, load_network, make_synthetic_county, score_sites, testing
from carezones.cli import main
from carezones.io import TransitMode, read_gtfs, route_mode
from carezones.sites import DEFAULT_CATEGORIES, SiteConfig, SiteInputs
from carezones.sites.transport import (
    TimeBand,
    TransportOptions,
    stop_frequencies,
    transport_access,
)

from .conftest import write_osm

LAT, LON0 = 54.40, 1.60
M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(LAT))
CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,0,0,20250101,20251231\n"
)


def lon_at(x_m: float) -> float:
    """The longitude ``x_m`` metres east of the street's west end."""
    return LON0 + x_m / M_PER_DEG_LON


def write_feed(where: Path, files: dict[str, str], *, as_zip: bool = True) -> Path:
    """Write a feed's tables as a zip (or a folder); return its path."""
    if as_zip:
        with zipfile.ZipFile(where, "w") as archive:
            for name, text in files.items():
                archive.writestr(name, text)
        return where
    where.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (where / name).write_text(text, encoding="utf-8")
    return where


def hms(minutes: float) -> str:
    s = round(minutes * 60)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def timetable(stops: dict[str, float], runs: list[tuple[str, int, int, str, list[float]]]) -> dict:
    """A feed's tables: stops at metres along the street; runs of (route, type, direction,
    stop, departure minutes), one trip per departure."""
    stop_rows = "".join(f"{sid},{sid} Stop,{LAT:.7f},{lon_at(x):.7f}\n" for sid, x in stops.items())
    routes = sorted({(r, t) for r, t, _, _, _ in runs})
    trips, times = [], []
    for k, (route, _, direction, stop, minutes) in enumerate(runs):
        for j, m in enumerate(minutes):
            trip = f"{route}-{k}-{j}"
            trips.append(f"{route},WK,{trip},{direction}\n")
            times.append(f"{trip},{hms(m)},{hms(m)},{stop},1\n")
    return {
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\n" + stop_rows,
        "routes.txt": "route_id,route_short_name,route_type\n"
        + "".join(f"{r},{r},{t}\n" for r, t in routes),
        "trips.txt": "route_id,service_id,trip_id,direction_id\n" + "".join(trips),
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        + "".join(times),
        "calendar.txt": CALENDAR,
    }


def every(start: float, end: float, step: float) -> list[float]:
    return list(np.arange(start, end, step))


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A straight residential street 6 km long, west to east, a node every 100 m."""
    nodes = {i + 1: (lon_at(100.0 * i), LAT) for i in range(61)}
    way = {"nodes": list(nodes), "highway": "residential", "name": "Long Street"}
    return write_osm(tmp_path_factory.mktemp("street") / "street.osm", nodes, [way])


@pytest.fixture(scope="module")
def walk(street: Path):
    return load_network(street, "walk", engine="builtin")


def on_street(*xs: float) -> np.ndarray:
    return np.array([(lon_at(x), LAT) for x in xs])


# ------------------------------------------------------------------ departures per stop


def gtfs_kit_per_stop(path: Path, date: dt.date, band: TimeBand) -> pd.DataFrame:
    """gtfs-kit's numbers per stop on the feed's boarding stop times (pickup_type not 1).

    Departures per hour: ``compute_stop_time_series`` (hourly bins) summed over the band's
    hours, over its hours; the rest: ``compute_stop_stats`` with the band as its headway band.
    """
    feed = gk.read_feed(path, dist_units="km")
    if "pickup_type" in feed.stop_times.columns:
        feed.stop_times = feed.stop_times[feed.stop_times["pickup_type"].fillna(0) != 1]
    key = date.strftime("%Y%m%d")
    with pd.option_context("future.infer_freq_returns_offset", False):
        series = gk.compute_stop_time_series(feed, [key], freq="h")
    hour = series["datetime"].dt.hour + 24 * (series["datetime"].dt.date > date)
    start, end = int(band.start_minutes // 60), int(band.end_minutes // 60)
    inside = series[(hour >= start) & (hour < end)]
    per_hour = inside.groupby("stop_id")["num_trips"].sum() / band.hours
    stats = gk.compute_stop_stats(
        feed,
        [key],
        headway_start_time=hms(band.start_minutes),
        headway_end_time=hms(band.end_minutes),
    ).set_index("stop_id")
    stats["departures_per_hour"] = per_hour
    return stats


def assert_agree(path: Path, band: TimeBand, date: str | None = None) -> pd.DataFrame:
    day = read_gtfs(path, date=date)
    ours = stop_frequencies(day, band).set_index("stop_id")
    ref = gtfs_kit_per_stop(path, day.date, band)
    served = ours[ours["departures"] > 0]
    assert sorted(served.index) == sorted(ref.index)
    ref = ref.loc[served.index]
    # exactly: the same departures per hour, day totals, first and last departures, headways
    assert (served["departures_per_hour"].to_numpy() == ref["departures_per_hour"].to_numpy()).all()
    assert (served["departures"].to_numpy() == ref["num_trips"].to_numpy()).all()
    assert (served["routes"].to_numpy() == ref["num_routes"].to_numpy()).all()
    assert [hms(m) for m in served["first_departure"]] == ref["start_time"].tolist()
    assert [hms(m) for m in served["last_departure"]] == ref["end_time"].tolist()
    ours_h = served["mean_headway_minutes"].to_numpy(dtype=float)
    ref_h = ref["mean_headway"].to_numpy(dtype=float)
    assert ((ours_h == ref_h) | (np.isnan(ours_h) & np.isnan(ref_h))).all()
    return served


def test_departures_per_hour_agree_with_gtfs_kit_on_the_synthetic_feed(tmp_path):
    county = make_synthetic_county(tmp_path, size="small")
    for band in (TimeBand.parse("07:00-19:00"), TimeBand.parse("07:00-10:00")):
        served = assert_agree(county.gtfs_path, band)
        assert served["departures_per_hour"].max() >= 4  # the town services
        assert served["departures_per_hour"].min() < 1  # and the villages' few buses
    assert_agree(county.gtfs_path, TimeBand.parse("07:00-19:00"), date="2025-01-11")  # Sat


def test_departures_per_hour_agree_with_gtfs_kit_on_a_hand_written_feed(tmp_path):
    # three stops, two routes; departures on the band's edges, with seconds, and after midnight
    stops = "stop_id,stop_name,stop_lat,stop_lon\nA,Alpha,54.40,1.60\nB,Beta,54.40,1.61\n"
    stops += "C,Gamma,54.41,1.60\n"
    trips = "route_id,service_id,trip_id,direction_id\n"
    trips += "R1,WK,t1,0\nR1,WK,t2,0\nR1,WK,t3,1\nR2,WK,t4,0\nR2,WK,t5,0\nR2,EX,t6,0\n"
    times = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    times += "t1,06:59:59,06:59:59,A,1\nt1,07:00:00,07:00:00,B,2\nt1,07:10:30,07:10:30,C,3\n"
    times += "t2,18:59:30,18:59:30,A,1\nt2,19:00:00,19:00:00,B,2\nt2,19:20:00,19:20:00,C,3\n"
    times += "t3,08:15:00,08:15:00,C,1\nt3,08:40:00,08:40:00,A,2\n"
    times += "t4,09:00:00,09:00:00,A,1\nt4,09:05:00,09:05:00,B,2\n"
    times += "t5,24:30:00,24:30:00,A,1\nt5,25:10:00,25:10:00,B,2\n"
    times += "t6,12:00:00,12:00:00,B,1\n"
    files = {
        "stops.txt": stops,
        "routes.txt": "route_id,route_short_name,route_type\nR1,1,3\nR2,2,2\n",
        "trips.txt": trips,
        "stop_times.txt": times,
        "calendar.txt": CALENDAR,
        "calendar_dates.txt": "service_id,date,exception_type\nEX,20250107,1\n",
    }
    path = write_feed(tmp_path / "three.zip", files)
    served = assert_agree(path, TimeBand.parse("07:00-19:00"), date="2025-01-07")
    # by hand: A departs 06:59:59, 08:40, 09:00, 18:59:30 and 24:30 (3 in the band: 3/12)
    assert served.loc["A", "departures_per_hour"] == 3 / 12
    assert served.loc["B", "departures_per_hour"] == 3 / 12  # 07:00, 09:05, 12:00 (not 19:00)
    assert served.loc["A", "last_departure"] == 24 * 60 + 30  # 24:30:00 accepted
    assert_agree(path, TimeBand.parse("08:00-10:00"), date="2025-01-07")
    assert_agree(path, TimeBand.parse("07:00-19:00"), date="2025-01-08")  # no extra trip t6


# ------------------------------------------------------------------ the access index


def test_access_index_matches_a_hand_calculation(tmp_path, walk):
    # A at 0 m and B at 400 m along the street, C at 2,000 m
    stops = {"A": 0.0, "B": 400.0, "C": 2000.0}
    runs = [
        ("R1", 3, 0, "A", every(420, 1140, 10)),  # bus every 10 min at A: 6 an hour
        ("R2", 3, 0, "A", every(420, 1140, 30)),  # bus every 30 min at A and at B
        ("R2", 3, 0, "B", every(425, 1145, 30)),
        ("R2", 3, 1, "B", every(430, 1150, 30)),  # ... and back: the route counts once
        ("R3", 2, 0, "B", every(420, 1140, 20)),  # train every 20 min at B: 3 an hour
        ("R4", 3, 0, "C", [570.0, 810.0]),  # bus twice a day at C
    ]
    day = read_gtfs(write_feed(tmp_path / "line.zip", timetable(stops, runs)))
    sites = on_street(100.0, 700.0, 2100.0)
    got = transport_access(day, walk, sites, options=TransportOptions(peak=None))
    # the walks, over the path network at 0.8 m/s (48 m a minute)
    w = walk.travel_times(sites, on_street(0.0, 400.0, 2000.0))
    assert np.allclose(w[0, :2], [100 / 48, 300 / 48], atol=0.05)
    assert w[1, 0] < 17 < w[0, 2]
    # site 1: R1 at A: SWT = 0.5 * 60 / 6 = 5, K = 2 (bus) -> EDF = 30 / (wA + 7);
    # R2 best at A: 30 / (wA + 15 + 2) (B is farther for the same 2 an hour);
    # R3 (rail) at B: SWT = 0.5 * 60 / 3 = 10, K = 0.75 -> 30 / (wB + 10.75);
    # buses: the best in full, the other by half; plus the train
    edf1, edf2, edf3 = 30 / (w[0, 0] + 7), 30 / (w[0, 0] + 17), 30 / (w[0, 1] + 10.75)
    site1 = max(edf1, edf2) + 0.5 * min(edf1, edf2) + edf3
    # site 2: A is a 700 m walk (14.6 min, within 17): R1 there; R2 best at B; R3 at B
    edf1, edf2, edf3 = 30 / (w[1, 0] + 7), 30 / (w[1, 1] + 17), 30 / (w[1, 1] + 10.75)
    site2 = max(edf1, edf2) + 0.5 * min(edf1, edf2) + edf3
    # site 3: only C within 17 min; 2 buses in 12 hours: 1/6 an hour, SWT = 0.5 * 60 * 6 = 180
    site3 = 30 / (w[2, 2] + 180 + 2)
    # (travel_times adds up the same paths in another order: the walks agree to 1e-4 min)
    assert np.allclose(got["walk_minutes"], [w[0, 0], w[1, 1], w[2, 2]], rtol=0, atol=1e-4)
    assert np.allclose(got["access_index"], [site1, site2, site3], rtol=1e-5)
    assert got["stop_id"].tolist() == ["A", "B", "C"]
    assert got["departures_per_hour"].tolist() == [8.0, 7.0, 2 / 12]  # every route at the stop
    assert got["first_departure"].tolist() == [420.0, 420.0, 570.0]
    assert got["last_departure"].tolist() == [1130.0, 1120.0, 810.0]
    assert got["mode"].tolist() == ["bus", "bus", "bus"]  # at B, 48 buses and 36 trains
    # the morning peak is a band of its own
    peak = transport_access(day, walk, sites, options=TransportOptions(band="07:00-10:00"))
    assert (peak["access_index"] > 0).all()


def test_the_walk_limit_and_modes(tmp_path, walk):
    runs = [("R1", 3, 0, "A", every(420, 1140, 10))]
    day = read_gtfs(write_feed(tmp_path / "one.zip", timetable({"A": 0.0}, runs)))
    sites = on_street(700.0, 900.0)  # 14.6 and 18.8 min
    got = transport_access(day, walk, sites)
    assert got["access_index"].iloc[0] > 0
    assert got["access_index"].iloc[1] == 0 and pd.isna(got["stop_id"].iloc[1])
    wider = transport_access(day, walk, sites, options=TransportOptions(walk_minutes=20))
    assert (wider["access_index"] > 0).all()
    assert route_mode(3) is TransitMode.BUS and route_mode(109) is TransitMode.RAIL


# ------------------------------------------------------------------ scoring sites


def transport_only() -> SiteConfig:
    cat = next(c for c in DEFAULT_CATEGORIES if c.name == "transport")
    return SiteConfig(categories=(cat,), staff_weight=0, demand_weight=0, rural_points=0)


def test_sites_served_every_10_minutes_and_twice_a_day_rank_apart(tmp_path, walk):
    stops = {"P": 0.0, "Q": 5000.0}
    runs = [("R1", 3, 0, "P", every(420, 1140, 10)), ("R2", 3, 0, "Q", [570.0, 810.0])]
    day = read_gtfs(write_feed(tmp_path / "two.zip", timetable(stops, runs)))
    sites = gpd.GeoDataFrame(
        {"site_id": ["busy", "quiet", "nowhere"]},
        geometry=shapely.points(on_street(100.0, 5100.0, 2500.0)),
        crs="EPSG:4326",
    )
    inputs = SiteInputs(walk=walk, gtfs=day)
    scores = score_sites(sites, inputs, config=transport_only()).scores.set_index("site_id")
    walk_p = scores.loc["busy", "transport_stop_walk_minutes"]
    assert walk_p == pytest.approx(scores.loc["quiet", "transport_stop_walk_minutes"], abs=1e-3)
    assert scores.loc["busy", "transport_score"] > 5 * scores.loc["quiet", "transport_score"]
    assert scores["rank"].tolist() == [1, 2, 3]
    explained = scores["explanation"]
    assert explained["busy"] == "bus every 10 min at P Stop (2 min walk)"
    assert explained["quiet"] == "2 buses 07:00-19:00 at Q Stop (2 min walk)"
    assert explained["nowhere"] == "no bus or train stop within 17 min walk"
    assert scores.loc["nowhere", "transport_score"] == 0


def test_without_a_feed_a_stop_beyond_the_walk_reads_none_within_the_limit(walk):
    amenities = gpd.GeoDataFrame(
        {"category": ["transport"], "name": ["Far Stop"]},
        geometry=shapely.points(on_street(5000.0)),
        crs="EPSG:4326",
    )
    sites = gpd.GeoDataFrame(geometry=shapely.points(on_street(100.0)), crs="EPSG:4326")
    scores = score_sites(sites, SiteInputs(walk=walk, amenities=amenities), config=transport_only())
    assert scores.scores["transport_minutes"].iloc[0] > 90  # the number stays in the table
    text = scores.scores["explanation"].iloc[0]
    assert text == "not within a walk: bus stop or station (none within 17 min walk)"


def test_score_sites_reads_a_feed_path_on_the_options_date():
    from carezones.sites import ScoreOptions

    county = testing.county()
    homes = testing.clients().head(3)[["geometry"]]
    inputs = SiteInputs(osm=county.osm_path, gtfs=county.gtfs_path)
    saturday = score_sites(homes, inputs, options=ScoreOptions(gtfs_date="2025-01-11"))
    assert saturday.transit is not None and saturday.transit.date == dt.date(2025, 1, 11)
    assert "transport_access_index_peak" in saturday.scores.columns
    with pytest.raises(ValidationError, match="2025-12-25"):
        score_sites(homes, inputs, options=ScoreOptions(gtfs_date="2025-12-25"))


# ------------------------------------------------------------------ reading and refusing


def good_files() -> dict[str, str]:
    return timetable({"A": 0.0, "B": 400.0}, [("R1", 3, 0, "A", every(420, 1140, 10))])


def test_the_representative_weekday_and_times_past_midnight(tmp_path):
    files = good_files()
    files["stop_times.txt"] += "late,25:10:00,25:10:00,B,1\n"
    files["trips.txt"] += "R1,WK,late,1\n"
    day = read_gtfs(write_feed(tmp_path / "feed", files, as_zip=False))
    assert day.date == dt.date(2025, 1, 6)  # Monday of the first full week (all alike)
    assert day.departures["minutes"].max() == 25 * 60 + 10
    assert day.first_date == dt.date(2025, 1, 1) and day.last_date == dt.date(2025, 12, 31)
    # fewer trips on Monday 6 January: the Tuesday is taken
    files["calendar_dates.txt"] = "service_id,date,exception_type\nWK,20250106,2\n"
    assert read_gtfs(write_feed(tmp_path / "b.zip", files)).date == dt.date(2025, 1, 7)


def test_a_feed_without_stop_times_is_refused_naming_the_file(tmp_path):
    files = good_files()
    del files["stop_times.txt"]
    with pytest.raises(ValidationError) as info:
        read_gtfs(write_feed(tmp_path / "feed.zip", files))
    assert info.value.source == "feed.zip"
    assert "stop_times.txt" in info.value.problems["column"].tolist()
    assert "the feed has no stop_times.txt" in str(info.value)


def test_a_date_without_service_is_refused_with_the_feeds_dates(tmp_path):
    path = write_feed(tmp_path / "feed.zip", good_files())
    with pytest.raises(ValidationError) as info:
        read_gtfs(path, date="2025-01-11")  # a Saturday: weekday service only
    text = str(info.value)
    assert "no trip runs on Sat 11 Jan 2025 (2025-01-11)" in text
    assert "2025-01-01 to 2025-12-31" in text and "e.g. 2025-01-06" in text
    with pytest.raises(ValidationError, match="2026-03-02"):
        read_gtfs(path, date=dt.date(2026, 3, 2))  # after the feed's last day


def test_every_problem_of_a_feed_at_once_each_naming_its_file_and_row(tmp_path, walk):
    files = good_files()
    files["stops.txt"] += f"FAR,Far away,55.5,{LON0}\nODD,Odd,abc,1.6\n"
    files["routes.txt"] += "R9,9,bus\n"
    files["stop_times.txt"] += "R1-0-0,7:5:00,7:5:00,A,2\nR1-0-1,07:10:00,07:10:00,Z,2\n"
    files["trips.txt"] += "R7,WK,x1,0\n"
    del files["calendar.txt"]
    with pytest.raises(ValidationError) as info:
        read_gtfs(write_feed(tmp_path / "bad.zip", files), area=walk)
    table = info.value.problems
    rows = {
        (c, None if pd.isna(r) else int(r))
        for c, r in zip(table["column"], table["row"], strict=True)
    }
    assert ("calendar.txt", None) in rows  # the whole feed: no calendar
    assert ("stops.txt:stop_id", 4) in rows  # FAR, named by its stop_id
    assert "stop FAR is" in str(info.value) and "km outside the area" in str(info.value)
    assert ("stops.txt:stop_lat", 5) in rows  # ODD
    assert ("routes.txt:route_type", 3) in rows
    assert ("stop_times.txt:departure_time", 74) in rows  # 7:5:00
    assert ("stop_times.txt:stop_id", 75) in rows  # Z
    assert ("trips.txt:route_id", 74) in rows  # R7


def test_the_command_line_scores_by_timetable_and_exits_2_on_a_bad_feed(tmp_path):
    county = testing.county()
    homes = testing.clients().head(3)
    sites = tmp_path / "sites.csv"
    pd.DataFrame({"lat": homes.geometry.y, "lon": homes.geometry.x}).to_csv(sites, index=False)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(county.gtfs_path) as good, zipfile.ZipFile(bad, "w") as out:
        for name in good.namelist():
            if name != "stop_times.txt":
                out.writestr(name, good.read(name))
    base = ["sites", "--osm", str(county.osm_path), "--sites", str(sites), "-q"]
    assert main([*base, "--gtfs", str(bad), "--out", str(tmp_path / "no")]) == 2
    feed = ["--gtfs", str(county.gtfs_path)]
    assert main([*base, *feed, "--date", "2025-12-25", "--out", str(tmp_path / "no")]) == 2
    out = tmp_path / "out"
    assert main([*base, *feed, "--date", "2025-01-07", "--out", str(out)]) == 0
    table = pd.read_csv(out / "scores.csv")
    assert {"transport_access_index", "transport_departures_per_hour"} <= set(table.columns)


def test_stop_times_at_a_station_and_frequency_based_trips_are_refused(tmp_path):
    files = good_files()
    files["stops.txt"] = (
        "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
        f"A,A Stop,{LAT},{LON0},0,ST\nB,B Stop,{LAT},{lon_at(400)},,ST\n"
        f"ST,Station,{LAT},{LON0},1,\n"
    )
    files["stop_times.txt"] += "R1-0-0,08:00:00,08:00:00,ST,2\n"
    files["frequencies.txt"] = (
        "trip_id,start_time,end_time,headway_secs\nR1-0-0,07:00:00,09:00:00,600\n"
    )
    with pytest.raises(ValidationError) as info:
        read_gtfs(write_feed(tmp_path / "feed.zip", files))
    text = str(info.value)
    assert "stop_id ST is a station, entrance or node" in text
    assert "frequencies.txt" in text
    del files["frequencies.txt"]
    files["stop_times.txt"] = files["stop_times.txt"].replace("R1-0-0,08:00:00,08:00:00,ST,2\n", "")
    day = read_gtfs(write_feed(tmp_path / "ok.zip", files))
    assert day.stops["stop_id"].tolist() == ["A", "B"]  # the station is no place to board


def test_the_index_that_scores_in_full_is_configured():
    from carezones import ConfigError

    assert SiteConfig.load({"timetable": {"full_index": 10}}).transport_full_index == 10
    with pytest.raises(ConfigError, match=r"timetable\.full_index must be above 0"):
        SiteConfig.load({"timetable": {"full_index": 0}})
    with pytest.raises(ConfigError, match="unknown field 'band'"):
        SiteConfig.load({"timetable": {"band": "07:00-19:00"}})
