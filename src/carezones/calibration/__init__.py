"""Calibrate drive times on a council's own visit logs: travel profiles from real journeys.

OSM speeds say nothing of parking, finding the door or lanes behind tractors. A council's
electronic call monitoring logs say when each carer arrived at and left each visit, so the gap
between two visits of one carer is a journey (plus any wait). :func:`calibrate` fits a
:class:`~carezones.network.TravelProfile` on such a log, read by
:func:`~carezones.io.read_visit_log`: a multiplier on the model's drive time and a fixed
overhead per leg, separately for urban and rural legs. The fit is robust to waits (see
:mod:`carezones.calibration.fit`). A fifth of the dates is held out to measure the error before
and after. Apply the profile with
:meth:`RoadNetwork.with_profile <carezones.RoadNetwork.with_profile>` (or ``--travel-profile``
on the command line). Zones, rounds, county plans and sites then travel by it.

Modules
-------
``legs``
    :func:`~carezones.calibration.legs.log_legs`: consecutive visits become legs with model
    minutes, all found together.
``fit``
    :func:`~carezones.calibration.fit.fit_class`: the estimator (a censored mixture of noise and
    waits) and why.
``engine``
    :func:`calibrate` and :class:`CalibrationOptions`.
``result``
    :class:`Calibration`: the profile, the fits, the legs and the hold-out errors.
"""

from carezones.calibration.engine import METHOD, CalibrationOptions, calibrate
from carezones.calibration.fit import ClassFit, fit_class
from carezones.calibration.legs import LegCounts, log_legs
from carezones.calibration.result import Calibration

__all__ = [
    "METHOD",
    "Calibration",
    "CalibrationOptions",
    "ClassFit",
    "LegCounts",
    "calibrate",
    "fit_class",
    "log_legs",
]
