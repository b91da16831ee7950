"""What a citation of the results needs besides the version: the code commit and the data date.

:func:`code_commit` names the commit the results were built from (``git rev-parse HEAD``);
:func:`data_retrieved` the latest date on which a raw file was fetched or copied from the
mirror, read from the provenance sidecars that :func:`localineq.data.fetch.ensure` writes
beside every raw file. Neither reads the clock, so a report built twice from the same commit
and the same raw files is the same byte for byte.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

__all__ = ["UNKNOWN", "code_commit", "data_retrieved"]

#: What a citation says when the commit or the data date cannot be found.
UNKNOWN = "unknown"


def code_commit(root: str | os.PathLike = ".") -> str:
    """Full hash of the commit checked out in ``root``; ``"unknown"`` outside a git work tree.

    A work tree whose tracked files differ from that commit gets ``"+uncommitted changes"``
    appended, because the results were then not built from the commit alone.

    >>> code_commit("/")  # not a repository
    'unknown'
    """

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=60, check=False
        )

    try:
        head = git("rev-parse", "--verify", "HEAD")
    except (OSError, subprocess.SubprocessError):  # no git installed, or it hung
        return UNKNOWN
    commit = head.stdout.strip()
    if head.returncode != 0 or len(commit) not in (40, 64):
        return UNKNOWN
    status = git("status", "--porcelain", "--untracked-files=no")
    if status.returncode == 0 and status.stdout.strip():
        return f"{commit}+uncommitted changes"
    return commit


def data_retrieved(sidecars: Iterable[str | os.PathLike]) -> str:
    """Latest ``retrieved_at`` date (``YYYY-MM-DD``, UTC) among provenance sidecars.

    The newest retrieval dates the data as a whole: every file was fetched, or verified
    against its pin, by then. ``"unknown"`` when no sidecar is given.

    Raises
    ------
    ValueError
        A sidecar that is not JSON or has no valid ``retrieved_at`` (named with its path).
    """
    dates = []
    for path in sidecars:
        try:
            record = json.loads(Path(path).read_text(encoding="utf-8"))
            stamp = datetime.strptime(str(record["retrieved_at"]), "%Y-%m-%dT%H:%M:%SZ")
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ValueError(
                f"provenance sidecar {path}: no valid 'retrieved_at' (YYYY-MM-DDTHH:MM:SSZ): {err}"
            ) from err
        dates.append(stamp)
    return max(dates).strftime("%Y-%m-%d") if dates else UNKNOWN
