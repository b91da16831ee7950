"""Ambition classes on hand-built panels (issue 19)."""

from __future__ import annotations

import math

import pandas as pd

from localineq.policy.ambition import ambition_row, best_rate, mission_class, mission_counts

RULES = {"would_happen_anyway_share": 0.9, "undefined": {9: "no measure of pride"}}


def panel(series):
    return pd.DataFrame(
        [
            {"area_code": a, "period": f"{2015 + k}-01-01/P1Y", "value": v}
            for a, vals in series.items()
            for k, v in enumerate(vals)
        ]
    )


def level_row(**kw):
    row = {
        "mission": 5, "mission_name": "x", "indicator": "i", "test": "level_reached",
        "lens": "local", "price_basis": "", "higher_is_better": True, "deadline": 2030,
        "baseline_period": "2015-01-01/P1Y", "latest_period": "2021-01-01/P1Y",
        "target": 90.0, "met_so_far": "not_met",
    }  # fmt: skip
    return {**row, **kw}


def test_level_needing_a_faster_rise_than_ever_seen_is_unprecedented():
    # best area rose 1 point a year; from 60 in 2021 to 90 by mid-2030 needs 30 / 9 = 3.33
    p = panel({"a": [54 + k for k in range(7)], "b": [60.0] * 7})
    res = ambition_row(level_row(), p, None, RULES)
    assert res["ambition"] == "unprecedented"
    assert math.isclose(res["needed_rate"], 30 / 9) and res["best_rate"] == 1.0
    assert res["best_rate_place"] == "a"


def test_level_within_the_best_rate_seen_is_calibrated_and_reached_level_happens_anyway():
    # a rose 5 a year; b needs (90 - 85) / 9 a year
    p = panel({"a": [55 + 5 * k for k in range(7)], "b": [85.0] * 7})
    assert ambition_row(level_row(), p, None, RULES)["ambition"] == "calibrated"
    done = ambition_row(level_row(met_so_far="met"), p, None, RULES)
    assert done["ambition"] == "would_happen_anyway"


def test_backtest_share_decides_rise_and_gap_tests():
    row = level_row(test="rise_everywhere")
    p = panel({"a": [1.0] * 7})
    assert ambition_row(row, p, {"share_met": 0.95}, RULES)["ambition"] == "would_happen_anyway"
    assert ambition_row(row, p, {"share_met": 0.5}, RULES)["ambition"] == "calibrated"
    assert ambition_row(row, p, None, RULES)["ambition"] == "no_data"


def test_wording_without_a_quantity_is_undefined():
    res = ambition_row(level_row(mission=9), panel({"a": [1.0] * 7}), None, RULES)
    assert res["ambition"] == "undefined" and res["reason"] == "no measure of pride"


def test_best_rate_is_oriented():
    p = panel({"a": [10.0, 8.0, 6.0], "b": [10.0, 11.0, 12.0]})
    assert best_rate(p, 2, higher_is_better=False)["place"] == "a"
    assert best_rate(p, 2, higher_is_better=True)["place"] == "b"


def test_mission_counts_one_class_per_mission_and_lens():
    t = pd.DataFrame(
        {
            "mission": [1, 1, 5, 9],
            "lens": "regional",
            "ambition": ["would_happen_anyway", "would_happen_anyway", "unprecedented",
                         "undefined"],
        }
    )  # fmt: skip
    counts = mission_counts(t).set_index("ambition")
    assert counts.loc["would_happen_anyway", "regional"] == 1
    assert counts.loc["unprecedented", "regional"] == 1
    assert counts["regional"].sum() == 3 and counts.loc["undefined", "ifg"] == 4
    assert mission_class(pd.Series(["no_data"])) == "no_data"


def test_the_config_mission_rule_is_the_documented_default_and_drives_the_counts():
    from pathlib import Path

    import yaml

    from localineq.outputs.report.missions import _ambition_context
    from localineq.policy.ambition import DEFAULT_MISSION_RULE

    cfg = yaml.safe_load((Path(__file__).resolve().parents[1] / "config/config.yaml").read_text())
    rule = cfg["missions"]["ambition"]["mission_rule"]
    assert rule == DEFAULT_MISSION_RULE
    t = pd.DataFrame(
        {
            "mission": [1, 1, 1, 1, 2, 2],
            "mission_name": ["m1", "m1", "m1", "m1", "m2", "m2"],
            "indicator": ["a", "a", "b", "b", "c", "c"],
            "test": "rise_everywhere",
            "lens": ["regional", "local"] * 3,
            "ambition": [
                "unprecedented",
                "calibrated",
                "would_happen_anyway",
                "calibrated",
                "no_data",
                "calibrated",
            ],
            "reason": "r",
        }
    )
    # mission 2's regional lens has only no_data: not judged
    assert mission_class(t.loc[t["mission"] == 2].query("lens == 'regional'")["ambition"],
                         rule) == "no_data"  # fmt: skip
    counts = mission_counts(t, rule).set_index("ambition")
    assert counts.loc["unprecedented", "regional"] == 1
    # a rule that puts would_happen_anyway first flips mission 1, and the report follows it
    flipped = {**rule, "any_of": ["would_happen_anyway", "unprecedented"]}
    assert mission_counts(t, flipped).set_index("ambition").loc["would_happen_anyway",
                                                                 "regional"] == 1  # fmt: skip
    ctx = _ambition_context(t, {}, flipped)
    assert ctx["ambition_sentences"][0].startswith("Mission 1 (m1): would happen anyway")
    assert "would happen anyway, then unprecedented" in ctx["ambition_rule"]
