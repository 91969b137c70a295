"""Render any page: check its parameters, run its notebook with papermill, publish the HTML
with its executed notebook, chart images, one CSV per finding, the story's method and, when
asked, the page printed to PDF.

A page is any notebook with a `parameters` cell; its parameters come from the notebook itself
(papermill.inspect_notebook) and are checked by the same rules the notebook applies
(`reactions.parameters`), before any kernel starts. Nothing is replaced until everything
succeeded: every file is staged under a temporary name beside its target and renamed into place
at the end, so a failed render leaves the last good page as it was, and its notebook in
`_failed/`. Data files are only read.

A page's provenance (its footer, reactions.provenance) is copied into the executed notebook's
metadata (`metadata["reactions"]["provenance"]`), and its footer is pointed at the files
published beside the page: the story's METHODS.md as `STORY.method.html` (reactions.method; the
same file for every page of a story), and the page's CSVs that list sources. The review log
(REVIEW.md) is the desk's, never published.
"""

from __future__ import annotations

import ast
import contextlib
import csv
import os
import re
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import nbformat
import papermill

from reactions.errors import DataRejected, ParameterError, RenderError
from reactions.locate import resolve_data_dir
from reactions.parameters import check_parameters, load_reference, output_stem
from reactions.reference import Reference
from reactions.yamlfile import shown

if TYPE_CHECKING:
    from reactions.provenance import Provenance
    from reactions.warm import Kernel

KERNEL = "python3"
PUBLISHED_MODE = 0o644  # mkstemp makes files private; a published page is for reading
NOTEBOOKS = Path("notebooks")
REJECTIONS = {"DatasetError", "ParameterError"}  # raised by the notebook's own checks: exit 2
RETIRED_SUFFIXES = (".review.txt",)  # files pages no longer publish, removed beside a new one


def find_notebook(name: str | Path, notebooks: Path = NOTEBOOKS) -> Path:
    """A page by name (`brief`) or path (`notebooks/brief.ipynb`)."""
    path = Path(name)
    candidates = [path] if path.suffix == ".ipynb" else [notebooks / f"{path.name}.ipynb"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    pages = ", ".join(sorted(page.stem for page in notebooks.glob("*.ipynb"))) or "none"
    raise ParameterError(f"notebook {name!r} not found; pages in {notebooks}: {pages}")


class _Required:
    """A parameter whose default is not a literal (`as_of = str(datetime.date.today())`): it
    has no default a render can check, so it must be given."""

    def __repr__(self) -> str:
        return "<required>"


REQUIRED: object = _Required()


def notebook_parameters(notebook: Path) -> dict[str, object]:
    """The notebook's parameters and their defaults, as its parameters cell declares them; a
    default that is not a literal is REQUIRED. A notebook that cannot be read (truncated, not
    JSON, not a notebook) is a ParameterError naming it."""
    try:
        declared = papermill.inspect_notebook(str(notebook))
    except Exception as error:  # nbformat's NotJSONError, a validation error, an OSError
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ParameterError(
            f"{notebook}: not a readable notebook ({type(error).__name__}: {shown(reason)})"
        ) from None
    if not declared:
        raise ParameterError(f"{notebook}: no parameters cell, so it is not a page")
    return {name: _default(spec.get("default")) for name, spec in declared.items()}


def _default(text: object) -> object:
    try:
        return ast.literal_eval(str(text))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return REQUIRED


@dataclass(frozen=True)
class Page:
    """A checked page: its notebook, every parameter (defaults resolved) and its output name."""

    notebook: Path
    parameters: dict[str, object]
    stem: str


def prepare(
    notebook: Path,
    given: dict[str, object],
    data_dir: Path | str | None = None,
    references: dict[Path, Reference] | None = None,
) -> Page:
    """Check a page's parameters against its notebook and dataset before any kernel starts.

    `references`: the datasets' references already read, by folder (added to), so that a
    schedule of many pages reads each dataset's codebook once (20 ms each)."""
    declared = notebook_parameters(notebook)
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise ParameterError(
            f"{notebook.stem}: unknown parameter(s) {shown(', '.join(map(str, unknown)))}; "
            f"this page takes {', '.join(declared)}"
        )
    values = declared | given
    required = [name for name, value in values.items() if value is REQUIRED]
    if required:
        raise ParameterError(
            f"{notebook.stem}: parameter(s) {', '.join(required)} must be given (-p NAME VALUE): "
            "the parameters cell's default is not a literal value, so no checked default exists"
        )
    if "data_dir" in declared:
        given_dir = cast("str | Path", given.get("data_dir") or data_dir or "")  # a path's text
        values["data_dir"] = str(resolve_data_dir(given_dir))
    folder = Path(str(values.get("data_dir") or resolve_data_dir()))
    references = {} if references is None else references
    if folder not in references:
        references[folder] = load_reference(folder)
    reference = references[folder]
    checked = check_parameters(values, reference)
    plain = {
        name: list(value) if isinstance(value, tuple) else value for name, value in checked.items()
    }
    return Page(notebook, plain, output_stem(notebook.stem, checked, reference))


def render_page(
    notebook: Path,
    given: dict[str, object],
    out_dir: Path,
    data_dir: Path | str | None = None,
    cell_timeout: int | None = None,
    pdf: bool = False,
) -> Path:
    """Check, execute and publish one page (and its PDF); return the path of its HTML."""
    if pdf:
        from reactions.pdf import chromium

        try:
            chromium()  # no browser to print with: say so before a kernel starts
        except RenderError as error:  # bad input of this machine, as publish's `pdf: true`
            raise ParameterError(str(error)) from None
    page = prepare(notebook, given, data_dir)
    return render_notebook(page, out_dir, cell_timeout, pdf)


def write_atomically(target: Path, content: bytes) -> None:
    """Write beside the target, then rename: readers see the old file or the new, never half."""
    publish_files(target.parent, {target.name: content})


def kernel_uses_this_python() -> None:
    """The 'python3' kernel spec runs `python` from PATH: make that this environment's."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


class ExecutionFailed(RenderError):
    """A page's run failed in its kernel: the reason and the notebook as far as it ran."""

    def __init__(self, reason: str, evidence: bytes | None = None):
        super().__init__(reason)
        self.reason = reason
        self.evidence = evidence


class Images:
    """PNGs drawn from each chart's SVG as soon as its cell has run, while the kernel works on
    the next cells: the parent is idle then, so drawing costs the render no time."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.drawn: dict[str, Future] = {}

    def on_cell_executed(self, cell: nbformat.NotebookNode, **_: object) -> None:
        from reactions.html import SVG_MIMETYPE

        for output in cell.get("outputs", []):
            svg = output.get("data", {}).get(SVG_MIMETYPE)
            if svg:
                self.png(svg)

    def png(self, svg: str) -> Future:
        """The PNG of a chart, drawn once however often it is asked for."""
        from reactions.vega import static_png

        if svg not in self.drawn:
            self.drawn[svg] = self.pool.submit(static_png, svg)
        return self.drawn[svg]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def execute(
    page: Page,
    scratch: Path,
    cell_timeout: int | None,
    kernel: Kernel,
    images: Images | None = None,
) -> nbformat.NotebookNode:
    """Run a checked page in a started kernel, which is kept (reactions.warm). Raises
    DataRejected for the notebook's own refusals and ExecutionFailed, with the notebook as far
    as it ran, for the rest."""
    executed_path = scratch / f"{page.stem}.ipynb"
    try:
        return papermill.execute_notebook(
            str(page.notebook),
            str(executed_path),
            parameters=page.parameters,
            kernel_name=KERNEL,
            km=kernel.km,
            progress_bar=False,
            log_output=False,
            execution_timeout=cell_timeout,
            # One save at the end (or on a cell error), not two per cell: each save
            # validates the whole notebook, which cost about a second per page.
            request_save_on_cell_execute=False,
            on_cell_executed=images.on_cell_executed if images is not None else None,
        )
    except Exception as error:  # a kernel or cell failure: keep the evidence, publish nothing
        if getattr(error, "ename", None) in REJECTIONS:  # bad input, reported in full
            raise DataRejected(cast(Any, error).evalue) from None  # papermill's execution error
        evidence = executed_path.read_bytes() if executed_path.exists() else None
        raise ExecutionFailed(_describe(error), evidence) from None
    finally:
        kernel.stop_clients()


def render_notebook(
    page: Page, out_dir: Path, cell_timeout: int | None = None, pdf: bool = False
) -> Path:
    """Run a checked page with papermill, export it offline (and print it to PDF), publish
    every file atomically.

    On failure nothing published is touched; the partly executed notebook is kept in
    `_failed/STEM.ipynb` so the error can be read where it happened.
    """
    kernel_uses_this_python()
    stem = page.stem
    clean_stale_temporaries(out_dir)  # what killed renders left here, never a live one's
    # The exporter's imports (nbconvert, vl-convert) and vl-convert's engine start in a thread,
    # while the kernel starts and works: they are not on the render's critical path.
    from reactions.warm import Kernel, warm_up_exporter

    warming = threading.Thread(target=warm_up_exporter, daemon=True)
    warming.start()

    try:  # a kernel of its own, lean (see reactions.warm), shut down as soon as it has run
        kernel = Kernel(page.notebook.parent)
    except Exception as error:  # publish retries the known start races by this message
        raise RenderError(f"the kernel did not start: {type(error).__name__}: {error}") from None
    stopping = threading.Thread(target=kernel.shutdown, daemon=True)
    images = Images()
    try:
        with tempfile.TemporaryDirectory(prefix="reactions-") as scratch:
            try:
                executed = execute(page, Path(scratch), cell_timeout, kernel, images)
            except ExecutionFailed as failure:
                kept = keep_failed(
                    page.notebook, out_dir, stem, failure.reason, content=failure.evidence
                )
                raise RenderError(f"{failure.reason}; {kept}") from None
            finally:
                stopping.start()  # at once, beside the export
            warming.join()
        files = page_files(executed, stem, images)
        if pdf:
            files = with_pdf(files, stem)
    finally:
        images.close()
        if stopping.ident is None:  # never got as far as running the notebook
            kernel.shutdown()
        else:
            stopping.join()
    _refuse_if_orphaned()
    try:
        refuse_unsafe(files, stem)
    except RenderError as unsafe:
        kept = keep_failed(
            page.notebook, out_dir, stem, str(unsafe), content=files[f"{stem}.ipynb"]
        )
        raise RenderError(f"{unsafe}; {kept}") from None
    try:
        publish_page(out_dir, stem, files)
    except OSError as error:
        raise RenderError(
            f"could not write the page ({error}); the last good page is unchanged"
        ) from None
    return out_dir / f"{stem}.html"


PUBLISH_PARENT = "REACTIONS_PUBLISH_PARENT"  # set by a publish run for the renders it starts


def _refuse_if_orphaned() -> None:
    """A render started by a publish run publishes only while that run (and its lock) lives: a
    run killed outright (SIGKILL) leaves no render writing the folder after its lock is gone."""
    parent = os.environ.get(PUBLISH_PARENT)
    if parent and str(os.getppid()) != parent:
        raise RenderError("the publish run that started this render is gone; nothing published")


def page_files(
    executed: nbformat.NotebookNode, stem: str, images: Images | None = None
) -> dict[str, bytes]:
    """Every file of a page, by name: charts (SVG, PNG), the story's method, one CSV per
    finding, the executed notebook and, last, the HTML (a page appears only with its parts;
    `with_pdf` adds the PDF before those two)."""
    from reactions.html import (
        chart_outputs,
        chart_picture,
        export_html,
        external_resources,
        findings,
    )

    found = findings(executed)
    method = _with_provenance(executed, stem, found)
    own = images is None
    images = images or Images()
    try:
        charts = chart_outputs(executed)
        drawn = [images.png(chart.svg) for chart in charts]
        html = export_html(executed, stem)
        files = {}
        for number, (chart, png) in enumerate(zip(charts, drawn, strict=True), start=1):
            files[chart_picture(stem, number, "svg")] = chart.svg.encode("utf-8")
            files[chart_picture(stem, number, "png")] = png.result()
        outside = external_resources(html, beside=files.keys())
        if outside:
            raise RenderError(
                "the page would load resources from outside itself: " + "; ".join(outside)
            )
    finally:
        if own:
            images.close()
    files |= method
    for finding, text in found.items():
        files[f"{stem}.{finding}.csv"] = text.encode("utf-8")
    files[f"{stem}.ipynb"] = nbformat.writes(executed).encode("utf-8")
    files[f"{stem}.html"] = html.encode("utf-8")  # last: a page appears only with its parts
    return files


def refuse_unsafe(files: dict[str, bytes], stem: str) -> None:
    """The publishing process's last look at a page: no event-handler attribute, no
    javascript: link, no script but the page's own runtime (reactions.html.unsafe_markup);
    else RenderError and nothing is published."""
    from reactions.html import unsafe_markup

    page = files.get(f"{stem}.html")
    if page is None:
        return
    notebook = files.get(f"{stem}.ipynb")
    specs = []
    if notebook is not None:
        from reactions.html import chart_outputs

        specs = [chart.spec for chart in chart_outputs(nbformat.reads(notebook, as_version=4))]
    unsafe = unsafe_markup(page.decode("utf-8", errors="replace"), specs)
    if unsafe:
        raise RenderError("the page holds markup that could run code: " + "; ".join(unsafe))


def with_pdf(files: dict[str, bytes], stem: str, seconds: float | None = None) -> dict[str, bytes]:
    """A page's files with `STEM.pdf`, the page printed from them (reactions.pdf) within
    `seconds` (what is left of the page's timeout; None: the printer's own limits); the
    executed notebook and the HTML stay last."""
    from reactions.pdf import print_pdf

    page, notebook = f"{stem}.html", f"{stem}.ipynb"
    printed = print_pdf(files, page, seconds)
    ordered = {name: content for name, content in files.items() if name not in (page, notebook)}
    return ordered | {f"{stem}.pdf": printed, notebook: files[notebook], page: files[page]}


def _with_provenance(
    executed: nbformat.NotebookNode, stem: str, found: dict[str, str]
) -> dict[str, bytes]:
    """Copy the page's provenance record into the notebook's metadata and point its footer at
    the files published beside the page, its findings (`found`) among them; return the story's
    method page as a page file (none when the page shows no provenance or its story has no
    method)."""
    from reactions.html import role_output
    from reactions.method import method_name
    from reactions.present import METADATA_KEY, PROVENANCE_ROLE, ProvenanceFooter, PublishedFiles
    from reactions.provenance import Provenance

    output = role_output(executed, PROVENANCE_ROLE)
    if output is None:
        return {}
    record = Provenance.from_dict(output["metadata"][METADATA_KEY]["provenance"])
    executed.metadata.setdefault(METADATA_KEY, {})["provenance"] = record.as_dict()
    files = {}
    page = _method_page(executed, record)
    if page is not None:
        files[method_name(record.story)] = page
    sources = tuple(
        f"{stem}.{finding}.csv"
        for finding, text in found.items()
        if "source_url" in next(csv.reader([text.partition("\n")[0]]), [])
    )
    published = PublishedFiles(method_name(record.story) if page is not None else "", sources)
    data, _ = ProvenanceFooter(record, published)._repr_mimebundle_()
    output["data"] = nbformat.from_dict(data)
    return files


def _method_page(executed: nbformat.NotebookNode, record: Provenance) -> bytes | None:
    """The story's method as published (reactions.method), from the page's dataset folder;
    None when there is none to publish."""
    from reactions.method import method_page, read_method

    if not record.method:
        return None
    data_dir = executed.metadata.get("papermill", {}).get("parameters", {}).get("data_dir", "")
    try:
        folder = resolve_data_dir(str(data_dir or ""))
    except ParameterError:
        return None
    text = read_method(folder)
    if text is None:
        return None
    return method_page(text, record.story).encode("utf-8")


def publish_page(out_dir: Path, stem: str, files: dict[str, bytes]) -> None:
    """Publish a page's files (`publish_files`), then remove the files of that page that pages
    no longer publish (its old `STEM.review.txt`: the review log is the desk's)."""
    publish_files(out_dir, files)
    for suffix in RETIRED_SUFFIXES:
        (out_dir / f"{stem}{suffix}").unlink(missing_ok=True)


def publish_files(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file to a temporary name first, then rename them all into place.

    A failure while writing (a full disk, a permission) leaves the published files as they
    were and no temporary file behind; only the renames, which do not fail for lack of space,
    touch what readers see.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[str, Path]] = []
    try:
        for name, content in files.items():
            handle, temporary = tempfile.mkstemp(
                dir=out_dir, prefix=_staging_prefix(name), suffix=".tmp"
            )
            staged.append((temporary, out_dir / name))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temporary, PUBLISHED_MODE)
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)


FAILED_DIR = "_failed"
STAGED = re.compile(r"\.pid(\d+)\.[^.]*\.tmp")  # a staging file's end: the writer's process id


def _staging_prefix(name: str) -> str:
    """A staging file is `.NAME.pidPID.RANDOM.tmp`: a later run can tell whose it is."""
    return f".{name}.pid{os.getpid()}."


def clean_stale_temporaries(out_dir: Path, every: bool = False) -> list[Path]:
    """Remove the staging files (`.*.tmp`, in the report folder and its `_failed/`) that a
    killed render or run left: those whose writer is gone, or `every` one (a publish run, under
    its lock). Never fails a render: a file that cannot be removed is left."""
    stale = []
    for folder in (out_dir, out_dir / FAILED_DIR):
        for path in sorted(folder.glob(".*.tmp")) if folder.is_dir() else []:
            found = STAGED.search(path.name)
            if every or (found is not None and not _alive(int(found.group(1)))):
                with contextlib.suppress(OSError):
                    path.unlink()
                    stale.append(path)
    return stale


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def keep_failed(
    notebook: Path,
    out_dir: Path,
    stem: str,
    reason: str,
    executed_path: Path | None = None,
    content: bytes | None = None,
) -> str:
    """Keep the notebook as far as it ran; if nothing was saved (a dead kernel, a killed run),
    the source notebook with the reason on top, so that `_failed/` always says what happened."""
    if content is not None:
        pass
    elif executed_path is not None and executed_path.exists():
        content = executed_path.read_bytes()
    else:
        source = nbformat.read(notebook, as_version=4)
        source.cells.insert(0, nbformat.v4.new_markdown_cell(f"**Render failed:** {reason}"))
        content = nbformat.writes(source).encode("utf-8")
    target = out_dir / FAILED_DIR / f"{stem}.ipynb"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, content)
    except OSError as error:  # a read-only or full disk, --out a file: say so, do not crash
        return f"the error notebook could not be kept at {target} ({error.strerror or error})"
    return f"the error notebook is {target}"


def _describe(error: Exception) -> str:
    if isinstance(error, papermill.PapermillExecutionError):
        return f"the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
    return f"the notebook run failed: {type(error).__name__}: {error}".strip()
