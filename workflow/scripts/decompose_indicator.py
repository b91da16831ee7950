"""Snakemake adapter: decomposition table for one indicator."""

import logging

import pandas as pd

from localineq.analysis import decomposition_table


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    table = decomposition_table(
        pd.read_parquet(smk.input.data),
        pd.read_parquet(smk.input.population),
        indicator=smk.wildcards.indicator,
        measures=list(smk.params.measures),
        weightings=list(smk.params.weightings),
    )
    logging.info("%d rows", len(table))
    table.to_csv(smk.output[0], index=False, float_format="%.10g")


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
