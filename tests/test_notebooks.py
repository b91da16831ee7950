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
