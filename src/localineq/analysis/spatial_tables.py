"""Result tables of the spatial analysis: weights files, Moran's I, LISA and cross-border clusters.

The statistics are :mod:`localineq.stats.spatial`; this module feeds them the indicator tables
(``results/tables/la_indicators.csv`` and ``upper_tier_indicators.csv``) and the weights read
back from the exported GAL files, so that the published numbers are computed from exactly the
files a reader can download.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd

from localineq.analysis.area_tables import latest_period_rows
from localineq.data.geography import unit_polygons
from localineq.stats import spatial

#: Columns of ``results/tables/spatial_autocorrelation.csv``.
AUTOCORRELATION_COLUMNS = [
    "indicator",
    "period",
    "period_label",
    "variant",
    "I",
    "expected_I",
    "z",
    "p_value",
    "permutations",
    "n",
    "seed",
    "weights",
]


def unit_weights(
    lad: gpd.GeoDataFrame, members: pd.DataFrame | None = None, *, k_islands: int = 2
) -> libpysal.weights.W:
    """Contiguity weights of LAD23s, or of the units ``members`` dissolves them into.

    ``members`` maps ``area_code`` (LAD23) → ``unit_code`` (e.g. upper-tier authorities, with
    combined areas); ``None`` keeps the LAD23s.
    """
    polygons = lad if members is None else unit_polygons(lad, members)
    return spatial.contiguity_weights(polygons, k_islands=k_islands)


def read_gal(path: str | Path) -> libpysal.weights.W:
    """Read an exported GAL file (ids as strings, in file order), binary weights."""
    w = libpysal.io.open(str(path)).read()
    return libpysal.weights.W(
        {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order},
        id_order=[str(i) for i in w.id_order],
        silence_warnings=True,
    )


def _labels(frame: pd.DataFrame) -> dict[tuple[str, str], str]:
    if "period_label" not in frame.columns:
        return {}
    pairs = frame.drop_duplicates(["indicator", "period"])
    return {
        (i, p): str(lab)
        for i, p, lab in zip(
            pairs["indicator"], pairs["period"], pairs["period_label"], strict=True
        )
    }


def autocorrelation_table(
    frame: pd.DataFrame,
    w: libpysal.weights.W,
    *,
    weights_file: str,
    permutations: int,
    seed: int,
    min_areas: int,
) -> pd.DataFrame:
    """Global Moran's I (raw and within-region) of every indicator in ``frame``.

    ``frame`` is an indicator export (``indicator, period, period_label, area_code, itl1_code,
    value``). See :func:`localineq.stats.spatial.moran_table` for the periods tested and the
    weights used; ``weights_file`` names the GAL file in the table.
    """
    table = spatial.moran_table(frame, w, permutations=permutations, seed=seed, min_areas=min_areas)
    labels = _labels(frame)
    table["period_label"] = [
        labels.get((i, p), p) for i, p in zip(table["indicator"], table["period"], strict=True)
    ]
    table["weights"] = weights_file
    return table[AUTOCORRELATION_COLUMNS]


def unit_population(population: pd.DataFrame, members: pd.DataFrame | None = None) -> pd.Series:
    """Residents of each unit: its LAD23s' population in their latest published year, summed.

    ``population`` is ``area_code, year, population`` (LAD23). Northern Ireland's mid-2023
    figure is unpublished in the pinned workbook, so its districts count mid-2022.
    """
    present = population.dropna(subset=["population"])
    latest = present.sort_values("year").groupby("area_code")["population"].last()
    if members is None:
        return latest
    unit = members.set_index("area_code")["unit_code"]
    return latest.groupby(latest.index.map(lambda a: unit.get(a, a))).sum()


def lisa_tables(
    frame: pd.DataFrame,
    w: libpysal.weights.W,
    specs: Mapping[str, Mapping[str, Any]],
    *,
    population: pd.Series,
    permutations: int,
    seed: int,
    alpha: float,
    region_names: Mapping[str, str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """LISA of every indicator's latest period, and its connected lagging clusters.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        One row per area × indicator (``indicator, period, period_label, area_code,
        area_name, itl1_code, itl1_name, value, lag, local_I, quadrant, p_value, significant,
        lisa_class, lagging_cluster, cluster_crosses_border, permutations, fdr_alpha``) and one
        row per lagging cluster (``indicator, period, period_label`` + the columns of
        :func:`localineq.stats.spatial.lagging_clusters`).
    """
    areas, clusters = [], []
    for indicator, rows in latest_period_rows(frame).groupby("indicator", sort=True):
        rows = rows.assign(area_code=rows["area_code"].astype(str)).sort_values("area_code")
        sub = spatial.subset_weights(w, rows["area_code"].tolist())
        lisa = spatial.local_moran(
            rows["value"].to_numpy(dtype="float64"),
            sub,
            higher_is_better=bool(specs[indicator]["higher_is_better"]),
            permutations=permutations,
            seed=seed,
            alpha=alpha,
        )
        found = spatial.lagging_clusters(
            lisa,
            sub,
            regions=dict(zip(rows["area_code"], rows["itl1_code"], strict=True)),
            names=dict(zip(rows["area_code"], rows["area_name"], strict=True)),
            population=population.to_dict(),
            region_names=region_names,
        )
        cluster_of = {
            a: (c, crosses)
            for c, codes, crosses in zip(
                found["cluster"], found["area_codes"], found["crosses_border"], strict=True
            )
            for a in codes.split("; ")
        }
        info = rows.set_index("area_code")
        period = str(rows["period"].iloc[0])
        label = str(rows["period_label"].iloc[0]) if "period_label" in rows else period
        lisa.insert(0, "indicator", indicator)
        lisa.insert(1, "period", period)
        lisa.insert(2, "period_label", label)
        lisa.insert(4, "area_name", lisa["area_code"].map(info["area_name"]))
        lisa.insert(5, "itl1_code", lisa["area_code"].map(info["itl1_code"]))
        lisa.insert(6, "itl1_name", lisa["area_code"].map(info["itl1_name"]))
        lisa["lagging_cluster"] = pd.array(
            [cluster_of.get(a, (None, None))[0] for a in lisa["area_code"]], dtype="Int64"
        )
        lisa["cluster_crosses_border"] = pd.array(
            [cluster_of.get(a, (None, None))[1] for a in lisa["area_code"]], dtype="boolean"
        )
        lisa["permutations"] = permutations
        lisa["fdr_alpha"] = alpha
        areas.append(lisa)
        clusters.append(found.assign(indicator=indicator, period=period, period_label=label))
    cluster_table = pd.concat(clusters, ignore_index=True)
    front = ["indicator", "period", "period_label"]
    cluster_table = cluster_table[front + [c for c in cluster_table.columns if c not in front]]
    return pd.concat(areas, ignore_index=True), cluster_table


def cross_border(clusters: pd.DataFrame) -> pd.DataFrame:
    """The lagging clusters that span two or more ITL1 regions (``crosses_border``)."""
    keep = clusters["crosses_border"].astype(bool)
    return clusters[keep].drop(columns="crosses_border").reset_index(drop=True)


def largest_cross_border(clusters: pd.DataFrame, indicator: str) -> pd.Series | None:
    """The most populous cross-border lagging cluster of ``indicator``, or ``None``."""
    rows = clusters[(clusters["indicator"] == indicator) & clusters["n_regions"].ge(2)]
    if rows.empty:
        return None
    return rows.sort_values(["population", "n_areas"], ascending=False).iloc[0]


def lisa_summary(lisa: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: areas in each LISA class (columns) — how much clusters at all."""
    counts = lisa.pivot_table(
        index="indicator", columns="lisa_class", values="area_code", aggfunc="count", fill_value=0
    )
    ordered = [c for c in (*spatial.CLASSES, spatial.NOT_SIGNIFICANT) if c in counts.columns]
    return counts[ordered].astype(np.int64)
