"""Execute narrative notebooks and render them to HTML, reproducibly.

Notebooks only read ``results/`` and ``data/processed/``. Execution metadata that changes
from run to run (timestamps) is stripped so the executed files are stable. The pipeline runs
all notebooks in one kernel (:func:`execute_notebooks`), each after a fresh start
(:mod:`localineq.outputs.notebook_kernel`), with the outputs of a kernel per notebook.

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
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

from localineq.data.atomic import atomic_output, write_text
from localineq.outputs.notebook_kernel import PRELOAD

#: nbconvert template folder shipped with the package (``templates/localineq_lab``).
TEMPLATE_DIR = Path(__file__).parent / "templates"
#: The kernel's matplotlib backend (figures become PNG outputs of their cell).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Alt text of a figure whose cell gives none (tests on the executed notebooks forbid it).
NO_ALT = "Figure without a description (add an 'alt' entry to the cell metadata)"
#: Silent set-up code of a shared kernel (outputs.notebook_kernel runs in the kernel).
_PREPARE = "import localineq.outputs.notebook_kernel as k; k.prepare({preload!r})"
_FRESH_START = "import localineq.outputs.notebook_kernel as k; k.fresh_start()"


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


def shares_kernel(notebook: nbformat.NotebookNode) -> bool:
    """Whether ``notebook`` may run in the shared kernel of :func:`execute_notebooks`.

    Not if a code cell uses an IPython magic (a line starting with ``%``) or ``get_ipython()``:
    those can change the kernel's configuration (``%config``, ``%load_ext``, formatters),
    which :func:`localineq.outputs.notebook_kernel.fresh_start` does not undo.

    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_code_cell("x = 1  # 5 % 2")]
    >>> shares_kernel(nb)
    True
    >>> nb.cells.append(nbformat.v4.new_code_cell("  %config InlineBackend.figure_format = 'svg'"))
    >>> shares_kernel(nb)
    False
    """
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "get_ipython(" in cell.source:
            return False
        if any(line.lstrip().startswith("%") for line in cell.source.split("\n")):
            return False
    return True


@dataclass(frozen=True)
class NotebookJob:
    """One notebook to execute: its source, where the executed copy and HTML go, its settings."""

    source: str | os.PathLike
    executed: str | os.PathLike
    html: str | os.PathLike
    parameters: Mapping[str, object] = field(default_factory=dict)


def _load(source: str | os.PathLike, parameters: Mapping[str, object]) -> nbformat.NotebookNode:
    notebook = nbformat.read(source, as_version=4)
    inject_parameters(notebook, parameters)
    return notebook


def _save(
    notebook: nbformat.NotebookNode,
    executed: str | os.PathLike,
    html: str | os.PathLike,
    exporter: HTMLExporter,
) -> None:
    _strip_volatile_metadata(notebook)
    add_alt_text(notebook)
    with atomic_output(executed) as tmp:
        nbformat.write(notebook, tmp)
    body, _ = exporter.from_notebook_node(notebook)
    write_text(html, body, newline=None)


@contextmanager
def _kernel(working_dir: str | os.PathLike, timeout: int) -> Iterator[NotebookClient]:
    """A started python3 kernel in ``working_dir``, stopped on exit, via a client that owns it.

    Stopped at once rather than asked to shut down (which takes about half a second): by then
    every output has arrived, and the notebooks only read files, so skipping the kernel's
    exit hooks loses nothing.
    """
    with tempfile.TemporaryDirectory(prefix="localineq-kernel-") as sockets:
        # IPC sockets in a private folder: nothing listens on the network
        config = Config({"KernelManager": {"transport": "ipc", "ip": f"{sockets}/kernel"}})
        owner = NotebookClient(
            nbformat.v4.new_notebook(),
            config=config,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": os.fspath(working_dir)}},
            shutdown_kernel="immediate",
        )
        # figures show inline even when the caller runs with MPLBACKEND=Agg (as the pipeline
        # and CI do); otherwise pyplot figures would silently vanish from the notebooks
        env = {**os.environ, "MPLBACKEND": INLINE_BACKEND}
        with owner.setup_kernel(env=env):
            yield owner


def _run_silently(owner: NotebookClient, code: str) -> None:
    """Run ``code`` in the kernel without output, history or execution count; raise if it fails."""
    msg_id = owner.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
    reply = owner.wait_for_reply(msg_id)
    content = (reply or {}).get("content", {})
    if content.get("status") != "ok":
        raise RuntimeError(
            f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}\n{code}"
        )


def _run(
    notebook: nbformat.NotebookNode,
    owner: NotebookClient,
    timeout: int,
    working_dir: str | os.PathLike,
) -> None:
    """Execute every cell of ``notebook`` in the kernel of ``owner`` (left running)."""
    client = NotebookClient(
        notebook,
        km=owner.km,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.fspath(working_dir)}},
    )
    client.kc = owner.kc
    client.execute()


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
    fails, so a broken notebook never yields a published result. The notebook gets a kernel
    of its own; :func:`execute_notebooks` runs several in one.
    """
    notebook = _load(source, parameters or {})
    with _kernel(working_dir, timeout) as owner:
        _run(notebook, owner, timeout, working_dir)
    _save(notebook, executed, html, html_exporter())


def execute_notebooks(
    jobs: Iterable[NotebookJob],
    *,
    working_dir: str | os.PathLike = ".",
    timeout: int = 600,
    preload: Iterable[str] = PRELOAD,
) -> None:
    """Execute ``jobs`` in order in one kernel, each as if in a kernel of its own.

    Same outputs as :func:`execute_notebook` on each job, in a fraction of the time: the
    kernel starts, imports ``preload`` and stops once, not once per notebook. Before each
    notebook a silent, unrecorded execution of
    :func:`localineq.outputs.notebook_kernel.fresh_start` closes figures, puts back the
    working directory and the settings of matplotlib, pandas, numpy and warnings saved after
    start-up and resets IPython (empty namespace, execution count 1). A notebook that uses
    magics or ``get_ipython()`` (:func:`shares_kernel`) gets a kernel of its own instead.
    Raises ``nbclient.exceptions.CellExecutionError`` if a cell fails.
    """
    loaded = [(job, _load(job.source, job.parameters)) for job in jobs]
    exporter = html_exporter()
    shared = [(job, nb) for job, nb in loaded if shares_kernel(nb)]
    alone = [(job, nb) for job, nb in loaded if not shares_kernel(nb)]
    # One thread writes each executed notebook and its HTML while the kernel, another
    # process, runs the next notebook (or stops, after the last).
    with ThreadPoolExecutor(max_workers=1) as writer:
        # nbconvert compiles its templates on first use: do it while the kernel starts
        written = [writer.submit(lambda: exporter.template)]
        if shared:
            with _kernel(working_dir, timeout) as owner:
                _run_silently(owner, _PREPARE.format(preload=tuple(preload)))
                for job, notebook in shared:
                    _run_silently(owner, _FRESH_START)
                    _run(notebook, owner, timeout, working_dir)
                    written.append(writer.submit(_save, notebook, job.executed, job.html, exporter))
        for job, notebook in alone:
            with _kernel(working_dir, timeout) as owner:
                _run(notebook, owner, timeout, working_dir)
            written.append(writer.submit(_save, notebook, job.executed, job.html, exporter))
        for future in written:
            future.result()
