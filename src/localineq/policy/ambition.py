r"""An ambition verdict for every mission test and lens (issue 19), under rules kept in config.

The Institute for Government judged the twelve missions: five not ambitious enough ("would
happen anyway"), three too ambitious, four whose success is undefined. This module puts the
same question to the data, for each mission test at each lens (``missions.ambition``):

``undefined``
    The wording sets no quantity (flagged in config, with the reason).
``would_happen_anyway``
    A rise or gap test met in at least ``would_happen_anyway_share`` of the historical
    windows of the same length (the back-test, :func:`localineq.policy.history.backtest_table`);
    or a level already reached at the latest period.
``unprecedented``
    The change needed per year by the deadline exceeds the best rate ever seen over a window
    of that length at that lens: :math:`\max_{i,\,t_b - t_a \approx L} s\,(y_{i,t_b} -
    y_{i,t_a}) / (t_b - t_a)`, with :math:`L` the years from baseline to deadline, capped to
    the longest span the data hold. The rate, window and place are named.
``calibrated``
    Otherwise.
``no_data``
    Nothing to judge by (no metric, one period, no window).

Needed rate per year, :math:`T^* = \text{deadline} + \tfrac12`, :math:`t_L` the latest
mid-year: ``level_reached`` the largest :math:`s\,(\text{target} - y_{i,L}) / (T^* - t_L)`
over areas short of it; ``worst_improve_by`` :math:`s\,(\bar y_{req} - \bar y_L)/(T^* - t_L)`
for the worst group's mean; ``trajectory`` the required slope :math:`r^*`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from localineq.policy.compare import orient
from localineq.policy.panels import IndicatorPanels
from localineq.policy.periods import period_midyear
from localineq.policy.scorecard import (
    default_basis,
    lens_panels,
    price_panels,
    published_panel,
    tier_populations,
)

__all__ = [
    "AMBITION_CLASSES",
    "AMBITION_COLUMNS",
    "IFG_COUNTS",
    "ambition_row",
    "ambition_table",
    "best_rate",
    "mission_class",
    "mission_counts",
    "needed_rate",
]

AMBITION_CLASSES: tuple[str, ...] = (
    "would_happen_anyway",
    "unprecedented",
    "undefined",
    "calibrated",
    "no_data",
)
#: The Institute for Government's judgement of the twelve missions, by the same classes.
IFG_COUNTS = {"would_happen_anyway": 5, "unprecedented": 3, "undefined": 4}
AMBITION_COLUMNS: tuple[str, ...] = (
    "mission",
    "mission_name",
    "indicator",
    "test",
    "lens",
    "price_basis",
    "ambition",
    "reason",
    "backtest_share_met",
    "needed_rate",
    "best_rate",
    "best_rate_window_years",
    "best_rate_place",
    "best_rate_periods",
)


def best_rate(panel: pd.DataFrame, window_years: float, higher_is_better: bool) -> dict[str, Any]:
    """Best annual rate of improvement of any area over a window of about ``window_years``.

    Pairs of periods whose mid-years are :math:`L \\pm 0.5` apart, :math:`L` = ``window_years``
    capped to the longest span the panel holds; the rate is oriented (positive = better).

    Examples
    --------
    >>> p = pd.DataFrame({"area_code": ["a"] * 3 + ["b"] * 3,
    ...                   "period": ["2018-01-01/P1Y", "2019-01-01/P1Y", "2020-01-01/P1Y"] * 2,
    ...                   "value": [1.0, 2.0, 3.0, 1.0, 1.0, 5.0]})
    >>> r = best_rate(p, 2, True)
    >>> r["rate"], r["place"], r["window_years"]
    (2.0, 'b', 2.0)
    """
    have = panel[panel["value"].notna()]
    mids = have["period"].map(period_midyear)
    if mids.empty or mids.max() == mids.min():
        return {"rate": math.nan, "place": "", "window_years": 0.0, "periods": ""}
    span = min(float(window_years), float(mids.max() - mids.min()))
    best: tuple[float, str, str] = (-math.inf, "", "")
    for area, rows in have.assign(t=mids).groupby("area_code", sort=True):
        rows = rows.sort_values("t")
        pts = list(zip(rows["t"], rows["value"], rows["period"], strict=True))
        for (ta, ya, pa), (tb, yb, pb) in combinations(pts, 2):
            if abs((tb - ta) - span) <= 0.5 and tb > ta:
                rate = float(orient(np.array([yb - ya]), higher_is_better)[0] / (tb - ta))
                if rate > best[0]:
                    best = (rate, str(area), f"{pa} → {pb}")
    if not math.isfinite(best[0]):
        return {"rate": math.nan, "place": "", "window_years": span, "periods": ""}
    return {"rate": best[0], "place": best[1], "window_years": span, "periods": best[2]}


def needed_rate(row: Mapping[str, Any], panel: pd.DataFrame) -> float:
    """Change needed per year from the latest period to the deadline (module docstring)."""
    test, hib = row["test"], bool(row["higher_is_better"])
    s = 1.0 if hib else -1.0
    if test == "trajectory":
        return float(row["gap_baseline"])  # r*, the required slope
    late = row.get("latest_period")
    if not isinstance(late, str) or not late:
        return math.nan
    years_left = float(row["deadline"]) + 0.5 - period_midyear(late)
    if years_left <= 0:
        return math.nan
    if test == "level_reached":
        latest = panel.loc[(panel["period"] == late) & panel["value"].notna(), "value"]
        if latest.empty:
            return math.nan
        short = s * (float(row["target"]) - latest.to_numpy(float))
        return float(max(short.max(), 0.0) / years_left)
    if test == "worst_improve_by":
        required = float(row["gap_baseline"]) * (1 + s * float(row["target"]))
        return float(s * (required - float(row["gap_latest"])) / years_left)
    return math.nan


def ambition_row(
    row: Mapping[str, Any],
    panel: pd.DataFrame | None,
    backtest: Mapping[str, Any] | None,
    rules: Mapping[str, Any],
) -> dict[str, Any]:
    """The ambition class of one scorecard row (a mission test at one lens)."""
    out: dict[str, Any] = {k: row.get(k, "") for k in AMBITION_COLUMNS[:6]}
    undefined = {int(k): v for k, v in (rules.get("undefined") or {}).items()}
    mission = int(row["mission"])
    if mission in undefined:
        return {**out, "ambition": "undefined", "reason": undefined[mission]}
    test = row["test"]
    if test == "none" or panel is None:
        return {**out, "ambition": "no_data", "reason": str(row.get("verdict_reason", ""))}
    share = float(rules["would_happen_anyway_share"])
    if test in ("rise_everywhere", "gap_narrows"):
        got = math.nan if backtest is None else float(backtest.get("share_met", math.nan))
        out["backtest_share_met"] = got
        if not math.isfinite(got):
            return {**out, "ambition": "no_data", "reason": "no historical window to back-test"}
        if got >= share:
            reason = f"met in {got:.0%} of historical windows (at least {share:.0%})"
            return {**out, "ambition": "would_happen_anyway", "reason": reason}
        reason = f"met in {got:.0%} of historical windows (under {share:.0%})"
        return {**out, "ambition": "calibrated", "reason": reason}
    need = needed_rate(row, panel)
    window = (
        float(row["deadline"])
        - period_midyear(str(row["baseline_period"] or row["latest_period"]))
        + 0.5
    )
    best = best_rate(panel, window, bool(row["higher_is_better"]))
    out.update(
        needed_rate=need,
        best_rate=best["rate"],
        best_rate_window_years=best["window_years"],
        best_rate_place=best["place"],
        best_rate_periods=best["periods"],
    )
    if test == "level_reached" and row.get("met_so_far") == "met":
        return {**out, "ambition": "would_happen_anyway", "reason": "already reached"}
    if not (math.isfinite(need) and math.isfinite(best["rate"])):
        return {**out, "ambition": "no_data", "reason": "too few periods for a rate"}
    words = (
        f"needs {need:.3g} a year; best ever {best['rate']:.3g} a year over "
        f"{best['window_years']:.0f} years ({best['place']}, {best['periods']})"
    )
    if need > best["rate"]:
        return {**out, "ambition": "unprecedented", "reason": words}
    return {**out, "ambition": "calibrated", "reason": words}


#: The rule of ``missions.ambition.mission_rule`` when config gives none.
DEFAULT_MISSION_RULE: dict[str, Any] = {
    "any_of": ["undefined", "unprecedented"],
    "all_of": "would_happen_anyway",
    "otherwise": "calibrated",
    "ignore": ["no_data"],
}


def mission_class(classes: pd.Series, rule: Mapping[str, Any] | None = None) -> str:
    """One class per mission from its tests' classes at one lens (``mission_rule`` in config).

    Classes in ``ignore`` are not judged; the first class of ``any_of`` that a judged test
    has wins; else ``all_of`` if every judged test has it; else ``otherwise``; ``no_data``
    when nothing is judged. The default (:data:`DEFAULT_MISSION_RULE`): ``undefined`` if
    flagged, else ``unprecedented`` if any test is, else ``would_happen_anyway`` if every
    judged test is, else ``calibrated``.

    >>> mission_class(pd.Series(["would_happen_anyway", "calibrated"]))
    'calibrated'
    >>> mission_class(pd.Series(["would_happen_anyway", "no_data"]))
    'would_happen_anyway'
    >>> mission_class(pd.Series(["unprecedented", "would_happen_anyway"]),
    ...               {"any_of": [], "all_of": "calibrated", "otherwise": "would_happen_anyway",
    ...                "ignore": ["no_data"]})
    'would_happen_anyway'
    """
    rule = {**DEFAULT_MISSION_RULE, **dict(rule or {})}
    judged = set(classes) - set(rule["ignore"])
    if not judged:
        return "no_data"
    for cls in rule["any_of"]:
        if cls in judged:
            return str(cls)
    return str(rule["all_of"]) if judged == {rule["all_of"]} else str(rule["otherwise"])


def ambition_table(
    card: pd.DataFrame,
    backtest: pd.DataFrame,
    frames: Mapping[str, pd.DataFrame],
    missions_cfg: Mapping[str, Any],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
    extra: list[dict[str, Any]] | None = None,
    built: Mapping[str, IndicatorPanels] | None = None,
) -> pd.DataFrame:
    """:func:`ambition_row` for every default-basis scorecard row (real terms for money).

    Parameters
    ----------
    card : pandas.DataFrame
        The scorecard.
    backtest : pandas.DataFrame
        ``ambition_backtest`` (``share_met`` per mission, indicator, test, lens, basis).
    frames : mapping
        As for :func:`localineq.policy.scorecard.scorecard`.
    extra : list of dict, optional
        Ambition rows judged elsewhere (:func:`localineq.policy.geo_missions.rd_ambition`);
        they replace this function's row of the same mission, indicator, test and lens,
        unless the mission is flagged ``undefined``.
    built : mapping, optional
        :func:`~localineq.policy.panels.mission_panels` of the same frames and config, if
        the caller has it: an indicator found there is not built again.
    """
    rules = dict(missions_cfg.get("ambition", {}) or {})
    key = ["mission", "indicator", "test", "lens", "price_basis"]
    bt = (
        {
            tuple("" if pd.isna(v) else v for v in k): r
            for k, r in zip(
                backtest[key].itertuples(index=False, name=None),
                backtest.to_dict("records"),
                strict=True,
            )  # fmt: skip
        }
        if len(backtest)
        else {}
    )
    panels: dict[tuple[str, str, str], pd.DataFrame] = {}
    pops = tier_populations(frames)
    undefined = {int(k) for k in (rules.get("undefined") or {})}
    given = {(int(r["mission"]), r["indicator"], r["test"], r["lens"]): r for r in extra or []}
    rows = []
    for row in default_basis(card).to_dict("records"):
        ind = row["indicator"] if isinstance(row["indicator"], str) else ""
        basis = row["price_basis"] if isinstance(row["price_basis"], str) else ""
        own = (int(row["mission"]), ind, row["test"], row["lens"])
        if own in given and int(row["mission"]) not in undefined:
            rows.append(given[own])
            continue
        panel = None
        if ind and ind in indicators_cfg:
            if (ind, basis, row["lens"]) not in panels and built and ind in built:
                for one in built[ind].bases:
                    for lens, lp in one.lenses.items():
                        panels[(ind, one.basis, lens)] = lp
            if (ind, basis, row["lens"]) not in panels:
                spec = indicators_cfg[ind]
                key = "upper" if spec.get("tier", "lad") == "upper" else "lad"
                for b, p in price_panels(frames[key], ind, pops[key]):
                    pub = published_panel(frames.get("region"), ind, b)
                    for lens, lp in lens_panels(p, pub).items():
                        panels[(ind, b, lens)] = lp
            panel = panels.get((ind, basis, row["lens"]))
        k = (int(row["mission"]), ind, row["test"], row["lens"], basis)
        rows.append(ambition_row(row, panel, bt.get(k), rules))
    out = pd.DataFrame(rows)
    for col in AMBITION_COLUMNS:
        if col not in out:
            out[col] = math.nan
    return out[list(AMBITION_COLUMNS)]


def mission_counts(table: pd.DataFrame, rule: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Missions per ambition class at each lens (:func:`mission_class` under ``rule``), beside
    the IfG's.

    Returns columns ``ambition``, ``regional``, ``local``, ``ifg`` (one row per class).
    """
    out = pd.DataFrame({"ambition": list(AMBITION_CLASSES)})
    for lens in ("regional", "local"):
        per = table[table["lens"] == lens].groupby("mission")["ambition"]
        per = per.agg(lambda c: mission_class(c, rule))
        out[lens] = out["ambition"].map(per.value_counts()).fillna(0).astype(int)
    out["ifg"] = out["ambition"].map(IFG_COUNTS).astype("Int64")
    return out
