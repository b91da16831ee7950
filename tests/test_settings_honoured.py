"""Every figure, table and report setting is honoured: non-default values reach the words.

The table, figure, catalogue, targets and report functions run on the synthetic fixture with
`figures.measure: theil_l`, `targets.default.horizon: 2035`, `figures.map_scheme:
natural_breaks` (seven classes) and a headline list without the income indicator (the
fixture's stand-in for GDHI). Each check reads a label, column name, caption or file name that
used to be fixed whatever the setting. A dry run then builds the real workflow's DAG with
GDHI taken out of `figures.headline`.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import figure_fixtures as fx  # noqa: E402

from localineq.analysis.decomposition_tables import decomposition_summary  # noqa: E402
from localineq.analysis.profile_tables import profile_table  # noqa: E402
from localineq.analysis.uncertainty_tables import uncertainty_table  # noqa: E402
from localineq.config.policy_checks import target_problems  # noqa: E402
from localineq.outputs.codebook import load_codebook, milestone_years_of  # noqa: E402
from localineq.outputs.figure_catalogue import figure_catalogue, figure_stems  # noqa: E402
from localineq.outputs.figures import between_within_shares, localisation_profile  # noqa: E402
from localineq.outputs.report.build import ReportInputs, build_report  # noqa: E402
from localineq.outputs.report.targets import target_figure  # noqa: E402
from localineq.outputs.tables import summary_caption, summary_display  # noqa: E402
from localineq.policy.targets import target_horizon, targets_table  # noqa: E402

MEASURE, LABEL = "theil_l", "MLD"
HORIZON = 2035
SCHEME, CLASSES = "natural_breaks", 7
HEADLINE = ["unemployment"]  # without "income", the fixture's GDHI
TARGETS = {
    "default": {
        **fx.report_config()["targets"]["default"],
        "horizon": HORIZON,
        "baseline": {"fallback": "earliest"},
    },
    "overrides": {},
}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return fx.la_table()


@pytest.fixture(scope="module")
def summary(frame) -> pd.DataFrame:
    fx_measures = fx.MEASURES
    fx.MEASURES = (MEASURE, "gini")
    try:
        decomposition = fx.decomposition(frame)
    finally:
        fx.MEASURES = fx_measures
    uncertainty = uncertainty_table(frame, fx.SPECS, measures=[MEASURE], draws=19, seed=1)
    return decomposition_summary(decomposition, fx.SPECS, uncertainty=uncertainty, measure=MEASURE)


def test_summary_table_names_the_configured_measure(summary):
    display = summary_display(summary)
    assert f"{LABEL}, weighted" in display.columns
    assert not [c for c in display.columns if "Theil" in c]
    caption = summary_caption(MEASURE)
    assert f"({LABEL}, latest period)" in caption and "Theil T" not in caption


def test_share_figures_label_their_axis_with_the_measure(frame, summary):
    fig = between_within_shares(summary)
    assert fig.axes[0].get_xlabel() == f"Share of inequality between areas ({LABEL}), %"
    plt.close(fig)
    profile = profile_table(frame, fx.hierarchy(), fx.SPECS, measure=MEASURE)
    fig = localisation_profile(profile, fx.SPECS)
    assert fig.axes[0].get_xlabel() == f"Share of inequality between areas ({LABEL}), %"
    plt.close(fig)


def test_catalogue_captions_and_stems_follow_measure_scheme_and_headline():
    entries = figure_catalogue(
        fx.SPECS, HEADLINE, measure=MEASURE, map_scheme=SCHEME, map_classes=CLASSES
    )
    by_key = {e.key: e for e in entries}
    for key in ("shares", "trend", "profile", "neighbourhood_profile"):
        assert LABEL in by_key[key].caption and "Theil T" not in by_key[key].caption, key
    assert "(survey indicators only; SIMEX)" in by_key["shares"].caption  # MLD: SIMEX
    variance = figure_catalogue(fx.SPECS, HEADLINE, measure="variance")
    assert "(survey indicators only; closed form)" in variance[0].caption
    map_caption = by_key["map_unemployment"].caption
    assert "seven natural-breaks (Jenks) classes" in map_caption
    assert "quantile" not in map_caption
    assert not [e.stem for e in entries if "income" in e.stem]
    # figures.smk draws exactly the catalogue's stems (plus the deprivation-only LSOA figure)
    assert set(figure_stems(HEADLINE)) == {e.stem for e in entries} | {"lsoa_profile"}


def test_target_column_and_codebook_follow_the_horizon(frame):
    table = targets_table(frame, fx.SPECS, TARGETS)
    assert f"target_{HORIZON}" in table.columns and "target_2030" not in table.columns
    assert target_horizon(table.columns) == HORIZON
    milestones = [int(c.removeprefix("milestone_")) for c in table if c.startswith("milestone_2")]
    assert max(milestones) == HORIZON
    codebook = load_codebook(horizon=HORIZON, milestone_years=milestone_years_of(table.columns))
    la_targets = codebook.table("la_targets")
    assert f"target_{HORIZON}" in la_targets.columns
    assert str(HORIZON) in la_targets.title and "2030" not in la_targets.title
    # every column, the milestone years included, is written as the codebook defines it
    assert list(table.columns) == la_targets.columns
    described = {f.name: f.description for f in la_targets.fields}
    assert f"Milestone value for {HORIZON} " in described[f"milestone_{HORIZON}"]
    assert f"its {HORIZON} target" in target_figure(HORIZON).caption


def test_an_override_with_another_horizon_is_refused():
    # checked once, at start-up (the dry run's case is in test_config_startup.py)
    targets = {**TARGETS, "overrides": {"income": {"horizon": 2040}}}
    assert target_problems(targets) == [
        (
            ("targets", "overrides", "income", "horizon"),
            "2040 differs from targets.default.horizon (2035); la_targets has one target "
            "column, so set the horizon in targets.default only",
        )
    ]


def test_report_words_follow_the_settings(tmp_path, monkeypatch, frame, summary):
    config = fx.report_config()
    config["figures"].update(
        headline_indicator=HEADLINE[0],
        headline=HEADLINE,
        measure=MEASURE,
        map_scheme=SCHEME,
        map_classes=CLASSES,
    )
    config["targets"] = TARGETS
    base = fx.fixture_inputs()
    extra = {**base.extra, "la_targets": targets_table(frame, fx.SPECS, TARGETS)}
    inputs = dataclasses.replace(base, config=config, summary=summary, extra=extra)
    monkeypatch.chdir(tmp_path)
    for entry in figure_catalogue(config["indicators"], HEADLINE, missions=False):
        Path(entry.png).parent.mkdir(parents=True, exist_ok=True)
        fx.write_png(Path(entry.png))
    fx.write_png(Path(target_figure(HORIZON).png))
    assert isinstance(inputs, ReportInputs)
    page = build_report(inputs, report_path="results/report/index.html")
    assert f"{LABEL}, weighted" in page and "Theil T, weighted" not in page
    assert f"({LABEL}, latest period)" in page and "Theil T, latest period" not in page
    assert "seven natural-breaks (Jenks) classes" in page and "quantile classes" not in page
    assert f"its {HORIZON} target" in page and "2030 target" not in page
    assert "map_income" not in page and "map_unemployment.png" in page


def test_notebook_03_takes_its_indicator_from_the_parameters_cell(repo_root):
    notebook = json.loads((repo_root / "notebooks" / "03_geography.ipynb").read_text("utf-8"))
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1 and "headline_indicator = " in "".join(tagged[0]["source"])
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c not in tagged)
    assert "gdhi_per_head" not in code


def test_a_headline_without_gdhi_builds_the_dag(repo_root, tmp_path):
    for name in ("Snakefile", "config", "workflow", "profiles"):
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        elif source.exists():
            shutil.copy2(source, tmp_path / name)
    for name in ("src", "notebooks"):  # read by rules (code inputs, notebooks), never edited
        (tmp_path / name).symlink_to(repo_root / name)
    config = tmp_path / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    for old, new in (
        ("  headline_indicator: gdhi_per_head\n", "  headline_indicator: median_weekly_pay\n"),
        ("  headline: [gdhi_per_head, median_weekly_pay,", "  headline: [median_weekly_pay,"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "snakemake", "-n", "--cores", "1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:] + run.stdout[-3000:]
    assert "gap_map_median_weekly_pay.png" in run.stdout
    assert "figures/map_gdhi_per_head" not in run.stdout
    assert "figures/gap_map_gdhi_per_head" not in run.stdout
