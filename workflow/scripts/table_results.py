"""Snakemake adapter: summary, masked-LA and best/worst tables as CSV, Markdown and LaTeX."""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.tables import write_result_tables
from localineq.policy.reference import references_for


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    frame = read_indicator_tables(list(smk.input.indicators))
    references = references_for(frame, list(specs), dict(smk.params.reference))
    logging.info("references: %s", references)
    written = write_result_tables(
        decomposition=read_csv(smk.input.decomposition),
        uncertainty=read_csv(smk.input.uncertainty),
        indicator_tables=list(smk.input.indicators),
        specs=specs,
        outputs=dict(smk.output),
        measure=smk.params.measure,
        top_n=int(smk.params.top_n),
        references=references,
        persistence_periods=int(smk.params.persistence_periods),
    )
    for name, rows in written.items():
        logging.info("%s: %d rows", name, rows)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
