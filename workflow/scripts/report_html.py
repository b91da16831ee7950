"""Snakemake adapter: render results/report/index.html and the self-contained report
(figures embedded, no local files linked) from results tables and figures."""

import logging

import yaml

from localineq.config.joblog import run_job
from localineq.data.intermediates import read_csv
from localineq.data.provenance import data_retrieved
from localineq.outputs.report.build import (
    ReportInputs,
    build_report,
    build_standalone_report,
    local_references,
    write_report,
)


def main(smk) -> None:
    with open(smk.input.sources, encoding="utf-8") as handle:
        sources = yaml.safe_load(handle)["sources"]
    inputs = ReportInputs(
        config=dict(smk.params.settings),
        sources=sources,
        summary=read_csv(smk.input.summary),
        masked=read_csv(smk.input.masked),
        top_bottom=read_csv(smk.input.top_bottom),
        profile=read_csv(smk.input.profile),
        uncertainty=read_csv(smk.input.uncertainty),
        lsoa_profile=read_csv(smk.input.lsoa_profile),
        notebooks=list(smk.input.notebooks),
        tables=list(smk.params.tables),
        commit=str(smk.params.commit),
        data_retrieved=data_retrieved(smk.input.provenance),
        extra={
            "la_targets": read_csv(smk.input.la_targets, dtype={"area_code": str}),
            **{
                name: read_csv(smk.input[name])
                for name in ("scorecard", "backtest", "ambition")
                if hasattr(smk.input, name)
            },
            **{
                name: read_csv(getattr(smk.input, name), dtype={"period": str})
                for name in ("spatial_autocorrelation", "lisa_clusters", "cross_border_clusters")
            },
            "icc": read_csv(smk.input.icc),
            "decomposition": read_csv(smk.input.decomposition),
            "neighbourhood_profile": read_csv(smk.input.neighbourhood_profile),
            "widest_gaps": read_csv(smk.input.widest_gaps),
            "neighbourhood_noise": read_csv(smk.input.neighbourhood_noise),
        },
    )
    page = build_report(inputs, report_path=smk.output.html)
    write_report(page, smk.output.html)
    logging.info("wrote %s (%d characters)", smk.output.html, len(page))
    page = build_standalone_report(inputs, ".")
    outside = local_references(page)
    if outside:
        raise ValueError(f"self-contained report still references files or hosts: {outside}")
    write_report(page, smk.output.standalone)
    logging.info("wrote %s (%d characters)", smk.output.standalone, len(page))


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
