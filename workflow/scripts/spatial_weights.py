"""Snakemake adapter: queen contiguity weights of LAD23s and of upper-tier units, as GAL files."""

import logging

from localineq.analysis.spatial_tables import unit_weights
from localineq.config.joblog import run_job
from localineq.data.atomic import write_text
from localineq.data.indicators import analysis_units
from localineq.data.intermediates import read_geopackage, read_parquet
from localineq.stats.spatial import gal_text


def main(smk) -> None:
    lad = read_geopackage(smk.input.boundaries, "lad")
    hierarchy = read_parquet(smk.input.hierarchy)
    upper_tier = read_parquet(smk.input.upper_tier)
    k = int(smk.params.k_islands)
    # Every upper-tier indicator must analyse the same units (one weights file serves them).
    members = None
    for key, spec in smk.params.upper_specs.items():
        found, _ = analysis_units(dict(spec), hierarchy, upper_tier)
        found = found.sort_values("area_code", ignore_index=True)
        if members is not None and not found.equals(members):
            raise ValueError(f"upper-tier indicator {key} has other units than the first one")
        members = found
    outputs = {
        "lad": (smk.output.lad, None),
        "upper": (getattr(smk.output, "upper", None), members),
    }
    for tier, (path, unit_members) in outputs.items():
        if path is None:
            continue
        w = unit_weights(lad, unit_members, k_islands=k)
        write_text(path, gal_text(w), newline=None)
        logging.info(
            "%s: %d units, %d neighbour pairs, %d components, islands after the rule: %s",
            tier,
            w.n,
            sum(w.cardinalities.values()) // 2,
            w.n_components,
            w.islands,
        )


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
