rule fetch:
    """Copy a pinned raw file from the mirror, or download it; verify its sha256."""
    output:
        raw="data/raw/{source}/{filename}",
        provenance="data/raw/{source}/{filename}.provenance.json",
    wildcard_constraints:
        filename=r"[^/]+?",
    log:
        "logs/fetch/{source}/{filename}.log",
    conda:
        CONDA_ENV
    retries: 1
    resources:
        downloads=1,
    script:
        "../scripts/fetch.py"
