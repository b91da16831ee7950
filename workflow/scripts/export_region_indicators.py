"""Snakemake adapter: ONS's published ITL1 rows of every mission indicator, real terms beside."""

import logging

import pandas as pd

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.indicators import add_real_terms
from localineq.data.intermediates import read_parquet
from localineq.data.nations import fold_nation_rows
from localineq.data.prices import cpi_base_year, read_cpi
from localineq.data.readers import read_els_csv
from localineq.data.regions import REGION_COLUMNS, published_region_rows

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n", "encoding": "utf-8"}


def main(smk) -> None:
    hierarchy = read_parquet(smk.input.hierarchy)
    names = dict(zip(hierarchy["itl1_code"], hierarchy["itl1_name"], strict=False))
    parts = []
    for key in smk.params.indicators:
        spec = dict(smk.params.specs[key])
        name = f"raw_{key}"
        tidy = read_els_csv(
            smk.input[name], source=spec["source"], columns=smk.params.columns[name]
        )
        for nation, extra in sorted(dict(spec.get("nation_sources") or {}).items()):
            name = f"{key}_nation_{nation}"
            tidy, fold = fold_nation_rows(
                tidy,
                read_els_csv(
                    smk.input[name], source=extra["source"], columns=smk.params.columns[name]
                ),
                key,
                spec,
                nation,
                extra,
                extra_file=smk.input[name],
            )
            logging.info("%s: %s", key, fold.describe())
        rows = published_region_rows(tidy, key, spec, names)
        logging.info("%s: %d published regional rows", key, len(rows))
        parts.append(rows)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=REGION_COLUMNS)
    cpi = read_cpi(smk.input.cpi, columns=smk.params.columns["cpi"])
    money = [k for k in smk.params.money if k in set(smk.params.indicators)]
    table = add_real_terms(table, money, cpi, cpi_base_year(cpi, smk.params.base_year))
    to_csv(table, smk.output.csv, **CSV)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
