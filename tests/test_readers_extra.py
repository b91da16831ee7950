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


def test_iod_population_adds_districts_merged_in_2019_from_their_lsoa_names(tmp_path):
    """Christchurch merged into BCP (E06000058) in 2019: File 6 has only BCP, but its LSOAs
    (2011) keep the old district's name, so the parts add up to the whole."""
    import pandas as pd

    path = tmp_path / "file6.csv"
    bcp = 'E06000058,"Bournemouth, Christchurch and Poole"'
    write(
        path,
        IOD_HEADER
        + f"E01000001,Bournemouth 001A,{bcp},1000,100,500,400,550\n"
        + f"E01000002,Christchurch 001A,{bcp},300,30,150,120,160\n"
        + f"E01000003,Christchurch 001B,{bcp},200,20,100,80,110\n"
        + "E01000004,Eden 001A,E07000030,Eden,50,5,25,20,30\n",
    )
    changes = pd.DataFrame(
        {
            "old_code": ["E06000028", "E07000048"],
            "old_name": ["Bournemouth", "Christchurch"],
            "new_code": ["E06000058", "E06000058"],
            "type": ["merger", "merger"],
            "start": [2019, 2019],
        }
    )
    population = read_iod_population(path, changes=changes).set_index("area_code")
    assert population["population"].to_dict() == {
        "E06000028": 1000.0,
        "E06000058": 1500.0,
        "E07000030": 50.0,
        "E07000048": 500.0,
    }
    assert population.loc[["E06000028", "E07000048"], "population"].sum() == 1500.0
    # an LSOA named after no old district of its 2019 code: the names disagree, refuse
    changes.loc[1, "old_name"] = "Christ Church"
    with pytest.raises(DataError, match=r"LSOAs of E06000058 named after \['Christchurch'\]"):
        read_iod_population(path, changes=changes)
