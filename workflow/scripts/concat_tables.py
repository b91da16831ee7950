"""Snakemake adapter: stack per-indicator CSV tables into one."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv


def main(smk) -> None:
    tables = [read_csv(path) for path in smk.input.tables]
    combined = pd.concat(tables, ignore_index=True)
    logging.info("%d rows from %d tables", len(combined), len(tables))
    to_csv(combined, smk.output[0], index=False, float_format="%.10g")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
