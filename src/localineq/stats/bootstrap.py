r"""Stratified (within-group) bootstrap of a decomposition: areas are resampled with
replacement inside their own region, so every draw keeps the regional structure.
See :mod:`localineq.stats._simulation` for the shared seeding contract.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    _gini_components_counts,
    _plan,
    _resample_positions,
    _run,
    _SimulationResult,
    _sort_units,
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
        ``between_share``), columns ``estimate``, ``lower``, ``upper`` (percentile interval),
        ``se`` (standard deviation of the draws) and ``bias`` (mean draw − estimate).
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
    r"""Stratified bootstrap of a decomposition, with percentile confidence intervals.

    Scheme: in each draw, the areas of every group are resampled with replacement *within
    that group*, keeping each group's number of areas :math:`n_g` (a stratified bootstrap;
    groups are treated as fixed strata, areas as the sampled units). Each resampled area
    carries its own value and weight; weight shares are renormalised in every draw, so with
    unequal weights a group's weight share :math:`v_g` varies between draws. The statistic is
    recomputed on each draw and the interval for each of ``total``, ``between``, ``within``
    and ``between_share`` (and ``overlap`` for Gini) is the percentile interval
    :math:`[q_{(1-\text{level})/2}, q_{(1+\text{level})/2}]` of the draws (numpy's default
    linear interpolation). Percentile intervals inherit the bootstrap's bias: between-group
    inequality is biased upwards in small groups.

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
    return BootstrapResult(
        measure=measure, estimate=estimate, ci=ci, draws=table, level=level, n_draws=draws
    )
