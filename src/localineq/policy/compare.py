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
Precision
    Published values carry 1-2 decimals, while arithmetic on them (a target halfway to a
    benchmark, a standard error from an interval) lands a few units in the 16th digit away
    (``4.1 + 0.5 * (3.3 - 4.1) = 3.6999999999999997``). Every met/failed/significant decision
    therefore goes through :func:`compare_at_precision`: both sides are rounded, as exact
    decimals (``decimal.Decimal``, half away from zero), to the decimals the source
    publishes (:func:`published_decimals`, inferred from the values themselves) before
    they are compared. Two numbers that print the same at the published precision are tied.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import as_1d_float

__all__ = [
    "MAX_DECIMALS",
    "compare_at_precision",
    "improvement",
    "orient",
    "published_decimals",
    "rows_decimals",
    "se_from_interval",
    "significant_difference",
    "z_value",
]

#: Decimals beyond which a value is taken as unrounded (the exports write ``%.10g``).
MAX_DECIMALS = 10


def _decimals_of(x: float) -> int:
    """Decimal places of the shortest repr of ``x`` (``repr`` round-trips floats)."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    return max(0, -int(exponent))  # type: ignore[arg-type]


def published_decimals(values: npt.ArrayLike, cap: int = MAX_DECIMALS) -> int:
    r"""Decimal places the source publishes: the most any finite value carries, at most ``cap``.

    :math:`d = \min(\text{cap}, \max_i d_i)` with :math:`d_i` the places of the shortest
    decimal that round-trips :math:`y_i` (trailing zeros dropped: ``4.90`` counts as 1).
    A source that publishes unrounded ratios (e.g. ``25.76652283``) gets ``cap``, so its
    comparisons are exact to ten places. No finite value: ``cap``.

    Examples
    --------
    >>> published_decimals([4.9, 3.7, 12.0])
    1
    >>> published_decimals([7.49, 8.3, float("nan")])
    2
    >>> published_decimals([25.76652283, 1.0])
    8
    >>> published_decimals([1 / 3])
    10
    """
    y = as_1d_float(values, "values", allow_scalar=True)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return cap
    return min(cap, max(_decimals_of(v) for v in np.unique(y)))


def rows_decimals(rows: Any) -> int:
    """:func:`published_decimals` of an indicator's rows as the source published them.

    Rows whose ``harmonisation`` is not ``published`` (values merged or re-weighted onto
    2023 codes) are computed, not published, and would claim spurious decimals; they are
    left out when the column is there. ``rows`` is a table with a ``value`` column.

    >>> import pandas as pd
    >>> published_decimals(pd.Series([7.81, 7.4512]))
    4
    >>> rows_decimals(pd.DataFrame({"value": [7.81, 7.4512],
    ...                             "harmonisation": ["published", "merger"]}))
    2
    """
    values = rows["value"]
    if "harmonisation" in rows:
        published = rows["harmonisation"].eq("published")
        if published.any():
            values = values[published]
    return published_decimals(values)


def _quantised(x: float, quantum: Decimal) -> Decimal:
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


def compare_at_precision(a: npt.ArrayLike, b: npt.ArrayLike, decimals: int) -> np.ndarray:
    r"""Sign of :math:`a - b` after rounding both to ``decimals`` places as exact decimals.

    :math:`\operatorname{sign}(\operatorname{round}_d(a) - \operatorname{round}_d(b))`,
    rounding half away from zero on the decimal (``repr``) form, so a float that prints as
    ``4.8999999999999995`` ties with ``4.9`` at one decimal. Returns ``-1``, ``0`` or ``1``
    as floats, and NaN where either side is missing. The one comparison used by targets,
    the scorecard and the masking table.

    Examples
    --------
    >>> compare_at_precision([4.8999999999999995, 4.9, 4.94], 4.9, 1).tolist()
    [0.0, 0.0, 0.0]
    >>> compare_at_precision([3.6999999999999997, 3.65, 3.64], 3.7, 1).tolist()
    [0.0, 0.0, -1.0]
    >>> compare_at_precision([7.495, 7.494, float("nan")], 7.5, 2).tolist()
    [0.0, -1.0, nan]
    """
    if decimals < 0:
        raise ValueError(f"decimals must be >= 0, got {decimals}")
    x, y = np.broadcast_arrays(
        as_1d_float(a, "a", allow_scalar=True), as_1d_float(b, "b", allow_scalar=True)
    )
    quantum = Decimal(1).scaleb(-int(decimals))
    out = np.full(x.shape, np.nan)
    for i, (u, v) in enumerate(zip(x, y, strict=True)):
        if np.isfinite(u) and np.isfinite(v):
            out[i] = float((_quantised(u, quantum) - _quantised(v, quantum)).compare(Decimal(0)))
    return out


def orient(values: npt.ArrayLike, higher_is_better: bool) -> np.ndarray:
    """Values with polarity applied: :math:`s\\,y` with :math:`s = +1` or :math:`-1`.

    After orienting, a larger value is always better.

    Examples
    --------
    >>> orient([3.0, 5.0], higher_is_better=False).tolist()
    [-3.0, -5.0]
    """
    return as_1d_float(values, "values", allow_scalar=True) * (1.0 if higher_is_better else -1.0)


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
    b, l_ = (
        as_1d_float(baseline, "baseline", allow_scalar=True),
        as_1d_float(latest, "latest", allow_scalar=True),
    )
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
    # ndtri is what scipy.stats.norm.ppf evaluates (bit for bit; tests/test_compare.py),
    # without importing scipy.stats (about 0.6 s per job). Imported here: most jobs that
    # import this module never ask for a quantile.
    from scipy.special import ndtri

    return float(ndtri(0.5 + level / 2))


def se_from_interval(lower: npt.ArrayLike, upper: npt.ArrayLike, level: float = 0.95) -> np.ndarray:
    """Standard error implied by a published symmetric confidence interval.

    :math:`se = (u - l) / (2 z_{1-\\alpha/2})`; NaN where either bound is missing (no
    published interval), so that no significance is ever claimed without one.

    Examples
    --------
    >>> se_from_interval([8.04], [11.96]).round(3).tolist()
    [1.0]
    """
    lo, hi = (
        as_1d_float(lower, "lower", allow_scalar=True),
        as_1d_float(upper, "upper", allow_scalar=True),
    )
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
    decimals: int | None = None,
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
    decimals : int, optional
        Published precision: :math:`|a - b|` and the critical distance are compared with
        :func:`compare_at_precision` at this many places, so an interval that touches the
        reference (half-width equal to the distance as published) is not significant.
        ``None`` compares the floats as they are.

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
    a_, b_ = as_1d_float(a, "a", allow_scalar=True), as_1d_float(b, "b", allow_scalar=True)
    sa, sb = (
        as_1d_float(se_a, "se_a", allow_scalar=True),
        as_1d_float(se_b, "se_b", allow_scalar=True),
    )
    if (sa < 0).any() or (sb < 0).any():
        raise ValueError("standard errors must be >= 0")
    combined = np.sqrt(sa**2 + sb**2)
    with np.errstate(invalid="ignore"):
        distance, critical = np.abs(a_ - b_), z_value(level) * combined
        if decimals is None:
            out = distance > critical
        else:
            distance, critical = np.broadcast_arrays(distance, critical)
            out = compare_at_precision(distance, critical, decimals) > 0
    return np.asarray(out & np.isfinite(combined) & np.isfinite(a_ - b_), dtype=bool)
