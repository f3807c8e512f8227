"""County plans: zone designs judged by the rounds they produce (in progress)."""

from carezones.county.demand import CarePattern, visits_from_hours
from carezones.county.plan import CountyPlan, plan_county, plan_designs
from carezones.county.teams import TeamRule

__all__ = [
    "CarePattern",
    "CountyPlan",
    "TeamRule",
    "plan_county",
    "plan_designs",
    "visits_from_hours",
]
