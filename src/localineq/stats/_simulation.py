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

Notation follows :mod:`localineq.stats.decomposition`: values :math:`y_i`, weight shares :math:`w_i`,
groups :math:`g` with weight shares :math:`v_g`, means :math:`\mu_g` and value shares
:math:`s_g`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from localineq.stats._core import _gini_rows, _Prepared
from localineq.stats.decomposition import Decomposition

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
