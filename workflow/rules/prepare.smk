rule prepare_hierarchy:
    """LAD23 → ITL3 → ITL2 → ITL1 lookup, one row per LAD."""
    input:
        lookup=raw("lad23_itl_lookup"),
        code=package("data.readers", "data.lookups", "data.codes"),
    output:
        "data/processed/lad23_hierarchy.parquet",
    params:
        columns=raw_columns,
        primary_itl3=config["geography"]["primary_itl3"],
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/prepare_hierarchy.tsv"
    log:
        "logs/prepare/hierarchy.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/prepare_hierarchy.py"


rule prepare_lookups:
    """The lookups every indicator job reads besides the hierarchy: total resident population
    by LA and year (Table 6 of the regional GDP workbook); mid-2015 population of LAs on 2019
    codes (weights old areas when merging onto LAD23); LAD23 → upper-tier LA (county for
    English districts, itself otherwise); weight-basis populations (all residents, 16-64,
    0-15, …) by LAD23 and year.

    One job for the former prepare_population, prepare_old_area_population,
    prepare_upper_tier and prepare_weight_bases (each under two seconds, about half a second
    of it process start-up). No rerun boundary is lost that mattered: every indicator job
    reads all four files, so an edit to any of them reran every indicator and all that
    follows before too; the hierarchy, which the neighbourhood, boundary and region jobs wait
    for, stays a job of its own so they can start before this one ends."""
    input:
        workbook=raw("regional_gdp_la_workbook"),
        file6=raw(config["harmonisation"]["old_area_population"]),
        # districts merged into 2019 codes are weighted through their LSOAs' names
        changes=raw(config["harmonisation"]["changes"]),
        ltla_lookup=raw("ltla_lookup_2014"),
        mye2=raw("mid2022_population_by_age"),
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package(
            "data.readers",
            "data.lookups",
            "data.codes",
            "data.geography",
            "data.weights",
            "data.validation",
        ),
    output:
        population="data/processed/population.parquet",
        old_population="data/processed/old_area_population.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        weight_bases="data/processed/weight_bases.parquet",
    params:
        columns=raw_columns,
        bases={k: v["ages"] for k, v in config["weight_bases"].items()},
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/prepare_lookups.tsv"
    log:
        "logs/prepare/lookups.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/prepare_lookups.py"


rule prepare_boundaries:
    """LAD23 boundaries with the ITL hierarchy, and ITL1 regions dissolved from them."""
    input:
        topojson=raw("els_boundaries_topojson"),
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("data.readers", "data.lookups", "data.codes", "data.geography"),
    output:
        "data/processed/lad23_boundaries.gpkg",
    benchmark:
        "benchmarks/results/prepare_boundaries.tsv"
    params:
        columns=raw_columns,
    log:
        "logs/prepare/boundaries.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/prepare_boundaries.py"


rule prepare_map_boundaries:
    """Boundaries for drawing: LAD23 coverage simplified once (topology kept), ITL1 borders."""
    input:
        boundaries="data/processed/lad23_boundaries.gpkg",
        code=package("data.map_geometry", "data.geography"),
    output:
        "data/processed/lad23_map_boundaries.gpkg",
    params:
        tolerances=config["figures"]["map_tolerance_m"],
    benchmark:
        "benchmarks/results/prepare_map_boundaries.tsv"
    log:
        "logs/prepare/map_boundaries.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/prepare_map_boundaries.py"


rule indicator:
    """One indicator on its units (LAD23, or UTLA23 for upper-tier series): harmonised to 2023
    codes, coverage made explicit, weights attached, validated; then its between/within-region
    decomposition and its intraclass correlations, every period. One job for the three steps
    (each about a second, mostly process start-up); editing one indicator reruns its own job
    and the all-indicator outputs only."""
    input:
        unpack(nation_sources),
        raw=indicator_source,
        hierarchy="data/processed/lad23_hierarchy.parquet",
        changes=raw(config["harmonisation"]["changes"]),
        ltla_lookup=raw("ltla_lookup_2014"),
        old_population="data/processed/old_area_population.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        weight_bases="data/processed/weight_bases.parquet",
        code=package("data.readers", "data.lookups", "data.codes", "data.geography", "data.harmonise", "data.indicators", "data.weights", "data.validation", "data.nations", "analysis.decomposition_tables", "stats._core", "stats.decomposition", "analysis.multilevel_tables", "stats.multilevel"),
    output:
        rows="data/processed/indicators/{indicator}.parquet",
        weights="data/processed/weights/{indicator}.parquet",
        report="data/processed/harmonisation/{indicator}.csv",
        decomposition="data/processed/decomposition/{indicator}.csv",
        icc="data/processed/icc/{indicator}.csv",
    params:
        columns=raw_columns,
        # Without its labels: a title edit does not rerun the indicator's computations.
        spec=lambda wildcards: numeric_spec(wildcards.indicator),
        target_year=config["harmonisation"]["target_year"],
        recodes=dict(config["harmonisation"]["recodes"]),
        # Only the indicator's own unit: editing another unit's range reruns nothing here.
        unit_range=lambda wildcards: {
            config["indicators"][wildcards.indicator]["unit"]: dict(
                config["units"][config["indicators"][wildcards.indicator]["unit"]]
            )
        },
        measures=config["analysis"]["measures"],
        weightings=config["analysis"]["weightings"],
        noise=dict(config["analysis"].get("noise_correction", {})),
        levels=["itl1", "itl3"],
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/indicator/{indicator}.tsv"
    log:
        "logs/indicator/{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/indicator.py"


# The neighbourhood data (LSOA deprivation, MSOA income, Census 2021 shares) are prepared by
# rule `neighbourhoods` (analyse.smk) together with their tables.
