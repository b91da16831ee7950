"""Spatial outputs of the real pipeline, checked against PySAL from the published files alone.

Every Moran's I in ``spatial_autocorrelation.csv`` must come back *exactly* from ``esda.Moran``
on the exported GAL weights (read with libpysal, subset with ``w_subset``) and the values in
``la_indicators.csv`` / ``upper_tier_indicators.csv`` — the reproduction a reader would do,
without localineq.
"""

from __future__ import annotations

import os
import subprocess
import sys

import esda
import libpysal
import numpy as np
import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.integration

TARGETS = [
    "results/tables/spatial_autocorrelation.csv",
    "results/tables/lisa_clusters.csv",
    "results/tables/cross_border_clusters.csv",
]


@pytest.fixture(scope="module")
def built(repo_root, mirror):
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *TARGETS]
    command += ["--config", f"mirror={os.path.relpath(mirror, repo_root)}"]
    run = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=3000)
    assert run.returncode == 0, run.stderr[-4000:]
    return repo_root / "results" / "tables"


@pytest.fixture(scope="module")
def config(repo_root):
    return yaml.safe_load((repo_root / "config" / "config.yaml").read_text())


def _read(path):
    return pd.read_csv(
        path,
        dtype={"area_code": str, "period": str, "indicator": str},
        float_precision="round_trip",
    )


def test_every_i_is_reproduced_by_esda_on_the_exported_weights(built, config):
    table = _read(built / "spatial_autocorrelation.csv")
    values = pd.concat(
        [_read(built / "la_indicators.csv"), _read(built / "upper_tier_indicators.csv")]
    )
    weights = {
        "spatial_weights.gal": libpysal.io.open(str(built / "spatial_weights.gal")).read(),
        "spatial_weights_upper_tier.gal": libpysal.io.open(
            str(built / "spatial_weights_upper_tier.gal")
        ).read(),
    }
    for row in table.itertuples(index=False):
        data = values[
            (values["indicator"] == row.indicator)
            & (values["period"] == row.period)
            & values["value"].notna()
        ].sort_values("area_code")
        w = libpysal.weights.w_subset(weights[row.weights], data["area_code"].tolist())
        y = data["value"].to_numpy()
        if row.variant == "within_region":
            y = y - data.groupby("itl1_code")["value"].transform("mean").to_numpy()
        moran = esda.Moran(y, w, transformation="r", permutations=0)
        where = f"{row.indicator} {row.period} {row.variant}"
        if row.variant == "raw":
            assert moran.I == row.I, where
        else:
            assert abs(moran.I - row.I) <= 1e-12 * abs(row.I) + 1e-15, where
        assert np.isclose(moran.EI, row.expected_I) and row.n == len(y), where
        assert row.permutations == config["spatial"]["permutations"]


def test_every_indicator_latest_period_and_dense_periods_in_both_variants(built, config):
    table = _read(built / "spatial_autocorrelation.csv")
    values = pd.concat(
        [_read(built / "la_indicators.csv"), _read(built / "upper_tier_indicators.csv")]
    )
    present = values[values["value"].notna()]
    counts = present.groupby(["indicator", "period"]).size()
    latest = present.groupby("indicator")["period"].max()
    expected = {
        (i, p)
        for (i, p), n in counts.items()
        if n >= config["spatial"]["min_areas"] or p == latest[i]
    }
    got = table.groupby(["indicator", "period"])["variant"].apply(set)
    assert set(got.index) == expected
    assert all(v == {"raw", "within_region"} for v in got)
    assert set(table["indicator"]) == set(config["indicators"])
    assert table["p_value"].between(0, 1).all()


def test_weights_files_cover_the_units(built, repo_root):
    lad = libpysal.io.open(str(built / "spatial_weights.gal")).read()
    assert lad.n == 361 and not lad.islands
    assert lad.n_components == 2  # Great Britain, and Northern Ireland on its own
    ni = {i for i in lad.id_order if i.startswith("N09")}
    assert len(ni) == 11
    assert all(set(lad.neighbors[i]) <= ni for i in ni)
    # The six LAD23s with no land neighbour get their two nearest areas by boundary distance.
    assert set(lad.neighbors["S12000023"]) == {"S12000017", "S12000027"}  # Orkney
    assert set(lad.neighbors["E06000046"]) == {"E07000091", "E07000088"}  # Isle of Wight
    upper = libpysal.io.open(str(built / "spatial_weights_upper_tier.gal")).read()
    units = set(_read(built / "upper_tier_indicators.csv")["area_code"])
    assert set(upper.id_order) == units and not upper.islands


def test_lisa_and_cross_border_tables(built):
    lisa = _read(built / "lisa_clusters.csv")
    table = _read(built / "spatial_autocorrelation.csv")
    latest = table.groupby("indicator")["period"].max()
    n = table[table["variant"] == "raw"].set_index(["indicator", "period"])["n"]
    for indicator, rows in lisa.groupby("indicator"):
        assert rows["area_code"].is_unique
        assert len(rows) == n[(indicator, latest[indicator])]
    lagging = lisa[lisa["lisa_class"] == "lagging cluster"]
    assert lagging["significant"].all()
    crossing = _read(built / "cross_border_clusters.csv")
    assert (crossing["n_regions"] >= 2).all()
    for row in crossing.itertuples(index=False):
        members = set(row.area_codes.split("; "))
        flagged = lagging[
            (lagging["indicator"] == row.indicator) & (lagging["lagging_cluster"] == row.cluster)
        ]
        assert set(flagged["area_code"]) == members
        assert len(set(flagged["itl1_code"])) == row.n_regions
    assert np.isfinite(crossing["population"]).all()
