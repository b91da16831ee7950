"""The report's mission section: the scorecard at both lenses in words and tables, and the
ambition back-test. The scorecard figure is drawn by :mod:`localineq.outputs.mission_figures`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from localineq.data.readers import parse_period
from localineq.outputs.mission_figures import COURSE_WORDS, TEST_LABELS, scorecard_cell_text
from localineq.outputs.report.base import ReportState, table_context
from localineq.policy.ambition import IFG_COUNTS, mission_class, mission_counts
from localineq.policy.geo_missions import GEO_TESTS
from localineq.policy.scorecard import default_basis, is_sensitivity, mission_sentences

__all__ = ["missions_context"]


def _period_label(period: str) -> str:
    return parse_period(period).label if isinstance(period, str) and period else ""


def missions_context(state: ReportState) -> dict[str, Any] | None:
    """Context of the report section "Mission scorecard: regional lens vs local lens".

    Reads ``state.inputs.extra["scorecard"]`` (and ``"backtest"``); ``None`` leaves the
    section out when the scorecard is not passed. Gives one quotable sentence per mission
    (:func:`localineq.policy.scorecard.mission_sentences`), the verdict table at both lenses,
    and the ambition back-test of the "rise everywhere" tests.
    """
    card = state.inputs.extra.get("scorecard")
    if card is None or card.empty:
        return None
    cfg = state.config["missions"]
    labels = dict(cfg.get("labels", {}))
    sentences = mission_sentences(card, cfg, labels, period_label=_period_label)
    missions = []
    for m in cfg["declared"]:
        num = int(m["number"])
        if num in sentences:
            missions.append(
                {
                    "number": num,
                    "short": m["short"],
                    "wording": m.get("wording", ""),
                    "sentence": sentences[num].removeprefix(f"Mission {num}: "),
                }
            )
    for m in cfg.get("own_geography", []) or []:
        missions.append(
            {
                "number": int(m["number"]),
                "short": m["short"],
                "wording": m["wording"],
                "sentence": own_geography_sentence(card, m),
            }
        )
    for m in cfg.get("untested", []) or []:
        missions.append(
            {
                "number": int(m["number"]),
                "short": m["short"],
                "wording": m["wording"],
                "sentence": f"Not tested here. Candidate metric: {m['metric']}. By region: "
                f"{m['regional']}; by local authority: {m['local']}.",
            }
        )
    missions.sort(key=lambda mi: mi["number"])
    wide = []
    card = card.assign(_sensitivity=is_sensitivity(card))
    for (num, ind, test, sens), part in card.groupby(
        ["mission", "indicator", "test", "_sensitivity"], sort=False
    ):
        by_lens = part.set_index("lens")
        if not {"regional", "local"} <= set(by_lens.index):
            continue
        reg, loc = by_lens.loc["regional"], by_lens.loc["local"]
        base = reg["baseline_period"] if isinstance(reg["baseline_period"], str) else ""
        basis = reg["price_basis"] if isinstance(reg["price_basis"], str) else ""
        test_label = TEST_LABELS.get(test, test)
        if test == "gap_narrows" and isinstance(reg.get("gap_top_group"), str):
            ratio = " (ratio)" if reg["gap_measure"] == "top_tenth_ratio" else ""
            test_label += f": {reg['gap_top_group']} vs the rest{ratio}"
        wide.append(
            {
                "Mission": num,
                "Indicator": labels.get(ind, ind)
                + (", nominal (sensitivity)" if sens else f", {basis}" if basis else ""),
                "Test": test_label,
                "Baseline → latest": f"{_period_label(base) or '—'} → "
                f"{_period_label(str(reg['latest_period']))}",
                "Regional lens": str(reg.get("regional_source", "") or ""),
                "By region": scorecard_cell_text(reg),
                "By local authority": scorecard_cell_text(loc),
                "Pre-COVID baseline": f"{_period_label(str(reg.get('pre_covid_baseline_period') or ''))}: "
                f"{_course(reg.get('pre_covid_verdict'))} / {_course(loc.get('pre_covid_verdict'))}"
                if test != "none" and test not in GEO_TESTS
                else "",
                "People in local authorities short so far (local lens)": f"{loc['population_failed']:,.0f}"
                if test not in ("gap_narrows", *GEO_TESTS) and loc["n_failed"]
                else "",
            }
        )
    backtest = state.inputs.extra.get("backtest")
    bt_rows = []
    if backtest is not None and not backtest.empty:
        backtest = backtest.assign(_basis=backtest["price_basis"].fillna(""))
        for (num, ind, test, _basis), part in backtest.groupby(
            ["mission", "indicator", "test", "_basis"], sort=False
        ):
            by_lens = part.set_index("lens")
            if not {"regional", "local"} <= set(by_lens.index):
                continue
            reg, loc = by_lens.loc["regional"], by_lens.loc["local"]
            if not reg["n_windows"]:
                continue
            used, target = int(reg["window_years_used"]), int(reg["window_years_target"])
            bt_rows.append(
                {
                    "Mission": num,
                    "Indicator": labels.get(ind, ind)
                    + (f", {reg['price_basis']}" if isinstance(reg["price_basis"], str) else ""),
                    "Test": TEST_LABELS.get(test, test),
                    "Window (years)": f"{used}" if used == target else f"{used} (of {target})",
                    "Windows": int(reg["n_windows"]),
                    "Met by region": f"{int(reg['n_met'])} ({reg['share_met']:.0%})",
                    "Met by local authority": f"{int(loc['n_met'])} ({loc['share_met']:.0%})",
                }
            )
    numeric = ["Mission", "Windows"]
    return {
        "source": cfg["source"],
        "missions": missions,
        "table": table_context(
            pd.DataFrame(wide), caption="Every mission test at both lenses", numeric=["Mission"]
        ),
        "backtest": table_context(
            pd.DataFrame(bt_rows),
            caption="Ambition back-test: historical windows as long as baseline → 2030",
            numeric=numeric,
        )
        if bt_rows
        else None,
        "figure": state.figure("mission_scorecard"),
        **_ambition_context(
            state.inputs.extra.get("ambition"),
            labels,
            (cfg.get("ambition") or {}).get("mission_rule"),
        ),
    }


def own_geography_sentence(card: pd.DataFrame, mission: Mapping[str, Any]) -> str:
    """One sentence for a mission tested on its own geography: its metric, then each lens's
    verdict and reason (the mission's own metric, default price basis).

    >>> card = pd.DataFrame({"mission": [2, 2], "indicator": ["rd", "rd"], "lens":
    ...     ["regional", "local"], "price_basis": ["real", "real"], "verdict": ["no_data"] * 2,
    ...     "verdict_reason": ["2 periods", "not published below region"],
    ...     "unit_of_analysis": ["ITL1 region", "local authority (not published)"]})
    >>> own_geography_sentence(card, {"number": 2, "metric": "R&D", "sources": {"rd": "s"}})
    'R&D. By ITL1 region: no verdict (2 periods). Locally: no verdict (not published below region).'
    """
    ind = next(iter(mission["sources"]))
    part = default_basis(card[(card["mission"] == int(mission["number"]))
                              & (card["indicator"] == ind)]).set_index("lens")  # fmt: skip
    words = []
    for lens, lead in (("regional", "By {unit}"), ("local", "Locally")):
        if lens not in part.index:
            continue
        row = part.loc[lens]
        verdict = COURSE_WORDS.get(str(row["verdict"]), "no verdict")
        deadline = row.get("deadline")
        if str(row["verdict"]) in ("on_course", "off_course") and pd.notna(deadline):
            verdict += f" for {int(deadline)}"
        unit = str(row["unit_of_analysis"]).split(" (")[0]
        words.append(f"{lead.format(unit=unit)}: {verdict} ({row['verdict_reason']}).")
    return f"{mission['metric'][:1].upper()}{mission['metric'][1:]}. " + " ".join(words)


def _course(verdict: Any) -> str:
    return {"met": "met", "on_course": "on course", "off_course": "off course"}.get(
        str(verdict), "no data"
    )


def _ambition_context(
    table: pd.DataFrame | None, labels: Mapping[str, str], rule: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The ambition table (one row per mission test), its per-mission sentences and the
    count of missions per class beside the IfG's."""
    if table is None or table.empty:
        return {"ambition": None, "ambition_counts": None, "ambition_sentences": []}
    rows, sentences = [], []
    for (num, ind, test), part in table.groupby(["mission", "indicator", "test"], sort=True,
                                                 dropna=False):  # fmt: skip
        by_lens = part.set_index("lens")
        reg, loc = by_lens.loc["regional"], by_lens.loc["local"]
        name = labels.get(ind, ind) if isinstance(ind, str) else "no metric"
        rows.append(
            {
                "Mission": int(num),
                "Indicator": name,
                "Test": TEST_LABELS.get(test, test),
                "By region": str(reg["ambition"]).replace("_", " "),
                "By local authority": str(loc["ambition"]).replace("_", " "),
                "Why (regional)": str(reg["reason"]),
            }
        )
    for num, part in table.groupby("mission", sort=True):
        reg = mission_class(part.loc[part["lens"] == "regional", "ambition"], rule)
        loc = mission_class(part.loc[part["lens"] == "local", "ambition"], rule)
        words = reg.replace("_", " ")
        tail = "" if loc == reg else f" (by local authority: {loc.replace('_', ' ')})"
        regional = part[part["lens"] == "regional"]
        deciding = regional[regional["ambition"] == reg]
        first = (deciding if len(deciding) else regional).iloc[0]
        sentences.append(
            f"Mission {int(num)} ({first['mission_name']}): {words}{tail}; {first['reason']}."
        )
    raw_counts = mission_counts(table, rule)
    counts = raw_counts.assign(
        ambition=raw_counts["ambition"].str.replace("_", " "),
        ifg=[str(IFG_COUNTS.get(a, "—")) for a in raw_counts["ambition"]],
    ).rename(
        columns={
            "ambition": "Class",
            "regional": "Missions, by region",
            "local": "Missions, by local authority",
            "ifg": "IfG",
        }
    )
    return {
        "ambition": table_context(
            pd.DataFrame(rows), caption="Ambition of every mission test", numeric=["Mission"]
        ),
        "ambition_counts": table_context(
            counts,
            caption="Missions per ambition class, beside the Institute for Government's",
            numeric=["Missions, by region", "Missions, by local authority"],
        ),
        "ambition_sentences": sentences,
        "ambition_comparison": _comparison_words(raw_counts),
        "ambition_rule": _rule_words(rule),
    }


def _rule_words(rule: Mapping[str, Any] | None) -> str:
    """The per-mission aggregation rule in words (``missions.ambition.mission_rule``).

    >>> _rule_words(None)
    'A mission takes the class undefined, then unprecedented, if any of its judged tests has it; would happen anyway if all of them do; calibrated otherwise; tests with no data are not judged.'
    """
    from localineq.policy.ambition import DEFAULT_MISSION_RULE

    r = {**DEFAULT_MISSION_RULE, **dict(rule or {})}
    name = lambda c: str(c).replace("_", " ")  # noqa: E731
    first = ", then ".join(name(c) for c in r["any_of"])
    ignored = " and ".join(name(c).replace("no data", "with no data") for c in r["ignore"])
    return (
        f"A mission takes the class {first}, if any of its judged tests has it; "
        f"{name(r['all_of'])} if all of them do; {name(r['otherwise'])} otherwise; "
        f"tests {ignored} are not judged."
    )


def _comparison_words(counts: pd.DataFrame) -> str:
    """Where the regional-lens counts agree with the IfG's and where they differ.

    >>> c = pd.DataFrame({"ambition": ["would_happen_anyway", "unprecedented", "undefined"],
    ...                   "regional": [0, 3, 4], "local": [0, 1, 4], "ifg": [5, 3, 4]})
    >>> _comparison_words(c)
    'By region the project agrees with the IfG on unprecedented (3) and undefined (4), and differs on would happen anyway (0 against 5).'
    """
    agree, differ = [], []
    for r in counts.itertuples(index=False):
        if r.ambition not in IFG_COUNTS:
            continue
        name = r.ambition.replace("_", " ")
        if int(r.regional) == IFG_COUNTS[r.ambition]:
            agree.append(f"{name} ({int(r.regional)})")
        else:
            differ.append(f"{name} ({int(r.regional)} against {IFG_COUNTS[r.ambition]})")
    parts = []
    if agree:
        parts.append("agrees with the IfG on " + " and ".join(agree))
    if differ:
        parts.append("differs on " + " and ".join(differ))
    return "By region the project " + ", and ".join(parts) + "."
