"""One page in a Dask worker's warm kernel (reactions.warm): what a worker runs for a publish.

The same pipeline as every render (reactions.render.build_page) on the worker's kernel, reset
beside the export. It returns the page's outcome and files as plain data and never writes the
report folder; the client publishes them.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from reactions.errors import FAILED, DataRejected, RenderError
from reactions.page import Page, Site, SiteLinks
from reactions.render import ExecutionFailed, build_page, kernel_uses_this_python
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
    site: Site | None = None,
    links: SiteLinks | None = None,
) -> dict[str, object]:
    """Render one checked page in this worker's warm kernel (and, with `pdf`, print it here
    too) for `site` (reactions.page.Site), with its place in the site (`links`); return its
    outcome and files.

    The result: stem, status (published | failed | timeout), exit_code (2: the page refused
    its input), failure (a render.FAILURE_KINDS, "" when published), seconds, attempts,
    message, files (name -> bytes, when published), evidence (the notebook as far as it ran).
    """
    kernel_uses_this_python()
    started = time.perf_counter()
    deadline = started + timeout
    page = Page(
        Path(notebook), parameters, stem, pdf=pdf, site=site or Site(), links=links or SiteLinks()
    )
    result: dict[str, object] = {"stem": stem, "files": {}, "evidence": None}
    try:
        kernel, attempts = worker_kernel(page.notebook.parent, retries + 1)
    except Exception as error:
        reason = f"kernel did not start: {error}"
        return result | _outcome("failed", "kernel", started, retries + 1, reason)
    timed_out = threading.Event()

    def on_timeout() -> None:  # the kernel and whatever its page started
        timed_out.set()
        kernel.kill_group()

    watchdog = threading.Timer(max(deadline - time.perf_counter(), 0.1), on_timeout)
    watchdog.daemon = True
    watchdog.start()
    resets: list[Future] = []

    def reset() -> None:  # the kernel resets while this process exports the page
        watchdog.cancel()
        resets.append(reset_beside(kernel))

    try:
        result["files"] = build_page(page, kernel, cell_timeout or None, deadline, reset)
    except DataRejected as error:
        drop_kernel()
        reason = f"error: {error}"
        return result | _outcome("failed", "input", started, attempts, reason, error.exit_code)
    except ExecutionFailed as failure:
        drop_kernel()
        if timed_out.is_set():
            reason = f"no result after {timeout} s; killed"
            return result | _outcome("timeout", failure.kind, started, attempts, reason)
        result["evidence"] = failure.evidence
        return result | _outcome("failed", failure.kind, started, attempts, failure.reason)
    except RenderError as error:  # printing failed or ran out of time
        drop_kernel()
        if time.perf_counter() >= deadline:
            reason = f"no result after {timeout} s; killed ({error})"
            return result | _outcome("timeout", "pdf", started, attempts, reason)
        return result | _outcome("failed", "pdf", started, attempts, str(error))
    finally:
        watchdog.cancel()
        for pending in resets:
            try:
                pending.result()
            except Exception as error:  # the page is done; the next one gets a fresh kernel
                log.info("%s: the kernel is replaced: %s", stem, error)
                result["kernel replaced"] = str(error)
                drop_kernel()
    return result | _outcome("published", "", started, attempts, "")


def _outcome(
    status: str,
    failure: str,
    started: float,
    attempts: int,
    message: str,
    exit_code: int | None = None,
) -> dict[str, object]:
    if exit_code is None:
        exit_code = 0 if status == "published" else FAILED
    return {
        "status": status,
        "failure": failure,
        "exit_code": exit_code,
        "seconds": time.perf_counter() - started,
        "attempts": attempts,
        "message": message,
    }
