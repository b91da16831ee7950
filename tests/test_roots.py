"""localineq.stats.roots.brentq is scipy.optimize.brentq transcribed: the same floats, exactly.

The REML fit of the ICC uses it so that the indicator jobs need not import scipy.optimize;
every ICC in the pipeline depends on it returning what scipy's C routine returns.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq as scipy_brentq

from localineq.stats.roots import brentq

coefficient = st.floats(min_value=-10, max_value=10, allow_nan=False, allow_infinity=False)
point = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
TOLERANCES = [(2e-12, 8.881784197001252e-16), (1e-300, 8.881784197001252e-16), (1e-6, 1e-10)]


def _same(f, a, b, xtol, rtol):
    root, info = scipy_brentq(f, a, b, xtol=xtol, rtol=rtol, full_output=True, disp=False)
    mine = brentq(f, a, b, xtol=xtol, rtol=rtol)
    assert mine.root == root
    assert (mine.iterations, mine.function_calls, mine.converged) == (
        info.iterations,
        info.function_calls,
        info.converged,
    )


@settings(max_examples=300)
@given(st.lists(coefficient, min_size=5, max_size=5), point, point, st.sampled_from(TOLERANCES))
def test_equals_scipy_on_generated_functions(c, a, b, tolerances):
    def f(x):
        return c[0] + c[1] * x + c[2] * x**3 + c[3] * math.sin(c[4] * x)

    a, b = min(a, b), max(a, b)
    assume(a < b and f(a) * f(b) < 0)
    _same(f, a, b, *tolerances)


def test_a_zero_denominator_bisects_as_in_c():
    """Found by hypothesis: with tiny coefficients the extrapolation's denominator underflows
    to zero; C divides to an infinity and bisects, where a Python division would raise."""
    c = [8.39595559807004e-117, 0.0, -3.190865147459244e-112, 0.0, 0.0]

    def f(x):
        return c[0] + c[1] * x + c[2] * x**3 + c[3] * math.sin(c[4] * x)

    _same(f, 0.0, 1.0, 2e-12, 8.881784197001252e-16)


def test_equals_scipy_when_an_end_is_a_root_and_when_iterations_run_out():
    # An end that is a root returns at once (scipy leaves its iteration count unset there).
    root, info = scipy_brentq(lambda x: x - 1.0, 1.0, 3.0, full_output=True, disp=False)
    mine = brentq(lambda x: x - 1.0, 1.0, 3.0)
    assert (mine.root, mine.converged, mine.function_calls) == (root, True, info.function_calls)
    assert mine.iterations == 0
    root, info = scipy_brentq(lambda x: x**3 - 2, 0.0, 5.0, maxiter=3, full_output=True, disp=False)
    mine = brentq(lambda x: x**3 - 2, 0.0, 5.0, maxiter=3)
    assert (mine.root, mine.converged, mine.iterations) == (root, False, info.iterations)


def test_refuses_an_unbracketed_root_and_nan():
    with pytest.raises(ValueError, match="different signs"):
        brentq(lambda x: x * x + 1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="NaN"):
        brentq(lambda x: math.nan if x > 0 else -1.0, -1.0, 1.0)
