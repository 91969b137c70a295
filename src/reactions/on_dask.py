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
import shutil
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress

from reactions.errors import RenderError
from reactions.page import Page
from reactions.schedule import Schedule
from reactions.site import Outcome, publish_built
from reactions.writer import keep_failed


class DaskStart:
    """The client a run builds on, and the local cluster (`jobs` workers, each starting its warm
    kernel in `cwd`) unless `address` names one, started in a thread of its own: the run goes on
    checking the schedule and preparing the site meanwhile. `ready()` waits for it; `close()`
    waits for a start under way, then shuts everything down (each worker its kernel)."""

    def __init__(self, jobs: int, cwd: Path, address: str | None = None) -> None:
        self.client: Any = None
        self.cluster: Any = None
        self.scratch: str | None = None
        self.error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(
            target=self._start, args=(jobs, cwd, address), name="dask-start", daemon=True
        )
        self._thread.start()

    def _start(self, jobs: int, cwd: Path, address: str | None) -> None:
        try:
            from distributed import Client

            if address:
                self.client = Client(address, timeout=10)  # answered check_scheduler just now
            else:
                from reactions.cluster import local_cluster

                self.scratch = tempfile.mkdtemp(prefix="reactions-dask-")
                self.cluster = local_cluster(jobs, cwd, self.scratch)
                self.client = Client(self.cluster)
        except BaseException as error:  # said by ready(); what did start is closed by close()
            self.error = error

    def ready(self) -> Any:
        """The client, once started; the start's own error if it failed."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.client

    def close(self) -> None:
        """Shut down what was started (once), after waiting for a start under way."""
        self._thread.join()
        if self._closed:
            return
        self._closed = True
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.close()
        if self.cluster is not None:  # each worker shuts its kernel down as it closes
            with contextlib.suppress(Exception):
                self.cluster.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


def publish_on_dask(
    schedule: Schedule,
    out_dir: Path,
    progress: Progress,
    console: Console,
    outcomes: list[Outcome],
    cancelled: threading.Event,
    started: DaskStart,
) -> None:
    """Run every page as a Dask task in a warm kernel, on the client `started` (begun while the
    run was checked); publish each page's files here, under the lock, as
    soon as they come back, and release its task (a dead worker's finished results are
    otherwise computed again). Each outcome is added to `outcomes` as it comes. The client and
    its cluster are closed at the end, whatever happened."""
    from distributed import as_completed

    from reactions.warm import kill_kernel
    from reactions.warm_page import render_task

    pending = {}
    client = None
    try:
        client = started.ready()
        console.print(f"dask dashboard: {client.dashboard_link}", markup=False, highlight=False)
        task = progress.add_task("rendering", total=len(schedule.jobs))
        run = uuid.uuid4().hex[:8]
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
        if client is not None:
            with contextlib.suppress(Exception):
                client.cancel(list(pending), force=True)
            with contextlib.suppress(Exception):
                client.run(kill_kernel, wait=True)
        raise
    finally:
        started.close()


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
