"""Snakemake adapter: mid-2015 population of LAs on 2019 codes (IoD2019 File 6)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.lookups import read_code_changes, read_iod_population


def main(smk) -> None:
    population = read_iod_population(
        smk.input.file6,
        smk.config["harmonisation"]["old_area_population"],
        smk.params.columns["file6"],
        changes=read_code_changes(
            smk.input.changes,
            smk.config["harmonisation"]["changes"],
            smk.params.columns["changes"],
        ),
    )
    logging.info("%d LAs (2019 codes and the districts merged into them)", len(population))
    to_parquet(population, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
