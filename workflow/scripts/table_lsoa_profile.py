"""Snakemake adapter: LSOA inequality split over ITL1 → ITL2 → ITL3 → LA → LSOA."""

import logging

from localineq.analysis.profile_tables import lsoa_profile
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet


def main(smk) -> None:
    table = lsoa_profile(read_parquet(smk.input.lsoa), measures=smk.params.measures)
    within = table[table["level"] == "within lad23"]
    for row in within.itertuples(index=False):
        logging.info(
            "%s %s %s: %.1f%% within LAs",
            row.indicator,
            row.measure,
            row.weighting,
            100 * row.share,
        )
    to_csv(table, smk.output[0], index=False, float_format="%.10g", lineterminator="\n")


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
