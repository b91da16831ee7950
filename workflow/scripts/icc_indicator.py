"""Snakemake adapter: ICC table for one indicator."""

import logging

from localineq.analysis.multilevel_tables import icc_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    table = icc_table(
        read_parquet(smk.input.data),
        indicator=smk.wildcards.indicator,
        levels=list(smk.params.levels),
    )
    logging.info("%d rows, %d not converged", len(table), int((~table["converged"]).sum()))
    to_csv(table, smk.output[0], index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
