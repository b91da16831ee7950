# The result tables as a Frictionless Data Package with its codebook (issue 24), both generated
# from localineq/outputs/codebook.yaml; `frictionless validate` checks the package in CI.
CODEBOOK_FILE = "src/localineq/outputs/codebook.yaml"
DATAPACKAGE = {
    "descriptor": "results/tables/datapackage.json",
    "codebook": "results/tables/README.md",
}


rule datapackage:
    """datapackage.json (a Table Schema per result table, sources, licence) and the codebook."""
    input:
        tables=result_tables,
        codebook=CODEBOOK_FILE,
        sources=config["sources"],
        version="src/localineq/__init__.py",
        code=package("outputs.codebook"),
    output:
        descriptor=DATAPACKAGE["descriptor"],
        codebook=DATAPACKAGE["codebook"],
    params:
        # The target column is named for it (target_<horizon>).
        horizon=config["targets"]["default"]["horizon"],
    threads: 1
    resources:
        mem_mb=500,
        runtime=10,
    benchmark:
        "benchmarks/results/datapackage.tsv"
    log:
        "logs/tables/datapackage.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/build_datapackage.py"
