"""The source catalogue (``config/sources.yaml``): one pinned raw file per entry.

:func:`load_catalogue` reads and checks it: every entry has a pin (``sha256``, ``bytes``), its
provenance (``publisher``, ``licence``, ``description``), a direct HTTPS download ``url``, the
``columns`` its reader requires, and a plain file name
(:func:`filename_problem`), so that no entry can point outside ``data/raw`` or the mirror.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from localineq.config.yamlfile import load_yaml


@dataclass(frozen=True)
class Source:
    """One pinned raw file, as declared in ``config/sources.yaml``."""

    key: str
    url: str
    sha256: str
    publisher: str
    licence: str
    description: str
    filename: str
    landing_page: str | None = None
    bytes: int | None = None
    #: Columns (or, for JSON and TopoJSON files, fields) its reader requires; see
    #: ``columns:`` in config/sources.yaml. Empty only for sources built in tests.
    columns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A Source built outside load_catalogue must not escape data/raw or the mirror either.
        problem = filename_problem(self.filename)
        if problem:
            raise ValueError(f"source {self.key!r}: file name {self.filename!r} {problem}")


#: Longest file name accepted: leaves room for the ``.provenance.json`` sidecar, the temporary
#: ``.<name>.XXXXXXXX.part`` names and log/benchmark suffixes under the usual 255-byte limit.
MAX_FILENAME_CHARS = 180
#: Longest URL accepted in the catalogue.
MAX_URL_CHARS = 2000
_GLOB_CHARACTERS = frozenset("*?[]{}")


def filename_problem(name: object) -> str | None:
    """Why ``name`` is not a plain file name, or ``None`` when it is.

    A plain name has no folder part (``/`` or ``\\``), is not ``.``/``..``, does not start with
    a dot (temporary and hidden files do), has no wildcard or control character, and has at
    most :data:`MAX_FILENAME_CHARS` characters.

    >>> filename_problem("data.csv") is None
    True
    >>> filename_problem("../x.csv")
    "contains '/' (a folder part)"
    >>> filename_problem("*")
    "contains the wildcard '*'"
    """
    if not isinstance(name, str) or not name:
        return "is empty or not text"
    for separator in ("/", "\\"):
        if separator in name:
            return f"contains {separator!r} (a folder part)"
    if name in (".", ".."):
        return "is a folder reference, not a file name"
    if name.startswith("."):
        return "starts with '.' (reserved for hidden and temporary files)"
    wildcard = next((c for c in name if c in _GLOB_CHARACTERS), None)
    if wildcard:
        return f"contains the wildcard {wildcard!r}"
    control = next((c for c in name if ord(c) < 32 or ord(c) == 127), None)
    if control:
        return f"contains the control character {control!r}"
    if len(name) > MAX_FILENAME_CHARS:
        return f"has {len(name)} characters, more than the limit of {MAX_FILENAME_CHARS}"
    return None


def url_problem(url: object) -> str | None:
    """Why ``url`` cannot be a pinned source URL (HTTPS, printable, bounded), or ``None``.

    >>> url_problem("https://example.org/a.csv") is None
    True
    >>> url_problem("ftp://example.org/a.csv")
    'is not an https:// URL'
    """
    if not isinstance(url, str) or not url:
        return "is empty or not text"
    if len(url) > MAX_URL_CHARS:
        return f"has {len(url)} characters, more than the limit of {MAX_URL_CHARS}"
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return "contains a space or control character"
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.hostname:
        return "is not an https:// URL"
    return None


def filename_from_url(url: str) -> str:
    """Name of the file a URL points to.

    ONS serves workbooks as ``/file?uri=/path/name.xlsx``; the name then comes from ``uri``.

    >>> filename_from_url("https://example.org/a/b/data.csv")
    'data.csv'
    >>> filename_from_url("https://www.ons.gov.uk/file?uri=/economy/x/table.xlsx")
    'table.xlsx'
    """
    parsed = urlparse(url)
    uri = parse_qs(parsed.query).get("uri")
    path = uri[0] if uri else parsed.path
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if not name:
        raise ValueError(
            f"cannot derive a file name from URL {url!r}; set `filename` in sources.yaml"
        )
    return name


def _declared_columns(entry: Mapping, key: str, path) -> tuple[str, ...]:
    columns = entry.get("columns")
    if columns is None:
        raise ValueError(
            f"{path}: source {key!r} lacks `columns`: list the columns (for JSON files, the "
            "fields) its reader requires, including lci_95 and uci_95 where the publisher "
            "provides intervals; a file without one of them is then refused (see docs/data-integrity.md, "
            "'Declaring a source')"
        )
    if (
        not isinstance(columns, list)
        or not columns
        or not all(isinstance(c, str) and c.strip() for c in columns)
    ):
        raise ValueError(f"{path}: source {key!r}: `columns` must be a non-empty list of names")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValueError(f"{path}: source {key!r}: `columns` lists {repeated} more than once")
    return tuple(columns)


def load_catalogue(path: str | os.PathLike) -> dict[str, Source]:
    """Read ``sources.yaml`` into :class:`Source` records keyed by source name.

    Every entry needs ``url`` (a direct HTTPS download), ``sha256``, ``bytes``,
    ``publisher``, ``licence``, ``description`` and ``columns``; the file name (``filename``,
    or the URL's last segment) must be a plain name (:func:`filename_problem`).
    """
    entries = load_yaml(path)["sources"]  # a syntax error names its line
    catalogue = {}
    for key, entry in entries.items():
        required = ("sha256", "bytes", "publisher", "licence", "description")
        missing = [f for f in required if not entry.get(f)]
        if missing or "url" not in entry:
            raise ValueError(f"{path}: source {key!r} lacks {missing or ['url']}")
        if not isinstance(entry["bytes"], int) or entry["bytes"] <= 0:
            raise ValueError(f"{path}: source {key!r}: `bytes` must be a positive integer")
        url = entry["url"]
        # A fresh clone with network access must be able to fetch every file; a mirror is a
        # convenience, never the only way to obtain one (a page without a file goes in
        # `landing_page`).
        if url is None:
            raise ValueError(
                f"{path}: source {key!r}: `url` must be a direct https:// download URL, got null"
                " (a publisher's page without a file URL goes in `landing_page`)"
            )
        if problem := url_problem(url):
            shown = url if len(url) <= 100 else url[:100] + "…"
            raise ValueError(f"{path}: source {key!r}: `url` {shown!r} {problem}")
        filename = entry.get("filename") or filename_from_url(url)
        if problem := filename_problem(filename):
            shown = filename if len(filename) <= 100 else filename[:100] + "…"
            where = "`filename`" if entry.get("filename") else "the file name taken from `url`"
            raise ValueError(
                f"{path}: source {key!r}: {where} {shown!r} {problem}; a plain file name is "
                "required (set `filename` when the URL does not end in one)"
            )
        catalogue[key] = Source(
            key=key,
            url=url,
            sha256=entry["sha256"].lower(),
            publisher=entry["publisher"],
            licence=entry["licence"],
            description=entry["description"],
            filename=filename,
            landing_page=entry.get("landing_page"),
            bytes=entry["bytes"],
            columns=_declared_columns(entry, key, path),
        )
    return catalogue


def raw_path(source: Source, raw_dir: str | os.PathLike = "data/raw") -> Path:
    """Where the pipeline keeps a source's raw file: ``<raw_dir>/<key>/<filename>``."""
    return Path(raw_dir) / source.key / source.filename
