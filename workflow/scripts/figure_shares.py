"""Snakemake adapter: between- vs within-region shares across indicators."""

import logging

from localineq.data.intermediates import read_csv
from localineq.outputs.figures import between_within_shares, save_figure


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    summary = read_csv(smk.input.summary)
    save_figure(between_within_shares(summary), smk.output.png, smk.output.svg)
    logging.info("%d indicators", len(summary))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
