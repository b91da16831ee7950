"""The quantiles the jobs compute without importing scipy.stats equal scipy.stats's, bit for bit.

scipy.stats costs about 0.6 s to import in every job that asks for a normal or Student t
quantile or a percentile; localineq evaluates the same special functions (ndtri, stdtrit) and
the same percentile formula directly. These tests hold them to scipy.stats's own results.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from localineq.outputs.maps import _score_at_percentile
from localineq.policy.compare import z_value
from localineq.policy.deadlines import _student_t_quantile


@given(st.floats(min_value=1e-6, max_value=1 - 1e-6))
def test_z_value_is_scipy_normal_quantile(level):
    assert z_value(level) == float(stats.norm.ppf(0.5 + level / 2))


@given(st.floats(min_value=0.5, max_value=0.9999), st.integers(min_value=1, max_value=200))
def test_student_t_quantile_is_scipy_t_ppf(p, dof):
    assert _student_t_quantile(p, dof) == float(stats.t.ppf(p, dof))


@settings(max_examples=200)
@given(
    st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=60),
    st.floats(min_value=0, max_value=100),
)
def test_score_at_percentile_is_scipy_scoreatpercentile(values, percent):
    ordered = np.sort(np.asarray(values, dtype="float64"))
    assert _score_at_percentile(ordered, percent) == float(stats.scoreatpercentile(values, percent))


def test_known_quantiles():
    assert z_value(0.95) == pytest.approx(1.959963984540054, abs=0)
    assert _score_at_percentile(np.array([0.0, 10.0]), 25.0) == 2.5
