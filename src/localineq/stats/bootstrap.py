r"""Stratified (within-group) bootstrap of a decomposition: areas are resampled with
replacement inside their own region, so every draw keeps the regional structure.
See :mod:`localineq.stats._simulation` for the shared seeding contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import ADDITIVE_MEASURES, Measure, _prepare
from localineq.stats._simulation import (
    Seed,
    _check_count,
    _check_level,
    _components_from_moments,
    _generator,
    _gini_components,
    _gini_components_counts,
    _plan,
    _resample_positions,
    _run,
    _SimulationResult,
    _sort_units,
    _Sorted,
    _summarise,
    _unit_f,
)
from localineq.stats.decomposition import _decompose_prepared


@dataclass(frozen=True)
class BootstrapResult(_SimulationResult):
    """Result of :func:`bootstrap`.

    Attributes
    ----------
    measure : str
    estimate : Decomposition
        The point estimate on the data.
    ci : pandas.DataFrame
        Index ``statistic`` (``total``, ``between``, ``within``, [``overlap`` for Gini,]
        ``between_share``), columns ``estimate``, ``lower``, ``upper`` (the bias-corrected and
        accelerated, BCa, confidence interval; see :func:`bca_interval`), ``se`` (standard
        deviation of the draws), ``bias`` (mean draw − estimate), ``percentile_lower`` and
        ``percentile_upper`` (the raw percentile range of the draws, not bias-corrected),
        ``z0`` and ``acceleration`` (the BCa constants) and ``alpha_lower``/``alpha_upper``
        (the draw quantiles BCa picked). ``lower``/``upper`` are NaN when BCa is undefined
        (every draw on one side of the estimate).
    draws : pandas.DataFrame
        One row per bootstrap draw, one column per statistic.
    level : float
    n_draws : int
    """


def bootstrap(
    values: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
    draws: int = 999,
    seed: Seed = None,
    level: float = 0.95,
    n_jobs: int | None = 1,
) -> BootstrapResult:
    r"""Stratified bootstrap of a decomposition, with BCa confidence intervals.

    Scheme: in each draw, the areas of every group are resampled with replacement *within
    that group*, keeping each group's number of areas :math:`n_g` (a stratified bootstrap;
    groups are treated as fixed strata, areas as the sampled units). Each resampled area
    carries its own value and weight; weight shares are renormalised in every draw, so with
    unequal weights a group's weight share :math:`v_g` varies between draws. The statistic is
    recomputed on each draw. The confidence interval for each of ``total``, ``between``,
    ``within`` and ``between_share`` (and ``overlap`` for Gini) is the bias-corrected and
    accelerated (BCa) interval of :func:`bca_interval`, with the acceleration from a
    leave-one-area-out jackknife. The raw percentile range
    :math:`[q_{(1-\text{level})/2}, q_{(1+\text{level})/2}]` of the draws is kept as
    ``percentile_lower``/``percentile_upper``: it inherits the bootstrap's bias (between-group
    inequality is biased upwards in small groups), so it is not a confidence interval for
    the estimate.

    Implementation: units are sorted by group, and by value within group. For each chunk of
    draws a ``(rows, n)`` matrix of resampled positions is drawn at once (one
    ``Generator.integers`` call per group block). For the additive measures the per-unit
    terms :math:`w`, :math:`wy` and :math:`w f(y)` are gathered and summed per group with
    ``numpy.add.reduceat``, and all components follow from those sums. For the Gini, the
    draw only changes how often each unit occurs (counts from ``numpy.bincount``), so the
    within-group and total Ginis are computed over the fixed sorted order with weights
    ``count × w``: no sorting per draw.

    Parameters
    ----------
    values, groups, weights, measure
        As in :func:`localineq.stats.decomposition.decompose`.
    draws : int
        Number of bootstrap draws.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed for reproducible draws.
    level : float
        Confidence level of the intervals.
    n_jobs : int or None
        Threads to use (``-1`` = all CPUs available). Draws do not depend on it.

    Returns
    -------
    BootstrapResult

    Raises
    ------
    ValueError
        On any input error of :func:`~localineq.stats.decomposition.decompose`, a non-positive
        ``draws`` or ``level`` outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.lognormal(size=200)
    >>> g = np.repeat(["a", "b", "c", "d"], 50)
    >>> r = bootstrap(y * np.repeat([1, 1.5, 2, 3], 50), g, draws=199, seed=3)
    >>> lo, hi = r.interval("between_share")
    >>> bool(lo < r.estimate.between_share < hi), r.draws.shape
    (True, (199, 4))
    """
    d = _prepare(values, groups, weights, measure)
    draws = _check_count(draws, "draws")
    level = _check_level(level)
    estimate = _decompose_prepared(d, measure)
    u = _sort_units(d, measure)
    n = d.n
    if measure in ADDITIVE_MEASURES:
        cols = np.column_stack([u.w, u.w * u.y, u.w * _unit_f(u.y, measure)])
    else:
        global_order = np.argsort(u.y, kind="stable")

    def work(child: np.random.SeedSequence, size: int) -> dict[str, np.ndarray]:
        idx = _resample_positions(_generator(child), u.starts, u.sizes, size)
        if measure in ADDITIVE_MEASURES:
            G = np.add.reduceat(np.take(cols, idx, axis=0), u.starts, axis=1)
            return _components_from_moments(G[..., 0], G[..., 1], G[..., 2], measure)
        flat = (idx + (np.arange(size, dtype=np.int64) * n)[:, None]).ravel()
        counts = np.bincount(flat, minlength=size * n).reshape(size, n)
        return _gini_components_counts(counts, u, global_order)

    parts = _run(work, _plan(seed, draws), n_jobs)
    ci, table = _summarise(estimate, parts, level)
    jack = _jackknife(u, measure)
    ci = ci.rename(columns={"lower": "percentile_lower", "upper": "percentile_upper"})
    bca = {
        c: bca_interval(table[c].to_numpy(), float(ci.loc[c, "estimate"]), jack[c], level)
        for c in ci.index
    }
    for key in ("lower", "upper", "z0", "acceleration", "alpha_lower", "alpha_upper"):
        ci[key] = [bca[c][key] for c in ci.index]
    ci = ci[
        ["estimate", "lower", "upper", "se", "bias", "percentile_lower", "percentile_upper"]
        + ["z0", "acceleration", "alpha_lower", "alpha_upper"]
    ]
    return BootstrapResult(
        measure=measure, estimate=estimate, ci=ci, draws=table, level=level, n_draws=draws
    )


def _jackknife(u: _Sorted, measure: str) -> dict[str, np.ndarray]:
    """Leave-one-area-out components (one row per area) of the sorted units ``u``.

    Additive measures: the group sums of :math:`w`, :math:`wy`, :math:`wf(y)` less the left-out
    area's terms give every component (shape ``(n, k)``, no loop). Gini: the ``(n, n)`` weight
    matrix with a zero diagonal, through the same row-wise Gini components as the draws.
    Weight shares are renormalised implicitly (every formula divides by the weight total).
    """
    n = u.y.size
    group = np.repeat(np.arange(u.sizes.size), u.sizes)
    if measure in ADDITIVE_MEASURES:
        terms = [u.w, u.w * u.y, u.w * _unit_f(u.y, measure)]
        sums = []
        for t in terms:
            full = np.add.reduceat(t, u.starts)
            rows = np.tile(full, (n, 1))
            rows[np.arange(n), group] -= t
            sums.append(rows)
        parts = _components_from_moments(sums[0], sums[1], sums[2], measure)
    else:
        W = np.tile(u.w, (n, 1))
        W[np.arange(n), np.arange(n)] = 0.0
        parts = _gini_components(np.broadcast_to(u.y, (n, n)), W, u.starts, u.sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        parts["between_share"] = np.where(
            parts["total"] != 0, parts["between"] / parts["total"], np.nan
        )
    return parts


def bca_interval(
    draws: npt.ArrayLike, estimate: float, jackknife: npt.ArrayLike, level: float = 0.95
) -> dict[str, float]:
    r"""Bias-corrected and accelerated (BCa) bootstrap interval (Efron 1987).

    With :math:`B` finite draws :math:`\theta^*_b`, the estimate :math:`\hat\theta` and
    leave-one-out estimates :math:`\hat\theta_{(i)}` with mean :math:`\bar\theta_{(\cdot)}`:

    * bias correction :math:`z_0 = \Phi^{-1}\big((\#\{\theta^*_b<\hat\theta\} +
      \tfrac12\#\{\theta^*_b=\hat\theta\})/B\big)`;
    * acceleration :math:`a = \sum_i d_i^3 / \big(6 (\sum_i d_i^2)^{3/2}\big)`,
      :math:`d_i = \bar\theta_{(\cdot)} - \hat\theta_{(i)}`;
    * for :math:`z_\alpha = \Phi^{-1}(\alpha)`, :math:`\alpha\in\{(1-\text{level})/2,
      (1+\text{level})/2\}`, the adjusted level
      :math:`\alpha' = \Phi\big(z_0 + (z_0+z_\alpha)/(1-a(z_0+z_\alpha))\big)`, and the
      interval ends are the :math:`\alpha'` quantiles of the draws.

    With :math:`z_0 = a = 0` this is the percentile interval. BCa respects monotone
    transformations and corrects the median bias of the draws, so unlike the percentile range
    it is centred on the estimate's side of a skewed bootstrap distribution. It contains the
    estimate whenever :math:`\alpha'_{lo} < \Phi(z_0) < \alpha'_{hi}` (with :math:`a=0`:
    whenever :math:`|z_0| < z_{(1+\text{level})/2}`); callers should still check.

    Returns
    -------
    dict
        ``lower``, ``upper``, ``z0``, ``acceleration``, ``alpha_lower``, ``alpha_upper``. The
        ends are NaN when :math:`z_0` is infinite (every draw on one side of the estimate) or
        :math:`1-a(z_0+z_\alpha) \le 0`.

    Examples
    --------
    >>> d = bca_interval(np.arange(1, 100), 50.0, np.arange(10.0))
    >>> round(d["z0"], 12), round(d["acceleration"], 12), d["lower"] < 50 < d["upper"]
    (0.0, 0.0, True)
    """
    x = np.asarray(draws, dtype="float64")
    x = x[np.isfinite(x)]
    jack = np.asarray(jackknife, dtype="float64")
    jack = jack[np.isfinite(jack)]
    nan = {"lower": np.nan, "upper": np.nan}
    norm = NormalDist()
    out = {"z0": np.nan, "acceleration": np.nan, "alpha_lower": np.nan, "alpha_upper": np.nan}
    if x.size == 0 or not np.isfinite(estimate):
        return {**nan, **out}
    p0 = (np.sum(x < estimate) + 0.5 * np.sum(x == estimate)) / x.size
    d = jack.mean() - jack if jack.size else np.zeros(1)
    ss = float(np.sum(d * d))
    a = float(np.sum(d**3) / (6.0 * ss**1.5)) if ss > 0 else 0.0
    out["acceleration"] = a
    if not 0.0 < p0 < 1.0:
        return {**nan, **out}
    z0 = norm.inv_cdf(float(p0))
    out["z0"] = z0
    alphas = []
    for alpha in ((1 - level) / 2, (1 + level) / 2):
        z = z0 + norm.inv_cdf(alpha)
        denom = 1.0 - a * z
        if denom <= 0:
            return {**nan, **out}
        alphas.append(norm.cdf(z0 + z / denom))
    out["alpha_lower"], out["alpha_upper"] = alphas
    lo, hi = np.quantile(x, alphas)
    return {"lower": float(lo), "upper": float(hi), **out}
