"""Every notebook in notebooks/ runs top to bottom: on the synthetic county and on Rutland."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("area", ["synthetic", "rutland"])
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, area, tmp_path, monkeypatch):
    """Each notebook on the synthetic county, and on Rutland when the shared data is present."""
    from carezones._data import RUTLAND_PBF, shared_file

    if area == "rutland" and shared_file(RUTLAND_PBF) is None:
        pytest.skip(f"{RUTLAND_PBF} not found in ../shared/data or $CAREZONES_DATA")
    monkeypatch.setenv("CAREZONES_AREA", area)
    monkeypatch.setenv("CAREZONES_CACHE", str(tmp_path / "cache"))
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "strip outputs"
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
