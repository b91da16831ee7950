r"""Intraclass correlation (ICC) table: how much of the variance between areas a random-intercept
model puts between regions, per indicator, period and regional level (ITL1, ITL3)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from localineq.stats.multilevel import icc

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

    Returns
    -------
    pandas.DataFrame
        :data:`ICC_COLUMNS`, one row per period × level.
    """
    rows = []
    for period, frame in data.groupby("period", sort=True):
        present = frame[frame["value"].notna()]
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
                }
            )
    return pd.DataFrame(rows, columns=ICC_COLUMNS)
