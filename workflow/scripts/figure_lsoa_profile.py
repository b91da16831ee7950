"""Snakemake adapter: LSOA deprivation profile figure (ITL1 → ITL2 → ITL3 → LA → LSOA)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure
from localineq.outputs.neighbourhood_figures import lsoa_profile_figure


def main(smk) -> None:
    profile = read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(smk.params.measures)]
    save_figure(lsoa_profile_figure(profile), smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
