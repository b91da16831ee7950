"""Snakemake adapter: LSOA deprivation profile figure (ITL1 → ITL2 → ITL3 → LA → LSOA)."""

import logging

from localineq.data.intermediates import read_csv
from localineq.outputs.figures import lsoa_profile_figure, save_figure


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    profile = read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(smk.params.measures)]
    save_figure(lsoa_profile_figure(profile), smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
