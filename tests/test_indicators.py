"""Preparing one indicator: selection, harmonisation, units, explicit coverage, export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from localineq.data.geography import unit_hierarchy
from localineq.data.harmonise import change_rules
from localineq.data.indicators import (
    EXPORT_COLUMNS,
    analysis_units,
    export_table,
    prepare_indicator,
    prepare_indicator_and_report,
    write_export,
)
from localineq.data.weights import attach_weights

HIERARCHY = pd.DataFrame(
    [
        ("E06000001", "Hartlepool", "TLC11", "TLC1", "TLC", "North East (England)"),
        ("E06000002", "Middlesbrough", "TLC11", "TLC1", "TLC", "North East (England)"),
        ("E07000008", "Cambridge", "TLH12", "TLH1", "TLH", "East"),
        ("E07000009", "East Cambridgeshire", "TLH12", "TLH1", "TLH", "East"),
        ("E06000063", "Cumberland", "TLD12", "TLD1", "TLD", "North West (England)"),
        ("W06000001", "Isle of Anglesey", "TLL11", "TLL1", "TLL", "Wales"),
    ],
    columns=["area_code", "area_name", "itl3_code", "itl2_code", "itl1_code", "itl1_name"],
)
UPPER = pd.DataFrame(
    {
        "area_code": HIERARCHY["area_code"],
        "unit_code": ["E06000001", "E06000002", "E10000003", "E10000003", "E06000063", "W06000001"],
        "unit_name": [
            "Hartlepool",
            "Middlesbrough",
            "Cambridgeshire",
            "Cambridgeshire",
            "Cumberland",
            "Isle of Anglesey",
        ],
    }
)
CHANGES = pd.DataFrame(
    [("E07000026", "E06000063", "merger", 2023), ("E07000028", "E06000063", "merger", 2023)],
    columns=["old_code", "new_code", "type", "start"],
)
OLD_POPULATION = {"E07000026": 100.0, "E07000028": 100.0}


def tidy(rows, label="Rate"):
    frame = pd.DataFrame(rows, columns=["area_code", "period", "value"])
    frame["area_name"] = "x"
    frame["indicator"] = label
    frame["period_label"] = frame["period"].str[:4]
    frame["reference_year"] = frame["period"].str[:4].astype(int)
    frame["lci_95"] = frame["uci_95"] = np.nan
    frame["status"] = pd.NA
    return frame


def spec(**extra):
    return {"source": "demo", "indicator": "Rate", "unit": "%", "weight": "population", **extra}


RULES = change_rules(CHANGES, HIERARCHY["area_code"])
P1, P2 = "2021-01-01/P1Y", "2022-01-01/P1Y"


def test_lad_indicator_is_harmonised_and_coverage_is_explicit():
    rows, report = prepare_indicator_and_report(
        tidy(
            [("E06000001", P1, 1.0), ("E07000026", P1, 2.0), ("E07000028", P1, 4.0),
             ("W06000001", P2, 3.0), ("E10000003", P2, 9.0), ("K02000001", P2, 5.0)]
        ),
        "rate", spec(nations=["E", "W"]), HIERARCHY, rules=RULES, old_population=OLD_POPULATION,
    )  # fmt: skip
    assert len(rows) == 2 * 6  # every LAD23 of England and Wales in both periods
    cumberland = rows[(rows["area_code"] == "E06000063") & (rows["period"] == P1)].iloc[0]
    assert cumberland["value"] == 3.0 and cumberland["harmonisation"] == "merger"
    assert cumberland["area_name"] == "Cumberland"  # the LAD23 name, not a source name
    absent = rows[rows["harmonisation"] == "not_published"]
    assert absent["value"].isna().all() and len(absent) == 12 - 3
    assert set(rows["unit_of_analysis"]) == {"LAD23"}
    assert report["rule"].tolist() == ["merger"]


def test_rows_from_an_undeclared_nation_are_an_error():
    with pytest.raises(ValueError, match=r"W06000001.*outside the declared nations \['E'\]"):
        prepare_indicator(
            tidy([("W06000001", P1, 1.0)]), "rate", spec(nations=["E"]), HIERARCHY, rules=RULES
        )


COUNTY_HIERARCHY = pd.DataFrame(
    [
        ("E06000001", "Hartlepool", "TLC11", "TLC1", "TLC", "North East (England)"),
        ("E07000008", "Cambridge", "TLH12", "TLH1", "TLH", "East"),
        ("E07000010", "Fenland", "TLH11", "TLH1", "TLH", "East"),
        ("E07000095", "Broxbourne", "TLH23", "TLH2", "TLH", "East"),
        ("E07000066", "Basildon", "TLH34", "TLH3", "TLH", "East"),
    ],
    columns=["area_code", "area_name", "itl3_code", "itl2_code", "itl1_code", "itl1_name"],
)


def test_unit_hierarchy_keeps_only_the_itl_codes_all_members_share():
    members = pd.DataFrame(
        {
            "area_code": ["E07000095", "E07000010", "E06000001", "E07000008", "E07000066"],
            "unit_code": ["E10000099", "E10000003", "E06000001", "E10000003", "E10000099"],
            "unit_name": ["Made-up", "Cambridgeshire", "Hartlepool", "Cambridgeshire", "Made-up"],
        }
    )
    units = unit_hierarchy(members, COUNTY_HIERARCHY)
    expected = pd.DataFrame(
        {
            "area_code": ["E06000001", "E10000003", "E10000099"],  # sorted by unit
            "area_name": ["Hartlepool", "Cambridgeshire", "Made-up"],
            "itl3_code": ["TLC11", pd.NA, pd.NA],
            "itl2_code": ["TLC1", "TLH1", pd.NA],
            "itl1_code": ["TLC", "TLH", "TLH"],
            "itl1_name": ["North East (England)", "East", "East"],
            "n_lad23": [1, 2, 2],
        }
    )
    pd.testing.assert_frame_equal(units, expected, check_exact=True)
    assert units.dtypes.equals(expected.dtypes)


def test_unit_hierarchy_refuses_unknown_members_and_units_across_regions():
    mixed = pd.DataFrame(
        {
            "area_code": ["E07000008", "E06000001", "E07000010"],
            "unit_code": ["U2", "U1", "U1"],
            "unit_name": ["Fine", "Mixed", "Mixed"],
        }
    )
    with pytest.raises(
        ValueError, match=r"^unit U1 \(Mixed\) spans ITL1 regions \['TLC', 'TLH'\]$"
    ):
        unit_hierarchy(mixed, COUNTY_HIERARCHY)
    unknown = mixed.assign(area_code=["E07000008", "E07999999", "E07000010"])
    with pytest.raises(ValueError, match=r"not in the LAD23 hierarchy: \['E07999999'\]"):
        unit_hierarchy(unknown, COUNTY_HIERARCHY)


def test_upper_tier_indicator_uses_counties_and_combined_areas():
    upper_spec = spec(tier="upper", nations=["E", "W"], combined_areas={"E06000002": "E06000001"})
    members, units = analysis_units(upper_spec, HIERARCHY, UPPER)
    assert members.set_index("area_code")["unit_code"]["E06000002"] == "E06000001"
    hartlepool = units.set_index("area_code").loc["E06000001"]
    assert (
        hartlepool["area_name"] == "Hartlepool (incl. Middlesbrough)" and hartlepool["n_lad23"] == 2
    )
    county = units.set_index("area_code").loc["E10000003"]
    assert county["itl1_code"] == "TLH" and county["n_lad23"] == 2
    rows = prepare_indicator(
        tidy([("E10000003", P1, 60.0), ("E06000063", P1, 58.0), ("E06000002", P1, np.nan)]),
        "hle", upper_spec, HIERARCHY, rules=RULES, upper_tier=UPPER,
    )  # fmt: skip
    assert sorted(rows["area_code"]) == ["E06000001", "E06000063", "E10000003", "W06000001"]
    assert rows.set_index("area_code").loc["E10000003", "itl1_name"] == "East"
    assert rows["unit_of_analysis"].iloc[0].startswith("UTLA23")
    with pytest.raises(ValueError, match=r"publishes \['E06000002'\] which are not units"):
        prepare_indicator(
            tidy([("E06000002", P1, 1.0)]),
            "hle",
            upper_spec,
            HIERARCHY,
            rules=RULES,
            upper_tier=UPPER,
        )


def test_district_values_in_an_upper_tier_series_are_refused():
    with pytest.raises(ValueError, match=r"E07000008.*not units of its tier"):
        prepare_indicator(
            tidy([("E07000008", P1, 60.0)]), "hle", spec(tier="upper"), HIERARCHY,
            rules=RULES, upper_tier=UPPER,
        )  # fmt: skip


def test_filter_and_label_select_rows():
    frame = tidy([("E06000001", P1, 1.0)])
    frame["geography"] = "UA"
    rows = prepare_indicator(frame, "r", spec(filter={"geography": "UA"}), HIERARCHY, rules=RULES)
    assert rows["value"].tolist() == [1.0]
    with pytest.raises(ValueError, match="filter geography = 'LAD' selects no rows"):
        prepare_indicator(frame, "r", spec(filter={"geography": "LAD"}), HIERARCHY, rules=RULES)


def test_export_is_sorted_and_byte_identical(tmp_path):
    rows = prepare_indicator(
        tidy([("W06000001", P2, 3.0), ("E06000001", P1, 1.0 / 3)]), "rate",
        spec(nations=["E", "W"], title="A rate"), HIERARCHY, rules=RULES,
    )  # fmt: skip
    population = pd.DataFrame(
        {"area_code": HIERARCHY["area_code"], "year": 2022, "population": 10.0}
    )
    weighted = attach_weights(rows, population)
    table = export_table([weighted.iloc[::-1]], {"rate": spec(title="A rate")})
    assert list(table.columns) == EXPORT_COLUMNS
    assert table[["period", "area_code"]].equals(
        table[["period", "area_code"]].sort_values(["period", "area_code"])
    )
    write_export(table, tmp_path / "a.csv", tmp_path / "a.parquet")
    write_export(table, tmp_path / "b.csv", tmp_path / "b.parquet")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert "0.3333333333," in (tmp_path / "a.csv").read_text()  # fixed float format
