"""Snakemake adapter: fetch one pinned raw file (see localineq.data.fetch.ensure)."""

import logging
import sys

from localineq.config.joblog import run_job
from localineq.data.fetch import FAILURE_MARKER, FetchError, ensure, load_catalogue


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], filemode="w", level=logging.INFO, force=True)
    source = load_catalogue(smk.config["sources"])[smk.wildcards.source]
    # The mirror is read from config, not params, so switching mirror on or off never
    # invalidates files already fetched and verified.
    try:
        origin = ensure(source, smk.output.raw, smk.output.provenance, smk.config.get("mirror"))
    except FetchError as err:
        # One line for the run's summary (Snakefile onerror), no traceback wall.
        logging.error("%s: %s", FAILURE_MARKER, err)
        sys.exit(f"{FAILURE_MARKER}: {err}")
    logging.info("%s: %s", source.key, origin)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
