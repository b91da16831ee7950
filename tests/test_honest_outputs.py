"""The published tables say what their numbers are (issue 10), checked on the real outputs.

Runs on ``results/tables`` of a built pipeline (skipped when it has not been built): every row
presented as a confidence interval contains its estimate; ``weight_basis`` in the summary and
the decomposition matches the indicator catalogue; p-values sit on permutation rows only; the
ICC table and the Gini rows exist; the GCSE indicator is titled as attainment by age 19.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from localineq.analysis.uncertainty_tables import ci_contains_estimate

pytestmark = pytest.mark.integration

TABLES = Path(__file__).resolve().parents[1] / "results" / "tables"


def _read(name: str) -> pd.DataFrame:
    path = TABLES / name
    if not path.exists():
        pytest.skip(f"{path} not built (run snakemake first)")
    return pd.read_csv(path, keep_default_na=True)


def test_every_confidence_interval_contains_its_estimate():
    table = _read("decomposition_uncertainty.csv")
    assert "lower" not in table.columns and "upper" not in table.columns
    inside = ci_contains_estimate(table)
    assert inside.all(), table.loc[~inside, ["indicator", "weighting", "statistic"]]
    boot = table[table["method"] == "bootstrap"]
    assert (boot["ci_method"] == "bca").all()
    # Intervals are only ever withheld with a stated reason.
    withheld = boot["ci_lower"].isna()
    assert boot.loc[withheld, "ci_note"].fillna("").astype(str).str.len().gt(0).all()
    summary = _read("summary.csv")
    for prefix in ("between_share", "between_share_unweighted"):
        est = summary[prefix]
        lo, hi = summary[f"{prefix}_ci_lower"], summary[f"{prefix}_ci_upper"]
        assert (lo.isna() | ((lo <= est) & (est <= hi))).all(), prefix


def test_sensitivity_is_not_presented_as_an_interval():
    table = _read("decomposition_uncertainty.csv")
    sens = table[table["method"] == "measurement_error_sensitivity"]
    assert not sens.empty
    assert sens[["ci_lower", "ci_upper"]].isna().all().all()
    assert sens[["sensitivity_lower", "sensitivity_upper"]].notna().all().all()


def test_p_values_only_on_permutation_rows():
    table = _read("decomposition_uncertainty.csv")
    perm = table["method"] == "permutation"
    assert perm.any()
    assert table.loc[~perm, "p_value"].isna().all()
    assert table.loc[perm, "p_value"].between(0, 1).all()
    assert (table.loc[perm, "permutations"] > 0).all()
    floor = 1 / (table.loc[perm, "permutations"] + 1)
    at_floor = table.loc[perm, "p_value"] <= floor * (1 + 1e-9)
    assert table.loc[perm][at_floor]["p_value_label"].str.startswith("≤").all()


def test_weight_basis_matches_the_catalogue():
    catalogue = _read("indicator_catalogue.csv").set_index("indicator")["weight_basis"]
    summary = _read("summary.csv").set_index("indicator")["weight_basis"]
    assert summary.to_dict() == catalogue[summary.index].to_dict()
    decomposition = _read("decomposition.csv")
    assert set(decomposition["weighting"]) == {"weighted", "unweighted"}
    weighted = decomposition[decomposition["weighting"] == "weighted"]
    bases = weighted.groupby("indicator")["weight_basis"].unique()
    assert all(len(v) == 1 for v in bases)
    assert {k: v[0] for k, v in bases.items()} == catalogue[bases.index].to_dict()
    assert set(decomposition.loc[decomposition["weighting"] == "unweighted", "weight_basis"]) == {
        "equal"
    }
    uncertainty = _read("decomposition_uncertainty.csv")
    weighted = uncertainty[uncertainty["weighting"] == "weighted"]
    pairs = weighted.drop_duplicates("indicator").set_index("indicator")["weight_basis"]
    assert pairs.to_dict() == catalogue[pairs.index].to_dict()


def test_icc_table_and_gini_rows_exist():
    icc = _read("icc.csv")
    assert set(icc["level"]) == {"itl1", "itl3"}
    assert icc["icc"].between(0, 1).all()
    assert icc["converged"].dtype == bool
    decomposition = _read("decomposition.csv")
    gini = decomposition[decomposition["measure"] == "gini"]
    assert not gini.empty and gini["overlap"].notna().all()
    parts = gini["between"] + gini["within"] + gini["overlap"]
    assert ((parts - gini["total"]).abs() <= 1e-9).all()


def test_gcse_title_mentions_age_19_everywhere():
    for name in ("summary.csv", "indicator_catalogue.csv"):
        table = _read(name)
        title = table.loc[table["indicator"] == "gcse_english_maths", "title"].iloc[0]
        assert "age 19" in title, name
    summary = _read("summary.csv")
    assert "19" in summary.loc[summary["indicator"] == "gcse_english_maths", "period_note"].iloc[0]
    md = (TABLES / "summary.md").read_text(encoding="utf-8")
    assert "Pupils achieving grade 4" not in md and "by age 19" in md
