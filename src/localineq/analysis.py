"""Decomposition tables: inequality between and within regions, per indicator and period."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from localineq.measures import decompose
from localineq.weights import nearest_year_weights

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
        :func:`localineq.weights.nearest_year_weights`).
    measures, weightings
        Measure names for :func:`localineq.measures.decompose`; weightings ``"population"``
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
