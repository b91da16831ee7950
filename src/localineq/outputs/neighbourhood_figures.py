"""Figure 4: inequality between neighbourhoods, split over ITL1 → ITL2 → ITL3 → LA → area.

The neighbourhood profile (deprivation, income, health and class) and the deprivation-only
LSOA figure share one drawing function; bars are labelled by indicator, measure and weighting.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from localineq.outputs.figures import add_source_note, stacked_share_bars

#: Source line of the LSOA (neighbourhood) figures.
IOD_SOURCE_LINE = (
    "Source: MHCLG English Indices of Deprivation 2019 (via mySociety composite_uk_imd; "
    "IoD2019 File 1 and File 6). Open Government Licence v3.0."
)
LSOA_INDICATOR_LABELS = {"imd_score": "IMD score", "income_rate": "Income deprivation rate"}
LSOA_MEASURE_LABELS = {"theil_t": "Theil T", "theil_l": "MLD", "variance": "variance"}


def weighting_label(weighting: str) -> str:
    """Words for a profile row's ``weighting``: ``weighted`` rows are population-weighted."""
    return "population-weighted" if weighting in ("weighted", "population") else "unweighted"


def neighbourhood_profile_figure(
    profile: pd.DataFrame,
    *,
    indicator_labels: Mapping[str, str] | None = None,
    title: str = "Inequality between neighbourhoods: ITL1 → ITL2 → ITL3 → LA → neighbourhood",
    xlabel: str | None = None,
    source_line: str = IOD_SOURCE_LINE,
) -> plt.Figure:
    """Stacked bars: inequality between neighbourhoods over ITL1 → ITL2 → ITL3 → LA → area.

    ``profile``: :func:`localineq.analysis.neighbourhood_tables.neighbourhood_profile` or
    :func:`localineq.analysis.profile_tables.lsoa_profile`. One bar per indicator (in order of
    appearance), measure and weighting (named on its tick); component shares add to 100%. The
    last segment, between neighbourhoods of the same LA, is what no LA statistic can show.
    """
    labels_of = dict(LSOA_INDICATOR_LABELS) | dict(indicator_labels or {})
    rank = {k: i for i, k in enumerate(profile["indicator"].drop_duplicates())}
    frame = profile.sort_values(
        ["indicator", "measure", "weighting", "order"],
        key=lambda s: s.map(rank) if s.name == "indicator" else s,
        kind="stable",
    )
    bars = frame.drop_duplicates(["indicator", "measure", "weighting"])[
        ["indicator", "measure", "weighting"]
    ].to_numpy()
    labels = frame.drop_duplicates("order").set_index("order")["component"]
    orders = sorted(labels.index)
    n = len(bars)
    fig, ax = plt.subplots(figsize=(9, 0.42 * n + 2.2))
    keyed = frame.set_index(["indicator", "measure", "weighting", "order"])["share"]
    shares = np.array([[float(keyed[(i, m, w, o)]) for o in orders] for i, m, w in bars])
    stacked_share_bars(ax, 100 * shares, [labels[o] for o in orders])
    ticks = [
        f"{labels_of.get(i, i)}: {LSOA_MEASURE_LABELS.get(m, m)}, {weighting_label(w)}"
        for i, m, w in bars
    ]
    ax.set_yticks(np.arange(n), ticks, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(decimals=0))
    if xlabel is None:
        n_units = int(frame["n_units"].iloc[0]) if len(frame) else 0
        xlabel = f"Share of inequality between {n_units:,} English neighbourhoods (LSOAs), %"
    ax.set_xlabel(xlabel)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(title, loc="left", fontsize=11, pad=34)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=3, fontsize=8, frameon=False)
    add_source_note(ax, source_line)
    return fig


def lsoa_profile_figure(profile: pd.DataFrame) -> plt.Figure:
    """Figure of :func:`localineq.analysis.profile_tables.lsoa_profile` (IoD2019 deprivation):
    :func:`neighbourhood_profile_figure` with the deprivation title."""
    return neighbourhood_profile_figure(
        profile, title="Deprivation between neighbourhoods: ITL1 → ITL2 → ITL3 → LA → LSOA"
    )
