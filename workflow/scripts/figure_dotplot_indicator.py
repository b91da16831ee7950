"""Snakemake adapter: dot plot by region of one indicator's latest period."""

import logging

from localineq.config.joblog import run_job
from localineq.outputs.area_tables import (
    analysis_weights,
    latest_period_rows,
    read_indicator_tables,
)
from localineq.outputs.figures import dotplot_by_region, save_figure


def main(smk) -> None:
    key = smk.params.indicator
    spec = dict(smk.params.spec)
    frame = read_indicator_tables(smk.input.indicators)
    latest = latest_period_rows(frame[frame["indicator"] == key]).reset_index(drop=True)
    latest["weight"] = analysis_weights(latest)
    fig = dotplot_by_region(
        latest,
        title=spec["title"],
        unit=spec["unit"],
        period_label=str(latest["period_label"].iloc[0]),
        higher_is_better=bool(spec["higher_is_better"]),
        area_label="area" if spec.get("tier", "lad") == "upper" else "local authority",
        areas_label="upper-tier authorities in England, local authorities elsewhere"
        if spec.get("tier", "lad") == "upper"
        else "local authorities",
    )
    save_figure(fig, smk.output.png, smk.output.svg)
    logging.info("%s: %d areas", key, len(latest))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
