r"""The reference point of a region: weighted mean or population-weighted median.

Gaps ("this authority is below its region"), the masked list and the local targets all compare
an authority with a reference value of its region (ITL1) or of the UK. The usual reference is
the weighted mean

.. math:: \bar y_g = \sum_{i \in g} p_i y_i \Big/ \sum_{i \in g} p_i ,

which a few extreme areas can pull: the City of London's gross disposable household income
of about £129k per head, with Kensington & Chelsea and Westminster, lifts London's mean so far
that most London boroughs look "below their region". The robust alternative is the weighted
median

.. math:: \tilde y_g = \min\{y : \sum_{i \in g,\, y_i \le y} p_i \ge \tfrac12 \sum_{i \in g} p_i\},

the value of the authority where half of the region's weight (residents, for a
population-weighted indicator) lives at or below (:func:`localineq.stats.dispersion.
weighted_quantile`, Hyndman-Fan type 1: always an observed authority's value).

:func:`choose_reference` makes the choice per indicator. ``"auto"`` takes the median where
it *changes the picture*: where, in some region, the share of authorities whose gap to the
region changes sign between the two references reaches a stated threshold
(:func:`reference_check`). Every table that uses a reference carries a ``reference`` column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from localineq.stats.dispersion import weighted_quantile

__all__ = [
    "REFERENCES",
    "choose_reference",
    "group_reference",
    "reference_check",
    "reference_label",
    "references_for",
]

#: Reference statistics offered for gaps, masking and targets.
REFERENCES: tuple[str, ...] = ("mean", "median")

_LABELS = {
    "mean": "population-weighted mean",
    "median": "population-weighted median",
}


def reference_label(method: str, weighted: bool = True) -> str:
    """Plain-language name of a reference, for captions and table notes.

    >>> reference_label("median"), reference_label("mean", weighted=False)
    ('population-weighted median', 'mean (every authority equal)')
    """
    if method not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}, got {method!r}")
    if not weighted:
        return f"{method} (every authority equal)"
    return _LABELS[method]


def _reference(values: np.ndarray, weights: np.ndarray, method: str) -> float:
    ok = np.isfinite(values) & np.isfinite(weights)
    if not ok.any() or weights[ok].sum() <= 0:
        return math.nan
    y, w = values[ok], weights[ok]
    if method == "mean":
        return float(np.dot(w, y) / w.sum())
    if method == "median":
        return float(weighted_quantile(y, 0.5, w))
    raise ValueError(f"reference must be one of {REFERENCES}, got {method!r}")


def group_reference(
    values: pd.Series,
    groups: pd.Series | None,
    weights: pd.Series | None = None,
    method: str = "mean",
) -> pd.Series:
    """Each row's group reference (weighted mean or weighted median of its group's values).

    Parameters
    ----------
    values : pandas.Series
        Values of one indicator in one period (NaN = not published; left out).
    groups : pandas.Series or None
        Group label of each row (e.g. ``itl1_code``); ``None`` = one group (the UK).
    weights : pandas.Series, optional
        The indicator's weights; ``None`` or all missing = every area equal. Weights missing
        for some areas with a value is an error, never silently filled.
    method : {"mean", "median"}

    Returns
    -------
    pandas.Series
        Aligned with ``values``.

    Examples
    --------
    London-like: one extreme area pulls the mean above three of four areas, not the median.

    >>> v = pd.Series([30.0, 32.0, 35.0, 129.0])
    >>> group_reference(v, None, pd.Series([1.0, 1.0, 1.0, 0.1])).round(2).tolist()
    [35.45, 35.45, 35.45, 35.45]
    >>> group_reference(v, None, pd.Series([1.0, 1.0, 1.0, 0.1]), "median").tolist()
    [32.0, 32.0, 32.0, 32.0]
    """
    if method not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}, got {method!r}")
    y = values.to_numpy(dtype=float, na_value=np.nan)
    if weights is None or weights.isna().all():
        w = np.ones(len(y))
    else:
        w = weights.to_numpy(dtype=float, na_value=np.nan)
        gap = np.isfinite(y) & ~np.isfinite(w)
        if gap.any():
            raise ValueError(f"weights missing for {int(gap.sum())} areas with a value")
        if (w[np.isfinite(w)] < 0).any():
            raise ValueError("negative weights")
    g = np.zeros(len(y), dtype=int) if groups is None else pd.factorize(groups)[0]
    out = np.full(len(y), math.nan)
    for code in np.unique(g):
        mask = g == code
        out[mask] = _reference(y[mask], w[mask], method)
    return pd.Series(out, index=values.index)


def reference_check(
    frame: pd.DataFrame, *, region: str = "itl1_code", weight: str = "weight"
) -> pd.DataFrame:
    """How far the choice of reference changes the picture, per indicator and region.

    For each indicator's latest period with values, every authority's gap to its region is
    computed against the weighted mean and the weighted median; a *flip* is an authority
    whose gap changes sign (above one reference, at or below the other).

    Parameters
    ----------
    frame : pandas.DataFrame
        Long rows with ``indicator, period, area_code, value`` and ``region`` / ``weight``.

    Returns
    -------
    pandas.DataFrame
        ``indicator, period, region, n_areas, region_mean, region_median, n_above_mean,
        n_above_median, n_flips, flip_share``.
    """
    present = frame[frame["value"].notna()]
    rows: list[dict[str, Any]] = []
    for indicator, part in present.groupby("indicator", sort=True):
        period = max(part["period"].unique())
        part = part[part["period"] == period]
        w = part.get(weight, None)
        mean = group_reference(part["value"], part[region], w, "mean")
        median = group_reference(part["value"], part[region], w, "median")
        above_mean = part["value"] > mean
        above_median = part["value"] > median
        for g, idx in part.groupby(region, sort=True).groups.items():
            n = len(idx)
            flips = int((above_mean[idx] != above_median[idx]).sum())
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "region": g,
                    "n_areas": n,
                    "region_mean": float(mean[idx].iloc[0]),
                    "region_median": float(median[idx].iloc[0]),
                    "n_above_mean": int(above_mean[idx].sum()),
                    "n_above_median": int(above_median[idx].sum()),
                    "n_flips": flips,
                    "flip_share": flips / n if n else math.nan,
                }
            )
    return pd.DataFrame(rows)


def choose_reference(
    indicators: list[str],
    setting: Mapping[str, Any],
    check: pd.DataFrame | None = None,
) -> dict[str, str]:
    """The reference (``"mean"`` or ``"median"``) of each indicator.

    ``setting`` is the config block ``reference: {default: auto|mean|median,
    auto_threshold: float, overrides: {indicator: mean|median}}``, every key stated (the
    schema requires them and documents the defaults; there is no code default, so a
    misspelt block cannot fall back to a different threshold). ``auto`` chooses the median
    for an indicator where, in at least one region, the share of authorities whose gap
    changes sign between the two references (:func:`reference_check`) is at least
    ``auto_threshold``; otherwise the mean, which then tells the same story.

    Examples
    --------
    >>> chk = pd.DataFrame({"indicator": ["a", "a", "b"], "flip_share": [0.1, 0.4, 0.0]})
    >>> auto = {"default": "auto", "auto_threshold": 0.15, "overrides": {}}
    >>> choose_reference(["a", "b", "c"], auto, chk)
    {'a': 'median', 'b': 'mean', 'c': 'mean'}
    >>> choose_reference(["a", "b"], {**auto, "default": "mean", "overrides": {"b": "median"}})
    {'a': 'mean', 'b': 'median'}
    """
    default = setting["default"]
    threshold = float(setting["auto_threshold"])
    overrides = dict(setting["overrides"] or {})
    if default not in (*REFERENCES, "auto"):
        raise ValueError(f"reference default must be auto, mean or median, got {default!r}")
    out: dict[str, str] = {}
    for key in indicators:
        choice = overrides.get(key, default)
        if choice == "auto":
            if check is None:
                raise ValueError("reference 'auto' needs the reference_check table")
            shares = check.loc[check["indicator"] == key, "flip_share"]
            choice = "median" if len(shares) and float(shares.max()) >= threshold else "mean"
        if choice not in REFERENCES:
            raise ValueError(f"reference of {key!r} must be mean or median, got {choice!r}")
        out[key] = choice
    return out


def references_for(
    frame: pd.DataFrame, indicators: list[str], setting: Mapping[str, Any]
) -> dict[str, str]:
    """:func:`choose_reference` with the :func:`reference_check` of ``frame``.

    Every stage that needs the references (masked list, targets, maps, profiles) calls this
    on the same analysis-ready tables, so all of them make the same choice.
    """
    return choose_reference(indicators, setting, reference_check(frame))
