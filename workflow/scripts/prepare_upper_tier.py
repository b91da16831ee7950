"""Snakemake adapter: LAD23 → upper-tier LA."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.geography import lad23_to_upper_tier
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import read_code_changes, read_ltla_lookup


def main(smk) -> None:
    members = lad23_to_upper_tier(
        read_parquet(smk.input.hierarchy),
        read_ltla_lookup(
            smk.input.ltla_lookup,
            "ltla_lookup_2014",
            smk.params.columns["ltla_lookup"],
        ),
        read_code_changes(
            smk.input.changes,
            smk.config["harmonisation"]["changes"],
            smk.params.columns["changes"],
        ),
    )
    counties = members[members["unit_code"].str.startswith("E10")]
    logging.info(
        "%d LAD23 in %d upper-tier units (%d districts in %d counties)",
        len(members),
        members["unit_code"].nunique(),
        len(counties),
        counties["unit_code"].nunique(),
    )
    to_parquet(members, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
