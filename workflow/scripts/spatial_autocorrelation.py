"""Snakemake adapter: global Moran's I (raw and within-region) of every indicator."""

import logging
from pathlib import Path

import pandas as pd

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.spatial_tables import autocorrelation_table, read_gal
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv


def main(smk) -> None:
    settings = dict(smk.params.settings)
    tables = []
    for tier, indicators in smk.params.tiers.items():
        if not indicators:
            continue
        frame = read_indicator_tables([getattr(smk.input, f"{tier}_indicators")])
        gal = getattr(smk.input, f"{tier}_weights")
        table = autocorrelation_table(
            frame[frame["indicator"].isin(indicators)],
            read_gal(gal),
            weights_file=Path(gal).name,
            permutations=int(settings["permutations"]),
            seed=int(settings["seed"]),
            min_areas=int(settings["min_areas"]),
        )
        logging.info("%s: %d rows, %d indicators", tier, len(table), table["indicator"].nunique())
        tables.append(table)
    to_csv(pd.concat(tables, ignore_index=True), smk.output[0], index=False, lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
