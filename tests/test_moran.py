"""Moran's I permutation engine (localineq.stats.moran) against esda, its reference.

The engine claims bit-for-bit equality with ``esda.Moran`` and ``esda.Moran_Local``, so the
property tests compare with ``==`` on random connected graphs and random values (of mixed
scales, ties included), not with a tolerance.
"""

from __future__ import annotations

import esda
import libpysal
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localineq.stats import moran, spatial


def _random_weights(n: int, extra: list[tuple[int, int]]) -> libpysal.weights.W:
    """A ring of ``n`` areas (so nobody is an island) plus the chords ``extra``, row-standardised."""
    neighbours = {i: {(i - 1) % n, (i + 1) % n} for i in range(n)}
    for a, b in extra:
        a, b = a % n, b % n
        if a != b:
            neighbours[a].add(b)
            neighbours[b].add(a)
    ids = [f"E{i:03d}" for i in range(n)]
    w = libpysal.weights.W(
        {ids[i]: [ids[j] for j in sorted(neighbours[i])] for i in range(n)},
        id_order=ids,
        silence_warnings=True,
    )
    w.transform = "r"
    return w


@st.composite
def graphs_and_values(draw):
    n = draw(st.integers(4, 60))
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e4]))
    values = draw(
        st.lists(
            st.one_of(st.integers(-5, 5).map(float), st.floats(-100, 100)), min_size=n, max_size=n
        )
    )
    y = np.asarray(values) * scale
    if np.ptp(y) == 0:
        y[0] += scale
    return _random_weights(n, extra), y


# esda's own warnings on degenerate draws (zero variance) are not ours to test.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=graphs_and_values(), seed=st.integers(0, 2**32 - 1), permutations=st.integers(1, 300))
def test_global_permutations_equal_esda_bit_for_bit(data, seed, permutations):
    w, y = data
    np.random.seed(seed)  # noqa: NPY002  (esda.Moran draws from the global generator)
    reference = esda.Moran(y, w, transformation="r", permutations=permutations)
    ours = moran.global_permutations(
        y, w.sparse, w.s0, moran.permutation_indices(w.n, permutations, seed)
    )
    np.testing.assert_array_equal(ours.sim, reference.sim)
    for name in ("I", "EI", "p_sim", "EI_sim", "seI_sim", "VI_sim", "z_sim"):
        # assert_equal treats nan == nan (a zero-variance null gives z_sim = nan in both).
        np.testing.assert_equal(getattr(ours, name), getattr(reference, name), err_msg=name)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=graphs_and_values(), seed=st.integers(0, 2**31 - 1))
def test_local_permutations_equal_esda_bit_for_bit(data, seed):
    w, y = data
    reference = esda.Moran_Local(y, w, transformation="r", permutations=199, seed=seed, n_jobs=1)
    ours = moran.local_permutations(y, w.sparse, 199, seed)
    np.testing.assert_array_equal(ours.Is, reference.Is)
    np.testing.assert_array_equal(ours.q, reference.q)
    np.testing.assert_array_equal(ours.p_sim, reference.p_sim)
    np.testing.assert_array_equal(ours.lag, libpysal.weights.lag_spatial(w, y))


def test_permutation_indices_are_esda_draws_and_leave_the_generator_alone():
    z = np.random.default_rng(0).normal(size=17)
    np.random.seed(11)  # noqa: NPY002
    expected = np.stack([np.random.permutation(z) for _ in range(40)])  # noqa: NPY002
    state = np.random.get_state()  # noqa: NPY002
    indices = moran.permutation_indices(17, 40, 11)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == state[0] and np.array_equal(after[1], state[1]) and after[2:] == state[2:]
    np.testing.assert_array_equal(z[indices], expected)
    assert not indices.flags.writeable
    assert moran.permutation_indices(17, 40, 11) is indices  # cached


def test_global_moran_of_a_checkerboard_by_hand():
    """On a 2 x 2 rook lattice every area's neighbours hold the opposite value: I = -1."""
    w = libpysal.weights.W({"a": ["b", "c"], "b": ["a", "d"], "c": ["a", "d"], "d": ["b", "c"]})
    w.transform = "r"
    result = moran.global_permutations(
        [1.0, 0.0, 0.0, 1.0], w.sparse, w.s0, moran.permutation_indices(4, 99, 0)
    )
    assert result.I == -1.0
    assert result.EI == -1.0 / 3
    # A draw puts the two 1s on a diagonal (I = -1) or on a side (I = 0), so every draw is at
    # least the observed I; esda's folded count is then min(99, 99 - 99) = 0.
    assert set(result.sim) == {-1.0, 0.0}
    assert result.p_sim == 1 / 100


def test_global_permutations_refuse_mismatched_indices():
    w = _random_weights(5, [])
    with pytest.raises(ValueError, match="indices"):
        moran.global_permutations(np.arange(5.0), w.sparse, w.s0, np.zeros((3, 4), dtype=int))


def test_global_moran_without_permutations_is_esdas_normal_approximation():
    w = _random_weights(30, [(0, 15), (3, 20)])
    y = np.random.default_rng(5).normal(size=30)
    result = spatial.global_moran(y, w, permutations=0)
    reference = esda.Moran(y, w, transformation="r", permutations=0)
    assert (result.I, result.z, result.p_value) == (reference.I, reference.z_norm, reference.p_norm)


def test_local_moran_does_not_touch_the_weights_matrix():
    """esda's crand zeroes the diagonal of ``w.sparse`` in place; the engine works on a copy."""
    w = _random_weights(12, [(0, 6)])
    before = w.sparse.copy()
    moran.local_permutations(np.arange(12.0) ** 2, w.sparse, 99, 1)
    assert (w.sparse != before).nnz == 0
    assert w.sparse.nnz == before.nnz
