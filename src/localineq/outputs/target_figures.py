"""Figures and report pieces of the local targets (issue 12).

* :func:`status_map`: small multiples, one map per headline indicator, each authority coloured
  by its target status in ``results/tables/la_targets.csv`` (healthy life expectancy on its
  upper-tier areas, dissolved from their districts — never coloured district by district).
* :func:`status_counts` and :func:`alarm_list`: the report's tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from localineq.data.geography import unit_polygons
from localineq.outputs.figures import deferred_draws
from localineq.outputs.map_links import LINK_TOKEN, area_links, link_shapes
from localineq.outputs.maps import (
    NO_DATA_COLOUR,
    REGION_EDGE,
    region_lines,
    suggested_decimals,
    to_bng,
)
from localineq.policy.targets import STATUS_MEANINGS, STATUSES, target_horizon

__all__ = ["STATUS_COLOURS", "alarm_list", "status_counts", "status_links", "status_map"]

#: Status colours (colour-blind-safe: Okabe-Ito blue / sky blue / orange / yellow / vermillion).
STATUS_COLOURS = {
    "met": "#0072B2",
    "on_track": "#56B4E9",
    "off_track": "#E69F00",
    "lagging_uk_trend": "#F0E442",
    "levelling_down": "#D55E00",
    "no_data": NO_DATA_COLOUR,
}
#: Legend names, from the one status vocabulary (:data:`localineq.policy.targets.STATUS_MEANINGS`).
STATUS_NAMES = {k: label[0].lower() + label[1:] for k, (label, _) in STATUS_MEANINGS.items()}


def status_counts(targets: pd.DataFrame, specs: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    """Authorities by status for every indicator (config order), with significant alarms.

    >>> t = pd.DataFrame({"indicator": ["x", "x", "x"], "status": ["met", "levelling_down",
    ...                   "levelling_down"], "significant": [False, True, False]})
    >>> c = status_counts(t, {"x": {"title": "X"}}).iloc[0]
    >>> [int(c[k]) for k in ("met", "levelling_down", "alarms_significant", "areas")]
    [1, 2, 1, 3]
    """
    rows = []
    for key, spec in specs.items():
        part = targets[targets["indicator"] == key]
        if part.empty:
            continue
        counts = part["status"].value_counts()
        row: dict[str, Any] = {"indicator": key, "title": spec["title"]}
        row.update({s: int(counts.get(s, 0)) for s in STATUSES})
        alarms = part["status"] == "levelling_down"
        row["alarms_significant"] = int((alarms & part["significant"].astype(bool)).sum())
        row["areas"] = len(part)
        rows.append(row)
    return pd.DataFrame(rows)


def alarm_list(targets: pd.DataFrame) -> pd.DataFrame:
    """Levelling-down alarms: significant first, most persistent, then the largest relative fall.

    The fall is :math:`s\\,(y_0 - y_t)` below the area's own baseline; ``fall_share`` is
    that fall as a share of :math:`|y_0|` (comparable across indicators).
    """
    alarms = targets[targets["status"] == "levelling_down"].copy()
    sign = alarms["higher_is_better"].astype(str).map({"True": 1.0, "False": -1.0}).astype(float)
    alarms["shortfall"] = sign * (alarms["baseline"] - alarms["latest"])
    alarms["fall_share"] = alarms["shortfall"] / alarms["baseline"].abs()
    persistence = alarms.get("levelling_down_periods", 0)
    alarms["_persistence"] = pd.to_numeric(persistence, errors="coerce").fillna(0)
    return (
        alarms.sort_values(
            ["significant", "_persistence", "fall_share"],
            ascending=[False, False, False],
            kind="stable",
        )
        .drop(columns="_persistence")
        .reset_index(drop=True)
    )


def status_map(
    lad: gpd.GeoDataFrame,
    regions: gpd.GeoDataFrame,
    targets: pd.DataFrame,
    indicators: Sequence[str],
    specs: Mapping[str, Mapping[str, Any]],
    members: Mapping[str, pd.DataFrame],
    links: Mapping[str, tuple[str, str]] | None = None,
) -> plt.Figure:
    """One map per indicator, areas coloured by target status (:data:`STATUS_COLOURS`).

    ``members[key]`` maps LAD23 → the indicator's unit (``area_code, unit_code``); units that
    are not districts (counties for healthy life expectancy) are dissolved from them.
    ``links`` (:func:`status_links`, keys ``indicator/area_code``) links every area of every
    panel to its profile with a tooltip in the SVG (save with the same ``links``).
    """
    n = len(indicators)
    cols = min(n, 2)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.2 * cols, 6.4 * rows), squeeze=False)
    borders = region_lines(to_bng(regions))
    # One render when saved, not one per plot call (outputs.figures.deferred_draws).
    with deferred_draws(fig):
        for ax, key in zip(axes.ravel(), indicators, strict=False):
            mine = targets[targets["indicator"] == key]
            part = mine[["area_code", "status", "latest_period"]]
            basis = mine["price_basis"] if "price_basis" in mine else pd.Series(dtype=str)
            real = basis.astype(str).str.startswith("real").any()
            shapes = lad
            if not set(part["area_code"]) <= set(lad["area_code"]):
                shapes = unit_polygons(lad, members[key])
            joined = to_bng(shapes.merge(part, on="area_code", how="left"))
            joined["status"] = joined["status"].fillna("no_data")
            for status in STATUSES:
                sel = joined[joined["status"] == status]
                if not sel.empty:
                    sel.plot(ax=ax, color=STATUS_COLOURS[status], edgecolor="white", linewidth=0.1)
                    if links is not None:
                        keys = f"{key}/" + sel["area_code"].astype(str)
                        link_shapes(ax, sel, [LINK_TOKEN + k if k in links else None for k in keys])
            borders.plot(ax=ax, color=REGION_EDGE, linewidth=0.5)
            ax.set_axis_off()
            ax.set_aspect("equal")
            spec = specs[key]
            counts = part["status"].value_counts()
            ax.set_title(
                f"{spec['title']}{' (real terms)' if real else ''}\n"
                f"{int(counts.get('levelling_down', 0))} levelling-down alarms, "
                f"{int(counts.get('off_track', 0))} off track",
                fontsize=8.5,
                loc="left",
            )
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    handles = [Patch(color=STATUS_COLOURS[s], label=STATUS_NAMES[s]) for s in STATUSES]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=8, frameon=False)
    fig.suptitle(
        f"Target status of every local authority ({target_horizon(targets.columns)} targets; "
        "baseline to latest period)",
        fontsize=11,
        x=0.02,
        ha="left",
    )
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def status_links(
    targets: pd.DataFrame, indicators: Sequence[str], specs: Mapping[str, Mapping[str, Any]]
) -> dict[str, tuple[str, str]]:
    """Links and tooltips of :func:`status_map`: ``indicator/area_code`` → ``(href, title)``.

    Each title names the area, its target status, its latest value and its region's reference
    value in the latest period (``la_targets.csv`` columns); the link opens the area's profile
    at that indicator.
    """
    links: dict[str, tuple[str, str]] = {}
    for key in indicators:
        part = targets[targets["indicator"] == key].rename(
            columns={"latest": "value", "region_reference_latest": "region_reference"}
        )
        values = pd.concat([part["value"], part["region_reference"]]).dropna()
        decimals = suggested_decimals(values) if len(values) else 0
        found = area_links(
            part,
            indicator=key,
            unit=str(specs[key].get("unit", "")),
            decimals=decimals,
            lines=("status", "value", "region"),
        )
        links.update({f"{key}/{code}": link for code, link in found.items()})
    return links
