"""Readers on small self-made files that carry the real quirks of ONS data."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pandas as pd
import pytest

from localineq.data.geography import attach_hierarchy, select_local_authorities
from localineq.data.indicators import prepare_indicator
from localineq.data.lookups import read_itl_lookup, read_topojson_layer
from localineq.data.readers import DataError, parse_numeric, read_els_csv, read_population_table6
from localineq.data.weights import nearest_year_weights

ELS_HEADER = (
    "areacd,areanm,geography,indicator,period,observation,measure,unit,lci_95,uci_95,status,notes\n"
)


def write_els(path, rows: list[str]) -> None:
    # Real ELS files start with a UTF-8 byte-order mark.
    path.write_bytes(b"\xef\xbb\xbf" + (ELS_HEADER + "".join(r + "\n" for r in rows)).encode())


@pytest.fixture
def els_file(tmp_path):
    path = tmp_path / "gdhi.csv"
    write_els(
        path,
        [
            "K02000001,United Kingdom,Country,GDHI,2022-01-01/P1Y,22907,Pounds,£,,,,",
            'E06000001,Hartlepool,County or Unitary Authority,GDHI,2022-01-01/P1Y,"18,001",Pounds,£,17000,19000,,',
            "E06000001,Hartlepool,Local Authority District,GDHI,2021-01-01/P1Y,[x],Pounds,£,,,x,",
            "E10000002,Buckinghamshire,County or Unitary Authority,GDHI,2022-01-01/P1Y,25000,Pounds,£,,,,",
            "S12000017,Highland,Local Authority District,GDHI,2022-01-01/P1Y,21000.5,Pounds,£,,,,",
            "W06000001,Isle of Anglesey,Local Authority District,GDHI,2020-04-01/P3Y,:,Pounds,£,,,u,",
        ],
    )
    return path


def test_els_reader_strips_bom_and_parses_markers(els_file):
    tidy = read_els_csv(els_file, source="demo")
    assert list(tidy.columns[:2]) == ["area_code", "area_name"]  # no BOM in the first name
    assert tidy.loc[1, "value"] == 18001.0  # quoted thousands separator
    assert np.isnan(tidy.loc[2, "value"]) and np.isnan(tidy.loc[5, "value"])  # [x] and ':'
    assert tidy.loc[4, "value"] == 21000.5
    assert tidy.loc[1, "lci_95"] == 17000 and np.isnan(tidy.loc[0, "lci_95"])
    assert tidy.loc[5, "period_label"] == "2020/23" and tidy.loc[5, "reference_year"] == 2021
    assert tidy.loc[0, "period_label"] == "2022"


def test_els_reader_names_file_column_and_row_of_bad_value(tmp_path):
    path = tmp_path / "bad.csv"
    write_els(
        path,
        [
            "E06000001,Hartlepool,Local Authority District,GDHI,2022-01-01/P1Y,100,Pounds,£,,,,",
            "E06000002,Middlesbrough,Local Authority District,GDHI,2022-01-01/P1Y,12O,Pounds,£,,,,",
        ],
    )
    with pytest.raises(DataError) as err:
        read_els_csv(path, source="demo")
    message = str(err.value)
    assert "'demo'" in message and "bad.csv" in message
    assert "'observation'" in message and "row(s) 3" in message and "12O" in message


def test_els_reader_rejects_unknown_period(tmp_path):
    path = tmp_path / "p.csv"
    write_els(path, ["E06000001,H,Local Authority District,GDHI,FY2022,1,Pounds,£,,,,"])
    with pytest.raises(DataError, match="'period'.*row\\(s\\) 2"):
        read_els_csv(path, source="demo")


def test_markers_never_become_zero():
    parsed = parse_numeric(pd.Series(["[c]", "[u]", "..", "0"]), source="s", path="f", column="c")
    assert parsed.isna().tolist() == [True, True, True, False]
    assert parsed.iloc[3] == 0.0


def test_la_selection_uses_code_prefix_not_label(els_file):
    tidy = read_els_csv(els_file, source="demo")
    la = select_local_authorities(tidy)
    # Hartlepool is labelled "County or Unitary Authority" in one row: still an LA.
    # Buckinghamshire (E10, county) and the UK row are not.
    assert sorted(la["area_code"].unique()) == ["E06000001", "S12000017", "W06000001"]


def write_lookup(path, extra: list[str] | None = None) -> None:
    rows = [
        "LAD23CD,LAD23NM,LAU121CD,LAU121NM,ITL321CD,ITL321NM,ITL221CD,ITL221NM,ITL121CD,ITL121NM,ObjectId",
        "E06000001,Hartlepool,E06000001,Hartlepool,TLC11,H and S,TLC1,Tees,TLC,North East (England),1",
        "E06000063,Cumberland,E07000026,Allerdale,TLD11,West Cumbria,TLD1,Cumbria,TLD,North West (England),2",
        "E06000063,Cumberland,E07000029,Copeland,TLD11,West Cumbria,TLD1,Cumbria,TLD,North West (England),3",
        "E06000063,Cumberland,E07000028,Carlisle,TLD12,East Cumbria,TLD1,Cumbria,TLD,North West (England),4",
    ] + (extra or [])
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(rows).encode() + b"\n")


def test_lookup_assigns_split_lad_to_majority_itl3(tmp_path):
    path = tmp_path / "lookup.csv"
    write_lookup(path)
    hierarchy = read_itl_lookup(path)
    assert list(hierarchy["area_code"]) == ["E06000001", "E06000063"]
    cumberland = hierarchy.set_index("area_code").loc["E06000063"]
    assert cumberland["itl3_code"] == "TLD11" and bool(cumberland["itl3_split"])
    assert not hierarchy.set_index("area_code").loc["E06000001", "itl3_split"]


def test_lookup_tie_needs_a_stated_primary(tmp_path):
    tie = [
        "S12000021,North Ayrshire,S30000034,Arran,TLM63,Lochaber etc,TLM6,Highlands,TLM,Scotland,5",
        "S12000021,North Ayrshire,S30000018,Mainland,TLM93,Ayrshire,TLM9,Southern,TLM,Scotland,6",
    ]
    path = tmp_path / "lookup.csv"
    write_lookup(path, tie)
    with pytest.raises(DataError, match="S12000021.*primary_itl3"):
        read_itl_lookup(path)
    hierarchy = read_itl_lookup(path, primary_itl3={"S12000021": "TLM93"})
    assert hierarchy.set_index("area_code").loc["S12000021", "itl2_code"] == "TLM9"


def write_table6(path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Table 6"
    sheet.append(["Table 6: Local Authority: Total resident population numbers, persons [note 4]"])
    sheet.append(["ITL1 Region", "LA code", "LA name", "2021", "2022", "2023"])
    sheet.append(["North East ", "E06000001", "Hartlepool", 92575, 93847, 95366])
    sheet.append(["Northern Ireland", "N09000003", "Belfast", 345000, "346,100", "[u]"])
    sheet.append([None, None, None, None, None, None])
    book.save(path)


def test_table6_reader_long_format_and_markers(tmp_path):
    path = tmp_path / "gdp.xlsx"
    write_table6(path)
    population = read_population_table6(path)
    assert len(population) == 6
    belfast = population[population["area_code"] == "N09000003"].set_index("year")["population"]
    assert belfast[2022] == 346100.0  # thousands separator in a text cell
    assert np.isnan(belfast[2023])  # [u] is missing, never zero


def test_table6_reader_reports_bad_cell(tmp_path):
    path = tmp_path / "gdp.xlsx"
    write_table6(path)
    book = openpyxl.load_workbook(path)
    book["Table 6"]["D3"] = "ninety"
    book.save(path)
    with pytest.raises(DataError, match=r"Table 6.*row\(s\) 3 \(2021\).*ninety"):
        read_population_table6(path)


def test_nearest_year_weights_fill_unpublished_year(tmp_path):
    path = tmp_path / "gdp.xlsx"
    write_table6(path)
    population = read_population_table6(path)
    weights = nearest_year_weights(pd.Series(["N09000003", "E06000001"]), 2023, population)
    assert weights["weight"].tolist() == [346100.0, 95366.0]
    assert weights["weight_year"].tolist() == [2022, 2023]
    with pytest.raises(ValueError, match="E09000001"):
        nearest_year_weights(pd.Series(["E09000001"]), 2023, population)


def test_topojson_layer_gets_crs_and_valid_geometry(tmp_path):
    # A bow-tie ring (self-intersecting), as TopoJSON quantisation can produce.
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.001, 0.001], "translate": [-2.0, 54.0]},
        "arcs": [[[0, 0], [1000, 1000], [0, -1000], [-1000, 1000], [0, -1000]]],
        "objects": {
            "ltla": {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "arcs": [[0]], "properties": {"areacd": "E06000001"}}
                ],
            }
        },
    }
    path = tmp_path / "topo.json"
    path.write_text(json.dumps(topology))
    layer = read_topojson_layer(path, "ltla")
    assert layer.crs.to_epsg() == 4326
    assert layer.geometry.is_valid.all()
    assert layer.geometry.iloc[0].geom_type in ("Polygon", "MultiPolygon")
    assert layer.geometry.iloc[0].area > 0


def test_hierarchy_join_refuses_old_codes(tmp_path):
    lookup = tmp_path / "lookup.csv"
    write_lookup(lookup)
    hierarchy = read_itl_lookup(lookup)
    rows = pd.DataFrame({"area_code": ["E06000001", "E07000026"], "value": [1.0, 2.0]})
    with pytest.raises(ValueError, match="E07000026"):
        attach_hierarchy(rows, hierarchy, source="demo")


def test_prepare_indicator_end_to_end_on_fixture(els_file, tmp_path):
    lookup = tmp_path / "lookup.csv"
    write_lookup(
        lookup,
        [
            "S12000017,Highland,S30000028,Ross,TLM61,Caithness,TLM6,Highlands,TLM,Scotland,7",
            "W06000001,Isle of Anglesey,W06000001,Anglesey,TLL11,Anglesey,TLL1,West Wales,TLL,Wales,8",
        ],
    )
    spec = {"source": "demo", "indicator": "GDHI"}
    rows = prepare_indicator(read_els_csv(els_file, "demo"), "gdhi", spec, read_itl_lookup(lookup))
    assert len(rows) == 4  # suppressed values are kept as missing, not dropped
    assert rows["value"].isna().sum() == 2
    assert set(rows["itl1_code"]) == {"TLC", "TLM", "TLL"}
    with pytest.raises(ValueError, match="no rows labelled 'Income'"):
        prepare_indicator(
            read_els_csv(els_file, "demo"),
            "x",
            {"source": "demo", "indicator": "Income"},
            read_itl_lookup(lookup),
        )
