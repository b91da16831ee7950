"""Snakemake adapter: regional and local verdicts side by side, per mission."""

import logging

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure
from localineq.outputs.mission_figures import scorecard_figure


def main(smk) -> None:
    table = read_csv(smk.input.scorecard)
    fig = scorecard_figure(table, dict(smk.params.labels))
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("%d scorecard rows drawn", len(table))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
