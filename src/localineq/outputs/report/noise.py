"""Report text on sampling noise: how much of each survey indicator's within-region share is
noise, and the key finding restated on the signal's shares (issue 25).

Reads the decomposition summary (:func:`localineq.analysis.decomposition_tables.decomposition_summary`)
and computes nothing new: every number is a column of it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from localineq.analysis.decomposition_tables import SE_PUBLISHED


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def noise_sentence(row: Any) -> str:
    """One sentence: the noise part of the within-region component and the shares before/after.

    ``row`` is a summary row with a correction (``se_source`` is published intervals).

    >>> row = pd.Series({"title": "Life satisfaction", "noise_share_of_within": 0.6,
    ...     "between_share": 0.08, "between_share_corrected": 0.15,
    ...     "between_share_corrected_lower": 0.09, "between_share_corrected_upper": 0.36})
    >>> noise_sentence(row)  # doctest: +NORMALIZE_WHITESPACE
    'Life satisfaction: 60% of the within-region inequality is sampling noise; net of it the
    within-region share is 85% (95% interval 64–91%), against 92% observed.'
    """
    lower, upper = row["between_share_corrected_lower"], row["between_share_corrected_upper"]
    interval = (
        f" (95% interval {_pct(1 - upper).rstrip('%')}–{_pct(1 - lower)})"
        if math.isfinite(lower) and math.isfinite(upper)
        else ""
    )
    return (
        f"{row['title']}: {_pct(row['noise_share_of_within'])} of the within-region inequality "
        f"is sampling noise; net of it the within-region share is "
        f"{_pct(1 - row['between_share_corrected'])}{interval}, against "
        f"{_pct(1 - row['between_share'])} observed."
    )


def noise_findings(summary: pd.DataFrame) -> dict[str, Any] | None:
    """Context of the report's noise paragraph: one sentence per survey indicator and the key
    finding on signal shares.

    For indicators with published intervals the signal's within-region share
    ``1 − between_share_corrected`` replaces the observed one; the others keep their observed
    share (no published error, no correction). ``uncertain`` names the indicators whose
    corrected interval straddles 50%, where "most within" is not settled either way.
    Returns None when no indicator carries published intervals.
    """
    if summary.empty or "se_source" not in summary.columns:
        return None
    corrected = summary["se_source"].eq(SE_PUBLISHED) & summary["between_share_corrected"].notna()
    if not corrected.any():
        return None
    within = 1 - summary["between_share"].where(~corrected, summary["between_share_corrected"])
    rows = summary[corrected]
    straddle = rows[
        (rows["between_share_corrected_lower"] < 0.5)
        & (rows["between_share_corrected_upper"] > 0.5)
    ]
    return {
        "sentences": [noise_sentence(r) for _, r in rows.iterrows()],
        "majority": int((within > 0.5).sum()),
        "observed_majority": int((summary["between_share"] < 0.5).sum()),
        "n": len(summary),
        "n_corrected": int(corrected.sum()),
        "not_published": [str(t) for t in summary.loc[~corrected, "title"]],
        "uncertain": [str(t) for t in straddle["title"]],
    }
