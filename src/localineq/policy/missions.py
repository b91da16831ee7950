r"""Levelling-Up mission tests, at the regional lens and at the local lens.

The Levelling Up White Paper (*Levelling Up the United Kingdom*, HM Government, 2 February
2022) sets twelve missions for 2030. Most are tracked by region (ITL1). This module puts a
mission's wording to the test on the same data seen through two lenses:

* **regional lens**: each ITL1 region's value is the weighted mean of its local authorities'
  values, with each indicator's own weights
  (:func:`localineq.policy.lenses.regional_panel`);
* **local lens**: every local authority (LAD23; upper-tier areas for healthy life expectancy).

The comparison rules are shared with the local targets: polarity and significance live in
:mod:`localineq.policy.compare`, periods and the baseline rule in
:mod:`localineq.policy.periods`, the lenses and the back-test in :mod:`localineq.policy.lenses`.

Verdicts
    ``"met"``, ``"failed"`` or ``"no_data"``. An area missing at either end is ``no_data``
    and is never counted as met or failed. A test with no area that has data at both ends
    is ``no_data`` as a whole.
Ties
    No change is not a rise: an area whose value is unchanged *fails* a "rise" test
    (``ties="failed"``, the default; ``ties="met"`` reads the wording as "did not fall").
    A gap that is unchanged has not narrowed.
Significance
    A failure is *significant* when :func:`~localineq.policy.compare.significant_difference`
    says so: the difference exceeds :math:`z_{0.975}` combined standard errors taken from the
    published 95% intervals, errors assumed independent; never interval overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from localineq.policy.compare import (
    MAX_DECIMALS,
    compare_at_precision,
    improvement,
    orient,
    significant_difference,
    z_value,
)
from localineq.policy.results import (
    FAILED,
    MET,
    NO_DATA,
    TestResult,
    _inputs,
    _summarise,
    _weights,
)
from localineq.stats._core import as_1d_float

__all__ = [
    "FAILED",
    "GAP_MEASURES",
    "MET",
    "RATIO_GAP_MEASURES",
    "NO_DATA",
    "TESTS",
    "TestResult",
    "gap",
    "gap_narrows",
    "level_reached",
    "rise_everywhere",
    "top_group",
    "trajectory_on_course",
    "worst_improve_by",
]

#: Gap measures accepted by :func:`gap` and :func:`gap_narrows`.
GAP_MEASURES: tuple[str, ...] = ("top_tenth_vs_rest", "max_min", "p90_p10", "top_tenth_ratio")
#: Scale-free gap measures: a common rescaling of every value (inflation) cannot move them.
RATIO_GAP_MEASURES: tuple[str, ...] = ("top_tenth_ratio", "p90_p10")
#: Test names accepted by :func:`localineq.policy.lenses.evaluate_test`.
TESTS: tuple[str, ...] = (
    "rise_everywhere",
    "gap_narrows",
    "level_reached",
    "worst_improve_by",
    "trajectory",
)


def rise_everywhere(
    areas: Sequence[Any],
    baseline: npt.ArrayLike,
    latest: npt.ArrayLike,
    higher_is_better: bool = True,
    *,
    population: npt.ArrayLike | None = None,
    se_baseline: npt.ArrayLike | None = None,
    se_latest: npt.ArrayLike | None = None,
    ties: Literal["failed", "met"] = "failed",
    level: float = 0.95,
    decimals: int = MAX_DECIMALS,
) -> TestResult:
    r"""Every area improved between baseline and latest (polarity-aware).

    Area :math:`i` meets the test when :math:`\Delta_i = s\,(y_{i,latest} - y_{i,baseline})
    > 0` (see :func:`improvement`); :math:`\Delta_i = 0` is a tie, failed unless
    ``ties="met"``. An area missing at either end is ``no_data``. The test as a whole is
    met when every area with data met it. A failure is *significant* when the fall is
    significant by :func:`significant_difference` (independent errors at both ends).

    Parameters
    ----------
    areas : sequence
        Area labels.
    baseline, latest : array_like, shape (n,)
        Values at the two ends (NaN = missing).
    higher_is_better : bool
    population : array_like, optional
        People living in each area (for ``population_failed``); defaults to 1 per area.
    se_baseline, se_latest : array_like, optional
        Standard errors (NaN or ``None`` = no published interval).
    ties : {"failed", "met"}
    level : float
    decimals : int
        Published precision: rise, fall and tie are decided by
        :func:`~localineq.policy.compare.compare_at_precision` at this many places.

    Returns
    -------
    TestResult
        ``gap_baseline``/``gap_latest`` are NaN; ``areas`` has columns ``area, baseline,
        latest, change, verdict, significant``.

    Examples
    --------
    >>> r = rise_everywhere(list("abc"), [1, 2, 3], [2, 2, float("nan")])
    >>> r.verdict, r.n_met, r.n_failed, r.n_no_data
    ('failed', 1, 1, 1)
    """
    if ties not in ("failed", "met"):
        raise ValueError(f"ties must be 'failed' or 'met', got {ties!r}")
    labels = list(areas)
    n = len(labels)
    b, l_ = _inputs(n, baseline, "baseline"), _inputs(n, latest, "latest")
    delta = improvement(b, l_, higher_is_better)
    have = np.isfinite(delta)
    sign = compare_at_precision(orient(l_, higher_is_better), orient(b, higher_is_better), decimals)
    met = have & ((sign > 0) | ((sign == 0) & (ties == "met")))
    verdict = np.where(~have, NO_DATA, np.where(met, MET, FAILED))
    sb, sl = _inputs(n, se_baseline, "se_baseline"), _inputs(n, se_latest, "se_latest")
    sig = (
        significant_difference(b, sb, l_, sl, level, decimals=decimals)
        & (verdict == FAILED)
        & (sign < 0)
    )
    known = np.isfinite(sb) & np.isfinite(sl)
    detail = pd.DataFrame(
        {
            "area": labels,
            "baseline": b,
            "latest": l_,
            "change": delta,
            "verdict": verdict,
            "significant": sig,
        }
    )
    return _summarise("rise_everywhere", detail, _weights(n, population, "population"), known)


def gap(
    values: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
    higher_is_better: bool = True,
    measure: str = "top_tenth_vs_rest",
    share: float = 0.1,
) -> float:
    r"""Gap between top-performing areas and the rest, by one of three measures.

    ``"top_tenth_vs_rest"`` (the headline)
        Rank areas by oriented value; the top group is every area at least as good as the
        :math:`k`-th best, :math:`k = \lceil \text{share}\cdot n \rceil` (areas tied at the
        boundary all join the top). The gap is :math:`s\,(\bar y_{top} - \bar y_{rest})`,
        the difference of the two weighted means (in the indicator's units; positive when
        the top is better).
    ``"max_min"``
        :math:`\max_i y_i - \min_i y_i` (polarity does not matter).
    ``"p90_p10"``
        :math:`Q(0.9)/Q(0.1)` of the weighted values (type 1 quantiles; needs
        :math:`Q(0.1) > 0`).
    ``"top_tenth_ratio"`` (scale-free, for money and rates)
        The same top group, as a ratio of weighted means: :math:`\bar y_{top} / \bar y_{rest}`
        when higher is better, :math:`\bar y_{rest} / \bar y_{top}` when lower is better
        (so it is at least 1 and shrinks as the gap closes); needs positive values.
        Multiplying every value by one price factor leaves it unchanged.

    Parameters
    ----------
    values : array_like, shape (n,)
        Finite values (drop missing areas first).
    weights : array_like, optional
        The indicator's own weights; ``None`` = equal.
    higher_is_better : bool
    measure : str
        One of :data:`GAP_MEASURES`.
    share : float
        Share of areas in the top group (default one tenth).

    Returns
    -------
    float

    Examples
    --------
    >>> gap([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])  # top = {10}, rest mean 5
    5.0
    >>> gap([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], higher_is_better=False)  # top = {1}, rest mean 6
    5.0
    >>> gap([1, 2, 3], measure="max_min")
    2.0
    >>> gap([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], measure="top_tenth_ratio")  # 10 / 5
    2.0
    """
    y = as_1d_float(values, "values", allow_scalar=True)
    if y.size == 0 or not np.isfinite(y).all():
        raise ValueError("gap needs at least one value and no missing values")
    w = _weights(y.size, weights)
    if measure not in GAP_MEASURES:
        raise ValueError(f"unknown gap measure {measure!r}; choose one of {GAP_MEASURES}")
    if measure == "max_min":
        return float(y.max() - y.min())
    if measure == "p90_p10":
        from localineq.stats.dispersion import weighted_quantile

        lo, hi = weighted_quantile(y, [0.1, 0.9], w)
        if not lo > 0:
            raise ValueError(f"p90_p10 needs a positive 10th percentile; P10 is {lo}")
        return float(hi / lo)
    if not 0 < share < 1:
        raise ValueError(f"share must lie in (0, 1), got {share}")
    top = top_group(y, higher_is_better, share)
    ratio = measure == "top_tenth_ratio"
    if ratio and not (y > 0).all():
        raise ValueError("top_tenth_ratio needs positive values")
    if top.all():
        return 1.0 if ratio else 0.0
    mean_top = np.average(y[top], weights=w[top]) if w[top].sum() > 0 else y[top].mean()
    mean_rest = np.average(y[~top], weights=w[~top]) if w[~top].sum() > 0 else y[~top].mean()
    if ratio:
        return float(mean_top / mean_rest if higher_is_better else mean_rest / mean_top)
    return float((mean_top - mean_rest) * (1.0 if higher_is_better else -1.0))


def top_group(
    values: npt.ArrayLike, higher_is_better: bool = True, share: float = 0.1
) -> np.ndarray:
    r"""Which areas form the top group of :func:`gap`: at least as good as the :math:`k`-th best.

    :math:`k = \max(1, \lceil \text{share} \cdot n \rceil)`; areas tied at the boundary all
    join, so the group can be larger than :math:`k` (count it to name it: "top 2 of 12").

    >>> top_group([1, 5, 3, 5], share=0.25).tolist()
    [False, True, False, True]
    """
    if not 0 < share < 1:
        raise ValueError(f"share must lie in (0, 1), got {share}")
    o = orient(values, higher_is_better)
    k = max(1, math.ceil(share * o.size))
    threshold = np.sort(o)[::-1][k - 1]
    return o >= threshold


def gap_narrows(
    areas: Sequence[Any],
    baseline: npt.ArrayLike,
    latest: npt.ArrayLike,
    higher_is_better: bool = True,
    *,
    weights_baseline: npt.ArrayLike | None = None,
    weights_latest: npt.ArrayLike | None = None,
    measure: str = "top_tenth_vs_rest",
    share: float = 0.1,
) -> TestResult:
    r"""The gap between top-performing and other areas narrowed from baseline to latest.

    The gap (:func:`gap`) is computed at each end over the same areas: those with values at
    both ends (the others are counted in ``n_no_data``), with the top group re-ranked at
    each end. Met when :math:`G_{latest} < G_{baseline}`; an unchanged gap has not
    narrowed. ``measure`` picks the headline (:data:`GAP_MEASURES`); all three are reported
    in ``extra`` as ``gap_<measure>_baseline`` / ``gap_<measure>_latest``.

    Per-area counts do not apply: ``n_met``, ``n_failed`` and ``population_failed`` are 0
    and ``n_failed_significant`` is ``None`` (no interval is published for a gap).

    Examples
    --------
    >>> r = gap_narrows(list("abcd"), [1, 2, 3, 10], [2, 3, 4, 8], share=0.25)
    >>> r.verdict, r.gap_baseline, r.gap_latest
    ('met', 8.0, 5.0)
    """
    labels = list(areas)
    n = len(labels)
    b, l_ = _inputs(n, baseline, "baseline"), _inputs(n, latest, "latest")
    wb, wl = _weights(n, weights_baseline), _weights(n, weights_latest)
    have = np.isfinite(b) & np.isfinite(l_) & np.isfinite(wb) & np.isfinite(wl)
    detail = pd.DataFrame(
        {
            "area": labels,
            "baseline": b,
            "latest": l_,
            "verdict": np.where(have, "", NO_DATA),
            "significant": False,
        }
    )
    extra: dict[str, float] = {}
    gb = gl = math.nan
    if have.sum() >= 2:
        for m in GAP_MEASURES:
            try:
                vb = gap(b[have], wb[have], higher_is_better, m, share)
                vl = gap(l_[have], wl[have], higher_is_better, m, share)
            except ValueError:
                vb = vl = math.nan
            extra[f"gap_{m}_baseline"], extra[f"gap_{m}_latest"] = vb, vl
        gb, gl = extra[f"gap_{measure}_baseline"], extra[f"gap_{measure}_latest"]
        extra["gap_top_n_baseline"] = int(top_group(b[have], higher_is_better, share).sum())
        extra["gap_top_n_latest"] = int(top_group(l_[have], higher_is_better, share).sum())
        extra["gap_n_compared"] = int(have.sum())
    if measure not in GAP_MEASURES:
        raise ValueError(f"unknown gap measure {measure!r}; choose one of {GAP_MEASURES}")
    verdict = NO_DATA if not (np.isfinite(gb) and np.isfinite(gl)) else (MET if gl < gb else FAILED)
    return TestResult(
        test="gap_narrows",
        verdict=verdict,
        n_areas=n,
        n_met=0,
        n_failed=0,
        n_no_data=int((~have).sum()),
        n_failed_significant=None,
        population_failed=0.0,
        gap_baseline=gb,
        gap_latest=gl,
        areas=detail,
        extra={"gap_measure": measure, **extra},  # type: ignore[dict-item]
    )


def level_reached(
    areas: Sequence[Any],
    latest: npt.ArrayLike,
    target: float,
    higher_is_better: bool = True,
    *,
    population: npt.ArrayLike | None = None,
    se_latest: npt.ArrayLike | None = None,
    level: float = 0.95,
    decimals: int = MAX_DECIMALS,
) -> TestResult:
    r"""A stated level was reached in every area, with each area's distance to it.

    Area :math:`i` meets the test when :math:`s\,y_i \ge s\,\text{target}` (reaching the
    level exactly counts as reached). The distance :math:`d_i = s\,(\text{target} - y_i)`
    is positive while the area is short of the level. A shortfall is *significant* when the
    value differs significantly from the target (``se = 0`` for the target).

    Examples
    --------
    >>> r = level_reached(list("abc"), [90, 85, float("nan")], target=90)
    >>> r.verdict, r.n_met, r.n_failed, r.n_no_data, r.areas["distance"].tolist()[:2]
    ('failed', 1, 1, 1, [0.0, 5.0])
    """
    labels = list(areas)
    n = len(labels)
    y = _inputs(n, latest, "latest")
    if not np.isfinite(target):
        raise ValueError(f"target must be a finite number, got {target}")
    dist = (target - y) * (1.0 if higher_is_better else -1.0)
    have = np.isfinite(dist)
    reached = compare_at_precision(orient(y, higher_is_better), orient([target], higher_is_better),
                                   decimals) >= 0  # fmt: skip
    verdict = np.where(~have, NO_DATA, np.where(reached, MET, FAILED))
    se = _inputs(n, se_latest, "se_latest")
    sig = significant_difference(y, se, target, 0.0, level, decimals=decimals) & (verdict == FAILED)
    detail = pd.DataFrame(
        {"area": labels, "latest": y, "distance": dist, "verdict": verdict, "significant": sig}
    )
    return _summarise(
        "level_reached",
        detail,
        _weights(n, population, "population"),
        np.isfinite(se),
        target=float(target),
    )


def worst_improve_by(
    areas: Sequence[Any],
    baseline: npt.ArrayLike,
    latest: npt.ArrayLike,
    factor: float,
    higher_is_better: bool = True,
    *,
    weights: npt.ArrayLike | None = None,
    population: npt.ArrayLike | None = None,
    se_baseline: npt.ArrayLike | None = None,
    se_latest: npt.ArrayLike | None = None,
    share: float = 0.1,
    criterion: Literal["mean", "every"] = "mean",
    level: float = 0.95,
) -> TestResult:
    r"""The worst-performing tenth of areas at baseline improved by a stated factor.

    The worst group is every area at least as bad (oriented) as the :math:`k`-th worst at
    baseline, :math:`k = \lceil \text{share}\cdot n \rceil`, among areas with data at both
    ends. Required value :math:`r_i = y_{i,0}(1 + f)` when higher is better, else
    :math:`y_{i,0}(1 - f)`; area :math:`i` meets it when :math:`s\,y_{i,T} \ge s\,r_i`.
    ``criterion="mean"`` (default) judges the group's weighted mean against the required
    mean :math:`\bar y_0 (1 \pm f)`; ``"every"`` needs every area in the group to meet it.
    A failure is *significant* when :math:`y_{i,T}` differs significantly from
    :math:`r_i`, whose standard error is :math:`(1 \pm f)\,se_{i,0}`. ``gap_baseline`` and
    ``gap_latest`` hold the group's weighted mean at each end; ``target`` holds :math:`f`.
    Areas outside the group are not counted; areas without both ends are ``no_data``.

    Examples
    --------
    Mission 5: the worst tenth (one area of ten here) rises by a third, from 45 to 61:

    >>> base = [45, 60, 62, 64, 66, 68, 70, 72, 74, 76]
    >>> r = worst_improve_by(list("abcdefghij"), base, [61] + base[1:], factor=1 / 3)
    >>> r.verdict, r.n_areas, r.gap_baseline, r.gap_latest
    ('met', 1, 45.0, 61.0)
    """
    if criterion not in ("mean", "every"):
        raise ValueError(f"criterion must be 'mean' or 'every', got {criterion!r}")
    if not (np.isfinite(factor) and factor > -1):
        raise ValueError(f"factor must be a number > -1, got {factor}")
    if not 0 < share < 1:
        raise ValueError(f"share must lie in (0, 1), got {share}")
    labels = np.asarray(list(areas), dtype=object)
    n = labels.size
    b, l_ = _inputs(n, baseline, "baseline"), _inputs(n, latest, "latest")
    w, pop = _weights(n, weights), _weights(n, population, "population")
    sb, sl = _inputs(n, se_baseline, "se_baseline"), _inputs(n, se_latest, "se_latest")
    have = np.isfinite(b) & np.isfinite(l_)
    mult = 1 + factor if higher_is_better else 1 - factor
    s = 1.0 if higher_is_better else -1.0
    if have.sum() == 0:
        detail = pd.DataFrame(
            {"area": labels, "verdict": NO_DATA, "significant": False, "in_worst": False}
        )
        return _summarise("worst_improve_by", detail, pop, np.zeros(n, bool), target=factor)
    ob = s * b
    k = max(1, math.ceil(share * int(have.sum())))
    threshold = np.sort(ob[have])[k - 1]
    worst = have & (ob <= threshold)
    required = b * mult
    met_area = s * l_ >= s * required
    sig = significant_difference(l_, sl, required, abs(mult) * sb, level) & ~met_area
    sel = worst
    detail = pd.DataFrame(
        {
            "area": labels[sel],
            "baseline": b[sel],
            "latest": l_[sel],
            "required": required[sel],
            "verdict": np.where(met_area[sel], MET, FAILED),
            "significant": sig[sel],
            "in_worst": True,
        }
    )
    ww = w[sel] if w[sel].sum() > 0 else np.ones(sel.sum())
    mean_b, mean_l = float(np.average(b[sel], weights=ww)), float(np.average(l_[sel], weights=ww))
    res = _summarise(
        "worst_improve_by",
        detail,
        pop[sel],
        np.isfinite(sb[sel]) & np.isfinite(sl[sel]),
        gap_baseline=mean_b,
        gap_latest=mean_l,
        target=float(factor),
        extra={"required_mean": mean_b * mult},
    )
    if criterion == "mean":
        verdict = MET if s * mean_l >= s * mean_b * mult else FAILED
        res = replace(res, verdict=verdict, n_no_data=int((~have).sum()))
    else:
        res = replace(res, n_no_data=int((~have).sum()))
    return res


def _ols_slope(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """OLS slope of y on x and its conventional standard error (NaN se if n < 3)."""
    xm = x - x.mean()
    sxx = float(np.dot(xm, xm))
    slope = float(np.dot(xm, y - y.mean()) / sxx)
    if x.size < 3:
        return slope, math.nan
    resid = y - y.mean() - slope * xm
    return slope, math.sqrt(float(np.dot(resid, resid)) / (x.size - 2) / sxx)


def trajectory_on_course(
    areas: Sequence[Any],
    years: npt.ArrayLike,
    values: npt.ArrayLike,
    *,
    baseline_year: float,
    target_change: float,
    target_year: float,
    higher_is_better: bool = True,
    population: npt.ArrayLike | None = None,
    min_periods: int = 3,
    level: float = 0.95,
) -> TestResult:
    r"""Is each area's trend on course for a target dated after the data?

    For a target of a change :math:`\Delta^*` between the baseline (mid-year :math:`t_0`)
    and the target year :math:`t^*` (e.g. healthy life expectancy +5 years by 2035), the
    required annual rate is :math:`r^* = \Delta^* / (t^* - t_0)`. Each area's observed
    rate :math:`\hat b_i` is the OLS slope of its values on period mid-years, over the
    observations from ``baseline_year`` on (long form: one row per area and period). The
    area is on course (met) when :math:`s\,\hat b_i \ge s\,r^*`; areas with fewer than
    ``min_periods`` observations are ``no_data``. Falling short is *significant* when the
    upper :math:`1-\alpha` confidence bound of :math:`s\hat b_i` (OLS standard error, at
    least 3 periods) lies below :math:`s\,r^*`. ``gap_baseline`` holds :math:`r^*`,
    ``gap_latest`` the median observed slope, ``target`` :math:`\Delta^*`; ``areas`` lists
    each slope and the change it projects to :math:`t^*`.

    Examples
    --------
    >>> yrs = [2018.5, 2019.5, 2020.5] * 2
    >>> vals = [60.0, 60.5, 61.0, 60.0, 60.0, 60.0]  # a: +0.5/yr, b: flat
    >>> r = trajectory_on_course(list("aaabbb"), yrs, vals, baseline_year=2018.5,
    ...                          target_change=5, target_year=2035)
    >>> r.verdict, r.n_met, r.n_failed, round(r.gap_baseline, 4)
    ('failed', 1, 1, 0.303)
    """
    if not target_year > baseline_year:
        raise ValueError("target_year must be after baseline_year")
    labels = np.asarray(list(areas), dtype=object)
    t, y = (
        as_1d_float(years, "years", allow_scalar=True),
        as_1d_float(values, "values", allow_scalar=True),
    )
    if not (t.size == y.size == labels.size):
        raise ValueError("areas, years and values must have the same length")
    pop_all = _inputs(labels.size, population, "population", fill=1.0)
    required = target_change / (target_year - baseline_year)
    s = 1.0 if higher_is_better else -1.0
    zc = z_value(level)
    rows = []
    order = pd.unique(labels)
    for a in order:
        sel = (labels == a) & (t >= baseline_year - 1e-9) & np.isfinite(y)
        pop = float(pop_all[labels == a][0])
        if sel.sum() < max(2, min_periods) or np.ptp(t[sel]) == 0:
            rows.append((a, math.nan, math.nan, math.nan, NO_DATA, False, pop))
            continue
        slope, se = _ols_slope(t[sel], y[sel])
        on = s * slope >= s * required
        sig = (not on) and np.isfinite(se) and (s * slope + zc * se < s * required)
        rows.append(
            (a, slope, se, slope * (target_year - baseline_year), MET if on else FAILED, sig, pop)
        )
    detail = pd.DataFrame(
        rows,
        columns=["area", "slope", "slope_se", "projected_change", "verdict", "significant", "pop"],
    )
    known = np.isfinite(detail["slope_se"].to_numpy())
    pop = detail.pop("pop").to_numpy(dtype=float)
    with_data = detail["verdict"] != NO_DATA
    median_slope = float(detail.loc[with_data, "slope"].median()) if with_data.any() else math.nan
    return _summarise(
        "trajectory",
        detail,
        pop,
        known,
        gap_baseline=float(required),
        gap_latest=median_slope,
        target=float(target_change),
    )
