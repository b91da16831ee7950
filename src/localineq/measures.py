r"""Inequality measures and their decomposition within and between groups of areas.

Notation (as in ``design.md``, section "Measures"): :math:`y_i` is the value of area
:math:`i` (e.g. a local authority), :math:`p_i \ge 0` its weight (population,
working-age population, ...), :math:`w_i = p_i / \sum_j p_j` its weight share,
:math:`\mu = \sum_i w_i y_i` the weighted mean. Areas are partitioned into groups
:math:`g` (regions) with weight share :math:`v_g = \sum_{i \in g} w_i`, group mean
:math:`\mu_g = \sum_{i \in g} w_i y_i / v_g` and value share
:math:`s_g = \sum_{i \in g} w_i y_i / \mu = v_g \mu_g / \mu`.
"Unweighted" means every :math:`p_i` is equal (``weights=None``).

Measures that take logarithms (Theil T, MLD) need :math:`y > 0`; they refuse other data with
a ``ValueError`` naming the offending positions. No epsilon is ever added and no row is ever
dropped silently. All functions are pure and vectorised.

Decomposable measures (``measure=``):

``"theil_t"``
    :math:`T = \sum_i w_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}
    = \underbrace{\sum_g s_g T_g}_{\text{within}} + \underbrace{\sum_g s_g \ln\frac{\mu_g}{\mu}}_{\text{between}}`
``"theil_l"`` (mean log deviation, MLD)
    :math:`L = \sum_i w_i \ln\frac{\mu}{y_i}
    = \sum_g v_g L_g + \sum_g v_g \ln\frac{\mu}{\mu_g}`
``"variance"``
    :math:`V = \sum_i w_i (y_i-\mu)^2 = \sum_g v_g V_g + \sum_g v_g (\mu_g - \mu)^2`;
    the between share is the weighted :math:`R^2` of a regression on group dummies.
``"gini"``
    :math:`G = \sum_i\sum_j w_i w_j |y_i - y_j| / (2\mu)
    = \sum_g v_g s_g G_g + G_B + R` where :math:`G_B` is the Gini of the group means
    (weighted by :math:`v_g`) and :math:`R \ge 0` is the overlap (residual) term.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "ADDITIVE_MEASURES",
    "MEASURES",
    "BetaConvergence",
    "Decomposition",
    "ICCResult",
    "Profile",
    "beta_convergence",
    "cv",
    "decompose",
    "gini",
    "icc",
    "p90_p10",
    "profile",
    "sigma_convergence",
    "theil_l",
    "theil_t",
    "variance",
    "weighted_quantile",
    "williamson",
]

Measure = Literal["theil_t", "theil_l", "variance", "gini"]
#: Measures accepted by :func:`decompose` and the functions in :mod:`localineq.inference`.
MEASURES: tuple[str, ...] = ("theil_t", "theil_l", "variance", "gini")
#: Measures whose within and between components add up exactly to the total.
ADDITIVE_MEASURES: tuple[str, ...] = ("theil_t", "theil_l", "variance")
_LOG_MEASURES = ("theil_t", "theil_l")
_MEASURE_NAMES = {
    "theil_t": "Theil T",
    "theil_l": "mean log deviation (Theil L)",
    "variance": "variance",
    "gini": "Gini",
}


# ---------------------------------------------------------------------------------------------
# validation helpers (shared with localineq.inference)
# ---------------------------------------------------------------------------------------------


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _as_1d_float(x: Any, name: str) -> np.ndarray:
    """Convert ``x`` to a 1-d float array, refusing non-numeric input with a ValueError."""
    if x is None:
        raise ValueError(f"{name} is None")
    try:
        if hasattr(x, "to_numpy"):
            arr = x.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {arr.shape}")
    return arr


def _check_finite(arr: np.ndarray, name: str) -> None:
    nan = np.isnan(arr)
    if nan.any():
        raise ValueError(
            f"{name} has {int(nan.sum())} missing (NaN) values (first at position {_first(nan)}); "
            "drop or impute them explicitly before calling"
        )
    inf = np.isinf(arr)
    if inf.any():
        i = _first(inf)
        raise ValueError(
            f"{name} has {int(inf.sum())} infinite values (first at position {i}: {arr[i]})"
        )


def _check_measure(measure: str, allowed: Sequence[str] = MEASURES) -> None:
    if measure not in allowed:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(allowed)}")


def _check_domain(
    y: np.ndarray, measure: str, name: str = "values", who: str | None = None
) -> None:
    """Refuse values outside a measure's domain (y > 0 for log measures, y >= 0 for Gini)."""
    if measure in _LOG_MEASURES or measure == "sd_log":
        bad = y <= 0
        if bad.any():
            i = _first(bad)
            raise ValueError(
                f"{who or measure} needs {name} > 0; {int(bad.sum())} {name} are <= 0 "
                f"(first at position {i}: {y[i]})"
            )
    elif measure == "gini":
        bad = y < 0
        if bad.any():
            i = _first(bad)
            raise ValueError(
                f"gini needs {name} >= 0; {int(bad.sum())} {name} are negative "
                f"(first at position {i}: {y[i]})"
            )


def _validate_values(values: npt.ArrayLike, measure: str | None = None) -> np.ndarray:
    y = _as_1d_float(values, "values")
    if y.size == 0:
        raise ValueError("values is empty")
    _check_finite(y, "values")
    if measure is not None:
        _check_domain(y, measure)
    return y


def _validate_weights(weights: npt.ArrayLike | None, n: int) -> np.ndarray:
    """Return weight shares w_i = p_i / sum(p) (all equal when ``weights`` is None)."""
    if weights is None:
        return np.full(n, 1.0 / n)
    p = _as_1d_float(weights, "weights")
    if p.size != n:
        raise ValueError(f"weights has length {p.size} but values has length {n}")
    _check_finite(p, "weights")
    neg = p < 0
    if neg.any():
        i = _first(neg)
        raise ValueError(
            f"weights must be >= 0; {int(neg.sum())} weights are negative "
            f"(first at position {i}: {p[i]})"
        )
    total = p.sum()
    if not total > 0:
        raise ValueError("weights are all zero")
    return p / total


def _factorize(groups: Any, n: int, name: str = "groups") -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 and labels for any hashable group labels (sorted when sortable)."""
    if groups is None:
        raise ValueError(f"{name} is None")
    if isinstance(groups, pd.DataFrame):
        raise ValueError(f"{name} must be 1-dimensional, got a DataFrame")
    if not isinstance(groups, (pd.Series, pd.Index, pd.Categorical, np.ndarray)):
        seq = list(groups)
        groups = np.empty(len(seq), dtype=object)
        groups[:] = seq
    if isinstance(groups, np.ndarray) and groups.ndim != 1:
        raise ValueError(f"{name} must be 1-dimensional, got shape {groups.shape}")
    if len(groups) != n:
        raise ValueError(f"{name} has length {len(groups)} but values has length {n}")
    try:
        codes, labels = pd.factorize(groups, sort=True)
    except TypeError:  # labels of mixed, unorderable types: keep order of appearance
        codes, labels = pd.factorize(groups, sort=False)
    missing = codes < 0
    if missing.any():
        raise ValueError(
            f"{name} has {int(missing.sum())} missing labels "
            f"(first at position {_first(missing)}); every area needs a group"
        )
    return codes.astype(np.intp), np.asarray(labels, dtype=object)


@dataclass(frozen=True)
class _Prepared:
    """Validated inputs: values, weight shares (sum 1), integer group codes and labels."""

    y: np.ndarray
    w: np.ndarray
    codes: np.ndarray
    labels: np.ndarray
    v: np.ndarray  # group weight shares v_g
    counts: np.ndarray  # units per group

    @property
    def n(self) -> int:
        return int(self.y.size)

    @property
    def k(self) -> int:
        return int(self.labels.size)


def _prepare(
    values: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None,
    measure: str,
    allowed: Sequence[str] = MEASURES,
) -> _Prepared:
    _check_measure(measure, allowed)
    y = _validate_values(values, measure)
    w = _validate_weights(weights, y.size)
    codes, labels = _factorize(groups, y.size)
    k = labels.size
    v = np.bincount(codes, weights=w, minlength=k)
    counts = np.bincount(codes, minlength=k)
    empty = v <= 0
    if empty.any():
        g = _first(empty)
        raise ValueError(
            f"group {labels[g]!r} has no units after weights: its {int(counts[g])} units all "
            f"have weight 0 ({int(empty.sum())} such groups); drop them or give them weight"
        )
    return _Prepared(y=y, w=w, codes=codes, labels=labels, v=v, counts=counts)


# ---------------------------------------------------------------------------------------------
# single measures
# ---------------------------------------------------------------------------------------------


def _gini_rows(y: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted Gini of each row of ``y`` (last axis) in O(m log m) by sorting.

    ``w`` are non-negative weights broadcastable to ``y``; each row needs a positive weight sum
    and a positive weighted mean. With :math:`w` normalised per row and units sorted so that
    :math:`y_{(1)} \\le \\dots \\le y_{(m)}` with cumulative weight :math:`c_{(i)}`,
    :math:`\\sum_i\\sum_j w_i w_j |y_i-y_j| = 2\\sum_i w_{(i)} y_{(i)} (2c_{(i)} - w_{(i)} - 1)`,
    because unit :math:`(i)` lies above a weight :math:`c_{(i)}-w_{(i)}` and below
    :math:`1-c_{(i)}`. Ties contribute zero whatever their order.
    """
    y = np.asarray(y, dtype=float)
    w = np.broadcast_to(np.asarray(w, dtype=float), y.shape)
    order = np.argsort(y, axis=-1, kind="stable")
    ys = np.take_along_axis(y, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    ws = ws / ws.sum(axis=-1, keepdims=True)
    cum = np.cumsum(ws, axis=-1)
    wy = ws * ys
    return (wy * (2.0 * cum - ws - 1.0)).sum(axis=-1) / wy.sum(axis=-1)


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
    return decompose(values, np.zeros(_as_1d_float(values, "values").size), weights).total


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
    y = _as_1d_float(values, "values")
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
    y = _as_1d_float(values, "values")
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
        p = _as_1d_float(weights, "weights")
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


# ---------------------------------------------------------------------------------------------
# decomposition
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decomposition:
    """Result of :func:`decompose`.

    Attributes
    ----------
    measure : str
        One of ``"theil_t"``, ``"theil_l"``, ``"variance"``, ``"gini"``.
    total : float
        Inequality among all units.
    between : float
        Between-group component (inequality of group means, see module docstring).
    within : float
        Within-group component, the sum of ``groups["contribution"]``.
    overlap : float
        Gini's residual ``total - between - within`` (0.0 for the additive measures).
    between_share : float
        ``between / total`` (NaN when ``total`` is 0, i.e. all values equal).
    n : int
        Number of units (areas), including any with weight 0.
    groups : pandas.DataFrame
        One row per group (sorted by label when sortable) with columns ``group``, ``n``,
        ``weight_share`` (:math:`v_g`), ``value_share`` (:math:`s_g`), ``mean``
        (:math:`\\mu_g`), ``within`` (the group's own inequality) and ``contribution``
        (its weighted contribution to ``within``: :math:`s_g T_g`, :math:`v_g L_g`,
        :math:`v_g V_g` or :math:`v_g s_g G_g`).
    """

    measure: str
    total: float
    between: float
    within: float
    overlap: float
    between_share: float
    n: int
    groups: pd.DataFrame = field(repr=False, compare=False)

    @property
    def within_share(self) -> float:
        """``within / total``."""
        return self.within / self.total if self.total != 0 else math.nan

    def as_dict(self) -> dict[str, Any]:
        """Scalar attributes as a dict (for building tables)."""
        return {
            "measure": self.measure,
            "n": self.n,
            "n_groups": len(self.groups),
            "total": self.total,
            "between": self.between,
            "within": self.within,
            "overlap": self.overlap,
            "between_share": self.between_share,
        }


def _share(part: float, total: float) -> float:
    return part / total if total != 0 else math.nan


def _decompose_prepared(d: _Prepared, measure: str) -> Decomposition:
    y, w, codes, v, k = d.y, d.w, d.codes, d.v, d.k
    wy = w * y
    ysum = np.bincount(codes, weights=wy, minlength=k)
    mu = float(ysum.sum())
    mug = ysum / v
    wn = w / v[codes]  # weights normalised within each group
    yg = mug[codes]
    overlap = 0.0
    if measure == "theil_t":
        s = ysum / mu
        r = y / mu
        total = float(np.dot(w, r * np.log(r)))
        between = float(np.dot(s, np.log(mug / mu)))
        rg = y / yg
        own = np.bincount(codes, weights=wn * rg * np.log(rg), minlength=k)
        contrib = s * own
    elif measure == "theil_l":
        s = ysum / mu
        total = float(np.dot(w, np.log(mu / y)))
        between = float(np.dot(v, np.log(mu / mug)))
        own = np.bincount(codes, weights=wn * np.log(yg / y), minlength=k)
        contrib = v * own
    elif measure == "variance":
        s = ysum / mu if mu != 0 else np.full(k, math.nan)
        total = float(np.dot(w, (y - mu) ** 2))
        between = float(np.dot(v, (mug - mu) ** 2))
        own = np.bincount(codes, weights=wn * (y - yg) ** 2, minlength=k)
        contrib = v * own
    else:  # gini
        if not mu > 0:
            raise ValueError("gini needs a positive (weighted) mean; all values are 0")
        s = ysum / mu
        total = float(_gini_rows(y, w))
        between = float(_gini_rows(mug, v))
        # within-group Ginis for all groups at once: sort by (group, value)
        order = np.lexsort((y, codes))
        cs, ys, ws = codes[order], y[order], wn[order]
        cum = np.cumsum(ws)
        starts = np.searchsorted(cs, np.arange(k))
        base = np.where(starts > 0, cum[np.maximum(starts - 1, 0)], 0.0)
        cum = cum - base[cs]
        with np.errstate(invalid="ignore", divide="ignore"):
            own = np.bincount(cs, weights=ws * ys * (2 * cum - ws - 1), minlength=k) / mug
        own = np.where(mug > 0, own, 0.0)  # a group of zeros has no inequality
        contrib = v * s * own
    within = float(contrib.sum())
    if measure == "gini":
        overlap = total - between - within
    table = pd.DataFrame(
        {
            "group": d.labels,
            "n": d.counts,
            "weight_share": v,
            "value_share": s,
            "mean": mug,
            "within": own,
            "contribution": contrib,
        }
    )
    return Decomposition(
        measure=measure,
        total=total,
        between=between,
        within=within,
        overlap=overlap,
        between_share=_share(between, total),
        n=d.n,
        groups=table,
    )


def decompose(
    values: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
) -> Decomposition:
    r"""Split inequality among areas into a between-group and a within-group part.

    Parameters
    ----------
    values : array_like, shape (n,)
        Values :math:`y_i` (must be > 0 for ``theil_t``/``theil_l``, >= 0 for ``gini``).
    groups : array_like, shape (n,)
        Group label of each area (any hashable labels, e.g. ITL1 codes).
    weights : array_like, shape (n,), optional
        Non-negative weights :math:`p_i` (e.g. population); ``None`` weights areas equally.
        All arrays are aligned by position (pandas indexes are not used for alignment).
    measure : {"theil_t", "theil_l", "variance", "gini"}
        See the module docstring for the formulas:

        - ``theil_t``: :math:`T = \sum_g s_g T_g + \sum_g s_g \ln(\mu_g/\mu)`
        - ``theil_l``: :math:`L = \sum_g v_g L_g + \sum_g v_g \ln(\mu/\mu_g)`
        - ``variance``: :math:`V = \sum_g v_g V_g + \sum_g v_g (\mu_g-\mu)^2`
        - ``gini``: :math:`G = \sum_g v_g s_g G_g + G(\mu_g; v_g) + \text{overlap}`

    Returns
    -------
    Decomposition
        ``total``, ``between``, ``within``, ``overlap``, ``between_share``, ``n`` and the
        per-group table ``groups``.

    Raises
    ------
    ValueError
        On empty input, NaN/inf, values outside the measure's domain, mismatched lengths,
        missing group labels, negative or all-zero weights, or a group whose units all have
        weight 0.

    Notes
    -----
    For the additive measures ``total == between + within`` up to rounding; with equal weights
    ``theil_t`` equals PySAL's ``inequality.theil.TheilD`` (``T``, ``bg``, ``wg``). The Gini
    between term is the Gini of group means weighted by group weight shares (each unit
    replaced by its group mean), the within term is :math:`\sum_g v_g s_g G_g`, and the
    overlap is the non-negative residual that arises when group ranges overlap.

    Examples
    --------
    Two regions, each of two equal areas: all inequality is between regions.

    >>> d = decompose([1, 1, 3, 3], ["a", "a", "b", "b"])
    >>> round(d.between, 6), d.within, round(d.between_share, 6)
    (0.130812, 0.0, 1.0)
    >>> print(d.groups[["group", "n", "mean"]].to_string(index=False))
    group  n  mean
        a  2   1.0
        b  2   3.0
    >>> v = decompose([1, 2, 3, 4], [0, 0, 1, 1], measure="variance")
    >>> v.total, v.between, v.within
    (1.25, 1.0, 0.25)
    """
    d = _prepare(values, groups, weights, measure)
    return _decompose_prepared(d, measure)


# ---------------------------------------------------------------------------------------------
# nested profile
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """Result of :func:`profile`.

    Attributes
    ----------
    measure : str
    total : float
        Inequality among all units.
    n : int
        Number of units.
    level_names : tuple of str
        Names of the levels, coarsest first.
    components : pandas.DataFrame
        Columns ``level`` (0 = coarsest; ``len(levels)`` for the final row), ``name``,
        ``n_groups`` (for the final row: the number of units), ``component`` and ``share``
        (``component / total``). Row ``j < len(levels)`` is inequality between the groups of
        level ``j`` within their level ``j-1`` parent (the whole population for ``j = 0``);
        the final row, named ``"within <finest>"``, is the units' inequality inside the
        finest groups. ``component`` sums to ``total``.
    """

    measure: str
    total: float
    n: int
    level_names: tuple[str, ...]
    components: pd.DataFrame = field(repr=False, compare=False)


def _level_component(
    measure: str, v: np.ndarray, ysum: np.ndarray, mug: np.ndarray, mu_parent: np.ndarray, mu: float
) -> float:
    if measure == "theil_t":
        return float(np.dot(ysum / mu, np.log(mug / mu_parent)))
    if measure == "theil_l":
        return float(np.dot(v, np.log(mu_parent / mug)))
    return float(np.dot(v, (mug - mu_parent) ** 2))


def profile(
    values: npt.ArrayLike,
    levels: Sequence[Any],
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
    level_names: Sequence[str] | None = None,
) -> Profile:
    r"""Nested decomposition of inequality over a geographic hierarchy.

    For nested partitions :math:`\mathcal{P}_0 \succ \mathcal{P}_1 \succ \dots \succ
    \mathcal{P}_{m-1}` (coarsest first, e.g. ITL1 ⊃ ITL2 ⊃ ITL3 with local authorities as
    units), the additive measures split exactly:

    .. math:: I = \sum_{j=0}^{m-1} B_j + W_{m-1}

    with, for a group :math:`c` of level :math:`j` and its parent :math:`p(c)` at level
    :math:`j-1` (the whole population for :math:`j=0`),

    - Theil T: :math:`B_j = \sum_c s_c \ln(\mu_c/\mu_{p(c)})`,
    - MLD: :math:`B_j = \sum_c v_c \ln(\mu_{p(c)}/\mu_c)`,
    - variance: :math:`B_j = \sum_c v_c (\mu_c-\mu_{p(c)})^2`,

    and :math:`W_{m-1}` the within-group component of the finest level. Each component is
    computed directly (not as a difference), so each is non-negative up to rounding (about
    1e-15). With one level the profile equals :func:`decompose` (``B_0`` = between,
    ``W_0`` = within).

    Parameters
    ----------
    values : array_like, shape (n,)
    levels : sequence of array_like, each shape (n,)
        Group labels of each unit at each level, coarsest first. Every group of a finer
        level must lie within exactly one group of the next coarser level.
    weights : array_like, shape (n,), optional
        Non-negative weights; ``None`` weights units equally.
    measure : {"theil_t", "theil_l", "variance"}
        Gini is not additively decomposable across levels and is refused.
    level_names : sequence of str, optional
        Names for the levels; default: the ``name`` of each level if it is a pandas Series,
        else ``"level_0"``, ``"level_1"``, ...

    Returns
    -------
    Profile

    Raises
    ------
    ValueError
        For ``measure="gini"``, no levels, levels that are not nested (naming an offending
        group), wrong lengths, or any input error of :func:`decompose`.

    Examples
    --------
    >>> y = [1, 2, 3, 4, 10, 20, 30, 40]
    >>> itl1 = ["N", "N", "N", "N", "S", "S", "S", "S"]
    >>> itl2 = ["N1", "N1", "N2", "N2", "S1", "S1", "S2", "S2"]
    >>> p = profile(y, [itl1, itl2], level_names=["itl1", "itl2"])
    >>> print(p.components[["level", "name", "n_groups"]].to_string(index=False))
     level        name  n_groups
         0        itl1         2
         1        itl2         4
         2 within itl2         8
    >>> bool(abs(p.components["component"].sum() - p.total) < 1e-12)
    True
    """
    if measure == "gini":
        raise ValueError(
            "profile needs an additive measure (theil_t, theil_l or variance); the Gini does not "
            "split additively across levels"
        )
    _check_measure(measure, ADDITIVE_MEASURES)
    levels = list(levels)
    if not levels:
        raise ValueError("levels is empty; give at least one level of groups")
    if level_names is None:
        names = [
            str(lv.name) if isinstance(lv, pd.Series) and lv.name is not None else f"level_{j}"
            for j, lv in enumerate(levels)
        ]
    else:
        names = [str(x) for x in level_names]
        if len(names) != len(levels):
            raise ValueError(f"level_names has {len(names)} names for {len(levels)} levels")
    finest = _prepare(values, levels[-1], weights, measure, ADDITIVE_MEASURES)
    y, w, n = finest.y, finest.w, finest.n
    coded = []
    for j, lv in enumerate(levels):
        if j == len(levels) - 1:
            codes, labels = finest.codes, finest.labels
        else:
            try:
                codes, labels = _factorize(lv, n, name=f"level {names[j]!r}")
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        coded.append((codes, labels))
    # nesting: each group of level j lies in exactly one group of level j-1
    parents: list[np.ndarray] = []
    for j in range(1, len(coded)):
        fine, fine_labels = coded[j]
        coarse, coarse_labels = coded[j - 1]
        kc = coarse_labels.size
        pairs = np.unique(fine * kc + coarse)
        child, parent = pairs // kc, pairs % kc
        nparents = np.bincount(child, minlength=fine_labels.size)
        bad = np.flatnonzero(nparents > 1)
        if bad.size:
            g = bad[0]
            inside = ", ".join(repr(x) for x in coarse_labels[parent[child == g]])
            raise ValueError(
                f"levels are not nested: group {fine_labels[g]!r} of level {names[j]!r} lies in "
                f"{int(nparents[g])} groups of level {names[j - 1]!r} ({inside}); "
                f"{bad.size} groups of {names[j]!r} are split like this"
            )
        parent_of = np.empty(fine_labels.size, dtype=np.intp)
        parent_of[child] = parent
        parents.append(parent_of)

    finest_decomposition = _decompose_prepared(finest, measure)
    total = finest_decomposition.total
    mu = float(np.dot(w, y))
    rows = []
    mu_prev = np.array([mu])
    for j, (codes, labels) in enumerate(coded):
        k = labels.size
        v = np.bincount(codes, weights=w, minlength=k)
        ysum = np.bincount(codes, weights=w * y, minlength=k)
        mug = ysum / v
        mu_parent = np.full(k, mu) if j == 0 else mu_prev[parents[j - 1]]
        comp = _level_component(measure, v, ysum, mug, mu_parent, mu)
        rows.append((j, names[j], k, comp))
        mu_prev = mug
    rows.append((len(coded), f"within {names[-1]}", n, finest_decomposition.within))
    comp = pd.DataFrame(rows, columns=["level", "name", "n_groups", "component"])
    comp["share"] = comp["component"] / total if total != 0 else math.nan
    return Profile(measure=measure, total=total, n=n, level_names=tuple(names), components=comp)


# ---------------------------------------------------------------------------------------------
# intraclass correlation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICCResult:
    """Result of :func:`icc`.

    Attributes
    ----------
    icc : float
        :math:`\\sigma^2_u / (\\sigma^2_u + \\sigma^2_e)`.
    between_variance : float
        :math:`\\sigma^2_u`, variance of the group random intercepts.
    within_variance : float
        :math:`\\sigma^2_e`, residual variance.
    n : int
    n_groups : int
    converged : bool
        Whether the REML optimiser reported convergence.
    messages : tuple of str
        Warnings raised by statsmodels during the fit (e.g. estimate on the boundary).
    """

    icc: float
    between_variance: float
    within_variance: float
    n: int
    n_groups: int
    converged: bool = True
    messages: tuple[str, ...] = ()


def icc(values: npt.ArrayLike, groups: Any) -> ICCResult:
    r"""Intraclass correlation from a random-intercept model fitted by REML.

    Fits :math:`y_{ig} = \beta_0 + u_g + e_{ig}` with :math:`u_g \sim N(0, \sigma^2_u)` and
    :math:`e_{ig} \sim N(0, \sigma^2_e)` (``y ~ 1 + (1|group)``) using
    ``statsmodels.MixedLM`` with REML, and returns
    :math:`\rho = \sigma^2_u / (\sigma^2_u + \sigma^2_e)`: the share of variance between groups
    under the model. Units are weighted equally (MixedLM has no case weights). For balanced
    groups of size :math:`m` and :math:`MS_B > MS_W`, REML equals the one-way ANOVA
    estimator :math:`\hat\sigma^2_u = (MS_B - MS_W)/m`, :math:`\hat\sigma^2_e = MS_W`.

    Parameters
    ----------
    values : array_like, shape (n,)
    groups : array_like, shape (n,)
        Group labels; needs at least 2 groups and more units than groups.

    Returns
    -------
    ICCResult

    Raises
    ------
    ValueError
        On invalid input, fewer than 2 groups, or no group with 2 or more units.

    Examples
    --------
    >>> r = icc([1.0, 1.2, 0.8, 3.0, 3.2, 2.8, 5.0, 5.2, 4.8], list("aaabbbccc"))
    >>> round(r.icc, 3), r.n, r.n_groups
    (0.99, 9, 3)
    """
    import statsmodels.api as sm

    y = _validate_values(values)
    codes, labels = _factorize(groups, y.size)
    k = labels.size
    if k < 2:
        raise ValueError(f"icc needs at least 2 groups, got {k}")
    if k >= y.size:
        raise ValueError(f"icc needs more units than groups; got {y.size} units in {k} groups")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = sm.MixedLM(endog=y, exog=np.ones((y.size, 1)), groups=codes)
        res = model.fit(reml=True)
    su = float(np.asarray(res.cov_re)[0, 0])
    se = float(res.scale)
    messages = tuple(dict.fromkeys(str(c.message) for c in caught))
    return ICCResult(
        icc=su / (su + se) if su + se > 0 else math.nan,
        between_variance=su,
        within_variance=se,
        n=int(y.size),
        n_groups=int(k),
        converged=bool(getattr(res, "converged", True)),
        messages=messages,
    )


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
        p = _as_1d_float(weights, "weights")
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
    import statsmodels.api as sm

    y0 = _as_1d_float(initial, "initial")
    y1 = _as_1d_float(final, "final")
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
    exog = sm.add_constant(x, has_constant="add")
    if weights is None:
        res = sm.OLS(growth, exog).fit()
    else:
        p = _validate_weights(weights, y0.size)
        res = sm.WLS(growth, exog, weights=p).fit()
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
