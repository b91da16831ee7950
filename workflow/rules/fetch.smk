# Downloads run where the workflow is started, also under a cluster executor: compute nodes
# often have no internet access, and copying a file from the mirror is not worth a cluster job.
localrules:
    fetch,


rule fetch:
    """Copy a pinned raw file from the mirror, or download it; verify its sha256."""
    output:
        raw="data/raw/{source}/{filename}",
        provenance="data/raw/{source}/{filename}.provenance.json",
    wildcard_constraints:
        filename=r"[^/]+?",
    benchmark:
        "benchmarks/results/fetch/{source}/{filename}.tsv"
    log:
        "logs/fetch/{source}/{filename}.log",
    conda:
        CONDA_ENV
    # No Snakemake-level retries: the downloader retries transient network errors itself
    # and a hash mismatch or a missing network is not fixed by trying again.
    threads: 1
    resources:
        downloads=1,
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/fetch.py"


onerror:
    # A run that failed because raw files could not be fetched ends with one short summary
    # naming them and the --config mirror=DIR option (localineq.data.fetch.fetch_failure_summary).
    # Printed at exit, so that it comes after Snakemake's own closing lines.
    summary = fetch_failure_summary(SOURCES, since=RUN_STARTED)
    if summary:
        atexit.register(print, f"\n{summary}", file=sys.stderr, flush=True)
