"""Snakemake adapter: the lookups every indicator job reads besides the hierarchy.

Population by LA and year (Table 6), mid-2015 population of LAs on 2019 codes (IoD2019
File 6), LAD23 → upper-tier LA, and the weight-basis populations by LAD23 and year. One job
instead of four: each took under two seconds, about half of a second of it starting Python
with pandas. The outputs stay the four steps' files, and the weight bases read the population
back from the file just written, so the results are those of the separate jobs.
"""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.geography import lad23_to_upper_tier
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import read_code_changes, read_iod_population, read_ltla_lookup
from localineq.data.readers import read_mye2_persons, read_population_table6
from localineq.data.validation import validate, weights_schema
from localineq.data.weights import basis_population


def population(smk) -> None:
    """Population by LA and year from Table 6."""
    table = read_population_table6(
        smk.input.workbook,
        "regional_gdp_la_workbook",
        smk.params.columns["workbook"],
    )
    logging.info("population: %d rows, %d missing", len(table), table["population"].isna().sum())
    to_parquet(table, smk.output.population, index=False)


def old_area_population(smk, changes: pd.DataFrame) -> None:
    """Mid-2015 population of LAs on 2019 codes (IoD2019 File 6)."""
    table = read_iod_population(
        smk.input.file6,
        smk.config["harmonisation"]["old_area_population"],
        smk.params.columns["file6"],
        changes=changes,
    )
    logging.info("old areas: %d LAs (2019 codes and the districts merged into them)", len(table))
    to_parquet(table, smk.output.old_population, index=False)


def upper_tier(smk, changes: pd.DataFrame) -> None:
    """LAD23 → upper-tier LA."""
    members = lad23_to_upper_tier(
        read_parquet(smk.input.hierarchy),
        read_ltla_lookup(
            smk.input.ltla_lookup,
            "ltla_lookup_2014",
            smk.params.columns["ltla_lookup"],
        ),
        changes,
    )
    counties = members[members["unit_code"].str.startswith("E10")]
    logging.info(
        "upper tier: %d LAD23 in %d upper-tier units (%d districts in %d counties)",
        len(members),
        members["unit_code"].nunique(),
        len(counties),
        counties["unit_code"].nunique(),
    )
    to_parquet(members, smk.output.upper_tier, index=False)


def weight_bases(smk) -> None:
    """Weight-basis populations by LAD23 and year (see config weight_bases)."""
    published = read_parquet(smk.output.population)
    mye2 = read_mye2_persons(
        smk.input.mye2,
        "mid2022_population_by_age",
        smk.params.columns["mye2"],
    )
    codes = read_parquet(smk.input.hierarchy)["area_code"]
    tables = []
    for basis, ages in smk.params.bases.items():
        table = basis_population(published, mye2, tuple(ages) if ages else None)
        validate(table, weights_schema(codes), source=f"weight basis {basis}")
        logging.info(
            "%s (ages %s): %d rows, %d missing",
            basis,
            ages,
            len(table),
            table["population"].isna().sum(),
        )
        tables.append(table.assign(basis=basis))
    to_parquet(pd.concat(tables, ignore_index=True), smk.output.weight_bases, index=False)


def main(smk) -> None:
    # The LA code changes, read once for the two steps that need them (neither modifies them).
    changes = read_code_changes(
        smk.input.changes,
        smk.config["harmonisation"]["changes"],
        smk.params.columns["changes"],
    )
    population(smk)
    old_area_population(smk, changes)
    upper_tier(smk, changes)
    weight_bases(smk)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
