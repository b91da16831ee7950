"""Snakemake adapter: population by LA and year from Table 6."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.readers import read_population_table6


def main(smk) -> None:
    population = read_population_table6(
        smk.input.workbook,
        "regional_gdp_la_workbook",
        smk.params.columns["workbook"],
    )
    logging.info("%d rows, %d missing", len(population), population["population"].isna().sum())
    to_parquet(population, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
