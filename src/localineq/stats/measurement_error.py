r"""Sensitivity of a decomposition to the sampling error that publishers state: each area's
value is re-drawn from a normal distribution matching its published interval.
See :mod:`localineq.stats._simulation` for the shared seeding contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import Measure, _first, _prepare, as_1d_float
from localineq.stats._simulation import (
    Seed,
    _check_count,
    _check_level,
    _components_from_moments,
    _generator,
    _gini_components,
    _plan,
    _run,
    _SimulationResult,
    _sort_units,
    _summarise,
    _unit_f,
)
from localineq.stats.decomposition import _decompose_prepared
from localineq.stats.noise_correction import standard_errors

# ---------------------------------------------------------------------------------------------
# measurement error
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeasurementErrorResult(_SimulationResult):
    """Result of :func:`measurement_error`.

    Attributes
    ----------
    measure : str
    estimate : Decomposition
        The decomposition of the point values.
    ci : pandas.DataFrame
        Index ``statistic`` (``total``, ``between``, ``within``, [``overlap``,]
        ``between_share``), columns ``estimate``, ``lower``, ``upper``, ``se`` and ``bias``
        (mean draw − estimate).
    draws : pandas.DataFrame
        One row per simulated data set.
    level : float
    n_draws : int
    sd : numpy.ndarray, shape (n,)
        Standard deviation used for each area (0 for areas without bounds).
    n_uncertain : int
        Number of areas with bounds (simulated); the others keep their point value.
    truncate : bool
        Whether draws were truncated to the measure's domain (see :func:`measurement_error`).
    """

    sd: np.ndarray = field(repr=False, compare=False)
    n_uncertain: int
    truncate: bool


def _bounds_sd(lower: Any, upper: Any, n: int, bounds_level: float) -> np.ndarray:
    lo = as_1d_float(lower, "lower")
    hi = as_1d_float(upper, "upper")
    for arr, name in ((lo, "lower"), (hi, "upper")):
        if arr.size != n:
            raise ValueError(f"{name} has length {arr.size} but values has length {n}")
        inf = np.isinf(arr)
        if inf.any():
            raise ValueError(f"{name} has infinite values (first at position {_first(inf)})")
    half = np.isnan(lo) != np.isnan(hi)
    if half.any():
        i = _first(half)
        raise ValueError(
            f"{int(half.sum())} areas have only one of lower/upper (first at position {i}: "
            f"lower={lo[i]}, upper={hi[i]}); give both bounds or neither"
        )
    # The published interval's standard error, 0 (a point value) where no bounds are given.
    return np.nan_to_num(standard_errors(lo, hi, bounds_level), nan=0.0)


def measurement_error(
    values: npt.ArrayLike,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
    draws: int = 999,
    seed: Seed = None,
    level: float = 0.95,
    truncate: bool = False,
    bounds_level: float = 0.95,
    n_jobs: int | None = 1,
) -> MeasurementErrorResult:
    r"""Propagate the published uncertainty of each area's value into the decomposition.

    Each area's value is simulated as :math:`\tilde y_i = y_i + \sigma_i z_i`, :math:`z_i \sim
    N(0,1)` independently across areas and draws, with

    .. math:: \sigma_i = \frac{u_i - l_i}{2 z_{0.975}}, \qquad z_{0.975} \approx 1.959964

    from the published 95% interval :math:`[l_i, u_i]` (``bounds_level`` changes the
    0.95). The normal is centred on the point value :math:`y_i` (not the interval's
    midpoint). Areas whose ``lower`` and ``upper`` are both NaN have no published uncertainty
    and keep their point value in every draw; giving only one bound is an error. Groups and
    weights are held fixed. The result gives percentile intervals (level ``level``) of total,
    between, within and between share across draws.

    Domain: Theil T and MLD need :math:`\tilde y > 0` and Gini :math:`\tilde y \ge 0`. By
    default (``truncate=False``) a draw outside the domain raises a ``ValueError`` saying how
    many values fell outside it. With ``truncate=True`` values are drawn from the normal
    truncated to :math:`(0, \infty)` by rejection (out-of-domain values are redrawn until
    positive), which is exact but shifts the mean of areas near zero upwards. No epsilon is
    ever added.

    Parameters
    ----------
    values : array_like, shape (n,)
        Point values :math:`y_i`.
    lower, upper : array_like, shape (n,)
        Lower and upper bounds of each area's interval (NaN for none).
    groups, weights, measure
        As in :func:`localineq.stats.decomposition.decompose`.
    draws : int
        Number of simulated data sets.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed for reproducible draws.
    level : float
        Confidence level of the reported intervals.
    truncate : bool
        See "Domain" above.
    bounds_level : float
        Confidence level of the published intervals (default 0.95).
    n_jobs : int or None
        Threads to use (``-1`` = all CPUs available). Draws do not depend on it.

    Returns
    -------
    MeasurementErrorResult

    Raises
    ------
    ValueError
        On any input error of :func:`~localineq.stats.decomposition.decompose`; bounds of the wrong
        length, infinite, inverted or half-missing; or simulated values outside the measure's
        domain when ``truncate=False``.

    Examples
    --------
    >>> y = [70.0, 72.0, 75.0, 80.0, 82.0, 85.0]
    >>> lo = [69.0, 71.0, float("nan"), 79.0, 81.0, 84.0]
    >>> hi = [71.0, 73.0, float("nan"), 81.0, 83.0, 86.0]
    >>> r = measurement_error(y, lo, hi, list("aaabbb"), draws=200, seed=0)
    >>> r.n_uncertain, r.draws.shape
    (5, (200, 4))
    >>> lo_share, hi_share = r.interval("between_share")
    >>> bool(0.5 < lo_share < hi_share < 1)
    True
    """
    d = _prepare(values, groups, weights, measure)
    draws = _check_count(draws, "draws")
    level = _check_level(level)
    bounds_level = _check_level(bounds_level)
    sd_all = _bounds_sd(lower, upper, d.n, bounds_level)
    estimate = _decompose_prepared(d, measure)
    u = _sort_units(d, measure)
    order = u.order
    y0 = d.y[order]  # untransformed point values, sorted by group
    sd = sd_all[order]
    n = d.n
    domain = measure in ("theil_t", "theil_l", "gini")
    strict = measure != "gini"

    def outside(x: np.ndarray) -> np.ndarray:
        return x <= 0 if strict else x < 0

    def work(child: np.random.SeedSequence, size: int) -> dict[str, np.ndarray]:
        rng = _generator(child)
        sim = y0 + sd * rng.standard_normal((size, n))
        if domain:
            bad = outside(sim)
            if bad.any() and not truncate:
                rows, cols = np.nonzero(bad)
                i = int(order[cols[0]])
                raise ValueError(
                    f"{measure} needs simulated values "
                    f"{'> 0' if strict else '>= 0'}; {int(bad.sum())} of {size * n} simulated "
                    f"values in a chunk of draws fell outside (first for the area at position "
                    f"{i}: value {d.y[i]}, sd {sd_all[i]:.4g}). Pass truncate=True to draw "
                    "from the normal truncated at 0, or use measure='variance'"
                )
            rounds = 0
            while bad.any():  # rejection sampling: exact truncated normal
                rows, cols = np.nonzero(bad)
                sim[rows, cols] = y0[cols] + sd[cols] * rng.standard_normal(rows.size)
                bad = outside(sim)
                rounds += 1
                if rounds > 200:  # pragma: no cover - P(accept) >= 1/2 per round
                    raise RuntimeError("truncated sampling did not finish")
        if measure == "gini":
            return _gini_components(sim, u.w, u.starts, u.sizes)
        x = sim - u.ref if measure == "variance" else sim / u.ref
        W = np.broadcast_to(u.w, x.shape)
        V = np.add.reduceat(W, u.starts, axis=1)
        Y = np.add.reduceat(W * x, u.starts, axis=1)
        F = np.add.reduceat(W * _unit_f(x, measure), u.starts, axis=1)
        return _components_from_moments(V, Y, F, measure)

    parts = _run(work, _plan(seed, draws), n_jobs)
    ci, table = _summarise(estimate, parts, level)
    return MeasurementErrorResult(
        measure=measure,
        estimate=estimate,
        ci=ci,
        draws=table,
        level=level,
        n_draws=draws,
        sd=sd_all,
        n_uncertain=int(np.count_nonzero(~np.isnan(as_1d_float(lower, "lower")))),
        truncate=bool(truncate),
    )
