"""Report text on sampling noise: restated key finding and one sentence per survey indicator."""

from __future__ import annotations

import math

import pandas as pd

from localineq.outputs.report.noise import noise_findings

NAN = math.nan


def _summary() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": ["Pay", "Wellbeing", "Income", "Jobs"],
            "between_share": [0.45, 0.08, 0.46, 0.40],
            "se_source": ["published 95% interval", "published 95% interval", "not published"]
            + ["published 95% interval"],
            "between_share_corrected": [0.60, 0.15, NAN, 0.52],
            "between_share_corrected_lower": [0.55, 0.09, NAN, 0.41],
            "between_share_corrected_upper": [0.70, 0.36, NAN, 0.70],
            "noise_share_of_within": [0.35, 0.6, NAN, 0.4],
        }
    )


def test_key_finding_uses_signal_shares_where_published():
    found = noise_findings(_summary())
    assert found["observed_majority"] == 4  # every observed between share < 50%
    # Pay (60%) and Jobs (52%) now hold most of their signal between regions.
    assert found["majority"] == 2 and found["n"] == 4 and found["n_corrected"] == 3
    assert found["not_published"] == ["Income"]
    assert found["uncertain"] == ["Jobs"]  # 41-70% straddles 50%
    assert len(found["sentences"]) == 3
    assert found["sentences"][0].startswith("Pay: 35% of the within-region inequality")
    assert (
        "within-region share is 40% (95% interval 30–45%), against 55% observed"
        in (found["sentences"][0])
    )


def test_no_published_intervals_no_paragraph():
    summary = _summary().assign(se_source="not published", between_share_corrected=NAN)
    assert noise_findings(summary) is None
    assert noise_findings(_summary().drop(columns="se_source")) is None
