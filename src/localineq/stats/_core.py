"""Input checks and shared preparation for the measures (private).

Notation: see :mod:`localineq.stats.decomposition`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

Measure = Literal["theil_t", "theil_l", "variance", "gini"]
#: Measures accepted by :func:`decompose` and the functions in :mod:`localineq.stats`.
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
# validation helpers (shared with localineq.stats)
# ---------------------------------------------------------------------------------------------


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def as_1d_float(x: Any, name: str, *, allow_scalar: bool = False) -> np.ndarray:
    """Convert ``x`` to a 1-d float array, refusing non-numeric input with a ValueError.

    A scalar is refused unless ``allow_scalar`` (then it becomes a one-element array).
    Missing values in pandas input become NaN.
    """
    if x is None:
        raise ValueError(f"{name} is None")
    try:
        if hasattr(x, "to_numpy"):
            arr = x.to_numpy(dtype=float, na_value=np.nan)
        else:
            arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if allow_scalar and arr.ndim == 0:
        return np.atleast_1d(arr)
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
    y = as_1d_float(values, "values")
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
    p = as_1d_float(weights, "weights")
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
