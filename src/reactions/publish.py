"""Publish many pages on a schedule: bounded parallel renders, isolated failures, an index.

A schedule lists pages: any notebook of `notebooks/` with its parameters, single or as a matrix
(every combination of the listed values), for one story or several (`data:` per entry), each
also printed to PDF where `pdf: true` says so (at the top for every page, or per entry). Every
page is checked before anything runs, by the same rules a render applies.

By default the pages run on Dask distributed: an in-process `LocalCluster` of N single-threaded
worker processes, or an existing cluster (`--scheduler tcp://HOST:8786` or
$DASK_SCHEDULER_ADDRESS). Each worker keeps one warm kernel and runs page after page in it, reset
between pages (reactions.warm); it returns the page's files as bytes and only this process, the
client, writes the report folder. A worker that dies has its page run again elsewhere (Dask's
own retries); a page that fails or passes its timeout gets its worker a fresh kernel.

With `--fresh-kernels` each page runs in its own `reactions render` subprocess (its own process
group and kernel), from a pool of N threads. Either way: a timeout per page, retries when a
kernel fails to start (the known port race `ZMQError: Address already in use`, "Kernel didn't
respond"), one failure never stops the others, a lock on the report folder keeps two publish
runs from writing it at once and is held until every render is gone: an interrupted run
(Ctrl-C, SIGTERM) kills its renders, cancels the queue and still indexes what was published.

Each page's findings are read just before its new files replace them and again after: the run
ends by writing what moved (`changes.json`, an entry per changed page in the Atom `feed.xml`;
reactions.changes, reactions.feed) and the index, which marks the pages that moved.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from filelock import FileLock, Timeout
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reactions.changes import (
    CHANGES_NAME,
    PageChange,
    compare_page,
    index_marks,
    read_findings,
    report_json,
    run_report,
)
from reactions.errors import (
    DatasetError,
    ParameterError,
    Problem,
    PublishLocked,
    RenderError,
    ScheduleError,
)
from reactions.index import render_index
from reactions.reference import Reference
from reactions.render import (
    PUBLISH_PARENT,
    clean_stale_temporaries,
    find_notebook,
    keep_failed,
    prepare,
    publish_page,
    refuse_unsafe,
    write_atomically,
)
from reactions.yamlfile import compose, construct, line_of, mapping_items

KERNEL_START_FAILURES = (
    "Address already in use",
    "Kernel didn't respond",
    "Kernel died before replying",
)
TOP_KEYS = {"pages", "timeout", "retries", "cell_timeout", "pdf"}
# `pdf: true|false` at the top is every page's default; in an entry, that entry's pages'.
ENTRY_KEYS = {"notebook", "data", "matrix", "pdf"}  # the rest of an entry: the page's parameters
LOCK_NAME = ".publish.lock"
MAX_SECONDS = 7 * 24 * 3600  # a timeout beyond a week is a typo
MAX_PAGES = 1_000  # a schedule beyond this is a typo in a matrix (--max-pages raises it)


@dataclass(frozen=True)
class Job:
    """One page to render: its output stem, notebook, checked parameters and dataset."""

    stem: str
    notebook: Path
    parameters: dict[str, object]
    pdf: bool = False  # also print the page to STEM.pdf


@dataclass(frozen=True)
class Outcome:
    stem: str
    status: str  # published | failed | timeout | cancelled
    seconds: float
    attempts: int
    message: str
    change: PageChange | None = None  # a published page against the copy it replaced


@dataclass(frozen=True)
class Schedule:
    jobs: list[Job]
    timeout: int
    retries: int
    cell_timeout: int


def _as_date(value: object, today: dt.date) -> object:
    return today.isoformat() if value == "today" else value


def load_schedule(
    path: Path,
    notebooks: Path = Path("notebooks"),
    data: str | Path | None = None,
    today: dt.date | None = None,
    allow_outside: bool = False,
    max_pages: int = MAX_PAGES,
) -> Schedule:
    """Read schedule.yml and check every page against its notebook and dataset before anything
    runs; every problem is reported with its line. An entry's notebook must be one of
    `notebooks` unless `allow_outside` (`--allow-notebooks-outside`). A schedule of more than
    `max_pages` pages is refused once counted, before any is expanded or checked."""
    today = today or dt.date.today()
    name = path.name
    root = compose(path, ScheduleError)
    if not isinstance(root, yaml.MappingNode):
        raise ScheduleError(
            [Problem(name, 1, None, "", "schedule must be a mapping with a list of pages")]
        )
    problems: list[Problem] = []
    jobs: list[Job] = []
    references: dict[Path, Reference] = {}
    settings = {"timeout": 600, "retries": 2, "cell_timeout": 0}
    items = mapping_items(root)
    pdf = next(
        (_flag(value, name, key, line, problems) for key, line, value in items if key == "pdf"),
        False,
    )
    for key, line, value_node in items:
        if key == "pdf":
            continue
        if key not in TOP_KEYS:
            problems.append(
                Problem(name, line, key, key, f"unknown key; use {', '.join(sorted(TOP_KEYS))}")
            )
        elif key in settings:
            value = construct(value_node)
            minimum = 0 if key == "retries" else 1
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or not minimum <= value <= MAX_SECONDS
            ):
                problems.append(
                    Problem(
                        name,
                        line,
                        key,
                        str(value)[:40],
                        f"must be a whole number from {minimum} to {MAX_SECONDS}",
                    )
                )
            else:
                settings[key] = value
        else:
            items_of_pages = _items(value_node, name, key, problems)
            counted = [(_page_count(item), line_of(item)) for item in items_of_pages]
            total = sum(count for count, _ in counted)
            if total > max_pages:
                biggest = max(counted)
                raise ScheduleError(
                    [
                        Problem(
                            name,
                            biggest[1],
                            "matrix",
                            f"{total:,} pages",
                            f"a schedule may hold at most {max_pages:,} pages (--max-pages "
                            f"raises it); this entry alone makes {biggest[0]:,}",
                        )
                    ]
                )
            for item in items_of_pages:
                jobs += _page_jobs(
                    item, notebooks, data, today, name, problems, pdf, references, allow_outside
                )
    stems = [job.stem for job in jobs]
    problems += [
        Problem(name, None, "pages", stem, "the same page is scheduled twice")
        for stem in sorted({stem for stem in stems if stems.count(stem) > 1})
    ]
    if not jobs and not problems:
        problems.append(Problem(name, 1, None, "", "the schedule lists no page"))
    problems += _pdf_problems(jobs, name)
    if problems:
        raise ScheduleError(problems)
    return Schedule(jobs, settings["timeout"], settings["retries"], settings["cell_timeout"])


def _page_count(node: yaml.Node) -> int:
    """How many pages an entry makes (the product of its matrix's lengths), before expanding."""
    if not isinstance(node, yaml.MappingNode):
        return 1
    for key, _, value in mapping_items(node):
        if key == "matrix" and isinstance(value, yaml.MappingNode):
            return math.prod(
                len(choices.value) if isinstance(choices, yaml.SequenceNode) else 1
                for _, choices in value.value
            )
    return 1


def _flag(node: yaml.Node, name: str, key: str, line: int, problems: list[Problem]) -> bool:
    """A yes/no setting (`pdf`): true or false."""
    value = construct(node)
    if not isinstance(value, bool):
        problems.append(Problem(name, line, key, str(value)[:40], "must be true or false"))
        return False
    return value


def _pdf_problems(jobs: list[Job], name: str) -> list[Problem]:
    """A schedule that prints PDFs needs a browser to print with: said before anything runs."""
    if not any(job.pdf for job in jobs):
        return []
    from reactions.pdf import chromium

    try:
        chromium()
    except RenderError as error:
        return [Problem(name, None, "pdf", "true", str(error))]
    return []


def _items(node: yaml.Node, name: str, key: str, problems: list[Problem]) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(name, line_of(node), key, "", "must be a list"))
        return []
    return node.value


def _page_jobs(
    node: yaml.Node,
    notebooks: Path,
    data: str | Path | None,
    today: dt.date,
    name: str,
    problems: list[Problem],
    pdf: bool,
    references: dict[Path, Reference],
    allow_outside: bool = False,
) -> list[Job]:
    """The pages of one entry: `notebook`, optional `data`, parameters, and an optional `matrix`
    of parameters whose every combination is a page; `pdf` unless the entry says otherwise.
    `references`: the datasets read so far (render.prepare)."""
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(name, line_of(node), None, "", "each page must be a mapping"))
        return []
    entry = {key: (construct(value), line) for key, line, value in mapping_items(node)}
    for key, line, value in mapping_items(node):
        if key == "pdf":
            pdf = _flag(value, name, key, line, problems)
    if "notebook" not in entry:
        problems.append(Problem(name, line_of(node), "notebook", "", "required key is missing"))
        return []
    notebook_name, line = entry["notebook"]
    try:
        notebook = find_notebook(str(notebook_name), notebooks)
    except ParameterError as error:
        problems.append(Problem(name, line, "notebook", str(notebook_name), str(error)))
        return []
    if not allow_outside and not notebook.resolve().is_relative_to(notebooks.resolve()):
        problems.append(
            Problem(
                name,
                line,
                "notebook",
                str(notebook_name),
                f"must be a notebook of {notebooks} (--allow-notebooks-outside runs others)",
            )
        )
        return []
    fixed = {
        key: _as_date(value, today) for key, (value, _) in entry.items() if key not in ENTRY_KEYS
    }
    matrix = entry.get("matrix", ({}, line))[0]
    if not isinstance(matrix, dict):
        problems.append(Problem(name, line, "matrix", str(matrix)[:40], "must be a mapping"))
        return []
    twice = sorted(str(key) for key in matrix if key in fixed)
    if twice:
        matrix_line = entry["matrix"][1]
        problems += [
            Problem(
                name,
                matrix_line,
                f"matrix.{key}",
                key,
                "is also given a fixed value in this entry: give it once",
            )
            for key in twice
        ]
        return []
    names = list(matrix)
    choices = [value if isinstance(value, list) else [value] for value in matrix.values()]
    jobs = []
    for combination in itertools.product(*choices):
        given = fixed | {
            key: _as_date(value, today) for key, value in zip(names, combination, strict=True)
        }
        try:
            page = prepare(notebook, given, entry.get("data", (data, 0))[0], references)
        except (ParameterError, DatasetError) as error:
            problems.append(
                Problem(
                    name,
                    line,
                    "notebook",
                    f"{notebook.stem} {given}"[:80],
                    str(error).replace("\n", "; "),
                )
            )
            continue
        jobs.append(Job(page.stem, notebook, page.parameters, pdf))
    return jobs


_children: set[subprocess.Popen] = set()
_children_lock = threading.Lock()
_cancelled = threading.Event()


def _kill_children() -> None:
    """Stop every render still running, with its kernel (each is its own process group)."""
    with _children_lock:
        for process in list(_children):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def run_job(job: Job, out_dir: Path, timeout: int, retries: int, cell_timeout: int) -> Outcome:
    """Render one page in its own process group; retry only kernel start failures."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "reactions.cli", "render", str(job.notebook)]
    command += ["-y", json.dumps(job.parameters), "--out", str(out_dir)]
    if cell_timeout:
        command += ["--cell-timeout", str(cell_timeout)]
    if job.pdf:
        command.append("--pdf")
    error, attempt = "", 0
    before = read_findings(out_dir, job.stem)  # under the run's lock, before the render
    for attempt in range(1, retries + 2):
        if _cancelled.is_set():
            return Outcome(job.stem, "cancelled", time.perf_counter() - started, attempt - 1, "")
        process = subprocess.Popen(
            command,
            env=os.environ | {PUBLISH_PARENT: str(os.getpid())},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        with _children_lock:
            _children.add(process)
        try:
            _, error = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same group
            process.communicate()
            reason = f"no result after {timeout} s; killed"
            keep_failed(job.notebook, out_dir, job.stem, reason)
            return Outcome(job.stem, "timeout", time.perf_counter() - started, attempt, reason)
        finally:
            with _children_lock:
                _children.discard(process)
        if _cancelled.is_set():
            return Outcome(job.stem, "cancelled", time.perf_counter() - started, attempt, "")
        if process.returncode == 0:
            change = _compared(job.stem, before, out_dir)
            seconds = time.perf_counter() - started
            return Outcome(job.stem, "published", seconds, attempt, "", change)
        if not any(marker in error for marker in KERNEL_START_FAILURES) or attempt > retries:
            break
    message = _last_error_line(error)
    return Outcome(job.stem, "failed", time.perf_counter() - started, attempt, message)


def _compared(stem: str, before: dict[str, str] | None, out_dir: Path) -> PageChange | None:
    """The page just published against the copy it replaced (`before`, read under the lock
    before its files were replaced); a fault here never fails the page it describes."""
    try:
        return compare_page(stem, before, read_findings(out_dir, stem) or {})
    except Exception as error:
        print(f"changes: {stem} not compared ({type(error).__name__}: {error})", file=sys.stderr)
        return None


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
) -> list[Outcome]:
    """Render every scheduled page with at most `jobs` at once, then rebuild the index.

    Warm kernels on Dask (a LocalCluster of `jobs` workers, or the cluster at `scheduler`,
    default $DASK_SCHEDULER_ADDRESS); `fresh_kernels` (default: $REACTIONS_FRESH_KERNELS set to
    1): one subprocess per page."""
    if fresh_kernels is None:
        fresh_kernels = os.environ.get("REACTIONS_FRESH_KERNELS", "") == "1"
    console = console or Console(stderr=True)
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS") or None
    if address and not fresh_kernels:  # refused in seconds, before the lock and the index
        from reactions.cluster import check_scheduler

        check_scheduler(address)
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise PublishLocked(
            f"another publish run holds {out_dir / LOCK_NAME}; "
            "nothing was rendered (try again when it has finished)"
        ) from None
    _cancelled.clear()
    run_time = dt.datetime.now(dt.UTC).replace(microsecond=0)  # in changes.json, the feed
    previous = signal.signal(signal.SIGTERM, _on_terminate)
    outcomes: list[Outcome] = []
    try:
        clean_stale_temporaries(out_dir, every=True)  # under the lock: every one is stale
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as progress:
            if not fresh_kernels:  # outcomes are filled as pages publish: kept if interrupted
                _publish_on_dask(schedule, out_dir, jobs, progress, console, scheduler, outcomes)
                return sorted(outcomes, key=lambda outcome: outcome.stem)
            pool = ThreadPoolExecutor(max_workers=jobs)
            try:
                task = progress.add_task("rendering", total=len(schedule.jobs))
                futures = [
                    pool.submit(
                        run_job,
                        job,
                        out_dir,
                        schedule.timeout,
                        schedule.retries,
                        schedule.cell_timeout,
                    )
                    for job in schedule.jobs
                ]
                for future in as_completed(futures):
                    outcome = future.result()
                    outcomes.append(outcome)
                    progress.update(
                        task, advance=1, description=escape(f"{outcome.stem}: {outcome.status}")
                    )
            except BaseException:  # Ctrl-C, SIGTERM or a crash: no render outlives the run
                _cancelled.set()
                _kill_children()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            finally:
                pool.shutdown(wait=True)
    finally:
        _kill_children()
        signal.signal(signal.SIGTERM, previous)
        try:  # what moved, also when interrupted: the pages published so far did change
            site = _site_files(out_dir, run_time, outcomes)
        finally:
            lock.release()
    return sorted(outcomes, key=lambda outcome: outcome.stem) + site


def _site_files(out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]) -> list[Outcome]:
    """Write changes.json, the feed and the index, each whatever became of the others; one
    that cannot be written (a folder in its place, a read-only or full disk) is an outcome of
    its own in the summary, never a traceback after the pages were published."""
    from reactions.feed import FEED_NAME

    failures = []
    steps = (
        (CHANGES_NAME, lambda: write_changes(out_dir, run_time, outcomes)),
        (FEED_NAME, lambda: write_feed(out_dir, run_time, outcomes)),
        ("index.html", lambda: write_index(out_dir)),
    )
    for name, step in steps:
        started = time.perf_counter()
        try:
            step()
        except Exception as error:
            reason = f"not written: {type(error).__name__}: {error}"
            failures.append(Outcome(name, "failed", time.perf_counter() - started, 1, reason))
    return failures


def _publish_on_dask(
    schedule: Schedule,
    out_dir: Path,
    jobs: int,
    progress: Progress,
    console: Console,
    scheduler: str | None,
    outcomes: list[Outcome],
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
        for job in schedule.jobs:
            future = client.submit(
                render_task,
                str(job.notebook.resolve()),
                job.parameters,
                job.stem,
                schedule.timeout,
                schedule.retries,
                schedule.cell_timeout,
                job.pdf,
                key=("reactions-page", f"{run}/{job.stem}"),  # one task group: durations learnt
                pure=False,
            )
            pending[future] = job
        for future in as_completed(list(pending)):
            job = pending.pop(future)
            outcome = _published(future, job, out_dir)
            future.release()
            outcomes.append(outcome)
            progress.update(
                task, advance=1, description=escape(f"{outcome.stem}: {outcome.status}")
            )
    except BaseException:  # Ctrl-C, SIGTERM or a crash: no render outlives the run
        _cancelled.set()
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


def _published(future: object, job: Job, out_dir: Path) -> Outcome:
    """A finished task's outcome, its files published (or its failure kept in `_failed/`)."""
    try:
        result = future.result()  # type: ignore[attr-defined]
    except Exception as error:  # KilledWorker after Dask's retries, or a crash in the task
        reason = f"{type(error).__name__}: {error}".strip()
        keep_failed(job.notebook, out_dir, job.stem, reason)
        return Outcome(job.stem, "failed", 0.0, 1, reason)
    status, message = result["status"], result["message"]
    change = None
    if status == "published":
        before = read_findings(out_dir, job.stem)  # what readers saw until now
        try:
            refuse_unsafe(result["files"], job.stem)
            publish_page(out_dir, job.stem, result["files"])
        except RenderError as error:
            status = "failed"
            notebook = result["files"].get(f"{job.stem}.ipynb")
            kept = keep_failed(job.notebook, out_dir, job.stem, str(error), content=notebook)
            message = f"{error}; {kept}"
        except OSError as error:
            status = "failed"
            message = f"could not write the page ({error}); the last good page is unchanged"
        else:
            change = _compared(job.stem, before, out_dir)
    elif status == "timeout" or result["evidence"] is not None or "DeadKernel" in message:
        kept = keep_failed(job.notebook, out_dir, job.stem, message, content=result["evidence"])
        if status != "timeout":
            message = f"{message}; {kept}"
    return Outcome(job.stem, status, result["seconds"], result["attempts"], message, change)


def _on_terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # the same orderly stop as Ctrl-C


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


def published_pages(out_dir: Path) -> tuple[list[dict[str, str]], list[str]]:
    """Every page in the report folder with its story, notebook, parameters and render time
    (from its executed notebook); pages whose notebook cannot be read are skipped and named."""
    pages, skipped = [], []
    for html in sorted(out_dir.glob("*.html")):
        executed = html.with_suffix(".ipynb")
        if html.name == "index.html":
            continue
        try:
            metadata = nbformat.read(executed, as_version=4).metadata
            papermill_meta = metadata.get("papermill", {})
            parameters = dict(papermill_meta.get("parameters", {}))
            story, page = html.stem.split(".")[:2]
        except Exception as error:  # a truncated or odd notebook must not stop the index
            skipped.append(f"{html.name}: {type(error).__name__}")
            continue
        parameters.pop("data_dir", None)
        pages.append(
            {
                "file": html.name,
                "story": story,
                "page": page,
                "parameters": ", ".join(f"{k}={v}" for k, v in parameters.items()),
                "rendered": str(papermill_meta.get("end_time", ""))[:19].replace("T", " "),
                "seconds": f"{papermill_meta.get('duration') or 0:.1f}",
            }
        )
    return pages, skipped


def record_changes(
    out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]
) -> list[PageChange]:
    """Write what this run moved: `changes.json` (always: it describes this run) and the Atom
    feed (an entry per changed page; untouched when nothing moved), each atomically. A page
    published for the first time is `new`, not a change: it had nothing to be compared with."""
    write_changes(out_dir, run_time, outcomes)
    write_feed(out_dir, run_time, outcomes)
    return _changes(outcomes)


def _changes(outcomes: list[Outcome]) -> list[PageChange]:
    return [outcome.change for outcome in outcomes if outcome.change is not None]


def write_changes(out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]) -> None:
    failed = [o.stem for o in outcomes if o.status in ("failed", "timeout")]
    report = run_report(run_time, _changes(outcomes), failed)
    write_atomically(out_dir / CHANGES_NAME, report_json(report))


def write_feed(out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]) -> None:
    from reactions.feed import FEED_NAME, updated_feed  # feedgen only where a run ends

    feed_path = out_dir / FEED_NAME
    existing = feed_path.read_bytes() if feed_path.is_file() else None
    feed = updated_feed(existing, _changes(outcomes), run_time, out_dir)
    if feed is not None:
        write_atomically(feed_path, feed)


def write_index(out_dir: Path) -> Path:
    target = out_dir / "index.html"
    pages, skipped = published_pages(out_dir)
    for name in skipped:
        print(f"index: skipped {name}", file=sys.stderr)
    marks = index_marks(out_dir)  # what the last publish run moved, from its changes.json
    if marks is not None:
        for page in pages:
            status, moved = marks.get(page["file"].removesuffix(".html"), ("", ""))
            page["status"], page["changed"] = status, moved
    write_atomically(target, render_index(pages).encode("utf-8"))
    return target
