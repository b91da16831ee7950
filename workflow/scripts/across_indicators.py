"""Snakemake adapter: the result tables and figures that compare indicators.

Uncertainty of each latest decomposition (BCa intervals, measurement-error sensitivity,
permutation p-values), the localisation profile, the summary / masked / best-and-worst tables
(CSV, Markdown, LaTeX), and the three figures drawn from them: between/within shares, the
within-region share over time and the localisation profile. One job: all of them read the
exports and rerun whenever any indicator changes; each took a second or two, mostly start-up.
"""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.profile_tables import profile_table
from localineq.analysis.uncertainty_tables import uncertainty_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv, read_parquet
from localineq.outputs.figures import (
    between_within_shares,
    localisation_profile,
    save_figure,
    within_share_trend,
)
from localineq.outputs.tables import write_result_tables
from localineq.policy.reference import references_for


def uncertainty(smk, frame, specs) -> None:
    settings = dict(smk.params.uncertainty)
    table = uncertainty_table(
        frame,
        specs,
        measures=[smk.params.measure],
        draws=int(settings["draws"]),
        seed=int(settings["seed"]),
        level=float(settings["level"]),
        permutations=int(settings["permutations"]),
    )
    logging.info("uncertainty: %d rows for %d indicators", len(table), table["indicator"].nunique())
    to_csv(table, smk.output.uncertainty, index=False, float_format="%.10g", lineterminator="\n")


def profile(smk, frame, specs) -> None:
    table = profile_table(
        frame, read_parquet(smk.input.hierarchy), specs, measure=smk.params.measure
    )
    logging.info("profile for %d indicators", table["indicator"].nunique())
    to_csv(table, smk.output.profile, index=False, float_format="%.10g", lineterminator="\n")


def results(smk, frame, specs) -> None:
    references = references_for(frame, list(specs), dict(smk.params.reference))
    logging.info("references: %s", references)
    outputs = {k: smk.output[k] for k in smk.params.result_tables}
    written = write_result_tables(
        decomposition=read_csv(smk.input.decomposition),
        uncertainty=read_csv(smk.output.uncertainty),
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
    fig = localisation_profile(read_csv(smk.output.profile), specs)
    save_figure(fig, smk.output.profile_png, smk.output.profile_svg)


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    # Each step reads the exports afresh, as it did in a job of its own.
    uncertainty(smk, read_indicator_tables(smk.input.indicators), specs)
    profile(smk, read_indicator_tables(smk.input.indicators), specs)
    results(smk, read_indicator_tables(list(smk.input.indicators)), specs)
    figures(smk, specs)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
