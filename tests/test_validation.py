"""Validation rules stop bad tables with a message naming source, column and rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from localineq.data.validation import (
    ValidationError,
    unit_ranges,
    validate_export,
    validate_indicator,
)

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
RANGES = unit_ranges(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["units"])

CODES = ["E06000001", "E06000002", "W06000001"]


def table(**changes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "area_code": CODES,
            "indicator": "rate",
            "period": "2022-01-01/P1Y",
            "value": [50.0, np.nan, 70.0],
            "lci_95": [45.0, np.nan, np.nan],
            "uci_95": [55.0, np.nan, np.nan],
            "weight": [100.0, 200.0, 300.0],
        }
    )
    for column, (row, value) in changes.items():
        frame.loc[row, column] = value
    return frame


def test_a_valid_table_passes_unchanged():
    frame = table()
    assert validate_indicator(frame, CODES, "%", RANGES, source="demo").equals(frame)


@pytest.mark.parametrize(
    ("changes", "unit", "expected"),
    [
        (
            {"area_code": (1, "E07000026")},
            "%",
            r"column 'area_code', check LAD23 code.*row 1 \(area_code='E07000026'",
        ),
        ({"value": (2, 101.0)}, "%", r"column 'value', check in_range\(0.0, 100.0\).*row 2"),
        ({"value": (0, 35.0)}, "years", r"column 'value', check in_range\(40.0, 90.0\).*row 0"),
        ({"value": (0, 0.0)}, "£ per head", r"column 'value', check in_range\(0.0, 1000000.0\)"),
        ({"value": (0, 1e15)}, "£ per head", r"column 'value', check in_range\(0.0, 1000000.0\)"),
        ({"value": (0, np.inf)}, "£ per week", r"column 'value', check .*finite.*row 0"),
        ({"uci_95": (0, np.inf)}, "%", r"column 'uci_95', check finite.*row 0"),
        ({"weight": (1, 0.0)}, "%", r"column 'weight', check greater_than\(0\).*row 1"),
        ({"weight": (1, np.nan)}, "%", r"column 'weight', check not_nullable"),
        ({"lci_95": (0, 51.0)}, "%", r"lci_95 <= value <= uci_95.*row 0"),
        (
            {"area_code": (1, "E06000001")},
            "%",
            r"column 'area_code\+indicator\+period', check .*uniqueness: 2 failure\(s\): row 0.*row 1",
        ),
    ],
)
def test_breaches_name_source_column_and_rows(changes, unit, expected):
    with pytest.raises(
        ValidationError, match=r"(?s)source 'demo \(x\)': table breaks \d rule.*" + expected
    ):
        validate_indicator(table(**changes), CODES, unit, RANGES, source="demo (x)")


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unit 'furlongs' has no validation range"):
        validate_indicator(table(), CODES, "furlongs", RANGES, source="demo")


def test_export_checks_each_indicator_against_its_own_unit():
    pounds = table().assign(
        indicator="pay", value=[500.0, 600.0, 700.0], lci_95=np.nan, uci_95=np.nan
    )
    both = pd.concat([table(), pounds], ignore_index=True)
    validate_export(both, CODES, {"rate": "%", "pay": "£ per week"}, RANGES, source="export")
    with pytest.raises(
        ValidationError, match=r"(?s)export \[pay\]'.*in_range.*row 3 \(.*value=500\)"
    ):
        validate_export(both, CODES, {"rate": "%", "pay": "%"}, RANGES, source="export")
    with pytest.raises(ValidationError, match="no declared unit"):
        validate_export(both, CODES, {"rate": "%"}, RANGES, source="export")


def test_unit_ranges_refuse_an_empty_range():
    with pytest.raises(ValueError, match="unit 'x': min 5 must be below max 1"):
        unit_ranges({"x": {"min": 5, "max": 1, "min_inclusive": True}})
