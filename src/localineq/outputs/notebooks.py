"""Execute narrative notebooks and render them to HTML, reproducibly.

Notebooks only read ``results/`` and ``data/processed/``. Execution metadata that changes
from run to run (timestamps) is stripped so the executed files are stable.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def error_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Error outputs of an executed notebook, as ``ename: evalue`` strings."""
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def execute_notebook(
    source: str | os.PathLike,
    executed: str | os.PathLike,
    html: str | os.PathLike,
    *,
    working_dir: str | os.PathLike = ".",
    timeout: int = 600,
) -> None:
    """Run ``source`` top to bottom in ``working_dir``; write the executed notebook and HTML.

    Raises ``nbclient.exceptions.CellExecutionError`` if a cell fails, so a broken notebook
    never yields a published result.
    """
    notebook = nbformat.read(source, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(working_dir)}},
    )
    client.execute()
    _strip_volatile_metadata(notebook)
    Path(executed).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, executed)
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(notebook)
    Path(html).write_text(body, encoding="utf-8")
