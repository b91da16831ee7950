"""Shared fixtures: repository and mirror locations.

Integration tests read the data mirror from ``$LOCALINEQ_MIRROR`` (default
``../shared/mirror`` beside the repository). Without a mirror they skip, unless
``LOCALINEQ_REQUIRE_MIRROR=1`` (set by ``.ci/run``): then a missing mirror fails them, and a
session in which no integration test passed fails as a whole, so CI can never go green on
skipped integration tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# CI (CI=true, set by the runner) draws the same hypothesis examples every run, so a verdict on
# a commit does not depend on luck; developers' runs keep exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO_ROOT = Path(__file__).resolve().parents[1]
MIRROR_ENV = "LOCALINEQ_MIRROR"
REQUIRE_ENV = "LOCALINEQ_REQUIRE_MIRROR"
MIRROR = Path(os.environ.get(MIRROR_ENV) or REPO_ROOT.parent / "shared" / "mirror").resolve()
_integration = {"passed": 0, "skipped": 0}


def _required() -> bool:
    return os.environ.get(REQUIRE_ENV, "") not in ("", "0")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def mirror() -> Path:
    if not (MIRROR / "MANIFEST.csv").exists():
        message = f"no data mirror at {MIRROR} (set {MIRROR_ENV}=DIR)"
        if _required():
            pytest.fail(f"{message}; {REQUIRE_ENV} is set", pytrace=False)
        pytest.skip(message)
    return MIRROR


@pytest.fixture
def workflow_copy(repo_root, tmp_path) -> Path:
    """A scratch copy of the workflow without data, for start-up checks (with ``dry_run``)."""
    for name in ("Snakefile", "config", "workflow", "profiles"):
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        elif source.exists():
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def _dry_run(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def dry_run():
    """``dry_run(folder)``: ``snakemake -n`` in ``folder``, output captured."""
    return _dry_run


def pytest_collection_modifyitems(items):
    """Every test that reads the mirror is an integration test."""
    for item in items:
        if "mirror" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


def pytest_runtest_logreport(report):
    if "integration" not in report.keywords:
        return
    if report.when == "call" and report.passed:
        _integration["passed"] += 1
    elif report.skipped:
        _integration["skipped"] += 1


def pytest_sessionfinish(session, exitstatus):
    if _required() and _integration["passed"] == 0 and session.testscollected:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def integration_summary(skipped: int, mirror_found: bool) -> str | None:
    """The closing line of a session that skipped integration tests, saying how to run them."""
    if skipped == 0:
        return None
    tests = "integration test" if skipped == 1 else "integration tests"
    if mirror_found:
        return (
            f"{skipped} {tests} skipped (mirror: {MIRROR}); see the skip reasons above "
            "(run with -rs)."
        )
    return (
        f"{skipped} {tests} skipped: no data mirror at {MIRROR}. To run them, set "
        f'{MIRROR_ENV}=DIR to a folder holding copies of the raw files (README, "Using a '
        f'mirror"), e.g. {MIRROR_ENV}=../shared/mirror python -m pytest'
    )


def pytest_terminal_summary(terminalreporter):
    line = integration_summary(_integration["skipped"], (MIRROR / "MANIFEST.csv").exists())
    if line:
        terminalreporter.write_sep("-", "integration tests", yellow=True)
        terminalreporter.write_line(line, yellow=True)
    if _required() and _integration["passed"] == 0:
        terminalreporter.write_line(
            f"FAILED: no integration test passed ({_integration['skipped']} skipped) although "
            f"{REQUIRE_ENV} is set; mirror: {MIRROR}",
            red=True,
        )
