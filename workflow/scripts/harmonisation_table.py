"""Snakemake adapter: one table of every harmonisation rule applied, by indicator."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv


def main(smk) -> None:
    tables = [
        read_csv(path, dtype=str, keep_default_na=False).assign(indicator=key)
        for key, path in zip(smk.params.indicators, smk.input.tables, strict=True)
    ]
    table = pd.concat(tables, ignore_index=True)
    columns = ["indicator", "period", "area_code", "rule", "constituents", "n_rows", "note"]
    table = table[columns].sort_values(columns[:5]).reset_index(drop=True)
    logging.info("%s", table.groupby(["indicator", "rule"]).size().to_string())
    to_csv(table, smk.output[0], index=False, lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
