"""What each workflow script imports, and what that costs: ``python -X importtime`` per script.

Each script of ``workflow/scripts/`` is loaded in a fresh interpreter the way a job loads it
(``runpy`` with a name other than ``__main__``, so that ``main`` does not run), under
``-X importtime``. Prints, per script, the total import time and which heavy packages it
pulls in (cumulative microseconds from the importtime report, as seconds).

    python benchmarks/imports.py               # every script
    python benchmarks/imports.py fetch indicator
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEAVY = (
    "pandas",
    "pyarrow",
    "scipy",
    "pandera",
    "numba",
    "esda",
    "libpysal",
    "geopandas",
    "shapely",
    "pyogrio",
    "matplotlib",
    "statsmodels",
    "jinja2",
    "nbclient",
    "nbconvert",
)
_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S+)")


def measure(script: Path) -> tuple[float, dict[str, float]]:
    """Total import seconds of ``script`` and the cumulative seconds of each heavy package."""
    code = f"import runpy; runpy.run_path({str(script)!r}, run_name='job')"
    env = {**os.environ, "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    total, heavy = 0.0, {}
    for _self, cumulative, indent, name in _LINE.findall(run.stderr):
        if len(indent) == 1:  # top-level imports: their cumulative times add up to the total
            total += int(cumulative) / 1e6
        if name in HEAVY:
            heavy[name] = max(heavy.get(name, 0.0), int(cumulative) / 1e6)
    return total, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="script names without .py (default: all)")
    args = parser.parse_args()
    scripts = sorted((REPO / "workflow" / "scripts").glob("*.py"))
    if args.scripts:
        scripts = [s for s in scripts if s.stem in args.scripts]
    for script in scripts:
        total, heavy = measure(script)
        pulled = " ".join(f"{k}={v:.2f}" for k, v in sorted(heavy.items(), key=lambda kv: -kv[1]))
        print(f"{script.stem:30s} {total:5.2f} s  {pulled}")


if __name__ == "__main__":
    main()
