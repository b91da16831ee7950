"""Snakemake adapter: the published indicator tables - the analysis-ready exports (the
title-free panels with each indicator's title) and the indicator catalogue.

The only all-indicator job that reads labels: editing a title reruns it and the jobs that
print titles, not the computations (they read the panels).
"""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.indicators import indicator_catalogue, with_labels, write_export
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    titles = {k: str(spec["title"]) for k, spec in specs.items()}
    for tier in smk.params.tiers:
        table = with_labels(read_parquet(smk.input[f"{tier}_panel"]), titles)
        write_export(table, smk.output[f"{tier}_csv"], smk.output[f"{tier}_parquet"])
        logging.info("%s export: %d rows", tier, len(table))
    catalogue = indicator_catalogue([read_parquet(p) for p in smk.input.rows], specs)
    logging.info("catalogue: %d indicators", len(catalogue))
    to_csv(catalogue, smk.output.catalogue, index=False, lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
