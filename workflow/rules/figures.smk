rule figure_dotplot:
    """Dot plot of LAs by region against regional and UK averages (headline indicator, latest period)."""
    input:
        data=f"data/processed/indicators/{config['figures']['headline_indicator']}.parquet",
        population="data/processed/population.parquet",
        code=package("figures", "weights"),
    output:
        png=report(
            "results/figures/dotplot_regions.png",
            caption="../report/dotplot_regions.rst",
            category="Figures",
        ),
        svg="results/figures/dotplot_regions.svg",
    params:
        spec=dict(config["indicators"][config["figures"]["headline_indicator"]]),
    log:
        "logs/figures/dotplot_regions.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/figure_dotplot.py"
