"""The criteria of a site score, each computed for many sites at once over the networks.

Each criterion adds its columns and its words of explanation for every site:

- :func:`_walking`: per amenity category, walking minutes to the nearest, the count within
  reach and (with capacities) the enhanced two-step floating catchment; a category beyond
  its ``zero_minutes`` reads "none within 17 min walk" (its limit), never the minutes;
- :func:`_timetable`: with a GTFS feed, the ``transport`` category by PTAL's access index
  (:mod:`carezones.sites.transport`), "bus every 12 min at Market Place (4 min walk)";
- :func:`_staff`: the decay of carers' driving minutes;
- :func:`_demand`: hours of care within a drive, over the best junction of the area;
- :func:`_rural`: the penalty for a long drive to the nearest town.

:func:`score_points` combines them into the 0-100 score. A new criterion is one more function
here, its weight in :class:`~carezones.sites.config.SiteConfig`, and one line in
:meth:`_Inputs.weights`. Every search goes through the network's router with points attached
once per network (:meth:`_Inputs.attached`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.sites.config import Category, SiteConfig
from carezones.sites.transport import TransportOptions, _access, transport_note

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io.gtfs import TransitDay
    from carezones.network import RoadNetwork, Snapped
    from carezones.network.routing import Attachment

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TRANSPORT = "transport"
"""The category a timetable scores (by PTAL's access index) when one is given."""


def _gdf(rows: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Rows with a ``geometry`` column as a GeoDataFrame in WGS84 (an empty one has ``columns``)."""
    import geopandas as gpd

    if rows.empty:
        return gpd.GeoDataFrame({c: [] for c in columns}, geometry=[], crs="EPSG:4326")
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def decay(minutes: npt.ArrayLike, full: float, zero: float) -> FloatArray:
    """Return the piecewise-linear decay of minutes: 1 up to ``full``, 0 from ``zero``.

    The shape of Walk Score's and pandana's linear decay; the thresholds are documented in
    the module docstring (CIHT 2000 walking distances at 0.8 m/s).

    Parameters
    ----------
    minutes : array_like
        The minutes (``inf`` gives 0).
    full, zero : float
        Up to ``full`` minutes the decay is 1; from ``zero`` it is 0.

    Returns
    -------
    numpy.ndarray
        The decay of each, between 0 and 1.

    Examples
    --------
    >>> from carezones.sites import decay
    >>> decay([5, 10, 25, float("inf")], full=8, zero=25).round(3)
    array([1.   , 0.882, 0.   , 0.   ])
    """
    t = np.asarray(minutes, dtype=float)
    return np.clip((zero - t) / (zero - full), 0.0, 1.0)


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
    transit: TransitDay | None = None  # a timetable: transport by PTAL's access index
    transport: TransportOptions | None = None  # its bands (the walk limit: the category's)
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
            pts = self.walk.access_points(self.amenities.geometry.to_numpy())
            self._cache["amen"] = (self.walk.snap(pts), pts)
        got: tuple[Snapped, FloatArray] = self._cache["amen"]
        return got

    def rural(self) -> bool:
        """Whether the rural penalty applies (towns, a drive network and points to take)."""
        return (
            self.towns is not None
            and len(self.towns) > 0
            and self.drive is not None
            and self.cfg.rural_points > 0
        )

    def attached(self, net: RoadNetwork, name: str, points: Any) -> Any:
        """Return the points attached to ``net`` (snapped once per network, then cached)."""
        key = f"{net.mode}:{name}"
        if key not in self._cache:
            self._cache[key] = net.attach(net.snap(points))
        return self._cache[key]

    def supply_ratio(self, cat: Category, idx: IntArray) -> FloatArray | None:
        """Step one of the enhanced two-step floating catchment (Luo & Qi 2009).

        Each amenity's capacity over the demand within its walking catchment (clients'
        hours, or clients, weighted by the category's decay); ``None`` without capacities or
        clients. Amenities without a capacity get 0.
        """
        amen = self.amenities
        if (
            amen is None
            or "capacity" not in amen.columns
            or self.clients is None
            or self.hours is None
            or self.walk is None
        ):
            return None
        cap = amen["capacity"].to_numpy(dtype=float)[idx]
        if not np.isfinite(cap).any():
            return None
        key = f"ratio:{cat.name}"
        if key not in self._cache:
            walk = self.walk
            a_snap, _ = self.amenity_snap()
            o, t, m = walk.router.within(
                self.attached(walk, "clients", self.clients),
                walk.attach(a_snap.subset(idx)),
                cat.zero_minutes,
            )
            w = self.hours[o] * decay(m, cat.full_minutes, cat.zero_minutes)
            demand = np.bincount(t, weights=w, minlength=len(idx))
            self._cache[key] = np.where(
                (demand > 0) & np.isfinite(cap),
                np.nan_to_num(cap) / np.where(demand > 0, demand, 1),
                0.0,
            )
        return np.asarray(self._cache[key])

    def demand_reference(self) -> float:
        """Most demand within reach of any junction of the drive network."""
        if "ref" not in self._cache:
            assert self.drive is not None and self.clients is not None and self.hours is not None
            d = self.drive
            j = d.junction_nodes
            nodes = d.attach(d.snap(np.column_stack([d.lon[j], d.lat[j]])))
            o, tgt, _ = d.router.within(
                nodes, self.attached(d, "clients", self.clients), self.cfg.demand_minutes
            )
            got = np.bincount(o, weights=self.hours[tgt], minlength=len(j))
            self._cache["ref"] = float(got.max()) if len(got) else 0.0
        return float(self._cache["ref"])


@dataclass
class _Sites:
    """The points being scored and what the criteria write about them."""

    geoms: npt.NDArray[np.object_]
    out: dict[str, Any] = field(default_factory=dict)  # columns of the result
    notes: list[list[str]] = field(default_factory=list)  # explanation, in order
    drive: Any = None  # the points attached to the drive network, once for every criterion

    @property
    def n(self) -> int:
        """Number of points."""
        return len(self.geoms)


class _Ticks:
    """Calls that move a progress bar on by one step (or do nothing without a bar)."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def __call__(self) -> None:
        if self.bar is not None:
            self.bar.update(1)


def _score(
    points: Any, inp: _Inputs, bar: Any = None
) -> tuple[pd.DataFrame, tuple[tuple[str, ...], ...]]:
    """Every sub-score, the total and the explanation for the given geometries (WGS84).

    Returns the table (its ``explanation`` column the parts joined by ``"; "``) and each
    point's explanation part by part.
    """
    tick = _Ticks(bar)
    sites = _Sites(np.asarray(points, dtype=object))
    n = sites.n
    sites.notes = [[] for _ in range(n)]
    weights = inp.weights()
    off = np.zeros(n, dtype=bool)
    if inp.walk is not None:
        off = _walking(sites, inp, inp.walk, tick)
    if inp.drive is not None and ("staff" in weights or "demand" in weights or inp.rural()):
        sites.drive = inp.drive.attach(inp.drive.snap(inp.drive.access_points(sites.geoms)))
    tick()
    if "staff" in weights:
        _staff(sites, inp)
    tick()
    if "demand" in weights:
        _demand(sites, inp)
    tick()
    penalty = _rural(sites, inp) if inp.rural() else np.zeros(n)
    tick()
    out = sites.out
    out["rural_penalty"] = penalty
    total_w = sum(weights.values())
    acc_score = np.zeros(n)
    for k, w in weights.items():
        acc_score += w * out[f"{k}_score"]
    score = 100.0 * acc_score / total_w - penalty if total_w > 0 else -penalty
    score = np.clip(score, 0.0, 100.0)
    score[off] = np.nan
    parts = [tuple(x) for x in sites.notes]
    for i in np.flatnonzero(off).tolist():
        assert inp.walk is not None  # only the walking network leaves sites off
        parts[i] = (
            f"not scored: more than {inp.walk.max_snap_m:.0f} m from any path or road of the "
            "walking network",
            "check the site's location",
        )
    explanation = ["; ".join(x) for x in parts]
    frame = pd.DataFrame(out)
    frame.insert(0, "off_network", off)
    frame.insert(0, "score", score)
    frame["explanation"] = explanation
    return frame, tuple(parts)


def _walking(
    sites: _Sites, inp: _Inputs, walk: RoadNetwork, tick: Any = None
) -> npt.NDArray[np.bool_]:
    """Add residents' walking access per category; return which sites are off the network."""
    n, out, notes = sites.n, sites.out, sites.notes
    far: list[list[str]] = [[] for _ in range(n)]
    absent: list[str] = []
    snap = walk.snap(walk.access_points(sites.geoms))
    out["walk_access_m"] = snap.distance_m
    att = walk.attach(snap)
    amen = inp.amenities
    a_snap, _ = inp.amenity_snap() if amen is not None and len(amen) else (None, None)
    for cat in inp.cfg.categories:
        if cat.name == TRANSPORT and inp.transit is not None:
            _timetable(sites, inp, walk, att, cat)
            if tick is not None:
                tick()
            continue
        idx = (
            np.flatnonzero(amen.category.to_numpy() == cat.name)
            if amen is not None and len(amen)
            else np.zeros(0, dtype=np.int64)
        )
        minutes = np.full(n, np.inf)
        name = np.full(n, "", dtype=object)
        count = np.zeros(n, dtype=np.int64)
        if len(idx) and a_snap is not None:
            a_att = walk.attach(a_snap.subset(idx))
            minutes, which = walk.router.nearest(att, a_att)
            names = amen.name.to_numpy()[idx]  # type: ignore[union-attr]
            hit = which >= 0
            name[hit] = names[which[hit]]
            o, tgt, mins = walk.router.within(att, a_att, cat.zero_minutes)
            count = np.bincount(o, minlength=n)
            ratio = inp.supply_ratio(cat, idx)
            if ratio is not None:  # two-step floating catchment (E2SFCA)
                gain = decay(mins, cat.full_minutes, cat.zero_minutes) * ratio[tgt]
                out[f"{cat.name}_capacity_per_demand"] = np.bincount(o, weights=gain, minlength=n)
        out[f"{cat.name}_minutes"] = minutes
        out[f"{cat.name}_nearest"] = name
        out[f"{cat.name}_count"] = count
        out[f"{cat.name}_score"] = decay(minutes, cat.full_minutes, cat.zero_minutes)
        if not len(idx):
            absent.append(cat.label)
            continue
        for i in range(n):
            near, text = _walk_note(cat, minutes[i], name[i])
            (notes if near else far)[i].append(text)
        if tick is not None:
            tick()
    for i in range(n):
        if far[i]:
            notes[i].append("not within a walk: " + ", ".join(far[i]))
        notes[i] += [f"no {label} in the data" for label in absent]
    return np.asarray(snap.far)


def _timetable(
    sites: _Sites, inp: _Inputs, walk: RoadNetwork, att: Attachment, cat: Category
) -> None:
    """Add the transport category from a timetable: PTAL's access index at each site."""
    assert inp.transit is not None
    base = inp.transport if inp.transport is not None else TransportOptions()
    opts = TransportOptions(cat.zero_minutes, base.band, base.peak)
    acc = _access(inp.transit, walk, att, sites.n, opts)
    out, name = sites.out, cat.name
    out[f"{name}_minutes"] = acc["nearest_walk_minutes"].to_numpy(dtype=float)
    out[f"{name}_nearest"] = acc["nearest_stop_name"].to_numpy(dtype=object)
    out[f"{name}_count"] = acc["stops_within"].to_numpy(dtype=np.int64)
    index = acc["access_index"].to_numpy(dtype=float)
    out[f"{name}_score"] = np.clip(index / inp.cfg.transport_full_index, 0.0, 1.0)
    out[f"{name}_access_index"] = index
    if "access_index_peak" in acc.columns:
        out[f"{name}_access_index_peak"] = acc["access_index_peak"].to_numpy(dtype=float)
    for column in (
        "stop_id",
        "stop_name",
        "walk_minutes",
        "departures_per_hour",
        "mode",
        "first_departure",
        "last_departure",
    ):
        out[f"{name}_{_TIMETABLE_COLUMNS.get(column, column)}"] = acc[column].to_numpy()
    for i, row in enumerate(acc.to_dict("records")):
        sites.notes[i].append(transport_note(row, opts))


_TIMETABLE_COLUMNS = {"stop_name": "stop", "walk_minutes": "stop_walk_minutes"}


def _staff(sites: _Sites, inp: _Inputs) -> None:
    """Add staff access: the mean decay of carers' driving minutes to each site."""
    cfg, n = inp.cfg, sites.n
    assert inp.drive is not None and inp.staff is not None and sites.drive is not None
    t = inp.drive.router.table(inp.attached(inp.drive, "staff", inp.staff), sites.drive)
    s = decay(t, cfg.staff_full_minutes, cfg.staff_zero_minutes)
    reach = np.isfinite(t)
    med = np.array(
        [np.median(t[reach[:, i], i]) if reach[:, i].any() else np.inf for i in range(n)]
    )
    sites.out["staff_median_minutes"] = med
    sites.out["staff_score"] = s.mean(axis=0)
    for i in range(n):
        sites.notes[i].append(
            f"staff: median {_mins(med[i])} min drive from carers' homes"
            if np.isfinite(med[i])
            else "staff: no carer can drive here"
        )


def _demand(sites: _Sites, inp: _Inputs) -> None:
    """Add demand: hours of care within a drive, relative to the best junction of the area."""
    cfg, n = inp.cfg, sites.n
    assert inp.drive is not None and inp.clients is not None and inp.hours is not None
    assert sites.drive is not None
    o, tgt, _ = inp.drive.router.within(
        sites.drive, inp.attached(inp.drive, "clients", inp.clients), cfg.demand_minutes
    )
    got = np.bincount(o, weights=inp.hours[tgt], minlength=n)
    ref = inp.demand_reference()
    sites.out["demand_within"] = got
    sites.out["demand_score"] = np.clip(got / ref, 0.0, 1.0) if ref > 0 else np.zeros(n)
    for i in range(n):
        sites.notes[i].append(
            f"{got[i]:.0f} {inp.demand_unit} within {cfg.demand_minutes:g} min drive"
        )


def _rural(sites: _Sites, inp: _Inputs) -> FloatArray:
    """Return the rural penalty: points off for a long drive to the nearest town."""
    cfg, n = inp.cfg, sites.n
    assert inp.drive is not None and inp.towns is not None and sites.drive is not None
    town_pts = np.column_stack([inp.towns.geometry.x, inp.towns.geometry.y])
    tm, ti = inp.drive.router.nearest(sites.drive, inp.attached(inp.drive, "towns", town_pts))
    penalty = cfg.rural_points * (1 - decay(tm, cfg.rural_full_minutes, cfg.rural_zero_minutes))
    tn = np.where(ti >= 0, inp.towns.name.to_numpy()[np.maximum(ti, 0)], "")
    sites.out["town"] = tn
    sites.out["town_minutes"] = tm
    for i in range(n):
        if not np.isfinite(tm[i]):
            sites.notes[i].append(f"no town reachable by road: -{penalty[i]:.0f} points")
        elif penalty[i] >= 0.5:
            sites.notes[i].append(f"{_mins(tm[i])} min drive to {tn[i]}: -{penalty[i]:.0f} points")
        else:
            sites.notes[i].append(f"{_mins(tm[i])} min drive to {tn[i]}")
    return np.asarray(penalty, dtype=float)


def _walk_note(cat: Category, minutes: float, name: str) -> tuple[bool, str]:
    """Return (within reach, text) for one category of one site."""
    if not np.isfinite(minutes):
        return False, f"{cat.label} (none reachable on foot)"
    if minutes >= cat.zero_minutes:
        return False, f"{cat.label} (none within {cat.zero_minutes:g} min walk)"
    what = f"{name} ({cat.label})" if name else f"a {cat.label}"
    return True, f"{_mins(minutes)} min walk to {what}"


def _mins(m: float) -> str:
    """Whole minutes for an explanation; under half a minute reads "<1", not "0"."""
    return "<1" if m < 0.5 else f"{m:.0f}"


def _surface(inp: _Inputs, progress: bool | None = None) -> gpd.GeoDataFrame:
    """Return the score at every junction of the walking network (else the drive network)."""
    import geopandas as gpd

    from carezones._progress import progress_bar

    net = inp.walk if inp.walk is not None else inp.drive
    assert net is not None
    j = net.junction_nodes
    pts = shapely.points(net.lon[j], net.lat[j])
    steps = (len(inp.cfg.categories) if inp.walk is not None else 0) + 4
    bar = progress_bar(steps, f"scoring {len(j):,} junctions", progress)
    try:
        frame, _ = _score(pts, inp, bar)
    finally:
        bar.close()
    frame = frame.drop(columns=[c for c in frame.columns if c.endswith("_nearest")])
    frame.insert(0, "node", net.node_osmid[j])
    return gpd.GeoDataFrame(frame, geometry=pts, crs="EPSG:4326")
