"""Snakemake adapter: mission scorecard, convergence and ambition back-test tables."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv
from localineq.data.mission_sources import own_geography_inputs
from localineq.data.prices import read_cpi
from localineq.policy.ambition import ambition_table
from localineq.policy.geo_missions import own_geography_ambition, own_geography_rows
from localineq.policy.history import backtest_table, convergence_table
from localineq.policy.panels import mission_panels
from localineq.policy.scorecard import area_population, scorecard

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n", "encoding": "utf-8"}


def main(smk) -> None:
    frames = {"lad": read_csv(smk.input.lad), "upper": read_csv(smk.input.upper)}
    frames["region"] = read_csv(smk.input.regions)
    missions = dict(smk.params.missions)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    lad = frames["lad"]
    keys = {s for m in missions.get("own_geography", []) or [] for s in m["sources"].values()}
    own = own_geography_inputs(
        missions,
        {k: smk.input[f"raw_{k}"] for k in keys},
        {k: smk.params.columns[f"raw_{k}"] for k in keys},
        read_cpi(smk.input.cpi, columns=smk.params.columns["cpi"]),
        smk.params.base_year,
        lad[["area_code", "itl1_name"]],
        area_population(lad),
    )
    # The scorecard, back-test and ambition tables judge the same panels: built once.
    panels = mission_panels(frames, missions, specs)
    table = scorecard(frames, missions, specs, own_geography_rows(missions, own), panels)
    to_csv(table, smk.output.scorecard, **CSV)
    logging.info("scorecard: %d rows\n%s", len(table), table.to_string())
    conv = convergence_table(frames, specs, min_periods=smk.params.min_periods)
    to_csv(conv, smk.output.convergence, **CSV)
    logging.info("convergence: %d rows", len(conv))
    backtest = backtest_table(frames, missions, specs, panels)
    to_csv(backtest, smk.output.backtest, **CSV)
    logging.info("ambition back-test: %d rows", len(backtest))
    extra = own_geography_ambition(table, missions, own)
    ambition = ambition_table(table, backtest, frames, missions, specs, extra, panels)
    to_csv(ambition, smk.output.ambition, **CSV)
    logging.info("ambition: %s", ambition["ambition"].value_counts().to_dict())


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
