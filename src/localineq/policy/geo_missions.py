r"""Missions tested on their own geography (issue 19): R&D, homicide and devolution.

Each is configured under ``missions.own_geography`` and gets scorecard rows at both lenses,
with the same columns as the other tests (:data:`~localineq.policy.scorecard.SCORECARD_COLUMNS`)
and the headline number of the test in ``quantity``/``quantity_baseline``/``quantity_latest``.

``outside_gse_rise_by`` (mission 2, R&D)
    :math:`S_t = \sum_{r \notin GSE} y_{r,t}`, the sum of ONS's published ITL1 rows outside
    the Greater South East (London, South East, East of England), in real terms. Met when
    :math:`S_L \ge (1 + f)\,S_B` (f = 0.4); otherwise on course when the OLS trend of
    :math:`S_t` projected to the deadline reaches :math:`(1+f) S_B`
    (:func:`~localineq.policy.deadlines.projection_interval`, with its 95% prediction
    interval), with ``trend_min_periods`` periods at least. Not published below region, so
    the local lens is an explicit ``no_data`` row: the "too regional" point itself.
``worst_fall_more`` (mission 11, homicide)
    The worst-affected share of areas at baseline (:func:`~localineq.policy.missions.top_group`
    of the rate, highest first), unweighted means :math:`W_t` and the rest's :math:`R_t`
    (police force areas publish no population). Met so far when :math:`W_L < W_B` and
    :math:`W_B - W_L > R_B - R_L` (the fall is focused on the worst). On course when both
    hold for the OLS projections of :math:`W_t` and :math:`W_t - R_t` to the deadline.
``devolution_coverage`` (mission 12)
    The share of England's residents living in a local authority that belongs to a combined
    authority (``E47``), a snapshot. "Every part of England that wants one" sets no share,
    so the level is reported and the verdict is ``no_data`` with that reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from localineq.data.prices import price_basis_words
from localineq.data.readers import parse_period
from localineq.policy.deadlines import (
    MIN_PERIODS,
    NOT_MET,
    OFF_COURSE,
    ON_COURSE,
    TREND_ESTIMATOR,
    interval_position,
    projection_interval,
)
from localineq.policy.missions import MET, NO_DATA, top_group
from localineq.policy.periods import (
    BaselineRule,
    baseline_period,
    latest_period,
    period_bounds,
    period_midyear,
)

__all__ = [
    "GEO_TESTS",
    "devolution_rows",
    "homicide_rows",
    "own_geography_rows",
    "rd_rows",
]

#: Tests of missions on their own geography.
GEO_TESTS: tuple[str, ...] = ("outside_gse_rise_by", "worst_fall_more", "devolution_coverage")
NOMINAL = "nominal"


def _label(period: str) -> str:
    """A period in words for sentences (``2021/22``), never the raw ISO code."""
    return parse_period(period).label


def _periods(panel: pd.DataFrame) -> list[str]:
    have = panel.loc[panel["value"].notna(), "period"].unique()
    return sorted(have, key=period_bounds)


def _rule(missions_cfg: Mapping[str, Any], mission: Mapping[str, Any]) -> BaselineRule:
    spec: dict[str, Any] = dict(missions_cfg.get("baseline", {}))
    spec["lag_months"] = int(mission.get("publication_lag_months", 0))
    spec.update(mission.get("baseline", {}) or {})
    return BaselineRule.from_config(spec)


def _base_note(rule: BaselineRule, base: str | None, periods: list[str]) -> str:
    if base is None:
        return "no period published before the baseline date"
    if rule.fallback == "earliest" and base == periods[0]:
        end = period_bounds(base)[1] + pd.DateOffset(months=rule.lag_months)
        if end >= pd.Timestamp(rule.before):
            return "baseline published after the White Paper (earliest period)"
    return ""


def _common(mission: Mapping[str, Any], missions_cfg: Mapping[str, Any]) -> dict[str, Any]:
    min_periods = int(missions_cfg.get("trend_min_periods", MIN_PERIODS))
    return {
        "mission": int(mission["number"]),
        "mission_name": mission["short"],
        "deadline": int(mission.get("deadline", missions_cfg.get("horizon", 2030))),
        "trend_estimator": f"{TREND_ESTIMATOR}; at least {min_periods} periods",
        "intervals_published": False,
        "pre_covid_met_so_far": NO_DATA,
        "pre_covid_verdict": NO_DATA,
    }


def _trend(
    years: list[float], values: list[float], deadline: int, goal: float, hib: bool, strict: bool
) -> dict[str, Any]:
    proj, lo, hi = projection_interval(years, values, float(deadline) + 0.5)
    s = 1.0 if hib else -1.0
    ok = s * (proj - goal) > 0 if strict else s * (proj - goal) >= 0
    return {
        "ok": bool(ok),
        "projected_at_deadline": proj,
        "projection_lower_95": lo,
        "projection_upper_95": hi,
        "interval_vs_target": interval_position(lo, hi, goal, hib, strict),
    }


def rd_rows(
    mission: Mapping[str, Any],
    missions_cfg: Mapping[str, Any],
    panel: pd.DataFrame,
    indicator: str,
    title: str,
    *,
    context: str = "",
) -> list[dict[str, Any]]:
    """Rows of ``outside_gse_rise_by`` for one R&D series, each price basis, both lenses.

    Parameters
    ----------
    panel : pandas.DataFrame
        :func:`localineq.data.mission_sources.region_money_panel`: ITL1 ``area_code``,
        ``period``, ``value`` and ``value_real``/``real_price_basis``.
    context : str
        Non-empty for a series shown as context, not as the mission's own metric (said in
        the note; its ambition is not judged).
    """
    gse = set(mission["greater_south_east"])
    factor = float(mission["target_change"])
    min_periods = int(missions_cfg.get("trend_min_periods", MIN_PERIODS))
    rule = _rule(missions_cfg, mission)
    outside = panel[~panel["area_code"].isin(gse)]
    n_regions = int(outside["area_code"].nunique())
    basis_real = str(panel["real_price_basis"].iloc[0])
    rows = []
    for basis, col in ((basis_real, "value_real"), (NOMINAL, "value")):
        sums = outside.groupby("period")[col].agg(lambda v: v.sum() if v.notna().all() else np.nan)
        series = pd.DataFrame({"period": sums.index, "value": sums.to_numpy(float)})
        periods = _periods(series)
        base, late = baseline_period(periods, rule), latest_period(periods)
        notes = [n for n in (_base_note(rule, base, periods), context) if n]
        notes.append(
            "nominal values (not adjusted for inflation): a sensitivity"
            if basis == NOMINAL
            else f"{basis}: CPI D7BT at each value's reference period"
        )
        common = {
            **_common(mission, missions_cfg),
            "indicator": indicator,
            "indicator_title": title,
            "test": "outside_gse_rise_by",
            "higher_is_better": True,
            "price_basis": basis,
            "baseline_rule": rule.describe(),
            "baseline_period": base or "",
            "latest_period": late or "",
            "target": factor,
            "note": "; ".join(notes),
        }
        rows.append({**common, **_rd_regional(series, base, late, factor, min_periods,
                                               common["deadline"], n_regions, basis)})  # fmt: skip
        rows.append(
            {
                **common,
                "lens": "local",
                "unit_of_analysis": "local authority (not published)",
                "verdict": NO_DATA,
                "met_so_far": NO_DATA,
                "trend_periods": 0,
                "verdict_reason": mission["local"],
            }
        )
    return rows


def _rd_regional(
    series: pd.DataFrame,
    base: str | None,
    late: str | None,
    factor: float,
    min_periods: int,
    deadline: int,
    n_regions: int,
    basis: str,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "lens": "regional",
        "unit_of_analysis": f"ITL1 region ({n_regions} outside the Greater South East, summed)",
        "n_areas": n_regions,
        "regional_source": "published ITL1 rows",
        "quantity": "sum outside the Greater South East, £ million, "
        + (price_basis_words(basis) if basis != NOMINAL else "nominal"),
    }
    if base is None or late is None:
        return {**out, "verdict": NO_DATA, "met_so_far": NO_DATA, "trend_periods": 0,
                "verdict_reason": "no baseline period"}  # fmt: skip
    values = series.set_index("period")["value"]
    s0, s1 = float(values[base]), float(values[late])
    goal = s0 * (1.0 + factor)
    out.update(quantity_baseline=s0, quantity_latest=s1)
    change = (
        f"{s1 / s0 - 1:+.1%} from {_label(base)} to {_label(late)}; +{factor:.0%} needs "
        f"£{goal:,.0f} million by {deadline}"
    )
    met = s1 >= goal
    out["met_so_far"] = MET if met else NOT_MET
    window = series[series["period"].map(period_bounds).map(lambda b: b[0])
                    >= period_bounds(base)[0]]  # fmt: skip
    window = window[window["value"].notna()]
    out["trend_periods"] = int(len(window))
    if met:
        return {**out, "verdict": MET, "verdict_reason": f"met at the latest period ({change})"}
    if len(window) < min_periods:
        reason = f"{change}; {len(window)} period(s) from baseline to latest, a trend needs {min_periods}"
        return {**out, "verdict": NO_DATA, "verdict_reason": reason}
    years = [period_midyear(p) for p in window["period"]]
    trend = _trend(years, window["value"].tolist(), deadline, goal, True, False)
    ok = trend.pop("ok")
    reason = (
        f"{change}; OLS projection {trend['projected_at_deadline']:,.0f} (95% PI "
        f"{trend['projection_lower_95']:,.0f} to {trend['projection_upper_95']:,.0f})"
    )
    return {**out, **trend, "verdict": ON_COURSE if ok else OFF_COURSE, "verdict_reason": reason}


def _group_means(panel: pd.DataFrame, worst: set[str]) -> pd.DataFrame:
    have = panel[panel["value"].notna()]
    flag = have["area_code"].isin(worst)
    w = have[flag].groupby("period")["value"].mean()
    r = have[~flag].groupby("period")["value"].mean()
    out = pd.DataFrame({"worst": w, "rest": r}).dropna()
    out["t"] = [period_midyear(p) for p in out.index]
    return out.sort_values("t")


def homicide_rows(
    mission: Mapping[str, Any],
    missions_cfg: Mapping[str, Any],
    panels: Mapping[str, pd.DataFrame],
    indicator: str,
    title: str,
) -> list[dict[str, Any]]:
    """Rows of ``worst_fall_more`` at the regional and the police-force-area lens.

    ``panels`` is :func:`localineq.data.mission_sources.police_force_panel`.
    """
    share = float(mission.get("share", 0.1))
    min_periods = int(missions_cfg.get("trend_min_periods", MIN_PERIODS))
    rule = _rule(missions_cfg, mission)
    overall = panels["overall"]
    rows = []
    lenses = (
        ("regional", panels["regional"], mission["regional"], "published ITL1 rows"),
        ("local", panels["police_force"], mission["local"], ""),
    )
    for lens, panel, unit, source in lenses:
        periods = _periods(panel)
        base, late = baseline_period(periods, rule), latest_period(periods)
        note = [n for n in (_base_note(rule, base, periods), mission.get("note", "")) if n]
        row: dict[str, Any] = {
            **_common(mission, missions_cfg),
            "indicator": indicator,
            "indicator_title": title,
            "test": "worst_fall_more",
            "lens": lens,
            "unit_of_analysis": unit,
            "higher_is_better": False,
            "price_basis": "",
            "baseline_rule": rule.describe(),
            "baseline_period": base or "",
            "latest_period": late or "",
            "target": share,
            "gap_measure": "worst_minus_rest",
            "quantity": f"mean rate of the worst-affected {share:.0%} at baseline (per million)",
            "note": "; ".join(note),
            "n_areas": int(panel["area_code"].nunique()),
        }
        if source:
            row["regional_source"] = source
        if base is None or late is None:
            rows.append({**row, "verdict": NO_DATA, "met_so_far": NO_DATA, "trend_periods": 0,
                         "verdict_reason": "no baseline period"})  # fmt: skip
            continue
        b = panel[(panel["period"] == base) & panel["value"].notna()]
        # the worst-affected have the highest rates: the "top" group of the raw values
        worst_mask = top_group(b["value"].to_numpy(float), True, share)
        worst = set(b["area_code"].to_numpy()[worst_mask])
        means = _group_means(panel, worst)
        means = means[means["t"] >= period_midyear(base) - 1e-9]
        w0, w1 = float(means.loc[base, "worst"]), float(means.loc[late, "worst"])
        r0, r1 = float(means.loc[base, "rest"]), float(means.loc[late, "rest"])
        met = w1 < w0 and (w0 - w1) > (r0 - r1)
        o = overall.set_index("period")["value"]
        ew = (
            f"; England and Wales {o[base]:.1f} → {o[late]:.1f}"
            if {base, late} <= set(o.index)
            else ""
        )
        names = ", ".join(sorted(b.loc[b["area_code"].isin(worst), "area_name"]))
        change = (
            f"worst {len(worst)} of {len(b)} ({names}) {w0:.1f} → {w1:.1f} per million, "
            f"the rest {r0:.1f} → {r1:.1f}{ew} ({_label(base)} to {_label(late)})"
        )
        row.update(
            n_met=int(len(worst)),
            gap_baseline=w0 - r0,
            gap_latest=w1 - r1,
            quantity_baseline=w0,
            quantity_latest=w1,
            met_so_far=MET if met else NOT_MET,
            trend_periods=int(len(means)),
        )
        if len(means) < min_periods:
            reason = f"{change}; {len(means)} periods, a trend needs {min_periods}"
            rows.append({**row, "verdict": NO_DATA, "verdict_reason": reason})
            continue
        deadline = row["deadline"]
        fall = _trend(means["t"].tolist(), means["worst"].tolist(), deadline, w0, False, True)
        narrow = _trend(means["t"].tolist(), (means["worst"] - means["rest"]).tolist(),
                        deadline, w0 - r0, False, True)  # fmt: skip
        ok = fall.pop("ok") and narrow.pop("ok")
        reason = (
            f"{change}; worst group projected {fall['projected_at_deadline']:.1f} (95% PI "
            f"{fall['projection_lower_95']:.1f} to {fall['projection_upper_95']:.1f}), its gap "
            f"to the rest {narrow['projected_at_deadline']:.1f} against {w0 - r0:.1f}"
        )
        rows.append({**row, **fall, "verdict": ON_COURSE if ok else OFF_COURSE,
                     "verdict_reason": reason})  # fmt: skip
    return rows


def devolution_rows(
    mission: Mapping[str, Any],
    missions_cfg: Mapping[str, Any],
    members: pd.DataFrame,
    indicator: str,
) -> list[dict[str, Any]]:
    """Rows of ``devolution_coverage``: the share of England's residents in a combined authority.

    ``members`` has ``area_code, itl1_name, combined_authority_code, population`` for every
    English LAD23 authority.
    """
    if members["population"].isna().any():
        missing = members.loc[members["population"].isna(), "area_code"].tolist()
        raise ValueError(f"no population for {missing}")
    inside = members["combined_authority_code"].ne("")
    pop = members["population"].astype(float)
    share = 100.0 * float(pop[inside].sum() / pop.sum())
    london = members["area_code"].str.startswith("E09")
    with_gla = 100.0 * float(pop[inside | london].sum() / pop.sum())
    by_region = (pop.where(inside, 0.0).groupby(members["itl1_name"]).sum()
                 / pop.groupby(members["itl1_name"]).sum() * 100.0)  # fmt: skip
    n_ca = int(members.loc[inside, "combined_authority_code"].nunique())
    regions = ", ".join(f"{k} {v:.0f}%" for k, v in by_region.sort_values().items())
    why = mission["verdict_reason"]
    level = (
        f"{share:.1f}% of England's residents live in one of {n_ca} combined authorities "
        f"({with_gla:.1f}% counting Greater London's authority, which is not one)"
    )
    common = {
        **_common(mission, missions_cfg),
        "indicator": indicator,
        "indicator_title": mission["metric"],
        "test": "devolution_coverage",
        "higher_is_better": True,
        "price_basis": "",
        "baseline_rule": "none: a snapshot",
        "latest_period": mission["snapshot"],
        "verdict": NO_DATA,
        "met_so_far": NO_DATA,
        "trend_periods": 1,
        "quantity": "share of England's residents in a combined authority (%)",
        "quantity_latest": share,
        "note": mission.get("note", ""),
    }
    return [
        {
            **common,
            "lens": "regional",
            "unit_of_analysis": "ITL1 region (England's 9, from their authorities)",
            "n_areas": int(by_region.size),
            "n_met": int((by_region >= 100.0 - 1e-9).sum()),
            "regional_source": "LA aggregate (no published regional row)",
            "verdict_reason": f"{why}; {level}; by region: {regions}",
        },
        {
            **common,
            "lens": "local",
            "unit_of_analysis": "LAD23 (England)",
            "n_areas": int(len(members)),
            "n_met": int(inside.sum()),
            "n_failed": math.nan,
            "verdict_reason": f"{why}; {level}; {int(inside.sum())} of {len(members)} "
            "local authorities are members",
        },
    ]


def own_geography_rows(
    missions_cfg: Mapping[str, Any], inputs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Scorecard rows of every ``missions.own_geography`` mission.

    ``inputs`` holds the prepared panels by the source keys each mission names: R&D
    money panels by source key, ``"homicide"`` (:func:`police_force_panel`) and
    ``"devolution"`` (the membership table of :func:`devolution_rows`); ``"titles"`` maps a
    source key to its published indicator label.
    """
    rows: list[dict[str, Any]] = []
    titles = inputs.get("titles", {})
    for mission in missions_cfg.get("own_geography", []) or []:
        test = mission["test"]
        if test == "outside_gse_rise_by":
            for i, (ind, src) in enumerate(mission["sources"].items()):
                ctx = "" if i == 0 else mission.get("context", "")
                rows.extend(rd_rows(mission, missions_cfg, inputs[src], ind,
                                    titles.get(src, ind), context=ctx))  # fmt: skip
        elif test == "worst_fall_more":
            ind, src = next(iter(mission["sources"].items()))
            rows.extend(homicide_rows(mission, missions_cfg, inputs[src], ind, titles.get(src, "")))
        elif test == "devolution_coverage":
            ind, src = next(iter(mission["sources"].items()))
            rows.extend(devolution_rows(mission, missions_cfg, inputs[src], ind))
        else:
            raise ValueError(f"mission {mission['number']}: unknown test {test!r}")
    return rows


def rd_ambition(
    row: Mapping[str, Any], panel: pd.DataFrame, gse: set[str], context: bool = False
) -> dict[str, Any]:
    r"""Ambition of an ``outside_gse_rise_by`` row: the growth needed against the best seen.

    Needed: the compound growth a year from the latest sum to the goal by the middle of the
    deadline year, :math:`((1+f) S_B / S_L)^{1/(T^* - t_L)} - 1`. Best seen: the fastest
    annual growth of any region outside the Greater South East, or of their sum, over the
    longest window the data hold. ``unprecedented`` when needed exceeds best, else
    ``calibrated``; ``no_data`` for the local lens and for context series.
    """
    out: dict[str, Any] = {k: row.get(k, "") for k in ("mission", "mission_name", "indicator",
                                                       "test", "lens", "price_basis")}  # fmt: skip
    if context or row["lens"] != "regional" or not row.get("latest_period"):
        why = "context series, not the mission's metric" if context else str(row["verdict_reason"])
        return {**out, "ambition": NO_DATA, "reason": why}
    late, base = str(row["latest_period"]), str(row["baseline_period"])
    goal = float(row["quantity_baseline"]) * (1.0 + float(row["target"]))
    years_left = float(row["deadline"]) + 0.5 - period_midyear(late)
    need = (goal / float(row["quantity_latest"])) ** (1.0 / years_left) - 1.0
    col = "value" if row["price_basis"] == NOMINAL else "value_real"
    outside = panel[~panel["area_code"].isin(gse)]
    wide = outside.pivot(index="area_name", columns="period", values=col)
    wide.loc["sum outside the Greater South East"] = wide.sum(skipna=False)
    periods = sorted(wide.columns, key=period_bounds)
    first, last = periods[0], periods[-1]
    span = period_midyear(last) - period_midyear(first)
    if span <= 0:
        return {**out, "ambition": NO_DATA, "reason": "one period: no growth seen"}
    growth = (wide[last] / wide[first]) ** (1.0 / span) - 1.0
    place = str(growth.idxmax())
    best = float(growth.max())
    words = (
        f"needs {need:.1%} a year from {_label(late)} to reach +{float(row['target']):.0%} on "
        f"{_label(base)}; best seen {best:.1%} a year over {span:.0f} year(s) ({place}, "
        f"{_label(first)} → {_label(last)}), a window far shorter than the mission's"
    )
    return {
        **out,
        "ambition": "unprecedented" if need > best else "calibrated",
        "reason": words,
        "needed_rate": need,
        "best_rate": best,
        "best_rate_window_years": span,
        "best_rate_place": place,
        "best_rate_periods": f"{first} → {last}",
    }


def own_geography_ambition(
    card: pd.DataFrame, missions_cfg: Mapping[str, Any], inputs: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Ambition rows of the ``own_geography`` R&D tests (default price basis only).

    Missions flagged ``undefined`` in config are left to
    :func:`localineq.policy.ambition.ambition_row`, which classes them first.
    """
    rows = []
    for mission in missions_cfg.get("own_geography", []) or []:
        if mission["test"] != "outside_gse_rise_by":
            continue
        gse = set(mission["greater_south_east"])
        for i, (ind, src) in enumerate(mission["sources"].items()):
            part = card[(card["mission"] == int(mission["number"])) & (card["indicator"] == ind)]
            for row in part[part["price_basis"] != NOMINAL].to_dict("records"):
                rows.append(rd_ambition(row, inputs[src], gse, context=i > 0))
    return rows
