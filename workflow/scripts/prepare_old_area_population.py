"""Snakemake adapter: mid-2015 population of LAs on 2019 codes (IoD2019 File 6)."""

import logging

from localineq.data.fetch import declared_columns
from localineq.data.lookups import read_iod_population


def main(smk) -> None:
    sources = smk.config["sources"]
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    population = read_iod_population(
        smk.input.file6,
        smk.config["harmonisation"]["old_area_population"],
        declared_columns(sources, smk.config["harmonisation"]["old_area_population"]),
    )
    logging.info(
        "%d LAs (2019 codes), total %.0f residents", len(population), population["population"].sum()
    )
    population.to_parquet(smk.output[0], index=False)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
