r"""Targets for every local authority, high performers included, and levelling-down alarms.

A regional target can be met while strong local authorities slip back ("levelling down").
This module sets one target per authority and indicator, from rules declared once in
``config/config.yaml`` (``targets:``, a default and per-indicator overrides):

Benchmark :math:`B` (fixed at the baseline period)
    ``top_quintile`` (default): the threshold of the best fifth of authorities at baseline,
    :math:`B = s\,Q_{0.8}(s\,y_{\cdot,0})` with :math:`s = \pm 1` the polarity and
    :math:`Q` the type-1 quantile over authorities (each authority one unit, as targets are
    set for authorities); ``uk_median``: :math:`Q_{0.5}` of the same values;
    ``region_best_quartile``: :math:`s\,Q_{0.75}` of the authority's own region only;
    ``level``: a stated value (a mission's own level, e.g. 90% at key stage 2).
Below the benchmark at baseline (:math:`s\,y_0 < s\,B`)
    close a share :math:`\lambda` of the gap by the horizon :math:`T` (``targets.default.horizon``):
    :math:`y^*_T = y_0 + \lambda (B - y_0)`. Milestones lie on the straight line from
    :math:`(t_0, y_0)` to :math:`(T, y^*_T)`:
    :math:`m(t) = y_0 + \frac{t - t_0}{T - t_0} (y^*_T - y_0)`, clipped to
    :math:`[t_0, T]`; times are period mid-points (:func:`~localineq.policy.periods.
    period_midyear`) and :math:`T` is the middle of the horizon year.
    Status: ``met`` if :math:`s\,y_t \ge s\,y^*_T`, ``on_track`` if :math:`s\,y_t \ge s\,m(t)`,
    else ``off_track``.
High performers (:math:`s\,y_0 \ge s\,B`, judged on the baseline value alone; a tie with
    the benchmark counts as at it)
    a floor, never a stretch target: ``target_<T>`` (``target_2030``) is the baseline value, also when the
    latest value is missing. Two statuses, kept apart:

    * ``levelling_down`` (the alarm): the value *fell below its own baseline by more than
      the noise*. With published intervals at both ends the fall must be significant
      (:math:`s\,(y_0 - y_t) > 0` and :math:`|y_t - y_0| > z_{0.975}\sqrt{se_t^2 + se_0^2}`);
      without them it must exceed half a unit in the last published decimal place,
      :math:`s\,(y_0 - y_t) > \tfrac12 10^{-d}`. A high performer that improved is never
      an alarm.
    * ``lagging_uk_trend`` (not an alarm): no such fall, but further behind the UK trend
      than a tolerance :math:`\tau`: :math:`s\,y_t < f_t` with
      :math:`f_t = \max\{s\,y_0,\; s\,y_0 + s\,(R_t - R_0) - \tau\}` in oriented terms,
      :math:`R` the UK reference over authorities with values at both ends
      (``uk_change``; ``n_uk_change_areas`` counts them) and
      :math:`\tau = \text{tolerance} \times |R_0|`. Otherwise ``met``.

    ``levelling_down_periods`` counts in how many of the last ``persistence_periods``
    periods after the baseline (``periods_checked``) the value was levelling down by the
    same rule.
Missing baseline or latest value
    ``no_data`` (never met, never an alarm).
Precision
    Every comparison (met, on track, high performer, fall, significance) is made with
    :func:`~localineq.policy.compare.compare_at_precision` at :math:`d` decimals, the
    precision the source publishes (:func:`~localineq.policy.compare.published_decimals`
    of the nominal values): a target that computes to ``3.6999999999999997`` is met by
    ``3.7``.
Real terms
    Money indicators (rows with ``value_real`` in ``la_indicators``) are judged in real terms
    (``price_basis`` says which base); ``status_nominal`` gives the status on nominal
    values as a labelled sensitivity.
Significance (the scorecard's rule, :func:`~localineq.policy.compare.significant_difference`)
    An alarm is significant when :math:`|y_t - f_t| > z_{0.975}\sqrt{se_t^2 + se_0^2}`
    (the floor is built from the baseline value, so it carries its error; the UK trend is
    treated as fixed). An ``off_track`` status is significant when the shortfall against the
    milestone exceeds :math:`z_{0.975}\sqrt{se_t^2 + ((1 - \phi) se_0)^2}` with
    :math:`\phi = \lambda (t - t_0) / (T - t_0)` the weight of the benchmark in the
    milestone. Standard errors come from published 95% intervals
    (:func:`~localineq.policy.compare.se_from_interval`); without them nothing is
    significant and ``evidence`` says ``not published``. Errors are assumed independent.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from localineq.data.indicators import NOT_MONEY, in_real_terms
from localineq.policy.compare import (
    MAX_DECIMALS,
    compare_at_precision,
    orient,
    rows_decimals,
    se_from_interval,
    significant_difference,
)
from localineq.policy.periods import baseline_period, latest_period, period_midyear
from localineq.policy.reference import group_reference, reference_label
from localineq.policy.statuses import STATUS_MEANINGS, STATUSES, fell_below_baseline
from localineq.policy.target_columns import (
    TARGET_COLUMNS,
    target_column,
    target_columns,
    target_horizon,
)
from localineq.policy.target_rules import BENCHMARKS, TargetRule
from localineq.stats.dispersion import weighted_quantile

__all__ = [
    "BENCHMARKS",
    "STATUSES",
    "STATUS_MEANINGS",
    "TARGET_COLUMNS",
    "TargetRule",
    "benchmark_values",
    "classify",
    "fell_below_baseline",
    "indicator_targets",
    "polarity_rank",
    "target_column",
    "target_columns",
    "target_horizon",
    "targets_table",
]


def polarity_rank(values: pd.Series, higher_is_better: bool) -> pd.Series:
    """Rank 1 = best (polarity-aware); ties share the best rank; missing values unranked.

    >>> polarity_rank(pd.Series([3.0, 1.0, 3.0, None]), higher_is_better=False).tolist()
    [2.0, 1.0, 2.0, nan]
    """
    oriented = values if higher_is_better else -values
    return oriented.rank(ascending=False, method="min")


def benchmark_values(
    baseline: pd.Series, regions: pd.Series, rule: TargetRule, higher_is_better: bool
) -> pd.Series:
    """The benchmark of each authority in raw units (see the module docstring).

    Examples
    --------
    >>> b = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0]); r = pd.Series(list("aabbb"))
    >>> benchmark_values(b, r, TargetRule(), True).tolist()
    [4.0, 4.0, 4.0, 4.0, 4.0]
    >>> benchmark_values(b, r, TargetRule(), False).tolist()  # lower is better
    [2.0, 2.0, 2.0, 2.0, 2.0]
    >>> benchmark_values(b, r, TargetRule(benchmark="region_best_quartile"), True).tolist()
    [2.0, 2.0, 5.0, 5.0, 5.0]
    """
    s = 1.0 if higher_is_better else -1.0
    out = pd.Series(math.nan, index=baseline.index)
    if rule.benchmark == "level":
        return out.fillna(float(rule.level))  # type: ignore[arg-type]
    oriented = s * baseline
    if rule.benchmark in ("top_quintile", "uk_median"):
        q = 0.8 if rule.benchmark == "top_quintile" else 0.5
        ok = oriented.dropna()
        if not ok.empty:
            out[:] = s * float(weighted_quantile(ok.to_numpy(), q))
        return out
    for _, idx in oriented.groupby(regions, sort=False).groups.items():
        ok = oriented[idx].dropna()
        if not ok.empty:
            out[idx] = s * float(weighted_quantile(ok.to_numpy(), 0.75))
    return out


def classify(
    baseline: Any,
    latest: Any,
    benchmark: Any,
    *,
    higher_is_better: bool,
    gap_share: float,
    t_baseline: float,
    t_latest: float,
    t_horizon: float,
    uk_change: float = 0.0,
    tolerance: float = 0.0,
    se_baseline: Any = None,
    se_latest: Any = None,
    decimals: int = MAX_DECIMALS,
) -> pd.DataFrame:
    """Target, milestone, floor, status and significance of each authority (raw units).

    Parameters
    ----------
    baseline, latest, benchmark : array_like
        Values at baseline and latest, and each authority's benchmark.
    higher_is_better : bool
    gap_share : float
        :math:`\\lambda`.
    t_baseline, t_latest, t_horizon : float
        Decimal years of the baseline, latest and horizon.
    uk_change : float
        :math:`R_t - R_0`, the UK reference's change in raw units.
    tolerance : float
        :math:`\\tau` in raw units (>= 0).
    se_baseline, se_latest : array_like, optional
        Standard errors (NaN or omitted = no published interval).
    decimals : int
        Published precision of the comparisons (module docstring, *Precision*).

    Returns
    -------
    pandas.DataFrame
        ``high_performer, target_<horizon year>, milestone_latest, floor_latest, status,
        significant, evidence``.

    Examples
    --------
    Higher is better, benchmark 80, halve the gap by 2030.5 from 2020.5, latest 2025.5:

    >>> r = classify([60.0, 60.0, 85.0, 85.0, 85.0], [75.0, 66.0, 84.0, 86.0, None],
    ...              [80.0] * 5, higher_is_better=True, gap_share=0.5, t_baseline=2020.5,
    ...              t_latest=2025.5, t_horizon=2030.5, uk_change=3.0, decimals=0)
    >>> r[["target_2030", "milestone_latest", "status"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[70.0, 65.0, 'met'], [70.0, 65.0, 'on_track'], [85.0, 85.0, 'levelling_down'],
     [85.0, 85.0, 'lagging_uk_trend'], [85.0, nan, 'no_data']]
    """
    s = 1.0 if higher_is_better else -1.0
    y0 = np.asarray(baseline, dtype=float)
    n = y0.size
    yt = np.broadcast_to(np.asarray(latest, dtype=float), (n,)).astype(float)
    bench = np.broadcast_to(np.asarray(benchmark, dtype=float), (n,)).astype(float)
    se0 = np.full(n, math.nan) if se_baseline is None else np.asarray(se_baseline, float)
    set_ = np.full(n, math.nan) if se_latest is None else np.asarray(se_latest, float)
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    if not t_horizon > t_baseline:
        raise ValueError(f"horizon {t_horizon} must come after the baseline {t_baseline}")
    o0, ot, oB = orient(y0, higher_is_better), orient(yt, higher_is_better), s * bench
    have_base = np.isfinite(o0) & np.isfinite(oB)
    have = have_base & np.isfinite(ot)

    def at_least(a: np.ndarray, b: np.ndarray) -> np.ndarray:  # a >= b as published
        return compare_at_precision(a, b, decimals) >= 0

    high = have_base & at_least(o0, oB)  # the baseline alone decides
    frac = float(np.clip((t_latest - t_baseline) / (t_horizon - t_baseline), 0.0, 1.0))

    target = np.where(high, y0, y0 + gap_share * (bench - y0))
    milestone = np.where(high, y0, y0 + frac * (target - y0))
    o_floor = np.maximum(o0, o0 + s * uk_change - tolerance)
    floor = np.where(high & have, s * o_floor, math.nan)

    status = np.full(n, "no_data", dtype=object)
    below = have & ~high
    status[below] = np.where(
        at_least(ot, s * target)[below],
        "met",
        np.where(at_least(ot, s * milestone)[below], "on_track", "off_track"),
    )
    fell = fell_below_baseline(
        y0, yt, higher_is_better=higher_is_better, se_baseline=se0, se_latest=set_,
        decimals=decimals,
    )  # fmt: skip
    behind_trend = compare_at_precision(ot, o_floor, decimals) < 0
    up = have & high
    status[up] = np.where(
        fell[up], "levelling_down", np.where(behind_trend[up], "lagging_uk_trend", "met")
    )

    evidence = np.where(np.isfinite(se0) & np.isfinite(set_), "interval", "not published")
    sig_fall = fell & (evidence == "interval")
    sig_trend = significant_difference(yt, set_, np.where(up, floor, yt), se0, decimals=decimals)
    phi = gap_share * frac
    sig_short = significant_difference(yt, set_, milestone, (1.0 - phi) * se0, decimals=decimals)
    significant = np.select(
        [status == "levelling_down", status == "lagging_uk_trend", status == "off_track"],
        [sig_fall, sig_trend, sig_short],
        False,
    )
    return pd.DataFrame(
        {
            "high_performer": np.where(have_base, high, pd.NA),
            target_column(math.floor(t_horizon)): np.where(have_base, target, math.nan),
            "milestone_latest": np.where(have, milestone, math.nan),
            "floor_latest": floor,
            "status": status,
            "significant": significant.astype(bool),
            "evidence": np.where(have, evidence, "not published"),
        }
    )


def _ends(panel: pd.DataFrame, period: str | None, suffix: str) -> pd.DataFrame:
    if period is None:
        return pd.DataFrame(columns=[f"value_{suffix}", f"se_{suffix}", f"weight_{suffix}"])
    # Only the columns read below are taken: the panel's other columns are pyarrow text,
    # slow to take row by row, and this runs once per period of every indicator.
    cols = ["area_code", "value", "lci_95", "uci_95", "weight"]
    rows = panel[cols][(panel["period"] == period).to_numpy()]
    rows = rows.drop_duplicates("area_code").set_index("area_code")
    return pd.DataFrame(
        {
            f"value_{suffix}": rows["value"],
            f"se_{suffix}": se_from_interval(rows["lci_95"], rows["uci_95"]),
            f"weight_{suffix}": rows["weight"],
        },
        index=rows.index,
    )


def indicator_targets(
    panel: pd.DataFrame, spec: Mapping[str, Any], rule: TargetRule, reference: str = "mean"
) -> pd.DataFrame:
    """:data:`TARGET_COLUMNS` for one indicator: one row per area of its own tier.

    Money indicators (``value_real`` present) are judged in real terms, with the status on
    nominal values in ``status_nominal``; the published precision comes from the nominal
    values.

    Parameters
    ----------
    panel : pandas.DataFrame
        The indicator's rows of ``la_indicators`` (or ``upper_tier_indicators``): one per
        area and period with ``area_code, area_name, itl1_code, itl1_name, indicator,
        period, value, lci_95, uci_95, weight`` (``unit_of_analysis`` optional).
    spec : mapping
        The indicator's config entry (``higher_is_better``).
    rule : TargetRule
    reference : {"mean", "median"}
        Statistic of the UK trend and of the regional reference reported beside each row.
    """
    decimals = rows_decimals(panel)
    real, basis = in_real_terms(panel)
    out = _indicator_targets(real, spec, rule, reference, decimals)
    out["price_basis"] = basis or NOT_MONEY
    if basis:
        nominal = _indicator_targets(panel, spec, rule, reference, decimals)
        out["status_nominal"] = nominal["status"].to_numpy()
    else:
        out["status_nominal"] = NOT_MONEY
    return out


def _indicator_targets(
    panel: pd.DataFrame,
    spec: Mapping[str, Any],
    rule: TargetRule,
    reference: str,
    decimals: int,
) -> pd.DataFrame:
    """:func:`indicator_targets` on one price basis: the values in ``panel`` as they are."""
    better = bool(spec["higher_is_better"])
    wide, base_p, last_p = _area_ends(panel, rule)
    both = wide["value_b"].notna() & wide["value_l"].notna()
    if not both.any():
        both = pd.Series(False, index=wide.index)
    uk_b = _uk_reference(wide, "b", both, reference)
    uk_change = _uk_reference(wide, "l", both, reference) - uk_b  # the floor's UK trend
    bench = benchmark_values(wide["value_b"], wide["itl1_code"], rule, better)
    if base_p is not None and last_p is not None:
        res = classify(
            wide["value_b"],
            wide["value_l"],
            bench,
            higher_is_better=better,
            gap_share=rule.gap_share,
            t_baseline=period_midyear(base_p),
            t_latest=period_midyear(last_p),
            t_horizon=rule.horizon_time,
            uk_change=uk_change if np.isfinite(uk_change) else 0.0,
            tolerance=rule.trend_tolerance * abs(uk_b) if np.isfinite(uk_b) else 0.0,
            se_baseline=wide["se_b"],
            se_latest=wide["se_l"],
            decimals=decimals,
        )
        res.index = wide.index
    else:
        res = _no_change_to_judge(wide.index, rule)
    latest_rows = wide["value_l"]
    region_ref = group_reference(
        latest_rows, wide["itl1_code"], wide["weight_l"].where(latest_rows.notna()), reference
    )
    out = pd.DataFrame(
        {
            "area_code": wide.index,
            "area_name": wide["area_name"].to_numpy(),
            "itl1_code": wide["itl1_code"].to_numpy(),
            "itl1_name": wide["itl1_name"].to_numpy(),
            "unit_of_analysis": (
                str(panel["unit_of_analysis"].iloc[0]) if "unit_of_analysis" in panel else "LAD23"
            ),
            "indicator": str(panel["indicator"].iloc[0]),
            "higher_is_better": better,
            "baseline_period": base_p,
            "baseline": wide["value_b"].to_numpy(),
            "latest_period": last_p,
            "latest": wide["value_l"].to_numpy(),
            "benchmark_rule": rule.describe(),
            "benchmark": bench.to_numpy(),
            "gap_share": rule.gap_share,
            "rank_baseline": polarity_rank(wide["value_b"], better).to_numpy(),
            "rank_latest": polarity_rank(wide["value_l"], better).to_numpy(),
            "n_ranked_latest": int(wide["value_l"].notna().sum()),
            "reference": reference_label(reference),
            "region_reference_latest": region_ref.to_numpy(),
            # reported beside each row: over every area with a value, not the matched ones
            "uk_reference_baseline": _uk_reference(wide, "b", wide["value_b"].notna(), reference),
            "uk_reference_latest": _uk_reference(wide, "l", wide["value_l"].notna(), reference),
            "uk_change": uk_change,
            "n_uk_change_areas": int(both.sum()),
            "decimals": decimals,
        }
    )
    persist, checked = _persistence(panel, wide, base_p, last_p, rule, better, decimals)
    out = _with_statuses(out, res, persist, checked, rule)
    return _with_milestones(out, base_p, rule)


def _area_ends(
    panel: pd.DataFrame, rule: TargetRule
) -> tuple[pd.DataFrame, str | None, str | None]:
    """One row per area with its names, region and both ends; and the two periods.

    The baseline period follows ``rule.baseline`` among the periods with a value, the latest
    is the last of them; with a single period there is no change to judge and the baseline
    is ``None``. Columns ``value_b, se_b, weight_b, value_l, se_l, weight_l`` come from
    :func:`_ends`, indexed and sorted by ``area_code``.
    """
    areas = panel.drop_duplicates("area_code").set_index("area_code")
    areas = areas[["area_name", "itl1_code", "itl1_name"]].sort_index()
    periods = panel.loc[panel["value"].notna(), "period"].astype(str).tolist()
    base_p = baseline_period(periods, rule.baseline) if periods else None
    last_p = latest_period(periods)
    if base_p == last_p:
        base_p = None
    wide = areas.join(_ends(panel, base_p, "b")).join(_ends(panel, last_p, "l"))
    return wide, base_p, last_p


def _uk_reference(wide: pd.DataFrame, end: str, rows: pd.Series, reference: str) -> float:
    """UK reference (weighted mean or median) of the ``rows`` areas' values at one end.

    ``end`` is ``"b"`` (baseline) or ``"l"`` (latest); NaN when no area is selected.
    """
    ref = group_reference(
        wide.loc[rows, f"value_{end}"], None, wide.loc[rows, f"weight_{end}"], reference
    )
    return float(ref.iloc[0]) if len(ref) else math.nan


def _no_change_to_judge(index: pd.Index, rule: TargetRule) -> pd.DataFrame:
    """The :func:`classify` columns when the baseline or latest period is missing."""
    return pd.DataFrame(
        {
            "high_performer": pd.NA,
            target_column(rule.horizon): math.nan,
            "milestone_latest": math.nan,
            "floor_latest": math.nan,
            "status": "no_data",
            "significant": False,
            "evidence": "not published",
        },
        index=index,
    )


def _with_statuses(
    out: pd.DataFrame, res: pd.DataFrame, persist: pd.Series, checked: int, rule: TargetRule
) -> pd.DataFrame:
    """Add the statuses of :func:`classify` and the persistence count to the area rows.

    ``levelling_down_periods`` is kept only for judged high performers (a count for an area
    below the benchmark would read as an alarm it cannot raise). Columns come back in
    :func:`~localineq.policy.target_columns.target_columns` order.
    """
    out["levelling_down_periods"] = persist.to_numpy()
    out["periods_checked"] = checked
    for col in res.columns:
        out[col] = res[col].to_numpy()
    out["levelling_down_periods"] = (
        out["levelling_down_periods"]
        .where(out["high_performer"].eq(True) & out["status"].ne("no_data"))
        .astype("Int64")
    )
    for col in ("rank_baseline", "rank_latest"):
        out[col] = out[col].astype("Int64")
    return out.reindex(columns=target_columns(rule.horizon))


def _with_milestones(out: pd.DataFrame, base_p: str | None, rule: TargetRule) -> pd.DataFrame:
    r"""Add ``milestone_<year>`` columns on the straight path to the target.

    For each milestone year :math:`a` of ``rule``, :math:`m_a = y_0 + f (y^*_T - y_0)` with
    :math:`f = \min\{1, (a + 0.5 - t_0)/(T - t_0)\}`; missing for ``no_data`` rows. None
    without a baseline period.
    """
    if base_p is None:
        return out
    t0 = period_midyear(base_p)
    span = rule.horizon_time - t0
    for year in rule.milestone_years(t0):
        frac = min(1.0, (year + 0.5 - t0) / span)
        path = out["baseline"] + frac * (out[target_column(rule.horizon)] - out["baseline"])
        out[f"milestone_{year}"] = path.where(out["status"] != "no_data")
    return out


def _persistence(
    panel: pd.DataFrame,
    wide: pd.DataFrame,
    base_p: str | None,
    last_p: str | None,
    rule: TargetRule,
    better: bool,
    decimals: int,
) -> tuple[pd.Series, int]:
    """In how many of the last periods after the baseline each area was levelling down."""
    if base_p is None or last_p is None:
        return pd.Series(0, index=wide.index), 0
    after = sorted(
        {p for p in panel.loc[panel["value"].notna(), "period"].astype(str)
         if period_midyear(p) > period_midyear(base_p)},
        key=period_midyear,
    )[-rule.persistence_periods :]  # fmt: skip
    count = pd.Series(0, index=wide.index)
    for period in after:
        ends = _ends(panel, period, "p").reindex(wide.index)
        fell = fell_below_baseline(
            wide["value_b"], ends["value_p"], higher_is_better=better,
            se_baseline=wide["se_b"], se_latest=ends["se_p"], decimals=decimals,
        )  # fmt: skip
        count += fell.astype(int)
    return count, len(after)


def targets_table(
    frame: pd.DataFrame,
    indicators_cfg: Mapping[str, Mapping[str, Any]],
    targets_cfg: Mapping[str, Any] | None,
    references: Mapping[str, str] | None = None,
    missions_cfg: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """``la_targets``: :func:`indicator_targets` for every indicator in ``frame``.

    ``frame`` stacks ``la_indicators`` and ``upper_tier_indicators``: each indicator stays
    on its own tier (healthy life expectancy on upper-tier areas, never on districts).
    Rows are sorted by indicator (config order) and area code.
    """
    lad_rows = frame[frame["area_code"].str.match(r"^[EWSN]\d{8}$")]
    if "unit_of_analysis" in frame:
        lad_rows = lad_rows[lad_rows["unit_of_analysis"].eq("LAD23")]
    all_lads = lad_rows.drop_duplicates("area_code").set_index("area_code")
    all_lads = all_lads[["area_name", "itl1_code", "itl1_name"]].sort_index()
    horizon = TargetRule.from_config(targets_cfg, "", missions_cfg).horizon
    parts = []
    by_indicator = dict(iter(frame.groupby("indicator", sort=False)))  # one pass, not a mask each
    for key in indicators_cfg:
        panel = by_indicator.get(key)
        if panel is None:
            continue
        # one horizon for every rule (one target column): checked at start-up by
        # localineq.config.policy_checks
        rule = TargetRule.from_config(targets_cfg, key, missions_cfg)
        ref = (references or {}).get(key, "mean")
        part = indicator_targets(panel, indicators_cfg[key], rule, ref)
        if indicators_cfg[key].get("tier", "lad") == "lad":
            part = _every_lad(part, all_lads)
        parts.append(part)
    fixed = target_columns(horizon)
    if not parts:
        return pd.DataFrame(columns=fixed)
    columns = fixed + sorted({c for p in parts for c in p} - set(fixed))
    with warnings.catch_warnings():  # all-missing columns (e.g. no floor) are expected
        warnings.simplefilter("ignore", FutureWarning)
        return pd.concat([p.reindex(columns=columns) for p in parts], ignore_index=True)


def _every_lad(part: pd.DataFrame, all_lads: pd.DataFrame) -> pd.DataFrame:
    """Add a ``no_data`` row for every LAD23 an indicator does not cover (another nation)."""
    missing = all_lads.index.difference(pd.Index(part["area_code"]))
    if missing.empty:
        return part
    first = part.iloc[0]
    extra = all_lads.loc[missing].reset_index()
    for col in (
        "unit_of_analysis",
        "indicator",
        "higher_is_better",
        "baseline_period",
        "latest_period",
        "benchmark_rule",
        "gap_share",
        "reference",
        "uk_reference_baseline",
        "uk_reference_latest",
        "uk_change",
        "n_uk_change_areas",
        "price_basis",
        "decimals",
        "periods_checked",
    ):
        extra[col] = first[col]
    extra["status_nominal"] = NOT_MONEY if first["price_basis"] == NOT_MONEY else "no_data"
    extra["status"] = "no_data"
    extra["significant"] = False
    extra["evidence"] = "not published"
    extra["n_ranked_latest"] = first["n_ranked_latest"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        out = pd.concat([part, extra.reindex(columns=part.columns)], ignore_index=True)
    for col in ("rank_baseline", "rank_latest"):
        out[col] = out[col].astype("Int64")
    return out.sort_values("area_code", kind="stable").reset_index(drop=True)
