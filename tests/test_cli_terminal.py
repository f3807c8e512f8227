"""What the terminal shows during a county run: the steps and a line a tenth, no Dask logs."""

from __future__ import annotations

import subprocess
import sys

from carezones import testing


def test_county_shows_its_steps_and_progress_but_not_dasks_logs(tmp_path):
    county = testing.county()
    args = [sys.executable, "-m", "carezones", "county", "--osm", str(county.osm_path)]
    args += ["--clients", str(county.clients_path), "--zones", "2", "3", "--workers", "2"]
    args += ["--iterations", "50", "--out", str(tmp_path / "out")]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    for noise in ("Scheduler", "Nanny", "jupyter-server-proxy", "Lost all workers", "worker"):
        assert noise not in done.stderr, noise
    assert [ln[:5] for ln in lines if ln.startswith("[")] == ["[1/4]", "[2/4]", "[3/4]", "[4/4]"]
    planned = [ln for ln in lines if "zones' days planned" in ln]
    assert 1 <= len(planned) <= 11 and planned[-1].strip().startswith("5 of 5")
    assert "(at least 5 teams)" in done.stderr and "+ teams" not in done.stderr
    assert len(lines) <= 20, done.stderr
