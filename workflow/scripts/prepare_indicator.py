"""Snakemake adapter: one indicator's LA rows on LAD23 codes."""

import logging

import pandas as pd

from localineq.indicators import prepare_indicator
from localineq.readers import read_els_csv


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    spec = dict(smk.params.spec)
    tidy = read_els_csv(smk.input.raw, source=spec["source"])
    hierarchy = pd.read_parquet(smk.input.hierarchy)
    rows = prepare_indicator(tidy, smk.wildcards.indicator, spec, hierarchy)
    logging.info("%d rows, %d periods", len(rows), rows["period"].nunique())
    rows.to_parquet(smk.output[0], index=False)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
