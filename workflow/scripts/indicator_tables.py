"""Snakemake adapter: the all-indicator tables built from the per-indicator files.

Decomposition and ICC tables (stacked), the harmonisation log and the title-free panels
(LAD23, and upper-tier units) that every computation reads. One job: every one of them is
rebuilt whenever any indicator's data or settings change, each took under two seconds, mostly
process start-up. No label is read here, so a title edit does not rerun it (rule
indicator_exports publishes the panels with their titles).
"""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.indicators import add_real_terms, analysis_units, panel_table, write_export
from localineq.data.intermediates import read_csv, read_parquet
from localineq.data.prices import cpi_base_year, read_cpi
from localineq.data.validation import unit_ranges, validate_export


def stacked(paths, output) -> None:
    """Per-indicator CSV tables stacked into one (decomposition, ICC)."""
    tables = [read_csv(path) for path in paths]
    combined = pd.concat(tables, ignore_index=True)
    logging.info("%s: %d rows from %d tables", output, len(combined), len(tables))
    to_csv(combined, output, index=False, float_format="%.10g")


def harmonisation(indicators, paths, output) -> None:
    """Every harmonisation rule applied, by indicator."""
    tables = [
        read_csv(path, dtype=str, keep_default_na=False).assign(indicator=key)
        for key, path in zip(indicators, paths, strict=True)
    ]
    table = pd.concat(tables, ignore_index=True)
    columns = ["indicator", "period", "area_code", "rule", "constituents", "n_rows", "note"]
    table = table[columns].sort_values(columns[:5]).reset_index(drop=True)
    logging.info("%s", table.groupby(["indicator", "rule"]).size().to_string())
    to_csv(table, output, index=False, lineterminator="\n")


def panel(smk, tier: str, hierarchy, upper) -> None:
    """One tier's indicators stacked into a validated, deterministic panel (CSV + Parquet),
    money indicators in real terms beside nominal."""
    export_params = smk.params.exports[tier]
    specs = {k: dict(v) for k, v in export_params["specs"].items()}
    csv, parquet = smk.output[f"{tier}_csv"], smk.output[f"{tier}_parquet"]
    codes = set()
    for spec in specs.values():
        codes |= set(analysis_units(spec, hierarchy, upper)[1]["area_code"])
    table = panel_table([read_parquet(p) for p in smk.input[f"{tier}_rows"]], specs)
    units = {k: spec["unit"] for k, spec in specs.items()}
    ranges = unit_ranges(export_params["units"])
    validate_export(
        table, codes, units, ranges, source=csv, code_set_name=export_params["code_set"]
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
    money = [k for k in export_params["money"] if k in specs]
    if money:  # real terms beside nominal (issue 20); tables without money stay as they were
        cpi = read_cpi(smk.input.cpi, columns=smk.params.columns["cpi"])
        base = cpi_base_year(cpi, smk.params.base_year)
        table = add_real_terms(table, money, cpi, base)
        logging.info("deflated %s to %d prices with CPI D7BT", ", ".join(money), base)
    write_export(table, csv, parquet)


def main(smk) -> None:
    stacked(smk.input.decomposition, smk.output.decomposition)
    stacked(smk.input.icc, smk.output.icc)
    harmonisation(smk.params.indicators, smk.input.harmonisation, smk.output.harmonisation)
    hierarchy = read_parquet(smk.input.hierarchy)
    upper = read_parquet(smk.input.upper_tier)
    for tier in smk.params.exports:
        panel(smk, tier, hierarchy, upper)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
