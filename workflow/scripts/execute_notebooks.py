"""Snakemake adapter: execute the narrative notebooks from the project root, render HTML.

All notebooks in one job and one kernel (outputs.notebooks.execute_notebooks): starting a
kernel and importing pandas and matplotlib cost more than the notebooks themselves. Each
notebook still starts as in a kernel of its own (empty namespace, execution count 1, settings
put back), so none sees another's state.
"""

import logging

from localineq.config.joblog import run_job
from localineq.outputs.notebooks import NotebookJob, execute_notebooks


def main(smk) -> None:
    jobs = [
        NotebookJob(
            source,
            smk.output[f"{name}_ipynb"],
            smk.output[f"{name}_html"],
            dict(smk.params.parameters.get(name, {})),
        )
        for name, source in zip(smk.params.names, smk.input.notebooks, strict=True)
    ]
    execute_notebooks(jobs, working_dir=".")
    logging.info("executed %s", ", ".join(str(job.source) for job in jobs))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
