"""The two lenses, one test on a panel, and the ambition back-test.

:func:`regional_panel` builds the regional lens from the local one; :func:`evaluate_test`
runs one named mission test on either lens between two periods; :func:`ambition_backtest`
runs it over every historical window of a given length.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd

from localineq.policy.compare import MAX_DECIMALS
from localineq.policy.missions import (
    NO_DATA,
    TESTS,
    TestResult,
    gap_narrows,
    level_reached,
    rise_everywhere,
    trajectory_on_course,
    worst_improve_by,
)
from localineq.policy.panel_rows import PanelRows, panel_rows, period_column
from localineq.policy.periods import period_bounds, period_midyear

__all__ = [
    "AGGREGATE",
    "PUBLISHED",
    "ambition_backtest",
    "evaluate_test",
    "published_lens",
    "regional_panel",
]

#: ``regional_source`` of a region-period: ONS's own ITL1 row, or the LA aggregate.
PUBLISHED = "published"
AGGREGATE = "LA aggregate"


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
    # observed=True: aggregates over the groups present, as iterating over groups gives
    # (pandas 2 would add empty categories of a categorical key).
    groups = frame.groupby([region, "period"], sort=True, observed=True)
    if groups.ngroups == 0:
        return pd.DataFrame([])
    # Row positions group by group, in groupby's group order and each group's row order, so
    # that every sum below adds the same numbers in the same order as a per-group frame would.
    number = groups.ngroup().to_numpy()
    order = np.argsort(number, kind="stable")
    bounds = np.searchsorted(number[order], np.arange(groups.ngroups + 1))
    order = order[: bounds[-1]]  # rows with a missing key belong to no group
    starts = order[bounds[:-1]]
    usable = (frame[value].notna() & frame[weight].notna()).to_numpy()
    w_all = _usable_floats(frame[weight], usable)[order]
    y_all = _usable_floats(frame[value], usable)[order]
    s_all = _usable_floats(frame[se], usable)[order] if se is not None and se in frame else None
    ok = usable[order]
    n = groups.ngroups
    val, rse, total_w = np.full(n, math.nan), np.full(n, math.nan), np.full(n, math.nan)
    for k, (lo, hi) in enumerate(pairwise(bounds)):
        use = ok[lo:hi]
        w, y = w_all[lo:hi][use], y_all[lo:hi][use]
        total = w.sum()
        total_w[k] = float(total)
        if use.any() and total > 0:
            val[k] = float(np.dot(w, y) / total)
            if s_all is not None:
                s = s_all[lo:hi][use]
                rse[k] = float(np.sqrt(np.sum((w / total) ** 2 * s**2)))
    if population is not None and population in frame:
        pop = _slice_sums(frame[population].take(order), bounds)
    else:
        pop = np.full(n, math.nan)
    names = region_name if region_name and region_name in frame else region
    return pd.DataFrame(
        {
            "area_code": frame[region].iloc[starts].tolist(),
            "area_name": frame[names].iloc[starts].tolist(),
            "period": frame["period"].iloc[starts].tolist(),
            "value": val,
            "se": rse,
            "weight": total_w,
            "population": pop,
            "n_areas": groups[area].nunique().to_numpy(dtype="int64"),
            "n_areas_with_value": np.add.reduceat(ok.astype("int64"), bounds[:-1]),
        }
    )


def published_lens(aggregate: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    r"""Regional lens on ONS's published ITL1 rows, the LA aggregate only where none exists.

    For each region and period, ``value`` and ``se`` are the published row's where ONS
    publishes one (``regional_source`` = :data:`PUBLISHED`), else the weighted mean of the
    region's areas (:func:`regional_panel`, ``regional_source`` = :data:`AGGREGATE`).
    ``aggregate_value`` keeps the aggregate beside it, and ``aggregate_minus_published``
    :math:`= \bar y^{agg}_{gt} - y^{pub}_{gt}` measures how far the aggregate strays (NaN
    where either is missing). Weights stay the aggregate's (the region's total of the
    indicator's weight); a published period with no LA rows borrows the region's weight from
    its nearest period, and a region with no LA rows at all is left out (no weight to compare
    it by).

    Parameters
    ----------
    aggregate : pandas.DataFrame
        :func:`regional_panel` output.
    published : pandas.DataFrame
        ``area_code`` (ITL1), ``period``, ``value``, ``se`` of the published rows.

    Examples
    --------
    >>> agg = pd.DataFrame({"area_code": ["R", "R"], "area_name": "Reg", "period": ["1", "2"],
    ...                     "value": [10.0, 11.0], "se": float("nan"), "weight": [5.0, 6.0]})
    >>> pub = pd.DataFrame({"area_code": ["R"], "period": ["2"], "value": [12.0],
    ...                     "se": [float("nan")]})
    >>> published_lens(agg, pub)[["value", "regional_source", "aggregate_minus_published"]
    ...                          ].values.tolist()
    [[10.0, 'LA aggregate', nan], [12.0, 'published', -1.0]]
    """
    if published is None or published.empty:
        out = aggregate.copy()
        out["regional_source"] = AGGREGATE
        out["aggregate_value"] = out["value"]
        out["aggregate_minus_published"] = math.nan
        return out
    pub = published[["area_code", "period", "value", "se"]].rename(
        columns={"value": "pub_value", "se": "pub_se"}
    )
    pub = pub[pub["area_code"].isin(set(aggregate["area_code"]))]
    out = aggregate.merge(pub, on=["area_code", "period"], how="outer", validate="one_to_one")
    out = out.sort_values(["area_code", "period"], kind="stable").reset_index(drop=True)
    names = aggregate.drop_duplicates("area_code").set_index("area_code")["area_name"]
    out["area_name"] = out["area_code"].map(names)
    for col in ("weight", "population"):
        if col in out:
            out[col] = _fill_within(out["area_code"], out[col])
    has_pub = out["pub_value"].notna()
    out["aggregate_value"] = out["value"]
    out["aggregate_minus_published"] = out["value"] - out["pub_value"]
    out["value"] = out["pub_value"].where(has_pub, out["value"])
    out["se"] = out["pub_se"].where(has_pub, out["se"])
    out["regional_source"] = np.where(has_pub, PUBLISHED, AGGREGATE)
    return out.drop(columns=["pub_value", "pub_se"])


def _fill_within(groups: pd.Series, column: pd.Series) -> pd.Series:
    """``column`` filled forward, then backward, within each group of ``groups``.

    The same as ``column.groupby(groups).transform(lambda c: c.ffill().bfill())`` with
    pandas' grouped fills instead of one Python call per group.
    """
    forward = column.groupby(groups).ffill()
    return forward.groupby(groups).bfill()


def _slice_sums(column: pd.Series, bounds: np.ndarray) -> np.ndarray:
    """``float(column.iloc[lo:hi].sum())`` for each consecutive pair ``lo, hi`` of ``bounds``."""
    if column.dtype == np.float64:
        # Series.sum's own steps (missing as 0, then one numpy sum), minus a Series per slice.
        filled = np.where(column.isna(), 0.0, column.to_numpy())
        return np.array([float(filled[lo:hi].sum()) for lo, hi in pairwise(bounds)])
    return np.array([float(column.iloc[lo:hi].sum()) for lo, hi in pairwise(bounds)])


def _usable_floats(column: pd.Series, usable: np.ndarray) -> np.ndarray:
    """``column`` as float64, NaN outside the ``usable`` rows.

    Only usable rows are converted, as the rows left out may hold what float conversion
    refuses (a text marker in an object column).
    """
    out = np.full(len(column), math.nan)
    out[usable] = column[usable].to_numpy(dtype=float)
    return out


def _ends(
    panel: pd.DataFrame, baseline: str, latest: str, rows: PanelRows | None = None
) -> pd.DataFrame:
    """Wide frame: one row per area with values, se, weight and population at both ends.

    Each end is the period's first row of each area (``rows``: the panel's
    :func:`~localineq.policy.panel_rows.panel_rows`, built here when not given).
    """
    rows = panel_rows(panel) if rows is None else rows
    cols = [c for c in ("value", "se", "weight", "population") if c in panel.columns]
    data = {
        f"{c}_{tag}": period_column(panel, rows, c, per)
        for tag, per in (("b", baseline), ("l", latest))
        for c in cols
    }
    wide = pd.DataFrame(data, index=rows.areas)
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
    rows: PanelRows | None = None,
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
    rows : PanelRows, optional
        :func:`~localineq.policy.panel_rows.panel_rows` of ``panel``, for a caller that runs
        many tests on one panel (built here when not given).

    Returns
    -------
    TestResult
    """
    params = dict(params or {})
    if test not in TESTS:
        raise ValueError(f"unknown test {test!r}; choose one of {TESTS}")
    if latest is None or (baseline is None and test != "level_reached"):
        return _no_data_result(panel, test, params)
    ends = _ends(panel, baseline if baseline is not None else latest, latest, rows)
    return _RUNNERS[test](
        panel,
        ends,
        baseline=baseline,
        latest=latest,
        higher_is_better=higher_is_better,
        params=params,
        level=level,
    )


def _no_data_result(panel: pd.DataFrame, test: str, params: dict[str, Any]) -> TestResult:
    """Every area ``no_data``: the test's verdict when a period it needs is missing."""
    areas = sorted(panel["area_code"].unique())
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


def _weights_if_any(column: pd.Series) -> pd.Series | None:
    """``column``, or ``None`` (unweighted) when no area has a weight."""
    return column if column.notna().any() else None


# One runner per test name. Each maps the two-period wide frame of :func:`_ends` (and, for
# the trajectory, the long panel) plus the test's ``params`` onto the arguments of its test
# function in :mod:`localineq.policy.missions`; defaults of unset parameters live here.


def _run_rise_everywhere(
    panel: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    higher_is_better: bool,
    params: dict[str, Any],
    level: float,
    **_: Any,
) -> TestResult:
    """:func:`~localineq.policy.missions.rise_everywhere` on the two ends."""
    return rise_everywhere(
        list(ends.index),
        ends["value_b"],
        ends["value_l"],
        higher_is_better,
        population=ends["pop"],
        se_baseline=ends["se_b"],
        se_latest=ends["se_l"],
        ties=params.get("ties", "failed"),
        level=level,
        decimals=int(params.get("decimals", MAX_DECIMALS)),
    )


def _run_gap_narrows(
    panel: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    higher_is_better: bool,
    params: dict[str, Any],
    **_: Any,
) -> TestResult:
    """:func:`~localineq.policy.missions.gap_narrows`, weighted at each end if weights exist."""
    return gap_narrows(
        list(ends.index),
        ends["value_b"],
        ends["value_l"],
        higher_is_better,
        weights_baseline=_weights_if_any(ends["weight_b"]),
        weights_latest=_weights_if_any(ends["weight_l"]),
        measure=params.get("measure", "top_tenth_vs_rest"),
        share=float(params.get("share", 0.1)),
    )


def _run_level_reached(
    panel: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    higher_is_better: bool,
    params: dict[str, Any],
    level: float,
    **_: Any,
) -> TestResult:
    """:func:`~localineq.policy.missions.level_reached` on the latest period alone."""
    return level_reached(
        list(ends.index),
        ends["value_l"],
        float(params["target"]),
        higher_is_better,
        population=ends["pop"],
        se_latest=ends["se_l"],
        level=level,
        decimals=int(params.get("decimals", MAX_DECIMALS)),
    )


def _run_worst_improve_by(
    panel: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    higher_is_better: bool,
    params: dict[str, Any],
    level: float,
    **_: Any,
) -> TestResult:
    """:func:`~localineq.policy.missions.worst_improve_by`, worst group picked by baseline weight."""
    return worst_improve_by(
        list(ends.index),
        ends["value_b"],
        ends["value_l"],
        float(params["factor"]),
        higher_is_better,
        weights=_weights_if_any(ends["weight_b"]),
        population=ends["pop"],
        se_baseline=ends["se_b"],
        se_latest=ends["se_l"],
        share=float(params.get("share", 0.1)),
        criterion=params.get("criterion", "mean"),
        level=level,
    )


def _run_trajectory(
    panel: pd.DataFrame,
    ends: pd.DataFrame,
    *,
    baseline: str,
    latest: str,
    higher_is_better: bool,
    params: dict[str, Any],
    level: float,
    **_: Any,
) -> TestResult:
    """:func:`~localineq.policy.missions.trajectory_on_course` on every period in between.

    Periods are kept when their mid-year lies within the baseline's and latest's mid-years
    (with 1e-9 years of slack for float rounding).
    """
    b_mid, l_mid = period_midyear(baseline), period_midyear(latest)
    mids = panel["period"].map(period_midyear)
    part = panel[(mids >= b_mid - 1e-9) & (mids <= l_mid + 1e-9)]
    pop = part["area_code"].map(ends["pop"])
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


#: The runner of each name in :data:`~localineq.policy.missions.TESTS`.
_RUNNERS: dict[str, Callable[..., TestResult]] = {
    "rise_everywhere": _run_rise_everywhere,
    "gap_narrows": _run_gap_narrows,
    "level_reached": _run_level_reached,
    "worst_improve_by": _run_worst_improve_by,
    "trajectory": _run_trajectory,
}


def ambition_backtest(
    panel: pd.DataFrame,
    test: str,
    *,
    window_years: int,
    higher_is_better: bool,
    params: dict[str, Any] | None = None,
    evaluate: Callable[..., TestResult] = evaluate_test,
    index: PanelRows | None = None,
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
    evaluate : callable
        Judges one window; called with :func:`evaluate_test`'s arguments, ``rows`` (the
        panel's :func:`~localineq.policy.panel_rows.panel_rows`) included.
    index : PanelRows, optional
        That :func:`~localineq.policy.panel_rows.panel_rows`, if the caller has it.

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
    # Every window reads the same panel: its periods are grouped once, not once per window.
    if used > 0 and index is None:
        index = panel_rows(panel)
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
                    rows=index,
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
