"""Deadline-aware verdicts on hand-built panels (issue 19): on course, off course, no data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localineq.policy.deadlines import (
    DEADLINE_STATUSES,
    deadline_verdict,
    linear_projection,
    pre_covid_baseline,
)

YEARS = [2015, 2016, 2017, 2018, 2019, 2020, 2021]


def panel(series: dict[str, list[float]], years=YEARS, weight=1.0) -> pd.DataFrame:
    rows = [
        {"area_code": a, "period": f"{y}-01-01/P1Y", "value": v, "weight": weight}
        for a, vals in series.items()
        for y, v in zip(years, vals, strict=True)
    ]
    return pd.DataFrame(rows)


def judge(p, test, years=YEARS, **params):
    return deadline_verdict(
        p,
        test,
        baseline=f"{years[0]}-01-01/P1Y",
        latest=f"{years[-1]}-01-01/P1Y",
        deadline=2030,
        higher_is_better=params.pop("hib", True),
        params=params,
        so_far=params.pop("so_far", "failed"),
    )


def test_a_series_that_reaches_the_level_by_construction_is_on_course():
    # +2 a year from 70 in 2015: 70 + 2 * 15 = 100 by mid-2030, above a 99 target
    p = panel({"a": [70 + 2 * k for k in range(7)], "b": [80 + 2 * k for k in range(7)]})
    res = judge(p, "level_reached", target=99)
    assert res["verdict"] == "on_course" and res["projected_at_deadline"] == 0


def test_a_series_that_cannot_reach_the_level_is_off_course():
    # +0.5 a year from 70: 77.5 by 2030, far below 99
    p = panel({"a": [70 + 0.5 * k for k in range(7)], "b": [80 + 2 * k for k in range(7)]})
    res = judge(p, "level_reached", target=99)
    assert res["verdict"] == "off_course"
    assert res["verdict_reason"].startswith("1 of 2 areas")


def test_level_already_met_is_met_and_rise_before_deadline_never_is():
    p = panel({"a": [99.5] * 7})
    assert judge(p, "level_reached", target=99, so_far="met")["verdict"] == "met"
    rising = panel({"a": [1.0 + k for k in range(7)]})
    assert judge(rising, "rise_everywhere", so_far="met")["verdict"] == "on_course"


def test_rise_everywhere_off_course_when_one_area_trends_down():
    p = panel({"a": [10.0 + k for k in range(7)], "b": [10.0 - 0.1 * k for k in range(7)]})
    assert judge(p, "rise_everywhere")["verdict"] == "off_course"
    lower = judge(p, "rise_everywhere", hib=False)  # lower is better: now a rises the wrong way
    assert lower["verdict"] == "off_course"


def test_gap_narrowing_trend_is_on_course_and_widening_off_course():
    top = [20.0] * 7
    closing = [10.0 + k for k in range(7)]  # gap 10 -> 4, on a line to below 10
    opening = [10.0 - 0.5 * k for k in range(7)]
    on = judge(panel({"top": top, "low": closing}), "gap_narrows", measure="max_min", share=0.5)
    off = judge(panel({"top": top, "low": opening}), "gap_narrows", measure="max_min", share=0.5)
    assert on["verdict"] == "on_course" and off["verdict"] == "off_course"
    # max-min gap on a line: 10 - k at mid-year 2015.5 + k, projected to mid-2030
    assert on["projected_at_deadline"] == pytest.approx(10 - 15)  # 2015.5 + 15 = 2030.5


def test_worst_group_improvement_projected_against_required_mean():
    # the worst of ten areas starts at 50 and needs 50 * 4/3 = 66.7; +2.5/yr reaches it by 2030
    others = {f"x{k}": [80.0] * 7 for k in range(9)}
    fast = {**others, "w": [50 + 2.5 * k for k in range(7)]}
    slow = {**others, "w": [50 + 0.5 * k for k in range(7)]}
    kw = {"factor": 1 / 3, "share": 0.1}
    assert judge(panel(fast), "worst_improve_by", **kw)["verdict"] == "on_course"
    assert judge(panel(slow), "worst_improve_by", **kw)["verdict"] == "off_course"


def test_too_few_periods_is_no_data_with_the_reason():
    p = panel({"a": [1.0, 2.0]}, years=[2020, 2021])
    res = judge(p, "rise_everywhere", years=[2020, 2021])
    assert res["verdict"] == "no_data" and "a trend needs 3" in res["verdict_reason"]


def test_trajectory_maps_its_own_projection():
    p = panel({"a": [1.0] * 7})
    assert judge(p, "trajectory", so_far="met")["verdict"] == "on_course"
    assert judge(p, "trajectory", so_far="failed")["verdict"] == "off_course"


def test_pre_covid_baseline_is_the_period_nearest_2019():
    periods = [f"{y}-01-01/P1Y" for y in (2016, 2018, 2021)]
    assert pre_covid_baseline(periods) == "2018-01-01/P1Y"
    assert pre_covid_baseline(["2020-04-01/P1Y", "2019-04-01/P1Y"]) == "2019-04-01/P1Y"


@given(
    a=st.floats(-100, 100),
    b=st.floats(-5, 5),
    at=st.floats(2020, 2040),
)
def test_projection_of_an_exact_line_is_the_line(a, b, at):
    years = np.array([2015.5, 2016.5, 2018.5, 2019.5])
    got = linear_projection(years, a + b * (years - 2015.5), at)
    assert got == pytest.approx(a + b * (at - 2015.5), abs=1e-6)


@given(st.lists(st.floats(0, 100), min_size=7, max_size=7), st.booleans())
def test_verdict_is_always_in_the_vocabulary(values, hib):
    p = panel({"a": values, "b": values[::-1]})
    for test, params in (("rise_everywhere", {}), ("level_reached", {"target": 50})):
        res = judge(p, test, hib=hib, **params)
        assert res["verdict"] in DEADLINE_STATUSES and res["verdict"] != "failed"


# ----------------------------------------------------------------------------------------------
# 95% prediction interval of the projection
# ----------------------------------------------------------------------------------------------


def test_prediction_interval_matches_the_closed_form_and_statsmodels():
    from scipy.stats import t as student_t
    from statsmodels.regression.linear_model import OLS

    from localineq.policy.deadlines import projection_interval

    t = np.array([2015.5, 2016.5, 2017.5, 2018.5, 2019.5])
    y = np.array([10.0, 11.5, 11.0, 13.0, 13.5])
    at = 2030.5
    proj, lo, hi = projection_interval(t, y, at)
    # closed form written out independently
    n, tbar = t.size, t.mean()
    b = ((t - tbar) * (y - y.mean())).sum() / ((t - tbar) ** 2).sum()
    a = y.mean() - b * tbar
    s = np.sqrt(((y - a - b * t) ** 2).sum() / (n - 2))
    se = s * np.sqrt(1 + 1 / n + (at - tbar) ** 2 / ((t - tbar) ** 2).sum())
    q = student_t.ppf(0.975, n - 2)
    assert proj == pytest.approx(a + b * at)
    assert (lo, hi) == pytest.approx((a + b * at - q * se, a + b * at + q * se))
    fit = OLS(y, np.column_stack([np.ones(n), t])).fit()
    frame = fit.get_prediction(np.array([[1.0, at]])).summary_frame(alpha=0.05)
    assert lo == pytest.approx(frame["obs_ci_lower"].iloc[0])
    assert hi == pytest.approx(frame["obs_ci_upper"].iloc[0])


def test_prediction_interval_is_undefined_below_three_points_and_flat_on_a_line():
    from localineq.policy.deadlines import projection_interval

    p, lo, hi = projection_interval([1.0, 2.0], [1.0, 2.0], 5.0)
    assert p == pytest.approx(5.0) and np.isnan(lo) and np.isnan(hi)
    p, lo, hi = projection_interval([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], 5.0)
    assert lo == pytest.approx(p) and hi == pytest.approx(p)


def test_interval_position_against_the_goal():
    from localineq.policy.deadlines import interval_position

    assert interval_position(5, 7, 4, True) == "clears"
    assert interval_position(5, 7, 6, True) == "straddles"
    assert interval_position(5, 7, 8, True) == "falls_short"
    assert interval_position(5, 7, 8, False) == "clears"  # lower is better
    assert interval_position(5, 7, 5, True) == "clears"
    assert interval_position(5, 7, 5, True, strict=True) == "straddles"
    assert interval_position(float("nan"), 7, 5, True) == ""


def test_an_exact_line_to_the_target_is_on_course_with_an_interval_that_clears():
    # every area exactly on a +2 a year line: the interval collapses to the projection
    p = panel({"a": [70 + 2 * k for k in range(7)], "b": [80 + 2 * k for k in range(7)]})
    res = judge(p, "level_reached", target=99)
    assert res["verdict"] == "on_course" and res["interval_vs_target"] == "clears"
    assert "2 clear it, 0 fall wholly short" in res["verdict_reason"]


def test_a_noisy_series_on_course_can_have_an_interval_that_straddles():
    # rises on average (on course for rise_everywhere) but noisily: the interval includes a fall
    p = panel({"a": [50, 58, 46, 60, 47, 61, 52]})
    res = judge(p, "rise_everywhere")
    assert res["verdict"] == "on_course"
    assert res["interval_vs_target"] == "straddles"


def test_a_gap_projection_carries_its_interval_and_a_series_that_widens_falls_short():
    # the top area pulls away on an exact line: off course, and the whole interval says so
    p = panel({"top": [100 + 5 * k for k in range(7)], **{f"o{i}": [50.0] * 7 for i in range(9)}})
    res = judge(p, "gap_narrows", measure="max_min", share=0.1)
    assert res["verdict"] == "off_course"
    assert res["projection_lower_95"] == pytest.approx(res["projected_at_deadline"])
    assert res["interval_vs_target"] == "falls_short"


def _area_by_area(p, test, target, hib, decimals):
    """(areas short, areas judged, intervals clear, intervals short) one area at a time, as
    deadline_verdict counted them before comparing every area in one call."""
    from localineq.policy.compare import compare_at_precision, orient
    from localineq.policy.deadlines import (
        CLEARS,
        FALLS_SHORT,
        interval_position,
        projection_interval,
    )
    from localineq.policy.periods import period_midyear

    start = f"{YEARS[0]}-01-01/P1Y"
    short = judged = clear = fall = 0
    for _, rows in p[p["value"].notna()].groupby("area_code", sort=True):
        if rows["period"].nunique() < 3:
            continue
        years = rows["period"].map(period_midyear).to_numpy(float)
        proj, lo, hi = projection_interval(years, rows["value"].to_numpy(float), 2030.5)
        if test == "level_reached":
            goal = target
        else:
            base = rows.loc[rows["period"] == start, "value"]
            if base.empty:
                continue
            goal = float(base.iloc[0])
        judged += 1
        sign = compare_at_precision(orient([proj], hib), orient([goal], hib), decimals)[0]
        short += int(not (sign >= 0 if test == "level_reached" else sign > 0))
        where = interval_position(lo, hi, goal, hib, strict=test != "level_reached")
        clear += int(where == CLEARS)
        fall += int(where == FALLS_SHORT)
    return short, judged, clear, fall


@given(
    values=st.lists(
        st.lists(st.one_of(st.none(), st.floats(0, 100, allow_nan=False)), min_size=7, max_size=7),
        min_size=1,
        max_size=6,
    ),
    test=st.sampled_from(["level_reached", "rise_everywhere"]),
    hib=st.booleans(),
    decimals=st.integers(0, 2),
)
def test_one_comparison_for_all_areas_counts_as_one_per_area(values, test, hib, decimals):
    series = {f"a{i}": [np.nan if v is None else v for v in vals] for i, vals in enumerate(values)}
    p = panel(series)
    res = judge(p, test, target=50.0, hib=hib, decimals=decimals, so_far="failed")
    short, judged, clear, fall = _area_by_area(p, test, 50.0, hib, decimals)
    if judged == 0:
        assert res["verdict"] == "no_data"
        return
    assert res["projected_at_deadline"] == short
    assert res["verdict"] == ("on_course" if short == 0 else "off_course")
    assert res["verdict_reason"].startswith(f"{short} of {judged} areas")
    assert f"{clear} clear it, {fall} fall wholly short" in res["verdict_reason"]
