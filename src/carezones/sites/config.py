"""What a site score is made of: amenity categories, weights and thresholds, and their checks.

:class:`SiteConfig` holds every number of the score (the defaults are explained in
:mod:`carezones.sites`); :meth:`SiteConfig.load` builds one from a dict or a TOML file (read by
:func:`carezones.io.read_toml`) and reports every problem at once as a
:class:`~carezones.errors.ConfigError`. A new amenity category is a new :class:`Category` here
(or in the user's TOML); a new kind of criterion is computed in :mod:`carezones.sites.criteria`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carezones.errors import ConfigError

if TYPE_CHECKING:
    from carezones.io import PathLike


@dataclass(frozen=True)
class Category:
    """An amenity category: how to find it in OSM and how to score walking time to it.

    Parameters
    ----------
    name : str
        Its name in the columns and the configuration (``food_shop``).
    label : str
        Its name for people (``food shop``).
    tags : mapping
        An OSM key -> the values that count (``"*"``: any value), e.g.
        ``{"shop": ("supermarket", "convenience")}``.
    weight : float
        Its share of the score.
    full_minutes, zero_minutes : float
        The decay's thresholds (see :func:`decay`); ``zero_minutes`` is also the limit of the
        count of amenities within reach.

    Examples
    --------
    >>> from carezones.sites import Category
    >>> Category("dentist", "dentist", {"amenity": ("dentist",)}, 5.0).zero_minutes
    25.0
    """

    name: str
    label: str
    tags: Mapping[str, tuple[str, ...]]
    weight: float
    full_minutes: float = 8.0
    zero_minutes: float = 25.0


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("food_shop", "food shop", {"shop": ("supermarket", "convenience")}, 15.0),
    Category("gp", "GP surgery", {"amenity": ("doctors",), "healthcare": ("doctor",)}, 15.0),
    Category("pharmacy", "pharmacy", {"amenity": ("pharmacy",), "healthcare": ("pharmacy",)}, 10.0),
    Category(
        "transport",
        "bus stop or station",
        {"highway": ("bus_stop",), "amenity": ("bus_station",), "railway": ("station", "halt")},
        15.0,
        8.0,
        17.0,
    ),
    Category(
        "community",
        "community or leisure place",
        {
            "amenity": ("community_centre", "library", "place_of_worship", "cafe"),
            "leisure": ("park",),
        },
        10.0,
    ),
    Category("post_office", "post office", {"amenity": ("post_office",)}, 5.0),
)


@dataclass(frozen=True)
class SiteConfig:
    """Categories, weights and thresholds of the site score (defaults in the module docstring).

    Build one from a dict or a TOML file with :meth:`load`; every field can also be replaced,
    e.g. ``SiteConfig(staff_weight=0)``.

    Parameters
    ----------
    categories : tuple of Category
        The amenity categories (default: :data:`DEFAULT_CATEGORIES`).
    staff_weight, staff_full_minutes, staff_zero_minutes : float
        Staff access: its weight (0 leaves it out) and the decay of the carers' median drive.
    demand_weight, demand_minutes : float
        Demand: its weight and the drive within which clients count.
    rural_points, rural_full_minutes, rural_zero_minutes : float
        The rural penalty: the most points taken off, and the decay of the drive to a town.
    town_places : tuple of str
        The OSM ``place`` kinds that count as towns.
    transport_full_index : float
        With a timetable (a GTFS feed): the PTAL access index at which the ``transport``
        category scores in full (the score rises in proportion up to it). Default 5, where
        PTAL's level 3 ("moderate") begins: a bus every 5 minutes, or three routes every 15,
        at a 4-minute walk.

    Examples
    --------
    >>> from carezones import SiteConfig
    >>> SiteConfig(staff_weight=0).demand_weight
    15.0
    """

    categories: tuple[Category, ...] = DEFAULT_CATEGORIES
    staff_weight: float = 15.0
    staff_full_minutes: float = 10.0
    staff_zero_minutes: float = 30.0
    demand_weight: float = 15.0
    demand_minutes: float = 10.0
    rural_points: float = 10.0
    rural_full_minutes: float = 10.0
    rural_zero_minutes: float = 30.0
    town_places: tuple[str, ...] = ("city", "town")
    transport_full_index: float = 5.0

    @classmethod
    def load(cls, source: SiteConfig | Mapping[str, object] | PathLike | None) -> SiteConfig:
        """Return a configuration from a dict, a TOML file, an existing one or ``None``.

        The dict (or TOML) layout, every part optional::

            [categories.food_shop]      # a default category: change any field
            weight = 20
            [categories.dentist]        # a new category needs a label and tags
            label = "dentist"
            tags = { amenity = ["dentist"] }
            weight = 5
            full_minutes = 8
            zero_minutes = 25
            [staff]
            weight = 15                 # 0 leaves the criterion out
            full_minutes = 10
            zero_minutes = 30
            [demand]
            weight = 15
            minutes = 10
            [rural]
            points = 10
            full_minutes = 10
            zero_minutes = 30
            places = ["city", "town"]
            [timetable]                 # with a GTFS feed: the transport category's score
            full_index = 5              # the PTAL access index that scores in full

        With ``replace_categories = true`` only the categories listed are used.

        Parameters
        ----------
        source : SiteConfig, dict, str, os.PathLike or None
            The configuration: a dict or TOML file in the layout above, an existing one
            (returned as it is) or ``None`` (the defaults).

        Returns
        -------
        SiteConfig
            The configuration.

        Raises
        ------
        ConfigError
            Every problem of the dict or file, at once.
        TypeError
            When ``source`` is none of these.

        Examples
        --------
        >>> from carezones import SiteConfig
        >>> config = SiteConfig.load({"staff": {"weight": 0}, "categories": {"gp": {"weight": 20}}})
        >>> config.staff_weight, [c.weight for c in config.categories if c.name == "gp"]
        (0.0, [20.0])
        """
        if source is None:
            return cls()
        if isinstance(source, SiteConfig):
            return source
        label = "configuration"
        if isinstance(source, str | os.PathLike):
            from carezones.io import read_toml

            label = Path(source).name
            try:
                data: Mapping[str, Any] = read_toml(source)
            except ValueError as exc:
                raise ConfigError([f"{exc}; see SiteConfig.load for the layout"], label) from exc
        elif isinstance(source, Mapping):
            data = source
        else:
            raise TypeError(f"config must be a dict, a TOML path or a SiteConfig, not {source!r}")
        return _parse_config(data, label)


def _parse_config(data: Mapping[str, Any], label: str) -> SiteConfig:
    probs: list[str] = []
    known = {"categories", "replace_categories", "staff", "demand", "rural", "timetable"}
    for k in data:
        if k not in known:
            probs.append(f"unknown section {k!r}: use one of {sorted(known)}")
    cats = {c.name: c for c in DEFAULT_CATEGORIES}
    if data.get("replace_categories", False) is True:
        cats = {}
    elif data.get("replace_categories", False) is not False:
        probs.append("replace_categories must be true or false")
    given = data.get("categories", {})
    if not isinstance(given, Mapping):
        probs.append("categories must be a table of named categories")
        given = {}
    cat_keys = {"label", "tags", "weight", "full_minutes", "zero_minutes"}
    for name, spec in given.items():
        where = f"categories.{name}"
        if not isinstance(spec, Mapping):
            probs.append(f"{where} must be a table with label, tags, weight, ...")
            continue
        for k in spec:
            if k not in cat_keys:
                probs.append(f"{where}: unknown field {k!r}: use one of {sorted(cat_keys)}")
        base = cats.get(name) or next((c for c in DEFAULT_CATEGORIES if c.name == name), None)
        if base is None and ("label" not in spec or "tags" not in spec):
            probs.append(f"{where} is a new category: give it a label and tags")
            continue
        values: dict[str, Any] = {}
        if "label" in spec:
            if not isinstance(spec["label"], str) or not spec["label"].strip():
                probs.append(f"{where}.label must be a non-empty text")
            values["label"] = str(spec["label"])
        if "tags" in spec:
            tags = _parse_tags(spec["tags"], where, probs)
            if tags is not None:
                values["tags"] = tags
        for k in ("weight", "full_minutes", "zero_minutes"):
            if k in spec:
                values[k] = _number(spec[k], f"{where}.{k}", probs)
        cat = replace(base, **values) if base else Category(name=name, **_cat_defaults(values))
        if cat.full_minutes >= cat.zero_minutes:
            probs.append(
                f"{where}: full_minutes ({cat.full_minutes:g}) must be below zero_minutes "
                f"({cat.zero_minutes:g})"
            )
        cats[name] = cat
    out: dict[str, Any] = {"categories": tuple(c for c in cats.values() if c.weight > 0)}
    sections = {
        "staff": {
            "weight": "staff_weight",
            "full_minutes": "staff_full_minutes",
            "zero_minutes": "staff_zero_minutes",
        },
        "demand": {"weight": "demand_weight", "minutes": "demand_minutes"},
        "rural": {
            "points": "rural_points",
            "full_minutes": "rural_full_minutes",
            "zero_minutes": "rural_zero_minutes",
            "places": "town_places",
        },
        "timetable": {"full_index": "transport_full_index"},
    }
    for sec, mapping in sections.items():
        spec = data.get(sec, {})
        if not isinstance(spec, Mapping):
            probs.append(f"{sec} must be a table")
            continue
        for k, v in spec.items():
            if k not in mapping:
                probs.append(f"{sec}: unknown field {k!r}: use one of {sorted(mapping)}")
            elif k == "places":
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    probs.append(f"{sec}.places must be a list of OSM place values")
                else:
                    out[mapping[k]] = tuple(v)
            else:
                out[mapping[k]] = _number(v, f"{sec}.{k}", probs)
    cfg = replace(SiteConfig(), **out)
    for a, b, sec in (
        ("staff_full_minutes", "staff_zero_minutes", "staff"),
        ("rural_full_minutes", "rural_zero_minutes", "rural"),
    ):
        if getattr(cfg, a) >= getattr(cfg, b):
            probs.append(f"{sec}: full_minutes must be below zero_minutes")
    if cfg.transport_full_index <= 0:
        probs.append("timetable.full_index must be above 0")
    if not cfg.categories and cfg.staff_weight <= 0 and cfg.demand_weight <= 0:
        probs.append("every weight is 0: give at least one criterion a positive weight")
    if probs:
        raise ConfigError(probs, label)
    return cfg


def _cat_defaults(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "label": values["label"],
        "tags": values["tags"],
        "weight": values.get("weight", 10.0),
        "full_minutes": values.get("full_minutes", 8.0),
        "zero_minutes": values.get("zero_minutes", 25.0),
    }


def _number(value: Any, where: str, probs: list[str]) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not np.isfinite(value):
        probs.append(f"{where} must be a number, not {value!r}")
        return 1.0
    if value < 0:
        probs.append(f"{where} must be 0 or more, not {value!r}")
        return 1.0
    return float(value)


def _parse_tags(value: Any, where: str, probs: list[str]) -> dict[str, tuple[str, ...]] | None:
    if not isinstance(value, Mapping) or not value:
        probs.append(
            f'{where}.tags must be a table of OSM keys to values, e.g. {{shop = ["bakery"]}}'
        )
        return None
    tags: dict[str, tuple[str, ...]] = {}
    for k, v in value.items():
        vals = [v] if isinstance(v, str) else v
        if (
            not isinstance(vals, list | tuple)
            or not vals
            or not all(isinstance(x, str) for x in vals)
        ):
            probs.append(f'{where}.tags.{k} must be a value or a list of values ("*" for any)')
            return None
        tags[str(k)] = tuple(vals)
    return tags
