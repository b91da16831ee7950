"""Start-up checks of the workflow configuration against the source catalogue.

The JSON schema (``workflow/schemas/config.schema.yaml``) checks types and ranges. What it
cannot see is whether names *refer* to something: every ``source:`` must be a key of
``config/sources.yaml`` and every indicator named anywhere in the config must be declared
under ``indicators:``. :func:`check_config` finds all such problems at once and raises one
:class:`ConfigError` listing them with the known values. :func:`load_yaml` reports a YAML
syntax error with its line and column (Snakemake alone says only "not valid JSON or YAML").
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

import yaml


class ConfigError(ValueError):
    """The configuration names something that does not exist, or cannot be parsed."""


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML file; a syntax error names the file, line and column.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("a: 1\\nb: [1, 2\\nc: 3\\n")
    >>> load_yaml(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    localineq.data.configcheck.ConfigError: .../c.yaml, line 3, column 2 (the construct began on line 2): YAML syntax error: ...
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    try:
        # libyaml's loader parses config files about ten times faster; every invocation,
        # `snakemake -n` included, pays for it. Errors are re-raised from the Python loader,
        # whose messages also name where an unclosed construct began.
        return yaml.load(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        pass
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        opened = err.context_mark
        if mark and opened and opened.line != mark.line:
            where += f" (the construct began on line {opened.line + 1})"
        lines = text.splitlines()
        shown = ""
        if opened and mark and opened.line != mark.line and opened.line < len(lines):
            shown += f"\n    line {opened.line + 1}: {lines[opened.line]}"
        if mark and mark.line < len(lines):
            shown += f"\n    line {mark.line + 1}: {lines[mark.line]}"
        detail = " ".join(str(p) for p in (err.context, err.problem) if p)
        raise ConfigError(f"{os.fspath(path)}{where}: YAML syntax error: {detail}{shown}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{os.fspath(path)}: YAML error: {err}") from None


def _indicator_references(node: Any, path: str) -> Iterable[tuple[str, str]]:
    """(dotted path, name) of every value that names a configured indicator.

    Convention: outside the top-level ``indicators`` block, a key ending in ``indicator``
    holds one indicator name and a key ending in ``indicators`` holds a list of them;
    ``figures.headline`` is a list of indicator names too.
    """
    if isinstance(node, Mapping):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else str(key)
            if sub == "indicators":
                continue
            key = str(key)
            if key.endswith("indicator") and isinstance(value, str):
                yield sub, value
            elif (key.endswith("indicators") or sub == "figures.headline") and isinstance(
                value, list
            ):
                yield from ((f"{sub}[{i}]", str(v)) for i, v in enumerate(value))
            else:
                yield from _indicator_references(value, sub)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _indicator_references(value, f"{path}[{i}]")


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
    localineq.data.configcheck.ConfigError: config/config.yaml: ...
      figures.headline_indicator: 'pya' is not a configured indicator
    ...
    """
    sources = sorted(source_keys)
    sources_path = config.get("sources", "config/sources.yaml")
    indicators = dict(config.get("indicators") or {})
    problems: list[str] = []

    def source_ref(where: str, key: Any) -> None:
        if key not in sources:
            problems.append(f"{where}: {key!r} is not a source in {sources_path}")

    for name, spec in indicators.items():
        source_ref(f"indicators.{name}.source", (spec or {}).get("source"))
        weight = (spec or {}).get("weight")
        bases = config.get("weight_bases")
        if bases is not None and weight not in (*bases, "unweighted"):
            problems.append(
                f"indicators.{name}.weight: {weight!r} is not a key of weight_bases "
                f"({', '.join(bases)}) or 'unweighted'"
            )
    for key in ("changes", "old_area_population"):
        if key in (config.get("harmonisation") or {}):
            source_ref(f"harmonisation.{key}", config["harmonisation"][key])
    prices = config.get("prices") or {}
    if "source" in prices:
        source_ref("prices.source", prices["source"])
    for i, name in enumerate(prices.get("money") or []):
        if name not in indicators:  # a money indicator not configured would never be deflated
            problems.append(f"prices.money[{i}]: {name!r} is not a configured indicator")
    for where, name in _indicator_references(config, ""):
        if name not in indicators:
            problems.append(f"{where}: {name!r} is not a configured indicator")
    figures = config.get("figures") or {}
    measures = (config.get("analysis") or {}).get("measures")
    if "measure" in figures and measures is not None and figures["measure"] not in measures:
        problems.append(
            f"figures.measure: {figures['measure']!r} is not one of analysis.measures {measures}"
        )
    for key in ("draws", "permutations"):
        value = (figures.get("uncertainty") or {}).get(key)
        if value is not None and value < 1:
            problems.append(
                f"figures.uncertainty.{key}: {value} replicates would leave the intervals and "
                "tests the report describes empty; use at least 1 (999 is the default)"
            )
    if problems:
        raise ConfigError(
            f"{config_path}: {len(problems)} problem(s) in the configuration:\n  "
            + "\n  ".join(problems)
            + f"\nKnown sources ({sources_path}): {', '.join(sources)}"
            + f"\nKnown indicators (indicators: in {config_path}): {', '.join(indicators)}"
        )
