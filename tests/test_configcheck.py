"""Start-up config checks: names refer to real sources and indicators; YAML errors name lines."""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml

from localineq.config.check import check_config
from localineq.config.yamlfile import ConfigError, load_yaml
from localineq.data.fetch import load_catalogue


@pytest.fixture(scope="module")
def real(repo_root):
    config = yaml.safe_load((repo_root / "config" / "config.yaml").read_text())
    return config, load_catalogue(repo_root / "config" / "sources.yaml")


def test_the_shipped_config_passes(real):
    config, catalogue = real
    check_config(config, catalogue)


def refused(config, catalogue) -> str:
    with pytest.raises(ConfigError) as err:
        check_config(config, catalogue)
    return str(err.value)


def test_misspelt_source_is_named_with_the_known_sources(real):
    config, catalogue = copy.deepcopy(real[0]), real[1]
    config["indicators"]["gigabit_broadband"]["source"] = "els_gigabit_brodband"
    message = refused(config, catalogue)
    assert message.startswith("config/config.yaml: 1 problem(s)")
    assert "indicators.gigabit_broadband.source: 'els_gigabit_brodband' is not a source" in message
    assert "Known sources (config/sources.yaml): " in message and "els_gigabit_broadband" in message


def test_misspelt_indicator_references_are_all_listed(real):
    config, catalogue = copy.deepcopy(real[0]), real[1]
    config["figures"]["headline_indicator"] = "gdhi_per_haed"
    config["figures"]["headline"][1] = "median_pay"
    config["harmonisation"]["changes"] = "la_code_change"
    message = refused(config, catalogue)
    assert "3 problem(s)" in message
    assert "figures.headline_indicator: 'gdhi_per_haed' is not a configured indicator" in message
    assert "figures.headline[1]: 'median_pay' is not a configured indicator" in message
    assert "harmonisation.changes: 'la_code_change' is not a source" in message
    assert "Known indicators" in message and "gdhi_per_head" in message


def test_future_sections_naming_indicators_are_checked(real):
    config, catalogue = copy.deepcopy(real[0]), real[1]
    config["missions"] = {"pay": {"indicator": "median_weekly_pay", "indicators": ["nope"]}}
    assert "missions.pay.indicators[0]: 'nope'" in refused(config, catalogue)


@pytest.mark.parametrize("key", ["draws", "permutations"])
def test_zero_replicates_are_refused(real, repo_root, key):
    config, catalogue = copy.deepcopy(real[0]), real[1]
    config["figures"]["uncertainty"][key] = 0
    assert f"figures.uncertainty.{key}: 0 replicates" in refused(config, catalogue)
    schema = yaml.safe_load((repo_root / "workflow/schemas/config.schema.yaml").read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, schema)


def test_figure_measure_must_be_computed(real):
    config, catalogue = copy.deepcopy(real[0]), real[1]
    config["figures"]["measure"] = "gini"
    config["analysis"]["measures"] = ["theil_t"]
    assert "figures.measure: 'gini' is not one of analysis.measures" in refused(config, catalogue)


def test_yaml_syntax_error_names_line_and_column(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("mirror: null\nfigures:\n  headline: [a, b\n  top_n: 5\n")
    with pytest.raises(ConfigError) as err:
        load_yaml(path)
    message = str(err.value)
    assert str(path) in message and "line 4, column" in message
    assert "began on line 3" in message and "top_n: 5" in message


def test_indentation_error_names_the_line(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("a: 1\n b: 2\nc: 3\n")
    with pytest.raises(ConfigError, match=r"line 2, column 3"):
        load_yaml(path)


def test_prices_block_must_name_a_source_and_configured_indicators():
    """Issue 20: the CPI source and the money indicators are checked like any other name."""
    cfg = {
        "sources": "config/sources.yaml",
        "indicators": {"pay": {"source": "els_pay", "weight": "population"}},
        "prices": {"source": "cpi", "base_year": "latest", "money": ["pay"]},
    }
    check_config(cfg, ["els_pay", "cpi"])
    cfg["prices"] = {"source": "cpo", "base_year": "latest", "money": ["pya"]}
    with pytest.raises(ConfigError) as err:
        check_config(cfg, ["els_pay", "cpi"])
    assert "prices.source: 'cpo' is not a source" in str(err.value)
    assert "prices.money[0]: 'pya' is not a configured indicator" in str(err.value)
