"""Snakemake adapter: LSOA deprivation profile figure (ITL1 → ITL2 → ITL3 → LA → LSOA)."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.outputs.figures import lsoa_profile_figure, save_figure


def main(smk) -> None:
    profile = pd.read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(smk.params.measures)]
    save_figure(lsoa_profile_figure(profile), smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
