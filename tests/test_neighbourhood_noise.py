"""Neighbourhood income's within-authority share, net of its published sampling noise."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.analysis.neighbourhood_tables import neighbourhood_noise


def _panel(noise_sd: float, seed: int = 1) -> tuple[pd.DataFrame, float]:
    """60 authorities x 20 neighbourhoods: a known signal split, plus noise with limits."""
    rng = np.random.default_rng(seed)
    n_la, per = 60, 20
    la_effect = np.repeat(rng.normal(0, 3000, n_la), per)
    signal = 30000 + la_effect + rng.normal(0, 3000, n_la * per)
    values = signal + rng.normal(0, noise_sd, signal.size)
    codes = np.repeat([f"E06{i:06d}" for i in range(n_la)], per)
    half = 1.96 * noise_sd
    frame = pd.DataFrame(
        {
            "indicator": "income",
            "unit": "msoa11",
            "area_code": [f"E02{i:06d}" for i in range(signal.size)],
            "lad23_code": codes,
            "value": values,
            "weight": rng.uniform(5000, 9000, signal.size),
            "lower_95": values - half,
            "upper_95": values + half,
        }
    )
    means = pd.Series(signal).groupby(codes).transform("mean").to_numpy()
    true_within = np.sum((signal - means) ** 2) / np.sum((signal - signal.mean()) ** 2)
    return frame, float(true_within)


def test_no_noise_leaves_the_share_as_observed():
    frame, _ = _panel(noise_sd=0.0)
    out = neighbourhood_noise(frame, seed=0)
    assert len(out) == 6  # three measures, weighted and unweighted
    np.testing.assert_allclose(out["share_within_corrected"], out["share_within_observed"])
    assert (out["noise_share_of_within"].abs() < 1e-12).all()


def test_correction_moves_the_unweighted_variance_share_to_the_truth():
    frame, truth = _panel(noise_sd=2500.0)
    out = neighbourhood_noise(frame, seed=0).set_index(["measure", "weighting"])
    row = out.loc[("variance", "unweighted")]
    assert row["share_within_observed"] - truth > 0.1  # noise inflates the within share
    assert row["share_within_corrected"] == pytest.approx(truth, abs=0.03)
    simex_row = out.loc[("theil_t", "unweighted")]
    assert simex_row["share_within_corrected"] < simex_row["share_within_observed"] - 0.1


def test_indicators_without_limits_get_no_row():
    frame, _ = _panel(noise_sd=100.0)
    census = frame.assign(indicator="bad_health", lower_95=np.nan, upper_95=np.nan)
    out = neighbourhood_noise(pd.concat([frame, census]), measures=("variance",), seed=0)
    assert set(out["indicator"]) == {"income"}
