rule execute_notebook_first_result:
    """Execute the first-result notebook into results/notebooks (ipynb + HTML)."""
    input:
        notebook="notebooks/01_first_result.ipynb",
        decomposition="results/tables/decomposition.csv",
        figure="results/figures/dotplot_regions.png",
        code=package("notebooks"),
    output:
        ipynb="results/notebooks/01_first_result.ipynb",
        html="results/notebooks/01_first_result.html",
    log:
        "logs/report/notebook_01_first_result.log",
    conda:
        CONDA_ENV
    resources:
        mem_mb=2000,
    script:
        "../scripts/execute_notebook.py"
