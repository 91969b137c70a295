"""Render one brief: check parameters, run the notebook with papermill, publish the HTML.

Nothing is replaced until everything succeeded: the executed notebook and the HTML are written
to temporary files beside their targets and renamed into place, so a failed render leaves the
last good brief as it was. Data files are only read.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill

from reactions.dataset import Dataset
from reactions.errors import ParameterError
from reactions.html import export_html, external_resources

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

    @property
    def stem(self) -> str:
        return f"{self.actor}-{self.issue}-{self.as_of}"


class RenderError(RuntimeError):
    """The notebook ran into an error or produced an unpublishable page; nothing was replaced."""


def _unknown(kind: str, value: str, valid: list[str]) -> ParameterError:
    closest = difflib.get_close_matches(value, valid, n=len(valid), cutoff=0.0)
    ordered = closest + [option for option in sorted(valid) if option not in closest]
    return ParameterError(
        f"unknown {kind} {value!r}; valid {kind}s, closest first: {', '.join(ordered)}"
    )


def check_request(dataset: Dataset, request: BriefRequest) -> None:
    """Fail fast, before a kernel starts, on anything the brief could not answer."""
    problems = []
    actors = list(dataset.actors["actor_id"])
    if request.actor not in actors:
        problems.append(_unknown("actor", request.actor, actors))
    for peer in request.compare_with or []:
        if peer not in actors:
            problems.append(_unknown("actor", peer, actors))
    if request.issue not in dataset.codebook.issues:
        problems.append(_unknown("issue", request.issue, list(dataset.codebook.issues)))
    try:
        if dt.date.fromisoformat(request.as_of).isoformat() != request.as_of:
            raise ValueError
    except ValueError:
        problems.append(
            ParameterError(
                f"bad as-of date {request.as_of!r}: write a real date as YYYY-MM-DD (2022-09-26)"
            )
        )
    if problems:
        raise ParameterError("\n".join(str(problem) for problem in problems))


def _write_atomically(target: Path, content: str) -> None:
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.chmod(temporary, PUBLISHED_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _kernel_uses_this_python() -> None:
    """The 'python3' kernel spec runs `python` from PATH: make that this environment's."""
    bin_dir = str(Path(sys.executable).parent)
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def render_brief(dataset: Dataset, request: BriefRequest) -> Path:
    """Execute the brief notebook for one request and publish its HTML; return the HTML path."""
    check_request(dataset, request)
    if not request.notebook.is_file():
        raise RenderError(f"notebook {request.notebook} not found (run from the project root)")
    request.out_dir.mkdir(parents=True, exist_ok=True)
    parameters = {
        "focal_actor": request.actor,
        "issue": request.issue,
        "as_of": request.as_of,
        "data_dir": str(request.data_dir.resolve()),
    }
    if request.compare_with is not None:
        parameters["compare_with"] = request.compare_with
    _kernel_uses_this_python()
    with tempfile.TemporaryDirectory(prefix="reactions-") as scratch:
        executed_path = Path(scratch) / f"{request.stem}.ipynb"
        try:
            executed = papermill.execute_notebook(
                str(request.notebook),
                str(executed_path),
                parameters=parameters,
                kernel_name=KERNEL,
                cwd=str(request.notebook.parent),
                progress_bar=False,
                log_output=False,
            )
        except papermill.PapermillExecutionError as error:
            raise RenderError(
                f"the notebook failed in cell {error.exec_count}: {error.ename}: {error.evalue}"
            ) from None
        title = (
            f"{dataset.actor_name(request.actor)}: "
            f"{dataset.codebook.issues[request.issue]}, as of {request.as_of}"
        )
        html = export_html(executed, title)
    outside = external_resources(html)
    if outside:
        raise RenderError(
            "the page would load resources from outside itself: " + "; ".join(outside)
        )
    html_path = request.out_dir / f"{request.stem}.html"
    _write_atomically(request.out_dir / f"{request.stem}.ipynb", nbformat.writes(executed))
    _write_atomically(html_path, html)
    return html_path
