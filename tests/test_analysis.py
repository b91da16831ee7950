"""decomposition_table: one row per period × measure × weighting, nothing lost silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.outputs.decomposition_tables import DECOMPOSITION_COLUMNS, decomposition_table


@pytest.fixture
def data() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D"] * 2,
            "period": ["2021-01-01/P1Y"] * 4 + ["2022-01-01/P1Y"] * 4,
            "period_label": ["2021"] * 4 + ["2022"] * 4,
            "reference_year": [2021] * 4 + [2022] * 4,
            "value": [10.0, 20.0, 30.0, 40.0, 12.0, np.nan, 30.0, 60.0],
            "itl1_code": ["N", "N", "S", "S"] * 2,
        }
    )


@pytest.fixture
def population() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area_code": ["A", "B", "C", "D"],
            "year": [2021] * 4,
            "population": [1.0, 3.0, 2.0, 2.0],
        }
    )


def test_rows_weights_and_missing_counts(data, population):
    table = decomposition_table(
        data,
        population,
        indicator="demo",
        measures=["theil_t", "variance"],
        weightings=["population", "unweighted"],
        weight_basis="working_age",
    )
    assert list(table.columns) == DECOMPOSITION_COLUMNS
    assert len(table) == 2 * 2 * 2
    latest = table[table["period_label"] == "2022"]
    assert (latest["n_areas"] == 3).all() and (latest["n_missing"] == 1).all()
    weighted = latest[latest["weighting"] == "population"]
    # 2022 has no population: the nearest year (2021) is used and reported.
    assert (weighted["weight_year_min"] == 2021).all()
    assert set(weighted["weight_basis"]) == {"working_age"}
    assert set(latest.loc[latest["weighting"] == "unweighted", "weight_basis"]) == {"equal"}
    # Weighted 2021 mean by hand: (1*10 + 3*20 + 2*30 + 2*40) / 8.
    mean_2021 = table[(table["period_label"] == "2021") & (table["weighting"] == "population")]
    assert mean_2021["mean"].iloc[0] == pytest.approx(210 / 8)
    variance_2021 = mean_2021[mean_2021["measure"] == "variance"].iloc[0]
    values, w = np.array([10, 20, 30, 40.0]), np.array([1, 3, 2, 2.0]) / 8
    assert variance_2021["total"] == pytest.approx(np.sum(w * (values - 210 / 8) ** 2))
    gap = table["between"] + table["within"] - table["total"]
    assert np.allclose(gap, 0, atol=1e-12)
