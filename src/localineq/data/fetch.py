"""Fetch pinned raw files: from a local mirror when one is given, otherwise over HTTPS.

Every raw file is pinned in ``config/sources.yaml`` by URL, sha256 and size in bytes.
:func:`ensure` is the only entry point the pipeline uses. It never touches the network when
the target file is already present with the pinned hash, so offline reruns work.

Downloads use a small streaming downloader on :mod:`urllib.request` (no third-party HTTP
stack; pooch was used before but exposes neither a size cap nor an overall deadline):

* **HTTPS only**, checked for the first URL and for every redirect hop. Tests may allow plain
  HTTP for named hosts (``allow_http_hosts={"127.0.0.1"}``); the pipeline never does.
* **Size cap**: the download stops as soon as it exceeds the pinned ``bytes`` plus
  :data:`SIZE_MARGIN_BYTES` (zero: the sha256 pin fixes the size exactly, so a longer body can
  never be accepted). A ``Content-Length`` above the cap is refused before the body is read.
* **Timeouts**: every socket read has ``timeout`` seconds; the whole download, retries and
  pauses included, has ``deadline`` seconds. The deadline is checked before every read of at
  most :data:`CHUNK_BYTES`, so a server dripping bytes is cut off no later than one read
  timeout after the deadline.
* **Retries** with a doubling pause only for transient failures (connection errors, timeouts,
  HTTP 429/5xx, truncated bodies). A hash mismatch, an oversized body, a refused scheme or
  another HTTP 4xx is deterministic and fails at once.
* The body streams to a temporary file beside the target and is renamed into place only after
  its sha256 matched (atomic); a mismatch names both hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import textwrap
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

# One sha256 of a file for the fetch and the start-up check (and its digest memo).
from localineq.config.startup_memo import sha256_file as sha256_of

# Source, load_catalogue, raw_path, … lived here before the catalogue got its own module;
# they are still importable from here.
from localineq.data.catalogue import (  # noqa: F401
    MAX_FILENAME_CHARS,
    Source,
    filename_from_url,
    filename_problem,
    load_catalogue,
    raw_path,
)

# The HTTP stack (urllib.request, http.client, ssl: about a quarter of this module's import
# time) is imported inside the functions that download. Rule `fetch` runs once per raw file,
# and nearly every run copies from the mirror or finds the file present.
if TYPE_CHECKING:
    import ssl
    import urllib.request

#: Largest single read while downloading; the deadline is checked between reads.
CHUNK_BYTES = 1 << 16
#: Bytes allowed beyond the pinned size. Zero, because the sha256 pin fixes the size exactly.
SIZE_MARGIN_BYTES = 0
#: Cap for a source without a pinned size (the catalogue pins every size; tests may not).
UNPINNED_MAX_BYTES = 1 << 30
#: Per-read socket timeout and overall deadline (seconds) used by the pipeline.
READ_TIMEOUT = 60.0
DEADLINE = 900.0
MAX_REDIRECTS = 5
USER_AGENT = "localineq-fetch/0.1 (pinned official statistics)"


class FetchError(RuntimeError):
    """A raw file could not be obtained with its pinned hash."""


class PermanentFetchError(FetchError):
    """A deterministic download failure that a retry cannot fix (hash, size, scheme, 4xx)."""


class _TransientFetchError(FetchError):
    """A download attempt failed in a way that a retry may fix (truncated body)."""


def find_in_mirror(source: Source, mirror: str | os.PathLike) -> Path | None:
    """A file in ``mirror`` (searched recursively) with the source's name and pinned hash.

    Names are compared literally (no wildcards), symbolic links are not followed out of the
    mirror, and a match must resolve to a path inside it.

    Returns ``None`` when no file of that name exists; raises :class:`FetchError` when files of
    that name exist but none has the pinned hash.
    """
    mirror = Path(mirror)
    if not mirror.is_dir():
        raise FetchError(f"mirror directory {str(mirror)!r} does not exist")
    if problem := filename_problem(source.filename):
        raise FetchError(f"source {source.key!r}: file name {source.filename!r} {problem}")
    root = mirror.resolve()
    candidates = []
    for folder, dirs, files in os.walk(mirror):
        dirs.sort()
        if source.filename in files:
            candidate = Path(folder) / source.filename
            if candidate.is_file() and candidate.resolve().is_relative_to(root):
                candidates.append(candidate)
    hashes = {c: sha256_of(c) for c in sorted(candidates)}
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
        f"{source.sha256}. The publisher may have replaced the file. {REPIN_ADVICE}"
    )


#: How to accept a new version of a raw file; quoted by every message that mentions it.
REPIN_ADVICE = (
    "To accept a new version deliberately (re-pinning): check it, update `url`, `sha256`, "
    "`bytes` (and `columns` if its columns changed) of the source in config/sources.yaml, and "
    "rerun. A raw file still matching its provenance sidecar is then replaced automatically, "
    "sidecar included; any other raw file of that source must be deleted, with its "
    ".provenance.json sidecar, before the rerun."
)


def check_url(url: str, allow_http_hosts: frozenset[str] | set[str] = frozenset()) -> None:
    """Refuse any URL that is not ``https://`` (plain HTTP only for explicitly allowed hosts).

    >>> check_url("https://example.org/a.csv")
    >>> check_url("http://example.org/a.csv")
    Traceback (most recent call last):
    ...
    localineq.data.fetch.PermanentFetchError: refusing non-HTTPS URL 'http://example.org/a.csv' (only https:// is accepted)
    >>> check_url("http://127.0.0.1:8000/a.csv", allow_http_hosts={"127.0.0.1"})
    """
    parsed = urlparse(url)
    if parsed.scheme == "https":
        return
    if parsed.scheme == "http" and parsed.hostname in allow_http_hosts:
        return
    raise PermanentFetchError(f"refusing non-HTTPS URL {url!r} (only https:// is accepted)")


def _checked_redirects(allow_http_hosts: frozenset[str]) -> urllib.request.BaseHandler:
    """A redirect handler following at most :data:`MAX_REDIRECTS` hops, checking each scheme.

    Built on demand: the HTTP stack is imported only by a download, so that a fetch served
    from the mirror or from the file already present does not pay for it.
    """
    import urllib.request

    class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
        max_redirections = MAX_REDIRECTS

        def redirect_request(self, req, fp, code, msg, headers, newurl):
            try:
                check_url(newurl, allow_http_hosts)
            except PermanentFetchError as err:
                raise PermanentFetchError(f"redirect from {req.full_url!r}: {err}") from None
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return _CheckedRedirects()


def _stream_once(
    opener: urllib.request.OpenerDirector,
    source: Source,
    tmp: Path,
    *,
    limit: int,
    timeout: float,
    deadline_at: float,
) -> tuple[str, int]:
    """One download attempt into ``tmp``; return (sha256, bytes). Raises on any failure."""
    import urllib.request

    remaining = deadline_at - time.monotonic()
    if remaining <= 0:
        raise PermanentFetchError("overall deadline reached before the request")
    request = urllib.request.Request(source.url, headers={"User-Agent": USER_AGENT})
    digest, total = hashlib.sha256(), 0
    with opener.open(request, timeout=min(timeout, remaining)) as response:
        declared = response.headers.get("Content-Length")
        declared = int(declared) if declared and declared.isdigit() else None
        if declared is not None and declared > limit:
            raise PermanentFetchError(
                f"server announces {declared} bytes, more than the pinned {limit} bytes; "
                "nothing was downloaded"
            )
        with open(tmp, "wb") as out:
            while True:
                if time.monotonic() > deadline_at:
                    raise PermanentFetchError(
                        f"overall deadline reached after {total} bytes (server too slow)"
                    )
                chunk = response.read1(CHUNK_BYTES)
                if not chunk:
                    break
                total += len(chunk)
                if total > limit:
                    raise PermanentFetchError(
                        f"body exceeds the pinned size of {limit} bytes; stopped after {total} bytes"
                    )
                digest.update(chunk)
                out.write(chunk)
    if declared is not None and total < declared:
        raise _TransientFetchError(f"truncated body: {total} of {declared} announced bytes")
    if source.bytes is not None and total < source.bytes:
        raise _TransientFetchError(f"short body: {total} of the pinned {source.bytes} bytes")
    return digest.hexdigest(), total


def _is_transient(err: BaseException) -> bool:
    import http.client
    import socket
    import ssl
    import urllib.error

    if isinstance(err, PermanentFetchError):
        return False
    if isinstance(err, urllib.error.HTTPError):
        return err.code == 429 or err.code >= 500
    if isinstance(getattr(err, "reason", err), ssl.SSLCertVerificationError):
        return False  # an untrusted certificate does not fix itself
    if isinstance(getattr(err, "reason", err), socket.gaierror):
        return False  # host name not resolvable: almost always no network; fail fast
    return isinstance(err, _TransientFetchError | OSError | http.client.HTTPException)


def download(
    source: Source,
    dest: Path,
    *,
    timeout: float = READ_TIMEOUT,
    deadline: float = DEADLINE,
    retries: int = 3,
    backoff: float = 1.0,
    allow_http_hosts: frozenset[str] | set[str] = frozenset(),
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Stream ``source.url`` to ``dest``: HTTPS only, size cap, deadline, hash check, atomic.

    Parameters
    ----------
    source : Source
        The pinned file; ``source.bytes`` (plus :data:`SIZE_MARGIN_BYTES`) caps the size.
    dest : Path
        Final path; written only after the sha256 matched.
    timeout : float
        Seconds allowed for connecting and for each socket read.
    deadline : float
        Seconds allowed for the whole download, retries and pauses included.
    retries : int
        Further attempts after a transient failure; pauses ``backoff * 2**k`` seconds.
    allow_http_hosts : set of str
        Hosts for which plain ``http://`` is accepted (tests on 127.0.0.1). Empty in the pipeline.
    ssl_context : ssl.SSLContext, optional
        TLS settings (tests trust a throw-away certificate authority); default verification
        otherwise.

    Raises
    ------
    PermanentFetchError
        Hash mismatch, oversize body, refused scheme, HTTP 4xx or deadline: not retried.
    FetchError
        Transient failures that persisted through every retry.
    """
    import socket
    import ssl
    import urllib.request

    allow_http_hosts = frozenset(allow_http_hosts)
    prefix = f"source {source.key!r}: download of {source.url}"
    try:
        check_url(source.url, allow_http_hosts)
    except PermanentFetchError as err:
        raise PermanentFetchError(f"{prefix}: {err}") from None
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=ssl_context or ssl.create_default_context()),
        _checked_redirects(allow_http_hosts),
    )
    limit = (source.bytes if source.bytes is not None else UNPINNED_MAX_BYTES) + SIZE_MARGIN_BYTES
    deadline_at = time.monotonic() + deadline
    dest.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    for attempt in range(retries + 1):
        fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        os.close(fd)
        tmp = Path(name)
        try:
            actual, _ = _stream_once(
                opener, source, tmp, limit=limit, timeout=timeout, deadline_at=deadline_at
            )
            if actual != source.sha256:
                raise PermanentFetchError(
                    _hash_mismatch_message(source, actual, f"download of {source.url}")
                )
            os.replace(tmp, dest)
            return
        except PermanentFetchError as err:
            if str(err).startswith(f"source {source.key!r}"):
                raise
            raise PermanentFetchError(f"{prefix}: {err}") from err
        except Exception as err:
            if isinstance(getattr(err, "reason", None), socket.gaierror):
                raise PermanentFetchError(
                    f"{prefix}: cannot resolve the host name (no network?): {err.reason}"
                ) from err
            if not _is_transient(err):
                raise PermanentFetchError(f"{prefix}: {err}") from err
            errors.append(f"attempt {attempt + 1}: {err}")
            pause = backoff * 2**attempt
            if attempt == retries or time.monotonic() + pause >= deadline_at:
                break
            time.sleep(pause)
        finally:
            tmp.unlink(missing_ok=True)
    raise FetchError(f"{prefix} failed after {len(errors)} attempt(s): " + "; ".join(errors))


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
    **download_options,
) -> str:
    """Make ``dest`` hold the pinned file; return where it came from.

    Order: a present file with the right hash (no network) → a mirror copy with the same
    name and hash → an HTTPS download (:func:`download`; ``download_options`` are passed to
    it). A wrong hash anywhere is an error, never accepted.

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
    not_in_mirror = None
    if mirror:
        hit = find_in_mirror(source, mirror)
        if hit is not None:
            _copy_atomic(hit, dest)
            origin = f"mirror:{hit}"
        else:
            not_in_mirror = (
                f"source {source.key!r}: not in the mirror: no file named {source.filename!r} "
                f"anywhere under {Path(mirror).resolve()} (looked for "
                f"{Path(mirror).resolve() / '**' / source.filename})"
            )
    if origin is None:
        try:
            download(source, dest, **download_options)
        except FetchError as err:
            if not_in_mirror is None:
                raise
            raise type(err)(f"{not_in_mirror}; the download failed too: {err}") from err
        origin = f"download:{source.url}"
    actual = sha256_of(dest)
    if actual != source.sha256:  # defensive: never leave an unverified file behind
        dest.unlink()
        raise FetchError(_hash_mismatch_message(source, actual, str(dest)))
    write_provenance(source, dest, sidecar, origin)
    return origin


class RawFileMismatch(FetchError):
    """A raw file on disk no longer has its pinned hash (edited, truncated or replaced)."""


def _recorded_sha256(sidecar: Path) -> str | None:
    """The sha256 a provenance sidecar records; ``"unreadable"`` or ``None`` when it cannot."""
    if not sidecar.is_file():
        return None
    try:
        return json.loads(sidecar.read_text(encoding="utf-8")).get("sha256")
    except (ValueError, AttributeError):
        return "unreadable"


def retire_superseded_raw_files(
    catalogue: Mapping[str, Source],
    raw_dir: str | os.PathLike = "data/raw",
    digest: Callable[[Path], str] = sha256_of,
) -> list[str]:
    """Delete raw files whose pin was changed deliberately, so that the rerun fetches the new one.

    A raw file is *superseded* when its hash differs from its pin but equals the hash its
    provenance sidecar recorded when it was fetched: the file is intact, the pin moved (a
    re-pin). Such a file and its sidecar are deleted; rule ``fetch`` then gets the newly pinned
    file and every step that reads it reruns. A file matching neither its pin nor its sidecar
    was changed after fetching and is left for :func:`verify_raw_files` to refuse.

    Returns
    -------
    list of str
        One line per retired file: path, old and new hash.
    """
    retired = []
    for key, source in catalogue.items():
        path = raw_path(source, raw_dir)
        if not path.is_file():
            continue
        sidecar = path.with_name(path.name + ".provenance.json")
        recorded = _recorded_sha256(sidecar)
        if recorded in (None, "unreadable", source.sha256):
            continue
        actual = digest(path)
        if actual == source.sha256 or actual != recorded:
            continue
        path.unlink()
        sidecar.unlink()
        retired.append(f"{path} (source {key!r}): fetched as {actual}, now pinned {source.sha256}")
    return retired


def verify_raw_files(
    catalogue: Mapping[str, Source],
    raw_dir: str | os.PathLike = "data/raw",
    digest: Callable[[Path], str] = sha256_of,
) -> int:
    """Hash every raw file present under ``raw_dir`` and compare it with its pin.

    Run at the start of every workflow invocation (dry runs included), before any rule reads
    a raw file: an edited raw file must stop the run even when its modification time was
    kept. Missing files are skipped here; the ``fetch`` rule provides them. A provenance
    sidecar that records another hash than the pin is refused too, so that provenance never
    shows a hash the file does not have. ``digest`` computes a file's sha256 (the workflow
    passes :meth:`localineq.config.startup_memo.DigestCache.sha256`, which remembers the
    digest of a file whose inode, size and times are unchanged).

    Returns
    -------
    int
        Number of raw files verified.

    Raises
    ------
    RawFileMismatch
        One message naming every file that differs, both hashes, and the two ways out.
    """
    problems, verified = [], 0
    for key, source in catalogue.items():
        path = raw_path(source, raw_dir)
        if not path.is_file():
            continue
        actual = digest(path)
        verified += 1
        sidecar = path.with_name(path.name + ".provenance.json")
        recorded = _recorded_sha256(sidecar)
        if actual != source.sha256:
            empty = " — the file is EMPTY" if path.stat().st_size == 0 else ""
            history = (
                f"\n      when fetched it had      {recorded} (its sidecar): changed since"
                if recorded not in (None, actual)
                else ""
            )
            problems.append(
                f"{path} (source {key!r}){empty}\n"
                f"      the file has sha256      {actual}\n"
                f"      config/sources.yaml pins {source.sha256}{history}"
            )
            continue
        if recorded is not None and recorded != source.sha256:
            problems.append(
                f"{sidecar} (source {key!r}) records sha256 {recorded}, but the file and "
                f"its pin have {source.sha256}"
            )
    if problems:
        raise RawFileMismatch(
            f"{len(problems)} raw file(s) differ from their pins; raw files are never edited:\n  "
            + "\n  ".join(problems)
            + "\nTo restore a file, delete it (and its .provenance.json) and rerun: it is "
            "fetched again from the mirror (--config mirror=DIR) or its publisher. " + REPIN_ADVICE
        )
    return verified


#: First word of the line the fetch script logs when a source cannot be fetched.
FAILURE_MARKER = "FETCH FAILED"


def fetch_failure_summary(
    catalogue: Mapping[str, Source],
    raw_dir: str | os.PathLike = "data/raw",
    log_dir: str | os.PathLike = "logs/fetch",
    since: float = 0.0,
) -> str | None:
    """A short summary for a run that stopped because raw files could not be fetched.

    Reads the ``FETCH FAILED`` lines that fetch logs written after ``since`` (a Unix time)
    contain, and lists the sources whose raw file is still missing. Returns ``None`` when no
    fetch failed in this run, so other failures keep Snakemake's own report.
    """
    failed = {}
    for log in sorted(Path(log_dir).glob("*/*.log")):
        if log.stat().st_mtime < since:
            continue
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            if FAILURE_MARKER in line:
                key = log.parent.name
                reason = line.split(FAILURE_MARKER, 1)[1].strip(" :")
                reason = reason.removeprefix(f"source {key!r}: ")
                failed[key] = re.sub(r"^download of \S+: ", "", reason)
    if not failed:
        return None
    missing = [k for k, src in catalogue.items() if not raw_path(src, raw_dir).is_file()]
    width = max(len(k) for k in failed)
    lines = [
        f"localineq: {len(failed)} raw file(s) could not be fetched:",
        *(f"  {key:<{width}}  {reason[:120]}" for key, reason in sorted(failed.items())),
        *textwrap.wrap(
            f"Raw files still missing ({len(missing)} of {len(catalogue)}): {', '.join(missing)}",
            width=100,
            subsequent_indent="  ",
        ),
        *(
            [
                "The mirror given lacks some of them: each was looked for by file name anywhere",
                "under it (the paths are in the logs below); add the files or fix the mirror path.",
            ]
            if any(reason.startswith("not in the mirror") for reason in failed.values())
            else []
        ),
        "Without network access, point the run at a folder holding copies of the pinned files",
        "(matched by file name and sha256, any sub-folder layout):",
        "    snakemake --cores 2 --config mirror=DIR",
        f"Details per source: {Path(log_dir)}/<source>/<file>.log",
    ]
    return "\n".join(lines)
