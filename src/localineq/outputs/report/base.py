"""What every report section shares: its inputs, its state, and the figure and table macros.

:class:`ReportInputs` (the loaded results), :class:`ReportState` (what a context function
sees), :class:`Section` (one entry of the report's section list) and the helpers that fill the
``figure`` and ``table`` macros. Section modules (``sections``, ``missions``,
``targets``, ``spatial``, ``noise``, ``neighbourhoods``) import these from here and never from each other, so
the report's modules form no import cycle.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from localineq.outputs.figure_catalogue import FigureEntry


@dataclass
class ReportInputs:
    """Everything the report needs, already loaded.

    ``extra`` holds further named tables for sections added later (e.g. ``"scorecard"``), so a
    new section needs no new field here; its rule passes the table and its context function
    reads ``state.inputs.extra.get(name)``.
    """

    config: Mapping[str, Any]
    sources: Mapping[str, Mapping[str, Any]]
    summary: pd.DataFrame
    masked: pd.DataFrame
    top_bottom: pd.DataFrame
    profile: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None
    lsoa_profile: pd.DataFrame | None = None
    notebooks: Sequence[str] = field(default_factory=list)
    tables: Sequence[str] = field(default_factory=list)
    extra: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    #: The commit the results were built from and the latest date a raw file was fetched
    #: (:mod:`localineq.data.provenance`), for the citation.
    commit: str = "unknown"
    data_retrieved: str = "unknown"


@dataclass
class ReportState:
    """What every context function sees.

    ``link(path)`` is the href of a repository-relative file from the report's folder, or
    ``None`` in the self-contained report (which links no local files); ``image(path)`` is the
    ``src`` of a figure (a relative path, or a ``data:`` URI when embedded).
    """

    inputs: ReportInputs
    catalogue: list[FigureEntry]
    headline: list[str]
    version: str
    link: Callable[[str], str | None]
    image: Callable[[str], str]

    @property
    def config(self) -> Mapping[str, Any]:
        return self.inputs.config

    @property
    def numbers(self) -> dict[str, int]:
        """Figure numbers in catalogue order (1-based)."""
        return {entry.key: i + 1 for i, entry in enumerate(self.catalogue)}

    def figure(self, key: str) -> dict[str, Any]:
        """Context of the catalogue's figure ``key`` for the ``figure`` macro."""
        entry = next(e for e in self.catalogue if e.key == key)
        return figure_context(entry, self, number=self.numbers[key])


@dataclass(frozen=True)
class Section:
    """One report section: ``<section id=id><h2>title</h2>{partial}</section>``."""

    id: str
    title: str
    template: str
    context: Callable[[ReportState], Mapping[str, Any] | None]


def relative_link(target: str, report_dir: str) -> str:
    """POSIX relative path from directory ``report_dir`` to ``target`` (both repo-relative)."""
    return posixpath.relpath(target, report_dir)


def figure_context(entry: FigureEntry, state: ReportState, *, number: int) -> dict[str, Any]:
    """Fields of the ``figure`` macro for one catalogue entry."""
    return {
        "id": entry.key,
        "number": number,
        "title": entry.title,
        "caption": entry.caption,
        "alt": entry.alt or entry.title,
        "src": state.image(entry.png),
        "png": entry.png,
        "svg": entry.svg,
        "png_href": state.link(entry.png),
        "svg_href": state.link(entry.svg),
    }


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def table_context(
    frame: pd.DataFrame,
    *,
    caption: str | None = None,
    numeric: Sequence[str] = (),
    key: str | None = None,
    full: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Fields of the ``table`` macro: caption, columns (name, numeric) and rows of text.

    ``number`` stays ``None`` here: :func:`number_tables` numbers the captioned tables of the
    whole page in order once every section's context is known. ``key`` names a table that
    prose refers to by number (``table_numbers[key]`` in the templates). ``full`` marks a
    shortened table: ``{"total": rows in the file, "path": its path, "href": its link}``
    (see :func:`shortened`).
    """
    return {
        "key": key,
        "number": None,
        "full": dict(full) if full else None,
        "caption": caption,
        "columns": [{"name": str(c), "numeric": c in numeric} for c in frame.columns],
        "rows": [[_cell(v) for v in row] for row in frame.itertuples(index=False)],
    }


def shortened(
    frame: pd.DataFrame, shown: int, path: str, link: Callable[[str], str | None]
) -> tuple[pd.DataFrame, dict[str, Any] | None]:
    """The first ``shown`` rows of a long table, and the ``full`` note of :func:`table_context`
    pointing at the file that holds every row (``None`` when nothing was cut)."""
    if len(frame) <= shown:
        return frame, None
    return frame.head(shown), {"total": len(frame), "path": path, "href": link(path)}


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and {"caption", "columns", "rows", "number"} <= value.keys()


def number_tables(contexts: Sequence[Any]) -> dict[str, int]:
    """Number every captioned table of the page 1, 2, ... in the order given, in place.

    ``contexts`` are the sections' contexts in page order; each is searched depth first in
    the order of its keys and list items, which is the order in which the partials show
    them (a test checks the rendered page). Returns the numbers of the tables that have a
    ``key``, for prose that cites a table ("as Table 4 shows").
    """
    numbers: dict[str, int] = {}
    count = 0

    def visit(value: Any) -> None:
        nonlocal count
        if _is_table(value):
            if value["caption"]:
                count += 1
                value["number"] = count
                if value.get("key"):
                    numbers[value["key"]] = count
            return
        if isinstance(value, Mapping):
            for item in value.values():
                visit(item)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item)

    for context in contexts:
        visit(context)
    return numbers
