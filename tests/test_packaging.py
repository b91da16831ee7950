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


def test_citation_matches_the_package(repo_root):
    project = tomllib.loads((repo_root / "pyproject.toml").read_text())["project"]
    citation = yaml.safe_load((repo_root / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["type"] == "software"
    assert str(citation["version"]) == project["version"]
    assert citation["license"] == project["license"]
    assert citation["title"].startswith(project["name"])
    # how to cite the data the results rest on
    assert "Open Government Licence" in citation["message"]
    data = [r for r in citation["references"] if r["type"] == "data"]
    assert data and all(r["authors"] and r["url"].startswith("https://") for r in data)
