"""Atomic writes for every output, each recorded with its sha256 for ``localineq verify``.

A writer killed half-way (``kill -9``, out of memory, a cluster time limit) must never leave
a truncated file under its final name, where a user, a notebook or ``snakemake
--cleanup-metadata`` would take it for a result. Every writer of the package and of the
workflow scripts therefore writes through :func:`atomic_output`:

1. the content goes to a hidden temporary file *in the same folder*
   (``.<name>.<random>.tmp<suffix>``: the same suffix, so writers that infer the format
   from it — pandas, matplotlib — behave as for the final name);
2. only when the writer returned without error is it renamed onto the final name with
   :func:`os.replace`, which is atomic on one file system: readers see the old file or the
   new one, never a part;
3. on any error the temporary file is removed and the final path is left as it was.

After the rename, the file's sha256 and size are recorded in a manifest, one per output
folder, kept apart from the outputs: ``data/checksums/<folder>/SHA256SUMS.tsv`` under the
working directory (``sha256<TAB>bytes<TAB>name`` lines, sorted by name). Outputs written
outside the working directory (tests writing to temporary folders) are not recorded.
:mod:`localineq.data.intermediates` recomputes the hashes to find files changed behind the
pipeline's back, which Snakemake, keyed on modification times, cannot see.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

try:  # POSIX: serialises concurrent jobs updating the same folder's manifest
    import fcntl
except ImportError:  # pragma: no cover - Windows: jobs of one folder rarely overlap there
    fcntl = None

#: Where manifests live, relative to the working directory (the workflow's root).
CHECKSUM_ROOT = Path("data") / "checksums"
MANIFEST_NAME = "SHA256SUMS.tsv"
_HASH_CHUNK = 1 << 20


def sha256_and_size(path: str | os.PathLike) -> tuple[str, int]:
    """Hex sha256 digest and size in bytes of a file."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def temporary_sibling(dest: str | os.PathLike) -> Path:
    """A fresh hidden name beside ``dest`` with the same suffix (not created).

    >>> temporary_sibling("results/tables/a.csv").name.startswith(".a.csv.")
    True
    >>> temporary_sibling("results/tables/a.csv").suffix
    '.csv'
    """
    dest = Path(dest)
    return dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.tmp{dest.suffix}")


def is_temporary(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a temporary name of :func:`temporary_sibling` (left by a kill)."""
    name = Path(path).name
    return name.startswith(".") and ".tmp" in name


def manifest_path(folder: str | os.PathLike, root: str | os.PathLike | None = None) -> Path | None:
    """The manifest recording the files of ``folder``, or ``None`` outside the working dir."""
    base = Path(root) if root is not None else Path.cwd()
    try:
        relative = Path(os.path.abspath(folder)).relative_to(os.path.abspath(base))
    except ValueError:
        return None
    if relative.parts[: len(CHECKSUM_ROOT.parts)] == CHECKSUM_ROOT.parts:
        return None  # never record the manifests themselves
    return base / CHECKSUM_ROOT / relative / MANIFEST_NAME


def read_manifest(path: str | os.PathLike) -> dict[str, tuple[str, int]]:
    """``{file name: (sha256, bytes)}`` of one manifest (empty when absent)."""
    entries = {}
    path = Path(path)
    if not path.is_file():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, size, name = line.split("\t", 2)
        entries[name] = (digest, int(size))
    return entries


def record_checksums(files: list[Path], root: str | os.PathLike | None = None) -> None:
    """Record the sha256 and size of ``files`` in their folders' manifests."""
    by_manifest: dict[Path, list[Path]] = {}
    for file in files:
        manifest = manifest_path(file.parent, root)
        if manifest is not None:
            by_manifest.setdefault(manifest, []).append(file)
    for manifest, members in by_manifest.items():
        updates = {f.name: sha256_and_size(f) for f in members}
        manifest.parent.mkdir(parents=True, exist_ok=True)
        with open(manifest.with_name(MANIFEST_NAME + ".lock"), "a") as lock:
            if fcntl is not None:
                fcntl.flock(lock, fcntl.LOCK_EX)
            entries = read_manifest(manifest) | updates
            text = "".join(f"{d}\t{s}\t{n}\n" for n, (d, s) in sorted(entries.items()))
            tmp = temporary_sibling(manifest)
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, manifest)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_output(
    dest: str | os.PathLike, *, directory: bool = False, record: bool = True
) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; on success rename it onto ``dest``.

    Parameters
    ----------
    dest : path
        The final file (or, with ``directory=True``, folder).
    directory : bool
        Yield an empty temporary folder; an existing ``dest`` folder is replaced whole.
    record : bool
        Record the sha256 of what was written (every file, for a folder) in the manifest.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with atomic_output(folder / "a.txt") as tmp:
    ...     _ = tmp.write_text("complete")
    >>> (folder / "a.txt").read_text(), sorted(p.name for p in folder.iterdir())
    ('complete', ['a.txt'])
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_sibling(dest)
    if directory:
        tmp.mkdir()
    try:
        yield tmp
        if not (tmp.is_dir() if directory else tmp.is_file()):
            raise FileNotFoundError(f"writer produced nothing at {tmp} for {dest}")
        if directory:
            if dest.exists():
                _remove(dest)
            os.replace(tmp, dest)
        else:
            os.replace(tmp, dest)
    except BaseException:
        _remove(tmp)
        raise
    if record:
        files = sorted(p for p in dest.rglob("*") if p.is_file()) if directory else [dest]
        record_checksums(files)


def write_text(dest: str | os.PathLike, text: str, *, newline: str | None = "\n") -> None:
    """Write UTF-8 text atomically (``\\n`` line ends unless ``newline`` says otherwise)."""
    with atomic_output(dest) as tmp:
        tmp.write_text(text, encoding="utf-8", newline=newline)


def to_csv(frame, dest: str | os.PathLike, **options) -> None:
    """``frame.to_csv(dest, **options)``, atomically."""
    with atomic_output(dest) as tmp:
        frame.to_csv(tmp, **options)


def to_parquet(frame, dest: str | os.PathLike, **options) -> None:
    """``frame.to_parquet(dest, **options)``, atomically."""
    with atomic_output(dest) as tmp:
        frame.to_parquet(tmp, **options)
