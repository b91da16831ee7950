"""Snakemake itself stops on integrity faults at start-up (issue 9), dry runs included.

Each test runs ``snakemake -n`` in a scratch copy of the workflow (no data needed): the
checks run while the Snakefile is parsed, before any job could read a raw file.
"""

from __future__ import annotations

import hashlib
import os

from localineq.data.fetch import load_catalogue, raw_path


def test_edited_raw_file_stops_even_a_dry_run_with_its_old_mtime(dry_run, workflow_copy):
    source = load_catalogue(workflow_copy / "config" / "sources.yaml")["els_gigabit_broadband"]
    path = workflow_copy / raw_path(source)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"areacd,observation\nE06000001,1\n")
    os.utime(path, (0, 0))  # an old modification time: mtime-based reruns would miss it
    run = dry_run(workflow_copy)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert str(raw_path(source)) in output
    assert hashlib.sha256(path.read_bytes()).hexdigest() in output  # what the file has
    assert source.sha256 in output  # what the pin says
    assert "delete it" in output and "config/sources.yaml" in output


def test_misspelt_headline_indicator_is_named_at_start_up(dry_run, workflow_copy):
    config = workflow_copy / "config" / "config.yaml"
    text = config.read_text()
    assert "headline_indicator: gdhi_per_head" in text
    config.write_text(text.replace("headline_indicator: gdhi_per_head", "headline_indicator: gdhi"))
    run = dry_run(workflow_copy)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert "figures.headline_indicator: 'gdhi' is not a configured indicator" in output
    assert "Known indicators" in output and "KeyError" not in output


def test_config_syntax_error_shows_the_line(dry_run, workflow_copy):
    config = workflow_copy / "config" / "config.yaml"
    lines = config.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if line.startswith("figures:")) + 2
    lines.insert(number, "  top_n: [5")  # an unclosed bracket
    config.write_text("\n".join(lines) + "\n")
    run = dry_run(workflow_copy)
    assert run.returncode != 0
    output = run.stdout + run.stderr
    assert "config/config.yaml, line" in output and "YAML syntax error" in output
