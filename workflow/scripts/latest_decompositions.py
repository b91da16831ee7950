"""Snakemake adapter: the latest decomposition of every indicator, examined - its uncertainty
(BCa intervals, measurement-error sensitivity, permutation p-values) and its localisation
profile. Reads the title-free panels: no label enters these numbers.
"""

import logging

from localineq.analysis.area_tables import read_indicator_tables
from localineq.analysis.profile_tables import profile_table
from localineq.analysis.uncertainty_tables import uncertainty_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet


def uncertainty(smk, frame, specs) -> None:
    settings = dict(smk.params.uncertainty)
    table = uncertainty_table(
        frame,
        specs,
        measures=[smk.params.measure],
        draws=int(settings["draws"]),
        seed=int(settings["seed"]),
        level=float(settings["level"]),
        permutations=int(settings["permutations"]),
    )
    logging.info("uncertainty: %d rows for %d indicators", len(table), table["indicator"].nunique())
    to_csv(table, smk.output.uncertainty, index=False, float_format="%.10g", lineterminator="\n")


def profile(smk, frame, specs) -> None:
    table = profile_table(
        frame, read_parquet(smk.input.hierarchy), specs, measure=smk.params.measure
    )
    logging.info("profile for %d indicators", table["indicator"].nunique())
    to_csv(table, smk.output.profile, index=False, float_format="%.10g", lineterminator="\n")


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    # Each step reads the panels afresh, as it did in a job of its own.
    uncertainty(smk, read_indicator_tables(smk.input.indicators), specs)
    profile(smk, read_indicator_tables(smk.input.indicators), specs)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
