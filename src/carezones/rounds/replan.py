"""Re-planning on the day: a carer calls in sick at 06:30, and the day is planned again.

:func:`replan_rounds` works in four steps:

1. **What is fixed.** Every stop of the earlier plan that started before ``now`` (a visit under
   way or done, a break begun) stays as it was, re-timed exactly from its recorded start (so a
   plan read back from ``itineraries.csv``, rounded to the minute, still keeps every rule).
2. **The rest of the day** is a day of its own: each carer starts where their last fixed stop
   ends (or at home), no earlier than ``now``, with their break still to take and what is left
   of their working time; absent carers do not work (one who fell ill during the round goes
   home after the last fixed stop). A visit no longer starts before ``now``, nor more than 15
   minutes before the time it was planned for.
3. **As little change as possible.** The same model as a fresh plan, started from the earlier
   rounds, with one more weight: ``change_minutes``, the travel the plan would rather add than
   give a visit to another carer. The absent carers' visits go wherever they fit best.
4. **The day put back together**: fixed stops, then the new rest of each round; every rule is
   checked by the independent checker as for any plan. :func:`compare_rounds` lists what
   changed (a visit that moved carer or more than 15 minutes is *moved*), and the visits that
   cannot be covered are listed with the reason.
"""

from __future__ import annotations

import time as _time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError
from carezones.io.visits import hhmm, parse_hhmm
from carezones.rounds.late import late_limits, with_late_limits
from carezones.rounds.model import team_halves
from carezones.rounds.options import RoundsOptions
from carezones.rounds.pairs import gap_text, pairs_from_tables
from carezones.rounds.reasons import Cause, Reason
from carezones.rounds.result import Rounds
from carezones.rounds.schedule import Day, Routes, Stop, round_times, simulate
from carezones.rounds.search import DayData, build_rounds, one_day, solve_day, travel_minutes
from carezones.rounds.tables import itinerary_rows, shift_numbers, stop_points

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]

MOVED_MINUTES = 15  # a visit whose start moves by more than this has moved
NO_CARER_LEFT = Reason(Cause.NO_CARER_LEFT, "no carer is working for the rest of the day")

__all__ = ["MOVED_MINUTES", "compare_rounds", "earlier_plan", "replan_rounds"]


def earlier_plan(fixed: Rounds | pd.DataFrame | None, day: str = "") -> pd.DataFrame:
    """Return the earlier plan's stops: from a :class:`Rounds`, or an itineraries table.

    Times may be minutes after midnight or ``HH:MM`` text (as in ``itineraries.csv``). A table
    with a ``day`` column (a week's) is cut to ``day``.

    Returns
    -------
    DataFrame
        ``carer_id, shift, seq, kind, visit_id, start, end`` (times in minutes), in order.
    """
    if fixed is None:
        return pd.DataFrame(
            columns=["carer_id", "shift", "seq", "kind", "visit_id", "start", "end"]
        )
    it = fixed.itineraries if hasattr(fixed, "itineraries") else pd.DataFrame(fixed)
    need = ["carer_id", "shift", "seq", "kind", "visit_id", "start", "end"]
    missing = [c for c in need if c not in it]
    if missing:
        raise ArgumentError(
            f"the earlier plan must be a Rounds or its itineraries; missing {missing}"
        )
    if "day" in it and it["day"].nunique() > 1:
        if not day:
            raise ArgumentError(
                "the earlier plan spans several days: give the visits of one "
                "day (with its day column) to re-plan that day"
            )
        it = it[it["day"].astype(str) == day]
    it = it[need].copy()
    for col in ("start", "end"):
        if not pd.api.types.is_numeric_dtype(it[col]):
            it[col] = [parse_hhmm(v) if isinstance(v, str) else v for v in it[col]]
            it[col] = it[col].astype(float)
    it["carer_id"] = it["carer_id"].astype(str)
    it["visit_id"] = it["visit_id"].fillna("").astype(str)
    return it.sort_values(["carer_id", "shift", "seq"], kind="stable").reset_index(drop=True)


def _now(now: Any) -> float:
    """``now`` in minutes after midnight (``None``: the start of the day)."""
    if now is None:
        return -np.inf
    if isinstance(now, str):
        t = parse_hhmm(now)
        if t is None:
            raise ArgumentError(f"now must be a time of day such as '06:30', not {now!r}")
        return float(t)
    if isinstance(now, bool) or not isinstance(now, int | float) or not 0 <= now <= 1440:
        raise ArgumentError(f"now must be a time of day such as '06:30', not {now!r}")
    return float(now)


def _absent(unavailable: Any, carers: pd.DataFrame) -> set[str]:
    """Return the unavailable carers' ids, each checked against the carers table."""
    if unavailable is None:
        return set()
    ids = {unavailable} if isinstance(unavailable, str) else set(map(str, unavailable))
    unknown = sorted(ids - set(carers["carer_id"].astype(str)))
    if unknown:
        raise ArgumentError(
            f"unavailable carer(s) {', '.join(unknown)} are not among the carers' shifts of the day"
        )
    return ids


def replan_rounds(
    earlier: Rounds | pd.DataFrame,
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    unavailable: str | Sequence[str] = (),
    now: str | float | None = None,
    minutes: FloatArray | None = None,
    options: RoundsOptions | None = None,
) -> Rounds:
    """Plan the rest of a day again around what has started (see the module's notes).

    Parameters
    ----------
    earlier : Rounds or DataFrame
        The day's earlier plan: a :class:`~carezones.rounds.Rounds`, or its itineraries as
        read by :func:`~carezones.io.read_itineraries`. Visits it started before ``now`` stay
        as they are; the rest is planned again, changing as little as possible.
    visits, carers : DataFrame
        The day (as for :func:`~carezones.rounds.plan_rounds`): the same visits and carers'
        shifts the earlier plan was made for.
    network : RoadNetwork, optional
        The drive network (travel minutes, the legs along the roads).
    unavailable : str or list of str
        Carers who cannot work (a carer calling in sick): their visits not yet started are
        given to others.
    now : str or float, optional
        The time of the re-plan (``"06:30"`` or minutes after midnight); nothing starts
        before it. Default: the start of the day (nothing is fixed).
    minutes : array, optional
        Instead of a network: minutes between the carers' homes (first) and the visits.
    options : RoundsOptions, optional
        The search and its weights; ``change_minutes`` is the travel the plan would rather
        add than give a visit to another carer.

    Returns
    -------
    Rounds
        The whole day, with :attr:`Rounds.changes` (each visit whose carer or start changed)
        and ``kpis["replan"]``.

    Raises
    ------
    ArgumentError
        When ``now`` is not a time of day, an unavailable carer is not among the day's
        shifts, or the earlier plan has shifts the carers table does not.

    Examples
    --------
    K001 calls in sick at ten o'clock; what has started stays:

    >>> from carezones import RoundsOptions, replan_rounds
    >>> later = replan_rounds(rounds, rounds.visits, rounds.carers, net, now="10:00",
    ...                       unavailable=["K001"], options=RoundsOptions(iterations=200))
    >>> print(later.summary().splitlines()[1])  # doctest: +NORMALIZE_WHITESPACE
    re-planned at 10:00 without K001: 6 visits already started kept, 2 moved (another carer or
    more than 15 minutes), 4 not covered (see unserved)
    """
    t0 = _time.perf_counter()
    opts = RoundsOptions() if options is None else options
    if not isinstance(opts, RoundsOptions):
        raise ArgumentError(f"options must be a RoundsOptions, not {type(opts).__name__}")
    visits, carers = one_day(visits, carers)
    if len(carers) == 0:
        raise ArgumentError("there are no carers' shifts: give at least one (read_carers)")
    T = travel_minutes(visits, carers, network, minutes)
    return _replan(DayData(visits, carers, network, T), opts, earlier, unavailable, now, t0)


def _replan(
    day_data: DayData,
    opts: RoundsOptions,
    fixed: Rounds | pd.DataFrame,
    unavailable: str | Sequence[str],
    now: str | float | None,
    t0: float,
) -> Rounds:
    """Re-plan the day (the body of :func:`replan_rounds`, its inputs checked)."""
    visits = with_late_limits(day_data.visits, opts.max_late_minutes)
    carers, network, T = day_data.carers, day_data.network, day_data.T
    change_minutes = opts.change_minutes
    t_now = _now(now)
    absent = _absent(unavailable, carers)
    day = str(visits["day"].iat[0]) if "day" in visits and len(visits) else ""
    before = earlier_plan(fixed, day)
    halves = team_halves(carers["carer_id"].astype(str))
    n_c, n_v = len(carers), len(visits)
    vrow = {str(v): j for j, v in enumerate(visits["visit_id"].astype(str))}
    gone, new = _renamed(before, vrow)
    crow = {
        (str(c), int(s)): i
        for i, (c, s) in enumerate(
            zip(carers["carer_id"].astype(str), shift_numbers(carers), strict=True)
        )
    }
    unknown = sorted(
        {
            f"{c} (shift {s})"
            for c, s in zip(before["carer_id"], before["shift"], strict=True)
            if (c, int(s)) not in crow
        }
    )
    if unknown:
        raise ArgumentError(
            f"the earlier plan has shifts the carers table does not: "
            f"{', '.join(unknown[:5])}; give the same carers file"
        )
    d_full = Day.from_tables(visits, carers, T)
    frozen, last, brk_taken = _frozen(before, t_now, vrow, crow, d_full)
    # the carers of the rest of the day: present carers with time left
    keep_out = [
        c for c in range(n_c) if str(carers["carer_id"].iat[c]) not in absent or c in frozen
    ]
    out_of = {c: i for i, c in enumerate(keep_out)}
    carers_out = carers.iloc[keep_out].reset_index(drop=True).copy()
    for c in keep_out:
        if str(carers["carer_id"].iat[c]) in absent:  # off sick after the fixed stops
            carers_out.loc[
                out_of[c], ["break_minutes", "break_window_start", "break_window_end"]
            ] = np.nan
    working = [c for c in keep_out if str(carers["carer_id"].iat[c]) not in absent]
    done = {q[0] for c in frozen for q in frozen[c] if isinstance(q, tuple)}
    todo = [j for j in range(n_v) if j not in done]
    old_start = {}
    old_carers: dict[int, set[str]] = {}
    for rec in before[before["kind"] == "visit"].itertuples():
        j = vrow.get(str(rec.visit_id))
        if j is not None:
            old_start[j] = float(rec.start)
            old_carers.setdefault(j, set()).add(str(rec.carer_id))
    # the rest of the day as a day of its own
    rest_v = visits.iloc[todo].reset_index(drop=True).copy()
    # a visit its carer keeps does not start much earlier than it was planned for (the
    # absent carers' visits go to someone new: any time in their windows will do)
    told = {j: t for j, t in old_start.items() if old_carers.get(j, set()) - absent}
    lo = [
        max(float(visits["window_start"].iat[j]), t_now, told.get(j, -np.inf) - MOVED_MINUTES)
        for j in todo
    ]
    rest_v["window_start"] = lo
    limits, ends = late_limits(visits), visits["window_end"].to_numpy(dtype=float)
    closed = {i: j for i, j in enumerate(todo) if lo[i] > ends[j] + limits[j]}
    rest_v.loc[list(closed), "window_start"] = rest_v.loc[list(closed), "window_end"]
    # a visit that may still start late: its window is now, with the lateness left
    late = [i for i, j in enumerate(todo) if i not in closed and lo[i] > ends[j]]
    if late:
        past = np.array([lo[i] - ends[todo[i]] for i in late])
        rest_v.loc[late, "max_late_minutes"] = rest_v.loc[late, "max_late_minutes"] - past
        rest_v.loc[late, "window_end"] = [lo[i] for i in late]
    rest_c = carers.iloc[working].reset_index(drop=True).copy()
    loc_of = {}  # rest carer row -> where they are (a row of T)
    for i, c in enumerate(working):
        ends = [s.end for s in last.get(c, [])]
        free = max([t_now, float(carers["shift_start"].iat[c]), *ends])
        rest_c.loc[i, "shift_start"] = min(free, float(carers["shift_end"].iat[c]))
        loc_of[i] = last[c][-1].loc if last.get(c) else c
        if brk_taken.get(c):
            rest_c.loc[i, ["break_minutes", "break_window_start", "break_window_end"]] = np.nan
        elif np.isfinite(rest_c.at[i, "break_minutes"]):
            rest_c.loc[i, "break_window_start"] = max(
                float(rest_c.at[i, "break_window_start"]), float(rest_c.at[i, "shift_start"])
            )
        if last.get(c) and np.isfinite(float(carers["max_minutes"].iat[c])):
            worked = float(rest_c.at[i, "shift_start"]) - last[c][0].start
            rest_c.loc[i, "max_minutes"] = max(float(carers["max_minutes"].iat[c]) - worked, 0.0)
    idx = np.r_[[loc_of[i] for i in range(len(working))], [n_c + j for j in todo]].astype(int)
    back = np.r_[working, [n_c + j for j in todo]].astype(int)
    T_rest = T[np.ix_(idx, back)].copy()  # leave from where they are, come back home
    n_r = len(working)
    for i in range(n_r):
        T_rest[i, i] = 0.0
    reasons: dict[int, Reason] = {}
    for i, j in closed.items():
        reasons[i] = Reason(
            Cause.WINDOW_CLOSED,
            f"its window closed at {hhmm(float(visits['window_end'].iat[j]))}, before "
            f"the re-plan at {hhmm(t_now)}",
        )
    if "after_visit" in visits:
        got_pairs = _started_pairs(visits, carers, todo, last, (rest_v, rest_c), opts)
        reasons.update({i: why for i, why in got_pairs.items() if i not in reasons})
    ids = rest_c["carer_id"].astype(str).to_numpy()
    pen = np.zeros((n_r, len(todo)))
    for i, j in enumerate(todo):
        mine = old_carers.get(j, set()) - absent
        if mine and change_minutes > 0:
            pen[:, i] = np.where(np.isin(ids, list(mine)), 0.0, change_minutes)
    start = _start_from(before, t_now, working, todo, visits, carers, halves)
    far = np.zeros(n_r + len(todo), dtype=bool)
    if network is not None:
        snapped = np.asarray(network.snap(stop_points(visits, carers)).far, dtype=bool)
        far[n_r:] = snapped[[n_c + j for j in todo]]
    if n_r:
        got = solve_day(
            DayData(rest_v, rest_c, network, T_rest),
            opts,
            penalties=pen,
            reasons=reasons,
            off_road=far,
            initial=start,
            halves=halves,
        )
        _, rest_plans, _ = simulate(got.d, got.routes, got.breaks)
        why = got.reasons
    else:
        rest_plans = {}
        why = {
            i: reasons.get(
                i, Reason(Cause.NO_CARER_LEFT, "no carer is working for the rest of the day")
            )
            for i in range(len(todo))
        }
    plans = _splice(frozen, last, rest_plans, working, todo, out_of, n_c, len(keep_out), T)
    rows_out = np.r_[keep_out, n_c + np.arange(n_v)].astype(int)
    T_out = T[np.ix_(rows_out, rows_out)]
    _home_times(plans, T_out, len(keep_out), carers_out)
    un = {}
    for i, text in why.items():
        j = todo[i]
        who = old_carers.get(j, set()) & absent
        un[j] = text.after(f"carer {', '.join(sorted(who))} is unavailable; ") if who else text
    itin = itinerary_rows(visits, carers_out, plans, network)
    off = np.zeros(len(keep_out) + n_v, dtype=bool)
    out = build_rounds(
        DayData(visits, carers_out, network, T_out),
        itin,
        un,
        off,
        opts,
        seconds=_time.perf_counter() - t0,
        label=day,
    )
    changes = compare_rounds(before, itin, visits)
    replanned = _replan_kpis(changes, t_now, absent, done, len(un))
    replanned |= {"visits_gone": len(gone), "visits_new": len(new), "gone_visit_ids": gone}
    return replace(out, changes=changes, kpis={**out.kpis, "replan": replanned})


def _started_pairs(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    todo: list[int],
    last: dict[int, list[Stop]],
    rest: tuple[pd.DataFrame, pd.DataFrame],
    opts: RoundsOptions,
) -> dict[int, Reason]:
    """Keep each sequential pair whose other visit has started in sequence with it.

    The visit of the rest of the day (``rest``: its visits and carers, changed in place) is
    planned on its own, its window narrowed to the gap from the start of the visit that
    started; unless one carer may make both, the carer who made that visit is kept from it
    (a skill every other carer of the rest of the day is given). Return, by row of the rest
    of the day, the visits that can no longer keep the gap.
    """
    rest_v, rest_c = rest
    pairs = pairs_from_tables(visits, carers)
    started = {s.copy[0]: (s.start, c) for c, stops in last.items() for s in stops if s.copy}
    vids = visits["visit_id"].astype(str).to_numpy()
    out: dict[int, Reason] = {}
    for i, j in enumerate(todo):
        link, other = pairs.link(j), pairs.partner(j)
        if link is None or other is None or other not in started:
            continue
        t, c = started[other]
        rest_v.loc[i, "after_visit"] = ""  # its pair is no longer planned: it follows a time
        lo, hi = (t + link.lo, t + link.hi) if j == link.second else (t - link.hi, t - link.lo)
        limit = float(rest_v["max_late_minutes"].iat[i]) if "max_late_minutes" in rest_v else 0.0
        ws, close = (
            max(float(rest_v["window_start"].iat[i]), lo),
            float(rest_v["window_end"].iat[i]),
        )
        latest = min(close + limit, hi)
        if ws > latest:
            second, first = (vids[j], vids[other]) if j == link.second else (vids[other], vids[j])
            out[i] = Reason(
                Cause.NOT_IN_SEQUENCE,
                f"{vids[other]} started at {hhmm(t)}, and {second} can no longer start "
                f"{gap_text(link)} {first} inside its window",
            )
            continue
        # its window within the gap, with the lateness left (a start late by its window is
        # still late, up to the gap's end)
        we = max(min(close, latest), ws)
        rest_v.loc[i, ["window_start", "window_end"]] = [ws, we]
        if "max_late_minutes" in rest_v:
            rest_v.loc[i, "max_late_minutes"] = latest - we
        cid = carers["carer_id"].iat[c]
        if not opts.same_carer_pairs and (rest_c["carer_id"] == cid).all():
            out[i] = Reason(
                Cause.NOT_IN_SEQUENCE,
                f"{vids[other]} started, made by {cid}, and no other carer works for the rest "
                "of the day",
            )
        elif not opts.same_carer_pairs:
            mark = f"not {cid} (pair {vids[j]})"
            rest_v["skills"] = [s | {mark} if r == i else s for r, s in enumerate(rest_v["skills"])]
            rest_c["skills"] = [
                s if k == cid else s | {mark}
                for k, s in zip(rest_c["carer_id"], rest_c["skills"], strict=True)
            ]
    return out


def _renamed(before: pd.DataFrame, vrow: dict[str, int]) -> tuple[list[str], list[str]]:
    """Return the earlier plan's visits not among the visits given, and the visits it lacks.

    Refuse a re-plan that shares no visit with the earlier plan: its visits were renamed (or
    are of another day), and "nothing moved" would be false.
    """
    planned = set(before.loc[before["kind"] == "visit", "visit_id"].astype(str)) - {""}
    given = set(vrow)
    gone, new = sorted(planned - given), sorted(given - planned)
    if planned and given and not planned & given:
        raise ArgumentError(
            f"none of the {len(planned)} visits of the earlier plan is among the "
            f"{len(given)} visits given (the plan has {_some(gone)}; the visits given, "
            f"{_some(new)}): the visits were renamed, or are of another day. Give the visits "
            "the earlier plan was made for, with the same visit_id values"
        )
    return gone, new


def _some(ids: list[str], shown: int = 3) -> str:
    """Return a few ids and how many more: ``V1, V2, V3 and 9 more``."""
    more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
    return ", ".join(ids[:shown]) + more


def _frozen(
    before: pd.DataFrame,
    t_now: float,
    vrow: dict[str, int],
    crow: dict[tuple[str, int], int],
    d: Day,
) -> tuple[dict[int, list[Any]], dict[int, list[Stop]], dict[int, bool]]:
    """Each carer row's stops started before ``now``: the copies and their exact times.

    Returns the fixed route per carer row (``(visit row, copy)`` pairs, and ``"break"``), its
    stops (start of the shift, visits, break; no end), and whether the break was taken.
    """
    frozen: dict[int, list[Any]] = {}
    last: dict[int, list[Stop]] = {}
    taken: dict[int, bool] = {}
    copies: dict[int, int] = {}
    routes: dict[int, tuple[list[tuple[int, int]], int | None]] = {}
    forced: dict[tuple[int, int], float] = {}
    for (cid, shift), g in before.groupby(["carer_id", "shift"], sort=False):
        c = crow[(str(cid), int(shift))]
        route: list[tuple[int, int]] = []
        brk = None
        for rec in g.itertuples():
            if not rec.start < t_now or rec.kind not in ("visit", "break"):
                continue
            if rec.kind == "break":
                brk = len(route)
                continue
            j = vrow.get(str(rec.visit_id))
            if j is None:
                continue  # a visit no longer in the day's file
            k = copies.get(j, 0)
            copies[j] = k + 1
            route.append((j, k))
            forced[(j, k)] = float(rec.start)
        if route or brk is not None:
            routes[c] = (route, brk)
    # re-time exactly from the recorded starts (rounded to the minute in a CSV file); the two
    # carers of a double-handed visit start together, at the later of their arrivals
    for _ in range(50):
        starts: dict[tuple[int, int], float] = {}
        for c, (route, brk) in routes.items():
            stops, _ = round_times(d, c, route, brk, forced)
            last[c] = stops[:-1]  # without coming home
            starts.update({s.copy: s.start for s in stops if s.copy is not None})
        late = {q: max(t, starts.get((q[0], 1 - q[1]), t)) for q, t in starts.items()}
        if all(abs(late[q] - t) < 1e-9 for q, t in starts.items()):
            break
        forced.update(late)
    for c, (route, brk) in routes.items():
        frozen[c] = [*route, *(["break"] if brk is not None else [])]
        taken[c] = brk is not None
    return frozen, last, taken


def _start_from(
    before: pd.DataFrame,
    t_now: float,
    working: list[int],
    todo: list[int],
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    halves: dict[str, int],
) -> Routes:
    """Return the earlier plan's rest of each round, to start the search from."""
    where = {str(visits["visit_id"].iat[j]): i for i, j in enumerate(todo)}
    shift_no = shift_numbers(carers)
    routes: Routes = [[] for _ in working]
    taken: set[tuple[int, int]] = set()
    for r, c in enumerate(working):
        cid = str(carers["carer_id"].iat[c])
        g = before[
            (before["carer_id"] == cid)
            & (before["shift"] == shift_no[c])
            & (before["kind"] == "visit")
            & (before["start"] >= t_now)
        ]
        for vid in g["visit_id"]:
            i = where.get(str(vid))
            if i is None:
                continue
            k = halves.get(cid, 0) if int(visits["carers_required"].iat[todo[i]]) == 2 else 0
            if (i, k) in taken:
                k = 1 - k
            if k < int(visits["carers_required"].iat[todo[i]]) and (i, k) not in taken:
                taken.add((i, k))
                routes[r].append((i, k))
    return routes


def _splice(
    frozen: dict[int, list[Any]],
    last: dict[int, list[Stop]],
    rest: dict[int, list[Stop]],
    working: list[int],
    todo: list[int],
    out_of: dict[int, int],
    n_c: int,
    n_out: int,
    T: FloatArray,
) -> dict[int, list[Stop]]:
    """Each output carer row's stops: the fixed ones, then the rest of the day's.

    Locations become rows of the output matrix (the kept carers' homes, then every visit).
    """

    def out_loc(loc: int) -> int:
        return out_of[loc] if loc < n_c else n_out + (loc - n_c)

    plans: dict[int, list[Stop]] = {}
    for c, stops in last.items():
        if c in out_of:
            plans[out_of[c]] = [
                Stop(s.kind, s.copy, out_loc(s.loc), s.arrival, s.start, s.end, s.travel)
                for s in stops
            ]
    n_r = len(working)
    for i, c in enumerate(working):
        o = out_of[c]
        here = plans[o][-1].loc if plans.get(o) else o
        if not rest.get(i):
            continue
        new: list[Stop] = []
        for s in rest[i]:
            if s.kind == "start" and o in plans:
                continue
            if s.copy is not None:
                j = todo[s.copy[0]]
                copy = (j, s.copy[1])
                loc = n_out + j
            else:
                copy, loc = None, (here if s.kind == "break" else o)
            new.append(Stop(s.kind, copy, loc, s.arrival, s.start, s.end, s.travel))
            if s.kind == "visit":
                here = loc
        plans.setdefault(o, []).extend(new)
    del n_r, T, frozen
    return plans


def _home_times(
    plans: dict[int, list[Stop]], T: FloatArray, n_out: int, carers: pd.DataFrame
) -> None:
    """Finish every round at home: the last leg's travel from where the carer really is."""
    for o, stops in plans.items():
        if stops[-1].kind != "end":
            prev = stops[-1]
            leg = float(T[prev.loc, o]) if prev.loc != o else 0.0
            t = prev.end + leg
            stops.append(Stop("end", None, o, t, t, t, leg))
            if t > float(carers["shift_end"].iat[o]):  # an absent carer going home
                carers.loc[o, "shift_end"] = t
            continue
        prev = next((s for s in reversed(stops[:-1]) if s.kind != "break"), stops[0])
        where = next((s.loc for s in reversed(stops[:-1]) if s.kind == "visit"), o)
        leg = float(T[where, o]) if where != o else 0.0
        t = stops[-2].end + leg
        stops[-1] = Stop("end", None, o, t, t, t, leg)
        for s in stops:
            if s.kind == "break":
                s.loc = next(
                    (
                        x.loc
                        for x in reversed(stops[: stops.index(s)])
                        if x.kind in ("visit", "start")
                    ),
                    o,
                )
        del prev


def compare_rounds(
    before: Rounds | pd.DataFrame, after: Rounds | pd.DataFrame, visits: pd.DataFrame
) -> pd.DataFrame:
    """Return what changed for each visit between two plans of a day.

    Parameters
    ----------
    before, after : Rounds or DataFrame
        Two plans (or their itineraries; times in minutes or ``HH:MM``).
    visits : DataFrame
        The day's visits.

    Returns
    -------
    DataFrame
        One row per visit whose carers or start changed, or that is served in only one of the
        plans: ``visit_id, client_id, carers_before, carers_after, start_before,
        start_after, minutes_later, moved`` (``moved``: another carer, or more than 15
        minutes earlier or later; a visit no longer served is not counted as moved).

    Examples
    --------
    The day re-planned at ten o'clock without carer K001:

    >>> from carezones import RoundsOptions
    >>> from carezones.rounds import compare_rounds
    >>> later = replan_rounds(rounds, rounds.visits, rounds.carers, net, now="10:00",
    ...                       unavailable=["K001"], options=RoundsOptions(iterations=200))
    >>> changed = compare_rounds(rounds, later, rounds.visits)
    >>> changed[["visit_id", "carers_before", "carers_after", "moved"]].head(2)
      visit_id carers_before carers_after  moved
    0    V0002          K001               False
    1    V0006          K001         K003   True
    """
    a, b = earlier_plan(before), earlier_plan(after)

    def who(it: pd.DataFrame) -> dict[str, tuple[str, float]]:
        v = it[it["kind"] == "visit"]
        out: dict[str, tuple[str, float]] = {}
        for vid, g in v.groupby("visit_id", sort=False):
            out[str(vid)] = (";".join(sorted(g["carer_id"].astype(str))), float(g["start"].min()))
        return out

    wa, wb = who(a), who(b)
    rows = []
    for vid, client in zip(visits["visit_id"].astype(str), visits["client_id"], strict=True):
        x, y = wa.get(vid), wb.get(vid)
        if x == y or (x and y and x[0] == y[0] and abs(x[1] - y[1]) < 0.5):
            continue
        late = (y[1] - x[1]) if x and y else np.nan
        moved = bool(x and y and (x[0] != y[0] or abs(late) > MOVED_MINUTES))
        rows.append(
            {
                "visit_id": vid,
                "client_id": client,
                "carers_before": x[0] if x else "",
                "carers_after": y[0] if y else "",
                "start_before": hhmm(x[1]) if x else "",
                "start_after": hhmm(y[1]) if y else "",
                "minutes_later": round(float(late), 1) if x and y else np.nan,
                "moved": moved,
            }
        )
    cols = [
        "visit_id",
        "client_id",
        "carers_before",
        "carers_after",
        "start_before",
        "start_after",
        "minutes_later",
        "moved",
    ]
    out = pd.DataFrame(rows, columns=cols)
    out["moved"] = out["moved"].astype(bool)
    return out


def _replan_kpis(
    changes: pd.DataFrame, t_now: float, absent: set[str], done: set[int], uncovered: int
) -> dict[str, Any]:
    """Return what the re-plan did, in numbers."""
    moved = changes[changes["moved"].astype(bool)]
    served_before = changes["carers_before"] != ""
    return {
        "now": hhmm(t_now) if np.isfinite(t_now) else None,
        "unavailable": sorted(absent),
        "visits_fixed": len(done),
        "visits_moved": len(moved),
        "visits_moved_carer": int((moved["carers_before"] != moved["carers_after"]).sum()),
        "visits_no_longer_served": int((served_before & (changes["carers_after"] == "")).sum()),
        "visits_unserved": uncovered,
    }
