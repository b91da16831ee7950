"""Snakemake adapter: mission scorecard, convergence and ambition back-test tables."""

import logging

import pandas as pd

from localineq.policy.history import backtest_table, convergence_table
from localineq.policy.scorecard import scorecard

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n", "encoding": "utf-8"}


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    frames = {"lad": pd.read_csv(smk.input.lad), "upper": pd.read_csv(smk.input.upper)}
    missions = dict(smk.params.missions)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    table = scorecard(frames, missions, specs)
    table.to_csv(smk.output.scorecard, **CSV)
    logging.info("scorecard: %d rows\n%s", len(table), table.to_string())
    conv = convergence_table(frames, specs, min_periods=smk.params.min_periods)
    conv.to_csv(smk.output.convergence, **CSV)
    logging.info("convergence: %d rows", len(conv))
    backtest = backtest_table(frames, missions, specs)
    backtest.to_csv(smk.output.backtest, **CSV)
    logging.info("ambition back-test: %d rows", len(backtest))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
