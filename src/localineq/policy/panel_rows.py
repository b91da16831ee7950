"""Where each period's rows sit in a long panel, found once for the many tests run on it.

A mission test reads each area's value at two periods (the wide frame of
:func:`localineq.policy.lenses.evaluate_test`). The scorecard, its pre-COVID sensitivity
and the ambition back-test judge the same panel at dozens of period pairs; selecting a
period with a boolean mask over the whole panel each time cost most of the mission job
(the text columns are pyarrow-backed, and taking rows of them is slow). :func:`panel_rows`
does the grouping once; :func:`period_column` then spreads one column of one period over
the sorted areas with a numpy take.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PanelRows", "panel_rows", "period_column"]

_NONE = np.empty(0, dtype=np.intp)


@dataclass(frozen=True)
class PanelRows:
    """Row positions of a long panel by period.

    Attributes
    ----------
    n_rows : int
        Rows of the panel it was built from (a guard against pairing it with another).
    areas : pandas.Index
        The panel's area codes, sorted (named ``area_code``).
    periods : dict
        For each period: the position of its first row of each area, and that area's slot
        in ``areas``.
    """

    n_rows: int
    areas: pd.Index
    periods: dict[object, tuple[np.ndarray, np.ndarray]]


def panel_rows(panel: pd.DataFrame) -> PanelRows:
    """Group a panel's rows by period once: the first row of each area in each period.

    Parameters
    ----------
    panel : pandas.DataFrame
        Long form with ``area_code`` and ``period``.

    Returns
    -------
    PanelRows

    Examples
    --------
    >>> p = pd.DataFrame({"area_code": ["b", "a", "b"], "period": ["1", "1", "1"]})
    >>> r = panel_rows(p)
    >>> list(r.areas), [a.tolist() for a in r.periods["1"]]
    (['a', 'b'], [[1, 0], [0, 1]])
    """
    areas = pd.Index(sorted(panel["area_code"].unique()), name="area_code")
    slot = areas.get_indexer(panel["area_code"])
    periods: dict[object, tuple[np.ndarray, np.ndarray]] = {}
    # groupby's positions are ascending within a period, so the first of each area's rows
    # is the one a boolean mask followed by drop_duplicates(keep="first") would keep.
    for per, pos in panel.groupby("period", sort=False).indices.items():
        _, first = np.unique(slot[pos], return_index=True)
        keep = pos[first]
        periods[per] = (keep, slot[keep])
    return PanelRows(n_rows=len(panel), areas=areas, periods=periods)


def period_column(
    panel: pd.DataFrame, rows: PanelRows, column: str, period: object
) -> np.ndarray | pd.Series:
    """One column at one period, one entry per area of ``rows.areas`` (NaN where absent).

    The same numbers as ``panel[panel["period"] == period].drop_duplicates("area_code")
    .set_index("area_code")[column].reindex(rows.areas)``: float columns as a numpy array,
    any other dtype through that very reindex (which keeps or widens the dtype as pandas
    does).
    """
    if len(panel) != rows.n_rows:
        raise ValueError(f"panel has {len(panel)} rows, its PanelRows {rows.n_rows}")
    pos, slots = rows.periods.get(period, (_NONE, _NONE))
    col = panel[column]
    if col.dtype == np.float64:
        out = np.full(len(rows.areas), math.nan)
        out[slots] = col.to_numpy()[pos]
        return out
    return col.take(pos).set_axis(rows.areas[slots]).reindex(rows.areas)
