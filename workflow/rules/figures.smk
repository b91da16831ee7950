# Figures and the result tables they draw on. Every final figure is PNG (200 dpi) + SVG under
# results/figures/ with a stable name; report() attaches its caption for `snakemake --report`.
from localineq.outputs.figure_catalogue import headline_indicators

HEADLINE = headline_indicators(config)
FIGURES = config["figures"]
# Analysis-ready exports: LAD23 indicators and upper-tier (county) indicators.
INDICATOR_TABLES = [
    path
    for path, present in (
        (
            "results/tables/la_indicators.csv",
            any(v.get("tier", "lad") == "lad" for v in config["indicators"].values()),
        ),
        (
            "results/tables/upper_tier_indicators.csv",
            any(v.get("tier", "lad") != "lad" for v in config["indicators"].values()),
        ),
    )
    if present
]
SPECS = {k: dict(v) for k, v in config["indicators"].items()}


# Every figure file this stage publishes (PNG + SVG), for the report and rule all.
FIGURE_STEMS = [
    "between_within_shares",
    "within_share_trend",
    "localisation_profile",
    "lsoa_profile",
] + [
    f"{kind}_{key}" for key in HEADLINE for kind in ("map", "gap_map", "dotplot", "lisa_map")
]
FIGURE_OUTPUTS = [f"results/figures/{s}.{ext}" for s in FIGURE_STEMS for ext in ("png", "svg")]


RESULT_TABLES = {
    "summary_csv": "results/tables/summary.csv",
    "summary_md": "results/tables/summary.md",
    "summary_tex": "results/tables/summary.tex",
    "masked_csv": "results/tables/masked_las.csv",
    "masked_md": "results/tables/masked_las.md",
    "top_bottom_csv": "results/tables/top_bottom_las.csv",
    "top_bottom_md": "results/tables/top_bottom_las.md",
}


# Indicators drawn on their own (maps, dot plots). Each gets its own slice of the export, so
# that editing one indicator reruns only its own figures, not every indicator's.
DRAWN = sorted(set(HEADLINE) | {FIGURES["headline_indicator"]})


rule export_drawn_indicator:
    """One drawn indicator's rows of the analysis-ready export (same rows and format)."""
    input:
        rows=["data/processed/indicators/{indicator}.parquet"],
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("data.indicators", "data.validation"),
    output:
        csv="data/processed/exports/{indicator}.csv",
        parquet="data/processed/exports/{indicator}.parquet",
    wildcard_constraints:
        indicator="|".join(DRAWN),
    params:
        specs=lambda wildcards: {wildcards.indicator: SPECS[wildcards.indicator]},
        code_set=lambda wildcards: "LAD23"
        if SPECS[wildcards.indicator].get("tier", "lad") == "lad"
        else "UTLA23/LAD23 unit",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/export_drawn_indicator/{indicator}.tsv"
    log:
        "logs/figures/export_{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/export_indicators.py"


rule figure_dotplot:
    """Dot plot of LAs by region against regional and UK averages (the first result's indicator)."""
    input:
        indicators=[f"data/processed/exports/{FIGURES['headline_indicator']}.csv"],
        code=package("outputs.figures", "outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables"),
    output:
        png=report(
            "results/figures/dotplot_regions.png",
            caption="../report/dotplot_regions.rst",
            category="Figures",
        ),
        svg="results/figures/dotplot_regions.svg",
    params:
        indicator=FIGURES["headline_indicator"],
        spec=SPECS[FIGURES["headline_indicator"]],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_dotplot.tsv"
    log:
        "logs/figures/dotplot_regions.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_dotplot_indicator.py"


rule decomposition_uncertainty:
    """Bootstrap and measurement-error intervals of each indicator's latest decomposition."""
    input:
        indicators=INDICATOR_TABLES,
        code=package("outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables", "stats._simulation", "stats.bootstrap", "stats.permutation", "stats.measurement_error", "stats._core", "stats.decomposition"),
    output:
        report(
            "results/tables/decomposition_uncertainty.csv",
            caption="../report/decomposition_uncertainty.rst",
            category="Tables",
        ),
    params:
        specs=SPECS,
        measures=[FIGURES["measure"]],
        settings=dict(FIGURES["uncertainty"]),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/decomposition_uncertainty.tsv"
    log:
        "logs/figures/decomposition_uncertainty.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_uncertainty.py"


rule profile_table:
    """Localisation profile: Theil T split over ITL1 → ITL2 → ITL3 → LA (latest period)."""
    input:
        indicators=INDICATOR_TABLES,
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables", "stats._core", "stats.decomposition"),
    output:
        report(
            "results/tables/profile.csv",
            caption="../report/profile_table.rst",
            category="Tables",
        ),
    params:
        specs=SPECS,
        measure=FIGURES["measure"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/profile_table.tsv"
    log:
        "logs/figures/profile_table.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_profile.py"


rule result_tables:
    """Decomposition summary (CSV/Markdown/LaTeX), masked LAs and best/worst LAs."""
    input:
        decomposition="results/tables/decomposition.csv",
        uncertainty="results/tables/decomposition_uncertainty.csv",
        indicators=INDICATOR_TABLES,
        code=package("outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables", "policy.reference", "policy.compare"),
    output:
        summary_csv=report(
            RESULT_TABLES["summary_csv"], caption="../report/summary.rst", category="Tables"
        ),
        summary_md=RESULT_TABLES["summary_md"],
        summary_tex=RESULT_TABLES["summary_tex"],
        masked_csv=report(
            RESULT_TABLES["masked_csv"], caption="../report/masked_las.rst", category="Tables"
        ),
        masked_md=RESULT_TABLES["masked_md"],
        top_bottom_csv=report(
            RESULT_TABLES["top_bottom_csv"],
            caption="../report/top_bottom_las.rst",
            category="Tables",
        ),
        top_bottom_md=RESULT_TABLES["top_bottom_md"],
    params:
        specs=SPECS,
        measure=FIGURES["measure"],
        top_n=FIGURES["top_n"],
        reference=dict(config.get("reference", {})),
        persistence_periods=config.get("masked", {}).get("persistence_periods", 5),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/result_tables.tsv"
    log:
        "logs/figures/result_tables.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_results.py"


rule figure_maps:
    """Choropleth of a headline indicator and its gap-to-region map (latest period)."""
    input:
        indicators=["data/processed/exports/{indicator}.csv"],
        boundaries="data/processed/lad23_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("outputs.maps", "outputs.figures", "outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables", "data.indicators", "policy.reference"),
    output:
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
    wildcard_constraints:
        indicator="|".join(HEADLINE),
    params:
        spec=lambda wildcards: SPECS[wildcards.indicator],
        settings={k: FIGURES[k] for k in ("map_scheme", "map_classes")},
        reference=dict(config.get("reference", {})),
    benchmark:
        "benchmarks/results/figure_maps/{indicator}.tsv"
    log:
        "logs/figures/maps_{indicator}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15,
    script:
        "../scripts/figure_maps.py"


rule figure_dotplot_indicator:
    """Dot plot by region of a headline indicator (latest period)."""
    input:
        indicators=["data/processed/exports/{indicator}.csv"],
        code=package("outputs.figures", "outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables"),
    output:
        png=report(
            "results/figures/dotplot_{indicator}.png",
            caption="../report/dotplot.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        svg="results/figures/dotplot_{indicator}.svg",
    wildcard_constraints:
        indicator="|".join(HEADLINE),
    params:
        indicator=lambda wildcards: wildcards.indicator,
        spec=lambda wildcards: SPECS[wildcards.indicator],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_dotplot_indicator/{indicator}.tsv"
    log:
        "logs/figures/dotplot_{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_dotplot_indicator.py"


rule figure_shares:
    """Between- vs within-region shares across indicators, with bootstrap intervals."""
    input:
        summary=RESULT_TABLES["summary_csv"],
        code=package("outputs.figures"),
    output:
        png=report(
            "results/figures/between_within_shares.png",
            caption="../report/between_within_shares.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        svg="results/figures/between_within_shares.svg",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_shares.tsv"
    log:
        "logs/figures/between_within_shares.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_shares.py"


rule figure_trend:
    """Within-region share of inequality over time, one panel per indicator."""
    input:
        decomposition="results/tables/decomposition.csv",
        code=package("outputs.figures", "outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.profile_tables"),
    output:
        png=report(
            "results/figures/within_share_trend.png",
            caption="../report/within_share_trend.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        svg="results/figures/within_share_trend.svg",
    params:
        specs=SPECS,
        measure=FIGURES["measure"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_trend.tsv"
    log:
        "logs/figures/within_share_trend.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_trend.py"


rule figure_profile:
    """Localisation profile across indicators (ITL1 → ITL2 → ITL3 → LA)."""
    input:
        profile="results/tables/profile.csv",
        code=package("outputs.figures"),
    output:
        png=report(
            "results/figures/localisation_profile.png",
            caption="../report/localisation_profile.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        svg="results/figures/localisation_profile.svg",
    params:
        specs=SPECS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_profile.tsv"
    log:
        "logs/figures/localisation_profile.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_profile.py"


rule figure_lsoa_profile:
    """Inequality between English LSOAs (IMD score, income rate) over ITL1 → … → LA → LSOA."""
    input:
        profile="results/tables/lsoa_profile.csv",
        code=package("outputs.figures"),
    output:
        png=report(
            "results/figures/lsoa_profile.png",
            caption="../report/lsoa_profile.rst",
            category="Figures",
            subcategory="Neighbourhoods",
        ),
        svg="results/figures/lsoa_profile.svg",
    params:
        measures=["theil_t", "theil_l"],
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_lsoa_profile.tsv"
    log:
        "logs/figures/lsoa_profile.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_lsoa_profile.py"


rule figure_lisa_map:
    """LISA cluster map of a headline indicator (latest period), ITL1 boundaries overlaid."""
    input:
        lisa="results/tables/lisa_clusters.csv",
        boundaries="data/processed/lad23_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("outputs.maps", "outputs.figures", "data.indicators"),
    output:
        png=report(
            "results/figures/lisa_map_{indicator}.png",
            caption="../report/lisa_map.rst",
            category="Figures",
            subcategory="{indicator}",
        ),
        svg="results/figures/lisa_map_{indicator}.svg",
    wildcard_constraints:
        indicator="|".join(HEADLINE),
    params:
        spec=lambda wildcards: SPECS[wildcards.indicator],
    benchmark:
        "benchmarks/results/figure_lisa_map/{indicator}.tsv"
    log:
        "logs/figures/lisa_map_{indicator}.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15,
    script:
        "../scripts/figure_lisa_map.py"


# Target status of every authority for the headline indicators (issue 12).
TARGET_FIGURE = {
    "png": "results/figures/target_status.png",
    "svg": "results/figures/target_status.svg",
}


rule figure_target_status:
    """Map of every authority's 2030 target status for the headline indicators."""
    input:
        targets="results/tables/la_targets.csv",
        boundaries="data/processed/lad23_boundaries.gpkg",
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
