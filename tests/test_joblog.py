"""A failing job writes its error to its own log file, not only to the console."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest

from localineq.config.joblog import run_job

SCRIPTS = sorted((Path(__file__).resolve().parents[1] / "workflow" / "scripts").glob("*.py"))


def test_the_error_and_its_traceback_reach_the_job_log(tmp_path):
    log = tmp_path / "logs" / "job.log"
    log.parent.mkdir()

    def main(smk):
        logging.info("reading the raw file")
        raise ValueError("unknown area code E06000048 in els_travel_time, line 7")

    with pytest.raises(ValueError, match="E06000048"):
        run_job(main, SimpleNamespace(log=[str(log)]))
    text = log.read_text()
    assert "reading the raw file" in text
    assert "the job failed" in text and "Traceback" in text
    assert "ValueError: unknown area code E06000048 in els_travel_time, line 7" in text


def test_a_job_that_succeeds_logs_no_error(tmp_path):
    log = tmp_path / "job.log"
    run_job(lambda smk: logging.info("done"), SimpleNamespace(log=[str(log)]))
    assert "done" in log.read_text() and "failed" not in log.read_text()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_script_runs_its_main_through_run_job(script):
    tree = ast.parse(script.read_text(encoding="utf-8"))
    guard = tree.body[-1]
    assert isinstance(guard, ast.If) and "__main__" in ast.unparse(guard.test)
    assert ast.unparse(guard.body[0]) == "run_job(main, snakemake)", script.name
