"""Decomposition tables: inequality between and within regions, per indicator and period."""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.analysis.area_tables import Specs
from localineq.data.weights import nearest_year_weights
from localineq.stats.decomposition import decompose
from localineq.stats.noise_correction import (
    CORRECTED_MEASURES,
    SIMEX_LAMBDAS,
    noise_correction,
    standard_errors,
)

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
    "overlap",
    "between_share",
    "unit_of_analysis",
    "weight_basis",
    # Noise correction (issue 25): the signal's split, net of the published sampling error.
    "se_source",
    "n_with_se",
    "correction_method",
    "between_share_corrected",
    "between_share_corrected_lower",
    "between_share_corrected_upper",
    "noise_share_of_within",
]

#: ``se_source`` of rows whose values carry published 95% intervals, and of those without.
SE_PUBLISHED = "published 95% interval"
SE_NOT_PUBLISHED = "not published"

#: Defaults of the noise correction (config ``analysis.noise_correction`` overrides them).
NOISE_DEFAULTS: dict[str, Any] = {
    "lambdas": list(SIMEX_LAMBDAS),
    "replicates": 1000,
    "bootstrap": 199,
    "bootstrap_replicates": 10,
    "level": 0.95,
    "seed": 20240601,
}


def correction_seed(seed: int, *parts: str) -> int:
    """A seed for one row's correction, fixed by the base seed and the row's identity.

    Independent of row order and of Python's hash randomisation (CRC-32 of the joined parts).

    >>> correction_seed(1, "a", "b") == correction_seed(1, "a", "b") != correction_seed(1, "b", "a")
    True
    """
    return (int(seed) * 2**32 + zlib.crc32("|".join(parts).encode())) % 2**63


def period_standard_errors(frame: pd.DataFrame, indicator: str, period: str) -> np.ndarray:
    """Standard errors of the rows of ``frame`` from ``lci_95``/``uci_95`` (NaN where absent).

    A frame without the two columns has no published error (all NaN). Inverted or infinite
    bounds raise a ValueError naming the indicator, period and area.
    """
    if not {"lci_95", "uci_95"} <= set(frame.columns):
        return np.full(len(frame), np.nan)
    lower = frame["lci_95"].to_numpy(dtype="float64")
    upper = frame["uci_95"].to_numpy(dtype="float64")
    try:
        return standard_errors(lower, upper)
    except ValueError as exc:
        bad = np.flatnonzero(np.isinf(lower) | np.isinf(upper) | (lower > upper))
        area = frame["area_code"].iloc[bad[0]] if bad.size and "area_code" in frame else "?"
        raise ValueError(
            f"{indicator}, period {period}: columns lci_95/uci_95 unusable for area {area}: {exc}"
        ) from None


def _correction_columns(
    values: np.ndarray,
    se: np.ndarray,
    groups: np.ndarray,
    weights: np.ndarray | None,
    measure: str,
    settings: Mapping[str, Any],
    seed: int,
) -> dict[str, Any]:
    published = np.isfinite(se)
    out: dict[str, Any] = {
        "se_source": SE_PUBLISHED if published.any() else SE_NOT_PUBLISHED,
        "n_with_se": int(published.sum()),
        "correction_method": "",
        "between_share_corrected": math.nan,
        "between_share_corrected_lower": math.nan,
        "between_share_corrected_upper": math.nan,
        "noise_share_of_within": math.nan,
    }
    if not published.any():
        return out
    if measure not in CORRECTED_MEASURES:
        out["correction_method"] = f"not available for {measure}"
        return out
    # An area published without an interval counts as exact: the correction is then a lower
    # bound on the noise (n_with_se says how many areas carry one).
    result = noise_correction(
        values,
        np.where(published, se, 0.0),
        groups,
        weights,
        measure,
        lambdas=[float(x) for x in settings["lambdas"]],
        replicates=int(settings["replicates"]),
        bootstrap=int(settings["bootstrap"]),
        bootstrap_replicates=int(settings["bootstrap_replicates"]),
        level=float(settings["level"]),
        seed=seed,
    )
    out.update(
        correction_method=result.split.method,
        between_share_corrected=result.split.between_share,
        between_share_corrected_lower=result.lower,
        between_share_corrected_upper=result.upper,
        noise_share_of_within=result.split.noise_share_of_within,
    )
    return out


#: The ``weighting`` switch: the indicator's own weight basis, or every area equal.
WEIGHTINGS = ("weighted", "unweighted")


def decomposition_table(
    data: pd.DataFrame,
    population: pd.DataFrame,
    *,
    indicator: str,
    measures: Sequence[str],
    weightings: Sequence[str],
    weight_basis: str = "population",
    level: str = "itl1",
    noise: Mapping[str, Any] | None = None,
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
        Measure names for :func:`localineq.stats.decomposition.decompose` (``gini`` adds the
        ``overlap`` term; NaN for the additive measures); weightings ``"weighted"``
        (w_i = p_i / Σp, p the indicator's weight basis) and/or ``"unweighted"`` (every area
        counts equally).
    weight_basis
        Which population ``population`` holds (e.g. ``working_age``); reported per row in
        ``weight_basis``, with ``"equal"`` on unweighted rows.
    noise
        Settings of the noise correction (:data:`NOISE_DEFAULTS` fills what is missing).

    Returns
    -------
    pandas.DataFrame
        One row per period × measure × weighting with :data:`DECOMPOSITION_COLUMNS`. Areas
        whose value is missing (suppressed) are counted in ``n_missing``, not silently lost;
        ``mean`` is the (weighted) mean of the values analysed.

        Noise correction: where the period's rows carry published 95% intervals
        (``lci_95``/``uci_95``; ``se_source``), ``between_share_corrected`` is the signal's
        between share, net of the sampling error se = (uci − lci)/(2 × 1.96), with a
        percentile interval from a stratified bootstrap (``_lower``/``_upper``); see
        :func:`localineq.stats.noise_correction.noise_correction`. ``correction_method`` is
        ``closed_form`` (variance) or ``simex`` (Theil T, MLD). ``noise_share_of_within`` is
        the part of the observed within-region component that is sampling noise. Rows without
        published intervals say ``not published`` and have no correction.
    """
    settings = {**NOISE_DEFAULTS, **dict(noise or {})}
    group_column = f"{level}_code"
    rows = []
    for period, frame in data.groupby("period", sort=True):
        present = frame[frame["value"].notna()]
        se = period_standard_errors(present, indicator, str(period))
        weights = nearest_year_weights(
            present["area_code"], int(present["reference_year"].iloc[0]), population
        )
        for weighting in weightings:
            if weighting not in WEIGHTINGS:
                raise ValueError(f"weighting must be one of {WEIGHTINGS}, got {weighting!r}")
            w = weights["weight"].to_numpy() if weighting == "weighted" else None
            for measure in measures:
                values = present["value"].to_numpy(dtype="float64")
                groups = present[group_column].to_numpy()
                result = decompose(values, groups, weights=w, measure=measure)
                seed = correction_seed(
                    int(settings["seed"]), indicator, str(period), measure, weighting
                )
                corrected = _correction_columns(values, se, groups, w, measure, settings, seed)
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
                        "overlap": result.overlap if measure == "gini" else math.nan,
                        "between_share": result.between_share,
                        "unit_of_analysis": frame["unit_of_analysis"].iloc[0]
                        if "unit_of_analysis" in frame
                        else "LAD23",
                        "weight_basis": weight_basis if w is not None else "equal",
                        **corrected,
                    }
                )
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)


# ---------------------------------------------------------------------------------------------
# Decomposition summary
# ---------------------------------------------------------------------------------------------
def weight_basis_of(spec: Mapping[str, Any]) -> str:
    """The indicator's weight basis as tables print it: its ``weight`` key, ``"equal"`` when
    the indicator is analysed unweighted.

    >>> weight_basis_of({"weight": "working_age"}), weight_basis_of({"weight": "unweighted"})
    ('working_age', 'equal')
    """
    own = str(spec.get("weight", "population"))
    return "equal" if own == "unweighted" else own


SUMMARY_COLUMNS = [
    "indicator",
    "title",
    "unit",
    "higher_is_better",
    "nations",
    "unit_of_analysis",
    "period",
    "period_label",
    "period_note",
    "measure",
    "n_areas",
    "n_regions",
    "weight_basis",
    "total",
    "between_share",
    "ci_method",
    "between_share_ci_lower",
    "between_share_ci_upper",
    "ci_note",
    "within_share",
    "total_unweighted",
    "between_share_unweighted",
    "between_share_unweighted_ci_lower",
    "between_share_unweighted_ci_upper",
    # Noise correction of the weighted (main) share: see decomposition_table.
    "se_source",
    "correction_method",
    "between_share_corrected",
    "between_share_corrected_lower",
    "between_share_corrected_upper",
    "noise_share_of_within",
]

#: Summary columns copied from the main decomposition row (absent in older tables: missing).
_CORRECTION_SUMMARY = (
    "between_share_corrected",
    "between_share_corrected_lower",
    "between_share_corrected_upper",
    "noise_share_of_within",
)


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
        Rows of ``results/tables/decomposition.csv`` (ITL1 level; ``weighting`` is
        ``weighted`` or ``unweighted``).
    specs
        Indicator config entries; indicators absent from ``decomposition`` are skipped.
    uncertainty
        Optional table from :func:`localineq.analysis.uncertainty_tables.uncertainty_table`;
        its bootstrap ``between_share`` rows supply the confidence intervals
        (``*_ci_lower``/``*_ci_upper``, BCa) and the weighted interval's ``ci_note``. Missing
        intervals stay missing.
    measure
        Which measure to summarise.

    Returns
    -------
    pandas.DataFrame
        :data:`SUMMARY_COLUMNS`, in the order of ``specs``. ``total``, ``between_share`` and
        ``within_share = 1 − between_share`` are weighted by the indicator's ``weight_basis``
        (the same value as in ``indicator_catalogue.csv``; ``equal`` for an indicator analysed
        unweighted); the ``*_unweighted`` columns treat every area equally. ``nations`` and
        ``n_regions`` say what each row covers: indicators covering different nations are not
        shares of the same whole. ``between_share_corrected`` (with its interval) and
        ``noise_share_of_within`` are the main row's noise correction; ``se_source`` says
        whether the indicator's latest values carry published intervals.
    """
    table = decomposition[decomposition["measure"] == measure]
    if "level" in table.columns:
        table = table[table["level"] == "itl1"]
    intervals: dict[tuple[str, str, str], tuple[float, float, str, str]] = {}
    if uncertainty is not None and not uncertainty.empty:
        shares = uncertainty[
            (uncertainty["statistic"] == "between_share")
            & (uncertainty["measure"] == measure)
            & (uncertainty["method"] == "bootstrap")
        ]
        for row in shares.itertuples(index=False):
            note = row.ci_note if isinstance(row.ci_note, str) else ""
            intervals[(row.indicator, row.period, row.weighting)] = (
                row.ci_lower,
                row.ci_upper,
                row.ci_method,
                note,
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
        main = "unweighted" if own_unweighted or "weighted" not in latest.index else "weighted"
        row: dict[str, Any] = {
            "indicator": indicator,
            "title": spec["title"],
            "unit": spec["unit"],
            "higher_is_better": bool(spec["higher_is_better"]),
            "nations": "".join(spec.get("nations", [])),
            "unit_of_analysis": str(latest["unit_of_analysis"].iloc[0])
            if "unit_of_analysis" in latest.columns
            else "LAD23",
            "period": period,
            "period_label": str(latest["period_label"].iloc[0]),
            "period_note": str(spec.get("period_note", "")),
            "measure": measure,
            "n_areas": int(latest["n_areas"].max()),
            "n_regions": int(latest["n_groups"].max()),
            "weight_basis": weight_basis_of(spec) if main == "weighted" else "equal",
        }
        row["total"] = float(latest.loc[main, "total"])
        row["between_share"] = float(latest.loc[main, "between_share"])
        lo, hi, method, note = intervals.get(
            (indicator, period, main), (math.nan, math.nan, "", "")
        )
        row["ci_method"] = method
        row["between_share_ci_lower"], row["between_share_ci_upper"] = lo, hi
        row["ci_note"] = note
        row["within_share"] = 1.0 - row["between_share"]
        if "unweighted" in latest.index:
            row["total_unweighted"] = float(latest.loc["unweighted", "total"])
            row["between_share_unweighted"] = float(latest.loc["unweighted", "between_share"])
            lo, hi, _, _ = intervals.get(
                (indicator, period, "unweighted"), (math.nan, math.nan, "", "")
            )
        else:
            row["total_unweighted"] = row["between_share_unweighted"] = math.nan
            lo = hi = math.nan
        row["between_share_unweighted_ci_lower"], row["between_share_unweighted_ci_upper"] = lo, hi
        main_row = latest.loc[main]
        row["se_source"] = str(main_row.get("se_source", SE_NOT_PUBLISHED))
        method = main_row.get("correction_method", "")
        row["correction_method"] = method if isinstance(method, str) else ""
        for column in _CORRECTION_SUMMARY:
            row[column] = float(main_row.get(column, math.nan))
        rows.append(row)
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
