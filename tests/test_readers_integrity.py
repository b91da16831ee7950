"""Readers refuse malformed area codes and unreadable files with errors naming the place.

Issue 9: a lower-cased code must stop the run (it used to become "not published"), and
parser failures (empty file, bad encoding, missing sheet) must name the source and file.
"""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from localineq.data.codes import GSS_ENTITY_TYPES, invalid_code_mask, is_gss_code
from localineq.data.lookups import read_code_changes, read_ltla_lookup, read_topojson_layer
from localineq.data.readers import (
    DataError,
    read_els_csv,
    read_mye2_persons,
    read_population_table6,
)

HEADER = "areacd,areanm,geography,indicator,period,observation,unit\n"
ROWS = [
    "K02000001,United Kingdom,Country,GDHI,2022-01-01/P1Y,22907,£",
    "E06000001,Hartlepool,Local Authority District,GDHI,2022-01-01/P1Y,18001,£",
    "TLC,North East,ITL Level 1,GDHI,2022-01-01/P1Y,19000,£",
    "TLN0A,Belfast,ITL Level 3,GDHI,2022-01-01/P1Y,19000,£",
]


def write(path, rows, header=HEADER):
    path.write_bytes(b"\xef\xbb\xbf" + (header + "".join(r + "\n" for r in rows)).encode())
    return path


def test_valid_gss_and_itl_codes_pass(tmp_path):
    tidy = read_els_csv(write(tmp_path / "ok.csv", ROWS), source="els_demo")
    assert tidy["area_code"].tolist() == ["K02000001", "E06000001", "TLC", "TLN0A"]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("e06000001", "not a well-formed GSS code"),  # lower case: never silently dropped
        ("E0600001", "not a well-formed GSS code"),  # a digit short
        ("E06000001X", "not a well-formed GSS code"),
        ("E99000001", "not a known type"),  # well-formed, unknown entity type
        ("", "not a well-formed GSS code"),
    ],
)
def test_bad_area_code_names_source_file_line_and_value(tmp_path, code, reason):
    rows = [*ROWS[:2], f"{code},Hartlepool,Local Authority District,GDHI,2021-01-01/P1Y,1,£"]
    path = write(tmp_path / "bad.csv", rows)
    with pytest.raises(DataError) as err:
        read_els_csv(path, source="els_demo")
    message = str(err.value)
    assert "'els_demo'" in message and str(path) in message and "'areacd'" in message
    assert f"line 4: '{code}'" in message  # header is line 1, the bad row is the third row
    assert reason in message


def test_whitespace_is_the_only_normalisation(tmp_path):
    rows = [" E06000001 ,Hartlepool,Local Authority District,GDHI,2022-01-01/P1Y,1,£"]
    tidy = read_els_csv(write(tmp_path / "ws.csv", rows), source="els_demo")
    assert tidy["area_code"].tolist() == ["E06000001"]


def test_code_mask_and_known_types():
    assert is_gss_code("W06000001") and not is_gss_code("w06000001")
    assert {"E06", "E07", "E08", "E09", "W06", "S12", "N09"} <= set(GSS_ENTITY_TYPES)
    mask = invalid_code_mask(pd.Series(["E01000001", "", "TLC31"]), allow_empty=True)
    assert mask.tolist() == [False, False, True]  # ITL codes only where allowed


def test_code_changes_refuse_a_bad_new_code(tmp_path):
    path = tmp_path / "changes.csv"
    path.write_text(
        "oldcd,oldnm,newcd,newnm,type,start\n"
        "E07000026,Allerdale,E06000063,Cumberland,merger,2023\n"
        "E07000027,Barrow-in-Furness,e06000064,Westmorland and Furness,merger,2023\n"
    )
    with pytest.raises(DataError, match=r"'la_code_changes'.*'newcd'.*line 3: 'e06000064'"):
        read_code_changes(path)


def test_ltla_lookup_refuses_a_bad_region_code(tmp_path):
    path = tmp_path / "ltla.csv"
    path.write_text(
        "ltlacd,ltlanm,ctycd,ctynm,rgncd,rgnnm,ctrycd\n"
        "E06000001,Hartlepool,,,E12000001,North East,E92000001\n"
        "E07000026,Allerdale,E10000006,Cumbria,E1200002,North West,E92000001\n"
    )
    with pytest.raises(DataError, match=r"'rgncd'.*line 3: 'E1200002'"):
        read_ltla_lookup(path)


def test_empty_csv_names_source_and_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"source 'els_demo', file .*empty.csv: empty file"):
        read_els_csv(path, source="els_demo")


def test_header_only_csv_is_refused(tmp_path):
    path = write(tmp_path / "header.csv", [])
    with pytest.raises(DataError, match="'els_demo'.*no data rows"):
        read_els_csv(path, source="els_demo")


def test_bad_encoding_names_source_and_file(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + ROWS[1].replace("Hartlepool", "Ynys Môn") + "\n").encode("latin-1"))
    with pytest.raises(DataError, match=r"'els_demo'.*latin1.csv: not UTF-8"):
        read_els_csv(path, source="els_demo")


def test_empty_workbook_names_source_and_file(tmp_path):
    path = tmp_path / "book.xlsx"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"'regional_gdp_la_workbook'.*book.xlsx"):
        read_population_table6(path)
    with pytest.raises(DataError, match=r"'mid2022_population_by_age'.*book.xlsx"):
        read_mye2_persons(path)


def test_missing_sheet_names_the_sheet(tmp_path):
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Table 5"
    book.save(path)
    with pytest.raises(DataError, match=r"'regional_gdp_la_workbook'.*cannot read sheet 'Table 6'"):
        read_population_table6(path)


def test_bad_code_in_a_sheet_names_the_spreadsheet_row(tmp_path):
    path = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Table 6"
    sheet.append(["Table 6: population"])
    sheet.append(["ITL1 Region", "LA code", "LA name", "2022"])
    sheet.append(["North East", "E06000001", "Hartlepool", 92571])
    sheet.append(["North East", "e06000002", "Middlesbrough", 143924])
    book.save(path)
    with pytest.raises(DataError, match=r"\[Table 6\].*'LA code'.*line 4: 'e06000002'"):
        read_population_table6(path)


def test_empty_topojson_names_source_and_file(tmp_path):
    path = tmp_path / "topo.json"
    path.write_bytes(b"")
    with pytest.raises(DataError, match=r"'els_boundaries_topojson'.*topo.json"):
        read_topojson_layer(path, "ltla")
