r"""Variance components of areas nested in regions: the intraclass correlation (ICC) of a
random-intercept model :math:`y_{ig} = \beta_0 + u_g + e_{ig}`, fitted with statsmodels' MixedLM.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from localineq.stats._core import _factorize, _validate_values

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
        Whether the REML optimiser reported convergence.
    messages : tuple of str
        Warnings raised by statsmodels during the fit (e.g. estimate on the boundary).
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
    :math:`e_{ig} \sim N(0, \sigma^2_e)` (``y ~ 1 + (1|group)``) using
    ``statsmodels.MixedLM`` with REML, and returns
    :math:`\rho = \sigma^2_u / (\sigma^2_u + \sigma^2_e)`: the share of variance between groups
    under the model. Units are weighted equally (MixedLM has no case weights). For balanced
    groups of size :math:`m` and :math:`MS_B > MS_W`, REML equals the one-way ANOVA
    estimator :math:`\hat\sigma^2_u = (MS_B - MS_W)/m`, :math:`\hat\sigma^2_e = MS_W`.

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
    # The model's own module: `statsmodels.api` would also import every other model (~0.5 s).
    from statsmodels.regression.mixed_linear_model import MixedLM

    y = _validate_values(values)
    codes, labels = _factorize(groups, y.size)
    k = labels.size
    if k < 2:
        raise ValueError(f"icc needs at least 2 groups, got {k}")
    if k >= y.size:
        raise ValueError(f"icc needs more units than groups; got {y.size} units in {k} groups")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = MixedLM(endog=y, exog=np.ones((y.size, 1)), groups=codes)
        res = model.fit(reml=True)
    su = float(np.asarray(res.cov_re)[0, 0])
    se = float(res.scale)
    messages = tuple(dict.fromkeys(str(c.message) for c in caught))
    return ICCResult(
        icc=su / (su + se) if su + se > 0 else math.nan,
        between_variance=su,
        within_variance=se,
        n=int(y.size),
        n_groups=int(k),
        converged=bool(getattr(res, "converged", True)),
        messages=messages,
    )
