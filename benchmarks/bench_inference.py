"""Benchmark localineq.stats against PySAL's ``inequality.theil.TheilDSim``.

Run from the repository root::

    python benchmarks/bench_inference.py            # n=35,000, 12 groups, 999 draws
    python benchmarks/bench_inference.py --n 5000   # quicker

Times, on the same lognormal data in the same process:

* PySAL ``TheilDSim(y, partition, permutations=999)`` (a Python loop over permutations);
* ``localineq.stats.permutation.permutation_test`` (Theil T, equal weights) with 1 thread and with
  all available CPUs, and with population-like weights;
* ``localineq.stats.bootstrap.bootstrap`` (Theil T and Gini) at the same size.

``permutation_test`` runs a numba kernel: it is called once on a tiny data set (weighted and
unweighted) before any timing, so JIT compilation (or loading the compiled kernel from
numba's on-disk cache) is not counted; the time of that warm-up is printed.

It checks that the observed between-group Theil equals PySAL's ``bg[0]`` to 1e-10 (PySAL
draws with numpy's global RNG, so only observed values, not draws, can be compared) and
prints a summary to paste into ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import inequality
import numpy as np
from inequality.theil import TheilDSim

from localineq.stats.bootstrap import bootstrap
from localineq.stats.decomposition import decompose
from localineq.stats.permutation import permutation_test


def _timed(fn, repeat: int = 1):
    """Best wall time over ``repeat`` runs, and the last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=35_000)
    ap.add_argument("--groups", type=int, default=12)
    ap.add_argument("--permutations", type=int, default=999)
    ap.add_argument("--seed", type=int, default=20240501)
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the localineq timings")
    args = ap.parse_args()

    rng = np.random.default_rng(args.seed)
    y = rng.lognormal(mean=10.0, sigma=0.6, size=args.n)
    groups = rng.integers(0, args.groups, size=args.n)
    y = y * np.exp(0.1 * groups / args.groups)  # a little between-group inequality
    pop = rng.integers(1_000, 300_000, size=args.n).astype(float)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    P = args.permutations

    print(f"n={args.n}, groups={args.groups}, permutations/draws={P}, seed={args.seed}")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"inequality {inequality.__version__}, {platform.machine()}, {cpus} CPUs available"
    )
    if hasattr(os, "getloadavg"):
        print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    t0 = time.perf_counter()
    tiny = ([1.0, 1.1, 1.2, 5.0, 5.1, 5.2], list("aaabbb"))
    permutation_test(*tiny, permutations=9, seed=0)
    permutation_test(*tiny, [1, 2, 3, 4, 5, 6], permutations=9, seed=0)
    print(
        f"numba kernels compiled or loaded from cache (warm-up, not timed below): "
        f"{time.perf_counter() - t0:.2f} s"
    )

    np.random.seed(args.seed)  # noqa: NPY002 - PySAL draws from the legacy global RNG
    t_pysal, sim = _timed(lambda: TheilDSim(y, groups, permutations=P))
    print(f"PySAL TheilDSim                       {t_pysal:8.3f} s   p={sim.bg_pvalue[0]:.4f}")

    t1, r1 = _timed(lambda: permutation_test(y, groups, permutations=P, seed=1), args.repeat)
    print(
        f"localineq permutation_test, 1 thread  {t1:8.3f} s   p={r1.pvalue:.4f}  "
        f"ratio {t_pysal / t1:6.1f}x"
    )
    tn, rn = _timed(
        lambda: permutation_test(y, groups, permutations=P, seed=1, n_jobs=-1), args.repeat
    )
    print(
        f"localineq permutation_test, {cpus} threads {tn:8.3f} s   p={rn.pvalue:.4f}  "
        f"ratio {t_pysal / tn:6.1f}x"
    )
    assert np.array_equal(r1.draws, rn.draws), "draws must not depend on n_jobs"
    tw, rw = _timed(lambda: permutation_test(y, groups, pop, permutations=P, seed=1), args.repeat)
    print(f"  ... weighted, 1 thread              {tw:8.3f} s   p={rw.pvalue:.4f}")

    bg0 = float(np.ravel(sim.bg[0])[0])  # bg has shape (permutations + 1, 1) for 1-d y
    diff = abs(r1.observed - bg0)
    print(f"observed between: localineq {r1.observed:.15f}  PySAL bg[0] {bg0:.15f}")
    print(f"|difference| = {diff:.2e}  (must be <= 1e-10)")
    assert diff <= 1e-10, "observed between-group Theil differs from PySAL"
    d = decompose(y, groups)
    assert abs(d.total - float(np.ravel(sim.T)[0])) <= 1e-10
    assert abs(d.within - float(np.ravel(sim.wg[0])[0])) <= 1e-10

    for measure in ("theil_t", "gini"):
        for jobs in (1, -1):
            tb, rb = _timed(
                lambda m=measure, j=jobs: bootstrap(
                    y, groups, pop, measure=m, draws=P, seed=1, n_jobs=j
                ),
                args.repeat,
            )
            lo, hi = rb.interval("between_share")
            label = (
                f"bootstrap {measure}, weighted, {'1 thread' if jobs == 1 else f'{cpus} threads'}"
            )
            print(f"{label:38s}{tb:8.3f} s   between_share 95% CI [{lo:.5f}, {hi:.5f}]")
    if hasattr(os, "getloadavg"):
        print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
