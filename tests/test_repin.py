"""Issue 23, faults 1 and 5: re-pinning end to end.

The documented procedure is: check the new file, update ``url``, ``sha256`` and ``bytes``
(and ``columns`` if they changed) in ``config/sources.yaml``, rerun. The raw file fetched
under the old pin is then retired automatically with its sidecar, and the new file is
fetched. A new release of the employment rate without its interval columns must then stop
the run naming the missing columns, where it used to be accepted with every interval gone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from localineq.data.fetch import (
    RawFileMismatch,
    ensure,
    find_in_mirror,
    load_catalogue,
    raw_path,
    retire_superseded_raw_files,
    verify_raw_files,
)
from localineq.data.readers import ELS_COLUMNS, DataError, read_els_csv

KEY = "els_employment_rate"


def without_intervals(original: Path, dest: Path) -> Path:
    """The publisher's CSV with ``lci_95`` and ``uci_95`` removed, everything else as is."""
    text = original.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    drop = {rows[0].index("lci_95"), rows[0].index("uci_95")}
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [c for i, c in enumerate(row) if i not in drop] for row in rows
    )
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(out.getvalue(), encoding="utf-8")
    return dest


def repinned_catalogue(repo_root: Path, folder: Path, new_file: Path) -> Path:
    """sources.yaml with the employment source re-pinned to ``new_file`` (sha256 and bytes)."""
    document = yaml.safe_load((repo_root / "config" / "sources.yaml").read_text())
    entry = document["sources"][KEY]
    entry["sha256"] = hashlib.sha256(new_file.read_bytes()).hexdigest()
    entry["bytes"] = new_file.stat().st_size
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def employment(repo_root, mirror) -> Path:
    source = load_catalogue(repo_root / "config" / "sources.yaml")[KEY]
    found = find_in_mirror(source, mirror)
    assert found is not None, f"{source.filename} not in the mirror"
    return found


def test_repin_to_a_release_without_intervals_is_refused_naming_the_columns(
    repo_root, mirror, employment, tmp_path
):
    old = load_catalogue(repo_root / "config" / "sources.yaml")
    raw_dir = tmp_path / "data" / "raw"
    dest = raw_path(old[KEY], raw_dir)
    sidecar = dest.with_name(dest.name + ".provenance.json")
    ensure(old[KEY], dest, sidecar, mirror)  # the run before the re-pin
    assert json.loads(sidecar.read_text())["sha256"] == old[KEY].sha256

    new_mirror = tmp_path / "new-mirror"
    new_file = without_intervals(employment, new_mirror / old[KEY].filename)
    new = load_catalogue(repinned_catalogue(repo_root, tmp_path, new_file))
    assert new[KEY].sha256 != old[KEY].sha256

    # Rerun after the documented edit: the old raw file and its sidecar are retired ...
    retired = retire_superseded_raw_files(new, raw_dir)
    assert len(retired) == 1 and str(dest) in retired[0]
    assert not dest.exists() and not sidecar.exists()
    # ... other sources (absent here) are untouched, and nothing is left to refuse
    assert verify_raw_files(new, raw_dir) == 0
    # ... the newly pinned file is fetched ...
    assert ensure(new[KEY], dest, sidecar, new_mirror).startswith("mirror:")
    assert verify_raw_files(new, raw_dir) == 1
    # ... and the reader refuses it, naming source, file and both missing columns.
    with pytest.raises(DataError) as err:
        read_els_csv(dest, KEY, new[KEY].columns)
    message = str(err.value)
    assert f"source {KEY!r}" in message and os.fspath(dest) in message
    assert "missing expected column(s) ['lci_95', 'uci_95']" in message

    # Without the declaration this is the audit's fault: accepted, every interval missing.
    silent = read_els_csv(dest, KEY, ELS_COLUMNS)
    assert silent["lci_95"].isna().all() and silent["uci_95"].isna().all()
    assert read_els_csv(employment, KEY, new[KEY].columns)["lci_95"].notna().sum() > 6000


def test_an_edited_raw_file_is_not_taken_for_a_repin(repo_root, mirror, tmp_path):
    """A file matching neither its pin nor its sidecar was changed after fetching: refused,
    with advice to delete it and its sidecar."""
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    source = catalogue["la_code_changes"]
    raw_dir = tmp_path / "raw"
    dest = raw_path(source, raw_dir)
    sidecar = dest.with_name(dest.name + ".provenance.json")
    ensure(source, dest, sidecar, mirror)
    dest.write_bytes(dest.read_bytes() + b"E06000001,x,E06000002,y,merger,2030\n")
    edited = {"la_code_changes": source}
    assert retire_superseded_raw_files(edited, raw_dir) == []
    assert dest.exists()
    with pytest.raises(RawFileMismatch) as err:
        verify_raw_files(edited, raw_dir)
    message = str(err.value)
    assert "when fetched it had" in message and "changed since" in message
    assert "must be deleted, with its .provenance.json sidecar" in message


def _workflow_copy(repo_root: Path, folder: Path) -> Path:
    folder.mkdir()
    for name in ("Snakefile", "config", "workflow", "src", "environment.yml", "pyproject.toml"):
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy2(source, folder / name)
    return folder


def _snakemake(folder: Path, mirror: Path, *targets: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--config", f"mirror={mirror}",
         "--", *targets],
        cwd=folder, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip


@pytest.mark.integration
def test_the_pipeline_stops_after_a_repin_to_a_release_without_intervals(
    repo_root, mirror, employment, tmp_path
):
    """Fault 1 as the audit ran it: mirror copy without the interval columns, sha256 and
    bytes updated, rerun: a non-zero exit naming the missing columns (was exit 0)."""
    work = _workflow_copy(repo_root, tmp_path / "work")
    # As rule `all` does, the raw file is requested too: Snakemake does not look at a missing
    # input of a job whose outputs are up to date.
    source = load_catalogue(work / "config" / "sources.yaml")[KEY]
    targets = (str(raw_path(source)), "data/processed/indicators/employment_rate.parquet")
    first = _snakemake(work, mirror, *targets)
    assert first.returncode == 0, first.stderr[-3000:]

    new_mirror = tmp_path / "new-mirror"
    shutil.copytree(mirror, new_mirror, ignore=shutil.ignore_patterns(employment.name))
    without_intervals(employment, new_mirror / "employment" / employment.name)
    sources = work / "config" / "sources.yaml"
    shutil.copy2(
        repinned_catalogue(repo_root, tmp_path, new_mirror / "employment" / employment.name),
        sources,
    )

    second = _snakemake(work, new_mirror, *targets)
    output = second.stdout + second.stderr
    assert second.returncode != 0, output[-3000:]
    assert "re-pinned, fetching again" in output
    assert "missing expected column(s) ['lci_95', 'uci_95']" in output
    assert f"source '{KEY}'" in output
