"""What planning rounds returns: a day's :class:`Rounds` and a :class:`Week` of them.

Both are built once by the engine (:mod:`carezones.rounds.search`, :mod:`~carezones.rounds.week`)
and never changed afterwards; what they show and write is drawn by :mod:`carezones.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from carezones.io.visits import parse_hhmm
from carezones.rounds.reasons import Cause
from carezones.rounds.tables import carers_per_client, stack_days

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io._cells import PathLike
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike
    from carezones.report.sheets import RunSheets
    from carezones.report.timeline import Page
    from carezones.rounds.checker import Violation

FloatArray = npt.NDArray[np.float64]

__all__ = ["Rounds", "Week"]


@dataclass(frozen=True)
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
    same_carer_pairs : bool
        Whether one carer could make both visits of a sequential pair
        (:attr:`RoundsOptions.same_carer_pairs`): what :meth:`check` allows.

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
    network: RoadNetwork | None = field(default=None, repr=False)  # the map's roads
    changes: pd.DataFrame | None = field(default=None, repr=False)
    day: str = ""
    same_carer_pairs: bool = field(default=False, repr=False)

    def to_map(self, *, offline: bool = True) -> MapLike:
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

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
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

    def legs(self) -> gpd.GeoDataFrame:
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

    def to_timeline(self, *, title: str = "") -> Page:
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

    def run_sheets(self) -> RunSheets:
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

    def to_run_sheets(self, out_dir: PathLike) -> list[Path]:
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

    def check(self) -> list[Violation]:
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

        return check_rounds(
            self.visits,
            self.carers,
            self.minutes,
            self.itineraries,
            self.unserved,
            same_carer_pairs=self.same_carer_pairs,
            started_before=parse_hhmm((self.kpis.get("replan") or {}).get("now")),
        )

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
        if k.get("visits_late"):
            text += (
                f"; {k['visits_late']} started late ({k['late_minutes_total']:.0f} min in all, "
                f"worst {k['late_minutes_worst']:.0f} min)"
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
            gone, new = rp.get("gone_visit_ids", []), rp.get("visits_new", 0)
            if gone or new:
                text += (
                    f"\n{len(gone)} visit(s) of the earlier plan are not among the visits given"
                    + (f" ({', '.join(gone[:5])}{' ...' if len(gone) > 5 else ''})" if gone else "")
                    + f" and {new} visit(s) are new: check that no visit was renamed"
                )
        cut_off = [u for u in k.get("unused_shifts", []) if u["cause"] == Cause.OFF_ROAD]
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
        return stack_days({d: r.itineraries for d, r in self.days.items()})

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
        return stack_days({d: r.unserved for d, r in self.days.items()})

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

    def to_map(self, day: str | None = None, *, offline: bool = True) -> MapLike:
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

    def to_timeline(self, *, title: str = "") -> Page:
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

    def run_sheets(self) -> RunSheets:
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

    def to_run_sheets(self, out_dir: PathLike) -> list[Path]:
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

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
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
