"""Snakemake adapter: execute a notebook from the project root and render HTML."""

import logging

from localineq.config.joblog import run_job
from localineq.outputs.notebooks import execute_notebook


def main(smk) -> None:
    execute_notebook(
        smk.input.notebook,
        smk.output.ipynb,
        smk.output.html,
        working_dir=".",
        parameters=dict(smk.params.parameters),
    )
    logging.info("executed %s", smk.input.notebook)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
