"""The target rule of an indicator, declared once in ``config/config.yaml`` (``targets:``).

A default with per-indicator overrides, on top of the mission scorecard's baseline rule;
the formulas it parametrises are in :mod:`localineq.policy.targets`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from localineq.config.policy_checks import BENCHMARKS
from localineq.policy.periods import BaselineRule

__all__ = ["BENCHMARKS", "TargetRule"]


@dataclass(frozen=True)
class TargetRule:
    """The target rule of one indicator (see the module docstring for the formulas).

    Attributes
    ----------
    benchmark : {"top_quintile", "uk_median", "region_best_quartile", "level"}
    level : float or None
        The stated level when ``benchmark == "level"``.
    gap_share : float
        Share :math:`\\lambda \\in (0, 1]` of the gap to the benchmark closed by the horizon.
    horizon : int
        Target year (the middle of it is the target time).
    milestone_every : int
        Years between interim milestones counted back from the horizon.
    trend_tolerance : float
        :math:`\\tau` as a share of the UK reference's baseline level.
    ambition : str
        Where the numbers come from (a mission's own ambition, or the default).
    baseline : BaselineRule
    """

    benchmark: str = "top_quintile"
    level: float | None = None
    gap_share: float = 0.5
    horizon: int = 2030
    milestone_every: int = 2
    trend_tolerance: float = 0.02
    ambition: str = "default"
    baseline: BaselineRule = field(default_factory=BaselineRule)
    persistence_periods: int = 5

    def __post_init__(self) -> None:
        if self.benchmark not in BENCHMARKS:
            raise ValueError(f"benchmark must be one of {BENCHMARKS}, got {self.benchmark!r}")
        if (self.benchmark == "level") != (self.level is not None):
            raise ValueError("a 'level' benchmark needs `level`, and only it takes one")
        if not 0 < self.gap_share <= 1:
            raise ValueError(f"gap_share must lie in (0, 1], got {self.gap_share}")
        if self.milestone_every < 1:
            raise ValueError("milestone_every must be >= 1 year")
        if self.trend_tolerance < 0:
            raise ValueError("trend_tolerance must be >= 0")
        if self.persistence_periods < 1:
            raise ValueError("persistence_periods must be >= 1")

    @property
    def horizon_time(self) -> float:
        """Decimal year of the horizon: the middle of the horizon year."""
        return self.horizon + 0.5

    def milestone_years(self, start: float) -> list[int]:
        """Milestone years after ``start`` (decimal year), counted back from the horizon.

        >>> TargetRule().milestone_years(2021.5)
        [2022, 2024, 2026, 2028, 2030]
        """
        years = range(self.horizon, math.floor(start), -self.milestone_every)
        return sorted(y for y in years if y + 0.5 > start)

    def describe(self) -> str:
        """One line for tables and captions."""
        bench = f"level {self.level:g}" if self.benchmark == "level" else self.benchmark
        return (
            f"benchmark {bench} at baseline; close {self.gap_share:.0%} of the gap by "
            f"{self.horizon}; floor: baseline and UK trend - {self.trend_tolerance:.0%} "
            f"({self.ambition})"
        )

    @classmethod
    def from_config(
        cls,
        targets_cfg: Mapping[str, Any] | None,
        indicator: str,
        missions_cfg: Mapping[str, Any] | None = None,
    ) -> TargetRule:
        """The rule of ``indicator``: ``targets.default`` updated by ``targets.overrides``.

        The baseline rule starts from the mission scorecard's (``missions.baseline`` and
        ``missions.publication_lag_months``, where declared) so both tables share one
        baseline, then ``targets.default.baseline`` and the override's ``baseline``.

        ``targets_cfg`` is taken as checked at start-up (the schema closes its keys;
        :mod:`localineq.config.policy_checks` relates benchmark, level and horizon).
        """
        cfg = dict(targets_cfg or {})
        spec: dict[str, Any] = dict(cfg.get("default", {}) or {})
        spec.update((cfg.get("overrides", {}) or {}).get(indicator, {}) or {})
        base: dict[str, Any] = dict((missions_cfg or {}).get("baseline", {}) or {})
        lag = ((missions_cfg or {}).get("publication_lag_months", {}) or {}).get(indicator)
        if lag is not None:
            base["lag_months"] = int(lag)
        base.update((cfg.get("default", {}) or {}).get("baseline", {}) or {})
        base.update(spec.pop("baseline", {}) or {})
        return cls(**spec, baseline=BaselineRule.from_config(base))
