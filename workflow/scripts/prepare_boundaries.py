"""Snakemake adapter: LAD23 boundaries (layer `lad`) and ITL1 regions (layer `itl1`)."""

import logging

import pandas as pd

from localineq.data.fetch import declared_columns
from localineq.data.geography import dissolve_regions, lad23_boundaries, write_geopackage
from localineq.data.lookups import read_topojson_layer


def main(smk) -> None:
    sources = smk.config["sources"]
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    ltla = read_topojson_layer(
        smk.input.topojson,
        "ltla",
        columns=declared_columns(sources, "els_boundaries_topojson"),
    )
    lad = lad23_boundaries(ltla, pd.read_parquet(smk.input.hierarchy))
    regions = dissolve_regions(lad, "itl1")
    # Fixed metadata timestamp: byte-identical across runs.
    write_geopackage({"lad": lad, "itl1": regions}, smk.output[0])
    logging.info("%d LAD polygons, %d ITL1 regions", len(lad), len(regions))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
