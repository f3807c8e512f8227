"""The carers a zone needs: the size of its team and their shifts, from its day's work.

Every design being compared gets the same rule (:class:`TeamRule`), so that what differs
between designs is the design alone. For one zone (or one provider) and one day:

1. **Work per slot of the day.** Each visit's care (its minutes times the carers it needs)
   plus an estimate of the travel into it: the road minutes from its place to the nearest other
   place of the zone's visits, times ``travel_factor`` (an assumption: rounds rarely go from
   each visit to its nearest neighbour; 1.5 allows for that). Visits fall in the slot (morning,
   lunch, tea, bed) whose window their window opens in.
2. **Carers per slot**: the slot's work over the minutes one carer has in it (the slot's span
   from the first window opening to the last call ending) times ``utilisation``, the share of a
   carer's time spent caring and travelling (an assumption: 0.8, the rest being waiting, which
   windows cause). At least two where a slot holds a double-handed visit.
3. **Shifts**: early shifts (07:00-14:00) cover the morning and lunch slots; split shifts
   (07:00-10:30 and 17:00-21:30) the morning peak beyond what early shifts cover, and the
   evening; late shifts (15:30-22:00) cover tea and bed beyond the split shifts. Shifts of
   more than six hours get a break (the Working Time Regulations 1998, regulation 12: 20
   minutes when the working day is longer than six hours; 30 minutes here, within a window).
4. **Homes**: each carer's home is drawn (seeded) from the residential buildings inside the
   zone (OSM buildings when the file has them), else from its road junctions; or the homes are
   taken from a carers file instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from carezones.errors import ArgumentError, check_integer, check_number

__all__ = ["Shift", "TeamRule", "size_team", "team_shifts"]


@dataclass(frozen=True)
class Shift:
    """A kind of shift: its parts (start, end as ``HH:MM``) and its break, if any.

    Parameters
    ----------
    name : str
        ``early``, ``late``, ``split``, ...
    parts : tuple of (str, str)
        The shift's parts, start and end as ``HH:MM`` (a split shift has two).
    break_minutes : float, default 0.0
        The break's length.
    break_window : tuple of (str, str), optional
        When the break may be taken (``None``: no break).

    Examples
    --------
    >>> Shift("twilight", (("18:00", "22:00"),)).break_window is None
    True
    >>> TeamRule().split.parts
    (('07:00', '10:30'), ('17:00', '21:30'))
    """

    name: str
    parts: tuple[tuple[str, str], ...]
    break_minutes: float = 0.0
    break_window: tuple[str, str] | None = None


EARLY = Shift("early", (("07:00", "14:00"),), 30.0, ("10:30", "12:30"))
LATE = Shift("late", (("15:30", "22:00"),), 30.0, ("17:30", "19:30"))
SPLIT = Shift("split", (("07:00", "10:30"), ("17:00", "21:30")))


@dataclass(frozen=True)
class TeamRule:
    """How a team is sized from a day's visits (sources and assumptions in the module docstring).

    Parameters
    ----------
    utilisation : float, default 0.8
        Share of a carer's time in a slot spent caring and travelling.
    travel_factor : float, default 1.5
        Travel into a visit, as a multiple of the minutes from its nearest neighbour.
    early, late, split : Shift, optional
        The three kinds of shift (07:00-14:00, 15:30-22:00, and 07:00-10:30 with
        17:00-21:30).

    Raises
    ------
    ArgumentError
        When ``utilisation`` is not above 0 and at most 1, or ``travel_factor`` is negative.

    Examples
    --------
    >>> TeamRule(utilisation=0.7).early.parts
    (('07:00', '14:00'),)
    >>> TeamRule(utilisation=1.5)
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: utilisation must be a number > 0 and <= 1, not 1.5
    """

    utilisation: float = 0.8
    travel_factor: float = 1.5
    early: Shift = EARLY
    late: Shift = LATE
    split: Shift = SPLIT

    def __post_init__(self) -> None:
        check_number("utilisation", self.utilisation, minimum=0, maximum=1, above=True)
        check_number("travel_factor", self.travel_factor, minimum=0)


def size_team(
    visits: pd.DataFrame, nearest_minutes: Any, rule: TeamRule | None = None
) -> dict[str, int]:
    """Return how many early, split and late shifts a day's visits need.

    Parameters
    ----------
    visits : pandas.DataFrame
        From :func:`carezones.read_visits` (times in minutes after midnight).
    nearest_minutes : array-like
        Per visit, road minutes from its place to the nearest other place of these visits
        (0 where there is none).
    rule : TeamRule, optional
        The sizing rule.

    Returns
    -------
    dict
        ``{"early": e, "split": s, "late": l}`` and ``"carers"`` (their sum, one person each).

    Examples
    --------
    >>> import pandas as pd
    >>> day = pd.DataFrame({"window_start": [420.0, 1140.0], "window_end": [540.0, 1260.0],
    ...                     "duration_minutes": [30.0, 30.0], "carers_required": [2, 1]})
    >>> size_team(day, [5.0, 5.0])
    {'early': 0, 'split': 2, 'late': 0, 'carers': 2}
    """
    rule = rule or TeamRule()
    if len(visits) == 0:
        return {"early": 0, "split": 0, "late": 0, "carers": 0}
    near = np.nan_to_num(np.asarray(nearest_minutes, dtype=float), posinf=60.0)
    need = {}
    for slot, (lo, hi) in SLOTS.items():
        ws = visits["window_start"].to_numpy(dtype=float)
        inside = (ws >= lo) & (ws < hi)
        if not inside.any():
            need[slot] = 0
            continue
        v = visits[inside]
        req = v["carers_required"].to_numpy(dtype=float)
        dur = v["duration_minutes"].to_numpy(dtype=float)
        work = float((req * (dur + rule.travel_factor * near[inside])).sum())
        span = float((v["window_end"] + v["duration_minutes"]).max() - v["window_start"].min())
        n = math.ceil(work / max(span * rule.utilisation, 1.0))
        need[slot] = max(n, 2 if (req >= 2).any() else 1)
    early = need["lunch"]
    split = max(need["morning"] - early, 0)
    late = max(need["tea"], need["bed"] - split, 0)
    return {"early": early, "split": split, "late": late, "carers": early + split + late}


# the slots' windows open in these spans (minutes after midnight): CarePattern's slots
SLOTS = {"morning": (0, 660), "lunch": (660, 900), "tea": (900, 1110), "bed": (1110, 1440)}


def team_shifts(
    counts: dict[str, int],
    homes: Any,
    *,
    prefix: str = "K",
    rule: TeamRule | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Return the team's shifts in the layout :func:`carezones.read_carers` reads.

    Parameters
    ----------
    counts : dict
        From :func:`size_team`: early, split and late shifts.
    homes : array-like
        Candidate homes, ``(n, 2)`` lon/lat (residential buildings or junctions of the zone);
        each carer's home is drawn from them (seeded), without repeats while there are enough.
    prefix : str, default "K"
        Carer ids are ``<prefix>001``, ``<prefix>002``, ...
    rule : TeamRule, optional
        The shifts' hours.
    seed : int, default 0
        Seed of the draw of homes.

    Returns
    -------
    pandas.DataFrame
        ``carer_id, lat, lon, shift_start, shift_end, break_minutes, break_window_start,
        break_window_end, skills`` and ``shift_kind``; a split shift is two rows with the same
        ``carer_id``.

    Raises
    ------
    ArgumentError
        When there are shifts but no candidate homes, or ``seed`` is not valid.

    Examples
    --------
    >>> shifts = team_shifts({"early": 1, "split": 1}, [(1.59, 54.39), (1.56, 54.39)])
    >>> shifts[["carer_id", "shift_start", "shift_end", "shift_kind"]]
      carer_id shift_start shift_end shift_kind
    0     K001       07:00     14:00      early
    1     K002       07:00     10:30      split
    2     K002       17:00     21:30      split
    """
    rule = rule or TeamRule()
    seed = check_integer("seed", seed, minimum=0)
    pts = np.asarray(homes, dtype=float).reshape(-1, 2)
    total = sum(counts.get(k, 0) for k in ("early", "split", "late"))
    if total and not len(pts):
        raise ArgumentError("no candidate homes for the carers: give buildings or junctions")
    rng = np.random.default_rng(seed)
    pick = rng.permutation(len(pts)) if len(pts) >= total else rng.integers(0, len(pts), total)
    rows: list[dict[str, Any]] = []
    k = 0
    for kind in ("early", "split", "late"):
        shift: Shift = getattr(rule, kind)
        for _ in range(counts.get(kind, 0)):
            lon, lat = pts[pick[k]]
            k += 1
            for a, b in shift.parts:
                brk = shift.break_window
                rows.append(
                    {
                        "carer_id": f"{prefix}{k:03d}",
                        "lat": lat,
                        "lon": lon,
                        "shift_start": a,
                        "shift_end": b,
                        "break_minutes": shift.break_minutes if brk else None,
                        "break_window_start": brk[0] if brk else None,
                        "break_window_end": brk[1] if brk else None,
                        "skills": "",
                        "shift_kind": kind,
                    }
                )
    columns = [
        "carer_id",
        "lat",
        "lon",
        "shift_start",
        "shift_end",
        "break_minutes",
        "break_window_start",
        "break_window_end",
        "skills",
        "shift_kind",
    ]
    return pd.DataFrame(rows, columns=columns)
