r"""Levelling-Up mission tests, at the regional lens and at the local lens.

The Levelling Up White Paper (*Levelling Up the United Kingdom*, HM Government, 2 February
2022) sets twelve missions for 2030. Most are tracked by region (ITL1). This module puts a
mission's wording to the test on the same data seen through two lenses:

* **regional lens**: each ITL1 region's value is the weighted mean of its local authorities'
  values, with each indicator's own weights (:func:`regional_panel`);
* **local lens**: every local authority (LAD23; upper-tier areas for healthy life expectancy).

Conventions shared by every function here (and by :mod:`localineq.policy.targets`):

Polarity
    ``higher_is_better=False`` indicators (claimant count, unemployment, child poverty,
    housing affordability) are *oriented* before any comparison: :func:`orient` multiplies
    by :math:`s = +1` (higher is better) or :math:`s = -1`, so "better" always means
    "larger oriented value". :func:`improvement` is :math:`s\,(y_{latest} - y_{baseline})`.
Verdicts
    ``"met"``, ``"failed"`` or ``"no_data"``. An area missing at either end is ``no_data``
    and is never counted as met or failed. A test with no area that has data at both ends
    is ``no_data`` as a whole.
Ties
    No change is not a rise: an area whose value is unchanged *fails* a "rise" test
    (``ties="failed"``, the default; ``ties="met"`` reads the wording as "did not fall").
    A gap that is unchanged has not narrowed.
Significance
    From a published 95% interval :math:`[l, u]` the standard error is
    :math:`se = (u - l) / (2 z_{0.975})` (:func:`se_from_interval`). Two estimates
    :math:`a, b` differ significantly at level :math:`1-\alpha` when
    :math:`|a - b| > z_{1-\alpha/2} \sqrt{se_a^2 + se_b^2}` (:func:`significant_difference`).
    The errors are **assumed independent**; for survey estimates of one area in two years
    (APS, ASHE) the samples overlap, the covariance is positive, and ignoring it overstates
    the standard error of the change, so the test is conservative. Intervals merely
    overlapping is never used as a test: it is far too strict (two intervals can overlap
    while the difference is significant).
Baseline and latest
    :func:`baseline_period` applies a :class:`BaselineRule` (default: the latest period
    published before the White Paper, 2 February 2022); the latest period is the newest
    period with at least one value (:func:`latest_period`). Both are stated on every row.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats as _sps

__all__ = [
    "GAP_MEASURES",
    "MET",
    "FAILED",
    "NO_DATA",
    "TESTS",
    "WHITE_PAPER_DATE",
    "BaselineRule",
    "TestResult",
    "ambition_backtest",
    "baseline_period",
    "evaluate_test",
    "gap",
    "gap_narrows",
    "improvement",
    "latest_period",
    "level_reached",
    "orient",
    "period_bounds",
    "period_midyear",
    "regional_panel",
    "rise_everywhere",
    "se_from_interval",
    "significant_difference",
    "trajectory_on_course",
    "worst_improve_by",
    "z_value",
]

MET, FAILED, NO_DATA = "met", "failed", "no_data"
#: Publication date of the Levelling Up White Paper (HM Government, CP 604).
WHITE_PAPER_DATE = "2022-02-02"
#: Gap measures accepted by :func:`gap` and :func:`gap_narrows`.
GAP_MEASURES: tuple[str, ...] = ("top_tenth_vs_rest", "max_min", "p90_p10")
#: Test names accepted by :func:`evaluate_test`.
TESTS: tuple[str, ...] = (
    "rise_everywhere",
    "gap_narrows",
    "level_reached",
    "worst_improve_by",
    "trajectory",
)

Verdict = Literal["met", "failed", "no_data"]

# ---------------------------------------------------------------------------------------------
# periods and the baseline rule
# ---------------------------------------------------------------------------------------------

_PERIOD = re.compile(
    r"^(?P<start>\d{4}-\d{2}-\d{2})(?:/P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?)?$"
)


def period_bounds(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of an ISO 8601 period (``2021-04-01/P1Y``) or snapshot date.

    A period ``start/PnYmM`` covers ``start`` up to the day before ``start + n years + m
    months``; a bare date (an ASHE reference date, a coverage snapshot) is a single day.

    Parameters
    ----------
    period : str

    Returns
    -------
    tuple of pandas.Timestamp
        ``(first_day, last_day)``.

    Raises
    ------
    ValueError
        If the text is not such a period.

    Examples
    --------
    >>> [str(t.date()) for t in period_bounds("2021-04-01/P1Y")]
    ['2021-04-01', '2022-03-31']
    >>> [str(t.date()) for t in period_bounds("2017-01-01/P3Y")]
    ['2017-01-01', '2019-12-31']
    >>> [str(t.date()) for t in period_bounds("2021-04-21")]
    ['2021-04-21', '2021-04-21']
    """
    match = _PERIOD.match(str(period).strip())
    if not match:
        raise ValueError(f"unrecognised period {period!r}; expected e.g. '2011-01-01/P3Y'")
    start = pd.Timestamp(match["start"])
    years, months = int(match["years"] or 0), int(match["months"] or 0)
    if years == 0 and months == 0:
        return start, start
    end = start + pd.DateOffset(years=years, months=months) - pd.Timedelta(days=1)
    return start, end


def period_midyear(period: str) -> float:
    """Decimal year of a period's midpoint (for trends over periods of any length).

    Examples
    --------
    >>> round(period_midyear("2017-01-01/P3Y"), 2)
    2018.5
    >>> round(period_midyear("2021-04-21"), 2)
    2021.3
    """
    first, last = period_bounds(period)
    mid = first + (last + pd.Timedelta(days=1) - first) / 2 if last > first else first
    start_of_year = pd.Timestamp(year=mid.year, month=1, day=1)
    days = 366 if pd.Timestamp(year=mid.year, month=12, day=31).dayofyear == 366 else 365
    return mid.year + (mid - start_of_year).total_seconds() / (days * 86400)


@dataclass(frozen=True)
class BaselineRule:
    """How a mission's baseline period is chosen.

    The default is the latest period *published* before the White Paper (2 February 2022).
    The sources carry no publication dates, so publication is dated as the period's last day
    plus ``lag_months`` (the source's usual publication lag, stated per indicator in
    config). ``period`` fixes the baseline outright.

    Attributes
    ----------
    before : str
        ISO date; the baseline must have been published strictly before it.
    lag_months : int
        Months from the end of a period to its publication.
    period : str or None
        An explicit baseline period (overrides the date rule).
    fallback : {"none", "earliest"}
        When no period was published before ``before``: ``"none"`` gives no baseline
        (every test is ``no_data``); ``"earliest"`` uses the earliest period and says so.
    """

    before: str = WHITE_PAPER_DATE
    lag_months: int = 0
    period: str | None = None
    fallback: Literal["none", "earliest"] = "none"

    def __post_init__(self) -> None:
        pd.Timestamp(self.before)  # raises on a bad date
        if self.lag_months < 0:
            raise ValueError(f"lag_months must be >= 0, got {self.lag_months}")
        if self.fallback not in ("none", "earliest"):
            raise ValueError(f"fallback must be 'none' or 'earliest', got {self.fallback!r}")

    @classmethod
    def from_config(cls, spec: dict[str, Any] | None) -> BaselineRule:
        """Build a rule from a config mapping (keys as the attributes; all optional)."""
        spec = dict(spec or {})
        unknown = set(spec) - {"before", "lag_months", "period", "fallback"}
        if unknown:
            raise ValueError(f"unknown baseline rule keys: {sorted(unknown)}")
        if "before" in spec:
            spec["before"] = str(spec["before"])
        return cls(**spec)

    def describe(self) -> str:
        """One-line statement of the rule, for tables and captions."""
        if self.period is not None:
            return f"fixed: {self.period}"
        text = f"latest period published before {self.before}"
        if self.lag_months:
            text += f" (published {self.lag_months} months after the period ends)"
        if self.fallback == "earliest":
            text += "; else the earliest period"
        return text


def baseline_period(periods: Sequence[str], rule: BaselineRule | None = None) -> str | None:
    """The baseline period chosen from ``periods`` by ``rule``.

    A period counts as published at ``last_day + lag_months``; the baseline is the period
    with the latest last day among those published strictly before ``rule.before``.

    Parameters
    ----------
    periods : sequence of str
        Periods with data (duplicates allowed).
    rule : BaselineRule, optional
        Defaults to ``BaselineRule()`` (published before 2 February 2022, no lag).

    Returns
    -------
    str or None
        ``None`` when no period qualifies and ``rule.fallback == "none"``.

    Raises
    ------
    ValueError
        If ``rule.period`` is given but absent from ``periods``.

    Examples
    --------
    >>> p = ["2019-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y", "2022-01-01/P1Y"]
    >>> baseline_period(p)
    '2021-01-01/P1Y'
    >>> baseline_period(p, BaselineRule(lag_months=21))  # GDHI: 2020 published Oct 2022
    '2019-01-01/P1Y'
    >>> baseline_period(["2022-01-01/P1Y"]) is None
    True
    >>> baseline_period(["2022-01-01/P1Y"], BaselineRule(fallback="earliest"))
    '2022-01-01/P1Y'
    """
    rule = rule or BaselineRule()
    unique = sorted(set(map(str, periods)), key=lambda p: period_bounds(p))
    if rule.period is not None:
        if rule.period not in unique:
            raise ValueError(f"baseline period {rule.period!r} is not among {unique}")
        return rule.period
    cutoff = pd.Timestamp(rule.before)
    published = [
        p for p in unique if period_bounds(p)[1] + pd.DateOffset(months=rule.lag_months) < cutoff
    ]
    if published:
        return max(published, key=lambda p: period_bounds(p)[1])
    if rule.fallback == "earliest" and unique:
        return unique[0]
    return None


def latest_period(periods: Sequence[str]) -> str | None:
    """The newest period (latest last day), or ``None`` if there is none.

    Examples
    --------
    >>> latest_period(["2021-04-21", "2025-04-30", "2008-04-16"])
    '2025-04-30'
    """
    unique = set(map(str, periods))
    return max(unique, key=lambda p: period_bounds(p)[1]) if unique else None


# ---------------------------------------------------------------------------------------------
# polarity and significance (shared with localineq.policy.targets)
# ---------------------------------------------------------------------------------------------


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
    return float(_sps.norm.ppf(0.5 + level / 2))


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


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    """Outcome of one mission test on one set of areas (one lens).

    Attributes
    ----------
    test : str
    verdict : {"met", "failed", "no_data"}
    n_areas : int
        Areas offered to the test (with or without data).
    n_met, n_failed, n_no_data : int
        Areas by verdict (``n_met + n_failed + n_no_data == n_areas`` for area-wise tests).
    n_failed_significant : int or None
        Failed areas whose failure is significant at the 95% level; ``None`` where no
        interval was published for any of them (or the test has no per-area failure).
    population_failed : float
        Population living in failed areas.
    gap_baseline, gap_latest : float
        The headline quantity at each end (a gap, a group mean, a slope; NaN if none).
    target : float
        The stated target (level, factor, change) or NaN.
    areas : pandas.DataFrame
        Per-area detail: ``area``, ``verdict``, ``significant`` and test-specific columns.
    extra : dict
        Further named numbers (e.g. the other gap measures).
    """

    __test__ = False  # not a pytest class

    test: str
    verdict: str
    n_areas: int
    n_met: int
    n_failed: int
    n_no_data: int
    n_failed_significant: int | None
    population_failed: float
    gap_baseline: float = math.nan
    gap_latest: float = math.nan
    target: float = math.nan
    areas: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    extra: dict[str, float] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        """The summary numbers as a flat dict (no per-area detail)."""
        row = {
            "test": self.test,
            "n_areas": self.n_areas,
            "n_met": self.n_met,
            "n_failed": self.n_failed,
            "n_failed_significant": self.n_failed_significant,
            "n_no_data": self.n_no_data,
            "population_failed": self.population_failed,
            "gap_baseline": self.gap_baseline,
            "gap_latest": self.gap_latest,
            "target": self.target,
            "verdict": self.verdict,
        }
        row.update(self.extra)
        return row


def _inputs(n: int, x: Any, name: str, fill: float = math.nan) -> np.ndarray:
    if x is None:
        return np.full(n, fill)
    arr = _arr(x, name)
    if arr.size == 1 and n != 1:
        arr = np.full(n, arr[0])
    if arr.size != n:
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    return arr


def _weights(n: int, w: Any, name: str = "weights") -> np.ndarray:
    arr = _inputs(n, w, name, fill=1.0)
    if (arr[np.isfinite(arr)] < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return arr


def _summarise(
    test: str,
    areas: pd.DataFrame,
    population: np.ndarray,
    significance_known: np.ndarray,
    **kw: Any,
) -> TestResult:
    """Count per-area verdicts; overall verdict = met iff every area with data met."""
    verdicts = areas["verdict"].to_numpy()
    failed = verdicts == FAILED
    n_met, n_failed = int((verdicts == MET).sum()), int(failed.sum())
    n_no = int((verdicts == NO_DATA).sum())
    verdict = NO_DATA if n_met + n_failed == 0 else (FAILED if n_failed else MET)
    if n_failed and significance_known[failed].any():
        n_sig: int | None = int(areas["significant"].to_numpy()[failed].sum())
    elif n_failed:
        n_sig = None
    else:
        n_sig = 0 if significance_known.any() else None
    pop = float(np.nansum(population[failed])) if n_failed else 0.0
    return TestResult(
        test=test,
        verdict=verdict,
        n_areas=len(areas),
        n_met=n_met,
        n_failed=n_failed,
        n_no_data=n_no,
        n_failed_significant=n_sig,
        population_failed=pop,
        areas=areas,
        **kw,
    )


# ---------------------------------------------------------------------------------------------
# the tests
# ---------------------------------------------------------------------------------------------


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
    met = have & ((delta > 0) | ((delta == 0) & (ties == "met")))
    verdict = np.where(~have, NO_DATA, np.where(met, MET, FAILED))
    sb, sl = _inputs(n, se_baseline, "se_baseline"), _inputs(n, se_latest, "se_latest")
    sig = significant_difference(b, sb, l_, sl, level) & (verdict == FAILED) & (delta < 0)
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
    """
    y = _arr(values, "values")
    if y.size == 0 or not np.isfinite(y).all():
        raise ValueError("gap needs at least one value and no missing values")
    w = _weights(y.size, weights)
    if measure not in GAP_MEASURES:
        raise ValueError(f"unknown gap measure {measure!r}; choose one of {GAP_MEASURES}")
    if measure == "max_min":
        return float(y.max() - y.min())
    if measure == "p90_p10":
        from localineq.policy._stats import weighted_quantile

        lo, hi = weighted_quantile(y, [0.1, 0.9], w)
        if not lo > 0:
            raise ValueError(f"p90_p10 needs a positive 10th percentile; P10 is {lo}")
        return float(hi / lo)
    if not 0 < share < 1:
        raise ValueError(f"share must lie in (0, 1), got {share}")
    o = orient(y, higher_is_better)
    k = max(1, math.ceil(share * y.size))
    threshold = np.sort(o)[::-1][k - 1]
    top = o >= threshold
    if top.all():
        return 0.0
    mean_top = np.average(o[top], weights=w[top]) if w[top].sum() > 0 else o[top].mean()
    mean_rest = np.average(o[~top], weights=w[~top]) if w[~top].sum() > 0 else o[~top].mean()
    return float(mean_top - mean_rest)


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
    verdict = np.where(~have, NO_DATA, np.where(dist <= 0, MET, FAILED))
    se = _inputs(n, se_latest, "se_latest")
    sig = significant_difference(y, se, target, 0.0, level) & (verdict == FAILED)
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
        res = _replace(res, verdict=verdict, n_no_data=int((~have).sum()))
    else:
        res = _replace(res, n_no_data=int((~have).sum()))
    return res


def _replace(res: TestResult, **kw: Any) -> TestResult:
    from dataclasses import replace

    return replace(res, **kw)


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
    t, y = _arr(years, "years"), _arr(values, "values")
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


# ---------------------------------------------------------------------------------------------
# the two lenses
# ---------------------------------------------------------------------------------------------


def regional_panel(
    frame: pd.DataFrame,
    *,
    region: str = "itl1_code",
    region_name: str | None = "itl1_name",
    area: str = "area_code",
    value: str = "value",
    weight: str = "weight",
    se: str | None = "se",
    population: str | None = "population",
) -> pd.DataFrame:
    r"""Regional lens: each region's value as the weighted mean of its areas' values.

    For region :math:`g` in period :math:`t`, over its areas with a value,
    :math:`\bar y_{gt} = \sum_{i \in g} p_{it} y_{it} / \sum_{i \in g} p_{it}` with
    :math:`p_{it}` the indicator's own weight. Assuming independent errors, the region's
    standard error is :math:`\sqrt{\sum_i (p_{it}/\sum p)^2 se_{it}^2}` (NaN if any
    contributing area lacks one). Population sums over all the region's areas.

    This reproduces a published regional *mean or rate*; for a median (pay, house-price
    ratios) the weighted mean of local medians is not the regional median, which the
    integration tests measure.

    Parameters
    ----------
    frame : pandas.DataFrame
        Long form, one row per area and period, with a ``period`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code`` (the region), ``area_name``, ``period``, ``value``, ``se``,
        ``weight`` (sum), ``population`` (sum), ``n_areas``, ``n_areas_with_value``;
        sorted by region and period.

    Examples
    --------
    >>> f = pd.DataFrame({"itl1_code": ["R", "R", "R"], "itl1_name": "Reg",
    ...                   "area_code": list("abc"), "period": "2020",
    ...                   "value": [10.0, 20.0, float("nan")], "weight": [3.0, 1.0, 5.0]})
    >>> regional_panel(f, se=None, population=None)[["area_code", "value", "n_areas"]].values.tolist()
    [['R', 12.5, 3]]
    """
    need = [region, area, "period", value, weight]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ValueError(f"regional_panel: missing columns {missing}")
    out = []
    for (g, p), part in frame.groupby([region, "period"], sort=True):
        ok = part[value].notna() & part[weight].notna()
        w = part.loc[ok, weight].to_numpy(dtype=float)
        y = part.loc[ok, value].to_numpy(dtype=float)
        total = w.sum()
        val = float(np.dot(w, y) / total) if ok.any() and total > 0 else math.nan
        if se is not None and se in part.columns and ok.any() and total > 0:
            s = part.loc[ok, se].to_numpy(dtype=float)
            rse = float(np.sqrt(np.sum((w / total) ** 2 * s**2)))
        else:
            rse = math.nan
        pop = (
            float(part[population].sum())
            if population is not None and population in part.columns
            else math.nan
        )
        out.append(
            {
                "area_code": g,
                "area_name": part[region_name].iloc[0]
                if region_name and region_name in part
                else g,
                "period": p,
                "value": val,
                "se": rse,
                "weight": float(total),
                "population": pop,
                "n_areas": int(part[area].nunique()),
                "n_areas_with_value": int(ok.sum()),
            }
        )
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# one test on a panel
# ---------------------------------------------------------------------------------------------


def _ends(panel: pd.DataFrame, baseline: str, latest: str) -> pd.DataFrame:
    """Wide frame: one row per area with values, se, weight and population at both ends."""
    cols = [c for c in ("value", "se", "weight", "population") if c in panel.columns]
    areas = pd.Index(sorted(panel["area_code"].unique()), name="area_code")
    wide = pd.DataFrame(index=areas)
    for tag, per in (("b", baseline), ("l", latest)):
        part = panel[panel["period"] == per].drop_duplicates("area_code").set_index("area_code")
        for c in cols:
            wide[f"{c}_{tag}"] = part[c].reindex(areas)
    for c in ("se", "weight", "population"):
        for tag in ("b", "l"):
            if f"{c}_{tag}" not in wide:
                wide[f"{c}_{tag}"] = math.nan
    # population of an area: the latest published figure, else the baseline one
    wide["pop"] = wide["population_l"].fillna(wide["population_b"])
    return wide


def evaluate_test(
    panel: pd.DataFrame,
    test: str,
    *,
    baseline: str | None,
    latest: str | None,
    higher_is_better: bool,
    params: dict[str, Any] | None = None,
    level: float = 0.95,
) -> TestResult:
    """Run one named test on a long panel of one indicator at one lens.

    Parameters
    ----------
    panel : pandas.DataFrame
        Columns ``area_code, period, value`` and optionally ``se``, ``weight``,
        ``population`` (one row per area and period): the local authorities, or the
        regions from :func:`regional_panel`.
    test : str
        One of :data:`TESTS`.
    baseline, latest : str or None
        Periods; ``None`` baseline makes every test except ``level_reached`` ``no_data``.
    higher_is_better : bool
    params : dict, optional
        Test parameters: ``ties`` (rise_everywhere); ``measure``, ``share``
        (gap_narrows); ``target`` (level_reached); ``factor``, ``share``, ``criterion``
        (worst_improve_by); ``target_change``, ``target_year``, ``min_periods``
        (trajectory).

    Returns
    -------
    TestResult
    """
    params = dict(params or {})
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; choose one of {TESTS}")
    areas = sorted(panel["area_code"].unique())
    if latest is None or (baseline is None and test != "level_reached"):
        detail = pd.DataFrame({"area": areas, "verdict": NO_DATA, "significant": False})
        return TestResult(
            test=test,
            verdict=NO_DATA,
            n_areas=len(areas),
            n_met=0,
            n_failed=0,
            n_no_data=len(areas),
            n_failed_significant=None,
            population_failed=0.0,
            target=float(params.get("target", params.get("factor", math.nan))),
            areas=detail,
        )
    wide = _ends(panel, baseline if baseline is not None else latest, latest)
    idx = list(wide.index)
    if test == "rise_everywhere":
        return rise_everywhere(
            idx,
            wide["value_b"],
            wide["value_l"],
            higher_is_better,
            population=wide["pop"],
            se_baseline=wide["se_b"],
            se_latest=wide["se_l"],
            ties=params.get("ties", "failed"),
            level=level,
        )
    if test == "gap_narrows":
        wb = wide["weight_b"] if wide["weight_b"].notna().any() else None
        wl = wide["weight_l"] if wide["weight_l"].notna().any() else None
        return gap_narrows(
            idx,
            wide["value_b"],
            wide["value_l"],
            higher_is_better,
            weights_baseline=wb,
            weights_latest=wl,
            measure=params.get("measure", "top_tenth_vs_rest"),
            share=float(params.get("share", 0.1)),
        )
    if test == "level_reached":
        return level_reached(
            idx,
            wide["value_l"],
            float(params["target"]),
            higher_is_better,
            population=wide["pop"],
            se_latest=wide["se_l"],
            level=level,
        )
    if test == "worst_improve_by":
        w = wide["weight_b"] if wide["weight_b"].notna().any() else None
        return worst_improve_by(
            idx,
            wide["value_b"],
            wide["value_l"],
            float(params["factor"]),
            higher_is_better,
            weights=w,
            population=wide["pop"],
            se_baseline=wide["se_b"],
            se_latest=wide["se_l"],
            share=float(params.get("share", 0.1)),
            criterion=params.get("criterion", "mean"),
            level=level,
        )
    # trajectory: every period from baseline to latest
    b_mid, l_mid = period_midyear(baseline), period_midyear(latest)  # type: ignore[arg-type]
    mids = panel["period"].map(period_midyear)
    part = panel[(mids >= b_mid - 1e-9) & (mids <= l_mid + 1e-9)]
    pop = part["area_code"].map(wide["pop"])
    return trajectory_on_course(
        part["area_code"].tolist(),
        part["period"].map(period_midyear),
        part["value"],
        baseline_year=b_mid,
        target_change=float(params["target_change"]),
        target_year=float(params["target_year"]),
        higher_is_better=higher_is_better,
        population=pop,
        min_periods=int(params.get("min_periods", 3)),
        level=level,
    )


# ---------------------------------------------------------------------------------------------
# ambition back-test
# ---------------------------------------------------------------------------------------------


def ambition_backtest(
    panel: pd.DataFrame,
    test: str,
    *,
    window_years: int,
    higher_is_better: bool,
    params: dict[str, Any] | None = None,
    evaluate: Callable[..., TestResult] = evaluate_test,
) -> pd.DataFrame:
    r"""How often a test would have been met over every historical window of a given length.

    A window is a pair of periods whose start years differ by exactly ``window_years``
    (e.g. baseline → 2030). When the data span fewer years, every pair spanning the longest
    available length is used instead, and ``window_years_used`` says so. Each window is
    judged by :func:`evaluate_test` with its first period as baseline and its last as
    latest. The share of windows met puts a number on "would happen anyway".

    Parameters
    ----------
    panel : pandas.DataFrame
        As for :func:`evaluate_test` (one lens).
    test : str
        Typically ``"rise_everywhere"`` or ``"gap_narrows"``.
    window_years : int
        Target window length in years (> 0).

    Returns
    -------
    pandas.DataFrame
        One row per window: ``window_start``, ``window_end``, ``window_years_target``,
        ``window_years_used``, ``verdict``, ``n_areas``, ``n_met``, ``n_failed``,
        ``n_no_data``, ``gap_baseline``, ``gap_latest``.

    Examples
    --------
    >>> p = pd.DataFrame({"area_code": list("aabbaabb"), "value": [1, 2, 1, 2, 2, 3, 3, 2],
    ...                   "period": ["2000-01-01/P1Y", "2001-01-01/P1Y"] * 2
    ...                            + ["2002-01-01/P1Y", "2003-01-01/P1Y"] * 2})
    >>> bt = ambition_backtest(p, "rise_everywhere", window_years=1, higher_is_better=True)
    >>> bt[["window_start", "verdict"]].values.tolist()  # 2001->2002: area a unchanged
    [['2000-01-01/P1Y', 'met'], ['2001-01-01/P1Y', 'failed'], ['2002-01-01/P1Y', 'failed']]
    """
    if window_years <= 0:
        raise ValueError(f"window_years must be > 0, got {window_years}")
    present = panel[panel["value"].notna()]
    periods = sorted(present["period"].unique(), key=period_bounds)
    year = {p: period_bounds(p)[0].year for p in periods}
    if not periods:
        return pd.DataFrame()
    span = max(year.values()) - min(year.values())
    used = window_years if span >= window_years else span
    rows = []
    if used > 0:
        for p0 in periods:
            for p1 in periods:
                if year[p1] - year[p0] != used:
                    continue
                r = evaluate(
                    panel,
                    test,
                    baseline=p0,
                    latest=p1,
                    higher_is_better=higher_is_better,
                    params=params,
                )
                rows.append(
                    {
                        "window_start": p0,
                        "window_end": p1,
                        "window_years_target": int(window_years),
                        "window_years_used": int(used),
                        "verdict": r.verdict,
                        "n_areas": r.n_areas,
                        "n_met": r.n_met,
                        "n_failed": r.n_failed,
                        "n_no_data": r.n_no_data,
                        "gap_baseline": r.gap_baseline,
                        "gap_latest": r.gap_latest,
                    }
                )
    return pd.DataFrame(rows)
