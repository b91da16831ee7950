"""Snakemake adapter: map of every authority's target status for the headline indicators."""

import logging

from localineq.config.joblog import run_job
from localineq.data.indicators import analysis_units
from localineq.data.intermediates import read_csv, read_parquet
from localineq.outputs.map_links import save_linked_map
from localineq.outputs.maps import MAP_SVG_DECIMALS, read_drawing_layers
from localineq.outputs.target_figures import status_links, status_map


def main(smk) -> None:
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    headline = list(smk.params.headline)
    hierarchy = read_parquet(smk.input.hierarchy)
    upper = read_parquet(smk.input.upper_tier)
    members = {k: analysis_units(specs[k], hierarchy, upper)[0] for k in headline}
    targets = read_csv(smk.input.targets, dtype={"area_code": str})
    lad, regions = read_drawing_layers(smk.input.boundaries, "small")
    links = status_links(targets, headline, specs)
    fig = status_map(lad, regions, targets, headline, specs, members, links=links)
    save_linked_map(fig, smk.output.png, smk.output.svg, svg_decimals=MAP_SVG_DECIMALS, links=links)
    logging.info("status map of %s", headline)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
