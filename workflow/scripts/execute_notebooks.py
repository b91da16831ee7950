"""Snakemake adapter: execute the narrative notebooks from the project root, render HTML.

All notebooks in one job: they only read results, and each job of its own paid a Python
start with nbconvert before its kernel started. Each notebook still gets a fresh kernel, so
none sees another's state.
"""

import logging

from localineq.config.joblog import run_job
from localineq.outputs.notebooks import execute_notebook


def main(smk) -> None:
    for name, source in zip(smk.params.names, smk.input.notebooks, strict=True):
        execute_notebook(
            source,
            smk.output[f"{name}_ipynb"],
            smk.output[f"{name}_html"],
            working_dir=".",
            parameters=dict(smk.params.parameters.get(name, {})),
        )
        logging.info("executed %s", source)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
