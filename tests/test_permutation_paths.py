"""The permutation test's two engines give the same draws: the numba kernel (large samples)
and the Python loop (small samples, no numba import), bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localineq.stats import permutation
from localineq.stats.permutation import permutation_test

# Bounds where Lemire's method rejects about half of the words ((2**32 - s) mod s = s - 2 for
# s = 2**31 + 1), next to ordinary ones, so both branches of the index function run.
_REJECTING = 2**31 + 1


def _engine(monkeypatch, engine: str) -> None:
    limit = 0 if engine == "numba" else 2**40
    monkeypatch.setattr(permutation, "NUMBA_MIN_UNITS", limit)


@st.composite
def _samples(draw):
    n = draw(st.integers(3, 80))
    k = draw(st.integers(2, min(6, n)))
    groups = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    if len(set(groups)) < 2:  # the test needs two groups with units
        groups[0], groups[-1] = 0, 1
    values = draw(
        st.lists(
            st.floats(0.01, 1e6, allow_nan=False, allow_infinity=False), min_size=n, max_size=n
        )
    )
    weighted = draw(st.booleans())
    weights = (
        draw(st.lists(st.floats(0.5, 1e5, allow_nan=False), min_size=n, max_size=n))
        if weighted
        else None
    )
    measure = draw(st.sampled_from(["theil_t", "theil_l", "variance", "gini"]))
    permutations = draw(st.integers(1, 140))  # up to three chunks of 64
    seed = draw(st.integers(0, 2**32 - 1))
    return np.array(values), np.array(groups), weights, measure, permutations, seed


@settings(deadline=None)  # the first call loads the numba kernels
@given(_samples())
def test_python_path_draws_equal_the_kernel_draws(sample):
    values, groups, weights, measure, permutations, seed = sample
    results = {}
    with pytest.MonkeyPatch.context() as mp:
        for engine in ("numba", "python"):
            _engine(mp, engine)
            results[engine] = permutation_test(
                values, groups, weights, measure=measure, permutations=permutations, seed=seed
            )
    kernel, python = results["numba"], results["python"]
    np.testing.assert_array_equal(python.draws, kernel.draws)
    assert python.pvalue == kernel.pvalue
    assert python.observed == kernel.observed


def _reference_indices(child, bounds) -> list[int]:
    """Lemire's multiply-and-reject on the stream's 32-bit words (low half of each 64-bit
    output first), one bound at a time, in plain Python."""
    raw = np.random.SFC64(child).random_raw(4 * len(bounds) + 64).tolist()
    words = iter([half for x in raw for half in (x & 0xFFFFFFFF, x >> 32)])
    out = []
    for s in bounds:
        t = (2**32 - s) % s
        m = next(words) * s
        while (m & 0xFFFFFFFF) < t:
            m = next(words) * s
        out.append(m >> 32)
    return out


@settings(deadline=None)
@given(
    st.lists(
        st.one_of(st.integers(1, 400), st.just(_REJECTING), st.integers(2**31, 2**32 - 1)),
        min_size=1,
        max_size=300,
    ),
    st.integers(0, 2**32 - 1),
)
def test_index_draws_follow_the_word_stream_through_rejections(bounds, seed):
    child = np.random.SeedSequence(seed)
    got = permutation._lemire_indices(np.random.SFC64(child), np.array(bounds, dtype=np.uint64))
    assert got.tolist() == _reference_indices(child, bounds)


def test_many_rejections_in_a_row_still_match_the_reference():
    child = np.random.SeedSequence(11)
    bounds = [_REJECTING] * 2000 + [7] * 50
    got = permutation._lemire_indices(np.random.SFC64(child), np.array(bounds, dtype=np.uint64))
    assert got.tolist() == _reference_indices(child, bounds)


def test_small_samples_do_not_import_numba():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from localineq.stats.permutation import permutation_test\n"
        "permutation_test([1, 2, 3, 4, 5, 6.5], list('aabbcc'), permutations=99, seed=1)\n"
        "assert 'numba' not in sys.modules, 'numba imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
