"""End to end on the shared mirror: the real pipeline, its outputs, and an instant rerun.

The first test brings the workflow up to date in the repository itself (CI has already run it,
so this is then a no-op check); the rest read what it produced.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pandas as pd
import pytest
import yaml

pytestmark = pytest.mark.integration


def snakemake(repo_root, mirror, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--cores", "2", *args]
    command += ["--config", f"mirror={os.path.relpath(mirror, repo_root)}"]
    return subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=3000)


@pytest.fixture(scope="module")
def built(repo_root, mirror):
    run = snakemake(repo_root, mirror)
    assert run.returncode == 0, run.stderr[-4000:]
    return repo_root


def test_second_run_has_nothing_to_do_quickly(built, mirror):
    start = time.perf_counter()
    run = snakemake(built, mirror)
    elapsed = time.perf_counter() - start
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Nothing to be done" in run.stdout + run.stderr
    assert elapsed < 30  # the target is < 5 s; the slack absorbs a loaded CI machine


def _dry_run_jobs(output: str) -> list[tuple[str, str | None]]:
    """(rule, indicator wildcard or None) of each job in a dry run's listing."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", output):
        rule = re.match(r"(?:local)?rule (\w+):", block.strip())
        if rule:
            indicator = re.search(r"wildcards:.*\bindicator=(\w+)", block)
            jobs.append((rule.group(1), indicator.group(1) if indicator else None))
    return jobs


def edited_config(root, tmp_path, indicator: str, **changes) -> object:
    """The whole config with one indicator's settings changed, as a user edits the file.

    The whole file, not a partial overlay: Snakemake's own ``configfile:`` merged an overlay
    holding only ``indicators: {key: ...}`` by putting that key first, reordering the
    indicators. ``load_workflow_config`` (which replaced it) keeps the file's order, but the
    test edits what a user edits.
    """
    with open(root / "config" / "config.yaml", encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    config["indicators"][indicator].update(changes)
    edit = tmp_path / "edit.yaml"
    edit.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return edit


#: Jobs that compute: they read the title-free panels and specs without labels, so a title
#: edit must rerun none of them (issue 22: the rebuild after a title edit).
COMPUTING_RULES = {
    "indicator",
    "indicator_tables",
    "latest_decompositions",
    "spatial_weights",
    "spatial_autocorrelation",
    "la_targets",
    "mission_tables",
    "export_region_indicators",
}


@pytest.mark.parametrize("edited", ["life_satisfaction", "claimant_count"])
def test_editing_one_title_reruns_only_the_jobs_that_print_it(built, mirror, tmp_path, edited):
    """A changed title reruns the jobs that print titles (exports, tables, figures, pages,
    report), never a computation, and of the per-indicator jobs only the edited indicator's
    figures."""
    edit = edited_config(built, tmp_path, edited, title="An edited title")
    run = snakemake(built, mirror, "-n", "--configfile", str(edit))
    assert run.returncode == 0, run.stderr[-2000:]
    jobs = _dry_run_jobs(run.stdout + run.stderr)
    assert {rule for rule, _ in jobs} & COMPUTING_RULES == set()
    assert {"indicator_exports", "across_indicators", "report"} <= {rule for rule, _ in jobs}
    others = [(rule, indicator) for rule, indicator in jobs if indicator not in (None, edited)]
    assert others == []
    with open(built / "config" / "config.yaml") as handle:
        headline = yaml.safe_load(handle)["figures"]["headline"]
    own = {rule for rule, indicator in jobs if indicator == edited}
    assert own == ({"draw_indicator"} if edited in headline else set())


@pytest.mark.parametrize("edited", ["life_satisfaction", "claimant_count"])
def test_editing_one_indicator_reruns_only_its_own_jobs(built, mirror, tmp_path, edited):
    """A changed setting its numbers depend on (polarity) reruns that indicator's own jobs and
    the all-indicator tables, figures and report, never another indicator's jobs."""
    with open(built / "config" / "config.yaml") as handle:
        config = yaml.safe_load(handle)
    flipped = not config["indicators"][edited]["higher_is_better"]
    edit = edited_config(built, tmp_path, edited, higher_is_better=flipped)
    run = snakemake(built, mirror, "-n", "--configfile", str(edit))
    assert run.returncode == 0, run.stderr[-2000:]
    jobs = _dry_run_jobs(run.stdout + run.stderr)
    own = {rule for rule, indicator in jobs if indicator == edited}
    assert "indicator" in own
    others = [(rule, indicator) for rule, indicator in jobs if indicator not in (None, edited)]
    assert others == []
    assert ("draw_indicator" in own) == (edited in config["figures"]["headline"])
    # One job per indicator of its own: the chain and its figures are not split any more.
    assert sorted(rule for rule, indicator in jobs if indicator == edited) == sorted(own)


def test_editing_the_report_title_reruns_the_report_and_nothing_else(built, mirror, tmp_path):
    """The report receives the settings it reads as params: a new title reruns both report
    files (and before, with the whole config read inside the job, it reran nothing)."""
    with open(built / "config" / "config.yaml") as handle:
        report = yaml.safe_load(handle)["report"]
    edit = tmp_path / "edit.yaml"
    edit.write_text(yaml.safe_dump({"report": {**report, "title": "An edited title"}}))
    run = snakemake(built, mirror, "-n", "--configfile", str(edit))
    assert run.returncode == 0, run.stderr[-2000:]
    rules = {rule for rule, _ in _dry_run_jobs(run.stdout + run.stderr)}
    assert rules == {"report", "all"}, rules


def test_decomposition_table_is_complete_and_additive(built):
    table = pd.read_csv(built / "results" / "tables" / "decomposition.csv")
    required = {
        "indicator",
        "period",
        "level",
        "measure",
        "weighting",
        "n_areas",
        "total",
        "between",
        "within",
        "between_share",
    }
    assert required <= set(table.columns)
    gdhi = table[(table["indicator"] == "gdhi_per_head") & (table["measure"] == "theil_t")]
    assert set(gdhi["weighting"]) == {"weighted", "unweighted"}
    assert gdhi["period"].nunique() >= 20
    assert (gdhi["n_areas"] == 361).all()
    additive = table[table["measure"].isin(["theil_t", "theil_l", "variance"])]
    gap = (additive["between"] + additive["within"] - additive["total"]).abs()
    assert (gap <= 1e-9 * additive["total"].abs().clip(lower=1)).all()
    assert table["between_share"].between(0, 1).all()


def test_figure_and_notebook_exist(built):
    png = built / "results" / "figures" / "dotplot_gdhi_per_head.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (built / "results" / "figures" / "dotplot_gdhi_per_head.svg").stat().st_size > 0
    html = (built / "results" / "notebooks" / "01_first_result.html").read_text()
    assert "between" in html and "Traceback" not in html


def test_raw_files_carry_provenance(built):
    sidecars = list((built / "data" / "raw").rglob("*.provenance.json"))
    assert len(sidecars) >= 4
