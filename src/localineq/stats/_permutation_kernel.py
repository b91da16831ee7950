"""numba kernels of :func:`localineq.stats.permutation.permutation_test` for large samples.

Kept apart from :mod:`localineq.stats.permutation` so that importing it (and every job that
tests a few hundred areas) does not import numba and load the compiled kernels: about a
second per process, more than the pure-Python path takes at the pipeline's sizes.
"""

from __future__ import annotations

import numba
import numpy as np

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
