r"""Permutation test of the between-group component: how often would randomly relabelled
regions show as much between-region inequality as the real ones?

Uses a compiled Fisher-Yates kernel (numba) drawing from numpy's SFC64 stream; see
:func:`permutation_test` for the exact scheme and :mod:`localineq.stats._simulation` for the
shared seeding contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from localineq.stats._core import Measure, _prepare
from localineq.stats._simulation import (
    _TIE_RTOL,
    Seed,
    _between_from_moments,
    _check_count,
    _plan,
    _run,
    _sort_units,
)
from localineq.stats.decomposition import _decompose_prepared

_MASK32 = np.uint64(0xFFFFFFFF)
_TWO32 = np.uint64(2**32)

# SFC64 generator state as carried through the kernel: (a, b, c, counter, spare, has_spare),
# where spare is the unused high half of the last 64-bit output.
_Rng = tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64, bool]


@numba.njit(inline="always")
def _sfc64_next(
    a: np.uint64, b: np.uint64, c: np.uint64, w: np.uint64
) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64, np.uint64]:  # pragma: no cover
    """One step of numpy's SFC64 (``sfc64_next`` in ``numpy/random/src/sfc64/sfc64.h``):
    returns ``(output, a, b, c, counter)``."""
    tmp = a + b + w
    return (
        tmp,
        b ^ (b >> np.uint64(11)),
        c + (c << np.uint64(3)),
        ((c << np.uint64(24)) | (c >> np.uint64(40))) + tmp,
        w + np.uint64(1),
    )


@numba.njit(cache=True, nogil=True)
def _sfc64_fill(state: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Next ``out.size`` outputs of SFC64 from ``state = [a, b, c, counter]`` (the array in
    ``numpy.random.SFC64().state["state"]["state"]``), advancing ``state``. Only for the tests,
    which check that :func:`_sfc64_next` reproduces ``numpy.random.SFC64.random_raw``."""
    a, b, c, w = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        out[i], a, b, c, w = _sfc64_next(a, b, c, w)
    state[0], state[1], state[2], state[3] = a, b, c, w


@numba.njit(inline="always")
def _next32(st: _Rng) -> tuple[np.uint64, _Rng]:  # pragma: no cover - compiled
    """Next 32-bit word of the stream: the low half of a fresh SFC64 output, then its high
    half."""
    a, b, c, w, spare, has = st
    if has:
        return spare, (a, b, c, w, spare, False)
    x, a, b, c, w = _sfc64_next(a, b, c, w)
    return x & _MASK32, (a, b, c, w, x >> np.uint64(32), True)


@numba.njit(inline="always")
def _below(s: np.uint64, st: _Rng) -> tuple[np.int64, _Rng]:  # pragma: no cover - compiled
    """Uniform integer on ``{0..s-1}`` (``1 <= s < 2**32``), exactly, by Lemire's
    multiply-and-reject: ``m = x s`` for a 32-bit word ``x``; while ``m mod 2**32`` is below
    ``2**32 mod s`` take the next word; return ``floor(m / 2**32)``."""
    x, st = _next32(st)
    m = x * s
    if (m & _MASK32) < s:  # rare (probability s / 2**32): only then can a word be rejected
        t = (_TWO32 - s) % s
        while (m & _MASK32) < t:
            x, st = _next32(st)
            m = x * s
    return np.int64(m >> np.uint64(32)), st


@numba.njit(cache=True, nogil=True)
def _shuffle_sums(
    y: np.ndarray, starts: np.ndarray, sizes: np.ndarray, state: np.ndarray, Y: np.ndarray
) -> None:  # pragma: no cover - compiled; exercised through permutation_test
    """Group-block sums of ``Y.shape[0]`` random permutations of ``y`` into ``Y``.

    Scheme, per row: Fisher–Yates on a working copy of the values made once per chunk (each
    row continues from the previous row's arrangement), for positions ``i`` from ``n - 1``
    down to the end of the first group block, swapping position ``i`` with ``j`` uniform on
    ``{0..i}`` (:func:`_below`). Position ``i`` is final after its step, so its value is
    added to its block's sum at once; steps inside the first block are skipped (they would
    only reorder that block, whose sum is that of the values left there). Whatever the
    current arrangement, these steps fill positions ``n - 1, n - 2, ...`` with a uniformly
    random ordered selection of the values, so each row assigns values to groups by a
    uniform random relabelling, independent of the other rows (which use later words).

    Randomness: numpy's SFC64 stream from ``state = [a, b, c, counter]``, each 64-bit output
    split into two 32-bit words, low half first, consumed in order. Needs ``n < 2**32``.
    """
    a = y.copy()
    st = (state[0], state[1], state[2], state[3], np.uint64(0), False)
    for r in range(Y.shape[0]):
        for g in range(starts.size - 1, 0, -1):
            acc = 0.0
            for i in range(starts[g] + sizes[g] - 1, starts[g] - 1, -1):
                j, st = _below(np.uint64(i + 1), st)
                v = a[j]
                a[j] = a[i]
                a[i] = v
                acc += v
            Y[r, g] = acc
        Y[r, 0] = a[: sizes[0]].sum()


@numba.njit(cache=True, nogil=True)
def _shuffle_pair_sums(
    y: np.ndarray,
    w: np.ndarray,
    starts: np.ndarray,
    sizes: np.ndarray,
    state: np.ndarray,
    Y: np.ndarray,
    V: np.ndarray,
) -> None:  # pragma: no cover - compiled; exercised through permutation_test
    """As :func:`_shuffle_sums`, moving ``(w, y)`` pairs together; sums into ``V``, ``Y``.
    (A separate function: a run-time ``weighted`` branch in one kernel halved its speed.)"""
    a = y.copy()
    b = w.copy()
    st = (state[0], state[1], state[2], state[3], np.uint64(0), False)
    for r in range(Y.shape[0]):
        for g in range(starts.size - 1, 0, -1):
            acc = 0.0
            accw = 0.0
            for i in range(starts[g] + sizes[g] - 1, starts[g] - 1, -1):
                j, st = _below(np.uint64(i + 1), st)
                v = a[j]
                a[j] = a[i]
                a[i] = v
                acc += v
                v = b[j]
                b[j] = b[i]
                b[i] = v
                accw += v
            Y[r, g] = acc
            V[r, g] = accw
        Y[r, 0] = a[: sizes[0]].sum()
        V[r, 0] = b[: sizes[0]].sum()


def _permute_chunk(
    child: np.random.SeedSequence,
    y: np.ndarray,
    w: np.ndarray | None,
    starts: np.ndarray,
    sizes: np.ndarray,
    Y: np.ndarray,
    V: np.ndarray | None,
) -> None:
    """Fill ``Y`` (and ``V`` if ``w`` is given) with the group-block sums of ``Y.shape[0]``
    random permutations drawn from ``numpy.random.SFC64(child)``'s stream (see
    :func:`_shuffle_sums`)."""
    state = np.random.SFC64(child).state["state"]["state"].astype(np.uint64)
    if w is None:
        _shuffle_sums(y, starts, sizes, state, Y)
    else:
        _shuffle_pair_sums(y, w, starts, sizes, state, Y, V)


# ---------------------------------------------------------------------------------------------
# permutation test
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PermutationResult:
    """Result of :func:`permutation_test`.

    Attributes
    ----------
    measure : str
    observed : float
        The observed between-group component (equal to ``decompose(...).between``).
    pvalue : float
        ``(#{draws >= observed} + 1) / (permutations + 1)``.
    draws : numpy.ndarray, shape (permutations,)
        Between components under random relabelling.
    permutations : int
    total : float
        Total inequality (identical in every draw: permuting labels moves no value).
    n : int
    n_groups : int
    """

    measure: str
    observed: float
    pvalue: float
    draws: np.ndarray = field(repr=False, compare=False)
    permutations: int
    total: float
    n: int
    n_groups: int

    @property
    def observed_share(self) -> float:
        """Observed between share ``observed / total``."""
        return self.observed / self.total if self.total != 0 else math.nan


def permutation_test(
    values: npt.ArrayLike,
    groups: Any,
    weights: npt.ArrayLike | None = None,
    measure: Measure = "theil_t",
    permutations: int = 999,
    seed: Seed = None,
    n_jobs: int | None = 1,
) -> PermutationResult:
    r"""Permutation test of the between-group component: is grouping by region informative?

    Under the null hypothesis the assignment of areas to groups is exchangeable. Each draw
    randomly permutes the group labels across areas, keeping group sizes; each area keeps its
    own value and weight (weights travel with their units), so total inequality is the same in
    every draw and only the between component :math:`B` varies. The p-value is

    .. math:: p = \frac{\#\{b : B^{(b)} \ge B_{obs}\} + 1}{P + 1}

    (one-sided: more between-group inequality than chance). Draws within a relative
    1e-10 of :math:`B_{obs}` count as ties (:math:`\ge`) so that rounding in a different
    summation order cannot turn a tie into a win. Because the total is fixed, the test is
    the same for the between share.

    Implementation: units are sorted by group so that groups are contiguous blocks of
    positions. Draws come in chunks of 64, one :class:`numpy.random.SeedSequence` child per
    chunk (so threads change nothing). For each chunk a compiled kernel
    (:func:`_shuffle_sums`, numba, ``nogil``) shuffles the values — or ``(w, w y)``
    pairs when weights differ — by Fisher–Yates and adds each position's value to its group's
    sum :math:`Y_g` (and :math:`V_g`) as soon as the position is final, so no ``(rows, n)``
    array is ever built; :math:`B` is a function of those sums only. Each draw is an exact
    uniform random relabelling: the random index of each Fisher–Yates step is drawn by
    Lemire's multiply-and-reject method (no modulo bias, no floating point) from 32-bit
    words of numpy's SFC64 bit generator seeded with the chunk's child (the kernel
    reproduces ``numpy.random.SFC64(child).random_raw()`` bit for bit; tested). numba is a
    dependency for this alone: numpy's own shuffle (``Generator.permuted``) costs ~20 ns
    per element, dominated by its per-element bounded-integer draw, against ~2-3.5 ns here,
    which takes 999 permutations of 35,000 units from ~0.7 s to ~0.15 s on one core
    (``benchmarks/README.md``). The first call in a fresh environment compiles the kernels
    (~1.5-2 s each for values and for pairs); numba caches them on disk (``cache=True``).

    Parameters
    ----------
    values, groups, weights, measure
        As in :func:`localineq.stats.decomposition.decompose`.
    permutations : int
        Number of random relabellings :math:`P`.
    seed : int, numpy.random.SeedSequence, numpy.random.Generator or None
        Seed for reproducible draws (an int gives the same draws on every call).
    n_jobs : int or None
        Threads to use (``-1`` = all CPUs available). Draws do not depend on it.

    Returns
    -------
    PermutationResult

    Raises
    ------
    ValueError
        On any input error of :func:`~localineq.stats.decomposition.decompose`, or a non-positive
        ``permutations``.

    Examples
    --------
    >>> r = permutation_test([1, 1.1, 1.2, 5, 5.1, 5.2], list("aaabbb"), permutations=99, seed=1)
    >>> round(r.observed, 4), r.draws.shape, r.pvalue
    (0.2257, (99,), 0.12)

    Only 2 of the 20 ways to split six areas into two groups of three are as extreme as the
    observed one, so the exact p-value is 0.1; with 99 draws the estimate is 0.12.
    """
    d = _prepare(values, groups, weights, measure)
    permutations = _check_count(permutations, "permutations")
    estimate = _decompose_prepared(d, measure)
    u = _sort_units(d, measure)
    n = d.n
    if n >= 2**32:  # pragma: no cover - the kernel draws indices from 32-bit words
        raise ValueError(f"permutation_test supports fewer than 2**32 units, got {n}")
    equal = bool(np.all(u.w == u.w[0]))
    if equal:  # only the values move; group weight shares are fixed
        moving_y, moving_w = u.y, None
    else:  # (w, w*y) pairs move together
        moving_y, moving_w = u.w * u.y, u.w
    starts = u.starts.astype(np.int64)
    sizes = u.sizes.astype(np.int64)
    v_fixed = u.sizes / n

    def work(child: np.random.SeedSequence, size: int) -> np.ndarray:
        Y = np.empty((size, d.k))
        V = None if equal else np.empty((size, d.k))
        _permute_chunk(child, moving_y, moving_w, starts, sizes, Y, V)
        if V is None:
            Y /= n
            V = np.broadcast_to(v_fixed, Y.shape)
        return _between_from_moments(V, Y, measure)

    draws = np.concatenate(_run(work, _plan(seed, permutations), n_jobs))
    # the observed value through the same code path, for a like-for-like comparison
    V0 = np.add.reduceat(u.w, u.starts)
    observed_engine = float(
        _between_from_moments(V0, np.add.reduceat(u.w * u.y, u.starts), measure)
    )
    hits = int(np.count_nonzero(draws >= observed_engine - _TIE_RTOL * abs(observed_engine)))
    return PermutationResult(
        measure=measure,
        observed=estimate.between,
        pvalue=(hits + 1) / (permutations + 1),
        draws=draws,
        permutations=permutations,
        total=estimate.total,
        n=n,
        n_groups=d.k,
    )
