"""Columns of the targets table (``la_targets``): fixed names, and the target column named for
the horizon year (``target_<horizon>``, ``targets.default.horizon``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from localineq.policy.target_rules import TargetRule

__all__ = ["TARGET_COLUMN", "TARGET_COLUMNS", "target_column", "target_columns", "target_horizon"]


def target_column(horizon: int) -> str:
    """Name of the target column for the horizon year: ``target_<horizon>``.

    >>> target_column(2035)
    'target_2035'
    """
    return f"target_{int(horizon)}"


def target_horizon(columns: Iterable[str]) -> int:
    """The horizon year of a targets table, read from its one ``target_<year>`` column.

    >>> target_horizon(["baseline", "target_2035", "milestone_2033"])
    2035

    Raises
    ------
    ValueError
        If the columns hold no ``target_<year>`` column or more than one.
    """
    found = [c for c in columns if re.fullmatch(r"target_\d{4}", str(c))]
    if len(found) != 1:
        raise ValueError(f"a targets table needs exactly one target_<year> column, found {found}")
    return int(found[0].removeprefix("target_"))


def target_columns(horizon: int) -> list[str]:
    """:data:`TARGET_COLUMNS` with the target column named for ``horizon``."""
    return [target_column(horizon) if c == TARGET_COLUMN else c for c in TARGET_COLUMNS]


#: The target column of :data:`TARGET_COLUMNS`, for the default horizon
#: (:class:`~localineq.policy.target_rules.TargetRule`); :func:`target_columns` names it for another.
TARGET_COLUMN = target_column(TargetRule.horizon)

TARGET_COLUMNS: tuple[str, ...] = (
    "area_code",
    "area_name",
    "itl1_code",
    "itl1_name",
    "unit_of_analysis",
    "indicator",
    "higher_is_better",
    "baseline_period",
    "baseline",
    "latest_period",
    "latest",
    "benchmark_rule",
    "benchmark",
    "high_performer",
    "gap_share",
    TARGET_COLUMN,
    "milestone_latest",
    "floor_latest",
    "status",
    "significant",
    "evidence",
    "rank_baseline",
    "rank_latest",
    "n_ranked_latest",
    "reference",
    "region_reference_latest",
    "uk_reference_baseline",
    "uk_reference_latest",
    "uk_change",
    "n_uk_change_areas",
    "price_basis",
    "status_nominal",
    "decimals",
    "levelling_down_periods",
    "periods_checked",
)
