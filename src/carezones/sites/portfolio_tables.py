"""The tables of a chosen set of sites: what each site serves and adds, scenarios, baselines.

:func:`tables` turns the solved scenarios of :func:`~carezones.sites.choose_sites` into a
:class:`~carezones.sites.portfolio_result.SitePortfolio`. Every demand row ends up counted
(covered or not, with the site that serves it) or left out with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.sites.options import Objective
from carezones.sites.portfolio_model import ALL_SCENARIOS, NO_ROUTE_FACTOR, _Context, _Run, _weights
from carezones.sites.portfolio_result import SitePortfolio
from carezones.sites.status import CandidateStatus, DemandStatus

if TYPE_CHECKING:
    import geopandas as gpd

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def tables(c: _Context, runs: dict[str, _Run]) -> SitePortfolio:
    """Return the :class:`SitePortfolio` of the scenarios solved (see its attributes)."""
    run = runs[c.plan]
    t = c.times.minutes
    w_rows = _weights(c.scen, c.plan)
    w = run.weights
    routable = ~c.times.far & np.isfinite(t).any(axis=0)
    w_live = np.where(routable, w, 0.0)
    exist = c.times.existing
    open_sites = np.concatenate([run.chosen, exist]).astype(np.int64)
    finite = t[np.isfinite(t)]
    penalty = NO_ROUTE_FACTOR * float(finite.max()) if len(finite) else 1.0
    stats = _site_stats(t, open_sites, w_live, c.minutes, c.objective, penalty)
    old_ids = [] if c.old is None else c.old.site_id.to_numpy(dtype=object)
    ids = np.concatenate([c.sites.site_id.to_numpy(dtype=object), old_ids])
    near_pos, near_min = stats.pop("_nearest")
    chosen = _site_frame(c.sites.iloc[run.chosen], stats, slice(0, len(run.chosen)))
    chosen = chosen.sort_values(["adds", "site_id"], ascending=[False, True])
    existing = None
    if c.old is not None:
        existing = _site_frame(c.old, stats, slice(len(run.chosen), None))
    reach = np.asarray((t[: c.times.n_candidates] <= c.minutes) @ w_live, dtype=float)
    candidates = _candidates(c, run.chosen, reach)
    demand, left_out = _demand_rows(c, w_rows, routable, near_pos, near_min, ids)
    measured = _measure(c, open_sites, w_live)
    total = float(w_rows.sum())
    scenarios = _scenarios(c, runs, ids)
    stability = _stability(runs, ids, [n for n in runs if n != ALL_SCENARIOS or c.plan == n])
    sol = run.solution
    kpis: dict[str, Any] = {
        "objective": str(c.objective),
        "k": c.k,
        "minutes": c.minutes,
        "mode": c.net.mode,
        "unit": c.dem.attrs["carezones_demand"]["unit"],
        "demand_kind": c.dem.attrs["carezones_demand"]["kind"],
        "plan_for": c.plan,
        "scenarios": list(c.scen.names),
        "notes": list(c.scen.notes),
        "chosen": [str(ids[i]) for i in run.chosen],
        "existing": [] if c.old is None else c.old.site_id.astype(str).tolist(),
        "demand_rows": len(c.dem),
        "demand_locations": int(t.shape[1]),
        "demand_total": total,
        "left_out_rows": len(left_out),
        "left_out_demand": float(left_out["weight"].sum()) if len(left_out) else 0.0,
        "covered": measured["covered"],
        "covered_share": measured["covered"] / total if total > 0 else float("nan"),
        "mean_minutes": measured["mean_minutes"],
        "objective_value": sol.value,
        "bound": sol.bound,
        "gap": sol.gap,
        "optimal": sol.optimal,
        "method": sol.method,
        "seconds_travel_times": round(c.t_times, 3),
        "seconds_solving": round(sum(r.solution.seconds for r in runs.values()), 3),
        "seconds_total": round(c.t_total, 3),
        "min_score": c.min_score,
        "candidates": {
            str(s): int(n) for s, n in pd.Series([str(s) for s in c.status]).value_counts().items()
        },
        "baselines": _baselines(c, w_live, reach, total),
        "network": {
            "source": str(c.net.provenance.source).rsplit("/", 1)[-1],
            "osm_timestamp": c.net.provenance.osm_timestamp,
            "attribution": c.net.provenance.attribution,
        },
    }
    return SitePortfolio(
        chosen=chosen.reset_index(drop=True),
        existing=None if existing is None else existing.reset_index(drop=True),
        candidates=candidates,
        demand=demand,
        left_out=left_out,
        scenarios=scenarios,
        stability=stability,
        kpis=kpis,
        network=c.net,
        access={
            str(i): (float(p[0]), float(p[1]))
            for i, p in zip(ids, c.times.site_points.tolist(), strict=True)
        },
    )


def _measure(c: _Context, open_sites: IntArray, w: FloatArray) -> dict[str, float]:
    """Demand covered and mean minutes to the nearest of ``open_sites`` (positions)."""
    t = c.times.minutes
    near = t[open_sites].min(axis=0) if len(open_sites) else np.full(t.shape[1], np.inf)
    covered = float(w[near <= c.minutes].sum())
    ok = np.isfinite(near) & (w > 0)
    minutes = float((w[ok] * near[ok]).sum())
    mean = minutes / float(w[ok].sum()) if ok.any() else float("nan")
    return {"covered": covered, "mean_minutes": mean, "weighted_minutes": minutes}


def _site_stats(
    t: FloatArray,
    open_sites: IntArray,
    w: FloatArray,
    minutes: float,
    objective: Objective,
    penalty: float,
) -> dict[str, Any]:
    """Per open site: what it serves, what is within its reach, what it adds, mean minutes."""
    sub = np.where(np.isfinite(t[open_sites]), t[open_sites], np.inf)
    order = np.argsort(sub, axis=0, kind="stable")
    cols = np.arange(sub.shape[1])
    first = order[0]
    d1 = sub[first, cols]
    d2 = sub[order[1], cols] if len(open_sites) > 1 else np.full(sub.shape[1], np.inf)
    within = sub <= minutes
    covered = d1 <= minutes
    n = len(open_sites)
    serves, reach, adds, mean = np.zeros(n), np.zeros(n), np.zeros(n), np.full(n, np.nan)
    priced1, priced2 = np.minimum(d1, penalty), np.minimum(d2, penalty)
    for s in range(n):
        mine = first == s
        served = mine & covered if objective is Objective.COVERAGE else mine & np.isfinite(d1)
        serves[s] = w[served].sum()
        reach[s] = w[within[s]].sum()
        if w[served].sum() > 0:
            mean[s] = float((w[served] * d1[served]).sum() / w[served].sum())
        if objective is Objective.COVERAGE:
            alone = within[s] & (within.sum(axis=0) == 1)
            adds[s] = w[alone].sum()
        else:  # how much longer the mean trip would be without it
            extra = float((w[mine] * (priced2[mine] - priced1[mine])).sum())
            adds[s] = extra / float(w.sum()) if w.sum() > 0 else 0.0
    nearest = (np.where(np.isfinite(d1), open_sites[first], -1), d1)
    return {
        "serves": serves,
        "within_reach": reach,
        "adds": adds,
        "mean_minutes": mean,
        "_nearest": nearest,
    }


def _site_frame(sites: gpd.GeoDataFrame, stats: dict[str, Any], part: slice) -> gpd.GeoDataFrame:
    keep = [c for c in ("site_id", "name", "score", "rank", "explanation") if c in sites.columns]
    out = sites[[*keep, "geometry"]].copy().reset_index(drop=True)
    for key in ("serves", "within_reach", "adds", "mean_minutes"):
        out.insert(len(out.columns) - 1, key, np.asarray(stats[key][part], dtype=float))
    return out


def _candidates(c: _Context, chosen: IntArray, reach: FloatArray) -> gpd.GeoDataFrame:
    keep = [col for col in ("site_id", "name", "score", "rank") if col in c.sites.columns]
    out = c.sites[[*keep, "geometry"]].copy().reset_index(drop=True)
    status = np.asarray([str(s) for s in c.status], dtype=object)
    status[chosen] = str(CandidateStatus.CHOSEN)
    out.insert(len(out.columns) - 1, "status", status)
    out.insert(len(out.columns) - 1, "within_reach", reach)
    return out


def _demand_rows(
    c: _Context,
    w_rows: FloatArray,
    routable: npt.NDArray[np.bool_],
    near_pos: IntArray,
    near_min: FloatArray,
    ids: npt.NDArray[np.object_],
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Each demand row's status, serving site and minutes; the rows left out and why."""
    import geopandas as gpd

    loc = c.times.inverse
    far = c.times.far[loc]
    live = routable[loc]
    pos = near_pos[loc]
    mins = near_min[loc]
    site = np.where(pos >= 0, ids[np.maximum(pos, 0)], "")
    covered = live & (mins <= c.minutes)
    status = np.where(
        covered,
        str(DemandStatus.COVERED),
        np.where(live, str(DemandStatus.NOT_COVERED), str(DemandStatus.LEFT_OUT)),
    )
    snap_m = c.net.max_snap_m
    reason = np.full(len(loc), "", dtype=object)
    reason[far] = f"more than {snap_m:.0f} m from any {c.net.mode} road: check its location"
    reason[~far & ~live] = "no road route from any site"
    slow = live & ~covered
    reason[slow] = [
        f"nearest open site {s} is {m:.0f} min away"
        if np.isfinite(m)
        else "no open site reaches it by road"
        for s, m in zip(site[slow], mins[slow], strict=True)
    ]
    demand = gpd.GeoDataFrame(
        {
            "demand_id": c.dem["demand_id"].astype(str).to_numpy(),
            "area": c.dem["area"].astype(str).to_numpy(),
            "source_row": c.dem["source_row"].to_numpy(),
            "weight": w_rows,
            "status": status,
            "site_id": site,
            "minutes": np.where(np.isfinite(mins), np.round(mins, 2), np.nan),
            "reason": reason,
        },
        geometry=c.dem.geometry.to_numpy(),
        crs=c.dem.crs,
    )
    left = demand[demand.status == DemandStatus.LEFT_OUT]
    left_out = pd.DataFrame(left[["source_row", "demand_id", "area", "weight", "reason"]])
    return demand, left_out.reset_index(drop=True)


def _scenarios(c: _Context, runs: dict[str, _Run], ids: npt.NDArray[np.object_]) -> pd.DataFrame:
    """One row per scenario: its own best set, and how the plan's set does in it."""
    plan_open = np.concatenate([runs[c.plan].chosen, c.times.existing]).astype(np.int64)
    rows = []
    for name, run in runs.items():
        w = run.weights.copy()
        w[~np.isfinite(c.times.minutes).any(axis=0)] = 0.0
        own = _measure(c, np.concatenate([run.chosen, c.times.existing]).astype(np.int64), w)
        plan = _measure(c, plan_open, w)
        total = float(_weights(c.scen, name).sum())  # left-out rows included
        s = run.solution
        rows.append(
            {
                "scenario": name,
                "demand": total,
                "chosen": ";".join(str(ids[i]) for i in run.chosen),
                "covered": own["covered"],
                "covered_share": own["covered"] / total if total else np.nan,
                "mean_minutes": own["mean_minutes"],
                "objective_value": s.value,
                "bound": s.bound,
                "gap": s.gap,
                "optimal": s.optimal,
                "seconds": round(s.seconds, 3),
                "plan_covered_share": plan["covered"] / total if total else np.nan,
                "plan_mean_minutes": plan["mean_minutes"],
            }
        )
    return pd.DataFrame(rows)


def _stability(
    runs: dict[str, _Run], ids: npt.NDArray[np.object_], names: list[str]
) -> pd.DataFrame:
    """Which sites each scenario chooses: a site per row, a column per scenario."""
    picked = sorted({int(i) for n in names for i in runs[n].chosen})
    table = pd.DataFrame({"site_id": [str(ids[i]) for i in picked]})
    for n in names:
        table[n] = [i in set(runs[n].chosen.tolist()) for i in picked]
    table["chosen_in"] = table[names].sum(axis=1).astype(int)
    return table.sort_values(["chosen_in", "site_id"], ascending=[False, True]).reset_index(
        drop=True
    )


def _baselines(c: _Context, w: FloatArray, reach: FloatArray, total: float) -> list[dict[str, Any]]:
    """Return the k best single sites (by what each reaches alone; by score), as a set."""
    elig = c.eligible
    score = c.sites["score"].to_numpy(dtype=float)
    ranked = {
        "the k sites that each reach the most demand alone": elig[
            np.lexsort((elig, -np.nan_to_num(score[elig], nan=-1.0), -reach[elig]))
        ]
    }
    if np.isfinite(score[elig]).any():
        ranked["the k best-scoring sites"] = elig[
            np.lexsort((elig, -np.nan_to_num(score[elig], nan=-1.0)))
        ]
    out = []
    for name, order in ranked.items():
        pick = order[: c.k]
        m = _measure(c, np.concatenate([pick, c.times.existing]).astype(np.int64), w)
        out.append(
            {
                "baseline": name,
                "sites": [str(c.sites.site_id.iloc[i]) for i in pick],
                "covered": m["covered"],
                "covered_share": m["covered"] / total if total > 0 else float("nan"),
                "mean_minutes": m["mean_minutes"],
            }
        )
    return out
