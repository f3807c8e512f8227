"""Trust: no formula in an output cell, no half-written results, no crash or hang on bad input.

Each test here failed on the code before issue 12 and passes now.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

import carezones as cz
from carezones.cli import main

from .conftest import random_points

pytestmark = pytest.mark.hostile

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x","y")', "+1+2", "-3+cmd", "@SUM(A1)"]


def _cells(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [cell for row in csv.reader(f) for cell in row]


def _no_formula(path: Path) -> None:
    plain = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
    live = [c for c in _cells(path) if c[:1] in "=+-@\t\r" and c and not plain.match(c)]
    assert not live, f"{path.name} has cells a spreadsheet would run: {live[:5]}"


@pytest.fixture
def net(grid_file, cache):
    return cz.load_network(grid_file, "drive", engine="builtin")


# ---------------------------------------------------------------------- CSV injection
def test_write_csv_neutralises_formulas_and_keeps_numbers(tmp_path):
    from carezones.report import write_csv

    frame = pd.DataFrame({"id": [*FORMULAS, "-12.5", "C001"], "hours": range(7)})
    frame.index = [f"=r{i}" for i in range(7)]
    path = write_csv(frame.rename(columns={"id": "=id"}), tmp_path / "x.csv")
    _no_formula(path)
    back = pd.read_csv(path, index_col=0, dtype={"'=id": str})
    assert back["hours"].dtype.kind == "i"  # numbers stay numbers
    assert list(back["'=id"][-2:]) == ["-12.5", "C001"]  # a plain number is not a formula
    assert back["'=id"].iloc[0] == "'" + FORMULAS[0]
    assert list(back.index[:2]) == ["'=r0", "'=r1"]


def test_every_writer_neutralises_hostile_ids(net, tmp_path):
    pts = random_points(net, 12, seed=3)
    ids = [f"{FORMULAS[i % len(FORMULAS)]}{i}" for i in range(12)]
    clients = cz.read_clients(
        pd.DataFrame({"client_id": ids, "lon": pts[:, 0], "lat": pts[:, 1], "hours": 5.0})
    )
    plan = cz.build_zones(clients, net, 2)
    for p in plan.to_files(tmp_path / "zones"):
        if p.suffix == ".csv":
            _no_formula(p)
    sites = gpd.GeoDataFrame(
        {"site_id": ids[:4], "name": FORMULAS[:4]},
        geometry=gpd.points_from_xy(pts[:4, 0], pts[:4, 1]),
        crs=4326,
    )
    res = cz.score_sites(
        sites, cz.SiteInputs(walk=net, drive=net), clients=clients, config={"rural": {"points": 0}}
    )
    for p in res.to_files(tmp_path / "sites"):
        if p.suffix == ".csv":
            _no_formula(p)
    assert (
        main(
            [
                "travel-times",
                "--osm",
                str(net.provenance.source),
                "--engine",
                "builtin",
                "--points",
                str(_csv(tmp_path, clients)),
                "--out",
                str(tmp_path / "m.csv"),
                "-q",
            ]
        )
        == 0
    )
    _no_formula(tmp_path / "m.csv")


def test_rounds_files_neutralise_hostile_ids(net, tmp_path):
    from carezones.synthetic import example_day

    pts = random_points(net, 8, seed=5)
    v, c = example_day(pts[:6], pts[6:], seed=0)
    v["visit_id"] = [f"=v{i}" for i in range(len(v))]
    v["client_id"] = [f"@c{i}" for i in range(len(v))]
    c["carer_id"] = [f"+k{i}" if i % 2 else f"-k{i}" for i in range(len(c))]
    rounds = cz.plan_rounds(
        cz.read_visits(v), cz.read_carers(c), net, options=cz.RoundsOptions(iterations=200)
    )
    for p in rounds.to_files(tmp_path / "day"):
        if p.suffix == ".csv":
            _no_formula(p)


def _csv(tmp_path: Path, clients: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "points.csv"
    pd.DataFrame(
        {
            "client_id": clients.client_id,
            "lat": clients.geometry.y,
            "lon": clients.geometry.x,
            "hours": 5.0,
        }
    ).to_csv(path, index=False)
    return path


# ---------------------------------------------------------------------- whole folders
def test_an_interrupted_run_leaves_the_earlier_run_whole(tmp_path):
    from carezones.report import output_folder

    out = tmp_path / "out"
    with output_folder(out) as tmp:
        (tmp / "a.csv").write_text("first\n")
        (tmp / "surface.gpkg").write_text("old layer\n")
    with pytest.raises(KeyboardInterrupt), output_folder(out) as tmp:
        (tmp / "a.csv").write_text("second\n")
        raise KeyboardInterrupt
    assert (out / "a.csv").read_text() == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no partial folder left
    with output_folder(out) as tmp:
        (tmp / "a.csv").write_text("third\n")
    assert not (out / "surface.gpkg").exists()  # nothing stale from an earlier run


def test_a_folder_carezones_did_not_write_is_refused(tmp_path):
    from carezones.errors import OutputError
    from carezones.report import output_folder

    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.docx").write_text("precious")
    with pytest.raises(OutputError, match="did not write"), output_folder(mine):
        pass
    assert (mine / "thesis.docx").read_text() == "precious"


def test_cli_checks_the_output_before_any_work(net, tmp_path, capsys):
    osm = str(net.provenance.source)
    a_file = tmp_path / "taken.txt"
    a_file.write_text("x")
    base = ["zones", "--osm", osm, "--clients", "nowhere.csv", "--zones", "2", "-q"]
    assert main([*base, "--out", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "internal error" not in err
    times = ["travel-times", "--osm", osm, "--points", "nowhere.csv", "-q"]
    assert main([*times, "--out", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_ctrl_c_exits_with_a_short_message(monkeypatch, capsys, tmp_path):
    from carezones.cli import commands

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(commands.COMMANDS, "network", interrupted)
    assert main(["network", "--osm", str(tmp_path / "x.osm")]) == 130
    err = capsys.readouterr().err
    assert "interrupted" in err and "Traceback" not in err


# ---------------------------------------------------------------------- options
@pytest.mark.parametrize(
    "extra",
    [
        ["--time-limit", "nan"],
        ["--time-limit", "inf"],
        ["--time-limit", "-5"],
        ["--seed", "-1"],
        ["--co2-kg-per-km", "-1"],
        ["--balance", "nan"],
    ],
)
def test_bad_numeric_options_are_refused_at_once(extra, capsys):
    args = ["rounds", "--osm", "x.osm", "--visits", "v.csv", "--carers", "c.csv", "--out", "o"]
    with pytest.raises(SystemExit) as exit_:
        main([*args, *extra])
    assert exit_.value.code == 2
    assert extra[0] in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra",
    [["--zones", "2.5"], ["--zones", "0"], ["--tolerance", "1.5"], ["--hours-per-zone", "nan"]],
)
def test_bad_zone_options_are_refused_at_once(extra):
    with pytest.raises(SystemExit) as exit_:
        main(["zones", "--osm", "x.osm", "--clients", "c.csv", "--out", "o", *extra])
    assert exit_.value.code == 2


# ---------------------------------------------------------------------- inputs
def _carers(**change):
    row = {
        "carer_id": "A",
        "lat": 52.67,
        "lon": -0.73,
        "shift_start": "07:00",
        "shift_end": "11:00",
        "break_minutes": 30,
        "break_window_start": "09:00",
        "break_window_end": "10:00",
    }
    return pd.DataFrame([{**row, **change}])


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"break_minutes": 300, "break_window_end": "14:00"}, "longer than the shift"),
        ({"break_window_start": "12:00", "break_window_end": "13:00"}, "outside the shift"),
        ({"break_window_start": "10:50", "break_window_end": "12:00"}, "outside the shift"),
    ],
)
def test_a_break_that_cannot_be_taken_is_a_validation_problem(change, words):
    with pytest.raises(cz.ValidationError, match=words):
        cz.read_carers(_carers(**change))


def test_visit_and_carer_readers_collect(tmp_path):
    carers = pd.concat(
        [_carers(), _carers(carer_id="B", break_minutes=300, break_window_end="14:00")]
    )
    valid, rejected = cz.read_carers(carers, errors="collect")
    assert list(valid.carer_id) == ["A"] and list(rejected.row) == [2]
    visits = pd.DataFrame(
        {
            "visit_id": ["v1", "v2"],
            "lat": 52.67,
            "lon": -0.73,
            "window_start": ["08:00", "9am"],
            "window_end": "10:00",
            "duration_minutes": 30,
        }
    )
    valid, rejected = cz.read_visits(visits, errors="collect")
    assert list(valid.visit_id) == ["v1"] and list(rejected.column) == ["window_start"]


def test_rounds_reports_problems_of_both_files_together(net, tmp_path, capsys):
    visits = tmp_path / "visits.csv"
    pd.DataFrame(
        {
            "visit_id": ["v1"],
            "lat": [net.lat[3]],
            "lon": [net.lon[3]],
            "window_start": ["25:00"],
            "window_end": ["10:00"],
            "duration_minutes": [30],
        }
    ).to_csv(visits, index=False)
    carers = tmp_path / "carers.csv"
    _carers(lat=net.lat[5], lon=net.lon[5], break_minutes=300, break_window_end="14:00").to_csv(
        carers, index=False
    )
    args = [
        "rounds",
        "--osm",
        str(net.provenance.source),
        "--engine",
        "builtin",
        "--visits",
        str(visits),
        "--carers",
        str(carers),
        "--out",
        str(tmp_path / "o"),
        "-q",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "visits" in err and "not a time of day" in err and "longer than the shift" in err


def test_a_workbook_with_two_data_sheets_is_refused_or_chosen(net, tmp_path, capsys):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "North"
    second = book.create_sheet("South")
    for ws, k in ((first, 0), (second, 10)):
        ws.append(["client_id", "lat", "lon", "hours"])
        for i in range(10):
            ws.append([f"C{k + i}", float(net.lat[k + i]), float(net.lon[k + i]), 5])
    path = tmp_path / "clients.xlsx"
    book.save(path)
    with pytest.raises(cz.ValidationError, match=r"2 sheets with data.*North.*South"):
        cz.read_clients(path)
    assert len(cz.read_clients(path, sheet="South")) == 10
    args = [
        "travel-times",
        "--osm",
        str(net.provenance.source),
        "--engine",
        "builtin",
        "-q",
        "--out",
        str(tmp_path / "m.csv"),
        "--points",
    ]
    assert main([*args, str(path)]) == 2
    err = capsys.readouterr().err
    assert "FILE#" in err and "sheet=" not in err  # a hint for the command line
    assert main([*args, f"{path}#South"]) == 0
    assert pd.read_csv(tmp_path / "m.csv", index_col=0).shape == (10, 10)


@pytest.mark.parametrize("kind", ["binary", "csv", "missing", "folder"])
def test_bad_area_files_are_reported_not_crashed(net, tmp_path, capsys, kind):
    path = {
        "binary": tmp_path / "b.gpkg",
        "csv": tmp_path / "b.csv",
        "missing": tmp_path / "none.gpkg",
        "folder": tmp_path,
    }[kind]
    if kind == "binary":
        path.write_bytes(bytes(range(256)) * 20)
    if kind == "csv":
        path.write_text("a,b\n1,2\n")
    one = {"client_id": ["a"], "lon": [net.lon[2]], "lat": [net.lat[2]], "hours": [1.0]}
    clients = _csv(tmp_path, cz.read_clients(pd.DataFrame(one)))
    args = [
        "zones",
        "--osm",
        str(net.provenance.source),
        "--engine",
        "builtin",
        "--clients",
        str(clients),
        "--zones",
        "1",
        "--out",
        str(tmp_path / "o"),
        "-q",
        "--boundary",
        str(path),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and ("boundary" in err or "no such file" in err)


def test_a_config_folder_is_a_clear_error(net, tmp_path, capsys):
    sites = tmp_path / "sites.csv"
    sites.write_text(f"site_id,lat,lon\nS1,{net.lat[4]},{net.lon[4]}\n")
    args = [
        "sites",
        "--osm",
        str(net.provenance.source),
        "--sites",
        str(sites),
        "--config",
        str(tmp_path),
        "--out",
        str(tmp_path / "o"),
        "-q",
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and "internal error" not in err


def test_sites_check_clients_against_the_area(net):
    far = pd.DataFrame(
        {
            "client_id": [f"c{i}" for i in range(6)],
            "lat": 54.9 + np.arange(6) / 100,
            "lon": -2.9,
            "hours": 10.0,
        }
    )
    sites = gpd.GeoDataFrame(
        {"site_id": ["S"]}, geometry=[shapely.Point(net.lon[4], net.lat[4])], crs=4326
    )
    with pytest.raises(cz.ValidationError, match="outside the area of the road network"):
        cz.score_sites(sites, cz.SiteInputs(walk=net, drive=net), clients=far)


def test_a_bow_tie_site_is_rejected_with_its_row(net):
    x, y = float(net.lon[10]), float(net.lat[10])
    bow = shapely.Polygon([(x, y), (x + 0.002, y + 0.002), (x + 0.002, y), (x, y + 0.002)])
    good = shapely.Point(net.lon[4], net.lat[4])
    sites = gpd.GeoDataFrame({"site_id": ["ok", "bow"]}, geometry=[good, bow], crs=4326)
    with pytest.raises(cz.ValidationError, match=r"row 2.*not valid"):
        cz.score_sites(sites, cz.SiteInputs(walk=net))


def test_nothing_to_score_says_so_when_the_osm_file_is_given(net):
    sites = gpd.GeoDataFrame(
        {"site_id": ["S"]}, geometry=[shapely.Point(net.lon[4], net.lat[4])], crs=4326
    )
    config = {
        "replace_categories": True,
        "categories": {},
        "rural": {"points": 0},
        "staff": {"weight": 15},
        "demand": {"weight": 0},
    }
    with pytest.raises(cz.CarezonesError, match="nothing to score") as err:
        cz.score_sites(sites, net.provenance.source, config=config)
    assert "pass osm=" not in str(err.value)


def test_swapped_easting_and_northing_are_reported_as_swapped(net):
    from pyproj import Transformer

    e, n = Transformer.from_crs(4326, 27700, always_xy=True).transform(net.lon[7], net.lat[7])
    df = pd.DataFrame({"client_id": ["a"], "easting": [n], "northing": [e], "hours": [5]})
    with pytest.raises(cz.ValidationError, match="easting and northing look swapped"):
        cz.read_clients(df, area=net)


def test_a_junk_file_lists_a_bounded_number_of_problems(tmp_path):
    from carezones.errors import LISTED_PER_COLUMN

    rows = LISTED_PER_COLUMN + 500
    path = tmp_path / "junk.csv"
    pd.DataFrame(
        {"client_id": [f"c{i}" for i in range(rows)], "lat": "north", "lon": "west", "hours": 5}
    ).to_csv(path, index=False)
    with pytest.raises(cz.ValidationError) as err:
        cz.read_clients(path)
    table = err.value.problems
    assert (table.column == "lat").sum() == LISTED_PER_COLUMN + 1  # the listed ones + a count
    assert "500 more problems in this column" in str(err.value)
    _, rejected = cz.read_clients(path, errors="collect")
    assert rejected.row.nunique() == rows  # every rejected row is still named


def test_an_unwritable_cache_falls_back_to_a_temporary_one(
    grid_file, tmp_path, monkeypatch, caplog
):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("CAREZONES_CACHE", str(blocker / "cache"))
    net = cz.load_network(grid_file, "drive", engine="builtin")
    assert net.n_nodes > 0 and "cannot be written" in caplog.text


def test_output_marker_lists_the_files(tmp_path):
    from carezones.report import output_folder

    with output_folder(tmp_path / "o") as tmp:
        (tmp / "a.csv").write_text("x\n")
    marker = json.loads((tmp_path / "o" / ".carezones-output").read_text())
    assert marker["files"] == ["a.csv"]


# ---------------------------------------------------------------------- rounds
@pytest.fixture
def day(net):
    from carezones.synthetic import example_day

    pts = random_points(net, 9, seed=11)
    v, c = example_day(pts[:6], pts[6:], seed=1)
    return cz.read_visits(v), cz.read_carers(c)


@pytest.mark.parametrize(
    ("arg", "value"),
    [
        ("time_limit", float("nan")),
        ("time_limit", float("inf")),
        ("time_limit", -5),
        ("seed", -1),
        ("seed", 2.5),
        ("co2_kg_per_km", -1),
        ("balance", True),
        ("iterations", 0),
    ],
)
def test_rounds_options_check_their_numbers(arg, value):
    kwargs = {"iterations": 50, arg: value}
    with pytest.raises(ValueError, match=arg):
        cz.RoundsOptions(**kwargs)
    with pytest.raises(ValueError, match=arg):
        cz.WeekOptions(**kwargs)


def test_plan_rounds_takes_only_its_options(net, day):
    visits, carers = day
    with pytest.raises(ValueError, match="RoundsOptions"):
        cz.plan_rounds(visits, carers, net, options={"iterations": 50})


def test_plan_rounds_without_carers_says_so(net, day):
    visits, carers = day
    with pytest.raises(ValueError, match="no carers"):
        cz.plan_rounds(visits, carers.iloc[:0], net, options=cz.RoundsOptions(iterations=50))


def test_off_road_visits_and_homes_get_the_real_reason(net, day):
    visits, carers = day
    field = shapely.Point(float(net.lon.max()) + 0.03, float(net.lat.max()) + 0.03)
    visits = visits.copy()
    visits.loc[0, "geometry"] = field
    carers = carers.copy()
    carers.loc[0, "geometry"] = field
    rounds = cz.plan_rounds(visits, carers, net, options=cz.RoundsOptions(iterations=300))
    why = rounds.unserved.set_index("visit_id").reason[visits.visit_id[0]]
    assert "m from any road" in why and "check its location" in why
    cut_off = [u for u in rounds.kpis["unused_shifts"] if u["carer_id"] == carers.carer_id[0]]
    assert cut_off and "carer's home is more than" in cut_off[0]["reason"]
    assert rounds.check() == []


def test_network_arguments_are_checked(grid_file, cache, net):
    with pytest.raises(ValueError, match="max_snap_m"):
        cz.load_network(grid_file, "drive", engine="builtin", max_snap_m=float("nan"))
    with pytest.raises(ValueError, match="minutes"):
        net.isochrones([[net.lon[0], net.lat[0]]], minutes=[5, float("nan")])
    assert len(net.isochrones([[net.lon[0], net.lat[0]]], minutes=5)) == 1
