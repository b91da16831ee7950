"""The report's sections: what each one shows, computed from the loaded results.

Every section of ``results/report/index.html`` is a :class:`Section` in :data:`SECTIONS`: an
anchor id, a heading, a Jinja2 partial under ``templates/sections/`` and a *context function*.
The context function takes the :class:`ReportState` (loaded inputs, figure catalogue and
numbers, link mode) and returns a plain dict of strings, numbers and lists for its partial, or
``None`` to leave the section out. Numbers are formatted and data-driven sentence pieces are
built here; partials hold only markup and fixed prose. See :mod:`localineq.outputs.report.build` for
how to add a section.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from localineq.analysis.area_tables import MASKED_KINDS, coverage_label
from localineq.outputs.codebook import report_section_context as codebook_context
from localineq.outputs.figure_catalogue import units_phrase, weight_phrase
from localineq.outputs.measure_labels import correction_label, measure_label, table_measure
from localineq.outputs.report.base import (
    ReportState,
    Section,
    figure_context,
    shortened,
    table_context,
)
from localineq.outputs.report.missions import missions_context
from localineq.outputs.report.neighbourhoods import neighbourhood_rows, noise_sentences
from localineq.outputs.report.noise import noise_findings
from localineq.outputs.report.spatial import spatial_context
from localineq.outputs.report.targets import targets_context
from localineq.outputs.tables import (
    format_interval,
    format_value,
    summary_display,
    summary_total_header,
)

LICENCE_NAMES = {
    "OGL-UK-3.0": "Open Government Licence v3.0",
}
LICENCE_URLS = {
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}

#: Rows of the masked-authorities table shown in the report; every row is in masked_las.csv.
MASKED_SHOWN = 20

#: Authors and title of the software citation; CITATION.cff gives the same (a test checks).
CITATION_AUTHORS = "localineq contributors"
CITATION_TITLE = (
    "localineq: how much of the inequality between UK places is invisible in regional averages?"
)

#: Supporting sources listed after the indicators' own sources (geography, weights, lookups).
SUPPORTING_SOURCES = (
    "els_boundaries_topojson",
    "lad23_itl_lookup",
    "regional_gdp_la_workbook",
    "mid2022_population_by_age",
    "la_code_changes",
    "ltla_lookup_2014",
    "imd2019_scores_mysociety",
    "imd2019_file1",
    "imd2019_file6",
)


def used_sources(config: Mapping[str, Any], sources: Mapping[str, Any]) -> list[str]:
    """Source keys the analysis uses: each indicator's source, then geography and weights."""
    keys = [str(spec["source"]) for spec in config["indicators"].values()]
    ordered = []
    for key in [*keys, *SUPPORTING_SOURCES]:
        if key in sources and key not in ordered:
            ordered.append(key)
    return ordered


def source_context(key: str, src: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the sources table: licences split into linked names and the rest."""
    text = str(src.get("licence", ""))
    licences = []
    for token, name in LICENCE_NAMES.items():
        if token in text:
            licences.append({"name": name, "url": LICENCE_URLS[token]})
            text = text.replace(token, "").strip(" ;,")
    url = str(src.get("url") or src.get("landing_page") or "")
    return {
        "description": src.get("description", key),
        "publisher": src.get("publisher", ""),
        "licences": licences,
        "licence_rest": text,
        "file": src.get("filename") or key,
        "url": url if url.startswith("http") else None,
        "location": url,
        "sha256": str(src.get("sha256", ""))[:16],
    }


def finding_context(
    row: pd.Series, weighting: str, spec: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Fields of the ``finding`` macro: the between and within shares of one indicator, with
    95% confidence intervals (BCa), its coverage and its units of analysis."""
    unweighted = row.get("between_share_unweighted")
    between_unweighted = None
    if row.get("weight_basis") != "equal" and unweighted is not None and not math.isnan(unweighted):
        between_unweighted = format_interval(
            unweighted,
            row["between_share_unweighted_ci_lower"],
            row["between_share_unweighted_ci_upper"],
        )
    note = row.get("period_note")
    period = str(row["period_label"])
    if isinstance(note, str) and note:
        period = f"{period} ({note})"
    return {
        "period_label": period,
        "n_areas": int(row["n_areas"]),
        "units": units_phrase(spec or {})[1],
        "coverage": coverage_label(str(row.get("nations", "")), int(row["n_regions"])),
        "between": format_interval(
            row["between_share"], row["between_share_ci_lower"], row["between_share_ci_upper"]
        ),
        "within": f"{100 * (1 - row['between_share']):.0f}%",
        "weighting": weighting,
        "title": str(row["title"]),
        "between_unweighted": between_unweighted,
        "measure": measure_label(str(row.get("measure", "theil_t"))),
    }


def masked_context(masked: pd.DataFrame, indicator: str, n: int = 6) -> list[dict[str, Any]]:
    """Masked areas of one indicator by kind: count, description, first ``n`` names."""
    part = masked[masked["indicator"] == indicator]
    out = []
    for kind, description in MASKED_KINDS.items():
        rows = part[part["kind"] == kind]
        if rows.empty:
            continue
        names = [
            f"{r.area_name} ({str(r.itl1_name).replace(' (England)', '')})"
            for r in rows.head(n).itertuples()
        ]
        out.append(
            {
                "count": len(rows),
                "description": description,
                "names": names,
                "more": len(rows) - n if len(rows) > n else 0,
            }
        )
    return out


def lsoa_shares(profile: pd.DataFrame | None) -> list[str]:
    """``"71% for the IMD score"`` pieces: Theil T share between LSOAs within LAs."""
    if profile is None or profile.empty:
        return []
    within = profile[
        (profile["level"] == "within lad23")
        & (profile["measure"] == "theil_t")
        & (profile["weighting"] == "weighted")
    ].set_index("indicator")["share"]
    names = {"imd_score": "the IMD score", "income_rate": "the income-deprivation rate"}
    return [f"{100 * within[k]:.0f}% for {v}" for k, v in names.items() if k in within.index]


# ---------------------------------------------------------------------------------------------
# Context functions, one per section
# ---------------------------------------------------------------------------------------------
def summary_measure(summary: pd.DataFrame) -> str:
    """The measure of the summary table (``figures.measure`` when it was written)."""
    return table_measure(summary["measure"]) if "measure" in summary else "theil_t"


def no_context(state: ReportState) -> dict[str, Any]:
    """For sections of fixed prose."""
    return {}


def key_findings_context(state: ReportState) -> dict[str, Any]:
    summary = state.inputs.summary
    key = None
    if not summary.empty:
        within = 1 - summary["between_share"]
        key = {
            "majority": int((within > 0.5).sum()),
            "n": len(summary),
            "median": f"{100 * within.median():.0f}%",
            "low": f"{100 * within.min():.0f}",
            "high": f"{100 * within.max():.0f}%",
        }
    profile = state.inputs.profile
    keys = ["shares", "trend"] + ([] if profile is None or profile.empty else ["profile"])
    return {
        "key": key,
        "figures": [state.figure(k) for k in keys],
        "lsoa_found": lsoa_shares(state.inputs.lsoa_profile),
        "lsoa_figure": state.figure("neighbourhood_profile"),
        "neighbourhoods": neighbourhood_rows(
            state.inputs.extra.get("neighbourhood_profile"),
            state.inputs.extra.get("widest_gaps"),
            (state.config.get("neighbourhoods") or {}).get("indicators", {}),
        ),
        "widest_link": state.link("results/tables/widest_internal_gaps.csv"),
        "neighbourhood_noise": noise_sentences(
            state.inputs.extra.get("neighbourhood_noise"),
            (state.config.get("neighbourhoods") or {}).get("indicators", {}),
        ),
        "noise": noise_findings(summary),
        "measure": measure_label(summary_measure(summary)),
        "correction": correction_label(summary_measure(summary)),
    }


def data_context(state: ReportState) -> dict[str, Any]:
    specs = state.config["indicators"]
    sources = state.inputs.sources
    indicators = pd.DataFrame(
        {
            "Key": list(specs),
            "Indicator": [s["title"] for s in specs.values()],
            "Unit": [s["unit"] for s in specs.values()],
            "Polarity": [
                "higher is better" if s["higher_is_better"] else "lower is better"
                for s in specs.values()
            ],
            "Coverage": [coverage_label("".join(s.get("nations", []))) for s in specs.values()],
            "Units": [units_phrase(s)[1] for s in specs.values()],
            "Weight basis": [
                "equal" if s.get("weight") == "unweighted" else s.get("weight", "")
                for s in specs.values()
            ],
        }
    )
    return {
        "sources": [source_context(k, sources[k]) for k in used_sources(state.config, sources)],
        "indicators": table_context(indicators, caption="Indicators analysed (config/config.yaml)"),
    }


def findings_context(state: ReportState) -> dict[str, Any]:
    specs = state.config["indicators"]
    weight_bases = state.config.get("weight_bases")
    summary = state.inputs.summary
    by_key = summary.set_index("indicator") if not summary.empty else pd.DataFrame()
    numbers = state.numbers
    indicators = []
    for key in state.headline:
        spec = specs[key]
        finding = None
        if key in by_key.index:
            finding = finding_context(by_key.loc[key], weight_phrase(spec, weight_bases), spec)
        indicators.append(
            {
                "key": key,
                "title": spec["title"],
                "finding": finding,
                "masked": masked_context(state.inputs.masked, key),
                "figures": [
                    figure_context(e, state, number=numbers[e.key])
                    for e in state.catalogue
                    if e.indicator == key and e.kind != "lisa_map"  # in the spatial section
                ],
            }
        )
    others = [k for k in specs if k not in state.headline and k in by_key.index]
    return {
        "indicators": indicators,
        "others": [
            finding_context(by_key.loc[k], weight_phrase(specs[k], weight_bases), specs[k])
            for k in others
        ],
    }


def tables_context(state: ReportState) -> dict[str, Any]:
    inputs = state.inputs
    tables = []
    if not inputs.summary.empty:
        tables.append(
            table_context(
                summary_display(inputs.summary),
                caption=(
                    "Between- and within-region shares of inequality between areas "
                    f"({measure_label(summary_measure(inputs.summary))}, latest period), "
                    "weighted by each indicator's weight basis and "
                    "unweighted, with 95% confidence intervals (BCa bootstrap). Coverage "
                    "differs between indicators (UK 12 regions, GB 11, England and Wales 10, "
                    "England 9)."
                ),
                numeric=["Areas", summary_total_header(inputs.summary)],
                key="summary",
            )
        )
    if not inputs.masked.empty:
        shown = inputs.masked[inputs.masked["indicator"].isin(state.headline)]
        # significant and persistent cases first (masked_las.csv: issue 12)
        shown = shown.sort_values(
            ["significant", "persistence"], ascending=[False, False], kind="stable"
        )
        display = pd.DataFrame(
            {
                "Indicator": shown["title"],
                "Local authority": shown["area_name"],
                "Region": shown["itl1_name"].str.replace(" (England)", "", regex=False),
                "Kind": shown["kind"].map(
                    {
                        "hidden_low": "worst fifth, region ≥ UK",
                        "hidden_high": "best fifth, region < UK",
                    }
                ),
                "Value": [
                    format_value(v, u) for v, u in zip(shown["value"], shown["unit"], strict=True)
                ],
                "Region reference": [
                    format_value(v, u)
                    for v, u in zip(shown["region_reference"], shown["unit"], strict=True)
                ],
                "Unit": shown["unit"],
                "Reference": shown["reference"],
                "Interval excludes region": [
                    ("yes" if sig else "no") if ev == "interval" else "no interval published"
                    for sig, ev in zip(shown["significant"], shown["evidence"], strict=True)
                ],
                "Masked in recent periods": [
                    f"{p} of {n}"
                    for p, n in zip(shown["persistence"], shown["periods_checked"], strict=True)
                ],
            }
        )
        display, full = shortened(
            display, MASKED_SHOWN, "results/tables/masked_las.csv", state.link
        )
        tables.append(
            table_context(
                display,
                full=full,
                caption=(
                    "Masked local authorities for the headline indicators: in the "
                    "worst national fifth while their region is at or better than the UK "
                    "reference, or in the best fifth while their region is worse; cases "
                    "whose published 95% interval excludes the region's reference, then the "
                    "most persistent, first. The reference (population-weighted mean or "
                    "median) is named per row (all indicators: "
                    "results/tables/masked_las.csv)."
                ),
                numeric=["Value", "Region reference"],
            )
        )
    return {
        "tables": tables,
        "table_files": [{"path": t, "href": state.link(t)} for t in inputs.tables],
        "notebooks": [{"path": n, "href": state.link(n)} for n in inputs.notebooks],
    }


def _pct(value: Any) -> str:
    return "" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%"


def _icc_text(by_level: pd.DataFrame, level: str) -> str:
    if level not in by_level.index:
        return "–"
    fit = by_level.loc[level]
    flag = "" if bool(fit["converged"]) else " (not converged)"
    return f"{float(fit['icc']):.2f}{flag}"


def icc_gini_context(state: ReportState) -> dict[str, Any] | None:
    """ICC (ITL1, ITL3) and the Gini's between/within/overlap split of each indicator's latest
    period, beside its Theil T between share; ``None`` when neither table was passed
    (``extra["icc"]``, ``extra["decomposition"]``)."""
    icc = state.inputs.extra.get("icc")
    dec = state.inputs.extra.get("decomposition")
    summary = state.inputs.summary
    if icc is None or dec is None or summary.empty:
        return None
    between_header = f"{measure_label(summary_measure(summary))} between share"
    rows = []
    for row in summary.itertuples(index=False):
        own = icc[(icc["indicator"] == row.indicator) & (icc["period"] == row.period)]
        by_level = own.set_index("level") if not own.empty else pd.DataFrame()
        gini = dec[
            (dec["indicator"] == row.indicator)
            & (dec["period"] == row.period)
            & (dec["measure"] == "gini")
            & (dec["weighting"] == ("unweighted" if row.weight_basis == "equal" else "weighted"))
            & (dec["level"] == "itl1")
        ]

        g = gini.iloc[0] if not gini.empty else None
        rows.append(
            {
                "Indicator": row.title,
                "Period": row.period_label,
                between_header: _pct(row.between_share),
                "ICC, ITL1": _icc_text(by_level, "itl1"),
                "ICC, ITL3": _icc_text(by_level, "itl3"),
                "Gini": "" if g is None else f"{float(g['total']):.3f}",
                "Gini between": "" if g is None else _pct(g["between"] / g["total"]),
                "Gini within": "" if g is None else _pct(g["within"] / g["total"]),
                "Gini overlap": "" if g is None else _pct(g["overlap"] / g["total"]),
            }
        )
    table = pd.DataFrame(rows)
    return {
        "table": table_context(
            table,
            caption=(
                "Three views of the same split, latest period: the "
                f"{measure_label(summary_measure(summary))} between share (weighted by the "
                "weight basis), the ICC of a random-intercept model with "
                "areas grouped by ITL1 region and by ITL3 area (every area equal; "
                "results/tables/icc.csv), and the Gini (weighted) split into between, within "
                "and overlap parts (results/tables/decomposition.csv, measure gini)."
            ),
            numeric=[c for c in table.columns if c not in ("Indicator", "Period")],
        )
    }


def cite_context(state: ReportState) -> dict[str, Any]:
    numbers = state.numbers
    figures = pd.DataFrame(
        {
            "Figure": [f"Figure {numbers[e.key]}" for e in state.catalogue],
            "Title": [e.title for e in state.catalogue],
            "PNG": [e.png for e in state.catalogue],
            "SVG": [e.svg for e in state.catalogue],
        }
    )
    tables = None
    if state.inputs.tables:
        tables = table_context(
            pd.DataFrame({"Table file": list(state.inputs.tables)}), caption="Tables"
        )
    commit = state.inputs.commit
    return {
        "authors": CITATION_AUTHORS,
        "title": CITATION_TITLE,
        "version": state.version,
        "commit": commit,
        "commit_known": commit != "unknown",
        "data_retrieved": state.inputs.data_retrieved,
        "figures": table_context(figures, caption="Figures and their stable paths"),
        "tables": tables,
    }


#: The report's sections, in page order. Insert new ones where they belong in the story.
SECTIONS: list[Section] = [
    Section("question", "The question", "sections/question.html.j2", no_context),
    Section("key-findings", "Key findings", "sections/key_findings.html.j2", key_findings_context),
    Section(
        "missions",
        "Mission scorecard: regional lens vs local lens",
        "sections/missions.html.j2",
        missions_context,
    ),
    Section("data", "Data and sources", "sections/data.html.j2", data_context),
    Section("method", "Method", "sections/method.html.j2", no_context),
    Section("findings", "Findings by indicator", "sections/findings.html.j2", findings_context),
    Section(
        "spatial",
        "Spatial structure: do lagging places cluster across regional borders?",
        "sections/spatial.html.j2",
        spatial_context,
    ),
    Section(
        "targets",
        "Targets for high performers",
        "sections/targets.html.j2",
        targets_context,
    ),
    Section("tables", "Tables", "sections/tables.html.j2", tables_context),
    Section("codebook", "Codebook of the tables", "sections/codebook.html.j2", codebook_context),
    Section(
        "icc-gini", "What the ICC and the Gini add", "sections/icc_gini.html.j2", icc_gini_context
    ),
    Section("limitations", "Limitations", "sections/limitations.html.j2", no_context),
    Section("cite", "How to cite", "sections/cite.html.j2", cite_context),
]
