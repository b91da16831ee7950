"""Snakemake adapter: neighbourhood profile, each LA's internal spread, widest internal gaps."""

import logging

import pandas as pd

from localineq.analysis.neighbourhood_tables import (
    internal_spread,
    neighbourhood_noise,
    neighbourhood_profile,
    widest_gaps,
)
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_parquet
from localineq.data.small_areas import deprivation_long


def _write(frame: pd.DataFrame, path: str) -> None:
    to_csv(frame, path, index=False, float_format="%.10g", lineterminator="\n")


def main(smk) -> None:
    table = pd.concat(
        [
            deprivation_long(read_parquet(smk.input.lsoa), smk.params.deprivation),
            read_parquet(smk.input.neighbourhoods),
        ],
        ignore_index=True,
    )
    profile = neighbourhood_profile(
        table, dict(smk.params.weight_basis), measures=smk.params.measures
    )
    within = profile[(profile["level"] == "within lad23") & (profile["measure"] == "theil_t")]
    for row in within.itertuples(index=False):
        logging.info(
            "%s (%d %s) %s: %.1f%% within LAs",
            row.indicator,
            row.n_units,
            row.unit,
            row.weighting,
            100 * row.share,
        )
    spread = internal_spread(table)
    hierarchy = read_parquet(smk.input.hierarchy)
    names = dict(zip(hierarchy["area_code"], hierarchy["area_name"], strict=True))
    _write(profile, smk.output.profile)
    _write(spread, smk.output.spread)
    _write(widest_gaps(spread, names, n=smk.params.widest), smk.output.widest)
    noise = neighbourhood_noise(table, seed=int(smk.params.seed))
    _write(noise, smk.output.noise)
    logging.info("noise correction: %d rows", len(noise))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
