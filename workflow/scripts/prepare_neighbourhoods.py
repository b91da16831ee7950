"""Snakemake adapter: MSOA income and Census 2021 LSOA shares, each placed in one LAD23."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import read_code_changes
from localineq.data.small_areas import (
    msoa11_residents,
    msoa_lad23,
    neighbourhood_table,
    read_census_zip_member,
    read_lsoa21_lookup,
    read_msoa_lookup,
    read_small_area_income,
)


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    raw = dict(zip(smk.params.source_keys, smk.input.sources, strict=True))
    hierarchy = read_parquet(smk.input.hierarchy)
    columns = {k: list(v) for k, v in smk.params.columns.items()}
    income = {
        spec["sheet"]: read_small_area_income(
            raw[spec["source"]], spec["sheet"], spec["source"], columns[spec["source"]]
        )
        for spec in specs.values()
        if spec["unit"] == "msoa11"
    }
    la_codes = sorted({c for sheet in income.values() for c in sheet["la_code"]})
    msoa_map = msoa_lad23(
        la_codes,
        dict(smk.params.recodes),
        read_code_changes(smk.input.changes),
        hierarchy["area_code"],
        target_year=smk.params.target_year,
    )
    logging.info(
        "%d published LA codes of the income file; %d recoded onto another LAD23 code",
        len(msoa_map),
        sum(k != v for k, v in msoa_map.items()),
    )
    residents_key = smk.params.residents_source
    residents = read_census_zip_member(
        raw[residents_key], "msoa", residents_key, columns[residents_key]
    )
    total = next(c for c in residents.columns if c.startswith("Total"))
    msoa_key = smk.params.msoa_lookup
    msoa_lookup = read_msoa_lookup(raw[msoa_key], msoa_key, columns[msoa_key])
    weights = msoa11_residents(msoa_lookup, residents.set_index("area_code")[total])
    census = {
        spec["source"]: read_census_zip_member(
            raw[spec["source"]], "lsoa", spec["source"], columns[spec["source"]]
        )
        for spec in specs.values()
        if spec["unit"] == "lsoa21"
    }
    table = neighbourhood_table(
        specs,
        income=income,
        census=census,
        lsoa_lookup=read_lsoa21_lookup(
            raw[smk.params.lsoa_lookup], smk.params.lsoa_lookup, columns[smk.params.lsoa_lookup]
        ),
        msoa_weights=weights,
        msoa_map=msoa_map,
        hierarchy=hierarchy,
    )
    for key, part in table.groupby("indicator", sort=False):
        logging.info(
            "%s: %d %s neighbourhoods in %d LAD23s, weight total %.0f",
            key,
            len(part),
            part["unit"].iloc[0],
            part["lad23_code"].nunique(),
            part["weight"].sum(),
        )
    to_parquet(table, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
