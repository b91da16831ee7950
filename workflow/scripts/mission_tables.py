"""Snakemake adapter: mission scorecard, convergence and ambition back-test tables."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv
from localineq.policy.ambition import ambition_table
from localineq.policy.history import backtest_table, convergence_table
from localineq.policy.scorecard import scorecard

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n", "encoding": "utf-8"}


def main(smk) -> None:
    frames = {"lad": read_csv(smk.input.lad), "upper": read_csv(smk.input.upper)}
    frames["region"] = read_csv(smk.input.regions)
    missions = dict(smk.params.missions)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    table = scorecard(frames, missions, specs)
    to_csv(table, smk.output.scorecard, **CSV)
    logging.info("scorecard: %d rows\n%s", len(table), table.to_string())
    conv = convergence_table(frames, specs, min_periods=smk.params.min_periods)
    to_csv(conv, smk.output.convergence, **CSV)
    logging.info("convergence: %d rows", len(conv))
    backtest = backtest_table(frames, missions, specs)
    to_csv(backtest, smk.output.backtest, **CSV)
    logging.info("ambition back-test: %d rows", len(backtest))
    ambition = ambition_table(table, backtest, frames, missions, specs)
    to_csv(ambition, smk.output.ambition, **CSV)
    logging.info("ambition: %s", ambition["ambition"].value_counts().to_dict())


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
