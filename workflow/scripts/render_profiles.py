"""Snakemake adapter: one HTML profile page per local authority plus an index."""

import logging
import shutil
from pathlib import Path

from localineq import __version__
from localineq.analysis.area_tables import read_indicator_tables
from localineq.config.joblog import run_job
from localineq.data.fetch import load_catalogue
from localineq.data.intermediates import read_csv, read_parquet
from localineq.outputs.profiles import build_profiles, render_profiles


def main(smk) -> None:
    out = Path(smk.output.profiles)
    if out.exists():
        shutil.rmtree(out)
    pages, index = build_profiles(
        indicators=read_indicator_tables(list(smk.input.indicators)),
        targets=read_csv(smk.input.targets, dtype={"area_code": str, "period": str}),
        masked=read_csv(smk.input.masked, dtype={"area_code": str}),
        upper_tier=read_parquet(smk.input.upper_tier),
        specs={k: dict(v) for k, v in smk.params.specs.items()},
        catalogue=load_catalogue(smk.input.sources),
        version=__version__,
        neighbourhoods=read_parquet(smk.input.neighbourhoods),
        spread=read_csv(smk.input.spread, dtype={"lad23_code": str}),
        neighbourhood_specs={k: dict(v) for k, v in smk.params.neighbourhood_specs.items()},
    )
    written = render_profiles(pages, index, out)
    logging.info("wrote %d pages (%d authorities + index) to %s", len(written), len(pages), out)


if __name__ == "__main__":
    run_job(main, snakemake)  # noqa: F821 (injected by Snakemake)
