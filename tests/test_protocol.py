"""Every public result follows one protocol (:class:`carezones.protocol.Result`).

One generic test per result kind: its numbers (``kpis``), its text (``summary()``), its map
(``to_map()``), its files (``to_files(dir)``), its Jupyter card (``_repr_html_()``), and that it
cannot be changed once built.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import folium
import pytest

from carezones import testing
from carezones.protocol import Result

KINDS = [
    "net",
    "zone_plan",
    "rounds",
    "week",
    "scores",
    "portfolio",
    "plan",
    "comparison",
    "calibration",
    "allocation",
]


@pytest.fixture(scope="module", params=KINDS)
def result(request, tmp_path_factory):
    from .conftest import cache_at

    with cache_at(tmp_path_factory.mktemp("cache")):
        return testing.EXAMPLES[request.param]()


def test_every_result_follows_the_protocol(result, tmp_path):
    name = type(result).__name__
    assert isinstance(result, Result), f"{name} does not follow the result protocol"
    assert isinstance(result.kpis, Mapping) and result.kpis, f"{name}.kpis is empty"
    text = result.summary()
    assert isinstance(text, str) and text.strip()
    assert isinstance(result.to_map(), folium.Map)
    assert isinstance(result.to_map(offline=False), folium.Map)
    files = result.to_files(tmp_path / "out", offline=False)
    assert files and all(p.exists() for p in files), f"{name}.to_files wrote nothing"
    from IPython.core.formatters import HTMLFormatter

    html = HTMLFormatter()(result)  # as a notebook shows it: the result's own card
    assert isinstance(html, str) and "<" in html


def test_every_result_is_built_once_and_not_changed_afterwards(result):
    if dataclasses.is_dataclass(result):
        assert type(result).__dataclass_params__.frozen
        field = dataclasses.fields(result)[0].name
    else:  # the road network: a class of its own whose public attributes are read-only
        field = next(k for k in vars(result) if not k.startswith("_"))
    with pytest.raises(AttributeError):
        setattr(result, field, None)
