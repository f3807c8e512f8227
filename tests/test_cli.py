"""The command line and the offline demo, end to end."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from carezones.cli import main


def test_demo_synthetic_end_to_end(tmp_path, cache, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--size", "tiny", "--engine", "builtin"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["synthetic"] is True
    assert summary["clients"] > 0 and summary["travel_minutes"]["unreachable_pairs"] == 0
    html = (out / "network.html").read_text()
    assert "OpenStreetMap contributors" in html
    assert "SYNTHETIC DATA" in html
    assert "tile.openstreetmap.org" not in html  # no real basemap under invented roads
    clients = pd.read_csv(next((out / "data").glob("*-clients.csv")))
    assert not any(cid in html for cid in clients.client_id)  # clients aggregated, never named
    minutes = np.load(out / "travel_times.npz")["minutes"]
    assert minutes.shape == (len(clients), len(clients))
    assert "SYNTHETIC DATA" in (out / "summary.md").read_text()
    assert "median travel" in capsys.readouterr().out


def test_demo_is_deterministic(tmp_path, cache):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        assert main(["demo", "--out", str(d), "--size", "tiny", "--engine", "builtin", "-q"]) == 0
    ma, mb = (np.load(d / "travel_times.npz")["minutes"] for d in (a, b))
    np.testing.assert_array_equal(ma, mb)


@pytest.mark.slow
def test_demo_on_rutland(rutland_pbf, tmp_path, cache):
    out = tmp_path / "rutland"
    args = ["demo", "--osm", str(rutland_pbf), "--clients", "150", "--out", str(out), "-q"]
    assert main(args) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["synthetic"] is False and summary["clients"] == 150
    html = (out / "network.html").read_text()
    assert "tile.openstreetmap.org" in html and "OpenStreetMap contributors" in html


def test_network_command(grid_file, cache, capsys):
    assert main(["network", "--osm", str(grid_file), "--mode", "walk", "--engine", "builtin"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["mode"] == "walk" and info["nodes"] > 30


def test_travel_times_command_and_bad_input(grid_file, tmp_path, cache, capsys):
    pts = tmp_path / "pts.csv"
    pts.write_text("id,lat,lon\na,52.6701,-0.7299\nb,52.6762,-0.7205\n")
    out = tmp_path / "m.csv"
    args = ["travel-times", "--osm", str(grid_file), "--points", str(pts), "--out", str(out)]
    assert main([*args, "--engine", "builtin", "-q"]) == 0
    m = pd.read_csv(out, index_col=0)
    assert list(m.columns) == ["a", "b"] and m.loc["a", "b"] > 0
    bad = tmp_path / "bad.csv"
    bad.write_text("id,lat,lon\na,52.6701,-0.7299\nb,north,-0.7205\n")
    args[args.index(str(pts))] = str(bad)
    assert main([*args, "-q"]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "Fix" in err


def test_missing_file_exit_code(tmp_path, cache, capsys):
    assert main(["network", "--osm", str(tmp_path / "nope.osm.pbf"), "-q"]) == 2
    assert "not found" in capsys.readouterr().err


def test_python_m_help():
    r = subprocess.run(
        [sys.executable, "-m", "carezones", "demo", "--help"], capture_output=True, text=True
    )
    assert r.returncode == 0 and "examples:" in r.stdout
