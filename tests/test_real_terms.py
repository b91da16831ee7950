"""Issue 20: verdicts in real terms, scale-free gaps, nominal as a labelled sensitivity.

Unit checks on small frames worked by hand, a property test (a common price factor cannot
move a ratio gap), and checks over the pipeline's built tables when they exist.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localineq.policy.missions import gap, gap_narrows, rise_everywhere, top_group
from localineq.policy.scorecard import (
    NOMINAL,
    _test_params,
    default_basis,
    is_sensitivity,
    price_panels,
)

RESULTS = Path(__file__).resolve().parents[1] / "results" / "tables"
REAL = "real (CPI, 2025 prices)"


def _money_frame() -> pd.DataFrame:
    # two areas, two years; prices rise 25% between them: nominal 400 -> 480 is a real fall
    rows = []
    for area, (v0, v1) in {"E06000001": (400.0, 480.0), "E06000002": (400.0, 520.0)}.items():
        for period, v, factor in (("2021-01-01/P1Y", v0, 1.25), ("2025-01-01/P1Y", v1, 1.0)):
            rows.append(
                {
                    "area_code": area,
                    "area_name": area,
                    "itl1_code": "TLC",
                    "itl1_name": "North East (England)",
                    "indicator": "pay",
                    "period": period,
                    "value": v,
                    "lci_95": np.nan,
                    "uci_95": np.nan,
                    "weight": 1.0,
                    "weight_basis": "population",
                    "weight_year": 2021,
                    "value_real": v * factor,
                    "lci_95_real": np.nan,
                    "uci_95_real": np.nan,
                    "real_price_basis": REAL,
                }
            )
    return pd.DataFrame(rows)


def test_price_panels_put_real_first_and_keep_nominal():
    panels = price_panels(_money_frame(), "pay")
    assert [b for b, _ in panels] == [REAL, NOMINAL]
    real, nominal = panels[0][1], panels[1][1]
    assert real["value"].tolist() == [500.0, 480.0, 500.0, 520.0]
    assert nominal["value"].tolist() == [400.0, 480.0, 400.0, 520.0]
    # a rise in nominal terms that inflation alone explains is a real fall
    r = rise_everywhere(["a"], [500.0], [480.0])
    assert r.verdict == "failed"


def test_price_panels_of_a_non_money_indicator_are_one_basis():
    frame = _money_frame().drop(columns=["value_real", "lci_95_real", "uci_95_real"])
    assert [b for b, _ in price_panels(frame, "pay")] == [""]


def test_sensitivity_rows_are_only_nominal_rows_beside_real_ones():
    t = pd.DataFrame(
        {"indicator": ["pay", "pay", "rate", "legacy"],
         "price_basis": [REAL, NOMINAL, np.nan, NOMINAL]}
    )  # fmt: skip
    assert is_sensitivity(t).tolist() == [False, True, False, False]
    assert default_basis(t)["indicator"].tolist() == ["pay", "rate", "legacy"]


@given(
    st.lists(st.floats(1.0, 1e4), min_size=3, max_size=40),
    st.floats(0.2, 5.0),
    st.booleans(),
)
def test_ratio_gap_cannot_be_moved_by_a_common_price_level(values, factor, better):
    y = np.array(values)
    g = gap(y, None, better, "top_tenth_ratio")
    assert gap(y * factor, None, better, "top_tenth_ratio") == pytest.approx(g, rel=1e-9)
    assert g >= 1.0 - 1e-12  # the top group is never worse than the rest


def test_ratio_gap_narrows_where_the_absolute_gap_widens():
    # top area 10 -> 12.5, rest 5 -> 6.5: absolute gap 5 -> 6 (wider), ratio 2 -> 1.92 (narrower)
    r = gap_narrows(list("abcd"), [10, 5, 5, 5], [12.5, 6.5, 6.5, 6.5], share=0.25,
                    measure="top_tenth_ratio")  # fmt: skip
    assert r.verdict == "met"
    assert r.extra["gap_top_tenth_vs_rest_baseline"] == 5.0
    assert r.extra["gap_top_tenth_vs_rest_latest"] == 6.0
    assert r.gap_latest == pytest.approx(12.5 / 6.5)
    assert r.extra["gap_top_n_baseline"] == 1 and r.extra["gap_n_compared"] == 4


def test_top_group_counts_ties_and_the_regional_lens_is_two_of_twelve():
    assert int(top_group(np.arange(12.0), share=0.1).sum()) == 2  # ceil(1.2) = 2
    assert int(top_group([1, 2, 3, 3], share=0.25).sum()) == 2  # the tie joins


def test_ratio_scale_indicators_default_to_the_ratio_measure():
    cfg = {"gap_measure": "top_tenth_vs_rest", "ratio_gap_measure": "top_tenth_ratio",
           "gap_share": 0.1, "ratio_scale": ["pay"]}  # fmt: skip
    assert _test_params(cfg, {"test": "gap_narrows"}, "pay")["measure"] == "top_tenth_ratio"
    assert _test_params(cfg, {"test": "gap_narrows"}, "hle")["measure"] == "top_tenth_vs_rest"
    assert _test_params(cfg, {"test": "gap_narrows", "measure": "max_min"}, "pay")["measure"] == (
        "max_min"
    )


# ----------------------------------------------------------------------------------------------
# the pipeline's tables, when built
# ----------------------------------------------------------------------------------------------

built = pytest.mark.skipif(
    not (RESULTS / "mission_scorecard.csv").exists(), reason="pipeline not run yet"
)


@built
def test_real_scorecard_money_rows_are_real_by_default_with_nominal_beside():
    card = pd.read_csv(RESULTS / "mission_scorecard.csv")
    money = card[card["indicator"].isin(["median_weekly_pay", "gdhi_per_head", "gva_per_hour"])]
    bases = set(money["price_basis"])
    assert NOMINAL in bases and any(str(b).startswith("real (CPI") for b in bases)
    default = default_basis(money)
    assert default["price_basis"].str.startswith("real (CPI").all()
    gaps = card[(card["test"] == "gap_narrows") & card["indicator"].eq("median_weekly_pay")]
    assert set(gaps["gap_measure"]) == {"top_tenth_ratio"}
    regional = gaps[gaps["lens"] == "regional"]
    assert set(regional["gap_top_group"]) == {"top 2 of 12 regions"}


@built
def test_real_pay_rises_are_rebuilt_from_la_indicators():
    """The real-pay rise counts at the local lens follow from value_real alone."""
    card = pd.read_csv(RESULTS / "mission_scorecard.csv")
    la = pd.read_csv(RESULTS / "la_indicators.csv", low_memory=False)
    row = card[
        (card["indicator"] == "median_weekly_pay")
        & (card["test"] == "rise_everywhere")
        & (card["lens"] == "local")
        & card["price_basis"].str.startswith("real")
    ].iloc[0]
    pay = la[la["indicator"] == "median_weekly_pay"]
    wide = pay.pivot(index="area_code", columns="period", values="value_real")
    b, l_ = wide[row["baseline_period"]], wide[row["latest_period"]]
    rose = (l_.round(1) > b.round(1))[b.notna() & l_.notna()]
    assert int(rose.sum()) == row["n_met"]
    assert int((~rose).sum()) == row["n_failed"]
    # inflation alone no longer passes the test: nominal pay rose everywhere
    nominal = card[
        (card["indicator"] == "median_weekly_pay")
        & (card["test"] == "rise_everywhere")
        & (card["price_basis"] == NOMINAL)
    ]
    assert (nominal["n_failed"] == 0).all() and (row["n_failed"] > 0)
