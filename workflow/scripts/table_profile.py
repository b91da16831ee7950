"""Snakemake adapter: localisation profile (ITL1 → ITL2 → ITL3 → LA) of each indicator."""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.profile_tables import profile_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    table = profile_table(
        read_indicator_tables(smk.input.indicators),
        read_parquet(smk.input.hierarchy),
        {k: dict(v) for k, v in smk.params.specs.items()},
        measure=smk.params.measure,
    )
    logging.info("profile for %d indicators", table["indicator"].nunique())
    to_csv(table, smk.output[0], index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
