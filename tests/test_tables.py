"""Result tables: polarity-aware quintiles, masked LAs, best/worst, summary, profile, writers."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from figure_fixtures import SPECS, decomposition, hierarchy, la_table  # noqa: E402

from localineq.analysis import (  # noqa: E402
    area_tables,
    decomposition_tables,
    profile_tables,
    uncertainty_tables,
)
from localineq.outputs import tables  # noqa: E402


def test_performance_quintile_respects_polarity():
    values = pd.Series(np.arange(10, dtype=float))
    up = area_tables.performance_quintile(values, higher_is_better=True)
    down = area_tables.performance_quintile(values, higher_is_better=False)
    assert up.tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert down.tolist() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]


def test_performance_quintile_keeps_missing_missing():
    q = area_tables.performance_quintile(pd.Series([1.0, np.nan, 3.0]), higher_is_better=True)
    assert q.isna().tolist() == [False, True, False]


def test_regional_gaps_are_weighted_and_centre_on_the_region():
    frame = la_table()
    gaps = area_tables.regional_gaps(frame)
    for _, part in gaps.groupby(["indicator", "period", "itl1_code"]):
        # The weighted mean gap inside a region is zero by construction.
        assert abs(np.average(part["gap"], weights=part["weight"])) < 1e-9
    national = gaps.groupby(["indicator", "period"])["national_mean"].nunique()
    assert (national == 1).all()


def test_analysis_weights_all_missing_means_equal_weights_and_partial_is_an_error():
    frame = pd.DataFrame({"area_code": ["a", "b"], "weight": [np.nan, np.nan]})
    assert area_tables.analysis_weights(frame).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="weights missing"):
        area_tables.analysis_weights(frame.assign(weight=[1.0, np.nan]))


def _masked_fixture(higher_is_better: bool) -> tuple[pd.DataFrame, dict]:
    # Region A (good on average) holds the single worst area; region B (bad on average) the best.
    good, bad = (1.0, -1.0) if higher_is_better else (-1.0, 1.0)
    values = [10 + 5 * good] * 4 + [10 - 6 * good] + [10 + 5 * bad] * 4 + [10 - 6 * bad]
    frame = pd.DataFrame(
        {
            "area_code": [f"E06{i:06d}" for i in range(10)],
            "area_name": [f"LA {i}" for i in range(10)],
            "itl1_code": ["A"] * 5 + ["B"] * 5,
            "itl1_name": ["Region A"] * 5 + ["Region B"] * 5,
            "indicator": "x",
            "period": "2022-01-01/P1Y",
            "value": values,
            "weight": 1.0,
        }
    )
    spec = {"x": {"title": "X", "unit": "u", "higher_is_better": higher_is_better}}
    return frame, spec


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_masked_areas_find_hidden_low_and_high_performers(higher_is_better):
    frame, spec = _masked_fixture(higher_is_better)
    masked = area_tables.masked_areas(frame, spec)
    kinds = dict(zip(masked["area_name"], masked["kind"], strict=True))
    assert kinds == {"LA 4": "hidden_low", "LA 9": "hidden_high"}
    assert list(masked.columns) == area_tables.MASKED_COLUMNS


def test_masked_areas_use_only_the_latest_period():
    frame, spec = _masked_fixture(True)
    older = frame.assign(period="2010-01-01/P1Y", value=frame["value"][::-1].to_numpy())
    masked = area_tables.masked_areas(pd.concat([older, frame]), spec)
    assert set(masked["period"]) == {"2022-01-01/P1Y"}


def test_top_bottom_is_polarity_aware_and_stable():
    frame = la_table()
    table = area_tables.top_bottom(frame, SPECS, n=3)
    income = table[table["indicator"] == "income"]
    unemployment = table[table["indicator"] == "unemployment"]
    assert income[income["group"] == "best"]["value"].is_monotonic_decreasing
    assert unemployment[unemployment["group"] == "best"]["value"].is_monotonic_increasing
    assert table.groupby(["indicator", "group"]).size().eq(3).all()
    assert table.equals(area_tables.top_bottom(frame.sample(frac=1, random_state=3), SPECS, n=3))


def test_decomposition_summary_latest_period_and_intervals_matched_by_weighting():
    frame = la_table()
    dec = decomposition(frame)
    uncertainty = uncertainty_tables.uncertainty_table(frame, SPECS, draws=49, seed=1)
    assert set(uncertainty["weighting"]) == {"weighted", "unweighted"}
    assert set(uncertainty["weight_basis"]) == {"population", "working_age", "equal"}
    summary = decomposition_tables.decomposition_summary(dec, SPECS, uncertainty=uncertainty)
    assert list(summary["indicator"]) == list(SPECS)
    assert set(summary["period"]) == {"2022-01-01/P1Y"}
    assert summary[["between_share_ci_lower", "between_share_ci_upper"]].notna().all().all()
    assert summary["between_share_unweighted_ci_lower"].notna().all()
    assert set(summary["ci_method"]) == {"bca"}
    assert np.allclose(summary["within_share"], 1 - summary["between_share"])
    # The summary names each indicator's own weight basis, as the catalogue does.
    assert dict(zip(summary["indicator"], summary["weight_basis"], strict=True)) == {
        k: v["weight"] for k, v in SPECS.items()
    }
    assert set(summary["nations"]) == {"E"} and set(summary["n_regions"]) == {3}
    latest = dec[
        (dec["period"] == "2022-01-01/P1Y")
        & (dec["weighting"] == "weighted")
        & (dec["measure"] == "theil_t")
    ]
    expected = latest.set_index("indicator")["between_share"]
    assert np.allclose(summary.set_index("indicator")["between_share"], expected[list(SPECS)])
    # Every confidence interval in the summary contains its estimate.
    for prefix in ("between_share", "between_share_unweighted"):
        est, lo, hi = (
            summary[prefix],
            summary[f"{prefix}_ci_lower"],
            summary[f"{prefix}_ci_upper"],
        )
        assert ((lo <= est) & (est <= hi)).all()


def test_decomposition_summary_without_uncertainty_has_missing_intervals():
    frame = la_table()
    summary = decomposition_tables.decomposition_summary(decomposition(frame), SPECS)
    assert summary["between_share_ci_lower"].isna().all()


def test_summary_of_an_unweighted_indicator_uses_the_unweighted_row():
    frame = la_table()
    specs = {**SPECS, "income": {**SPECS["income"], "weight": "unweighted"}}
    summary = decomposition_tables.decomposition_summary(decomposition(frame), specs).set_index(
        "indicator"
    )
    assert summary.loc["income", "weight_basis"] == "equal"
    assert (
        summary.loc["income", "between_share"] == summary.loc["income", "between_share_unweighted"]
    )


def test_uncertainty_table_is_reproducible_and_complete():
    frame = la_table()
    first = uncertainty_tables.uncertainty_table(frame, SPECS, draws=49, seed=7, permutations=19)
    second = uncertainty_tables.uncertainty_table(frame, SPECS, draws=49, seed=7, permutations=19)
    pd.testing.assert_frame_equal(first, second)
    assert list(first.columns) == uncertainty_tables.UNCERTAINTY_COLUMNS
    # Measurement error only where intervals are published (unemployment in the fixture).
    methods = first.groupby("indicator")["method"].unique()
    assert set(methods["income"]) == {"bootstrap", "permutation"}
    assert set(methods["unemployment"]) == set(uncertainty_tables.UNCERTAINTY_METHODS)


def test_uncertainty_table_keeps_intervals_sensitivity_and_p_values_apart():
    frame = la_table()
    table = uncertainty_tables.uncertainty_table(frame, SPECS, draws=49, seed=7, permutations=19)
    boot = table["method"] == "bootstrap"
    sens = table["method"] == "measurement_error_sensitivity"
    perm = table["method"] == "permutation"
    # p-values on permutation rows only, each with its number of permutations.
    assert table.loc[perm, "p_value"].between(0, 1).all()
    assert table.loc[~perm, "p_value"].isna().all()
    assert (table.loc[perm, "permutations"] == 19).all()
    assert (table.loc[perm, "statistic"] == "between_share").all()
    # Confidence intervals only on bootstrap rows; the sensitivity has its own columns.
    assert table.loc[~boot, ["ci_lower", "ci_upper"]].isna().all().all()
    assert table.loc[sens, ["sensitivity_lower", "sensitivity_upper"]].notna().all().all()
    assert table.loc[~sens, ["sensitivity_lower", "sensitivity_upper"]].isna().all().all()
    assert (table.loc[boot, "ci_method"] == "bca").all()
    # Every row presented as a confidence interval contains its estimate.
    assert uncertainty_tables.ci_contains_estimate(table).all()
    assert table.loc[boot, "ci_lower"].notna().all()


def test_ci_contains_estimate_flags_an_interval_that_excludes_its_estimate():
    table = pd.DataFrame(
        {
            "estimate": [0.5, 0.5, 0.5, 0.5],
            "ci_lower": [0.4, 0.55, np.nan, 0.5],
            "ci_upper": [0.6, 0.7, np.nan, 0.5],
        }
    )
    assert uncertainty_tables.ci_contains_estimate(table).tolist() == [True, False, True, True]


def test_bootstrap_rows_never_present_an_interval_that_excludes_its_estimate():
    class Fake:
        ci = pd.DataFrame(
            {
                "estimate": [1.0, 1.0, 1.0, 0.5],
                "lower": [0.9, 1.1, np.nan, 0.4],
                "upper": [1.2, 1.3, np.nan, 0.6],
                "se": 0.1,
                "bias": 0.0,
                "percentile_lower": 0.0,
                "percentile_upper": 2.0,
                "alpha_lower": [0.02, 0.02, np.nan, 0.0001],
                "alpha_upper": [0.97, 0.97, np.nan, 0.97],
            },
            index=["total", "between", "within", "between_share"],
        )
        n_draws = 999

    rows = pd.DataFrame(uncertainty_tables._bootstrap_rows(Fake()))
    assert rows["ci_lower"].notna().tolist() == [True, False, False, True]
    assert "excludes the estimate" in rows.loc[1, "ci_note"]
    assert "undefined" in rows.loc[2, "ci_note"]
    # An end set by the extreme draws is kept, with a note saying so.
    assert rows.loc[0, "ci_note"] == ""
    assert rows.loc[3, "ci_note"].startswith("lower end is the 0.0100% quantile (0.1 of 999")


@pytest.mark.parametrize(
    ("p", "m", "text"),
    [(0.001, 999, "≤ 0.001"), (0.002, 999, "0.002"), (1 / 20, 19, "≤ 0.050"), (0.5, 19, "0.500")],
)
def test_p_value_label_prints_the_floor_as_a_bound(p, m, text):
    assert uncertainty_tables.p_value_label(p, m) == text


def test_profile_table_components_add_up():
    frame = la_table()
    profile = profile_tables.profile_table(frame, hierarchy(), SPECS)
    assert set(profile["component"]) == {"itl1", "itl2", "itl3", "within itl3"}
    sums = profile.groupby("indicator")["share"].sum()
    assert np.allclose(sums, 1.0)
    assert np.allclose(
        profile.groupby("indicator")["value"].sum(), profile.groupby("indicator")["total"].first()
    )


def test_profile_table_skips_units_that_are_not_lads():
    frame = la_table()
    frame.loc[frame["indicator"] == "income", "area_code"] = frame["area_code"].str.replace(
        "E06", "E10"
    )
    profile = profile_tables.profile_table(frame, hierarchy(), SPECS)
    assert set(profile["indicator"]) == {"unemployment"}


def test_markdown_and_latex_writers():
    frame = pd.DataFrame({"Name": ["A & B", "C|D"], "Share": [0.12345, math.nan], "n": [3, 12000]})
    md = tables.to_markdown(frame, decimals=2)
    assert md.splitlines()[1] == "|:--|--:|--:|"
    assert "C\\|D" in md and "0.12" in md and "12,000" in md
    tex = tables.to_latex(frame, caption="50% £ test", label="tab:x")
    assert r"\begin{tabular}{lrr}" in tex and r"A \& B" in tex and r"50\% \pounds{} test" in tex
    assert tex.endswith("\\end{table}\n")


def test_write_result_tables(tmp_path):
    frame = la_table()
    source = tmp_path / "la_indicators.csv"
    frame.to_csv(source, index=False)
    names = ["summary_csv", "summary_md", "summary_tex", "masked_csv", "masked_md"]
    names += ["top_bottom_csv", "top_bottom_md"]
    outputs = {n: str(tmp_path / f"{n}.out") for n in names}
    counts = tables.write_result_tables(
        decomposition=decomposition(frame),
        uncertainty=uncertainty_tables.uncertainty_table(frame, SPECS, draws=19, seed=1),
        indicator_tables=[str(source)],
        specs=SPECS,
        outputs=outputs,
    )
    assert counts["summary"] == 2 and counts["top_bottom"] == 20
    assert all(Path(p).stat().st_size > 0 for p in outputs.values())
    assert "Household income per head" in Path(outputs["summary_md"]).read_text()
    assert "England, 3 regions" in Path(outputs["summary_md"]).read_text()
    assert "£" in Path(outputs["top_bottom_md"]).read_text()
    assert r"\label{tab:decomposition-summary}" in Path(outputs["summary_tex"]).read_text()
    assert "\r" not in Path(outputs["summary_csv"]).read_text()
