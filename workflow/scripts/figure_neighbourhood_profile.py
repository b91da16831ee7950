"""Snakemake adapter: neighbourhood profile figure (deprivation, income, health, class)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure
from localineq.outputs.measure_labels import measure_label, table_measure
from localineq.outputs.neighbourhood_figures import neighbourhood_profile_figure


def main(smk) -> None:
    profile = read_csv(smk.input.profile)
    profile = profile[profile["measure"].isin(smk.params.measures)]
    fig = neighbourhood_profile_figure(
        profile,
        indicator_labels=dict(smk.params.labels),
        xlabel=(
            "Share of inequality between neighbourhoods "
            f"({measure_label(table_measure(smk.params.measures))}), %"
        ),
        source_line=smk.params.source_line,
    )
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("drew %d bars", len(profile.groupby(["indicator", "measure", "weighting"])))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
