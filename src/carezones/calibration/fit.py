"""The estimator: a multiplier and an overhead from legs whose gaps may include waits.

A leg's *gap* (the next visit's arrival minus the last visit's departure) is the journey plus,
on some legs, a wait: for a visit's time window, a break, a phone call. Waits only ever add.
So the gap is an upper bound on the journey, and an ordinary least-squares line through the
gaps would be pulled up by every wait. :func:`fit_class` fits a model that says so::

    gap = multiplier × model minutes + overhead + noise + wait

``noise`` is normal with mean 0 and standard deviation ``noise_minutes`` (the journey varies;
the clock is read to the minute). ``wait`` is 0 on a share ``1 - wait_share`` of the legs, and
exponential with mean ``mean_wait_minutes`` on the others. The five numbers are fitted together
by maximum likelihood. A leg's likelihood is a mixture of a normal density (no wait) and an
exponentially modified normal density (a wait). The line is fitted to the legs without a wait,
not to the middle of all the gaps, and the wait share comes out of the fit instead of being
assumed.

Censoring: a gap more than ``censor_minutes`` (45) above the starting line only says that the
carer waited long. It counts as "at least that much wait" (the normal-plus-exponential survival
beyond the limit), whatever its length. Such a leg has no pull on the multiplier or the
overhead, so one lunch break, or one carer who logged out hours late, cannot move the line.

Why not a lower quantile? A quantile regression at level τ is robust in the same way: a point
above the line can rise without moving it. But with noise on both sides, a low quantile sits
below the no-wait legs' median. At τ = 0.25 with a third of the legs waited, the line is about
0.4 noise deviations too low, and the right τ depends on the wait share, which is not known.
The mixture estimates that share. The quantile fit is kept as the starting line: τ = 0.3,
solved exactly as a linear programme on the check loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linprog, minimize
from scipy.sparse import csr_matrix, hstack, identity
from scipy.special import expit, log_ndtr

__all__ = ["ClassFit", "fit_class", "mixture_nll", "quantile_line"]

FloatArray = npt.NDArray[np.float64]

CENSOR_MINUTES = 45.0
_LOG_2PI = float(np.log(2 * np.pi))
_BOUNDS = [  # multiplier, overhead, log noise, logit wait share, log mean wait
    (0.05, 10.0),
    (-60.0, 120.0),
    (float(np.log(0.05)), float(np.log(60.0))),
    (-9.0, 9.0),
    (float(np.log(0.2)), float(np.log(600.0))),
]


@dataclass(frozen=True)
class ClassFit:
    """The fit of one class of legs: what :func:`fit_class` returns.

    Parameters
    ----------
    legs : int
        Legs fitted.
    multiplier : float
        Calibrated minutes per model minute.
    overhead_minutes : float
        Minutes added to every leg.
    noise_minutes : float
        Standard deviation of a leg's journey about the line.
    wait_share : float
        Share of the legs with a wait.
    mean_wait_minutes : float
        Mean wait of the legs with one.
    censored : int
        Legs counted only as "a long wait" (more than the censoring limit above the line).
    converged : bool
        Whether the optimiser reported success.

    Examples
    --------
    >>> from carezones.calibration import ClassFit
    >>> ClassFit(100, 1.3, 4.0, 1.0, 0.3, 12.0, 2, True).predict(np.array([10.0]))
    array([17.])
    """

    legs: int
    multiplier: float
    overhead_minutes: float
    noise_minutes: float
    wait_share: float
    mean_wait_minutes: float
    censored: int
    converged: bool

    def predict(self, model: FloatArray) -> FloatArray:
        """Return the calibrated minutes of legs from their model minutes.

        Parameters
        ----------
        model : numpy.ndarray
            Model minutes.

        Returns
        -------
        numpy.ndarray
            ``multiplier × model + overhead_minutes``.

        Examples
        --------
        >>> ClassFit(100, 2.0, 1.0, 1.0, 0.3, 12.0, 0, True).predict(np.array([1.0, 4.0]))
        array([3., 9.])
        """
        return self.multiplier * np.asarray(model, dtype=float) + self.overhead_minutes


def quantile_line(model: FloatArray, gap: FloatArray, tau: float = 0.3) -> tuple[float, float]:
    """Return the ``tau`` quantile regression line of gaps on model minutes (exact LP).

    Minimises the check loss ``sum(tau * max(r, 0) + (1 - tau) * max(-r, 0))`` of the residuals
    ``r = gap - (m * model + c)`` with HiGHS. At most 4,000 legs are used (an even sample, in
    order), which keeps it quick; it is the mixture fit's starting line.

    Parameters
    ----------
    model, gap : numpy.ndarray
        Model minutes and observed gaps of the legs.
    tau : float, default 0.3
        The quantile level.

    Returns
    -------
    multiplier, overhead : float
        The line.

    Examples
    --------
    >>> t = np.arange(1.0, 21.0)
    >>> m, c = quantile_line(t, 2 * t + 3)
    >>> round(m, 6), round(c, 6)
    (2.0, 3.0)
    """
    t = np.asarray(model, dtype=float)
    g = np.asarray(gap, dtype=float)
    if len(t) > 4000:
        pick = np.linspace(0, len(t) - 1, 4000).round().astype(np.int64)
        t, g = t[pick], g[pick]
    n = len(t)
    # variables: m, c (free), u+ (n), u- (n) >= 0; m*t + c + u+ - u- = g
    cost = np.concatenate([[0.0, 0.0], np.full(n, tau), np.full(n, 1.0 - tau)])
    a_eq = hstack(
        [csr_matrix(np.column_stack([t, np.ones(n)])), identity(n), -identity(n)], format="csr"
    )
    bounds = [(None, None), (None, None)] + [(0.0, None)] * (2 * n)
    res = linprog(cost, A_eq=a_eq, b_eq=g, bounds=bounds, method="highs")
    if not res.success:  # pragma: no cover - the LP is always feasible and bounded
        return 1.0, float(np.quantile(g - t, tau))
    return float(res.x[0]), float(res.x[1])


def _terms(
    theta: FloatArray, model: FloatArray, gap: FloatArray, censored: npt.NDArray[np.bool_]
) -> tuple[float, FloatArray]:
    """Return the mean negative log-likelihood and its gradient (see :func:`mixture_nll`)."""
    m, c, log_s, logit_p, log_mu = (float(x) for x in theta)
    s, mu, p = np.exp(log_s), np.exp(log_mu), float(expit(logit_p))
    r = gap - m * model - c
    r = np.where(censored, CENSOR_MINUTES, r)
    # no wait: normal density; a wait: exponentially modified normal density
    log_a = np.log1p(-p) - log_s - 0.5 * _LOG_2PI - 0.5 * (r / s) ** 2
    z = r / s - s / mu
    log_phi_z = log_ndtr(z)
    log_b = np.log(p) - log_mu + 0.5 * (s / mu) ** 2 - r / mu + log_phi_z
    # censored legs: survival beyond the limit instead of the density
    log_sa = np.log1p(-p) + log_ndtr(-r / s)
    log_sb = np.log(p) + np.logaddexp(log_ndtr(-r / s), 0.5 * (s / mu) ** 2 - r / mu + log_phi_z)
    la = np.where(censored, log_sa, log_a)
    lb = np.where(censored, log_sb, log_b)
    ll = np.logaddexp(la, lb)
    w = np.exp(lb - ll)  # each leg's chance of a wait
    mills = np.exp(-0.5 * z**2 - 0.5 * _LOG_2PI - log_phi_z)  # phi(z) / Phi(z)
    # derivatives of the uncensored terms with respect to r and the log scales
    da_dr = -r / s**2
    db_dr = -1.0 / mu + mills / s
    da_ds = -1.0 + (r / s) ** 2
    db_ds = (s / mu) ** 2 + mills * (-r / s - s / mu)
    db_du = -1.0 - (s / mu) ** 2 + r / mu + mills * s / mu
    dl_dr = np.where(censored, 0.0, (1 - w) * da_dr + w * db_dr)
    # censored terms: r is fixed at the limit, only the scales matter (numerically below)
    n = len(gap)
    grad = np.zeros(5)
    grad[0] = -np.sum(dl_dr * model)
    grad[1] = -np.sum(dl_dr)
    unc = ~censored
    grad[2] = np.sum(((1 - w) * da_ds + w * db_ds)[unc])
    grad[3] = np.sum((1 - w) * -p + w * (1 - p))
    grad[4] = np.sum((w * db_du)[unc])
    if censored.any():
        eps = 1e-6
        for k in (2, 4):
            up = theta.copy()
            up[k] += eps
            f_up = _censored_ll(up, int(censored.sum()))
            f_dn = _censored_ll(theta, int(censored.sum()))
            grad[k] += (f_up - f_dn) / eps
    return float(-ll.sum() / n), -grad / n


def _censored_ll(theta: FloatArray, count: int) -> float:
    """Return the log-likelihood of ``count`` censored legs (without the wait-share term)."""
    _, _, log_s, logit_p, log_mu = (float(x) for x in theta)
    s, mu, p = np.exp(log_s), np.exp(log_mu), float(expit(logit_p))
    r = CENSOR_MINUTES
    z = r / s - s / mu
    la = np.log1p(-p) + log_ndtr(-r / s)
    lb = np.log(p) + np.logaddexp(log_ndtr(-r / s), 0.5 * (s / mu) ** 2 - r / mu + log_ndtr(z))
    return float(count * np.logaddexp(la, lb))


def mixture_nll(
    theta: FloatArray, model: FloatArray, gap: FloatArray, censored: npt.NDArray[np.bool_]
) -> float:
    """Return the mean negative log-likelihood of legs under the mixture (see the module).

    Parameters
    ----------
    theta : numpy.ndarray
        ``(multiplier, overhead, log noise_minutes, logit wait_share, log mean_wait_minutes)``.
    model, gap : numpy.ndarray
        Model minutes and observed gaps.
    censored : numpy.ndarray of bool
        Legs counted only as a wait of more than the censoring limit.

    Returns
    -------
    float
        The mean over the legs.

    Examples
    --------
    >>> t = np.array([5.0, 10.0])
    >>> theta = np.array([1.0, 0.0, 0.0, -1.0, np.log(10.0)])
    >>> round(mixture_nll(theta, t, t, np.zeros(2, dtype=bool)), 3)
    1.19
    """
    return _terms(np.asarray(theta, dtype=float), model, gap, censored)[0]


def fit_class(model: FloatArray, gap: FloatArray) -> ClassFit:
    """Fit a multiplier and an overhead to legs whose gaps may include waits (see the module).

    Parameters
    ----------
    model : numpy.ndarray
        The legs' model minutes (finite, positive).
    gap : numpy.ndarray
        Their observed gaps in minutes (departure to next arrival).

    Returns
    -------
    ClassFit
        The line, the noise, the wait share and mean wait, and how many legs were censored.

    Raises
    ------
    ValueError
        When there are fewer than 3 legs.

    Examples
    --------
    Legs 1.3 × model + 4 minutes long, with normal noise, and a wait on every third leg:

    >>> rng = np.random.default_rng(0)
    >>> t = rng.uniform(1, 20, 600)
    >>> waits = (rng.random(600) < 1 / 3) * rng.exponential(12, 600)
    >>> gap = 1.3 * t + 4 + rng.normal(0, 1, 600) + waits
    >>> fit = fit_class(t, gap)
    >>> round(fit.multiplier, 2), round(fit.overhead_minutes, 1), round(fit.wait_share, 2)
    (1.3, 4.0, 0.34)
    """
    t = np.asarray(model, dtype=float)
    g = np.asarray(gap, dtype=float)
    if len(t) < 3:
        raise ValueError(f"at least 3 legs are needed to fit a line, not {len(t)}")
    m0, c0 = quantile_line(t, g, 0.3)
    r0 = g - (m0 * t + c0)
    censored = r0 > CENSOR_MINUTES
    low = r0[(r0 <= np.quantile(r0, 0.6)) & ~censored]
    s0 = max(0.3, 1.4826 * float(np.median(np.abs(low - np.median(low))))) if len(low) else 1.0
    high = r0[(r0 > 2 * s0) & ~censored]
    mu0 = max(1.0, float(high.mean())) if len(high) else 5.0
    best = None
    for p0 in (0.15, 0.4):
        start = np.array([m0, c0, np.log(s0), np.log(p0 / (1 - p0)), np.log(mu0)])
        res = minimize(
            _terms,
            start,
            args=(t, g, censored),
            jac=True,
            method="L-BFGS-B",
            bounds=_BOUNDS,
        )
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    m, c, log_s, logit_p, log_mu = (float(x) for x in best.x)
    return ClassFit(
        legs=len(t),
        multiplier=m,
        overhead_minutes=c,
        noise_minutes=float(np.exp(log_s)),
        wait_share=float(expit(logit_p)),
        mean_wait_minutes=float(np.exp(log_mu)),
        censored=int(censored.sum()),
        converged=bool(best.success),
    )
