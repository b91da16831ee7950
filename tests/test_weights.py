"""Weight bases: age shares, own-year counts, unit sums, nearest-year attachment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.data.weights import (
    age_band_share,
    aggregate_to_units,
    attach_weights,
    basis_population,
    indicator_weight_table,
    nearest_year_weights,
)


@pytest.fixture
def mye2():
    ages = [5, 10, 15, 16, 40, 64, 65, 90]
    rows = [("A", a, 10.0) for a in ages] + [("B", a, 20.0 if a < 16 else 5.0) for a in ages]
    return pd.DataFrame(rows, columns=["area_code", "age", "population"])


@pytest.fixture
def population():
    return pd.DataFrame(
        {"area_code": ["A", "A", "B", "B"], "year": [2022, 2023, 2022, 2023],
         "population": [1000.0, 1100.0, 500.0, np.nan]}
    )  # fmt: skip


def test_age_band_share_counts_inclusive_bands(mye2):
    share = age_band_share(mye2, (16, 64)).set_index("area_code")["share"]
    assert share["A"] == pytest.approx(3 / 8)
    assert share["B"] == pytest.approx(15 / (60 + 25))
    with pytest.raises(ValueError, match="no age breakdown.*C"):
        age_band_share(mye2, (0, 15), areas=pd.Series(["A", "C"]))


def test_basis_is_2022_share_times_own_year_total(mye2, population):
    basis = basis_population(population, mye2, (0, 15)).set_index(["area_code", "year"])[
        "population"
    ]
    assert basis["A", 2023] == pytest.approx(1100 * 3 / 8)
    assert basis["B", 2022] == pytest.approx(500 * 60 / 85)
    assert np.isnan(basis["B", 2023])  # a missing total stays missing
    total = basis_population(population, mye2, None)
    assert total["population"].equals(population["population"])


def test_unit_sums_are_never_partial(population):
    members = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["U", "U"]})
    units = aggregate_to_units(population, members).set_index("year")["population"]
    assert units[2022] == 1500.0 and np.isnan(units[2023])


def test_weights_follow_the_nearest_published_year(population):
    rows = pd.DataFrame(
        {
            "area_code": ["A", "B", "A"],
            "period": ["p23", "p23", "p30"],
            "reference_year": [2023, 2023, 2030],
        }
    )
    weighted = attach_weights(rows, population)
    assert weighted["weight"].tolist() == [1100.0, 500.0, 1100.0]
    assert weighted["weight_year"].tolist() == [2023, 2022, 2023]  # B 2023 is [u]; 2030 → 2023


def test_nearest_year_ties_go_to_the_earlier_year_and_missing_counts_are_skipped():
    # Rows out of year order: the rule, not the table's order, decides.
    pop = pd.DataFrame(
        {"area_code": ["A", "A", "A", "B", "B", "B"], "year": [2022, 2018, 2020, 2021, 2020, 2019],
         "population": [3.0, 1.0, np.nan, 6.0, np.nan, 4.0]}
    )  # fmt: skip
    weights = nearest_year_weights(pd.Series(["B", "A", "B"]), 2020, pop)
    expected = pd.DataFrame(
        {"area_code": ["B", "A", "B"], "weight": [4.0, 1.0, 4.0], "weight_year": [2019, 2018, 2019]}
    )
    pd.testing.assert_frame_equal(weights, expected, check_exact=True)
    assert weights.dtypes.equals(expected.dtypes)
    after = nearest_year_weights(pd.Series(["A", "B"]), 2030, pop)
    assert after["weight_year"].tolist() == [2022, 2021]


def test_nearest_year_refuses_an_area_without_any_published_count():
    pop = pd.DataFrame(
        {
            "area_code": ["A", "B", "B"],
            "year": [2020, 2020, 2021],
            "population": [1.0, np.nan, np.nan],
        }
    )
    with pytest.raises(ValueError, match=r"no population published for area\(s\) \['B', 'C'\]"):
        nearest_year_weights(pd.Series(["C", "A", "B"]), 2020, pop)


def test_attach_weights_is_nearest_year_weights_period_by_period():
    rng = np.random.default_rng(7)
    pop = pd.DataFrame(
        {
            "area_code": np.repeat([f"A{i}" for i in range(40)], 12),
            "year": np.tile(np.arange(2010, 2022), 40),
            "population": np.where(rng.random(480) < 0.3, np.nan, rng.random(480) * 1e5),
        }
    ).sample(frac=1.0, random_state=1)
    periods = {"p1": 2005, "p2": 2015, "p3": 2016, "p4": 2030}
    rows = pd.DataFrame(
        [(f"A{i}", p, y) for p, y in periods.items() for i in range(40) if rng.random() < 0.8],
        columns=["area_code", "period", "reference_year"],
    ).sample(frac=1.0, random_state=2)
    rows.index = rows.index * 3 + 5  # any index: rows come back in their own order
    weighted = attach_weights(rows, pop)
    assert weighted.index.equals(rows.index)
    pd.testing.assert_frame_equal(weighted[rows.columns], rows)
    for period, year in periods.items():
        mine = weighted[weighted["period"] == period]
        alone = nearest_year_weights(mine["area_code"], year, pop)
        assert mine["weight"].tolist() == alone["weight"].tolist()
        assert mine["weight_year"].tolist() == alone["weight_year"].tolist()
    assert weighted.dtypes[["weight", "weight_year"]].tolist() == ["float64", "int64"]
    with pytest.raises(ValueError, match=r"area\(s\) \['Z'\]"):
        attach_weights(pd.concat([rows, rows.iloc[:1].assign(area_code="Z")]), pop)


def test_indicator_weight_table_picks_basis_and_sums_units(population):
    bases = pd.concat(
        [population.assign(basis="population"), population.assign(basis="children", population=1.0)]
    )
    members = pd.DataFrame({"area_code": ["A", "B"], "unit_code": ["A", "A"]})
    table = indicator_weight_table(bases, "children", members)
    assert table["population"].tolist() == [2.0, 2.0] and set(table["basis"]) == {"children"}
    flat = indicator_weight_table(bases, "unweighted", members)
    assert (flat["population"] == 1.0).all()
    with pytest.raises(ValueError, match="weight basis 'adults'"):
        indicator_weight_table(bases, "adults", members)
