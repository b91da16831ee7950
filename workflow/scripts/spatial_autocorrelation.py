"""Snakemake adapter: spatial autocorrelation of every indicator - global Moran's I (raw and
within-region) and LISA clusters of the latest period with the lagging clusters that cross
ITL1 borders. One job: both read the same panels and weights, rerun together, and import
libpysal and esda (about 2 s) once.
"""

import logging
from pathlib import Path

import pandas as pd

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.spatial_tables import (
    autocorrelation_table,
    cross_border,
    lisa_tables,
    read_gal,
    unit_population,
)
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.indicators import analysis_units
from localineq.data.intermediates import read_geopackage, read_parquet


def tier_rows(smk) -> dict:
    """Each tier's rows of its own indicators, from its panel (read once for both steps)."""
    rows = {}
    for tier, indicators in smk.params.tiers.items():
        if indicators:
            frame = read_indicator_tables([getattr(smk.input, f"{tier}_indicators")])
            rows[tier] = frame[frame["indicator"].isin(indicators)]
    return rows


def global_moran(smk, rows) -> None:
    """Global Moran's I, raw and within-region, latest and every period with enough areas."""
    settings = dict(smk.params.settings)
    tables = []
    for tier, frame in rows.items():
        gal = getattr(smk.input, f"{tier}_weights")
        table = autocorrelation_table(
            frame,
            read_gal(gal),
            weights_file=Path(gal).name,
            permutations=int(settings["permutations"]),
            seed=int(settings["seed"]),
            min_areas=int(settings["min_areas"]),
        )
        logging.info("%s: %d rows, %d indicators", tier, len(table), table["indicator"].nunique())
        tables.append(table)
    to_csv(
        pd.concat(tables, ignore_index=True),
        smk.output.autocorrelation,
        index=False,
        lineterminator="\n",
    )


def local_moran(smk, rows) -> None:
    """LISA of every indicator's latest period (FDR), and lagging clusters crossing ITL1 borders."""
    settings = dict(smk.params.settings)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    hierarchy = read_parquet(smk.input.hierarchy)
    upper_tier = read_parquet(smk.input.upper_tier)
    population = read_parquet(smk.input.population)
    regions = read_geopackage(smk.input.boundaries, "itl1")
    region_names = dict(zip(regions["itl1_code"], regions["itl1_name"], strict=True))
    areas, clusters = [], []
    for tier, frame in rows.items():
        members = None
        if tier == "upper":
            first = smk.params.tiers[tier][0]
            members, _ = analysis_units(specs[first], hierarchy, upper_tier)
        lisa, found = lisa_tables(
            frame,
            read_gal(getattr(smk.input, f"{tier}_weights")),
            specs,
            population=unit_population(population, members),
            permutations=int(settings["local_permutations"]),
            seed=int(settings["seed"]),
            alpha=float(settings["fdr_alpha"]),
            region_names=region_names,
        )
        areas.append(lisa)
        clusters.append(found)
    lisa = pd.concat(areas, ignore_index=True)
    found = pd.concat(clusters, ignore_index=True)
    crossing = cross_border(found)
    for indicator, rows in crossing.groupby("indicator"):
        top = rows.iloc[0]
        logging.info(
            "%s: %d cross-border lagging cluster(s); largest %s (%s; population %.0f)",
            indicator,
            len(rows),
            top["area_names"],
            top["regions"],
            top["population"],
        )
    to_csv(lisa, smk.output.lisa, index=False, lineterminator="\n")
    to_csv(crossing, smk.output.cross_border, index=False, lineterminator="\n")


def main(smk) -> None:
    rows = tier_rows(smk)
    global_moran(smk, rows)
    local_moran(smk, rows)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
