"""Snakemake adapter: ICC table for one indicator."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.outputs.multilevel_tables import icc_table


def main(smk) -> None:
    table = icc_table(
        pd.read_parquet(smk.input.data),
        indicator=smk.wildcards.indicator,
        levels=list(smk.params.levels),
    )
    logging.info("%d rows, %d not converged", len(table), int((~table["converged"]).sum()))
    table.to_csv(smk.output[0], index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
