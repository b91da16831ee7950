"""Snakemake adapter: between- vs within-region shares across indicators."""

import logging

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import between_within_shares, save_figure


def main(smk) -> None:
    summary = read_csv(smk.input.summary)
    save_figure(between_within_shares(summary), smk.output.png, smk.output.svg)
    logging.info("%d indicators", len(summary))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
