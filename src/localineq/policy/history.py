"""How the mission indicators moved over their whole history, at both lenses.

* :func:`convergence_table` — sigma and beta convergence for every indicator with enough
  periods;
* :func:`backtest_table` — how often each ``rise_everywhere`` / ``gap_narrows`` mission test
  would have been met over every historical window as long as baseline → horizon.

Both read the same panels as the scorecard (:mod:`localineq.policy.scorecard`): money in
real terms first, then nominal as a labelled sensitivity (``price_basis``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from localineq.policy.lenses import ambition_backtest
from localineq.policy.missions import FAILED, MET, NO_DATA
from localineq.policy.panels import (
    BasisPanels,
    IndicatorPanels,
    indicator_rows,
    mission_panels,
    price_panels_of,
)
from localineq.policy.periods import baseline_period, period_bounds, period_midyear
from localineq.policy.scorecard import (
    _periods_with_data,
    _test_params,
    baseline_rule_for,
    lens_panels,
    mission_tests_for,
    tier_populations,
)
from localineq.stats.convergence import beta_convergence, sigma_convergence

__all__ = ["backtest_table", "convergence_table"]


def _indicator_tiers(
    split: Mapping[str, Mapping[str, pd.DataFrame]],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
) -> list[tuple[str, str]]:
    """(indicator, key of its frame) of every configured indicator with rows (``split``:
    :func:`~localineq.policy.panels.indicator_rows` of each frame)."""
    out = []
    for ind, spec in indicators_cfg.items():
        key = "upper" if spec.get("tier", "lad") == "upper" else "lad"
        if ind in split[key]:
            out.append((ind, key))
    return out


def convergence_table(
    frames: Mapping[str, pd.DataFrame],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
    *,
    min_periods: int = 5,
    measure: str = "sd_log",
    level: float = 0.95,
) -> pd.DataFrame:
    r"""Sigma and beta convergence at both lenses for every indicator with enough periods.

    Areas are those with a positive value in every period (a balanced panel, so that
    entry and exit of areas cannot move the dispersion). Sigma: the weighted dispersion
    (``measure``, default the standard deviation of logs) in each period, with its trend,
    the OLS slope of dispersion on period mid-year (negative = converging). Beta: the
    weighted regression of annualised log growth between the first and last period on the
    initial log level (:func:`~localineq.stats.convergence.beta_convergence`, weights of the
    first period), with its CI and half-life. Money is deflated (``price_basis``, real
    first, then nominal): one price factor per period multiplies every area alike, so the
    standard deviation of logs and the beta slope are the same in both bases (the
    nominal rows show it); the mean growth, and hence the beta intercept, are not.

    Returns
    -------
    pandas.DataFrame
        One row per indicator × price basis × lens: ``indicator, price_basis, lens, n_areas, n_periods,
        first_period, last_period, sigma_measure, sigma_first, sigma_last,
        sigma_trend_per_year, beta, beta_ci_low, beta_ci_high, beta_pvalue,
        speed_per_year, half_life_years, converging_sigma, converging_beta, note``.
    """
    rows = []
    pops = tier_populations(frames)
    # Each tier's frame split by indicator once, not masked once per indicator.
    split = {key: indicator_rows(frames[key]) for key in ("lad", "upper") if key in frames}
    for ind, key in _indicator_tiers(split, indicators_cfg):
        for basis, panel in price_panels_of(split[key][ind], pops[key]):
            rows.extend(_convergence_rows(ind, basis, panel, min_periods, measure, level))
    return pd.DataFrame(rows)


def _convergence_rows(
    ind: str, basis: str, panel: pd.DataFrame, min_periods: int, measure: str, level: float
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    periods = _periods_with_data(panel)
    if len(periods) >= min_periods:
        for lens, lp in lens_panels(panel).items():
            ok = lp["value"].notna() & (lp["value"] > 0) & lp["weight"].notna()
            counts = lp[ok].groupby("area_code")["period"].nunique()
            keep = counts.index[counts == len(periods)]
            bal = lp[ok & lp["area_code"].isin(keep)]
            row: dict[str, Any] = {
                "indicator": ind,
                "price_basis": basis,
                "lens": lens,
                "n_areas": int(len(keep)),
                "n_periods": len(periods),
                "first_period": periods[0],
                "last_period": periods[-1],
                "sigma_measure": measure,
            }
            if len(keep) < 3:
                rows.append({**row, "note": "fewer than 3 areas with every period"})
                continue
            sig = sigma_convergence(bal["value"], bal["period"], bal["weight"], measure=measure)
            sig["year"] = sig["period"].map(period_midyear)
            sig = sig.sort_values("year")
            slope = float(np.polyfit(sig["year"], sig["dispersion"], 1)[0])
            first = bal[bal["period"] == periods[0]].set_index("area_code")
            last = bal[bal["period"] == periods[-1]].set_index("area_code").reindex(first.index)
            years = period_midyear(periods[-1]) - period_midyear(periods[0])
            beta = beta_convergence(
                first["value"], last["value"], years, weights=first["weight"], level=level
            )
            rows.append(
                {
                    **row,
                    "sigma_first": float(sig["dispersion"].iloc[0]),
                    "sigma_last": float(sig["dispersion"].iloc[-1]),
                    "sigma_trend_per_year": slope,
                    "beta": beta.beta,
                    "beta_ci_low": beta.ci_low,
                    "beta_ci_high": beta.ci_high,
                    "beta_pvalue": beta.pvalue,
                    "speed_per_year": beta.speed,
                    "half_life_years": beta.half_life,
                    "converging_sigma": slope < 0,
                    "converging_beta": beta.ci_high < 0,
                    "note": "",
                }
            )
    return rows


def backtest_table(
    frames: Mapping[str, pd.DataFrame],
    missions_cfg: Mapping[str, Any],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
    panels: Mapping[str, IndicatorPanels] | None = None,
) -> pd.DataFrame:
    """Ambition back-test of every ``rise_everywhere`` and ``gap_narrows`` mission test.

    The window is ``horizon - year(baseline start)`` years (e.g. 2030 - 2021 = 9 for pay);
    every pair of periods that far apart is judged at both lenses
    (:func:`~localineq.policy.lenses.ambition_backtest`). Where the data span fewer years
    the longest available span is used and ``window_years_used`` says so. ``panels`` is
    :func:`~localineq.policy.panels.mission_panels` of the same arguments, if the caller has
    built it.

    Returns
    -------
    pandas.DataFrame
        One row per mission × indicator × test × lens: ``n_windows``, ``n_met``,
        ``share_met``, window lengths, first and last window, ``price_basis``, ``windows``
        (every window and its verdict, for reproduction).
    """
    horizon = int(missions_cfg["horizon"])
    nominal = set(missions_cfg.get("nominal", []))
    rows = []
    panels = mission_panels(frames, missions_cfg, indicators_cfg) if panels is None else panels
    for mission in missions_cfg["declared"]:
        for ind in mission["indicators"]:
            found = panels[ind]
            for one in found.bases:
                rows.extend(_backtest_rows(missions_cfg, mission, ind, indicators_cfg[ind], one,
                                           ind in nominal, horizon, found.decimals))  # fmt: skip
    return pd.DataFrame(rows)


def _backtest_rows(
    missions_cfg: Mapping[str, Any],
    mission: Mapping[str, Any],
    ind: str,
    spec: Mapping[str, Any],
    one: BasisPanels,
    declared_nominal: bool,
    horizon: int,
    decimals: int,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    basis = one.basis
    periods = _periods_with_data(one.panel)
    base = baseline_period(periods, baseline_rule_for(missions_cfg, mission, ind))
    for test in mission_tests_for(mission, ind):
        if test["test"] not in ("rise_everywhere", "gap_narrows"):
            continue
        params = _test_params(missions_cfg, test, ind, decimals)
        window = horizon - period_bounds(base)[0].year if base else 0
        for lens, lp in one.lenses.items():
            row: dict[str, Any] = {
                "mission": int(mission["number"]),
                "indicator": ind,
                "test": test["test"],
                "lens": lens,
                "baseline_period": base or "",
                "window_years_target": window,
                "price_basis": basis or ("nominal" if declared_nominal else ""),
            }
            bt = (
                ambition_backtest(
                    lp,
                    test["test"],
                    window_years=window,
                    higher_is_better=bool(spec["higher_is_better"]),
                    params=params,
                    index=one.rows[lens],
                )
                if window > 0
                else pd.DataFrame()
            )
            judged = bt[bt["verdict"] != NO_DATA] if len(bt) else bt
            n_met = int((judged["verdict"] == MET).sum()) if len(judged) else 0
            row.update(
                {
                    "window_years_used": int(bt["window_years_used"].iloc[0]) if len(bt) else 0,
                    "n_windows": len(judged),
                    "n_met": n_met,
                    "n_failed": int((judged["verdict"] == FAILED).sum()) if len(judged) else 0,
                    "share_met": n_met / len(judged) if len(judged) else math.nan,
                    "first_window": f"{bt['window_start'].iloc[0]} → {bt['window_end'].iloc[0]}"
                    if len(bt)
                    else "",
                    "last_window": f"{bt['window_start'].iloc[-1]} → {bt['window_end'].iloc[-1]}"
                    if len(bt)
                    else "",
                    "windows": "; ".join(
                        f"{a}→{b}:{v}"
                        for a, b, v in bt[["window_start", "window_end", "verdict"]].itertuples(
                            index=False
                        )
                    )
                    if len(bt)
                    else "",
                }
            )
            rows.append(row)
    return rows
