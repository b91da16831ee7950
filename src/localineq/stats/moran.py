r"""Moran's I permutation inference: esda's draws and arithmetic, without esda's per-draw loops.

:class:`esda.Moran` (esda 2.9) draws its ``P`` permutations one at a time in Python
(``np.random.permutation(z)`` and a sparse lag per draw), which took most of the time of the
global Moran table; :class:`esda.Moran_Local` compiles a numba kernel in every process because
that kernel takes the statistic as an argument, which numba cannot cache. The functions here
reproduce both **bit for bit**: same random draws in the same order, same floating-point
operations in the same order (``tests/test_moran.py`` compares them with esda exactly on
random graphs and values).

Global Moran's I (:func:`global_permutations`)
----------------------------------------------
With :math:`z = y - \bar y`, row-standardised sparse :math:`W` (:math:`S_0 = \sum_{ij} w_{ij}`)
and permutations :math:`z^{(1)}, \dots, z^{(P)}` drawn by ``np.random.permutation(z)`` from
numpy's global generator, in order,

.. math::

    I^{(k)} = \frac{n}{S_0} \frac{\sum_i z^{(k)}_i (W z^{(k)})_i}{\sum_i z_i^2}.

The draws are stacked into a :math:`P \times n` matrix :math:`Z` and all lags computed at
once as :math:`W Z^\top`. This equals esda's per-draw arithmetic exactly because scipy's CSR
matrix-times-dense product accumulates each output element over the row's stored entries in
the same order as the matrix-vector product, and numpy sums each row of a C-contiguous
:math:`P \times n` array along its last axis with the same pairwise summation as the 1-D sum
of one draw. The summaries follow esda: :math:`\overline{I_{perm}} = \sum_k I^{(k)}/P`, its
population standard deviation, :math:`z = (I - \overline{I_{perm}})/\mathrm{sd}`, and the
folded pseudo p-value :math:`(\min(G, P - G) + 1)/(P + 1)` with :math:`G = \#\{k : I^{(k)}
\ge I\}`.

Local Moran (:func:`local_permutations`)
----------------------------------------
esda's conditional randomisation: numba's generator, seeded, draws for every permutation
``max_card`` ids without replacement from the :math:`n - 1` other areas
(``esda.crand.vec_permutations``); area :math:`i`'s simulated statistic is
``esda.moran._moran_local_crand`` on its first :math:`k_i` drawn neighbours. Those two numba
kernels are called directly (they cache to disk, :func:`cache_esda_kernels`); only the loop
over areas, which esda runs in its uncacheable ``compute_chunk``, runs here in Python (one
call per area, a negligible overhead next to the 9999 draws each call evaluates).
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse

__all__ = [
    "GlobalPermutations",
    "LocalPermutations",
    "cache_esda_kernels",
    "global_permutations",
    "local_permutations",
    "permutation_indices",
]

#: Upper bound on the elements of one block of stacked draws (memory, not results: each draw
#: is computed independently of the others).
_BLOCK_ELEMENTS = 1 << 22


@functools.lru_cache(maxsize=64)
def permutation_indices(n: int, permutations: int, seed: int) -> npt.NDArray[np.unsignedinteger]:
    """The positions esda.Moran's draws take, as a read-only ``permutations`` x ``n`` array.

    Row ``k`` is the ``k``-th ``np.random.permutation(n)`` after ``np.random.seed(seed)``.
    ``np.random.permutation(z)`` of any length-``n`` array shuffles with the same calls to the
    generator whatever the values, so after that seed esda's ``k``-th draw is exactly
    ``z[indices[k]]``. The global generator's state is restored afterwards. Cached: every
    indicator, period and variant tested on ``n`` areas with one seed draws the same
    positions (stored as the smallest unsigned integer type, 0.7 MB for 361 areas x 999).
    """
    state = np.random.get_state()  # noqa: NPY002  (esda.Moran draws from the global generator)
    try:
        np.random.seed(seed)  # noqa: NPY002
        indices = np.empty((permutations, n), dtype=np.min_scalar_type(max(n - 1, 0)))
        for row in indices:
            row[:] = np.random.permutation(n)  # noqa: NPY002  (esda's call, one per draw)
    finally:
        np.random.set_state(state)  # noqa: NPY002
    indices.flags.writeable = False
    return indices


@dataclass(frozen=True)
class GlobalPermutations:
    """Global Moran's I and its permutation distribution, named as in :class:`esda.Moran`."""

    I: float  # noqa: E741  (the statistic's name)
    EI: float
    sim: npt.NDArray[np.float64]
    p_sim: float
    EI_sim: float
    seI_sim: float
    VI_sim: float
    z_sim: float


def global_permutations(
    y: npt.ArrayLike,
    sparse: scipy.sparse.csr_matrix,
    s0: float,
    indices: npt.NDArray[np.integer],
) -> GlobalPermutations:
    """Global Moran's I of ``y`` with the permutations ``z[indices[k]]``.

    Parameters
    ----------
    y
        Values, in the row order of ``sparse``.
    sparse
        The (row-standardised) weights as CSR, ``libpysal.weights.W.sparse``.
    s0
        :math:`S_0`, the sum of the weights as esda takes it (``W.s0``).
    indices
        :math:`P \\times n` positions of the draws, :func:`permutation_indices` for esda's.

    Returns
    -------
    GlobalPermutations
        With ``indices = permutation_indices(n, P, seed)``, equal bit for bit to the
        same-named attributes of ``esda.Moran(y, w, permutations=P)`` after
        ``np.random.seed(seed)``.
    """
    y = np.asarray(y, dtype="float64").flatten()
    n = len(y)
    permutations = len(indices)
    if permutations < 1 or np.shape(indices)[1:] != (n,):
        raise ValueError(f"indices must be (permutations >= 1) x {n}, got {np.shape(indices)}")
    z = y - y.mean()
    z2ss = (z * z).sum()
    # esda evaluates n / s0 * inum / z2ss left to right; so does every line below.
    observed = n / s0 * (z * (sparse @ z)).sum() / z2ss
    sim = np.empty(permutations)
    block = max(1, _BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, permutations, block):
        # Draws as columns: the product accumulates each lag over the row's stored entries
        # in order, as the matrix-vector product does for one draw.
        draws_t = z[np.ascontiguousarray(indices[start : start + block].T)]
        products = draws_t * (sparse @ draws_t)
        # One contiguous row per draw, so that each sum is numpy's 1-D pairwise sum.
        sim[start : start + block] = n / s0 * np.ascontiguousarray(products.T).sum(axis=1) / z2ss
    larger = (sim >= observed).sum()
    if (permutations - larger) < larger:
        larger = permutations - larger
    EI_sim = sim.sum() / permutations  # noqa: N806  (esda's names)
    seI_sim = sim.std()  # noqa: N806
    with np.errstate(divide="ignore"):
        z_sim = (observed - EI_sim) / seI_sim
    return GlobalPermutations(
        I=observed,
        EI=-1.0 / (n - 1),
        sim=sim,
        p_sim=(larger + 1.0) / (permutations + 1.0),
        EI_sim=EI_sim,
        seI_sim=seI_sim,
        VI_sim=seI_sim**2,
        z_sim=z_sim,
    )


@functools.cache
def cache_esda_kernels() -> int:
    """Let numba keep esda's compiled permutation kernels on disk between processes.

    esda compiles its conditional-permutation kernels (``esda.crand``, ``esda.moran``) without
    numba's ``cache=True``. Turning caching on for those dispatchers (numba's
    ``Dispatcher.enable_caching``, what ``cache=True`` calls) stores the machine code beside
    esda's modules (or in ``NUMBA_CACHE_DIR``) on first use; later processes load it. The code
    is the same either way, so results are too. ``crand.compute_chunk`` takes the statistic as
    a function argument, which numba cannot cache (about 5 s of compilation per process);
    :func:`local_permutations` therefore does its loop in Python and never calls it.

    Runs once per process. Returns the number of dispatchers switched (0 if numba is absent
    and esda runs pure Python).
    """
    import esda.crand
    import esda.moran

    switched = 0
    for module in (esda.crand, esda.moran):
        for kernel in vars(module).values():
            enable = getattr(kernel, "enable_caching", None)
            if callable(enable) and hasattr(kernel, "py_func"):
                enable()
                switched += 1
    return switched


@functools.lru_cache(maxsize=8)
def _conditional_ids(max_card: int, n: int, permutations: int, seed: int) -> npt.NDArray[np.int64]:
    """``esda.crand.vec_permutations``, cached: it seeds numba's generator itself, so its draws
    depend only on these arguments, and every indicator with ``n`` areas and the same largest
    neighbourhood shares them (drawing 9999 subsets took as long as the statistics)."""
    import esda.crand

    # Left writeable: numba types a read-only array differently and would compile the
    # statistic again for it.
    return esda.crand.vec_permutations(max_card, n, permutations, seed)


@dataclass(frozen=True)
class LocalPermutations:
    """Local Moran's I with conditional-permutation inference, named as in esda."""

    Is: npt.NDArray[np.float64]
    q: npt.NDArray[np.int64]
    p_sim: npt.NDArray[np.float64]
    lag: npt.NDArray[np.float64]


def local_permutations(
    y: npt.ArrayLike, sparse: scipy.sparse.csr_matrix, permutations: int, seed: int
) -> LocalPermutations:
    r"""Local Moran of ``y`` as ``esda.Moran_Local(y, w, permutations=..., seed=..., n_jobs=1)``.

    :math:`z = (y - \bar y)/\mathrm{sd}(y)`, :math:`I_i = (n - 1) z_i (Wz)_i / \sum_j z_j^2`,
    quadrant ``q`` 1 (high-high), 2 (low-high), 3 (low-low), 4 (high-low) from the signs of
    :math:`z_i` and :math:`(Wz)_i` (``geoda_quads=False``), and the folded pseudo p-value
    :math:`(\min(G_i, P - G_i) + 1)/(P + 1)` over the conditional draws. ``lag`` is
    :math:`W y`. ``sparse`` is the row-standardised ``W.sparse``; it is not modified.

    Returns
    -------
    LocalPermutations
        ``Is``, ``q``, ``p_sim`` equal, bit for bit, to esda's; ``lag`` to
        ``libpysal.weights.lag_spatial(w, y)``.
    """
    import esda.crand
    import esda.moran

    cache_esda_kernels()
    y = np.asarray(y, dtype="float64").flatten()
    n = len(y)
    z = y - y.mean()
    with np.errstate(all="ignore"):
        z /= y.std()
    zl = sparse @ z
    observed = (n - 1) * z * zl / (z * z).sum()
    zp, lp = z > 0, zl > 0
    q = 1 * (zp & lp) + 2 * (~zp & lp) + 3 * (~zp & ~lp) + 4 * (zp & ~lp)
    # esda.crand.crand's preparation, on a copy (crand zeroes the diagonal of w.sparse in place).
    scaling = (n - 1) / (z * z).sum()
    adjacency = sparse.copy()
    self_weights = adjacency.diagonal()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        adjacency.setdiag(0)
        adjacency.eliminate_zeros()
    other_weights = adjacency.data.astype(z.dtype)
    cardinalities = np.array((adjacency != 0).sum(1)).flatten()
    permuted_ids = _conditional_ids(int(cardinalities.max()), n, permutations, seed)
    # esda.crand.compute_chunk's loop (keep=True); its per-area p-values are discarded by
    # Moran_Local, which recounts them from the kept draws as below.
    draws = np.empty((n, permutations))
    offset = 0
    for i in range(n):
        k = int(cardinalities[i])
        weights_i = np.zeros(k + 1 if k else 2, dtype=other_weights.dtype)
        if k:
            weights_i[0] = self_weights[i]
            weights_i[1:] = other_weights[offset : offset + k]
        offset += k
        draws[i] = esda.moran._moran_local_crand(i, z, permuted_ids, weights_i, scaling)
    larger = (draws >= observed[:, None]).sum(1)
    low_extreme = (permutations - larger) < larger
    larger[low_extreme] = permutations - larger[low_extreme]
    return LocalPermutations(
        Is=observed,
        q=q,
        p_sim=(larger + 1.0) / (permutations + 1.0),
        lag=sparse @ y,
    )
