# Maps (localineq.outputs.maps, target_figures): choropleths and gap-to-region maps of the
# headline indicators, LISA cluster maps and the target-status map. PNG (200 dpi) + SVG under
# results/figures/ with stable names.

rule draw_indicator:
    """Every figure of one headline indicator (latest period): dot plot by region, choropleth,
    gap-to-region map and LISA cluster map, and the indicator's slice of the export they read.
    One job, since all of them rerun when the indicator changes."""
    input:
        rows="data/processed/indicators/{indicator}.parquet",
        # The table is rewritten whenever any indicator changes; ancient() keeps that from
        # redrawing every indicator's figures. What this map's own rows of it depend on is
        # declared instead (its rows and weights here, the settings below), so a change to any
        # of them still redraws it (rule spatial_autocorrelation).
        lisa=ancient("results/tables/lisa_clusters.csv"),
        weights=lambda wildcards: SPATIAL_WEIGHTS[
            "lad" if SPECS[wildcards.indicator]["tier"] == "lad" else "upper"
        ],
        population="data/processed/population.parquet",
        boundaries="data/processed/lad23_map_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("data.indicators", "data.validation", "outputs.maps", "outputs.map_links", "outputs.figures", "outputs.tables", "analysis.area_tables", "analysis.decomposition_tables", "analysis.profile_tables", "policy.reference", "stats.spatial", "analysis.spatial_tables"),
    output:
        csv="data/processed/exports/{indicator}.csv",
        parquet="data/processed/exports/{indicator}.parquet",
        dotplot_png=report(
            "results/figures/dotplot_{indicator}.png",
            caption="../report/dotplot.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        dotplot_svg="results/figures/dotplot_{indicator}.svg",
        map_png=report(
            "results/figures/map_{indicator}.png",
            caption="../report/map.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        map_svg="results/figures/map_{indicator}.svg",
        gap_png=report(
            "results/figures/gap_map_{indicator}.png",
            caption="../report/gap_map.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        gap_svg="results/figures/gap_map_{indicator}.svg",
        lisa_png=report(
            "results/figures/lisa_map_{indicator}.png",
            caption="../report/lisa_map.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        lisa_svg="results/figures/lisa_map_{indicator}.svg",
    wildcard_constraints:
        indicator="|".join(HEADLINE),
    params:
        spec=lambda wildcards: SPECS[wildcards.indicator],
        units=lambda wildcards: {
            SPECS[wildcards.indicator]["unit"]: dict(
                config["units"][SPECS[wildcards.indicator]["unit"]]
            )
        },
        code_set=lambda wildcards: "LAD23"
        if SPECS[wildcards.indicator]["tier"] == "lad"
        else "UTLA23/LAD23 unit",
        settings={k: FIGURES[k] for k in ("map_scheme", "map_classes")},
        reference=dict(config["reference"]),
        # Not read by the script: the settings behind its LISA rows, so that changing them
        # redraws the map although the table is ancient() here.
        spatial=dict(SPATIAL),
    benchmark:
        "benchmarks/results/draw_indicator/{indicator}.tsv"
    log:
        "logs/figures/draw_{indicator}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15,
    script:
        "../scripts/draw_indicator.py"


# Target status of every authority for the headline indicators (issue 12).
TARGET_FIGURE = {
    "png": "results/figures/target_status.png",
    "svg": "results/figures/target_status.svg",
}


rule figure_target_status:
    """Map of every authority's 2030 target status for the headline indicators."""
    input:
        targets="results/tables/la_targets.csv",
        boundaries="data/processed/lad23_map_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("outputs.target_figures", "outputs.maps", "outputs.figures", "data.indicators"),
    output:
        png=report(
            TARGET_FIGURE["png"],
            caption="../report/target_status.rst",
            category="Figures",
        ),
        svg=TARGET_FIGURE["svg"],
    params:
        specs=SPECS,
        headline=HEADLINE,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_target_status.tsv"
    log:
        "logs/figures/target_status.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_target_status.py"
