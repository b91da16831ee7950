"""environment.yml (conda users) must pin the same packages and ranges as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)(.*)$", requirement.replace(" ", "")).groups()
    return name.lower(), spec


def test_environment_matches_pyproject(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    wanted = dict(
        _split(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]
    )
    environment = yaml.safe_load((repo_root / "environment.yml").read_text())
    conda = dict(_split(d) for d in environment["dependencies"] if isinstance(d, str))
    assert {name: conda.get(name) for name in wanted} == wanted
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section
