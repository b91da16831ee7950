"""Reading the project's YAML files strictly, keeping the line of every key.

YAML as parsed by PyYAML forgives three mistakes that change results without a word: a
duplicated key silently keeps the last value, a syntax error is reported without its place by
Snakemake, and a file that asks for YTE evaluation (``__use_yte__: true``) has Python
expressions run by Snakemake when it loads the file. :func:`load_yaml_with_lines` refuses all
three and returns, beside the data, the line of every key, so later checks (the schema, the
cross-references) can name the line of whatever they refuse.
"""

from __future__ import annotations

import os
from typing import Any

import yaml

#: A key path: mapping keys as strings, sequence positions as integers.
KeyPath = tuple[str | int, ...]

#: The key with which Snakemake switches a config file to YTE template evaluation.
YTE_SWITCH = "__use_yte__"


class ConfigError(ValueError):
    """The configuration names something that does not exist, or cannot be parsed."""


# libyaml parses config files about ten times faster; every invocation, `snakemake -n`
# included, pays for it. Errors are re-raised from the Python loader, whose messages also
# name where an unclosed construct began.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def format_path(path: KeyPath) -> str:
    """Dotted form of a key path, with list positions in brackets.

    >>> format_path(("missions", "declared", 0, "tests", 1, "test"))
    'missions.declared[0].tests[1].test'
    >>> format_path(())
    '(top level)'
    """
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _syntax_error(path: str | os.PathLike, text: str) -> ConfigError:
    """The Python loader's account of a syntax error, with line, column and the lines."""
    try:
        yaml.safe_load(text)
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
        return ConfigError(f"{os.fspath(path)}{where}: YAML syntax error: {detail}{shown}")
    except yaml.YAMLError as err:
        return ConfigError(f"{os.fspath(path)}: YAML error: {err}")
    return ConfigError(f"{os.fspath(path)}: YAML error")  # pragma: no cover - libyaml-only


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], problems: list[str]) -> None:
    """Record the line of every key below ``node``; list duplicated keys and the YTE switch."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                _walk(value_node, path, lines, problems)
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            where = format_path((*path, key))
            if key in seen:
                problems.append(
                    f"line {line}: duplicate key {where!r} (first given on line {seen[key]}); "
                    "YAML would silently keep the last value"
                )
            else:
                seen[key] = line
            if key == YTE_SWITCH:
                problems.append(
                    f"line {line}: {YTE_SWITCH!r} asks Snakemake to evaluate the file as a YTE "
                    "template, which runs Python while the workflow loads; this project's "
                    "configuration is plain data: remove the key"
                )
            lines.setdefault((*path, key), line)
            _walk(value_node, (*path, key), lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault((*path, index), item.start_mark.line + 1)
            _walk(item, (*path, index), lines, problems)


def load_yaml_with_lines(path: str | os.PathLike) -> tuple[Any, dict[KeyPath, int]]:
    """Parse a YAML file strictly; return its data and the 1-based line of every key.

    Refused, each with the file and line: a syntax error (with its column), a key given twice
    in one mapping, and the ``__use_yte__`` switch.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("a: 1\\nb:\\n  c: [x, y]\\n")
    >>> data, lines = load_yaml_with_lines(p)
    >>> data, lines[("b", "c")], lines[("b", "c", 1)]
    ({'a': 1, 'b': {'c': ['x', 'y']}}, 3, 3)
    >>> _ = p.write_text("draws: 999\\ndraws: 5\\n")
    >>> load_yaml_with_lines(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    localineq.config.yamlfile.ConfigError: .../c.yaml: line 2: duplicate key 'draws' (first given on line 1); ...
    """
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        problems: list[str] = []
        lines: dict[KeyPath, int] = {}
        if node is not None:
            _walk(node, (), lines, problems)
        if problems:
            raise ConfigError(f"{os.fspath(path)}: " + f"\n{os.fspath(path)}: ".join(problems))
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError:
        raise _syntax_error(path, text) from None
    finally:
        loader.dispose()
    return data, lines


def load_yaml(path: str | os.PathLike) -> Any:
    """Parse a YAML file strictly (see :func:`load_yaml_with_lines`); return only the data.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.yaml"
    >>> _ = p.write_text("a: 1\\nb: [1, 2\\nc: 3\\n")
    >>> load_yaml(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    localineq.config.yamlfile.ConfigError: .../c.yaml, line 3, column 2 (the construct began on line 2): YAML syntax error: ...
    """
    return load_yaml_with_lines(path)[0]


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one.

    >>> line_of({("a",): 3, ("a", "b"): 4}, ("a", "b", "c"))
    4
    >>> line_of({}, ("x",)) is None
    True
    """
    for end in range(len(path), 0, -1):
        key = tuple(p if isinstance(p, int) else str(p) for p in path[:end])
        if key in lines:
            return lines[key]
    return None
