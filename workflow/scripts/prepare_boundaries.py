"""Snakemake adapter: LAD23 boundaries (layer `lad`) and ITL1 regions (layer `itl1`)."""

import logging

from localineq.config.joblog import run_job
from localineq.data.geography import dissolve_regions, lad23_boundaries, write_geopackage
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import read_topojson_layer


def main(smk) -> None:
    ltla = read_topojson_layer(
        smk.input.topojson,
        "ltla",
        columns=smk.params.columns["topojson"],
    )
    lad = lad23_boundaries(ltla, read_parquet(smk.input.hierarchy))
    regions = dissolve_regions(lad, "itl1")
    # Fixed metadata timestamp: byte-identical across runs.
    write_geopackage({"lad": lad, "itl1": regions}, smk.output[0])
    logging.info("%d LAD polygons, %d ITL1 regions", len(lad), len(regions))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
