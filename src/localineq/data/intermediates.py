"""Reading intermediates with clear errors, and verifying them against their recorded sha256.

Intermediates (``data/processed/*``) and result tables are rebuilt by the pipeline, never
edited. Two faults are invisible to Snakemake, which compares modification times only:

* a file truncated or replaced behind the pipeline's back (same modification time, or newer
  than its inputs) is taken as up to date;
* a damaged file reaches pyarrow or pandas, whose messages ("Parquet magic bytes not found")
  name neither the file nor the way out.

:func:`read_parquet`, :func:`read_csv` and :func:`read_geopackage` turn a read failure into an
:class:`IntermediateError` naming the file and how to rebuild it. :func:`verify_outputs`
(command line: ``localineq verify``, or ``python -m localineq.data.intermediates verify``)
recomputes the sha256 of every file recorded by :mod:`localineq.data.atomic` when it was
written, and reports those that changed, shrank or vanished, with the command that rebuilds
them and everything depending on them.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from localineq.data.atomic import (
    CHECKSUM_ROOT,
    MANIFEST_NAME,
    is_temporary,
    read_manifest,
    sha256_and_size,
)


class IntermediateError(RuntimeError):
    """A file the pipeline wrote cannot be read back: damaged, truncated or replaced."""


def rebuild_advice(paths: Sequence[str | os.PathLike]) -> str:
    """How to rebuild damaged pipeline files and everything that depends on them.

    Snakemake does not look at a missing intermediate whose dependents are up to date, so
    deleting one is not enough: ``--forcerun`` names them.

    >>> rebuild_advice(["data/processed/x.parquet"])
    'delete it and rebuild it with everything that depends on it: rm data/processed/x.parquet && snakemake --cores 2 --forcerun data/processed/x.parquet'
    """
    shown = " ".join(os.fspath(p) for p in paths)
    it = "it" if len(paths) == 1 else "them"
    return (
        f"delete {it} and rebuild {it} with everything that depends on {it}: rm {shown} && "
        f"snakemake --cores 2 --forcerun {shown}"
    )


def _unreadable(path, err: BaseException) -> IntermediateError:
    return IntermediateError(
        f"{os.fspath(path)} cannot be read ({type(err).__name__}: {err}); it is damaged or "
        f"incomplete (a pipeline file is never edited by hand). To fix, "
        f"{rebuild_advice([path])}"
    )


def read_parquet(path: str | os.PathLike, **options):
    """``pandas.read_parquet`` whose failures name the file and how to rebuild it."""
    import pandas as pd

    try:
        return pd.read_parquet(path, **options)
    except FileNotFoundError:
        raise
    except Exception as err:  # pyarrow: ArrowInvalid (magic bytes), OSError, …
        raise _unreadable(path, err) from err


def read_csv(path: str | os.PathLike, **options):
    """``pandas.read_csv`` of a pipeline table whose failures name the file and the fix."""
    import pandas as pd

    try:
        return pd.read_csv(path, **options)
    except FileNotFoundError:
        raise
    except Exception as err:  # EmptyDataError, ParserError, UnicodeDecodeError, …
        raise _unreadable(path, err) from err


def read_geopackage(path: str | os.PathLike, layer: str):
    """One layer of a pipeline GeoPackage; failures name the file and the fix."""
    import geopandas as gpd

    try:
        return gpd.read_file(path, layer=layer)
    except FileNotFoundError:
        raise
    except Exception as err:  # pyogrio DataSourceError on a truncated file, missing layer
        raise _unreadable(path, err) from err


@dataclass(frozen=True)
class Problem:
    """One recorded file that no longer is what the pipeline wrote."""

    path: Path
    kind: str  # "changed", "truncated", "missing" or "left over"
    detail: str


def verify_outputs(root: str | os.PathLike = ".") -> tuple[int, list[Problem]]:
    """Recompute the sha256 of every recorded pipeline file under ``root``.

    Reads every ``data/checksums/<folder>/SHA256SUMS.tsv`` (:mod:`localineq.data.atomic`)
    and compares each recorded file's size and sha256 with the file now on disk. Temporary
    files left by a killed writer (hidden ``.<name>.<random>.tmp<suffix>``) are reported too.

    Returns
    -------
    (int, list of Problem)
        The number of files checked and the problems found (empty when all match).
    """
    root = Path(root)
    checked, problems = 0, []
    base = root / CHECKSUM_ROOT
    for manifest in sorted(base.rglob(MANIFEST_NAME)):
        folder = root / manifest.parent.relative_to(base)
        for name, (digest, size) in sorted(read_manifest(manifest).items()):
            path = folder / name
            checked += 1
            if not path.is_file():
                problems.append(Problem(path, "missing", "recorded but absent"))
                continue
            actual, actual_size = sha256_and_size(path)
            if actual_size < size:
                problems.append(
                    Problem(path, "truncated", f"{actual_size} of {size} bytes written")
                )
            elif actual != digest:
                problems.append(Problem(path, "changed", f"sha256 {actual}, written as {digest}"))
        if folder.is_dir():
            problems += [
                Problem(p, "left over", "temporary file of an interrupted write; delete it")
                for p in sorted(folder.iterdir())
                if p.is_file() and is_temporary(p)
            ]
    return checked, problems


def verify_report(checked: int, problems: Sequence[Problem]) -> str:
    """The text ``localineq verify`` prints."""
    if not problems:
        return f"localineq verify: all {checked} recorded pipeline files match their sha256."
    width = max(len(p.kind) for p in problems)
    lines = [
        f"localineq verify: {len(problems)} of {checked} recorded pipeline files differ from "
        "what the pipeline wrote:",
        *(f"  {p.kind:<{width}}  {p.path}  ({p.detail})" for p in problems),
    ]
    damaged = [p.path for p in problems if p.kind != "left over"]
    if damaged:
        lines.append("Snakemake cannot see this (it compares modification times); to fix,")
        lines.append(rebuild_advice(damaged))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``localineq verify [--root DIR]``; exit status 1 when files differ."""
    parser = argparse.ArgumentParser(prog="localineq", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser(
        "verify", help="recompute the sha256 of every file the pipeline recorded"
    )
    verify.add_argument("--root", default=".", help="the workflow folder (default: here)")
    args = parser.parse_args(argv)
    checked, problems = verify_outputs(args.root)
    print(verify_report(checked, problems), file=sys.stderr if problems else sys.stdout)
    if checked == 0:
        print(
            f"localineq verify: nothing recorded under {Path(args.root) / CHECKSUM_ROOT}; "
            "run the pipeline first",
            file=sys.stderr,
        )
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
