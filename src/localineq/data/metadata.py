"""The publisher's own definition of an indicator: the Explore Local Statistics (ELS) metadata
JSON that sits beside each indicator CSV, and checks of configured titles and units against it.

An ELS metadata file holds ``{"ess-beta-metadata": {...}}``. For a single-indicator file the
fields (``label``, ``subtitle``, ``suffix``, ``prefix``, ``subText``, ``longDescription``,
``caveats``, ``sourceURL`` …) sit directly in that object; for a file holding several
indicators, a ``shared`` block holds the common fields and one block per indicator (keyed by
the CSV's ``indicator`` value) the rest.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

_FIELDS = ("label", "subtitle", "longDescription")


def read_els_metadata(
    path: str | os.PathLike, columns: Sequence[str] = ("ess-beta-metadata",)
) -> dict[str, Any]:
    """Parse an ELS metadata JSON file into its ``ess-beta-metadata`` object.

    ``columns`` are the source's declared top-level fields (sources.yaml); a missing one is
    an error naming the file and the fields.
    """
    with open(path, encoding="utf-8-sig") as handle:
        document = json.load(handle)
    fields = list(document) if isinstance(document, dict) else []
    missing = [c for c in columns if c not in fields]
    if missing:
        raise ValueError(
            f"{os.fspath(path)}: missing expected field(s) {missing}; the file has {fields} "
            "(declared under `columns:` in config/sources.yaml)"
        )
    try:
        return dict(document["ess-beta-metadata"])
    except (KeyError, TypeError) as err:
        raise ValueError(f"{path}: no 'ess-beta-metadata' object") from err


def indicator_metadata(metadata: Mapping[str, Any], indicator: str) -> dict[str, Any]:
    """The fields that describe one indicator: its own block over the ``shared`` block, or the
    whole object for a single-indicator file.

    >>> indicator_metadata({"label": "X", "subtitle": "s"}, "X")["subtitle"]
    's'
    >>> m = {"shared": {"suffix": "%"}, "A": {"label": "A", "subtitle": "a"}}
    >>> indicator_metadata(m, "A")
    {'suffix': '%', 'label': 'A', 'subtitle': 'a'}
    """
    if any(f in metadata for f in _FIELDS):
        return dict(metadata)
    if indicator not in metadata:
        raise KeyError(f"indicator {indicator!r} not in the metadata (has {sorted(metadata)})")
    return {**dict(metadata.get("shared") or {}), **dict(metadata[indicator])}


_AGE = re.compile(
    r"\b(?:aged?|ages)\s+(?:under\s+)?(\d+)(?:\s*(?:to|-|–)\s*(\d+))?", flags=re.IGNORECASE
)


def ages_in(text: str) -> set[str]:
    """Ages named in a definition ("aged 16 to 64", "by age 19", "aged under 16").

    >>> sorted(ages_in("Percentage of people aged 16 to 64 in employment"))
    ['16', '64']
    >>> sorted(ages_in("achieving GCSEs in both subjects by age 19"))
    ['19']
    >>> sorted(ages_in("Average income per person"))
    []
    """
    found: set[str] = set()
    for match in _AGE.finditer(text or ""):
        found.update(g for g in match.groups() if g)
    return found


def metadata_unit(meta: Mapping[str, Any]) -> str | None:
    """The unit the metadata gives: ``%`` (suffix), ``£`` (prefix or "(£)" in the subtitle),
    ``years``/``score`` (subText), ``per 100,000`` or ``ratio`` (subtitle); else None.

    >>> metadata_unit({"suffix": "%"}), metadata_unit({"subtitle": "pay (£)"})
    ('%', '£')
    >>> metadata_unit({"subText": "years"}), metadata_unit({"subtitle": "Ratio of a to b"})
    ('years', 'ratio')
    """
    subtitle = str(meta.get("subtitle") or "")
    if meta.get("suffix") == "%":
        return "%"
    if meta.get("prefix") in ("£", "GBPSign") or "(£)" in subtitle:
        return "£"
    sub = str(meta.get("subText") or "").lower()
    if sub.startswith("year"):
        return "years"
    if "score" in sub:
        return "score"
    if "per 100,000" in subtitle:
        return "per 100,000"
    if subtitle.lower().startswith("ratio"):
        return "ratio"
    return None


def definition_problems(title: str, unit: str, meta: Mapping[str, Any]) -> list[str]:
    """Where a configured title and unit disagree with the publisher's metadata.

    Checks key words only: every age in the metadata subtitle must appear in the title (so a
    "by age 19" indicator cannot be titled as a year-11 exam result), and the configured unit
    must be the metadata's unit (``£ per …`` matches ``£``; ``score (0-10)`` matches
    ``score``). Returns readable problems; empty when they agree.

    >>> meta = {"subtitle": "Percentage achieving GCSEs by age 19", "suffix": "%"}
    >>> definition_problems("Pupils achieving grade 4 in GCSE English and maths", "%", meta)
    ["subtitle names age 19 ('Percentage achieving GCSEs by age 19'); title does not"]
    >>> definition_problems("GCSEs in English and maths by age 19", "%", meta)
    []
    """
    problems = []
    subtitle = str(meta.get("subtitle") or "")
    for age in sorted(ages_in(subtitle), key=int):
        if not re.search(rf"(?<!\d){age}(?!\d)", title):
            problems.append(f"subtitle names age {age} ({subtitle!r}); title does not")
    expected = metadata_unit(meta)
    if expected is not None and not str(unit).lower().startswith(expected.lower()):
        problems.append(f"metadata unit is {expected!r}; configured unit is {unit!r}")
    return problems
