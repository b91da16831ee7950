"""Fetch pinned raw files: from a local mirror when one is given, otherwise over HTTPS.

Every raw file is pinned in ``config/sources.yaml`` by URL and sha256. :func:`ensure` is the
only entry point the pipeline uses. It never touches the network when the target file is
already present with the pinned hash, so offline reruns work. Downloads go through
:mod:`pooch`, which streams to a temporary file in the target folder, verifies the hash and
only then renames it into place (atomic), retrying with a growing pause on network errors.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pooch
import yaml

HASH_CHUNK_BYTES = 1 << 20


class FetchError(RuntimeError):
    """A raw file could not be obtained with its pinned hash."""


@dataclass(frozen=True)
class Source:
    """One pinned raw file, as declared in ``config/sources.yaml``."""

    key: str
    url: str | None
    sha256: str
    publisher: str
    licence: str
    description: str
    filename: str
    landing_page: str | None = None

    @property
    def sidecar_name(self) -> str:
        return "provenance.json"


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


def load_catalogue(path: str | os.PathLike) -> dict[str, Source]:
    """Read ``sources.yaml`` into :class:`Source` records keyed by source name."""
    with open(path, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)["sources"]
    catalogue = {}
    for key, entry in entries.items():
        missing = [f for f in ("sha256", "publisher", "licence", "description") if not entry.get(f)]
        if missing or "url" not in entry:
            raise ValueError(f"{path}: source {key!r} lacks {missing or ['url']}")
        url = entry["url"]
        filename = entry.get("filename") or filename_from_url(url)
        catalogue[key] = Source(
            key=key,
            url=url,
            sha256=entry["sha256"].lower(),
            publisher=entry["publisher"],
            licence=entry["licence"],
            description=entry["description"],
            filename=filename,
            landing_page=entry.get("landing_page"),
        )
    return catalogue


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def find_in_mirror(source: Source, mirror: str | os.PathLike) -> Path | None:
    """A file in ``mirror`` (searched recursively) with the source's name and pinned hash.

    Returns ``None`` when no file of that name exists; raises :class:`FetchError` when files of
    that name exist but none has the pinned hash.
    """
    mirror = Path(mirror)
    if not mirror.is_dir():
        raise FetchError(f"mirror directory {str(mirror)!r} does not exist")
    candidates = [c for c in sorted(mirror.rglob(source.filename)) if c.is_file()]
    hashes = {c: sha256_of(c) for c in candidates}
    for candidate, actual in hashes.items():
        if actual == source.sha256:
            return candidate
    if hashes:  # same name, other bytes: a different version, never used silently
        candidate, actual = next(iter(hashes.items()))
        raise FetchError(_hash_mismatch_message(source, actual, f"mirror file {candidate}"))
    return None


def _copy_atomic(src: Path, dest: Path) -> None:
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _hash_mismatch_message(source: Source, actual: str, where: str) -> str:
    return (
        f"source {source.key!r}: {where} has sha256 {actual}, but config/sources.yaml pins "
        f"{source.sha256}. The publisher may have replaced the file. To accept a new version "
        f"deliberately, check it, then update both `url` and `sha256` of {source.key!r} in "
        f"config/sources.yaml and rerun."
    )


def download(source: Source, dest: Path, *, timeout: float = 60.0, retries: int = 3) -> None:
    """Download ``source`` to ``dest`` via pooch: timeout, retries, hash check, atomic rename."""
    if not source.url:
        raise FetchError(
            f"source {source.key!r} ({source.filename}) has no direct download URL; get it from "
            f"{source.landing_page or 'its publisher'} and pass its folder with --config mirror=DIR"
        )
    fetcher = pooch.create(
        path=dest.parent,
        base_url="",
        registry={dest.name: f"sha256:{source.sha256}"},
        urls={dest.name: source.url},
        retry_if_failed=retries,
    )
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    try:
        fetcher.fetch(dest.name, downloader=downloader)
    except ValueError as err:  # pooch reports a hash mismatch as ValueError
        if "hash" not in str(err).lower():
            raise
        raise FetchError(
            _hash_mismatch_message(source, "the downloaded file", f"download of {source.url}")
            + f"\n(pooch: {err})"
        ) from err
    except Exception as err:  # network failures after all retries
        raise FetchError(
            f"source {source.key!r}: download of {source.url} failed after {retries + 1} attempts: {err}"
        ) from err


def write_provenance(source: Source, dest: Path, sidecar: Path, origin: str) -> None:
    """Write the provenance sidecar: what the file is, where from, its hash and when."""
    record = asdict(source) | {
        "retrieved_from": origin,
        "retrieved_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "bytes": dest.stat().st_size,
    }
    tmp = sidecar.with_suffix(".part")
    tmp.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, sidecar)


def ensure(
    source: Source,
    dest: str | os.PathLike,
    sidecar: str | os.PathLike,
    mirror: str | os.PathLike | None = None,
    *,
    timeout: float = 60.0,
    retries: int = 3,
) -> str:
    """Make ``dest`` hold the pinned file; return where it came from.

    Order: a present file with the right hash (no network) → a mirror copy with the same
    name and hash → an HTTPS download. A wrong hash anywhere is an error, never accepted.

    Returns
    -------
    str
        ``"present"``, ``"mirror:<path>"`` or ``"download:<url>"``.
    """
    dest, sidecar = Path(dest), Path(sidecar)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        actual = sha256_of(dest)
        if actual == source.sha256:
            if not sidecar.exists():
                write_provenance(source, dest, sidecar, "present")
            return "present"
        dest.unlink()  # a stale or corrupt copy: fetch afresh below
    origin = None
    if mirror:
        hit = find_in_mirror(source, mirror)
        if hit is not None:
            _copy_atomic(hit, dest)
            origin = f"mirror:{hit}"
    if origin is None:
        download(source, dest, timeout=timeout, retries=retries)
        origin = f"download:{source.url}"
    actual = sha256_of(dest)
    if actual != source.sha256:  # defensive: never leave an unverified file behind
        dest.unlink()
        raise FetchError(_hash_mismatch_message(source, actual, str(dest)))
    write_provenance(source, dest, sidecar, origin)
    return origin


def raw_path(source: Source, raw_dir: str | os.PathLike = "data/raw") -> Path:
    """Where the pipeline keeps a source's raw file: ``<raw_dir>/<key>/<filename>``."""
    return Path(raw_dir) / source.key / source.filename


def catalogue_paths(catalogue: Mapping[str, Source], raw_dir: str = "data/raw") -> dict[str, str]:
    """Raw file path for every source, for use in Snakemake rules."""
    return {key: str(raw_path(src, raw_dir)) for key, src in catalogue.items()}
