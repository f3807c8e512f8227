"""A county's day planned zone by zone: :func:`plan_county` and :class:`CountyPlan`.

A *design* says which clients each team serves: a :class:`~carezones.ZonePlan`, zone polygons
(today's zones from a GeoPackage, with a ``zone_id``), or the name of a column giving each
client's provider today. Every zone's (or provider's) day gets the same visits (from
:func:`~carezones.county.demand.visits_from_hours`, or a real visits file) and the same rule for
sizing teams (:class:`~carezones.county.teams.TeamRule`), is planned with
:func:`carezones.plan_rounds` as one task (:mod:`carezones.parallel`), and is re-checked
by the independent checker. What differs between designs is the design alone.

With ``days`` above 1 (:class:`~carezones.county.CountyOptions`), each design is planned on
several days, every design on the same days: each day's calls are drawn again from the
weekly hours (:func:`day_seed`), and every zone's day of every design on every day is one task
of the same batch. A design's numbers are then the mean over the days, with the lowest and
highest day (:attr:`CountyPlan.daily`); its maps, zones and rounds are its first day's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely

from carezones.county.costs import TravelRates
from carezones.county.day import ZoneDay, ZoneTask, plan_zone_day, zone_seed
from carezones.county.demand import CarePattern, visits_from_hours
from carezones.county.options import CountyInputs, CountyOptions
from carezones.county.table import WORKFORCE_KPIS, mean_low_high
from carezones.county.teams import TeamRule
from carezones.errors import ArgumentError, Problems
from carezones.parallel import run_tasks

if TYPE_CHECKING:
    import geopandas as gpd

    from carezones.io._cells import PathLike
    from carezones.network import RoadNetwork
    from carezones.protocol import MapLike
    from carezones.zones import ZonePlan

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "DAY_KPIS",
    "CountyPlan",
    "Design",
    "day_of_visits",
    "day_seed",
    "design_groups",
    "plan_county",
    "plan_designs",
    "shift_patterns",
]

UNSERVED_COLUMNS = ["zone", "visit_id", "client_id", "reason", "cause"]


@dataclass(frozen=True)
class Design:
    """Which team serves each client: a name, the groups, and their polygons if any.

    :func:`design_groups` makes one from a zone plan, zone polygons or a provider column.

    Parameters
    ----------
    name : str
        The design's name.
    kind : {"zones", "polygons", "providers"}
        What it was made from: a ZonePlan, zone polygons or a column of the clients.
    group : pandas.Series
        Client id (text) to its zone or provider (text).
    polygons : geopandas.GeoDataFrame, optional
        ``zone_id`` (text) and geometry of each zone; ``None`` for providers.
    unplanned : pandas.DataFrame, optional
        ``client_id, reason`` of the clients the design leaves out.
    note : str, optional
        How the design was made, for the report (e.g. the brokerage model that made today's
        allocation: :meth:`carezones.county.Allocation.design`).

    Examples
    --------
    >>> design = design_groups("town", clients)
    >>> design.kind, design.group.nunique()
    ('providers', 5)
    """

    name: str
    kind: str  # "zones" (a ZonePlan), "polygons" (zone polygons) or "providers" (a column)
    group: pd.Series  # client_id -> zone or provider (as text)
    polygons: gpd.GeoDataFrame | None = None  # zone_id (text), geometry; None for providers
    unplanned: pd.DataFrame = field(default_factory=pd.DataFrame)  # clients the design leaves
    note: str = ""  # how the design was made (e.g. by a brokerage model), for the report

    def __repr__(self) -> str:
        """One line: the design's name, kind and size, never a client."""
        teams = self.group.nunique()
        return (
            f"Design(name={self.name!r}, kind={self.kind!r}, teams={teams}, "
            f"clients={len(self.group)})"
        )


def design_groups(
    design: ZonePlan | gpd.GeoDataFrame | str | Design,
    clients: gpd.GeoDataFrame,
    name: str | None = None,
) -> Design:
    """Resolve a design into the team of every client, with clear errors naming the rows.

    Parameters
    ----------
    design : ZonePlan, GeoDataFrame, str or Design
        A zone plan; zone polygons with a ``zone_id`` column (every client must fall in
        exactly one); the name of a column of ``clients`` giving each client's provider
        (no blanks); or a :class:`Design` made already (e.g. by a brokerage model,
        :meth:`carezones.county.Allocation.design`), taken as it is.
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    name : str, optional
        The design's name (default: ``zones-<k>``, ``polygons``, ``providers`` or the
        Design's own).

    Returns
    -------
    Design
        Every client's zone or provider (and the zones' polygons).

    Raises
    ------
    ArgumentError
        When ``design`` is none of these, the column is missing, or polygons have no
        ``zone_id``.
    ValidationError
        When a client has no provider, or lies in no zone or in several (naming the rows).

    Examples
    --------
    >>> design = design_groups("town", clients, name="today")
    >>> design.name, design.group.value_counts().to_dict()
    ('today', {'Caldwell': 40, 'Lythwick': 10, 'Yarholme': 6, 'Swinham': 3, 'Ashham': 1})
    >>> design_groups("provider", clients)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    carezones.errors.ArgumentError: no column 'provider' in the clients; columns: ['client_id', ...]
    """
    import geopandas as gpd

    if isinstance(design, Design):
        return design if name is None else replace(design, name=name)
    ids = clients["client_id"].astype(str)
    if isinstance(design, str):
        return _providers(design, clients, ids, name)
    if isinstance(design, gpd.GeoDataFrame):
        return _polygons(design, clients, ids, name)
    if hasattr(design, "assignments") and hasattr(design, "zones"):
        a = design.assignments
        group = pd.Series(a["zone_id"].astype(str).to_numpy(), index=a["client_id"].astype(str))
        polys = design.zones[["zone_id", "geometry"]].copy()
        polys["zone_id"] = polys["zone_id"].astype(str)
        left = design.unassigned
        unplanned = pd.DataFrame(
            {
                "client_id": left["client_id"].astype(str),
                "reason": "not in any zone: " + left["reason"].astype(str),
            }
        )
        return Design(name or f"zones-{len(polys)}", "zones", group, polys, unplanned)
    raise ArgumentError(
        "design must be a ZonePlan, zone polygons (a GeoDataFrame with zone_id) or the name of "
        f"a column of the clients giving each client's provider, not {type(design).__name__}"
    )


def _providers(column: str, clients: Any, ids: pd.Series, name: str | None) -> Design:
    if column not in clients.columns:
        raise ArgumentError(
            f"no column {column!r} in the clients; columns: {list(clients.columns)[:12]}"
        )
    rows = (
        clients["source_row"].to_numpy() if "source_row" in clients else np.arange(1, len(ids) + 1)
    )
    probs = Problems("providers", rows=rows)
    values = clients[column]
    for pos in np.flatnonzero(values.isna().to_numpy() | (values.astype(str).str.strip() == "")):
        probs.add(
            pos,
            column,
            None,
            "no provider given",
            "give every client's provider, or leave the client out of the file",
        )
    probs.raise_if_any()
    group = pd.Series(values.astype(str).str.strip().to_numpy(), index=ids.to_numpy())
    return Design(name or "providers", "providers", group, None, pd.DataFrame())


def _polygons(zones: Any, clients: Any, ids: pd.Series, name: str | None) -> Design:
    if "zone_id" not in zones.columns:
        raise ArgumentError("zone polygons need a zone_id column naming each zone")
    polys = zones[["zone_id", "geometry"]].to_crs("EPSG:4326").reset_index(drop=True)
    polys["zone_id"] = polys["zone_id"].astype(str)
    pts = clients.geometry.to_crs("EPSG:4326").to_numpy()
    tree = shapely.STRtree(polys.geometry.to_numpy())
    pi, zi = tree.query(pts, predicate="intersects")
    count = np.bincount(pi, minlength=len(pts))
    rows = (
        clients["source_row"].to_numpy() if "source_row" in clients else np.arange(1, len(pts) + 1)
    )
    probs = Problems("zone polygons", rows=rows)
    for pos in np.flatnonzero(count == 0):
        probs.add(
            pos,
            "geometry",
            ids.iat[pos],
            "the client lies in no zone",
            "make the zones cover every client (or check the zones' CRS)",
        )
    for pos in np.flatnonzero(count > 1):
        names = sorted(set(polys.zone_id.to_numpy()[zi[pi == pos]]))
        probs.add(
            pos,
            "geometry",
            ids.iat[pos],
            f"the client lies in several zones {names}",
            "make the zones not overlap",
        )
    probs.raise_if_any()
    first = np.full(len(pts), -1)
    first[pi] = zi
    group = pd.Series(polys.zone_id.to_numpy()[first], index=ids.to_numpy())
    return Design(name or "polygons", "polygons", group, polys, pd.DataFrame())


def day_of_visits(
    clients: gpd.GeoDataFrame,
    visits: pd.DataFrame | None = None,
    pattern: CarePattern | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Return the day's visits (validated): real ones when given, else from weekly hours.

    Parameters
    ----------
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    visits : pandas.DataFrame, optional
        A real day's visits (see :func:`~carezones.county.visits_from_hours`).
    pattern : CarePattern, optional
        How hours become calls.
    seed : int, default 0
        Seed of the start times.

    Returns
    -------
    geopandas.GeoDataFrame
        The visits as :func:`carezones.read_visits` returns them (times in minutes after
        midnight).

    Examples
    --------
    >>> day = day_of_visits(clients.head(2))
    >>> day[["visit_id", "window_start", "duration_minutes"]]
             visit_id  window_start  duration_minutes
    0  C00001-morning         450.0              43.0
    1  C00002-morning         420.0              32.0
    2    C00002-lunch         705.0              32.0
    3      C00002-tea         975.0              32.0
    4      C00002-bed        1155.0              32.0
    """
    from carezones.io import read_visits, visits_table

    raw = visits_from_hours(clients, pattern=pattern, seed=seed, visits=visits)
    # visits made here are valid by construction (validated once, where made); real ones are
    # the user's, read again as given
    return read_visits(raw) if visits is not None else visits_table(raw)


def day_seed(seed: int, day: int) -> int:
    """Return the seed of a run's day (0: the first, whose seed is the run's own).

    Parameters
    ----------
    seed : int
        The run's seed.
    day : int
        The day's number, from 0.

    Returns
    -------
    int
        The day's seed: of its calls' draw and of every zone's search that day.

    Examples
    --------
    >>> day_seed(0, 0), day_seed(0, 1), day_seed(0, 2)
    (0, 796495883, 1484693661)
    """
    return seed if day == 0 else zone_seed(seed, f"day {day + 1}")


# what each day of a design measures (the mean, lowest and highest day are reported)
DAY_KPIS = [
    "visits",
    "visits_served",
    "visits_unserved",
    "care_hours",
    "travel_minutes",
    "travel_minutes_per_care_hour",
    "travel_km",
    *WORKFORCE_KPIS,
    "rule_violations",
    "co2_kg",
]


@dataclass(frozen=True)
class CountyPlan:
    """A design's day across the county: every zone's rounds, and the numbers that judge it.

    :func:`plan_county` makes one.

    Parameters
    ----------
    name : str
        The design (``today``, ``zones-8``, ...).
    design : Design
        Which team serves each client.
    zones : pandas.DataFrame
        One row per zone or provider: ``zone``, ``clients``, ``visits``, ``visits_served``,
        ``care_hours``, ``travel_minutes``, ``travel_km``, ``travel_minutes_per_care_hour``,
        ``carers`` (whose rounds hold a visit), ``carers_estimate`` (the sizing rule's),
        ``carers_planned`` (the team planned: the rule's, grown where visits were left over),
        the carers by the shifts they work (``early``, ``split``, ``split_morning``,
        ``split_evening``, ``late``; ``given`` for real shifts), ``paid_hours`` (the shift
        parts worked), ``utilisation`` (care time over paid time), ``resized`` (times the team
        grew), and costs and CO2 when rates or a factor are given.
    kpis : dict
        The county's numbers (the same, summed or over the county's care hours).
    days : dict
        Zone -> :class:`~carezones.county.day.ZoneDay` (its numbers, stops, team and check).
    unserved : pandas.DataFrame
        ``zone, visit_id, client_id, reason, cause`` of every visit not served.
    unplanned : pandas.DataFrame
        Clients the design leaves out (``client_id, reason``).
    visits : pandas.DataFrame
        The day's visits, every zone's together.
    marginal : pandas.DataFrame
        Each served visit's marginal travel with its zone (:meth:`marginal_travel`).
    network : RoadNetwork, optional
        The drive network the days were planned on.
    daily : pandas.DataFrame, optional
        One row per day planned: ``day`` (from 1), ``seed`` and the day's numbers
        (:data:`DAY_KPIS`); :attr:`kpis` holds their mean, and ``<kpi>_low``/``<kpi>_high``
        the lowest and highest day. :attr:`zones`, :attr:`days`, :attr:`unserved`,
        :attr:`visits` and :attr:`marginal` are the first day's.

    Examples
    --------
    The examples of the methods below use ``plan``, twelve clients of the tiny synthetic
    county planned by the town they live in:

    >>> from carezones import CountyOptions, plan_county
    >>> plan = plan_county("town", clients.head(12), net,
    ...                    options=CountyOptions(iterations=50, workers=1))
    >>> plan.zones[["zone", "clients", "visits", "carers"]]
           zone  clients  visits  carers
    0  Caldwell        6      11       3
    1  Lythwick        4       6       1
    2   Swinham        1       4       3
    3  Yarholme        1       1       1
    """

    name: str
    design: Design
    zones: pd.DataFrame
    kpis: dict[str, Any]
    days: dict[str, ZoneDay]
    unserved: pd.DataFrame
    unplanned: pd.DataFrame
    visits: pd.DataFrame = field(repr=False)
    marginal: pd.DataFrame = field(repr=False)
    network: RoadNetwork | None = field(default=None, repr=False)
    daily: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def __repr__(self) -> str:
        """One line: the design, its zones and its headline numbers, never a client."""
        k = self.kpis
        return (
            f"CountyPlan(name={self.name!r}, zones={len(self.zones)}, "
            f"carers={k.get('carers')}, travel_minutes_per_care_hour="
            f"{k.get('travel_minutes_per_care_hour', float('nan')):.1f}, "
            f"visits_unserved={k.get('visits_unserved')})"
        )

    def summary(self) -> str:
        """Return a few readable lines about the design's day.

        Returns
        -------
        str
            Teams, carers, visits served, hours of care and travel (and broken rules).

        Examples
        --------
        >>> print(plan.summary())
        providers: 4 teams, 8 carers; 22 of 22 visits served (16 h of care)
        travel 27 min = 1.7 min per care hour, 16 km
        carers from the rounds 8 (the rule's estimate 8, team planned 10); utilisation 29%
        """
        k = self.kpis
        n = int(k.get("days", 1))
        lines = [
            f"{self.name}: {k['zones']} teams, {k['carers']:,.0f} carers; "
            f"{k['visits_served']:,.0f} of {k['visits']:,.0f} visits served "
            f"({k['care_hours']:,.0f} h of care)" + (f", mean of {n} days" if n > 1 else ""),
            f"travel {k['travel_minutes']:,.0f} min = {k['travel_minutes_per_care_hour']:.1f} "
            f"min per care hour" + (f", {k['travel_km']:,.0f} km" if k.get("travel_km") else ""),
        ]
        if k.get("carers_estimate") is not None:
            lines.append(
                f"carers from the rounds {k['carers']:,.0f} (the rule's estimate "
                f"{k['carers_estimate']:,.0f}, team planned {k['carers_planned']:,.0f}); "
                f"utilisation {k['utilisation']:.0%}"
            )
        if k.get("rule_violations"):
            lines.append(f"checker: {k['rule_violations']} rule(s) broken")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from carezones.report.county import plan_card

        return plan_card(self)

    def marginal_travel(self) -> pd.DataFrame:
        """Return each served visit's marginal travel (each zone's day computed it).

        Returns
        -------
        pandas.DataFrame
            As :func:`carezones.county.marginal_travel` returns it.

        Examples
        --------
        >>> plan.marginal_travel()[["zone", "visit_id", "marginal_minutes"]].head(3).round(2)
               zone        visit_id  marginal_minutes
        0  Caldwell  C00009-morning              0.30
        1  Caldwell  C00004-morning              0.34
        2  Caldwell  C00002-morning              0.19
        """
        return self.marginal

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Draw the design: zones by travel per care hour, and where travel costs (hexagons).

        Parameters
        ----------
        offline : bool, default True
            Embed Leaflet in the page, so that it works without the internet.

        Returns
        -------
        folium.Map
            The map (save it with ``.save("design.html")``).

        Examples
        --------
        >>> type(plan.to_map()).__name__
        'Map'
        """
        from carezones.report.county import county_map

        return county_map(self, marginal=self.marginal, offline=offline)

    def to_files(
        self, out_dir: PathLike, *, offline: bool = True, rates: TravelRates | None = None
    ) -> list[Path]:
        """Write the design's files: its map, zones, unserved visits and rounds' stops.

        ``map.html``, ``zones.csv`` (zones of fewer than five clients without numbers),
        ``unserved.csv``, ``rounds/itineraries.csv`` (the providers' own use) and
        ``summary.json``.

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (replaced whole or not at all).
        offline : bool, default True
            Embed Leaflet in the map.
        rates : TravelRates, optional
            Stated rates: the zones' travel costs.

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> sorted(p.name for p in plan.to_files(tempfile.mkdtemp()))
        ['map.html', 'rounds', 'summary.json', 'unserved.csv', 'zones.csv']
        """
        from carezones.report.county import write_county_plan

        return write_county_plan(self, out_dir, offline=offline, rates=rates)

    def costed(self, rates: TravelRates | None = None) -> pd.DataFrame:
        """Return the zones' table, with travel costs when ``rates`` are given.

        Parameters
        ----------
        rates : TravelRates, optional
            Stated rates (without them, the table as it is).

        Returns
        -------
        pandas.DataFrame
            :attr:`zones`, plus the columns :func:`~carezones.county.zone_costs` adds.

        Examples
        --------
        >>> from carezones import TravelRates
        >>> costs = plan.costed(TravelRates(per_hour=12.0, per_mile=0.45))
        >>> costs[["zone", "travel_cost_per_care_hour"]].round(2)
               zone  travel_cost_per_care_hour
        0  Caldwell                       0.58
        1  Lythwick                       0.39
        2   Swinham                       1.03
        3  Yarholme                       0.15
        """
        if rates is None:
            return self.zones
        from carezones.county.costs import zone_costs

        return zone_costs(self.zones, rates)

    @property
    def itineraries(self) -> pd.DataFrame:
        """Every carer's stops, with the zone: all the design's rounds in one table.

        Examples
        --------
        >>> stops = plan.itineraries
        >>> stops.zone.unique().tolist()
        ['Caldwell', 'Lythwick', 'Swinham', 'Yarholme']
        """
        frames = [d.itineraries.assign(zone=z) for z, d in self.days.items()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def plan_county(
    design: ZonePlan | gpd.GeoDataFrame | str | Design,
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    name: str | None = None,
    inputs: CountyInputs | None = None,
    options: CountyOptions | None = None,
    progress: bool | Callable[[int, int], None] | None = None,
) -> CountyPlan:
    """Plan every zone's (or provider's) day for a design and judge it by its rounds.

    Parameters
    ----------
    design : ZonePlan, GeoDataFrame or str
        A zone plan, zone polygons with ``zone_id`` (every client in exactly one), or the name
        of a column giving each client's provider (see :func:`design_groups`).
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    network : RoadNetwork
        The drive network.
    name : str, optional
        The design's name.
    inputs : CountyInputs, optional
        Real data to use instead of the model: a day's visits, shifts, carers' homes.
    options : CountyOptions, optional
        The search, seed, care pattern, team rule, rates, workers (see
        :class:`~carezones.county.CountyOptions`).
    progress : bool or callable, optional
        As for :func:`plan_designs`.

    Returns
    -------
    CountyPlan
        The design's day: every zone's rounds and the numbers that judge it.

    Raises
    ------
    ArgumentError
        When an argument is not a value it can take (the message says which and why).
    ValidationError
        When the design leaves a client without a team (see :func:`design_groups`).

    See Also
    --------
    carezones.compare_designs : Several designs on identical demand.

    Examples
    --------
    >>> from carezones import CountyOptions, plan_county
    >>> plan = plan_county("town", clients.head(12), net,
    ...                    options=CountyOptions(iterations=50, workers=1))
    >>> plan.kpis["visits_served"], plan.kpis["carers"], plan.kpis["rule_violations"]
    (22, 8, 0)
    """
    plans = plan_designs(
        {name or "": design}, clients, network, inputs=inputs, options=options, progress=progress
    )
    return next(iter(plans.values()))


def plan_designs(
    designs: Mapping[str, ZonePlan | gpd.GeoDataFrame | str | Design],
    clients: gpd.GeoDataFrame,
    network: RoadNetwork,
    *,
    inputs: CountyInputs | None = None,
    options: CountyOptions | None = None,
    progress: bool | Callable[[int, int], None] | None = None,
) -> dict[str, CountyPlan]:
    """Plan several designs on identical demand, every zone's day of every design in one run.

    All the zones' days go to the workers together (largest first), so that two workers stay
    busy; the results are the same whatever the number of workers.

    Parameters
    ----------
    designs : mapping
        Name -> design: a :class:`~carezones.ZonePlan`, zone polygons with ``zone_id``, or
        the name of a column giving each client's provider (see :func:`design_groups`).
    clients : geopandas.GeoDataFrame
        From :func:`carezones.read_clients`.
    network : RoadNetwork
        The drive network.
    inputs : CountyInputs, optional
        Real data instead of the model: a real day's visits (joined to the clients by
        ``client_id``), real shifts with a ``zone`` column, and where carers may live
        (e.g. ``network.buildings.homes``; default: road junctions).
    options : CountyOptions, optional
        Iterations, seed, care pattern, team rule, emission factor, workers or a Dask client,
        and whether the providers' rounds maps are wanted.
    progress : bool or callable, optional
        Show a progress bar of the zones' days (default: when run interactively, in Jupyter or
        a terminal; ``False``: never); or a callable, called with (days done, days in all).

    Returns
    -------
    dict
        Name -> :class:`CountyPlan`, in the order of ``designs``.

    Raises
    ------
    ArgumentError
        When an argument is not a value it can take.
    ValidationError
        When a design leaves a client without a team.

    Examples
    --------
    >>> from carezones import CountyOptions
    >>> plans = plan_designs({"towns": "town"}, clients.head(6), net,
    ...                      options=CountyOptions(iterations=20, workers=1))
    >>> plans["towns"].kpis["zones"], plans["towns"].kpis["visits"]
    (2, 11)
    """
    opts = CountyOptions() if options is None else options
    data = CountyInputs() if inputs is None else inputs
    if not isinstance(opts, CountyOptions):
        raise ArgumentError(f"options must be a CountyOptions, not {type(opts).__name__}")
    if data.visits is not None and opts.days > 1:
        raise ArgumentError(
            f"days={opts.days} with a real day's visits: a visits file is one real day, "
            "planned once; plan it with days=1, or leave the visits out to draw each day's "
            "calls from the weekly hours"
        )
    seeds = [day_seed(opts.seed, d) for d in range(opts.days)]
    visits = [day_of_visits(clients, data.visits, opts.pattern, s) for s in seeds]
    resolved = [design_groups(d, clients, n or None) for n, d in designs.items()]
    cands = _homes(network, data.homes)
    tasks: list[tuple[int, int, str, ZoneTask]] = []  # design, day, zone, task
    for d, day in enumerate(visits):
        for k, des in enumerate(resolved):
            zone_of_visit = day["client_id"].astype(str).map(des.group)
            for zone in sorted(des.group.unique(), key=str):
                v = day[zone_of_visit == zone].reset_index(drop=True)
                task = ZoneTask(
                    str(zone),
                    v,
                    _zone_homes(des, zone, v, cands, network),
                    _zone_carers(data.carers, zone),
                    opts.rule,
                    opts.iterations,
                    seeds[d],
                    whole=opts.rounds_maps and d == 0,  # the maps are of the first day
                    let_go=opts.let_go,
                )
                tasks.append((k, d, str(zone), task))
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i][3].visits))
    t0 = time.perf_counter()
    report, bar = _progress(progress, len(tasks))
    try:
        done = run_tasks(
            plan_zone_day,
            [tasks[i][3] for i in order],
            network,
            workers=opts.workers,
            client=opts.client,
            progress=report,
        )
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    results: dict[tuple[int, int, str], ZoneDay] = {}
    for i, result in zip(order, done, strict=True):
        results[tasks[i][:3]] = result
    out = {}
    for k, des in enumerate(resolved):
        plans = []
        for d, day in enumerate(visits):
            days = {
                z: _with_network(r, network)
                for (kk, dd, z), r in sorted(results.items())
                if kk == k and dd == d
            }
            plans.append(
                _county_plan(des, day, days, network, opts.co2_kg_per_km, seconds, opts.rule)
            )
        out[des.name] = _over_days(plans, seeds)
    return out


def _over_days(plans: list[CountyPlan], seeds: list[int]) -> CountyPlan:
    """Return a design's plan over its days: the first day's, with every day's numbers."""
    first = plans[0]
    daily = pd.DataFrame(
        [
            {"day": d + 1, "seed": s, **{c: p.kpis[c] for c in DAY_KPIS if c in p.kpis}}
            for d, (p, s) in enumerate(zip(plans, seeds, strict=True))
        ]
    )
    kpis = {**first.kpis, "days": len(plans)}
    for c in DAY_KPIS:
        if c in daily:
            kpis[c], kpis[f"{c}_low"], kpis[f"{c}_high"] = mean_low_high(daily[c])
    return replace(first, kpis=kpis, daily=daily)


def _with_network(day: ZoneDay, network: RoadNetwork) -> ZoneDay:
    """Give a day's whole rounds (which travel back light) the network again, for maps."""
    if day.rounds is None:
        return day
    return replace(day, rounds=replace(day.rounds, network=network))


def _progress(progress: Any, total: int) -> tuple[Any, Any]:
    """Return the callback for tasks done: the caller's own, or a bar when watched."""
    from carezones._progress import progress_bar

    if callable(progress):
        return progress, progress_bar(total, "", progress=False)
    bar = progress_bar(total, "zones' days planned", progress)
    last = [0]

    def tick(done: int, _total: int) -> None:
        bar.update(done - last[0])
        last[0] = done

    return tick, bar


def _homes(network: RoadNetwork, homes: FloatArray | None) -> FloatArray:
    if homes is not None:
        return np.asarray(homes, dtype=float).reshape(-1, 2)
    j = network.junction_nodes
    return np.column_stack([network.lon[j], network.lat[j]]).astype(float)


def _zone_homes(
    design: Design,
    zone: str,
    visits: pd.DataFrame,
    cands: FloatArray,
    network: RoadNetwork,
) -> FloatArray:
    """Candidate homes for a zone's carers: inside its polygon, else near its clients."""
    if design.polygons is not None:
        poly = design.polygons.loc[design.polygons.zone_id == zone, "geometry"]
        if len(poly):
            inside = shapely.contains_xy(poly.iloc[0], cands[:, 0], cands[:, 1])
            if inside.sum() >= 3:
                return np.asarray(cands[inside], dtype=float)
    pts = np.column_stack([visits.geometry.x, visits.geometry.y]) if len(visits) else cands[:1]
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack(network.to_metric(cands[:, 0], cands[:, 1])))
    _, idx = tree.query(
        np.column_stack(network.to_metric(pts[:, 0], pts[:, 1])), k=min(3, len(cands))
    )
    return np.asarray(cands[np.unique(np.asarray(idx).ravel())], dtype=float)


def _zone_carers(carers: pd.DataFrame | None, zone: str) -> pd.DataFrame | None:
    if carers is None:
        return None
    if "zone" not in carers.columns:
        raise ArgumentError(
            "carers for a county plan need a 'zone' column naming each shift's zone"
        )
    return carers[carers["zone"].astype(str) == zone].reset_index(drop=True)


SHIFT_KINDS = ("early", "split", "split_morning", "split_evening", "late", "given")
ZONE_COLUMNS = [
    "zone",
    "clients",
    "visits",
    "visits_served",
    "care_hours",
    "travel_minutes",
    "travel_km",
    "travel_minutes_per_care_hour",
    "carers",
    "carers_estimate",
    "carers_planned",
    *SHIFT_KINDS,
    "paid_hours",
    "utilisation",
    "resized",
    "rule_violations",
]


def shift_patterns(rule: TeamRule) -> str:
    """Return the shifts a rule's teams work, in words.

    Parameters
    ----------
    rule : TeamRule
        The sizing rule.

    Returns
    -------
    str
        Each kind of shift's hours and break.

    Examples
    --------
    >>> for kind in shift_patterns(TeamRule()).split("; "):
    ...     print(kind)
    early 07:00-14:00 (30 min break)
    split 07:00-10:30 and 17:00-21:30
    late 15:30-22:00 (30 min break)
    """
    out = []
    for shift in (rule.early, rule.split, rule.late):
        hours = " and ".join(f"{a}-{b}" for a, b in shift.parts)
        brk = f" ({shift.break_minutes:.0f} min break)" if shift.break_window else ""
        out.append(f"{shift.name} {hours}{brk}")
    return "; ".join(out)


def _share(part: float, whole: float | None) -> float:
    return float(part) / float(whole) if whole else 0.0


def _county_plan(
    des: Design,
    day: pd.DataFrame,
    days: dict[str, ZoneDay],
    network: RoadNetwork,
    co2: float | None,
    seconds: float,
    rule: TeamRule,
) -> CountyPlan:
    rows, unserved = [], []
    n_clients = des.group.value_counts()
    for z, d in days.items():
        k = d.kpis
        care_h = k["care_minutes"] / 60.0
        row = {
            "zone": z,
            "clients": int(n_clients.get(z, 0)),
            "visits": k["visits"],
            "visits_served": k["visits_served"],
            "care_hours": care_h,
            "travel_minutes": k["travel_minutes"],
            "travel_km": k.get("travel_km") or 0.0,
            "travel_minutes_per_care_hour": k["travel_minutes_per_care_hour"],
            "carers": int(d.worked.get("carers", 0)),
            "carers_estimate": d.estimate,
            "carers_planned": d.team.get("carers", 0),
            **{kind: int(d.worked.get(kind, 0)) for kind in SHIFT_KINDS},
            "paid_hours": d.worked.get("paid_minutes", 0.0) / 60.0,
            "utilisation": _share(d.worked.get("care_minutes", 0.0), d.worked.get("paid_minutes")),
            "resized": d.resized,
            "rule_violations": len(d.problems),
        }
        if co2 is not None:
            row["co2_kg"] = row["travel_km"] * co2
        rows.append(row)
        if len(d.unserved):
            unserved.append(d.unserved.assign(zone=z)[UNSERVED_COLUMNS])
    zones = pd.DataFrame(rows, columns=ZONE_COLUMNS + (["co2_kg"] if co2 is not None else []))
    care = float(zones["care_hours"].sum()) if len(zones) else 0.0
    travel = float(zones["travel_minutes"].sum()) if len(zones) else 0.0
    carers = int(zones["carers"].sum())
    estimates = pd.to_numeric(zones["carers_estimate"], errors="coerce")
    paid = float(zones["paid_hours"].sum())
    care_worked = sum(float(d.worked.get("care_minutes", 0.0)) for d in days.values())
    kpis = {
        "design": des.name,
        "kind": des.kind,
        "zones": len(zones),
        "clients": len(des.group),
        "visits": int(zones["visits"].sum()),
        "visits_served": int(zones["visits_served"].sum()),
        "visits_unserved": int(zones["visits"].sum() - zones["visits_served"].sum()),
        "care_hours": care,
        "travel_minutes": travel,
        "travel_minutes_per_care_hour": travel / care if care else 0.0,
        "travel_km": float(zones["travel_km"].sum()),
        "carers": carers,
        "carers_estimate": None if estimates.isna().any() else int(estimates.sum()),
        "carers_planned": int(zones["carers_planned"].sum()),
        "paid_hours": paid,
        "utilisation": _share(care_worked, paid * 60.0),
        "travel_minutes_per_carer": travel / carers if carers else 0.0,
        **{kind: int(zones[kind].sum()) for kind in SHIFT_KINDS},
        "rule_violations": int(zones["rule_violations"].sum()),
        "clients_unplanned": len(des.unplanned),
        "rounds_seconds": seconds,
        "shift_patterns": shift_patterns(rule) if estimates.notna().any() else "as given",
    }
    if co2 is not None:
        kpis["co2_kg_per_km"], kpis["co2_kg"] = co2, float(zones["travel_km"].sum()) * co2
    empty = pd.DataFrame(columns=UNSERVED_COLUMNS)
    unserved_df = pd.concat(unserved, ignore_index=True) if unserved else empty
    marginal = [d.marginal.assign(zone=z) for z, d in days.items() if len(d.marginal)]
    columns = ["zone", "visit_id", "marginal_minutes", "client_id", "lon", "lat"]
    cost = (
        pd.concat(marginal, ignore_index=True)[columns]
        if marginal
        else pd.DataFrame(columns=columns)
    )
    return CountyPlan(
        des.name, des, zones, kpis, days, unserved_df, des.unplanned, day, cost, network
    )
