"""Snakemake adapter: targets for every local authority (la_targets.csv) and the reference check."""

import logging

import pandas as pd

from localineq.analysis.area_tables import read_indicator_tables
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.policy.reference import choose_reference, reference_check
from localineq.policy.targets import targets_table


def main(smk) -> None:
    frame = read_indicator_tables(list(smk.input.indicators))
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    check = reference_check(frame)
    references = choose_reference(list(specs), dict(smk.params.reference), check)
    check["reference"] = check["indicator"].map(references)
    csv = {"index": False, "float_format": "%.10g", "lineterminator": "\n"}
    to_csv(check, smk.output.reference_check, **csv)
    targets = targets_table(
        frame, specs, dict(smk.params.targets), references, dict(smk.params.missions)
    )
    to_csv(targets, smk.output.targets, **csv)
    for indicator, counts in targets.groupby("indicator", sort=False)["status"]:
        logging.info("%s: %s", indicator, counts.value_counts().to_dict())
    logging.info("references: %s", references)
    logging.info("la_targets: %d rows", len(pd.read_csv(smk.output.targets)))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
