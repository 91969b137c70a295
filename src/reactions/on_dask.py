"""A publish run's pages on Dask distributed: an in-process `LocalCluster` of N
single-threaded worker processes, or an existing cluster (`--scheduler tcp://HOST:8786` or
$DASK_SCHEDULER_ADDRESS). Each worker keeps one warm kernel and builds page after page in it,
reset between pages (reactions.warm_page); it returns the page's files as bytes and only this
process, the client, writes the report folder. A worker that dies has its page run again
elsewhere (Dask's own retries); a page that fails or passes its timeout gets its worker a
fresh kernel.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from reactions.errors import RenderError
from reactions.page import Page
from reactions.schedule import Schedule
from reactions.site import Outcome, publish_built
from reactions.writer import keep_failed


def publish_on_dask(
    schedule: Schedule,
    out_dir: Path,
    jobs: int,
    progress: Progress,
    console: Console,
    scheduler: str | None,
    outcomes: list[Outcome],
    cancelled: threading.Event,
) -> None:
    """Run every page as a Dask task in a warm kernel; publish each page's files here, under
    the lock, as soon as they come back, and release its task (a dead worker's finished results
    are otherwise computed again). Each outcome is added to `outcomes` as it comes."""
    from distributed import Client, as_completed

    from reactions.cluster import local_cluster
    from reactions.warm import kill_kernel
    from reactions.warm_page import render_task

    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    scratch = None
    cluster = None
    if address:
        client = Client(address, timeout=10)  # answered check_scheduler just now
    else:
        scratch = tempfile.mkdtemp(prefix="reactions-dask-")
        cluster = local_cluster(jobs, schedule.jobs[0].notebook.resolve().parent, scratch)
        client = Client(cluster)
    console.print(f"dask dashboard: {client.dashboard_link}", markup=False, highlight=False)
    task = progress.add_task("rendering", total=len(schedule.jobs))
    run = uuid.uuid4().hex[:8]
    pending = {}
    try:
        for page in schedule.jobs:
            future = client.submit(
                render_task,
                str(page.notebook.resolve()),
                page.parameters,
                page.stem,
                schedule.timeout,
                schedule.retries,
                schedule.cell_timeout,
                page.pdf,
                page.site,
                page.links,
                key=("reactions-page", f"{run}/{page.stem}"),  # one task group: durations learnt
                pure=False,
            )
            pending[future] = page
        for future in as_completed(list(pending)):
            page = pending.pop(future)
            outcome = _published(future, page, out_dir)
            future.release()
            outcomes.append(outcome)
            progress.update(
                task, advance=1, description=escape(f"{outcome.stem}: {outcome.status}")
            )
    except BaseException:  # Ctrl-C, SIGTERM or a crash: no render outlives the run
        cancelled.set()
        with contextlib.suppress(Exception):
            client.cancel(list(pending), force=True)
        with contextlib.suppress(Exception):
            client.run(kill_kernel, wait=True)
        raise
    finally:
        client.close()
        if cluster is not None:  # each worker shuts its kernel down as it closes
            cluster.close()
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _published(future: object, page: Page, out_dir: Path) -> Outcome:
    """A finished task's outcome, its files published (or its failure kept in `_failed/`: every
    failure but the page's refusal of its input, which its message says in full)."""
    try:
        result = future.result()  # type: ignore[attr-defined]
    except Exception as error:  # KilledWorker after Dask's retries, or a crash in the task
        reason = f"{type(error).__name__}: {error}".strip()
        keep_failed(page.notebook, out_dir, page.stem, reason)
        return Outcome(page.stem, "failed", 0.0, 1, reason)
    status, message, change = result["status"], result["message"], None
    if status == "published":
        try:
            change = publish_built(page, result["files"], out_dir)
        except RenderError as error:
            status, message = "failed", str(error)
    elif result["failure"] != "input":
        kept = keep_failed(page.notebook, out_dir, page.stem, message, result["evidence"])
        if status != "timeout":
            message = f"{message}; {kept}"
    return Outcome(page.stem, status, result["seconds"], result["attempts"], message, change)
