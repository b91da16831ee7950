import os
import sys


# Downloads run where the workflow is started, also under a cluster executor: compute nodes
# often have no internet access, and copying a file from the mirror is not worth a cluster job.
localrules:
    fetch,


# Rule fetch is a plain command rather than a `script:`: Snakemake's script preamble imports
# most of Snakemake in every job, over half the CPU time of a fetch from the mirror, and
# there is one fetch per raw file (localineq.data.fetch_job). The interpreter, the catalogue
# and the mirror reach the command through the environment, not `params:`: a changed param
# reruns the fetch, which deletes the verified raw file first and so reruns every step that
# reads it; switching the mirror on or off, or running from another virtualenv, must not.
# The interpreter is the workflow's own, as for a script (under --use-conda or a container:
# the environment's). Snakemake reruns a shell rule whose command text changed: editing the
# command below refetches every raw file once and so reruns the whole pipeline; options the
# job may need later belong in localineq.data.fetch_job or the environment set here.
# (Set here for the jobs' shells; nothing is read from the user's environment.)
os.environ.update(
    LOCALINEQ_FETCH_PYTHON=(
        "python" if workflow.deployment_settings.deployment_method else sys.executable
    ),
    LOCALINEQ_FETCH_SOURCES=config["sources"],
    LOCALINEQ_FETCH_MIRROR=config.get("mirror") or "",
)


rule fetch:
    """Copy a pinned raw file from the mirror, or download it; verify its sha256."""
    output:
        raw="data/raw/{source}/{filename}",
        provenance="data/raw/{source}/{filename}.provenance.json",
    wildcard_constraints:
        filename=r"[^/]+?",
        # Only what is missing (common.smk).
        source=TO_FETCH_PATTERN,
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
    shell:
        '"$LOCALINEQ_FETCH_PYTHON" -m localineq.data.fetch_job'
        " {wildcards.source:q} {output.raw:q} {output.provenance:q} {log:q}"
        ' --sources "$LOCALINEQ_FETCH_SOURCES" --mirror "$LOCALINEQ_FETCH_MIRROR"'


onerror:
    # A run that failed because raw files could not be fetched ends with one short summary
    # naming them and the --config mirror=DIR option (localineq.data.fetch.fetch_failure_summary).
    # Printed at exit, so that it comes after Snakemake's own closing lines.
    summary = fetch_failure_summary(SOURCES, since=RUN_STARTED)
    if summary:
        atexit.register(print, f"\n{summary}", file=sys.stderr, flush=True)
