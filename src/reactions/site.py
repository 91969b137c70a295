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
import json
import sys
import time
from collections.abc import Callable, Mapping
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
    last_changed,
    page_corrections,
    read_history,
    read_page,
    report_json,
    run_report,
    updated_history,
    with_corrections,
)
from reactions.downloads import (
    folder_of,
    publish_dataset,
    published_files,
    published_version,
    remove_datasets,
)
from reactions.errors import RenderError
from reactions.index import page_label, render_index
from reactions.locate import resolve_data_dir
from reactions.method import METHOD_SUFFIX
from reactions.page import Page, Sibling, SiteLinks
from reactions.parameters import load_reference
from reactions.present import HEADLINE_ROLE, METADATA_KEY, TITLE_ROLE
from reactions.reference import Reference, quick_reference
from reactions.story import story_slug, text_as_of
from reactions.writer import FAILED_DIR, keep_failed, publish_page, write_atomically

INDEX_NAME = "index.html"
MAX_SIBLINGS = 8  # other pages of its story a page's header links, the nearest in date

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
    if page.html in files:
        noted = _noted(lambda: files[page.html], page.stem, out_dir, before, change)
        files = files if noted is None else files | {page.html: noted}
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
    noted = _noted(lambda: html.read_bytes(), stem, out_dir, before, change)
    if noted is not None:
        try:
            write_atomically(html, noted)
        except OSError as error:  # the page stays published: a missing note is said, not fatal
            print(f"corrections: {stem} not noted ({error})", file=sys.stderr)
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


def _last_changed(stem: str, out_dir: Path, change: PageChange | None) -> str | None:
    """The date of the last publish that moved the page: this one, if it did; else the one on
    record (history.json); None for a page that never moved since it was first published."""
    if change is not None and change.status == "changed":
        return change.on or None
    return last_changed(out_dir, stem)


def _noted(
    page: Callable[[], bytes],
    stem: str,
    out_dir: Path,
    before: Snapshot | None,
    change: PageChange | None,
) -> bytes | None:
    """The page's HTML with its "Last changed" line and its corrections, or None when it has
    none to show; a fault here is said and never fails the page."""
    try:
        corrections = _corrections(stem, out_dir, before, change)
        last = _last_changed(stem, out_dir, change)
        return with_corrections(page(), corrections, last) if corrections or last else None
    except Exception as error:  # the page still publishes: a missing note is said, not fatal
        print(f"corrections: {stem} not noted ({type(error).__name__}: {error})", file=sys.stderr)
        return None


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
        (INDEX_NAME, lambda: write_index(out_dir)),
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


def _role_outputs(notebook: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    """The first output in each role (present: title, headline) of an executed page."""
    found: dict[str, nbformat.NotebookNode] = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            role = output.get("metadata", {}).get(METADATA_KEY, {}).get("role")
            if isinstance(role, str):
                found.setdefault(role, output)
    return found


def _text(output: nbformat.NotebookNode | None) -> str:
    return "" if output is None else str(output.get("data", {}).get("text/plain", ""))


def published_pages(
    out_dir: Path, references: dict[str, Reference | None] | None = None
) -> tuple[list[dict[str, str]], list[str]]:
    """Every page in the report folder, as its executed notebook tells it: story, kind of page,
    title, lede (the output in role "headline"), dateline ("Data as of ..."), date, and what it
    is in words (index.page_label, with the names of its story's reference: `references`, by
    story, filled as read). Pages whose notebook cannot be read are skipped and named."""
    references = {} if references is None else references
    pages, skipped = [], []
    for html in sorted(out_dir.glob("*.html")):
        if html.name == INDEX_NAME or html.name.endswith(METHOD_SUFFIX):
            continue
        try:
            notebook = nbformat.read(html.with_suffix(".ipynb"), as_version=4)
            papermill_meta = notebook.metadata.get("papermill", {})
            parameters = dict(papermill_meta.get("parameters", {}))
            story, page = html.stem.split(".")[:2]
            roles = _role_outputs(notebook)
        except Exception as error:  # a truncated or odd notebook must not stop the index
            skipped.append(f"{html.name}: {type(error).__name__}")
            continue
        data_dir = str(parameters.pop("data_dir", "") or "")
        if story not in references:
            references[story] = _story_reference(out_dir, story, data_dir)
        title = roles.get(TITLE_ROLE)
        own = {} if title is None else title.get("metadata", {}).get(METADATA_KEY, {})
        as_of = parameters.get("as_of")
        pages.append(
            {
                "file": html.name,
                "story": story,
                "page": page,
                "title": _text(title),
                "headline": _text(roles.get(HEADLINE_ROLE)),
                "dateline": str(own.get("dateline", "")),
                "as_of": as_of if isinstance(as_of, str) else "",
                "label": page_label(page, parameters, references[story]),
            }
        )
    return pages, skipped


def _story_reference(out_dir: Path, story: str, data_dir: str) -> Reference | None:
    """A story's reference (names, codebook, story.yml) from its published dataset, else from
    the folder its page read; None when neither can be read."""
    for folder in (out_dir / folder_of(story), Path(data_dir) if data_dir else None):
        if folder is None or not (folder / "codebook.yml").is_file():
            continue
        try:
            reference = quick_reference(folder)
        except Exception:  # a story that no longer reads: its pages are listed by their codes
            continue
        if reference is not None:
            return reference
    return None


def default_story() -> str:
    """The story pages read by default ($REACTIONS_DATA, else data/default.txt), "" if none."""
    try:
        return story_slug(resolve_data_dir(None))
    except Exception:
        return ""


def site_stories(
    out_dir: Path,
    pages: list[dict[str, str]],
    references: dict[str, Reference | None],
    lead: str = "",
) -> list[dict[str, object]]:
    """The stories of the published pages for the front page, the `lead` story (the default)
    first, then by title: title, framing (its parts dated up to the story's newest page) and
    its source, method page and published dataset, each only where there is one."""
    entries: list[dict[str, object]] = []
    for slug in sorted({page["story"] for page in pages}):
        reference = references.get(slug)
        story = reference.story if reference is not None else None
        newest = max((page["as_of"] for page in pages if page["story"] == slug), default="")
        source_url = story.framing_source_url if story is not None else ""
        method = f"{slug}{METHOD_SUFFIX}"
        entries.append(
            {
                "slug": slug,
                "title": story.title if story is not None else "",
                "framing": text_as_of(story.framing, newest or "9999") if story else "",
                "framing_source": story.framing_source_title if story is not None else "",
                "framing_url": source_url if source_url.startswith(("https://", "http://")) else "",
                "method": method if (out_dir / method).is_file() else "",
                "dataset": list(published_files(out_dir, slug)),
                "data_version": published_version(out_dir, slug),
            }
        )
    entries.sort(key=lambda entry: (entry["slug"] != lead, str(entry["title"] or entry["slug"])))
    return entries


def write_index(out_dir: Path, lead: str | None = None) -> Path:
    """The front page from what is published: the `lead` story first (default: the default
    story, reactions.locate), marked with what the last publish run moved."""
    target = out_dir / INDEX_NAME
    references: dict[str, Reference | None] = {}
    pages, skipped = published_pages(out_dir, references)
    for name in skipped:
        print(f"index: skipped {name}", file=sys.stderr)
    marks = index_marks(out_dir)  # what the last publish run moved, from its changes.json
    if marks is not None:
        for page in pages:
            status, moved = marks.get(page["file"].removesuffix(".html"), ("", ""))
            page["status"], page["changed"] = status, moved
    lead = default_story() if lead is None else lead
    stories = site_stories(out_dir, pages, references, lead)
    write_atomically(target, render_index(pages, stories).encode("utf-8"))
    return target


# --- a run's pages in the site: the dataset each story publishes, the links each page makes ---


def publish_datasets(
    out_dir: Path, pages: list[Page], console: Callable[[str], object] = print
) -> dict[str, tuple[tuple[str, ...], str]]:
    """Publish each scheduled story's dataset (reactions.downloads) and remove those of stories
    no longer scheduled; per story, its files and data version (none for a story whose dataset
    could not be written: its pages then link none, and the run says why)."""
    published: dict[str, tuple[tuple[str, ...], str]] = {}
    for page in pages:
        if page.story in published or not page.data_dir:
            continue
        try:
            files = publish_dataset(out_dir, page.story, Path(page.data_dir))
        except OSError as error:
            console(f"downloads: {page.story}: the dataset is not published ({error})")
            published[page.story] = ((), "")
            continue
        published[page.story] = (files, published_version(out_dir, page.story))
    remove_datasets(out_dir, keep=set(published))
    return published


def failed_last_run(out_dir: Path) -> set[str]:
    """The pages the last publish run failed to build (its changes.json), if it says."""
    try:
        report = json.loads((out_dir / CHANGES_NAME).read_text(encoding="utf-8"))
        return {str(stem) for stem in report.get("failed", [])}
    except (OSError, ValueError, TypeError, AttributeError):
        return set()


def linkable(out_dir: Path, page: Page, failed: set[str]) -> bool:
    """Whether a page's siblings may link it: it is published (its HTML is there: a rebuild
    that fails leaves the last good page), or it is being built now and has not failed before
    without ever being published (a new page that failed last run, or whose notebook is in
    `_failed/`, is left out until it is published; so a new page that fails in the run that
    first builds it is linked by that run's pages until the next run rebuilds them)."""
    if (out_dir / page.html).is_file():
        return True
    return page.stem not in failed and not (out_dir / FAILED_DIR / page.executed).is_file()


def _days_apart(one: str, other: str) -> int:
    try:
        return abs((dt.date.fromisoformat(one) - dt.date.fromisoformat(other)).days)
    except (TypeError, ValueError):
        return 10**6  # a page without a date comes after every dated one


def run_links(
    pages: list[Page],
    out_dir: Path,
    settings: Mapping[str, object] | None = None,
    datasets: Mapping[str, tuple[tuple[str, ...], str]] | None = None,
) -> dict[str, SiteLinks]:
    """Each scheduled page's links, resolved from what is published and scheduled: the index
    (which the run writes), its story's title, method and dataset (`datasets`, as
    publish_datasets published them), its siblings (the other scheduled pages of its story
    that `linkable` allows, the MAX_SIBLINGS nearest in date), and the site's address and
    licence from its settings (`url`, `licence`: read as plain text, when named)."""
    settings = settings or {}
    datasets = datasets or {}
    failed = failed_last_run(out_dir)
    references: dict[str, Reference] = {}
    labels: dict[str, Sibling] = {}
    for page in pages:
        if page.data_dir not in references:
            references[page.data_dir] = load_reference(Path(page.data_dir))
        as_of = page.parameters.get("as_of")
        labels[page.stem] = Sibling(
            page.html,
            page_label(page.notebook.stem, page.parameters, references[page.data_dir]),
            as_of if isinstance(as_of, str) else "",
        )
    shown = [page for page in pages if linkable(out_dir, page, failed)]
    url, licence = _setting(settings, "url", "base_url"), _setting(settings, "licence", "license")
    links = {}
    for page in pages:
        own = labels[page.stem]
        nearest = sorted(
            (labels[other.stem] for other in shown if other.story == page.story and other != page),
            key=lambda sibling: (_days_apart(sibling.as_of, own.as_of), sibling.label),
        )[:MAX_SIBLINGS]
        files, version = datasets.get(page.story, ((), ""))
        links[page.stem] = SiteLinks(
            index=INDEX_NAME,
            story_title=references[page.data_dir].story.title,
            siblings=tuple(nearest),
            dataset=files,
            dataset_version=version,
            url=url,
            licence=licence,
        )
    return links


def _setting(settings: Mapping[str, object], *names: str) -> str:
    """A site setting given as text (the first of `names` that is), else ""."""
    for name in names:
        value = settings.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""
