"""Tests for localineq.stats: permutation test, stratified bootstrap, measurement error."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from localineq.stats import _permutation_kernel, _simulation
from localineq.stats._core import MEASURES
from localineq.stats.bootstrap import bootstrap
from localineq.stats.decomposition import decompose
from localineq.stats.measurement_error import measurement_error
from localineq.stats.permutation import permutation_test


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(123)
    n = 120
    g = rng.choice(["E", "N", "S", "W"], size=n)
    shift = pd.Series(g).map({"E": 1.0, "N": 1.2, "S": 1.5, "W": 0.9}).to_numpy()
    y = rng.lognormal(0, 0.4, size=n) * shift
    w = rng.integers(1, 50, size=n).astype(float)
    return y, g, w


def _order(y, g):
    """The order inference uses: by group (sorted labels), then by value within group."""
    return np.lexsort((y, pd.factorize(g, sort=True)[0]))


def _sorted(y, g, w):
    codes = pd.factorize(g, sort=True)[0]
    order = _order(y, g)
    return y[order], codes[order], None if w is None else w[order]


# ---------------------------------------------------------------------------------------------
# permutation test
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
@pytest.mark.parametrize("weighted", [False, True])
def test_permutation_observed_pvalue_and_determinism(data, measure, weighted):
    y, g, w = data
    w = w if weighted else None
    r = permutation_test(y, g, w, measure=measure, permutations=199, seed=7)
    d = decompose(y, g, w, measure=measure)
    assert r.observed == d.between and r.total == d.total
    assert r.draws.shape == (199,) and r.permutations == 199
    assert r.n == 120 and r.n_groups == 4 and r.measure == measure
    hits = np.count_nonzero(r.draws >= r.observed * (1 - 1e-10))
    assert r.pvalue == (hits + 1) / 200
    again = permutation_test(y, g, w, measure=measure, permutations=199, seed=7)
    np.testing.assert_array_equal(r.draws, again.draws)
    other = permutation_test(y, g, w, measure=measure, permutations=199, seed=8)
    assert not np.array_equal(r.draws, other.draws)
    threaded = permutation_test(y, g, w, measure=measure, permutations=199, seed=7, n_jobs=2)
    np.testing.assert_array_equal(r.draws, threaded.draws)


class _Words:
    """The 32-bit words the permutation kernel uses: numpy's SFC64 stream for one chunk's
    child seed, each 64-bit output split into two words, low half first."""

    def __init__(self, child):
        self.bits = np.random.SFC64(child)
        self.buf: list[int] = []
        self.rejections = 0

    def __next__(self) -> int:
        if not self.buf:
            for x in self.bits.random_raw(256).tolist():
                self.buf += [x & 0xFFFFFFFF, x >> 32]
            self.buf.reverse()
        return self.buf.pop()

    def below(self, s: int) -> int:
        """Uniform on {0..s-1} by Lemire's multiply-and-reject, as the kernel does it."""
        m = next(self) * s
        if (m & 0xFFFFFFFF) < s:
            t = (2**32 - s) % s
            while (m & 0xFFFFFFFF) < t:
                self.rejections += 1
                m = next(self) * s
        return m >> 32


def _reference_permutations(n: int, first_block: int, seed, P: int):
    """Yield each draw's arrangement of positions ``0..n-1``, in plain Python: per chunk one
    stream; within a chunk Fisher-Yates continues from the previous draw's arrangement, over
    positions ``n-1`` down to ``first_block`` (steps inside the first block are skipped)."""
    for child, size in _simulation._plan(seed, P):
        words = _Words(child)
        perm = list(range(n))
        for _ in range(size):
            for i in range(n - 1, first_block - 1, -1):
                j = words.below(i + 1)
                perm[i], perm[j] = perm[j], perm[i]
            yield np.array(perm)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("measure", ["theil_t", "gini"])
def test_permutation_draws_equal_slow_loop_reference(data, weighted, measure):
    """Same seed, same child streams, one permutation at a time through decompose()."""
    y, g, w = data
    w = w if weighted else None
    P = 150  # spans three chunks
    r = permutation_test(y, g, w, measure=measure, permutations=P, seed=99)
    ys, cs, ws = _sorted(y, g, w)
    first = int(np.sum(cs == 0))
    ref = []
    for perm in _reference_permutations(ys.size, first, 99, P):
        wp = None if ws is None else ws[perm]
        ref.append(decompose(ys[perm], cs, wp, measure=measure).between)
    np.testing.assert_allclose(r.draws, ref, rtol=1e-11, atol=1e-15)


def test_sfc64_kernel_reproduces_numpy():
    ss = np.random.SeedSequence(2024)
    state = np.random.SFC64(ss).state["state"]["state"].astype(np.uint64)
    out = np.empty(1000, dtype=np.uint64)
    _permutation_kernel._sfc64_fill(state, out)
    bits = np.random.SFC64(ss)
    np.testing.assert_array_equal(out, bits.random_raw(1000))
    _permutation_kernel._sfc64_fill(state, out)  # the state advanced like numpy's
    np.testing.assert_array_equal(out, bits.random_raw(1000))


def test_shuffle_kernel_rejection_path_matches_reference():
    """Large blocks, so that Lemire's rejection (probability < (i+1)/2**32 per step) occurs:
    block sums must still equal the plain-Python reference, word for word."""
    n, first = 400_000, 200_000
    y = np.random.default_rng(1).random(n)
    w = np.random.default_rng(2).random(n)
    starts = np.array([0, first], dtype=np.int64)
    sizes = np.array([first, n - first], dtype=np.int64)
    ss = np.random.SeedSequence(7)
    Y, V = np.empty((2, 2)), np.empty((2, 2))
    state = np.random.SFC64(ss).state["state"]["state"].astype(np.uint64)
    _permutation_kernel._shuffle_pair_sums(y, w, starts, sizes, state, Y, V)
    words = _Words(ss)
    perm = list(range(n))
    for r in range(2):
        for i in range(n - 1, first - 1, -1):
            j = words.below(i + 1)
            perm[i], perm[j] = perm[j], perm[i]
        p = np.array(perm)
        np.testing.assert_allclose(Y[r], [y[p[:first]].sum(), y[p[first:]].sum()], rtol=1e-12)
        np.testing.assert_allclose(V[r], [w[p[:first]].sum(), w[p[first:]].sum()], rtol=1e-12)
    assert words.rejections > 0  # the rejection path was exercised


def test_permutation_strongly_separated_groups_give_minimal_pvalue():
    rng = np.random.default_rng(0)
    y = np.concatenate([rng.uniform(1, 2, 30), rng.uniform(10, 11, 30), rng.uniform(50, 51, 30)])
    g = np.repeat(["a", "b", "c"], 30)
    for m in MEASURES:
        r = permutation_test(y, g, measure=m, permutations=499, seed=1)
        assert r.pvalue == 1 / 500
        assert r.draws.max() < r.observed


def test_permutation_null_distribution_is_uniform_over_relabellings():
    """Six areas, two groups of three: 20 equally likely labellings, 10 distinct values."""
    y = np.array([1.0, 2.0, 3.5, 5.0, 8.0, 13.0])
    g = np.array(list("aabbab"))
    exact = []
    for idx in itertools.combinations(range(6), 3):
        lab = np.array(["b"] * 6)
        lab[list(idx)] = "a"
        exact.append(decompose(y, lab).between)
    exact = np.array(exact)
    obs = decompose(y, g).between
    p_exact = np.mean(exact >= obs - 1e-12)
    P = 6000
    r = permutation_test(y, g, permutations=P, seed=2024)
    values = np.unique(np.round(exact, 12))
    assert values.size == 10
    counts = np.array([np.sum(np.isclose(r.draws, v, rtol=1e-9)) for v in values])
    assert counts.sum() == P
    expected = P / 10
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 27.88  # chi-square(9) upper 0.1% point
    se = math.sqrt(p_exact * (1 - p_exact) / P)
    assert abs(r.pvalue - p_exact) < 4 * se + 1 / P


def test_permutation_zero_weight_units_and_generator_seed(data):
    y, g, w = data
    w = w.copy()
    w[:10] = 0.0
    r = permutation_test(y, g, w, permutations=64, seed=np.random.default_rng(5))
    assert np.isfinite(r.draws).all()
    r2 = permutation_test(y, g, w, permutations=64, seed=np.random.SeedSequence(5))
    r3 = permutation_test(y, g, w, permutations=64, seed=5)
    np.testing.assert_array_equal(r2.draws, r3.draws)


# ---------------------------------------------------------------------------------------------
# bootstrap
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("measure", MEASURES)
def test_bootstrap_intervals_and_shapes(data, measure):
    y, g, w = data
    r = bootstrap(y, g, w, measure=measure, draws=300, seed=4)
    stats = ["total", "between", "within"] + (["overlap"] if measure == "gini" else [])
    stats.append("between_share")
    assert list(r.draws.columns) == stats and r.draws.shape == (300, len(stats))
    assert list(r.ci.index) == stats
    assert list(r.ci.columns) == [
        "estimate",
        "lower",
        "upper",
        "se",
        "bias",
        "percentile_lower",
        "percentile_upper",
        "z0",
        "acceleration",
        "alpha_lower",
        "alpha_upper",
    ]
    assert r.estimate.total == decompose(y, g, w, measure=measure).total
    for s in ("total", "within", "between_share"):
        lo, hi = r.interval(s)
        assert lo <= getattr(r.estimate, s) <= hi, s
    assert r.ci.loc["between", "lower"] < r.ci.loc["between", "upper"]
    if measure != "gini":
        d = r.draws
        np.testing.assert_allclose(d["between"] + d["within"], d["total"], rtol=1e-9)
    again = bootstrap(y, g, w, measure=measure, draws=300, seed=4, n_jobs=2)
    pd.testing.assert_frame_equal(r.draws, again.draws)
    assert r.level == 0.95 and r.n_draws == 300


@pytest.mark.parametrize("measure", MEASURES)
def test_bootstrap_draws_equal_slow_loop_reference(data, measure):
    y, g, w = data
    B = 70
    r = bootstrap(y, g, w, measure=measure, draws=B, seed=31)
    ys, cs, ws = _sorted(y, g, w)
    sizes = np.bincount(cs)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    rows = []
    for child, size in _simulation._plan(31, B):
        rng = _simulation._generator(child)
        idx = np.empty((size, ys.size), dtype=int)
        for a, m in zip(starts, sizes, strict=True):  # one call per group, in group order
            idx[:, a : a + m] = rng.integers(a, a + m, size=(size, m), dtype=np.int32)
        for row in idx:
            assert np.array_equal(cs[row], cs)  # stratified: every unit stays in its group
            rows.append(decompose(ys[row], cs, ws[row], measure=measure))
    for col in ("total", "between", "within", "between_share"):
        np.testing.assert_allclose(
            r.draws[col], [getattr(d, col) for d in rows], rtol=1e-9, atol=1e-13
        )


def test_bootstrap_is_stratified():
    """Constant values within groups: resampling within groups cannot change anything."""
    y = np.repeat([1.0, 2.0, 5.0], [5, 7, 3])
    g = np.repeat(["a", "b", "c"], [5, 7, 3])
    r = bootstrap(y, g, draws=50, seed=0)
    np.testing.assert_allclose(r.draws["between"], r.estimate.between, rtol=1e-12)
    np.testing.assert_allclose(r.draws["within"], 0.0, atol=1e-15)


# ---------------------------------------------------------------------------------------------
# measurement error
# ---------------------------------------------------------------------------------------------


def test_measurement_error_basics(data):
    y, g, w = data
    half = 0.05 * y
    lo, hi = y - half, y + half
    lo[:5] = np.nan
    hi[:5] = np.nan
    r = measurement_error(y, lo, hi, g, w, draws=200, seed=3)
    assert r.n_uncertain == 115 and r.draws.shape == (200, 4)
    np.testing.assert_allclose(r.sd[5:], (hi[5:] - lo[5:]) / (2 * 1.959964), rtol=1e-6)
    assert (r.sd[:5] == 0).all()
    for s in ("total", "between_share"):
        a, b = r.interval(s)
        assert a < getattr(r.estimate, s) < b
    again = measurement_error(y, lo, hi, g, w, draws=200, seed=3, n_jobs=2)
    pd.testing.assert_frame_equal(r.draws, again.draws)


def test_measurement_error_without_bounds_keeps_point_values(data):
    y, g, w = data
    nan = np.full(y.size, np.nan)
    for m in MEASURES:
        r = measurement_error(y, nan, nan, g, w, measure=m, draws=20, seed=1)
        assert r.n_uncertain == 0
        np.testing.assert_allclose(r.draws["total"], r.estimate.total, rtol=1e-12)
        np.testing.assert_allclose(r.draws["between"], r.estimate.between, rtol=1e-9, atol=1e-15)


def test_measurement_error_sd_scale_and_reference():
    # area 1 fixed at 0, area 2 ~ N(0, sd^2): variance of the pair is (y2/2)^2, mean sd^2/4
    sd = 2.0
    z = 1.959963984540054
    r = measurement_error(
        [0.0, 0.0],
        [np.nan, -z * sd],
        [np.nan, z * sd],
        ["a", "b"],
        measure="variance",
        draws=4000,
        seed=11,
    )
    assert r.draws["total"].mean() == pytest.approx(sd**2 / 4, rel=0.06)
    # slow reference with the same streams
    y = np.array([3.0, 4.0, 5.0, 9.0, 10.0])
    g = np.array(["b", "a", "b", "a", "a"])
    w = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    lo, hi = y - 0.5, y + 0.5
    ys, cs, ws = _sorted(y, g, w)
    sds = (hi - lo)[_order(y, g)] / (2 * z)
    for m in MEASURES:
        res = measurement_error(y, lo, hi, g, w, measure=m, draws=70, seed=8)
        ref = []
        for child, size in _simulation._plan(8, 70):
            sims = ys + sds * _simulation._generator(child).standard_normal((size, ys.size))
            ref += [decompose(row, cs, ws, measure=m) for row in sims]
        for col in ("total", "between", "within", "between_share"):
            np.testing.assert_allclose(
                res.draws[col], [getattr(d, col) for d in ref], rtol=1e-9, atol=1e-14
            )


def test_measurement_error_refuses_or_truncates_nonpositive_draws():
    y = np.array([0.3, 5.0, 6.0, 7.0])
    lo = np.array([-1.5, 4.0, 5.0, 6.0])
    hi = np.array([2.1, 6.0, 7.0, 8.0])
    g = ["a", "a", "b", "b"]
    with pytest.raises(ValueError, match=r"theil_t needs simulated values > 0.*truncate=True"):
        measurement_error(y, lo, hi, g, draws=100, seed=0)
    r = measurement_error(y, lo, hi, g, draws=300, seed=0, truncate=True)
    assert r.truncate and np.isfinite(r.draws.to_numpy()).all()
    v = measurement_error(y, lo, hi, g, measure="variance", draws=50, seed=0)
    assert np.isfinite(v.draws["total"]).all()


@pytest.mark.parametrize(
    ("lower", "upper", "pattern"),
    [
        ([1.0, 2.0], [2.0, 3.0], "lower has length 2"),
        ([1.0, np.nan, 2.0], [2.0, 3.0, 3.0], "only one of lower/upper"),
        ([1.0, 3.5, 2.0], [2.0, 3.0, 3.0], r"lower > upper for 1 areas \(first at position 1"),
        ([1.0, -np.inf, 2.0], [2.0, 3.0, 3.0], "lower has infinite values"),
    ],
)
def test_measurement_error_bad_bounds(lower, upper, pattern):
    with pytest.raises(ValueError, match=pattern):
        measurement_error([1.5, 2.5, 2.5], lower, upper, [0, 0, 1], draws=5)


# ---------------------------------------------------------------------------------------------
# validation shared by all three
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: permutation_test([1, 2, 3], [0, 0, 1], permutations=0), "permutations must be"),
        (lambda: permutation_test([1, 2, 3], [0, 0, 1], permutations=9.5), "permutations must"),
        (lambda: permutation_test([1, -2, 3], [0, 0, 1]), "theil_t needs values > 0"),
        (lambda: permutation_test([1, 2, 3], [0, 0, 1], seed="x"), "seed must be"),
        (lambda: permutation_test([1, 2, 3], [0, 0, 1], n_jobs=0), "n_jobs must be"),
        (lambda: bootstrap([1, 2, 3], [0, 0, 1], draws=0), "draws must be"),
        (lambda: bootstrap([1, 2, 3], [0, 0, 1], level=1.5), "level must lie in"),
        (lambda: bootstrap([1, 2, 3], [0, 1]), "groups has length 2"),
        (lambda: bootstrap([1, 2, 3], [0, 0, 1], weights=[0, 0, 0]), "weights are all zero"),
        (lambda: measurement_error([1, 2], [1, 2], [1, 2], [0, 1], level=0), "level must"),
        (lambda: measurement_error([1, np.nan], [1, 2], [1, 2], [0, 1]), "missing"),
    ],
)
def test_inference_refuses_bad_input(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


def test_intervals_report_the_shift_of_the_draws():
    """``bias`` is the mean draw minus the estimate, for every statistic."""
    rng = np.random.default_rng(7)
    values = rng.lognormal(size=120)
    groups = np.repeat(list("abcd"), 30)
    result = bootstrap(values, groups, draws=199, seed=3)
    for statistic in ("total", "between", "within", "between_share"):
        expected = result.draws[statistic].mean() - result.ci.loc[statistic, "estimate"]
        assert result.ci.loc[statistic, "bias"] == pytest.approx(expected, rel=1e-12)
    # Resampling areas within groups adds noise to group means: the between part rises.
    assert result.ci.loc["between", "bias"] > 0


# ---------------------------------------------------------------------------------------------
# BCa intervals
# ---------------------------------------------------------------------------------------------


def test_bca_reduces_to_the_percentile_interval_without_bias_or_acceleration():
    from localineq.stats.bootstrap import bca_interval

    draws = np.random.default_rng(0).normal(size=2001)
    est = float(np.median(draws))
    symmetric = np.concatenate([-np.arange(1.0, 6.0), np.arange(1.0, 6.0)])  # a = 0
    d = bca_interval(draws, est, symmetric, 0.9)
    assert d["z0"] == pytest.approx(0.0, abs=1e-3) and d["acceleration"] == 0.0
    lo, hi = np.quantile(draws, [0.05, 0.95])
    assert d["lower"] == pytest.approx(lo, abs=2e-3) and d["upper"] == pytest.approx(hi, abs=2e-3)


def test_bca_moves_against_the_bias_of_the_draws():
    from localineq.stats.bootstrap import bca_interval

    # Draws shifted upwards from the estimate (as for a between share): BCa reaches lower.
    draws = np.random.default_rng(1).normal(loc=0.3, size=4000)
    d = bca_interval(draws, 0.0, np.zeros(3), 0.95)
    pct = np.quantile(draws, [0.025, 0.975])
    assert d["z0"] < 0 and d["lower"] < pct[0] and d["upper"] < pct[1]
    assert d["lower"] <= 0.0 <= d["upper"]


def test_bca_is_undefined_when_every_draw_lies_on_one_side():
    from localineq.stats.bootstrap import bca_interval

    d = bca_interval(np.arange(1.0, 50.0), 0.0, np.arange(5.0))
    assert np.isnan(d["lower"]) and np.isnan(d["upper"])


def test_jackknife_matches_leaving_each_area_out():
    from localineq.stats._core import _prepare
    from localineq.stats._simulation import _sort_units
    from localineq.stats.bootstrap import _jackknife

    rng = np.random.default_rng(5)
    y = rng.lognormal(size=40)
    g = np.repeat(list("abcd"), 10)
    w = rng.uniform(1, 3, size=40)
    for measure in MEASURES:
        u = _sort_units(_prepare(y, g, w, measure), measure)
        jack = _jackknife(u, measure)["between_share"]
        loo = [
            decompose(np.delete(y, i), np.delete(g, i), np.delete(w, i), measure=measure)
            for i in u.order
        ]
        np.testing.assert_allclose(jack, [r.between_share for r in loo], rtol=1e-9, atol=1e-12)


def test_bca_coverage_of_the_between_share_on_a_known_population():
    """Monte Carlo: samples of 50 areas per region from a known population of 4 regions;
    the 95% BCa interval of the between share should cover the population value in about
    95% of samples (measured: 0.92 over 200 samples; the raw percentile range covers less)."""
    rng = np.random.default_rng(42)
    size = 40000
    mult = np.array([1.0, 1.1, 1.25, 1.4])
    pop_y = np.concatenate([m * rng.lognormal(0.0, 0.5, size) for m in mult])
    pop_g = np.repeat(np.arange(4), size)
    truth = decompose(pop_y, pop_g).between_share
    reps, n = 120, 50
    bca_hits = pct_hits = 0
    for rep in range(reps):
        idx = np.concatenate([rng.integers(0, size, n) + k * size for k in range(4)])
        ci = bootstrap(pop_y[idx], pop_g[idx], draws=199, seed=rep).ci.loc["between_share"]
        bca_hits += ci["lower"] <= truth <= ci["upper"]
        pct_hits += ci["percentile_lower"] <= truth <= ci["percentile_upper"]
    coverage = bca_hits / reps
    # Binomial sd at 0.95 with 120 samples is 0.02: 0.85 flags a broken interval.
    assert 0.85 <= coverage <= 1.0, coverage
    assert bca_hits >= pct_hits - 3
