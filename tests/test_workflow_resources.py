"""Every rule declares benchmark, threads and resources that fit the CI Slurm node (issue 14)."""

from __future__ import annotations

import re

import pytest


def _rules(repo_root):
    """(file, rule name, block text) for every rule in workflow/rules/*.smk."""
    found = []
    for path in sorted((repo_root / "workflow" / "rules").glob("*.smk")):
        text = path.read_text()
        starts = [m for m in re.finditer(r"^rule (\w+):", text, re.M)]
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
            body = text[m.end() : end]
            # The rule's body: indented lines up to the next top-level statement.
            block = re.split(r"^(?=\S)", body, maxsplit=1, flags=re.M)[0]
            found.append((path.name, m.group(1), block))
    return found


def _node_memory(repo_root) -> int:
    script = (repo_root / "tools" / "slurm" / "run_workflow_on_slurm.sh").read_text()
    return int(re.search(r"SLURM_CI_REAL_MEMORY:-(\d+)", script).group(1))


def test_rules_found(repo_root):
    assert len(_rules(repo_root)) > 20


@pytest.mark.parametrize("key", ["benchmark:", "threads:", "mem_mb=", "runtime=", "log:"])
def test_every_rule_declares(repo_root, key):
    missing = [f"{f}:{name}" for f, name, block in _rules(repo_root) if key not in block]
    assert not missing, f"rules without {key} {missing}"


def test_benchmarks_are_per_job_and_gitignored(repo_root):
    paths = {}
    for _, name, block in _rules(repo_root):
        path = re.search(r'benchmark:\s*\n\s*"([^"]+)"', block).group(1)
        assert path.startswith(f"benchmarks/results/{name}"), (name, path)
        paths[name] = path
    assert "benchmarks/results/" in (repo_root / ".gitignore").read_text()


def test_memory_fits_the_ci_node_twice_or_once(repo_root):
    node = _node_memory(repo_root)
    for _, name, block in _rules(repo_root):
        mem = int(re.search(r"mem_mb=(\d+)", block).group(1))
        threads = int(re.search(r"threads:\s*(\d+)", block).group(1))
        assert mem <= node, f"{name} asks {mem} MB, the CI node has {node} MB"
        assert threads <= 2, f"{name} asks {threads} threads, the CI node has 2 CPUs"
