"""Every rule declares benchmark, threads and resources that fit the CI Slurm node (issue 14),
and all the localineq code its script runs."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

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


#: Rules that deliberately do not rerun when their code changes: a fetch re-verifies a pinned
#: file by its hash, and rerunning it would rerun everything downstream.
CODE_NOT_DECLARED = {"fetch"}


def _imports(path) -> set[str]:
    """localineq modules (dotted, relative to the package) imported anywhere in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n.removeprefix("localineq.") for n in names if n.startswith("localineq.")}
    return found


def test_every_script_rule_declares_all_the_code_it_runs(repo_root):
    """The code inputs of each job (from a dry run of the whole workflow) include every
    localineq module its script imports, directly or through other modules, so that editing
    any of them reruns the job."""
    src = repo_root / "src" / "localineq"

    def module_path(name):
        return src / (name.replace(".", "/") + ".py")

    def closure(names):
        seen, pending = set(), [n for n in names if module_path(n).is_file()]
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending += [m for m in _imports(module_path(name)) if module_path(m).is_file()]
        return seen

    scripts = {
        name: re.search(r'script:\s*"\.\./scripts/([\w.]+)"', block)
        for _, name, block in _rules(repo_root)
    }
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--forceall", "--cores", "1"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    jobs = re.findall(r"(?:local)?rule (\w+):\n    input: ([^\n]*)", run.stdout + run.stderr)
    assert len({rule for rule, _ in jobs}) > 20
    gaps = {}
    for rule, inputs in jobs:
        script = scripts.get(rule)
        if script is None or rule in CODE_NOT_DECLARED:
            continue
        needed = closure(_imports(repo_root / "workflow" / "scripts" / script.group(1)))
        declared = set(inputs.split(", "))
        missing = sorted(
            m for m in needed if f"src/localineq/{m.replace('.', '/')}.py" not in declared
        )
        if missing:
            gaps[rule] = missing
    assert gaps == {}
