"""Snakemake adapter: the indicator catalogue (definition, weight basis, coverage)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.indicators import indicator_catalogue
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    table = indicator_catalogue([read_parquet(p) for p in smk.input.indicators], specs)
    logging.info("%d indicators", len(table))
    to_csv(table, smk.output[0], index=False, lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
