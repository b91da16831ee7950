"""Citable figures. Every figure carries a caption-ready title and a source line, and is saved
deterministically (no timestamps, fixed SVG ids) as PNG and SVG."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

SOURCE_LINE = (
    "Source: ONS Explore Local Statistics; ONS Regional GDP by local authority (population). "
    "Open Government Licence v3.0."
)
PNG_DPI = 200


def save_figure(fig: plt.Figure, png: str | os.PathLike, svg: str | os.PathLike | None = None) -> None:
    """Save PNG (≥200 dpi) and SVG with fixed metadata so reruns give identical bytes."""
    Path(png).parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context({"svg.hashsalt": "localineq", "svg.fonttype": "path"}):
        fig.savefig(png, dpi=PNG_DPI, metadata={"Software": None}, bbox_inches="tight")
        if svg is not None:
            fig.savefig(svg, metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)


def weighted_group_means(frame: pd.DataFrame, group: str, weight: str | None) -> pd.Series:
    """Mean value per group, population-weighted when ``weight`` names a column."""
    if weight is None:
        return frame.groupby(group)["value"].mean()
    totals = (frame["value"] * frame[weight]).groupby(frame[group]).sum()
    return totals / frame.groupby(group)[weight].sum()


def dotplot_by_region(
    frame: pd.DataFrame, *, title: str, unit: str, period_label: str, weight: str | None = "weight"
) -> plt.Figure:
    """Strip plot: each LA's value by ITL1 region, with the regional and UK averages.

    ``frame`` needs ``value, itl1_code, itl1_name`` and, when weighted, a ``weight`` column.
    Regions are ordered by their average so the spread inside each is easy to compare.
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
    ax.set_xlabel(unit)
    ax.set_title(f"{title}, {period_label}: local authorities by region", loc="left", fontsize=11)
    handles = [
        plt.Line2D([], [], ls="", marker="o", color="#1b6ca8", label="Local authority"),
        plt.Line2D([], [], color="#d95f02", lw=2.5, label="Regional average (population-weighted)"),
        plt.Line2D([], [], color="0.3", ls="--", label="UK average"),
    ]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    ax.grid(axis="x", color="0.9")
    ax.set_axisbelow(True)
    fig.text(0.01, -0.02, SOURCE_LINE, fontsize=7, color="0.35", ha="left", va="top")
    return fig
