"""County plans: zone designs judged by the rounds they produce (in progress)."""

from carezones.county.demand import CarePattern, visits_from_hours

__all__ = ["CarePattern", "visits_from_hours"]
