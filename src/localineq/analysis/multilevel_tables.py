r"""Intraclass correlation (ICC) table: how much of the variance between areas a random-intercept
model puts between regions, per indicator, period and regional level (ITL1, ITL3)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from localineq.stats.multilevel import icc
from localineq.stats.noise_correction import reliability_adjusted_icc, standard_errors

ICC_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "level",
    "n_areas",
    "n_groups",
    "icc",
    "between_variance",
    "within_variance",
    "converged",
    "fit_messages",
    "unit_of_analysis",
    "weighting",
    # Reliability-adjusted ICC (issue 25): sampling noise taken out of the residual variance.
    "se_source",
    "icc_signal",
]


def icc_table(
    data: pd.DataFrame, *, indicator: str, levels: Sequence[str] = ("itl1", "itl3")
) -> pd.DataFrame:
    r"""ICC of one indicator for every period and level.

    For each period and level, fits :math:`y_{ig} = \beta_0 + u_g + e_{ig}` by exact profile
    REML (:func:`localineq.stats.multilevel.icc`) on the areas with a value, grouped by their
    ``<level>_code``, and reports :math:`\rho = \sigma^2_u/(\sigma^2_u+\sigma^2_e)` with the
    fit's convergence flag and its messages, joined by ``"; "`` in ``fit_messages``
    (:data:`~localineq.stats.multilevel.BOUNDARY_MESSAGE` when :math:`\hat\sigma^2_u = 0`).
    The ICC is a model-based share of *variance* with every area counted equally
    (``weighting = unweighted``); it is not the Theil between share of ``decomposition.csv``,
    which is weighted and scale-free. A level with fewer than 2 groups, no group with 2 or
    more areas, or units without a group at that level (units that do not nest in it, such as
    upper-tier authorities in ITL3) gets no row.

    Where the period's values carry published 95% intervals (``lci_95``/``uci_95``;
    ``se_source``), ``icc_signal`` is the ICC of the signal,
    :func:`localineq.stats.noise_correction.reliability_adjusted_icc` with
    se = (uci − lci)/(2 × 1.96) (0 for an area published without an interval); otherwise
    ``se_source`` is ``not published`` and ``icc_signal`` missing.

    Returns
    -------
    pandas.DataFrame
        :data:`ICC_COLUMNS`, one row per period × level.
    """
    rows = []
    for period, frame in data.groupby("period", sort=True):
        present = frame[frame["value"].notna()]
        se = (
            standard_errors(present["lci_95"], present["uci_95"])
            if {"lci_95", "uci_95"} <= set(present.columns)
            else np.full(len(present), np.nan)
        )
        published = bool(np.isfinite(se).any())
        for level in levels:
            column = f"{level}_code"
            if column not in present.columns or present[column].isna().any():
                continue  # units that do not nest in this level (e.g. upper-tier in ITL3)
            if present[column].nunique() < 2:
                continue
            if present[column].nunique() >= len(present):
                continue
            result = icc(present["value"].to_numpy(dtype="float64"), present[column].to_numpy())
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "period_label": frame["period_label"].iloc[0],
                    "level": level,
                    "n_areas": result.n,
                    "n_groups": result.n_groups,
                    "icc": result.icc,
                    "between_variance": result.between_variance,
                    "within_variance": result.within_variance,
                    "converged": result.converged,
                    "fit_messages": "; ".join(result.messages),
                    "unit_of_analysis": frame["unit_of_analysis"].iloc[0]
                    if "unit_of_analysis" in frame
                    else "LAD23",
                    "weighting": "unweighted",
                    "se_source": "published 95% interval" if published else "not published",
                    "icc_signal": reliability_adjusted_icc(
                        result.between_variance, result.within_variance, np.nan_to_num(se)
                    )
                    if published
                    else math.nan,
                }
            )
    return pd.DataFrame(rows, columns=ICC_COLUMNS)
