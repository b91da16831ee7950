"""Start-up checks of the workflow configuration: its shape, and what its names refer to.

Two kinds of mistake are refused before any job runs, all at once in one :class:`ConfigError`
that names each key and, where the file is known, its line:

* **Shape** (:func:`schema_problems`): the JSON schema ``workflow/schemas/config.schema.yaml``
  closes every block (``additionalProperties: false``), so a misspelt key at any depth, a
  misspelt top-level block, an unknown test or weight basis is an error, not a silent default.
* **References** (:func:`reference_problems`): every ``source:`` is a key of
  ``config/sources.yaml``; every indicator's ``unit`` is declared under ``units:`` (with
  its valid range) and its ``weight`` under ``weight_bases:``; every indicator named anywhere outside ``indicators:`` is declared
  there, whether as a value (``headline_indicator``, a mission's ``indicators``) or as a key
  (``targets.overrides``, ``reference.overrides``, ``missions.publication_lag_months``,
  ``missions.labels``, a mission's ``baseline_overrides``); and the relations between
  mission and target fields that the policy stage relies on
  (:mod:`localineq.config.policy_checks`: unique mission numbers, headlines among the
  mission's own tests, a ``level`` exactly for the ``level`` benchmark, one target horizon).

:func:`check_config_file` runs both on the file as written (so lines can be named);
:func:`check_config` runs the reference checks on the configuration Snakemake assembled,
``--config`` overrides included.
"""

from __future__ import annotations

import copy
import importlib.util
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from localineq.config.policy_checks import Problem, mission_problems, target_problems
from localineq.config.startup_memo import MEMO_DIR, content_key, remembered
from localineq.config.yamlfile import (
    ConfigError,
    KeyPath,
    format_path,
    line_of,
    load_yaml_with_lines,
)

#: Blocks whose *keys* are indicator names: (path to the block, what the keys mean).
INDICATOR_KEYED_BLOCKS: tuple[tuple[KeyPath, str], ...] = (
    (("targets", "overrides"), "a per-indicator target rule"),
    (("reference", "overrides"), "a per-indicator reference point"),
    (("missions", "publication_lag_months"), "an indicator's publication lag"),
    (("missions", "labels"), "an indicator's short name"),
)


def _indicator_references(node: Any, path: KeyPath) -> Iterable[tuple[KeyPath, str]]:
    """(key path, name) of every value that names a configured indicator.

    Convention: outside the top-level ``indicators`` block, a key ending in ``indicator``
    holds one indicator name and a key ending in ``indicators`` holds a list of them;
    ``figures.headline``, ``missions.nominal``, ``missions.ratio_scale`` and ``prices.money``
    are lists of indicator names too.
    """
    lists = {
        ("figures", "headline"),
        ("missions", "nominal"),
        ("missions", "ratio_scale"),
        ("prices", "money"),
    }
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = (*path, str(key))
            if sub == ("indicators",):
                continue
            key = str(key)
            if key.endswith("indicator") and isinstance(value, str):
                yield sub, value
            elif (key.endswith("indicators") or sub in lists) and isinstance(value, list):
                yield from (((*sub, i), str(v)) for i, v in enumerate(value))
            else:
                yield from _indicator_references(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _indicator_references(value, (*path, i))


def _get(config: Mapping[str, Any], path: KeyPath) -> Any:
    node: Any = config
    for part in path:
        if not (isinstance(node, Mapping) and part in node):
            return None
        node = node[part]
    return node


def reference_problems(config: Mapping[str, Any], source_keys: Iterable[str]) -> list[Problem]:
    """Every name in ``config`` that refers to a source or indicator that does not exist.

    >>> cfg = {"indicators": {"pay": {"source": "els_pay", "weight": "population"}},
    ...        "targets": {"overrides": {"pya": {}}}}
    >>> reference_problems(cfg, ["els_pay"])
    [(('targets', 'overrides', 'pya'), "'pya' is not a configured indicator (a per-indicator target rule)")]
    """
    sources = set(source_keys)
    indicators = dict(config.get("indicators") or {})
    problems: list[Problem] = []

    def source_ref(path: KeyPath, key: Any) -> None:
        if key not in sources:
            problems.append((path, f"{key!r} is not a source in the source catalogue"))

    bases = config.get("weight_bases")
    units = config.get("units")
    for name, spec in indicators.items():
        source_ref(("indicators", name, "source"), (spec or {}).get("source"))
        for nation, extra in ((spec or {}).get("nation_sources") or {}).items():
            source_ref(("indicators", name, "nation_sources", nation, "source"), extra["source"])
            if nation not in (spec or {}).get("nations", []):
                problems.append(
                    (
                        ("indicators", name, "nation_sources", nation),
                        f"nation {nation!r} is not in the indicator's nations; add it there",
                    )
                )
        unit = (spec or {}).get("unit")
        if units is not None and unit not in units:
            problems.append(
                (
                    ("indicators", name, "unit"),
                    f"{unit!r} is not a key of units ({', '.join(units)}); declare it there "
                    "with its valid range",
                )
            )
        weight = (spec or {}).get("weight")
        if bases is not None and weight not in (*bases, "unweighted"):
            problems.append(
                (
                    ("indicators", name, "weight"),
                    f"{weight!r} is not a key of weight_bases ({', '.join(bases)}) or 'unweighted'",
                )
            )
    for key in ("changes", "old_area_population"):
        if key in (config.get("harmonisation") or {}):
            source_ref(("harmonisation", key), config["harmonisation"][key])
    prices = config.get("prices") or {}
    if "source" in prices:
        source_ref(("prices", "source"), prices["source"])
    neighbourhoods = config.get("neighbourhoods") or {}
    for key in ("lsoa_lookup", "msoa_lookup", "residents_source"):
        if key in neighbourhoods:
            source_ref(("neighbourhoods", key), neighbourhoods[key])
    for name, spec in (neighbourhoods.get("indicators") or {}).items():
        source_ref(("neighbourhoods", "indicators", name, "source"), (spec or {}).get("source"))
    for i, mission in enumerate((config.get("missions") or {}).get("own_geography") or []):
        for name, key in ((mission or {}).get("sources") or {}).items():
            source_ref(("missions", "own_geography", i, "sources", name), key)
    for path, name in _indicator_references(config, ()):
        if name not in indicators:
            problems.append((path, f"{name!r} is not a configured indicator"))
    # A mission tested on its own geography names its series under `sources`; those names
    # are indicators for its short label too.
    own_geography = {
        str(name)
        for mission in _get(config, ("missions", "own_geography")) or []
        for name in (mission or {}).get("sources") or {}
    }
    for block, meaning in INDICATOR_KEYED_BLOCKS:
        known = (
            set(indicators) | own_geography if block == ("missions", "labels") else set(indicators)
        )
        for name in _get(config, block) or {}:
            if name not in known:
                problems.append(
                    ((*block, name), f"{name!r} is not a configured indicator ({meaning})")
                )
    declared = _get(config, ("missions", "declared")) or []
    for i, mission in enumerate(declared):
        own = set((mission or {}).get("indicators") or ())
        for name in (mission or {}).get("baseline_overrides") or {}:
            if name not in own:
                problems.append(
                    (
                        ("missions", "declared", i, "baseline_overrides", name),
                        f"{name!r} is not one of this mission's indicators ({', '.join(own)})",
                    )
                )
    problems += mission_problems(config.get("missions") or {})
    problems += target_problems(config.get("targets") or {})
    figures = config.get("figures") or {}
    measures = (config.get("analysis") or {}).get("measures")
    if "measure" in figures and measures is not None and figures["measure"] not in measures:
        problems.append(
            (
                ("figures", "measure"),
                f"{figures['measure']!r} is not one of analysis.measures {measures}",
            )
        )
    for key in ("draws", "permutations"):
        value = (figures.get("uncertainty") or {}).get(key)
        if value is not None and value < 1:
            problems.append(
                (
                    ("figures", "uncertainty", key),
                    f"{value} replicates would leave the intervals and tests the report "
                    "describes empty; use at least 1 (999 is the default)",
                )
            )
    return problems


def schema_problems(config: Any, schema: Mapping[str, Any]) -> list[Problem]:
    """Every violation of the JSON schema, one per offending key.

    An unexpected key is reported at its own path (not its parent's), so its line can be
    named.

    >>> schema = {"type": "object", "properties": {"draws": {"type": "integer"}},
    ...           "additionalProperties": False}
    >>> schema_problems({"draws": 5, "drasw": 5}, schema)
    [(('drasw',), "unknown key 'drasw' (expected one of: draws)")]
    """
    import jsonschema  # only where the configuration is checked

    validator = jsonschema.Draft202012Validator(schema)
    problems: list[Problem] = []
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
            known = set(error.schema.get("properties") or {})
            for key in sorted(set(error.instance) - known, key=str):
                expected = ", ".join(sorted(known)) or "no keys"
                problems.append(
                    ((*path, str(key)), f"unknown key {key!r} (expected one of: {expected})")
                )
        elif error.validator == "propertyNames":
            problems.append((path, f"a key is not allowed here: {error.message}"))
        else:
            problems.append((path, error.message))
    return problems


def _message(config_path: str, problems: list[Problem], lines: Mapping[KeyPath, int] | None) -> str:
    rows = []
    for path, what in problems:
        line = line_of(lines, path) if lines else None
        where = f"line {line}: " if line else ""
        rows.append(f"{where}{format_path(path)}: {what}")
    return f"{config_path}: {len(problems)} problem(s) in the configuration:\n  " + "\n  ".join(
        rows
    )


def check_config(
    config: Mapping[str, Any],
    source_keys: Iterable[str],
    *,
    config_path: str = "config/config.yaml",
) -> None:
    """Refuse a configuration that names unknown sources or indicators, or zero draws.

    Raises
    ------
    ConfigError
        One message listing every problem, the config path and the known values.

    >>> cfg = {"sources": "config/sources.yaml",
    ...        "indicators": {"pay": {"source": "els_pay", "weight": "population"}},
    ...        "figures": {"headline_indicator": "pay"}}
    >>> check_config(cfg, ["els_pay"])
    >>> cfg["figures"]["headline_indicator"] = "pya"
    >>> check_config(cfg, ["els_pay"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    localineq.config.yamlfile.ConfigError: config/config.yaml: ...
      figures.headline_indicator: 'pya' is not a configured indicator
    ...
    """
    source_keys = sorted(source_keys)
    problems = reference_problems(config, source_keys)
    if problems:
        raise ConfigError(_known(config, source_keys, _message(config_path, problems, None)))


def _known(config: Mapping[str, Any], source_keys: list[str], message: str) -> str:
    sources_path = config.get("sources", "config/sources.yaml")
    return (
        message
        + f"\nKnown sources ({sources_path}): {', '.join(source_keys)}"
        + f"\nKnown indicators: {', '.join(config.get('indicators') or {})}"
    )


def catalogue_keys(catalogue: Any) -> list[str]:
    """Source names of the catalogue file ``catalogue`` (a config's ``sources:``); none when
    it names no readable file, so that every ``source:`` is then reported as unknown."""
    if not (isinstance(catalogue, str) and os.path.isfile(catalogue)):
        return []
    entries, _ = load_yaml_with_lines(catalogue)
    return list((entries or {}).get("sources") or {})


def check_config_file(
    config_path: str | os.PathLike,
    schema_path: str | os.PathLike,
    source_keys: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Load ``config_path`` strictly and check its shape and references, naming lines.

    ``source_keys`` defaults to the keys of the source catalogue the file names
    (``sources:``). Returns the parsed configuration.

    Raises
    ------
    ConfigError
        Syntax errors, duplicate keys and ``__use_yte__`` (from the loader), then every
        schema and reference problem at once, each with its key path and line.
    """
    config, lines = load_yaml_with_lines(config_path)
    schema, _ = load_yaml_with_lines(schema_path)
    problems = schema_problems(config, schema)
    if not isinstance(config, Mapping):
        raise ConfigError(_message(os.fspath(config_path), problems, lines))
    if source_keys is None:
        source_keys = catalogue_keys(config.get("sources"))
    source_keys = sorted(source_keys)
    problems += reference_problems(config, source_keys)
    if problems:
        message = _message(os.fspath(config_path), problems, lines)
        raise ConfigError(_known(config, source_keys, message))
    return dict(config)


def validate_merged_config(config: dict[str, Any], schema_path: str | os.PathLike) -> None:
    """Check the configuration Snakemake merged (file, ``--configfile``, ``--config``) against
    the schema and fill in the schema's defaults, in place.

    What ``snakemake.utils.validate`` does, with the schema read by libyaml's loader instead
    of Snakemake's pure-Python one (a few hundredths of a second of every invocation, dry
    runs and no-op runs included). Defaults are set as in jsonschema's FAQ (and
    Snakemake): a missing property with a ``default`` in the schema gets it.

    Raises
    ------
    ConfigError
        Every schema problem of the merged configuration, each with its key path.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> schema = pathlib.Path(tempfile.mkdtemp()) / "s.yaml"
    >>> _ = schema.write_text("type: object\\nproperties: {tier: {type: string, default: lad}}\\n")
    >>> config = {}
    >>> validate_merged_config(config, schema); config
    {'tier': 'lad'}
    """
    from jsonschema import Draft202012Validator, validators  # only where config is checked

    schema, _ = load_yaml_with_lines(schema_path)
    problems = schema_problems(config, schema)
    if problems:
        raise ConfigError(_message("the merged configuration", problems, None))
    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def fill_defaults(validator, properties, instance, subschema):
        for name, property_schema in properties.items():
            if "default" in property_schema:
                instance.setdefault(name, property_schema["default"])
        yield from check_properties(validator, properties, instance, subschema)

    filling = validators.extend(Draft202012Validator, {"properties": fill_defaults})
    filling(schema).validate(config)


def merge_overrides(config: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Put ``overrides`` over ``config`` in place, mapping by mapping, as Snakemake does.

    A mapping in ``overrides`` updates the mapping at the same key (recursively); any other
    value replaces it. Keys keep the file's order and new keys follow it; Snakemake's own
    ``configfile:`` instead puts the overridden keys first, so that a ``--configfile`` naming
    one indicator moved it to the front of every per-indicator table.

    >>> merge_overrides({"a": {"x": 1, "y": 2}, "b": 3}, {"a": {"y": 5}, "c": 4})
    {'a': {'x': 1, 'y': 5}, 'b': 3, 'c': 4}
    """
    for key, value in overrides.items():
        if isinstance(value, Mapping):
            inner = config.get(key)
            config[key] = merge_overrides(inner if isinstance(inner, dict) else {}, value)
        else:
            config[key] = copy.deepcopy(value)
    return config


def _library_stamp(module: str) -> str:
    """Where a library is installed and when its entry file was written: an upgrade of the
    library that decides whether a configuration passes changes the memo key."""
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None and spec.origin else ""
    return f"{module} {origin} {os.stat(origin).st_mtime_ns if origin else ''}"


def load_workflow_config(
    config_path: str | os.PathLike,
    schema_path: str | os.PathLike,
    overrides: Mapping[str, Any],
    *,
    replace: bool = False,
    memo_dir: str | os.PathLike = MEMO_DIR,
) -> dict[str, Any]:
    """The workflow's configuration: the file checked, the command line's values on top,
    the result checked again and the schema's defaults filled in.

    What Snakemake's ``configfile:`` directive and the three start-up checks did, in order:
    :func:`check_config_file` on the file (each problem with its line); ``overrides`` (the
    ``--configfile`` and ``--config`` values Snakemake merged) over it by
    :func:`merge_overrides` (``replace``: Snakemake's ``--replace-workflow-config``, the
    file is not read); :func:`validate_merged_config`; and :func:`check_config` against the
    source catalogue the result names.

    Every invocation, dry and no-op runs included, needs it, and it is a function of files:
    the result is remembered (:func:`localineq.config.startup_memo.remembered`) under a key
    over the configuration and schema files' bytes, ``overrides``, ``replace``, the source of
    this package and the installed jsonschema and PyYAML, together with the sha256 of the
    source catalogue. A configuration that fails is never remembered, so it fails every time.

    Raises
    ------
    ConfigError
        As the checks it runs.
    """
    config_path, schema_path = Path(config_path), Path(schema_path)
    code = sorted(Path(__file__).parent.glob("*.py"))
    key = content_key(
        [
            repr(sorted(map(str, code))),
            *(p.read_bytes() for p in code),
            b"" if replace else config_path.read_bytes(),
            schema_path.read_bytes(),
            repr(overrides),
            repr(replace),
            _library_stamp("jsonschema"),
            f"yaml {yaml.__version__} {yaml.__file__}",
        ]
    )

    def compute() -> tuple[dict[str, Any], list[str]]:
        merged = {} if replace else check_config_file(config_path, schema_path)
        merge_overrides(merged, overrides)
        validate_merged_config(merged, schema_path)
        source_keys = catalogue_keys(merged.get("sources"))
        check_config(merged, source_keys, config_path=os.fspath(config_path))
        return merged, [merged["sources"]] if source_keys else []

    return remembered("config", key, compute, memo_dir)
