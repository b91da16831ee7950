"""Snakemake adapter: results/tables/datapackage.json and the codebook README.md, both from
localineq/outputs/codebook.yaml (localineq.outputs.codebook)."""

import logging
from pathlib import Path

import yaml

from localineq import __version__
from localineq.config.joblog import run_job
from localineq.data.atomic import write_text
from localineq.outputs.codebook import (
    codebook_markdown,
    datapackage,
    load_codebook,
    milestone_years_of,
    read_header,
    write_json,
)


def main(smk) -> None:
    descriptor = Path(smk.output.descriptor)
    # Which milestone years exist depends on the earliest baseline: read them from the table.
    years = milestone_years_of(read_header(descriptor.parent / "la_targets.csv"))
    codebook = load_codebook(
        smk.input.codebook, horizon=int(smk.params.horizon), milestone_years=years
    )
    with open(smk.input.sources, encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)["sources"]
    package = datapackage(codebook, sources, descriptor.parent, __version__)
    write_json(package, descriptor)
    write_text(smk.output.codebook, codebook_markdown(codebook, __version__, sources))
    logging.info(
        "%d tables, %d columns, %d sources",
        len(package["resources"]),
        sum(len(r["schema"]["fields"]) for r in package["resources"]),
        len(package["sources"]),
    )


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
