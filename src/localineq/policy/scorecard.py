"""The mission scorecard: every declared mission test at the regional and the local lens.

Builds the three result tables of issue 11 from the analysis-ready indicator tables
(``results/tables/la_indicators.csv`` and ``upper_tier_indicators.csv``) and the
``missions:`` block of ``config/config.yaml``:

* :func:`scorecard` — one row per mission × indicator × test × lens;
* :func:`convergence_table` — sigma and beta convergence at both lenses for every indicator
  with at least five periods;
* :func:`backtest_table` — how often each ``rise_everywhere`` / ``gap_narrows`` test would
  have been met over every historical window as long as baseline → horizon.

Money is judged in real terms by default (``value_real`` of ``la_indicators``: CPI at each
value's reference period, ``price_basis`` names the base); the same tests on nominal values
follow as rows labelled ``price_basis = "nominal"``, a sensitivity. Ratio-scale indicators
(``missions.ratio_scale``: money and rates) judge "gap narrowed" by the scale-free
``missions.ratio_gap_measure`` (the ratio of the top group's mean to the rest's), which a
common price level cannot move; the absolute gap stays beside it
(``gap_top_tenth_vs_rest_*``), and ``gap_top_group`` names the top group by its count
("top 2 of 12 regions"). Every comparison is made at the published precision
(``decimals``, :func:`~localineq.policy.compare.published_decimals`).

Every number is reproducible from those two tables and the stated periods: values, 95%
bounds (standard errors via :func:`~localineq.policy.missions.se_from_interval`), each
indicator's own weights, and the areas' total population (the ``weight`` of rows whose
``weight_basis`` is ``population``, latest ``weight_year``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from localineq.data.prices import price_basis_words
from localineq.policy.lenses import evaluate_test
from localineq.policy.missions import MET, NO_DATA
from localineq.policy.panels import (
    BasisPanels,
    IndicatorPanels,
    area_population,
    indicator_panel,
    lens_panels,
    mission_panels,
    price_panels,
    tier_populations,
)
from localineq.policy.periods import (
    BaselineRule,
    baseline_period,
    latest_period,
    period_bounds,
)
from localineq.policy.scorecard_columns import (
    NOMINAL,
    course_columns,
    lens_provenance,
    published_panel,
    untested_rows,
)

__all__ = [
    "LENSES",
    "NOMINAL",
    "SCORECARD_COLUMNS",
    "area_population",
    "tier_populations",
    "baseline_rule_for",
    "default_basis",
    "is_sensitivity",
    "indicator_panel",
    "lens_panels",
    "price_panels",
    "published_panel",
    "mission_tests_for",
    "mission_sentences",
    "scorecard",
]

#: The two lenses, in reporting order.
LENSES: tuple[str, ...] = ("regional", "local")

SCORECARD_COLUMNS: tuple[str, ...] = (
    "mission",
    "mission_name",
    "indicator",
    "indicator_title",
    "test",
    "lens",
    "unit_of_analysis",
    "higher_is_better",
    "price_basis",
    "baseline_rule",
    "baseline_period",
    "latest_period",
    "n_areas",
    "n_met",
    "n_failed",
    "n_failed_significant",
    "n_no_data",
    "population_failed",
    "gap_measure",
    "gap_baseline",
    "gap_latest",
    "target",
    "verdict",
    "gap_max_min_baseline",
    "gap_max_min_latest",
    "gap_p90_p10_baseline",
    "gap_p90_p10_latest",
    "intervals_published",
    "note",
    "gap_top_group",
    "gap_top_tenth_vs_rest_baseline",
    "gap_top_tenth_vs_rest_latest",
    "gap_top_tenth_ratio_baseline",
    "gap_top_tenth_ratio_latest",
    "decimals",
    "regional_source",
    "aggregate_minus_published",
    "aggregate_vs_published_pct",
    "met_so_far",
    "verdict_reason",
    "deadline",
    "trend_estimator",
    "trend_periods",
    "projected_at_deadline",
    "pre_covid_baseline_period",
    "pre_covid_met_so_far",
    "pre_covid_verdict",
    "projection_lower_95",
    "projection_upper_95",
    "interval_vs_target",
    "quantity",
    "quantity_baseline",
    "quantity_latest",
)


def baseline_rule_for(
    missions_cfg: Mapping[str, Any], mission: Mapping[str, Any], indicator: str
) -> BaselineRule:
    """Baseline rule of one mission indicator: global → indicator lag → mission → override."""
    spec: dict[str, Any] = dict(missions_cfg.get("baseline", {}))
    lag = missions_cfg.get("publication_lag_months", {}).get(indicator)
    if lag is not None:
        spec["lag_months"] = int(lag)
    spec.update(mission.get("baseline", {}) or {})
    spec.update((mission.get("baseline_overrides", {}) or {}).get(indicator, {}) or {})
    return BaselineRule.from_config(spec)


def mission_tests_for(mission: Mapping[str, Any], indicator: str) -> list[Mapping[str, Any]]:
    """The mission's tests that apply to ``indicator``.

    A test with an ``indicators`` list applies to those of the mission's indicators only
    (e.g. 5G coverage is held to "majority of the population", not to "nationwide"); a
    test without one applies to all of them.

    >>> m = {"tests": [{"test": "level_reached", "target": 99, "indicators": ["g"]},
    ...                {"test": "rise_everywhere"}]}
    >>> [t["test"] for t in mission_tests_for(m, "g")], [t["test"] for t in mission_tests_for(m, "h")]
    (['level_reached', 'rise_everywhere'], ['rise_everywhere'])
    """
    return [t for t in mission["tests"] if "indicators" not in t or indicator in t["indicators"]]


def _periods_with_data(panel: pd.DataFrame) -> list[str]:
    return sorted(panel.loc[panel["value"].notna(), "period"].unique(), key=period_bounds)


def _test_params(
    missions_cfg: Mapping[str, Any],
    test: Mapping[str, Any],
    indicator: str | None = None,
    decimals: int | None = None,
) -> dict[str, Any]:
    # `indicators` says where a test applies, not how it is computed.
    params = {k: v for k, v in test.items() if k not in ("test", "indicators")}
    if test["test"] == "gap_narrows":
        default = missions_cfg["gap_measure"]
        if indicator in set(missions_cfg.get("ratio_scale", []) or []):
            default = missions_cfg["ratio_gap_measure"]
        params.setdefault("measure", default)
        params.setdefault("share", missions_cfg["gap_share"])
    if decimals is not None:
        params.setdefault("decimals", decimals)
    return params


def _top_group_label(row: Mapping[str, Any], lens: str, unit: str) -> str:
    """``top 2 of 12 regions`` from a gap_narrows row (baseline count; latest if it differs)."""
    n_top, n_all = row.get("gap_top_n_baseline"), row.get("gap_n_compared")
    if n_top is None or n_all is None or pd.isna(n_top):
        return ""
    if lens == "regional":
        noun = "regions"
    else:
        noun = "upper-tier areas" if "UTLA" in unit else "local authorities"
    label = f"top {int(n_top)} of {int(n_all)} {noun}"
    late = row.get("gap_top_n_latest")
    if late is not None and late != n_top:
        label += f" ({int(late)} at latest, ties)"
    return label


def _target_of(test: Mapping[str, Any]) -> float:
    for key in ("target", "factor", "target_change"):
        if key in test:
            return float(test[key])
    return math.nan


def scorecard(
    frames: Mapping[str, pd.DataFrame],
    missions_cfg: Mapping[str, Any],
    indicators_cfg: Mapping[str, Mapping[str, Any]],
    extra_rows: list[dict[str, Any]] | None = None,
    panels: Mapping[str, IndicatorPanels] | None = None,
) -> pd.DataFrame:
    """Every declared mission test at both lenses: the mission scorecard.

    Parameters
    ----------
    frames : mapping
        ``{"lad": la_indicators, "upper": upper_tier_indicators}`` and optionally
        ``"region"``: ONS's published ITL1 rows (``region_indicators``), the regional lens
        wherever they exist; an indicator with
        ``tier: upper`` in config is read from ``"upper"`` (healthy life expectancy stays on
        its own tier), every other one from ``"lad"``.
    missions_cfg : mapping
        The ``missions:`` block of the config.
    indicators_cfg : mapping
        The ``indicators:`` block (polarity, tier; labels are not read).
    extra_rows : list of dict, optional
        Rows of missions tested on their own geography (:mod:`localineq.policy.geo_missions`).
    panels : mapping, optional
        :func:`~localineq.policy.panels.mission_panels` of the same arguments, if the caller
        has built it (built here otherwise).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCORECARD_COLUMNS`, one row per mission × indicator × test × lens.
    """
    nominal = set(missions_cfg.get("nominal", []))
    rows = []
    panels = mission_panels(frames, missions_cfg, indicators_cfg) if panels is None else panels
    for mission in missions_cfg["declared"]:
        for ind in mission["indicators"]:
            spec, found = indicators_cfg[ind], panels[ind]
            for one in found.bases:
                rows.extend(_scorecard_rows(missions_cfg, mission, ind, spec, found, one,
                                            ind in nominal))  # fmt: skip
    rows.extend(extra_rows or [])
    rows.extend(untested_rows(missions_cfg))
    out = pd.DataFrame(rows).sort_values("mission", kind="stable").reset_index(drop=True)
    for col in SCORECARD_COLUMNS:
        if col not in out:
            out[col] = math.nan
    out["n_failed_significant"] = out["n_failed_significant"].astype("Int64")
    return out[list(SCORECARD_COLUMNS)]


def _scorecard_rows(
    missions_cfg: Mapping[str, Any],
    mission: Mapping[str, Any],
    ind: str,
    spec: Mapping[str, Any],
    found: IndicatorPanels,
    one: BasisPanels,
    declared_nominal: bool,
) -> list[dict[str, Any]]:
    """The scorecard rows of one mission indicator in one price basis (both lenses)."""
    rows = []
    decimals, unit, panel, basis = found.decimals, found.unit, one.panel, one.basis
    rule = baseline_rule_for(missions_cfg, mission, ind)
    periods = _periods_with_data(panel)
    base, late = baseline_period(periods, rule), latest_period(periods)
    note = []
    shown_base, why_no_change = base, None
    if base is not None and base == late:
        # A series that ends at its baseline shows no change: nothing is met or failed yet.
        why_no_change = f"no period published after the baseline ({base}): no change to judge yet"
        note.append(f"the series ends at its baseline ({base}): no change to judge")
        base = None
    elif base is None:
        note.append("no period published before the baseline date")
        why_no_change = (
            f"one period only ({late}), published after the White Paper: the level is reported, "
            "no change to judge yet"
            if len(periods) == 1
            else "no period published before the White Paper to serve as baseline"
        )
    elif rule.fallback == "earliest" and base == periods[0]:
        b_end = period_bounds(base)[1] + pd.DateOffset(months=rule.lag_months)
        if b_end >= pd.Timestamp(rule.before):
            note.append("baseline published after the White Paper (earliest period)")
    if basis == NOMINAL:
        note.append("nominal values (not adjusted for inflation): a sensitivity")
    elif basis:
        note.append(f"{basis}: CPI D7BT at each value's reference period")
    elif declared_nominal:
        note.append("nominal values (not adjusted for inflation)")
    hib = bool(spec["higher_is_better"])
    intervals = bool(panel["se"].notna().any())
    for test in mission_tests_for(mission, ind):
        params = _test_params(missions_cfg, test, ind, decimals)
        for lens, lp in one.lenses.items():
            index = one.rows[lens]
            res = evaluate_test(
                lp,
                test["test"],
                baseline=base,
                latest=late,
                higher_is_better=hib,
                params=params,
                rows=index,
            )
            row = res.as_row()
            course = course_columns(missions_cfg, test, lp, test["test"], base, late, hib,
                                     params, row["verdict"], periods, index)  # fmt: skip
            if why_no_change and course.get("verdict") == "no_data":
                course["verdict_reason"] = why_no_change
            rows.append(
                {
                    **{k: row.get(k, math.nan) for k in SCORECARD_COLUMNS if k in row},
                    "mission": int(mission["number"]),
                    "mission_name": mission["short"],
                    "indicator": ind,
                    # Labelled by with_indicator_titles, so a title edit reruns no test.
                    "indicator_title": "",
                    "test": test["test"],
                    "lens": lens,
                    "unit_of_analysis": "ITL1 region" if lens == "regional" else unit,
                    "higher_is_better": hib,
                    "price_basis": basis or ("nominal" if declared_nominal else ""),
                    "baseline_rule": rule.describe(),
                    "baseline_period": shown_base or "",
                    "latest_period": late or "",
                    "gap_measure": params.get("measure", ""),
                    "target": _target_of(test),
                    "intervals_published": intervals,
                    "note": "; ".join(note),
                    "gap_top_group": _top_group_label(row, lens, unit),
                    "decimals": decimals,
                    **(lens_provenance(lp, [base, late]) if lens == "regional" else {}),
                    **course,
                }
            )
    return rows


def is_sensitivity(table: pd.DataFrame) -> pd.Series:
    """Rows that are a nominal sensitivity: ``price_basis`` nominal where real rows exist.

    >>> t = pd.DataFrame({"indicator": ["pay", "pay", "old"],
    ...                   "price_basis": ["real (CPI, 2025 prices)", "nominal", "nominal"]})
    >>> is_sensitivity(t).tolist()
    [False, True, False]
    """
    basis = table["price_basis"].fillna("").astype(str)
    has_real = basis.str.startswith("real").groupby(table["indicator"]).transform("any")
    return basis.eq(NOMINAL) & has_real


def default_basis(table: pd.DataFrame) -> pd.DataFrame:
    """The rows in the default price basis (real terms for money): sensitivities dropped."""
    return table[~is_sensitivity(table)]


def _fmt_people(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} million people"
    return f"{n:,.0f} people"


def mission_sentences(
    table: pd.DataFrame,
    missions_cfg: Mapping[str, Any],
    labels: Mapping[str, str] | None = None,
    period_label: Callable[[str], str] | None = None,
) -> dict[int, str]:
    """One quotable sentence per mission from its headline test at both lenses.

    The headline is the mission's ``headline: {indicator, test}`` in config, else its first
    indicator and first test. The sentence gives the regional verdict, then the number of
    local authorities (or upper-tier areas) that did not meet the test, the people living
    in them, and how many failed significantly where intervals are published.

    Parameters
    ----------
    table : pandas.DataFrame
        The scorecard (:func:`scorecard`).
    missions_cfg : mapping
        The ``missions:`` config block.
    labels : mapping, optional
        Indicator key → short lower-case name (default: ``missions_cfg["labels"]``).
    period_label : callable, optional
        Period → human label (default: the period string).

    Returns
    -------
    dict
        Mission number → sentence.
    """
    labels = dict(missions_cfg.get("labels", {}) if labels is None else labels)
    plabel = period_label or str
    table = default_basis(table)
    out = {}
    for mission in missions_cfg["declared"]:
        num = int(mission["number"])
        head = mission.get("headline") or {}
        ind = head.get("indicator", mission["indicators"][0])
        test = head.get("test", mission["tests"][0]["test"])
        rows = table[(table["mission"] == num) & (table["indicator"] == ind)]
        rows = rows[rows["test"] == test].set_index("lens")
        if not {"regional", "local"} <= set(rows.index):
            continue
        reg, loc = rows.loc["regional"], rows.loc["local"]
        name = labels.get(ind, ind)
        base, late = str(reg["baseline_period"] or ""), str(reg["latest_period"] or "")
        if base and base != "nan":
            span = f"{plabel(base)} to {plabel(late)}"
        else:
            span = f"{plabel(late)}, the only period published"
        basis = str(reg["price_basis"]) if isinstance(reg["price_basis"], str) else ""
        nominal = f", {price_basis_words(basis)}" if basis else ""
        what = _test_phrase(test, name, reg)
        if _so_far(reg) == NO_DATA or _so_far(loc) == NO_DATA:
            out[num] = f"Mission {num}: “{what}” cannot be tested ({reg['note'] or 'no data'})."
            continue
        if test == "gap_narrows":
            out[num] = (
                f"Mission {num}: by region the gap in {name} ({_gap_words(reg)}) "
                f"{'narrowed' if _so_far(reg) == MET else 'did not narrow'} "
                f"({reg['gap_baseline']:.3g} → {reg['gap_latest']:.3g}); across "
                f"local authorities it {'narrowed' if _so_far(loc) == MET else 'did not narrow'}"
                f" ({loc['gap_baseline']:.3g} → {loc['gap_latest']:.3g}) ({span}{nominal})."
                f"{_course_words(reg, loc)}"
            )
            continue
        n_reg = int(reg["n_met"] + reg["n_failed"])
        n_fail_loc = int(loc["n_failed"])
        sig = loc["n_failed_significant"]
        if not n_fail_loc:
            sig_txt = ""
        elif pd.notna(sig):
            sig_txt = f", {int(sig)} of them significantly"
        else:
            sig_txt = " (no published intervals to test significance)"
        if _so_far(reg) == MET:
            lead = f"All {n_reg} regions met “{what}”"
        elif int(reg["n_failed"]) == n_reg:
            lead = f"None of the {n_reg} regions met “{what}”"
        else:
            lead = f"{int(reg['n_met'])} of {n_reg} regions met “{what}”"
        unit = "upper-tier areas" if "UTLA" in str(loc["unit_of_analysis"]) else "local authorities"
        if n_fail_loc:
            tail = f"{n_fail_loc} {unit} ({_fmt_people(loc['population_failed'])}) did not{sig_txt}"
        else:
            tail = f"so did all {int(loc['n_met'])} {unit} with data"
        out[num] = f"Mission {num}: {lead}; {tail} ({span}{nominal}).{_course_words(reg, loc)}"
    return out


def _so_far(row: pd.Series) -> str:
    """The baseline-to-latest verdict of a scorecard row (``met_so_far``; older tables: verdict)."""
    value = row.get("met_so_far")
    return str(value) if isinstance(value, str) else str(row["verdict"])


def _course_words(reg: pd.Series, loc: pd.Series) -> str:
    """`` Against its 2030 deadline: on course by region, off course locally.`` (or empty)."""
    if "deadline" not in reg or pd.isna(reg.get("deadline")):
        return ""
    words = {"met": "met", "on_course": "on course", "off_course": "off course",
             "no_data": "too few periods to project"}  # fmt: skip
    r, c = words.get(str(reg["verdict"]), ""), words.get(str(loc["verdict"]), "")
    if not r or not c:
        return ""
    return f" Against its {int(reg['deadline'])} deadline: {r} by region, {c} locally."


def _gap_words(row: pd.Series) -> str:
    """The gap measure in words, naming the top group by count (``top 2 of 12 regions``)."""
    group = row.get("gap_top_group")
    group = group if isinstance(group, str) and group else "the top tenth"
    measure = str(row.get("gap_measure", ""))
    if measure == "top_tenth_ratio":
        return f"mean of the {group} as a ratio to the rest"
    if measure == "top_tenth_vs_rest":
        return f"mean of the {group} minus the rest"
    return {"p90_p10": "P90/P10", "max_min": "highest minus lowest"}.get(measure, measure)


def _test_phrase(test: str, name: str, row: pd.Series) -> str:
    if test == "rise_everywhere":
        return f"{name} rose"
    if test == "level_reached":
        return f"{name} at least {row['target']:g}"
    if test == "worst_improve_by":
        return f"{name} in the worst tenth up by {row['target']:.0%}"
    if test == "trajectory":
        return f"{name} on course to rise by {row['target']:g}"
    return f"the gap in {name} narrowed"
