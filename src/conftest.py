"""The docstring examples' shared objects, for ``pytest --doctest-modules src``.

Examples run against the tiny synthetic county (SYNTHETIC DATA, offline, about a second to
make). Each name below is made once per session, and only when an example uses it:

``county``
    :func:`carezones.make_synthetic_county` (``size="tiny"``, ``seed=0``) in a temporary folder.
``net``
    Its drive network, ``carezones.load_network(county.osm_path, engine="builtin")``.
``clients``
    Its clients, ``carezones.read_clients(county.clients_path, area=net)``.
``plan``
    A county plan of twelve of them by town,
    ``carezones.plan_county("town", clients.head(12), net, iterations=50, workers=1)``.
``comparison``
    ``carezones.compare_designs(clients.head(12), net, designs={"today": "town"},
    zone_counts=[2], iterations=50, workers=1)``.
``zone_plan``
    Two zones of its clients, ``carezones.build_zones(clients, net, 2)``.
``rounds``
    A day's rounds: :func:`carezones.synthetic.example_day` for eight clients and three carers
    living among them, read and planned with ``iterations=200``.
``week``
    Two days of the same kind (:func:`carezones.synthetic.example_week`, six clients, three
    carers), planned with ``iterations=100``.
``scores``
    Five of the clients' homes scored as sites,
    ``carezones.score_sites(clients.head(5)[["geometry"]], county.osm_path)``.
``portfolio``
    The best two of them, ``carezones.choose_sites(scores, clients, net, 2)``.
``projected``
    The homes of housing with care projected for 2030 and 2038 on its small areas
    (:func:`carezones.testing.projected`: SYNTHETIC projections, ILLUSTRATIVE rates).
``calibration``
    A travel profile calibrated on a synthetic visit log of the county
    (:func:`carezones.testing.calibration`).
``offices``
    Its four providers' offices, ``carezones.read_providers(county.providers_path, area=net)``.
``allocation``
    Its clients brokered to them by the gravity model (:func:`carezones.testing.allocation`).

The carezones cache is a temporary folder for the session, so examples never write to the
user's cache.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carezones.testing import EXAMPLES


@pytest.fixture(scope="session", autouse=True)
def _doctest_cache() -> Iterator[None]:
    """Point the carezones cache at a temporary folder for the session."""
    old = os.environ.get("CAREZONES_CACHE")
    with tempfile.TemporaryDirectory(prefix="carezones-doctest-") as folder:
        os.environ["CAREZONES_CACHE"] = str(Path(folder) / "cache")
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("CAREZONES_CACHE", None)
            else:
                os.environ["CAREZONES_CACHE"] = old


MAKERS = EXAMPLES


@pytest.fixture(autouse=True)
def _doctest_objects(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any]) -> None:
    """Give a doctest the shared objects its examples name (made on first use)."""
    test = getattr(request.node, "dtest", None)
    if test is None:
        return
    source = "\n".join(example.source for example in test.examples)
    for name, make in MAKERS.items():
        if re.search(rf"(?<![\w.]){name}\b", source):
            doctest_namespace[name] = make()
        else:  # never shadow a module's own name of the same spelling
            doctest_namespace.pop(name, None)
