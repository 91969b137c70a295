"""Publish many briefs on a schedule: bounded parallel renders, isolated failures, an index.

Each brief runs in its own `reactions render` subprocess (its own kernel), from a pool of N
workers, with a timeout per brief and retries when a kernel fails to start (the known port race
`ZMQError: Address already in use`, "Kernel didn't respond"). One failure never stops the others;
a lock on the report folder keeps two publish runs from writing it at once.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from filelock import FileLock, Timeout
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from reactions.errors import ParameterError, Problem, PublishLocked, ScheduleError
from reactions.html import render_index
from reactions.reference import Reference
from reactions.render import (
    BriefRequest,
    check_comparison,
    check_request,
    keep_failed,
    write_atomically,
)

KERNEL_START_FAILURES = (
    "Address already in use",
    "Kernel didn't respond",
    "Kernel died before replying",
)
BRIEF_KEYS = {"actor", "issue", "as_of", "compare_to", "compare_with"}
MATRIX_KEYS = {"actors", "issues", "as_of", "compare_to", "compare_with"}
COMPARISON_KEYS = {"as_of", "issue", "group"}
TOP_KEYS = {"briefs", "matrix", "comparisons", "timeout", "retries", "cell_timeout"}
LOCK_NAME = ".publish.lock"


@dataclass(frozen=True)
class Job:
    """One page to render: its output stem and the `reactions` arguments that render it."""

    stem: str
    arguments: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    stem: str
    status: str  # published | failed | timeout
    seconds: float
    attempts: int
    message: str


@dataclass(frozen=True)
class Schedule:
    jobs: list[Job]
    timeout: int
    retries: int


class _ScheduleLoader(yaml.SafeLoader):
    """Dates stay text, so that an impossible date is reported by our own check."""


_ScheduleLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _as_date(value: object, today: dt.date) -> str:
    if value == "today":
        return today.isoformat()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def load_schedule(path: Path, reference: Reference, today: dt.date | None = None) -> Schedule:
    """Read schedule.yml and check every page against the dataset before anything runs."""
    today = today or dt.date.today()
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=_ScheduleLoader)
    except FileNotFoundError:
        raise ScheduleError([Problem(name, None, None, str(path), "file is missing")]) from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        mark = getattr(error, "problem_mark", None)
        raise ScheduleError(
            [
                Problem(
                    name,
                    mark.line + 1 if mark else None,
                    None,
                    str(getattr(error, "problem", error)),
                    "file must be valid UTF-8 YAML",
                )
            ]
        ) from None
    if not isinstance(root, yaml.MappingNode):
        raise ScheduleError(
            [
                Problem(
                    name,
                    1,
                    None,
                    "",
                    "schedule must be a mapping with briefs, matrix and/or comparisons",
                )
            ]
        )
    problems: list[Problem] = []
    jobs: list[Job] = []
    settings = {"timeout": 600, "retries": 2, "cell_timeout": 0}
    constructor = _ScheduleLoader("")
    for key_node, value_node in root.value:
        key, line = key_node.value, _line_of(key_node)
        value = constructor.construct_document(value_node)
        if key not in TOP_KEYS:
            problems.append(
                Problem(name, line, key, key, f"unknown key; use {', '.join(sorted(TOP_KEYS))}")
            )
        elif key in settings:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                problems.append(Problem(name, line, key, str(value), "must be a whole number"))
            else:
                settings[key] = value
        elif key == "briefs":
            for item_node in _items(value_node, name, key, problems):
                jobs += _brief_jobs(
                    item_node, constructor, BRIEF_KEYS, reference, today, name, problems
                )
        elif key == "matrix":
            jobs += _brief_jobs(
                value_node, constructor, MATRIX_KEYS, reference, today, name, problems
            )
        else:
            for item_node in _items(value_node, name, key, problems):
                jobs += _comparison_jobs(item_node, constructor, reference, today, name, problems)
    stems = [job.stem for job in jobs]
    problems += [
        Problem(name, None, "briefs", stem, "the same page is scheduled twice")
        for stem in sorted({stem for stem in stems if stems.count(stem) > 1})
    ]
    if not jobs and not problems:
        problems.append(Problem(name, 1, None, "", "the schedule lists no brief"))
    if problems:
        raise ScheduleError(problems)
    if settings["cell_timeout"]:
        extra = ("--cell-timeout", str(settings["cell_timeout"]))
        jobs = [Job(job.stem, job.arguments + extra) for job in jobs]
    return Schedule(jobs, settings["timeout"], settings["retries"])


def _items(node: yaml.Node, name: str, key: str, problems: list[Problem]) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        problems.append(Problem(name, _line_of(node), key, "", "must be a list"))
        return []
    return node.value


def _mapping(
    node: yaml.Node,
    constructor: yaml.SafeLoader,
    allowed: set[str],
    name: str,
    problems: list[Problem],
) -> dict[str, tuple[object, int]] | None:
    if not isinstance(node, yaml.MappingNode):
        problems.append(Problem(name, _line_of(node), None, "", "each entry must be a mapping"))
        return None
    entry = {}
    for key_node, value_node in node.value:
        if key_node.value not in allowed:
            problems.append(
                Problem(
                    name,
                    _line_of(key_node),
                    key_node.value,
                    key_node.value,
                    f"unknown key; use {', '.join(sorted(allowed))}",
                )
            )
            continue
        entry[key_node.value] = (constructor.construct_document(value_node), _line_of(value_node))
    return entry


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _brief_jobs(
    node: yaml.Node,
    constructor: yaml.SafeLoader,
    allowed: set[str],
    reference: Reference,
    today: dt.date,
    name: str,
    problems: list[Problem],
) -> list[Job]:
    entry = _mapping(node, constructor, allowed, name, problems)
    if entry is None:
        return []
    actor_key, issue_key = ("actors", "issues") if "actors" in allowed else ("actor", "issue")
    missing = [key for key in (actor_key, issue_key, "as_of") if key not in entry]
    if missing:
        problems += [
            Problem(name, _line_of(node), key, "", "required key is missing") for key in missing
        ]
        return []
    compare_with = entry.get("compare_with", (None, 0))[0]
    compare_to, _ = entry.get("compare_to", ("", 0))
    jobs = []
    for actor in _as_list(entry[actor_key][0]):
        for issue in _as_list(entry[issue_key][0]):
            for as_of in _as_list(entry["as_of"][0]):
                request = BriefRequest(
                    actor=str(actor),
                    issue=str(issue),
                    as_of=_as_date(as_of, today),
                    compare_to=_as_date(compare_to, today) if compare_to else "",
                    compare_with=[str(a) for a in compare_with]
                    if compare_with is not None
                    else None,
                )
                try:
                    check_request(reference, request)
                except ParameterError as error:
                    line = entry[actor_key][1]
                    problems.append(
                        Problem(name, line, actor_key, f"{actor}/{issue}/{as_of}", str(error))
                    )
                    continue
                arguments = [
                    "render",
                    "--actor",
                    request.actor,
                    "--issue",
                    request.issue,
                    "--as-of",
                    request.as_of,
                ]
                if request.compare_to:
                    arguments += ["--compare-to", request.compare_to]
                if request.compare_with is not None:
                    arguments += ["--compare-with", *request.compare_with]
                jobs.append(Job(request.stem, tuple(arguments)))
    return jobs


def _comparison_jobs(
    node: yaml.Node,
    constructor: yaml.SafeLoader,
    reference: Reference,
    today: dt.date,
    name: str,
    problems: list[Problem],
) -> list[Job]:
    entry = _mapping(node, constructor, COMPARISON_KEYS, name, problems)
    if entry is None:
        return []
    if "as_of" not in entry:
        problems.append(Problem(name, _line_of(node), "as_of", "", "required key is missing"))
        return []
    as_of = _as_date(entry["as_of"][0], today)
    issue, group = str(entry.get("issue", ("all", 0))[0]), str(entry.get("group", ("all", 0))[0])
    try:
        stem = check_comparison(reference, as_of, issue, group)
    except ParameterError as error:
        problems.append(Problem(name, entry["as_of"][1], "comparisons", as_of, str(error)))
        return []
    return [Job(stem, ("compare", "--as-of", as_of, "--issue", issue, "--group", group))]


def run_job(
    job: Job, data_dir: Path, out_dir: Path, notebooks: Path, timeout: int, retries: int
) -> Outcome:
    """Render one page in its own process group; retry only kernel start failures."""
    started = time.perf_counter()
    notebook = notebooks / ("compare.ipynb" if job.arguments[0] == "compare" else "brief.ipynb")
    command = [sys.executable, "-m", "reactions.cli", *job.arguments]
    command += ["--data", str(data_dir), "--out", str(out_dir), "--notebook", str(notebook)]
    for attempt in range(1, retries + 2):
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            _, error = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel too: it is in the same group
            process.communicate()
            reason = f"no result after {timeout} s; killed"
            keep_failed(notebook, out_dir, job.stem, reason)
            return Outcome(job.stem, "timeout", time.perf_counter() - started, attempt, reason)
        if process.returncode == 0:
            return Outcome(job.stem, "published", time.perf_counter() - started, attempt, "")
        if not any(marker in error for marker in KERNEL_START_FAILURES) or attempt > retries:
            break
    message = _last_error_line(error)
    return Outcome(job.stem, "failed", time.perf_counter() - started, attempt, message)


def _last_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip() and "WARNING" not in line]
    return lines[-1] if lines else "failed without a message"


def publish(
    schedule: Schedule,
    data_dir: Path,
    out_dir: Path,
    jobs: int,
    console: Console | None = None,
    lock_timeout: float = 0,
    notebooks: Path = Path("notebooks"),
) -> list[Outcome]:
    """Render every scheduled page with at most `jobs` at once, then rebuild the index."""
    console = console or Console(stderr=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK_NAME))
    try:
        lock.acquire(timeout=lock_timeout)
    except Timeout:
        raise PublishLocked(
            f"another publish run holds {out_dir / LOCK_NAME}; "
            "nothing was rendered (try again when it has finished)"
        ) from None
    try:
        outcomes = []
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with (
            Progress(*columns, console=console, transient=False) as progress,
            ThreadPoolExecutor(max_workers=jobs) as pool,
        ):
            task = progress.add_task("rendering", total=len(schedule.jobs))
            futures = [
                pool.submit(
                    run_job, job, data_dir, out_dir, notebooks, schedule.timeout, schedule.retries
                )
                for job in schedule.jobs
            ]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                progress.update(task, advance=1, description=f"{outcome.stem}: {outcome.status}")
        write_index(out_dir)
    finally:
        lock.release()
    return sorted(outcomes, key=lambda outcome: outcome.stem)


def summary_table(outcomes: list[Outcome]) -> Table:
    table = Table(title="publish summary")
    for column in ("brief", "status", "seconds", "attempts", "message"):
        table.add_column(column)
    for outcome in outcomes:
        table.add_row(
            outcome.stem,
            outcome.status,
            f"{outcome.seconds:.1f}",
            str(outcome.attempts),
            outcome.message,
        )
    return table


def published_pages(out_dir: Path) -> list[dict[str, str]]:
    """Every page in the report folder with its parameters and render time (from its notebook)."""
    pages = []
    for html in sorted(out_dir.glob("*.html")):
        executed = html.with_suffix(".ipynb")
        if html.name == "index.html" or not executed.exists():
            continue
        metadata = nbformat.read(executed, as_version=4).metadata.get("papermill", {})
        parameters = metadata.get("parameters", {})
        pages.append(
            {
                "file": html.name,
                "actor": str(parameters.get("focal_actor", "all actors")),
                "issue": str(parameters.get("issue", "")),
                "as_of": str(parameters.get("as_of", "")),
                "compare_to": str(parameters.get("compare_to", "")),
                "rendered": str(metadata.get("end_time", ""))[:19].replace("T", " "),
                "seconds": f"{metadata.get('duration') or 0:.1f}",
            }
        )
    return pages


def write_index(out_dir: Path) -> Path:
    target = out_dir / "index.html"
    write_atomically(target, render_index(published_pages(out_dir)).encode("utf-8"))
    return target
