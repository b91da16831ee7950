"""The HTML report (``results/report/index.html``): one self-contained page that people cite.

:func:`build_report` assembles the page from results tables and the figure catalogue (:mod:`localineq.outputs.figure_catalogue`): plain HTML
with inline CSS, no scripts and no network resources; images are referenced by relative path
(``../figures/x.png``) so the ``results/`` folder can be moved or archived as a whole.

The page is deterministic: it contains no dates or run times, only values derived from its
inputs, so two runs on the same inputs give byte-identical files.
"""

from __future__ import annotations

import html
import math
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from localineq.outputs.area_tables import MASKED_KINDS
from localineq.outputs.figure_catalogue import (
    FigureEntry,
    figure_catalogue,
    headline_indicators,
    weight_phrase,
)
from localineq.outputs.tables import format_interval, summary_display

REPORT_PATH = "results/report/index.html"

LICENCE_NAMES = {
    "OGL-UK-3.0": "Open Government Licence v3.0",
}
LICENCE_URLS = {
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}


# ---------------------------------------------------------------------------------------------
# HTML pieces
# ---------------------------------------------------------------------------------------------
CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 4rem; line-height: 1.55; }
h1 { font-size: 1.7rem; line-height: 1.25; margin-bottom: 0.3rem; }
h2 { font-size: 1.3rem; margin-top: 2.4rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem; }
h3 { font-size: 1.1rem; margin-top: 1.8rem; }
p.lede { font-size: 1.08rem; color: #333; }
nav ol { columns: 2; font-size: 0.95rem; }
figure { margin: 1.5rem 0; padding: 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; color: #333; margin-top: 0.4rem; }
figcaption .path { font-family: "DejaVu Sans Mono", monospace; font-size: 0.82rem; color: #555; }
table { border-collapse: collapse; font-size: 0.86rem; margin: 1rem 0; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.45rem; text-align: left; vertical-align: top; }
th { background: #f3f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .formula { font-family: "DejaVu Sans Mono", monospace; }
.formula { display: block; background: #f7f7f7; padding: 0.5rem 0.8rem; margin: 0.6rem 0;
           overflow-x: auto; font-size: 0.92rem; }
.note { font-size: 0.88rem; color: #444; }
.key { background: #eef4fa; border-left: 4px solid #1b6ca8; padding: 0.6rem 0.9rem; }
footer { margin-top: 3rem; font-size: 0.82rem; color: #555; border-top: 1px solid #ccc; }
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _relative(target: str, start: str) -> str:
    """POSIX relative path from directory ``start`` to ``target`` (both repository-relative)."""
    return posixpath.relpath(target, start)


def figure_html(entry: FigureEntry, *, report_dir: str, number: int) -> str:
    """One ``<figure>`` with its image (relative path), caption and stable, citable paths."""
    src = _relative(entry.png, report_dir)
    svg = _relative(entry.svg, report_dir)
    return (
        f'<figure id="fig-{_e(entry.key)}">\n'
        f'<img src="{_e(src)}" alt="{_e(entry.alt or entry.title)}">\n'
        f"<figcaption><strong>Figure {number}. {_e(entry.title)}.</strong> {_e(entry.caption)} "
        f'<span class="path">File: <a href="{_e(src)}">{_e(entry.png)}</a> '
        f'(<a href="{_e(svg)}">SVG</a>).</span></figcaption>\n'
        "</figure>"
    )


def table_html(
    frame: pd.DataFrame, *, caption: str | None = None, numeric: Sequence[str] = ()
) -> str:
    """A plain HTML table (strings escaped; ``numeric`` columns right-aligned)."""
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, row, strict=True):
            text = (
                "" if value is None or (isinstance(value, float) and math.isnan(value)) else value
            )
            css = ' class="num"' if column in numeric else ""
            cells.append(f"<td{css}>{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{_e(caption)}</caption>" if caption else ""
    return (
        f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>\n"
        + "\n".join(rows)
        + "\n</tbody></table>"
    )


def _licence(text: str) -> str:
    parts = []
    for token, name in LICENCE_NAMES.items():
        if token in text:
            parts.append(f'<a href="{LICENCE_URLS[token]}">{_e(name)}</a>')
            text = text.replace(token, "").strip(" ;,")
    rest = _e(text) if text else ""
    return "; ".join([*parts, rest] if rest else parts)


def sources_html(sources: Mapping[str, Mapping[str, Any]], used: Sequence[str]) -> str:
    """Table of the raw sources used, with publisher, licence, link and pinned hash."""
    rows = []
    for key in used:
        if key not in sources:
            continue
        src = sources[key]
        url = src.get("url") or src.get("landing_page") or ""
        link = f'<a href="{_e(url)}">{_e(src.get("filename") or key)}</a>' if url else _e(key)
        if not str(url).startswith("http"):
            link = f"{_e(src.get('filename') or key)} ({_e(url)})"
        rows.append(
            "<tr>"
            f"<td>{_e(src.get('description', key))}</td>"
            f"<td>{_e(src.get('publisher', ''))}</td>"
            f"<td>{_licence(str(src.get('licence', '')))}</td>"
            f'<td>{link}<br><span class="note">sha256 {_e(str(src.get("sha256", ""))[:16])}…</span></td>'
            "</tr>"
        )
    return (
        "<table><thead><tr><th>Data</th><th>Publisher</th><th>Licence</th><th>File (pinned)</th>"
        "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def used_sources(config: Mapping[str, Any], sources: Mapping[str, Any]) -> list[str]:
    """Source keys the analysis uses: each indicator's source, then geography and weights."""
    keys = [str(spec["source"]) for spec in config["indicators"].values()]
    supporting = [
        "els_boundaries_topojson",
        "lad23_itl_lookup",
        "regional_gdp_la_workbook",
        "mid2022_population_by_age",
        "la_code_changes",
        "ltla_lookup_2014",
        "imd2019_scores_mysociety",
        "imd2019_file1",
        "imd2019_file6",
    ]
    ordered = []
    for key in [*keys, *supporting]:
        if key in sources and key not in ordered:
            ordered.append(key)
    return ordered


METHOD_HTML = """
<p>Each indicator is analysed for the local authorities of the United Kingdom on April 2023
boundaries (LAD23; older codes harmonised), grouped into the twelve ITL1 regions (the nine
English regions, Wales, Scotland and Northern Ireland). Write <var>y<sub>i</sub></var> for the
value of area <var>i</var>, <var>p<sub>i</sub></var> for its weight (the population the indicator describes:
all residents, residents aged 16-64, children, … as declared in the configuration), <var>w<sub>i</sub></var> = <var>p<sub>i</sub></var> / Σ
<var>p</var>, the mean <var>μ</var> = Σ <var>w<sub>i</sub> y<sub>i</sub></var>, and for a region
<var>g</var> its weight share <var>v<sub>g</sub></var> = Σ<sub><var>i</var>∈<var>g</var></sub>
<var>w<sub>i</sub></var>, mean <var>μ<sub>g</sub></var> and income share
<var>s<sub>g</sub></var> = <var>v<sub>g</sub> μ<sub>g</sub></var> / <var>μ</var>.</p>
<p><strong>Theil T</strong> (the headline measure) splits exactly into a part between regions
and a part within them:</p>
<span class="formula">T = Σ<sub>i</sub> w<sub>i</sub> (y<sub>i</sub>/μ) ln(y<sub>i</sub>/μ)
= Σ<sub>g</sub> s<sub>g</sub> ln(μ<sub>g</sub>/μ) [between] + Σ<sub>g</sub> s<sub>g</sub>
T<sub>g</sub> [within]</span>
<p><strong>Mean log deviation</strong> (Theil L) weights the within part by population shares
instead:</p>
<span class="formula">L = Σ<sub>i</sub> w<sub>i</sub> ln(μ/y<sub>i</sub>) = Σ<sub>g</sub>
v<sub>g</sub> ln(μ/μ<sub>g</sub>) + Σ<sub>g</sub> v<sub>g</sub> L<sub>g</sub></span>
<p><strong>Variance</strong>: Σ<sub>i</sub> w<sub>i</sub>(y<sub>i</sub> − μ)² = Σ<sub>g</sub>
v<sub>g</sub>(μ<sub>g</sub> − μ)² + Σ<sub>g</sub> v<sub>g</sub> V<sub>g</sub>; its between share
is the weighted R² of region dummies. Theil T and MLD need positive values and refuse others;
no constant is ever added.</p>
<p>The <strong>between share</strong> = between / total is the fraction of the inequality between
local authorities that regional averages can see; <strong>1 − between share</strong> is invisible
in them. <em>Weighted</em> results treat every resident equally; <em>unweighted</em> results
treat every local authority equally (and can differ markedly, since small districts and large
cities count the same).</p>
<p>The <strong>localisation profile</strong> nests the same decomposition over ITL1 ⊃ ITL2 ⊃
ITL3 ⊃ LA: T = B<sub>ITL1</sub> + B<sub>ITL2</sub> + B<sub>ITL3</sub> + W<sub>ITL3</sub>, with
each B the between-group part inside the next coarser level.</p>
<p><strong>Uncertainty.</strong> Bootstrap intervals resample local authorities with
replacement within each region (a stratified bootstrap, percentile 95% intervals, fixed seed);
they show how much the split depends on the particular areas in each region. Percentile
intervals need not be symmetric: resampling inflates the between-region component of small
regions, so the intervals tend to sit above the point estimate; the <code>bias</code> column of
<code>results/tables/decomposition_uncertainty.csv</code> (mean draw − estimate) says by how
much. Read them as sensitivity ranges rather than bias-corrected confidence intervals. A second
simulation draws each area's value from its published 95% interval (sampling error of
survey-based estimates such as the Annual Population Survey). A permutation test (region labels
shuffled) gives the probability of a between share this large if regions did not matter.</p>
"""

LIMITATIONS_HTML = """
<ul>
<li><strong>Sampling error.</strong> Several indicators are survey estimates (Annual Population
Survey, ASHE) with wide intervals in small authorities; some of the apparent within-region
spread is noise. The measurement-error simulation in
<code>results/tables/decomposition_uncertainty.csv</code> quantifies this; noise inflates total
and within-region inequality, so between shares are, if anything, understated by it.</li>
<li><strong>Boundary changes.</strong> Local government reorganisations (e.g. the 2019–2023
mergers in Dorset, Suffolk, Somerset, Cumbria, North Yorkshire) change the units. Older series
are harmonised to 2023 codes: exact for counts, population-weighted for rates, which smooths the
merged areas' past variation.</li>
<li><strong>The modifiable areal unit problem.</strong> Local authorities are one zoning of many.
Finer units (wards, LSOAs) almost always reveal more within-region inequality, coarser ones less;
the shares here are specific to LAD23 and ITL1 and are lower bounds on how much regional
averages hide about neighbourhoods.</li>
<li><strong>Coverage.</strong> Some indicators cover only England or Great Britain, or are
published for upper-tier areas (counties); the number of areas analysed is given for each.
Missing values are counted, never imputed.</li>
<li><strong>Weights.</strong> Weighted results use the published population nearest the
reference year; a different base (e.g. working-age residents) changes the weighted shares.</li>
<li><strong>Description, not cause.</strong> The decompositions describe where inequality sits;
they do not explain it.</li>
</ul>
"""


def _findings_paragraph(row: pd.Series, weighting: str) -> str:
    between = format_interval(
        row["between_share"], row["between_share_lower"], row["between_share_upper"]
    )
    within = f"{100 * (1 - row['between_share']):.0f}%"
    text = (
        f"For {_e(row['period_label'])} ({int(row['n_areas'])} areas), "
        f"<strong>{_e(between)}</strong> of the inequality (Theil T, {_e(weighting)}) in "
        f"{_e(str(row['title']).lower())} lay between the ITL1 regions, so "
        f"<strong>{within}</strong> lay within them, invisible in regional averages."
    )
    unweighted = row.get("between_share_unweighted")
    if row["weighting"] != "unweighted" and unweighted is not None and not math.isnan(unweighted):
        text += (
            " Counting every local authority once, the between share is "
            f"{_e(format_interval(unweighted, row['between_share_unweighted_lower'], row['between_share_unweighted_upper']))}."
        )
    return f"<p>{text}</p>"


def _lsoa_paragraph(profile: pd.DataFrame | None) -> str:
    """Key finding of the LSOA profile: the share between LSOAs inside local authorities."""
    text = (
        "<p>Below local authorities lie neighbourhoods. For the English Indices of Deprivation "
        "2019, published for 32,844 LSOAs, the same nested decomposition adds a final level: "
        "inequality between LSOAs inside the same local authority, invisible in any LA-level "
        "statistic."
    )
    if profile is None or profile.empty:
        return text + "</p>"
    within = profile[
        (profile["level"] == "within lad23")
        & (profile["measure"] == "theil_t")
        & (profile["weighting"] == "population")
    ].set_index("indicator")["share"]
    names = {"imd_score": "the IMD score", "income_rate": "the income-deprivation rate"}
    found = [f"{100 * within[k]:.0f}% for {v}" for k, v in names.items() if k in within.index]
    if found:
        text += (
            " Of the inequality between LSOAs (Theil T, population-weighted), "
            f"<strong>{' and '.join(found)}</strong> lies between neighbourhoods within the "
            "same local authority (results/tables/lsoa_profile.csv)."
        )
    return text + "</p>"


def _masked_html(masked: pd.DataFrame, indicator: str, n: int = 6) -> str:
    part = masked[masked["indicator"] == indicator]
    if part.empty:
        return ""
    out = []
    for kind, description in MASKED_KINDS.items():
        rows = part[part["kind"] == kind]
        if rows.empty:
            continue
        names = [
            f"{_e(r.area_name)} ({_e(str(r.itl1_name).replace(' (England)', ''))})"
            for r in rows.head(n).itertuples()
        ]
        more = f" and {len(rows) - n} more" if len(rows) > n else ""
        out.append(
            f"<li><strong>{len(rows)}</strong> area(s) {_e(description)}: "
            f"{', '.join(names)}{more}.</li>"
        )
    return '<ul class="note">' + "\n".join(out) + "</ul>" if out else ""


@dataclass
class ReportInputs:
    """Everything :func:`build_report` needs, already loaded."""

    config: Mapping[str, Any]
    sources: Mapping[str, Mapping[str, Any]]
    summary: pd.DataFrame
    masked: pd.DataFrame
    top_bottom: pd.DataFrame
    profile: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None
    lsoa_profile: pd.DataFrame | None = None
    notebooks: Sequence[str] = field(default_factory=list)
    tables: Sequence[str] = field(default_factory=list)


def package_version() -> str:
    """Installed version of localineq (``"unknown"`` when not installed)."""
    try:
        return metadata.version("localineq")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_report(inputs: ReportInputs, *, report_path: str = REPORT_PATH) -> str:
    """The report as an HTML string (deterministic for given inputs).

    Parameters
    ----------
    inputs
        Loaded tables and config (see :class:`ReportInputs`).
    report_path
        Repository-relative path the page will be written to; figure, table and notebook
        links are made relative to its folder.
    """
    config = inputs.config
    specs = config["indicators"]
    headline = headline_indicators(config)
    report_cfg = dict(config.get("report", {}))
    title = report_cfg.get(
        "title", "How much of the inequality between UK places is invisible in regional averages?"
    )
    report_dir = posixpath.dirname(report_path)
    weight_bases = config.get("weight_bases")
    catalogue = figure_catalogue(specs, headline, weight_bases)
    numbers = {entry.key: i + 1 for i, entry in enumerate(catalogue)}
    summary = inputs.summary
    version = package_version()

    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en-GB">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="note">localineq {_e(version)} — a reproducible pipeline on official UK '
        "data. Every number and figure below is produced by <code>snakemake</code> from pinned "
        "public files.</p>",
        "</header>",
        "<nav><h2>Contents</h2><ol>"
        '<li><a href="#question">The question</a></li>'
        '<li><a href="#key-findings">Key findings</a></li>'
        '<li><a href="#data">Data and sources</a></li>'
        '<li><a href="#method">Method</a></li>'
        '<li><a href="#findings">Findings by indicator</a></li>'
        '<li><a href="#tables">Tables</a></li>'
        '<li><a href="#limitations">Limitations</a></li>'
        '<li><a href="#cite">How to cite</a></li>'
        "</ol></nav>",
        '<section id="question"><h2>The question</h2>',
        '<p class="lede">Levelling-up metrics and targets are mostly published for regions. If '
        "most of the difference between places lies <em>within</em> regions — between "
        "neighbouring local authorities — then regional averages miss it, and a region can meet "
        "its target while its poorest places fall further behind. How much of the inequality "
        "between local authorities is visible in regional averages, and how much is hidden "
        "inside them?</p></section>",
    ]

    # Key findings
    parts.append('<section id="key-findings"><h2>Key findings</h2>')
    if not summary.empty:
        within = 1 - summary["between_share"]
        majority = int((within > 0.5).sum())
        parts.append(
            '<div class="key"><p>'
            f"For <strong>{majority} of {len(summary)}</strong> indicators most of the "
            "inequality between local authorities lies <em>within</em> ITL1 regions "
            f"(median within-region share {100 * within.median():.0f}%, range "
            f"{100 * within.min():.0f}–{100 * within.max():.0f}%; Theil T, latest period).</p>"
            "</div>"
        )
    for key in ("shares", "trend", "profile"):
        entry = next(e for e in catalogue if e.key == key)
        if key == "profile" and (inputs.profile is None or inputs.profile.empty):
            continue
        parts.append(figure_html(entry, report_dir=report_dir, number=numbers[key]))
    parts.append('<h3 id="neighbourhoods">Neighbourhoods (LSOAs, England)</h3>')
    parts.append(_lsoa_paragraph(inputs.lsoa_profile))
    parts.append(
        figure_html(
            next(e for e in catalogue if e.key == "lsoa_profile"),
            report_dir=report_dir,
            number=numbers["lsoa_profile"],
        )
    )
    parts.append("</section>")

    # Data
    parts.append('<section id="data"><h2>Data and sources</h2>')
    parts.append(
        "<p>All inputs are official statistics downloaded from pinned URLs (or taken from a "
        "byte-identical mirror) and checked against their SHA-256 hashes before use. "
        "Indicators come from the ONS Explore Local Statistics data repository; boundaries from "
        "the ONS Explore Local Statistics app; the LAD → ITL lookup from the ONS Open Geography "
        "Portal; population weights from ONS mid-year estimates. Contains public sector "
        "information licensed under the Open Government Licence v3.0. Maps contain OS data © "
        "Crown copyright and database right.</p>"
    )
    parts.append(sources_html(inputs.sources, used_sources(config, inputs.sources)))
    indicator_rows = pd.DataFrame(
        {
            "Key": list(specs),
            "Indicator": [s["title"] for s in specs.values()],
            "Unit": [s["unit"] for s in specs.values()],
            "Polarity": [
                "higher is better" if s["higher_is_better"] else "lower is better"
                for s in specs.values()
            ],
            "Weight": [s.get("weight", "") for s in specs.values()],
        }
    )
    parts.append(table_html(indicator_rows, caption="Indicators analysed (config/config.yaml)"))
    parts.append("</section>")

    # Method
    parts.append(f'<section id="method"><h2>Method</h2>{METHOD_HTML}</section>')

    # Findings per indicator
    parts.append('<section id="findings"><h2>Findings by indicator</h2>')
    by_key = summary.set_index("indicator") if not summary.empty else pd.DataFrame()
    for key in headline:
        spec = specs[key]
        parts.append(f'<h3 id="ind-{_e(key)}">{_e(spec["title"])}</h3>')
        if key in by_key.index:
            parts.append(_findings_paragraph(by_key.loc[key], weight_phrase(spec, weight_bases)))
        parts.append(_masked_html(inputs.masked, key))
        for entry in catalogue:
            if entry.indicator == key:
                parts.append(figure_html(entry, report_dir=report_dir, number=numbers[entry.key]))
    others = [k for k in specs if k not in headline and k in by_key.index]
    if others:
        parts.append("<h3>Other indicators</h3>")
        parts.extend(
            _findings_paragraph(by_key.loc[k], weight_phrase(specs[k], weight_bases))
            for k in others
        )
    parts.append("</section>")

    # Tables
    parts.append('<section id="tables"><h2>Tables</h2>')
    if not summary.empty:
        parts.append(
            table_html(
                summary_display(summary),
                caption=(
                    "Table 1. Between- and within-region shares of inequality between local "
                    "authorities (Theil T, latest period), with 95% bootstrap intervals."
                ),
                numeric=["LAs", "Theil T (weighted)"],
            )
        )
    if not inputs.masked.empty:
        shown = inputs.masked[inputs.masked["indicator"].isin(headline)]
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
                "Value": shown["value"].map(lambda v: f"{v:,.1f}"),
                "Region average": shown["region_mean"].map(lambda v: f"{v:,.1f}"),
            }
        )
        parts.append(
            table_html(
                display,
                caption=(
                    "Table 2. Masked local authorities for the headline indicators: in the "
                    "worst national fifth while their region is at or better than the UK "
                    "average, or in the best fifth while their region is worse (all "
                    "indicators: results/tables/masked_las.csv)."
                ),
                numeric=["Value", "Region average"],
            )
        )
    if inputs.tables:
        links = "".join(
            f'<li><a href="{_e(_relative(t, report_dir))}">{_e(t)}</a></li>' for t in inputs.tables
        )
        parts.append(f"<p>Tables as files:</p><ul>{links}</ul>")
    if inputs.notebooks:
        links = "".join(
            f'<li><a href="{_e(_relative(n, report_dir))}">{_e(n)}</a></li>'
            for n in inputs.notebooks
        )
        parts.append(f"<p>Executed notebooks with the full analysis:</p><ul>{links}</ul>")
    parts.append("</section>")

    # Limitations
    parts.append(f'<section id="limitations"><h2>Limitations</h2>{LIMITATIONS_HTML}</section>')

    # How to cite
    parts.append('<section id="cite"><h2>How to cite</h2>')
    parts.append(
        f"<p>Cite the pipeline as: <em>localineq contributors, localineq {_e(version)}: how "
        "much of the inequality between UK places is invisible in regional averages?</em>, "
        "together with the underlying ONS sources above (Open Government Licence v3.0). File "
        "names are stable across runs: cite a figure or table by its path.</p>"
    )
    rows = pd.DataFrame(
        {
            "Figure": [f"Figure {numbers[e.key]}" for e in catalogue],
            "Title": [e.title for e in catalogue],
            "PNG": [e.png for e in catalogue],
            "SVG": [e.svg for e in catalogue],
        }
    )
    parts.append(table_html(rows, caption="Figures and their stable paths"))
    if inputs.tables:
        parts.append(
            table_html(pd.DataFrame({"Table file": list(inputs.tables)}), caption="Tables")
        )
    parts.append("</section>")
    parts.append(
        "<footer><p>Generated by localineq from config/config.yaml and config/sources.yaml. "
        "Source: Office for National Statistics and other public bodies as listed; Open "
        "Government Licence v3.0. Contains OS data © Crown copyright and database right.</p>"
        "</footer>"
    )
    parts += ["</body>", "</html>", ""]
    return "\n".join(p for p in parts if p)


def referenced_images(page: str) -> list[str]:
    """``src`` values of every ``<img>`` in an HTML page, in order."""
    from html.parser import HTMLParser

    found: list[str] = []

    class _Images(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "img":
                src = dict(attrs).get("src")
                if src:
                    found.append(src)

    _Images().feed(page)
    return found


def missing_images(report: str | os.PathLike) -> list[str]:
    """Images a written report references that do not exist (relative to its folder)."""
    path = Path(report)
    page = path.read_text(encoding="utf-8")
    return [src for src in referenced_images(page) if not (path.parent / src).is_file()]


def write_report(page: str, path: str | os.PathLike) -> None:
    """Write the page as UTF-8 with ``\\n`` line ends; fail if any image is missing."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(page, encoding="utf-8", newline="\n")
    missing = missing_images(target)
    if missing:
        raise FileNotFoundError(f"report {target} references missing images: {missing}")
