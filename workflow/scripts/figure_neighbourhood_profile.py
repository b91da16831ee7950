"""Snakemake adapter: neighbourhood profile figure (deprivation, income, health, class)."""

import logging

import pandas as pd

from localineq.outputs.figures import neighbourhood_profile_figure, save_figure


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    profile = pd.read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(smk.params.measures)]
    fig = neighbourhood_profile_figure(
        profile,
        indicator_labels=dict(smk.params.labels),
        xlabel="Share of inequality between neighbourhoods (Theil T), %",
        source_line=smk.params.source_line,
    )
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
