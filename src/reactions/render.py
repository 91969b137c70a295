"""Render one page (a brief, or the cross-actor comparison): check its parameters, run its
notebook with papermill, publish the HTML with its executed notebook and chart images.

Nothing is replaced until everything succeeded: every file is staged under a temporary name
beside its target and renamed into place at the end, so a failed render leaves the last good
page as it was, and its notebook in `_failed/`. Data files are only read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill

from reactions.errors import DataRejected, ParameterError, RenderError
from reactions.reference import Reference

KERNEL = "python3"
PUBLISHED_MODE = 0o644  # mkstemp makes files private; a published brief is for reading


@dataclass(frozen=True)
class BriefRequest:
    actor: str
    issue: str
    as_of: str
    data_dir: Path = Path("data")
    out_dir: Path = Path("report")
    notebook: Path = Path("notebooks/brief.ipynb")
    compare_with: list[str] | None = field(default=None)
    compare_to: str = ""
    cell_timeout: int | None = None  # seconds a single cell may run

    @property
    def stem(self) -> str:
        """The output name: safe, since every part was checked against the dataset or as a date,
        and unique, since an issue code has no hyphen and a date has a fixed width. A chosen
        comparison set adds a short digest of itself."""
        since = f"-since-{self.compare_to}" if self.compare_to else ""
        among = ""
        if self.compare_with is not None:
            digest = hashlib.sha1(",".join(sorted(set(self.compare_with))).encode()).hexdigest()
            among = f"-among-{digest[:8]}"
        return f"{self.actor}-{self.issue}-{self.as_of}{since}{among}"


def _unknown(kind: str, value: str, valid: list[str]) -> ParameterError:
    closest = difflib.get_close_matches(value, valid, n=len(valid), cutoff=0.0)
    ordered = closest + [option for option in sorted(valid) if option not in closest]
    return ParameterError(
        f"unknown {kind} {value!r}; valid {kind}s, closest first: {', '.join(ordered)}"
    )


def _raise_all(problems: list[ParameterError]) -> None:
    if problems:
        raise ParameterError("\n".join(str(problem) for problem in problems))


def check_request(reference: Reference, request: BriefRequest) -> None:
    """Fail fast, before a kernel starts, on anything the brief could not answer."""
    problems = []
    actors = list(reference.actor_names)
    if request.actor not in actors:
        problems.append(_unknown("actor", request.actor, actors))
    for peer in request.compare_with or []:
        if peer not in actors:
            problems.append(_unknown("actor", peer, actors))
    if request.issue not in reference.codebook.issues:
        problems.append(_unknown("issue", request.issue, list(reference.codebook.issues)))
    problems += [
        _bad_date(kind, value)
        for kind, value in (("as-of", request.as_of), ("compare-to", request.compare_to))
        if (value or kind == "as-of") and not _is_iso_date(value)
    ]
    if not problems and request.compare_to and request.compare_to >= request.as_of:
        problems.append(
            ParameterError(
                f"compare-to date {request.compare_to} must be before the as-of date "
                f"{request.as_of}"
            )
        )
    _raise_all(problems)


def _is_iso_date(value: str) -> bool:
    try:
        return dt.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def _bad_date(kind: str, value: str) -> ParameterError:
    return ParameterError(
        f"bad {kind} date {value!r}: write a real date as YYYY-MM-DD (2022-09-26)"
    )


def write_atomically(target: Path, content: bytes) -> None:
    """Write beside the target, then rename: readers see the old file or the new, never half."""
    publish_files(target.parent, {target.name: content})


def _kernel_uses_this_python() -> None:
    """The 'python3' kernel spec runs `python` from PATH: make that this environment's."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def render_notebook(
    notebook: Path,
    parameters: dict[str, object],
    out_dir: Path,
    stem: str,
    title: str,
    cell_timeout: int | None = None,
) -> Path:
    """Run a notebook with papermill, export it offline, publish every file atomically.

    On failure nothing published is touched; the partly executed notebook is kept in
    `_failed/STEM.ipynb` so the error can be read where it happened.
    """
    if not notebook.is_file():
        raise RenderError(f"notebook {notebook} not found (run from the project root)")
    _kernel_uses_this_python()
    # The exporter's imports (nbconvert, vl-convert) and vl-convert's engine start in a thread,
    # while the kernel starts and works: they are not on the render's critical path.
    warming = threading.Thread(target=_warm_up_exporter, daemon=True)
    warming.start()
    with tempfile.TemporaryDirectory(prefix="reactions-") as scratch:
        executed_path = Path(scratch) / f"{stem}.ipynb"
        try:
            executed = papermill.execute_notebook(
                str(notebook),
                str(executed_path),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(notebook.parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=cell_timeout,
                # One save at the end (or on a cell error), not two per cell: each save
                # validates the whole notebook, which cost about a second per brief.
                request_save_on_cell_execute=False,
            )
        except Exception as error:  # a kernel or cell failure: keep the evidence, publish nothing
            if getattr(error, "ename", None) == "DatasetError":  # bad input, reported in full
                raise DataRejected(error.evalue) from None
            reason = _describe(error)
            kept = keep_failed(notebook, out_dir, stem, reason, executed_path)
            raise RenderError(f"{reason}; {kept}") from None
        warming.join()
    from reactions.html import chart_specs, export_html, external_resources, static_images

    with ThreadPoolExecutor(max_workers=2) as images:  # vl-convert works beside the export
        drawn = [images.submit(static_images, spec) for spec in chart_specs(executed)]
        html = export_html(executed, title)
        outside = external_resources(html)
        if outside:
            raise RenderError(
                "the page would load resources from outside itself: " + "; ".join(outside)
            )
        files = {}
        for number, future in enumerate(drawn, start=1):
            svg, png = future.result()
            files[f"{stem}-chart-{number}.svg"] = svg.encode("utf-8")
            files[f"{stem}-chart-{number}.png"] = png
    files[f"{stem}.ipynb"] = nbformat.writes(executed).encode("utf-8")
    files[f"{stem}.html"] = html.encode("utf-8")  # last: a page appears only with its parts
    try:
        publish_files(out_dir, files)
    except OSError as error:
        raise RenderError(
            f"could not write the brief ({error}); the last good brief is unchanged"
        ) from None
    return out_dir / f"{stem}.html"


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
            handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=f".{name}.", suffix=".tmp")
            staged.append((temporary, out_dir / name))
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
            os.chmod(temporary, PUBLISHED_MODE)
        for temporary, target in staged:
            os.replace(temporary, target)
    finally:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)


def _warm_up_exporter() -> None:
    from reactions.html import warm_up

    warm_up()


FAILED_DIR = "_failed"


def keep_failed(
    notebook: Path, out_dir: Path, stem: str, reason: str, executed_path: Path | None = None
) -> str:
    """Keep the notebook as far as it ran; if nothing was saved (a dead kernel, a killed run),
    the source notebook with the reason on top, so that `_failed/` always says what happened."""
    if executed_path is not None and executed_path.exists():
        content = executed_path.read_bytes()
    else:
        source = nbformat.read(notebook, as_version=4)
        source.cells.insert(0, nbformat.v4.new_markdown_cell(f"**Render failed:** {reason}"))
        content = nbformat.writes(source).encode("utf-8")
    failed_dir = out_dir / FAILED_DIR
    failed_dir.mkdir(parents=True, exist_ok=True)
    target = failed_dir / f"{stem}.ipynb"
    write_atomically(target, content)
    return f"the error notebook is {target}"


def _describe(error: Exception) -> str:
    if isinstance(error, papermill.PapermillExecutionError):
        return f"the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
    return f"the notebook run failed: {type(error).__name__}: {error}".strip()


def render_brief(reference: Reference, request: BriefRequest) -> Path:
    """Execute the brief notebook for one request and publish its HTML; return the HTML path."""
    check_request(reference, request)
    parameters: dict[str, object] = {
        "focal_actor": request.actor,
        "issue": request.issue,
        "as_of": request.as_of,
        "data_dir": str(request.data_dir.resolve()),
    }
    if request.compare_to:
        parameters["compare_to"] = request.compare_to
    if request.compare_with is not None:
        parameters["compare_with"] = request.compare_with
    title = (
        f"{reference.actor_name(request.actor)}: "
        f"{reference.codebook.issues[request.issue]}, as of {request.as_of}"
    )
    return render_notebook(
        request.notebook, parameters, request.out_dir, request.stem, title, request.cell_timeout
    )


def check_comparison(
    reference: Reference, as_of: str, issue: str = "all", group: str = "all"
) -> str:
    """Check the cross-actor notebook's parameters; return its output stem."""
    problems = []
    if issue != "all" and issue not in reference.codebook.issues:
        problems.append(_unknown("issue", issue, ["all", *reference.codebook.issues]))
    if group != "all" and group not in reference.codebook.groups:
        problems.append(_unknown("group", group, ["all", *reference.codebook.groups]))
    if not _is_iso_date(as_of):
        problems.append(_bad_date("as-of", as_of))
    _raise_all(problems)
    return f"comparison.{issue}.{group}.{as_of}"  # a dot: never an actor_id, so never a brief


def render_comparison(
    reference: Reference,
    as_of: str,
    issue: str = "all",
    group: str = "all",
    data_dir: Path = Path("data"),
    out_dir: Path = Path("report"),
    notebook: Path = Path("notebooks/compare.ipynb"),
    cell_timeout: int | None = None,
) -> Path:
    """The cross-actor notebook (actors x issues, groups, words and votes, coding quality)."""
    stem = check_comparison(reference, as_of, issue, group)
    parameters = {
        "issue": issue,
        "as_of": as_of,
        "group": group,
        "data_dir": str(data_dir.resolve()),
    }
    title = f"Who stands where, as of {as_of}"
    return render_notebook(notebook, parameters, out_dir, stem, title, cell_timeout)
