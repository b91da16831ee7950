"""Snakemake adapter: one indicator from its raw file to its decomposition and ICC tables.

One job per indicator instead of three (prepare, decompose, ICC): each step took about a
second, most of it the start of a Python process with pandas. The outputs stay the three
steps' files, and each later step reads its input back from the file just written, so the
results are those of the separate jobs.
"""

import logging

from localineq.analysis.decomposition_tables import decomposition_table
from localineq.analysis.multilevel_tables import icc_table
from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv, to_parquet
from localineq.data.harmonise import change_rules
from localineq.data.indicators import build_indicator
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import read_code_changes, read_ltla_lookup
from localineq.data.nations import fold_nation_rows
from localineq.data.readers import read_els_csv
from localineq.data.validation import unit_ranges


def prepare(smk) -> None:
    """Harmonised to 2023 codes, coverage explicit, weights attached, validated."""
    key, spec = smk.wildcards.indicator, dict(smk.params.spec)
    hierarchy = read_parquet(smk.input.hierarchy)
    old = read_parquet(smk.input.old_population)
    changes = smk.config["harmonisation"]["changes"]
    rules = change_rules(
        read_code_changes(smk.input.changes, changes, smk.params.columns["changes"]),
        hierarchy["area_code"],
        smk.params.target_year,
        ltla_lookup=read_ltla_lookup(
            smk.input.ltla_lookup,
            "ltla_lookup_2014",
            smk.params.columns["ltla_lookup"],
        ),
        recodes=dict(smk.params.recodes),
    )
    ranges = unit_ranges(smk.params.unit_range)
    tidy = read_els_csv(smk.input.raw, source=spec["source"], columns=smk.params.columns["raw"])
    for nation, extra in sorted(dict(spec.get("nation_sources") or {}).items()):
        name = f"nation_{nation}"
        tidy, fold = fold_nation_rows(
            tidy,
            read_els_csv(smk.input[name], source=extra["source"], columns=smk.params.columns[name]),
            key,
            spec,
            nation,
            extra,
            extra_file=smk.input[name],
            ranges=ranges,
        )
        logging.info("%s", fold.describe())
    rows, weights, report = build_indicator(
        tidy,
        key,
        spec,
        hierarchy,
        rules=rules,
        old_population=dict(zip(old["area_code"], old["population"], strict=True)),
        upper_tier=read_parquet(smk.input.upper_tier),
        bases=read_parquet(smk.input.weight_bases),
        ranges=ranges,
        raw_file=smk.input.raw,
    )
    for rule, n in report["rule"].value_counts().sort_index().items():
        logging.info("harmonisation %s: %d", rule, n)
    latest = rows[rows["period"] == rows["period"].max()]
    logging.info(
        "%d rows, %d periods; latest %s: %d units, %d with a value, %d missing",
        len(rows),
        rows["period"].nunique(),
        latest["period_label"].iloc[0],
        len(latest),
        latest["value"].notna().sum(),
        latest["value"].isna().sum(),
    )
    to_parquet(rows, smk.output.rows, index=False)
    to_parquet(weights, smk.output.weights, index=False)
    to_csv(report, smk.output.report, index=False)


def decompose(smk) -> None:
    """Between/within-region decomposition, every period."""
    table = decomposition_table(
        read_parquet(smk.output.rows),
        read_parquet(smk.output.weights),
        indicator=smk.wildcards.indicator,
        measures=list(smk.params.measures),
        weightings=list(smk.params.weightings),
        weight_basis=smk.params.spec["weight"],
        noise=dict(smk.params.noise),
    )
    logging.info("decomposition: %d rows", len(table))
    to_csv(table, smk.output.decomposition, index=False, float_format="%.10g")


def icc(smk) -> None:
    """Intraclass correlation (random-intercept model), every period, at each level."""
    table = icc_table(
        read_parquet(smk.output.rows),
        indicator=smk.wildcards.indicator,
        levels=list(smk.params.levels),
    )
    logging.info("ICC: %d rows, %d not converged", len(table), int((~table["converged"]).sum()))
    to_csv(table, smk.output.icc, index=False, float_format="%.10g", lineterminator="\n")


def main(smk) -> None:
    prepare(smk)
    decompose(smk)
    icc(smk)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
