"""The result tables' codebook: one set of definitions, three renderings.

``codebook.yaml`` beside this module defines every CSV under ``results/tables``: its title,
description, primary key and, per column, type, description, unit and constraints (shares in
[0, 1], status enumerations). From it come

* :func:`datapackage` — ``results/tables/datapackage.json``, a Frictionless Data Package
  (Table Schema per resource, licences and sources from ``config/sources.yaml``, the package
  version, each file's size and sha256), which ``frictionless validate`` checks cell by cell;
* :func:`codebook_markdown` — ``results/tables/README.md``, the codebook for readers;
* :func:`codebook_context` — the plain context of the report's codebook section
  (partial ``templates/sections/codebook.html.j2``).

:func:`header_problems` compares the built tables' headers with the definitions, so a column
added to a table without a definition (or written in another order) is named, table and
column, before anything is published. Nothing is computed here.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from localineq.data.atomic import write_text

#: Table Schema types the codebook may use (those the writers produce).
FIELD_TYPES = ("string", "integer", "number", "boolean")
#: Constraint keys of the Table Schema that the codebook may use.
CONSTRAINT_KEYS = ("minimum", "maximum", "enum", "pattern", "required")
#: Name of the data package descriptor written beside the tables.
DESCRIPTOR = "datapackage.json"


@dataclass(frozen=True)
class FieldDef:
    """One column: Table Schema ``name``, ``type``, ``description``, ``unit``, ``constraints``."""

    name: str
    type: str
    description: str
    unit: str | None = None
    constraints: Mapping[str, Any] = field(default_factory=dict)

    def schema(self) -> dict[str, Any]:
        """The column's Table Schema field descriptor (``unit`` as a custom property)."""
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        out["description"] = self.description
        if self.unit:
            out["unit"] = self.unit
        if self.constraints:
            out["constraints"] = dict(self.constraints)
        return out


@dataclass(frozen=True)
class TableDef:
    """One table: its file under ``results/tables``, what it holds and its columns in order."""

    name: str
    path: str
    title: str
    description: str
    primary_key: tuple[str, ...]
    fields: tuple[FieldDef, ...]

    @property
    def columns(self) -> list[str]:
        """Column names in the order the CSV writes them."""
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Codebook:
    """All table definitions plus the package-level metadata of ``codebook.yaml``."""

    package: Mapping[str, Any]
    tables: tuple[TableDef, ...]

    def table(self, name: str) -> TableDef:
        """The definition of table ``name`` (its key, e.g. ``"summary"``)."""
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no table {name!r} in the codebook; known: {[t.name for t in self.tables]}")

    def by_path(self) -> dict[str, TableDef]:
        """Definitions keyed by file name (``summary.csv``)."""
        return {t.path: t for t in self.tables}

    @property
    def missing_values(self) -> list[str]:
        return list(self.package.get("missing_values", [""]))


def default_path() -> Path:
    """Path of the ``codebook.yaml`` shipped with the package."""
    return Path(str(resources.files("localineq.outputs").joinpath("codebook.yaml")))


def _default_horizon() -> int:
    # Imported here, not at the top: the workflow reads the codebook while Snakemake parses
    # its rules, and the policy modules pull in pandas (a third of a second per run).
    from localineq.policy.target_rules import TargetRule

    return TargetRule.horizon


def _with_horizon(text: Any, horizon: int) -> str:
    """``text`` with ``{horizon}`` replaced by the horizon year (other braces left alone)."""
    return str(text).replace("{horizon}", str(int(horizon)))


def _field(table: str, name: str, given: Any, common: Mapping[str, Any], horizon: int) -> FieldDef:
    where = f"codebook table {table!r}, column {name!r}"
    if given is not None and not isinstance(given, Mapping):
        raise ValueError(f"{where}: expected a mapping or nothing, got {given!r}")
    base = dict(common.get(name) or {})
    if given and given.get("type", base.get("type")) != base.get("type"):
        base.pop("constraints", None)  # another type: the common constraints do not apply
    spec = {**base, **dict(given or {})}
    if not spec:
        raise ValueError(f"{where}: no definition here and none under `common`")
    unknown = set(spec) - {"type", "description", "unit", "constraints"}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if spec.get("type") not in FIELD_TYPES:
        raise ValueError(f"{where}: `type` must be one of {FIELD_TYPES}, got {spec.get('type')!r}")
    if not str(spec.get("description") or "").strip():
        raise ValueError(f"{where}: `description` is missing")
    constraints = dict(spec.get("constraints") or {})
    bad = set(constraints) - set(CONSTRAINT_KEYS)
    if bad:
        raise ValueError(f"{where}: unknown constraints {sorted(bad)}")
    if {"minimum", "maximum"} & set(constraints) and spec["type"] not in ("integer", "number"):
        raise ValueError(f"{where}: minimum/maximum need type integer or number")
    return FieldDef(
        name=name,
        type=spec["type"],
        description=" ".join(_with_horizon(spec["description"], horizon).split()),
        unit=spec.get("unit"),
        constraints=constraints,
    )


def parse_codebook(
    document: Mapping[str, Any],
    *,
    horizon: int | None = None,
    milestone_years: Sequence[int] = (),
) -> Codebook:
    """Build the :class:`Codebook` from the parsed YAML, resolving ``common`` definitions.

    ``{horizon}`` in a column name, title or description is the targets' horizon year
    (``targets.default.horizon``), so ``target_{horizon}`` documents the column
    :func:`localineq.policy.targets.target_column` writes. A column named with ``{year}``
    is a template, written once per year of ``milestone_years`` (``milestone_{year}``: which
    milestone years exist depends on the horizon, ``milestone_every`` and the earliest
    baseline, so they are read from the table itself, see :func:`milestone_years_of`).

    A column given without a definition takes the one under ``common``; a mapping given is
    merged over it. Every column ends with a type and a non-empty description, and every
    primary-key column must be a column of its table; otherwise a ``ValueError`` names the
    table and the column.
    """
    horizon = _default_horizon() if horizon is None else horizon
    common = document.get("common") or {}
    tables = []
    for name, spec in (document.get("tables") or {}).items():
        fields = tuple(
            _field(name, _with_horizon(col, horizon), given, common, horizon)
            for template, template_def in spec["fields"].items()
            for col, given in _expand_years(template, template_def, milestone_years)
        )
        key = tuple(spec.get("primary_key") or ())
        absent = [k for k in key if k not in {f.name for f in fields}]
        if absent:
            raise ValueError(f"codebook table {name!r}: primary key columns {absent} not defined")
        tables.append(
            TableDef(
                name=name,
                path=spec["path"],
                title=_with_horizon(spec["title"], horizon),
                description=" ".join(_with_horizon(spec["description"], horizon).split()),
                primary_key=key,
                fields=fields,
            )
        )
    return Codebook(package=dict(document.get("package") or {}), tables=tuple(tables))


def _expand_years(name: str, given: Any, years: Sequence[int]) -> list[tuple[str, Any]]:
    """``(column, definition)`` pairs of one codebook column: itself, or one per year when
    its name holds ``{year}`` (the description's ``{year}`` filled in too).

    >>> [c for c, _ in _expand_years("milestone_{year}", {"description": "for {year}"}, [2028, 2030])]
    ['milestone_2028', 'milestone_2030']
    >>> _expand_years("status", None, [2030])
    [('status', None)]
    """
    if "{year}" not in name:
        return [(name, given)]
    out = []
    for year in sorted(int(y) for y in years):
        spec = dict(given or {})
        if "description" in spec:
            spec["description"] = str(spec["description"]).replace("{year}", str(year))
        out.append((name.replace("{year}", str(year)), spec))
    return out


def milestone_years_of(header: Sequence[str]) -> list[int]:
    """Years of the ``milestone_<year>`` columns in a table header.

    >>> milestone_years_of(["target_2035", "milestone_latest", "milestone_2033", "milestone_2035"])
    [2033, 2035]
    """
    return sorted(int(c.rsplit("_", 1)[1]) for c in header if re.fullmatch(r"milestone_\d{4}", c))


def load_codebook(
    path: str | os.PathLike | None = None,
    *,
    horizon: int | None = None,
    milestone_years: Sequence[int] = (),
) -> Codebook:
    """Read and check ``codebook.yaml`` (by default the one shipped with the package), for
    targets dated to ``horizon`` with milestones in ``milestone_years``."""
    path = default_path() if path is None else Path(path)
    with open(path, encoding="utf-8") as handle:
        return parse_codebook(
            # libyaml's loader when present: the workflow reads the codebook at start-up, and
            # the pure-Python loader took a third of a second of every Snakemake run
            yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)),
            horizon=horizon,
            milestone_years=milestone_years,
        )


def read_header(path: str | os.PathLike) -> list[str]:
    """Column names on the first line of a CSV (quoted names allowed)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle), [])


def header_problems(codebook: Codebook, tables_dir: str | os.PathLike) -> list[str]:
    """Every mismatch between the CSVs in ``tables_dir`` and their definitions.

    One line per problem: a CSV without a table definition, a column without a definition
    (``table.csv: column 'x' has no definition``), a defined column the CSV lacks, or the
    columns in another order than defined. Empty when all agree.
    """
    tables_dir = Path(tables_dir)
    defined = codebook.by_path()
    problems = []
    for csv_path in sorted(tables_dir.glob("*.csv")):
        table = defined.get(csv_path.name)
        if table is None:
            problems.append(
                f"{csv_path.name}: no table definition in localineq/outputs/codebook.yaml"
            )
            continue
        header = read_header(csv_path)
        known = set(table.columns)
        problems += [
            f"{csv_path.name}: column {c!r} has no definition (add it under tables: "
            f"{table.name}: fields: in localineq/outputs/codebook.yaml)"
            for c in header
            if c not in known
        ]
        problems += [
            f"{csv_path.name}: defined column {c!r} is not in the file"
            for c in table.columns
            if c not in set(header)
        ]
        if set(header) == known and header != table.columns:
            problems.append(
                f"{csv_path.name}: columns are written as {header}, defined as {table.columns}"
            )
    return problems


def file_sha256(path: str | os.PathLike) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def package_sources(sources: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The package's ``sources``: one per raw file of ``config/sources.yaml``, with its URL,
    publisher, licence, sha256 and landing page, in catalogue order."""
    out = []
    for key, src in sources.items():
        entry = {
            "name": key,
            "title": " ".join(str(src["description"]).split()),
            "path": src["url"],
            "publisher": src["publisher"],
            "licence": src["licence"],
            "sha256": src["sha256"],
        }
        if src.get("landing_page"):
            entry["landing_page"] = src["landing_page"]
        out.append(entry)
    return out


def datapackage(
    codebook: Codebook,
    sources: Mapping[str, Mapping[str, Any]],
    tables_dir: str | os.PathLike,
    version: str,
) -> dict[str, Any]:
    """The Frictionless Data Package descriptor of the tables in ``tables_dir``.

    Every defined table is a resource (``path`` relative to ``tables_dir``) with its Table
    Schema (fields in CSV order, ``primaryKey``, ``missingValues``), its size in bytes and
    ``sha256`` hash, so the descriptor pins the exact files it describes. The package carries
    ``version``, the licence of the results and every source of ``config/sources.yaml``.

    Raises
    ------
    ValueError
        When a table is missing, a CSV has no definition or a header disagrees with its
        definition (one message listing every problem, table and column).
    """
    tables_dir = Path(tables_dir)
    problems = header_problems(codebook, tables_dir)
    problems += [
        f"{t.path}: defined in the codebook but not built"
        for t in codebook.tables
        if not (tables_dir / t.path).is_file()
    ]
    if problems:
        raise ValueError(
            f"the tables in {tables_dir} disagree with localineq/outputs/codebook.yaml:\n  "
            + "\n  ".join(problems)
        )
    meta = codebook.package
    resources_ = []
    for table in codebook.tables:
        path = tables_dir / table.path
        schema: dict[str, Any] = {"fields": [f.schema() for f in table.fields]}
        if table.primary_key:
            schema["primaryKey"] = list(table.primary_key)
        schema["missingValues"] = codebook.missing_values
        resources_.append(
            {
                "name": table.name,
                "path": table.path,
                "title": table.title,
                "description": table.description,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": path.stat().st_size,
                "hash": f"sha256:{file_sha256(path)}",
                "schema": schema,
            }
        )
    licence = dict(meta.get("licence") or {})
    return {
        "profile": "tabular-data-package",
        "name": meta["name"],
        "title": meta["title"],
        "description": " ".join(str(meta["description"]).split()),
        "version": version,
        "licenses": [licence] if licence else [],
        "sources": package_sources(sources),
        "resources": resources_,
    }


def write_json(descriptor: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Write a descriptor as stable, indented UTF-8 JSON (same input → same bytes)."""
    write_text(path, json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n")


def _constraint_text(constraints: Mapping[str, Any]) -> str:
    parts = []
    if "minimum" in constraints and "maximum" in constraints:
        parts.append(f"{constraints['minimum']} to {constraints['maximum']}")
    elif "minimum" in constraints:
        parts.append(f"≥ {constraints['minimum']}")
    elif "maximum" in constraints:
        parts.append(f"≤ {constraints['maximum']}")
    if "enum" in constraints:
        parts.append("one of " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"matches `{constraints['pattern']}`")
    return "; ".join(parts)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(
    codebook: Codebook, version: str, sources: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The codebook as Markdown (``results/tables/README.md``): every table, every column."""
    meta = codebook.package
    lines = [
        f"# Codebook of the result tables (localineq {version})",
        "",
        "Generated from `src/localineq/outputs/codebook.yaml`; do not edit. The same definitions",
        f"make up [`{DESCRIPTOR}`]({DESCRIPTOR}), a Frictionless Data Package that",
        f"`frictionless validate results/tables/{DESCRIPTOR}` checks cell by cell.",
        "",
        f"Missing values are empty cells. Licence: {meta.get('licence', {}).get('title', '')}.",
        "Types: `string`, `integer`, `number` (decimal point, no thousands separator) and",
        "`boolean` (`True`/`False`). Periods are ISO 8601 (`2024-04-01/P1Y` = financial year",
        "2024/25).",
        "",
        "## Tables",
        "",
        "| File | Contents | Rows identified by |",
        "|---|---|---|",
    ]
    for t in codebook.tables:
        key = ", ".join(f"`{k}`" for k in t.primary_key)
        lines.append(f"| [{t.path}](#{t.name}) | {_cell(t.title)} | {key} |")
    for t in codebook.tables:
        lines += [
            "",
            f'<a id="{t.name}"></a>',
            f"## {t.path}: {t.title}",
            "",
            t.description,
            "",
            "| Column | Type | Unit | Constraints | Description |",
            "|---|---|---|---|---|",
        ]
        for f in t.fields:
            lines.append(
                f"| `{f.name}` | {f.type} | {_cell(f.unit or '')} | "
                f"{_cell(_constraint_text(f.constraints))} | {_cell(f.description)} |"
            )
    if sources:
        lines += [
            "",
            "## Sources",
            "",
            "| Source | Publisher | Licence | URL |",
            "|---|---|---|---|",
        ]
        for entry in package_sources(sources):
            lines.append(
                f"| {_cell(entry['title'])} | {_cell(entry['publisher'])} | "
                f"{_cell(entry['licence'])} | <{entry['path']}> |"
            )
    return "\n".join(lines) + "\n"


def codebook_context(
    codebook: Codebook, link: Any = None, tables_dir: str = "results/tables"
) -> dict[str, Any]:
    """Context of the report's codebook section (partial ``sections/codebook.html.j2``).

    ``link`` is the report's link function (repository-relative path → href, or ``None`` in
    the self-contained report); without it nothing is linked. Returns plain strings and lists:
    ``tables`` (file, href, title, description, key, fields with name, type, unit,
    constraints, description) and the descriptor's path and href.
    """

    def href(path: str) -> str | None:
        return link(path) if link is not None else None

    descriptor = f"{tables_dir}/{DESCRIPTOR}"
    return {
        "descriptor": descriptor,
        "descriptor_href": href(descriptor),
        "codebook": f"{tables_dir}/README.md",
        "codebook_href": href(f"{tables_dir}/README.md"),
        "tables": [
            {
                "id": f"codebook-{t.name}",
                "file": f"{tables_dir}/{t.path}",
                "href": href(f"{tables_dir}/{t.path}"),
                "title": t.title,
                "description": t.description,
                "key": ", ".join(t.primary_key),
                "fields": [
                    {
                        "name": f.name,
                        "type": f.type,
                        "unit": f.unit or "",
                        "constraints": _constraint_text(f.constraints),
                        "description": f.description,
                    }
                    for f in t.fields
                ],
            }
            for t in codebook.tables
        ],
    }


def table_paths(codebook: Codebook, tables_dir: str = "results/tables") -> list[str]:
    """Repository-relative paths of every defined table, for the workflow's inputs."""
    return [f"{tables_dir}/{t.path}" for t in codebook.tables]


def column_order(name: str, codebook: Codebook | None = None) -> list[str]:
    """Columns of table ``name`` in the defined order, for writers that select columns."""
    return (codebook or load_codebook()).table(name).columns


def report_section_context(state: Any) -> dict[str, Any]:
    """Context function of the report's codebook section, for
    ``Section("codebook", "Codebook of the tables", "sections/codebook.html.j2", ...)``:
    the shipped codebook with the report's link function (``state.link``), its milestone
    columns those of the targets table the report reads."""
    horizon = int(state.config["targets"]["default"]["horizon"])
    targets = state.inputs.extra.get("la_targets")
    years = milestone_years_of(list(targets.columns)) if targets is not None else []
    return codebook_context(load_codebook(horizon=horizon, milestone_years=years), link=state.link)
