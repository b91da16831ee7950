"""Snakemake adapter: LAD23 → ITL lookup to one row per LAD."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.lookups import read_itl_lookup


def main(smk) -> None:
    hierarchy = read_itl_lookup(
        smk.input.lookup,
        primary_itl3=dict(smk.params.primary_itl3),
        columns=smk.params.columns["lookup"],
    )
    logging.info("%d LADs, %d split across ITL3s", len(hierarchy), hierarchy["itl3_split"].sum())
    to_parquet(hierarchy, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
