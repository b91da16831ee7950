"""Snakemake adapter: boundaries simplified once for drawing, at each map scale."""

import logging

import geopandas as gpd
import shapely

from localineq.data.geography import write_geopackage
from localineq.data.map_geometry import DRAWING_SCALES, drawing_layers

#: Drawing CRS of every map: OSGB36 / British National Grid (metres).
BNG = "EPSG:27700"


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    lad = gpd.read_file(smk.input.boundaries, layer="lad").to_crs(BNG)
    layers = {}
    for scale, suffix in DRAWING_SCALES.items():
        tolerance = smk.params.tolerances[scale]
        for name, frame in drawing_layers(lad, float(tolerance)).items():
            layers[f"{name}{suffix}"] = frame
        logging.info(
            "tolerance %s m: %d of %d vertices kept",
            tolerance,
            shapely.get_num_coordinates(layers[f"lad{suffix}"].geometry.to_numpy()).sum(),
            shapely.get_num_coordinates(lad.geometry.to_numpy()).sum(),
        )
    write_geopackage(layers, smk.output[0])


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
