"""The report folder as a site: a built page's files published with what they moved, and the
files that describe a run (`changes.json`, the Atom feed, the index).

Each page's findings are read just before its new files replace them and again after: the run
ends by writing what moved (reactions.changes, reactions.feed) and the index, which marks the
pages that moved. A site file that cannot be written is an outcome of its own, never a
traceback after the pages were published.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

from reactions.changes import (
    CHANGES_NAME,
    PageChange,
    compare_page,
    index_marks,
    read_findings,
    report_json,
    run_report,
)
from reactions.errors import RenderError
from reactions.index import render_index
from reactions.page import Page
from reactions.render import refuse_unsafe
from reactions.writer import keep_failed, publish_page, write_atomically


@dataclass(frozen=True)
class Outcome:
    """What became of one page (or site file) in a run."""

    stem: str
    status: str  # published | failed | timeout | cancelled
    seconds: float
    attempts: int
    message: str
    change: PageChange | None = None  # a published page against the copy it replaced


def publish_built(page: Page, files: dict[str, bytes], out_dir: Path) -> PageChange | None:
    """Publish a built page's files (under the run's lock) after this process's own last look
    at them, and say what they moved. Raises RenderError when they are unsafe or cannot be
    written (the last good page is then unchanged), the error notebook kept."""
    try:
        refuse_unsafe(files, page.stem)
    except RenderError as unsafe:
        kept = keep_failed(page.notebook, out_dir, page.stem, str(unsafe), files.get(page.executed))
        raise RenderError(f"{unsafe}; {kept}") from None
    before = read_findings(out_dir, page.stem)  # what readers saw until now
    try:
        publish_page(out_dir, page.stem, files)
    except OSError as error:
        kept = keep_failed(page.notebook, out_dir, page.stem, str(error), files.get(page.executed))
        raise RenderError(
            f"could not write the page ({error}); the last good page is unchanged; {kept}"
        ) from None
    return compared(page.stem, before, out_dir)


def compared(stem: str, before: dict[str, str] | None, out_dir: Path) -> PageChange | None:
    """The page just published against the copy it replaced (`before`, read under the lock
    before its files were replaced); a fault here never fails the page it describes."""
    try:
        return compare_page(stem, before, read_findings(out_dir, stem) or {})
    except Exception as error:
        print(f"changes: {stem} not compared ({type(error).__name__}: {error})", file=sys.stderr)
        return None


def write_site_files(
    out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]
) -> list[Outcome]:
    """Write changes.json, the feed and the index, each whatever became of the others; those
    that could not be written, as outcomes."""
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
