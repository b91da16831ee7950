"""The HTML report, rendered from Jinja2 templates shipped in ``localineq/outputs/templates``.

Two pages come from the same templates:

- ``results/report/index.html`` (:func:`build_report`): images and files are linked by
  relative path (``../figures/x.png``), so the ``results/`` folder can be moved as a whole;
- ``results/report/localineq-report.html`` (:func:`build_standalone_report`): one file to
  email or archive. Figures are embedded as PNG ``data:`` URIs, and local files are named but
  not linked. It makes no requests; the only links lead to the data sources and licence.

Both pages are plain HTML with inline CSS and no scripts. They are deterministic, with no dates
or run times, so two runs on the same inputs give byte-identical files.

How the page is built
---------------------
``templates/base.html.j2`` is the only layout: head, title, contents, footer. It loops over
the sections of :data:`localineq.outputs.report.sections.SECTIONS`, in order. Each
:class:`~localineq.outputs.report.base.Section` has four parts:

- ``id``: the anchor, also used by the contents list;
- ``title``: the ``<h2>`` heading;
- ``template``: a partial under ``templates/sections/`` holding only markup and fixed prose;
- ``context``: a function ``(ReportState) -> dict | None``. It computes everything data-driven,
  such as formatted numbers, sentence pieces, table rows and figure entries. Returning ``None``
  leaves the section out.

Autoescaping is on, so every value is HTML-escaped unless a template marks it safe (none do).
``templates/partials/macros.html.j2`` has the shared markup: ``figure``, ``table``, ``finding``
and ``file_link``. Each is fed by the matching helper in :mod:`~localineq.outputs.report.base`
(:func:`~localineq.outputs.report.base.figure_context`,
:func:`~localineq.outputs.report.base.table_context`, ...).

Adding a section (for example a mission scorecard)
--------------------------------------------------
1. Write ``templates/sections/scorecard.html.j2``. It receives ``ctx``; start it with
   ``{% import "partials/macros.html.j2" as m %}`` to use ``m.table(ctx.table)`` or
   ``m.figure(f)``.
2. Write a context function, e.g. ``def scorecard_context(state): ...``. Put it in a
   module of its own in ``outputs/report/`` (as ``missions.py``, ``targets.py``), importing
   only ``report.base``, and list it in ``report/sections.py``. It reads its table
   from ``state.inputs.extra["scorecard"]``, or returns ``None`` when the table is absent. It
   builds rows with ``table_context(frame, caption=..., numeric=[...])`` and figures with
   ``state.figure(key)``.
3. Insert ``Section("scorecard", "Mission scorecard", "sections/scorecard.html.j2",
   scorecard_context)`` into ``SECTIONS`` where it belongs in the story.
4. In ``workflow/rules/report.smk``, add the table to ``REPORT_INPUTS``. In
   ``workflow/scripts/report_html.py``, pass it in ``extra``.

The templates ship as package data (``pyproject.toml``), so a non-editable install has them.
"""

from __future__ import annotations

import base64
import os
import posixpath
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2

from localineq.data.atomic import atomic_output
from localineq.outputs.figure_catalogue import (
    FigureEntry,
    figure_catalogue,
    headline_indicators,
)
from localineq.outputs.report.base import (
    ReportInputs,
    ReportState,
    Section,
    figure_context,
    number_tables,
    relative_link,
)
from localineq.outputs.report.sections import SECTIONS, used_sources

__all__ = [
    "REPORT_PATH",
    "STANDALONE_PATH",
    "ReportInputs",
    "build_report",
    "build_standalone_report",
    "figure_html",
    "local_references",
    "missing_images",
    "referenced_images",
    "used_sources",
    "write_report",
]

REPORT_PATH = "results/report/index.html"
STANDALONE_PATH = "results/report/localineq-report.html"
DEFAULT_TITLE = "How much of the inequality between UK places is invisible in regional averages?"


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment: package templates, autoescape on, undefined names are errors."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("localineq.outputs", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "html.j2", "j2"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def package_version() -> str:
    """Installed version of localineq (``"unknown"`` when not installed)."""
    try:
        return metadata.version("localineq")
    except metadata.PackageNotFoundError:
        return "unknown"


def png_data_uri(path: str | os.PathLike) -> str:
    """``data:image/png;base64,...`` for a PNG file (refuses anything that is not a PNG)."""
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG file")
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def _state(inputs: ReportInputs, report_path: str, embed_from: Path | None) -> ReportState:
    config = inputs.config
    headline = headline_indicators(config)
    report_dir = posixpath.dirname(report_path)
    catalogue = figure_catalogue(
        config["indicators"],
        headline,
        config.get("weight_bases"),
        missions="scorecard" in inputs.extra,
        measure=config["figures"]["measure"],
        map_scheme=config["figures"]["map_scheme"],
        map_classes=int(config["figures"]["map_classes"]),
    )
    if embed_from is None:

        def link(path: str) -> str | None:
            return relative_link(path, report_dir)

        image = link
    else:
        root = Path(embed_from)

        def link(path: str) -> str | None:
            return None

        def image(path: str) -> str:
            return png_data_uri(root / path)

    return ReportState(
        inputs=inputs,
        catalogue=catalogue,
        headline=headline,
        version=package_version(),
        link=link,
        image=image,
    )


def render(
    state: ReportState, sections: Sequence[Section] = SECTIONS, *, standalone: bool = False
) -> str:
    """Render the base layout with every section whose context function returns a dict."""
    rendered: list[dict[str, Any]] = []
    for section in sections:
        context = section.context(state)
        if context is None:
            continue
        rendered.append(
            {
                "id": section.id,
                "title": section.title,
                "template": section.template,
                "context": context,
            }
        )
    table_numbers = number_tables([r["context"] for r in rendered])
    title = dict(state.config.get("report", {})).get("title", DEFAULT_TITLE)
    return (
        environment()
        .get_template("base.html.j2")
        .render(
            title=title,
            version=state.version,
            sections=rendered,
            standalone=standalone,
            table_numbers=table_numbers,
        )
    )


def build_report(
    inputs: ReportInputs,
    *,
    report_path: str = REPORT_PATH,
    sections: Sequence[Section] = SECTIONS,
) -> str:
    """The linked report as an HTML string (deterministic for given inputs).

    Parameters
    ----------
    inputs
        Loaded tables and config (see :class:`ReportInputs`).
    report_path
        Repository-relative path the page will be written to. Figure, table and notebook links
        are relative to its folder.
    sections
        Sections in page order (default :data:`~localineq.outputs.report.sections.SECTIONS`).
    """
    return render(_state(inputs, report_path, None), sections)


def build_standalone_report(
    inputs: ReportInputs,
    root: str | os.PathLike,
    *,
    sections: Sequence[Section] = SECTIONS,
) -> str:
    """The self-contained report: figures embedded as PNG data URIs, no local links.

    Parameters
    ----------
    inputs
        Loaded tables and config (see :class:`ReportInputs`).
    root
        Repository root, against which the catalogue's figure paths are read.
    sections
        Sections in page order.
    """
    return render(_state(inputs, STANDALONE_PATH, Path(root)), sections, standalone=True)


def figure_html(entry: FigureEntry, *, report_dir: str, number: int) -> str:
    """One ``<figure>`` with relative image, caption and links (the ``figure`` macro)."""
    state = ReportState(
        inputs=None,  # type: ignore[arg-type]
        catalogue=[entry],
        headline=[],
        version="",
        link=lambda path: relative_link(path, report_dir),
        image=lambda path: relative_link(path, report_dir),
    )
    macros = environment().get_template("partials/macros.html.j2").module
    return str(macros.figure(figure_context(entry, state, number=number)))


# ---------------------------------------------------------------------------------------------
# Checking a written page
# ---------------------------------------------------------------------------------------------
def _attributes(page: str) -> list[tuple[str, str, str]]:
    """``(tag, attribute, value)`` of every ``src``/``href`` in an HTML page, in order."""
    from html.parser import HTMLParser

    found: list[tuple[str, str, str]] = []

    class _Refs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "href", "srcset", "data", "poster") and value:
                    found.append((tag, name, value))

    _Refs().feed(page)
    return found


def referenced_images(page: str) -> list[str]:
    """``src`` values of every ``<img>`` in an HTML page, in order."""
    return [value for tag, name, value in _attributes(page) if tag == "img" and name == "src"]


def local_references(page: str) -> list[str]:
    """Every ``src``/``href`` that points at a file or another host, except plain links.

    Allowed: ``data:`` URIs, in-page anchors (``#id``), and ``<a href="http(s)://...">``
    links (sources, licence) which load nothing. Anything else would need a local file or a
    network request.
    """
    bad = []
    for tag, name, value in _attributes(page):
        if value.startswith("data:") or value.startswith("#"):
            continue
        if tag == "a" and name == "href" and value.startswith(("https://", "http://")):
            continue
        bad.append(value)
    return bad


def missing_images(report: str | os.PathLike) -> list[str]:
    """Images a written report references that do not exist (relative to its folder)."""
    path = Path(report)
    page = path.read_text(encoding="utf-8")
    return [
        src
        for src in referenced_images(page)
        if not src.startswith("data:") and not (path.parent / src).is_file()
    ]


def write_report(page: str, path: str | os.PathLike) -> None:
    """Write the page as UTF-8 with ``\\n`` line ends; fail if any image is missing."""
    target = Path(path)
    # Checked on the temporary file (same folder, so the same relative image paths): a page
    # with missing images never replaces the previous one.
    with atomic_output(target) as tmp:
        tmp.write_text(page, encoding="utf-8", newline="\n")
        missing = missing_images(tmp)
        if missing:
            raise FileNotFoundError(f"report {target} references missing images: {missing}")
