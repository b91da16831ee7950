"""The pipeline benchmark's raw-parse floor reads every pinned source (benchmarks/pipeline.py).

A source added to ``config/sources.yaml`` without a reader in the floor would make the
benchmark stop (or, worse, measure a smaller floor than the pipeline parses): this runs the
floor's reader on every raw file of the built repository.
"""

from __future__ import annotations

import importlib.util

import yaml


def _benchmark(repo_root):
    spec = importlib.util.spec_from_file_location(
        "bench_pipeline", repo_root / "benchmarks" / "pipeline.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_floor_reads_every_pinned_source(repo_root, mirror):
    seconds = _benchmark(repo_root).read_all_raw(repo_root)
    pinned = yaml.safe_load((repo_root / "config" / "sources.yaml").read_text(encoding="utf-8"))
    assert set(seconds) == set(pinned["sources"])
    assert all(s > 0 for s in seconds.values())
