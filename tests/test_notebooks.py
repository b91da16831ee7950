"""Notebook execution is quiet: IPC kernel sockets (no TCP warning) and alt text on figures."""

from __future__ import annotations

import base64
import logging
from pathlib import Path

import nbformat
import pytest

from localineq.outputs import notebooks

EXECUTED = Path(__file__).resolve().parents[1] / "results" / "notebooks"

# 1x1 PNG
PIXEL = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
    )
).decode()


def image_alts(body: str) -> list[str | None]:
    """Alt text of the notebook's output images (the page's other images are not outputs)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    return [img.get("alt") for img in soup.select(".jp-OutputArea-output img")]


def figure_notebook(alt: str | None) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell("fig")
    if alt is not None:
        cell.metadata["alt"] = alt
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": PIXEL})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    return nb


def test_alt_text_reaches_the_html_without_nbconvert_warning(caplog):
    nb = figure_notebook('Bars & "shares" <by region>')
    assert notebooks.add_alt_text(nb) == []
    with caplog.at_level(logging.WARNING):
        body, _ = notebooks.html_exporter().from_notebook_node(nb)
    assert image_alts(body) == ['Bars & "shares" <by region>']
    assert "Alternative text is missing" not in caplog.text
    assert notebooks.figures_without_alt(nb) == []


def test_figures_without_alt_are_reported():
    nb = figure_notebook(None)
    assert notebooks.figures_without_alt(nb) == [1]
    assert notebooks.add_alt_text(nb) == [1]
    assert notebooks.figures_without_alt(nb) == [1]  # the placeholder does not count
    body, _ = notebooks.html_exporter().from_notebook_node(nb)
    assert image_alts(body) == [notebooks.NO_ALT]


def test_execution_is_quiet_and_shows_figures_under_agg(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.v4.new_notebook()
    nb.metadata["language_info"] = {"name": "python"}
    cell = nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2, 3]);"
    )
    cell.metadata["alt"] = "A rising line"
    nb.cells = [cell]
    source = tmp_path / "t.ipynb"
    nbformat.write(nb, source)
    notebooks.execute_notebook(source, tmp_path / "out.ipynb", tmp_path / "out.html")
    err = capfd.readouterr().err
    assert "without encryption" not in err
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    images = [o for o in executed.cells[0].outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1
    assert images[0].metadata["image/png"]["alt"] == "A rising line"
    assert image_alts((tmp_path / "out.html").read_text(encoding="utf-8")) == ["A rising line"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.html", "out.ipynb", "t.ipynb"]


@pytest.mark.integration
@pytest.mark.skipif(not EXECUTED.exists(), reason="the pipeline has not executed the notebooks")
def test_executed_notebooks_show_figures_with_alt_text():
    executed = sorted(EXECUTED.glob("*.ipynb"))
    assert executed
    shown = 0
    for path in executed:
        nb = nbformat.read(path, as_version=4)
        figures = [
            o
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        shown += len(figures)
        assert notebooks.figures_without_alt(nb) == [], path.name
    assert shown >= 4  # pyplot figures survive MPLBACKEND=Agg (notebooks 01-03 draw five)


# --- one kernel for several notebooks (outputs.notebooks.execute_notebooks) ---------------

# Notebook A changes every kind of state a shared kernel could pass on to the next notebook.
POLLUTER = [
    "leaked = 42\nprint(leaked)",
    "import os, sys, warnings\nimport numpy as np\nimport pandas as pd\n"
    "import matplotlib\nimport matplotlib.pyplot as plt\n"
    "matplotlib.rcParams['lines.linewidth'] = 7\nplt.ioff()\nplt.figure(num=5)\n"
    "pd.set_option('display.max_colwidth', 7)\nnp.set_printoptions(precision=2)\n"
    "warnings.simplefilter('error')\nsys.path.append('leaked-path')\n"
    "os.environ['LOCALINEQ_LEAKED'] = '1'\nos.makedirs('sub', exist_ok=True)\nos.chdir('sub')",
    "'last value'",
]

# Notebook B prints that state; in a fresh kernel and after A in the shared one alike.
PROBE = [
    "try:\n    leaked\nexcept NameError:\n    print('leaked is not defined')\n"
    "print(sorted(name for name in globals() if not name.startswith('_')), len(In), len(Out))",
    "import os, sys, warnings\nimport numpy as np\nimport pandas as pd\n"
    "import matplotlib\nimport matplotlib.pyplot as plt\n"
    "print(os.getcwd(), 'leaked-path' in sys.path, 'LOCALINEQ_LEAKED' in os.environ)\n"
    "print(pd.get_option('display.max_colwidth'), np.get_printoptions()['precision'])\n"
    "print(len(warnings.filters), warnings.filters[0][0])",
    # is_interactive() only after a figure: a fresh kernel loads the inline backend (which
    # turns interactive mode on) at its first figure, the shared kernel before any notebook
    "print(plt.get_fignums())\nfig, ax = plt.subplots()\nax.plot([1, 2, 3]);",
    "print(plt.get_fignums(), matplotlib.is_interactive())\n"
    "print(sorted((k, str(v)) for k, v in matplotlib.rcParams.items()))",
    "'probe done'",
]


def code_notebook(tmp_path: Path, name: str, sources: list[str]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def job(tmp_path: Path, source: Path, tag: str) -> notebooks.NotebookJob:
    stem = f"{source.stem}_{tag}"
    return notebooks.NotebookJob(source, tmp_path / f"{stem}.ipynb", tmp_path / f"{stem}.html")


def cell_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


@pytest.fixture(scope="module")
def shared_and_fresh(tmp_path_factory):
    """Probe B executed alone in a fresh kernel and after polluter A in one shared kernel."""
    tmp_path = tmp_path_factory.mktemp("shared")
    polluter = code_notebook(tmp_path, "a", POLLUTER)
    probe = code_notebook(tmp_path, "b", PROBE)
    fresh = job(tmp_path, probe, "fresh")
    notebooks.execute_notebook(fresh.source, fresh.executed, fresh.html, working_dir=tmp_path)
    after_a = job(tmp_path, polluter, "shared")
    shared = job(tmp_path, probe, "shared")
    notebooks.execute_notebooks([after_a, shared], working_dir=tmp_path)
    return tmp_path, after_a, shared, fresh


def test_a_name_defined_in_one_notebook_is_not_visible_in_the_next(shared_and_fresh):
    _, after_a, shared, fresh = shared_and_fresh
    a = nbformat.read(after_a.executed, as_version=4)
    assert cell_text(a.cells[0]) == "42\n"  # A did define it, in the same kernel
    b = cell_text(nbformat.read(shared.executed, as_version=4).cells[0])
    assert b.startswith("leaked is not defined\n")
    assert "leaked" not in b.splitlines()[1]
    # only IPython's own names, and In/Out as short as in a fresh kernel
    assert b == cell_text(nbformat.read(fresh.executed, as_version=4).cells[0])


def test_execution_counts_restart_at_one(shared_and_fresh):
    _, after_a, shared, _ = shared_and_fresh
    for path, cells in ((after_a.executed, len(POLLUTER)), (shared.executed, len(PROBE))):
        nb = nbformat.read(path, as_version=4)
        assert [c.execution_count for c in nb.cells] == list(range(1, cells + 1))
        result = nb.cells[-1].outputs[-1]
        assert result.output_type == "execute_result"
        assert result.execution_count == cells


def test_state_changed_by_a_notebook_does_not_reach_the_next(shared_and_fresh):
    tmp_path, _, shared, _ = shared_and_fresh
    b = nbformat.read(shared.executed, as_version=4)
    lines = cell_text(b.cells[1]).splitlines()
    assert lines[0] == f"{tmp_path} False False"  # cwd, sys.path, environment
    assert lines[1] == "50 8"  # pandas and numpy defaults
    assert not lines[2].endswith(" error")  # warning filters
    assert cell_text(b.cells[2]) == "[]\n"  # A's figure is closed
    assert cell_text(b.cells[3]).startswith("[] True\n")  # B's figure shown and closed
    assert "('lines.linewidth', '1.5')" in cell_text(b.cells[3])
    assert [o for o in b.cells[2].outputs if "image/png" in o.get("data", {})]


def test_shared_kernel_gives_the_bytes_of_a_fresh_kernel(shared_and_fresh):
    _, _, shared, fresh = shared_and_fresh
    assert Path(shared.executed).read_bytes() == Path(fresh.executed).read_bytes()
    assert Path(shared.html).read_bytes() == Path(fresh.html).read_bytes()


def test_notebooks_with_magics_do_not_share_the_kernel():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("%config in prose is fine")]
    assert notebooks.shares_kernel(nb)
    for source in ("%%time\nx = 1", "get_ipython().display_formatter", "%load_ext autoreload"):
        nb.cells = [nbformat.v4.new_code_cell(source)]
        assert not notebooks.shares_kernel(nb), source


def test_fresh_start_needs_prepare_and_ipython():
    from localineq.outputs import notebook_kernel

    with pytest.raises(RuntimeError, match="prepare"):
        notebook_kernel.fresh_start()


def test_restore_undoes_changes_in_this_process(tmp_path, monkeypatch):
    import warnings

    import matplotlib
    import numpy as np
    import pandas as pd

    from localineq.outputs import notebook_kernel

    state = notebook_kernel.capture()
    width = matplotlib.rcParams["lines.linewidth"]
    matplotlib.rcParams["lines.linewidth"] = width + 3
    pd.set_option("display.max_colwidth", 7)
    np.set_printoptions(precision=2)
    warnings.simplefilter("error")
    monkeypatch.chdir(tmp_path)
    notebook_kernel.restore(state)
    assert matplotlib.rcParams["lines.linewidth"] == width
    assert pd.get_option("display.max_colwidth") == 50
    assert np.get_printoptions()["precision"] == 8
    assert list(warnings.filters) == state.warning_filters
    assert Path.cwd() == Path(state.cwd)


def test_a_failing_cell_stops_the_shared_kernel_run(tmp_path):
    from nbclient.exceptions import CellExecutionError

    broken = code_notebook(tmp_path, "broken", ["raise ValueError('no table')"])
    after = code_notebook(tmp_path, "after", ["1"])
    jobs = [job(tmp_path, broken, "x"), job(tmp_path, after, "x")]
    with pytest.raises(CellExecutionError, match="no table"):
        notebooks.execute_notebooks(jobs, working_dir=tmp_path)
    assert not Path(jobs[0].executed).exists()
    assert not Path(jobs[1].executed).exists()
