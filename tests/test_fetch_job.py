"""Rule ``fetch``'s command (``python -m localineq.data.fetch_job``): what the job leaves behind
(raw file, sidecar, log, exit status) and what it costs to start (no HTTP stack, no rerun)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from localineq.data.fetch import FAILURE_MARKER, fetch_failure_summary, load_catalogue, raw_path
from localineq.data.fetch_job import parse_args

PAYLOAD = b"areacd,observation\nE06000001,1\n" * 50


def _catalogue(tmp_path: Path) -> Path:
    entry = {
        # Port 1 on loopback refuses connections: no test here may reach a network.
        "url": "https://127.0.0.1:1/data.csv",
        "sha256": hashlib.sha256(PAYLOAD).hexdigest(),
        "bytes": len(PAYLOAD),
        "publisher": "Test publisher",
        "licence": "OGL-UK-3.0",
        "description": "demo file",
        "columns": ["areacd", "observation"],
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": {"demo": entry}}), encoding="utf-8")
    return path


def _job(tmp_path: Path, mirror: Path, *prefix: str) -> subprocess.CompletedProcess:
    args = [
        "demo",
        "raw/demo/data.csv",
        "raw/demo/data.csv.provenance.json",
        "logs/fetch/demo/data.csv.log",
        "--sources",
        str(_catalogue(tmp_path)),
        "--mirror",
        str(mirror),
    ]
    (tmp_path / "logs" / "fetch" / "demo").mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, *prefix, *args], cwd=tmp_path, capture_output=True, text=True
    )


def test_a_mirror_hit_leaves_file_sidecar_and_log(tmp_path):
    (tmp_path / "mirror" / "host").mkdir(parents=True)
    (tmp_path / "mirror" / "host" / "data.csv").write_bytes(PAYLOAD)
    run = _job(tmp_path, tmp_path / "mirror", "-m", "localineq.data.fetch_job")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "raw/demo/data.csv").read_bytes() == PAYLOAD
    record = json.loads((tmp_path / "raw/demo/data.csv.provenance.json").read_text())
    assert record["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert record["retrieved_from"] == f"mirror:{tmp_path / 'mirror' / 'host' / 'data.csv'}"
    log = (tmp_path / "logs/fetch/demo/data.csv.log").read_text()
    assert log.startswith("INFO:root:demo: mirror:") and "ERROR" not in log


def test_a_failed_fetch_exits_non_zero_with_the_line_the_run_summary_reads(tmp_path):
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "data.csv").write_bytes(PAYLOAD + b"another release")
    run = _job(tmp_path, tmp_path / "mirror", "-m", "localineq.data.fetch_job")
    assert run.returncode == 1
    assert f"{FAILURE_MARKER}: source 'demo'" in run.stderr
    assert not (tmp_path / "raw/demo/data.csv").exists()
    log = (tmp_path / "logs/fetch/demo/data.csv.log").read_text()
    assert log.startswith(f"ERROR:root:{FAILURE_MARKER}: source 'demo': mirror file ")
    catalogue = load_catalogue(tmp_path / "sources.yaml")
    summary = fetch_failure_summary(catalogue, tmp_path / "raw", tmp_path / "logs" / "fetch")
    assert summary is not None and "demo  mirror file" in summary


def test_a_mirror_fetch_does_not_import_the_http_stack(tmp_path):
    """The HTTP modules are a quarter of the fetch module's import time; only a download needs them."""
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "data.csv").write_bytes(PAYLOAD)
    probe = (
        "import sys; from localineq.data.fetch_job import main; main(sys.argv[1:]); "
        "print(sorted(m for m in ('http.client', 'ssl', 'urllib.request', 'snakemake') "
        "if m in sys.modules))"
    )
    run = _job(tmp_path, tmp_path / "mirror", "-c", probe)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"
    assert (tmp_path / "raw/demo/data.csv").read_bytes() == PAYLOAD


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "r.csv", "r.json", "r.log"],  # --sources missing
        ["demo", "r.csv", "r.json", "--sources", "s.yaml"],  # the log missing
        ["demo", "r.csv", "r.json", "r.log", "--sources"],  # --sources without a value
        ["demo", "r.csv", "r.json", "r.log", "--sources", "s.yaml", "--mirrors", "m"],
    ],
)
def test_a_malformed_command_line_stops_with_the_usage(argv):
    with pytest.raises(SystemExit, match="usage: python -m localineq.data.fetch_job"):
        parse_args(argv)


def test_an_empty_mirror_means_none():
    args = ["demo", "r.csv", "r.json", "r.log", "--sources", "s.yaml", "--mirror", ""]
    assert parse_args(args).mirror is None
    assert parse_args(args[:-2]).mirror is None
    assert parse_args([*args[:-1], "/m"]).mirror == "/m"


@pytest.mark.integration
def test_only_missing_raw_files_have_a_fetch_job(repo_root, mirror, workflow_copy):
    """Rule fetch produces only sources whose raw file or sidecar is missing (TO_FETCH in
    common.smk): a present, verified raw file has no fetch job, a missing one has, and a
    raw file without its sidecar is fetched again."""
    sources = load_catalogue(repo_root / "config/sources.yaml")
    present, no_sidecar = list(sources)[:2]
    for key in (present, no_sidecar):
        path = raw_path(sources[key])
        if not (repo_root / path).is_file():
            pytest.skip("needs the raw files fetched (run the pipeline first)")
        (workflow_copy / path).parent.mkdir(parents=True)
        (workflow_copy / path).write_bytes((repo_root / path).read_bytes())
    sidecar = Path(f"{raw_path(sources[present])}.provenance.json")
    (workflow_copy / sidecar).write_bytes((repo_root / sidecar).read_bytes())
    for name in ("src", "notebooks"):
        shutil.copytree(repo_root / name, workflow_copy / name)
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--config", f"mirror={mirror}"],
        cwd=workflow_copy, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    fetched = set(re.findall(r"wildcards: source=(\w+), filename=", run.stdout))
    assert fetched == set(sources) - {present}


@pytest.mark.integration
def test_switching_the_mirror_reruns_no_fetch(repo_root, mirror, tmp_path):
    """The mirror reaches the job outside params and the command: a run with another mirror
    (or none) finds every raw file already fetched, so nothing downstream reruns either.
    (With every raw file present rule fetch has no job at all; the environment matters for a
    run that fetches some files, whose other jobs must not rerun with the mirror.)"""
    targets = [str(raw_path(s)) for s in load_catalogue(repo_root / "config/sources.yaml").values()]
    if not all((repo_root / t).is_file() for t in targets):
        pytest.skip("needs every raw file fetched (run the pipeline first)")
    for setting in (f"mirror={tmp_path}", "mirror="):
        run = subprocess.run(
            [sys.executable, "-m", "snakemake", "-n", "--cores", "1", "--config", setting],
            cwd=repo_root, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert run.returncode == 0, run.stderr[-3000:]
        # Nothing reruns but the report, which cites the commit (a new one in development).
        assert set(re.findall(r"^rule (\w+):", run.stdout, re.M)) <= {"report", "all"}, setting
