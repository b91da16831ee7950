"""The report section "Targets for high performers" (issue 12).

Context function :func:`targets_context` for ``templates/sections/targets.html.j2``: counts of
authorities by target status per indicator, a short list of the levelling-down alarms
(significant and persistent ones first; every row is in ``la_targets.csv``), the status
map, and the rules in a few sentences. It reads ``la_targets`` from
``state.inputs.extra["la_targets"]`` and leaves the section out when the table is absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from localineq.analysis.area_tables import period_label
from localineq.data.prices import price_basis_words
from localineq.outputs.figure_catalogue import FigureEntry
from localineq.outputs.report.base import ReportState, figure_context, table_context
from localineq.outputs.target_figures import alarm_list, status_counts
from localineq.policy.target_rules import TargetRule
from localineq.policy.targets import STATUS_MEANINGS, target_horizon

__all__ = ["ALARMS_SHOWN", "TARGET_FIGURE", "target_figure", "targets_context"]

#: Alarms listed in the report; the rest are in la_targets.csv and on the profile pages.
ALARMS_SHOWN = 15

#: The status map (workflow/rules/figures.smk: figure_target_status), for the default horizon;
#: :func:`target_figure` words it for another.
TARGET_FIGURE = FigureEntry(
    key="target_status",
    stem="target_status",
    title="Target status of every local authority, headline indicators",
    caption=(
        "Each authority's status against its 2030 target (results/tables/la_targets.csv): "
        "met, on track or off track against the straight-line path from its baseline; for an "
        "authority at or above the benchmark at baseline, levelling down where its value fell "
        "below its own baseline by more than the noise, or lagging the UK trend (not an "
        "alarm). Money in real terms (CPI, 2025 prices). Healthy life expectancy is shown on its upper-tier areas. Source: ONS "
        "Explore Local Statistics, Open Government Licence v3.0; contains OS data © Crown "
        "copyright and database right."
    ),
    alt="Maps of the UK, one per headline indicator, local authorities coloured by target status.",
)


def target_figure(horizon: int) -> FigureEntry:
    """:data:`TARGET_FIGURE` with its caption naming the ``horizon`` year of the targets."""
    default = f"its {TargetRule.horizon} target"
    return replace(
        TARGET_FIGURE, caption=TARGET_FIGURE.caption.replace(default, f"its {horizon} target")
    )


def _fmt(v: Any) -> str:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return ""
    if f != f:
        return ""
    return f"{f:,.0f}" if abs(f) >= 1000 else f"{f:,.2f}"


def targets_context(state: ReportState) -> Mapping[str, Any] | None:
    """Counts by status, the alarms and the status map; ``None`` without ``la_targets``."""
    targets = state.inputs.extra.get("la_targets")
    if targets is None or targets.empty:
        return None
    specs = state.config["indicators"]
    counts = status_counts(targets, specs)
    count_view = pd.DataFrame(
        {
            "Indicator": counts["title"],
            "Areas": counts["areas"],
            "Met": counts["met"],
            "On track": counts["on_track"],
            "Off track": counts["off_track"],
            "Lagging UK trend": counts["lagging_uk_trend"],
            "Levelling down": counts["levelling_down"],
            "of which significant": counts["alarms_significant"],
            "No data": counts["no_data"],
        }
    )
    alarms = alarm_list(targets).head(ALARMS_SHOWN)
    alarm_view = pd.DataFrame(
        {
            "Indicator": alarms["indicator"].map(lambda k: specs[k]["title"]),
            "Area": alarms["area_name"],
            "Region": alarms["itl1_name"].str.replace(" (England)", "", regex=False),
            "Baseline": [
                f"{_fmt(v)} ({period_label(p)})"
                for v, p in zip(alarms["baseline"], alarms["baseline_period"], strict=True)
            ],
            "Latest": [
                f"{_fmt(v)} ({period_label(p)})"
                for v, p in zip(alarms["latest"], alarms["latest_period"], strict=True)
            ],
            "Fall": [f"{v:.1%}" for v in alarms["fall_share"]],
            "Periods levelling down": [
                f"{int(n)} of {int(c)}" if pd.notna(n) else ""
                for n, c in zip(
                    alarms["levelling_down_periods"], alarms["periods_checked"], strict=True
                )
            ],
            "Significant": [
                ("yes" if s else "no") if e == "interval" else "no interval published"
                for s, e in zip(alarms["significant"], alarms["evidence"], strict=True)
            ],
        }
    )
    cfg = state.config["targets"]["default"]
    figure = figure_context(
        target_figure(target_horizon(targets.columns)), state, number=len(state.catalogue) + 1
    )
    n_alarms = int(counts["levelling_down"].sum())
    n_sig = int(counts["alarms_significant"].sum())
    money = targets.loc[targets["price_basis"].fillna("").astype(str).str.startswith("real")]
    return {
        "n_lagging": int(counts["lagging_uk_trend"].sum()),
        "n_listed": len(alarms),
        "meanings": {k: v[1] for k, v in STATUS_MEANINGS.items()},
        "price_basis": price_basis_words(str(money["price_basis"].iloc[0])) if len(money) else "",
        "share": f"{float(cfg['gap_share']):.0%}",
        "horizon": cfg["horizon"],
        "tolerance": f"{float(cfg['trend_tolerance']):.0%}",
        "benchmark": str(cfg["benchmark"]).replace("_", " "),
        "n_alarms": n_alarms,
        "n_significant": n_sig,
        "counts": table_context(
            count_view,
            caption="Local authorities by target status (healthy life expectancy: upper-tier areas).",
            numeric=list(count_view.columns[1:]),
        ),
        "alarms": table_context(
            alarm_view,
            caption=(
                f"The first {len(alarms)} of {n_alarms} levelling-down alarms: high performers "
                "whose latest value is below their own baseline by more than the noise; "
                "significant (published 95% intervals), then persistent, then the largest "
                "relative fall first."
            ),
            numeric=["Fall"],
        ),
        "figure": figure,
        "table_href": state.link("results/tables/la_targets.csv"),
        "profiles_href": state.link("results/profiles/index.html"),
    }
