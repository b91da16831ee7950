"""Issue 23, faults 4-6: the catalogue's file names, URLs and column declarations are checked,
the mirror is searched for literal names inside it only, and a file missing from the mirror
is reported as such."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path

import pytest
import yaml

from localineq.data.fetch import (
    MAX_FILENAME_CHARS,
    FetchError,
    Source,
    ensure,
    find_in_mirror,
    load_catalogue,
)

PAYLOAD = b"areacd,value\nE06000001,1\n"
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def entry(**changes) -> dict:
    base = {
        "url": "https://example.org/data/demo.csv",
        "sha256": SHA,
        "bytes": len(PAYLOAD),
        "publisher": "P",
        "licence": "OGL-UK-3.0",
        "description": "demo",
        "columns": ["areacd", "value"],
    }
    return {k: v for k, v in (base | changes).items() if v is not ...}


def catalogue_file(tmp_path: Path, **changes) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": {"demo": entry(**changes)}}), encoding="utf-8")
    return path


def test_a_valid_entry_loads_with_its_columns(tmp_path):
    source = load_catalogue(catalogue_file(tmp_path))["demo"]
    assert source.filename == "demo.csv" and source.columns == ("areacd", "value")


def test_every_source_of_the_real_catalogue_declares_columns(repo_root):
    catalogue = load_catalogue(repo_root / "config" / "sources.yaml")
    assert all(source.columns for source in catalogue.values())
    employment = catalogue["els_employment_rate"].columns
    assert {"lci_95", "uci_95"} <= set(employment)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"columns": ...}, r"lacks `columns`.*lci_95 and uci_95"),
        ({"columns": []}, r"`columns` must be a non-empty list"),
        ({"columns": "areacd"}, r"`columns` must be a non-empty list"),
        ({"columns": ["a", "a"]}, r"lists \['a'\] more than once"),
    ],
)
def test_column_declaration_is_required_and_well_formed(tmp_path, changes, expected):
    with pytest.raises(ValueError, match=r"source 'demo'.*" + expected):
        load_catalogue(catalogue_file(tmp_path, **changes))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # the audit's probes: a folder part escaping data/raw and the mirror ...
        ({"filename": "../escaped.csv"}, r"`filename` '\.\./escaped\.csv' contains '/'"),
        ({"filename": "..\\escaped.csv"}, r"contains '\\\\'"),
        # ... a wildcard that matched any mirror file ...
        ({"filename": "*"}, r"`filename` '\*' contains the wildcard '\*'"),
        ({"filename": "data[12].csv"}, r"contains the wildcard '\['"),
        # ... a URL ending in /.. whose file name is '..' ...
        ({"url": "https://example.org/data/.."}, r"file name taken from `url` '\.\.' is a folder"),
        # ... and a file name too long for the file system (ENAMETOOLONG)
        (
            {"url": "https://example.org/" + "a" * 296 + ".csv"},
            rf"has 300 characters, more than the limit of {MAX_FILENAME_CHARS}",
        ),
        ({"filename": "bad\nname.csv"}, r"contains the control character '\\n'"),
        ({"filename": ".hidden.csv"}, r"starts with '\.'"),
        ({"url": "http://example.org/demo.csv"}, r"`url` .* is not an https:// URL"),
        ({"url": "https://example.org/a b.csv"}, r"`url` .* contains a space"),
    ],
)
def test_file_names_and_urls_are_refused_with_a_clear_error(tmp_path, changes, expected):
    with pytest.raises(ValueError, match=r"sources\.yaml: source 'demo': .*" + expected):
        load_catalogue(catalogue_file(tmp_path, **changes))


def test_a_source_with_a_path_as_file_name_cannot_be_built():
    """ensure() and find_in_mirror take Source records; none can hold '../x' or '*'."""
    good = Source("demo", None, SHA, "P", "L", "d", "demo.csv")
    for name in ("../outside.csv", "*", "..", "a/b.csv"):
        with pytest.raises(ValueError, match="source 'demo': file name"):
            dataclasses.replace(good, filename=name)


def _forced(source: Source, filename: str) -> Source:
    """A Source whose file name was altered after validation (as a caller might)."""
    object.__setattr__(source, "filename", filename)
    return source


def test_find_in_mirror_never_leaves_the_mirror(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (tmp_path / "outside.csv").write_bytes(PAYLOAD)  # right hash, outside the mirror
    source = _forced(Source("demo", None, SHA, "P", "L", "d", "demo.csv"), "../outside.csv")
    with pytest.raises(FetchError, match="contains '/'"):
        find_in_mirror(source, mirror)
    # a symbolic link inside the mirror pointing outside it is not followed either
    (mirror / "demo.csv").symlink_to(tmp_path / "outside.csv")
    clean = Source("demo", None, SHA, "P", "L", "d", "demo.csv")
    assert find_in_mirror(clean, mirror) is None


def test_find_in_mirror_matches_literal_names_only(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "sub").mkdir(parents=True)
    (mirror / "sub" / "other.csv").write_bytes(PAYLOAD)  # right hash, other name
    star = _forced(Source("demo", None, SHA, "P", "L", "d", "demo.csv"), "*")
    with pytest.raises(FetchError, match="wildcard"):
        find_in_mirror(star, mirror)
    assert find_in_mirror(Source("demo", None, SHA, "P", "L", "d", "demo.csv"), mirror) is None
    (mirror / "sub" / "demo.csv").write_bytes(PAYLOAD)
    hit = find_in_mirror(Source("demo", None, SHA, "P", "L", "d", "demo.csv"), mirror)
    assert hit == mirror / "sub" / "demo.csv"


def test_a_file_missing_from_the_mirror_is_named_with_the_path_looked_for(tmp_path):
    """Fault 4: an empty mirror was reported as 'no network?'."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    source = Source(
        "demo", "https://nonexistent.invalid/demo.csv", SHA, "P", "L", "d", "demo.csv",
        bytes=len(PAYLOAD),
    )  # fmt: skip
    with pytest.raises(FetchError) as err:
        ensure(source, tmp_path / "raw" / "demo.csv", tmp_path / "raw" / "p.json", mirror)
    message = str(err.value)
    assert "not in the mirror" in message
    assert os.fspath(mirror.resolve() / "**" / "demo.csv") in message
    assert not (tmp_path / "raw" / "demo.csv").exists()


def test_a_mirror_only_source_missing_from_the_mirror_says_so(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    source = Source("lookup", None, SHA, "P", "L", "d", "lookup.csv", landing_page="https://x.org")
    with pytest.raises(FetchError, match=r"not in the mirror: no file named 'lookup\.csv'"):
        ensure(source, tmp_path / "raw" / "lookup.csv", tmp_path / "raw" / "p.json", mirror)


def test_the_run_summary_says_the_mirror_lacks_the_file(tmp_path):
    from localineq.data.fetch import FAILURE_MARKER, fetch_failure_summary

    log = tmp_path / "logs" / "demo" / "demo.csv.log"
    log.parent.mkdir(parents=True)
    log.write_text(
        f"ERROR:root:{FAILURE_MARKER}: source 'demo': not in the mirror: no file named "
        "'demo.csv' anywhere under /m (looked for /m/**/demo.csv)\n"
    )
    catalogue = {"demo": Source("demo", None, SHA, "P", "L", "d", "demo.csv")}
    summary = fetch_failure_summary(catalogue, tmp_path / "raw", tmp_path / "logs")
    assert "demo  not in the mirror: no file named 'demo.csv'" in summary
    assert "The mirror given lacks some of them" in summary


def test_every_mirrored_file_has_the_columns_its_source_declares(repo_root, mirror):
    """The declarations match the pinned files (spreadsheets are checked by their readers in
    the pipeline: their header is not on the first row)."""
    import json

    import pandas as pd

    checked = 0
    for key, source in load_catalogue(repo_root / "config" / "sources.yaml").items():
        path = find_in_mirror(source, mirror)
        assert path is not None, f"{key}: {source.filename} not in the mirror"
        name = source.filename.lower()
        if name.endswith((".csv", ".csv.gz")):
            found = set(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
            if "Title" in found:  # an ONS time series: label/value rows, labels in column 1
                found = set(pd.read_csv(path, header=None, encoding="utf-8-sig")[0].astype(str))
        elif name == "topo.json":
            document = json.loads(path.read_text(encoding="utf-8"))
            found = set(document["objects"]["ltla"]["geometries"][0]["properties"])
        elif name.endswith(".json"):
            found = set(json.loads(path.read_text(encoding="utf-8-sig")))
        else:
            continue
        checked += 1
        assert set(source.columns) <= found, f"{key}: {set(source.columns) - found}"
    assert checked >= 35
