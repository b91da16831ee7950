"""Snakemake adapter: mid-2015 population of LAs on 2019 codes (IoD2019 File 6)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.lookups import read_iod_population


def main(smk) -> None:
    population = read_iod_population(smk.input.file6)
    logging.info(
        "%d LAs (2019 codes), total %.0f residents", len(population), population["population"].sum()
    )
    population.to_parquet(smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
