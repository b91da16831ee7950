"""Snakemake adapter: dot plot of the headline indicator's latest period."""

import logging

import pandas as pd

from localineq.figures import dotplot_by_region, save_figure
from localineq.weights import nearest_year_weights


def main(smk) -> None:
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    data = pd.read_parquet(smk.input.data)
    latest = data[data["period"] == data["period"].max()].dropna(subset=["value"]).reset_index(drop=True)
    weights = nearest_year_weights(
        latest["area_code"], int(latest["reference_year"].iloc[0]), pd.read_parquet(smk.input.population)
    )
    latest["weight"] = weights["weight"].to_numpy()
    spec = smk.params.spec
    fig = dotplot_by_region(
        latest, title=spec["title"], unit=spec["unit"], period_label=latest["period_label"].iloc[0]
    )
    save_figure(fig, smk.output.png, smk.output.svg)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
