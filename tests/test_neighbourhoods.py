"""The neighbourhood level: IoD2019 LSOA readers, LAD19 → LAD23 mapping, LSOA table, profile."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from localineq.analysis.profile_tables import lsoa_profile
from localineq.data import lookups as readers
from localineq.data import neighbourhoods as nb
from localineq.data.readers import DataError

CHANGES = pd.DataFrame(
    {
        "old_code": ["E07000004", "E07000005", "E07000190", "E07000191", "E10000002"],
        "new_code": ["E06000060", "E06000060", "E07000246", "E07000246", None],
        "type": ["merger", "merger", "merger", "merger", "termination"],
        "start": [2020, 2020, 2019, 2019, 2020],
    }
)
LAD23 = ["E06000060", "E07000246", "E09000001"]
HIERARCHY = pd.DataFrame(
    {
        "area_code": LAD23,
        "itl3_code": ["TLJ13", "TLK23", "TLI31"],
        "itl2_code": ["TLJ1", "TLK2", "TLI3"],
        "itl1_code": ["TLJ", "TLK", "TLI"],
    }
)


def write_fixture_files(tmp_path: Path) -> dict[str, Path]:
    """Tiny IoD2019-shaped files: 6 LSOAs in 3 LAD19s, two of which merge in 2020."""
    lsoas = [f"E0100000{i}" for i in range(1, 7)]
    lad19 = ["E07000004", "E07000004", "E07000005", "E07000246", "E09000001", "E09000001"]
    names = {"E07000004": "Aylesbury Vale", "E07000005": "Chiltern"}
    names |= {"E07000246": "Somerset West and Taunton", "E09000001": "City of London"}
    file1 = pd.DataFrame(
        {
            "LSOA code (2011)": lsoas,
            "LSOA name (2011)": [f"Area {i}" for i in range(6)],
            "Local Authority District code (2019)": lad19,
            "Local Authority District name (2019)": [names[c] for c in lad19],
            "Index of Multiple Deprivation (IMD) Rank": ["1", "2", "3", "4", "5", "6"],
        }
    )
    file6 = file1.iloc[:, :4].assign(
        **{
            "Total population: mid 2015 (excluding prisoners)": [
                "1,500",
                "1,000",
                "2,000",
                "1,200",
                "1,300",
                "1,100",
            ]
        }
    )
    scores = pd.DataFrame(
        {
            "nation": ["N", *["E"] * 6, "W"],
            "lsoa": ["95ZZ06W1", *lsoas[::-1], "W01000001"],
            "overall_local_score": ["70.1", "5.5", "10.25", "20", "35.5", "8.0", "50.0", "9"],
            "income_score": ["25.8", "2.5", "56.89999999999999", "10", "0.3", "7.0", "30", "4"],
            "employment_score": ["53", "2", "20", "8", "1", "6", "25", "3"],
        }
    )
    paths = {
        "file1": tmp_path / "file1.csv.gz",
        "file6": tmp_path / "file6.csv.gz",
        "scores": tmp_path / "UK_IMD_E.csv",
    }
    for key in ("file1", "file6"):
        with gzip.open(paths[key], "wt", encoding="utf-8-sig", newline="") as handle:
            (file1 if key == "file1" else file6).to_csv(handle, index=False)
    scores.to_csv(paths["scores"], index=False)
    return paths


def read_fixture(paths: dict[str, Path]):
    return (
        readers.read_mysociety_imd(paths["scores"]),
        readers.read_iod_lsoa_lookup(paths["file1"]),
        readers.read_iod_lsoa_population(paths["file6"]),
    )


def test_readers_keep_england_and_convert_rates(tmp_path):
    scores, lookup, population = read_fixture(write_fixture_files(tmp_path))
    assert scores["lsoa_code"].tolist() == sorted(lookup["lsoa_code"])
    row = scores.set_index("lsoa_code").loc["E01000005"]
    assert row["imd_score"] == 10.25 and row["income_rate"] == 0.569
    assert population["population"].sum() == 8100
    assert lookup.columns.tolist() == ["lsoa_code", "lsoa_name", "lad19_code", "lad19_name"]


def test_reader_errors_name_the_rows(tmp_path):
    path = tmp_path / "UK_IMD_E.csv"
    pd.DataFrame(
        {
            "nation": ["E", "E"],
            "lsoa": ["E01000001", "E01000002"],
            "overall_local_score": ["1.0", "oops"],
            "income_score": ["1", "2"],
            "employment_score": ["1", "2"],
        }
    ).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"overall_local_score.*row\(s\) 3"):
        readers.read_mysociety_imd(path)
    repeated = tmp_path / "file6.csv"
    pd.DataFrame(
        {
            "LSOA code (2011)": ["E01000001", "E01000001"],
            "Local Authority District code (2019)": ["E09000001"] * 2,
            "Total population: mid 2015 (excluding prisoners)": ["1", "2"],
        }
    ).to_csv(repeated, index=False)
    with pytest.raises(DataError, match=r"LSOA code \(2011\).*row\(s\) 2, 3"):
        readers.read_iod_lsoa_population(repeated)


def test_mergers_map_whole_districts():
    mapping = nb.lad19_to_lad23(
        ["E07000004", "E07000005", "E07000190", "E09000001"], CHANGES, LAD23
    )
    assert mapping == {
        "E07000004": "E06000060",
        "E07000005": "E06000060",
        "E07000190": "E07000246",  # a chain through a 2019 merger
        "E09000001": "E09000001",
    }


def test_split_is_refused():
    split = pd.concat(
        [
            CHANGES,
            pd.DataFrame(
                {
                    "old_code": ["E07000031", "E07000031"],
                    "new_code": ["E06000063", "E06000064"],
                    "type": ["merger", "merger"],
                    "start": [2023, 2023],
                }
            ),
        ]
    )
    with pytest.raises(nb.NeighbourhoodError, match=r"split.*E07000031"):
        nb.lad19_to_lad23(["E07000031"], split, [*LAD23, "E06000063", "E06000064"])


def test_boundary_change_and_unknown_code_are_refused():
    geo = pd.DataFrame(
        {"old_code": ["E07000001"], "new_code": ["E06000060"], "type": ["new_geo"], "start": [2021]}
    )
    with pytest.raises(nb.NeighbourhoodError, match="not whole-district"):
        nb.lad19_to_lad23(["E07000001"], geo, LAD23)
    with pytest.raises(nb.NeighbourhoodError, match="E07000999 reach no LAD23 code"):
        nb.lad19_to_lad23(["E07000999"], CHANGES, LAD23)


def build(tmp_path, **kwargs) -> pd.DataFrame:
    scores, lookup, population = read_fixture(write_fixture_files(tmp_path))
    lad_map = nb.lad19_to_lad23(lookup["lad19_code"], CHANGES, LAD23)
    return nb.lsoa_deprivation(
        kwargs.get("scores", scores),
        kwargs.get("lookup", lookup),
        kwargs.get("population", population),
        kwargs.get("lad_map", lad_map),
        HIERARCHY,
        expected_lsoas=kwargs.get("expected", 6),
    )


def test_lsoa_table_one_row_per_lsoa_with_lad23_and_itl(tmp_path):
    table = build(tmp_path)
    assert table.columns.tolist() == nb.LSOA_COLUMNS
    assert table["lsoa_code"].is_unique and table["lsoa_code"].is_monotonic_increasing
    assert table.groupby("lad23_code").size().to_dict() == {
        "E06000060": 3,
        "E07000246": 1,
        "E09000001": 2,
    }
    assert table.set_index("lsoa_code").loc["E01000003", "itl1_code"] == "TLJ"


def test_lsoa_table_refuses_breaches(tmp_path):
    scores, lookup, population = read_fixture(write_fixture_files(tmp_path))
    with pytest.raises(nb.NeighbourhoodError, match="imd2019_scores_mysociety.*missing E01000006"):
        build(tmp_path, scores=scores.iloc[:5], expected=None)
    with pytest.raises(nb.NeighbourhoodError, match="6 LSOAs, expected 7"):
        build(tmp_path, expected=7)
    moved = population.copy()
    moved.loc[0, "lad19_code"] = "E09000001"
    with pytest.raises(nb.NeighbourhoodError, match=r"LSOA\(s\) E01000001 have different LAs"):
        build(tmp_path, population=moved)
    with pytest.raises(
        nb.NeighbourhoodError, match=r"LA code\(s\) E07000004, .* have no LAD23 code \(5 LSOAs"
    ):
        build(tmp_path, lad_map={"E07000005": "E06000060"})


def test_profile_sums_and_refuses_log_measures_on_zeros(tmp_path):
    table = build(tmp_path)
    result = lsoa_profile(table)
    assert set(result["measure"]) == {"theil_t", "theil_l", "variance"}
    assert set(result["weighting"]) == {"weighted", "unweighted"}
    # one vocabulary: the switch is `weighting`, the population behind it `weight_basis`
    basis = result.groupby("weighting")["weight_basis"].unique().map(list).to_dict()
    assert basis == {"weighted": ["population"], "unweighted": ["equal"]}
    sums = result.groupby(["indicator", "measure", "weighting"]).agg(
        value=("value", "sum"), total=("total", "first"), share=("share", "sum")
    )
    np.testing.assert_allclose(sums["value"], sums["total"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(sums["share"], 1.0, atol=1e-12)
    zero = table.assign(income_rate=table["income_rate"].where(table.index != 0, 0.0))
    only_variance = lsoa_profile(zero)
    assert set(only_variance.loc[only_variance["indicator"] == "income_rate", "measure"]) == {
        "variance"
    }


# ---------------------------------------------------------------------------------------------
# Integration on the mirror
# ---------------------------------------------------------------------------------------------


def _mirror_file(mirror: Path, pattern: str) -> Path:
    found = sorted(mirror.rglob(pattern))
    assert len(found) == 1, f"{pattern}: {found}"
    return found[0]


@pytest.fixture(scope="module")
def real(mirror, repo_root):
    hierarchy_path = repo_root / "data/processed/lad23_hierarchy.parquet"
    population_path = repo_root / "data/processed/population.parquet"
    if not (hierarchy_path.exists() and population_path.exists()):
        pytest.skip("run the pipeline first (data/processed/lad23_hierarchy.parquet)")
    hierarchy = pd.read_parquet(hierarchy_path)
    scores = readers.read_mysociety_imd(_mirror_file(mirror, "UK_IMD_E.csv"))
    lookup = readers.read_iod_lsoa_lookup(_mirror_file(mirror, "File_1_-_IMD2019_*.csv.gz"))
    population = readers.read_iod_lsoa_population(_mirror_file(mirror, "File_6_-_IoD2019_*.csv.gz"))
    changes = readers.read_code_changes(_mirror_file(mirror, "changes.csv"))
    lad_map = nb.lad19_to_lad23(lookup["lad19_code"], changes, hierarchy["area_code"])
    table = nb.lsoa_deprivation(scores, lookup, population, lad_map, hierarchy)
    return table, hierarchy, pd.read_parquet(population_path)


@pytest.mark.integration
def test_mirror_lsoas_and_lad23s(real):
    table, hierarchy, _ = real
    assert len(table) == 32_844 and table["lsoa_code"].is_unique
    assert table["lad23_code"].nunique() == 296
    assert set(table["lad23_code"]) == set(
        hierarchy.loc[hierarchy["area_code"].str.startswith("E"), "area_code"]
    )
    assert (table["income_rate"] > 0).all() and (table["income_rate"] < 1).all()


@pytest.mark.integration
def test_mirror_profile_components_sum_to_total(real):
    result = lsoa_profile(real[0])
    assert len(result) == 2 * 3 * 2 * 5
    sums = result.groupby(["indicator", "measure", "weighting"]).agg(
        value=("value", "sum"), total=("total", "first")
    )
    np.testing.assert_allclose(sums["value"], sums["total"], rtol=0, atol=1e-9)
    within = result[result["level"] == "within lad23"]
    assert (within["share"] > 0.5).all()


@pytest.mark.integration
def test_mirror_lsoa_population_matches_table6_2015(real):
    """File 6 (mid-2015, excluding prisoners) summed per LAD23 vs Table 6's 2015 population:
    an independent check of the LSOA → LAD19 → LAD23 assignment, including merged areas."""
    table, _, table6 = real
    summed = table.groupby("lad23_code")["population"].sum()
    published = table6[table6["year"] == 2015].set_index("area_code")["population"]
    checked = [
        "E06000060",  # Buckinghamshire (4 districts, 2020)
        "E06000061",  # North Northamptonshire (2021)
        "E06000062",  # West Northamptonshire (2021)
        "E06000063",  # Cumberland (2023)
        "E06000064",  # Westmorland and Furness (2023)
        "E06000065",  # North Yorkshire (2023)
        "E06000066",  # Somerset (2023, via Somerset West and Taunton)
        "E08000025",  # Birmingham
        "E08000035",  # Leeds
        "E06000059",  # Dorset (2019 merger, already on LAD19 codes)
    ]
    ratio = summed[checked] / published[checked]
    assert ratio.between(0.97, 1.03).all(), ratio.to_dict()
    everyone = (summed / published.reindex(summed.index) - 1).abs()
    assert everyone.notna().all() and everyone.median() < 0.01


def test_lsoa_profile_figure_draws_one_bar_per_series(tmp_path):
    from localineq.outputs import figures, neighbourhood_figures

    result = lsoa_profile(build(tmp_path))
    fig = neighbourhood_figures.lsoa_profile_figure(result[result["measure"] != "variance"])
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == 2 * 2 * 2
    widths = {}
    for patch in ax.patches:
        y = round(patch.get_y(), 6)
        widths[y] = widths.get(y, 0.0) + patch.get_width()
    np.testing.assert_allclose(list(widths.values()), 100.0, atol=1e-9)
    figures.save_figure(fig, tmp_path / "lsoa.png", tmp_path / "lsoa.svg")
    assert (tmp_path / "lsoa.png").stat().st_size > 0
