"""The day's plan: :func:`plan_rounds` runs the stages in order and returns :class:`Rounds`.

Travel (from the network or a matrix), then the model and its search
(:mod:`~carezones.rounds.model`) with the synchronising rounds, then the exact schedule,
repair and filling (:mod:`~carezones.rounds.schedule`), then the itineraries and KPIs
(:mod:`~carezones.rounds.report`); :meth:`Rounds.check` runs the independent checker
(:mod:`~carezones.rounds.checker`).
"""

from __future__ import annotations

import time as _time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.errors import ArgumentError, check_integer, check_number
from carezones.rounds.model import eligible, fair_shares, impossible, solve
from carezones.rounds.report import (
    continuity,
    itineraries,
    kpis,
    off_road_reason,
    stop_points,
    unused_shifts,
    utilisation,
)
from carezones.rounds.rescue import rescue
from carezones.rounds.schedule import Day, Routes, repair, simulate, travel
from carezones.rounds.schedule import fill as fill_in

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

FloatArray = npt.NDArray[np.float64]


@dataclass
class Rounds:
    """A day's rounds: :func:`plan_rounds` makes them.

    Parameters
    ----------
    itineraries : pandas.DataFrame
        One row per stop in order: ``carer_id, shift, seq, kind`` (start, visit, break, end),
        ``visit_id, client_id, arrival, start, end`` in minutes after midnight,
        ``waiting_minutes, travel_minutes, travel_km`` from the previous stop.
    unserved : pandas.DataFrame
        ``visit_id, reason`` of every visit not served.
    kpis : dict
        Plan-level numbers (see :meth:`summary`).
    visits, carers : pandas.DataFrame
        The day's visits and carers' shifts, as planned.
    minutes : numpy.ndarray
        Travel minutes between the carers' homes (first) and the visits.
    attribution : str
        The map data's attribution.
    synthetic : bool
        Whether the rounds are of synthetic data (the outputs then say so).
    network : RoadNetwork, optional
        The drive network, for the map's roads when there is no basemap.
    changes : pandas.DataFrame, optional
        A re-plan only: each visit whose carer or start changed from the earlier plan.
    day : str
        The day's label when the visits have one.

    Examples
    --------
    >>> rounds.itineraries[["carer_id", "seq", "kind", "visit_id"]].iloc[1:4]
      carer_id  seq   kind visit_id
    1     K001    1  visit    V0009
    2     K001    2  visit    V0004
    3     K001    3  visit    V0016
    >>> rounds.unserved["visit_id"].tolist()
    ['V0019']
    """

    itineraries: pd.DataFrame
    unserved: pd.DataFrame
    kpis: dict[str, Any]
    visits: pd.DataFrame = field(repr=False)
    carers: pd.DataFrame = field(repr=False)
    minutes: FloatArray = field(repr=False)
    attribution: str = ""
    synthetic: bool = False
    network: Any = field(default=None, repr=False)  # for the map's roads when there is no basemap
    changes: pd.DataFrame | None = field(default=None, repr=False)
    day: str = ""

    def to_map(self, *, offline: bool = True) -> Any:
        """Return a map of each carer's round along the roads, stops numbered with times.

        Each round is in its own colour. The map shows where visits are: it is for the
        provider planning the day, not for sharing.

        Parameters
        ----------
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.

        Returns
        -------
        folium.Map
            The map; ``.save(path)`` writes it, notebooks show it.

        Examples
        --------
        >>> type(rounds.to_map()).__name__
        'Map'
        """
        from carezones.report.rounds import rounds_map

        return rounds_map(self, offline=offline)

    def to_files(self, out_dir: Any, *, offline: bool = True) -> list[Any]:
        """Write the day's files (:func:`~carezones.report.rounds.write_rounds`).

        itineraries.csv, unserved.csv, kpis.json, rounds.gpkg, rounds.html (the map),
        timeline.html, run-sheets/ (a page and a CSV per carer) and, for a re-plan,
        changes.csv.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).
        offline : bool
            Embed Leaflet in the map (default); ``False`` links it from a CDN instead.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> files = rounds.to_files(tempfile.mkdtemp())
        >>> print(*sorted(path.name for path in files if path.parent.name != "run-sheets"))
        itineraries.csv kpis.json rounds.gpkg rounds.html timeline.html unserved.csv
        """
        from carezones.report.rounds import write_rounds

        return write_rounds(self, out_dir, offline=offline)

    def legs(self) -> Any:
        """Return each leg of every round, split into what is driven and what is not.

        Returns
        -------
        geopandas.GeoDataFrame
            In EPSG:4326: ``carer_id, shift, seq, kind, minutes, metres, label`` and the
            line, where ``kind`` is ``road`` (along the roads), ``access`` (between a stop and
            the road it is snapped to, drawn straight) or ``straight`` (no road route is
            known: travel from a matrix, or no route found). The map draws the last two
            dashed and says so.

        Examples
        --------
        >>> rounds.legs()[["carer_id", "seq", "kind"]].head(2)
          carer_id  seq  kind
        0     K001    1  road
        1     K001    2  road
        """
        from carezones.rounds.legs import leg_parts

        return leg_parts(self.itineraries, self.network)

    def to_timeline(self, *, title: str = "") -> Any:
        """Return the day as an HTML timeline: a row per carer and shift; hover a bar for details.

        Visits, travel, waiting and breaks are bars on a time axis; the two carers of a
        double-handed visit are linked. Works offline (no external script); every value from
        the inputs is escaped.

        Parameters
        ----------
        title : str
            The page's title (default: the day).

        Returns
        -------
        carezones.report.timeline.Page
            The page: ``.save(path)`` writes it; notebooks show it.

        Examples
        --------
        >>> page = rounds.to_timeline(title="Rounds")
        >>> page.title, page.html.startswith("<!DOCTYPE html>")
        ('Rounds', True)
        """
        from carezones.report.timeline import timeline

        return timeline([self], title=title)

    def run_sheets(self) -> Any:
        """Return each carer's run sheet in memory (:func:`~carezones.report.sheets.run_sheets`).

        Returns
        -------
        carezones.report.sheets.RunSheets
            A sheet per carer with a visit, the index page and the page of them all.

        Examples
        --------
        >>> [sheet.carer_id for sheet in rounds.run_sheets().sheets]
        ['K001', 'K002', 'K003']
        """
        from carezones.report.sheets import run_sheets

        return run_sheets([self])

    def to_run_sheets(self, out_dir: Any) -> list[Any]:
        """Write a printable run sheet (HTML, print CSS) and a CSV per carer into ``out_dir``.

        Times, client and visit references, lengths, windows, travel, waiting, partners,
        skills and notes; ``index.html`` links them and ``all.html`` prints them all. For the
        provider's own use (:func:`~carezones.report.rounds.write_run_sheets`).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing).

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> print(*sorted(path.name for path in rounds.to_run_sheets(tempfile.mkdtemp())))
        K001.csv K001.html K002.csv K002.html K003.csv K003.html all.html index.html
        """
        from carezones.report.rounds import write_run_sheets

        return write_run_sheets(self.run_sheets(), out_dir)

    def check(self) -> list[Any]:
        """Verify every rule with the independent checker.

        Returns
        -------
        list of Violation
            Each rule broken (:mod:`carezones.rounds.checker`); an empty list: all kept.

        Examples
        --------
        >>> rounds.check()
        []
        """
        from carezones.rounds.checker import check_rounds

        return check_rounds(self.visits, self.carers, self.minutes, self.itineraries, self.unserved)

    def summary(self) -> str:
        """Return a few readable lines.

        Returns
        -------
        str
            Visits served, carers, care, travel and waiting; for a re-plan, what changed.

        Examples
        --------
        >>> print(rounds.summary())  # doctest: +NORMALIZE_WHITESPACE
        19 of 20 visits served by 3 carers; care 675 min, travel 79 min (6% of working time),
        waiting 328 min
        """
        k = self.kpis
        text = f"{self.day}: " if self.day else ""
        text += (
            f"{k['visits_served']} of {k['visits']} visits served by {k['carers_used']} carers; "
            f"care {k['care_minutes']:.0f} min, travel {k['travel_minutes']:.0f} min "
            f"({k['travel_share_of_working_time']:.0%} of working time), "
            f"waiting {k['waiting_minutes']:.0f} min"
        )
        if k.get("replan"):
            rp = k["replan"]
            text += (
                f"\nre-planned at {rp['now'] or 'the start of the day'}"
                f"{' without ' + ', '.join(rp['unavailable']) if rp['unavailable'] else ''}"
                f": {rp['visits_fixed']} visits already started kept, {rp['visits_moved']} "
                f"moved (another carer or more than 15 minutes), {rp['visits_unserved']} "
                "not covered (see unserved)"
            )
        cut_off = [u for u in k.get("unused_shifts", []) if "no route" in u["reason"]]
        for u in cut_off:
            text += f"\nshift of carer {u['carer_id']} from {u['shift_start']}: {u['reason']}"
        return text

    def _repr_html_(self) -> str:
        """Return a card of the day's numbers and each carer's totals (no visit is mapped)."""
        from carezones.report.html import html_card
        from carezones.report.rounds import carer_totals, rounds_rows

        return html_card(
            f"Rounds{': ' + self.day if self.day else ''}",
            rounds_rows(self.kpis),
            table=carer_totals(self.itineraries),
            note="For the provider's own use: it names carers.",
        )


@dataclass(frozen=True)
class Search:
    """How a day is searched: the options of :func:`plan_rounds` that every stage shares."""

    time_limit: float = 30.0
    seed: int = 0
    iterations: int | None = None
    sync_rounds: int = 4
    continuity: float = 10.0
    balance: float = 0.0
    co2_kg_per_km: float | None = None
    fill: bool = True


def search_options(
    time_limit: float = 30.0,
    seed: int = 0,
    iterations: int | None = None,
    sync_rounds: int = 4,
    continuity_minutes: float = 10.0,
    balance: float = 0.0,
    co2_kg_per_km: float | None = None,
    fill: bool = True,
) -> Search:
    """Check the search's arguments (with one wording) and return them as :class:`Search`."""
    return Search(
        time_limit=check_number("time_limit", time_limit, minimum=0, above=True),
        seed=check_integer("seed", seed, minimum=0),
        iterations=None
        if iterations is None
        else check_integer("iterations", iterations, minimum=1),
        sync_rounds=check_integer("sync_rounds", sync_rounds, minimum=0),
        continuity=check_number("continuity_minutes", continuity_minutes, minimum=0),
        balance=check_number("balance", balance, minimum=0),
        co2_kg_per_km=None
        if co2_kg_per_km is None
        else check_number("co2_kg_per_km", co2_kg_per_km, minimum=0),
        fill=bool(fill),
    )


def plan_rounds(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None = None,
    *,
    minutes: FloatArray | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    iterations: int | None = None,
    sync_rounds: int = 4,
    co2_kg_per_km: float | None = None,
    continuity_minutes: float = 10.0,
    balance: float = 0.0,
    fill: bool = True,
    fixed: Any = None,
    unavailable: Any = (),
    now: Any = None,
    change_minutes: float = 30.0,
) -> Rounds:
    """Plan the day's rounds: serve every visit that can be served, then least travel.

    Parameters
    ----------
    visits, carers : DataFrame
        From :func:`read_visits` and :func:`read_carers`. With a ``day`` column the visits
        must all be on one day (:func:`~carezones.rounds.plan_week` plans several), and only
        the carers' rows of that day work.
    network : RoadNetwork, optional
        The drive network: travel minutes (and kilometres) between homes and visits.
    minutes : array, optional
        Instead of a network: minutes between the carers' homes (one per carer row, first)
        and the visits, shape ``(len(carers) + len(visits),) * 2``.
    time_limit : float
        Seconds of search (split between the first solve and the synchronising rounds; the
        time they leave goes on searching from the rounds found). The exact schedule, filling
        and making room for left-out visits come after it (a few seconds on a full day).
    seed, iterations : int
        The search's seed; an iteration limit instead of a time limit makes the answer the
        same on every machine.
    sync_rounds : int
        How many times the search is re-run to bring the two carers of double-handed visits
        together before the exact schedule settles the rest.
    co2_kg_per_km : float, optional
        An emission factor for the carers' cars (kg CO2e per km driven), e.g. from the UK
        Government's GHG conversion factors for the car type; with a network, the KPIs then
        include ``co2_kg``. carezones ships no default: the right factor depends on the fleet.
    continuity_minutes : float
        For visits with ``preferred_carers`` (``;``-separated ids): the travel minutes the plan
        would rather add than send a carer the client does not know (0: ignore preferences).
    balance : float
        Weight of workload balance (0: none). Each shift gets a fair share of the day's work:
        its length times the share of all shift time the day needs (care, breaks and an
        estimate of travel). Each minute a carer works beyond that share costs ``balance``
        minutes of travel, so 1-3 spreads the visits across the team for a little more
        travel. The KPIs report each shift's working time as a share of its length.
    fill : bool
        After the exact schedule, put left-out visits back where the whole day still keeps
        every rule, then make room for those still left out by moving a visit to another
        carer (:func:`~carezones.rounds.rescue.rescue`; the default). ``False`` skips both:
        faster, for a first look at whether a team is big enough (county plans size teams
        this way).
    fixed : Rounds or DataFrame, optional
        Re-plan on the day: the day's earlier plan (a :class:`Rounds`, or its itineraries as
        read by :func:`~carezones.io.read_itineraries`). Visits it started before ``now`` stay
        as they are; the rest is planned again, changing as little as possible.
    unavailable : str or list of str
        Carers who cannot work (a carer calling in sick): their visits not yet started are
        given to others.
    now : str or float, optional
        The time of the re-plan (``"06:30"`` or minutes after midnight); nothing starts
        before it. Default: the start of the day (nothing is fixed).
    change_minutes : float
        When re-planning: the travel minutes the plan would rather add than give a visit to
        another carer (a visit kept by its carer also keeps its time, give or take 15
        minutes, where it can).

    Returns
    -------
    Rounds
        Every visit is in ``itineraries`` or in ``unserved`` with its reason; all served
        visits start inside their windows, so ``kpis["mean_minutes_after_window_opens"]``
        measures punctuality. A re-plan also reports what changed (``changes``,
        ``kpis["replan"]``).

    Raises
    ------
    ArgumentError
        When there are no carers' shifts, an option is not a value it can take, or the
        visits are on more than one day.

    Examples
    --------
    A day for eight clients of the tiny synthetic county and three carers living among them:

    >>> from carezones import plan_rounds, read_carers, read_visits
    >>> from carezones.synthetic import example_day
    >>> points = clients.get_coordinates().to_numpy()
    >>> visits, carers = example_day(points[:8], points[8:11])
    >>> visits, carers = read_visits(visits, area=net), read_carers(carers, area=net)
    >>> rounds = plan_rounds(visits, carers, net, iterations=200)
    >>> rounds.kpis["visits_served"], rounds.kpis["visits"]
    (19, 20)

    K001 calls in sick at ten o'clock; what has started stays:

    >>> later = plan_rounds(visits, carers, net, iterations=200, fixed=rounds, now="10:00",
    ...                     unavailable=["K001"])
    >>> print(later.summary().splitlines()[1])  # doctest: +NORMALIZE_WHITESPACE
    re-planned at 10:00 without K001: 6 visits already started kept, 2 moved (another carer or
    more than 15 minutes), 4 not covered (see unserved)
    """
    t0 = _time.perf_counter()
    opts = search_options(
        time_limit, seed, iterations, sync_rounds, continuity_minutes, balance, co2_kg_per_km, fill
    )
    visits, carers = one_day(visits, carers)
    if len(carers) == 0:
        raise ArgumentError("there are no carers' shifts: give at least one (read_carers)")
    T = travel_minutes(visits, carers, network, minutes)
    if fixed is not None or now is not None or (unavailable is not None and len(unavailable)):
        from carezones.rounds.replan import replan

        change = check_number("change_minutes", change_minutes, minimum=0)
        return replan(
            visits,
            carers,
            network,
            T,
            opts,
            fixed=fixed,
            unavailable=unavailable,
            now=now,
            change_minutes=change,
            t0=t0,
        )
    return plan_day(visits, carers, network, T, opts, t0=t0)


def one_day(visits: pd.DataFrame, carers: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check that the visits are on one day and keep the carers' rows of that day.

    Raises
    ------
    ArgumentError
        When the visits span several days, or the carers' rows do and the visits say no day.
    """
    from carezones.io.days import days_in, same_day

    vdays = days_in(visits["day"]) if "day" in visits else []
    cdays = days_in(carers["day"]) if "day" in carers else []
    if len(vdays) > 1:
        raise ArgumentError(
            f"the visits are on {len(vdays)} days ({', '.join(vdays[:7])}"
            f"{'...' if len(vdays) > 7 else ''}): plan them with plan_week, or pick one day's "
            "rows"
        )
    if cdays and not vdays and len(cdays) > 1:
        raise ArgumentError(
            f"the carers' rows are on {len(cdays)} days but the visits have no day column: "
            "give the visits a day, or pick one day's carers"
        )
    if cdays and vdays:
        keep = [same_day(str(d), vdays[0]) for d in carers["day"]]
        carers = carers[keep].reset_index(drop=True)
    return visits, carers


def travel_minutes(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None,
    minutes: FloatArray | None,
) -> FloatArray:
    """Return the day's travel matrix (homes first), from the network or checked as given."""
    n = len(carers) + len(visits)
    if minutes is None:
        if network is None:
            raise ValueError("give a network or a minutes matrix")
        minutes = network.travel_times(stop_points(visits, carers))
    T = np.asarray(minutes, dtype=float)
    if T.shape != (n, n):
        raise ValueError(f"minutes must be {(n, n)} (homes first, then visits)")
    return T


@dataclass
class Solved:
    """A day solved but not yet reported: routes, breaks and why the others are unserved."""

    d: Day
    routes: Routes
    breaks: dict[int, int]
    reasons: dict[int, str]
    off_road: npt.NDArray[np.bool_]


def solve_day(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None,
    T: FloatArray,
    opts: Search,
    *,
    penalties: FloatArray | None = None,
    reasons: dict[int, str] | None = None,
    off_road: npt.NDArray[np.bool_] | None = None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
) -> Solved:
    """Run steps 2-4 of the plan: the model and its search, the exact schedule, repair and fill.

    ``penalties`` (carer row x visit, minutes) charge the search for some carer-visit pairs
    (continuity, stability); ``reasons`` are visits already known to be unservable;
    ``initial`` are rounds to start the search from (each synchronising round then starts
    from the one before); ``halves`` the team's halves for double-handed visits
    (:func:`~carezones.rounds.model.team_halves`, default: this day's carers).
    """
    n_c = len(carers)
    reasons = {**impossible(visits, carers, T), **(reasons or {})}
    if off_road is None:
        off_road = _off_road(network, visits, carers, T)
    for far in np.flatnonzero(off_road[n_c:]).tolist():
        reasons[far] = off_road_reason(network, "the visit")
    d = Day.from_tables(visits, carers, T)
    todo = [j for j in range(len(visits)) if j not in reasons]
    routes = _search(
        visits,
        carers,
        d,
        todo,
        opts,
        penalties,
        fair_shares(visits, carers, T, todo) if opts.balance > 0 else None,
        initial,
        halves,
    )
    routes, breaks, dropped = repair(visits, carers, d, routes)
    served = {j for r in routes for (j, _) in r}
    if opts.fill:
        ok, ids = eligible(visits, carers), carers["carer_id"].to_numpy()
        routes, breaks = fill_in(d, ok, ids, routes, breaks, [j for j in todo if j not in served])
        served = {j for r in routes for (j, _) in r}
        left = [j for j in todo if j not in served]
        routes, breaks = rescue(d, ok, ids, routes, breaks, left, penalties)
        served = {j for r in routes for (j, _) in r}
    reasons.update({j: why for j, why in dropped.items() if j not in served})
    for j in todo:
        if j not in served and j not in reasons:
            reasons[j] = "no room in any carer's round (windows, shifts and travel)"
    return Solved(d, routes, breaks, reasons, off_road)


def plan_day(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None,
    T: FloatArray,
    opts: Search,
    *,
    penalties: FloatArray | None = None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
    t0: float | None = None,
) -> Rounds:
    """Plan one day on a travel matrix already made (:func:`plan_rounds` without its checks)."""
    t0 = _time.perf_counter() if t0 is None else t0
    got = solve_day(
        visits, carers, network, T, opts, penalties=penalties, initial=initial, halves=halves
    )
    itin = itineraries(visits, carers, got.d, got.routes, got.breaks, network)
    return report(visits, carers, network, T, itin, got.reasons, got.off_road, opts, t0)


def report(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    network: RoadNetwork | None,
    T: FloatArray,
    itin: pd.DataFrame,
    reasons: dict[int, str],
    off_road: npt.NDArray[np.bool_],
    opts: Search,
    t0: float,
) -> Rounds:
    """Return the :class:`Rounds` of a day's itineraries: unserved visits and the KPIs."""
    unserved = pd.DataFrame(
        {
            "visit_id": [visits["visit_id"].iat[j] for j in sorted(reasons)],
            "reason": [reasons[j] for j in sorted(reasons)],
        }
    )
    numbers = kpis(visits, itin, unserved, _time.perf_counter() - t0)
    numbers["unused_shifts"] = unused_shifts(carers, itin, off_road[: len(carers)], network)
    numbers.update(utilisation(carers, itin))
    numbers.update(continuity(visits, itin))
    if opts.co2_kg_per_km is not None and numbers["travel_km"] is not None:
        numbers["co2_kg_per_km"] = opts.co2_kg_per_km
        numbers["co2_kg"] = numbers["travel_km"] * opts.co2_kg_per_km
    attribution = network.provenance.attribution if network is not None else ""
    synthetic = bool(network.provenance.synthetic) if network is not None else False
    return Rounds(itin, unserved, numbers, visits, carers, T, attribution, synthetic, network)


def _off_road(
    network: RoadNetwork | None, visits: pd.DataFrame, carers: pd.DataFrame, T: FloatArray
) -> npt.NDArray[np.bool_]:
    """Which homes (first) and visits cannot be reached by road at all."""
    if network is not None:
        return np.asarray(network.snap(stop_points(visits, carers)).far, dtype=bool)
    cut = ~np.isfinite(T)
    np.fill_diagonal(cut, True)
    return cut.all(axis=0) & cut.all(axis=1)  # no way in and no way out


def _search(
    visits: pd.DataFrame,
    carers: pd.DataFrame,
    d: Day,
    todo: list[int],
    opts: Search,
    penalties: FloatArray | None,
    targets: FloatArray | None,
    initial: Routes | None = None,
    halves: dict[str, int] | None = None,
) -> Routes:
    """Solve, then re-solve with the two carers of double-handed visits pinned together.

    The first search has most of the time; each re-solve an even share of the rest. When the
    double-handed visits start together before the rest is spent, the search goes on from
    its rounds for the time left, kept when it serves more or as many for no more travel
    (the charges of ``penalties`` and ``targets`` are not weighed in this comparison).
    """
    t0 = _time.perf_counter()
    forced: dict[tuple[int, int], float] = {}
    routes: Routes = [[] for _ in range(len(carers))]
    sync_rounds = opts.sync_rounds
    rounds = 1 + max(sync_rounds, 0)
    has_doubles = bool((visits["carers_required"].iloc[todo] == 2).any()) if todo else False
    first = 0.6 if has_doubles and sync_rounds > 0 else 1.0
    aims = _aims(d, initial) if has_doubles and initial is not None else None

    def run(rnd: int, seconds: float, start: Routes | None) -> Routes:
        return solve(
            visits,
            carers,
            d.T,
            todo,
            forced,
            seconds,
            opts.seed + rnd,
            None if opts.iterations is None else max(opts.iterations // rounds, 50),
            continuity=opts.continuity,
            targets=targets,
            balance=opts.balance,
            penalties=penalties,
            initial=start,
            halves=halves,
            aims=aims,
        )

    for rnd in range(rounds):
        share = first if rnd == 0 else (1 - first) / max(sync_rounds, 1)
        routes = run(
            rnd, opts.time_limit * share, initial if rnd == 0 or initial is None else routes
        )
        if not _pin_doubles(visits, d, todo, routes, forced):
            break
    left = opts.time_limit - (_time.perf_counter() - t0)
    if opts.iterations is None and todo and left >= 1.0:
        more = run(rounds, left, routes)
        if not _pin_doubles(visits, d, todo, more, dict(forced)) and _score(d, more) <= _score(
            d, routes
        ):
            routes = more
    return routes


def _aims(d: Day, initial: Routes) -> dict[int, float]:
    """Return visit row -> when the rounds searched from start each double-handed visit.

    Both carers aim at that time rather than the middle of the window, so that the rounds
    start from what worked (an earlier plan of the day, or the day before's) and the
    double-handed visits of a busy hour keep apart.
    """
    served = {q for r in initial for q in r}
    starts = simulate(d, initial, {})[0]
    # only a double-handed visit has a copy 1; both copies served, at a time that exists
    return {
        j: starts[(j, 0)]
        for (j, k) in served
        if k == 1 and (j, 0) in served and np.isfinite(starts.get((j, 0), np.inf))
    }


def _pin_doubles(
    visits: pd.DataFrame, d: Day, todo: list[int], routes: Routes, forced: dict[Any, float]
) -> bool:
    """Pin (in ``forced``) the start of each double-handed visit whose carers arrive apart.

    Return whether any did.
    """
    starts = simulate(d, routes, {})[0]
    unsynced = False
    for j in todo:
        if visits["carers_required"].iat[j] == 2 and (j, 0) in starts and (j, 1) in starts:
            a, b = starts[(j, 0)], starts[(j, 1)]
            if abs(a - b) > 1e-6:
                unsynced = True
                t = max(a, b)
                if t <= visits["window_end"].iat[j]:
                    forced[(j, 0)] = forced[(j, 1)] = t
    return unsynced


def _score(d: Day, routes: Routes) -> tuple[int, float]:
    """Return rounds' (visits left out, travel minutes), the smaller the better."""
    return -sum(len(r) for r in routes), travel(d.T, d.n_c, routes)
