"""Citable figures. Every figure carries a caption-ready title and a source line, and is saved
deterministically (no timestamps, fixed SVG ids) as PNG and SVG."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd

from localineq.analysis.area_tables import coverage_label
from localineq.data.atomic import atomic_output, write_text
from localineq.outputs.measure_labels import measure_label, table_measure
from localineq.outputs.noise_figures import draw_corrected_shares

SOURCE_LINE = (
    "Source: ONS Explore Local Statistics; ONS population estimates (weights). "
    "Open Government Licence v3.0."
)
#: Attribution required for maps drawn from Ordnance Survey-derived boundaries.
OS_LINE = "Contains OS data © Crown copyright and database right."
PNG_DPI = 200


def format_number(value: float, decimals: int = 0) -> str:
    """Number with thousands separators and a fixed number of decimals.

    >>> format_number(21234.567), format_number(0.51234, 2)
    ('21,235', '0.51')
    """
    return f"{value:,.{decimals}f}"


def add_source_line(
    fig: plt.Figure, source: str | None = None, *, extra: str | None = None, y: float = -0.02
) -> None:
    """Write the source/licence line (and e.g. the OS attribution) under a figure."""
    text = source or SOURCE_LINE
    if extra:
        text = f"{text}\n{extra}"
    fig.text(0.01, y, text, fontsize=7, color="0.35", ha="left", va="top")


def add_source_note(
    ax: plt.Axes, source: str | None = None, *, extra: str | None = None, offset: float = -34
) -> None:
    """Source/licence line a fixed distance (points) below an axes, left-aligned to the figure.

    Unlike :func:`add_source_line` its position does not depend on the figure's height.
    """
    text = source or SOURCE_LINE
    if extra:
        text = f"{text}\n{extra}"
    ax.annotate(
        text,
        xy=(0.01, 0.0),
        xycoords=("figure fraction", "axes fraction"),
        xytext=(0, offset),
        textcoords="offset points",
        fontsize=7,
        color="0.35",
        ha="left",
        va="top",
    )


#: A path-data attribute (``d="..."``) and a decimal number in it.
_PATH_DATA = re.compile(r'(\sd=")([^"]*)(")')
_NUMBER = re.compile(r"-?\d+\.\d+")


def round_svg_paths(svg: str, decimals: int) -> str:
    """Round the coordinates in an SVG's path data (``d="..."``) to ``decimals`` places.

    Matplotlib writes path coordinates in points with six decimals; a map of many polygons is
    mostly those digits. Rounding changes nothing visible (0.1 pt is 0.04 mm) and keeps the
    file deterministic; nothing outside ``d`` attributes is touched.

    >>> round_svg_paths('<path d="M 1.234567 -0.04 L 10 2.95" x="1.23456"/>', 1)
    '<path d="M 1.2 0 L 10 3" x="1.23456"/>'
    """

    def _number(match: re.Match[str]) -> str:
        text = f"{float(match.group(0)):.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    def _path(match: re.Match[str]) -> str:
        return match.group(1) + _NUMBER.sub(_number, match.group(2)) + match.group(3)

    return _PATH_DATA.sub(_path, svg)


@contextmanager
def deferred_draws(fig: matplotlib.figure.Figure) -> Iterator[matplotlib.figure.Figure]:
    """Skip the renders geopandas asks for while a figure is being built.

    geopandas ends every ``GeoDataFrame.plot`` with ``canvas.draw_idle()``, which on the
    non-interactive Agg backend is a full render of the figure so far: a map built from n plot
    calls was rendered n times before :func:`save_figure` rendered it again (the target
    status map spent half its time there). Within this block ``draw_idle`` does nothing;
    saving renders the finished figure as before, byte for byte.
    """
    canvas = fig.canvas
    canvas.draw_idle = lambda *args, **kwargs: None  # an instance attribute over the method
    try:
        yield fig
    finally:
        del canvas.draw_idle


def save_figure(
    fig: plt.Figure,
    png: str | os.PathLike,
    svg: str | os.PathLike | None = None,
    *,
    svg_decimals: int | None = None,
    svg_filter: Callable[[str], str] | None = None,
) -> None:
    """Save PNG (≥200 dpi) and SVG with fixed metadata so reruns give identical bytes.

    ``svg_decimals`` rounds the SVG's path coordinates (:func:`round_svg_paths`); maps use it
    to stay small. ``svg_filter`` rewrites the SVG text last (linked maps resolve their links
    and tooltips, :func:`localineq.outputs.map_links.save_linked_map`); the PNG is the same.
    """
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context({"svg.hashsalt": "localineq", "svg.fonttype": "path"}):
        with atomic_output(png) as tmp:
            fig.savefig(tmp, dpi=PNG_DPI, metadata={"Software": None}, bbox_inches="tight")
        if svg is not None and svg_decimals is None and svg_filter is None:
            with atomic_output(svg) as tmp:
                fig.savefig(tmp, metadata={"Date": None, "Creator": None}, bbox_inches="tight")
        elif svg is not None:
            buffer = io.StringIO()
            fig.savefig(
                buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight"
            )
            text = buffer.getvalue()
            if svg_decimals is not None:
                text = round_svg_paths(text, svg_decimals)
            if svg_filter is not None:
                text = svg_filter(text)
            write_text(svg, text)
    plt.close(fig)


def weighted_group_means(frame: pd.DataFrame, group: str, weight: str | None) -> pd.Series:
    """Mean value per group, population-weighted when ``weight`` names a column."""
    if weight is None:
        return frame.groupby(group)["value"].mean()
    totals = (frame["value"] * frame[weight]).groupby(frame[group]).sum()
    return totals / frame.groupby(group)[weight].sum()


def dotplot_by_region(
    frame: pd.DataFrame,
    *,
    title: str,
    unit: str,
    period_label: str,
    weight: str | None = "weight",
    higher_is_better: bool | None = None,
    area_label: str = "local authority",
    areas_label: str | None = None,
) -> plt.Figure:
    """Strip plot: each LA's value by ITL1 region, with the regional and UK averages.

    ``frame`` needs ``value, itl1_code, itl1_name`` and, when weighted, a ``weight`` column.
    Regions are ordered by their average so the spread inside each is easy to compare.
    ``higher_is_better`` (optional) adds the indicator's polarity to the axis label;
    ``area_label`` names one unit in the legend; ``areas_label`` the units in the title (by
    default ``area_label`` with "authority" made plural), e.g. ``"upper-tier authorities in
    England, local authorities elsewhere"``. The value axis has thousands separators.
    """
    data = frame.dropna(subset=["value"])
    means = weighted_group_means(data, "itl1_name", weight)
    overall = np.average(data["value"], weights=None if weight is None else data[weight])
    order = means.sort_values().index.tolist()
    rng = np.random.default_rng(0)  # fixed jitter: identical figures on every run
    fig, ax = plt.subplots(figsize=(9, 6))
    for position, region in enumerate(order):
        values = data.loc[data["itl1_name"] == region, "value"].to_numpy()
        jitter = rng.uniform(-0.25, 0.25, size=values.size)
        ax.scatter(values, position + jitter, s=12, alpha=0.6, color="#1b6ca8", linewidths=0)
        ax.plot([means[region]] * 2, [position - 0.38, position + 0.38], color="#d95f02", lw=2.5)
    ax.axvline(overall, color="0.3", ls="--", lw=1)
    ax.set_yticks(range(len(order)), [r.replace(" (England)", "") for r in order])
    polarity = {True: " (higher is better)", False: " (lower is better)", None: ""}[
        higher_is_better
    ]
    ax.set_xlabel(f"{unit}{polarity}")
    ax.set_title(
        _short(
            f"{title}, {period_label}: "
            f"{areas_label or area_label.replace('authority', 'authorities')} by region",
            80,
        ),
        loc="left",
        fontsize=11,
    )
    handles = [
        plt.Line2D([], [], ls="", marker="o", color="#1b6ca8", label=area_label.capitalize()),
        plt.Line2D([], [], color="#d95f02", lw=2.5, label="Regional average (weighted)"),
        plt.Line2D([], [], color="0.3", ls="--", label="UK average"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(thousands_tick))
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    add_source_note(ax, offset=-36)
    return fig


def thousands_tick(value: float, _position: object = None) -> str:
    """Axis tick with thousands separators, decimals only where the ticks need them.

    >>> thousands_tick(25000.0), thousands_tick(2.5), thousands_tick(-1500.0)
    ('25,000', '2.5', '-1,500')
    """
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.6g}" if abs(value) < 1000 else f"{value:,.1f}"


def _short(title: str, width: int = 34) -> str:
    """Wrap a long indicator title onto two lines for axis labels."""
    if len(title) <= width:
        return title
    words, lines, line = title.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def share_axis_label(table: pd.DataFrame) -> str:
    """Axis label of a share figure, naming the measure of ``table`` (its ``measure`` column)."""
    measure = table_measure(table["measure"]) if "measure" in table else "theil_t"
    return f"Share of inequality between areas ({measure_label(measure)}), %"


WEIGHTED_COLOUR = "#1b6ca8"
UNWEIGHTED_COLOUR = "#d95f02"
WITHIN_COLOUR = "#c9d9e8"


def between_within_shares(summary: pd.DataFrame) -> plt.Figure:
    """Between- and within-region shares of inequality between LAs, one bar per indicator.

    ``summary`` is :func:`localineq.analysis.decomposition_tables.decomposition_summary`. Each bar splits 100% of
    the Theil T (weighted by the indicator's weight basis) into the part between ITL1 regions
    (dark) and within them (light); the black whisker is the 95% confidence interval (BCa
    bootstrap) of the between share when available, and the orange diamond the unweighted
    between share (each area counting once). For indicators whose values carry published 95%
    intervals, a green circle marks the between share of the signal, net of sampling noise
    (``between_share_corrected``), with its bootstrap interval as a thin green line along the
    bar's upper edge. Indicators are grouped by coverage (UK, GB,
    England and Wales, England; each label names it and the number of regions), because
    shares over 12, 11 or 9 regions are not shares of the same whole.
    """
    order = {"EWSN": 0, "EWS": 1, "EW": 2, "E": 3}
    data = summary.assign(
        _coverage=summary["nations"].map(lambda v: order.get(str(v), 4))
        if "nations" in summary.columns
        else 0
    ).sort_values(
        ["_coverage", "between_share", "indicator"],
        ascending=[False, True, True],
        kind="stable",
    )
    n = len(data)
    fig, ax = plt.subplots(figsize=(9, 0.55 * n + 1.8))
    positions = np.arange(n)
    between = 100 * data["between_share"].to_numpy(dtype="float64")
    ax.barh(
        positions,
        between,
        color=WEIGHTED_COLOUR,
        height=0.62,
        label="Between regions (weighted by weight basis)",
    )
    ax.barh(
        positions,
        100 - between,
        left=between,
        color=WITHIN_COLOUR,
        height=0.62,
        label="Within regions (weighted by weight basis)",
    )
    lower = 100 * data["between_share_ci_lower"].to_numpy(dtype="float64")
    upper = 100 * data["between_share_ci_upper"].to_numpy(dtype="float64")
    has_ci = np.isfinite(lower) & np.isfinite(upper)
    if has_ci.any():
        # Drawn as a segment, not a symmetric error bar: the BCa interval is asymmetric.
        ax.hlines(
            positions[has_ci],
            lower[has_ci],
            upper[has_ci],
            color="black",
            lw=1.1,
            label="95% confidence interval (BCa bootstrap)",
        )
        for edge in (lower, upper):
            ax.plot(
                edge[has_ci], positions[has_ci], ls="", marker="|", ms=7, color="black", mew=1.1
            )
    if "between_share_corrected" in data.columns:
        draw_corrected_shares(ax, data, positions)
    unweighted = 100 * data["between_share_unweighted"].to_numpy(dtype="float64")
    ok = np.isfinite(unweighted)
    ax.scatter(
        unweighted[ok],
        positions[ok],
        marker="D",
        s=26,
        color=UNWEIGHTED_COLOUR,
        edgecolor="white",
        linewidth=0.6,
        zorder=3,
        label="Between regions (unweighted)",
    )
    for y, share in zip(positions, between, strict=True):
        if share >= 7:
            ax.text(1.0, y, f"{share:.0f}%", va="center", ha="left", fontsize=7, color="white")
    if "nations" in data.columns:
        coverage = [
            coverage_label(c, r) for c, r in zip(data["nations"], data["n_regions"], strict=True)
        ]
    else:
        coverage = [""] * n
    notes = data["period_note"].fillna("") if "period_note" in data.columns else [""] * n
    periods = [
        f"{p}, {q}" if q else str(p) for p, q in zip(data["period_label"], notes, strict=True)
    ]
    labels = [
        f"{_short(t, 44)} ({p})" + (f"\n[{c}]" if c else "")
        for t, p, c in zip(data["title"], periods, coverage, strict=True)
    ]
    ax.set_yticks(positions, labels, fontsize=7.5)
    groups = data["_coverage"].to_numpy()
    for y in np.flatnonzero(groups[1:] != groups[:-1]):
        ax.axhline(y + 0.5, color="0.5", lw=0.8, ls=":")
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.set_xlabel(share_axis_label(summary))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False)
    ax.set_title(
        "How much of the inequality between areas lies between regions?",
        loc="left",
        fontsize=11,
        # Room for the legend above the axes: two entries a row, 11 points each.
        pad=12 + 11 * -(-len(ax.get_legend_handles_labels()[0]) // 2),
    )
    add_source_note(ax)

    return fig


#: Fewer periods than this are drawn as points with a note, not as a line.
MIN_TREND_PERIODS = 3


def within_share_trend(
    decomposition: pd.DataFrame,
    specs: dict,
    *,
    measure: str = "theil_t",
    ncols: int = 4,
) -> plt.Figure:
    """Small multiples: the within-region share of inequality over time, one panel per indicator.

    Uses rows of ``decomposition`` with ``measure`` at ITL1 level; the weighted series
    (``weighting = weighted``, by the indicator's own weight basis) is solid, the unweighted
    series dashed. An indicator with fewer than :data:`MIN_TREND_PERIODS` periods is drawn as
    points without lines, with a note in its panel: two points are not a trend.
    """
    table = decomposition[(decomposition["measure"] == measure)]
    if "level" in table.columns:
        table = table[table["level"] == "itl1"]
    keys = [k for k in specs if k in set(table["indicator"])]
    nrows = max(1, int(np.ceil(len(keys) / ncols)))
    ncols = min(ncols, max(1, len(keys)))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(2.6 * ncols + 0.8, 2.1 * nrows + 1.0), sharey=True, squeeze=False
    )
    for ax in axes.flat[len(keys) :]:
        ax.set_visible(False)
    for ax, key in zip(axes.flat, keys, strict=False):
        rows = table[(table["indicator"] == key) & (table["n_areas"] > 0)].sort_values("period")
        n_periods = rows["period"].nunique()
        for weighting, style in (
            ("weighted", dict(color=WEIGHTED_COLOUR, ls="-")),
            ("unweighted", dict(color=UNWEIGHTED_COLOUR, ls="--")),
        ):
            series = rows[rows["weighting"] == weighting]
            if series.empty:
                continue
            x = [parse_start_year(p) for p in series["period"]]
            if n_periods < MIN_TREND_PERIODS:
                style = {**style, "ls": "none"}
            ax.plot(
                x,
                100 * (1 - series["between_share"].to_numpy(dtype="float64")),
                lw=1.4,
                marker="o" if len(x) < 8 else None,
                ms=3 if n_periods >= MIN_TREND_PERIODS else 4,
                **style,
            )
        if n_periods < MIN_TREND_PERIODS:
            ax.text(
                0.03,
                0.05,
                f"{n_periods} period{'s' if n_periods != 1 else ''}: no trend",
                transform=ax.transAxes,
                fontsize=6.5,
                color="0.35",
            )
        years = [parse_start_year(p) for p in rows["period"]]
        if years and max(years) - min(years) < 2:
            # One or two close periods: a sensible window rather than matplotlib's default span.
            ax.set_xlim(min(years) - 1.5, max(years) + 1.5)
        covered = coverage_label(
            "".join(specs[key].get("nations", [])),
            int(rows["n_groups"].max()) if "n_groups" in rows.columns and len(rows) else None,
        )
        ax.set_title(f"{_short(specs[key]['title'], 30)}\n[{covered}]", fontsize=7.5, loc="left")
        ax.set_ylim(0, 100)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
        ax.tick_params(labelsize=7)
        ax.grid(axis="y", color="0.9")
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("Within regions, %", fontsize=8)
    handles = [
        plt.Line2D(
            [],
            [],
            color=WEIGHTED_COLOUR,
            lw=1.4,
            label="Weighted (by the indicator's weight basis)",
        ),
        plt.Line2D(
            [], [], color=UNWEIGHTED_COLOUR, lw=1.4, ls="--", label="Unweighted (each area once)"
        ),
    ]
    fig.suptitle(
        "Share of inequality between areas that lies within regions, over time",
        x=0.01,
        ha="left",
        fontsize=11,
    )
    fig.legend(
        handles=handles,
        loc="upper right",
        ncol=2,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.99, 1.0),
    )
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    add_source_line(fig, y=-0.005)
    return fig


def parse_start_year(period: str) -> float:
    """Start of an ISO 8601 period as a fractional year (for time axes).

    >>> parse_start_year("2022-04-01/P1Y")
    2022.25
    """
    start = pd.Timestamp(str(period).split("/")[0])
    return start.year + (start.month - 1) / 12


#: Colours of the nested levels, coarsest first (the fifth marks the finest residual level).
PROFILE_COLOURS = ["#0b3c5d", "#328cc1", "#8fc1e3", "#f2b134", "#c8553d"]


def stacked_share_bars(
    ax: plt.Axes, shares: np.ndarray, labels: list[str], *, min_label: float = 6.0
) -> None:
    """Horizontal stacked bars of percentage shares, one row per bar, one column per part.

    Parts take :data:`PROFILE_COLOURS` in order (cividis when there are more parts); parts
    of at least ``min_label`` % carry their value, in white on dark colours.
    """
    n, parts = shares.shape
    colours = (
        [matplotlib.colors.to_rgb(c) for c in PROFILE_COLOURS]
        if parts <= len(PROFILE_COLOURS)
        else plt.get_cmap("cividis")(np.linspace(0, 1, parts))[:, :3]
    )
    left = np.zeros(n)
    for j in range(parts):
        share = shares[:, j]
        ax.barh(np.arange(n), share, left=left, color=colours[j], height=0.65, label=labels[j])
        # Relative luminance (ITU-R BT.601 weights) picks legible text on each colour.
        dark = float(np.dot(colours[j], [0.299, 0.587, 0.114])) < 0.5
        for y, (x0, width) in enumerate(zip(left, share, strict=True)):
            if width >= min_label:
                ax.text(
                    x0 + width / 2,
                    y,
                    f"{width:.0f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if dark else "0.1",
                )
        left += share


def localisation_profile(profile: pd.DataFrame, specs: dict) -> plt.Figure:
    """Stacked bars: how each indicator's inequality splits over ITL1 → ITL2 → ITL3 → LA.

    ``profile`` is :func:`localineq.analysis.profile_tables.profile_table` (shares per component, in order).
    Indicators are sorted by the share found *below* ITL1 (most localised at the top).
    """
    wide = profile.pivot_table(index="indicator", columns="order", values="share", aggfunc="first")
    labels = profile.drop_duplicates("order").set_index("order")["label"]
    periods = profile.drop_duplicates("indicator").set_index("indicator")["period_label"]
    wide = wide.assign(_local=1 - wide[0]).sort_values(["_local"], ascending=True, kind="stable")
    wide = wide.drop(columns="_local")
    n = len(wide)
    fig, ax = plt.subplots(figsize=(9, 0.42 * n + 2.0))
    stacked_share_bars(
        ax,
        100 * wide.to_numpy(dtype="float64"),
        [labels[order] for order in wide.columns],
    )
    ticks = [
        f"{_short(specs[k]['title'], 44) if k in specs else k} ({periods[k]})" for k in wide.index
    ]
    ax.set_yticks(np.arange(n), ticks, fontsize=8)
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, n - 0.4)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    ax.set_xlabel(share_axis_label(profile))
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(
        "Where does inequality between local authorities sit? ITL1 → ITL2 → ITL3 → LA",
        loc="left",
        fontsize=11,
        pad=34,
    )
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=8, frameon=False)
    add_source_note(ax)

    return fig
