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
        units=lambda wildcards: {
            SPECS[wildcards.indicator]["unit"]: dict(
                config["units"][SPECS[wildcards.indicator]["unit"]]
            )
        },
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
        "logs/tables/export_{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/export_indicators.py"


rule decomposition_uncertainty:
    """BCa bootstrap intervals, measurement-error sensitivity and permutation p-values of each indicator's latest decomposition."""
    input:
        indicators=INDICATOR_TABLES,
        code=package("outputs.tables", "outputs.area_tables", "outputs.decomposition_tables", "outputs.uncertainty_tables", "outputs.profile_tables", "stats._simulation", "stats.bootstrap", "stats.permutation", "stats.measurement_error", "stats._core", "stats.decomposition"),
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
        "logs/tables/decomposition_uncertainty.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_uncertainty.py"


rule profile_table:
    """Localisation profile: the configured measure split over ITL1 → ITL2 → ITL3 → LA (latest period)."""
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
        measure_label=measure_label(FIGURES["measure"]),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/profile_table.tsv"
    log:
        "logs/tables/profile_table.log",
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
        "logs/tables/result_tables.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_results.py"
