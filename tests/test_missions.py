"""Mission tests on hand-built fixtures with known verdicts (localineq.policy.missions)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localineq.policy.compare import improvement, se_from_interval, significant_difference
from localineq.policy.lenses import ambition_backtest, evaluate_test, regional_panel
from localineq.policy.missions import (
    TESTS,
    gap,
    gap_narrows,
    level_reached,
    rise_everywhere,
    trajectory_on_course,
    worst_improve_by,
)
from localineq.policy.periods import (
    BaselineRule,
    baseline_period,
    latest_period,
    period_bounds,
    period_midyear,
)
from localineq.policy.results import FAILED, MET, NO_DATA

NAN = math.nan

# ---------------------------------------------------------------------------------------------
# periods and baseline rule
# ---------------------------------------------------------------------------------------------


def test_period_bounds_and_midyear():
    assert period_bounds("2022-04-01/P1Y") == (
        pd.Timestamp("2022-04-01"),
        pd.Timestamp("2023-03-31"),
    )
    assert period_bounds("2020-01-01/P3Y")[1] == pd.Timestamp("2022-12-31")
    assert period_bounds("2021-08-01/P6M")[1] == pd.Timestamp("2022-01-31")
    assert period_midyear("2021-01-01/P1Y") == pytest.approx(2021.5, abs=1e-9)
    with pytest.raises(ValueError, match="unrecognised period"):
        period_bounds("2021/22")


ASHE = ["2019-04-24", "2020-04-22", "2021-04-21", "2022-04-20", "2025-04-30"]
HLE = [f"{y}-01-01/P3Y" for y in range(2011, 2023)]


def test_baseline_default_is_latest_period_ending_before_white_paper():
    # ASHE April 2021 ended before 2 Feb 2022; April 2022 did not.
    assert baseline_period(ASHE) == "2021-04-21"
    # Academic year 2021/22 ends 31 Aug 2022: not yet over.
    assert baseline_period(["2020-09-01/P1Y", "2021-09-01/P1Y"]) == "2020-09-01/P1Y"


def test_baseline_publication_lag():
    # HLE 2018-2020 ends Dec 2020, published March 2022 (15 months): baseline is 2017-2019.
    assert baseline_period(HLE, BaselineRule(lag_months=15)) == "2017-01-01/P3Y"
    assert baseline_period(HLE, BaselineRule(lag_months=12)) == "2018-01-01/P3Y"
    # ASHE is published ~6 months after the April reference date
    assert baseline_period(ASHE, BaselineRule(lag_months=6)) == "2021-04-21"
    assert baseline_period(ASHE, BaselineRule(lag_months=10)) == "2020-04-22"


def test_baseline_fixed_fallback_and_errors():
    assert baseline_period(ASHE, BaselineRule(period="2019-04-24")) == "2019-04-24"
    with pytest.raises(ValueError, match="not among"):
        baseline_period(ASHE, BaselineRule(period="2018-04-18"))
    late = ["2022-01-01/P1Y", "2023-01-01/P1Y"]
    assert baseline_period(late) is None
    assert baseline_period(late, BaselineRule(fallback="earliest")) == "2022-01-01/P1Y"
    assert baseline_period([]) is None
    assert latest_period(ASHE) == "2025-04-30"
    assert latest_period([]) is None
    with pytest.raises(ValueError):
        BaselineRule(lag_months=-1)
    with pytest.raises(ValueError, match="unknown baseline rule"):
        BaselineRule.from_config({"lag": 3})
    rule = BaselineRule.from_config({"before": "2022-02-02", "lag_months": 6})
    assert rule.lag_months == 6 and "6 months" in rule.describe()


# ---------------------------------------------------------------------------------------------
# significance: a hand-computed case
# ---------------------------------------------------------------------------------------------


def test_significance_hand_computed():
    # Published 95% intervals: baseline 500 [480.4, 519.6], latest 470 [450.4, 489.6].
    # se = 39.2 / (2 * 1.959964) = 10.00018 each; combined = sqrt(2) * 10.00018 = 14.1424;
    # threshold = 1.959964 * 14.1424 = 27.7185 < 30: significant although the intervals overlap.
    se = se_from_interval([480.4, 450.4], [519.6, 489.6])
    assert se == pytest.approx([39.2 / (2 * 1.959963985)] * 2, rel=1e-9)
    assert significant_difference(500, se[0], 470, se[1]).tolist() == [True]
    # 475: difference 25 < 27.72 -> not significant
    assert significant_difference(500, se[0], 475, se[1]).tolist() == [False]
    # at 90% the threshold is 1.644854 * 14.1424 = 23.26 < 25 -> significant
    assert significant_difference(500, se[0], 475, se[1], level=0.90).tolist() == [True]
    # missing interval: never significant
    assert significant_difference(500, NAN, 100, 1.0).tolist() == [False]


def test_se_from_interval_refuses_inverted_interval():
    with pytest.raises(ValueError, match="upper bound below lower"):
        se_from_interval([2.0], [1.0])


def test_rise_everywhere_significant_fall_uses_combined_se():
    r = rise_everywhere(
        ["a", "b", "c"],
        baseline=[500, 500, 500],
        latest=[470, 475, 470],
        se_baseline=[10, 10, NAN],
        se_latest=[10, 10, 10],
    )
    assert r.verdict == FAILED and r.n_failed == 3
    assert r.areas["significant"].tolist() == [True, False, False]
    assert r.n_failed_significant == 1


# ---------------------------------------------------------------------------------------------
# rise_everywhere
# ---------------------------------------------------------------------------------------------


def test_rise_everywhere_met_failed_and_population():
    r = rise_everywhere(list("abcd"), [1, 2, 3, 4], [2, 3, 4, 5], population=[10, 20, 30, 40])
    assert (r.verdict, r.n_met, r.n_failed, r.population_failed) == (MET, 4, 0, 0.0)
    assert r.n_failed_significant is None  # no interval published
    r = rise_everywhere(list("abcd"), [1, 2, 3, 4], [2, 1, 4, 3], population=[10, 20, 30, 40])
    assert (r.verdict, r.n_failed, r.population_failed) == (FAILED, 2, 60.0)


@pytest.mark.parametrize(
    "name", ["claimant_count", "modelled_unemployment", "child_poverty", "housing_affordability"]
)
def test_rise_everywhere_lower_is_better(name):
    # A fall in a lower-is-better indicator is an improvement.
    base, late = [5.0, 8.0, 30.0], [4.0, 9.0, 25.0]
    r = rise_everywhere(["x", "y", "z"], base, late, higher_is_better=False)
    assert r.areas["verdict"].tolist() == [MET, FAILED, MET], name
    assert improvement(base, late, False).tolist() == [1.0, -1.0, 5.0]
    # the same data read as higher-is-better gives the opposite verdicts
    r2 = rise_everywhere(["x", "y", "z"], base, late, higher_is_better=True)
    assert r2.areas["verdict"].tolist() == [FAILED, MET, FAILED]


def test_rise_everywhere_ties():
    r = rise_everywhere(["a", "b"], [5, 5], [5, 6])
    assert r.areas["verdict"].tolist() == [FAILED, MET] and r.verdict == FAILED
    assert r.n_failed_significant is None
    r = rise_everywhere(["a", "b"], [5, 5], [5, 6], ties="met")
    assert r.verdict == MET
    # a tie is never a significant fall
    r = rise_everywhere(["a"], [5], [5], se_baseline=[0.0], se_latest=[0.0])
    assert r.n_failed == 1 and r.n_failed_significant == 0


def test_rise_everywhere_missing_ends_are_no_data():
    r = rise_everywhere(list("abcd"), [1, NAN, 3, NAN], [2, 2, NAN, NAN], population=[1, 2, 3, 4])
    assert r.areas["verdict"].tolist() == [MET, NO_DATA, NO_DATA, NO_DATA]
    assert (r.verdict, r.n_met, r.n_failed, r.n_no_data) == (MET, 1, 0, 3)
    assert r.population_failed == 0.0
    r = rise_everywhere(["a"], [NAN], [1.0])
    assert r.verdict == NO_DATA and r.n_met == r.n_failed == 0


# ---------------------------------------------------------------------------------------------
# gap and gap_narrows
# ---------------------------------------------------------------------------------------------


def test_gap_top_tenth_weighted_hand_computed():
    y = np.arange(1.0, 21.0)  # 20 areas: top tenth = {19, 20}
    w = np.ones(20)
    w[19] = 3.0  # area 20 weighs 3
    # top mean = (19 + 3*20)/4 = 19.75; rest mean = mean(1..18) = 9.5
    assert gap(y, w) == pytest.approx(10.25)
    # lower is better: top = {1, 2} (mean 1.5), rest = 3..20 with 20 weighted 3:
    # (sum(3..19) + 60) / 20 = (187 + 60)/20 = 12.35 -> gap 10.85
    assert gap(y, w, higher_is_better=False) == pytest.approx(12.35 - 1.5)


def test_gap_ties_at_boundary_join_the_top():
    # 10 areas: k = 1, but two areas tie for best -> both in the top group
    y = [10, 10, 1, 1, 1, 1, 1, 1, 1, 1]
    assert gap(y) == pytest.approx(9.0)
    assert gap([5, 5, 5]) == 0.0


def test_gap_other_measures():
    y = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert gap(y, measure="max_min") == 9.0
    assert gap(y, measure="p90_p10") == 9.0  # type-1 quantiles: Q(.9)=9, Q(.1)=1
    with pytest.raises(ValueError, match="unknown gap measure"):
        gap(y, measure="iqr")
    with pytest.raises(ValueError):
        gap([1.0, NAN])


def test_gap_narrows_verdicts_and_missing_ends():
    areas = list("abcdefghij")
    base = [1, 2, 3, 4, 5, 6, 7, 8, 9, 20]  # gap 20 - 5 = 15
    late = [2, 3, 4, 5, 6, 7, 8, 9, 10, 16]  # gap 16 - 6 = 10
    r = gap_narrows(areas, base, late)
    assert (r.verdict, r.gap_baseline, r.gap_latest) == (MET, 15.0, 10.0)
    assert r.extra["gap_max_min_baseline"] == 19.0 and r.extra["gap_max_min_latest"] == 14.0
    assert r.n_failed_significant is None
    # unchanged gap has not narrowed
    r = gap_narrows(areas, base, [b + 1 for b in base])
    assert r.verdict == FAILED and r.gap_baseline == r.gap_latest
    # an area missing at one end leaves the panel at both ends
    late2 = list(late)
    late2[9] = NAN
    r = gap_narrows(areas, base, late2)
    assert r.n_no_data == 1
    assert r.gap_baseline == pytest.approx(9 - 4.5)  # without area j: top {9}, rest mean 4.5
    # lower is better: the gap between the lowest tenth and the rest
    r = gap_narrows(areas, base, late, higher_is_better=False)
    assert r.gap_baseline == pytest.approx((2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 20) / 9 - 1)
    assert gap_narrows(["a"], [1.0], [2.0]).verdict == NO_DATA


# ---------------------------------------------------------------------------------------------
# level_reached, worst_improve_by, trajectory
# ---------------------------------------------------------------------------------------------


def test_level_reached_distance_and_polarity():
    r = level_reached(list("abcd"), [92, 90, 80, NAN], target=90, population=[1, 2, 3, 4])
    assert r.areas["verdict"].tolist() == [MET, MET, FAILED, NO_DATA]  # exactly 90 is reached
    assert r.areas["distance"].tolist()[:3] == [-2.0, 0.0, 10.0]
    assert (r.verdict, r.population_failed, r.target) == (FAILED, 3.0, 90.0)
    # lower is better: claimant count at most 3%
    r = level_reached(["a", "b"], [2.5, 3.5], target=3.0, higher_is_better=False)
    assert r.areas["verdict"].tolist() == [MET, FAILED]
    assert r.areas["distance"].tolist() == [-0.5, 0.5]
    # significance against a fixed level: 80 with se 2 vs 90 -> 10 > 3.92
    r = level_reached(["a", "b"], [80, 88], target=90, se_latest=[2, 2])
    assert r.areas["significant"].tolist() == [True, False] and r.n_failed_significant == 1


def test_worst_improve_by_mission5():
    areas = [f"a{i}" for i in range(10)]
    base = [45.0, 60, 62, 64, 66, 68, 70, 72, 74, 76]
    # the worst area (45) needs 45 * 4/3 = 60
    r = worst_improve_by(areas, base, [59.0] + base[1:], factor=1 / 3)
    assert (r.verdict, r.n_areas, r.n_failed) == (FAILED, 1, 1)
    assert r.extra["required_mean"] == pytest.approx(60.0)
    r = worst_improve_by(areas, base, [60.0] + base[1:], factor=1 / 3)
    assert r.verdict == MET  # exactly the required level counts
    # criterion "every" vs "mean" with a worst fifth of two areas
    base2 = [40.0, 50, 70, 70, 70, 70, 70, 70, 70, 70]
    late2 = [60.0, 60, 70, 70, 70, 70, 70, 70, 70, 70]  # +50% and +20%; mean 45 -> 60 (+1/3)
    rm = worst_improve_by(areas, base2, late2, factor=1 / 3, share=0.2)
    re_ = worst_improve_by(areas, base2, late2, factor=1 / 3, share=0.2, criterion="every")
    assert (rm.verdict, re_.verdict, rm.n_failed) == (MET, FAILED, 1)


def test_worst_improve_by_lower_is_better_and_missing():
    # child poverty: the worst (highest) tenth must fall by a third
    areas = [f"a{i}" for i in range(10)]
    base = [10.0] * 9 + [36.0]
    late = [10.0] * 9 + [24.0]  # 36 * 2/3 = 24
    r = worst_improve_by(areas, base, late, factor=1 / 3, higher_is_better=False)
    assert r.verdict == MET and r.areas["area"].tolist() == ["a9"]
    late[9] = NAN  # worst area missing at the end: the worst tenth is chosen among the rest
    r = worst_improve_by(areas, base, late, factor=1 / 3, higher_is_better=False)
    assert r.n_no_data == 1 and "a9" not in r.areas["area"].tolist()


def test_trajectory_hand_computed():
    # HLE +5 years from a 2018.5 baseline to 2035: required 5/16.5 = 0.30303 per year
    years = [2018.5, 2019.5, 2020.5, 2021.5] * 3
    a = [60.0, 60.4, 60.8, 61.2]  # +0.4/yr: on course
    b = [60.0, 60.1, 60.0, 60.1]  # slope 0.02: off course, significantly
    c = [60.0, NAN, NAN, 61.0]  # two points only: no_data with min_periods=3
    r = trajectory_on_course(
        ["a"] * 4 + ["b"] * 4 + ["c"] * 4,
        years,
        a + b + c,
        baseline_year=2018.5,
        target_change=5,
        target_year=2035,
    )
    assert r.areas["verdict"].tolist() == [MET, FAILED, NO_DATA]
    assert r.gap_baseline == pytest.approx(5 / 16.5)
    assert r.areas["slope"].iloc[0] == pytest.approx(0.4)
    assert r.areas["projected_change"].iloc[0] == pytest.approx(0.4 * 16.5)
    # b: x centred [-1.5, -.5, .5, 1.5], sxx = 5, sum x(y - ybar) = 0.1 -> slope 0.02;
    # residuals [-.02, .06, -.06, .02], SSR 0.008, se = sqrt(0.008 / 2 / 5) = 0.028284;
    # upper bound 0.02 + 1.96 * 0.028284 = 0.0754 < 0.30303 -> significantly off course
    assert r.areas["slope"].iloc[1] == pytest.approx(0.02)
    assert r.areas["slope_se"].iloc[1] == pytest.approx(math.sqrt(0.008 / 2 / 5))
    assert bool(r.areas["significant"].iloc[1]) and r.n_failed_significant == 1


# ---------------------------------------------------------------------------------------------
# the two lenses: regional aggregation and a fixture where they disagree
# ---------------------------------------------------------------------------------------------


def _two_region_panel() -> pd.DataFrame:
    """Two regions of three LAs. Both regional means rise; one LA in each region falls."""
    rows = []
    data = {
        # region, la, weight, base, latest
        ("R1", "a"): (100, 400.0, 440.0),
        ("R1", "b"): (100, 500.0, 540.0),
        ("R1", "c"): (50, 600.0, 590.0),  # falls by 10
        ("R2", "d"): (200, 300.0, 330.0),
        ("R2", "e"): (100, 350.0, 345.0),  # falls by 5
        ("R2", "f"): (100, 320.0, NAN),  # missing at the end
    }
    for (reg, la), (w, b, l_) in data.items():
        for per, v in (("2021-04-21", b), ("2025-04-30", l_)):
            rows.append(
                {
                    "itl1_code": reg,
                    "itl1_name": f"Region {reg}",
                    "area_code": la,
                    "period": per,
                    "value": v,
                    "weight": float(w),
                    "population": 2.0 * w,
                    "se": 5.0,
                }
            )
    return pd.DataFrame(rows)


def test_regional_panel_hand_computed():
    reg = regional_panel(_two_region_panel())
    r1 = reg[(reg.area_code == "R1") & (reg.period == "2021-04-21")].iloc[0]
    assert r1["value"] == pytest.approx((100 * 400 + 100 * 500 + 50 * 600) / 250)  # 480
    # se = sqrt(sum (w_i/W)^2 * 25) = 5 * sqrt(0.4^2 + 0.4^2 + 0.2^2) = 5 * 0.6
    assert r1["se"] == pytest.approx(3.0)
    assert (r1["n_areas"], r1["population"]) == (3, 500.0)
    r2l = reg[(reg.area_code == "R2") & (reg.period == "2025-04-30")].iloc[0]
    assert r2l["value"] == pytest.approx((200 * 330 + 100 * 345) / 300)  # f missing
    assert r2l["n_areas_with_value"] == 2 and r2l["weight"] == 300.0


def _regional_panel_by_group(frame: pd.DataFrame) -> pd.DataFrame:
    """regional_panel's definition, one group frame at a time (slow, for comparison)."""
    rows = []
    for (region, period), part in frame.groupby(["itl1_code", "period"], sort=True):
        usable = part[part["value"].notna() & part["weight"].notna()]
        w = usable["weight"].to_numpy(dtype=float)
        y = usable["value"].to_numpy(dtype=float)
        total = w.sum()
        pooled = len(usable) > 0 and total > 0
        s = usable["se"].to_numpy(dtype=float)
        rows.append(
            {
                "area_code": region,
                "area_name": part["itl1_name"].iloc[0],
                "period": period,
                "value": float(np.dot(w, y) / total) if pooled else NAN,
                "se": float(np.sqrt(np.sum((w / total) ** 2 * s**2))) if pooled else NAN,
                "weight": float(total),
                "population": float(part["population"].sum()),
                "n_areas": part["area_code"].nunique(),
                "n_areas_with_value": len(usable),
            }
        )
    return pd.DataFrame(rows)


def _assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.dtypes.equals(want.dtypes)
    for column in got.columns:  # to the bit: signed zeros and NaNs included
        if got[column].dtype.kind == "f":
            assert np.array_equal(
                got[column].to_numpy().view("i8"), want[column].to_numpy().view("i8")
            )


def _random_local_panel(rng: np.random.Generator, n: int) -> pd.DataFrame:
    def gappy(values: np.ndarray, share: float) -> np.ndarray:
        return np.where(rng.random(n) < share, NAN, values)

    # A few rows without a region belong to no region, as in a groupby.
    region = np.where(rng.random(n) < 0.03, None, rng.choice(["R1", "R2", "R3"], size=n))
    return pd.DataFrame(
        {
            "itl1_code": region,
            "itl1_name": pd.Series(region).map({"R1": "One", "R2": "Two", "R3": "Three"}),
            "area_code": rng.choice([f"a{i}" for i in range(n // 2 + 1)], size=n),
            "period": rng.choice(["2019", "2020", "2021"], size=n),
            "value": gappy(rng.normal(50.0, 20.0, n), 0.2),
            "weight": gappy(rng.random(n) * 1e5 * (rng.random(n) > 0.05), 0.1),
            "se": gappy(rng.random(n) * 3.0, 0.3),
            "population": gappy(rng.random(n) * 1e6, 0.1),
        }
    )


@pytest.mark.parametrize(("seed", "n"), [(0, 0), (1, 5), (2, 60), (3, 900), (4, 2500)])
def test_regional_panel_is_the_group_by_group_computation_to_the_bit(seed, n):
    # Groups of hundreds of rows: numpy's pairwise sums differ from other summation orders in
    # the last bit, so this pins the order as well as the arithmetic.
    panel = _random_local_panel(np.random.default_rng(seed), n)
    _assert_identical(regional_panel(panel), _regional_panel_by_group(panel))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 80))
def test_regional_panel_matches_group_by_group_on_any_panel(seed, n):
    rng = np.random.default_rng(seed)
    panel = _random_local_panel(rng, n).sample(frac=1.0, random_state=seed % 1000)
    _assert_identical(regional_panel(panel), _regional_panel_by_group(panel))
    counts = panel.assign(population=rng.integers(0, 10**6, n))  # summed as integers
    _assert_identical(regional_panel(counts), _regional_panel_by_group(counts))


def test_regional_and_local_verdicts_disagree():
    panel = _two_region_panel()
    kw = dict(baseline="2021-04-21", latest="2025-04-30", higher_is_better=True)
    regional = evaluate_test(regional_panel(panel), "rise_everywhere", **kw)
    local = evaluate_test(panel, "rise_everywhere", **kw)
    assert regional.verdict == MET and regional.n_met == 2
    assert local.verdict == FAILED
    assert (local.n_met, local.n_failed, local.n_no_data) == (3, 2, 1)
    assert local.population_failed == 2.0 * (50 + 100)
    # falls of 10 and 5 with se 5 at both ends: threshold 1.96*sqrt(50) = 13.86 -> neither
    assert local.n_failed_significant == 0


def test_evaluate_test_no_baseline_is_no_data():
    panel = _two_region_panel()
    r = evaluate_test(
        panel, "rise_everywhere", baseline=None, latest="2025-04-30", higher_is_better=True
    )
    assert r.verdict == NO_DATA and r.n_no_data == 6 and r.n_met == r.n_failed == 0
    # level_reached needs only the latest period
    r = evaluate_test(
        panel,
        "level_reached",
        baseline=None,
        latest="2025-04-30",
        higher_is_better=True,
        params={"target": 400},
    )
    assert (r.n_met, r.n_failed, r.n_no_data) == (3, 2, 1)
    with pytest.raises(ValueError, match="unknown test"):
        evaluate_test(panel, "fall", baseline=None, latest=None, higher_is_better=True)


def test_evaluate_test_trajectory_and_worst():
    rows = []
    for i, per in enumerate(["2017-01-01/P3Y", "2018-01-01/P3Y", "2019-01-01/P3Y"]):
        rows += [
            {"area_code": "a", "period": per, "value": 60 + 0.5 * i},
            {"area_code": "b", "period": per, "value": 60.0},
        ]
    panel = pd.DataFrame(rows)
    r = evaluate_test(
        panel,
        "trajectory",
        baseline="2017-01-01/P3Y",
        latest="2019-01-01/P3Y",
        higher_is_better=True,
        params={"target_change": 5, "target_year": 2035},
    )
    assert r.areas["verdict"].tolist() == [MET, FAILED]
    assert r.gap_baseline == pytest.approx(5 / (2035 - period_midyear("2017-01-01/P3Y")))


_PARAMS_BY_TEST = {
    "rise_everywhere": {},
    "gap_narrows": {"measure": "max_min"},
    "level_reached": {"target": 400},
    "worst_improve_by": {"factor": 1.0, "share": 0.5},
    "trajectory": {"target_change": 5, "target_year": 2030, "min_periods": 2},
}


@pytest.mark.parametrize("name", TESTS)
def test_evaluate_test_dispatches_every_test_name(name):
    # A name in TESTS without its own runner (or routed to another test's) fails here.
    panel = _two_region_panel()
    r = evaluate_test(
        panel,
        name,
        baseline="2021-04-21",
        latest="2025-04-30",
        higher_is_better=True,
        params=_PARAMS_BY_TEST[name],
    )
    assert r.test == name
    assert r.verdict in (MET, FAILED)  # both ends exist, so each test reaches a verdict


# ---------------------------------------------------------------------------------------------
# ambition back-test
# ---------------------------------------------------------------------------------------------


def test_ambition_backtest_windows_and_fallback_to_longest():
    periods = [f"{y}-01-01/P1Y" for y in range(2000, 2006)]
    rows = []
    for i, p in enumerate(periods):
        rows.append({"area_code": "a", "period": p, "value": 10.0 + i})
        rows.append({"area_code": "b", "period": p, "value": 10.0 + (i % 2)})  # zig-zag
    panel = pd.DataFrame(rows)
    bt = ambition_backtest(panel, "rise_everywhere", window_years=2, higher_is_better=True)
    assert len(bt) == 4 and set(bt.window_years_used) == {2}
    assert (bt.verdict == FAILED).all()  # b is back where it started after two years
    bt = ambition_backtest(panel, "rise_everywhere", window_years=3, higher_is_better=True)
    assert bt.verdict.tolist() == [MET, FAILED, MET]
    # window longer than the data: the longest available (5 years), stated
    bt = ambition_backtest(panel, "rise_everywhere", window_years=9, higher_is_better=True)
    assert len(bt) == 1 and bt.window_years_used.iloc[0] == 5
    assert bt.window_years_target.iloc[0] == 9
    with pytest.raises(ValueError):
        ambition_backtest(panel, "rise_everywhere", window_years=0, higher_is_better=True)


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

finite = st.floats(min_value=-1e4, max_value=1e4, allow_nan=False)
maybe = st.one_of(finite, st.just(NAN))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(maybe, maybe), min_size=1, max_size=30))
def test_rise_everywhere_polarity_symmetry_and_counts(pairs):
    b = np.array([p[0] for p in pairs])
    l_ = np.array([p[1] for p in pairs])
    areas = list(range(len(pairs)))
    hi = rise_everywhere(areas, b, l_, True)
    lo = rise_everywhere(areas, -b, -l_, False)
    assert hi.areas["verdict"].tolist() == lo.areas["verdict"].tolist()
    assert hi.n_met + hi.n_failed + hi.n_no_data == hi.n_areas == len(pairs)
    assert hi.n_no_data == int((np.isnan(b) | np.isnan(l_)).sum())


@settings(max_examples=60, deadline=None)
@given(
    # Values on a grid (tenths as integers) and whole shifts: y + shift is exact, so a shift can
    # neither create nor break a tie at the top group's boundary (ties join the top group).
    st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=40),
    st.integers(min_value=-100, max_value=100),
)
def test_gap_shift_invariant_and_polarity_mirror(values, shift):
    y = np.array(values, dtype=float)
    # shifting every value leaves a difference-of-means gap unchanged
    assert gap(y + shift) == pytest.approx(gap(y), abs=1e-6)
    # negating the values and flipping polarity gives the same gap
    assert gap(-y, higher_is_better=False) == pytest.approx(gap(y), abs=1e-9)
    assert gap(y) >= 0


@settings(max_examples=60, deadline=None)
@given(finite, st.floats(0, 100), finite, st.floats(0, 100))
def test_significance_symmetric_and_monotone(a, sa, b, sb):
    assert significant_difference(a, sa, b, sb)[0] == significant_difference(b, sb, a, sa)[0]
    if significant_difference(a, sa, b, sb)[0]:
        # shrinking the errors never removes significance
        assert significant_difference(a, sa / 2, b, sb / 2)[0]
