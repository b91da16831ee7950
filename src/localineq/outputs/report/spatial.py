"""The report section "Spatial structure: do lagging places cluster across regional borders?"

Context function :func:`spatial_context` for ``templates/sections/spatial.html.j2`` (issue 13):
per headline indicator (and GDHI per head), global Moran's I of the values and of the
deviations from the unweighted regional mean, the LISA lagging clusters and the ones that straddle an
ITL1 border, largest first, with the LISA map; a table over every indicator. It reads
``spatial_autocorrelation``, ``lisa_clusters`` and ``cross_border_clusters`` from
``state.inputs.extra`` and leaves the section out when they are absent.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from localineq.outputs.report.base import ReportState, table_context

__all__ = ["spatial_context"]


def _moran_phrase(row: pd.Series) -> str:
    """``"0.50 (p = 0.001)"``: a Moran's I with its permutation p-value."""
    return f"{row['I']:.2f} (p = {row['p_value']:.3f})"


def _clusters_text(clusters: pd.DataFrame) -> str:
    """``"Rossendale, Bury and Calderdale (North West / Yorkshire and The Humber; 476,000
    residents)"`` for each cross-border cluster, largest first."""
    pieces = []
    for row in clusters.itertuples(index=False):
        names = str(row.area_names).split("; ")
        listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        regions = " / ".join(r.replace(" (England)", "") for r in str(row.regions).split("; "))
        pieces.append(f"{listed} ({regions}; {row.population:,.0f} residents)")
    return "; ".join(pieces)


def _lagging_sentence(n_areas: int, n_groups: int) -> str:
    """How many areas form significant lagging clusters, in words.

    >>> _lagging_sentence(1, 1), _lagging_sentence(6, 3)
    ('1 area forms a significant lagging cluster.', '6 areas form 3 significant lagging clusters.')
    """
    if n_areas == 0:
        return "No area is a significant lagging cluster after the false discovery rate control."
    if n_groups == 1:
        verb = "area forms" if n_areas == 1 else "areas form"
        return f"{n_areas} {verb} a significant lagging cluster."
    return f"{n_areas} areas form {n_groups} significant lagging clusters."


def _crossing_sentence(crosses: pd.DataFrame) -> str:
    """Which lagging clusters straddle a regional border, largest first."""
    if crosses.empty:
        return "No lagging cluster straddles a regional border."
    largest = _clusters_text(crosses.head(1))
    if len(crosses) == 1:
        return f"One lagging cluster straddles a regional border: {largest}."
    return (
        f"{len(crosses)} lagging clusters straddle a regional border; the largest is {largest}. "
        f"The others: {_clusters_text(crosses.iloc[1:])}."
    )


def spatial_context(state: ReportState) -> dict[str, Any] | None:
    """Moran's I (raw and within-region), LISA lagging clusters and the cross-border ones.

    Reads ``extra["spatial_autocorrelation"]``, ``extra["lisa_clusters"]`` and
    ``extra["cross_border_clusters"]``; ``None`` when they are absent.
    """
    extra = state.inputs.extra
    names = ("spatial_autocorrelation", "lisa_clusters", "cross_border_clusters")
    if any(extra.get(n) is None for n in names):
        return None
    moran, lisa, crossing = (extra[n] for n in names)
    specs = state.config["indicators"]
    settings = dict(state.config.get("spatial") or {})
    latest = moran[moran["period"] == moran.groupby("indicator")["period"].transform("max")]
    by = {(r.indicator, r.variant): r for r in latest.itertuples(index=False)}
    lagging = lisa[lisa["lisa_class"] == "lagging cluster"]
    keys = [k for k in specs if (k, "raw") in by]
    rows, paragraphs = [], []
    for key in keys:
        raw, within = (
            pd.Series(by[(key, "raw")]._asdict()),
            pd.Series(by[(key, "within_region")]._asdict()),
        )
        mine = lagging[lagging["indicator"] == key]
        crosses = crossing[crossing["indicator"] == key]
        rows.append(
            {
                "Indicator": specs[key]["title"],
                "Period": raw["period_label"],
                "Areas": int(raw["n"]),
                "Moran's I": _moran_phrase(raw),
                "Within-region I": _moran_phrase(within),
                "Lagging areas": len(mine),
                "Cross-border clusters": len(crosses),
            }
        )
    story = list(state.headline) + [
        k for k in ("gdhi_per_head",) if k in keys and k not in state.headline
    ]
    for key in story:
        if (key, "raw") not in by:
            continue
        raw, within = by[(key, "raw")], by[(key, "within_region")]
        mine = lagging[lagging["indicator"] == key]
        crosses = crossing[crossing["indicator"] == key]
        paragraphs.append(
            {
                "key": key,
                "title": specs[key]["title"],
                "period": raw.period_label,
                "moran": _moran_phrase(pd.Series(raw._asdict())),
                "within": _moran_phrase(pd.Series(within._asdict())),
                "clusters": raw.I > 0 and raw.p_value < 0.05,
                "within_clusters": within.I > 0 and within.p_value < 0.05,
                "lagging": _lagging_sentence(len(mine), int(mine["lagging_cluster"].nunique())),
                "n_crossing": len(crosses),
                "crossing": _crossing_sentence(crosses),
                "figure": state.figure(f"lisa_map_{key}")
                if f"lisa_map_{key}" in state.numbers
                else None,
            }
        )
    return {
        "settings": {
            "k": settings.get("island_neighbours"),
            "permutations": f"{int(settings.get('permutations', 0)):,}",
            "local_permutations": f"{int(settings.get('local_permutations', 0)):,}",
            "fdr": f"{100 * float(settings.get('fdr_alpha', 0.05)):g}%",
            "min_areas": settings.get("min_areas"),
        },
        "indicators": paragraphs,
        "table": table_context(
            pd.DataFrame(rows),
            caption=(
                "Global Moran's I of each indicator's latest period, of the values and "
                "of the deviations from their own region's mean (p-values from seeded "
                "permutations), LISA lagging areas and lagging clusters that cross an ITL1 "
                "border (results/tables/spatial_autocorrelation.csv, lisa_clusters.csv, "
                "cross_border_clusters.csv)."
            ),
            numeric=[
                "Areas",
                "Moran's I",
                "Within-region I",
                "Lagging areas",
                "Cross-border clusters",
            ],
        ),
    }
