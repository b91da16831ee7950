"""Snakemake adapter: within-region share over time, one panel per indicator."""

import pandas as pd

from localineq.config.joblog import run_job
from localineq.outputs.figures import save_figure, within_share_trend


def main(smk) -> None:
    decomposition = pd.read_csv(smk.input.decomposition)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    fig = within_share_trend(decomposition, specs, measure=smk.params.measure)
    save_figure(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
