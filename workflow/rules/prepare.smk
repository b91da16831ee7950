rule prepare_hierarchy:
    """LAD23 → ITL3 → ITL2 → ITL1 lookup, one row per LAD."""
    input:
        lookup=raw("lad23_itl_lookup"),
        code=package("readers"),
    output:
        "data/processed/lad23_hierarchy.parquet",
    params:
        primary_itl3=config["geography"]["primary_itl3"],
    log:
        "logs/prepare/hierarchy.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/prepare_hierarchy.py"


rule prepare_population:
    """Total resident population by LA and year (Table 6 of the regional GDP workbook)."""
    input:
        workbook=raw("regional_gdp_la_workbook"),
        code=package("readers"),
    output:
        "data/processed/population.parquet",
    log:
        "logs/prepare/population.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
    script:
        "../scripts/prepare_population.py"


rule prepare_boundaries:
    """LAD23 boundaries with the ITL hierarchy, and ITL1 regions dissolved from them."""
    input:
        topojson=raw("els_boundaries_topojson"),
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("readers", "geography"),
    output:
        "data/processed/lad23_boundaries.gpkg",
    log:
        "logs/prepare/boundaries.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
    script:
        "../scripts/prepare_boundaries.py"


rule prepare_indicator:
    """One indicator's LA rows on LAD23 codes, with the ITL hierarchy attached."""
    input:
        raw=indicator_source,
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package("readers", "geography", "indicators"),
    output:
        "data/processed/indicators/{indicator}.parquet",
    params:
        spec=lambda wildcards: dict(config["indicators"][wildcards.indicator]),
    log:
        "logs/prepare/indicator_{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/prepare_indicator.py"
