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
    ``carezones.score_sites(clients.head(5)[["geometry"]], osm=county.osm_path)``.
``portfolio``
    The best two of them, ``carezones.choose_sites(scores, clients, net, 2)``.

The carezones cache is a temporary folder for the session, so examples never write to the
user's cache.
"""

from __future__ import annotations

import functools
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


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


@functools.cache
def _county() -> Any:
    import carezones

    return carezones.make_synthetic_county(tempfile.mkdtemp(prefix="county-"), size="tiny")


@functools.cache
def _net() -> Any:
    import carezones

    return carezones.load_network(_county().osm_path, engine="builtin")


@functools.cache
def _clients() -> Any:
    import carezones

    return carezones.read_clients(_county().clients_path, area=_net())


@functools.cache
def _plan() -> Any:
    import carezones

    return carezones.plan_county("town", _clients().head(12), _net(), iterations=50, workers=1)


@functools.cache
def _comparison() -> Any:
    import carezones

    return carezones.compare_designs(
        _clients().head(12),
        _net(),
        designs={"today": "town"},
        zone_counts=[2],
        iterations=50,
        workers=1,
    )


@functools.cache
def _zone_plan() -> Any:
    import carezones

    return carezones.build_zones(_clients(), _net(), 2)


def _points() -> Any:
    return _clients().get_coordinates().to_numpy()


@functools.cache
def _rounds() -> Any:
    import carezones

    visits, carers = carezones.synthetic.example_day(_points()[:8], _points()[8:11])
    net = _net()
    visits, carers = (
        carezones.read_visits(visits, area=net),
        carezones.read_carers(carers, area=net),
    )
    return carezones.plan_rounds(
        visits, carers, net, options=carezones.RoundsOptions(iterations=200)
    )


@functools.cache
def _week() -> Any:
    import carezones

    visits, carers = carezones.synthetic.example_week(_points()[:6], _points()[6:9], days=2)
    net = _net()
    visits, carers = (
        carezones.read_visits(visits, area=net),
        carezones.read_carers(carers, area=net),
    )
    return carezones.plan_week(visits, carers, net, options=carezones.WeekOptions(iterations=100))


@functools.cache
def _scores() -> Any:
    import carezones

    return carezones.score_sites(_clients().head(5)[["geometry"]], osm=_county().osm_path)


@functools.cache
def _portfolio() -> Any:
    import carezones

    return carezones.choose_sites(_scores(), _clients(), _net(), 2)


MAKERS: dict[str, Callable[[], Any]] = {
    "county": _county,
    "net": _net,
    "clients": _clients,
    "plan": _plan,
    "comparison": _comparison,
    "zone_plan": _zone_plan,
    "rounds": _rounds,
    "week": _week,
    "scores": _scores,
    "portfolio": _portfolio,
}


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
