"""Snakemake adapter: the neighbourhood profile figures.

Inequality between English LSOAs (IMD score, income rate) and between neighbourhoods
(deprivation, income, health, class), each split over ITL1 → … → LA → small area. One job:
each figure took about a second, mostly starting Python and matplotlib.
"""

import logging

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure
from localineq.outputs.measure_labels import measure_label, table_measure
from localineq.outputs.neighbourhood_figures import (
    lsoa_profile_figure,
    neighbourhood_profile_figure,
)


def lsoa(smk) -> None:
    profile = read_csv(smk.input.lsoa_profile)
    profile = profile[profile["measure"].isin(smk.params.lsoa_measures)]
    save_figure(lsoa_profile_figure(profile), smk.output.lsoa_png, smk.output.lsoa_svg)
    logging.info("LSOA: drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


def neighbourhoods(smk) -> None:
    measures = smk.params.measures
    profile = read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(measures)]
    fig = neighbourhood_profile_figure(
        profile,
        indicator_labels=dict(smk.params.labels),
        xlabel=(
            "Share of inequality between neighbourhoods "
            f"({measure_label(table_measure(measures))}), %"
        ),
        source_line=smk.params.source_line,
    )
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


def main(smk) -> None:
    lsoa(smk)
    neighbourhoods(smk)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
