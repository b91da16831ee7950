"""Snakemake adapter: between- vs within-region shares across indicators."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.outputs.figures import between_within_shares, save_figure


def main(smk) -> None:
    summary = pd.read_csv(smk.input.summary)
    save_figure(between_within_shares(summary), smk.output.png, smk.output.svg)
    logging.info("%d indicators", len(summary))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
