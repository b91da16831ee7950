"""Snakemake adapter: execute a notebook from the project root and render HTML."""

import logging

from localineq.outputs.notebooks import execute_notebook


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    execute_notebook(smk.input.notebook, smk.output.ipynb, smk.output.html, working_dir=".")
    logging.info("executed %s", smk.input.notebook)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
