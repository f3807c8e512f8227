"""Score candidate extra-care and supported-living sites by what residents and staff can reach.

A site's score (0-100) is a weighted mean of sub-scores, each between 0 and 1, minus an optional
rurality penalty:

- **Residents' walking access**, one sub-score per amenity category (food shop, GP surgery,
  pharmacy, bus stop or station, community and leisure, post office by default), from the walking
  minutes to the nearest amenity of that category over the walking network, at the walking speed
  of :class:`carezones.SpeedModel` (0.8 m/s by default, suited to older people).
- **Staff access** (when carers' homes are given): the mean, over carers, of a decay of the driving
  minutes from each carer's home to the site.
- **Demand** (when clients are given): weekly hours of care (or clients) within a driving time of
  the site, relative to the best place anywhere on the drive network.
- **Rurality** (when towns are known): points taken off for sites far from a town by road.

Every time is an exact shortest path over the network, access legs from the site and from the
amenity to the road included; the nearest amenity of a category is found with one multi-source
search per category whatever the number of sites, and counts within reach with bounded searches
from the amenities.

The distance decay
------------------
Each criterion turns minutes ``t`` into a sub-score with the same piecewise-linear decay::

    s(t) = 1                              t <= full
    s(t) = (zero - t) / (zero - full)     full < t < zero
    s(t) = 0                              t >= zero

This is the shape Walk Score uses (full points within a short walk, falling to zero at a limit;
its exact curve is unpublished) and pandana's "linear" decay. The default walking thresholds
come from the UK's Chartered Institution of Highways & Transportation, *Guidelines for
Providing for Journeys on Foot* (2000), Table 3.2, whose suggested walking distances outside
town centres are 400 m "desirable", 800 m "acceptable" and 1,200 m "preferred maximum". At
0.8 m/s these are 8.3, 16.7 and 25 minutes: amenities score in full within 8 minutes' walk and
nothing from 25 minutes (a bus stop from 17 minutes, CIHT's acceptable distance, because a
stop is only useful if it is close). Drive thresholds for staff (10 and 30 minutes), the demand
radius (10 minutes) and the rural penalty (nothing within 10 minutes of a town, 10 points from
30 minutes) are planning assumptions, not standards: change them in the configuration.

Default weights (out of 100, rescaled over the criteria in use): food shop 15, GP surgery 15,
pharmacy 10, bus stop or station 15, community and leisure 10, post office 5, staff access 15,
demand 15. Food, health and transport come first because they are the daily and weekly needs
of people who no longer drive, and the council asks for sites near "shops, health, transport
and leisure amenities"; staff access and demand together weigh 30 because a scheme needs carers
who can reach it and residents who need it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.errors import CarezonesError, ConfigError

if TYPE_CHECKING:
    import folium
    import geopandas as gpd

    from carezones.network import RoadNetwork, Snapped

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
PathLike = str | Path

__all__ = [
    "DEFAULT_CATEGORIES",
    "Category",
    "ConfigError",
    "SiteConfig",
    "SiteScores",
    "decay",
    "read_amenities",
    "read_towns",
    "score_sites",
]


@dataclass(frozen=True)
class Category:
    """An amenity category: how to find it in OSM and how to score walking time to it.

    ``tags`` maps an OSM key to the values that count (``"*"``: any value), e.g.
    ``{"shop": ("supermarket", "convenience")}``. ``weight`` is its share of the score;
    ``full_minutes`` and ``zero_minutes`` are the decay's thresholds (see :func:`decay`), and
    ``zero_minutes`` is also the limit of the count of amenities within reach.
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

    @classmethod
    def load(cls, source: SiteConfig | Mapping[str, Any] | PathLike | None) -> SiteConfig:
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

        With ``replace_categories = true`` only the categories listed are used. Every problem
        is reported at once as a :class:`ConfigError`.
        """
        if source is None:
            return cls()
        if isinstance(source, SiteConfig):
            return source
        label = "configuration"
        if isinstance(source, str | Path):
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
    known = {"categories", "replace_categories", "staff", "demand", "rural"}
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
        "staff": {"weight": "staff_weight", "full_minutes": "staff_full_minutes",
                  "zero_minutes": "staff_zero_minutes"},
        "demand": {"weight": "demand_weight", "minutes": "demand_minutes"},
        "rural": {"points": "rural_points", "full_minutes": "rural_full_minutes",
                  "zero_minutes": "rural_zero_minutes", "places": "town_places"},
    }  # fmt: skip
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
    for a, b, sec in (("staff_full_minutes", "staff_zero_minutes", "staff"),
                      ("rural_full_minutes", "rural_zero_minutes", "rural")):  # fmt: skip
        if getattr(cfg, a) >= getattr(cfg, b):
            probs.append(f"{sec}: full_minutes must be below zero_minutes")
    if not cfg.categories and cfg.staff_weight <= 0 and cfg.demand_weight <= 0:
        probs.append("every weight is 0: give at least one criterion a positive weight")
    if probs:
        raise ConfigError(probs, label)
    return cfg


def _cat_defaults(values: dict[str, Any]) -> dict[str, Any]:
    return {"label": values["label"], "tags": values["tags"],
            "weight": values.get("weight", 10.0), "full_minutes": values.get("full_minutes", 8.0),
            "zero_minutes": values.get("zero_minutes", 25.0)}  # fmt: skip


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


def decay(minutes: Any, full: float, zero: float) -> FloatArray:
    """Return the piecewise-linear decay of minutes: 1 up to ``full``, 0 from ``zero``.

    The shape of Walk Score's and pandana's linear decay; the thresholds are documented in
    the module docstring (CIHT 2000 walking distances at 0.8 m/s). ``inf`` gives 0.
    """
    t = np.asarray(minutes, dtype=float)
    return np.clip((zero - t) / (zero - full), 0.0, 1.0)


# ---------------------------------------------------------------------------- OSM features
def _osm_features(
    path: Path, categories: Sequence[Category], places: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Amenities of the categories and named places of the kinds, read by ``carezones.io.osm``."""
    from carezones.io.osm import read_features

    return read_features(path, [(c.name, dict(c.tags)) for c in categories], places)


def _gdf(rows: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if rows.empty:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def read_amenities(
    osm: PathLike, categories: Sequence[Category] | SiteConfig | None = None
) -> gpd.GeoDataFrame:
    """Return the amenities of an OSM file in the given categories (default: the defaults).

    Nodes keep their point; mapped areas (a supermarket's building, a park) keep their polygon,
    reached from its boundary point nearest the road. Columns: ``category``, ``name`` (OSM
    ``name`` or ``brand``, may be empty), ``tag`` (the matching ``key=value``), ``osm_id``
    (``node/123``, ``way/456``) and geometry (WGS84). An object in two categories is listed once
    in each.
    """
    cats = (categories.categories if isinstance(categories, SiteConfig)
            else tuple(categories) if categories is not None else DEFAULT_CATEGORIES)  # fmt: skip
    amen, _ = _osm_features(_osm_path(osm), cats, ())
    return _gdf(amen, ["category", "name", "tag", "osm_id"])


def read_towns(osm: PathLike, places: Sequence[str] = ("city", "town")) -> gpd.GeoDataFrame:
    """Return the named ``place`` nodes of an OSM file of the given kinds (towns, cities)."""
    _, towns = _osm_features(_osm_path(osm), (), tuple(places))
    return _gdf(towns, ["name", "place", "osm_id"])


def _osm_path(osm: PathLike) -> Path:
    path = Path(osm)
    if not path.exists():
        raise FileNotFoundError(f"OSM file not found: {path}")
    return path


# ---------------------------------------------------------------------------- access points
def _access_points(net: RoadNetwork, geoms: Any) -> FloatArray:
    """Return the lon/lat of each geometry's access point.

    A point is its own access point; a polygon's is its boundary point closest to the nearest
    road segment (on the road when a road crosses it).
    """
    g = np.asarray(geoms, dtype=object)
    out = np.empty((len(g), 2))
    kinds = shapely.get_type_id(g)
    pt = kinds == 0
    if pt.any():
        out[pt] = np.column_stack([shapely.get_x(g[pt]), shapely.get_y(g[pt])])
    other = np.flatnonzero(~pt)
    if len(other):
        metric = shapely.transform(
            g[other], lambda xy: np.column_stack(net._to_metric.transform(xy[:, 0], xy[:, 1]))
        )
        tree, lines = net._segments
        idx = tree.query_nearest(metric, all_matches=False, return_distance=False)
        seg = np.empty(len(other), dtype=np.int64)
        seg[idx[0]] = idx[1]
        near = shapely.get_point(shapely.shortest_line(metric, lines[seg]), 0)
        lon, lat = net._to_wgs.transform(shapely.get_x(near), shapely.get_y(near))
        out[other] = np.column_stack([lon, lat])
    return out


def _subset(s: Snapped, idx: IntArray) -> Snapped:
    return type(s)(**{f.name: getattr(s, f.name)[idx] for f in fields(s)})


# ---------------------------------------------------------------------------- scoring
@dataclass
class _Inputs:
    cfg: SiteConfig
    walk: RoadNetwork | None
    drive: RoadNetwork | None
    amenities: gpd.GeoDataFrame | None
    towns: gpd.GeoDataFrame | None
    staff: FloatArray | None
    clients: FloatArray | None
    hours: FloatArray | None
    demand_unit: str = "h/week of care"
    _cache: dict[str, Any] = field(default_factory=dict)

    def weights(self) -> dict[str, float]:
        w = {c.name: c.weight for c in self.cfg.categories} if self.walk is not None else {}
        if self.staff is not None and self.drive is not None and self.cfg.staff_weight > 0:
            w["staff"] = self.cfg.staff_weight
        if self.clients is not None and self.drive is not None and self.cfg.demand_weight > 0:
            w["demand"] = self.cfg.demand_weight
        return w

    def amenity_snap(self) -> tuple[Snapped, FloatArray]:
        if "amen" not in self._cache:
            assert self.walk is not None and self.amenities is not None
            pts = _access_points(self.walk, self.amenities.geometry.to_numpy())
            self._cache["amen"] = (self.walk.snap(pts), pts)
        return self._cache["amen"]

    def rural(self) -> bool:
        """Whether the rural penalty applies (towns, a drive network and points to take)."""
        return (self.towns is not None and len(self.towns) > 0 and self.drive is not None
                and self.cfg.rural_points > 0)  # fmt: skip

    def attached(self, net: RoadNetwork, name: str, points: Any) -> Any:
        """Return the points attached to ``net`` (snapped once per network, then cached)."""
        key = f"{net.mode}:{name}"
        if key not in self._cache:
            self._cache[key] = net._attach(net.snap(points))
        return self._cache[key]

    def supply_ratio(self, cat: Category, idx: IntArray) -> FloatArray | None:
        """Step one of the enhanced two-step floating catchment (Luo & Qi 2009).

        Each amenity's capacity over the demand within its walking catchment (clients'
        hours, or clients, weighted by the category's decay); ``None`` without capacities or
        clients. Amenities without a capacity get 0.
        """
        amen = self.amenities
        if (amen is None or "capacity" not in amen.columns or self.clients is None
                or self.hours is None or self.walk is None):  # fmt: skip
            return None
        cap = amen["capacity"].to_numpy(dtype=float)[idx]
        if not np.isfinite(cap).any():
            return None
        key = f"ratio:{cat.name}"
        if key not in self._cache:
            walk = self.walk
            a_snap, _ = self.amenity_snap()
            o, t, m = walk._router.within(self.attached(walk, "clients", self.clients),
                                          walk._attach(_subset(a_snap, idx)),
                                          cat.zero_minutes)  # fmt: skip
            w = self.hours[o] * decay(m, cat.full_minutes, cat.zero_minutes)
            demand = np.bincount(t, weights=w, minlength=len(idx))
            self._cache[key] = np.where((demand > 0) & np.isfinite(cap),
                                        np.nan_to_num(cap) / np.where(demand > 0, demand, 1),
                                        0.0)  # fmt: skip
        return np.asarray(self._cache[key])

    def demand_reference(self) -> float:
        """Most demand within reach of any junction of the drive network."""
        if "ref" not in self._cache:
            assert self.drive is not None and self.clients is not None and self.hours is not None
            d = self.drive
            j = d._router.chains.junction_nodes
            nodes = d._attach(d.snap(np.column_stack([d.lon[j], d.lat[j]])))
            o, tgt, _ = d._router.within(nodes, self.attached(d, "clients", self.clients),
                                         self.cfg.demand_minutes)  # fmt: skip
            got = np.bincount(o, weights=self.hours[tgt], minlength=len(j))
            self._cache["ref"] = float(got.max()) if len(got) else 0.0
        return float(self._cache["ref"])


def _score(points: Any, inp: _Inputs) -> pd.DataFrame:
    """Every sub-score, the total and the explanation for the given geometries (WGS84)."""
    cfg = inp.cfg
    geoms = np.asarray(points, dtype=object)
    n = len(geoms)
    out: dict[str, Any] = {}
    notes: list[list[str]] = [[] for _ in range(n)]
    far: list[list[str]] = [[] for _ in range(n)]
    absent: list[str] = []
    weights = inp.weights()
    off = np.zeros(n, dtype=bool)
    if inp.walk is not None:
        walk = inp.walk
        acc = _access_points(walk, geoms)
        snap = walk.snap(acc)
        off = snap.far
        out["walk_access_m"] = snap.distance_m
        att = walk._attach(snap)
        amen = inp.amenities
        a_snap, _ = inp.amenity_snap() if amen is not None and len(amen) else (None, None)
        for cat in cfg.categories:
            idx = (np.flatnonzero(amen.category.to_numpy() == cat.name)
                   if amen is not None and len(amen) else np.zeros(0, dtype=np.int64))  # fmt: skip
            minutes = np.full(n, np.inf)
            name = np.full(n, "", dtype=object)
            count = np.zeros(n, dtype=np.int64)
            if len(idx) and a_snap is not None:
                a_att = walk._attach(_subset(a_snap, idx))
                minutes, which = walk._router.nearest(att, a_att)
                names = amen.name.to_numpy()[idx]  # type: ignore[union-attr]
                hit = which >= 0
                name[hit] = names[which[hit]]
                o, tgt, mins = walk._router.within(att, a_att, cat.zero_minutes)
                count = np.bincount(o, minlength=n)
                ratio = inp.supply_ratio(cat, idx)
                if ratio is not None:  # two-step floating catchment (E2SFCA)
                    gain = decay(mins, cat.full_minutes, cat.zero_minutes) * ratio[tgt]
                    out[f"{cat.name}_capacity_per_demand"] = np.bincount(o, weights=gain,
                                                                         minlength=n)  # fmt: skip
            score = decay(minutes, cat.full_minutes, cat.zero_minutes)
            out[f"{cat.name}_minutes"] = minutes
            out[f"{cat.name}_nearest"] = name
            out[f"{cat.name}_count"] = count
            out[f"{cat.name}_score"] = score
            if not len(idx):
                absent.append(cat.label)
                continue
            for i in range(n):
                near, text = _walk_note(cat, minutes[i], name[i])
                (notes if near else far)[i].append(text)
        for i in range(n):
            if far[i]:
                notes[i].append("not within a walk: " + ", ".join(far[i]))
            notes[i] += [f"no {label} in the data" for label in absent]
    d_att = None  # the sites on the drive network: snapped once for every drive criterion
    if inp.drive is not None and ("staff" in weights or "demand" in weights or inp.rural()):
        d_att = inp.drive._attach(inp.drive.snap(_access_points(inp.drive, geoms)))
    if "staff" in weights:
        assert inp.drive is not None and inp.staff is not None and d_att is not None
        t = inp.drive._router.table(inp.attached(inp.drive, "staff", inp.staff), d_att)
        s = decay(t, cfg.staff_full_minutes, cfg.staff_zero_minutes)
        reach = np.isfinite(t)
        med = np.array([np.median(t[reach[:, i], i]) if reach[:, i].any() else np.inf
                        for i in range(n)])  # fmt: skip
        out["staff_median_minutes"] = med
        out["staff_score"] = s.mean(axis=0)
        for i in range(n):
            notes[i].append(
                f"staff: median {_mins(med[i])} min drive from carers' homes"
                if np.isfinite(med[i])
                else "staff: no carer can drive here"
            )
    if "demand" in weights:
        assert inp.drive is not None and inp.clients is not None and inp.hours is not None
        assert d_att is not None
        o, tgt, _ = inp.drive._router.within(d_att, inp.attached(inp.drive, "clients", inp.clients),
                                             cfg.demand_minutes)  # fmt: skip
        got = np.bincount(o, weights=inp.hours[tgt], minlength=n)
        ref = inp.demand_reference()
        out["demand_within"] = got
        out["demand_score"] = np.clip(got / ref, 0.0, 1.0) if ref > 0 else np.zeros(n)
        for i in range(n):
            notes[i].append(f"{got[i]:.0f} {inp.demand_unit} within {cfg.demand_minutes:g} min "
                            "drive")  # fmt: skip
    penalty = np.zeros(n)
    if inp.rural():
        assert inp.drive is not None and inp.towns is not None and d_att is not None
        town_pts = np.column_stack([inp.towns.geometry.x, inp.towns.geometry.y])
        tm, ti = inp.drive._router.nearest(d_att, inp.attached(inp.drive, "towns", town_pts))
        penalty = cfg.rural_points * (1 - decay(tm, cfg.rural_full_minutes, cfg.rural_zero_minutes))
        tn = np.where(ti >= 0, inp.towns.name.to_numpy()[np.maximum(ti, 0)], "")
        out["town"] = tn
        out["town_minutes"] = tm
        for i in range(n):
            if not np.isfinite(tm[i]):
                notes[i].append(f"no town reachable by road: -{penalty[i]:.0f} points")
            elif penalty[i] >= 0.5:
                notes[i].append(f"{_mins(tm[i])} min drive to {tn[i]}: -{penalty[i]:.0f} points")
            else:
                notes[i].append(f"{_mins(tm[i])} min drive to {tn[i]}")
    out["rural_penalty"] = penalty
    total_w = sum(weights.values())
    acc_score = np.zeros(n)
    for k, w in weights.items():
        acc_score += w * out[f"{k}_score"]
    score = 100.0 * acc_score / total_w - penalty if total_w > 0 else -penalty
    score = np.clip(score, 0.0, 100.0)
    score[off] = np.nan
    explanation = ["; ".join(x) for x in notes]
    for i in np.flatnonzero(off).tolist():
        explanation[i] = (
            f"not scored: more than {inp.walk.max_snap_m:.0f} m from any path or road of the "  # type: ignore[union-attr]
            "walking network; check the site's location"
        )
    frame = pd.DataFrame(out)
    frame.insert(0, "off_network", off)
    frame.insert(0, "score", score)
    frame["explanation"] = explanation
    return frame


def _walk_note(cat: Category, minutes: float, name: str) -> tuple[bool, str]:
    """Return (within reach, text) for one category of one site."""
    if not np.isfinite(minutes):
        return False, f"{cat.label} (none reachable on foot)"
    if minutes >= cat.zero_minutes:
        return False, f"{cat.label} (nearest {minutes:.0f} min)"
    what = f"{name} ({cat.label})" if name else f"a {cat.label}"
    return True, f"{_mins(minutes)} min walk to {what}"


def _mins(m: float) -> str:
    """Whole minutes for an explanation; under half a minute reads "<1", not "0"."""
    return "<1" if m < 0.5 else f"{m:.0f}"


@dataclass
class SiteScores:
    """Scored sites, ranked, with every sub-score and an explanation per site.

    Attributes
    ----------
    scores : geopandas.GeoDataFrame
        The sites in their input order with their own columns, then ``site_id``, ``rank``
        (1 = best; sites not scored last), ``score`` (0-100), ``off_network``,
        ``walk_access_m`` (metres from the site's access point to the path network), per
        category ``<name>_minutes`` (walk to the nearest), ``<name>_nearest`` (its name),
        ``<name>_count`` (within the category's ``zero_minutes``), ``<name>_score`` (0-1) and,
        with capacities, ``<name>_capacity_per_demand``; then ``staff_median_minutes``,
        ``staff_score``, ``demand_within``, ``demand_score``, ``town``, ``town_minutes`` when
        used, ``rural_penalty`` and ``explanation``.
    weights : dict
        The weights used (criteria without their inputs are left out and the rest rescaled).
    surface : geopandas.GeoDataFrame or None
        With ``surface=True``: the same score at every junction of the walking network.
    """

    scores: gpd.GeoDataFrame
    weights: dict[str, float]
    config: SiteConfig
    amenities: gpd.GeoDataFrame | None
    towns: gpd.GeoDataFrame | None
    walk: RoadNetwork | None
    drive: RoadNetwork | None
    surface: gpd.GeoDataFrame | None = None
    _isochrones: dict[tuple[Any, ...], gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    def ranked(self) -> gpd.GeoDataFrame:
        """Return the scores sorted by rank."""
        return self.scores.sort_values(["rank", "site_id"], na_position="last")

    def summary(self, top: int = 20) -> str:
        """Return a short text report: the weights and the ``top`` sites by rank."""
        lines = ["weights: " + ", ".join(f"{k} {v:g}" for k, v in self.weights.items())]
        ranked = self.ranked()
        for r in ranked.head(top).itertuples():
            sc = "not scored" if pd.isna(r.score) else f"{r.score:5.1f}"
            lines.append(f"{'' if pd.isna(r.rank) else int(r.rank):>3} {r.site_id}: {sc}  "
                         f"{r.explanation}")  # fmt: skip
        if len(ranked) > top:
            lines.append(f"... and {len(ranked) - top} more sites (see scores.csv)")
        return "\n".join(lines)

    def isochrones(
        self, sites: Sequence[Any] | int = 3, minutes: Sequence[float] = (5, 10, 15)
    ) -> gpd.GeoDataFrame:
        """Return walking isochrones for sites: a list of ``site_id``, or the top N scored.

        Computed once per choice of sites and minutes (the map and the files share them).
        """
        if self.walk is None:
            raise CarezonesError("isochrones need the walking network")
        if isinstance(sites, int):
            top = self.ranked()
            ids = top.site_id[top.score.notna()].head(sites).tolist()
        else:
            ids = list(sites)
        key = (tuple(ids), tuple(minutes))
        if not ids:
            return _gdf(pd.DataFrame(), ["site_id", "minutes"])
        if key not in self._isochrones:
            missing = [s for s in ids if s not in set(self.scores.site_id)]
            if missing:
                raise KeyError(f"no site with site_id {missing[:5]}")
            pick = self.scores.set_index("site_id").loc[ids]
            acc = _access_points(self.walk, pick.geometry.to_numpy())
            iso = self.walk.isochrones(acc, tuple(minutes))
            iso.insert(0, "site_id", np.asarray(ids, dtype=object)[iso.point.to_numpy()])
            self._isochrones[key] = iso.drop(columns="point")
        return self._isochrones[key].copy()

    def to_map(self, **kwargs: Any) -> folium.Map:
        """Return a folium map (see :func:`carezones.maps.sites_map` for the options)."""
        from carezones.maps import sites_map

        return sites_map(self, **kwargs)

    def to_files(
        self, out_dir: PathLike, *, isochrones: bool = True, offline: bool = True
    ) -> list[Path]:
        """Write the scores, layers and map; return the paths written.

        ``scores.csv`` (by rank), ``sites.gpkg`` (layers sites, amenities, isochrones),
        ``sites.html`` (the map) and, when computed, ``surface.gpkg``.
        """
        from carezones.io import write_site_scores

        return write_site_scores(self, out_dir, isochrones=isochrones, offline=offline)


def _as_sites(sites: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from carezones.io import read_points

    if isinstance(sites, gpd.GeoDataFrame):
        gdf = sites.copy()
        if gdf.crs is None:
            raise ValueError("sites have no CRS: set one, e.g. gdf.set_crs('EPSG:4326')")
        empty = gdf.geometry.isna() | gdf.geometry.is_empty
        if empty.any():
            bad = (np.flatnonzero(empty.to_numpy()) + 1)[:10].tolist()
            raise ValueError(f"sites at rows {bad} have no geometry: give every site a location")
        gdf = gdf.to_crs("EPSG:4326")
    else:
        gdf = read_points(sites, allow_polygons=True)
    gdf = gdf.reset_index(drop=True)
    if "site_id" not in gdf.columns:
        gdf.insert(0, "site_id", [f"S{i + 1:03d}" for i in range(len(gdf))])
    ids = gdf.site_id.astype(str)
    if ids.duplicated().any():
        dup = ids[ids.duplicated()].unique()[:5].tolist()
        raise ValueError(f"site_id values must be unique; repeated: {dup}")
    return gdf


def score_sites(
    sites: Any,
    *,
    osm: PathLike | None = None,
    walk: RoadNetwork | None = None,
    drive: RoadNetwork | None = None,
    amenities: gpd.GeoDataFrame | None = None,
    towns: gpd.GeoDataFrame | None = None,
    carers: Any = None,
    clients: Any = None,
    hours_column: str | None = "hours_per_week",
    config: SiteConfig | Mapping[str, Any] | PathLike | None = None,
    surface: bool = False,
) -> SiteScores:
    """Score candidate extra-care / supported-living sites; rank them and explain each score.

    Parameters
    ----------
    sites : GeoDataFrame, DataFrame or path
        Points or polygons in any CRS (a polygon is reached from its boundary point nearest
        the road), or a file/table for :func:`carezones.read_points`. Every column is kept; a
        ``site_id`` column names the sites (``S001``... otherwise).
    osm : path, optional
        An OSM file: the walking network, drive network (when carers, clients or towns need
        it), amenities and towns are read from it unless given.
    walk, drive : RoadNetwork, optional
        The networks (``load_network(osm, "walk")`` / ``"drive"``).
    amenities : GeoDataFrame, optional
        Your own amenities instead of OSM's: a ``category`` column naming a configured
        category, optional ``name``; points or polygons. A category with none scores 0 and
        says so. With a ``capacity`` column (e.g. patients a surgery can take) and
        ``clients``, each site also gets ``<category>_capacity_per_demand``: the enhanced
        two-step floating catchment (Luo & Qi 2009) over the walking network, with the
        category's decay as weights and the clients' hours as demand. It is reported beside
        the score, not in it.
    towns : GeoDataFrame, optional
        Town points with a ``name`` for the rural penalty (default: OSM ``place`` nodes).
    carers : points, optional
        Carers' homes (any form :func:`carezones.read_points` reads): enables staff access.
    clients : points, optional
        Clients, with ``hours_column`` (hours a week) when present (else each counts 1):
        enables demand.
    config : SiteConfig, dict or TOML path, optional
        Categories, weights and thresholds (:meth:`SiteConfig.load`).
    surface : bool
        Also score every junction of the walking network (:attr:`SiteScores.surface`).

    Returns
    -------
    SiteScores

    Examples
    --------
    >>> res = score_sites("sites.csv", osm="rutland.osm.pbf")  # doctest: +SKIP
    >>> res.ranked()[["site_id", "score", "explanation"]]  # doctest: +SKIP
    """
    from carezones.network import as_lonlat, load_network

    cfg = SiteConfig.load(config)
    gdf = _as_sites(sites)
    staff = None if carers is None else as_lonlat(_points(carers))
    demand, hours, unit = None, None, "h/week of care"
    if clients is not None:
        cl = _points(clients)
        demand = as_lonlat(cl)
        if hours_column and hours_column in cl.columns:
            hours = pd.to_numeric(cl[hours_column], errors="coerce").fillna(0.0).to_numpy(float)
        else:
            hours, unit = np.ones(len(demand)), "clients"
    if osm is not None:
        if walk is None and cfg.categories:
            walk = load_network(osm, "walk", engine="builtin")
        need_drive = staff is not None or demand is not None or cfg.rural_points > 0
        if drive is None and need_drive:
            drive = load_network(osm, "drive", engine="builtin")
        if amenities is None or towns is None:
            a, t = _osm_features(_osm_path(Path(osm)), cfg.categories, cfg.town_places)
            if amenities is None:
                amenities = _gdf(a, ["category", "name", "tag", "osm_id"])
            if towns is None:
                towns = _gdf(t, ["name", "place", "osm_id"])
    if walk is None and drive is None:
        raise CarezonesError("score_sites needs a network: pass osm=FILE, or walk= and drive=")
    if amenities is not None:
        amenities = _check_amenities(amenities, cfg)
    inp = _Inputs(cfg, walk, drive, amenities, towns, staff, demand, hours, unit)
    weights = inp.weights()
    if not weights and not (towns is not None and drive is not None):
        raise CarezonesError("nothing to score: no criterion has both its inputs and a weight")
    frame = _score(gdf.geometry.to_numpy(), inp)
    scored = pd.concat([gdf.drop(columns="geometry"), frame], axis=1)
    rank = frame.score.rank(ascending=False, method="first")
    scored.insert(scored.columns.get_loc("score"), "rank", rank.astype("Int64"))
    out = _gdf_like(scored, gdf)
    surf = None
    if surface:
        surf = _surface(inp)
    log.info("scored %d sites (%d not on the network)", len(gdf), int(frame.off_network.sum()))
    return SiteScores(out, weights, cfg, amenities, towns, walk, drive, surf)


def _points(x: Any) -> gpd.GeoDataFrame:
    import geopandas as gpd

    from carezones.io import read_points

    if isinstance(x, gpd.GeoDataFrame):
        return x
    if isinstance(x, np.ndarray):
        return gpd.GeoDataFrame(geometry=gpd.points_from_xy(x[:, 0], x[:, 1]), crs="EPSG:4326")
    return read_points(x)


def _gdf_like(frame: pd.DataFrame, like: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd

    return gpd.GeoDataFrame(frame, geometry=like.geometry.to_numpy(), crs=like.crs)


def _check_amenities(amenities: gpd.GeoDataFrame, cfg: SiteConfig) -> gpd.GeoDataFrame:
    import geopandas as gpd

    if not isinstance(amenities, gpd.GeoDataFrame) or amenities.crs is None:
        raise ValueError("amenities must be a GeoDataFrame with a CRS")
    if "category" not in amenities.columns:
        raise ValueError("amenities need a 'category' column naming a configured category")
    known = {c.name for c in cfg.categories}
    other = sorted(set(amenities.category.astype(str)) - known)
    if other:
        log.warning("categories %s are not configured (known: %s); they are ignored",
                    other[:5], sorted(known))  # fmt: skip
    a = amenities[amenities.category.astype(str).isin(known)].to_crs("EPSG:4326")
    a = a[~(a.geometry.isna() | a.geometry.is_empty)].reset_index(drop=True)
    if "capacity" in a.columns:
        cap = pd.to_numeric(a["capacity"], errors="coerce")
        bad = (cap.isna() & a["capacity"].notna()) | (cap < 0)
        if bad.any():
            rows = (np.flatnonzero(bad.to_numpy()) + 1)[:10].tolist()
            raise ValueError(
                f"amenities at rows {rows} have a capacity that is not a number >= 0: give a "
                "number (e.g. patients a surgery can take) or leave it empty"
            )
        a["capacity"] = cap.astype(float)
    if "name" not in a.columns:
        a["name"] = ""
    a["name"] = a["name"].fillna("").astype(str)
    a["category"] = a["category"].astype(str)
    return a


def _surface(inp: _Inputs) -> gpd.GeoDataFrame:
    """Return the score at every junction of the walking network (else the drive network)."""
    import geopandas as gpd

    net = inp.walk if inp.walk is not None else inp.drive
    assert net is not None
    j = net._router.chains.junction_nodes
    pts = shapely.points(net.lon[j], net.lat[j])
    frame = _score(pts, inp)
    frame = frame.drop(columns=[c for c in frame.columns if c.endswith("_nearest")])
    frame.insert(0, "node", net.node_osmid[j])
    return gpd.GeoDataFrame(frame, geometry=pts, crs="EPSG:4326")
