"""Spatial weights, Moran's I, LISA and cross-border lagging clusters (localineq.stats.spatial).

Truth comes from geometry drawn by hand (known neighbours), lattices with a known pattern,
the textbook formula of Moran's I in plain numpy and statsmodels' Benjamini–Hochberg.
"""

from __future__ import annotations

import io

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box
from statsmodels.stats.multitest import multipletests

from localineq.stats import spatial

KM = 1000.0


def _squares(cells: dict[str, tuple[float, float]]) -> gpd.GeoDataFrame:
    """Unit (1 km) squares with lower-left corners ``cells`` on the British National Grid."""
    return gpd.GeoDataFrame(
        {"area_code": list(cells)},
        geometry=[box(x * KM, y * KM, (x + 1) * KM, (y + 1) * KM) for x, y in cells.values()],
        crs=spatial.BNG,
    )


# A 3 x 2 block of squares, two islands off its east side and a separate two-square
# "mainland" far away (N1, N2) that touches nothing else. I1 is 0.5 km from I2 and 1 km from
# F (1.12 km from C); I2 is 2.5 km from F (2.55 km from C).
#
#          I1  I2
#   D E F                    N1 N2   (N1, N2 at x = 40, 41)
#   A B C
HAND = {
    "A": (0, 0),
    "B": (1, 0),
    "C": (2, 0),
    "D": (0, 1),
    "E": (1, 1),
    "F": (2, 1),
    "I1": (4, 1.5),
    "I2": (5.5, 1.5),
    "N1": (40, 0),
    "N2": (41, 0),
}


def _neighbours(w: libpysal.weights.W) -> dict[str, set[str]]:
    return {i: set(w.neighbors[i]) for i in w.id_order}


def test_queen_neighbours_of_hand_drawn_geometry_with_islands():
    w = spatial.contiguity_weights(_squares(HAND))
    assert w.id_order == sorted(HAND)
    assert _neighbours(w) == {
        "A": {"B", "D", "E"},
        "B": {"A", "C", "D", "E", "F"},
        "C": {"B", "E", "F"},
        "D": {"A", "B", "E"},
        "E": {"A", "B", "C", "D", "F"},
        # F: its queen neighbours plus both islands (links are made mutual)
        "F": {"B", "C", "E", "I1", "I2"},
        "I1": {"F", "I2"},
        "I2": {"I1", "F"},
        "N1": {"N2"},
        "N2": {"N1"},
    }
    # Two links per island tie both islands to the block: the graph has two components
    # (the block with its islands, and N1-N2, which the island rule leaves alone).
    assert w.n_components == 2
    assert w.transform == "R"
    assert all(np.isclose(sum(w.weights[i]), 1.0) for i in w.id_order)


def test_one_link_per_island_would_strand_an_island_pair():
    # With one link each, I1 and I2 choose each other and form a component of their own.
    one = spatial.contiguity_weights(_squares(HAND), k_islands=1)
    assert _neighbours(one)["I1"] == {"I2"} and _neighbours(one)["I2"] == {"I1"}
    assert one.n_components == 3
    # Areas that touch each other are not islands, however far from the rest.
    assert _neighbours(one)["N1"] == {"N2"}


def test_island_links_are_nearest_by_boundary_not_centroid():
    # A long thin area L (centroid far east) whose west end is next to the island X; a small
    # square S whose centroid is nearer X's centroid than L's but whose boundary is farther.
    frame = gpd.GeoDataFrame(
        {"area_code": ["L", "S", "X"]},
        geometry=[
            box(0, 0, 20 * KM, 1 * KM),
            box(0, 3 * KM, 1 * KM, 4 * KM),
            box(0, -2.5 * KM, 1 * KM, -1.5 * KM),
        ],
        crs=spatial.BNG,
    )
    links = spatial.island_links(frame, ["X"], k=1)
    assert links.to_dict("list") == {"island": ["X"], "neighbour": ["L"], "distance_m": [1500.0]}


def test_weights_need_a_crs_and_unique_ids():
    frame = _squares({"A": (0, 0), "B": (5, 5)})
    with pytest.raises(ValueError, match="no CRS"):
        spatial.contiguity_weights(frame.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match="duplicate"):
        spatial.contiguity_weights(pd.concat([frame, frame]))


def test_gal_export_round_trips_through_libpysal(tmp_path):
    w = spatial.contiguity_weights(_squares(HAND))
    path = tmp_path / "w.gal"
    path.write_text(spatial.gal_text(w))
    back = libpysal.io.open(str(path)).read()
    assert back.id_order == w.id_order
    assert {i: set(back.neighbors[i]) for i in back.id_order} == _neighbours(w)
    # Deterministic text: identical weights give an identical file.
    assert spatial.gal_text(spatial.contiguity_weights(_squares(HAND).iloc[::-1])) == (
        path.read_text()
    )
    edges = spatial.weights_edges(w)
    assert len(edges) == sum(len(v) for v in _neighbours(w).values())
    assert set(map(tuple, edges.to_numpy())) == {
        (i, j) for i, n in _neighbours(w).items() for j in n
    }


def test_subset_weights_restandardises_and_refuses_new_islands():
    w = spatial.contiguity_weights(_squares(HAND))
    sub = spatial.subset_weights(w, ["A", "B", "D", "E"])
    assert sub.id_order == ["A", "B", "D", "E"]
    assert dict(zip(sub.neighbors["A"], sub.weights["A"], strict=True)) == pytest.approx(
        {"B": 1 / 3, "D": 1 / 3, "E": 1 / 3}
    )
    with pytest.raises(ValueError, match="no neighbour"):
        spatial.subset_weights(w, ["A", "B", "N1"])
    with pytest.raises(ValueError, match="not in the weights"):
        spatial.subset_weights(w, ["A", "Z"])


def _moran_by_formula(y: np.ndarray, w: libpysal.weights.W) -> float:
    """I = n/S0 * z'Wz / z'z with row-standardised W, in plain numpy (independent of esda)."""
    dense = np.zeros((w.n, w.n))
    index = {a: k for k, a in enumerate(w.id_order)}
    for i in w.id_order:
        for j in w.neighbors[i]:
            dense[index[i], index[j]] = 1.0
    dense /= dense.sum(axis=1, keepdims=True)
    z = y - y.mean()
    return float(len(y) / dense.sum() * (z @ dense @ z) / (z @ z))


def _lattice(side: int, *, rook: bool = False) -> libpysal.weights.W:
    w = libpysal.weights.lat2W(side, side, rook=rook)
    return libpysal.weights.W(
        {str(i): [str(j) for j in w.neighbors[i]] for i in w.id_order},
        id_order=[str(i) for i in w.id_order],
    )


def test_checkerboard_gives_negative_and_blocks_positive_moran():
    side = 8
    rows, cols = np.divmod(np.arange(side * side), side)
    checker = ((rows + cols) % 2).astype(float)
    rook = _lattice(side, rook=True)
    result = spatial.global_moran(checker, rook, permutations=999, seed=1)
    assert np.isclose(result.I, -1.0)  # every rook neighbour has the opposite value
    assert result.p_value == pytest.approx(0.001)
    assert result.expected_I == pytest.approx(-1 / 63)
    blocks = ((rows >= side // 2) * 2 + (cols >= side // 2)).astype(float)
    queen = _lattice(side)
    result = spatial.global_moran(blocks, queen, permutations=999, seed=1)
    assert result.I > 0.6
    assert result.z > 5
    assert result.p_value == pytest.approx(0.001)
    assert (result.n, result.permutations, result.seed) == (64, 999, 1)


def test_moran_matches_textbook_formula_on_real_looking_weights():
    w = spatial.contiguity_weights(_squares(HAND))
    y = np.random.default_rng(3).normal(size=w.n)
    assert np.isclose(spatial.global_moran(y, w, permutations=0).I, _moran_by_formula(y, w))


def test_within_region_variant_removes_a_pure_region_effect():
    side = 12
    rows, cols = np.divmod(np.arange(side * side), side)
    region = np.array([f"R{r}" for r in (rows >= side // 2) * 2 + (cols >= side // 2)])
    effect = pd.Series({"R0": 0.0, "R1": 6.0, "R2": 12.0, "R3": 18.0})
    noise = np.random.default_rng(20240601).normal(size=side * side)
    y = effect[region].to_numpy() + noise
    w = _lattice(side)
    raw = spatial.global_moran(y, w, permutations=999, seed=7)
    within = spatial.global_moran(
        spatial.within_region_deviations(y, region), w, permutations=999, seed=7
    )
    assert raw.I > 0.8 and raw.p_value == pytest.approx(0.001)
    assert abs(within.I - within.expected_I) < 0.05
    assert within.p_value > 0.05
    # Deviations are exactly the noise minus its regional means.
    expected = noise - pd.Series(noise).groupby(region).transform("mean").to_numpy()
    np.testing.assert_allclose(spatial.within_region_deviations(y, region), expected)


def test_global_moran_p_values_are_seeded_and_leave_numpy_state_alone():
    w = _lattice(7)
    y = np.random.default_rng(0).normal(size=49)
    np.random.seed(123)  # noqa: NPY002
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    first = spatial.global_moran(y, w, permutations=199, seed=5)
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    assert spatial.global_moran(y, w, permutations=199, seed=5) == first
    # Other seeds draw other permutations.
    assert len({spatial.global_moran(y, w, permutations=199, seed=s).z for s in range(5, 10)}) == 5


def test_global_moran_refuses_bad_input():
    w = _lattice(3)
    with pytest.raises(ValueError, match="values for"):
        spatial.global_moran(np.ones(8), w)
    with pytest.raises(ValueError, match="finite"):
        spatial.global_moran(np.r_[np.ones(8), np.nan], w)
    with pytest.raises(ValueError, match="constant"):
        spatial.global_moran(np.ones(9), w)


def test_benjamini_hochberg_agrees_with_statsmodels():
    rng = np.random.default_rng(11)
    for _ in range(50):
        p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.01, size=10)])
        p = np.round(p, 3)  # ties, as permutation p-values have
        expected = multipletests(p, alpha=0.05, method="fdr_bh")[0]
        np.testing.assert_array_equal(spatial.benjamini_hochberg(p, 0.05), expected)


def _two_region_lattice(side: int = 10):
    """A lattice split into a west (W) and an east (E) region, a low block straddling the
    border at the bottom and a high block inside the west at the top."""
    rows, cols = np.divmod(np.arange(side * side), side)
    y = np.random.default_rng(2).normal(0, 0.3, size=side * side)
    low = (rows <= 2) & (cols >= 3) & (cols <= 6)
    high = (rows >= 7) & (cols <= 2)
    y[low] -= 3
    y[high] += 3
    region = np.where(cols < side // 2, "W", "E")
    return _lattice(side), y, region, low, high


def test_local_moran_finds_the_blocks_and_is_polarity_aware():
    w, y, region, low, high = _two_region_lattice()
    lisa = spatial.local_moran(y, w, higher_is_better=True, permutations=9999, seed=3)
    assert lisa["area_code"].tolist() == w.id_order
    # Quadrants from first principles: sign of the value and of its lag against the mean.
    z = y - y.mean()
    lag = libpysal.weights.lag_spatial(_row(w), z)
    expected = np.where(z > 0, np.where(lag > 0, "high-high", "high-low"), "")
    expected = np.where(z <= 0, np.where(lag > 0, "low-high", "low-low"), expected)
    assert lisa["quadrant"].tolist() == expected.tolist()
    np.testing.assert_allclose(lisa["lag"], libpysal.weights.lag_spatial(_row(w), y))
    lagging = lisa["lisa_class"].eq("lagging cluster").to_numpy()
    leading = lisa["lisa_class"].eq("leading cluster").to_numpy()
    # Most cells of each block are significant after FDR; nothing beyond their rim is.
    assert lagging[low].sum() >= 8 and not lagging[~_rim(w, low)].any()
    assert leading[high].sum() >= 5 and not leading[~_rim(w, high)].any()
    assert (lisa["significant"] == (lisa["lisa_class"] != "not significant")).all()
    flipped = spatial.local_moran(y, w, higher_is_better=False, permutations=9999, seed=3)
    assert flipped["lisa_class"].eq("lagging cluster").to_numpy().tolist() == leading.tolist()
    assert flipped["p_value"].tolist() == lisa["p_value"].tolist()


def _rim(w: libpysal.weights.W, block: np.ndarray) -> np.ndarray:
    """The block and its queen neighbours."""
    inside = {a for a, flag in zip(w.id_order, block, strict=True) if flag}
    near = inside | {b for a in inside for b in w.neighbors[a]}
    return np.array([a in near for a in w.id_order])


def _row(w: libpysal.weights.W) -> libpysal.weights.W:
    copy = libpysal.weights.W(dict(w.neighbors), id_order=w.id_order)
    copy.transform = "r"
    return copy


def test_local_moran_p_values_are_seeded():
    w, y, *_ = _two_region_lattice()
    a = spatial.local_moran(y, w, higher_is_better=True, permutations=999, seed=9)
    b = spatial.local_moran(y, w, higher_is_better=True, permutations=999, seed=9)
    c = spatial.local_moran(y, w, higher_is_better=True, permutations=999, seed=10)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["p_value"], c["p_value"])
    direct = esda.Moran_Local(y, _row(w), permutations=999, seed=9, n_jobs=1)
    np.testing.assert_array_equal(a["p_value"], direct.p_sim)
    np.testing.assert_allclose(a["local_I"], direct.Is)


def test_lagging_clusters_on_a_fixture():
    # Areas on a line a-b-c-d-e-f-g (plus an isolated pair h-i); regions R1 | R2 between c|d.
    neighbours = {
        "a": ["b"],
        "b": ["a", "c"],
        "c": ["b", "d"],
        "d": ["c", "e"],
        "e": ["d", "f"],
        "f": ["e", "g"],
        "g": ["f"],
        "h": ["i"],
        "i": ["h"],
    }
    w = libpysal.weights.W(neighbours)
    regions = dict(zip("abcdefghi", ["R1"] * 3 + ["R2"] * 4 + ["R3"] * 2, strict=True))
    classes = {
        "a": "lagging cluster",
        "b": "not significant",
        "c": "lagging cluster",
        "d": "lagging cluster",
        "e": "lagging cluster",
        "f": "leading cluster",
        "g": "lagging cluster",
        "h": "lagging cluster",
        "i": "lagging cluster",
    }
    lisa = pd.DataFrame({"area_code": list(classes), "lisa_class": list(classes.values())})
    population = dict(zip("abcdefghi", [10, 10, 5, 5, 5, 1, 100, 20, 20], strict=True))
    table = spatial.lagging_clusters(
        lisa,
        w,
        regions=regions,
        names={k: k.upper() for k in classes},
        population=population,
        region_names={"R1": "One", "R2": "Two", "R3": "Three"},
    )
    # Components of lagging areas: {a}, {c, d, e}, {g}, {h, i}; numbered by population.
    assert table["area_codes"].tolist() == ["g", "h; i", "c; d; e", "a"]
    assert table["n_areas"].tolist() == [1, 2, 3, 1]
    assert table["region_codes"].tolist() == ["R2", "R3", "R1; R2", "R1"]
    assert table["cluster"].tolist() == [1, 2, 3, 4]
    assert table["population"].tolist() == [100.0, 40.0, 15.0, 10.0]
    assert table["crosses_border"].tolist() == [False, False, True, False]
    crossing = table[table["crosses_border"]].iloc[0]
    assert crossing["regions"] == "One; Two"
    assert crossing["area_names"] == "C; D; E"
    assert crossing["n_regions"] == 2
    empty = spatial.lagging_clusters(lisa.assign(lisa_class="not significant"), w, regions=regions)
    assert empty.empty and "crosses_border" in empty.columns


def test_cross_border_cluster_end_to_end_on_a_lattice():
    w, y, region, low, _ = _two_region_lattice()
    lisa = spatial.local_moran(y, w, higher_is_better=True, permutations=9999, seed=3)
    regions = dict(zip(w.id_order, region, strict=True))
    table = spatial.lagging_clusters(lisa, w, regions=regions)
    crossing = table[table["crosses_border"]]
    assert len(crossing) == 1
    members = set(crossing["area_codes"].iloc[0].split("; "))
    rim = {a for a, flag in zip(w.id_order, _rim(w, low), strict=True) if flag}
    assert {a for a, flag in zip(w.id_order, low, strict=True) if flag} & members
    assert members <= rim
    assert crossing["region_codes"].iloc[0] == "E; W"


def test_moran_table_periods_variants_and_reproduction():
    w = spatial.contiguity_weights(
        _squares({f"X{i}{j}": (i, j) for i in range(5) for j in range(4)})
    )
    rng = np.random.default_rng(1)
    rows = []
    for period in ("2020", "2021", "2022"):
        for k, area in enumerate(w.id_order):
            value = float(rng.normal()) + (2.0 if area[1] in "34" else 0.0)
            if period == "2022" and k < 3:
                value = np.nan  # the latest period has fewer areas
            rows.append(
                {
                    "indicator": "x",
                    "period": period,
                    "area_code": area,
                    "itl1_code": "W" if area[1] in "012" else "E",
                    "value": value,
                }
            )
    frame = pd.DataFrame(rows).sample(frac=1, random_state=0)  # row order must not matter
    table = spatial.moran_table(frame, w, permutations=99, seed=4, min_areas=20)
    assert table[["period", "variant", "n"]].to_dict("list") == {
        "period": ["2020", "2020", "2021", "2021", "2022", "2022"],
        "variant": ["raw", "within_region"] * 3,
        "n": [20, 20, 20, 20, 17, 17],
    }
    latest = frame[(frame["period"] == "2022") & frame["value"].notna()].sort_values("area_code")
    sub = spatial.subset_weights(w, latest["area_code"].tolist())
    expected = esda.Moran(latest["value"].to_numpy(), sub, permutations=0).I
    assert table.loc[(table["period"] == "2022") & (table["variant"] == "raw"), "I"].item() == (
        expected
    )
    assert (table["permutations"] == 99).all()


def test_gal_text_is_readable_from_a_string():
    w = spatial.contiguity_weights(_squares(HAND))
    text = spatial.gal_text(w)
    assert text.splitlines()[0] == f"0 {len(HAND)} unknown area_code"
    assert io.StringIO(text).read().count("\n") == 1 + 2 * len(HAND)


def test_esda_kernels_are_cached_on_disk_and_give_the_same_lisa():
    """Caching esda's numba kernels changes where the machine code lives, not the results."""
    import esda.moran
    from numba.core.caching import FunctionCache

    w = libpysal.weights.lat2W(6, 6)
    y = np.random.default_rng(3).normal(size=36)
    before = esda.Moran_Local(y, w, transformation="r", permutations=199, seed=7, n_jobs=1)
    assert spatial.cache_esda_kernels() >= 2
    assert isinstance(esda.moran._moran_local_crand._cache, FunctionCache)
    after = spatial.local_moran(y, w, higher_is_better=True, permutations=199, seed=7)
    np.testing.assert_array_equal(after["p_value"].to_numpy(), before.p_sim)
