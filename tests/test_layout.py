"""The package layout follows the data flow: config → data → stats → policy → analysis → outputs.

Checked statically on every module's imports (top-level and function-local), so a forbidden
import fails here even if no test happens to execute it.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "localineq"
STAGES = ("config", "data", "stats", "policy", "analysis", "outputs")
#: What each stage may import from localineq, besides itself.
ALLOWED = {
    "config": set(),
    "data": {"config"},
    "stats": {"config"},
    "policy": {"config", "data", "stats"},
    "analysis": {"config", "data", "stats", "policy"},
    "outputs": {"config", "data", "stats", "policy", "analysis"},
}
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def localineq_imports(source: str) -> set[str]:
    """Subpackages of localineq that ``source`` imports, anywhere in the file.

    >>> sorted(localineq_imports("import localineq.stats.bootstrap\\nfrom localineq.data import x"))
    ['data', 'stats']
    >>> sorted(localineq_imports("def f():\\n    from localineq import outputs"))
    ['outputs']
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "localineq":
                names = [f"localineq.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "localineq" and len(parts) > 1:
                found.add(parts[1])
    return found


def module_imports(source: str, known: set[str]) -> set[str]:
    """Modules of ``known`` (dotted names) that ``source`` imports, anywhere in the file.

    >>> module_imports("from localineq.outputs import tables", {"localineq.outputs.tables"})
    {'localineq.outputs.tables'}
    """
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names} & known
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)} & known
    return found


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> modules it imports), or ``None``.

    >>> import_cycle({"a": {"b"}, "b": {"a"}})
    ['a', 'b', 'a']
    >>> import_cycle({"a": {"b"}, "b": set()}) is None
    True
    """
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        cycle = list(err.args[1])
        start = cycle.index(min(cycle[:-1]))
        return cycle[start:-1] + cycle[:start] + [cycle[start]]
    return None


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("stage", STAGES)
def test_no_import_cycle_inside_a_stage(stage: str):
    """Modules of one stage may import each other, but never in a cycle (lazy imports that
    dodge a cycle count too: they are read wherever they stand in the file)."""
    paths = {_module_name(p): p for p in (PACKAGE / stage).rglob("*.py")}
    known = set(paths)
    graph = {
        name: module_imports(path.read_text(encoding="utf-8"), known) - {name}
        for name, path in paths.items()
    }
    cycle = import_cycle(graph)
    assert cycle is None, f"import cycle in localineq.{stage}: {' -> '.join(cycle)}"


def test_every_module_lives_in_a_stage():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside the stage subpackages: {loose}"
    assert {
        p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    } >= set(STAGES)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_data_flow(path: Path):
    stage = path.relative_to(PACKAGE).parts[0]
    imported = localineq_imports(path.read_text(encoding="utf-8")) - {stage}
    forbidden = imported - ALLOWED[stage]
    assert not forbidden, f"{path.relative_to(PACKAGE)} ({stage}) imports {sorted(forbidden)}"


def test_the_check_catches_a_forbidden_import(tmp_path):
    bad = "def f():\n    from localineq.outputs.tables import to_markdown\n"
    assert localineq_imports(bad) - ALLOWED["stats"] == {"outputs"}


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_stay_small(path: Path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{path.relative_to(PACKAGE)} has {n} lines (limit {MAX_LINES})"


def test_stage_docstrings_say_what_they_may_import():
    for stage in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text()))
        assert doc and "import" in doc, f"localineq.{stage} needs a docstring on its imports"


def test_stages_import_only_earlier_stages():
    """ALLOWED agrees with STAGES: a stage may import only stages before it, so the stages
    themselves form no cycle."""
    for i, stage in enumerate(STAGES):
        assert ALLOWED[stage] <= set(STAGES[:i]), stage


#: Libraries that draw or render; the analysis stage computes tables and needs none of them.
DRAWING_LIBRARIES = {"matplotlib", "jinja2", "nbformat", "nbclient", "nbconvert"}


@pytest.mark.parametrize(
    "path",
    sorted((PACKAGE / "analysis").rglob("*.py")),
    ids=lambda p: str(p.relative_to(PACKAGE)),
)
def test_analysis_draws_nothing(path: Path):
    imported = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert not imported & DRAWING_LIBRARIES, f"{path.name} imports {imported & DRAWING_LIBRARIES}"
