"""Snakemake adapter: stack prepared indicators into one validated, deterministic table."""

import logging

from localineq.config.joblog import run_job
from localineq.data.indicators import analysis_units, export_table, write_export
from localineq.data.intermediates import read_parquet
from localineq.data.validation import validate_export


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    hierarchy = read_parquet(smk.input.hierarchy)
    upper = read_parquet(smk.input.upper_tier)
    codes = set()
    for spec in specs.values():
        codes |= set(analysis_units(spec, hierarchy, upper)[1]["area_code"])
    table = export_table([read_parquet(p) for p in smk.input.rows], specs)
    units = {k: spec["unit"] for k, spec in specs.items()}
    validate_export(table, codes, units, source=smk.output.csv, code_set_name=smk.params.code_set)
    for key, rows in table.groupby("indicator"):
        latest = rows[rows["period"] == rows["period"].max()]
        logging.info(
            "%s: %d rows, %d periods; latest %s has %d areas with a value",
            key,
            len(rows),
            rows["period"].nunique(),
            latest["period_label"].iloc[0],
            latest["value"].notna().sum(),
        )
    write_export(table, smk.output.csv, smk.output.parquet)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
