"""Snakemake adapter: every figure of one headline indicator, and its slice of the export.

The indicator's rows of the analysis-ready export (same rows and format), its dot plot by
region, its choropleth and gap-to-region maps and its LISA cluster map, all of the latest
period. One job instead of four: each started Python, pandas and matplotlib for a second or
two of drawing, and all four rerun together when the indicator changes.
"""

import logging

from localineq.analysis.area_tables import (
    analysis_weights,
    latest_period_rows,
    read_indicator_tables,
    regional_gaps,
)
from localineq.config.joblog import run_job
from localineq.data.indicators import analysis_units, export_table, write_export
from localineq.data.intermediates import read_csv, read_parquet
from localineq.data.validation import unit_ranges, validate_export
from localineq.outputs.figures import dotplot_by_region, save_figure
from localineq.outputs.map_links import area_links, save_linked_map, with_every_area
from localineq.outputs.maps import (
    MAP_SVG_DECIMALS,
    choropleth,
    gap_map,
    lisa_map,
    read_drawing_layers,
    suggested_decimals,
)
from localineq.policy.reference import references_for


def export_slice(smk, key, spec, hierarchy, upper) -> None:
    """The indicator's rows of the analysis-ready export, validated as the export is."""
    codes = set(analysis_units(spec, hierarchy, upper)[1]["area_code"])
    table = export_table([read_parquet(smk.input.rows)], {key: spec})
    validate_export(
        table,
        codes,
        {key: spec["unit"]},
        unit_ranges(smk.params.units),
        source=smk.output.csv,
        code_set_name=smk.params.code_set,
    )
    latest = table[table["period"] == table["period"].max()]
    logging.info(
        "%s: %d rows, %d periods; latest %s has %d areas with a value",
        key,
        len(table),
        table["period"].nunique(),
        latest["period_label"].iloc[0],
        latest["value"].notna().sum(),
    )
    write_export(table, smk.output.csv, smk.output.parquet)


def dotplot(smk, key, spec, frame) -> None:
    """Dot plot by region of the latest period."""
    latest = latest_period_rows(frame[frame["indicator"] == key]).reset_index(drop=True)
    latest["weight"] = analysis_weights(latest)
    upper = spec.get("tier", "lad") == "upper"
    fig = dotplot_by_region(
        latest,
        title=spec["title"],
        unit=spec["unit"],
        period_label=str(latest["period_label"].iloc[0]),
        higher_is_better=bool(spec["higher_is_better"]),
        area_label="area" if upper else "local authority",
        areas_label="upper-tier authorities in England, local authorities elsewhere"
        if upper
        else "local authorities",
    )
    save_figure(fig, smk.output.dotplot_png, smk.output.dotplot_svg)
    logging.info("dot plot: %d areas", len(latest))


def maps(smk, key, spec, frame, layers, members) -> None:
    """Choropleth and gap-to-region map of the latest period."""
    lad, regions, inset_layers = layers
    latest = latest_period_rows(frame[frame["indicator"] == key])
    reference = references_for(frame, [key], dict(smk.params.reference))[key]
    gaps = regional_gaps(latest, reference=reference)
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
    logging.info("maps: %d areas", len(latest))


def lisa(smk, key, spec, layers, members) -> None:
    """LISA cluster map of the latest period, ITL1 boundaries overlaid."""
    lad, regions, inset_layers = layers
    table = read_csv(smk.input.lisa, dtype={"area_code": str, "period": str})
    table = table[table["indicator"] == key]
    if table.empty:
        raise ValueError(f"no LISA rows for {key} in {smk.input.lisa}")
    upper = spec.get("tier", "lad") == "upper"
    links = area_links(
        with_every_area(table, lad),
        indicator=key,
        unit=spec["unit"],
        decimals=suggested_decimals(table["value"].dropna()),
        lines=("value", "region", "lisa"),
    )
    fig = lisa_map(
        lad,
        regions,
        table,
        title=spec["title"],
        period_label=str(table["period_label"].iloc[0]),
        higher_is_better=bool(spec["higher_is_better"]),
        fdr_alpha=float(table["fdr_alpha"].iloc[0]),
        permutations=int(table["permutations"].iloc[0]),
        members=members,
        inset_layers=inset_layers,
        links=links,
        area_label="Upper-tier local authorities (2023)"
        if upper
        else "Local authorities (2023 boundaries)",
    )
    save_linked_map(
        fig, smk.output.lisa_png, smk.output.lisa_svg, svg_decimals=MAP_SVG_DECIMALS, links=links
    )
    logging.info("LISA map: %s", table["lisa_class"].value_counts().to_dict())


def main(smk) -> None:
    key = smk.wildcards.indicator
    spec = dict(smk.params.spec)
    hierarchy = read_parquet(smk.input.hierarchy)
    upper = read_parquet(smk.input.upper_tier)
    export_slice(smk, key, spec, hierarchy, upper)
    # The figures read the slice back from its CSV, as they read the whole export.
    frame = read_indicator_tables([smk.output.csv])
    dotplot(smk, key, spec, frame)
    members, _ = analysis_units(spec, hierarchy, upper)
    layers = (
        *read_drawing_layers(smk.input.boundaries),
        read_drawing_layers(smk.input.boundaries, "inset"),
    )
    maps(smk, key, spec, frame, layers, members)
    lisa(smk, key, spec, layers, members)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
