"""The README serves users first: question, the two commands and the citation on its first
screen, the commands being exactly those CI runs; every local link in it and in docs/ resolves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
README = REPO_ROOT / "README.md"
BUILD = "python -m pip install -e . && snakemake --cores 4"
TEST = 'python -m pip install -e ".[test]" && python -m pytest'
FIRST_SCREEN = 40  # lines a reader sees without scrolling


def test_first_screen_states_the_question_the_two_commands_and_how_to_cite():
    top = "\n".join(README.read_text(encoding="utf-8").splitlines()[:FIRST_SCREEN])
    assert "How much of the inequality between UK places is invisible in regional averages?" in top
    assert BUILD in top and TEST in top
    assert "## How to cite" in top and "Version" in top and "commit" in top


def test_the_readme_test_command_is_the_one_ci_runs():
    ci = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert TEST in ci.splitlines()
    # CI builds with the mirror and two cores; the README command differs only in those
    assert re.search(r"^time snakemake --cores \d+ --config mirror=", ci, flags=re.M)
    assert 'python -m pip install --quiet -e ".[test]"' in ci


def test_developer_material_lives_in_docs():
    readme = README.read_text(encoding="utf-8")
    for heading in (
        "Speed and memory",
        "On a cluster",
        "Re-pinning a source",
        "Declaring a source",
    ):
        assert f"## {heading}" not in readme
    docs = "".join(p.read_text(encoding="utf-8") for p in (REPO_ROOT / "docs").glob("*.md"))
    for heading in (
        "## Speed and memory",
        "## On a cluster",
        "## Re-pinning a source",
        "## Declaring a source",
        "## Integrity checks",
        "localineq verify",
    ):
        assert heading in docs


@pytest.mark.parametrize(
    "document", [README, *sorted((REPO_ROOT / "docs").glob("*.md"))], ids=lambda p: p.name
)
def test_local_links_resolve(document):
    text = document.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text) + re.findall(r'src="([^"]+)"', text)
    local = [t for t in targets if not t.startswith(("http://", "https://", "mailto:"))]
    assert local, document
    missing = [t for t in local if not (document.parent / t).exists()]
    assert not missing, f"{document.name}: links to missing files {missing}"
    anchors = re.findall(r"\]\(#([^)]+)\)", text)
    headings = {
        re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.+)$", text, flags=re.M)
    }
    assert not [a for a in anchors if a not in headings], (anchors, headings)
