r"""Inference for inequality decompositions: permutation tests, bootstrap, measurement error.

All three procedures are batched: draws are generated in fixed-size chunks of
``_CHUNK`` rows, over units sorted by group so that each group is a contiguous block. The
bootstrap and measurement-error draws are ``(rows, n)`` numpy arrays whose group sums come
from ``numpy.add.reduceat``; there is no Python loop over units or over draws (only over
chunks, and over groups for the Gini's within term). The permutation test uses a compiled
kernel instead (numba; see :func:`permutation_test` for why and for the exact scheme).

Reproducibility: ``seed`` (an int) is turned into a :class:`numpy.random.SeedSequence`, which
spawns one child stream per chunk. Results therefore depend only on ``seed``, the number of
draws and the data — not on ``n_jobs`` (chunks may run in threads; numpy and the numba kernel
release the GIL in the heavy steps) and not on the order in which chunks finish.

Notation follows :mod:`localineq.measures`: values :math:`y_i`, weight shares :math:`w_i`,
groups :math:`g` with weight shares :math:`v_g`, means :math:`\mu_g` and value shares
:math:`s_g`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numba
import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.special import ndtri

from localineq.measures import (
    ADDITIVE_MEASURES,
    Decomposition,
    Measure,
    _as_1d_float,
    _decompose_prepared,
    _first,
    _gini_rows,
    _prepare,
    _Prepared,
)

__all__ = [
    "BootstrapResult",
    "MeasurementErrorResult",
    "PermutationResult",
    "bootstrap",
    "measurement_error",
    "permutation_test",
]

#: Draws per chunk. Part of the reproducibility contract: changing it changes the draws.
_CHUNK = 64
#: Relative tolerance within which a permutation draw counts as a tie with the observed value.
_TIE_RTOL = 1e-10

Seed = int | np.random.SeedSequence | np.random.Generator | None
T = TypeVar("T")


# ---------------------------------------------------------------------------------------------
# plumbing
# ---------------------------------------------------------------------------------------------


def _seed_sequence(seed: Seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(seed.integers(0, 2**63, size=4).tolist())
    if seed is None or isinstance(seed, (int, np.integer)):
        return np.random.SeedSequence(None if seed is None else int(seed))
    raise ValueError(f"seed must be an int, a SeedSequence, a Generator or None, got {seed!r}")


def _plan(seed: Seed, draws: int) -> list[tuple[np.random.SeedSequence, int]]:
    """One (child seed, size) pair per chunk of at most ``_CHUNK`` draws."""
    nchunks = -(-draws // _CHUNK)
    children = _seed_sequence(seed).spawn(nchunks)
    return [(c, min(_CHUNK, draws - i * _CHUNK)) for i, c in enumerate(children)]


def _generator(child: np.random.SeedSequence) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(child))


def _resolve_jobs(n_jobs: int | None) -> int:
    if n_jobs is None:
        return 1
    if n_jobs == -1:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - non-Linux
            return max(1, os.cpu_count() or 1)
    if isinstance(n_jobs, (int, np.integer)) and n_jobs >= 1:
        return int(n_jobs)
    raise ValueError(f"n_jobs must be a positive int or -1 (all CPUs), got {n_jobs!r}")


def _run(
    work: Callable[[np.random.SeedSequence, int], T],
    plan: list[tuple[np.random.SeedSequence, int]],
    n_jobs: int | None,
) -> list[T]:
    jobs = min(_resolve_jobs(n_jobs), len(plan))
    if jobs <= 1:
        return [work(c, s) for c, s in plan]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(work, *zip(*plan, strict=True)))


def _check_count(x: Any, name: str) -> int:
    if isinstance(x, bool) or not isinstance(x, (int, np.integer)) or x < 1:
        raise ValueError(f"{name} must be a positive integer, got {x!r}")
    return int(x)


def _check_level(level: float) -> float:
    if not (isinstance(level, (int, float, np.floating)) and 0 < level < 1):
        raise ValueError(f"level must lie in (0, 1), got {level!r}")
    return float(level)


@dataclass(frozen=True)
class _Sorted:
    """Units sorted by group (and by value within group), so each group is a contiguous
    block of positions."""

    order: np.ndarray  # positions of the original units in sorted order
    y: np.ndarray  # values, transformed: y / mu (scale-free measures) or y - mu (variance)
    w: np.ndarray  # weight shares
    starts: np.ndarray
    sizes: np.ndarray
    ref: float  # the reference used in the transform (the weighted mean)


def _sort_units(d: _Prepared, measure: str) -> _Sorted:
    order = np.lexsort((d.y, d.codes))  # by group, then by value within group
    sizes = d.counts
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    mu = float(np.dot(d.w, d.y))
    y = d.y[order]
    # All four measures are invariant to scale (Theil, MLD, Gini) or location (variance);
    # working with values of order 1 keeps the moment formulas below free of cancellation.
    y = y - mu if measure == "variance" else y / mu
    return _Sorted(order=order, y=y, w=d.w[order], starts=starts, sizes=sizes, ref=mu)


def _resample_positions(
    rng: np.random.Generator, starts: np.ndarray, sizes: np.ndarray, rows: int
) -> np.ndarray:
    """``(rows, n)`` positions drawn with replacement within each group's block."""
    n = int(sizes.sum())
    out = np.empty((rows, n), dtype=np.int32 if n < 2**31 else np.int64)
    for a, m in zip(starts.tolist(), sizes.tolist(), strict=True):  # a handful of groups
        out[:, a : a + m] = rng.integers(a, a + m, size=(rows, m), dtype=out.dtype)
    return out


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


def _unit_f(y: np.ndarray, measure: str) -> np.ndarray:
    """Per-unit term whose weighted group sums, with those of 1 and y, give every component."""
    if measure == "theil_t":
        return y * np.log(y)
    if measure == "theil_l":
        return np.log(y)
    return y * y  # variance


def _between_from_moments(V: np.ndarray, Y: np.ndarray, measure: str) -> np.ndarray:
    r"""Between component for each row from group sums :math:`V_g=\sum w`, :math:`Y_g=\sum wy`.

    ``V`` and ``Y`` have shape ``(..., k)``; groups with :math:`V_g = 0` contribute nothing.
    """
    Vt = V.sum(axis=-1, keepdims=True)
    Yt = Y.sum(axis=-1, keepdims=True)
    pos = V > 0
    mu = Yt / Vt
    with np.errstate(divide="ignore", invalid="ignore"):
        mug = np.where(pos, Y / np.where(pos, V, 1.0), mu)
        v = V / Vt
        if measure == "theil_t":
            terms = (Y / Yt) * np.log(mug / mu)
        elif measure == "theil_l":
            terms = v * np.log(mu / mug)
        elif measure == "variance":
            terms = v * (mug - mu) ** 2
        else:  # gini of the group means, weighted by group weight shares
            return _gini_rows(mug, v)
    return np.where(pos, terms, 0.0).sum(axis=-1)


def _components_from_moments(
    V: np.ndarray, Y: np.ndarray, F: np.ndarray, measure: str
) -> dict[str, np.ndarray]:
    r"""Total, between and within for each row from group sums of :math:`w`, :math:`wy`,
    :math:`wf(y)` (see :func:`_unit_f`), all of shape ``(..., k)``.

    Theil T: :math:`T = \sum F/\sum Y - \ln\mu`, :math:`T_g = F_g/Y_g - \ln\mu_g`;
    MLD: :math:`L = \ln\mu - \sum F/\sum V`, :math:`L_g = \ln\mu_g - F_g/V_g`;
    variance: :math:`\sum F/\sum V - \mu^2`, :math:`V_g = F_g/V_g - \mu_g^2`.
    """
    V = np.broadcast_to(V, Y.shape)
    Vt, Yt, Ft = V.sum(axis=-1), Y.sum(axis=-1), F.sum(axis=-1)
    mu = Yt / Vt
    pos = V > 0
    safeV = np.where(pos, V, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mug = np.where(pos, Y / safeV, 1.0)
        v = V / Vt[..., None]
        if measure == "theil_t":
            total = Ft / Yt - np.log(mu)
            own = F / np.where(pos, Y, 1.0) - np.log(mug)
            weight = Y / Yt[..., None]
        elif measure == "theil_l":
            total = np.log(mu) - Ft / Vt
            own = np.log(mug) - F / safeV
            weight = v
        else:
            total = Ft / Vt - mu**2
            own = F / safeV - mug**2
            weight = v
        within = np.where(pos, weight * own, 0.0).sum(axis=-1)
    between = _between_from_moments(V, Y, measure)
    return {"total": total, "between": between, "within": within}


def _gini_components(
    Y: np.ndarray, W: np.ndarray, starts: np.ndarray, sizes: np.ndarray
) -> dict[str, np.ndarray]:
    """Gini total, between, within and overlap for each row of values ``Y`` (units sorted by
    group) with weights ``W`` (broadcastable to ``Y``)."""
    W = np.broadcast_to(W, Y.shape)
    total = _gini_rows(Y, W)
    V = np.add.reduceat(W, starts, axis=-1)
    S = np.add.reduceat(W * Y, starts, axis=-1)
    between = _between_from_moments(V, S, "gini")
    v = V / V.sum(axis=-1, keepdims=True)
    s = S / S.sum(axis=-1, keepdims=True)
    within = np.zeros(Y.shape[:-1])
    for g, (a, m) in enumerate(zip(starts, sizes, strict=True)):  # a handful of groups
        with np.errstate(divide="ignore", invalid="ignore"):
            own = _gini_rows(Y[..., a : a + m], W[..., a : a + m])
        ok = (V[..., g] > 0) & (S[..., g] > 0)
        within += np.where(ok, v[..., g] * s[..., g] * np.where(ok, own, 0.0), 0.0)
    return {
        "total": total,
        "between": between,
        "within": within,
        "overlap": total - between - within,
    }


def _gini_sorted_rows(ys: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Gini of each row of weights ``W`` over fixed values ``ys`` sorted ascending."""
    ws = W / W.sum(axis=-1, keepdims=True)
    cum = np.cumsum(ws, axis=-1)
    wy = ws * ys
    return (wy * (2.0 * cum - ws - 1.0)).sum(axis=-1) / wy.sum(axis=-1)


def _gini_components_counts(
    counts: np.ndarray, u: _Sorted, global_order: np.ndarray
) -> dict[str, np.ndarray]:
    r"""Gini components of resampled data given each unit's multiplicity ``counts``
    (``(rows, n)``, units sorted by group then value), without sorting per draw.

    Resampling only changes weights :math:`W_i = c_i w_i` of units whose order is fixed, so
    within group :math:`g` (a block sorted by value, cumulative weight :math:`C_i`)
    :math:`G_g = \sum_{i\in g} W_i y_i (2C_i - W_i - V_g) / (V_g S_g)` with
    :math:`V_g = \sum W`, :math:`S_g = \sum W y`; the total uses the global value order.
    """
    W = counts * u.w
    WY = W * u.y
    V = np.add.reduceat(W, u.starts, axis=1)
    S = np.add.reduceat(WY, u.starts, axis=1)
    between = _between_from_moments(V, S, "gini")
    cum = np.cumsum(W, axis=1)
    before = cum[:, u.starts] - W[:, u.starts]  # weight in earlier blocks
    cum -= np.repeat(before, u.sizes, axis=1)
    num = np.add.reduceat(WY * (2.0 * cum - W - np.repeat(V, u.sizes, axis=1)), u.starts, axis=1)
    ok = (V > 0) & (S > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = np.where(ok, num / np.where(ok, V * S, 1.0), 0.0)
    v = V / V.sum(axis=1, keepdims=True)
    s = S / S.sum(axis=1, keepdims=True)
    within = (v * s * own).sum(axis=1)
    total = _gini_sorted_rows(u.y[global_order], np.take(W, global_order, axis=1))
    return {
        "total": total,
        "between": between,
        "within": within,
        "overlap": total - between - within,
    }


def _summarise(
    estimate: Decomposition, parts: list[dict[str, np.ndarray]], level: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stack per-chunk components into a draws table and percentile intervals."""
    cols = ["total", "between", "within"] + (["overlap"] if estimate.measure == "gini" else [])
    draws = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in cols})
    with np.errstate(divide="ignore", invalid="ignore"):
        draws["between_share"] = np.where(
            draws["total"] != 0, draws["between"] / draws["total"], np.nan
        )
    alpha = 1 - level
    rows = []
    for c in draws.columns:
        x = draws[c].to_numpy()
        lo, hi = np.nanquantile(x, [alpha / 2, 1 - alpha / 2])
        point = getattr(estimate, c)
        # bias = mean draw - estimate: resampling or re-simulating noisy areas shifts the
        # between share (up for the area bootstrap, down for measurement noise), so the
        # percentile interval need not be centred on the estimate; callers should report it.
        rows.append(
            (
                c,
                point,
                float(lo),
                float(hi),
                float(np.nanstd(x, ddof=1)),
                float(np.nanmean(x) - point),
            )
        )
    ci = pd.DataFrame(rows, columns=["statistic", "estimate", "lower", "upper", "se", "bias"])
    return ci.set_index("statistic"), draws


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
        As in :func:`localineq.measures.decompose`.
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
        On any input error of :func:`~localineq.measures.decompose`, or a non-positive
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


# ---------------------------------------------------------------------------------------------
# bootstrap
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SimulationResult:
    """Fields and interval lookup shared by :class:`BootstrapResult` and
    :class:`MeasurementErrorResult`."""

    measure: str
    estimate: Decomposition = field(repr=False)
    ci: pd.DataFrame = field(repr=False, compare=False)
    draws: pd.DataFrame = field(repr=False, compare=False)
    level: float
    n_draws: int

    def interval(self, statistic: str) -> tuple[float, float]:
        """``(lower, upper)`` for one statistic, e.g. ``"between_share"``."""
        row = self.ci.loc[statistic]
        return float(row["lower"]), float(row["upper"])


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
        As in :func:`localineq.measures.decompose`.
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
        On any input error of :func:`~localineq.measures.decompose`, a non-positive
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
    lo = _as_1d_float(lower, "lower")
    hi = _as_1d_float(upper, "upper")
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
    has = ~np.isnan(lo)
    inverted = has & (lo > hi)
    if inverted.any():
        i = _first(inverted)
        raise ValueError(
            f"lower > upper for {int(inverted.sum())} areas (first at position {i}: "
            f"lower={lo[i]}, upper={hi[i]})"
        )
    z = float(ndtri(0.5 + bounds_level / 2))
    return np.where(has, (hi - lo) / (2 * z), 0.0)


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
        As in :func:`localineq.measures.decompose`.
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
        On any input error of :func:`~localineq.measures.decompose`; bounds of the wrong
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
        n_uncertain=int(np.count_nonzero(~np.isnan(_as_1d_float(lower, "lower")))),
        truncate=bool(truncate),
    )
