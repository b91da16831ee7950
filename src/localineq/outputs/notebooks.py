"""Execute narrative notebooks and render them to HTML, reproducibly.

Notebooks only read ``results/`` and ``data/processed/``. Execution metadata that changes
from run to run (timestamps) is stripped so the executed files are stable.

Figures always show: the kernel runs with matplotlib's inline backend whatever ``MPLBACKEND``
the pipeline has. Quiet by design: the kernel talks to the client over IPC sockets in a private temporary folder,
not TCP (ipykernel warns that TCP is unencrypted), and every figure carries alt text. Give a
figure cell an ``"alt"`` entry in its cell metadata; :func:`execute_notebook` copies it onto the
cell's PNG outputs. The HTML uses ``templates/localineq_lab``, nbconvert's lab template plus
that alt text; the lab template drops alt text and warns.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

from localineq.data.atomic import atomic_output, write_text

#: nbconvert template folder shipped with the package (``templates/localineq_lab``).
TEMPLATE_DIR = Path(__file__).parent / "templates"
#: The kernel's matplotlib backend (figures become PNG outputs of their cell).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Alt text of a figure whose cell gives none (tests on the executed notebooks forbid it).
NO_ALT = "Figure without a description (add an 'alt' entry to the cell metadata)"


def _strip_volatile_metadata(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    notebook.metadata.pop("widgets", None)


def add_alt_text(notebook: nbformat.NotebookNode) -> list[int]:
    """Give every PNG output the alt text of its cell (``cell.metadata["alt"]``).

    Outputs that already have alt text keep it. Returns the indices of cells with a figure but
    no alt text; their figures get :data:`NO_ALT`.
    """
    missing = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if "image/png" not in output.get("data", {}):
                continue
            meta = output.setdefault("metadata", {}).setdefault("image/png", {})
            if meta.get("alt"):
                continue
            alt = cell.metadata.get("alt")
            if not alt:
                missing.append(index)
            meta["alt"] = alt or NO_ALT
    return missing


def figures_without_alt(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices of cells whose PNG outputs have no alt text of their own."""
    return sorted(
        {
            index
            for index, cell in enumerate(notebook.cells)
            if cell.cell_type == "code"
            for output in cell.get("outputs", [])
            if "image/png" in output.get("data", {})
            and output.get("metadata", {}).get("image/png", {}).get("alt", NO_ALT) == NO_ALT
        }
    )


def html_exporter() -> HTMLExporter:
    """nbconvert's HTML exporter with the package's lab template (alt text on figures)."""
    return HTMLExporter(
        extra_template_basedirs=[os.fspath(TEMPLATE_DIR)], template_name="localineq_lab"
    )


def error_outputs(notebook: nbformat.NotebookNode) -> list[str]:
    """Error outputs of an executed notebook, as ``ename: evalue`` strings."""
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def inject_parameters(notebook: nbformat.NotebookNode, parameters: Mapping[str, object]) -> None:
    r"""Set settings in the notebook's cell tagged ``parameters`` (as papermill does).

    Each line ``name = value`` of that cell whose ``name`` is a key of ``parameters`` gets
    ``name = repr(parameters[name])``; other lines stay. A notebook reads its settings there,
    so that the pipeline, not the notebook, decides e.g. which indicator's map it shows.

    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells.append(nbformat.v4.new_code_cell("# set by the pipeline\nkey = 'a'"))
    >>> nb.cells[0].metadata["tags"] = ["parameters"]
    >>> inject_parameters(nb, {"key": "b"}); nb.cells[0].source
    "# set by the pipeline\nkey = 'b'"

    Raises
    ------
    ValueError
        If a parameter is given but the notebook has no parameters cell or does not assign it.
    """
    if not parameters:
        return
    cells = [c for c in notebook.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"parameters {sorted(parameters)} need one cell tagged 'parameters'")
    lines = cells[0].source.split("\n")
    assigned = set()
    for i, line in enumerate(lines):
        match = re.match(r"^([A-Za-z_]\w*) = ", line)
        if match and match.group(1) in parameters:
            assigned.add(match.group(1))
            lines[i] = f"{match.group(1)} = {parameters[match.group(1)]!r}"
    missing = sorted(set(parameters) - assigned)
    if missing:
        raise ValueError(f"the parameters cell does not assign {missing}")
    cells[0].source = "\n".join(lines)


def execute_notebook(
    source: str | os.PathLike,
    executed: str | os.PathLike,
    html: str | os.PathLike,
    *,
    working_dir: str | os.PathLike = ".",
    timeout: int = 600,
    parameters: Mapping[str, object] | None = None,
) -> None:
    """Run ``source`` top to bottom in ``working_dir``; write the executed notebook and HTML.

    ``parameters`` are set in the notebook's ``parameters`` cell first
    (:func:`inject_parameters`). Raises ``nbclient.exceptions.CellExecutionError`` if a cell
    fails, so a broken notebook never yields a published result.
    """
    notebook = nbformat.read(source, as_version=4)
    inject_parameters(notebook, parameters or {})
    with tempfile.TemporaryDirectory(prefix="localineq-kernel-") as sockets:
        # IPC sockets in a private folder: nothing listens on the network
        config = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
        client = NotebookClient(
            notebook,
            config=config,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": os.fspath(working_dir)}},
        )
        # figures show inline even when the caller runs with MPLBACKEND=Agg (as the pipeline
        # and CI do); otherwise pyplot figures would silently vanish from the notebooks
        env = {**os.environ, "MPLBACKEND": INLINE_BACKEND}
        client.execute(env=env)
    _strip_volatile_metadata(notebook)
    add_alt_text(notebook)
    with atomic_output(executed) as tmp:
        nbformat.write(notebook, tmp)
    body, _ = html_exporter().from_notebook_node(notebook)
    write_text(html, body, newline=None)
