"""Build any page, one pipeline for every way a page is made (`reactions render`, a publish
with fresh kernels, a Dask worker's warm kernel): a checked page spec (reactions.page) runs
through papermill's engine registry (reactions.engine: a fresh kernel, or the warm one given),
is exported by nbconvert (reactions.exporter: the HTML and, from its preprocessors, every file
beside it), printed to PDF when asked, checked for unsafe markup, then written by the one
atomic writer (reactions.writer). `build_page` returns the files; `render_page` writes them.

Nothing is replaced until everything succeeded: a failed render leaves the last good page as it
was, and its notebook in `_failed/`. Data files are only read. The notebook's own refusals
(bad data, bad parameters) come back as data (reactions.errors.ErrorRecord in the failing
cell's outputs), never recognised by their words.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import nbformat
import papermill
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from reactions.downloads import published_files, published_version
from reactions.engine import ENGINE_NAME, start_fresh
from reactions.errors import (
    ERROR_KEY,
    DataRejected,
    ErrorRecord,
    ParameterError,
    RenderError,
)
from reactions.exporter import export_page, warm_up
from reactions.html import (
    RUNTIME_FILE,
    chart_outputs,
    external_resources,
    outputs,
    unsafe_markup,
)
from reactions.page import Page, Site, SiteLinks, prepare
from reactions.parameters import load_reference
from reactions.present import SVG_MIMETYPE
from reactions.vega import static_png
from reactions.warm import Kernel
from reactions.writer import (
    PAGE_LINKS,
    PUBLISH_PARENT,
    clean_stale_temporaries,
    keep_failed,
    publish_page,
)

KERNEL = "python3"
# One export at a time in a process: its exporter is one (reactions.exporter.exporter, its
# templates compiled once), and a publish run builds its few pages in threads of its own
# process (reactions.in_process). An export takes a tenth of a second.
_exporting = threading.Lock()

__all__ = ["build_page", "render_page"]


def render_page(
    notebook: Path,
    given: dict[str, object],
    out_dir: Path,
    data_dir: Path | str | None = None,
    cell_timeout: int | None = None,
    pdf: bool = False,
    site: Site | None = None,
    links: SiteLinks | None = None,
) -> Path:
    """Check, build and publish one page (and its PDF); return the path of its HTML. `site`:
    where it is published (its previews' addresses; the shared runtime or an inlined one).
    `links`: its place in the site (default: as a publish run that started this render gave
    them, else what is in `out_dir`, page_links)."""
    if pdf:
        from reactions.pdf import chromium

        try:
            chromium()  # no browser to print with: say so before a kernel starts
        except RenderError as error:  # bad input of this machine, as publish's `pdf: true`
            raise ParameterError(str(error)) from None
    page = prepare(notebook, given, data_dir, pdf=pdf, site=site)
    page = replace(page, links=links if links is not None else page_links(page, out_dir))
    clean_stale_temporaries(out_dir)  # what killed renders left here, never a live one's
    try:
        files = build_page(page, cell_timeout=cell_timeout)
    except ExecutionFailed as failure:
        kept = keep_failed(page.notebook, out_dir, page.stem, failure.reason, failure.evidence)
        raise RenderError(f"{failure.reason}; {kept}") from None
    _refuse_if_orphaned()
    try:
        publish_page(out_dir, page.stem, files)
    except OSError as error:
        raise RenderError(
            f"could not write the page ({error}); the last good page is unchanged"
        ) from None
    return out_dir / page.html


def page_links(page: Page, out_dir: Path) -> SiteLinks:
    """A page's links: as the publish run that started this render gave them ($PAGE_LINKS,
    only under a run), else a lone render's, from what is in `out_dir`: the index and the
    story's dataset when they are there (a publish run writes them), no other page."""
    given = os.environ.get(PAGE_LINKS, "")
    if given and os.environ.get(PUBLISH_PARENT):
        return SiteLinks.from_json(given)
    reference = load_reference(Path(page.data_dir)) if page.data_dir else None
    return SiteLinks(
        index="index.html" if (out_dir / "index.html").is_file() else "",
        story_title=reference.story.title if reference is not None else "",
        dataset=published_files(out_dir, page.story),
        dataset_version=published_version(out_dir, page.story),
    )


def kernel_uses_this_python() -> None:
    """The 'python3' kernel spec runs `python` from PATH: make that this environment's."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


FAILURE_KINDS = ("cell", "dead kernel", "cell timeout", "kernel", "unpublishable")


class ExecutionFailed(RenderError):
    """A page could not be built: why, what kind of failure (FAILURE_KINDS), and the notebook
    as far as it ran (None when nothing was saved)."""

    def __init__(self, reason: str, kind: str, evidence: bytes | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.evidence = evidence


class Images:
    """PNGs drawn from each chart's SVG as soon as its cell has run, while the kernel works on
    the next cells: the parent is idle then, so drawing costs the render no time."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.drawn: dict[str, Future] = {}

    def on_cell_executed(self, cell: nbformat.NotebookNode, **_: object) -> None:
        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get(SVG_MIMETYPE)
            if svg:
                self.png(svg)

    def png(self, svg: str) -> Future:
        """The PNG of a chart, drawn once however often it is asked for."""
        if svg not in self.drawn:
            self.drawn[svg] = self.pool.submit(static_png, svg)
        return self.drawn[svg]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def build_page(
    page: Page,
    kernel: Kernel | None = None,
    cell_timeout: int | None = None,
    deadline: float | None = None,
    after_run: Callable[[], object] | None = None,
    on_start: Callable[[Kernel], object] | None = None,
) -> dict[str, bytes]:
    """Every file of a checked page, by name, the HTML last (a page appears only with its
    parts): run in `kernel` (kept) or a fresh one of its own, exported, checked, printed
    when `page.pdf` (before `deadline`, a time.perf_counter() value). `after_run` is called as
    soon as the notebook has run (a warm kernel's reset, beside the export); `on_start` with
    the fresh kernel as soon as it has started (whoever may have to kill it: a publish run's
    watchdog). Raises DataRejected for the notebook's refusals of its input, KernelNotStarted
    when a fresh kernel did not start (a retry's cue) and ExecutionFailed for the rest."""
    kernel_uses_this_python()
    warming = own = None
    if kernel is None:  # the exporter warms up while a fresh kernel starts and works
        warming = threading.Thread(target=_warm_up, daemon=True)
        warming.start()
        # Shut down in this thread, in line: a thread of its own would leave an event loop
        # (jupyter_core's run_sync keeps one per thread) to be collected after its files close.
        kernel = own = start_fresh(page.notebook.parent)
    images = Images()
    try:
        if own is not None and on_start is not None:
            on_start(own)
        executed = execute(page, cell_timeout, kernel, images)
        if after_run is not None:
            after_run()
        if warming is not None:
            warming.join()
        with _exporting:
            html, files, notebook = export_page(
                executed, page.stem, lambda svg: images.png(svg).result(), page.site, page.links
            )
    finally:
        images.close()
        if own is not None:
            own.shutdown()
    outside = external_resources(html, beside=files.keys())
    if outside:
        raise ExecutionFailed(
            "the page would load resources from outside itself: " + "; ".join(outside),
            "unpublishable",
            notebook,
        )
    files[page.html] = html.encode("utf-8")
    files[page.executed] = notebook
    try:
        refuse_unsafe(files, page.stem)  # before a browser opens it to print
    except RenderError as unsafe:
        raise ExecutionFailed(str(unsafe), "unpublishable", notebook) from None
    if page.pdf:
        from reactions.pdf import print_pdf

        seconds = None if deadline is None else deadline - time.perf_counter()
        files[page.printed] = print_pdf(files, page.html, seconds)
    files[page.executed] = files.pop(page.executed)
    files[page.html] = files.pop(page.html)  # last: a page appears only with its parts
    return files


def _warm_up() -> None:
    with _exporting:
        warm_up()


def refuse_unsafe(files: dict[str, bytes], stem: str) -> None:
    """A page's last look before it is printed or published (by the publishing process too,
    whichever process built it): no event-handler attribute, no javascript: link, no script
    but the page's own runtime, inlined or the site's shared file published with it, which
    must hold what its name's digest says (reactions.html.unsafe_markup); else RenderError."""
    page = files.get(f"{stem}.html")
    if page is None:
        return
    notebook = files.get(f"{stem}.ipynb")
    specs = []
    if notebook is not None:
        specs = [chart.spec for chart in chart_outputs(nbformat.reads(notebook, as_version=4))]
    shared = {name: content for name, content in files.items() if RUNTIME_FILE.fullmatch(name)}
    unsafe = unsafe_markup(page.decode("utf-8", errors="replace"), specs, shared)
    if unsafe:
        raise RenderError("the page holds markup that could run code: " + "; ".join(unsafe))


def execute(
    page: Page, cell_timeout: int | None, kernel: Kernel | None, images: Images | None = None
) -> nbformat.NotebookNode:
    """Run a checked page through papermill's engine registry (reactions.engine)."""
    with tempfile.TemporaryDirectory(prefix="reactions-") as scratch:
        executed_path = Path(scratch) / page.executed
        try:
            return papermill.execute_notebook(
                str(page.notebook),
                str(executed_path),
                parameters=page.parameters,
                engine_name=ENGINE_NAME,
                kernel_name=KERNEL,
                kernel=kernel,
                progress_bar=False,
                log_output=False,
                execution_timeout=cell_timeout,
                # One save at the end (or on a cell error), not two per cell: each save
                # validates the whole notebook, which cost about a second per page.
                request_save_on_cell_execute=False,
                on_cell_executed=images.on_cell_executed if images is not None else None,
            )
        except RenderError:  # the engine's KernelNotStarted: a retry's cue, as it is
            raise
        except Exception as error:  # a kernel or cell failure: keep the evidence
            evidence = executed_path.read_bytes() if executed_path.exists() else None
            record = _error_record(evidence)
            if record is not None and record.exit_code == DataRejected.exit_code:
                raise DataRejected(record.message) from None
            raise ExecutionFailed(_describe(error), _kind(error), evidence) from None


def _error_record(evidence: bytes | None) -> ErrorRecord | None:
    """The error a notebook's own check displayed as data (reactions.errors), if any."""
    if evidence is None:
        return None
    try:
        notebook = nbformat.reads(evidence.decode("utf-8"), as_version=4)
    except Exception:  # a notebook saved half-way: no record to read
        return None
    for output in outputs(notebook):
        found = output.get("metadata", {}).get(ERROR_KEY)
        if isinstance(found, dict):
            return ErrorRecord(**found)
    return None


def _kind(error: Exception) -> str:
    if isinstance(error, DeadKernelError):
        return "dead kernel"
    if isinstance(error, CellTimeoutError):
        return "cell timeout"
    if isinstance(error, papermill.PapermillExecutionError):
        return "cell"
    return "kernel"


def _describe(error: Exception) -> str:
    if isinstance(error, papermill.PapermillExecutionError):
        return f"the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
    return f"the notebook run failed: {type(error).__name__}: {error}".strip()


def _refuse_if_orphaned() -> None:
    """A render started by a publish run publishes only while that run (and its lock) lives: a
    run killed outright (SIGKILL) leaves no render writing the folder after its lock is gone."""
    parent = os.environ.get(PUBLISH_PARENT)
    if parent and str(os.getppid()) != parent:
        raise RenderError("the publish run that started this render is gone; nothing published")
