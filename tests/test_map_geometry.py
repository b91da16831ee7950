"""Maps made cheap: boundaries simplified once (topology kept, invisible detail dropped), small
SVGs, and quantile classes without importing mapclassify.

Unit tests build their own coverages; the integration tests check the real map layers and
map SVGs that the pipeline draws from them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from localineq.data.map_geometry import borders_between, drawing_layers, simplify_coverage
from localineq.outputs.figures import round_svg_paths, save_figure
from localineq.outputs.maps import choropleth, class_breaks, read_drawing_layers


def wiggly_coverage(n_regions: int = 12, seed: int = 1) -> gpd.GeoDataFrame:
    """A valid coverage of a 100 km square with staircase edges: 1 km cells, nearest seed."""
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, 100_000, size=(n_regions, 2))
    xs, ys = np.meshgrid(np.arange(100) * 1_000.0, np.arange(100) * 1_000.0)
    corners = np.column_stack([xs.ravel(), ys.ravel()])
    centres = corners + 500.0
    owner = np.argmin(((centres[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
    cells = shapely.box(corners[:, 0], corners[:, 1], corners[:, 0] + 1_000, corners[:, 1] + 1_000)
    frame = gpd.GeoDataFrame({"owner": owner}, geometry=cells, crs="EPSG:27700")
    regions = frame.dissolve(by="owner").reset_index()
    return gpd.GeoDataFrame(
        {"area_code": [f"A{i:03d}" for i in regions["owner"]]},
        geometry=regions.geometry.to_numpy(),
        crs="EPSG:27700",
    ).assign(itl1_code=lambda d: np.where(d.geometry.centroid.x < 50_000, "W", "E"))


def _overlap_and_gap(geoms: np.ndarray, extent: float) -> tuple[float, float]:
    union = shapely.union_all(geoms)
    return float(shapely.area(geoms).sum() - union.area), float(extent - union.area)


def test_coverage_simplification_keeps_neighbours_edges_shared():
    coverage = wiggly_coverage()
    assert shapely.coverage_is_valid(coverage.geometry.to_numpy())
    simplified = simplify_coverage(coverage, 3_000.0)
    geoms = simplified.geometry.to_numpy()
    before = shapely.get_num_coordinates(coverage.geometry.to_numpy()).sum()
    assert shapely.get_num_coordinates(geoms).sum() < before / 3
    assert shapely.coverage_is_valid(geoms)
    overlap, gap = _overlap_and_gap(geoms, 100_000.0**2)
    assert overlap == pytest.approx(0.0, abs=1e-3) and gap == pytest.approx(0.0, abs=1e-3)
    # Simplifying each polygon on its own, as the maps used to, opens gaps and overlaps.
    alone = shapely.simplify(coverage.geometry.to_numpy(), 3_000.0)
    assert max(_overlap_and_gap(alone, 100_000.0**2)) > 1e4
    assert simplified["area_code"].tolist() == coverage["area_code"].tolist()


def test_small_parts_are_dropped_but_every_area_keeps_its_largest_part():
    islands = shapely.union_all([Point(x, 0).buffer(100) for x in (0, 1_000, 2_000)])
    main_and_islet = shapely.union_all(
        [box(10_000, 0, 20_000, 10_000), box(30_000, 0, 30_200, 200)]
    )
    frame = gpd.GeoDataFrame(
        {"area_code": ["tiny", "big"]}, geometry=[islands, main_and_islet], crs="EPSG:27700"
    )
    kept = simplify_coverage(frame, 0.0, min_part_area=1e6)
    assert kept.geometry.iloc[0].geom_type == "Polygon"  # one islet left: the largest
    assert kept.geometry.iloc[0].area == pytest.approx(islands.geoms[0].area, rel=1e-9)
    assert kept.geometry.iloc[1].equals(box(10_000, 0, 20_000, 10_000))


def test_simplification_refuses_degrees_and_negative_tolerances():
    frame = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    with pytest.raises(ValueError, match="projected CRS"):
        simplify_coverage(frame, 0.1)
    with pytest.raises(ValueError, match=">= 0"):
        simplify_coverage(frame.set_crs("EPSG:27700", allow_override=True), -1.0)


def test_borders_are_the_lines_between_groups_not_the_coast():
    cells = [box(x, y, x + 1, y + 1) for y in (0, 1) for x in (0, 1, 2)]
    frame = gpd.GeoDataFrame({"r": ["a", "a", "b", "c", "c", "b"]}, geometry=cells)
    borders = borders_between(frame, "r").set_index(["r_a", "r_b"])
    assert borders.geometry.length.to_dict() == {("a", "b"): 1.0, ("a", "c"): 2.0, ("b", "c"): 1.0}
    layers = drawing_layers(wiggly_coverage(), 1_000.0)
    [(pair, line)] = (
        layers["itl1_borders"].set_index(["itl1_code_a", "itl1_code_b"]).geometry.items()
    )
    assert pair == ("E", "W")
    # Every border vertex is a vertex of the simplified polygons (the border lies on their edges).
    corners = {tuple(c) for c in shapely.get_coordinates(layers["lad"].geometry.to_numpy())}
    assert {tuple(c) for c in shapely.get_coordinates(line)} <= corners


def test_rounded_svg_is_valid_and_only_path_data_changes(tmp_path):
    coverage = wiggly_coverage()
    values = pd.DataFrame(
        {"area_code": coverage["area_code"], "value": np.arange(len(coverage), dtype=float)}
    )
    lad = coverage.assign(itl1_code=np.where(coverage.index < 5, "TLI", coverage["itl1_code"]))
    fig = choropleth(lad, lad, values, title="t", unit="u", higher_is_better=True, period_label="p")
    save_figure(fig, tmp_path / "full.png", tmp_path / "full.svg")
    fig = choropleth(lad, lad, values, title="t", unit="u", higher_is_better=True, period_label="p")
    save_figure(fig, tmp_path / "short.png", tmp_path / "short.svg", svg_decimals=1)
    full, short = (tmp_path / "full.svg").read_text(), (tmp_path / "short.svg").read_text()
    ET.fromstring(short.encode())  # still well-formed XML
    assert len(short) < 0.8 * len(full)
    assert (tmp_path / "full.png").read_bytes() == (tmp_path / "short.png").read_bytes()
    assert round_svg_paths(full, 1) == short
    for data in re.findall(r'\sd="([^"]*)"', short):
        assert not re.search(r"\d\.\d\d", data)
    plt.close("all")


# --- the real layers and maps ---------------------------------------------------------------

MAPS = "results/figures"
MAP_LAYERS = "data/processed/lad23_map_boundaries.gpkg"


@pytest.fixture(scope="module")
def built(repo_root, mirror):
    with open(repo_root / "config" / "config.yaml") as handle:
        figures = yaml.safe_load(handle)["figures"]
    targets = [MAP_LAYERS, f"{MAPS}/target_status.svg"]
    for key in figures["headline"]:
        targets += [f"{MAPS}/{kind}_{key}.svg" for kind in ("map", "gap_map", "lisa_map")]
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *targets]
    command += ["--config", f"mirror={os.path.relpath(mirror, repo_root)}"]
    run = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=3000)
    assert run.returncode == 0, run.stderr[-4000:]
    return repo_root, figures, targets


@pytest.mark.integration
def test_every_map_svg_is_at_most_500_kb_per_map(built):
    root, figures, targets = built
    svgs = [t for t in targets if t.endswith(".svg")]
    assert len(svgs) == 1 + 3 * len(figures["headline"])
    for svg in svgs:
        maps_drawn = len(figures["headline"]) if svg.endswith("target_status.svg") else 1
        size = (root / svg).stat().st_size
        assert size <= 500_000 * maps_drawn, f"{svg}: {size:,} bytes for {maps_drawn} map(s)"


@pytest.mark.integration
def test_real_map_layers_keep_every_area_and_its_area(built):
    root, figures, _ = built
    full = gpd.read_file(root / "data/processed/lad23_boundaries.gpkg", layer="lad").to_crs(27700)
    # Independent truth for the borders: ITL1 regions of the full geometry whose outlines share
    # a line of at least 1 km (a pair meeting at a point, or a 0.9 m² overlap, is no border).
    regions = full.dissolve(by="itl1_code").boundary
    codes = sorted(regions.index)
    land_neighbours = {
        (a, b)
        for i, a in enumerate(codes)
        for b in codes[i + 1 :]
        if regions[a].intersection(regions[b]).length > 1_000
    }
    assert len(land_neighbours) >= 15
    full = full.set_index("area_code")
    for scale in ("main", "inset", "small"):
        lad, borders = read_drawing_layers(root / MAP_LAYERS, scale)
        assert sorted(lad["area_code"]) == sorted(full.index)
        drawn_area = lad.set_index("area_code").area.reindex(full.index)
        # The UK's area within 0.2%. An authority's boundary moves by about the tolerance, so
        # its area changes by less than perimeter x tolerance (measured: at most 0.13 of it).
        assert drawn_area.sum() == pytest.approx(full.area.sum(), rel=2e-3)
        bound = full.length * figures["map_tolerance_m"][scale]
        assert ((drawn_area - full.area).abs() < 0.5 * bound).all(), scale
        pairs = set(zip(borders["itl1_code_a"], borders["itl1_code_b"], strict=True))
        assert pairs == land_neighbours, scale
        assert shapely.get_num_coordinates(lad.geometry.to_numpy()).sum() < 0.95 * (
            shapely.get_num_coordinates(full.geometry.to_numpy()).sum()
        )


@pytest.mark.integration
def test_map_tolerances_are_about_a_pixel_of_the_png(built):
    """Each scale's tolerance against the metres one 200-dpi pixel spans in its real figure."""
    from localineq.outputs.figures import PNG_DPI
    from localineq.outputs.maps import INSET_AXES, LONDON, MAIN_AXES, MAP_FIGSIZE

    root, figures, _ = built
    tolerance = figures["map_tolerance_m"]
    lad, _ = read_drawing_layers(root / MAP_LAYERS)

    def pixel(bounds, pad, axes):  # equal aspect: the tighter of width and height sets the scale
        x0, y0, x1, y1 = bounds
        span = (x1 - x0 + 2 * pad, y1 - y0 + 2 * pad)
        inches = (MAP_FIGSIZE[0] * axes[2], MAP_FIGSIZE[1] * axes[3])
        return max(span[0] / inches[0], span[1] / inches[1]) / PNG_DPI

    uk = lad.total_bounds
    london = lad[lad["itl1_code"] == LONDON].total_bounds
    main = pixel(uk, 0.01 * (uk[2] - uk[0]), MAIN_AXES)
    inset = pixel(london, 0.04 * (london[2] - london[0]), INSET_AXES)
    assert 0.8 * main <= tolerance["main"] <= 1.25 * main, main
    assert 0.8 * inset <= tolerance["inset"] <= 1.25 * inset, inset


@pytest.mark.integration
def test_small_scale_tolerance_is_about_a_pixel_of_the_status_figure(built):
    """The "small" layers feed the target-status figure, whose panels tight_layout sizes; the
    metres one 200-dpi pixel spans are read from each drawn panel's data transform."""
    from localineq.data.indicators import analysis_units
    from localineq.outputs.figures import PNG_DPI
    from localineq.outputs.target_figures import status_map

    root, figures, _ = built
    config = yaml.safe_load((root / "config" / "config.yaml").read_text())
    specs = {k: dict(v) for k, v in config["indicators"].items()}
    hierarchy = pd.read_parquet(root / "data/processed/lad23_hierarchy.parquet")
    upper = pd.read_parquet(root / "data/processed/lad23_upper_tier.parquet")
    headline = list(figures["headline"])
    members = {k: analysis_units(specs[k], hierarchy, upper)[0] for k in headline}
    targets = pd.read_csv(root / "results/tables/la_targets.csv", dtype={"area_code": str})
    lad, regions = read_drawing_layers(root / MAP_LAYERS, "small")
    fig = status_map(lad, regions, targets, headline, specs, members)
    try:
        fig.set_dpi(PNG_DPI)
        fig.canvas.draw()  # apply the equal-aspect limits before reading the transforms
        pixels = []
        for ax in fig.axes[: len(headline)]:
            (x0, _), (x1, _) = ax.transData.transform([(0.0, 0.0), (1000.0, 0.0)])
            pixels.append(1000.0 / (x1 - x0))
    finally:
        plt.close(fig)
    tolerance = figures["map_tolerance_m"]["small"]
    for pixel in pixels:
        assert 0.8 * pixel <= tolerance <= 1.25 * pixel, pixels


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=400,
    ),
    k=st.integers(min_value=1, max_value=9),
)
def test_quantile_breaks_equal_mapclassify_to_the_last_bit(values, k):
    """Quantile classes are computed without importing mapclassify (its import compiles a
    numba kernel for seconds); they must be mapclassify's own bins, bit for bit."""
    import warnings

    import mapclassify

    data = np.asarray(values, dtype="float64")
    k = min(k, np.unique(data).size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.unique(np.asarray(mapclassify.Quantiles(data, k=k).bins, dtype="float64"))
    np.testing.assert_array_equal(class_breaks(values, scheme="quantiles", k=k), expected)
