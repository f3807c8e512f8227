"""County plans: zone designs judged by the rounds they produce, side by side.

Dorset set up home-care zones to cut carers' travel and give more time to care. Whether a
design does that is answered by planning its rounds: every zone's (or provider's) day, on the
same visits and with the same rule for sizing teams, so that what differs is the design alone.

Ranges, not points: with ``CountyOptions(days=N)`` every design is planned on the same N days
(each a new draw of the calls from the weekly hours), each number is the mean with the lowest
and highest day, and each design's difference from today is judged day by day (clear when it
has the same sign every day). The carers a design needs are counted from its rounds: the
team planned is cut down while the others' rounds can take a carer's visits.

Modules
-------
``demand``
    :func:`visits_from_hours`: weekly hours to a typical day's calls (sources and assumptions
    stated in the module).
``teams``
    :class:`TeamRule`: the carers a zone needs and their shifts.
``day``
    One zone's day: size the team, plan the rounds, let the carers go whom the rounds do not
    need, check them (the unit of work of a task, run by :mod:`carezones.parallel`), sending
    back what the report needs.
``options``
    :class:`CountyOptions` (how a run plans its days) and :class:`CountyInputs` (real data
    instead of the model).
``table``
    The comparison's table: one row per design, each number with its lowest and highest day;
    each design's difference from today, day by day.
``plan``
    :func:`plan_county` and :class:`CountyPlan`: a design's day across the county.
``compare``
    :func:`compare_designs` and :class:`Comparison`: designs side by side, and a sweep over
    numbers of zones.
``costs``
    :class:`TravelRates`, each zone's travel cost and each visit's marginal travel.
``brokerage``
    :func:`allocate_providers`: a realistic "today" when the real allocation is not known,
    clients brokered to providers' offices by a stated model (:class:`BrokerageOptions`,
    :class:`Allocation`).
``sites``
    :func:`add_sites`: the sites chosen (:func:`carezones.choose_sites`) beside the designs,
    for one report of both (:class:`CountySites`).
``viability``
    :func:`zone_viability` and :func:`judge_viability`: how many providers each zone's weekly
    hours can carry, for a stated :class:`ViableHours` range.
"""

from carezones.county.brokerage import (
    Allocation,
    BrokerageOptions,
    allocate_providers,
    office_minutes,
)
from carezones.county.compare import Comparison, compare_designs
from carezones.county.costs import TravelRates, marginal_travel, zone_costs
from carezones.county.demand import CarePattern, visits_from_hours
from carezones.county.options import CountyInputs, CountyOptions
from carezones.county.plan import CountyPlan, plan_county, plan_designs
from carezones.county.sites import CountySites, add_sites, best_design
from carezones.county.teams import TeamRule
from carezones.county.viability import ViableHours, judge_viability, zone_viability
from carezones.parallel import run_tasks

__all__ = [
    "Allocation",
    "BrokerageOptions",
    "CarePattern",
    "Comparison",
    "CountyInputs",
    "CountyOptions",
    "CountyPlan",
    "CountySites",
    "TeamRule",
    "TravelRates",
    "ViableHours",
    "add_sites",
    "allocate_providers",
    "best_design",
    "compare_designs",
    "judge_viability",
    "marginal_travel",
    "office_minutes",
    "plan_county",
    "plan_designs",
    "run_tasks",
    "visits_from_hours",
    "zone_costs",
    "zone_viability",
]
