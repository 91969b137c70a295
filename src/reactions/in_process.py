"""A publish run's few pages built in the publishing process itself: when fresh kernels are
chosen for it (no more pages to build than `--jobs`, and no `--fresh-kernels`), each page goes
through the one pipeline (reactions.render.build_page) in a thread of this process, with a
fresh kernel of its own, and is published here (reactions.site.publish_built). A `reactions
render` subprocess a page would start Python and import the pipeline a second time, about a
second of a one-page publish.

What a subprocess gave, kept: a timeout per page (a watchdog kills the kernel's process group,
the kernel and whatever its page started; the outcome is "timeout", its notebook kept in
`_failed/`), retries when a kernel does not start (reactions.errors.KernelNotStarted, by its
type), one failure never stopping the others, a failed build never replacing the last good
page, and an interrupted run (Ctrl-C, SIGTERM) killing every kernel, waiting for every page's
thread and leaving no kernel behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.progress import Progress

from reactions.changes import PageChange
from reactions.errors import DataRejected, KernelNotStarted, RenderError
from reactions.page import Page
from reactions.schedule import Schedule
from reactions.site import Outcome, publish_built
from reactions.writer import keep_failed

if TYPE_CHECKING:  # the kernels come from reactions.render, imported where pages build
    from reactions.warm import Kernel


def build_pooled(
    run: Callable[[Page], Outcome],
    pages: list[Page],
    jobs: int,
    progress: Progress,
    outcomes: list[Outcome],
    stop: Callable[[], object],
) -> None:
    """Build `pages` with `run`, at most `jobs` at once, adding each outcome to `outcomes` as it
    comes; on an interruption (Ctrl-C, SIGTERM, a crash) `stop()` (cancel and kill), then wait
    for every page's thread before raising again: no build outlives the run."""
    pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="page")
    try:
        task = progress.add_task("rendering", total=len(pages))
        futures = [pool.submit(run, page) for page in pages]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes.append(outcome)
            progress.update(
                task, advance=1, description=escape(f"{outcome.stem}: {outcome.status}")
            )
    except BaseException:
        stop()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


class InProcess:
    """Pages built in threads of this process, each in a fresh kernel of its own; every kernel
    killed at once when the run stops."""

    def __init__(self, out_dir: Path, schedule: Schedule) -> None:
        self.out_dir = out_dir
        self.schedule = schedule
        self.kernels: set[Kernel] = set()
        self.lock = threading.Lock()
        self.cancelled = threading.Event()

    def kill_all(self) -> None:
        """Kill every kernel still running, each with its process group."""
        with self.lock:
            for kernel in list(self.kernels):
                kernel.kill_group()

    def publish(self, jobs: int, progress: Progress, outcomes: list[Outcome]) -> None:
        build_pooled(self.run, self.schedule.jobs, jobs, progress, outcomes, self.stop)

    def stop(self) -> None:
        self.cancelled.set()
        self.kill_all()

    def run(self, page: Page) -> Outcome:
        """Build and publish one page; retry only a kernel that did not start. Never raises
        for what became of the page: that is its outcome."""
        started = time.perf_counter()
        timeout = self.schedule.timeout
        deadline = started + timeout
        timed_out = threading.Event()
        mine: list[Kernel] = []  # this page's kernel, once it has started

        def on_start(kernel: Kernel) -> None:
            with self.lock:
                mine[:] = [kernel]
                self.kernels.add(kernel)
                if timed_out.is_set() or self.cancelled.is_set():  # started too late
                    kernel.kill_group()

        def on_timeout() -> None:
            with self.lock:
                timed_out.set()
                for kernel in mine:
                    kernel.kill_group()

        def outcome(
            status: str, attempt: int, message: str, change: PageChange | None = None
        ) -> Outcome:
            seconds = time.perf_counter() - started
            return Outcome(page.stem, status, seconds, attempt, message, change)

        watchdog = threading.Timer(timeout, on_timeout)
        watchdog.daemon = True
        watchdog.start()
        attempt, reason = 0, "the kernel did not start"
        try:
            for attempt in range(1, self.schedule.retries + 2):
                if self.cancelled.is_set():
                    return outcome("cancelled", attempt - 1, "")
                if timed_out.is_set():
                    return self._timed_out(page, attempt - 1, outcome)
                try:
                    files = self._build(page, deadline, on_start, mine)
                except KernelNotStarted as error:  # by its type: a retry's cue
                    reason = str(error)
                    continue
                except Exception as error:
                    if self.cancelled.is_set():
                        return outcome("cancelled", attempt, "")
                    if timed_out.is_set() or (
                        isinstance(error, RenderError) and time.perf_counter() >= deadline
                    ):
                        return self._timed_out(page, attempt, outcome)
                    return outcome("failed", attempt, self._failed(page, error))
                watchdog.cancel()
                if self.cancelled.is_set():
                    return outcome("cancelled", attempt, "")
                if timed_out.is_set():  # killed while the page was exported
                    return self._timed_out(page, attempt, outcome)
                try:
                    change = publish_built(page, files, self.out_dir)
                except RenderError as error:  # unsafe or unwritable: the last good page stays
                    return outcome("failed", attempt, str(error))
                return outcome("published", attempt, "", change)
            kept = keep_failed(page.notebook, self.out_dir, page.stem, reason)
            return outcome("failed", attempt, f"{reason}; {kept}")
        finally:
            watchdog.cancel()

    def _build(
        self,
        page: Page,
        deadline: float,
        on_start: Callable[[Kernel], None],
        mine: list[Kernel],
    ) -> dict[str, bytes]:
        from reactions.render import build_page  # the page libraries: only where pages build

        cell_timeout = self.schedule.cell_timeout or None
        try:
            return build_page(page, cell_timeout=cell_timeout, deadline=deadline, on_start=on_start)
        finally:
            with self.lock:
                self.kernels.difference_update(mine)
                mine.clear()

    def _timed_out(self, page: Page, attempt: int, outcome: Callable[..., Outcome]) -> Outcome:
        reason = f"no result after {self.schedule.timeout} s; killed"
        keep_failed(page.notebook, self.out_dir, page.stem, reason)
        return outcome("timeout", attempt, reason)

    def _failed(self, page: Page, error: Exception) -> str:
        """A failed page's message, its notebook kept in `_failed/` as far as it ran (but for a
        page that refused its input: its message says it all)."""
        from reactions.render import ExecutionFailed

        if isinstance(error, DataRejected):
            return f"error: {error}"
        if isinstance(error, ExecutionFailed):
            reason, evidence = error.reason, error.evidence
        elif isinstance(error, RenderError):  # printing the PDF failed
            reason, evidence = str(error), None
        else:  # a fault of ours: the page fails, the others go on
            reason, evidence = f"{type(error).__name__}: {error}".strip(), None
        kept = keep_failed(page.notebook, self.out_dir, page.stem, reason, evidence)
        return f"{reason}; {kept}"
