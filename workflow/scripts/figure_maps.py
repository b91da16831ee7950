"""Snakemake adapter: choropleth and gap-to-region maps of one indicator's latest period."""

import logging

from localineq.config.joblog import run_job
from localineq.data.indicators import analysis_units
from localineq.data.intermediates import read_parquet
from localineq.outputs.area_tables import latest_period_rows, read_indicator_tables, regional_gaps
from localineq.outputs.map_links import area_links, save_linked_map, with_every_area
from localineq.outputs.maps import (
    MAP_SVG_DECIMALS,
    choropleth,
    gap_map,
    read_drawing_layers,
    suggested_decimals,
)
from localineq.policy.reference import references_for


def main(smk) -> None:
    key = smk.wildcards.indicator
    spec = dict(smk.params.spec)
    frame = read_indicator_tables(smk.input.indicators)
    latest = latest_period_rows(frame[frame["indicator"] == key])
    reference = references_for(frame, [key], dict(smk.params.reference))[key]
    gaps = regional_gaps(latest, reference=reference)
    lad, regions = read_drawing_layers(smk.input.boundaries)
    inset_layers = read_drawing_layers(smk.input.boundaries, "inset")
    members, _ = analysis_units(
        spec, read_parquet(smk.input.hierarchy), read_parquet(smk.input.upper_tier)
    )
    upper = spec.get("tier", "lad") == "upper"
    # Areas without a value keep their link (tooltip "No data"): gaps has only those with one.
    joined = latest.merge(
        gaps[["area_code", "region_reference", "reference", "gap"]], on="area_code", how="left"
    )
    links = area_links(
        with_every_area(joined, lad),
        indicator=key,
        unit=spec["unit"],
        decimals=suggested_decimals(latest["value"].dropna()),
    )
    common = dict(
        title=spec["title"],
        unit=spec["unit"],
        higher_is_better=bool(spec["higher_is_better"]),
        period_label=str(latest["period_label"].iloc[0]),
        members=members,
        inset_layers=inset_layers,
        links=links,
        area_label="Upper-tier authorities in England, local authorities elsewhere (2023)"
        if upper
        else "Local authorities (2023 boundaries)",
    )
    settings = dict(smk.params.settings)
    fig = choropleth(
        lad,
        regions,
        latest,
        scheme=settings["map_scheme"],
        k=int(settings["map_classes"]),
        **common,
    )
    save_linked_map(
        fig, smk.output.map_png, smk.output.map_svg, svg_decimals=MAP_SVG_DECIMALS, links=links
    )
    label = str(gaps["reference"].iloc[0])
    save_linked_map(
        gap_map(lad, regions, gaps, reference=label, **common),
        smk.output.gap_png,
        smk.output.gap_svg,
        svg_decimals=MAP_SVG_DECIMALS,
        links=links,
    )
    logging.info("%s: %d areas mapped", key, len(latest))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
