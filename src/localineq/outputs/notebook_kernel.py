"""Give each notebook a fresh start in a shared IPython kernel (this module runs in the kernel).

Starting a Jupyter kernel and importing pandas and matplotlib costs more than running one of
the project's notebooks, so :func:`localineq.outputs.notebooks.execute_notebooks` starts one
kernel for all of them. Each notebook must still behave as in a kernel of its own: execution
counts from 1, no name of an earlier notebook visible, no setting of an earlier notebook in
force. The host runs, silently (nothing recorded in any notebook):

1. :func:`prepare` once after the kernel starts: import the heavy modules, let matplotlib load
   its backend (the inline backend hooks into IPython then, as in a fresh kernel on the first
   figure) and save the process state of :class:`KernelState`;
2. :func:`fresh_start` before every notebook: close all figures, put that state back and reset
   IPython's namespace and execution counter (``reset(new_session=True)``).

What is put back: working directory, ``sys.path``, environment variables, warning filters
(and the registries that silence a repeated warning), matplotlib's rcParams and unit
converters, pandas options (to their defaults) and numpy's print and error settings. What is
not: modules stay imported (their import-time work happens once), and IPython configuration a
notebook changes with a magic (``%config``, ``%load_ext``) or through ``get_ipython()``; the
host therefore runs notebooks with magics in a kernel of their own
(:func:`localineq.outputs.notebooks.shares_kernel`).
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Modules imported once for all notebooks (what the project's notebooks import first).
PRELOAD = ("pandas", "matplotlib.pyplot")


@dataclass(frozen=True)
class KernelState:
    """Process state a notebook may change that a fresh kernel would not have."""

    cwd: str
    sys_path: list[str]
    environ: dict[str, str]
    warning_filters: list[Any]
    once_registry: dict[Any, Any]
    rc_params: dict[str, Any] | None = None
    unit_registry: dict[Any, Any] | None = None
    numpy_print: dict[str, Any] | None = None
    numpy_errors: dict[str, str] | None = None


_saved: KernelState | None = None


def capture() -> KernelState:
    """Save the state listed in :class:`KernelState` (matplotlib and numpy only if imported)."""
    rc_params = unit_registry = numpy_print = numpy_errors = None
    if "matplotlib" in sys.modules:
        import matplotlib
        import matplotlib.units

        rc_params = dict(matplotlib.rcParams)
        unit_registry = dict(matplotlib.units.registry)
    if "numpy" in sys.modules:
        import numpy

        numpy_print = numpy.get_printoptions()
        numpy_errors = numpy.geterr()
    return KernelState(
        cwd=os.getcwd(),
        sys_path=list(sys.path),
        environ=dict(os.environ),
        warning_filters=list(warnings.filters),
        once_registry=dict(warnings.onceregistry),
        rc_params=rc_params,
        unit_registry=unit_registry,
        numpy_print=numpy_print,
        numpy_errors=numpy_errors,
    )


def restore(state: KernelState) -> None:
    """Put back ``state`` (from :func:`capture`) and close all matplotlib figures."""
    if state.rc_params is not None:
        import matplotlib
        import matplotlib.pyplot as plt
        import matplotlib.units

        plt.close("all")
        with warnings.catch_warnings():
            # the saved values include deprecated keys, whose setters warn
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(state.rc_params)
        matplotlib.units.registry.clear()
        matplotlib.units.registry.update(state.unit_registry or {})
    if "pandas" in sys.modules:
        import pandas

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pandas.reset_option("all")
    if state.numpy_print is not None:
        import numpy

        numpy.set_printoptions(**state.numpy_print)
        numpy.seterr(**state.numpy_errors)
    # resetwarnings also invalidates each module's registry of warnings already shown
    warnings.resetwarnings()
    warnings.filters[:] = state.warning_filters
    warnings.onceregistry.clear()
    warnings.onceregistry.update(state.once_registry)
    sys.path[:] = state.sys_path
    for name in set(os.environ) - set(state.environ):
        del os.environ[name]
    os.environ.update(state.environ)
    os.chdir(state.cwd)


def prepare(preload: Iterable[str] = PRELOAD) -> None:
    """Import ``preload``, load matplotlib's backend and save the state for :func:`fresh_start`."""
    global _saved
    for name in preload:
        importlib.import_module(name)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib
        import matplotlib.pyplot as plt

        # what a fresh kernel's first figure does: the inline backend module, once loaded,
        # adds its rcParams and IPython hooks, so the saved state must come after it
        plt.switch_backend(matplotlib.rcParams["backend"])
    _saved = capture()
    # IPython's reset runs a full garbage collection; leaving the modules just imported out of
    # it makes each fresh start a few hundredths of a second instead of a tenth
    gc.freeze()


def fresh_start() -> None:
    """Restore the state saved by :func:`prepare`, then empty IPython's namespace and history.

    After it the next cell runs as the first cell of a new kernel: execution count 1, only
    IPython's own names defined. Call it as the last statement of a silent execution: the
    reset removes every name of the cell that calls it.
    """
    if _saved is None:
        raise RuntimeError("notebook_kernel.prepare() has not run in this kernel")
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        raise RuntimeError("notebook_kernel.fresh_start() runs only inside an IPython kernel")
    restore(_saved)
    shell.reset(new_session=True)
