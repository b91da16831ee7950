"""Whole-pipeline benchmark: cold run, raw-parse floor and no-op run, in one sitting.

Usage (from the repository root, in the project's environment)::

    python benchmarks/pipeline.py [--mirror ../shared/mirror] [--cores 2] [--noop-runs 3]

1. **Cold run**: clones this repository's HEAD into a fresh temporary directory and runs
   ``snakemake --cores N --config mirror=...`` there (every raw file is copied from the mirror
   and verified, every rule runs). The clone's own ``src/`` is put first on ``PYTHONPATH`` so
   the code measured is the code committed.
2. **Raw-parse floor**: a fresh interpreter imports the project's readers and reads every
   pinned raw file of ``config/sources.yaml`` once (the clone's ``data/raw``), with the same
   reader the pipeline uses; its wall time includes interpreter start-up and imports, as each
   pipeline job's does.
3. **No-op run**: the same ``snakemake`` command again with nothing to do (median of
   ``--noop-runs`` runs).
3b. **One-indicator rebuild**: the same command with one indicator's title edited (a
   ``--configfile`` overlay; ``--edit-indicator``, default the headline indicator, whose
   figures rerun too): the work a user's edit of one indicator costs.
4. **Snakemake's own floors**, measured in the same environment so the two goals can be read
   against what no workflow can go below: a one-rule workflow's no-op run (Snakemake's
   start-up, plugin discovery and parameter check; median of ``--noop-runs``), and a cold run
   of as many do-nothing ``script:`` jobs as the cold run had, each of which imports pandas and
   writes one line (a job's fixed cost: a fresh interpreter, Snakemake's script preamble and
   pandas, as every job of this pipeline pays).

It then reads every rule's ``benchmark:`` file (``benchmarks/results/``, written by
Snakemake) and prints the ratios cold/floor, the top rules by wall time and the largest peak
resident memory (``max_rss``) of any job. Goals (issue 22): cold/floor ≤ 15, one-indicator
rebuild/floor ≤ 6, no-op within 0.5 s of the one-rule no-op, peak RSS ≤ 1 GB per job. The load average before and after is printed because the machine may
be shared: compare ratios from one sitting, not seconds across days. Every run has Python's
default bytecode cache (``PYTHONDONTWRITEBYTECODE`` is unset for them, and the line saying so is
printed when the caller had it set).
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Goals (issue 22): cold ≤ 15 × the raw-parse floor, a one-indicator rebuild ≤ 6 × it, a no-op
# within 0.5 s of Snakemake's own one-rule no-op, every job ≤ 1 GB.
GOAL_RATIO = 15.0
GOAL_REBUILD_RATIO = 6.0
GOAL_NOOP_OVER_S = 0.5
GOAL_RSS_MB = 1024.0


def read_all_raw(root: Path) -> dict[str, float]:
    """Read every pinned raw file under ``root/data/raw`` once with the project's readers.

    Returns seconds per source. A source without a reader here is an error, so a new source
    cannot silently drop out of the floor.
    """
    import yaml

    from localineq.data.fetch import load_catalogue, raw_path
    from localineq.data.lookups import (
        read_code_changes,
        read_iod_lsoa_lookup,
        read_iod_lsoa_population,
        read_itl_lookup,
        read_ltla_lookup,
        read_mysociety_imd,
        read_topojson_layer,
    )
    from localineq.data.metadata import read_els_metadata
    from localineq.data.mission_sources import read_geo_metadata
    from localineq.data.prices import read_cpi
    from localineq.data.readers import read_els_csv, read_mye2_persons, read_population_table6
    from localineq.data.small_areas import (
        read_census_zip_member,
        read_lsoa21_lookup,
        read_msoa_lookup,
        read_small_area_income,
    )

    config = yaml.safe_load((root / "config/config.yaml").read_text())
    readers = {
        "els_boundaries_topojson": lambda p: read_topojson_layer(p, "ltla"),
        "lad23_itl_lookup": lambda p: read_itl_lookup(
            p, primary_itl3=dict(config["geography"]["primary_itl3"])
        ),
        "la_code_changes": read_code_changes,
        "ltla_lookup_2014": read_ltla_lookup,
        "regional_gdp_la_workbook": read_population_table6,
        "mid2022_population_by_age": read_mye2_persons,
        "imd2019_file1": read_iod_lsoa_lookup,
        "imd2019_file6": read_iod_lsoa_population,
        "imd2019_scores_mysociety": read_mysociety_imd,
        "ons_cpi_d7bt": read_cpi,
        "els_geo_metadata": read_geo_metadata,
        "lsoa21_lad23_lookup": read_lsoa21_lookup,
        "msoa11_msoa21_lad22_lookup": read_msoa_lookup,
        # every sheet the pipeline reads, and each census table at the geographies it uses
        "small_area_income_fye2020": lambda p: [
            read_small_area_income(p, spec["sheet"])
            for spec in config["neighbourhoods"]["indicators"].values()
            if spec["source"] == "small_area_income_fye2020"
        ],
        "census2021_ts037": lambda p: [
            read_census_zip_member(p, level, "census2021_ts037") for level in ("lsoa", "msoa")
        ],
        "census2021_ts062": lambda p: read_census_zip_member(p, "lsoa", "census2021_ts062"),
    }
    seconds = {}
    for key, source in load_catalogue(root / "config/sources.yaml").items():
        path = root / raw_path(source)
        if key in readers:
            reader = readers[key]
        elif key.startswith("els_") and key.endswith("_metadata"):
            reader = read_els_metadata
        elif key.startswith("els_"):
            reader = lambda p, key=key: read_els_csv(p, source=key)  # noqa: E731
        else:
            raise KeyError(f"no reader for source {key!r}: add it to benchmarks/pipeline.py")
        start = time.perf_counter()
        reader(path)
        seconds[key] = time.perf_counter() - start
    return seconds


#: A workflow of ``n`` independent jobs that do nothing but start, import pandas and write a
#: line: the fixed cost every job of the pipeline pays before its own work.
_STARTUP_SNAKEFILE = """\
N = int(config.get("jobs", 1))


rule all:
    input:
        expand("out/{i}.txt", i=range(N)),


rule job:
    output:
        "out/{i}.txt",
    params:
        label=lambda wildcards: f"job {wildcards.i}",
    script:
        "job.py"
"""

_STARTUP_SCRIPT = """\
import pandas as pd

with open(snakemake.output[0], "w") as handle:  # noqa: F821
    handle.write(f"{snakemake.params.label} {pd.__version__}\\n")  # noqa: F821
"""


def startup_floors(n_jobs: int, cores: int, noop_runs: int, env: dict[str, str]):
    """Cold wall time of ``n_jobs`` do-nothing script jobs and the no-op time of one.

    Returns ``(cold_s, cold_cpu_s, [noop_s, ...])``: the first is the fixed cost of the
    cold run's job count on ``cores`` cores; the last are no-op runs of a one-job workflow.
    """
    with tempfile.TemporaryDirectory(prefix="localineq-floor-") as tmp:
        root = Path(tmp)
        (root / "Snakefile").write_text(_STARTUP_SNAKEFILE)
        (root / "job.py").write_text(_STARTUP_SCRIPT)
        base = [sys.executable, "-m", "snakemake", "--cores", str(cores)]
        cold, cold_cpu, _ = run([*base, "--config", f"jobs={n_jobs}"], root, env)
        run([*base, "--config", "jobs=1", "--forceall"], root, env)  # one job, then no-ops
        noops = [run([*base, "--config", "jobs=1"], root, env)[0] for _ in range(noop_runs)]
    return cold, cold_cpu, noops


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, all descendants) and stdout of ``cmd``."""
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write((proc.stdout or "") + (proc.stderr or ""))
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, _children_cpu() - cpu, proc.stdout


def read_benchmarks(root: Path) -> list[dict[str, object]]:
    """One row per job from Snakemake's benchmark TSVs under ``root/benchmarks/results``."""
    rows = []
    for path in sorted((root / "benchmarks/results").rglob("*.tsv")):
        with path.open() as handle:
            record = next(csv.DictReader(handle, delimiter="\t"))
        rss = record.get("max_rss", "NA")
        rows.append(
            {
                "job": str(path.relative_to(root / "benchmarks/results").with_suffix("")),
                "s": float(record["s"]),
                "max_rss": float(rss) if rss not in ("NA", "-", "") else float("nan"),
                "cpu_time": float(record.get("cpu_time", "nan") or "nan"),
            }
        )
    return rows


def one_indicator_rebuild(
    snakemake: list[str], clone: Path, env: dict[str, str], args: argparse.Namespace
) -> tuple[float, int, str]:
    """Wall seconds and job count of the run after one indicator's title is edited (the whole
    config with that title changed, passed as ``--configfile``, the way tests/test_pipeline.py
    edits it)."""
    import yaml

    with open(clone / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    edited = args.edit_indicator or config["figures"]["headline_indicator"]
    config["indicators"][edited]["title"] = "An edited title"
    overlay = clone.parent / "edit.yaml"
    overlay.write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    wall, _, _ = run([*snakemake, "--configfile", str(overlay)], clone, env)
    # Jobs the edit reran: their benchmark files are newer than the overlay.
    since = overlay.stat().st_mtime
    rerun = [
        p for p in (clone / "benchmarks" / "results").rglob("*.tsv") if p.stat().st_mtime > since
    ]
    return wall, len(rerun), edited


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=str(REPO.parent / "shared" / "mirror"))
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--noop-runs", type=int, default=3)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep the temporary clone")
    parser.add_argument(
        "--edit-indicator", help="indicator whose title the rebuild edits (default: headline)"
    )
    parser.add_argument("--floor-only", metavar="ROOT", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.floor_only:  # the child interpreter of step 2
        seconds = read_all_raw(Path(args.floor_only))
        print(f"{sum(seconds.values()):.3f} {len(seconds)}")
        return

    mirror = str(Path(args.mirror).resolve())
    load_before = os.getloadavg()
    tmp = Path(tempfile.mkdtemp(prefix="localineq-bench-"))
    clone = tmp / "clone"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
    ).stdout.strip()
    env = dict(os.environ, PYTHONHASHSEED="0", MPLBACKEND="Agg")
    # Python's default bytecode cache, as users have it. Some images (this project's
    # sandbox) set PYTHONDONTWRITEBYTECODE, and then every job and every invocation compiles
    # the localineq modules it imports from source again (site-packages came precompiled).
    bytecode_env = env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(clone / "src"), env.get("PYTHONPATH")]))
    snakemake = [
        sys.executable, "-m", "snakemake", "--cores", str(args.cores),
        "--config", f"mirror={mirror}",
    ]  # fmt: skip

    print(f"commit {head}, {args.cores} cores, clone in {clone}")
    if bytecode_env is not None:
        print(f"PYTHONDONTWRITEBYTECODE={bytecode_env!r} unset for the runs (Python's default)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in load_before)}")
    cold, cold_cpu, _ = run(snakemake, clone, env)
    print(f"cold run:        {cold:8.1f} s wall, {cold_cpu:7.1f} s CPU")
    floor_cmd = [sys.executable, str(Path(__file__).resolve()), "--floor-only", str(clone)]
    floor, floor_cpu, out = run(floor_cmd, clone, env)
    reading, n_files = float(out.split()[0]), int(out.split()[1])
    print(
        f"raw-parse floor: {floor:8.1f} s wall, {floor_cpu:7.1f} s CPU"
        f"  ({n_files} files; {reading:.1f} s reading, the rest start-up and imports)"
    )
    noops = [run(snakemake, clone, env)[0] for _ in range(args.noop_runs)]
    noop = statistics.median(noops)
    print(f"no-op run:       {noop:8.2f} s  (median of {' '.join(f'{x:.2f}' for x in noops)})")
    jobs = read_benchmarks(clone)  # before the rebuild overwrites its jobs' files
    rebuild, rebuild_jobs, edited = one_indicator_rebuild(snakemake, clone, env, args)
    print(
        f"rebuild:         {rebuild:8.1f} s  ({rebuild_jobs} jobs after editing {edited}'s title)"
    )
    start_cold, start_cpu, start_noops = startup_floors(len(jobs), args.cores, args.noop_runs, env)
    start_noop = statistics.median(start_noops)
    print(
        f"{len(jobs)} do-nothing jobs: {start_cold:6.1f} s wall, {start_cpu:7.1f} s CPU"
        "  (start-up floor of the cold run: interpreter, script preamble, pandas)"
    )
    print(
        f"one-rule no-op:  {start_noop:8.2f} s  (Snakemake's own floor; median of"
        f" {' '.join(f'{x:.2f}' for x in start_noops)})"
    )
    load_after = os.getloadavg()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in load_after)}")

    total = sum(j["s"] for j in jobs)
    print(f"\n{len(jobs)} jobs, {total:.1f} s summed job wall time ({total / cold:.2f} per cold s)")
    print(f"top {args.top} jobs by wall time (s, max_rss MB):")
    for job in sorted(jobs, key=lambda j: -j["s"])[: args.top]:
        print(f"  {job['s']:7.2f}  {job['max_rss']:7.1f}  {job['job']}")
    by_rule: dict[str, list[float]] = {}
    for job in jobs:
        by_rule.setdefault(job["job"].split("/")[0], []).append(job["s"])
    print("wall time by rule (s, jobs):")
    for rule, times in sorted(by_rule.items(), key=lambda kv: -sum(kv[1]))[: args.top]:
        print(f"  {sum(times):7.2f}  {len(times):3d}  {rule}")
    peak = max(jobs, key=lambda j: j["max_rss"]) if jobs else None

    ratio = cold / floor
    print("\nsummary")
    print(f"  cold / floor = {cold:.1f} / {floor:.1f} = {ratio:.2f}  (goal ≤ {GOAL_RATIO:g})")
    print(
        f"  CPU cold / floor = {cold_cpu:.1f} / {floor_cpu:.1f} = {cold_cpu / floor_cpu:.2f}"
        "  (less sensitive to other users' load than wall time)"
    )
    print(
        f"  start-up floor / floor = {start_cold:.1f} / {floor:.1f} = {start_cold / floor:.2f}"
        f"  (what {len(jobs)} jobs cost before doing any work)"
    )
    rebuild_ratio = rebuild / floor
    print(
        f"  rebuild / floor = {rebuild:.1f} / {floor:.1f} = {rebuild_ratio:.2f}"
        f"  ({rebuild_jobs} jobs; goal ≤ {GOAL_REBUILD_RATIO:g})"
    )
    noop_over = noop - start_noop
    print(f"  no-op        = {noop:.2f} s")
    print(
        f"  no-op minus Snakemake's one-rule no-op = {noop_over:.2f} s"
        f"  (this workflow's own share: parsing, config check, DAG; goal ≤ {GOAL_NOOP_OVER_S:g} s)"
    )
    print(f"  jobs         = {len(jobs)} in the cold run")
    if peak:
        print(
            f"  peak RSS     = {peak['max_rss']:.0f} MB in {peak['job']}"
            f"  (goal ≤ {GOAL_RSS_MB:.0f} MB)"
        )
    met = (
        ratio <= GOAL_RATIO
        and rebuild_ratio <= GOAL_REBUILD_RATIO
        and noop_over <= GOAL_NOOP_OVER_S
        and peak
        and peak["max_rss"] <= GOAL_RSS_MB
    )
    print(f"  goals {'met' if met else 'NOT met'}")
    if args.keep:
        print(f"kept {clone}")
    else:
        subprocess.run(["rm", "-rf", str(tmp)], check=True)


if __name__ == "__main__":
    main()
