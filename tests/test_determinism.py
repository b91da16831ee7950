"""Reruns give byte-identical figures and tables (fixed metadata, SVG hash salt, seeds)."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from figure_fixtures import SPECS, boundaries, decomposition, la_table  # noqa: E402

from localineq.analysis import area_tables, decomposition_tables, uncertainty_tables  # noqa: E402
from localineq.outputs import figures, maps, tables  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render_all(folder: Path) -> dict[str, str]:
    """Draw one of each kind of figure into ``folder``; return file → sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    frame = la_table()
    latest = frame[frame["period"] == "2022-01-01/P1Y"]
    summary = decomposition_tables.decomposition_summary(
        decomposition(frame),
        SPECS,
        uncertainty=uncertainty_tables.uncertainty_table(frame, SPECS, draws=29, seed=5),
    )
    lad, regions = boundaries()
    income = latest[latest["indicator"] == "income"]
    drawn = {
        "dotplot": figures.dotplot_by_region(income, title="Income", unit="£", period_label="2022"),
        "shares": figures.between_within_shares(summary),
        "trend": figures.within_share_trend(decomposition(frame), SPECS),
        "map": maps.choropleth(
            lad,
            regions,
            income,
            title="Income",
            unit="£",
            higher_is_better=True,
            period_label="2022",
        ),
        "gap": maps.gap_map(
            lad,
            regions,
            area_tables.regional_gaps(income),
            title="Income",
            unit="£",
            higher_is_better=True,
            period_label="2022",
        ),
    }
    for name, fig in drawn.items():
        figures.save_figure(fig, folder / f"{name}.png", folder / f"{name}.svg")
    return {p.name: digest(p) for p in sorted(folder.iterdir())}


def test_figures_are_byte_identical_across_renders(tmp_path):
    first = render_all(tmp_path / "one")
    second = render_all(tmp_path / "two")
    assert len(first) == 10
    assert first == second


def test_tables_are_byte_identical_across_runs(tmp_path):
    frame = la_table()
    source = tmp_path / "la.csv"
    frame.to_csv(source, index=False)
    names = ["summary_csv", "summary_md", "summary_tex", "masked_csv", "masked_md"]
    names += ["top_bottom_csv", "top_bottom_md"]
    hashes = []
    for run in ("a", "b"):
        outputs = {n: str(tmp_path / f"{run}_{n}") for n in names}
        tables.write_result_tables(
            decomposition=decomposition(frame),
            uncertainty=uncertainty_tables.uncertainty_table(
                frame, SPECS, draws=29, seed=11, permutations=29
            ),
            indicator_tables=[str(source)],
            specs=SPECS,
            outputs=outputs,
        )
        hashes.append([digest(Path(outputs[n])) for n in names])
    assert hashes[0] == hashes[1]


FIGURE = REPO_ROOT / "results" / "figures" / "between_within_shares.png"
SUMMARY = REPO_ROOT / "results" / "tables" / "summary.csv"


@pytest.mark.integration
@pytest.mark.skipif(not (FIGURE.exists() and SUMMARY.exists()), reason="pipeline outputs absent")
def test_pipeline_figure_reproduces_byte_for_byte(tmp_path):
    """Redraw a real pipeline figure from its real input table: identical bytes.

    Only meaningful when the figure is newer than the code that draws it.
    """
    code = REPO_ROOT / "src" / "localineq" / "outputs" / "figures.py"
    if FIGURE.stat().st_mtime < code.stat().st_mtime:
        pytest.skip("figure is older than figures.py; rerun the pipeline first")
    summary = pd.read_csv(SUMMARY)
    figures.save_figure(
        figures.between_within_shares(summary), tmp_path / "x.png", tmp_path / "x.svg"
    )
    assert digest(tmp_path / "x.png") == digest(FIGURE)
    assert digest(tmp_path / "x.svg") == digest(FIGURE.with_suffix(".svg"))
