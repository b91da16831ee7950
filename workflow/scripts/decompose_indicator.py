"""Snakemake adapter: decomposition table for one indicator."""

import logging

from localineq.analysis.decomposition_tables import decomposition_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    data = read_parquet(smk.input.data)
    table = decomposition_table(
        data,
        read_parquet(smk.input.population),
        indicator=smk.wildcards.indicator,
        measures=list(smk.params.measures),
        weightings=list(smk.params.weightings),
        weight_basis=smk.params.weight_basis,
        noise=dict(smk.params.noise),
    )
    logging.info("%d rows", len(table))
    to_csv(table, smk.output[0], index=False, float_format="%.10g")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
