# Charts (localineq.outputs.figures): the neighbourhood profiles here; every final figure is PNG
# (200 dpi) + SVG under results/figures/ with a stable name; report() attaches its caption for
# `snakemake --report`. A headline indicator's figures are drawn in one job (maps.smk:
# draw_indicator), the figures across indicators with their tables (tables.smk).

from localineq.outputs.figure_catalogue import figure_stems

# The report's figure files (PNG + SVG) from this stage and maps.smk, for the report and rule all:
# the stems of the captions file (src/localineq/outputs/figure_captions.yaml).
FIGURE_STEMS = figure_stems(HEADLINE)
FIGURE_OUTPUTS = [f"results/figures/{s}.{ext}" for s in FIGURE_STEMS for ext in ("png", "svg")]


rule neighbourhood_figures:
    """Inequality between English LSOAs (IMD score, income rate) over ITL1 → … → LA → LSOA, and
    between neighbourhoods (deprivation, income, health, class) over ITL1 → … → LA →
    neighbourhood. One job for the two figures."""
    input:
        lsoa_profile="results/tables/lsoa_profile.csv",
        profile="results/tables/neighbourhood_profile.csv",
        code=package("outputs.neighbourhood_figures", "outputs.measure_labels", "outputs.figures"),
    output:
        lsoa_png=report(
            "results/figures/lsoa_profile.png",
            caption="../report/lsoa_profile.rst",
            category="Figures",
            subcategory="Neighbourhoods",
        ),
        lsoa_svg="results/figures/lsoa_profile.svg",
        png=report(
            "results/figures/neighbourhood_profile.png",
            caption="../report/neighbourhood_profile.rst",
            category="Figures",
            subcategory="Neighbourhoods",
        ),
        svg="results/figures/neighbourhood_profile.svg",
    params:
        lsoa_measures=["theil_t", "theil_l"],
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
        "benchmarks/results/neighbourhood_figures.tsv"
    log:
        "logs/figures/neighbourhood_figures.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/neighbourhood_figures.py"
