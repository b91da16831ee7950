"""Small synthetic inputs for the figure, table, report and browser tests (no pipeline run)."""

from __future__ import annotations

import itertools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

#: Three regions (one of them London, for the map inset), four LAs each.
REGIONS = {"TLC": "North East (England)", "TLI": "London", "TLK": "South West (England)"}

SPECS = {
    "income": {
        "title": "Household income per head",
        "unit": "£ per head",
        "higher_is_better": True,
        "weight": "population",
        "nations": ["E"],
    },
    "unemployment": {
        "title": "Unemployment rate",
        "unit": "%",
        "higher_is_better": False,
        "weight": "working_age",
        "nations": ["E"],
    },
}


def hierarchy() -> pd.DataFrame:
    """LAD → ITL3/2/1 for 12 synthetic LAs (codes E06000001…)."""
    rows = []
    for r, (itl1, name) in enumerate(REGIONS.items()):
        for j in range(4):
            code = f"E06{r * 4 + j + 1:06d}"
            rows.append(
                {
                    "area_code": code,
                    "area_name": f"Area {r * 4 + j + 1}",
                    "itl3_code": f"{itl1}{j // 2}{j % 2}",
                    "itl2_code": f"{itl1}{j // 2}",
                    "itl1_code": itl1,
                    "itl1_name": name,
                }
            )
    return pd.DataFrame(rows)


def la_table(periods: tuple[str, ...] = ("2021-01-01/P1Y", "2022-01-01/P1Y")) -> pd.DataFrame:
    """Tidy LA table in the shape of results/tables/la_indicators.csv."""
    rng = np.random.default_rng(1)
    h = hierarchy()
    base = {"TLC": 18000.0, "TLI": 30000.0, "TLK": 22000.0}
    rows = []
    for indicator in SPECS:
        for t, period in enumerate(periods):
            for row in h.itertuples():
                if indicator == "income":
                    value = (
                        base[row.itl1_code] * (1 + 0.15 * rng.standard_normal()) * (1 + 0.02 * t)
                    )
                else:
                    value = 3.0 + (2.0 if row.itl1_code == "TLC" else 0.0) + rng.uniform(0, 2)
                rows.append(
                    {
                        "area_code": row.area_code,
                        "area_name": row.area_name,
                        "itl1_code": row.itl1_code,
                        "itl1_name": row.itl1_name,
                        "indicator": indicator,
                        "title": SPECS[indicator]["title"],
                        "unit": SPECS[indicator]["unit"],
                        "period": period,
                        "period_label": period[:4],
                        "value": round(value, 2),
                        "lci_95": round(value * 0.95, 2) if indicator == "unemployment" else np.nan,
                        "uci_95": round(value * 1.05, 2) if indicator == "unemployment" else np.nan,
                        "weight": float(1000 + 500 * (row.Index % 5)),
                    }
                )
    return pd.DataFrame(rows)


MEASURES = ("theil_t", "gini")


def decomposition(la: pd.DataFrame) -> pd.DataFrame:
    """Decomposition rows (ITL1, Theil T and Gini) computed from :func:`la_table`."""
    from localineq.stats.decomposition import decompose

    rows = []
    for (indicator, period), part in la.groupby(["indicator", "period"]):
        for weighting, measure in itertools.product(("weighted", "unweighted"), MEASURES):
            w = part["weight"].to_numpy() if weighting == "weighted" else None
            d = decompose(
                part["value"].to_numpy(), part["itl1_code"].to_numpy(), weights=w, measure=measure
            )
            rows.append(
                {
                    "indicator": indicator,
                    "period": period,
                    "period_label": period[:4],
                    "level": "itl1",
                    "measure": measure,
                    "weighting": weighting,
                    "n_areas": len(part),
                    "n_missing": 0,
                    "n_groups": part["itl1_code"].nunique(),
                    "mean": float(np.average(part["value"], weights=w)),
                    "total": d.total,
                    "between": d.between,
                    "within": d.within,
                    "overlap": d.overlap if measure == "gini" else np.nan,
                    "between_share": d.between_share,
                    "unit_of_analysis": "LAD23",
                    "weight_basis": SPECS[indicator]["weight"] if w is not None else "equal",
                }
            )
    return pd.DataFrame(rows)


def boundaries() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Square LA polygons (lon/lat, EPSG:4326) laid out north to south, and their regions."""
    h = hierarchy()
    shapes = []
    origin = {"TLC": (-2.0, 54.5), "TLI": (-0.3, 51.4), "TLK": (-4.0, 50.6)}
    for row in h.itertuples():
        x0, y0 = origin[row.itl1_code]
        j = int(row.area_code[-2:]) % 4
        size = 0.1 if row.itl1_code == "TLI" else 0.5
        shapes.append(
            box(
                x0 + size * (j % 2),
                y0 + size * (j // 2),
                x0 + size * (j % 2 + 1),
                y0 + size * (j // 2 + 1),
            )
        )
    lad = gpd.GeoDataFrame(h, geometry=shapes, crs="EPSG:4326")
    regions = lad[["itl1_code", "itl1_name", "geometry"]].dissolve(
        by=["itl1_code", "itl1_name"], as_index=False
    )
    return lad, regions


def write_png(path: Path, colour: str = "#1b6ca8") -> None:
    """A small, valid PNG figure at ``path`` (and its SVG twin)."""
    import matplotlib.pyplot as plt

    from localineq.outputs.figures import save_figure

    fig, ax = plt.subplots(figsize=(2, 1.5))
    ax.bar([0, 1], [1, 2], color=colour)
    save_figure(fig, path, path.with_suffix(".svg"))


SOURCES = {
    "els_income": {
        "url": "https://example.org/income.csv",
        "sha256": "0" * 64,
        "publisher": "Office for National Statistics",
        "licence": "OGL-UK-3.0",
        "description": "ELS: income",
    },
    "els_boundaries_topojson": {
        "url": "https://example.org/topo.json",
        "sha256": "1" * 64,
        "publisher": "Office for National Statistics (Explore Local Statistics app)",
        "licence": "MIT code; boundaries OGL-UK-3.0, contains OS data (c) Crown copyright",
        "description": "boundaries",
    },
}


def report_config() -> dict:
    specs = {k: {**v, "source": "els_income"} for k, v in SPECS.items()}
    return {
        "indicators": specs,
        "figures": {
            "headline_indicator": "income",
            "headline": ["income", "unemployment"],
            "measure": "theil_t",
            "map_scheme": "quantiles",
            "map_classes": 5,
        },
        "report": {"title": "Test report", "notebooks": []},
        # as the schema requires it: every field of the default rule stated
        "targets": {
            "default": {
                "benchmark": "top_quintile",
                "gap_share": 0.5,
                "horizon": 2030,
                "milestone_every": 2,
                "trend_tolerance": 0.02,
                "ambition": "default",
            },
            "overrides": {},
        },
    }


def fixture_inputs():
    """Report inputs computed from the synthetic tables (no figures drawn)."""
    from localineq.analysis.area_tables import masked_areas, top_bottom
    from localineq.analysis.decomposition_tables import decomposition_summary
    from localineq.analysis.multilevel_tables import icc_table
    from localineq.analysis.profile_tables import profile_table
    from localineq.analysis.uncertainty_tables import uncertainty_table
    from localineq.outputs.report.build import ReportInputs
    from localineq.policy.targets import targets_table

    frame = la_table()
    uncertainty = uncertainty_table(frame, SPECS, draws=19, seed=1)
    icc = pd.concat(
        [icc_table(part, indicator=key) for key, part in frame.groupby("indicator")],
        ignore_index=True,
    )
    return ReportInputs(
        config=report_config(),
        sources=SOURCES,
        summary=decomposition_summary(decomposition(frame), SPECS, uncertainty=uncertainty),
        masked=masked_areas(frame, SPECS),
        top_bottom=top_bottom(frame, SPECS),
        profile=profile_table(frame, hierarchy(), SPECS),
        uncertainty=uncertainty,
        tables=["results/tables/summary.csv"],
        extra={
            "la_targets": targets_table(
                frame, SPECS, {"default": {"baseline": {"fallback": "earliest"}}}
            ),
            **spatial_extra(),
            "icc": icc,
            "decomposition": decomposition(frame),
        },
    )


def spatial_extra() -> dict[str, pd.DataFrame]:
    """Hand-written spatial tables (Moran's I, LISA, cross-border clusters) for the report."""
    moran = pd.DataFrame(
        {
            "indicator": ["income", "income", "unemployment", "unemployment"],
            "period": "2023",
            "period_label": "2023",
            "variant": ["raw", "within_region"] * 2,
            "I": [0.42, 0.18, 0.05, -0.01],
            "p_value": [0.001, 0.01, 0.3, 0.6],
            "n": 40,
        }
    )
    lisa = pd.DataFrame(
        {
            "indicator": ["income"] * 3 + ["unemployment"],
            "area_code": ["E06000001", "E06000002", "E06000003", "E06000001"],
            "lisa_class": ["lagging cluster"] * 3 + ["not significant"],
            "lagging_cluster": [1, 1, 2, None],
        }
    )
    crossing = pd.DataFrame(
        {
            "indicator": ["income"],
            "cluster": [1],
            "area_names": ["Hartlepool; Middlesbrough"],
            "regions": ["North East (England); Yorkshire and The Humber"],
            "population": [240000.0],
        }
    )
    return {
        "spatial_autocorrelation": moran,
        "lisa_clusters": lisa,
        "cross_border_clusters": crossing,
    }


def build_fixture_report(root: Path, *, draw_figures: bool = True) -> Path:
    """A complete small report under ``root/results`` (figures are tiny placeholder PNGs)."""
    from localineq.outputs.figure_catalogue import figure_catalogue
    from localineq.outputs.report.build import build_report, write_report

    config = report_config()
    inputs = fixture_inputs()
    if draw_figures:
        for i, entry in enumerate(
            figure_catalogue(config["indicators"], config["figures"]["headline"])
        ):
            target = root / entry.png
            target.parent.mkdir(parents=True, exist_ok=True)
            write_png(target, colour=["#1b6ca8", "#d95f02", "#7570b3"][i % 3])
        from localineq.outputs.report.targets import TARGET_FIGURE

        write_png(root / TARGET_FIGURE.png, colour="#009e73")
    report = root / "results" / "report" / "index.html"
    write_report(build_report(inputs, report_path="results/report/index.html"), report)
    return report


def build_fixture_standalone(root: Path) -> Path:
    """The fixture report's self-contained page (figures embedded) under ``root/results``."""
    from localineq.outputs.report.build import (
        STANDALONE_PATH,
        build_standalone_report,
        write_report,
    )

    build_fixture_report(root)  # draws the figures
    target = root / STANDALONE_PATH
    write_report(build_standalone_report(fixture_inputs(), root), target)
    return target
