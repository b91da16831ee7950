r"""Deadline-aware verdicts: is a mission test met, on course or off course for its deadline?

A mission runs to a deadline (2030; healthy life expectancy to 2035). Judging it on today's
data alone would call every unmet target "failed" years early. Each test gets instead one of
:data:`DEADLINE_STATUSES`:

``met``
    A *level* test (``level_reached``, ``worst_improve_by``) already met at the latest
    period. Tests of change (rise, gap, trajectory) are about the state at the deadline, so
    they are never ``met`` before it.
``on_course`` / ``off_course``
    By the trend rule (:data:`TREND_ESTIMATOR`): each series is fitted by ordinary least
    squares on period mid-years, :math:`y_t = a + b\,t`, over the periods from the baseline to
    the latest, and projected to the middle of the deadline year,
    :math:`\hat y_{T^*} = a + b\,(T^* + \tfrac12)`. Per test:

    * ``rise_everywhere``: every area's projection is above its baseline value (oriented);
    * ``gap_narrows``: the projected gap (the test's own measure, computed in each period
      over the areas with a value) is below the baseline gap;
    * ``level_reached``: every area's projection reaches the target;
    * ``worst_improve_by``: the projected weighted mean of the baseline's worst group reaches
      the required mean;
    * ``trajectory``: the test itself projects each area's slope (on course = met).

    Comparisons use the published precision
    (:func:`~localineq.policy.compare.compare_at_precision`).
``no_data``
    Fewer than ``min_periods`` periods from the baseline on (the reason says how many), or
    no baseline.

"Met so far" (the baseline-to-latest verdict of the test) is kept as a separate column.

**Uncertainty of the projection.** The verdict follows the point projection; beside it,
:func:`projection_interval` gives the 95% prediction interval of the projected value from the
same OLS line (closed form, Student t with :math:`n-2` degrees of freedom),

.. math:: \hat y_{T^*} \pm t_{0.975,\,n-2}\; s\,\sqrt{1 + \tfrac1n +
          \tfrac{(T^* - \bar t)^2}{\sum_t (t - \bar t)^2}},\qquad
          s^2 = \tfrac{1}{n-2}\sum_t (y_t - \hat y_t)^2,

and :func:`interval_position` says whether the whole interval clears the goal
(:data:`CLEARS`), lies wholly short of it (:data:`FALLS_SHORT`) or straddles it
(:data:`STRADDLES`). For a test over every area, the interval clears when every area's
interval clears, falls short when some area's interval lies wholly short, and straddles
otherwise. The interval treats the periods as independent draws around a straight line:
overlapping (rolling) periods and published sampling error are not in it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from localineq.policy.compare import MAX_DECIMALS, compare_at_precision, orient
from localineq.policy.missions import FAILED, MET, NO_DATA, gap, top_group
from localineq.policy.periods import period_midyear

__all__ = [
    "CLEARS",
    "DEADLINE_STATUSES",
    "FALLS_SHORT",
    "INTERVAL_POSITIONS",
    "STRADDLES",
    "MIN_PERIODS",
    "NOT_MET",
    "OFF_COURSE",
    "ON_COURSE",
    "TREND_ESTIMATOR",
    "deadline_verdict",
    "interval_position",
    "linear_projection",
    "met_so_far",
    "pre_covid_baseline",
    "projection_interval",
]

ON_COURSE, OFF_COURSE = "on_course", "off_course"
#: Verdict vocabulary of a test against its deadline, in reporting order.
DEADLINE_STATUSES: tuple[str, ...] = (MET, ON_COURSE, OFF_COURSE, NO_DATA)
#: ``met_so_far`` of a test not met between baseline and latest (not a failure).
NOT_MET = "not_met"
#: Fewest periods (baseline included) a trend is fitted to.
MIN_PERIODS = 3
TREND_ESTIMATOR = (
    "OLS of value on period mid-year over the periods from baseline to latest, "
    "projected to mid deadline year"
)
LEVEL_TESTS = ("level_reached", "worst_improve_by")
CLEARS, STRADDLES, FALLS_SHORT = "clears", "straddles", "falls_short"
#: Where a projection's 95% prediction interval lies against the goal.
INTERVAL_POSITIONS: tuple[str, ...] = (CLEARS, STRADDLES, FALLS_SHORT)


def met_so_far(verdict: str) -> str:
    """The baseline-to-latest verdict in words that cannot read as a final failure.

    >>> met_so_far("met"), met_so_far("failed"), met_so_far("no_data")
    ('met', 'not_met', 'no_data')
    """
    return NOT_MET if verdict == FAILED else verdict


def linear_projection(years: Any, values: Any, at: float) -> float:
    r"""OLS line through ``(years, values)`` evaluated at ``at``: :math:`\bar y + b(at - \bar t)`.

    >>> linear_projection([2018.5, 2019.5, 2020.5], [1.0, 2.0, 3.0], 2030.5)
    13.0
    """
    t, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    tm = t - t.mean()
    slope = float(np.dot(tm, y - y.mean()) / np.dot(tm, tm))
    return float(y.mean() + slope * (at - t.mean()))


def projection_interval(
    years: Any, values: Any, at: float, level: float = 0.95
) -> tuple[float, float, float]:
    r"""OLS projection at ``at`` with its prediction interval (module docstring formula).

    Returns ``(projection, lower, upper)``; the bounds are NaN with fewer than three points
    (no residual degrees of freedom) and equal the projection when the points are collinear.

    Examples
    --------
    >>> p, lo, hi = projection_interval([0.0, 1.0, 2.0], [0.0, 2.0, 1.0], 3.0)
    >>> round(p, 6), round(lo, 3), round(hi, 3)
    (2.0, -26.412, 30.412)
    """
    t, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    proj = linear_projection(t, y, at)
    n = t.size
    if n < 3:
        return proj, math.nan, math.nan
    tm = t - t.mean()
    sxx = float(np.dot(tm, tm))
    slope = float(np.dot(tm, y - y.mean()) / sxx)
    resid = y - (y.mean() + slope * tm)
    s2 = float(np.dot(resid, resid)) / (n - 2)
    se = math.sqrt(s2 * (1.0 + 1.0 / n + (at - t.mean()) ** 2 / sxx))
    q = _student_t_quantile(0.5 + level / 2.0, n - 2)
    return proj, proj - q * se, proj + q * se


@lru_cache(maxsize=256)
def _student_t_quantile(p: float, dof: int) -> float:
    # Cached: the scorecard asks for the same few (p, dof) pairs for every area. stdtrit is
    # what scipy.stats.t.ppf evaluates (bit for bit; tests/test_deadlines.py), without
    # importing scipy.stats (about 0.6 s per job).
    from scipy.special import stdtrit

    return float(stdtrit(dof, p))


def interval_position(
    lower: float, upper: float, goal: float, higher_is_better: bool, strict: bool = False
) -> str:
    """Where an interval lies against a goal: :data:`CLEARS`, :data:`STRADDLES` or
    :data:`FALLS_SHORT` (empty when the interval is unknown).

    The goal is met by a value at least as good as it (``strict``: better than it).

    >>> interval_position(5.0, 7.0, 4.0, True), interval_position(5.0, 7.0, 6.0, True)
    ('clears', 'straddles')
    >>> interval_position(5.0, 7.0, 7.0, True, strict=True), interval_position(1, 3, 2.0, False)
    ('falls_short', 'straddles')
    """
    if not (math.isfinite(lower) and math.isfinite(upper)):
        return ""
    worst, best = (lower, upper) if higher_is_better else (upper, lower)
    s = 1.0 if higher_is_better else -1.0

    def ok(v: float) -> bool:
        return s * (v - goal) > 0 if strict else s * (v - goal) >= 0

    if ok(worst):
        return CLEARS
    if not ok(best):
        return FALLS_SHORT
    return STRADDLES


def _area_interval(clears: int, short: int, judged: int) -> str:
    if judged == 0:
        return ""
    if clears == judged:
        return CLEARS
    return FALLS_SHORT if short else STRADDLES


def pre_covid_baseline(periods: list[str], year: float = 2019.0) -> str | None:
    """The period nearest to ``year`` (mid-year distance; the earlier one on a tie).

    >>> pre_covid_baseline(["2017-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y"])
    '2020-01-01/P1Y'
    """
    if not periods:
        return None
    target = year + 0.5
    return min(periods, key=lambda p: (abs(period_midyear(p) - target), period_midyear(p)))


def _window(panel: pd.DataFrame, baseline: str, latest: str) -> pd.DataFrame:
    mids = panel["period"].map(period_midyear)
    keep = (mids >= period_midyear(baseline) - 1e-9) & (mids <= period_midyear(latest) + 1e-9)
    out = panel[keep & panel["value"].notna()].copy()
    out["t"] = mids[out.index]
    return out


def _result(verdict: str, reason: str, n_periods: int, **kw: Any) -> dict[str, Any]:
    return {"verdict": verdict, "verdict_reason": reason, "trend_periods": n_periods, **kw}


def deadline_verdict(
    panel: pd.DataFrame,
    test: str,
    *,
    baseline: str | None,
    latest: str | None,
    deadline: float,
    higher_is_better: bool,
    params: Mapping[str, Any] | None = None,
    so_far: str = NO_DATA,
    min_periods: int = MIN_PERIODS,
) -> dict[str, Any]:
    """One test at one lens against its deadline (module docstring).

    Parameters
    ----------
    panel : pandas.DataFrame
        Long panel of the lens: ``area_code, period, value`` and optionally ``weight``.
    test : str
        The mission test's name.
    baseline, latest : str or None
        The periods the test was judged between.
    deadline : float
        The deadline year (2030); the projection is to its middle.
    higher_is_better : bool
    params : mapping, optional
        The test's parameters (``target``, ``factor``, ``share``, ``measure``, ``decimals``).
    so_far : str
        The test's baseline-to-latest verdict (``met``/``failed``/``no_data``).
    min_periods : int
        Fewest periods from the baseline on for a trend.

    Returns
    -------
    dict
        ``verdict`` (one of :data:`DEADLINE_STATUSES`), ``verdict_reason``,
        ``trend_periods`` and, where projected, ``projected_at_deadline`` (the gap, the worst
        group's mean, or the number of areas projected short).

    Examples
    --------
    >>> years = ["2019-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y"]
    >>> p = pd.DataFrame({"area_code": ["a"] * 3, "period": years,
    ...                   "value": [80.0, 84.0, 88.0]})
    >>> deadline_verdict(p, "level_reached", baseline=years[0], latest=years[-1], deadline=2030,
    ...                  higher_is_better=True, params={"target": 99})["verdict"]
    'on_course'
    """
    params = dict(params or {})
    decimals = int(params.get("decimals", MAX_DECIMALS))
    if test in LEVEL_TESTS and so_far == MET:
        return _result(MET, "met at the latest period", 0)
    if test == "trajectory":
        verdict = {MET: ON_COURSE, FAILED: OFF_COURSE}.get(so_far, NO_DATA)
        reason = "the test projects each area's OLS slope to its target year"
        return _result(verdict, reason if verdict != NO_DATA else "too few periods", 0)
    if latest is None or (baseline is None and test != "level_reached"):
        return _result(NO_DATA, "no baseline period", 0)
    start = baseline if baseline is not None else latest
    part = _window(panel, start, latest)
    n_periods = int(part["period"].nunique())
    if n_periods < min_periods:
        return _result(
            NO_DATA, f"{n_periods} period(s) from baseline to latest; a trend needs {min_periods}",
            n_periods,
        )  # fmt: skip
    at = float(deadline) + 0.5
    if test == "gap_narrows":
        return _gap_course(part, at, higher_is_better, params, start, n_periods)
    if test == "worst_improve_by":
        return _worst_course(part, at, higher_is_better, params, start, n_periods, decimals)
    # One area at a time, on plain arrays (rows keep their order within an area, as a
    # groupby would): a pandas groupby here cost seconds per test over 361 areas.
    ordered = part.sort_values("area_code", kind="stable")
    areas = ordered["area_code"].to_numpy()
    years = ordered["t"].to_numpy(float)
    values = ordered["value"].to_numpy(float)
    periods = ordered["period"].to_numpy()
    cuts = np.flatnonzero(areas[1:] != areas[:-1]) + 1
    projected: list[tuple[float, float, float, float]] = []  # (projection, lo, hi, goal)
    for lo_i, hi_i in zip(np.r_[0, cuts], np.r_[cuts, len(areas)], strict=True):
        if len(set(periods[lo_i:hi_i])) < min_periods:
            continue
        if test == "level_reached":
            goal = float(params["target"])
        else:  # rise_everywhere: above its own baseline value
            at_start = np.flatnonzero(periods[lo_i:hi_i] == start)
            if at_start.size == 0:
                continue
            goal = float(values[lo_i + at_start[0]])
        projected.append((*projection_interval(years[lo_i:hi_i], values[lo_i:hi_i], at), goal))
    judged = len(projected)
    short, i_clear, i_short = 0, 0, 0
    if judged:
        proj, lo, hi, goal = (np.array(c, dtype=float) for c in zip(*projected, strict=True))
        # compare_at_precision is elementwise: one call for every area, not one per area.
        sign = compare_at_precision(
            orient(proj, higher_is_better), orient(goal, higher_is_better), decimals
        )
        ok = sign >= 0 if test == "level_reached" else sign > 0
        short = int((~ok).sum())
        for low, high, g in zip(lo, hi, goal, strict=True):
            where = interval_position(
                float(low), float(high), float(g), higher_is_better, strict=test != "level_reached"
            )
            i_clear += int(where == CLEARS)
            i_short += int(where == FALLS_SHORT)
    if judged == 0:
        return _result(NO_DATA, f"no area has {min_periods} periods", n_periods)
    verdict = ON_COURSE if short == 0 else OFF_COURSE
    reason = (
        f"{short} of {judged} areas projected short of the goal by {int(deadline)}; "
        f"95% prediction intervals: {i_clear} clear it, {i_short} fall wholly short"
    )
    return _result(verdict, reason, n_periods, projected_at_deadline=float(short),
                   interval_vs_target=_area_interval(i_clear, i_short, judged))  # fmt: skip


def _gap_course(
    part: pd.DataFrame,
    at: float,
    higher_is_better: bool,
    params: Mapping[str, Any],
    start: str,
    n_periods: int,
) -> dict[str, Any]:
    measure = params.get("measure", "top_tenth_vs_rest")
    share = float(params.get("share", 0.1))
    years, gaps = [], []
    for period, rows in part.groupby("period", sort=False):
        w = rows["weight"] if "weight" in rows and rows["weight"].notna().all() else None
        g = gap(rows["value"], w, higher_is_better, measure=measure, share=share)
        years.append(float(rows["t"].iloc[0]))
        gaps.append(g)
        if period == start:
            g0 = g
    proj, lo, hi = projection_interval(years, gaps, at)
    # the gap is a derived number: compare at a finer precision than the source publishes
    narrower = compare_at_precision(np.array([proj]), np.array([g0]), MAX_DECIMALS)[0] < 0
    reason = (
        f"{measure} gap {g0:.4g} at baseline, projected {proj:.4g} (95% PI {lo:.4g} to {hi:.4g})"
    )
    verdict = ON_COURSE if narrower else OFF_COURSE
    return _result(verdict, reason, n_periods, **_interval_keys(proj, lo, hi, g0, False, True))


def _worst_course(
    part: pd.DataFrame,
    at: float,
    higher_is_better: bool,
    params: Mapping[str, Any],
    start: str,
    n_periods: int,
    decimals: int,
) -> dict[str, Any]:
    base = part[part["period"] == start]
    w0 = base["weight"] if "weight" in base and base["weight"].notna().all() else None
    worst = top_group(base["value"].to_numpy(float), not higher_is_better,
                      float(params.get("share", 0.1)))  # fmt: skip
    members = set(base["area_code"].to_numpy()[worst])
    ww = None if w0 is None else w0.to_numpy(float)[worst]
    required = float(np.average(base["value"].to_numpy(float)[worst], weights=ww))
    s = 1.0 if higher_is_better else -1.0
    required *= 1 + s * float(params["factor"])
    group = part[part["area_code"].isin(members)]
    years, means = [], []
    for _period, rows in group.groupby("period", sort=False):
        w = rows["weight"] if w0 is not None and rows["weight"].notna().all() else None
        years.append(float(rows["t"].iloc[0]))
        means.append(float(np.average(rows["value"], weights=w)))
    if len(set(years)) > 1:
        proj, lo, hi = projection_interval(years, means, at)
    else:
        proj, lo, hi = math.nan, math.nan, math.nan
    sign = compare_at_precision(
        orient(np.array([proj]), higher_is_better),
        orient(np.array([required]), higher_is_better),
        decimals,
    )[0]
    verdict = ON_COURSE if sign >= 0 else OFF_COURSE
    reason = (
        f"worst group's mean projected {proj:.4g} (95% PI {lo:.4g} to {hi:.4g}) against "
        f"{required:.4g} required"
    )
    keys = _interval_keys(proj, lo, hi, required, higher_is_better, False)
    return _result(verdict, reason, n_periods, **keys)


def _interval_keys(
    proj: float, lo: float, hi: float, goal: float, higher_is_better: bool, strict: bool
) -> dict[str, Any]:
    """The projection, its 95% prediction interval and where the interval lies."""
    return {
        "projected_at_deadline": proj,
        "projection_lower_95": lo,
        "projection_upper_95": hi,
        "interval_vs_target": interval_position(lo, hi, goal, higher_is_better, strict),
    }
