"""The result of a calibration: :class:`Calibration` (the protocol every result follows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from carezones.calibration.fit import ClassFit
from carezones.calibration.legs import LegCounts
from carezones.network import LegClass, RoadNetwork, TravelProfile
from carezones.network.profile import CLASSES

if TYPE_CHECKING:
    from carezones.io import PathLike
    from carezones.protocol import MapLike

__all__ = ["Calibration"]


@dataclass(frozen=True)
class Calibration:
    """A travel profile fitted on a visit log, with the evidence: what :func:`calibrate` returns.

    Parameters
    ----------
    profile : TravelProfile
        The fitted profile (on the legs of the dates not held out), ready for
        :meth:`RoadNetwork.with_profile <carezones.RoadNetwork.with_profile>` and to be written
        as ``travel-profile.toml``.
    fits : mapping of str to ClassFit
        Per class (``urban``, ``rural``): the fitted line, noise, wait share and mean wait.
    pooled : mapping of str to bool
        Per class: whether it had too few legs and took the fit of all the legs together.
    legs : pandas.DataFrame
        Every leg: ``carer_id``, ``date``, ``seq``, ``from_row``, ``to_row`` (rows of the log),
        ``leg_class``, ``modelled_minutes``, ``observed_minutes``, ``held_out`` and
        ``predicted_minutes`` (by the profile).
    holdout : pandas.DataFrame
        Per class and ``all``: the held-out ``legs`` and the median absolute error of their
        times before (``mae_before_minutes``, the model alone) and after calibration
        (``mae_after_minutes``), waits included (a gap with a wait is an error of both).
    counts : LegCounts
        What the log held and which consecutive visits made no leg.
    held_out_dates : tuple of str
        The dates held out.
    notes : tuple of str
        What the reader should know (a class fitted on all the legs, a fit outside the
        profile's range).
    network : RoadNetwork
        The drive network (without a profile), for the map of the classes.

    Examples
    --------
    >>> calibration.profile.rule.urban_junctions_per_km2
    10.0
    >>> sorted(calibration.fits)
    ['rural', 'urban']
    >>> calibration.legs.columns[:6].tolist()
    ['carer_id', 'date', 'seq', 'from_row', 'to_row', 'leg_class']
    """

    profile: TravelProfile
    fits: Mapping[LegClass, ClassFit]
    pooled: Mapping[LegClass, bool]
    legs: pd.DataFrame
    holdout: pd.DataFrame
    counts: LegCounts
    held_out_dates: tuple[str, ...]
    notes: tuple[str, ...]
    network: RoadNetwork

    @property
    def kpis(self) -> dict[str, Any]:
        """The calibration's headline numbers.

        Returns
        -------
        dict
            ``travel_profile`` (its name), ``legs`` (fitted on), ``held_out_legs``, and per
            class ``<class>_multiplier``, ``<class>_overhead_minutes``, ``<class>_legs``,
            ``<class>_wait_share``, ``<class>_noise_minutes``; the median absolute error of
            the held-out legs ``mae_before_minutes``/``mae_after_minutes`` (all legs) and per
            class.

        Examples
        --------
        >>> k = calibration.kpis
        >>> k["mae_after_minutes"] < k["mae_before_minutes"]
        True
        """
        out: dict[str, Any] = {
            "travel_profile": self.profile.name,
            "legs": int((~self.legs["held_out"]).sum()),
            "held_out_legs": int(self.legs["held_out"].sum()),
        }
        for c in CLASSES:
            fit, times = self.fits[c], self.profile.times(c)
            out[f"{c}_multiplier"] = times.multiplier
            out[f"{c}_overhead_minutes"] = times.overhead_minutes
            out[f"{c}_legs"] = 0 if self.pooled[c] else fit.legs
            out[f"{c}_wait_share"] = round(fit.wait_share, 3)
            out[f"{c}_noise_minutes"] = round(fit.noise_minutes, 2)
        for row in self.holdout.itertuples():
            suffix = "" if row.leg_class == "all" else f"_{row.leg_class}"
            out[f"mae_before_minutes{suffix}"] = _rounded(row.mae_before_minutes)
            out[f"mae_after_minutes{suffix}"] = _rounded(row.mae_after_minutes)
        return out

    def summary(self) -> str:
        """Return the profile, the fits and the hold-out errors in a few lines.

        Returns
        -------
        str
            Plain text.

        Examples
        --------
        >>> print(calibration.summary())  # doctest: +ELLIPSIS
        Travel profile 'synthetic-log' from ... legs of ... visits (...)
        ...
        """
        p, c = self.profile, self.counts
        prov = p.provenance
        dates = f"{prov.first_date} to {prov.last_date}" if prov is not None else ""
        lines = [
            f"Travel profile {p.name!r} from {self.kpis['legs']:,} legs of {c.visits:,} visits "
            f"({dates}; {len(self.held_out_dates)} date(s) held out)",
            f"  {p.rule.describe()}",
        ]
        for cls in CLASSES:
            fit, times = self.fits[cls], p.times(cls)
            basis = "all legs together" if self.pooled[cls] else f"{fit.legs:,} legs"
            lines.append(
                f"  {cls}: {times.multiplier:.2f} × model + {times.overhead_minutes:.1f} min "
                f"({basis}; noise {fit.noise_minutes:.1f} min, a wait on "
                f"{fit.wait_share:.0%} of legs, {fit.mean_wait_minutes:.0f} min on average)"
            )
        for row in self.holdout.itertuples():
            if row.legs:
                lines.append(
                    f"  held-out {row.leg_class} legs ({row.legs:,}): median absolute error "
                    f"{row.mae_before_minutes:.1f} min by the model alone, "
                    f"{row.mae_after_minutes:.1f} min calibrated"
                )
        left_out = c.same_place + c.unroutable + c.breaks
        if left_out:
            lines.append(
                f"  left out: {c.same_place:,} at the same place, {c.unroutable:,} unroutable, "
                f"{c.breaks:,} breaks"
            )
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def to_map(self, *, offline: bool = True) -> MapLike:
        """Return a map of the roads coloured by class (urban or rural by the profile's rule).

        No visit or client is drawn: the map can be shared.

        Parameters
        ----------
        offline : bool
            Embed Leaflet in the page (default); ``False`` links it from a CDN instead.

        Returns
        -------
        folium.Map
            The map.

        Examples
        --------
        >>> type(calibration.to_map()).__name__
        'Map'
        """
        from carezones.report.calibration import calibration_map

        return calibration_map(self, offline=offline)

    def to_files(self, out_dir: PathLike, *, offline: bool = True) -> list[Path]:
        """Write ``travel-profile.toml``, ``legs.csv``, the chart, the map and the summaries.

        ``legs.csv`` names each leg by its carer, date and number in the day only (no place).

        Parameters
        ----------
        out_dir : str or os.PathLike
            The folder (made when missing; replaced whole or not at all).
        offline : bool
            Embed Leaflet in the map (default).

        Returns
        -------
        list of pathlib.Path
            The files written.

        Examples
        --------
        >>> import tempfile
        >>> files = calibration.to_files(tempfile.mkdtemp())
        >>> [p.name for p in files]  # doctest: +NORMALIZE_WHITESPACE
        ['travel-profile.toml', 'legs.csv', 'holdout.csv', 'observed-vs-modelled.svg',
         'summary.md', 'summary.json', 'classes.html']
        """
        from carezones.report.calibration import write_calibration

        return write_calibration(self, out_dir, offline=offline)

    def _repr_html_(self) -> str:
        from carezones.report.calibration import calibration_card

        return calibration_card(self)


def _rounded(value: float) -> float | None:
    """Return minutes to two decimals (``None`` when there is none)."""
    return None if not np.isfinite(value) else round(float(value), 2)
