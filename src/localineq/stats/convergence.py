r"""Convergence of areas over time: sigma convergence (the trend of a dispersion measure) and
beta convergence (OLS of annualised log growth on the initial log level), with statsmodels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from localineq.stats._core import (
    _check_domain,
    _check_finite,
    _check_measure,
    _factorize,
    _validate_values,
    _validate_weights,
    as_1d_float,
)
from localineq.stats.decomposition import decompose
from localineq.stats.dispersion import cv, gini, p90_p10

# ---------------------------------------------------------------------------------------------
# convergence
# ---------------------------------------------------------------------------------------------

_SIGMA_MEASURES = (
    "sd_log",
    "cv",
    "williamson",
    "gini",
    "theil_t",
    "theil_l",
    "variance",
    "p90_p10",
)


def _sd_log(y: np.ndarray, w: np.ndarray) -> float:
    ly = np.log(y)
    return math.sqrt(float(np.dot(w, (ly - np.dot(w, ly)) ** 2)))


def sigma_convergence(
    values: npt.ArrayLike,
    periods: Any,
    weights: npt.ArrayLike | None = None,
    measure: str = "sd_log",
) -> pd.DataFrame:
    r"""Sigma convergence: one dispersion measure per period.

    Regions sigma-converge when the dispersion of their values falls over time. Data come in
    long form (one row per area and period), e.g. the columns of a tidy table.

    Parameters
    ----------
    values : array_like, shape (n,)
        Values of every area in every period.
    periods : array_like, shape (n,)
        Period of each row (any sortable labels: years, ISO 8601 period strings, ...).
    weights : array_like, shape (n,), optional
        Non-negative weights (e.g. each area's population in that period); normalised within
        each period. ``None`` weights areas equally.
    measure : str
        ``"sd_log"`` (default, the classic :math:`\sigma_t = \sqrt{\sum_i w_i (\ln y_{it} -
        \overline{\ln y_t})^2}`, needs y > 0), ``"cv"``, ``"williamson"`` (weighted CV; needs
        weights), ``"gini"``, ``"theil_t"``, ``"theil_l"``, ``"variance"`` or ``"p90_p10"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``period``, ``n`` (areas in that period), ``measure``, ``dispersion``;
        one row per period, sorted by period.

    Raises
    ------
    ValueError
        On invalid input (checked per period for the measure's domain).

    Examples
    --------
    >>> df = sigma_convergence([1, 4, 2, 3], [2000, 2000, 2010, 2010], measure="cv")
    >>> print(df[["period", "n", "dispersion"]].to_string(index=False))
     period  n  dispersion
       2000  2         0.6
       2010  2         0.2
    """
    _check_measure(measure, _SIGMA_MEASURES)
    y = _validate_values(values)
    if weights is not None:
        _validate_weights(weights, y.size)
        p = as_1d_float(weights, "weights")
    elif measure == "williamson":
        raise ValueError("sigma_convergence(measure='williamson') needs weights")
    else:
        p = None
    codes, labels = _factorize(periods, y.size, name="periods")
    rows = []
    for g, label in enumerate(labels):
        sel = codes == g
        yg = y[sel]
        pg = None if p is None else p[sel]
        if measure == "sd_log":
            _check_domain(yg, "sd_log")
            val = _sd_log(yg, _validate_weights(pg, yg.size))
        elif measure in ("cv", "williamson"):
            val = cv(yg, pg)
        elif measure == "gini":
            val = gini(yg, pg)
        elif measure == "p90_p10":
            val = p90_p10(yg, pg)
        else:
            val = decompose(yg, np.zeros(yg.size), pg, measure=measure).total  # type: ignore[arg-type]
        rows.append((label, int(sel.sum()), measure, val))
    return pd.DataFrame(rows, columns=["period", "n", "measure", "dispersion"])


@dataclass(frozen=True)
class BetaConvergence:
    """Result of :func:`beta_convergence`.

    Attributes
    ----------
    beta : float
        Slope of annualised log growth on initial log level (negative = convergence).
    se : float
        Its standard error (conventional OLS/WLS).
    ci_low, ci_high : float
        Confidence interval for ``beta`` at ``level``.
    pvalue : float
        Two-sided p-value for ``beta = 0``.
    intercept : float
    r_squared : float
    speed : float
        Implied speed of convergence :math:`\\lambda = -\\ln(1 + \\beta T)/T` (per year); NaN
        when :math:`1 + \\beta T \\le 0`.
    half_life : float
        :math:`\\ln 2 / \\lambda` in years; NaN unless :math:`\\lambda > 0`.
    n : int
    years : float
    level : float
    weighted : bool
    """

    beta: float
    se: float
    ci_low: float
    ci_high: float
    pvalue: float
    intercept: float
    r_squared: float
    speed: float
    half_life: float
    n: int
    years: float
    level: float
    weighted: bool


def beta_convergence(
    initial: npt.ArrayLike,
    final: npt.ArrayLike,
    years: float,
    weights: npt.ArrayLike | None = None,
    level: float = 0.95,
) -> BetaConvergence:
    r"""Absolute beta convergence: regress annualised log growth on initial log level.

    Fits by OLS (``statsmodels``; WLS when ``weights`` are given)

    .. math:: \frac{\ln y_{i,T} - \ln y_{i,0}}{T} = \alpha + \beta \ln y_{i,0} + \varepsilon_i

    where :math:`T` = ``years`` elapsed between the two observations. :math:`\beta < 0` means
    poorer areas grew faster. Under the neoclassical model
    :math:`\beta = -(1 - e^{-\lambda T})/T`, so the implied speed of convergence is
    :math:`\lambda = -\ln(1 + \beta T)/T` and the half-life :math:`\ln 2/\lambda`.

    Parameters
    ----------
    initial, final : array_like, shape (n,)
        Strictly positive values of each area at the start and end (same area order).
    years : float
        Years between the two observations (> 0).
    weights : array_like, shape (n,), optional
        Non-negative regression weights (WLS); ``None`` for OLS.
    level : float
        Confidence level for the interval of ``beta``.

    Returns
    -------
    BetaConvergence

    Raises
    ------
    ValueError
        On non-positive values, NaN, mismatched lengths, ``years <= 0``, fewer than 3 areas,
        constant initial values, or ``level`` outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> y0 = np.array([1.0, 2.0, 4.0, 8.0])
    >>> y10 = y0 * np.exp(-0.02 * 10 * np.log(y0))  # exact beta of -0.02
    >>> r = beta_convergence(y0, y10, years=10)
    >>> round(r.beta, 10), r.n, round(r.speed, 6)
    (-0.02, 4, 0.022314)
    """
    # Only the regression and tools modules: `statsmodels.api` imports every model (~0.5 s).
    from statsmodels.regression.linear_model import OLS, WLS
    from statsmodels.tools.tools import add_constant

    y0 = as_1d_float(initial, "initial")
    y1 = as_1d_float(final, "final")
    if y0.size != y1.size:
        raise ValueError(f"final has length {y1.size} but initial has length {y0.size}")
    if y0.size == 0:
        raise ValueError("initial is empty")
    for arr, name in ((y0, "initial"), (y1, "final")):
        _check_finite(arr, name)
        _check_domain(arr, "theil_t", name, who="beta_convergence")
    if not (np.isfinite(years) and years > 0):
        raise ValueError(f"years must be a positive number, got {years}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    if y0.size < 3:
        raise ValueError(f"beta_convergence needs at least 3 areas, got {y0.size}")
    x = np.log(y0)
    if np.ptp(x) == 0:
        raise ValueError("initial values are all equal; the slope is not identified")
    growth = (np.log(y1) - x) / years
    exog = add_constant(x, has_constant="add")
    if weights is None:
        res = OLS(growth, exog).fit()
    else:
        p = _validate_weights(weights, y0.size)
        res = WLS(growth, exog, weights=p).fit()
    beta = float(res.params[1])
    lo, hi = np.asarray(res.conf_int(alpha=1 - level))[1]
    arg = 1 + beta * years
    speed = -math.log(arg) / years if arg > 0 else math.nan
    half_life = math.log(2) / speed if speed > 0 else math.nan
    return BetaConvergence(
        beta=beta,
        se=float(res.bse[1]),
        ci_low=float(lo),
        ci_high=float(hi),
        pvalue=float(res.pvalues[1]),
        intercept=float(res.params[0]),
        r_squared=float(res.rsquared),
        speed=speed,
        half_life=half_life,
        n=int(y0.size),
        years=float(years),
        level=float(level),
        weighted=weights is not None,
    )
