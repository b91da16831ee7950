"""Issue 21: an ELS indicator added through configuration alone.

ELS *average travel time* (public transport or walking, England, 2014-2019) is the project's
mission 3 metric (issue 19). A scratch copy of the workflow first takes it out (its pins, its
unit, its indicator and every mention under ``missions:``) and rebuilds the decomposition,
targets and profile tables without it, which then lack it. It is then added back exactly as
the README recipe "Adding an indicator" says: its data
file and metadata JSON pinned in ``sources.yaml``, a new unit (``minutes``) declared with its
range, the indicator declared. No code changes. The file carries the six pre-2018 LA codes of
``harmonisation.recodes`` (Northumberland, Gateshead and four Hertfordshire districts): without
the recodes the ``indicator`` job stops, and the error is in the job's log; with them the
indicator gets its decomposition, targets and profile rows.

To stay fast, the scratch copy carries the repository's built ``data/`` and ``results/`` with
their modification times, so only jobs the new indicator touches run. The copy has no Snakemake
metadata, hence ``--rerun-triggers mtime``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from localineq.config.check import check_config_file
from localineq.config.yamlfile import ConfigError
from localineq.data.fetch import find_in_mirror, load_catalogue
from localineq.data.metadata import definition_problems, indicator_metadata, read_els_metadata

pytestmark = pytest.mark.integration

KEY = "average_travel_time"
ELS = (
    "https://raw.githubusercontent.com/ONSdigital/explore-local-statistics-data/"
    "4972c588d0c192839afc8fa54ae82cb3dc7721ed/average-travel-time/average-travel-time"
)
# The README recipe's three snippets, indented as they go into the files.
SOURCES = f"""\
  els_average_travel_time:
    url: {ELS}.csv
    sha256: da716822ac407f0dd51c051df3b336341be3e9dd9f3cf581b47eb1123259000e
    bytes: 712449
    publisher: Office for National Statistics (Explore Local Statistics data repository)
    licence: OGL-UK-3.0
    description: 'ELS: average travel time to the nearest employment centre, England, 2014-2019'
    columns: [areacd, areanm, geography, indicator, period, observation, unit, lci_95, uci_95, status]
  els_average_travel_time_metadata:
    url: {ELS}.json
    sha256: 7afdddede283e4d82221cbf9b8b141607aece71531967e64f142889d57e11de3
    bytes: 2019
    publisher: Office for National Statistics (Explore Local Statistics data repository)
    licence: OGL-UK-3.0
    description: 'ELS metadata JSON for els_average_travel_time: label, subtitle, unit, source and caveats'
    columns: [ess-beta-metadata]
"""
UNIT = "  minutes: {min: 0, max: 240, min_inclusive: true}\n"
INDICATOR = f"""\
  {KEY}:
    source: els_average_travel_time
    indicator: Public transport or walk to work
    title: Average travel time to the nearest employment centre by public transport or walking
    mission: Transport
    unit: minutes
    higher_is_better: false
    weight: working_age
    weight_note: a journey to work; residents aged 16-64 stand in for the people making it
    nations: [E]
"""
RECODED = ["E06000048", "E07000097", "E07000100", "E07000101", "E07000104", "E08000020"]
PREPARED = f"data/processed/indicators/{KEY}.parquet"
TARGETS = [
    f"data/processed/decomposition/{KEY}.csv",
    "results/tables/decomposition.csv",
    "results/tables/la_targets.csv",
    "results/tables/profile.csv",
]


def insert_after(path: Path, line: str, text: str) -> None:
    """Insert ``text`` after the first line of ``path`` equal to ``line``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, value in enumerate(lines) if value.rstrip("\n") == line)
    path.write_text("".join(lines[: at + 1]) + text + "".join(lines[at + 1 :]), encoding="utf-8")


def snakemake(folder: Path, mirror: Path, *targets: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", *targets, "--cores", "2"]
    command += ["--rerun-triggers", "mtime", "--config", f"mirror={mirror}"]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=3000)


def drop_block(text: str, first: str, indent: str) -> str:
    """``text`` without the line ``first`` and the lines after it indented deeper than ``indent``."""
    lines = text.splitlines(keepends=True)
    at = lines.index(first)
    end = at + 1
    while end < len(lines) and (
        lines[end].startswith(indent + " ") and not lines[end].startswith(indent + "- ")
    ):
        end += 1
    return "".join(lines[:at] + lines[end:])


def remove_travel_time(folder: Path) -> None:
    """Take every trace of the indicator out of the copy's configuration."""
    catalogue = folder / "config" / "sources.yaml"
    text = catalogue.read_text(encoding="utf-8")
    for key in ("els_average_travel_time", "els_average_travel_time_metadata"):
        text = drop_block(text, f"  {key}:\n", "  ")
    catalogue.write_text(text, encoding="utf-8")
    config = folder / "config" / "config.yaml"
    text = drop_block(config.read_text(encoding="utf-8"), f"  {KEY}:\n", "  ")
    text = drop_block(text, "    - number: 3\n", "    ")
    lines = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("  minutes:", f"    {KEY}:", f"    - {KEY}\n"))
    ]
    config.write_text("".join(lines), encoding="utf-8")


@pytest.fixture(scope="module")
def scratch(repo_root, mirror, tmp_path_factory) -> Path:
    """A copy of the built workflow without average travel time, then with it added back."""
    # The repository's own tables (a no-op when it is built), then a copy of it.
    built = snakemake(repo_root, mirror, *TARGETS[1:])
    assert built.returncode == 0, built.stderr[-4000:]
    folder = tmp_path_factory.mktemp("scratch")
    for name in ("Snakefile", "environment.yml", "config", "workflow", "src", "data", "results"):
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, folder / name, symlinks=True)  # copy2 keeps mtimes
        else:
            shutil.copy2(source, folder / name)
    remove_travel_time(folder)
    text = (folder / "config" / "config.yaml").read_text(encoding="utf-8")
    assert KEY not in text and "els_average_travel_time" not in text
    for path in [*folder.glob(f"data/processed/*/{KEY}.*"), *folder.glob(f"data/processed/{KEY}*")]:
        path.unlink()
    # Rebuilt without it (config edits alone do not rerun under mtime triggers).
    forced = ["--forcerun", "indicator_tables", "la_targets", "latest_decompositions"]
    without = snakemake(folder, mirror, *TARGETS[1:], *forced)
    assert without.returncode == 0, without.stderr[-4000:]
    for table in TARGETS[1:]:
        assert KEY not in set(_read(folder / table)["indicator"]), table
    with (folder / "config" / "sources.yaml").open("a", encoding="utf-8") as catalogue:
        catalogue.write(SOURCES)
    config = folder / "config" / "config.yaml"
    insert_after(config, "units:", UNIT)
    insert_after(config, "indicators:", INDICATOR)
    return folder


@pytest.fixture(scope="module")
def runs(scratch, mirror) -> dict[str, object]:
    """First without the recodes (must fail, in the log), then as configured (timed)."""
    config = scratch / "config" / "config.yaml"
    shipped = config.read_text(encoding="utf-8")
    kept = [
        line
        for line in shipped.splitlines(keepends=True)
        if not any(line.startswith(f"    {code}: ") for code in RECODED)
    ]
    config.write_text("".join(kept).replace("  recodes:\n", "  recodes: {}\n"), encoding="utf-8")
    log = scratch / "logs" / "indicator" / f"{KEY}.log"
    failed = snakemake(scratch, mirror, PREPARED)
    failed_log = log.read_text(encoding="utf-8") if log.exists() else ""
    config.write_text(shipped, encoding="utf-8")
    log.unlink(missing_ok=True)
    start = time.perf_counter()
    run = snakemake(scratch, mirror, *TARGETS)
    seconds = time.perf_counter() - start
    print(f"\nadding {KEY}: {seconds:.0f} s for {', '.join(TARGETS)}, exit {run.returncode}")
    run_log = log.read_text(encoding="utf-8") if log.exists() else ""
    return {"failed": failed, "failed_log": failed_log, "run": run, "run_log": run_log}


def require_built(runs) -> None:
    """Inside a test (not a fixture), so that an expected failure counts as one."""
    assert runs["run"].returncode == 0, runs["run_log"][-3000:] or runs["run"].stderr[-3000:]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"area_code": str, "period": str})


def test_the_configuration_check_accepts_it_and_names_an_undeclared_unit(scratch, tmp_path):
    schema = scratch / "workflow" / "schemas" / "config.schema.yaml"
    catalogue = list(load_catalogue(scratch / "config" / "sources.yaml"))
    config = check_config_file(scratch / "config" / "config.yaml", schema, catalogue)
    assert config["indicators"][KEY]["unit"] in config["units"]
    text = (scratch / "config" / "config.yaml").read_text(encoding="utf-8")
    undeclared = tmp_path / "config.yaml"
    undeclared.write_text(text.replace(UNIT, ""), encoding="utf-8")
    line = text.replace(UNIT, "").splitlines().index("    unit: minutes") + 1
    with pytest.raises(ConfigError, match=rf"line {line}: indicators\.{KEY}\.unit: 'minutes'"):
        check_config_file(undeclared, schema, catalogue)


def test_its_metadata_is_pinned_and_agrees_with_the_configured_title_and_unit(scratch, mirror):
    catalogue = load_catalogue(scratch / "config" / "sources.yaml")
    spec = yaml.safe_load((scratch / "config" / "config.yaml").read_text())["indicators"][KEY]
    path = find_in_mirror(catalogue[f"{spec['source']}_metadata"], mirror)
    assert path is not None
    meta = indicator_metadata(read_els_metadata(path), spec["indicator"])
    assert "minutes" in meta["subtitle"] and "minutes" in spec["unit"]
    assert definition_problems(spec["title"], spec["unit"], meta) == []


def test_without_the_recodes_the_harmonisation_error_is_in_the_jobs_log(runs):
    assert runs["failed"].returncode != 0
    log = runs["failed_log"]
    assert "HarmonisationError" in log and "harmonisation.recodes" in log
    assert all(code in log for code in RECODED), log[-2000:]


def test_with_the_recodes_the_run_succeeds(runs):
    require_built(runs)
    assert "harmonisation" in runs["run_log"]  # the job logged its rules, no error


def test_the_six_old_codes_are_put_onto_lad23(scratch, runs):
    require_built(runs)
    report = _read(scratch / "data" / "processed" / "harmonisation" / f"{KEY}.csv")
    used = report[report["rule"].isin(["rename", "superseded"])]
    constituents = {c for cell in used["constituents"].astype(str) for c in cell.split(",")}
    assert set(RECODED) <= constituents | set(used["area_code"])
    rows = pd.read_parquet(scratch / PREPARED)
    assert not set(RECODED) & set(rows["area_code"])


def test_it_gets_a_decomposition(scratch, runs, repo_root):
    require_built(runs)
    hierarchy = pd.read_parquet(scratch / "data" / "processed" / "lad23_hierarchy.parquet")
    english = int(hierarchy["area_code"].str.startswith("E").sum())
    table = _read(scratch / "results" / "tables" / "decomposition.csv")
    ours = table[table["indicator"] == KEY]
    assert sorted(ours["period"].unique()) == [
        f"{y}-01-01/P1Y" for y in (2014, 2015, 2016, 2017, 2019)
    ]
    assert (ours["n_areas"] + ours["n_missing"] == english).all()
    additive = ours[ours["measure"].isin(["theil_t", "theil_l", "variance"])]
    assert not additive.empty
    np.testing.assert_allclose(
        additive["between"] + additive["within"], additive["total"], rtol=1e-9, atol=1e-15
    )
    assert ours["between_share"].between(0, 1).all()
    # the other indicators' rows are those of the repository's own table
    before = _read(repo_root / "results" / "tables" / "decomposition.csv")
    before = before[before["indicator"] != KEY].reset_index(drop=True)
    others = table[table["indicator"] != KEY].reset_index(drop=True)
    pd.testing.assert_frame_equal(others, before)


def test_it_gets_targets_for_every_english_authority(scratch, runs):
    require_built(runs)
    hierarchy = pd.read_parquet(scratch / "data" / "processed" / "lad23_hierarchy.parquet")
    english = set(hierarchy.loc[hierarchy["area_code"].str.startswith("E"), "area_code"])
    targets = _read(scratch / "results" / "tables" / "la_targets.csv")
    ours = targets[targets["indicator"] == KEY]
    assert english <= set(ours["area_code"]) and not ours["area_code"].duplicated().any()
    # only England is published: elsewhere there is no baseline to set a target from
    assert set(ours.dropna(subset=["baseline"])["area_code"]) <= english
    assert not ours["higher_is_better"].astype(bool).any()
    # The series ends in 2019, before the White Paper (February 2022): its baseline would be
    # its latest period, so there is no change to judge yet and every area says so.
    assert ours["baseline_period"].isna().all() and (ours["status"] == "no_data").all()
    latest = pd.read_parquet(scratch / PREPARED)
    latest = latest[latest["period"] == latest["period"].max()].set_index("area_code")["value"]
    shown = ours.set_index("area_code")["latest"].reindex(latest.index)
    pd.testing.assert_series_equal(shown, latest, check_names=False)


def test_it_gets_profile_rows_whose_shares_add_up(scratch, runs):
    require_built(runs)
    profile = _read(scratch / "results" / "tables" / "profile.csv")
    ours = profile[profile["indicator"] == KEY]
    assert not ours.empty
    for _, part in ours.groupby(["period", "measure", "weighting"]):
        assert part["share"].sum() == pytest.approx(1.0, rel=1e-9)
        np.testing.assert_allclose(part["value"].sum(), part["total"].iloc[0], rtol=1e-9)
