r"""Polarity and significance: the comparison rules shared by every policy table.

Polarity
    ``higher_is_better=False`` indicators (claimant count, unemployment, child poverty,
    housing affordability) are *oriented* before any comparison: :func:`orient` multiplies
    by :math:`s = +1` (higher is better) or :math:`s = -1`, so "better" always means "larger
    oriented value"; :func:`improvement` is :math:`s\,(y_{latest} - y_{baseline})`.
Significance
    From a published 95% interval :math:`[l, u]` the standard error is
    :math:`se = (u - l) / (2 z_{0.975})` (:func:`se_from_interval`). Two estimates differ
    significantly when :math:`|a - b| > z_{1-\alpha/2} \sqrt{se_a^2 + se_b^2}`
    (:func:`significant_difference`), the errors **assumed independent**. For survey
    estimates of one area in two years (APS, ASHE) the samples overlap, the covariance is
    positive, and ignoring it overstates the standard error of the change: the test is
    conservative. Overlap of two intervals is never the test (it is far too strict).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["improvement", "orient", "se_from_interval", "significant_difference", "z_value"]


def _arr(x: Any, name: str) -> np.ndarray:
    try:
        if hasattr(x, "to_numpy"):
            out = x.to_numpy(dtype=float, na_value=np.nan)
        else:
            out = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if out.ndim > 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {out.shape}")
    return np.atleast_1d(out)


def orient(values: npt.ArrayLike, higher_is_better: bool) -> np.ndarray:
    """Values with polarity applied: :math:`s\\,y` with :math:`s = +1` or :math:`-1`.

    After orienting, a larger value is always better.

    Examples
    --------
    >>> orient([3.0, 5.0], higher_is_better=False).tolist()
    [-3.0, -5.0]
    """
    return _arr(values, "values") * (1.0 if higher_is_better else -1.0)


def improvement(
    baseline: npt.ArrayLike, latest: npt.ArrayLike, higher_is_better: bool
) -> np.ndarray:
    """Change from baseline to latest, positive when the area got better.

    :math:`\\Delta_i = s\\,(y_{i,latest} - y_{i,baseline})`; NaN where either end is missing.

    Examples
    --------
    >>> improvement([5.0, 5.0], [4.0, 6.0], higher_is_better=False).tolist()  # claimant count
    [1.0, -1.0]
    """
    b, l_ = _arr(baseline, "baseline"), _arr(latest, "latest")
    if b.shape != l_.shape:
        raise ValueError(f"latest has shape {l_.shape} but baseline has shape {b.shape}")
    return (l_ - b) * (1.0 if higher_is_better else -1.0)


def z_value(level: float = 0.95) -> float:
    """Two-sided normal critical value :math:`z_{1-\\alpha/2}` for confidence ``level``.

    Examples
    --------
    >>> round(z_value(0.95), 4)
    1.96
    """
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    # Imported here: scipy.stats takes ~0.8 s to import, and every job that reads the
    # indicator tables imports this module (through outputs.area_tables) without needing it.
    from scipy import stats

    return float(stats.norm.ppf(0.5 + level / 2))


def se_from_interval(lower: npt.ArrayLike, upper: npt.ArrayLike, level: float = 0.95) -> np.ndarray:
    """Standard error implied by a published symmetric confidence interval.

    :math:`se = (u - l) / (2 z_{1-\\alpha/2})`; NaN where either bound is missing (no
    published interval), so that no significance is ever claimed without one.

    Examples
    --------
    >>> se_from_interval([8.04], [11.96]).round(3).tolist()
    [1.0]
    """
    lo, hi = _arr(lower, "lower"), _arr(upper, "upper")
    if lo.shape != hi.shape:
        raise ValueError(f"upper has shape {hi.shape} but lower has shape {lo.shape}")
    se = (hi - lo) / (2 * z_value(level))
    bad = se < 0
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"upper bound below lower bound at position {i}: [{lo[i]}, {hi[i]}]")
    return se


def significant_difference(
    a: npt.ArrayLike,
    se_a: npt.ArrayLike,
    b: npt.ArrayLike,
    se_b: npt.ArrayLike,
    level: float = 0.95,
) -> np.ndarray:
    r"""Whether estimates ``a`` and ``b`` differ significantly, with combined standard errors.

    .. math:: |a - b| > z_{1-\alpha/2}\,\sqrt{se_a^2 + se_b^2}

    The two errors are assumed independent (covariance zero). A fixed reference (a target
    level) has ``se = 0``. Where any input is NaN (value or interval not published) the
    answer is ``False``: significance is claimed only where the published intervals
    support it. Overlap of the two intervals is deliberately not the test.

    Parameters
    ----------
    a, b : array_like
        Estimates (broadcast together).
    se_a, se_b : array_like
        Their standard errors, e.g. from :func:`se_from_interval`.
    level : float
        Confidence level (default 0.95).

    Returns
    -------
    numpy.ndarray of bool

    Examples
    --------
    Intervals 10 ± 1.96 and 13 ± 1.96 overlap (11.96 > 11.04), yet the difference 3 exceeds
    :math:`1.96\sqrt{2} = 2.77`:

    >>> significant_difference(10.0, 1.0, 13.0, 1.0).tolist()
    [True]
    >>> significant_difference(10.0, 1.0, 12.0, 1.0).tolist()
    [False]
    >>> significant_difference(10.0, float("nan"), 20.0, 1.0).tolist()
    [False]
    """
    a_, b_ = _arr(a, "a"), _arr(b, "b")
    sa, sb = _arr(se_a, "se_a"), _arr(se_b, "se_b")
    if (sa < 0).any() or (sb < 0).any():
        raise ValueError("standard errors must be >= 0")
    combined = np.sqrt(sa**2 + sb**2)
    with np.errstate(invalid="ignore"):
        out = np.abs(a_ - b_) > z_value(level) * combined
    return np.asarray(out & np.isfinite(combined) & np.isfinite(a_ - b_), dtype=bool)
