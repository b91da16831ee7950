"""The grouped fast path of the mission tests against the boolean-mask version it replaced.

:func:`localineq.policy.panel_rows.panel_rows` groups a panel's periods once so that the
scorecard and the ambition back-test stop masking the whole panel for every test and window.
These tests build panels with repeated areas, missing periods, NaN values and text columns,
and check that the wide frame of both ends is the one the straightforward code gives.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localineq.policy.lenses import _ends, ambition_backtest, evaluate_test
from localineq.policy.panel_rows import panel_rows, period_column

PERIODS = ["2018-01-01/P1Y", "2019-01-01/P1Y", "2020-01-01/P1Y", "2021-01-01/P1Y"]


def _ends_by_masks(panel: pd.DataFrame, baseline: str, latest: str) -> pd.DataFrame:
    """The wide frame as the code before panel_rows built it (one mask per end)."""
    cols = [c for c in ("value", "se", "weight", "population") if c in panel.columns]
    areas = pd.Index(sorted(panel["area_code"].unique()), name="area_code")
    wide = pd.DataFrame(index=areas)
    for tag, per in (("b", baseline), ("l", latest)):
        part = panel[panel["period"] == per].drop_duplicates("area_code").set_index("area_code")
        for c in cols:
            wide[f"{c}_{tag}"] = part[c].reindex(areas)
    for c in ("se", "weight", "population"):
        for tag in ("b", "l"):
            if f"{c}_{tag}" not in wide:
                wide[f"{c}_{tag}"] = math.nan
    wide["pop"] = wide["population_l"].fillna(wide["population_b"])
    return wide


_number = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))
_positive = st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False))  # weights and se
_row = st.tuples(
    st.sampled_from(["E06", "E07", "E08", "W06", "S12"]),
    st.sampled_from(PERIODS),
    _number,
    _positive,
    _positive,
)


def _panel(rows: list[tuple], with_se: bool, text: bool) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area_code", "period", "value", "weight", "se"])
    for c in ("value", "weight", "se"):
        frame[c] = frame[c].astype(float)
    if not with_se:
        frame = frame.drop(columns="se")
    frame["population"] = frame["weight"] * 2.0
    frame["area_name"] = "name " + frame["area_code"]
    if text:  # pyarrow-backed text, as the pipeline reads it
        for c in ("area_code", "period", "area_name"):
            frame[c] = frame[c].astype("string[pyarrow]")
    return frame


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(_row, min_size=1, max_size=30),
    with_se=st.booleans(),
    text=st.booleans(),
    baseline=st.sampled_from([*PERIODS, "1999-01-01/P1Y"]),
    latest=st.sampled_from(PERIODS),
)
def test_ends_match_the_masks(rows, with_se, text, baseline, latest):
    panel = _panel(rows, with_se, text)
    expected = _ends_by_masks(panel, baseline, latest)
    index = panel_rows(panel)
    for got in (_ends(panel, baseline, latest), _ends(panel, baseline, latest, index)):
        pd.testing.assert_frame_equal(got, expected, check_index_type=True)


def test_period_column_keeps_a_non_float_dtype_as_reindex_does():
    panel = pd.DataFrame(
        {"area_code": ["b", "a", "b", "a"], "period": ["1", "1", "1", "2"], "n": [1, 2, 3, 4]}
    )
    index = panel_rows(panel)
    # every area present: int64 stays int64; one missing: widened to float with NaN
    full = period_column(panel, index, "n", "1")
    assert full.dtype == np.int64 and full.tolist() == [2, 1]
    partial = period_column(panel, index, "n", "2")
    assert partial.dtype == np.float64 and partial.iloc[0] == 4 and math.isnan(partial.iloc[1])


def test_rows_of_another_panel_are_refused():
    panel = _panel([("E06", PERIODS[0], 1.0, 1.0, None)], True, False)
    other = panel_rows(pd.concat([panel, panel]))
    with pytest.raises(ValueError, match="PanelRows"):
        period_column(panel, other, "value", PERIODS[0])


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(_row, min_size=2, max_size=30),
    test=st.sampled_from(["rise_everywhere", "gap_narrows"]),
)
def test_backtest_windows_match_a_test_per_window(rows, test):
    panel = _panel(rows, True, True)
    bt = ambition_backtest(panel, test, window_years=1, higher_is_better=True)
    for r in bt.itertuples(index=False):
        alone = evaluate_test(
            panel, test, baseline=r.window_start, latest=r.window_end, higher_is_better=True
        )
        assert (r.verdict, r.n_met, r.n_failed) == (alone.verdict, alone.n_met, alone.n_failed)


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(
        st.tuples(st.sampled_from(["R1", "R2", "R3"]), _positive), min_size=1, max_size=25
    ),
    text=st.booleans(),
)
def test_grouped_fills_match_the_per_group_lambda(cells, text):
    from localineq.policy.lenses import _fill_within

    frame = pd.DataFrame(cells, columns=["area_code", "weight"]).astype({"weight": float})
    if text:
        frame["area_code"] = frame["area_code"].astype("string[pyarrow]")
    expected = frame.groupby("area_code")["weight"].transform(lambda c: c.ffill().bfill())
    pd.testing.assert_series_equal(_fill_within(frame["area_code"], frame["weight"]), expected)
