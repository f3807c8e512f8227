"""Every notebook in notebooks/ runs top to bottom, once, on the synthetic county.

Each executed notebook is kept in ``docs/_build/executed/`` so that the documentation build
shows it without running it again (``docs/conf.py`` uses a kept copy only when its code is the
notebook's code, cell for cell): in ``make test`` every notebook runs once.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EXECUTED = ROOT / "docs" / "_build" / "executed"


@pytest.fixture(scope="session")
def notebooks_cache(tmp_path_factory):
    """One network cache for every notebook: each area's networks are prepared once."""
    return tmp_path_factory.mktemp("notebooks-cache")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch, notebooks_cache):
    """Each notebook on the synthetic county: offline anywhere, the same pages on every machine.

    The notebooks choose Rutland when the shared data is there; real roads are tested by the
    real-data tests of each package (and anyone can run a notebook on Rutland by hand).
    """
    area = "synthetic"
    monkeypatch.setenv("CAREZONES_AREA", area)
    monkeypatch.setenv("CAREZONES_CACHE", str(notebooks_cache))
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "strip outputs"
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    EXECUTED.mkdir(parents=True, exist_ok=True)
    nb.metadata["carezones"] = {"area": area}
    nbformat.write(nb, EXECUTED / path.name)
