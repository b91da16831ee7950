"""The mission scorecard tables on a small hand-built indicator table (localineq.policy.scorecard)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from localineq.policy.history import backtest_table, convergence_table
from localineq.policy.periods import BaselineRule
from localineq.policy.scorecard import (
    SCORECARD_COLUMNS,
    area_population,
    baseline_rule_for,
    mission_sentences,
    scorecard,
)

PERIODS = [f"{y}-01-01/P1Y" for y in range(2015, 2024)]  # 2015 ... 2023

# Two regions of three LAs. "pay" (higher is better) rises in both regional means but falls in
# LA c (region R1) between the 2020 baseline and 2023; "claims" (lower is better) falls
# everywhere except LA e.
LAS = {
    "a": ("R1", 100.0),
    "b": ("R1", 100.0),
    "c": ("R1", 50.0),
    "d": ("R2", 200.0),
    "e": ("R2", 100.0),
    "f": ("R2", 100.0),
}


def _value(ind: str, la: str, year: int) -> float:
    base = {"a": 400, "b": 500, "c": 600, "d": 300, "e": 350, "f": 320}[la]
    if ind == "pay":
        if la == "c" and year > 2020:
            return base + 50.0 - 10.0 * (year - 2020)  # 650 in 2020, then down 10 a year
        return base + 10.0 * (year - 2015)
    # claims: falls by 0.2 a year, except in e after 2020
    v = 5.0 + base / 100 - 0.2 * (year - 2015)
    if la == "e" and year > 2020:
        v = 5.0 + base / 100 - 0.2 * 5 + 0.1 * (year - 2020)
    return v


def _frame() -> pd.DataFrame:
    rows = []
    for ind, basis in (("pay", "working_age"), ("claims", "population")):
        for la, (reg, w) in LAS.items():
            for p in PERIODS:
                year = int(p[:4])
                v = _value(ind, la, year)
                half = 1.96 * (1.0 if ind == "pay" else math.nan)
                rows.append(
                    {
                        "area_code": la,
                        "area_name": la.upper(),
                        "itl1_code": reg,
                        "itl1_name": f"Region {reg}",
                        "indicator": ind,
                        "period": p,
                        "value": v,
                        "lci_95": v - half,
                        "uci_95": v + half,
                        "weight": w if basis == "working_age" else 2 * w + (year - 2015),
                        "weight_basis": basis,
                        "weight_year": year,
                        "unit_of_analysis": "LAD23",
                    }
                )
    return pd.DataFrame(rows)


SPECS = {
    "pay": {"title": "Pay", "higher_is_better": True},
    "claims": {"title": "Claims", "higher_is_better": False},
}
MISSIONS = {
    "source": "Levelling Up the United Kingdom, HM Government, 2 February 2022",
    "horizon": 2030,
    "baseline": {"before": "2022-02-02"},
    "gap_measure": "top_tenth_vs_rest",
    "ratio_gap_measure": "top_tenth_ratio",
    "gap_share": 0.1,
    "trend_min_periods": 3,
    "pre_covid_year": 2019,
    "convergence_min_periods": 5,
    "ambition": {"would_happen_anyway_share": 0.9},
    "publication_lag_months": {"pay": 0, "claims": 0},
    "nominal": ["pay"],
    "labels": {"pay": "pay", "claims": "the claimant rate"},
    "declared": [
        {
            "number": 1,
            "short": "Pay",
            "wording": "Pay will have risen in every area.",
            "indicators": ["pay", "claims"],
            "tests": [{"test": "rise_everywhere"}, {"test": "gap_narrows"}],
        },
        {
            "number": 9,
            "short": "Level",
            "wording": "Pay will reach 500 everywhere.",
            "indicators": ["pay"],
            "baseline": {"lag_months": 13},
            "tests": [{"test": "level_reached", "target": 500}],
        },
    ],
}


@pytest.fixture(scope="module")
def frames():
    return {"lad": _frame(), "upper": _frame().iloc[:0]}


def test_area_population_takes_latest_population_basis_weight(frames):
    pop = area_population(frames["lad"])
    assert pop["a"] == 2 * 100.0 + 8 and pop["d"] == 2 * 200.0 + 8


def test_baseline_rule_layers():
    rule = baseline_rule_for(MISSIONS, MISSIONS["declared"][1], "pay")
    assert rule == BaselineRule(before="2022-02-02", lag_months=13)
    rule = baseline_rule_for(MISSIONS, MISSIONS["declared"][0], "pay")
    assert rule.lag_months == 0


def test_scorecard_rows_and_verdicts(frames):
    sc = scorecard(frames, MISSIONS, SPECS)
    assert list(sc.columns) == list(SCORECARD_COLUMNS)
    # 2 indicators x 2 tests x 2 lenses + 1 x 1 x 2
    assert len(sc) == 10
    assert set(sc["lens"]) == {"regional", "local"}
    key = sc.set_index(["mission", "indicator", "test", "lens"])
    # 2021 is the latest period ending before 2 Feb 2022 (no lag)
    assert set(sc.loc[sc["mission"] == 1, "baseline_period"]) == {"2021-01-01/P1Y"}
    assert set(sc["latest_period"]) == {"2023-01-01/P1Y"}
    pay_r = key.loc[(1, "pay", "rise_everywhere", "regional")]
    pay_l = key.loc[(1, "pay", "rise_everywhere", "local")]
    # R1: 2021 (100*460 + 100*560 + 50*640)/250 = 536; 2023 (100*480 + 100*580 + 50*620)/250 = 548
    assert pay_r["met_so_far"] == "met" and pay_r["n_met"] == 2
    assert pay_l["met_so_far"] == "not_met" and pay_l["n_failed"] == 1
    assert pay_l["population_failed"] == 2 * 50 + 8  # LA c's latest population
    # c falls by 20 with se 1 at both ends: 20 > 1.96 * sqrt(2) -> significant
    assert pay_l["n_failed_significant"] == 1
    assert pay_l["price_basis"] == "nominal" and "nominal" in pay_l["note"]
    claims_l = key.loc[(1, "claims", "rise_everywhere", "local")]
    assert claims_l["n_failed"] == 1 and pd.isna(claims_l["n_failed_significant"])
    assert not claims_l["intervals_published"]
    # level with a 13-month lag: the baseline moves back to 2020, the level test uses latest only
    lvl = key.loc[(9, "pay", "level_reached", "local")]
    assert lvl["baseline_period"] == "2020-01-01/P1Y" and lvl["target"] == 500
    # 2023 pay: a 480, b 580, c 620, d 380, e 430, f 400 -> b and c reach 500
    assert (lvl["n_met"], lvl["n_failed"]) == (2, 4)
    gap = key.loc[(1, "pay", "gap_narrows", "local")]
    assert gap["gap_measure"] == "top_tenth_vs_rest" and np.isfinite(gap["gap_baseline"])


def test_convergence_needs_five_periods_and_reports_both_lenses(frames):
    conv = convergence_table(frames, SPECS, min_periods=5)
    assert set(conv["lens"]) == {"regional", "local"} and set(conv["indicator"]) == {
        "pay",
        "claims",
    }
    assert (conv["n_periods"] == 9).all()
    assert conv.loc[conv["lens"] == "local", "n_areas"].tolist() == [6, 6]
    assert convergence_table(frames, SPECS, min_periods=10).empty


def test_backtest_window_and_stated_fallback(frames):
    bt = backtest_table(frames, MISSIONS, SPECS)
    # level_reached is not back-tested
    assert set(bt["test"]) == {"rise_everywhere", "gap_narrows"}
    # window 2030 - 2021 = 9 years, the data span 8: the longest available is used
    assert set(bt["window_years_target"]) == {9} and set(bt["window_years_used"]) == {8}
    row = bt[(bt.indicator == "pay") & (bt.test == "rise_everywhere") & (bt.lens == "local")]
    # over 2015 -> 2023 every LA rose (c: 600 -> 620), though c fell after 2020
    assert row["n_windows"].item() == 1 and row["n_met"].item() == 1
    assert row["windows"].item() == "2015-01-01/P1Y→2023-01-01/P1Y:met"


def test_a_test_restricted_to_indicators_applies_to_those_only(frames):
    """Mission 4's shape: one level for two indicators, another level for the third."""
    mission = {
        "number": 4,
        "short": "Levels",
        "wording": "Pay reaches 500 and claims fall below 6; pay rises.",
        "indicators": ["pay", "claims"],
        "tests": [
            {"test": "level_reached", "target": 500, "indicators": ["pay"]},
            # claims are lower-is-better: "reached" means at or below 6
            {"test": "level_reached", "target": 6, "indicators": ["claims"]},
            {"test": "rise_everywhere", "indicators": ["pay"]},
        ],
    }
    sc = scorecard(frames, {**MISSIONS, "declared": [mission]}, SPECS)
    got = sorted(zip(sc["indicator"], sc["target"].fillna(-1), sc["test"], sc["lens"], strict=True))
    assert got == sorted(
        [(i, t, n, lens) for i, t, n in [("pay", 500.0, "level_reached"),
                                         ("claims", 6.0, "level_reached"),
                                         ("pay", -1.0, "rise_everywhere")]
         for lens in ("regional", "local")]
    )  # fmt: skip
    key = sc.set_index(["indicator", "test", "lens"])
    # 2023 pay: b 580 and c 620 reach 500 (as in mission 9 above); 2023 claims (5 + base/100
    # - 1.6; e 5 + 3.5 - 1 + 0.3): a 7.4, b 8.4, c 9.4, d 6.4, e 7.8, f 6.6 -> none at or below 6
    assert key.loc[("pay", "level_reached", "local"), "n_met"] == 2
    claims = key.loc[("claims", "level_reached", "local")]
    assert (claims["n_met"], claims["n_failed"]) == (0, 6)
    # the back-test follows the same restriction: no rise_everywhere row for claims
    bt = backtest_table(frames, {**MISSIONS, "declared": [mission]}, SPECS)
    assert set(zip(bt["indicator"], bt["test"], strict=True)) == {("pay", "rise_everywhere")}


def test_sentences_quote_both_lenses(frames):
    sc = scorecard(frames, MISSIONS, SPECS)
    s = mission_sentences(sc, MISSIONS)
    assert s[1].startswith("Mission 1: All 2 regions met “pay rose”; 1 local authorities")
    assert "of them significantly" in s[1] and "nominal" in s[1]
    assert s[9].startswith("Mission 9: ")


def test_scorecard_figure_sets_the_lenses_side_by_side(frames):
    import matplotlib

    matplotlib.use("Agg")
    from localineq.outputs.mission_figures import scorecard_cell_text, scorecard_figure

    sc = scorecard(frames, MISSIONS, SPECS)
    fig = scorecard_figure(sc, MISSIONS["labels"])
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "By region (ITL1)" in texts and "By local authority" in texts
    assert "Mission 1: Pay" in texts and "Mission 9: Level" in texts
    # pay at the local lens: LA c fell, significantly
    local = sc[(sc.indicator == "pay") & (sc.test == "rise_everywhere") & (sc.lens == "local")]
    cell = scorecard_cell_text(local.iloc[0])
    assert cell.endswith("; so far 1 of 6 short (1 sig.)") and "failed" not in cell
    assert cell in texts
    assert any("Levelling Up the United Kingdom" in t.get_text() for t in fig.axes[0].texts)


def test_report_section_quotes_each_mission_near_the_top(frames):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from figure_fixtures import fixture_inputs

    from localineq.outputs.report.build import build_report

    inputs = fixture_inputs()
    inputs.config = {**inputs.config, "missions": MISSIONS}
    card = scorecard(frames, MISSIONS, SPECS)
    inputs.extra = {"scorecard": card, "backtest": backtest_table(frames, MISSIONS, SPECS)}
    page = build_report(inputs, report_path="results/report/index.html")
    section = page[page.index('<section id="missions">') : page.index('<section id="data">')]
    assert page.index('id="missions"') < page.index('id="findings"')
    assert "<h2>Mission scorecard: regional lens vs local lens</h2>" in section
    # one quotable sentence per mission: regional verdict, then LAs and people that failed
    assert "All 2 regions met “pay rose”; 1 local authorities (108 people) did not" in section
    assert "Mission 9 (Level)" in section
    assert "results/figures/mission_scorecard.png" in section
    assert "Ambition back-test" in section


def test_shared_mission_panels_are_the_per_table_panels(frames):
    # mission_panels builds once what the scorecard, back-test and ambition table each built
    # for themselves: the same panels, lenses and decimals as the straightforward calls.
    from localineq.policy.compare import rows_decimals
    from localineq.policy.panels import lens_panels, mission_panels, price_panels
    from localineq.policy.scorecard_columns import published_panel

    built = mission_panels(frames, MISSIONS, SPECS)
    assert set(built) == {"pay", "claims"}
    lad = frames["lad"]
    for ind, found in built.items():
        rows = lad[lad["indicator"] == ind]
        assert found.decimals == rows_decimals(rows)
        assert found.unit == str(rows["unit_of_analysis"].iloc[0])
        expected = price_panels(lad, ind, area_population(lad))
        assert [b.basis for b in found.bases] == [basis for basis, _ in expected]
        for one, (_, panel) in zip(found.bases, expected, strict=True):
            pd.testing.assert_frame_equal(one.panel, panel)
            lenses = lens_panels(panel, published_panel(frames.get("region"), ind, one.basis))
            assert list(one.lenses) == list(lenses)
            for lens, lp in lenses.items():
                pd.testing.assert_frame_equal(one.lenses[lens], lp)
                assert one.rows[lens].n_rows == len(lp)
    # and the tables read from it are the tables built without it
    pd.testing.assert_frame_equal(
        scorecard(frames, MISSIONS, SPECS, panels=built), scorecard(frames, MISSIONS, SPECS)
    )
    pd.testing.assert_frame_equal(
        backtest_table(frames, MISSIONS, SPECS, built), backtest_table(frames, MISSIONS, SPECS)
    )
