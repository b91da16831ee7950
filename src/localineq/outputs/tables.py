"""Citable table files: the decomposition summary, masked and best/worst local authorities as
CSV, Markdown and LaTeX.

Writers :func:`to_markdown` and :func:`to_latex` are deterministic (no dates, fixed number
formats) so reruns give byte-identical files. The tables themselves are computed in
:mod:`localineq.analysis.area_tables`, :mod:`localineq.analysis.decomposition_tables` and
:mod:`localineq.analysis.profile_tables`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from localineq.analysis.area_tables import (
    Specs,
    coverage_label,
    masked_areas,
    read_indicator_tables,
    top_bottom,
)
from localineq.analysis.decomposition_tables import decomposition_summary
from localineq.data.atomic import to_csv, write_text
from localineq.outputs.measure_labels import correction_label, measure_label, table_measure


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------
def _cell(value: Any, decimals: int) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}" if abs(int(value)) >= 10000 else str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):,.{decimals}f}"
    return str(value)


def to_markdown(
    frame: pd.DataFrame,
    *,
    decimals: int | Mapping[str, int] = 3,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A GitHub-flavoured Markdown pipe table (numbers right-aligned, fixed decimals).

    >>> print(to_markdown(pd.DataFrame({"a": ["x"], "b": [0.12345]}), decimals=2), end="")
    | a | b |
    |:--|--:|
    | x | 0.12 |
    """
    headers = dict(headers or {})
    columns = list(frame.columns)

    def places(column: str) -> int:
        return decimals.get(column, 3) if isinstance(decimals, Mapping) else decimals

    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in columns
    ]
    head = "| " + " | ".join(headers.get(c, c).replace("|", "\\|") for c in columns) + " |"
    rule = "|" + "|".join("--:" if n else ":--" for n in numeric) + "|"
    lines = [head, rule]
    for row in frame.itertuples(index=False):
        cells = [_cell(v, places(c)).replace("|", "\\|") for c, v in zip(columns, row, strict=True)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "£": r"\pounds{}",
    "–": "--",
    "−": "$-$",
}


def latex_escape(text: str) -> str:
    r"""Escape LaTeX special characters.

    >>> latex_escape("50% of £_x")
    '50\\% of \\pounds{}\\_x'
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def to_latex(
    frame: pd.DataFrame,
    *,
    caption: str,
    label: str,
    decimals: int | Mapping[str, int] = 3,
    headers: Mapping[str, str] | None = None,
) -> str:
    """A ``booktabs`` LaTeX table (``table`` float with caption and label), deterministic."""
    headers = dict(headers or {})
    columns = list(frame.columns)

    def places(column: str) -> int:
        return decimals.get(column, 3) if isinstance(decimals, Mapping) else decimals

    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in columns
    ]
    align = "".join("r" if n else "l" for n in numeric)
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{latex_escape(caption)}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{{align}}}",
        r"\toprule",
        " & ".join(latex_escape(headers.get(c, c)) for c in columns) + r" \\",
        r"\midrule",
    ]
    for row in frame.itertuples(index=False):
        cells = [latex_escape(_cell(v, places(c))) for c, v in zip(columns, row, strict=True)]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def format_interval(estimate: float, lower: float, upper: float, *, percent: bool = True) -> str:
    """``"34% (28–41%)"`` style text; the interval is omitted when missing.

    >>> format_interval(0.3412, 0.28, 0.41), format_interval(0.5, float("nan"), float("nan"))
    ('34% (28–41%)', '50%')
    """
    if estimate is None or (isinstance(estimate, float) and math.isnan(estimate)):
        return "–"
    if percent:
        text = f"{100 * estimate:.0f}%"
        if not (math.isnan(lower) or math.isnan(upper)):
            text += f" ({100 * lower:.0f}–{100 * upper:.0f}%)"
        return text
    text = f"{estimate:.3f}"
    if not (math.isnan(lower) or math.isnan(upper)):
        text += f" ({lower:.3f}–{upper:.3f})"
    return text


def format_value(value: float, unit: str) -> str:
    """A value written as its unit asks: currency with separators, years with one decimal,
    percentages with a % sign, rates per 100,000 as whole numbers with separators.

    >>> format_value(19338.0, "£ per head"), format_value(728.5, "£ per week")
    ('£19,338', '£728.50')
    >>> format_value(54.04, "years"), format_value(73.15, "%"), format_value(6.91, "ratio")
    ('54.0', '73.2%', '6.91')
    >>> format_value(3456.7, "per 100,000 population"), format_value(float("nan"), "%")
    ('3,457', '')
    """
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    v = float(value)
    unit = str(unit)
    if unit.startswith("£"):
        return f"£{v:,.0f}" if abs(v) >= 1000 else f"£{v:,.2f}"
    if unit == "years":
        return f"{v:.1f}"
    if unit == "%":
        return f"{v:.1f}%"
    if unit.startswith("per "):
        return f"{v:,.0f}"
    return f"{v:,.2f}"


def format_values(frame: pd.DataFrame, columns: Sequence[str], unit: str = "unit") -> pd.DataFrame:
    """``frame`` with ``columns`` written by :func:`format_value` in each row's ``unit``."""
    out = frame.copy()
    for column in columns:
        out[column] = [format_value(v, u) for v, u in zip(frame[column], frame[unit], strict=True)]
    return out


def summary_total_header(summary: pd.DataFrame) -> str:
    """Header of the summary's total column, named after the table's measure ("Theil T, weighted")."""
    measure = table_measure(summary["measure"]) if "measure" in summary else "theil_t"
    return f"{measure_label(measure, capital=True)}, weighted"


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """Human-readable version of :func:`decomposition_summary` for Markdown/LaTeX/HTML.

    Shares are percentages with their 95% confidence interval (BCa bootstrap) in brackets;
    ``Coverage`` names the nations and number of regions of each indicator. The share net of
    sampling noise (signal only) is given where the source publishes 95% intervals, with its
    stratified-bootstrap interval. The last column, the weighted total, is headed by the
    summary's measure (:func:`summary_total_header`).
    """
    return pd.DataFrame(
        {
            "Indicator": summary["title"],
            "Period": [
                f"{label} ({note})" if isinstance(note, str) and note else label
                for label, note in zip(
                    summary["period_label"],
                    summary.get("period_note", pd.Series("", index=summary.index)),
                    strict=True,
                )
            ],
            "Coverage": [
                coverage_label(n, r)
                for n, r in zip(summary["nations"], summary["n_regions"], strict=True)
            ],
            "Areas": summary["n_areas"].astype(int),
            "Weight basis": summary["weight_basis"],
            "Between regions, weighted (95% CI)": [
                format_interval(r.between_share, r.between_share_ci_lower, r.between_share_ci_upper)
                for r in summary.itertuples()
            ],
            "Within regions, weighted": [
                f"{100 * (1 - r.between_share):.0f}%" for r in summary.itertuples()
            ],
            "Between regions, net of sampling noise (95% CI)": [
                format_interval(
                    r.between_share_corrected,
                    r.between_share_corrected_lower,
                    r.between_share_corrected_upper,
                )
                if r.se_source == "published 95% interval"
                else "no published error"
                for r in summary.itertuples()
            ],
            "Between regions, unweighted (95% CI)": [
                format_interval(
                    r.between_share_unweighted,
                    r.between_share_unweighted_ci_lower,
                    r.between_share_unweighted_ci_upper,
                )
                for r in summary.itertuples()
            ],
            summary_total_header(summary): summary["total"].round(5),
        }
    )


# ---------------------------------------------------------------------------------------------
# Reading inputs, writing the citable tables


def summary_caption(measure: str = "theil_t") -> str:
    """Caption of the summary table (LaTeX), naming ``measure``."""
    return SUMMARY_CAPTION_TEMPLATE.format(
        measure=measure_label(measure), correction=correction_label(measure)
    )


SUMMARY_CAPTION_TEMPLATE = (
    "Share of the inequality between areas ({measure}, latest period) that lies between ITL1 "
    "regions, weighted by each indicator's weight basis and unweighted, with 95% confidence "
    "intervals (BCa bootstrap). Coverage differs (UK 12 regions, GB 11, England and Wales 10, "
    "England 9), so the shares are not of the same whole. Net of sampling noise: the share of "
    "the signal where ONS publishes 95% intervals ({correction}, percentile interval of a stratified "
    "bootstrap). Source: ONS; Open Government Licence v3.0."
)

MASKED_DISPLAY_HEADERS = {
    "title": "Indicator",
    "period_label": "Period",
    "kind": "Kind",
    "area_name": "Area",
    "itl1_name": "Region",
    "value": "Value",
    "region_reference": "Region reference",
    "national_reference": "UK reference",
    "reference": "Reference",
    "significant": "Interval excludes region",
    "persistence": "Masked in last periods",
    "unit": "Unit",
}
TOP_BOTTOM_DISPLAY_HEADERS = {
    "title": "Indicator",
    "period_label": "Period",
    "group": "Group",
    "rank": "Rank",
    "area_name": "Area",
    "itl1_name": "Region",
    "value": "Value",
    "unit": "Unit",
}


def write_result_tables(
    *,
    decomposition: pd.DataFrame,
    uncertainty: pd.DataFrame | None,
    indicator_tables: Sequence[str],
    specs: Specs,
    outputs: Mapping[str, str],
    measure: str = "theil_t",
    top_n: int = 5,
    references: Mapping[str, str] | None = None,
    persistence_periods: int = 5,
) -> dict[str, int]:
    """Write the summary (CSV, Markdown, LaTeX), masked LAs and best/worst LAs (CSV, Markdown).

    ``outputs`` maps ``summary_csv, summary_md, summary_tex, masked_csv, masked_md,
    top_bottom_csv, top_bottom_md`` to paths. ``references`` gives each indicator's reference
    for the masked list (``"mean"`` or ``"median"``; default mean). Returns the number of rows
    of each table.
    """
    frame = read_indicator_tables(indicator_tables)
    summary = decomposition_summary(decomposition, specs, uncertainty=uncertainty, measure=measure)
    masked = masked_areas(
        frame, specs, reference=dict(references or {}), persistence_periods=persistence_periods
    )
    best_worst = top_bottom(frame, specs, n=top_n)
    csv = {"index": False, "float_format": "%.10g", "lineterminator": "\n"}
    to_csv(summary, outputs["summary_csv"], **csv)
    display = summary_display(summary)
    total = {summary_total_header(summary): 4}
    _write_text(outputs["summary_md"], to_markdown(display, decimals=total))
    _write_text(
        outputs["summary_tex"],
        to_latex(
            display,
            caption=summary_caption(measure),
            label="tab:decomposition-summary",
            decimals=total,
        ),
    )
    to_csv(masked, outputs["masked_csv"], **csv)
    masked_view = masked.assign(
        kind=masked["kind"].map(
            {"hidden_low": "worst fifth, region ≥ UK", "hidden_high": "best fifth, region < UK"}
        )
    )
    masked_view = masked_view.assign(
        significant=masked_view["significant"]
        .map({True: "yes", False: "no"})
        .where(masked_view["evidence"] == "interval", "no interval published"),
        persistence=masked_view["persistence"].astype(str)
        + " of "
        + masked_view["periods_checked"].astype(str),
    )[list(MASKED_DISPLAY_HEADERS)]
    masked_view = format_values(masked_view, ["value", "region_reference", "national_reference"])
    _write_text(
        outputs["masked_md"],
        to_markdown(masked_view, decimals=2, headers=MASKED_DISPLAY_HEADERS),
    )
    to_csv(best_worst, outputs["top_bottom_csv"], **csv)
    _write_text(
        outputs["top_bottom_md"],
        to_markdown(
            format_values(best_worst[list(TOP_BOTTOM_DISPLAY_HEADERS)], ["value"]),
            decimals=2,
            headers=TOP_BOTTOM_DISPLAY_HEADERS,
        ),
    )
    return {"summary": len(summary), "masked": len(masked), "top_bottom": len(best_worst)}


def _write_text(path: str, text: str) -> None:
    write_text(path, text)
