r"""Single-number dispersion measures of area values: Gini, Theil T, MLD, variance, CV,
Williamson's coefficient, weighted quantiles and P90/P10.

Notation as in :mod:`localineq.stats.decomposition`: values :math:`y_i`, weight shares
:math:`w_i = p_i/\sum_j p_j` (equal when ``weights=None``), mean :math:`\mu = \sum_i w_i y_i`.
Theil T, MLD and the variance are the totals of :func:`~localineq.stats.decomposition.decompose`
over a single group, so both always agree.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from localineq.stats._core import _gini_rows, _validate_values, _validate_weights, as_1d_float
from localineq.stats.decomposition import decompose

# ---------------------------------------------------------------------------------------------
# single measures
# ---------------------------------------------------------------------------------------------


def gini(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Weighted Gini coefficient, computed in :math:`O(n \log n)`.

    .. math:: G = \frac{1}{2\mu}\sum_i\sum_j w_i w_j |y_i - y_j|

    with :math:`w_i = p_i/\sum p` and :math:`\mu = \sum_i w_i y_i`. This is the
    "population" Gini: with equal weights :math:`G = \sum_i\sum_j |y_i-y_j| / (2n^2\bar y)`,
    so one positive value among :math:`n` gives :math:`1 - 1/n`. Integer weights give the
    same result as repeating each record that many times.

    Parameters
    ----------
    values : array_like, shape (n,)
        Non-negative values with a positive (weighted) mean.
    weights : array_like, shape (n,), optional
        Non-negative weights :math:`p_i`; ``None`` weights every area equally.

    Returns
    -------
    float
        The Gini coefficient in :math:`[0, 1)`.

    Raises
    ------
    ValueError
        On empty input, NaN/inf, negative values, a zero mean, or invalid weights.

    Examples
    --------
    >>> gini([0, 0, 0, 1])
    0.75
    >>> gini([1, 2], weights=[3, 1]) == gini([1, 1, 1, 2])
    True
    """
    y = _validate_values(values, "gini")
    w = _validate_weights(weights, y.size)
    if not np.dot(w, y) > 0:
        raise ValueError("gini needs a positive (weighted) mean; all values are 0")
    return float(_gini_rows(y, w))


def theil_t(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Theil T index :math:`T = \sum_i w_i \frac{y_i}{\mu} \ln \frac{y_i}{\mu}`.

    Parameters
    ----------
    values : array_like, shape (n,)
        Strictly positive values.
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float
        :math:`T \in [0, \ln n]` for equal weights.

    Examples
    --------
    >>> theil_t([1, 1, 1, 1])
    0.0
    >>> round(theil_t([1e-300, 1e-300, 1e-300, 1.0]), 6)  # one rich area: ln 4
    1.386294
    """
    return decompose(values, np.zeros(as_1d_float(values, "values").size), weights).total


def theil_l(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Mean log deviation (Theil L) :math:`L = \sum_i w_i \ln(\mu / y_i)`.

    Parameters
    ----------
    values : array_like, shape (n,)
        Strictly positive values.
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float

    Examples
    --------
    >>> round(theil_l([1, 4]), 6)  # ln(2.5) - (ln 1 + ln 4)/2
    0.223144
    """
    y = as_1d_float(values, "values")
    return decompose(values, np.zeros(y.size), weights, measure="theil_l").total


def variance(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Weighted population variance :math:`V = \sum_i w_i (y_i - \mu)^2`.

    Parameters
    ----------
    values : array_like, shape (n,)
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float

    Examples
    --------
    >>> variance([1, 2, 3, 4])
    1.25
    """
    y = as_1d_float(values, "values")
    return decompose(values, np.zeros(y.size), weights, measure="variance").total


def cv(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Coefficient of variation :math:`CV = \sqrt{\sum_i w_i (y_i-\mu)^2} / \mu`.

    The standard deviation is the population one (divisor :math:`\sum p`, i.e. ``ddof=0``).
    With ``weights`` this is the Williamson index (see :func:`williamson`).

    Parameters
    ----------
    values : array_like, shape (n,)
        Values with a positive (weighted) mean.
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the weighted mean is not positive, or on invalid input.

    Examples
    --------
    >>> cv([1, 3])
    0.5
    """
    y = _validate_values(values)
    w = _validate_weights(weights, y.size)
    mu = float(np.dot(w, y))
    if not mu > 0:
        raise ValueError(f"cv needs a positive (weighted) mean; the mean is {mu}")
    return math.sqrt(float(np.dot(w, (y - mu) ** 2))) / mu


def williamson(values: npt.ArrayLike, weights: npt.ArrayLike) -> float:
    r"""Williamson (1965) index: the population-weighted coefficient of variation.

    .. math:: V_W = \frac{\sqrt{\sum_i (p_i/P)\,(y_i - \bar y)^2}}{\bar y},
        \qquad \bar y = \sum_i (p_i/P)\, y_i, \quad P = \sum_i p_i

    where :math:`y_i` is a per-capita value and :math:`p_i` the area's population, so
    :math:`\bar y` is the national per-capita value. Equal to ``cv(values, weights)``.

    Parameters
    ----------
    values : array_like, shape (n,)
        Per-capita values.
    weights : array_like, shape (n,)
        Populations (required).

    Returns
    -------
    float

    Examples
    --------
    >>> williamson([1, 3], weights=[1, 1])
    0.5
    >>> round(williamson([1, 3], weights=[3, 1]), 6)  # mean 1.5, sd sqrt(0.75)
    0.57735
    """
    if weights is None:
        raise ValueError("williamson needs population weights; use cv() for unweighted data")
    return cv(values, weights)


def weighted_quantile(
    values: npt.ArrayLike, q: float | npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> float | np.ndarray:
    r"""Weighted quantile by inverting the weighted empirical CDF (Hyndman–Fan type 1).

    :math:`Q(q) = \min\{y : F(y) \ge q\}` with :math:`F(y) = \sum_{i: y_i \le y} w_i`.
    With equal weights this equals ``numpy.quantile(values, q, method="inverted_cdf")``;
    integer weights give the same result as repeating records. Cumulative weights are
    compared with a relative tolerance of 1e-12 so that rounding cannot move a quantile
    that sits exactly on a step of :math:`F`.

    Parameters
    ----------
    values : array_like, shape (n,)
    q : float or array_like
        Probabilities in [0, 1].
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float or numpy.ndarray
        A float for scalar ``q``, else an array shaped like ``q``.

    Examples
    --------
    >>> float(weighted_quantile([1, 2, 3, 4], 0.5))
    2.0
    >>> float(weighted_quantile([1, 2, 3, 4], 0.5, weights=[1, 1, 1, 5]))
    4.0
    """
    y = _validate_values(values)
    if weights is None:
        p = np.ones(y.size)
    else:
        _validate_weights(weights, y.size)
        p = as_1d_float(weights, "weights")
    qa = np.asarray(q, dtype=float)
    if np.isnan(qa).any() or (qa < 0).any() or (qa > 1).any():
        raise ValueError(f"q must lie in [0, 1], got {q}")
    order = np.argsort(y, kind="stable")
    ys, cum = y[order], np.cumsum(p[order])
    target = qa * cum[-1] * (1 - 1e-12)
    idx = np.minimum(np.searchsorted(cum, target, side="left"), y.size - 1)
    out = ys[idx]
    return float(out) if out.ndim == 0 else out


def p90_p10(values: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> float:
    r"""Ratio of the 90th to the 10th (weighted) percentile, :math:`Q(0.9)/Q(0.1)`.

    Quantiles invert the weighted empirical CDF (Hyndman–Fan type 1, no interpolation; see
    :func:`weighted_quantile`): :math:`Q(q)` is the smallest value whose cumulative weight share
    reaches :math:`q`. So with population weights, :math:`Q(0.1)` is the value of the area
    in which the 10th percentile *person* lives.

    Parameters
    ----------
    values : array_like, shape (n,)
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights every area equally.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If :math:`Q(0.1) \le 0`, or on invalid input.

    Examples
    --------
    >>> p90_p10(list(range(1, 11)))
    9.0
    """
    lo, hi = weighted_quantile(values, [0.1, 0.9], weights)
    if not lo > 0:
        raise ValueError(f"p90_p10 needs a positive 10th percentile; P10 is {lo}")
    return float(hi / lo)
