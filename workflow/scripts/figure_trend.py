"""Snakemake adapter: within-region share over time, one panel per indicator."""

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import save_figure, within_share_trend


def main(smk) -> None:
    decomposition = read_csv(smk.input.decomposition)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    fig = within_share_trend(decomposition, specs, measure=smk.params.measure)
    save_figure(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
