"""read_indicator_tables: one indicator's export read alone parses as it does in the full table."""

from __future__ import annotations

import pandas as pd

from localineq.analysis.area_tables import read_indicator_tables
from localineq.data.indicators import write_export


def _export(indicator: str, values: list[float], label: str) -> pd.DataFrame:
    n = len(values)
    return pd.DataFrame(
        {
            "area_code": [f"E0600000{i}" for i in range(1, n + 1)],
            "area_name": [f"Area {i}" for i in range(1, n + 1)],
            "itl1_code": ["TLC"] * n,
            "itl1_name": ["North East"] * n,
            "indicator": [indicator] * n,
            "title": ["t"] * n,
            "unit": ["u"] * n,
            "period": ["2023-01-01/P1Y"] * n,
            "period_label": [label] * n,
            "value": values,
            "lci_95": [float("nan")] * n,
            "uci_95": [float("nan")] * n,
            "weight": [1000.0 + i for i in range(n)],
            "weight_basis": ["population"] * n,
            "weight_year": [2023] * n,
            "status": [None] * n,
            "harmonisation": ["published"] * n,
            "unit_of_analysis": ["LAD23"] * n,
        }
    )


def test_whole_numbers_alone_read_like_the_full_table(tmp_path):
    # GDHI-like whole pounds and a year label; the other indicator has decimals and a range.
    whole = _export("gdhi", [8263.0, 8653.0], "2023")
    decimal = _export("pay", [512.5, 610.25], "2022-23")
    write_export(
        pd.concat([whole, decimal], ignore_index=True),
        tmp_path / "all.csv",
        tmp_path / "all.parquet",
    )
    write_export(whole, tmp_path / "gdhi.csv", tmp_path / "gdhi.parquet")
    full = read_indicator_tables([tmp_path / "all.csv"])
    alone = read_indicator_tables([tmp_path / "gdhi.csv"])
    expected = full[full["indicator"] == "gdhi"].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone, expected)
    assert alone["value"].dtype == "float64"
    assert alone["period_label"].tolist() == ["2023", "2023"]
