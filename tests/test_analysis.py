"""decomposition_table: one row per period × measure × weighting, nothing lost silently."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.analysis.decomposition_tables import DECOMPOSITION_COLUMNS, decomposition_table


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
        weightings=["weighted", "unweighted"],
        weight_basis="working_age",
    )
    assert list(table.columns) == DECOMPOSITION_COLUMNS
    assert len(table) == 2 * 2 * 2
    latest = table[table["period_label"] == "2022"]
    assert (latest["n_areas"] == 3).all() and (latest["n_missing"] == 1).all()
    weighted = latest[latest["weighting"] == "weighted"]
    # 2022 has no population: the nearest year (2021) is used and reported.
    assert (weighted["weight_year_min"] == 2021).all()
    assert set(weighted["weight_basis"]) == {"working_age"}
    assert set(latest.loc[latest["weighting"] == "unweighted", "weight_basis"]) == {"equal"}
    # Weighted 2021 mean by hand: (1*10 + 3*20 + 2*30 + 2*40) / 8.
    mean_2021 = table[(table["period_label"] == "2021") & (table["weighting"] == "weighted")]
    assert mean_2021["mean"].iloc[0] == pytest.approx(210 / 8)
    variance_2021 = mean_2021[mean_2021["measure"] == "variance"].iloc[0]
    values, w = np.array([10, 20, 30, 40.0]), np.array([1, 3, 2, 2.0]) / 8
    assert variance_2021["total"] == pytest.approx(np.sum(w * (values - 210 / 8) ** 2))
    gap = table["between"] + table["within"] - table["total"]
    assert np.allclose(gap, 0, atol=1e-12)


def test_gini_rows_carry_the_overlap_term(data, population):
    table = decomposition_table(
        data, population, indicator="demo", measures=["gini", "theil_t"], weightings=["weighted"]
    )
    gini = table[table["measure"] == "gini"]
    assert gini["overlap"].notna().all()
    parts = gini["between"] + gini["within"] + gini["overlap"]
    assert np.allclose(parts, gini["total"], atol=1e-12)
    # 2021 by hand: the weighted Gini of (10, 20, 30, 40) with weights (1, 3, 2, 2) / 8 is
    # sum_ij w_i w_j |y_i - y_j| / (2 mu).
    y, w = np.array([10, 20, 30, 40.0]), np.array([1, 3, 2, 2.0]) / 8
    expected = np.sum(np.outer(w, w) * np.abs(y[:, None] - y[None, :])) / (2 * np.dot(w, y))
    assert gini[gini["period_label"] == "2021"]["total"].iloc[0] == pytest.approx(expected)
    assert table.loc[table["measure"] == "theil_t", "overlap"].isna().all()


def test_unknown_weighting_is_refused(data, population):
    with pytest.raises(ValueError, match="weighting must be one of"):
        decomposition_table(
            data, population, indicator="demo", measures=["theil_t"], weightings=["population"]
        )


def test_noise_correction_columns(population):
    """Rows with published intervals get the signal's share; others say "not published"."""
    rng = np.random.default_rng(4)
    n = 60
    codes = [f"L{i:02d}" for i in range(n)]
    region = np.repeat(["N", "S", "W"], n // 3)
    value = 50 + np.repeat([0.0, 2.0, 4.0], n // 3) + rng.normal(0, 2, n)
    frame = pd.DataFrame(
        {
            "area_code": codes * 2,
            "period": ["2021-01-01/P1Y"] * n + ["2022-01-01/P1Y"] * n,
            "period_label": ["2021"] * n + ["2022"] * n,
            "reference_year": [2021] * n + [2022] * n,
            "value": np.concatenate([value, value]),
            "itl1_code": np.concatenate([region, region]),
            "lci_95": np.concatenate([value - 2.0, np.full(n, np.nan)]),
            "uci_95": np.concatenate([value + 2.0, np.full(n, np.nan)]),
        }
    )
    pop = pd.DataFrame({"area_code": codes, "year": 2021, "population": rng.uniform(1, 3, n)})
    table = decomposition_table(
        frame,
        pop,
        indicator="demo",
        measures=["theil_t", "variance", "gini"],
        weightings=["weighted", "unweighted"],
        noise={"replicates": 100, "bootstrap": 50},
    )
    assert list(table.columns) == DECOMPOSITION_COLUMNS
    published = table[table["period_label"] == "2021"].set_index(["measure", "weighting"])
    assert set(published["se_source"]) == {"published 95% interval"}
    assert (published["n_with_se"] == n).all()
    additive = published.drop(index="gini", level="measure")
    # Noise of sd 2/1.96 inside regions: the signal's between share exceeds the observed one.
    assert (additive["between_share_corrected"] > additive["between_share"]).all()
    assert (additive["noise_share_of_within"] > 0).all()
    assert published.loc[("variance", "weighted"), "correction_method"] == "closed_form"
    assert published.loc[("theil_t", "weighted"), "correction_method"] == "simex"
    assert published.loc[("gini", "weighted"), "correction_method"] == "not available for gini"
    assert np.isnan(published.loc[("gini", "weighted"), "between_share_corrected"])
    unpublished = table[table["period_label"] == "2022"]
    assert set(unpublished["se_source"]) == {"not published"}
    assert unpublished["between_share_corrected"].isna().all()
    # Existing columns are unchanged by the correction.
    plain = decomposition_table(
        frame.drop(columns=["lci_95", "uci_95"]),
        pop,
        indicator="demo",
        measures=["theil_t", "variance", "gini"],
        weightings=["weighted", "unweighted"],
    )
    assert table.iloc[:, :19].equals(plain.iloc[:, :19])


def test_inverted_interval_names_indicator_period_and_area(data, population):
    bad = data.assign(lci_95=data["value"] + 1, uci_95=data["value"] - 1)
    with pytest.raises(ValueError, match="demo, period 2021-01-01/P1Y.*area A"):
        decomposition_table(
            bad, population, indicator="demo", measures=["variance"], weightings=["weighted"]
        )
