"""The status vocabulary of the local targets, and the rule that calls a fall levelling down.

One table (:data:`STATUS_MEANINGS`) names and explains every status, so that tables,
figures, the report and the profile pages say the same thing. The rule is
:func:`fell_below_baseline`; the statuses are assigned in :mod:`localineq.policy.targets`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from localineq.policy.compare import (
    MAX_DECIMALS,
    compare_at_precision,
    orient,
    significant_difference,
)

__all__ = ["STATUSES", "STATUS_MEANINGS", "fell_below_baseline"]

#: Status of an authority against its target, in reporting order.
STATUSES: tuple[str, ...] = (
    "met",
    "on_track",
    "off_track",
    "lagging_uk_trend",
    "levelling_down",
    "no_data",
)
#: One vocabulary for every table, figure, report and profile: status -> (label, meaning).
STATUS_MEANINGS: dict[str, tuple[str, str]] = {
    "met": ("Met", "at or beyond its 2030 target (a high performer: held its baseline)"),
    "on_track": ("On track", "not yet at its target but at or beyond the straight-line milestone"),
    "off_track": ("Off track", "behind the straight-line milestone to its target"),
    "lagging_uk_trend": (
        "Lagging the UK trend",
        "a high performer that has not fallen below its baseline but has fallen further "
        "behind the UK trend than the tolerance; not an alarm",
    ),
    "levelling_down": (
        "Levelling down",
        "a high performer at baseline whose value fell below its own baseline by more than "
        "the noise (significantly, where intervals are published)",
    ),
    "no_data": ("No data", "no baseline or no latest value"),
}


def fell_below_baseline(
    baseline: Any,
    latest: Any,
    *,
    higher_is_better: bool,
    se_baseline: Any = None,
    se_latest: Any = None,
    decimals: int = MAX_DECIMALS,
) -> np.ndarray:
    r"""Whether each value fell below its own baseline by more than the noise.

    With both standard errors: :math:`s\,(y_t - y_0) < 0` and the change is significant
    (:func:`~localineq.policy.compare.significant_difference` at ``decimals``). Without
    them: the fall :math:`s\,(y_0 - y_t)` exceeds half a unit in the last published place,
    :math:`\tfrac12 10^{-d}` (compared at :math:`d + 1` places). Missing values: ``False``.

    Examples
    --------
    >>> fell_below_baseline([5.0, 5.0, 5.0], [4.9, 5.0, 5.1], higher_is_better=True,
    ...                     decimals=1).tolist()
    [True, False, False]
    >>> fell_below_baseline([2.8], [2.1], higher_is_better=False, decimals=1).tolist()
    [False]
    >>> fell_below_baseline([10.0, 10.0], [9.0, 7.0], higher_is_better=True,
    ...                     se_baseline=[1.0, 1.0], se_latest=[1.0, 1.0]).tolist()
    [False, True]
    """
    y0 = np.asarray(baseline, dtype=float)
    yt = np.broadcast_to(np.asarray(latest, dtype=float), y0.shape).astype(float)
    n = y0.size
    se0 = np.full(n, math.nan) if se_baseline is None else np.asarray(se_baseline, float)
    set_ = np.full(n, math.nan) if se_latest is None else np.asarray(se_latest, float)
    drop = orient(y0, higher_is_better) - orient(yt, higher_is_better)
    with np.errstate(invalid="ignore"):
        fell = compare_at_precision(drop, 0.0, decimals) > 0
        beyond_half_unit = compare_at_precision(drop, 0.5 * 10.0**-decimals, decimals + 1) > 0
    intervals = np.isfinite(se0) & np.isfinite(set_)
    sig = significant_difference(yt, set_, y0, se0, decimals=decimals)
    return np.where(intervals, fell & sig, beyond_half_unit) & np.isfinite(drop)
