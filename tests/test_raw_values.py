"""Issue 23, faults 3 and 4: impossible values and repeated rows in a raw file are refused
naming source, file, line, area and period."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from localineq.data.indicators import prepare_indicator_and_report
from localineq.data.readers import DataError, read_els_csv
from localineq.data.validation import ValidationError, check_raw_values, unit_ranges

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"
#: The units table as shipped (config.yaml ``units``), the one every check reads.
UNIT_RANGES = unit_ranges(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["units"])

HEADER = "areacd,areanm,geography,indicator,period,observation,unit,lci_95,uci_95,status\n"
P1, P2 = "2021-01-01/P1Y", "2022-01-01/P1Y"
HIERARCHY = pd.DataFrame(
    [
        ("E06000001", "Hartlepool", "TLC11", "TLC1", "TLC", "North East (England)"),
        ("E06000002", "Middlesbrough", "TLC11", "TLC1", "TLC", "North East (England)"),
    ],
    columns=["area_code", "area_name", "itl3_code", "itl2_code", "itl1_code", "itl1_name"],
)


def els_file(tmp_path, rows: list[tuple[str, str, str]]):
    """An ELS-shaped CSV: (area code, period, observation) per row, GDHI per head."""
    lines = [
        f"{code},Name,ltla,GDHI,{period},{value},£ per head,,,\n" for code, period, value in rows
    ]
    path = tmp_path / "gdhi.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def prepare(path):
    spec = {"source": "demo_gdhi", "indicator": "GDHI", "unit": "£ per head"}
    return prepare_indicator_and_report(
        read_els_csv(path, "demo_gdhi"), "gdhi", spec, HIERARCHY, raw_file=path, ranges=UNIT_RANGES
    )


def test_plausible_values_pass(tmp_path):
    path = els_file(tmp_path, [("E06000001", P1, "20000"), ("E06000002", P1, "211115")])
    rows, _ = prepare(path)
    assert rows["value"].tolist() == [20000.0, 211115.0]


def test_infinity_in_a_money_column_is_refused_by_the_reader(tmp_path):
    path = els_file(tmp_path, [("E06000001", P1, "20000"), ("E06000002", P1, "inf")])
    with pytest.raises(DataError) as err:
        read_els_csv(path, "demo_gdhi")
    message = str(err.value)
    assert "source 'demo_gdhi'" in message and str(path) in message
    assert "column 'observation', row(s) 3: not a finite number: ['inf']" in message


def test_an_implausible_amount_names_source_file_line_area_and_period(tmp_path):
    """1e15 £ per head used to be accepted silently: £ units had no upper bound."""
    path = els_file(
        tmp_path,
        [("E06000001", P1, "20000"), ("E06000002", P1, "21000"), ("E06000002", P2, "1e15")],
    )
    with pytest.raises(ValidationError) as err:
        prepare(path)
    message = str(err.value)
    assert f"source 'demo_gdhi', file {path}, indicator 'gdhi'" in message
    assert "line 4: area E06000002, period 2022-01-01/P1Y, value = 1e+15" in message
    assert "outside the range (0, 1e+06] of unit '£ per head'" in message


def test_a_repeated_area_and_period_names_file_and_lines(tmp_path):
    path = els_file(
        tmp_path,
        [("E06000001", P1, "20000"), ("E06000002", P1, "21000"), ("E06000001", P1, "20500")],
    )
    with pytest.raises(ValueError) as err:
        prepare(path)
    message = str(err.value)
    assert f"source 'demo_gdhi', file {path}, indicator 'gdhi'" in message
    assert "2 rows repeat an area × period" in message
    assert "line 2: area E06000001, period 2021-01-01/P1Y" in message
    assert "line 4: area E06000001, period 2021-01-01/P1Y" in message


def test_every_unit_has_a_finite_ceiling():
    assert UNIT_RANGES
    assert all(math.isfinite(high) for _, high, _ in UNIT_RANGES.values())


def test_a_unit_declared_in_config_is_checked_and_an_undeclared_one_refused():
    rows = pd.DataFrame(
        {"area_code": ["E06000001"], "period": [P1], "value": [400.0], "lci_95": [np.nan]}
    )
    minutes = unit_ranges({"minutes": {"min": 0, "max": 300, "min_inclusive": True}})
    with pytest.raises(ValidationError, match=r"outside the range \[0, 300\] of unit 'minutes'"):
        check_raw_values(rows, "minutes", minutes, source="s", path="f.csv")
    assert "furlongs" not in UNIT_RANGES
    with pytest.raises(ValueError, match="declare it under `units:`"):
        check_raw_values(rows, "furlongs", UNIT_RANGES, source="s", path="f.csv")


@given(
    unit=st.sampled_from(sorted(UNIT_RANGES)),
    value=st.floats(allow_nan=True, allow_infinity=True, width=64),
)
def test_a_value_passes_exactly_when_finite_and_inside_its_units_range(unit, value):
    low, high, inclusive = UNIT_RANGES[unit]
    inside = (value >= low if inclusive else value > low) and value <= high
    expected_ok = math.isnan(value) or (math.isfinite(value) and inside)
    rows = pd.DataFrame(
        {"area_code": ["E06000001"], "period": [P1], "value": [value], "lci_95": [np.nan]}
    )
    try:
        check_raw_values(rows, unit, UNIT_RANGES, source="s", path="f.csv")
        ok = True
    except ValidationError:
        ok = False
    assert ok == expected_ok
