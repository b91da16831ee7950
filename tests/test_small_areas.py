"""Neighbourhoods below local authorities (issue 26): MSOA income and Census 2021 LSOA readers,
exact placement in LAD23, the nested decomposition down to neighbourhoods, each authority's
internal spread, the generalised Figure 4 and the profile pages' new section."""

from __future__ import annotations

import math
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from localineq.analysis import neighbourhood_tables as nt
from localineq.data import small_areas as sa
from localineq.data.lookups import read_code_changes
from localineq.data.neighbourhoods import NeighbourhoodError
from localineq.data.readers import DataError
from localineq.outputs.report import neighbourhoods

LEGACY = {
    "E06000048": "E06000057",
    "E08000020": "E08000037",
    "E07000097": "E07000242",
    "E07000100": "E07000240",
    "E07000101": "E07000243",
    "E07000104": "E07000241",
}


# ---------------------------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------------------------
INCOME_HEADER = [
    "MSOA code",
    "MSOA name",
    "Local authority code",
    "Local authority name",
    "Region code",
    "Region name",
    "Net annual income after housing costs (£)",
    "Upper confidence limit (£)",
    "Lower confidence limit (£)",
    "Confidence interval (£)",
]
INCOME_ROWS = [
    [
        "E02000001",
        "City of London 001",
        "E09000001",
        "City",
        "E12000007",
        "London",
        50000,
        60000,
        42000,
        18000,
    ],
    [
        "E02004297",
        "County Durham 001",
        "E06000047",
        "Durham",
        "E12000001",
        "North East",
        27700,
        31200,
        24600,
        6600,
    ],
    [
        "W02000366",
        "Newport 020",
        "W06000022",
        "Newport",
        "W92000004",
        "Wales",
        32200,
        36400,
        28600,
        7800,
    ],
]


def write_income(
    path: Path, *, title_rows: int, rows=INCOME_ROWS, sheet="Net income after housing costs"
):
    book = openpyxl.Workbook()
    book.active.title = "Contents"
    ws = book.create_sheet(sheet)
    ws.append(["Contents"])
    for i in range(title_rows - 1):
        ws.append([f"Title line {i}"] if i % 2 == 0 else [])
    ws.append(INCOME_HEADER)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("title_rows", [1, 4, 9])
def test_income_header_is_found_by_content_and_limits_are_kept(tmp_path, title_rows):
    path = write_income(tmp_path / "income.xlsx", title_rows=title_rows)
    out = sa.read_small_area_income(path, "Net income after housing costs")
    assert out["msoa11_code"].tolist() == [r[0] for r in INCOME_ROWS]
    assert out["la_code"].tolist() == [r[2] for r in INCOME_ROWS]
    np.testing.assert_array_equal(out["value"], [r[6] for r in INCOME_ROWS])
    np.testing.assert_array_equal(out["upper_95"], [r[7] for r in INCOME_ROWS])
    np.testing.assert_array_equal(out["lower_95"], [r[8] for r in INCOME_ROWS])


def test_income_limits_that_do_not_bracket_the_estimate_name_the_row(tmp_path):
    rows = [list(r) for r in INCOME_ROWS]
    rows[1][8] = 29000  # lower limit above the estimate
    path = write_income(tmp_path / "income.xlsx", title_rows=3, rows=rows)
    with pytest.raises(DataError, match=r"row\(s\) 6: the 95% limits do not bracket"):
        sa.read_small_area_income(path, "Net income after housing costs")


def test_income_without_a_header_row_is_refused(tmp_path):
    path = write_income(tmp_path / "income.xlsx", title_rows=2)
    book = openpyxl.load_workbook(path)
    book["Net income after housing costs"]["A3"] = "Code"
    book.save(path)
    with pytest.raises(
        DataError, match="expected one header row starting with 'MSOA code', found 0"
    ):
        sa.read_small_area_income(path, "Net income after housing costs")


def write_census_zip(path: Path, table: str, header: str, rows: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"census2021-{table}-lsoa.csv", header + "\n" + "\n".join(rows) + "\n")
        archive.writestr(f"census2021-{table}-msoa.csv", header + "\n")
        archive.writestr(f"metadata/{table}-2021-1.txt", "metadata")
    return path


NSSEC_HEADER = (
    "date,geography,geography code,National Statistics Socio-economic Classification (NS-SEC): "
    "Total: All usual residents aged 16 years and over,"
    '"National Statistics Socio-economic Classification (NS-SEC): L1, L2 and L3 Higher managerial",'
    '"National Statistics Socio-economic Classification (NS-SEC): L4, L5 and L6 Lower managerial",'
    "National Statistics Socio-economic Classification (NS-SEC): L10 and L11 Lower supervisory,"
    "National Statistics Socio-economic Classification (NS-SEC): L13 Routine occupations,"
    "National Statistics Socio-economic Classification (NS-SEC): L14.1 and L14.2 Never worked"
)


def test_census_member_is_read_inside_the_zip_with_quoted_commas(tmp_path):
    path = write_census_zip(
        tmp_path / "ts062.zip",
        "ts062",
        NSSEC_HEADER,
        [
            "2021,City of London 001A,E01000001,100,30,20,10,15,5",
            "2021,Newport 020A,W01001000,50,5,5,10,20,10",
        ],
    )
    out = sa.read_census_zip_member(path, "lsoa", "census2021_ts062")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ts062.zip"]  # nothing unpacked
    assert out["area_code"].tolist() == ["E01000001", "W01001000"]
    assert "L1, L2 and L3 Higher managerial" in out.columns
    high = sa.census_share(out, ["L1, L2 and L3 ", "L4, L5 and L6 "], source="s")
    low = sa.census_share(out, ["L13 ", "L14.1 and L14.2 "], source="s")
    np.testing.assert_allclose(high["value"], [50 / 100, 10 / 50])
    np.testing.assert_allclose(low["value"], [20 / 100, 30 / 50])
    np.testing.assert_array_equal(high["weight"], [100, 50])
    # "L1" alone would also match L10, L13, L14: a category must match one column only
    with pytest.raises(NeighbourhoodError, match="matches 4 columns"):
        sa.census_share(out, ["L1"], source="s")


def test_census_zip_without_the_member_names_it(tmp_path):
    path = tmp_path / "bad.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("census2021-ts037-oa.csv", "x\n")
    with pytest.raises(DataError, match="-lsoa.csv"):
        sa.read_census_zip_member(path, "lsoa", "census2021_ts037")


# ---------------------------------------------------------------------------------------------
# Placement
# ---------------------------------------------------------------------------------------------
CHANGES_CSV = """\ufeffoldcd,oldnm,newcd,newnm,type,start
E06000057,Northumberland,E47000011,North of Tyne,new_geo,2018
E07000004,Aylesbury Vale,E06000060,Buckinghamshire,merger,2020
E07000005,Chiltern,E06000060,Buckinghamshire,merger,2020
E07000163,Craven,E06000065,North Yorkshire,merger,2023
E10000023,North Yorkshire,,,termination,2023
E08000016,Barnsley,E08000038,Barnsley,new_code,2025
E08000019,Sheffield,E08000039,Sheffield,new_code,2025
"""


@pytest.fixture
def changes(tmp_path):
    path = tmp_path / "changes.csv"
    path.write_text(CHANGES_CSV, encoding="utf-8")
    return read_code_changes(path)


def test_income_la_codes_reach_lad23_and_stop_at_its_vintage(changes):
    lad23 = [
        "E06000057",
        "E08000037",
        "E07000242",
        "E07000240",
        "E07000243",
        "E07000241",
        "E06000060",
        "E06000065",
        "E08000016",
        "E08000019",
    ]
    published = [*LEGACY, "E07000004", "E07000005", "E07000163", "E08000016", "E08000019"]
    mapping = sa.msoa_lad23(published, LEGACY, changes, lad23, target_year=2023)
    assert {k: mapping[k] for k in LEGACY} == LEGACY
    assert mapping["E07000004"] == mapping["E07000005"] == "E06000060"
    assert mapping["E07000163"] == "E06000065"
    # the 2025 recodes of Barnsley and Sheffield are after LAD23 and must not apply
    assert mapping["E08000016"] == "E08000016" and mapping["E08000019"] == "E08000019"
    # without the legacy recodes the old Northumberland code reaches no LAD23
    with pytest.raises(NeighbourhoodError, match="E06000048"):
        sa.msoa_lad23(published, {}, changes, lad23, target_year=2023)


def test_msoa_residents_follow_the_best_fit_lookup():
    lookup = pd.DataFrame(
        {
            "msoa11_code": ["A", "B", "C", "D", "D", "E", "F"],
            "msoa21_code": ["a", "b", "b", "d1", "d2", "x", "x"],
        }
    )
    residents = pd.Series({"a": 1000.0, "b": 3000.0, "d1": 700.0, "d2": 800.0, "x": 900.0})
    weights = sa.msoa11_residents(lookup, residents)
    # unchanged: its own; merged (B, C → b): half each; split (D → d1, d2): the sum
    assert weights.to_dict() == {
        "A": 1000.0,
        "B": 1500.0,
        "C": 1500.0,
        "D": 1500.0,
        "E": 450.0,
        "F": 450.0,
    }
    assert weights.sum() == residents.sum()
    with pytest.raises(NeighbourhoodError, match="no residents"):
        sa.msoa11_residents(lookup, residents.drop("x"))


def _small_inputs():
    hierarchy = pd.DataFrame(
        {
            "area_code": ["E06000057", "E09000001", "W06000022"],
            "itl3_code": ["TLC21", "TLI31", "TLL22"],
            "itl2_code": ["TLC2", "TLI3", "TLL2"],
            "itl1_code": ["TLC", "TLI", "TLL"],
        }
    )
    income = pd.DataFrame(
        {
            "msoa11_code": ["E02000001", "E02000002", "W02000001"],
            "msoa11_name": ["a", "b", "c"],
            "la_code": ["E06000048", "E09000001", "W06000022"],
            "value": [20000.0, 30000.0, 25000.0],
            "lower_95": [18000.0, 27000.0, 22000.0],
            "upper_95": [23000.0, 33000.0, 28000.0],
        }
    )
    health = pd.DataFrame(
        {
            "area_code": ["E01000001", "E01000002", "W01000001", "W01000002"],
            "area_name": ["a", "b", "c", "d"],
            "Total: All usual residents": [1000.0, 2000.0, 1500.0, 500.0],
            "Bad health": [40.0, 60.0, 90.0, 10.0],
            "Very bad health": [10.0, 20.0, 30.0, 5.0],
        }
    )
    lookup = pd.DataFrame(
        {
            "lsoa21_code": ["E01000001", "E01000002", "W01000001", "W01000002"],
            "lsoa21_name": list("abcd"),
            "lad23_code": ["E06000057", "E09000001", "W06000022", "W06000022"],
            "lad23_name": list("xyzz"),
        }
    )
    specs = {
        "income_net_ahc": {"source": "inc", "unit": "msoa11", "sheet": "AHC"},
        "bad_health": {
            "source": "ts037",
            "unit": "lsoa21",
            "categories": ["Bad health", "Very bad health"],
        },
    }
    kwargs = dict(
        income={"AHC": income},
        census={"ts037": health},
        lsoa_lookup=lookup,
        msoa_weights=pd.Series({"E02000001": 8000.0, "E02000002": 9000.0, "W02000001": 7000.0}),
        msoa_map={"E06000048": "E06000057", "E09000001": "E09000001", "W06000022": "W06000022"},
        hierarchy=hierarchy,
        expected={"msoa11": 3, "lsoa21": 4},
    )
    return specs, kwargs


def test_neighbourhood_table_places_each_unit_once():
    specs, kwargs = _small_inputs()
    table = sa.neighbourhood_table(specs, **kwargs)
    assert list(table.columns) == sa.NEIGHBOURHOOD_COLUMNS
    assert not table.duplicated(["indicator", "area_code"]).any()
    inc = table[table["indicator"] == "income_net_ahc"].set_index("area_code")
    assert inc.loc["E02000001", "lad23_code"] == "E06000057"  # through the legacy recode
    assert inc.loc["E02000001", "la_code_published"] == "E06000048"
    assert inc.loc["E02000001", "lower_95"] == 18000.0
    health = table[table["indicator"] == "bad_health"].set_index("area_code")
    np.testing.assert_allclose(health["value"], [50 / 1000, 80 / 2000, 120 / 1500, 15 / 500])
    assert health["lower_95"].isna().all()


def test_neighbourhood_table_refuses_a_census_lsoa_missing_from_the_lookup():
    specs, kwargs = _small_inputs()
    kwargs["lsoa_lookup"] = kwargs["lsoa_lookup"].iloc[:3]
    with pytest.raises(NeighbourhoodError, match="extra W01000002"):
        sa.neighbourhood_table(specs, **kwargs)


def test_neighbourhood_table_refuses_an_unplaced_msoa():
    specs, kwargs = _small_inputs()
    kwargs["msoa_map"] = {"E09000001": "E09000001", "W06000022": "W06000022"}
    with pytest.raises(NeighbourhoodError, match=r"MSOA\(s\) E02000001 have no LAD23 code"):
        sa.neighbourhood_table(specs, **kwargs)


# ---------------------------------------------------------------------------------------------
# Nested decomposition E&W → ITL1 → ITL2 → ITL3 → LA → neighbourhood, on a hand-built panel
# ---------------------------------------------------------------------------------------------
def nested_panel() -> pd.DataFrame:
    """16 neighbourhoods: 2 ITL1 ⊃ 3 ITL2 ⊃ 4 ITL3 ⊃ 6 LAs, unequal weights."""
    la = ["L1"] * 3 + ["L2"] * 2 + ["L3"] * 3 + ["L4"] * 2 + ["L5"] * 4 + ["L6"] * 2
    itl3 = {"L1": "C1", "L2": "C1", "L3": "C2", "L4": "C3", "L5": "C4", "L6": "C4"}
    itl2 = {"C1": "B1", "C2": "B1", "C3": "B2", "C4": "B3"}
    itl1 = {"B1": "A1", "B2": "A2", "B3": "A2"}
    values = [10, 12, 15, 20, 22, 9, 8, 30, 14, 16, 25, 27, 11, 40, 18, 19]
    weights = [3, 1, 2, 5, 4, 2, 2, 1, 3, 3, 1, 2, 4, 1, 2, 2]
    frame = pd.DataFrame(
        {
            "indicator": "x",
            "unit": "lsoa21",
            "area_code": [f"N{i:02d}" for i in range(16)],
            "lad23_code": la,
            "value": np.asarray(values, dtype=float),
            "weight": np.asarray(weights, dtype=float),
        }
    )
    frame["itl3_code"] = frame["lad23_code"].map(itl3)
    frame["itl2_code"] = frame["itl3_code"].map(itl2)
    frame["itl1_code"] = frame["itl2_code"].map(itl1)
    return frame


def closed_form(frame: pd.DataFrame, measure: str, weighted: bool) -> dict[str, float]:
    """Each level's component written out with plain loops (design.md, Measures)."""
    y = frame["value"].tolist()
    p = frame["weight"].tolist() if weighted else [1.0] * len(y)
    w = [pi / sum(p) for pi in p]
    mu = sum(wi * yi for wi, yi in zip(w, y, strict=True))

    def mean(idx):
        return sum(w[i] * y[i] for i in idx) / sum(w[i] for i in idx)

    def term(idx, parent_mean):
        v = sum(w[i] for i in idx)
        m = mean(idx)
        if measure == "theil_t":
            return v * m / mu * math.log(m / parent_mean)
        if measure == "theil_l":
            return v * math.log(parent_mean / m)
        return v * (m - parent_mean) ** 2

    out = {}
    chain = ["itl1_code", "itl2_code", "itl3_code", "lad23_code", "area_code"]
    parent_of = {i: None for i in range(len(y))}
    for level in chain:
        groups: dict[str, list[int]] = {}
        for i, g in enumerate(frame[level]):
            groups.setdefault(g, []).append(i)
        total = 0.0
        for idx in groups.values():
            parent = parent_of[idx[0]]
            total += term(idx, mu if parent is None else mean(parent))
        out[level] = total
        parent_of = {i: idx for idx in groups.values() for i in idx}
    return out


@pytest.mark.parametrize("measure", ["theil_t", "theil_l", "variance"])
def test_nested_panel_components_add_up_and_match_the_closed_form(measure):
    panel = nested_panel()
    result = nt.neighbourhood_profile(panel, {"x": "residents"}, measures=[measure])
    names = {
        "itl1": "itl1_code",
        "itl2": "itl2_code",
        "itl3": "itl3_code",
        "lad23": "lad23_code",
        "within lad23": "area_code",
    }
    for weighting in ("weighted", "unweighted"):
        rows = result[result["weighting"] == weighting].sort_values("order")
        total = rows["total"].iloc[0]
        assert rows["value"].sum() == pytest.approx(total, rel=1e-12)
        assert rows["share"].sum() == pytest.approx(1.0, rel=1e-12)
        expected = closed_form(panel, measure, weighting == "weighted")
        assert sum(expected.values()) == pytest.approx(total, rel=1e-12)
        for row in rows.itertuples():
            assert row.value == pytest.approx(expected[names[row.level]], rel=1e-10, abs=1e-15)
            assert row.share == pytest.approx(expected[names[row.level]] / total, rel=1e-10)
        assert rows["n_groups"].tolist() == [2, 3, 4, 6, 16]


def test_all_inequality_inside_authorities_when_every_authority_has_the_same_mix():
    # Each LA holds one neighbourhood at 1 and one at 3 (equal weights): the between components
    # vanish and the whole Theil T, T = ½·(½ ln ½) + ½·(3/2 ln 3/2), is within authorities.
    panel = nested_panel().iloc[[0, 1, 3, 4]].copy()
    panel["value"] = [1.0, 3.0, 1.0, 3.0]
    panel["lad23_code"] = ["L1", "L1", "L2", "L2"]
    result = nt.neighbourhood_profile(panel, {"x": "w"}, measures=["theil_t"])
    rows = result[result["weighting"] == "unweighted"].set_index("level")
    expected = 0.5 * (0.5 * math.log(0.5)) + 0.5 * (1.5 * math.log(1.5))
    assert rows.loc["within lad23", "value"] == pytest.approx(expected, rel=1e-12)
    assert rows.loc["within lad23", "share"] == pytest.approx(1.0, rel=1e-12)
    assert rows.drop("within lad23")["value"].abs().max() < 1e-15


def test_deprivation_profile_numbers_are_those_of_the_lsoa_profile(tmp_path):
    """Generalising the LSOA profile keeps deprivation's numbers identical."""
    import test_neighbourhoods

    from localineq.analysis.profile_tables import lsoa_profile

    lsoa = test_neighbourhoods.build(tmp_path)
    old = lsoa_profile(lsoa)
    new = nt.neighbourhood_profile(
        sa.deprivation_long(lsoa, ["imd_score", "income_rate"]),
        {"imd_score": "population", "income_rate": "population"},
    )
    merged = old.merge(new, on=["indicator", "measure", "weighting", "order"], validate="1:1")
    assert len(merged) == len(old) == len(new)
    assert (merged["value_x"] == merged["value_y"]).all()
    assert (merged["share_x"] == merged["share_y"]).all()
    assert (merged["level_x"] == merged["level_y"]).all()


def test_internal_spread_is_each_authoritys_own_theil_and_ranks_the_widest_first():
    from localineq.stats.dispersion import theil_t, weighted_quantile

    panel = nested_panel()
    spread = nt.internal_spread(panel, min_units=3)
    for row in spread.itertuples():
        own = panel[panel["lad23_code"] == row.lad23_code]
        assert row.theil_t == pytest.approx(theil_t(own["value"], own["weight"]), rel=1e-12)
        assert row.theil_t_unweighted == pytest.approx(theil_t(own["value"]), rel=1e-12)
        assert row.mean == pytest.approx(np.average(own["value"], weights=own["weight"]))
        lo, hi = weighted_quantile(own["value"].to_numpy(), [0.1, 0.9])
        assert (row.p10, row.p90) == (lo, hi)
        assert row.n_units == len(own)
    big = spread[spread["n_units"] >= 3]
    small = spread[spread["n_units"] < 3]
    assert small["rank"].isna().all() and small["p90_p10"].isna().all()
    assert big.sort_values("rank")["theil_t"].is_monotonic_decreasing
    assert sorted(big["rank"].astype(int)) == list(range(1, len(big) + 1))
    assert (spread["n_ranked"] == len(big)).all()
    widest = nt.widest_gaps(spread, {c: f"name {c}" for c in spread["lad23_code"]}, n=2)
    assert widest["rank"].tolist() == [1, 2]
    assert widest["lad23_name"].tolist() == [f"name {c}" for c in widest["lad23_code"]]
    assert widest["theil_t"].iloc[0] == big["theil_t"].max()


# ---------------------------------------------------------------------------------------------
# Figure 4, generalised: the bars name their weighting (issue 20)
# ---------------------------------------------------------------------------------------------
def test_neighbourhood_figure_labels_population_weighted_bars():
    from localineq.outputs import neighbourhood_figures

    panel = nested_panel()
    other = panel.assign(indicator="y", value=panel["value"] ** 0.5)
    result = nt.neighbourhood_profile(
        pd.concat([panel, other]), {"x": "residents", "y": "residents"}, measures=["theil_t"]
    )
    fig = neighbourhood_figures.neighbourhood_profile_figure(
        result, indicator_labels={"x": "Ex", "y": "Why"}
    )
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == [
        "Ex: Theil T, unweighted",
        "Ex: Theil T, population-weighted",
        "Why: Theil T, unweighted",
        "Why: Theil T, population-weighted",
    ]
    widths: dict[float, float] = {}
    for patch in fig.axes[0].patches:
        widths[round(patch.get_y(), 6)] = (
            widths.get(round(patch.get_y(), 6), 0.0) + patch.get_width()
        )
    np.testing.assert_allclose(list(widths.values()), 100.0, atol=1e-9)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[-1] == "between neighbourhoods within LAs"


def test_lsoa_figure_labels_population_weighted_bars(tmp_path):
    import test_neighbourhoods

    from localineq.analysis.profile_tables import lsoa_profile
    from localineq.outputs import neighbourhood_figures

    result = lsoa_profile(test_neighbourhoods.build(tmp_path))
    fig = neighbourhood_figures.lsoa_profile_figure(result[result["measure"] == "theil_t"])
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    weighted = result.drop_duplicates(["indicator", "weighting"])
    assert (
        sum(t.endswith(", population-weighted") for t in ticks)
        == (weighted["weighting"] == "weighted").sum()
        == 2
    )
    assert sum(t.endswith(", unweighted") for t in ticks) == 2


# ---------------------------------------------------------------------------------------------
# Profile pages: "inequality inside this authority"
# ---------------------------------------------------------------------------------------------
def test_inside_rows_show_rank_percentiles_and_one_dot_per_neighbourhood():
    from localineq.outputs.profiles import inside_rows

    panel = nested_panel()
    spread = nt.internal_spread(panel, min_units=3)
    spec = {
        "x": {
            "title": "Share x",
            "short": "x",
            "unit": "lsoa21",
            "unit_label": "share of usual residents",
            "weight": "usual residents",
        }
    }
    panel["value"] = panel["value"] / 100  # a share
    spread = nt.internal_spread(panel, min_units=3)
    rows = inside_rows("L5", panel, spread, spec)
    assert len(rows) == 1
    row = rows[0]
    r = spread.set_index("lad23_code").loc["L5"]
    assert row["rank"] == f"{int(r['rank'])} of {int(r['n_ranked'])}"
    assert row["units"] == "4 LSOAs (2021)"
    assert row["p10"] == f"{100 * r['p10']:.1f}%" and row["p90"] == f"{100 * r['p90']:.1f}%"
    assert str(row["strip"]).count("<circle") == 4
    assert inside_rows("L2", panel, spread, spec)[0]["rank"] == "not ranked (fewer than 5)"
    assert inside_rows("nowhere", panel, spread, spec) == []


# ---------------------------------------------------------------------------------------------
# Integration on the mirror
# ---------------------------------------------------------------------------------------------
def _mirror_file(mirror: Path, pattern: str) -> Path:
    found = sorted(mirror.rglob(pattern))
    assert len(found) == 1, f"{pattern}: {found}"
    return found[0]


@pytest.fixture(scope="module")
def real(mirror, repo_root):
    import yaml

    hierarchy_path = repo_root / "data/processed/lad23_hierarchy.parquet"
    if not hierarchy_path.exists():
        pytest.skip("run the pipeline first (data/processed/lad23_hierarchy.parquet)")
    config = yaml.safe_load((repo_root / "config/config.yaml").read_text(encoding="utf-8"))
    specs = config["neighbourhoods"]["indicators"]
    hierarchy = pd.read_parquet(hierarchy_path)
    income_path = _mirror_file(mirror, "income2020.xlsx")
    income = {
        s["sheet"]: sa.read_small_area_income(income_path, s["sheet"])
        for s in specs.values()
        if s["unit"] == "msoa11"
    }
    changes = read_code_changes(_mirror_file(mirror, "changes.csv"))
    la_codes = sorted({c for sheet in income.values() for c in sheet["la_code"]})
    msoa_map = sa.msoa_lad23(
        la_codes, config["harmonisation"]["recodes"], changes, hierarchy["area_code"]
    )
    ts037 = _mirror_file(mirror, "census2021-ts037.zip")
    msoa_residents = sa.read_census_zip_member(ts037, "msoa", "census2021_ts037")
    msoa_lookup = sa.read_msoa_lookup(_mirror_file(mirror, "MSOA_(2011)_to_MSOA_(2021)*.csv"))
    weights = sa.msoa11_residents(
        msoa_lookup, msoa_residents.set_index("area_code")["Total: All usual residents"]
    )
    census = {
        "census2021_ts037": sa.read_census_zip_member(ts037, "lsoa", "census2021_ts037"),
        "census2021_ts062": sa.read_census_zip_member(
            _mirror_file(mirror, "census2021-ts062.zip"), "lsoa", "census2021_ts062"
        ),
    }
    lsoa_lookup = sa.read_lsoa21_lookup(
        _mirror_file(mirror, "LSOA_(2021)_to_Electoral_Ward_(2023)*.csv")
    )
    table = sa.neighbourhood_table(
        specs,
        income=income,
        census=census,
        lsoa_lookup=lsoa_lookup,
        msoa_weights=weights,
        msoa_map=msoa_map,
        hierarchy=hierarchy,
    )
    return {
        "table": table,
        "hierarchy": hierarchy,
        "lsoa_lookup": lsoa_lookup,
        "msoa_lookup": msoa_lookup,
        "msoa_map": msoa_map,
        "changes": changes,
        "residents": msoa_residents,
    }


@pytest.mark.integration
def test_mirror_counts_7201_msoas_and_35672_lsoas_each_in_one_lad23(real):
    table = real["table"]
    for indicator, part in table.groupby("indicator"):
        n = 7_201 if part["unit"].iloc[0] == "msoa11" else 35_672
        assert len(part) == n and part["area_code"].is_unique, indicator
        assert part["lad23_code"].notna().all()
        # exactly one LAD23 per neighbourhood, and that LAD23 is one of April 2023
        assert part.groupby("area_code")["lad23_code"].nunique().eq(1).all()
        assert set(part["lad23_code"]) <= set(real["hierarchy"]["area_code"])


@pytest.mark.integration
def test_mirror_authorities_are_the_lookups_english_and_welsh_lad23s(real):
    lookup_lads = set(real["lsoa_lookup"]["lad23_code"])
    hierarchy = real["hierarchy"]
    assert lookup_lads == set(
        hierarchy.loc[hierarchy["area_code"].str[0].isin(["E", "W"]), "area_code"]
    )
    assert len(lookup_lads) == 318
    for indicator, part in real["table"].groupby("indicator"):
        assert set(part["lad23_code"]) == lookup_lads, indicator


@pytest.mark.integration
def test_mirror_income_placement_agrees_with_the_msoa_lookup(real):
    """Independent check: an MSOA's own LA code (recoded) names a LAD23 that the ONS best-fit
    lookup MSOA11 → MSOA21 → LAD22 (→ LAD23 by the 2023 mergers) also links it to."""
    from localineq.data.neighbourhoods import lad19_to_lad23

    lookup = real["msoa_lookup"]
    to23 = lad19_to_lad23(lookup["lad22_code"], real["changes"], real["hierarchy"]["area_code"])
    linked = (
        lookup.assign(lad23=lookup["lad22_code"].map(to23)).groupby("msoa11_code")["lad23"].agg(set)
    )
    income = real["table"][real["table"]["indicator"] == "income_net_ahc"].set_index("area_code")
    disagree = [c for c, lad in income["lad23_code"].items() if lad not in linked[c]]
    assert disagree == []
    # the six legacy codes are in the file and none of them survives placement
    assert set(LEGACY) <= set(income["la_code_published"])
    assert not set(LEGACY) & set(income["lad23_code"])
    # Barnsley and Sheffield keep their LAD23 codes (their 2025 recodes do not apply)
    assert {"E08000016", "E08000019"} <= set(income["lad23_code"])
    assert not {"E08000038", "E08000039"} & set(income["lad23_code"])


@pytest.mark.integration
def test_mirror_income_weights_add_up_to_the_msoa_residents(real):
    income = real["table"][real["table"]["indicator"] == "income_net_ahc"]
    total = real["residents"]["Total: All usual residents"].sum()
    assert income["weight"].sum() == pytest.approx(total, rel=1e-12)
    assert (income["lower_95"] <= income["value"]).all() and (
        income["value"] <= income["upper_95"]
    ).all()


@pytest.mark.integration
def test_mirror_census_weights_are_the_tables_own_totals(real):
    table = real["table"]
    health = table[table["indicator"] == "bad_health"]
    nssec = table[table["indicator"] == "nssec_1_2"]
    # the MANIFEST's sums of the perturbed LSOA rows
    assert health["weight"].sum() == 59_597_441
    assert nssec["weight"].sum() == 48_566_461
    assert health["value"].between(0, 1).all() and nssec["value"].between(0, 1).all()


def test_report_rows_give_each_indicators_within_authority_share():
    panel = nested_panel()
    profile = nt.neighbourhood_profile(panel, {"x": "usual residents"})
    spread = nt.internal_spread(panel, min_units=3)
    widest = nt.widest_gaps(spread, {c: f"LA {c}" for c in spread["lad23_code"]}, n=3)
    rows = neighbourhoods.neighbourhood_rows(
        profile, widest, {"x": {"short": "Share x"}}, n_widest=2
    )
    assert len(rows) == 1
    row = rows[0]
    within = profile[profile["level"] == "within lad23"].set_index(["measure", "weighting"])
    assert row["theil_t"] == f"{100 * within.loc[('theil_t', 'weighted'), 'share']:.0f}%"
    assert (
        row["theil_t_unweighted"] == f"{100 * within.loc[('theil_t', 'unweighted'), 'share']:.0f}%"
    )
    assert row["variance"] == f"{100 * within.loc[('variance', 'weighted'), 'share']:.0f}%"
    assert row["name"] == "Share x" and row["units"] == "16 LSOAs (2021)"
    assert row["weight"] == "usual residents"
    assert row["widest"] == widest["lad23_name"].head(2).tolist()
    assert neighbourhoods.neighbourhood_rows(None, None, {}) == []
