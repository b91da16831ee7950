"""Indicator definitions against the publisher's own metadata (ELS metadata JSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from localineq.data.fetch import find_in_mirror, load_catalogue
from localineq.data.metadata import (
    ages_in,
    definition_problems,
    indicator_metadata,
    read_els_metadata,
)

REPO = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
CATALOGUE = load_catalogue(REPO / "config" / "sources.yaml")


def test_reads_single_and_multi_indicator_files(tmp_path):
    single = tmp_path / "a.json"
    single.write_text(json.dumps({"ess-beta-metadata": {"label": "A", "subtitle": "by age 19"}}))
    assert indicator_metadata(read_els_metadata(single), "A")["subtitle"] == "by age 19"
    multi = tmp_path / "b.json"
    multi.write_text(
        json.dumps(
            {
                "_note": "x",
                "ess-beta-metadata": {
                    "shared": {"suffix": "%"},
                    "B": {"label": "B", "subtitle": "aged 16 to 64"},
                },
            }
        )
    )
    meta = indicator_metadata(read_els_metadata(multi), "B")
    assert meta["suffix"] == "%" and ages_in(meta["subtitle"]) == {"16", "64"}
    with pytest.raises(KeyError, match="not in the metadata"):
        indicator_metadata(read_els_metadata(multi), "C")


def test_a_drifted_title_or_unit_is_caught():
    meta = {"subtitle": "Percentage of people aged 16 to 64 in employment", "suffix": "%"}
    assert definition_problems("Employment rate, aged 16-64", "%", meta) == []
    assert len(definition_problems("Employment rate", "%", meta)) == 2  # 16 and 64 missing
    assert definition_problems("Employment rate, aged 16-64", "ratio", meta) == [
        "metadata unit is '%'; configured unit is 'ratio'"
    ]


def test_every_els_indicator_has_its_metadata_pinned():
    for key, spec in CONFIG["indicators"].items():
        source = spec["source"]
        if source.startswith("els_"):
            assert f"{source}_metadata" in CATALOGUE, (
                f"indicator {key!r}: pin the ELS metadata JSON beside its data file as source "
                f"'{source}_metadata' in config/sources.yaml (README, 'Adding an indicator')"
            )


@pytest.mark.integration
def test_configured_titles_and_units_match_the_els_metadata(mirror):
    """Every configured title names the ages of the publisher's subtitle, and every unit is
    the metadata's unit, where the pinned metadata says so."""
    checked, problems = 0, {}
    for key, spec in CONFIG["indicators"].items():
        source = CATALOGUE.get(f"{spec['source']}_metadata")
        if source is None:
            continue
        path = find_in_mirror(source, mirror)
        assert path is not None, f"{source.filename} not in the mirror"
        meta = indicator_metadata(read_els_metadata(path), spec["indicator"])
        found = definition_problems(spec["title"], spec["unit"], meta)
        if found:
            problems[key] = found
        checked += 1
    assert checked == len(CONFIG["indicators"])
    assert problems == {}


@pytest.mark.integration
def test_gcse_indicator_is_attainment_by_age_19(mirror):
    spec = CONFIG["indicators"]["gcse_english_maths"]
    path = find_in_mirror(CATALOGUE["els_gcse_english_maths_metadata"], mirror)
    meta = indicator_metadata(read_els_metadata(path), spec["indicator"])
    assert "by age 19" in meta["subtitle"]
    assert "age 19" in spec["title"]
    assert "age 19" in CATALOGUE["els_gcse_english_maths"].description
    assert "grade 4" not in spec["title"].lower()
