"""Readers added for harmonisation and upper-tier geography, on small self-made files."""

from __future__ import annotations

import gzip

import pytest

from localineq.data.lookups import read_code_changes, read_iod_population, read_ltla_lookup
from localineq.data.readers import DataError

BOM = b"\xef\xbb\xbf"


def write(path, text: str) -> None:
    path.write_bytes(BOM + text.encode())


def test_code_changes_reader_keeps_terminations_and_years(tmp_path):
    path = tmp_path / "changes.csv"
    write(
        path,
        "oldcd,oldnm,newcd,newnm,type,start\n"
        'E07000048,Christchurch,E06000058,"Bournemouth, Christchurch and Poole",merger,2019\n'
        "E10000009,Dorset,,,termination,2019\n",
    )
    changes = read_code_changes(path)
    assert changes.loc[0, "new_name"] == "Bournemouth, Christchurch and Poole"
    assert changes["start"].tolist() == [2019, 2019]
    assert changes["new_code"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ("E07000048,Christchurch,E06000058,BCP,renamed,2019", "type", "unknown change type"),
        ("E07000048,Christchurch,E06000058,BCP,merger,soon", "start", "not a year"),
        ("E07000048,Christchurch,,,merger,2019", "newcd", "termination"),
    ],
)
def test_code_changes_reader_names_file_column_and_row(tmp_path, row, column, problem):
    path = tmp_path / "changes.csv"
    write(
        path,
        "oldcd,oldnm,newcd,newnm,type,start\nE06000001,Hartlepool,E06000001,H,new_code,2018\n"
        + row
        + "\n",
    )
    with pytest.raises(
        DataError, match=rf"changes.csv, column '{column}', row\(s\) 3: .*{problem}"
    ):
        read_code_changes(path)


def test_ltla_lookup_reader_blank_county_is_missing_and_repeats_are_errors(tmp_path):
    header = "ltlacd,ltlanm,ctycd,ctynm,mctycd,mctynm,cauthcd,cauthnm,rgncd,rgnnm,ctrycd,ctrynm\n"
    path = tmp_path / "lookup.csv"
    write(
        path,
        header
        + "E06000001,Hartlepool,,,,,E47000006,Tees Valley,E12000001,North East,E92000001,England\n"
        + "E07000008,Cambridge,E10000003,Cambridgeshire,,,,,E12000006,East,E92000001,England\n",
    )
    lookup = read_ltla_lookup(path)
    assert lookup["county_code"].isna().tolist() == [True, False]
    assert lookup.loc[1, "region_code"] == "E12000006"
    write(path, header + "E06000001,Hartlepool,,,,,,,E12000001,NE,E92000001,England\n" * 2)
    with pytest.raises(DataError, match=r"'ltlacd', row\(s\) 2, 3: repeated"):
        read_ltla_lookup(path)


IOD_HEADER = (
    "LSOA code (2011),LSOA name (2011),Local Authority District code (2019),"
    "Local Authority District name (2019),Total population: mid 2015 (excluding prisoners),"
    "Dependent Children aged 0-15: mid 2015 (excluding prisoners),"
    "Population aged 16-59: mid 2015 (excluding prisoners),"
    "Older population aged 60 and over: mid 2015 (excluding prisoners),"
    "Working age population 18-59/64: for use with Employment Deprivation Domain (excluding prisoners)\n"
)


def test_iod_population_sums_lsoas_of_gzipped_file(tmp_path):
    path = tmp_path / "file6.csv.gz"
    text = IOD_HEADER + (
        'E01000001,Eden 001A,E07000030,Eden,"1,296",175,656,465,715\n'
        "E01000002,Eden 001B,E07000030,Eden,1156,182,580,394,620\n"
        "E01000003,Carlisle 001A,E07000028,Carlisle,1000,100,500,400,550\n"
    )
    path.write_bytes(gzip.compress(BOM + text.encode()))
    population = read_iod_population(path)
    assert population.set_index("area_code")["population"].to_dict() == {
        "E07000028": 1000.0,
        "E07000030": 2452.0,
    }
    assert population["year"].unique().tolist() == [2015]


def test_iod_population_refuses_a_missing_lsoa_value(tmp_path):
    path = tmp_path / "file6.csv"
    write(path, IOD_HEADER + "E01000001,Eden 001A,E07000030,Eden,,175,656,465,715\n")
    with pytest.raises(DataError, match=r"row\(s\) 2: LSOA population missing"):
        read_iod_population(path)
