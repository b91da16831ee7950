"""Every Snakemake job's log tells why it failed.

Each rule declares a ``log:`` file, and each script logs its progress there. An exception,
though, is printed by Snakemake on the console only: the job's own log ends silently, which is
no help on a cluster, where the console is far away. :func:`run_job` runs a script's ``main``
with logging sent to the job's log and writes the error and its traceback there before the
job fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any


def run_job(main: Callable[[Any], None], smk: Any) -> None:
    """Run ``main(smk)`` with logging to ``smk.log[0]``; log any exception there, then re-raise.

    ``smk`` is the ``snakemake`` object Snakemake injects into a script (anything with a
    ``log`` list works). Scripts may configure logging again inside ``main``; the log file is
    appended to, never truncated.
    """
    logging.basicConfig(filename=smk.log[0], level=logging.INFO, force=True)
    try:
        main(smk)
    except BaseException:
        logging.getLogger("localineq.job").exception("the job failed; the error follows")
        logging.shutdown()
        raise
