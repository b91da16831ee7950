"""Decomposition tables: inequality between and within regions, per indicator and period."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.data.weights import nearest_year_weights
from localineq.outputs.area_tables import Specs, analysis_weights, latest_period, period_label
from localineq.stats.decomposition import decompose

DECOMPOSITION_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "level",
    "measure",
    "weighting",
    "n_areas",
    "n_missing",
    "n_groups",
    "weight_year_min",
    "weight_year_max",
    "mean",
    "total",
    "between",
    "within",
    "between_share",
    "unit_of_analysis",
    "weight_basis",
]


def decomposition_table(
    data: pd.DataFrame,
    population: pd.DataFrame,
    *,
    indicator: str,
    measures: Sequence[str],
    weightings: Sequence[str],
    weight_basis: str = "population",
    level: str = "itl1",
) -> pd.DataFrame:
    """Between/within decomposition of one indicator for every period.

    Parameters
    ----------
    data
        Tidy LA rows with ``area_code, period, period_label, reference_year, value`` and a
        ``<level>_code`` group column.
    population
        Long ``area_code, year, population`` table (weights; see
        :func:`localineq.data.weights.nearest_year_weights`).
    measures, weightings
        Measure names for :func:`localineq.stats.decomposition.decompose`; weightings ``"population"``
        (w_i = p_i / Σp) and/or ``"unweighted"`` (every area counts equally).
    weight_basis
        Which population ``population`` holds (e.g. ``working_age``); reported per row, with
        ``"equal"`` on unweighted rows.

    Returns
    -------
    pandas.DataFrame
        One row per period × measure × weighting with :data:`DECOMPOSITION_COLUMNS`. Areas
        whose value is missing (suppressed) are counted in ``n_missing``, not silently lost;
        ``mean`` is the (weighted) mean of the values analysed.
    """
    group_column = f"{level}_code"
    rows = []
    for period, frame in data.groupby("period", sort=True):
        present = frame[frame["value"].notna()]
        weights = nearest_year_weights(
            present["area_code"], int(present["reference_year"].iloc[0]), population
        )
        for weighting in weightings:
            w = weights["weight"].to_numpy() if weighting == "population" else None
            for measure in measures:
                result = decompose(
                    present["value"].to_numpy(dtype="float64"),
                    present[group_column].to_numpy(),
                    weights=w,
                    measure=measure,
                )
                rows.append(
                    {
                        "indicator": indicator,
                        "period": period,
                        "period_label": frame["period_label"].iloc[0],
                        "level": level,
                        "measure": measure,
                        "weighting": weighting,
                        "n_areas": len(present),
                        "n_missing": len(frame) - len(present),
                        "n_groups": present[group_column].nunique(),
                        "weight_year_min": int(weights["weight_year"].min())
                        if w is not None
                        else pd.NA,
                        "weight_year_max": int(weights["weight_year"].max())
                        if w is not None
                        else pd.NA,
                        "mean": float(np.average(present["value"], weights=w)),
                        "total": result.total,
                        "between": result.between,
                        "within": result.within,
                        "between_share": result.between_share,
                        "unit_of_analysis": frame["unit_of_analysis"].iloc[0]
                        if "unit_of_analysis" in frame
                        else "LAD23",
                        "weight_basis": weight_basis if w is not None else "equal",
                    }
                )
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Decomposition summary, uncertainty and profile
# ---------------------------------------------------------------------------------------------
def weighted_label(weightings: Sequence[str], spec: Mapping[str, Any]) -> str | None:
    """Which ``weighting`` value of a decomposition table is the indicator's weighted one.

    The indicator's own ``weight`` if present and not ``"unweighted"``, else ``"population"``,
    else the first non-``"unweighted"`` label (sorted), else ``None``.

    >>> weighted_label(["population", "unweighted"], {"weight": "working_age"})
    'population'
    >>> weighted_label(["unweighted"], {"weight": "unweighted"}) is None
    True
    """
    available = sorted({str(w) for w in weightings} - {"unweighted"})
    own = str(spec.get("weight", ""))
    if own in available:
        return own
    if "population" in available:
        return "population"
    return available[0] if available else None


SUMMARY_COLUMNS = [
    "indicator",
    "title",
    "unit",
    "higher_is_better",
    "period",
    "period_label",
    "measure",
    "n_areas",
    "n_groups",
    "weighting",
    "total",
    "between_share",
    "between_share_lower",
    "between_share_upper",
    "within_share",
    "total_unweighted",
    "between_share_unweighted",
    "between_share_unweighted_lower",
    "between_share_unweighted_upper",
]


def _weighting_class(weighting: str) -> str:
    """``"unweighted"`` or ``"weighted"``: tables label the weighted variant differently
    (``population`` in the decomposition, the weight basis in the uncertainty table)."""
    return "unweighted" if str(weighting) == "unweighted" else "weighted"


def decomposition_summary(
    decomposition: pd.DataFrame,
    specs: Specs,
    *,
    uncertainty: pd.DataFrame | None = None,
    measure: str = "theil_t",
) -> pd.DataFrame:
    """One row per indicator: latest period's between-region share, weighted and unweighted.

    Parameters
    ----------
    decomposition
        Rows of ``results/tables/decomposition.csv`` (ITL1 level).
    specs
        Indicator config entries; indicators absent from ``decomposition`` are skipped.
    uncertainty
        Optional bootstrap table from :func:`uncertainty_table`; its ``between_share`` rows
        supply ``*_lower``/``*_upper``. Missing intervals stay missing.
    measure
        Which measure to summarise.

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`, in the order of ``specs``. ``total``, ``between_share`` and
        ``within_share = 1 − between_share`` are for the indicator's own weighting, named in
        ``weighting`` (see :func:`weighted_label`; ``"unweighted"`` for an indicator analysed
        unweighted); the ``*_unweighted`` columns treat every LA equally.
    """
    table = decomposition[decomposition["measure"] == measure]
    if "level" in table.columns:
        table = table[table["level"] == "itl1"]
    intervals: dict[tuple[str, str, str], tuple[float, float]] = {}
    if uncertainty is not None and not uncertainty.empty:
        shares = uncertainty[
            (uncertainty["statistic"] == "between_share")
            & (uncertainty["measure"] == measure)
            & (uncertainty["method"] == "bootstrap")
        ]
        for row in shares.itertuples(index=False):
            intervals[(row.indicator, row.period, _weighting_class(row.weighting))] = (
                row.lower,
                row.upper,
            )
    rows = []
    for indicator, spec in specs.items():
        rows_of = table[table["indicator"] == indicator]
        if rows_of.empty:
            continue
        present = rows_of[rows_of["n_areas"] > 0]
        period = str(present["period"].max())
        latest = rows_of[rows_of["period"] == period].set_index("weighting")
        own_unweighted = str(spec.get("weight", "")) == "unweighted"
        weighted = None if own_unweighted else weighted_label(latest.index, spec)
        row: dict[str, Any] = {
            "indicator": indicator,
            "title": spec["title"],
            "unit": spec["unit"],
            "higher_is_better": bool(spec["higher_is_better"]),
            "period": period,
            "period_label": str(latest["period_label"].iloc[0]),
            "measure": measure,
            "n_areas": int(latest["n_areas"].max()),
            "n_groups": int(latest["n_groups"].max()),
            "weighting": weighted if weighted is not None else "unweighted",
        }
        main = weighted if weighted is not None else "unweighted"
        row["total"] = float(latest.loc[main, "total"])
        row["between_share"] = float(latest.loc[main, "between_share"])
        row["between_share_lower"], row["between_share_upper"] = intervals.get(
            (indicator, period, _weighting_class(main)), (math.nan, math.nan)
        )
        row["within_share"] = 1.0 - row["between_share"]
        if "unweighted" in latest.index:
            row["total_unweighted"] = float(latest.loc["unweighted", "total"])
            row["between_share_unweighted"] = float(latest.loc["unweighted", "between_share"])
            lo, hi = intervals.get((indicator, period, "unweighted"), (math.nan, math.nan))
        else:
            row["total_unweighted"] = row["between_share_unweighted"] = math.nan
            lo = hi = math.nan
        row["between_share_unweighted_lower"], row["between_share_unweighted_upper"] = lo, hi
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


UNCERTAINTY_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "level",
    "measure",
    "weighting",
    "method",
    "statistic",
    "estimate",
    "lower",
    "upper",
    "se",
    "bias",
    "ci_level",
    "draws",
    "seed",
    "n_areas",
    "n_uncertain",
    "p_value",
]

#: Methods of :func:`uncertainty_table`: resampling areas within regions, and simulating each
#: area's value from its published 95% interval (sampling error of survey-based estimates).
UNCERTAINTY_METHODS = ("bootstrap", "measurement_error")


def _weighting_name(spec: Mapping[str, Any]) -> str:
    own = str(spec.get("weight", "population"))
    return "population" if own == "unweighted" else own


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
    results: list[tuple[str, Any, int]] = [
        (
            "bootstrap",
            bootstrap(
                values,
                groups,
                weights=weights,
                measure=measure,
                draws=draws,
                seed=seed,
                level=level,
            ),
            0,
        )
    ]
    if {"lci_95", "uci_95"} <= set(part.columns):
        lower = part["lci_95"].to_numpy(dtype="float64")
        upper = part["uci_95"].to_numpy(dtype="float64")
        both = np.isfinite(lower) & np.isfinite(upper)
        if both.any():
            # Half-published bounds carry no usable interval: treat the area as exact.
            lower = np.where(both, lower, np.nan)
            upper = np.where(both, upper, np.nan)
            error = measurement_error(
                values,
                lower,
                upper,
                groups,
                weights=weights,
                measure=measure,
                draws=draws,
                seed=seed,
                level=level,
                truncate=True,
            )
            results.append(("measurement_error", error, int(error.n_uncertain)))
    p_value = math.nan
    if permutations > 0:
        test = permutation_test(
            values, groups, weights=weights, measure=measure, permutations=permutations, seed=seed
        )
        p_value = float(test.pvalue)
    rows = []
    for method, result, n_uncertain in results:
        for statistic in ("total", "between", "within", "between_share"):
            ci = result.ci.loc[statistic]
            rows.append(
                {
                    "method": method,
                    "statistic": statistic,
                    "estimate": float(ci["estimate"]),
                    "lower": float(ci["lower"]),
                    "upper": float(ci["upper"]),
                    "se": float(ci["se"]),
                    "bias": float(ci["bias"]),
                    "n_uncertain": n_uncertain,
                    "p_value": p_value
                    if statistic == "between_share" and method == "bootstrap"
                    else math.nan,
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

    Two methods from :mod:`localineq.stats`, both with ``draws`` replicates and a fixed
    ``seed`` so reruns agree:

    * ``bootstrap`` — local authorities resampled within regions
      (:func:`~localineq.stats.bootstrap.bootstrap`): how much the split depends on which areas
      happen to make up each region;
    * ``measurement_error`` — each LA's value simulated from its published 95% interval
      (:func:`~localineq.stats.measurement_error.measurement_error`, truncated to positive values): the
      sampling error of survey-based estimates. Only when some areas publish intervals.

    Both the weighted variant (the indicator's own weight) and the unweighted one are
    reported. With ``permutations > 0`` the bootstrap's ``between_share`` rows also carry the
    permutation-test p-value of the between component (null: region labels exchangeable).

    Returns
    -------
    pandas.DataFrame
        :data:`UNCERTAINTY_COLUMNS`; one row per indicator × measure × weighting × method ×
        statistic (``total``, ``between``, ``within``, ``between_share``).
    """
    rows: list[dict[str, Any]] = []
    for indicator, part in latest_period(frame).groupby("indicator", sort=True):
        if indicator not in specs:
            continue
        part = part.sort_values("area_code").reset_index(drop=True)
        spec = specs[indicator]
        period = str(part["period"].iloc[0])
        variants: list[tuple[str, np.ndarray | None]] = []
        if str(spec.get("weight", "population")) != "unweighted":
            variants.append((_weighting_name(spec), analysis_weights(part, weight)))
        variants.append(("unweighted", None))
        for weighting, weights in variants:
            for measure in measures:
                common = {
                    "indicator": indicator,
                    "period": period,
                    "period_label": period_label(period),
                    "level": "itl1",
                    "measure": measure,
                    "weighting": weighting,
                    "ci_level": level,
                    "draws": draws,
                    "seed": seed,
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
    return pd.DataFrame(rows, columns=UNCERTAINTY_COLUMNS)
