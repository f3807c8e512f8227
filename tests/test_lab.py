"""The notebooks open in JupyterLab in a browser, as the README's ``make lab`` opens them.

JupyterLab is started on a copy of ``notebooks/`` (nothing is written beside the originals) and
each notebook is loaded in headless Chromium; its first heading must be rendered by the page.
Skips when JupyterLab is not installed in the running environment (the ``dev`` extra has it),
and, like the other browser tests, when Chromium is missing (CI fails instead).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_browser import headless

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("jupyterlab") is None,
        reason="JupyterLab is not installed (pip install -e '.[dev]' or '.[notebooks]')",
    ),
]

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def first_heading(notebook: Path) -> str:
    """Return the text of a notebook's first Markdown heading."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    raise AssertionError(f"{notebook.name} has no heading")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start JupyterLab (no token, no browser) on a copy of the notebooks; yield its URL."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp / "config"),  # no user settings, nothing written home
        "JUPYTER_DATA_DIR": str(tmp / "data"),  # the kernel's spec is in sys.prefix still
        "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces"),
    }
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",  # CI runs as root
            f"--port={port}",
            "--ip=127.0.0.1",
            "--IdentityProvider.token=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            str(root),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (tmp / "server.log").read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "JupyterLab did not start in 90 s"
            time.sleep(0.5)
        yield url
    finally:
        server.send_signal(signal.SIGTERM)  # Jupyter shuts its kernels down first
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_a_notebook_opens_in_jupyterlab_in_a_browser(lab: str, name: str, tmp_path: Path) -> None:
    heading = first_heading(NOTEBOOKS / name)
    shots = Path(os.environ.get("CAREZONES_SCREENSHOTS", tmp_path / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / f"lab-{Path(name).stem}.png"
    rendered: list[str] = []
    for budget in (20_000, 60_000):  # virtual time; more when a busy machine needs it
        out = subprocess.run(
            [
                *headless(tmp_path / "profile", budget),
                "--window-size=1300,900",
                f"--screenshot={shot}",
                "--dump-dom",
                f"{lab}/lab/workspaces/{Path(name).stem}/tree/{name}",  # this notebook alone
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        # the heading as JupyterLab renders Markdown: an <h1> with an anchor link after it
        rendered = re.findall(r"<h1[^>]*>(?:<span[^>]*></span>)?([^<]*)<a", out.stdout)
        if rendered:
            break
    assert [h.strip() for h in rendered] == [heading], f"{name}: {out.stderr[-1500:]}"
    assert "Python 3 (ipykernel)" in out.stdout  # the notebook's kernel is there to run it
    assert shot.exists() and shot.stat().st_size > 10_000
