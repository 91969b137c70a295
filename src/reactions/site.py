"""The report folder as a site: a built page's files published with what they moved, and the
files that describe a run (`changes.json`, `history.json`, the Atom feed, the index).

Each page (findings, title, headline, data version) is read just before its new files replace
it and compared with them; a page's corrections (those on record and, when this publish is one,
its own) are written into its HTML as it is published. The run ends by writing what moved
(reactions.changes, reactions.feed), what the site remembers and the index, which marks the
pages that moved. A site file that cannot be written is an outcome of its own, never a
traceback after the pages were published.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import nbformat

from reactions.changes import (
    CHANGES_NAME,
    HISTORY_NAME,
    PageChange,
    Snapshot,
    compare_snapshots,
    correction_record,
    files_snapshot,
    history_json,
    index_marks,
    page_corrections,
    read_history,
    read_page,
    report_json,
    run_report,
    updated_history,
    with_corrections,
)
from reactions.errors import RenderError
from reactions.index import render_index
from reactions.page import Page
from reactions.writer import keep_failed, publish_page, write_atomically

read_before = read_page  # what a publish reads of a page before its new files replace it


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
    at them, with its corrections, and say what they moved. Raises RenderError when they are
    unsafe or cannot be written (the last good page is then unchanged), the error notebook
    kept."""
    try:
        from reactions.render import refuse_unsafe  # the Dask client's look: not a fresh run's

        refuse_unsafe(files, page.stem)
    except RenderError as unsafe:
        kept = keep_failed(page.notebook, out_dir, page.stem, str(unsafe), files.get(page.executed))
        raise RenderError(f"{unsafe}; {kept}") from None
    before = read_before(out_dir, page.stem)  # what readers saw until now
    change = _compare(page.stem, before, lambda: files_snapshot(page.stem, files))
    files = _noted(files, page.stem, out_dir, before, change)
    try:
        publish_page(out_dir, page.stem, files)
    except OSError as error:
        kept = keep_failed(page.notebook, out_dir, page.stem, str(error), files.get(page.executed))
        raise RenderError(
            f"could not write the page ({error}); the last good page is unchanged; {kept}"
        ) from None
    return change


def compared(stem: str, before: Snapshot | None, out_dir: Path) -> PageChange | None:
    """The page a render just published in `out_dir` against the copy it replaced (`before`,
    read under the lock before the render), its corrections then written into its HTML (under
    the lock, atomically); a fault here never fails the page it describes."""
    change = _compare(stem, before, lambda: read_page(out_dir, stem) or Snapshot({}))
    html = out_dir / f"{stem}.html"
    try:
        corrections = _corrections(stem, out_dir, before, change)
        if corrections:
            write_atomically(html, with_corrections(html.read_bytes(), corrections))
    except Exception as error:  # the page stays published: a missing note is said, not fatal
        print(f"corrections: {stem} not noted ({type(error).__name__}: {error})", file=sys.stderr)
    return change


def _compare(
    stem: str, before: Snapshot | None, after: Callable[[], Snapshot]
) -> PageChange | None:
    """Compare, dated today (UTC); a fault here never fails the page it describes."""
    try:
        change = compare_snapshots(stem, before, after())
    except Exception as error:
        print(f"changes: {stem} not compared ({type(error).__name__}: {error})", file=sys.stderr)
        return None
    return replace(change, on=dt.datetime.now(dt.UTC).date().isoformat())


def _corrections(
    stem: str, out_dir: Path, before: Snapshot | None, change: PageChange | None
) -> list[dict[str, Any]]:
    """The corrections a page shows: those on record (history.json; none for a page published
    for the first time) and this publish's own, if it is one."""
    corrections = page_corrections(out_dir, stem) if before is not None else []
    if change is not None and change.correction:
        corrections.append(correction_record(change, change.on))
    return corrections


def _noted(
    files: dict[str, bytes],
    stem: str,
    out_dir: Path,
    before: Snapshot | None,
    change: PageChange | None,
) -> dict[str, bytes]:
    """A built page's files with its corrections in its HTML."""
    html = f"{stem}.html"
    try:
        corrections = _corrections(stem, out_dir, before, change)
        if not corrections or html not in files:
            return files
        return files | {html: with_corrections(files[html], corrections)}
    except Exception as error:  # the page still publishes: a missing note is said, not fatal
        print(f"corrections: {stem} not noted ({type(error).__name__}: {error})", file=sys.stderr)
        return files


def write_site_files(
    out_dir: Path,
    run_time: dt.datetime,
    outcomes: list[Outcome],
    base_url: str | None = None,
) -> list[Outcome]:
    """Write changes.json, history.json, the feed (its links absolute under `base_url`, if
    given) and the index, each whatever became of the others; those that could not be
    written, as outcomes."""
    from reactions.feed import FEED_NAME

    failures = []
    steps = (
        (CHANGES_NAME, lambda: write_changes(out_dir, run_time, outcomes)),
        (HISTORY_NAME, lambda: write_history(out_dir, run_time, outcomes)),
        (FEED_NAME, lambda: write_feed(out_dir, run_time, outcomes, base_url)),
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
    out_dir: Path,
    run_time: dt.datetime,
    outcomes: list[Outcome],
    base_url: str | None = None,
) -> list[PageChange]:
    """Write what this run moved: `changes.json` (always: it describes this run), what the site
    remembers (`history.json`) and the Atom feed (an entry per changed page and one for the
    pages published for the first time; untouched when there is none), each atomically. A page
    published for the first time is `new`, not a change: it had nothing to be compared with."""
    write_changes(out_dir, run_time, outcomes)
    write_history(out_dir, run_time, outcomes)
    write_feed(out_dir, run_time, outcomes, base_url)
    return _changes(outcomes)


def _changes(outcomes: list[Outcome]) -> list[PageChange]:
    """What each page's outcome moved; a page not built again (its key unchanged) moved
    nothing."""
    return [
        outcome.change if outcome.change is not None else PageChange(outcome.stem, "unchanged")
        for outcome in outcomes
        if outcome.change is not None or outcome.status == "unchanged"
    ]


def write_changes(out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]) -> None:
    failed = [o.stem for o in outcomes if o.status in ("failed", "timeout")]
    report = run_report(run_time, _changes(outcomes), failed)
    write_atomically(out_dir / CHANGES_NAME, report_json(report))


def write_history(out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome]) -> None:
    """history.json after this run: the pages still published (their HTML is there) with when
    they were first published, last changed and corrected."""
    published = {path.name.removesuffix(".html") for path in out_dir.glob("*.html")}
    history = updated_history(read_history(out_dir), _changes(outcomes), run_time, published)
    write_atomically(out_dir / HISTORY_NAME, history_json(history))


def write_feed(
    out_dir: Path, run_time: dt.datetime, outcomes: list[Outcome], base_url: str | None = None
) -> None:
    from reactions.feed import FEED_NAME, updated_feed  # feedgen only where a run ends

    feed_path = out_dir / FEED_NAME
    existing = feed_path.read_bytes() if feed_path.is_file() else None
    feed = updated_feed(existing, _changes(outcomes), run_time, out_dir, base_url)
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
