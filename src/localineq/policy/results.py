"""The result of a mission test, and the counting rule every area-wise test shares.

Verdicts are ``"met"``, ``"failed"`` or ``"no_data"``. :func:`_summarise` counts per-area
verdicts: the test as a whole is met when every area with data met it, failed when any
failed, and ``no_data`` when no area has data at both ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from localineq.stats._core import as_1d_float

__all__ = ["FAILED", "MET", "NO_DATA", "TestResult"]

MET, FAILED, NO_DATA = "met", "failed", "no_data"


@dataclass(frozen=True)
class TestResult:
    """Outcome of one mission test on one set of areas (one lens).

    Attributes
    ----------
    test : str
    verdict : {"met", "failed", "no_data"}
    n_areas : int
        Areas offered to the test (with or without data).
    n_met, n_failed, n_no_data : int
        Areas by verdict (``n_met + n_failed + n_no_data == n_areas`` for area-wise tests).
    n_failed_significant : int or None
        Failed areas whose failure is significant at the 95% level; ``None`` where no
        interval was published for any of them (or the test has no per-area failure).
    population_failed : float
        Population living in failed areas.
    gap_baseline, gap_latest : float
        The headline quantity at each end (a gap, a group mean, a slope; NaN if none).
    target : float
        The stated target (level, factor, change) or NaN.
    areas : pandas.DataFrame
        Per-area detail: ``area``, ``verdict``, ``significant`` and test-specific columns.
    extra : dict
        Further named numbers (e.g. the other gap measures).
    """

    __test__ = False  # not a pytest class

    test: str
    verdict: str
    n_areas: int
    n_met: int
    n_failed: int
    n_no_data: int
    n_failed_significant: int | None
    population_failed: float
    gap_baseline: float = math.nan
    gap_latest: float = math.nan
    target: float = math.nan
    areas: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    extra: dict[str, float] = field(default_factory=dict)

    def as_row(self) -> dict[str, Any]:
        """The summary numbers as a flat dict (no per-area detail)."""
        row = {
            "test": self.test,
            "n_areas": self.n_areas,
            "n_met": self.n_met,
            "n_failed": self.n_failed,
            "n_failed_significant": self.n_failed_significant,
            "n_no_data": self.n_no_data,
            "population_failed": self.population_failed,
            "gap_baseline": self.gap_baseline,
            "gap_latest": self.gap_latest,
            "target": self.target,
            "verdict": self.verdict,
        }
        row.update(self.extra)
        return row


def _inputs(n: int, x: Any, name: str, fill: float = math.nan) -> np.ndarray:
    if x is None:
        return np.full(n, fill)
    arr = as_1d_float(x, name, allow_scalar=True)
    if arr.size == 1 and n != 1:
        arr = np.full(n, arr[0])
    if arr.size != n:
        raise ValueError(f"{name} has length {arr.size}, expected {n}")
    return arr


def _weights(n: int, w: Any, name: str = "weights") -> np.ndarray:
    arr = _inputs(n, w, name, fill=1.0)
    if (arr[np.isfinite(arr)] < 0).any():
        raise ValueError(f"{name} must be non-negative")
    return arr


def _summarise(
    test: str,
    areas: pd.DataFrame,
    population: np.ndarray,
    significance_known: np.ndarray,
    **kw: Any,
) -> TestResult:
    """Count per-area verdicts; overall verdict = met iff every area with data met."""
    verdicts = areas["verdict"].to_numpy()
    failed = verdicts == FAILED
    n_met, n_failed = int((verdicts == MET).sum()), int(failed.sum())
    n_no = int((verdicts == NO_DATA).sum())
    verdict = NO_DATA if n_met + n_failed == 0 else (FAILED if n_failed else MET)
    if n_failed and significance_known[failed].any():
        n_sig: int | None = int(areas["significant"].to_numpy()[failed].sum())
    elif n_failed:
        n_sig = None
    else:
        n_sig = 0 if significance_known.any() else None
    pop = float(np.nansum(population[failed])) if n_failed else 0.0
    return TestResult(
        test=test,
        verdict=verdict,
        n_areas=len(areas),
        n_met=n_met,
        n_failed=n_failed,
        n_no_data=n_no,
        n_failed_significant=n_sig,
        population_failed=pop,
        areas=areas,
        **kw,
    )
