r"""Between/within decompositions of the *signal*: shares corrected for published sampling error.

A survey estimate is :math:`y_i = x_i + e_i` with signal :math:`x_i` and sampling error
:math:`e_i \sim (0, \sigma_i^2)`, independent across areas, with :math:`\sigma_i` read from the
published 95% interval (:func:`standard_errors`). Noise adds variance inside regions and is
averaged away in region means, so the observed between-region share understates the signal's.

Three estimators of the signal's split (notation of :mod:`localineq.stats.decomposition`:
weight shares :math:`w_i`, region weight :math:`v_g = \sum_{i\in g} w_i`):

* :func:`corrected_variance`: the variance decomposition, unbiased in closed form;
* :func:`simex`: Theil T and MLD (and the variance, as a check) by simulation-extrapolation
  (Cook & Stefanski 1994);
* :func:`reliability_adjusted_icc`: the random-intercept ICC with the noise taken out of the
  residual variance.

:func:`noise_correction` adds a stratified bootstrap interval around either. Every function
takes plain arrays (values, standard errors, group labels, weights) and knows nothing of
indicators or files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import _first, _prepare, as_1d_float

#: Variance multipliers λ of the SIMEX pseudo-data (λ = 0 is the observed data).
SIMEX_LAMBDAS: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)
#: Measures each estimator handles.
CORRECTED_MEASURES: tuple[str, ...] = ("theil_t", "theil_l", "variance")


def standard_errors(lower: npt.ArrayLike, upper: npt.ArrayLike, level: float = 0.95) -> np.ndarray:
    r"""Standard error of each area's value from its published symmetric interval.

    .. math:: \mathrm{se}_i = \frac{u_i - l_i}{2\, z_{(1+\mathrm{level})/2}},
              \qquad z_{0.975} \approx 1.959964

    The ONS intervals of the survey indicators (APS, ASHE, personal well-being, healthy life
    expectancy) are symmetric about the estimate on the published scale, so this is the scale
    used. An area with either bound missing gets NaN (no published error).

    Raises
    ------
    ValueError
        If the bounds differ in length, are infinite, or lower > upper.

    Examples
    --------
    >>> standard_errors([1.0, float("nan")], [4.92, 2.0]).round(4).tolist()
    [1.0, nan]
    """
    lo = as_1d_float(lower, "lower")
    hi = as_1d_float(upper, "upper")
    if lo.size != hi.size:
        raise ValueError(f"lower has length {lo.size} but upper has length {hi.size}")
    for arr, name in ((lo, "lower"), (hi, "upper")):
        inf = np.isinf(arr)
        if inf.any():
            raise ValueError(f"{name} has infinite values (first at position {_first(inf)})")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    both = ~(np.isnan(lo) | np.isnan(hi))
    inverted = both & (lo > hi)
    if inverted.any():
        i = _first(inverted)
        raise ValueError(
            f"lower > upper for {int(inverted.sum())} areas (first at position {i}: "
            f"lower={lo[i]}, upper={hi[i]})"
        )
    if not both.any():
        return np.full(lo.size, np.nan)
    # Imported here: scipy.special takes 0.1 s to import and most indicators publish no
    # interval. statistics.NormalDist().inv_cdf is no substitute: one ulp off ndtri at 0.975.
    from scipy.special import ndtri

    z = float(ndtri(0.5 + level / 2))
    return np.where(both, (hi - lo) / (2 * z), np.nan)


# ---------------------------------------------------------------------------------------------
# shared, vectorised over rows (replicates)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Sorted:
    y: np.ndarray  # values sorted by group
    se: np.ndarray
    w: np.ndarray
    starts: np.ndarray  # first position of each group
    sizes: np.ndarray


def _sorted_inputs(
    values: npt.ArrayLike, se: npt.ArrayLike, groups: Any, weights: Any, measure: str
) -> _Sorted:
    d = _prepare(values, groups, weights, measure, CORRECTED_MEASURES)
    s = as_1d_float(se, "se")
    if s.size != d.n:
        raise ValueError(f"se has length {s.size} but values has length {d.n}")
    bad = ~np.isfinite(s) | (s < 0)
    if bad.any():
        i = _first(bad)
        raise ValueError(
            f"se must be finite and >= 0; {int(bad.sum())} are not (first at position {i}: "
            f"{s[i]}); give 0 for an area without a published error"
        )
    order = np.argsort(d.codes, kind="stable")
    sizes = d.counts.astype(np.intp)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
    return _Sorted(d.y[order], s[order], d.w[order], starts, sizes)


def _components(x: np.ndarray, w: np.ndarray, starts: np.ndarray, measure: str) -> np.ndarray:
    """Total and between of each row of ``x`` (last axis units sorted by group): shape (..., 2)."""
    w = np.broadcast_to(w / w.sum(axis=-1, keepdims=True), x.shape)
    wx = w * x
    mu = wx.sum(axis=-1, keepdims=True)
    v = np.add.reduceat(w, starts, axis=-1)
    yg = np.add.reduceat(wx, starts, axis=-1)
    mg = yg / v
    if measure == "variance":
        total = (w * (x - mu) ** 2).sum(axis=-1)
        between = (v * (mg - mu) ** 2).sum(axis=-1)
    elif measure == "theil_t":
        r = x / mu
        total = (wx / mu * np.log(r)).sum(axis=-1)
        between = (yg / mu * np.log(mg / mu)).sum(axis=-1)
    else:  # theil_l
        total = (w * np.log(mu / x)).sum(axis=-1)
        between = (v * np.log(mu / mg)).sum(axis=-1)
    return np.stack([total, between], axis=-1)


def _closed_form(y: np.ndarray, se: np.ndarray, w: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Corrected (total, between) of each row; see :func:`corrected_variance`."""
    observed = _components(y, w, starts, "variance")
    w = np.broadcast_to(w / w.sum(axis=-1, keepdims=True), y.shape)
    se2 = np.broadcast_to(se**2, y.shape)
    a = (w * se2).sum(axis=-1)
    c = (w**2 * se2).sum(axis=-1)
    v = np.add.reduceat(w, starts, axis=-1)
    b = (np.add.reduceat(w**2 * se2, starts, axis=-1) / v).sum(axis=-1)
    return observed - np.stack([a - c, b - c], axis=-1)


def _extrapolation_coefficients(lambdas: Sequence[float]) -> np.ndarray:
    """c with Σ_l c_l f(λ_l) = the least-squares quadratic through (λ_l, f(λ_l)) at λ = −1."""
    grid = np.asarray([0.0, *lambdas], dtype=float)
    design = np.vander(grid, 3, increasing=True)
    return np.array([1.0, -1.0, 1.0]) @ np.linalg.pinv(design)


#: Pseudo data are processed in blocks of about this many values (rows of whole areas), so
#: that a block and its two temporaries (3 × 256 kB) stay in the L2 cache; the whole
#: resamples × replicates × areas array (5.6 MB at 199 × 10 × 350) does not.
_BLOCK_VALUES = 1 << 15


def _pseudo_total(
    x: np.ndarray,
    wn: np.ndarray,
    starts: np.ndarray,
    measure: str,
    buffers: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Total (...), weighted mean ``mu`` (..., 1) and weighted region sums ``yg`` (..., G) of
    each row of a block ``x`` (..., n), given the normalised weights ``wn`` (broadcast to x).

    The same floating-point operations, in the same order, as in :func:`_components` (which
    stays the readable statement of the formulas), so the results are bit for bit the same;
    only the temporaries go into ``buffers`` (of x's shape) instead of new arrays, and the
    between term is left to :func:`_between`, once for all blocks.
    """
    b1, b2 = buffers
    wx = np.multiply(wn, x, out=b1)
    mu = wx.sum(axis=-1, keepdims=True)
    yg = np.add.reduceat(wx, starts, axis=-1)
    if measure == "variance":
        t = np.subtract(x, mu, out=b2)
        np.multiply(wn, np.square(t, out=t), out=t)
    elif measure == "theil_t":
        t = np.log(np.divide(x, mu, out=b2), out=b2)
        t = np.multiply(np.divide(wx, mu, out=wx), t, out=wx)
    else:  # theil_l
        t = np.log(np.divide(mu, x, out=b2), out=b2)
        np.multiply(wn, t, out=t)
    return t.sum(axis=-1), mu, yg


def _between(yg: np.ndarray, mu: np.ndarray, v: np.ndarray, measure: str) -> np.ndarray:
    """Between component of each row from its region sums, as in :func:`_components`."""
    mg = yg / v
    if measure == "variance":
        return (v * (mg - mu) ** 2).sum(axis=-1)
    if measure == "theil_t":
        return (yg / mu * np.log(mg / mu)).sum(axis=-1)
    return (v * np.log(mu / mg)).sum(axis=-1)


def _redraw(
    y: np.ndarray, scale: np.ndarray, flat: np.ndarray, shape: tuple[int, ...], rng: Any
) -> tuple[np.ndarray, int]:
    """New pseudo-values for the flat positions ``flat`` (ascending) of the pseudo data of
    shape (p, r, n) whose value y + scale·z was <= 0 (``y``, ``scale``: (p, 1, n)): each round
    draws, in position order, a new value for every one still <= 0 (the normal truncated at
    0). Returns the values and the number of draws."""
    per_row, n = shape[1] * shape[2], shape[2]
    yy, ss = y[flat // per_row, 0, flat % n], scale[flat // per_row, 0, flat % n]
    values = np.empty(flat.size)
    bad = np.ones(flat.size, dtype=bool)
    redrawn = rounds = 0
    while bad.any():
        idx = np.flatnonzero(bad)
        redrawn += idx.size
        values[idx] = yy[idx] + ss[idx] * rng.standard_normal(idx.size)
        bad = values <= 0
        rounds += 1
        if rounds > 200:  # pragma: no cover - every value is > 0 with probability >= 1/2
            raise RuntimeError("SIMEX pseudo-data did not become positive")
    return values, redrawn


def _simex_rows(
    y: np.ndarray,
    se: np.ndarray,
    w: np.ndarray,
    starts: np.ndarray,
    measure: str,
    lambdas: Sequence[float],
    replicates: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, int]:
    r"""Mean (total, between) at λ = 0 and each λ (shape (..., L+1, 2)) and the extrapolation.

    The same antithetic draws serve every λ: the Monte Carlo error then nearly cancels in the
    extrapolation (exactly, for the variance, whose path is linear in λ for each pair ±z).
    Pseudo data set k of row p at λ is :math:`y + \sqrt{\lambda}\,\mathrm{se}\cdot z_k`
    with :math:`z_{h+k} = -z_k` (h = ⌈replicates/2⌉ standard normal draws of shape
    (..., h, n), drawn first); for the log measures every value <= 0 is then redrawn, all
    positions of one λ in C order of the (..., 2h, n) array, round after round.

    The pseudo data are built and reduced block by block (:data:`_BLOCK_VALUES`) with the
    arithmetic of :func:`_components`, and the results are bit for bit those of the
    whole-array formula (tests/test_noise_correction_blocks.py keeps it). A block holding a
    value <= 0 is set aside until every block of its λ is built, so that the redraws come
    in the whole array's order, from the same generator calls.
    """
    path = [_components(y, w, starts, measure)]
    lead, n = y.shape[:-1], y.shape[-1]
    p, h = int(np.prod(lead, dtype=int)), (replicates + 1) // 2
    half = rng.standard_normal((*lead, h, n)).reshape(p, h, n)
    y3 = y.reshape(p, 1, n)
    wn = (w / w.sum(axis=-1, keepdims=True)).reshape(p, 1, n)
    v = np.add.reduceat(wn, starts, axis=-1)
    rows = max(1, _BLOCK_VALUES // n)
    a, b = (max(1, rows // (2 * h)), h) if 2 * h <= rows else (1, max(1, rows // 2))
    size = a * 2 * b * n
    xbuf, b1, b2 = np.empty(size), np.empty(size), np.empty(size)
    bad = np.empty(size, dtype=bool)
    redrawn = 0
    total, mu = np.empty((p, 2, h)), np.empty((p, 2, h, 1))
    yg = np.empty((p, 2, h, starts.size))

    # Each block's slices and buffer views, made once for all λ (per-block Python overhead
    # was about a tenth of the time at 136 blocks per noise_correction call).
    blocks = []
    for p0 in range(0, p, a):
        for j0 in range(0, h, b):
            ps, js = slice(p0, min(p0 + a, p)), slice(j0, min(j0 + b, h))
            shape = (2, ps.stop - p0, js.stop - j0, n)  # sign of z, resample, draw, area
            m = int(np.prod(shape))
            views = tuple(buf[:m].reshape(shape) for buf in (xbuf, bad, b1, b2))
            blocks.append((ps, js, p0, j0, views, wn[None, ps], y3[ps], half[ps, js]))

    def reduce(ps: slice, js: slice, x: np.ndarray, wb: np.ndarray, tmp: tuple) -> None:
        t, m, g = _pseudo_total(x, wb, starts, measure, tmp)
        total[ps, :, js], mu[ps, :, js], yg[ps, :, js] = (
            t.swapaxes(0, 1),
            m.swapaxes(0, 1),
            g.swapaxes(0, 1),
        )

    for lam in lambdas:
        scale = (np.sqrt(lam) * se).reshape(p, 1, n)
        pending = []
        for ps, js, p0, j0, (x, xbad, t1, t2), wb, yb, zb in blocks:
            t = np.multiply(scale[ps], zb, out=x[1])
            np.add(yb, t, out=x[0])
            np.subtract(yb, t, out=x[1])  # y + scale·(−z), exactly
            if measure != "variance" and np.less_equal(x, 0, out=xbad).any():
                local = np.flatnonzero(xbad)
                sign, ip, ij, ii = np.unravel_index(local, x.shape)
                r = sign * h + j0 + ij
                glob = ((p0 + ip) * 2 * h + r) * n + ii
                pending.append((ps, js, x.copy(), local, glob, wb, (t1, t2)))
            else:
                reduce(ps, js, x, wb, (t1, t2))
        if pending:
            flat = np.concatenate([blk[4] for blk in pending])
            order = np.argsort(flat, kind="stable")
            values, r = _redraw(y3, scale, flat[order], (p, 2 * h, n), rng)
            redrawn += r
            new = np.empty_like(values)
            new[order] = values
            at = 0
            for ps, js, x, local, glob, wb, tmp in pending:
                x.reshape(-1)[local] = new[at : at + glob.size]
                at += glob.size
                reduce(ps, js, x, wb, tmp)
        rows_shape = (*lead, 2 * h)
        between = _between(yg.reshape(p, 2 * h, -1), mu.reshape(p, 2 * h, 1), v, measure)
        parts = [total.reshape(rows_shape), between.reshape(rows_shape)]
        path.append(np.stack(parts, axis=-1).mean(axis=-2))
    means = np.stack(path, axis=-2)
    coef = _extrapolation_coefficients(lambdas)
    return means, np.einsum("l,...lc->...c", coef, means), redrawn


# ---------------------------------------------------------------------------------------------
# public estimators
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalSplit:
    """Observed and noise-corrected (signal) components of one decomposition.

    Attributes
    ----------
    measure, method : str
        ``method`` is ``closed_form`` or ``simex``.
    observed_total, observed_between, observed_within, observed_share : float
    total, between, within, between_share : float
        The signal's components and between share (``between / total``); not clipped, so a
        share outside [0, 1] says the correction is larger than the data can bear.
    noise_share_of_within : float
        ``1 − within / observed_within``: the part of the observed within-region component
        that is sampling noise.
    simex_path : numpy.ndarray or None
        SIMEX only: rows λ = 0, λ_1, …; columns λ, mean total, mean between.
    redrawn : int
        SIMEX only: pseudo-values redrawn to stay in the log measures' domain (y > 0).
    """

    measure: str
    method: str
    observed_total: float
    observed_between: float
    observed_within: float
    observed_share: float
    total: float
    between: float
    within: float
    between_share: float
    noise_share_of_within: float
    simex_path: np.ndarray | None = None
    redrawn: int = 0


def _split(
    measure: str, method: str, observed: np.ndarray, signal: np.ndarray, **extra: Any
) -> SignalSplit:
    t0, b0 = (float(v) for v in observed)
    t, b = (float(v) for v in signal)
    return SignalSplit(
        measure=measure,
        method=method,
        observed_total=t0,
        observed_between=b0,
        observed_within=t0 - b0,
        observed_share=b0 / t0,
        total=t,
        between=b,
        within=t - b,
        between_share=b / t,
        noise_share_of_within=1.0 - (t - b) / (t0 - b0),
        **extra,
    )


def corrected_variance(
    values: npt.ArrayLike, se: npt.ArrayLike, groups: Any, weights: npt.ArrayLike | None = None
) -> SignalSplit:
    r"""Variance decomposition of the signal, unbiased in closed form.

    With :math:`y_i = x_i + e_i`, :math:`\operatorname{Var} e_i = \mathrm{se}_i^2` independent,
    weighted region means :math:`\bar y_g = \sum_{i\in g} (w_i/v_g) y_i` and the sampling
    variance of a region mean :math:`\operatorname{Var}(\bar y_g) = \sum_{i\in g}
    (w_i/v_g)^2 \mathrm{se}_i^2`, the expected observed components exceed the signal's by

    .. math::
        E[W_y] - W_x = \sum_i w_i \mathrm{se}_i^2 - \sum_g v_g \operatorname{Var}(\bar y_g),
        \qquad
        E[B_y] - B_x = \sum_g v_g \operatorname{Var}(\bar y_g) - \sum_i w_i^2 \mathrm{se}_i^2,

    so within_signal = within_obs − (weighted mean of se² − Σ_g v_g Var(ȳ_g)) and
    between_signal = between_obs − (Σ_g v_g Var(ȳ_g) − Var(ȳ)). The second terms are of
    order 1/n_g and 1/n of the first: to leading order the within part loses the weighted mean
    se² and the between part loses the region means' sampling variance. Each corrected
    component is unbiased; the share is their ratio.

    Parameters
    ----------
    values, groups, weights
        As in :func:`localineq.stats.decomposition.decompose`.
    se : array_like, shape (n,)
        Standard error of each value (0 where none is published).

    Examples
    --------
    >>> r = corrected_variance([1.0, 3.0, 5.0, 7.0], [1.0, 1.0, 1.0, 1.0], list("aabb"))
    >>> r.observed_within, r.within, r.observed_between, r.between
    (1.0, 0.5, 4.0, 3.75)
    """
    return _variance_split(_sorted_inputs(values, se, groups, weights, "variance"))


def _variance_split(s: _Sorted) -> SignalSplit:
    observed = _components(s.y, s.w, s.starts, "variance")
    return _split("variance", "closed_form", observed, _closed_form(s.y, s.se, s.w, s.starts))


def simex(
    values: npt.ArrayLike,
    se: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: str = "theil_t",
    lambdas: Sequence[float] = SIMEX_LAMBDAS,
    replicates: int = 100,
    seed: int | np.random.Generator | None = None,
) -> SignalSplit:
    r"""Signal decomposition by simulation-extrapolation (SIMEX; Cook & Stefanski 1994).

    For each :math:`\lambda` in ``lambdas``, ``replicates`` pseudo data sets (antithetic pairs
    :math:`\pm z`, the same draws for every :math:`\lambda`)
    :math:`y_i + \sqrt{\lambda}\,\mathrm{se}_i z_i` (:math:`z_i \sim N(0,1)`) carry noise of
    variance :math:`(1+\lambda)\mathrm{se}_i^2`; the mean total :math:`T(\lambda)` and between
    :math:`B(\lambda)` over replicates, with the observed :math:`T(0), B(0)`, are each fitted by
    least squares with a quadratic in :math:`\lambda` (the usual extrapolant) and evaluated at
    :math:`\lambda = -1`, the noise-free data. The between share is
    :math:`B(-1)/T(-1)`: the components are extrapolated rather than the share, because each is
    close to linear in the noise variance (exactly so for the variance) while a ratio is not.

    For Theil T and MLD a pseudo-value :math:`\le 0` is redrawn (the normal truncated at 0);
    ``redrawn`` counts them. The quadratic is exact in expectation for the variance, which the
    tests use to check the method against :func:`corrected_variance`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(list("abcd"), 25)
    >>> y = 10 + np.repeat([0.0, 1.0, 2.0, 3.0], 25) + rng.normal(0, 1.5, 100)
    >>> r = simex(y, np.full(100, 0.8), g, replicates=100, seed=1)
    >>> bool(r.observed_share < r.between_share < 1), r.simex_path.shape
    (True, (5, 3))
    """
    _check_simex(lambdas, replicates)
    s = _sorted_inputs(values, se, groups, weights, measure)
    return _simex_split(s, measure, lambdas, replicates, np.random.default_rng(seed))


def _check_simex(lambdas: Sequence[float], replicates: int) -> None:
    if replicates < 1:
        raise ValueError(f"replicates must be >= 1, got {replicates}")
    if len(lambdas) < 2 or min(lambdas) <= 0:
        raise ValueError(f"lambdas must be at least two values > 0, got {list(lambdas)}")


def _simex_split(
    s: _Sorted, measure: str, lambdas: Sequence[float], replicates: int, rng: np.random.Generator
) -> SignalSplit:
    """:func:`simex` of inputs already checked and sorted by group."""
    means, signal, redrawn = _simex_rows(
        s.y, s.se, s.w, s.starts, measure, lambdas, replicates, rng
    )
    path = np.column_stack([[0.0, *lambdas], means])
    return _split(measure, "simex", means[0], signal, simex_path=path, redrawn=redrawn)


@dataclass(frozen=True)
class NoiseCorrectionResult:
    """Result of :func:`noise_correction`: the split, and a bootstrap interval of its share."""

    split: SignalSplit
    lower: float
    upper: float
    level: float
    bootstrap: int
    draws: np.ndarray


def noise_correction(
    values: npt.ArrayLike,
    se: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: str = "theil_t",
    *,
    lambdas: Sequence[float] = SIMEX_LAMBDAS,
    replicates: int = 100,
    bootstrap: int = 199,
    bootstrap_replicates: int = 10,
    level: float = 0.95,
    seed: int | None = None,
) -> NoiseCorrectionResult:
    r"""Signal split (closed form for the variance, SIMEX otherwise) with a bootstrap interval.

    The interval is a percentile interval of the corrected between share over ``bootstrap``
    stratified resamples: areas are drawn with replacement within each region (regions and
    their sizes fixed), each with its value, standard error and weight, and the whole
    estimator is re-run on every resample (SIMEX with ``bootstrap_replicates`` pseudo data sets
    per λ, vectorised over the resamples). One seed fixes the point estimate and the interval.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(list("abcd"), 20)
    >>> y = 10 + np.repeat([0.0, 1.0, 2.0, 3.0], 20) + rng.normal(0, 1, 80)
    >>> r = noise_correction(y, np.full(80, 0.5), g, measure="variance", seed=0)
    >>> bool(r.lower < r.split.between_share < r.upper)
    True
    """
    if bootstrap < 2:
        raise ValueError(f"bootstrap must be >= 2, got {bootstrap}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    root = np.random.SeedSequence(seed)
    point_seed, boot_seed = root.spawn(2)
    if measure != "variance":
        _check_simex(lambdas, replicates)
    s = _sorted_inputs(values, se, groups, weights, measure)  # once, for point and bootstrap
    if measure == "variance":
        split = _variance_split(s)
    else:
        split = _simex_split(s, measure, lambdas, replicates, np.random.default_rng(point_seed))
    rng = np.random.default_rng(boot_seed)
    idx = np.concatenate(
        [
            a + rng.integers(0, m, size=(bootstrap, m))
            for a, m in zip(s.starts, s.sizes, strict=True)
        ],
        axis=1,
    )
    shares = np.empty(bootstrap)
    # Chunks keep the SIMEX arrays (chunk × replicates × n) to a few tens of MB.
    chunk = max(1, 4000 // max(1, bootstrap_replicates))
    for lo in range(0, bootstrap, chunk):
        part = idx[lo : lo + chunk]
        y, e, w = s.y[part], s.se[part], s.w[part]
        if measure == "variance":
            signal = _closed_form(y, e, w, s.starts)
        else:
            _, signal, _ = _simex_rows(
                y, e, w, s.starts, measure, lambdas, bootstrap_replicates, rng
            )
        shares[lo : lo + chunk] = signal[:, 1] / signal[:, 0]
    alpha = (1 - level) / 2
    lower, upper = np.quantile(shares, [alpha, 1 - alpha])
    return NoiseCorrectionResult(split, float(lower), float(upper), level, bootstrap, shares)


def reliability_adjusted_icc(
    between_variance: float, within_variance: float, se: npt.ArrayLike
) -> float:
    r"""ICC of the signal: the random-intercept ICC with sampling noise removed from the residual.

    In :math:`y_{ig} = \beta_0 + u_g + x_{ig} + e_{ig}` the noise :math:`e_{ig}` is part of
    the residual, so :math:`\hat\sigma^2_e` estimates :math:`\sigma^2_x + \overline{\mathrm{se}^2}`
    (mean over areas, as the model weights areas equally) while :math:`\hat\sigma^2_u` is
    unaffected. The areas' reliability is :math:`\rho = 1 - \overline{\mathrm{se}^2} /
    \hat\sigma^2_e` and

    .. math:: \mathrm{ICC}_{\text{signal}} = \frac{\hat\sigma^2_u}
              {\hat\sigma^2_u + \max(\hat\sigma^2_e - \overline{\mathrm{se}^2},\, 0)}

    (1 when the noise accounts for the whole residual variance).

    Examples
    --------
    >>> reliability_adjusted_icc(1.0, 3.0, [1.0, 1.0])
    0.3333333333333333
    """
    s = as_1d_float(se, "se")
    if s.size == 0 or not np.isfinite(s).all():
        raise ValueError("se must be a non-empty array of finite values")
    if between_variance < 0 or within_variance < 0:
        raise ValueError("variances must be >= 0")
    within_signal = max(within_variance - float(np.mean(s**2)), 0.0)
    denominator = between_variance + within_signal
    return float(between_variance / denominator) if denominator > 0 else float("nan")
