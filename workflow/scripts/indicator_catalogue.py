"""Snakemake adapter: the indicator catalogue (definition, weight basis, coverage)."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.indicators import indicator_catalogue


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    table = indicator_catalogue([pd.read_parquet(p) for p in smk.input.indicators], specs)
    logging.info("%d indicators", len(table))
    table.to_csv(smk.output[0], index=False, lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
