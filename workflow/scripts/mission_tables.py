"""Snakemake adapter: mission scorecard, convergence and ambition back-test tables."""

import logging

from localineq.config.joblog import run_job
from localineq.data.atomic import to_csv
from localineq.data.intermediates import read_csv
from localineq.data.mission_sources import (
    combined_authority_members,
    police_force_panel,
    read_geo_metadata,
    region_money_panel,
)
from localineq.data.prices import read_cpi
from localineq.data.readers import read_els_csv
from localineq.policy.ambition import ambition_table
from localineq.policy.geo_missions import own_geography_ambition, own_geography_rows
from localineq.policy.history import backtest_table, convergence_table
from localineq.policy.scorecard import area_population, scorecard

CSV = {"index": False, "float_format": "%.10g", "lineterminator": "\n", "encoding": "utf-8"}


def own_geography_inputs(smk, missions: dict, lad) -> dict:
    """The prepared panels of every ``missions.own_geography`` source, by source key."""
    cpi = read_cpi(smk.input.cpi, columns=smk.params.columns["cpi"])
    inputs: dict = {"titles": {}}
    for mission in missions.get("own_geography", []) or []:
        for ind, src in mission["sources"].items():
            path, cols = smk.input[f"raw_{src}"], smk.params.columns[f"raw_{src}"]
            if mission["test"] == "devolution_coverage":
                england = lad[lad["area_code"].str.startswith("E")]
                las = england.drop_duplicates("area_code")[["area_code", "itl1_name"]]
                members = combined_authority_members(
                    read_geo_metadata(path, cols), las["area_code"]
                )
                members = members.merge(las, on="area_code", how="left")
                members["population"] = members["area_code"].map(area_population(lad))
                inputs[src] = members
                continue
            tidy = read_els_csv(path, source=src, columns=cols)
            inputs["titles"][src] = str(tidy["indicator"].iloc[0])
            if mission["test"] == "worst_fall_more":
                inputs[src] = police_force_panel(tidy)
            else:
                inputs[src] = region_money_panel(tidy, ind, cpi, smk.params.base_year)
            logging.info("%s: %s", src, inputs["titles"][src])
    return inputs


def main(smk) -> None:
    frames = {"lad": read_csv(smk.input.lad), "upper": read_csv(smk.input.upper)}
    frames["region"] = read_csv(smk.input.regions)
    missions = dict(smk.params.missions)
    specs = {k: dict(v) for k, v in smk.params.specs.items()}
    own = own_geography_inputs(smk, missions, frames["lad"])
    table = scorecard(frames, missions, specs, extra_rows=own_geography_rows(missions, own))
    to_csv(table, smk.output.scorecard, **CSV)
    logging.info("scorecard: %d rows\n%s", len(table), table.to_string())
    conv = convergence_table(frames, specs, min_periods=smk.params.min_periods)
    to_csv(conv, smk.output.convergence, **CSV)
    logging.info("convergence: %d rows", len(conv))
    backtest = backtest_table(frames, missions, specs)
    to_csv(backtest, smk.output.backtest, **CSV)
    logging.info("ambition back-test: %d rows", len(backtest))
    extra = own_geography_ambition(table, missions, own)
    ambition = ambition_table(table, backtest, frames, missions, specs, extra=extra)
    to_csv(ambition, smk.output.ambition, **CSV)
    logging.info("ambition: %s", ambition["ambition"].value_counts().to_dict())


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
