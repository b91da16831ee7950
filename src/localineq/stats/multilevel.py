r"""Variance components of areas nested in regions: the intraclass correlation (ICC) of a
random-intercept model :math:`y_{ig} = \beta_0 + u_g + e_{ig}`, fitted by exact profile REML.

The one-way model has a single variance ratio to estimate, and its restricted likelihood depends
on the data only through the group sizes, the group means and the pooled within-group sum of
squares. :func:`icc` therefore minimises the profiled REML criterion in that one parameter with
numpy and scipy instead of running a general mixed-model optimiser; the tests check it against
statsmodels' ``MixedLM(...).fit(reml=True)``, the reference implementation it replaced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import _factorize, _validate_values
from localineq.stats.roots import brentq

#: Message for :math:`\hat\sigma^2_u = 0`, in statsmodels' wording because the published
#: ``fit_messages`` column of ``icc.csv`` has carried it. statsmodels raised it whenever
#: :math:`\hat\sigma^2_u < 0.01` in the data's units; :func:`icc` only at exactly zero.
BOUNDARY_MESSAGE = "The MLE may be on the boundary of the parameter space."

# Grid density in log(gamma), a factor 10**(1/16) ~ 1.155 between neighbours: each local
# minimum of f gets its own bracket unless two lie within one such step of each other.
_GRID_PER_DECADE = 16

# ---------------------------------------------------------------------------------------------
# intraclass correlation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICCResult:
    """Result of :func:`icc`.

    Attributes
    ----------
    icc : float
        :math:`\\sigma^2_u / (\\sigma^2_u + \\sigma^2_e)`.
    between_variance : float
        :math:`\\sigma^2_u`, variance of the group random intercepts.
    within_variance : float
        :math:`\\sigma^2_e`, residual variance.
    n : int
    n_groups : int
    converged : bool
        Whether the minimisation succeeded: the root finder converged on every bracket and no
        grid point has a lower REML criterion than the estimate. When False, ``messages`` says
        which check failed.
    messages : tuple of str
        :data:`BOUNDARY_MESSAGE` when :math:`\\hat\\sigma^2_u = 0`; otherwise empty, except
        for a failed minimisation or degenerate data (values constant within every group).
    """

    icc: float
    between_variance: float
    within_variance: float
    n: int
    n_groups: int
    converged: bool = True
    messages: tuple[str, ...] = ()


def icc(values: npt.ArrayLike, groups: Any) -> ICCResult:
    r"""Intraclass correlation from a random-intercept model fitted by REML.

    Fits :math:`y_{ig} = \beta_0 + u_g + e_{ig}` with :math:`u_g \sim N(0, \sigma^2_u)` and
    :math:`e_{ig} \sim N(0, \sigma^2_e)` (``y ~ 1 + (1|group)``) by restricted maximum
    likelihood and returns :math:`\rho = \sigma^2_u / (\sigma^2_u + \sigma^2_e)`: the share of
    variance between groups under the model. Units are weighted equally.

    The fit is an exact profile-REML fit in one parameter. With
    :math:`\gamma = \sigma^2_u/\sigma^2_e`, :math:`N` units, group sizes :math:`n_g`, group
    means :math:`\bar y_g`, pooled within-group sum of squares :math:`SSW`, weights
    :math:`w_g = n_g/(1 + n_g\gamma)`, GLS mean
    :math:`\hat\beta = \sum_g w_g \bar y_g / \sum_g w_g` and
    :math:`Q(\gamma) = SSW + \sum_g w_g (\bar y_g - \hat\beta)^2`, minus twice the REML
    log-likelihood with :math:`\sigma^2_e` profiled out (:math:`\hat\sigma^2_e = Q/(N-1)`) is,
    up to a constant,

    .. math::

        f(\gamma) = (N-1)\log Q(\gamma) + \sum_g \log(1 + n_g\gamma)
                    + \log \sum_g w_g(\gamma), \qquad \gamma \ge 0,

    with slope
    :math:`f'(\gamma) = \sum_g w_g - \sum_g w_g^2/\sum_g w_g
    - (N-1)\sum_g w_g^2(\bar y_g - \hat\beta)^2/Q`.
    :math:`f` and :math:`f'` are evaluated on :math:`\gamma = 0` and a geometric grid up to a
    bound beyond which :math:`f' > 0`; each grid step where :math:`f'` turns from negative to
    non-negative is refined with Brent's root finder (:func:`localineq.stats.roots.brentq`,
    ``scipy.optimize.brentq`` transcribed) to machine
    precision, :math:`\gamma = 0` is a candidate when :math:`f'(0) \ge 0`, and the candidate
    with the lowest :math:`f` is :math:`\hat\gamma`;
    :math:`\hat\sigma^2_u = \hat\gamma\hat\sigma^2_e`. For balanced groups of size :math:`m`
    this is the one-way ANOVA estimator: :math:`\hat\sigma^2_u = (MS_B - MS_W)/m`,
    :math:`\hat\sigma^2_e = MS_W` when :math:`MS_B > MS_W`, otherwise
    :math:`\hat\sigma^2_u = 0` and :math:`\hat\sigma^2_e` the total sample variance.

    statsmodels' ``MixedLM(...).fit(reml=True)``, which this replaced, is the reference in the
    tests: its REML log-likelihood is :math:`-f/2` plus a constant, the variances agree with
    its tightly converged fits, and :math:`f` is never higher at this estimate than at its.

    :data:`BOUNDARY_MESSAGE` is in the messages when :math:`\hat\sigma^2_u = 0`. When every
    group's values are constant (:math:`SSW = 0`), :math:`f` falls without bound as
    :math:`\gamma \to \infty`; the result is the limit of the estimates as :math:`SSW \to 0`,
    :math:`\hat\sigma^2_e = 0` and :math:`\hat\sigma^2_u` the sample variance of the group
    means (ICC 1), with a message; when all values are equal both variances are 0 and the
    ICC is NaN.

    Parameters
    ----------
    values : array_like, shape (n,)
    groups : array_like, shape (n,)
        Group labels; needs at least 2 groups and more units than groups.

    Returns
    -------
    ICCResult

    Raises
    ------
    ValueError
        On invalid input, fewer than 2 groups, or no group with 2 or more units.

    Examples
    --------
    >>> r = icc([1.0, 1.2, 0.8, 3.0, 3.2, 2.8, 5.0, 5.2, 4.8], list("aaabbbccc"))
    >>> round(r.icc, 3), r.n, r.n_groups
    (0.99, 9, 3)
    """
    y = _validate_values(values)
    codes, labels = _factorize(groups, y.size)
    k = labels.size
    if k < 2:
        raise ValueError(f"icc needs at least 2 groups, got {k}")
    if k >= y.size:
        raise ValueError(f"icc needs more units than groups; got {y.size} units in {k} groups")
    rho, su, se, converged, messages = _reml_one_way(y, codes, k)
    return ICCResult(
        icc=rho,
        between_variance=su,
        within_variance=se,
        n=int(y.size),
        n_groups=int(k),
        converged=converged,
        messages=messages,
    )


def _group_summaries(
    y: np.ndarray, codes: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, float]:
    """Group sizes, group means and pooled within-group sum of squares of ``y``."""
    # Centring first keeps the sums of squares accurate for values far from zero; a shift does
    # not change the model.
    yc = y - y.mean()
    sizes = np.bincount(codes, minlength=k).astype(np.float64)
    means = np.bincount(codes, weights=yc, minlength=k) / sizes
    resid = yc - means[codes]
    return sizes, means, float(resid @ resid)


def _criterion(
    gamma: np.ndarray | float, sizes: np.ndarray, means: np.ndarray, ssw: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Profile REML criterion f, its derivative f' and Q at each gamma (groups on the last axis)."""
    n_minus_1 = sizes.sum() - 1.0
    g = np.asarray(gamma, dtype=np.float64)[..., None]
    w = sizes / (1.0 + sizes * g)
    sw = w.sum(axis=-1)
    beta = (w * means).sum(axis=-1) / sw
    dev = means - beta[..., None]
    wd2 = w * dev * dev
    q = ssw + wd2.sum(axis=-1)
    f = n_minus_1 * np.log(q) + np.log1p(sizes * g).sum(axis=-1) + np.log(sw)
    score = sw - (w * w).sum(axis=-1) / sw - n_minus_1 * (w * wd2).sum(axis=-1) / q
    return f, score, q


def _reml_one_way(
    y: np.ndarray, codes: np.ndarray, k: int
) -> tuple[float, float, float, bool, tuple[str, ...]]:
    """REML (icc, between variance, within variance, converged, messages) of the one-way model."""
    # The model is scale-equivariant: fitting y / c keeps every sum of squares at most of order
    # N (no overflow for huge values), and the variances are multiplied back by c**2 at the end.
    c = float(np.abs(y).max()) or 1.0
    sizes, means, ssw = _group_summaries(y / c, codes, k)
    n = float(sizes.sum())
    spread = float(((means - means.mean()) ** 2).sum())
    if ssw == 0.0:
        if spread == 0.0:
            return math.nan, 0.0, 0.0, True, ("All values are equal: both variances are 0.",)
        # f -> -inf as gamma -> inf: no minimum. The limit of the REML estimates as SSW -> 0
        # treats the group means as exact, so sigma_u^2 is their sample variance.
        return (
            1.0,
            spread / (k - 1.0) * c * c,
            0.0,
            True,
            (
                "Values are constant within every group: the within-group variance is 0 and "
                "the between variance is the sample variance of the group means.",
            ),
        )

    # Beyond this gamma f' > 0 (bound the three terms of f' with w_g < 1/gamma,
    # w_g >= 1/(1 + gamma) and Q >= SSW), so the global minimum lies in [0, upper].
    upper = max(1.0, 4.0 * (n - 1.0) * spread / ((k - 1.0) * ssw))
    # Up to here n_g * gamma <= 1e-6 and f is all but linear; a minimum below it is still
    # bracketed by [0, lower].
    lower = 1e-6 / sizes.max()
    decades = max(math.log10(upper / lower), 1.0)
    grid = np.concatenate(
        ([0.0], np.geomspace(lower, upper, int(math.ceil(decades * _GRID_PER_DECADE)) + 1))
    )
    f_grid, score_grid, _ = _criterion(grid, sizes, means, ssw)

    def score(gamma: float) -> float:
        return float(_criterion(gamma, sizes, means, ssw)[1])

    # Every local minimum: gamma = 0 if f rises from there, and each step of the grid where
    # the slope f' turns from negative to non-negative, refined to machine precision.
    candidates: list[tuple[float, float]] = []  # (f, gamma)
    refined = True
    if score_grid[0] >= 0.0:
        candidates.append((float(f_grid[0]), 0.0))
    for j in np.flatnonzero((score_grid[:-1] < 0.0) & (score_grid[1:] >= 0.0)):
        found = brentq(score, grid[j], grid[j + 1], xtol=1e-300, rtol=4 * np.finfo(float).eps)
        refined = refined and found.converged
        root = found.root
        candidates.append((float(_criterion(root, sizes, means, ssw)[0]), float(root)))
    messages: list[str] = []
    if not refined:
        messages.append("The root finder for the REML score did not converge.")
    if not candidates:  # only if rounding defeats the bound that makes f' > 0 at its top
        messages.append("The REML score did not change sign on the grid; grid minimum used.")
        j = int(np.argmin(f_grid))
        candidates.append((float(f_grid[j]), float(grid[j])))
    f_hat, gamma_hat = min(candidates)
    # A grid point within rounding of the root may evaluate a hair lower than the root itself;
    # only a clearly lower grid value means a minimum was missed.
    lowest_on_grid = float(f_grid.min()) >= f_hat - 1e-10 * max(1.0, abs(f_hat))
    if not lowest_on_grid:
        messages.append(
            "A grid point has a lower REML criterion than the refined minimum: "
            "the estimate may be a local minimum."
        )
    converged = not messages  # any message so far reports a failure
    if gamma_hat == 0.0:
        messages.insert(0, BOUNDARY_MESSAGE)
    within = float(_criterion(gamma_hat, sizes, means, ssw)[2]) / (n - 1.0)
    return (
        gamma_hat / (1.0 + gamma_hat),
        gamma_hat * within * c * c,
        within * c * c,
        converged,
        tuple(messages),
    )
