"""An invented home-care day or week: visits for clients and shifts for carers (SYNTHETIC DATA)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from carezones.io import hhmm

__all__ = ["example_day", "example_week"]


def example_day(
    client_points: Any, carer_points: Any, *, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make an illustrative home-care day: visits for the clients, shifts for the carers.

    For demos and benchmarks, not a model of any real service. Each client gets one to four
    visits (morning, lunch, tea, bed calls, with 90-120-minute windows for the start and
    15-60-minute durations); a tenth of the clients need two carers at every visit and a fifth
    need a carer trained to give medication at their morning and bed calls. Carers (half
    trained) work early shifts (07:00-15:00, 30-minute break between 11:00 and 13:30), late
    shifts (14:30-22:30, 20-minute break between 17:00 and 19:00) or split shifts
    (07:00-12:00 and 16:30-22:00, two rows).

    Parameters
    ----------
    client_points : array_like
        (lon, lat) of each client, shape (n, 2).
    carer_points : array_like
        (lon, lat) of each carer's home, shape (m, 2).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    visits : pandas.DataFrame
        The visits, in the layout :func:`carezones.read_visits` reads.
    carers : pandas.DataFrame
        The carers' shifts, in the layout :func:`carezones.read_carers` reads (a split shift
        is two rows).

    Examples
    --------
    >>> visits, carers = example_day([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3)
    >>> visits[["client_id", "window_start", "window_end", "duration_minutes"]]
      client_id window_start window_end  duration_minutes
    0     C0001        07:00      09:00                45
    1     C0001        11:30      13:00                30
    2     C0001        19:30      21:00                45
    3     C0002        08:30      10:30                30
    4     C0002        19:15      20:45                30
    >>> carers[["carer_id", "shift_start", "shift_end"]]
      carer_id shift_start shift_end
    0     K001       07:00     15:00
    1     K002       14:30     22:30
    2     K003       07:00     12:00
    3     K003       16:30     22:00
    """
    rng = np.random.default_rng(seed)
    cp, kp = np.asarray(client_points, float), np.asarray(carer_points, float)
    slots = {  # earliest and latest window start (minutes), window width, durations, weights
        "morning": (420, 570, 120, [30, 45, 60], [0.7, 0.25, 0.05]),
        "lunch": (690, 810, 90, [15, 30], [0.4, 0.6]),
        "tea": (930, 1050, 90, [15, 30], [0.5, 0.5]),
        "bed": (1110, 1230, 90, [30, 45], [0.7, 0.3]),
    }
    packages = [
        ["morning"],
        ["morning", "bed"],
        ["morning", "lunch", "bed"],
        ["morning", "lunch", "tea", "bed"],
    ]
    rows: list[dict[str, Any]] = []
    for i, (lon, lat) in enumerate(cp):
        pkg = packages[rng.choice(4, p=[0.3, 0.3, 0.25, 0.15])]
        double = rng.random() < 0.10
        meds = rng.random() < 0.20
        for slot in pkg:
            lo, hi, width, durs, w = slots[slot]
            start = int(rng.integers(lo // 15, hi // 15 + 1)) * 15
            rows.append(
                {
                    "visit_id": f"V{len(rows) + 1:04d}",
                    "client_id": f"C{i + 1:04d}",
                    "lat": lat,
                    "lon": lon,
                    "window_start": hhmm(start),
                    "window_end": hhmm(start + width),
                    "duration_minutes": int(rng.choice(durs, p=w)),
                    "carers_required": 2 if double else 1,
                    "skills": "medication" if meds and slot in ("morning", "bed") else "",
                }
            )
    visits = pd.DataFrame(rows)
    carers = []
    kinds = ["early"] * round(len(kp) * 0.36) + ["late"] * round(len(kp) * 0.24)
    kinds += ["split"] * (len(kp) - len(kinds))
    for i, (lon, lat) in enumerate(kp):
        base = {
            "carer_id": f"K{i + 1:03d}",
            "lat": lat,
            "lon": lon,
            "skills": "medication" if i % 2 == 0 else "",
        }
        kind = kinds[i]
        if kind == "early":
            carers.append(
                {
                    **base,
                    "shift_start": "07:00",
                    "shift_end": "15:00",
                    "break_minutes": 30,
                    "break_window_start": "11:00",
                    "break_window_end": "13:30",
                }
            )
        elif kind == "late":
            carers.append(
                {
                    **base,
                    "shift_start": "14:30",
                    "shift_end": "22:30",
                    "break_minutes": 20,
                    "break_window_start": "17:00",
                    "break_window_end": "19:00",
                }
            )
        else:
            carers.append({**base, "shift_start": "07:00", "shift_end": "12:00"})
            carers.append({**base, "shift_start": "16:30", "shift_end": "22:00"})
    return visits, pd.DataFrame(carers)


def example_week(
    client_points: Any,
    carer_points: Any,
    *,
    days: int = 7,
    start: str = "2026-12-07",
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Make an illustrative week of home care: the same clients and carers day after day.

    For demos and benchmarks, not a model of any real service. Each client has a package of
    calls (morning; morning and bed; morning, lunch and bed; or all four, as in
    :func:`example_day`) at the same times every day it is visited: three clients in five
    every day, the others on three days a week. A tenth need two carers, a fifth need a
    medication-trained carer at their morning and bed calls. Each carer (half trained) works
    five days in seven with two days off in a row (staggered across the team), always the
    same kind of shift: early, late or split (two rows a day), as in :func:`example_day`.

    Parameters
    ----------
    client_points, carer_points : array_like
        (lon, lat) of each client and of each carer's home, shapes (n, 2) and (m, 2).
    days : int, default 7
        How many days, from ``start``.
    start : str, default "2026-12-07"
        The first day (a date, ``YYYY-MM-DD``).
    seed : int, default 0
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    visits : pandas.DataFrame
        The visits, a raw table in the CSV layout read by :func:`carezones.rounds.read_visits`
        with a ``day`` column (the date). Visit ids are unique across the week.
    carers : pandas.DataFrame
        The carers' shifts, a raw table in the CSV layout read by
        :func:`carezones.rounds.read_carers`, with a ``day`` column.

    Examples
    --------
    >>> visits, carers = example_week([(1.59, 54.39), (1.56, 54.39)], [(1.57, 54.39)] * 3,
    ...                               days=2)
    >>> visits[["day", "visit_id", "client_id", "window_start"]].head(3)
              day visit_id client_id window_start
    0  2026-12-07   V00001     C0001        07:00
    1  2026-12-07   V00002     C0001        11:30
    2  2026-12-07   V00003     C0001        19:30
    >>> sorted(set(carers["day"]))
    ['2026-12-07', '2026-12-08']
    """
    import datetime as dt

    rng = np.random.default_rng(seed)
    cp, kp = np.asarray(client_points, float), np.asarray(carer_points, float)
    first = dt.date.fromisoformat(start)
    dates = [(first + dt.timedelta(days=k)).isoformat() for k in range(days)]
    day_visits, day_carers = example_day(cp, kp, seed=seed)  # each client's package and times
    on = {f"C{i + 1:04d}": np.ones(days, dtype=bool) for i in range(len(cp))}
    for i in range(len(cp)):
        if rng.random() < 0.4:  # three days a week, spread out
            k0 = int(rng.integers(0, 7))
            on[f"C{i + 1:04d}"] = np.isin((np.arange(days) - k0) % 7, [0, 2, 4])
    visits = []
    for k, date in enumerate(dates):
        v = day_visits[[on[c][k] for c in day_visits["client_id"]]].copy()
        v.insert(0, "day", date)
        visits.append(v)
    week = pd.concat(visits, ignore_index=True)
    week["visit_id"] = [f"V{i + 1:05d}" for i in range(len(week))]
    carers = []
    ids = list(dict.fromkeys(day_carers["carer_id"]))
    for n, cid in enumerate(ids):
        off = {(n * 3) % 7, (n * 3 + 1) % 7}  # two days off in a row, staggered
        rows = day_carers[day_carers["carer_id"] == cid]
        for k, date in enumerate(dates):
            if k % 7 not in off:
                c = rows.copy()
                c.insert(0, "day", date)
                carers.append(c)
    return week, pd.concat(carers, ignore_index=True)
