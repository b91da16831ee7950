"""Issue 23, faults 2, 4 and 7: outputs are written atomically and recorded with their sha256;
``localineq verify`` finds files changed behind the pipeline's back; a damaged intermediate
is named with the way to rebuild it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from localineq.data.atomic import (
    CHECKSUM_ROOT,
    MANIFEST_NAME,
    atomic_output,
    read_manifest,
    sha256_and_size,
    to_csv,
    to_parquet,
    write_text,
)
from localineq.data.intermediates import (
    IntermediateError,
    main,
    read_csv,
    read_parquet,
    verify_outputs,
)
from localineq.outputs.figures import save_figure

#: A child that writes a large CSV through the helper, slowly, reporting each chunk.
WRITER = textwrap.dedent(
    """
    import sys, time
    from localineq.data.atomic import atomic_output
    dest = sys.argv[1]
    with atomic_output(dest) as tmp:
        with open(tmp, "w") as handle:
            for chunk in range(10_000):
                handle.write(("E06000001,2023,12345.678\\n" * 40_000))
                handle.flush()
                print(chunk, flush=True)
                time.sleep(0.05)
    """
)


def _kill_mid_write(dest: Path) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(dest)], stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(3):  # three chunks (3 MB) written: well inside the write
            assert child.stdout.readline().strip() != ""
        temporary = [p for p in dest.parent.iterdir() if p.name.startswith(f".{dest.name}.")]
        assert temporary and temporary[0].stat().st_size >= 3_000_000
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_writer_killed_mid_write_leaves_no_partial_file(tmp_path):
    dest = tmp_path / "la_indicators.csv"
    _kill_mid_write(dest)
    assert not dest.exists()  # absent: never a truncated file under the final name


def test_a_writer_killed_mid_rewrite_leaves_the_previous_complete_file(tmp_path):
    dest = tmp_path / "la_indicators.csv"
    complete = "area_code,period,value\nE06000001,2023,1.5\n"
    write_text(dest, complete)
    _kill_mid_write(dest)
    assert dest.read_text() == complete
    # the interrupted write's temporary file is hidden and recognisable, never the output
    left = [p.name for p in tmp_path.iterdir() if p.name != dest.name]
    assert left and all(name.startswith(".la_indicators.csv.") for name in left)


def test_an_error_inside_the_writer_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    dest = tmp_path / "table.csv"
    write_text(dest, "old\n")
    with pytest.raises(RuntimeError), atomic_output(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("writer failed")
    assert dest.read_text() == "old\n" and sorted(tmp_path.iterdir()) == [dest]


def test_helpers_write_the_same_bytes_as_the_plain_writers(tmp_path):
    frame = pd.DataFrame({"area_code": ["E06000001", "E06000002"], "value": [1.25, 2.5]})
    to_csv(frame, tmp_path / "a.csv", index=False, lineterminator="\n")
    frame.to_csv(tmp_path / "b.csv", index=False, lineterminator="\n")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    to_parquet(frame, tmp_path / "a.parquet", index=False)
    frame.to_parquet(tmp_path / "b.parquet", index=False)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    # a figure: the format comes from the final name's suffix, kept by the temporary name
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    save_figure(fig, tmp_path / "f.png", tmp_path / "f.svg")
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "f.svg").read_bytes()[:400]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_directory_output_is_replaced_whole(tmp_path):
    out = tmp_path / "profiles"
    with atomic_output(out, directory=True) as tmp:
        (tmp / "a.html").write_text("a")
        (tmp / "b.html").write_text("b")
    with atomic_output(out, directory=True) as tmp:
        (tmp / "a.html").write_text("new")
    assert sorted(p.name for p in out.iterdir()) == ["a.html"]


def test_writes_inside_the_working_directory_are_recorded(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_text("results/tables/x.csv", "a,b\n1,2\n")
    write_text("results/tables/y.csv", "a\n")
    manifest = tmp_path / CHECKSUM_ROOT / "results" / "tables" / MANIFEST_NAME
    assert read_manifest(manifest) == {
        "x.csv": sha256_and_size(tmp_path / "results/tables/x.csv"),
        "y.csv": sha256_and_size(tmp_path / "results/tables/y.csv"),
    }
    # outputs' folders hold only the outputs: the record lives apart
    assert sorted(p.name for p in (tmp_path / "results" / "tables").iterdir()) == [
        "x.csv",
        "y.csv",
    ]


def test_verify_detects_a_same_mtime_replacement_that_snakemake_cannot_see(
    tmp_path, monkeypatch, capsys
):
    """Fault 7: an intermediate replaced with its old modification time."""
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"area_code": ["E06000001"], "value": [1.0]})
    to_parquet(frame, "data/processed/indicators/x.parquet", index=False)
    to_csv(frame, "results/tables/la_indicators.csv", index=False)
    assert main(["verify"]) == 0
    assert "all 2 recorded pipeline files match" in capsys.readouterr().out

    path = tmp_path / "data/processed/indicators/x.parquet"
    stat = path.stat()
    # replaced behind the pipeline's back (not through the helper), then given the old mtime
    frame.assign(value=2.0).to_parquet(tmp_path / "elsewhere.parquet", index=False)
    os.replace(tmp_path / "elsewhere.parquet", path)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    table = tmp_path / "results/tables/la_indicators.csv"
    table.write_bytes(table.read_bytes()[:10])  # truncated

    checked, problems = verify_outputs(tmp_path)
    assert checked == 2
    assert {(p.path.relative_to(tmp_path).as_posix(), p.kind) for p in problems} == {
        ("data/processed/indicators/x.parquet", "changed"),
        ("results/tables/la_indicators.csv", "truncated"),
    }
    assert main(["verify"]) == 1
    report = capsys.readouterr().err
    assert "changed" in report and "truncated" in report
    assert "snakemake --cores 2 --forcerun" in report and "x.parquet" in report


def test_verify_without_records_fails(tmp_path, capsys):
    assert main(["verify", "--root", str(tmp_path)]) == 1
    assert "nothing recorded" in capsys.readouterr().err


def test_verify_command_line_entry_point(tmp_path):
    """``python -m localineq.data.intermediates verify`` runs as a program (exit status)."""
    run = subprocess.run(
        [sys.executable, "-m", "localineq.data.intermediates", "verify", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1 and "nothing recorded" in run.stderr


def test_a_truncated_intermediate_is_named_with_the_way_to_rebuild_it(tmp_path):
    """Fault 4: pyarrow's 'magic bytes not found' named neither the file nor the fix."""
    path = tmp_path / "lad23_hierarchy.parquet"
    pd.DataFrame({"area_code": ["E06000001"] * 1000}).to_parquet(path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(IntermediateError) as err:
        read_parquet(path)
    message = str(err.value)
    assert str(path) in message and "damaged or incomplete" in message
    assert f"rm {path} && snakemake --cores 2 --forcerun {path}" in message
    empty = tmp_path / "decomposition.csv"
    empty.write_bytes(b"")
    with pytest.raises(IntermediateError, match=r"decomposition\.csv cannot be read"):
        read_csv(empty)
