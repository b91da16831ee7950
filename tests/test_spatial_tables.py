"""The spatial result tables (outputs.spatial_tables) and the report's spatial section."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from shapely.geometry import box  # noqa: E402

from localineq.analysis import spatial_tables  # noqa: E402
from localineq.outputs.report import base as report_base  # noqa: E402
from localineq.outputs.report import spatial as spatial_report  # noqa: E402
from localineq.stats import spatial  # noqa: E402

SIDE = 8


def _grid() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """An 8 x 8 grid of 1 km squares: west half region "TLA", east half "TLB"; a low block
    straddles the border at the bottom (rows 0-2, columns 2-5)."""
    rows, cols = np.divmod(np.arange(SIDE * SIDE), SIDE)
    codes = [f"A{r}{c}" for r, c in zip(rows, cols, strict=True)]
    polygons = gpd.GeoDataFrame(
        {"area_code": codes},
        geometry=[
            box(c * 1000, r * 1000, (c + 1) * 1000, (r + 1) * 1000)
            for r, c in zip(rows, cols, strict=True)
        ],
        crs=spatial.BNG,
    )
    value = 10 + np.random.default_rng(5).normal(0, 0.2, size=SIDE * SIDE)
    value[(rows <= 2) & (cols >= 2) & (cols <= 5)] -= 4
    frame = pd.DataFrame(
        {
            "indicator": "income",
            "period": "2023-01-01/P1Y",  # an ISO period, as la_indicators writes it
            "period_label": "2023",
            "area_code": codes,
            "area_name": [f"Area {c}" for c in codes],
            "itl1_code": np.where(cols < SIDE // 2, "TLA", "TLB"),
            "itl1_name": np.where(cols < SIDE // 2, "West", "East"),
            "value": value,
        }
    )
    return polygons, frame


def test_tables_from_a_grid_with_a_cross_border_low_block(tmp_path):
    polygons, frame = _grid()
    w = spatial_tables.unit_weights(polygons)
    gal = tmp_path / "w.gal"
    gal.write_text(spatial.gal_text(w))
    back = spatial_tables.read_gal(gal)
    assert back.id_order == w.id_order
    moran = spatial_tables.autocorrelation_table(
        frame, back, weights_file="w.gal", permutations=99, seed=1, min_areas=10
    )
    assert moran.columns.tolist() == spatial_tables.AUTOCORRELATION_COLUMNS
    assert moran["variant"].tolist() == ["raw", "within_region"]
    assert (moran["weights"] == "w.gal").all() and (moran["I"] > 0.3).all()
    population = pd.Series(1000.0, index=frame["area_code"])
    lisa, clusters = spatial_tables.lisa_tables(
        frame,
        back,
        {"income": {"higher_is_better": True}},
        population=population,
        permutations=999,
        seed=2,
        alpha=0.05,
        region_names={"TLA": "West", "TLB": "East"},
    )
    assert len(lisa) == SIDE * SIDE and lisa["area_code"].is_unique
    crossing = spatial_tables.cross_border(clusters)
    assert len(crossing) == 1 and crossing["regions"].item() == "West; East"
    members = set(crossing["area_codes"].item().split("; "))
    flagged = lisa[lisa["lagging_cluster"] == crossing["cluster"].item()]
    assert set(flagged["area_code"]) == members and flagged["cluster_crosses_border"].all()
    assert crossing["population"].item() == 1000.0 * len(members)
    largest = spatial_tables.largest_cross_border(clusters, "income")
    assert largest["area_codes"] == crossing["area_codes"].item()
    assert spatial_tables.largest_cross_border(clusters, "other") is None
    assert spatial_tables.lisa_summary(lisa).loc["income", "lagging cluster"] == len(
        lisa[lisa["lisa_class"] == "lagging cluster"]
    )


def test_unit_population_takes_each_areas_latest_year_and_sums_units():
    population = pd.DataFrame(
        {
            "area_code": ["E1", "E1", "E2", "E2", "N1", "N1"],
            "year": [2022, 2023, 2022, 2023, 2022, 2023],
            "population": [10.0, 11.0, 20.0, 21.0, 5.0, np.nan],
        }
    )
    assert spatial_tables.unit_population(population).to_dict() == {
        "E1": 11.0,
        "E2": 21.0,
        "N1": 5.0,
    }
    members = pd.DataFrame({"area_code": ["E1", "E2", "N1"], "unit_code": ["U", "U", "N1"]})
    assert spatial_tables.unit_population(population, members).to_dict() == {"N1": 5.0, "U": 32.0}


def _state(extra):
    config = {
        "indicators": {"income": {"title": "Income", "unit": "£", "higher_is_better": True}},
        "spatial": {
            "island_neighbours": 2,
            "permutations": 999,
            "local_permutations": 9999,
            "fdr_alpha": 0.05,
            "min_areas": 300,
        },
    }
    inputs = report_base.ReportInputs(
        config=config,
        sources={},
        summary=pd.DataFrame(),
        masked=pd.DataFrame(),
        top_bottom=pd.DataFrame(),
        extra=extra,
    )
    return report_base.ReportState(
        inputs=inputs,
        catalogue=[],
        headline=["income"],
        version="0",
        link=lambda p: p,
        image=lambda p: p,
    )


def test_spatial_section_names_the_largest_cross_border_cluster():
    assert spatial_report.spatial_context(_state({})) is None
    moran = pd.DataFrame(
        {
            "indicator": "income",
            "period": ["2022", "2022", "2023", "2023"],
            "period_label": ["2022", "2022", "2023", "2023"],
            "variant": ["raw", "within_region"] * 2,
            "I": [0.1, 0.0, 0.5, 0.2],
            "p_value": [0.2, 0.5, 0.001, 0.004],
            "n": 300,
        }
    )
    lisa = pd.DataFrame(
        {
            "indicator": "income",
            "area_code": ["a", "b", "c", "d"],
            "lisa_class": ["lagging cluster"] * 3 + ["not significant"],
            "lagging_cluster": [1, 1, 2, None],
        }
    )
    crossing = pd.DataFrame(
        {
            "indicator": ["income", "income"],
            "cluster": [1, 2],
            "area_names": ["Rossendale; Bury", "Solo"],
            "regions": [
                "North West (England); Yorkshire and The Humber",
                "Wales; South West (England)",
            ],
            "population": [300000.0, 1000.0],
        }
    )
    ctx = spatial_report.spatial_context(
        _state(
            {
                "spatial_autocorrelation": moran,
                "lisa_clusters": lisa,
                "cross_border_clusters": crossing,
            }
        )
    )
    (income,) = ctx["indicators"]
    assert income["period"] == "2023" and income["moran"] == "0.50 (p = 0.001)"
    assert income["clusters"] and income["within_clusters"]
    assert income["lagging"] == "3 areas form 2 significant lagging clusters."
    assert income["crossing"].startswith(
        "2 lagging clusters straddle a regional border; the largest is Rossendale and Bury "
        "(North West / Yorkshire and The Humber; 300,000 residents)."
    )
    assert ctx["table"]["rows"] == [
        ["Income", "2023", "300", "0.50 (p = 0.001)", "0.20 (p = 0.004)", "3", "2"]
    ]


@pytest.mark.parametrize(
    ("lisa_class", "expected"),
    [("not significant", "No lagging cluster straddles a regional border.")],
)
def test_spatial_section_without_clusters(lisa_class, expected):
    moran = pd.DataFrame(
        {
            "indicator": "income",
            "period": "2023",
            "period_label": "2023",
            "variant": ["raw", "within_region"],
            "I": [0.05, -0.01],
            "p_value": [0.3, 0.6],
            "n": 50,
        }
    )
    lisa = pd.DataFrame(
        {
            "indicator": "income",
            "area_code": ["a"],
            "lisa_class": [lisa_class],
            "lagging_cluster": [None],
        }
    )
    crossing = pd.DataFrame(columns=["indicator", "cluster", "area_names", "regions", "population"])
    ctx = spatial_report.spatial_context(
        _state(
            {
                "spatial_autocorrelation": moran,
                "lisa_clusters": lisa,
                "cross_border_clusters": crossing,
            }
        )
    )
    (income,) = ctx["indicators"]
    assert not income["clusters"] and not income["within_clusters"]
    assert income["crossing"] == expected
    assert income["lagging"].startswith("No area is a significant lagging cluster")
