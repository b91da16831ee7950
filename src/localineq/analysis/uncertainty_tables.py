"""Uncertainty of each indicator's latest decomposition: confidence intervals (bootstrap, BCa),
a measurement-error sensitivity and a permutation test, each in its own columns.

The table keeps three different things apart, because they answer different questions:

* ``method = bootstrap``: a **confidence interval** for the estimate (``ci_lower``,
  ``ci_upper``; BCa, see :func:`localineq.stats.bootstrap.bca_interval`; ``ci_alpha_*`` the
  draw quantiles it used, and ``ci_note`` says when an end rests on fewer than
  :data:`MIN_DRAWS_BEYOND` draws, or why an interval is withheld), plus the raw
  percentile range of the draws (``percentile_range_lower``/``_upper``), which is *not* a
  confidence interval: the draws of a between share sit above the estimate.
* ``method = measurement_error_sensitivity``: what the statistic becomes when every area's
  value is re-drawn from its published 95% interval (``sensitivity_lower``/``_upper``, the
  central range of those re-computed statistics). Noise added to the values raises total and
  within inequality, so this range need not contain the estimate; it is a sensitivity of the
  estimate to sampling error in the inputs, never an interval around it.
* ``method = permutation``: the p-value of the between-region component under exchangeable
  region labels (``p_value``, with ``permutations``); ``p_value_label`` prints the floor
  value ``1/(permutations+1)`` as "≤ 0.001".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.analysis.area_tables import Specs, analysis_weights, latest_period_rows, period_label
from localineq.analysis.decomposition_tables import weight_basis_of

UNCERTAINTY_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "level",
    "measure",
    "weighting",
    "weight_basis",
    "method",
    "statistic",
    "estimate",
    "nominal_level",
    "ci_method",
    "ci_lower",
    "ci_upper",
    "ci_alpha_lower",
    "ci_alpha_upper",
    "ci_note",
    "percentile_range_lower",
    "percentile_range_upper",
    "sensitivity_lower",
    "sensitivity_upper",
    "se",
    "bias",
    "draws",
    "seed",
    "n_areas",
    "n_uncertain",
    "p_value",
    "p_value_label",
    "permutations",
]

#: Methods of :func:`uncertainty_table`.
UNCERTAINTY_METHODS = ("bootstrap", "measurement_error_sensitivity", "permutation")
STATISTICS = ("total", "between", "within", "between_share")


def p_value_label(p: float, permutations: int) -> str:
    """A permutation p-value as printed: the floor ``1/(permutations+1)`` reads "≤ floor".

    A permutation test with ``m`` draws cannot give a p-value below ``1/(m+1)``; printing that
    floor as if exact would overstate what was measured.

    >>> p_value_label(0.001, 999), p_value_label(0.013, 999), p_value_label(float("nan"), 999)
    ('≤ 0.001', '0.013', '')
    """
    if p is None or not math.isfinite(p):
        return ""
    floor = 1.0 / (permutations + 1)
    digits = max(3, math.ceil(-math.log10(floor)))
    if p <= floor * (1 + 1e-9):
        return f"≤ {floor:.{digits}f}"
    return f"{p:.{digits}f}"


def ci_contains_estimate(table: pd.DataFrame) -> pd.Series:
    """Whether each row labelled as a confidence interval contains its estimate.

    Rows without a confidence interval (``ci_lower``/``ci_upper`` missing) count as True;
    the check is over every row that presents one.
    """
    has = table["ci_lower"].notna() | table["ci_upper"].notna()
    inside = (table["ci_lower"] <= table["estimate"]) & (table["estimate"] <= table["ci_upper"])
    return ~has | inside


#: A BCa end with fewer draws than this beyond its quantile gets a note in ``ci_note``.
MIN_DRAWS_BEYOND = 5


def _bootstrap_rows(result: Any) -> list[dict[str, Any]]:
    draws = int(result.n_draws)
    rows = []
    for statistic in STATISTICS:
        ci = result.ci.loc[statistic]
        lo, hi, est = float(ci["lower"]), float(ci["upper"]), float(ci["estimate"])
        note = ""
        a_lo, a_hi = float(ci["alpha_lower"]), float(ci["alpha_upper"])
        if not (math.isfinite(lo) and math.isfinite(hi)):
            note = "BCa undefined: every draw on one side of the estimate; no interval"
            lo = hi = math.nan
        elif not lo <= est <= hi:
            # BCa contains the estimate unless the draws are extremely skewed; an interval
            # that excludes its own estimate is not presented as one.
            note = f"BCa interval [{lo:.4g}, {hi:.4g}] excludes the estimate; not reported"
            lo = hi = math.nan
        else:
            # BCa reads the draws at adjusted levels; strongly biased draws push a level into
            # the far tail, where few draws lie beyond it and the end is poorly resolved.
            thin = [
                f"{side} end is the {alpha:.4%} quantile ({beyond:.1f} of {draws} draws beyond)"
                for side, alpha, beyond in (
                    ("lower", a_lo, a_lo * draws),
                    ("upper", a_hi, (1 - a_hi) * draws),
                )
                if beyond < MIN_DRAWS_BEYOND
            ]
            if thin:
                note = (
                    "; ".join(thin)
                    + ": set by the extreme draws, so only roughly resolved (more draws would "
                    "sharpen it)"
                )
        rows.append(
            {
                "method": "bootstrap",
                "statistic": statistic,
                "estimate": est,
                "ci_method": "bca",
                "ci_lower": lo,
                "ci_upper": hi,
                "ci_alpha_lower": a_lo,
                "ci_alpha_upper": a_hi,
                "ci_note": note,
                "percentile_range_lower": float(ci["percentile_lower"]),
                "percentile_range_upper": float(ci["percentile_upper"]),
                "se": float(ci["se"]),
                "bias": float(ci["bias"]),
                "n_uncertain": 0,
            }
        )
    return rows


def _sensitivity_rows(result: Any) -> list[dict[str, Any]]:
    return [
        {
            "method": "measurement_error_sensitivity",
            "statistic": statistic,
            "estimate": float(result.ci.loc[statistic, "estimate"]),
            "sensitivity_lower": float(result.ci.loc[statistic, "lower"]),
            "sensitivity_upper": float(result.ci.loc[statistic, "upper"]),
            "se": float(result.ci.loc[statistic, "se"]),
            "bias": float(result.ci.loc[statistic, "bias"]),
            "n_uncertain": int(result.n_uncertain),
        }
        for statistic in STATISTICS
    ]


def _uncertainty_rows(
    part: pd.DataFrame,
    *,
    weights: np.ndarray | None,
    measure: str,
    draws: int,
    seed: int,
    level: float,
    permutations: int,
) -> list[dict[str, Any]]:
    from localineq.stats.bootstrap import bootstrap
    from localineq.stats.measurement_error import measurement_error
    from localineq.stats.permutation import permutation_test

    values = part["value"].to_numpy(dtype="float64")
    groups = part["itl1_code"].to_numpy()
    boot = bootstrap(
        values, groups, weights=weights, measure=measure, draws=draws, seed=seed, level=level
    )
    rows = [{**r, "draws": draws, "seed": seed} for r in _bootstrap_rows(boot)]
    if {"lci_95", "uci_95"} <= set(part.columns):
        lower = part["lci_95"].to_numpy(dtype="float64")
        upper = part["uci_95"].to_numpy(dtype="float64")
        both = np.isfinite(lower) & np.isfinite(upper)
        if both.any():
            # Half-published bounds carry no usable interval: treat the area as exact.
            error = measurement_error(
                values,
                np.where(both, lower, np.nan),
                np.where(both, upper, np.nan),
                groups,
                weights=weights,
                measure=measure,
                draws=draws,
                seed=seed,
                level=level,
                truncate=True,
            )
            rows += [{**r, "draws": draws, "seed": seed} for r in _sensitivity_rows(error)]
    if permutations > 0:
        test = permutation_test(
            values, groups, weights=weights, measure=measure, permutations=permutations, seed=seed
        )
        # Total inequality is the same in every relabelling, so the test of the between
        # component is also the test of the between share.
        rows.append(
            {
                "method": "permutation",
                "statistic": "between_share",
                "estimate": float(test.observed_share),
                "p_value": float(test.pvalue),
                "p_value_label": p_value_label(float(test.pvalue), permutations),
                "permutations": permutations,
                "seed": seed,
                "n_uncertain": 0,
            }
        )
    return rows


def uncertainty_table(
    frame: pd.DataFrame,
    specs: Specs,
    *,
    measures: Sequence[str] = ("theil_t",),
    draws: int = 999,
    seed: int = 20240601,
    level: float = 0.95,
    permutations: int = 0,
    weight: str = "weight",
) -> pd.DataFrame:
    """Uncertainty of each indicator's latest between/within decomposition.

    Three procedures from :mod:`localineq.stats`, with ``draws`` replicates (``permutations``
    relabellings) and a fixed ``seed`` so reruns agree (see the module docstring for what each
    row means):

    * ``bootstrap`` — local authorities resampled within regions
      (:func:`~localineq.stats.bootstrap.bootstrap`): BCa confidence interval and percentile
      range;
    * ``measurement_error_sensitivity`` — each area's value re-drawn from its published 95%
      interval (:func:`~localineq.stats.measurement_error.measurement_error`, truncated to
      positive values); only when some areas publish intervals;
    * ``permutation`` — with ``permutations > 0``, the p-value of the between component.

    Both the weighted variant (``weighting = weighted``, by the indicator's ``weight_basis``)
    and the unweighted one (``weight_basis = equal``) are reported.

    Returns
    -------
    pandas.DataFrame
        :data:`UNCERTAINTY_COLUMNS`; one row per indicator × measure × weighting × method ×
        statistic (permutation rows: ``between_share`` only).
    """
    rows: list[dict[str, Any]] = []
    for indicator, part in latest_period_rows(frame).groupby("indicator", sort=True):
        if indicator not in specs:
            continue
        part = part.sort_values("area_code").reset_index(drop=True)
        spec = specs[indicator]
        period = str(part["period"].iloc[0])
        variants: list[tuple[str, str, np.ndarray | None]] = []
        if str(spec.get("weight", "population")) != "unweighted":
            variants.append(("weighted", weight_basis_of(spec), analysis_weights(part, weight)))
        variants.append(("unweighted", "equal", None))
        for weighting, basis, weights in variants:
            for measure in measures:
                common = {
                    "indicator": indicator,
                    "period": period,
                    "period_label": period_label(period),
                    "level": "itl1",
                    "measure": measure,
                    "weighting": weighting,
                    "weight_basis": basis,
                    "nominal_level": level,
                    "n_areas": len(part),
                }
                for row in _uncertainty_rows(
                    part,
                    weights=weights,
                    measure=measure,
                    draws=draws,
                    seed=seed,
                    level=level,
                    permutations=permutations,
                ):
                    rows.append({**common, **row})
    table = pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS)
    for column in ("ci_method", "ci_note", "p_value_label"):
        table[column] = table[column].fillna("")
    return table
