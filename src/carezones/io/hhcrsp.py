"""The home healthcare routing and scheduling benchmark (HHCRSP): instances and solutions.

The benchmark of Mankowska, Meisel and Bierwirth (2014), Kummer et al. and Ceschia, Di Gaspero,
Rosati and Schaerf (2024) comes in one JSON format: ``patients`` (each a window for the start
of its care, one or two caregivers each giving a ``service`` for a ``duration`` and, for two, a
``synchronization``: ``simultaneous``, or ``sequential`` with a ``distance`` ``[min, max]``
between the two starts), ``services``, ``caregivers`` (their ``abilities``), one
``central_offices`` entry and ``distances``: the full travel matrix, the office first and then
the patients in the file's order. A window's opening is hard, its closing soft (starting later
costs tardiness); the objective is (travel + total tardiness + maximum tardiness) / 3.

:func:`read_hhcrsp` reads and checks an instance in one pass (every problem at once, each with
the patient or caregiver it concerns and the fix) into an :class:`HhcrspInstance`: the visits
and carers as the planning tables of :func:`~carezones.io.read_visits` and
:func:`~carezones.io.read_carers`, and the travel matrix. :func:`hhcrsp_solution` turns
caregivers' routes into the solution the authors' validator reads;
:func:`carezones.report.hhcrsp.write_hhcrsp_solution` writes it.

Times are in the file's unit, which the benchmark treats as minutes from the start of the
day's horizon (``0``: when the caregivers may leave the office), and its distances are also
travel minutes.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.errors import ArgumentError, Problems
from carezones.io._cells import PathLike
from carezones.io._limits import MAX_FILE_BYTES, megabytes
from carezones.io.visits import VISIT_COLUMNS

__all__ = [
    "HHCRSP_CARER_COLUMNS",
    "HHCRSP_VISIT_COLUMNS",
    "SYNC_TYPES",
    "HhcrspInstance",
    "HhcrspRoutes",
    "hhcrsp_solution",
    "read_hhcrsp",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SYNC_TYPES = ("simultaneous", "sequential")
"""How the two caregivers of a patient are synchronised: together, or one after the other."""

HHCRSP_VISIT_COLUMNS = [
    *VISIT_COLUMNS,
    "preferred_carers",
    "max_late_minutes",
    "service",
    "location",
    "sync",
    "partner_id",
    "pair_order",
    "after_visit",
    "gap_min_minutes",
    "gap_max_minutes",
    "source_row",
    "geometry",
]
"""The columns of :attr:`HhcrspInstance.visits`: the planning table's, then the benchmark's."""

HHCRSP_CARER_COLUMNS = [
    "carer_id",
    "lat",
    "lon",
    "shift_start",
    "shift_end",
    "skills",
    "break_minutes",
    "break_window_start",
    "break_window_end",
    "max_minutes",
    "source_row",
    "geometry",
]
"""The columns of :attr:`HhcrspInstance.carers`, as :func:`~carezones.io.read_carers` returns."""

_SECTIONS = ("patients", "services", "caregivers", "central_offices", "distances")
_FORMAT = (
    "give an instance in the HHCRSP JSON format (patients, services, caregivers, "
    "central_offices, distances), e.g. from the benchmark's mankowska/ or kummer/ folder"
)


@dataclass(frozen=True, eq=False)
class HhcrspInstance:
    """An HHCRSP instance as carezones' planning tables and the benchmark's travel matrix.

    Parameters
    ----------
    name : str
        The instance's name (its file name without ``.json``).
    visits : geopandas.GeoDataFrame
        One row per (patient, service) the patients require, patients in the file's order
        (columns :data:`HHCRSP_VISIT_COLUMNS`): ``visit_id`` is ``patient/service``,
        ``client_id`` the patient, ``window_start``/``window_end`` the window for the start of
        care (its end soft: ``max_late_minutes`` is infinite), ``duration_minutes`` the
        service's duration at that patient, ``carers_required`` 1 and ``skills`` the service
        alone. The two visits of a two-caregiver patient name each other in ``partner_id``;
        ``sync`` is ``simultaneous`` or ``sequential`` (``""`` alone), ``pair_order`` 0 for the
        first and 1 for the second (-1 alone), and the second starts between
        ``gap_min_minutes`` and ``gap_max_minutes`` after the first (both 0 for simultaneous
        visits; NaN alone; given on both visits). The second also names the first in
        ``after_visit`` (``""`` on every other visit): the sequential pair as
        :func:`~carezones.io.read_visits` reads it and ``plan_rounds`` plans it.
        ``location`` is the visit's row of ``travel``; ``source_row`` the patient's position
        in the file (from 1). ``lat``/``lon`` are NaN: ``geometry`` holds
        the file's ``location`` pair as it is, with no CRS (Mankowska's are points on a plane,
        Kummer's latitude then longitude), or nothing where the file gives none.
    carers : geopandas.GeoDataFrame
        One shift per caregiver (columns :data:`HHCRSP_CARER_COLUMNS`), from and back to the
        office: ``skills`` are its abilities, the shift covers the horizon (``0`` to
        ``horizon_minutes``), no break and no cap on working time.
    travel : numpy.ndarray
        The file's ``distances``: travel minutes, the office (row 0) then the patients in
        order (read-only).
    visit_location : numpy.ndarray
        Each visit's row of ``travel`` (the ``location`` column; read-only).
    office_id : str
        The central office's id.
    services : Mapping
        Each service's id and its default duration (NaN when the file gives none).
    horizon_minutes : float
        The end of the carers' shifts: the latest opening of a window, plus every service,
        every sequential gap and one longest trip per visit and back. The benchmark sets no
        end to the day; this bound is generous enough for any schedule that does not wait
        once every window has opened.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "two.json"
    >>> _ = path.write_text(json.dumps({
    ...     "patients": [
    ...         {"id": "p1", "time_window": [60, 120],
    ...          "required_caregivers": [{"service": "s1", "duration": 30}]},
    ...         {"id": "p2", "time_window": [0, 90],
    ...          "required_caregivers": [{"service": "s1", "duration": 20},
    ...                                  {"service": "s2", "duration": 15}],
    ...          "synchronization": {"type": "sequential", "distance": [10, 40]}}],
    ...     "services": [{"id": "s1", "default_duration": 30},
    ...                  {"id": "s2", "default_duration": 30}],
    ...     "caregivers": [{"id": "c1", "abilities": ["s1"]},
    ...                    {"id": "c2", "abilities": ["s1", "s2"]}],
    ...     "central_offices": [{"id": "d"}],
    ...     "distances": [[0, 10, 20], [10, 0, 15], [20, 15, 0]]}))
    >>> inst = read_hhcrsp(path)
    >>> inst.visits[["visit_id", "window_start", "duration_minutes", "location"]]
      visit_id  window_start  duration_minutes  location
    0    p1/s1          60.0              30.0         1
    1    p2/s1           0.0              20.0         2
    2    p2/s2           0.0              15.0         2
    >>> inst.visits[["partner_id", "pair_order", "after_visit", "gap_min_minutes"]]
      partner_id  pair_order after_visit  gap_min_minutes
    0                     -1                          NaN
    1      p2/s2           0                         10.0
    2      p2/s1           1       p2/s1             10.0
    >>> inst.carers[["carer_id", "shift_start"]].assign(skills=inst.carers.skills.map(sorted))
      carer_id  shift_start    skills
    0       c1          0.0      [s1]
    1       c2          0.0  [s1, s2]
    >>> inst.planning_minutes()[:2, 2:]  # from each carer's office to each visit
    array([[10., 20., 20.],
           [10., 20., 20.]])
    """

    name: str
    visits: gpd.GeoDataFrame
    carers: gpd.GeoDataFrame
    travel: FloatArray
    visit_location: IntArray
    office_id: str
    services: Mapping[str, float]
    horizon_minutes: float

    @property
    def n_patients(self) -> int:
        """Return how many patients the instance has.

        Returns
        -------
        int
            The rows of :attr:`travel` but the office's.

        Examples
        --------
        >>> import numpy as np
        >>> inst = HhcrspInstance("x", None, None, np.zeros((4, 4)), np.zeros(0, int), "d", {}, 0.0)
        >>> inst.n_patients
        3
        """
        return len(self.travel) - 1

    def planning_minutes(self) -> FloatArray:
        """Return the travel matrix in the layout ``plan_rounds`` takes as ``minutes``.

        The carers' homes first (every carer starts and ends at the office), then the visits
        in the order of :attr:`visits`; two visits of the same patient are 0 apart (the
        diagonal of :attr:`travel`).

        Returns
        -------
        numpy.ndarray
            Shape ``(len(carers) + len(visits),) * 2``.

        Examples
        --------
        See :class:`HhcrspInstance`: ``inst.planning_minutes()[:2, 2:]`` gives the minutes from
        each carer's office to each visit.

        >>> import numpy as np, pandas as pd
        >>> inst = HhcrspInstance("x", None, pd.DataFrame({"carer_id": ["c1"]}),
        ...                       np.array([[0.0, 7.0], [7.0, 0.0]]), np.array([1]), "d", {}, 0.0)
        >>> inst.planning_minutes()
        array([[0., 7.],
               [7., 0.]])
        """
        at = np.r_[np.zeros(len(self.carers), dtype=np.int64), self.visit_location]
        return np.asarray(self.travel[np.ix_(at, at)], dtype=np.float64)


# ---------------------------------------------------------------------- checking
def _number(value: object) -> float | None:
    """Return a JSON number as a float (``None`` for anything else, NaN and infinities)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    out = float(value)
    return out if math.isfinite(out) else None


def _pair(value: object) -> tuple[float, float] | None:
    """Return a list of two JSON numbers as a pair (``None`` for anything else)."""
    if not isinstance(value, list) or len(value) != 2:
        return None
    a, b = _number(value[0]), _number(value[1])
    return None if a is None or b is None else (a, b)


def _text(value: object) -> str | None:
    """Return a non-blank JSON string (``None`` for anything else)."""
    return value if isinstance(value, str) and value.strip() else None


def _short(value: object) -> object:
    """Return a value short enough to show in a problem (``None`` for objects and long lists)."""
    if isinstance(value, dict) or (isinstance(value, list) and len(value) > 4):
        return None
    return value


def _load(path: Path, probs: Problems) -> dict[str, Any]:
    """Read the file as a JSON object, or stop with why it cannot be."""
    if not path.exists():
        raise FileNotFoundError(f"HHCRSP instance not found: {path}")
    if path.is_dir():
        probs.stop("a folder, not an instance file", "give one instance's .json file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        probs.stop(
            f"the file is {megabytes(size)}, more than an instance can be "
            f"({megabytes(MAX_FILE_BYTES)})",
            _FORMAT,
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        probs.stop(f"not valid JSON ({exc})", _FORMAT)
    if not isinstance(data, dict):
        probs.stop(f"the file holds a JSON {type(data).__name__}, not an object", _FORMAT)
    return data


def _section(data: dict[str, Any], key: str, probs: Problems) -> list[Any] | None:
    """Return a top-level list of the instance (``None``, with a problem, when it is not one)."""
    value = data.get(key)
    if key not in data:
        probs.add_file(f"no '{key}'", _FORMAT, column=key)
        return None
    if not isinstance(value, list) or not value:
        probs.add_file(f"'{key}' is not a list with at least one entry", _FORMAT, column=key)
        return None
    return value


def _ids(
    entries: list[Any], what: str, key: str, probs: Problems
) -> tuple[list[str | None], dict[str, int]]:
    """Check the ids of the services, caregivers or offices (file problems): text, unique."""
    ids: list[str | None] = []
    first: dict[str, int] = {}
    for i, entry in enumerate(entries):
        where = f"{key}[{i}]"
        if not isinstance(entry, dict):
            probs.add_file(
                f"{what} {i + 1} is not an object", f"write each {what} as {{...}}", where
            )
            ids.append(None)
            continue
        ident = _text(entry.get("id"))
        if ident is None:
            probs.add_file(
                f"{what} {i + 1} has no id", f"give every {what} a text 'id'", f"{where}.id"
            )
        elif ident in first:
            probs.add_file(
                f"{what} id {ident!r} is repeated ({what} {first[ident] + 1} has it too)",
                f"give every {what} its own id",
                f"{where}.id",
            )
            ident = None
        else:
            first[ident] = i
        ids.append(ident)
    return ids, first


def _check_services(services: list[Any], probs: Problems) -> dict[str, float]:
    """Return each service's default duration (NaN: none given); problems go to ``probs``."""
    ids, _ = _ids(services, "service", "services", probs)
    out: dict[str, float] = {}
    for i, (ident, entry) in enumerate(zip(ids, services, strict=True)):
        if ident is None:
            continue
        default = entry.get("default_duration")
        value = _number(default) if default is not None else math.nan
        if value is None or value < 0:
            probs.add_file(
                f"service {ident}: default_duration {_short(default)!r} is not a number >= 0",
                "give the service's usual duration in minutes, or leave it out",
                f"services[{i}].default_duration",
            )
            continue
        out[ident] = value
    return out


def _check_caregivers(
    caregivers: list[Any], services: dict[str, float] | None, probs: Problems
) -> list[tuple[str, frozenset[str]]]:
    """Return each caregiver's id and abilities; problems go to ``probs``."""
    ids, _ = _ids(caregivers, "caregiver", "caregivers", probs)
    out = []
    for i, (ident, entry) in enumerate(zip(ids, caregivers, strict=True)):
        if ident is None:
            continue
        abilities = entry.get("abilities")
        where = f"caregivers[{i}].abilities"
        if not isinstance(abilities, list) or not all(_text(a) for a in abilities):
            probs.add_file(
                f"caregiver {ident}: abilities {_short(abilities)!r} are not a list of service ids",
                'list the ids of the services the caregiver can give, e.g. ["s1", "s3"]',
                where,
            )
            continue
        unknown = sorted({a for a in abilities if services is not None and a not in services})
        if unknown:
            probs.add_file(
                f"caregiver {ident}: ability {', '.join(unknown)} is not among the services",
                "add the service to 'services', or correct the caregiver's abilities",
                where,
            )
            continue
        out.append((ident, frozenset(abilities)))
    return out


def _check_office(offices: list[Any], probs: Problems) -> tuple[str, tuple[float, float] | None]:
    """Return the one office's id and location; problems go to ``probs``."""
    ids, _ = _ids(offices, "office", "central_offices", probs)
    if len(offices) > 1:
        probs.add_file(
            f"{len(offices)} central offices: every route starts and ends at one",
            "keep one office (the validator starts every route at the first)",
            "central_offices",
        )
    entry = offices[0] if isinstance(offices[0], dict) else {}
    location = None
    if "location" in entry:
        location = _pair(entry["location"])
        if location is None:
            probs.add_file(
                f"the office's location {_short(entry['location'])!r} is not two numbers",
                "give the location as [x, y] (or [latitude, longitude]), or leave it out",
                "central_offices[0].location",
            )
    return ids[0] or "", location


def _check_distances(distances: list[Any], n: int | None, probs: Problems) -> FloatArray | None:
    """Return the travel matrix (``None``, with problems, when it is not a square of numbers)."""
    size = len(distances)
    fix = (
        "give 'distances' as a square list of lists: the office first, then the patients in "
        "order, every travel time a number >= 0"
    )
    if n is not None and size != n + 1:
        probs.add_file(
            f"'distances' has {size} rows, for the office and {n} patients it needs {n + 1}",
            fix,
            "distances",
        )
        return None
    rows = []
    for i, row in enumerate(distances):
        if not isinstance(row, list) or len(row) != size:
            length = len(row) if isinstance(row, list) else "no"
            probs.add_file(
                f"row {i} of 'distances' has {length} entries, not {size}", fix, f"distances[{i}]"
            )
            return None
        values = [_number(v) for v in row]
        bad = [j for j, v in enumerate(values) if v is None or v < 0]
        if bad:
            j = bad[0]
            probs.add_file(
                f"distances[{i}][{j}] is {_short(row[j])!r}, not a number >= 0"
                + (f" (and {len(bad) - 1} more in that row)" if len(bad) > 1 else ""),
                fix,
                f"distances[{i}]",
            )
            return None
        rows.append(values)
    return np.asarray(rows, dtype=np.float64)


@dataclass(frozen=True)
class _Need:
    """One caregiver a patient requires: the service and its duration there."""

    service: str
    duration: float


@dataclass(frozen=True)
class _Patient:
    """A patient as checked: id, location, window, the caregivers required and their sync."""

    id: str
    location: tuple[float, float] | None
    window: tuple[float, float]
    needs: tuple[_Need, ...]
    sync: str
    gap: tuple[float, float] | None


def _check_needs(
    pos: int, pid: str, entry: dict[str, Any], services: dict[str, float] | None, probs: Problems
) -> tuple[_Need, ...] | None:
    """Return the caregivers a patient requires (``None``, with problems, when unreadable)."""
    raw = entry.get("required_caregivers")
    column = "required_caregivers"
    if not isinstance(raw, list) or len(raw) not in (1, 2):
        probs.add(
            pos,
            column,
            _short(raw),
            f"patient {pid}: required_caregivers is not a list of one or two caregivers",
            'list one or two {"service": ..., "duration": ...}',
        )
        return None
    needs = []
    for k, need in enumerate(raw):
        where = f"{column}[{k}]"
        if not isinstance(need, dict):
            probs.add(
                pos,
                where,
                None,
                f"patient {pid}: caregiver {k + 1} is not an object",
                'write it as {"service": ..., "duration": ...}',
            )
            return None
        service, duration = _text(need.get("service")), _number(need.get("duration"))
        if service is None:
            probs.add(
                pos,
                f"{where}.service",
                _short(need.get("service")),
                f"patient {pid}: caregiver {k + 1} has no service",
                "give the id of the service, one of 'services'",
            )
        elif services is not None and service not in services:
            probs.add(
                pos,
                f"{where}.service",
                service,
                f"patient {pid}: service {service} is not among the services",
                "add the service to 'services', or correct the patient's service",
            )
            service = None
        if duration is None or duration <= 0:
            probs.add(
                pos,
                f"{where}.duration",
                _short(need.get("duration")),
                f"patient {pid}: the duration of caregiver {k + 1} is not a number > 0",
                "give the service's duration at this patient in minutes",
            )
            duration = None
        if service is None or duration is None:
            return None
        needs.append(_Need(service, duration))
    if len(needs) == 2 and needs[0].service == needs[1].service:
        probs.add(
            pos,
            column,
            needs[0].service,
            f"patient {pid}: both caregivers give service {needs[0].service}, so the two "
            "visits cannot be told apart",
            "give the two caregivers different services",
        )
        return None
    return tuple(needs)


def _check_sync(
    pos: int, pid: str, entry: dict[str, Any], two: bool, probs: Problems
) -> tuple[str, tuple[float, float] | None] | None:
    """Return a patient's synchronisation type and gap (``None``, with problems, when wrong)."""
    sync = entry.get("synchronization")
    if not two:
        if sync is not None:
            probs.add(
                pos,
                "synchronization",
                None,
                f"patient {pid} requires one caregiver but has a synchronization",
                "remove the synchronization, or add the second caregiver",
            )
            return None
        return "", None
    if not isinstance(sync, dict) or sync.get("type") not in SYNC_TYPES:
        kind = sync.get("type") if isinstance(sync, dict) else None
        probs.add(
            pos,
            "synchronization",
            _short(kind),
            f"patient {pid} requires two caregivers but has no synchronization type",
            'give "synchronization": {"type": "simultaneous"} or {"type": "sequential", '
            '"distance": [min, max]}',
        )
        return None
    kind = str(sync["type"])
    gap = _pair(sync.get("distance")) if "distance" in sync else None
    if kind == "simultaneous":
        if "distance" in sync and gap != (0.0, 0.0):
            probs.add(
                pos,
                "synchronization.distance",
                _short(sync.get("distance")),
                f"patient {pid}: simultaneous caregivers with a distance between their starts",
                "remove the distance, or make the type sequential",
            )
            return None
        return kind, (0.0, 0.0)
    if gap is None or gap[0] < 0 or gap[1] < gap[0]:
        probs.add(
            pos,
            "synchronization.distance",
            _short(sync.get("distance")),
            f"patient {pid}: a sequential synchronization needs a distance [min, max] with "
            "0 <= min <= max",
            "give the minutes from the first caregiver's start to the second's, e.g. [30, 60]",
        )
        return None
    return kind, gap


def _check_patient(
    pos: int,
    entry: object,
    seen: dict[str, int],
    known: tuple[dict[str, float] | None, set[str] | None],
    probs: Problems,
) -> _Patient | None:
    """Check one patient (problems go to ``probs``, at the patient's row).

    ``known`` holds the services and every caregiver's abilities (``None``: not known).
    """
    services, able = known
    if not isinstance(entry, dict):
        probs.add(pos, None, None, "a patient is not an object", "write each patient as {...}")
        return None
    pid = _text(entry.get("id"))
    if pid is None:
        probs.add(
            pos,
            "id",
            _short(entry.get("id")),
            "a patient without an id",
            "give every patient a text 'id'",
        )
        pid = f"at position {pos + 1}"
    elif pid in seen:
        probs.add(
            pos,
            "id",
            pid,
            f"patient id {pid} is repeated (patient {seen[pid] + 1} has it too)",
            "give every patient its own id",
        )
    else:
        seen[pid] = pos
    ok = not probs.bad[pos]
    location = None
    if "location" in entry:
        location = _pair(entry["location"])
        if location is None:
            probs.add(
                pos,
                "location",
                _short(entry["location"]),
                f"patient {pid}: the location is not two numbers",
                "give the location as [x, y] (or [latitude, longitude]), or leave it out",
            )
            ok = False
    window = _pair(entry.get("time_window"))
    if window is None:
        probs.add(
            pos,
            "time_window",
            _short(entry.get("time_window")),
            f"patient {pid}: time_window is not two numbers",
            "give [open, close]: the earliest and the latest (soft) start of care, in minutes",
        )
        ok = False
    elif window[1] < window[0]:
        probs.add(
            pos,
            "time_window",
            list(window),
            f"patient {pid}: the window closes before it opens",
            "give [open, close] with open <= close",
        )
        ok = False
    needs = _check_needs(pos, pid, entry, services, probs)
    missing = sorted({n.service for n in needs or ()} - able) if able is not None else []
    if missing:
        probs.add(
            pos,
            "required_caregivers",
            ", ".join(missing),
            f"patient {pid}: no caregiver can give service {', '.join(missing)}",
            "give a caregiver that ability, or correct the patient's service",
        )
        ok = False
    sync = _check_sync(pos, pid, entry, needs is not None and len(needs) == 2, probs)
    if not ok or window is None or needs is None or sync is None:
        return None
    return _Patient(pid, location, window, needs, sync[0], sync[1])


def _abilities(caregivers: list[Any] | None) -> set[str] | None:
    """Return every service some caregiver can give (``None`` when there are no caregivers)."""
    if caregivers is None:
        return None
    return {
        a
        for c in caregivers
        if isinstance(c, dict) and isinstance(c.get("abilities"), list)
        for a in c["abilities"]
        if isinstance(a, str)
    }


# ---------------------------------------------------------------------- the tables
def _visits_table(patients: list[_Patient]) -> gpd.GeoDataFrame:
    """Return one planning row per (patient, service), with the pairs linked."""
    rows = []
    points = []
    for i, p in enumerate(patients):
        ids = [f"{p.id}/{n.service}" for n in p.needs]
        for k, n in enumerate(p.needs):
            paired = len(p.needs) == 2
            gap = p.gap if paired and p.gap is not None else (math.nan, math.nan)
            rows.append(
                {
                    "visit_id": ids[k],
                    "client_id": p.id,
                    "lat": math.nan,
                    "lon": math.nan,
                    "window_start": p.window[0],
                    "window_end": p.window[1],
                    "duration_minutes": n.duration,
                    "carers_required": 1,
                    "skills": frozenset([n.service]),
                    "preferred_carers": frozenset(),
                    "max_late_minutes": math.inf,
                    "service": n.service,
                    "location": i + 1,
                    "sync": p.sync,
                    "partner_id": ids[1 - k] if paired else "",
                    "pair_order": k if paired else -1,
                    "after_visit": ids[0] if paired and k == 1 else "",
                    "gap_min_minutes": gap[0],
                    "gap_max_minutes": gap[1],
                    "source_row": i + 1,
                }
            )
            points.append(None if p.location is None else shapely.Point(p.location))
    frame = pd.DataFrame(rows, columns=HHCRSP_VISIT_COLUMNS[:-1])
    frame = frame.astype(
        {"carers_required": np.int64, "location": np.int64, "pair_order": np.int64}
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(points, crs=None), crs=None)


def _carers_table(
    carers: list[tuple[str, frozenset[str]]],
    office: tuple[float, float] | None,
    horizon: float,
) -> gpd.GeoDataFrame:
    """Return one shift per caregiver, from and back to the office, covering the horizon."""
    frame = pd.DataFrame(
        {
            "carer_id": [c for c, _ in carers],
            "lat": math.nan,
            "lon": math.nan,
            "shift_start": 0.0,
            "shift_end": horizon,
            "skills": [s for _, s in carers],
            "break_minutes": math.nan,
            "break_window_start": math.nan,
            "break_window_end": math.nan,
            "max_minutes": math.nan,
            "source_row": np.arange(1, len(carers) + 1, dtype=np.int64),
        },
        columns=HHCRSP_CARER_COLUMNS[:-1],
    )
    where = None if office is None else shapely.Point(office)
    return gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries([where] * len(carers), crs=None), crs=None
    )


def _horizon(patients: list[_Patient], travel: FloatArray) -> float:
    """Return a generous end of the day (see :class:`HhcrspInstance`)."""
    needs = [n for p in patients for n in p.needs]
    care = sum(n.duration for n in needs)
    gaps = sum(p.gap[1] for p in patients if p.sync == "sequential" and p.gap is not None)
    latest = max(p.window[0] for p in patients)
    return float(math.ceil(latest + care + gaps + (len(needs) + 1) * float(travel.max())))


def read_hhcrsp(path: PathLike) -> HhcrspInstance:
    """Read and check an HHCRSP instance (the benchmark's JSON format).

    Every problem is found in one pass and raised together: each names the patient (at its
    row: its position in ``patients``, from 1), caregiver or service concerned, what is wrong
    and the fix. Checked: the five sections are there; ids are text and unique; every window
    is two numbers, open before close; each patient requires one or two caregivers, each a
    known service (two different services) for a duration > 0; two caregivers have a
    ``synchronization`` (``simultaneous``, or ``sequential`` with ``distance`` ``[min, max]``,
    ``0 <= min <= max``) and one has none; abilities are known services and every service a
    patient requires is some caregiver's ability; one central office; ``distances`` is the
    square matrix of the office and every patient, numbers >= 0.

    Parameters
    ----------
    path : str or os.PathLike
        The instance's ``.json`` file.

    Returns
    -------
    HhcrspInstance
        The visits, carers and travel matrix (see :class:`HhcrspInstance`).

    Raises
    ------
    ValidationError
        When the file or any patient, caregiver or service has a problem.
    FileNotFoundError
        When ``path`` does not exist.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "bad.json"
    >>> _ = path.write_text(json.dumps({
    ...     "patients": [{"id": "p1", "time_window": [90, 60],
    ...                   "required_caregivers": [{"service": "s9", "duration": 30}]}],
    ...     "services": [{"id": "s1"}], "caregivers": [{"id": "c1", "abilities": ["s1"]}],
    ...     "central_offices": [{"id": "d"}], "distances": [[0, 5], [5, 0]]}))
    >>> read_hhcrsp(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ValidationError: bad.json: 2 problem(s) in 1 row(s):
      - row 1, column 'time_window' (value [90.0, 60.0]): patient p1: the window closes ...
      - row 1, column 'required_caregivers[0].service' (value 's9'): patient p1: service s9 ...
    Correct these rows, ...
    """
    p = Path(path)
    probs = Problems(p.name)
    data = _load(p, probs)
    found = {key: _section(data, key, probs) for key in _SECTIONS}
    services = _check_services(found["services"], probs) if found["services"] else None
    carers = _check_caregivers(found["caregivers"], services, probs) if found["caregivers"] else []
    offices = found["central_offices"]
    office_id, office = _check_office(offices, probs) if offices else ("", None)
    raw = found["patients"] or []
    probs.start(np.arange(1, len(raw) + 1))
    seen: dict[str, int] = {}
    known = (services, _abilities(found["caregivers"]))
    patients = [_check_patient(pos, e, seen, known, probs) for pos, e in enumerate(raw)]
    n = len(raw) if found["patients"] else None
    travel = _check_distances(found["distances"], n, probs) if found["distances"] else None
    probs.raise_if_any()
    if services is None or travel is None:  # pragma: no cover - a problem was raised
        raise AssertionError("unreachable")
    kept = [q for q in patients if q is not None]
    visits = _visits_table(kept)
    location = visits["location"].to_numpy(dtype=np.int64)
    travel.setflags(write=False)
    location.setflags(write=False)
    horizon = _horizon(kept, travel)
    return HhcrspInstance(
        name=p.stem,
        visits=visits,
        carers=_carers_table(carers, office, horizon),
        travel=travel,
        visit_location=location,
        office_id=office_id,
        services=MappingProxyType(services),
        horizon_minutes=horizon,
    )


# ---------------------------------------------------------------------- solutions
HhcrspRoutes = Mapping[str, Sequence[tuple[int | str, float, float]]]
"""Caregiver id -> its visits in order, each ``(visit row or visit_id, start, end)``."""


def hhcrsp_solution(instance: HhcrspInstance, routes: HhcrspRoutes) -> dict[str, Any]:
    """Return the solution the benchmark's validator reads, from each caregiver's route.

    Parameters
    ----------
    instance : HhcrspInstance
        The instance solved.
    routes : Mapping
        Caregiver id -> its visits in order, each ``(visit, start, end)``: the visit as its
        row of ``instance.visits`` or its ``visit_id``, and when the service starts and ends.
        A caregiver not given (or given no visits) is listed idle.

    Returns
    -------
    dict
        ``{"routes": [{"caregiver_id": ..., "locations": [{"patient", "service",
        "arrival_time", "departure_time"}, ...]}, ...]}``, one route per caregiver in the
        instance's order. ``arrival_time`` is when the service starts (as the validator reads
        it: it checks travel and the window against it), ``departure_time`` when it ends.

    Raises
    ------
    ArgumentError
        When a caregiver or a visit is not the instance's, or a visit ends before it starts.

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "one.json"
    >>> _ = path.write_text(json.dumps({
    ...     "patients": [{"id": "p1", "time_window": [60, 120],
    ...                   "required_caregivers": [{"service": "s1", "duration": 30}]}],
    ...     "services": [{"id": "s1"}],
    ...     "caregivers": [{"id": "c1", "abilities": ["s1"]}, {"id": "c2", "abilities": []}],
    ...     "central_offices": [{"id": "d"}], "distances": [[0, 10], [10, 0]]}))
    >>> solution = hhcrsp_solution(read_hhcrsp(path), {"c1": [("p1/s1", 60, 90)]})
    >>> for route in solution["routes"]:
    ...     print(route["caregiver_id"], route["locations"])
    c1 [{'patient': 'p1', 'service': 's1', 'arrival_time': 60.0, 'departure_time': 90.0}]
    c2 []
    """
    carer_ids = [str(c) for c in instance.carers["carer_id"]]
    unknown = sorted(set(map(str, routes)) - set(carer_ids))
    if unknown:
        raise ArgumentError(
            f"caregiver {', '.join(unknown)} is not in instance {instance.name}: route only "
            "its caregivers",
            argument="routes",
            value=unknown,
            allowed="the instance's caregiver ids",
        )
    visits = instance.visits
    row_of = {str(v): i for i, v in enumerate(visits["visit_id"])}
    patients, services = visits["client_id"].tolist(), visits["service"].tolist()
    out = []
    for cid in carer_ids:
        stops = []
        for visit, start, end in routes.get(cid, ()):
            row = row_of.get(visit) if isinstance(visit, str) else int(visit)
            if row is None or not 0 <= row < len(visits):
                raise ArgumentError(
                    f"caregiver {cid}: visit {visit!r} is not in instance {instance.name}",
                    argument="routes",
                    value=visit,
                    allowed="a row of instance.visits or its visit_id",
                )
            if not end >= start:
                raise ArgumentError(
                    f"caregiver {cid}: visit {visit!r} ends ({end}) before it starts ({start})",
                    argument="routes",
                    value=(start, end),
                    allowed="end >= start",
                )
            stops.append(
                {
                    "patient": str(patients[row]),
                    "service": str(services[row]),
                    "arrival_time": float(start),
                    "departure_time": float(end),
                }
            )
        out.append({"caregiver_id": cid, "locations": stops})
    return {"routes": out}
