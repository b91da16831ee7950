"""Snakemake adapter: fetch one pinned raw file (see localineq.data.fetch.ensure)."""

import logging

from localineq.data.fetch import ensure, load_catalogue


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    source = load_catalogue(smk.config["sources"])[smk.wildcards.source]
    # The mirror is read from config, not params, so switching mirror on or off never
    # invalidates files already fetched and verified.
    origin = ensure(source, smk.output.raw, smk.output.provenance, smk.config.get("mirror"))
    logging.info("%s: %s", source.key, origin)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake)
