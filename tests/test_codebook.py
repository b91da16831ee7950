"""The result tables' codebook (localineq/outputs/codebook.yaml) and the data package built from it.

Unit tests check the definitions and the three renderings on small tables; the integration
tests build the real package with the pipeline and validate it with `frictionless validate`,
then break a copy (a target status outside its enumeration) and show that validation fails.
"""

from __future__ import annotations

import csv
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml

from localineq.outputs.codebook import (
    FIELD_TYPES,
    codebook_context,
    codebook_markdown,
    datapackage,
    header_problems,
    load_codebook,
    milestone_years_of,
    parse_codebook,
    read_header,
    report_section_context,
    write_json,
)
from localineq.outputs.report.build import environment

frictionless = pytest.importorskip("frictionless")

CODEBOOK = load_codebook()
FRICTIONLESS = [sys.executable, "-m", "frictionless"]


def _mini_document(**status_field) -> dict:
    status = {"type": "string", "description": "Status.", "constraints": {"enum": ["met", "no"]}}
    status.update(status_field)
    return {
        "package": {
            "name": "mini",
            "title": "Mini",
            "description": "A test package.",
            "licence": {"name": "OGL-UK-3.0", "title": "OGL", "path": "https://example.org/l"},
            "missing_values": [""],
        },
        "common": {"area_code": {"type": "string", "description": "Code."}},
        "tables": {
            "targets": {
                "path": "targets.csv",
                "title": "Targets",
                "description": "Targets.",
                "primary_key": ["area_code"],
                "fields": {
                    "area_code": None,
                    "share": {
                        "type": "number",
                        "description": "A share.",
                        "unit": "share (0-1)",
                        "constraints": {"minimum": 0, "maximum": 1},
                    },
                    "status": status,
                },
            }
        },
    }


SOURCES = {
    "demo": {
        "url": "https://example.org/demo.csv",
        "sha256": "0" * 64,
        "publisher": "Office for National Statistics",
        "licence": "OGL-UK-3.0",
        "description": "A demo source",
        "landing_page": "https://example.org/",
    }
}


def _validate(descriptor: Path) -> subprocess.CompletedProcess:
    """The command line CI runs, on a descriptor."""
    return subprocess.run(
        [*FRICTIONLESS, "validate", str(descriptor)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=descriptor.parent,
    )


# ---------------------------------------------------------------------------------------------
# The definitions
# ---------------------------------------------------------------------------------------------
def test_every_column_of_every_table_has_a_type_and_a_description():
    lacking = [
        f"{t.path}: {f.name}"
        for t in CODEBOOK.tables
        for f in t.fields
        if f.type not in FIELD_TYPES or len(f.description.split()) < 2
    ]
    assert not lacking, lacking
    assert len(CODEBOOK.tables) >= 20
    assert {t.path for t in CODEBOOK.tables} >= {"summary.csv", "la_targets.csv"}


def test_primary_keys_shares_and_statuses_are_constrained():
    for table in CODEBOOK.tables:
        assert table.primary_key, table.name
        for f in table.fields:
            if f.unit == "share (0-1)":
                assert (f.constraints.get("minimum"), f.constraints.get("maximum")) == (0, 1)
    status = {f.name: f for f in CODEBOOK.table("la_targets").fields}["status"]
    assert status.constraints["enum"] == [
        "met",
        "on_track",
        "off_track",
        "levelling_down",
        "lagging_uk_trend",
        "no_data",
    ]


def test_status_enumeration_matches_the_policy_module():
    from localineq.policy.targets import STATUSES

    status = {f.name: f for f in CODEBOOK.table("la_targets").fields}["status"]
    assert set(status.constraints["enum"]) == set(STATUSES)


#: Column-order constants the writers use: the codebook must define the same columns in the
#: same order, so a column added to a writer without a definition fails here (no pipeline run).
WRITER_COLUMNS = {
    "mission_scorecard": "localineq.policy.scorecard:SCORECARD_COLUMNS",
    "spatial_autocorrelation": "localineq.analysis.spatial_tables:AUTOCORRELATION_COLUMNS",
    "profile": "localineq.analysis.profile_tables:PROFILE_COLUMNS",
    "lsoa_profile": "localineq.analysis.profile_tables:LSOA_PROFILE_COLUMNS",
    "decomposition": "localineq.analysis.decomposition_tables:DECOMPOSITION_COLUMNS",
    "summary": "localineq.analysis.decomposition_tables:SUMMARY_COLUMNS",
    "icc": "localineq.analysis.multilevel_tables:ICC_COLUMNS",
    "masked_las": "localineq.analysis.area_tables:MASKED_COLUMNS",
    "top_bottom_las": "localineq.analysis.area_tables:TOP_BOTTOM_COLUMNS",
    "decomposition_uncertainty": "localineq.analysis.uncertainty_tables:UNCERTAINTY_COLUMNS",
    "la_indicators": "localineq.data.indicators:EXPORT_COLUMNS",
    "upper_tier_indicators": "localineq.data.indicators:EXPORT_COLUMNS",
    "la_targets": "localineq.policy.targets:TARGET_COLUMNS",
}


@pytest.mark.parametrize("table", sorted(WRITER_COLUMNS))
def test_writers_columns_are_defined_in_order(table):
    module, name = WRITER_COLUMNS[table].split(":")
    written = list(getattr(importlib.import_module(module), name))
    if table == "la_indicators":  # money indicators add real terms beside the nominal value
        from localineq.data.indicators import REAL_COLUMNS

        written += REAL_COLUMNS
    defined = CODEBOOK.table(table).columns
    if table == "la_targets":  # then one milestone column per configured year
        assert all(c.startswith("milestone_") for c in defined[len(written) :])
        defined = defined[: len(written)]
    undefined = [c for c in written if c not in defined]
    assert not undefined, f"{table}.csv: columns without a definition in codebook.yaml: {undefined}"
    assert written == defined, f"{table}.csv: written {written}, defined {defined}"


def test_a_column_without_description_is_refused_naming_table_and_column():
    document = _mini_document(description="")
    with pytest.raises(ValueError, match=r"table 'targets', column 'status'.*description"):
        parse_codebook(document)
    document = _mini_document(type="text")
    with pytest.raises(ValueError, match=r"table 'targets', column 'status'.*`type`"):
        parse_codebook(document)
    document = _mini_document()
    document["tables"]["targets"]["fields"]["region"] = None  # neither here nor in common
    with pytest.raises(ValueError, match=r"table 'targets', column 'region': no definition"):
        parse_codebook(document)


def test_common_definitions_are_merged_under_table_ones():
    document = _mini_document()
    document["tables"]["targets"]["fields"]["area_code"] = {"description": "The authority."}
    field = parse_codebook(document).table("targets").fields[0]
    assert (field.type, field.description) == ("string", "The authority.")


# ---------------------------------------------------------------------------------------------
# Headers and the package on small tables
# ---------------------------------------------------------------------------------------------
def _mini_tables(folder: Path, status: str = "met") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "targets.csv").write_text(
        f"area_code,share,status\nE06000001,0.5,{status}\nE06000002,,no\n", encoding="utf-8"
    )
    return folder


def test_header_problems_name_the_table_and_the_undocumented_column(tmp_path):
    codebook = parse_codebook(_mini_document())
    folder = _mini_tables(tmp_path / "t")
    assert header_problems(codebook, folder) == []
    (folder / "targets.csv").write_text("area_code,share,status,price_basis\nE1,0.5,met,x\n")
    (folder / "extra.csv").write_text("a\n1\n")
    problems = header_problems(codebook, folder)
    assert "extra.csv: no table definition in localineq/outputs/codebook.yaml" in problems
    assert any(
        p.startswith("targets.csv: column 'price_basis' has no definition") for p in problems
    )
    (folder / "extra.csv").unlink()
    (folder / "targets.csv").write_text("share,area_code,status\n0.5,E1,met\n")
    assert header_problems(codebook, folder) == [
        "targets.csv: columns are written as ['share', 'area_code', 'status'], "
        "defined as ['area_code', 'share', 'status']"
    ]
    with pytest.raises(ValueError, match="columns are written as"):
        datapackage(codebook, SOURCES, folder, "0.0.1")


def test_small_package_validates_and_a_status_outside_its_enumeration_fails(tmp_path):
    codebook = parse_codebook(_mini_document())
    folder = _mini_tables(tmp_path / "good")
    descriptor = datapackage(codebook, SOURCES, folder, "0.0.1")
    assert descriptor["version"] == "0.0.1"
    assert descriptor["sources"][0]["path"] == "https://example.org/demo.csv"
    assert descriptor["licenses"][0]["name"] == "OGL-UK-3.0"
    write_json(descriptor, folder / "datapackage.json")
    assert frictionless.validate(str(folder / "datapackage.json")).valid
    bad = _mini_tables(tmp_path / "bad", status="levelling_up")
    write_json(datapackage(codebook, SOURCES, bad, "0.0.1"), bad / "datapackage.json")
    report = frictionless.validate(str(bad / "datapackage.json"))
    assert not report.valid
    errors = report.flatten(["type", "fieldName", "cell"])
    assert errors == [["constraint-error", "status", "levelling_up"]]


def test_descriptor_is_deterministic(tmp_path):
    codebook = parse_codebook(_mini_document())
    folder = _mini_tables(tmp_path / "t")
    write_json(datapackage(codebook, SOURCES, folder, "1"), tmp_path / "a.json")
    write_json(datapackage(codebook, SOURCES, folder, "1"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_markdown_codebook_lists_every_table_and_column():
    text = codebook_markdown(CODEBOOK, "9.9.9", SOURCES)
    assert text.startswith("# Codebook of the result tables (localineq 9.9.9)")
    for table in CODEBOOK.tables:
        assert f"## {table.path}: {table.title}" in text
        for f in table.fields:
            assert f"| `{f.name}` | {f.type} |" in text
    assert "<https://example.org/demo.csv>" in text


def test_report_codebook_section_renders_every_table():
    targets = pd.DataFrame(columns=["status", "milestone_2028", "milestone_2030"])
    context = report_section_context(
        SimpleNamespace(
            link=lambda path: f"../{path[8:]}",
            config={"targets": {"default": {"horizon": 2030}}},
            inputs=SimpleNamespace(extra={"la_targets": targets}),
        )
    )
    template = environment().get_template("sections/codebook.html.j2")
    html = template.render(ctx=context)
    assert 'href="../tables/datapackage.json"' in html
    # the milestone columns are those of the targets table the report reads
    assert "milestone_2028" in html and "milestone_2030" in html
    assert "milestone_2026" not in html and "milestone_{year}" not in html
    for table in CODEBOOK.tables:
        assert f'id="codebook-{table.name}"' in html
        assert f'href="../tables/{table.path}"' in html
    standalone = codebook_context(CODEBOOK)  # the self-contained report links no local files
    html = template.render(ctx=standalone)
    assert "href=" not in html and "results/tables/la_targets.csv" in html


# ---------------------------------------------------------------------------------------------
# The real package, built by the pipeline
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(repo_root, mirror):
    target = "results/tables/datapackage.json"
    command = [sys.executable, "-m", "snakemake", "--cores", "2", target]
    command += ["--config", f"mirror={os.path.relpath(mirror, repo_root)}"]
    run = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, timeout=3000)
    assert run.returncode == 0, run.stderr[-4000:]
    return repo_root / "results" / "tables"


def _built_codebook(built: Path):
    """The codebook with the milestone years the built targets table carries."""
    years = milestone_years_of(read_header(built / "la_targets.csv"))
    assert years, "la_targets.csv has no milestone_<year> column"
    return load_codebook(milestone_years=years)


def test_built_tables_have_a_definition_for_every_column(built):
    problems = header_problems(_built_codebook(built), built)
    assert not problems, "\n".join(problems)


def test_frictionless_validate_passes_on_the_built_package(built):
    run = _validate(built / "datapackage.json")
    assert run.returncode == 0, run.stdout[-4000:]
    descriptor = json.loads((built / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["path"] for r in descriptor["resources"]} == {p.name for p in built.glob("*.csv")}
    catalogue = yaml.safe_load((built.parents[1] / "config" / "sources.yaml").read_text())
    assert [s["name"] for s in descriptor["sources"]] == list(catalogue["sources"])
    assert all(s["path"].startswith("https://") for s in descriptor["sources"])
    readme = (built / "README.md").read_text(encoding="utf-8")
    assert all(f"## {r['path']}:" in readme for r in descriptor["resources"])


def test_frictionless_validate_fails_on_a_status_outside_its_enumeration(built, tmp_path):
    copy = tmp_path / "tables"
    copy.mkdir()
    for path in built.glob("*.csv"):
        shutil.copy(path, copy / path.name)
    with open(copy / "la_targets.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    status = rows[0].index("status")
    row = next(i for i, r in enumerate(rows) if r[status] == "on_track")
    rows[row][status] = "levelling_up"  # only the status column: status_nominal stays valid
    with open(copy / "la_targets.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    sources = yaml.safe_load((built.parents[1] / "config" / "sources.yaml").read_text())
    # Rebuilt so size and hash match the edited file: only the enumeration can fail.
    package = datapackage(_built_codebook(built), sources["sources"], copy, "0")
    write_json(package, copy / "datapackage.json")
    run = _validate(copy / "datapackage.json")
    assert run.returncode != 0 and "constraint-error" in run.stdout
    report = frictionless.validate(str(copy / "datapackage.json"))
    errors = report.flatten(["type", "fieldName", "cell"])
    assert errors == [["constraint-error", "status", "levelling_up"]]
