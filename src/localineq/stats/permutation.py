r"""Permutation test of the between-group component: how often would randomly relabelled
regions show as much between-region inequality as the real ones?

Fisher-Yates draws from numpy's SFC64 stream: a compiled kernel (numba,
:mod:`localineq.stats._permutation_kernel`) for large samples, a pure-Python loop over the same
random words for small ones, giving the same draws bit for bit; see :func:`permutation_test`
for the exact scheme and :mod:`localineq.stats._simulation` for the shared seeding contract.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

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

#: From this many units on, the numba kernel draws the permutations; below, the Python loop
#: (same words, same steps, same sums). The kernel costs ~1 s per process before its first
#: draw (importing numba, loading the cached machine code; 3-4 s of compiling in a fresh
#: environment), the loop ~0.25 us per Fisher-Yates step: at the pipeline's 361 areas and
#: 999 permutations the loop takes ~0.1 s a test, at 35,000 units it would take ~9 s against
#: the kernel's 0.15 s (benchmarks/bench_inference.py).
NUMBA_MIN_UNITS = 2_000


def _lemire_indices(bits: np.random.SFC64, bounds: np.ndarray) -> np.ndarray:
    """Uniform integers on ``{0..s-1}`` for each bound ``s`` of ``bounds`` (uint64,
    ``1 <= s < 2**32``), in order, from the 32-bit words of ``bits``'s stream (each 64-bit
    output split in two, low half first), by Lemire's multiply-and-reject: ``m = x s`` for a
    word ``x``; while ``m mod 2**32 < (2**32 - s) mod s`` take the next word; return
    ``floor(m / 2**32)``. The same words and the same rule as the kernel's ``_below``.

    Vectorised: every step is first given the next unused word; where a step would reject
    (probability below ``s / 2**32``: rare), it takes the following words one by one and
    every later step moves along by as many.
    """
    total = bounds.size
    limits = (_TWO32 - bounds) % bounds

    def more(count: int) -> np.ndarray:
        raw = bits.random_raw((count + 1) // 2)
        words = np.empty(raw.size * 2, dtype=np.uint64)
        words[0::2] = raw & _MASK32
        words[1::2] = raw >> np.uint64(32)
        return words

    words = more(total)
    out = np.empty(total, dtype=np.int64)
    start = shift = 0  # next step to assign; words consumed beyond one per step so far
    while start < total:
        if words.size < total + shift:
            words = np.concatenate([words, more(total + shift - words.size + 64)])
        m = words[start + shift : total + shift] * bounds[start:]
        rejected = (m & _MASK32) < limits[start:]
        if not rejected.any():
            out[start:] = (m >> np.uint64(32)).astype(np.int64)
            break
        k = int(np.argmax(rejected))
        out[start : start + k] = (m[:k] >> np.uint64(32)).astype(np.int64)
        step, position = start + k, start + k + shift
        while True:
            position += 1
            shift += 1
            if words.size <= position:
                words = np.concatenate([words, more(64)])
            product = words[position] * bounds[step]
            if (product & _MASK32) >= limits[step]:
                break
        out[step] = int(product >> np.uint64(32))
        start = step + 1
    return out


def _python_shuffle_sums(
    bits: np.random.SFC64,
    moving: list[np.ndarray],
    starts: np.ndarray,
    sizes: np.ndarray,
    sums: list[np.ndarray],
) -> None:
    """The kernels' scheme (``_shuffle_sums``, ``_shuffle_pair_sums``) in Python: the same
    Fisher–Yates steps from the same words, the same sums added in the same order, so the
    results are equal bit for bit. ``moving`` holds the arrays that move together (values, or
    values and weights); ``sums[q][r, g]`` receives array ``q``'s sum over block ``g`` after
    row ``r``."""
    n, first = int(moving[0].size), int(sizes[0])
    rows = sums[0].shape[0]
    steps = np.tile(np.arange(n, first, -1, dtype=np.uint64), rows)
    js = _lemire_indices(bits, steps).tolist()
    arrays = [a.tolist() for a in moving]
    blocks = [(g, int(starts[g]), int(sizes[g])) for g in range(starts.size - 1, 0, -1)]
    out = [[[0.0] * starts.size for _ in range(rows)] for _ in arrays]
    p = 0
    for r in range(rows):
        for g, start, size in blocks:
            stop = p + size
            block = js[p:stop]
            p = stop
            for a, row in zip(arrays, out, strict=True):
                acc = 0.0
                i = start + size - 1
                for j in block:
                    v = a[j]
                    a[j] = a[i]
                    a[i] = v
                    acc += v
                    i -= 1
                row[r][g] = acc
        for a, row in zip(arrays, out, strict=True):
            acc = 0.0  # left to right, as numba's ndarray.sum (not pairwise like numpy's)
            for v in a[:first]:
                acc += v
            row[r][0] = acc
    for target, row in zip(sums, out, strict=True):
        target[:] = row


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
    ``_shuffle_sums``): by the numba kernel from :data:`NUMBA_MIN_UNITS` units on, by the
    same steps in Python below."""
    if y.size < NUMBA_MIN_UNITS:
        moving = [y] if w is None else [y, w]
        sums = [Y] if w is None else [Y, V]
        _python_shuffle_sums(np.random.SFC64(child), moving, starts, sizes, sums)
        return
    from localineq.stats._permutation_kernel import _shuffle_pair_sums, _shuffle_sums

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
