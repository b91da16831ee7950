"""Start-up work remembered between invocations, keyed by everything it depends on.

Every ``snakemake`` invocation parses the Snakefile, dry runs and no-op runs included, and
parsing checks the configuration and re-hashes the raw files (issue 22: a no-op run should
cost little more than Snakemake's own). Both results are a pure function of files on disk,
so they are remembered under ``.snakemake/localineq/`` and recomputed when any input changes:

* :class:`DigestCache`: the sha256 of a file, remembered with the file's identity and times
  (device, inode, size, modification and status-change times in ns), as git's index does.
  Any write to a file changes its status-change time (ctime), which no user command can set
  back, so an edited file is hashed again even if its modification time was restored. A file
  changed within :data:`RACY_NS` of being hashed is not remembered (git's "racy clean" rule:
  file times are coarser than a write).
* :func:`remembered`: a value computed from files (the checked configuration), stored with a
  key over the inputs known beforehand (their bytes, command-line overrides, the checking
  code) and the sha256 of every further file the computation reported reading.

A memo that cannot be read is a miss, and one that cannot be written is skipped: the memo only
saves time, it never changes a result.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

#: Where the memos live: Snakemake's own working-state folder (never committed).
MEMO_DIR = Path(".snakemake") / "localineq"

#: A file whose ctime is this close to the moment it was hashed is not remembered: file
#: times advance in coarse ticks, so a write in the same tick could leave them unchanged.
RACY_NS = 2_000_000_000

#: Bump when the layout of a memo changes, so old memos are misses rather than errors.
FORMAT = 1

T = TypeVar("T")


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename; skip on OSError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a read-only checkout: nothing is remembered, nothing fails


def _identity(stat: os.stat_result) -> list[int]:
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


class DigestCache:
    """sha256 of files, remembered by file identity (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> (folder / "a.txt").write_text("abc")
    3
    >>> cache = DigestCache(folder / "memo" / "sha256.json")
    >>> cache.sha256(folder / "a.txt")[:12]
    'ba7816bf8f01'
    """

    def __init__(
        self, path: str | os.PathLike = MEMO_DIR / "sha256.json", racy_ns: int = RACY_NS
    ) -> None:
        self.path, self.racy_ns = Path(path), racy_ns
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            loaded = None
        files = loaded.get("files") if isinstance(loaded, dict) else None
        if not isinstance(files, dict) or loaded.get("format") != FORMAT:
            files = {}
        # Entries of another shape (a hand-edited or foreign file) are ignored: files hashed.
        self._entries = {k: v for k, v in files.items() if isinstance(v, list) and len(v) == 6}
        self._changed = False
        #: Files hashed (not recalled) by this instance, for tests and diagnostics.
        self.hashed: list[str] = []

    def sha256(self, path: str | os.PathLike) -> str:
        """The file's sha256: recalled if its identity is unchanged, else computed."""
        name = os.fspath(path)
        before = os.stat(name)
        entry = self._entries.get(name)
        if entry is not None and entry[:5] == _identity(before):
            return entry[5]
        started = time.time_ns()
        digest = sha256_file(name)
        self.hashed.append(name)
        after = os.stat(name)
        if _identity(after) == _identity(before) and after.st_ctime_ns < started - self.racy_ns:
            self._entries[name] = [*_identity(after), digest]
            self._changed = True
        elif self._entries.pop(name, None) is not None:
            self._changed = True
        return digest

    def save(self) -> None:
        """Write the remembered digests if any changed (atomically; skipped if impossible)."""
        if self._changed:
            data = {"format": FORMAT, "files": dict(sorted(self._entries.items()))}
            _write_atomic(self.path, json.dumps(data, indent=0).encode("utf-8"))
            self._changed = False


def content_key(parts: Iterable[bytes | str]) -> str:
    """sha256 over ``parts``, each length-prefixed so that no two sequences collide."""
    digest = hashlib.sha256(f"localineq memo {FORMAT}".encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def identity_key(paths: Iterable[str | os.PathLike], racy_ns: int = RACY_NS) -> str | None:
    """A key over the names and identities (inode, size, times) of ``paths``; ``None`` when
    one of them changed within :data:`RACY_NS`, so that nothing is remembered under a key
    that a write in the same clock tick could leave unchanged."""
    now, parts = time.time_ns(), []
    for path in paths:
        stat = os.stat(path)
        if stat.st_ctime_ns >= now - racy_ns:
            return None
        parts.append(f"{os.fspath(path)} {_identity(stat)}")
    return content_key(parts)


def remembered(
    name: str,
    key: str | None,
    compute: Callable[[], tuple[T, Iterable[str | os.PathLike]]],
    memo_dir: str | os.PathLike = MEMO_DIR,
) -> T:
    """``compute()``'s value, recalled if ``key`` and the files it read are unchanged.

    ``compute`` returns ``(value, files)``: ``files`` are inputs discovered while computing
    (for the configuration, the source catalogue it names); their sha256 is stored with the
    value and compared on recall. ``value`` must be picklable; an exception from ``compute``
    propagates and nothing is stored, so a failed check runs (and fails) every time. A
    ``None`` key (see :func:`identity_key`) computes without recalling or storing.
    """
    if key is None:
        return compute()[0]
    path = Path(memo_dir) / f"{name}.pickle"
    try:
        stored = pickle.loads(path.read_bytes())
        if stored["key"] == key and all(
            sha256_file(file) == digest for file, digest in stored["files"].items()
        ):
            return stored["value"]
    except Exception:  # noqa: BLE001 - missing, truncated or foreign memo: recompute
        pass
    value, files = compute()
    record = {
        "key": key,
        "files": {os.fspath(f): sha256_file(f) for f in files},
        "value": value,
    }
    _write_atomic(path, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    return value
