"""Snakemake adapter: decomposition table for one indicator."""

import logging

import pandas as pd

from localineq.outputs.decomposition_tables import decomposition_table


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    data = pd.read_parquet(smk.input.data)
    table = decomposition_table(
        data,
        pd.read_parquet(smk.input.population),
        indicator=smk.wildcards.indicator,
        measures=list(smk.params.measures),
        weightings=list(smk.params.weightings),
        weight_basis=smk.params.weight_basis,
        noise=dict(smk.params.noise),
    )
    logging.info("%d rows", len(table))
    table.to_csv(smk.output[0], index=False, float_format="%.10g")


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
