"""Calibrate drive times on a visit log: :func:`calibrate` and its options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from carezones.calibration.fit import ClassFit, fit_class
from carezones.calibration.legs import log_legs
from carezones.calibration.result import Calibration
from carezones.errors import ArgumentError, Problems, check_integer, check_number
from carezones.io import read_visit_log
from carezones.network import (
    AreaRule,
    ClassTimes,
    DensityRule,
    LegClass,
    ProfileProvenance,
    TravelProfile,
    UrbanRule,
)
from carezones.network.profile import CLASSES, MAX_MULTIPLIER, MAX_OVERHEAD_MINUTES

if TYPE_CHECKING:
    from carezones.network import RoadNetwork

__all__ = ["METHOD", "CalibrationOptions", "calibrate"]

METHOD = (
    "maximum likelihood on the built-in engine's minutes: normal noise plus exponential waits, "
    "gaps over 45 min above the line censored"
)
"""The estimator, in the few words a profile's provenance keeps."""


@dataclass(frozen=True)
class CalibrationOptions:
    """How a visit log is calibrated on.

    Parameters
    ----------
    rule : DensityRule or AreaRule, optional
        Which legs are urban: the ONS rural-urban classification of the council's units when
        it has it (an :class:`~carezones.network.AreaRule` of the units
        :func:`~carezones.io.read_rural_urban` reads), otherwise the road density rule (default
        :class:`~carezones.network.DensityRule()`: 100 junctions per km² within 1 km of both
        ends).
    holdout_share : float, default 0.2
        Share of the log's dates held out: fitted without, then used to measure the error.
    seed : int, default 0
        Which dates are held out.
    max_gap_minutes : float, default 120.0
        A gap longer than this is a break between shifts, not a journey: left out.
    min_legs : int, default 30
        Fewest legs a class is fitted on alone; a class with fewer takes the fit of all the
        legs together (and the summary says so).
    name : str, optional
        The profile's name (default: the log's file name without its suffix).
    fitted_at : str, optional
        When it was fitted, for the provenance (default: not stated, so that the same log and
        options always write the same profile, byte for byte).

    Raises
    ------
    ArgumentError
        When a number is out of range.

    Examples
    --------
    >>> from carezones.calibration import CalibrationOptions
    >>> CalibrationOptions(seed=3).holdout_share
    0.2
    """

    rule: UrbanRule = field(default_factory=DensityRule)
    holdout_share: float = 0.2
    seed: int = 0
    max_gap_minutes: float = 120.0
    min_legs: int = 30
    name: str | None = None
    fitted_at: str | None = None

    def __post_init__(self) -> None:
        check_number("holdout_share", self.holdout_share, minimum=0, maximum=0.5, below=True)
        check_integer("seed", self.seed, minimum=0)
        check_number("max_gap_minutes", self.max_gap_minutes, minimum=0, above=True)
        check_integer("min_legs", self.min_legs, minimum=3)
        if not isinstance(self.rule, DensityRule | AreaRule):
            raise ArgumentError(
                f"rule must be a DensityRule or an AreaRule, not {self.rule!r}",
                argument="rule",
                value=self.rule,
                allowed="a DensityRule or an AreaRule",
            )


def calibrate(
    log: pd.DataFrame, network: RoadNetwork, *, options: CalibrationOptions | None = None
) -> Calibration:
    """Fit a travel profile on a visit log: a multiplier and an overhead per class of leg.

    Consecutive visits of one carer on one date make a leg (:func:`~carezones.calibration.legs.
    log_legs`): the gap from leaving one visit to arriving at the next, against the network's
    drive time between the two places. A fifth of the dates (by ``seed``) is held out. Each
    class (urban, rural) is fitted on the other dates' legs by :func:`~carezones.calibration.fit.
    fit_class`, a model that knows gaps include waits: normal noise plus exponential waits by
    maximum likelihood, with very long gaps censored (see :mod:`carezones.calibration.fit` for
    why not least squares or a plain lower quantile). The held-out legs then measure the
    median absolute error of leg times before (the model alone) and after calibration.

    Parameters
    ----------
    log : pandas.DataFrame
        The visit log, as :func:`~carezones.io.read_visit_log` returns it; any other table is
        read (and checked) by it first, against the network's area.
    network : RoadNetwork
        The drive network the profile is for (its own travel profile, if any, is not used).
    options : CalibrationOptions, optional
        The urban rule, the hold-out share and seed, the longest journey gap, the fewest legs
        per class, the profile's name.

    Returns
    -------
    Calibration
        The profile, each class's fit, the legs and the hold-out errors.

    Raises
    ------
    ValidationError
        When the log has a problem (see :func:`~carezones.io.read_visit_log`), or fewer than
        ``min_legs`` legs to fit on (after leaving out the
        held-out dates, legs to the same place, unroutable legs and breaks).
    ArgumentError
        When ``network`` is a walk network.

    Examples
    --------
    A synthetic log with known truth (urban legs 1.4 × model + 4 min, rural 1.2 × model + 2.5;
    SYNTHETIC DATA):

    >>> from carezones.calibration import CalibrationOptions, calibrate
    >>> from carezones.network import ClassTimes, DensityRule, TravelProfile
    >>> from carezones.synthetic import LogOptions, visit_log
    >>> rule = DensityRule(1000, 10)
    >>> truth = TravelProfile(ClassTimes(1.4, 4.0), ClassTimes(1.2, 2.5), rule=rule)
    >>> log = visit_log(county, net, truth, LogOptions(days=20, seed=1))
    >>> result = calibrate(log, net, options=CalibrationOptions(rule=rule, fitted_at="-"))
    >>> print(result.profile.describe())  # doctest: +SKIP
    synthetic-log: urban 1.40 × model + 4.0 min, rural 1.20 × model + 2.5 min
    """
    opts = options or CalibrationOptions()
    if network.mode != "drive":
        raise ArgumentError(
            f"travel profiles are for drive networks; this is a {network.mode} network",
            argument="network",
            value=network.mode,
            allowed="a drive network",
        )
    if not isinstance(log, gpd.GeoDataFrame) or "source_row" not in log:
        log = read_visit_log(log, area=network)
    legs, counts = log_legs(log, network, opts.rule, opts.max_gap_minutes)
    dates = sorted(set(log["date"].astype(str)))
    held = _held_out(dates, opts.holdout_share, opts.seed)
    legs["held_out"] = legs["date"].isin(held).to_numpy()
    train = legs[~legs["held_out"]]
    source = str(log.attrs.get("source", "visit log"))
    if len(train) < opts.min_legs:
        probs = Problems(source)
        probs.stop(
            f"only {len(train)} legs to fit on (at least {opts.min_legs} are needed): "
            f"{counts.visits} visits, {counts.consecutive} consecutive pairs, of which "
            f"{counts.same_place} at the same place, {counts.unroutable} unroutable, "
            f"{counts.breaks} breaks longer than {opts.max_gap_minutes:g} min, and the legs of "
            f"{len(held)} held-out date(s)",
            "give a longer log (more carers or more dates)",
        )
    fits, pooled = _fits(train, opts.min_legs)
    notes: list[str] = []
    if isinstance(opts.rule, AreaRule) and not (legs["leg_class"] == "urban").any():
        notes.append(
            "no leg has both ends in an urban unit: check that the units cover the log's area "
            "(every leg was fitted as rural)"
        )
    times: dict[LegClass, ClassTimes] = {}
    for c in CLASSES:
        fit = fits[c]
        m = float(np.clip(fit.multiplier, 0.05, MAX_MULTIPLIER))
        o = float(np.clip(fit.overhead_minutes, 0.0, MAX_OVERHEAD_MINUTES))
        if pooled[c]:
            n_c = int((train["leg_class"] == c).sum())
            notes.append(
                f"only {n_c} {c} legs (fewer than {opts.min_legs}): the {c} class takes the fit "
                "of all the legs together"
            )
        if o != fit.overhead_minutes or m != fit.multiplier:
            notes.append(
                f"the {c} fit ({fit.multiplier:.2f} × model + {fit.overhead_minutes:.1f} min) is "
                f"outside what a profile allows; the profile uses {m:.2f} × model + {o:.1f} min"
            )
        if not fit.converged:
            notes.append(f"the {c} fit did not converge fully: check its numbers")
        times[c] = ClassTimes(round(m, 4), round(o, 3))
    profile = TravelProfile(
        urban=times["urban"],
        rural=times["rural"],
        rule=opts.rule,
        name=opts.name or _stem(source),
        provenance=ProfileProvenance(
            source=source,
            first_date=dates[0] if dates else "",
            last_date=dates[-1] if dates else "",
            legs=len(train),
            urban_legs=int((train["leg_class"] == "urban").sum()),
            rural_legs=int((train["leg_class"] == "rural").sum()),
            fitted_at=opts.fitted_at or "",
            method=METHOD,
        ),
    )
    urban = legs["leg_class"].to_numpy() == "urban"
    legs["predicted_minutes"] = profile.leg_minutes(
        legs["modelled_minutes"].to_numpy(dtype=float), urban, urban
    )
    return Calibration(
        profile=profile,
        fits=fits,
        pooled=pooled,
        legs=legs.reset_index(drop=True),
        holdout=_holdout_errors(legs),
        counts=counts,
        held_out_dates=tuple(held),
        notes=tuple(notes),
        network=network.with_profile(None),
    )


def _held_out(dates: list[str], share: float, seed: int) -> list[str]:
    """Return the held-out dates: ``share`` of them (at least one of two or more), by seed."""
    if len(dates) < 2 or share <= 0:
        return []
    k = max(1, round(share * len(dates)))
    rng = np.random.default_rng(seed)
    return sorted(rng.choice(np.array(dates, dtype=object), size=k, replace=False).tolist())


def _fits(
    train: pd.DataFrame, min_legs: int
) -> tuple[dict[LegClass, ClassFit], dict[LegClass, bool]]:
    """Fit each class on its own legs, or on all the legs when it has too few."""
    t = train["modelled_minutes"].to_numpy(dtype=float)
    g = train["observed_minutes"].to_numpy(dtype=float)
    cls = train["leg_class"].to_numpy()
    fits: dict[LegClass, ClassFit] = {}
    pooled: dict[LegClass, bool] = {}
    everyone: ClassFit | None = None
    for c in CLASSES:
        mine = cls == c
        if mine.sum() >= min_legs:
            fits[c], pooled[c] = fit_class(t[mine], g[mine]), False
        else:
            everyone = everyone or fit_class(t, g)
            fits[c], pooled[c] = everyone, True
    return fits, pooled


def _holdout_errors(legs: pd.DataFrame) -> pd.DataFrame:
    """Median absolute error of the held-out legs' times, before and after, per class."""
    held = legs[legs["held_out"]]
    rows = []
    for c in (*CLASSES, "all"):
        mine = held if c == "all" else held[held["leg_class"] == c]
        obs = mine["observed_minutes"].to_numpy(dtype=float)
        before = np.abs(obs - mine["modelled_minutes"].to_numpy(dtype=float))
        after = np.abs(obs - mine["predicted_minutes"].to_numpy(dtype=float))
        rows.append(
            {
                "leg_class": c,
                "legs": len(mine),
                "mae_before_minutes": float(np.median(before)) if len(mine) else np.nan,
                "mae_after_minutes": float(np.median(after)) if len(mine) else np.nan,
            }
        )
    return pd.DataFrame(rows)


def _stem(source: str) -> str:
    """Return a file name without its suffix (a profile's default name)."""
    stem = source.rsplit(".", 1)[0] if "." in source else source
    return stem.strip() or "profile"
