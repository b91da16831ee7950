"""Snakemake adapter: stack prepared indicators into one validated, deterministic table."""

import logging

from localineq.config.joblog import run_job
from localineq.data.indicators import add_real_terms, analysis_units, export_table, write_export
from localineq.data.intermediates import read_parquet
from localineq.data.prices import cpi_base_year, read_cpi
from localineq.data.validation import unit_ranges, validate_export


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    hierarchy = read_parquet(smk.input.hierarchy)
    upper = read_parquet(smk.input.upper_tier)
    codes = set()
    for spec in specs.values():
        codes |= set(analysis_units(spec, hierarchy, upper)[1]["area_code"])
    table = export_table([read_parquet(p) for p in smk.input.rows], specs)
    units = {k: spec["unit"] for k, spec in specs.items()}
    ranges = unit_ranges(smk.params.units)
    validate_export(
        table, codes, units, ranges, source=smk.output.csv, code_set_name=smk.params.code_set
    )
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
    money = [k for k in smk.params.get("money", []) if k in specs]
    if money:  # real terms beside nominal (issue 20); tables without money stay as they were
        cpi = read_cpi(smk.input.cpi, columns=smk.params.columns["cpi"])
        base = cpi_base_year(cpi, smk.params.base_year)
        table = add_real_terms(table, money, cpi, base)
        logging.info("deflated %s to %d prices with CPI D7BT", ", ".join(money), base)
    write_export(table, smk.output.csv, smk.output.parquet)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
