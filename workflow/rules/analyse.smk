LAD_INDICATORS = [k for k, v in config["indicators"].items() if v["tier"] == "lad"]
UPPER_TIER_INDICATORS = [k for k in config["indicators"] if k not in LAD_INDICATORS]
# The analysis-ready exports by tier: LAD23 indicators (LAD23 codes only) and the indicators
# analysed on upper-tier units (UTLA23 in England), kept out of the LAD23 export.
EXPORT_TIERS = {
    tier: keys
    for tier, keys in (("la", LAD_INDICATORS), ("upper_tier", UPPER_TIER_INDICATORS))
    if keys
}


rule indicator_tables:
    """The all-indicator tables from the per-indicator files: decomposition and ICC (citable),
    harmonisation log, and the title-free panels (CSV + Parquet, money in real terms beside
    nominal) that every computation reads. One job, since any indicator's edit rebuilds every
    one of them; it reads no label, so a title edit does not rerun it."""
    input:
        decomposition=expand("data/processed/decomposition/{indicator}.csv", indicator=INDICATORS),
        icc=expand("data/processed/icc/{indicator}.csv", indicator=INDICATORS),
        harmonisation=expand("data/processed/harmonisation/{indicator}.csv", indicator=INDICATORS),
        **{
            f"{tier}_rows": expand("data/processed/indicators/{indicator}.parquet", indicator=keys)
            for tier, keys in EXPORT_TIERS.items()
        },
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        cpi=raw(config["prices"]["source"]),
        code=package("data.indicators", "data.validation", "data.prices"),
    output:
        decomposition=report(
            "results/tables/decomposition.csv",
            caption="../report/decomposition.rst",
            category="Tables",
        ),
        icc=report(
            "results/tables/icc.csv",
            caption="../report/icc.rst",
            category="Tables",
        ),
        harmonisation="results/tables/harmonisation.csv",
        **{f"{tier}_csv": f"{PANELS[tier]}.csv" for tier in EXPORT_TIERS},
        **{f"{tier}_parquet": f"{PANELS[tier]}.parquet" for tier in EXPORT_TIERS},
    params:
        columns=raw_columns,
        indicators=INDICATORS,
        exports={
            tier: {
                "specs": {k: NUMERIC_SPECS[k] for k in keys},
                "units": {
                    u: dict(config["units"][u]) for u in sorted({config["indicators"][k]["unit"] for k in keys})
                },
                "code_set": "LAD23" if tier == "la" else "UTLA23/LAD23 unit",
                # Money indicators get real-terms columns (LAD23 export only, as before).
                "money": [k for k in config["prices"]["money"] if k in keys] if tier == "la" else [],
            }
            for tier, keys in EXPORT_TIERS.items()
        },
        base_year=config["prices"]["base_year"],
    priority: CRITICAL_PATH
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/indicator_tables.tsv"
    log:
        "logs/analyse/indicator_tables.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/indicator_tables.py"


rule indicator_exports:
    """The published indicator tables: the analysis-ready exports (the panels with each
    indicator's title) and the indicator catalogue. The one all-indicator job that reads
    labels."""
    input:
        **{f"{tier}_panel": f"{PANELS[tier]}.parquet" for tier in EXPORT_TIERS},
        rows=expand("data/processed/indicators/{indicator}.parquet", indicator=INDICATORS),
        code=package("data.indicators"),
    output:
        catalogue="results/tables/indicator_catalogue.csv",
        **{f"{tier}_csv": f"results/tables/{tier}_indicators.csv" for tier in EXPORT_TIERS},
        **{f"{tier}_parquet": f"results/tables/{tier}_indicators.parquet" for tier in EXPORT_TIERS},
    params:
        tiers=list(EXPORT_TIERS),
        specs=SPECS,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/indicator_exports.tsv"
    log:
        "logs/analyse/indicator_exports.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/indicator_exports.py"


# Spatial structure (issue 13): weights, Moran's I, LISA clusters. Upper-tier indicators
# (healthy life expectancy) use their own units' weights.
SPATIAL = config["spatial"]
SPATIAL_TIERS = {"lad": LAD_INDICATORS, "upper": UPPER_TIER_INDICATORS}
SPATIAL_WEIGHTS = {
    "lad": "results/tables/spatial_weights.gal",
    "upper": "results/tables/spatial_weights_upper_tier.gal",
}
SPATIAL_INPUTS = {
    **{f"{t}_weights": SPATIAL_WEIGHTS[t] for t, keys in SPATIAL_TIERS.items() if keys},
    **{
        f"{t}_indicators": f"{PANELS['la' if t == 'lad' else 'upper_tier']}.csv"
        for t, keys in SPATIAL_TIERS.items()
        if keys
    },
}


rule spatial_weights:
    """Queen contiguity of LAD23s and of upper-tier units (islands joined), as GAL files."""
    input:
        boundaries="data/processed/lad23_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        code=package("stats.spatial", "analysis.spatial_tables", "data.indicators"),
    output:
        **{t: SPATIAL_WEIGHTS[t] for t, keys in SPATIAL_TIERS.items() if keys},
    params:
        k_islands=SPATIAL["island_neighbours"],
        upper_specs={k: dict(config["indicators"][k]) for k in UPPER_TIER_INDICATORS},
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/spatial_weights.tsv"
    log:
        "logs/analyse/spatial_weights.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/spatial_weights.py"


rule spatial_autocorrelation:
    """Global Moran's I, raw and within-region, latest period and every period with enough
    areas; LISA of every indicator's latest period (FDR) and the lagging clusters crossing
    ITL1 borders. One job: both read the same panels and weights and rerun together, and
    each would import libpysal and esda (about 2 s) on its own."""
    input:
        **SPATIAL_INPUTS,
        boundaries="data/processed/lad23_boundaries.gpkg",
        hierarchy="data/processed/lad23_hierarchy.parquet",
        upper_tier="data/processed/lad23_upper_tier.parquet",
        population="data/processed/population.parquet",
        code=package("stats.spatial", "analysis.spatial_tables", "analysis.area_tables", "data.indicators"),
    output:
        autocorrelation=report(
            "results/tables/spatial_autocorrelation.csv",
            caption="../report/spatial_autocorrelation.rst",
            category="Tables",
        ),
        lisa=report(
            "results/tables/lisa_clusters.csv",
            caption="../report/lisa_clusters.rst",
            category="Tables",
        ),
        cross_border=report(
            "results/tables/cross_border_clusters.csv",
            caption="../report/cross_border_clusters.rst",
            category="Tables",
        ),
    params:
        tiers=SPATIAL_TIERS,
        specs=NUMERIC_SPECS,
        settings=dict(SPATIAL),
    benchmark:
        "benchmarks/results/spatial_autocorrelation.tsv"
    log:
        "logs/analyse/spatial_autocorrelation.log",
    conda:
        CONDA_ENV
    threads: 1
    resources:
        mem_mb=1500,
        runtime=15,
    script:
        "../scripts/spatial_autocorrelation.py"


SPATIAL_TABLES = [
    *(SPATIAL_WEIGHTS[t] for t, keys in SPATIAL_TIERS.items() if keys),
    "results/tables/spatial_autocorrelation.csv",
    "results/tables/lisa_clusters.csv",
    "results/tables/cross_border_clusters.csv",
]


rule la_targets:
    """Targets for every local authority (HLE on its own tier), levelling-down alarms; reference check."""
    input:
        indicators=[f"{PANELS[tier]}.csv" for tier in ("la", "upper_tier")],
        code=package("policy.targets", "policy.reference", "policy.periods", "policy.compare", "analysis.area_tables"),
    output:
        targets=report(
            "results/tables/la_targets.csv",
            caption="../report/la_targets.rst",
            category="Tables",
        ),
        reference_check="results/tables/reference_check.csv",
    params:
        specs=NUMERIC_SPECS,
        targets=dict(config["targets"]),
        reference=dict(config["reference"]),
        missions=dict(config["missions"]),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/la_targets.tsv"
    log:
        "logs/analyse/la_targets.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/table_targets.py"


# Neighbourhoods inside local authorities (issue 26): English LSOAs' deprivation and the
# neighbourhood indicators of config `neighbourhoods`, prepared and tabulated in one job.
NEIGHBOURHOODS = config["neighbourhoods"]
NEIGHBOURHOOD_SOURCES = sorted(
    {spec["source"] for spec in NEIGHBOURHOODS["indicators"].values()}
    | {NEIGHBOURHOODS[k] for k in ("lsoa_lookup", "msoa_lookup", "residents_source")}
)
NEIGHBOURHOOD_TABLES = {
    "profile": "results/tables/neighbourhood_profile.csv",
    "spread": "results/tables/neighbourhood_spread.csv",
    "widest": "results/tables/widest_internal_gaps.csv",
    "noise": "results/tables/neighbourhood_noise.csv",
}


rule neighbourhoods:
    """English LSOAs (2011) with mid-2015 population, IMD score and income-deprivation rate
    (IoD2019), and MSOA income (FYE 2020) and Census 2021 LSOA shares, each small area in one
    LAD23 → ITL3/2/1; then inequality between them over ITL1 → ITL2 → ITL3 → LA → small area,
    each authority's spread between its own neighbourhoods and the widest internal gaps.

    One job for the former prepare_lsoa_deprivation, prepare_neighbourhoods,
    lsoa_profile_table and neighbourhood_tables (a strict chain from the same lookups, which
    nothing else reads early). Rerun boundary kept: the figures (neighbourhood_figures) stay
    apart, so a drawing edit reruns neither the preparation nor the tables (whose files
    datapackage and profiles read). Given up: a table-code or `measures` edit also reprepares
    the small areas (about 5 s), and an IoD edit reruns the neighbourhood preparation."""
    input:
        scores=raw("imd2019_scores_mysociety"),
        file1=raw("imd2019_file1"),
        file6=raw("imd2019_file6"),
        sources=[raw(key) for key in NEIGHBOURHOOD_SOURCES],
        changes=raw(config["harmonisation"]["changes"]),
        hierarchy="data/processed/lad23_hierarchy.parquet",
        code=package(
            "data.readers",
            "data.lookups",
            "data.codes",
            "data.neighbourhoods",
            "data.geography",
            "data.small_areas",
            "analysis.profile_tables",
            "analysis.neighbourhood_tables",
        ),
    output:
        lsoa="data/processed/lsoa_deprivation.parquet",
        neighbourhoods="data/processed/neighbourhoods.parquet",
        lsoa_profile=report(
            "results/tables/lsoa_profile.csv",
            caption="../report/lsoa_profile_table.rst",
            category="Tables",
        ),
        profile=report(
            NEIGHBOURHOOD_TABLES["profile"],
            caption="../report/neighbourhood_profile_table.rst",
            category="Tables",
        ),
        spread=NEIGHBOURHOOD_TABLES["spread"],
        noise=NEIGHBOURHOOD_TABLES["noise"],
        widest=report(
            NEIGHBOURHOOD_TABLES["widest"],
            caption="../report/widest_internal_gaps.rst",
            category="Tables",
        ),
    params:
        # The IoD files' declared columns, by input name (scores, file1, file6, changes).
        columns=raw_columns,
        target_year=config["harmonisation"]["target_year"],
        source_keys=NEIGHBOURHOOD_SOURCES,
        specs={k: dict(v) for k, v in NEIGHBOURHOODS["indicators"].items()},
        recodes=dict(config["harmonisation"]["recodes"]),
        residents_source=NEIGHBOURHOODS["residents_source"],
        msoa_lookup=NEIGHBOURHOODS["msoa_lookup"],
        lsoa_lookup=NEIGHBOURHOODS["lsoa_lookup"],
        # The columns each neighbourhood source declares (sources.yaml), by source key.
        source_columns={key: list(SOURCES[key].columns) for key in NEIGHBOURHOOD_SOURCES},
        measures=["theil_t", "theil_l", "variance"],
        deprivation=["imd_score", "income_rate"],
        weight_basis={
            "imd_score": "population (mid-2015)",
            "income_rate": "population (mid-2015)",
            **{k: v["weight"] for k, v in NEIGHBOURHOODS["indicators"].items()},
        },
        widest=NEIGHBOURHOODS["widest_gaps"],
        seed=config["figures"]["uncertainty"]["seed"],
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    benchmark:
        "benchmarks/results/neighbourhoods.tsv"
    log:
        "logs/analyse/neighbourhoods.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/neighbourhoods.py"
