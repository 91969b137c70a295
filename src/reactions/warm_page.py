"""One page in a Dask worker's warm kernel (reactions.warm): what a worker runs for a publish.

It returns the page's files as bytes and never writes the report folder; the client publishes
them. Above both `warm` (the kernel) and `render` (execution and export), so neither imports the
other.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from pathlib import Path

from reactions.errors import DataRejected, RenderError
from reactions.render import (
    ExecutionFailed,
    Images,
    Page,
    execute,
    kernel_uses_this_python,
    page_files,
    with_pdf,
)
from reactions.warm import drop_kernel, reset_beside, worker_kernel

log = logging.getLogger(__name__)


def render_task(
    notebook: str,
    parameters: dict[str, object],
    stem: str,
    timeout: int,
    retries: int,
    cell_timeout: int,
    pdf: bool = False,
) -> dict[str, object]:
    """Render one checked page in this worker's warm kernel (and, with `pdf`, print it here
    too); return its outcome and files.

    The result: stem, status (published | failed | timeout), seconds, attempts, message, files
    (name -> bytes, when published), evidence (the notebook as far as it ran, when failed), and
    phases (seconds per phase of the render).
    """
    kernel_uses_this_python()
    started = time.perf_counter()
    page = Page(Path(notebook), parameters, stem)
    result: dict[str, object] = {"stem": stem, "files": {}, "evidence": None, "phases": {}}
    phases: dict[str, float] = result["phases"]  # type: ignore[assignment]
    timed_out = threading.Event()
    try:
        kernel, attempts = worker_kernel(page.notebook.parent, retries + 1)
    except Exception as error:
        return result | _outcome("failed", started, retries + 1, f"kernel did not start: {error}")
    phases["kernel"] = time.perf_counter() - started

    def on_timeout() -> None:
        timed_out.set()
        kernel.kill()

    watchdog = threading.Timer(max(timeout - (time.perf_counter() - started), 0.1), on_timeout)
    watchdog.daemon = True
    watchdog.start()
    images = Images()
    try:
        with tempfile.TemporaryDirectory(prefix="reactions-") as scratch:
            mark = time.perf_counter()
            try:
                executed = execute(page, Path(scratch), cell_timeout or None, kernel, images)
            finally:
                watchdog.cancel()
            phases["execute"] = time.perf_counter() - mark
        mark = time.perf_counter()
        # The kernel resets while this process exports the page: they share nothing.
        reset = reset_beside(kernel)
        try:
            result["files"] = page_files(executed, stem, images)
            phases["export"] = time.perf_counter() - mark
        finally:
            try:
                reset.result()
            except Exception as error:  # the page is done; the next one gets a fresh kernel
                log.info("%s: the kernel is replaced: %s", stem, error)
                result["kernel replaced"] = str(error)
                drop_kernel()
            phases["reset (beside the export)"] = time.perf_counter() - mark
        if pdf:
            mark = time.perf_counter()
            left = timeout - (time.perf_counter() - started)  # the page's timeout holds
            result["files"] = with_pdf(result["files"], stem, left)  # type: ignore[arg-type]
            phases["pdf"] = time.perf_counter() - mark
    except DataRejected as error:
        drop_kernel()
        return result | _outcome("failed", started, attempts, f"error: {error}")
    except ExecutionFailed as failure:
        drop_kernel()
        if timed_out.is_set():
            return result | _outcome(
                "timeout", started, attempts, f"no result after {timeout} s; killed"
            )
        result["evidence"] = failure.evidence
        return result | _outcome("failed", started, attempts, failure.reason)
    except RenderError as error:
        drop_kernel()
        if pdf and time.perf_counter() - started >= timeout:
            return result | _outcome(
                "timeout", started, attempts, f"no result after {timeout} s; killed ({error})"
            )
        return result | _outcome("failed", started, attempts, str(error))
    finally:
        images.close()
    return result | _outcome("published", started, attempts, "")


def _outcome(status: str, started: float, attempts: int, message: str) -> dict[str, object]:
    return {
        "status": status,
        "seconds": time.perf_counter() - started,
        "attempts": attempts,
        "message": message,
    }
