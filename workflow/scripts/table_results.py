"""Snakemake adapter: summary, masked-LA and best/worst tables as CSV, Markdown and LaTeX."""

import logging

import pandas as pd

from localineq.outputs.tables import write_result_tables


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    written = write_result_tables(
        decomposition=pd.read_csv(smk.input.decomposition),
        uncertainty=pd.read_csv(smk.input.uncertainty),
        indicator_tables=list(smk.input.indicators),
        specs={k: dict(v) for k, v in smk.params.specs.items()},
        outputs=dict(smk.output),
        measure=smk.params.measure,
        top_n=int(smk.params.top_n),
    )
    for name, rows in written.items():
        logging.info("%s: %d rows", name, rows)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
