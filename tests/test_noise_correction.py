"""Tests for localineq.stats.noise_correction: shares of the signal, corrected for sampling error.

The simulation panels mimic the real ones: 12 regions, 361 areas (at least 12 per region),
uneven population weights, true between shares from about 10% to 60%, and per-area noise
variances spread like the published ones (gamma with shape 3; the ratio of mean noise variance
to signal variance 0.25-0.6, the range of the survey indicators' latest periods: median pay
0.23, employment 0.42, unemployment 0.46, life satisfaction 0.61).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from localineq.stats import noise_correction as nc
from localineq.stats.decomposition import decompose
from localineq.stats.multilevel import icc

MEASURES = ("variance", "theil_t", "theil_l")


def synthetic_panel(
    rng: np.random.Generator, share: float, noise_ratio: float, n: int = 361, k: int = 12
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Signal x, observed y = x + e, se, region labels and weights of one synthetic panel."""
    sizes = rng.multinomial(n - k * 12, np.ones(k) / k) + 12
    g = np.repeat(np.arange(k), sizes)
    a = rng.normal(0, 1, k)
    a = (a - a.mean()) / a.std()
    x = 50 + 4 * (a[g] * np.sqrt(share) + rng.normal(0, 1, n) * np.sqrt(1 - share))
    se = np.sqrt(noise_ratio * 16 * rng.gamma(3, 1 / 3, n))
    w = rng.lognormal(0, 0.5, n)
    y = x + rng.normal(0, 1, n) * se
    return x, y, se, g, w


@pytest.fixture(scope="module")
def panel():
    return synthetic_panel(np.random.default_rng(2024), 0.3, 0.45)


def test_standard_errors_from_symmetric_interval():
    se = nc.standard_errors([9.0, np.nan, 5.0, 1.0], [11.0, 3.0, np.nan, 1.0])
    assert se[0] == pytest.approx(2.0 / (2 * 1.959963984540054))
    assert np.isnan(se[1]) and np.isnan(se[2])
    assert se[3] == 0.0
    assert nc.standard_errors([0.0], [2.0], level=0.9)[0] == pytest.approx(1 / 1.6448536269514722)


def test_standard_errors_without_any_interval_need_no_scipy():
    """No area with both bounds: all NaN, the same array as before, and scipy.special (0.1 s
    to import) stays unimported; one published interval brings ndtri's z back."""
    code = (
        "import sys, numpy as np\n"
        "from localineq.stats.noise_correction import standard_errors\n"
        "se = standard_errors([np.nan, 1.0, np.nan], [np.nan, np.nan, 2.0])\n"
        "assert se.dtype == np.float64 and se.shape == (3,) and np.isnan(se).all()\n"
        "assert 'scipy.special' not in sys.modules\n"
        "from scipy.special import ndtri\n"
        "assert standard_errors([1.0], [3.0], level=0.9)[0] == 2 / (2 * float(ndtri(0.95)))\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert nc.standard_errors([], []).shape == (0,)


@pytest.mark.parametrize(
    ("lower", "upper", "match"),
    [([2.0], [1.0], "lower > upper"), ([1.0, 2.0], [3.0], "length"), ([np.inf], [1.0], "infinite")],
)
def test_standard_errors_refuse_bad_bounds(lower, upper, match):
    with pytest.raises(ValueError, match=match):
        nc.standard_errors(lower, upper)


def test_bad_se_is_refused(panel):
    _, y, se, g, w = panel
    with pytest.raises(ValueError, match="se has length"):
        nc.corrected_variance(y, se[:-1], g, w)
    bad = se.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="position 3"):
        nc.simex(y, bad, g, w, replicates=2, seed=0)


@pytest.mark.parametrize("measure", MEASURES)
def test_observed_components_match_decompose(panel, measure):
    _, y, se, g, w = panel
    split = nc.simex(y, se, g, w, measure, replicates=2, seed=0)
    ref = decompose(y, g, weights=w, measure=measure)
    assert split.observed_total == pytest.approx(ref.total, rel=1e-12)
    assert split.observed_between == pytest.approx(ref.between, rel=1e-12)
    assert split.observed_share == pytest.approx(ref.between_share, rel=1e-12)


@pytest.mark.parametrize("measure", MEASURES)
def test_zero_noise_changes_nothing(panel, measure):
    x, _, se, g, w = panel
    zero = np.zeros_like(se)
    split = nc.noise_correction(x, zero, g, w, measure=measure, bootstrap=20, seed=1).split
    assert split.between_share == pytest.approx(split.observed_share, rel=1e-9)
    assert split.noise_share_of_within == pytest.approx(0.0, abs=1e-9)


def test_closed_form_is_unbiased_for_each_component(panel):
    """Mean corrected components over noise draws equal the signal's (4 Monte Carlo s.e.)."""
    x, _, se, g, w = panel
    truth = decompose(x, g, weights=w, measure="variance")
    rng = np.random.default_rng(5)
    draws = np.array(
        [
            [s.between, s.within]
            for s in (
                nc.corrected_variance(x + se * rng.standard_normal(x.size), se, g, w)
                for _ in range(400)
            )
        ]
    )
    mc_se = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    assert abs(draws[:, 0].mean() - truth.between) < 4 * mc_se[0]
    assert abs(draws[:, 1].mean() - truth.within) < 4 * mc_se[1]


def test_extrapolant_is_the_quadratic_at_minus_one():
    coef = nc._extrapolation_coefficients(nc.SIMEX_LAMBDAS)
    grid = np.array([0.0, *nc.SIMEX_LAMBDAS])
    for power, expected in ((0, 1.0), (1, -1.0), (2, 1.0)):
        assert coef @ grid**power == pytest.approx(expected, abs=1e-12)


def test_simex_on_exact_variance_path_is_the_closed_form(panel):
    """In expectation the variance's components are linear in λ: extrapolation is exact."""
    _, y, se, g, w = panel
    closed = nc.corrected_variance(y, se, g, w)
    observed = np.array([closed.observed_total, closed.observed_between])
    excess = observed - np.array([closed.total, closed.between])  # noise at λ = 0
    grid = np.array([0.0, *nc.SIMEX_LAMBDAS])
    path = observed + grid[:, None] * excess
    extrapolated = nc._extrapolation_coefficients(nc.SIMEX_LAMBDAS) @ path
    assert extrapolated == pytest.approx([closed.total, closed.between], rel=1e-12)


#: SIMEX on the variance (Monte Carlo, 1000 antithetic pseudo data sets per λ) against the
#: closed form: the between shares agree within this (the Monte Carlo s.d. of the SIMEX share
#: on these panels is 0.0003-0.0005, measured over 10 seeds).
SIMEX_TOLERANCE = 0.003


@pytest.mark.parametrize("share", [0.1, 0.3, 0.6])
def test_simex_agrees_with_closed_form_on_variance(share):
    _, y, se, g, w = synthetic_panel(np.random.default_rng(11), share, 0.5)
    closed = nc.corrected_variance(y, se, g, w)
    sim = nc.simex(y, se, g, w, "variance", replicates=1000, seed=3)
    assert abs(sim.between_share - closed.between_share) < SIMEX_TOLERANCE
    assert sim.between == pytest.approx(closed.between, rel=0.01)
    assert sim.within == pytest.approx(closed.within, rel=0.01)
    # The correction is large compared with the tolerance: the check has power.
    assert closed.between_share - closed.observed_share > 3 * SIMEX_TOLERANCE


def test_simex_is_deterministic_and_redraws_into_the_domain():
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(6), 20)
    y = rng.uniform(1.0, 6.0, g.size)
    se = np.full(g.size, 1.0)  # values within 1-3 s.e. of zero: pseudo-values cross it
    a = nc.simex(y, se, g, measure="theil_l", replicates=30, seed=9)
    b = nc.simex(y, se, g, measure="theil_l", replicates=30, seed=9)
    assert np.array_equal(a.simex_path, b.simex_path)
    assert a.between_share == b.between_share
    assert a.redrawn > 0


SHARES = (0.08, 0.2, 0.3, 0.45, 0.58)


def _simulate(measure: str, per_share: int, seed: int, bootstrap: int) -> np.ndarray:
    """Rows (design share, true share, naive, corrected, interval covers truth)."""
    rng = np.random.default_rng(seed)
    rows = []
    for share in SHARES:
        for _ in range(per_share):
            x, y, se, g, w = synthetic_panel(rng, share, rng.uniform(0.25, 0.6))
            truth = decompose(x, g, weights=w, measure=measure).between_share
            r = nc.noise_correction(
                y, se, g, w, measure=measure, bootstrap=bootstrap, seed=int(rng.integers(2**31))
            )
            covered = r.lower <= truth <= r.upper
            rows.append((share, truth, r.split.observed_share, r.split.between_share, covered))
    return np.array(rows, dtype=float)


def _check_simulation(rows: np.ndarray, per_design: bool) -> None:
    design, truth, naive, corrected, covered = rows.T
    assert truth.min() < 0.15 and truth.max() > 0.55  # true shares span ~10% to 60%
    # Corrected: within 0.03 of the truth on average.
    assert abs((corrected - truth).mean()) < 0.03
    # Naive: biased towards "within" at every design share, far more than the corrected one.
    for share in SHARES:
        at = design == share
        assert (naive[at] - truth[at]).mean() < -0.02
        if per_design:
            assert abs((corrected[at] - truth[at]).mean()) < 0.03
    assert abs((naive - truth).mean()) > 3 * abs((corrected - truth).mean())
    # 95% bootstrap interval: coverage goal >= 0.9.
    assert covered.mean() >= 0.9


@pytest.mark.parametrize(("measure", "per_share"), [("variance", 8), ("theil_t", 4)])
def test_simulation_corrected_share_is_unbiased_and_covered(measure, per_share):
    """Must show: corrected share within 0.03 of the truth; naive biased towards within."""
    _check_simulation(_simulate(measure, per_share, seed=20251205, bootstrap=99), False)


@pytest.mark.skipif(
    os.environ.get("LOCALINEQ_SLOW_TESTS") != "1", reason="heavy: set LOCALINEQ_SLOW_TESTS=1"
)
@pytest.mark.parametrize("measure", MEASURES)
def test_simulation_heavy(measure):
    _check_simulation(_simulate(measure, 40, seed=7, bootstrap=199), True)


def test_reliability_adjusted_icc_recovers_signal_icc():
    """Balanced random-intercept panels: σ²_u = 1, signal residual 3 (ICC 0.25), noise 2."""
    rng = np.random.default_rng(8)
    naive, adjusted = [], []
    for _ in range(60):
        g = np.repeat(np.arange(12), 30)
        se = np.sqrt(2 * rng.gamma(3, 1 / 3, g.size))
        y = (
            rng.normal(0, 1, 12)[g]
            + rng.normal(0, np.sqrt(3), g.size)
            + se * rng.normal(size=g.size)
        )
        fit = icc(y, g)
        naive.append(fit.icc)
        adjusted.append(nc.reliability_adjusted_icc(fit.between_variance, fit.within_variance, se))
    assert np.mean(naive) < 0.25 * (1 + 3) / (1 + 3 + 2) + 0.03  # ~1/6: noise dilutes it
    assert abs(np.mean(adjusted) - 0.25) < 0.03
    assert abs(np.mean(adjusted) - 0.25) < abs(np.mean(naive) - 0.25) / 3


@pytest.mark.parametrize("measure", MEASURES)
def test_noise_correction_point_split_is_the_standalone_estimator(panel, measure):
    """noise_correction sorts its inputs once for the point estimate and the bootstrap; its
    split stays exactly corrected_variance's / simex's with the point seed it spawns."""
    _, y, se, g, w = panel
    got = nc.noise_correction(y, se, g, w, measure, replicates=6, bootstrap=3, seed=11).split
    point_seed, _ = np.random.SeedSequence(11).spawn(2)
    rng = np.random.default_rng(point_seed)
    alone = (
        nc.corrected_variance(y, se, g, w)
        if measure == "variance"
        else nc.simex(y, se, g, w, measure, replicates=6, seed=rng)
    )
    assert got.simex_path is None or np.array_equal(got.simex_path, alone.simex_path)
    assert (got.total, got.between, got.redrawn) == (alone.total, alone.between, alone.redrawn)


def test_noise_correction_checks_simex_settings_before_the_data():
    with pytest.raises(ValueError, match="replicates must be >= 1"):
        nc.noise_correction([1.0, -2.0], [0.1, 0.1], [0, 1], replicates=0)
