"""Snakemake adapter: confidence intervals, measurement-error sensitivity and permutation p-values."""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.uncertainty_tables import uncertainty_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv


def main(smk) -> None:
    frame = read_indicator_tables(smk.input.indicators)
    settings = dict(smk.params.settings)
    table = uncertainty_table(
        frame,
        {k: dict(v) for k, v in smk.params.specs.items()},
        measures=list(smk.params.measures),
        draws=int(settings["draws"]),
        seed=int(settings["seed"]),
        level=float(settings["level"]),
        permutations=int(settings["permutations"]),
    )
    logging.info("%d rows for %d indicators", len(table), table["indicator"].nunique())
    to_csv(table, smk.output[0], index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
