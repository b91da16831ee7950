"""Snakemake adapter: LISA of one drawn indicator's latest period (the rows its map draws).

The same computation, with the same seed, as that indicator's rows of ``lisa_clusters.csv``
(rule ``spatial_lisa``); done per indicator so that editing one indicator does not redraw
every other indicator's LISA map.
"""

import logging

import pandas as pd

from localineq.data.indicators import analysis_units
from localineq.outputs.area_tables import read_indicator_tables
from localineq.outputs.spatial_tables import lisa_tables, read_gal, unit_population


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    key = smk.wildcards.indicator
    spec = dict(smk.params.spec)
    settings = dict(smk.params.settings)
    hierarchy = pd.read_parquet(smk.input.hierarchy)
    members = None
    if spec.get("tier", "lad") != "lad":
        members, _ = analysis_units(spec, hierarchy, pd.read_parquet(smk.input.upper_tier))
    regions = hierarchy.drop_duplicates("itl1_code")
    lisa, _ = lisa_tables(
        read_indicator_tables([smk.input.rows]),
        read_gal(smk.input.weights),
        {key: spec},
        population=unit_population(pd.read_parquet(smk.input.population), members),
        permutations=int(settings["local_permutations"]),
        seed=int(settings["seed"]),
        alpha=float(settings["fdr_alpha"]),
        region_names=dict(zip(regions["itl1_code"], regions["itl1_name"], strict=True)),
    )
    lisa.to_csv(smk.output[0], index=False, lineterminator="\n")
    logging.info("%s: %s", key, lisa["lisa_class"].value_counts().to_dict())


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
