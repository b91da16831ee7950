"""The test command says plainly when integration tests were skipped, and how to run them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CONFTEST = Path(__file__).with_name("conftest.py")


def _session(tmp_path: Path, mirror: Path, require: str = "") -> subprocess.CompletedProcess:
    """A small pytest session with the project's conftest: one unit and two integration tests."""
    tests = tmp_path / "tests"
    tests.mkdir()
    shutil.copy(CONFTEST, tests / "conftest.py")
    (tests / "test_small.py").write_text(
        "def test_unit():\n    assert True\n\n"
        "def test_reads_mirror(mirror):\n    assert mirror.is_dir()\n\n"
        "def test_reads_mirror_too(mirror):\n    assert mirror.is_dir()\n",
        encoding="utf-8",
    )
    env = {**os.environ, "LOCALINEQ_MIRROR": str(mirror), "LOCALINEQ_REQUIRE_MIRROR": require}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_skipped_integration_tests_are_counted_with_the_way_to_enable_them(tmp_path):
    empty = tmp_path / "no-mirror"
    empty.mkdir()
    run = _session(tmp_path, empty)
    assert run.returncode == 0, run.stdout
    assert "1 passed, 2 skipped" in run.stdout
    assert f"2 integration tests skipped: no data mirror at {empty}" in run.stdout
    assert "set LOCALINEQ_MIRROR=DIR" in run.stdout


def test_no_skip_line_when_the_integration_tests_ran(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "MANIFEST.csv").write_text("path,sha256\n", encoding="utf-8")
    run = _session(tmp_path, mirror)
    assert run.returncode == 0, run.stdout
    assert "3 passed" in run.stdout
    assert "integration tests skipped" not in run.stdout


def test_required_mirror_still_fails_the_session(tmp_path):
    empty = tmp_path / "no-mirror"
    empty.mkdir()
    run = _session(tmp_path, empty, require="1")
    assert run.returncode != 0
    assert "no integration test passed" in run.stdout
