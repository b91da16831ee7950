"""Unit and property tests for localineq.stats.decomposition."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from statsmodels.regression.mixed_linear_model import MixedLM, MixedLMParams
from statsmodels.tools.sm_exceptions import ConvergenceWarning

from localineq.stats import dispersion as M
from localineq.stats._core import ADDITIVE_MEASURES, MEASURES
from localineq.stats.convergence import beta_convergence, sigma_convergence
from localineq.stats.decomposition import decompose, profile
from localineq.stats.dispersion import cv, gini, p90_p10, weighted_quantile, williamson
from localineq.stats.multilevel import BOUNDARY_MESSAGE, _criterion, _group_summaries, icc

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _close(a: float, b: float, rel: float = 1e-9, abs_: float = 1e-13) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


# ---------------------------------------------------------------------------------------------
# closed forms
# ---------------------------------------------------------------------------------------------


def test_theil_of_equal_values_is_zero():
    d = decompose([1, 1, 1, 1], ["a", "a", "b", "b"])
    assert d.total == 0.0 and d.between == 0.0 and d.within == 0.0
    assert math.isnan(d.between_share)
    assert M.theil_t([5.0] * 7) == 0.0


@pytest.mark.parametrize("n", [2, 5, 100])
def test_theil_t_one_rich_area_is_ln_n(n):
    y = np.full(n, 1e-300)
    y[-1] = 1.0
    assert M.theil_t(y) == pytest.approx(math.log(n), rel=1e-12)


def test_two_groups_closed_form_all_measures():
    y, g = [1, 1, 3, 3], ["a", "a", "b", "b"]
    # mu = 2, s_a = 1/4, s_b = 3/4, v_a = v_b = 1/2
    t = decompose(y, g, measure="theil_t")
    assert t.between == pytest.approx(0.25 * math.log(0.5) + 0.75 * math.log(1.5), rel=1e-14)
    assert t.within == 0.0 and t.between_share == pytest.approx(1.0)
    mld = decompose(y, g, measure="theil_l")
    assert mld.between == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3), rel=1e-14)
    var = decompose(y, g, measure="variance")
    assert (var.total, var.between, var.within) == (1.0, 1.0, 0.0)
    gi = decompose(y, g, measure="gini")
    # G = sum_ij |yi - yj| / (2 n^2 mu) = 8 * 2 / (2 * 16 * 2) = 0.25
    assert gi.total == pytest.approx(0.25) and gi.between == pytest.approx(0.25)
    assert gi.within == 0.0 and gi.overlap == pytest.approx(0.0, abs=1e-15)


def test_within_groups_closed_form():
    # two groups with the same mean: all inequality is within
    y, g = [1, 3, 2, 2], ["a", "a", "b", "b"]
    t = decompose(y, g)
    ta = 0.5 * (0.5 * math.log(0.5)) + 0.5 * (1.5 * math.log(1.5))
    assert t.between == pytest.approx(0.0, abs=1e-15)
    assert t.groups.set_index("group").loc["a", "within"] == pytest.approx(ta, rel=1e-14)
    assert t.groups.set_index("group").loc["b", "within"] == pytest.approx(0.0, abs=1e-15)
    assert t.within == pytest.approx(0.5 * ta, rel=1e-14)  # s_a = 1/2


def test_group_table_columns_and_contributions():
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=40)
    g = rng.choice(["x", "y", "z"], size=40)
    w = rng.integers(1, 10, size=40)
    for m in MEASURES:
        d = decompose(y, g, w, measure=m)
        assert list(d.groups.columns) == [
            "group",
            "n",
            "weight_share",
            "value_share",
            "mean",
            "within",
            "contribution",
        ]
        assert list(d.groups["group"]) == ["x", "y", "z"]
        assert d.groups["n"].sum() == 40 and d.n == 40
        assert d.groups["weight_share"].sum() == pytest.approx(1.0)
        assert d.groups["contribution"].sum() == pytest.approx(d.within, rel=1e-12)
        assert d.measure == m
        for label, sub in d.groups.groupby("group"):
            own = {
                "theil_t": M.theil_t,
                "theil_l": M.theil_l,
                "variance": M.variance,
                "gini": gini,
            }[m](y[g == label], w[g == label])
            assert sub["within"].iloc[0] == pytest.approx(own, rel=1e-12)


def test_variance_decomposition_matches_numpy_and_weighted_r2():
    rng = np.random.default_rng(7)
    n = 300
    g = rng.integers(0, 6, size=n)
    y = rng.normal(size=n) + g * 0.3
    w = rng.uniform(0.5, 3.0, size=n)
    d = decompose(y, g, w, measure="variance")
    mu = np.average(y, weights=w)
    assert d.total == pytest.approx(np.average((y - mu) ** 2, weights=w), rel=1e-12)
    means = {k: np.average(y[g == k], weights=w[g == k]) for k in range(6)}
    fitted = np.array([means[k] for k in g])
    assert d.between == pytest.approx(np.average((fitted - mu) ** 2, weights=w), rel=1e-12)
    assert d.within == pytest.approx(np.average((y - fitted) ** 2, weights=w), rel=1e-12)
    dummies = pd.get_dummies(g, drop_first=True).to_numpy(float)
    r2 = sm.WLS(y, sm.add_constant(dummies), weights=w).fit().rsquared
    assert d.between_share == pytest.approx(r2, rel=1e-10)


def _gini_brute(y, w=None):
    y = np.asarray(y, float)
    w = np.ones_like(y) if w is None else np.asarray(w, float)
    w = w / w.sum()
    mu = np.dot(w, y)
    return float((w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu))


@pytest.mark.parametrize("n", [2, 3, 10, 57])
def test_gini_of_single_positive_value(n):
    y = np.zeros(n)
    y[3 % n] = 1.0
    assert gini(y) == pytest.approx(1 - 1 / n, rel=1e-14)


def test_gini_matches_brute_force_weighted():
    rng = np.random.default_rng(11)
    for _ in range(20):
        n = int(rng.integers(2, 60))
        y = np.round(rng.lognormal(size=n), 1)  # rounding creates ties
        w = rng.uniform(0, 5, size=n)
        assert gini(y, w) == pytest.approx(_gini_brute(y, w), rel=1e-12)
        assert gini(y) == pytest.approx(_gini_brute(y), rel=1e-12)


def test_gini_decomposition_between_and_zero_overlap_when_ranges_separate():
    y = np.array([1.0, 2, 3, 10, 11, 12, 20, 21])
    g = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    w = np.array([1.0, 2, 1, 3, 1, 1, 2, 1])
    d = decompose(y, g, w, measure="gini")
    means = np.array([np.average(y[g == k], weights=w[g == k]) for k in range(3)])
    shares = np.array([w[g == k].sum() for k in range(3)])
    assert d.between == pytest.approx(_gini_brute(means, shares), rel=1e-12)
    assert d.total == pytest.approx(_gini_brute(y, w), rel=1e-12)
    assert d.overlap == pytest.approx(0.0, abs=1e-14)
    # overlapping ranges give a positive overlap term
    d2 = decompose([1, 10, 2, 11], [0, 0, 1, 1], measure="gini")
    assert d2.overlap > 0.01


def test_mld_closed_form():
    assert M.theil_l([1, 4]) == pytest.approx(math.log(2.5) - 0.5 * math.log(4), rel=1e-14)
    w = [3, 1]
    mu = (3 * 1 + 4) / 4
    assert M.theil_l([1, 4], w) == pytest.approx(math.log(mu) - 0.25 * math.log(4), rel=1e-14)


def test_cv_williamson_and_quantiles():
    assert cv([1, 3]) == pytest.approx(0.5)
    y = np.array([10.0, 20.0, 30.0])
    p = np.array([1.0, 2.0, 7.0])
    mu = np.average(y, weights=p)
    expected = math.sqrt(np.average((y - mu) ** 2, weights=p)) / mu
    assert williamson(y, p) == pytest.approx(expected, rel=1e-14)
    assert cv(y, p) == williamson(y, p)
    with pytest.raises(ValueError, match="williamson needs population weights"):
        williamson(y, None)
    rng = np.random.default_rng(0)
    x = rng.lognormal(size=101)
    for q in (0.0, 0.1, 0.25, 0.5, 0.9, 1.0):
        assert weighted_quantile(x, q) == np.quantile(x, q, method="inverted_cdf")
    assert p90_p10(x) == pytest.approx(
        np.quantile(x, 0.9, method="inverted_cdf") / np.quantile(x, 0.1, method="inverted_cdf")
    )
    assert p90_p10(list(range(1, 11))) == 9.0
    with pytest.raises(ValueError, match="positive 10th percentile"):
        p90_p10([0, 0, 0, 1, 2])
    with pytest.raises(ValueError, match="positive"):
        cv([-1, 1])


# ---------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        (dict(values=[1, 2, -2.0, 0], groups=[0, 0, 1, 1]), r"theil_t needs values > 0; 2 values"),
        (
            dict(values=[1, 2, 3, -2.0], groups=[0, 0, 1, 1], measure="theil_l"),
            r"theil_l needs values > 0; 1 values are <= 0 \(first at position 3: -2.0\)",
        ),
        (dict(values=[1, -2.0], groups=[0, 1], measure="gini"), "gini needs values >= 0"),
        (dict(values=[1, np.nan, 3], groups=[0, 0, 1]), r"values has 1 missing \(NaN\)"),
        (dict(values=[1, np.inf, 3], groups=[0, 0, 1]), "infinite"),
        (dict(values=[], groups=[]), "values is empty"),
        (dict(values=[1, 2, 3], groups=[0, 1]), "groups has length 2 but values has length 3"),
        (dict(values=[1, 2], groups=[0, 1], weights=[1]), "weights has length 1"),
        (dict(values=[1, 2], groups=[0, 1], weights=[1, -1]), "weights must be >= 0"),
        (dict(values=[1, 2], groups=[0, 1], weights=[0, 0]), "weights are all zero"),
        (dict(values=[1, 2], groups=[0, 1], weights=[1, np.nan]), "weights has 1 missing"),
        (
            dict(values=[1, 2, 3], groups=["a", "b", "b"], weights=[0, 1, 1]),
            "group 'a' has no units after weights",
        ),
        (dict(values=[1, 2, 3], groups=["a", None, "b"]), "groups has 1 missing labels"),
        (dict(values=[1, 2], groups=[0, 1], measure="atkinson"), "unknown measure 'atkinson'"),
        (dict(values=["a", "b"], groups=[0, 1]), "values must be numeric"),
        (dict(values=[[1, 2], [3, 4]], groups=[0, 1]), "values must be 1-dimensional"),
        (dict(values=[0.0, 0.0], groups=[0, 1], measure="gini"), "positive .*mean"),
    ],
)
def test_decompose_refuses_bad_input(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        decompose(**kwargs)


def test_zero_weight_units_are_allowed_and_ignored():
    a = decompose([1.0, 2, 3, 50], [0, 0, 1, 1], weights=[1, 1, 1, 0])
    b = decompose([1.0, 2, 3], [0, 0, 1])
    assert a.total == pytest.approx(b.total) and a.between == pytest.approx(b.between)
    assert a.n == 4


def test_pandas_inputs_and_string_labels():
    df = pd.DataFrame(
        {"y": [1.0, 2.0, 4.0, 8.0], "rgn": ["N", "N", "S", "S"], "pop": [10, 20, 30, 40]}
    )
    d = decompose(df["y"], df["rgn"], df["pop"])
    e = decompose(df["y"].to_numpy(), list(df["rgn"]), df["pop"].to_list())
    assert d.total == e.total and d.between == e.between
    with pytest.raises(ValueError, match="missing"):
        decompose(pd.Series([1.0, pd.NA, 2.0], dtype="Float64"), [0, 0, 1])


# ---------------------------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------------------------

positive = st.floats(min_value=0.01, max_value=1000.0, allow_nan=False, allow_infinity=False)


@st.composite
def datasets(draw, min_n=2, max_n=40, int_weights=False):
    n = draw(st.integers(min_n, max_n))
    y = np.array(draw(st.lists(positive, min_size=n, max_size=n)))
    g = np.array(draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)))
    if int_weights:
        w = np.array(draw(st.lists(st.integers(1, 5), min_size=n, max_size=n)))
    else:
        w = np.array(draw(st.lists(st.floats(0.1, 10.0, allow_nan=False), min_size=n, max_size=n)))
    return y, g, w


@PROPERTY
@given(datasets())
def test_additive_measures_sum_to_total(data):
    y, g, w = data
    for m in ADDITIVE_MEASURES:
        for weights in (None, w):
            d = decompose(y, g, weights, measure=m)
            assert _close(d.total, d.between + d.within), (m, d)
            assert d.overlap == 0.0
            assert d.between >= -1e-12 and d.within >= -1e-12  # rounding only


@PROPERTY
@given(datasets())
def test_gini_components_sum_and_overlap_nonnegative(data):
    y, g, w = data
    d = decompose(y, g, w, measure="gini")
    assert _close(d.total, d.between + d.within + d.overlap)
    assert d.overlap >= -1e-12
    assert d.total == pytest.approx(_gini_brute(y, w), rel=1e-9)


@PROPERTY
@given(datasets(), st.floats(1e-3, 1e3))
def test_scale_invariance(data, c):
    y, g, w = data
    for m in ("theil_t", "theil_l", "gini"):
        a, b = decompose(y, g, w, measure=m), decompose(c * y, g, w, measure=m)
        for attr in ("total", "between", "within", "overlap"):
            assert _close(getattr(a, attr), getattr(b, attr), abs_=1e-12), (m, attr)
    assert _close(cv(y, w), cv(c * y, w))


@PROPERTY
@given(datasets(int_weights=True))
def test_replication_invariance(data):
    y, g, w = data
    ry, rg = np.repeat(y, w), np.repeat(g, w)
    for m in MEASURES:
        a, b = decompose(y, g, w, measure=m), decompose(ry, rg, measure=m)
        for attr in ("total", "between", "within", "overlap"):
            assert _close(getattr(a, attr), getattr(b, attr), abs_=1e-12), (m, attr)
    assert _close(gini(y, w), gini(ry))
    assert _close(cv(y, w), cv(ry))
    assert p90_p10(y, w) == p90_p10(ry)
    assert weighted_quantile(y, 0.5, w) == weighted_quantile(ry, 0.5)


@PROPERTY
@given(
    st.lists(positive, min_size=1, max_size=10),
    st.integers(2, 5),
    st.lists(st.integers(1, 4), min_size=10, max_size=10),
)
def test_identical_groups_have_no_between(base, k, wbase):
    base = np.array(base)
    wb = np.array(wbase[: base.size], float)
    y = np.tile(base, k)
    w = np.tile(wb, k)
    g = np.repeat(np.arange(k), base.size)
    for m in MEASURES:
        d = decompose(y, g, w, measure=m)
        assert abs(d.between) <= 1e-12 * max(1.0, abs(d.total)), m


@st.composite
def hierarchies(draw):
    n = draw(st.integers(2, 40))
    y = np.array(draw(st.lists(positive, min_size=n, max_size=n)))
    fine = np.array(draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)))
    mid = fine // 3  # each fine group lies in one mid group
    top = mid // 2
    w = np.array(draw(st.lists(st.floats(0.1, 10.0), min_size=n, max_size=n)))
    return y, [top, mid, fine], w


@PROPERTY
@given(hierarchies())
def test_profile_components_sum_to_total(data):
    y, levels, w = data
    for m in ADDITIVE_MEASURES:
        p = profile(y, levels, w, measure=m)
        assert len(p.components) == 4
        assert _close(p.components["component"].sum(), p.total), m
        assert (p.components["component"] >= -1e-12).all()  # rounding only
        assert p.total == pytest.approx(decompose(y, levels[0], w, measure=m).total, rel=1e-12)
        # level j's cumulative between equals decompose's between for that level
        for j, lv in enumerate(levels):
            cum = p.components["component"].iloc[: j + 1].sum()
            assert _close(cum, decompose(y, lv, w, measure=m).between, abs_=1e-12)


@PROPERTY
@given(datasets())
def test_profile_with_one_level_equals_decompose(data):
    y, g, w = data
    for m in ADDITIVE_MEASURES:
        p = profile(y, [g], w, measure=m)
        d = decompose(y, g, w, measure=m)
        assert _close(p.components["component"].iloc[0], d.between, abs_=1e-14)
        assert _close(p.components["component"].iloc[1], d.within, abs_=1e-14)
        assert p.total == d.total


# ---------------------------------------------------------------------------------------------
# profile specifics
# ---------------------------------------------------------------------------------------------


def test_profile_table_and_names():
    y = pd.Series([1.0, 2, 3, 4, 10, 20, 30, 40])
    itl1 = pd.Series(list("NNNNSSSS"), name="itl1")
    itl2 = pd.Series(["N1", "N1", "N2", "N2", "S1", "S1", "S2", "S2"], name="itl2")
    p = profile(y, [itl1, itl2])
    assert p.level_names == ("itl1", "itl2")
    assert list(p.components.columns) == ["level", "name", "n_groups", "component", "share"]
    assert list(p.components["name"]) == ["itl1", "itl2", "within itl2"]
    assert list(p.components["n_groups"]) == [2, 4, 8]
    assert p.components["share"].sum() == pytest.approx(1.0)
    q = profile(y, [list(itl1), list(itl2)])
    assert q.level_names == ("level_0", "level_1")


def test_profile_refuses_gini_and_unnested_levels():
    y = [1.0, 2, 3, 4]
    with pytest.raises(ValueError, match="additive measure"):
        profile(y, [[0, 0, 1, 1]], measure="gini")
    with pytest.raises(ValueError, match="levels is empty"):
        profile(y, [])
    top = ["A", "A", "B", "B"]
    fine = ["a1", "x", "x", "b1"]  # 'x' sits in both A and B
    with pytest.raises(
        ValueError, match=r"group 'x' of level 'lad' lies in 2 groups of level 'rgn'"
    ):
        profile(y, [top, fine], level_names=["rgn", "lad"])
    with pytest.raises(ValueError, match="level_names has 1 names for 2 levels"):
        profile(y, [top, top], level_names=["a"])
    with pytest.raises(ValueError, match="has length 3"):
        profile(y, [top, fine[:3]])


# ---------------------------------------------------------------------------------------------
# ICC
# ---------------------------------------------------------------------------------------------


def _anova_icc(y, g):
    k = np.unique(g).size
    m = y.size // k
    means = np.array([y[g == j].mean() for j in range(k)])
    msb = m * ((means - y.mean()) ** 2).sum() / (k - 1)
    msw = sum(((y[g == j] - means[j]) ** 2).sum() for j in range(k)) / (y.size - k)
    su = (msb - msw) / m
    return su / (su + msw), su, msw


def _reml_deviance(y, g, su, se):
    """-2 x REML log-likelihood (less its 2*pi constant), by dense algebra on each group's V."""
    logdet = xvx = xvy = 0.0
    blocks = []
    for j in np.unique(g):
        yj = y[g == j]
        v = se * np.eye(yj.size) + su
        vinv = np.linalg.inv(v)
        logdet += np.linalg.slogdet(v)[1]
        xvx += vinv.sum()
        xvy += (vinv @ yj).sum()
        blocks.append((yj, vinv))
    beta = xvy / xvx
    return logdet + math.log(xvx) + sum((yj - beta) @ vinv @ (yj - beta) for yj, vinv in blocks)


def _random_intercepts(rng, k, sizes, rho, loc=0.0, scale=1.0):
    g = rng.permutation(np.repeat(np.arange(k), sizes))
    u = rng.normal(size=k)[g]
    e = rng.normal(size=g.size)
    return loc + scale * (math.sqrt(rho) * u + math.sqrt(1 - rho) * e), g


def _statsmodels_reml(y, g, **fit_kwargs):
    """(between, within, cleanly converged) of statsmodels' MixedLM REML fit."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = MixedLM(y, np.ones((y.size, 1)), groups=g).fit(reml=True, **fit_kwargs)
    # statsmodels also files its sigma_u^2 < 0.01 "boundary" note as a ConvergenceWarning
    trouble = [
        c
        for c in caught
        if issubclass(c.category, ConvergenceWarning) and "boundary" not in str(c.message)
    ]
    return float(res.cov_re[0, 0]), float(res.scale), bool(res.converged) and not trouble


def test_icc_matches_anova_estimator_on_balanced_data():
    rng = np.random.default_rng(42)
    k, m = 40, 25
    g = np.repeat(np.arange(k), m)
    y = 5 + rng.normal(scale=1.0, size=k)[g] + rng.normal(scale=1.5, size=k * m)
    r = icc(y, g)
    rho, su, se = _anova_icc(y, g)
    # for balanced data REML is the ANOVA estimator, and the fit is exact
    assert r.icc == pytest.approx(rho, rel=1e-10)
    assert r.between_variance == pytest.approx(su, rel=1e-10)
    assert r.within_variance == pytest.approx(se, rel=1e-10)
    assert (r.n, r.n_groups) == (k * m, k)
    assert r.converged and r.messages == ()
    assert 1.0 / (1 + 1.5**2) - 0.15 < r.icc < 1.0 / (1 + 1.5**2) + 0.15


@pytest.mark.parametrize("k", [2, 3, 11, 165])
@pytest.mark.parametrize("m", [2, 3, 25])
def test_icc_closed_form_on_balanced_data(k, m):
    # Closed form when MS_B > MS_W: sigma_u^2 = (MS_B - MS_W)/m, sigma_e^2 = MS_W. The relative
    # error allowed on sigma_u^2 covers the cancellation in MS_B - MS_W when the ICC is small.
    checked = 0
    for seed in range(12):
        rng = np.random.default_rng(1000 * k + 10 * m + seed)
        rho = (0.05, 0.5, 0.9, 0.99)[seed % 4]
        y, g = _random_intercepts(
            rng, k, m, rho, loc=rng.uniform(-10, 10), scale=10.0 ** (seed - 6)
        )
        _, su, se = _anova_icc(y, g)
        if su <= 0:
            continue
        r = icc(y, g)
        assert r.between_variance == pytest.approx(su, rel=1e-9)
        assert r.within_variance == pytest.approx(se, rel=1e-10)
        assert r.converged and r.messages == ()
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize("seed", range(6))
def test_icc_is_zero_on_the_boundary_when_ms_between_below_ms_within(seed):
    rng = np.random.default_rng(seed)
    k, m = (2, 5, 11, 40, 165, 3)[seed], (5, 2, 30, 3, 2, 9)[seed]
    if seed % 2:  # every group the same values, reordered: identical group means, MS_B = 0
        y = np.concatenate([rng.permutation(np.arange(m, dtype=float)) for _ in range(k)])
    else:  # no group effect, drawn until the sample shows MS_B < MS_W
        while True:
            y = rng.normal(size=k * m) * 3 + 7
            if _anova_icc(y, np.repeat(np.arange(k), m))[1] < 0:
                break
    r = icc(y, np.repeat(np.arange(k), m))
    assert r.between_variance == 0.0 and r.icc == 0.0
    assert r.within_variance == pytest.approx(np.var(y, ddof=1), rel=1e-12)
    assert r.messages == (BOUNDARY_MESSAGE,) and r.converged


def test_icc_agrees_with_statsmodels_mixedlm_on_unbalanced_data():
    """statsmodels' MixedLM is the reference: never a better REML fit, same variances when tight.

    statsmodels stops at its optimiser's tolerance: with the default settings its variances
    differ from the exact optimum by up to ~1e-3 of the total variance even when it reports
    convergence, and it sometimes stops early (warnings, REML deviance worse by several units).
    Its fits with BFGS run to gtol=1e-10 that converge without warnings agree with ours to
    ~2e-9 of the total variance, so 1e-7 is the tolerance; every fit, clean or not, must have a
    REML deviance no lower than ours (computed here by dense algebra, independently of
    the profile formula the fit minimises).
    """
    clean = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        k = int(np.exp(rng.uniform(math.log(2), math.log(200))))
        sizes = rng.integers(1, 11, size=k)
        sizes[0] = max(sizes[0], 2)
        rho = float(rng.choice([0.0, 0.05, 0.2, 0.5, 0.8, 0.95]))
        y, g = _random_intercepts(
            rng, k, sizes, rho, loc=rng.uniform(-5, 5), scale=10.0 ** rng.uniform(-2, 2)
        )
        r = icc(y, g)
        assert r.converged
        ours = _reml_deviance(y, g, r.between_variance, r.within_variance)
        for fit_kwargs in ({}, {"method": "bfgs", "gtol": 1e-10}):
            su, se, converged = _statsmodels_reml(y, g, **fit_kwargs)
            theirs = _reml_deviance(y, g, max(su, 0.0), se)
            assert ours <= theirs + 1e-9 * max(1.0, abs(theirs)), (seed, fit_kwargs)
            if fit_kwargs and converged:
                clean += 1
                total = r.between_variance + r.within_variance
                assert abs(su - r.between_variance) <= 1e-7 * total, seed
                assert se == pytest.approx(r.within_variance, rel=1e-7), seed
    assert clean >= 15  # most tight fits converge cleanly (21 of 30 with these seeds)


def test_icc_criterion_is_statsmodels_reml_log_likelihood():
    # -2 x statsmodels' profiled REML log-likelihood is the criterion the fit minimises, up to
    # a constant. (Its log-likelihood is off near gamma = 0, below ~1e-9, so gamma >= 1e-3.)
    rng = np.random.default_rng(7)
    y, g = _random_intercepts(rng, 25, rng.integers(1, 9, size=25), 0.3, loc=2.0)
    model = MixedLM(y, np.ones((y.size, 1)), groups=g)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(reml=True)  # loglike needs the state a fit sets up
    sizes, means, ssw = _group_summaries(y, g, 25)
    gaps = []
    for gamma in (1e-3, 0.1, 0.5, 2.0, 30.0):
        params = MixedLMParams.from_components(fe_params=np.zeros(1), cov_re=np.array([[gamma]]))
        f = float(_criterion(gamma, sizes, means, ssw)[0])
        gaps.append(-2 * model.loglike(params, profile_fe=True) - f)
    assert np.ptp(gaps) < 1e-9


@pytest.mark.parametrize("seed", range(40))
def test_icc_is_the_global_minimum_of_the_criterion(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 60))
    y, g = _random_intercepts(
        rng, k, rng.integers(1, 8, size=k) + (np.arange(k) == 0), rng.uniform(0, 0.99)
    )
    r = icc(y, g)
    sizes, means, ssw = _group_summaries(y, g, k)
    gamma = r.between_variance / r.within_variance
    t = np.linspace(0.0, 1.0, 20001)[:-1]  # every ICC from 0 to 1
    dense = _criterion(t / (1 - t), sizes, means, ssw)[0]
    best = float(_criterion(gamma, sizes, means, ssw)[0])
    assert best <= dense.min() + 1e-12 * max(1.0, abs(best))
    assert r.icc == pytest.approx(gamma / (1 + gamma), rel=1e-12)


@PROPERTY
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 60),
    st.floats(0.0, 0.99),
    st.floats(1e-3, 1e3),
    st.floats(-1e3, 1e3),
)
def test_icc_invariant_to_scale_shift_and_order(seed, k, rho, c, shift):
    rng = np.random.default_rng(seed)
    y, g = _random_intercepts(rng, k, rng.integers(1, 8, size=k) + (np.arange(k) == 0), rho)
    r = icc(y, g)
    total = r.between_variance + r.within_variance

    def same(a, b, factor=1.0):
        assert a.icc == pytest.approx(b.icc, abs=1e-9)
        assert a.between_variance == pytest.approx(
            factor * b.between_variance, abs=1e-9 * factor * total
        )
        assert a.within_variance == pytest.approx(factor * b.within_variance, rel=1e-9)
        assert a.messages == b.messages and (a.n, a.n_groups) == (b.n, b.n_groups)

    same(icc(c * y, g), r, c * c)
    same(icc(y + shift, g), r)
    order = rng.permutation(y.size)
    names = np.array([f"area group {j}" for j in rng.permutation(k)], dtype=object)
    same(icc(y[order], names[g[order]]), r)


def test_icc_with_values_constant_within_groups():
    g = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])
    mu = np.array([1.0, 2.5, 4.0, 3.0])
    r = icc(mu[g], g)
    assert (r.icc, r.within_variance) == (1.0, 0.0)
    assert r.between_variance == pytest.approx(np.var(mu, ddof=1), rel=1e-14)
    assert r.converged and len(r.messages) == 1 and "constant within every group" in r.messages[0]
    # the limit of the fits as the within-group noise vanishes
    noisy = icc(mu[g] + 1e-6 * np.random.default_rng(0).normal(size=g.size), g)
    assert noisy.between_variance == pytest.approx(r.between_variance, rel=1e-5)
    assert noisy.messages == ()
    flat = icc(np.full(6, 2.5), [0, 0, 1, 1, 2, 2])
    assert math.isnan(flat.icc) and flat.between_variance == flat.within_variance == 0.0


def test_icc_string_groups_and_errors():
    r = icc([1.0, 1.2, 0.8, 3.0, 3.2, 2.8], list("aaabbb"))
    assert r.n_groups == 2 and 0.9 < r.icc < 1
    with pytest.raises(ValueError, match="at least 2 groups"):
        icc([1.0, 2.0, 3.0], ["a", "a", "a"])
    with pytest.raises(ValueError, match="more units than groups"):
        icc([1.0, 2.0], ["a", "b"])
    with pytest.raises(ValueError, match="missing"):
        icc([1.0, np.nan, 2.0, 3.0], list("aabb"))


# ---------------------------------------------------------------------------------------------
# convergence
# ---------------------------------------------------------------------------------------------


def test_beta_convergence_exact_and_against_polyfit():
    y0 = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    T = 10.0
    y1 = y0 * np.exp(T * (0.5 - 0.03 * np.log(y0)))
    r = beta_convergence(y0, y1, T)
    assert r.beta == pytest.approx(-0.03, abs=1e-12)
    assert r.intercept == pytest.approx(0.5, abs=1e-12)
    assert r.speed == pytest.approx(-math.log(1 - 0.3) / T, rel=1e-10)
    assert r.half_life == pytest.approx(math.log(2) / r.speed)
    rng = np.random.default_rng(5)
    y0 = rng.lognormal(3, 0.4, size=200)
    y1 = y0 * np.exp(rng.normal(0.02, 0.05, size=200) * 8 - 0.1 * np.log(y0))
    r = beta_convergence(y0, y1, 8)
    slope, icpt = np.polyfit(np.log(y0), (np.log(y1) - np.log(y0)) / 8, 1)
    assert r.beta == pytest.approx(slope, rel=1e-10)
    assert r.ci_low < r.beta < r.ci_high and r.n == 200 and not r.weighted
    rw = beta_convergence(y0, y1, 8, weights=rng.uniform(1, 3, 200), level=0.9)
    assert rw.weighted and rw.level == 0.9 and rw.ci_low < rw.beta < rw.ci_high


def test_beta_convergence_errors():
    with pytest.raises(ValueError, match=r"beta_convergence needs initial > 0; 1 initial are <= 0"):
        beta_convergence([1, 0, 2], [1, 2, 3], 5)
    with pytest.raises(ValueError, match="final has length"):
        beta_convergence([1, 2, 3], [1, 2], 5)
    with pytest.raises(ValueError, match="years must be a positive"):
        beta_convergence([1, 2, 3], [1, 2, 3], 0)
    with pytest.raises(ValueError, match="at least 3 areas"):
        beta_convergence([1, 2], [1, 2], 1)
    with pytest.raises(ValueError, match="all equal"):
        beta_convergence([2, 2, 2], [1, 2, 3], 1)


def test_sigma_convergence_per_period():
    rng = np.random.default_rng(1)
    y = rng.lognormal(size=60)
    per = np.repeat([2012, 2002, 2022], 20)
    pop = rng.integers(1, 100, size=60)
    for m in ("sd_log", "cv", "gini", "theil_t", "theil_l", "variance", "p90_p10"):
        df = sigma_convergence(y, per, pop, measure=m)
        assert list(df["period"]) == [2002, 2012, 2022]
        assert list(df["n"]) == [20, 20, 20]
        sel = per == 2012
        got = df.set_index("period").loc[2012, "dispersion"]
        if m == "sd_log":
            ly = np.log(y[sel])
            mu = np.average(ly, weights=pop[sel])
            want = math.sqrt(np.average((ly - mu) ** 2, weights=pop[sel]))
        elif m == "cv":
            want = cv(y[sel], pop[sel])
        elif m == "gini":
            want = gini(y[sel], pop[sel])
        elif m == "p90_p10":
            want = p90_p10(y[sel], pop[sel])
        else:
            want = decompose(y[sel], np.zeros(20), pop[sel], measure=m).total
        assert got == pytest.approx(want, rel=1e-12), m
    with pytest.raises(ValueError, match="needs weights"):
        sigma_convergence(y, per, measure="williamson")
    with pytest.raises(ValueError, match="sd_log needs values > 0"):
        sigma_convergence([1.0, -1.0], [1, 1])
