"""Brent's root finder, as ``scipy.optimize.brentq`` computes it, without importing scipy.optimize.

The ICC's REML fit (:mod:`localineq.stats.multilevel`) refines each bracketed root of its score
with Brent's method. scipy.optimize takes about 0.14 s to import, more than the fit itself, in
every ``indicator`` job; :func:`brentq` is scipy's C routine (``scipy/optimize/Zeros/brentq.c``,
after Brent 1973 and netlib's ``zeroin``) transcribed operation for operation, so that it returns
the same floats: tests/test_roots.py compares root, iterations, function calls and convergence
with ``scipy.optimize.brentq`` on generated functions and brackets, exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RootResult", "brentq"]


@dataclass(frozen=True)
class RootResult:
    """What :func:`brentq` found: the root, whether it converged, and the work it took."""

    root: float
    converged: bool
    iterations: int
    function_calls: int


def _c_div(numerator: float, denominator: float) -> float:
    """``numerator / denominator`` as C computes it for doubles (IEEE 754): a zero denominator
    gives a signed infinity, or NaN for 0/0 and NaN/0, where Python raises ZeroDivisionError.
    The C routine then rejects the step (no comparison with an infinity or NaN holds) and
    bisects.

    >>> _c_div(1.0, -0.0), _c_div(-2.0, 0.0), _c_div(0.0, 0.0)
    (-inf, -inf, nan)
    """
    if denominator != 0.0:
        return numerator / denominator
    if numerator == 0.0 or math.isnan(numerator):
        return math.nan
    return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)


def brentq(
    f: Callable[[float], float],
    a: float,
    b: float,
    *,
    xtol: float = 2e-12,
    rtol: float = 4 * 2.220446049250313e-16,
    maxiter: int = 100,
) -> RootResult:
    r"""A root of ``f`` in :math:`[a, b]` by Brent's method (inverse quadratic interpolation,
    secant steps and bisection), stopping when half the bracket is below
    :math:`\delta = (\mathrm{xtol} + \mathrm{rtol}\,|x|)/2`.

    Raises ``ValueError`` when ``f(a)`` and ``f(b)`` have the same sign, or ``f`` returns NaN.

    Examples
    --------
    >>> r = brentq(lambda x: x * x - 2.0, 0.0, 2.0)
    >>> round(r.root, 12), r.converged
    (1.414213562373, True)
    """
    if xtol <= 0:
        raise ValueError(f"xtol too small ({xtol:g} <= 0)")
    if rtol < 4 * 2.220446049250313e-16:
        raise ValueError(f"rtol too small ({rtol:g})")

    def call(x: float) -> float:
        value = float(f(x))
        if math.isnan(value):
            raise ValueError(f"the function value at x={x!r} is NaN: brentq cannot continue")
        return value

    xpre, xcur = float(a), float(b)
    xblk = fblk = spre = scur = 0.0
    fpre, fcur = call(xpre), call(xcur)
    calls = 2
    if fpre == 0:
        return RootResult(xpre, True, 0, calls)
    if fcur == 0:
        return RootResult(xcur, True, 0, calls)
    if math.copysign(1.0, fpre) == math.copysign(1.0, fcur):
        raise ValueError("f(a) and f(b) must have different signs")
    iterations = 0
    for _ in range(maxiter):
        iterations += 1
        if fpre != 0 and fcur != 0 and math.copysign(1.0, fpre) != math.copysign(1.0, fcur):
            xblk, fblk = xpre, fpre
            spre = scur = xcur - xpre
        if abs(fblk) < abs(fcur):
            xpre, xcur, xblk = xcur, xblk, xcur
            fpre, fcur, fblk = fcur, fblk, fcur
        delta = (xtol + rtol * abs(xcur)) / 2
        sbis = (xblk - xcur) / 2
        if fcur == 0 or abs(sbis) < delta:
            return RootResult(xcur, True, iterations, calls)
        if abs(spre) > delta and abs(fcur) < abs(fpre):
            if xpre == xblk:  # interpolate
                stry = _c_div(-fcur * (xcur - xpre), fcur - fpre)
            else:  # extrapolate
                dpre = _c_div(fpre - fcur, xpre - xcur)
                dblk = _c_div(fblk - fcur, xblk - xcur)
                stry = _c_div(-fcur * (fblk * dblk - fpre * dpre), dblk * dpre * (fblk - fpre))
            if 2 * abs(stry) < min(abs(spre), 3 * abs(sbis) - delta):  # good short step
                spre, scur = scur, stry
            else:  # bisect
                spre = scur = sbis
        else:  # bisect
            spre = scur = sbis
        xpre, fpre = xcur, fcur
        if abs(scur) > delta:
            xcur += scur
        else:
            xcur += delta if sbis > 0 else -delta
        fcur = call(xcur)
        calls += 1
    return RootResult(xcur, False, iterations, calls)
