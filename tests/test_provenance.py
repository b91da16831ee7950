"""The commit and data date a citation names (localineq.data.provenance)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from localineq.data.provenance import UNKNOWN, code_commit, data_retrieved


def _sidecar(path, stamp):
    path.write_text(json.dumps({"retrieved_at": stamp, "sha256": "0" * 64}), encoding="utf-8")
    return path


def test_data_date_is_the_latest_retrieval_not_today(tmp_path):
    files = [
        _sidecar(tmp_path / "a.provenance.json", "2024-03-01T23:59:59Z"),
        _sidecar(tmp_path / "b.provenance.json", "2025-01-02T00:00:00Z"),
        _sidecar(tmp_path / "c.provenance.json", "2023-12-31T12:00:00Z"),
    ]
    assert data_retrieved(files) == "2025-01-02"
    assert data_retrieved(reversed(files)) == "2025-01-02"
    assert data_retrieved([]) == UNKNOWN


@pytest.mark.parametrize("stamp", [None, "yesterday", "2025-01-02"])
def test_a_sidecar_without_a_valid_date_is_named(tmp_path, stamp):
    path = tmp_path / "x.provenance.json"
    path.write_text(json.dumps({} if stamp is None else {"retrieved_at": stamp}))
    with pytest.raises(ValueError, match=r"x\.provenance\.json: no valid 'retrieved_at'"):
        data_retrieved([path])


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_commit_of_a_repository_and_of_a_plain_folder(tmp_path):
    assert code_commit(tmp_path) == UNKNOWN  # not a work tree (tmp is outside any repository)
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    assert code_commit(repo) == UNKNOWN  # no commit yet
    (repo / "f.txt").write_text("one\n")
    git("add", "f.txt")
    git("commit", "-q", "-m", "first")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert code_commit(repo) == head
    (repo / "untracked.txt").write_text("ignored\n")  # untracked files do not count
    assert code_commit(repo) == head
    (repo / "f.txt").write_text("two\n")
    assert code_commit(repo) == f"{head}+uncommitted changes"
