# Result tables drawn from the analysis-ready exports (localineq.outputs.*_tables): decomposition
# summary, masked and best/worst local authorities, localisation profile, uncertainty; and the
# per-indicator slices of the export that the maps and charts read.

RESULT_TABLES = {
    "summary_csv": "results/tables/summary.csv",
    "summary_md": "results/tables/summary.md",
    "summary_tex": "results/tables/summary.tex",
    "masked_csv": "results/tables/masked_las.csv",
    "masked_md": "results/tables/masked_las.md",
    "top_bottom_csv": "results/tables/top_bottom_las.csv",
    "top_bottom_md": "results/tables/top_bottom_las.md",
}


rule latest_decompositions:
    """The latest decomposition of every indicator, examined: its uncertainty (BCa intervals,
    measurement-error sensitivity, permutation p-values) and its localisation profile (Theil T
    split over ITL1 → ITL2 → ITL3 → LA). Reads the title-free panels and no label, so a
    title edit does not rerun the bootstrap."""
    input:
        indicators=[f"{PANELS[tier]}.csv" for tier in EXPORT_TIERS],
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("analysis.area_tables", "analysis.uncertainty_tables", "analysis.profile_tables", "stats._simulation", "stats.bootstrap", "stats.permutation", "stats.measurement_error", "stats._core", "stats.decomposition"),
    output:
        uncertainty=report(
            "results/tables/decomposition_uncertainty.csv",
            caption="../report/decomposition_uncertainty.rst",
            category="Tables",
        ),
        profile=report(
            "results/tables/profile.csv",
            caption="../report/profile_table.rst",
            category="Tables",
        ),
    params:
        specs=NUMERIC_SPECS,
        measure=FIGURES["measure"],
        uncertainty=dict(FIGURES["uncertainty"]),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    benchmark:
        "benchmarks/results/latest_decompositions.tsv"
    log:
        "logs/tables/latest_decompositions.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/latest_decompositions.py"


rule across_indicators:
    """Tables and figures comparing indicators, with their titles: the decomposition summary
    (CSV / Markdown / LaTeX), masked and best/worst LAs; figures of between/within shares, of
    the within-region share over time and of the localisation profile. One job: all of them
    rerun whenever any indicator or its title changes."""
    input:
        decomposition="results/tables/decomposition.csv",
        uncertainty="results/tables/decomposition_uncertainty.csv",
        profile="results/tables/profile.csv",
        indicators=[f"{PANELS[tier]}.csv" for tier in EXPORT_TIERS],
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("outputs.tables", "analysis.area_tables", "analysis.decomposition_tables", "outputs.figures", "policy.reference", "policy.compare"),
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
        shares_png=report(
            "results/figures/between_within_shares.png",
            caption="../report/between_within_shares.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        shares_svg="results/figures/between_within_shares.svg",
        trend_png=report(
            "results/figures/within_share_trend.png",
            caption="../report/within_share_trend.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        trend_svg="results/figures/within_share_trend.svg",
        profile_png=report(
            "results/figures/localisation_profile.png",
            caption="../report/localisation_profile.rst",
            category="Figures",
            subcategory="Across indicators",
        ),
        profile_svg="results/figures/localisation_profile.svg",
    params:
        specs=SPECS,
        measure=FIGURES["measure"],
        measure_label=measure_label(FIGURES["measure"]),
        top_n=FIGURES["top_n"],
        reference=dict(config["reference"]),
        persistence_periods=config["masked"]["persistence_periods"],
        result_tables=list(RESULT_TABLES),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    benchmark:
        "benchmarks/results/across_indicators.tsv"
    log:
        "logs/tables/across_indicators.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/across_indicators.py"
