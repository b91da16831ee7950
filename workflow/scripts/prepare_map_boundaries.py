"""Snakemake adapter: boundaries simplified once for drawing, at each map scale."""

import logging

import shapely

from localineq.config.joblog import run_job
from localineq.data.geography import write_geopackage
from localineq.data.intermediates import read_geopackage
from localineq.data.map_geometry import drawing_layer_set


def main(smk) -> None:
    lad = read_geopackage(smk.input.boundaries, "lad")
    layers = drawing_layer_set(lad, dict(smk.params.tolerances))
    full = shapely.get_num_coordinates(lad.geometry.to_numpy()).sum()
    for name, frame in layers.items():
        kept = shapely.get_num_coordinates(frame.geometry.to_numpy()).sum()
        logging.info(
            "%s: %d rows, %d vertices (full LAD23 boundaries: %d)", name, len(frame), kept, full
        )
    write_geopackage(layers, smk.output[0])


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
