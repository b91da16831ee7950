"""Start-up work remembered between invocations never hides a change (issue 22).

The memos (localineq.config.startup_memo) let a no-op run skip re-hashing raw files and
re-checking the configuration. Each test here changes one input the way a user could (an edit
that keeps the modification time, a new command-line value, an edited catalogue, a corrupt
memo) and checks that the work is done again, and that a mistake is still refused.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest
import yaml

from localineq.config import check
from localineq.config.check import load_workflow_config, merge_overrides
from localineq.config.startup_memo import DigestCache, identity_key, remembered
from localineq.config.yamlfile import ConfigError

SCHEMA = "workflow/schemas/config.schema.yaml"


def sha256_file(path: Path) -> str:
    """The truth the memo must agree with: hashlib over the file's bytes, read now."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# File times advance in clock ticks (a few ms); a test that edits a file right after hashing
# it waits longer than a tick, as any real edit does.
TICK_S = 0.05


def _old_ctime_cache(tmp_path: Path) -> DigestCache:
    """A cache that remembers files changed just now (the racy-time rule switched off)."""
    return DigestCache(tmp_path / "memo" / "sha256.json", racy_ns=0)


def test_digest_is_recalled_for_an_unchanged_file(tmp_path):
    target = tmp_path / "raw.csv"
    target.write_bytes(b"a,b\n1,2\n")
    first = _old_ctime_cache(tmp_path)
    digest = first.sha256(target)
    first.save()
    second = _old_ctime_cache(tmp_path)
    assert second.sha256(target) == digest == sha256_file(target)
    assert second.hashed == []  # recalled, not read


def test_an_edit_that_keeps_size_and_mtime_is_hashed_again(tmp_path):
    target = tmp_path / "raw.csv"
    target.write_bytes(b"a,b\n1,2\n")
    stat = target.stat()
    first = _old_ctime_cache(tmp_path)
    old = first.sha256(target)
    first.save()
    time.sleep(TICK_S)
    target.write_bytes(b"a,b\n1,3\n")  # same size
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the old mtime
    second = _old_ctime_cache(tmp_path)
    assert second.sha256(target) == sha256_file(target) != old
    assert second.hashed == [str(target)]


def test_a_file_changed_just_now_is_not_remembered(tmp_path):
    target = tmp_path / "raw.csv"
    target.write_bytes(b"fresh\n")
    first = DigestCache(tmp_path / "memo" / "sha256.json")  # the default racy-time rule
    first.sha256(target)
    first.save()
    second = DigestCache(tmp_path / "memo" / "sha256.json")
    second.sha256(target)
    assert second.hashed == [str(target)]


@pytest.mark.parametrize("content", [b"", b"not json", b'{"format": 1, "files": 3}'])
def test_an_unreadable_digest_memo_is_a_miss(tmp_path, content):
    target = tmp_path / "raw.csv"
    target.write_bytes(b"x\n")
    memo = tmp_path / "memo" / "sha256.json"
    memo.parent.mkdir()
    memo.write_bytes(content)
    cache = DigestCache(memo, racy_ns=0)
    assert cache.sha256(target) == sha256_file(target)
    assert cache.hashed == [str(target)]


def test_remembered_recomputes_when_a_recorded_file_changes(tmp_path):
    dependency = tmp_path / "catalogue.yaml"
    dependency.write_text("a: 1\n")
    calls = []

    def compute():
        calls.append(1)
        return yaml.safe_load(dependency.read_text()), [dependency]

    assert remembered("x", "key", compute, tmp_path) == {"a": 1}
    assert remembered("x", "key", compute, tmp_path) == {"a": 1}
    assert len(calls) == 1
    dependency.write_text("a: 2\n")
    assert remembered("x", "key", compute, tmp_path) == {"a": 2}
    assert remembered("x", "other key", compute, tmp_path) == {"a": 2}
    assert len(calls) == 3
    assert remembered("x", None, compute, tmp_path) == {"a": 2}  # no key: always computed
    assert len(calls) == 4


def test_a_failing_computation_is_never_remembered(tmp_path):
    def fail():
        raise ValueError("refused")

    for _ in range(2):
        with pytest.raises(ValueError, match="refused"):
            remembered("x", "key", fail, tmp_path)
    assert not (tmp_path / "x.pickle").exists()


def test_a_corrupt_value_memo_is_a_miss(tmp_path):
    (tmp_path / "x.pickle").write_bytes(b"\x80\x05truncated")
    assert remembered("x", "key", lambda: (42, []), tmp_path) == 42


def test_identity_key_refuses_files_changed_within_the_racy_time(tmp_path):
    target = tmp_path / "m.py"
    target.write_text("x = 1\n")
    assert identity_key([target]) is None
    assert identity_key([target], racy_ns=0) is not None
    before = identity_key([target], racy_ns=0)
    time.sleep(TICK_S)
    target.write_text("x = 2\n")
    assert identity_key([target], racy_ns=0) != before


def test_overrides_keep_the_file_order():
    file_config = {"indicators": {"a": {"title": "A", "unit": "gbp"}, "b": {"title": "B"}}}
    merged = merge_overrides(copy.deepcopy(file_config), {"indicators": {"b": {"title": "B2"}}})
    assert list(merged["indicators"]) == ["a", "b"]
    assert merged["indicators"]["b"] == {"title": "B2"}
    assert merged["indicators"]["a"] == file_config["indicators"]["a"]


@pytest.fixture
def config_copy(repo_root, tmp_path, monkeypatch):
    """The shipped configuration, schema and catalogue in a scratch folder (the cwd)."""
    for name in ("config", "workflow/schemas"):
        shutil.copytree(repo_root / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _load(overrides=None, **kwargs):
    return load_workflow_config(
        "config/config.yaml", SCHEMA, overrides or {}, memo_dir=".memo", **kwargs
    )


def test_the_checked_config_equals_snakemakes_own_merge(config_copy):
    """Same values as `configfile:` + `--config` + schema defaults (Snakemake's own code)."""
    from snakemake.common.configfile import load_configfile
    from snakemake.utils import update_config, validate

    shipped = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))
    last = list(shipped["indicators"])[-1]
    overrides = {"mirror": "/somewhere", "figures": {"headline_indicator": last}}
    expected = copy.deepcopy(overrides)
    update_config(expected, load_configfile("config/config.yaml"))
    update_config(expected, overrides)
    validate(expected, SCHEMA, set_default=True)
    assert _load(overrides) == expected
    assert _load(overrides) == expected  # recalled


def test_a_memo_hit_skips_the_checks_and_a_mistake_is_still_refused(config_copy, monkeypatch):
    good = _load()

    def must_not_run(*args, **kwargs):
        raise AssertionError("the file was checked again")

    monkeypatch.setattr(check, "check_config_file", must_not_run)
    assert _load() == good
    monkeypatch.undo()
    monkeypatch.chdir(config_copy)
    path = config_copy / "config" / "config.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  map_scheme: quantiles", "  map_schem: quantiles"))
    with pytest.raises(ConfigError, match="map_schem"):
        _load()
    with pytest.raises(ConfigError, match="map_schem"):  # failures are not remembered
        _load()


def test_new_command_line_values_are_checked(config_copy):
    _load()
    with pytest.raises(ConfigError, match="headline_indicator"):
        _load({"figures": {"headline_indicator": "no_such_indicator"}})


def test_an_edited_catalogue_is_checked_again(config_copy):
    _load()
    catalogue_path = config_copy / "config" / "sources.yaml"
    catalogue = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    used = _load()["indicators"]["gdhi_per_head"]["source"]
    del catalogue["sources"][used]
    catalogue_path.write_text(yaml.safe_dump(catalogue), encoding="utf-8")
    with pytest.raises(ConfigError, match=used):
        _load()


def test_a_dry_run_after_a_successful_one_still_refuses_a_mistake(
    dry_run, workflow_copy, repo_root
):
    for name in ("src", "notebooks"):  # the rules' code and notebook inputs
        shutil.copytree(repo_root / name, workflow_copy / name)
    first = dry_run(workflow_copy)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (workflow_copy / ".snakemake" / "localineq" / "config.pickle").is_file()
    path = workflow_copy / "config" / "config.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = lines.index("  map_scheme: quantiles")
    lines[number] = "  map_schem: quantiles"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = dry_run(workflow_copy)
    assert second.returncode != 0
    assert "figures.map_schem: unknown key 'map_schem'" in second.stdout + second.stderr
    assert f"line {number + 1}" in second.stdout + second.stderr


def test_replace_workflow_config_ignores_the_file(config_copy):
    """--replace-workflow-config: the command line's config alone (checked, defaults filled)."""
    shipped = yaml.safe_load(Path("config/config.yaml").read_text(encoding="utf-8"))
    elsewhere = yaml.safe_dump({k: v for k, v in shipped.items() if k != "indicators"})
    dropped = next(k for k in reversed(list(shipped["indicators"])) if k not in elsewhere)
    given = copy.deepcopy(shipped)
    del given["indicators"][dropped]
    assert dropped not in _load(given, replace=True)["indicators"]
    assert dropped in _load(given)["indicators"]  # without the flag, the file's is kept
