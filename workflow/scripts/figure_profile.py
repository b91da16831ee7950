"""Snakemake adapter: localisation profile ITL1 → ITL2 → ITL3 → LA across indicators."""

import logging

from localineq.data.intermediates import read_csv
from localineq.outputs.figures import localisation_profile, save_figure


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    profile = read_csv(smk.input.profile)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    save_figure(localisation_profile(profile, specs), smk.output.png, smk.output.svg)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
