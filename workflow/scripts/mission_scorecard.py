"""Snakemake adapter: the published mission scorecard - the table with indicator titles, and
the figure setting regional and local verdicts side by side, per mission."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure
from localineq.outputs.mission_figures import scorecard_figure
from localineq.policy.scorecard_columns import with_indicator_titles


def main(smk) -> None:
    # As text, so every cell the mission tests wrote keeps its bytes.
    card = read_csv(smk.input.scorecard, dtype=str, keep_default_na=False)
    card = with_indicator_titles(card, dict(smk.params.titles))
    to_csv(card, smk.output.scorecard, index=False, lineterminator="\n", encoding="utf-8")
    table = read_csv(smk.output.scorecard)
    fig = scorecard_figure(table, dict(smk.params.labels))
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("%d scorecard rows labelled and drawn", len(table))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
