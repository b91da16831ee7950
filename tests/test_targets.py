"""Local targets (issue 12): arithmetic, high performers, ties, no_data, significance, tiers;
regional references; masked authorities with evidence and persistence.

Every expected number below is worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from localineq.analysis import area_tables
from localineq.policy.compare import compare_at_precision, published_decimals
from localineq.policy.periods import BaselineRule
from localineq.policy.reference import choose_reference, group_reference, reference_check
from localineq.policy.targets import (
    STATUS_MEANINGS,
    STATUSES,
    TARGET_COLUMNS,
    TargetRule,
    benchmark_values,
    classify,
    fell_below_baseline,
    indicator_targets,
    targets_table,
)

Z = 1.959963984540054  # z_{0.975}
TIMES = {"t_baseline": 2020.5, "t_latest": 2025.5, "t_horizon": 2030.5}  # halfway


def test_below_benchmark_higher_is_better_hand_computed():
    # baseline 60, benchmark 80, close half the gap: target 60 + 0.5 * 20 = 70;
    # halfway along the line at the latest period: milestone 65.
    r = classify(
        [60.0, 60.0, 60.0],
        [70.0, 65.0, 64.9],
        80.0,
        higher_is_better=True,
        gap_share=0.5,
        **TIMES,
    )
    assert r["target_2030"].tolist() == [70.0, 70.0, 70.0]
    assert r["milestone_latest"].tolist() == [65.0, 65.0, 65.0]
    assert r["status"].tolist() == ["met", "on_track", "off_track"]
    assert not r["high_performer"].any()


def test_below_benchmark_lower_is_better_hand_computed():
    # claimant count 10% at baseline, benchmark 6% (lower is better): target 10 - 0.5 * 4 = 8;
    # milestone halfway 9. Latest 7.9 beats the target; 8.5 beats the milestone; 9.5 does not.
    r = classify(
        [10.0, 10.0, 10.0],
        [7.9, 8.5, 9.5],
        6.0,
        higher_is_better=False,
        gap_share=0.5,
        **TIMES,
    )
    assert r["target_2030"].tolist() == [8.0, 8.0, 8.0]
    assert r["milestone_latest"].tolist() == [9.0, 9.0, 9.0]
    assert r["status"].tolist() == ["met", "on_track", "off_track"]


def test_milestone_is_clipped_at_the_horizon_and_quarter_way():
    # latest a quarter of the way: milestone 60 + 0.25 * (70 - 60) = 62.5
    r = classify(
        [60.0],
        [62.0],
        80.0,
        higher_is_better=True,
        gap_share=0.5,
        t_baseline=2020.5,
        t_latest=2023.0,
        t_horizon=2030.5,
    )
    assert r["milestone_latest"].iloc[0] == pytest.approx(62.5)
    assert r["status"].iloc[0] == "off_track"
    late = classify(
        [60.0], [69.0], 80.0, higher_is_better=True, gap_share=0.5, t_baseline=2020.5,
        t_latest=2035.5, t_horizon=2030.5,
    )  # fmt: skip
    assert late["milestone_latest"].iloc[0] == 70.0  # never beyond the 2030 target


@pytest.mark.parametrize("higher_is_better", [True, False])
def test_authority_exactly_at_the_benchmark_is_a_high_performer(higher_is_better):
    # At the benchmark counts as "at or above": a floor, not a stretch target.
    s = 1.0 if higher_is_better else -1.0
    r = classify(
        [50.0, 50.0, 50.0 - s * 1e-9],
        [50.0, 50.0 - s * 0.1, 50.0],
        50.0,
        higher_is_better=higher_is_better,
        gap_share=0.5,
        **TIMES,
    )
    assert r["high_performer"].tolist() == [True, True, False]
    assert r["target_2030"].iloc[0] == 50.0  # the floor is the baseline
    # unchanged is not below the floor; any fall breaches it
    assert r["status"].tolist()[:2] == ["met", "levelling_down"]
    assert r["status"].iloc[2] == "met"  # just below the benchmark, reached the target


def test_high_performer_floor_follows_the_uk_trend_minus_tolerance():
    # UK reference rose by 2, tolerance 0.5: floor 50 + 2 - 0.5 = 51.5 (lower floor: baseline).
    r = classify(
        [50.0, 50.0, 50.0],
        [51.0, 51.5, 49.0],
        45.0,
        higher_is_better=True,
        gap_share=0.5,
        uk_change=2.0,
        tolerance=0.5,
        **TIMES,
    )
    assert r["floor_latest"].tolist() == [51.5, 51.5, 51.5]
    # 51 rose but lags the UK trend (not an alarm); 49 fell below its own baseline (alarm)
    assert r["status"].tolist() == ["lagging_uk_trend", "met", "levelling_down"]
    # UK fell by 3: the floor stays at the baseline (never below it)
    down = classify(
        [50.0], [49.9], 45.0, higher_is_better=True, gap_share=0.5, uk_change=-3.0,
        tolerance=0.5, **TIMES,
    )  # fmt: skip
    assert down["floor_latest"].iloc[0] == 50.0
    assert down["status"].iloc[0] == "levelling_down"


def test_lower_is_better_floor_uses_oriented_uk_trend():
    # unemployment 4% (benchmark 5%): UK fell (improved) by 1 point, tolerance 0.2:
    # floor in raw units 4 - 1 + 0.2 = 3.2; latest 3.5 is worse than 3.2 -> alarm; 3.1 fine.
    r = classify(
        [4.0, 4.0],
        [3.5, 3.1],
        5.0,
        higher_is_better=False,
        gap_share=0.5,
        uk_change=-1.0,
        tolerance=0.2,
        **TIMES,
    )
    assert r["floor_latest"].tolist() == pytest.approx([3.2, 3.2])
    # 3.5 improved on its baseline 4.0: behind the UK trend, never levelling down
    assert r["status"].tolist() == ["lagging_uk_trend", "met"]


def test_missing_baseline_or_latest_is_no_data():
    r = classify(
        [np.nan, 60.0, 90.0],
        [70.0, np.nan, np.nan],
        80.0,
        higher_is_better=True,
        gap_share=0.5,
        **TIMES,
    )
    assert r["status"].tolist() == ["no_data"] * 3
    assert not r["significant"].any()
    # the baseline alone decides who is a high performer; its target is its baseline
    assert pd.isna(r["high_performer"].iloc[0])
    assert r["high_performer"].iloc[1:].tolist() == [False, True]
    assert np.isnan(r["target_2030"].iloc[0]) and r["target_2030"].iloc[2] == 90.0


def test_alarm_significance_hand_computed_interval():
    # baseline 60 with 95% interval 60 +/- Z (se 1), latest 57 +/- Z (se 1): the fall of 3
    # exceeds Z * sqrt(2) = 2.77 -> significant, an alarm; a fall of 2 is within the noise
    # -> no alarm, but behind the flat UK trend; no interval: a fall beyond half a unit.
    r = classify(
        [60.0, 60.0, 60.0],
        [57.0, 58.0, 50.0],
        55.0,
        higher_is_better=True,
        gap_share=0.5,
        se_baseline=[1.0, 1.0, np.nan],
        se_latest=[1.0, 1.0, np.nan],
        **TIMES,
    )
    assert r["status"].tolist() == ["levelling_down", "lagging_uk_trend", "levelling_down"]
    assert r["significant"].tolist() == [True, False, False]
    assert r["evidence"].tolist() == ["interval", "interval", "not published"]


def test_off_track_significance_weights_the_baseline_error():
    # milestone 65 = (1 - phi) * 60 + phi * 80 with phi = 0.5 * 0.5 = 0.25; its se is
    # 0.75 * se_0 = 0.75. Latest 61 (se 1): shortfall 4 > Z * sqrt(1 + 0.5625) = 2.45 -> yes;
    # latest 63: shortfall 2 < 2.45 -> no.
    r = classify(
        [60.0, 60.0],
        [61.0, 63.0],
        80.0,
        higher_is_better=True,
        gap_share=0.5,
        se_baseline=[1.0, 1.0],
        se_latest=[1.0, 1.0],
        **TIMES,
    )
    assert r["status"].tolist() == ["off_track", "off_track"]
    assert r["significant"].tolist() == [True, False]


def test_top_quintile_benchmark_with_ties_makes_every_tied_area_a_high_performer():
    # ten areas; type-1 quantile 0.8 is the 8th smallest value = 8, held by three areas
    b = pd.Series([1.0, 2, 3, 4, 5, 6, 8, 8, 8, 9])
    regions = pd.Series(["a"] * 10)
    bench = benchmark_values(b, regions, TargetRule(), higher_is_better=True)
    assert set(bench) == {8.0}
    r = classify(b, b, bench, higher_is_better=True, gap_share=0.5, **TIMES)
    assert int(r["high_performer"].sum()) == 4  # 8, 8, 8 and 9
    # lower is better: oriented -b sorted is -9, -8, -8, -8, -6, -5, -4, -3, -2, -1; the 8th
    # is -3, so the benchmark is 3 and areas 1, 2, 3 are the high performers
    low = benchmark_values(b, regions, TargetRule(), higher_is_better=False)
    assert set(low) == {3.0}
    r = classify(b, b, low, higher_is_better=False, gap_share=0.5, **TIMES)
    assert b[r["high_performer"].astype(bool)].tolist() == [1.0, 2.0, 3.0]


def test_uk_median_and_level_benchmarks():
    b = pd.Series([1.0, 2, 3, 4])
    regions = pd.Series(list("aabb"))
    assert set(benchmark_values(b, regions, TargetRule(benchmark="uk_median"), True)) == {2.0}
    lvl = TargetRule(benchmark="level", level=90.0)
    assert set(benchmark_values(b, regions, lvl, True)) == {90.0}
    with pytest.raises(ValueError, match="level"):
        TargetRule(benchmark="level")


def _panel(indicator: str, higher_is_better: bool = True, tier: str = "LAD23") -> pd.DataFrame:
    # four areas in two regions, periods 2020 (baseline: published before Feb 2022) and 2024
    codes = ["E06000001", "E06000002", "E07000003", "E07000004"]
    rows = []
    for period, values in (
        ("2020-01-01/P1Y", [10, 20, 30, 40]),
        ("2024-01-01/P1Y", [12, 19, 35, 50]),
    ):
        for code, v in zip(codes, values, strict=True):
            rows.append(
                {
                    "area_code": code,
                    "area_name": code[-1],
                    "itl1_code": "A" if code < "E07" else "B",
                    "itl1_name": "Region A" if code < "E07" else "Region B",
                    "indicator": indicator,
                    "period": period,
                    "value": float(v),
                    "lci_95": np.nan,
                    "uci_95": np.nan,
                    "weight": 1.0,
                    "unit_of_analysis": tier,
                }
            )
    return pd.DataFrame(rows)


def test_indicator_targets_end_to_end_hand_computed():
    panel = _panel("x")
    out = indicator_targets(panel, {"higher_is_better": True}, TargetRule(trend_tolerance=0.0))
    assert list(out.columns[: len(TARGET_COLUMNS)]) == list(TARGET_COLUMNS)
    assert out["baseline_period"].unique().tolist() == ["2020-01-01/P1Y"]
    assert out["latest_period"].unique().tolist() == ["2024-01-01/P1Y"]
    # top-quintile threshold of 10, 20, 30, 40: type-1 Q_0.8 = 40 (4th of 4: 0.8 * 4 = 3.2)
    assert out["benchmark"].unique().tolist() == [40.0]
    # UK mean 25 -> 29: trend +4; area 4 (40 -> 50) keeps up -> met
    assert out["uk_change"].iloc[0] == pytest.approx(4.0)
    # area 1: target 10 + 0.5 * 30 = 25; t0 2020.5, latest 2024.5, T 2030.5 -> 0.4 of the
    # way: milestone 10 + 0.4 * 15 = 16; latest 12 -> off_track
    a1 = out.set_index("area_code").loc["E06000001"]
    assert a1["target_2030"] == 25.0
    assert a1["milestone_latest"] == pytest.approx(16.0)
    assert a1["status"] == "off_track"
    assert out.set_index("area_code").loc["E07000004", "status"] == "met"
    assert out["rank_baseline"].tolist() == [4, 3, 2, 1]
    assert out["rank_latest"].tolist() == [4, 3, 2, 1]
    # milestones every two years back from 2030, after the baseline
    assert [c for c in out.columns if c.startswith("milestone_2")] == [
        "milestone_2022",
        "milestone_2024",
        "milestone_2026",
        "milestone_2028",
        "milestone_2030",
    ]
    assert out["milestone_2030"].iloc[0] == 25.0


def test_ranks_are_polarity_aware():
    out = indicator_targets(_panel("u"), {"higher_is_better": False}, TargetRule())
    assert out["rank_latest"].tolist() == [1, 2, 3, 4]


def test_targets_table_keeps_hle_on_its_own_tier_and_lists_every_lad():
    lad = _panel("x")
    lad = lad[~((lad["area_code"] == "E07000004") & (lad["indicator"] == "x"))]  # not covered
    upper = _panel("hle", tier="UTLA23").replace(
        {"E07000003": "E10000003", "E07000004": "E10000004"}
    )
    other = _panel("y")  # covers all four LADs
    frame = pd.concat([lad, upper, other], ignore_index=True)
    specs = {
        "x": {"higher_is_better": True},
        "hle": {"higher_is_better": True, "tier": "upper"},
        "y": {"higher_is_better": True},
    }
    out = targets_table(frame, specs, {"default": {}})
    assert out.groupby("indicator").size().to_dict() == {"hle": 4, "x": 4, "y": 4}
    x = out[out["indicator"] == "x"].set_index("area_code")
    assert x.loc["E07000004", "status"] == "no_data"  # every LAD23 gets a row
    hle = out[out["indicator"] == "hle"]
    assert set(hle["area_code"]) == {"E06000001", "E06000002", "E10000003", "E10000004"}
    assert not hle["area_code"].isin(["E07000003", "E07000004"]).any()  # never on districts


def test_single_period_gives_no_data():
    panel = _panel("x")
    panel = panel[panel["period"] == "2024-01-01/P1Y"]
    out = indicator_targets(panel, {"higher_is_better": True}, TargetRule())
    assert set(out["status"]) == {"no_data"}


def test_target_rule_from_config_overrides_and_mission_baseline():
    cfg = {
        "default": {"gap_share": 0.5, "baseline": {"fallback": "earliest"}},
        "overrides": {"k": {"benchmark": "level", "level": 90, "gap_share": 1.0}},
    }
    missions = {"publication_lag_months": {"k": 10}}
    rule = TargetRule.from_config(cfg, "k", missions)
    assert (rule.benchmark, rule.level, rule.gap_share) == ("level", 90, 1.0)
    assert rule.baseline.lag_months == 10 and rule.baseline.fallback == "earliest"
    assert TargetRule.from_config(cfg, "other").gap_share == 0.5


# ----------------------------------------------------------------------------------------------
# regional reference
# ----------------------------------------------------------------------------------------------


def test_weighted_median_resists_an_extreme_area_and_auto_choice():
    # London-like region: the mean (35.45) puts three of four areas below; the weighted median
    # (the value where half the weight, 1.55 of 3.1, is reached: 32) only one.
    v = pd.Series([30.0, 32.0, 35.0, 129.0])
    w = pd.Series([1.0, 1.0, 1.0, 0.1])
    assert group_reference(v, None, w, "mean").iloc[0] == pytest.approx(109.9 / 3.1)
    assert group_reference(v, None, w, "median").iloc[0] == 32.0
    frame = pd.DataFrame(
        {"indicator": "g", "period": "p", "area_code": list("abcd"), "itl1_code": "L",
         "value": v, "weight": w}
    )  # fmt: skip
    check = reference_check(frame)
    # above the mean: 129 only; above the median: 35 and 129 -> area c flips: 1 of 4
    assert check[["n_above_mean", "n_above_median", "n_flips"]].values.tolist() == [[1, 2, 1]]
    assert choose_reference(
        ["g"], {"default": "auto", "auto_threshold": 0.25, "overrides": {}}, check
    ) == {"g": "median"}
    assert choose_reference(
        ["g"], {"default": "auto", "auto_threshold": 0.3, "overrides": {}}, check
    ) == {"g": "mean"}


# ----------------------------------------------------------------------------------------------
# masked authorities with evidence
# ----------------------------------------------------------------------------------------------


def _masked_frame(lower: float, upper: float) -> tuple[pd.DataFrame, dict]:
    # Region A (good) holds the worst area (value 4), region B (bad) the best (value 16).
    periods = ["2019-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y"]
    rows = []
    for k, period in enumerate(periods):
        values = [15.0] * 4 + [4.0] + [5.0] * 4 + [16.0]
        if k == 0:  # in the first period area 4 is not in the worst fifth
            values[4] = 14.0
        for i, v in enumerate(values):
            rows.append(
                {
                    "area_code": f"E06{i:06d}",
                    "area_name": f"LA {i}",
                    "itl1_code": "A" if i < 5 else "B",
                    "itl1_name": "Region A" if i < 5 else "Region B",
                    "indicator": "x",
                    "period": period,
                    "value": v,
                    "lci_95": lower if i == 4 else np.nan,
                    "uci_95": upper if i == 4 else np.nan,
                    "weight": 1.0,
                }
            )
    return pd.DataFrame(rows), {"x": {"title": "X", "unit": "u", "higher_is_better": True}}


def test_masked_significance_hand_computed_interval_and_persistence():
    # Region A mean (15 * 4 + 4) / 5 = 12.8. Interval [2, 6]: se = 4 / (2 Z) = 1.02;
    # |4 - 12.8| = 8.8 > Z * 1.02 = 2 -> significant (the interval excludes 12.8).
    frame, spec = _masked_frame(2.0, 6.0)
    masked = area_tables.masked_areas(frame, spec, persistence_periods=5)
    row = masked.set_index("area_name").loc["LA 4"]
    assert row["kind"] == "hidden_low"
    assert row["region_reference"] == pytest.approx(12.8)
    assert bool(row["significant"]) and row["evidence"] == "interval"
    # masked in 2021 and 2020, not in 2019 (value 14 then); three periods checked
    assert (row["persistence"], row["periods_checked"]) == (2, 3)
    best = masked.set_index("area_name").loc["LA 9"]
    assert not best["significant"] and best["evidence"] == "not published"
    assert best["persistence"] == 3
    assert best["reference"] == "population-weighted mean"


def test_masked_not_significant_when_interval_contains_the_reference():
    # interval [-6, 14] contains 12.8: se = 20 / (2 Z) = 5.10; Z * se = 10 > 8.8 -> not.
    frame, spec = _masked_frame(-6.0, 14.0)
    row = area_tables.masked_areas(frame, spec).set_index("area_name").loc["LA 4"]
    assert not bool(row["significant"]) and row["evidence"] == "interval"


def test_masked_persistence_window_counts_only_the_last_n_periods():
    frame, spec = _masked_frame(2.0, 6.0)
    masked = area_tables.masked_areas(frame, spec, persistence_periods=2)
    row = masked.set_index("area_name").loc["LA 4"]
    assert (row["persistence"], row["periods_checked"]) == (2, 2)


def test_masked_with_median_reference_names_it():
    frame, spec = _masked_frame(2.0, 6.0)
    masked = area_tables.masked_areas(frame, spec, reference={"x": "median"})
    row = masked.set_index("area_name").loc["LA 4"]
    assert row["region_reference"] == 15.0  # median of 15, 15, 15, 15, 4
    assert row["reference"] == "population-weighted median"
    assert math.isclose(row["gap"], 4.0 - 15.0)


# ----------------------------------------------------------------------------------------------
# the pipeline's tables, when built
# ----------------------------------------------------------------------------------------------

RESULTS = Path(__file__).resolve().parents[1] / "results" / "tables"


@pytest.mark.skipif(not (RESULTS / "la_targets.csv").exists(), reason="pipeline not run yet")
def test_real_la_targets_cover_every_lad23_and_keep_hle_upper_tier():
    targets = pd.read_csv(RESULTS / "la_targets.csv", dtype={"area_code": str})
    lad = pd.read_csv(RESULTS / "la_indicators.csv", dtype={"area_code": str})
    upper = pd.read_csv(RESULTS / "upper_tier_indicators.csv", dtype={"area_code": str})
    lad_codes = set(lad["area_code"])
    assert len(lad_codes) == 361
    for key in lad["indicator"].unique():
        rows = targets[targets["indicator"] == key]
        assert set(rows["area_code"]) == lad_codes and len(rows) == 361, key
    for key in upper["indicator"].unique():
        rows = targets[targets["indicator"] == key]
        assert set(rows["area_code"]) == set(upper["area_code"]), key
        # never on districts: no shire-district (E07) code carries an upper-tier value
        assert not rows["area_code"].str.startswith("E07").any()
    assert set(targets["status"]) <= set(STATUSES)
    masked = pd.read_csv(RESULTS / "masked_las.csv")
    assert {"significant", "evidence", "persistence", "reference"} <= set(masked.columns)
    assert set(masked["evidence"]) <= {"interval", "not published"}


# ----------------------------------------------------------------------------------------------
# issue 20: ties at the published precision, baseline-only high performers, real falls
# ----------------------------------------------------------------------------------------------


def test_ties_at_one_decimal_are_met_not_missed():
    # benchmark 3.3, baseline 4.1 (lower is better): target 4.1 + 0.5 (3.3 - 4.1), which is
    # 3.6999999999999997 in binary floating point; a published 3.7 meets it. Milestone halfway:
    # 4.1 + 0.5 (3.7 - 4.1) = 3.9 (also inexact), met by a published 3.9 -> on track.
    target = 4.1 + 0.5 * (3.3 - 4.1)
    assert target != 3.7
    r = classify([4.1, 4.1, 4.1], [3.7, 3.9, 4.0], 3.3, higher_is_better=False, gap_share=0.5,
                 decimals=1, **TIMES)  # fmt: skip
    assert r["status"].tolist() == ["met", "on_track", "off_track"]
    # the float comparison it replaces gets the tie wrong
    assert not (-target <= -3.7)


def test_ties_at_two_decimals_and_with_the_milestone():
    # baseline 7.81, benchmark 8.05 (higher is better): target 7.93; milestone halfway 7.87
    r = classify([7.81, 7.81, 7.81], [7.93, 7.87, 7.86], 8.05, higher_is_better=True,
                 gap_share=0.5, decimals=2, **TIMES)  # fmt: skip
    assert r["status"].tolist() == ["met", "on_track", "off_track"]
    assert compare_at_precision(r["milestone_latest"], 7.87, 2).tolist() == [0.0] * 3


def test_high_performer_tie_with_the_benchmark_at_published_precision():
    bench = 0.1 + 0.2  # 0.30000000000000004, a published 0.3 is at it
    r = classify([0.3], [0.3], bench, higher_is_better=True, gap_share=0.5, decimals=1, **TIMES)
    assert bool(r["high_performer"].iloc[0]) and r["status"].iloc[0] == "met"


def test_published_decimals_are_read_from_the_values():
    assert published_decimals([4.9, 3.6, 12.0]) == 1
    assert published_decimals([7.81, 8.0]) == 2
    assert published_decimals([615.0, 534.0]) == 0


def test_high_performer_without_latest_keeps_its_baseline_as_target():
    # baseline 88.7 above the benchmark 80; no latest: no_data, target = baseline (not 81.3)
    r = classify([88.7, 60.0], [np.nan, np.nan], 80.0, higher_is_better=True, gap_share=0.5,
                 decimals=1, **TIMES)  # fmt: skip
    assert r["status"].tolist() == ["no_data", "no_data"]
    assert r["target_2030"].tolist() == [88.7, 70.0]
    assert r["high_performer"].tolist() == [True, False]


def test_an_improving_high_performer_is_never_levelling_down():
    # claimant rate 2.8 -> 2.1 (lower is better), UK fell faster: lagging, not an alarm
    r = classify([2.8], [2.1], 3.5, higher_is_better=False, gap_share=0.5, uk_change=-1.5,
                 tolerance=0.1, decimals=1, **TIMES)  # fmt: skip
    assert r["status"].iloc[0] == "lagging_uk_trend"
    # affordability 5.51 -> 4.27 improves: not an alarm either way
    r = classify([5.51], [4.27], 6.0, higher_is_better=False, gap_share=0.5, decimals=2, **TIMES)
    assert r["status"].iloc[0] == "met"


def test_fall_must_exceed_half_a_unit_in_the_last_place():
    # values in real terms are unrounded: a fall of 0.04 at 1 decimal is noise, 0.06 is not
    got = fell_below_baseline([5.0, 5.0, 5.0], [4.96, 4.94, 4.95], higher_is_better=True,
                              decimals=1)  # fmt: skip
    assert got.tolist() == [False, True, False]


def test_status_vocabulary_is_one_table():
    assert set(STATUS_MEANINGS) == set(STATUSES)


def test_persistence_counts_periods_levelling_down():
    # baseline 2020 = 10 (top performer); 2021: 9 (fall), 2022: 10 (held), 2023: 8 (fall)
    periods = [f"{y}-01-01/P1Y" for y in (2020, 2021, 2022, 2023)]
    rows = []
    for area, values in {"a": [10, 9, 10, 8], "b": [5, 6, 7, 8], "c": [6, 6, 6, 6]}.items():
        for p, v in zip(periods, values, strict=True):
            rows.append({"area_code": area, "area_name": area, "itl1_code": "R",
                         "itl1_name": "R", "indicator": "x", "period": p, "value": float(v),
                         "lci_95": np.nan, "uci_95": np.nan, "weight": 1.0})  # fmt: skip
    rule = TargetRule(benchmark="level", level=9.0, baseline=BaselineRule(
        before="2021-01-01", fallback="earliest"))  # fmt: skip
    out = indicator_targets(pd.DataFrame(rows), {"higher_is_better": True}, rule).set_index(
        "area_code"
    )
    assert out.loc["a", "baseline_period"] == "2020-01-01/P1Y"
    assert out.loc["a", "status"] == "levelling_down"
    assert out.loc["a", "levelling_down_periods"] == 2 and out.loc["a", "periods_checked"] == 3
    assert pd.isna(out.loc["b", "levelling_down_periods"])  # not a high performer


@pytest.mark.skipif(not (RESULTS / "la_targets.csv").exists(), reason="pipeline not run yet")
def test_real_levelling_down_rows_all_fell_below_their_baseline():
    """Over the built table: no alarm where the latest value is at or better than baseline."""
    t = pd.read_csv(RESULTS / "la_targets.csv", dtype={"area_code": str})
    alarms = t[t["status"] == "levelling_down"]
    assert len(alarms) > 0
    sign = np.where(alarms["higher_is_better"], 1.0, -1.0)
    change = sign * (alarms["latest"] - alarms["baseline"])
    assert (change < 0).all(), alarms.loc[change >= 0, ["indicator", "area_name"]]
    assert alarms["high_performer"].astype(str).eq("True").all()
    assert (alarms["levelling_down_periods"] >= 1).all()


@pytest.mark.skipif(not (RESULTS / "la_targets.csv").exists(), reason="pipeline not run yet")
def test_real_tie_cases_and_high_performers_without_latest():
    t = pd.read_csv(RESULTS / "la_targets.csv", dtype={"area_code": str})
    u = t[t["indicator"] == "modelled_unemployment"].set_index("area_code")
    # St Helens, Dudley, South Ayrshire: met; Bexley: on track (issue 20)
    for code in ("E08000013", "E08000027", "S12000028"):
        assert u.loc[code, "status"] == "met", code
    assert u.loc["E09000004", "status"] == "on_track"
    for code, key in (
        ("E09000001", "level3_qualifications"),
        ("E07000047", "life_satisfaction"),
        ("E07000212", "life_satisfaction"),
        ("S12000023", "life_satisfaction"),
    ):
        row = t[(t["area_code"] == code) & (t["indicator"] == key)].iloc[0]
        assert row["status"] == "no_data" and row["target_2030"] == row["baseline"], (code, key)
    money = t[t["indicator"].isin(["median_weekly_pay", "gdhi_per_head", "gva_per_hour"])]
    assert money["price_basis"].str.startswith("real (CPI").all()
    assert set(money["status_nominal"]) <= set(STATUSES)
    masked = pd.read_csv(RESULTS / "masked_las.csv", dtype={"area_code": str})
    derby = masked[(masked["area_code"] == "E06000015")
                   & (masked["indicator"] == "modelled_unemployment")]  # fmt: skip
    assert len(derby) == 1 and not derby["significant"].iloc[0]  # interval touches reference


def test_alarm_list_orders_significant_then_persistent_then_largest_fall():
    from localineq.outputs.target_figures import alarm_list

    t = pd.DataFrame(
        {
            "indicator": ["x"] * 5,
            "status": ["levelling_down"] * 4 + ["lagging_uk_trend"],
            "higher_is_better": [True, True, False, True, True],
            "baseline": [100.0, 100.0, 4.0, 100.0, 100.0],
            "latest": [90.0, 99.0, 5.0, 80.0, 100.0],
            "significant": [False, True, False, False, False],
            "levelling_down_periods": [1, 1, 3, 1, pd.NA],
        }
    )
    got = alarm_list(t)
    # lagging is not an alarm; significant first; then 3 periods; then fall 20% before 10%
    assert got["latest"].tolist() == [99.0, 5.0, 80.0, 90.0]
    assert got["fall_share"].tolist() == pytest.approx([0.01, 0.25, 0.2, 0.1])
