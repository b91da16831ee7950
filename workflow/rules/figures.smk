# Charts (localineq.outputs.figures): dot plots, shares, trends, profiles. Every final figure is
# PNG (200 dpi) + SVG under results/figures/ with a stable name; report() attaches its caption
# for `snakemake --report`. Maps are in maps.smk, result tables in tables.smk.

from localineq.outputs.figure_catalogue import figure_stems

# The report's figure files (PNG + SVG) from this stage and maps.smk, for the report and rule all:
# the stems of the captions file (src/localineq/outputs/figure_captions.yaml).
FIGURE_STEMS = figure_stems(HEADLINE)
FIGURE_OUTPUTS = [f"results/figures/{s}.{ext}" for s in FIGURE_STEMS for ext in ("png", "svg")]


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
    params:
        # for the caption (workflow/report/*.rst), which names the configured measure
        measure_label=measure_label(FIGURES["measure"]),
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
        measure_label=measure_label(FIGURES["measure"]),
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
        measure_label=measure_label(FIGURES["measure"]),
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
        code=package("outputs.neighbourhood_figures"),
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


rule figure_neighbourhood_profile:
    """Inequality between neighbourhoods (deprivation, income, health, class) over ITL1 → … →
    LA → neighbourhood."""
    input:
        profile="results/tables/neighbourhood_profile.csv",
        code=package("outputs.neighbourhood_figures", "outputs.measure_labels"),
    output:
        png=report(
            "results/figures/neighbourhood_profile.png",
            caption="../report/neighbourhood_profile.rst",
            category="Figures",
            subcategory="Neighbourhoods",
        ),
        svg="results/figures/neighbourhood_profile.svg",
    params:
        measures=[FIGURES["measure"]],
        measure_label=measure_label(FIGURES["measure"]),
        source_line=(
            "Sources: MHCLG IoD2019 (LSOA 2011, England); ONS small-area income estimates FYE 2020 "
            "(MSOA 2011); ONS Census 2021 TS037, TS062 (LSOA 2021). Open Government Licence v3.0."
        ),
        labels={
            "imd_score": "IMD score (LSOA 2011)",
            "income_rate": "Income deprivation rate (LSOA 2011)",
            **{
                k: f"{v['short']} ({'MSOA 2011' if v['unit'] == 'msoa11' else 'LSOA 2021'})"
                for k, v in config["neighbourhoods"]["indicators"].items()
            },
        },
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    benchmark:
        "benchmarks/results/figure_neighbourhood_profile.tsv"
    log:
        "logs/figures/neighbourhood_profile.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_neighbourhood_profile.py"
