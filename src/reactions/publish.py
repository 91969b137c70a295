"""Publish a schedule (reactions.schedule): bounded parallel builds, isolated failures, then the
site files (reactions.site). Every page is built by the one pipeline (reactions.render):

- on Dask, in warm kernels (reactions.on_dask), when there are more pages to build than jobs;
- else in this process, each page in a fresh kernel of its own, from a pool of N threads
  (reactions.in_process: no second start of Python and the pipeline's imports a page);
- with `--fresh-kernels` (or $REACTIONS_FRESH_KERNELS=1), each page in its own `reactions
  render` process, in its own process group with its own kernel, from a pool of N threads.

Either way: a timeout per page, retries when a kernel fails to start (its exit code says so,
never its words), one failure never stops the others, and a lock on the report folder keeps two
publish runs from writing it at once, held until every build is gone: an interrupted run
(Ctrl-C, SIGTERM) kills its builds, cancels the queue and still indexes what was published.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reactions.errors import TRY_AGAIN, PublishLocked
from reactions.in_process import InProcess, build_pooled
from reactions.keys import (
    KEY_SUFFIX,
    every_page_stale,
    is_current,
    key_bytes,
    page_key,
    published_stems,
)
from reactions.page import Page, Site
from reactions.schedule import Schedule
from reactions.site import (
    Outcome,
    compared,
    publish_datasets,
    read_before,
    run_links,
    write_site_files,
)
from reactions.writer import (
    PAGE_LINKS,
    PUBLISH_PARENT,
    clean_stale_temporaries,
    keep_failed,
    prune_shared,
    remove_page,
    write_atomically,
)

if TYPE_CHECKING:  # Dask is imported only by a run that uses it
    from reactions.on_dask import DaskStart

LOCK_NAME = ".publish.lock"


class FreshRenders:
    """Pages built each in a `reactions render` process of its own; all killed at once when
    the run stops."""

    def __init__(self, out_dir: Path, schedule: Schedule) -> None:
        self.out_dir = out_dir
        self.schedule = schedule
        self.children: set[subprocess.Popen] = set()
        self.lock = threading.Lock()
        self.cancelled = threading.Event()

    def kill_all(self) -> None:
        """Stop every render still running, with its kernel (each is its own process group)."""
        with self.lock:
            for process in list(self.children):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)

    def run(self, page: Page) -> Outcome:
        """Render one page in its own process group; retry only kernel start failures."""
        schedule, out_dir = self.schedule, self.out_dir
        started = time.perf_counter()
        command = [sys.executable, "-m", "reactions.cli", "render", str(page.notebook)]
        command += ["-y", json.dumps(page.parameters), "--out", str(out_dir)]
        if schedule.cell_timeout:
            command += ["--cell-timeout", str(schedule.cell_timeout)]
        if page.pdf:
            command.append("--pdf")
        command += site_options(page.site)
        error, attempt = "", 0
        before = read_before(out_dir, page.stem)  # under the run's lock, before the render
        for attempt in range(1, schedule.retries + 2):
            if self.cancelled.is_set():
                seconds = time.perf_counter() - started
                return Outcome(page.stem, "cancelled", seconds, attempt - 1, "")
            process = subprocess.Popen(
                command,
                env=os.environ
                | {PUBLISH_PARENT: str(os.getpid()), PAGE_LINKS: page.links.as_json()},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            with self.lock:
                self.children.add(process)
            try:
                _, error = process.communicate(timeout=schedule.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same group
                process.communicate()
                reason = f"no result after {schedule.timeout} s; killed"
                keep_failed(page.notebook, out_dir, page.stem, reason)
                seconds = time.perf_counter() - started
                return Outcome(page.stem, "timeout", seconds, attempt, reason)
            finally:
                with self.lock:
                    self.children.discard(process)
            if self.cancelled.is_set():
                return Outcome(page.stem, "cancelled", time.perf_counter() - started, attempt, "")
            if process.returncode == 0:
                change = compared(page.stem, before, out_dir)
                seconds = time.perf_counter() - started
                return Outcome(page.stem, "published", seconds, attempt, "", change)
            if process.returncode != TRY_AGAIN:
                break
        message = _last_error_line(error)
        return Outcome(page.stem, "failed", time.perf_counter() - started, attempt, message)

    def publish(self, jobs: int, progress: Progress, outcomes: list[Outcome]) -> None:
        build_pooled(self.run, self.schedule.jobs, jobs, progress, outcomes, self.stop)

    def stop(self) -> None:
        """Ctrl-C, SIGTERM or a crash: no render outlives the run."""
        self.cancelled.set()
        self.kill_all()


def site_options(site: Site) -> list[str]:
    """`reactions render`'s options for a page of this site."""
    options = ["--shared-runtime"] if site.shared_runtime else []
    for option, value in (
        ("--site-url", site.url),
        ("--site-title", site.title),
        ("--site-licence", site.licence),
    ):
        if value:
            options += [option, value]
    return options


def _last_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and "WARNING" not in line]
    return lines[-1] if lines else "failed without a message"


def publish(
    schedule: Schedule,
    out_dir: Path,
    jobs: int,
    console: Console | None = None,
    lock_timeout: float = 0,
    fresh_kernels: bool | None = None,
    scheduler: str | None = None,
    force: bool = False,
    early: DaskStart | None = None,
) -> list[Outcome]:
    """Build every scheduled page whose key changed (reactions.keys; `force`: every page) with
    at most `jobs` at once, remove the pages the schedule no longer lists and the shared
    runtimes no page names (`_static/`), then write the site files. Pages left as they were
    are outcomes "unchanged". Each page is built for its schedule's site (reactions.page.Site:
    its URL, title, licence, the shared runtime), which is part of its key.

    Warm kernels on Dask (a LocalCluster of `jobs` workers, or the cluster at `scheduler`,
    default $DASK_SCHEDULER_ADDRESS) when there are more pages to build than `jobs` (a warm
    kernel pays off from a worker's second page); else each page in a fresh kernel, built in
    this process (reactions.in_process); with `fresh_kernels` (default: $REACTIONS_FRESH_KERNELS
    set to 1), one `reactions render` subprocess per page. The Dask workers and their kernels
    start as soon as it is known that they will be used: `early` (EarlyStart, while the
    schedule was checked), else once the keys are known, while the site is readied; closed,
    unused, when the run is refused or builds otherwise."""
    fresh_kernels, address = builders(fresh_kernels, scheduler)
    console = console or Console(stderr=True)
    try:
        if address and not fresh_kernels:  # refused in seconds, before the lock and the index
            from reactions.cluster import check_scheduler

            check_scheduler(address)
        lock = _locked(out_dir, lock_timeout)
    except BaseException:
        if early is not None:  # started while the schedule was checked: shut down, unused
            early.close()
        raise
    run_time = dt.datetime.now(dt.UTC).replace(microsecond=0)  # in changes.json, the feed
    previous = signal.signal(signal.SIGTERM, _on_terminate)
    starting = early
    try:  # each page's place in the site (reactions.site), so its key: what is to be built
        schedule = _placed(schedule, out_dir)
        keys = _keys(schedule)
        todo = [
            page
            for page in schedule.jobs
            if force or not is_current(out_dir, page, keys[page.stem])
        ]
        in_process = not fresh_kernels and not address and len(todo) <= jobs
        on_dask = bool(todo) and not fresh_kernels and not in_process
        if starting is not None and not on_dask:  # guessed wrong: shut down, unused
            starting.close()
            starting = None
        if on_dask and starting is None:  # workers and kernels start while the site is readied
            from reactions.on_dask import DaskStart

            starting = DaskStart(jobs, todo[0].notebook.resolve().parent, address)
        schedule = _with_datasets(schedule, out_dir, console)  # each story's dataset, once
        todo = [page for page in schedule.jobs if page.stem in {job.stem for job in todo}]
    except BaseException:  # refused before anything was built: nothing left running
        if starting is not None:
            starting.close()
        signal.signal(signal.SIGTERM, previous)
        lock.release()
        raise
    outcomes: list[Outcome] = []  # filled as pages publish: kept if interrupted
    building = replace(schedule, jobs=todo)
    fresh = InProcess(out_dir, building) if in_process else FreshRenders(out_dir, building)
    try:
        clean_stale_temporaries(out_dir, every=True)  # under the lock: every one is stale
        for stem in published_stems(out_dir):  # pages the schedule no longer lists
            if stem not in keys:
                remove_page(out_dir, stem)
        outcomes += [
            Outcome(page.stem, "unchanged", 0.0, 0, "")
            for page in schedule.jobs
            if page not in todo
        ]
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            if not todo:
                pass
            elif fresh_kernels or in_process:
                fresh.publish(jobs, progress, outcomes)
            else:
                from reactions.on_dask import publish_on_dask

                assert starting is not None  # started once the keys said Dask
                publish_on_dask(
                    building, out_dir, progress, console, outcomes, fresh.cancelled, starting
                )
    finally:
        fresh.kill_all()
        if starting is not None:  # closed by publish_on_dask; here if it never got that far
            starting.close()
        for outcome in outcomes:  # also when interrupted: what was published is current
            if outcome.status == "published":
                key = key_bytes(keys[outcome.stem])
                write_atomically(out_dir / f"{outcome.stem}{KEY_SUFFIX}", key)
        with contextlib.suppress(OSError):  # a runtime no published page loads any more
            prune_shared(out_dir)
        signal.signal(signal.SIGTERM, previous)
        try:  # what moved, also when interrupted: the pages published so far did change
            site = write_site_files(out_dir, run_time, outcomes, schedule.site.url or None)
        finally:
            lock.release()
    return sorted(outcomes, key=lambda outcome: outcome.stem) + site


class EarlyStart:
    """A publish run's Dask workers and kernels started while its schedule is still checked,
    when it is certain that they will be used: called with the schedule's page count once the
    pages are counted, before each is checked (reactions.schedule.load_schedule's `on_counted`).

    Certain means: the local cluster is the way (no `--fresh-kernels`, no scheduler address),
    there are more pages than jobs, and every page will be built: `--force`, or the report
    folder holds no page key yet (a first publish), or the pages' keys were made by other code
    or another runtime (keys.every_page_stale). Anything else waits for the keys, so a run with
    nothing to build never starts a worker. Not started either while another run holds the
    folder's lock. `started` is then given to `publish`, which uses it or shuts it down; the
    caller shuts it down when the schedule is refused (`close`)."""

    def __init__(
        self,
        out_dir: Path,
        jobs: int,
        notebooks: Path,
        fresh_kernels: bool | None = None,
        scheduler: str | None = None,
        force: bool = False,
    ) -> None:
        self.out_dir, self.jobs, self.notebooks = out_dir, jobs, notebooks
        fresh, address = builders(fresh_kernels, scheduler)
        self.wanted = not fresh and not address
        self.force = force
        self.started: DaskStart | None = None

    def counted(self, pages: int) -> None:
        if not self.wanted or pages <= self.jobs:
            return
        if not self.force and not every_page_stale(self.out_dir):
            return
        if self._locked_elsewhere():
            return
        from reactions.on_dask import DaskStart

        self.started = DaskStart(self.jobs, self.notebooks.resolve(), None)

    def _locked_elsewhere(self) -> bool:
        path = self.out_dir / LOCK_NAME
        if not path.exists():
            return False
        try:
            with FileLock(str(path), timeout=0):
                return False
        except Timeout:
            return True

    def close(self) -> None:
        if self.started is not None:
            self.started.close()


def builders(fresh_kernels: bool | None, scheduler: str | None) -> tuple[bool, str | None]:
    """(a subprocess per page, the Dask scheduler's address): the flags, else the environment
    ($REACTIONS_FRESH_KERNELS=1, $DASK_SCHEDULER_ADDRESS)."""
    if fresh_kernels is None:
        fresh_kernels = os.environ.get("REACTIONS_FRESH_KERNELS", "") == "1"
    return fresh_kernels, scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None


def _locked(out_dir: Path, lock_timeout: float) -> FileLock:
    """The report folder's lock, held (PublishLocked when another run holds it)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise PublishLocked(
            f"another publish run holds {out_dir / LOCK_NAME}; "
            "nothing was rendered (try again when it has finished)"
        ) from None
    return lock


def _placed(schedule: Schedule, out_dir: Path) -> Schedule:
    """The schedule's pages with their links (site.run_links) but their story's dataset, which
    `_with_datasets` adds: a page's siblings, part of its key, are known before."""
    settings = {"url": schedule.site.url, "licence": schedule.site.licence}
    links = run_links(schedule.jobs, out_dir, settings)
    return replace(schedule, jobs=[replace(page, links=links[page.stem]) for page in schedule.jobs])


def _with_datasets(schedule: Schedule, out_dir: Path, console: Console) -> Schedule:
    """Each story's dataset published (site.publish_datasets), and linked by its pages' headers
    and footers: what they link exists."""

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)

    datasets = publish_datasets(out_dir, schedule.jobs, say)
    jobs = []
    for page in schedule.jobs:
        files, version = datasets.get(page.story, ((), ""))
        links = replace(page.links, dataset=files, dataset_version=version)
        jobs.append(replace(page, links=links))
    return replace(schedule, jobs=jobs)


def _keys(schedule: Schedule) -> dict[str, dict]:
    """Each scheduled page's key, its siblings the pages its header links (site.run_links)."""
    return {
        page.stem: page_key(
            page,
            tuple(sorted(sibling.file.removesuffix(".html") for sibling in page.links.siblings)),
        )
        for page in schedule.jobs
    }


def _on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM as Ctrl-C inside the block (in the main thread): an orderly stop."""
    previous = signal.signal(signal.SIGTERM, _on_terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def summary_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="publish summary")
    for column in ("page", "status", "seconds", "attempts", "message"):
        table.add_column(column)
    for outcome in outcomes:
        table.add_row(  # page names and messages are text, never rich markup
            escape(outcome.stem),
            outcome.status,
            f"{outcome.seconds:.1f}",
            str(outcome.attempts),
            escape(outcome.message),
        )
    return table
