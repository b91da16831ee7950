rule decompose_indicator:
    """Between/within-region decomposition of one indicator, every period."""
    input:
        data="data/processed/indicators/{indicator}.parquet",
        population="data/processed/population.parquet",
        code=package("analysis", "measures", "weights"),
    output:
        "data/processed/decomposition/{indicator}.csv",
    params:
        measures=config["analysis"]["measures"],
        weightings=config["analysis"]["weightings"],
    log:
        "logs/analyse/decompose_{indicator}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/decompose_indicator.py"


rule decomposition_table:
    """All indicators' decompositions in one citable table."""
    input:
        expand("data/processed/decomposition/{indicator}.csv", indicator=INDICATORS),
    output:
        report(
            "results/tables/decomposition.csv",
            caption="../report/decomposition.rst",
            category="Tables",
        ),
    log:
        "logs/analyse/decomposition_table.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/concat_tables.py"
