"""Snakemake adapter: English LSOAs with LAD23/ITL geography, population and deprivation."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_parquet
from localineq.data.intermediates import read_parquet
from localineq.data.lookups import (
    read_code_changes,
    read_iod_lsoa_lookup,
    read_iod_lsoa_population,
    read_mysociety_imd,
)
from localineq.data.neighbourhoods import lad19_to_lad23, lsoa_deprivation


def main(smk) -> None:
    lookup = read_iod_lsoa_lookup(smk.input.file1, "imd2019_file1", smk.params.columns["file1"])
    hierarchy = read_parquet(smk.input.hierarchy)
    lad_map = lad19_to_lad23(
        lookup["lad19_code"],
        read_code_changes(
            smk.input.changes,
            smk.config["harmonisation"]["changes"],
            smk.params.columns["changes"],
        ),
        hierarchy["area_code"],
        target_year=smk.params.target_year,
    )
    renamed = {k: v for k, v in lad_map.items() if k != v}
    logging.info("%d LAD19 codes; %d map to another LAD23 code", len(lad_map), len(renamed))
    table = lsoa_deprivation(
        read_mysociety_imd(
            smk.input.scores,
            "imd2019_scores_mysociety",
            smk.params.columns["scores"],
        ),
        lookup,
        read_iod_lsoa_population(smk.input.file6, "imd2019_file6", smk.params.columns["file6"]),
        lad_map,
        hierarchy,
    )
    logging.info(
        "%d LSOAs in %d LAD23s, %.0f residents (mid-2015)",
        len(table),
        table["lad23_code"].nunique(),
        table["population"].sum(),
    )
    to_parquet(table, smk.output[0], index=False)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
