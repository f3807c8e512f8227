"""An independent checker for routes: it shares no code with the solver.

Given the problem and a set of routes, it recomputes every arrival and start time from the
travel times and lists every broken rule, so that a solution is trusted because it was
checked, not because a solver said so. It sits in the rounds package beside the code it checks
and imports none of it (a new rule for rounds is verified here too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carezones.io.vrplib import VrptwInstance


@dataclass(frozen=True)
class Violation:
    """One broken rule: which route (1-based, 0 for the whole plan), which node, what."""

    route: int
    node: int
    rule: str
    detail: str

    def __str__(self) -> str:
        where = f"route {self.route}" if self.route else "plan"
        return f"{where}, node {self.node}: {self.rule}: {self.detail}"


def check_vrptw(
    inst: VrptwInstance, routes: list[list[int]], claimed_distance: int | None = None
) -> list[Violation]:
    """Every rule of the VRP with time windows, checked from scratch.

    Rules: each customer served exactly once; no route over capacity; service starts inside
    each customer's window (waiting allowed, lateness not); every route back at the depot before
    it closes; the total travel equals ``claimed_distance`` when given.

    Parameters
    ----------
    inst : VrptwInstance
        The instance: node 0 is the depot.
    routes : list of list of int
        Each route's customer nodes in order (the depot left out).
    claimed_distance : int, optional
        The total travel the solver reported.

    Returns
    -------
    list of Violation
        Every broken rule (empty: the solution is valid).
    """
    out: list[Violation] = []
    n = len(inst.demand)
    seen: dict[int, int] = {}
    total = 0
    for r, route in enumerate(routes, start=1):
        load = 0
        t = int(inst.window[0][0])
        prev = 0
        for node in route:
            if not 1 <= node < n:
                out.append(Violation(r, node, "unknown node", f"nodes are 1..{n - 1}"))
                continue
            if node in seen:
                out.append(Violation(r, node, "served twice", f"also on route {seen[node]}"))
            seen[node] = r
            load += int(inst.demand[node])
            leg = int(inst.travel[prev][node])
            total += leg
            t = max(t + leg, int(inst.window[node][0]))
            if t > int(inst.window[node][1]):
                out.append(
                    Violation(r, node, "late", f"starts {t}, window closes {inst.window[node][1]}")
                )
            t += int(inst.service[node])
            prev = node
        back = int(inst.travel[prev][0])
        total += back
        if t + back > int(inst.window[0][1]):
            out.append(
                Violation(r, 0, "late back", f"at the depot {t + back} > {inst.window[0][1]}")
            )
        if load > inst.capacity:
            out.append(Violation(r, 0, "over capacity", f"load {load} > {inst.capacity}"))
    for node in range(1, n):
        if node not in seen:
            out.append(Violation(0, node, "not served", "on no route"))
    if claimed_distance is not None and claimed_distance != total:
        out.append(
            Violation(0, 0, "distance", f"routes add up to {total}, claimed {claimed_distance}")
        )
    return out


def check_rounds(
    visits: Any,
    carers: Any,
    minutes: Any,
    itineraries: Any,
    unserved: Any,
    tol: float = 1e-6,
    *,
    same_carer_pairs: bool = False,
    started_before: float | None = None,
) -> list[Violation]:
    """Every home-care rule, checked from the itineraries alone.

    ``minutes`` is the travel matrix with the carers' homes (one per carer row, in order)
    first and the visits after. ``itineraries`` has one row per stop (``carer_id, shift, seq,
    kind, visit_id, arrival, start, end, travel_minutes``, optionally ``late_minutes``). Rules:
    each visit served by as many different carers as it needs, or listed unserved (never both,
    never partly); each start inside its window, or after it closes by no more than the
    visit's ``max_late_minutes`` (blank or no column: 0), and the lateness claimed as the times
    give it; each visit as long as it should be; both carers of a double-handed
    visit start together; skills; every stop of a shift inside the shift, starting and ending
    at the carer's home; the break taken whole inside its window; no carer in two places at
    once (each stop begins after the previous one ends plus the travel between them); travel
    minutes as in the matrix; the working time within ``max_minutes``; each sequential pair
    (a visit with ``after_visit``) served whole or not at all, its second visit starting
    between ``gap_min_minutes`` (blank: 0) and ``gap_max_minutes`` (blank: no limit) after
    the first, by another carer unless ``same_carer_pairs`` (rule ``sequence``).

    Parameters
    ----------
    visits, carers : DataFrame
        The day, as read by :func:`~carezones.io.read_visits` and
        :func:`~carezones.io.read_carers`.
    minutes : array
        Travel minutes, homes first.
    itineraries, unserved : DataFrame
        The plan (as in :class:`~carezones.rounds.Rounds`).
    tol : float
        Minutes of rounding allowed on times.
    same_carer_pairs : bool
        Whether one carer may make both visits of a sequential pair.
    started_before : float, optional
        A re-plan's time: a visit of a pair that started before it may be served alone (it
        cannot be undone) when the other is listed unserved.

    Returns
    -------
    list of Violation
        Every broken rule (empty: every rule kept).
    """
    import numpy as np

    out: list[Violation] = []
    n_c = len(carers)
    vidx = {str(v): i for i, v in enumerate(visits["visit_id"])}
    need = {
        str(v): int(r) for v, r in zip(visits["visit_id"], visits["carers_required"], strict=True)
    }
    skipped = {str(v) for v in unserved["visit_id"]} if len(unserved) else set()
    served: dict[str, list[tuple[str, float]]] = {}
    rows_of = {}
    for c, (cid, shift) in enumerate(
        zip(carers["carer_id"].astype(str), carers.groupby("carer_id").cumcount() + 1, strict=True)
    ):
        rows_of[(cid, int(shift))] = c
    for (cid, shift), g in itineraries.groupby(["carer_id", "shift"], sort=False):
        key = (str(cid), int(shift))
        if key not in rows_of:
            out.append(Violation(0, 0, "unknown shift", f"carer {cid} has no shift {shift}"))
            continue
        c = rows_of[key]
        r = carers.iloc[c]
        g = g.sort_values("seq")
        kinds = list(g["kind"])
        if kinds[0] != "start" or kinds[-1] != "end":
            out.append(
                Violation(c + 1, 0, "shape", f"carer {cid}: a shift starts and ends at home")
            )
        if g["start"].iloc[0] < r.shift_start - tol or g["end"].iloc[-1] > r.shift_end + tol:
            out.append(
                Violation(
                    c + 1,
                    0,
                    "outside the shift",
                    f"carer {cid} works outside {r.shift_start}-{r.shift_end}",
                )
            )
        mx = r.get("max_minutes", np.nan)
        if mx == mx and g["end"].iloc[-1] - g["start"].iloc[0] > mx + tol:
            out.append(Violation(c + 1, 0, "too long", f"carer {cid} works over {mx} minutes"))
        loc, t = c, g["end"].iloc[0]
        breaks = 0
        for rec in g.iloc[1:].itertuples():
            if rec.kind == "visit":
                j = vidx.get(str(rec.visit_id))
                if j is None:
                    out.append(Violation(c + 1, 0, "unknown visit", str(rec.visit_id)))
                    continue
                to = n_c + j
            elif rec.kind == "end":
                to = c
            else:
                to = loc  # a break is taken where the carer is
            leg = 0.0 if to == loc else float(minutes[loc][to])
            if abs(rec.travel_minutes - leg) > 1e-3:
                out.append(
                    Violation(
                        c + 1,
                        0,
                        "travel",
                        f"carer {cid}: {rec.travel_minutes} min claimed, {leg} in the matrix",
                    )
                )
            if rec.arrival < t + leg - 1e-3 or rec.start < rec.arrival - tol:
                out.append(
                    Violation(c + 1, 0, "two places at once", f"carer {cid} at stop {rec.seq}")
                )
            if rec.kind == "visit":
                v = visits.iloc[j]
                grace = float(v.get("max_late_minutes", 0.0))
                grace = 0.0 if grace != grace else grace  # blank: a hard window
                late = max(rec.start - v.window_end, 0.0)
                if rec.start < v.window_start - tol or late > grace + tol:
                    allowed = f" ({late:.1f} min late, {grace:g} allowed)" if late > tol else ""
                    out.append(
                        Violation(
                            c + 1,
                            0,
                            "window",
                            f"visit {rec.visit_id} starts outside its window{allowed}",
                        )
                    )
                claimed = getattr(rec, "late_minutes", late)
                if abs(claimed - late) > 1e-3:
                    out.append(
                        Violation(
                            c + 1,
                            0,
                            "lateness",
                            f"visit {rec.visit_id}: {claimed} min late claimed, {late} by the "
                            "times",
                        )
                    )
                if abs(rec.end - rec.start - v.duration_minutes) > tol:
                    out.append(Violation(c + 1, 0, "duration", f"visit {rec.visit_id}"))
                if not set(v.skills) <= set(r.skills):
                    out.append(
                        Violation(
                            c + 1,
                            0,
                            "skills",
                            f"carer {cid} lacks {sorted(set(v.skills) - set(r.skills))} "
                            f"for {rec.visit_id}",
                        )
                    )
                served.setdefault(str(rec.visit_id), []).append((str(cid), float(rec.start)))
            if rec.kind == "break":
                breaks += 1
                if (
                    rec.start < r.break_window_start - tol
                    or rec.end > r.break_window_end + tol
                    or rec.end - rec.start < r.break_minutes - tol
                ):
                    out.append(
                        Violation(
                            c + 1, 0, "break", f"carer {cid}'s break is not whole inside its window"
                        )
                    )
            t, loc = rec.end, to
        if r.break_minutes == r.break_minutes and breaks != 1:
            out.append(Violation(c + 1, 0, "break", f"carer {cid} has {breaks} breaks, needs 1"))
    for v, n in need.items():
        got = served.get(v, [])
        if v in skipped and got:
            out.append(Violation(0, 0, "served and unserved", v))
        elif v not in skipped and len(got) != n:
            out.append(Violation(0, 0, "not served", f"visit {v}: {len(got)} of {n} carers"))
        elif n == 2 and len(got) == 2:
            if got[0][0] == got[1][0]:
                out.append(Violation(0, 0, "double-handed", f"visit {v}: the same carer twice"))
            if abs(got[0][1] - got[1][1]) > tol:
                out.append(Violation(0, 0, "double-handed", f"visit {v}: carers start apart"))
    out += _check_sequences(visits, served, tol, (same_carer_pairs, started_before, skipped))
    return out


def _check_sequences(
    visits: Any,
    served: dict[str, list[tuple[str, float]]],
    tol: float,
    allowed: tuple[bool, float | None, set[str]],
) -> list[Violation]:
    """Check the rule ``sequence``: each sequential pair whole, in its gap, by two carers.

    ``allowed``: whether one carer may make both, the re-plan's time (before which a visit
    started may be served without its pair, listed unserved) and the visits listed unserved.
    """
    import math

    same_carer, started_before, skipped = allowed

    if "after_visit" not in visits:
        return []
    out: list[Violation] = []

    def cell(value: Any) -> str:
        text = "" if value is None else str(value).strip()
        return "" if text.lower() in ("", "nan", "none", "<na>") else text

    def gap(value: Any, blank: float) -> float:
        return blank if cell(value) == "" else float(value)

    n = len(visits)
    lows = visits["gap_min_minutes"].tolist() if "gap_min_minutes" in visits else [None] * n
    highs = visits["gap_max_minutes"].tolist() if "gap_max_minutes" in visits else [None] * n
    for second, after, lo_cell, hi_cell in zip(
        visits["visit_id"].astype(str), visits["after_visit"], lows, highs, strict=True
    ):
        first = cell(after)
        if not first:
            continue
        a, b = served.get(first, []), served.get(second, [])
        if bool(a) != bool(b):
            half, other = (first, second) if a else (second, first)
            start = (a or b)[0][1]
            if started_before is not None and start < started_before and other in skipped:
                continue  # started before the re-plan: it cannot be undone
            out.append(
                Violation(0, 0, "sequence", f"visit {half} is served but {other}, its pair, is not")
            )
            continue
        if not a:
            continue
        lo, hi = gap(lo_cell, 0.0), gap(hi_cell, math.inf)
        (ca, sa), (cb, sb) = a[0], b[0]
        if not lo - tol <= sb - sa <= hi + tol:
            out.append(
                Violation(
                    0,
                    0,
                    "sequence",
                    f"visit {second} starts {sb - sa:g} min after {first}, outside its gap "
                    f"of {lo:g}-{hi:g} min",
                )
            )
        if ca == cb and not same_carer:
            out.append(
                Violation(0, 0, "sequence", f"visits {first} and {second}: the same carer {ca}")
            )
    return out
