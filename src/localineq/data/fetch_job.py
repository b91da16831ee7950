"""Rule ``fetch`` as a command: one pinned raw file, logged the way every job logs.

    python -m localineq.data.fetch_job SOURCE RAW SIDECAR LOG --sources YAML [--mirror DIR]

Rule ``fetch`` runs this with ``shell:`` rather than a ``script:``: Snakemake's script preamble
unpickles the job object, which imports most of Snakemake (about 0.09 s of CPU per job, over
half of a fetch from the mirror), and the pipeline runs one fetch per raw file. The
command does what the adapter did: logs to ``LOG`` (truncated), calls
:func:`localineq.data.fetch.ensure`, and on a :class:`~localineq.data.fetch.FetchError` logs
one ``FETCH FAILED`` line (read by the run's failure summary) and exits non-zero with it;
any other error is logged with its traceback (:func:`localineq.config.joblog.run_job`).
An empty ``--mirror`` means none, as ``mirror: null`` in the config does.
"""

from __future__ import annotations

import logging
import sys
from types import SimpleNamespace

from localineq.config.joblog import run_job
from localineq.data.fetch import FAILURE_MARKER, FetchError, ensure, load_catalogue

USAGE = (
    "usage: python -m localineq.data.fetch_job SOURCE RAW SIDECAR LOG --sources YAML [--mirror DIR]"
)


def parse_args(argv: list[str]) -> SimpleNamespace:
    """The job's settings from its command line; ``SystemExit`` with the usage otherwise.

    (Not argparse: it would add a tenth to the command's start-up, run once per raw file.)

    >>> parse_args(["a", "r.csv", "r.csv.provenance.json", "a.log", "--sources", "s.yaml"])
    namespace(source='a', raw='r.csv', provenance='r.csv.provenance.json', log=['a.log'], sources='s.yaml', mirror=None)
    """
    positional, options = [], {"--sources": None, "--mirror": ""}
    args = iter(argv)
    for arg in args:
        if arg in options:
            options[arg] = next(args, None)
            if options[arg] is None:
                sys.exit(f"{arg} needs a value\n{USAGE}")
        elif arg.startswith("--"):
            sys.exit(f"unknown option {arg}\n{USAGE}")
        else:
            positional.append(arg)
    if len(positional) != 4 or options["--sources"] is None:
        sys.exit(USAGE)
    source, raw, provenance, log = positional
    return SimpleNamespace(
        source=source,
        raw=raw,
        provenance=provenance,
        log=[log],
        sources=options["--sources"],
        mirror=options["--mirror"] or None,
    )


def fetch(job: SimpleNamespace) -> None:
    """Fetch ``job.source`` into ``job.raw`` with its sidecar; log the outcome to ``job.log``."""
    logging.basicConfig(filename=job.log[0], filemode="w", level=logging.INFO, force=True)
    source = load_catalogue(job.sources)[job.source]
    try:
        origin = ensure(source, job.raw, job.provenance, job.mirror)
    except FetchError as err:
        # One line for the run's summary (Snakefile onerror), no traceback wall.
        logging.error("%s: %s", FAILURE_MARKER, err)
        sys.exit(f"{FAILURE_MARKER}: {err}")
    logging.info("%s: %s", source.key, origin)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and fetch, with logging and errors as in every job."""
    job = parse_args(sys.argv[1:] if argv is None else argv)
    run_job(fetch, job)


if __name__ == "__main__":
    main()
