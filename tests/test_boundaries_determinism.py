"""The processed boundary GeoPackage is byte-identical across runs (issue 9).

GDAL stamps ``gpkg_contents.last_change`` with the time of writing;
:func:`localineq.data.geography.write_geopackage` writes a fixed date instead.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import box

from localineq.data.fetch import load_catalogue
from localineq.data.geography import (
    GPKG_FIXED_DATE,
    dissolve_regions,
    lad23_boundaries,
    write_geopackage,
)
from localineq.data.lookups import read_itl_lookup, read_topojson_layer

REPO_ROOT = Path(__file__).resolve().parents[1]
PROCESSED = REPO_ROOT / "data" / "processed" / "lad23_boundaries.gpkg"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def last_changes(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT last_change FROM gpkg_contents")}


def test_geopackage_bytes_do_not_depend_on_the_time_of_writing(tmp_path):
    frame = gpd.GeoDataFrame(
        {"area_code": ["E06000001", "E06000002"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    first, second = tmp_path / "a" / "b.gpkg", tmp_path / "b" / "b.gpkg"
    for path in (first, second):
        path.parent.mkdir()
        write_geopackage({"lad": frame, "itl1": frame.dissolve()}, path)
        time.sleep(1.1)  # GDAL's own timestamps have one-second resolution
    assert digest(first) == digest(second)
    assert last_changes(first) == {GPKG_FIXED_DATE}
    write_geopackage({"lad": frame}, first)  # replaces, never appends a layer
    assert gpd.list_layers(first)["name"].tolist() == ["lad"]


@pytest.mark.integration
def test_boundary_file_is_byte_identical_across_builds(tmp_path, mirror):
    config = yaml.safe_load((REPO_ROOT / "config" / "config.yaml").read_text())
    catalogue = load_catalogue(REPO_ROOT / "config" / "sources.yaml")

    def mirrored(key):
        return next(mirror.rglob(catalogue[key].filename))

    hierarchy = read_itl_lookup(mirrored("lad23_itl_lookup"), config["geography"]["primary_itl3"])
    built = []
    for run in ("one", "two"):
        (tmp_path / run).mkdir()
        hierarchy.to_parquet(tmp_path / run / "h.parquet", index=False)
        ltla = read_topojson_layer(mirrored("els_boundaries_topojson"), "ltla")
        lad = lad23_boundaries(ltla, pd.read_parquet(tmp_path / run / "h.parquet"))
        path = tmp_path / run / "lad23_boundaries.gpkg"
        write_geopackage({"lad": lad, "itl1": dissolve_regions(lad, "itl1")}, path)
        built.append(path)
        time.sleep(1.1)
    assert digest(built[0]) == digest(built[1])
    if PROCESSED.exists():  # the pipeline's own file (CI builds it before the tests)
        assert last_changes(PROCESSED) == {GPKG_FIXED_DATE}, f"rebuild {PROCESSED}"
        assert digest(PROCESSED) == digest(built[0])
