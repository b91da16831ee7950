"""Snakemake adapter: weight-basis populations by LAD23 and year (see config weight_bases)."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.intermediates import read_parquet
from localineq.data.readers import read_mye2_persons
from localineq.data.validation import validate, weights_schema
from localineq.data.weights import basis_population


def main(smk) -> None:
    population = read_parquet(smk.input.population)
    mye2 = read_mye2_persons(
        smk.input.mye2,
        "mid2022_population_by_age",
        smk.params.columns["mye2"],
    )
    codes = read_parquet(smk.input.hierarchy)["area_code"]
    tables = []
    for basis, ages in smk.params.bases.items():
        table = basis_population(population, mye2, tuple(ages) if ages else None)
        validate(table, weights_schema(codes), source=f"weight basis {basis}")
        logging.info(
            "%s (ages %s): %d rows, %d missing",
            basis,
            ages,
            len(table),
            table["population"].isna().sum(),
        )
        tables.append(table.assign(basis=basis))
    to_parquet(pd.concat(tables, ignore_index=True), smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
