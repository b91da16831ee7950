"""Snakemake adapter: the result tables and figures that compare indicators, with titles.

The summary / masked / best-and-worst tables (CSV, Markdown, LaTeX), and the three figures:
between/within shares, the within-region share over time and the localisation profile (its
table and the uncertainty come from rule latest_decompositions). One job: all of them rerun
whenever any indicator or its title changes; each took a second or two, mostly start-up.
"""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import (
    between_within_shares,
    localisation_profile,
    save_figure,
    within_share_trend,
)
from localineq.outputs.tables import write_result_tables
from localineq.policy.reference import references_for


def results(smk, frame, specs) -> None:
    references = references_for(frame, list(specs), dict(smk.params.reference))
    logging.info("references: %s", references)
    outputs = {k: smk.output[k] for k in smk.params.result_tables}
    written = write_result_tables(
        decomposition=read_csv(smk.input.decomposition),
        uncertainty=read_csv(smk.input.uncertainty),
        indicator_tables=list(smk.input.indicators),
        specs=specs,
        outputs=outputs,
        measure=smk.params.measure,
        top_n=int(smk.params.top_n),
        references=references,
        persistence_periods=int(smk.params.persistence_periods),
    )
    for name, rows in written.items():
        logging.info("%s: %d rows", name, rows)


def figures(smk, specs) -> None:
    summary = read_csv(smk.output.summary_csv)
    save_figure(between_within_shares(summary), smk.output.shares_png, smk.output.shares_svg)
    decomposition = read_csv(smk.input.decomposition)
    fig = within_share_trend(decomposition, specs, measure=smk.params.measure)
    save_figure(fig, smk.output.trend_png, smk.output.trend_svg)
    fig = localisation_profile(read_csv(smk.input.profile), specs)
    save_figure(fig, smk.output.profile_png, smk.output.profile_svg)


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    results(smk, read_indicator_tables(list(smk.input.indicators)), specs)
    figures(smk, specs)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
