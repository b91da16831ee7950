"""CPI reader and deflation (issue 20): the pinned ONS D7BT file and closed-form checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localineq.data.fetch import load_catalogue, raw_path
from localineq.data.indicators import REAL_COLUMNS, add_real_terms
from localineq.data.prices import (
    cpi_base_year,
    deflate,
    period_price_level,
    price_basis_label,
    read_cpi,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cpi(mirror: Path) -> pd.DataFrame:
    source = load_catalogue(REPO / "config" / "sources.yaml")["ons_cpi_d7bt"]
    path = mirror / source.url.split("://", 1)[1]
    if not path.is_file():
        pytest.skip(f"{path} not in the mirror")
    return read_cpi(path)


def test_cpi_file_has_every_frequency_and_no_metadata(cpi: pd.DataFrame) -> None:
    counts = cpi["frequency"].value_counts()
    # 1988..2025 annual, 1988 Q1..2025 Q4, 1988 JAN..2026 FEB (the file's own span)
    assert counts["annual"] == 2025 - 1988 + 1
    assert counts["quarterly"] == 4 * (2025 - 1988 + 1)
    assert counts["monthly"] == 12 * (2025 - 1988 + 1) + 2
    assert cpi_base_year(cpi) == 2025


def test_published_averages_agree_with_months(cpi: pd.DataFrame) -> None:
    """ONS's annual and quarterly rows are the averages of the months, to 1 dp."""
    monthly = cpi[cpi["frequency"] == "monthly"]
    for year in (1990, 2008, 2021, 2025):
        mean = monthly.loc[monthly["year"] == year, "index"].mean()
        assert abs(period_price_level(cpi, f"{year}-01-01/P1Y") - mean) <= 0.05 + 1e-9
        q2 = monthly.loc[(monthly["year"] == year) & monthly["sub"].between(4, 6), "index"]
        assert abs(period_price_level(cpi, f"{year}-04-01/P3M") - q2.mean()) <= 0.05 + 1e-9


def test_reference_periods_pick_the_right_months(cpi: pd.DataFrame) -> None:
    months = cpi[cpi["frequency"] == "monthly"].set_index(["year", "sub"])["index"]
    # ASHE: the April reference date takes April's index
    assert period_price_level(cpi, "2025-04-30") == months[(2025, 4)]
    # financial year: April 2021 to March 2022
    fy = [months[(2021, m)] for m in range(4, 13)] + [months[(2022, m)] for m in (1, 2, 3)]
    assert period_price_level(cpi, "2021-04-01/P1Y") == pytest.approx(np.mean(fy), abs=1e-12)
    with pytest.raises(ValueError, match="2026 MAR"):
        period_price_level(cpi, "2025-04-01/P1Y")


def test_reader_names_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "cpi.csv"
    path.write_text('"Title","x"\n"2024","133.9"\n"2024 Q5","1"\n')
    with pytest.raises(ValueError, match=r"cpi.csv: row 3: '2024 Q5'"):
        read_cpi(path)
    path.write_text('"Title","x"\n"2024","[x]"\n')
    with pytest.raises(ValueError, match=r"row 2 \(2024\)"):
        read_cpi(path)
    path.write_text('"Title","x"\n"CDID","D7BT"\n')
    with pytest.raises(ValueError, match="no annual"):
        read_cpi(path)


@given(
    st.floats(50, 200),
    st.floats(50, 200),
    st.floats(1, 1e5),
)
def test_deflate_is_a_price_ratio(p0: float, p1: float, y: float) -> None:
    cpi = pd.DataFrame({"frequency": "annual", "year": [2020, 2025], "sub": 0, "index": [p0, p1]})
    got = deflate(np.array([y, y]), ["2020-01-01/P1Y", "2025-01-01/P1Y"], cpi, 2025)
    assert got[0] == pytest.approx(y * p1 / p0, rel=1e-12)
    assert got[1] == pytest.approx(y, rel=1e-12)  # base-year values are unchanged


def test_add_real_terms_leaves_nominal_columns_alone() -> None:
    cpi = pd.DataFrame({"frequency": "annual", "year": [2020, 2025], "sub": 0,
                        "index": [100.0, 125.0]})  # fmt: skip
    table = pd.DataFrame(
        {
            "indicator": ["pay", "pay", "rate"],
            "period": ["2020-01-01/P1Y", "2025-01-01/P1Y", "2020-01-01/P1Y"],
            "value": [400.0, 500.0, 5.0],
            "lci_95": [380.0, np.nan, np.nan],
            "uci_95": [420.0, np.nan, np.nan],
        }
    )
    out = add_real_terms(table, ["pay"], cpi, 2025)
    pd.testing.assert_frame_equal(out[table.columns], table)
    assert list(out.columns[-len(REAL_COLUMNS) :]) == REAL_COLUMNS
    assert out["value_real"].tolist()[:2] == [500.0, 500.0]
    assert out["lci_95_real"].iloc[0] == 475.0 and np.isnan(out["value_real"].iloc[2])
    assert out["price_basis"].tolist() == ["nominal", "nominal", "not money"]
    assert out["real_price_basis"].iloc[2] == "not money"  # never empty: one CSV type
    assert out["real_price_basis"].iloc[0] == price_basis_label(2025)


def test_the_source_is_pinned() -> None:
    source = load_catalogue(REPO / "config" / "sources.yaml")["ons_cpi_d7bt"]
    assert source.url.startswith("https://raw.githubusercontent.com/SussexUCU/USS/5f9ba34")
    assert source.licence == "OGL-UK-3.0" and source.publisher == "Office for National Statistics"
    assert raw_path(source).name == "ons_cpi_index_series.csv"
