"""Snakemake adapter: LAD23 → ITL lookup to one row per LAD."""

import logging

from localineq.data.atomic import to_parquet
from localineq.data.lookups import read_itl_lookup


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    hierarchy = read_itl_lookup(
        smk.input.lookup,
        primary_itl3=dict(smk.params.primary_itl3),
        columns=smk.params.columns["lookup"],
    )
    logging.info("%d LADs, %d split across ITL3s", len(hierarchy), hierarchy["itl3_split"].sum())
    to_parquet(hierarchy, smk.output[0], index=False)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
