"""ICC table: one row per period and level, convergence flag, boundary message, levels that do not
nest left out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.analysis.multilevel_tables import ICC_COLUMNS, icc_table
from localineq.stats.multilevel import BOUNDARY_MESSAGE


def _frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    rows = []
    for period in ("2021-01-01/P1Y", "2022-01-01/P1Y"):
        for r in range(4):
            for j in range(6):
                rows.append(
                    {
                        "area_code": f"E06{r * 6 + j:06d}",
                        "period": period,
                        "period_label": period[:4],
                        "value": 10.0 * r + rng.normal(),
                        "itl1_code": f"R{r}",
                        "itl3_code": f"R{r}{j // 3}",
                        "unit_of_analysis": "LAD23",
                    }
                )
    return pd.DataFrame(rows)


def test_icc_table_rows_and_values():
    table = icc_table(_frame(), indicator="x")
    assert list(table.columns) == ICC_COLUMNS
    assert len(table) == 4 and set(table["level"]) == {"itl1", "itl3"}
    itl1 = table[table["level"] == "itl1"]
    # Regions 10 apart with unit noise: almost all variance lies between them.
    assert (itl1["icc"] > 0.95).all() and itl1["converged"].all()
    assert set(table["n_groups"]) == {4, 8}


def test_icc_table_leaves_out_a_level_the_units_do_not_nest_in():
    frame = _frame()
    frame.loc[frame.index[:3], "itl3_code"] = None
    table = icc_table(frame, indicator="x")
    assert set(table.loc[table["period"] == "2021-01-01/P1Y", "level"]) == {"itl1"}


def test_icc_table_flags_a_between_variance_on_the_boundary():
    frame = _frame()
    # every region holds the values 0..5: equal regional means, nothing between regions
    frame["value"] = (frame["area_code"].str[-6:].astype(int) % 6).astype(float)
    table = icc_table(frame, indicator="x").set_index("level")
    itl1, itl3 = table.loc["itl1"], table.loc["itl3"]
    assert (itl1["between_variance"] == 0).all() and (itl1["icc"] == 0).all()
    assert (itl1["fit_messages"] == BOUNDARY_MESSAGE).all() and itl1["converged"].all()
    # ITL3 groups {0, 1, 2} and {3, 4, 5} do differ
    assert (itl3["icc"] > 0.5).all() and (itl3["fit_messages"] == "").all()


def test_icc_signal_where_intervals_are_published():
    frame = _frame()
    z = 1.959963984540054  # the 97.5% normal quantile: se = 1 exactly
    frame["lci_95"] = frame["value"] - z
    frame["uci_95"] = frame["value"] + z
    frame.loc[frame["period"] == "2022-01-01/P1Y", ["lci_95", "uci_95"]] = np.nan
    table = icc_table(frame, indicator="x")
    published = table[table["period"] == "2021-01-01/P1Y"]
    assert set(published["se_source"]) == {"published 95% interval"}
    # se = 1 on every area: the signal's residual variance is the fitted one less 1.
    for row in published.itertuples():
        expected = row.between_variance / (row.between_variance + max(row.within_variance - 1, 0))
        assert row.icc_signal == pytest.approx(expected, rel=1e-12)
        assert row.icc_signal >= row.icc
    later = table[table["period"] == "2022-01-01/P1Y"]
    assert set(later["se_source"]) == {"not published"} and later["icc_signal"].isna().all()
