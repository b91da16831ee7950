"""The blocked SIMEX of localineq.stats.noise_correction against the whole-array formula.

``_simex_rows`` builds and reduces the pseudo data block by block in reused buffers (issue 22,
speed). The reference below is the straightforward version it replaced: all pseudo data sets
of a λ as one array, ``_components`` on it, and the non-positive values redrawn position by
position over the whole array. The two must agree bit for bit, draw the same random numbers in
the same order (same generator state afterwards) and count the same redraws.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localineq.stats import noise_correction as nc


def _reference_rows(y, se, w, starts, measure, lambdas, replicates, rng):
    """SIMEX means and extrapolation from whole arrays of pseudo data (the plain formula)."""
    path = [nc._components(y, w, starts, measure)]
    half = rng.standard_normal((*y.shape[:-1], (replicates + 1) // 2, y.shape[-1]))
    z = np.concatenate([half, -half], axis=-2)
    redrawn = 0
    for lam in lambdas:
        scale = np.sqrt(lam) * se
        x = y[..., None, :] + scale[..., None, :] * z
        if measure != "variance":
            bad = x <= 0
            while bad.any():
                idx = np.nonzero(bad)
                redrawn += idx[0].size
                yy = np.broadcast_to(y[..., None, :], x.shape)[idx]
                ss = np.broadcast_to(scale[..., None, :], x.shape)[idx]
                x[idx] = yy + ss * rng.standard_normal(idx[0].size)
                bad = x <= 0
        path.append(nc._components(x, w[..., None, :], starts, measure).mean(axis=-2))
    means = np.stack(path, axis=-2)
    coef = nc._extrapolation_coefficients(lambdas)
    return means, np.einsum("l,...lc->...c", coef, means), redrawn


@st.composite
def simex_inputs(draw):
    sizes = draw(st.lists(st.integers(1, 6), min_size=2, max_size=5))
    n = sum(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    lead = draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # Values from 0.2 to 5 with standard errors up to 1.5: some pseudo-values cross zero.
    y = rng.uniform(0.2, 5.0, (*lead, n))
    se = rng.uniform(0.0, 1.5, (*lead, n)) * (rng.uniform(size=(*lead, n)) > 0.2)
    w = rng.lognormal(0.0, 0.7, (*lead, n))
    return dict(
        y=y,
        se=se,
        w=w,
        starts=starts,
        measure=draw(st.sampled_from(nc.CORRECTED_MEASURES)),
        lambdas=draw(st.sampled_from([nc.SIMEX_LAMBDAS, (0.25, 1.0), (1.0, 2.0, 3.0)])),
        replicates=draw(st.integers(1, 9)),
        seed=seed + 1,
        block=draw(st.sampled_from([1, 7, 40, 1 << 15])),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simex_inputs())
def test_blocked_simex_is_the_whole_array_formula_bit_for_bit(args):
    block = args.pop("block")
    seed = args.pop("seed")
    rng_ref, rng_new = np.random.default_rng(seed), np.random.default_rng(seed)
    expected = _reference_rows(**args, rng=rng_ref)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(nc, "_BLOCK_VALUES", block)  # 1 and 7: every block ends inside a row set
        got = nc._simex_rows(**args, rng=rng_new)
    np.testing.assert_array_equal(got[0], expected[0], strict=True)
    np.testing.assert_array_equal(got[1], expected[1], strict=True)
    assert got[2] == expected[2]
    assert rng_new.bit_generator.state == rng_ref.bit_generator.state


@pytest.mark.parametrize("measure", ["theil_t", "theil_l"])
def test_noise_correction_is_unchanged_by_the_blocks(monkeypatch, measure):
    """The public estimator, point and bootstrap, with redraws: identical to the reference."""
    rng = np.random.default_rng(5)
    g = np.repeat(np.arange(6), 15)
    y = rng.uniform(0.5, 4.0, g.size)
    se = rng.uniform(0.2, 1.0, g.size)
    w = rng.lognormal(0.0, 0.5, g.size)
    kwargs = dict(measure=measure, replicates=40, bootstrap=23, bootstrap_replicates=6, seed=8)
    monkeypatch.setattr(nc, "_BLOCK_VALUES", 300)
    fast = nc.noise_correction(y, se, g, w, **kwargs)
    monkeypatch.setattr(nc, "_simex_rows", _reference_rows)
    slow = nc.noise_correction(y, se, g, w, **kwargs)
    assert fast.split.redrawn == slow.split.redrawn > 0
    np.testing.assert_array_equal(fast.split.simex_path, slow.split.simex_path, strict=True)
    np.testing.assert_array_equal(fast.draws, slow.draws, strict=True)
    assert (fast.lower, fast.upper) == (slow.lower, slow.upper)
