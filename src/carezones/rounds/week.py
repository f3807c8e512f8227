"""A week of rounds with the same faces: :func:`plan_week` and :class:`Week`.

Clients (and the CQC) care that the same few carers come through the week. The week is planned
day by day on one travel matrix, each day by the same model and checks as
:func:`~carezones.rounds.plan_rounds`, with one weight traded against travel:
``continuity_minutes``, the travel minutes the plan would rather add than send a client a
carer they do not know. A carer is *known* to a client when named in the visit's
``preferred_carers`` or when they serve that client on another day of the week.

1. **First pass**, days in order: a carer is known when they served the client on an earlier
   day (so the first day is planned for travel alone, and each later day follows the faces
   already met). Each day's search starts from the day before's rounds: a carer's visits of
   yesterday become the same clients' visits today, where there are any.
2. **Polish** (``passes=2``, the default), days in order again, each day's search starting
   from its own plan: a carer is known when they serve the client on another day of the
   week, so the rounds are reshuffled among faces the clients already know for less travel,
   and a face that appears on this day only costs the weight, as it does in the week's count,
   so it is replaced where that is worth it.
   A day's new plan is kept when it serves more visits, or as many at a lower cost: travel
   plus ``continuity_minutes`` for each distinct carer of each client over the week.
3. **Fewer faces** (:mod:`~carezones.rounds.faces`): a carer a client meets on three days
   or fewer hands those visits to carers the client sees on other days, where every rule
   still holds and it adds less travel than the weight.
4. **Room for the visits left out**: each day's searches already make room for left-out
   visits by moving a visit or two to other carers (:mod:`~carezones.rounds.rescue`, faces
   the client knows tried first); after the fewer faces, each day tries once more.

Measured on Rutland (``benchmarks/week.py``, four runs), against planning each day alone for
travel: 33-35% fewer distinct carers per client for 0.3% more to 3.7% less travel, and two to
five fewer visits left unserved (``docs/performance.md`` has the runs and what each part does).

The days follow each other, so they cannot be planned side by side; each day's search can:
with ``workers`` (default: one per core, at most :data:`WORKERS`) it runs once per worker at
the same time, each with its own seed (:class:`~carezones.rounds.pool.Searches`), and the
best is kept by the same rule (served first, then the week's cost).

Each day's plan passes the independent checker; :meth:`Week.check` runs it on every day. The
KPIs count the distinct carers each client sees in the week (mean, 90th percentile and the
distribution) besides the travel and the visits served.
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, check_integer, check_number
from carezones.io.days import day_key, days_in, same_day
from carezones.rounds.faces import DayPlan, fewer_faces
from carezones.rounds.model import eligible, team_halves
from carezones.rounds.plan import Rounds, Search, Solved, report, search_options
from carezones.rounds.pool import Searches, default_workers
from carezones.rounds.report import itineraries, shift_numbers, stop_points
from carezones.rounds.rescue import rescue
from carezones.rounds.schedule import Routes, travel

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "CONTINUITY_MINUTES",
    "WEEK_SECONDS",
    "WORKERS",
    "Week",
    "carers_per_client",
    "plan_week",
]

CONTINUITY_MINUTES = 5.0  # travel minutes worth keeping a face the client knows
WEEK_SECONDS = 150.0  # search for a week, shared between its days
WORKERS = 4  # searches of a day at once by default (one per core, at most this many)


@dataclass
class Week:
    """A week of rounds: one :class:`~carezones.rounds.Rounds` per day, and the week's KPIs.

    :func:`plan_week` makes one.

    Parameters
    ----------
    days : dict
        Each day's label (``2026-12-07`` or ``Mon``) -> its rounds, in order.
    kpis : dict
        The week's totals, the distinct carers per client (``carers_per_client_mean``,
        ``_p90``, ``_max`` and the distribution ``carers_per_client``: how many clients see
        1, 2, ... carers), and each day's numbers under ``days``.
    visits, carers : pandas.DataFrame
        The week's visits and carers' shifts, as planned.

    Examples
    --------
    >>> list(week.days)
    ['2026-12-07', '2026-12-08']
    >>> week.kpis["visits_served"], week.kpis["visits"]
    (14, 23)
    """

    days: dict[str, Rounds]
    kpis: dict[str, Any]
    visits: pd.DataFrame = field(repr=False)
    carers: pd.DataFrame = field(repr=False)

    @property
    def itineraries(self) -> pd.DataFrame:
        """Every day's itineraries in one table, ``day`` first.

        Examples
        --------
        >>> week.itineraries[["day", "carer_id", "seq", "kind"]].iloc[1:4]
                  day carer_id  seq   kind
        1  2026-12-07     K002    1  visit
        2  2026-12-07     K002    2  break
        3  2026-12-07     K002    3  visit
        """
        return _stack({d: r.itineraries for d, r in self.days.items()})

    @property
    def unserved(self) -> pd.DataFrame:
        """Every day's unserved visits with their reasons, ``day`` first.

        Examples
        --------
        >>> week.unserved[["day", "visit_id"]].head(2)
                  day visit_id
        0  2026-12-07   V00001
        1  2026-12-07   V00002
        """
        return _stack({d: r.unserved for d, r in self.days.items()})

    def continuity(self) -> pd.DataFrame:
        """Return per client the visits served in the week, distinct carers, and who they are.

        Returns
        -------
        pandas.DataFrame
            ``client_id, visits, carers, carer_ids``.

        Examples
        --------
        >>> week.continuity().head(2)
          client_id  visits  carers carer_ids
        0     C0001       2       1      K003
        1     C0003       1       1      K002
        """
        return carers_per_client(self.itineraries)

    def check(self) -> list[tuple[str, Any]]:
        """Verify every rule on every day with the independent checker.

        Returns
        -------
        list of tuple
            ``(day, violation)`` pairs; an empty list: all kept.

        Examples
        --------
        >>> week.check()
        []
        """
        return [(d, v) for d, r in self.days.items() for v in r.check()]

    def summary(self) -> str:
        """Return a few readable lines.

        Returns
        -------
        str
            Days, visits served, travel, and how many carers each client sees.

        Examples
        --------
        >>> print(week.summary())  # doctest: +NORMALIZE_WHITESPACE
        2 days: 14 of 23 visits served; travel 45 min; each client sees 1.40 carers in the week
        on average (90% see at most 2)
        """
        k = self.kpis
        return (
            f"{len(self.days)} days: {k['visits_served']} of {k['visits']} visits served; "
            f"travel {k['travel_minutes']:.0f} min; each client sees "
            f"{k['carers_per_client_mean']:.2f} carers in the week on average (90% see at most "
            f"{k['carers_per_client_p90']:g})"
        )

    def _repr_html_(self) -> str:
        """Return a card of the week's numbers and each day's (no visit is placed on a map)."""
        from carezones.report.html import html_card
        from carezones.report.rounds import day_totals, week_rows

        return html_card(
            "Week of rounds", week_rows(self.kpis), table=day_totals(self.kpis["by_day"])
        )

    def to_map(self, day: str | None = None, *, offline: bool = True) -> Any:
        """Return the map of one day's rounds (:meth:`Rounds.to_map`).

        Parameters
        ----------
        day : str, optional
            The day's label; the first day by default.
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(week.to_map("2026-12-08")).__name__
        'Map'
        """
        return self.days[day if day is not None else next(iter(self.days))].to_map(offline=offline)

    def to_timeline(self, *, title: str = "") -> Any:
        """Return the week as an HTML timeline, a section per day (:meth:`Rounds.to_timeline`).

        Parameters
        ----------
        title : str
            The page's title.

        Returns
        -------
        carezones.report.timeline.Page
            The page: ``.save(path)`` writes it; notebooks show it.

        Examples
        --------
        >>> week.to_timeline(title="First week").title
        'First week'
        """
        from carezones.report.timeline import timeline

        return timeline(list(self.days.values()), title=title)

    def run_sheets(self) -> Any:
        """Return each carer's run sheets for the week in memory (a printed page per day worked).

        Returns
        -------
        carezones.report.sheets.RunSheets
            A sheet per carer with a visit, the index page and the page of them all.

        Examples
        --------
        >>> [sheet.carer_id for sheet in week.run_sheets().sheets]
        ['K002', 'K003']
        """
        from carezones.report.sheets import run_sheets

        return run_sheets(list(self.days.values()))

    def to_run_sheets(self, out_dir: Any) -> list[Any]:
        """Write each carer's run sheets (a printed page per day) and CSV into ``out_dir``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).

        Returns
        -------
        list of pathlib.Path
            The files written (:func:`~carezones.report.rounds.write_run_sheets`).

        Examples
        --------
        >>> import tempfile
        >>> print(*sorted(path.name for path in week.to_run_sheets(tempfile.mkdtemp())))
        K002.csv K002.html K003.csv K003.html all.html index.html
        """
        from carezones.report.rounds import write_run_sheets

        return write_run_sheets(self.run_sheets(), out_dir)

    def to_files(self, out_dir: Any, *, offline: bool = True) -> list[Any]:
        """Write the week's files (:func:`~carezones.report.rounds.write_week`).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        offline : bool
            Embed Leaflet in the maps (default); ``False`` links it from a CDN instead.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> files = week.to_files(tempfile.mkdtemp())
        >>> print(*sorted(path.name for path in files if path.parent.name != "run-sheets"))
        ... # doctest: +NORMALIZE_WHITESPACE
        2026-12-07.html 2026-12-08.html continuity.csv itineraries.csv kpis.json rounds.gpkg
        timeline.html unserved.csv
        """
        from carezones.report.rounds import write_week

        return write_week(self, out_dir, offline=offline)


def _stack(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Tables of several days as one, with the day as the first column."""
    parts = [t.assign(day=d)[["day", *t.columns]] for d, t in tables.items()]
    if not parts:
        return pd.DataFrame({"day": []})
    return pd.concat(parts, ignore_index=True)


def carers_per_client(itin: pd.DataFrame) -> pd.DataFrame:
    """Per client: the visits served, the distinct carers who made them, and their ids.

    Parameters
    ----------
    itin : DataFrame
        Itineraries (of a day or a week): ``kind``, ``client_id``, ``carer_id``.

    Returns
    -------
    DataFrame
        ``client_id, visits, carers, carer_ids`` (``;``-separated), fewest carers first.
    """
    v = itin[itin["kind"] == "visit"]
    if not len(v):
        return pd.DataFrame(columns=["client_id", "visits", "carers", "carer_ids"])
    key = "visit_id" if "day" not in v else ["day", "visit_id"]
    g = v.groupby("client_id", sort=True)
    out = pd.DataFrame(
        {
            "visits": g.apply(lambda x: len(x.drop_duplicates(key)), include_groups=False),
            "carers": g["carer_id"].nunique(),
            "carer_ids": g["carer_id"].agg(lambda s: ";".join(sorted(set(map(str, s))))),
        }
    ).reset_index()
    return out.sort_values(["carers", "client_id"], kind="stable").reset_index(drop=True)


def continuity_kpis(itin: pd.DataFrame) -> dict[str, Any]:
    """Return the distinct carers per client: mean, 90th percentile, most, and the distribution."""
    per = carers_per_client(itin)["carers"].to_numpy(dtype=float)
    if not len(per):
        return {
            "carers_per_client_mean": 0.0,
            "carers_per_client_p90": 0.0,
            "carers_per_client_max": 0,
            "carers_per_client": {},
        }
    counts = pd.Series(per.astype(int)).value_counts().sort_index()
    return {
        "carers_per_client_mean": float(per.mean()),
        "carers_per_client_p90": float(np.percentile(per, 90)),
        "carers_per_client_max": int(per.max()),
        "carers_per_client": {str(k): int(n) for k, n in counts.items()},
    }


def plan_week(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    minutes: FloatArray | None = None,
    continuity_minutes: float = CONTINUITY_MINUTES,
    passes: int = 2,
    time_limit: float = WEEK_SECONDS,
    iterations: int | None = None,
    seed: int = 0,
    sync_rounds: int = 4,
    balance: float = 0.0,
    co2_kg_per_km: float | None = None,
    workers: int | None = None,
    progress: bool = False,
) -> Week:
    """Plan a week (or any run of days) of rounds, each client seeing as few carers as it can.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`~carezones.io.read_visits` and :func:`~carezones.io.read_carers` with a
        ``day`` column: a date (``2026-12-07``) or a weekday (``Mon``). A carer has rows on
        the days they work (two rows on a day for a split shift). Carers' rows by weekday (a
        standing rota) work on every date of that weekday; carers without a ``day`` column
        work every day.
    network : RoadNetwork, optional
        The drive network (travel minutes, kilometres, the legs along the roads).
    minutes : array, optional
        Instead of a network: minutes between every carer row's home (first) and every visit,
        shape ``(len(carers) + len(visits),) * 2``.
    continuity_minutes : float
        The one weight of continuity: the travel minutes the plan would rather add than send
        a client a carer they do not know (not in the visit's ``preferred_carers`` and not
        serving them on another day). 0 plans each day for travel alone.
    passes : int
        1: days in order, each following the faces met on earlier days; 2 (default) or more:
        then each day again, its rounds reshuffled among faces its clients know for less
        travel (the week's time is shared evenly between the passes).
    time_limit : float
        Seconds of search for the whole week, shared between its days and passes (the
        last step, making room for visits still left out, comes after it).
    iterations : int, optional
        Instead of a time limit, the iterations of each day's search (in each pass): the
        same week on every machine.
    seed, sync_rounds : int
        As for :func:`~carezones.rounds.plan_rounds`.
    balance : float
        As for :func:`~carezones.rounds.plan_rounds`.
    co2_kg_per_km : float, optional
        As for :func:`~carezones.rounds.plan_rounds`.
    workers : int, optional
        How many searches of each day run at once, each with its own seed, the best kept
        (served first, then the week's cost): one in this process, the others in worker
        processes (:class:`~carezones.rounds.pool.Searches`). Default: one per core, at most
        :data:`WORKERS`. 1 starts no process. With ``iterations`` the week is the same on
        every machine for a given number of workers.
    progress : bool
        Show a progress bar over the days.

    Returns
    -------
    Week
        Each day's :class:`~carezones.rounds.Rounds` and the week's KPIs.

    Raises
    ------
    ArgumentError
        When an option is not a value it can take, the visits have no day, or no carer works
        on their days.

    Examples
    --------
    Two days for six clients of the tiny synthetic county and three carers:

    >>> from carezones import plan_week, read_carers, read_visits
    >>> from carezones.synthetic import example_week
    >>> points = clients.get_coordinates().to_numpy()
    >>> visits, carers = example_week(points[:6], points[6:9], days=2)
    >>> visits, carers = read_visits(visits, area=net), read_carers(carers, area=net)
    >>> week = plan_week(visits, carers, net, iterations=100)
    >>> week.kpis["carers_per_client_max"]
    2
    """
    t0 = _time.perf_counter()
    weight = check_number("continuity_minutes", continuity_minutes, minimum=0)
    passes = check_integer("passes", passes, minimum=1)
    if workers is None:
        workers = min(default_workers(), WORKERS)
    workers = check_integer("workers", workers, minimum=1)
    opts = search_options(time_limit, seed, iterations, sync_rounds, 0.0, balance, co2_kg_per_km)
    if "day" not in visits:
        raise ArgumentError(
            "the visits have no day column: give each visit its day (a date "
            "such as 2026-12-07 or a weekday such as Mon)"
        )
    labels = days_in(visits["day"])
    if not labels:
        raise ArgumentError("no visit has a day: give each visit its day")
    if "day" in carers and all(len(_carer_rows(carers, d)) == 0 for d in labels):
        raise ArgumentError(
            "no carer works on the visits' days: the carers' day column must name the same "
            "dates, or weekdays"
        )
    matrix = _Travel(visits, carers, network, minutes)
    halves = team_halves(carers["carer_id"].astype(str), carers["skills"])
    rows = {d: np.flatnonzero((visits["day"] == d).to_numpy()) for d in labels}
    plans: dict[str, Rounds] = {}
    pairs: dict[str, _Plan] = {}  # each day's visits served, travel and (client, carer) pairs
    solved: dict[str, tuple[Solved, Search, pd.DataFrame, pd.DataFrame]] = {}  # kept plans
    steps: Any = [(p, d) for p in range(passes) for d in labels]
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="days", unit="day")
    t_search = _time.perf_counter()
    with Searches(workers, network) as searches:
        for i, (p, d) in enumerate(steps):
            # each day's search gets an even share of what is left of the week's time
            left = opts.time_limit - (_time.perf_counter() - t_search)
            day_opts = replace(opts, time_limit=max(left / (len(labels) * passes - i), 0.5))
            t_day = _time.perf_counter()
            vday = visits.iloc[rows[d]].reset_index(drop=True)
            crow = _carer_rows(carers, d)
            cday = carers.iloc[crow].reset_index(drop=True)
            T = matrix.day(crow, rows[d])
            if not len(cday):
                plans[d] = _nobody(vday, cday, network, T, day_opts)
                pairs[d] = _Plan(0, 0.0, frozenset())
                continue
            known = _known(plans, d, labels, first_pass=p == 0)
            # start from the day before's rounds (the first pass), or polish the day's own plan
            start = _initial(
                plans, [d] if p > 0 else _nearest(plans, d, labels), vday, cday, halves
            )
            job = {
                "visits": vday,
                "carers": cday,
                "T": T,
                "initial": start,
                "halves": halves,
                "penalties": _penalties(vday, cday, known, weight),
            }
            found = searches.run(job, day_opts)
            others = frozenset().union(*(x.pairs for e, x in pairs.items() if e != d))
            scored = [(_summary(vday, cday, got), got) for got in found]
            best, got = scored[0]
            for cand, g in scored[1:]:
                if _better(cand, best, others, weight):
                    best, got = cand, g
            if d not in pairs or _better(best, pairs[d], others, weight):
                plans[d] = _rounds(d, vday, cday, network, T, got, day_opts, t_day)
                pairs[d] = best
                solved[d] = (got, day_opts, vday, cday)
    # faces a client meets on a few days only hand their visits on where that is worth it
    kept = {
        d: DayPlan(v, c, got.d, got.routes, got.breaks, eligible(v, c))
        for d, (got, _, v, c) in solved.items()
    }
    changed = fewer_faces(kept, weight)
    for d, (got, day_opts, vday, cday) in solved.items():
        # fewer_faces may have made room: rescue the visits still left out once more
        k = kept[d]
        out = [j for j in sorted(got.reasons) if not got.off_road[len(cday) + j]]
        if out:
            known = _known(plans, d, labels, first_pass=False)
            routes, breaks = rescue(
                k.d,
                k.ok,
                cday["carer_id"].to_numpy(),
                k.routes,
                k.breaks,
                out,
                _penalties(vday, cday, known, weight),
            )
            served = {j for r in routes for j, _ in r}
            if any(j in served for j in out):
                k.routes, k.breaks = routes, breaks
                got = replace(
                    got, reasons={j: w for j, w in got.reasons.items() if j not in served}
                )
                changed.add(d)
        if d not in changed:
            continue
        got = replace(got, routes=k.routes, breaks=k.breaks)
        searched = plans[d].kpis["seconds"]
        plans[d] = _rounds(d, vday, cday, network, got.d.T, got, day_opts, _time.perf_counter())
        plans[d].kpis["seconds"] += searched
    plans = dict(sorted(plans.items(), key=lambda kv: day_key(kv[0])))
    return Week(plans, _week_kpis(plans, visits, _time.perf_counter() - t0), visits, carers)


def _rounds(
    day: str,
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: Any,
    T: FloatArray,
    got: Solved,
    opts: Search,
    t0: float,
) -> Rounds:
    """Return a searched day as :class:`Rounds` (itineraries along the roads, KPIs)."""
    itin = itineraries(visits, carers, got.d, got.routes, got.breaks, network)
    out = report(visits, carers, network, T, itin, got.reasons, got.off_road, opts, t0)
    out.day = day
    return out


def _carer_rows(carers: pd.DataFrame, day: str) -> npt.NDArray[np.int64]:
    """Return the carer rows working on ``day`` (all of them when the carers have no day)."""
    if "day" not in carers:
        return np.arange(len(carers))
    return np.flatnonzero([same_day(str(c), day) for c in carers["day"]])


class _Travel:
    """Travel minutes for every day from one matrix over the week's distinct places."""

    def __init__(
        self, visits: pd.DataFrame, carers: pd.DataFrame, network: Any, minutes: Any
    ) -> None:
        self.n_c = len(carers)
        n = self.n_c + len(visits)
        if minutes is not None:
            self.U = np.asarray(minutes, dtype=float)
            if self.U.shape != (n, n):
                raise ValueError(f"minutes must be {(n, n)} (every carer row first, then visits)")
            self.pid = np.arange(n)
            return
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        pts = stop_points(visits, carers)
        uniq, self.pid = np.unique(pts, axis=0, return_inverse=True)
        self.pid = self.pid.reshape(-1)
        self.U = np.asarray(network.travel_times(uniq), dtype=float)

    def day(self, carer_rows: npt.NDArray[np.int64], visit_rows: npt.NDArray[np.int64]) -> Any:
        """Return the matrix of one day: its carer rows' homes first, then its visits."""
        idx = self.pid[np.r_[carer_rows, self.n_c + visit_rows].astype(np.int64)]
        T = self.U[np.ix_(idx, idx)].copy()
        np.fill_diagonal(T, 0.0)
        return T


def _known(
    plans: dict[str, Rounds], day: str, labels: list[str], *, first_pass: bool
) -> dict[str, set[str]]:
    """Return client -> the carers they know: who serve them on the other days planned.

    In the first pass, the earlier days; in the later ones, every other day (so that the
    day's rounds may be reshuffled among known faces for less travel, and a face seen on
    this day only costs what it adds to the week's count).
    """
    out: dict[str, set[str]] = {}
    for d, r in plans.items():
        if d == day or (first_pass and labels.index(d) > labels.index(day)):
            continue
        v = r.itineraries[r.itineraries["kind"] == "visit"]
        for client, carer in zip(
            v["client_id"].astype(str), v["carer_id"].astype(str), strict=True
        ):
            out.setdefault(client, set()).add(carer)
    return out


VISIT_KEY = ["client_id", "window_start", "window_end", "duration_minutes", "carers_required"]


def _nearest(plans: dict[str, Rounds], day: str, labels: list[str]) -> list[str]:
    """Return the days planned before ``day``, the nearest first."""
    pos = labels.index(day)
    return sorted((d for d in plans if labels.index(d) < pos), key=lambda d: -labels.index(d))


def _initial(
    plans: dict[str, Rounds],
    others: list[str],
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    halves: dict[str, int],
) -> Routes | None:
    """Return rounds to start a day's search from: each carer's round on the first of ``others``.

    ``others`` are planned days (the day itself, to polish its plan; or earlier days, nearest
    first). A visit of a carer's round there becomes the same client's visit with the same
    window and length today (if any, and not already taken); the search places the rest.
    """
    if not others:
        return None
    free: dict[tuple[Any, ...], list[int]] = {}
    for j, key in enumerate(visits[VISIT_KEY].itertuples(index=False, name=None)):
        free.setdefault(tuple(key), []).append(j)
    rounds = {d: _rounds_by_shift(plans[d]) for d in others}
    required = visits["carers_required"].to_numpy()
    taken: set[tuple[int, int]] = set()
    routes: Routes = [[] for _ in range(len(carers))]
    shift_no = shift_numbers(carers)
    for c, cid in enumerate(carers["carer_id"].astype(str)):
        # the carer's round on the first of the other days they work this shift
        mine = next((r for d in others if (r := rounds[d].get((cid, int(shift_no[c]))))), [])
        for key in mine:
            for j in free.get(key, []):
                k0 = halves.get(cid, 0) if required[j] == 2 else 0
                k = k0 if (j, k0) not in taken else 1 - k0
                if k < int(required[j]) and (j, k) not in taken:
                    taken.add((j, k))
                    routes[c].append((j, k))
                    break
    return routes


def _rounds_by_shift(r: Rounds) -> dict[tuple[str, int], list[tuple[Any, ...]]]:
    """Return (carer, shift) -> the :data:`VISIT_KEY` of each visit of its round, in order."""
    v = r.itineraries[r.itineraries["kind"] == "visit"]
    key = dict(
        zip(
            r.visits["visit_id"],
            r.visits[VISIT_KEY].itertuples(index=False, name=None),
            strict=True,
        )
    )
    out: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for cid, shift, vid in zip(
        v["carer_id"].astype(str), v["shift"].astype(int), v["visit_id"], strict=True
    ):
        out.setdefault((cid, shift), []).append(key[vid])
    return out


def _penalties(
    visits: pd.DataFrame, carers: pd.DataFrame, known: dict[str, set[str]], weight: float
) -> FloatArray | None:
    """Return carer row x visit: the minutes charged for a carer the client does not know.

    A carer the visit's ``preferred_carers`` name costs nothing; one the client meets on
    another day costs nothing too, or half the weight when the client has stated
    preferences; anyone else the whole weight (nothing is charged while the client knows no
    one).
    """
    if weight <= 0:
        return None
    ids = carers["carer_id"].astype(str).to_numpy()
    pen = np.zeros((len(carers), len(visits)))
    prefs = visits["preferred_carers"] if "preferred_carers" in visits else None
    for j, client in enumerate(visits["client_id"].astype(str)):
        met = list(known.get(client, ()))
        stated = list(prefs.iat[j]) if prefs is not None else []
        if stated:
            pen[:, j] = np.where(np.isin(ids, met), weight / 2, weight)
            pen[np.isin(ids, stated), j] = 0.0
        elif met:
            pen[:, j] = np.where(np.isin(ids, met), 0.0, weight)
    return pen


@dataclass(frozen=True)
class _Plan:
    """A day's plan as the week weighs it: visits served, travel, (client, carer) pairs."""

    served: int
    travel: float
    pairs: frozenset[tuple[str, str]]


def _summary(visits: pd.DataFrame, carers: pd.DataFrame, got: Solved) -> _Plan:
    """Return what the week weighs of a day's search: served, travel minutes, faces."""
    n_c, T = len(carers), got.d.T
    clients = visits["client_id"].astype(str).to_numpy()
    ids = carers["carer_id"].astype(str).to_numpy()
    faces = {(clients[j], ids[c]) for c, route in enumerate(got.routes) for j, _ in route}
    return _Plan(len(visits) - len(got.reasons), travel(T, n_c, got.routes), frozenset(faces))


def _better(new: _Plan, old: _Plan, others: frozenset[tuple[str, str]], weight: float) -> bool:
    """Keep a day's plan that serves more, or as many at a lower cost for the week.

    The cost is the travel plus ``weight`` minutes for each distinct carer of each client
    over the week (``others``: the (client, carer) pairs of the other days).
    """
    if new.served != old.served:
        return new.served > old.served
    a = new.travel + weight * len(new.pairs | others)
    b = old.travel + weight * len(old.pairs | others)
    return a < b - 1e-9


def _nobody(
    visits: pd.DataFrame, carers: pd.DataFrame, network: Any, T: FloatArray, opts: Search
) -> Rounds:
    """Return a day on which no carer works: every visit unserved, with that reason."""
    from carezones.rounds.report import COLUMNS, kpis

    itin = pd.DataFrame(columns=COLUMNS)
    unserved = pd.DataFrame(
        {"visit_id": visits["visit_id"], "reason": "no carer works on this day"}
    )
    numbers = kpis(visits, itin, unserved, 0.0)
    del opts
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(itin, unserved, numbers, visits, carers, T, attribution, synthetic, network)


def _week_kpis(plans: dict[str, Rounds], visits: pd.DataFrame, seconds: float) -> dict[str, Any]:
    """Return the week's totals, continuity and each day's numbers."""
    ks = [r.kpis for r in plans.values()]

    def total(name: str) -> float:
        return float(sum(k[name] for k in ks))

    km = [k["travel_km"] for k in ks if k.get("travel_km") is not None]
    out: dict[str, Any] = {
        "days": len(plans),
        "visits": len(visits),
        "visits_served": int(total("visits_served")),
        "visits_unserved": int(total("visits_unserved")),
        "care_minutes": total("care_minutes"),
        "travel_minutes": total("travel_minutes"),
        "waiting_minutes": total("waiting_minutes"),
        "working_minutes": total("working_minutes"),
        "travel_km": float(sum(km)) if km else None,
    }
    if all("co2_kg" in k for k in ks) and ks:
        out["co2_kg"] = total("co2_kg")
    out.update(continuity_kpis(_stack({d: r.itineraries for d, r in plans.items()})))
    out["seconds"] = round(seconds, 2)
    keep = (
        "visits",
        "visits_served",
        "visits_unserved",
        "carers_used",
        "travel_minutes",
        "travel_km",
        "care_minutes",
        "waiting_minutes",
    )
    out["by_day"] = {d: {k: r.kpis.get(k) for k in keep} for d, r in plans.items()}
    return out
