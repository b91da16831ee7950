"""Columns the mission scorecard adds to each test (issue 19): the regional lens's source and
its distance from ONS's published rows, and the verdict against the deadline.

:func:`published_panel` turns ``region_indicators`` into a lens panel; :func:`lens_provenance`
says where the regional values come from; :func:`course_columns` judges a test against its
deadline (:mod:`localineq.policy.deadlines`) from the White Paper and the pre-COVID baselines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from localineq.policy.compare import se_from_interval
from localineq.policy.deadlines import (
    TREND_ESTIMATOR,
    deadline_verdict,
    met_so_far,
    pre_covid_baseline,
)
from localineq.policy.lenses import AGGREGATE, PUBLISHED, evaluate_test
from localineq.policy.missions import NO_DATA
from localineq.policy.panel_rows import PanelRows

__all__ = [
    "NOMINAL",
    "UNTESTED",
    "course_columns",
    "with_indicator_titles",
    "lens_provenance",
    "published_panel",
    "untested_rows",
]

#: ``test`` of a mission with no metric tested here.
UNTESTED = "none"

#: ``price_basis`` of the nominal sensitivity rows.
NOMINAL = "nominal"


def published_panel(regions: pd.DataFrame | None, indicator: str, basis: str) -> pd.DataFrame:
    """ONS's published ITL1 rows of one indicator in one price basis, as a lens panel.

    ``regions`` is ``results/tables/region_indicators.csv``; real rows take the ``*_real``
    columns. Returns ``area_code`` (ITL1), ``period``, ``value``, ``se`` (from the published
    95% bounds); empty when nothing is published.
    """
    cols = ["area_code", "period", "value", "se"]
    if regions is None or regions.empty:
        return pd.DataFrame(columns=cols)
    rows = regions[regions["indicator"] == indicator]
    real = bool(basis) and basis != NOMINAL and "value_real" in rows
    suffix = "_real" if real else ""
    return pd.DataFrame(
        {
            "area_code": rows["itl1_code"],
            "period": rows["period"],
            "value": rows[f"value{suffix}"].astype(float),
            "se": se_from_interval(rows[f"lci_95{suffix}"], rows[f"uci_95{suffix}"]),
        }
    ).reset_index(drop=True)


def lens_provenance(lp: pd.DataFrame, periods: list[str]) -> dict[str, Any]:
    """Where a regional lens's values come from, and how far the aggregate strays, at the ends."""
    ends = lp[lp["period"].isin(periods) & lp["value"].notna()]
    sources = set(ends["regional_source"])
    if sources == {PUBLISHED}:
        label = "published ITL1 rows"
    elif sources == {AGGREGATE}:
        label = "LA aggregate (no published regional row)"
    else:
        n_agg = int((ends["regional_source"] == AGGREGATE).sum())
        label = f"published ITL1 rows; LA aggregate for {n_agg} region-periods"
    diff = ends["aggregate_minus_published"]
    if not diff.notna().any():
        return {"regional_source": label}
    worst = diff.abs().idxmax()
    pct = 100.0 * diff[worst] / ends.loc[worst, "value"]
    return {
        "regional_source": label,
        "aggregate_minus_published": float(diff[worst]),
        "aggregate_vs_published_pct": float(pct),
    }


def course_columns(
    missions_cfg: Mapping[str, Any],
    test: Mapping[str, Any],
    lp: pd.DataFrame,
    name: str,
    base: str | None,
    late: str | None,
    hib: bool,
    params: Mapping[str, Any],
    so_far: str,
    periods: list[str],
    rows: PanelRows | None = None,
) -> dict[str, Any]:
    """Deadline verdict, met-so-far and the pre-COVID baseline sensitivity of one test.

    ``rows`` is ``lp``'s :func:`~localineq.policy.panel_rows.panel_rows`, if the caller has it.
    """
    deadline = int(test.get("target_year", missions_cfg["horizon"]))
    min_periods = int(missions_cfg["trend_min_periods"])
    kw = {"deadline": deadline, "higher_is_better": hib, "params": params}
    judged = deadline_verdict(lp, name, baseline=base, latest=late, so_far=so_far,
                              min_periods=min_periods, **kw)  # fmt: skip
    covid_year = float(missions_cfg["pre_covid_year"])
    pre = pre_covid_baseline(periods, covid_year)
    if pre is not None and late is not None:
        pre_res = evaluate_test(lp, name, baseline=pre, latest=late, higher_is_better=hib,
                                params=dict(params), rows=rows)  # fmt: skip
        pre_so_far = pre_res.verdict
        pre_v = deadline_verdict(lp, name, baseline=pre, latest=late, so_far=pre_so_far,
                                 min_periods=min_periods, **kw)["verdict"]  # fmt: skip
    else:
        pre_so_far, pre_v = NO_DATA, NO_DATA
    return {
        "verdict": judged["verdict"],
        "met_so_far": met_so_far(so_far),
        "verdict_reason": judged["verdict_reason"],
        "deadline": deadline,
        "trend_estimator": f"{TREND_ESTIMATOR}; at least {min_periods} periods",
        "trend_periods": judged["trend_periods"],
        "projected_at_deadline": judged.get("projected_at_deadline", math.nan),
        "projection_lower_95": judged.get("projection_lower_95", math.nan),
        "projection_upper_95": judged.get("projection_upper_95", math.nan),
        "interval_vs_target": judged.get("interval_vs_target", ""),
        "pre_covid_baseline_period": pre or "",
        "pre_covid_met_so_far": met_so_far(pre_so_far),
        "pre_covid_verdict": pre_v,
    }


def untested_rows(missions_cfg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Explicit scorecard rows (both lenses) for missions with no metric tested, saying why.

    >>> rows = untested_rows({"untested": [{"number": 2, "short": "R&D", "wording": "w",
    ...     "metric": "m", "regional": "r", "local": "not published below region"}]})
    >>> [(r["lens"], r["verdict"], r["verdict_reason"]) for r in rows]
    [('regional', 'no_data', 'r'), ('local', 'no_data', 'not published below region')]
    """
    rows = []
    for mission in missions_cfg.get("untested", []) or []:
        for lens in ("regional", "local"):
            rows.append(
                {
                    "mission": int(mission["number"]),
                    "mission_name": mission["short"],
                    "indicator": "",
                    "indicator_title": mission["metric"],
                    "test": UNTESTED,
                    "lens": lens,
                    "unit_of_analysis": "ITL1 region" if lens == "regional" else "",
                    "verdict": NO_DATA,
                    "met_so_far": NO_DATA,
                    "verdict_reason": mission[lens],
                    "note": f"no usable metric tested: {mission[lens]}",
                }
            )
    return rows


def with_indicator_titles(card: pd.DataFrame, titles: Mapping[str, str]) -> pd.DataFrame:
    """The scorecard with each configured indicator's title in ``indicator_title``.

    :func:`localineq.policy.scorecard.scorecard` reads no indicator's title (so a title
    edit does not rerun the mission tests): it leaves ``indicator_title`` empty on rows of a
    configured indicator and fills it only where the missions config names the metric (own
    geography, untested missions). ``card`` is read as text (every cell a string, missing
    ones empty), so the other cells keep their bytes.

    >>> card = pd.DataFrame({"indicator": ["pay", "rd"], "indicator_title": ["", "R&D"]})
    >>> with_indicator_titles(card, {"pay": "Median pay"})["indicator_title"].tolist()
    ['Median pay', 'R&D']
    """
    out = card.copy()
    empty = out["indicator_title"] == ""
    unknown = sorted(set(out.loc[empty & (out["indicator"] != ""), "indicator"]) - set(titles))
    if unknown:
        raise ValueError(f"scorecard rows of indicator(s) {unknown} have no title")
    out.loc[empty, "indicator_title"] = out.loc[empty, "indicator"].map(dict(titles)).fillna("")
    return out
