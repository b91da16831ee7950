"""Time rendering every local-authority profile page (issue 12; goal: under 20 s on 2 cores).

Reads the pipeline's tables (run ``snakemake`` first, or at least
``results/tables/la_targets.csv results/tables/masked_las.csv``), then times, in one process,
loading the inputs, building the page contexts and rendering all pages plus the index into a
temporary folder — the same calls as ``workflow/scripts/render_profiles.py``. It is a script,
not a test: timings depend on the machine's load.

    python benchmarks/bench_profiles.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

from localineq.analysis.area_tables import read_indicator_tables
from localineq.data.fetch import load_catalogue
from localineq.outputs.profiles import build_profiles, render_profiles

ROOT = Path(__file__).resolve().parents[1]


def run_once(out: Path) -> dict[str, float]:
    t0 = time.perf_counter()
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text(encoding="utf-8"))
    tables = ROOT / "results/tables"
    indicators = read_indicator_tables(
        [tables / "la_indicators.csv", tables / "upper_tier_indicators.csv"]
    )
    targets = pd.read_csv(tables / "la_targets.csv", dtype={"area_code": str, "period": str})
    masked = pd.read_csv(tables / "masked_las.csv", dtype={"area_code": str})
    upper = pd.read_parquet(ROOT / "data/processed/lad23_upper_tier.parquet")
    catalogue = load_catalogue(ROOT / "config/sources.yaml")
    t1 = time.perf_counter()
    pages, index = build_profiles(
        indicators, targets, masked, upper, config["indicators"], catalogue, "bench"
    )
    t2 = time.perf_counter()
    written = render_profiles(pages, index, out)
    t3 = time.perf_counter()
    return {
        "pages": len(written),
        "load": t1 - t0,
        "build": t2 - t1,
        "render": t3 - t2,
        "total": t3 - t0,
        "bytes": sum(p.stat().st_size for p in written),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}; load average: {os.getloadavg()[0]:.2f}")
    runs = []
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            r = run_once(Path(tmp))
        runs.append(r)
        print(
            f"run {i + 1}: {r['pages']} files ({r['bytes'] / 1e6:.1f} MB): load {r['load']:.2f} s, "
            f"build {r['build']:.2f} s, render {r['render']:.2f} s, total {r['total']:.2f} s"
        )
    best = min(r["total"] for r in runs)
    print(f"best total: {best:.2f} s ({'under' if best < 20 else 'OVER'} the 20 s goal)")


if __name__ == "__main__":
    main()
