"""Snakemake adapter: localisation profile ITL1 → ITL2 → ITL3 → LA across indicators."""

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.outputs.figures import localisation_profile, save_figure


def main(smk) -> None:
    profile = read_csv(smk.input.profile)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    save_figure(localisation_profile(profile, specs), smk.output.png, smk.output.svg)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
