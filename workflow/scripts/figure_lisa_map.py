"""Snakemake adapter: LISA cluster map of one headline indicator's latest period."""

import logging

from localineq.config.joblog import run_job
from localineq.data.indicators import analysis_units
from localineq.data.intermediates import read_csv, read_parquet
from localineq.outputs.map_links import area_links, save_linked_map, with_every_area
from localineq.outputs.maps import (
    MAP_SVG_DECIMALS,
    lisa_map,
    read_drawing_layers,
    suggested_decimals,
)


def main(smk) -> None:
    key = smk.wildcards.indicator
    spec = dict(smk.params.spec)
    lisa = read_csv(smk.input.lisa, dtype={"area_code": str, "period": str})
    lisa = lisa[lisa["indicator"] == key]
    if lisa.empty:
        raise ValueError(f"no LISA rows for {key} in {smk.input.lisa}")
    members, _ = analysis_units(
        spec, read_parquet(smk.input.hierarchy), read_parquet(smk.input.upper_tier)
    )
    upper = spec.get("tier", "lad") == "upper"
    lad, regions = read_drawing_layers(smk.input.boundaries)
    inset_layers = read_drawing_layers(smk.input.boundaries, "inset")
    links = area_links(
        with_every_area(lisa, lad),
        indicator=key,
        unit=spec["unit"],
        decimals=suggested_decimals(lisa["value"].dropna()),
        lines=("value", "region", "lisa"),
    )
    fig = lisa_map(
        lad,
        regions,
        lisa,
        title=spec["title"],
        period_label=str(lisa["period_label"].iloc[0]),
        higher_is_better=bool(spec["higher_is_better"]),
        fdr_alpha=float(lisa["fdr_alpha"].iloc[0]),
        permutations=int(lisa["permutations"].iloc[0]),
        members=members,
        inset_layers=inset_layers,
        links=links,
        area_label="Upper-tier local authorities (2023)"
        if upper
        else "Local authorities (2023 boundaries)",
    )
    save_linked_map(fig, smk.output.png, smk.output.svg, svg_decimals=MAP_SVG_DECIMALS, links=links)
    logging.info("%s: %s", key, lisa["lisa_class"].value_counts().to_dict())


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
